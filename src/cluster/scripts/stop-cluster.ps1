# stop-cluster: Stop-Cluster for the cluster this node belongs to, waiting up to timeoutSeconds. A cluster
# that is already stopped (a repeated call after a lost reply) is reported, not an error.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][ValidateRange(1, 86400)][int]$timeoutSeconds
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$service = Get-Service -Name 'ClusSvc' -ErrorAction SilentlyContinue
if ($null -eq $service) {
    throw (New-CauctlError 'MISSING_FEATURE' ('The cluster service (ClusSvc) is not installed on ' + $env:COMPUTERNAME + '.') 'ObjectNotFound' 'ClusSvc')
}
if ([string]$service.Status -eq 'Stopped') { return @{ stopped = $true; alreadyStopped = $true } }

Stop-Cluster -Force -Wait $timeoutSeconds | Out-Null
$service = Get-Service -Name 'ClusSvc'
if ([string]$service.Status -ne 'Stopped') {
    throw (New-CauctlError 'SCRIPT_ERROR' ('Stop-Cluster returned but the cluster service on ' + $env:COMPUTERNAME + ' is ' + [string]$service.Status + '.') 'OperationTimeout' 'ClusSvc')
}
@{ stopped = $true; alreadyStopped = $false }

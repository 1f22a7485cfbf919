# stop-cluster: stops the cluster service (ClusSvc) on this node only, over this node's own session, waiting up
# to timeoutSeconds for it to stop. Stop-Cluster would stop ClusSvc on the other nodes through their Service
# Control Managers, a second hop that a WinRM session without network credentials is denied; the coordinator
# calls this on every node instead. A service that is already stopped (a repeated call after a lost reply) is
# reported, not an error.
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

# A clean stop (not a failure), so the service's recovery actions do not start it again.
Stop-Service -Name 'ClusSvc' -Force -NoWait
$start = Get-CauctlMonotonicSeconds
while ([string](Get-Service -Name 'ClusSvc').Status -ne 'Stopped') {
    if ((Get-CauctlMonotonicSeconds) - $start -ge $timeoutSeconds) {
        throw (New-CauctlError 'SCRIPT_ERROR' ('The cluster service on ' + $env:COMPUTERNAME + ' did not stop within ' + $timeoutSeconds + ' seconds; it is ' + [string](Get-Service -Name 'ClusSvc').Status + '.') 'OperationTimeout' 'ClusSvc')
    }
    Start-Sleep -Seconds 2
}
@{ stopped = $true; alreadyStopped = $false }

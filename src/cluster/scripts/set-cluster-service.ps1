# set-cluster-service: sets the start mode of the cluster service (ClusSvc) on this node, Disabled while the
# offline update restarts the nodes (so a node does not rejoin a half-updated cluster) and Automatic after.
# Never starts or stops the service: Stop-Cluster and Start-Cluster do that.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][ValidateSet('Automatic', 'Disabled')][string]$startMode
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$service = Get-Service -Name 'ClusSvc' -ErrorAction SilentlyContinue
if ($null -eq $service) {
    throw (New-CauctlError 'MISSING_FEATURE' ('The cluster service (ClusSvc) is not installed on ' + $env:COMPUTERNAME + '.') 'ObjectNotFound' 'ClusSvc')
}
Set-Service -Name 'ClusSvc' -StartupType $startMode
$service = Get-Service -Name 'ClusSvc'
$mode = [string]$service.StartType
if ($mode -eq 'AutomaticDelayedStart') { $mode = 'Automatic' }
if ($mode -ne $startMode) {
    throw (New-CauctlError 'SCRIPT_ERROR' ('The cluster service on ' + $env:COMPUTERNAME + ' is ' + $mode + ' after setting it to ' + $startMode + '.') 'InvalidResult' 'ClusSvc')
}
@{ node = [string]$env:COMPUTERNAME; startMode = $mode; status = [string]$service.Status }

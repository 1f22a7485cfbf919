# get-cluster-service: the cluster service (ClusSvc) on this node: its start mode and status. Works while
# the cluster is stopped, which is when the offline update needs it.
[CmdletBinding()]
param()
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$service = Get-Service -Name 'ClusSvc' -ErrorAction SilentlyContinue
if ($null -eq $service) {
    throw (New-CauctlError 'MISSING_FEATURE' ('The cluster service (ClusSvc) is not installed on ' + $env:COMPUTERNAME + '.') 'ObjectNotFound' 'ClusSvc')
}
# StartType is an enum (a number in JSON); AutomaticDelayedStart still starts at boot.
$mode = [string]$service.StartType
if ($mode -eq 'AutomaticDelayedStart' -or $mode -eq 'Boot' -or $mode -eq 'System') { $mode = 'Automatic' }
@{ node = [string]$env:COMPUTERNAME; startMode = $mode; status = [string]$service.Status }

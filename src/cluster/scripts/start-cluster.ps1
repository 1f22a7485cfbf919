# start-cluster: Start-Cluster from this node, returning when quorum is achieved or timeoutSeconds pass.
# Resources come online per their persisted state, so disks taken offline before the stop stay offline
# until the caller brings them online. A cluster already running is reported, not an error.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][ValidateRange(1, 86400)][int]$timeoutSeconds
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Get-CauctlNodesUp {
    @(Get-ClusterNode | Where-Object { [string]$_.State -eq 'Up' -or [string]$_.State -eq 'Paused' } | ForEach-Object { [string]$_.Name })
}

$service = Get-Service -Name 'ClusSvc' -ErrorAction SilentlyContinue
if ($null -eq $service) {
    throw (New-CauctlError 'MISSING_FEATURE' ('The cluster service (ClusSvc) is not installed on ' + $env:COMPUTERNAME + '.') 'ObjectNotFound' 'ClusSvc')
}
if ([string]$service.StartType -eq 'Disabled') {
    throw (New-CauctlError 'SCRIPT_ERROR' ('Start-Cluster on ' + $env:COMPUTERNAME + ': the cluster service is disabled on this node.') 'InvalidOperation' 'ClusSvc')
}
if ([string]$service.Status -eq 'Running') {
    $up = Get-CauctlNodesUp
    return @{ alreadyRunning = $true; quorum = ($up.Count -gt 0); nodesUp = @($up) }
}

Start-Cluster -Wait $timeoutSeconds | Out-Null
# Start-Cluster -Wait returns once quorum is achieved; a node list that answers proves it.
$up = @()
try { $up = Get-CauctlNodesUp } catch { $up = @() }
@{ alreadyRunning = $false; quorum = ($up.Count -gt 0); nodesUp = @($up) }

# start-cluster: starts the cluster service (ClusSvc) on this node only, over this node's own session, then
# waits up to timeoutSeconds for the cluster to reach quorum. Start-Cluster would start ClusSvc on the other
# nodes through their Service Control Managers, a second hop that a WinRM session without network credentials
# is denied; the coordinator calls this on every node instead, and the cluster forms once enough have started.
# Resources come online per their persisted state, so disks taken offline before the stop stay offline until
# the caller brings them online. A service already running is reported, not an error.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][ValidateRange(1, 86400)][int]$timeoutSeconds
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# How often to ask whether the cluster has formed.
$pollSeconds = 5

function Get-CauctlNodesUp {
    @(Get-ClusterNode | Where-Object { [string]$_.State -eq 'Up' -or [string]$_.State -eq 'Paused' } | ForEach-Object { [string]$_.Name })
}

$service = Get-Service -Name 'ClusSvc' -ErrorAction SilentlyContinue
if ($null -eq $service) {
    throw (New-CauctlError 'MISSING_FEATURE' ('The cluster service (ClusSvc) is not installed on ' + $env:COMPUTERNAME + '.') 'ObjectNotFound' 'ClusSvc')
}
if ([string]$service.StartType -eq 'Disabled') {
    throw (New-CauctlError 'SCRIPT_ERROR' ('The cluster service on ' + $env:COMPUTERNAME + ' is disabled; set it to Automatic before starting it.') 'InvalidOperation' 'ClusSvc')
}
$alreadyRunning = [string]$service.Status -eq 'Running'
if (-not $alreadyRunning) { Start-Service -Name 'ClusSvc' }

# The node list answers once this node is in a cluster that has quorum; until then Get-ClusterNode fails.
$start = Get-CauctlMonotonicSeconds
$up = @()
while ($true) {
    try { $up = @(Get-CauctlNodesUp) } catch { $up = @() }
    if ($up.Count -gt 0) { break }
    $waited = (Get-CauctlMonotonicSeconds) - $start
    if ($waited -ge $timeoutSeconds) { break }
    Start-Sleep -Seconds ([int][math]::Max(1, [math]::Min($pollSeconds, [math]::Ceiling($timeoutSeconds - $waited))))
}
@{ alreadyRunning = $alreadyRunning; quorum = ($up.Count -gt 0); nodesUp = @($up) }

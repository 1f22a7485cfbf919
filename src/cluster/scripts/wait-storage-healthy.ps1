# wait-storage-healthy: polls storage on the node until no repair job is left and every virtual disk and
# pool is Healthy, or until timeoutSeconds pass; returns the last view with healthy and waitedSeconds.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][ValidateRange(0, 86400)][int]$timeoutSeconds,
    [Parameter(Mandatory = $true)][ValidateRange(1, 3600)][int]$pollSeconds
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# Get-CauctlStorageView (node helpers) is the view get-storage-health returns.

function Test-CauctlStorageHealthy([hashtable]$View) {
    # The documented ready-for-next-node test: no storage job other than Completed, everything Healthy.
    foreach ($job in $View.jobs) { if ($job.jobState -ne 'Completed') { return $false } }
    foreach ($disk in $View.virtualDisks) { if ($disk.healthStatus -ne 'Healthy') { return $false } }
    foreach ($pool in $View.pools) { if ($pool.healthStatus -ne 'Healthy') { return $false } }
    return $true
}

$start = Get-CauctlMonotonicSeconds
while ($true) {
    $view = Get-CauctlStorageView
    $healthy = Test-CauctlStorageHealthy $view
    $waited = (Get-CauctlMonotonicSeconds) - $start
    if ($healthy -or $waited -ge $timeoutSeconds) { break }
    $remaining = [math]::Ceiling($timeoutSeconds - $waited)
    Start-Sleep -Seconds ([int][math]::Min($pollSeconds, [math]::Max(1, $remaining)))
}

$view.healthy = $healthy
$view.waitedSeconds = [math]::Round($waited, 1)
$view

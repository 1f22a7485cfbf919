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

function Get-CauctlProperty($Object, [string]$Name, $Default) {
    # StrictMode throws on a missing property; not every OS build has every field.
    $property = $Object.PSObject.Properties[$Name]
    if ($null -eq $property -or $null -eq $property.Value) { return $Default }
    return $property.Value
}

function ConvertTo-CauctlEnumText($Value, [hashtable]$Names) {
    # Raw CIM values are numbers (MSFT_StorageJob.JobState, HealthStatus); the contract wants names.
    $text = [string]$Value
    if ($Names.ContainsKey($text)) { return $Names[$text] }
    return $text
}

$jobStates = @{ '2' = 'New'; '3' = 'Starting'; '4' = 'Running'; '5' = 'Suspended'; '6' = 'ShuttingDown'; '7' = 'Completed'; '8' = 'Terminated'; '9' = 'Killed'; '10' = 'Exception'; '11' = 'Service'; '12' = 'QueryPending' }
$healthNames = @{ '0' = 'Healthy'; '1' = 'Warning'; '2' = 'Unhealthy'; '5' = 'Unknown' }

function Get-CauctlStorageView {
    $cluster = Get-Cluster
    $jobs = @()
    foreach ($job in @(Get-StorageJob)) {
        $jobs += @{
            name            = [string]$job.Name
            jobState        = ConvertTo-CauctlEnumText (Get-CauctlProperty $job 'JobState' 'Unknown') $jobStates
            bytesProcessed  = [double](Get-CauctlProperty $job 'BytesProcessed' 0)
            bytesTotal      = [double](Get-CauctlProperty $job 'BytesTotal' 0)
            percentComplete = [double](Get-CauctlProperty $job 'PercentComplete' 0)
        }
    }
    $virtualDisks = @()
    foreach ($disk in @(Get-VirtualDisk)) {
        $operational = (@(Get-CauctlProperty $disk 'OperationalStatus' @('Unknown')) | ForEach-Object { [string]$_ }) -join ', '
        $virtualDisks += @{
            friendlyName      = [string]$disk.FriendlyName
            healthStatus      = ConvertTo-CauctlEnumText (Get-CauctlProperty $disk 'HealthStatus' 'Unknown') $healthNames
            operationalStatus = $operational
            isOnline          = ($operational -notmatch 'Detached')
        }
    }
    $pools = @()
    foreach ($pool in @(Get-StoragePool -IsPrimordial $false)) {
        $pools += @{
            friendlyName      = [string]$pool.FriendlyName
            healthStatus      = ConvertTo-CauctlEnumText (Get-CauctlProperty $pool 'HealthStatus' 'Unknown') $healthNames
            operationalStatus = (@(Get-CauctlProperty $pool 'OperationalStatus' @('Unknown')) | ForEach-Object { [string]$_ }) -join ', '
        }
    }
    @{ s2dEnabled = ([int](Get-CauctlProperty $cluster 'S2DEnabled' 0) -eq 1); jobs = $jobs; virtualDisks = $virtualDisks; pools = $pools }
}

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

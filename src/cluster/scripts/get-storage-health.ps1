# get-storage-health: storage jobs, virtual disks and non-primordial pools with their health, as the
# coordinator's "ready for the next node" check reads them. Returns one hashtable.
[CmdletBinding()]
param()
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

function Get-CauctlOperationalStatus($Object) {
    # OperationalStatus is an array (a disk can be "Degraded, InService"); join it for the contract's string.
    $values = @(Get-CauctlProperty $Object 'OperationalStatus' @('Unknown')) | ForEach-Object { [string]$_ }
    return ($values -join ', ')
}

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
    $operational = Get-CauctlOperationalStatus $disk
    $virtualDisks += @{
        friendlyName      = [string]$disk.FriendlyName
        healthStatus      = ConvertTo-CauctlEnumText (Get-CauctlProperty $disk 'HealthStatus' 'Unknown') $healthNames
        operationalStatus = $operational
        # A detached disk is offline to the cluster; any other state still serves I/O.
        isOnline          = ($operational -notmatch 'Detached')
    }
}
$pools = @()
foreach ($pool in @(Get-StoragePool -IsPrimordial $false)) {
    $pools += @{
        friendlyName      = [string]$pool.FriendlyName
        healthStatus      = ConvertTo-CauctlEnumText (Get-CauctlProperty $pool 'HealthStatus' 'Unknown') $healthNames
        operationalStatus = Get-CauctlOperationalStatus $pool
    }
}

@{
    s2dEnabled   = ([int](Get-CauctlProperty $cluster 'S2DEnabled' 0) -eq 1)
    jobs         = $jobs
    virtualDisks = $virtualDisks
    pools        = $pools
}

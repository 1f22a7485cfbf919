# set-cluster-disks: takes the named virtual disk resources offline (Stop-ClusterResource) or brings them
# online (Start-ClusterResource), waiting up to timeoutSeconds for each, then reports every disk resource.
# A disk already in the wanted state is left alone, so a repeated call (after a lost reply) is harmless.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string[]]$names,
    [Parameter(Mandatory = $true)][ValidateSet('Online', 'Offline')][string]$state,
    [Parameter(Mandatory = $true)][ValidateRange(1, 86400)][int]$timeoutSeconds
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Get-CauctlDiskResource([string]$Name) {
    # Cluster Shared Volumes are listed by Get-ClusterSharedVolume, other disk resources by Get-ClusterResource.
    $volume = @(Get-ClusterSharedVolume | Where-Object { [string]$_.Name -eq $Name })
    if ($volume.Count -gt 0) { return $volume[0] }
    $resource = @(Get-ClusterResource | Where-Object { [string]$_.Name -eq $Name })
    if ($resource.Count -gt 0) { return $resource[0] }
    throw (New-CauctlError 'SCRIPT_ERROR' ("The cluster resource '" + $Name + "' was not found.") 'ObjectNotFound' $Name)
}

foreach ($name in $names) {
    $resource = Get-CauctlDiskResource $name
    if ([string]$resource.State -eq $state) { continue }
    if ($state -eq 'Offline') {
        Stop-ClusterResource -Name $name -Wait $timeoutSeconds | Out-Null
    } else {
        Start-ClusterResource -Name $name -Wait $timeoutSeconds | Out-Null
    }
}

$disks = @()
foreach ($volume in @(Get-ClusterSharedVolume)) {
    $disks += @{ name = [string]$volume.Name; virtualDisk = ([string]$volume.Name -replace '^Cluster Virtual Disk \((.+)\)$', '$1'); state = [string]$volume.State; isSharedVolume = $true }
}
foreach ($resource in @(Get-ClusterResource | Where-Object { [string]$_.ResourceType -eq 'Physical Disk' })) {
    if (@($disks | Where-Object { $_.name -eq [string]$resource.Name }).Count -gt 0) { continue }
    $disks += @{ name = [string]$resource.Name; virtualDisk = ([string]$resource.Name -replace '^Cluster Virtual Disk \((.+)\)$', '$1'); state = [string]$resource.State; isSharedVolume = $false }
}
@{ disks = @($disks) }

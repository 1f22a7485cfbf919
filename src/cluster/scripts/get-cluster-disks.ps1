# get-cluster-disks: the cluster's virtual disk resources (Physical Disk resources and Cluster Shared
# Volumes), each with its virtual disk's name and its state, so the offline update can bring back exactly
# the disks that were online.
[CmdletBinding()]
param()
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Get-CauctlVirtualDiskName($Resource) {
    # S2D disk resources carry the virtual disk's name as a private property; older ones only in their name.
    $parameter = @(Get-ClusterParameter -InputObject $Resource -Name 'VirtualDiskName' -ErrorAction SilentlyContinue)
    if ($parameter.Count -gt 0 -and $parameter[0].Value) { return [string]$parameter[0].Value }
    $name = [string]$Resource.Name
    if ($name -match '^Cluster Virtual Disk \((.+)\)$') { return $Matches[1] }
    return $name
}

try {
    $resources = @(Get-ClusterResource | Where-Object { [string]$_.ResourceType -eq 'Physical Disk' })
    $volumes = @(Get-ClusterSharedVolume)
} catch [System.Management.Automation.CommandNotFoundException] {
    throw (New-CauctlError 'MISSING_FEATURE' 'The FailoverClusters module is not available on this node.' 'NotInstalled' 'FailoverClusters')
} catch {
    throw (New-CauctlError 'CLUSTER_UNAVAILABLE' ('The cluster does not answer: ' + $_.Exception.Message) 'ResourceUnavailable' $null)
}

$disks = @()
foreach ($volume in $volumes) {
    $disks += @{ name = [string]$volume.Name; virtualDisk = (Get-CauctlVirtualDiskName $volume); state = [string]$volume.State; isSharedVolume = $true }
}
foreach ($resource in $resources) {
    $known = @($disks | Where-Object { $_.name -eq [string]$resource.Name })
    if ($known.Count -gt 0) { continue }
    $disks += @{ name = [string]$resource.Name; virtualDisk = (Get-CauctlVirtualDiskName $resource); state = [string]$resource.State; isSharedVolume = $false }
}
@{ disks = @($disks) }

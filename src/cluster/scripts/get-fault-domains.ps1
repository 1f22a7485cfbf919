# get-fault-domains: where each server sits (Get-ClusterFaultDomain: the chassis and rack above its Node fault
# domain) and each virtual disk's FaultDomainAwareness (Get-VirtualDisk), so that run --max-concurrent-nodes can
# tell which S2D servers may be in maintenance together. Returns one hashtable; reads only.
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

# The FaultDomainType enumeration of the Storage module (MSFT_VirtualDisk.FaultDomainAwareness), raw or named.
$awarenessNames = @{ '1' = 'PhysicalDisk'; '2' = 'StorageEnclosure'; '3' = 'StorageScaleUnit'; '4' = 'StorageChassis'; '5' = 'StorageRack' }

$domains = @(Get-ClusterFaultDomain)
$byName = @{}
foreach ($domain in $domains) { $byName[[string]$domain.Name] = $domain }
$nodes = @()
foreach ($domain in @($domains | Where-Object { [string]$_.Type -eq 'Node' })) {
    $chassis = $null
    $rack = $null
    $parent = [string](Get-CauctlProperty $domain 'ParentName' '')
    # Node < Chassis < Rack < Site; the walk stops at the top, at an unknown name, or after a few steps.
    for ($step = 0; $parent -ne '' -and $byName.ContainsKey($parent) -and $step -lt 8; $step++) {
        $above = $byName[$parent]
        $type = [string]$above.Type
        if ($type -eq 'Chassis' -and $null -eq $chassis) { $chassis = [string]$above.Name }
        if ($type -eq 'Rack' -and $null -eq $rack) { $rack = [string]$above.Name }
        $parent = [string](Get-CauctlProperty $above 'ParentName' '')
    }
    $nodes += @{ name = [string]$domain.Name; chassis = $chassis; rack = $rack }
}
$virtualDisks = @()
foreach ($disk in @(Get-VirtualDisk)) {
    $raw = [string](Get-CauctlProperty $disk 'FaultDomainAwareness' 'Unknown')
    $awareness = $raw
    if ($awarenessNames.ContainsKey($raw)) { $awareness = $awarenessNames[$raw] }
    $virtualDisks += @{ friendlyName = [string]$disk.FriendlyName; faultDomainAwareness = $awareness }
}

@{ nodes = $nodes; virtualDisks = $virtualDisks }

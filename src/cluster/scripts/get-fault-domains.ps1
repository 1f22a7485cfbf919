# get-fault-domains: where each server sits (Get-ClusterFaultDomain: the chassis and rack above its Node fault
# domain) and each virtual disk's FaultDomainAwareness (Get-VirtualDisk), so that run --max-concurrent-nodes can
# tell which S2D servers may be in maintenance together. Returns one hashtable; reads only.
[CmdletBinding()]
param()
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# The FaultDomainType enumeration of the Storage module (MSFT_VirtualDisk.FaultDomainAwareness), raw or named.
$awarenessNames = @{ '1' = 'PhysicalDisk'; '2' = 'StorageEnclosure'; '3' = 'StorageScaleUnit'; '4' = 'StorageChassis'; '5' = 'StorageRack' }

$domains = @(Get-ClusterFaultDomain)
# Node < Chassis < Rack < Site, walked by the node helpers (Get-CauctlFaultDomainsAbove), as get-cluster does.
$byName = Get-CauctlFaultDomainsByName $domains
$nodes = @()
foreach ($domain in @($domains | Where-Object { [string]$_.Type -eq 'Node' })) {
    $above = Get-CauctlFaultDomainsAbove $byName ([string]$domain.Name)
    $nodes += @{ name = [string]$domain.Name; chassis = $above['Chassis']; rack = $above['Rack'] }
}
$virtualDisks = @()
foreach ($disk in @(Get-VirtualDisk)) {
    $raw = [string](Get-CauctlProperty $disk 'FaultDomainAwareness' 'Unknown')
    $awareness = $raw
    if ($awarenessNames.ContainsKey($raw)) { $awareness = $awarenessNames[$raw] }
    $virtualDisks += @{ friendlyName = [string]$disk.FriendlyName; faultDomainAwareness = $awareness }
}

@{ nodes = $nodes; virtualDisks = $virtualDisks }

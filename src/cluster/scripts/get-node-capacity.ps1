# get-node-capacity: read-only. This node's physical memory and the virtual machines it runs, with the memory
# each holds and whether the cluster can live-migrate it, for the capacity check before a drain. Runs over
# the node's own session (no second hop): Hyper-V and the cluster are asked about this node only.
#
# A VM counts as live-migratable unless one of these holds (what is not known to block it is left to the
# drain, which then fails and is handled):
# - it is not clustered (IsClustered false): a drain does not move it, and a restart of the node stops it;
# - a device is assigned to it through Discrete Device Assignment (Get-VMAssignableDevice): Microsoft's DDA
#   planning guide lists live migration among the features a VM loses while a device is attached, and a
#   clustered DDA VM is restarted on failover, not moved live;
# - it has a GPU partition (Get-VMGpuPartitionAdapter) on a build before 26100: live migration with GPU
#   partitioning arrived with Windows Server 2025 and Azure Local 24H2 (Hyper-V "GPU partitioning" docs).
[CmdletBinding()]
param()
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# First build whose Hyper-V live-migrates a VM with a GPU partition.
$gpuPartitionLiveMigrationBuild = 26100
$bytesPerMB = 1048576

function Test-CauctlCommand([string]$Name) {
    # Wrapped for Pester: whether a cmdlet exists here (the Hyper-V module is absent on a host without the role).
    $null -ne (Get-Command -Name $Name -ErrorAction SilentlyContinue)
}

function ConvertTo-CauctlMB([long]$Bytes) {
    [long][Math]::Ceiling($Bytes / $bytesPerMB)
}

$computer = Get-CimInstance -ClassName 'Win32_ComputerSystem'
$os = Get-CimInstance -ClassName 'Win32_OperatingSystem'
$build = [int]$os.BuildNumber
$memoryMB = [long][Math]::Floor([double]$computer.TotalPhysicalMemory / $bytesPerMB)

$vms = @()
if (Test-CauctlCommand 'Get-VM') {
    # Discrete Device Assignment arrived with Windows Server 2016, GPU partitioning later: ask only where they exist.
    $hasAssignableDevices = Test-CauctlCommand 'Get-VMAssignableDevice'
    $hasGpuPartitions = Test-CauctlCommand 'Get-VMGpuPartitionAdapter'
    $vms = @(Get-VM | ForEach-Object {
            $vm = $_
            $state = [string]$vm.State
            # A VM that holds memory (running, paused) moves with MemoryAssigned, dynamic memory included; one
            # that holds none (off, saved) needs its startup memory to start elsewhere.
            $bytes = [long]$vm.MemoryAssigned
            if ($bytes -le 0) { $bytes = [long]$vm.MemoryStartup }
            $role = $null
            $reason = $null
            if ([bool]$vm.IsClustered) {
                $role = [string](Get-ClusterGroup -VMId $vm.VMId).Name
            } else {
                $reason = 'not clustered: a drain does not move it, and a restart of the node stops it'
            }
            if ($null -eq $reason -and $hasAssignableDevices -and @(Get-VMAssignableDevice -VM $vm).Count -gt 0) {
                $reason = 'a device is assigned to it (Discrete Device Assignment)'
            }
            if ($null -eq $reason -and $hasGpuPartitions -and $build -lt $gpuPartitionLiveMigrationBuild -and @(Get-VMGpuPartitionAdapter -VM $vm).Count -gt 0) {
                $reason = 'it has a GPU partition, which live-migrates only from Windows Server 2025 and Azure Local 24H2'
            }
            $entry = @{
                name           = [string]$vm.Name
                role           = $role
                state          = $state
                memoryMB       = (ConvertTo-CauctlMB $bytes)
                liveMigratable = ($null -eq $reason)
            }
            if ($null -ne $reason) { $entry.notMigratableReason = $reason }
            $entry
        })
}

@{ node = [string]$env:COMPUTERNAME; memoryMB = $memoryMB; vms = $vms }

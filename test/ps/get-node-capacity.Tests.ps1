# Pester tests for src/cluster/scripts/get-node-capacity.ps1: physical memory from CIM, VMs from Hyper-V with
# their memory, owning clustered role and live-migratability. Fakes carry only members the real objects have
# (VirtualMachine: Name, State, MemoryAssigned, MemoryStartup, IsClustered, VMId; ClusterGroup: Name;
# Win32_ComputerSystem: TotalPhysicalMemory; Win32_OperatingSystem: BuildNumber).
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    function global:New-CauctlFakeVm([string]$Name, [string]$State, [long]$AssignedMB, [long]$StartupMB, [bool]$IsClustered) {
        [pscustomobject]@{
            Name           = $Name
            State          = $State
            MemoryAssigned = $AssignedMB * 1MB
            MemoryStartup  = $StartupMB * 1MB
            IsClustered    = $IsClustered
            VMId           = [guid]::NewGuid()
        }
    }
    $env:COMPUTERNAME = 'NODE1'
}
AfterAll { Remove-Item -Path 'function:global:New-CauctlFakeVm' -ErrorAction SilentlyContinue }

Describe 'get-node-capacity' {
    BeforeEach {
        Mock Get-CimInstance { [pscustomobject]@{ TotalPhysicalMemory = [uint64](256GB) } } -ParameterFilter { $ClassName -eq 'Win32_ComputerSystem' }
        Mock Get-CimInstance { [pscustomobject]@{ BuildNumber = '20348' } } -ParameterFilter { $ClassName -eq 'Win32_OperatingSystem' }
        Mock Test-CauctlCommand { $true }
        Mock Get-VMAssignableDevice { }
        Mock Get-VMGpuPartitionAdapter { }
        Mock Get-ClusterGroup { [pscustomobject]@{ Name = ('Role of ' + $VMId) } }
    }

    It 'reports the memory in MB and each VM with its memory, role and live-migratability' {
        $web = New-CauctlFakeVm 'WEB01' 'Running' 8192 4096 $true
        $sql = New-CauctlFakeVm 'SQL01' 'Off' 0 16384 $true
        Mock Get-VM { $web; $sql }
        Mock Get-ClusterGroup { [pscustomobject]@{ Name = 'SQL Server role' } } -ParameterFilter { $VMId -eq $sql.VMId }
        Mock Get-ClusterGroup { [pscustomobject]@{ Name = 'WEB01' } } -ParameterFilter { $VMId -eq $web.VMId }
        $result = Invoke-ViaBootstrap 'get-node-capacity'
        $data = $result.Outcome.data
        $data.node | Should -Be 'NODE1'
        $data.memoryMB | Should -Be 262144
        $data.vms.Count | Should -Be 2
        $data.vms[0].name | Should -Be 'WEB01'
        $data.vms[0].role | Should -Be 'WEB01'
        $data.vms[0].state | Should -Be 'Running'
        $data.vms[0].memoryMB | Should -Be 8192
        $data.vms[0].liveMigratable | Should -BeTrue
        $data.vms[0].PSObject.Properties.Name | Should -Not -Contain 'notMigratableReason'
        # An Off VM holds nothing: it needs its startup memory to start elsewhere.
        $data.vms[1].role | Should -Be 'SQL Server role'
        $data.vms[1].memoryMB | Should -Be 16384
        Save-OperationJson 'get-node-capacity' $result
    }

    It 'rounds a VM memory up to whole MB' {
        $odd = New-CauctlFakeVm 'VM01' 'Running' 0 0 $true
        $odd.MemoryAssigned = [long](1MB + 1)
        Mock Get-VM { $odd }
        (Invoke-ViaBootstrap 'get-node-capacity').Outcome.data.vms[0].memoryMB | Should -Be 2
    }

    It 'a VM that is not clustered has no role and cannot be moved by a drain' {
        Mock Get-VM { New-CauctlFakeVm 'LOCAL01' 'Running' 2048 2048 $false }
        $result = Invoke-ViaBootstrap 'get-node-capacity'
        $vm = $result.Outcome.data.vms[0]
        $vm.role | Should -BeNullOrEmpty
        $result.Json | Should -Match '"role":null'
        $vm.liveMigratable | Should -BeFalse
        $vm.notMigratableReason | Should -Match 'not clustered'
        Should -Invoke Get-ClusterGroup -Times 0 -Exactly
        Save-OperationJson 'get-node-capacity' $result 'not-clustered'
    }

    It 'a VM with a device assigned (DDA) cannot live-migrate' {
        $gpu = New-CauctlFakeVm 'GPU01' 'Running' 32768 32768 $true
        Mock Get-VM { $gpu }
        Mock Get-VMAssignableDevice { [pscustomobject]@{ InstanceID = 'PCIROOT(0)#PCI(0300)'; LocationPath = 'PCIROOT(0)#PCI(0300)' } } -ParameterFilter { $VM -eq $gpu }
        $vm = (Invoke-ViaBootstrap 'get-node-capacity').Outcome.data.vms[0]
        $vm.liveMigratable | Should -BeFalse
        $vm.notMigratableReason | Should -Match 'Discrete Device Assignment'
    }

    It 'a GPU partition blocks live migration before build 26100, not from it' {
        $vdi = New-CauctlFakeVm 'VDI01' 'Running' 4096 4096 $true
        Mock Get-VM { $vdi }
        Mock Get-VMGpuPartitionAdapter { [pscustomobject]@{ VMName = 'VDI01'; Name = 'GPU Partition Settings' } } -ParameterFilter { $VM -eq $vdi }
        $vm = (Invoke-ViaBootstrap 'get-node-capacity').Outcome.data.vms[0]
        $vm.liveMigratable | Should -BeFalse
        $vm.notMigratableReason | Should -Match 'GPU partition'
        Mock Get-CimInstance { [pscustomobject]@{ BuildNumber = '26100' } } -ParameterFilter { $ClassName -eq 'Win32_OperatingSystem' }
        (Invoke-ViaBootstrap 'get-node-capacity').Outcome.data.vms[0].liveMigratable | Should -BeTrue
    }

    It 'does not ask for <cmdlet> where the cmdlet does not exist' -TestCases @(
        @{ cmdlet = 'Get-VMGpuPartitionAdapter' }
        @{ cmdlet = 'Get-VMAssignableDevice' }
    ) {
        Mock Get-VM { New-CauctlFakeVm 'VM01' 'Running' 1024 1024 $true }
        Mock Test-CauctlCommand { $false } -ParameterFilter { $Name -eq $cmdlet }
        (Invoke-ViaBootstrap 'get-node-capacity').Outcome.data.vms[0].liveMigratable | Should -BeTrue
        Should -Invoke $cmdlet -Times 0 -Exactly
        Should -Invoke Test-CauctlCommand -Times 1 -Exactly -ParameterFilter { $Name -eq $cmdlet }
    }

    It 'a host without Hyper-V has no VMs, and says so with an empty list' {
        Mock Test-CauctlCommand { $false } -ParameterFilter { $Name -eq 'Get-VM' }
        Mock Get-VM { throw 'must not be called' }
        $result = Invoke-ViaBootstrap 'get-node-capacity'
        $result.Outcome.ok | Should -BeTrue
        $result.Json | Should -Match '"vms":\[\]'
        $result.Outcome.data.memoryMB | Should -Be 262144
        Save-OperationJson 'get-node-capacity' $result 'no-hyper-v'
    }

    It 'a single VM is still a list' {
        Mock Get-VM { New-CauctlFakeVm 'VM01' 'Running' 1024 1024 $true }
        (Invoke-ViaBootstrap 'get-node-capacity').Json | Should -Match '"vms":\[\{'
    }
}

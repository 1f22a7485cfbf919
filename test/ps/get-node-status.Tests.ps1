# Pester tests for src/cluster/scripts/get-node-status.ps1: CIM, cluster node and groups, and registry mocked.
# Fakes carry only members the real objects have (ClusterNode: Name, State, DrainStatus; ClusterGroup: Name,
# OwnerNode, State, IsCoreGroup, GroupType).
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    $env:COMPUTERNAME = 'NODE1'
    $savedProgramData = $env:ProgramData
}
AfterAll { $env:ProgramData = $savedProgramData }

Describe 'get-node-status' {
    BeforeEach {
        $boot = [DateTime]::SpecifyKind([DateTime]'2024-03-05T04:05:06.789', [DateTimeKind]::Utc)
        Mock Get-CimInstance { [pscustomobject]@{ LastBootUpTime = $boot.ToLocalTime(); BuildNumber = '20348' } } -ParameterFilter { $ClassName -eq 'Win32_OperatingSystem' }
        Mock Get-CimInstance {
            [pscustomobject]@{ Name = 'wuauserv'; DelayedAutoStart = $false }
            [pscustomobject]@{ Name = 'sppsvc'; DelayedAutoStart = $true }
        } -ParameterFilter { $ClassName -eq 'Win32_Service' }
        Mock Get-ClusterNode { [pscustomobject]@{ Name = 'NODE1'; State = 'Paused'; DrainStatus = 'Completed' } }
        Mock Get-ClusterGroup { }
        Mock Test-CauctlRegistryKey { $false }
        Mock Get-CauctlRegistryValue { $null }
        # The restart task's mark lives in ProgramData\cauctl: a fresh ProgramData per test.
        $env:ProgramData = Join-Path $TestDrive ([guid]::NewGuid().ToString())
        New-Item -ItemType Directory -Path $env:ProgramData | Out-Null
    }

    It 'says no soft restart fell back when the restart task left no mark' {
        $result = Invoke-ViaBootstrap 'get-node-status'
        $result.Outcome.data.softRestartFellBack | Should -BeFalse
        $result.Json | Should -Match '"softRestartFellBack":false'
    }

    It 'says the last soft restart fell back to a full one when the restart task left its mark' {
        New-Item -ItemType Directory -Path (Join-Path $env:ProgramData 'cauctl') | Out-Null
        New-Item -ItemType File -Path (Join-Path $env:ProgramData 'cauctl/soft-restart-fell-back') | Out-Null
        (Invoke-ViaBootstrap 'get-node-status').Outcome.data.softRestartFellBack | Should -BeTrue
    }

    It 'reports the boot time as ISO 8601 UTC, services not running, node state and no pending reboot' {
        $result = Invoke-ViaBootstrap 'get-node-status'
        $data = $result.Outcome.data
        $data.node | Should -Be 'NODE1'
        $data.lastBootUpTime | Should -BeExactly '2024-03-05T04:05:06.789Z'
        $data.osBuild | Should -Be 20348
        $data.autoStartServicesNotRunning | Should -Be @('wuauserv')
        $data.clusterNodeState | Should -Be 'Paused'
        $data.drainStatus | Should -Be 'Completed'
        $result.Json | Should -Match '"runningRoles":\[\]'
        $data.rebootPending | Should -BeFalse
        $result.Json | Should -Not -Match 'Date\('
        Should -Invoke Get-CimInstance -Times 1 -Exactly -ParameterFilter { $ClassName -eq 'Win32_Service' -and $Filter -match "StartMode='Auto'" }
        Save-OperationJson 'get-node-status' $result
    }

    It 'says a reboot is pending from the CBS key or pending file renames' {
        Mock Test-CauctlRegistryKey { $true } -ParameterFilter { $Path -like '*Component Based Servicing\RebootPending' }
        (Invoke-ViaBootstrap 'get-node-status').Outcome.data.rebootPending | Should -BeTrue
        Mock Test-CauctlRegistryKey { $false }
        Mock Get-CauctlRegistryValue { @('\??\C:\a', '') } -ParameterFilter { $Name -eq 'PendingFileRenameOperations' }
        (Invoke-ViaBootstrap 'get-node-status').Outcome.data.rebootPending | Should -BeTrue
    }

    It 'reports Down while the cluster service is stopped after a restart, with an empty service list' {
        Mock Get-ClusterNode { throw 'The cluster service is not running.' }
        Mock Get-Service { [pscustomobject]@{ Name = 'ClusSvc'; Status = 'Stopped' } }
        Mock Get-CimInstance { } -ParameterFilter { $ClassName -eq 'Win32_Service' }
        $result = Invoke-ViaBootstrap 'get-node-status'
        $result.Outcome.data.clusterNodeState | Should -Be 'Down'
        $result.Outcome.data.drainStatus | Should -Be 'NotInitiated'
        $result.Json | Should -Match '"autoStartServicesNotRunning":\[\]'
        $result.Json | Should -Match '"runningRoles":\[\]'
        Should -Invoke Get-ClusterGroup -Times 0 -Exactly
        Save-OperationJson 'get-node-status' $result 'cluster-down'
    }

    It 'lists the roles this node owns that are not offline, leaving out the core groups' {
        $self = [pscustomobject]@{ Name = 'NODE1'; State = 'Paused'; DrainStatus = 'Failed' }
        Mock Get-ClusterNode { $self }
        Mock Get-ClusterGroup {
            $owner = [pscustomobject]@{ Name = 'NODE1'; State = 'Paused'; DrainStatus = 'Failed' }
            [pscustomobject]@{ Name = 'Cluster Group'; OwnerNode = $owner; State = 'Online'; IsCoreGroup = $true; GroupType = 'Cluster' }
            [pscustomobject]@{ Name = 'VM02'; OwnerNode = $owner; State = 'Online'; IsCoreGroup = $false; GroupType = 'VirtualMachine' }
            [pscustomobject]@{ Name = 'VM01'; OwnerNode = $owner; State = 'PartialOnline'; IsCoreGroup = $false; GroupType = 'VirtualMachine' }
            [pscustomobject]@{ Name = 'VM03'; OwnerNode = $owner; State = 'Offline'; IsCoreGroup = $false; GroupType = 'VirtualMachine' }
            [pscustomobject]@{ Name = 'VM04'; OwnerNode = $owner; State = 'Failed'; IsCoreGroup = $false; GroupType = 'VirtualMachine' }
            [pscustomobject]@{ Name = 'FS01'; OwnerNode = $owner; State = 'Pending'; IsCoreGroup = $false; GroupType = 'FileServer' }
        }
        $result = Invoke-ViaBootstrap 'get-node-status'
        $result.Outcome.data.drainStatus | Should -Be 'Failed'
        $result.Outcome.data.runningRoles | Should -Be @('FS01', 'VM01', 'VM02')
        # The groups of this node only: asked of the node object, not the whole cluster.
        Should -Invoke Get-ClusterGroup -Times 1 -Exactly -ParameterFilter { $InputObject -eq $self }
        Save-OperationJson 'get-node-status' $result 'running-roles'
    }

    It 'reports a single running role as a list' {
        Mock Get-ClusterNode { [pscustomobject]@{ Name = 'NODE1'; State = 'Up'; DrainStatus = 'NotInitiated' } }
        Mock Get-ClusterGroup { [pscustomobject]@{ Name = 'VM01'; OwnerNode = 'NODE1'; State = 'Online'; IsCoreGroup = $false; GroupType = 'VirtualMachine' } }
        $result = Invoke-ViaBootstrap 'get-node-status'
        $result.Json | Should -Match '"runningRoles":\["VM01"\]'
    }
}

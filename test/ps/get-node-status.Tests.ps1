# Pester tests for src/cluster/scripts/get-node-status.ps1: CIM, cluster node and registry mocked.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    $env:COMPUTERNAME = 'NODE1'
}

Describe 'get-node-status' {
    BeforeEach {
        $boot = [DateTime]::SpecifyKind([DateTime]'2024-03-05T04:05:06.789', [DateTimeKind]::Utc)
        Mock Get-CimInstance { [pscustomobject]@{ LastBootUpTime = $boot.ToLocalTime(); BuildNumber = '20348' } } -ParameterFilter { $ClassName -eq 'Win32_OperatingSystem' }
        Mock Get-CimInstance {
            [pscustomobject]@{ Name = 'wuauserv'; DelayedAutoStart = $false }
            [pscustomobject]@{ Name = 'sppsvc'; DelayedAutoStart = $true }
        } -ParameterFilter { $ClassName -eq 'Win32_Service' }
        Mock Get-ClusterNode { [pscustomobject]@{ Name = 'NODE1'; State = 'Paused' } }
        Mock Test-CauctlRegistryKey { $false }
        Mock Get-CauctlRegistryValue { $null }
    }

    It 'reports the boot time as ISO 8601 UTC, services not running, node state and no pending reboot' {
        $result = Invoke-ViaBootstrap 'get-node-status'
        $data = $result.Outcome.data
        $data.node | Should -Be 'NODE1'
        $data.lastBootUpTime | Should -BeExactly '2024-03-05T04:05:06.789Z'
        $data.osBuild | Should -Be 20348
        $data.autoStartServicesNotRunning | Should -Be @('wuauserv')
        $data.clusterNodeState | Should -Be 'Paused'
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
        $result.Json | Should -Match '"autoStartServicesNotRunning":\[\]'
        Save-OperationJson 'get-node-status' $result 'cluster-down'
    }
}

# Pester tests for src/cluster/scripts/get-native-cau.ps1: a native Updating Run seen by this node's MSFT_CAURun
# object, a node without the CAU provider (no run possible), a CIM failure that is not "no provider" (never read
# as "no run"), and the CAU role's group state through the cluster API.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'helpers/CauctlRoleStubs.ps1')
}
AfterAll { Remove-Variable -Name CauctlTestState -Scope Global -ErrorAction SilentlyContinue }

Describe 'get-native-cau' {
    BeforeEach {
        $global:CauctlTestState = @{ role = (New-CauctlTestRole) }
        Set-CauctlRoleMocks
        Mock Get-ClusterGroup { [pscustomobject]@{ Name = $Name; State = 'Online'; OwnerNode = 'NODE2' } }
        Mock Get-CimInstance { }
        Mock Get-CauClusterRole { throw 'get-native-cau must not need Get-CauClusterRole (it may reach other nodes)' }
    }

    It 'reports no run and the role Online with its owner' {
        $result = Invoke-ViaBootstrap 'get-native-cau' @{}
        $result.Outcome.ok | Should -BeTrue
        $data = $result.Outcome.data
        $data.runInProgress | Should -BeFalse
        $data.orchestratorGuid | Should -BeNullOrEmpty
        $data.providerPresent | Should -BeTrue
        $data.role.groupName | Should -Be 'CAUHCI01x7k'
        $data.role.state | Should -Be 'Online'
        $data.role.ownerNode | Should -Be 'NODE2'
        Should -Invoke Get-CimInstance -Times 1 -Exactly -ParameterFilter { $Namespace -eq 'root/Microsoft/Windows/ClusterUpdate' -and $ClassName -eq 'MSFT_CAURun' -and $null -eq $ComputerName }
        Should -Invoke Get-ClusterGroup -Times 1 -Exactly -ParameterFilter { $Name -eq 'CAUHCI01x7k' }
        Save-OperationJson 'get-native-cau' $result
    }

    It 'reports a native run by its MSFT_CAURun object and orchestrator' {
        Mock Get-CimInstance { [pscustomobject]@{ OrchestratorGuid = '6f1c2a3b-0000-4000-8000-00000000cafe' } }
        $data = (Invoke-ViaBootstrap 'get-native-cau' @{}).Outcome.data
        $data.runInProgress | Should -BeTrue
        $data.orchestratorGuid | Should -Be '6f1c2a3b-0000-4000-8000-00000000cafe'
    }

    It 'reads an Offline group (a disabled role) as Offline, and a numeric state as Unknown' {
        Mock Get-ClusterGroup { [pscustomobject]@{ Name = $Name; State = 'Offline'; OwnerNode = 'NODE1' } }
        (Invoke-ViaBootstrap 'get-native-cau' @{}).Outcome.data.role.state | Should -Be 'Offline'
        Mock Get-ClusterGroup { [pscustomobject]@{ Name = $Name; State = 7; OwnerNode = 'NODE1' } }
        (Invoke-ViaBootstrap 'get-native-cau' @{}).Outcome.data.role.state | Should -Be 'Unknown'
    }

    It 'returns role null when the cluster has no CAU role' {
        $global:CauctlTestState.role = $null
        $data = (Invoke-ViaBootstrap 'get-native-cau' @{}).Outcome.data
        $data.role | Should -BeNullOrEmpty
        Should -Invoke Get-ClusterGroup -Times 0
    }

    It 'takes an invalid namespace (no CAU feature) for "no run, no provider"' {
        Mock Get-CimInstance {
            $exception = New-Object System.InvalidOperationException 'Invalid namespace'
            $exception | Add-Member -NotePropertyName NativeErrorCode -NotePropertyValue 'InvalidNamespace'
            throw $exception
        }
        $data = (Invoke-ViaBootstrap 'get-native-cau' @{}).Outcome.data
        $data.runInProgress | Should -BeFalse
        $data.providerPresent | Should -BeFalse
    }

    It 'fails with NATIVE_CAU_UNREADABLE on access denied, never answering "no run"' {
        Mock Get-CimInstance { throw (New-Object System.UnauthorizedAccessException 'Access denied') }
        $outcome = (Invoke-ViaBootstrap 'get-native-cau' @{}).Outcome
        $outcome.ok | Should -BeFalse
        $outcome.error.code | Should -Be 'NATIVE_CAU_UNREADABLE'
        $outcome.error.message | Should -Match 'Access denied'
    }
}

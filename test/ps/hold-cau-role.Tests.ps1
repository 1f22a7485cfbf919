# Pester tests for src/cluster/scripts/hold-cau-role.ps1: the role's group taken offline and brought back online
# with the cluster cmdlets (never the *-CauClusterRole cmdlets, which reach other nodes), left alone when it is
# already in the asked state, and refused when the group no longer holds the role.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'helpers/CauctlRoleStubs.ps1')
}
AfterAll { Remove-Variable -Name CauctlTestState -Scope Global -ErrorAction SilentlyContinue }

Describe 'hold-cau-role' {
    BeforeEach {
        $global:CauctlTestState = @{ role = (New-CauctlTestRole); groupState = 'Online' }
        Set-CauctlRoleMocks
        Mock Get-ClusterGroup { [pscustomobject]@{ Name = $Name; State = $global:CauctlTestState.groupState; OwnerNode = 'NODE2' } }
        Mock Stop-ClusterGroup { $global:CauctlTestState.groupState = 'Offline'; [pscustomobject]@{ Name = $Name; State = 'Offline' } }
        Mock Start-ClusterGroup { $global:CauctlTestState.groupState = 'Online'; [pscustomobject]@{ Name = $Name; State = 'Online' } }
        Mock Disable-CauClusterRole { throw 'must not be called: it needs network credentials' }
        Mock Enable-CauClusterRole { throw 'must not be called: it needs network credentials' }
    }

    It 'takes the role group offline with Stop-ClusterGroup' {
        $result = Invoke-ViaBootstrap 'hold-cau-role' @{ groupName = 'CAUHCI01x7k'; state = 'Offline' }
        $result.Outcome.ok | Should -BeTrue
        $result.Outcome.data.state | Should -Be 'Offline'
        $result.Outcome.data.ownerNode | Should -Be 'NODE2'
        Should -Invoke Stop-ClusterGroup -Times 1 -Exactly -ParameterFilter { $Name -eq 'CAUHCI01x7k' }
        Should -Invoke Start-ClusterGroup -Times 0
        Save-OperationJson 'hold-cau-role' $result
    }

    It 'brings it back online with Start-ClusterGroup' {
        $global:CauctlTestState.groupState = 'Offline'
        $data = (Invoke-ViaBootstrap 'hold-cau-role' @{ groupName = 'CAUHCI01x7k'; state = 'Online' }).Outcome.data
        $data.state | Should -Be 'Online'
        Should -Invoke Start-ClusterGroup -Times 1 -Exactly -ParameterFilter { $Name -eq 'CAUHCI01x7k' }
    }

    It 'leaves a group that is already in the asked state alone' {
        $global:CauctlTestState.groupState = 'Offline'
        (Invoke-ViaBootstrap 'hold-cau-role' @{ groupName = 'CAUHCI01x7k'; state = 'Offline' }).Outcome.data.state | Should -Be 'Offline'
        Should -Invoke Stop-ClusterGroup -Times 0
    }

    It 'reports a group that failed to come online as Failed' {
        $global:CauctlTestState.groupState = 'Offline'
        Mock Start-ClusterGroup { $global:CauctlTestState.groupState = 'Failed' }
        (Invoke-ViaBootstrap 'hold-cau-role' @{ groupName = 'CAUHCI01x7k'; state = 'Online' }).Outcome.data.state | Should -Be 'Failed'
    }

    It 'refuses with CAU_ROLE_NOT_FOUND when the group no longer holds the role' {
        $outcome = (Invoke-ViaBootstrap 'hold-cau-role' @{ groupName = 'SomeOtherGroup'; state = 'Online' }).Outcome
        $outcome.ok | Should -BeFalse
        $outcome.error.code | Should -Be 'CAU_ROLE_NOT_FOUND'
        Should -Invoke Start-ClusterGroup -Times 0
    }
}

# Pester tests for src/cluster/scripts/disable-cau-role.ps1: suspends self-updating (Disable-CauClusterRole -Force) and reports the result;
# no role → CAU_ROLE_NOT_FOUND and the cmdlet is not called.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'helpers/CauctlRoleStubs.ps1')
}
AfterAll { Remove-Variable -Name CauctlTestState -Scope Global -ErrorAction SilentlyContinue }

Describe 'disable-cau-role' {
    BeforeEach {
        $global:CauctlTestState = @{ role = (New-CauctlTestRole) }
        Set-CauctlRoleMocks
        Mock Disable-CauClusterRole { $global:CauctlTestState.role['Status'] = 'Offline' }
    }

    It 'calls Disable-CauClusterRole -Force once and reports the role' {
        $result = Invoke-ViaBootstrap 'disable-cau-role' @{}
        $result.Outcome.ok | Should -BeTrue
        $result.Outcome.data.groupName | Should -Be 'CAUHCI01x7k'
        $result.Outcome.data.status | Should -Be 'Offline'
        Should -Invoke Disable-CauClusterRole -Times 1 -Exactly -ParameterFilter { $Force }
        Save-OperationJson 'disable-cau-role' $result
    }

    It 'refuses with CAU_ROLE_NOT_FOUND when there is no role' {
        $global:CauctlTestState.role = $null
        $result = Invoke-ViaBootstrap 'disable-cau-role' @{}
        $result.Outcome.error.code | Should -Be 'CAU_ROLE_NOT_FOUND'
        Should -Invoke Disable-CauClusterRole -Times 0 -Exactly
    }
}

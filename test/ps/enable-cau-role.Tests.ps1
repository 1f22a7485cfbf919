# Pester tests for src/cluster/scripts/enable-cau-role.ps1: re-enables self-updating (Enable-CauClusterRole -Force) and reports the result;
# no role → CAU_ROLE_NOT_FOUND and the cmdlet is not called.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'helpers/CauctlRoleStubs.ps1')
}
AfterAll { Remove-Variable -Name CauctlTestState -Scope Global -ErrorAction SilentlyContinue }

Describe 'enable-cau-role' {
    BeforeEach {
        $global:CauctlTestState = @{ role = (New-CauctlTestRole) }
        $global:CauctlTestState.role['Status'] = 'Offline'
        Set-CauctlRoleMocks
        Mock Enable-CauClusterRole { $global:CauctlTestState.role['Status'] = 'Online' }
    }

    It 'calls Enable-CauClusterRole -Force once and reports the role' {
        $result = Invoke-ViaBootstrap 'enable-cau-role' @{}
        $result.Outcome.ok | Should -BeTrue
        $result.Outcome.data.groupName | Should -Be 'CAUHCI01x7k'
        $result.Outcome.data.status | Should -Be 'Online'
        Should -Invoke Enable-CauClusterRole -Times 1 -Exactly -ParameterFilter { $Force }
        Save-OperationJson 'enable-cau-role' $result
    }

    It 'refuses with CAU_ROLE_NOT_FOUND when there is no role' {
        $global:CauctlTestState.role = $null
        $result = Invoke-ViaBootstrap 'enable-cau-role' @{}
        $result.Outcome.error.code | Should -Be 'CAU_ROLE_NOT_FOUND'
        Should -Invoke Enable-CauClusterRole -Times 0 -Exactly
    }
}

# Pester tests for src/cluster/scripts/update-cau-role-now.ps1: Set-CauClusterRole -UpdateNow -Force and nothing
# else (its own parameter set: no schedule or option travels, so the role's configuration cannot change), the
# role's group and status back; no role means CAU_ROLE_NOT_FOUND and no cmdlet call.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'helpers/CauctlRoleStubs.ps1')
}
AfterAll { Remove-Variable -Name CauctlTestState -Scope Global -ErrorAction SilentlyContinue }

Describe 'update-cau-role-now' {
    BeforeEach {
        $global:CauctlTestState = @{ role = (New-CauctlTestRole) }
        Set-CauctlRoleMocks
        Mock Set-CauClusterRole { }
    }

    It 'calls Set-CauClusterRole -UpdateNow -Force once, with no schedule and no run option' {
        $result = Invoke-ViaBootstrap 'update-cau-role-now' @{}
        $result.Outcome.ok | Should -BeTrue
        $result.Outcome.data.groupName | Should -Be 'CAUHCI01x7k'
        $result.Outcome.data.status | Should -Be 'Online'
        Should -Invoke Set-CauClusterRole -Times 1 -Exactly -ParameterFilter {
            $UpdateNow -and $Force -and @($PSBoundParameters.Keys | Where-Object { $_ -notin @('UpdateNow', 'Force') }).Count -eq 0
        }
        Save-OperationJson 'update-cau-role-now' $result
    }

    It 'refuses with CAU_ROLE_NOT_FOUND when there is no role, calling nothing' {
        $global:CauctlTestState.role = $null
        $result = Invoke-ViaBootstrap 'update-cau-role-now' @{}
        $result.Outcome.ok | Should -BeFalse
        $result.Outcome.error.code | Should -Be 'CAU_ROLE_NOT_FOUND'
        Should -Invoke Set-CauClusterRole -Times 0 -Exactly
    }
}

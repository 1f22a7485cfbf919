# Pester tests for src/cluster/scripts/set-cau-role.ps1: every call carries a complete schedule, so CAU never
# writes its default third-Tuesday schedule; only the options given are passed; no role → CAU_ROLE_NOT_FOUND.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'helpers/CauctlRoleStubs.ps1')
}
AfterAll { Remove-Variable -Name CauctlTestState -Scope Global -ErrorAction SilentlyContinue }

Describe 'set-cau-role' {
    BeforeEach {
        $global:CauctlTestState = @{ role = (New-CauctlTestRole) }
        Set-CauctlRoleMocks
        Mock Set-CauClusterRole { }
    }

    It 'sends the whole MonthlyDayOfWeek schedule with -Force, even when only an option changes' {
        $result = Invoke-ViaBootstrap 'set-cau-role' @{ schedule = @{ kind = 'MonthlyDayOfWeek'; startDate = '2024-01-09T03:00'; daysOfWeek = 20; weeksOfMonth = @(2) }; options = @{ MaxRetriesPerNode = 2 } }
        $result.Outcome.ok | Should -BeTrue
        $result.Outcome.data.groupName | Should -Be 'CAUHCI01x7k'
        $result.Outcome.data.status | Should -Be 'Online'
        Should -Invoke Set-CauClusterRole -Times 1 -Exactly -ParameterFilter {
            $StartDate -eq [datetime]::new(2024, 1, 9, 3, 0, 0) -and $DaysOfWeek -eq 20 -and ($WeeksOfMonth -join ',') -eq '2' -and $MaxRetriesPerNode -eq 2 -and
            -not $PSBoundParameters.ContainsKey('RebootTimeoutMinutes') -and -not $UseDefault -and -not $UpdateNow -and $Force
        }
        Save-OperationJson 'set-cau-role' $result
    }

    It 'sends the Weekly set' {
        Invoke-ViaBootstrap 'set-cau-role' @{ schedule = @{ kind = 'Weekly'; startDate = '2024-01-03T22:00'; daysOfWeek = 1; intervalWeeks = 3 }; options = @{} } | Out-Null
        Should -Invoke Set-CauClusterRole -Times 1 -Exactly -ParameterFilter { $DaysOfWeek -eq 1 -and $IntervalWeeks -eq 3 -and -not $PSBoundParameters.ContainsKey('WeeksOfMonth') }
    }

    It 'passes -UseDefault when asked, with the whole schedule and the options given' {
        Invoke-ViaBootstrap 'set-cau-role' @{ schedule = @{ kind = 'Weekly'; startDate = '2024-01-03T22:00'; daysOfWeek = 1; intervalWeeks = 2 }; options = @{ MaxRetriesPerNode = 1 }; useDefault = $true } | Out-Null
        Should -Invoke Set-CauClusterRole -Times 1 -Exactly -ParameterFilter { $UseDefault -and $DaysOfWeek -eq 1 -and $IntervalWeeks -eq 2 -and $MaxRetriesPerNode -eq 1 -and $Force }
    }

    It 'passes the 2022 and 2025 run additions with their cmdlet types' {
        $options = @{ ForcePauseNoDrain = $true; SkipUpdateChecks = $true; SiteAwareUpdatingOrder = @('Seattle', "Red'mond"); RebootMode = 'SoftReboot'; SuspendRetriesPerNode = 3 }
        $result = Invoke-ViaBootstrap 'set-cau-role' @{ schedule = @{ kind = 'Once'; startDate = '2024-06-01T23:30' }; options = $options }
        $result.Outcome.ok | Should -BeTrue
        Should -Invoke Set-CauClusterRole -Times 1 -Exactly -ParameterFilter {
            $ForcePauseNoDrain -and $SkipUpdateChecks -and ($SiteAwareUpdatingOrder -join '|') -eq "Seattle|Red'mond" -and $RebootMode -eq 'SoftReboot' -and $SuspendRetriesPerNode -eq 3 -and
            -not $ForcePauseDrainAndReboot -and -not $UseDefault -and $RunOnce
        }
        Save-OperationJson 'set-cau-role' $result 'run-additions'
    }

    It 'refuses with CAU_ROLE_NOT_FOUND and CAU''s wording when there is no role' {
        $global:CauctlTestState.role = $null
        $result = Invoke-ViaBootstrap 'set-cau-role' @{ schedule = @{ kind = 'Once'; startDate = '2024-06-01T23:30' }; options = @{} }
        $result.Outcome.error.code | Should -Be 'CAU_ROLE_NOT_FOUND'
        $result.Outcome.error.message | Should -Be 'The current cluster is not configured with a Cluster-Aware Updating clustered role.'
        Should -Invoke Set-CauClusterRole -Times 0 -Exactly
    }
}

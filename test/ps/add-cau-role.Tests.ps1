# Pester tests for src/cluster/scripts/add-cau-role.ps1: Add-CauClusterRole gets a complete schedule from one
# parameter set, the run options given (typed as the cmdlet takes them), VCO and group name, and -Force;
# hostile text stays data; an existing role is refused with CAU_ROLE_EXISTS.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'helpers/CauctlRoleStubs.ps1')
}
AfterAll { Remove-Variable -Name CauctlTestState -Scope Global -ErrorAction SilentlyContinue }

Describe 'add-cau-role' {
    BeforeEach {
        $global:CauctlTestState = @{ role = $null }
        Set-CauctlRoleMocks
        Mock Add-CauClusterRole { $global:CauctlTestState.role = [ordered]@{ ResourceGroupName = 'CAUHCI01x7k'; Status = 'Online' } }
    }

    It 'sends the MonthlyDayOfWeek set whole (StartDate, DaysOfWeek, WeeksOfMonth) with -Force' {
        $result = Invoke-ViaBootstrap 'add-cau-role' @{ schedule = @{ kind = 'MonthlyDayOfWeek'; startDate = '2024-01-09T03:00'; daysOfWeek = 4; weeksOfMonth = @(2) }; options = @{} }
        $result.Outcome.ok | Should -BeTrue
        $result.Outcome.data.groupName | Should -Be 'CAUHCI01x7k'
        $result.Outcome.data.status | Should -Be 'Online'
        Should -Invoke Add-CauClusterRole -Times 1 -Exactly -ParameterFilter {
            $StartDate -eq [datetime]::new(2024, 1, 9, 3, 0, 0) -and $DaysOfWeek -eq 4 -and ($WeeksOfMonth -join ',') -eq '2' -and
            -not $PSBoundParameters.ContainsKey('IntervalWeeks') -and -not $RunOnce -and $Force
        }
        Save-OperationJson 'add-cau-role' $result
    }

    It 'sends the Weekly set (DaysOfWeek, IntervalWeeks) and no WeeksOfMonth' {
        Invoke-ViaBootstrap 'add-cau-role' @{ schedule = @{ kind = 'Weekly'; startDate = '2024-01-03T22:00'; daysOfWeek = 34; intervalWeeks = 2 }; options = @{} } | Out-Null
        Should -Invoke Add-CauClusterRole -Times 1 -Exactly -ParameterFilter { $DaysOfWeek -eq 34 -and $IntervalWeeks -eq 2 -and -not $PSBoundParameters.ContainsKey('WeeksOfMonth') }
    }

    It 'sends -RunOnce with its StartDate and no days' {
        Invoke-ViaBootstrap 'add-cau-role' @{ schedule = @{ kind = 'Once'; startDate = '2024-06-01T23:30' }; options = @{} } | Out-Null
        Should -Invoke Add-CauClusterRole -Times 1 -Exactly -ParameterFilter { $RunOnce -and $StartDate -eq [datetime]::new(2024, 6, 1, 23, 30, 0) -and -not $PSBoundParameters.ContainsKey('DaysOfWeek') }
    }

    It 'passes the run options given, typed as the cmdlet takes them, plus VCO and group name' {
        $options = @{
            CauPluginName = @('Microsoft.WindowsUpdatePlugin', 'Microsoft.HotfixPlugin')
            CauPluginArguments = @(@{ IncludeRecommendedUpdates = 'True' }, @{ HotfixRootFolderPath = '\\fs01\hotfix' })
            MaxFailedNodes = 1; RebootTimeoutMinutes = 45; WarnAfter = '01:30:00'; StopAfter = '1.00:00:00'
            FailbackMode = 'Policy'; RequireAllNodesOnline = $true; PreUpdateScript = '\\fs01\cau\pre.ps1'; NodeOrder = @('NODE2', 'NODE1')
        }
        $result = Invoke-ViaBootstrap 'add-cau-role' @{ schedule = @{ kind = 'MonthlyDayOfWeek'; startDate = '2024-01-09T03:00'; daysOfWeek = 4; weeksOfMonth = @(2, 4) }; options = $options; virtualComputerObjectName = 'CAUVCO01'; groupName = 'CAUGroup' }
        $result.Outcome.ok | Should -BeTrue
        Should -Invoke Add-CauClusterRole -Times 1 -Exactly -ParameterFilter {
            ($CauPluginName -join ',') -eq 'Microsoft.WindowsUpdatePlugin,Microsoft.HotfixPlugin' -and $CauPluginArguments.Count -eq 2 -and
            $CauPluginArguments[1]['HotfixRootFolderPath'] -eq '\\fs01\hotfix' -and $MaxFailedNodes -eq 1 -and $RebootTimeoutMinutes -eq 45 -and
            $WarnAfter -eq [timespan]::FromMinutes(90) -and $StopAfter -eq [timespan]::FromDays(1) -and $FailbackMode -eq 'Policy' -and
            $RequireAllNodesOnline -and $PreUpdateScript -eq '\\fs01\cau\pre.ps1' -and ($NodeOrder -join ',') -eq 'NODE2,NODE1' -and
            ($WeeksOfMonth -join ',') -eq '2,4' -and $VirtualComputerObjectName -eq 'CAUVCO01' -and $GroupName -eq 'CAUGroup' -and -not $SeparateReboots
        }
    }

    It 'keeps hostile text as data' {
        $hostile = "'; Remove-Item -Recurse C:\ # `$(Get-Date) ``n"
        Invoke-ViaBootstrap 'add-cau-role' @{ schedule = @{ kind = 'Once'; startDate = '2024-06-01T23:30' }; options = @{ PreUpdateScript = $hostile } } | Out-Null
        Should -Invoke Add-CauClusterRole -Times 1 -Exactly -ParameterFilter { $PreUpdateScript -ceq $hostile }
    }

    It 'refuses with CAU_ROLE_EXISTS when the cluster has a role, and adds nothing' {
        $global:CauctlTestState.role = (New-CauctlTestRole)
        $result = Invoke-ViaBootstrap 'add-cau-role' @{ schedule = @{ kind = 'Once'; startDate = '2024-06-01T23:30' }; options = @{} }
        $result.Outcome.error.code | Should -Be 'CAU_ROLE_EXISTS'
        $result.Outcome.error.message | Should -Match 'CAUHCI01x7k'
        Should -Invoke Add-CauClusterRole -Times 0 -Exactly
    }

    It 'refuses an unknown run option by name' {
        $result = Invoke-ViaBootstrap 'add-cau-role' @{ schedule = @{ kind = 'Once'; startDate = '2024-06-01T23:30' }; options = @{ ForceRecovery = $true } }
        $result.Outcome.ok | Should -BeFalse
        $result.Outcome.error.message | Should -Match "Unknown run option 'ForceRecovery'"
        Should -Invoke Add-CauClusterRole -Times 0 -Exactly
    }
}

# Pester tests for src/cluster/scripts/change-cau-role.ps1: Enable, Disable or Remove the CAU clustered role
# with the cmdlet's -Force, reporting the group and the status after the change; no role means
# CAU_ROLE_NOT_FOUND and no cmdlet call.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'helpers/CauctlRoleStubs.ps1')
    $savedProgramData = $env:ProgramData
}
AfterAll {
    $env:ProgramData = $savedProgramData
    Remove-Variable -Name CauctlTestState, CauctlTaskScheduler -Scope Global -ErrorAction SilentlyContinue
}

Describe 'change-cau-role' {
    BeforeEach {
        $global:CauctlTestState = @{ role = (New-CauctlTestRole) }
        Set-CauctlRoleMocks
        Mock Enable-CauClusterRole { $global:CauctlTestState.role['Status'] = 'Online' }
        Mock Disable-CauClusterRole { $global:CauctlTestState.role['Status'] = 'Offline' }
        Mock Remove-CauClusterRole { $global:CauctlTestState.role = $null }
    }

    It 'Enable calls Enable-CauClusterRole -Force once and reports the new status' {
        $global:CauctlTestState.role['Status'] = 'Offline'
        $result = Invoke-ViaBootstrap 'change-cau-role' @{ action = 'Enable' }
        $result.Outcome.data.groupName | Should -Be 'CAUHCI01x7k'
        $result.Outcome.data.status | Should -Be 'Online'
        $result.Outcome.data.removed | Should -BeFalse
        Should -Invoke Enable-CauClusterRole -Times 1 -Exactly -ParameterFilter { $Force }
        Should -Invoke Disable-CauClusterRole -Times 0 -Exactly
        Save-OperationJson 'change-cau-role' $result 'enable'
    }

    It 'Disable calls Disable-CauClusterRole -Force once; the role stays' {
        $result = Invoke-ViaBootstrap 'change-cau-role' @{ action = 'Disable' }
        $result.Outcome.data.status | Should -Be 'Offline'
        $result.Outcome.data.removed | Should -BeFalse
        Should -Invoke Disable-CauClusterRole -Times 1 -Exactly -ParameterFilter { $Force }
        Save-OperationJson 'change-cau-role' $result 'disable'
    }

    It 'Remove calls Remove-CauClusterRole -Force once and checks that the role is gone' {
        $result = Invoke-ViaBootstrap 'change-cau-role' @{ action = 'Remove' }
        $result.Outcome.data.groupName | Should -Be 'CAUHCI01x7k'
        $result.Outcome.data.status | Should -Be 'Removed'
        $result.Outcome.data.removed | Should -BeTrue
        Should -Invoke Remove-CauClusterRole -Times 1 -Exactly -ParameterFilter { $Force }
        Save-OperationJson 'change-cau-role' $result 'remove'
    }

    It 'Remove that leaves the role in place reports removed = false with its status' {
        Mock Remove-CauClusterRole { }
        $result = Invoke-ViaBootstrap 'change-cau-role' @{ action = 'Remove' }
        $result.Outcome.data.removed | Should -BeFalse
        $result.Outcome.data.status | Should -Be 'Online'
    }

    It 'refuses <action> with CAU_ROLE_NOT_FOUND when there is no role, calling nothing' -TestCases @(
        @{ action = 'Enable' }, @{ action = 'Disable' }, @{ action = 'Remove' }
    ) {
        $global:CauctlTestState.role = $null
        $result = Invoke-ViaBootstrap 'change-cau-role' @{ action = $action }
        $result.Outcome.error.code | Should -Be 'CAU_ROLE_NOT_FOUND'
        Should -Invoke Enable-CauClusterRole -Times 0 -Exactly
        Should -Invoke Disable-CauClusterRole -Times 0 -Exactly
        Should -Invoke Remove-CauClusterRole -Times 0 -Exactly
    }

    It 'refuses an action outside Enable, Disable, Remove' {
        (Invoke-ViaBootstrap 'change-cau-role' @{ action = "Remove'; #" }).Outcome.ok | Should -BeFalse
        Should -Invoke Remove-CauClusterRole -Times 0 -Exactly
    }

    Context 'the second hop' {
        BeforeEach { Set-CauctlTaskSchedulerFake }

        It 'with the password, runs the cmdlet in a fresh Password logon as the admin account, then removes the task and its folder' {
            $result = Invoke-ViaBootstrap 'change-cau-role' @{ action = 'Disable'; networkCredential = (New-CauctlTestCredential) }
            $result.Json | Should -Match '"ok":true'
            $result.Outcome.data.status | Should -Be 'Offline'
            $result.Outcome.data.groupName | Should -Be 'CAUHCI01x7k'
            Should -Invoke Disable-CauClusterRole -Times 1 -Exactly
            @($global:CauctlTaskScheduler.history).Count | Should -Be 1
            $task = $global:CauctlTaskScheduler.history[0]
            $task.user | Should -Be 'CONTOSO\admin'
            $task.password | Should -BeExactly "pa'ss `$(w0rd)"
            $task.system | Should -BeFalse
            $global:CauctlTaskScheduler.registered.Count | Should -Be 0
            Test-Path -LiteralPath $task.folder | Should -BeFalse
            Save-OperationJson 'change-cau-role' $result 'network-logon'
        }

        It 'with the password, an error inside the logon comes back with its code' {
            $global:CauctlTestState.role = $null
            $result = Invoke-ViaBootstrap 'change-cau-role' @{ action = 'Enable'; networkCredential = (New-CauctlTestCredential) }
            $result.Outcome.error.code | Should -Be 'CAU_ROLE_NOT_FOUND'
            $global:CauctlTaskScheduler.registered.Count | Should -Be 0
        }

        It 'without the password, a denied cmdlet fails with NETWORK_CREDENTIAL_REQUIRED naming both remedies' {
            Mock Disable-CauClusterRole { throw (New-Object System.UnauthorizedAccessException 'Access is denied.') }
            $result = Invoke-ViaBootstrap 'change-cau-role' @{ action = 'Disable'; networkCredential = $null }
            $result.Outcome.error.code | Should -Be 'NETWORK_CREDENTIAL_REQUIRED'
            $result.Outcome.error.message | Should -Match 'password'
            $result.Outcome.error.message | Should -Match 'constrained delegation'
            @($global:CauctlTaskScheduler.history).Count | Should -Be 0
        }
    }
}

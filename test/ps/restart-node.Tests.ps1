# Pester tests for src/cluster/scripts/restart-node.ps1 with shutdown.exe behind a mocked wrapper.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
}

Describe 'restart-node' {
    BeforeEach { Mock Get-CauctlRunningServices { 'WinRM'; 'ClusSvc'; 'vmms' } }

    It 'records the services running before the restart, for the check after it' {
        Mock Invoke-CauctlShutdown { 0 }
        $result = Invoke-ViaBootstrap 'restart-node' @{ soft = $false; delaySeconds = 5 }
        @($result.Outcome.data.servicesBeforeRestart) | Should -Be @('ClusSvc', 'vmms', 'WinRM')
        Should -Invoke Get-CauctlRunningServices -Times 1 -Exactly
    }

    It 'keeps a one-service list a JSON array' {
        Mock Get-CauctlRunningServices { 'WinRM' }
        Mock Invoke-CauctlShutdown { 0 }
        (Invoke-ViaBootstrap 'restart-node' @{ soft = $false; delaySeconds = 5 }).Json | Should -Match '"servicesBeforeRestart":\["WinRM"\]'
    }

    It 'schedules a restart with shutdown.exe /r /t (the delay) as a planned hotfix restart' {
        Mock Invoke-CauctlShutdown { 0 }
        $result = Invoke-ViaBootstrap 'restart-node' @{ soft = $false; delaySeconds = 5 }
        $result.Outcome.data.scheduled | Should -BeTrue
        $result.Outcome.data.bootType | Should -Be 'FullReboot'
        Should -Invoke Invoke-CauctlShutdown -Times 1 -Exactly -ParameterFilter { ($ArgumentList -join ' ') -like '/r /t 5 /d p:2:17 /c *' }
        Save-OperationJson 'restart-node' $result
    }

    It 'falls back to a full restart when a soft one is asked, and says so' {
        Mock Invoke-CauctlShutdown { 0 }
        $result = Invoke-ViaBootstrap 'restart-node' @{ soft = $true; delaySeconds = 2 }
        $result.Outcome.data.bootType | Should -Be 'FullReboot'
        Save-OperationJson 'restart-node' $result 'soft'
    }

    It 'accepts ERROR_SHUTDOWN_IS_SCHEDULED (1190) and fails on other exit codes' {
        Mock Invoke-CauctlShutdown { 1190 }
        (Invoke-ViaBootstrap 'restart-node' @{ soft = $false; delaySeconds = 5 }).Outcome.data.scheduled | Should -BeTrue
        Mock Invoke-CauctlShutdown { 5 }
        $result = Invoke-ViaBootstrap 'restart-node' @{ soft = $false; delaySeconds = 5 }
        $result.Outcome.ok | Should -BeFalse
        $result.Outcome.error.message | Should -Match 'exit code 5'
    }

    It 'refuses a delay under 2 seconds' {
        Mock Invoke-CauctlShutdown { 0 }
        (Invoke-ViaBootstrap 'restart-node' @{ soft = $false; delaySeconds = 1 }).Outcome.ok | Should -BeFalse
        Should -Invoke Invoke-CauctlShutdown -Times 0 -Exactly
    }
}

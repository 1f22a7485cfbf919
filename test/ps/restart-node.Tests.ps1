# Pester tests for src/cluster/scripts/restart-node.ps1 with shutdown.exe, the KSR check, the registry and the
# Task Scheduler behind mocks: a full restart with shutdown.exe, a Kernel Soft Reboot (ksrcmd.exe /Self from a
# one-shot SYSTEM task) only where the node has it and does not opt out, and the reason said in softBootStatus.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    $savedSystemRoot = $env:SystemRoot
    $savedProgramData = $env:ProgramData
    $SafeSecurity = @{ ownerSid = 'S-1-5-32-544'; isProtected = $true; rules = @(@{ sid = 'S-1-5-18'; allow = $true }, @{ sid = 'S-1-5-32-544'; allow = $true }) }
}
AfterAll {
    $env:SystemRoot = $savedSystemRoot
    $env:ProgramData = $savedProgramData
}

Describe 'restart-node' {
    BeforeEach {
        # Join-Path needs a drive that exists on this machine; on a node SystemRoot is C:\Windows.
        $env:SystemRoot = '/Windows'
        Mock Get-CauctlRunningServices { 'WinRM'; 'ClusSvc'; 'vmms' }
        Mock Get-CauctlRegistryValue { $null }
        Mock Test-CauctlKernelSoftReboot { $false }
        Mock New-ScheduledTaskAction { [pscustomobject]@{ Execute = $Execute; Arguments = $Argument } }
        Mock New-ScheduledTaskTrigger { [pscustomobject]@{ At = $At; Once = [bool]$Once } }
        Mock New-ScheduledTaskPrincipal { [pscustomobject]@{ UserId = $UserId; LogonType = $LogonType; RunLevel = $RunLevel } }
        Mock New-ScheduledTaskSettingsSet { [pscustomobject]@{} }
        Mock Register-ScheduledTask { [pscustomobject]@{ TaskName = $TaskName; TaskPath = $TaskPath } }
        # ProgramData redirected to TestDrive; the folder-security wrappers as on a node (Get-Acl has no SIDs here).
        $env:ProgramData = Join-Path $TestDrive ([guid]::NewGuid().ToString())
        New-Item -ItemType Directory -Path $env:ProgramData | Out-Null
        $mark = Join-Path $env:ProgramData 'cauctl/soft-restart-fell-back'
        Mock New-CauctlProtectedDirectory { New-Item -ItemType Directory -Path $Path | Out-Null }
        Mock Get-CauctlFolderSecurity { $SafeSecurity }
    }

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

    It 'asks nothing about KSR for a full restart (softBootStatus NotEnabled)' {
        Mock Invoke-CauctlShutdown { 0 }
        $data = (Invoke-ViaBootstrap 'restart-node' @{ soft = $false; delaySeconds = 5 }).Outcome.data
        $data.softBootStatus | Should -Be 'NotEnabled'
        Should -Invoke Test-CauctlKernelSoftReboot -Times 0 -Exactly
        Should -Invoke Register-ScheduledTask -Times 0 -Exactly
    }

    It 'restarts fully when a soft restart is asked of a node without KSR (Windows Server), and says so' {
        Mock Invoke-CauctlShutdown { 0 }
        $result = Invoke-ViaBootstrap 'restart-node' @{ soft = $true; delaySeconds = 2 }
        $result.Outcome.data.bootType | Should -Be 'FullReboot'
        $result.Outcome.data.softBootStatus | Should -Be 'NotInstalled'
        Should -Invoke Invoke-CauctlShutdown -Times 1 -Exactly -ParameterFilter { ($ArgumentList -join ' ') -like '/r /t 2 /d p:2:17 /c *' }
        Should -Invoke Register-ScheduledTask -Times 0 -Exactly
    }

    It 'restarts fully when the node opts out of KSR (CauBypassSoftBootOnNode = True), even where it has KSR' {
        Mock Test-CauctlKernelSoftReboot { $true }
        Mock Get-CauctlRegistryValue { 'True' } -ParameterFilter { $Path -like '*\ClusterAwareUpdating' -and $Name -eq 'CauBypassSoftBootOnNode' }
        Mock Invoke-CauctlShutdown { 0 }
        $data = (Invoke-ViaBootstrap 'restart-node' @{ soft = $true; delaySeconds = 2 }).Outcome.data
        $data.bootType | Should -Be 'FullReboot'
        $data.softBootStatus | Should -Be 'Bypassed'
        Should -Invoke Register-ScheduledTask -Times 0 -Exactly
    }

    It 'schedules ksrcmd.exe /Self after the delay from a one-shot SYSTEM task where the node has KSR, falling back to shutdown.exe in the task' {
        Mock Test-CauctlKernelSoftReboot { $true }
        Mock Invoke-CauctlShutdown { 0 }
        $before = Get-Date
        $result = Invoke-ViaBootstrap 'restart-node' @{ soft = $true; delaySeconds = 30 }
        $result.Outcome.data.bootType | Should -Be 'SoftReboot'
        $result.Outcome.data.softBootStatus | Should -Be 'Enabled'
        @($result.Outcome.data.servicesBeforeRestart) | Should -Be @('ClusSvc', 'vmms', 'WinRM')
        Should -Invoke Invoke-CauctlShutdown -Times 0 -Exactly
        # Only should KSR refuse: the task marks it (so the boot is reported as the full one it is), then restarts fully.
        Should -Invoke New-ScheduledTaskAction -Times 1 -Exactly -ParameterFilter { $Execute -like '*System32*cmd.exe' -and $Argument -like ('*ksrcmd.exe" /Self || (type nul > "' + $mark + '" & "*shutdown.exe" /r /t 0 /d p:2:17 /c "cauctl: restart after installing updates")"') }
        Should -Invoke New-ScheduledTaskTrigger -Times 1 -Exactly -ParameterFilter { $Once -and $At -ge $before.AddSeconds(29) -and $At -le (Get-Date).AddSeconds(31) }
        Should -Invoke New-ScheduledTaskPrincipal -Times 1 -Exactly -ParameterFilter { $UserId -eq 'SYSTEM' }
        Should -Invoke Register-ScheduledTask -Times 1 -Exactly -ParameterFilter { $TaskPath -eq '\cauctl\' -and $TaskName -eq 'soft-restart' -and $Force }
        Save-OperationJson 'restart-node' $result 'soft'
    }

    It 'clears the mark of an earlier soft restart that fell back, and leaves none itself (only the task writes it)' {
        Mock Test-CauctlKernelSoftReboot { $true }
        New-Item -ItemType Directory -Path (Join-Path $env:ProgramData 'cauctl') | Out-Null
        New-Item -ItemType File -Path $mark | Out-Null
        (Invoke-ViaBootstrap 'restart-node' @{ soft = $true; delaySeconds = 30 }).Outcome.data.bootType | Should -Be 'SoftReboot'
        Test-Path -LiteralPath $mark | Should -BeFalse
        Should -Invoke Get-CauctlFolderSecurity -Times 1 -Exactly
    }

    It 'refuses to schedule the soft restart when the folder for the mark is not private (another account could plant it)' {
        Mock Test-CauctlKernelSoftReboot { $true }
        Mock Get-CauctlFolderSecurity { @{ ownerSid = 'S-1-5-21-1-2-3-1001'; isProtected = $true; rules = @() } }
        $result = Invoke-ViaBootstrap 'restart-node' @{ soft = $true; delaySeconds = 30 }
        $result.Outcome.ok | Should -BeFalse
        $result.Outcome.error.code | Should -Be 'UNSAFE_FOLDER'
        Should -Invoke Register-ScheduledTask -Times 0 -Exactly
    }

    It 'leaves the mark alone on a full restart (nothing of KSR is touched)' {
        Mock Invoke-CauctlShutdown { 0 }
        New-Item -ItemType Directory -Path (Join-Path $env:ProgramData 'cauctl') | Out-Null
        New-Item -ItemType File -Path $mark | Out-Null
        (Invoke-ViaBootstrap 'restart-node' @{ soft = $false; delaySeconds = 5 }).Outcome.data.bootType | Should -Be 'FullReboot'
        Test-Path -LiteralPath $mark | Should -BeTrue
        Should -Invoke Get-CauctlFolderSecurity -Times 0 -Exactly
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

# Pester tests for src/cluster/scripts/start-update-task.ps1 and the update worker it writes: scheduled-task
# cmdlets, the folder-security wrappers and the Windows Update COM objects faked (interface-exact, from
# helpers/WuaInterfaces.psd1), ProgramData redirected to TestDrive.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'helpers/FakeWindowsUpdate.ps1')
    $savedProgramData = $env:ProgramData
    $SafeSecurity = @{ ownerSid = 'S-1-5-32-544'; isProtected = $true; rules = @(@{ sid = 'S-1-5-18'; allow = $true }, @{ sid = 'S-1-5-32-544'; allow = $true }) }
    function Read-Json([string]$Path) { [System.IO.File]::ReadAllText($Path) | ConvertFrom-Json }
    # The -EncodedCommand text of a task action's argument line.
    function Get-EncodedCommandText([string]$Arguments) {
        if ($Arguments -notmatch '-EncodedCommand ([A-Za-z0-9+/=]+)$') { throw "no -EncodedCommand in: $Arguments" }
        [System.Text.Encoding]::Unicode.GetString([Convert]::FromBase64String($Matches[1]))
    }
}
AfterAll {
    $env:ProgramData = $savedProgramData
    Remove-Variable -Name CauctlBadSecurity, CauctlSeenAction -Scope Global -ErrorAction SilentlyContinue
}

Describe 'start-update-task' {
    BeforeEach {
        $env:ProgramData = Join-Path $TestDrive ([guid]::NewGuid().ToString())
        New-Item -ItemType Directory -Path $env:ProgramData | Out-Null
        $base = Join-Path $env:ProgramData 'cauctl'
        Mock Get-ScheduledTask { $null }
        Mock New-ScheduledTaskAction { [pscustomobject]@{ Execute = $Execute; Arguments = $Argument; WorkingDirectory = $WorkingDirectory } }
        Mock New-ScheduledTaskPrincipal { [pscustomobject]@{ UserId = $UserId; LogonType = $LogonType; RunLevel = $RunLevel } }
        Mock New-ScheduledTaskSettingsSet { [pscustomobject]@{} }
        Mock Register-ScheduledTask { }
        Mock Start-ScheduledTask { }
        Mock New-CauctlProtectedDirectory { New-Item -ItemType Directory -Path $Path | Out-Null }
        Mock Get-CauctlFolderSecurity { $SafeSecurity }
        $params = @{ plugin = 'Microsoft.WindowsUpdatePlugin'; arguments = @{ QueryString = "IsInstalled=0; `$(Get-Date)" }; mode = 'Install'; updateIds = @('5d1c0000-0000-0000-0000-000000000001'); taskId = 'run-1-NODE1-1' }
    }

    It 'registers a one-shot SYSTEM task running the fixed launcher with -EncodedCommand (no -File) in the task folder, then starts it' {
        $result = Invoke-ViaBootstrap 'start-update-task' $params
        $result.Outcome.data.taskId | Should -Be 'run-1-NODE1-1'
        $result.Outcome.data.alreadyStarted | Should -BeFalse
        Should -Invoke Register-ScheduledTask -Times 1 -Exactly -ParameterFilter {
            $TaskName -eq 'cauctl-run-1-NODE1-1' -and $TaskPath -eq '\cauctl\' -and $Principal.UserId -eq 'SYSTEM' -and
            $Principal.RunLevel -eq 'Highest' -and $null -eq $Trigger -and $null -eq $Password -and $Action.Execute -eq 'powershell.exe' -and
            $Action.Arguments -notmatch '-File' -and $Action.WorkingDirectory -eq (Join-Path $base 'run-1-NODE1-1')
        }
        $action = $null
        Should -Invoke Register-ScheduledTask -Times 1 -Exactly -ParameterFilter { $global:CauctlSeenAction = $Action; $true }
        (Get-EncodedCommandText $global:CauctlSeenAction.Arguments) | Should -Match "ReadAllText\(\[System.IO.Path\]::Combine\(\`$d, 'worker.ps1'\)\)"
        Should -Invoke Start-ScheduledTask -Times 1 -Exactly -ParameterFilter { $TaskName -eq 'cauctl-run-1-NODE1-1' }
        Save-OperationJson 'start-update-task' $result
    }

    It 'creates the cauctl folder and the task folder protected, and writes the worker verbatim and the parameters (hostile text included) as data' {
        Invoke-ViaBootstrap 'start-update-task' $params | Out-Null
        Should -Invoke New-CauctlProtectedDirectory -Times 1 -Exactly -ParameterFilter { $Path -eq $base }
        Should -Invoke New-CauctlProtectedDirectory -Times 1 -Exactly -ParameterFilter { $Path -eq (Join-Path $base 'run-1-NODE1-1') }
        $worker = Get-Content -Raw -LiteralPath (Join-Path $base 'run-1-NODE1-1/worker.ps1')
        $worker | Should -Match '^\uFEFF?# cauctl update worker'
        $worker | Should -Not -Match 'Get-Date\)'
        $task = Read-Json (Join-Path $base 'run-1-NODE1-1/task.json')
        $task.arguments.QueryString | Should -BeExactly "IsInstalled=0; `$(Get-Date)"
        $task.updateIds | Should -Be @('5d1c0000-0000-0000-0000-000000000001')
        (Read-Json (Join-Path $base 'run-1-NODE1-1/progress.json')).message | Should -Be 'queued'
    }

    It 'starts once: a second call with the same taskId reports alreadyStarted' {
        Invoke-ViaBootstrap 'start-update-task' $params | Out-Null
        $again = Invoke-ViaBootstrap 'start-update-task' $params
        $again.Outcome.data.alreadyStarted | Should -BeTrue
        Should -Invoke Register-ScheduledTask -Times 1 -Exactly
        Save-OperationJson 'start-update-task' $again 'again'
    }

    It 'refuses PreInstall for any plug-in but Windows Update, before any task exists (PRE_INSTALL_REFUSED)' {
        $params.plugin = 'Microsoft.HotfixPlugin'
        $params.arguments = @{ HotfixRootFolderPath = '\\srv\share' }
        $params.mode = 'PreInstall'
        $result = Invoke-ViaBootstrap 'start-update-task' $params
        $result.Outcome.ok | Should -BeFalse
        $result.Outcome.error.code | Should -Be 'PRE_INSTALL_REFUSED'
        Should -Invoke Register-ScheduledTask -Times 0 -Exactly
    }

    It 'refuses a taskId that could escape its folder' {
        $params.taskId = '..\..\x'
        (Invoke-ViaBootstrap 'start-update-task' $params).Outcome.ok | Should -BeFalse
        Should -Invoke Register-ScheduledTask -Times 0 -Exactly
    }

    It 'refuses a cauctl folder that <case>, touching nothing' -TestCases @(
        @{ case = 'another user owns'; security = @{ ownerSid = 'S-1-5-21-1-2-3-1001'; isProtected = $true; rules = @(@{ sid = 'S-1-5-18'; allow = $true }) }; why = 'owner is S-1-5-21-1-2-3-1001' }
        @{ case = 'inherits ProgramData''s ACL'; security = @{ ownerSid = 'S-1-5-32-544'; isProtected = $false; rules = @(@{ sid = 'S-1-5-18'; allow = $true }) }; why = 'inherits its permissions' }
        @{ case = 'grants Users access'; security = @{ ownerSid = 'S-1-5-18'; isProtected = $true; rules = @(@{ sid = 'S-1-5-18'; allow = $true }, @{ sid = 'S-1-5-32-545'; allow = $true }) }; why = 'grants access to S-1-5-32-545' }
    ) {
        New-Item -ItemType Directory -Path $base | Out-Null
        $global:CauctlBadSecurity = $security
        Mock Get-CauctlFolderSecurity { $global:CauctlBadSecurity }
        $result = Invoke-ViaBootstrap 'start-update-task' $params
        $result.Outcome.ok | Should -BeFalse
        $result.Outcome.error.code | Should -Be 'UNSAFE_FOLDER'
        $result.Outcome.error.message | Should -Match ([regex]::Escape($why))
        $result.Outcome.error.message | Should -Match 'delete the folder'
        Should -Invoke New-CauctlProtectedDirectory -Times 0 -Exactly
        Should -Invoke Register-ScheduledTask -Times 0 -Exactly
        Test-Path (Join-Path $base 'run-1-NODE1-1') | Should -BeFalse
    }

    It 'never writes into a file that is already there: a planted worker.ps1 makes the start fail' {
        New-Item -ItemType Directory -Path (Join-Path $base 'run-1-NODE1-1') -Force | Out-Null
        Set-Content -LiteralPath (Join-Path $base 'run-1-NODE1-1/worker.ps1') -Value 'planted'
        $result = Invoke-ViaBootstrap 'start-update-task' $params
        $result.Outcome.ok | Should -BeFalse
        Get-Content -Raw -LiteralPath (Join-Path $base 'run-1-NODE1-1/worker.ps1') | Should -Match '^planted'
        Should -Invoke Register-ScheduledTask -Times 0 -Exactly
    }

    It 'removes the folders of earlier tasks that have ended, and keeps running ones' {
        foreach ($name in 'old-done', 'old-running') { New-Item -ItemType Directory -Path (Join-Path $base $name) -Force | Out-Null }
        Set-Content -LiteralPath (Join-Path $base 'old-done/progress.json') -Value '{"state":"Completed","results":[]}'
        Set-Content -LiteralPath (Join-Path $base 'old-running/progress.json') -Value '{"state":"Running","results":[]}'
        Invoke-ViaBootstrap 'start-update-task' $params | Out-Null
        Test-Path (Join-Path $base 'old-done') | Should -BeFalse
        Test-Path (Join-Path $base 'old-running') | Should -BeTrue
    }

    Context 'the worker' {
        BeforeEach {
            Invoke-ViaBootstrap 'start-update-task' $params | Out-Null
            $taskDir = Join-Path $base 'run-1-NODE1-1'
            $workerFile = Join-Path $taskDir 'worker.ps1'
            $taskFile = Join-Path $taskDir 'task.json'
            $progressFile = Join-Path $taskDir 'progress.json'
            Mock New-CauctlUpdateCollection { New-FakeUpdateCollection }
            function Set-TaskField([string]$Name, $Value) {
                $task = Read-Json $taskFile
                $task.$Name = $Value
                [System.IO.File]::WriteAllText($taskFile, ($task | ConvertTo-Json -Depth 5))
            }
        }

        It 'installs the selected updates without source prompts and records per-update results and the reboot' {
            $updates = @(
                (New-FakeUpdate '5d1c0000-0000-0000-0000-000000000001' 'CU' '5031364'),
                (New-FakeUpdate '5d1c0000-0000-0000-0000-000000000009' 'Not selected' '5000000')
            )
            $session = New-FakeUpdateSession $updates @(2) @(0) $true
            Mock New-CauctlUpdateSession { $session }
            & $workerFile -TaskFile $taskFile
            $progress = Read-Json $progressFile
            $progress.message | Should -Be 'Install finished'
            $progress.state | Should -Be 'Completed'
            $progress.rebootRequired | Should -BeTrue
            @($progress.results).Count | Should -Be 1
            $progress.results[0].resultCode | Should -Be 'Succeeded'
            $progress.results[0].errorCode | Should -Be '0x0'
            $progress.results[0].kb | Should -Be 'KB5031364'
            $progress.results[0].rebootRequired | Should -BeTrue
            $installer = $session.CreateUpdateInstaller()
            Get-WuaCallCount $installer 'Install' | Should -Be 1
            $installer.AllowSourcePrompts | Should -BeFalse
            Get-WuaCallCount ($session.CreateUpdateDownloader()) 'Download' | Should -Be 1
            $session.CreateUpdateSearcher().__wua.values['criteria'] | Should -Be 'IsInstalled=0 and IsHidden=0'
        }

        It 'PreInstall (run --pre-install): installs only Software updates (Type 1) and reports a driver NotStarted, left for the window' {
            Set-TaskField 'mode' 'PreInstall'
            Set-TaskField 'updateIds' @('5d1c0000-0000-0000-0000-000000000001', '5d1c0000-0000-0000-0000-000000000002')
            $software = New-FakeUpdate '5d1c0000-0000-0000-0000-000000000001' 'CU' '5031364'
            $software.Type = 1
            $driver = New-FakeUpdate '5d1c0000-0000-0000-0000-000000000002' 'NIC driver' ''
            $driver.Type = 2
            $session = New-FakeUpdateSession @($software, $driver) @(2) @(0) $true
            Mock New-CauctlUpdateSession { $session }
            & $workerFile -TaskFile $taskFile
            $progress = Read-Json $progressFile
            $progress.state | Should -Be 'Completed'
            $byId = @{}
            foreach ($r in @($progress.results)) { $byId[[string]$r.updateId] = $r }
            $byId['5d1c0000-0000-0000-0000-000000000002'].resultCode | Should -Be 'NotStarted'
            $byId['5d1c0000-0000-0000-0000-000000000001'].resultCode | Should -Be 'Succeeded'
            $installer = $session.CreateUpdateInstaller()
            @($installer.Updates.__wua.values['items']).Count | Should -Be 1
        }

        It 'staging (Download) reports success from IUpdateDownloadResult, which has no RebootRequired' {
            Set-TaskField 'mode' 'Download'
            $session = New-FakeUpdateSession @((New-FakeUpdate '5d1c0000-0000-0000-0000-000000000001' 'CU' '5031364')) @(2) @(0) $true
            Mock New-CauctlUpdateSession { $session }
            & $workerFile -TaskFile $taskFile
            $progress = Read-Json $progressFile
            $progress.state | Should -Be 'Completed'
            $progress.results[0].resultCode | Should -Be 'Succeeded'
            $progress.results[0].rebootRequired | Should -BeFalse
            Get-WuaCallCount ($session.CreateUpdateInstaller()) 'Install' | Should -Be 0
        }

        It 'installs nothing when a download failed, and says which update failed and why' {
            $updates = @((New-FakeUpdate '5d1c0000-0000-0000-0000-000000000001' 'CU' '5031364'), (New-FakeUpdate '5d1c0000-0000-0000-0000-000000000002' 'SSU' '5031000'))
            Set-TaskField 'updateIds' @('5d1c0000-0000-0000-0000-000000000001', '5d1c0000-0000-0000-0000-000000000002')
            $session = New-FakeUpdateSession $updates @(2, 2) @(0, 0) $true @(2, 4)
            Mock New-CauctlUpdateSession { $session }
            & $workerFile -TaskFile $taskFile
            $progress = Read-Json $progressFile
            $progress.state | Should -Be 'Completed'
            $progress.rebootRequired | Should -BeFalse
            $progress.message | Should -Match 'Download failed for 1 of 2 updates; nothing was installed'
            ($progress.results | Where-Object kb -EQ 'KB5031000').resultCode | Should -Be 'Failed'
            ($progress.results | Where-Object kb -EQ 'KB5031000').errorCode | Should -Be '0x8024000b'
            ($progress.results | Where-Object kb -EQ 'KB5031364').resultCode | Should -Be 'Aborted'
            Get-WuaCallCount ($session.CreateUpdateInstaller()) 'Install' | Should -Be 0
        }

        It 'refuses to install when Windows Update needs a restart first: Failed, rebootRequired, nothing installed' {
            $session = New-FakeUpdateSession @((New-FakeUpdate '5d1c0000-0000-0000-0000-000000000001' 'CU' '5031364')) @(2) @(0) $true @() $true
            Mock New-CauctlUpdateSession { $session }
            & $workerFile -TaskFile $taskFile
            $progress = Read-Json $progressFile
            $progress.state | Should -Be 'Failed'
            $progress.rebootRequired | Should -BeTrue
            $progress.message | Should -Match '^REBOOT_PENDING: '
            Get-WuaCallCount ($session.CreateUpdateInstaller()) 'Install' | Should -Be 0
        }

        It 'searches feature updates (RollingUpgradePlugin) with DeploymentAction=''OptionalInstallation''' {
            Set-TaskField 'plugin' 'Microsoft.RollingUpgradePlugin'
            $session = New-FakeUpdateSession @((New-FakeUpdate '5d1c0000-0000-0000-0000-000000000001' 'Windows Server 2025' '')) @(2) @(0) $true
            Mock New-CauctlUpdateSession { $session }
            & $workerFile -TaskFile $taskFile
            $session.CreateUpdateSearcher().__wua.values['criteria'] | Should -Be "IsInstalled=0 and IsHidden=0 and DeploymentAction='OptionalInstallation'"
            (Read-Json $progressFile).results[0].resultCode | Should -Be 'Succeeded'
        }

        It 'records a failed install with its HRESULT as hex, and an update no longer offered as NotApplicable' {
            Set-TaskField 'updateIds' @('5d1c0000-0000-0000-0000-000000000001', 'gone')
            $session = New-FakeUpdateSession @((New-FakeUpdate '5d1c0000-0000-0000-0000-000000000001' 'CU' '5031364')) @(4) @(-2145124318) $false
            Mock New-CauctlUpdateSession { $session }
            & $workerFile -TaskFile $taskFile
            $progress = Read-Json $progressFile
            ($progress.results | Where-Object updateId -EQ 'gone').resultCode | Should -Be 'NotApplicable'
            $failed = $progress.results | Where-Object updateId -EQ '5d1c0000-0000-0000-0000-000000000001'
            $failed.resultCode | Should -Be 'Failed'
            $failed.errorCode | Should -Be '0x80240022'
        }

        It 'writes Failed with the message when Windows Update throws' {
            Mock New-CauctlUpdateSession { throw 'Access is denied. (0x80070005)' }
            & $workerFile -TaskFile $taskFile
            $progress = Read-Json $progressFile
            $progress.state | Should -Be 'Failed'
            $progress.message | Should -Match '0x80070005'
        }

        It 'an installer''s exit code is never null: Handle is read right after Start-Process' {
            # Models the .NET quirk: ExitCode reads $null unless the process handle was taken while it ran.
            Mock Start-Process {
                $process = [pscustomobject]@{ HandleRead = $false }
                $process | Add-Member -MemberType ScriptProperty -Name Handle -Value { $this.HandleRead = $true; [IntPtr]42 }
                $process | Add-Member -MemberType ScriptProperty -Name ExitCode -Value { if ($this.HandleRead) { 3010 } else { $null } }
                $process | Add-Member -MemberType ScriptMethod -Name WaitForExit -Value { param($ms) if ($null -ne $ms) { $true } }
                $process | Add-Member -MemberType ScriptMethod -Name Kill -Value { }
                $process
            }
            . ([scriptblock]::Create((Get-Content -Raw -LiteralPath $workerFile).Replace('$task = [System.IO.File]::ReadAllText($TaskFile) | ConvertFrom-Json', 'return').Replace('param([Parameter(Mandatory = $true)][string]$TaskFile)', 'param()')))
            Invoke-CauctlInstaller 'C:\Windows\System32\wusa.exe' '/quiet' 30 | Should -Be 3010
        }

        It 'HotfixPlugin: installs a FolderRules folder with its own rule: the update as the program, alwaysReboot, its exit conditions' {
            $root = Join-Path $TestDrive ('hotfix-folders-' + [guid]::NewGuid().ToString('N'))
            foreach ($dir in 'CAUHotfix_All/FolderRule1', 'NODE1/FolderRule1', 'NODE1/NoRuleHere') { New-Item -ItemType Directory -Path (Join-Path $root $dir) -Force | Out-Null }
            foreach ($name in 'CAUHotfix_All/FolderRule1/bios.exe', 'NODE1/FolderRule1/fw.exe', 'NODE1/NoRuleHere/x.exe') { Set-Content -LiteralPath (Join-Path $root $name) -Value 'x' }
            Copy-Item -LiteralPath (Join-Path $PSScriptRoot 'fixtures/DefaultHotfixConfig.xml') -Destination (Join-Path $root 'DefaultHotfixConfig.xml')
            $task = @{ plugin = 'Microsoft.HotfixPlugin'; arguments = @{ HotfixRootFolderPath = $root }; mode = 'Install'; taskId = 'run-1-NODE1-2'; progressFile = $progressFile
                updateIds = @('CAUHotfix_All\FolderRule1\bios.exe', 'NODE1\FolderRule1\fw.exe', 'NODE1\NoRuleHere\x.exe') }
            [System.IO.File]::WriteAllText($taskFile, ($task | ConvertTo-Json -Depth 5))
            Mock Invoke-CauctlInstaller { switch -Wildcard ($FilePath) { '*bios.exe' { 0 } '*fw.exe' { 5 } default { 0 } } }
            & $workerFile -TaskFile $taskFile
            $progress = Read-Json $progressFile
            $byId = @{}
            foreach ($r in $progress.results) { $byId[$r.updateId] = $r }
            # FolderRule1 is alwaysReboot: its Success code 0 means success with a restart.
            $byId['CAUHotfix_All\FolderRule1\bios.exe'].resultCode | Should -Be 'Succeeded'
            $byId['CAUHotfix_All\FolderRule1\bios.exe'].rebootRequired | Should -BeTrue
            # 5 is listed nowhere in FolderRule1: a failure, no restart.
            $byId['NODE1\FolderRule1\fw.exe'].resultCode | Should -Be 'Failed'
            $byId['NODE1\FolderRule1\fw.exe'].rebootRequired | Should -BeFalse
            # A folder with no rule is outside CAU's structure: nothing is run.
            $byId['NODE1\NoRuleHere\x.exe'].resultCode | Should -Be 'NotApplicable'
            $progress.rebootRequired | Should -BeTrue
            Should -Invoke Invoke-CauctlInstaller -Times 2 -Exactly
            # The rule's path is $update$: the firmware file is its own installer, run with the rule's parameters.
            Should -Invoke Invoke-CauctlInstaller -Times 1 -Exactly -ParameterFilter { $FilePath -like '*CAUHotfix_All?FolderRule1?bios.exe' -and $Arguments -eq '/s' }
        }

        It 'HotfixPlugin: reads a DefaultHotfixConfig.xml with a default namespace and classifies exit codes per ExitConditions' {
            $root = Join-Path $TestDrive ('hotfix-root-' + [guid]::NewGuid().ToString('N'))
            New-Item -ItemType Directory -Path (Join-Path $root 'CAUHotfix_All') -Force | Out-Null
            foreach ($name in 'a.msu', 'b.msu', 'c.msu', 'd.msu', 'e.msu', 'f.msi') { Set-Content -LiteralPath (Join-Path $root "CAUHotfix_All/$name") -Value 'x' }
            Copy-Item -LiteralPath (Join-Path $PSScriptRoot 'fixtures/DefaultHotfixConfig.xml') -Destination (Join-Path $root 'DefaultHotfixConfig.xml')
            $task = @{ plugin = 'Microsoft.HotfixPlugin'; arguments = @{ HotfixRootFolderPath = $root }; mode = 'Install'; taskId = 'run-1-NODE1-1'; progressFile = $progressFile
                updateIds = @('CAUHotfix_All\a.msu', 'CAUHotfix_All\b.msu', 'CAUHotfix_All\c.msu', 'CAUHotfix_All\d.msu', 'CAUHotfix_All\e.msu', 'CAUHotfix_All\f.msi', '..\outside.msu') }
            [System.IO.File]::WriteAllText($taskFile, ($task | ConvertTo-Json -Depth 5))
            Mock Invoke-CauctlInstaller {
                switch -Wildcard ($Arguments) { '*a.msu*' { 0 } '*b.msu*' { 3010 } '*c.msu*' { -2145124329 } '*d.msu*' { 1603 } '*f.msi*' { 1641 } default { $null } }
            }
            & $workerFile -TaskFile $taskFile
            $progress = Read-Json $progressFile
            $progress.state | Should -Be 'Completed'
            $byId = @{}
            foreach ($r in $progress.results) { $byId[$r.updateId] = $r }
            $byId['CAUHotfix_All\a.msu'].resultCode | Should -Be 'Succeeded'
            $byId['CAUHotfix_All\a.msu'].rebootRequired | Should -BeFalse
            $byId['CAUHotfix_All\b.msu'].rebootRequired | Should -BeTrue
            $byId['CAUHotfix_All\c.msu'].resultCode | Should -Be 'NotApplicable'
            # 1603 is not listed: a failure, and no restart.
            $byId['CAUHotfix_All\d.msu'].resultCode | Should -Be 'Failed'
            $byId['CAUHotfix_All\d.msu'].rebootRequired | Should -BeFalse
            $byId['CAUHotfix_All\d.msu'].errorCode | Should -Be '0x00000643'
            # The installer timed out.
            $byId['CAUHotfix_All\e.msu'].errorCode | Should -Be '0x800705b4'
            $byId['CAUHotfix_All\f.msi'].resultCode | Should -Be 'Succeeded'
            $byId['CAUHotfix_All\f.msi'].rebootRequired | Should -BeTrue
            $byId['..\outside.msu'].resultCode | Should -Be 'NotApplicable'
            $progress.rebootRequired | Should -BeTrue
            Should -Invoke Invoke-CauctlInstaller -Times 6 -Exactly
            Should -Invoke Invoke-CauctlInstaller -Times 1 -Exactly -ParameterFilter { $FilePath -like '*System32?wusa.exe' -and $Arguments -like '"*a.msu" /quiet /norestart' -and $TimeoutMinutes -eq 30 }
            Should -Invoke Invoke-CauctlInstaller -Times 1 -Exactly -ParameterFilter { $FilePath -like '*System32?msiexec.exe' -and $Arguments -like '/qn /norestart /i "*f.msi"' }
        }

        It 'setup media: runs setup.exe with the unattended in-place upgrade switches and explains a compatibility block' {
            $task = @{ plugin = 'Microsoft.RollingUpgradePlugin'; arguments = @{ WuConnected = 'false'; PathToSetupMedia = (Join-Path $TestDrive 'media'); ImageIndex = '4' }; mode = 'Install'; taskId = 'run-1-NODE1-1'; progressFile = $progressFile; updateIds = @('media') }
            [System.IO.File]::WriteAllText($taskFile, ($task | ConvertTo-Json -Depth 5))
            Mock Invoke-CauctlInstaller { -1047526904 }
            & $workerFile -TaskFile $taskFile
            (Read-Json $progressFile).message | Should -Match '^Windows Setup exited with 0xc1900208'
            Should -Invoke Invoke-CauctlInstaller -Times 1 -Exactly -ParameterFilter {
                $FilePath -like '*media?setup.exe' -and $Arguments -eq '/Auto Upgrade /Quiet /NoReboot /EULA Accept /DynamicUpdate Disable /Compat IgnoreWarning /ImageIndex 4'
            }
            $progress = Read-Json $progressFile
            $progress.results[0].resultCode | Should -Be 'Failed'
            $progress.results[0].errorCode | Should -Be '0xc1900208'
            $progress.message | Should -Match 'incompatible app or driver'
            $progress.rebootRequired | Should -BeFalse
        }

        It 'setup media: exit code 0 is the first phase done, with the restart still to come' {
            $task = @{ plugin = 'Microsoft.RollingUpgradePlugin'; arguments = @{ WuConnected = 'false'; PathToSetupMedia = (Join-Path $TestDrive 'media') }; mode = 'Install'; taskId = 'run-1-NODE1-1'; progressFile = $progressFile; updateIds = @('media') }
            [System.IO.File]::WriteAllText($taskFile, ($task | ConvertTo-Json -Depth 5))
            Mock Invoke-CauctlInstaller { 0 }
            & $workerFile -TaskFile $taskFile
            Should -Invoke Invoke-CauctlInstaller -Times 1 -Exactly -ParameterFilter { $Arguments -notmatch 'ImageIndex' }
            $progress = Read-Json $progressFile
            $progress.results[0].resultCode | Should -Be 'Succeeded'
            $progress.rebootRequired | Should -BeTrue
        }
    }
}

# Pester tests for src/cluster/scripts/start-update-task.ps1 and the update worker it writes: scheduled-task
# cmdlets and the Windows Update COM wrappers mocked, ProgramData redirected to TestDrive.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'helpers/FakeWindowsUpdate.ps1')
    $savedProgramData = $env:ProgramData
}
AfterAll { $env:ProgramData = $savedProgramData }

Describe 'start-update-task' {
    BeforeEach {
        $env:ProgramData = Join-Path $TestDrive ([guid]::NewGuid().ToString())
        New-Item -ItemType Directory -Path $env:ProgramData | Out-Null
        Mock Get-ScheduledTask { $null }
        Mock New-ScheduledTaskAction { [pscustomobject]@{ Execute = $Execute; Arguments = $Argument } }
        Mock New-ScheduledTaskPrincipal { [pscustomobject]@{ UserId = $UserId; LogonType = $LogonType; RunLevel = $RunLevel } }
        Mock New-ScheduledTaskSettingsSet { [pscustomobject]@{} }
        Mock Register-ScheduledTask { }
        Mock Start-ScheduledTask { }
        $params = @{ plugin = 'Microsoft.WindowsUpdatePlugin'; arguments = @{ QueryString = "IsInstalled=0; `$(Get-Date)" }; mode = 'Install'; updateIds = @('5d1c0000-0000-0000-0000-000000000001'); taskId = 'run-1-NODE1-1' }
    }

    It 'registers a one-shot task as SYSTEM running the worker, then starts it' {
        $result = Invoke-ViaBootstrap 'start-update-task' $params
        $result.Outcome.data.taskId | Should -Be 'run-1-NODE1-1'
        $result.Outcome.data.alreadyStarted | Should -BeFalse
        Should -Invoke Register-ScheduledTask -Times 1 -Exactly -ParameterFilter {
            $TaskName -eq 'cauctl-run-1-NODE1-1' -and $TaskPath -eq '\cauctl\' -and $Principal.UserId -eq 'SYSTEM' -and
            $Principal.RunLevel -eq 'Highest' -and $null -eq $Trigger -and $Action.Execute -eq 'powershell.exe' -and
            $Action.Arguments -match '-File ".*update-worker\.ps1" -TaskFile ".*task\.json"'
        }
        Should -Invoke Start-ScheduledTask -Times 1 -Exactly -ParameterFilter { $TaskName -eq 'cauctl-run-1-NODE1-1' }
        Save-OperationJson 'start-update-task' $result
    }

    It 'writes the worker verbatim and the parameters (hostile text included) as JSON data' {
        Invoke-ViaBootstrap 'start-update-task' $params | Out-Null
        $base = Join-Path $env:ProgramData 'cauctl'
        $worker = Get-Content -Raw -LiteralPath (Join-Path $base 'update-worker.ps1')
        $worker | Should -Match '^# cauctl update worker'
        $worker | Should -Not -Match 'Get-Date\)'
        $task = Get-Content -Raw -LiteralPath (Join-Path $base 'run-1-NODE1-1/task.json') | ConvertFrom-Json
        $task.arguments.QueryString | Should -BeExactly "IsInstalled=0; `$(Get-Date)"
        $task.updateIds | Should -Be @('5d1c0000-0000-0000-0000-000000000001')
        (Get-Content -Raw -LiteralPath (Join-Path $base 'run-1-NODE1-1/progress.json') | ConvertFrom-Json).message | Should -Be 'queued'
    }

    It 'starts once: a second call with the same taskId reports alreadyStarted' {
        Invoke-ViaBootstrap 'start-update-task' $params | Out-Null
        $again = Invoke-ViaBootstrap 'start-update-task' $params
        $again.Outcome.data.alreadyStarted | Should -BeTrue
        Should -Invoke Register-ScheduledTask -Times 1 -Exactly
        Save-OperationJson 'start-update-task' $again 'again'
    }

    It 'refuses a taskId that could escape its folder' {
        $params.taskId = '..\..\x'
        (Invoke-ViaBootstrap 'start-update-task' $params).Outcome.ok | Should -BeFalse
        Should -Invoke Register-ScheduledTask -Times 0 -Exactly
    }

    Context 'the worker' {
        BeforeEach {
            Invoke-ViaBootstrap 'start-update-task' $params | Out-Null
            $base = Join-Path $env:ProgramData 'cauctl'
            $workerFile = Join-Path $base 'update-worker.ps1'
            $taskFile = Join-Path $base 'run-1-NODE1-1/task.json'
            $progressFile = Join-Path $base 'run-1-NODE1-1/progress.json'
        }

        It 'installs the selected updates and records per-update results and the reboot' {
            $updates = @(
                (New-FakeUpdate '5d1c0000-0000-0000-0000-000000000001' 'CU' '5031364'),
                (New-FakeUpdate '5d1c0000-0000-0000-0000-000000000009' 'Not selected' '5000000')
            )
            $session = New-FakeUpdateSession $updates @(2) @(0) $true
            Mock New-CauctlUpdateSession { $session }
            Mock New-CauctlUpdateCollection { New-FakeUpdateCollection }
            & $workerFile -TaskFile $taskFile
            $progress = Get-Content -Raw -LiteralPath $progressFile | ConvertFrom-Json
            $progress.state | Should -Be 'Completed'
            $progress.rebootRequired | Should -BeTrue
            @($progress.results).Count | Should -Be 1
            $progress.results[0].resultCode | Should -Be 'Succeeded'
            $progress.results[0].errorCode | Should -Be '0x0'
            $progress.results[0].kb | Should -Be 'KB5031364'
            $session.Installer.Called | Should -Be 1
            $session.Downloader.Called | Should -Be 1
        }

        It 'records a failed install with its HRESULT as hex, and an update no longer offered as NotApplicable' {
            $task = Get-Content -Raw -LiteralPath $taskFile | ConvertFrom-Json
            $task.updateIds = @('5d1c0000-0000-0000-0000-000000000001', 'gone')
            [System.IO.File]::WriteAllText($taskFile, ($task | ConvertTo-Json -Depth 5))
            $session = New-FakeUpdateSession @((New-FakeUpdate '5d1c0000-0000-0000-0000-000000000001' 'CU' '5031364')) @(4) @(-2145124318) $false
            Mock New-CauctlUpdateSession { $session }
            Mock New-CauctlUpdateCollection { New-FakeUpdateCollection }
            & $workerFile -TaskFile $taskFile
            $progress = Get-Content -Raw -LiteralPath $progressFile | ConvertFrom-Json
            ($progress.results | Where-Object updateId -EQ 'gone').resultCode | Should -Be 'NotApplicable'
            $failed = $progress.results | Where-Object updateId -EQ '5d1c0000-0000-0000-0000-000000000001'
            $failed.resultCode | Should -Be 'Failed'
            $failed.errorCode | Should -Be '0x80240022'
        }

        It 'writes Failed with the message when Windows Update throws' {
            Mock New-CauctlUpdateSession { throw 'Access is denied. (0x80070005)' }
            & $workerFile -TaskFile $taskFile
            $progress = Get-Content -Raw -LiteralPath $progressFile | ConvertFrom-Json
            $progress.state | Should -Be 'Failed'
            $progress.message | Should -Match '0x80070005'
        }

        It 'HotfixPlugin: runs each file with the template and classifies exit codes per ExitConditions' {
            $root = Join-Path $TestDrive 'hotfix-root'
            New-Item -ItemType Directory -Path (Join-Path $root 'CAUHotfix_All') -Force | Out-Null
            foreach ($name in 'a.msu', 'b.msu', 'c.msu', 'd.msu', 'e.msu') { Set-Content -LiteralPath (Join-Path $root "CAUHotfix_All/$name") -Value 'x' }
            $config = '<HotfixConfiguration><DefaultRules><ExtensionRules><Extension name="MSU"><Template path="%systemroot%\System32\wusa.exe" parameters="$update$ /quiet /norestart" />' +
                '<ExitConditions><Success><ExitCode Code="0" /></Success><Success_RebootRequired><ExitCode Code="3010" /></Success_RebootRequired>' +
                '<AlreadyInstalled><ExitCode Code="0x00240006" /></AlreadyInstalled><NotApplicable><ExitCode Code="0x80240017" /></NotApplicable></ExitConditions></Extension></ExtensionRules></DefaultRules></HotfixConfiguration>'
            Set-Content -LiteralPath (Join-Path $root 'DefaultHotfixConfig.xml') -Value $config
            $task = @{ plugin = 'Microsoft.HotfixPlugin'; arguments = @{ HotfixRootFolderPath = $root }; mode = 'Install'; taskId = 'run-1-NODE1-1'; progressFile = $progressFile
                updateIds = @('CAUHotfix_All\a.msu', 'CAUHotfix_All\b.msu', 'CAUHotfix_All\c.msu', 'CAUHotfix_All\d.msu', 'CAUHotfix_All\e.msu', '..\outside.msu') }
            [System.IO.File]::WriteAllText($taskFile, ($task | ConvertTo-Json -Depth 5))
            Mock Invoke-CauctlInstaller {
                switch -Wildcard ($Arguments) { '*a.msu*' { 0 } '*b.msu*' { 3010 } '*c.msu*' { -2145124329 } '*d.msu*' { 1603 } default { $null } }
            }
            & $workerFile -TaskFile $taskFile
            $progress = Get-Content -Raw -LiteralPath $progressFile | ConvertFrom-Json
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
            $byId['..\outside.msu'].resultCode | Should -Be 'NotApplicable'
            $progress.rebootRequired | Should -BeTrue
            Should -Invoke Invoke-CauctlInstaller -Times 5 -Exactly
            Should -Invoke Invoke-CauctlInstaller -Times 1 -Exactly -ParameterFilter { $FilePath -like '*System32?wusa.exe' -and $Arguments -like '"*a.msu" /quiet /norestart' -and $TimeoutMinutes -eq 30 }
        }
    }
}

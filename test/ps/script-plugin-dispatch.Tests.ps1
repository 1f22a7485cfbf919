# Pester tests for the script plug-in dispatch (docs/plugins.md): scan-updates runs a registered plug-in's
# scan.ps1 sent as data, start-update-task's SYSTEM worker runs its install.ps1 and wait-update-task reports the
# results, under StrictMode, through the real bootstrap. The plug-in is the shipped example
# (examples/plugins/contoso-firmware), unchanged. For the scan its vendor CLI is a fake fwtool executable that
# answers as Contoso documents (argv in, JSON on stdout) and records its argv, so the plug-in's own wrapper runs
# too; for the install, whose exit codes (3010, 1603) do not fit a Linux process's 8-bit exit status, the
# plug-in's wrapper Invoke-ContosoFwTool (its documented seam: @{ Output; ExitCode }) is mocked. Scheduled tasks
# are the in-process fake of CauctlTestHelpers.ps1.
AfterAll { Remove-Item -Path 'function:global:Invoke-ContosoFwTool' -ErrorAction SilentlyContinue }
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    $env:COMPUTERNAME = 'NODE1'
    $pluginDir = Join-Path $PSScriptRoot '../../examples/plugins/contoso-firmware'
    $scanText = [System.IO.File]::ReadAllText((Join-Path $pluginDir 'scan.ps1'))
    $installText = [System.IO.File]::ReadAllText((Join-Path $pluginDir 'install.ps1'))
    $hostile = "\\fw01\firmware'; Stop-Computer #`$(Get-Date)"

    # The plug-in's own wrapper: defined when its script runs, but Mock needs it to exist first.
    Set-Item -Path 'function:global:Invoke-ContosoFwTool' -Value { param([string]$Path, [string[]]$ArgumentList) throw 'stub Invoke-ContosoFwTool called without a Mock' }
    # The vendor CLI: an executable, as on a node. Each call appends its argv (one per line) and '---' to
    # <tool>.calls; 'inventory' prints <tool>.inventory; 'apply' exits 0.
    function New-FakeFwTool([string]$Inventory) {
        $tool = Join-Path $TestDrive ('fwtool-' + [guid]::NewGuid().ToString('N'))
        $body = @(
            '#!/bin/sh'
            'printf ''%s\n'' "$@" >> "$0.calls"; echo --- >> "$0.calls"'
            'case "$1" in'
            '  inventory) cat "$0.inventory"; exit 0 ;;'
            '  apply) exit 0 ;;'
            'esac'
            'exit 64'
        ) -join "`n"
        [System.IO.File]::WriteAllText($tool, $body + "`n")
        & chmod +x $tool
        [System.IO.File]::WriteAllText($tool + '.inventory', $Inventory)
        $tool
    }
    function Get-FakeFwToolCalls([string]$Tool) {
        if (-not (Test-Path -LiteralPath ($Tool + '.calls'))) { return , @() }
        $calls = @()
        $current = @()
        foreach ($line in [System.IO.File]::ReadAllLines($Tool + '.calls')) {
            if ($line -eq '---') { $calls += , @($current); $current = @() } else { $current += $line }
        }
        , $calls
    }
    $inventory = '{"components":[{"id":"bios","name":"BIOS","installedVersion":"2.1.0","availableVersion":"2.3.1","updateAvailable":true},{"id":"bmc","name":"BMC","installedVersion":"5.0","availableVersion":"5.0","updateAvailable":false},{"id":"nic","name":"NIC","installedVersion":"9.2","availableVersion":"9.4","updateAvailable":true}]}'
    function Invoke-PluginScan([string]$Text, [hashtable]$Arguments, $Credential = $null) {
        $params = @{ plugin = 'Contoso.FirmwarePlugin'; arguments = $Arguments; pluginScript = $Text; networkCredential = $Credential }
        Invoke-ViaBootstrap 'scan-updates' $params
    }
}

Describe 'scan-updates with a script plug-in' {
    It 'runs its scan.ps1 with the arguments as named parameters (data, verbatim) and returns updates in the catalogue schema' {
        $tool = New-FakeFwTool $inventory
        $result = Invoke-PluginScan $scanText @{ Repository = $hostile; ToolPath = $tool }
        $result.Outcome.ok | Should -BeTrue
        $updates = @($result.Outcome.data.updates)
        $updates.updateId | Should -Be @('contoso-fw:bios:2.3.1', 'contoso-fw:nic:9.4')
        $updates[0].title | Should -Be 'Contoso BIOS firmware 2.3.1 (installed 2.1.0)'
        $updates[0].kb | Should -Be ''
        $updates[0].rebootRequired | Should -BeTrue
        # One argv element each, the hostile text included: nothing was parsed as code anywhere on the way.
        $calls = Get-FakeFwToolCalls $tool
        $calls.Count | Should -Be 1
        $calls[0] | Should -Be @('inventory', '--repository', $hostile, '--json')
        Save-OperationJson 'scan-updates' $result 'script-plugin'
    }

    It 'keeps an empty list a JSON array' {
        $tool = New-FakeFwTool '{"components":[]}'
        (Invoke-PluginScan $scanText @{ Repository = '\\fw01\firmware'; ToolPath = $tool }).Json | Should -Match '"updates":\[\]'
    }

    It 'with the password, runs scan.ps1 in a fresh Password logon as the admin account (the repository is a share)' {
        $saved = $env:ProgramData
        try {
            Set-CauctlTaskSchedulerFake
            $tool = New-FakeFwTool $inventory
            $result = Invoke-PluginScan $scanText @{ Repository = '\\fw01\firmware'; ToolPath = $tool } (New-CauctlTestCredential)
            @($result.Outcome.data.updates).updateId | Should -Be @('contoso-fw:bios:2.3.1', 'contoso-fw:nic:9.4')
            $global:CauctlTaskScheduler.history[0].user | Should -Be 'CONTOSO\admin'
            $global:CauctlTaskScheduler.registered.Count | Should -Be 0
        } finally {
            $env:ProgramData = $saved
            Remove-Variable -Name CauctlTaskScheduler -Scope Global -ErrorAction SilentlyContinue
        }
    }

    It 'without it, an access denial in scan.ps1 is NETWORK_CREDENTIAL_REQUIRED, never "nothing found"' {
        $denied = 'param([string]$Repository) throw (New-Object System.UnauthorizedAccessException ("Access to the path " + $Repository + " is denied."))'
        $result = Invoke-PluginScan $denied @{ Repository = '\\fw01\firmware' }
        $result.Outcome.error.code | Should -Be 'NETWORK_CREDENTIAL_REQUIRED'
    }

    It 'a failing scan.ps1 is SCRIPT_ERROR naming the plug-in, the script and the node' {
        $tool = New-FakeFwTool $inventory
        Remove-Item -LiteralPath $tool
        $result = Invoke-PluginScan $scanText @{ Repository = '\\fw01\firmware'; ToolPath = $tool }
        $result.Outcome.error.code | Should -Be 'SCRIPT_ERROR'
        $result.Outcome.error.message | Should -Match '^Contoso\.FirmwarePlugin scan\.ps1 on NODE1 failed: fwtool\.exe was not found at '
    }

    It 'refuses an answer outside the schema, naming the field: <case>' -TestCases @(
        @{ case = 'a flag as text'; text = '@{ updates = @(@{ updateId = "a"; title = "A"; kb = ""; rebootRequired = "yes" }) }'; field = 'updates\[0\]\.rebootRequired missing or not \$true/\$false' }
        @{ case = 'an empty id'; text = '@{ updates = @(@{ updateId = ""; title = "A"; kb = ""; rebootRequired = $true }) }'; field = 'updates\[0\]\.updateId empty' }
        @{ case = 'no kb'; text = '@{ updates = @(@{ updateId = "a"; title = "A"; rebootRequired = $true }) }'; field = 'updates\[0\]\.kb missing or not a string' }
        @{ case = 'no list'; text = '@{ found = @() }'; field = 'no ''updates'' list' }
        @{ case = 'stray output'; text = '"fwtool 3.1 ready"; @{ updates = @() }'; field = '2 objects; its output must be exactly one hashtable' }
        @{ case = 'nothing'; text = '$null = 1'; field = '0 objects' }
        @{ case = 'a string'; text = '"done"'; field = 'a String, not a hashtable' }
    ) {
        $result = Invoke-PluginScan $text @{}
        $result.Outcome.error.code | Should -Be 'PLUGIN_OUTPUT_INVALID'
        $result.Outcome.error.message | Should -Match ('^Contoso\.FirmwarePlugin scan\.ps1 on NODE1 returned ' + $field)
    }

    It 'refuses a plug-in that is not built in and came without its script' {
        $result = Invoke-ViaBootstrap 'scan-updates' @{ plugin = 'Contoso.FirmwarePlugin'; arguments = @{} }
        $result.Outcome.error.code | Should -Be 'SCRIPT_ERROR'
        $result.Outcome.error.message | Should -Match 'no scan\.ps1 came with it'
    }
}

Describe 'install.ps1 in the SYSTEM update task' {
    BeforeEach {
        $savedProgramData = $env:ProgramData
        Set-CauctlTaskSchedulerFake
        $ids = @('contoso-fw:bios:2.3.1', 'contoso-fw:nic:9.4')
        function Start-PluginTask([string]$Text, [hashtable]$Arguments, [string[]]$UpdateIds, [string]$Mode = 'Install') {
            Invoke-ViaBootstrap 'start-update-task' @{ plugin = 'Contoso.FirmwarePlugin'; arguments = $Arguments; mode = $Mode; updateIds = $UpdateIds; taskId = 'run-1-NODE1-a1-r1-p0'; pluginScript = $Text }
        }
        function Wait-PluginTask { Invoke-ViaBootstrap 'wait-update-task' @{ taskId = 'run-1-NODE1-a1-r1-p0'; timeoutSeconds = 0 } }
    }
    AfterEach {
        $env:ProgramData = $savedProgramData
        Remove-Variable -Name CauctlTaskScheduler -Scope Global -ErrorAction SilentlyContinue
    }

    It 'runs as SYSTEM, with -UpdateIds and the arguments as data, and reports per-update results, exit codes and the restart' {
        Mock Invoke-ContosoFwTool { switch ($ArgumentList[4]) { 'bios' { @{ Output = ''; ExitCode = 3010 } } default { @{ Output = 'flash failed'; ExitCode = 1603 } } } }
        $start = Start-PluginTask $installText @{ Repository = $hostile; ToolPath = 'D:\Tools\fwtool.exe' } $ids
        $start.Outcome.data.alreadyStarted | Should -BeFalse
        $global:CauctlTaskScheduler.history[0].system | Should -BeTrue
        $global:CauctlTaskScheduler.history[0].user | Should -BeNullOrEmpty
        $wait = Wait-PluginTask
        $wait.Outcome.data.state | Should -Be 'Completed'
        $wait.Outcome.data.rebootRequired | Should -BeTrue
        $r = @($wait.Outcome.data.results)
        $r.updateId | Should -Be $ids
        $r[0].resultCode | Should -Be 'Succeeded'
        $r[0].errorCode | Should -Be '0x0'
        $r[0].rebootRequired | Should -BeTrue
        $r[1].resultCode | Should -Be 'Failed'
        $r[1].errorCode | Should -Be '0x00000643'
        $r[1].rebootRequired | Should -BeFalse
        Should -Invoke Invoke-ContosoFwTool -Times 1 -Exactly -ParameterFilter { $Path -eq 'D:\Tools\fwtool.exe' -and ($ArgumentList -join '|') -ceq ('apply|--repository|' + $hostile + '|--component|bios|--version|2.3.1') }
        Save-OperationJson 'wait-update-task' $wait 'script-plugin'
        Save-OperationJson 'start-update-task' $start 'script-plugin'
    }

    It 'a plug-in that applies without a restart says so: no restart asked' {
        Mock Invoke-ContosoFwTool { @{ Output = ''; ExitCode = 0 } }
        Start-PluginTask $installText @{ Repository = '\\fw01\fw' } $ids | Out-Null
        $wait = Wait-PluginTask
        $wait.Outcome.data.rebootRequired | Should -BeFalse
        @($wait.Outcome.data.results).resultCode | Should -Be @('Succeeded', 'Succeeded')
    }

    It 'writes the plug-in''s script into task.json as data, never into the worker' {
        $marker = '# contoso-marker ' + [guid]::NewGuid().ToString('N')
        Mock Start-ScheduledTask { }
        Start-PluginTask ($installText + "`n" + $marker) @{ Repository = '\\fw01\fw' } $ids | Out-Null
        $dir = Join-Path (Join-Path $env:ProgramData 'cauctl') 'run-1-NODE1-a1-r1-p0'
        [System.IO.File]::ReadAllText((Join-Path $dir 'worker.ps1')) | Should -Not -Match 'contoso-marker'
        $task = [System.IO.File]::ReadAllText((Join-Path $dir 'task.json')) | ConvertFrom-Json
        $task.pluginScript | Should -BeExactly ($installText + "`n" + $marker)
        $task.helpers | Should -Match 'function ConvertTo-CauctlPluginOutcome'
    }

    It 'an id the plug-in returns no result for is Failed, and the message says so' {
        $partial = 'param([string[]]$UpdateIds, [string]$Repository) @{ results = @(@{ updateId = $UpdateIds[0]; kb = ""; title = "BIOS"; resultCode = "Succeeded"; errorCode = "0x0"; rebootRequired = $false }); rebootRequired = $false }'
        Start-PluginTask $partial @{ Repository = '\\fw01\fw' } $ids | Out-Null
        $wait = Wait-PluginTask
        @($wait.Outcome.data.results).resultCode | Should -Be @('Succeeded', 'Failed')
        $wait.Outcome.data.message | Should -Match 'Contoso\.FirmwarePlugin install\.ps1 on NODE1 returned no result for contoso-fw:nic:9\.4; counted as Failed'
    }

    It 'an answer outside the schema ends the task Failed, naming the field' {
        $bad = 'param([string[]]$UpdateIds, [string]$Repository) @{ results = @(@{ updateId = "KB1"; kb = ""; title = ""; resultCode = "Succeeded"; errorCode = "0x0"; rebootRequired = $false }); rebootRequired = $false }'
        Start-PluginTask $bad @{ Repository = '\\fw01\fw' } $ids | Out-Null
        $wait = Wait-PluginTask
        $wait.Outcome.data.state | Should -Be 'Failed'
        $wait.Outcome.data.message | Should -Match 'results\[0\]\.updateId ''KB1'', which it was not asked to install'
    }

    It 'a throwing install.ps1 ends the task Failed with its message' {
        Start-PluginTask 'param([string[]]$UpdateIds) throw "flash controller busy"' @{} $ids | Out-Null
        $wait = Wait-PluginTask
        $wait.Outcome.data.state | Should -Be 'Failed'
        $wait.Outcome.data.message | Should -Be 'Contoso.FirmwarePlugin install.ps1 on NODE1 failed: flash controller busy'
    }

    It 'Download (staging) has nothing to do: Completed at once, install.ps1 not run' {
        Mock Invoke-ContosoFwTool { @{ Output = ''; ExitCode = 0 } }
        Start-PluginTask $installText @{ Repository = '\\fw01\fw' } $ids 'Download' | Out-Null
        $wait = Wait-PluginTask
        $wait.Outcome.data.state | Should -Be 'Completed'
        @($wait.Outcome.data.results).Count | Should -Be 0
        Should -Invoke Invoke-ContosoFwTool -Times 0 -Exactly
    }

    It 'refuses PreInstall for a script plug-in (PRE_INSTALL_REFUSED): firmware waits for the window' {
        $result = Start-PluginTask $installText @{ Repository = '\\fw01\fw' } $ids 'PreInstall'
        $result.Outcome.error.code | Should -Be 'PRE_INSTALL_REFUSED'
    }
}

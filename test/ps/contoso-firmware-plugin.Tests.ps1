# Pester tests for the example script plug-in examples/plugins/contoso-firmware (docs/plugins.md): scan.ps1 and
# install.ps1 run through the real bootstrap as a node runs them, under StrictMode, with the vendor CLI
# (fwtool.exe, behind Invoke-ContosoFwTool) mocked from Contoso's documented JSON and exit codes.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    $pluginDir = Join-Path $PSScriptRoot '../../examples/plugins/contoso-firmware'
    $scanText = [System.IO.File]::ReadAllText((Join-Path $pluginDir 'scan.ps1'))
    $installText = [System.IO.File]::ReadAllText((Join-Path $pluginDir 'install.ps1'))
    # The script's own wrapper: defined when it runs, but Mock needs it to exist first.
    Set-Item -Path 'function:global:Invoke-ContosoFwTool' -Value { param([string]$Path, [string[]]$ArgumentList) throw 'stub Invoke-ContosoFwTool called without a Mock' }
    $inventoryJson = '{"components":[{"id":"bios","name":"BIOS","installedVersion":"2.1.0","availableVersion":"2.3.1","updateAvailable":true},{"id":"bmc","name":"BMC","installedVersion":"5.0","availableVersion":"5.0","updateAvailable":false},{"id":"nic-x710","name":"NIC X710","installedVersion":"9.20","availableVersion":"9.40","updateAvailable":true}]}'
}
AfterAll { Remove-Item -Path 'function:global:Invoke-ContosoFwTool' -ErrorAction SilentlyContinue }

Describe 'Contoso.FirmwarePlugin scan.ps1' {
    It 'lists the components with an update, each needing a restart, with the repository passed as data' {
        Mock Invoke-ContosoFwTool { @{ Output = $inventoryJson; ExitCode = 0 } }
        $result = Invoke-ViaBootstrap 'plugin-scan' @{ Repository = "\\fw01\firmware'; Stop-Computer #" } $scanText
        $result.Outcome.ok | Should -BeTrue
        $updates = @($result.Outcome.data.updates)
        $updates.Count | Should -Be 2
        $updates[0].updateId | Should -Be 'contoso-fw:bios:2.3.1'
        $updates[0].title | Should -Be 'Contoso BIOS firmware 2.3.1 (installed 2.1.0)'
        $updates[0].rebootRequired | Should -BeTrue
        $updates[1].updateId | Should -Be 'contoso-fw:nic-x710:9.40'
        Should -Invoke Invoke-ContosoFwTool -Times 1 -Exactly -ParameterFilter {
            $Path -eq 'C:\Program Files\Contoso\FwTool\fwtool.exe' -and ($ArgumentList -join '|') -eq "inventory|--repository|\\fw01\firmware'; Stop-Computer #|--json"
        }
    }

    It 'keeps an empty list a JSON array when nothing applies' {
        Mock Invoke-ContosoFwTool { @{ Output = '{"components":[]}'; ExitCode = 0 } }
        (Invoke-ViaBootstrap 'plugin-scan' @{ Repository = '\\fw01\firmware' } $scanText).Json | Should -Match '"updates":\[\]'
    }

    It 'fails with the tool''s exit code and output when the inventory fails' {
        Mock Invoke-ContosoFwTool { @{ Output = 'repository not reachable'; ExitCode = 5 } }
        $result = Invoke-ViaBootstrap 'plugin-scan' @{ Repository = '\\fw01\firmware' } $scanText
        $result.Outcome.ok | Should -BeFalse
        $result.Outcome.error.message | Should -Match 'fwtool.exe inventory exited 5: repository not reachable'
    }
}

Describe 'Contoso.FirmwarePlugin install.ps1' {
    It 'applies each component and reports Succeeded, AlreadyInstalled and Failed by exit code, with the restart' {
        Mock Invoke-ContosoFwTool {
            switch ($ArgumentList[4]) { 'bios' { @{ Output = ''; ExitCode = 3010 } } 'bmc' { @{ Output = ''; ExitCode = 2 } } default { @{ Output = 'flash failed'; ExitCode = 1603 } } }
        }
        $ids = @('contoso-fw:bios:2.3.1', 'contoso-fw:bmc:5.0', 'contoso-fw:nic-x710:9.40')
        $result = Invoke-ViaBootstrap 'plugin-install' @{ UpdateIds = $ids; Repository = '\\fw01\firmware'; ToolPath = 'D:\Tools\fwtool.exe' } $installText
        $result.Outcome.ok | Should -BeTrue
        $r = @($result.Outcome.data.results)
        $r.Count | Should -Be 3
        $r[0].resultCode | Should -Be 'Succeeded'
        $r[0].rebootRequired | Should -BeTrue
        $r[1].resultCode | Should -Be 'AlreadyInstalled'
        $r[2].resultCode | Should -Be 'Failed'
        $r[2].errorCode | Should -Be '0x00000643'
        $result.Outcome.data.rebootRequired | Should -BeTrue
        Should -Invoke Invoke-ContosoFwTool -Times 1 -Exactly -ParameterFilter { $Path -eq 'D:\Tools\fwtool.exe' -and ($ArgumentList -join ' ') -eq 'apply --repository \\fw01\firmware --component bios --version 2.3.1' }
    }

    It 'fails an id it did not issue without calling the tool' {
        Mock Invoke-ContosoFwTool { @{ Output = ''; ExitCode = 0 } }
        $result = Invoke-ViaBootstrap 'plugin-install' @{ UpdateIds = @('KB5031364'); Repository = '\\fw01\firmware' } $installText
        @($result.Outcome.data.results)[0].resultCode | Should -Be 'Failed'
        $result.Outcome.data.rebootRequired | Should -BeFalse
        Should -Invoke Invoke-ContosoFwTool -Times 0 -Exactly
    }
}

Describe 'Contoso.FirmwarePlugin under ConstrainedLanguage (Application Control)' {
    # cauctl's own node scripts refuse ConstrainedLanguage today (CONSTRAINED_LANGUAGE); the example is written
    # so that it would run there too: no New-Object, no method call on a type outside the core list. Run in a
    # separate pwsh process: once a process has used ConstrainedLanguage, PowerShell checks data trust in every
    # runspace of it, which would change what the other test files see. The vendor CLI is a fake fwtool
    # executable (Linux: exit codes are 8-bit, so only 0 is used here; the other codes are covered above).
    BeforeAll {
        $tool = Join-Path $TestDrive 'fwtool'
        [System.IO.File]::WriteAllText($tool, "#!/bin/sh`ncase `"`$1`" in inventory) echo '" + $inventoryJson + "' ;; esac`nexit 0`n")
        & chmod +x $tool
        $driver = Join-Path $TestDrive 'constrained.ps1'
        $driverText = @(
            'param([string]$ScanPath, [string]$InstallPath, [string]$ToolPath)'
            '$ExecutionContext.SessionState.LanguageMode = "ConstrainedLanguage"'
            '$scan = & $ScanPath -Repository "\\fw01\firmware" -ToolPath $ToolPath'
            '$install = & $InstallPath -UpdateIds @("contoso-fw:bios:2.3.1", "bad id") -Repository "\\fw01\firmware" -ToolPath $ToolPath'
            'ConvertTo-Json -Compress -Depth 5 -InputObject @{ mode = [string]$ExecutionContext.SessionState.LanguageMode; scan = $scan; install = $install }'
        ) -join "`n"
        [System.IO.File]::WriteAllText($driver, $driverText)
    }
    It 'scan.ps1 and install.ps1 run with the language mode ConstrainedLanguage' {
        $pwsh = Join-Path $PSHOME 'pwsh'
        $json = & $pwsh -NoProfile -NonInteractive -File $driver -ScanPath (Join-Path $pluginDir 'scan.ps1') -InstallPath (Join-Path $pluginDir 'install.ps1') -ToolPath $tool
        $LASTEXITCODE | Should -Be 0
        $answer = ($json -join "`n") | ConvertFrom-Json
        $answer.mode | Should -Be 'ConstrainedLanguage'
        @($answer.scan.updates).updateId | Should -Be @('contoso-fw:bios:2.3.1', 'contoso-fw:nic-x710:9.40')
        @($answer.install.results).resultCode | Should -Be @('Succeeded', 'Failed')
        @($answer.install.results)[1].errorCode | Should -Be '0x80070057'
    }
}

# Pester tests for src/plugins/check-syntax.ps1 (PowerShell's parser plus the Windows PowerShell 5.1 rules), which
# register-plugin runs on a script plug-in's scan.ps1 and install.ps1: several paths in one call, a clean script,
# a parse error and a PowerShell 7-only construct, each reported as file:line:column: rule: message.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    $checker = Join-Path $PSScriptRoot '../../src/plugins/check-syntax.ps1'
    $fixtures = Join-Path $PSScriptRoot 'fixtures'
    $pluginDir = Join-Path $PSScriptRoot '../../examples/plugins/contoso-firmware'
    function Invoke-Checker([string[]]$Paths) {
        $lines = @(& $pwshPath -NoProfile -NonInteractive -File $checker @Paths)
        [pscustomobject]@{ Lines = $lines; ExitCode = $LASTEXITCODE }
    }
    # The checker runs in a pwsh of its own, as register-plugin runs it (its exit code and stdout lines are the contract).
    $pwshPath = Join-Path $PSScriptRoot '../../.tools/pwsh/pwsh'
    if (-not (Test-Path -LiteralPath $pwshPath)) { $pwshPath = (Get-Command pwsh -CommandType Application | Select-Object -First 1).Source }
}

Describe 'check-syntax.ps1' {
    It 'passes the example plug-in''s two scripts, given as two arguments' {
        $result = Invoke-Checker @((Join-Path $pluginDir 'scan.ps1'), (Join-Path $pluginDir 'install.ps1'))
        $result.Lines | Should -Be @('checked 2 file(s), 0 issue(s)')
        $result.ExitCode | Should -Be 0
    }

    It 'reports a parse error and a ternary with their file and line, and exits 1' {
        $result = Invoke-Checker @((Join-Path $fixtures 'broken-syntax.ps1'), (Join-Path $fixtures 'uses-ternary.ps1'))
        $result.ExitCode | Should -Be 1
        @($result.Lines | Where-Object { $_ -match 'broken-syntax\.ps1:\d+:\d+: parse-error: ' }).Count | Should -BeGreaterThan 0
        @($result.Lines | Where-Object { $_ -match 'uses-ternary\.ps1:3:\d+: ternary: ' }).Count | Should -Be 1
        $result.Lines[-1] | Should -Match '^checked 2 file\(s\), \d+ issue\(s\)$'
    }
}

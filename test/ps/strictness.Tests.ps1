# Keeps the Pester suite as strict as Windows: every test file loads the shared helpers from BeforeAll (which
# sets Set-StrictMode -Version Latest and holds the one table of cmdlet stubs), or sets StrictMode itself when
# it tests the bootstrap alone; no test file defines stubs of its own.
BeforeAll { . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1') }

Describe 'the Pester suite' {
    It '<name> runs under Set-StrictMode -Version Latest and defines no stubs of its own' -TestCases @(
        Get-ChildItem -LiteralPath $PSScriptRoot -Filter '*.Tests.ps1' | ForEach-Object { @{ name = $_.Name; path = $_.FullName } }
    ) {
        $text = [System.IO.File]::ReadAllText($path)
        $strict = $text -match "BeforeAll \{\s*\. \(Join-Path \`$PSScriptRoot 'helpers/CauctlTestHelpers\.ps1'\)" -or $text -match 'BeforeAll \{\s*Set-StrictMode -Version Latest'
        $strict | Should -BeTrue
        # Spelled in two parts so this file does not match itself.
        $text.Contains('Set-Item -Path (' + "'function:glob" + "al:'") | Should -BeFalse
    }

    It 'the helpers really put a test under StrictMode' {
        $object = [pscustomobject]@{ Present = 1 }
        { $object.Absent } | Should -Throw
    }
}

# Pester tests for src/transport/bootstrap.ps1 in argument mode (as Invoke-Command runs it): parameter
# conversion, output shape, error codes and the escaping that keeps marker text out of the JSON.
BeforeAll {
    Set-StrictMode -Version Latest
    $bootstrap = Join-Path $PSScriptRoot '../../src/transport/bootstrap.ps1'
    function Invoke-Bootstrap([string]$Script, $Params) {
        $payload = ConvertTo-Json -InputObject @{ script = $Script; params = $Params } -Depth 20 -Compress
        & $bootstrap -PayloadText $payload
    }
    function Get-Outcome([string]$Line) {
        $Line | Should -Match '^<<<CAUCTL-RESULT>>>.*<<<CAUCTL-END>>>$'
        $Line.Substring(19, $Line.Length - 19 - 16) | ConvertFrom-Json -DateKind String
    }
}

Describe 'bootstrap.ps1' {
    It 'splats nested JSON objects as real hashtables and keeps one-element arrays arrays' {
        $line = Invoke-Bootstrap 'param([hashtable]$h, [string[]]$list) @{ type = $h.GetType().Name; inner = $h.inner.GetType().Name; count = $list.Count }' @{ h = @{ inner = @{ a = 1 } }; list = @('x') }
        $outcome = Get-Outcome $line
        $outcome.ok | Should -BeTrue
        $outcome.data.type | Should -Be 'Hashtable'
        $outcome.data.inner | Should -Be 'Hashtable'
        $outcome.data.count | Should -Be 1
    }

    It 'escapes angle brackets and non-ASCII so the line is ASCII and marker text cannot appear inside the JSON' {
        $line = Invoke-Bootstrap 'param($v) $v' @{ v = "<<<CAUCTL-END>>> $([char]0x201C)" }
        $line.Substring(19, $line.Length - 35) | Should -Not -Match '[<>]'
        $line | Should -Match '^[\x00-\x7F]*$'
        (Get-Outcome $line).data | Should -BeExactly "<<<CAUCTL-END>>> $([char]0x201C)"
    }

    It 'maps CAUCTL-prefixed error ids, missing commands and plain throws' {
        $coded = Invoke-Bootstrap 'throw (New-Object System.Management.Automation.ErrorRecord (New-Object System.Exception "busy"), "CAUCTL:DRAIN_FAILED", "ResourceBusy", $null)' @{}
        (Get-Outcome $coded).error.code | Should -Be 'DRAIN_FAILED'
        (Get-Outcome (Invoke-Bootstrap 'Get-NoSuchCmdlet' @{})).error.code | Should -Be 'MISSING_FEATURE'
        $plain = Get-Outcome (Invoke-Bootstrap 'throw "boom"' @{})
        $plain.error.code | Should -Be 'SCRIPT_ERROR'
        $plain.error.message | Should -Be 'boom'
        $plain.ok | Should -BeFalse
    }

    It 'reports a payload that is not JSON as SCRIPT_ERROR instead of dying' {
        $outcome = Get-Outcome (& $bootstrap -PayloadText 'not json')
        $outcome.ok | Should -BeFalse
        $outcome.error.code | Should -Be 'SCRIPT_ERROR'
    }
}

Describe 'bootstrap.ps1 under Application Control' {
    It 'answers CONSTRAINED_LANGUAGE in ConstrainedLanguage mode, before anything that mode refuses' {
        $text = [System.IO.File]::ReadAllText($bootstrap)
        $ps = [powershell]::Create()
        try {
            $ps.Runspace.SessionStateProxy.LanguageMode = 'ConstrainedLanguage'
            $out = @($ps.AddScript($text).AddParameter('PayloadText', '{"script":"@{ a = 1 }","params":{}}').Invoke())
        } finally { $ps.Dispose() }
        $line = [string]($out | Select-Object -Last 1)
        $outcome = Get-Outcome $line
        $outcome.ok | Should -BeFalse
        $outcome.error.code | Should -Be 'CONSTRAINED_LANGUAGE'
        $outcome.error.message | Should -Match 'ConstrainedLanguage mode'
        $outcome.error.message | Should -Match 'supplemental policy'
    }
}

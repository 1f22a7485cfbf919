# Pester tests for src/transport/local-pwsh/remote-wrapper.ps1: Invoke-Command mocked to run the bootstrap
# locally, so the whole envelope -> Invoke-Command -> bootstrap -> result line path is exercised.
BeforeAll {
    Set-StrictMode -Version Latest
    $wrapper = Join-Path $PSScriptRoot '../../src/transport/local-pwsh/remote-wrapper.ps1'
    $bootstrapText = [System.IO.File]::ReadAllText((Join-Path $PSScriptRoot '../../src/transport/bootstrap.ps1'))
    function New-Envelope([string]$Node, [string]$Script, $Params, [string]$Configuration) {
        $payload = ConvertTo-Json -InputObject @{ script = $Script; params = $Params } -Depth 10 -Compress
        ConvertTo-Json -InputObject @{ computerName = $Node; configurationName = $Configuration; bootstrap = $bootstrapText; payload = $payload } -Depth 10 -Compress
    }
    function Get-Outcome([string]$Line) {
        $start = $Line.LastIndexOf('<<<CAUCTL-RESULT>>>') + 19
        $Line.Substring($start, $Line.LastIndexOf('<<<CAUCTL-END>>>') - $start) | ConvertFrom-Json
    }
}

Describe 'remote-wrapper.ps1' {
    It 'runs the bootstrap on the node through Invoke-Command and relays its result line' {
        Mock Invoke-Command { & $ScriptBlock @ArgumentList }
        $out = New-Object System.IO.StringWriter
        $saved = [Console]::Out
        [Console]::SetOut($out)
        try { & $wrapper -EnvelopeText (New-Envelope 'NODE1' 'param($v) @{ v = $v }' @{ v = "'; Remove-Item C:\ #" } 'JEA') } finally { [Console]::SetOut($saved) }
        (Get-Outcome $out.ToString()).data.v | Should -BeExactly "'; Remove-Item C:\ #"
        Should -Invoke Invoke-Command -Times 1 -Exactly -ParameterFilter { $ComputerName -eq 'NODE1' -and $ConfigurationName -eq 'JEA' -and $ArgumentList.Count -eq 1 }
    }

    It 'omits -ConfigurationName when none is given' {
        Mock Invoke-Command { & $ScriptBlock @ArgumentList }
        $saved = [Console]::Out
        [Console]::SetOut((New-Object System.IO.StringWriter))
        try { & $wrapper -EnvelopeText (New-Envelope 'NODE1' '1' @{} $null) } finally { [Console]::SetOut($saved) }
        Should -Invoke Invoke-Command -Times 1 -Exactly -ParameterFilter { -not $PSBoundParameters.ContainsKey('ConfigurationName') }
    }

    It 'maps remoting failures to transport codes and other failures to SCRIPT_ERROR' -TestCases @(
        @{ Exception = { New-Object System.Management.Automation.Remoting.PSRemotingTransportException 'WinRM cannot complete the operation.' }; Code = 'TRANSPORT_UNREACHABLE' }
        @{ Exception = { New-Object System.Management.Automation.Remoting.PSRemotingTransportException 'Access is denied.' }; Code = 'TRANSPORT_AUTH_REFUSED' }
        @{ Exception = { New-Object System.InvalidOperationException 'something else' }; Code = 'SCRIPT_ERROR' }
    ) {
        param($Exception, $Code)
        $global:CauctlWrapperException = & $Exception
        Mock Invoke-Command { throw $global:CauctlWrapperException }
        $out = New-Object System.IO.StringWriter
        $saved = [Console]::Out
        [Console]::SetOut($out)
        try { & $wrapper -EnvelopeText (New-Envelope 'NODE9' '1' @{} $null) } finally { [Console]::SetOut($saved) }
        (Get-Outcome $out.ToString()).error.code | Should -Be $Code
        Remove-Variable -Name CauctlWrapperException -Scope Global
    }

    It 'writes the relayed line to stdout' {
        Mock Invoke-Command { & $ScriptBlock @ArgumentList }
        $out = New-Object System.IO.StringWriter
        $saved = [Console]::Out
        [Console]::SetOut($out)
        try { & $wrapper -EnvelopeText (New-Envelope 'NODE1' 'param($v) @{ v = $v }' @{ v = 'x$(y)' } $null) } finally { [Console]::SetOut($saved) }
        $outcome = Get-Outcome $out.ToString()
        $outcome.ok | Should -BeTrue
        $outcome.data.v | Should -BeExactly 'x$(y)'
    }
}

# cauctl local-pwsh wrapper: runs the bootstrap on a node through Invoke-Command (WinRM, the signed-in
# Windows identity) and prints the one marked result line. Fixed text; the node name, the bootstrap and the
# payload arrive as JSON on stdin (or as -EnvelopeText), never in the command line.
param([string]$EnvelopeText)
$ProgressPreference = 'SilentlyContinue'
$ErrorActionPreference = 'Stop'
$utf8 = New-Object System.Text.UTF8Encoding $false
try { [Console]::OutputEncoding = $utf8 } catch { }
if (-not $PSBoundParameters.ContainsKey('EnvelopeText')) {
    $buffer = New-Object System.IO.MemoryStream
    [Console]::OpenStandardInput().CopyTo($buffer)
    $EnvelopeText = $utf8.GetString($buffer.ToArray()).TrimStart([char]0xFEFF)
}
$envelope = $EnvelopeText | ConvertFrom-Json
try {
    $options = @{ ComputerName = [string]$envelope.computerName; ScriptBlock = [scriptblock]::Create([string]$envelope.bootstrap); ArgumentList = @([string]$envelope.payload) }
    if ($envelope.PSObject.Properties['configurationName'] -and $envelope.configurationName) { $options.ConfigurationName = [string]$envelope.configurationName }
    $output = @(Invoke-Command @options)
    $line = @($output | Where-Object { $_ -is [string] -and $_.Contains('<<<CAUCTL-RESULT>>>') }) | Select-Object -Last 1
    if ($null -eq $line) { $line = ($output | Out-String) }
} catch {
    # Connection and logon failures surface here, before the bootstrap ran on the node.
    $code = 'TRANSPORT_UNREACHABLE'
    if ($_.FullyQualifiedErrorId -match 'AccessDenied' -or $_.Exception.Message -match 'Access is denied|logon failure|authenticat') { $code = 'TRANSPORT_AUTH_REFUSED' }
    elseif ($_.Exception -isnot [System.Management.Automation.Remoting.PSRemotingTransportException] -and $_.FullyQualifiedErrorId -notmatch 'PSSessionStateBroken|CannotConnect|WinRM') { $code = 'SCRIPT_ERROR' }
    $json = ConvertTo-Json -InputObject @{ ok = $false; error = @{ code = $code; message = $_.Exception.Message; category = $_.CategoryInfo.Category.ToString() } } -Compress
    $json = [regex]::Replace($json, '[^\x00-\x3B\x3D\x3F-\x7F]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
    $line = '<<<CAUCTL-RESULT>>>' + $json + '<<<CAUCTL-END>>>'
}
[Console]::Out.WriteLine($line)
[Console]::Out.Flush()

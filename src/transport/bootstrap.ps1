# cauctl bootstrap: runs { script, params } payloads and prints one marked JSON result line for each. Fixed
# text, never templated; values arrive as JSON data. Must run on Windows PowerShell 5.1 and PowerShell 7.
# Stdin mode (no argument): reads one payload per line until end of input, writes one line per payload to
# stdout and flushes it, so one process serves a persistent WinRM command (one payload line, then EOF, is the
# one-shot case). Each payload runs in a fresh runspace: a child scope would still share $global: and
# $script: (the top level of -EncodedCommand is the global scope), the location, modules and aliases.
# Over WinRM a short stub started with -EncodedCommand reads this text from the first stdin line and passes
# its reader in -Reader (no command-line limit then); the bootstrap says READY once it reads payloads.
# Each result carries "meta": the payload's sequence number (so a late result is never mistaken for another
# payload's), the process's working set (the client recycles a process that grows), and the payload's
# warnings (so they belong to the operation that raised them, not to whatever stderr the next Receive brings).
# Argument mode (Invoke-Command -ArgumentList): takes the payload text, returns the line as output.
param([string]$PayloadText, [IO.TextReader]$Reader)
# Application Control (WDAC) runs unsigned script in ConstrainedLanguage mode, where the New-Object, [Console]
# and [runspacefactory] below fail: say so as a coded result first, using nothing that mode refuses.
if ($ExecutionContext.SessionState.LanguageMode -ne 'FullLanguage') {
    return '<<<CAUCTL-RESULT>>>{"ok":false,"error":{"code":"CONSTRAINED_LANGUAGE","message":"PowerShell on ' + $env:COMPUTERNAME + ' runs unsigned scripts in ' + $ExecutionContext.SessionState.LanguageMode + ' mode (Application Control / WDAC), where cauctl cannot run; nothing was done. Sign the scripts and allow the signer in a supplemental policy (docs/windows-requirements.md, Application Control).","category":"SecurityError"}}<<<CAUCTL-END>>>'
}
$ErrorActionPreference = 'Stop'
$utf8 = New-Object System.Text.UTF8Encoding $false
try { [Console]::InputEncoding = $utf8; [Console]::OutputEncoding = $utf8 } catch { }

# One payload to one marked line. Self-contained, because in stdin mode its text is all a new runspace gets.
$runOne = {
    param([string]$Text)
    $ProgressPreference = 'SilentlyContinue'
    $ErrorActionPreference = 'Stop'
    # 5.1's ETS Count on System.Array makes ConvertTo-Json write wrapped arrays as {"value":[...],"Count":n}.
    if (Get-TypeData System.Array) { Remove-TypeData System.Array }
    function ConvertTo-CauctlValue($Value) {
        # 5.1 has no ConvertFrom-Json -AsHashtable; splatting and [hashtable] parameters need real hashtables.
        if ($Value -is [Management.Automation.PSCustomObject]) {
            $table = @{}
            foreach ($p in $Value.PSObject.Properties) { $table[$p.Name] = ConvertTo-CauctlValue $p.Value }
            return $table
        }
        if ($Value -is [System.Array]) {
            $list = New-Object System.Collections.ArrayList
            foreach ($item in $Value) { [void]$list.Add((ConvertTo-CauctlValue $item)) }
            return , $list.ToArray()
        }
        return $Value
    }
    try {
        # PowerShell 7 turns date-like strings into DateTime unless told otherwise (-DateKind, 7.5+).
        $jsonOptions = @{}
        if ((Get-Command ConvertFrom-Json).Parameters.ContainsKey('DateKind')) { $jsonOptions.DateKind = 'String' }
        $payload = $Text | ConvertFrom-Json @jsonOptions
        $params = ConvertTo-CauctlValue $payload.params
        # The node helpers the payload may carry (src/cluster/node-helpers), dot-sourced so the script sees them.
        if ($payload.PSObject.Properties['helpers']) { . ([scriptblock]::Create([string]$payload.helpers)) }
        if ($null -eq $params) { $params = @{} }
        $block = [scriptblock]::Create([string]$payload.script)
        $output = @(& $block @params)
        $data = $null
        if ($output.Count -eq 1) { $data = $output[0] } elseif ($output.Count -gt 1) { $data = $output }
        $result = @{ ok = $true; data = $data }
    } catch {
        $ex = $_.Exception
        if ($ex -is [Management.Automation.MethodInvocationException] -and $ex.InnerException) { $ex = $ex.InnerException }
        $code = 'SCRIPT_ERROR'
        if ($_.FullyQualifiedErrorId -match '^CAUCTL:([A-Z][A-Z0-9_]*)') { $code = $Matches[1] }
        elseif ($_.Exception -is [Management.Automation.CommandNotFoundException]) { $code = 'MISSING_FEATURE' }
        $result = @{ ok = $false; error = @{ code = $code; message = $ex.Message; category = $_.CategoryInfo.Category.ToString() } }
    }
    $json = ConvertTo-Json -InputObject $result -Depth 20 -Compress
    # ASCII-only output survives any console code page; escaped < and > keep marker text out of the JSON.
    $json = [regex]::Replace($json, '[^\x00-\x3B\x3D\x3F-\x7F]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
    '<<<CAUCTL-RESULT>>>' + $json + '<<<CAUCTL-END>>>'
}

if ($PSBoundParameters.ContainsKey('PayloadText')) { return & $runOne $PayloadText }
$iss = [initialsessionstate]::CreateDefault()
$announce = $null -ne $Reader
if (-not $announce) { $Reader = New-Object System.IO.StreamReader ([Console]::OpenStandardInput()), $utf8 }
$first = $true
while ($true) {
    # The next runspace opens while the process waits for its payload, off the operation's critical path.
    $rs = [runspacefactory]::CreateRunspace($iss)
    $rs.Open()
    if ($first -and $announce) { [Console]::Out.WriteLine('<<<CAUCTL-READY>>>'); [Console]::Out.Flush() }
    $first = $false
    $line = $Reader.ReadLine()
    if ($null -eq $line) { break }
    $line = $line.TrimStart([char]0xFEFF)
    if ($line.Trim() -eq '') { $rs.Dispose(); continue }
    # The client writes the sequence number first; a line without one is answered with "seq":null.
    $seq = 'null'
    if ($line -match '^\{"seq":(\d{1,18}),') { $seq = $Matches[1] }
    $ps = [powershell]::Create()
    $ps.Runspace = $rs
    $out = @()
    try { $out = @($ps.AddScript([string]$runOne).AddArgument($line).Invoke()) } catch { }
    $warnings = @(foreach ($w in $ps.Streams.Warning) { ConvertTo-Json -InputObject ([string]$w.Message) -Compress })
    # No result line means the runspace ended early (exit, or a failure outside the payload's try): say so, go on.
    $result = [string]($out | Select-Object -Last 1)
    if ($result -notlike '<<<CAUCTL-RESULT>>>{*') { $result = '<<<CAUCTL-RESULT>>>{"ok":false,"error":{"code":"SCRIPT_ERROR","message":"No result (exit?)"}}<<<CAUCTL-END>>>' }
    $meta = '"meta":{"seq":' + $seq + ',"memoryMB":' + [long]([Environment]::WorkingSet / 1048576) + ',"warnings":[' + ($warnings -join ',') + ']},'
    $meta = [regex]::Replace($meta, '[^\x00-\x3B\x3D\x3F-\x7F]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
    [Console]::Out.WriteLine($result.Insert('<<<CAUCTL-RESULT>>>{'.Length, $meta))
    [Console]::Out.Flush()
    $ps.Dispose()
    $rs.Dispose()
}
$rs.Dispose()

# cauctl bootstrap: runs { script, params } payloads and prints one marked JSON result line for each. Fixed
# text, never templated; values arrive as JSON data. Must run on Windows PowerShell 5.1 and PowerShell 7.
# Stdin mode (no argument): reads one payload per line until end of input, writes one line per payload to
# stdout and flushes it, so one process serves a persistent WinRM command (one payload line, then EOF, is the
# one-shot case). Each payload runs in a fresh runspace: a child scope would still share $global: and
# $script: (the top level of -EncodedCommand is the global scope), the location, modules and aliases.
# Argument mode (Invoke-Command -ArgumentList): takes the payload text, returns the line as output.
param([string]$PayloadText)
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
            foreach ($p in $Value.PSObject.Properties) {$table[$p.Name]=ConvertTo-CauctlValue $p.Value}
            return $table
        }
        if ($Value -is [System.Array]) {
            $list = New-Object System.Collections.ArrayList
            foreach ($item in $Value) {[void]$list.Add((ConvertTo-CauctlValue $item))}
            return , $list.ToArray()
        }
        return $Value
    }
    try {
        # PowerShell 7 turns date-like strings into DateTime unless told otherwise (-DateKind, 7.5+).
        $jsonOptions = @{}
        if ((Get-Command ConvertFrom-Json).Parameters.ContainsKey('DateKind')) {$jsonOptions.DateKind='String'}
        $payload = $Text | ConvertFrom-Json @jsonOptions
        $params = ConvertTo-CauctlValue $payload.params
        # The node helpers the payload may carry (src/cluster/node-helpers), dot-sourced so the script sees them.
        if ($payload.PSObject.Properties['helpers']) {. ([scriptblock]::Create($payload.helpers))}
        if ($null -eq $params) {$params=@{}}
        $block = [scriptblock]::Create([string]$payload.script)
        $output = @(& $block @params)
        $data = $null
        if ($output.Count -eq 1) {$data=$output[0]} elseif ($output.Count -gt 1) {$data=$output}
        $result=@{ok=$true;data=$data}
    } catch {
        $ex = $_.Exception
        if ($ex -is [Management.Automation.MethodInvocationException] -and $ex.InnerException) {$ex=$ex.InnerException}
        $code = 'SCRIPT_ERROR'
        if ($_.FullyQualifiedErrorId -match '^CAUCTL:([A-Z][A-Z0-9_]*)') {$code=$Matches[1]}
        elseif ($_.Exception -is [Management.Automation.CommandNotFoundException]) {$code='MISSING_FEATURE'}
        $result=@{ok=$false;error=@{code=$code;message=$ex.Message;category=$_.CategoryInfo.Category.ToString()}}
    }
    $json = ConvertTo-Json -InputObject $result -Depth 20 -Compress
    # ASCII-only output survives any console code page; escaped < and > keep marker text out of the JSON.
    $json = [regex]::Replace($json, '[^\x00-\x3B\x3D\x3F-\x7F]', {param($m) '\u{0:x4}' -f [int][char]$m.Value})
    '<<<CAUCTL-RESULT>>>' + $json + '<<<CAUCTL-END>>>'
}

if ($PSBoundParameters.ContainsKey('PayloadText')) { return & $runOne $PayloadText }
$iss = [initialsessionstate]::CreateDefault()
$reader = New-Object System.IO.StreamReader ([Console]::OpenStandardInput()), $utf8
while ($true) {
    # The next runspace opens while the process waits for its payload, off the operation's critical path.
    $rs = [runspacefactory]::CreateRunspace($iss)
    $rs.Open()
    $line = $reader.ReadLine()
    if ($null -eq $line) { break }
    $line = $line.TrimStart([char]0xFEFF)
    if ($line.Trim() -eq '') { $rs.Dispose(); continue }
    $ps = [powershell]::Create()
    $ps.Runspace = $rs
    $out = @()
    try { $out = @($ps.AddScript([string]$runOne).AddArgument($line).Invoke()) } catch { }
    # Warnings surface as before (CLIXML on stderr under -OutputFormat xml), one line each and without < or >,
    # so even on stdout they can never look like a result.
    foreach ($w in $ps.Streams.Warning) { Write-Warning ($w.Message -replace '[\r\n<>]+', ' ') }
    # No result line means the runspace ended early (exit, or a failure outside the payload's try): say so, go on.
    $result = [string]($out | Select-Object -Last 1)
    if ($result -notlike '<<<CAUCTL-RESULT>>>*') { $result = '<<<CAUCTL-RESULT>>>{"ok":false,"error":{"code":"SCRIPT_ERROR","message":"No result (exit?)"}}<<<CAUCTL-END>>>' }
    [Console]::Out.WriteLine($result)
    [Console]::Out.Flush()
    $ps.Dispose()
    $rs.Dispose()
}
$rs.Dispose()

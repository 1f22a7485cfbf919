# cauctl bootstrap: runs one { script, params } payload and prints one marked JSON result line. Fixed text,
# never templated; values arrive as JSON data. Must run on Windows PowerShell 5.1 and PowerShell 7.
# Stdin mode (no argument): reads the payload from stdin, writes the line to stdout.
# Argument mode (Invoke-Command -ArgumentList): takes the payload text, returns the line as output.
param([string]$PayloadText)
$ProgressPreference = 'SilentlyContinue'
$ErrorActionPreference = 'Stop'
$utf8 = New-Object System.Text.UTF8Encoding $false
try { [Console]::InputEncoding = $utf8; [Console]::OutputEncoding = $utf8 } catch { }
# 5.1's ETS Count on System.Array makes ConvertTo-Json write wrapped arrays as {"value":[...],"Count":n}.
if (Get-TypeData System.Array) { Remove-TypeData System.Array }

function ConvertTo-CauctlValue($Value) {
    # 5.1 has no ConvertFrom-Json -AsHashtable; splatting and [hashtable] parameters need real hashtables.
    if ($Value -is [System.Management.Automation.PSCustomObject]) {
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

function Invoke-CauctlPayload([string]$Text) {
    try {
        # PowerShell 7 turns date-like strings into DateTime unless told otherwise (-DateKind, 7.5+).
        $jsonOptions = @{}
        if ((Get-Command ConvertFrom-Json).Parameters.ContainsKey('DateKind')) { $jsonOptions.DateKind = 'String' }
        $payload = $Text | ConvertFrom-Json @jsonOptions
        $params = ConvertTo-CauctlValue $payload.params
        if ($null -eq $params) { $params = @{} }
        $block = [scriptblock]::Create([string]$payload.script)
        $output = @(& $block @params)
        $data = $null
        if ($output.Count -eq 1) { $data = $output[0] } elseif ($output.Count -gt 1) { $data = $output }
        $result = @{ ok = $true; data = $data }
    } catch {
        $ex = $_.Exception
        if ($ex -is [System.Management.Automation.MethodInvocationException] -and $ex.InnerException) { $ex = $ex.InnerException }
        $code = 'SCRIPT_ERROR'
        if ($_.FullyQualifiedErrorId -match '^CAUCTL:([A-Z][A-Z0-9_]*)') { $code = $Matches[1] }
        elseif ($_.Exception -is [System.Management.Automation.CommandNotFoundException]) { $code = 'MISSING_FEATURE' }
        $result = @{ ok = $false; error = @{ code = $code; message = $ex.Message; category = $_.CategoryInfo.Category.ToString() } }
    }
    $json = ConvertTo-Json -InputObject $result -Depth 20 -Compress
    # ASCII-only output survives any console code page; escaped < and > keep marker text out of the JSON.
    $json = [regex]::Replace($json, '[^\x00-\x3B\x3D\x3F-\x7F]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
    '<<<CAUCTL-RESULT>>>' + $json + '<<<CAUCTL-END>>>'
}

if ($PSBoundParameters.ContainsKey('PayloadText')) { return Invoke-CauctlPayload $PayloadText }
$stdin = [Console]::OpenStandardInput()
$buffer = New-Object System.IO.MemoryStream
$stdin.CopyTo($buffer)
$line = Invoke-CauctlPayload ($utf8.GetString($buffer.ToArray()).TrimStart([char]0xFEFF))
[Console]::Out.WriteLine($line)
[Console]::Out.Flush()

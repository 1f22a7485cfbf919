# Parses every .ps1 under the given paths with PowerShell's own parser and refuses syntax that Windows
# PowerShell 5.1 lacks (docs/powershell-5.1-rules.md). Single-quoted here-strings assigned to a variable
# named *Script (the update worker) are checked as scripts too. Prints one line per issue; exit 1 if any.
# Runs under PowerShell 7 (whose parser knows the newer syntax, so it can find it). Shipped: register-plugin runs
# it on a script plug-in's scan.ps1 and install.ps1 (docs/plugins.md); the tests run it on every .ps1 under src/.
[CmdletBinding()]
param(
    [Parameter(Position = 0, ValueFromRemainingArguments = $true)][string[]]$Path = @((Join-Path $PSScriptRoot '..'))
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$Language = 'System.Management.Automation.Language'

function Get-CauctlFiles([string[]]$Roots) {
    foreach ($root in $Roots) {
        if (Test-Path -LiteralPath $root -PathType Container) {
            Get-ChildItem -LiteralPath $root -Recurse -File -Filter '*.ps1' | Sort-Object FullName | ForEach-Object { $_.FullName }
        } else {
            (Resolve-Path -LiteralPath $root).Path
        }
    }
}

function New-Issue([string]$File, $Extent, [string]$Rule, [string]$Message, [int]$LineOffset) {
    [pscustomobject]@{ File = $File; Line = $Extent.StartLineNumber + $LineOffset; Column = $Extent.StartColumnNumber; Rule = $Rule; Message = $Message }
}

# Cmdlet parameters that exist only in PowerShell 6+ (matched on the cmdlet's name and its aliases).
$ps7Parameters = @(
    @{ Commands = @('ForEach-Object', '%', 'foreach'); Parameter = 'Parallel'; Rule = 'foreach-parallel' },
    @{ Commands = @('ConvertFrom-Json'); Parameter = 'AsHashtable'; Rule = 'convertfrom-json-ashashtable' },
    @{ Commands = @('ConvertFrom-Json'); Parameter = 'Depth'; Rule = 'convertfrom-json-depth' },
    @{ Commands = @('ConvertFrom-Json'); Parameter = 'NoEnumerate'; Rule = 'convertfrom-json-noenumerate' },
    @{ Commands = @('ConvertFrom-Json'); Parameter = 'DateKind'; Rule = 'convertfrom-json-datekind' },
    @{ Commands = @('ConvertTo-Json'); Parameter = 'AsArray'; Rule = 'convertto-json-asarray' },
    @{ Commands = @('ConvertTo-Json'); Parameter = 'EnumsAsStrings'; Rule = 'convertto-json-enumsasstrings' },
    @{ Commands = @('ConvertTo-Json'); Parameter = 'EscapeHandling'; Rule = 'convertto-json-escapehandling' },
    @{ Commands = @('Join-Path'); Parameter = 'AdditionalChildPath'; Rule = 'join-path-additional' },
    @{ Commands = @('Get-Content', 'gc', 'cat'); Parameter = 'AsByteStream'; Rule = 'asbytestream' },
    @{ Commands = @('Select-Object', 'select'); Parameter = 'SkipLast'; Rule = 'select-skiplast' },
    @{ Commands = @('Start-Process'); Parameter = 'Environment'; Rule = 'start-process-environment' },
    @{ Commands = @('Invoke-RestMethod', 'irm', 'Invoke-WebRequest', 'iwr'); Parameter = 'SkipCertificateCheck'; Rule = 'skipcertificatecheck' }
)
# Commands that Windows PowerShell 5.1 does not have at all.
$ps7Commands = @('Test-Json', 'ConvertFrom-Markdown', 'Get-Error', 'Remove-Alias', 'Get-Uptime', 'Join-String', 'ForEach-Object -Parallel')
# Automatic variables that are new in PowerShell 6+.
$ps7Variables = @('PSStyle', 'IsWindows', 'IsLinux', 'IsMacOS', 'IsCoreCLR', 'PSNativeCommandUseErrorActionPreference', 'PSNativeCommandArgumentPassing')

function Test-CauctlAst([System.Management.Automation.Language.Ast]$Root, [string]$File, [int]$LineOffset) {
    $issues = New-Object System.Collections.ArrayList
    $all = $Root.FindAll({ $true }, $true)
    foreach ($node in $all) {
        $type = $node.GetType().Name
        switch ($type) {
            'TernaryExpressionAst' { [void]$issues.Add((New-Issue $File $node.Extent 'ternary' 'the ternary operator ?: needs PowerShell 7; use if/else' $LineOffset)) }
            'PipelineChainAst' { [void]$issues.Add((New-Issue $File $node.Extent 'pipeline-chain' 'pipeline chains (&& ||) need PowerShell 7; use if ($?)' $LineOffset)) }
            'BinaryExpressionAst' {
                if ([string]$node.Operator -eq 'QuestionQuestion') { [void]$issues.Add((New-Issue $File $node.Extent 'null-coalescing' 'the ?? operator needs PowerShell 7; use if ($null -eq ...)' $LineOffset)) }
            }
            'AssignmentStatementAst' {
                if ([string]$node.Operator -eq 'QuestionQuestionEquals') { [void]$issues.Add((New-Issue $File $node.Extent 'null-coalescing-assignment' 'the ??= operator needs PowerShell 7' $LineOffset)) }
            }
            { $_ -in 'MemberExpressionAst', 'InvokeMemberExpressionAst', 'IndexExpressionAst' } {
                if ($node.PSObject.Properties['NullConditional'] -and $node.NullConditional) { [void]$issues.Add((New-Issue $File $node.Extent 'null-conditional' 'null-conditional access (?. ?[]) needs PowerShell 7' $LineOffset)) }
            }
            'ScriptBlockAst' {
                if ($node.PSObject.Properties['CleanBlock'] -and $null -ne $node.CleanBlock) { [void]$issues.Add((New-Issue $File $node.CleanBlock.Extent 'clean-block' 'the clean { } block needs PowerShell 7.3' $LineOffset)) }
            }
            'VariableExpressionAst' {
                $name = $node.VariablePath.UserPath
                if ($ps7Variables -contains $name) { [void]$issues.Add((New-Issue $File $node.Extent 'ps7-variable' ('$' + $name + ' does not exist in Windows PowerShell 5.1') $LineOffset)) }
            }
            { $_ -in 'StringConstantExpressionAst', 'ExpandableStringExpressionAst' } {
                if ([string]$node.StringConstantType -in 'DoubleQuoted', 'DoubleQuotedHereString' -and $node.Extent.Text -match '`u\{') { [void]$issues.Add((New-Issue $File $node.Extent 'unicode-escape' 'the `u{...} escape needs PowerShell 6; use [char]0x....' $LineOffset)) }
            }
            'CommandAst' {
                $commandName = $node.GetCommandName()
                if ($null -eq $commandName) { continue }
                if ($ps7Commands -contains $commandName) { [void]$issues.Add((New-Issue $File $node.Extent 'ps7-command' ($commandName + ' does not exist in Windows PowerShell 5.1') $LineOffset)) }
                foreach ($element in $node.CommandElements) {
                    if ($element -isnot [System.Management.Automation.Language.CommandParameterAst]) { continue }
                    foreach ($rule in $ps7Parameters) {
                        if ($rule.Commands -contains $commandName -and $rule.Parameter -like ($element.ParameterName + '*') -and $element.ParameterName.Length -ge 2) {
                            [void]$issues.Add((New-Issue $File $element.Extent $rule.Rule ($commandName + ' -' + $rule.Parameter + ' does not exist in Windows PowerShell 5.1') $LineOffset))
                        }
                    }
                }
            }
        }
    }
    # Embedded scripts (single-quoted here-strings assigned to $*Script) run on the node as files: check them.
    foreach ($assignment in $Root.FindAll({ param($a) $a -is [System.Management.Automation.Language.AssignmentStatementAst] }, $true)) {
        $left = $assignment.Left
        $right = $assignment.Right
        if ($left -isnot [System.Management.Automation.Language.VariableExpressionAst] -or $left.VariablePath.UserPath -notlike '*Script') { continue }
        $strings = @($right.FindAll({ param($a) $a -is [System.Management.Automation.Language.StringConstantExpressionAst] -and [string]$a.StringConstantType -eq 'SingleQuotedHereString' }, $true))
        foreach ($string in $strings) {
            $tokens = $null
            $errors = $null
            $inner = [System.Management.Automation.Language.Parser]::ParseInput($string.Value, [ref]$tokens, [ref]$errors)
            # The here-string body starts on the line after its opening @'.
            $offset = $LineOffset + $string.Extent.StartLineNumber
            foreach ($e in @($errors)) { [void]$issues.Add((New-Issue $File $e.Extent 'parse-error' ('embedded ' + $left.VariablePath.UserPath + ': ' + $e.Message) $offset)) }
            foreach ($i in @(Test-CauctlAst $inner $File $offset)) { [void]$issues.Add($i) }
        }
    }
    return $issues.ToArray()
}

$allIssues = New-Object System.Collections.ArrayList
$files = @(Get-CauctlFiles $Path)
foreach ($file in $files) {
    $tokens = $null
    $errors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseFile($file, [ref]$tokens, [ref]$errors)
    foreach ($e in @($errors)) { [void]$allIssues.Add((New-Issue $file $e.Extent 'parse-error' $e.Message 0)) }
    # Without a BOM, 5.1 reads a file in the ANSI code page, and a smart quote is a string delimiter to
    # PowerShell: keep shipped scripts ASCII.
    $bytes = [System.IO.File]::ReadAllBytes($file)
    for ($i = 0; $i -lt $bytes.Length; $i++) {
        if ($bytes[$i] -gt 0x7F) {
            $line = 1 + @($bytes[0..$i] | Where-Object { $_ -eq 10 }).Count
            [void]$allIssues.Add([pscustomobject]@{ File = $file; Line = $line; Column = 1; Rule = 'non-ascii'; Message = 'non-ASCII byte; keep scripts ASCII for 5.1' })
            break
        }
    }
    foreach ($issue in @(Test-CauctlAst $ast $file 0)) { [void]$allIssues.Add($issue) }
}

foreach ($issue in $allIssues) {
    [Console]::Out.WriteLine(('{0}:{1}:{2}: {3}: {4}' -f $issue.File, $issue.Line, $issue.Column, $issue.Rule, $issue.Message))
}
[Console]::Out.WriteLine(('checked {0} file(s), {1} issue(s)' -f $files.Count, $allIssues.Count))
if ($allIssues.Count -gt 0) { exit 1 }
exit 0

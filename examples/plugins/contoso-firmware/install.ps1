# Contoso.FirmwarePlugin - install: applies the firmware updates the run chose (their ids from scan.ps1) with
# the vendor's fwtool.exe, one component at a time, and reports each result in cauctl's install-result schema
# (docs/plugins.md). Runs in the SYSTEM update task on a drained node, under StrictMode, 5.1 syntax.
# fwtool.exe exit codes (Contoso's documentation): 0 applied, 3010 applied and a restart is needed, 2 already at
# that version, anything else failed.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string[]]$UpdateIds,
    [Parameter(Mandatory = $true)][string]$Repository,
    [string]$ToolPath = 'C:\Program Files\Contoso\FwTool\fwtool.exe'
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Invoke-ContosoFwTool([string]$Path, [string[]]$ArgumentList) {
    # The vendor CLI, wrapped so Pester can stand in for it: its stdout and exit code.
    if (-not (Test-Path -LiteralPath $Path -PathType Leaf)) { throw ('fwtool.exe was not found at ' + $Path + '; install the Contoso tools or pass ToolPath.') }
    $output = & $Path @ArgumentList 2>&1 | Out-String
    @{ Output = $output; ExitCode = $LASTEXITCODE }
}

$results = @()
$restart = $false
foreach ($updateId in $UpdateIds) {
    $match = [regex]::Match($updateId, '^contoso-fw:([A-Za-z0-9._-]+):([A-Za-z0-9._-]+)$')
    if (-not $match.Success) {
        $results += @{ updateId = $updateId; kb = ''; title = $updateId; resultCode = 'Failed'; errorCode = '0x80070057'; rebootRequired = $false }
        continue
    }
    $component = $match.Groups[1].Value
    $version = $match.Groups[2].Value
    $run = Invoke-ContosoFwTool $ToolPath @('apply', '--repository', $Repository, '--component', $component, '--version', $version)
    $code = [int]$run.ExitCode
    $title = 'Contoso ' + $component + ' firmware ' + $version
    if ($code -eq 0 -or $code -eq 3010) {
        $needsRestart = ($code -eq 3010)
        if ($needsRestart) { $restart = $true }
        $results += @{ updateId = $updateId; kb = ''; title = $title; resultCode = 'Succeeded'; errorCode = '0x0'; rebootRequired = $needsRestart }
    } elseif ($code -eq 2) {
        $results += @{ updateId = $updateId; kb = ''; title = $title; resultCode = 'AlreadyInstalled'; errorCode = '0x0'; rebootRequired = $false }
    } else {
        $results += @{ updateId = $updateId; kb = ''; title = $title; resultCode = 'Failed'; errorCode = ('0x{0:X8}' -f $code); rebootRequired = $false }
    }
}
@{ results = $results; rebootRequired = $restart }

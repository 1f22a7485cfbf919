# Contoso.FirmwarePlugin - scan: the firmware updates the vendor's fwtool.exe finds applicable on this node, in
# cauctl's update schema (docs/plugins.md). Reads only. Runs on the node like cauctl's own scripts: under
# StrictMode, Windows PowerShell 5.1 syntax, the plug-in arguments as named parameters (data, never code).
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string]$Repository,
    [string]$ToolPath = 'C:\Program Files\Contoso\FwTool\fwtool.exe'
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Invoke-ContosoFwTool([string]$Path, [string[]]$ArgumentList) {
    # The vendor CLI, wrapped so Pester can stand in for it: its stdout (JSON) and exit code.
    if (-not (Test-Path -LiteralPath $Path -PathType Leaf)) { throw ('fwtool.exe was not found at ' + $Path + '; install the Contoso tools or pass ToolPath.') }
    $output = & $Path @ArgumentList 2>&1 | Out-String
    @{ Output = $output; ExitCode = $LASTEXITCODE }
}

$inventory = Invoke-ContosoFwTool $ToolPath @('inventory', '--repository', $Repository, '--json')
if ($inventory.ExitCode -ne 0) {
    throw ('fwtool.exe inventory exited ' + $inventory.ExitCode + ': ' + ([string]$inventory.Output).Trim())
}
$report = ConvertFrom-Json -InputObject ([string]$inventory.Output)
$updates = @()
foreach ($component in @($report.components)) {
    if (-not [bool]$component.updateAvailable) { continue }
    $updates += @{
        updateId       = 'contoso-fw:' + [string]$component.id + ':' + [string]$component.availableVersion
        title          = 'Contoso ' + [string]$component.name + ' firmware ' + [string]$component.availableVersion + ' (installed ' + [string]$component.installedVersion + ')'
        kb             = ''
        # Firmware takes effect at the next restart: the run restarts the node (a full restart, never a soft one).
        rebootRequired = $true
    }
}
@{ updates = $updates }

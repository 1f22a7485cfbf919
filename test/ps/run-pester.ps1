# Runs every test/ps/*.Tests.ps1 with the Pester module from .tools (or the one given) and prints one line
# "PESTER-COUNTS <passed> <failed> <skipped>" for the jest wrapper. Exit code: 0 when nothing failed.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string]$PesterManifest,
    [string]$TestPath = $PSScriptRoot
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module (Resolve-Path -LiteralPath $PesterManifest).Path -Force
$configuration = New-PesterConfiguration
$configuration.Run.Path = $TestPath
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Normal'
$configuration.Output.RenderMode = 'Plaintext'
$result = Invoke-Pester -Configuration $configuration
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
[Console]::Out.WriteLine(('PESTER-COUNTS {0} {1} {2}' -f $result.PassedCount, $failed, ($result.SkippedCount + $result.NotRunCount)))
if ($failed -gt 0) { exit 1 }
exit 0

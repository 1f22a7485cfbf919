# invoke-node-script: runs a pre- or post-update script on this node through PowerShell remoting to the
# local machine with the requested session configuration, as CAU does, and returns its exit code and output.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][ValidateLength(1, 260)][string]$path,
    [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$configurationName
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# Keep the result small enough for one JSON reply; the end of a log says the most.
$maxOutputChars = 65536

if ([System.IO.Path]::GetExtension($path) -ne '.ps1' -or -not (Test-Path -LiteralPath $path -PathType Leaf)) {
    $exception = New-Object System.IO.FileNotFoundException ('No .ps1 script at ''' + $path + ''' on ' + $env:COMPUTERNAME + '.')
    throw (New-Object System.Management.Automation.ErrorRecord $exception, 'CAUCTL:SCRIPT_ERROR', 'ObjectNotFound', $path)
}

$exitCode = 0
try {
    # -FilePath sends the script's text; it runs in the endpoint the operator configured (JEA, say).
    # Errors are collected with the output: any error record means the script failed, as for CAU.
    $records = @(Invoke-Command -ComputerName 'localhost' -ConfigurationName $configurationName -FilePath $path -ErrorAction Continue *>&1)
    if (@($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).Count -gt 0) { $exitCode = 1 }
    $output = ($records | Out-String)
} catch {
    $exitCode = 1
    $output = ($_ | Out-String)
}
if ($output.Length -gt $maxOutputChars) { $output = $output.Substring($output.Length - $maxOutputChars) }
@{ exitCode = $exitCode; output = $output }

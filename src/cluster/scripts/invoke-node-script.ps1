# invoke-node-script: runs a pre- or post-update script on this node and returns its exit code and output.
# No PowerShell remoting to localhost (a second hop from a WinRM session, and denied under the Server 2025
# security baseline): the script runs in this node's own session, or, when cauctl holds the password, in a
# fresh logon under the admin account, which can read a script on a share. A script on a share read without
# network credentials fails with NETWORK_CREDENTIAL_REQUIRED rather than "not found". Only the default
# session configuration is supported; another one would need a remoting session of its own.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][ValidateLength(1, 260)][string]$path,
    [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$configurationName,
    # Filled in by the transport: the admin account and password for a fresh logon, or $null.
    [AllowNull()]$networkCredential
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

if ($configurationName -ne 'Microsoft.PowerShell') {
    throw (New-CauctlError 'SCRIPT_ERROR' ('The pre/post-update script ' + $path + ' is set to run in the session configuration ''' + $configurationName + ''', which cauctl cannot open from its own session on ' + $env:COMPUTERNAME + ' (that would be a second hop). Run it without ConfigurationName, or do its work in the script itself.') 'InvalidArgument' $configurationName)
}

$RunScript = @'
param([string]$path)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
# Keep the result small enough for one JSON reply; the end of a log says the most.
$maxOutputChars = 65536
if ([System.IO.Path]::GetExtension($path) -ne '.ps1') {
    throw (New-CauctlError 'SCRIPT_ERROR' ('''' + $path + ''' is not a .ps1 script.') 'InvalidArgument' $path)
}
try {
    # Get-Item throws on access denied, where Test-Path would answer $false and hide it.
    $null = Get-Item -LiteralPath $path
} catch {
    if (Test-CauctlAccessDenied $_) { throw (New-CauctlCredentialRequiredError ('Reading ' + $path)) }
    throw (New-CauctlError 'SCRIPT_ERROR' ('No .ps1 script at ''' + $path + ''' on ' + $env:COMPUTERNAME + ': ' + $_.Exception.Message) 'ObjectNotFound' $path)
}
$exitCode = 0
$global:LASTEXITCODE = 0
try {
    # Errors are collected with the output: any error record means the script failed, as for CAU; an explicit
    # "exit n" gives its code.
    $records = @(& { $ErrorActionPreference = 'Continue'; & $path } *>&1)
    if (@($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).Count -gt 0) { $exitCode = 1 }
    if ($global:LASTEXITCODE -ne 0) { $exitCode = [int]$global:LASTEXITCODE }
    $output = ($records | Out-String)
} catch {
    $exitCode = 1
    $output = ($_ | Out-String)
}
if ($output.Length -gt $maxOutputChars) { $output = $output.Substring($output.Length - $maxOutputChars) }
@{ exitCode = $exitCode; output = $output }
'@

Invoke-CauctlWithNetworkCredential $networkCredential ('The pre/post-update script ' + $path) $RunScript @{ path = $path } 7200

# prepare-remoting: the documented preparation for a feature update on this node: WinRM (Set-WSManQuickConfig),
# PowerShell remoting (Enable-PSRemoting) and the Remote Shutdown firewall rule group. Each is applied only
# when missing, and the names of those applied are returned.
[CmdletBinding()]
param()
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# The Remote Shutdown group by its resource name, which does not depend on the display language.
$remoteShutdownGroup = '@firewallapi.dll,-36751'

function Test-CauctlPSRemoting {
    # Wrapped for Pester: the session configuration exists and is enabled.
    $configuration = Get-PSSessionConfiguration -Name 'Microsoft.PowerShell' -ErrorAction SilentlyContinue
    return ($null -ne $configuration -and [string]$configuration.Enabled -eq 'True')
}

$applied = New-Object System.Collections.Generic.List[string]

$winrm = Get-Service -Name 'WinRM'
if ([string]$winrm.StartType -ne 'Automatic' -or [string]$winrm.Status -ne 'Running') {
    Set-WSManQuickConfig -Force | Out-Null
    $applied.Add('Set-WSManQuickConfig')
}
if (-not (Test-CauctlPSRemoting)) {
    Enable-PSRemoting -Force -SkipNetworkProfileCheck | Out-Null
    $applied.Add('Enable-PSRemoting')
}
$disabled = @(Get-NetFirewallRule -Group $remoteShutdownGroup | Where-Object { [string]$_.Enabled -ne 'True' })
if ($disabled.Count -gt 0) {
    Set-NetFirewallRule -Group $remoteShutdownGroup -Profile Domain -Enabled True | Out-Null
    $applied.Add('Enabled the Remote Shutdown firewall rule group')
}
@{ node = $env:COMPUTERNAME; applied = @($applied.ToArray()) }

# repair-setup: applies the safe readiness fixes that were asked for (Remote Shutdown firewall rules, missing
# Windows features, CredSSP server role off) and returns the list of what it applied.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][bool]$enableRemoteShutdownFirewall,
    [Parameter(Mandatory = $true)][AllowEmptyCollection()][string[]]$installFeatures,
    [Parameter(Mandatory = $true)][bool]$disableCredSspServer
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$applied = @()
if ($enableRemoteShutdownFirewall) {
    # The "Remote Shutdown" group by its resource id, so it works on every display language.
    Set-NetFirewallRule -Group '@firewallapi.dll,-36751' -Profile Domain -Enabled True
    $applied += 'remoteShutdownFirewall'
}
foreach ($feature in $installFeatures) {
    if ([string]::IsNullOrWhiteSpace($feature)) { continue }
    $result = Install-WindowsFeature -Name $feature
    if ($null -ne $result -and $result.PSObject.Properties['Success'] -and -not [bool]$result.Success) {
        $exception = New-Object System.InvalidOperationException ("Install-WindowsFeature " + $feature + " did not succeed.")
        throw (New-Object System.Management.Automation.ErrorRecord $exception, 'CAUCTL:SCRIPT_ERROR', 'InvalidResult', $feature)
    }
    $applied += 'feature:' + $feature
}
if ($disableCredSspServer) {
    Disable-WSManCredSSP -Role Server
    $applied += 'disableCredSspServer'
}
@{ applied = $applied }

# get-node-setup: everything the readiness rules (Test-CauSetup's BPA rules) need to know about this node:
# OS, features, remoting, services, firewall, Automatic Updates, update source, proxy, CredSSP, plug-ins.
[CmdletBinding()]
param()
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# Get-CauctlRegistryValue is the node helpers'.

function Test-CauctlPSRemoting {
    # The Microsoft.PowerShell endpoint exists and is enabled (what Enable-PSRemoting sets up).
    $configuration = @(Get-PSSessionConfiguration -Name 'Microsoft.PowerShell' -ErrorAction SilentlyContinue)
    return ($configuration.Count -gt 0 -and [string]$configuration[0].Enabled -eq 'True')
}

function Invoke-CauctlNetshWinHttpProxy {
    # Wrapped for Pester. netsh output is English on English builds; see docs/powershell-5.1-rules.md.
    & netsh.exe winhttp show proxy | Out-String
}

function Get-CauctlUpdateServiceIds {
    # Wrapped for Pester: the Windows Update Agent's registered services (Microsoft Update has a fixed id).
    $manager = New-Object -ComObject 'Microsoft.Update.ServiceManager'
    @($manager.Services | ForEach-Object { [string]$_.ServiceID })
}

function Get-CauctlServiceInfo([string]$Name) {
    $service = Get-Service -Name $Name -ErrorAction SilentlyContinue
    if ($null -eq $service) { return @{ state = 'NotInstalled'; startMode = 'NotInstalled' } }
    return @{ state = [string]$service.Status; startMode = [string]$service.StartType }
}

$os = Get-CimInstance -ClassName 'Win32_OperatingSystem'

$featureNames = @('Failover-Clustering', 'RSAT-Clustering-PowerShell', 'NET-Framework-45-Core')
$installed = @{}
foreach ($feature in @(Get-WindowsFeature -Name $featureNames)) { $installed[[string]$feature.Name] = [bool]$feature.Installed }

$winrm = Get-CauctlServiceInfo 'WinRM'
$winrmRuleOn = @(Get-NetFirewallRule -Name 'WINRM-HTTP-In-TCP*' -ErrorAction SilentlyContinue | Where-Object { [string]$_.Enabled -eq 'True' }).Count -gt 0
$remoteShutdownOn = @(Get-NetFirewallRule -Group '@firewallapi.dll,-36751' -ErrorAction SilentlyContinue | Where-Object { [string]$_.Enabled -eq 'True' }).Count -gt 0

$auKey = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU'
$autoUpdateMode = 'NotConfigured'
if ((Get-CauctlRegistryValue $auKey 'NoAutoUpdate') -eq 1) { $autoUpdateMode = 'Disabled' }
else {
    switch ([string](Get-CauctlRegistryValue $auKey 'AUOptions')) {
        '2' { $autoUpdateMode = 'NotifyOnly' }
        '3' { $autoUpdateMode = 'DownloadOnly' }
        '4' { $autoUpdateMode = 'AutoInstall' }
        # 7 (Server 2016+): download automatically, notify to install and to restart.
        '7' { $autoUpdateMode = 'DownloadOnly' }
    }
}

$updateSource = 'WindowsUpdate'
$wsus = Get-CauctlRegistryValue 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate' 'WUServer'
if ((Get-CauctlRegistryValue $auKey 'UseWUServer') -eq 1 -and $wsus) { $updateSource = 'WSUS:' + [string]$wsus }
elseif (@(Get-CauctlUpdateServiceIds) -contains '7971f918-a847-4430-9279-4a52d1efe18d') { $updateSource = 'MicrosoftUpdate' }

$winHttpProxy = 'Direct'
$netsh = [string](Invoke-CauctlNetshWinHttpProxy)
if ($netsh -match 'Proxy Server\(s\)\s*:\s*(\S[^\r\n]*)') {
    $winHttpProxy = $Matches[1].Trim()
    if ($netsh -match 'Bypass List\s*:\s*(\S[^\r\n]*)') { $winHttpProxy += ' bypass=' + $Matches[1].Trim() }
}

# .NET Framework 4.x reports a Release number; map it to the version the BPA rule talks about.
$release = Get-CauctlRegistryValue 'HKLM:\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full' 'Release'
$dotNetVersion = 'None'
if ($null -ne $release) {
    $dotNetVersion = '4.5'
    $thresholds = @(@(533320, '4.8.1'), @(528040, '4.8'), @(461808, '4.7.2'), @(461308, '4.7.1'), @(460798, '4.7'), @(394802, '4.6.2'), @(394254, '4.6.1'), @(393295, '4.6'), @(379893, '4.5.2'), @(378675, '4.5.1'))
    foreach ($threshold in $thresholds) { if ([int]$release -ge $threshold[0]) { $dotNetVersion = $threshold[1]; break } }
}

$clusSvc = Get-CauctlServiceInfo 'ClusSvc'

$plugins = @()
if (Get-Command -Name 'Get-CauPlugin' -ErrorAction SilentlyContinue) { $plugins = @(Get-CauPlugin | ForEach-Object { [string]$_.Name }) }

@{
    node                          = [string]$env:COMPUTERNAME
    osCaption                     = [string]$os.Caption
    osBuild                       = [int]$os.BuildNumber
    features                      = @{
        failoverClustering       = [bool]$installed['Failover-Clustering']
        rsatClusteringPowerShell = [bool]$installed['RSAT-Clustering-PowerShell']
        netFramework45           = [bool]$installed['NET-Framework-45-Core']
    }
    psRemotingEnabled             = [bool](Test-CauctlPSRemoting)
    wmiRemotingEnabled            = ($winrm.state -eq 'Running' -and $winrmRuleOn)
    winrmServiceAutomatic         = ($winrm.startMode -eq 'Automatic')
    remoteShutdownFirewallEnabled = $remoteShutdownOn
    autoUpdateMode                = $autoUpdateMode
    updateSource                  = $updateSource
    winHttpProxy                  = $winHttpProxy
    dotNetVersion                 = $dotNetVersion
    powerShellVersion             = $PSVersionTable.PSVersion.ToString()
    clusterServiceState           = $clusSvc.state
    clusterServiceStartMode       = $clusSvc.startMode
    # What Get-WSManCredSSP reads for the server role.
    credSspServerEnabled          = ((Get-CauctlRegistryValue 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WSMAN\Service' 'auth_credssp') -eq 1)
    registeredPlugins             = $plugins
    # What a soft restart would be here (restart-node reads the same): Enabled, NotInstalled or Bypassed.
    kernelSoftReboot              = (Get-CauctlSoftBootStatus)
}

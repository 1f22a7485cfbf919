# Pester tests for src/cluster/scripts/get-node-setup.ps1: OS, features, services, firewall, registry and the
# Windows Update service list all mocked.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    $env:COMPUTERNAME = 'NODE1'
}

Describe 'get-node-setup' {
    BeforeEach {
        Mock Get-CimInstance { [pscustomobject]@{ Caption = 'Microsoft Windows Server 2022 Datacenter'; BuildNumber = '20348' } } -ParameterFilter { $ClassName -eq 'Win32_OperatingSystem' }
        Mock Get-WindowsFeature {
            [pscustomobject]@{ Name = 'Failover-Clustering'; Installed = $true }
            [pscustomobject]@{ Name = 'RSAT-Clustering-PowerShell'; Installed = $false }
            [pscustomobject]@{ Name = 'NET-Framework-45-Core'; Installed = $true }
        }
        Mock Get-Service { [pscustomobject]@{ Name = 'WinRM'; Status = 'Running'; StartType = 'Automatic' } } -ParameterFilter { $Name -eq 'WinRM' }
        Mock Get-Service { [pscustomobject]@{ Name = 'ClusSvc'; Status = 'Running'; StartType = 'Automatic' } } -ParameterFilter { $Name -eq 'ClusSvc' }
        Mock Get-NetFirewallRule { [pscustomobject]@{ Name = 'WINRM-HTTP-In-TCP'; Enabled = 'True' } } -ParameterFilter { $Name -like 'WINRM*' }
        Mock Get-NetFirewallRule { [pscustomobject]@{ Name = 'RemoteShutdown'; Enabled = 'False' } } -ParameterFilter { $Group -eq '@firewallapi.dll,-36751' }
        Mock Get-CauctlRegistryValue { $null }
        Mock Get-CauctlRegistryValue { 4 } -ParameterFilter { $Name -eq 'AUOptions' }
        Mock Get-CauctlRegistryValue { 528449 } -ParameterFilter { $Name -eq 'Release' }
        Mock Get-CauctlRegistryValue { 1 } -ParameterFilter { $Name -eq 'auth_credssp' }
        Mock Test-CauctlPSRemoting { $true }
        Mock Get-CauctlUpdateServiceIds { @('9482f4b4-e343-43b6-b170-9a65bc822c77') }
        Mock Invoke-CauctlNetshWinHttpProxy { "`r`nCurrent WinHTTP proxy settings:`r`n`r`n    Direct access (no proxy server).`r`n" }
        Mock Get-CauPlugin { [pscustomobject]@{ Name = 'Microsoft.WindowsUpdatePlugin' }; [pscustomobject]@{ Name = 'Microsoft.HotfixPlugin' } }
        Mock Test-CauctlKernelSoftReboot { $false }
    }

    It 'reports Kernel Soft Reboot as restart-node would find it: NotInstalled, Enabled (ksrcmd.exe), Bypassed (CauBypassSoftBootOnNode)' {
        (Invoke-ViaBootstrap 'get-node-setup').Outcome.data.kernelSoftReboot | Should -Be 'NotInstalled'
        Mock Test-CauctlKernelSoftReboot { $true }
        (Invoke-ViaBootstrap 'get-node-setup').Outcome.data.kernelSoftReboot | Should -Be 'Enabled'
        Mock Get-CauctlRegistryValue { 'True' } -ParameterFilter { $Path -like '*\ClusterAwareUpdating' -and $Name -eq 'CauBypassSoftBootOnNode' }
        (Invoke-ViaBootstrap 'get-node-setup').Outcome.data.kernelSoftReboot | Should -Be 'Bypassed'
    }

    It 'reports every readiness fact from the mocked node' {
        $result = Invoke-ViaBootstrap 'get-node-setup'
        $result.Outcome.ok | Should -BeTrue
        $data = $result.Outcome.data
        $data.node | Should -Be 'NODE1'
        $data.osBuild | Should -Be 20348
        $data.features.failoverClustering | Should -BeTrue
        $data.features.rsatClusteringPowerShell | Should -BeFalse
        $data.psRemotingEnabled | Should -BeTrue
        $data.wmiRemotingEnabled | Should -BeTrue
        $data.winrmServiceAutomatic | Should -BeTrue
        $data.remoteShutdownFirewallEnabled | Should -BeFalse
        $data.autoUpdateMode | Should -Be 'AutoInstall'
        $data.updateSource | Should -Be 'WindowsUpdate'
        $data.winHttpProxy | Should -Be 'Direct'
        $data.dotNetVersion | Should -Be '4.8'
        $data.clusterServiceState | Should -Be 'Running'
        $data.credSspServerEnabled | Should -BeTrue
        $data.registeredPlugins | Should -Be @('Microsoft.WindowsUpdatePlugin', 'Microsoft.HotfixPlugin')
        Should -Invoke Get-NetFirewallRule -Times 1 -Exactly -ParameterFilter { $Group -eq '@firewallapi.dll,-36751' }
        Should -Invoke Get-WindowsFeature -Times 1 -Exactly -ParameterFilter { $Name -contains 'Failover-Clustering' -and $Name -contains 'NET-Framework-45-Core' }
        Save-OperationJson 'get-node-setup' $result
    }

    It 'reads WSUS, a proxy with bypass list, Microsoft Update and a missing cluster service' {
        Mock Get-CauctlRegistryValue { 1 } -ParameterFilter { $Name -eq 'UseWUServer' }
        Mock Get-CauctlRegistryValue { 'http://wsus.contoso.com:8530' } -ParameterFilter { $Name -eq 'WUServer' }
        Mock Get-CauctlRegistryValue { 1 } -ParameterFilter { $Name -eq 'NoAutoUpdate' }
        Mock Get-Service { $null } -ParameterFilter { $Name -eq 'ClusSvc' }
        Mock Invoke-CauctlNetshWinHttpProxy { "Current WinHTTP proxy settings:`r`n`r`n    Proxy Server(s) :  proxy.contoso.com:8080`r`n    Bypass List     :  <local>`r`n" }
        $data = (Invoke-ViaBootstrap 'get-node-setup').Outcome.data
        $data.updateSource | Should -Be 'WSUS:http://wsus.contoso.com:8530'
        $data.autoUpdateMode | Should -Be 'Disabled'
        $data.winHttpProxy | Should -Be 'proxy.contoso.com:8080 bypass=<local>'
        $data.clusterServiceState | Should -Be 'NotInstalled'
        $data.clusterServiceStartMode | Should -Be 'NotInstalled'
    }

    It 'recognises Microsoft Update by its service id and maps AUOptions 2' {
        Mock Get-CauctlUpdateServiceIds { @('7971f918-a847-4430-9279-4a52d1efe18d') }
        Mock Get-CauctlRegistryValue { 2 } -ParameterFilter { $Name -eq 'AUOptions' }
        $result = Invoke-ViaBootstrap 'get-node-setup'
        $result.Outcome.data.updateSource | Should -Be 'MicrosoftUpdate'
        $result.Outcome.data.autoUpdateMode | Should -Be 'NotifyOnly'
        Save-OperationJson 'get-node-setup' $result 'microsoft-update'
    }

    It 'reports MISSING_FEATURE on a node without Get-WindowsFeature (client OS)' {
        Mock Get-WindowsFeature { throw (New-Object System.Management.Automation.CommandNotFoundException 'Get-WindowsFeature is not recognized') }
        $result = Invoke-ViaBootstrap 'get-node-setup'
        $result.Outcome.error.code | Should -Be 'MISSING_FEATURE'
    }
}

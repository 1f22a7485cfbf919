# Pester tests for src/cluster/scripts/prepare-remoting.ps1: each preparation step runs only when missing.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    $env:COMPUTERNAME = 'NODE1'
}
AfterAll { Remove-Variable -Name CauctlTestState -Scope Global -ErrorAction SilentlyContinue }

Describe 'prepare-remoting' {
    BeforeEach {
        $global:CauctlTestState = @{ winrm = 'Automatic'; remoting = 'True'; firewall = 'True' }
        Mock Get-Service { [pscustomobject]@{ Name = 'WinRM'; StartType = $global:CauctlTestState.winrm; Status = 'Running' } }
        Mock Get-PSSessionConfiguration { [pscustomobject]@{ Name = 'Microsoft.PowerShell'; Enabled = $global:CauctlTestState.remoting } }
        Mock Get-NetFirewallRule { [pscustomobject]@{ Name = 'RemoteShutdown'; Enabled = $global:CauctlTestState.firewall } }
        Mock Set-WSManQuickConfig { }
        Mock Enable-PSRemoting { }
        Mock Set-NetFirewallRule { }
    }

    It 'changes nothing on a prepared node' {
        $result = Invoke-ViaBootstrap 'prepare-remoting' @{}
        $result.Outcome.ok | Should -BeTrue
        @($result.Outcome.data.applied).Count | Should -Be 0
        Should -Invoke Set-WSManQuickConfig -Times 0 -Exactly
        Should -Invoke Enable-PSRemoting -Times 0 -Exactly
        Should -Invoke Set-NetFirewallRule -Times 0 -Exactly
        Save-OperationJson 'prepare-remoting' $result 'prepared'
    }

    It 'runs Set-WSManQuickConfig, Enable-PSRemoting and enables the Remote Shutdown group when they are missing' {
        $global:CauctlTestState = @{ winrm = 'Manual'; remoting = 'False'; firewall = 'False' }
        $result = Invoke-ViaBootstrap 'prepare-remoting' @{}
        $result.Outcome.data.node | Should -Be 'NODE1'
        @($result.Outcome.data.applied) | Should -Be @('Set-WSManQuickConfig', 'Enable-PSRemoting', 'Enabled the Remote Shutdown firewall rule group')
        Should -Invoke Set-WSManQuickConfig -Times 1 -Exactly -ParameterFilter { $Force }
        Should -Invoke Enable-PSRemoting -Times 1 -Exactly -ParameterFilter { $Force -and $SkipNetworkProfileCheck }
        Should -Invoke Set-NetFirewallRule -Times 1 -Exactly -ParameterFilter { $Group -eq '@firewallapi.dll,-36751' -and $Profile -eq 'Domain' -and $Enabled -eq 'True' }
        Save-OperationJson 'prepare-remoting' $result
    }
}

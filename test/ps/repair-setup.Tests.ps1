# Pester tests for src/cluster/scripts/repair-setup.ps1 with the firewall, feature and CredSSP cmdlets mocked.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
}

Describe 'repair-setup' {
    BeforeEach {
        Mock Set-NetFirewallRule { }
        Mock Install-WindowsFeature { [pscustomobject]@{ Success = $true; RestartNeeded = 'No' } }
        Mock Disable-WSManCredSSP { }
    }

    It 'applies every fix asked for, with the documented parameters' {
        $result = Invoke-ViaBootstrap 'repair-setup' @{ enableRemoteShutdownFirewall = $true; installFeatures = @('RSAT-Clustering-PowerShell', 'NET-Framework-45-Core'); disableCredSspServer = $true }
        $result.Outcome.data.applied | Should -Be @('remoteShutdownFirewall', 'feature:RSAT-Clustering-PowerShell', 'feature:NET-Framework-45-Core', 'disableCredSspServer')
        Should -Invoke Set-NetFirewallRule -Times 1 -Exactly -ParameterFilter { $Group -eq '@firewallapi.dll,-36751' -and $Profile -eq 'Domain' -and $Enabled -eq 'True' }
        Should -Invoke Install-WindowsFeature -Times 2 -Exactly
        Should -Invoke Install-WindowsFeature -Times 1 -Exactly -ParameterFilter { $Name -eq 'RSAT-Clustering-PowerShell' }
        Should -Invoke Disable-WSManCredSSP -Times 1 -Exactly -ParameterFilter { $Role -eq 'Server' }
        Save-OperationJson 'repair-setup' $result
    }

    It 'does nothing when nothing is asked, and still returns an array' {
        $result = Invoke-ViaBootstrap 'repair-setup' @{ enableRemoteShutdownFirewall = $false; installFeatures = @(); disableCredSspServer = $false }
        $result.Json | Should -Match '"applied":\[\]'
        Should -Invoke Set-NetFirewallRule -Times 0 -Exactly
        Should -Invoke Install-WindowsFeature -Times 0 -Exactly
        Should -Invoke Disable-WSManCredSSP -Times 0 -Exactly
        Save-OperationJson 'repair-setup' $result 'nothing'
    }

    It 'passes a hostile feature name as one argument and fails when the install does not succeed' {
        Mock Install-WindowsFeature { [pscustomobject]@{ Success = $false } }
        $result = Invoke-ViaBootstrap 'repair-setup' @{ enableRemoteShutdownFirewall = $false; installFeatures = @('x; Remove-Item C:\'); disableCredSspServer = $false }
        $result.Outcome.ok | Should -BeFalse
        $result.Outcome.error.message | Should -Match 'did not succeed'
        Should -Invoke Install-WindowsFeature -Times 1 -Exactly -ParameterFilter { $Name -eq 'x; Remove-Item C:\' }
    }
}

# Pester tests for src/cluster/scripts/scan-updates.ps1: the Windows Update search wrapper mocked, hotfix
# folders built under TestDrive.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'helpers/FakeWindowsUpdate.ps1')
    $env:COMPUTERNAME = 'NODE1'
}

Describe 'scan-updates' {
    Context 'Microsoft.WindowsUpdatePlugin' {
        BeforeEach {
            Mock Invoke-CauctlUpdateSearch {
                New-FakeUpdate '5d1c0000-0000-0000-0000-000000000001' '2024-10 Cumulative Update' '5031364' 1 $true
                New-FakeUpdate '5d1c0000-0000-0000-0000-000000000002' 'Optional preview' '5031999' 0 $false
                New-FakeUpdate '5d1c0000-0000-0000-0000-000000000003' 'Needs EULA' '5030000' 1 $true $false
            }
        }

        It 'searches with CAU default criteria and keeps important, unattended updates' {
            $result = Invoke-ViaBootstrap 'scan-updates' @{ plugin = 'Microsoft.WindowsUpdatePlugin'; arguments = @{} }
            $updates = @($result.Outcome.data.updates)
            $updates.Count | Should -Be 1
            $updates[0].updateId | Should -Be '5d1c0000-0000-0000-0000-000000000001'
            $updates[0].kb | Should -Be 'KB5031364'
            $updates[0].rebootRequired | Should -BeTrue
            Should -Invoke Invoke-CauctlUpdateSearch -Times 1 -Exactly -ParameterFilter { $Criteria -eq "IsInstalled=0 and Type='Software' and IsHidden=0 and IsAssigned=1" }
            Save-OperationJson 'scan-updates' $result
        }

        It 'takes recommended updates with IncludeRecommendedUpdates and passes QueryString verbatim as data' {
            $recommended = Invoke-ViaBootstrap 'scan-updates' @{ plugin = 'Microsoft.WindowsUpdatePlugin'; arguments = @{ IncludeRecommendedUpdates = 'True' } }
            @($recommended.Outcome.data.updates).Count | Should -Be 2
            $query = "IsInstalled=0 and Type='Driver' and IsHidden=0; `$(Remove-Item C:\)"
            Invoke-ViaBootstrap 'scan-updates' @{ plugin = 'Microsoft.WindowsUpdatePlugin'; arguments = @{ querystring = $query } } | Out-Null
            Should -Invoke Invoke-CauctlUpdateSearch -Times 1 -Exactly -ParameterFilter { $Criteria -ceq $query }
        }

        It 'returns an empty array when nothing applies' {
            Mock Invoke-CauctlUpdateSearch { }
            $result = Invoke-ViaBootstrap 'scan-updates' @{ plugin = 'Microsoft.WindowsUpdatePlugin'; arguments = @{} }
            $result.Json | Should -Match '"updates":\[\]'
            Save-OperationJson 'scan-updates' $result 'none'
        }

        It 'surfaces a Windows Update error (0x8024402C) as SCRIPT_ERROR' {
            Mock Invoke-CauctlUpdateSearch { throw (New-Object System.Runtime.InteropServices.COMException 'Exception from HRESULT: 0x8024402C', -2145107924) }
            $result = Invoke-ViaBootstrap 'scan-updates' @{ plugin = 'Microsoft.WindowsUpdatePlugin'; arguments = @{} }
            $result.Outcome.error.code | Should -Be 'SCRIPT_ERROR'
            $result.Outcome.error.message | Should -Match '0x8024402C'
        }
    }

    Context 'Microsoft.HotfixPlugin' {
        It 'lists .msu/.msi/.msp files in CAUHotfix_All and the node folder, ignoring others and other nodes' {
            $root = Join-Path $TestDrive 'hotfixes'
            foreach ($dir in 'CAUHotfix_All', 'NODE1', 'NODE2') { New-Item -ItemType Directory -Path (Join-Path $root $dir) -Force | Out-Null }
            foreach ($file in 'CAUHotfix_All/windows10.0-kb5031364-x64.msu', 'CAUHotfix_All/readme.txt', 'NODE1/firmware.MSI', 'NODE2/other.msp') {
                Set-Content -LiteralPath (Join-Path $root $file) -Value 'x'
            }
            $result = Invoke-ViaBootstrap 'scan-updates' @{ plugin = 'Microsoft.HotfixPlugin'; arguments = @{ HotfixRootFolderPath = $root } }
            $updates = @($result.Outcome.data.updates)
            $updates.updateId | Should -Be @('CAUHotfix_All\windows10.0-kb5031364-x64.msu', 'NODE1\firmware.MSI')
            $updates[0].kb | Should -Be 'KB5031364'
            $updates[1].kb | Should -Be ''
            Save-OperationJson 'scan-updates' $result 'hotfix'
        }

        It 'lists the files of FolderRules folders below CAUHotfix_All and the node folder (any extension), ignoring folders without a rule' {
            $root = Join-Path $TestDrive 'hotfixes-folders'
            foreach ($dir in 'CAUHotfix_All/FolderRule1', 'NODE1/FolderRule1', 'NODE1/NoRuleHere', 'NODE2/FolderRule1') { New-Item -ItemType Directory -Path (Join-Path $root $dir) -Force | Out-Null }
            foreach ($file in 'CAUHotfix_All/FolderRule1/bios-1.2.exe', 'NODE1/FolderRule1/SpecialHotfix1.exe', 'NODE1/NoRuleHere/ignored.exe', 'NODE2/FolderRule1/other-node.exe', 'CAUHotfix_All/kb5031364.msu') {
                Set-Content -LiteralPath (Join-Path $root $file) -Value 'x'
            }
            # The configuration with a default namespace; its <Folder name="FolderRule1"> rule.
            Copy-Item -LiteralPath (Join-Path $PSScriptRoot 'fixtures/DefaultHotfixConfig.xml') -Destination (Join-Path $root 'DefaultHotfixConfig.xml')
            $result = Invoke-ViaBootstrap 'scan-updates' @{ plugin = 'Microsoft.HotfixPlugin'; arguments = @{ HotfixRootFolderPath = $root } }
            $result.Outcome.ok | Should -BeTrue
            @($result.Outcome.data.updates).updateId | Should -Be @('CAUHotfix_All\kb5031364.msu', 'CAUHotfix_All\FolderRule1\bios-1.2.exe', 'NODE1\FolderRule1\SpecialHotfix1.exe')
            Save-OperationJson 'scan-updates' $result 'hotfix-folders'
        }

        It 'takes the handled extensions from the configuration (HotfixConfigFileName), and says so when it is not XML' {
            $root = Join-Path $TestDrive 'hotfixes-ext'
            New-Item -ItemType Directory -Path (Join-Path $root 'CAUHotfix_All') -Force | Out-Null
            foreach ($file in 'a.msu', 'b.msi', 'c.cab') { Set-Content -LiteralPath (Join-Path $root "CAUHotfix_All/$file") -Value 'x' }
            $config = '<HotfixInstallerConfiguration><DefaultRules><ExtensionRules><Extension name="MSU"/><Extension name="CAB"/></ExtensionRules></DefaultRules></HotfixInstallerConfiguration>'
            Set-Content -LiteralPath (Join-Path $root 'Custom.xml') -Value $config
            $result = Invoke-ViaBootstrap 'scan-updates' @{ plugin = 'Microsoft.HotfixPlugin'; arguments = @{ HotfixRootFolderPath = $root; HotfixConfigFileName = 'Custom.xml' } }
            @($result.Outcome.data.updates).updateId | Should -Be @('CAUHotfix_All\a.msu', 'CAUHotfix_All\c.cab')
            Set-Content -LiteralPath (Join-Path $root 'Custom.xml') -Value '<HotfixInstallerConfiguration><DefaultRules>'
            $broken = Invoke-ViaBootstrap 'scan-updates' @{ plugin = 'Microsoft.HotfixPlugin'; arguments = @{ HotfixRootFolderPath = $root; HotfixConfigFileName = 'Custom.xml' } }
            $broken.Outcome.error.code | Should -Be 'HOTFIX_CONFIG_INVALID'
            $broken.Outcome.error.message | Should -Match '(?s)Custom\.xml.*HotfixConfigSchema\.xsd'
        }

        It 'a hotfix root this session may not read is NETWORK_CREDENTIAL_REQUIRED, never an empty scan' {
            Mock Get-Item { throw (New-Object System.UnauthorizedAccessException 'Access to the path is denied.') }
            $result = Invoke-ViaBootstrap 'scan-updates' @{ plugin = 'Microsoft.HotfixPlugin'; arguments = @{ HotfixRootFolderPath = '\\fs01\hotfixes' }; networkCredential = $null }
            $result.Outcome.ok | Should -BeFalse
            $result.Outcome.error.code | Should -Be 'NETWORK_CREDENTIAL_REQUIRED'
            $result.Outcome.error.message | Should -Match 'fs01'
        }

        It 'a denied node folder below a readable root is NETWORK_CREDENTIAL_REQUIRED too' {
            $root = Join-Path $TestDrive 'hotfixes-denied'
            New-Item -ItemType Directory -Path (Join-Path $root 'CAUHotfix_All') -Force | Out-Null
            Mock Get-ChildItem { throw (New-Object System.UnauthorizedAccessException 'Access to the path is denied.') }
            $result = Invoke-ViaBootstrap 'scan-updates' @{ plugin = 'Microsoft.HotfixPlugin'; arguments = @{ HotfixRootFolderPath = $root } }
            $result.Outcome.error.code | Should -Be 'NETWORK_CREDENTIAL_REQUIRED'
        }

        It 'with the password, lists the root in a fresh Password logon as the admin account' {
            $saved = $env:ProgramData
            try {
                Set-CauctlTaskSchedulerFake
                $root = Join-Path $TestDrive 'hotfixes-logon'
                New-Item -ItemType Directory -Path (Join-Path $root 'CAUHotfix_All') -Force | Out-Null
                Set-Content -LiteralPath (Join-Path $root 'CAUHotfix_All/windows10.0-kb5031364-x64.msu') -Value 'x'
                $result = Invoke-ViaBootstrap 'scan-updates' @{ plugin = 'Microsoft.HotfixPlugin'; arguments = @{ HotfixRootFolderPath = $root }; networkCredential = (New-CauctlTestCredential) }
                @($result.Outcome.data.updates).updateId | Should -Be @('CAUHotfix_All\windows10.0-kb5031364-x64.msu')
                $global:CauctlTaskScheduler.history[0].user | Should -Be 'CONTOSO\admin'
                $global:CauctlTaskScheduler.registered.Count | Should -Be 0
            } finally {
                $env:ProgramData = $saved
                Remove-Variable -Name CauctlTaskScheduler -Scope Global -ErrorAction SilentlyContinue
            }
        }

        It 'needs HotfixRootFolderPath' {
            $result = Invoke-ViaBootstrap 'scan-updates' @{ plugin = 'Microsoft.HotfixPlugin'; arguments = @{} }
            $result.Outcome.ok | Should -BeFalse
            $result.Outcome.error.message | Should -Match 'HotfixRootFolderPath'
        }
    }

    Context 'Microsoft.RollingUpgradePlugin' {
        It 'offers only updates in the Upgrades category, naming the feature update' {
            Mock Invoke-CauctlUpdateSearch {
                New-FakeUpdate 'f0000000-0000-0000-0000-000000000001' 'Windows Server 2025 feature update' '' 1 $false $true @('3689bdc8-b205-4af4-8d4a-a63924c5e9d5')
                New-FakeUpdate 'f0000000-0000-0000-0000-000000000002' 'Cumulative update' '5031364' 1 $true $true @('0fa1201d-4330-4fa8-8ae9-b877473b6441')
            }
            $result = Invoke-ViaBootstrap 'scan-updates' @{ plugin = 'Microsoft.RollingUpgradePlugin'; arguments = @{ WuConnected = 'true' } }
            $updates = @($result.Outcome.data.updates)
            $updates.Count | Should -Be 1
            $updates[0].featureUpdate | Should -Be 'Windows Server 2025 feature update'
            Should -Invoke Invoke-CauctlUpdateSearch -Times 1 -Exactly -ParameterFilter { $Criteria -eq "IsInstalled=0 and Type='Software' and IsHidden=0 and DeploymentAction='OptionalInstallation'" }
            Save-OperationJson 'scan-updates' $result 'rolling-upgrade'
        }

        It 'refuses media without setup.exe' {
            $result = Invoke-ViaBootstrap 'scan-updates' @{ plugin = 'Microsoft.RollingUpgradePlugin'; arguments = @{ WuConnected = 'false'; PathToSetupMedia = (Join-Path $TestDrive 'nomedia') } }
            $result.Outcome.ok | Should -BeFalse
            $result.Outcome.error.message | Should -Match 'setup.exe'
        }
    }

    It 'refuses an unknown plug-in name' {
        (Invoke-ViaBootstrap 'scan-updates' @{ plugin = 'Contoso.Plugin'; arguments = @{} }).Outcome.ok | Should -BeFalse
    }
}

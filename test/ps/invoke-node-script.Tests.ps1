# Pester tests for src/cluster/scripts/invoke-node-script.ps1 with Invoke-Command mocked.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    $env:COMPUTERNAME = 'NODE1'
}

Describe 'invoke-node-script' {
    BeforeEach {
        $scriptFile = Join-Path $TestDrive 'pre-update.ps1'
        Set-Content -LiteralPath $scriptFile -Value "Write-Output 'suspending bitlocker'"
    }

    It 'runs the script through loopback remoting with the configuration and returns its output' {
        Mock Invoke-Command { 'suspending bitlocker' }
        $result = Invoke-ViaBootstrap 'invoke-node-script' @{ path = $scriptFile; configurationName = 'Microsoft.PowerShell' }
        $result.Outcome.data.exitCode | Should -Be 0
        $result.Outcome.data.output | Should -Match 'suspending bitlocker'
        Should -Invoke Invoke-Command -Times 1 -Exactly -ParameterFilter { $ComputerName -eq 'localhost' -and $ConfigurationName -eq 'Microsoft.PowerShell' -and $FilePath -eq $scriptFile }
        Save-OperationJson 'invoke-node-script' $result
    }

    It 'returns exit code 1 when the script writes an error or throws' {
        Mock Invoke-Command { 'partial'; Write-Error 'BitLocker not found' -ErrorAction Continue }
        $result = Invoke-ViaBootstrap 'invoke-node-script' @{ path = $scriptFile; configurationName = 'Microsoft.PowerShell' }
        $result.Outcome.data.exitCode | Should -Be 1
        $result.Outcome.data.output | Should -Match 'BitLocker not found'
        Mock Invoke-Command { throw 'Connecting to remote server localhost failed' }
        $result = Invoke-ViaBootstrap 'invoke-node-script' @{ path = $scriptFile; configurationName = 'Microsoft.PowerShell' }
        $result.Outcome.data.exitCode | Should -Be 1
        $result.Outcome.data.output | Should -Match 'Connecting to remote server'
        Save-OperationJson 'invoke-node-script' $result 'failed'
    }

    It 'refuses a path that is not an existing .ps1 file' {
        Mock Invoke-Command { }
        $result = Invoke-ViaBootstrap 'invoke-node-script' @{ path = (Join-Path $TestDrive 'missing.ps1'); configurationName = 'Microsoft.PowerShell' }
        $result.Outcome.ok | Should -BeFalse
        $result.Outcome.error.message | Should -Match 'No \.ps1 script'
        Should -Invoke Invoke-Command -Times 0 -Exactly
    }
}

# Pester tests for src/cluster/scripts/invoke-node-script.ps1: the script runs in the node's own session (no
# remoting to localhost), or in a fresh logon with the admin's password; output, errors and exit codes come
# back; a denied share is NETWORK_CREDENTIAL_REQUIRED, never "not found".
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    $savedComputerName = $env:COMPUTERNAME
    $savedProgramData = $env:ProgramData
    $env:COMPUTERNAME = 'NODE1'
}
AfterAll {
    $env:COMPUTERNAME = $savedComputerName
    $env:ProgramData = $savedProgramData
    Remove-Variable -Name CauctlTaskScheduler -Scope Global -ErrorAction SilentlyContinue
}

Describe 'invoke-node-script' {
    BeforeEach {
        $scriptFile = Join-Path $TestDrive 'pre-update.ps1'
        Set-Content -LiteralPath $scriptFile -Value "Write-Output 'suspending bitlocker'"
        Mock Invoke-Command { throw 'invoke-node-script must not use PowerShell remoting' }
    }

    It 'runs the script in this session and returns its output, without remoting to localhost' {
        $result = Invoke-ViaBootstrap 'invoke-node-script' @{ path = $scriptFile; configurationName = 'Microsoft.PowerShell'; networkCredential = $null }
        $result.Outcome.data.exitCode | Should -Be 0
        $result.Outcome.data.output | Should -Match 'suspending bitlocker'
        Should -Invoke Invoke-Command -Times 0 -Exactly
        Save-OperationJson 'invoke-node-script' $result
    }

    It 'returns exit code 1 when the script writes an error, and its own code when it exits with one' {
        Set-Content -LiteralPath $scriptFile -Value "'partial'; Write-Error 'BitLocker not found'"
        $result = Invoke-ViaBootstrap 'invoke-node-script' @{ path = $scriptFile; configurationName = 'Microsoft.PowerShell' }
        $result.Outcome.data.exitCode | Should -Be 1
        $result.Outcome.data.output | Should -Match 'BitLocker not found'
        Set-Content -LiteralPath $scriptFile -Value "'refusing'; exit 3"
        $result = Invoke-ViaBootstrap 'invoke-node-script' @{ path = $scriptFile; configurationName = 'Microsoft.PowerShell' }
        $result.Outcome.data.exitCode | Should -Be 3
        Set-Content -LiteralPath $scriptFile -Value "throw 'Connecting failed'"
        $result = Invoke-ViaBootstrap 'invoke-node-script' @{ path = $scriptFile; configurationName = 'Microsoft.PowerShell' }
        $result.Outcome.data.exitCode | Should -Be 1
        $result.Outcome.data.output | Should -Match 'Connecting failed'
        Save-OperationJson 'invoke-node-script' $result 'failed'
    }

    It 'refuses a path that is not an existing .ps1 file' {
        $result = Invoke-ViaBootstrap 'invoke-node-script' @{ path = (Join-Path $TestDrive 'missing.ps1'); configurationName = 'Microsoft.PowerShell' }
        $result.Outcome.ok | Should -BeFalse
        $result.Outcome.error.message | Should -Match 'No \.ps1 script'
    }

    It 'a script on a share that this session may not read is NETWORK_CREDENTIAL_REQUIRED' {
        Mock Get-Item { throw (New-Object System.UnauthorizedAccessException 'Access to the path is denied.') }
        $result = Invoke-ViaBootstrap 'invoke-node-script' @{ path = '\\fs01\scripts\pre.ps1'; configurationName = 'Microsoft.PowerShell'; networkCredential = $null }
        $result.Outcome.error.code | Should -Be 'NETWORK_CREDENTIAL_REQUIRED'
        $result.Outcome.error.message | Should -Match 'fs01'
    }

    It 'refuses a session configuration other than the default, which would need remoting' {
        $result = Invoke-ViaBootstrap 'invoke-node-script' @{ path = $scriptFile; configurationName = 'JEA.Maintenance' }
        $result.Outcome.ok | Should -BeFalse
        $result.Outcome.error.message | Should -Match 'JEA.Maintenance'
    }

    It 'with the password, runs the script in a fresh Password logon as the admin account' {
        Set-CauctlTaskSchedulerFake
        $result = Invoke-ViaBootstrap 'invoke-node-script' @{ path = $scriptFile; configurationName = 'Microsoft.PowerShell'; networkCredential = (New-CauctlTestCredential) }
        $result.Outcome.data.exitCode | Should -Be 0
        $result.Outcome.data.output | Should -Match 'suspending bitlocker'
        $global:CauctlTaskScheduler.history[0].user | Should -Be 'CONTOSO\admin'
        $global:CauctlTaskScheduler.registered.Count | Should -Be 0
    }
}

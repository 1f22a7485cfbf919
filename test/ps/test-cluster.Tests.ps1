# Pester tests for src/cluster/scripts/test-cluster.ps1: one Test-Cluster per category, classed as passed,
# warning (a warning was written) or failed (the cmdlet threw).
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    $savedProgramData = $env:ProgramData
}
AfterAll {
    $env:ProgramData = $savedProgramData
    Remove-Variable -Name CauctlTaskScheduler -Scope Global -ErrorAction SilentlyContinue
}

Describe 'test-cluster' {
    BeforeEach {
        Mock Test-Cluster {
            if ($Include -eq 'Network') { Write-Warning 'Node NODE2 has only one network adapter.' }
            if ($Include -eq 'Storage Spaces Direct') { throw 'Disk 4 on NODE3 is not eligible.' }
            [pscustomobject]@{ FullName = 'C:\Windows\Cluster\Reports\Validation Report.htm' }
        }
    }

    It 'classes each category and keeps the messages and the report path' {
        $result = Invoke-ViaBootstrap 'test-cluster' @{ include = @('Inventory', 'Network', 'Storage Spaces Direct') }
        $data = $result.Outcome.data
        @($data.passed) | Should -Be @('Inventory')
        @($data.warning) | Should -Be @('Network')
        @($data.failed) | Should -Be @('Storage Spaces Direct')
        ($data.messages -join "`n") | Should -Match 'only one network adapter'
        ($data.messages -join "`n") | Should -Match 'Disk 4 on NODE3'
        $data.reportPath | Should -Be 'C:\Windows\Cluster\Reports\Validation Report.htm'
        Should -Invoke Test-Cluster -Times 3 -Exactly -ParameterFilter { $Force }
        Should -Invoke Test-Cluster -Times 1 -Exactly -ParameterFilter { $Include -eq 'Network' }
        Save-OperationJson 'test-cluster' $result
    }

    It 'passes a hostile category name as data' {
        $result = Invoke-ViaBootstrap 'test-cluster' @{ include = @("Inventory'; Remove-Item C:\ #") }
        @($result.Outcome.data.passed) | Should -Be @("Inventory'; Remove-Item C:\ #")
    }

    Context 'the second hop' {
        BeforeEach { Set-CauctlTaskSchedulerFake }

        It 'with the password, validates in a fresh Password logon as the admin account' {
            $result = Invoke-ViaBootstrap 'test-cluster' @{ include = @('Inventory', 'Network'); networkCredential = (New-CauctlTestCredential) }
            @($result.Outcome.data.passed) | Should -Be @('Inventory')
            @($result.Outcome.data.warning) | Should -Be @('Network')
            @($result.Outcome.data.failed).Count | Should -Be 0
            $global:CauctlTaskScheduler.history[0].user | Should -Be 'CONTOSO\admin'
            Should -Invoke Test-Cluster -Times 2 -Exactly
            $global:CauctlTaskScheduler.registered.Count | Should -Be 0
            Save-OperationJson 'test-cluster' $result 'network-logon'
        }

        It 'without the password, a denied validation is NETWORK_CREDENTIAL_REQUIRED, not a failed category' {
            Mock Test-Cluster { throw (New-Object System.ComponentModel.Win32Exception 5) }
            $result = Invoke-ViaBootstrap 'test-cluster' @{ include = @('Inventory'); networkCredential = $null }
            $result.Outcome.ok | Should -BeFalse
            $result.Outcome.error.code | Should -Be 'NETWORK_CREDENTIAL_REQUIRED'
            $result.Outcome.error.message | Should -Match 'Test-Cluster'
        }
    }
}

# Pester tests for src/cluster/scripts/wait-storage-healthy.ps1: storage mocked, time driven by a fake clock
# (Start-Sleep advances it), so nothing waits in real time.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
}

# Mock state is global: mock bodies run in the script's scope, where $script: means the bootstrap.
AfterAll { Remove-Variable -Name CauctlTestState -Scope Global -ErrorAction SilentlyContinue }

Describe 'wait-storage-healthy' {
    BeforeEach {
        $global:CauctlTestState = @{ clock = 0.0; polls = 0 }
        Mock Get-CauctlMonotonicSeconds { $global:CauctlTestState.clock }
        Mock Start-Sleep { $global:CauctlTestState.clock += $Seconds }
        Mock Get-Cluster { [pscustomobject]@{ Name = 'HCI01'; S2DEnabled = 1 } }
        Mock Get-VirtualDisk { [pscustomobject]@{ FriendlyName = 'Volume1'; HealthStatus = 'Healthy'; OperationalStatus = 'OK' } }
        Mock Get-StoragePool { [pscustomobject]@{ FriendlyName = 'Pool'; HealthStatus = 'Healthy'; OperationalStatus = 'OK' } }
    }

    It 'polls until the repair job completes, then reports healthy and the time waited' {
        Mock Get-StorageJob {
            $global:CauctlTestState.polls++
            if ($global:CauctlTestState.polls -lt 3) { [pscustomobject]@{ Name = 'Repair'; JobState = 'Running'; BytesProcessed = 1; BytesTotal = 2; PercentComplete = 50 } }
            else { [pscustomobject]@{ Name = 'Repair'; JobState = 'Completed'; BytesProcessed = 2; BytesTotal = 2; PercentComplete = 100 } }
        }
        $result = Invoke-ViaBootstrap 'wait-storage-healthy' @{ timeoutSeconds = 600; pollSeconds = 10 }
        $result.Outcome.data.healthy | Should -BeTrue
        $result.Outcome.data.waitedSeconds | Should -Be 20
        Should -Invoke Start-Sleep -Times 2 -Exactly -ParameterFilter { $Seconds -eq 10 }
        Save-OperationJson 'wait-storage-healthy' $result
    }

    It 'gives up at the timeout with healthy false and the last view' {
        Mock Get-StorageJob { [pscustomobject]@{ Name = 'Repair'; JobState = 'Suspended'; BytesProcessed = 1; BytesTotal = 2; PercentComplete = 50 } }
        $result = Invoke-ViaBootstrap 'wait-storage-healthy' @{ timeoutSeconds = 25; pollSeconds = 10 }
        $result.Outcome.data.healthy | Should -BeFalse
        $result.Outcome.data.waitedSeconds | Should -Be 25
        $result.Outcome.data.jobs[0].jobState | Should -Be 'Suspended'
        # 10 + 10 + the 5 left: the last sleep never overshoots the deadline.
        Should -Invoke Start-Sleep -Times 1 -Exactly -ParameterFilter { $Seconds -eq 5 }
        Save-OperationJson 'wait-storage-healthy' $result 'timeout'
    }

    It 'treats a Warning disk as not healthy even with no job running' {
        Mock Get-StorageJob { }
        Mock Get-VirtualDisk { [pscustomobject]@{ FriendlyName = 'Volume1'; HealthStatus = 'Warning'; OperationalStatus = 'Incomplete' } }
        $result = Invoke-ViaBootstrap 'wait-storage-healthy' @{ timeoutSeconds = 0; pollSeconds = 1 }
        $result.Outcome.data.healthy | Should -BeFalse
        Should -Invoke Start-Sleep -Times 0 -Exactly
    }

    It 'refuses a pollSeconds of 0 (parameter validation)' {
        $result = Invoke-ViaBootstrap 'wait-storage-healthy' @{ timeoutSeconds = 10; pollSeconds = 0 }
        $result.Outcome.ok | Should -BeFalse
        $result.Outcome.error.message | Should -Match 'pollSeconds'
    }
}

# Pester tests for src/cluster/scripts/get-storage-health.ps1 with the Storage cmdlets mocked.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
}

Describe 'get-storage-health' {
    BeforeEach {
        Mock Get-Cluster { [pscustomobject]@{ Name = 'HCI01'; S2DEnabled = 1 } }
        Mock Get-StorageJob { [pscustomobject]@{ Name = 'Repair'; JobState = 'Running'; BytesProcessed = 50; BytesTotal = 200; PercentComplete = 25 } }
        Mock Get-VirtualDisk {
            [pscustomobject]@{ FriendlyName = 'Volume1'; HealthStatus = 'Warning'; OperationalStatus = @('Degraded', 'InService') }
            [pscustomobject]@{ FriendlyName = 'Volume2'; HealthStatus = 'Unknown'; OperationalStatus = @('Detached') }
        }
        Mock Get-StoragePool { [pscustomobject]@{ FriendlyName = 'S2D on HCI01'; HealthStatus = 'Healthy'; OperationalStatus = 'OK' } }
    }

    It 'reports jobs, disks (joined operational status, detached = offline) and non-primordial pools' {
        $result = Invoke-ViaBootstrap 'get-storage-health'
        $data = $result.Outcome.data
        $data.s2dEnabled | Should -BeTrue
        $data.jobs[0].name | Should -Be 'Repair'
        $data.jobs[0].jobState | Should -Be 'Running'
        $data.jobs[0].percentComplete | Should -Be 25
        $data.virtualDisks[0].operationalStatus | Should -Be 'Degraded, InService'
        $data.virtualDisks[0].isOnline | Should -BeTrue
        $data.virtualDisks[1].isOnline | Should -BeFalse
        $data.pools[0].healthStatus | Should -Be 'Healthy'
        Should -Invoke Get-StoragePool -Times 1 -Exactly -ParameterFilter { $IsPrimordial -eq $false }
        Save-OperationJson 'get-storage-health' $result
    }

    It 'maps raw CIM numbers (JobState 4, HealthStatus 0) to names and keeps empty lists as arrays' {
        Mock Get-StorageJob { [pscustomobject]@{ Name = 'Regeneration'; JobState = 4; BytesProcessed = 0; BytesTotal = 0; PercentComplete = 0 } }
        Mock Get-VirtualDisk { }
        Mock Get-StoragePool { [pscustomobject]@{ FriendlyName = 'Pool'; HealthStatus = 0; OperationalStatus = 'OK' } }
        $result = Invoke-ViaBootstrap 'get-storage-health'
        $result.Outcome.data.jobs[0].jobState | Should -Be 'Running'
        $result.Outcome.data.pools[0].healthStatus | Should -Be 'Healthy'
        $result.Json | Should -Match '"virtualDisks":\[\]'
        Save-OperationJson 'get-storage-health' $result 'numeric'
    }

    It 'surfaces a storage cmdlet failure as SCRIPT_ERROR with its message' {
        Mock Get-VirtualDisk { throw 'Access denied' }
        $result = Invoke-ViaBootstrap 'get-storage-health'
        $result.Outcome.ok | Should -BeFalse
        $result.Outcome.error.code | Should -Be 'SCRIPT_ERROR'
        $result.Outcome.error.message | Should -Be 'Access denied'
    }
}

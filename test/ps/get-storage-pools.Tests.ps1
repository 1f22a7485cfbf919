# Pester tests for src/cluster/scripts/get-storage-pools.ps1: non-primordial pools only, version and health.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
}

Describe 'get-storage-pools' {
    It 'lists the non-primordial pools with version and health' {
        Mock Get-StoragePool { [pscustomobject]@{ FriendlyName = 'S2D on HCI01'; Version = 'Windows Server 2022'; HealthStatus = 'Healthy' } } -ParameterFilter { $IsPrimordial -eq $false }
        $result = Invoke-ViaBootstrap 'get-storage-pools' @{}
        @($result.Outcome.data.pools).Count | Should -Be 1
        $result.Outcome.data.pools[0].friendlyName | Should -Be 'S2D on HCI01'
        $result.Outcome.data.pools[0].version | Should -Be 'Windows Server 2022'
        $result.Json | Should -Match '"upgradeAvailable":null'
        Should -Invoke Get-StoragePool -Times 1 -Exactly -ParameterFilter { $IsPrimordial -eq $false }
        Save-OperationJson 'get-storage-pools' $result
    }

    It 'returns an empty list without pools' {
        Mock Get-StoragePool { }
        $result = Invoke-ViaBootstrap 'get-storage-pools' @{}
        $result.Json | Should -Match '"pools":\[\]'
        Save-OperationJson 'get-storage-pools' $result 'empty'
    }
}

# Pester tests for src/cluster/scripts/get-cluster-property.ps1 with Get-ClusterParameter mocked.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
}

Describe 'get-cluster-property' {
    BeforeEach {
        Mock Get-Cluster { [pscustomobject]@{ Name = 'HCI01' } }
        Mock Get-ClusterParameter {
            [pscustomobject]@{ Name = 'CauctlLock'; Value = '{"owner":"host1"}' }
            [pscustomobject]@{ Name = 'CauEnableSoftReboot'; Value = 1 }
        }
    }

    It 'returns the value of an existing property as a string' {
        $result = Invoke-ViaBootstrap 'get-cluster-property' @{ name = 'CauctlLock' }
        $result.Outcome.data.value | Should -Be '{"owner":"host1"}'
        Should -Invoke Get-ClusterParameter -Times 1 -Exactly -ParameterFilter { $InputObject.Name -eq 'HCI01' }
        Save-OperationJson 'get-cluster-property' $result
    }

    It 'returns a number-valued property as text' {
        (Invoke-ViaBootstrap 'get-cluster-property' @{ name = 'CauEnableSoftReboot' }).Outcome.data.value | Should -Be '1'
    }

    It 'returns null for a missing property, even one named like code' {
        $result = Invoke-ViaBootstrap 'get-cluster-property' @{ name = '$(Remove-Item -Recurse C:\)' }
        $result.Outcome.ok | Should -BeTrue
        $result.Outcome.data.value | Should -BeNullOrEmpty
        $result.Json | Should -Match '"value":null'
        Save-OperationJson 'get-cluster-property' $result 'missing'
    }
}

# Pester tests for src/cluster/scripts/set-cluster-property.ps1: write, delete and compare-and-set, with the
# cluster's private properties kept in a hashtable behind mocked Get/Set-ClusterParameter.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
}

# Mock state is global: mock bodies run in the script's scope, where $script: means the bootstrap.
AfterAll { Remove-Variable -Name CauctlTestState -Scope Global -ErrorAction SilentlyContinue }

Describe 'set-cluster-property' {
    BeforeEach {
        $global:CauctlTestState = @{ props = @{ CauctlLock = 'owner-a' } }
        Mock Get-Cluster { [pscustomobject]@{ Name = 'HCI01' } }
        Mock Get-ClusterParameter { foreach ($k in $global:CauctlTestState.props.Keys) { [pscustomobject]@{ Name = $k; Value = $global:CauctlTestState.props[$k] } } }
        Mock Set-ClusterParameter { if ($Delete) { $global:CauctlTestState.props.Remove($Name) } else { $global:CauctlTestState.props[$Name] = $Value } }
    }

    It 'creates or overwrites a value with -Create and reads it back' {
        $result = Invoke-ViaBootstrap 'set-cluster-property' @{ name = 'CauctlLock'; value = 'owner-b' }
        $result.Outcome.data.applied | Should -BeTrue
        $result.Outcome.data.current | Should -Be 'owner-b'
        Should -Invoke Set-ClusterParameter -Times 1 -Exactly -ParameterFilter { $Name -eq 'CauctlLock' -and $Value -eq 'owner-b' -and $Create }
        Save-OperationJson 'set-cluster-property' $result
    }

    It 'deletes with value null (not an empty string)' {
        $result = Invoke-ViaBootstrap 'set-cluster-property' @{ name = 'CauctlLock'; value = $null }
        $result.Outcome.data.applied | Should -BeTrue
        $result.Json | Should -Match '"current":null'
        Should -Invoke Set-ClusterParameter -Times 1 -Exactly -ParameterFilter { $Delete -and $Name -eq 'CauctlLock' }
        Save-OperationJson 'set-cluster-property' $result 'delete'
    }

    It 'stores an empty string as an empty string' {
        $result = Invoke-ViaBootstrap 'set-cluster-property' @{ name = 'Other'; value = '' }
        $result.Outcome.data.applied | Should -BeTrue
        Should -Invoke Set-ClusterParameter -Times 1 -Exactly -ParameterFilter { $Value -eq '' -and -not $Delete }
    }

    It 'compare-and-set: refuses when the current value differs, and writes nothing' {
        $result = Invoke-ViaBootstrap 'set-cluster-property' @{ name = 'CauctlLock'; value = 'owner-b'; expected = 'owner-c' }
        $result.Outcome.data.applied | Should -BeFalse
        $result.Outcome.data.current | Should -Be 'owner-a'
        Should -Invoke Set-ClusterParameter -Times 0 -Exactly
        Save-OperationJson 'set-cluster-property' $result 'cas-refused'
    }

    It 'compare-and-set with expected null: takes a free lock, refuses a held one' {
        (Invoke-ViaBootstrap 'set-cluster-property' @{ name = 'FreeLock'; value = 'me'; expected = $null }).Outcome.data.applied | Should -BeTrue
        (Invoke-ViaBootstrap 'set-cluster-property' @{ name = 'CauctlLock'; value = 'me'; expected = $null }).Outcome.data.applied | Should -BeFalse
    }

    It 'compares case-sensitively and stores hostile text as data' {
        $hostile = "'; Remove-Item -Recurse C:\ # `$(Get-Date) `"x`""
        (Invoke-ViaBootstrap 'set-cluster-property' @{ name = 'CauctlLock'; value = 'x'; expected = 'OWNER-A' }).Outcome.data.applied | Should -BeFalse
        $result = Invoke-ViaBootstrap 'set-cluster-property' @{ name = 'CauctlLock'; value = $hostile; expected = 'owner-a' }
        $result.Outcome.data.current | Should -BeExactly $hostile
    }

    It 'refuses a non-string value' {
        $result = Invoke-ViaBootstrap 'set-cluster-property' @{ name = 'CauctlLock'; value = 5 }
        $result.Outcome.ok | Should -BeFalse
        $result.Outcome.error.message | Should -Match 'must be a string or null'
    }
}

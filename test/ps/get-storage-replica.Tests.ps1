# Pester tests for src/cluster/scripts/get-storage-replica.ps1: absent feature, and groups when present.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
}

Describe 'get-storage-replica' {
    It 'reports absent when the feature is not installed, without calling Get-SRGroup' {
        Mock Get-WindowsFeature { [pscustomobject]@{ Name = 'Storage-Replica'; Installed = $false } }
        Mock Get-SRGroup { }
        $result = Invoke-ViaBootstrap 'get-storage-replica' @{}
        $result.Outcome.data.present | Should -BeFalse
        Should -Invoke Get-SRGroup -Times 0 -Exactly
        Save-OperationJson 'get-storage-replica' $result 'absent'
    }

    It 'lists the replication groups when present' {
        Mock Get-WindowsFeature { [pscustomobject]@{ Name = 'Storage-Replica'; Installed = $true } }
        Mock Get-SRGroup { @([pscustomobject]@{ Name = 'rg01' }, [pscustomobject]@{ Name = 'rg02' }) }
        $result = Invoke-ViaBootstrap 'get-storage-replica' @{}
        $result.Outcome.data.present | Should -BeTrue
        @($result.Outcome.data.groups) | Should -Be @('rg01', 'rg02')
        Save-OperationJson 'get-storage-replica' $result
    }
}

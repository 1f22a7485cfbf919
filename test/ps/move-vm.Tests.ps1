# Pester tests for src/cluster/scripts/move-vm.ps1: a live migration and MIGRATION_FAILED.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
}

Describe 'move-vm' {
    BeforeEach {
        Mock Move-ClusterVirtualMachineRole { }
        Mock Get-ClusterGroup { [pscustomobject]@{ Name = $Name; OwnerNode = 'NODE2'; State = 'Online' } }
    }

    It 'live-migrates the VM and reports its new owner' {
        $result = Invoke-ViaBootstrap 'move-vm' @{ name = 'VM01'; node = 'NODE2' }
        $result.Outcome.data.ownerNode | Should -Be 'NODE2'
        $result.Outcome.data.state | Should -Be 'Online'
        Should -Invoke Move-ClusterVirtualMachineRole -Times 1 -Exactly -ParameterFilter { $Name -eq 'VM01' -and $Node -eq 'NODE2' -and $MigrationType -eq 'Live' }
        Save-OperationJson 'move-vm' $result
    }

    It 'maps a failed migration to MIGRATION_FAILED' {
        Mock Move-ClusterVirtualMachineRole { throw 'Live migration was cancelled.' }
        $result = Invoke-ViaBootstrap 'move-vm' @{ name = 'VM01'; node = 'NODE2' }
        $result.Outcome.error.code | Should -Be 'MIGRATION_FAILED'
        $result.Outcome.error.message | Should -Match 'cancelled'
    }
}

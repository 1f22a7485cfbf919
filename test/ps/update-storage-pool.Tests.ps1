# Pester tests for src/cluster/scripts/update-storage-pool.ps1: Update-StoragePool without a prompt, and the
# version before and after.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
}
AfterAll { Remove-Variable -Name CauctlTestState -Scope Global -ErrorAction SilentlyContinue }

Describe 'update-storage-pool' {
    BeforeEach {
        $global:CauctlTestState = @{ version = 'Windows Server 2022' }
        Mock Get-StoragePool { [pscustomobject]@{ FriendlyName = $FriendlyName; Version = $global:CauctlTestState.version } }
        Mock Update-StoragePool { $global:CauctlTestState.version = 'Windows Server 2025' }
    }

    It 'updates the named pool without confirmation and reports both versions' {
        $result = Invoke-ViaBootstrap 'update-storage-pool' @{ friendlyName = "S2D on HCI01'; #" }
        $result.Outcome.data.versionBefore | Should -Be 'Windows Server 2022'
        $result.Outcome.data.versionAfter | Should -Be 'Windows Server 2025'
        $result.Outcome.data.updated | Should -BeTrue
        Should -Invoke Update-StoragePool -Times 1 -Exactly -ParameterFilter { $FriendlyName -eq "S2D on HCI01'; #" -and $Confirm -eq $false }
        Save-OperationJson 'update-storage-pool' $result
    }

    It 'reports a pool already current with updated false' {
        Mock Update-StoragePool { }
        (Invoke-ViaBootstrap 'update-storage-pool' @{ friendlyName = 'S2D on HCI01' }).Outcome.data.updated | Should -BeFalse
    }
}

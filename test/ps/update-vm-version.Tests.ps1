# Pester tests for src/cluster/scripts/update-vm-version.ps1: Update-VMVersion -Force on a stopped VM, and
# VM_RUNNING for a running one.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
}
AfterAll { Remove-Variable -Name CauctlTestState -Scope Global -ErrorAction SilentlyContinue }

Describe 'update-vm-version' {
    BeforeEach {
        $global:CauctlTestState = @{ state = 'Off'; version = '10.0' }
        Mock Get-VM { [pscustomobject]@{ Name = $Name; State = $global:CauctlTestState.state; Version = $global:CauctlTestState.version } }
        Mock Update-VMVersion { $global:CauctlTestState.version = '12.0' }
    }

    It 'updates a stopped VM without a prompt' {
        $result = Invoke-ViaBootstrap 'update-vm-version' @{ name = 'VM01' }
        $result.Outcome.data.versionBefore | Should -Be '10.0'
        $result.Outcome.data.versionAfter | Should -Be '12.0'
        $result.Outcome.data.updated | Should -BeTrue
        Should -Invoke Update-VMVersion -Times 1 -Exactly -ParameterFilter { $Name -eq 'VM01' -and $Force }
        Save-OperationJson 'update-vm-version' $result
    }

    It 'refuses a running VM with VM_RUNNING' {
        $global:CauctlTestState.state = 'Running'
        $result = Invoke-ViaBootstrap 'update-vm-version' @{ name = 'VM01' }
        $result.Outcome.ok | Should -BeFalse
        $result.Outcome.error.code | Should -Be 'VM_RUNNING'
        Should -Invoke Update-VMVersion -Times 0 -Exactly
    }
}

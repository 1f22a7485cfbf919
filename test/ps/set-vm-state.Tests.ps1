# Pester tests for src/cluster/scripts/set-vm-state.ps1: Stop-VM -Force or Start-VM, and nothing when the VM
# is already in that state.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
}
AfterAll { Remove-Variable -Name CauctlTestState -Scope Global -ErrorAction SilentlyContinue }

Describe 'set-vm-state' {
    BeforeEach {
        $global:CauctlTestState = @{ state = 'Running' }
        Mock Get-VM { [pscustomobject]@{ Name = $Name; State = $global:CauctlTestState.state; Version = '10.0' } }
        Mock Stop-VM { $global:CauctlTestState.state = 'Off' }
        Mock Start-VM { $global:CauctlTestState.state = 'Running' }
    }

    It 'stops a running VM with a guest shutdown and no prompt' {
        $result = Invoke-ViaBootstrap 'set-vm-state' @{ name = 'VM01'; state = 'Off' }
        $result.Outcome.data.state | Should -Be 'Off'
        $result.Outcome.data.changed | Should -BeTrue
        Should -Invoke Stop-VM -Times 1 -Exactly -ParameterFilter { $Name -eq 'VM01' -and $Force -and -not $TurnOff }
        Save-OperationJson 'set-vm-state' $result
    }

    It 'starts a VM that is off' {
        $global:CauctlTestState.state = 'Off'
        (Invoke-ViaBootstrap 'set-vm-state' @{ name = 'VM01'; state = 'Running' }).Outcome.data.state | Should -Be 'Running'
        Should -Invoke Start-VM -Times 1 -Exactly
    }

    It 'leaves a VM already in the state alone' {
        (Invoke-ViaBootstrap 'set-vm-state' @{ name = 'VM01'; state = 'Running' }).Outcome.data.changed | Should -BeFalse
        Should -Invoke Start-VM -Times 0 -Exactly
        Should -Invoke Stop-VM -Times 0 -Exactly
    }
}

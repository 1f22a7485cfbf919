# Pester tests for src/cluster/scripts/update-functional-level.ps1: feasibility first, -Force only after it,
# and an infeasible raise reported as a result.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
}
AfterAll { Remove-Variable -Name CauctlTestState -Scope Global -ErrorAction SilentlyContinue }

Describe 'update-functional-level' {
    BeforeEach {
        $global:CauctlTestState = @{ level = 11 }
        Mock Get-Cluster { [pscustomobject]@{ Name = 'HCI01'; ClusterFunctionalLevel = $global:CauctlTestState.level } }
        Mock Update-ClusterFunctionalLevel { if ($Force) { $global:CauctlTestState.level = 12 } }
    }

    It 'with whatIf tests feasibility only' {
        $result = Invoke-ViaBootstrap 'update-functional-level' @{ whatIf = $true }
        $result.Outcome.data.feasible | Should -BeTrue
        $result.Outcome.data.updated | Should -BeFalse
        $result.Outcome.data.functionalLevel | Should -Be 11
        Should -Invoke Update-ClusterFunctionalLevel -Times 1 -Exactly -ParameterFilter { $WhatIf -and -not $Force }
        Save-OperationJson 'update-functional-level' $result 'whatif'
    }

    It 'raises the level with -Force after the feasibility test' {
        $result = Invoke-ViaBootstrap 'update-functional-level' @{ whatIf = $false }
        $result.Outcome.data.updated | Should -BeTrue
        $result.Outcome.data.functionalLevel | Should -Be 12
        Should -Invoke Update-ClusterFunctionalLevel -Times 1 -Exactly -ParameterFilter { $WhatIf }
        Should -Invoke Update-ClusterFunctionalLevel -Times 1 -Exactly -ParameterFilter { $Force }
        Save-OperationJson 'update-functional-level' $result
    }

    It 'reports an infeasible raise and never forces it' {
        Mock Update-ClusterFunctionalLevel { throw 'Node NODE3 is not running the same version.' }
        $result = Invoke-ViaBootstrap 'update-functional-level' @{ whatIf = $false }
        $result.Outcome.ok | Should -BeTrue
        $result.Outcome.data.feasible | Should -BeFalse
        $result.Outcome.data.message | Should -Match 'NODE3'
        Should -Invoke Update-ClusterFunctionalLevel -Times 0 -Exactly -ParameterFilter { $Force }
    }

    It 'reports an unchanged level as already current' {
        Mock Update-ClusterFunctionalLevel { }
        $result = Invoke-ViaBootstrap 'update-functional-level' @{ whatIf = $false }
        $result.Outcome.data.updated | Should -BeFalse
        $result.Outcome.data.message | Should -Match 'already current'
    }
}

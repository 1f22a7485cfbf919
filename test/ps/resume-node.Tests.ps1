# Pester tests for src/cluster/scripts/resume-node.ps1 with Get/Resume-ClusterNode mocked.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
}
# Mock state is global: mock bodies run in the script's scope, where $script: means the bootstrap.
AfterAll { Remove-Variable -Name CauctlTestState -Scope Global -ErrorAction SilentlyContinue }

Describe 'resume-node' {
    BeforeEach {
        $global:CauctlTestState = @{ state = 'Paused' }
        Mock Get-ClusterNode { [pscustomobject]@{ Name = $Name; State = $global:CauctlTestState.state } }
        Mock Resume-ClusterNode { $global:CauctlTestState.state = 'Up' }
    }

    It 'resumes a paused node with the requested failback' {
        $result = Invoke-ViaBootstrap 'resume-node' @{ name = 'NODE2'; failback = 'Immediate' }
        $result.Outcome.data.state | Should -Be 'Up'
        Should -Invoke Resume-ClusterNode -Times 1 -Exactly -ParameterFilter { $Name -eq 'NODE2' -and $Failback -eq 'Immediate' }
        Save-OperationJson 'resume-node' $result
    }

    It 'passes Policy and NoFailback through' {
        Invoke-ViaBootstrap 'resume-node' @{ name = 'NODE2'; failback = 'NoFailback' } | Out-Null
        Should -Invoke Resume-ClusterNode -Times 1 -Exactly -ParameterFilter { $Failback -eq 'NoFailback' }
    }

    It 'does not resume a node that is already Up (a retried call)' {
        $global:CauctlTestState.state = 'Up'
        (Invoke-ViaBootstrap 'resume-node' @{ name = 'NODE2'; failback = 'Policy' }).Outcome.data.state | Should -Be 'Up'
        Should -Invoke Resume-ClusterNode -Times 0 -Exactly
    }

    It 'refuses an unknown failback mode' {
        $result = Invoke-ViaBootstrap 'resume-node' @{ name = 'NODE2'; failback = 'Sometimes' }
        $result.Outcome.ok | Should -BeFalse
        Should -Invoke Resume-ClusterNode -Times 0 -Exactly
    }
}

# Pester tests for src/cluster/scripts/suspend-node.ps1: drain parameters, idempotence, and the mapping of
# ERROR_CLUSTER_SPACE_DEGRADED and drain failures to their codes.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
}
# Mock state is global: mock bodies run in the script's scope, where $script: means the bootstrap.
AfterAll { Remove-Variable -Name CauctlTestState -Scope Global -ErrorAction SilentlyContinue }

Describe 'suspend-node' {
    BeforeEach {
        $global:CauctlTestState = @{ state = 'Up'; drain = 'NotInitiated'; clock = 0.0 }
        Mock Get-ClusterNode { [pscustomobject]@{ Name = $Name; State = $global:CauctlTestState.state; DrainStatus = $global:CauctlTestState.drain } }
        Mock Suspend-ClusterNode { $global:CauctlTestState.state = 'Paused'; $global:CauctlTestState.drain = 'Completed' }
        Mock Get-CauctlMonotonicSeconds { $global:CauctlTestState.clock }
        Mock Start-Sleep { $global:CauctlTestState.clock += $Seconds }
    }

    It 'drains and waits (Suspend-ClusterNode -Drain -Wait, no -ForceDrain)' {
        $result = Invoke-ViaBootstrap 'suspend-node' @{ name = 'NODE1'; forceDrain = $false; timeoutSeconds = 600 }
        $result.Outcome.data.state | Should -Be 'Paused'
        $result.Outcome.data.drainStatus | Should -Be 'Completed'
        Should -Invoke Suspend-ClusterNode -Times 1 -Exactly -ParameterFilter { $Name -eq 'NODE1' -and $Drain -and $Wait -and -not $ForceDrain }
        Save-OperationJson 'suspend-node' $result
    }

    It 'adds -ForceDrain when asked' {
        Invoke-ViaBootstrap 'suspend-node' @{ name = 'NODE1'; forceDrain = $true; timeoutSeconds = 600 } | Out-Null
        Should -Invoke Suspend-ClusterNode -Times 1 -Exactly -ParameterFilter { $Drain -and $Wait -and $ForceDrain }
    }

    It 'does nothing for a node already paused and drained' {
        $global:CauctlTestState.state = 'Paused'
        $global:CauctlTestState.drain = 'Completed'
        (Invoke-ViaBootstrap 'suspend-node' @{ name = 'NODE1'; forceDrain = $false; timeoutSeconds = 600 }).Outcome.ok | Should -BeTrue
        Should -Invoke Suspend-ClusterNode -Times 0 -Exactly
    }

    It 'maps ERROR_CLUSTER_SPACE_DEGRADED (HRESULT in the exception chain) to CLUSTER_SPACE_DEGRADED' {
        Mock Suspend-ClusterNode {
            $inner = New-Object System.ComponentModel.Win32Exception 5986
            throw (New-Object System.InvalidOperationException ('Suspend-ClusterNode failed'), $inner)
        }
        $result = Invoke-ViaBootstrap 'suspend-node' @{ name = 'NODE1'; forceDrain = $false; timeoutSeconds = 600 }
        $result.Outcome.ok | Should -BeFalse
        $result.Outcome.error.code | Should -Be 'CLUSTER_SPACE_DEGRADED'
        $result.Outcome.error.category | Should -Be 'ResourceUnavailable'
        $result.Outcome.error.message | Should -Match 'NODE1'
    }

    It 'maps any other Suspend-ClusterNode failure to DRAIN_FAILED' {
        Mock Suspend-ClusterNode { throw 'The role VM01 could not be live migrated.' }
        $result = Invoke-ViaBootstrap 'suspend-node' @{ name = 'NODE1'; forceDrain = $false; timeoutSeconds = 600 }
        $result.Outcome.error.code | Should -Be 'DRAIN_FAILED'
        $result.Outcome.error.message | Should -Match 'VM01 could not be live migrated'
    }

    It 'reports DRAIN_FAILED when the node ends with DrainStatus Failed' {
        Mock Suspend-ClusterNode { $global:CauctlTestState.state = 'Paused'; $global:CauctlTestState.drain = 'Failed' }
        (Invoke-ViaBootstrap 'suspend-node' @{ name = 'NODE1'; forceDrain = $false; timeoutSeconds = 600 }).Outcome.error.code | Should -Be 'DRAIN_FAILED'
    }

    It 'waits for a drain still InProgress, up to timeoutSeconds, then fails' {
        Mock Suspend-ClusterNode { $global:CauctlTestState.state = 'Paused'; $global:CauctlTestState.drain = 'InProgress' }
        $result = Invoke-ViaBootstrap 'suspend-node' @{ name = 'NODE1'; forceDrain = $false; timeoutSeconds = 10 }
        $result.Outcome.error.code | Should -Be 'DRAIN_FAILED'
        $result.Outcome.error.message | Should -Match '10 seconds'
        Should -Invoke Start-Sleep -Times 5 -Exactly
    }
}

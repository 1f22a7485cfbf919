# Pester tests for src/cluster/scripts/suspend-node.ps1: the drain is started, never waited on without bound
# (no -Wait), DrainStatus is polled against timeoutSeconds, a failed drain is a value (Paused, Failed), and
# ERROR_CLUSTER_SPACE_DEGRADED and other cmdlet errors map to their codes.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    # The ClusterNode object as Get-ClusterNode returns it: only the members the scripts read, all real ones.
    function global:New-CauctlFakeClusterNode([string]$Name, [string]$State, [string]$DrainStatus) {
        [pscustomobject]@{ Name = $Name; State = $State; DrainStatus = $DrainStatus }
    }
}
# Mock state is global: mock bodies run in the script's scope, where $script: means the bootstrap.
AfterAll {
    Remove-Variable -Name CauctlTestState -Scope Global -ErrorAction SilentlyContinue
    Remove-Item -Path 'function:global:New-CauctlFakeClusterNode' -ErrorAction SilentlyContinue
}

Describe 'suspend-node' {
    BeforeEach {
        # A started drain lasts `drainSeconds` (forever when $null) and ends with `drainEnds`.
        $global:CauctlTestState = @{ state = 'Up'; drain = 'NotInitiated'; clock = 0.0; drainSeconds = 4.0; drainEnds = 'Completed'; drainAt = $null }
        Mock Get-ClusterNode {
            $s = $global:CauctlTestState
            if ($s.drain -eq 'InProgress' -and $null -ne $s.drainAt -and $s.clock -ge $s.drainAt) { $s.drain = $s.drainEnds }
            New-CauctlFakeClusterNode $Name $s.state $s.drain
        }
        Mock Suspend-ClusterNode {
            $s = $global:CauctlTestState
            $s.state = 'Paused'
            if ($Drain) {
                $s.drain = 'InProgress'
                if ($null -ne $s.drainSeconds) { $s.drainAt = $s.clock + $s.drainSeconds }
            }
        }
        Mock Get-CauctlMonotonicSeconds { $global:CauctlTestState.clock }
        Mock Start-Sleep { $global:CauctlTestState.clock += $Seconds }
    }

    It 'starts the drain without -Wait and polls DrainStatus until it completes' {
        $result = Invoke-ViaBootstrap 'suspend-node' @{ name = 'NODE1'; forceDrain = $false; timeoutSeconds = 600 }
        $result.Outcome.data.state | Should -Be 'Paused'
        $result.Outcome.data.drainStatus | Should -Be 'Completed'
        Should -Invoke Suspend-ClusterNode -Times 1 -Exactly -ParameterFilter { $Name -eq 'NODE1' -and $Drain -and -not $Wait -and -not $ForceDrain }
        Should -Invoke Start-Sleep -Times 2 -Exactly -ParameterFilter { $Seconds -eq 2 }
        Save-OperationJson 'suspend-node' $result
    }

    It 'adds -ForceDrain when asked, still without -Wait' {
        Invoke-ViaBootstrap 'suspend-node' @{ name = 'NODE1'; forceDrain = $true; timeoutSeconds = 600 } | Out-Null
        Should -Invoke Suspend-ClusterNode -Times 1 -Exactly -ParameterFilter { $Drain -and $ForceDrain -and -not $Wait }
    }

    It 'returns InProgress when the drain outlasts timeoutSeconds: the poll is bounded' {
        $global:CauctlTestState.drainSeconds = $null
        $result = Invoke-ViaBootstrap 'suspend-node' @{ name = 'NODE1'; forceDrain = $false; timeoutSeconds = 10 }
        $result.Outcome.ok | Should -BeTrue
        $result.Outcome.data.state | Should -Be 'Paused'
        $result.Outcome.data.drainStatus | Should -Be 'InProgress'
        $global:CauctlTestState.clock | Should -Be 10
        Should -Invoke Start-Sleep -Times 5 -Exactly
        Save-OperationJson 'suspend-node' $result 'in-progress'
    }

    It 'with timeoutSeconds 0, starts the drain and returns after one read' {
        $result = Invoke-ViaBootstrap 'suspend-node' @{ name = 'NODE1'; forceDrain = $false; timeoutSeconds = 0 }
        $result.Outcome.data.drainStatus | Should -Be 'InProgress'
        Should -Invoke Start-Sleep -Times 0 -Exactly
        Should -Invoke Suspend-ClusterNode -Times 1 -Exactly
    }

    It 'sleeps no longer than what is left of timeoutSeconds' {
        $global:CauctlTestState.drainSeconds = $null
        Invoke-ViaBootstrap 'suspend-node' @{ name = 'NODE1'; forceDrain = $false; timeoutSeconds = 3 } | Out-Null
        Should -Invoke Start-Sleep -Times 1 -Exactly -ParameterFilter { $Seconds -eq 2 }
        Should -Invoke Start-Sleep -Times 1 -Exactly -ParameterFilter { $Seconds -eq 1 }
        $global:CauctlTestState.clock | Should -Be 3
    }

    It 'reports a failed drain as a value: Paused, DrainStatus Failed' {
        $global:CauctlTestState.drainEnds = 'Failed'
        $result = Invoke-ViaBootstrap 'suspend-node' @{ name = 'NODE1'; forceDrain = $false; timeoutSeconds = 600 }
        $result.Outcome.ok | Should -BeTrue
        $result.Outcome.data.state | Should -Be 'Paused'
        $result.Outcome.data.drainStatus | Should -Be 'Failed'
        Save-OperationJson 'suspend-node' $result 'failed'
    }

    It 'does nothing for a node already paused and drained' {
        $global:CauctlTestState.state = 'Paused'
        $global:CauctlTestState.drain = 'Completed'
        $result = Invoke-ViaBootstrap 'suspend-node' @{ name = 'NODE1'; forceDrain = $false; timeoutSeconds = 600 }
        $result.Outcome.data.drainStatus | Should -Be 'Completed'
        Should -Invoke Suspend-ClusterNode -Times 0 -Exactly
    }

    It 'only waits on a drain already in progress (a retried call)' {
        $global:CauctlTestState.state = 'Paused'
        $global:CauctlTestState.drain = 'InProgress'
        $global:CauctlTestState.drainAt = 4.0
        $result = Invoke-ViaBootstrap 'suspend-node' @{ name = 'NODE1'; forceDrain = $false; timeoutSeconds = 600 }
        $result.Outcome.data.drainStatus | Should -Be 'Completed'
        Should -Invoke Suspend-ClusterNode -Times 0 -Exactly
    }

    It 'drains again a node left Paused by a failed drain, and does not take the old Failed for the new outcome' {
        $global:CauctlTestState.state = 'Paused'
        $global:CauctlTestState.drain = 'Failed'
        # The cluster shows the old Failed for 2 s before the new drain reports InProgress.
        Mock Suspend-ClusterNode { $global:CauctlTestState.restartAt = 2.0 }
        Mock Get-ClusterNode {
            $s = $global:CauctlTestState
            if ($s.ContainsKey('restartAt') -and $s.clock -ge $s.restartAt -and $s.drain -eq 'Failed') { $s.drain = 'InProgress'; $s.drainAt = $s.clock + 4 }
            if ($s.drain -eq 'InProgress' -and $s.clock -ge $s.drainAt) { $s.drain = 'Completed' }
            New-CauctlFakeClusterNode $Name $s.state $s.drain
        }
        $result = Invoke-ViaBootstrap 'suspend-node' @{ name = 'NODE1'; forceDrain = $false; timeoutSeconds = 600 }
        $result.Outcome.data.drainStatus | Should -Be 'Completed'
        Should -Invoke Suspend-ClusterNode -Times 1 -Exactly -ParameterFilter { $Drain }
    }

    It 'does not take the Completed of an earlier drain (node resumed since) for the new drain' {
        $global:CauctlTestState.drain = 'Completed'
        # The new drain shows InProgress from the 2nd second and ends at the 5th.
        Mock Suspend-ClusterNode { $global:CauctlTestState.state = 'Paused'; $global:CauctlTestState.restartAt = 2.0 }
        Mock Get-ClusterNode {
            $s = $global:CauctlTestState
            if ($s.ContainsKey('restartAt') -and $s.clock -ge $s.restartAt -and -not $s.ContainsKey('started')) { $s.started = $true; $s.drain = 'InProgress' }
            if ($s.drain -eq 'InProgress' -and $s.clock -ge 5) { $s.drain = 'Completed' }
            New-CauctlFakeClusterNode $Name $s.state $s.drain
        }
        $result = Invoke-ViaBootstrap 'suspend-node' @{ name = 'NODE1'; forceDrain = $false; timeoutSeconds = 600 }
        $result.Outcome.data.drainStatus | Should -Be 'Completed'
        $global:CauctlTestState.clock | Should -Be 6
    }

    It 'believes a Failed that stays after a restarted drain once the settle time is over' {
        $global:CauctlTestState.state = 'Paused'
        $global:CauctlTestState.drain = 'Failed'
        Mock Suspend-ClusterNode { }
        $result = Invoke-ViaBootstrap 'suspend-node' @{ name = 'NODE1'; forceDrain = $false; timeoutSeconds = 600 }
        $result.Outcome.data.drainStatus | Should -Be 'Failed'
        $global:CauctlTestState.clock | Should -Be 6
    }

    It 'ForcePauseNoDrain pauses without a drain and returns at once' {
        $result = Invoke-ViaBootstrap 'suspend-node' @{ name = 'NODE1'; forceDrain = $false; timeoutSeconds = 600; allowUndrained = 'ForcePauseNoDrain' }
        $result.Outcome.data.state | Should -Be 'Paused'
        $result.Outcome.data.drainStatus | Should -Be 'NotInitiated'
        Should -Invoke Suspend-ClusterNode -Times 1 -Exactly -ParameterFilter { -not $Drain -and -not $ForceDrain -and -not $Wait }
        Should -Invoke Start-Sleep -Times 0 -Exactly
    }

    It 'ForcePauseDrainAndReboot still drains' {
        $result = Invoke-ViaBootstrap 'suspend-node' @{ name = 'NODE1'; forceDrain = $false; timeoutSeconds = 600; allowUndrained = 'ForcePauseDrainAndReboot' }
        $result.Outcome.data.drainStatus | Should -Be 'Completed'
        Should -Invoke Suspend-ClusterNode -Times 1 -Exactly -ParameterFilter { $Drain }
    }

    It 'refuses an unknown allowUndrained value before touching the node' {
        $result = Invoke-ViaBootstrap 'suspend-node' @{ name = 'NODE1'; forceDrain = $false; timeoutSeconds = 600; allowUndrained = 'Whatever' }
        $result.Outcome.ok | Should -BeFalse
        Should -Invoke Suspend-ClusterNode -Times 0 -Exactly
    }

    It 'refuses a Down node with SCRIPT_ERROR and does not call the cmdlet' {
        $global:CauctlTestState.state = 'Down'
        $result = Invoke-ViaBootstrap 'suspend-node' @{ name = 'NODE1'; forceDrain = $false; timeoutSeconds = 600 }
        $result.Outcome.error.code | Should -Be 'SCRIPT_ERROR'
        $result.Outcome.error.message | Should -Match 'NODE1 is Down'
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

    It 'passes a hostile node name as data' {
        $hostile = "NODE1'; Remove-Item -Recurse C:\ #`$(whoami)``"
        Invoke-ViaBootstrap 'suspend-node' @{ name = $hostile; forceDrain = $false; timeoutSeconds = 5 } | Out-Null
        Should -Invoke Suspend-ClusterNode -Times 1 -Exactly -ParameterFilter { $Name -eq $hostile }
    }
}

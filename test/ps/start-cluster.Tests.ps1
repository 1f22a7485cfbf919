# Pester tests for src/cluster/scripts/start-cluster.ps1: ClusSvc started on this node only (never
# Start-Cluster, which reaches the other nodes' service managers), then a wait for quorum; a service already
# running, a cluster that has not formed by the timeout, and a disabled service refused.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    $script:SavedComputerName = $env:COMPUTERNAME
    $env:COMPUTERNAME = 'NODE1'
}

AfterAll {
    $env:COMPUTERNAME = $script:SavedComputerName
    Remove-Variable -Name CauctlTestState -Scope Global -ErrorAction SilentlyContinue
}

Describe 'start-cluster' {
    BeforeEach {
        # formsAt: the virtual second at which enough nodes have started for quorum.
        $global:CauctlTestState = @{ status = 'Stopped'; startType = 'Automatic'; clock = 0; formsAt = 10 }
        Mock Get-Service { [pscustomobject]@{ Name = 'ClusSvc'; StartType = $global:CauctlTestState.startType; Status = $global:CauctlTestState.status } }
        Mock Start-Service { $global:CauctlTestState.status = 'Running' }
        Mock Start-Cluster { throw 'Start-Cluster reaches the other nodes: a second hop' }
        Mock Get-CauctlMonotonicSeconds { $global:CauctlTestState.clock }
        Mock Start-Sleep { $global:CauctlTestState.clock += $Seconds }
        Mock Get-ClusterNode {
            if ($global:CauctlTestState.clock -lt $global:CauctlTestState.formsAt) { throw 'The cluster service is not running or the cluster has no quorum.' }
            [pscustomobject]@{ Name = 'NODE1'; State = 'Up' }
            [pscustomobject]@{ Name = 'NODE2'; State = 'Up' }
            [pscustomobject]@{ Name = 'NODE3'; State = 'Down' }
        }
    }

    It 'starts ClusSvc on this node, waits for quorum and lists the nodes Up' {
        $result = Invoke-ViaBootstrap 'start-cluster' @{ timeoutSeconds = 600 }
        $result.Outcome.ok | Should -BeTrue
        $result.Outcome.data.alreadyRunning | Should -BeFalse
        $result.Outcome.data.quorum | Should -BeTrue
        @($result.Outcome.data.nodesUp) | Should -Be @('NODE1', 'NODE2')
        Should -Invoke Start-Service -Times 1 -Exactly -ParameterFilter { $Name -eq 'ClusSvc' }
        Should -Invoke Start-Cluster -Times 0 -Exactly
        Save-OperationJson 'start-cluster' $result
    }

    It 'reports quorum false when the cluster has not formed by the timeout' {
        $global:CauctlTestState.formsAt = 10000
        $result = Invoke-ViaBootstrap 'start-cluster' @{ timeoutSeconds = 60 }
        $result.Outcome.data.quorum | Should -BeFalse
        @($result.Outcome.data.nodesUp).Count | Should -Be 0
        $global:CauctlTestState.clock | Should -BeGreaterOrEqual 60
        Save-OperationJson 'start-cluster' $result 'no-quorum'
    }

    It 'reports a running service without starting it again' {
        $global:CauctlTestState.status = 'Running'
        $global:CauctlTestState.formsAt = 0
        $result = Invoke-ViaBootstrap 'start-cluster' @{ timeoutSeconds = 600 }
        $result.Outcome.data.alreadyRunning | Should -BeTrue
        Should -Invoke Start-Service -Times 0 -Exactly
        Save-OperationJson 'start-cluster' $result 'already'
    }

    It 'refuses on a node whose cluster service is disabled' {
        $global:CauctlTestState.startType = 'Disabled'
        $result = Invoke-ViaBootstrap 'start-cluster' @{ timeoutSeconds = 600 }
        $result.Outcome.ok | Should -BeFalse
        $result.Outcome.error.message | Should -Match 'disabled'
        Should -Invoke Start-Service -Times 0 -Exactly
    }
}

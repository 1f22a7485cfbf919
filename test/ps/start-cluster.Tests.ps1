# Pester tests for src/cluster/scripts/start-cluster.ps1: Start-Cluster -Wait from a node whose service may
# start, the nodes Up afterwards, a cluster already running, and a disabled service refused.
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
        $global:CauctlTestState = @{ status = 'Stopped'; startType = 'Automatic' }
        Mock Get-Service { [pscustomobject]@{ Name = 'ClusSvc'; StartType = $global:CauctlTestState.startType; Status = $global:CauctlTestState.status } }
        Mock Start-Cluster { $global:CauctlTestState.status = 'Running' }
        Mock Get-ClusterNode {
            [pscustomobject]@{ Name = 'NODE1'; State = 'Up' }
            [pscustomobject]@{ Name = 'NODE2'; State = 'Up' }
            [pscustomobject]@{ Name = 'NODE3'; State = 'Down' }
        }
    }

    It 'starts the cluster, waits for quorum and lists the nodes Up' {
        $result = Invoke-ViaBootstrap 'start-cluster' @{ timeoutSeconds = 600 }
        $result.Outcome.ok | Should -BeTrue
        $result.Outcome.data.alreadyRunning | Should -BeFalse
        $result.Outcome.data.quorum | Should -BeTrue
        @($result.Outcome.data.nodesUp) | Should -Be @('NODE1', 'NODE2')
        Should -Invoke Start-Cluster -Times 1 -Exactly -ParameterFilter { $Wait -eq 600 -and -not $IgnorePersistentState }
        Save-OperationJson 'start-cluster' $result
    }

    It 'reports a running cluster without starting it again' {
        $global:CauctlTestState.status = 'Running'
        $result = Invoke-ViaBootstrap 'start-cluster' @{ timeoutSeconds = 600 }
        $result.Outcome.data.alreadyRunning | Should -BeTrue
        Should -Invoke Start-Cluster -Times 0 -Exactly
        Save-OperationJson 'start-cluster' $result 'already'
    }

    It 'refuses on a node whose cluster service is disabled' {
        $global:CauctlTestState.startType = 'Disabled'
        $result = Invoke-ViaBootstrap 'start-cluster' @{ timeoutSeconds = 600 }
        $result.Outcome.ok | Should -BeFalse
        $result.Outcome.error.message | Should -Match 'disabled'
        Should -Invoke Start-Cluster -Times 0 -Exactly
    }
}

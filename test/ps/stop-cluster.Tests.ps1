# Pester tests for src/cluster/scripts/stop-cluster.ps1: ClusSvc stopped on this node only (never
# Stop-Cluster, which reaches the other nodes' service managers) and waited for; a repeated call on a stopped
# service; a service that does not stop by the timeout.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    $script:SavedComputerName = $env:COMPUTERNAME
    $env:COMPUTERNAME = 'NODE1'
}

AfterAll {
    $env:COMPUTERNAME = $script:SavedComputerName
    Remove-Variable -Name CauctlTestState -Scope Global -ErrorAction SilentlyContinue
}

Describe 'stop-cluster' {
    BeforeEach {
        $global:CauctlTestState = @{ status = 'Running'; stopsAfter = 4; clock = 0 }
        Mock Get-Service {
            $status = $global:CauctlTestState.status
            if ($status -eq 'StopPending' -and $global:CauctlTestState.clock -ge $global:CauctlTestState.stopsAfter) { $status = 'Stopped'; $global:CauctlTestState.status = $status }
            [pscustomobject]@{ Name = 'ClusSvc'; StartType = 'Automatic'; Status = $status }
        }
        Mock Stop-Service { $global:CauctlTestState.status = 'StopPending' }
        Mock Stop-Cluster { throw 'Stop-Cluster reaches the other nodes: a second hop' }
        Mock Get-CauctlMonotonicSeconds { $global:CauctlTestState.clock }
        Mock Start-Sleep { $global:CauctlTestState.clock += $Seconds }
    }

    It 'stops ClusSvc on this node and waits until it has stopped' {
        $result = Invoke-ViaBootstrap 'stop-cluster' @{ timeoutSeconds = 300 }
        $result.Outcome.ok | Should -BeTrue
        $result.Outcome.data.alreadyStopped | Should -BeFalse
        Should -Invoke Stop-Service -Times 1 -Exactly -ParameterFilter { $Name -eq 'ClusSvc' -and $Force }
        Should -Invoke Stop-Cluster -Times 0 -Exactly
        $global:CauctlTestState.clock | Should -BeGreaterOrEqual 4
        Save-OperationJson 'stop-cluster' $result
    }

    It 'reports a service already stopped without stopping it again' {
        $global:CauctlTestState.status = 'Stopped'
        $result = Invoke-ViaBootstrap 'stop-cluster' @{ timeoutSeconds = 300 }
        $result.Outcome.data.alreadyStopped | Should -BeTrue
        Should -Invoke Stop-Service -Times 0 -Exactly
        Save-OperationJson 'stop-cluster' $result 'already'
    }

    It 'fails, naming the node and the state, when the service has not stopped by the timeout' {
        $global:CauctlTestState.stopsAfter = 100000
        $result = Invoke-ViaBootstrap 'stop-cluster' @{ timeoutSeconds = 30 }
        $result.Outcome.ok | Should -BeFalse
        $result.Outcome.error.message | Should -Match 'NODE1 did not stop within 30 seconds; it is StopPending'
    }
}

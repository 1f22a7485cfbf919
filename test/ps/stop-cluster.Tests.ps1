# Pester tests for src/cluster/scripts/stop-cluster.ps1: Stop-Cluster -Force -Wait, and a repeated call on a
# stopped cluster, with Get-Service and Stop-Cluster mocked.
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
        $global:CauctlTestState = @{ status = 'Running'; stops = $true }
        Mock Get-Service { [pscustomobject]@{ Name = 'ClusSvc'; StartType = 'Automatic'; Status = $global:CauctlTestState.status } }
        Mock Stop-Cluster { if ($global:CauctlTestState.stops) { $global:CauctlTestState.status = 'Stopped' } }
    }

    It 'stops the cluster and waits' {
        $result = Invoke-ViaBootstrap 'stop-cluster' @{ timeoutSeconds = 300 }
        $result.Outcome.ok | Should -BeTrue
        $result.Outcome.data.alreadyStopped | Should -BeFalse
        Should -Invoke Stop-Cluster -Times 1 -Exactly -ParameterFilter { $Force -and $Wait -eq 300 }
        Save-OperationJson 'stop-cluster' $result
    }

    It 'reports a cluster already stopped without calling Stop-Cluster' {
        $global:CauctlTestState.status = 'Stopped'
        $result = Invoke-ViaBootstrap 'stop-cluster' @{ timeoutSeconds = 300 }
        $result.Outcome.data.alreadyStopped | Should -BeTrue
        Should -Invoke Stop-Cluster -Times 0 -Exactly
        Save-OperationJson 'stop-cluster' $result 'already'
    }

    It 'fails when the service is still running after Stop-Cluster' {
        $global:CauctlTestState.stops = $false
        $result = Invoke-ViaBootstrap 'stop-cluster' @{ timeoutSeconds = 300 }
        $result.Outcome.ok | Should -BeFalse
        $result.Outcome.error.message | Should -Match 'is Running'
    }
}

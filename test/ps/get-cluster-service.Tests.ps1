# Pester tests for src/cluster/scripts/get-cluster-service.ps1: ClusSvc's start mode and status, with
# Get-Service mocked.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    $script:SavedComputerName = $env:COMPUTERNAME
    $env:COMPUTERNAME = 'NODE1'
}

AfterAll {
    $env:COMPUTERNAME = $script:SavedComputerName
    Remove-Variable -Name CauctlTestState -Scope Global -ErrorAction SilentlyContinue
}

Describe 'get-cluster-service' {
    It 'reports the start mode and status of ClusSvc' {
        Mock Get-Service { [pscustomobject]@{ Name = 'ClusSvc'; StartType = 'Automatic'; Status = 'Running' } } -ParameterFilter { $Name -eq 'ClusSvc' }
        $result = Invoke-ViaBootstrap 'get-cluster-service' @{}
        $result.Outcome.ok | Should -BeTrue
        $result.Outcome.data.node | Should -Be 'NODE1'
        $result.Outcome.data.startMode | Should -Be 'Automatic'
        $result.Outcome.data.status | Should -Be 'Running'
        Save-OperationJson 'get-cluster-service' $result
    }

    It 'reports Disabled while the service is stopped, and maps delayed start to Automatic' {
        Mock Get-Service { [pscustomobject]@{ Name = 'ClusSvc'; StartType = 'Disabled'; Status = 'Stopped' } }
        (Invoke-ViaBootstrap 'get-cluster-service' @{}).Outcome.data.startMode | Should -Be 'Disabled'
        Mock Get-Service { [pscustomobject]@{ Name = 'ClusSvc'; StartType = 'AutomaticDelayedStart'; Status = 'Running' } }
        $result = Invoke-ViaBootstrap 'get-cluster-service' @{}
        $result.Outcome.data.startMode | Should -Be 'Automatic'
        Save-OperationJson 'get-cluster-service' $result 'delayed'
    }

    It 'fails with MISSING_FEATURE when the cluster service is not installed' {
        Mock Get-Service { $null }
        $result = Invoke-ViaBootstrap 'get-cluster-service' @{}
        $result.Outcome.ok | Should -BeFalse
        $result.Outcome.error.code | Should -Be 'MISSING_FEATURE'
    }
}

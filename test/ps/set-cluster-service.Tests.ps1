# Pester tests for src/cluster/scripts/set-cluster-service.ps1: Set-Service ClusSvc -StartupType, read back,
# with the service kept in a hashtable behind mocked Get-Service and Set-Service.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    $script:SavedComputerName = $env:COMPUTERNAME
    $env:COMPUTERNAME = 'NODE1'
}

AfterAll {
    $env:COMPUTERNAME = $script:SavedComputerName
    Remove-Variable -Name CauctlTestState -Scope Global -ErrorAction SilentlyContinue
}

Describe 'set-cluster-service' {
    BeforeEach {
        $global:CauctlTestState = @{ startType = 'Automatic'; status = 'Stopped'; ignoreSet = $false }
        Mock Get-Service { [pscustomobject]@{ Name = 'ClusSvc'; StartType = $global:CauctlTestState.startType; Status = $global:CauctlTestState.status } }
        Mock Set-Service { if (-not $global:CauctlTestState.ignoreSet) { $global:CauctlTestState.startType = $StartupType } }
    }

    It 'disables the service without stopping or starting it' {
        $result = Invoke-ViaBootstrap 'set-cluster-service' @{ startMode = 'Disabled' }
        $result.Outcome.ok | Should -BeTrue
        $result.Outcome.data.startMode | Should -Be 'Disabled'
        $result.Outcome.data.status | Should -Be 'Stopped'
        Should -Invoke Set-Service -Times 1 -Exactly -ParameterFilter { $Name -eq 'ClusSvc' -and $StartupType -eq 'Disabled' -and $null -eq $Status }
        Save-OperationJson 'set-cluster-service' $result
    }

    It 'sets it back to Automatic' {
        $global:CauctlTestState.startType = 'Disabled'
        $result = Invoke-ViaBootstrap 'set-cluster-service' @{ startMode = 'Automatic' }
        $result.Outcome.data.startMode | Should -Be 'Automatic'
        Save-OperationJson 'set-cluster-service' $result 'automatic'
    }

    It 'fails when the start mode does not change' {
        $global:CauctlTestState.ignoreSet = $true
        $result = Invoke-ViaBootstrap 'set-cluster-service' @{ startMode = 'Disabled' }
        $result.Outcome.ok | Should -BeFalse
        $result.Outcome.error.message | Should -Match 'is Automatic after setting it to Disabled'
    }

    It 'refuses a start mode other than Automatic or Disabled, as data' {
        $result = Invoke-ViaBootstrap 'set-cluster-service' @{ startMode = "Manual'; Stop-Computer #" }
        $result.Outcome.ok | Should -BeFalse
        Should -Invoke Set-Service -Times 0 -Exactly
    }
}

# Pester tests for src/cluster/scripts/set-cluster-disks.ps1: Stop/Start-ClusterResource only for disks not
# already in the wanted state, names passed as data, with the resources kept in a hashtable.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    $script:SavedComputerName = $env:COMPUTERNAME
    $env:COMPUTERNAME = 'NODE1'
}

AfterAll {
    $env:COMPUTERNAME = $script:SavedComputerName
    Remove-Variable -Name CauctlTestState -Scope Global -ErrorAction SilentlyContinue
}

Describe 'set-cluster-disks' {
    BeforeEach {
        $global:CauctlTestState = @{ csv = [ordered]@{ 'Cluster Virtual Disk (Infra)' = 'Online'; 'Cluster Virtual Disk (Data1)' = 'Online' }; pd = [ordered]@{ 'Data;$(x)' = 'Offline' } }
        Mock Get-ClusterSharedVolume { foreach ($k in $global:CauctlTestState.csv.Keys) { [pscustomobject]@{ Name = $k; State = $global:CauctlTestState.csv[$k] } } }
        Mock Get-ClusterResource { foreach ($k in $global:CauctlTestState.pd.Keys) { [pscustomobject]@{ Name = $k; State = $global:CauctlTestState.pd[$k]; ResourceType = 'Physical Disk' } } }
        Mock Stop-ClusterResource { if ($global:CauctlTestState.csv.Contains($Name)) { $global:CauctlTestState.csv[$Name] = 'Offline' } else { $global:CauctlTestState.pd[$Name] = 'Offline' } }
        Mock Start-ClusterResource { if ($global:CauctlTestState.csv.Contains($Name)) { $global:CauctlTestState.csv[$Name] = 'Online' } else { $global:CauctlTestState.pd[$Name] = 'Online' } }
    }

    It 'takes the named disks offline and reports every disk' {
        $result = Invoke-ViaBootstrap 'set-cluster-disks' @{ names = @('Cluster Virtual Disk (Infra)', 'Cluster Virtual Disk (Data1)'); state = 'Offline'; timeoutSeconds = 120 }
        $result.Outcome.ok | Should -BeTrue
        @($result.Outcome.data.disks | Where-Object { $_.state -eq 'Offline' }).Count | Should -Be 3
        Should -Invoke Stop-ClusterResource -Times 2 -Exactly -ParameterFilter { $Wait -eq 120 }
        Save-OperationJson 'set-cluster-disks' $result
    }

    It 'brings a hostile-named disk online, as data, and leaves disks already online alone' {
        $result = Invoke-ViaBootstrap 'set-cluster-disks' @{ names = @('Data;$(x)', 'Cluster Virtual Disk (Infra)'); state = 'Online'; timeoutSeconds = 60 }
        $result.Outcome.ok | Should -BeTrue
        Should -Invoke Start-ClusterResource -Times 1 -Exactly -ParameterFilter { $Name -eq 'Data;$(x)' }
        ($result.Outcome.data.disks | Where-Object { $_.name -eq 'Data;$(x)' }).state | Should -Be 'Online'
        Save-OperationJson 'set-cluster-disks' $result 'online'
    }

    It 'fails on an unknown resource before touching any' {
        $result = Invoke-ViaBootstrap 'set-cluster-disks' @{ names = @('Nope'); state = 'Offline'; timeoutSeconds = 60 }
        $result.Outcome.ok | Should -BeFalse
        $result.Outcome.error.message | Should -Match "'Nope' was not found"
        Should -Invoke Stop-ClusterResource -Times 0 -Exactly
    }
}

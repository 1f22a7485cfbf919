# Pester tests for src/cluster/scripts/get-cau-role.ps1: the role's Name/Value pairs made JSON (dates, TimeSpans,
# flag enums, hashtables), its group and possible owners, the node's time zone, and a cluster without a role.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'helpers/CauctlRoleStubs.ps1')
}
# Mock state is global: mock bodies run in the script's scope, where $script: means the bootstrap.
AfterAll { Remove-Variable -Name CauctlTestState -Scope Global -ErrorAction SilentlyContinue }

Describe 'get-cau-role' {
    BeforeEach {
        $global:CauctlTestState = @{ role = (New-CauctlTestRole) }
        Set-CauctlRoleMocks
        Mock Get-TimeZone { [pscustomobject]@{ Id = 'W. Europe Standard Time' } }
        Mock Get-CauctlIanaTimeZone { $null }
        Mock Get-ClusterOwnerNode { [pscustomobject]@{ ClusterObject = $Group; OwnerNodes = @([pscustomobject]@{ Name = 'NODE1' }, [pscustomobject]@{ Name = 'NODE2' }) } }
        Mock Get-ClusterNode { foreach ($n in 'NODE1', 'NODE2', 'NODE3') { [pscustomobject]@{ Name = $n } } }
    }

    It 'returns the pairs with JSON values, the group, the possible owners and the Windows time zone' {
        $result = Invoke-ViaBootstrap 'get-cau-role' @{}
        $result.Outcome.ok | Should -BeTrue
        $data = $result.Outcome.data
        $data.timeZoneId | Should -Be 'W. Europe Standard Time'
        $data.ianaTimeZone | Should -BeNullOrEmpty
        $data.role.groupName | Should -Be 'CAUHCI01x7k'
        @($data.role.possibleOwners) | Should -Be @('NODE1', 'NODE2')
        $byName = @{}
        foreach ($p in $data.role.parameters) { $byName[$p.name] = $p.value }
        $byName['StartDate'] | Should -Be '2024-01-09T03:00'
        $byName['WarnAfter'] | Should -Be '02:00:00'
        $byName['DaysOfWeek'] | Should -Be 'Tuesday'
        @($byName['WeeksOfMonth']) | Should -Be @(2)
        $byName['RebootTimeoutMinutes'] | Should -Be 30
        $byName['CauPluginArguments'][0].IncludeRecommendedUpdates | Should -Be 'False'
        $result.Json | Should -Match '"WeeksOfMonth","value":\[2\]|"value":\[2\],"name":"WeeksOfMonth"'
        Should -Invoke Get-ClusterOwnerNode -Times 1 -Exactly -ParameterFilter { $Group -eq 'CAUHCI01x7k' }
        Save-OperationJson 'get-cau-role' $result
    }

    It 'writes a flags enum (DaysOfWeek) as its number' {
        $global:CauctlTestState.role['DaysOfWeek'] = [System.AttributeTargets]'Class, Enum'
        $result = Invoke-ViaBootstrap 'get-cau-role' @{}
        $pair = @($result.Outcome.data.role.parameters | Where-Object { $_.name -eq 'DaysOfWeek' })
        $pair[0].value | Should -Be 20
    }

    It 'lists every node when the group has no owner list (all nodes may own it)' {
        Mock Get-ClusterOwnerNode { [pscustomobject]@{ ClusterObject = $Group; OwnerNodes = @() } }
        $result = Invoke-ViaBootstrap 'get-cau-role' @{}
        @($result.Outcome.data.role.possibleOwners) | Should -Be @('NODE1', 'NODE2', 'NODE3')
    }

    It 'passes on the IANA name when the node can convert its zone' {
        Mock Get-CauctlIanaTimeZone { 'Europe/Berlin' }
        (Invoke-ViaBootstrap 'get-cau-role' @{}).Outcome.data.ianaTimeZone | Should -Be 'Europe/Berlin'
        Should -Invoke Get-CauctlIanaTimeZone -Times 1 -Exactly -ParameterFilter { $WindowsId -eq 'W. Europe Standard Time' }
    }

    It 'returns role null, without calling Get-CauClusterRole, when the cluster has no role' {
        $global:CauctlTestState.role = $null
        $result = Invoke-ViaBootstrap 'get-cau-role' @{}
        $result.Outcome.ok | Should -BeTrue
        $result.Json | Should -Match '"role":null'
        Should -Invoke Get-CauClusterRole -Times 0 -Exactly
        Save-OperationJson 'get-cau-role' $result 'absent'
    }
}

# A small in-memory CAU clustered role behind the role cmdlets (stubbed in CauctlTestHelpers.ps1), for the
# role scripts' tests. Dot-source after CauctlTestHelpers.ps1. Test-only.

# A role as CAU reports it: the pairs Get-CauClusterRole returns (DaysOfWeek as the flags enum's text, as
# PowerShell prints it; StartDate as a DateTime).
function New-CauctlTestRole {
    [ordered]@{
        ResourceGroupName = 'CAUHCI01x7k'
        Status            = 'Online'
        StartDate         = [datetime]::new(2024, 1, 9, 3, 0, 0)
        DaysOfWeek        = 'Tuesday'
        WeeksOfMonth      = @(2)
        RebootTimeoutMinutes = 30
        WarnAfter         = [timespan]::FromHours(2)
        CauPluginArguments = @(@{ IncludeRecommendedUpdates = 'False' })
    }
}

# Mocks the cluster around an in-memory role in $global:CauctlTestState.role (an ordered table, or $null).
function Set-CauctlRoleMocks {
    Mock Get-ClusterResource {
        [pscustomobject]@{ Name = 'Cluster Name'; ResourceType = 'Network Name'; OwnerGroup = 'Cluster Group' }
        if ($null -ne $global:CauctlTestState.role) {
            [pscustomobject]@{ Name = 'CAUHCI01x7kResource'; ResourceType = 'ClusterAwareUpdatingResource'; OwnerGroup = $global:CauctlTestState.role['ResourceGroupName'] }
        }
    }
    Mock Get-CauClusterRole {
        if ($null -eq $global:CauctlTestState.role) { throw 'The current cluster is not configured with a Cluster-Aware Updating clustered role.' }
        foreach ($key in $global:CauctlTestState.role.Keys) { [pscustomobject]@{ Name = $key; Value = $global:CauctlTestState.role[$key] } }
    }
}

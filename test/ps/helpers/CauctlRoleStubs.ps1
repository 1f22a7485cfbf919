# Stubs for the CAU clustered-role cmdlets and the cluster cmdlets the role scripts use, so Mock has something
# to replace on Linux, and a small in-memory role behind them. Dot-source after CauctlTestHelpers.ps1. Test-only.

# Parameter lists mirror the real cmdlets' names and types, so values are converted as on a node.
$roleStubs = [ordered]@{
    'Get-ClusterResource'    = 'param($Name, $InputObject, $Cluster)'
    'Get-ClusterOwnerNode'   = 'param($Group, $Resource, $InputObject, $Cluster)'
    'Get-CauClusterRole'     = 'param($ClusterName, $Credential)'
    'Add-CauClusterRole'     = 'param($ClusterName, $Credential, [string]$VirtualComputerObjectName, [string]$GroupName, [datetime]$StartDate, [int]$DaysOfWeek, [int[]]$WeeksOfMonth, [int]$IntervalWeeks, [switch]$RunOnce, [string[]]$CauPluginName, [hashtable[]]$CauPluginArguments, [int]$MaxFailedNodes, [int]$MaxRetriesPerNode, [string[]]$NodeOrder, [string]$PreUpdateScript, [string]$PostUpdateScript, [string]$ConfigurationName, [switch]$RequireAllNodesOnline, [timespan]$WarnAfter, [timespan]$StopAfter, [int]$RebootTimeoutMinutes, [switch]$SeparateReboots, [switch]$EnableFirewallRules, [string]$FailbackMode, [int]$SuspendClusterNodeTimeoutMinutes, [int]$WaitForStorageRepairTimeoutMinutes, [switch]$ForcePauseAndDrain, [switch]$AttemptSoftReboot, [switch]$RunPluginsSerially, [switch]$StopOnPluginFailure, [switch]$Force)'
    'Set-CauClusterRole'     = 'param($ClusterName, $Credential, [datetime]$StartDate, [int]$DaysOfWeek, [int[]]$WeeksOfMonth, [int]$IntervalWeeks, [switch]$RunOnce, [switch]$UpdateNow, [switch]$UseDefault, [string[]]$CauPluginName, [hashtable[]]$CauPluginArguments, [int]$MaxFailedNodes, [int]$MaxRetriesPerNode, [string[]]$NodeOrder, [string]$PreUpdateScript, [string]$PostUpdateScript, [string]$ConfigurationName, [switch]$RequireAllNodesOnline, [timespan]$WarnAfter, [timespan]$StopAfter, [int]$RebootTimeoutMinutes, [switch]$SeparateReboots, [switch]$EnableFirewallRules, [string]$FailbackMode, [int]$SuspendClusterNodeTimeoutMinutes, [int]$WaitForStorageRepairTimeoutMinutes, [switch]$ForcePauseAndDrain, [switch]$AttemptSoftReboot, [switch]$RunPluginsSerially, [switch]$StopOnPluginFailure, [switch]$Force)'
    'Enable-CauClusterRole'  = 'param($ClusterName, $Credential, [switch]$Force)'
    'Disable-CauClusterRole' = 'param($ClusterName, $Credential, [switch]$Force)'
    'Remove-CauClusterRole'  = 'param($ClusterName, $Credential, [switch]$Force)'
    'Get-CauctlIanaTimeZone' = 'param([string]$WindowsId)'
}
foreach ($name in $roleStubs.Keys) {
    if (-not (Get-Command $name -ErrorAction SilentlyContinue)) {
        $body = $roleStubs[$name] + " throw ('stub {0} called without a Mock' -f '" + $name + "')"
        Set-Item -Path ('function:global:' + $name) -Value ([scriptblock]::Create($body))
    }
}

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

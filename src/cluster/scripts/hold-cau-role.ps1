# hold-cau-role: takes the CAU clustered role's group offline (no self-updating Updating Run can start: the
# state Disable-CauClusterRole leaves) or brings it back online, through the cluster API (Stop-/Start-
# ClusterGroup; the cluster service does the work, so no network credentials are needed). Idempotent: a group
# already in the asked state is left as it is. CAU_ROLE_NOT_FOUND when the group no longer holds the role.
# Returns the group's name, state and owner after the change.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string]$groupName,
    [Parameter(Mandatory = $true)][ValidateSet('Offline', 'Online')][string]$state
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$current = Get-CauctlRoleGroup
if ($null -eq $current -or $current -ne $groupName) {
    throw (New-CauctlError 'CAU_ROLE_NOT_FOUND' ("The cluster group '" + $groupName + "' no longer holds the Cluster-Aware Updating clustered role.") 'ObjectNotFound' $groupName)
}

$group = Get-ClusterGroup -Name $groupName
if ((ConvertTo-CauctlGroupState ([string]$group.State)) -ne $state) {
    # Without -Wait both cmdlets wait for the group to reach its state (or fail).
    if ($state -eq 'Offline') { Stop-ClusterGroup -Name $groupName | Out-Null }
    else { Start-ClusterGroup -Name $groupName | Out-Null }
    $group = Get-ClusterGroup -Name $groupName
}

@{ groupName = $groupName; state = (ConvertTo-CauctlGroupState ([string]$group.State)); ownerNode = [string]$group.OwnerNode }

# add-cau-role: adds the CAU clustered role (Add-CauClusterRole -Force) with an explicit schedule and the run
# options given, optionally on a prestaged VCO or under a chosen group name. CAU_ROLE_EXISTS when the cluster
# already has one. Returns the role's group name and status.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][hashtable]$schedule,
    [Parameter(Mandatory = $true)][AllowEmptyCollection()][hashtable]$options,
    [string]$virtualComputerObjectName,
    [string]$groupName
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$existing = Get-CauctlRoleGroup
if ($null -ne $existing) {
    throw (New-CauctlError 'CAU_ROLE_EXISTS' ('The cluster already has a Cluster-Aware Updating clustered role (' + $existing + ').') 'ResourceExists' $existing)
}
$splat = New-CauctlRoleSplat $schedule $options
if ($virtualComputerObjectName) { $splat.VirtualComputerObjectName = $virtualComputerObjectName }
if ($groupName) { $splat.GroupName = $groupName }
Add-CauClusterRole @splat -Force | Out-Null
@{ groupName = [string](Get-CauctlRoleGroup); status = (Get-CauctlRoleStatus) }

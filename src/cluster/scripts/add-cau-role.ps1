# add-cau-role: adds the CAU clustered role (Add-CauClusterRole -Force) with an explicit schedule and the run
# options given, optionally on a prestaged VCO or under a chosen group name. CAU_ROLE_EXISTS when the cluster
# already has one. Returns the role's group name and status. Add-CauClusterRole touches every node, so it runs
# with network credentials (cauctl-helpers: a fresh logon when cauctl holds the password).
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][hashtable]$schedule,
    [Parameter(Mandatory = $true)][AllowEmptyCollection()][hashtable]$options,
    [string]$virtualComputerObjectName,
    [string]$groupName,
    # Filled in by the transport: the admin account and password for a fresh logon, or $null.
    [AllowNull()]$networkCredential
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$RoleScript = @'
param([hashtable]$schedule, [hashtable]$options, [string]$virtualComputerObjectName, [string]$groupName)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$existing = Get-CauctlRoleGroup
if ($null -ne $existing) {
    throw (New-CauctlError 'CAU_ROLE_EXISTS' ('The cluster already has a Cluster-Aware Updating clustered role (' + $existing + ').') 'ResourceExists' $existing)
}
$splat = New-CauctlRoleSplat $schedule $options
if ($virtualComputerObjectName) { $splat.VirtualComputerObjectName = $virtualComputerObjectName }
if ($groupName) { $splat.GroupName = $groupName }
Add-CauClusterRole @splat -Force | Out-Null
@{ groupName = [string](Get-CauctlRoleGroup); status = (Get-CauctlRoleStatus) }
'@

Invoke-CauctlWithNetworkCredential $networkCredential 'Add-CauClusterRole' $RoleScript @{ schedule = $schedule; options = $options; virtualComputerObjectName = $virtualComputerObjectName; groupName = $groupName } 900

# change-cau-role: enables (Enable-CauClusterRole -Force), disables (Disable-CauClusterRole -Force: the role
# and its schedule stay) or removes (Remove-CauClusterRole -Force: the role and its VCO unless prestaged) the
# CAU clustered role. CAU_ROLE_NOT_FOUND without a role. Returns the group name, the status after the change
# ('Removed' once removed) and whether the role is gone. Runs with network credentials, as the role cmdlets
# touch every node.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][ValidateSet('Enable', 'Disable', 'Remove')][string]$action,
    # Filled in by the transport: the admin account and password for a fresh logon, or $null.
    [AllowNull()]$networkCredential
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$RoleScript = @'
param([string]$action)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$group = Assert-CauctlRoleExists
switch ($action) {
    'Enable' { Enable-CauClusterRole -Force | Out-Null }
    'Disable' { Disable-CauClusterRole -Force | Out-Null }
    'Remove' { Remove-CauClusterRole -Force | Out-Null }
}
$removed = $action -eq 'Remove' -and $null -eq (Get-CauctlRoleGroup)
$status = 'Removed'
if (-not $removed) { $status = Get-CauctlRoleStatus }
@{ groupName = $group; status = $status; removed = $removed }
'@

Invoke-CauctlWithNetworkCredential $networkCredential ($action + '-CauClusterRole') $RoleScript @{ action = $action } 900

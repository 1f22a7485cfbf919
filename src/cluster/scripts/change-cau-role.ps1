# change-cau-role: enables (Enable-CauClusterRole -Force), disables (Disable-CauClusterRole -Force: the role
# and its schedule stay) or removes (Remove-CauClusterRole -Force: the role and its VCO unless prestaged) the
# CAU clustered role. CAU_ROLE_NOT_FOUND without a role. Returns the group name, the status after the change
# ('Removed' once removed) and whether the role is gone.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][ValidateSet('Enable', 'Disable', 'Remove')][string]$action
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

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

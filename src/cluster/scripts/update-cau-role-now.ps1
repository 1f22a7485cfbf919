# update-cau-role-now: asks the CAU clustered role to start an Updating Run at once (Set-CauClusterRole -UpdateNow
# -Force, the cmdlet's own UpdateNow parameter set: no schedule, no run options, so nothing of the role's
# configuration is sent or changed). CAU_ROLE_NOT_FOUND without a role. The run is CAU's own coordinator's, on
# the node hosting the role; the caller reads it back with get-native-cau. Runs with network credentials, as the
# role cmdlets touch every node.
[CmdletBinding()]
param(
    # Filled in by the transport: the admin account and password for a fresh logon, or $null.
    [AllowNull()]$networkCredential
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$RoleScript = @'
param()
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$group = Assert-CauctlRoleExists
Set-CauClusterRole -UpdateNow -Force | Out-Null
@{ groupName = $group; status = (Get-CauctlRoleStatus) }
'@

Invoke-CauctlWithNetworkCredential $networkCredential 'Set-CauClusterRole -UpdateNow' $RoleScript @{} 900

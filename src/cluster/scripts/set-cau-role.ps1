# set-cau-role: changes the CAU clustered role (Set-CauClusterRole -Force). The caller always sends the whole
# schedule, because any Set-CauClusterRole call without one writes CAU's default third-Tuesday schedule (a
# known Azure Local problem); run options not given are left as they are. CAU_ROLE_NOT_FOUND without a role.
# Runs with network credentials, as the role cmdlets touch every node.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][hashtable]$schedule,
    [Parameter(Mandatory = $true)][AllowEmptyCollection()][hashtable]$options,
    # -UseDefault: run options not in $options return to CAU's defaults (the schedule is still sent whole).
    [bool]$useDefault = $false,
    # Filled in by the transport: the admin account and password for a fresh logon, or $null.
    [AllowNull()]$networkCredential
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$RoleScript = @'
param([hashtable]$schedule, [hashtable]$options, [bool]$useDefault)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$group = Assert-CauctlRoleExists
$splat = New-CauctlRoleSplat $schedule $options
if ($useDefault) { $splat.UseDefault = $true }
Set-CauClusterRole @splat -Force | Out-Null
@{ groupName = $group; status = (Get-CauctlRoleStatus) }
'@

Invoke-CauctlWithNetworkCredential $networkCredential 'Set-CauClusterRole' $RoleScript @{ schedule = $schedule; options = $options; useDefault = $useDefault } 900

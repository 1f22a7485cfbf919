# enable-cau-role: re-enables self-updating (Enable-CauClusterRole -Force); CAU_ROLE_NOT_FOUND without a role.
# Takes no schedule: the cmdlet has none to default. Returns the role's group name and status.
[CmdletBinding()]
param()
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function New-CauctlError([string]$Code, [string]$Message, [System.Management.Automation.ErrorCategory]$Category, $Target) {
    # The bootstrap reads the code from the FullyQualifiedErrorId ("CAUCTL:<CODE>").
    $exception = New-Object System.InvalidOperationException $Message
    New-Object System.Management.Automation.ErrorRecord $exception, ('CAUCTL:' + $Code), $Category, $Target
}

function Get-CauctlRoleGroup {
    $resource = @(Get-ClusterResource | Where-Object { [string]$_.ResourceType -eq 'ClusterAwareUpdatingResource' })
    if ($resource.Count -eq 0) { return $null }
    return [string]$resource[0].OwnerGroup
}

function Get-CauctlRoleStatus {
    $status = @(Get-CauClusterRole | Where-Object { [string]$_.Name -eq 'Status' })
    if ($status.Count -eq 0) { return 'Unknown' }
    return [string]$status[0].Value
}

$group = Get-CauctlRoleGroup
if ($null -eq $group) {
    throw (New-CauctlError 'CAU_ROLE_NOT_FOUND' 'The current cluster is not configured with a Cluster-Aware Updating clustered role.' 'ObjectNotFound' $null)
}
Enable-CauClusterRole -Force | Out-Null
@{ groupName = $group; status = (Get-CauctlRoleStatus) }

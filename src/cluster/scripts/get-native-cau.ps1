# get-native-cau: what this node knows of native Cluster-Aware Updating, read without leaving the node (so no
# network credentials are needed): its MSFT_CAURun object in root/Microsoft/Windows/ClusterUpdate (a native
# Updating Run's coordinator keeps one per node while it updates the cluster; local CIM), and the CAU clustered
# role's group, its state and owner through the cluster API (the local cluster service answers). Returns one
# hashtable; role is null when the cluster has no resource of type ClusterAwareUpdatingResource.
[CmdletBinding()]
param()
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# Get-CauctlNativeRun (node helpers): an absent CAU provider is "no run"; access denied or any other failure is
# NATIVE_CAU_UNREADABLE, never "no run".
$native = Get-CauctlNativeRun
$orchestrator = $native.orchestratorGuid
$providerPresent = $native.providerPresent

$role = $null
$groupName = Get-CauctlRoleGroup
if ($null -ne $groupName) {
    $group = Get-ClusterGroup -Name $groupName
    $role = @{ groupName = $groupName; state = (ConvertTo-CauctlGroupState ([string]$group.State)); ownerNode = [string]$group.OwnerNode }
}

@{
    node             = [string]$env:COMPUTERNAME
    runInProgress    = ($null -ne $orchestrator)
    orchestratorGuid = $orchestrator
    providerPresent  = $providerPresent
    role             = $role
}

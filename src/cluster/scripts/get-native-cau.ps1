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

# Whether a CIM error says the CAU provider is not there (no CAU feature): invalid namespace or class. Any other
# failure (access denied above all) is not "no run", and is passed on.
function Test-CauctlProviderMissing($ErrorRecord) {
    $exception = $ErrorRecord.Exception
    $property = $exception.PSObject.Properties['NativeErrorCode']
    if ($null -eq $property) { return $false }
    return @('InvalidNamespace', 'InvalidClass', 'NotFound') -contains [string]$property.Value
}

$orchestrator = $null
$providerPresent = $true
try {
    $runs = @(Get-CimInstance -Namespace 'root/Microsoft/Windows/ClusterUpdate' -ClassName 'MSFT_CAURun')
    if ($runs.Count -gt 0) { $orchestrator = [string]$runs[0].OrchestratorGuid }
} catch {
    if (-not (Test-CauctlProviderMissing $_)) {
        throw (New-CauctlError 'NATIVE_CAU_UNREADABLE' ('Could not read MSFT_CAURun on ' + $env:COMPUTERNAME + ', so whether a native CAU Updating Run is in progress is unknown: ' + $_.Exception.Message) 'ReadError' 'MSFT_CAURun')
    }
    $providerPresent = $false
}

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

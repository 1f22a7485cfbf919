# get-cluster: the cluster's name, nodes (state, drain status, owned roles, site), quorum, functional level, S2D, and
# whether a native CAU run holds the cluster. Returns one hashtable; values arrive only as parameters.
# $reportUnreadableNativeCau (read-only callers: scan, --what-if, test-setup, snapshot, get-run): an MSFT_CAURun
# that cannot be read is reported in nativeCauUnreadable (why) instead of failing the call.
[CmdletBinding()]
param(
    [bool]$reportUnreadableNativeCau = $false
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# Get-CauctlProperty, the fault-domain walk and the native run's reading are the node helpers'.

function ConvertTo-CauctlName([string]$Value, [string[]]$Allowed, [string]$Fallback) {
    # Enums serialise as numbers on 5.1; names are the contract. Unknown names fall back rather than fail.
    foreach ($name in $Allowed) { if ($Value -eq $name) { return $name } }
    return $Fallback
}

try {
    $cluster = Get-Cluster
} catch {
    throw (New-CauctlError 'CLUSTER_UNAVAILABLE' ('This node cannot reach its cluster: ' + $_.Exception.Message) 'ResourceUnavailable' $env:COMPUTERNAME)
}

$groups = @(Get-ClusterGroup)
$clusterNodes = @(Get-ClusterNode)
# Fault domains (Windows Server 2016 and later), by name; PowerShell hashtables compare keys case-insensitively,
# as the cluster compares names. A build without the cmdlet, or a cluster without sites, gives no site.
$faultDomains = @{}
try {
    $faultDomains = Get-CauctlFaultDomainsByName @(Get-ClusterFaultDomain)
} catch {
    $faultDomains = @{}
}
$nodes = @()
foreach ($node in $clusterNodes) {
    $nodeName = [string]$node.Name
    $roles = @()
    foreach ($group in $groups) {
        # Core groups (Cluster Group, Available Storage) are not roles; CAU's "fewest roles first" ignores them.
        if ([bool](Get-CauctlProperty $group 'IsCoreGroup' $false)) { continue }
        if ([string]$group.OwnerNode -eq $nodeName) { $roles += [string]$group.Name }
    }
    $nodes += @{
        name        = $nodeName
        state       = ConvertTo-CauctlName ([string]$node.State) @('Up', 'Down', 'Paused', 'Joining') 'Unknown'
        drainStatus = ConvertTo-CauctlName ([string](Get-CauctlProperty $node 'DrainStatus' 'NotInitiated')) @('NotInitiated', 'InProgress', 'Completed', 'Failed') 'NotInitiated'
        roles       = $roles
        site        = (Get-CauctlFaultDomainsAbove $faultDomains $nodeName)['Site']
    }
}

$quorum = Get-ClusterQuorum
$witness = Get-CauctlProperty $quorum 'QuorumResource' $null
$witnessType = 'None'
$witnessState = 'NotConfigured'
if ($null -ne $witness) {
    $resourceType = [string](Get-CauctlProperty $witness 'ResourceType' '')
    if ($resourceType -eq 'File Share Witness') { $witnessType = 'FileShare' }
    elseif ($resourceType -eq 'Cloud Witness') { $witnessType = 'Cloud' }
    else { $witnessType = 'Disk' }
    $witnessState = ConvertTo-CauctlName ([string]$witness.State) @('Online', 'Offline', 'Failed') 'Offline'
}

# Static vote count: each node's NodeWeight (1 unless removed) plus the witness. Dynamic quorum may do better;
# this is the conservative answer the coordinator wants before taking a node down.
$totalVotes = 0
$upVotes = 0
foreach ($node in $clusterNodes) {
    $weight = [int](Get-CauctlProperty $node 'NodeWeight' 1)
    $totalVotes += $weight
    if (@('Up', 'Paused') -contains [string]$node.State) { $upVotes += $weight }
}
if ($witnessType -ne 'None') {
    $totalVotes += 1
    if ($witnessState -eq 'Online') { $upVotes += 1 }
}

# A native CAU run leaves an MSFT_CAURun instance on this node. Without the CAU provider (no CAU feature) there
# is none; access denied or any other failure is NATIVE_CAU_UNREADABLE (Get-CauctlNativeRun), never "no run", as
# in the per-node check get-native-cau.
$nativeRun = $false
$nativeUnreadable = $null
try {
    $nativeRun = ($null -ne (Get-CauctlNativeRun).orchestratorGuid)
} catch {
    if (-not $reportUnreadableNativeCau -or [string]$_.FullyQualifiedErrorId -notlike 'CAUCTL:NATIVE_CAU_UNREADABLE*') { throw }
    $nativeUnreadable = $_.Exception.Message
}

@{
    name                   = [string]$cluster.Name
    nodes                  = $nodes
    quorum                 = @{ healthy = ($upVotes * 2 -gt $totalVotes); witnessType = $witnessType; witnessState = $witnessState }
    functionalLevel        = [int](Get-CauctlProperty $cluster 'ClusterFunctionalLevel' 0)
    s2dEnabled             = ([int](Get-CauctlProperty $cluster 'S2DEnabled' 0) -eq 1)
    nativeCauRunInProgress = $nativeRun
    nativeCauUnreadable    = $nativeUnreadable
}

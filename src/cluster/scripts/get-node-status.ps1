# get-node-status: this node's boot time (ISO 8601 UTC), build, auto-start services that are not running,
# its cluster node state and DrainStatus, the clustered roles it owns that are not offline (what a restart
# would take down), whether a reboot is pending, and whether the last soft restart fell back to a full one
# (the restart task's mark, restart-node.ps1). Used to tell that a restart finished and that a node is
# drained (Paused, DrainStatus Completed, no running role) before an install or restart.
[CmdletBinding()]
param()
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Test-CauctlRegistryKey([string]$Path) {
    # Wrapped for Pester: on Linux there is no registry provider.
    Test-Path -LiteralPath $Path
}

function Test-CauctlSoftRestartFellBack {
    # The restart task's mark (node helpers, Get-CauctlSoftRestartMarkPath): absent, no soft restart fell back.
    Test-Path -LiteralPath (Get-CauctlSoftRestartMarkPath) -PathType Leaf
}

# Get-CauctlRegistryValue is the node helpers'.

$os = Get-CimInstance -ClassName 'Win32_OperatingSystem'
# 5.1's ConvertTo-Json writes DateTime as \/Date(ms)\/; the contract wants ISO 8601 UTC text.
$bootTime = ([DateTime]$os.LastBootUpTime).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ss.fffZ', [System.Globalization.CultureInfo]::InvariantCulture)

# Delayed-start services may legitimately still be starting; CAU's "all auto-start services" means the
# plain Automatic ones, which the coordinator waits for.
$notRunning = @(Get-CimInstance -ClassName 'Win32_Service' -Filter "StartMode='Auto' AND State<>'Running'" |
        Where-Object { -not ($_.PSObject.Properties['DelayedAutoStart'] -and [bool]$_.DelayedAutoStart) } |
        ForEach-Object { [string]$_.Name } | Sort-Object)

# Group states in which something of the role runs here (Offline and Failed: nothing does).
$runningGroupStates = @('Online', 'PartialOnline', 'Pending')

$clusterNodeState = 'Unknown'
$drainStatus = 'NotInitiated'
$node = $null
try {
    $node = Get-ClusterNode -Name $env:COMPUTERNAME
} catch {
    # The cluster service is down (typical right after a restart): to the coordinator the node is Down.
    $service = Get-Service -Name 'ClusSvc' -ErrorAction SilentlyContinue
    if ($null -ne $service -and [string]$service.Status -ne 'Running') { $clusterNodeState = 'Down' }
}
$runningRoles = @()
if ($null -ne $node) {
    $state = [string]$node.State
    if (@('Up', 'Down', 'Paused', 'Joining') -contains $state) { $clusterNodeState = $state }
    $drain = [string]$node.DrainStatus
    if (@('NotInitiated', 'InProgress', 'Completed', 'Failed') -contains $drain) { $drainStatus = $drain }
    # The groups this node owns (Get-ClusterGroup on a node object); core groups are the cluster's own.
    $runningRoles = @(Get-ClusterGroup -InputObject $node |
            Where-Object { -not $_.IsCoreGroup -and $runningGroupStates -contains [string]$_.State } |
            ForEach-Object { [string]$_.Name } | Sort-Object)
}

$pendingFileRenames = Get-CauctlRegistryValue 'HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager' 'PendingFileRenameOperations'
$rebootPending = (Test-CauctlRegistryKey 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending') -or
    (Test-CauctlRegistryKey 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired') -or
    (@($pendingFileRenames | Where-Object { $_ }).Count -gt 0)

@{
    node                        = [string]$env:COMPUTERNAME
    lastBootUpTime              = $bootTime
    osBuild                     = [int]$os.BuildNumber
    autoStartServicesNotRunning = $notRunning
    clusterNodeState            = $clusterNodeState
    drainStatus                 = $drainStatus
    runningRoles                = $runningRoles
    rebootPending               = [bool]$rebootPending
    softRestartFellBack         = [bool](Test-CauctlSoftRestartFellBack)
}

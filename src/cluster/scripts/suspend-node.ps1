# suspend-node: pauses a node and starts its drain (Suspend-ClusterNode -Drain, -ForceDrain when asked), then
# polls DrainStatus for at most timeoutSeconds and returns where the drain stands: a short long-poll, never the
# whole drain. Without -Wait the cmdlet initiates the drain and returns (Windows Server 2022 docs of
# Suspend-ClusterNode); -Wait with no value would wait with no upper bound, so it is never given.
# A failed drain is a value (Paused, DrainStatus Failed, the unmoved roles still on the node), as Windows leaves
# it. A refusal because storage is degraded is CLUSTER_SPACE_DEGRADED (the node is not paused; the coordinator
# retries); any other error of the cmdlet is DRAIN_FAILED. New-CauctlError comes from the node helpers.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$name,
    [Parameter(Mandatory = $true)][bool]$forceDrain,
    [Parameter(Mandatory = $true)][ValidateRange(0, 86400)][int]$timeoutSeconds,
    # CAU's force switches that accept a node that is not drained (issue 16). ForcePauseNoDrain pauses only.
    [ValidateSet('ForcePauseNoDrain', 'ForcePauseDrainAndReboot')][string]$allowUndrained
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# ERROR_CLUSTER_SPACE_DEGRADED (5986) and its HRESULT form.
$spaceDegradedCodes = @(5986, -2147018910)
# Seconds between two reads of DrainStatus.
$pollSeconds = 2
# Right after the call the cluster may still show the outcome of an earlier drain (Failed, or Completed on a
# node resumed since): believe such an outcome only after the new drain was seen in progress, or after this
# many seconds.
$settleSeconds = 6

function Get-CauctlMonotonicSeconds {
    # Wrapped so tests can drive time; a Stopwatch timestamp ignores wall-clock changes.
    [System.Diagnostics.Stopwatch]::GetTimestamp() / [double][System.Diagnostics.Stopwatch]::Frequency
}

function Test-CauctlSpaceDegraded([System.Exception]$Exception) {
    # The code sits somewhere in the exception chain (Win32Exception, COMException, ClusterCmdletException).
    for ($e = $Exception; $null -ne $e; $e = $e.InnerException) {
        if ($spaceDegradedCodes -contains $e.HResult) { return $true }
        if ($e.PSObject.Properties['NativeErrorCode'] -and $spaceDegradedCodes -contains $e.NativeErrorCode) { return $true }
        if ($e.PSObject.Properties['ErrorCode'] -and $spaceDegradedCodes -contains $e.ErrorCode) { return $true }
        if ($e.Message -match 'SPACE_DEGRADED|storage space.*degraded|degraded.*storage space') { return $true }
    }
    return $false
}

function Get-CauctlNodeView([string]$NodeName) {
    $node = Get-ClusterNode -Name $NodeName
    $state = [string]$node.State
    if (@('Up', 'Down', 'Paused', 'Joining') -notcontains $state) { $state = 'Unknown' }
    $drain = [string]$node.DrainStatus
    if (@('NotInitiated', 'InProgress', 'Completed', 'Failed') -notcontains $drain) { $drain = 'NotInitiated' }
    @{ state = $state; drainStatus = $drain }
}

$view = Get-CauctlNodeView $name
if ($view.state -eq 'Down') {
    throw (New-CauctlError 'SCRIPT_ERROR' ('The cluster node ' + $name + ' is Down and cannot be paused.') 'InvalidOperation' $name)
}
# Paused and drained (a retried call after a lost reply): nothing to do.
if ($view.state -eq 'Paused' -and $view.drainStatus -eq 'Completed') { return $view }

$before = $view.drainStatus
# A drain already in progress is only waited on; anything else (Up, or Paused after a failed or no drain)
# starts one.
if (-not ($view.state -eq 'Paused' -and $view.drainStatus -eq 'InProgress')) {
    try {
        if ($allowUndrained -eq 'ForcePauseNoDrain') {
            Suspend-ClusterNode -Name $name | Out-Null
        } elseif ($forceDrain) {
            Suspend-ClusterNode -Name $name -Drain -ForceDrain | Out-Null
        } else {
            Suspend-ClusterNode -Name $name -Drain | Out-Null
        }
    } catch [System.Management.Automation.CommandNotFoundException] {
        throw
    } catch {
        if (Test-CauctlSpaceDegraded $_.Exception) {
            throw (New-CauctlError 'CLUSTER_SPACE_DEGRADED' ('Suspend-ClusterNode ' + $name + ' refused: storage is degraded. ' + $_.Exception.Message) 'ResourceUnavailable' $name)
        }
        throw (New-CauctlError 'DRAIN_FAILED' ('Draining ' + $name + ' failed: ' + $_.Exception.Message) 'ResourceBusy' $name)
    }
    if ($allowUndrained -eq 'ForcePauseNoDrain') { return (Get-CauctlNodeView $name) }
}

$start = Get-CauctlMonotonicSeconds
$seenInProgress = $false
for (;;) {
    $view = Get-CauctlNodeView $name
    $elapsed = (Get-CauctlMonotonicSeconds) - $start
    if ($view.drainStatus -eq 'InProgress') { $seenInProgress = $true }
    $settled = $seenInProgress -or @('Failed', 'Completed') -notcontains $before -or $elapsed -ge $settleSeconds
    $final = (@('Completed', 'Failed') -contains $view.drainStatus -and $settled) -or $view.state -ne 'Paused'
    if ($final -or $elapsed -ge $timeoutSeconds) { return $view }
    Start-Sleep -Seconds ([int][Math]::Max(1, [Math]::Min($pollSeconds, [Math]::Ceiling($timeoutSeconds - $elapsed))))
}

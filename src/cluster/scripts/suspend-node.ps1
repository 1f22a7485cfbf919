# suspend-node: pauses and drains a node (Suspend-ClusterNode -Drain -Wait, -ForceDrain when asked) and
# waits up to timeoutSeconds for the drain to finish. A refusal because storage is degraded is reported as
# CLUSTER_SPACE_DEGRADED (the coordinator retries it); any other drain failure as DRAIN_FAILED.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$name,
    [Parameter(Mandatory = $true)][bool]$forceDrain,
    [Parameter(Mandatory = $true)][ValidateRange(1, 86400)][int]$timeoutSeconds
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# ERROR_CLUSTER_SPACE_DEGRADED (5986) and its HRESULT form.
$spaceDegradedCodes = @(5986, -2147018910)

function New-CauctlError([string]$Code, [string]$Message, [System.Management.Automation.ErrorCategory]$Category, $Target) {
    # The bootstrap reads the code from the FullyQualifiedErrorId ("CAUCTL:<CODE>").
    $exception = New-Object System.InvalidOperationException $Message
    New-Object System.Management.Automation.ErrorRecord $exception, ('CAUCTL:' + $Code), $Category, $Target
}

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
# Already paused and drained (a retried call after a lost connection): nothing to do.
if ($view.state -eq 'Paused' -and $view.drainStatus -eq 'Completed') { return $view }

try {
    if ($forceDrain) {
        Suspend-ClusterNode -Name $name -Drain -ForceDrain -Wait | Out-Null
    } else {
        Suspend-ClusterNode -Name $name -Drain -Wait | Out-Null
    }
} catch [System.Management.Automation.CommandNotFoundException] {
    throw
} catch {
    if (Test-CauctlSpaceDegraded $_.Exception) {
        throw (New-CauctlError 'CLUSTER_SPACE_DEGRADED' ('Suspend-ClusterNode ' + $name + ' refused: storage is degraded. ' + $_.Exception.Message) 'ResourceUnavailable' $name)
    }
    throw (New-CauctlError 'DRAIN_FAILED' ('Draining ' + $name + ' failed: ' + $_.Exception.Message) 'ResourceBusy' $name)
}

# -Wait returns when the drain ends; poll briefly in case the cluster reports InProgress a little longer.
$start = Get-CauctlMonotonicSeconds
$view = Get-CauctlNodeView $name
while ($view.drainStatus -eq 'InProgress' -and ((Get-CauctlMonotonicSeconds) - $start) -lt $timeoutSeconds) {
    Start-Sleep -Seconds 2
    $view = Get-CauctlNodeView $name
}
if ($view.drainStatus -eq 'Failed') {
    throw (New-CauctlError 'DRAIN_FAILED' ('Draining ' + $name + ' failed: a role could not be moved (DrainStatus Failed).') 'ResourceBusy' $name)
}
if ($view.drainStatus -eq 'InProgress') {
    throw (New-CauctlError 'DRAIN_FAILED' ('Draining ' + $name + ' did not finish within ' + $timeoutSeconds + ' seconds.') 'OperationTimeout' $name)
}
$view

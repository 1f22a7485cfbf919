# restart-node: schedules a restart of this node with shutdown.exe /r /t <delay>, so the command returns
# (and its result reaches the coordinator) before the connection drops. Returns the services running just
# before, so the check after the restart waits for those only (Automatic services that a healthy node keeps
# stopped, such as trigger-start services and per-user templates, are never awaited).
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][bool]$soft,
    [Parameter(Mandatory = $true)][ValidateRange(2, 315360000)][int]$delaySeconds
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# ERROR_SHUTDOWN_IS_SCHEDULED: a restart is already on its way, which is what was asked for.
$alreadyScheduled = 1190

function Invoke-CauctlShutdown([string[]]$ArgumentList) {
    # Wrapped for Pester; returns the exit code.
    & shutdown.exe @ArgumentList | Out-Null
    $LASTEXITCODE
}

function Get-CauctlRunningServices {
    # Wrapped for Pester.
    @(Get-Service | Where-Object { [string]$_.Status -eq 'Running' } | ForEach-Object { [string]$_.Name })
}

# Recorded before the restart is scheduled, while the node still runs as it did.
$servicesBeforeRestart = @(Get-CauctlRunningServices | Sort-Object -Unique)

# Kernel Soft Reboot has no documented command-line trigger (cau-surface section 10: only through CAU's own
# orchestrator), so a soft request restarts fully and says so in bootType, as CAU's own reports do.
$bootType = 'FullReboot'
$arguments = @('/r', '/t', [string]$delaySeconds, '/d', 'p:2:17', '/c', 'cauctl: restart after installing updates')
$exitCode = [int](Invoke-CauctlShutdown $arguments)
if ($exitCode -ne 0 -and $exitCode -ne $alreadyScheduled) {
    $exception = New-Object System.InvalidOperationException ('shutdown.exe failed with exit code ' + $exitCode + '.')
    throw (New-Object System.Management.Automation.ErrorRecord $exception, 'CAUCTL:SCRIPT_ERROR', 'InvalidResult', $env:COMPUTERNAME)
}
@{ scheduled = $true; bootType = $bootType; servicesBeforeRestart = @($servicesBeforeRestart) }

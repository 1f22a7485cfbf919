# restart-node: schedules a restart of this node after <delay> seconds, so the command returns (and its result
# reaches the coordinator) before the connection drops. Returns the services running just before, so the check
# after the restart waits for those only (Automatic services that a healthy node keeps stopped, such as
# trigger-start services and per-user templates, are never awaited), the restart scheduled (bootType) and why
# (softBootStatus, in CAU's words).
# A soft restart is Kernel Soft Reboot (KSR): Azure Stack HCI 21H2 and later have it (ksrcmd.exe /Self, per
# Microsoft's support article "Error c0000034 when performing Kernel Soft Reboot"); Windows Server does not (the
# KSR docs' FAQ), and a node opts out with CauBypassSoftBootOnNode = True (cau-surface.md section 10). Where it
# is missing or refused the node restarts fully with shutdown.exe /r /t <delay>, and says FullReboot. Where KSR
# refuses only when the restart runs, the task leaves a mark that get-node-status reports (softRestartFellBack).
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

# Kernel Soft Reboot only where the node has it and does not opt out (Get-CauctlSoftBootStatus, node helpers).
$softBootStatus = 'NotEnabled'
if ($soft) { $softBootStatus = Get-CauctlSoftBootStatus }

if ($softBootStatus -eq 'Enabled') {
    # A one-shot SYSTEM task runs ksrcmd.exe /Self after the delay, outside this session (which the restart ends).
    # Should KSR refuse at that moment, the same task marks it (so the boot is reported as the full one it is) and
    # restarts fully, so the node always restarts. The mark lives in the protected base folder (SYSTEM writes it:
    # never in a folder another account could have planted), and a mark of an earlier restart is cleared first.
    [void](Confirm-CauctlPrivateFolder (Get-CauctlBaseFolder))
    $mark = Get-CauctlSoftRestartMarkPath
    if (Test-Path -LiteralPath $mark) { Remove-Item -LiteralPath $mark -Force }
    $system32 = Join-Path $env:SystemRoot 'System32'
    $command = '/c ""' + (Join-Path $system32 'ksrcmd.exe') + '" /Self || (type nul > "' + $mark + '" & "' + (Join-Path $system32 'shutdown.exe') + '" /r /t 0 /d p:2:17 /c "cauctl: restart after installing updates")"'
    $action = New-ScheduledTaskAction -Execute (Join-Path $system32 'cmd.exe') -Argument $command
    $trigger = New-ScheduledTaskTrigger -Once -At ((Get-Date).AddSeconds($delaySeconds))
    $principal = New-ScheduledTaskPrincipal -UserId 'SYSTEM' -LogonType ServiceAccount -RunLevel Highest
    $settings = New-ScheduledTaskSettingsSet -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries -StartWhenAvailable
    Register-ScheduledTask -TaskName 'soft-restart' -TaskPath '\cauctl\' -Action $action -Trigger $trigger -Principal $principal -Settings $settings -Description 'cauctl: Kernel Soft Reboot after installing updates' -Force | Out-Null
    return @{ scheduled = $true; bootType = 'SoftReboot'; softBootStatus = $softBootStatus; servicesBeforeRestart = @($servicesBeforeRestart) }
}

$arguments = @('/r', '/t', [string]$delaySeconds, '/d', 'p:2:17', '/c', 'cauctl: restart after installing updates')
$exitCode = [int](Invoke-CauctlShutdown $arguments)
if ($exitCode -ne 0 -and $exitCode -ne $alreadyScheduled) {
    $exception = New-Object System.InvalidOperationException ('shutdown.exe failed with exit code ' + $exitCode + '.')
    throw (New-Object System.Management.Automation.ErrorRecord $exception, 'CAUCTL:SCRIPT_ERROR', 'InvalidResult', $env:COMPUTERNAME)
}
@{ scheduled = $true; bootType = 'FullReboot'; softBootStatus = $softBootStatus; servicesBeforeRestart = @($servicesBeforeRestart) }

# wait-update-task: long poll on the node. Reads the update worker's progress.json until the task has ended
# or timeoutSeconds pass, and returns its state and per-update results. A worker that died without writing
# a final state is reported Failed with the scheduled task's last result. Once the task has ended, its
# scheduled task and its worker files are removed; progress.json stays, so asking again gives the same answer
# (the next start-update-task removes the folder).
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][ValidatePattern('^[A-Za-z0-9-]{1,80}$')][string]$taskId,
    [Parameter(Mandatory = $true)][ValidateRange(0, 86400)][int]$timeoutSeconds
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# Polling the local file is cheap; 5 s keeps the answer prompt without busy-waiting.
$pollSeconds = 5

function Read-CauctlProgress([string]$Path) {
    if (-not (Test-Path -LiteralPath $Path -PathType Leaf)) { return $null }
    try {
        return ([System.IO.File]::ReadAllText($Path) | ConvertFrom-Json)
    } catch {
        # The worker renames a finished file into place, but an antivirus lock can still bite: try again.
        return $null
    }
}

function Get-CauctlTaskState([string]$Name) {
    $task = Get-ScheduledTask -TaskName $Name -TaskPath '\cauctl\' -ErrorAction SilentlyContinue
    if ($null -eq $task) { return @{ exists = $false; running = $false; lastResult = 0 } }
    $info = Get-ScheduledTaskInfo -TaskName $Name -TaskPath '\cauctl\'
    $running = @('Running', 'Queued') -contains [string]$task.State
    return @{ exists = $true; running = $running; lastResult = [long]$info.LastTaskResult }
}

$taskDir = Join-Path (Join-Path $env:ProgramData 'cauctl') $taskId
$progressFile = Join-Path $taskDir 'progress.json'
if (-not (Test-Path -LiteralPath $taskDir -PathType Container)) {
    return @{ state = 'NotFound'; results = @(); rebootRequired = $false; message = 'No update task ' + $taskId + ' on this node.' }
}

$start = Get-CauctlMonotonicSeconds
while ($true) {
    # Task state first, then the file: a worker that wrote its final state and exited is never misread.
    $taskState = Get-CauctlTaskState ('cauctl-' + $taskId)
    $progress = Read-CauctlProgress $progressFile
    $state = 'Running'
    if ($null -ne $progress) { $state = [string]$progress.state }
    if ($state -ne 'Running') { break }
    if ($null -ne $progress -and -not $taskState.running) {
        # SCHED_S_TASK_HAS_NOT_RUN: registered and started, not yet picked up; anything else means the
        # worker ended (or the task vanished) without writing its final state.
        $notYetRun = $taskState.exists -and [string]$progress.message -eq 'queued' -and $taskState.lastResult -eq 267011
        if (-not $notYetRun) {
            $state = 'Failed'
            break
        }
    }
    $waited = (Get-CauctlMonotonicSeconds) - $start
    if ($waited -ge $timeoutSeconds) { break }
    Start-Sleep -Seconds ([int][math]::Max(1, [math]::Min($pollSeconds, [math]::Ceiling($timeoutSeconds - $waited))))
}

$results = @()
$rebootRequired = $false
$message = $null
if ($null -ne $progress) {
    foreach ($entry in @($progress.results)) {
        if ($null -eq $entry) { continue }
        $results += @{
            updateId       = [string]$entry.updateId
            kb             = [string]$entry.kb
            title          = [string]$entry.title
            resultCode     = [string]$entry.resultCode
            errorCode      = [string]$entry.errorCode
            rebootRequired = [bool]$entry.rebootRequired
        }
    }
    $rebootRequired = [bool]$progress.rebootRequired
    $message = [string]$progress.message
}
if ($state -eq 'Failed' -and [string]$progress.state -eq 'Running') {
    $message = 'The update worker ended without a result (last task result 0x' + ([int64]$taskState.lastResult -band [int64]4294967295).ToString('x8') + ').'
}
if ($state -eq 'Completed' -or $state -eq 'Failed') {
    Remove-CauctlTask ('cauctl-' + $taskId)
    foreach ($name in 'worker.ps1', 'task.json') { Remove-Item -LiteralPath (Join-Path $taskDir $name) -Force -ErrorAction SilentlyContinue }
}
$answer = @{ state = $state; results = $results; rebootRequired = $rebootRequired }
if ($null -ne $message -and $message -ne '') { $answer.message = $message }
$answer

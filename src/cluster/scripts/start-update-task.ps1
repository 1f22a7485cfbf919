# start-update-task: starts the one-shot scheduled task (as SYSTEM) that downloads or installs updates on this
# node, because Windows Update refuses both from a remote logon. The worker script is a fixed here-string
# written to a file; its parameters travel in a JSON file; its progress goes to progress.json for
# wait-update-task. Starting twice with the same taskId starts once.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][ValidateSet('Microsoft.WindowsUpdatePlugin', 'Microsoft.HotfixPlugin', 'Microsoft.RollingUpgradePlugin')][string]$plugin,
    [Parameter(Mandatory = $true)][AllowEmptyCollection()][hashtable]$arguments,
    [Parameter(Mandatory = $true)][ValidateSet('Download', 'Install')][string]$mode,
    [Parameter(Mandatory = $true)][AllowEmptyCollection()][string[]]$updateIds,
    # The pattern keeps the id safe in file names and the task's command line.
    [Parameter(Mandatory = $true)][ValidatePattern('^[A-Za-z0-9-]{1,80}$')][string]$taskId
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# The worker: single-quoted here-string, so nothing is ever interpolated into it. Windows PowerShell 5.1.
$WorkerScript = @'
# cauctl update worker: runs as SYSTEM from a one-shot scheduled task; reads task.json, downloads or installs,
# and keeps progress.json current (written whole, then renamed, so a reader never sees half a file).
param([Parameter(Mandatory = $true)][string]$TaskFile)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function New-CauctlUpdateSession { New-Object -ComObject 'Microsoft.Update.Session' }
function New-CauctlUpdateCollection { New-Object -ComObject 'Microsoft.Update.UpdateColl' }
function Invoke-CauctlInstaller([string]$FilePath, [string]$Arguments, [int]$TimeoutMinutes) {
    $process = Start-Process -FilePath $FilePath -ArgumentList $Arguments -PassThru -WindowStyle Hidden
    if (-not $process.WaitForExit($TimeoutMinutes * 60000)) {
        try { $process.Kill() } catch { }
        return $null
    }
    return $process.ExitCode
}

function Get-CauctlTaskArgument($Task, [string]$Name, [string]$Default) {
    $property = $Task.arguments.PSObject.Properties[$Name]
    if ($null -eq $property -or $null -eq $property.Value -or [string]$property.Value -eq '') { return $Default }
    return [string]$property.Value
}

function Format-CauctlCode([long]$Code) {
    if ($Code -eq 0) { return '0x0' }
    return '0x' + ([int64]$Code -band [int64]4294967295).ToString('x8')
}

function Write-CauctlProgress([string]$Path, [string]$State, [object[]]$Results, [bool]$RebootRequired, [string]$Message) {
    $progress = @{ state = $State; results = @($Results); rebootRequired = $RebootRequired; message = $Message; updatedUtc = [DateTime]::UtcNow.ToString('o') }
    $json = ConvertTo-Json -InputObject $progress -Depth 10 -Compress
    $temporary = $Path + '.tmp'
    [System.IO.File]::WriteAllText($temporary, $json, (New-Object System.Text.UTF8Encoding $false))
    Move-Item -LiteralPath $temporary -Destination $Path -Force
}

$resultNames = @{ 0 = 'Aborted'; 1 = 'Aborted'; 2 = 'Succeeded'; 3 = 'SucceededWithErrors'; 4 = 'Failed'; 5 = 'Aborted' }

function Invoke-CauctlWindowsUpdate($Task, [string]$ProgressPath) {
    $session = New-CauctlUpdateSession
    $session.ClientApplicationID = 'cauctl'
    Write-CauctlProgress $ProgressPath 'Running' @() $false 'searching'
    # Search broadly and pick by id: ids are never spliced into the search criteria.
    $found = @($session.CreateUpdateSearcher().Search("IsInstalled=0 and IsHidden=0").Updates)
    $wanted = @($Task.updateIds)
    $selected = @($found | Where-Object { $wanted -contains [string]$_.Identity.UpdateID })
    $results = @()
    foreach ($id in $wanted) {
        if (@($selected | Where-Object { [string]$_.Identity.UpdateID -eq $id }).Count -eq 0) {
            $results += @{ updateId = [string]$id; kb = ''; title = ''; resultCode = 'NotApplicable'; errorCode = '0x0'; rebootRequired = $false }
        }
    }
    if ($selected.Count -eq 0) { return @{ results = $results; rebootRequired = $false } }
    $collection = New-CauctlUpdateCollection
    foreach ($update in $selected) { [void]$collection.Add($update) }
    Write-CauctlProgress $ProgressPath 'Running' $results $false 'downloading'
    $downloader = $session.CreateUpdateDownloader()
    $downloader.Updates = $collection
    $download = $downloader.Download()
    $operation = $download
    $rebootRequired = $false
    if ([string]$Task.mode -eq 'Install') {
        Write-CauctlProgress $ProgressPath 'Running' $results $false 'installing'
        $installer = $session.CreateUpdateInstaller()
        $installer.Updates = $collection
        $operation = $installer.Install()
        $rebootRequired = [bool]$operation.RebootRequired
    }
    for ($i = 0; $i -lt $selected.Count; $i++) {
        $update = $selected[$i]
        $one = $operation.GetUpdateResult($i)
        $kbIds = @($update.KBArticleIDs)
        $kb = ''
        if ($kbIds.Count -gt 0 -and $kbIds[0]) { $kb = 'KB' + [string]$kbIds[0] }
        $results += @{
            updateId       = [string]$update.Identity.UpdateID
            kb             = $kb
            title          = [string]$update.Title
            resultCode     = $resultNames[[int]$one.ResultCode]
            errorCode      = Format-CauctlCode ([long]$one.HResult)
            rebootRequired = [bool]$one.RebootRequired
        }
    }
    return @{ results = $results; rebootRequired = $rebootRequired }
}

function Get-CauctlExitClass([xml]$Config, [string]$Extension, [int]$ExitCode) {
    # cau-surface section 8: listed codes classify; any other code is a failure with no restart.
    $rule = $null
    foreach ($candidate in @($Config.SelectNodes('//ExtensionRules/Extension'))) {
        if ([string]$candidate.GetAttribute('name') -eq $Extension) { $rule = $candidate }
    }
    if ($null -eq $rule) { return $null }
    $classes = @{ 'Success' = @('Succeeded', $false); 'Success_RebootRequired' = @('Succeeded', $true); 'Fail_RebootRequired' = @('Failed', $true); 'AlreadyInstalled' = @('AlreadyInstalled', $false); 'NotApplicable' = @('NotApplicable', $false) }
    foreach ($class in $classes.Keys) {
        foreach ($condition in @($rule.SelectNodes('ExitConditions/' + $class + '/ExitCode'))) {
            $text = [string]$condition.GetAttribute('Code')
            $value = if ($text -match '^0x') { [Convert]::ToInt32($text.Substring(2), 16) } else { [int]$text }
            if ($value -eq $ExitCode) { return @{ template = $rule.SelectSingleNode('Template'); resultCode = $classes[$class][0]; rebootRequired = $classes[$class][1] } }
        }
    }
    return @{ template = $rule.SelectSingleNode('Template'); resultCode = 'Failed'; rebootRequired = $false }
}

function Invoke-CauctlHotfixes($Task, [string]$ProgressPath) {
    $results = @()
    if ([string]$Task.mode -ne 'Install') { return @{ results = $results; rebootRequired = $false } }
    $root = Get-CauctlTaskArgument $Task 'HotfixRootFolderPath' ''
    $configName = Get-CauctlTaskArgument $Task 'HotfixConfigFileName' 'DefaultHotfixConfig.xml'
    $timeout = [int](Get-CauctlTaskArgument $Task 'HotfixInstallerTimeoutMinutes' '30')
    [xml]$config = [System.IO.File]::ReadAllText((Join-Path $root $configName))
    $rootFull = [System.IO.Path]::GetFullPath($root).TrimEnd('\', '/')
    $rebootRequired = $false
    foreach ($id in @($Task.updateIds)) {
        # Ids use '\' (scan-updates builds them); split so the same id works with either separator.
        $file = $root
        foreach ($part in ([string]$id -split '[\\/]')) { if ($part -ne '') { $file = Join-Path $file $part } }
        $file = [System.IO.Path]::GetFullPath($file)
        $extension = [System.IO.Path]::GetExtension($file).TrimStart('.').ToUpperInvariant()
        $entry = @{ updateId = [string]$id; kb = ''; title = [System.IO.Path]::GetFileName($file); resultCode = 'Failed'; errorCode = '0x0'; rebootRequired = $false }
        if ([string]$id -match '(KB\d+)') { $entry.kb = $Matches[1].ToUpperInvariant() }
        Write-CauctlProgress $ProgressPath 'Running' $results $rebootRequired ('installing ' + [string]$id)
        # The id must name a file below the root: no "..", no other drive.
        if (-not $file.StartsWith($rootFull + [System.IO.Path]::DirectorySeparatorChar, [StringComparison]::OrdinalIgnoreCase) -or -not (Test-Path -LiteralPath $file -PathType Leaf)) {
            $entry.resultCode = 'NotApplicable'
            $results += $entry
            continue
        }
        $rule = Get-CauctlExitClass $config $extension 0
        if ($null -eq $rule) {
            $entry.resultCode = 'NotApplicable'
            $results += $entry
            continue
        }
        $executable = [Environment]::ExpandEnvironmentVariables([string]$rule.template.GetAttribute('path'))
        $parameters = ([string]$rule.template.GetAttribute('parameters')).Replace('$update$', '"' + $file + '"')
        $exitCode = Invoke-CauctlInstaller $executable $parameters $timeout
        if ($null -eq $exitCode) {
            $entry.errorCode = '0x800705b4'
        } else {
            $class = Get-CauctlExitClass $config $extension ([int]$exitCode)
            $entry.resultCode = $class.resultCode
            $entry.rebootRequired = [bool]$class.rebootRequired
            $entry.errorCode = Format-CauctlCode ([long]$exitCode)
            if ($class.rebootRequired) { $rebootRequired = $true }
        }
        $results += $entry
    }
    return @{ results = $results; rebootRequired = $rebootRequired }
}

function Invoke-CauctlSetupMedia($Task, [string]$ProgressPath) {
    $results = @()
    if ([string]$Task.mode -ne 'Install') { return @{ results = $results; rebootRequired = $false } }
    $media = Get-CauctlTaskArgument $Task 'PathToSetupMedia' ''
    Write-CauctlProgress $ProgressPath 'Running' $results $false 'running setup'
    $exitCode = Invoke-CauctlInstaller (Join-Path $media 'setup.exe') '/auto upgrade /quiet /noreboot /dynamicupdate disable /compat ignorewarning' 600
    $ok = ($null -ne $exitCode -and [int]$exitCode -eq 0)
    $code = '0x800705b4'
    if ($null -ne $exitCode) { $code = Format-CauctlCode ([long]$exitCode) }
    $id = 'media'
    if (@($Task.updateIds).Count -gt 0) { $id = [string]@($Task.updateIds)[0] }
    $resultCode = 'Failed'
    if ($ok) { $resultCode = 'Succeeded' }
    $results += @{ updateId = $id; kb = ''; title = 'Feature update from setup media'; resultCode = $resultCode; errorCode = $code; rebootRequired = $ok }
    return @{ results = $results; rebootRequired = $ok }
}

$task = [System.IO.File]::ReadAllText($TaskFile) | ConvertFrom-Json
$progressPath = [string]$task.progressFile
try {
    if ([string]$task.plugin -eq 'Microsoft.HotfixPlugin') { $outcome = Invoke-CauctlHotfixes $task $progressPath }
    elseif ([string]$task.plugin -eq 'Microsoft.RollingUpgradePlugin' -and (Get-CauctlTaskArgument $task 'WuConnected' 'true') -ne 'true') { $outcome = Invoke-CauctlSetupMedia $task $progressPath }
    else { $outcome = Invoke-CauctlWindowsUpdate $task $progressPath }
    Write-CauctlProgress $progressPath 'Completed' $outcome.results $outcome.rebootRequired ([string]$task.mode + ' finished')
} catch {
    Write-CauctlProgress $progressPath 'Failed' @() $false ($_.Exception.Message)
    exit 1
}
'@

$baseDir = Join-Path $env:ProgramData 'cauctl'
$taskDir = Join-Path $baseDir $taskId
$taskName = 'cauctl-' + $taskId
$taskPath = '\cauctl\'
$progressFile = Join-Path $taskDir 'progress.json'

$existing = Get-ScheduledTask -TaskName $taskName -TaskPath $taskPath -ErrorAction SilentlyContinue
if ($null -ne $existing -or (Test-Path -LiteralPath $progressFile)) {
    return @{ taskId = $taskId; alreadyStarted = $true }
}

New-Item -ItemType Directory -Path $taskDir -Force | Out-Null
$workerFile = Join-Path $baseDir 'update-worker.ps1'
# With a BOM, Windows PowerShell 5.1 reads the file as UTF-8 rather than the ANSI code page.
[System.IO.File]::WriteAllText($workerFile, $WorkerScript, (New-Object System.Text.UTF8Encoding $true))
$taskFile = Join-Path $taskDir 'task.json'
$task = @{ plugin = $plugin; arguments = $arguments; mode = $mode; updateIds = @($updateIds); taskId = $taskId; progressFile = $progressFile }
[System.IO.File]::WriteAllText($taskFile, (ConvertTo-Json -InputObject $task -Depth 10), (New-Object System.Text.UTF8Encoding $false))
# Written before the task starts, so a wait that comes first sees Running rather than NotFound.
$queued = ConvertTo-Json -InputObject @{ state = 'Running'; results = @(); rebootRequired = $false; message = 'queued' } -Compress
[System.IO.File]::WriteAllText($progressFile, $queued, (New-Object System.Text.UTF8Encoding $false))

# A process command line, not script text: both paths are built from ProgramData and the validated taskId.
$argumentLine = '-NoProfile -NonInteractive -ExecutionPolicy Bypass -File "' + $workerFile + '" -TaskFile "' + $taskFile + '"'
$action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument $argumentLine
$principal = New-ScheduledTaskPrincipal -UserId 'SYSTEM' -LogonType ServiceAccount -RunLevel Highest
$settings = New-ScheduledTaskSettingsSet -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries -ExecutionTimeLimit (New-TimeSpan -Hours 12)
# No trigger: the task runs once, when started below.
Register-ScheduledTask -TaskName $taskName -TaskPath $taskPath -Action $action -Principal $principal -Settings $settings -Description 'cauctl one-shot update task' -Force | Out-Null
Start-ScheduledTask -TaskName $taskName -TaskPath $taskPath
@{ taskId = $taskId; alreadyStarted = $false }

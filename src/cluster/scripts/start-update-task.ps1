# start-update-task: starts the one-shot scheduled task (as SYSTEM) that downloads or installs updates on this
# node, because Windows Update refuses both from a remote logon. The task's folder under %ProgramData%\cauctl
# is private (SYSTEM and Administrators only, checked before use); the worker and its parameters are written
# there as new files; the task runs a fixed launcher with -EncodedCommand (no -File, which AllSigned blocks);
# progress goes to progress.json for wait-update-task, which removes the task once it has ended. Starting
# twice with the same taskId starts once; folders of earlier tasks that have ended are removed.
# A registered script plug-in's install.ps1 (pluginScript, data) runs in the same task (docs/plugins.md).
[CmdletBinding()]
param(
    # A built-in's name, or a registered script plug-in's (dotted letters and digits, as its manifest allows).
    [Parameter(Mandatory = $true)][ValidatePattern('^[A-Za-z][A-Za-z0-9]{0,31}(\.[A-Za-z][A-Za-z0-9]{0,31}){1,3}$')][string]$plugin,
    [Parameter(Mandatory = $true)][AllowEmptyCollection()][hashtable]$arguments,
    # PreInstall (run --pre-install): install on a node that still serves, no restart; Software updates of the
    # Windows Update plug-in only.
    [Parameter(Mandatory = $true)][ValidateSet('Download', 'Install', 'PreInstall')][string]$mode,
    [Parameter(Mandatory = $true)][AllowEmptyCollection()][string[]]$updateIds,
    # The pattern keeps the id safe in file and task names.
    [Parameter(Mandatory = $true)][ValidatePattern('^[A-Za-z0-9-]{1,80}$')][string]$taskId,
    # A script plug-in's install.ps1 text: written into task.json as data, never into the worker's text.
    [AllowNull()]$pluginScript = $null
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$scriptPlugin = @('Microsoft.WindowsUpdatePlugin', 'Microsoft.HotfixPlugin', 'Microsoft.RollingUpgradePlugin') -notcontains $plugin
if ($scriptPlugin -and ($null -eq $pluginScript -or [string]$pluginScript -eq '')) {
    throw (New-CauctlError 'SCRIPT_ERROR' ($plugin + ' is not a built-in plug-in, and no install.ps1 came with it: register it with cauctl register-plugin, then run again.') 'InvalidArgument' $plugin)
}
if ($mode -eq 'PreInstall' -and $plugin -ne 'Microsoft.WindowsUpdatePlugin') {
    throw (New-CauctlError 'PRE_INSTALL_REFUSED' ($plugin + ' cannot pre-install on ' + $env:COMPUTERNAME + ': only Microsoft.WindowsUpdatePlugin installs while the node serves; the rest waits for its maintenance window.') 'InvalidOperation' $plugin)
}

# The worker: single-quoted here-string, so nothing is ever interpolated into it. Windows PowerShell 5.1.
$WorkerScript = @'
# cauctl update worker: runs as SYSTEM from a one-shot scheduled task; reads task.json, downloads or installs,
# and keeps progress.json current (written whole, then renamed, so a reader never sees half a file).
# Install refuses to start when Windows Update says a restart must come first
# (IUpdateInstaller.RebootRequiredBeforeInstallation), and installs nothing when a download failed: the
# results say which update failed and why, and the coordinator restarts or retries.
param([Parameter(Mandatory = $true)][string]$TaskFile)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function New-CauctlUpdateSession { New-Object -ComObject 'Microsoft.Update.Session' }
function New-CauctlUpdateCollection { New-Object -ComObject 'Microsoft.Update.UpdateColl' }
function Invoke-CauctlInstaller([string]$FilePath, [string]$Arguments, [int]$TimeoutMinutes) {
    $process = Start-Process -FilePath $FilePath -ArgumentList $Arguments -PassThru -WindowStyle Hidden
    # Reading Handle right after the start keeps the process handle open; without it ExitCode can be $null
    # once the process has ended (a .NET quirk with Start-Process -PassThru).
    $null = $process.Handle
    if (-not $process.WaitForExit($TimeoutMinutes * 60000)) {
        try { $process.Kill() } catch { }
        return $null
    }
    # WaitForExit(ms) can return before redirected streams close; the parameterless call waits for them.
    $process.WaitForExit()
    return [int]$process.ExitCode
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

# OperationResultCode: 0 NotStarted, 1 InProgress, 2 Succeeded, 3 SucceededWithErrors, 4 Failed, 5 Aborted.
$resultNames = @{ 0 = 'Aborted'; 1 = 'Aborted'; 2 = 'Succeeded'; 3 = 'SucceededWithErrors'; 4 = 'Failed'; 5 = 'Aborted' }

function New-CauctlResult($Update, [string]$ResultCode, [long]$HResult, [bool]$RebootRequired) {
    $kbIds = @($Update.KBArticleIDs)
    $kb = ''
    if ($kbIds.Count -gt 0 -and $kbIds[0]) { $kb = 'KB' + [string]$kbIds[0] }
    @{ updateId = [string]$Update.Identity.UpdateID; kb = $kb; title = [string]$Update.Title; resultCode = $ResultCode; errorCode = (Format-CauctlCode $HResult); rebootRequired = $RebootRequired }
}

function Invoke-CauctlWindowsUpdate($Task, [string]$ProgressPath) {
    $preInstall = [string]$Task.mode -eq 'PreInstall'
    $install = [string]$Task.mode -eq 'Install' -or $preInstall
    $session = New-CauctlUpdateSession
    $session.ClientApplicationID = 'cauctl'
    Write-CauctlProgress $ProgressPath 'Running' @() $false 'searching'
    # Search broadly and pick by id: ids are never spliced into the criteria. Feature updates are offered as
    # optional installs, which a search without DeploymentAction='OptionalInstallation' does not return.
    $criteria = 'IsInstalled=0 and IsHidden=0'
    if ([string]$Task.plugin -eq 'Microsoft.RollingUpgradePlugin') { $criteria = "IsInstalled=0 and IsHidden=0 and DeploymentAction='OptionalInstallation'" }
    $found = @($session.CreateUpdateSearcher().Search($criteria).Updates)
    $wanted = @($Task.updateIds)
    $selected = @($found | Where-Object { $wanted -contains [string]$_.Identity.UpdateID })
    $results = @()
    foreach ($id in $wanted) {
        if (@($selected | Where-Object { [string]$_.Identity.UpdateID -eq $id }).Count -eq 0) {
            $results += @{ updateId = [string]$id; kb = ''; title = ''; resultCode = 'NotApplicable'; errorCode = '0x0'; rebootRequired = $false }
        }
    }
    if ($preInstall) {
        # On a serving node only Software (UpdateType 1) installs; a driver or firmware can reset a device, so
        # it is left for the maintenance window, reported NotStarted.
        foreach ($update in @($selected | Where-Object { [int]$_.Type -ne 1 })) { $results += New-CauctlResult $update 'NotStarted' 0 $false }
        $selected = @($selected | Where-Object { [int]$_.Type -eq 1 })
    }
    if ($selected.Count -eq 0) { return @{ state = 'Completed'; results = $results; rebootRequired = $false; message = [string]$Task.mode + ' finished' } }
    $collection = New-CauctlUpdateCollection
    foreach ($update in $selected) { [void]$collection.Add($update) }
    Write-CauctlProgress $ProgressPath 'Running' $results $false 'downloading'
    $downloader = $session.CreateUpdateDownloader()
    $downloader.Updates = $collection
    $download = $downloader.Download()
    # IUpdateDownloadResult has HResult and ResultCode only; whether a restart is needed is known after install.
    $downloaded = @()
    for ($i = 0; $i -lt $selected.Count; $i++) {
        $one = $download.GetUpdateResult($i)
        $downloaded += @{ update = $selected[$i]; code = [int]$one.ResultCode; hresult = [long]$one.HResult }
    }
    $failed = @($downloaded | Where-Object { $_.code -ne 2 -and $_.code -ne 3 })
    if (-not $install -or $failed.Count -gt 0) {
        foreach ($d in $downloaded) {
            $code = $resultNames[$d.code]
            # Nothing is installed when a download failed: the updates that did download are reported Aborted.
            if ($install -and ($d.code -eq 2 -or $d.code -eq 3)) { $code = 'Aborted' }
            $results += New-CauctlResult $d.update $code $d.hresult $false
        }
        $message = [string]$Task.mode + ' finished'
        if ($failed.Count -gt 0) { $message = 'Download failed for ' + $failed.Count + ' of ' + $selected.Count + ' updates; nothing was installed.' }
        if (-not $install -and $failed.Count -gt 0) { $message = 'Download failed for ' + $failed.Count + ' of ' + $selected.Count + ' updates.' }
        return @{ state = 'Completed'; results = $results; rebootRequired = $false; message = $message }
    }
    Write-CauctlProgress $ProgressPath 'Running' $results $false 'installing'
    $installer = $session.CreateUpdateInstaller()
    if ([bool]$installer.RebootRequiredBeforeInstallation) {
        # Windows Update's own gate: an earlier installation must finish with a restart before this one.
        return @{ state = 'Failed'; results = @(); rebootRequired = $true; message = 'REBOOT_PENDING: Windows Update needs a restart on ' + $env:COMPUTERNAME + ' before it installs more; restart the node, then install.' }
    }
    # No prompt for source media: nobody is there to answer it.
    $installer.AllowSourcePrompts = $false
    $installer.Updates = $collection
    $installation = $installer.Install()
    for ($i = 0; $i -lt $selected.Count; $i++) {
        $one = $installation.GetUpdateResult($i)
        $results += New-CauctlResult $selected[$i] $resultNames[[int]$one.ResultCode] ([long]$one.HResult) ([bool]$one.RebootRequired)
    }
    return @{ state = 'Completed'; results = $results; rebootRequired = [bool]$installation.RebootRequired; message = 'Install finished' }
}

# The value of attribute $Name on $Node, matched without regard to case ('code' or 'Code').
function Get-CauctlAttribute($Node, [string]$Name) {
    foreach ($attribute in @($Node.Attributes)) { if ($attribute.LocalName -ieq $Name) { return [string]$attribute.Value } }
    return ''
}

# The rule that installs the update at $Parts (its path below the hotfix root): a <FolderRules> <Folder> whose
# name is the folder the file sits in below CAUHotfix_All or the node's folder (<top>\<rule>\<file>), otherwise
# the <ExtensionRules> <Extension> of its extension (<top>\<file>); $null when none applies (CAU ignores files
# outside that structure). Elements are matched by local-name(): the file may carry a default namespace.
function Get-CauctlHotfixRule([xml]$Config, [string[]]$Parts, [string]$Extension) {
    if ($Parts.Count -eq 3) {
        foreach ($candidate in @($Config.SelectNodes("//*[local-name()='FolderRules']/*[local-name()='Folder']"))) {
            if ((Get-CauctlAttribute $candidate 'name') -ieq $Parts[1]) { return $candidate }
        }
        return $null
    }
    if ($Parts.Count -ne 2) { return $null }
    $rule = $null
    foreach ($candidate in @($Config.SelectNodes("//*[local-name()='DefaultRules']/*[local-name()='ExtensionRules']/*[local-name()='Extension']"))) {
        if ((Get-CauctlAttribute $candidate 'name') -ieq $Extension) { $rule = $candidate }
    }
    return $rule
}

# A <Folder alwaysReboot> rule: every Success code means success with a restart.
function Test-CauctlAlwaysReboot($Rule) {
    if ($Rule.LocalName -ne 'Folder') { return $false }
    foreach ($attribute in @($Rule.Attributes)) {
        if ($attribute.LocalName -ieq 'alwaysReboot') { return @('false', '0') -notcontains ([string]$attribute.Value).Trim().ToLowerInvariant() }
    }
    return $false
}

function Get-CauctlExitClass($Rule, [int]$ExitCode) {
    # cau-surface section 8: listed codes classify; any other code is a failure with no restart.
    $classes = [ordered]@{ 'Success' = @('Succeeded', (Test-CauctlAlwaysReboot $Rule)); 'Success_RebootRequired' = @('Succeeded', $true); 'Fail_RebootRequired' = @('Failed', $true); 'AlreadyInstalled' = @('AlreadyInstalled', $false); 'NotApplicable' = @('NotApplicable', $false) }
    foreach ($class in $classes.Keys) {
        foreach ($condition in @($Rule.SelectNodes("*[local-name()='ExitConditions']/*[local-name()='" + $class + "']/*[local-name()='ExitCode']"))) {
            $text = (Get-CauctlAttribute $condition 'code').Trim()
            if ($text -eq '') { continue }
            $value = if ($text -match '^0x') { [Convert]::ToInt32($text.Substring(2), 16) } else { [int]$text }
            if ($value -eq $ExitCode) { return @{ resultCode = $classes[$class][0]; rebootRequired = $classes[$class][1] } }
        }
    }
    return @{ resultCode = 'Failed'; rebootRequired = $false }
}

function Invoke-CauctlHotfixes($Task, [string]$ProgressPath) {
    $results = @()
    if ([string]$Task.mode -ne 'Install') { return @{ state = 'Completed'; results = $results; rebootRequired = $false; message = 'Download finished' } }
    $root = Get-CauctlTaskArgument $Task 'HotfixRootFolderPath' ''
    $configName = Get-CauctlTaskArgument $Task 'HotfixConfigFileName' 'DefaultHotfixConfig.xml'
    $timeout = [int](Get-CauctlTaskArgument $Task 'HotfixInstallerTimeoutMinutes' '30')
    [xml]$config = [System.IO.File]::ReadAllText((Join-Path $root $configName))
    $rootFull = [System.IO.Path]::GetFullPath($root).TrimEnd('\', '/')
    $rebootRequired = $false
    foreach ($id in @($Task.updateIds)) {
        # Ids use '\' (scan-updates builds them); split so the same id works with either separator.
        $parts = @(([string]$id -split '[\\/]') | Where-Object { $_ -ne '' })
        $file = $root
        foreach ($part in $parts) { $file = Join-Path $file $part }
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
        $rule = Get-CauctlHotfixRule $config $parts $extension
        $template = $null
        if ($null -ne $rule) { $template = $rule.SelectSingleNode("*[local-name()='Template']") }
        if ($null -eq $template) {
            $entry.resultCode = 'NotApplicable'
            $results += $entry
            continue
        }
        # $update$ names the update file: in path (a firmware .exe is its own installer) as a path, in the
        # parameters quoted.
        $executable = [Environment]::ExpandEnvironmentVariables((Get-CauctlAttribute $template 'path')).Replace('$update$', $file)
        $parameters = (Get-CauctlAttribute $template 'parameters').Replace('$update$', '"' + $file + '"')
        $exitCode = Invoke-CauctlInstaller $executable $parameters $timeout
        if ($null -eq $exitCode) {
            $entry.errorCode = '0x800705b4'
        } else {
            $class = Get-CauctlExitClass $rule ([int]$exitCode)
            $entry.resultCode = $class.resultCode
            $entry.rebootRequired = [bool]$class.rebootRequired
            $entry.errorCode = Format-CauctlCode ([long]$exitCode)
            if ($class.rebootRequired) { $rebootRequired = $true }
        }
        $results += $entry
    }
    return @{ state = 'Completed'; results = $results; rebootRequired = $rebootRequired; message = 'Install finished' }
}

# Windows Setup's documented command line for an unattended in-place upgrade (learn.microsoft.com,
# "Windows Setup Command-Line Options"): /Auto Upgrade keeps apps and data; /Quiet shows no UI, rollback
# included; /NoReboot leaves the restart to cauctl, which drains first; /EULA Accept; /DynamicUpdate Disable
# keeps the media as staged (no downloads mid-run); /Compat IgnoreWarning goes on past dismissible warnings
# only; /ImageIndex picks the edition when the media holds several (ImageIndex plug-in argument).
function Get-CauctlSetupArguments($Task) {
    $switches = '/Auto Upgrade /Quiet /NoReboot /EULA Accept /DynamicUpdate Disable /Compat IgnoreWarning'
    $index = Get-CauctlTaskArgument $Task 'ImageIndex' ''
    if ($index -ne '') {
        if ($index -notmatch '^[0-9]{1,3}$') { throw ('ImageIndex must be a number, not ''' + $index + '''.') }
        $switches += ' /ImageIndex ' + $index
    }
    $switches
}

# What setup.exe's exit codes mean for an upgrade run with /NoReboot (documented in "Resolve Windows upgrade
# errors": 0xC19002xx are the compatibility and eligibility blocks).
$setupCodes = @{
    '0xc1900208' = 'an incompatible app or driver blocks the upgrade'
    '0xc1900204' = 'the upgrade path from this edition is not available (check ImageIndex)'
    '0xc1900200' = 'this node is not eligible for the upgrade'
    '0xc190020e' = 'not enough free disk space for the upgrade'
    '0xc1900107' = 'a cleanup of an earlier upgrade attempt is pending; restart the node, then try again'
}

function Invoke-CauctlSetupMedia($Task, [string]$ProgressPath) {
    $results = @()
    if ([string]$Task.mode -ne 'Install') { return @{ state = 'Completed'; results = $results; rebootRequired = $false; message = 'Download finished' } }
    $media = Get-CauctlTaskArgument $Task 'PathToSetupMedia' ''
    Write-CauctlProgress $ProgressPath 'Running' $results $false 'running setup'
    $exitCode = Invoke-CauctlInstaller (Join-Path $media 'setup.exe') (Get-CauctlSetupArguments $Task) 600
    $ok = ($null -ne $exitCode -and [int]$exitCode -eq 0)
    $code = '0x800705b4'
    $message = 'Windows Setup did not finish within 600 minutes.'
    if ($null -ne $exitCode) {
        $code = Format-CauctlCode ([long]$exitCode)
        $message = 'Windows Setup exited with ' + $code
        if ($setupCodes.ContainsKey($code)) { $message += ': ' + $setupCodes[$code] }
        $message += '. Its logs are in C:\$WINDOWS.~BT\Sources\Panther on ' + $env:COMPUTERNAME + '.'
    }
    if ($ok) { $message = 'Windows Setup finished its first phase; the upgrade completes at the restart.' }
    $id = 'media'
    if (@($Task.updateIds).Count -gt 0) { $id = [string]@($Task.updateIds)[0] }
    $resultCode = 'Failed'
    if ($ok) { $resultCode = 'Succeeded' }
    $results += @{ updateId = $id; kb = ''; title = 'Feature update from setup media'; resultCode = $resultCode; errorCode = $code; rebootRequired = $ok }
    return @{ state = 'Completed'; results = $results; rebootRequired = $ok; message = $message }
}

# A registered script plug-in (docs/plugins.md): its install.ps1 came in task.json as data, with the node
# helpers that check its answer. It runs here, as SYSTEM, with -UpdateIds and the plug-in's arguments as named
# parameters; Download has nothing to do (a vendor tool fetches when it applies).
function Invoke-CauctlScriptPlugin($Task, [string]$ProgressPath) {
    if ([string]$Task.mode -ne 'Install') { return @{ state = 'Completed'; results = @(); rebootRequired = $false; message = 'Download finished' } }
    . ([scriptblock]::Create([string]$Task.helpers))
    $where = [string]$Task.plugin + ' install.ps1 on ' + $env:COMPUTERNAME
    $splat = ConvertTo-CauctlPluginSplat (ConvertTo-CauctlHashtable $Task.arguments)
    $ids = [string[]]@($Task.updateIds | ForEach-Object { [string]$_ })
    if ($ids.Count -eq 0) { return @{ state = 'Completed'; results = @(); rebootRequired = $false; message = 'Install finished' } }
    $splat['UpdateIds'] = $ids
    Write-CauctlProgress $ProgressPath 'Running' @() $false ('running ' + [string]$Task.plugin + ' install.ps1')
    try {
        $output = @(& ([scriptblock]::Create([string]$Task.pluginScript)) @splat)
    } catch {
        throw ($where + ' failed: ' + $_.Exception.Message)
    }
    return (ConvertTo-CauctlPluginOutcome $output $ids $where)
}

$task = [System.IO.File]::ReadAllText($TaskFile) | ConvertFrom-Json
$progressPath = [string]$task.progressFile
try {
    if ($null -ne $task.PSObject.Properties['pluginScript']) { $outcome = Invoke-CauctlScriptPlugin $task $progressPath }
    elseif ([string]$task.plugin -eq 'Microsoft.HotfixPlugin') { $outcome = Invoke-CauctlHotfixes $task $progressPath }
    elseif ([string]$task.plugin -eq 'Microsoft.RollingUpgradePlugin' -and (Get-CauctlTaskArgument $task 'WuConnected' 'true') -ne 'true') { $outcome = Invoke-CauctlSetupMedia $task $progressPath }
    else { $outcome = Invoke-CauctlWindowsUpdate $task $progressPath }
    Write-CauctlProgress $progressPath $outcome.state $outcome.results $outcome.rebootRequired $outcome.message
} catch {
    Write-CauctlProgress $progressPath 'Failed' @() $false ($_.Exception.Message)
    exit 1
}
'@

$taskName = 'cauctl-' + $taskId
$base = Join-Path $env:ProgramData 'cauctl'
$taskDir = Join-Path $base $taskId
$progressFile = Join-Path $taskDir 'progress.json'

$existing = Get-ScheduledTask -TaskName $taskName -TaskPath '\cauctl\' -ErrorAction SilentlyContinue
if ($null -ne $existing -or (Test-Path -LiteralPath $progressFile)) {
    [void](Confirm-CauctlPrivateFolder $taskDir)
    return @{ taskId = $taskId; alreadyStarted = $true }
}

[void](Confirm-CauctlPrivateFolder $base)
# Earlier tasks whose worker has ended (final state written, task gone) leave only their folder: remove it.
foreach ($folder in @(Get-ChildItem -LiteralPath $base -Directory)) {
    if ($folder.Name -eq $taskId) { continue }
    $oldProgress = Join-Path $folder.FullName 'progress.json'
    if (-not (Test-Path -LiteralPath $oldProgress -PathType Leaf)) { continue }
    $state = $null
    try { $state = [string]([System.IO.File]::ReadAllText($oldProgress) | ConvertFrom-Json).state } catch { $state = $null }
    $oldTask = Get-ScheduledTask -TaskName ('cauctl-' + $folder.Name) -TaskPath '\cauctl\' -ErrorAction SilentlyContinue
    if (($state -eq 'Completed' -or $state -eq 'Failed') -and $null -eq $oldTask) { Remove-Item -LiteralPath $folder.FullName -Recurse -Force }
}

$taskDir = New-CauctlTaskFolder $taskId
# With a BOM, Windows PowerShell 5.1 reads the file as UTF-8 rather than the ANSI code page.
Write-CauctlNewFile (Join-Path $taskDir 'worker.ps1') $WorkerScript $true
$task = @{ plugin = $plugin; arguments = $arguments; mode = $mode; updateIds = @($updateIds); taskId = $taskId; progressFile = $progressFile }
# A script plug-in's install.ps1 and the helpers that check its answer travel in task.json, as data.
if ($scriptPlugin) {
    $task.pluginScript = [string]$pluginScript
    $task.helpers = $CauctlHelpersText
}
Write-CauctlNewFile (Join-Path $taskDir 'task.json') (ConvertTo-Json -InputObject $task -Depth 10)
# Written before the task starts, so a wait that comes first sees Running rather than NotFound.
Write-CauctlNewFile $progressFile (ConvertTo-Json -InputObject @{ state = 'Running'; results = @(); rebootRequired = $false; message = 'queued' } -Compress)
Start-CauctlTask $taskName $taskDir $null 'cauctl one-shot update task'
@{ taskId = $taskId; alreadyStarted = $false }

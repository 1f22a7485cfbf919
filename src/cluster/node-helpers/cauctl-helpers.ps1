# cauctl node helpers: functions shared by the node-side scripts. The payload carries this text next to the
# script and the bootstrap loads it into the payload's scope (dot-sourced, so the script and Pester's mocks see
# the same commands); the update worker and the network-logon runner load it the same way. Fixed text: no value
# is ever spliced into it. Windows PowerShell 5.1, ASCII only. Defines functions (and keeps its own text, for
# the network-logon runner); running it does nothing else.

# This file's text, for a job that runs in a fresh logon (Invoke-CauctlNetworkLogon) and needs the helpers too.
$CauctlHelpersText = $MyInvocation.MyCommand.ScriptBlock.ToString()

function New-CauctlError([string]$Code, [string]$Message, [System.Management.Automation.ErrorCategory]$Category = 'NotSpecified', $Target = $null) {
    # The bootstrap reads the code from the FullyQualifiedErrorId ("CAUCTL:<CODE>").
    $exception = New-Object System.InvalidOperationException $Message
    New-Object System.Management.Automation.ErrorRecord $exception, ('CAUCTL:' + $Code), $Category, $Target
}

# ---------------------------------------------------------------------------------------------------------
# Reading what Windows reports: properties that an OS build may lack, CIM enum numbers, the storage view, the
# fault-domain tree, and this node's native CAU run. One copy here for every script that reads them.

# A property's value, or $Default when the object lacks it or it is null. StrictMode throws on a missing
# property, and older OS builds lack some (S2DEnabled, DrainStatus, IsCoreGroup, FaultDomainAwareness).
function Get-CauctlProperty($Object, [string]$Name, $Default) {
    $property = $Object.PSObject.Properties[$Name]
    if ($null -eq $property -or $null -eq $property.Value) { return $Default }
    return $property.Value
}

# A registry value, or $null when the key or the value is missing (never an error). A thin wrapper, so Pester
# gives the registry's answers.
function Get-CauctlRegistryValue([string]$Path, [string]$Name) {
    $item = Get-ItemProperty -LiteralPath $Path -Name $Name -ErrorAction SilentlyContinue
    if ($null -eq $item) { return $null }
    return $item.$Name
}

# Raw CIM values are numbers (MSFT_StorageJob.JobState, HealthStatus); the contract wants names.
function ConvertTo-CauctlEnumText($Value, [hashtable]$Names) {
    $text = [string]$Value
    if ($Names.ContainsKey($text)) { return $Names[$text] }
    return $text
}

# Storage as the coordinator's ready-for-the-next-node check reads it: the cluster's S2D flag, storage jobs,
# virtual disks and non-primordial pools, each with its health by name (get-storage-health, wait-storage-healthy).
function Get-CauctlStorageView {
    $jobStates = @{ '2' = 'New'; '3' = 'Starting'; '4' = 'Running'; '5' = 'Suspended'; '6' = 'ShuttingDown'; '7' = 'Completed'; '8' = 'Terminated'; '9' = 'Killed'; '10' = 'Exception'; '11' = 'Service'; '12' = 'QueryPending' }
    $healthNames = @{ '0' = 'Healthy'; '1' = 'Warning'; '2' = 'Unhealthy'; '5' = 'Unknown' }
    # OperationalStatus is an array (a disk can be "Degraded, InService"); the contract has one string.
    $operationalOf = { param($Object) (@(Get-CauctlProperty $Object 'OperationalStatus' @('Unknown')) | ForEach-Object { [string]$_ }) -join ', ' }
    $cluster = Get-Cluster
    $jobs = @()
    foreach ($job in @(Get-StorageJob)) {
        $jobs += @{
            name            = [string]$job.Name
            jobState        = ConvertTo-CauctlEnumText (Get-CauctlProperty $job 'JobState' 'Unknown') $jobStates
            bytesProcessed  = [double](Get-CauctlProperty $job 'BytesProcessed' 0)
            bytesTotal      = [double](Get-CauctlProperty $job 'BytesTotal' 0)
            percentComplete = [double](Get-CauctlProperty $job 'PercentComplete' 0)
        }
    }
    $virtualDisks = @()
    foreach ($disk in @(Get-VirtualDisk)) {
        $operational = & $operationalOf $disk
        $virtualDisks += @{
            friendlyName      = [string]$disk.FriendlyName
            healthStatus      = ConvertTo-CauctlEnumText (Get-CauctlProperty $disk 'HealthStatus' 'Unknown') $healthNames
            operationalStatus = $operational
            # A detached disk is offline to the cluster; any other state still serves I/O.
            isOnline          = ($operational -notmatch 'Detached')
        }
    }
    $pools = @()
    foreach ($pool in @(Get-StoragePool -IsPrimordial $false)) {
        $pools += @{
            friendlyName      = [string]$pool.FriendlyName
            healthStatus      = ConvertTo-CauctlEnumText (Get-CauctlProperty $pool 'HealthStatus' 'Unknown') $healthNames
            operationalStatus = & $operationalOf $pool
        }
    }
    @{ s2dEnabled = ([int](Get-CauctlProperty $cluster 'S2DEnabled' 0) -eq 1); jobs = $jobs; virtualDisks = $virtualDisks; pools = $pools }
}

# Get-ClusterFaultDomain's domains by name. PowerShell hashtables compare keys case-insensitively, as the
# cluster compares names.
function Get-CauctlFaultDomainsByName([object[]]$Domains) {
    $byName = @{}
    foreach ($domain in $Domains) { $byName[[string]$domain.Name] = $domain }
    return $byName
}

# The fault domains above $Name (Node < Chassis < Rack < Site), the nearest of each type by that type's name:
# @{ Chassis = 'C1'; Rack = 'R1'; Site = 'Redmond' }, a type absent when there is none above. The walk stops at
# the top, at a name the tree does not hold, or after eight steps.
function Get-CauctlFaultDomainsAbove([hashtable]$ByName, [string]$Name) {
    $above = @{}
    $current = $ByName[$Name]
    if ($null -eq $current) { return $above }
    $parent = [string](Get-CauctlProperty $current 'ParentName' '')
    for ($step = 0; $parent -ne '' -and $ByName.ContainsKey($parent) -and $step -lt 8; $step++) {
        $domain = $ByName[$parent]
        $type = [string](Get-CauctlProperty $domain 'Type' '')
        if ($type -ne '' -and -not $above.ContainsKey($type)) { $above[$type] = [string]$domain.Name }
        $parent = [string](Get-CauctlProperty $domain 'ParentName' '')
    }
    return $above
}

# Whether a CIM error says the CAU provider is not there (no CAU feature): invalid namespace or class. Any other
# failure (access denied above all) is not "no run".
function Test-CauctlProviderMissing($ErrorRecord) {
    $property = $ErrorRecord.Exception.PSObject.Properties['NativeErrorCode']
    if ($null -eq $property) { return $false }
    return @('InvalidNamespace', 'InvalidClass', 'NotFound') -contains [string]$property.Value
}

# This node's MSFT_CAURun (local CIM; a native Updating Run's coordinator keeps one per node while it runs):
# @{ orchestratorGuid = the run's id or $null; providerPresent = whether the CAU provider answered }. A node
# without the provider has no run; any other failure throws NATIVE_CAU_UNREADABLE, since "no run" cannot be
# told from "cannot see one".
function Get-CauctlNativeRun {
    try {
        $runs = @(Get-CimInstance -Namespace 'root/Microsoft/Windows/ClusterUpdate' -ClassName 'MSFT_CAURun')
    } catch {
        if (Test-CauctlProviderMissing $_) { return @{ orchestratorGuid = $null; providerPresent = $false } }
        throw (New-CauctlError 'NATIVE_CAU_UNREADABLE' ('Could not read MSFT_CAURun on ' + $env:COMPUTERNAME + ', so whether a native CAU Updating Run is in progress is unknown: ' + $_.Exception.Message + ' Run cauctl as a member of the local Administrators group of ' + $env:COMPUTERNAME + ', or check that the CIM namespace root/Microsoft/Windows/ClusterUpdate grants it access.') 'ReadError' 'MSFT_CAURun')
    }
    $guid = $null
    if ($runs.Count -gt 0) { $guid = [string](Get-CauctlProperty $runs[0] 'OrchestratorGuid' '') }
    return @{ orchestratorGuid = $guid; providerPresent = $true }
}

# Kernel Soft Reboot on this node, in CAU's SoftBootStatus words, for restart-node (which acts on it) and
# get-node-setup (which reports it, so scan can predict the restart): Bypassed (CauBypassSoftBootOnNode = True),
# Enabled (ksrcmd.exe is there: Azure Stack HCI 21H2 and later), NotInstalled (Windows Server has no KSR).
function Test-CauctlKernelSoftReboot {
    # Wrapped for Pester: this node has KSR's command (Azure Stack HCI 21H2 and later).
    Test-Path -LiteralPath (Join-Path $env:SystemRoot 'System32\ksrcmd.exe') -PathType Leaf
}

# The restart task's mark that KSR refused when the soft restart ran, and the node restarted fully instead: written
# by that task (SYSTEM) in the protected base folder on its fallback path only, cleared when the next soft restart
# is scheduled, read by get-node-status once the node is back.
function Get-CauctlSoftRestartMarkPath { Join-Path (Get-CauctlBaseFolder) 'soft-restart-fell-back' }

function Get-CauctlSoftBootStatus {
    $bypassKey = 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\ClusterAwareUpdating'
    if ([string](Get-CauctlRegistryValue $bypassKey 'CauBypassSoftBootOnNode') -eq 'True') { return 'Bypassed' }
    if (Test-CauctlKernelSoftReboot) { return 'Enabled' }
    return 'NotInstalled'
}

# ---------------------------------------------------------------------------------------------------------
# The CAU clustered role

# The role's cluster group: the owner group of the resource of type ClusterAwareUpdatingResource, or $null.
function Get-CauctlRoleGroup {
    $resource = @(Get-ClusterResource | Where-Object { [string]$_.ResourceType -eq 'ClusterAwareUpdatingResource' })
    if ($resource.Count -eq 0) { return $null }
    return [string]$resource[0].OwnerGroup
}

function Get-CauctlRoleStatus {
    $status = @(Get-CauClusterRole | Where-Object { [string]$_.Name -eq 'Status' })
    if ($status.Count -eq 0) { return 'Unknown' }
    return [string]$status[0].Value
}

# A cluster group's State by name (enums may serialise as numbers on 5.1); anything else is 'Unknown'.
function ConvertTo-CauctlGroupState([string]$Value) {
    foreach ($name in @('Online', 'Offline', 'Failed', 'PartialOnline', 'Pending')) { if ($Value -eq $name) { return $name } }
    return 'Unknown'
}

function Assert-CauctlRoleExists {
    $group = Get-CauctlRoleGroup
    if ($null -eq $group) {
        throw (New-CauctlError 'CAU_ROLE_NOT_FOUND' 'The current cluster is not configured with a Cluster-Aware Updating clustered role.' 'ObjectNotFound' $null)
    }
    return $group
}

# Add/Set-CauClusterRole's parameters, built from data. The schedule is always complete (one parameter set,
# every member), so CAU never falls back to its default schedule; only the run options given are passed.
function New-CauctlRoleSplat([hashtable]$Schedule, [hashtable]$Options) {
    $splat = @{}
    $splat.StartDate = [datetime]::ParseExact([string]$Schedule['startDate'], 'yyyy-MM-ddTHH:mm', [System.Globalization.CultureInfo]::InvariantCulture)
    switch ([string]$Schedule['kind']) {
        'MonthlyDayOfWeek' {
            $splat.DaysOfWeek = [int]$Schedule['daysOfWeek']
            $splat.WeeksOfMonth = [int[]]@($Schedule['weeksOfMonth'])
        }
        'Weekly' {
            $splat.DaysOfWeek = [int]$Schedule['daysOfWeek']
            $splat.IntervalWeeks = [int]$Schedule['intervalWeeks']
        }
        'Once' { $splat.RunOnce = $true }
        default { throw (New-CauctlError 'SCRIPT_ERROR' ("Unknown schedule kind '" + [string]$Schedule['kind'] + "'.") 'InvalidArgument' 'schedule') }
    }
    $switches = @('RequireAllNodesOnline', 'SeparateReboots', 'EnableFirewallRules', 'ForcePauseAndDrain', 'AttemptSoftReboot', 'RunPluginsSerially', 'StopOnPluginFailure', 'ForcePauseNoDrain', 'ForcePauseDrainAndReboot', 'SkipUpdateChecks')
    $integers = @('MaxFailedNodes', 'MaxRetriesPerNode', 'RebootTimeoutMinutes', 'SuspendClusterNodeTimeoutMinutes', 'WaitForStorageRepairTimeoutMinutes', 'SuspendRetriesPerNode')
    $strings = @('PreUpdateScript', 'PostUpdateScript', 'ConfigurationName', 'FailbackMode', 'RebootMode')
    $lists = @('CauPluginName', 'NodeOrder', 'SiteAwareUpdatingOrder')
    $spans = @('WarnAfter', 'StopAfter')
    foreach ($name in @($Options.Keys)) {
        $value = $Options[$name]
        if ($switches -contains $name) { if ($value -eq $true) { $splat[$name] = $true } }
        elseif ($integers -contains $name) { $splat[$name] = [int]$value }
        elseif ($strings -contains $name) { $splat[$name] = [string]$value }
        elseif ($lists -contains $name) { $splat[$name] = [string[]]@($value) }
        elseif ($spans -contains $name) { $splat[$name] = [timespan]::Parse([string]$value, [System.Globalization.CultureInfo]::InvariantCulture) }
        elseif ($name -eq 'CauPluginArguments') { $splat[$name] = [hashtable[]]@($value) }
        else { throw (New-CauctlError 'SCRIPT_ERROR' ("Unknown run option '" + $name + "'.") 'InvalidArgument' $name) }
    }
    $splat
}

# ---------------------------------------------------------------------------------------------------------
# Private folders for task files under %ProgramData%\cauctl. ProgramData lets ordinary users create folders
# and files that they then own, so a folder that a SYSTEM (or admin) task reads from must carry a protected
# DACL granting SYSTEM and Administrators only, and is checked before every use; files in it are only ever
# created new, never written into.

$script:CauctlTrustedSids = @('S-1-5-18', 'S-1-5-32-544')

function Get-CauctlBaseFolder { Join-Path $env:ProgramData 'cauctl' }

# Owner, protection and access rules of a folder as SIDs. A thin wrapper over Get-Acl so tests can give views.
function Get-CauctlFolderSecurity([string]$Path) {
    $acl = Get-Acl -LiteralPath $Path
    $rules = @()
    foreach ($rule in $acl.GetAccessRules($true, $true, [System.Security.Principal.SecurityIdentifier])) {
        $rules += @{ sid = $rule.IdentityReference.Value; allow = ([string]$rule.AccessControlType -eq 'Allow') }
    }
    $owner = $acl.GetOwner([System.Security.Principal.SecurityIdentifier]).Value
    return @{ ownerSid = $owner; isProtected = [bool]$acl.AreAccessRulesProtected; rules = $rules }
}

# Creates $Path with a protected DACL (full control to SYSTEM and Administrators, inherited by what is created
# inside) and Administrators as owner, in one call, so there is no moment with ProgramData's inherited ACL.
function New-CauctlProtectedDirectory([string]$Path) {
    $security = New-Object System.Security.AccessControl.DirectorySecurity
    $security.SetAccessRuleProtection($true, $false)
    $inherit = [System.Security.AccessControl.InheritanceFlags]'ContainerInherit, ObjectInherit'
    foreach ($sid in $script:CauctlTrustedSids) {
        $identity = New-Object System.Security.Principal.SecurityIdentifier $sid
        $rule = New-Object System.Security.AccessControl.FileSystemAccessRule $identity, 'FullControl', $inherit, 'None', 'Allow'
        $security.AddAccessRule($rule)
    }
    $security.SetOwner((New-Object System.Security.Principal.SecurityIdentifier 'S-1-5-32-544'))
    [void][System.IO.Directory]::CreateDirectory($Path, $security)
}

# Why a folder's security is not SYSTEM-and-Administrators-only, or $null when it is.
function Get-CauctlFolderSecurityProblem($Security) {
    if ($script:CauctlTrustedSids -notcontains [string]$Security.ownerSid) { return ('its owner is ' + [string]$Security.ownerSid + ', not SYSTEM or Administrators') }
    if (-not $Security.isProtected) { return 'it inherits its permissions from its parent' }
    foreach ($rule in @($Security.rules)) {
        if ($rule.allow -and $script:CauctlTrustedSids -notcontains [string]$rule.sid) { return ('it grants access to ' + [string]$rule.sid) }
    }
    return $null
}

# The folder, created protected when missing; refused when it exists with another owner or DACL.
function Confirm-CauctlPrivateFolder([string]$Path) {
    if (-not (Test-Path -LiteralPath $Path -PathType Container)) { New-CauctlProtectedDirectory $Path }
    $problem = Get-CauctlFolderSecurityProblem (Get-CauctlFolderSecurity $Path)
    if ($null -ne $problem) {
        throw (New-CauctlError 'UNSAFE_FOLDER' ('cauctl will not use ' + $Path + ' on ' + $env:COMPUTERNAME + ': ' + $problem + '. Another account may have created it to plant files that a SYSTEM task would run. Check what it holds, delete the folder, and run the command again: cauctl creates it with access for SYSTEM and Administrators only.') 'SecurityError' $Path)
    }
    return $Path
}

# A task's own folder below the protected base folder.
function New-CauctlTaskFolder([string]$Name) {
    $base = Confirm-CauctlPrivateFolder (Get-CauctlBaseFolder)
    return (Confirm-CauctlPrivateFolder (Join-Path $base $Name))
}

# Writes a file that must not exist yet (FileMode.CreateNew): never into a file someone else put there.
function Write-CauctlNewFile([string]$Path, [string]$Text, [bool]$ByteOrderMark = $false) {
    $stream = New-Object System.IO.FileStream $Path, ([System.IO.FileMode]::CreateNew), ([System.IO.FileAccess]::Write), ([System.IO.FileShare]::None)
    try {
        $bytes = (New-Object System.Text.UTF8Encoding $ByteOrderMark).GetBytes($Text)
        if ($ByteOrderMark) { $stream.Write([byte[]](0xEF, 0xBB, 0xBF), 0, 3) }
        $stream.Write($bytes, 0, $bytes.Length)
    } finally {
        $stream.Dispose()
    }
}

# ---------------------------------------------------------------------------------------------------------
# One-shot scheduled tasks. The action runs a fixed launcher passed with -EncodedCommand (a Group Policy
# AllSigned execution policy blocks -File with an unsigned script) in the task's folder as working
# directory; the launcher runs worker.ps1 from there with -TaskFile task.json. No value is in the command line.

$script:CauctlLauncher = '$ErrorActionPreference = ''Stop''; $d = (Get-Location).ProviderPath; & ([scriptblock]::Create([System.IO.File]::ReadAllText([System.IO.Path]::Combine($d, ''worker.ps1'')))) -TaskFile ([System.IO.Path]::Combine($d, ''task.json''))'

function Get-CauctlLauncherArgument {
    '-NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ' + [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($script:CauctlLauncher))
}

# Registers and starts the task \cauctl\<Name> running the launcher in $Folder. $Credential (userName and
# password) makes it a Password logon as that account, which has network credentials; without it the task
# runs as SYSTEM. The password goes to the Task Scheduler only, never to a file or a command line.
function Start-CauctlTask([string]$Name, [string]$Folder, $Credential, [string]$Description) {
    $action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument (Get-CauctlLauncherArgument) -WorkingDirectory $Folder
    $settings = New-ScheduledTaskSettingsSet -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries -ExecutionTimeLimit (New-TimeSpan -Hours 12)
    # No trigger: the task runs once, when started below.
    if ($null -eq $Credential) {
        $principal = New-ScheduledTaskPrincipal -UserId 'SYSTEM' -LogonType ServiceAccount -RunLevel Highest
        Register-ScheduledTask -TaskName $Name -TaskPath '\cauctl\' -Action $action -Principal $principal -Settings $settings -Description $Description -Force | Out-Null
    } else {
        Register-ScheduledTask -TaskName $Name -TaskPath '\cauctl\' -Action $action -Settings $settings -Description $Description -User ([string]$Credential.userName) -Password ([string]$Credential.password) -RunLevel Highest -Force | Out-Null
    }
    Start-ScheduledTask -TaskName $Name -TaskPath '\cauctl\'
}

function Remove-CauctlTask([string]$Name) {
    Unregister-ScheduledTask -TaskName $Name -TaskPath '\cauctl\' -Confirm:$false -ErrorAction SilentlyContinue
}

function Get-CauctlMonotonicSeconds {
    # Wrapped so tests can drive time; a Stopwatch timestamp ignores wall-clock changes.
    [System.Diagnostics.Stopwatch]::GetTimestamp() / [double][System.Diagnostics.Stopwatch]::Frequency
}

# A JSON value (ConvertFrom-Json's PSCustomObjects and arrays) as hashtables and arrays, for splatting.
function ConvertTo-CauctlHashtable($Value) {
    if ($Value -is [System.Management.Automation.PSCustomObject]) {
        $table = @{}
        foreach ($p in $Value.PSObject.Properties) { $table[$p.Name] = ConvertTo-CauctlHashtable $p.Value }
        return $table
    }
    if ($Value -is [System.Array]) {
        $list = New-Object System.Collections.ArrayList
        foreach ($item in $Value) { [void]$list.Add((ConvertTo-CauctlHashtable $item)) }
        return , $list.ToArray()
    }
    return $Value
}

# ---------------------------------------------------------------------------------------------------------
# The second hop. A WinRM session that logged on with NTLM, or Kerberos without delegation, holds no network
# credentials: whatever it does on another machine is denied, or silently sees nothing. Actions that must
# reach other machines (Test-Cluster, the *-CauClusterRole cmdlets, a script on a share) run in a fresh logon
# that has them: a one-shot task registered for the admin account with its password (logon type Password),
# when cauctl holds the password (the transport passes it as the networkCredential parameter, data only).
# Without one they run in the session, which works where Kerberos delegation is set up; a denial then fails
# with NETWORK_CREDENTIAL_REQUIRED, naming both remedies, and never passes for "nothing found".

# Whether an error is an access denial (UnauthorizedAccessException, E_ACCESSDENIED, or Win32 error 5).
function Test-CauctlAccessDenied($ErrorRecord) {
    $exception = $ErrorRecord
    if ($ErrorRecord -is [System.Management.Automation.ErrorRecord]) { $exception = $ErrorRecord.Exception }
    while ($null -ne $exception) {
        if ($exception -is [System.UnauthorizedAccessException]) { return $true }
        if ($exception.HResult -eq -2147024891) { return $true }
        if ($exception -is [System.ComponentModel.Win32Exception] -and $exception.NativeErrorCode -eq 5) { return $true }
        $exception = $exception.InnerException
    }
    return $false
}

function New-CauctlCredentialRequiredError([string]$Action) {
    New-CauctlError 'NETWORK_CREDENTIAL_REQUIRED' ($Action + ' on ' + $env:COMPUTERNAME + ' must reach other machines, and this session has no network credentials to do it with (a WinRM logon with NTLM, or Kerberos without delegation, cannot pass them on). Give cauctl your password (--password-file, or CAUCTL_PASSWORD with --username) so it runs this step as a one-off scheduled task under your account, or configure Kerberos constrained delegation from ' + $env:COMPUTERNAME + ' to the machines it reaches.') 'PermissionDenied' $Action
}

# The runner a network-logon task starts (through the launcher): runs task.json's script with its parameters
# and the helpers, and writes result.json (whole, then renamed).
$CauctlLogonRunnerScript = @'
param([Parameter(Mandatory = $true)][string]$TaskFile)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$folder = Split-Path -Parent $TaskFile
try {
    $job = [System.IO.File]::ReadAllText($TaskFile) | ConvertFrom-Json
    . ([scriptblock]::Create([string]$job.helpers))
    $parameters = ConvertTo-CauctlHashtable $job.parameters
    if ($null -eq $parameters) { $parameters = @{} }
    $output = @(& ([scriptblock]::Create([string]$job.script)) @parameters)
    $data = $null
    if ($output.Count -eq 1) { $data = $output[0] } elseif ($output.Count -gt 1) { $data = $output }
    $answer = @{ ok = $true; data = $data }
} catch {
    $code = 'SCRIPT_ERROR'
    if ($_.FullyQualifiedErrorId -match '^CAUCTL:([A-Z][A-Z0-9_]*)') { $code = $Matches[1] }
    $answer = @{ ok = $false; code = $code; message = $_.Exception.Message }
}
$json = ConvertTo-Json -InputObject $answer -Depth 20 -Compress
$temporary = Join-Path $folder 'result.json.tmp'
[System.IO.File]::WriteAllText($temporary, $json, (New-Object System.Text.UTF8Encoding $false))
Move-Item -LiteralPath $temporary -Destination (Join-Path $folder 'result.json') -Force
'@

# Runs $Script (fixed text) with $Parameters in a fresh logon as the account in $Credential, waits for its
# result up to $TimeoutSeconds, and returns it; the task and its folder are removed whatever happens.
function Invoke-CauctlNetworkLogon($Credential, [string]$Action, [string]$Script, [hashtable]$Parameters, [int]$TimeoutSeconds) {
    $name = 'logon-' + [guid]::NewGuid().ToString('N')
    $taskName = 'cauctl-' + $name
    $folder = New-CauctlTaskFolder $name
    try {
        Write-CauctlNewFile (Join-Path $folder 'worker.ps1') $CauctlLogonRunnerScript $true
        Write-CauctlNewFile (Join-Path $folder 'task.json') (ConvertTo-Json -InputObject @{ script = $Script; parameters = $Parameters; helpers = $CauctlHelpersText } -Depth 20)
        Start-CauctlTask $taskName $folder $Credential ('cauctl: ' + $Action + ' with network credentials')
        $resultFile = Join-Path $folder 'result.json'
        $start = Get-CauctlMonotonicSeconds
        while (-not (Test-Path -LiteralPath $resultFile -PathType Leaf)) {
            $task = Get-ScheduledTask -TaskName $taskName -TaskPath '\cauctl\' -ErrorAction SilentlyContinue
            if ($null -ne $task -and @('Running', 'Queued') -notcontains [string]$task.State) {
                $last = [long](Get-ScheduledTaskInfo -TaskName $taskName -TaskPath '\cauctl\').LastTaskResult
                # 0x41303 (SCHED_S_TASK_HAS_NOT_RUN): started but not picked up yet.
                if ($last -ne 267011 -and -not (Test-Path -LiteralPath $resultFile -PathType Leaf)) {
                    $hex = '0x' + ($last -band [int64]4294967295).ToString('x8')
                    throw (New-CauctlError 'NETWORK_LOGON_FAILED' ($Action + ' on ' + $env:COMPUTERNAME + ': the scheduled task that runs it under ' + [string]$Credential.userName + ' ended without a result (last result ' + $hex + '). 0x8007052e means the password was refused; 0x80070569 means the account lacks "Log on as a batch job" on this node.') 'AuthenticationError' $Action)
                }
            }
            if ((Get-CauctlMonotonicSeconds) - $start -ge $TimeoutSeconds) {
                throw (New-CauctlError 'NETWORK_LOGON_TIMEOUT' ($Action + ' on ' + $env:COMPUTERNAME + ' did not finish within ' + $TimeoutSeconds + ' seconds in its scheduled task; it was stopped.') 'OperationTimeout' $Action)
            }
            Start-Sleep -Seconds 2
        }
        $answer = [System.IO.File]::ReadAllText($resultFile) | ConvertFrom-Json
        if (-not [bool]$answer.ok) { throw (New-CauctlError ([string]$answer.code) ([string]$answer.message) 'NotSpecified' $Action) }
        return (ConvertTo-CauctlHashtable $answer.data)
    } finally {
        Remove-CauctlTask $taskName
        Remove-Item -LiteralPath $folder -Recurse -Force -ErrorAction SilentlyContinue
    }
}

# Runs $Script with network credentials: in a fresh logon when $Credential is given, otherwise in this
# session, where an access denial becomes NETWORK_CREDENTIAL_REQUIRED.
function Invoke-CauctlWithNetworkCredential($Credential, [string]$Action, [string]$Script, [hashtable]$Parameters, [int]$TimeoutSeconds) {
    if ($null -ne $Credential) { return (Invoke-CauctlNetworkLogon $Credential $Action $Script $Parameters $TimeoutSeconds) }
    try {
        return (& ([scriptblock]::Create($Script)) @Parameters)
    } catch {
        if (Test-CauctlAccessDenied $_) { throw (New-CauctlCredentialRequiredError $Action) }
        throw
    }
}

# ---------------------------------------------------------------------------------------------------------
# Script plug-ins (docs/plugins.md). A registered plug-in's scan.ps1 or install.ps1 arrives as data (the
# pluginScript parameter), runs as a script block with the plug-in's arguments splatted by name, and must
# answer with one hashtable. What it answers is checked here, field by field, so a vendor's mistake is named
# (plug-in, script, node, field) instead of reaching cauctl as a schema error. Used by scan-updates and, through
# task.json, by the update worker that runs install.ps1 in the SYSTEM task.

# A member of a hashtable or an object by name, or $null when it has none (StrictMode-safe).
function Get-CauctlPluginMember($Object, [string]$Name) {
    if ($Object -is [System.Collections.IDictionary]) {
        foreach ($key in @($Object.Keys)) { if ([string]$key -ieq $Name) { return , $Object[$key] } }
        return $null
    }
    if ($null -ne $Object -and $null -ne $Object.PSObject.Properties[$Name]) { return , $Object.PSObject.Properties[$Name].Value }
    return $null
}

function New-CauctlPluginOutputError([string]$Where, [string]$Problem) {
    New-CauctlError 'PLUGIN_OUTPUT_INVALID' ($Where + ' returned ' + $Problem + '. A plug-in script returns one hashtable as docs/plugins.md describes; fix the plug-in and register it again.') 'InvalidResult' $Where
}

# The one hashtable a plug-in script answered with: nothing else may reach its output (a stray line from a
# vendor CLI would otherwise be taken for the answer).
function Get-CauctlPluginAnswer($Output, [string]$Where) {
    $items = @($Output)
    if ($items.Count -ne 1) { throw (New-CauctlPluginOutputError $Where ([string]$items.Count + ' objects; its output must be exactly one hashtable (send anything else to Out-Null)')) }
    $answer = $items[0]
    if ($null -eq $answer) { throw (New-CauctlPluginOutputError $Where '$null; its output must be exactly one hashtable') }
    if (-not ($answer -is [System.Collections.IDictionary] -or $answer -is [System.Management.Automation.PSCustomObject])) {
        throw (New-CauctlPluginOutputError $Where ('a ' + $answer.GetType().Name + ', not a hashtable'))
    }
    return $answer
}

# A list member ($null or missing: empty) as an array of entries.
function Get-CauctlPluginList($Answer, [string]$Name, [string]$Where) {
    $value = Get-CauctlPluginMember $Answer $Name
    if ($null -eq $value) { throw (New-CauctlPluginOutputError $Where ('no ''' + $Name + ''' list')) }
    return , @($value)
}

# A string field of entry $At: present, a string, and not empty unless $AllowEmpty.
function Get-CauctlPluginText($Entry, [string]$Name, [string]$Where, [string]$At, [bool]$AllowEmpty) {
    $value = Get-CauctlPluginMember $Entry $Name
    if (-not ($value -is [string])) { throw (New-CauctlPluginOutputError $Where ($At + '.' + $Name + ' missing or not a string')) }
    if (-not $AllowEmpty -and $value -eq '') { throw (New-CauctlPluginOutputError $Where ($At + '.' + $Name + ' empty')) }
    return $value
}

function Get-CauctlPluginFlag($Entry, [string]$Name, [string]$Where, [string]$At) {
    $value = Get-CauctlPluginMember $Entry $Name
    if (-not ($value -is [bool])) { throw (New-CauctlPluginOutputError $Where ($At + '.' + $Name + ' missing or not $true/$false')) }
    return $value
}

# scan.ps1's answer as update records: @{ updates = @( @{ updateId; title; kb; rebootRequired } ) }.
function ConvertTo-CauctlPluginUpdates($Output, [string]$Where) {
    $answer = Get-CauctlPluginAnswer $Output $Where
    $updates = @()
    $i = 0
    foreach ($entry in (Get-CauctlPluginList $answer 'updates' $Where)) {
        $at = 'updates[' + $i + ']'
        $updates += @{
            updateId       = (Get-CauctlPluginText $entry 'updateId' $Where $at $false)
            title          = (Get-CauctlPluginText $entry 'title' $Where $at $false)
            kb             = (Get-CauctlPluginText $entry 'kb' $Where $at $true)
            rebootRequired = (Get-CauctlPluginFlag $entry 'rebootRequired' $Where $at)
        }
        $i++
    }
    return , $updates
}

# install.ps1's answer as the update task's outcome: one result per id asked for (an id it left out is Failed,
# a result for an id it was not asked to install is refused), and whether a restart is needed.
function ConvertTo-CauctlPluginOutcome($Output, [string[]]$UpdateIds, [string]$Where) {
    $answer = Get-CauctlPluginAnswer $Output $Where
    $codes = @('Succeeded', 'SucceededWithErrors', 'Failed', 'Aborted', 'AlreadyInstalled', 'NotApplicable')
    $byId = @{}
    $i = 0
    foreach ($entry in (Get-CauctlPluginList $answer 'results' $Where)) {
        $at = 'results[' + $i + ']'
        $id = Get-CauctlPluginText $entry 'updateId' $Where $at $false
        if ($UpdateIds -notcontains $id) { throw (New-CauctlPluginOutputError $Where ($at + '.updateId ''' + $id + ''', which it was not asked to install')) }
        $resultCode = Get-CauctlPluginText $entry 'resultCode' $Where $at $false
        if ($codes -notcontains $resultCode) { throw (New-CauctlPluginOutputError $Where ($at + '.resultCode ''' + $resultCode + ''', not one of ' + ($codes -join ', '))) }
        $errorCode = Get-CauctlPluginText $entry 'errorCode' $Where $at $false
        if ($errorCode -notmatch '^0x[0-9A-Fa-f]{1,8}$') { throw (New-CauctlPluginOutputError $Where ($at + '.errorCode ''' + $errorCode + ''', not hex text such as 0x0 or 0x80070643')) }
        $byId[$id] = @{ updateId = $id; kb = (Get-CauctlPluginText $entry 'kb' $Where $at $true); title = (Get-CauctlPluginText $entry 'title' $Where $at $true); resultCode = $resultCode; errorCode = $errorCode; rebootRequired = (Get-CauctlPluginFlag $entry 'rebootRequired' $Where $at) }
        $i++
    }
    $restart = Get-CauctlPluginMember $answer 'rebootRequired'
    if (-not ($restart -is [bool])) { throw (New-CauctlPluginOutputError $Where 'rebootRequired missing or not $true/$false') }
    $results = @()
    $missing = @()
    foreach ($id in $UpdateIds) {
        if ($byId.ContainsKey($id)) { $results += $byId[$id]; continue }
        $missing += $id
        $results += @{ updateId = $id; kb = ''; title = $id; resultCode = 'Failed'; errorCode = '0x80004005'; rebootRequired = $false }
    }
    foreach ($r in $results) { if ($r.rebootRequired -and @('Succeeded', 'SucceededWithErrors') -contains $r.resultCode) { $restart = $true } }
    $message = 'Install finished'
    if ($missing.Count -gt 0) { $message = $Where + ' returned no result for ' + ($missing -join ', ') + '; counted as Failed.' }
    return @{ state = 'Completed'; results = $results; rebootRequired = [bool]$restart; message = $message }
}

# The plug-in's arguments as named parameters: every value a string, as CAU's hashtables carry them.
function ConvertTo-CauctlPluginSplat($Arguments) {
    $splat = @{}
    if ($null -eq $Arguments) { return $splat }
    foreach ($key in @($Arguments.Keys)) { $splat[[string]$key] = [string]$Arguments[$key] }
    return $splat
}

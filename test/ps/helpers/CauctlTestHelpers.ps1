# Shared Pester helpers, the one place for them: stub definitions for every Windows-only cmdlet the scripts
# call (so Mock has something to replace on Linux), running a node-side script through the real bootstrap with
# the node helpers the payload carries, and saving its JSON for the Node-side schema check. Dot-source from
# BeforeAll: that also puts the test under Set-StrictMode -Version Latest, so a script or a fake that reads a
# member Windows does not have fails here as it would on a node (test/ps/strictness.Tests.ps1 checks that every
# test file does). Test-only; nothing here is shipped.

Set-StrictMode -Version Latest

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../../..')).Path
$script:ScriptsDir = Join-Path $script:RepoRoot 'src/cluster/scripts'
$script:BootstrapPath = Join-Path $script:RepoRoot 'src/transport/bootstrap.ps1'
$script:NodeHelpersPath = Join-Path $script:RepoRoot 'src/cluster/node-helpers/cauctl-helpers.ps1'
$script:JsonOutDir = Join-Path $script:RepoRoot 'test-artifacts/ps-json'

# Parameter lists mirror the real cmdlets' names, so -ParameterFilter reads like production calls.
$stubs = [ordered]@{
    # get-node-capacity: Hyper-V's assigned devices and GPU partitions, and its own Get-Command wrapper.
    'Get-VMAssignableDevice'       = 'param($VMName, $VM, $ComputerName)'
    'Get-VMGpuPartitionAdapter'    = 'param($VMName, $VM, $ComputerName)'
    'Test-CauctlCommand'           = 'param([string]$Name)'
    'Get-Cluster'                  = 'param($Name, $Domain, $InputObject)'
    'Get-ClusterNode'              = 'param($Name, $InputObject, $Cluster)'
    'Get-ClusterGroup'             = 'param($Name, $InputObject, $Cluster, $VMId)'
    'Get-ClusterQuorum'            = 'param($InputObject, $Cluster)'
    'Get-ClusterFaultDomain'       = 'param($Name, $Type, $Id, $CimSession)'
    'Suspend-ClusterNode'          = 'param($Name, [switch]$Drain, [switch]$ForceDrain, [switch]$Wait, $TargetNode, $InputObject, $Cluster)'
    'Resume-ClusterNode'           = 'param($Name, $Failback, $InputObject, $Cluster)'
    'Get-ClusterParameter'         = 'param($Name, $InputObject, $Cluster)'
    'Set-ClusterParameter'         = 'param($Name, $Value, [switch]$Create, [switch]$Delete, $InputObject, $Multiple, $Cluster)'
    'Get-StorageJob'               = 'param($Name, $JobState, $StoragePool, $VirtualDisk, $CimSession)'
    'Get-VirtualDisk'              = 'param($FriendlyName, $CimSession)'
    'Get-StoragePool'              = 'param($FriendlyName, $IsPrimordial, $CimSession)'
    'Get-WindowsFeature'           = 'param($Name, $ComputerName)'
    'Install-WindowsFeature'       = 'param($Name, [switch]$IncludeManagementTools, [switch]$Restart)'
    'Get-NetFirewallRule'          = 'param($Name, $Group, $DisplayGroup, $Enabled)'
    'Set-NetFirewallRule'          = 'param($Name, $Group, $DisplayGroup, $Profile, $Enabled)'
    'Disable-WSManCredSSP'         = 'param($Role)'
    'Get-CimInstance'              = 'param($ClassName, $Namespace, $Filter, $Query, $ComputerName)'
    'Get-Service'                  = 'param($Name, $DisplayName, $ComputerName)'
    'Get-ScheduledTask'            = 'param($TaskName, $TaskPath)'
    'Get-ScheduledTaskInfo'        = 'param($TaskName, $TaskPath, $InputObject)'
    'Get-Acl'                      = 'param($Path, $LiteralPath)'
    'Register-ScheduledTask'       = 'param($TaskName, $TaskPath, $Action, $Principal, $Settings, $Trigger, $Description, $User, $Password, $RunLevel, [switch]$Force)'
    'Start-ScheduledTask'          = 'param($TaskName, $TaskPath)'
    'New-ScheduledTaskAction'      = 'param($Execute, $Argument, $WorkingDirectory)'
    'New-ScheduledTaskTrigger'     = 'param([switch]$Once, $At, [switch]$AtStartup, [switch]$AtLogOn, $RandomDelay)'
    'New-ScheduledTaskPrincipal'   = 'param($UserId, $LogonType, $RunLevel)'
    'New-ScheduledTaskSettingsSet' = 'param([switch]$AllowStartIfOnBatteries, [switch]$DontStopIfGoingOnBatteries, $ExecutionTimeLimit, [switch]$StartWhenAvailable)'
    'Get-CauPlugin'                = 'param($Name)'
    'Get-PSSessionConfiguration'   = 'param($Name)'
    'Unregister-ScheduledTask'     = 'param($TaskName, $TaskPath, [switch]$Confirm)'
    'Set-Service'                  = 'param($Name, $StartupType, $Status)'
    'Start-Service'                = 'param($Name, $InputObject)'
    'Stop-Service'                 = 'param($Name, $InputObject, [switch]$Force, [switch]$NoWait)'
    'Stop-Cluster'                 = 'param($Cluster, [switch]$Force, $Wait)'
    'Start-Cluster'                = 'param($Name, [switch]$IgnorePersistentState, $Wait)'
    'Get-ClusterResource'          = 'param($Name, $InputObject, $Cluster)'
    'Get-ClusterSharedVolume'      = 'param($Name, $InputObject, $Cluster)'
    'Stop-ClusterResource'         = 'param($Name, $InputObject, $Cluster, $Wait)'
    'Start-ClusterResource'        = 'param($Name, $InputObject, $Cluster, $Wait)'
    'Get-ClusterOwnerNode'         = 'param($Group, $Resource, $InputObject, $Cluster)'
    'Stop-ClusterGroup'            = 'param($Name, [switch]$IgnoreLocked, $Wait, $InputObject, $Cluster)'
    'Start-ClusterGroup'           = 'param($Name, [switch]$IgnoreLocked, [switch]$ChooseBestNode, $Wait, $InputObject, $Cluster)'
    # The CAU clustered-role cmdlets: parameter lists mirror the real cmdlets' names and types, so values are
    # converted as on a node.
    'Get-CauClusterRole'           = 'param($ClusterName, $Credential)'
    'Add-CauClusterRole'           = 'param($ClusterName, $Credential, [string]$VirtualComputerObjectName, [string]$GroupName, [datetime]$StartDate, [int]$DaysOfWeek, [int[]]$WeeksOfMonth, [int]$IntervalWeeks, [switch]$RunOnce, [string[]]$CauPluginName, [hashtable[]]$CauPluginArguments, [int]$MaxFailedNodes, [int]$MaxRetriesPerNode, [string[]]$NodeOrder, [string]$PreUpdateScript, [string]$PostUpdateScript, [string]$ConfigurationName, [switch]$RequireAllNodesOnline, [timespan]$WarnAfter, [timespan]$StopAfter, [int]$RebootTimeoutMinutes, [switch]$SeparateReboots, [switch]$EnableFirewallRules, [string]$FailbackMode, [int]$SuspendClusterNodeTimeoutMinutes, [int]$WaitForStorageRepairTimeoutMinutes, [switch]$ForcePauseAndDrain, [switch]$AttemptSoftReboot, [switch]$RunPluginsSerially, [switch]$StopOnPluginFailure, [switch]$ForcePauseNoDrain, [switch]$ForcePauseDrainAndReboot, [switch]$SkipUpdateChecks, [string[]]$SiteAwareUpdatingOrder, [string]$RebootMode, [int]$SuspendRetriesPerNode, [switch]$Force)'
    'Set-CauClusterRole'           = 'param($ClusterName, $Credential, [datetime]$StartDate, [int]$DaysOfWeek, [int[]]$WeeksOfMonth, [int]$IntervalWeeks, [switch]$RunOnce, [switch]$UpdateNow, [switch]$UseDefault, [string[]]$CauPluginName, [hashtable[]]$CauPluginArguments, [int]$MaxFailedNodes, [int]$MaxRetriesPerNode, [string[]]$NodeOrder, [string]$PreUpdateScript, [string]$PostUpdateScript, [string]$ConfigurationName, [switch]$RequireAllNodesOnline, [timespan]$WarnAfter, [timespan]$StopAfter, [int]$RebootTimeoutMinutes, [switch]$SeparateReboots, [switch]$EnableFirewallRules, [string]$FailbackMode, [int]$SuspendClusterNodeTimeoutMinutes, [int]$WaitForStorageRepairTimeoutMinutes, [switch]$ForcePauseAndDrain, [switch]$AttemptSoftReboot, [switch]$RunPluginsSerially, [switch]$StopOnPluginFailure, [switch]$ForcePauseNoDrain, [switch]$ForcePauseDrainAndReboot, [switch]$SkipUpdateChecks, [string[]]$SiteAwareUpdatingOrder, [string]$RebootMode, [int]$SuspendRetriesPerNode, [switch]$Force)'
    'Enable-CauClusterRole'        = 'param($ClusterName, $Credential, [switch]$Force)'
    'Disable-CauClusterRole'       = 'param($ClusterName, $Credential, [switch]$Force)'
    'Remove-CauClusterRole'        = 'param($ClusterName, $Credential, [switch]$Force)'
    # Feature updates: Hyper-V, Storage Replica, validation, functional level.
    'Set-WSManQuickConfig'           = 'param([switch]$Force, [switch]$UseSSL, [switch]$SkipNetworkProfileCheck)'
    'Enable-PSRemoting'              = 'param([switch]$Force, [switch]$SkipNetworkProfileCheck)'
    'Test-Cluster'                   = 'param($Node, $Include, $Ignore, $ReportName, [switch]$List, [switch]$Force, $Cluster)'
    'Update-ClusterFunctionalLevel'  = 'param([switch]$Force, [switch]$WhatIf, $Cluster, $InputObject)'
    'Update-StoragePool'             = 'param($FriendlyName, $UniqueId, $Name, $InputObject, [switch]$PassThru, $Confirm)'
    'Get-VMHostSupportedVersion'     = 'param([switch]$Default, $ComputerName)'
    'Get-VM'                         = 'param($Name, $ComputerName, $Id)'
    'Stop-VM'                        = 'param($Name, [switch]$Force, [switch]$TurnOff, [switch]$Save, $ComputerName)'
    'Start-VM'                       = 'param($Name, $ComputerName)'
    'Update-VMVersion'               = 'param($Name, $VM, [switch]$Force, [switch]$Passthru, $ComputerName)'
    'Move-ClusterVirtualMachineRole' = 'param($Name, $Node, $MigrationType, $Cluster, $InputObject, $VMId)'
    'Get-SRGroup'                    = 'param($Name, $ComputerName)'
    # The scripts' own thin wrappers: defined by each script when it runs, but Mock needs them to exist first.
    'Get-CauctlMonotonicSeconds'     = 'param()'
    'Get-CauctlRegistryValue'        = 'param([string]$Path, [string]$Name)'
    'Test-CauctlRegistryKey'         = 'param([string]$Path)'
    'Test-CauctlPSRemoting'          = 'param()'
    'Invoke-CauctlNetshWinHttpProxy' = 'param()'
    'Get-CauctlUpdateServiceIds'     = 'param()'
    'Invoke-CauctlUpdateSearch'      = 'param([string]$Criteria)'
    'Invoke-CauctlShutdown'          = 'param([string[]]$ArgumentList)'
    'Test-CauctlKernelSoftReboot'    = 'param()'
    'New-CauctlUpdateSession'        = 'param()'
    'New-CauctlUpdateCollection'     = 'param()'
    'Invoke-CauctlInstaller'         = 'param([string]$FilePath, [string]$Arguments, [int]$TimeoutMinutes)'
    'Get-CauctlIanaTimeZone'         = 'param([string]$WindowsId)'
    'Get-CauctlRunningServices'      = 'param()'
    # The node helpers' wrappers over Windows-only security APIs (cauctl-helpers.ps1).
    'Get-CauctlFolderSecurity'       = 'param([string]$Path)'
    'New-CauctlProtectedDirectory'   = 'param([string]$Path)'
}
foreach ($name in $stubs.Keys) {
    if (-not (Get-Command $name -ErrorAction SilentlyContinue)) {
        $body = $stubs[$name] + " throw ('stub {0} called without a Mock' -f '" + $name + "')"
        Set-Item -Path ('function:global:' + $name) -Value ([scriptblock]::Create($body))
    }
}

function Get-CauctlNodeHelpersText {
    [System.IO.File]::ReadAllText($script:NodeHelpersPath)
}

function Get-CauctlScriptText([string]$Operation) {
    [System.IO.File]::ReadAllText((Join-Path $script:ScriptsDir ($Operation + '.ps1')))
}

# Runs a catalogue script the way a node does: the real bootstrap in argument mode, the params as JSON and the
# node helpers beside the script, as buildInvocation sends them. Pester's mocks are aliases in the caller's
# scope, so they reach the script block the bootstrap creates and the helpers it loads.
function Invoke-ViaBootstrap([string]$Operation, [hashtable]$Params = @{}, [string]$ScriptText) {
    if (-not $ScriptText) { $ScriptText = Get-CauctlScriptText $Operation }
    $payload = ConvertTo-Json -InputObject @{ script = $ScriptText; params = $Params; helpers = (Get-CauctlNodeHelpersText) } -Depth 20 -Compress
    $line = & $script:BootstrapPath -PayloadText $payload
    $start = $line.LastIndexOf('<<<CAUCTL-RESULT>>>')
    $end = $line.LastIndexOf('<<<CAUCTL-END>>>')
    if ($start -lt 0 -or $end -lt $start) { throw "no result line from the bootstrap: $line" }
    $json = $line.Substring($start + 19, $end - $start - 19)
    [pscustomobject]@{ Json = $json; Outcome = ($json | ConvertFrom-Json -DateKind String) }
}

# Writes the bootstrap's JSON for a successful run, for the jest test that checks it with the zod schema.
function Save-OperationJson([string]$Operation, $Result, [string]$Case = '') {
    if (-not (Test-Path $script:JsonOutDir)) { New-Item -ItemType Directory -Path $script:JsonOutDir -Force | Out-Null }
    $file = if ($Case) { "$Operation.$Case.json" } else { "$Operation.json" }
    [System.IO.File]::WriteAllText((Join-Path $script:JsonOutDir $file), $Result.Json)
}

# A Task Scheduler that runs what it is given: Start-ScheduledTask runs the registered task's launcher target
# (worker.ps1 -TaskFile task.json in its working directory) in this process, as the task's account would, so
# the network-logon path runs end to end. ProgramData moves to a fresh TestDrive folder; what was registered
# is in $global:CauctlTaskScheduler. Call from BeforeEach.
function Set-CauctlTaskSchedulerFake {
    $env:ProgramData = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $env:ProgramData | Out-Null
    $global:CauctlTaskScheduler = @{ registered = @{}; history = New-Object System.Collections.ArrayList }
    Mock New-ScheduledTaskAction { [pscustomobject]@{ Execute = $Execute; Arguments = $Argument; WorkingDirectory = $WorkingDirectory } }
    Mock New-ScheduledTaskPrincipal { [pscustomobject]@{ UserId = $UserId; LogonType = $LogonType; RunLevel = $RunLevel } }
    Mock New-ScheduledTaskSettingsSet { [pscustomobject]@{} }
    Mock Register-ScheduledTask {
        $entry = @{ name = $TaskName; folder = $Action.WorkingDirectory; user = $User; password = $Password; system = ($null -ne $Principal) }
        $global:CauctlTaskScheduler.registered[$TaskName] = $entry
        [void]$global:CauctlTaskScheduler.history.Add($entry)
    }
    Mock Start-ScheduledTask {
        $task = $global:CauctlTaskScheduler.registered[$TaskName]
        Push-Location -LiteralPath $task.folder
        try { & (Join-Path $task.folder 'worker.ps1') -TaskFile (Join-Path $task.folder 'task.json') } finally { Pop-Location }
    }
    Mock Get-ScheduledTask { if ($global:CauctlTaskScheduler.registered.ContainsKey($TaskName)) { [pscustomobject]@{ TaskName = $TaskName; State = 'Ready' } } }
    Mock Get-ScheduledTaskInfo { [pscustomobject]@{ LastTaskResult = 0 } }
    Mock Unregister-ScheduledTask { $global:CauctlTaskScheduler.registered.Remove($TaskName) }
    Mock New-CauctlProtectedDirectory { New-Item -ItemType Directory -Path $Path | Out-Null }
    Mock Get-CauctlFolderSecurity { @{ ownerSid = 'S-1-5-32-544'; isProtected = $true; rules = @(@{ sid = 'S-1-5-18'; allow = $true }, @{ sid = 'S-1-5-32-544'; allow = $true }) } }
}

# The network credential the transport attaches when cauctl holds the password (test values).
function New-CauctlTestCredential { @{ userName = 'CONTOSO\admin'; password = "pa'ss `$(w0rd)" } }

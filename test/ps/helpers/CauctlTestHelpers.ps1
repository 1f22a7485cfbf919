# Shared Pester helpers: stub definitions for Windows-only cmdlets (so Mock has something to replace on Linux),
# running a node-side script through the real bootstrap, and saving its JSON for the Node-side schema check.
# Dot-source from BeforeAll. Test-only; nothing here is shipped.

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../../..')).Path
$script:ScriptsDir = Join-Path $script:RepoRoot 'src/cluster/scripts'
$script:BootstrapPath = Join-Path $script:RepoRoot 'src/transport/bootstrap.ps1'
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
    'Register-ScheduledTask'       = 'param($TaskName, $TaskPath, $Action, $Principal, $Settings, $Trigger, $Description, [switch]$Force)'
    'Start-ScheduledTask'          = 'param($TaskName, $TaskPath)'
    'New-ScheduledTaskAction'      = 'param($Execute, $Argument, $WorkingDirectory)'
    'New-ScheduledTaskPrincipal'   = 'param($UserId, $LogonType, $RunLevel)'
    'New-ScheduledTaskSettingsSet' = 'param([switch]$AllowStartIfOnBatteries, [switch]$DontStopIfGoingOnBatteries, $ExecutionTimeLimit, [switch]$StartWhenAvailable)'
    'Get-CauPlugin'                = 'param($Name)'
    'Get-PSSessionConfiguration'   = 'param($Name)'
    # The scripts' own thin wrappers: defined by each script when it runs, but Mock needs them to exist first.
    'Get-CauctlMonotonicSeconds'     = 'param()'
    'Get-CauctlRegistryValue'        = 'param([string]$Path, [string]$Name)'
    'Test-CauctlRegistryKey'         = 'param([string]$Path)'
    'Test-CauctlPSRemoting'          = 'param()'
    'Invoke-CauctlNetshWinHttpProxy' = 'param()'
    'Get-CauctlUpdateServiceIds'     = 'param()'
    'Invoke-CauctlUpdateSearch'      = 'param([string]$Criteria)'
    'Invoke-CauctlShutdown'          = 'param([string[]]$ArgumentList)'
    'New-CauctlUpdateSession'        = 'param()'
    'New-CauctlUpdateCollection'     = 'param()'
    'Invoke-CauctlInstaller'         = 'param([string]$FilePath, [string]$Arguments, [int]$TimeoutMinutes)'
}
foreach ($name in $stubs.Keys) {
    if (-not (Get-Command $name -ErrorAction SilentlyContinue)) {
        $body = $stubs[$name] + " throw ('stub {0} called without a Mock' -f '" + $name + "')"
        Set-Item -Path ('function:global:' + $name) -Value ([scriptblock]::Create($body))
    }
}

function Get-CauctlScriptText([string]$Operation) {
    [System.IO.File]::ReadAllText((Join-Path $script:ScriptsDir ($Operation + '.ps1')))
}

# Runs a catalogue script the way a node does: the real bootstrap in argument mode, the params as JSON.
# Pester's mocks are aliases in the caller's scope, so they reach the script block the bootstrap creates.
function Invoke-ViaBootstrap([string]$Operation, [hashtable]$Params = @{}, [string]$ScriptText) {
    if (-not $ScriptText) { $ScriptText = Get-CauctlScriptText $Operation }
    $payload = ConvertTo-Json -InputObject @{ script = $ScriptText; params = $Params } -Depth 20 -Compress
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

# set-cau-role: changes the CAU clustered role (Set-CauClusterRole -Force). The caller always sends the whole
# schedule, because any Set-CauClusterRole call without one writes CAU's default third-Tuesday schedule (a
# known Azure Local problem); run options not given are left as they are. CAU_ROLE_NOT_FOUND without a role.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][hashtable]$schedule,
    [Parameter(Mandatory = $true)][AllowEmptyCollection()][hashtable]$options
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function New-CauctlError([string]$Code, [string]$Message, [System.Management.Automation.ErrorCategory]$Category, $Target) {
    # The bootstrap reads the code from the FullyQualifiedErrorId ("CAUCTL:<CODE>").
    $exception = New-Object System.InvalidOperationException $Message
    New-Object System.Management.Automation.ErrorRecord $exception, ('CAUCTL:' + $Code), $Category, $Target
}

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

# The cmdlet's parameters, built from data. The schedule is always complete (one parameter set, every member),
# so CAU never falls back to its default schedule; only the run options the caller gave are passed.
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
    $switches = @('RequireAllNodesOnline', 'SeparateReboots', 'EnableFirewallRules', 'ForcePauseAndDrain', 'AttemptSoftReboot', 'RunPluginsSerially', 'StopOnPluginFailure')
    $integers = @('MaxFailedNodes', 'MaxRetriesPerNode', 'RebootTimeoutMinutes', 'SuspendClusterNodeTimeoutMinutes', 'WaitForStorageRepairTimeoutMinutes')
    $strings = @('PreUpdateScript', 'PostUpdateScript', 'ConfigurationName', 'FailbackMode')
    $lists = @('CauPluginName', 'NodeOrder')
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

$group = Get-CauctlRoleGroup
if ($null -eq $group) {
    throw (New-CauctlError 'CAU_ROLE_NOT_FOUND' 'The current cluster is not configured with a Cluster-Aware Updating clustered role.' 'ObjectNotFound' $null)
}
$splat = New-CauctlRoleSplat $schedule $options
Set-CauClusterRole @splat -Force | Out-Null
@{ groupName = $group; status = (Get-CauctlRoleStatus) }

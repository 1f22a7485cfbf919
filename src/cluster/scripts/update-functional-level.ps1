# update-functional-level: Update-ClusterFunctionalLevel. The feasibility test (-WhatIf) always comes first;
# with whatIf the script stops there. Otherwise the level is raised with -Force (it is irreversible; the
# coordinator has asked for confirmation). An infeasible raise is a result (feasible false), not an error.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][bool]$whatIf
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$before = [int](Get-Cluster).ClusterFunctionalLevel
try {
    Update-ClusterFunctionalLevel -WhatIf | Out-Null
} catch [System.Management.Automation.CommandNotFoundException] {
    throw
} catch {
    return @{ functionalLevel = $before; feasible = $false; updated = $false; pending = $null; message = $_.Exception.Message }
}
if ($whatIf) {
    # The node cannot tell whether a raise would change anything; only the raise itself shows it.
    return @{ functionalLevel = $before; feasible = $true; updated = $false; pending = $null; message = 'The feasibility test passed.' }
}
Update-ClusterFunctionalLevel -Force | Out-Null
$after = [int](Get-Cluster).ClusterFunctionalLevel
$message = if ($after -gt $before) { 'Raised the functional level from ' + $before + ' to ' + $after + '.' } else { 'The functional level is already current.' }
@{ functionalLevel = $after; feasible = $true; updated = ($after -ne $before); pending = $false; message = $message }

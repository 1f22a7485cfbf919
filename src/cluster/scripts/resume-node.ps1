# resume-node: brings a paused node back (Resume-ClusterNode -Failback <mode>) and returns its state.
# Resuming a node that is already Up does nothing, so a retried call is harmless.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$name,
    [Parameter(Mandatory = $true)][ValidateSet('Immediate', 'Policy', 'NoFailback')][string]$failback
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Get-CauctlNodeState([string]$NodeName) {
    $state = [string](Get-ClusterNode -Name $NodeName).State
    if (@('Up', 'Down', 'Paused', 'Joining') -notcontains $state) { $state = 'Unknown' }
    $state
}

if ((Get-CauctlNodeState $name) -eq 'Paused') {
    Resume-ClusterNode -Name $name -Failback $failback | Out-Null
}
@{ state = (Get-CauctlNodeState $name) }

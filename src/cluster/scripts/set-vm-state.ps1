# set-vm-state: stops (Stop-VM: a guest shutdown, no prompt) or starts (Start-VM) one VM on this host. A VM
# already in the wanted state is left alone and reported with changed false.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$name,
    [Parameter(Mandatory = $true)][ValidateSet('Off', 'Running')][string]$state
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$vm = Get-VM -Name $name
if ([string]$vm.State -eq $state) { return @{ name = [string]$vm.Name; state = $state; changed = $false } }
if ($state -eq 'Off') {
    Stop-VM -Name $name -Force
} else {
    Start-VM -Name $name
}
$now = [string](Get-VM -Name $name).State
if (@('Running', 'Off', 'Saved', 'Paused') -notcontains $now) { $now = 'Other' }
@{ name = [string]$vm.Name; state = $now; changed = $true }

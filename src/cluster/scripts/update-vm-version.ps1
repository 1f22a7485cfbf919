# update-vm-version: Update-VMVersion -Force on one VM of this host, which must be off (the cmdlet refuses a
# running VM; the coordinator stops it first when asked). Returns the configuration version before and after.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$name
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$vm = Get-VM -Name $name
if ([string]$vm.State -ne 'Off') {
    $exception = New-Object System.InvalidOperationException ('The virtual machine ' + $name + ' must be turned off before its version is updated (it is ' + [string]$vm.State + ').')
    throw (New-Object System.Management.Automation.ErrorRecord $exception, 'CAUCTL:VM_RUNNING', 'InvalidOperation', $name)
}
$before = [string]$vm.Version
Update-VMVersion -Name $name -Force
$after = [string](Get-VM -Name $name).Version
@{ name = [string]$vm.Name; versionBefore = $before; versionAfter = $after; updated = ($after -ne $before) }

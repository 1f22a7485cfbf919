# move-vm: live-migrates one clustered VM to a node (Move-ClusterVirtualMachineRole -MigrationType Live) and
# returns its owner and state afterwards. A failed migration is MIGRATION_FAILED.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$name,
    [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$node
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

try {
    Move-ClusterVirtualMachineRole -Name $name -Node $node -MigrationType Live | Out-Null
} catch [System.Management.Automation.CommandNotFoundException] {
    throw
} catch {
    $exception = New-Object System.InvalidOperationException ('Live migration of ' + $name + ' to ' + $node + ' failed: ' + $_.Exception.Message)
    throw (New-Object System.Management.Automation.ErrorRecord $exception, 'CAUCTL:MIGRATION_FAILED', 'InvalidOperation', $name)
}
$group = Get-ClusterGroup -Name $name
@{ name = [string]$group.Name; ownerNode = [string]$group.OwnerNode; state = [string]$group.State }

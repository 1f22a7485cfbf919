# update-storage-pool: Update-StoragePool on one non-primordial pool, without the prompt (the coordinator has
# asked for confirmation), and the pool's version before and after. A pool already at the newest version is
# left as it is and reported with updated false.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$friendlyName
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$pool = Get-StoragePool -FriendlyName $friendlyName -IsPrimordial $false
$before = [string]$pool.Version
Update-StoragePool -FriendlyName $friendlyName -Confirm:$false | Out-Null
$after = [string](Get-StoragePool -FriendlyName $friendlyName -IsPrimordial $false).Version
@{ friendlyName = [string]$pool.FriendlyName; versionBefore = $before; versionAfter = $after; updated = ($after -ne $before) }

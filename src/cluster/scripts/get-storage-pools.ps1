# get-storage-pools: the non-primordial storage pools (the ones Update-StoragePool applies to) with their
# version text and health. Whether a newer version exists is not exposed by the pool, so upgradeAvailable is
# null; the update step compares the version before and after instead.
[CmdletBinding()]
param()
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$pools = @(Get-StoragePool -IsPrimordial $false | ForEach-Object {
        @{
            friendlyName     = [string]$_.FriendlyName
            version          = [string]$_.Version
            healthStatus     = [string]$_.HealthStatus
            upgradeAvailable = $null
        }
    })
@{ pools = $pools }

# get-storage-replica: whether Storage Replica is in use here (the feature installed and at least one
# replication group), and the groups' names. After a feature update every node then needs a second restart.
[CmdletBinding()]
param()
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$feature = Get-WindowsFeature -Name 'Storage-Replica'
if ($null -eq $feature -or -not [bool]$feature.Installed) { return @{ present = $false; groups = @() } }
$groups = @(Get-SRGroup | ForEach-Object { [string]$_.Name })
@{ present = ($groups.Count -gt 0); groups = $groups }

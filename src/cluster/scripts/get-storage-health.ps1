# get-storage-health: storage jobs, virtual disks and non-primordial pools with their health, as the
# coordinator's "ready for the next node" check reads them. Returns one hashtable.
[CmdletBinding()]
param()
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# The view is the node helpers' Get-CauctlStorageView, which wait-storage-healthy polls.
Get-CauctlStorageView

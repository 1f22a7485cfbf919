# get-cluster-property: one private property of the cluster object (Get-ClusterParameter), as a string, or
# null when it does not exist. Used for the coordinator's lock. Returns one hashtable.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$name
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$cluster = Get-Cluster
# Listing all parameters and filtering avoids Get-ClusterParameter -Name's error for a missing property,
# which would be indistinguishable from a real failure.
$match = @(Get-ClusterParameter -InputObject $cluster | Where-Object { [string]$_.Name -eq $name })
$value = $null
if ($match.Count -gt 0 -and $null -ne $match[0].Value) { $value = [string]$match[0].Value }
@{ value = $value }

# get-cau-role: the CAU clustered role as Get-CauClusterRole gives it (Name/Value pairs), with its cluster group
# and possible owners, plus this node's time zone, which the role's schedule is read in. role is null when the
# cluster has no CAU role (no resource of type ClusterAwareUpdatingResource). Returns one hashtable.
[CmdletBinding()]
param()
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$invariant = [System.Globalization.CultureInfo]::InvariantCulture

function Get-CauctlIanaTimeZone([string]$WindowsId) {
    # .NET 6+ converts Windows ids itself; Windows PowerShell 5.1 (.NET Framework) cannot, and cauctl maps the id.
    if (-not ([System.TimeZoneInfo] | Get-Member -Static -Name 'TryConvertWindowsIdToIanaId')) { return $null }
    $iana = $null
    if ([System.TimeZoneInfo]::TryConvertWindowsIdToIanaId($WindowsId, [ref]$iana)) { return $iana }
    return $null
}

function ConvertTo-CauctlRoleValue($Value) {
    # Values become JSON the catalogue's schema reads: a StartDate as the node's wall time (it has no zone),
    # TimeSpans in .NET's invariant form, flag enums (DaysOfWeek) as their number, other enums by name.
    if ($null -eq $Value) { return $null }
    if ($Value -is [datetime]) { return $Value.ToString('yyyy-MM-ddTHH:mm', $invariant) }
    if ($Value -is [timespan]) { return $Value.ToString('c', $invariant) }
    if ($Value -is [System.Management.Automation.SwitchParameter]) { return [bool]$Value }
    if ($Value -is [enum]) {
        if ($Value.GetType().GetCustomAttributes([System.FlagsAttribute], $false).Count -gt 0) { return [long]$Value }
        return $Value.ToString()
    }
    if ($Value -is [string] -or $Value -is [bool] -or $Value -is [int] -or $Value -is [long] -or $Value -is [double]) { return $Value }
    if ($Value -is [System.Collections.IDictionary]) {
        $table = @{}
        foreach ($key in $Value.Keys) { $table[[string]$key] = [string]$Value[$key] }
        return $table
    }
    if ($Value -is [System.Collections.IEnumerable]) {
        $list = New-Object System.Collections.ArrayList
        foreach ($item in $Value) { [void]$list.Add((ConvertTo-CauctlRoleValue $item)) }
        return , $list.ToArray()
    }
    return [string]$Value
}

$zone = Get-TimeZone
$result = @{ timeZoneId = [string]$zone.Id; ianaTimeZone = (Get-CauctlIanaTimeZone ([string]$zone.Id)); role = $null }

# Looking for the resource avoids Get-CauClusterRole's error for a missing role, which would be
# indistinguishable from a real failure.
$resource = @(Get-ClusterResource | Where-Object { [string]$_.ResourceType -eq 'ClusterAwareUpdatingResource' })
if ($resource.Count -eq 0) { return $result }

$groupName = [string]$resource[0].OwnerGroup
$owners = @()
$ownerInfo = @(Get-ClusterOwnerNode -Group $groupName)
if ($ownerInfo.Count -gt 0 -and $ownerInfo[0].PSObject.Properties['OwnerNodes']) { $owners = @($ownerInfo[0].OwnerNodes | ForEach-Object { [string]$_.Name }) }
# An empty owner list means every node may own the group.
if ($owners.Count -eq 0) { $owners = @(Get-ClusterNode | ForEach-Object { [string]$_.Name }) }

$parameters = New-Object System.Collections.ArrayList
foreach ($pair in @(Get-CauClusterRole)) {
    [void]$parameters.Add(@{ name = [string]$pair.Name; value = (ConvertTo-CauctlRoleValue $pair.Value) })
}
$result.role = @{ groupName = $groupName; possibleOwners = $owners; parameters = $parameters.ToArray() }
$result

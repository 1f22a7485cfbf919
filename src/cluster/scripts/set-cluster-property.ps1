# set-cluster-property: writes (or with value null, deletes) a private property of the cluster object; with
# `expected` present, only when the current value equals it (compare-and-set). Returns applied and the
# value read back after the write.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string]$name,
    # Untyped on purpose: [string] would turn JSON null into '' and lose "delete" and "expect absent".
    [Parameter(Mandatory = $true)][AllowNull()][AllowEmptyString()]$value,
    [AllowNull()][AllowEmptyString()]$expected
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

foreach ($argument in @(@{ n = 'value'; v = $value }, @{ n = 'expected'; v = $expected })) {
    if ($null -ne $argument.v -and -not ($argument.v -is [string])) {
        $exception = New-Object System.ArgumentException ("Parameter '" + $argument.n + "' must be a string or null.")
        throw (New-Object System.Management.Automation.ErrorRecord $exception, 'CAUCTL:SCRIPT_ERROR', 'InvalidArgument', $argument.n)
    }
}

function Get-CauctlClusterProperty($Cluster, [string]$PropertyName) {
    $match = @(Get-ClusterParameter -InputObject $Cluster | Where-Object { [string]$_.Name -eq $PropertyName })
    if ($match.Count -gt 0 -and $null -ne $match[0].Value) { return [string]$match[0].Value }
    return $null
}

$cluster = Get-Cluster
$current = Get-CauctlClusterProperty $cluster $name
# Not atomic across coordinators: two writers can both pass this check. The lock protocol therefore reads
# `current` back and only the writer that finds its own value there holds the lock.
if ($PSBoundParameters.ContainsKey('expected') -and $current -cne $expected) {
    return @{ applied = $false; current = $current }
}

if ($null -eq $value) {
    if ($null -ne $current) { Set-ClusterParameter -InputObject $cluster -Name $name -Delete }
} else {
    Set-ClusterParameter -InputObject $cluster -Name $name -Value $value -Create
}
@{ applied = $true; current = (Get-CauctlClusterProperty $cluster $name) }

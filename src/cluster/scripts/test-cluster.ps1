# test-cluster: runs cluster validation (Test-Cluster) one category at a time, so that each category is
# classed on its own: a terminating error means failed, a warning means warning, otherwise passed. Returns
# the categories, the warning and failure lines, and the path of the last report. Test-Cluster reaches every
# node (remote registry, WMI), so it runs with network credentials: in a fresh logon when cauctl holds the
# password, otherwise in this session, where a denial fails with NETWORK_CREDENTIAL_REQUIRED.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][ValidateCount(1, 20)][string[]]$include,
    # Filled in by the transport: the admin account and password for a fresh logon, or $null.
    [AllowNull()]$networkCredential
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$ValidationScript = @'
param([string[]]$include)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$passed = New-Object System.Collections.Generic.List[string]
$warning = New-Object System.Collections.Generic.List[string]
$failed = New-Object System.Collections.Generic.List[string]
$messages = New-Object System.Collections.Generic.List[string]
$reportPath = $null

foreach ($category in $include) {
    $warnings = New-Object System.Collections.Generic.List[string]
    try {
        # Warnings are merged into the output (3>&1) and picked out, so none reaches the host.
        foreach ($item in @(Test-Cluster -Include $category -Force 3>&1)) {
            if ($item -is [System.Management.Automation.WarningRecord]) { $warnings.Add([string]$item.Message) }
            elseif ($null -ne $item -and $item.PSObject.Properties['FullName']) { $reportPath = [string]$item.FullName }
        }
    } catch [System.Management.Automation.CommandNotFoundException] {
        throw
    } catch {
        # Denied is not a validation result: without network credentials every category would "fail".
        if (Test-CauctlAccessDenied $_) { throw (New-CauctlCredentialRequiredError 'Test-Cluster') }
        $failed.Add($category)
        $messages.Add($category + ': ' + $_.Exception.Message)
        continue
    }
    if ($warnings.Count -gt 0) {
        $warning.Add($category)
        foreach ($w in $warnings) { $messages.Add($category + ': ' + $w) }
    } else {
        $passed.Add($category)
    }
}
@{
    passed     = @($passed.ToArray())
    warning    = @($warning.ToArray())
    failed     = @($failed.ToArray())
    messages   = @($messages.ToArray())
    reportPath = $reportPath
}
'@

# Validation of a 4-node cluster takes minutes per category; two hours bounds a hung one.
Invoke-CauctlWithNetworkCredential $networkCredential 'Test-Cluster' $ValidationScript @{ include = @($include) } 7200

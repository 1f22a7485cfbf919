# Stubs for the Windows-only cmdlets the feature-update scripts call (Hyper-V, Storage Replica, validation,
# functional level), so Mock has something to replace on Linux. Dot-source after CauctlTestHelpers.ps1.
# Test-only; nothing here is shipped.
$featureStubs = [ordered]@{
    'Set-WSManQuickConfig'             = 'param([switch]$Force, [switch]$UseSSL, [switch]$SkipNetworkProfileCheck)'
    'Enable-PSRemoting'                = 'param([switch]$Force, [switch]$SkipNetworkProfileCheck)'
    'Test-Cluster'                     = 'param($Node, $Include, $Ignore, $ReportName, [switch]$List, [switch]$Force, $Cluster)'
    'Update-ClusterFunctionalLevel'    = 'param([switch]$Force, [switch]$WhatIf, $Cluster, $InputObject)'
    'Update-StoragePool'               = 'param($FriendlyName, $UniqueId, $Name, $InputObject, [switch]$PassThru, $Confirm)'
    'Get-VMHostSupportedVersion'       = 'param([switch]$Default, $ComputerName)'
    'Get-VM'                           = 'param($Name, $ComputerName, $Id)'
    'Stop-VM'                          = 'param($Name, [switch]$Force, [switch]$TurnOff, [switch]$Save, $ComputerName)'
    'Start-VM'                         = 'param($Name, $ComputerName)'
    'Update-VMVersion'                 = 'param($Name, $VM, [switch]$Force, [switch]$Passthru, $ComputerName)'
    'Move-ClusterVirtualMachineRole'   = 'param($Name, $Node, $MigrationType, $Cluster, $InputObject, $VMId)'
    'Get-SRGroup'                      = 'param($Name, $ComputerName)'
}
foreach ($stubName in $featureStubs.Keys) {
    if (-not (Get-Command $stubName -ErrorAction SilentlyContinue)) {
        $body = $featureStubs[$stubName] + " throw ('stub {0} called without a Mock' -f '" + $stubName + "')"
        Set-Item -Path ('function:global:' + $stubName) -Value ([scriptblock]::Create($body))
    }
}

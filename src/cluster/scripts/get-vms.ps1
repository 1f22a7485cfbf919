# get-vms: the virtual machines this host runs (Get-VM) with state and configuration version, and the
# version a VM gets here by default (Get-VMHostSupportedVersion -Default), which Update-VMVersion reaches.
[CmdletBinding()]
param()
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function ConvertTo-CauctlVmState([string]$State) {
    if (@('Running', 'Off', 'Saved', 'Paused') -contains $State) { return $State }
    return 'Other'
}

$default = [string](Get-VMHostSupportedVersion -Default).Version
$vms = @(Get-VM | ForEach-Object {
        @{ name = [string]$_.Name; state = (ConvertTo-CauctlVmState ([string]$_.State)); configurationVersion = [string]$_.Version }
    })
@{ node = $env:COMPUTERNAME; defaultVersion = $default; vms = $vms }

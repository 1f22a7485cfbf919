# Fakes of the Windows Update Agent COM objects for Pester, built from WuaInterfaces.psd1 (each interface's real
# members, from the Windows SDK docs): a fake has every member of its interface and nothing else. A property the
# test did not set throws when read, a method it did not provide throws when called, and a member the interface
# lacks does not exist, so under Set-StrictMode reading it throws as on Windows. Test-only.

$global:CauctlWuaInterfaces = Import-PowerShellDataFile (Join-Path $PSScriptRoot 'WuaInterfaces.psd1')

# A fake COM object of $Interface. $Values sets properties (read/write afterwards); $Methods gives script
# blocks for methods ($this is the fake). Naming a member the interface lacks is a test error.
function New-WuaObject([string]$Interface, [hashtable]$Values = @{}, [hashtable]$Methods = @{}) {
    $members = $global:CauctlWuaInterfaces[$Interface]
    if ($null -eq $members) { throw "WuaInterfaces.psd1 has no interface $Interface" }
    foreach ($name in $Values.Keys) { if ($members.Properties -notcontains $name) { throw "$Interface has no property $name" } }
    foreach ($name in $Methods.Keys) { if ($members.Methods -notcontains $name) { throw "$Interface has no method $name" } }
    $fake = New-Object psobject
    $fake | Add-Member -MemberType NoteProperty -Name '__wua' -Value @{ interface = $Interface; values = @{}; calls = @{} }
    foreach ($name in $Values.Keys) { $fake.__wua.values[$name] = $Values[$name] }
    foreach ($name in $members.Properties) {
        $get = [scriptblock]::Create("if (-not `$this.__wua.values.ContainsKey('$name')) { throw 'fake $Interface.$name was read but the test did not set it' }; `$this.__wua.values['$name']")
        $set = [scriptblock]::Create("param(`$value) `$this.__wua.values['$name'] = `$value")
        $fake | Add-Member -MemberType ScriptProperty -Name $name -Value $get -SecondValue $set
    }
    foreach ($name in $members.Methods) {
        $body = $Methods[$name]
        if ($null -eq $body) { $body = [scriptblock]::Create("throw 'fake $Interface.$name() was called but the test did not provide it'") }
        $fake.__wua.calls[$name] = 0
        $counted = [scriptblock]::Create("`$this.__wua.calls['$name']++; & { " + $body.ToString() + " } @args")
        $fake | Add-Member -MemberType ScriptMethod -Name $name -Value $counted
    }
    $fake
}

# How often a fake's method was called.
function Get-WuaCallCount($Fake, [string]$Method) { [int]$Fake.__wua.calls[$Method] }

function New-FakeUpdate([string]$Id, [string]$Title, [string]$Kb, [int]$RebootBehavior = 1, [bool]$Important = $true, [bool]$EulaAccepted = $true, [string[]]$Categories = @()) {
    $kbIds = @()
    if ($Kb) { $kbIds = @($Kb) }
    New-WuaObject 'IUpdate' @{
        Identity             = (New-WuaObject 'IUpdateIdentity' @{ UpdateID = $Id; RevisionNumber = 200 })
        Title                = $Title
        KBArticleIDs         = $kbIds
        InstallationBehavior = (New-WuaObject 'IInstallationBehavior' @{ RebootBehavior = $RebootBehavior; CanRequestUserInput = $false; Impact = 0; RequiresNetworkConnectivity = $false })
        AutoSelectOnWebSites = $Important
        EulaAccepted         = $EulaAccepted
        Categories           = @($Categories | ForEach-Object { New-WuaObject 'ICategory' @{ CategoryID = $_ } })
        IsDownloaded         = $false
        DeploymentAction     = 1
    }
}

# A session whose searcher returns $Updates; the downloader reports $DownloadCodes per update (2 = succeeded
# unless given), the installer $ResultCodes with $HResults, and the whole install $RebootRequired.
# $RebootPending is the installer's RebootRequiredBeforeInstallation.
function New-FakeUpdateSession([object[]]$Updates, [int[]]$ResultCodes, [int[]]$HResults, [bool]$RebootRequired = $true, [int[]]$DownloadCodes = @(), [bool]$RebootPending = $false) {
    $installResults = @()
    $downloadResults = @()
    for ($i = 0; $i -lt $ResultCodes.Count; $i++) {
        $installResults += New-WuaObject 'IUpdateInstallationResult' @{ ResultCode = $ResultCodes[$i]; HResult = $HResults[$i]; RebootRequired = $RebootRequired }
        $code = 2
        if ($i -lt $DownloadCodes.Count) { $code = $DownloadCodes[$i] }
        $hresult = 0
        if ($code -ne 2) { $hresult = -2145124341 }
        $downloadResults += New-WuaObject 'IUpdateDownloadResult' @{ ResultCode = $code; HResult = $hresult }
    }
    $overall = 2
    if (@($downloadResults | Where-Object { $_.ResultCode -ne 2 }).Count -gt 0) { $overall = 4 }
    $download = New-WuaObject 'IDownloadResult' @{ ResultCode = $overall; HResult = 0 } @{ GetUpdateResult = { param($i) $this.__wua.values['items'][$i] } }
    $download.__wua.values['items'] = $downloadResults
    $install = New-WuaObject 'IInstallationResult' @{ ResultCode = 2; HResult = 0; RebootRequired = $RebootRequired } @{ GetUpdateResult = { param($i) $this.__wua.values['items'][$i] } }
    $install.__wua.values['items'] = $installResults
    $searcher = New-WuaObject 'IUpdateSearcher' @{ Online = $true } @{ Search = { param($criteria) $this.__wua.values['criteria'] = $criteria; New-WuaObject 'ISearchResult' @{ ResultCode = 2; Updates = @($this.__wua.values['found']); Warnings = @() } } }
    $searcher.__wua.values['found'] = @($Updates)
    $downloader = New-WuaObject 'IUpdateDownloader' @{} @{ Download = { $this.__wua.values['result'] } }
    $downloader.__wua.values['result'] = $download
    $installer = New-WuaObject 'IUpdateInstaller' @{ RebootRequiredBeforeInstallation = $RebootPending; IsBusy = $false } @{ Install = { $this.__wua.values['result'] } }
    $installer.__wua.values['result'] = $install
    $session = New-WuaObject 'IUpdateSession' @{} @{
        CreateUpdateSearcher   = { $this.__wua.values['searcher'] }
        CreateUpdateDownloader = { $this.__wua.values['downloader'] }
        CreateUpdateInstaller  = { $this.__wua.values['installer'] }
    }
    $session.__wua.values['searcher'] = $searcher
    $session.__wua.values['downloader'] = $downloader
    $session.__wua.values['installer'] = $installer
    $session
}

function New-FakeUpdateCollection {
    $collection = New-WuaObject 'IUpdateCollection' @{ ReadOnly = $false } @{ Add = { param($u) $this.__wua.values['items'].Add($u) } }
    $collection.__wua.values['items'] = New-Object System.Collections.ArrayList
    $collection | Add-Member -MemberType ScriptProperty -Name Count -Value { $this.__wua.values['items'].Count } -Force
    $collection
}

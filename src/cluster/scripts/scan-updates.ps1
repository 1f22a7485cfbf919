# scan-updates: the updates a plug-in would apply on this node. WindowsUpdatePlugin searches the Windows
# Update Agent; HotfixPlugin lists the hotfix root's files its configuration has rules for; RollingUpgradePlugin looks for a
# feature update on Windows Update or reads the setup media's version; a registered script plug-in runs its own
# scan.ps1, sent as data in pluginScript (docs/plugins.md). Returns one hashtable.
[CmdletBinding()]
param(
    # A built-in's name, or a registered script plug-in's (dotted letters and digits, as its manifest allows).
    [Parameter(Mandatory = $true)][ValidatePattern('^[A-Za-z][A-Za-z0-9]{0,31}(\.[A-Za-z][A-Za-z0-9]{0,31}){1,3}$')][string]$plugin,
    [Parameter(Mandatory = $true)][AllowEmptyCollection()][hashtable]$arguments,
    # Filled in by the transport for HotfixPlugin and script plug-ins: the admin account and password for a
    # fresh logon, or $null.
    [AllowNull()]$networkCredential,
    # A script plug-in's scan.ps1 text: data, run as a script block, never spliced into this script.
    [AllowNull()]$pluginScript = $null
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# CAU's default criteria (cau-surface section 8); QueryString replaces it entirely.
$defaultCriteria = "IsInstalled=0 and Type='Software' and IsHidden=0 and IsAssigned=1"
# The Windows Update "Upgrades" category, where feature updates are offered.
$upgradesCategory = '3689bdc8-b205-4af4-8d4a-a63924c5e9d5'

# HotfixPlugin: below the root, CAUHotfix_All (every node) and this node's own folder hold the files of the
# configuration's <ExtensionRules> (.msu/.msi/.msp without a configuration), and, in a sub-folder named after a
# <FolderRules> <Folder> rule, any file that rule installs (firmware .exe and the like). Anything else is ignored,
# as CAU ignores what does not fit that structure. The configuration (HotfixConfigFileName) is read with
# local-name() matching: it may carry a default namespace.
$HotfixListScript = @'
param([string]$root, [string]$node, [string]$configName)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
function Read-CauctlHotfixEntry([string]$Path, [bool]$FilesOnly) {
    try {
        if ($FilesOnly) { return @(Get-ChildItem -LiteralPath $Path -File | Sort-Object Name) }
        return @(Get-Item -LiteralPath $Path)
    } catch [System.Management.Automation.ItemNotFoundException] {
        return @()
    } catch {
        if (Test-CauctlAccessDenied $_) { throw (New-CauctlCredentialRequiredError ('Reading ' + $Path)) }
        throw
    }
}
try {
    $null = Get-Item -LiteralPath $root
} catch {
    if (Test-CauctlAccessDenied $_) { throw (New-CauctlCredentialRequiredError ('Reading the hotfix root ' + $root)) }
    throw (New-CauctlError 'SCRIPT_ERROR' ('The hotfix root ' + $root + ' cannot be read from ' + $env:COMPUTERNAME + ': ' + $_.Exception.Message) 'ObjectNotFound' $root)
}
$extensions = @('.msu', '.msi', '.msp')
$ruleFolders = @()
$configPath = Join-Path $root $configName
if (@(Read-CauctlHotfixEntry $configPath $false).Count -gt 0) {
    try {
        [xml]$config = Get-Content -Raw -LiteralPath $configPath
    } catch {
        if (Test-CauctlAccessDenied $_) { throw (New-CauctlCredentialRequiredError ('Reading ' + $configPath)) }
        throw (New-CauctlError 'HOTFIX_CONFIG_INVALID' ('The hotfix configuration ' + $configPath + ' is not valid XML: ' + $_.Exception.Message + ' Fix it (its schema is HotfixConfigSchema.xsd in the ClusterAwareUpdating module folder) and scan again.') 'InvalidData' $configPath)
    }
    $named = @()
    foreach ($rule in @($config.SelectNodes("//*[local-name()='DefaultRules']/*[local-name()='ExtensionRules']/*[local-name()='Extension']"))) {
        foreach ($attribute in @($rule.Attributes)) { if ($attribute.LocalName -ieq 'name' -and [string]$attribute.Value -ne '') { $named += '.' + ([string]$attribute.Value).ToLowerInvariant() } }
    }
    if ($named.Count -gt 0) { $extensions = $named }
    foreach ($rule in @($config.SelectNodes("//*[local-name()='FolderRules']/*[local-name()='Folder']"))) {
        foreach ($attribute in @($rule.Attributes)) { if ($attribute.LocalName -ieq 'name' -and [string]$attribute.Value -ne '') { $ruleFolders += [string]$attribute.Value } }
    }
}
$updates = @()
foreach ($folder in @('CAUHotfix_All', $node)) {
    $path = Join-Path $root $folder
    $found = @()
    foreach ($file in @(Read-CauctlHotfixEntry $path $true)) {
        if ($extensions -contains $file.Extension.ToLowerInvariant()) { $found += @{ id = ($folder + '\' + $file.Name); file = $file } }
    }
    foreach ($ruleFolder in $ruleFolders) {
        foreach ($file in @(Read-CauctlHotfixEntry (Join-Path $path $ruleFolder) $true)) { $found += @{ id = ($folder + '\' + $ruleFolder + '\' + $file.Name); file = $file } }
    }
    foreach ($item in $found) {
        $kb = ''
        if ($item.file.Name -match '(KB\d+)') { $kb = $Matches[1].ToUpperInvariant() }
        $updates += @{
            # The path below the root identifies the file on every node and in start-update-task.
            updateId       = $item.id
            title          = $item.file.Name
            kb             = $kb
            # Known only from the installer's exit code; assume the worst for planning.
            rebootRequired = $true
        }
    }
}
, $updates
'@
function Invoke-CauctlUpdateSearch([string]$Criteria) {
    # Wrapped for Pester: the Windows Update Agent COM API.
    $session = New-Object -ComObject 'Microsoft.Update.Session'
    $session.ClientApplicationID = 'cauctl'
    $searcher = $session.CreateUpdateSearcher()
    @($searcher.Search($Criteria).Updates)
}

function Get-CauctlArgument([string]$Name, [string]$Default) {
    # Plug-in arguments are strings, as CAU's hashtables carry them; keys match without case.
    if ($arguments.ContainsKey($Name) -and $null -ne $arguments[$Name] -and [string]$arguments[$Name] -ne '') { return [string]$arguments[$Name] }
    return $Default
}

function ConvertTo-CauctlUpdateInfo($Update) {
    $kbIds = @($Update.KBArticleIDs)
    $kb = ''
    if ($kbIds.Count -gt 0 -and $kbIds[0]) { $kb = 'KB' + [string]$kbIds[0] }
    @{
        updateId       = [string]$Update.Identity.UpdateID
        title          = [string]$Update.Title
        kb             = $kb
        # RebootBehavior: 0 never, 1 always, 2 can request a reboot.
        rebootRequired = ([int]$Update.InstallationBehavior.RebootBehavior -ne 0)
    }
}

function Test-CauctlInstallableUnattended($Update) {
    # CAU skips updates that need a EULA accepted or user input; so does cauctl.
    return ([bool]$Update.EulaAccepted -and -not [bool]$Update.InstallationBehavior.CanRequestUserInput)
}

# A registered script plug-in: its scan.ps1 runs with the plug-in's arguments as named parameters, in a fresh
# logon with network credentials when cauctl holds them (a vendor repository is usually a share), otherwise in
# this session, where an access denial becomes NETWORK_CREDENTIAL_REQUIRED. Its answer is checked field by field.
function Invoke-CauctlScriptPluginScan([string]$Name, [string]$Text, [hashtable]$PluginArguments, $Credential) {
    $where = $Name + ' scan.ps1 on ' + $env:COMPUTERNAME
    try {
        $output = @(Invoke-CauctlWithNetworkCredential $Credential ('The scan of ' + $Name) $Text (ConvertTo-CauctlPluginSplat $PluginArguments) 1800)
    } catch {
        if ($_.FullyQualifiedErrorId -match '^CAUCTL:' -and $_.FullyQualifiedErrorId -notmatch '^CAUCTL:SCRIPT_ERROR') { throw }
        throw (New-CauctlError 'SCRIPT_ERROR' ($where + ' failed: ' + $_.Exception.Message) 'NotSpecified' $Name)
    }
    return , (ConvertTo-CauctlPluginUpdates $output $where)
}

$builtins = @('Microsoft.WindowsUpdatePlugin', 'Microsoft.HotfixPlugin', 'Microsoft.RollingUpgradePlugin')
if ($builtins -notcontains $plugin) {
    if ($null -eq $pluginScript -or [string]$pluginScript -eq '') {
        throw (New-CauctlError 'SCRIPT_ERROR' ($plugin + ' is not a built-in plug-in, and no scan.ps1 came with it: register it with cauctl register-plugin, then scan again.') 'InvalidArgument' $plugin)
    }
    return @{ updates = (Invoke-CauctlScriptPluginScan $plugin ([string]$pluginScript) $arguments $networkCredential) }
}

$updates = @()
switch ($plugin) {
    'Microsoft.WindowsUpdatePlugin' {
        $criteria = Get-CauctlArgument 'QueryString' $defaultCriteria
        # With the default criteria and without IncludeRecommendedUpdates, only important updates
        # (AutoSelectOnWebSites) are taken; a QueryString says exactly what the operator wants.
        $importantOnly = ($criteria -eq $defaultCriteria) -and ((Get-CauctlArgument 'IncludeRecommendedUpdates' 'False') -ne 'True')
        foreach ($update in @(Invoke-CauctlUpdateSearch $criteria)) {
            if (-not (Test-CauctlInstallableUnattended $update)) { continue }
            if ($importantOnly -and -not [bool]$update.AutoSelectOnWebSites) { continue }
            $updates += ConvertTo-CauctlUpdateInfo $update
        }
    }
    'Microsoft.HotfixPlugin' {
        $root = Get-CauctlArgument 'HotfixRootFolderPath' ''
        if ($root -eq '') {
            $exception = New-Object System.ArgumentException 'HotfixPlugin needs the HotfixRootFolderPath argument.'
            throw (New-Object System.Management.Automation.ErrorRecord $exception, 'CAUCTL:SCRIPT_ERROR', 'InvalidArgument', 'HotfixRootFolderPath')
        }
        # The listing runs with network credentials (a root on a share is a second hop), and every read throws
        # on access denied: Test-Path would answer $false and the scan would "find nothing".
        $found = Invoke-CauctlWithNetworkCredential $networkCredential ('Reading the hotfix root ' + $root) $HotfixListScript @{ root = $root; node = [string]$env:COMPUTERNAME; configName = (Get-CauctlArgument 'HotfixConfigFileName' 'DefaultHotfixConfig.xml') } 600
        foreach ($entry in @($found)) { if ($null -ne $entry) { $updates += $entry } }
    }
    'Microsoft.RollingUpgradePlugin' {
        if ((Get-CauctlArgument 'WuConnected' 'true') -eq 'true') {
            # Feature updates are offered as optional installs: without DeploymentAction='OptionalInstallation'
            # the search returns none of them.
            foreach ($update in @(Invoke-CauctlUpdateSearch "IsInstalled=0 and Type='Software' and IsHidden=0 and DeploymentAction='OptionalInstallation'")) {
                $categories = @($update.Categories | ForEach-Object { [string]$_.CategoryID })
                if ($categories -notcontains $upgradesCategory) { continue }
                $info = ConvertTo-CauctlUpdateInfo $update
                $info.featureUpdate = [string]$update.Title
                $info.rebootRequired = $true
                $updates += $info
            }
        } else {
            $media = Get-CauctlArgument 'PathToSetupMedia' ''
            $setup = Join-Path $media 'setup.exe'
            if ($media -eq '' -or -not (Test-Path -LiteralPath $setup -PathType Leaf)) {
                $exception = New-Object System.IO.FileNotFoundException ('No setup.exe in PathToSetupMedia ''' + $media + '''.')
                throw (New-Object System.Management.Automation.ErrorRecord $exception, 'CAUCTL:SCRIPT_ERROR', 'ObjectNotFound', $media)
            }
            $version = [string](Get-Item -LiteralPath $setup).VersionInfo.ProductVersion
            $updates += @{ updateId = 'media:' + $version; title = 'Feature update from setup media ' + $version; kb = ''; rebootRequired = $true; featureUpdate = $version }
        }
    }
}
@{ updates = $updates }

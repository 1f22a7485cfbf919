# Fake Windows Update Agent objects for Pester: updates, a search result, downloader and installer with the
# COM members the scripts use (ScriptMethods stand in for COM methods). Test-only.

function New-FakeUpdate([string]$Id, [string]$Title, [string]$Kb, [int]$RebootBehavior = 1, [bool]$Important = $true, [bool]$EulaAccepted = $true, [string[]]$Categories = @()) {
    [pscustomobject]@{
        Identity             = [pscustomobject]@{ UpdateID = $Id }
        Title                = $Title
        KBArticleIDs         = @($Kb)
        InstallationBehavior = [pscustomobject]@{ RebootBehavior = $RebootBehavior; CanRequestUserInput = $false }
        AutoSelectOnWebSites = $Important
        EulaAccepted         = $EulaAccepted
        Categories           = @($Categories | ForEach-Object { [pscustomobject]@{ CategoryID = $_ } })
        IsDownloaded         = $false
    }
}

# A session whose searcher returns $Updates and whose downloader/installer report $ResultCodes (per update,
# OperationResultCode numbers) with $HResults.
function New-FakeUpdateSession([object[]]$Updates, [int[]]$ResultCodes, [int[]]$HResults, [bool]$RebootRequired = $true) {
    $results = @()
    for ($i = 0; $i -lt $ResultCodes.Count; $i++) {
        $results += [pscustomobject]@{ ResultCode = $ResultCodes[$i]; HResult = $HResults[$i]; RebootRequired = $RebootRequired }
    }
    $operation = [pscustomobject]@{ RebootRequired = $RebootRequired; Results = $results }
    $operation | Add-Member -MemberType ScriptMethod -Name GetUpdateResult -Value { param($i) $this.Results[$i] }
    $searcher = [pscustomobject]@{ Found = @($Updates); Criteria = $null }
    $searcher | Add-Member -MemberType ScriptMethod -Name Search -Value { param($criteria) $this.Criteria = $criteria; [pscustomobject]@{ Updates = $this.Found } }
    $downloader = [pscustomobject]@{ Updates = $null; Operation = $operation; Called = 0 }
    $downloader | Add-Member -MemberType ScriptMethod -Name Download -Value { $this.Called++; $this.Operation }
    $installer = [pscustomobject]@{ Updates = $null; Operation = $operation; Called = 0 }
    $installer | Add-Member -MemberType ScriptMethod -Name Install -Value { $this.Called++; $this.Operation }
    $session = [pscustomobject]@{ ClientApplicationID = $null; Searcher = $searcher; Downloader = $downloader; Installer = $installer }
    $session | Add-Member -MemberType ScriptMethod -Name CreateUpdateSearcher -Value { $this.Searcher }
    $session | Add-Member -MemberType ScriptMethod -Name CreateUpdateDownloader -Value { $this.Downloader }
    $session | Add-Member -MemberType ScriptMethod -Name CreateUpdateInstaller -Value { $this.Installer }
    $session
}

function New-FakeUpdateCollection {
    $collection = [pscustomobject]@{ Items = (New-Object System.Collections.ArrayList) }
    $collection | Add-Member -MemberType ScriptMethod -Name Add -Value { param($u) $this.Items.Add($u) }
    $collection
}

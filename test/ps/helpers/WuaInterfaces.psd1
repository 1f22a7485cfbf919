# The Windows Update Agent COM interfaces the node-side scripts touch, member for member, from the Windows SDK
# documentation (learn.microsoft.com/windows/win32/api/wuapi/, one page per interface: nn-wuapi-<name>). An
# object the agent hands out through IDispatch exposes the members of the newest interface version it
# implements, so IUpdate lists IUpdate through IUpdate5, IUpdateSession IUpdateSession..3, and so on.
# FakeWindowsUpdate.ps1 builds fakes with exactly these members: reading or calling anything else fails under
# Set-StrictMode, as it does on Windows (PowerShell/PowerShell#13544). Test-only.
@{
    IUpdateSession            = @{
        Properties = @('ClientApplicationID', 'ReadOnly', 'WebProxy', 'UserLocale')
        Methods    = @('CreateUpdateDownloader', 'CreateUpdateInstaller', 'CreateUpdateSearcher', 'CreateUpdateServiceManager', 'QueryHistory')
    }
    IUpdateSearcher           = @{
        Properties = @('CanAutomaticallyUpgradeService', 'ClientApplicationID', 'IncludePotentiallySupersededUpdates', 'Online', 'ServerSelection', 'ServiceID', 'IgnoreDownloadPriority', 'SearchScope')
        Methods    = @('BeginSearch', 'EndSearch', 'EscapeString', 'GetTotalHistoryCount', 'QueryHistory', 'Search')
    }
    ISearchResult             = @{
        Properties = @('ResultCode', 'RootCategories', 'Updates', 'Warnings')
        Methods    = @()
    }
    IUpdate                   = @{
        Properties = @('AutoSelectOnWebSites', 'BundledUpdates', 'CanRequireSource', 'Categories', 'Deadline', 'DeltaCompressedContentAvailable', 'DeltaCompressedContentPreferred', 'DeploymentAction', 'Description', 'DownloadContents', 'DownloadPriority', 'EulaAccepted', 'EulaText', 'HandlerID', 'Identity', 'Image', 'InstallationBehavior', 'IsBeta', 'IsDownloaded', 'IsHidden', 'IsInstalled', 'IsMandatory', 'IsUninstallable', 'KBArticleIDs', 'Languages', 'LastDeploymentChangeTime', 'MaxDownloadSize', 'MinDownloadSize', 'MoreInfoUrls', 'MsrcSeverity', 'RecommendedCpuSpeed', 'RecommendedHardDiskSpace', 'RecommendedMemory', 'ReleaseNotes', 'SecurityBulletinIDs', 'SupersededUpdateIDs', 'SupportUrl', 'Title', 'Type', 'UninstallationBehavior', 'UninstallationNotes', 'UninstallationSteps',
            # IUpdate2 .. IUpdate5
            'CveIDs', 'IsPresent', 'RebootRequired', 'BrowseOnly', 'PerUser', 'AutoDownload', 'AutoSelection')
        Methods    = @('AcceptEula', 'CopyFromCache', 'CopyToCache')
    }
    IUpdateIdentity           = @{
        Properties = @('RevisionNumber', 'UpdateID')
        Methods    = @()
    }
    IInstallationBehavior     = @{
        Properties = @('CanRequestUserInput', 'Impact', 'RebootBehavior', 'RequiresNetworkConnectivity')
        Methods    = @()
    }
    ICategory                 = @{
        Properties = @('CategoryID', 'Children', 'Description', 'Image', 'Name', 'Order', 'Parent', 'Type', 'Updates')
        Methods    = @()
    }
    IUpdateCollection         = @{
        Properties = @('Count', 'ReadOnly')
        Methods    = @('Add', 'Clear', 'Copy', 'Insert', 'Item', 'RemoveAt')
    }
    IUpdateDownloader         = @{
        Properties = @('ClientApplicationID', 'IsForced', 'Priority', 'Updates')
        Methods    = @('BeginDownload', 'Download', 'EndDownload')
    }
    IDownloadResult           = @{
        Properties = @('HResult', 'ResultCode')
        Methods    = @('GetUpdateResult')
    }
    # No RebootRequired here: only the installation results have it.
    IUpdateDownloadResult     = @{
        Properties = @('HResult', 'ResultCode')
        Methods    = @()
    }
    IUpdateInstaller          = @{
        Properties = @('AllowSourcePrompts', 'ClientApplicationID', 'IsBusy', 'IsForced', 'ParentHwnd', 'ParentWindow', 'RebootRequiredBeforeInstallation', 'Updates',
            # IUpdateInstaller2 .. IUpdateInstaller4
            'ForceQuiet', 'AttemptCloseAppsIfNecessary')
        Methods    = @('BeginInstall', 'BeginUninstall', 'EndInstall', 'EndUninstall', 'Install', 'RunWizard', 'Uninstall', 'Commit')
    }
    IInstallationResult       = @{
        Properties = @('HResult', 'RebootRequired', 'ResultCode')
        Methods    = @('GetUpdateResult')
    }
    IUpdateInstallationResult = @{
        Properties = @('HResult', 'RebootRequired', 'ResultCode')
        Methods    = @()
    }
    # Microsoft.Update.SystemInfo
    ISystemInformation        = @{
        Properties = @('OemHardwareSupportLink', 'RebootRequired')
        Methods    = @()
    }
}

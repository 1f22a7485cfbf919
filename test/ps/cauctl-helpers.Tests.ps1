# Pester tests for src/cluster/node-helpers/cauctl-helpers.ps1, the functions the payload carries beside every
# script: coded errors, the private-folder checks, new-file-only writes, and one-shot task registration.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    . ([scriptblock]::Create((Get-CauctlNodeHelpersText)))
    $savedProgramData = $env:ProgramData
}
AfterAll {
    $env:ProgramData = $savedProgramData
    Remove-Variable -Name CauctlTaskScheduler -Scope Global -ErrorAction SilentlyContinue
}

Describe 'cauctl-helpers' {
    It 'defines functions only: loading it writes nothing and changes no preference' {
        $before = $ErrorActionPreference
        @(. ([scriptblock]::Create((Get-CauctlNodeHelpersText)))).Count | Should -Be 0
        $ErrorActionPreference | Should -Be $before
    }

    It 'is ASCII only, as every shipped script' {
        [System.IO.File]::ReadAllBytes($script:NodeHelpersPath) | Where-Object { $_ -gt 127 } | Should -BeNullOrEmpty
    }

    It 'New-CauctlError carries the code the bootstrap reads' {
        $result = Invoke-ViaBootstrap 'x' @{} "throw (New-CauctlError 'DRAIN_FAILED' 'busy' 'ResourceBusy' 'NODE1')"
        $result.Outcome.error.code | Should -Be 'DRAIN_FAILED'
        $result.Outcome.error.message | Should -Be 'busy'
    }

    It 'Get-CauctlFolderSecurityProblem: <case>' -TestCases @(
        # (TestCases are built at discovery, before BeforeAll runs, hence the literal tables.)
        @{ case = 'SYSTEM and Administrators only is fine'; security = @{ ownerSid = 'S-1-5-32-544'; isProtected = $true; rules = @(@{ sid = 'S-1-5-18'; allow = $true }, @{ sid = 'S-1-5-32-544'; allow = $true }) }; expected = $null }
        @{ case = 'SYSTEM may own it'; security = @{ ownerSid = 'S-1-5-18'; isProtected = $true; rules = @(@{ sid = 'S-1-5-18'; allow = $true }, @{ sid = 'S-1-5-32-544'; allow = $true }) }; expected = $null }
        @{ case = 'a user owns it'; security = @{ ownerSid = 'S-1-5-21-1-2-3-1104'; isProtected = $true; rules = @(@{ sid = 'S-1-5-18'; allow = $true }, @{ sid = 'S-1-5-32-544'; allow = $true }) }; expected = 'its owner is S-1-5-21-1-2-3-1104, not SYSTEM or Administrators' }
        @{ case = 'inherited ACL'; security = @{ ownerSid = 'S-1-5-32-544'; isProtected = $false; rules = @(@{ sid = 'S-1-5-18'; allow = $true }, @{ sid = 'S-1-5-32-544'; allow = $true }) }; expected = 'it inherits its permissions from its parent' }
        @{ case = 'Users may write'; security = @{ ownerSid = 'S-1-5-32-544'; isProtected = $true; rules = @(@{ sid = 'S-1-5-18'; allow = $true }, @{ sid = 'S-1-5-32-544'; allow = $true }, @{ sid = 'S-1-5-32-545'; allow = $true }) }; expected = 'it grants access to S-1-5-32-545' }
        @{ case = 'a deny rule for Everyone is harmless'; security = @{ ownerSid = 'S-1-5-32-544'; isProtected = $true; rules = @(@{ sid = 'S-1-5-18'; allow = $true }, @{ sid = 'S-1-5-32-544'; allow = $true }, @{ sid = 'S-1-1-0'; allow = $false }) }; expected = $null }
    ) {
        Get-CauctlFolderSecurityProblem $security | Should -Be $expected
    }

    It 'Write-CauctlNewFile writes a new file and refuses one that exists, leaving it as it was' {
        $path = Join-Path $TestDrive 'new.txt'
        Write-CauctlNewFile $path 'first'
        [System.IO.File]::ReadAllText($path) | Should -Be 'first'
        { Write-CauctlNewFile $path 'second' } | Should -Throw
        [System.IO.File]::ReadAllText($path) | Should -Be 'first'
    }

    Context 'Start-CauctlTask' {
        BeforeEach {
            Mock New-ScheduledTaskAction { [pscustomobject]@{ Execute = $Execute; Arguments = $Argument; WorkingDirectory = $WorkingDirectory } }
            Mock New-ScheduledTaskPrincipal { [pscustomobject]@{ UserId = $UserId; LogonType = $LogonType; RunLevel = $RunLevel } }
            Mock New-ScheduledTaskSettingsSet { [pscustomobject]@{} }
            Mock Register-ScheduledTask { }
            Mock Start-ScheduledTask { }
        }

        It 'without a credential registers a SYSTEM task' {
            Start-CauctlTask 'cauctl-x' 'C:\ProgramData\cauctl\x' $null 'test'
            Should -Invoke Register-ScheduledTask -Times 1 -Exactly -ParameterFilter { $Principal.UserId -eq 'SYSTEM' -and $null -eq $User -and $null -eq $Password }
            Should -Invoke Start-ScheduledTask -Times 1 -Exactly -ParameterFilter { $TaskName -eq 'cauctl-x' -and $TaskPath -eq '\cauctl\' }
        }

        It 'with a credential registers a Password logon as that account; the password reaches only the Task Scheduler' {
            Start-CauctlTask 'cauctl-x' 'C:\ProgramData\cauctl\x' @{ userName = 'CONTOSO\admin'; password = "p'a`$s w" } 'test'
            Should -Invoke Register-ScheduledTask -Times 1 -Exactly -ParameterFilter { $null -eq $Principal -and $User -eq 'CONTOSO\admin' -and $Password -eq "p'a`$s w" -and $RunLevel -eq 'Highest' }
            Should -Invoke New-ScheduledTaskAction -Times 1 -Exactly -ParameterFilter { -not $Argument.Contains("p'a") -and $WorkingDirectory -eq 'C:\ProgramData\cauctl\x' }
        }

        It 'runs the fixed launcher with -EncodedCommand, never -File' {
            $argument = Get-CauctlLauncherArgument
            $argument | Should -Not -Match '-File'
            $argument -match '-EncodedCommand ([A-Za-z0-9+/=]+)$' | Should -BeTrue
            $launcher = [System.Text.Encoding]::Unicode.GetString([Convert]::FromBase64String($Matches[1]))
            $launcher | Should -Match "worker\.ps1"
            $launcher | Should -Match "-TaskFile"
            { [scriptblock]::Create($launcher) } | Should -Not -Throw
        }
    }

    It 'the launcher runs worker.ps1 from its working directory with -TaskFile task.json' {
        $folder = Join-Path $TestDrive 'launch'
        New-Item -ItemType Directory -Path $folder | Out-Null
        Set-Content -LiteralPath (Join-Path $folder 'worker.ps1') -Value 'param([string]$TaskFile) [System.IO.File]::WriteAllText((Join-Path (Split-Path $TaskFile) "ran.txt"), (Split-Path -Leaf $TaskFile))'
        $argument = Get-CauctlLauncherArgument
        $null = $argument -match '-EncodedCommand ([A-Za-z0-9+/=]+)$'
        Push-Location $folder
        try { & ([scriptblock]::Create([System.Text.Encoding]::Unicode.GetString([Convert]::FromBase64String($Matches[1])))) } finally { Pop-Location }
        Get-Content -Raw -LiteralPath (Join-Path $folder 'ran.txt') | Should -Be 'task.json'
    }

    Context 'Invoke-CauctlNetworkLogon' {
        BeforeEach { Set-CauctlTaskSchedulerFake }

        It 'a logon the Task Scheduler refuses (bad password) fails with NETWORK_LOGON_FAILED and the code explained, and cleans up' {
            Mock Start-ScheduledTask { }
            Mock Get-ScheduledTaskInfo { [pscustomobject]@{ LastTaskResult = -2147023570 } }
            $result = Invoke-ViaBootstrap 'x' @{} "Invoke-CauctlNetworkLogon @{ userName = 'CONTOSO\admin'; password = 'wrong' } 'Test-Cluster' '@{ a = 1 }' @{} 60"
            $result.Outcome.error.code | Should -Be 'NETWORK_LOGON_FAILED'
            $result.Outcome.error.message | Should -Match '0x8007052e'
            $result.Outcome.error.message | Should -Match 'password was refused'
            $result.Outcome.error.message | Should -Not -Match 'wrong'
            $global:CauctlTaskScheduler.registered.Count | Should -Be 0
            @(Get-ChildItem -LiteralPath (Join-Path $env:ProgramData 'cauctl') -Directory).Count | Should -Be 0
        }

        It 'a job that never finishes is stopped at the timeout' {
            Mock Start-ScheduledTask { }
            Mock Get-ScheduledTask { [pscustomobject]@{ TaskName = $TaskName; State = 'Running' } }
            Mock Get-CauctlMonotonicSeconds { $global:CauctlTaskScheduler['clock'] += 30; $global:CauctlTaskScheduler['clock'] }
            $global:CauctlTaskScheduler['clock'] = 0
            Mock Start-Sleep { }
            $result = Invoke-ViaBootstrap 'x' @{} "Invoke-CauctlNetworkLogon @{ userName = 'CONTOSO\admin'; password = 'p' } 'Test-Cluster' '@{ a = 1 }' @{} 60"
            $result.Outcome.error.code | Should -Be 'NETWORK_LOGON_TIMEOUT'
            $global:CauctlTaskScheduler.registered.Count | Should -Be 0
        }

        It 'returns the job''s data as hashtables and arrays, with the helpers available in the logon' {
            $result = Invoke-ViaBootstrap 'x' @{} "Invoke-CauctlNetworkLogon @{ userName = 'CONTOSO\admin'; password = 'p' } 'Job' 'param([string]`$n) @{ n = `$n; list = @(1); ok = (Get-Command New-CauctlError).Name }' @{ n = 'x`$(y)' } 60"
            $result.Outcome.data.n | Should -BeExactly 'x$(y)'
            @($result.Outcome.data.list).Count | Should -Be 1
            $result.Outcome.data.ok | Should -Be 'New-CauctlError'
        }
    }
}

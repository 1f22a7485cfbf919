# Pester tests for src/cluster/scripts/wait-update-task.ps1: progress files under a TestDrive ProgramData,
# scheduled-task state mocked, time driven by a fake clock.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    $savedProgramData = $env:ProgramData
    function Write-Progress-File([string]$State, [string]$Message, [object[]]$Results = @(), [bool]$Reboot = $false) {
        $json = ConvertTo-Json -InputObject @{ state = $State; message = $Message; results = @($Results); rebootRequired = $Reboot } -Depth 5
        [System.IO.File]::WriteAllText($global:CauctlTestState.progress, $json)
    }
}
# Mock state is global: mock bodies run in the script's scope, where $script: means the bootstrap.
AfterAll {
    $env:ProgramData = $savedProgramData
    Remove-Variable -Name CauctlTestState -Scope Global -ErrorAction SilentlyContinue
}

Describe 'wait-update-task' {
    BeforeEach {
        $env:ProgramData = Join-Path $TestDrive ([guid]::NewGuid().ToString())
        $dir = Join-Path $env:ProgramData 'cauctl/run-1-NODE1-1'
        New-Item -ItemType Directory -Path $dir -Force | Out-Null
        $global:CauctlTestState = @{ clock = 0.0; progress = (Join-Path $dir 'progress.json'); taskState = 'Running'; lastResult = 267009; onSleep = $null }
        Mock Get-CauctlMonotonicSeconds { $global:CauctlTestState.clock }
        Mock Start-Sleep { $global:CauctlTestState.clock += $Seconds; if ($global:CauctlTestState.onSleep) { & $global:CauctlTestState.onSleep } }
        Mock Get-ScheduledTask { [pscustomobject]@{ TaskName = $TaskName; State = $global:CauctlTestState.taskState } }
        Mock Get-ScheduledTaskInfo { [pscustomobject]@{ LastTaskResult = $global:CauctlTestState.lastResult } }
        Mock Unregister-ScheduledTask { }
        $completed = @{ updateId = 'u1'; kb = 'KB5031364'; title = 'CU'; resultCode = 'Succeeded'; errorCode = '0x0'; rebootRequired = $true }
    }

    It 'returns Completed with the results as soon as the worker has finished' {
        Write-Progress-File 'Completed' 'Install finished' @($completed) $true
        $result = Invoke-ViaBootstrap 'wait-update-task' @{ taskId = 'run-1-NODE1-1'; timeoutSeconds = 600 }
        $data = $result.Outcome.data
        $data.state | Should -Be 'Completed'
        $data.rebootRequired | Should -BeTrue
        $data.results[0].kb | Should -Be 'KB5031364'
        Should -Invoke Start-Sleep -Times 0 -Exactly
        Save-OperationJson 'wait-update-task' $result
    }

    It 'once the task has ended, removes its scheduled task and worker files and keeps the answer for a repeated wait' {
        foreach ($name in 'worker.ps1', 'task.json') { Set-Content -LiteralPath (Join-Path $dir $name) -Value 'x' }
        Write-Progress-File 'Completed' 'Install finished' @($completed) $true
        Invoke-ViaBootstrap 'wait-update-task' @{ taskId = 'run-1-NODE1-1'; timeoutSeconds = 600 } | Out-Null
        Should -Invoke Unregister-ScheduledTask -Times 1 -Exactly -ParameterFilter { $TaskName -eq 'cauctl-run-1-NODE1-1' -and $TaskPath -eq '\cauctl\' }
        Test-Path (Join-Path $dir 'worker.ps1') | Should -BeFalse
        Test-Path (Join-Path $dir 'task.json') | Should -BeFalse
        $again = Invoke-ViaBootstrap 'wait-update-task' @{ taskId = 'run-1-NODE1-1'; timeoutSeconds = 600 }
        $again.Outcome.data.state | Should -Be 'Completed'
        $again.Outcome.data.results[0].kb | Should -Be 'KB5031364'
    }

    It 'leaves a running task in place' {
        Write-Progress-File 'Running' 'installing'
        Invoke-ViaBootstrap 'wait-update-task' @{ taskId = 'run-1-NODE1-1'; timeoutSeconds = 0 } | Out-Null
        Should -Invoke Unregister-ScheduledTask -Times 0 -Exactly
    }

    It 'polls while Running and returns once the worker completes' {
        Write-Progress-File 'Running' 'installing'
        $global:CauctlTestState.onSleep = { if ($global:CauctlTestState.clock -ge 10) { Write-Progress-File 'Completed' 'done' @($completed) $true } }
        $result = Invoke-ViaBootstrap 'wait-update-task' @{ taskId = 'run-1-NODE1-1'; timeoutSeconds = 600 }
        $result.Outcome.data.state | Should -Be 'Completed'
        Should -Invoke Start-Sleep -Times 2 -Exactly -ParameterFilter { $Seconds -eq 5 }
    }

    It 'returns Running (not a failure) when the timeout passes first' {
        Write-Progress-File 'Running' 'downloading'
        $result = Invoke-ViaBootstrap 'wait-update-task' @{ taskId = 'run-1-NODE1-1'; timeoutSeconds = 12 }
        $result.Outcome.data.state | Should -Be 'Running'
        $result.Outcome.data.message | Should -Be 'downloading'
        $result.Json | Should -Match '"results":\[\]'
        Save-OperationJson 'wait-update-task' $result 'running'
    }

    It 'reports NotFound for an unknown task' {
        $result = Invoke-ViaBootstrap 'wait-update-task' @{ taskId = 'nope'; timeoutSeconds = 5 }
        $result.Outcome.data.state | Should -Be 'NotFound'
        Save-OperationJson 'wait-update-task' $result 'not-found'
    }

    It 'reports Failed with the task result when the worker died without a final state' {
        Write-Progress-File 'Running' 'installing'
        $global:CauctlTestState.taskState = 'Ready'
        $global:CauctlTestState.lastResult = -1073741510
        $result = Invoke-ViaBootstrap 'wait-update-task' @{ taskId = 'run-1-NODE1-1'; timeoutSeconds = 600 }
        $result.Outcome.data.state | Should -Be 'Failed'
        $result.Outcome.data.message | Should -Match '0xc000013a'
        Save-OperationJson 'wait-update-task' $result 'worker-died'
    }

    It 'keeps waiting for a task registered but not yet run (SCHED_S_TASK_HAS_NOT_RUN)' {
        Write-Progress-File 'Running' 'queued'
        $global:CauctlTestState.taskState = 'Ready'
        $global:CauctlTestState.lastResult = 267011
        $result = Invoke-ViaBootstrap 'wait-update-task' @{ taskId = 'run-1-NODE1-1'; timeoutSeconds = 10 }
        $result.Outcome.data.state | Should -Be 'Running'
    }
}

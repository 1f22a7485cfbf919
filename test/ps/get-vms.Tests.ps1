# Pester tests for src/cluster/scripts/get-vms.ps1: the host's VMs and its default configuration version.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    $env:COMPUTERNAME = 'NODE1'
}

Describe 'get-vms' {
    It 'lists VMs with state and version, mapping unusual states to Other' {
        Mock Get-VMHostSupportedVersion { [pscustomobject]@{ Version = [version]'12.0' } } -ParameterFilter { $Default }
        Mock Get-VM { @([pscustomobject]@{ Name = 'VM01'; State = 'Running'; Version = '10.0' }, [pscustomobject]@{ Name = 'VM02'; State = 'Starting'; Version = '12.0' }) }
        $result = Invoke-ViaBootstrap 'get-vms' @{}
        $data = $result.Outcome.data
        $data.node | Should -Be 'NODE1'
        $data.defaultVersion | Should -Be '12.0'
        $data.vms[0].state | Should -Be 'Running'
        $data.vms[0].configurationVersion | Should -Be '10.0'
        $data.vms[1].state | Should -Be 'Other'
        Save-OperationJson 'get-vms' $result
    }
}

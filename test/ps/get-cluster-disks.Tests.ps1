# Pester tests for src/cluster/scripts/get-cluster-disks.ps1: CSVs and Physical Disk resources, the virtual
# disk name from the VirtualDiskName private property or the resource name, with cluster cmdlets mocked.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
    $script:SavedComputerName = $env:COMPUTERNAME
    $env:COMPUTERNAME = 'NODE1'
}

AfterAll {
    $env:COMPUTERNAME = $script:SavedComputerName
    Remove-Variable -Name CauctlTestState -Scope Global -ErrorAction SilentlyContinue
}

Describe 'get-cluster-disks' {
    BeforeEach {
        Mock Get-ClusterSharedVolume {
            [pscustomobject]@{ Name = 'Cluster Virtual Disk (Infra)'; State = 'Online' }
            [pscustomobject]@{ Name = 'Cluster Virtual Disk (Data1)'; State = 'Offline' }
        }
        Mock Get-ClusterResource {
            [pscustomobject]@{ Name = 'Cluster Virtual Disk (Infra)'; State = 'Online'; ResourceType = 'Physical Disk' }
            [pscustomobject]@{ Name = 'Witness Disk'; State = 'Online'; ResourceType = 'Physical Disk' }
            [pscustomobject]@{ Name = 'Cluster IP Address'; State = 'Online'; ResourceType = 'IP Address' }
        }
        Mock Get-ClusterParameter { if ([string]$InputObject.Name -eq 'Witness Disk') { [pscustomobject]@{ Name = 'VirtualDiskName'; Value = 'WitnessVD' } } }
    }

    It 'lists shared volumes and other disk resources once each, with their virtual disk names' {
        $result = Invoke-ViaBootstrap 'get-cluster-disks' @{}
        $result.Outcome.ok | Should -BeTrue
        $disks = @($result.Outcome.data.disks)
        $disks.Count | Should -Be 3
        ($disks | ForEach-Object { $_.name + '|' + $_.virtualDisk + '|' + $_.state + '|' + $_.isSharedVolume }) | Should -Be @(
            'Cluster Virtual Disk (Infra)|Infra|Online|True',
            'Cluster Virtual Disk (Data1)|Data1|Offline|True',
            'Witness Disk|WitnessVD|Online|False'
        )
        Save-OperationJson 'get-cluster-disks' $result
    }

    It 'keeps a one-element list an array' {
        Mock Get-ClusterSharedVolume { [pscustomobject]@{ Name = 'Cluster Virtual Disk (Infra)'; State = 'Online' } }
        Mock Get-ClusterResource { }
        $result = Invoke-ViaBootstrap 'get-cluster-disks' @{}
        $result.Json | Should -Match '"disks":\['
        Save-OperationJson 'get-cluster-disks' $result 'one'
    }

    It 'reports CLUSTER_UNAVAILABLE when the cluster does not answer' {
        Mock Get-ClusterResource { throw 'The cluster service is not running.' }
        $result = Invoke-ViaBootstrap 'get-cluster-disks' @{}
        $result.Outcome.ok | Should -BeFalse
        $result.Outcome.error.code | Should -Be 'CLUSTER_UNAVAILABLE'
    }
}

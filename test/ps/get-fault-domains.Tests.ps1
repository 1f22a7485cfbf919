# Pester tests for src/cluster/scripts/get-fault-domains.ps1 with the cluster and storage cmdlets mocked.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
}

Describe 'get-fault-domains' {
    BeforeEach {
        Mock Get-ClusterFaultDomain {
            [pscustomobject]@{ Name = 'Site1'; Type = 'Site'; ParentName = ''; ChildrenNames = @('Rack1') }
            [pscustomobject]@{ Name = 'Rack1'; Type = 'Rack'; ParentName = 'Site1'; ChildrenNames = @('Chassis1', 'NODE3') }
            [pscustomobject]@{ Name = 'Chassis1'; Type = 'Chassis'; ParentName = 'Rack1'; ChildrenNames = @('NODE1', 'NODE2') }
            [pscustomobject]@{ Name = 'NODE1'; Type = 'Node'; ParentName = 'Chassis1'; ChildrenNames = @() }
            [pscustomobject]@{ Name = 'NODE2'; Type = 'Node'; ParentName = 'Chassis1'; ChildrenNames = @() }
            [pscustomobject]@{ Name = 'NODE3'; Type = 'Node'; ParentName = 'Rack1'; ChildrenNames = @() }
            [pscustomobject]@{ Name = 'NODE4'; Type = 'Node'; ParentName = ''; ChildrenNames = @() }
        }
        Mock Get-VirtualDisk {
            [pscustomobject]@{ FriendlyName = 'Volume1'; FaultDomainAwareness = 'StorageRack' }
            [pscustomobject]@{ FriendlyName = 'Volume2'; FaultDomainAwareness = 3 }
        }
    }

    It 'walks each node up to its chassis and rack, and names each disk''s awareness (raw numbers too)' {
        $result = Invoke-ViaBootstrap 'get-fault-domains'
        $data = $result.Outcome.data
        $byName = @{}
        foreach ($node in $data.nodes) { $byName[[string]$node.name] = $node }
        $byName['NODE1'].chassis | Should -Be 'Chassis1'
        $byName['NODE1'].rack | Should -Be 'Rack1'
        $byName['NODE3'].chassis | Should -BeNullOrEmpty
        $byName['NODE3'].rack | Should -Be 'Rack1'
        $byName['NODE4'].rack | Should -BeNullOrEmpty
        $data.virtualDisks[0].faultDomainAwareness | Should -Be 'StorageRack'
        $data.virtualDisks[1].faultDomainAwareness | Should -Be 'StorageScaleUnit'
        Save-OperationJson 'get-fault-domains' $result
    }

    It 'keeps empty lists as arrays on a cluster without fault domains or disks' {
        Mock Get-ClusterFaultDomain { }
        Mock Get-VirtualDisk { }
        $result = Invoke-ViaBootstrap 'get-fault-domains'
        $result.Json | Should -Match '"nodes":\[\]'
        $result.Json | Should -Match '"virtualDisks":\[\]'
    }
}

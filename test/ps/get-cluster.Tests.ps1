# Pester tests for src/cluster/scripts/get-cluster.ps1 with the FailoverClusters cmdlets mocked.
BeforeAll {
    . (Join-Path $PSScriptRoot 'helpers/CauctlTestHelpers.ps1')
}

Describe 'get-cluster' {
    BeforeEach {
        Mock Get-Cluster { [pscustomobject]@{ Name = 'HCI01'; ClusterFunctionalLevel = 12; S2DEnabled = 1 } }
        Mock Get-ClusterNode {
            [pscustomobject]@{ Name = 'NODE1'; State = 'Up'; DrainStatus = 'NotInitiated'; NodeWeight = 1 }
            [pscustomobject]@{ Name = 'NODE2'; State = 'Paused'; DrainStatus = 'Completed'; NodeWeight = 1 }
            [pscustomobject]@{ Name = 'NODE3'; State = 'Down'; DrainStatus = 'NotInitiated'; NodeWeight = 1 }
        }
        Mock Get-ClusterGroup {
            [pscustomobject]@{ Name = 'Cluster Group'; OwnerNode = 'NODE1'; IsCoreGroup = $true }
            [pscustomobject]@{ Name = 'VM01'; OwnerNode = 'NODE1'; IsCoreGroup = $false }
            [pscustomobject]@{ Name = 'VM02'; OwnerNode = 'NODE1'; IsCoreGroup = $false }
            [pscustomobject]@{ Name = 'VM03'; OwnerNode = 'NODE3'; IsCoreGroup = $false }
        }
        Mock Get-ClusterQuorum {
            [pscustomobject]@{ QuorumType = 'NodeAndFileShareMajority'; QuorumResource = [pscustomobject]@{ ResourceType = 'File Share Witness'; State = 'Online' } }
        }
        Mock Get-CimInstance { }
        Mock Get-ClusterFaultDomain { }
    }

    It 'returns nodes with their roles (core groups excluded), quorum, level and S2D' {
        $result = Invoke-ViaBootstrap 'get-cluster'
        $result.Outcome.ok | Should -BeTrue
        $data = $result.Outcome.data
        $data.name | Should -Be 'HCI01'
        $data.nodes.Count | Should -Be 3
        $node1 = $data.nodes | Where-Object name -EQ 'NODE1'
        $node1.roles | Should -Be @('VM01', 'VM02')
        ($data.nodes | Where-Object name -EQ 'NODE2').drainStatus | Should -Be 'Completed'
        ($data.nodes | Where-Object name -EQ 'NODE2').roles.Count | Should -Be 0
        $data.quorum.witnessType | Should -Be 'FileShare'
        $data.quorum.witnessState | Should -Be 'Online'
        # 2 of 3 node votes up (Paused still votes) + witness = 3 of 4.
        $data.quorum.healthy | Should -BeTrue
        $data.functionalLevel | Should -Be 12
        $data.s2dEnabled | Should -BeTrue
        $data.nativeCauRunInProgress | Should -BeFalse
        Should -Invoke Get-CimInstance -Times 1 -Exactly -ParameterFilter { $ClassName -eq 'MSFT_CAURun' }
        Save-OperationJson 'get-cluster' $result
    }

    It 'keeps a one-role list an array and reports an unhealthy quorum and a native CAU run' {
        Mock Get-ClusterNode {
            [pscustomobject]@{ Name = 'NODE1'; State = 'Up'; DrainStatus = 'NotInitiated' }
            [pscustomobject]@{ Name = 'NODE2'; State = 'Down'; DrainStatus = 'NotInitiated' }
        }
        Mock Get-ClusterGroup { [pscustomobject]@{ Name = 'VM01'; OwnerNode = 'NODE1' } }
        Mock Get-ClusterQuorum { [pscustomobject]@{ QuorumType = 'NodeMajority'; QuorumResource = $null } }
        Mock Get-CimInstance { [pscustomobject]@{ RunId = 'x' } }
        $result = Invoke-ViaBootstrap 'get-cluster'
        $result.Json | Should -Match '"roles":\["VM01"\]'
        $result.Outcome.data.quorum.healthy | Should -BeFalse
        $result.Outcome.data.quorum.witnessType | Should -Be 'None'
        $result.Outcome.data.quorum.witnessState | Should -Be 'NotConfigured'
        $result.Outcome.data.nativeCauRunInProgress | Should -BeTrue
        Save-OperationJson 'get-cluster' $result 'no-witness'
    }

    It 'names the Site fault domain above each node, through racks and chassis, and none where there is none' {
        Mock Get-ClusterFaultDomain {
            [pscustomobject]@{ Name = 'Seattle'; Type = 'Site'; ParentName = '' }
            [pscustomobject]@{ Name = 'Redmond'; Type = 'Site'; ParentName = '' }
            [pscustomobject]@{ Name = 'Rack1'; Type = 'Rack'; ParentName = 'Seattle' }
            [pscustomobject]@{ Name = 'Chassis1'; Type = 'Chassis'; ParentName = 'Rack1' }
            [pscustomobject]@{ Name = 'node1'; Type = 'Node'; ParentName = 'Chassis1' }
            [pscustomobject]@{ Name = 'NODE2'; Type = 'Node'; ParentName = 'Redmond' }
            [pscustomobject]@{ Name = 'NODE3'; Type = 'Node'; ParentName = '' }
        }
        $result = Invoke-ViaBootstrap 'get-cluster'
        $result.Outcome.ok | Should -BeTrue
        ($result.Outcome.data.nodes | Where-Object name -EQ 'NODE1').site | Should -Be 'Seattle'
        ($result.Outcome.data.nodes | Where-Object name -EQ 'NODE2').site | Should -Be 'Redmond'
        ($result.Outcome.data.nodes | Where-Object name -EQ 'NODE3').site | Should -BeNullOrEmpty
        Save-OperationJson 'get-cluster' $result 'sites'
    }

    It 'gives no site when the build has no fault domains (Get-ClusterFaultDomain fails)' {
        Mock Get-ClusterFaultDomain { throw 'The term Get-ClusterFaultDomain is not recognized' }
        $result = Invoke-ViaBootstrap 'get-cluster'
        $result.Outcome.ok | Should -BeTrue
        @($result.Outcome.data.nodes | Where-Object { $null -ne $_.site }).Count | Should -Be 0
    }

    It 'maps numeric enum values (Windows PowerShell 5.1 style) to Unknown rather than failing' {
        Mock Get-ClusterNode { [pscustomobject]@{ Name = 'NODE1'; State = 7; DrainStatus = 9 } }
        $result = Invoke-ViaBootstrap 'get-cluster'
        $result.Outcome.data.nodes[0].state | Should -Be 'Unknown'
        $result.Outcome.data.nodes[0].drainStatus | Should -Be 'NotInitiated'
    }

    It 'takes a missing CAU provider (invalid namespace: no CAU feature) for "no native run"' {
        Mock Get-CimInstance {
            $exception = New-Object System.InvalidOperationException 'Invalid namespace'
            $exception | Add-Member -NotePropertyName NativeErrorCode -NotePropertyValue 'InvalidNamespace'
            throw $exception
        }
        $outcome = (Invoke-ViaBootstrap 'get-cluster').Outcome
        $outcome.ok | Should -BeTrue
        $outcome.data.nativeCauRunInProgress | Should -BeFalse
    }

    It 'fails with NATIVE_CAU_UNREADABLE when MSFT_CAURun cannot be read (access denied), never answering "no run"' {
        Mock Get-CimInstance { throw (New-Object System.UnauthorizedAccessException 'Access denied') }
        $outcome = (Invoke-ViaBootstrap 'get-cluster').Outcome
        $outcome.ok | Should -BeFalse
        $outcome.error.code | Should -Be 'NATIVE_CAU_UNREADABLE'
        $outcome.error.message | Should -Match 'Access denied'
        $outcome.error.message | Should -Match 'Administrators'
    }

    It 'reports an unreadable MSFT_CAURun as unknown (nativeCauUnreadable) when a read-only caller asks, and still fails other errors' {
        Mock Get-CimInstance { throw (New-Object System.UnauthorizedAccessException 'Access denied') }
        $outcome = (Invoke-ViaBootstrap 'get-cluster' @{ reportUnreadableNativeCau = $true }).Outcome
        $outcome.ok | Should -BeTrue
        $outcome.data.nativeCauRunInProgress | Should -BeFalse
        $outcome.data.nativeCauUnreadable | Should -Match 'Could not read MSFT_CAURun on .*Access denied'
        $outcome.data.nodes.Count | Should -Be 3
        Mock Get-ClusterQuorum { throw 'quorum unreadable' }
        (Invoke-ViaBootstrap 'get-cluster' @{ reportUnreadableNativeCau = $true }).Outcome.ok | Should -BeFalse
    }

    It 'answers nativeCauUnreadable $null when MSFT_CAURun reads fine' {
        $outcome = (Invoke-ViaBootstrap 'get-cluster' @{ reportUnreadableNativeCau = $true }).Outcome
        $outcome.ok | Should -BeTrue
        $outcome.data.nativeCauUnreadable | Should -BeNullOrEmpty
    }

    It 'reports CLUSTER_UNAVAILABLE when the cluster cannot be reached' {
        Mock Get-Cluster { throw 'The cluster service is not running' }
        $result = Invoke-ViaBootstrap 'get-cluster'
        $result.Outcome.ok | Should -BeFalse
        $result.Outcome.error.code | Should -Be 'CLUSTER_UNAVAILABLE'
        $result.Outcome.error.message | Should -Match 'cluster service is not running'
        Should -Invoke Get-ClusterNode -Times 0 -Exactly
    }
}

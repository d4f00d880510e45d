//! `FlowTuples` on the sample records of Microsoft's flow-log documentation
//! (testdata/flowlogs/docs, see its README for the pages) equals, row for
//! row, the tuples the documents show. The expected rows are written from
//! the documents: tuple fields as printed, the record's properties, the
//! timestamps converted to UTC by hand (seconds for NSG, milliseconds for
//! the VNet sample), NSG v1 without state, VNet protocol 6 as T, empty
//! counters as 0.

use crate::common;

use nta_flowlogs::{FlowLogError, ReadOptions, read_tree};
use std::path::PathBuf;

const NSG_ID: &str = "/SUBSCRIPTIONS/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/RESOURCEGROUPS/FABRIKAMRG/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/FABRIAKMVM1-NSG";
const FLOW_LOG_ID: &str = "/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/RESOURCEGROUPS/NETWORKWATCHERRG/PROVIDERS/MICROSOFT.NETWORK/NETWORKWATCHERS/NETWORKWATCHER_EASTUS2EUAP/FLOWLOGS/VNETFLOWLOG";
const VNET_ID: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myResourceGroup/providers/Microsoft.Network/virtualNetworks/myVNet";

// Columns: FlowTime|FlowLogKind|FlowLogVersion|FlowLogResourceId|TargetResourceId|MacAddress|AclId|AclRule|
// SrcIp|DestIp|SrcPort|DestPort|L4Protocol|FlowDirection|FlowState|FlowStatus|FlowEncryption|
// PacketsSrcToDest|BytesSrcToDest|PacketsDestToSrc|BytesDestToSrc
const V1: &[&str] = &[
    "2017-02-16T22:00:21Z|NSG|1|@NSG|@NSG|000D3AF8801A||DefaultRule_DenyAllInBound|192.0.2.95|10.1.0.4|51529|5358|T|I||D||0|0|0|0",
    "2017-02-16T21:59:30Z|NSG|1|@NSG|@NSG|000D3AF8801A||UserRule_default-allow-rdp|192.0.2.17|10.1.0.4|61771|3389|T|I||A||0|0|0|0",
    "2017-02-16T21:59:53Z|NSG|1|@NSG|@NSG|000D3AF8801A||UserRule_default-allow-rdp|203.0.113.34|10.1.0.4|58596|3389|T|I||A||0|0|0|0",
    "2017-02-16T21:59:53Z|NSG|1|@NSG|@NSG|000D3AF8801A||UserRule_default-allow-rdp|192.0.2.154|10.1.0.4|61540|3389|T|I||A||0|0|0|0",
    "2017-02-16T22:00:23Z|NSG|1|@NSG|@NSG|000D3AF8801A||UserRule_default-allow-rdp|203.0.113.229|10.1.0.4|53163|3389|T|I||A||0|0|0|0",
    "2017-02-16T22:01:21Z|NSG|1|@NSG|@NSG|000D3AF8801A||DefaultRule_DenyAllInBound|198.51.100.194|10.1.0.4|53|1732|U|I||D||0|0|0|0",
    "2017-02-16T22:00:35Z|NSG|1|@NSG|@NSG|000D3AF8801A||UserRule_default-allow-rdp|198.51.100.68|10.1.0.4|57776|3389|T|I||A||0|0|0|0",
    "2017-02-16T22:00:54Z|NSG|1|@NSG|@NSG|000D3AF8801A||UserRule_default-allow-rdp|203.0.113.170|10.1.0.4|59085|3389|T|I||A||0|0|0|0",
    "2017-02-16T22:01:17Z|NSG|1|@NSG|@NSG|000D3AF8801A||UserRule_default-allow-rdp|192.0.2.50|10.1.0.4|65078|3389|T|I||A||0|0|0|0",
];
const V2: &[&str] = &[
    "2018-11-13T12:00:02Z|NSG|2|@NSG|@NSG|000D3AF87856||DefaultRule_DenyAllInBound|192.0.2.190|10.5.16.4|28746|443|U|I|B|D||0|0|0|0",
    "2018-11-13T12:00:24Z|NSG|2|@NSG|@NSG|000D3AF87856||DefaultRule_DenyAllInBound|203.0.113.10|10.5.16.4|56509|59336|T|I|B|D||0|0|0|0",
    "2018-11-13T12:00:32Z|NSG|2|@NSG|@NSG|000D3AF87856||DefaultRule_DenyAllInBound|198.51.100.8|10.5.16.4|48495|8088|T|I|B|D||0|0|0|0",
    "2018-11-13T11:59:37Z|NSG|2|@NSG|@NSG|000D3AF87856||DefaultRule_AllowInternetOutBound|10.5.16.4|203.0.113.118|59831|443|T|O|B|A||0|0|0|0",
    "2018-11-13T11:59:39Z|NSG|2|@NSG|@NSG|000D3AF87856||DefaultRule_AllowInternetOutBound|10.5.16.4|203.0.113.117|59932|443|T|O|E|A||1|66|1|66",
    "2018-11-13T11:59:39Z|NSG|2|@NSG|@NSG|000D3AF87856||DefaultRule_AllowInternetOutBound|10.5.16.4|203.0.113.115|44931|443|T|O|C|A||30|16978|24|14008",
    "2018-11-13T12:00:06Z|NSG|2|@NSG|@NSG|000D3AF87856||DefaultRule_AllowInternetOutBound|10.5.16.4|198.51.100.225|59929|443|T|O|E|A||15|8489|12|7054",
    "2018-11-13T12:00:37Z|NSG|2|@NSG|@NSG|000D3AF87856||DefaultRule_DenyAllInBound|125.64.94.197|10.5.16.4|59752|18264|T|I|B|D||0|0|0|0",
    "2018-11-13T12:01:15Z|NSG|2|@NSG|@NSG|000D3AF87856||DefaultRule_DenyAllInBound|80.211.72.221|10.5.16.4|37433|8088|T|I|B|D||0|0|0|0",
    "2018-11-13T12:01:27Z|NSG|2|@NSG|@NSG|000D3AF87856||DefaultRule_DenyAllInBound|46.101.199.124|10.5.16.4|60577|8088|T|I|B|D||0|0|0|0",
    "2018-11-13T12:01:30Z|NSG|2|@NSG|@NSG|000D3AF87856||DefaultRule_DenyAllInBound|176.119.4.30|10.5.16.4|57067|52801|T|I|B|D||0|0|0|0",
];
const VNET: &[&str] = &[
    "2022-09-14T09:00:03.599Z|VNet|4|@FLOWLOG|@VNET|00224871C205|00000000-1234-abcd-ef00-c1c2c3c4c5c6|DefaultRule_AllowInternetOutBound|10.0.0.6|52.239.184.180|23956|443|T|O|B|A|NX|0|0|0|0",
    "2022-09-14T09:00:03.606Z|VNet|4|@FLOWLOG|@VNET|00224871C205|00000000-1234-abcd-ef00-c1c2c3c4c5c6|DefaultRule_AllowInternetOutBound|10.0.0.6|52.239.184.180|23956|443|T|O|E|A|NX|3|767|2|1580",
    "2022-09-14T09:00:03.637Z|VNet|4|@FLOWLOG|@VNET|00224871C205|00000000-1234-abcd-ef00-c1c2c3c4c5c6|DefaultRule_AllowInternetOutBound|10.0.0.6|40.74.146.17|22730|443|T|O|B|A|NX|0|0|0|0",
    "2022-09-14T09:00:03.64Z|VNet|4|@FLOWLOG|@VNET|00224871C205|00000000-1234-abcd-ef00-c1c2c3c4c5c6|DefaultRule_AllowInternetOutBound|10.0.0.6|40.74.146.17|22730|443|T|O|E|A|NX|3|705|4|4569",
    "2022-09-14T09:00:04.251Z|VNet|4|@FLOWLOG|@VNET|00224871C205|00000000-1234-abcd-ef00-c1c2c3c4c5c6|DefaultRule_AllowInternetOutBound|10.0.0.6|40.74.146.17|22732|443|T|O|B|A|NX|0|0|0|0",
    "2022-09-14T09:00:04.251Z|VNet|4|@FLOWLOG|@VNET|00224871C205|00000000-1234-abcd-ef00-c1c2c3c4c5c6|DefaultRule_AllowInternetOutBound|10.0.0.6|40.74.146.17|22732|443|T|O|E|A|NX|3|705|4|4569",
    "2022-09-14T09:00:04.622Z|VNet|4|@FLOWLOG|@VNET|00224871C205|00000000-1234-abcd-ef00-c1c2c3c4c5c6|DefaultRule_AllowInternetOutBound|10.0.0.6|40.74.146.17|22734|443|T|O|B|A|NX|0|0|0|0",
    "2022-09-14T09:00:04.622Z|VNet|4|@FLOWLOG|@VNET|00224871C205|00000000-1234-abcd-ef00-c1c2c3c4c5c6|DefaultRule_AllowInternetOutBound|10.0.0.6|40.74.146.17|22734|443|T|O|E|A|NX|2|134|1|108",
    "2022-09-14T09:00:17.343Z|VNet|4|@FLOWLOG|@VNET|00224871C205|00000000-1234-abcd-ef00-c1c2c3c4c5c6|DefaultRule_AllowInternetOutBound|10.0.0.6|104.16.218.84|36776|443|T|O|B|A|NX|0|0|0|0",
    "2022-09-14T09:00:22.793Z|VNet|4|@FLOWLOG|@VNET|00224871C205|00000000-1234-abcd-ef00-c1c2c3c4c5c6|DefaultRule_AllowInternetOutBound|10.0.0.6|104.16.218.84|36776|443|T|O|E|A|NX|22|2217|33|32466",
    "2022-09-14T08:59:58.065Z|VNet|4|@FLOWLOG|@VNET|00224871C205|01020304-abcd-ef00-1234-102030405060|BlockHighRiskTCPPortsFromInternet|101.33.218.153|10.0.0.6|55188|22|T|I|D|D|NX|0|0|0|0",
    "2022-09-14T09:00:05.503Z|VNet|4|@FLOWLOG|@VNET|00224871C205|01020304-abcd-ef00-1234-102030405060|BlockHighRiskTCPPortsFromInternet|192.241.200.164|10.0.0.6|35276|119|T|I|D|D|NX|0|0|0|0",
    "2022-09-14T08:59:49.563Z|VNet|4|@FLOWLOG|@VNET|00224871C205|01020304-abcd-ef00-1234-102030405060|Internet|20.106.221.10|10.0.0.6|50557|44357|T|I|D|D|NX|0|0|0|0",
    "2022-09-14T08:59:49.679Z|VNet|4|@FLOWLOG|@VNET|00224871C205|01020304-abcd-ef00-1234-102030405060|Internet|20.55.117.81|10.0.0.6|62797|35945|T|I|D|D|NX|0|0|0|0",
    "2022-09-14T08:59:49.709Z|VNet|4|@FLOWLOG|@VNET|00224871C205|01020304-abcd-ef00-1234-102030405060|Internet|20.55.113.5|10.0.0.6|51961|65515|T|I|D|D|NX|0|0|0|0",
    "2022-09-14T08:59:50.049Z|VNet|4|@FLOWLOG|@VNET|00224871C205|01020304-abcd-ef00-1234-102030405060|Internet|13.65.224.51|10.0.0.6|40497|40129|T|I|D|D|NX|0|0|0|0",
    "2022-09-14T08:59:50.145Z|VNet|4|@FLOWLOG|@VNET|00224871C205|01020304-abcd-ef00-1234-102030405060|Internet|20.55.117.81|10.0.0.6|62797|30472|T|I|D|D|NX|0|0|0|0",
    "2022-09-14T08:59:50.175Z|VNet|4|@FLOWLOG|@VNET|00224871C205|01020304-abcd-ef00-1234-102030405060|Internet|20.55.113.5|10.0.0.6|51961|28184|T|I|D|D|NX|0|0|0|0",
    "2022-09-14T09:00:15.545Z|VNet|4|@FLOWLOG|@VNET|00224871C205|01020304-abcd-ef00-1234-102030405060|Internet|20.106.221.10|10.0.0.6|50557|31244|T|I|D|D|NX|0|0|0|0",
];

fn docs(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/flowlogs/docs").join(name)
}

fn expand(rows: &[&str]) -> Vec<String> {
    rows.iter().map(|r| r.replace("@NSG", NSG_ID).replace("@FLOWLOG", FLOW_LOG_ID).replace("@VNET", VNET_ID)).collect()
}

#[test]
fn nsg_version_2_sample() {
    let (summary, batches) = read_tree(&[docs("nsg-flow-log-v2.json")], &ReadOptions::default()).unwrap();
    assert_eq!(common::rows(&batches), expand(V2));
    assert_eq!(summary.blobs[0].records, 2);
    assert!(summary.blobs[0].warnings.is_empty());
}

#[test]
fn vnet_sample() {
    let (summary, batches) = read_tree(&[docs("vnet-flow-log.json")], &ReadOptions::default()).unwrap();
    assert_eq!(common::rows(&batches), expand(VNET));
    assert_eq!((summary.blobs[0].records, summary.tuples()), (1, 19));
}

/// The published v1 sample nests a `{"records": [...]}` object as its third
/// record (see the fixture README): an error located at that element, or
/// with --lenient, skipped and counted.
#[test]
fn nsg_version_1_sample() {
    let path = docs("nsg-flow-log-v1.json");
    let text = std::fs::read_to_string(&path).unwrap();
    // The third element starts at the `{` before the second "records" key.
    let second_records = text[1..].find("\"records\"").map(|i| i + 1).unwrap();
    let second_records = second_records + 1 + text[second_records + 1..].find("\"records\"").unwrap();
    let start = text[..second_records].rfind('{').unwrap() as u64;
    match read_tree(std::slice::from_ref(&path), &ReadOptions::default()) {
        Err(FlowLogError::BadRecord { path: p, offset, record, reason }) => {
            assert_eq!((p, offset, record), (path.clone(), start, 2), "{reason}");
        }
        other => panic!("expected a located bad record, got {other:?}"),
    }
    let lenient = ReadOptions { lenient: true, ..ReadOptions::default() };
    let (mut summary, batches) = read_tree(&[path], &lenient).unwrap();
    assert_eq!(common::rows(&batches), expand(V1));
    assert_eq!((summary.blobs[0].records, summary.blobs[0].skipped_records), (2, 1));
    let warnings = summary.take_warnings();
    assert_eq!(warnings.len(), 1);
    assert!(matches!(&warnings[0], FlowLogError::SkippedRecords { count: 1, .. }), "{warnings:?}");
}

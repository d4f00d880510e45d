//! NTANetAnalytics and NTAIpDetails rows of a small tuple set covering every
//! FlowType, worked out by hand from the rules of docs/flow-logs-derived.md.

use super::*;

const NSG_UPPER: &str =
    "/SUBSCRIPTIONS/S1/RESOURCEGROUPS/RG1/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/WEB-NSG";
const VM1: &str = "10.0.1.4";
const VM2: &str = "10.0.2.5";

pub(super) fn tuples() -> Vec<Tuple> {
    let mut nsg = t("2025-06-01T10:50:00Z", "198.51.100.9", VM1, 443).inbound().rule("UserRule_allow-https");
    (nsg.kind, nsg.target, nsg.acl) = ("NSG", NSG_UPPER, "");
    vec![
        // IntraVNet: two flows begun (src ports 50001, 50002), one ended; the
        // 11:05 tuple belongs to the next interval.
        t("2025-06-01T10:05:00Z", VM1, VM2, 1433).src_port(50_001),
        t("2025-06-01T10:06:00Z", VM1, VM2, 1433).src_port(50_001).state("C").counters([10, 1000, 8, 4000]),
        t("2025-06-01T10:09:00Z", VM1, VM2, 1433).src_port(50_002),
        t("2025-06-01T10:20:00Z", VM1, VM2, 1433).src_port(50_001).state("E").counters([5, 500, 4, 2000]),
        t("2025-06-01T11:05:00Z", VM1, VM2, 1433).src_port(50_002).state("C").counters([1, 100, 1, 100]),
        // InterVNet over the hub–spoke peering.
        t("2025-06-01T10:30:00Z", VM1, "10.1.1.4", 8080),
        // AzurePublic: two Storage addresses in one row, an AzureCloud one in another.
        t("2025-06-01T10:31:00Z", VM1, "52.239.1.1", 443),
        t("2025-06-01T10:35:00Z", VM1, "52.239.1.1", 443).state("E").counters([3, 300, 2, 200]),
        t("2025-06-01T10:32:00Z", VM1, "52.239.1.2", 443),
        t("2025-06-01T10:33:00Z", VM1, "52.239.1.2", 443).state("C").counters([1, 100, 1, 100]),
        t("2025-06-01T10:34:00Z", VM1, "52.239.200.1", 443),
        // MaliciousFlow, ExternalPublic (two addresses in JP), an inbound denied external flow (NL).
        t("2025-06-01T10:36:00Z", VM1, "203.0.113.7", 443),
        t("2025-06-01T10:37:00Z", VM1, "198.51.100.9", 443),
        t("2025-06-01T10:38:00Z", VM1, "198.51.100.10", 443),
        t("2025-06-01T10:40:00Z", "203.0.113.50", VM1, 22).inbound().state("D").rule("deny-ssh"),
        // P2S, S2S, UnknownPrivate, Unknown, Azure's virtual IP, an unspecified ACL.
        t("2025-06-01T10:41:00Z", "172.16.201.20", VM1, 3389).inbound(),
        t("2025-06-01T10:42:00Z", VM2, "192.168.7.9", 445).mac("000D3A000002"),
        t("2025-06-01T10:43:00Z", VM1, "172.20.0.5", 53).udp(),
        t("2025-06-01T10:44:00Z", "10.9.0.1", "10.9.0.2", 80),
        t("2025-06-01T10:45:00Z", VM1, "168.63.129.16", 53).udp(),
        Tuple { acl: "unspecified", rule: "unspecified", ..t("2025-06-01T10:46:00Z", VM1, VM2, 5432).state("D") },
        // An NSG flow log v2 tuple (upper-case resource ID, as NSG blobs write it).
        nsg,
    ]
}

fn one<'a>(
    rows: &'a [HashMap<String, String>],
    what: &str,
    pred: impl Fn(&HashMap<String, String>) -> bool,
) -> &'a HashMap<String, String> {
    let hits: Vec<_> = rows.iter().filter(|r| pred(r)).collect();
    assert_eq!(hits.len(), 1, "{what}: {hits:#?}");
    hits[0]
}

fn check(row: &HashMap<String, String>, expected: &[(&str, &str)]) {
    for (col, want) in expected {
        assert_eq!(row.get(*col).map(String::as_str), Some(*want), "{col} of {row:#?}");
    }
}

#[test]
fn every_flow_type_with_every_input() {
    let d = run(&tuples(), &full(), Interval::Minutes60);
    let net = rows(&d.net_analytics);
    assert_eq!(d.tuples, 22);
    assert_eq!(net.len(), 15);
    assert_eq!(d.net_analytics[0].num_columns(), 93);
    let at = |port: &str, start: &str| {
        let (port, start) = (port.to_string(), start.to_string());
        move |r: &HashMap<String, String>| r["DestPort"] == port && r["FlowIntervalStartTime"] == start
    };
    let intra = one(&net, "IntraVNet 10:00", at("1433", "2025-06-01T10:00:00Z"));
    check(
        intra,
        &[
            ("FlowType", "IntraVNet"),
            ("SrcIp", VM1),
            ("DestIp", VM2),
            ("SrcPublicIps", ""),
            ("AllowedOutFlows", "2"),
            ("AllowedInFlows", "0"),
            ("DeniedOutFlows", "0"),
            ("DeniedInFlows", "0"),
            ("CompletedFlows", "1"),
            ("PacketsSrcToDest", "15"),
            ("BytesSrcToDest", "1500"),
            ("PacketsDestToSrc", "12"),
            ("BytesDestToSrc", "6000"),
            ("FlowStartTime", "2025-06-01T10:05:00Z"),
            ("FlowEndTime", "2025-06-01T10:09:00Z"),
            ("FlowIntervalEndTime", "2025-06-01T11:00:00Z"),
            ("TimeProcessed", "2025-06-01T11:00:00Z"),
            ("SrcSubnet", "rg1/hub/web"),
            ("DestSubnet", "rg1/hub/db"),
            ("SrcVm", "rg1/vm1"),
            ("DestVm", "rg1/vm2"),
            ("SrcNic", "rg1/vm1-nic"),
            ("DestNic", "rg1/vm2-nic"),
            ("SrcSubscription", "s1"),
            ("DestSubscription", "s1"),
            ("SrcRegion", "westeurope"),
            ("AclGroup", "s1/rg1/web-nsg"),
            ("AclRule", "allow-all-out"),
            ("FlowDirection", "Outbound"),
            ("FlowStatus", "Allowed"),
            ("L4Protocol", "T"),
            ("MacAddress", "00-0D-3A-00-00-01"),
            ("FlowLogResourceId", "NetworkWatcherRG/NetworkWatcher_westeurope/fl-hub"),
            ("TargetResourceId", "s1/rg1/hub"),
            ("TargetResourceType", "VirtualNetwork"),
            ("FlowEncryption", "Unencrypted"),
            ("SubType", "FlowLog"),
            ("FaSchemaVersion", "3"),
            ("Type", "NTANetAnalytics"),
            ("L7Protocol", ""),
            ("IsFlowCapturedAtUdrHop", "null"),
            ("_BilledSize", "null"),
        ],
    );
    // Only a continuing tuple in the next hour: no flow begun, FlowEndTime = the last tuple.
    let next = one(&net, "IntraVNet 11:00", at("1433", "2025-06-01T11:00:00Z"));
    check(
        next,
        &[
            ("AllowedOutFlows", "0"),
            ("CompletedFlows", "0"),
            ("BytesSrcToDest", "100"),
            ("FlowStartTime", "2025-06-01T11:05:00Z"),
            ("FlowEndTime", "2025-06-01T11:05:00Z"),
        ],
    );
    let inter = one(&net, "InterVNet", at("8080", "2025-06-01T10:00:00Z"));
    check(
        inter,
        &[
            ("FlowType", "InterVNet"),
            ("ConnectionType", "VNetPeering"),
            ("DestSubnet", "rg2/spoke/app"),
            ("DestVm", "rg2/vm3"),
            ("DestSubscription", "s2"),
            ("DestRegion", "northeurope"),
        ],
    );
    let https: Vec<_> = net.iter().filter(|r| r["DestPort"] == "443" && r["FlowDirection"] == "Outbound").collect();
    assert_eq!(https.len(), 4, "Storage, AzureCloud, malicious, external JP");
    let storage = one(&net, "Storage", |r| r["DestServiceTags"] == "Storage.WestEurope");
    check(
        storage,
        &[
            ("FlowType", "AzurePublic"),
            ("DestIp", ""),
            ("DestPublicIps", "52.239.1.1|1|1|3|2|300|200 52.239.1.2|1|0|1|1|100|100"),
            ("AzureRegion", "westeurope"),
            ("Country", ""),
            ("AllowedOutFlows", "2"),
            ("CompletedFlows", "1"),
            ("PacketsSrcToDest", "4"),
            ("BytesSrcToDest", "400"),
            ("PacketsDestToSrc", "3"),
            ("BytesDestToSrc", "300"),
            ("SrcSubnet", "rg1/hub/web"),
        ],
    );
    let cloud = one(&net, "AzureCloud", |r| r["DestServiceTags"] == "AzureCloud.westeurope");
    check(cloud, &[("DestPublicIps", "52.239.200.1|1|0|0|0|0|0"), ("FlowType", "AzurePublic")]);
    let bad = one(&net, "malicious", |r| r["FlowType"] == "MaliciousFlow");
    check(bad, &[("DestPublicIps", "203.0.113.7|1|0|0|0|0|0"), ("Country", "NL"), ("SrcIp", VM1)]);
    let jp = one(&net, "external JP", |r| r["Country"] == "JP" && r["FlowDirection"] == "Outbound");
    check(
        jp,
        &[("FlowType", "ExternalPublic"), ("DestPublicIps", "198.51.100.9|1|0|0|0|0|0 198.51.100.10|1|0|0|0|0|0")],
    );
    let denied = one(&net, "denied inbound", at("22", "2025-06-01T10:00:00Z"));
    check(
        denied,
        &[
            ("FlowType", "ExternalPublic"),
            ("Country", "NL"),
            ("SrcIp", ""),
            ("SrcPublicIps", "203.0.113.50|1|0|0|0|0|0"),
            ("DestIp", VM1),
            ("DestVm", "rg1/vm1"),
            ("DeniedInFlows", "1"),
            ("AllowedInFlows", "0"),
            ("FlowStatus", "Denied"),
            ("FlowDirection", "Inbound"),
            ("AclRule", "deny-ssh"),
        ],
    );
    let p2s = one(&net, "P2S", at("3389", "2025-06-01T10:00:00Z"));
    check(
        p2s,
        &[
            ("FlowType", "P2S"),
            ("ConnectionType", "VpnGateway"),
            ("ConnectionName", "vpn_172.16.201.20"),
            ("AllowedInFlows", "1"),
        ],
    );
    let s2s = one(&net, "S2S", at("445", "2025-06-01T10:00:00Z"));
    check(
        s2s,
        &[
            ("FlowType", "S2S"),
            ("DestLocalNetworkGateway", "s1/rg1/branch"),
            ("SrcVm", "rg1/vm2"),
            ("MacAddress", "00-0D-3A-00-00-02"),
        ],
    );
    let dns: Vec<_> = net.iter().filter(|r| r["DestPort"] == "53").collect();
    assert_eq!(dns.len(), 2);
    check(
        one(&net, "UnknownPrivate", |r| r["DestIp"] == "172.20.0.5"),
        &[("FlowType", "UnknownPrivate"), ("L4Protocol", "U")],
    );
    check(
        one(&net, "virtual IP", |r| r["DestPublicIps"].starts_with("168.63.129.16|")),
        &[("FlowType", "AzurePublic"), ("AzureRegion", "Global"), ("DestIp", "")],
    );
    check(one(&net, "Unknown", at("80", "2025-06-01T10:00:00Z")), &[("FlowType", "Unknown"), ("SrcSubnet", "")]);
    check(
        one(&net, "unspecified", at("5432", "2025-06-01T10:00:00Z")),
        &[("AclGroup", "Unspecified"), ("DeniedOutFlows", "1"), ("FlowStatus", "Denied")],
    );
    check(
        one(&net, "NSG flow log", |r| r["AclRule"] == "UserRule_allow-https"),
        &[
            ("AclGroup", "s1/rg1/web-nsg"),
            ("NsgList", "s1/rg1/web-nsg"),
            ("NsgRule", "UserRule_allow-https"),
            ("NsgRuleType", "User Defined"),
            ("FlowLogResourceId", "RG1/WEB-NSG"),
            ("TargetResourceId", "S1/RG1/WEB-NSG"),
            ("TargetResourceType", "NetworkSecurityGroup"),
            ("FlowEncryption", ""),
            ("SrcPublicIps", "198.51.100.9|1|0|0|0|0|0"),
            ("FlowType", "ExternalPublic"),
        ],
    );

    // Rows come in the order of their hash (docs/flow-logs-derived.md): here by address.
    let mut ips = rows(&d.ip_details);
    ips.sort_by_key(|r| nta_azure::cidr::parse_ipv4(&r["Ip"]));
    let got: Vec<(&str, &str, &str, &str)> = ips
        .iter()
        .map(|r| (r["Ip"].as_str(), r["FlowType"].as_str(), r["Location"].as_str(), r["PublicIpDetails"].as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("52.239.1.1", "AzurePublic", "westeurope", "AzureStorage"),
            ("52.239.1.2", "AzurePublic", "westeurope", "AzureStorage"),
            ("52.239.200.1", "AzurePublic", "westeurope", "AzureCloud.westeurope"),
            ("168.63.129.16", "AzurePublic", "Global", "Microsoft Virtual Public IP"),
            ("198.51.100.9", "ExternalPublic", "JP", ""),
            ("198.51.100.10", "ExternalPublic", "JP", ""),
            ("203.0.113.7", "MaliciousFlow", "NL", ""),
            ("203.0.113.50", "ExternalPublic", "NL", ""),
        ]
    );
    check(
        &ips[6],
        &[
            ("ThreatType", "Botnet"),
            ("ThreatDescription", "known bot"),
            ("DnsDomain", "bot.example"),
            ("Url", "http://bot.example/x"),
            ("Port", "8080"),
            ("FlowIntervalStartTime", "2025-06-01T10:00:00Z"),
            ("FlowIntervalEndTime", "2025-06-01T11:00:00Z"),
            ("FaSchemaVersion", "2"),
            ("SubType", "FlowLog"),
            ("Type", "NTAIpDetails"),
        ],
    );
    check(&ips[7], &[("ThreatType", ""), ("Port", "null")]);
    assert_eq!(d.notes.len(), 1, "only the never-derivable columns: {:?}", d.notes);
}

#[test]
fn without_enrichment_what_cannot_be_derived_is_empty_and_noted() {
    let d = run(&tuples(), &Enrichment::default(), Interval::Minutes60);
    assert_eq!(d.notes.len(), 5, "{:?}", d.notes);
    for (note, column) in
        d.notes.iter().zip(["--topology", "--service-tags", "--threat-intel", "--geoip", "L7Protocol"])
    {
        assert!(note.contains(column), "{note}");
    }
    let net = rows(&d.net_analytics);
    // All outbound public HTTPS from VM1 is one row now: no class tells the addresses apart.
    let https = one(&net, "public https", |r| r["DestPort"] == "443" && r["FlowDirection"] == "Outbound");
    check(
        https,
        &[
            (
                "DestPublicIps",
                "52.239.1.1|1|1|3|2|300|200 52.239.1.2|1|0|1|1|100|100 52.239.200.1|1|0|0|0|0|0 \
                 198.51.100.9|1|0|0|0|0|0 198.51.100.10|1|0|0|0|0|0 203.0.113.7|1|0|0|0|0|0",
            ),
            ("FlowType", ""),
            ("Country", ""),
            ("AllowedOutFlows", "6"),
            ("AclGroup", WEB_NSG_GUID),
            ("SrcSubnet", ""),
        ],
    );
    let intra =
        one(&net, "private", |r| r["DestPort"] == "1433" && r["FlowIntervalStartTime"] == "2025-06-01T10:00:00Z");
    check(intra, &[("FlowType", ""), ("SrcVm", ""), ("BytesDestToSrc", "6000"), ("MacAddress", "00-0D-3A-00-00-01")]);
    // The virtual IP is Azure's by definition, service tags or not.
    check(
        one(&net, "virtual IP", |r| r["DestPublicIps"].starts_with("168.63.129.16|")),
        &[("FlowType", "AzurePublic")],
    );
    let ips = rows(&d.ip_details);
    assert_eq!(ips.len(), 8);
    assert!(
        ips.iter().filter(|r| r["Ip"] != "168.63.129.16").all(|r| r["FlowType"].is_empty() && r["Location"].is_empty())
    );
}

#[test]
fn ten_minute_intervals() {
    let ts = [
        t("2025-06-01T10:05:00Z", VM1, VM2, 1433),
        t("2025-06-01T10:15:00Z", VM1, VM2, 1433).state("C").counters([1, 10, 1, 10]),
        t("2025-06-01T10:19:59Z", VM1, VM2, 1433).state("E").counters([2, 20, 2, 20]),
        t("2025-06-01T10:55:00Z", VM1, VM2, 1433),
    ];
    let sixty = rows(&run(&ts, &full(), Interval::Minutes60).net_analytics);
    assert_eq!(sixty.len(), 1);
    check(
        &sixty[0],
        &[
            ("FlowIntervalStartTime", "2025-06-01T10:00:00Z"),
            ("FlowIntervalEndTime", "2025-06-01T11:00:00Z"),
            ("AllowedOutFlows", "2"),
            ("CompletedFlows", "1"),
            ("BytesSrcToDest", "30"),
            ("FlowStartTime", "2025-06-01T10:05:00Z"),
            ("FlowEndTime", "2025-06-01T10:55:00Z"),
        ],
    );
    let ten = rows(&run(&ts, &full(), Interval::Minutes10).net_analytics);
    let got: Vec<(&str, &str, &str, &str, &str)> = ten
        .iter()
        .map(|r| {
            (
                r["FlowIntervalStartTime"].as_str(),
                r["FlowIntervalEndTime"].as_str(),
                r["AllowedOutFlows"].as_str(),
                r["CompletedFlows"].as_str(),
                r["BytesSrcToDest"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("2025-06-01T10:00:00Z", "2025-06-01T10:10:00Z", "1", "0", "0"),
            ("2025-06-01T10:10:00Z", "2025-06-01T10:20:00Z", "0", "1", "30"),
            ("2025-06-01T10:50:00Z", "2025-06-01T11:00:00Z", "1", "0", "0"),
        ]
    );
}

#[test]
fn bad_tuples_are_located_errors() {
    let mut x = t("2025-06-01T10:05:00Z", VM1, VM2, 1433);
    x.dir = "X";
    let ok = t("2025-06-01T10:05:00Z", VM1, VM2, 1433);
    let e =
        derive(&[batch(std::slice::from_ref(&ok)), batch(&[ok.clone(), x])], &full(), Interval::Minutes60).unwrap_err();
    assert_eq!(e.to_string(), "FlowTuples batch 1, row 1: FlowDirection is `X`; expected I or O");
    let b = batch(std::slice::from_ref(&ok));
    let renamed =
        RecordBatch::try_new(
            Arc::new(arrow_schema::Schema::new(
                b.schema()
                    .fields()
                    .iter()
                    .map(|f| {
                        if f.name() == "DestPort" {
                            f.as_ref().clone().with_name("DstPort")
                        } else {
                            f.as_ref().clone()
                        }
                    })
                    .collect::<Vec<_>>(),
            )),
            b.columns().to_vec(),
        )
        .unwrap();
    let e = derive(&[renamed], &full(), Interval::Minutes60).unwrap_err();
    assert_eq!(e.to_string(), "FlowTuples column `DestPort`: missing from the input batch");
    let help = miette::Diagnostic::help(&e).unwrap().to_string();
    assert!(help.starts_with("did you mean `DstPort`?"), "{help}");
    let mut far = ok;
    far.dest_port = 70_000;
    let e = derive(&[batch(&[far])], &full(), Interval::Minutes60).unwrap_err();
    assert_eq!(e.to_string(), "FlowTuples batch 0, row 0: DestPort is `70000`; expected a port number (0–65535)");
}

#[test]
fn no_tuples_make_empty_tables_with_the_full_schema() {
    let d = derive(&[], &full(), Interval::Minutes60).unwrap();
    assert_eq!((d.net_analytics[0].num_rows(), d.net_analytics[0].num_columns()), (0, 93));
    assert_eq!((d.ip_details[0].num_rows(), d.ip_details[0].num_columns()), (0, 19));
}

#[test]
fn any_time_unit_gives_the_same_tables() {
    // FlowTime in seconds, microseconds and nanoseconds, without a zone.
    let ts = tuples();
    let ms_batch = batch(&ts);
    let reference = rows(&derive(std::slice::from_ref(&ms_batch), &full(), Interval::Minutes60).unwrap().net_analytics);
    let millis = ms_batch
        .column_by_name("FlowTime")
        .unwrap()
        .as_any()
        .downcast_ref::<TimestampMillisecondArray>()
        .unwrap()
        .clone();
    let columns: [ArrayRef; 3] = [
        Arc::new(arrow_array::TimestampSecondArray::from_iter_values(millis.values().iter().map(|v| v / 1000))),
        Arc::new(arrow_array::TimestampMicrosecondArray::from_iter_values(millis.values().iter().map(|v| v * 1000))),
        Arc::new(arrow_array::TimestampNanosecondArray::from_iter_values(
            millis.values().iter().map(|v| v * 1_000_000),
        )),
    ];
    for time in columns {
        let i = ms_batch.schema().index_of("FlowTime").unwrap();
        let mut cols = ms_batch.columns().to_vec();
        let mut fields: Vec<arrow_schema::Field> =
            ms_batch.schema().fields().iter().map(|f| f.as_ref().clone()).collect();
        fields[i] = arrow_schema::Field::new("FlowTime", time.data_type().clone(), true);
        cols[i] = time;
        let b = RecordBatch::try_new(Arc::new(arrow_schema::Schema::new(fields)), cols).unwrap();
        let got = rows(&derive(&[b], &full(), Interval::Minutes60).unwrap().net_analytics);
        assert_eq!(got, reference);
    }
}

#[test]
fn enrichment_loads_from_files_and_reports_bad_ones() {
    use crate::derive::EnrichmentPaths;
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name);
    std::fs::create_dir(p("topo")).unwrap();
    std::fs::write(
        p("topo/vnets.json"),
        format!(
            r#"[{{"id": "{HUB}", "type": "Microsoft.Network/virtualNetworks", "location": "westeurope",
            "addressSpace": {{"addressPrefixes": ["10.0.0.0/16"]}},
            "subnets": [{{"name": "web", "addressPrefix": "10.0.1.0/24"}}]}}]"#
        ),
    )
    .unwrap();
    std::fs::write(
        p("tags.json"),
        r#"{"values": [{"name": "Storage", "properties": {"addressPrefixes": ["52.239.0.0/16"]}}]}"#,
    )
    .unwrap();
    std::fs::write(p("ti.csv"), "Ip,ThreatType\n203.0.113.7,C2\n").unwrap();
    std::fs::write(p("geo.mmdb"), test_db::build(&[("203.0.113.0/24", test_db::country("NL"))])).unwrap();
    let paths = EnrichmentPaths {
        topology: vec![p("topo")],
        service_tags: Some(p("tags.json")),
        threat_intel: Some(p("ti.csv")),
        geoip: Some(p("geo.mmdb")),
    };
    let e = Enrichment::load(&paths).unwrap();
    let d = run(
        &[t("2025-06-01T10:00:00Z", VM1, "203.0.113.7", 443), t("2025-06-01T10:00:00Z", VM1, "52.239.9.9", 443)],
        &e,
        Interval::Minutes60,
    );
    let net = rows(&d.net_analytics);
    check(
        one(&net, "malicious", |r| r["FlowType"] == "MaliciousFlow"),
        &[("Country", "NL"), ("SrcSubnet", "rg1/hub/web")],
    );
    check(one(&net, "azure", |r| r["FlowType"] == "AzurePublic"), &[("DestServiceTags", "Storage")]);
    assert!(d.notes.len() == 1, "{:?}", d.notes);
    let bad = |paths: EnrichmentPaths| Enrichment::load(&paths).unwrap_err();
    let e = bad(EnrichmentPaths { geoip: Some(p("ti.csv")), ..EnrichmentPaths::default() });
    assert_eq!(miette::Diagnostic::code(&e).unwrap().to_string(), "flowlogs::geoip");
    let e = bad(EnrichmentPaths { service_tags: Some(p("ti.csv")), ..EnrichmentPaths::default() });
    assert_eq!(miette::Diagnostic::code(&e).unwrap().to_string(), "azure::json");
    let e = bad(EnrichmentPaths { topology: vec![p("missing")], ..EnrichmentPaths::default() });
    assert_eq!(miette::Diagnostic::code(&e).unwrap().to_string(), "azure::io");
}

#[test]
fn texts_holding_separators_do_not_merge_groups() {
    // With the fields joined by a separator, (aclID "x␟y", rule "z") and
    // (aclID "x", rule "y␟z") would be one key.
    let a = Tuple { acl: "x\u{1f}y", rule: "z", ..t("2025-06-01T10:00:00Z", VM1, VM2, 1433) };
    let b = Tuple { acl: "x", rule: "y\u{1f}z", ..t("2025-06-01T10:00:00Z", VM1, VM2, 1433) };
    let net = rows(&run(&[a, b], &Enrichment::default(), Interval::Minutes60).net_analytics);
    assert_eq!(net.len(), 2);
}

#[test]
fn nsg_v1_tuples_count_as_flows_begun_and_never_complete() {
    // NSG flow logs version 1 carry no state and no counters (nsg-flow-logs-overview, "Log format").
    let v1 = |time| {
        let mut x = t(time, "198.51.100.9", VM1, 443).inbound().state("").rule("DefaultRule_AllowVnetInBound");
        (x.kind, x.target, x.acl) = ("NSG", WEB_NSG, "");
        x
    };
    let net = rows(
        &run(&[v1("2025-06-01T10:01:00Z"), v1("2025-06-01T10:02:00Z")], &full(), Interval::Minutes60).net_analytics,
    );
    assert_eq!(net.len(), 1);
    check(
        &net[0],
        &[
            ("AllowedInFlows", "2"),
            ("CompletedFlows", "0"),
            ("BytesSrcToDest", "0"),
            ("SrcPublicIps", "198.51.100.9|2|0|0|0|0|0"),
            ("FlowEndTime", "2025-06-01T10:02:00Z"),
            ("NsgRuleType", "Default"),
        ],
    );
}

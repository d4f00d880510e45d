//! The binary: a small run, and clear errors for bad arguments.

use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ntaq-gen"))
}

#[test]
fn generates_into_the_output_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let out = bin()
        .args(["--rows", "300", "--seed", "4", "--hours", "3", "--files", "2", "--out"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("NTANetAnalytics: 300 rows"), "{stdout}");
    assert!(tmp.path().join("NTANetAnalytics/part-00000.parquet").is_file());
    assert!(tmp.path().join("NTANetAnalytics/part-00001.parquet").is_file());
    assert!(tmp.path().join("NTAIpDetails.parquet").is_file());
}

#[test]
fn rejects_a_start_off_the_hour() {
    let tmp = tempfile::tempdir().unwrap();
    let out =
        bin().args(["--rows", "10", "--start", "2025-06-01T00:30:00Z", "--out"]).arg(tmp.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("hour boundary"), "{stderr}");
    assert!(!tmp.path().join("NTANetAnalytics.parquet").exists());
}

#[test]
fn rejects_an_unparsable_start_and_missing_arguments() {
    let out = bin().args(["--rows", "10", "--start", "yesterday", "--out", "x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "usage error");
    assert!(String::from_utf8(out.stderr).unwrap().contains("RFC 3339"));
    let out = bin().args(["--rows", "10"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("--out"));
}

#[test]
fn help_describes_every_option() {
    let out = bin().arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for opt in [
        "--rows",
        "--seed",
        "--start",
        "--hours",
        "--files",
        "--batch-rows",
        "--row-group-rows",
        "--compression",
        "--out",
    ] {
        assert!(help.contains(opt), "--help mentions {opt}");
    }
}

#[test]
fn flow_logs_subcommand_writes_blobs_and_enrichment() {
    let tmp = tempfile::tempdir().unwrap();
    let out = bin()
        .args([
            "flow-logs",
            "--hours",
            "1",
            "--nics",
            "4",
            "--records-per-hour",
            "2",
            "--tuples-per-record",
            "3",
            "--out",
        ])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("flow logs: 4 blobs (1 partial)"), "{stdout}");
    for f in ["topology/vnets.json", "topology/nsgs.json", "ServiceTags_Public_20250601.json", "threat-intel.csv"] {
        assert!(tmp.path().join(f).is_file(), "{f}");
    }
    assert!(tmp.path().join("flowlogs/insights-logs-flowlogflowevent").is_dir());
    assert!(tmp.path().join("flowlogs/insights-logs-networksecuritygroupflowevent").is_dir());
}

#[test]
fn flow_logs_rejects_bad_arguments() {
    let tmp = tempfile::tempdir().unwrap();
    let out = bin().args(["flow-logs", "--records-per-hour", "0", "--out"]).arg(tmp.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stderr).unwrap().contains("--records-per-hour"));
    assert!(std::fs::read_dir(tmp.path()).unwrap().next().is_none(), "nothing written");
    let out = bin().args(["flow-logs", "--target-bytes", "1Q", "--out"]).arg(tmp.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "usage error");
    assert!(String::from_utf8(out.stderr).unwrap().contains("unknown unit"));
    // The table generator's arguments do not mix with the subcommand.
    let out = bin().args(["--rows", "10", "flow-logs", "--out"]).arg(tmp.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sizes_parse_in_decimal_and_binary_units() {
    use ntaq_gen::cli::parse_bytes;
    assert_eq!(parse_bytes("1000"), Ok(1000));
    assert_eq!(parse_bytes("500M"), Ok(500_000_000));
    assert_eq!(parse_bytes("1G"), Ok(1_000_000_000));
    assert_eq!(parse_bytes("1GB"), Ok(1_000_000_000));
    assert_eq!(parse_bytes("2GiB"), Ok(2 << 30));
    assert_eq!(parse_bytes("64Ki"), Ok(65_536));
    assert!(parse_bytes("0").is_err());
    assert!(parse_bytes("G").is_err());
    assert!(parse_bytes("-1").is_err());
    assert!(parse_bytes("99999999999T").is_err());
}

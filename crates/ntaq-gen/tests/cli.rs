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

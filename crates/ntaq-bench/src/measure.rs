//! Timing a command and its exact peak memory.
//!
//! `ntaq-bench measure [--stdout FILE] -- PROGRAM ARGS…` runs PROGRAM as its
//! only child and prints `{"wall": seconds, "max_rss_kb": …, "status": …}`:
//! `getrusage(RUSAGE_CHILDREN)` of a process with one child is that child's
//! own peak RSS. The harness runs every measured command through it.

use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// One run of a command.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub wall: f64,
    pub max_rss_kb: u64,
}

/// The `measure` subcommand (runs in the wrapper process).
pub fn measure_child(stdout: Option<&Path>, program: &str, args: &[String]) -> Result<(), String> {
    let out = match stdout {
        Some(p) => Stdio::from(std::fs::File::create(p).map_err(|e| format!("{}: {e}", p.display()))?),
        None => Stdio::null(),
    };
    let start = Instant::now();
    let status = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(Stdio::inherit())
        .status()
        .map_err(|e| format!("{program}: {e}"))?;
    let wall = start.elapsed().as_secs_f64();
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .map_err(|e| format!("getrusage: {e}"))?;
    let line = json!({ "wall": wall, "max_rss_kb": usage.max_rss(), "status": status.code() });
    let mut text = line.to_string();
    text.push('\n');
    std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes()).map_err(|e| e.to_string())
}

/// Runs `program args` through the wrapper; the program's standard output
/// goes to `stdout` (or nowhere). Fails if the program fails.
pub fn run(program: &Path, args: &[String], stdout: Option<&Path>) -> Result<(Sample, String), String> {
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut cmd = Command::new(me);
    cmd.arg("measure");
    if let Some(p) = stdout {
        cmd.arg("--stdout").arg(p);
    }
    let o = cmd
        .arg("--")
        .arg(program)
        .args(args)
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("{}: {e}", program.display()))?;
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .map_err(|e| format!("{}: no measurement ({e}); stderr: {stderr}", program.display()))?;
    if v["status"].as_i64() != Some(0) {
        return Err(format!("{} {} failed ({}): {stderr}", program.display(), args.join(" "), v["status"]));
    }
    let sample =
        Sample { wall: v["wall"].as_f64().unwrap_or(f64::NAN), max_rss_kb: v["max_rss_kb"].as_u64().unwrap_or(0) };
    Ok((sample, stderr))
}

/// Drops `paths` from the page cache (best effort), so the next read is cold.
pub fn evict(paths: &[PathBuf]) {
    for p in paths {
        if let Ok(f) = std::fs::File::open(p) {
            let _ = nix::fcntl::posix_fadvise(&f, 0, 0, nix::fcntl::PosixFadviseAdvice::POSIX_FADV_DONTNEED);
        }
    }
}

/// The median of some numbers (NaN for none).
pub fn median(xs: &[f64]) -> f64 {
    let mut v: Vec<f64> = xs.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
}

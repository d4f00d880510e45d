//! Timing a command and its exact peak memory.
//!
//! `ntaq-bench measure [--stdout FILE] [--timeout SECS] -- PROGRAM ARGS…`
//! runs PROGRAM as its only child and prints `{"wall": seconds,
//! "max_rss_kb": …, "status": …, "signal": …, "timed_out": …}`:
//! `getrusage(RUSAGE_CHILDREN)` of a process with one child is that child's
//! own peak RSS. The harness runs every measured command through it. A child
//! still running after the timeout is killed (SIGKILL) and reported as timed
//! out, so one runaway query cannot stall the whole run.

use serde_json::{Value, json};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

/// One run of a command.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub wall: f64,
    pub max_rss_kb: u64,
    /// CPU seconds (user + system) of the program; / wall = cores kept busy.
    pub cpu: f64,
}

/// How a measured run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Ok,
    /// Non-zero exit or killed by a signal; a short reason for the report.
    Failed(String),
    /// Still running after this many seconds; killed.
    Timeout(f64),
}

/// The `measure` subcommand (runs in the wrapper process).
pub fn measure_child(
    stdout: Option<&Path>,
    timeout: Option<f64>,
    program: &str,
    args: &[String],
) -> Result<(), String> {
    let out = match stdout {
        Some(p) => Stdio::from(std::fs::File::create(p).map_err(|e| format!("{}: {e}", p.display()))?),
        None => Stdio::null(),
    };
    let start = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("{program}: {e}"))?;
    // A watchdog thread kills the child at the deadline unless told that it
    // ended. (The pid cannot be reused before `wait` below reaps the child,
    // and the watchdog is told right after that, so at worst it signals a
    // pid that no longer exists.)
    let timed_out = Arc::new(AtomicBool::new(false));
    let (done, finished) = mpsc::channel::<()>();
    let watchdog = timeout.map(|secs| {
        let pid = nix::unistd::Pid::from_raw(child.id() as i32);
        let flag = Arc::clone(&timed_out);
        std::thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = finished.recv_timeout(Duration::from_secs_f64(secs)) {
                flag.store(true, Ordering::SeqCst);
                let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
            }
        })
    });
    let status = child.wait().map_err(|e| format!("{program}: {e}"))?;
    let wall = start.elapsed().as_secs_f64();
    let _ = done.send(());
    if let Some(w) = watchdog {
        let _ = w.join();
    }
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .map_err(|e| format!("getrusage: {e}"))?;
    let secs = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
    let line = json!({
        "wall": wall,
        "max_rss_kb": usage.max_rss(),
        "cpu": secs(usage.user_time()) + secs(usage.system_time()),
        "status": status.code(),
        "signal": status.signal(),
        "timed_out": timed_out.load(Ordering::SeqCst),
    });
    let mut text = line.to_string();
    text.push('\n');
    std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes()).map_err(|e| e.to_string())
}

/// Runs `program args` through the wrapper; the program's standard output
/// goes to `stdout` (or nowhere). Fails if the program fails.
pub fn run(program: &Path, args: &[String], stdout: Option<&Path>) -> Result<(Sample, String), String> {
    let (sample, status, stderr) = run_checked(program, args, stdout, None)?;
    match status {
        Status::Ok => Ok((sample, stderr)),
        _ => Err(format!("{} {} failed: {stderr}", program.display(), args.join(" "))),
    }
}

/// Runs `program args` through the wrapper with an optional timeout and
/// says how it ended; `Err` only when the wrapper itself could not run.
pub fn run_checked(
    program: &Path,
    args: &[String],
    stdout: Option<&Path>,
    timeout: Option<f64>,
) -> Result<(Sample, Status, String), String> {
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut cmd = Command::new(me);
    cmd.arg("measure");
    if let Some(p) = stdout {
        cmd.arg("--stdout").arg(p);
    }
    if let Some(t) = timeout {
        cmd.arg("--timeout").arg(t.to_string());
    }
    let o = cmd
        .arg("--")
        .arg(program)
        .args(args)
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("{}: {e}", program.display()))?;
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    let v: Value = serde_json::from_slice(&o.stdout)
        .map_err(|e| format!("{}: no measurement ({e}); stderr: {stderr}", program.display()))?;
    let sample = Sample {
        wall: v["wall"].as_f64().unwrap_or(f64::NAN),
        max_rss_kb: v["max_rss_kb"].as_u64().unwrap_or(0),
        cpu: v["cpu"].as_f64().unwrap_or(f64::NAN),
    };
    let status = classify(&v, &stderr, timeout);
    Ok((sample, status, stderr))
}

/// How a run ended, from the wrapper's JSON and the program's stderr.
pub fn classify(v: &Value, stderr: &str, timeout: Option<f64>) -> Status {
    if v["timed_out"].as_bool() == Some(true) {
        return Status::Timeout(timeout.unwrap_or(f64::NAN));
    }
    match (v["status"].as_i64(), v["signal"].as_i64()) {
        (Some(0), _) => Status::Ok,
        (code, signal) => {
            let fallback = match (code, signal) {
                (_, Some(s)) => format!("killed by signal {s}"),
                (Some(c), _) => format!("exit status {c}"),
                _ => "no exit status".into(),
            };
            Status::Failed(failure_reason(stderr).unwrap_or(fallback))
        }
    }
}

/// Longest reason kept for the report table.
const REASON_CHARS: usize = 100;

/// A one-line reason from a failed run's stderr: ntaq's diagnostic code and
/// message (`kql::exec::memory_limit: the join stopped: …`), or else the last
/// non-empty line (a Python exception). Markdown table cells cannot hold `|`.
pub fn failure_reason(stderr: &str) -> Option<String> {
    let lines: Vec<&str> = stderr.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let code = lines.iter().find_map(|l| {
        let at = l.find("kql::")?;
        let rest = &l[at..];
        let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':')).unwrap_or(rest.len());
        Some((rest[..end].trim_end_matches(':'), rest[end..].trim()))
    });
    let text = match code {
        Some((code, after)) => match lines.iter().find_map(|l| l.strip_prefix('×')) {
            Some(msg) => format!("{code}: {}", msg.trim()),
            None if after.is_empty() => code.to_string(),
            None => format!("{code}: {after}"),
        },
        None => lines.last()?.to_string(),
    };
    let mut short: String = text.chars().take(REASON_CHARS).collect();
    if text.chars().count() > REASON_CHARS {
        short.push('…');
    }
    Some(short.replace('|', "\\|"))
}

/// Writes out what earlier runs left dirty in the page cache (their result
/// files, up to gigabytes), so that a timed run does not share the disk
/// and the kernel's writeback with the output of the run before it.
/// bench.py does the same before each DuckDB execution.
pub fn settle() {
    nix::unistd::sync();
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

/// CSV records (not lines: a quoted field may hold a line break) in the
/// bytes read from `r`, header included.
pub fn csv_records(mut r: impl std::io::Read) -> std::io::Result<u64> {
    let mut buf = vec![0u8; 1 << 16];
    let (mut records, mut quoted, mut open) = (0u64, false, false);
    loop {
        let n = r.read(&mut buf)?;
        if n == 0 {
            break;
        }
        for &b in &buf[..n] {
            match b {
                b'"' => {
                    quoted = !quoted;
                    open = true;
                }
                b'\n' if !quoted => {
                    records += 1;
                    open = false;
                }
                b'\r' if !quoted => {}
                _ => open = true,
            }
        }
    }
    Ok(records + u64::from(open))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_records_counts_records_not_lines() {
        let count = |s: &str| csv_records(s.as_bytes()).unwrap();
        assert_eq!(count(""), 0);
        assert_eq!(count("a,b\n"), 1);
        assert_eq!(count("a,b\n1,2\n3,4\n"), 3);
        assert_eq!(count("a,b\n1,2"), 2, "last record without a line break");
        assert_eq!(count("a,b\r\n\"x\ny\",2\r\n"), 2, "a quoted line break is inside a field");
        assert_eq!(count("a\n\"he said \"\"hi\"\"\"\n"), 2, "doubled quotes");
    }

    #[test]
    fn ntaq_diagnostics_become_code_and_message() {
        let stderr =
            "kql::exec::memory_limit\n\n  × the join stopped: it would need more than 1.2 MiB\n  help: filter\n";
        assert_eq!(
            failure_reason(stderr).unwrap(),
            "kql::exec::memory_limit: the join stopped: it would need more than 1.2 MiB"
        );
        assert_eq!(
            failure_reason("ntaq: kql::io::not_found: no such file\n").unwrap(),
            "kql::io::not_found: no such file"
        );
        assert_eq!(failure_reason("kql::io::x\n").unwrap(), "kql::io::x");
    }

    #[test]
    fn other_failures_keep_their_last_line_shortened_and_escaped() {
        let py =
            "Traceback (most recent call last):\n  File x\nduckdb.OutOfMemoryException: Out of Memory | 12 GiB\n\n";
        assert_eq!(failure_reason(py).unwrap(), "duckdb.OutOfMemoryException: Out of Memory \\| 12 GiB");
        let long = "x".repeat(300);
        assert_eq!(failure_reason(&long).unwrap().chars().count(), REASON_CHARS + 1);
        assert_eq!(failure_reason("  \n"), None);
    }

    #[test]
    fn runs_are_classified_ok_failed_or_timed_out() {
        let ok = json!({"wall": 1.0, "status": 0, "signal": null, "timed_out": false});
        assert_eq!(classify(&ok, "warning: x", Some(5.0)), Status::Ok);
        let failed = json!({"status": 1, "signal": null, "timed_out": false});
        assert_eq!(classify(&failed, "", None), Status::Failed("exit status 1".into()));
        assert_eq!(classify(&failed, "boom\n", None), Status::Failed("boom".into()));
        let killed = json!({"status": null, "signal": 9, "timed_out": false});
        assert_eq!(classify(&killed, "", None), Status::Failed("killed by signal 9".into()));
        let late = json!({"status": null, "signal": 9, "timed_out": true});
        assert_eq!(classify(&late, "", Some(600.0)), Status::Timeout(600.0));
    }
}

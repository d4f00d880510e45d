//! The kit of ntaq's integration tests: where the repository is, and one way
//! to run the `ntaq` binary.
//!
//! Every run gets an environment of its own, whatever the shell that started
//! `cargo test` has set: no `NTAQ_*` variable (`NTAQ_DATA`, `NTAQ_CONFIG`,
//! `NTAQ_HISTORY`, …), no `COLUMNS`, `NO_COLOR=1`, and `HOME`,
//! `XDG_CONFIG_HOME` and `XDG_DATA_HOME` in an empty directory of the build's
//! own, so neither the user's config file (`~/.config/ntaq/config.toml`) nor
//! their REPL history is read or written. A test that needs one of these
//! sets it on the [`command`] it builds; the tests never change the
//! environment of the test process itself (they all share it).
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

/// The repository root (queries/, testdata/ and docs/ are relative to it).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// An empty home directory for the runs, under the build's temporary
/// directory (made once per test binary).
fn home() -> &'static Path {
    static HOME: OnceLock<PathBuf> = OnceLock::new();
    HOME.get_or_init(|| {
        let home = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ntaq-test-home");
        std::fs::create_dir_all(&home).unwrap();
        home
    })
}

/// Gives `cmd` the tests' environment (see the module docs); for commands
/// that start ntaq themselves (`sh -c`, `script`).
pub fn isolate(cmd: &mut Command) -> &mut Command {
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("NTAQ_") {
            cmd.env_remove(name);
        }
    }
    let home = home();
    cmd.env_remove("COLUMNS")
        .env("NO_COLOR", "1")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
}

/// The `ntaq` binary, to run in `dir` with the tests' environment.
pub fn command(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ntaq"));
    cmd.current_dir(dir);
    isolate(&mut cmd);
    cmd
}

/// Runs `cmd` with `stdin` as its standard input and collects its output.
/// ntaq may exit before it reads its input (a usage error): the broken pipe
/// is not a failure of the test.
pub fn output(cmd: &mut Command, stdin: &[u8]) -> Output {
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Err(e) = input.write_all(stdin) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    drop(input);
    child.wait_with_output().unwrap()
}

/// `ntaq ARGS` in the repository root, with nothing on standard input.
pub fn ntaq(args: &[&str]) -> Output {
    ntaq_in_with(&repo(), args, "")
}

/// `ntaq ARGS` in `dir`, with nothing on standard input.
pub fn ntaq_in(dir: &Path, args: &[&str]) -> Output {
    ntaq_in_with(dir, args, "")
}

/// `ntaq ARGS` in the repository root, with `stdin` on standard input.
pub fn ntaq_with(args: &[&str], stdin: &str) -> Output {
    ntaq_in_with(&repo(), args, stdin)
}

/// `ntaq ARGS` in `dir`, with `stdin` on standard input.
pub fn ntaq_in_with(dir: &Path, args: &[&str], stdin: &str) -> Output {
    output(command(dir).args(args), stdin.as_bytes())
}

/// Standard output as text (invalid UTF-8 replaced).
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text (invalid UTF-8 replaced).
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The flags of README.md's first command: the clock and the article's
/// parameters that the four scenario queries need on the bundled sample.
pub const README_PARAMS: [&str; 10] = [
    "--now",
    "2025-06-02T00:00:00Z",
    "--param",
    "timeInterval:startISO=2025-06-01T00:00:00Z",
    "--param",
    "timeInterval:endISO=2025-06-02T00:00:00Z",
    "--param",
    "start=2025-06-01T00:00:00Z",
    "--param",
    "end=2025-06-02T00:00:00Z",
];

/// The names in `dir`, sorted.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

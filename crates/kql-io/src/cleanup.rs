//! Files to remove if the process ends without unwinding.
//!
//! Temporary files and folders remove themselves when dropped, but a process
//! ended by a signal (Ctrl-C outside a query, `kill`, a closed terminal)
//! exits without running destructors. Every temporary file or folder that
//! lives outside a query's own unwinding — the hidden files outputs are
//! staged in, `ntaq convert`'s partial Parquet file, the CLI's scratch
//! folders — is [`register`]ed here while it exists, and the signal handler
//! calls [`remove_all`] just before it exits. (Spill files need no entry:
//! they are unlinked as soon as they are created.)

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn live() -> MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A path known to [`remove_all`] while this value lives. Dropping it
/// forgets the path (the owner removes or renames the file itself).
#[derive(Debug)]
pub struct Registered(PathBuf);

/// Makes `path` (a file or a folder) known to [`remove_all`] until the
/// returned value is dropped.
pub fn register(path: &Path) -> Registered {
    live().push(path.to_path_buf());
    Registered(path.to_path_buf())
}

impl Drop for Registered {
    fn drop(&mut self) {
        let mut live = live();
        if let Some(at) = live.iter().rposition(|p| p == &self.0) {
            live.swap_remove(at);
        }
    }
}

/// Removes every registered file and folder now, for a process about to
/// exit without running destructors. The registry stays locked until the
/// end, so a file registered meanwhile waits for the exit.
pub fn remove_all() {
    let mut live = live();
    for path in live.drain(..) {
        let removed = std::fs::remove_file(&path);
        if removed.is_err() {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

/// Whether `path` is registered now (for tests).
pub fn is_registered(path: &Path) -> bool {
    live().iter().any(|p| p == path)
}

#[cfg(test)]
mod tests {
    use super::*;

    // `remove_all` is not called here: it would remove the files of the
    // tests running beside this one. The CLI's signal test calls it.
    #[test]
    fn a_path_is_registered_while_its_guard_lives() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let guard = register(&a);
        let twice = register(&a);
        assert!(is_registered(&a));
        drop(guard);
        assert!(is_registered(&a), "the second registration still holds it");
        drop(twice);
        assert!(!is_registered(&a));
    }
}

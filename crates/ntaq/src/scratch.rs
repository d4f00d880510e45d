//! Scratch folders: files ntaq writes for a session's own use (the
//! FlowTuples read from flow-log blobs, as Parquet), in `$TMPDIR`, removed
//! when the session ends — when the [`ScratchDir`] is dropped, or by
//! [`remove_all`] when Ctrl-C ends the process without unwinding.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The scratch folders that exist now (for [`remove_all`]).
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn live() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A folder of `$TMPDIR` removed, with its files, when dropped.
#[derive(Debug)]
pub struct ScratchDir {
    dir: tempfile::TempDir,
}

impl ScratchDir {
    /// A new, empty folder `ntaq-PURPOSE-XXXXXX` in `$TMPDIR`.
    pub fn new(purpose: &str) -> std::io::Result<ScratchDir> {
        let dir = tempfile::Builder::new().prefix(&format!("ntaq-{purpose}-")).tempdir()?;
        live().push(dir.path().to_path_buf());
        Ok(ScratchDir { dir })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        live().retain(|p| p != self.dir.path());
    }
}

/// Removes every scratch folder now (the process is about to exit without
/// running destructors).
pub fn remove_all() {
    for dir in live().drain(..) {
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // `remove_all` is not called here: it would remove the scratch folders
    // of the tests running beside this one.
    #[test]
    fn a_scratch_folder_is_known_while_it_lives_and_removed_when_dropped() {
        let a = ScratchDir::new("test").unwrap();
        std::fs::write(a.path().join("f"), b"x").unwrap();
        let path = a.path().to_path_buf();
        assert!(live().contains(&path), "remove_all would find it");
        drop(a);
        assert!(!path.exists());
        assert!(!live().contains(&path));
    }
}

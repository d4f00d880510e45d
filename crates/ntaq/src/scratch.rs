//! Scratch folders: files ntaq writes for a session's own use (the
//! FlowTuples read from flow-log blobs, as Parquet), in `$TMPDIR`, removed
//! when the session ends — when the [`ScratchDir`] is dropped, or by
//! [`kql_io::cleanup::remove_all`] when a signal ends the process without
//! unwinding (see [`crate::interrupt`]).

use kql_io::cleanup::Registered;
use std::path::Path;

/// A folder of `$TMPDIR` removed, with its files, when dropped.
#[derive(Debug)]
pub struct ScratchDir {
    dir: tempfile::TempDir,
    _registered: Registered,
}

impl ScratchDir {
    /// A new, empty folder `ntaq-PURPOSE-XXXXXX` in `$TMPDIR`.
    pub fn new(purpose: &str) -> std::io::Result<ScratchDir> {
        let dir = tempfile::Builder::new().prefix(&format!("ntaq-{purpose}-")).tempdir()?;
        let registered = kql_io::cleanup::register(dir.path());
        Ok(ScratchDir { dir, _registered: registered })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kql_io::cleanup::is_registered;

    #[test]
    fn a_scratch_folder_is_known_while_it_lives_and_removed_when_dropped() {
        let a = ScratchDir::new("test").unwrap();
        std::fs::write(a.path().join("f"), b"x").unwrap();
        let path = a.path().to_path_buf();
        assert!(is_registered(&path), "remove_all would find it");
        drop(a);
        assert!(!path.exists());
        assert!(!is_registered(&path));
    }
}

//! Finding the blobs: every `*.json` file under the given folders, as
//! `az storage blob download-batch` or azcopy lay them out (any depth; the
//! path is not relied on: a blob is recognised by its content).

use crate::error::FlowLogError;
use std::path::{Path, PathBuf};

/// A file to read, with its size (for progress).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    pub path: PathBuf,
    pub bytes: u64,
}

/// The `*.json` files under `roots` (a root that is a file is taken as
/// it is), sorted by path within each root. Hidden files and folders (a
/// leading `.`, such as azcopy's partial downloads) are left out.
pub fn find_blobs(roots: &[PathBuf]) -> Result<Vec<Blob>, FlowLogError> {
    let mut out = Vec::new();
    for root in roots {
        let meta = std::fs::metadata(root).map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => FlowLogError::NotFound { path: root.clone() },
            _ => FlowLogError::Unreadable { path: root.clone(), source },
        })?;
        if meta.is_file() {
            out.push(Blob { path: root.clone(), bytes: meta.len() });
            continue;
        }
        let mut found = Vec::new();
        walk(root, &mut found)?;
        found.sort_by(|a, b| a.path.cmp(&b.path));
        out.extend(found);
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<Blob>) -> Result<(), FlowLogError> {
    let unreadable = |source| FlowLogError::Unreadable { path: dir.to_path_buf(), source };
    for entry in std::fs::read_dir(dir).map_err(unreadable)? {
        let entry = entry.map_err(unreadable)?;
        let path = entry.path();
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.starts_with('.') {
            continue;
        }
        let meta =
            std::fs::metadata(&path).map_err(|source| FlowLogError::Unreadable { path: path.clone(), source })?;
        if meta.is_dir() {
            walk(&path, out)?;
        } else if meta.is_file() && name.to_ascii_lowercase().ends_with(".json") {
            out.push(Blob { path, bytes: meta.len() });
        }
    }
    Ok(())
}

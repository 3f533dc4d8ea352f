//! The rule files of the workspace that are not open, for cross-file lints
//! (`rule/duplicate`). The walk is bounded: an editor opened on a home
//! directory must not make every keystroke read thousands of files.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

/// At most this many directory entries are visited per root.
const MAX_ENTRIES: usize = 20_000;
/// At most this many YAML files are taken from the workspace.
const MAX_FILES: usize = 500;
/// Larger files are skipped (rule files are small; this is a generated dump).
const MAX_FILE_BYTES: u64 = 1 << 20;

#[derive(Default)]
pub struct Workspace {
    roots: Vec<PathBuf>,
    /// The YAML files found, `None` until the first walk (or after a change).
    files: Option<Vec<PathBuf>>,
    contents: HashMap<PathBuf, (SystemTime, Arc<Vec<u8>>)>,
}

impl Workspace {
    pub fn set_roots(&mut self, roots: Vec<PathBuf>) {
        self.roots = roots;
        self.files = None;
    }

    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    /// Forgets the file list: files were created, deleted or renamed.
    pub fn invalidate(&mut self) {
        self.files = None;
    }

    /// The workspace's YAML files (walked once, then cached).
    pub fn files(&mut self) -> &[PathBuf] {
        let roots = &self.roots;
        self.files.get_or_insert_with(|| walk(roots))
    }

    /// A file's bytes, re-read only when its modification time changed.
    /// `None` when it cannot be read or is too large.
    pub fn read(&mut self, path: &Path) -> Option<Arc<Vec<u8>>> {
        let metadata = std::fs::metadata(path).ok()?;
        if metadata.len() > MAX_FILE_BYTES {
            return None;
        }
        let modified = metadata.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        if let Some((seen, bytes)) = self.contents.get(path) {
            if *seen == modified {
                return Some(bytes.clone());
            }
        }
        let bytes = Arc::new(crate::read::read_bytes(path, MAX_FILE_BYTES as usize).ok()?);
        self.contents.insert(path.to_path_buf(), (modified, bytes.clone()));
        Some(bytes)
    }

    /// The name a workspace file is reported under: relative to its root.
    pub fn display_name(&self, path: &Path) -> String {
        self.roots.iter().find_map(|root| path.strip_prefix(root).ok()).unwrap_or(path).display().to_string()
    }
}

fn walk(roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    'roots: for root in roots {
        let walker = ignore::WalkBuilder::new(root).require_git(false).follow_links(false).build();
        for entry in walker.take(MAX_ENTRIES).flatten() {
            let path = entry.path();
            let is_yaml = matches!(path.extension().and_then(|e| e.to_str()), Some("yml" | "yaml"));
            if is_yaml && entry.file_type().is_some_and(|t| t.is_file()) {
                files.push(path.to_path_buf());
                if files.len() >= MAX_FILES {
                    break 'roots;
                }
            }
        }
    }
    files.sort();
    files.dedup();
    files
}

//! Glob and path helpers shared by the configuration (`include`, `exclude`,
//! server and policy `paths`), discovery and the catalog's metrics files.
//! Depends on nothing else in the crate.

use std::path::{Path, PathBuf};

/// Deepest nesting of `{a,b}` groups accepted in a glob.
pub const MAX_GLOB_BRACE_DEPTH: usize = 16;

/// Checks what the glob library would otherwise fail on with an unclear
/// message (or only after compiling a huge regex): deeply nested braces.
pub fn check_glob(pattern: &str) -> Result<(), String> {
    let mut depth = 0usize;
    let mut deepest = 0usize;
    let mut escaped = false;
    for c in pattern.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if deepest > MAX_GLOB_BRACE_DEPTH {
        return Err(format!("`{{…}}` groups are nested {deepest} deep; the limit is {MAX_GLOB_BRACE_DEPTH}"));
    }
    Ok(())
}

/// `path` made absolute: canonical when it exists, else joined to the
/// current directory (as for `--stdin-filename`, which may name no file).
pub fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path)
        .unwrap_or_else(|_| std::env::current_dir().map(|d| d.join(path)).unwrap_or_else(|_| path.to_path_buf()))
}

/// `path` (existing or not) relative to `base` (an absolute, canonical
/// directory), as configuration globs are matched; `path` itself when it is
/// outside `base`.
pub fn relative_to(base: &Path, path: &Path) -> PathBuf {
    absolute(path).strip_prefix(base).map(Path::to_path_buf).unwrap_or_else(|_| path.to_path_buf())
}

//! Globs and the paths they are matched against, for the configuration (`include`, `exclude`,
//! server and policy `paths`), discovery and the catalog's metrics files.
//! Depends on nothing else in the crate.

use std::path::{Path, PathBuf};

/// Whether `*` and `?` match `/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Separator {
    /// They do: `*.yaml` matches `a/b.yaml` (`include`, `exclude`, policy `paths`).
    Crossed,
    /// They do not, as with Go's `filepath.Glob`: `*` stays within one
    /// directory (Prometheus's `rule_files`, server `paths`, `--metrics`).
    Literal,
}

/// Compiles one glob; the error is the glob library's message.
pub fn glob(pattern: &str, separator: Separator) -> Result<globset::Glob, globset::Error> {
    globset::GlobBuilder::new(pattern).literal_separator(separator == Separator::Literal).build()
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_decide_whether_a_star_crosses_directories() {
        let crossed = glob("*.yaml", Separator::Crossed).map(|g| g.compile_matcher());
        let literal = glob("*.yaml", Separator::Literal).map(|g| g.compile_matcher());
        assert!(crossed.as_ref().is_ok_and(|m| m.is_match("a/b.yaml")));
        assert!(literal.as_ref().is_ok_and(|m| !m.is_match("a/b.yaml") && m.is_match("b.yaml")));
        assert!(glob("a[", Separator::Crossed).is_err());
        assert!(check_glob(&"{".repeat(MAX_GLOB_BRACE_DEPTH + 1)).is_err());
    }
}

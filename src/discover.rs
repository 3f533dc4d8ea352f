//! Finding the rule files to check: explicit files as given, directories
//! walked recursively honouring `.gitignore`/`.ignore`, `*.yml`/`*.yaml` picked.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::config::{Config, ConfigError};

/// Files found, and paths that could not be read (exit code 2).
#[derive(Debug, Default)]
pub struct Discovered {
    pub files: Vec<PathBuf>,
    pub errors: Vec<String>,
}

fn glob_set(patterns: &[String], what: &str) -> Result<Option<GlobSet>, ConfigError> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let invalid = |pattern: &str, e: &dyn std::fmt::Display| {
        ConfigError::new(format!("invalid `{what}` pattern `{}`: {e}", shorten(pattern)))
    };
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        check_glob(pattern).map_err(|e| invalid(pattern, &e))?;
        builder.add(Glob::new(pattern).map_err(|e| invalid(pattern, &e))?);
    }
    builder.build().map(Some).map_err(|e| {
        // The set's error names a pattern by index only: find which one fails.
        let failing =
            patterns.iter().find(|p| Glob::new(p).map_or(true, |g| GlobSetBuilder::new().add(g).build().is_err()));
        match failing {
            Some(pattern) => invalid(pattern, &e),
            None => ConfigError::new(format!("invalid `{what}` patterns: {e}")),
        }
    })
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

/// A pattern short enough to quote in a message.
fn shorten(pattern: &str) -> String {
    const MAX: usize = 80;
    if pattern.chars().count() <= MAX {
        return pattern.to_string();
    }
    let head: String = pattern.chars().take(MAX).collect();
    format!("{head}…")
}

fn is_yaml(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("yml" | "yaml"))
}

/// The configuration's `include`/`exclude` globs, matched against paths
/// relative to the configuration's directory.
pub struct Filter {
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
    base: PathBuf,
}

impl Filter {
    pub fn new(config: &Config) -> Result<Filter, ConfigError> {
        Ok(Filter {
            include: glob_set(&config.include, "include")?,
            exclude: glob_set(&config.exclude, "exclude")?,
            base: std::fs::canonicalize(&config.base_dir).unwrap_or_else(|_| config.base_dir.clone()),
        })
    }

    /// Whether `path` (existing or not, as for `--stdin-filename`) is to be checked.
    pub fn wants(&self, path: &Path) -> bool {
        // Canonicalising costs system calls per file: only when a glob needs it.
        if self.include.is_none() && self.exclude.is_none() {
            return true;
        }
        let absolute = std::fs::canonicalize(path)
            .unwrap_or_else(|_| std::env::current_dir().map(|d| d.join(path)).unwrap_or_else(|_| path.to_path_buf()));
        let rel = absolute.strip_prefix(&self.base).map(Path::to_path_buf).unwrap_or_else(|_| path.to_path_buf());
        let included = self.include.as_ref().is_none_or(|set| set.is_match(&rel));
        let excluded = self.exclude.as_ref().is_some_and(|set| set.is_match(&rel));
        included && !excluded
    }
}

/// Walks `paths`; files found in directories are filtered by the
/// configuration's `include`/`exclude`, files named explicitly are not.
pub fn discover(paths: &[PathBuf], config: &Config) -> Result<Discovered, ConfigError> {
    let filter = Filter::new(config)?;
    let wanted = |path: &Path| filter.wants(path);

    let mut found = Discovered::default();
    for path in paths {
        let metadata = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                found.errors.push(format!("{}: {e}", path.display()));
                continue;
            }
        };
        if !metadata.is_dir() {
            found.files.push(path.clone());
            continue;
        }
        let walker = ignore::WalkBuilder::new(path).require_git(false).follow_links(true).build();
        for entry in walker {
            match entry {
                Ok(entry) => {
                    let p = entry.path();
                    if entry.file_type().is_some_and(|t| t.is_file()) && is_yaml(p) && wanted(p) {
                        found.files.push(p.to_path_buf());
                    }
                }
                Err(e) => found.errors.push(e.to_string()),
            }
        }
    }
    found.files.sort();
    found.files.dedup();
    Ok(found)
}

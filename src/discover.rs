//! Finding the rule files to check. Files named explicitly are taken as
//! given; directories are walked recursively honouring `.gitignore`/`.ignore`
//! and every file is considered whatever its extension: whether it is a rule
//! file is decided by its content (here a cheap look at the text, then the
//! loader's classification; see `cli`).

use std::path::{Path, PathBuf};

use globset::{GlobSet, GlobSetBuilder};
use rayon::prelude::*;

use crate::config::{Config, ConfigError};
use crate::globs::{self, Separator};

/// A file to check.
#[derive(Debug)]
pub struct Found {
    pub path: PathBuf,
    /// Named on the command line (checked whatever it holds), rather than
    /// found by walking a directory (skipped unless it holds rules).
    pub named: bool,
    /// The directory argument it was found under (index into `Discovered::dirs`).
    pub root: Option<usize>,
    /// Empty when `oversized`.
    pub bytes: Vec<u8>,
    /// Larger than the limit: reported as such, not read.
    pub oversized: bool,
}

/// Files found, the directories walked, and paths that could not be read (exit code 2).
#[derive(Debug, Default)]
pub struct Discovered {
    pub files: Vec<Found>,
    pub dirs: Vec<PathBuf>,
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
        globs::check_glob(pattern).map_err(|e| invalid(pattern, &e))?;
        builder.add(globs::glob(pattern, Separator::Crossed).map_err(|e| invalid(pattern, &e))?);
    }
    builder.build().map(Some).map_err(|e| {
        // The set's error names a pattern by index only: find which one fails.
        let failing = patterns.iter().find(|p| {
            globs::glob(p, Separator::Crossed).map_or(true, |g| GlobSetBuilder::new().add(g).build().is_err())
        });
        match failing {
            Some(pattern) => invalid(pattern, &e),
            None => ConfigError::new(format!("invalid `{what}` patterns: {e}")),
        }
    })
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

/// What a walk does with a file, by the configuration's globs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    /// Excluded, or not among the `include` globs.
    Skip,
    /// No glob says anything: read it if it may hold rules.
    ByContent,
    /// Matched by an `include` glob: read it whatever its name or size.
    Included,
}

/// The configuration's `include`/`exclude` globs, matched against paths
/// relative to the configuration's directory (or, for globs inherited
/// through `extends`, to the directory of the file that wrote them).
pub struct Filter {
    include: Option<(GlobSet, PathBuf)>,
    exclude: Option<(GlobSet, PathBuf)>,
}

fn canonical(dir: &Path) -> PathBuf {
    std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf())
}

impl Filter {
    pub fn new(config: &Config) -> Result<Filter, ConfigError> {
        let base = |inherited: &Option<PathBuf>| canonical(inherited.as_deref().unwrap_or(&config.base_dir));
        Ok(Filter {
            include: glob_set(&config.include, "include")?.map(|set| (set, base(&config.include_base))),
            exclude: glob_set(&config.exclude, "exclude")?.map(|set| (set, base(&config.exclude_base))),
        })
    }

    /// Whether `path` (existing or not, as for `--stdin-filename`) is to be checked.
    pub fn wants(&self, path: &Path) -> bool {
        self.pick(path) != Pick::Skip
    }

    pub fn pick(&self, path: &Path) -> Pick {
        // Canonicalising costs system calls per file: only when a glob needs it.
        if self.include.is_none() && self.exclude.is_none() {
            return Pick::ByContent;
        }
        let absolute = globs::absolute(path);
        let matches = |(set, base): &(GlobSet, PathBuf)| {
            let rel = absolute.strip_prefix(base).unwrap_or(path);
            set.is_match(rel)
        };
        if self.exclude.as_ref().is_some_and(matches) {
            return Pick::Skip;
        }
        match &self.include {
            None => Pick::ByContent,
            Some(include) if matches(include) => Pick::Included,
            Some(_) => Pick::Skip,
        }
    }
}

/// Files a walk skips by name: binary formats and source code, which never hold rules.
const SKIPPED_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "ico", "bmp", "webp", "svg", "pdf", "zip", "gz", "tgz", "bz2", "xz", "zst", "tar",
    "jar", "war", "class", "so", "dylib", "dll", "exe", "o", "a", "rlib", "wasm", "pyc", "woff", "woff2", "ttf", "otf",
    "eot", "mp3", "mp4", "mov", "avi", "db", "sqlite", "pb", "parquet", "lock", "go", "rs", "py", "js", "ts", "java",
    "c", "h", "cc", "cpp", "md", "html", "css", "sum", "mod",
];

/// Largest file a walk reads unless an `include` glob names it: rule files
/// are far smaller, generated data dumps are not.
const WALK_MAX_BYTES: u64 = 8 << 20;

/// How much of a file is looked at for a NUL byte (the mark of a binary).
const SNIFF_BYTES: usize = 8 << 10;

fn is_yaml(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("yml" | "yaml"))
}

/// Walks `paths`. `pick` says, for a file found in a directory, what the
/// configuration that applies to it wants; files named explicitly are always
/// taken. `limit` bounds the bytes read from one file.
pub fn discover(
    paths: &[PathBuf],
    limit: usize,
    pick: &mut dyn FnMut(&Path) -> Result<Pick, ConfigError>,
) -> Result<Discovered, ConfigError> {
    let mut found = Discovered::default();
    // Files are listed first, in order, then read in parallel: the reads
    // are a good part of a large run.
    let mut steps: Vec<Step> = Vec::new();
    for path in paths {
        let metadata = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                steps.push(Step::Error(format!("{}: {e}", path.display())));
                continue;
            }
        };
        if !metadata.is_dir() {
            steps.push(Step::Read { path: path.clone(), how: None, root: None });
            continue;
        }
        let root = found.dirs.len();
        found.dirs.push(path.clone());
        let walker = ignore::WalkBuilder::new(path).require_git(false).follow_links(true).build();
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    steps.push(Step::Error(e.to_string()));
                    continue;
                }
            };
            let p = entry.path();
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let how = pick(p)?;
            if how == Pick::Skip {
                continue;
            }
            steps.push(Step::Read { path: p.to_path_buf(), how: Some(how), root: Some(root) });
        }
    }
    let read: Vec<Option<Result<Option<Vec<u8>>, crate::read::ReadError>>> = steps
        .par_iter()
        .map(|step| match step {
            Step::Error(_) => None,
            Step::Read { path, how: None, .. } => Some(crate::read::read_bytes(path, limit).map(Some)),
            Step::Read { path, how: Some(how), .. } => Some(read_candidate(path, *how, limit)),
        })
        .collect();
    for (step, read) in steps.into_iter().zip(read) {
        let (path, named, root) = match step {
            Step::Error(message) => {
                found.errors.push(message);
                continue;
            }
            Step::Read { path, how, root } => (path, how.is_none(), root),
        };
        let Some(read) = read else { continue };
        match read {
            Ok(Some(bytes)) => found.files.push(Found { path, named, root, bytes, oversized: false }),
            Ok(None) => {}
            Err(crate::read::ReadError::TooLarge(_)) => {
                found.files.push(Found { path, named, root, bytes: Vec::new(), oversized: true })
            }
            Err(e) => found.errors.push(format!("{}: {e}", path.display())),
        }
    }
    found.files.sort_by(|a, b| a.path.cmp(&b.path).then(b.named.cmp(&a.named)));
    found.files.dedup_by(|later, first| later.path == first.path);
    Ok(found)
}

/// What discovery does, in order: report an error, or read a file (named
/// on the command line when `how` is `None`, found in directory `root`
/// otherwise).
enum Step {
    Error(String),
    Read { path: PathBuf, how: Option<Pick>, root: Option<usize> },
}

/// The bytes of a file found by a walk, when they may be a rule file.
fn read_candidate(path: &Path, how: Pick, limit: usize) -> Result<Option<Vec<u8>>, crate::read::ReadError> {
    let yaml = is_yaml(path);
    if how == Pick::ByContent && !yaml {
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
        if SKIPPED_EXTENSIONS.contains(&extension.as_str()) {
            return Ok(None);
        }
        if std::fs::metadata(path).is_ok_and(|m| m.len() > WALK_MAX_BYTES) {
            return Ok(None);
        }
    }
    let bytes = crate::read::read_bytes(path, limit)?;
    // YAML files are read whatever they hold, so that one that is not valid
    // YAML is reported (`yaml/syntax`); the others only when they may be rules.
    if how == Pick::Included || yaml {
        return Ok(Some(bytes));
    }
    if bytes[..bytes.len().min(SNIFF_BYTES)].contains(&0) {
        return Ok(None);
    }
    match std::str::from_utf8(&bytes) {
        Ok(text) if crate::model::looks_like_rules(text) => Ok(Some(bytes)),
        _ => Ok(None),
    }
}

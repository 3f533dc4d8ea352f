//! `--changed-since REF`: what a merge request changed, read from git itself
//! (its command line, so every repository layout git understands works).
//!
//! Findings are kept on rules added or changed since REF, and findings that
//! belong to no rule in files changed since REF. The whole tree is still
//! loaded and linted, so cross-file lints see everything.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::engine::FileReport;
use crate::model::{self, LoadOptions, RuleFile, RuleKind};
use crate::source::SourceFile;

/// A file changed since the revision, with its text then (`None`: added).
#[derive(Debug)]
pub struct ChangedFile {
    pub before: Option<String>,
}

/// What changed since a revision in the git work tree around the current directory.
#[derive(Debug, Default)]
pub struct Changes {
    /// Canonical path → the file then. Deleted files are in `deleted`.
    pub files: HashMap<PathBuf, ChangedFile>,
    /// Texts of files deleted since the revision.
    pub deleted: Vec<(PathBuf, String)>,
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let output =
        Command::new("git").args(args).current_dir(dir).output().map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!("git {}: {}", args.join(" "), stderr.trim()));
    }
    Ok(output.stdout)
}

/// A file's text at `rev`, or `None` when it is not there (or not text).
fn show(top: &Path, rev: &str, path: &str) -> Option<String> {
    let bytes = git(top, &["show", &format!("{rev}:{path}")]).ok()?;
    if bytes.len() > crate::engine::MAX_FILE_BYTES {
        return None;
    }
    String::from_utf8(bytes).ok()
}

impl Changes {
    /// Reads the changes between `rev` and the work tree (staged, unstaged and
    /// untracked files included) of the repository containing `dir`.
    pub fn since(dir: &Path, rev: &str) -> Result<Changes, String> {
        if rev.starts_with('-') {
            return Err(format!("`{rev}` is not a revision"));
        }
        let top = String::from_utf8_lossy(&git(dir, &["rev-parse", "--show-toplevel"])?).trim().to_string();
        let top = PathBuf::from(top);
        let commit = format!("{rev}^{{commit}}");
        git(&top, &["rev-parse", "--verify", "--quiet", &commit])
            .map_err(|_| format!("unknown git revision `{rev}`"))?;
        let diff = git(&top, &["diff", "--name-status", "-z", "-M", rev, "--"])?;
        let mut changes = Changes::default();
        let canonical = |p: &str| std::fs::canonicalize(top.join(p)).unwrap_or_else(|_| top.join(p));
        let mut fields = diff.split(|&b| b == 0).map(|f| String::from_utf8_lossy(f).into_owned());
        while let Some(status) = fields.next() {
            if status.is_empty() {
                continue;
            }
            let Some(path) = fields.next() else { break };
            match status.chars().next() {
                Some('R') | Some('C') => {
                    let Some(new) = fields.next() else { break };
                    let before = show(&top, rev, &path);
                    changes.files.insert(canonical(&new), ChangedFile { before });
                }
                Some('D') => {
                    if let Some(text) = show(&top, rev, &path) {
                        changes.deleted.push((top.join(&path), text));
                    }
                }
                Some('A') => {
                    changes.files.insert(canonical(&path), ChangedFile { before: None });
                }
                _ => {
                    let before = show(&top, rev, &path);
                    changes.files.insert(canonical(&path), ChangedFile { before });
                }
            }
        }
        let untracked = git(&top, &["ls-files", "-z", "--others", "--exclude-standard"])?;
        for path in untracked.split(|&b| b == 0).filter(|p| !p.is_empty()) {
            let path = String::from_utf8_lossy(path);
            changes.files.entry(canonical(&path)).or_insert(ChangedFile { before: None });
        }
        Ok(changes)
    }

    /// Keeps only the findings on what changed.
    pub fn filter(&self, reports: &mut [FileReport]) {
        for report in reports.iter_mut() {
            let path = std::fs::canonicalize(report.file.name()).unwrap_or_else(|_| PathBuf::from(report.file.name()));
            let Some(changed) = self.files.get(&path) else {
                report.diagnostics.clear();
                continue;
            };
            let Some(before) = &changed.before else { continue };
            let unchanged = rule_texts(&SourceFile::new("before", before.as_str()));
            let file = &report.file;
            let model = &report.model;
            report.diagnostics.retain(|d| {
                let Some(rule_name) = d.rule.as_deref() else { return true };
                let rule = model
                    .groups
                    .iter()
                    .filter(|g| Some(g.name.value.as_str()) == d.group.as_deref())
                    .flat_map(|g| g.rules.iter().map(move |r| (g, r)))
                    // A finding may sit at the very end of its rule (a parse error at the end of `expr`).
                    .find(|(_, r)| {
                        r.name.value == rule_name && r.span.start <= d.span.start && d.span.start <= r.span.end
                    });
                match rule {
                    Some((group, rule)) => {
                        !unchanged.contains(&(group.name.value.to_string(), normalise(&file.text()[rule.span.range()])))
                    }
                    None => true,
                }
            });
        }
    }

    /// Recording rules defined before the change, by name, with the file
    /// they were in.
    pub fn recorded_before(&self) -> Vec<(String, PathBuf)> {
        let mut out = Vec::new();
        let olds = self
            .files
            .iter()
            .filter_map(|(p, f)| f.before.as_deref().map(|t| (p.clone(), t)))
            .chain(self.deleted.iter().map(|(p, t)| (p.clone(), t.as_str())));
        for (path, text) in olds {
            let file = SourceFile::new(path.display().to_string(), text);
            for group in load(&file).groups {
                for rule in group.rules {
                    if rule.kind == RuleKind::Record {
                        out.push((rule.name.value.into(), path.clone()));
                    }
                }
            }
        }
        out
    }
}

fn load(file: &SourceFile) -> RuleFile {
    model::load(file, &LoadOptions::default())
}

/// (group, rule text) of every rule in a file: a rule whose text is the
/// same is unchanged wherever it moved in the file.
fn rule_texts(file: &SourceFile) -> HashSet<(String, String)> {
    let model = load(file);
    model
        .groups
        .iter()
        .flat_map(|g| g.rules.iter().map(move |r| (g.name.value.to_string(), normalise(&file.text()[r.span.range()]))))
        .collect()
}

/// A rule item's text without trailing blanks on its lines: re-indenting or
/// line-ending changes alone do not make a rule "changed".
fn normalise(text: &str) -> String {
    text.lines().map(|l| l.trim()).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n")
}

/// A rule that reads a recording rule removed or renamed since the revision.
#[derive(Debug, PartialEq, Eq)]
pub struct RemovedDependency {
    /// Index of the report and the selector's span in its file.
    pub report: usize,
    pub span: crate::span::Span,
    pub group: String,
    pub rule: String,
    pub metric: String,
}

/// Every selector that reads a recording rule defined before the change and
/// recorded by no rule now.
pub fn removed_dependencies(recorded_before: &[(String, PathBuf)], reports: &[FileReport]) -> Vec<RemovedDependency> {
    let recorded_now: HashSet<&str> = reports
        .iter()
        .flat_map(|r| &r.model.groups)
        .flat_map(|g| &g.rules)
        .filter(|r| r.kind == RuleKind::Record)
        .map(|r| r.name.value.as_str())
        .collect();
    let removed: HashSet<&str> =
        recorded_before.iter().map(|(n, _)| n.as_str()).filter(|n| !recorded_now.contains(n)).collect();
    if removed.is_empty() {
        return Vec::new();
    }
    let options = crate::promql::ParseOptions::all_enabled();
    let mut out = Vec::new();
    for (index, report) in reports.iter().enumerate() {
        for group in &report.model.groups {
            for rule in &group.rules {
                let Some(expr) = &rule.expr else { continue };
                // Cheap test first: most rules read none of the removed names.
                if !removed.iter().any(|name| expr.value.contains(name)) {
                    continue;
                }
                let Ok(tree) = crate::promql::parse(&expr.value, &options) else { continue };
                for (node, selector) in tree.vector_selectors() {
                    if let Some(name) = selector.metric_name().filter(|n| removed.contains(n)) {
                        out.push(RemovedDependency {
                            report: index,
                            span: expr.to_file(node.span),
                            group: group.name.value.to_string(),
                            rule: rule.name.value.to_string(),
                            metric: name.to_string(),
                        });
                    }
                }
            }
        }
    }
    out
}

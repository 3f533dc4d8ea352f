//! Recorded findings accepted by `--baseline FILE`: a team adopts alertlint
//! on a repository with history by recording today's findings and failing
//! only on new ones. Entries are matched without line numbers (file, group,
//! rule, lint and message), so edits elsewhere in a file keep them valid.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::engine::FileReport;

/// The baseline document, `{"version": 1, "findings": [...]}`.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<Entry>,
}

/// One kind of finding and how many times it occurs.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    pub lint: String,
    pub message: String,
    pub count: usize,
}

type Key = (String, Option<String>, Option<String>, String, String);

fn key(file: &str, d: &Diagnostic) -> Key {
    (normalise(file), d.group.clone(), d.rule.clone(), d.lint.to_string(), d.message.clone())
}

/// `./rules/a.yaml` and `rules/a.yaml` are the same file.
fn normalise(file: &str) -> String {
    let mut file = file.replace('\\', "/");
    while let Some(rest) = file.strip_prefix("./") {
        file = rest.to_string();
    }
    file
}

/// A finding's identity without its position, as one string (also the
/// basis of GitLab fingerprints).
pub fn identity(file: &str, d: &Diagnostic) -> String {
    let (file, group, rule, lint, message) = key(file, d);
    format!("{file}\u{0}{}\u{0}{}\u{0}{lint}\u{0}{message}", group.unwrap_or_default(), rule.unwrap_or_default())
}

impl Baseline {
    /// Parses a baseline file's text.
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let baseline: Baseline = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if baseline.version != 1 {
            return Err(format!("unsupported baseline version {} (expected 1)", baseline.version));
        }
        Ok(baseline)
    }

    /// Records every finding of `reports`.
    pub fn from_reports(reports: &[FileReport]) -> Baseline {
        let mut counts: BTreeMap<Key, usize> = BTreeMap::new();
        for report in reports {
            for d in &report.diagnostics {
                *counts.entry(key(report.file.name(), d)).or_default() += 1;
            }
        }
        let findings = counts
            .into_iter()
            .map(|((file, group, rule, lint, message), count)| Entry { file, group, rule, lint, message, count })
            .collect();
        Baseline { version: 1, findings }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// Removes from `reports` the findings this baseline covers and returns
    /// the entries (with the count left over) that no longer occur in the
    /// files checked (entries of files not checked this run are not stale).
    pub fn apply(&self, reports: &mut [FileReport]) -> Vec<Entry> {
        let mut left: BTreeMap<Key, usize> = BTreeMap::new();
        for e in &self.findings {
            let k = (normalise(&e.file), e.group.clone(), e.rule.clone(), e.lint.clone(), e.message.clone());
            *left.entry(k).or_default() += e.count;
        }
        for report in reports.iter_mut() {
            let name = report.file.name().to_string();
            report.diagnostics.retain(|d| match left.get_mut(&key(&name, d)) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            });
        }
        let checked: std::collections::HashSet<String> = reports.iter().map(|r| normalise(r.file.name())).collect();
        left.into_iter()
            .filter(|(k, n)| *n > 0 && checked.contains(&k.0))
            .map(|((file, group, rule, lint, message), count)| Entry { file, group, rule, lint, message, count })
            .collect()
    }
}

use std::collections::HashMap;

use crate::lints::{Example, Lint, LintMeta, Registration, WorkspaceContext};
use crate::model::RuleKind;

crate::declare_lint! {
    /// ## What it does
    /// Reports an alert's label or annotation key that is a near miss of a common key
    /// (`descrition` for `description`, `sumary` for `summary`, `runbok_url` for `runbook_url`,
    /// `severty` for `severity`) or of a key the rules checked together use far more often
    /// (at least five times as often, and at least five times). Near means one or two edits
    /// apart (one for keys of five letters or fewer), case included.
    ///
    /// Not reported: the common keys themselves, keys used often in their own right, and
    /// keys that only extend another (`runbook` and `runbook_url`, `dashboard` and
    /// `dashboard_url`).
    ///
    /// ## Why it matters
    /// Receivers, templates and routes read keys by their exact name. A misspelt `description`
    /// is never shown in the notification; a misspelt `severity` is never routed by severity.
    /// Nothing fails: the text is just missing when someone needs it.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: DiskFull
    ///   expr: disk_free_ratio < 0.05
    ///   annotations:
    ///     descrition: "{{ $labels.instance }} has less than 5% disk left"
    /// ```
    ///
    /// ## How to fix
    /// Rename the key to the one meant.
    ///
    /// ## Options
    /// None.
    pub static KEY_TYPO = {
        id: "alerts/key-typo",
        severity: Warning,
        summary: "an alert's label or annotation key is a near miss of a common or much more frequent key",
        pass: [
            Example::new(r#"groups:
  - name: disk
    rules:
      - alert: DiskFull
        expr: disk_free_ratio < 0.05
        for: 10m
        labels:
          severity: critical
        annotations:
          description: "{{ $labels.instance }} has less than 5% disk left"
          runbook: disk
          runbook_url: https://runbooks.example.com/disk
"#),
        ],
        fail: [
            Example::new(r#"groups:
  - name: disk
    rules:
      - alert: DiskFull
        expr: disk_free_ratio < 0.05
        for: 10m
        labels:
          severty: critical
        annotations:
          descrition: "{{ $labels.instance }} has less than 5% disk left"
          sumary: disk almost full
          runbok_url: https://runbooks.example.com/disk
"#),
        ],
    };
}

/// Annotation keys that receivers and templates commonly read.
const COMMON_ANNOTATIONS: &[&str] = &[
    "summary",
    "description",
    "message",
    "runbook_url",
    "runbook",
    "dashboard",
    "dashboard_url",
    "title",
    "playbook",
    "grafana_url",
];
/// Label keys that routes commonly read.
const COMMON_LABELS: &[&str] =
    &["severity", "team", "service", "priority", "owner", "component", "namespace", "environment", "cluster"];

pub fn registration() -> Registration {
    Registration {
        meta: &KEY_TYPO,
        build: |cx| {
            cx.options.no_options()?;
            Ok(Box::new(KeyTypo))
        },
    }
}

struct KeyTypo;

/// Whether `key` is a likely misspelling of `meant`.
fn near_miss(key: &str, meant: &str) -> bool {
    if key == meant || key.starts_with(meant) || meant.starts_with(key) {
        return false;
    }
    let limit = if meant.len() <= 5 { 1 } else { 2 };
    strsim::damerau_levenshtein(key, meant) <= limit
}

impl Lint for KeyTypo {
    fn meta(&self) -> &'static LintMeta {
        &KEY_TYPO
    }

    fn check_workspace(&self, cx: &mut WorkspaceContext<'_>) {
        // How often each key is used, per kind (labels, annotations).
        let mut counts: [HashMap<&str, usize>; 2] = [HashMap::new(), HashMap::new()];
        for file in cx.files {
            for group in &file.model.groups {
                for rule in group.rules.iter().filter(|r| r.kind == RuleKind::Alert) {
                    for kv in &rule.labels {
                        *counts[0].entry(kv.key.value.as_str()).or_default() += 1;
                    }
                    for kv in &rule.annotations {
                        *counts[1].entry(kv.key.value.as_str()).or_default() += 1;
                    }
                }
            }
        }
        let mut found = Vec::new();
        for (index, file) in cx.files.iter().enumerate() {
            for group in &file.model.groups {
                for rule in group.rules.iter().filter(|r| r.kind == RuleKind::Alert) {
                    let kinds =
                        [(&rule.labels, COMMON_LABELS, "label"), (&rule.annotations, COMMON_ANNOTATIONS, "annotation")];
                    for (kind, (pairs, common, what)) in kinds.into_iter().enumerate() {
                        for kv in pairs.iter() {
                            let key = kv.key.value.as_str();
                            let used = counts[kind].get(key).copied().unwrap_or(0);
                            // Common keys, and keys used often in their own right.
                            if common.contains(&key) || used >= 5 {
                                continue;
                            }
                            let frequent =
                                counts[kind].iter().filter(|(_, n)| **n >= 5 && **n >= 5 * used).map(|(k, _)| *k);
                            let candidates: Vec<&str> =
                                common.iter().copied().chain(frequent).filter(|c| near_miss(key, c)).collect();
                            let Some(meant) = crate::lints::closest(key, candidates.iter().copied()) else {
                                continue;
                            };
                            found.push((
                                index,
                                kv.key.span,
                                format!("{what} key `{key}` looks like a misspelling of `{meant}`"),
                                format!("rename it to `{meant}`: receivers, templates and routes read `{meant}`"),
                                group.name.value.clone(),
                                rule.name.value.clone(),
                            ));
                        }
                    }
                }
            }
        }
        for (file, span, message, help, group, rule) in found {
            cx.report(file, span, message).help(help).group(&group).rule(&rule);
        }
    }
}

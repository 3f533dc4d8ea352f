use std::collections::HashMap;

use crate::lints::{Example, Lint, LintMeta, Registration, WorkspaceContext};
use crate::model::RuleKind;

crate::declare_lint! {
    /// ## What it does
    /// Reports a rule whose name and labels (its own merged with its group's) equal those of
    /// another rule, in the same file or in any other file checked in the same run, like
    /// `promtool check rules --lint=duplicate-rules`.
    ///
    /// ## Why it matters
    /// Two recording rules writing the same series overwrite each other's samples; two alerts
    /// with the same name and labels produce alerts with the same identity, so one silently
    /// resolves or masks the other. It is usually a copy-paste left behind.
    ///
    /// ## Example
    /// ```yaml
    /// groups:
    ///   - name: api
    ///     rules:
    ///       - record: job:errors:rate5m
    ///         expr: sum by (job) (rate(errors_total[5m]))
    ///       - record: job:errors:rate5m
    ///         expr: sum by (job) (rate(errors_total[5m]))
    /// ```
    ///
    /// ## How to fix
    /// Delete one copy, or tell them apart with a label (for example different `severity`
    /// labels for a warning and a critical threshold).
    ///
    /// ## Options
    /// None.
    pub static DUPLICATE = {
        id: "rule/duplicate",
        severity: Warning,
        summary: "the same rule name with the same labels is defined twice",
        pass: [Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighLatency\n        expr: latency_seconds > 1\n        for: 5m\n        labels: { severity: warning }\n      - alert: HighLatency\n        expr: latency_seconds > 5\n        for: 5m\n        labels: { severity: critical }\n")],
        fail: [Example::new("groups:\n  - name: api\n    rules:\n      - record: job:errors:rate5m\n        expr: sum by (job) (rate(errors_total[5m]))\n      - record: job:errors:rate5m\n        expr: sum by (job) (rate(errors_total[5m]))\n")],
    };
}

pub fn registration() -> Registration {
    Registration {
        meta: &DUPLICATE,
        build: |cx| {
            cx.options.no_options()?;
            Ok(Box::new(Duplicate))
        },
    }
}

struct Duplicate;

/// A rule's identity: kind, name and sorted merged labels.
type Identity = (bool, String, Vec<(String, String)>);

impl Lint for Duplicate {
    fn meta(&self) -> &'static LintMeta {
        &DUPLICATE
    }

    fn check_workspace(&self, cx: &mut WorkspaceContext<'_>) {
        let mut seen: HashMap<Identity, (usize, usize)> = HashMap::new();
        let mut found = Vec::new();
        for (index, checked) in cx.files.iter().enumerate() {
            for group in &checked.model.groups {
                for rule in &group.rules {
                    // Rule labels override group labels; later keys win. A
                    // map keeps this linear in the number of labels.
                    let merged: std::collections::BTreeMap<&str, &str> = group
                        .labels
                        .iter()
                        .chain(&rule.labels)
                        .map(|kv| (kv.key.value.as_str(), kv.value.value.as_str()))
                        .collect();
                    let labels: Vec<(String, String)> =
                        merged.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
                    let identity = (rule.kind == RuleKind::Alert, rule.name.value.clone(), labels);
                    let here = (index, rule.name.span.start);
                    match seen.get(&identity) {
                        Some(&first) => found.push((index, group, rule, first)),
                        None => {
                            seen.insert(identity, here);
                        }
                    }
                }
            }
        }
        for (index, group, rule, (first_file, first_offset)) in found {
            let kind = if rule.kind == RuleKind::Alert { "alert" } else { "recording rule" };
            let first = cx.files[first_file].file;
            let position = first.position(first_offset);
            let place = if first_file == index {
                format!("line {}", position.line)
            } else {
                format!("{}:{}", first.name(), position.line)
            };
            let message = format!("{kind} `{}` with the same labels is already defined at {place}", rule.name.value);
            let report = cx.report(index, rule.name.span, message).group(&group.name.value).rule(&rule.name.value);
            let report = if first_file == index {
                report.label(
                    crate::span::Span::new(first_offset, first_offset + rule.name.value.len().max(1)),
                    "first defined here",
                )
            } else {
                report
            };
            report.help("delete one of the copies, or tell them apart with a label");
        }
    }
}

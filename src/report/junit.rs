//! `--format junit`: JUnit XML, one test suite per file and one test case per
//! rule, failed by each of its findings at `--fail-on` or above (CI systems
//! show them as test results). Findings that belong to no rule (file and
//! group level) fail a test case named after the file.

use std::fmt::Write as _;

use super::checkstyle::escape;
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::FileReport;

pub fn render(reports: &[FileReport], threshold: Severity) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"alertlint\">\n");
    for report in reports {
        let name = report.file.name();
        // Test cases in file order: each rule once (its findings), then the file itself.
        let mut cases: Vec<(String, Vec<&Diagnostic>)> = Vec::new();
        // Findings by (group, rule) name, each list in file order: one pass, not one per rule.
        let mut by_rule: std::collections::HashMap<(&str, &str), Vec<&Diagnostic>> = std::collections::HashMap::new();
        let mut rest: Vec<&Diagnostic> = Vec::new();
        for d in &report.diagnostics {
            match (d.group.as_deref(), d.rule.as_deref()) {
                (Some(group), Some(rule)) => by_rule.entry((group, rule)).or_default().push(d),
                _ => rest.push(d),
            }
        }
        for group in &report.model.groups {
            for rule in &group.rules {
                let rule_name = &rule.name.value;
                let key = (group.name.value.as_str(), rule_name.as_str());
                // Rules that share a name are told apart by where the finding is.
                let (findings, others): (Vec<&Diagnostic>, Vec<&Diagnostic>) = by_rule
                    .remove(&key)
                    .unwrap_or_default()
                    .into_iter()
                    .partition(|d| rule.span.start <= d.span.start && d.span.start <= rule.span.end);
                if !others.is_empty() {
                    by_rule.insert(key, others);
                }
                cases.push((format!("{}/{rule_name}", group.name.value), findings));
            }
        }
        rest.extend(by_rule.into_values().flatten());
        rest.sort_by_key(|d| (d.span.start, d.span.end));
        if !rest.is_empty() || cases.is_empty() {
            cases.push((name.to_string(), rest));
        }
        let failures = cases.iter().filter(|(_, f)| f.iter().any(|d| d.severity >= threshold)).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">",
            escape(name),
            cases.len()
        );
        for (case, findings) in &cases {
            let _ = write!(out, "    <testcase classname=\"{}\" name=\"{}\"", escape(name), escape(case));
            let failing: Vec<_> = findings.iter().filter(|d| d.severity >= threshold).collect();
            if failing.is_empty() {
                out.push_str("/>\n");
                continue;
            }
            out.push_str(">\n");
            for d in failing {
                let position = report.file.position(d.span.start);
                let _ = writeln!(
                    out,
                    "      <failure type=\"{}\" message=\"{}\">{}:{}:{}: {} [{}] {}</failure>",
                    escape(d.lint),
                    escape(&d.message),
                    escape(name),
                    position.line,
                    position.column,
                    d.severity,
                    escape(d.lint),
                    escape(&d.message)
                );
            }
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

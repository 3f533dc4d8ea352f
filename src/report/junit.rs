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
        for group in &report.model.groups {
            for rule in &group.rules {
                let rule_name = &rule.name.value;
                let findings = report
                    .diagnostics
                    .iter()
                    .filter(|d| {
                        d.group.as_deref() == Some(group.name.value.as_str())
                            && d.rule.as_deref() == Some(rule_name.as_str())
                            && rule.span.start <= d.span.start
                            && d.span.start <= rule.span.end
                    })
                    .collect();
                cases.push((format!("{}/{rule_name}", group.name.value), findings));
            }
        }
        let placed: usize = cases.iter().map(|(_, f)| f.len()).sum();
        if placed < report.diagnostics.len() || cases.is_empty() {
            let rest = report
                .diagnostics
                .iter()
                .filter(|d| !cases.iter().any(|(_, f)| f.iter().any(|x| std::ptr::eq(*x, *d))))
                .collect();
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

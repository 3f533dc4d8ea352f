//! `--format gitlab`: GitLab Code Quality, a JSON array of issues with
//! `description`, `check_name`, `fingerprint`, `severity` and `location`
//! (https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format).
//!
//! The fingerprint is stable across edits elsewhere in the file: it hashes the
//! file, group, rule, lint and message (not the line), plus the finding's
//! rank among identical ones, so GitLab can tell new findings from old.

use serde::Serialize;

use crate::diagnostic::Severity;
use crate::engine::FileReport;

#[derive(Serialize)]
struct Issue<'a> {
    description: &'a str,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    positions: Positions,
}

#[derive(Serialize)]
struct Positions {
    begin: LineColumn,
    end: LineColumn,
}

#[derive(Serialize)]
struct LineColumn {
    line: usize,
    column: usize,
}

/// GitLab's severities are `info`, `minor`, `major`, `critical` and `blocker`.
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

pub fn render(reports: &[FileReport]) -> String {
    let mut issues = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for report in reports {
        for d in &report.diagnostics {
            let key = crate::baseline::identity(report.file.name(), d);
            let rank = seen.entry(key.clone()).or_insert(0usize);
            *rank += 1;
            let start = report.file.position(d.span.start);
            let end = report.file.position(d.span.end);
            issues.push(Issue {
                description: &d.message,
                check_name: d.lint,
                fingerprint: format!("{:016x}", fnv1a(format!("{key}\u{0}{rank}").as_bytes())),
                severity: severity(d.severity),
                location: Location {
                    path: report.file.name(),
                    positions: Positions {
                        begin: LineColumn { line: start.line, column: start.column },
                        end: LineColumn { line: end.line, column: end.column },
                    },
                },
            });
        }
    }
    serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".into()) + "\n"
}

/// 64-bit FNV-1a: small, stable across platforms and Rust versions (unlike
/// the standard library's hasher), and enough to tell findings apart.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

//! `--format sarif`: SARIF 2.1.0, as GitHub code scanning and other SARIF
//! viewers read it.
//!
//! Choices a reader of the output needs to know:
//! - one run; `tool.driver.rules` lists every registered lint (not only the ones
//!   that fired), so viewers can show the docs of any rule;
//! - columns count UTF-16 code units (`run.columnKind = "utf16CodeUnits"`),
//!   which is what GitHub code scanning and most editors use; lines and columns
//!   are 1-based and `endColumn` is exclusive, as SARIF defines;
//! - `artifactLocation.uri` is the path as given on the command line, made a
//!   relative URI reference (`/`-separated, `./` dropped, percent-encoded) with
//!   `uriBaseId` `%SRCROOT%`, the directory alertlint ran in; absolute paths
//!   become `file://` URIs without a base.

use serde_json::{Value, json};

use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::FileReport;
use crate::lints::{self, LintMeta};
use crate::source::SourceFile;
use crate::span::Span;

pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The project's home page: the docs URL without its file part.
pub const INFORMATION_URI: &str = "https://github.com/alertlint/alertlint";

/// The base that relative artifact URIs are resolved against.
pub const SRCROOT: &str = "%SRCROOT%";

pub fn render(reports: &[FileReport]) -> String {
    let registry = lints::registry();
    let rules: Vec<Value> = registry.iter().map(|r| rule_descriptor(r.meta)).collect();
    let mut results = Vec::new();
    for report in reports {
        for diagnostic in &report.diagnostics {
            let index = registry.iter().position(|r| r.meta.id == diagnostic.lint);
            results.push(result(&report.file, diagnostic, index));
        }
    }
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "alertlint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": INFORMATION_URI,
                    "rules": rules,
                }
            },
            "columnKind": "utf16CodeUnits",
            "results": results,
        }]
    });
    serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
}

/// SARIF has `note` where alertlint has `info`.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn rule_descriptor(meta: &LintMeta) -> Value {
    let docs = meta.docs_text();
    json!({
        "id": meta.id,
        "name": rule_name(meta.id),
        "shortDescription": { "text": meta.summary },
        "fullDescription": { "text": section(&docs, "What it does").unwrap_or(meta.summary) },
        "help": { "text": docs, "markdown": docs },
        "helpUri": meta.url(),
        "defaultConfiguration": { "level": level(meta.default_severity) },
        "properties": { "tags": [meta.family()] },
    })
}

/// SARIF's `name` is an identifier-like form of the id: `noise/for-too-short`
/// becomes `NoiseForTooShort`, as code-scanning UIs display it.
fn rule_name(id: &str) -> String {
    id.split(['/', '-'])
        .flat_map(|word| {
            let mut chars = word.chars();
            chars.next().map(|c| c.to_ascii_uppercase()).into_iter().chain(chars)
        })
        .collect()
}

/// The body of the Markdown section `## heading`, trimmed.
fn section<'a>(docs: &'a str, heading: &str) -> Option<&'a str> {
    let marker = format!("## {heading}\n");
    let start = docs.find(&marker)? + marker.len();
    let rest = &docs[start..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    let body = rest[..end].trim();
    (!body.is_empty()).then_some(body)
}

fn result(file: &SourceFile, d: &Diagnostic, rule_index: Option<usize>) -> Value {
    let mut result = json!({
        "ruleId": d.lint,
        "level": level(d.severity),
        "message": { "text": d.message },
        "locations": [{ "physicalLocation": physical_location(file, d.span) }],
    });
    if let Some(index) = rule_index {
        result["ruleIndex"] = json!(index);
    }
    if !d.labels.is_empty() {
        let related: Vec<Value> = d
            .labels
            .iter()
            .enumerate()
            .map(|(i, label)| json!({ "id": i, "physicalLocation": physical_location(file, label.span), "message": { "text": label.message } }))
            .collect();
        result["relatedLocations"] = json!(related);
    }
    let mut properties = serde_json::Map::new();
    if let Some(help) = &d.help {
        properties.insert("help".into(), json!(help));
    }
    if let Some(group) = &d.group {
        properties.insert("group".into(), json!(group));
    }
    if let Some(rule) = &d.rule {
        properties.insert("rule".into(), json!(rule));
    }
    if !properties.is_empty() {
        result["properties"] = Value::Object(properties);
    }
    result
}

fn physical_location(file: &SourceFile, span: Span) -> Value {
    let (uri, relative) = artifact_uri(file.name());
    let mut artifact = json!({ "uri": uri });
    if relative {
        artifact["uriBaseId"] = json!(SRCROOT);
    }
    json!({ "artifactLocation": artifact, "region": region(file, span) })
}

/// A 1-based region in UTF-16 code units; `endColumn` is one past the last
/// character, and an empty span is an insertion point (`endColumn == startColumn`).
pub fn region(file: &SourceFile, span: Span) -> Value {
    let start = file.clamp(span.start);
    let end = file.clamp(span.end).max(start);
    let (start_line, start_column) = file.utf16_position(start);
    let (end_line, end_column) = file.utf16_position(end);
    json!({
        "startLine": start_line + 1,
        "startColumn": start_column + 1,
        "endLine": end_line + 1,
        "endColumn": end_column + 1,
    })
}

/// The artifact URI of a file name as given on the command line, and whether
/// it is relative (resolved against `%SRCROOT%`).
pub fn artifact_uri(name: &str) -> (String, bool) {
    let slashed = name.replace('\\', "/");
    let is_windows_absolute = slashed.len() >= 3
        && slashed.as_bytes()[1] == b':'
        && slashed.as_bytes()[2] == b'/'
        && slashed.as_bytes()[0].is_ascii_alphabetic();
    if slashed.starts_with('/') {
        return (format!("file://{}", percent_encode_path(&slashed)), false);
    }
    if is_windows_absolute {
        return (format!("file:///{}", percent_encode_path(&slashed)), false);
    }
    let mut relative = slashed.as_str();
    while let Some(rest) = relative.strip_prefix("./") {
        relative = rest;
    }
    (percent_encode_path(relative), true)
}

/// Percent-encodes everything but RFC 3986 unreserved characters, `/` and
/// the drive colon, so that a path is a valid URI reference (a `:` in the
/// first segment would otherwise read as a scheme).
pub fn percent_encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for (i, byte) in path.bytes().enumerate() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/')
            || (byte == b':'
                && i == 1
                && path.as_bytes()[0].is_ascii_alphabetic()
                && path.len() > 2
                && path.as_bytes()[2] == b'/');
        if keep {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(name: &str, text: &str, diagnostics: Vec<Diagnostic>) -> FileReport {
        FileReport::without_rules(SourceFile::new(name, text), diagnostics)
    }

    fn render_value(reports: &[FileReport]) -> Value {
        serde_json::from_str(&render(reports)).unwrap()
    }

    #[test]
    fn every_lint_is_a_rule_and_results_point_at_them() {
        let text = "groups:\n  - name: é😀x\n";
        let start = text.find('x').unwrap();
        let d = Diagnostic::new("runbook/missing", Severity::Info, Span::new(start, start + 1), "a \"quoted\" message")
            .label(Span::new(0, 6), "group list");
        let v = render_value(&[report("./rules/a b.yaml", text, vec![d])]);
        let run = &v["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), lints::registry().len());
        let result = &run["results"][0];
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], "runbook/missing");
        assert_eq!(rules[index]["helpUri"], lints::find("runbook/missing").unwrap().url());
        assert_eq!(result["level"], "note");
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "rules/a%20b.yaml");
        assert_eq!(location["artifactLocation"]["uriBaseId"], SRCROOT);
        // "  - name: " is 10 units, é is 1 and 😀 is 2 UTF-16 code units.
        assert_eq!(location["region"], json!({"startLine": 2, "startColumn": 14, "endLine": 2, "endColumn": 15}));
        assert_eq!(result["relatedLocations"][0]["message"]["text"], "group list");
        assert_eq!(result["message"]["text"], "a \"quoted\" message");
    }

    #[test]
    fn full_description_is_the_what_it_does_section() {
        let v = render_value(&[]);
        let rule = &v["runs"][0]["tool"]["driver"]["rules"][0];
        let full = rule["fullDescription"]["text"].as_str().unwrap();
        assert!(!full.contains("##"), "{full}");
        assert!(rule["help"]["markdown"].as_str().unwrap().contains("## How to fix"));
    }

    #[test]
    fn uris_are_relative_references_or_file_uris() {
        assert_eq!(artifact_uri("rules/x.yaml"), ("rules/x.yaml".into(), true));
        assert_eq!(artifact_uri("././a:b,c%.yaml"), ("a%3Ab%2Cc%25.yaml".into(), true));
        assert_eq!(artifact_uri("<stdin>"), ("%3Cstdin%3E".into(), true));
        assert_eq!(artifact_uri("/tmp/r é.yaml"), ("file:///tmp/r%20%C3%A9.yaml".into(), false));
        assert_eq!(artifact_uri("C:\\rules\\x.yaml"), ("file:///C:/rules/x.yaml".into(), false));
        assert_eq!(artifact_uri("sub\\x.yaml"), ("sub/x.yaml".into(), true));
    }

    #[test]
    fn rule_names_are_identifier_like() {
        assert_eq!(rule_name("noise/for-too-short"), "NoiseForTooShort");
        assert_eq!(rule_name("yaml/syntax"), "YamlSyntax");
    }
}

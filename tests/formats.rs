//! The CI formats (`sarif`, `github`, `checkstyle`) as CI systems read them:
//! the binary's output validated against the official SARIF schema, parsed
//! as XML, and parsed back as workflow commands.

mod common;

use std::path::PathBuf;
use std::process::Output;

use common::run as alertlint;

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

/// Replaces the known-bad `language` pattern wherever it occurs; how many.
fn escape_stray_bracket(node: &mut Value) -> usize {
    const BAD: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    match node {
        Value::String(s) if s == BAD => {
            *s = r"^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\]?$".to_string();
            1
        }
        Value::Array(items) => items.iter_mut().map(escape_stray_bracket).sum(),
        Value::Object(map) => map.values_mut().map(escape_stray_bracket).sum(),
        _ => 0,
    }
}

/// The official SARIF 2.1.0 schema (provenance in `tests/data/README.md`).
fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("tests/data/sarif-schema-2.1.0.json")).expect("read schema");
    let mut schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    // The schema's `language` patterns have an unescaped `]`, which ECMA-262
    // regexes read as a literal but jsonschema's meta-schema check rejects.
    // Escaping it keeps the same meaning (alertlint never writes `language`).
    let fixed = escape_stray_bracket(&mut schema);
    assert_eq!(fixed, 2, "the vendored schema changed");
    jsonschema::options().should_validate_formats(true).build(&schema).expect("compile schema")
}

fn assert_valid_sarif(v: &Value) {
    let validator = sarif_validator();
    let errors: Vec<String> = validator.iter_errors(v).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "SARIF schema violations:\n{}", errors.join("\n"));
}

/// A scratch directory holding one file with a hostile name and content that
/// yields findings whatever the rule loader makes of it: suppression comments
/// are scanned from the text itself. The first names a lint that does not
/// exist, with every XML and command metacharacter in its name.
const HOSTILE_NAME: &str = "we,ird: 50% é.yaml";
const HOSTILE_TEXT: &str = "# ünïcødé 😀 first\nkey: é😀 # alertlint disable-file <&>\"'%é:x\n";

fn hostile_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join(HOSTILE_NAME), HOSTILE_TEXT).expect("write");
    dir
}

/// 1-based (line, UTF-16 column) of the first occurrence of `needle`.
fn utf16_position(text: &str, needle: &str) -> (usize, usize) {
    let offset = text.find(needle).expect("needle");
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..offset].matches('\n').count() + 1;
    (line, text[line_start..offset].encode_utf16().count() + 1)
}

#[test]
fn sarif_of_a_hostile_file_is_valid_and_positioned_in_utf16() {
    let dir = hostile_dir();
    let out = alertlint(dir.path(), &["check", "--format", "sarif", HOSTILE_NAME], None);
    assert_eq!(out.status.code(), Some(0), "only warnings: {}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    assert_valid_sarif(&v);

    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "alertlint");
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    let results = run["results"].as_array().expect("results");
    let unknown = results.iter().find(|r| r["ruleId"] == "suppression/unknown-lint").expect("an unknown-lint result");
    assert_eq!(unknown["level"], "warning");
    assert!(unknown["message"]["text"].as_str().unwrap().contains("<&>\"'%é:x"), "{unknown}");
    let location = &unknown["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "we%2Cird%3A%2050%25%20%C3%A9.yaml");
    assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    let (line, column) = utf16_position(HOSTILE_TEXT, "<&>");
    assert_eq!(location["region"]["startLine"], line);
    assert_eq!(location["region"]["startColumn"], column);
    // The pattern `<&>"'%é:x` is 9 characters, all in the BMP.
    assert_eq!(location["region"]["endColumn"], column + 9);

    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let index = unknown["ruleIndex"].as_u64().expect("ruleIndex") as usize;
    assert_eq!(rules[index]["id"], "suppression/unknown-lint");
    let listed = common::alertlint().arg("rules").output().expect("rules");
    assert_eq!(rules.len(), stdout(&listed).lines().count(), "every lint is a SARIF rule");
    assert!(rules.iter().all(|r| { r["helpUri"].as_str().is_some_and(|u| u.starts_with("https://")) }));
}

#[test]
fn sarif_of_stdin_and_of_no_findings_is_valid() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = alertlint(dir.path(), &["check", "--format", "sarif", "-"], Some("groups: []\n"));
    let v: Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    assert_valid_sarif(&v);
    assert_eq!(v["runs"][0]["results"], serde_json::json!([]));

    let out = alertlint(
        dir.path(),
        &["check", "--format", "sarif", "-", "--stdin-filename", "rules/x y.yaml"],
        Some("# alertlint disable-file nope\n"),
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    assert_valid_sarif(&v);
    assert_eq!(
        v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "rules/x%20y.yaml"
    );
}

#[test]
fn sarif_validation_catches_an_invalid_log() {
    // Guards the validator itself: a log missing `runs` and with a bad level must fail.
    let validator = sarif_validator();
    assert!(!validator.is_valid(&serde_json::json!({"version": "2.1.0"})));
    let bad_level = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}, "level": "info"}]}]});
    assert!(!validator.is_valid(&bad_level));
    // Formats are checked too (draft 4 knows `uri`, not `uri-reference`).
    let log = |uri: &str| serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x", "informationUri": uri}}}]});
    assert!(validator.is_valid(&log("https://example.com/x")));
    assert!(!validator.is_valid(&log("not a uri")));
}

/// Parses `::name key=value,...::message` into its parts, unescaping.
fn parse_command(line: &str) -> (String, Vec<(String, String)>, String) {
    let rest = line.strip_prefix("::").expect("starts with ::");
    let (head, message) = rest.split_once("::").expect("message separator");
    let (name, properties) = head.split_once(' ').expect("properties");
    let unescape = |s: &str| {
        s.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")
    };
    let properties = properties
        .split(',')
        .map(|kv| {
            let (k, v) = kv.split_once('=').expect("key=value");
            (k.to_string(), unescape(v))
        })
        .collect();
    (name.to_string(), properties, unescape(message))
}

#[test]
fn github_commands_escape_names_and_messages() {
    let dir = hostile_dir();
    let out = alertlint(dir.path(), &["check", "--format", "github", HOSTILE_NAME], None);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(!lines.is_empty(), "no commands: {text:?}");
    let unknown = lines.iter().find(|l| l.contains("suppression/unknown-lint")).expect("unknown-lint command");
    let (name, properties, message) = parse_command(unknown);
    assert_eq!(name, "warning");
    let get = |k: &str| properties.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    assert_eq!(get("file"), Some(HOSTILE_NAME));
    assert_eq!(get("title"), Some("alertlint (suppression/unknown-lint)"));
    // Columns count characters: "key: é😀 # alertlint disable-file " is 33.
    assert_eq!(get("line"), Some("2"));
    assert_eq!(get("col"), Some("34"));
    assert_eq!(get("endColumn"), Some("43"));
    assert!(message.contains("`<&>\"'%é:x`"), "{message}");
    // Nothing unescaped that would end the command early.
    let (_, raw_message) = unknown.split_once("::").and_then(|(_, r)| r.split_once("::")).expect("parts");
    assert!(!raw_message.contains('\n') && !raw_message.contains("%é"), "{raw_message}");
}

#[test]
fn checkstyle_is_well_formed_xml_with_a_file_per_file_checked() {
    let dir = hostile_dir();
    std::fs::write(dir.path().join("clean.yaml"), "groups: []\n").expect("write");
    let out = alertlint(dir.path(), &["check", "--format", "checkstyle", "."], None);
    let text = stdout(&out);
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("not XML ({e}):\n{text}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "checkstyle");
    assert_eq!(root.attribute("version"), Some("4.3"));
    let files: Vec<_> = root.children().filter(|n| n.is_element()).collect();
    let names: Vec<&str> = files.iter().filter_map(|f| f.attribute("name")).collect();
    assert_eq!(names.len(), 2, "{text}");
    assert!(names.iter().any(|n| n.ends_with("clean.yaml")), "{names:?}");
    let hostile = files
        .iter()
        .find(|f| f.attribute("name").is_some_and(|n| n.ends_with(HOSTILE_NAME)))
        .expect("hostile file element");
    let error = hostile
        .children()
        .find(|e| e.attribute("source") == Some("alertlint.suppression/unknown-lint"))
        .expect("error element");
    assert_eq!(error.tag_name().name(), "error");
    assert_eq!(error.attribute("line"), Some("2"));
    assert_eq!(error.attribute("column"), Some("34"));
    assert_eq!(error.attribute("severity"), Some("warning"));
    assert!(error.attribute("message").is_some_and(|m| m.contains("`<&>\"'%é:x`")), "{text}");
}

/// Needs the YAML loader and the lints: every format reports the same
/// findings for `rules-examples/`.
#[test]
fn every_format_reports_the_same_findings_on_the_examples() {
    let json: Value =
        serde_json::from_slice(&alertlint(&root(), &["check", "--format", "json", "rules-examples/"], None).stdout)
            .expect("json");
    let expected: Vec<(String, String, u64)> = json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap_or("").to_string(),
                d["lint"].as_str().unwrap_or("").to_string(),
                d["range"]["start"]["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert!(expected.len() >= 10, "the examples have many findings: {expected:?}");

    let out = alertlint(&root(), &["check", "--format", "sarif", "rules-examples/"], None);
    assert_eq!(out.status.code(), Some(1));
    let sarif: Value = serde_json::from_slice(&out.stdout).expect("sarif");
    assert_valid_sarif(&sarif);
    let from_sarif: Vec<(String, String, u64)> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            let location = &r["locations"][0]["physicalLocation"];
            (
                location["artifactLocation"]["uri"].as_str().unwrap_or("").to_string(),
                r["ruleId"].as_str().unwrap_or("").to_string(),
                location["region"]["startLine"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(from_sarif, expected);

    let github = stdout(&alertlint(&root(), &["check", "--format", "github", "rules-examples/"], None));
    let from_github: Vec<(String, String, u64)> = github
        .lines()
        .map(|l| {
            let (_, properties, _) = parse_command(l);
            let get = |k: &str| properties.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()).unwrap_or_default();
            let lint = get("title").trim_start_matches("alertlint (").trim_end_matches(')').to_string();
            (get("file"), lint, get("line").parse().unwrap_or(0))
        })
        .collect();
    assert_eq!(from_github, expected);

    let checkstyle = stdout(&alertlint(&root(), &["check", "--format", "checkstyle", "rules-examples/"], None));
    let doc = roxmltree::Document::parse(&checkstyle).expect("xml");
    let mut from_checkstyle = Vec::new();
    for file in doc.root_element().children().filter(|n| n.has_tag_name("file")) {
        for error in file.children().filter(|n| n.has_tag_name("error")) {
            let lint = error.attribute("source").unwrap_or("").trim_start_matches("alertlint.").to_string();
            from_checkstyle.push((
                file.attribute("name").unwrap_or("").to_string(),
                lint,
                error.attribute("line").and_then(|l| l.parse().ok()).unwrap_or(0),
            ));
        }
    }
    assert_eq!(from_checkstyle, expected);
}

//! Runs every case of Prometheus's rulefmt tests (extracted to
//! `tests/data/conformance/rulefmt.jsonl`, files under `rulefmt/`) through
//! `model::load` and compares verdicts, messages, group counts and values.

use alertlint::model::{self, FileKind, LoadOptions, NameValidation, RuleFile};
use alertlint::{Severity, SourceFile};
use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/conformance");

/// Cases whose verdict depends on the PromQL or template parser, which the
/// model does not run (the engine does, on `Rule.expr` and label/annotation
/// texts). For these the model must report no error of its own.
const NEEDS_PARSERS: &[(&str, &str)] = &[
    ("bad_expr.bad.yaml", "PromQL: `rate(` of an instant vector is a parse error"),
    ("inline__TestUniqueErrorNodes__0.yaml", "PromQL: two `up ===== 0` parse errors"),
    ("inline__TestTemplateParsing__2.yaml", "template: undefined variable `$label`"),
    ("inline__TestTemplateParsing__3.yaml", "template: undefined variable `$this_is_wrong`"),
    ("inline__TestTemplateParsing__4.yaml", "template: unexpected `*` in operand"),
];

/// Upstream's error substring → what our first error-level finding says.
const OUR_MESSAGES: &[(&str, &str, &str)] = &[
    ("duplicate_grp.bad.yaml", "group/duplicate-name", "group name `yolo` is already used in this file"),
    ("record_and_alert.bad.yaml", "rule/schema", "only one of `record` and `alert` may be set"),
    ("no_rec_alert.bad.yaml", "rule/schema", "one of `record` or `alert` must be set"),
    ("noexpr.bad.yaml", "rule/schema", "field `expr` must be set"),
    ("invalid_record_name.bad.yaml", "rule/schema", "braces present in the recording rule name"),
    ("bad_field.bad.yaml", "rule/schema", "unknown field `annotation` in rule; did you mean `annotations`?"),
    ("invalid_label_name.bad.yaml", "rule/schema", "invalid label name `__name__`"),
    ("record_and_for.bad.yaml", "rule/schema", "cannot have `for`"),
    ("record_and_keep_firing_for.bad.yaml", "rule/schema", "cannot have `keep_firing_for`"),
    ("legacy_validation_annotation.bad.yaml", "rule/schema", "invalid annotation name `ins-tance`"),
];

fn errors(f: &RuleFile) -> Vec<&alertlint::Diagnostic> {
    f.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect()
}

#[test]
fn rulefmt_conformance() {
    let jsonl =
        std::fs::read_to_string(format!("{DIR}/rulefmt.jsonl")).expect("conformance data in tests/data/conformance");
    let (mut run, mut matched, mut parser_cases) = (0, 0, 0);
    let mut failures = Vec::new();
    for line in jsonl.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).expect("valid json");
        let name = case["file"].as_str().unwrap_or_default().to_string();
        let text = std::fs::read_to_string(format!("{DIR}/rulefmt/{name}")).expect("case file");
        let names = match case["name_validation_scheme"].as_str() {
            Some("LegacyValidation") => NameValidation::Legacy,
            _ => NameValidation::Utf8,
        };
        let file = SourceFile::new(name.as_str(), text.as_str());
        let loaded = model::load_with(&file, &LoadOptions::default(), names);
        let errs = errors(&loaded);
        run += 1;

        if let Some((_, why)) = NEEDS_PARSERS.iter().find(|(f, _)| *f == name) {
            parser_cases += 1;
            println!("parser-dependent: {name} ({why})");
            if !errs.is_empty() {
                failures.push(format!("{name}: needs the PromQL/template parser, but the model reported {errs:?}"));
            }
            continue;
        }

        let want_ok = case["ok"].as_bool().unwrap_or(false);
        let mut problems = Vec::new();
        if want_ok != errs.is_empty() {
            problems
                .push(format!("expected ok={want_ok}, got {:?}", errs.iter().map(|d| &d.message).collect::<Vec<_>>()));
        }
        if let Some((_, lint, msg)) = OUR_MESSAGES.iter().find(|(f, _, _)| *f == name) {
            match errs.first() {
                Some(d) if d.lint == *lint && d.message.contains(msg) => {}
                other => problems.push(format!("expected first error {lint} containing {msg:?}, got {other:?}")),
            }
        } else if !want_ok {
            problems.push("no expected message in OUR_MESSAGES".into());
        }
        if let Some(n) = case["group_count"].as_u64() {
            if loaded.groups.len() as u64 != n {
                problems.push(format!("expected {n} groups, got {}", loaded.groups.len()));
            }
        }
        if case.get("logs_warning").is_some() {
            let warned = loaded
                .diagnostics
                .iter()
                .any(|d| d.severity == Severity::Warning && d.message.contains("only the first document"));
            if warned != case["logs_warning"].is_string() {
                problems.push(format!(
                    "multi-document warning expected={}, got={warned}",
                    case["logs_warning"].is_string()
                ));
            }
        }
        if let Some(asserts) = case["asserts"].as_array() {
            for a in asserts {
                let path = a["path"].as_str().unwrap_or_default();
                let want = a["equals"].as_str().unwrap_or_default();
                for got in eval_path(&loaded, path) {
                    if got.as_deref() != Some(want) {
                        problems.push(format!("{path}: expected {want:?}, got {got:?}"));
                    }
                }
            }
        }
        if loaded.kind != FileKind::Rules {
            problems.push(format!("expected a plain rule file, got {:?}", loaded.kind));
        }
        if problems.is_empty() {
            matched += 1;
        } else {
            failures.push(format!("{name}: {}", problems.join("; ")));
        }
    }
    println!("rulefmt conformance: {run} cases, {matched} matched, {parser_cases} left to the PromQL/template parsers");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(run, 25);
}

/// Evaluates the few path shapes used by `asserts`:
/// `groups[*].rules[N].alert|record|expr`, `groups[*].rules[N].labels.K`,
/// `groups[*].rules[N].annotations.K`, with `[*]` over every element.
fn eval_path(f: &RuleFile, path: &str) -> Vec<Option<String>> {
    let rest = path.strip_prefix("groups[*].rules[").unwrap_or_else(|| panic!("unsupported path {path}"));
    let (index, field) = rest.split_once("].").unwrap_or_else(|| panic!("unsupported path {path}"));
    let mut out = Vec::new();
    for g in &f.groups {
        let rules: Vec<_> = if index == "*" {
            g.rules.iter().collect()
        } else {
            g.rules.get(index.parse::<usize>().unwrap_or(usize::MAX)).into_iter().collect()
        };
        if rules.is_empty() {
            out.push(None);
        }
        for r in rules {
            let kind_name = |k: model::RuleKind| (r.kind == k).then(|| r.name.value.clone());
            let v = match field {
                "alert" => kind_name(model::RuleKind::Alert),
                "record" => kind_name(model::RuleKind::Record),
                "expr" => r.expr.as_ref().map(|e| e.value.clone()),
                f => {
                    let (map, key) = f.split_once('.').unwrap_or_else(|| panic!("unsupported path {path}"));
                    let kvs = if map == "labels" { &r.labels } else { &r.annotations };
                    kvs.iter().find(|kv| kv.key.value == key).map(|kv| kv.value.value.clone())
                }
            };
            out.push(v.map(String::from));
        }
    }
    out
}

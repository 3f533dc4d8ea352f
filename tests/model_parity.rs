//! Parity with `promtool check rules` on the public corpus.
//!
//! For every plain rule file (`prometheus-rules`, and the rule-file
//! `bad-fixture`s) the verdict "the model reports an error-level finding" is
//! compared with "promtool 2.42 rejects the file". Files that promtool rejects
//! only for PromQL or template parse errors are left out (the model does not
//! parse either; the engine does). Known differences, where promtool 2.42 is
//! older than the upstream behaviour we follow, are listed with the reason.
//! `PrometheusRule` files are not read by promtool: for those the test checks
//! that groups are found and nothing panics.

use std::path::{Path, PathBuf};
use std::process::Command;

use alertlint::model::{self, FileKind, LoadOptions};
use alertlint::{Severity, SourceFile};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");

/// Files where alertlint (following current Prometheus) and promtool 2.42 disagree, and why.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[
    (
        "prometheus__prometheus/model/rulefmt/testdata/utf-8_lname.good.yaml",
        "UTF-8 label names are valid in current Prometheus; 2.42 only knows legacy names",
    ),
    (
        "prometheus__prometheus/model/rulefmt/testdata/utf-8_annotation.good.yaml",
        "UTF-8 annotation names are valid in current Prometheus; 2.42 only knows legacy names",
    ),
    (
        "prometheus__prometheus/model/rulefmt/testdata/legacy_validation_annotation.bad.yaml",
        "annotation `ins-tance` is invalid only under legacy name validation (2.42); current Prometheus accepts it (the rulefmt test passes LegacyValidation explicitly)",
    ),
    (
        "slok__sloth/examples/_gen/contrib-slo-plugins.yml",
        "label names with `-` are valid UTF-8 names in current Prometheus; 2.42 only knows legacy names",
    ),
    (
        "stolostron__multicluster-observability-operator/examples/alerts/custom_rules_valid/thanos-ruler-custom-rules-valid.yaml",
        "a Kubernetes ConfigMap (rules embedded as a string): alertlint skips objects that are not rules, promtool reads any file as a rule file",
    ),
    (
        "stolostron__multicluster-observability-operator/operators/multiclusterobservability/manifests/base/alertmanager/alert_rules.yaml",
        "a Kubernetes ConfigMap (rules embedded as a string): skipped by alertlint, read as a rule file by promtool",
    ),
    (
        "stolostron__multicluster-observability-operator/operators/multiclusterobservability/manifests/base/alertmanager/hub_alert_rules.yaml",
        "a Kubernetes ConfigMap (rules embedded as a string): skipped by alertlint, read as a rule file by promtool",
    ),
    (
        "stolostron__multicluster-observability-operator/examples/alerts/custom_rules_invalid/thanos-ruler-custom-rules-invalid.yaml",
        "a Kubernetes ConfigMap (rules embedded as a string): skipped by alertlint, read as a rule file by promtool",
    ),
];

struct Entry {
    format: String,
    rel: String,
    groups: usize,
}

fn manifest() -> Vec<Entry> {
    let text =
        std::fs::read_to_string(format!("{CORPUS}/MANIFEST.tsv")).expect("corpus beside the repo");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    let (repo, path, format, groups) = (
        col("source_repo"),
        col("path"),
        col("format"),
        col("groups"),
    );
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Entry {
                format: f[format].to_string(),
                rel: format!("{}/{}", f[repo].replace('/', "__"), f[path]),
                groups: f[groups].parse().unwrap_or(0),
            }
        })
        .collect()
}

fn promtool() -> Option<PathBuf> {
    let found = Command::new("promtool")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some(PathBuf::from("promtool"));
    }
    let require = std::env::var("ALERTLINT_REQUIRE_ORACLES").is_ok_and(|v| v == "1");
    assert!(
        !require,
        "promtool is not installed and ALERTLINT_REQUIRE_ORACLES=1"
    );
    println!("skipping the promtool comparison: promtool is not installed");
    None
}

fn model_errors(path: &Path) -> (FileKind, Vec<String>, usize) {
    let text = std::fs::read(path).expect("readable corpus file");
    let text = String::from_utf8_lossy(&text);
    let file = SourceFile::new(path.display().to_string(), text.as_ref());
    let loaded = model::load(&file, &LoadOptions::default());
    let errs = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            format!(
                "{} {}: {}",
                file.position(d.span.start).line,
                d.lint,
                d.message
            )
        })
        .collect();
    (loaded.kind, errs, loaded.groups.len())
}

/// True when every promtool error is a PromQL or template parse error.
fn parser_only_failure(output: &str) -> bool {
    let errors: Vec<&str> = output
        .lines()
        .filter(|l| !l.starts_with("Checking ") && !l.trim().is_empty() && l.trim() != "FAILED:")
        .collect();
    !errors.is_empty()
        && errors
            .iter()
            .all(|l| l.contains("could not parse expression") || l.contains("template: "))
}

#[test]
fn promtool_parity_on_the_corpus() {
    let entries = manifest();
    let rule_files: Vec<&Entry> = entries
        .iter()
        .filter(|e| {
            e.format == "prometheus-rules"
                || (e.format == "bad-fixture" && !e.rel.starts_with("prometheus__alertmanager/"))
        })
        .collect();
    let Some(promtool) = promtool() else { return };

    let (mut agree, mut parser_only, mut known) = (0, 0, 0);
    let (mut both_ok, mut both_fail) = (0, 0);
    let mut disagreements = Vec::new();
    let mut stale_known = Vec::new();
    for e in &rule_files {
        let path = Path::new(CORPUS).join(&e.rel);
        let out = Command::new(&promtool)
            .args(["check", "rules", "--lint=none"])
            .arg(&path)
            .output()
            .expect("promtool runs");
        let promtool_ok = out.status.success();
        let output = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let (_, errs, _) = model_errors(&path);
        let model_ok = errs.is_empty();
        if !promtool_ok && model_ok && parser_only_failure(&output) {
            parser_only += 1;
            continue;
        }
        let known_reason = KNOWN_DIFFERENCES.iter().find(|(f, _)| *f == e.rel);
        if promtool_ok == model_ok {
            agree += 1;
            if promtool_ok {
                both_ok += 1;
            } else {
                both_fail += 1;
                if std::env::var_os("ALERTLINT_PARITY_VERBOSE").is_some() {
                    println!("both reject {}: {:?}", e.rel, errs.first());
                }
            }
            if known_reason.is_some() {
                stale_known.push(e.rel.clone());
            }
        } else if known_reason.is_some() {
            known += 1;
        } else {
            disagreements.push(format!(
                "{}\n  promtool ok={promtool_ok}: {}\n  model: {errs:?}",
                e.rel,
                output
                    .lines()
                    .filter(|l| !l.starts_with("Checking"))
                    .take(4)
                    .collect::<Vec<_>>()
                    .join(" | ")
            ));
        }
    }
    let compared = agree + known + disagreements.len();
    println!(
        "promtool parity: {} rule files; {parser_only} left out (PromQL/template errors only); {compared} compared: \
         {agree} agree ({both_ok} both accept, {both_fail} both reject), {known} known differences (promtool 2.42 is older), {} unexplained",
        rule_files.len(),
        disagreements.len()
    );
    for (f, why) in KNOWN_DIFFERENCES {
        println!("  known difference: {f}: {why}");
    }
    assert!(
        disagreements.is_empty(),
        "disagreements with promtool:\n{}",
        disagreements.join("\n")
    );
    assert!(
        stale_known.is_empty(),
        "listed as known differences but now agree: {stale_known:?}"
    );
}

#[test]
fn prometheus_rule_objects_load() {
    let entries = manifest();
    let mut loaded_files = 0;
    let mut total_groups = 0;
    let mut problems = Vec::new();
    for e in entries.iter().filter(|e| e.format == "prometheus-rule-crd") {
        let path = Path::new(CORPUS).join(&e.rel);
        let (kind, errs, groups) = model_errors(&path);
        loaded_files += 1;
        total_groups += groups;
        if kind != FileKind::PrometheusRule {
            problems.push(format!("{}: kind {kind:?}, errors {errs:?}", e.rel));
        } else if groups == 0 && e.groups > 0 {
            problems.push(format!(
                "{}: no groups found (manifest says {})",
                e.rel, e.groups
            ));
        }
        if !errs.is_empty() {
            println!("  {}: {errs:?}", e.rel);
        }
    }
    println!("PrometheusRule files: {loaded_files} loaded, {total_groups} groups");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

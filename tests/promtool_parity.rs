//! For every Prometheus rule file of the corpus, alertlint reports an
//! error-level finding exactly when `promtool check rules` rejects the file.

mod common;

use std::collections::{BTreeMap, BTreeSet};

/// Files where promtool 2.42 (Debian's) and current Prometheus disagree, so
/// alertlint, which follows current Prometheus, disagrees with this promtool.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[
    // Prometheus 3 accepts UTF-8 label and annotation names; promtool 2.42 only legacy names.
    ("prometheus__prometheus/model/rulefmt/testdata/utf-8_annotation.good.yaml", "UTF-8 annotation name"),
    ("prometheus__prometheus/model/rulefmt/testdata/utf-8_lname.good.yaml", "UTF-8 label name"),
    (
        "prometheus__prometheus/model/rulefmt/testdata/legacy_validation_annotation.bad.yaml",
        "UTF-8 annotation name (bad only under legacy validation)",
    ),
    ("slok__sloth/examples/_gen/contrib-slo-plugins.yml", "UTF-8 label names such as `plug-l1`"),
    // YAML that is not rules gets an info note (`rule/not-rules`); promtool, given the
    // file, rejects it.
    ("prometheus__alertmanager/cli/testdata/conf.bad.yml", "an Alertmanager config, not rules"),
    // ConfigMaps: alertlint checks the rule file in their `data` (valid here); promtool
    // reads the ConfigMap itself as a rule file and rejects it.
    (
        "stolostron__multicluster-observability-operator/examples/alerts/custom_rules_invalid/thanos-ruler-custom-rules-invalid.yaml",
        "a ConfigMap holding valid rules",
    ),
    (
        "stolostron__multicluster-observability-operator/examples/alerts/custom_rules_valid/thanos-ruler-custom-rules-valid.yaml",
        "a ConfigMap holding valid rules",
    ),
    (
        "stolostron__multicluster-observability-operator/operators/multiclusterobservability/manifests/base/alertmanager/alert_rules.yaml",
        "a ConfigMap holding valid rules",
    ),
    (
        "stolostron__multicluster-observability-operator/operators/multiclusterobservability/manifests/base/alertmanager/hub_alert_rules.yaml",
        "a ConfigMap holding valid rules",
    ),
    // VictoriaMetrics rule files: MetricsQL is noted once (`rule/other-language`, info)
    // instead of being reported as PromQL syntax errors.
    (
        "VictoriaMetrics__VictoriaMetrics/deployment/docker/rules/alerts-vmanomaly.yml",
        "MetricsQL (`lag`, range in `max`)",
    ),
    ("slok__sloth/examples/_gen/victoria-metrics.yml", "MetricsQL (`histogram_share`)"),
];

/// The lints that correspond to what promtool checks.
const PROMTOOL_LINTS: &str = "yaml/syntax,rule/schema,group/duplicate-name,promql/syntax,template/syntax";

#[test]
fn error_findings_match_promtool_verdicts() {
    if !common::oracle("promtool") || !common::corpus_present("error_findings_match_promtool_verdicts") {
        return;
    }
    let corpus = common::corpus();
    let files: Vec<String> = common::corpus_files()
        .into_iter()
        .filter(|f| f.format == "prometheus-rules" || f.format == "bad-fixture")
        .map(|f| f.path)
        .collect();
    assert!(files.len() > 250, "corpus has only {} rule files", files.len());

    // One promtool run per file: its exit status is the verdict.
    let promtool_ok: BTreeMap<String, bool> = common::par_map(&files, |file| {
        let status = std::process::Command::new("promtool")
            .args(["check", "rules", "--lint=none", file])
            .current_dir(&corpus)
            .output()
            .expect("run promtool")
            .status;
        (file.clone(), status.success())
    })
    .into_iter()
    .collect();

    let output = common::alertlint()
        .args(["check", "--format", "json", "--select", PROMTOOL_LINTS])
        .args(&files)
        .current_dir(&corpus)
        .output()
        .expect("run alertlint");
    assert!(
        output.status.code() == Some(0) || output.status.code() == Some(1),
        "alertlint failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("alertlint JSON");
    let mut rejected: BTreeSet<String> = BTreeSet::new();
    for d in json["diagnostics"].as_array().expect("diagnostics") {
        if d["severity"] == "error" {
            rejected.insert(d["file"].as_str().unwrap_or_default().to_string());
        }
    }

    let known: BTreeMap<&str, &str> = KNOWN_DIFFERENCES.iter().copied().collect();
    let mut agree = 0;
    let mut unexplained = Vec::new();
    let mut stale = Vec::new();
    for (file, ok) in &promtool_ok {
        let alertlint_ok = !rejected.contains(file);
        let differs = alertlint_ok != *ok;
        if !differs {
            agree += 1;
        }
        match (differs, known.contains_key(file.as_str())) {
            (true, false) => {
                unexplained.push(format!("{file}: promtool {}, alertlint {}", verdict(*ok), verdict(alertlint_ok)))
            }
            (false, true) => stale.push(file.clone()),
            _ => {}
        }
    }
    println!("promtool parity: {agree}/{} files agree, {} known differences", promtool_ok.len(), known.len());
    assert!(unexplained.is_empty(), "alertlint and promtool disagree:\n{}", unexplained.join("\n"));
    assert!(stale.is_empty(), "these files now agree with promtool; remove them from KNOWN_DIFFERENCES: {stale:?}");
}

fn verdict(ok: bool) -> &'static str {
    if ok { "accepts" } else { "rejects" }
}

//! The rule model on the corpus's Kubernetes `PrometheusRule` objects, which
//! promtool cannot read: every one loads as rules with its groups.

mod common;

use alertlint::SourceFile;
use alertlint::model::{self, FileKind, LoadOptions};

#[test]
fn prometheus_rule_objects_load() {
    if !common::corpus_present("prometheus_rule_objects_load") {
        return;
    }
    let mut loaded = 0;
    let mut total_groups = 0;
    let mut problems = Vec::new();
    for entry in common::corpus_files().into_iter().filter(|e| e.format == "prometheus-rule-crd") {
        let bytes = std::fs::read(common::corpus().join(&entry.path)).expect("readable corpus file");
        let file = SourceFile::new(entry.path.clone(), String::from_utf8_lossy(&bytes).into_owned());
        let model = model::load(&file, &LoadOptions::default());
        loaded += 1;
        total_groups += model.groups.len();
        let errors: Vec<String> = model
            .diagnostics
            .iter()
            .filter(|d| d.severity == alertlint::Severity::Error)
            .map(|d| d.message.clone())
            .collect();
        if model.kind != FileKind::PrometheusRule {
            problems.push(format!("{}: loaded as {:?}, errors {errors:?}", entry.path, model.kind));
        } else if model.groups.is_empty() && entry.groups > 0 {
            problems.push(format!("{}: no groups found (the manifest counts {})", entry.path, entry.groups));
        }
    }
    println!("PrometheusRule files: {loaded} loaded, {total_groups} groups");
    assert!(loaded >= 40, "only {loaded} PrometheusRule files in the corpus");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

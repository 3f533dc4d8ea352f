//! Rule expressions of the shared corpus (`shared/corpus/MANIFEST.tsv`,
//! formats `prometheus-rules` and `prometheus-rule-crd`), read with
//! alertlint's own rule loader, for the PromQL differential test and benchmark.

use alertlint::SourceFile;
use alertlint::model::{self, LoadOptions};

pub const CORPUS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");

/// An `expr` of an alerting or recording rule, with where it came from.
pub struct CorpusExpr {
    pub file: String,
    pub rule: String,
    pub expr: String,
}

/// Every rule expression of every rule file listed in the manifest.
pub fn corpus_expressions() -> Vec<CorpusExpr> {
    let manifest = std::fs::read_to_string(format!("{CORPUS_DIR}/MANIFEST.tsv")).expect("corpus manifest");
    let mut out = Vec::new();
    for line in manifest.lines().skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        let (Some(repo), Some(path), Some(format)) = (fields.first(), fields.get(3), fields.get(4)) else {
            continue;
        };
        if !matches!(*format, "prometheus-rules" | "prometheus-rule-crd") {
            continue;
        }
        let file = format!("{}/{}", repo.replace('/', "__"), path);
        let Ok(text) = std::fs::read_to_string(format!("{CORPUS_DIR}/{file}")) else {
            continue;
        };
        let loaded = model::load(&SourceFile::new(file.clone(), text), &LoadOptions::default());
        for group in &loaded.groups {
            for rule in &group.rules {
                if let Some(expr) = &rule.expr {
                    out.push(CorpusExpr {
                        file: file.clone(),
                        rule: rule.name.value.to_string(),
                        expr: expr.value.to_string(),
                    });
                }
            }
        }
    }
    out
}

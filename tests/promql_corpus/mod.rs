//! Rule expressions of the shared corpus (`shared/corpus/MANIFEST.tsv`,
//! formats `prometheus-rules` and `prometheus-rule-crd`), for the PromQL
//! differential test and benchmark.

use saphyr::{LoadableYamlNode, ScalarOwned, YamlOwned};

pub const CORPUS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");

/// An `expr` of an alerting or recording rule, with where it came from.
pub struct CorpusExpr {
    pub file: String,
    pub rule: String,
    pub expr: String,
}

fn scalar_text(node: &YamlOwned) -> Option<String> {
    match node {
        YamlOwned::Value(ScalarOwned::String(s)) => Some(s.clone()),
        YamlOwned::Value(ScalarOwned::Integer(i)) => Some(i.to_string()),
        YamlOwned::Value(ScalarOwned::FloatingPoint(f)) => Some(f.to_string()),
        YamlOwned::Representation(s, _, _) => Some(s.clone()),
        _ => None,
    }
}

fn collect(node: &YamlOwned, file: &str, out: &mut Vec<CorpusExpr>) {
    match node {
        YamlOwned::Mapping(map) => {
            let name = map.iter().find_map(|(k, v)| {
                matches!(scalar_text(k).as_deref(), Some("alert" | "record"))
                    .then(|| scalar_text(v))
                    .flatten()
            });
            for (key, value) in map {
                if let (Some(rule), Some("expr")) = (&name, scalar_text(key).as_deref()) {
                    if let Some(expr) = scalar_text(value) {
                        out.push(CorpusExpr {
                            file: file.to_string(),
                            rule: rule.clone(),
                            expr,
                        });
                    }
                } else {
                    collect(value, file, out);
                }
            }
        }
        YamlOwned::Sequence(items) => items.iter().for_each(|item| collect(item, file, out)),
        _ => {}
    }
}

/// Every rule expression of every rule file listed in the manifest whose YAML loads.
pub fn corpus_expressions() -> Vec<CorpusExpr> {
    let manifest =
        std::fs::read_to_string(format!("{CORPUS_DIR}/MANIFEST.tsv")).expect("corpus manifest");
    let mut out = Vec::new();
    for line in manifest.lines().skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        let (Some(repo), Some(path), Some(format)) = (fields.first(), fields.get(3), fields.get(4))
        else {
            continue;
        };
        if !matches!(*format, "prometheus-rules" | "prometheus-rule-crd") {
            continue;
        }
        let file = format!("{}/{}", repo.replace('/', "__"), path);
        let Ok(text) = std::fs::read_to_string(format!("{CORPUS_DIR}/{file}")) else {
            continue;
        };
        let Ok(documents) = YamlOwned::load_from_str(&text) else {
            continue;
        };
        for doc in &documents {
            collect(doc, &file, &mut out);
        }
    }
    out
}

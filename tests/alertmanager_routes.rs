//! Routing conformance: Alertmanager's own routing tests
//! (`tests/data/conformance/am_routes/`) and the amtool-derived corpus set
//! (`tests/data/conformance/am_routes_corpus.jsonl`, whose configurations are
//! in `../shared/corpus`).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use alertlint::alertmanager::{self, AmConfig, LabelSet, RouteMatch};
use serde_json::Value;

const CONFORMANCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/conformance");
const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");

/// Cases allowed to fail, by `source` (or `config` + labels), with the reason.
const KNOWN_FAILURES: &[(&str, &str)] = &[];

fn load_path(path: &Path) -> AmConfig {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    match alertmanager::load_text(&text) {
        Ok(cfg) => cfg,
        Err(diags) => panic!(
            "{} does not load:\n{}",
            path.display(),
            diags
                .iter()
                .map(|d| format!("  {}..{}: {}", d.span.start, d.span.end, d.message))
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

fn labels_of(v: &Value) -> LabelSet {
    v.as_object()
        .map(|o| o.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect())
        .unwrap_or_default()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

fn receivers(ms: &[RouteMatch]) -> Vec<String> {
    ms.iter().map(|m| m.receiver.clone()).collect()
}

#[derive(Default)]
struct Tally {
    pass: usize,
    fail: Vec<String>,
}

impl Tally {
    fn check(&mut self, id: &str, problem: Option<String>) {
        match problem {
            None => self.pass += 1,
            Some(p) if KNOWN_FAILURES.iter().any(|(k, _)| *k == id) => {
                println!("known failure {id}: {p}")
            }
            Some(p) => self.fail.push(format!("{id}: {p}")),
        }
    }
}

/// Checks one case of a route test against the matched routes.
fn check_case(cfg: &AmConfig, case: &Value) -> Option<String> {
    let labels = labels_of(&case["labels"]);
    let got = cfg.route(&labels);
    if let Some(count) = case["match_count"].as_u64() {
        // TestRouteLabelsLoading: one route, whose merged route labels are given.
        if got.len() as u64 != count {
            return Some(format!("{} routes matched, want {count}", got.len()));
        }
        let want = labels_of(&case["route_labels"]);
        let node = got.first().and_then(|m| cfg.route.at(&m.path))?;
        return (node.labels != want).then(|| format!("route labels {:?}, want {want:?}", node.labels));
    }
    let want = strings(&case["receivers"]);
    if receivers(&got) != want {
        return Some(format!("receivers {:?}, want {want:?}", receivers(&got)));
    }
    if let Some(keys) = case["keys"].as_array() {
        let got_keys: Vec<String> = got.iter().filter_map(|m| cfg.route.key(&m.path)).collect();
        let want: Vec<String> = keys.iter().filter_map(|k| k.as_str().map(str::to_string)).collect();
        if got_keys != want {
            return Some(format!("keys {got_keys:?}, want {want:?}"));
        }
    }
    if let Some(opts) = case["route_opts"].as_array() {
        for (m, want) in got.iter().zip(opts) {
            let node = cfg.route.at(&m.path)?;
            let o = &node.opts;
            let group_by: Vec<String> = o.group_by.iter().cloned().collect();
            let checks = [
                ("receiver", Value::from(o.receiver.clone()), want["receiver"].clone()),
                ("group_by", Value::from(group_by), want["group_by"].clone()),
                ("group_by_all", Value::from(o.group_by_all), want["group_by_all"].clone()),
                ("group_wait_ns", Value::from(o.group_wait.as_nanos() as u64), want["group_wait_ns"].clone()),
                (
                    "group_interval_ns",
                    Value::from(o.group_interval.as_nanos() as u64),
                    want["group_interval_ns"].clone(),
                ),
                (
                    "repeat_interval_ns",
                    Value::from(o.repeat_interval.as_nanos() as u64),
                    want["repeat_interval_ns"].clone(),
                ),
            ];
            for (field, got, want) in checks {
                if got != want {
                    return Some(format!("route {} {field} = {got}, want {want}", m.path_string()));
                }
            }
        }
    }
    None
}

fn read_jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("valid JSON row"))
        .collect()
}

/// A config for a route tree that has no root receiver (TestInheritParentGroupByAll).
fn wrap_route(route_yml: &str) -> String {
    let mut s = String::from("route:\n  receiver: root\n");
    for line in route_yml.lines() {
        if !line.trim().is_empty() {
            s.push_str("  ");
            s.push_str(line);
        }
        s.push('\n');
    }
    s.push_str("receivers:\n- name: root\n");
    s
}

#[test]
fn alertmanager_route_tests() {
    let dir = PathBuf::from(CONFORMANCE).join("am_routes");
    let mut tally = Tally::default();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("am_routes data")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    entries.sort();
    for test in entries {
        let name = test.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let config = test.join("config.yml");
        let cfg = if config.exists() {
            load_path(&config)
        } else {
            let route = std::fs::read_to_string(test.join("route.yml")).expect("route.yml");
            alertmanager::load_text(&wrap_route(&route)).unwrap_or_else(|d| panic!("{name}: {d:?}"))
        };
        for case in read_jsonl(&test.join("cases.jsonl")) {
            let id = case["source"].as_str().unwrap_or_default().to_string();
            tally.check(&format!("{name} {id}"), check_case(&cfg, &case));
        }
        let tree_path = test.join("tree.json");
        if let Ok(text) = std::fs::read_to_string(&tree_path) {
            let tree: Value = serde_json::from_str(&text).expect("tree.json");
            let mut walk = Vec::new();
            let mut ids = BTreeSet::new();
            let mut group_by_all = Vec::new();
            cfg.route.walk(&mut |path, r| {
                walk.push(r.opts.receiver.clone());
                ids.insert(cfg.route.id(path).unwrap_or_default());
                group_by_all.push((path.to_vec(), r.opts.group_by_all));
            });
            if tree.get("walk_receivers").is_some() {
                let want = strings(&tree["walk_receivers"]);
                tally.check(&format!("{name} walk"), (walk != want).then(|| format!("walk {walk:?}, want {want:?}")));
            }
            if tree.get("route_ids").is_some() {
                let want: BTreeSet<String> = strings(&tree["route_ids"]).into_iter().collect();
                tally.check(&format!("{name} ids"), (ids != want).then(|| format!("ids {ids:?}, want {want:?}")));
            }
            if let Some(flags) = tree["group_by_all"].as_object() {
                for (key, want) in flags {
                    // `routes[0].routes[1]` → [0, 1]
                    let path: Vec<usize> = key
                        .split('.')
                        .filter_map(|p| p.trim_start_matches("routes[").trim_end_matches(']').parse().ok())
                        .collect();
                    let got = cfg.route.at(&path).map(|r| r.opts.group_by_all);
                    tally.check(
                        &format!("{name} {key}"),
                        (got != want.as_bool()).then(|| format!("group_by_all {got:?}, want {want}")),
                    );
                }
            }
        }
    }
    println!("am_routes: {} checks pass, {} fail", tally.pass, tally.fail.len());
    assert!(tally.fail.is_empty(), "failures:\n{}", tally.fail.join("\n"));
}

#[test]
fn alertmanager_corpus_routes() {
    if !common::corpus_present("alertmanager_corpus_routes") {
        return;
    }
    let rows = read_jsonl(&PathBuf::from(CONFORMANCE).join("am_routes_corpus.jsonl"));
    assert!(!rows.is_empty(), "am_routes_corpus.jsonl is missing");
    let mut tally = Tally::default();
    let mut configs: std::collections::BTreeMap<String, AmConfig> = Default::default();
    for row in &rows {
        let config = row["config"].as_str().unwrap_or_default().to_string();
        let cfg = configs.entry(config.clone()).or_insert_with(|| load_path(&PathBuf::from(CORPUS).join(&config)));
        let labels = labels_of(&row["labels"]);
        let got = receivers(&cfg.route(&labels));
        let want = strings(&row["receivers"]);
        let id = format!("{config} {labels:?}");
        tally.check(&id, (got != want).then(|| format!("receivers {got:?}, want {want:?}")));
    }
    println!(
        "am_routes_corpus: {} of {} cases agree with amtool 0.25 ({} configs)",
        tally.pass,
        rows.len(),
        configs.len()
    );
    assert!(tally.fail.is_empty(), "failures:\n{}", tally.fail.join("\n"));
}

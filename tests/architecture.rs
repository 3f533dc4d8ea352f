//! The module layering described in `docs/architecture.md`, checked from the
//! sources: which top-level modules each one names (`crate::x`, `use crate::{x, ..}`),
//! test code left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source without comments and without what follows the first `#[cfg(test)]`.
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines().map(|line| line.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n")
}

/// Identifiers that follow `crate::`, and the first segment of each item of `use crate::{...}`.
fn named_modules(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let ident = |s: &str| s.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect::<String>();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find("};").unwrap_or(group.len())];
            let mut depth = 0;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && !c.is_whitespace() => {
                        out.insert(ident(&group[i..]));
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(ident(rest));
        }
    }
    out
}

fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for entry in std::fs::read_dir(&src).unwrap_or_else(|e| panic!("{e}")).flatten() {
        let path = entry.path();
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
        if name == "lib" || name == "main" {
            continue;
        }
        let files = modules.entry(name).or_default();
        if path.is_dir() {
            rust_files(&path, files);
        } else {
            files.push(path);
        }
    }
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    let mut graph = Graph::new();
    for (module, files) in &modules {
        let mut deps = BTreeSet::new();
        for file in files {
            let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
            if stem == "tests" || stem == "tester" || stem == "meta_tests" {
                continue;
            }
            let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            deps.extend(named_modules(&code_of(&text)).into_iter().filter(|m| m != module && names.contains(m)));
        }
        // `crate::policy` is `config::policy`, re-exported at the top.
        if deps.remove("policy") && module != "config" {
            deps.insert("config".to_string());
        }
        graph.insert(module.clone(), deps);
    }
    graph
}

/// Every module `from` depends on, directly or not.
fn reachable(graph: &Graph, from: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.to_string()];
    while let Some(m) = stack.pop() {
        for dep in graph.get(&m).into_iter().flatten() {
            if seen.insert(dep.clone()) {
                stack.push(dep.clone());
            }
        }
    }
    seen
}

#[test]
fn leaf_modules_depend_on_nothing_in_the_crate() {
    let graph = graph();
    for leaf in ["names", "globs", "go_format", "version", "span", "source"] {
        assert_eq!(graph.get(leaf), Some(&BTreeSet::new()), "`{leaf}` must not depend on other modules");
    }
    let go_format: BTreeSet<String> = ["go_format".to_string()].into();
    assert_eq!(graph.get("duration"), Some(&go_format), "`duration` may use only `go_format`");
}

#[test]
fn config_lints_and_routing_form_no_cycle() {
    let graph = graph();
    // Lints read the configuration and the routing; the configuration and the
    // routing never reach the lints, and only the `routes` command (above the
    // engine) reaches `routes`.
    for (module, must_not_reach) in [
        ("config", "lints"),
        ("config", "routes"),
        ("alertmanager", "lints"),
        ("alertmanager", "config"),
        ("alertmanager", "routes"),
        ("lints", "routes"),
        ("lints", "engine"),
    ] {
        let reached = reachable(&graph, module);
        assert!(!reached.contains(must_not_reach), "`{module}` depends on `{must_not_reach}` (through {reached:?})");
    }
    for module in ["config", "lints", "alertmanager", "routes"] {
        assert!(!reachable(&graph, module).contains(module), "`{module}` is part of a dependency cycle");
    }
}

#[test]
fn use_groups_are_read() {
    let found = named_modules("use crate::{a::b, c, d::{e, f}};\nfn x() { crate::g::h(); }");
    assert_eq!(found, ["a", "c", "d", "g"].into_iter().map(String::from).collect());
}

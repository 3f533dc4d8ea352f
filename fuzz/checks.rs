//! What each fuzz target checks, shared by the fuzzers (`fuzz_targets/*.rs`)
//! and by `tests/fuzz_regressions.rs`, which replays every input the fuzzers
//! found so that plain `cargo test` keeps them fixed.

#![allow(dead_code)] // each fuzz target uses one function

use alertlint::alertmanager::{self, LabelSet};
use alertlint::alertmanager::{compat, matchers_to_string, parse_classic, parse_utf8};
use alertlint::config::Config;
use alertlint::engine::{Engine, Input, Selection};
use alertlint::promql::{self, ParseOptions};
use alertlint::report;
use alertlint::template;
use alertlint::yaml::{self, Limits, Node};
use std::sync::OnceLock;

/// `yaml::load` on arbitrary text: no panic, and every position it returns
/// lies inside the text on a character boundary.
pub fn yaml_load(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match yaml::load(text, &Limits::default()) {
        Ok(docs) => {
            for doc in &docs {
                assert_span(text, doc.span.start, doc.span.end);
                check_tree(text, &doc.root);
            }
        }
        Err(e) => assert_span(text, e.span.start, e.span.end),
    }
}

/// The PromQL parser on arbitrary text, with and without experimental
/// syntax: no panic; error spans inside the expression; a parsed tree prints.
pub fn promql_parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for options in [ParseOptions::default(), ParseOptions::all_enabled()] {
        match promql::parse(text, &options) {
            Ok(tree) => {
                let _ = promql::print_tree(&tree, text);
                let _ = promql::tree_to_json(&tree);
            }
            Err(errors) => {
                assert!(!errors.is_empty(), "a failed parse reports an error");
                for error in &errors {
                    assert!(
                        error.span.start <= error.span.end && error.span.end <= text.len(),
                        "error span {:?} outside {} bytes",
                        error.span,
                        text.len()
                    );
                    let _ = promql::format_error(text, error);
                }
            }
        }
    }
}

/// The Go text/template parser on arbitrary text: no panic, error spans
/// inside the text, and the reference helpers run on what parses.
pub fn template_parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match template::parse_for_alert(text, "Fuzz") {
        Ok(t) => {
            let _ = t.label_refs();
            let _ = t.value_refs();
            let _ = t.functions_used();
            let _ = t.literal_text();
        }
        Err(e) => assert!(
            e.span.start <= e.span.end && e.span.end <= text.len(),
            "error span {:?} outside {} bytes",
            e.span,
            text.len()
        ),
    }
}

/// Alertmanager matcher parsers (classic, UTF-8 and the fallback mode) on
/// arbitrary text: no panic; a parsed matcher can be printed and evaluated.
pub fn am_matchers(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for parsed in [parse_classic::parse_matchers(text), parse_utf8::parse_matchers(text)] {
        if let Ok(matchers) = parsed {
            let _ = matchers_to_string(&matchers);
            for m in &matchers {
                let _ = m.matches(text);
                let _ = m.matches_absent();
            }
        }
    }
    let _ = parse_classic::parse_matcher(text);
    let _ = parse_utf8::parse_matcher(text);
    let _ = compat::parse_matchers(text);
    let _ = compat::parse_matcher(text);
}

/// The Alertmanager configuration loader on arbitrary text: no panic; a
/// loaded configuration routes a label set.
pub fn am_config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(config) = alertmanager::load_text(text) {
        let labels: LabelSet = [("alertname", "Fuzz"), ("severity", "critical")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let _ = config.route(&labels);
    }
}

/// The whole check of one file on arbitrary bytes, every default lint on,
/// and both renderers: no panic, and every finding lies inside the file.
pub fn check_file(data: &[u8]) {
    let reports = engine().check(vec![Input { name: "fuzz.yaml".into(), bytes: data.to_vec() }]);
    for r in &reports {
        let len = r.file.text().len();
        for d in &r.diagnostics {
            assert!(
                d.span.start <= d.span.end && d.span.end <= len,
                "{} span {:?} outside {len} bytes",
                d.lint,
                d.span
            );
        }
    }
    let _ = report::json::render(&reports);
    let _ = report::human::render(&reports, report::human::Style { color: false, width: 100 });
}

fn assert_span(text: &str, start: usize, end: usize) {
    assert!(start <= end && end <= text.len(), "span {start}..{end} outside text of {} bytes", text.len());
    assert!(text.is_char_boundary(start) && text.is_char_boundary(end), "span {start}..{end} splits a character");
}

fn check_tree(text: &str, root: &Node) {
    root.for_each_scalar(|node, scalar| {
        assert_span(text, node.span.start, node.span.end);
        for segment in scalar.map.segments() {
            assert_span(text, segment.file.start, segment.file.end);
        }
    });
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| match Engine::new(Config::default(), Selection::default()) {
        Ok(engine) => engine,
        Err(e) => panic!("default configuration: {e}"),
    })
}

//! Runs lint examples through the whole engine, as the binary would.

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::engine::{Engine, Input, Selection};
use crate::lints::Example;
use crate::source::SourceFile;

/// Findings of the whole engine on one example.
pub fn check(example: &Example) -> Vec<Diagnostic> {
    let config = if example.config.is_empty() {
        Config::default()
    } else {
        match Config::parse(SourceFile::new(".alertlint.yaml", example.config)) {
            Ok(config) => config,
            Err(e) => panic!("example configuration is invalid: {e}"),
        }
    };
    let engine = match Engine::new(config, Selection::default()) {
        Ok(engine) => engine,
        Err(e) => panic!("engine: {e}"),
    };
    let reports = engine.check(vec![Input { name: "example.yaml".into(), bytes: example.yaml.as_bytes().to_vec() }]);
    reports.into_iter().flat_map(|r| r.diagnostics).collect()
}

/// The example's findings rendered as a user sees them (no colour, fixed width).
pub fn render(example: &Example) -> String {
    let config = if example.config.is_empty() { Config::default() } else { Config::parse(SourceFile::new(".alertlint.yaml", example.config)).unwrap_or_default() };
    let engine = Engine::new(config, Selection::default()).unwrap_or_else(|e| panic!("engine: {e}"));
    let reports = engine.check(vec![Input { name: "example.yaml".into(), bytes: example.yaml.as_bytes().to_vec() }]);
    crate::report::human::render(&reports, crate::report::human::Style { color: false, width: 100 })
}

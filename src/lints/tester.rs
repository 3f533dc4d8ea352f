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
    let engine = engine(example, config);
    let reports = engine.check(vec![Input { name: "example.yaml".into(), bytes: example.yaml.as_bytes().to_vec() }]);
    reports.into_iter().flat_map(|r| r.diagnostics).collect()
}

/// The example's findings of lint `id` rendered as a user sees them (no
/// colour, fixed width). Other lints run too (suppressions need them) but
/// their findings are left out, so each snapshot shows one lint.
pub fn render(example: &Example, id: &str) -> String {
    let config = if example.config.is_empty() {
        Config::default()
    } else {
        Config::parse(SourceFile::new(".alertlint.yaml", example.config)).unwrap_or_default()
    };
    let engine = engine(example, config);
    let mut reports =
        engine.check(vec![Input { name: "example.yaml".into(), bytes: example.yaml.as_bytes().to_vec() }]);
    for report in &mut reports {
        report.diagnostics.retain(|d| d.lint == id);
    }
    crate::report::human::render(&reports, crate::report::human::Style { color: false, width: 100 })
}

fn engine(example: &Example, config: Config) -> Engine {
    let mut engine = Engine::new(config, Selection::default()).unwrap_or_else(|e| panic!("engine: {e}"));
    // As for files named on the command line.
    engine.note_not_rules(true);
    if !example.alertmanager.is_empty() {
        engine.set_alertmanager(SourceFile::new("alertmanager.yml", example.alertmanager));
    }
    if !example.metrics.is_empty() {
        engine.add_metrics_text(example.metrics);
    }
    if !example.prometheus.is_empty() {
        let canned = crate::catalog::canned::Canned::parse(example.prometheus)
            .unwrap_or_else(|e| panic!("example Prometheus answers are invalid: {e}"));
        engine.set_prometheus_api(std::sync::Arc::new(canned), crate::catalog::ScrapeIntervals::default());
    }
    engine
}

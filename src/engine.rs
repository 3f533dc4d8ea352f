//! Runs the lints over a set of files and applies policy once, afterwards:
//! suppressions, `--select`/`--ignore` and configured severities.

use rayon::prelude::*;

use crate::alertmanager::{self, AmConfig};
use crate::catalog::{self, Api, Catalog, Client, Online, ScrapeIntervals};
use crate::config::{Config, ConfigError};
use crate::conventions::Conventions;
use crate::diagnostic::{Diagnostic, Severity};
use crate::lints::{self, BuildContext, CheckedFile, FileContext, Lint, RuleContext, WorkspaceContext};
use crate::model::{self, FileKind, KeyValue, LoadOptions, RuleFile, RuleKind};
use crate::promql;
use crate::source::SourceFile;
use crate::span::Span;
use crate::suppress;
use crate::template::{self, Template};
use std::sync::Arc;

/// A file to check: the name it is reported under and its bytes.
pub struct Input {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Everything found in one file.
pub struct FileReport {
    pub file: SourceFile,
    pub model: RuleFile,
    /// Sorted by offset, policy applied.
    pub diagnostics: Vec<Diagnostic>,
}

impl FileReport {
    /// A report for a file that holds no rules (an Alertmanager configuration,
    /// a file that could not be decoded).
    pub fn without_rules(file: SourceFile, diagnostics: Vec<Diagnostic>) -> FileReport {
        FileReport { file, model: RuleFile::empty(FileKind::NotRules), diagnostics }
    }

    pub fn rule_count(&self) -> usize {
        self.model.groups.iter().map(|g| g.rules.len()).sum()
    }
}

/// Which lints run: `--select` / `--ignore` patterns (ids or family globs).
#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

impl Selection {
    fn allows(&self, id: &str) -> bool {
        let selected = self.select.is_empty() || self.select.iter().any(|p| lints::pattern_matches(p, id));
        selected && !self.ignore.iter().any(|p| lints::pattern_matches(p, id))
    }
}

pub struct Engine {
    config: Config,
    selection: Selection,
    lints: Vec<Box<dyn Lint>>,
    promql_options: promql::ParseOptions,
    /// The Alertmanager configuration, when given and valid.
    alertmanager: Option<AmConfig>,
    /// Findings in the Alertmanager configuration file, reported with the rule files.
    alertmanager_findings: Option<(SourceFile, Vec<Diagnostic>)>,
    catalog: Catalog,
    /// The configured Prometheus server, reachable or not (for its statistics).
    prometheus: Option<Arc<Client>>,
}

impl Engine {
    /// Builds every lint from the configuration (validating its options).
    pub fn new(config: Config, selection: Selection) -> Result<Engine, ConfigError> {
        for pattern in selection.select.iter().chain(&selection.ignore) {
            if !lints::pattern_is_known(pattern) {
                let ids = lints::registry().iter().map(|r| r.meta.id);
                let hint = lints::closest(pattern, ids).map(|c| format!("; did you mean `{c}`?")).unwrap_or_default();
                return Err(ConfigError::new(format!("unknown lint `{pattern}`{hint}")));
            }
        }
        let mut built = Vec::new();
        for registration in lints::registry() {
            let cx = BuildContext { config: &config, options: config.options_for(registration.meta.id) };
            built.push((registration.build)(&cx)?);
        }
        let mut engine = Engine {
            config,
            selection,
            lints: built,
            promql_options: promql::ParseOptions::default(),
            alertmanager: None,
            alertmanager_findings: None,
            catalog: Catalog::default(),
            prometheus: None,
        };
        let prometheus = engine.config.prometheus.clone();
        engine
            .catalog
            .load_files(&engine.config.base_dir, &prometheus.metrics)
            .map_err(|e| ConfigError::new(e.to_string()))?;
        if let Some(url) = prometheus.url.as_deref() {
            engine.connect_prometheus(url);
        }
        if let Some(path) = engine.config.alertmanager_config.clone() {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                ConfigError::new(format!("cannot read Alertmanager configuration {}: {e}", path.display()))
            })?;
            engine.set_alertmanager(SourceFile::new(path.display().to_string(), text));
        }
        Ok(engine)
    }

    /// Routes alerts through this Alertmanager configuration. Its own
    /// findings are reported as those of one more file.
    pub fn set_alertmanager(&mut self, file: SourceFile) {
        let (config, findings) = match alertmanager::load(&file) {
            Ok(config) => {
                let warnings = config.warnings.clone();
                (Some(config), warnings)
            }
            Err(errors) => (None, errors),
        };
        self.alertmanager = config;
        self.alertmanager_findings = Some((file, findings));
    }

    pub fn alertmanager(&self) -> Option<&AmConfig> {
        self.alertmanager.as_ref()
    }

    /// Adds a saved scrape's metric names and types to the catalog.
    pub fn add_metrics_text(&mut self, text: &str) {
        self.catalog.load_exposition(text);
    }

    /// Reads names, types and scrape intervals from a live Prometheus. A
    /// server that does not answer is reported once (`prometheus/unreachable`)
    /// and the online lints stay silent.
    pub fn connect_prometheus(&mut self, url: &str) {
        let client = Arc::new(Client::new(url));
        self.prometheus = Some(client.clone());
        let Ok(found) = client.connect() else { return };
        for name in found.names {
            self.catalog.insert_name(name);
        }
        for (name, metric_type) in found.types {
            self.catalog.insert(name, metric_type);
        }
        self.catalog.set_online(Online { api: client, intervals: found.intervals });
    }

    /// Answers online lints from `api` instead of a server (lint examples).
    pub fn set_prometheus_api(&mut self, api: Arc<dyn Api>, intervals: ScrapeIntervals) {
        self.catalog.set_online(Online { api, intervals });
    }

    /// The configured server's URL and how many requests went to it.
    pub fn prometheus_stats(&self) -> Option<(&str, catalog::prometheus::Stats)> {
        self.prometheus.as_ref().map(|c| (c.url(), c.stats()))
    }

    /// One finding when the server could not be reached or some queries failed.
    fn prometheus_findings(&self) -> Option<(SourceFile, Vec<Diagnostic>)> {
        let client = self.prometheus.as_ref()?;
        let stats = client.stats();
        let first = stats.failures.first()?;
        let message = if self.catalog.online().is_none() {
            format!("{first}; the online lints did not run")
        } else {
            format!("{} of {} queries to Prometheus failed; the first: {first}", stats.failures.len(), stats.queries)
        };
        let file = SourceFile::new(client.url().to_string(), client.url().to_string());
        let span = Span::new(0, client.url().len());
        let lint = lints::prometheus::unreachable::UNREACHABLE.id;
        let help = "check `prometheus.url` / `--prometheus-url` and that the server answers `/api/v1/status/config`";
        Some((file, vec![Diagnostic::new(lint, Severity::Warning, span, message).help(help)]))
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The severity a finding of lint `id` is reported with; `None` when the
    /// lint does not run.
    pub fn effective_severity(&self, id: &str) -> Option<Severity> {
        if !self.selection.allows(id) {
            return None;
        }
        match self.config.severity_for(id) {
            Some(configured) => configured,
            None => lints::find(id).map(|m| m.default_severity),
        }
    }

    /// Checks all inputs. Reports come back in input order.
    pub fn check(&self, inputs: Vec<Input>) -> Vec<FileReport> {
        let loaded: Vec<(FileReport, bool)> = inputs.into_par_iter().map(|input| self.load_file(input)).collect();
        // Conventions are read from every file before any file is linted.
        let conventions = Conventions::infer(&self.config, loaded.iter().map(|(r, _)| (r.file.name(), &r.model)));
        let mut files: Vec<(FileReport, suppress::Scanned)> =
            loaded.into_par_iter().map(|(report, decoded)| self.lint_file(report, decoded, &conventions)).collect();

        let checked: Vec<CheckedFile<'_>> =
            files.iter().map(|(r, _)| CheckedFile { file: &r.file, model: &r.model }).collect();
        let mut cross: Vec<Vec<Diagnostic>> = vec![Vec::new(); checked.len()];
        for lint in &self.lints {
            if self.effective_severity(lint.meta().id).is_none() {
                continue;
            }
            let mut cx = WorkspaceContext {
                files: &checked,
                config: &self.config,
                alertmanager: self.alertmanager.as_ref(),
                catalog: &self.catalog,
                lint: lint.meta(),
                out: vec![Vec::new(); checked.len()],
            };
            lint.check_workspace(&mut cx);
            for (all, found) in cross.iter_mut().zip(cx.out) {
                all.extend(found);
            }
        }
        drop(checked);

        files.par_iter_mut().zip(cross).for_each(|((report, directives), found)| {
            report.diagnostics.extend(found);
            self.apply_policy(&mut report.diagnostics, directives);
        });
        let mut reports: Vec<FileReport> = files.into_iter().map(|(report, _)| report).collect();
        if let Some((file, findings)) = &self.alertmanager_findings {
            let mut diagnostics = findings.clone();
            self.apply_policy(&mut diagnostics, &suppress::Scanned::default());
            if !diagnostics.is_empty() {
                reports.push(FileReport::without_rules(file.clone(), diagnostics));
            }
        }
        if let Some((file, mut diagnostics)) = self.prometheus_findings() {
            self.apply_policy(&mut diagnostics, &suppress::Scanned::default());
            if !diagnostics.is_empty() {
                let model = RuleFile {
                    kind: FileKind::NotRules,
                    groups: Vec::new(),
                    diagnostics: Vec::new(),
                    scalar_spans: Vec::new(),
                };
                reports.push(FileReport { file, model, diagnostics });
            }
        }
        reports
    }

    /// The conventions the rule files in `inputs` follow, with what the
    /// configuration states (what `alertlint init` writes down).
    pub fn infer_conventions(&self, inputs: Vec<Input>) -> Conventions {
        let loaded: Vec<(FileReport, bool)> = inputs.into_par_iter().map(|input| self.load_file(input)).collect();
        Conventions::infer(&self.config, loaded.iter().map(|(r, _)| (r.file.name(), &r.model)))
    }

    /// Decodes and models one file; its diagnostics are the loader's. The
    /// flag is `false` when the file could not be decoded (nothing to lint).
    fn load_file(&self, input: Input) -> (FileReport, bool) {
        if input.bytes.len() > MAX_FILE_BYTES {
            return (oversized(input.name), false);
        }
        let (file, decode_error) = decode(input);
        let Some(decode_error) = decode_error else {
            let model = model::load(&file, &LoadOptions { dialect: self.config.dialect, ..LoadOptions::default() });
            let diagnostics = model.diagnostics.clone();
            return (FileReport { file, model, diagnostics }, true);
        };
        (FileReport { file, model: RuleFile::empty(FileKind::Invalid), diagnostics: vec![decode_error] }, false)
    }

    fn lint_file(
        &self,
        mut report: FileReport,
        decoded: bool,
        conventions: &Conventions,
    ) -> (FileReport, suppress::Scanned) {
        if !decoded {
            return (report, suppress::Scanned::default());
        }
        self.run_lints(&report.file, &report.model, conventions, &mut report.diagnostics);
        let directives = suppress::scan(&report.file, &report.model);
        (report, directives)
    }

    fn run_lints(&self, file: &SourceFile, model: &RuleFile, conventions: &Conventions, out: &mut Vec<Diagnostic>) {
        let active: Vec<&dyn Lint> =
            self.lints.iter().map(|l| l.as_ref()).filter(|l| self.effective_severity(l.meta().id).is_some()).collect();
        let mut cx = FileContext {
            file,
            model,
            config: &self.config,
            alertmanager: self.alertmanager.as_ref(),
            catalog: &self.catalog,
            conventions,
            lint: &lints::yaml::syntax::SYNTAX,
            group: None,
            rule: None,
            out,
        };
        for lint in &active {
            cx.lint = lint.meta();
            lint.check_file(&mut cx);
        }
        for group in &model.groups {
            cx.group = Some(&group.name.value);
            cx.rule = None;
            for lint in &active {
                cx.lint = lint.meta();
                lint.check_group(&mut cx, group);
            }
            for rule in &group.rules {
                cx.rule = Some(&rule.name.value);
                let parsed = rule.expr.as_ref().map(|text| (text, promql::parse(&text.value, &self.promql_options)));
                let expr = match &parsed {
                    Some((_, Ok(expr))) => Some(expr),
                    Some((text, Err(errors))) => {
                        for error in errors.iter().take(MAX_PARSE_ERRORS) {
                            cx.lint = &lints::promql::syntax::SYNTAX;
                            cx.report(text.to_file(error.span), error.message.clone());
                        }
                        None
                    }
                    None => None,
                };
                // Prometheus expands (and so parses) templates of alerting rules only.
                let is_alert = rule.kind == RuleKind::Alert;
                let mut parse_templates = |what: &str, pairs: &[KeyValue]| -> Vec<Option<Template>> {
                    pairs
                        .iter()
                        .map(|kv| {
                            if !is_alert {
                                return None;
                            }
                            match template::parse_for_alert(&kv.value.value, &rule.name.value) {
                                Ok(t) => Some(t),
                                Err(error) => {
                                    cx.lint = &lints::template::syntax::SYNTAX;
                                    cx.report(
                                        kv.value.to_file(error.span),
                                        format!("{what} `{}`: {}", kv.key.value, error.message),
                                    );
                                    None
                                }
                            }
                        })
                        .collect()
                };
                let label_templates = parse_templates("label", &rule.labels);
                let annotation_templates = parse_templates("annotation", &rule.annotations);
                let rcx = RuleContext {
                    group,
                    rule,
                    expr,
                    label_templates,
                    annotation_templates,
                    routed: Default::default(),
                };
                for lint in &active {
                    cx.lint = lint.meta();
                    lint.check_rule(&mut cx, &rcx);
                }
            }
        }
    }

    /// Suppressions, selection and severities, in one place.
    fn apply_policy(&self, diagnostics: &mut Vec<Diagnostic>, directives: &suppress::Scanned) {
        diagnostics.retain(|d| self.effective_severity(d.lint).is_some());
        suppress::apply(directives, diagnostics, &|id| self.effective_severity(id).is_some());
        diagnostics.retain_mut(|d| match self.effective_severity(d.lint) {
            Some(severity) => {
                d.severity = severity;
                true
            }
            None => false,
        });
        diagnostics.sort_by(|a, b| (a.span.start, a.span.end, a.lint).cmp(&(b.span.start, b.span.end, b.lint)));
    }
}

/// Only the first parse error is reported, as promtool does: the ones after it
/// are mostly consequences of the first.
const MAX_PARSE_ERRORS: usize = 1;

/// Largest file checked. Larger ones are reported without being decoded or
/// indexed: no rule file is this big, and building line tables for one costs
/// seconds and hundreds of megabytes for nothing.
pub const MAX_FILE_BYTES: usize = crate::yaml::DEFAULT_MAX_BYTES;

/// The report of a file over `MAX_FILE_BYTES`. Its text is left empty, so the
/// finding points at the start of the file.
fn oversized(name: String) -> FileReport {
    let file = SourceFile::new(name, "");
    let message = format!("file is larger than the limit of {MAX_FILE_BYTES} bytes; it was not checked");
    let diagnostic = Diagnostic::new(lints::yaml::syntax::SYNTAX.id, Severity::Error, Span::at(0), message)
        .help("split the rules into several files");
    let model =
        RuleFile { kind: FileKind::Invalid, groups: Vec::new(), diagnostics: Vec::new(), scalar_spans: Vec::new() };
    FileReport { file, model, diagnostics: vec![diagnostic] }
}

/// Turns bytes into text. Anything that is not UTF-8 is a `yaml/syntax` finding.
fn decode(input: Input) -> (SourceFile, Option<Diagnostic>) {
    let lint = lints::yaml::syntax::SYNTAX.id;
    let utf16 = input.bytes.starts_with(&[0xFF, 0xFE]) || input.bytes.starts_with(&[0xFE, 0xFF]);
    match String::from_utf8(input.bytes) {
        Ok(text) => (SourceFile::new(input.name, text), None),
        Err(error) => {
            let offset = error.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let file = SourceFile::new(input.name, text);
            let message = if utf16 {
                "file is UTF-16 encoded; rule files must be UTF-8".to_string()
            } else {
                format!("file is not valid UTF-8 (invalid byte at offset {offset})")
            };
            let end = file.clamp(offset + '\u{FFFD}'.len_utf8()).max(offset);
            let diagnostic =
                Diagnostic::new(lint, Severity::Error, Span::new(offset, end), message).help("save the file as UTF-8");
            (file, Some(diagnostic))
        }
    }
}

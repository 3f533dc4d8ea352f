//! Runs the lints over a set of files and applies policy once, afterwards:
//! suppressions, `--select`/`--ignore` and configured severities.

use rayon::prelude::*;

use crate::alertmanager::{self, AmConfig};
use crate::catalog::{self, Api, Catalog, Client, Online, ServerSettings};
use crate::config::{Config, ConfigError};
use crate::conventions::Conventions;
use crate::diagnostic::{Diagnostic, Severity};
use crate::lints::{
    self, BuildContext, CheckedFile, FileContext, Lint, ParsedFile, ParsedRule, RuleContext, WorkspaceContext,
};
use crate::model::{self, FileKind, Group, KeyValue, LoadOptions, Rule, RuleFile, RuleKind};
use crate::promql;
use crate::source::SourceFile;
use crate::span::Span;
use crate::suppress;
use crate::template::{self, Template};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// A file to check: the name it is reported under and its bytes.
pub struct Input {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Everything found in one file.
pub struct FileReport {
    pub file: SourceFile,
    pub model: RuleFile,
    /// Expressions and routing, parsed once (templates are dropped after the
    /// per-file lints ran; cross-file lints read the expressions).
    pub parsed: ParsedFile,
    /// Sorted by offset, policy applied.
    pub diagnostics: Vec<Diagnostic>,
}

impl FileReport {
    /// A report for a file that holds no rules (an Alertmanager configuration,
    /// a file that could not be decoded).
    pub fn without_rules(file: SourceFile, diagnostics: Vec<Diagnostic>) -> FileReport {
        FileReport { file, model: RuleFile::empty(FileKind::NotRules), parsed: ParsedFile::default(), diagnostics }
    }

    pub fn rule_count(&self) -> usize {
        self.model.groups.iter().map(|g| g.rules.len()).sum()
    }
}

/// One file after the per-file pass: its model, what was parsed from it and
/// its own findings, before cross-file lints and policy. The language server
/// keeps these for the documents that did not change.
pub struct Checked {
    pub file: SourceFile,
    pub model: RuleFile,
    pub parsed: ParsedFile,
    /// Findings of the loader and the per-file lints (policy not applied).
    pub diagnostics: Vec<Diagnostic>,
    directives: suppress::Scanned,
}

impl Checked {
    fn checked_file(&self) -> CheckedFile<'_> {
        CheckedFile { file: &self.file, model: &self.model, parsed: &self.parsed }
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
    /// Indices into `lints` of the lints that run.
    active: Vec<usize>,
    /// Whether a running lint reads parsed expressions or templates.
    needs_parse: bool,
    promql_options: promql::ParseOptions,
    /// The Alertmanager configuration, when given and valid.
    alertmanager: Option<AmConfig>,
    /// Findings in the Alertmanager configuration file, reported with the rule files.
    alertmanager_findings: Option<(SourceFile, Vec<Diagnostic>)>,
    catalog: Catalog,
    /// The configured Prometheus server, reachable or not (for its statistics).
    prometheus: Option<Arc<Client>>,
    /// Configured team policies (`policy/NAME`).
    policies: crate::policy::PolicySet,
    policy_ids: Vec<&'static str>,
    /// The server's answers, kept for the engine's lifetime.
    memo: Option<Arc<Memo>>,
    /// Whether parsed templates are kept after the per-file pass, to be
    /// reused by [`Engine::check_file_after`].
    keep_templates: bool,
    /// Whether a file that is YAML but not rules gets the `rule/not-rules`
    /// note (files named on the command line do; editors' buffers do not).
    note_not_rules: bool,
}

impl Engine {
    /// Builds every lint from the configuration (validating its options),
    /// loads the catalog and the Alertmanager configuration, and connects to
    /// the configured Prometheus server. Everything here is done once per
    /// configuration; [`Engine::check`] and [`Engine::check_file`] do the
    /// per-file work.
    pub fn new(config: Config, selection: Selection) -> Result<Engine, ConfigError> {
        Engine::build(config, selection, true)
    }

    /// Validates a configuration as [`Engine::new`] would, without asking a
    /// server anything.
    pub fn validate(config: Config) -> Result<(), ConfigError> {
        Engine::build(config, Selection::default(), false).map(|_| ())
    }

    fn build(config: Config, selection: Selection, connect: bool) -> Result<Engine, ConfigError> {
        for pattern in selection.select.iter().chain(&selection.ignore) {
            crate::config::check_lint_pattern(pattern).map_err(ConfigError::new)?;
        }
        let mut built = Vec::new();
        for registration in lints::registry() {
            let cx = BuildContext { config: &config, options: config.options_for(registration.meta.id) };
            built.push((registration.build)(&cx)?);
        }
        let promql_options = config.target.parse_options();
        let policies = crate::policy::PolicySet::new(config.policies.clone(), &config.base_dir);
        let policy_ids = config.policies.iter().map(|p| p.id).collect();
        let mut engine = Engine {
            config,
            selection,
            lints: built,
            active: Vec::new(),
            needs_parse: false,
            promql_options,
            policies,
            policy_ids,
            alertmanager: None,
            alertmanager_findings: None,
            catalog: Catalog::default(),
            prometheus: None,
            memo: None,
            note_not_rules: false,
            keep_templates: false,
        };
        engine.active = (0..engine.lints.len())
            .filter(|&i| engine.effective_severity(engine.lints[i].meta().id).is_some())
            .collect();
        let needs_parse = engine.active().any(|l| l.needs_parse()) || engine.policies.needs_parse();
        engine.needs_parse = needs_parse;
        let prometheus = engine.config.prometheus.clone();
        engine
            .catalog
            .load_files(&engine.config.base_dir, &prometheus.metrics)
            .map_err(|e| ConfigError::new(e.to_string()))?;
        if let Some(url) = prometheus.url.clone().filter(|_| connect) {
            let endpoint =
                catalog::Endpoint { url, headers: prometheus.headers.clone(), ca_file: prometheus.ca_file.clone() };
            engine.connect_prometheus(&endpoint)?;
        }
        if let Some(path) = engine.config.alertmanager_config.clone() {
            let text = crate::read::read_text(&path, crate::read::MAX_ALERTMANAGER_BYTES).map_err(|e| {
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

    /// Routes alerts through `config`, already loaded from `file`.
    pub fn use_alertmanager(&mut self, file: SourceFile, config: AmConfig) {
        self.alertmanager_findings = Some((file, config.warnings.clone()));
        self.alertmanager = Some(config);
    }

    pub fn alertmanager(&self) -> Option<&AmConfig> {
        self.alertmanager.as_ref()
    }

    /// Inputs that were read but are probably not what the user meant (a
    /// saved scrape with no metric in it), for the command line to print.
    pub fn input_warnings(&self) -> &[String] {
        self.catalog.warnings()
    }

    /// The report of a rule file over the size limit, which is not read.
    pub fn oversized_report(name: String) -> FileReport {
        let checked = oversized(name);
        FileReport {
            file: checked.file,
            model: checked.model,
            parsed: checked.parsed,
            diagnostics: checked.diagnostics,
        }
    }

    /// Adds a saved scrape's metric names and types to the catalog.
    pub fn add_metrics_text(&mut self, text: &str) {
        self.catalog.load_exposition(text);
    }

    /// Reads names, types and scrape intervals from a live Prometheus. A
    /// server that does not answer is reported once (`prometheus/unreachable`)
    /// and the online lints stay silent.
    pub fn connect_prometheus(&mut self, endpoint: &catalog::Endpoint) -> Result<(), ConfigError> {
        let client = Arc::new(Client::new(endpoint).map_err(ConfigError::new)?);
        client.begin_run();
        self.prometheus = Some(client.clone());
        let Ok(found) = client.connect() else { return Ok(()) };
        for name in found.names {
            self.catalog.insert_name(name);
        }
        for (name, metric_type) in found.types {
            self.catalog.insert(name, metric_type);
        }
        let memo = Arc::new(Memo::new(client));
        self.memo = Some(memo.clone());
        self.catalog.set_online(Online { api: memo, settings: found.settings });
        Ok(())
    }

    /// While `true`, online lints get only answers already known (from
    /// earlier checks with this engine): no request is sent. The language
    /// server sets this while the user types.
    pub fn defer_online(&self, defer: bool) {
        if let Some(memo) = &self.memo {
            memo.deferred.store(defer, Ordering::Relaxed);
        }
    }

    /// Gives files that hold YAML but no rules the `rule/not-rules` note.
    pub fn note_not_rules(&mut self, note: bool) {
        self.note_not_rules = note;
    }

    /// Keeps parsed templates with each checked file, so that
    /// [`Engine::check_file_after`] reuses them too (more memory per file).
    pub fn keep_templates(&mut self, keep: bool) {
        self.keep_templates = keep;
    }

    /// Answers online lints from `api` instead of a server (lint examples).
    pub fn set_prometheus_api(&mut self, api: Arc<dyn Api>, settings: ServerSettings) {
        self.catalog.set_online(Online { api, settings });
    }

    /// The configured server's URL and how many requests went to it.
    pub fn prometheus_stats(&self) -> Option<(&str, catalog::prometheus::Stats)> {
        self.prometheus.as_ref().map(|c| (c.url(), c.stats()))
    }

    /// One finding when the server could not be reached or some queries failed.
    fn prometheus_findings(&self) -> Option<(SourceFile, Vec<Diagnostic>)> {
        let client = self.prometheus.as_ref()?;
        let stats = client.stats();
        let message = match (stats.failures.first(), &stats.stopped) {
            (Some(first), _) if self.catalog.online().is_none() => format!("{first}; the online lints did not run"),
            (None, Some(why)) if self.catalog.online().is_none() => format!("{why}; the online lints did not run"),
            (Some(first), None) => {
                format!(
                    "{} of {} queries to Prometheus failed; the first: {first}",
                    stats.failures.len(),
                    stats.queries
                )
            }
            (first, Some(why)) => {
                let failed = first.map(|f| format!("; the first failure: {f}")).unwrap_or_default();
                format!("{} queries to Prometheus were not sent: {why}{failed}", stats.skipped)
            }
            (None, None) => return None,
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
            None => lints::find(id).map(|m| m.default_severity).or_else(|| self.policies.find(id).map(|p| p.severity)),
        }
    }

    /// Checks all inputs. Reports come back in input order.
    pub fn check(&self, inputs: Vec<Input>) -> Vec<FileReport> {
        if let Some(client) = &self.prometheus
            && self.catalog.online().is_some()
        {
            client.begin_run();
        }
        let loaded: Vec<Loaded> = inputs.into_par_iter().map(|input| self.load(input)).collect();
        // Conventions are read from every file before any file is linted.
        let conventions = Conventions::infer(&self.config, loaded.iter().filter_map(Loaded::model));
        let files: Vec<Checked> =
            loaded.into_par_iter().map(|loaded| self.lint_loaded(loaded, &conventions, &Reuse::default())).collect();
        let refs: Vec<&Checked> = files.iter().collect();
        let cross = self.cross_file(&refs);
        drop(refs);
        let mut reports: Vec<FileReport> = files
            .into_par_iter()
            .zip(cross)
            .map(|(checked, found)| {
                let Checked { file, model, parsed, mut diagnostics, directives } = checked;
                diagnostics.extend(found);
                self.apply_policy(&mut diagnostics, &directives);
                FileReport { file, model, parsed, diagnostics }
            })
            .collect();
        reports.extend(self.other_reports());
        reports
    }

    /// Findings that belong to no rule file: the Alertmanager configuration's
    /// own, and the Prometheus server's.
    fn other_reports(&self) -> Vec<FileReport> {
        let mut reports = Vec::new();
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
                reports.push(FileReport::without_rules(file, diagnostics));
            }
        }
        reports
    }

    /// Checks files that use different configurations as one run: each
    /// file's own lints and policy come from its engine, and cross-file lints
    /// (`rule/duplicate`) compare it with every file of the run, in name
    /// order. Reports come back per engine, in input order.
    pub fn check_many(parts: Vec<(&Engine, Vec<Input>)>) -> Vec<Vec<FileReport>> {
        if parts.len() == 1 {
            return parts.into_iter().map(|(engine, inputs)| engine.check(inputs)).collect();
        }
        let engines: Vec<&Engine> = parts.iter().map(|(engine, _)| *engine).collect();
        let mut all: Vec<(usize, usize, Checked)> = parts
            .into_iter()
            .enumerate()
            .flat_map(|(part, (engine, inputs))| {
                let checked: Vec<Checked> = inputs.into_par_iter().map(|input| engine.check_file(input)).collect();
                checked.into_iter().enumerate().map(move |(i, c)| (part, i, c))
            })
            .collect();
        all.sort_by(|a, b| a.2.file.name().cmp(b.2.file.name()));
        let refs: Vec<&Checked> = all.iter().map(|(_, _, c)| c).collect();
        let mut found: Vec<Option<Vec<Diagnostic>>> = vec![None; all.len()];
        for (part, engine) in engines.iter().enumerate() {
            let targets: Vec<usize> = (0..all.len()).filter(|&k| all[k].0 == part).collect();
            for (k, diagnostics) in targets.iter().zip(engine.findings(&refs, &targets)) {
                found[*k] = Some(diagnostics);
            }
        }
        drop(refs);
        let mut slots: Vec<Vec<Option<FileReport>>> = engines.iter().map(|_| Vec::new()).collect();
        for ((part, i, checked), diagnostics) in all.into_iter().zip(found) {
            let Checked { file, model, parsed, .. } = checked;
            let report = FileReport { file, model, parsed, diagnostics: diagnostics.unwrap_or_default() };
            let slot = &mut slots[part];
            if slot.len() <= i {
                slot.resize_with(i + 1, || None);
            }
            slot[i] = Some(report);
        }
        slots
            .into_iter()
            .zip(&engines)
            .map(|(slot, engine)| {
                let mut reports: Vec<FileReport> = slot.into_iter().flatten().collect();
                reports.extend(engine.other_reports());
                reports
            })
            .collect()
    }

    /// The final findings of `files[t]` for each `t` of `targets`: their own
    /// findings, the cross-file lints' over all of `files`, policy applied.
    /// The language server re-checks only the edited document and takes the
    /// others from earlier runs.
    pub fn findings(&self, files: &[&Checked], targets: &[usize]) -> Vec<Vec<Diagnostic>> {
        let mut cross = self.cross_file(files);
        targets
            .iter()
            .filter_map(|&t| {
                let checked = files.get(t)?;
                let mut diagnostics = checked.diagnostics.clone();
                diagnostics.append(&mut cross[t]);
                self.apply_policy(&mut diagnostics, &checked.directives);
                Some(diagnostics)
            })
            .collect()
    }

    /// Runs the cross-file lints (each on its own thread); findings come
    /// back per file, in registry order.
    fn cross_file(&self, files: &[&Checked]) -> Vec<Vec<Diagnostic>> {
        let checked: Vec<CheckedFile<'_>> = files.iter().map(|c| c.checked_file()).collect();
        let active: Vec<&dyn Lint> = self.active().collect();
        let per_lint: Vec<Vec<Vec<Diagnostic>>> = active
            .par_iter()
            .map(|lint| {
                let mut cx = WorkspaceContext {
                    files: &checked,
                    config: &self.config,
                    alertmanager: self.alertmanager.as_ref(),
                    catalog: &self.catalog,
                    lint: lint.meta(),
                    out: vec![Vec::new(); checked.len()],
                };
                lint.check_workspace(&mut cx);
                cx.out
            })
            .collect();
        let mut cross: Vec<Vec<Diagnostic>> = vec![Vec::new(); checked.len()];
        for found in per_lint {
            for (all, found) in cross.iter_mut().zip(found) {
                all.extend(found);
            }
        }
        cross
    }

    /// The lints that run, in registry order.
    fn active(&self) -> impl Iterator<Item = &dyn Lint> {
        self.active.iter().map(|&i| self.lints[i].as_ref())
    }

    /// Loads, parses and lints one file (per-file lints only), with the
    /// conventions read from this file alone.
    pub fn check_file(&self, input: Input) -> Checked {
        self.check_file_after(input, None)
    }

    /// [`Engine::check_file`] for a new version of a document checked
    /// before (by this engine): expressions that did not change are not
    /// parsed again. The language server re-checks a document after each
    /// edit, which mostly leaves all but one rule as they were.
    pub fn check_file_after(&self, input: Input, previous: Option<&Checked>) -> Checked {
        let reuse = previous.map(Reuse::from_checked).unwrap_or_default();
        let loaded = self.load(input);
        let conventions = Conventions::infer(&self.config, loaded.model());
        self.lint_loaded(loaded, &conventions, &reuse)
    }

    /// The conventions the rule files in `inputs` follow, with what the
    /// configuration states (what `alertlint init` writes down).
    pub fn infer_conventions(&self, inputs: Vec<Input>) -> Conventions {
        let loaded: Vec<Loaded> = inputs.into_par_iter().map(|input| self.load(input)).collect();
        Conventions::infer(&self.config, loaded.iter().filter_map(Loaded::model))
    }

    /// Decodes and models one file.
    fn load(&self, input: Input) -> Loaded {
        if input.bytes.len() > MAX_FILE_BYTES {
            return Loaded::Done(oversized(input.name));
        }
        let (file, decode_error) = decode(input);
        if let Some(decode_error) = decode_error {
            return Loaded::Done(Checked {
                file,
                model: RuleFile::empty(FileKind::Invalid),
                parsed: ParsedFile::default(),
                diagnostics: vec![decode_error],
                directives: suppress::Scanned::default(),
            });
        }
        let options =
            LoadOptions { dialect: self.config.dialect, version: self.config.target.version, ..LoadOptions::default() };
        let mut model = model::load_with(&file, &options, self.config.target.names());
        let mut diagnostics = std::mem::take(&mut model.diagnostics);
        if model.kind == FileKind::NotRules && self.note_not_rules {
            diagnostics.extend(lints::rule::not_rules::note(&file));
        }
        Loaded::Model { file, model, diagnostics }
    }

    /// Runs the per-file lints on a loaded file.
    fn lint_loaded(&self, loaded: Loaded, conventions: &Conventions, reuse: &Reuse<'_>) -> Checked {
        let (file, model, mut diagnostics) = match loaded {
            Loaded::Done(checked) => return checked,
            Loaded::Model { file, model, diagnostics } => (file, model, diagnostics),
        };
        let parsed = self.run_lints(&file, &model, conventions, reuse, &mut diagnostics);
        let directives = suppress::scan(&file, &model);
        Checked { file, model, parsed, diagnostics, directives }
    }

    fn run_lints(
        &self,
        file: &SourceFile,
        model: &RuleFile,
        conventions: &Conventions,
        reuse: &Reuse<'_>,
        out: &mut Vec<Diagnostic>,
    ) -> ParsedFile {
        let mut cx = self.file_context(file, model, conventions, out);
        for lint in self.active() {
            cx.lint = lint.meta();
            lint.check_file(&mut cx);
        }
        // Groups are the unit of parallel work: one large file does not
        // serialise the run.
        let per_group: Vec<(Vec<ParsedRule>, Vec<Diagnostic>)> = model
            .groups
            .par_iter()
            .enumerate()
            .map(|(g, group)| self.check_group(file, model, conventions, reuse, g, group))
            .collect();
        let mut parsed = ParsedFile { groups: Vec::with_capacity(per_group.len()) };
        for (rules, found) in per_group {
            parsed.groups.push(rules);
            out.extend(found);
        }
        self.note_other_language(model, &parsed, out);
        parsed
    }

    /// An expression in another query language (LogQL, MetricsQL) makes the
    /// file one this parser cannot check: one note instead of a syntax error
    /// for each expression.
    fn note_other_language(&self, model: &RuleFile, parsed: &ParsedFile, out: &mut Vec<Diagnostic>) {
        use lints::rule::other_language::{OTHER_LANGUAGE, detect};
        let mut rules = model
            .groups
            .iter()
            .zip(&parsed.groups)
            .flat_map(|(g, p)| g.rules.iter().zip(p.iter().map(Some).chain(std::iter::repeat(None))));
        // Only expressions that do not parse as PromQL, when they were parsed.
        let found = rules.find_map(|(rule, parsed)| {
            let text = rule.expr.as_ref()?;
            if self.needs_parse && parsed.is_some_and(|p| p.expr.is_some()) {
                return None;
            }
            detect(&text.value).map(|language| (language, text.span, rule.name.value.clone()))
        });
        let Some((language, span, rule)) = found else { return };
        out.retain(|d| d.lint != lints::promql::syntax::SYNTAX.id);
        let message = format!(
            "expressions in this file are {}, not PromQL (first seen in `{rule}`); they were not checked",
            language.name()
        );
        let help = "check the file with the other system's own tool, or exclude it in `.alertlint.yaml`";
        out.push(
            Diagnostic::new(OTHER_LANGUAGE.id, OTHER_LANGUAGE.default_severity, span, message).help(help).in_rule(rule),
        );
    }

    fn file_context<'a>(
        &'a self,
        file: &'a SourceFile,
        model: &'a RuleFile,
        conventions: &'a Conventions,
        out: &'a mut Vec<Diagnostic>,
    ) -> FileContext<'a> {
        FileContext {
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
        }
    }

    fn check_group(
        &self,
        file: &SourceFile,
        model: &RuleFile,
        conventions: &Conventions,
        reuse: &Reuse<'_>,
        g: usize,
        group: &Group,
    ) -> (Vec<ParsedRule>, Vec<Diagnostic>) {
        let mut out = Vec::new();
        let mut rules = Vec::with_capacity(group.rules.len());
        let policies = self.policies.for_file(file.name());
        let mut cx = self.file_context(file, model, conventions, &mut out);
        cx.group = Some(&group.name.value);
        for lint in self.active() {
            cx.lint = lint.meta();
            lint.check_group(&mut cx, group);
        }
        policies.check_group(&mut cx, group);
        // Rules are checked in chunks, in parallel: one large group (such as
        // a generated file of 10,000 rules) does not serialise the run.
        let chunks: Vec<(Vec<ParsedRule>, Vec<Diagnostic>)> = group
            .rules
            .par_chunks(RULES_PER_TASK)
            .enumerate()
            .map(|(c, chunk)| {
                let mut out = Vec::new();
                let mut parsed_rules = Vec::with_capacity(chunk.len());
                let mut cx = self.file_context(file, model, conventions, &mut out);
                cx.group = Some(&group.name.value);
                // Generated files repeat expressions: each text is parsed once per chunk.
                let mut seen: Parsed<'_> = HashMap::default();
                for (i, rule) in chunk.iter().enumerate() {
                    let at = (g, c * RULES_PER_TASK + i);
                    parsed_rules.push(self.check_rule(&mut cx, &policies, reuse, &mut seen, at, group, rule));
                }
                (parsed_rules, out)
            })
            .collect();
        for (parsed_rules, found) in chunks {
            rules.extend(parsed_rules);
            out.extend(found);
        }
        (rules, out)
    }

    /// Runs the per-rule lints and policies on one rule; what was parsed,
    /// less what only per-file lints read.
    #[allow(clippy::too_many_arguments)]
    fn check_rule<'a>(
        &self,
        cx: &mut FileContext<'a>,
        policies: &crate::lints::policies::FilePolicies<'_>,
        reuse: &Reuse<'_>,
        seen: &mut Parsed<'a>,
        at: (usize, usize),
        group: &Group,
        rule: &'a Rule,
    ) -> ParsedRule {
        cx.rule = Some(&rule.name.value);
        let mut parsed = self.parse_rule(group, rule, at, reuse, seen);
        let rcx = RuleContext {
            group,
            rule,
            expr: parsed.expr.as_deref(),
            parsed: &parsed,
            label_templates: &parsed.label_templates,
            annotation_templates: &parsed.annotation_templates,
        };
        for lint in self.active() {
            cx.lint = lint.meta();
            lint.check_rule(cx, &rcx);
        }
        policies.check_rule(cx, &rcx);
        // Only per-file lints read templates: keep what cross-file lints
        // and routing read (and the templates, for an engine that checks
        // documents again after edits).
        if !self.keep_templates {
            parsed.label_templates = Vec::new();
            parsed.annotation_templates = Vec::new();
        }
        parsed.template_errors = Vec::new();
        parsed.expr_errors = Vec::new();
        parsed
    }

    /// Parses a rule's expression and templates, and routes its alert: once,
    /// for every lint.
    /// `at` is the rule's place in the file: group and rule index.
    fn parse_rule<'a>(
        &self,
        group: &Group,
        rule: &'a Rule,
        at: (usize, usize),
        reuse: &Reuse<'_>,
        seen: &mut Parsed<'a>,
    ) -> ParsedRule {
        let mut parsed = ParsedRule::default();
        if !self.needs_parse {
            return parsed;
        }
        if let Some(text) = &rule.expr {
            // Positions in a parsed expression are relative to its text: the
            // same text anywhere in the file gives the same tree.
            if let Some(expr) = reuse.expr(at, rule, &text.value).or_else(|| seen.get(text.value.as_str()).cloned()) {
                parsed.expr = Some(expr);
                parsed.expr_parsed = true;
            } else {
                match promql::parse(&text.value, &self.promql_options) {
                    Ok(expr) => {
                        let expr = Arc::new(expr);
                        seen.insert(&text.value, expr.clone());
                        parsed.expr = Some(expr);
                        parsed.expr_parsed = true;
                    }
                    Err(errors) => parsed.expr_errors = errors,
                }
            }
        }
        // Prometheus expands (and so parses) templates of alerting rules only.
        let is_alert = rule.kind == RuleKind::Alert;
        let mut errors = Vec::new();
        let mut parse_templates = |what: &str, pairs: &[KeyValue], labels: bool| -> Vec<Option<Arc<Template>>> {
            pairs
                .iter()
                .enumerate()
                .map(|(index, kv)| {
                    if !is_alert {
                        return None;
                    }
                    // Like expressions, templates are positioned in their own text.
                    if let Some(t) = reuse.template(at, rule, (labels, index), &kv.value.value) {
                        return Some(t);
                    }
                    match template::parse_for_alert(&kv.value.value, &rule.name.value) {
                        Ok(t) => Some(Arc::new(t)),
                        Err(error) => {
                            errors.push((
                                kv.value.to_file(error.span),
                                format!("{what} `{}`: {}", kv.key.value, error.message),
                            ));
                            None
                        }
                    }
                })
                .collect()
        };
        parsed.label_templates = parse_templates("label", &rule.labels, true);
        parsed.annotation_templates = parse_templates("annotation", &rule.annotations, false);
        parsed.template_errors = errors;
        if let (true, Some(am)) = (is_alert, &self.alertmanager) {
            // Boxed: most runs route nothing, and every rule keeps the field.
            parsed.routed = Some(Box::new(alertmanager::route_alert(
                am,
                &self.config.prometheus.external_labels,
                group,
                rule,
                parsed.expr.as_deref(),
            )));
        }
        parsed
    }

    /// Suppressions, selection and severities, in one place.
    fn apply_policy(&self, diagnostics: &mut Vec<Diagnostic>, directives: &suppress::Scanned) {
        diagnostics.retain(|d| self.effective_severity(d.lint).is_some());
        suppress::apply(directives, diagnostics, &|id| self.effective_severity(id).is_some(), &self.policy_ids);
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

/// Expressions parsed in one chunk of rules, by their text (hashed with
/// foldhash: every rule's expression is looked up).
type Parsed<'a> = HashMap<&'a str, Arc<promql::Expr>, foldhash::fast::RandomState>;

/// Largest file checked. Larger ones are reported without being decoded or
/// indexed: no rule file is this big, and building line tables for one costs
/// seconds and hundreds of megabytes for nothing.
pub const MAX_FILE_BYTES: usize = crate::yaml::DEFAULT_MAX_BYTES;

/// What an earlier check of the same document parsed, to be reused where
/// the text did not change. A rule is first compared with the rule at the
/// same place in the earlier version; only when rules moved (another rule's
/// name is there) are parses looked up by their text.
#[derive(Default)]
struct Reuse<'a> {
    previous: Option<&'a Checked>,
    by_text: std::sync::OnceLock<ByText<'a>>,
}

/// Every parse of the earlier version, by its text.
#[derive(Default)]
struct ByText<'a> {
    exprs: HashMap<&'a str, Arc<promql::Expr>>,
    /// By the template's text and the alert's name.
    templates: HashMap<(&'a str, &'a str), Arc<Template>>,
}

impl<'a> Reuse<'a> {
    fn from_checked(checked: &'a Checked) -> Reuse<'a> {
        Reuse { previous: Some(checked), by_text: std::sync::OnceLock::new() }
    }

    /// The earlier rule at `at` and what was parsed of it.
    fn at(&self, (g, r): (usize, usize)) -> Option<(&'a Rule, &'a ParsedRule)> {
        let previous = self.previous?;
        Some((previous.model.groups.get(g)?.rules.get(r)?, previous.parsed.groups.get(g)?.get(r)?))
    }

    fn expr(&self, at: (usize, usize), rule: &Rule, text: &str) -> Option<Arc<promql::Expr>> {
        self.previous?;
        match self.at(at) {
            Some((earlier, parsed)) if earlier.name.value == rule.name.value => {
                parsed.expr.clone().filter(|_| earlier.expr.as_ref().is_some_and(|e| e.value == text))
            }
            _ => self.by_text().exprs.get(text).cloned(),
        }
    }

    /// The template of label (or annotation) `index` of `rule`.
    fn template(
        &self,
        at: (usize, usize),
        rule: &Rule,
        (labels, index): (bool, usize),
        text: &str,
    ) -> Option<Arc<Template>> {
        self.previous?;
        match self.at(at) {
            Some((earlier, parsed)) if earlier.name.value == rule.name.value => {
                let (pairs, templates) = if labels {
                    (&earlier.labels, &parsed.label_templates)
                } else {
                    (&earlier.annotations, &parsed.annotation_templates)
                };
                let same = pairs.get(index).is_some_and(|kv| kv.value.value == text);
                templates.get(index).cloned().flatten().filter(|_| same)
            }
            _ => self.by_text().templates.get(&(text, rule.name.value.as_str())).cloned(),
        }
    }

    fn by_text(&self) -> &ByText<'a> {
        self.by_text.get_or_init(|| {
            let mut by_text = ByText::default();
            let Some(checked) = self.previous else { return by_text };
            for (group, parsed) in checked.model.groups.iter().zip(&checked.parsed.groups) {
                for (rule, parsed) in group.rules.iter().zip(parsed) {
                    if let (Some(text), Some(expr)) = (&rule.expr, &parsed.expr) {
                        by_text.exprs.insert(text.value.as_str(), expr.clone());
                    }
                    let pairs = rule.labels.iter().zip(&parsed.label_templates);
                    for (kv, template) in pairs.chain(rule.annotations.iter().zip(&parsed.annotation_templates)) {
                        if let Some(template) = template {
                            by_text
                                .templates
                                .insert((kv.value.value.as_str(), rule.name.value.as_str()), template.clone());
                        }
                    }
                }
            }
            by_text
        })
    }
}

/// Rules of one group checked by one parallel task.
const RULES_PER_TASK: usize = 64;

/// A file decoded and modelled, not yet linted; or one that cannot be linted.
enum Loaded {
    Done(Checked),
    Model { file: SourceFile, model: RuleFile, diagnostics: Vec<Diagnostic> },
}

impl Loaded {
    /// The file's name and model, for reading conventions.
    fn model(&self) -> Option<(&str, &RuleFile)> {
        match self {
            Loaded::Done(_) => None,
            Loaded::Model { file, model, .. } => Some((file.name(), model)),
        }
    }
}

/// The report of a file over `MAX_FILE_BYTES`. Its text is left empty, so the
/// finding points at the start of the file.
fn oversized(name: String) -> Checked {
    let file = SourceFile::new(name, "");
    let message = format!("file is larger than the limit of {MAX_FILE_BYTES} bytes; it was not checked");
    let diagnostic = Diagnostic::new(lints::yaml::syntax::SYNTAX.id, Severity::Error, Span::at(0), message)
        .help("split the rules into several files");
    Checked {
        file,
        model: RuleFile::empty(FileKind::Invalid),
        parsed: ParsedFile::default(),
        diagnostics: vec![diagnostic],
        directives: suppress::Scanned::default(),
    }
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

/// A range query: expression, start, end and step (as bits).
type RangeKey = (String, u64, u64, u64);

/// Answers of a Prometheus server, kept for the lifetime of an engine. The
/// clock is read once, when the engine connects, so a question asked again
/// is the same question: the language server re-checks a document without
/// sending a request for what it already asked.
#[derive(Debug)]
struct Memo {
    api: Arc<dyn Api>,
    now: f64,
    deferred: AtomicBool,
    series: Mutex<HashMap<(String, u64, u64), bool>>,
    ranges: Mutex<HashMap<RangeKey, Vec<catalog::prometheus::RangeSeries>>>,
}

impl Memo {
    fn new(api: Arc<dyn Api>) -> Memo {
        let now = api.now();
        Memo {
            api,
            now,
            deferred: AtomicBool::new(false),
            series: Mutex::new(HashMap::new()),
            ranges: Mutex::new(HashMap::new()),
        }
    }

    fn not_asked(&self) -> catalog::prometheus::ApiError {
        catalog::prometheus::ApiError::Invalid {
            what: "deferred".to_string(),
            message: "not asked while the document is being edited".to_string(),
        }
    }
}

impl Api for Memo {
    fn now(&self) -> f64 {
        self.now
    }

    fn series_exist(&self, selector: &str, start: f64, end: f64) -> Result<bool, catalog::prometheus::ApiError> {
        let key = (selector.to_string(), start.to_bits(), end.to_bits());
        if let Some(&found) = self.series.lock().ok().as_ref().and_then(|m| m.get(&key)) {
            return Ok(found);
        }
        if self.deferred.load(Ordering::Relaxed) {
            return Err(self.not_asked());
        }
        let found = self.api.series_exist(selector, start, end)?;
        if let Ok(mut map) = self.series.lock() {
            map.insert(key, found);
        }
        Ok(found)
    }

    fn query_range(
        &self,
        expr: &str,
        start: f64,
        end: f64,
        step: f64,
    ) -> Result<Vec<catalog::prometheus::RangeSeries>, catalog::prometheus::ApiError> {
        let key = (expr.to_string(), start.to_bits(), end.to_bits(), step.to_bits());
        if let Some(found) = self.ranges.lock().ok().as_ref().and_then(|m| m.get(&key).cloned()) {
            return Ok(found);
        }
        if self.deferred.load(Ordering::Relaxed) {
            return Err(self.not_asked());
        }
        let found = self.api.query_range(expr, start, end, step)?;
        if let Ok(mut map) = self.ranges.lock() {
            map.insert(key, found.clone());
        }
        Ok(found)
    }

    fn query(&self, expr: &str, time: f64) -> Result<Vec<catalog::prometheus::Sample>, catalog::prometheus::ApiError> {
        if self.deferred.load(Ordering::Relaxed) {
            return Err(self.not_asked());
        }
        self.api.query(expr, time)
    }

    fn label_values(
        &self,
        label: &str,
        selector: &str,
        start: f64,
        end: f64,
    ) -> Result<Vec<String>, catalog::prometheus::ApiError> {
        if self.deferred.load(Ordering::Relaxed) {
            return Err(self.not_asked());
        }
        self.api.label_values(label, selector, start, end)
    }

    fn stats(&self) -> catalog::prometheus::Stats {
        self.api.stats()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BEFORE: &str = "groups:\n  - name: api\n    rules:\n      - alert: ErrorsHigh\n        expr: sum by (job) (rate(errors_total[5m])) > 1\n        for: 5m\n        labels:\n          severity: page\n        annotations:\n          summary: \"{{ $labels.job }} fails {{ $labels.instance }}\"\n      - alert: Down\n        expr: up == 0\n        for: 1m\n        annotations:\n          summary: \"{{ $labels.instance }} is down\"\n";

    fn input(text: &str) -> Input {
        Input { name: "rules.yaml".into(), bytes: text.as_bytes().to_vec() }
    }

    /// An edit in front of the rules moves them: reused parses must give the
    /// findings of a fresh check, at the new positions.
    #[test]
    fn a_check_after_an_edit_reuses_parses_and_finds_the_same() {
        let mut engine = Engine::new(Config::default(), Selection::default()).expect("engine");
        engine.keep_templates(true);
        let before = engine.check_file(input(BEFORE));
        let after_text = BEFORE.replace("for: 1m", "for: 0s").replacen("groups:\n", "groups:\n\n# moved\n", 1);
        let reused = engine.check_file_after(input(&after_text), Some(&before));
        let fresh = engine.check_file(input(&after_text));
        assert!(!fresh.diagnostics.is_empty(), "the edited file has findings to compare");
        assert_eq!(reused.diagnostics, fresh.diagnostics);
        let expr = |c: &Checked, r: usize| c.parsed.groups[0][r].expr.clone().expect("parsed");
        assert!(Arc::ptr_eq(&expr(&before, 0), &expr(&reused, 0)), "an unchanged expression is not parsed again");
        assert!(!Arc::ptr_eq(&expr(&before, 0), &expr(&fresh, 0)));
        let template = |c: &Checked, r: usize| c.parsed.groups[0][r].annotation_templates[0].clone().expect("template");
        assert!(Arc::ptr_eq(&template(&before, 1), &template(&reused, 1)));

        // A rule inserted first moves the others: they are found by their text.
        let inserted = BEFORE.replacen(
            "    rules:\n",
            "    rules:\n      - alert: New\n        expr: down > 0\n        annotations:\n          summary: \"{{ $labels.instance }} is down\"\n",
            1,
        );
        let reused = engine.check_file_after(input(&inserted), Some(&before));
        assert_eq!(reused.diagnostics, engine.check_file(input(&inserted)).diagnostics);
        assert!(Arc::ptr_eq(&expr(&before, 0), &expr(&reused, 1)));
        assert!(Arc::ptr_eq(&template(&before, 1), &template(&reused, 2)));
        // The same text in another alert is parsed for that alert.
        assert!(!Arc::ptr_eq(&template(&before, 1), &template(&reused, 0)));
    }
}

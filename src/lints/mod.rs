//! The lint registry, the `Lint` trait and the contexts lints run in.
//!
//! One lint per file, its path matching its id: `noise/for-too-short` lives in
//! `src/lints/noise/for_too_short.rs`. A lint declares its metadata and docs
//! with [`declare_lint!`], implements only the hooks it needs, and reports
//! through the context. It never decides whether it is enabled, what its final
//! severity is, or whether it is suppressed: the engine does that afterwards.

use crate::alertmanager::AmConfig;
use crate::catalog::Catalog;
use crate::config::{Config, ConfigError, OptionsNode};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{Group, Rule, RuleFile};
use crate::source::SourceFile;
use crate::span::Span;

pub mod alertmanager;
pub mod alerts;
pub mod group;
pub mod labels;
pub mod metric;
pub mod noise;
pub mod owner;
pub mod policies;
pub mod prometheus;
pub mod promql;
pub mod record;
pub mod routing;
pub mod rule;
pub mod runbook;
pub mod severity;
pub mod suppression;
pub mod template;
pub mod yaml;

/// A YAML snippet used as a documentation example and as a test case.
#[derive(Clone, Copy, Debug)]
pub struct Example {
    /// A rule file.
    pub yaml: &'static str,
    /// A `.alertlint.yaml` to check it with; empty for the defaults.
    pub config: &'static str,
    /// An Alertmanager configuration to route with; empty for none.
    pub alertmanager: &'static str,
    /// A saved scrape (text exposition format) loaded into the catalog; empty for none.
    pub metrics: &'static str,
    /// Canned Prometheus answers standing in for a server (see
    /// `catalog::canned`); empty for none.
    pub prometheus: &'static str,
}

impl Example {
    pub const fn new(yaml: &'static str) -> Example {
        Example { yaml, config: "", alertmanager: "", metrics: "", prometheus: "" }
    }

    pub const fn with_config(yaml: &'static str, config: &'static str) -> Example {
        Example { yaml, config, alertmanager: "", metrics: "", prometheus: "" }
    }

    pub const fn with_alertmanager(yaml: &'static str, alertmanager: &'static str) -> Example {
        Example { yaml, config: "", alertmanager, metrics: "", prometheus: "" }
    }

    pub const fn with_metrics(yaml: &'static str, metrics: &'static str) -> Example {
        Example { yaml, config: "", alertmanager: "", metrics, prometheus: "" }
    }

    pub const fn with_prometheus(yaml: &'static str, config: &'static str, prometheus: &'static str) -> Example {
        Example { yaml, config, alertmanager: "", metrics: "", prometheus }
    }
}

/// Everything known about a lint without running it.
#[derive(Debug)]
pub struct LintMeta {
    /// `family/name`, kebab-case.
    pub id: &'static str,
    pub default_severity: Severity,
    /// One line, lowercase, no trailing period.
    pub summary: &'static str,
    /// Markdown with the headings *What it does*, *Why it matters*,
    /// *Example*, *How to fix* and *Options*.
    pub docs: &'static str,
    /// Files on which the lint stays silent.
    pub pass: &'static [Example],
    /// Files on which the lint reports at least once.
    pub fail: &'static [Example],
    /// The source file declaring the lint (its path must match the id).
    pub source_file: &'static str,
}

impl LintMeta {
    pub fn family(&self) -> &'static str {
        self.id.split('/').next().unwrap_or(self.id)
    }

    /// The docs with the one leading space that `///` leaves on each line removed.
    pub fn docs_text(&self) -> String {
        let mut out = String::with_capacity(self.docs.len());
        for line in self.docs.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim().to_string() + "\n"
    }

    pub fn url(&self) -> String {
        format!("{DOCS_BASE_URL}{}", self.anchor())
    }

    /// The Markdown heading anchor of the lint in `docs/lints.md`.
    pub fn anchor(&self) -> String {
        self.id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect()
    }
}

/// Where each lint's documentation is published.
pub const DOCS_BASE_URL: &str = "https://github.com/alertlint/alertlint/blob/main/docs/lints.md#";

/// Declares a lint's metadata. The doc comment becomes its documentation,
/// printed by `alertlint explain` and collected into `docs/lints.md`.
#[macro_export]
macro_rules! declare_lint {
    (
        $(#[doc = $doc:literal])*
        $vis:vis static $name:ident = {
            id: $id:literal,
            severity: $sev:ident,
            summary: $summary:literal,
            pass: [$($pass:expr),* $(,)?],
            fail: [$($fail:expr),* $(,)?] $(,)?
        };
    ) => {
        $vis static $name: $crate::lints::LintMeta = $crate::lints::LintMeta {
            id: $id,
            default_severity: $crate::diagnostic::Severity::$sev,
            summary: $summary,
            docs: concat!($($doc, "\n"),*),
            pass: &[$($pass),*],
            fail: &[$($fail),*],
            source_file: file!(),
        };
    };
}

/// A check. Every hook is a no-op by default; a lint overrides what it needs.
pub trait Lint: Send + Sync {
    fn meta(&self) -> &'static LintMeta;

    /// Once per loaded rule file, after the model was built.
    fn check_file(&self, _cx: &mut FileContext<'_>) {}

    fn check_group(&self, _cx: &mut FileContext<'_>, _group: &Group) {}

    fn check_rule(&self, _cx: &mut FileContext<'_>, _rule: &RuleContext<'_>) {}

    /// Once per run, over every file checked (duplicate detection).
    fn check_workspace(&self, _cx: &mut WorkspaceContext<'_>) {}

    /// Whether the lint reads parsed expressions or templates. When no
    /// running lint does, the engine does not parse them.
    fn needs_parse(&self) -> bool {
        true
    }
}

/// What a lint's constructor gets: the whole configuration and its own
/// options entry (strictly decoded by the constructor).
pub struct BuildContext<'a> {
    pub config: &'a Config,
    pub options: OptionsNode<'a>,
}

/// How a lint is made from configuration.
pub struct Registration {
    pub meta: &'static LintMeta,
    pub build: fn(&BuildContext<'_>) -> Result<Box<dyn Lint>, ConfigError>,
}

/// A lint with no options and no state.
pub struct Stateless(pub &'static LintMeta, pub fn(&mut FileContext<'_>, &RuleContext<'_>));

impl Lint for Stateless {
    fn meta(&self) -> &'static LintMeta {
        self.0
    }

    fn check_rule(&self, cx: &mut FileContext<'_>, rule: &RuleContext<'_>) {
        (self.1)(cx, rule)
    }
}

/// A lint whose findings the engine produces itself (loader and parser
/// errors, suppression bookkeeping). It is registered for its docs, its
/// severity and its id.
pub struct Builtin(pub &'static LintMeta);

impl Lint for Builtin {
    fn meta(&self) -> &'static LintMeta {
        self.0
    }

    fn needs_parse(&self) -> bool {
        false
    }
}

/// Registers a [`Stateless`] lint: no options, one `check_rule` function.
#[macro_export]
macro_rules! stateless_lint {
    ($meta:path, $check:path) => {
        $crate::lints::Registration {
            meta: &$meta,
            build: |cx| {
                cx.options.no_options()?;
                Ok(Box::new($crate::lints::Stateless(&$meta, $check)))
            },
        }
    };
}

/// Registers a lint that the engine implements.
#[macro_export]
macro_rules! builtin_lint {
    ($meta:path) => {
        $crate::lints::Registration {
            meta: &$meta,
            build: |cx| {
                cx.options.no_options()?;
                Ok(Box::new($crate::lints::Builtin(&$meta)))
            },
        }
    };
}

/// Every lint alertlint has, in the order `alertlint rules` lists them.
pub fn registry() -> &'static [Registration] {
    static REGISTRY: std::sync::OnceLock<Vec<Registration>> = std::sync::OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut all = Vec::new();
        all.extend(yaml::registrations());
        all.extend(rule::registrations());
        all.extend(group::registrations());
        all.extend(promql::registrations());
        all.extend(template::registrations());
        all.extend(runbook::registrations());
        all.extend(owner::registrations());
        all.extend(severity::registrations());
        all.extend(noise::registrations());
        all.extend(alerts::registrations());
        all.extend(record::registrations());
        all.extend(metric::registrations());
        all.extend(labels::registrations());
        all.extend(prometheus::registrations());
        all.extend(alertmanager::registrations());
        all.extend(routing::registrations());
        all.extend(suppression::registrations());
        all
    })
}

/// The metadata of the lint with this id.
pub fn find(id: &str) -> Option<&'static LintMeta> {
    registry().iter().map(|r| r.meta).find(|m| m.id == id)
}

/// `docs/lints.md`: every lint's documentation, generated from the registry.
pub fn docs_markdown() -> String {
    let mut out = String::from(
        "# alertlint lints

<!-- Generated from the lint sources by `ALERTLINT_UPDATE_DOCS=1 cargo test docs_are_fresh`; do not edit. -->

",
    );
    out.push_str(&lint_table());
    for r in registry() {
        let m = r.meta;
        // Lint docs use `##` headings; nest them under the lint's own heading.
        let docs = m.docs_text().replace("\n## ", "\n### ");
        let docs = docs.strip_prefix("## ").map(|d| format!("### {d}")).unwrap_or(docs);
        out.push_str(&format!(
            "\n## {}\n\nDefault severity: **{}**. {}.\n\n{}",
            m.id, m.default_severity, m.summary, docs
        ));
    }
    out
}

/// `src/names/ids.rs`: every registered id as a constant, generated from the
/// registry so that modules `lints` depends on can name lints too.
pub fn ids_source() -> String {
    let mut out = String::from(
        "//! The id of every registered lint, for modules that `lints` depends on
//! (they cannot name a lint's `LintMeta`).
//!
//! Generated from the registry by `ALERTLINT_UPDATE_DOCS=1 cargo test docs_are_fresh`; do not edit.

",
    );
    for r in registry() {
        let id = r.meta.id;
        let name: String =
            id.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
        out.push_str(&format!("pub const {name}: &str = \"{id}\";\n"));
    }
    out.push_str("\n/// Every registered id, in registry order.\npub const ALL: &[&str] = &[\n");
    for r in registry() {
        out.push_str(&format!("    \"{}\",\n", r.meta.id));
    }
    out.push_str("];\n");
    out
}

/// The Markdown table of lints used in the README and in `docs/lints.md`.
pub fn lint_table() -> String {
    let mut out = String::from("| id | default | fires when |\n|---|---|---|\n");
    for r in registry() {
        let m = r.meta;
        out.push_str(&format!(
            "| [`{}`](docs/lints.md#{}) | {} | {} |\n",
            m.id,
            m.anchor(),
            m.default_severity,
            m.summary.replace('|', "\\|")
        ));
    }
    out
}

pub use crate::names::{closest, intern_id, pattern_is_known, pattern_matches};

/// What the engine parsed from one rule, once per check: every lint, the
/// routing and the cross-file lints share it.
#[derive(Debug, Default)]
pub struct ParsedRule {
    /// The parsed expression; `None` when it is missing or does not parse,
    /// and after the per-file pass unless a cross-file lint reads it.
    pub expr: Option<std::sync::Arc<crate::promql::Expr>>,
    /// Whether the expression parsed (kept when `expr` itself is dropped
    /// because no cross-file lint reads it).
    pub expr_parsed: bool,
    /// Why the expression does not parse (reported by `promql/syntax`).
    pub expr_errors: Vec<crate::promql::ParseError>,
    /// Parsed label values, aligned with `rule.labels`; `None` for recording
    /// rules (Prometheus does not expand their labels) and templates that do
    /// not parse. Dropped after the per-file pass.
    pub label_templates: Vec<Option<std::sync::Arc<crate::template::Template>>>,
    /// Parsed annotation values, aligned with `rule.annotations`.
    pub annotation_templates: Vec<Option<std::sync::Arc<crate::template::Template>>>,
    /// Templates that do not parse: the file span and the message
    /// (reported by `template/syntax`).
    pub template_errors: Vec<(Span, String)>,
    /// The alert routed through the Alertmanager tree (alerting rules whose
    /// expression parses, when an Alertmanager configuration is given).
    pub routed: Option<Box<crate::alertmanager::RoutedAlert>>,
}

/// What the engine parsed from one file, indexed like `model.groups[g].rules[r]`.
#[derive(Debug, Default)]
pub struct ParsedFile {
    pub groups: Vec<Vec<ParsedRule>>,
}

impl ParsedFile {
    pub fn rule(&self, group: usize, rule: usize) -> Option<&ParsedRule> {
        self.groups.get(group)?.get(rule)
    }
}

/// A rule together with what the engine parsed from it.
pub struct RuleContext<'a> {
    pub group: &'a Group,
    pub rule: &'a Rule,
    /// The parsed expression; `None` when it is missing or does not parse
    /// (reported as `promql/syntax` or `rule/schema`).
    pub expr: Option<&'a crate::promql::Expr>,
    /// Everything parsed from the rule.
    pub parsed: &'a ParsedRule,
    /// Parsed label values, aligned with `rule.labels`; `None` for recording
    /// rules (Prometheus does not expand their labels) and templates that do not parse.
    pub label_templates: &'a [Option<std::sync::Arc<crate::template::Template>>],
    /// Parsed annotation values, aligned with `rule.annotations`.
    pub annotation_templates: &'a [Option<std::sync::Arc<crate::template::Template>>],
}

impl RuleContext<'_> {
    /// The value of label `name`, from the rule's labels or else its group's.
    pub fn label(&self, name: &str) -> Option<&crate::model::KeyValue> {
        self.rule
            .labels
            .iter()
            .find(|kv| kv.key.value == name)
            .or_else(|| self.group.labels.iter().find(|kv| kv.key.value == name))
    }

    pub fn annotation(&self, name: &str) -> Option<&crate::model::KeyValue> {
        self.rule.annotations.iter().find(|kv| kv.key.value == name)
    }

    /// A span inside the expression mapped to the file.
    pub fn expr_span(&self, span: Span) -> Span {
        match &self.rule.expr {
            Some(text) => text.to_file(span),
            None => self.rule.name.span,
        }
    }
}

/// Where a lint reports while checking one file.
pub struct FileContext<'a> {
    pub file: &'a SourceFile,
    pub model: &'a RuleFile,
    pub config: &'a Config,
    /// The Alertmanager configuration, when one was given and is valid.
    pub alertmanager: Option<&'a AmConfig>,
    /// What is known about metrics (empty unless configured).
    pub catalog: &'a Catalog,
    /// The run's conventions: configured, or read from its rule files.
    pub conventions: &'a crate::conventions::Conventions,
    pub(crate) lint: &'static LintMeta,
    pub(crate) group: Option<&'a str>,
    pub(crate) rule: Option<&'a str>,
    pub(crate) out: &'a mut Vec<Diagnostic>,
}

impl FileContext<'_> {
    /// Reports a finding of the running lint at `span` (a file span).
    pub fn report(&mut self, span: Span, message: impl Into<String>) -> Report<'_> {
        let mut diagnostic = Diagnostic::new(self.lint.id, self.lint.default_severity, span, message);
        diagnostic.group = self.group.map(str::to_string);
        diagnostic.rule = self.rule.map(str::to_string);
        self.out.push(diagnostic);
        let last = self.out.len() - 1;
        Report(&mut self.out[last])
    }
}

/// A reported finding, to add labels and help to.
pub struct Report<'a>(&'a mut Diagnostic);

impl Report<'_> {
    pub fn label(self, span: Span, message: impl Into<String>) -> Self {
        self.0.labels.push(crate::diagnostic::Label { span, message: message.into() });
        self
    }

    /// Attaches a certain correction, applied by `--fix` and offered by editors.
    pub fn fix(self, title: impl Into<String>, edits: Vec<crate::diagnostic::Edit>) -> Self {
        self.0.fix = Some(crate::diagnostic::Fix { title: title.into(), edits });
        self
    }

    pub fn help(self, help: impl Into<String>) -> Self {
        self.0.help = Some(help.into());
        self
    }

    pub fn group(self, name: &str) -> Self {
        self.0.group = Some(name.to_string());
        self
    }

    pub fn rule(self, name: &str) -> Self {
        self.0.rule = Some(name.to_string());
        self
    }
}

/// One file's results as seen by cross-file lints.
pub struct CheckedFile<'a> {
    pub file: &'a SourceFile,
    pub model: &'a RuleFile,
    /// Expressions and routing, parsed once by the engine.
    pub parsed: &'a ParsedFile,
}

/// Where a cross-file lint reports.
pub struct WorkspaceContext<'a> {
    pub files: &'a [CheckedFile<'a>],
    pub config: &'a Config,
    pub alertmanager: Option<&'a AmConfig>,
    pub catalog: &'a Catalog,
    pub(crate) lint: &'static LintMeta,
    /// Findings per file, indexed like `files`.
    pub(crate) out: Vec<Vec<Diagnostic>>,
}

impl WorkspaceContext<'_> {
    pub fn report(&mut self, file: usize, span: Span, message: impl Into<String>) -> Report<'_> {
        let diagnostic = Diagnostic::new(self.lint.id, self.lint.default_severity, span, message);
        let list = &mut self.out[file];
        list.push(diagnostic);
        let last = list.len() - 1;
        Report(&mut list[last])
    }
}

#[cfg(test)]
pub(crate) mod tester;

#[cfg(test)]
mod meta_tests;

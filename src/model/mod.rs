//! Rule files: plain `groups:` files and Kubernetes `PrometheusRule` objects,
//! validated as promtool validates them.
//!
//! The loader reports `yaml/syntax`, `rule/schema` and `group/duplicate-name`
//! findings and returns every group and rule it could make sense of, so later
//! lints still run on the valid parts of a file with mistakes.

mod names;
mod schema;
mod target;

pub use names::NameValidation;
pub use target::{Feature, Target, Version};

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::SourceFile;
use crate::span::Span;
use crate::yaml::{self, Limits, Node, NodeKind, OffsetMap};
use schema::{Origin, Validator};

/// Which rule-group fields are accepted besides Prometheus's own.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Dialect {
    /// Exactly what `promtool check rules` accepts.
    #[default]
    Prometheus,
    /// Also `partial_response_strategy`.
    Thanos,
    /// Also Grafana Mimir's extra group fields.
    Mimir,
}

impl Dialect {
    pub fn parse(s: &str) -> Option<Dialect> {
        match s {
            "prometheus" => Some(Dialect::Prometheus),
            "thanos" => Some(Dialect::Thanos),
            "mimir" => Some(Dialect::Mimir),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, Default)]
pub struct LoadOptions {
    pub dialect: Dialect,
    /// The targeted Prometheus (`None`: the latest): older releases lack some fields.
    pub version: Option<Version>,
    pub limits: Limits,
}

/// What a file turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A Prometheus rule file (`groups:` at the top).
    Rules,
    /// One or more Kubernetes `PrometheusRule` objects (possibly in a `List`).
    PrometheusRule,
    /// Valid YAML but not rules (a Deployment, a values file): skipped.
    NotRules,
    /// The file could not be loaded (`yaml/syntax` reported).
    Invalid,
}

/// A string read from the file, with the means to map offsets inside it back
/// to file offsets.
#[derive(Clone, Debug, PartialEq)]
pub struct Text {
    pub value: String,
    /// The scalar's span in the file (quotes and block indicators included).
    pub span: Span,
    pub map: OffsetMap,
}

impl Text {
    /// A span relative to `value` mapped to the file.
    pub fn to_file(&self, span: Span) -> Span {
        self.map.span_to_file(span)
    }
}

/// A duration field (`for`, `interval`, ...) as written and as parsed.
#[derive(Clone, Debug, PartialEq)]
pub struct Duration {
    pub millis: i64,
    pub text: String,
    pub span: Span,
}

/// A label or annotation: name and value.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyValue {
    pub key: Text,
    pub value: Text,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleKind {
    Alert,
    Record,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub kind: RuleKind,
    /// The value of `alert:` or `record:`.
    pub name: Text,
    /// The whole rule item (its mapping node).
    pub span: Span,
    pub expr: Option<Text>,
    pub for_: Option<Duration>,
    pub keep_firing_for: Option<Duration>,
    pub labels: Vec<KeyValue>,
    pub annotations: Vec<KeyValue>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub name: Text,
    /// The whole group item (its mapping node).
    pub span: Span,
    pub interval: Option<Duration>,
    pub query_offset: Option<Duration>,
    pub limit: Option<i64>,
    /// Group-level labels, added to every rule of the group.
    pub labels: Vec<KeyValue>,
    pub rules: Vec<Rule>,
}

#[derive(Clone, Debug)]
pub struct RuleFile {
    pub kind: FileKind,
    pub groups: Vec<Group>,
    /// `yaml/syntax`, `rule/schema` and `group/duplicate-name` findings.
    pub diagnostics: Vec<Diagnostic>,
    /// Spans of every scalar in the file, sorted: a `#` inside one of them is
    /// text, not a comment (used to find suppression comments).
    pub scalar_spans: Vec<Span>,
}

impl RuleFile {
    /// A file with no rules and no findings of its own.
    pub fn empty(kind: FileKind) -> RuleFile {
        RuleFile { kind, groups: Vec::new(), diagnostics: Vec::new(), scalar_spans: Vec::new() }
    }
}

/// Loads and validates one rule file, with current Prometheus name rules
/// (UTF-8 label and metric names).
pub fn load(file: &SourceFile, options: &LoadOptions) -> RuleFile {
    load_with(file, options, NameValidation::Utf8)
}

/// Loads and validates one rule file with the given name rules
/// (`NameValidation::Legacy` reproduces Prometheus 2.x).
pub fn load_with(file: &SourceFile, options: &LoadOptions, names: NameValidation) -> RuleFile {
    let docs = match yaml::load(file.text(), &options.limits) {
        Ok(docs) => docs,
        Err(e) => {
            return RuleFile {
                kind: FileKind::Invalid,
                groups: Vec::new(),
                diagnostics: vec![Diagnostic::new("yaml/syntax", Severity::Error, e.span, e.message)],
                scalar_spans: Vec::new(),
            };
        }
    };
    let mut scalar_spans = Vec::new();
    for doc in &docs {
        doc.root.for_each_scalar(|node, _| scalar_spans.push(node.span));
    }
    scalar_spans.sort();
    scalar_spans.dedup();

    let mut v = Validator { dialect: options.dialect, version: options.version, names, diagnostics: Vec::new() };
    let mut groups = Vec::new();
    let (mut plain, mut crd) = (false, false);
    for (index, doc) in docs.iter().enumerate() {
        match classify(&doc.root) {
            DocKind::Plain if index == 0 => {
                plain = true;
                groups.extend(plain_rule_file(&mut v, &doc.root));
                // Prometheus decodes only the first document of a rule file
                // and warns when there are more (rulefmt `TestMultiDocParse`),
                // even when the others are empty.
                if let Some(second) = docs.get(1) {
                    let ignored = docs.len() - 1;
                    let mut d = Diagnostic::new(
                        schema::IGNORED_DOCUMENT,
                        Severity::Warning,
                        Span::at(second.span.start),
                        format!(
                            "multiple documents in a rule file: Prometheus reads only the first document, {ignored} other{} ignored",
                            if ignored == 1 { " is" } else { "s are" }
                        ),
                    );
                    d.help =
                        Some("put each document's groups into the first document or into a file of its own".into());
                    v.diagnostics.push(d);
                }
            }
            DocKind::Plain => {
                if !plain {
                    let span = doc.root.entry("groups").map_or(doc.root.span, |(k, _)| k.span);
                    let mut d = Diagnostic::new(
                        schema::IGNORED_DOCUMENT,
                        Severity::Warning,
                        span,
                        format!(
                            "document {} is ignored: Prometheus reads only the first document of a rule file",
                            index + 1
                        ),
                    );
                    d.help = Some("move these groups into a file of their own".into());
                    v.diagnostics.push(d);
                }
            }
            DocKind::PrometheusRule => {
                crd = true;
                groups.extend(prometheus_rule(&mut v, &doc.root));
            }
            DocKind::List(items) => {
                for item in items {
                    if classify(item) == DocKind::PrometheusRule {
                        crd = true;
                        groups.extend(prometheus_rule(&mut v, item));
                    }
                }
            }
            DocKind::Other => {}
        }
    }
    let kind = if plain {
        FileKind::Rules
    } else if crd {
        FileKind::PrometheusRule
    } else {
        FileKind::NotRules
    };
    let mut diagnostics = v.diagnostics;
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    RuleFile { kind, groups, diagnostics, scalar_spans }
}

#[derive(Debug, PartialEq)]
enum DocKind<'a> {
    /// A Prometheus rule file: a mapping with `groups`.
    Plain,
    /// A Kubernetes `PrometheusRule` object (or OpenShift `AlertingRule`).
    PrometheusRule,
    /// A Kubernetes `List` (or `...List`) and its items.
    List(&'a [Node]),
    /// Anything else (another Kubernetes object, a values file, empty).
    Other,
}

fn classify(root: &Node) -> DocKind<'_> {
    if root.as_mapping().is_none() {
        return DocKind::Other;
    }
    match root.get("kind").and_then(Node::as_str) {
        // OpenShift's `AlertingRule` (monitoring.openshift.io) has the same `spec.groups`.
        Some("PrometheusRule" | "AlertingRule") => DocKind::PrometheusRule,
        Some(k) if k == "List" || k.ends_with("List") => match root.get("items").map(|n| &n.kind) {
            Some(NodeKind::Sequence(items)) => DocKind::List(items),
            _ => DocKind::Other,
        },
        Some(_) => DocKind::Other,
        None if root.get("apiVersion").is_some() => DocKind::Other,
        None if root.get("groups").is_some() => DocKind::Plain,
        None => DocKind::Other,
    }
}

fn plain_rule_file(v: &mut Validator, root: &Node) -> Vec<Group> {
    let mut groups = Vec::new();
    for (key, value) in root.as_mapping().unwrap_or_default() {
        if key.as_str() == Some("groups") {
            groups = v.groups(value, Origin::Plain);
        } else {
            v.unknown_field_at_top(key, "rule file", &["groups"]);
        }
    }
    groups
}

fn prometheus_rule(v: &mut Validator, root: &Node) -> Vec<Group> {
    let Some(spec) = root.get("spec") else {
        return Vec::new();
    };
    let Some(entries) = spec.as_mapping() else {
        if !spec.is_null() {
            v.type_error_at_top(spec, "`spec` of a PrometheusRule", "a mapping");
        }
        return Vec::new();
    };
    let mut groups = Vec::new();
    for (key, value) in entries {
        if key.as_str() == Some("groups") {
            groups = v.groups(value, Origin::PrometheusRule);
        } else {
            v.unknown_field_at_top(key, "the `spec` of a PrometheusRule", &["groups"]);
        }
    }
    groups
}

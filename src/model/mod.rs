//! Rule files: plain `groups:` files and Kubernetes `PrometheusRule` objects,
//! validated as promtool validates them.
//!
//! The loader reports `yaml/syntax`, `rule/schema` and `group/duplicate-name`
//! findings and returns every group and rule it could make sense of, so later
//! lints still run on the valid parts of a file with mistakes.

mod embedded;
mod helm;
mod names;
mod schema;
mod target;

pub use names::NameValidation;
pub use target::{Feature, Target, Version};

use std::path::Path;

use crate::diagnostic::{Diagnostic, Severity};
use crate::names::ids;
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
    /// A bare YAML list of rule groups or of rules (pint's relaxed format).
    RuleList,
    /// Kubernetes `ConfigMap`s whose `data` values hold rule files.
    ConfigMap,
    /// Valid YAML but not rules (a Deployment, a values file): skipped.
    NotRules,
    /// The file could not be loaded (`yaml/syntax` reported).
    Invalid,
}

/// A string read from the file, with the means to map offsets inside it back
/// to file offsets.
#[derive(Clone, Debug, PartialEq)]
pub struct Text {
    /// Short values (names, label values) are stored inline.
    pub value: compact_str::CompactString,
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
    pub text: compact_str::CompactString,
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
    /// text, not a comment (used to find suppression comments). Empty when
    /// the file has no `alertlint`, so no suppression comment.
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
    // A Helm chart template is checked with its directives blanked out (same
    // offsets), when that makes it YAML.
    let loaded = yaml::load(file.text(), &options.limits).or_else(|e| {
        match helm::blank_directives(file.text()).map(|text| yaml::load(&text, &options.limits)) {
            Some(Ok(docs)) => Ok(docs),
            _ => Err(e),
        }
    });
    let docs = match loaded {
        Ok(docs) => docs,
        Err(e) => {
            return RuleFile {
                kind: FileKind::Invalid,
                groups: Vec::new(),
                diagnostics: vec![Diagnostic::new(ids::YAML_SYNTAX, Severity::Error, e.span, e.message)],
                scalar_spans: Vec::new(),
            };
        }
    };
    // Only suppression comments read these spans, on lines that hold
    // `alertlint` (`suppress::PREFIX`): a file without the word needs none.
    let suppressions = memchr::memmem::find(file.text().as_bytes(), b"alertlint").is_some();
    let mut scalar_spans = Vec::new();
    if suppressions {
        for doc in &docs {
            doc.root.for_each_scalar(|node, _| scalar_spans.push(node.span));
        }
        scalar_spans.sort();
        scalar_spans.dedup();
    }

    let mut v = Validator { dialect: options.dialect, version: options.version, names, diagnostics: Vec::new() };
    let loaded = load_documents(&mut v, &docs, options, true);
    if suppressions && !loaded.embedded.is_empty() {
        // A `#` inside the embedded documents is a comment of theirs, not text
        // of the ConfigMap's string: their own scalars replace the string's.
        scalar_spans.retain(|s| !loaded.embedded.iter().any(|(outer, _)| outer == s));
        scalar_spans.extend(loaded.embedded.iter().flat_map(|(_, inner)| inner.iter().copied()));
        scalar_spans.sort();
        scalar_spans.dedup();
    }
    yaml::free(docs);
    let mut diagnostics = v.diagnostics;
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    RuleFile { kind: loaded.kind, groups: loaded.groups, diagnostics, scalar_spans }
}

/// What the documents of a file (or of a ConfigMap value) hold.
struct Loaded {
    kind: FileKind,
    groups: Vec<Group>,
    /// For each ConfigMap value read as a rule file: the value's span and the
    /// spans of its own scalars, in the outer file.
    embedded: Vec<(Span, Vec<Span>)>,
}

fn load_documents(v: &mut Validator, docs: &[yaml::Document], options: &LoadOptions, outermost: bool) -> Loaded {
    let mut groups = Vec::new();
    let mut embedded = Vec::new();
    let (mut plain, mut crd, mut list, mut config_map) = (false, false, false, false);
    for (index, doc) in docs.iter().enumerate() {
        match classify(&doc.root) {
            DocKind::Plain if index == 0 => {
                plain = true;
                groups.extend(plain_rule_file(v, &doc.root));
                // Prometheus decodes only the first document of a rule file
                // and warns when there are more (rulefmt `TestMultiDocParse`),
                // even when the others are empty.
                if let Some(second) = docs.get(1) {
                    let ignored = docs.len() - 1;
                    let mut d = Diagnostic::new(
                        ids::RULE_IGNORED_DOCUMENT,
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
                        ids::RULE_IGNORED_DOCUMENT,
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
            DocKind::BareGroups => {
                list = true;
                groups.extend(v.groups(&doc.root, Origin::Plain));
            }
            DocKind::BareRules => {
                list = true;
                groups.push(v.bare_rules(&doc.root));
            }
            DocKind::PrometheusRule => {
                crd = true;
                groups.extend(prometheus_rule(v, &doc.root));
            }
            DocKind::ConfigMap if outermost => {
                config_map |= config_map_rules(v, &doc.root, options, &mut groups, &mut embedded);
            }
            DocKind::List(items) => {
                for item in items {
                    match classify(item) {
                        DocKind::PrometheusRule => {
                            crd = true;
                            groups.extend(prometheus_rule(v, item));
                        }
                        DocKind::ConfigMap if outermost => {
                            config_map |= config_map_rules(v, item, options, &mut groups, &mut embedded);
                        }
                        _ => {}
                    }
                }
            }
            DocKind::ConfigMap | DocKind::Other => {}
        }
    }
    let kind = if plain {
        FileKind::Rules
    } else if crd {
        FileKind::PrometheusRule
    } else if list {
        FileKind::RuleList
    } else if config_map {
        FileKind::ConfigMap
    } else {
        FileKind::NotRules
    };
    Loaded { kind, groups, embedded }
}

/// Reads the rule files held in a ConfigMap's `data` values, with positions
/// in the ConfigMap's file. Values that are not rule files (an
/// `alertmanager.yml`, a script) are left alone. True when one was found.
fn config_map_rules(
    v: &mut Validator,
    root: &Node,
    options: &LoadOptions,
    groups: &mut Vec<Group>,
    embedded: &mut Vec<(Span, Vec<Span>)>,
) -> bool {
    let Some(data) = root.get("data").and_then(Node::as_mapping) else {
        return false;
    };
    let mut found = false;
    for (key, value) in data {
        let Some(scalar) = value.as_scalar() else { continue };
        if !looks_like_rules(&scalar.value) {
            continue;
        }
        let remap = embedded::Remap { outer: &scalar.map };
        let docs = match yaml::load(&scalar.value, &options.limits) {
            Ok(docs) => docs,
            Err(e) => {
                // Only a value meant as a rule file is worth a syntax error.
                let name = key.as_str().unwrap_or_default();
                if has_rule_file_extension(Path::new(name)) && scalar.value.contains("groups") {
                    let message = format!("in ConfigMap key `{name}`: {}", e.message);
                    v.diagnostics.push(Diagnostic::new(ids::YAML_SYNTAX, Severity::Error, remap.span(e.span), message));
                    found = true;
                }
                continue;
            }
        };
        let mut inner = Validator { dialect: v.dialect, version: v.version, names: v.names, diagnostics: Vec::new() };
        let loaded = load_documents(&mut inner, &docs, options, false);
        if loaded.kind == FileKind::NotRules {
            continue;
        }
        found = true;
        for mut group in loaded.groups {
            remap.group(&mut group);
            groups.push(group);
        }
        for mut d in inner.diagnostics {
            remap.diagnostic(&mut d);
            v.diagnostics.push(d);
        }
        let mut spans = Vec::new();
        for doc in &docs {
            doc.root.for_each_scalar(|node, _| spans.push(remap.span(node.span)));
        }
        embedded.push((value.span, spans));
    }
    found
}

/// A cheap test on text before it is parsed: every kind of rule file
/// mentions one of these words.
pub fn looks_like_rules(text: &str) -> bool {
    ["groups", "expr", "PrometheusRule", "AlertingRule"].iter().any(|w| text.contains(w))
}

/// File name endings used for rule files besides YAML's own.
pub fn has_rule_file_extension(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yml" | "yaml" | "rules" | "rule" | "alerts" | "alert" | "json")
    )
}

#[derive(Debug, PartialEq)]
enum DocKind<'a> {
    /// A Prometheus rule file: a mapping with `groups` (or a misspelling of it
    /// holding a list, reported as such).
    Plain,
    /// A bare list of rule groups.
    BareGroups,
    /// A bare list of rules.
    BareRules,
    /// A Kubernetes `PrometheusRule` object (or OpenShift `AlertingRule`).
    PrometheusRule,
    /// A Kubernetes `ConfigMap`: its `data` values may be rule files.
    ConfigMap,
    /// A Kubernetes `List` (or `...List`) and its items.
    List(&'a [Node]),
    /// Anything else (another Kubernetes object, a values file, empty).
    Other,
}

fn classify(root: &Node) -> DocKind<'_> {
    if let Some(items) = root.as_sequence() {
        return classify_list(items);
    }
    if root.as_mapping().is_none() {
        return DocKind::Other;
    }
    match root.get("kind").and_then(Node::as_str) {
        // OpenShift's `AlertingRule` (monitoring.openshift.io) has the same `spec.groups`.
        Some("PrometheusRule" | "AlertingRule") => DocKind::PrometheusRule,
        Some("ConfigMap") => DocKind::ConfigMap,
        Some(k) if k == "List" || k.ends_with("List") => match root.get("items").map(|n| &n.kind) {
            Some(NodeKind::Sequence(items)) => DocKind::List(items),
            _ => DocKind::Other,
        },
        Some(_) => DocKind::Other,
        None if root.get("apiVersion").is_some() => DocKind::Other,
        None if root.get("groups").is_some() => DocKind::Plain,
        None if misspelt_groups(root).is_some() => DocKind::Plain,
        None => DocKind::Other,
    }
}

/// A bare list is rules when its first item looks like a rule group (has
/// `rules`) or a rule (`alert` or `record`, and `expr`).
fn classify_list(items: &[Node]) -> DocKind<'_> {
    let Some(first) = items.iter().find(|i| !i.is_null()) else {
        return DocKind::Other;
    };
    if looks_like_group(first) {
        DocKind::BareGroups
    } else if first.get("expr").is_some() && (first.get("alert").is_some() || first.get("record").is_some()) {
        DocKind::BareRules
    } else {
        DocKind::Other
    }
}

/// A mapping with a `rules` list, or a `name` and only group fields.
fn looks_like_group(node: &Node) -> bool {
    let Some(entries) = node.as_mapping() else { return false };
    let rules = node.get("rules").is_some_and(|r| r.as_sequence().is_some() || r.is_null());
    let named = node.get("name").is_some()
        && entries.iter().all(|(k, _)| k.as_str().is_some_and(|k| schema::GROUP_FIELDS.contains(&k)));
    rules || named
}

/// A top-level key that is a misspelling of `groups` (`grups`, `Groups`,
/// `group`) and holds a list of groups (or nothing).
fn misspelt_groups(root: &Node) -> Option<&Node> {
    root.as_mapping()?.iter().find_map(|(k, v)| {
        let key = k.as_str()?;
        let holds_groups =
            v.is_null() || v.as_sequence().is_some_and(|items| items.is_empty() || looks_like_group(&items[0]));
        (key != "groups" && schema::suggest(key, &["groups"]).is_some() && holds_groups).then_some(v)
    })
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
    // Prometheus rejects the file; its groups are still checked, so that the
    // fix of the key is the only one left to make.
    if root.get("groups").is_none()
        && let Some(value) = misspelt_groups(root)
    {
        groups = v.groups(value, Origin::Plain);
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

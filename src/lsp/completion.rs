//! Completion: in an `expr`, functions, aggregations, metric names (catalog
//! and the workspace's recording rules), label names and values; in a
//! `# alertlint disable` comment, lint ids.

use std::collections::BTreeMap;

use super::cursor::{self, Context};
use super::navigation::{self, Indexed};
use crate::catalog::Catalog;
use crate::lints;
use crate::model::RuleFile;
use crate::promql;
use crate::source::SourceFile;
use crate::span::Span;

/// At most this many items are returned; the list is then marked incomplete
/// so that the editor asks again as the user types.
const MAX_ITEMS: usize = 500;

/// LSP `CompletionItemKind`s.
const FUNCTION: u32 = 3;
const VARIABLE: u32 = 6;
const PROPERTY: u32 = 10;
const VALUE: u32 = 12;
const KEYWORD: u32 = 14;
const ENUM_MEMBER: u32 = 20;
const OPERATOR: u32 = 24;

pub struct Item {
    pub label: String,
    pub kind: u32,
    pub detail: String,
    pub documentation: Option<String>,
}

/// The items for `offset`, the file span they replace, and whether the list
/// was cut short.
pub fn complete(
    file: &SourceFile,
    model: &RuleFile,
    offset: usize,
    catalog: Option<&Catalog>,
    files: &[Indexed],
) -> Option<(Vec<Item>, Span, bool)> {
    if let Some(found) = suppression(file, offset) {
        return Some(found);
    }
    let at = cursor::expr_at(file, model, offset)?;
    let mut items: BTreeMap<String, Item> = BTreeMap::new();
    let mut add = |label: &str, kind: u32, detail: String, documentation: Option<String>| {
        items.entry(label.to_string()).or_insert_with(|| Item {
            label: label.to_string(),
            kind,
            detail,
            documentation,
        });
    };
    let (prefix, span) = match cursor::context(&at.value, at.cursor) {
        Context::Nothing => return None,
        Context::Word { prefix, span, .. } => {
            for f in promql::FUNCTIONS.iter().filter(|f| f.name.starts_with(&prefix)) {
                add(f.name, FUNCTION, promql::signature(f), promql::function_doc(f.name).map(str::to_string));
            }
            for (name, doc) in cursor::AGGREGATIONS.iter().filter(|(a, _)| a.starts_with(&prefix)) {
                add(name, OPERATOR, "aggregation".to_string(), Some(doc.to_string()));
            }
            for (f, _, rule) in navigation::recording_rules(files) {
                if rule.name.value.starts_with(&prefix) {
                    add(
                        &rule.name.value,
                        VARIABLE,
                        format!("recording rule, {}", f.where_(rule.name.span.start)),
                        None,
                    );
                }
            }
            if let Some(catalog) = catalog {
                for name in catalog.names().filter(|n| n.starts_with(&prefix)) {
                    let detail =
                        catalog.metric_type(name).map_or("metric".to_string(), |t| format!("{} metric", t.as_str()));
                    add(name, VARIABLE, detail, catalog.help(name).map(str::to_string));
                }
            }
            if !prefix.is_empty() {
                for k in cursor::KEYWORDS.iter().filter(|k| k.starts_with(&prefix) && k.len() > prefix.len()) {
                    add(k, KEYWORD, "keyword".to_string(), None);
                }
            }
            (prefix, span)
        }
        Context::LabelName { metric, prefix, span } => {
            if let Some(catalog) = catalog {
                let names: Vec<&str> = match metric.as_deref().and_then(|m| catalog.labels_of(m)) {
                    Some(labels) => labels.keys().map(String::as_str).collect(),
                    None => catalog.all_label_names().into_iter().collect(),
                };
                for name in names.into_iter().filter(|n| n.starts_with(&prefix)) {
                    add(name, PROPERTY, "label".to_string(), None);
                }
            }
            // Labels the workspace's rules set are labels of their series.
            for (_, _, rule) in navigation::recording_rules(files) {
                if metric.as_deref().is_none_or(|m| m == rule.name.value) {
                    for kv in rule.labels.iter().filter(|kv| kv.key.value.starts_with(&prefix)) {
                        add(&kv.key.value, PROPERTY, "label set by a recording rule".to_string(), None);
                    }
                }
            }
            (prefix, span)
        }
        Context::LabelValue { metric, label, prefix, span } => {
            let catalog = catalog?;
            let series: Vec<&str> = match &metric {
                Some(m) => vec![m.as_str()],
                None => Vec::new(),
            };
            for m in series {
                if let Some(values) = catalog.labels_of(m).and_then(|l| l.get(&label)) {
                    for v in values.iter().filter(|v| v.starts_with(&prefix)) {
                        // Inserted as typed between the quotes: escape as PromQL reads it.
                        add(&v.replace('\\', "\\\\").replace('"', "\\\""), VALUE, format!("value of `{label}`"), None);
                    }
                }
            }
            (prefix, span)
        }
    };
    let _ = prefix;
    let mut items: Vec<Item> = items.into_values().collect();
    let incomplete = items.len() > MAX_ITEMS;
    items.truncate(MAX_ITEMS);
    let start = at.to_file(Span::at(span.start)).start;
    let end = at.to_file(Span::at(at.cursor)).start;
    Some((items, Span::new(start, end.max(start)), incomplete))
}

/// Whether completion has anything to offer at `offset` (cheap: no workspace).
pub fn applies(file: &SourceFile, model: &RuleFile, offset: usize) -> bool {
    suppression(file, offset).is_some()
        || cursor::expr_at(file, model, offset)
            .is_some_and(|at| cursor::context(&at.value, at.cursor) != Context::Nothing)
}

/// Lint ids after `# alertlint disable` (or `disable-file`) on this line.
fn suppression(file: &SourceFile, offset: usize) -> Option<(Vec<Item>, Span, bool)> {
    let line = file.line_range(file.line_index(offset));
    let before = file.text().get(line.start..offset)?;
    let hash = before.rfind('#')?;
    let comment = before[hash + 1..].trim_start();
    let rest = comment.strip_prefix("alertlint")?.trim_start();
    let ids = rest.strip_prefix("disable-file").or_else(|| rest.strip_prefix("disable"))?;
    if !ids.starts_with([' ', '\t']) || ids.contains("--") || ids.contains(" until") {
        return None;
    }
    let prefix_start = before.rfind([',', ' ', '\t']).map_or(before.len(), |i| i + 1);
    let prefix = &before[prefix_start..];
    let items: Vec<Item> = lints::registry()
        .iter()
        .map(|r| r.meta)
        .filter(|m| m.id.starts_with(prefix))
        .map(|m| Item {
            label: m.id.to_string(),
            kind: ENUM_MEMBER,
            detail: m.summary.to_string(),
            documentation: Some(m.url()),
        })
        .collect();
    Some((items, Span::new(line.start + prefix_start, offset), false))
}

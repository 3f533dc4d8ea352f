//! Document symbols: the groups of a rule file with their rules nested.

use serde_json::{Value, json};

use super::document::Encoding;
use crate::model::{RuleFile, RuleKind};
use crate::source::SourceFile;
use crate::span::Span;

/// LSP `SymbolKind`s.
const NAMESPACE: u32 = 3;
const EVENT: u32 = 24;
const VARIABLE: u32 = 13;

/// `DocumentSymbol[]` for the file's groups and rules.
pub fn document_symbols(file: &SourceFile, model: &RuleFile, encoding: Encoding) -> Value {
    let symbol = |name: &str, detail: &str, kind: u32, span: Span, name_span: Span, children: Vec<Value>| {
        // The selection range must lie inside the range.
        let range = Span::new(span.start.min(name_span.start), span.end.max(name_span.end));
        let name = if name.is_empty() { "(unnamed)" } else { name };
        json!({
            "name": name,
            "detail": detail,
            "kind": kind,
            "range": encoding.range(file, range),
            "selectionRange": encoding.range(file, name_span),
            "children": children,
        })
    };
    let groups: Vec<Value> = model
        .groups
        .iter()
        .map(|group| {
            let rules: Vec<Value> = group
                .rules
                .iter()
                .map(|rule| {
                    let (kind, detail) = match rule.kind {
                        RuleKind::Alert => (EVENT, "alert"),
                        RuleKind::Record => (VARIABLE, "record"),
                    };
                    symbol(&rule.name.value, detail, kind, rule.span, rule.name.span, Vec::new())
                })
                .collect();
            symbol(&group.name.value, "group", NAMESPACE, group.span, group.name.span, rules)
        })
        .collect();
    Value::Array(groups)
}

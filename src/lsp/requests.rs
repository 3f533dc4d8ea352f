//! The requests about a position or a document: hover, completion,
//! go-to-definition, find-references and document symbols.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use lsp_types as lsp;
use serde_json::{Value, json};

use super::navigation::{self, Indexed, Source};
use super::{Server, completion, hover, path_to_uri, symbols};
use crate::engine::Engine;
use crate::model::{FileKind, RuleFile};
use crate::source::SourceFile;
use crate::span::Span;

/// The methods answered here.
pub const METHODS: &[&str] = &[
    "textDocument/hover",
    "textDocument/completion",
    "textDocument/definition",
    "textDocument/references",
    "textDocument/documentSymbol",
];

/// An open document as last checked, when that check is of its current text.
struct At {
    file: SourceFile,
    checked: Option<Arc<crate::engine::Checked>>,
    engine: Option<Arc<Engine>>,
}

impl At {
    fn model(&self) -> &RuleFile {
        static EMPTY: std::sync::OnceLock<RuleFile> = std::sync::OnceLock::new();
        match &self.checked {
            Some(c) => &c.model,
            None => EMPTY.get_or_init(|| RuleFile::empty(FileKind::NotRules)),
        }
    }
}

impl<W: Write> Server<W> {
    /// Answers one of [`METHODS`]; `Err` for invalid params.
    pub(super) fn language_request(&mut self, method: &str, params: Value) -> Result<Value, String> {
        // Answers are computed on fresh results, never on a stale lint.
        if self.deadline.is_some() {
            self.lint();
        }
        if method == "textDocument/documentSymbol" {
            let params: lsp::DocumentSymbolParams = serde_json::from_value(params).map_err(|e| e.to_string())?;
            let Some(at) = self.at(params.text_document.uri.as_str()) else {
                return Ok(Value::Null);
            };
            return Ok(symbols::document_symbols(&at.file, at.model(), self.encoding));
        }
        let position: lsp::TextDocumentPositionParams =
            serde_json::from_value(params.clone()).map_err(|e| e.to_string())?;
        let Some(at) = self.at(position.text_document.uri.as_str()) else {
            return Ok(Value::Null);
        };
        let offset = self.encoding.offset(&at.file, position.position);
        // Completion is asked on trigger characters anywhere in the YAML: outside
        // an `expr` and a suppression comment, answer before reading the workspace.
        if method == "textDocument/completion" && !completion::applies(&at.file, at.model(), offset) {
            return Ok(Value::Null);
        }
        let files = self.indexed();
        let catalog = at.engine.as_deref().map(Engine::catalog);
        let model = at.model();
        Ok(match method {
            "textDocument/hover" => {
                let key = position.text_document.uri.as_str();
                let findings = self.results.get(key).map_or(&[][..], |l| l.diagnostics.as_slice());
                let findings = if at.checked.is_some() { findings } else { &[] };
                match hover::hover(&at.file, model, findings, offset, catalog, &files) {
                    Some((markdown, span)) => json!({
                        "contents": { "kind": "markdown", "value": markdown },
                        "range": self.encoding.range(&at.file, span),
                    }),
                    None => Value::Null,
                }
            }
            "textDocument/completion" => match completion::complete(&at.file, model, offset, catalog, &files) {
                Some((items, span, incomplete)) => {
                    let range = self.encoding.range(&at.file, span);
                    let items: Vec<Value> = items
                        .into_iter()
                        .map(|item| {
                            let mut value = json!({
                                "label": item.label,
                                "kind": item.kind,
                                "detail": item.detail,
                                "textEdit": { "range": range, "newText": item.label },
                            });
                            if let Some(doc) = item.documentation {
                                value["documentation"] = json!({ "kind": "markdown", "value": doc });
                            }
                            value
                        })
                        .collect();
                    json!({ "isIncomplete": incomplete, "items": items })
                }
                None => Value::Null,
            },
            "textDocument/definition" => match navigation::series_at(&at.file, model, offset) {
                Some((name, _)) => {
                    let found = navigation::definitions(&files, &name);
                    Value::Array(found.iter().map(|(f, _, rule)| self.location(f, rule.name.span)).collect())
                }
                None => Value::Null,
            },
            _ => {
                let include = params.pointer("/context/includeDeclaration").and_then(Value::as_bool).unwrap_or(true);
                match navigation::series_at(&at.file, model, offset) {
                    Some((name, _)) => {
                        let mut out: Vec<Value> = Vec::new();
                        if include {
                            for (f, _, rule) in navigation::definitions(&files, &name) {
                                out.push(self.location(f, rule.name.span));
                            }
                        }
                        for (f, span) in navigation::references(&files, &name) {
                            out.push(self.location(f, span));
                        }
                        Value::Array(out)
                    }
                    None => Value::Null,
                }
            }
        })
    }

    fn location(&self, f: &Indexed, span: Span) -> Value {
        json!({ "uri": f.uri, "range": self.encoding.range(f.file(), span) })
    }

    /// An open document, with its last check when that is of its current text.
    fn at(&self, key: &str) -> Option<At> {
        let document = self.documents.get(key)?;
        let linted = self.results.get(key);
        let checked = linted.and_then(|l| l.checked.clone()).filter(|c| c.file.text() == document.text);
        let file = match &checked {
            Some(c) => c.file.clone(),
            None => SourceFile::new(self.document_name(document), document.text.as_str()),
        };
        let engine = linted.and_then(|l| l.engine.clone());
        Some(At { file, checked, engine })
    }

    /// The open documents as checked and the workspace's other rule files.
    fn indexed(&mut self) -> Vec<Indexed> {
        let mut out = Vec::new();
        let mut open: Vec<PathBuf> = Vec::new();
        for (key, document) in &self.documents {
            if let Some(checked) = self.results.get(key).and_then(|l| l.checked.clone()) {
                out.push(Indexed { uri: document.uri.clone(), source: Source::Open(checked) });
            }
            open.extend(document.path.clone());
        }
        for (path, loaded) in self.disk_index.files(&mut self.workspace, &open) {
            if let Some(uri) = path_to_uri(&path) {
                out.push(Indexed { uri, source: Source::Disk(loaded) });
            }
        }
        out
    }
}

//! Linting open documents and publishing the results: which engine (one per
//! configuration) checks which documents, the cross-file inputs, storing
//! results, and turning findings into LSP diagnostics.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use lsp_types as lsp;
use rayon::prelude::*;
use serde_json::json;

use super::document::Document;
use super::{CONFIG_CODE, DUPLICATE, EngineSlot, INTERNAL_CODE, Linted, Server, is_config_uri, offset_of, path_to_uri};
use crate::config::{Config, ConfigError};
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::{Checked, Engine, Input, Selection};
use crate::source::SourceFile;
use crate::span::Span;

impl<W: Write> Server<W> {
    /// Lints the open YAML documents that changed, grouped by the
    /// configuration that applies to them, and publishes what changed. Each
    /// configuration's engine is built once and kept; documents that did not
    /// change are not checked again (cross-file lints read their models).
    pub(super) fn lint(&mut self) {
        self.deadline = None;
        let online = std::mem::take(&mut self.online_now);
        let mut groups: BTreeMap<Option<PathBuf>, Vec<String>> = BTreeMap::new();
        let mut config_docs = Vec::new();
        let mut dirs = Vec::new();
        for (key, document) in &self.documents {
            if !document.is_yaml() {
                continue;
            }
            if is_config_uri(&document.uri) {
                config_docs.push(key.clone());
                continue;
            }
            let dir = document
                .path
                .as_deref()
                .and_then(Path::parent)
                .map(Path::to_path_buf)
                .or_else(|| self.workspace.roots().first().cloned());
            dirs.push((key.clone(), dir));
        }
        for (key, dir) in dirs {
            let config = dir.and_then(|d| self.config_of(&d));
            groups.entry(config).or_default().push(key);
        }
        for (config, keys) in groups {
            self.lint_group(config.as_deref(), &keys, online);
        }
        for key in config_docs {
            if self.dirty.contains(&key) || !self.results.contains_key(&key) {
                self.lint_config_document(&key);
            }
        }
        self.dirty.clear();
    }

    /// The configuration file that applies to files in `dir` (cached until
    /// the workspace changes).
    fn config_of(&mut self, dir: &Path) -> Option<PathBuf> {
        self.dir_configs.entry(dir.to_path_buf()).or_insert_with(|| Config::discover(dir)).clone()
    }

    /// The engine of a configuration, built once and rebuilt only when the
    /// configuration file or the files it references change.
    fn engine_for(&mut self, config_path: Option<&Path>) -> Result<Arc<Engine>, ConfigError> {
        let key = config_path.map(Path::to_path_buf);
        if let Some(slot) = self.engines.get(&key) {
            if slot.stamps.iter().all(|(path, seen)| modified(path) == *seen) {
                return slot.engine.clone();
            }
        }
        let config = config_path.map_or_else(|| Ok(Config::default()), Config::load);
        let mut stamps: Vec<(PathBuf, Option<std::time::SystemTime>)> = Vec::new();
        if let Some(path) = config_path {
            stamps.push((path.to_path_buf(), modified(path)));
        }
        if let Ok(config) = &config {
            if let Some(am) = &config.alertmanager_config {
                stamps.push((am.clone(), modified(am)));
            }
        }
        let engine = config
            .and_then(|c| Engine::new(c, Selection::default()))
            .map(|mut engine| {
                // Documents are checked again after each edit: keep what can be reused.
                engine.keep_templates(true);
                engine
            })
            .map(Arc::new);
        self.engines.insert(key, EngineSlot { engine: engine.clone(), stamps });
        engine
    }

    fn lint_group(&mut self, config_path: Option<&Path>, keys: &[String], online: bool) {
        let engine = match self.engine_for(config_path) {
            Ok(engine) => engine,
            Err(error) => {
                for key in keys {
                    if self.dirty.contains(key) || !self.results.contains_key(key) {
                        self.publish_config_error(key, &error);
                    }
                }
                return;
            }
        };
        // Online answers are asked for when a document is opened or saved;
        // while typing, only answers already known are used.
        engine.defer_online(!online);

        let wanted = Wanted::new(engine.config());
        let mut to_check = Vec::new();
        let mut open = Vec::new();
        for key in keys {
            let Some(document) = self.documents.get(key) else {
                continue;
            };
            if document.path.as_deref().is_some_and(|p| !wanted.allows(p)) {
                // Excluded by the configuration: `alertlint check .` skips it too.
                if self.dirty.contains(key) || !self.results.contains_key(key) {
                    self.store(key, None, Vec::new(), String::new(), Vec::new(), None);
                }
                continue;
            }
            let name = self.document_name(document);
            let cached = self.results.get(key).filter(|l| {
                !self.dirty.contains(key)
                    && l.checked.is_some()
                    && l.engine.as_ref().is_some_and(|e| Arc::ptr_eq(e, &engine))
                    && l.name == name
            });
            match cached.and_then(|l| l.checked.clone()) {
                Some(checked) => open.push((key.clone(), name, checked)),
                None => {
                    // The document's previous check, when made by this
                    // engine under this name: what did not change in the
                    // text is not parsed again.
                    let previous = self
                        .results
                        .get(key)
                        .filter(|l| l.engine.as_ref().is_some_and(|e| Arc::ptr_eq(e, &engine)) && l.name == name)
                        .and_then(|l| l.checked.clone());
                    to_check.push((key.clone(), name, document.text.clone(), previous));
                }
            }
        }
        let fresh: Vec<(String, String, Option<Checked>)> = to_check
            .into_par_iter()
            .map(|(key, name, text, previous)| {
                let input = Input { name: name.clone(), bytes: text.into_bytes() };
                let checked =
                    catch_unwind(AssertUnwindSafe(|| engine.check_file_after(input, previous.as_deref()))).ok();
                (key, name, checked)
            })
            .collect();
        for (key, name, checked) in fresh {
            match checked {
                Some(checked) => open.push((key, name, Arc::new(checked))),
                None => self.internal_error(&key),
            }
        }
        if open.is_empty() {
            return;
        }

        // The cross-file lints see the open documents and the workspace
        // files (checked once, kept while unchanged). `rule/duplicate`
        // compares rule names: only workspace files that mention a name
        // defined in an open document can change its result.
        let mut others: Vec<(String, Arc<Checked>)> = Vec::new();
        let names: HashSet<&str> = open
            .iter()
            .flat_map(|(_, _, c)| &c.model.groups)
            .flat_map(|g| &g.rules)
            .map(|r| r.name.value.as_str())
            .filter(|n| !n.is_empty())
            .collect();
        if !names.is_empty() && engine.effective_severity(DUPLICATE).is_some() {
            let open_paths: HashSet<PathBuf> = self.documents.values().filter_map(|d| d.path.clone()).collect();
            let files: Vec<PathBuf> = self.workspace.files().to_vec();
            for path in files {
                if open_paths.contains(&path) || !wanted.allows(&path) {
                    continue;
                }
                let Some(dir) = path.parent() else { continue };
                if self.config_of(dir).as_deref() != config_path {
                    continue;
                }
                let Some(bytes) = self.workspace.read(&path) else {
                    continue;
                };
                if let Some((seen, engine_seen, checked)) = self.workspace_checked.get(&path) {
                    if Arc::ptr_eq(seen, &bytes) && Arc::ptr_eq(engine_seen, &engine) {
                        if let Some(checked) = checked {
                            others.push((checked.file.name().to_string(), checked.clone()));
                        }
                        continue;
                    }
                }
                let text = String::from_utf8_lossy(&bytes);
                let checked = if names.iter().any(|name| text.contains(name)) {
                    let input = Input { name: self.workspace.display_name(&path), bytes: bytes.to_vec() };
                    catch_unwind(AssertUnwindSafe(|| engine.check_file(input))).ok().map(Arc::new)
                } else {
                    None
                };
                if let Some(checked) = &checked {
                    others.push((checked.file.name().to_string(), checked.clone()));
                }
                self.workspace_checked.insert(path, (bytes, engine.clone(), checked));
            }
        }
        drop(names);

        // In name order, as `alertlint check .` sees them, so that cross-file
        // lints report the same copy of a duplicate as CI does.
        let mut all: Vec<(&str, &Checked, Option<usize>)> =
            open.iter().enumerate().map(|(i, (_, name, c))| (name.as_str(), c.as_ref(), Some(i))).collect();
        all.extend(others.iter().map(|(name, c)| (name.as_str(), c.as_ref(), None)));
        all.sort_by(|a, b| a.0.cmp(b.0));
        let files: Vec<&Checked> = all.iter().map(|(_, c, _)| *c).collect();
        let targets: Vec<usize> = all.iter().enumerate().filter(|(_, a)| a.2.is_some()).map(|(i, _)| i).collect();
        let order: Vec<usize> = all.iter().filter_map(|a| a.2).collect();
        let found = catch_unwind(AssertUnwindSafe(|| engine.findings(&files, &targets)));
        drop(files);
        drop(all);
        let Ok(found) = found else {
            for (key, _, _) in &open {
                self.internal_error(key);
            }
            return;
        };
        let mut slots: Vec<Option<(String, String, Arc<Checked>)>> = open.into_iter().map(Some).collect();
        for (i, diagnostics) in order.into_iter().zip(found) {
            let Some((key, name, checked)) = slots[i].take() else { continue };
            let published: Vec<lsp::Diagnostic> =
                diagnostics.iter().map(|d| self.to_lsp(&checked.file, d, key.as_str())).collect();
            self.store(&key, Some(checked), diagnostics, name, published, Some(engine.clone()));
        }
    }

    fn internal_error(&mut self, key: &str) {
        let message =
            "alertlint failed while checking this file; this is a bug, please report it with the file's content"
                .to_string();
        let diagnostic = self.top_diagnostic(key, INTERNAL_CODE, message, None);
        self.store(key, None, Vec::new(), String::new(), vec![diagnostic], None);
    }

    /// Records a document's results and publishes them when they changed (or
    /// the document was edited, so the client sees the new version).
    fn store(
        &mut self,
        key: &str,
        checked: Option<Arc<Checked>>,
        diagnostics: Vec<Diagnostic>,
        name: String,
        published: Vec<lsp::Diagnostic>,
        engine: Option<Arc<Engine>>,
    ) {
        let Some(document) = self.documents.get(key) else {
            return;
        };
        let changed = self.results.get(key).is_none_or(|old| old.published != published);
        if changed || self.dirty.contains(key) {
            let params = json!({ "uri": document.uri, "version": document.version, "diagnostics": published });
            self.notify("textDocument/publishDiagnostics", params);
        }
        let old = self.results.insert(key.to_string(), Linted { checked, diagnostics, name, engine, published });
        if let Some(old) = old {
            // Freeing a large document's model and parse trees takes
            // milliseconds: not on the way to the next edit.
            let _ = std::thread::Builder::new().name("free".into()).spawn(move || drop(old));
        }
    }

    /// An open `.alertlint.yaml`: its own errors, at their position. Paths in
    /// it are relative to its directory, as when `check` reads it.
    fn lint_config_document(&mut self, key: &str) {
        let Some(document) = self.documents.get(key) else {
            return;
        };
        let name = document.path.as_ref().map_or_else(|| key.to_string(), |p| p.display().to_string());
        let base_dir = document.path.as_deref().and_then(Path::parent).map(Path::to_path_buf);
        let file = SourceFile::new(name, document.text.as_str());
        let parsed = catch_unwind(AssertUnwindSafe(|| {
            Config::parse(file.clone()).and_then(|mut c| {
                if let Some(base) = base_dir {
                    c.alertmanager_config = c.alertmanager_config.map(|am| base.join(am));
                    c.base_dir = base;
                }
                Engine::validate(c)
            })
        }));
        let published = match parsed {
            Ok(Ok(())) => Vec::new(),
            Ok(Err(error)) => {
                let offset = error.position.map_or(0, |(line, column)| offset_of(&file, line, column));
                let end = file.line_range(file.line_index(offset)).end.max(offset);
                let range = self.encoding.range(&file, Span::new(offset, end));
                vec![config_diagnostic(range, error.message.clone(), None)]
            }
            Err(_) => vec![self.top_diagnostic(
                key,
                INTERNAL_CODE,
                "alertlint failed while reading this configuration; this is a bug".into(),
                None,
            )],
        };
        self.store(key, None, Vec::new(), String::new(), published, None);
    }

    fn publish_config_error(&mut self, key: &str, error: &ConfigError) {
        let related = error.file.as_deref().and_then(|file| {
            let path = Path::new(file);
            let uri = path_to_uri(&std::path::absolute(path).ok()?)?;
            let text = crate::read::read_text(path, crate::read::MAX_CONFIG_BYTES).unwrap_or_default();
            let source = SourceFile::new(file, text);
            let offset = error.position.map_or(0, |(line, column)| offset_of(&source, line, column));
            let range = self.encoding.range(&source, Span::at(offset));
            Some(lsp::DiagnosticRelatedInformation {
                location: lsp::Location { uri, range },
                message: error.message.clone(),
            })
        });
        let diagnostic = self.top_diagnostic(
            key,
            CONFIG_CODE,
            format!("configuration error, so this file was not checked: {error}"),
            related,
        );
        self.store(key, None, Vec::new(), String::new(), vec![diagnostic], None);
    }

    /// A diagnostic on the document's first line, for problems of the whole file.
    fn top_diagnostic(
        &self,
        key: &str,
        code: &str,
        message: String,
        related: Option<lsp::DiagnosticRelatedInformation>,
    ) -> lsp::Diagnostic {
        let text = self.documents.get(key).map_or("", |d| d.text.as_str());
        let file = SourceFile::new("", text);
        let range = self.encoding.range(&file, Span::new(0, file.line_range(0).end));
        let mut diagnostic = config_diagnostic(range, message, related);
        diagnostic.code = Some(lsp::NumberOrString::String(code.to_string()));
        diagnostic
    }

    pub(super) fn document_name(&self, document: &Document) -> String {
        match &document.path {
            Some(path) => self.workspace.display_name(path),
            None => document.uri.as_str().to_string(),
        }
    }

    fn to_lsp(&self, file: &SourceFile, d: &Diagnostic, key: &str) -> lsp::Diagnostic {
        let uri = self.documents.get(key).map(|doc| doc.uri.clone());
        let meta = crate::lints::find(d.lint);
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let related: Vec<lsp::DiagnosticRelatedInformation> = match &uri {
            Some(uri) => d
                .labels
                .iter()
                .map(|l| lsp::DiagnosticRelatedInformation {
                    location: lsp::Location { uri: uri.clone(), range: self.encoding.range(file, l.span) },
                    message: l.message.clone(),
                })
                .collect(),
            None => Vec::new(),
        };
        lsp::Diagnostic {
            range: self.encoding.range(file, d.span),
            severity: Some(severity(d.severity)),
            code: Some(lsp::NumberOrString::String(d.lint.to_string())),
            code_description: meta
                .and_then(|m| lsp::Uri::from_str(&m.url()).ok())
                .map(|href| lsp::CodeDescription { href }),
            source: Some("alertlint".to_string()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            tags: (d.lint == crate::lints::suppression::unused::UNUSED.id)
                .then(|| vec![lsp::DiagnosticTag::UNNECESSARY]),
            data: None,
        }
    }
}

/// A file's modification time (`None` when it cannot be read).
fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn severity(severity: Severity) -> lsp::DiagnosticSeverity {
    match severity {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
    }
}

fn config_diagnostic(
    range: lsp::Range,
    message: String,
    related: Option<lsp::DiagnosticRelatedInformation>,
) -> lsp::Diagnostic {
    lsp::Diagnostic {
        range,
        severity: Some(lsp::DiagnosticSeverity::ERROR),
        code: Some(lsp::NumberOrString::String(CONFIG_CODE.to_string())),
        code_description: None,
        source: Some("alertlint".to_string()),
        message,
        related_information: related.map(|r| vec![r]),
        tags: None,
        data: None,
    }
}

/// The configuration's `include`/`exclude` globs, compiled once per lint
/// pass: which files `alertlint check .` would pick (the same filter).
struct Wanted(Option<crate::discover::Filter>);

impl Wanted {
    fn new(config: &Config) -> Wanted {
        // Invalid globs are reported by `alertlint check`; here they filter nothing.
        Wanted(crate::discover::Filter::new(config).ok())
    }

    fn allows(&self, path: &Path) -> bool {
        self.0.as_ref().is_none_or(|filter| filter.wants(path))
    }
}

//! `alertlint lsp`: a Language Server on stdio that publishes the same
//! diagnostics as `alertlint check`, and offers suppressions and safe fixes
//! as code actions.
//!
//! Synchronous and single-threaded (the engine parallelises over files):
//! one loop reads messages, applies edits, and lints after the input has been
//! quiet for [`DEBOUNCE`]. Everything the client sends is input: nothing it
//! sends may crash the server or leave diagnostics stale.

pub mod actions;
mod completion;
mod cursor;
mod document;
mod hover;
mod navigation;
mod requests;
mod symbols;
mod transport;
mod workspace;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::{Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use lsp_server::{Message, Notification, Request, RequestId, Response};
use lsp_types as lsp;
use serde_json::{Value, json};

pub use document::{Encoding, path_to_uri, uri_to_path};

/// The framing reader and document edits, for the fuzz targets and tests.
#[doc(hidden)]
pub mod internals {
    pub use super::document::Document;
    pub use super::transport::{Frame, FrameReader, Incoming, decode};
    pub use lsp_types;
}

use crate::config::{Config, ConfigError};
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::{Checked, Engine, Input, Selection};
use crate::source::SourceFile;
use crate::span::Span;
use actions::Action;
use document::Document;
use rayon::prelude::*;
use transport::Incoming;
use workspace::Workspace;

/// How long the input must be quiet after an edit before linting. Edits
/// already queued are applied together; re-checking one document is fast
/// enough that typing need not wait longer.
const DEBOUNCE: Duration = Duration::from_millis(5);

/// JSON-RPC / LSP error codes.
const SERVER_NOT_INITIALIZED: i32 = -32002;
const METHOD_NOT_FOUND: i32 = -32601;
const INVALID_PARAMS: i32 = -32602;
const INVALID_REQUEST: i32 = -32600;
const INTERNAL_ERROR: i32 = -32603;

/// The `code` of diagnostics that are not findings of a lint.
const CONFIG_CODE: &str = "alertlint/config";
const INTERNAL_CODE: &str = "alertlint/internal";

/// The cross-file lint whose inputs the server narrows down.
const DUPLICATE: &str = crate::lints::rule::duplicate::DUPLICATE.id;

/// Runs the server on stdin/stdout; returns the process exit code (0 after
/// `shutdown` then `exit`, 1 when the client exits without shutting down).
pub fn run_stdio() -> u8 {
    serve(std::io::stdin(), std::io::stdout().lock())
}

/// Runs the server on any pair of streams (tests use pipes).
pub fn serve(input: impl Read + Send + 'static, output: impl Write) -> u8 {
    let receiver = transport::spawn_reader(input);
    Server::new(output).run(&receiver)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Uninitialized,
    Running,
    ShutDown,
}

/// The result of the last lint of an open document.
struct Linted {
    /// The document as checked (its model); `None` for configuration files,
    /// excluded files and errors.
    checked: Option<Arc<Checked>>,
    /// Its findings, policy applied.
    diagnostics: Vec<Diagnostic>,
    /// The name the document was checked under.
    name: String,
    /// The engine it was checked with, to verify fixes by re-linting.
    engine: Option<Arc<Engine>>,
    /// Published diagnostics, index-aligned with `diagnostics` (a
    /// configuration or internal error has no findings and one entry).
    published: Vec<lsp::Diagnostic>,
}

/// A configuration's engine and the modification times of the files it was
/// built from.
struct EngineSlot {
    engine: Result<Arc<Engine>, ConfigError>,
    stamps: Vec<(PathBuf, Option<std::time::SystemTime>)>,
}

/// A workspace file as checked: its bytes, the engine and the result (`None`
/// when it mentions no rule name of the open documents).
type WorkspaceChecked = (Arc<Vec<u8>>, Arc<Engine>, Option<Arc<Checked>>);

struct Server<W: Write> {
    out: W,
    phase: Phase,
    encoding: Encoding,
    documents: BTreeMap<String, Document>,
    results: HashMap<String, Linted>,
    /// Documents edited since their last lint: always republished.
    dirty: BTreeSet<String>,
    /// When to lint next; `None` when nothing waits.
    deadline: Option<Instant>,
    workspace: Workspace,
    /// One engine per configuration file (`None`: the defaults).
    engines: HashMap<Option<PathBuf>, EngineSlot>,
    /// The configuration file of each directory seen.
    dir_configs: HashMap<PathBuf, Option<PathBuf>>,
    workspace_checked: HashMap<PathBuf, WorkspaceChecked>,
    /// A document was opened or saved: the next lint may ask Prometheus.
    online_now: bool,
    /// Workspace rule files parsed for navigation and completion.
    disk_index: navigation::DiskIndex,
}

impl<W: Write> Server<W> {
    fn new(out: W) -> Server<W> {
        Server {
            out,
            phase: Phase::Uninitialized,
            encoding: Encoding::Utf16,
            documents: BTreeMap::new(),
            results: HashMap::new(),
            dirty: BTreeSet::new(),
            deadline: None,
            workspace: Workspace::default(),
            engines: HashMap::new(),
            dir_configs: HashMap::new(),
            workspace_checked: HashMap::new(),
            online_now: false,
            disk_index: navigation::DiskIndex::default(),
        }
    }

    fn run(mut self, receiver: &Receiver<Incoming>) -> u8 {
        loop {
            let next = match self.deadline {
                None => receiver.recv().map_err(|_| RecvTimeoutError::Disconnected),
                Some(deadline) => receiver.recv_timeout(deadline.saturating_duration_since(Instant::now())),
            };
            match next {
                Ok(incoming) => {
                    if let Some(code) = self.handle(incoming) {
                        return code;
                    }
                }
                // Quiet for long enough: everything queued has been applied.
                Err(RecvTimeoutError::Timeout) => self.lint(),
                // The client closed the stream without `exit`.
                Err(RecvTimeoutError::Disconnected) => return 1,
            }
        }
    }

    fn schedule(&mut self, delay: Duration) {
        let at = Instant::now() + delay;
        self.deadline = Some(match self.deadline {
            // An immediate lint (open, save) is not postponed by typing elsewhere.
            Some(existing) if delay.is_zero() => existing.min(at),
            _ => at,
        });
    }

    // ---- output -------------------------------------------------------

    fn send(&mut self, message: Message) {
        // A client that stopped reading gets no more; the read side ends the loop.
        let _ = transport::write_message(&mut self.out, &message);
    }

    fn respond(&mut self, id: RequestId, result: Value) {
        self.send(Message::Response(Response::new_ok(id, result)));
    }

    fn respond_error(&mut self, id: RequestId, code: i32, message: impl Into<String>) {
        self.send(Message::Response(Response::new_err(id, code, message.into())));
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(Message::Notification(Notification { method: method.to_string(), params }));
    }

    fn log(&mut self, message: impl Into<String>) {
        self.notify("window/logMessage", json!({ "type": 3, "message": message.into() }));
    }

    // ---- dispatch -----------------------------------------------------

    fn handle(&mut self, incoming: Incoming) -> Option<u8> {
        match incoming {
            Incoming::Malformed { id, code, message } => {
                let _ = transport::write_error(&mut self.out, id, code, &message);
                None
            }
            Incoming::Message(Message::Request(request)) => {
                self.on_request(request);
                None
            }
            Incoming::Message(Message::Notification(notification)) => self.on_notification(notification),
            // Answers to requests this server never sends.
            Incoming::Message(Message::Response(_)) => None,
        }
    }

    fn on_request(&mut self, request: Request) {
        let Request { id, method, params } = request;
        match (self.phase, method.as_str()) {
            (Phase::Uninitialized, "initialize") => self.initialize(id, &params),
            (Phase::Uninitialized, _) => {
                self.respond_error(id, SERVER_NOT_INITIALIZED, "the server is not initialized yet")
            }
            (Phase::ShutDown, _) => self.respond_error(id, INVALID_REQUEST, "the server is shutting down"),
            (Phase::Running, "initialize") => {
                self.respond_error(id, INVALID_REQUEST, "the server is already initialized")
            }
            (Phase::Running, "shutdown") => {
                self.phase = Phase::ShutDown;
                self.respond(id, Value::Null);
            }
            (Phase::Running, "textDocument/codeAction") => {
                match serde_json::from_value::<lsp::CodeActionParams>(params) {
                    Ok(params) => {
                        let actions = self.code_actions(params);
                        self.respond(id, actions);
                    }
                    Err(e) => self.respond_error(id, INVALID_PARAMS, format!("invalid codeAction params: {e}")),
                }
            }
            (Phase::Running, m) if requests::METHODS.contains(&m) => {
                // A bug answering one request must not end the session.
                match catch_unwind(AssertUnwindSafe(|| self.language_request(m, params))) {
                    Ok(Ok(result)) => self.respond(id, result),
                    Ok(Err(e)) => self.respond_error(id, INVALID_PARAMS, format!("invalid {method} params: {e}")),
                    Err(_) => self.respond_error(
                        id,
                        INTERNAL_ERROR,
                        format!("alertlint failed answering `{method}`; this is a bug"),
                    ),
                }
            }
            (Phase::Running, _) => self.respond_error(id, METHOD_NOT_FOUND, format!("unknown method `{method}`")),
        }
    }

    fn on_notification(&mut self, notification: Notification) -> Option<u8> {
        let Notification { method, params } = notification;
        if method == "exit" {
            return Some(if self.phase == Phase::ShutDown { 0 } else { 1 });
        }
        if self.phase != Phase::Running {
            return None;
        }
        let result = match method.as_str() {
            "textDocument/didOpen" => serde_json::from_value(params).map(|p| self.did_open(p)),
            "textDocument/didChange" => serde_json::from_value(params).map(|p| self.did_change(p)),
            "textDocument/didSave" => serde_json::from_value(params).map(|p| self.did_save(p)),
            "textDocument/didClose" => serde_json::from_value(params).map(|p| self.did_close(p)),
            "workspace/didChangeWorkspaceFolders" => serde_json::from_value(params).map(|p| self.did_change_folders(p)),
            "workspace/didChangeWatchedFiles" | "workspace/didChangeConfiguration" => {
                self.forget_configurations();
                self.dirty.extend(self.documents.keys().cloned());
                self.schedule(Duration::ZERO);
                Ok(())
            }
            // `initialized`, `$/cancelRequest`, `$/setTrace` and anything unknown.
            _ => Ok(()),
        };
        if let Err(e) = result {
            self.log(format!("alertlint: ignored `{method}` with invalid params: {e}"));
        }
        None
    }

    fn initialize(&mut self, id: RequestId, params: &Value) {
        let offered = params.pointer("/capabilities/general/positionEncodings").and_then(Value::as_array);
        self.encoding = match offered {
            Some(list) if list.iter().any(|e| e.as_str() == Some("utf-8")) => Encoding::Utf8,
            _ => Encoding::Utf16,
        };
        let mut roots: Vec<PathBuf> = params
            .get("workspaceFolders")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|f| f.get("uri").and_then(Value::as_str))
            .filter_map(path_of_uri_str)
            .collect();
        if roots.is_empty() {
            let root_uri = params.get("rootUri").and_then(Value::as_str).and_then(path_of_uri_str);
            let root_path = params.get("rootPath").and_then(Value::as_str).map(PathBuf::from);
            roots.extend(root_uri.or(root_path));
        }
        self.workspace.set_roots(roots);
        self.phase = Phase::Running;
        let encoding = match self.encoding {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf16 => "utf-16",
        };
        self.respond(
            id,
            json!({
                "capabilities": {
                    "positionEncoding": encoding,
                    "textDocumentSync": { "openClose": true, "change": 2, "save": { "includeText": false } },
                    "codeActionProvider": { "codeActionKinds": ["quickfix"] },
                    "hoverProvider": true,
                    "completionProvider": { "triggerCharacters": ["(", "{", ",", "\"", " ", "=", ":"] },
                    "definitionProvider": true,
                    "referencesProvider": true,
                    "documentSymbolProvider": true,
                    "workspace": { "workspaceFolders": { "supported": true, "changeNotifications": true } },
                },
                "serverInfo": { "name": "alertlint", "version": env!("CARGO_PKG_VERSION") },
            }),
        );
    }

    // ---- documents ----------------------------------------------------

    fn did_open(&mut self, params: lsp::DidOpenTextDocumentParams) {
        let item = params.text_document;
        let key = item.uri.as_str().to_string();
        let path = uri_to_path(&item.uri);
        self.documents.insert(
            key.clone(),
            Document { uri: item.uri, path, language_id: item.language_id, version: item.version, text: item.text },
        );
        // A file created since the last walk may now be part of the workspace.
        self.workspace.invalidate();
        self.dir_configs.clear();
        self.online_now = true;
        self.dirty.insert(key);
        self.schedule(Duration::ZERO);
    }

    fn did_change(&mut self, params: lsp::DidChangeTextDocumentParams) {
        let key = params.text_document.uri.as_str().to_string();
        let encoding = self.encoding;
        let Some(document) = self.documents.get_mut(&key) else {
            return;
        };
        for change in params.content_changes {
            document.apply(change, encoding);
        }
        document.version = params.text_document.version;
        self.dirty.insert(key);
        self.schedule(DEBOUNCE);
    }

    fn did_save(&mut self, params: lsp::DidSaveTextDocumentParams) {
        let key = params.text_document.uri.as_str().to_string();
        if let (Some(text), Some(document)) = (params.text, self.documents.get_mut(&key)) {
            document.text = text;
        }
        self.workspace.invalidate();
        self.online_now = true;
        // Saving a configuration file changes every document's results.
        if is_config_uri(&params.text_document.uri) {
            self.forget_configurations();
            self.dirty.extend(self.documents.keys().cloned());
        }
        self.dirty.insert(key);
        self.schedule(Duration::ZERO);
    }

    fn did_close(&mut self, params: lsp::DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let key = uri.as_str().to_string();
        if self.documents.remove(&key).is_some() {
            self.results.remove(&key);
            self.dirty.remove(&key);
            self.notify("textDocument/publishDiagnostics", json!({ "uri": uri, "diagnostics": [] }));
            // Cross-file findings in other documents may have involved it.
            if !self.documents.is_empty() {
                self.schedule(DEBOUNCE);
            }
        }
    }

    fn did_change_folders(&mut self, params: lsp::DidChangeWorkspaceFoldersParams) {
        let removed: HashSet<PathBuf> = params.event.removed.iter().filter_map(|f| uri_to_path(&f.uri)).collect();
        let mut roots: Vec<PathBuf> =
            self.workspace.roots().iter().filter(|r| !removed.contains(*r)).cloned().collect();
        roots.extend(params.event.added.iter().filter_map(|f| uri_to_path(&f.uri)));
        self.workspace.set_roots(roots);
        self.forget_configurations();
        self.dirty.extend(self.documents.keys().cloned());
        self.schedule(Duration::ZERO);
    }

    /// Configuration files may have been created, changed or deleted:
    /// engines are built again when next needed.
    fn forget_configurations(&mut self) {
        self.workspace.invalidate();
        self.engines.clear();
        self.dir_configs.clear();
        self.workspace_checked.clear();
        self.disk_index.clear();
    }

    // ---- linting ------------------------------------------------------

    /// Lints the open YAML documents that changed, grouped by the
    /// configuration that applies to them, and publishes what changed. Each
    /// configuration's engine is built once and kept; documents that did not
    /// change are not checked again (cross-file lints read their models).
    fn lint(&mut self) {
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

    fn document_name(&self, document: &Document) -> String {
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

    // ---- code actions -------------------------------------------------

    fn code_actions(&mut self, params: lsp::CodeActionParams) -> Value {
        let wants_quickfix = params.context.only.as_ref().is_none_or(|only| {
            only.iter().any(|k| {
                k.as_str().is_empty() || "quickfix".starts_with(k.as_str()) || k.as_str().starts_with("quickfix")
            })
        });
        if !wants_quickfix {
            return json!([]);
        }
        // Actions are computed on fresh results, never on a stale lint.
        if self.deadline.is_some() {
            self.lint();
        }
        let key = params.text_document.uri.as_str();
        let Some(linted) = self.results.get(key) else {
            return json!([]);
        };
        let Some(checked) = &linted.checked else {
            return json!([]);
        };
        let (file, model) = (&checked.file, &checked.model);
        let requested = self.encoding.span(file, params.range);
        let mut out = Vec::new();
        let mut titles = HashSet::new();
        for (d, published) in linted.diagnostics.iter().zip(&linted.published) {
            // The cursor touching the finding is enough (an empty range at its end included).
            if d.span.start > requested.end || requested.start > d.span.end {
                continue;
            }
            let mut actions = Vec::new();
            actions.extend(actions::suppression_fix(file, model, d));
            if d.lint == actions::FOR_TOO_SHORT.id {
                actions.extend(self.verified_for_fix(linted, checked, d));
            }
            actions.extend(actions::disable_for_rule(file, model, d));
            actions.extend(actions::disable_for_group(file, model, d));
            actions.extend(actions::disable_for_file(file, d));
            // Two findings of one lint under the cursor would offer the same action twice.
            for action in actions.into_iter().filter(|a| titles.insert(a.title.clone())) {
                out.push(self.code_action(&params.text_document.uri, file, action, published.clone()));
            }
        }
        Value::Array(out)
    }

    fn code_action(&self, uri: &lsp::Uri, file: &SourceFile, action: Action, diagnostic: lsp::Diagnostic) -> Value {
        let edits: Vec<Value> = action
            .edits
            .iter()
            .map(|e| json!({ "range": self.encoding.range(file, e.span), "newText": e.text }))
            .collect();
        let mut changes = serde_json::Map::new();
        changes.insert(uri.as_str().to_string(), Value::Array(edits));
        json!({
            "title": action.title,
            "kind": "quickfix",
            "diagnostics": [diagnostic],
            "isPreferred": action.is_fix,
            "edit": { "changes": changes },
        })
    }

    /// The first `for:` value that makes `noise/for-too-short` go away for
    /// this rule without adding an error, checked by linting the edited text.
    fn verified_for_fix(&self, linted: &Linted, checked: &Checked, d: &Diagnostic) -> Option<Action> {
        let engine = linted.engine.as_ref()?;
        // Candidates are checked with the answers already known, without new requests.
        engine.defer_online(true);
        let rule = actions::rule_of(&checked.model, d)?;
        let mut values: Vec<String> = configured_min_for(engine.config()).into_iter().collect();
        for candidate in actions::FOR_CANDIDATES {
            if !values.iter().any(|v| v == candidate) {
                values.push(candidate.to_string());
            }
        }
        let count = |text: &str| -> Option<(usize, usize)> {
            let input = Input { name: linted.name.clone(), bytes: text.as_bytes().to_vec() };
            let reports = catch_unwind(AssertUnwindSafe(|| engine.check(vec![input]))).ok()?;
            let report = reports.into_iter().next()?;
            let short = report.diagnostics.iter().filter(|x| x.lint == actions::FOR_TOO_SHORT.id).count();
            let errors = report.diagnostics.iter().filter(|x| x.severity == Severity::Error).count();
            Some((short, errors))
        };
        let (short_before, errors_before) = count(checked.file.text())?;
        for (title, edit) in actions::for_candidates(&checked.file, rule, &values) {
            let edited = actions::apply(checked.file.text(), std::slice::from_ref(&edit));
            let (short, errors) = count(&edited)?;
            if short < short_before && errors <= errors_before {
                return Some(Action { title, edits: vec![edit], is_fix: true });
            }
        }
        None
    }
}

/// A file's modification time (`None` when it cannot be read).
fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The `min_for` option of `noise/for-too-short` when configured.
fn configured_min_for(config: &Config) -> Option<String> {
    let setting = config.lints.iter().rev().find(|s| s.pattern == actions::FOR_TOO_SHORT.id)?;
    let crate::yaml::NodeKind::Mapping(entries) = &setting.options.as_ref()?.kind else {
        return None;
    };
    entries.iter().find_map(|(k, v)| match (&k.kind, &v.kind) {
        (crate::yaml::NodeKind::Scalar(k), crate::yaml::NodeKind::Scalar(v))
            if k.value == "min_for" && crate::duration::parse(&v.value).is_ok() =>
        {
            Some(v.value.clone())
        }
        _ => None,
    })
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

/// The byte offset of a 1-based line and character column.
fn offset_of(file: &SourceFile, line: usize, column: usize) -> usize {
    let range = file.line_range(line.saturating_sub(1));
    let text = &file.text()[range.clone()];
    text.char_indices().nth(column.saturating_sub(1)).map_or(range.end, |(i, _)| range.start + i)
}

fn path_of_uri_str(uri: &str) -> Option<PathBuf> {
    uri_to_path(&lsp::Uri::from_str(uri).ok()?)
}

fn is_config_uri(uri: &lsp::Uri) -> bool {
    let last = uri.as_str().rsplit('/').next().unwrap_or("");
    crate::config::FILE_NAMES.contains(&last)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator: the test must be reproducible.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self, bound: usize) -> usize {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((self.0 >> 33) as usize) % bound.max(1)
        }
    }

    fn framed(message: &Value) -> Vec<u8> {
        let body = message.to_string();
        format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
    }

    /// Random edits (positions past line ends, inside surrogate pairs, reversed
    /// ranges, multi-byte text) and requests (code actions, hover, completion,
    /// navigation) over rule files: the server must answer every request and
    /// never panic.
    #[test]
    fn random_edits_and_requests_never_break_the_server() {
        const SNIPPETS: [&str; 10] = [
            "groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: rate(errors_total[1m]) > 5\n",
            "      - record: job:x:rate5m\n        expr: sum by (job) (rate(x_total[5m]))\n",
            "        labels: { severity: critcal, team: é😀 }\n",
            "# alertlint disable owner/missing, nope\n",
            "        annotations:\n          summary: \"{{ $labels.instance }\"\n",
            "\u{feff}\r\n - [ {",
            "        for: 0s\n",
            "😀\u{10ffff}\t\"'\n",
            "        expr: \"sum by (job) (rate(x{a=\\\"é😀\\\"}[5m])) > job:x:rate5m\"\n",
            "        expr: histogram_quantile(0.9, sum by (le) (rate(job:x:rate5m{le=~\"",
        ];
        for (seed, utf8) in [(1u64, false), (2, true), (3, false)] {
            let mut rng = Lcg(seed);
            let mut input = Vec::new();
            let encodings = if utf8 { json!(["utf-8"]) } else { json!(["utf-16"]) };
            input.extend(framed(&json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"capabilities": {"general": {"positionEncodings": encodings}}}})));
            let uri = "untitled:fuzz.yaml";
            let mut text = SNIPPETS[0].to_string();
            input.extend(framed(&json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}})));
            let mut requests = 0;
            for step in 0..120 {
                let position = |rng: &mut Lcg| json!({"line": rng.next(12), "character": rng.next(60)});
                let range = json!({"start": position(&mut rng), "end": position(&mut rng)});
                if rng.next(4) == 0 {
                    requests += 1;
                    let method = [
                        "textDocument/codeAction",
                        "textDocument/hover",
                        "textDocument/completion",
                        "textDocument/definition",
                        "textDocument/references",
                        "textDocument/documentSymbol",
                    ][rng.next(6)];
                    let position = position(&mut rng);
                    input.extend(framed(&json!({"jsonrpc": "2.0", "id": requests, "method": method, "params": {"textDocument": {"uri": uri}, "range": range, "position": position, "context": {"diagnostics": [], "includeDeclaration": true}}})));
                } else {
                    let insert = SNIPPETS[rng.next(SNIPPETS.len())];
                    text.push_str(insert);
                    let change =
                        if rng.next(5) == 0 { json!({"text": text}) } else { json!({"range": range, "text": insert}) };
                    input.extend(framed(&json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": uri, "version": step + 2}, "contentChanges": [change]}})));
                }
            }
            let mut output = Vec::new();
            serve(std::io::Cursor::new(input), &mut output);
            let text = String::from_utf8(output).expect("UTF-8 output");
            let answered = text.matches("\"id\":").count();
            // Every code action and the initialize request got an answer.
            assert!(answered > requests, "seed {seed}: {answered} answers for {requests} requests");
            assert!(!text.contains("\"error\""), "seed {seed}: {text}");
            assert!(!text.contains(INTERNAL_CODE), "seed {seed}: the engine panicked");
            assert!(text.contains("textDocument/publishDiagnostics"), "seed {seed}: nothing was linted");
        }
    }

    #[test]
    fn offsets_of_one_based_character_positions() {
        let file = SourceFile::new("f", "a: 1\nbé: x\n");
        // Line 2 starts at byte 5; its fifth character, `x`, follows the two-byte `é`.
        assert_eq!(offset_of(&file, 2, 5), 10);
        assert_eq!(offset_of(&file, 2, 99), 11);
        assert_eq!(offset_of(&file, 9, 1), 12);
    }

    #[test]
    fn config_files_are_recognised_by_name() {
        assert!(is_config_uri(&lsp::Uri::from_str("file:///x/.alertlint.yaml").unwrap()));
        assert!(!is_config_uri(&lsp::Uri::from_str("file:///x/rules.yaml").unwrap()));
    }
}

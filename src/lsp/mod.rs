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
mod publish;
mod requests;
mod symbols;
mod transport;
mod workspace;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::{Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
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
use crate::engine::{Checked, Engine, Input};
use crate::source::SourceFile;
use actions::Action;
use document::Document;
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
            Some(v.value.to_string())
        }
        _ => None,
    })
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

//! `alertlint lsp` driven over pipes as an editor drives it.
//!
//! Most documents here carry suppression comments: their findings come from
//! the comment text alone, so positions, edits and code actions are tested
//! whatever the rule loader makes of the rest. Tests that need real rule
//! lints say so.

#[path = "lsp/client.rs"]
mod client;

use client::{Client, TIMEOUT, apply_edits, column, frame, uri_of};
use serde_json::{Value, json};

/// Non-ASCII text before the fault on its line: `é` is 2 bytes / 1 UTF-16
/// unit, `😀` 4 bytes / 2 units.
const MISSPELT: &str = "# ünïcødé first line\nkey: é😀 # alertlint disable-file owner/misisng\n";

/// A `TextEdit` as a `didChange` content change.
fn change(edit: &Value) -> Value {
    json!({"range": edit["range"], "text": edit["newText"]})
}

fn code(d: &Value) -> &str {
    d["code"].as_str().unwrap_or("")
}

fn find<'a>(diagnostics: &'a [Value], lint: &str) -> &'a Value {
    diagnostics.iter().find(|d| code(d) == lint).unwrap_or_else(|| panic!("no {lint} in {diagnostics:#?}"))
}

#[test]
fn diagnostic_ranges_follow_the_negotiated_encoding() {
    for (utf8, encoding) in [(false, "utf-16"), (true, "utf-8")] {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut client, init) = Client::initialized(dir.path(), utf8);
        assert_eq!(init["capabilities"]["positionEncoding"], encoding);
        assert_eq!(init["capabilities"]["textDocumentSync"]["change"], 2, "incremental sync");
        assert_eq!(init["serverInfo"]["name"], "alertlint");

        let uri = uri_of(&dir.path().join("rules.yaml"));
        client.open(&uri, "yaml", MISSPELT);
        let diagnostics = client.diagnostics(&uri, Some(1));
        let d = find(&diagnostics, "suppression/unknown-lint");
        let start = MISSPELT.find("owner/misisng").unwrap();
        let (line, col) = column(MISSPELT, start, encoding);
        let (end_line, end_col) = column(MISSPELT, start + "owner/misisng".len(), encoding);
        assert_eq!(
            d["range"],
            json!({"start": {"line": line, "character": col}, "end": {"line": end_line, "character": end_col}}),
            "{encoding}"
        );
        // The two encodings really differ on this line.
        assert_eq!(col, if utf8 { 37 } else { 34 });
        assert_eq!(d["severity"], 2);
        assert_eq!(d["source"], "alertlint");
        assert!(d["message"].as_str().unwrap().contains("no lint is named `owner/misisng`"), "{d}");
        assert!(
            d["message"].as_str().unwrap().contains("did you mean `owner/missing`"),
            "help is part of the message: {d}"
        );
        assert!(d["codeDescription"]["href"].as_str().unwrap().ends_with("#suppressionunknown-lint"), "{d}");

        let response = client.request("shutdown", Value::Null);
        assert_eq!(response["result"], Value::Null);
        client.notify("exit", Value::Null);
        assert_eq!(client.finish(), Some(0));
    }
}

#[test]
fn incremental_edits_code_actions_and_close() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut client, _) = Client::initialized(dir.path(), false);
    let uri = uri_of(&dir.path().join("é dir.yaml"));
    let mut text = MISSPELT.replace("owner/misisng", "nosuch/lint");
    client.open(&uri, "yaml", &text);
    let diagnostics = client.diagnostics(&uri, Some(1));
    assert!(find(&diagnostics, "suppression/unknown-lint")["message"].as_str().unwrap().contains("`nosuch/lint`"));

    // An incremental edit in UTF-16 coordinates, after the emoji: only a
    // correctly applied edit yields this message.
    let start = text.find("nosuch/lint").unwrap();
    let (line, col) = column(&text, start, "utf-16");
    let edit = json!({"range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col + 6}}, "newText": "owner/misisng-"});
    text = apply_edits(&text, std::slice::from_ref(&edit), "utf-16");
    assert!(text.contains("owner/misisng-/lint"));
    // Two quick edits: the second undoes the trailing part, leaving `owner/misisng`.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [change(&edit)]}),
    );
    let start = text.find("-/lint").unwrap();
    let (line, col) = column(&text, start, "utf-16");
    let edit = json!({"range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col + 6}}, "newText": ""});
    text = apply_edits(&text, std::slice::from_ref(&edit), "utf-16");
    assert_eq!(text, MISSPELT);
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [change(&edit)]}),
    );
    // Debounced: one lint for both edits, published with the last version.
    let diagnostics = client.diagnostics(&uri, Some(3));
    let unknown = find(&diagnostics, "suppression/unknown-lint").clone();
    assert!(unknown["message"].as_str().unwrap().contains("`owner/misisng`"), "{unknown}");
    let stale: Vec<Value> = client.drain_seen().into_iter().filter(|m| m["params"]["version"] == 2).collect();
    assert!(stale.is_empty(), "the intermediate version was linted: {stale:#?}");

    // The fix replaces the id with the closest one; applying it re-lints.
    let response = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": unknown["range"], "context": {"diagnostics": [unknown]}}),
    );
    let actions = response["result"].as_array().expect("actions").clone();
    let fix = actions
        .iter()
        .find(|a| a["title"] == "Replace `owner/misisng` with `owner/missing`")
        .unwrap_or_else(|| panic!("{actions:#?}"));
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["isPreferred"], true);
    assert!(
        actions.iter().all(|a| !a["title"].as_str().unwrap_or("").starts_with("Disable")),
        "no suppression of a suppression lint: {actions:#?}"
    );
    let edits = fix["edit"]["changes"][&uri].as_array().expect("edits for the document").clone();
    text = apply_edits(&text, &edits, "utf-16");
    assert!(text.contains("disable-file owner/missing\n"), "{text}");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 4}, "contentChanges": edits.iter().map(change).collect::<Vec<_>>()}),
    );
    let diagnostics = client.diagnostics(&uri, Some(4));
    let unused = find(&diagnostics, "suppression/unused").clone();
    assert_eq!(unused["tags"], json!([1]), "unused suppressions are marked unnecessary");

    // Removing the unused suppression leaves a clean document.
    let response = client.request("textDocument/codeAction", json!({"textDocument": {"uri": uri}, "range": {"start": unused["range"]["start"], "end": unused["range"]["start"]}, "context": {"diagnostics": []}}));
    let actions = response["result"].as_array().expect("actions").clone();
    let remove = actions
        .iter()
        .find(|a| a["title"] == "Remove the unused suppression of `owner/missing`")
        .unwrap_or_else(|| panic!("{actions:#?}"));
    let edits = remove["edit"]["changes"][&uri].as_array().expect("edits").clone();
    text = apply_edits(&text, &edits, "utf-16");
    assert_eq!(text, "# ünïcødé first line\nkey: é😀\n");
    // A full-text change this time.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 5}, "contentChanges": [{"text": text}]}),
    );
    assert_eq!(client.diagnostics(&uri, Some(5)), Vec::<Value>::new());

    // Closing clears; a new finding before closing proves the clear is real.
    client.notify("textDocument/didChange", json!({"textDocument": {"uri": uri, "version": 6}, "contentChanges": [{"text": "# alertlint disable-file nope\n"}]}));
    assert_eq!(client.diagnostics(&uri, Some(6)).len(), 1);
    client.notify("textDocument/didClose", json!({"textDocument": {"uri": uri}}));
    let cleared = client.wait_for("cleared diagnostics", |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri
            && m["params"]["version"].is_null()
    });
    assert_eq!(cleared["params"]["diagnostics"], json!([]));
}

#[test]
fn garbage_and_out_of_order_input_never_kill_the_server() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut client = Client::start(dir.path());
    // A request before initialize is refused, not crashed on.
    let early = client.request("textDocument/codeAction", json!({}));
    assert_eq!(early["error"]["code"], -32002);
    client.send_raw(&frame("{this is not json"));
    let parse_error = client.wait_for("parse error", |m| m["error"]["code"] == -32700);
    assert_eq!(parse_error["id"], Value::Null);
    client.send_raw(b"Content-Length: nope\r\n\r\n");
    client.send_raw(&frame(r#"[{"jsonrpc":"2.0"}]"#));
    // Binary junk without any framing, then a blank line: skipped as one bad frame.
    client.send_raw(b"\x00\xff\xfe garbage \x1b[31m\r\nmore: junk\n\r\n");
    client.wait_for("error for the junk", |m| {
        m["error"]["code"] == -32700
            && m["error"]["message"].as_str().is_some_and(|s| s.contains("without a Content-Length"))
    });
    client.wait_for("invalid request", |m| m["error"]["code"] == -32600);

    let root = uri_of(dir.path());
    let init = client.request("initialize", json!({"processId": null, "rootUri": root, "capabilities": {}}));
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16", "no encodings offered: UTF-16");
    let again = client.request("initialize", json!({"capabilities": {}}));
    assert_eq!(again["error"]["code"], -32600);
    let unknown = client.request("workspace/symbol", json!({"query": ""}));
    assert_eq!(unknown["error"]["code"], -32601);
    let bad_params = client.request("textDocument/codeAction", json!({"textDocument": 5}));
    assert_eq!(bad_params["error"]["code"], -32602);
    client.notify("$/unknownNotification", json!({"x": 1}));
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": "file:///nowhere.yaml", "version": 2}, "contentChanges": [{"text": "x"}]}),
    );
    client.notify("textDocument/didOpen", json!({"textDocument": 42}));
    client.send_raw(&frame(r#"{"jsonrpc":"2.0","id":7,"result":null}"#));

    // Documents that are not YAML get nothing; half-typed YAML and YAML that
    // is not a rule file are linted without trouble.
    let markdown = uri_of(&dir.path().join("notes.md"));
    client.open(&markdown, "markdown", "# alertlint disable-file nope\n");
    let half = uri_of(&dir.path().join("half.yaml"));
    client.open(
        &half,
        "yaml",
        "groups:\n  - name: [\n    rules:\n      - alert: \"unterminated\n# alertlint disable-file nope\n",
    );
    let not_rules = uri_of(&dir.path().join("values.yml"));
    client.open(&not_rules, "yaml", "replicas: 3\nimage: { name: x, tag: \"1\" }\n");
    let unsaved = "untitled:Untitled-1";
    client.open(unsaved, "yaml", "# alertlint disable-file nope\r\n");
    assert!(!client.diagnostics(&half, Some(1)).is_empty());
    assert_eq!(client.diagnostics(&not_rules, Some(1)), Vec::<Value>::new());
    assert_eq!(client.diagnostics(unsaved, Some(1)).len(), 1);
    // Everything from that lint pass precedes this response.
    client.request("textDocument/codeAction", json!({"textDocument": {"uri": half}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 99, "character": 0}}, "context": {"diagnostics": []}}));
    let about_markdown: Vec<Value> =
        client.drain_seen().into_iter().filter(|m| m["params"]["uri"] == markdown).collect();
    assert!(about_markdown.is_empty(), "{about_markdown:#?}");
    // Saving re-lints and republishes, even when nothing changed.
    client.notify("textDocument/didSave", json!({"textDocument": {"uri": not_rules}}));
    assert_eq!(client.diagnostics(&not_rules, Some(1)), Vec::<Value>::new());

    // Requests after shutdown are refused; exit ends the process with 0.
    client.request("shutdown", Value::Null);
    let after = client.request("textDocument/codeAction", json!({}));
    assert_eq!(after["error"]["code"], -32600);
    client.notify("exit", Value::Null);
    assert_eq!(client.finish(), Some(0));
}

#[test]
fn exit_without_shutdown_and_end_of_input_are_failures() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut client, _) = Client::initialized(dir.path(), false);
    client.notify("exit", Value::Null);
    assert_eq!(client.finish(), Some(1));
    let (client, _) = Client::initialized(dir.path(), false);
    assert_eq!(client.finish(), Some(1), "stdin closed without exit");
    // Some clients append `--stdio`; it is accepted.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_alertlint"))
        .args(["lsp", "--stdio"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run alertlint lsp --stdio");
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty());
}

#[test]
fn a_bad_configuration_is_one_diagnostic_at_the_top() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join(".alertlint.yaml"), "lints:\n  no/such-lint: off\n").expect("write config");
    std::fs::create_dir(dir.path().join("rules")).expect("mkdir");
    let (mut client, _) = Client::initialized(dir.path(), false);
    let uri = uri_of(&dir.path().join("rules/a.yaml"));
    client.open(&uri, "yaml", "# first line\ngroups: []\n");
    let diagnostics = client.diagnostics(&uri, Some(1));
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let d = &diagnostics[0];
    assert_eq!(d["code"], "alertlint/config");
    assert_eq!(d["severity"], 1);
    assert_eq!(d["range"], json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 12}}));
    assert!(d["message"].as_str().unwrap().contains(".alertlint.yaml"), "{d}");
    let related = &d["relatedInformation"][0]["location"];
    assert_eq!(related["uri"], uri_of(&dir.path().join(".alertlint.yaml")));

    // Opening the configuration itself shows the error where it is.
    let config_uri = uri_of(&dir.path().join(".alertlint.yaml"));
    client.open(&config_uri, "yaml", "lints:\n  no/such-lint: off\n");
    let config_diagnostics = client.diagnostics(&config_uri, Some(1));
    assert_eq!(config_diagnostics.len(), 1, "{config_diagnostics:#?}");
    // At the unknown lint id, on the second line.
    assert_eq!(config_diagnostics[0]["range"]["start"], json!({"line": 1, "character": 2}), "{config_diagnostics:#?}");
    assert!(config_diagnostics[0]["message"].as_str().unwrap().contains("no/such-lint"), "{config_diagnostics:#?}");
    let shutdown = client.request("shutdown", Value::Null);
    assert!(shutdown.get("error").is_none());
}

// ---- These need the YAML loader and the lints (`model::load`). ----------

/// One alert without a runbook next to one with a runbook (so runbooks are
/// this file's convention and `runbook/missing` applies without configuration).
const NO_RUNBOOK: &str = "groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate # é😀\n        expr: job:errors:ratio_rate5m > 0.05\n        for: 10m\n        labels: { severity: critical, team: api }\n      - expr: job:latency_seconds:p99 > 1\n        alert: HighLatency\n        for: 10m\n        labels: { severity: critical, team: api }\n        annotations: { runbook_url: \"https://runbooks.example.com/high-latency\" }\n";

#[test]
fn disabling_a_lint_for_a_rule_relints_clean() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut client, _) = Client::initialized(dir.path(), true);
    let uri = uri_of(&dir.path().join("api.yaml"));
    client.open(&uri, "yaml", NO_RUNBOOK);
    let diagnostics = client.diagnostics(&uri, Some(1));
    let d = find(&diagnostics, "runbook/missing").clone();
    let start = NO_RUNBOOK.find("HighErrorRate").unwrap();
    assert_eq!(d["range"]["start"]["character"], column(NO_RUNBOOK, start, "utf-8").1);

    let response = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": d["range"], "context": {"diagnostics": [d]}}),
    );
    let actions = response["result"].as_array().expect("actions").clone();
    assert!(actions.iter().any(|a| a["title"] == "Disable `runbook/missing` for this file"), "{actions:#?}");
    let disable = actions
        .iter()
        .find(|a| a["title"] == "Disable `runbook/missing` for this rule")
        .unwrap_or_else(|| panic!("{actions:#?}"));
    let edits = disable["edit"]["changes"][&uri].as_array().expect("edits").clone();
    let text = apply_edits(NO_RUNBOOK, &edits, "utf-8");
    assert!(
        text.contains("    rules:\n      # alertlint disable runbook/missing\n      - alert: HighErrorRate"),
        "{text}"
    );
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": text}]}),
    );
    let diagnostics = client.diagnostics(&uri, Some(2));
    assert!(
        diagnostics.iter().all(|d| code(d) != "runbook/missing" && !code(d).starts_with("suppression/")),
        "{diagnostics:#?}"
    );
    let _ = TIMEOUT;
}

#[test]
fn duplicates_are_found_across_open_documents_and_workspace_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rule = "groups:\n  - name: api\n    rules:\n      - record: job:errors:rate5m\n        expr: sum by (job) (rate(errors_total[5m]))\n";
    std::fs::write(dir.path().join("on-disk.yaml"), rule).expect("write");
    // Files are compared when one server loads them together.
    let config = "prometheus:\n  - name: main\n    paths: [\"*.yaml\"]\n";
    std::fs::write(dir.path().join(".alertlint.yaml"), config).expect("write config");
    let (mut client, _) = Client::initialized(dir.path(), false);
    // `open.yaml` sorts after `on-disk.yaml`: like `alertlint check .`, the
    // later copy is the one reported.
    let uri = uri_of(&dir.path().join("open.yaml"));
    client.open(&uri, "yaml", rule);
    let diagnostics = client.diagnostics(&uri, Some(1));
    find(&diagnostics, "rule/duplicate");
    // Renaming the rule in the editor (unsaved) resolves it.
    let renamed = rule.replace("job:errors:rate5m", "job:errors:rate10m");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": renamed}]}),
    );
    let diagnostics = client.diagnostics(&uri, Some(2));
    assert!(diagnostics.iter().all(|d| code(d) != "rule/duplicate"), "{diagnostics:#?}");
}

const NO_FOR: &str = "groups:\n  - name: api\n    rules:\n      - alert: HighLatency\n        expr: |\n          job:request_latency_seconds:p99\n            > 0.5\n        labels: { severity: warning, team: api }\n        annotations: { runbook_url: \"https://runbooks.example.com/x\" }\n";

/// Asks for the actions at the first `lint` finding and applies the one titled `title`.
fn apply_action(client: &mut Client, uri: &str, text: &str, lint: &str, title: &str, version: i64) -> String {
    let diagnostics = client.diagnostics(uri, Some(version));
    let d = find(&diagnostics, lint).clone();
    let response = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": d["range"], "context": {"diagnostics": [d]}}),
    );
    let actions = response["result"].as_array().expect("actions").clone();
    let action = actions.iter().find(|a| a["title"] == title).unwrap_or_else(|| panic!("no `{title}` in {actions:#?}"));
    assert_eq!(action["isPreferred"], true, "a fix is preferred");
    apply_edits(text, action["edit"]["changes"][uri].as_array().expect("edits"), "utf-16")
}

#[test]
fn a_missing_or_short_for_is_fixed_and_the_fix_is_verified() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut client, _) = Client::initialized(dir.path(), false);
    let uri = uri_of(&dir.path().join("latency.yaml"));
    client.open(&uri, "yaml", NO_FOR);
    // The default minimum is 1m; the line goes after the block scalar.
    let fixed = apply_action(&mut client, &uri, NO_FOR, "noise/for-too-short", "Add `for: 1m`", 1);
    assert!(fixed.contains("            > 0.5\n        for: 1m\n        labels:"), "{fixed}");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    assert_eq!(client.diagnostics(&uri, Some(2)), Vec::<Value>::new());

    // With a configured minimum, a shorter `for` is raised to it.
    let strict = tempfile::tempdir().expect("tempdir");
    std::fs::write(strict.path().join(".alertlint.yaml"), "lints:\n  noise/for-too-short: { min_for: 5m }\n")
        .expect("config");
    let (mut client, _) = Client::initialized(strict.path(), false);
    let uri = uri_of(&strict.path().join("latency.yaml"));
    let short = fixed.replace("for: 1m", "for: 2m");
    client.open(&uri, "yaml", &short);
    let raised = apply_action(&mut client, &uri, &short, "noise/for-too-short", "Set `for: 5m`", 1);
    assert!(raised.contains("        for: 5m\n"), "{raised}");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": raised}]}),
    );
    assert_eq!(client.diagnostics(&uri, Some(2)), Vec::<Value>::new());
}

#[test]
fn files_the_configuration_excludes_get_no_diagnostics() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join(".alertlint.yaml"), "exclude: [\"vendor/**\"]\n").expect("config");
    std::fs::create_dir_all(dir.path().join("vendor/x")).expect("mkdir");
    let (mut client, _) = Client::initialized(dir.path(), false);
    let text = "# alertlint disable-file nope\n";
    let vendored = uri_of(&dir.path().join("vendor/x/rules.yaml"));
    let own = uri_of(&dir.path().join("rules.yaml"));
    client.open(&vendored, "yaml", text);
    client.open(&own, "yaml", text);
    assert_eq!(client.diagnostics(&own, Some(1)).len(), 1);
    assert_eq!(client.diagnostics(&vendored, Some(1)), Vec::<Value>::new());
}

/// Globs inherited through `extends` are relative to the file that wrote
/// them, in the editor as in `alertlint check` (one filter serves both).
#[test]
fn inherited_excludes_are_relative_to_the_file_that_wrote_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (shared, project) = (dir.path().join("shared"), dir.path().join("project"));
    std::fs::create_dir_all(shared.join("vendor")).expect("mkdir");
    std::fs::create_dir_all(project.join("vendor")).expect("mkdir");
    std::fs::write(shared.join("base.yaml"), "exclude: [\"vendor/**\"]\n").expect("base");
    std::fs::write(project.join(".alertlint.yaml"), "extends: ../shared/base.yaml\n").expect("config");
    let text = "# alertlint disable-file nope\n";
    std::fs::write(project.join("vendor/rules.yaml"), text).expect("rules");
    // `check` reads `project/vendor/rules.yaml`: the inherited glob names `shared/vendor`.
    let check = std::process::Command::new(env!("CARGO_BIN_EXE_alertlint"))
        .args(["check", "--format", "json", "."])
        .current_dir(&project)
        .output()
        .expect("alertlint check");
    assert!(String::from_utf8_lossy(&check.stdout).contains("suppression/unknown-lint"), "{check:?}");
    let (mut client, _) = Client::initialized(&project, false);
    let uri = uri_of(&project.join("vendor/rules.yaml"));
    client.open(&uri, "yaml", text);
    assert_eq!(client.diagnostics(&uri, Some(1)).len(), 1);
}

/// Issue #14 D3: a header line without a newline is skipped in bounded
/// memory, and the server answers what follows.
#[test]
fn an_endless_header_line_does_not_exhaust_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut client = Client::start(dir.path());
    let start = std::time::Instant::now();
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..64 {
        client.send_raw(&chunk);
    }
    client.send_raw(b"\r\n\r\n");
    let answer = client.request("initialize", json!({"processId": null, "capabilities": {}}));
    assert!(answer["result"]["capabilities"].is_object(), "{answer}");
    let elapsed = start.elapsed();
    assert!(elapsed < std::time::Duration::from_secs(15), "took {elapsed:?}");
    if let Some(kib) = client.peak_rss_kib() {
        // 64 MiB of header line must not be buffered.
        assert!(kib < 48 * 1024, "peak memory {} MiB", kib / 1024);
    }
    client.request("shutdown", json!(null));
    client.notify("exit", json!(null));
    assert_eq!(client.finish(), Some(0));
}

/// Issue #14 D9: after a frame whose Content-Length is shorter or longer than
/// its body, the server finds the next frame again.
#[test]
fn a_wrong_content_length_does_not_desynchronise_the_stream() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut client, _) = Client::initialized(dir.path(), false);
    let body = r#"{"jsonrpc":"2.0","id":77,"method":"shutdown"}"#;
    client.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len() - 10).as_bytes());
    let answer = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///x.yaml"}, "position": {"line": 0, "character": 0}}),
    );
    assert!(answer.get("id").is_some(), "{answer}");
    // Too long: the next frame's header is inside the body.
    let body = r#"{"jsonrpc":"2.0","method":"$/nothing"}"#;
    client.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len() + 30).as_bytes());
    let answer = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///x.yaml"}, "position": {"line": 0, "character": 0}}),
    );
    assert!(answer.get("id").is_some(), "{answer}");
    client.request("shutdown", json!(null));
    client.notify("exit", json!(null));
    assert_eq!(client.finish(), Some(0));
}

/// Issue #14 D10: lines that end in a lone `\r` count as lines, as LSP counts
/// them, so incremental edits land where the editor made them.
#[test]
fn carriage_return_line_ends_keep_the_document_in_sync() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut client, _) = Client::initialized(dir.path(), false);
    let uri = uri_of(&dir.path().join("cr.yaml"));
    let text = "groups:\r- name: g\r  rules:\r  - alert: A\r    expr: up == 0\r";
    client.open(&uri, "yaml", text);
    let _ = client.diagnostics(&uri, Some(1));
    let edit =
        json!({"range": {"start": {"line": 4, "character": 16}, "end": {"line": 4, "character": 17}}, "text": "1"});
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [edit]}),
    );
    let diagnostics = client.diagnostics(&uri, Some(2));
    assert!(diagnostics.iter().all(|d| code(d) != "yaml/syntax"), "{diagnostics:#?}");
    client.request("shutdown", json!(null));
    client.notify("exit", json!(null));
    assert_eq!(client.finish(), Some(0));
}

/// Issue #14 D23: a lone UTF-16 surrogate escape in a document's text (which
/// JavaScript editors can send) does not drop the whole `didOpen`.
#[test]
fn a_lone_surrogate_does_not_drop_the_document() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut client, _) = Client::initialized(dir.path(), false);
    let uri = uri_of(&dir.path().join("s.yaml"));
    let body = format!(
        r#"{{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{{"textDocument":{{"uri":"{uri}","languageId":"yaml","version":1,"text":"x: \ud800\n# alertlint disable-file owner/misisng\n"}}}}}}"#
    );
    client.send_raw(&frame(&body));
    let diagnostics = client.diagnostics(&uri, Some(1));
    find(&diagnostics, "suppression/unknown-lint");
    client.request("shutdown", json!(null));
    client.notify("exit", json!(null));
    assert_eq!(client.finish(), Some(0));
}

#[test]
fn a_nested_configuration_reads_its_alertmanager_file_relative_to_itself() {
    let dir = tempfile::tempdir().expect("tempdir");
    let nested = dir.path().join("team");
    std::fs::create_dir(&nested).expect("mkdir");
    let config = "alertmanager:\n  config: am.yml\n";
    std::fs::write(nested.join(".alertlint.yaml"), config).expect("write config");
    std::fs::write(nested.join("am.yml"), "route:\n  receiver: default\nreceivers:\n  - name: default\n")
        .expect("write am");
    // The server runs from the workspace root, not from the configuration's directory.
    let (mut client, _) = Client::initialized(dir.path(), false);
    let uri = uri_of(&nested.join("rules.yaml"));
    client.open(&uri, "yaml", NO_RUNBOOK);
    let diagnostics = client.diagnostics(&uri, Some(1));
    assert!(diagnostics.iter().all(|d| code(d) != "alertlint/config"), "{diagnostics:#?}");
    let config_uri = uri_of(&nested.join(".alertlint.yaml"));
    client.open(&config_uri, "yaml", config);
    let diagnostics = client.diagnostics(&config_uri, Some(1));
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
}

//! `alertlint lsp` as a PromQL editor: hover, completion, go-to-definition,
//! find-references and document symbols, over stdio as an editor asks.

#[path = "lsp/client.rs"]
mod client;

use std::path::Path;

use client::{Client, column, offset, uri_of};
use serde_json::{Value, json};

/// The open document. The second `expr` is a double-quoted scalar with
/// escapes and non-ASCII text before the function: offsets inside it differ
/// from the file's, and UTF-16 columns from UTF-8 ones.
const RULES: &str = r#"groups:
  - name: api
    rules:
      - record: job:errors:rate5m
        expr: sum by (job) (rate(http_errors_total{code="500"}[5m]))
      - alert: HighErrors
        expr: "job:errors:rate5m{path=\"é😀\"} > 0.5 and on (job) histogram_quantile(0.9, rate(latency_bucket[5m])) > 1"
        for: 5m
"#;

/// A workspace file that is not open: it records a series the open file
/// could read, and reads the open file's series.
const OTHER: &str = "groups:\n  - name: other\n    rules:\n      - record: instance:up:sum\n        expr: sum by (instance) (up)\n      - alert: ErrorsEverywhere\n        expr: job:errors:rate5m > 10\n";

const METRICS: &str = "# HELP http_errors_total Errors served, by code.\n# TYPE http_errors_total counter\nhttp_errors_total{code=\"500\",job=\"api\"} 3\nhttp_errors_total{code=\"503\",job=\"api\"} 1\n";

/// A workspace with a saved scrape configured, the other rule file on disk
/// and `RULES` open; returns the client, the document's URI and the encoding.
fn workspace(dir: &Path, utf8: bool) -> (Client, String, &'static str, Value) {
    std::fs::write(dir.join(".alertlint.yaml"), "prometheus:\n  metrics: [metrics.prom]\n").expect("config");
    std::fs::write(dir.join("metrics.prom"), METRICS).expect("metrics");
    std::fs::write(dir.join("other.yaml"), OTHER).expect("other");
    std::fs::write(dir.join("rules.yaml"), RULES).expect("rules");
    let (mut client, init) = Client::initialized(dir, utf8);
    let uri = uri_of(&dir.join("rules.yaml"));
    client.open(&uri, "yaml", RULES);
    client.diagnostics(&uri, Some(1));
    (client, uri, if utf8 { "utf-8" } else { "utf-16" }, init)
}

/// The position of the `nth` occurrence of `needle` in `text`, plus `delta` bytes.
fn position(text: &str, needle: &str, nth: usize, delta: usize, encoding: &str) -> Value {
    let start = text.match_indices(needle).nth(nth).unwrap_or_else(|| panic!("no {needle}")).0 + delta;
    let (line, character) = column(text, start, encoding);
    json!({"line": line, "character": character})
}

fn at(uri: &str, position: Value) -> Value {
    json!({"textDocument": {"uri": uri}, "position": position})
}

fn hover_text(response: &Value) -> String {
    response["result"]["contents"]["value"].as_str().unwrap_or_else(|| panic!("no hover: {response:#}")).to_string()
}

fn labels(response: &Value) -> Vec<String> {
    response["result"]["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items: {response:#}"))
        .iter()
        .map(|i| i["label"].as_str().expect("label").to_string())
        .collect()
}

fn shut_down(mut client: Client) {
    client.request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
    assert_eq!(client.finish(), Some(0));
}

#[test]
fn hover_shows_functions_metrics_recording_rules_and_lint_docs() {
    for utf8 in [false, true] {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut client, uri, encoding, init) = workspace(dir.path(), utf8);
        let caps = &init["capabilities"];
        for provider in ["hoverProvider", "definitionProvider", "referencesProvider", "documentSymbolProvider"] {
            assert_eq!(caps[provider], true, "{provider}: {caps:#}");
        }
        assert!(caps["completionProvider"].is_object(), "{caps:#}");

        // A function inside the escaped, non-ASCII double-quoted scalar: the
        // range is the word's, mapped to the file in the negotiated encoding.
        let response =
            client.request("textDocument/hover", at(&uri, position(RULES, "histogram_quantile", 0, 3, encoding)));
        let text = hover_text(&response);
        assert!(text.contains("histogram_quantile(scalar, instant-vector) instant-vector"), "{text}");
        assert!(text.contains("φ-quantile"), "{text}");
        let range = &response["result"]["range"];
        assert_eq!(range["start"], position(RULES, "histogram_quantile", 0, 0, encoding), "{encoding}");
        assert_eq!(range["end"], position(RULES, "histogram_quantile(", 0, 18, encoding), "{encoding}");

        // A metric from the saved scrape: type and help.
        let text = hover_text(
            &client.request("textDocument/hover", at(&uri, position(RULES, "http_errors_total", 0, 2, encoding))),
        );
        assert!(text.contains("counter metric") && text.contains("Errors served, by code."), "{text}");

        // A recording rule's series: what it records and where.
        let text = hover_text(
            &client.request("textDocument/hover", at(&uri, position(RULES, "job:errors:rate5m{", 0, 4, encoding))),
        );
        assert!(text.contains("recorded by group `api` at rules.yaml:4"), "{text}");
        assert!(text.contains("sum by (job) (rate(http_errors_total{code=\"500\"}[5m]))"), "{text}");

        // A keyword and a number: nothing.
        let response = client.request("textDocument/hover", at(&uri, position(RULES, "0.9", 0, 1, encoding)));
        assert_eq!(response["result"], Value::Null, "{response:#}");

        // A finding: the lint's summary and a link to its docs.
        std::fs::write(dir.path().join("bad.yaml"), "").expect("bad");
        let bad = uri_of(&dir.path().join("bad.yaml"));
        let text_bad = "# alertlint disable-file owner/misisng\ngroups: []\n";
        client.open(&bad, "yaml", text_bad);
        let diagnostics = client.diagnostics(&bad, Some(1));
        let d = diagnostics.iter().find(|d| d["code"] == "suppression/unknown-lint").expect("finding");
        let text = hover_text(&client.request("textDocument/hover", at(&bad, d["range"]["start"].clone())));
        assert!(text.contains("**suppression/unknown-lint**"), "{text}");
        assert!(text.contains("#suppressionunknown-lint)"), "{text}");
        shut_down(client);
    }
}

#[test]
fn completion_offers_functions_metrics_labels_values_and_lint_ids() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut client, uri, encoding, _) = workspace(dir.path(), false);
    let version = 2;
    // Typing a new rule: a plain one-line `expr` that does not parse yet.
    let typed = format!("{RULES}      - alert: New\n        expr: sum(job:er\n");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": typed}]}),
    );
    let end = position(&typed, "sum(job:er", 0, "sum(job:er".len(), encoding);
    let response = client.request("textDocument/completion", at(&uri, end.clone()));
    let items = labels(&response);
    assert!(items.contains(&"job:errors:rate5m".to_string()), "{items:?}");
    let item = &response["result"]["items"][0];
    // The edit replaces the whole typed prefix, colons included.
    let start = position(&typed, "job:er\n", 0, 0, encoding);
    assert_eq!(item["textEdit"]["range"], json!({"start": start, "end": end}), "{item:#}");
    assert!(item["detail"].as_str().unwrap().contains("recording rule, rules.yaml:4"), "{item:#}");

    // Functions and metrics from the catalog, by prefix.
    let typed2 = typed.replace("sum(job:er", "histogram_q");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": version + 1}, "contentChanges": [{"text": typed2}]}),
    );
    let response = client.request(
        "textDocument/completion",
        at(&uri, position(&typed2, "histogram_q\n", 0, "histogram_q".len(), encoding)),
    );
    let items = labels(&response);
    assert!(items.contains(&"histogram_quantile".to_string()), "{items:?}");
    assert!(!items.contains(&"rate".to_string()), "{items:?}");
    let quantile = response["result"]["items"].as_array().unwrap().iter().find(|i| i["label"] == "histogram_quantile");
    assert_eq!(quantile.unwrap()["kind"], 3, "function");

    // Label names of a catalog series, inside the (escaped) scalar of the open file.
    let response = client.request("textDocument/completion", at(&uri, position(&typed2, "code=", 0, 0, encoding)));
    let items = labels(&response);
    assert!(items.contains(&"code".to_string()) && items.contains(&"job".to_string()), "{items:?}");
    // Label values the saved scrape has.
    let response = client.request("textDocument/completion", at(&uri, position(&typed2, "\"500\"", 0, 1, encoding)));
    let items = labels(&response);
    assert_eq!(items, ["500", "503"], "{response:#}");

    // Lint ids in a suppression comment.
    let typed3 = format!("# alertlint disable noise/for-t\n{typed2}");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": version + 2}, "contentChanges": [{"text": typed3}]}),
    );
    let response = client.request(
        "textDocument/completion",
        at(&uri, position(&typed3, "noise/for-t", 0, "noise/for-t".len(), encoding)),
    );
    assert_eq!(labels(&response), ["noise/for-too-short"], "{response:#}");
    assert_eq!(
        response["result"]["items"][0]["textEdit"]["range"]["start"],
        position(&typed3, "noise/", 0, 0, encoding)
    );

    // Elsewhere in the YAML (a trigger character typed in a key), nothing.
    let response = client.request("textDocument/completion", at(&uri, position(&typed3, "name: api", 0, 5, encoding)));
    assert_eq!(response["result"], Value::Null, "{response:#}");
    shut_down(client);
}

#[test]
fn definition_and_references_of_recording_rules_across_the_workspace() {
    for utf8 in [false, true] {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut client, uri, encoding, _) = workspace(dir.path(), utf8);
        let other_uri = uri_of(&dir.path().join("other.yaml"));

        // From a use inside the escaped scalar to the `record:` in the same file.
        let response =
            client.request("textDocument/definition", at(&uri, position(RULES, "job:errors:rate5m{", 0, 5, encoding)));
        let locations = response["result"].as_array().expect("locations");
        assert_eq!(locations.len(), 1, "{response:#}");
        assert_eq!(locations[0]["uri"], uri);
        assert_eq!(locations[0]["range"]["start"], position(RULES, "job:errors:rate5m", 0, 0, encoding));

        // References: the record itself, the use in this file (mapped out of
        // the escaped scalar) and the one in the file on disk.
        let mut params = at(&uri, position(RULES, "job:errors:rate5m", 0, 2, encoding));
        params["context"] = json!({"includeDeclaration": true});
        let response = client.request("textDocument/references", params);
        let found: Vec<(String, Value)> = response["result"]
            .as_array()
            .expect("locations")
            .iter()
            .map(|l| (l["uri"].as_str().unwrap().to_string(), l["range"]["start"].clone()))
            .collect();
        assert_eq!(found.len(), 3, "{found:#?}");
        assert!(found.contains(&(uri.clone(), position(RULES, "job:errors:rate5m", 1, 0, encoding))), "{found:#?}");
        assert!(
            found.contains(&(other_uri.clone(), position(OTHER, "job:errors:rate5m", 0, 0, encoding))),
            "{found:#?}"
        );
        // Each range covers the name exactly.
        for location in response["result"].as_array().expect("locations") {
            let text = if location["uri"] == uri { RULES } else { OTHER };
            let start = offset(text, &location["range"]["start"], encoding);
            let end = offset(text, &location["range"]["end"], encoding);
            assert_eq!(&text[start..end], "job:errors:rate5m", "{location:#}");
        }

        // A series recorded only in the file on disk.
        let typed =
            RULES.replace("rate(latency_bucket[5m])", "rate(latency_bucket[5m]) * on() group_left instance:up:sum");
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": typed}]}),
        );
        let response =
            client.request("textDocument/definition", at(&uri, position(&typed, "instance:up:sum", 0, 1, encoding)));
        assert_eq!(response["result"][0]["uri"], other_uri, "{response:#}");
        assert_eq!(response["result"][0]["range"]["start"], position(OTHER, "instance:up:sum", 0, 0, encoding));

        // Nothing on a function.
        let response = client.request("textDocument/definition", at(&uri, position(&typed, "rate(", 0, 1, encoding)));
        assert_eq!(response["result"], Value::Null, "{response:#}");
        shut_down(client);
    }
}

#[test]
fn document_symbols_nest_rules_in_their_groups() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut client, uri, encoding, _) = workspace(dir.path(), false);
    let response = client.request("textDocument/documentSymbol", json!({"textDocument": {"uri": uri}}));
    let groups = response["result"].as_array().expect("symbols");
    assert_eq!(groups.len(), 1, "{response:#}");
    assert_eq!((groups[0]["name"].as_str(), groups[0]["detail"].as_str()), (Some("api"), Some("group")));
    let rules: Vec<(&str, &str)> = groups[0]["children"]
        .as_array()
        .expect("children")
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), r["detail"].as_str().unwrap()))
        .collect();
    assert_eq!(rules, [("job:errors:rate5m", "record"), ("HighErrors", "alert")]);
    let alert = &groups[0]["children"][1];
    assert_eq!(alert["selectionRange"]["start"], position(RULES, "HighErrors", 0, 0, encoding));
    assert_eq!(alert["range"]["start"], position(RULES, "alert: HighErrors", 0, 0, encoding));

    // Unknown documents and invalid params get an answer, not a crash.
    let response =
        client.request("textDocument/documentSymbol", json!({"textDocument": {"uri": "file:///nowhere.yaml"}}));
    assert_eq!(response["result"], Value::Null);
    let response = client.request("textDocument/hover", json!({"textDocument": {"uri": uri}}));
    assert_eq!(response["error"]["code"], -32602, "{response:#}");
    shut_down(client);
}

//! `cargo bench --bench lsp_latency`: the language server's time from an edit
//! to its diagnostics, on a 5,000-rule file, over stdio (debounce included).
//!
//! The server runs as a child process (`alertlint lsp`) with a
//! configuration that points at a fake Prometheus on loopback, so the number
//! of requests each edit sends to the server is counted too: once the
//! catalog is loaded it must be zero.
//!
//! `ALERTLINT_BENCH_EDITS` sets the number of timed edits (default 30),
//! `ALERTLINT_BENCH_RULES` the number of rules (default 5000).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// A rule file of `rules` alerting and recording rules in groups of 50,
/// written the way real rule files are (labels, runbooks, templates).
fn rule_file(rules: usize) -> String {
    let mut out = String::from("groups:\n");
    for i in 0..rules {
        if i % 50 == 0 {
            out.push_str(&format!("  - name: service-{}\n    rules:\n", i / 50));
        }
        if i % 5 == 4 {
            out.push_str(&format!(
                "      - record: job:http_requests_{i}:rate5m\n        expr: sum by (job) (rate(http_requests_total{{job=\"svc{i}\"}}[5m]))\n"
            ));
            continue;
        }
        out.push_str(&format!(
            "      - alert: HighErrorRate{i}\n        expr: sum by (job, instance) (rate(http_errors_total{{job=\"svc{i}\"}}[5m])) / sum by (job, instance) (rate(http_requests_total{{job=\"svc{i}\"}}[5m])) > 0.05\n        for: 10m\n        labels:\n          severity: critical\n          team: team{t}\n        annotations:\n          summary: \"{{{{ $labels.job }}}} on {{{{ $labels.instance }}}} fails {{{{ $value | humanizePercentage }}}} of requests\"\n          runbook_url: https://runbooks.example.com/high-error-rate\n",
            t = i % 7
        ));
    }
    out
}

fn frame(message: &Value) -> Vec<u8> {
    let body = message.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// Reads framed messages from the server and forwards them with their arrival time.
fn spawn_reader(stdout: impl Read + Send + 'static) -> mpsc::Receiver<(Instant, Value)> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        loop {
            let mut length = None;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(v) = line.strip_prefix("Content-Length:") {
                    length = v.trim().parse::<usize>().ok();
                }
            }
            let Some(length) = length else { return };
            let mut body = vec![0; length];
            if reader.read_exact(&mut body).is_err() {
                return;
            }
            let Ok(value) = serde_json::from_slice::<Value>(&body) else { continue };
            if tx.send((Instant::now(), value)).is_err() {
                return;
            }
        }
    });
    rx
}

/// A fake Prometheus on loopback that answers the catalog requests and
/// every query with an empty result; returns its URL and a request counter.
fn fake_prometheus() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let counter = counter.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream);
                loop {
                    let mut request_line = String::new();
                    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
                        return;
                    }
                    let mut length = 0;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        let line = line.trim_end().to_ascii_lowercase();
                        if line.is_empty() {
                            break;
                        }
                        if let Some(v) = line.strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                    }
                    let mut body = vec![0; length];
                    if reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    counter.fetch_add(1, Ordering::SeqCst);
                    let path = request_line.split_whitespace().nth(1).unwrap_or("");
                    let data = if path.contains("label/__name__/values") {
                        json!(["http_requests_total", "http_errors_total", "up"])
                    } else if path.contains("metadata") {
                        json!({"http_requests_total": [{"type": "counter"}], "http_errors_total": [{"type": "counter"}]})
                    } else if path.contains("status/config") {
                        json!({"yaml": "global:\n  scrape_interval: 30s\n"})
                    } else if path.contains("query_range") {
                        json!({"resultType": "matrix", "result": []})
                    } else {
                        json!([{"__name__": "up"}])
                    };
                    let body = json!({"status": "success", "data": data}).to_string();
                    let response = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if reader.get_mut().write_all(response.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, count)
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let built =
        Command::new("cargo").args(["build", "--release", "--quiet", "--bin", "alertlint"]).current_dir(&root).status();
    assert!(built.is_ok_and(|s| s.success()), "cargo build --release failed");
    let binary =
        std::env::var("ALERTLINT_BIN").map(PathBuf::from).unwrap_or_else(|_| root.join("target/release/alertlint"));
    let edits: usize = std::env::var("ALERTLINT_BENCH_EDITS").ok().and_then(|v| v.parse().ok()).unwrap_or(30);
    let rules: usize = std::env::var("ALERTLINT_BENCH_RULES").ok().and_then(|v| v.parse().ok()).unwrap_or(5000);

    let dir = tempfile::tempdir().expect("temporary directory");
    let (url, requests) = fake_prometheus();
    std::fs::write(dir.path().join(".alertlint.yaml"), format!("prometheus:\n  url: {url}\n")).expect("config");
    let path = dir.path().join("rules.yaml");
    let text = rule_file(rules);
    std::fs::write(&path, &text).expect("rule file");
    let uri = format!("file://{}", path.display());
    let root_uri = format!("file://{}", dir.path().display());

    let mut child = Command::new(&binary)
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn alertlint lsp");
    let mut stdin = child.stdin.take().expect("stdin");
    let messages = spawn_reader(child.stdout.take().expect("stdout"));
    let mut send = |message: Value| {
        stdin.write_all(&frame(&message)).expect("write");
        stdin.flush().expect("flush");
    };
    let wait_for_version = |version: i64| -> Instant {
        loop {
            let (at, message) = messages.recv_timeout(Duration::from_secs(120)).expect("diagnostics within 120 s");
            if message.get("method").and_then(Value::as_str) == Some("textDocument/publishDiagnostics")
                && message.pointer("/params/version").and_then(Value::as_i64) == Some(version)
            {
                return at;
            }
        }
    };

    send(
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"rootUri": root_uri, "capabilities": {}}}),
    );
    send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    let opened = Instant::now();
    send(
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}}),
    );
    let first = wait_for_version(1);
    let after_open = requests.load(Ordering::SeqCst);
    println!(
        "{rules} rules ({} KiB): first diagnostics after {:.0} ms, {after_open} requests to Prometheus",
        text.len() / 1024,
        (first - opened).as_secs_f64() * 1e3
    );

    // Edits in the middle of the file: the `for:` of one rule, then back.
    let line = text.lines().position(|l| l.contains("for: 10m")).unwrap_or(0) + (rules / 2) * 9;
    let line = text.lines().enumerate().skip(line.min(text.lines().count())).find(|(_, l)| l.contains("for: 10m"));
    let (line, content) = line.unwrap_or((0, ""));
    let column = content.find("10m").unwrap_or(0);
    let mut samples = Vec::new();
    for i in 0..edits {
        let version = i as i64 + 2;
        let new_text = if i % 2 == 0 { "15" } else { "10" };
        std::thread::sleep(Duration::from_millis(100));
        let sent = Instant::now();
        send(json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"range": {"start": {"line": line, "character": column}, "end": {"line": line, "character": column + 2}}, "text": new_text}]
        }}));
        let at = wait_for_version(version);
        samples.push(at - sent);
    }
    let during_edits = requests.load(Ordering::SeqCst) - after_open;
    send(json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}));
    send(json!({"jsonrpc": "2.0", "method": "exit"}));
    let _ = child.wait();

    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "edit to diagnostics over {edits} edits: median {:.1} ms, p90 {:.1} ms, max {:.1} ms",
        ms(samples[samples.len() / 2]),
        ms(samples[samples.len() * 9 / 10]),
        ms(samples[samples.len() - 1])
    );
    println!("requests to Prometheus during the edits: {during_edits}");
}

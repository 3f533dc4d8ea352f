//! The online lints against a real Prometheus: a TSDB backfilled with
//! `promtool tsdb create-blocks-from openmetrics`, served on a loopback port.

mod common;

use std::fmt::Write as _;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

/// Kills the server when the test ends, panics included.
struct Server {
    child: Child,
    log: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free loopback port")
}

/// Six hours of history ending a minute ago, one sample a minute: a queue that
/// crosses its threshold every 20 minutes, one that never does, a counter and
/// a gauge.
fn openmetrics(now: u64) -> String {
    let end = now / 60 * 60 - 60;
    let start = end - 6 * 3600;
    let mut flappy = String::from("# TYPE flappy_queue_depth gauge\n");
    let mut steady = String::from("# TYPE steady_queue_depth gauge\n");
    let mut jobs = String::from("# TYPE jobs_processed counter\n");
    let mut memory = String::from("# TYPE memory_bytes gauge\n");
    for (i, t) in (start..=end).step_by(60).enumerate() {
        let depth = if (i / 10) % 2 == 0 { 200 } else { 0 };
        let _ = writeln!(flappy, "flappy_queue_depth{{queue=\"a\"}} {depth} {t}");
        let _ = writeln!(steady, "steady_queue_depth{{queue=\"b\"}} 20 {t}");
        let _ = writeln!(jobs, "jobs_processed_total{{job=\"slow\"}} {} {t}", i * 7);
        let _ = writeln!(memory, "memory_bytes{{job=\"slow\"}} {} {t}", 1_000_000 + (i % 5) * 1000);
    }
    format!("{flappy}{steady}{jobs}{memory}# EOF\n")
}

const RULES: &str = r#"groups:
  - name: online
    rules:
      - alert: FlappingQueue
        expr: flappy_queue_depth > 100
        for: 2m
      - alert: SteadyQueue
        expr: steady_queue_depth > 100
        for: 2m
      - alert: MissingJob
        expr: up{job="apii"} == 0
        for: 5m
      - alert: MemoryRate
        expr: rate(memory_bytes[10m]) > 1000
        for: 5m
      - alert: GoroutineRate
        expr: rate(go_goroutines{job="prometheus"}[5m]) > 1
        for: 5m
      - alert: SlowJobRate
        expr: rate(jobs_processed_total{job="slow"}[5m]) > 1
        for: 5m
      - alert: LastMonth
        expr: rate(jobs_processed_total{job="slow"}[5m] offset 30d) > 1e9
        for: 5m
        labels:
          cluster: elsewhere
        annotations:
          summary: "{{ $externalLabels.region }} {{ $labels.replica }}"
"#;

/// Waits until `ready` holds, polling; false after `limit`.
fn wait_for(limit: Duration, mut ready: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if ready() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    false
}

fn get_json(url: &str) -> Option<Value> {
    let mut response = ureq::get(url).call().ok()?;
    serde_json::from_str(&response.body_mut().read_to_string().ok()?).ok()
}

fn start_server(dir: &Path) -> (Server, String) {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let data = dir.join("data");
    std::fs::write(dir.join("history.om"), openmetrics(now)).expect("write the OpenMetrics file");
    let backfill = Command::new("promtool")
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(dir.join("history.om"))
        .arg(&data)
        .output()
        .expect("run promtool");
    assert!(backfill.status.success(), "promtool failed: {}", String::from_utf8_lossy(&backfill.stderr));

    let port = free_port();
    // Prometheus scrapes itself (metadata for its own metrics); `slow` points
    // at a closed loopback port and exists for its interval.
    let config = format!(
        "global:\n  scrape_interval: 1m\n  external_labels: {{ cluster: test1, replica: a }}\nscrape_configs:\n  - job_name: prometheus\n    scrape_interval: 2s\n    static_configs: [{{ targets: ['127.0.0.1:{port}'] }}]\n  - job_name: slow\n    scrape_interval: 2m\n    static_configs: [{{ targets: ['127.0.0.1:1'] }}]\n"
    );
    std::fs::write(dir.join("prometheus.yml"), config).expect("write prometheus.yml");
    let log = dir.join("prometheus.log");
    let log_file = std::fs::File::create(&log).expect("create the server log");
    let child = Command::new("prometheus")
        .arg(format!("--config.file={}", dir.join("prometheus.yml").display()))
        .arg(format!("--storage.tsdb.path={}", data.display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--storage.tsdb.retention.time=15d")
        .stdout(Stdio::null())
        .stderr(log_file)
        .spawn()
        .expect("start prometheus");
    let server = Server { child, log };
    let url = format!("http://127.0.0.1:{port}");
    let ready = wait_for(Duration::from_secs(30), || {
        ureq::get(&format!("{url}/-/ready")).call().is_ok_and(|r| r.status() == 200)
    });
    assert!(ready, "prometheus did not become ready:\n{}", server.log());
    // Types of its own metrics appear after its first scrape of itself.
    let scraped = wait_for(Duration::from_secs(20), || {
        get_json(&format!("{url}/api/v1/metadata?metric=go_goroutines"))
            .is_some_and(|v| v["data"].as_object().is_some_and(|m| !m.is_empty()))
    });
    assert!(scraped, "prometheus did not scrape itself:\n{}", server.log());
    (server, url)
}

struct Run {
    diagnostics: Vec<Value>,
    stderr: String,
    code: Option<i32>,
}

impl Run {
    fn of(&self, lint: &str) -> Vec<&Value> {
        self.diagnostics.iter().filter(|d| d["lint"] == lint).collect()
    }

    fn rules_of(&self, lint: &str) -> Vec<String> {
        self.of(lint).iter().map(|d| d["rule"].as_str().unwrap_or("").to_string()).collect()
    }
}

fn check(dir: &Path, url: &str, format: &str) -> Run {
    let output = common::alertlint()
        .current_dir(dir)
        .args([
            "check",
            "rules.yaml",
            "--config",
            ".alertlint.yaml",
            "--metrics",
            "history.om",
            "--prometheus-url",
            url,
            "--format",
            format,
        ])
        .output()
        .expect("run alertlint");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let diagnostics = if format == "json" {
        let json: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
        json["diagnostics"].as_array().cloned().unwrap_or_default()
    } else {
        Vec::new()
    };
    Run { diagnostics, stderr: String::from_utf8_lossy(&output.stderr).into_owned(), code: output.status.code() }
}

#[test]
fn online_lints_against_a_real_prometheus() {
    if !common::oracle("prometheus") || !common::oracle("promtool") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("rules.yaml"), RULES).expect("write rules");
    std::fs::write(dir.path().join(".alertlint.yaml"), "lints:\n  noise/flapping: { lookback: 1d }\n")
        .expect("write config");
    let (server, url) = start_server(dir.path());

    let run = check(dir.path(), &url, "json");
    let context = format!("{:#?}\nstderr: {}\nserver log:\n{}", run.diagnostics, run.stderr, server.log());
    assert_eq!(run.code, Some(0), "{context}");
    assert!(run.of("prometheus/unreachable").is_empty(), "{context}");

    // 18 episodes in six hours, against a budget of 3 a day.
    assert_eq!(run.rules_of("noise/flapping"), ["FlappingQueue"], "{context}");
    let flapping = run.of("noise/flapping")[0]["message"].as_str().unwrap_or("");
    // 18 or 19, depending on where the step grid falls on the backfilled minutes.
    assert!(
        ["18", "19"].iter().any(|n| flapping.contains(&format!("would have fired {n} times in 1 day (worst: "))),
        "{flapping}"
    );

    assert_eq!(run.rules_of("metric/missing-series"), ["MissingJob"], "{context}");
    // Why: `up` has series, none with that job; the closest jobs are named.
    let why = run.of("metric/missing-series")[0]["help"].as_str().unwrap_or("");
    assert!(why.contains("`up` has series, but none with `job=\"apii\"`; the closest values are `"), "{why}");
    assert!(why.contains("`prometheus`"), "{why}");
    // Gauge types from the saved scrape and from the server's own metadata.
    assert_eq!(run.rules_of("noise/rate-of-gauge"), ["MemoryRate", "GoroutineRate"], "{context}");
    // The `slow` job is scraped every 2m: a 5m window holds two samples.
    let windows = run.of("noise/rate-window-too-short");
    assert!(
        windows.iter().any(|d| d["rule"] == "SlowJobRate"
            && d["message"].as_str().is_some_and(|m| m.contains("2m scrape interval (job `slow`)"))),
        "{context}"
    );
    assert!(!windows.iter().any(|d| d["rule"] == "GoroutineRate"), "a 5m window is plenty at 2s: {context}");
    // With a server, unknown names are its business (`metric/missing-series`).
    assert!(run.of("metric/unknown").is_empty(), "{context}");
    // Retention (`--storage.tsdb.retention.time=15d`) and external labels come from the server.
    assert_eq!(run.rules_of("prometheus/beyond-retention"), ["LastMonth"], "{context}");
    assert_eq!(run.rules_of("labels/external-conflict"), ["LastMonth"], "{context}");
    assert_eq!(run.rules_of("labels/unknown-external"), ["LastMonth"], "{context}");
    assert_eq!(run.rules_of("labels/external-as-label"), ["LastMonth"], "{context}");

    let human = check(dir.path(), &url, "human");
    assert!(human.stderr.contains(&format!("queries to Prometheus at {url}")), "{}", human.stderr);
    drop(server);
}

#[test]
fn a_server_that_is_down_is_reported_once_and_offline_lints_still_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("rules.yaml"), RULES).expect("write rules");
    // Runbooks required, so that an offline lint has something to report.
    std::fs::write(dir.path().join(".alertlint.yaml"), "runbook: { annotations: [runbook_url] }\n")
        .expect("write config");
    std::fs::write(dir.path().join("history.om"), openmetrics(1_763_596_800)).expect("write metrics");
    let url = format!("http://127.0.0.1:{}", free_port());

    let run = check(dir.path(), &url, "json");
    let context = format!("{:#?}\nstderr: {}", run.diagnostics, run.stderr);
    assert_eq!(run.code, Some(0), "{context}");
    let down = run.of("prometheus/unreachable");
    assert_eq!(down.len(), 1, "{context}");
    assert_eq!(down[0]["file"], url.as_str());
    assert!(
        down[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("cannot reach Prometheus") && m.contains("online lints did not run")),
        "{context}"
    );
    assert!(run.of("noise/flapping").is_empty() && run.of("metric/missing-series").is_empty(), "{context}");
    // The saved scrape still gives types (and `go_goroutines` is a gauge by its name), and
    // the name lints still run.
    assert_eq!(run.rules_of("noise/rate-of-gauge"), ["MemoryRate", "GoroutineRate"], "{context}");
    assert!(!run.of("metric/unknown").is_empty(), "go_goroutines is in no scrape: {context}");
    assert!(!run.of("runbook/missing").is_empty(), "{context}");

    let human = check(dir.path(), &url, "human");
    assert!(
        human.stderr.contains("made 1 query to Prometheus") && human.stderr.contains("1 failed"),
        "{}",
        human.stderr
    );
}

/// Certificates made with the `openssl` command: a CA and a server
/// certificate for 127.0.0.1 signed by it. `None` when openssl is missing.
fn make_certificates(dir: &Path) -> Option<()> {
    let openssl =
        |args: &[&str]| Command::new("openssl").current_dir(dir).args(args).output().is_ok_and(|o| o.status.success());
    std::fs::write(dir.join("ext.cnf"), "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n").ok()?;
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    let ok = openssl(
        &[
            &["req", "-x509"][..],
            &ec,
            &["-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=alertlint test CA"],
        ]
        .concat(),
    ) && openssl(
        &[&["req"][..], &ec, &["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"]].concat(),
    ) && openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
    ok.then_some(())
}

/// An HTTPS reverse proxy on loopback in front of `upstream` (plain HTTP)
/// that demands `Authorization: Bearer <token>`. One request per connection.
fn https_proxy(dir: &Path, upstream: u16, token: &'static str) -> u16 {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    use std::io::{BufRead, BufReader, Read, Write};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(dir.join("server.pem"))
        .expect("read server.pem")
        .collect::<Result<_, _>>()
        .expect("parse server.pem");
    let key = PrivateKeyDer::from_pem_file(dir.join("server.key")).expect("read server.key");
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("server certificate");
    let config = std::sync::Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
    let port = listener.local_addr().map(|a| a.port()).expect("proxy address");
    std::thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            let config = config.clone();
            std::thread::spawn(move || {
                let Ok(connection) = rustls::ServerConnection::new(config) else { return };
                let mut tls = BufReader::new(rustls::StreamOwned::new(connection, tcp));
                let mut head = Vec::new();
                let mut length = 0usize;
                let mut authorized = false;
                loop {
                    let mut line = String::new();
                    if tls.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let lower = line.to_ascii_lowercase();
                    if let Some(v) = lower.strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    if lower.starts_with("authorization:") {
                        authorized = line.trim_end() == format!("{}: Bearer {token}", &line[..13]);
                        continue;
                    }
                    if lower.starts_with("connection:") {
                        continue;
                    }
                    if line == "\r\n" {
                        head.extend_from_slice(b"Connection: close\r\n\r\n");
                        break;
                    }
                    head.extend_from_slice(line.as_bytes());
                }
                let mut body = vec![0; length];
                if tls.read_exact(&mut body).is_err() {
                    return;
                }
                let response = if authorized {
                    let mut upstream = match std::net::TcpStream::connect(("127.0.0.1", upstream)) {
                        Ok(s) => s,
                        Err(_) => return,
                    };
                    let mut response = Vec::new();
                    let _ = upstream.write_all(&head).and_then(|_| upstream.write_all(&body));
                    let _ = upstream.read_to_end(&mut response);
                    response
                } else {
                    let json =
                        r#"{"status":"error","errorType":"unauthorized","error":"missing or wrong bearer token"}"#;
                    format!("HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{json}", json.len()).into_bytes()
                };
                let stream = tls.get_mut();
                let _ = stream.write_all(&response).and_then(|_| stream.flush());
                stream.conn.send_close_notify();
                let _ = stream.flush();
            });
        }
    });
    port
}

#[test]
fn online_lints_work_through_an_https_proxy_with_a_bearer_token() {
    if !common::oracle("prometheus") || !common::oracle("promtool") {
        return;
    }
    if !Command::new("openssl").arg("version").output().is_ok_and(|o| o.status.success()) {
        let required = std::env::var("ALERTLINT_REQUIRE_ORACLES").is_ok_and(|v| v == "1");
        assert!(!required, "openssl is required (ALERTLINT_REQUIRE_ORACLES=1) to make test certificates");
        eprintln!("skipped: the openssl command is not installed (apt-get install openssl)");
        return;
    }
    const TOKEN: &str = "s3cret-token-4711";
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    if make_certificates(d).is_none() {
        panic!("openssl could not make the test certificates");
    }
    std::fs::write(d.join("rules.yaml"), RULES).expect("write rules");
    let (server, url) = start_server(d);
    let upstream: u16 = url.rsplit(':').next().and_then(|p| p.parse().ok()).expect("server port");
    let proxy = https_proxy(d, upstream, TOKEN);
    std::fs::write(
        d.join(".alertlint.yaml"),
        format!(
            "lints:\n  noise/flapping: {{ lookback: 1d }}\nprometheus:\n  url: https://127.0.0.1:{proxy}\n  headers: {{ Authorization: \"Bearer ${{ALERTLINT_TEST_TOKEN}}\" }}\n  ca_file: ca.pem\n"
        ),
    )
    .expect("write config");
    let run = |token: &str, format: &str| {
        common::alertlint()
            .current_dir(d)
            .env("ALERTLINT_TEST_TOKEN", token)
            .args(["check", "rules.yaml", "--format", format])
            .output()
            .expect("run alertlint")
    };

    let good = run(TOKEN, "json");
    let stdout = String::from_utf8_lossy(&good.stdout);
    let json: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let diagnostics = json["diagnostics"].as_array().cloned().unwrap_or_default();
    let rules_of = |lint: &str| -> Vec<String> {
        diagnostics.iter().filter(|d| d["lint"] == lint).map(|d| d["rule"].as_str().unwrap_or("").to_string()).collect()
    };
    let context =
        format!("{diagnostics:#?}\nstderr: {}\nserver log:\n{}", String::from_utf8_lossy(&good.stderr), server.log());
    assert!(rules_of("prometheus/unreachable").is_empty(), "{context}");
    assert_eq!(rules_of("noise/flapping"), ["FlappingQueue"], "{context}");
    assert_eq!(rules_of("metric/missing-series"), ["MissingJob"], "{context}");

    // A wrong token: one clear warning, and no token in any output.
    for format in ["json", "human"] {
        let bad = run("wrong-token-0815", format);
        let all = format!("{}{}", String::from_utf8_lossy(&bad.stdout), String::from_utf8_lossy(&bad.stderr));
        assert!(!all.contains("wrong-token-0815") && !all.contains(TOKEN), "a token is printed: {all}");
        assert_eq!(all.matches("Prometheus answered 401 to label/__name__/values").count(), 1, "{all}");
    }
    // A missing variable is a configuration error that names it.
    let missing = common::alertlint()
        .current_dir(d)
        .env_remove("ALERTLINT_TEST_TOKEN")
        .args(["check", "rules.yaml"])
        .output()
        .expect("run");
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("ALERTLINT_TEST_TOKEN"));
    drop(server);
}

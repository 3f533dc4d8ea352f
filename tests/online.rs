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
        "global:\n  scrape_interval: 1m\nscrape_configs:\n  - job_name: prometheus\n    scrape_interval: 2s\n    static_configs: [{{ targets: ['127.0.0.1:{port}'] }}]\n  - job_name: slow\n    scrape_interval: 2m\n    static_configs: [{{ targets: ['127.0.0.1:1'] }}]\n"
    );
    std::fs::write(dir.join("prometheus.yml"), config).expect("write prometheus.yml");
    let log = dir.join("prometheus.log");
    let log_file = std::fs::File::create(&log).expect("create the server log");
    let child = Command::new("prometheus")
        .arg(format!("--config.file={}", dir.join("prometheus.yml").display()))
        .arg(format!("--storage.tsdb.path={}", data.display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
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
    assert!(flapping.contains("would have fired 18 times in 1 day (worst: "), "{flapping}");

    assert_eq!(run.rules_of("metric/missing-series"), ["MissingJob"], "{context}");
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

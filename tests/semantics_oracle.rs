//! Every "can never fire" and "always fires" example in the docs of the
//! semantics lints, checked against the real engine: a Prometheus backfilled
//! (`promtool tsdb create-blocks-from openmetrics`) with data under which the
//! alert would fire if it could, queried at several times. All examples share
//! one server.

mod common;

use std::fmt::Write as _;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

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

/// Lints whose failing examples claim the alert can never fire.
const NEVER_FIRES: &[&str] = &["promql/impossible", "promql/quantile-without-le", "promql/dropped-label"];
/// Lints whose failing examples claim the alert fires all the time.
const ALWAYS_FIRES: &[&str] = &["alerts/always-fires"];

/// Each documented "never fires" expression, with a query for what its author
/// meant: the data makes the second return something, so the first would fire
/// if it could.
const NEVER: &[(&str, &str)] = &[
    (r#"count(up{job="db"} == 1) == 0"#, r#"sum(up{job="db"}) == 0"#),
    (r#"absent(up{job="exporter"}) != 1"#, r#"absent(up{job="exporter"})"#),
    ("sum by (type) (up) == 0 > 0", "sum by (type) (up) == 0"),
    ("rate(http_requests_total[5m]) < 0", "resets(http_requests_total[5m]) > 0"),
    (r#"up{job="api", job="web"} == 0"#, r#"up{job=~"api|web"} == 0"#),
    // `promql/dropped-label`: `and` whose right side lost the label.
    (
        r#"up{job="node"} == 0 and on (instance) sum by (job) (node_maintenance) == 0"#,
        r#"up{job="node"} == 0 and on (instance) node_maintenance == 0"#,
    ),
    (
        r#"up{job="api"} == 0 and sum(node_maintenance) == 0"#,
        r#"up{job="api"} == 0 and on () sum(node_maintenance) == 0"#,
    ),
    (
        "histogram_quantile(0.99, sum by (job) (rate(http_request_duration_seconds_bucket[5m]))) > 1",
        "histogram_quantile(0.99, sum by (job, le) (rate(http_request_duration_seconds_bucket[5m]))) > 1",
    ),
];

/// Each documented "always fires" expression, with the condition its author
/// probably meant: the data makes that one return nothing, yet the expression
/// still returns series.
const ALWAYS: &[(&str, &str)] = &[
    (r#"max(request_duration_seconds{status=~"5.*"})"#, r#"max(request_duration_seconds{status=~"5.*"}) > 2"#),
    ("count(kube_pod_info) >= 0", "count(kube_pod_info) == 0"),
    ("rate(errors_total[5m]) > bool 1", "rate(errors_total[5m]) > 1"),
];

/// One hour, a sample every 15s, ending a minute ago.
fn openmetrics(end: u64) -> String {
    let start = end - 3600;
    let times: Vec<(usize, u64)> = (start..=end).step_by(15).enumerate().collect();
    let mut out = String::new();
    let mut family = |name: &str, kind: &str, series: &[(&str, &dyn Fn(usize) -> f64)]| {
        let _ = writeln!(out, "# TYPE {name} {kind}");
        for (labels, value) in series {
            let metric = if kind == "counter" { format!("{name}_total") } else { name.to_string() };
            for (i, t) in &times {
                let _ = writeln!(out, "{metric}{{{labels}}} {} {t}", value(*i));
            }
        }
    };
    let zero = |_: usize| 0.0;
    family(
        "up",
        "gauge",
        &[
            (r#"job="db",instance="db1""#, &zero),
            (r#"job="db",instance="db2""#, &zero),
            (r#"job="api",instance="a1""#, &zero),
            (r#"job="web",instance="w1""#, &zero),
            (r#"job="typed",type="db",instance="t1""#, &zero),
            (r#"job="node",instance="n1""#, &zero),
        ],
    );
    family("node_maintenance", "gauge", &[(r#"job="node",instance="n1""#, &zero)]);
    // Resets every five minutes.
    family("http_requests", "counter", &[(r#"job="api""#, &|i| ((i % 20) * 10) as f64)]);
    family("request_duration_seconds", "gauge", &[(r#"status="500""#, &|_| 0.1)]);
    family("kube_pod_info", "gauge", &[(r#"pod="p""#, &|_| 1.0)]);
    family("errors", "counter", &[(r#"job="api""#, &|_| 5.0)]);
    // Every request takes between 1s and 2.5s.
    out.push_str("# TYPE http_request_duration_seconds histogram\n");
    for (i, t) in &times {
        let n = i * 10;
        for (le, count) in [("0.5", 0), ("1.0", 0), ("2.5", n), ("+Inf", n)] {
            let _ = writeln!(out, "http_request_duration_seconds_bucket{{job=\"api\",le=\"{le}\"}} {count} {t}");
        }
        let _ = writeln!(out, "http_request_duration_seconds_count{{job=\"api\"}} {n} {t}");
        let _ = writeln!(out, "http_request_duration_seconds_sum{{job=\"api\"}} {} {t}", n as f64 * 2.0);
    }
    out.push_str("# EOF\n");
    out
}

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

/// The series an instant query returns at `time`.
fn query(url: &str, expr: &str, time: u64) -> Vec<Value> {
    let mut response = ureq::get(&format!("{url}/api/v1/query"))
        .query("query", expr)
        .query("time", time.to_string())
        .call()
        .unwrap_or_else(|e| panic!("query {expr}: {e}"));
    let body = response.body_mut().read_to_string().unwrap_or_default();
    let json: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert_eq!(json["status"], "success", "{expr}: {body}");
    match &json["data"]["result"] {
        Value::Array(a) => a.clone(),
        // A scalar result is one value.
        other => vec![other.clone()],
    }
}

/// The `expr:` values of the alerts in a lint's failing examples.
fn documented_exprs(lint: &str) -> Vec<String> {
    let meta = alertlint::lints::find(lint).unwrap_or_else(|| panic!("no lint {lint}"));
    let mut exprs = Vec::new();
    for example in meta.fail {
        let mut in_alert = false;
        for line in example.yaml.lines().map(str::trim) {
            if line.starts_with("- ") {
                in_alert = line.starts_with("- alert:");
            }
            if let Some(expr) = line.strip_prefix("expr: ").filter(|_| in_alert) {
                exprs.push(expr.to_string());
            }
        }
    }
    exprs
}

#[test]
fn documented_examples_are_in_the_oracle_tables() {
    for lint in NEVER_FIRES {
        for expr in documented_exprs(lint) {
            assert!(NEVER.iter().any(|(e, _)| *e == expr), "{lint}: `{expr}` has no oracle entry in NEVER");
        }
    }
    for lint in ALWAYS_FIRES {
        for expr in documented_exprs(lint) {
            assert!(ALWAYS.iter().any(|(e, _)| *e == expr), "{lint}: `{expr}` has no oracle entry in ALWAYS");
        }
    }
}

#[test]
fn never_and_always_firing_examples_against_a_real_prometheus() {
    if !common::oracle("prometheus") || !common::oracle("promtool") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let end = now / 60 * 60 - 60;
    let data = dir.path().join("data");
    std::fs::write(dir.path().join("history.om"), openmetrics(end)).expect("write the OpenMetrics file");
    let backfill = Command::new("promtool")
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(dir.path().join("history.om"))
        .arg(&data)
        .output()
        .expect("run promtool");
    assert!(backfill.status.success(), "promtool failed: {}", String::from_utf8_lossy(&backfill.stderr));

    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port");
    std::fs::write(dir.path().join("prometheus.yml"), "global:\n  scrape_interval: 1m\n").expect("write config");
    let log = dir.path().join("prometheus.log");
    let child = Command::new("prometheus")
        .arg(format!("--config.file={}", dir.path().join("prometheus.yml").display()))
        .arg(format!("--storage.tsdb.path={}", data.display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("create the server log"))
        .spawn()
        .expect("start prometheus");
    let server = Server { child, log };
    let url = format!("http://127.0.0.1:{port}");
    let ready = wait_for(Duration::from_secs(30), || {
        ureq::get(&format!("{url}/-/ready")).call().is_ok_and(|r| r.status() == 200)
    });
    assert!(ready, "prometheus did not become ready:\n{}", std::fs::read_to_string(&server.log).unwrap_or_default());

    let times = [end - 40 * 60, end - 25 * 60, end - 10 * 60, end];
    for (expr, meant) in NEVER {
        for t in times {
            assert!(!query(&url, meant, t).is_empty(), "the data should make `{meant}` true at {t}");
            let got = query(&url, expr, t);
            assert!(got.is_empty(), "`{expr}` returned {got:?} at {t}: it can fire after all");
        }
    }
    for (expr, meant) in ALWAYS {
        for t in times {
            assert!(query(&url, meant, t).is_empty(), "the data should make `{meant}` false at {t}");
            assert!(!query(&url, expr, t).is_empty(), "`{expr}` returned nothing at {t}");
        }
    }
    drop(server);
}

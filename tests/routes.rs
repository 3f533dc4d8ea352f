//! `alertlint routes` as users run it: the JSON contract, agreement with
//! `amtool config routes test` on every alert of `rules-examples/` whose
//! labels are all known, the demo cases and the exit codes.
//!
//! The amtool comparison skips with a printed reason when amtool is not
//! installed, unless `ALERTLINT_REQUIRE_ORACLES=1`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const AM_CONFIG: &str = "rules-examples/alertmanager.yml";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn alertlint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_alertlint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run alertlint")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn routes_json() -> serde_json::Value {
    let out =
        alertlint(&root(), &["routes", "rules-examples/", "--alertmanager-config", AM_CONFIG, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(&out.stdout)))
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

fn alert<'a>(v: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    v["alerts"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["rule"] == name))
        .unwrap_or_else(|| panic!("no alert {name} in {v}"))
}

#[test]
fn json_has_the_documented_shape() {
    let v = routes_json();
    assert_eq!(v["version"], 1);
    let alerts = v["alerts"].as_array().expect("alerts");
    assert!(alerts.len() >= 10, "{v}");
    for a in alerts {
        for key in ["file", "group", "rule"] {
            assert!(a[key].is_string(), "{key} in {a}");
        }
        assert!(a["labels"].is_object(), "{a}");
        assert_eq!(a["labels"]["alertname"], a["rule"]);
        assert!(!strings(&a["receivers"]).is_empty(), "{a}");
        let routes = strings(&a["routes"]);
        assert!(!routes.is_empty() && routes.iter().all(|r| r.starts_with('/')), "{a}");
        assert!(a["unknown_labels"].is_array(), "{a}");
    }
    // Only rule files are routed; the Alertmanager configuration beside them is not one.
    assert!(alerts.iter().all(|a| a["file"] != AM_CONFIG));
    let first = &alerts[0];
    assert_eq!(first["file"], "rules-examples/api.yaml");
    assert_eq!(first["group"], "checkout-api.alerts");
}

#[test]
fn demo_shows_a_routed_an_unrouted_and_a_blackholed_alert() {
    let v = routes_json();
    // Correctly routed: the team's route, then its critical sub-route.
    let routed = alert(&v, "CheckoutHighErrorRate");
    assert_eq!(strings(&routed["receivers"]), ["checkout-pager"]);
    assert_eq!(strings(&routed["routes"]), ["/0/0"]);
    assert_eq!(routed["labels"]["team"], "checkout");
    assert_eq!(routed["labels"]["job"], "checkout", "fixed by the selector");
    // No team, and a severity no route accepts: the catch-all only.
    let unrouted = alert(&v, "PaymentsQueueFull");
    assert_eq!(strings(&unrouted["receivers"]), ["catch-all"]);
    assert_eq!(strings(&unrouted["routes"]), ["/"]);
    // The fraud team's receiver has no integrations.
    let blackholed = alert(&v, "PaymentsFraudSuspected");
    assert_eq!(strings(&blackholed["receivers"]), ["fraud-pager"]);

    let out = alertlint(&root(), &["routes", "rules-examples/", "--alertmanager-config", AM_CONFIG]);
    assert_eq!(out.status.code(), Some(0));
    let human = text(&out.stdout);
    let line = |name: &str| {
        human
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no row for {name}:\n{human}"))
            .to_string()
    };
    assert!(line("PaymentsQueueFull").contains("severity `critcal` matched by no route"), "{human}");
    assert!(line("PaymentsQueueFull").contains("default route only"), "{human}");
    assert!(line("PaymentsFraudSuspected").contains("no integrations"), "{human}");
    assert!(line("CheckoutHighErrorRate").contains("checkout-pager"), "{human}");

    // The same three, as findings of `check`.
    let out = alertlint(
        &root(),
        &[
            "check",
            "rules-examples/",
            "--alertmanager-config",
            AM_CONFIG,
            "--format",
            "json",
            "--select",
            "routing/*,severity/unrouted,owner/unrouted",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let found: Vec<(String, String)> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| (d["lint"].as_str().unwrap_or("").to_string(), d["rule"].as_str().unwrap_or("").to_string()))
        .collect();
    let expected = [
        ("routing/default-only", "PaymentsQueueFull"),
        ("severity/unrouted", "PaymentsQueueFull"),
        ("routing/blackhole", "PaymentsFraudSuspected"),
    ];
    let expected: Vec<(String, String)> = expected.iter().map(|(l, r)| (l.to_string(), r.to_string())).collect();
    assert_eq!(found, expected);
}

#[test]
fn unknown_labels_are_reported_not_guessed() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("r.yaml"),
        "groups:\n  - name: g\n    rules:\n      - alert: AnyTeam\n        expr: up == 0\n        labels: { severity: critical }\n",
    )
    .expect("write");
    let am = root().join(AM_CONFIG);
    let out = alertlint(
        dir.path(),
        &["routes", "r.yaml", "--alertmanager-config", am.to_str().expect("path"), "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let a = alert(&v, "AnyTeam");
    // `up` can carry any `team`: every team's route is possible, not just the catch-all.
    assert_eq!(strings(&a["unknown_labels"]), ["team"]);
    assert_eq!(strings(&a["depends_on"]), ["team"]);
    let receivers = strings(&a["receivers"]);
    for r in ["catch-all", "checkout-pager", "payments-pager", "fraud-pager", "orders-slack"] {
        assert!(receivers.iter().any(|x| x == r), "{r} missing from {receivers:?}");
    }
    assert!(a["labels"].get("team").is_none());
}

#[test]
fn exit_codes() {
    let dir = tempfile::tempdir().expect("tempdir");
    // No Alertmanager configuration at all.
    let out = alertlint(dir.path(), &["routes", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--alertmanager-config"), "{}", text(&out.stderr));
    // Unreadable.
    let out = alertlint(dir.path(), &["routes", ".", "--alertmanager-config", "missing.yml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("missing.yml"), "{}", text(&out.stderr));
    // Invalid: reported as findings, like `check` does.
    std::fs::write(dir.path().join("am.yml"), "route:\n  receiver: nobody\nreceivers:\n  - name: pager\n")
        .expect("write");
    let out = alertlint(dir.path(), &["routes", ".", "--alertmanager-config", "am.yml", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["diagnostics"][0]["lint"], "alertmanager/config", "{v}");
    // From `.alertlint.yaml`, relative to it.
    std::fs::write(dir.path().join("am.yml"), "route:\n  receiver: pager\nreceivers:\n  - name: pager\n")
        .expect("write");
    std::fs::write(dir.path().join(".alertlint.yaml"), "alertmanager:\n  config: am.yml\n").expect("write");
    std::fs::write(
        dir.path().join("r.yaml"),
        "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: vector(1)\n",
    )
    .expect("write");
    let out = alertlint(dir.path(), &["routes", "r.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("pager"), "{}", text(&out.stdout));
}

fn amtool() -> Option<String> {
    let bin = std::env::var("AMTOOL").unwrap_or_else(|_| "amtool".to_string());
    let ok = Command::new(&bin).arg("--version").output().is_ok_and(|o| o.status.success());
    ok.then_some(bin)
}

fn quote(v: &str) -> String {
    format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
}

#[test]
fn receivers_agree_with_amtool() {
    let Some(bin) = amtool() else {
        if std::env::var("ALERTLINT_REQUIRE_ORACLES").as_deref() == Ok("1") {
            panic!("amtool is required (ALERTLINT_REQUIRE_ORACLES=1) but was not found");
        }
        println!("skipped: amtool not found (install prometheus-alertmanager, or set AMTOOL)");
        return;
    };
    let v = routes_json();
    let (mut compared, mut skipped) = (0, 0);
    let mut disagreements = Vec::new();
    for a in v["alerts"].as_array().expect("alerts") {
        if !strings(&a["unknown_labels"]).is_empty() {
            skipped += 1;
            continue;
        }
        let mut cmd = Command::new(&bin);
        cmd.current_dir(root()).args(["config", "routes", "test", "--config.file", AM_CONFIG]);
        for (k, value) in a["labels"].as_object().expect("labels") {
            cmd.arg(format!("{k}={}", quote(value.as_str().unwrap_or(""))));
        }
        let out = cmd.output().expect("run amtool");
        assert!(out.status.success(), "amtool: {}", text(&out.stderr));
        let stdout = text(&out.stdout);
        let theirs: Vec<String> = stdout
            .lines()
            .next()
            .unwrap_or_default()
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let ours = strings(&a["receivers"]);
        compared += 1;
        if ours != theirs {
            disagreements.push(format!("{}: alertlint {ours:?}, amtool {theirs:?}", a["rule"]));
        }
    }
    println!(
        "amtool agreement: {}/{compared} alerts with all labels known ({skipped} with unknown labels skipped)",
        compared - disagreements.len()
    );
    assert!(compared >= 5, "too few alerts compared: {compared}");
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}

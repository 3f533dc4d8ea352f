//! Policies on the command line: `check` reports them, `rules` lists them,
//! `explain` describes them, and configuration mistakes exit 2 with a position.

mod common;

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("alertlint-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

const CONFIG: &str = "policies:
  - name: needs-owner
    severity: error
    message: every alert needs an owner
    match: { kind: alert }
    require: { labels: { owner: {} } }
";

const RULES: &str = "groups:
- name: g
  rules:
  - alert: A
    expr: up == 0
  # alertlint disable policy/needs-owner -- owned by the platform team
  - alert: B
    expr: up == 0
";

#[test]
fn check_rules_and_explain_know_configured_policies() {
    let dir = temp_dir("policies-cli");
    std::fs::write(dir.join(".alertlint.yaml"), CONFIG).expect("config");
    std::fs::write(dir.join("rules.yaml"), RULES).expect("rules");

    let output = common::alertlint()
        .args(["check", "--format", "json", "--select", "policy/*,suppression/*", "rules.yaml"])
        .current_dir(&dir)
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let found: Vec<(String, String, String)> = json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            let s = |k: &str| d[k].as_str().unwrap_or_default().to_string();
            (s("lint"), s("severity"), s("rule"))
        })
        .collect();
    assert_eq!(found, [("policy/needs-owner".to_string(), "error".to_string(), "A".to_string())]);

    let rules = common::alertlint().arg("rules").current_dir(&dir).output().expect("run");
    let text = String::from_utf8_lossy(&rules.stdout);
    let line = text.lines().find(|l| l.starts_with("policy/needs-owner")).expect("policy listed");
    assert!(line.contains("error") && line.contains("every alert needs an owner"), "{line}");

    let explain = common::alertlint().args(["explain", "policy/needs-owner"]).current_dir(&dir).output().expect("run");
    assert!(explain.status.success());
    let text = String::from_utf8_lossy(&explain.stdout);
    assert!(text.contains("requires label `owner`"), "{text}");
    let typo = common::alertlint().args(["explain", "policy/needs-ownr"]).current_dir(&dir).output().expect("run");
    assert_eq!(typo.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&typo.stderr).contains("did you mean `policy/needs-owner`"));

    std::fs::write(dir.join(".alertlint.yaml"), CONFIG.replace("require:", "requires:")).expect("config");
    let bad = common::alertlint().args(["check", "rules.yaml"]).current_dir(&dir).output().expect("run");
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains(".alertlint.yaml:6:5: unknown key `requires`; did you mean `require`?"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

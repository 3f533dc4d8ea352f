//! Neovim's built-in LSP client talking to `alertlint lsp`: a real client's
//! encoding handling, incremental sync and workspace-edit application.
//!
//! Needs `nvim` (Debian's `neovim`, 0.7 or later). Skipped with a message
//! when it is absent, unless `ALERTLINT_REQUIRE_ORACLES=1`.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn nvim_available() -> bool {
    Command::new("nvim")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The file Neovim edits: non-ASCII text before a misspelt lint id.
const TEXT: &str = "# ünïcødé\nkey: é😀 # alertlint disable-file owner/misisng\n";

/// Runs headless Neovim with `script` on `file` (holding `text`) and returns
/// the JSON the script wrote; `None` (after a message) when nvim is absent.
fn run_nvim(script: &str, text: &str) -> Option<Value> {
    if !nvim_available() {
        if std::env::var("ALERTLINT_REQUIRE_ORACLES").as_deref() == Ok("1") {
            panic!("nvim is required (ALERTLINT_REQUIRE_ORACLES=1) but not installed: apt-get install neovim");
        }
        eprintln!("skipping: nvim is not installed (apt-get install neovim)");
        return None;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("rules.yaml");
    std::fs::write(&file, text).expect("write");
    let out = dir.path().join("result.json");
    let init = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/lsp").join(script);

    let mut child = Command::new("nvim")
        .args(["--headless", "--clean", "-n", "-i", "NONE", "-u"])
        .arg(&init)
        .current_dir(dir.path())
        .env("ALERTLINT_BIN", env!("CARGO_BIN_EXE_alertlint"))
        .env("ALERTLINT_FILE", &file)
        .env("ALERTLINT_OUT", &out)
        // Keep Neovim away from the user's state and logs.
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start nvim");
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for nvim") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("nvim did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let result: Value = match std::fs::read_to_string(&out) {
        Ok(text) => serde_json::from_str(&text).expect("result is JSON"),
        Err(e) => {
            let mut stderr = String::new();
            if let Some(mut pipe) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
            }
            panic!("nvim wrote no result ({e}); exit {status:?}; stderr:\n{stderr}");
        }
    };
    Some(result)
}

#[test]
fn neovim_shows_fixes_and_clears_diagnostics() {
    let Some(result) = run_nvim("init.lua", TEXT) else { return };
    assert_eq!(result["ok"], true, "the Lua script failed: {result:#}");
    assert_eq!(result["client_started"], true);
    let steps = result["steps"].as_array().expect("steps");

    // Opened: Neovim converts the server's UTF-16 columns to byte columns;
    // `owner/misisng` starts at byte 39 of line 2 (é is 2 bytes, 😀 is 4).
    let open = &steps[0];
    assert_eq!(open["ok"], true, "no diagnostics after open: {result:#}");
    let d = &open["diagnostics"][0];
    let line = TEXT.lines().nth(1).expect("line 2");
    let start = line.find("owner/misisng").expect("id");
    assert_eq!((d["lnum"].as_u64(), d["col"].as_u64()), (Some(1), Some(start as u64)), "{d}");
    assert_eq!(d["end_col"].as_u64(), Some((start + "owner/misisng".len()) as u64), "{d}");
    assert_eq!(d["source"], "alertlint");
    assert_eq!(d["code"], "suppression/unknown-lint");
    assert_eq!(d["severity"], 2, "vim.diagnostic.severity.WARN");

    // Edited in the buffer: the server saw the incremental change.
    assert_eq!(steps[1]["ok"], true, "no re-lint after the edit: {result:#}");
    assert_eq!(steps[1]["diagnostics"][0]["code"], "suppression/unused");

    // Code action applied by Neovim: clean buffer, comment gone.
    assert!(
        result["actions"]
            .as_array()
            .is_some_and(|a| a.iter().any(|t| t == "Remove the unused suppression of `owner/missing`")),
        "{result:#}"
    );
    assert_eq!(steps[2]["ok"], true, "diagnostics remained after the fix: {result:#}");
    assert_eq!(result["text"], serde_json::json!(["# ünïcødé", "key: é😀"]));
}

/// A rule file with a recording rule read by an alert whose `expr` has
/// non-ASCII text before the function (UTF-16 columns differ from bytes), and
/// one finding so that the script knows the server has linted it.
const RULES: &str = "# alertlint disable-file owner/misisng\ngroups:\n  - name: api\n    rules:\n      - record: job:errors:rate5m\n        expr: sum by (job) (rate(http_errors_total[5m]))\n      - alert: HighErrors\n        expr: job:errors:rate5m{path=\"é😀\"} > 0.5 and histogram_quantile(0.9, rate(latency_bucket[5m])) > 1\n";

#[test]
fn neovim_hovers_and_completes_promql() {
    let Some(result) = run_nvim("init_promql.lua", RULES) else { return };
    assert_eq!(result["ok"], true, "the Lua script failed: {result:#}");
    assert_eq!(result["linted"], true, "{result:#}");

    // Neovim converted its byte cursor to UTF-16 for the request; the range
    // the server answers is the word's, in UTF-16 columns.
    let hover = result["hover"].as_str().unwrap_or_else(|| panic!("no hover: {result:#}"));
    assert!(hover.contains("histogram_quantile(scalar, instant-vector) instant-vector"), "{hover}");
    let line = RULES.lines().nth(7).expect("expr line");
    let start = line[..line.find("histogram_quantile").expect("function")].encode_utf16().count() as u64;
    assert_eq!(result["hover_range"]["start"]["line"], result["hover_row"], "{result:#}");
    assert_eq!(result["hover_range"]["start"]["character"].as_u64(), Some(start), "{result:#}");
    assert_eq!(result["hover_range"]["end"]["character"].as_u64(), Some(start + 18), "{result:#}");

    let series = result["series_hover"].as_str().unwrap_or_else(|| panic!("no series hover: {result:#}"));
    assert!(series.contains("recorded by group `api` at rules.yaml:5"), "{series}");

    assert!(result["completion"].as_array().is_some_and(|c| c.iter().any(|l| l == "job:errors:rate5m")), "{result:#}");
    // Neovim applied the item's edit: the typed prefix, colons included, was replaced.
    assert_eq!(result["completed_line"], "        expr: sum(job:errors:rate5m", "{result:#}");
    assert!(result["functions"].as_array().is_some_and(|c| c.iter().any(|l| l == "histogram_quantile")), "{result:#}");
}

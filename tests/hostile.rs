//! Hostile input: the binary run on files built to break parsers and exhaust
//! machines. Each case must end, within `MAX_WALL` and `MAX_RSS_KIB`, with
//! a finding that says what is wrong or an exit-2 message naming the path.
//!
//! All cases run in one test, one after another, so that their timings do not
//! compete for the CPU, and a table of time and peak memory per case is
//! printed (`cargo test --test hostile -- --nocapture`). The limits hold for
//! the debug build that `cargo test` uses; the release build is faster.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const MAX_WALL: Duration = Duration::from_secs(5);
const MAX_RSS_KIB: i64 = 500 * 1024;
/// A run still going after this is killed: the case has failed long before.
const KILL_AFTER: Duration = Duration::from_secs(60);

/// The loader's size limit (64 MiB, `yaml::DEFAULT_MAX_BYTES`).
const SIZE_LIMIT: usize = 64 << 20;

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    wall: Duration,
    peak_kib: i64,
}

impl Outcome {
    fn json(&self) -> Result<serde_json::Value, String> {
        serde_json::from_str(&self.stdout).map_err(|e| format!("stdout is not JSON ({e}): {}", head(&self.stdout)))
    }

    fn expect_code(&self, code: i32) -> Result<(), String> {
        if self.code == Some(code) {
            Ok(())
        } else {
            Err(format!("exit code {:?}, expected {code}; stderr: {}", self.code, head(&self.stderr)))
        }
    }

    /// Exit 1 and an error finding of `lint` in `file` whose message contains `needle`.
    fn expect_error(&self, file: &str, lint: &str, needle: &str) -> Result<(), String> {
        self.expect_code(1)?;
        self.expect_finding(file, lint, needle)
    }

    /// A finding of `lint` in `file` whose message contains `needle`.
    fn expect_finding(&self, file: &str, lint: &str, needle: &str) -> Result<(), String> {
        let v = self.json()?;
        let found = v["diagnostics"].as_array().into_iter().flatten().any(|d| {
            d["lint"] == lint
                && d["file"].as_str().is_some_and(|f| f.ends_with(file))
                && d["message"].as_str().is_some_and(|m| m.contains(needle))
        });
        if found {
            Ok(())
        } else {
            Err(format!("no `{lint}` finding containing {needle:?} in {file}: {}", head(&self.stdout)))
        }
    }

    fn expect_summary(&self, files: u64, rules: u64) -> Result<(), String> {
        let v = self.json()?;
        let (f, r) = (v["summary"]["files"].as_u64(), v["summary"]["rules"].as_u64());
        if (f, r) == (Some(files), Some(rules)) {
            Ok(())
        } else {
            Err(format!("summary files={f:?} rules={r:?}, expected {files} and {rules}"))
        }
    }

    /// Exit 2 and a message on stderr naming `path`.
    fn expect_io_error(&self, path: &str) -> Result<(), String> {
        self.expect_code(2)?;
        if self.stderr.contains(path) {
            Ok(())
        } else {
            Err(format!("stderr does not name {path}: {}", head(&self.stderr)))
        }
    }
}

fn head(s: &str) -> String {
    s.chars().take(600).collect()
}

/// Runs `alertlint check --format json ARGS` in `dir`, measuring wall time
/// and the child's peak resident memory.
fn run(dir: &Path, args: &[&str]) -> Outcome {
    // Output goes to files, not pipes, so a large output cannot block the child.
    let out_path = dir.join(".stdout");
    let err_path = dir.join(".stderr");
    let start = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_alertlint"))
        .arg("check")
        .args(["--format", "json"])
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(File::create(&out_path).expect("create stdout file"))
        .stderr(File::create(&err_path).expect("create stderr file"))
        .spawn()
        .expect("run alertlint");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: zeroed rusage is a valid value; wait4 writes only into the status
    // and rusage we pass, for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: as above.
        let reaped = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if reaped == pid {
            break;
        }
        assert!(reaped == 0, "wait4 failed: {}", std::io::Error::last_os_error());
        if start.elapsed() > KILL_AFTER {
            // SAFETY: signalling our own child, which has not been reaped.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let wall = start.elapsed();
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    Outcome {
        code,
        stdout: std::fs::read_to_string(&out_path).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err_path).unwrap_or_default(),
        wall,
        peak_kib: usage.ru_maxrss,
    }
}

/// A rule that every default lint accepts: a file of these has no findings.
fn clean_rule(name: &str) -> String {
    format!(
        "      - alert: {name}\n        expr: up == 0\n        for: 5m\n        labels: {{severity: critical, team: sre}}\n        annotations: {{runbook_url: 'https://runbooks.example.com/{name}'}}\n"
    )
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    std::fs::write(path, bytes).expect("write fixture");
}

/// A case: builds its input in an empty directory, returns the arguments to
/// `check`, and judges the outcome.
struct Case {
    name: &'static str,
    setup: fn(&Path) -> Vec<String>,
    judge: fn(&Outcome) -> Result<(), String>,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "empty file",
            setup: |d| {
                write(&d.join("empty.yaml"), "");
                vec!["empty.yaml".into()]
            },
            // promtool accepts an empty rule file ("SUCCESS: 0 rules found"); so do we.
            judge: |o| {
                o.expect_code(0)?;
                o.expect_summary(1, 0)
            },
        },
        Case {
            name: "only comments",
            setup: |d| {
                write(&d.join("comments.yaml"), "# rules go here\n# later\n");
                vec!["comments.yaml".into()]
            },
            judge: |o| {
                o.expect_code(0)?;
                o.expect_summary(1, 0)
            },
        },
        Case {
            name: "binary data",
            setup: |d| {
                // Deterministic bytes covering every value, NULs included.
                let bytes: Vec<u8> = (0..65_536u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
                write(&d.join("binary.yaml"), bytes);
                vec!["binary.yaml".into()]
            },
            judge: |o| o.expect_error("binary.yaml", "yaml/syntax", "not valid UTF-8"),
        },
        Case {
            name: "invalid UTF-8",
            setup: |d| {
                write(&d.join("latin1.yaml"), b"groups:\n  - name: caf\xe9\n    rules: []\n");
                vec!["latin1.yaml".into()]
            },
            judge: |o| o.expect_error("latin1.yaml", "yaml/syntax", "invalid byte at offset 21"),
        },
        Case {
            name: "UTF-16 with BOM",
            setup: |d| {
                let text = "groups:\n  - name: g\n    rules: []\n";
                let mut bytes = vec![0xFF, 0xFE];
                bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
                write(&d.join("utf16.yaml"), bytes);
                vec!["utf16.yaml".into()]
            },
            judge: |o| o.expect_error("utf16.yaml", "yaml/syntax", "UTF-16"),
        },
        Case {
            name: "100 MB file",
            setup: |d| {
                let mut chunk = String::new();
                for i in 0..4_000 {
                    chunk.push_str(&clean_rule(&format!("Rule{i}")));
                }
                let mut out = BufWriter::new(File::create(d.join("huge.yaml")).expect("create"));
                out.write_all(b"groups:\n  - name: huge\n    rules:\n").expect("write");
                let mut written = 0;
                while written < 100 << 20 {
                    out.write_all(chunk.as_bytes()).expect("write");
                    written += chunk.len();
                }
                out.flush().expect("flush");
                vec!["huge.yaml".into()]
            },
            judge: |o| {
                o.expect_error("huge.yaml", "yaml/syntax", &format!("larger than the limit of {SIZE_LIMIT} bytes"))
            },
        },
        Case {
            name: "1M levels, block",
            setup: |d| {
                write(&d.join("deep-block.yaml"), format!("{}x\n", "- ".repeat(1_000_000)));
                vec!["deep-block.yaml".into()]
            },
            judge: |o| o.expect_error("deep-block.yaml", "yaml/syntax", "nesting is deeper than the limit"),
        },
        Case {
            name: "1M levels, flow",
            setup: |d| {
                write(&d.join("deep-flow.yaml"), format!("{}{}\n", "[".repeat(1_000_000), "]".repeat(1_000_000)));
                write(
                    &d.join("deep-flow-map.yaml"),
                    format!("{}{}\n", "{a: ".repeat(1_000_000), "}".repeat(1_000_000)),
                );
                vec!["deep-flow.yaml".into(), "deep-flow-map.yaml".into()]
            },
            // saphyr stops flow nesting itself, with its own message.
            judge: |o| {
                o.expect_error("deep-flow.yaml", "yaml/syntax", "limit")?;
                o.expect_error("deep-flow-map.yaml", "yaml/syntax", "limit")
            },
        },
        Case {
            name: "billion laughs",
            setup: |d| {
                let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
                for k in 1..10 {
                    let refs = vec![format!("*a{}", k - 1); 9].join(", ");
                    text.push_str(&format!("a{k}: &a{k} [{refs}]\n"));
                }
                write(&d.join("laughs.yaml"), text);
                vec!["laughs.yaml".into()]
            },
            judge: |o| o.expect_error("laughs.yaml", "yaml/syntax", "aliases expand to more than the limit"),
        },
        Case {
            name: "string anchor x100k",
            setup: |d| {
                let mut text = format!("big: &big \"{}\"\nuses:\n", "x".repeat(10_000));
                text.push_str(&"  - *big\n".repeat(100_000));
                write(&d.join("anchor.yaml"), text);
                vec!["anchor.yaml".into()]
            },
            judge: |o| o.expect_error("anchor.yaml", "yaml/syntax", "aliases expand to more than the limit"),
        },
        Case {
            name: "1 MB single line",
            setup: |d| {
                // A valid rule file on one line, its expression a 1 MB selector.
                let name = "a".repeat(1 << 20);
                write(
                    &d.join("line.yaml"),
                    format!("groups: [{{name: g, rules: [{{alert: Long, expr: '{name} == 0'}}]}}]\n"),
                );
                vec!["line.yaml".into()]
            },
            // Parsed to the end: the rule is there and its missing `for` is reported.
            judge: |o| {
                o.expect_code(0)?;
                o.expect_finding("line.yaml", "noise/for-too-short", "`Long`")?;
                o.expect_summary(1, 1)
            },
        },
        Case {
            name: "PromQL 100k parens",
            setup: |d| {
                let expr = format!("{}up{}", "(".repeat(100_000), ")".repeat(100_000));
                write(
                    &d.join("parens.yaml"),
                    format!("groups:\n  - name: g\n    rules:\n      - record: deep\n        expr: '{expr}'\n"),
                );
                vec!["parens.yaml".into()]
            },
            judge: |o| o.expect_error("parens.yaml", "promql/syntax", "nesting too deep"),
        },
        Case {
            name: "template 100k actions",
            setup: |d| {
                let template = format!("{}x{}", "{{if 1}}".repeat(100_000), "{{end}}".repeat(100_000));
                let text = format!(
                    "groups:\n  - name: g\n    rules:\n      - alert: Deep\n        expr: up == 0\n        annotations:\n          summary: '{template}'\n"
                );
                write(&d.join("template.yaml"), text);
                vec!["template.yaml".into()]
            },
            judge: |o| o.expect_error("template.yaml", "template/syntax", "nesting depth"),
        },
        Case {
            name: "symlink loop",
            setup: |d| {
                let rules = d.join("rules");
                std::fs::create_dir_all(rules.join("sub")).expect("mkdir");
                write(&rules.join("ok.yaml"), format!("groups:\n  - name: g\n    rules:\n{}", clean_rule("Ok")));
                std::os::unix::fs::symlink("..", rules.join("sub/up")).expect("symlink");
                vec!["rules".into()]
            },
            // The loop is reported and the rest of the tree still checked.
            judge: |o| {
                o.expect_io_error("sub/up")?;
                o.expect_summary(1, 1)
            },
        },
        Case {
            name: "dangling symlink",
            setup: |d| {
                let rules = d.join("rules");
                std::fs::create_dir_all(&rules).expect("mkdir");
                write(&rules.join("ok.yaml"), format!("groups:\n  - name: g\n    rules:\n{}", clean_rule("Ok")));
                std::os::unix::fs::symlink("gone.yaml", rules.join("dangling.yaml")).expect("symlink");
                vec!["rules".into()]
            },
            judge: |o| {
                o.expect_io_error("dangling.yaml")?;
                o.expect_summary(1, 1)
            },
        },
        Case {
            name: "unreadable (chmod 000)",
            setup: |d| {
                use std::os::unix::fs::PermissionsExt;
                let path = d.join("secret.yaml");
                write(&path, format!("groups:\n  - name: g\n    rules:\n{}", clean_rule("Secret")));
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).expect("chmod");
                vec!["secret.yaml".into()]
            },
            judge: |o| {
                if can_read_anything() {
                    // root (as in CI) reads through file permissions: the file is checked.
                    o.expect_code(0)?;
                    o.expect_summary(1, 1)
                } else {
                    o.expect_io_error("secret.yaml")
                }
            },
        },
        Case {
            name: "10k files",
            setup: |d| {
                let rules = d.join("many");
                std::fs::create_dir_all(&rules).expect("mkdir");
                for i in 0..10_000 {
                    write(
                        &rules.join(format!("r{i:05}.yaml")),
                        format!("groups:\n  - name: g{i}\n    rules:\n{}", clean_rule(&format!("A{i}"))),
                    );
                }
                vec!["many".into()]
            },
            judge: |o| {
                o.expect_code(0)?;
                o.expect_summary(10_000, 10_000)
            },
        },
    ]
}

/// Whether file permissions are bypassed (root, or CAP_DAC_OVERRIDE):
/// probed on a real file rather than guessed from the user id.
fn can_read_anything() -> bool {
    use std::os::unix::fs::PermissionsExt;
    let Ok(dir) = tempfile::tempdir() else { return false };
    let probe = dir.path().join("probe");
    if std::fs::write(&probe, "x").is_err()
        || std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o000)).is_err()
    {
        return false;
    }
    std::fs::read(&probe).is_ok()
}

#[test]
fn hostile_inputs_end_quickly_with_a_clear_message() {
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for case in cases() {
        let dir = tempfile::tempdir().expect("tempdir");
        let args = (case.setup)(dir.path());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let outcome = run(dir.path(), &args);
        let mut problems = Vec::new();
        if let Err(e) = (case.judge)(&outcome) {
            problems.push(e);
        }
        if outcome.wall > MAX_WALL {
            problems.push(format!("took {:.2?}, limit {MAX_WALL:?}", outcome.wall));
        }
        if outcome.peak_kib > MAX_RSS_KIB {
            problems.push(format!("peak memory {} MiB, limit {} MiB", outcome.peak_kib / 1024, MAX_RSS_KIB / 1024));
        }
        rows.push((case.name, outcome.wall, outcome.peak_kib, outcome.code, problems.is_empty()));
        if !problems.is_empty() {
            failures.push(format!("{}: {}", case.name, problems.join("; ")));
        }
    }
    println!("{:<26} {:>9} {:>10} {:>5}  result", "case", "time", "peak RSS", "exit");
    for (name, wall, kib, code, ok) in &rows {
        let code = code.map_or("-".to_string(), |c| c.to_string());
        println!(
            "{name:<26} {:>7.0}ms {:>7.1}MiB {code:>5}  {}",
            wall.as_secs_f64() * 1e3,
            *kib as f64 / 1024.0,
            if *ok { "ok" } else { "FAILED" }
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

//! Shared helpers for integration tests: the corpus and the oracles.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// `../shared` next to the repository, as CI lays it out.
pub fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared")
}

pub fn corpus() -> PathBuf {
    shared().join("corpus")
}

/// Upstream conformance tables kept in the repository.
pub fn conformance() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/conformance")
}

/// Says why a test (or part of one) does not run, on the real stderr so that
/// `cargo test` shows it even for a passing test; with
/// `ALERTLINT_REQUIRE_ORACLES=1` a skip is a failure instead.
pub fn skip(reason: &str) {
    let required = std::env::var("ALERTLINT_REQUIRE_ORACLES").is_ok_and(|v| v == "1");
    assert!(!required, "cannot skip with ALERTLINT_REQUIRE_ORACLES=1: {reason}");
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "skipped: {reason}");
}

/// Whether `../shared/corpus` is there; when not, the caller is skipped with a printed reason.
pub fn corpus_present(test: &str) -> bool {
    let found = corpus().join("MANIFEST.tsv").is_file();
    if !found {
        skip(&format!("{test}: ../shared/corpus is not next to the repository"));
    }
    found
}

/// One row of `corpus/MANIFEST.tsv`.
pub struct CorpusFile {
    /// Path relative to the corpus directory.
    pub path: String,
    pub format: String,
    pub parse_status: String,
    /// Rule groups the manifest counted.
    pub groups: usize,
}

pub fn corpus_files() -> Vec<CorpusFile> {
    let manifest = std::fs::read_to_string(corpus().join("MANIFEST.tsv")).expect("read corpus/MANIFEST.tsv");
    let mut lines = manifest.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
    let column = |name: &str| {
        header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("MANIFEST.tsv has no column {name}"))
    };
    let (repo, path, format, status, groups) =
        (column("source_repo"), column("path"), column("format"), column("parse_status"), column("groups"));
    lines
        .map(|line| line.split('\t').collect::<Vec<_>>())
        .filter(|cells| cells.len() > status.max(groups))
        .map(|cells| CorpusFile {
            path: format!("{}/{}", cells[repo].replace('/', "__"), cells[path]),
            format: cells[format].to_string(),
            parse_status: cells[status].to_string(),
            groups: cells[groups].parse().unwrap_or(0),
        })
        .collect()
}

/// Whether an oracle binary runs. When it does not, the test is skipped with
/// a printed reason, unless `ALERTLINT_REQUIRE_ORACLES=1` makes it a failure.
pub fn oracle(binary: &str) -> bool {
    let found = Command::new(binary).arg("--version").output().is_ok_and(|o| o.status.success());
    if !found {
        skip(&format!("{binary} is not installed (apt-get install prometheus prometheus-alertmanager)"));
    }
    found
}

/// Runs the binary in `dir` with `args`, feeding it `stdin`; no colours.
pub fn run(dir: &Path, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = alertlint()
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run alertlint");
    let mut pipe = child.stdin.take().expect("stdin");
    pipe.write_all(stdin.unwrap_or("").as_bytes()).expect("write stdin");
    drop(pipe);
    child.wait_with_output().expect("wait")
}

pub fn alertlint() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_alertlint"));
    command.env("NO_COLOR", "1");
    command
}

/// `f` over `items` on a few threads, results in input order.
pub fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 8);
    let chunk = items.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> =
            items.chunks(chunk).map(|part| scope.spawn(|| part.iter().map(&f).collect::<Vec<R>>())).collect();
        handles.into_iter().flat_map(|h| h.join().expect("worker thread")).collect()
    })
}

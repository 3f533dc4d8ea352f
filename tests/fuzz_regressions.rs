//! Every input the fuzzers found a failure with, replayed through the same
//! checks the fuzz target runs (`fuzz/checks.rs`). Inputs live in
//! `tests/fixtures/fuzz/<target>/`; add a crashing input there when fixing it.

#[path = "../fuzz/checks.rs"]
mod checks;

use std::path::PathBuf;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz").join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        // No failure found for this target yet.
        return;
    };
    let mut failed = Vec::new();
    for entry in entries {
        let path = entry.expect("read fixture directory").path();
        let data = std::fs::read(&path).expect("read fixture");
        if std::panic::catch_unwind(|| check(&data)).is_err() {
            failed.push(path.display().to_string());
        }
    }
    assert!(failed.is_empty(), "{target}: failing inputs: {failed:?}");
}

#[test]
fn yaml_load() {
    replay("yaml_load", checks::yaml_load);
}

#[test]
fn promql_parse() {
    replay("promql_parse", checks::promql_parse);
}

#[test]
fn template_parse() {
    replay("template_parse", checks::template_parse);
}

#[test]
fn am_matchers() {
    replay("am_matchers", checks::am_matchers);
}

#[test]
fn am_config() {
    replay("am_config", checks::am_config);
}

#[test]
fn check_file() {
    replay("check_file", checks::check_file);
}

#[test]
fn lsp_frames() {
    replay("lsp_frames", checks::lsp_frames);
}

#[test]
fn lsp_document() {
    replay("lsp_document", checks::lsp_document);
}

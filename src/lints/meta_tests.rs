//! Checks over the whole registry instead of code generation: ids, docs,
//! examples and one snapshot of the rendered fail examples per lint.

use super::{registry, tester};

const HEADINGS: [&str; 5] = ["## What it does", "## Why it matters", "## Example", "## How to fix", "## Options"];

#[test]
fn ids_are_unique_well_formed_and_match_their_file() {
    let mut seen = std::collections::HashSet::new();
    for r in registry() {
        let id = r.meta.id;
        assert!(seen.insert(id), "duplicate lint id {id}");
        let (family, name) = id.split_once('/').unwrap_or_else(|| panic!("{id} is not family/name"));
        let kebab = |s: &str| {
            !s.is_empty()
                && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !s.starts_with('-')
                && !s.ends_with('-')
        };
        assert!(kebab(family) && kebab(name), "{id} is not kebab-case");
        let expected = format!("src/lints/{family}/{}.rs", name.replace('-', "_"));
        assert_eq!(r.meta.source_file, expected, "lint {id} must live in {expected}");
    }
}

#[test]
fn every_lint_is_documented() {
    for r in registry() {
        let m = r.meta;
        let docs = m.docs_text();
        let mut last = 0;
        for heading in HEADINGS {
            let at = docs.find(heading).unwrap_or_else(|| panic!("{}: docs lack `{heading}`", m.id));
            assert!(at >= last, "{}: `{heading}` is out of order", m.id);
            last = at;
        }
        let first = m.summary.chars().next().unwrap_or('A');
        assert!(
            !first.is_uppercase() && !m.summary.ends_with('.'),
            "{}: summary must start lowercase and not end with a period",
            m.id
        );
    }
}

#[test]
fn pass_examples_are_silent_and_fail_examples_report() {
    for r in registry() {
        let m = r.meta;
        assert!(!m.pass.is_empty() && !m.fail.is_empty(), "{}: needs at least one pass and one fail example", m.id);
        for (i, example) in m.pass.iter().enumerate() {
            let found: Vec<_> = tester::check(example).into_iter().filter(|d| d.lint == m.id).collect();
            assert!(found.is_empty(), "{}: pass example {i} reported {found:#?}", m.id);
        }
        for (i, example) in m.fail.iter().enumerate() {
            let found = tester::check(example);
            assert!(
                found.iter().any(|d| d.lint == m.id),
                "{}: fail example {i} reported nothing for it; all findings: {found:#?}",
                m.id
            );
            for d in &found {
                let first = d.message.chars().next().unwrap_or('a');
                assert!(
                    !first.is_uppercase() && !d.message.ends_with('.'),
                    "{}: message must start lowercase and not end with a period: {:?}",
                    d.lint,
                    d.message
                );
            }
        }
    }
}

#[test]
fn fail_examples_render_as_snapshots() {
    for r in registry() {
        let m = r.meta;
        let rendered: Vec<String> = m.fail.iter().map(|e| tester::render(e, m.id)).collect();
        let name = m.id.replace(['/', '-'], "_");
        insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false, description => m.id }, {
            insta::assert_snapshot!(name, rendered.join("\n――――――――\n\n"));
        });
    }
}

/// `docs/lints.md`, the README's lint table and `src/names/ids.rs` are generated from the lint
/// docs; this fails when the committed copies are stale.
/// `ALERTLINT_UPDATE_DOCS=1 cargo test docs_are_fresh` rewrites them.
#[test]
fn docs_are_fresh() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let docs_path = root.join("docs/lints.md");
    let readme_path = root.join("README.md");
    let docs = super::docs_markdown();
    let readme = std::fs::read_to_string(&readme_path).unwrap_or_default();
    let (start, end) = ("<!-- lints:start -->\n", "<!-- lints:end -->");
    let (Some(a), Some(b)) = (readme.find(start), readme.find(end)) else {
        panic!("README.md lacks the lint table markers")
    };
    let fresh_readme = format!("{}{start}{}{}", &readme[..a], super::lint_table(), &readme[b..]);
    let ids_path = root.join("src/names/ids.rs");
    let ids = super::ids_source();
    if std::env::var_os("ALERTLINT_UPDATE_DOCS").is_some() {
        std::fs::write(&docs_path, &docs).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(&readme_path, &fresh_readme).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(&ids_path, &ids).unwrap_or_else(|e| panic!("{e}"));
        return;
    }
    assert!(
        std::fs::read_to_string(&ids_path).unwrap_or_default() == ids,
        "src/names/ids.rs is stale: run `ALERTLINT_UPDATE_DOCS=1 cargo test docs_are_fresh`"
    );
    let committed = std::fs::read_to_string(&docs_path).unwrap_or_default();
    assert!(committed == docs, "docs/lints.md is stale: run `ALERTLINT_UPDATE_DOCS=1 cargo test docs_are_fresh`");
    assert!(
        readme == fresh_readme,
        "the README's lint table is stale: run `ALERTLINT_UPDATE_DOCS=1 cargo test docs_are_fresh`"
    );
}

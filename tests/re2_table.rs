//! Go RE2 syntax as Prometheus reads label matcher regexes: every pattern of
//! `tests/data/re2_patterns.jsonl` (promtool's verdicts, see its first line
//! and `tests/data/re2_patterns.py`) gets the same verdict and message from
//! alertlint; with promtool installed, a sample is checked against it live.

mod common;

use std::collections::BTreeMap;

const TABLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/re2_patterns.jsonl");

struct Row {
    pattern: String,
    valid: bool,
    error: Option<String>,
    source: String,
}

fn rows() -> Vec<Row> {
    let text = std::fs::read_to_string(TABLE).expect("tests/data/re2_patterns.jsonl is in the repository");
    text.lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).expect("a JSON line"))
        .filter(|v| v.get("_comment").is_none())
        .map(|v| {
            let pattern = match v.get("parts") {
                Some(parts) => parts
                    .as_array()
                    .expect("parts is a list")
                    .iter()
                    .map(|run| run[0].as_str().expect("text").repeat(run[1].as_u64().expect("count") as usize))
                    .collect(),
                None => v["pattern"].as_str().expect("pattern").to_string(),
            };
            Row {
                pattern,
                valid: v["valid"].as_bool().expect("valid"),
                error: v.get("error").and_then(|e| e.as_str()).map(str::to_string),
                source: v["source"].as_str().unwrap_or("").to_string(),
            }
        })
        .collect()
}

/// Go's message, or its reason only when the table keeps an elided one.
fn same_message(ours: &str, theirs: &str) -> bool {
    match theirs.strip_suffix("...") {
        Some(prefix) => ours.starts_with(prefix),
        None => ours == theirs,
    }
}

#[test]
fn alertlint_agrees_with_promtool_on_every_stored_pattern() {
    let rows = rows();
    assert!(rows.len() >= 300, "the table has {} rows", rows.len());
    let mut disagreements = Vec::new();
    let mut by_source: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for row in &rows {
        let ours = alertlint::re2::check_prometheus(&row.pattern);
        let agrees = match (&ours, row.valid, &row.error) {
            (Ok(()), true, _) => true,
            (Err(e), false, Some(theirs)) => same_message(&e.to_string(), theirs),
            (Err(_), false, None) => true,
            _ => false,
        };
        let entry = by_source.entry(&row.source).or_default();
        entry.0 += 1;
        if agrees {
            entry.1 += 1;
        } else {
            let shown: String = row.pattern.chars().take(80).collect();
            disagreements.push(format!("{shown:?}: promtool {:?}, alertlint {ours:?}", row.error));
        }
    }
    for (source, (total, agreed)) in &by_source {
        eprintln!("re2 table: {source}: {agreed}/{total} agree");
    }
    assert!(disagreements.is_empty(), "{} disagreements:\n{}", disagreements.len(), disagreements.join("\n"));
}

#[test]
fn valid_patterns_translate_for_the_regex_crate() {
    // What Go accepts, the translation for the `regex` crate must accept too
    // (or be refused only for the crate's limits on compiled size and nesting).
    for row in rows().iter().filter(|r| r.valid && r.pattern.len() < 2000) {
        let translated = alertlint::re2::translate(&row.pattern).expect("valid in Go");
        let built = regex::RegexBuilder::new(&format!("^(?:{translated})$")).size_limit(1 << 22).build();
        match built {
            Ok(_) | Err(regex::Error::CompiledTooBig(_)) => {}
            // The crate's own limit on nesting (250 by default), below Go's 1000.
            Err(e) if e.to_string().contains("maximum number of nested") => {}
            Err(e) => panic!("{:?} → {translated:?}: {e}", row.pattern),
        }
    }
}

#[test]
fn matching_follows_go() {
    let cases: &[(&str, &str, bool)] = &[
        (r"\d+", "123", true),
        (r"\d", "٣", false),
        (r"\w+", "café", false),
        (r"[\D]", "٣", true),
        (r"\s", "\u{b}", false),
        ("/v2/{name}/manifests/{reference}", "/v2/{name}/manifests/{reference}", true),
        ("x{,5}", "x{,5}", true),
        ("a{1,", "a{1,", true),
        (r"\Qa.b\E+", "a.bbb", true),
        (r"\Qa.b\E", "axb", false),
        ("(?i)abc", "ABC", true),
        ("(?i:a)b", "AB", false),
        ("(?U)a+", "aa", true),
        ("a.b", "a\nb", false),
        ("(?s)a.b", "a\nb", true),
        (r"\012", "\n", true),
        (r"\x{263a}", "☺", true),
        (r"[[:alpha:]]+", "abc", true),
        (r"\p{Greek}+", "αβ", true),
        (r"\p{^Greek}", "a", true),
        ("[]a]+", "]a", true),
        ("[a-]+", "-a", true),
        ("(?P<n>a)(?P<n>b)", "ab", true),
        ("(?i)k", "\u{212a}", true),
        ("a||b", "", true),
        (r"\bfoo\b", "foo", true),
        ("a)(b", "a)(b", false),
    ];
    for &(pattern, text, expected) in cases {
        let translated = alertlint::re2::translate(pattern).expect("valid in Go");
        let re = regex::Regex::new(&format!("^(?:{translated})$")).expect("compiles");
        assert_eq!(re.is_match(text), expected, "{pattern:?} on {text:?} ({translated:?})");
    }
}

#[test]
fn a_sample_agrees_with_promtool_live() {
    if !common::oracle("promtool") {
        return;
    }
    // Every invalid row and every fifth valid one, short enough for one rule file.
    let rows = rows();
    let sample: Vec<&Row> = rows
        .iter()
        .enumerate()
        .filter(|(i, r)| (!r.valid || i % 5 == 0) && r.pattern.len() < 500)
        .map(|(_, r)| r)
        .collect();
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut file = String::from("groups:\n- name: re2\n  rules:\n");
    for (i, row) in sample.iter().enumerate() {
        let expr = format!("up{{job=~{}}}", promql_quote(&row.pattern));
        file.push_str(&format!("  - record: re2_{i}\n    expr: {}\n", serde_json::to_string(&expr).expect("JSON")));
    }
    let path = dir.path().join("re2.yaml");
    std::fs::write(&path, file).expect("write rule file");
    let out = std::process::Command::new("promtool").arg("check").arg("rules").arg(&path).output().expect("promtool");
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    let mut failing = std::collections::BTreeSet::new();
    for line in text.lines() {
        if let Some(rest) = line.split("group \"re2\", rule ").nth(1) {
            let number: usize = rest.split(',').next().and_then(|n| n.trim().parse().ok()).expect("rule number");
            failing.insert(number - 1);
        }
    }
    let mut disagreements = Vec::new();
    for (i, row) in sample.iter().enumerate() {
        let promtool_valid = !failing.contains(&i);
        let ours = alertlint::re2::check_prometheus(&row.pattern).is_ok();
        if promtool_valid != ours || promtool_valid != row.valid {
            disagreements
                .push(format!("{:?}: promtool {promtool_valid}, stored {}, alertlint {ours}", row.pattern, row.valid));
        }
    }
    eprintln!("re2 table: {} patterns checked against promtool live", sample.len());
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

/// A PromQL double-quoted string for `s`.
fn promql_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

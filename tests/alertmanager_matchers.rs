//! Conformance of both matcher parsers (and the fallback between them) with
//! Alertmanager's own test tables, `tests/data/conformance/am_matchers.jsonl`.

use alertlint::alertmanager::{MatchOp, Matcher, MatcherError, compat, parse_classic, parse_utf8};
use serde_json::Value;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/conformance/am_matchers.jsonl");

/// Rows allowed to fail, by `source`, with the reason. Keep this short.
const KNOWN_FAILURES: &[(&str, &str)] = &[];

fn expected_matchers(row: &Value) -> Vec<(String, MatchOp, String)> {
    row["matchers"]
        .as_array()
        .map(|ms| {
            ms.iter()
                .map(|m| {
                    let s = |k: &str| m[k].as_str().unwrap_or_default().to_string();
                    (s("name"), MatchOp::parse(m["type"].as_str().unwrap_or_default()).unwrap(), s("value"))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn triples(ms: &[Matcher]) -> Vec<(String, MatchOp, String)> {
    ms.iter().map(|m| (m.name.clone(), m.op, m.value.clone())).collect()
}

/// Compares the parse result with the row; returns a reason when they differ.
fn check(row: &Value, got: Result<Vec<Matcher>, MatcherError>, compare_error: ErrorCheck) -> Option<String> {
    let ok = row["ok"].as_bool().unwrap_or(false);
    match (ok, got) {
        (true, Ok(ms)) => {
            let want = expected_matchers(row);
            (triples(&ms) != want).then(|| format!("got {:?}, want {want:?}", triples(&ms)))
        }
        (true, Err(e)) => Some(format!("unexpected error: {}", e.message)),
        (false, Ok(ms)) => Some(format!("expected an error, got {:?}", triples(&ms))),
        (false, Err(e)) => {
            let want = row["err"].as_str().unwrap_or_default();
            match compare_error {
                ErrorCheck::None => None,
                ErrorCheck::Exact => (e.message != want).then(|| format!("error {:?}, want {want:?}", e.message)),
                // Go regexp messages are not reproduced; everything else must be exact.
                ErrorCheck::ExactUnlessRegexp => (!want.starts_with("error parsing regexp:") && e.message != want)
                    .then(|| format!("error {:?}, want {want:?}", e.message)),
            }
        }
    }
}

#[derive(Clone, Copy)]
enum ErrorCheck {
    None,
    Exact,
    ExactUnlessRegexp,
}

/// For UTF-8 parser errors with a `start:end:` prefix (character columns),
/// the byte span must cover the same characters.
fn check_error_span(input: &str, e: &MatcherError) -> Option<String> {
    let prefix = e.message.split(':').take(2).collect::<Vec<_>>();
    let [a, b] = prefix.as_slice() else {
        return None;
    };
    let (Ok(start), Ok(end)) = (a.parse::<usize>(), b.parse::<usize>()) else {
        return None;
    };
    if start == 0 && e.message.contains("brace") {
        // Upstream's brace errors report `0:end`, not the token; ours points at the token.
        return None;
    }
    let byte_at = |col: usize| input.char_indices().nth(col).map_or(input.len(), |(i, _)| i);
    let want = (byte_at(start), byte_at(end));
    (want != (e.span.start, e.span.end)).then(|| format!("span {:?}, want bytes {want:?}", e.span))
}

#[test]
fn alertmanager_matcher_tables() {
    let text = std::fs::read_to_string(DATA).expect("conformance data in tests/data/conformance");
    let mut counts: std::collections::BTreeMap<String, (usize, usize, usize)> = Default::default();
    let mut failures = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let row: Value = serde_json::from_str(line).expect("valid JSON row");
        let parser = row["parser"].as_str().unwrap_or_default().to_string();
        let func = row["func"].as_str().unwrap_or_default();
        let input = row["input"].as_str().unwrap_or_default();
        let source = row["source"].as_str().unwrap_or_default().to_string();
        let entry = counts.entry(parser.clone()).or_default();
        if row["skip"].as_bool() == Some(true) {
            entry.2 += 1;
            continue;
        }
        let outcome = match (parser.as_str(), func) {
            ("classic", _) => check(&row, parse_classic::parse_matchers(input), ErrorCheck::ExactUnlessRegexp),
            ("utf8", "parse.Matcher") => {
                let got = parse_utf8::parse_matcher(input).map(|m| vec![m]);
                let span_problem = got.as_ref().err().and_then(|e| check_error_span(input, e));
                check(&row, got, ErrorCheck::Exact).or(span_problem)
            }
            ("utf8", _) => {
                let got = parse_utf8::parse_matchers(input);
                let span_problem = got.as_ref().err().and_then(|e| check_error_span(input, e));
                check(&row, got, ErrorCheck::Exact).or(span_problem)
            }
            // TestCompliance only requires that an error occurs.
            ("compliance", _) => check(&row, parse_utf8::parse_matchers(input), ErrorCheck::None),
            ("fallback", "compat.FallbackMatcherParser") => {
                check(&row, compat::parse_matcher(input).map(|p| vec![p.value]), ErrorCheck::ExactUnlessRegexp)
            }
            ("fallback", _) => {
                check(&row, compat::parse_matchers(input).map(|p| p.value), ErrorCheck::ExactUnlessRegexp)
            }
            _ => Some(format!("unknown parser {parser}/{func}")),
        };
        match outcome {
            None => entry.0 += 1,
            Some(reason) => {
                entry.1 += 1;
                if !KNOWN_FAILURES.iter().any(|(s, _)| *s == source) {
                    failures.push(format!("{parser} {source} {input:?}: {reason}"));
                }
            }
        }
    }
    for (parser, (pass, fail, skip)) in &counts {
        println!("am_matchers {parser:<10} pass {pass:>3}  fail {fail:>3}  skipped {skip:>3}");
    }
    let total_pass: usize = counts.values().map(|c| c.0).sum();
    let total_fail: usize = counts.values().map(|c| c.1).sum();
    println!("am_matchers total pass {total_pass}, fail {total_fail} ({} known)", KNOWN_FAILURES.len());
    assert!(failures.is_empty(), "unexpected failures:\n{}", failures.join("\n"));
}

/// Fallback mode warns when it had to use the classic reading.
#[test]
fn fallback_reports_why() {
    let p = compat::parse_matchers("foo=!bar").unwrap();
    assert!(matches!(p.fallback, Some(compat::FallbackReason::Utf8Rejected(_))));
    let p = compat::parse_matchers(r#"foo="\xf0\x9f\x99\x82""#).unwrap();
    assert_eq!(p.fallback, Some(compat::FallbackReason::Disagreement));
    assert_eq!(p.value[0].value, r"\xf0\x9f\x99\x82");
    let p = compat::parse_matchers(r#"{foo="bar"}"#).unwrap();
    assert_eq!(p.fallback, None);
}

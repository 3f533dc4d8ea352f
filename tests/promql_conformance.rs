//! Upstream conformance: every case of Prometheus's own parser test table
//! (`tests/data/conformance/promql_parse.jsonl`, extracted from parse_test.go).
//!
//! For every case accept/reject must agree; for rejected cases the first
//! error's start offset must equal upstream's. End offsets, messages and the
//! full error lists are counted and printed, and the few cases that cannot
//! agree are listed below with the reason.

use alertlint::promql::{ExprKind, ParseOptions, parse};
use serde_json::Value;

const PARSE_CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/conformance/promql_parse.jsonl");

/// Cases whose outcome differs from upstream on purpose, with the reason.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[(
    "testExpr/259",
    "a 20,000-deep chain of binary operators: alertlint limits expression nesting to \
     MAX_NESTING_DEPTH so that no consumer of the tree can overflow the stack; upstream has no limit",
)];

fn decode_hex(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2).filter_map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()).collect()
}

fn options_of(case: &Value) -> ParseOptions {
    let flag = |name: &str| case["parser_options"][name].as_bool().unwrap_or(false);
    ParseOptions {
        experimental_functions: flag("EnableExperimentalFunctions"),
        duration_expressions: flag("ExperimentalDurationExpr"),
        extended_range_selectors: flag("EnableExtendedRangeSelectors"),
    }
}

#[test]
fn upstream_parser_test_table() {
    let text = std::fs::read_to_string(PARSE_CASES).expect("conformance data in tests/data/conformance");
    let mut total = 0;
    let mut agree = 0;
    let mut rejected = 0;
    let mut ends_equal = 0;
    let mut messages_equal = 0;
    let mut all_errors_equal = 0;
    let mut tree_checks = 0;
    let mut failures = Vec::new();
    let mut unexpectedly_fixed = Vec::new();

    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).expect("valid JSON line");
        let id = case["id"].as_str().unwrap_or("?").to_string();
        // Two inputs are not valid UTF-8; a &str cannot hold them, so the
        // invalid byte becomes U+FFFD, which the lexer rejects the same way.
        let input = match case["input"].as_str() {
            Some(s) => s.to_string(),
            None => String::from_utf8_lossy(&decode_hex(case["input_hex"].as_str().unwrap_or(""))).into_owned(),
        };
        let options = options_of(&case);
        let expect_ok = case["ok"].as_bool().unwrap_or(false);
        let result = parse(&input, &options);
        total += 1;

        let mut problem: Option<String> = None;
        match (&result, expect_ok) {
            (Ok(expr), true) => {
                if let Some(kind) = case["ast_type"].as_str() {
                    tree_checks += 1;
                    if expr.kind_name() != kind {
                        problem = Some(format!("top node {} instead of {kind}", expr.kind_name()));
                    }
                }
                if let Some(range) = case.get("pos_range") {
                    let want =
                        (range["start"].as_u64().unwrap_or(0) as usize, range["end"].as_u64().unwrap_or(0) as usize);
                    if (expr.span.start, expr.span.end) != want {
                        problem = Some(format!("span {:?} instead of {want:?}", expr.span));
                    }
                }
                if id == "TestNaNExpression/0" && !matches!(&expr.kind, ExprKind::NumberLiteral(n) if n.value.is_nan())
                {
                    problem = Some("not a NaN number literal".into());
                }
            }
            (Err(errors), true) => problem = Some(format!("rejected: {errors:?}")),
            (Ok(_), false) => problem = Some("accepted".into()),
            (Err(errors), false) => {
                rejected += 1;
                if case["errors_unspecified"].as_bool() != Some(true) {
                    let expected = case["errors"].as_array().cloned().unwrap_or_default();
                    let want = &expected[0];
                    let first = &errors[0];
                    let want_start = want["start"].as_u64().unwrap_or(0) as usize;
                    if first.span.start != want_start {
                        problem = Some(format!(
                            "first error at {}..{} {:?}, upstream {}..{} {:?}",
                            first.span.start, first.span.end, first.message, want_start, want["end"], want["msg"]
                        ));
                    }
                    if Some(first.span.end as u64) == want["end"].as_u64() {
                        ends_equal += 1;
                    }
                    if Some(first.message.as_str()) == want["msg"].as_str() {
                        messages_equal += 1;
                    } else {
                        eprintln!("message differs {id}: {:?} vs upstream {}", first.message, want["msg"]);
                    }
                    let same_list = errors.len() == expected.len()
                        && errors.iter().zip(&expected).all(|(got, want)| {
                            Some(got.span.start as u64) == want["start"].as_u64()
                                && Some(got.span.end as u64) == want["end"].as_u64()
                                && Some(got.message.as_str()) == want["msg"].as_str()
                        });
                    if same_list {
                        all_errors_equal += 1;
                    } else {
                        eprintln!(
                            "error list differs {id}: {} errors {:?}, upstream {}",
                            errors.len(),
                            &errors[..errors.len().min(3)],
                            expected.len()
                        );
                    }
                } else {
                    ends_equal += 1;
                    messages_equal += 1;
                    all_errors_equal += 1;
                }
            }
        }

        let known = KNOWN_DIFFERENCES.iter().any(|(known_id, _)| *known_id == id);
        match (problem, known) {
            (None, true) => unexpectedly_fixed.push(id),
            (None, false) => agree += 1,
            (Some(_), true) => {}
            (Some(p), false) => failures.push(format!("{id} {input:?}: {p}")),
        }
    }

    println!(
        "promql conformance: {agree}/{total} agree ({} known differences), of {rejected} rejected: \
         end offsets equal {ends_equal}, messages equal {messages_equal}, whole error lists equal {all_errors_equal}; \
         {tree_checks} top node kinds checked",
        KNOWN_DIFFERENCES.len()
    );
    assert!(failures.is_empty(), "{} cases disagree with upstream:\n{}", failures.len(), failures.join("\n"));
    assert!(unexpectedly_fixed.is_empty(), "listed as known differences but now agree: {unexpectedly_fixed:?}");
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let input = format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000));
    let errors = parse(&input, &ParseOptions::default()).unwrap_err();
    assert!(errors[0].message.contains("nesting too deep"), "{errors:?}");
    assert!(errors[0].span.start > 0 && errors[0].span.start < 100_000);

    let unary = format!("{}1", "-".repeat(100_000));
    assert!(parse(&unary, &ParseOptions::default()).is_err());

    let subqueries = format!("foo{}", "[1m:]".repeat(5_000));
    assert!(parse(&subqueries, &ParseOptions::default()).is_err());

    // A flat chain does not nest: upstream accepts any length; ours is bounded by the tree height.
    let chain = format!("a{}", " + a".repeat(5_000));
    assert!(parse(&chain, &ParseOptions::default()).is_ok());
    let too_long = format!("a{}", " + a".repeat(alertlint::promql::MAX_TREE_HEIGHT as usize));
    let errors = parse(&too_long, &ParseOptions::default()).unwrap_err();
    assert!(errors[0].message.contains("expression too long"), "{errors:?}");

    let fine = format!("{}1{}", "(".repeat(200), ")".repeat(200));
    assert!(parse(&fine, &ParseOptions::default()).is_ok());
}

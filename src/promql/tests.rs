//! Unit tests of the public parser API: tree shapes, spans, options, output.

use super::*;

fn parse_default(input: &str) -> Expr {
    match parse(input, &ParseOptions::default()) {
        Ok(e) => e,
        Err(errors) => panic!("{input:?} did not parse: {errors:?}"),
    }
}

fn first_error(input: &str, options: &ParseOptions) -> ParseError {
    match parse(input, options) {
        Ok(e) => panic!("{input:?} parsed: {e:?}"),
        Err(errors) => errors[0].clone(),
    }
}

#[test]
fn spans_cover_selectors_matchers_and_modifiers() {
    let input = r#"rate(http_requests_total{job="api", code=~"5.."}[5m] offset 1h) > 0.5"#;
    let expr = parse_default(input);
    let ExprKind::BinaryExpr(b) = &expr.kind else { panic!("{expr:?}") };
    assert_eq!(&input[b.op_span.range()], ">");
    let ExprKind::Call(call) = &b.lhs.kind else { panic!() };
    assert_eq!(call.func.name, "rate");
    assert_eq!(&input[call.name_span.range()], "rate");
    let ExprKind::MatrixSelector(m) = &call.args[0].kind else { panic!() };
    assert_eq!(&input[m.range_span.range()], "[5m]");
    assert_eq!(m.range.constant_seconds(), Some(300.0));
    let vs = m.selector().unwrap();
    assert_eq!(vs.name.as_deref(), Some("http_requests_total"));
    assert_eq!(&input[vs.matchers[1].span.range()], r#"code=~"5..""#);
    assert_eq!(&input[vs.matchers[1].value_span.range()], r#""5..""#);
    assert_eq!(vs.matchers[1].op, MatchOp::Regex);
    let offset = vs.offset.as_ref().unwrap();
    assert_eq!(&input[offset.span.range()], "offset 1h");
    assert_eq!(offset.duration.constant_seconds(), Some(3600.0));
    assert_eq!(&input[call.args[0].span.range()], "http_requests_total{job=\"api\", code=~\"5..\"}[5m] offset 1h");
    let ExprKind::NumberLiteral(n) = &b.rhs.kind else { panic!() };
    assert_eq!(n.value, 0.5);
}

#[test]
fn aggregation_grouping_and_vector_matching() {
    let input = r#"sum by (job, "a b") (x) / on (job) group_left (team) max without (instance) (y)"#;
    let expr = parse_default(input);
    let ExprKind::BinaryExpr(b) = &expr.kind else { panic!() };
    let m = b.matching.as_ref().unwrap();
    assert!(m.on);
    assert_eq!(m.card, VectorMatchCardinality::ManyToOne);
    assert_eq!(m.include[0].name, "team");
    assert_eq!(&input[m.group_span.unwrap().range()], "group_left (team)");
    let ExprKind::AggregateExpr(a) = &b.lhs.kind else { panic!() };
    let g = a.grouping.as_ref().unwrap();
    assert!(!g.without);
    assert_eq!(g.labels.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(), ["job", "a b"]);
    assert_eq!(&input[a.op_span.range()], "sum");
}

#[test]
fn quoted_metric_names_and_byte_strings() {
    let expr = parse_default(r#"{"foo.bar", "a b"="c"}"#);
    let ExprKind::VectorSelector(vs) = &expr.kind else { panic!() };
    assert_eq!(vs.metric_name(), Some("foo.bar"));
    assert!(vs.matchers[0].bare_metric_name);
    assert_eq!(vs.matchers[1].name, "a b");
    let expr = parse_default(r#""\xff\u263a""#);
    let ExprKind::StringLiteral(s) = &expr.kind else { panic!() };
    assert_eq!(s.value, [0xff, 0xe2, 0x98, 0xba]);
}

#[test]
fn numbers_in_every_upstream_form() {
    for (input, want) in
        [("0x1F", 31.0), ("1e3", 1000.0), ("1_000", 1000.0), ("1h30m", 5400.0), ("-Inf", f64::NEG_INFINITY)]
    {
        let ExprKind::NumberLiteral(n) = parse_default(input).kind else { panic!("{input}") };
        assert_eq!(n.value, want, "{input}");
    }
}

#[test]
fn experimental_syntax_is_gated_with_clear_errors() {
    let off = ParseOptions::default();
    let on = ParseOptions::all_enabled();
    for input in ["foo[5m+1m]", "foo[step()]", "foo offset max_of(1m, step())", "foo[(5m)]"] {
        assert_eq!(first_error(input, &off).message, "experimental duration expression is not enabled", "{input}");
        assert!(parse(input, &on).is_ok(), "{input}");
    }
    assert_eq!(first_error("first_over_time(x[5m])", &off).message, "function \"first_over_time\" is not enabled");
    assert!(first_error("limitk(2, x)", &off).message.starts_with("limitk() is experimental"));
    assert_eq!(first_error("x[5m] anchored", &off).message, "anchored modifier is experimental and not enabled");
    assert!(parse("x[5m] anchored", &on).is_ok());
}

#[test]
fn type_errors_have_upstream_positions() {
    let e = first_error("rate(foo)", &ParseOptions::default());
    assert_eq!((e.span.start, e.span.end), (5, 8));
    assert_eq!(e.message, "expected type range vector in call to function \"rate\", got instant vector");
    let e = first_error("sum(foo) offset 5m", &ParseOptions::default());
    assert!(e.message.starts_with("offset modifier must be preceded"));
    assert_eq!(format_error_position("a +\n  (", &first_error("a +\n  (", &ParseOptions::default())), "2:4");
}

#[test]
fn at_modifier_and_subquery() {
    let input = "max_over_time(foo[1h:5m] @ 1603774568)";
    let expr = parse_default(input);
    let ExprKind::Call(c) = &expr.kind else { panic!() };
    let ExprKind::SubqueryExpr(s) = &c.args[0].kind else { panic!() };
    assert_eq!(s.range.constant_seconds(), Some(3600.0));
    assert_eq!(s.step.as_ref().and_then(DurationExpr::constant_seconds), Some(300.0));
    assert_eq!(s.at.as_ref().map(|a| a.value), Some(AtValue::Timestamp(1_603_774_568_000)));
    assert_eq!(&input[s.brackets_span.range()], "[1h:5m]");
}

#[test]
fn walk_visits_every_node_in_source_order() {
    let expr = parse_default("sum(rate(a[5m])) + -b");
    let kinds: Vec<&str> = expr.iter().map(Expr::kind_name).collect();
    assert_eq!(
        kinds,
        ["BinaryExpr", "AggregateExpr", "Call", "MatrixSelector", "VectorSelector", "UnaryExpr", "VectorSelector"]
    );
    assert_eq!(expr.vector_selectors().count(), 2);
    assert_eq!(expr.value_type(), ValueType::Vector);
    assert_eq!(parse_default("1 + time()").value_type(), ValueType::Scalar);
}

#[test]
fn json_and_text_trees() {
    let input = r#"up{job="x"} == 0"#;
    let expr = parse_default(input);
    let json = tree_to_json(&expr);
    assert_eq!(json["tree"]["kind"], "BinaryExpr");
    assert_eq!(json["tree"]["lhs"]["name"], "up");
    assert_eq!(json["tree"]["lhs"]["matchers"][0]["value"], "x");
    assert_eq!(json["tree"]["rhs"]["end"], 16);
    let text = print_tree(&expr, input);
    assert_eq!(text.lines().count(), 3);
    assert!(text.starts_with("BinaryExpr 0..16 op=== `up{job=\"x\"} == 0`"), "{text}");
    assert!(text.contains("\n  VectorSelector 0..11 name=up job=\"x\""), "{text}");
    let errors = parse("foo{", &ParseOptions::default()).unwrap_err();
    assert_eq!(errors_to_json(&errors)["errors"][0]["message"], "unexpected end of input inside braces");
}

/// `walk` visits the nodes in the order a recursive walk over `children`
/// does: parents first, children in source order.
#[test]
fn walk_is_a_preorder_over_children() {
    fn preorder<'a>(e: &'a Expr, out: &mut Vec<&'a Expr>) {
        out.push(e);
        for child in e.children() {
            preorder(child, out);
        }
    }
    // The second expression is deep enough to outgrow the walk's inline stack.
    let chain = (0..60).map(|i| format!("m{i}")).collect::<Vec<_>>().join(" + ");
    let labels = (0..40).map(|i| format!("\"l{i}\"")).collect::<Vec<_>>().join(", ");
    let deep = format!("{chain} * label_join(x, \"dst\", \",\", {labels})");
    for text in [
        "topk(3, sum by (job) (rate(a{x=\"1\"}[5m] offset 1m))) / on (job) -max_over_time(b[1h:5m]) > bool (2 + max_over_time(c[5m]) * count_values(\"v\", d))",
        deep.as_str(),
    ] {
        let expr = parse(text, &ParseOptions::default()).expect("parses");
        let mut expected = Vec::new();
        preorder(&expr, &mut expected);
        let mut walked = Vec::new();
        expr.walk(|e| walked.push(e));
        assert!(expected.len() > 15);
        assert_eq!(walked.len(), expected.len());
        assert!(walked.iter().zip(&expected).all(|(a, b)| std::ptr::eq(*a, *b)));
    }
}

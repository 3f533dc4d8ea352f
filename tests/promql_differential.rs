//! Differential test against the `promql-parser` crate (0.11) on every rule
//! expression of the shared corpus: both parsers must accept, and the trees
//! must agree on node kinds, metric names, matchers, operators and numbers.
//! Known differences of `promql-parser` are listed with the reason.

mod common;
mod promql_corpus;

use alertlint::promql::{self as ours, ExprKind, ParseOptions};
use promql_corpus::corpus_expressions;
use promql_parser::parser as theirs;

/// Expressions (by rule name) where `promql-parser` is known to differ, with the reason.
/// Empty at present: the differences met so far are handled generically below
/// (promql-parser does not gate experimental functions, and MetricsQL-only
/// expressions in VictoriaMetrics files are rejected by both).
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[];

fn ms(seconds: f64) -> i64 {
    (seconds * 1000.0).round() as i64
}

fn fmt_num(v: f64) -> String {
    if v == 0.0 { "0".to_string() } else { format!("{v}") }
}

/// A normalised rendering of alertlint's tree.
fn render_ours(e: &ours::Expr) -> String {
    match &e.kind {
        ExprKind::NumberLiteral(n) => format!("num({})", fmt_num(n.value)),
        ExprKind::StringLiteral(s) => format!("str({:?})", s.value_lossy()),
        ExprKind::VectorSelector(vs) => render_selector_ours(vs),
        ExprKind::MatrixSelector(m) => {
            let vs = m.selector().map(render_selector_ours).unwrap_or_default();
            format!("matrix({vs}; {})", m.range.constant_seconds().map_or(-1, ms))
        }
        ExprKind::SubqueryExpr(s) => format!(
            "subquery({}; {}; {}; offset {}; at {})",
            render_ours(&s.expr),
            s.range.constant_seconds().map_or(-1, ms),
            s.step.as_ref().and_then(|d| d.constant_seconds()).map_or(0, ms),
            s.offset.as_ref().and_then(|o| o.duration.constant_seconds()).map_or(0, ms),
            render_at_ours(s.at.as_ref())
        ),
        ExprKind::Call(c) => {
            format!("{}({})", c.func.name, c.args.iter().map(render_ours).collect::<Vec<_>>().join(", "))
        }
        ExprKind::AggregateExpr(a) => {
            let grouping = a.grouping.as_ref().map_or(String::new(), |g| {
                let labels: Vec<&str> = g.labels.iter().map(|l| l.name.as_str()).collect();
                format!(" {}({})", if g.without { "without" } else { "by" }, labels.join(","))
            });
            let param = a.param.as_ref().map_or(String::new(), |p| format!("{}, ", render_ours(p)));
            format!("{}{grouping}({param}{})", a.op.as_str(), render_ours(&a.expr))
        }
        ExprKind::BinaryExpr(b) => {
            let mut modifiers = String::new();
            if b.return_bool {
                modifiers.push_str(" bool");
            }
            if let Some(m) = &b.matching {
                if m.matching_span.is_some() {
                    let labels: Vec<&str> = m.matching_labels.iter().map(|l| l.name.as_str()).collect();
                    modifiers.push_str(&format!(" {}({})", if m.on { "on" } else { "ignoring" }, labels.join(",")));
                }
                if m.group_span.is_some() {
                    let labels: Vec<&str> = m.include.iter().map(|l| l.name.as_str()).collect();
                    let side = if m.card == ours::VectorMatchCardinality::ManyToOne { "left" } else { "right" };
                    modifiers.push_str(&format!(" group_{side}({})", labels.join(",")));
                }
            }
            format!("({} {}{modifiers} {})", render_ours(&b.lhs), b.op.as_str(), render_ours(&b.rhs))
        }
        ExprKind::UnaryExpr(u) => match u.op {
            ours::UnaryOp::Sub => format!("neg({})", render_ours(&u.expr)),
            ours::UnaryOp::Add => render_ours(&u.expr),
        },
        ExprKind::ParenExpr(p) => format!("paren({})", render_ours(&p.expr)),
    }
}

fn render_at_ours(at: Option<&ours::AtModifier>) -> String {
    match at.map(|a| a.value) {
        None => "-".into(),
        Some(ours::AtValue::Start) => "start".into(),
        Some(ours::AtValue::End) => "end".into(),
        Some(ours::AtValue::Timestamp(t)) => t.to_string(),
    }
}

fn render_matchers(name: Option<&str>, mut matchers: Vec<String>) -> String {
    matchers.sort();
    format!("vs({}; {})", name.unwrap_or(""), matchers.join(", "))
}

fn render_selector_ours(vs: &ours::VectorSelector) -> String {
    let matchers = vs.matchers.iter().map(|m| format!("{}{}{:?}", m.name, m.op.as_str(), m.value)).collect();
    let offset = vs.offset.as_ref().and_then(|o| o.duration.constant_seconds()).map_or(0, ms);
    format!("{} offset {} at {}", render_matchers(vs.name.as_deref(), matchers), offset, render_at_ours(vs.at.as_ref()))
}

fn render_theirs(e: &theirs::Expr) -> String {
    use theirs::Expr as E;
    match e {
        E::NumberLiteral(n) => format!("num({})", fmt_num(n.val)),
        E::StringLiteral(s) => format!("str({:?})", s.val),
        E::VectorSelector(vs) => render_selector_theirs(vs),
        E::MatrixSelector(m) => format!("matrix({}; {})", render_selector_theirs(&m.vs), m.range.as_millis()),
        E::Subquery(s) => format!(
            "subquery({}; {}; {}; offset {}; at {})",
            render_theirs(&s.expr),
            s.range.as_millis(),
            s.step.map_or(0, |d| d.as_millis()),
            render_offset_theirs(s.offset.as_ref()),
            render_at_theirs(s.at.as_ref())
        ),
        E::Call(c) => {
            let args: Vec<String> = c.args.args.iter().map(|a| render_theirs(a)).collect();
            format!("{}({})", c.func.name, args.join(", "))
        }
        E::Aggregate(a) => {
            let grouping = match &a.modifier {
                None => String::new(),
                Some(theirs::LabelModifier::Include(l)) => format!(" by({})", l.labels.join(",")),
                Some(theirs::LabelModifier::Exclude(l)) => {
                    format!(" without({})", l.labels.join(","))
                }
            };
            let param = a.param.as_ref().map_or(String::new(), |p| format!("{}, ", render_theirs(p)));
            format!("{}{grouping}({param}{})", a.op.to_string().to_lowercase(), render_theirs(&a.expr))
        }
        E::Binary(b) => {
            let mut modifiers = String::new();
            if let Some(m) = &b.modifier {
                if m.return_bool {
                    modifiers.push_str(" bool");
                }
                match &m.matching {
                    Some(theirs::LabelModifier::Include(l)) => {
                        modifiers.push_str(&format!(" on({})", l.labels.join(",")))
                    }
                    Some(theirs::LabelModifier::Exclude(l)) => {
                        modifiers.push_str(&format!(" ignoring({})", l.labels.join(",")))
                    }
                    None => {}
                }
                match &m.card {
                    theirs::VectorMatchCardinality::ManyToOne(l) => {
                        modifiers.push_str(&format!(" group_left({})", l.labels.join(",")))
                    }
                    theirs::VectorMatchCardinality::OneToMany(l) => {
                        modifiers.push_str(&format!(" group_right({})", l.labels.join(",")))
                    }
                    _ => {}
                }
            }
            format!(
                "({} {}{modifiers} {})",
                render_theirs(&b.lhs),
                b.op.to_string().to_lowercase(),
                render_theirs(&b.rhs)
            )
        }
        E::Unary(u) => format!("neg({})", render_theirs(&u.expr)),
        E::Paren(p) => format!("paren({})", render_theirs(&p.expr)),
        E::Extension(_) => "extension".into(),
    }
}

fn render_offset_theirs(o: Option<&theirs::Offset>) -> i128 {
    match o {
        None => 0,
        Some(theirs::Offset::Pos(d)) => d.as_millis() as i128,
        Some(theirs::Offset::Neg(d)) => -(d.as_millis() as i128),
    }
}

fn render_at_theirs(at: Option<&theirs::AtModifier>) -> String {
    match at {
        None => "-".into(),
        Some(theirs::AtModifier::Start) => "start".into(),
        Some(theirs::AtModifier::End) => "end".into(),
        Some(theirs::AtModifier::At(t)) => match t.duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => (d.as_millis() as i128).to_string(),
            Err(e) => (-(e.duration().as_millis() as i128)).to_string(),
        },
    }
}

fn render_selector_theirs(vs: &theirs::VectorSelector) -> String {
    let matchers = vs
        .matchers
        .matchers
        .iter()
        // promql-parser repeats the metric name as a matcher; alertlint keeps it apart.
        .filter(|m| !(vs.name.as_deref() == Some(m.value.as_str()) && m.name == "__name__"))
        .map(|m| format!("{}{}{:?}", m.name, m.op, m.value))
        .collect();
    format!(
        "{} offset {} at {}",
        render_matchers(vs.name.as_deref(), matchers),
        render_offset_theirs(vs.offset.as_ref()),
        render_at_theirs(vs.at.as_ref())
    )
}

/// Folds `neg(num(x))` into `num(-x)` so that sign handling does not count as a difference.
fn fold_negated_numbers(s: &str) -> String {
    let mut out = s.to_string();
    while let Some(i) = out.find("neg(num(") {
        let rest = &out[i + 8..];
        let Some(close) = rest.find("))") else { break };
        let value: f64 = rest[..close].parse().unwrap_or(f64::NAN);
        out = format!("{}num({}){}", &out[..i], fmt_num(-value), &rest[close + 2..]);
    }
    out
}

#[test]
fn corpus_agrees_with_promql_parser() {
    if !common::corpus_present("corpus_agrees_with_promql_parser") {
        return;
    }
    let exprs = corpus_expressions();
    assert!(exprs.len() > 500, "corpus not found or too small: {}", exprs.len());
    let options = ParseOptions::default();
    let mut agree = 0;
    let mut experimental = 0;
    let mut both_reject = 0;
    let mut known = 0;
    let mut failures = Vec::new();
    for item in &exprs {
        let mut ours = ours::parse(&item.expr, &options);
        let theirs = theirs::parse(&item.expr);
        if ours.is_err() && theirs.is_ok() {
            // promql-parser accepts experimental functions without a feature flag.
            let with_features = ours::parse(&item.expr, &ParseOptions::all_enabled());
            if with_features.is_ok() {
                experimental += 1;
                ours = with_features;
            }
        }
        let outcome = match (&ours, &theirs) {
            (Err(_), Err(_)) => {
                // Not PromQL (MetricsQL functions in VictoriaMetrics examples): both refuse it.
                both_reject += 1;
                None
            }
            (Ok(a), Ok(b)) => {
                let (a, b) = (fold_negated_numbers(&render_ours(a)), fold_negated_numbers(&render_theirs(b)));
                if a == b { None } else { Some(format!("trees differ:\n    ours:   {a}\n    theirs: {b}")) }
            }
            (Err(e), Ok(_)) => Some(format!("only promql-parser accepts; ours: {}", e[0].message)),
            (Ok(_), Err(e)) => Some(format!("only alertlint accepts; promql-parser: {e}")),
        };
        match outcome {
            None => agree += 1,
            Some(_) if KNOWN_DIFFERENCES.iter().any(|(rule, _)| *rule == item.rule) => known += 1,
            Some(why) => failures.push(format!("{} rule {:?}: {:?}\n  {why}", item.file, item.rule, item.expr)),
        }
    }
    println!(
        "promql differential: {agree}/{} corpus expressions agree with promql-parser \
         ({experimental} only with experimental functions enabled, {both_reject} rejected by both), \
         {known} known differences",
        exprs.len()
    );
    assert!(both_reject < exprs.len() / 100, "too many expressions rejected by both: {both_reject}");
    assert!(failures.is_empty(), "{} differences:\n{}", failures.len(), failures.join("\n"));
}

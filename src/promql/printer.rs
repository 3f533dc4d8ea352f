//! The readable tree `alertlint parse` prints: one node per line, indented by
//! depth, with its byte range, its details and the source text it covers.

use std::fmt::Write;

use super::ast::*;

const SNIPPET_CHARS: usize = 60;

/// A label value (or a name that needs quoting) in double quotes, escaped as
/// PromQL selectors and OpenMetrics print it: backslash, double quote and
/// newline, nothing else.
pub fn quote_label_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The text from `start` to `end` on one line, cut to 60 characters: for trees and messages.
pub fn snippet(input: &str, start: usize, end: usize) -> String {
    let text = input.get(start..end).unwrap_or("");
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > SNIPPET_CHARS {
        let cut: String = one_line.chars().take(SNIPPET_CHARS - 1).collect();
        format!("{cut}…")
    } else {
        one_line
    }
}

fn seconds(d: &DurationExpr) -> String {
    match d.constant_seconds() {
        Some(s) => format!("{s}s"),
        None => "(depends on step/range)".to_string(),
    }
}

fn label_list(labels: &[LabelName]) -> String {
    labels.iter().map(|l| l.name.as_str()).collect::<Vec<_>>().join(", ")
}

fn details(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::NumberLiteral(n) => format!("value={}", n.value),
        ExprKind::StringLiteral(s) => format!("value={:?}", s.value_lossy()),
        ExprKind::VectorSelector(vs) => {
            let mut out = String::new();
            if let Some(name) = &vs.name {
                let _ = write!(out, "name={name}");
            }
            for m in &vs.matchers {
                let _ = write!(out, " {}{}{:?}", m.name, m.op.as_str(), m.value);
            }
            if let Some(o) = &vs.offset {
                let _ = write!(out, " offset={}", seconds(&o.duration));
            }
            if let Some(a) = &vs.at {
                let _ = write!(out, " @{:?}", a.value);
            }
            out.trim_start().to_string()
        }
        ExprKind::MatrixSelector(m) => format!("range={}", seconds(&m.range)),
        ExprKind::SubqueryExpr(s) => {
            let step = s.step.as_ref().map_or("default".to_string(), seconds);
            format!("range={} step={step}", seconds(&s.range))
        }
        ExprKind::Call(c) => format!("func={}", c.func.name),
        ExprKind::AggregateExpr(a) => match &a.grouping {
            Some(g) => {
                format!("op={} {}({})", a.op.as_str(), if g.without { "without" } else { "by" }, label_list(&g.labels))
            }
            None => format!("op={}", a.op.as_str()),
        },
        ExprKind::BinaryExpr(b) => {
            let mut out = format!("op={}", b.op.as_str());
            if b.return_bool {
                out.push_str(" bool");
            }
            if let Some(m) = &b.matching {
                if m.matching_span.is_some() {
                    let _ =
                        write!(out, " {}({})", if m.on { "on" } else { "ignoring" }, label_list(&m.matching_labels));
                }
                if m.group_span.is_some() {
                    let side = if m.card == VectorMatchCardinality::ManyToOne { "group_left" } else { "group_right" };
                    let _ = write!(out, " {side}({})", label_list(&m.include));
                }
            }
            out
        }
        ExprKind::UnaryExpr(u) => format!("op={}", u.op.as_str()),
        ExprKind::ParenExpr(_) => String::new(),
    }
}

/// The tree as indented text, for `alertlint parse`.
pub fn print_tree(expr: &Expr, input: &str) -> String {
    let mut out = String::new();
    // An explicit stack of (node, depth) keeps printing free of recursion.
    let mut stack = vec![(expr, 0usize)];
    while let Some((e, depth)) = stack.pop() {
        let detail = details(e);
        let _ = writeln!(
            out,
            "{:indent$}{} {}..{}{}{} `{}`",
            "",
            e.kind_name(),
            e.span.start,
            e.span.end,
            if detail.is_empty() { "" } else { " " },
            detail,
            snippet(input, e.span.start, e.span.end),
            indent = depth * 2
        );
        let first_child = stack.len();
        stack.extend(e.children().map(|c| (c, depth + 1)));
        stack[first_child..].reverse();
    }
    out
}

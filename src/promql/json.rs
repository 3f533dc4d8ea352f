//! The `alertlint parse --format json` tree (see SPEC.md): every node has
//! `kind`, `start`, `end` (byte offsets into the expression) and `type`, plus
//! the details a reader needs (`name`, `matchers`, `op`, `value`, `func`,
//! `grouping`...). Children are under `expr`, `lhs`/`rhs`, `args`, `param`
//! and `vector_selector`.

use serde_json::{Map, Value, json};

use super::ParseError;
use super::ast::*;
use crate::span::Span;

fn number(v: f64) -> Value {
    if v.is_finite() {
        json!(v)
    } else if v.is_nan() {
        json!("NaN")
    } else if v > 0.0 {
        json!("+Inf")
    } else {
        json!("-Inf")
    }
}

fn span_fields(map: &mut Map<String, Value>, span: Span) {
    map.insert("start".into(), json!(span.start));
    map.insert("end".into(), json!(span.end));
}

fn duration(d: &DurationExpr) -> Value {
    let mut map = Map::new();
    map.insert("seconds".into(), d.constant_seconds().map_or(Value::Null, number));
    if !d.is_literal() {
        map.insert("expression".into(), json!(true));
    }
    span_fields(&mut map, d.span);
    Value::Object(map)
}

fn labels(list: &[LabelName]) -> Value {
    list.iter().map(|l| json!({"name": l.name, "start": l.span.start, "end": l.span.end})).collect()
}

fn offset(o: &Offset) -> Value {
    json!({"duration": duration(&o.duration), "start": o.span.start, "end": o.span.end})
}

fn at(a: &AtModifier) -> Value {
    let value = match a.value {
        AtValue::Timestamp(ms) => json!(ms as f64 / 1000.0),
        AtValue::Start => json!("start()"),
        AtValue::End => json!("end()"),
    };
    json!({"value": value, "start": a.span.start, "end": a.span.end})
}

fn selector_fields(map: &mut Map<String, Value>, vs: &VectorSelector) {
    if let Some(name) = &vs.name {
        map.insert("name".into(), json!(name));
    }
    let matchers: Vec<Value> = vs
        .matchers
        .iter()
        .map(|m| {
            json!({"name": m.name, "op": m.op.as_str(), "value": m.value, "start": m.span.start, "end": m.span.end})
        })
        .collect();
    map.insert("matchers".into(), Value::Array(matchers));
    if let Some(o) = &vs.offset {
        map.insert("offset".into(), offset(o));
    }
    if let Some(a) = &vs.at {
        map.insert("at".into(), at(a));
    }
    if vs.anchored {
        map.insert("anchored".into(), json!(true));
    }
    if vs.smoothed {
        map.insert("smoothed".into(), json!(true));
    }
}

impl Expr {
    /// The node as the `alertlint parse --format json` tree.
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        map.insert("kind".into(), json!(self.kind_name()));
        span_fields(&mut map, self.span);
        map.insert("type".into(), json!(self.value_type().name()));
        match &self.kind {
            ExprKind::NumberLiteral(n) => {
                map.insert("value".into(), number(n.value));
                if n.is_duration {
                    map.insert("duration".into(), json!(true));
                }
            }
            ExprKind::StringLiteral(s) => {
                map.insert("value".into(), json!(s.value_lossy()));
            }
            ExprKind::VectorSelector(vs) => selector_fields(&mut map, vs),
            ExprKind::MatrixSelector(m) => {
                let mut range = duration(&m.range).as_object().cloned().unwrap_or_default();
                span_fields(&mut range, m.range_span);
                map.insert("range".into(), Value::Object(range));
                map.insert("vector_selector".into(), m.vector_selector.to_json());
            }
            ExprKind::SubqueryExpr(s) => {
                map.insert("range".into(), duration(&s.range));
                if let Some(step) = &s.step {
                    map.insert("step".into(), duration(step));
                }
                if let Some(o) = &s.offset {
                    map.insert("offset".into(), offset(o));
                }
                if let Some(a) = &s.at {
                    map.insert("at".into(), at(a));
                }
                map.insert("expr".into(), s.expr.to_json());
            }
            ExprKind::Call(c) => {
                map.insert("func".into(), json!(c.func.name));
                map.insert("args".into(), c.args.iter().map(Expr::to_json).collect());
            }
            ExprKind::AggregateExpr(a) => {
                map.insert("op".into(), json!(a.op.as_str()));
                if let Some(g) = &a.grouping {
                    map.insert(
                        "grouping".into(),
                        json!({"without": g.without, "labels": labels(&g.labels), "start": g.span.start, "end": g.span.end}),
                    );
                }
                if let Some(p) = &a.param {
                    map.insert("param".into(), p.to_json());
                }
                map.insert("expr".into(), a.expr.to_json());
            }
            ExprKind::BinaryExpr(b) => {
                map.insert("op".into(), json!(b.op.as_str()));
                if b.return_bool {
                    map.insert("bool".into(), json!(true));
                }
                if let Some(m) = &b.matching {
                    let mut matching = Map::new();
                    matching.insert("card".into(), json!(m.card.as_str()));
                    if m.matching_span.is_some() {
                        matching.insert(if m.on { "on" } else { "ignoring" }.into(), labels(&m.matching_labels));
                    }
                    if m.group_span.is_some() {
                        matching.insert("include".into(), labels(&m.include));
                    }
                    map.insert("matching".into(), Value::Object(matching));
                }
                map.insert("lhs".into(), b.lhs.to_json());
                map.insert("rhs".into(), b.rhs.to_json());
            }
            ExprKind::UnaryExpr(u) => {
                map.insert("op".into(), json!(u.op.as_str()));
                map.insert("expr".into(), u.expr.to_json());
            }
            ExprKind::ParenExpr(p) => {
                map.insert("expr".into(), p.expr.to_json());
            }
        }
        Value::Object(map)
    }
}

/// `{"ok": false, "errors": [{"start", "end", "message"}]}`.
pub fn errors_to_json(errors: &[ParseError]) -> Value {
    let errors: Vec<Value> =
        errors.iter().map(|e| json!({"start": e.span.start, "end": e.span.end, "message": e.message})).collect();
    json!({"ok": false, "errors": errors})
}

/// `{"ok": true, "tree": {...}}`.
pub fn tree_to_json(expr: &Expr) -> Value {
    json!({"ok": true, "tree": expr.to_json()})
}

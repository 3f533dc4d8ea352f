//! Upstream's `checkAST`: type checking after a syntactically clean parse.
//! Recursion here is bounded by the parser's nesting limit.

use super::ParseError;
use super::ast::*;
use super::literals::go_quote;
use super::regex_check::regex_matches_empty;
use crate::span::Span;

pub(crate) struct Checker<'a> {
    pub input: &'a str,
    pub errors: &'a mut Vec<ParseError>,
}

fn is_space_byte(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn matcher_matches_empty(m: &Matcher) -> bool {
    match m.op {
        MatchOp::Equal => m.value.is_empty(),
        MatchOp::NotEqual => !m.value.is_empty(),
        MatchOp::Regex => regex_matches_empty(&m.value),
        MatchOp::NotRegex => !regex_matches_empty(&m.value),
    }
}

impl Checker<'_> {
    fn error(&mut self, span: Span, message: String) {
        self.errors.push(ParseError { span, message });
    }

    /// Upstream's position of a binary operator: from the end of the left side
    /// (skipping spaces) to the last non-space byte before the right side.
    /// The end is that byte's offset, not one past it, as upstream computes it.
    fn operator_range(&self, lhs: Span, rhs: Span) -> Span {
        let bytes = self.input.as_bytes();
        let mut start = lhs.end;
        while bytes.get(start).is_some_and(|&b| is_space_byte(b)) {
            start += 1;
        }
        let mut end = rhs.start.saturating_sub(1);
        while end > 0 && bytes.get(end).is_some_and(|&b| is_space_byte(b)) {
            end -= 1;
        }
        Span::new(start, end)
    }

    fn expect_type(&mut self, e: &mut Expr, want: ValueType, context: &str) {
        let got = self.check(e);
        if got != want {
            let message =
                format!("expected type {} in {}, got {}", want.documented_name(), context, got.documented_name());
            self.error(e.span, message);
        }
    }

    pub fn check(&mut self, e: &mut Expr) -> ValueType {
        self.check_node(e, false)
    }

    fn check_node(&mut self, e: &mut Expr, bypass_empty_matcher_check: bool) -> ValueType {
        let ty = e.value_type();
        let span = e.span;
        match &mut e.kind {
            ExprKind::AggregateExpr(a) => {
                self.expect_type(&mut a.expr, ValueType::Vector, "aggregation expression");
                let param_type = match a.op {
                    AggregateOp::Topk
                    | AggregateOp::Bottomk
                    | AggregateOp::Quantile
                    | AggregateOp::Limitk
                    | AggregateOp::LimitRatio => Some(ValueType::Scalar),
                    AggregateOp::CountValues => Some(ValueType::String),
                    _ => None,
                };
                if let (Some(want), Some(param)) = (param_type, a.param.as_deref_mut()) {
                    self.expect_type(param, want, "aggregation parameter");
                }
            }
            ExprKind::BinaryExpr(b) => self.check_binary(b, span),
            ExprKind::Call(c) => self.check_call(c, span),
            ExprKind::ParenExpr(p) => {
                self.check(&mut p.expr);
            }
            ExprKind::UnaryExpr(u) => {
                let t = self.check(&mut u.expr);
                if t != ValueType::Scalar && t != ValueType::Vector {
                    let message = format!(
                        "unary expression only allowed on expressions of type scalar or instant vector, got {}",
                        go_quote(t.documented_name())
                    );
                    self.error(span, message);
                }
            }
            ExprKind::SubqueryExpr(s) => {
                let t = self.check(&mut s.expr);
                if t != ValueType::Vector {
                    self.error(span, format!("subquery is only allowed on instant vector, got {} instead", t.name()));
                }
            }
            ExprKind::MatrixSelector(m) => {
                self.check(&mut m.vector_selector);
            }
            ExprKind::VectorSelector(vs) => {
                if let Some(name) = &vs.name {
                    for m in &vs.matchers {
                        if m.name == "__name__" {
                            let message = format!(
                                "metric name must not be set twice: {} or {}",
                                go_quote(name),
                                go_quote(&m.value)
                            );
                            self.errors.push(ParseError { span, message });
                        }
                    }
                } else if !bypass_empty_matcher_check && vs.matchers.iter().all(matcher_matches_empty) {
                    self.error(span, "vector selector must contain at least one non-empty matcher".to_string());
                }
            }
            ExprKind::NumberLiteral(_) | ExprKind::StringLiteral(_) => {}
        }
        ty
    }

    fn check_binary(&mut self, b: &mut BinaryExpr, span: Span) {
        let lt = self.check(&mut b.lhs);
        let rt = self.check(&mut b.rhs);
        let op = b.op;
        if b.return_bool && !op.is_comparison() {
            let range = self.operator_range(b.lhs.span, b.rhs.span);
            self.error(range, "bool modifier can only be used on comparison operators".to_string());
        }
        if op.is_comparison() && !b.return_bool && lt == ValueType::Scalar && rt == ValueType::Scalar {
            let range = self.operator_range(b.lhs.span, b.rhs.span);
            self.error(range, "comparisons between scalars must use BOOL modifier".to_string());
        }
        if let Some(matching) = &mut b.matching {
            if op.is_set_operator() && matching.card == VectorMatchCardinality::OneToOne {
                matching.card = VectorMatchCardinality::ManyToMany;
            }
            if matching.on {
                let duplicates: Vec<String> = matching
                    .matching_labels
                    .iter()
                    .flat_map(|l1| matching.include.iter().filter(move |l2| l1.name == l2.name))
                    .map(|l| l.name.clone())
                    .collect();
                for label in duplicates {
                    let range = self.operator_range(b.lhs.span, b.rhs.span);
                    self.error(
                        range,
                        format!("label {} must not occur in ON and GROUP clause at once", go_quote(&label)),
                    );
                }
            }
        }
        let scalar_or_vector = |t: ValueType| t == ValueType::Scalar || t == ValueType::Vector;
        if !scalar_or_vector(lt) {
            self.error(b.lhs.span, "binary expression must contain only scalar and instant vector types".to_string());
        }
        if !scalar_or_vector(rt) {
            self.error(b.rhs.span, "binary expression must contain only scalar and instant vector types".to_string());
        }
        if lt != ValueType::Vector || rt != ValueType::Vector {
            if b.matching.as_ref().is_some_and(|m| !m.matching_labels.is_empty()) {
                self.error(span, "vector matching only allowed between instant vectors".to_string());
            }
            b.matching = None;
        } else if op.is_set_operator() {
            if let Some(matching) = &b.matching {
                let card = matching.card;
                if matches!(card, VectorMatchCardinality::OneToMany | VectorMatchCardinality::ManyToOne) {
                    self.error(span, format!("no grouping allowed for {} operation", go_quote(op.as_str())));
                }
                if card != VectorMatchCardinality::ManyToMany {
                    self.error(span, "set operations must always be many-to-many".to_string());
                }
            }
        }
        if (lt == ValueType::Scalar || rt == ValueType::Scalar) && op.is_set_operator() {
            self.error(span, format!("set operator {} not allowed in binary scalar expression", go_quote(op.as_str())));
        }
    }

    fn check_call(&mut self, c: &mut Call, span: Span) {
        let func = c.func;
        // Quoted only for a message: most calls are right.
        let name = || go_quote(func.name);
        let nargs = func.arg_types.len();
        let given = c.args.len();
        if func.variadic == 0 {
            if nargs != given {
                self.error(span, format!("expected {nargs} argument(s) in call to {}, got {given}", name()));
            }
        } else {
            let min = nargs.saturating_sub(1);
            if min > given {
                self.error(span, format!("expected at least {min} argument(s) in call to {}, got {given}", name()));
            } else if func.variadic > 0 {
                let max = min + func.variadic as usize;
                if max < given {
                    self.error(span, format!("expected at most {max} argument(s) in call to {}, got {given}", name()));
                }
            }
        }
        let mut label_selector_arg = None;
        if func.name == "info" && given > 1 {
            let second = &c.args[1];
            let t = second.value_type();
            if t != ValueType::Vector {
                let message = format!(
                    "expected type {} in call to function {}, got {}",
                    ValueType::Vector.documented_name(),
                    name(),
                    t.documented_name()
                );
                self.error(span, message);
            }
            match &second.kind {
                ExprKind::VectorSelector(vs) if vs.name.is_some() => {
                    self.error(second.span, "expected label selectors only, got vector selector instead".to_string());
                }
                ExprKind::VectorSelector(_) => label_selector_arg = Some(1),
                _ => self.error(second.span, "expected label selectors only".to_string()),
            }
        }
        for (i, arg) in c.args.iter_mut().enumerate() {
            let Some(want) = func.arg_type(i) else { break };
            let got = self.check_node(arg, label_selector_arg == Some(i));
            if got != want {
                let message = format!(
                    "expected type {} in call to function {}, got {}",
                    want.documented_name(),
                    name(),
                    got.documented_name()
                );
                self.error(arg.span, message);
            }
        }
    }
}

//! The PromQL syntax tree. Node names follow upstream (`promql/parser/ast.go`);
//! every node and every part a lint may point at carries a byte [`Span`]
//! relative to the parsed expression string.

use std::borrow::Cow;

use super::functions::Function;
use crate::span::Span;

/// The type of value an expression evaluates to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueType {
    Scalar,
    Vector,
    Matrix,
    String,
}

impl ValueType {
    /// Upstream's internal name (`scalar`, `vector`, `matrix`, `string`).
    pub fn name(self) -> &'static str {
        match self {
            ValueType::Scalar => "scalar",
            ValueType::Vector => "vector",
            ValueType::Matrix => "matrix",
            ValueType::String => "string",
        }
    }

    /// The name used in upstream error messages and documentation.
    pub fn documented_name(self) -> &'static str {
        match self {
            ValueType::Scalar => "scalar",
            ValueType::Vector => "instant vector",
            ValueType::Matrix => "range vector",
            ValueType::String => "string",
        }
    }
}

/// One node of the tree: what it is and where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    /// The node's position range, as upstream's `PositionRange()`.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    NumberLiteral(NumberLiteral),
    StringLiteral(StringLiteral),
    // Large nodes are boxed to keep `Expr` small: parser frames hold many of them.
    VectorSelector(Box<VectorSelector>),
    MatrixSelector(Box<MatrixSelector>),
    Call(Call),
    AggregateExpr(Box<AggregateExpr>),
    BinaryExpr(Box<BinaryExpr>),
    UnaryExpr(UnaryExpr),
    ParenExpr(ParenExpr),
    SubqueryExpr(Box<SubqueryExpr>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct NumberLiteral {
    pub value: f64,
    /// Written as a duration (`5m`), whose value is in seconds.
    pub is_duration: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StringLiteral {
    /// The unescaped value. PromQL strings are byte strings: `"\xff"` is one byte 0xFF.
    pub value: Vec<u8>,
}

impl StringLiteral {
    /// The value as text, invalid UTF-8 replaced by U+FFFD.
    pub fn value_lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.value)
    }
}

/// A label matcher's operator, in PromQL selectors and in Alertmanager
/// matchers alike: both anchor their regexes (`^(?:...)$`), and a missing
/// label matches as the empty value in both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchOp {
    /// `=`
    Equal,
    /// `!=`
    NotEqual,
    /// `=~`
    Regex,
    /// `!~`
    NotRegex,
}

impl MatchOp {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchOp::Equal => "=",
            MatchOp::NotEqual => "!=",
            MatchOp::Regex => "=~",
            MatchOp::NotRegex => "!~",
        }
    }

    pub fn parse(s: &str) -> Option<MatchOp> {
        match s {
            "=" => Some(MatchOp::Equal),
            "!=" => Some(MatchOp::NotEqual),
            "=~" => Some(MatchOp::Regex),
            "!~" => Some(MatchOp::NotRegex),
            _ => None,
        }
    }

    pub fn is_regex(self) -> bool {
        matches!(self, MatchOp::Regex | MatchOp::NotRegex)
    }

    pub fn is_negative(self) -> bool {
        matches!(self, MatchOp::NotEqual | MatchOp::NotRegex)
    }
}

impl std::fmt::Display for MatchOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One label matcher inside `{...}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Matcher {
    pub name: String,
    pub name_span: Span,
    pub op: MatchOp,
    /// The unescaped value (invalid UTF-8 from `\x` escapes replaced by U+FFFD).
    pub value: String,
    pub value_span: Span,
    /// The whole matcher, `name="value"`.
    pub span: Span,
    /// A bare quoted metric name such as `{"foo.bar"}`: name is `__name__`,
    /// op `=`, and name and value spans are both the string.
    pub bare_metric_name: bool,
}

/// `offset <duration>`, including the keyword.
#[derive(Clone, Debug, PartialEq)]
pub struct Offset {
    pub duration: DurationExpr,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AtValue {
    /// Milliseconds since the epoch, as upstream stores it.
    Timestamp(i64),
    Start,
    End,
}

/// `@ <timestamp>`, `@ start()` or `@ end()`, including the `@`.
#[derive(Clone, Debug, PartialEq)]
pub struct AtModifier {
    pub value: AtValue,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VectorSelector {
    /// The metric name written before the braces (`foo` in `foo{a="b"}`).
    pub name: Option<String>,
    pub name_span: Option<Span>,
    /// The matchers written inside the braces, in order. Unlike upstream, the
    /// name written before the braces is not repeated here as a matcher.
    pub matchers: Vec<Matcher>,
    pub braces_span: Option<Span>,
    pub offset: Option<Offset>,
    pub at: Option<AtModifier>,
    /// Experimental `anchored` / `smoothed` modifiers (extended range selectors).
    pub anchored: bool,
    pub smoothed: bool,
}

impl VectorSelector {
    /// The metric name: the one before the braces, or a `__name__="..."`
    /// (or bare `{"name"}`) equality matcher.
    pub fn metric_name(&self) -> Option<&str> {
        if let Some(name) = &self.name {
            return Some(name);
        }
        self.matchers.iter().find(|m| m.name == "__name__" && m.op == MatchOp::Equal).map(|m| m.value.as_str())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct MatrixSelector {
    /// Always a [`ExprKind::VectorSelector`] in a tree returned by [`super::parse`].
    pub vector_selector: Box<Expr>,
    pub range: DurationExpr,
    /// The brackets with the range, `[5m]`.
    pub range_span: Span,
}

impl MatrixSelector {
    pub fn selector(&self) -> Option<&VectorSelector> {
        match &self.vector_selector.kind {
            ExprKind::VectorSelector(vs) => Some(vs),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SubqueryExpr {
    pub expr: Box<Expr>,
    pub range: DurationExpr,
    /// `None` for `[5m:]` (the evaluation interval is used).
    pub step: Option<DurationExpr>,
    /// The brackets, `[5m:1m]`.
    pub brackets_span: Span,
    pub offset: Option<Offset>,
    pub at: Option<AtModifier>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    pub func: &'static Function,
    pub name_span: Span,
    pub args: Vec<Expr>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AggregateOp {
    Sum,
    Avg,
    Count,
    Min,
    Max,
    Group,
    Stddev,
    Stdvar,
    Topk,
    Bottomk,
    CountValues,
    Quantile,
    Limitk,
    LimitRatio,
}

impl AggregateOp {
    pub fn as_str(self) -> &'static str {
        match self {
            AggregateOp::Sum => "sum",
            AggregateOp::Avg => "avg",
            AggregateOp::Count => "count",
            AggregateOp::Min => "min",
            AggregateOp::Max => "max",
            AggregateOp::Group => "group",
            AggregateOp::Stddev => "stddev",
            AggregateOp::Stdvar => "stdvar",
            AggregateOp::Topk => "topk",
            AggregateOp::Bottomk => "bottomk",
            AggregateOp::CountValues => "count_values",
            AggregateOp::Quantile => "quantile",
            AggregateOp::Limitk => "limitk",
            AggregateOp::LimitRatio => "limit_ratio",
        }
    }

    /// Parses a (case-insensitive) aggregation keyword.
    pub fn from_keyword(word: &str) -> Option<AggregateOp> {
        const ALL: [AggregateOp; 14] = [
            AggregateOp::Sum,
            AggregateOp::Avg,
            AggregateOp::Count,
            AggregateOp::Min,
            AggregateOp::Max,
            AggregateOp::Group,
            AggregateOp::Stddev,
            AggregateOp::Stdvar,
            AggregateOp::Topk,
            AggregateOp::Bottomk,
            AggregateOp::CountValues,
            AggregateOp::Quantile,
            AggregateOp::Limitk,
            AggregateOp::LimitRatio,
        ];
        ALL.into_iter().find(|op| op.as_str().eq_ignore_ascii_case(word))
    }

    /// Takes a first parameter: `topk(5, x)`, `count_values("v", x)`...
    pub fn takes_param(self) -> bool {
        matches!(
            self,
            AggregateOp::Topk
                | AggregateOp::Bottomk
                | AggregateOp::CountValues
                | AggregateOp::Quantile
                | AggregateOp::Limitk
                | AggregateOp::LimitRatio
        )
    }

    /// Only accepted with [`super::ParseOptions::experimental_functions`].
    pub fn is_experimental(self) -> bool {
        matches!(self, AggregateOp::Limitk | AggregateOp::LimitRatio)
    }
}

/// A label name in a `by`/`without`/`on`/`ignoring`/`group_*` list.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelName {
    pub name: String,
    pub span: Span,
}

/// `by (...)` or `without (...)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Grouping {
    pub without: bool,
    pub labels: Vec<LabelName>,
    /// From the keyword to the closing parenthesis.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AggregateExpr {
    pub op: AggregateOp,
    pub op_span: Span,
    pub param: Option<Box<Expr>>,
    pub expr: Box<Expr>,
    pub grouping: Option<Grouping>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Atan2,
    Eql,
    Neq,
    Gtr,
    Lss,
    Gte,
    Lte,
    And,
    Or,
    Unless,
}

impl BinaryOp {
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
            BinaryOp::Pow => "^",
            BinaryOp::Atan2 => "atan2",
            BinaryOp::Eql => "==",
            BinaryOp::Neq => "!=",
            BinaryOp::Gtr => ">",
            BinaryOp::Lss => "<",
            BinaryOp::Gte => ">=",
            BinaryOp::Lte => "<=",
            BinaryOp::And => "and",
            BinaryOp::Or => "or",
            BinaryOp::Unless => "unless",
        }
    }

    pub fn is_comparison(self) -> bool {
        matches!(self, BinaryOp::Eql | BinaryOp::Neq | BinaryOp::Gtr | BinaryOp::Lss | BinaryOp::Gte | BinaryOp::Lte)
    }

    pub fn is_set_operator(self) -> bool {
        matches!(self, BinaryOp::And | BinaryOp::Or | BinaryOp::Unless)
    }

    /// Binding strength, higher binds tighter (upstream's yacc precedence list).
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => 1,
            BinaryOp::And | BinaryOp::Unless => 2,
            BinaryOp::Eql | BinaryOp::Neq | BinaryOp::Gtr | BinaryOp::Lss | BinaryOp::Gte | BinaryOp::Lte => 3,
            BinaryOp::Add | BinaryOp::Sub => 4,
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod | BinaryOp::Atan2 => 5,
            BinaryOp::Pow => 6,
        }
    }

    pub fn is_right_associative(self) -> bool {
        self == BinaryOp::Pow
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VectorMatchCardinality {
    OneToOne,
    ManyToOne,
    OneToMany,
    ManyToMany,
}

impl VectorMatchCardinality {
    pub fn as_str(self) -> &'static str {
        match self {
            VectorMatchCardinality::OneToOne => "one-to-one",
            VectorMatchCardinality::ManyToOne => "many-to-one",
            VectorMatchCardinality::OneToMany => "one-to-many",
            VectorMatchCardinality::ManyToMany => "many-to-many",
        }
    }
}

/// How the two sides of a vector/vector binary operation are matched.
#[derive(Clone, Debug, PartialEq)]
pub struct VectorMatching {
    pub card: VectorMatchCardinality,
    /// `on(...)` rather than `ignoring(...)` (or nothing).
    pub on: bool,
    pub matching_labels: Vec<LabelName>,
    /// `on(...)`/`ignoring(...)` from the keyword to `)`, when written.
    pub matching_span: Option<Span>,
    /// The labels of `group_left(...)`/`group_right(...)`.
    pub include: Vec<LabelName>,
    /// `group_left(...)`/`group_right(...)`, when written.
    pub group_span: Option<Span>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct BinaryExpr {
    pub op: BinaryOp,
    pub op_span: Span,
    pub lhs: Box<Expr>,
    pub rhs: Box<Expr>,
    /// The `bool` modifier.
    pub return_bool: bool,
    pub bool_span: Option<Span>,
    /// `None` when a side is not an instant vector (as upstream after type checking).
    pub matching: Option<VectorMatching>,
}

/// Dropping a long chain `a or b or c ...` would recurse once per operator
/// (its tree is as tall as the chain is long): take the chain apart with a
/// list instead.
impl Drop for BinaryExpr {
    fn drop(&mut self) {
        fn take_chains(b: &mut BinaryExpr, pending: &mut Vec<Expr>) {
            for side in [&mut b.lhs, &mut b.rhs] {
                if matches!(side.kind, ExprKind::BinaryExpr(_)) {
                    let empty = Expr {
                        kind: ExprKind::NumberLiteral(NumberLiteral { value: 0.0, is_duration: false }),
                        span: side.span,
                    };
                    pending.push(std::mem::replace(&mut **side, empty));
                }
            }
        }
        let mut pending = Vec::new();
        take_chains(self, &mut pending);
        while let Some(mut e) = pending.pop() {
            if let ExprKind::BinaryExpr(b) = &mut e.kind {
                take_chains(b, &mut pending);
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Add,
    Sub,
}

impl UnaryOp {
    pub fn as_str(self) -> &'static str {
        match self {
            UnaryOp::Add => "+",
            UnaryOp::Sub => "-",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct UnaryExpr {
    pub op: UnaryOp,
    pub op_span: Span,
    pub expr: Box<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ParenExpr {
    pub expr: Box<Expr>,
}

/// A range, subquery step or offset: a number or duration literal, or (with
/// [`super::ParseOptions::duration_expressions`]) arithmetic on them.
#[derive(Clone, Debug, PartialEq)]
pub struct DurationExpr {
    pub kind: DurationExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DurationExprKind {
    /// A literal, in seconds: `5m` is 300, `1.5` is 1.5.
    Literal {
        seconds: f64,
        is_duration: bool,
    },
    /// `step()`: the query step.
    Step,
    /// `range()`: the query range.
    Range,
    Unary {
        op: UnaryOp,
        expr: Box<DurationExpr>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<DurationExpr>,
        rhs: Box<DurationExpr>,
    },
    MinOf {
        lhs: Box<DurationExpr>,
        rhs: Box<DurationExpr>,
    },
    MaxOf {
        lhs: Box<DurationExpr>,
        rhs: Box<DurationExpr>,
    },
    Paren(Box<DurationExpr>),
}

impl DurationExpr {
    /// The value in seconds when it does not depend on `step()`/`range()`.
    pub fn constant_seconds(&self) -> Option<f64> {
        self.evaluate(None, None)
    }

    /// The value in seconds, given the query step and range when known.
    pub fn evaluate(&self, step: Option<f64>, range: Option<f64>) -> Option<f64> {
        match &self.kind {
            DurationExprKind::Literal { seconds, .. } => Some(*seconds),
            DurationExprKind::Step => step,
            DurationExprKind::Range => range,
            DurationExprKind::Paren(inner) => inner.evaluate(step, range),
            DurationExprKind::Unary { op, expr } => {
                let v = expr.evaluate(step, range)?;
                Some(if *op == UnaryOp::Sub { -v } else { v })
            }
            DurationExprKind::MinOf { lhs, rhs } => Some(lhs.evaluate(step, range)?.min(rhs.evaluate(step, range)?)),
            DurationExprKind::MaxOf { lhs, rhs } => Some(lhs.evaluate(step, range)?.max(rhs.evaluate(step, range)?)),
            DurationExprKind::Binary { op, lhs, rhs } => {
                let (l, r) = (lhs.evaluate(step, range)?, rhs.evaluate(step, range)?);
                match op {
                    BinaryOp::Add => Some(l + r),
                    BinaryOp::Sub => Some(l - r),
                    BinaryOp::Mul => Some(l * r),
                    BinaryOp::Div => Some(l / r),
                    BinaryOp::Mod => Some(l % r),
                    BinaryOp::Pow => Some(l.powf(r)),
                    _ => None,
                }
            }
        }
    }

    /// Whether this is a single literal (no arithmetic, no `step()`).
    pub fn is_literal(&self) -> bool {
        matches!(self.kind, DurationExprKind::Literal { .. })
    }
}

impl Expr {
    /// The type of value the expression produces (upstream's `Type()`).
    pub fn value_type(&self) -> ValueType {
        // Loop rather than recurse through parentheses, unary and binary operators.
        let mut e = self;
        loop {
            match &e.kind {
                ExprKind::NumberLiteral(_) => return ValueType::Scalar,
                ExprKind::StringLiteral(_) => return ValueType::String,
                ExprKind::VectorSelector(_) | ExprKind::AggregateExpr(_) => {
                    return ValueType::Vector;
                }
                ExprKind::MatrixSelector(_) | ExprKind::SubqueryExpr(_) => {
                    return ValueType::Matrix;
                }
                ExprKind::Call(c) => return c.func.return_type,
                ExprKind::ParenExpr(p) => e = &p.expr,
                ExprKind::UnaryExpr(u) => e = &u.expr,
                ExprKind::BinaryExpr(_) => {
                    // Scalar when every operand is; a chain's left spine is
                    // walked with a loop (it can be thousands of operators long).
                    let mut node = e;
                    while let ExprKind::BinaryExpr(b) = &node.kind {
                        if b.rhs.value_type() != ValueType::Scalar {
                            return ValueType::Vector;
                        }
                        node = &b.lhs;
                    }
                    return if node.value_type() == ValueType::Scalar { ValueType::Scalar } else { ValueType::Vector };
                }
            }
        }
    }

    /// The node's name as upstream spells it (`BinaryExpr`, `VectorSelector`...).
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            ExprKind::NumberLiteral(_) => "NumberLiteral",
            ExprKind::StringLiteral(_) => "StringLiteral",
            ExprKind::VectorSelector(_) => "VectorSelector",
            ExprKind::MatrixSelector(_) => "MatrixSelector",
            ExprKind::Call(_) => "Call",
            ExprKind::AggregateExpr(_) => "AggregateExpr",
            ExprKind::BinaryExpr(_) => "BinaryExpr",
            ExprKind::UnaryExpr(_) => "UnaryExpr",
            ExprKind::ParenExpr(_) => "ParenExpr",
            ExprKind::SubqueryExpr(_) => "SubqueryExpr",
        }
    }

    /// The direct children, in source order.
    pub fn children(&self) -> impl Iterator<Item = &Expr> {
        let (first, second, rest): (Option<&Expr>, Option<&Expr>, &[Expr]) = match &self.kind {
            ExprKind::NumberLiteral(_) | ExprKind::StringLiteral(_) | ExprKind::VectorSelector(_) => (None, None, &[]),
            ExprKind::MatrixSelector(m) => (Some(&m.vector_selector), None, &[]),
            ExprKind::SubqueryExpr(s) => (Some(&s.expr), None, &[]),
            ExprKind::ParenExpr(p) => (Some(&p.expr), None, &[]),
            ExprKind::UnaryExpr(u) => (Some(&u.expr), None, &[]),
            ExprKind::BinaryExpr(b) => (Some(&b.lhs), Some(&b.rhs), &[]),
            ExprKind::AggregateExpr(a) => (a.param.as_deref(), Some(&a.expr), &[]),
            ExprKind::Call(c) => (None, None, c.args.as_slice()),
        };
        first.into_iter().chain(second).chain(rest.iter())
    }

    /// Calls `visit` on this node and every descendant, parents before
    /// children, in source order. Uses an explicit stack, not recursion.
    pub fn walk<'a>(&'a self, visit: impl FnMut(&'a Expr)) {
        self.iter().for_each(visit);
    }

    /// Every node, parents before children, in source order. Lazy, and
    /// without an allocation for most expressions ([`WalkStack`]).
    pub fn iter(&self) -> Walk<'_> {
        Walk { stack: WalkStack { inline: [self; WALK_INLINE], len: 1, spill: Vec::new() } }
    }

    /// Every vector selector, including those inside matrix selectors.
    pub fn vector_selectors(&self) -> impl Iterator<Item = (&Expr, &VectorSelector)> {
        self.iter().filter_map(|e| match &e.kind {
            ExprKind::VectorSelector(vs) => Some((e, &**vs)),
            _ => None,
        })
    }
}

/// The nodes of an expression, parents before children, in source order
/// ([`Expr::iter`]).
pub struct Walk<'a> {
    stack: WalkStack<'a>,
}

impl<'a> Iterator for Walk<'a> {
    type Item = &'a Expr;

    fn next(&mut self) -> Option<&'a Expr> {
        let e = self.stack.pop()?;
        let stack = &mut self.stack;
        // Children pushed last first, so that they come out in source order
        // (as `children` lists them).
        match &e.kind {
            ExprKind::NumberLiteral(_) | ExprKind::StringLiteral(_) | ExprKind::VectorSelector(_) => {}
            ExprKind::MatrixSelector(m) => stack.push(&m.vector_selector),
            ExprKind::SubqueryExpr(s) => stack.push(&s.expr),
            ExprKind::ParenExpr(p) => stack.push(&p.expr),
            ExprKind::UnaryExpr(u) => stack.push(&u.expr),
            ExprKind::BinaryExpr(b) => {
                stack.push(&b.rhs);
                stack.push(&b.lhs);
            }
            ExprKind::AggregateExpr(a) => {
                stack.push(&a.expr);
                if let Some(param) = &a.param {
                    stack.push(param);
                }
            }
            ExprKind::Call(c) => c.args.iter().rev().for_each(|arg| stack.push(arg)),
        }
        Some(e)
    }
}

/// How many nodes [`WalkStack`] holds in place.
const WALK_INLINE: usize = 24;

/// The stack of [`Expr::walk`]: the first nodes in place, more on the heap.
/// Most expressions are shallow; walking them allocates nothing.
struct WalkStack<'a> {
    /// `inline[..len]` is the bottom of the stack; the slots above `len` hold
    /// stale references that are never read.
    inline: [&'a Expr; WALK_INLINE],
    len: usize,
    /// Nodes pushed while `inline` was full; they are on top of it, so
    /// `spill` is empty whenever `inline` is not full.
    spill: Vec<&'a Expr>,
}

impl<'a> WalkStack<'a> {
    fn push(&mut self, e: &'a Expr) {
        match self.inline.get_mut(self.len) {
            Some(slot) => {
                *slot = e;
                self.len += 1;
            }
            None => self.spill.push(e),
        }
    }

    fn pop(&mut self) -> Option<&'a Expr> {
        if let Some(e) = self.spill.pop() {
            return Some(e);
        }
        self.len = self.len.checked_sub(1)?;
        self.inline.get(self.len).copied()
    }
}

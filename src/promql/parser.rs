//! Recursive-descent / precedence-climbing parser producing upstream's tree
//! shapes, positions and error messages (upstream is a yacc grammar,
//! `promql/parser/generated_parser.y`; this is not a port of it).
//!
//! Errors come in two kinds, as upstream:
//! * action errors (a bad number, an unknown function, a range on a non-selector)
//!   are recorded and parsing continues, so several can be reported;
//! * a syntax error ("unexpected ...") stops parsing. Its wording depends on
//!   the construct being parsed, which mirrors the `error` rules of the grammar.

use super::ParseError;
use super::ParseOptions;
use super::ast::*;
use super::functions::{Function, UNKNOWN_FUNCTION};
use super::lexer::{Tok, Token, lex};
use super::literals::{go_format_f, go_quote, go_quote_bytes, parse_number, unquote, unquote_lossy};
use super::regex_check::check_regex;
use crate::span::Span;

/// How deeply expressions may nest in the source (parentheses, calls,
/// aggregations, unary and right-associative operators). Keeps the parser and
/// every recursive consumer of the tree within the stack.
pub const MAX_NESTING_DEPTH: u32 = 1000;

/// How tall the tree may grow. A flat chain `a or b or c ...` does not nest in
/// the source, but its left-associative tree is as tall as the chain is long;
/// consumers of the tree must handle this height (tests/hostile.rs).
pub const MAX_TREE_HEIGHT: u32 = 20_000;

/// Nesting the parser handles on the caller's stack. Deeper input (never seen
/// in real rules) is parsed again on a thread with a large stack, so that even
/// a 2 MiB thread in a debug build is safe.
pub(crate) const INLINE_NESTING_DEPTH: u32 = 64;

/// Syntax errors stop the parse; the error itself is already recorded.
pub(crate) struct Abort;

type PResult<T> = Result<T, Abort>;

/// The construct whose upstream `error` rule catches a syntax error raised
/// while parsing something nested inside it.
#[derive(Clone, Copy)]
enum Context {
    Aggregation { op_start: usize },
    Offset,
    At,
    RangeOrSubquery,
    SubqueryStep,
}

pub(crate) struct Parser<'a> {
    input: &'a str,
    tokens: Vec<Token>,
    next: usize,
    /// Highest token index the parser has looked at (upstream's lexer position).
    fetched: usize,
    lex_error: Option<(String, usize)>,
    lex_error_reported: bool,
    pub(crate) errors: Vec<ParseError>,
    options: &'a ParseOptions,
    depth: u32,
    /// `INLINE_NESTING_DEPTH` on the caller's stack, `MAX_NESTING_DEPTH` on a large one.
    depth_limit: u32,
    /// Set when `depth_limit` below `MAX_NESTING_DEPTH` was exceeded: parse again on a large stack.
    pub(crate) needs_large_stack: bool,
    contexts: Vec<Context>,
}

fn binary_op(kind: Tok) -> Option<BinaryOp> {
    Some(match kind {
        Tok::Add => BinaryOp::Add,
        Tok::Sub => BinaryOp::Sub,
        Tok::Mul => BinaryOp::Mul,
        Tok::Div => BinaryOp::Div,
        Tok::Mod => BinaryOp::Mod,
        Tok::Pow => BinaryOp::Pow,
        Tok::Atan2 => BinaryOp::Atan2,
        Tok::Eqlc => BinaryOp::Eql,
        Tok::Neq => BinaryOp::Neq,
        Tok::Gtr => BinaryOp::Gtr,
        Tok::Lss => BinaryOp::Lss,
        Tok::Gte => BinaryOp::Gte,
        Tok::Lte => BinaryOp::Lte,
        Tok::Land => BinaryOp::And,
        Tok::Lor => BinaryOp::Or,
        Tok::Lunless => BinaryOp::Unless,
        _ => return None,
    })
}

fn duration_op(kind: Tok) -> Option<BinaryOp> {
    match kind {
        Tok::Add | Tok::Sub | Tok::Mul | Tok::Div | Tok::Mod | Tok::Pow => binary_op(kind),
        _ => None,
    }
}

fn match_op(kind: Tok) -> Option<MatchOp> {
    Some(match kind {
        Tok::Eql => MatchOp::Equal,
        Tok::Neq => MatchOp::NotEqual,
        Tok::EqlRegex => MatchOp::Regex,
        Tok::NeqRegex => MatchOp::NotRegex,
        _ => return None,
    })
}

/// Tokens upstream accepts as a label name in `by (...)` and friends.
fn is_grouping_label(kind: Tok) -> bool {
    use Tok::*;
    matches!(
        kind,
        Aggregate(_)
            | Bool
            | By
            | GroupLeft
            | GroupRight
            | Identifier
            | Ignoring
            | Land
            | Lor
            | Lunless
            | MetricIdentifier
            | Offset
            | On
            | Start
            | End
            | Atan2
            | Step
            | Range
            | Anchored
            | Smoothed
    )
}

/// Tokens that can begin an expression (used to tell a trailing comma).
fn starts_expression(kind: Tok) -> bool {
    use Tok::*;
    matches!(
        kind,
        Number
            | Duration
            | String
            | Identifier
            | MetricIdentifier
            | LeftParen
            | LeftBrace
            | Add
            | Sub
            | Aggregate(_)
            | By
            | Land
            | Lor
            | Lunless
            | Offset
            | Without
            | Start
            | End
            | Step
            | Range
            | Anchored
            | Smoothed
    )
}

fn literal(seconds: f64, is_duration: bool, span: Span) -> DurationExpr {
    DurationExpr { kind: DurationExprKind::Literal { seconds, is_duration }, span }
}

/// The value of a duration that already has an error (upstream puts zero
/// without a position there). NaN keeps its own position and raises no
/// further error: not "out of range", not "must be greater than 0".
fn failed_duration(span: Span) -> DurationExpr {
    literal(f64::NAN, false, span)
}

/// Upstream's `durationLiteralOutOfRange`: beyond what `time.Duration` holds
/// (false for a duration that already has an error).
fn duration_out_of_range(seconds: f64) -> bool {
    seconds.abs() > 9_223_372_036.854_775
}

fn placeholder(span: Span) -> Expr {
    Expr { kind: ExprKind::NumberLiteral(NumberLiteral { value: 0.0, is_duration: false }), span }
}

impl<'a> Parser<'a> {
    pub(crate) fn new(input: &'a str, options: &'a ParseOptions, depth_limit: u32) -> Parser<'a> {
        let lexed = lex(input);
        Parser {
            input,
            tokens: lexed.tokens,
            next: 0,
            fetched: 0,
            lex_error: lexed.error,
            lex_error_reported: false,
            errors: Vec::new(),
            options,
            depth: 0,
            depth_limit,
            needs_large_stack: false,
            contexts: Vec::new(),
        }
    }

    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.errors.push(ParseError { span, message: message.into() });
    }

    // ---- tokens -------------------------------------------------------------

    fn token_at(&mut self, index: usize) -> Token {
        let last = self.tokens.len().saturating_sub(1);
        let index = index.min(last);
        let token = self.tokens.get(index).copied().unwrap_or(Token { kind: Tok::Eof, start: 0, end: 0 });
        self.fetched = self.fetched.max(index);
        if token.kind == Tok::Error && !self.lex_error_reported {
            self.lex_error_reported = true;
            if let Some((message, start)) = self.lex_error.clone() {
                self.error(Span::new(start, self.input.len()), message);
            }
        }
        token
    }

    fn peek(&mut self) -> Token {
        self.token_at(self.next)
    }

    fn peek_kind(&mut self) -> Tok {
        self.peek().kind
    }

    fn peek_second(&mut self) -> Token {
        self.token_at(self.next + 1)
    }

    fn advance(&mut self) -> Token {
        let token = self.peek();
        if !matches!(token.kind, Tok::Eof | Tok::Error) {
            self.next += 1;
        }
        token
    }

    fn text(&self, token: Token) -> &'a str {
        self.input.get(token.start..token.end).unwrap_or("")
    }

    /// Upstream's `lastClosing`: the end of the last `)`, `}`, `]`, number or
    /// duration the lexer produced; used for positions after recovery.
    fn last_closing(&self) -> usize {
        let upto = self.fetched.min(self.tokens.len().saturating_sub(1));
        self.tokens[..=upto]
            .iter()
            .rev()
            .find(|t| {
                matches!(t.kind, Tok::RightBrace | Tok::RightParen | Tok::RightBracket | Tok::Number | Tok::Duration)
            })
            .map_or(0, |t| t.end)
    }

    // ---- syntax errors ------------------------------------------------------

    /// "unexpected <token> in <context>, expected <expected>" at the next token.
    /// A lexer error already reported stands in for it, as upstream.
    fn unexpected(&mut self, context: &str, expected: &str) -> Abort {
        let token = self.peek();
        if token.kind == Tok::Error {
            return Abort;
        }
        let mut message = format!("unexpected {}", token.describe(self.input));
        if !context.is_empty() {
            message.push_str(" in ");
            message.push_str(context);
        }
        if !expected.is_empty() {
            message.push_str(", expected ");
            message.push_str(expected);
        }
        self.error(Span::new(token.start, token.end), message);
        Abort
    }

    /// A syntax error caught by the innermost enclosing construct.
    fn unexpected_here(&mut self) -> Abort {
        match self.contexts.last().copied() {
            None => self.unexpected("", ""),
            Some(Context::Offset) => self.unexpected("offset", "number, duration, step(), or range()"),
            Some(Context::At) => self.unexpected("@", "timestamp"),
            Some(Context::RangeOrSubquery) => {
                self.unexpected("subquery or range selector", "number, duration, step(), or range()")
            }
            Some(Context::SubqueryStep) => {
                self.unexpected("subquery selector", "number, duration, step(), range(), or \"]\"")
            }
            Some(Context::Aggregation { op_start }) => {
                self.unexpected("aggregation", "");
                // Upstream's recovery builds the aggregation without arguments.
                // The last closing token can come before the operator (`f(0.9,
                // sum(<bad>`); upstream then reports an inverted range, which
                // no renderer can show: it becomes empty at the operator.
                let end = self.last_closing().max(op_start);
                self.error(Span::new(op_start, end), "no arguments for aggregate expression provided");
                Abort
            }
        }
    }

    fn expect(&mut self, kind: Tok) -> PResult<Token> {
        if self.peek_kind() == kind { Ok(self.advance()) } else { Err(self.unexpected_here()) }
    }

    fn enter(&mut self, at: Span) -> PResult<()> {
        self.depth += 1;
        self.check_nesting(self.depth, at)
    }

    fn check_nesting(&mut self, level: u32, at: Span) -> PResult<()> {
        if level <= self.depth_limit {
            return Ok(());
        }
        if self.depth_limit < MAX_NESTING_DEPTH {
            self.needs_large_stack = true;
        } else {
            self.nesting_error(at);
        }
        Err(Abort)
    }

    #[cold]
    fn nesting_error(&mut self, at: Span) {
        self.error(at, format!("expression nesting too deep (more than {MAX_NESTING_DEPTH} levels)"));
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Tree height: a tall tree is checked on a large stack, but only
    /// `MAX_TREE_HEIGHT` is an error (source nesting is limited by `enter`).
    fn check_height(&mut self, height: u32, at: Span) -> PResult<u32> {
        if height <= self.depth_limit || (self.depth_limit >= MAX_NESTING_DEPTH && height <= MAX_TREE_HEIGHT) {
            return Ok(height);
        }
        if self.depth_limit < MAX_NESTING_DEPTH {
            self.needs_large_stack = true;
        } else {
            self.error(at, format!("expression too long (more than {MAX_TREE_HEIGHT} operations in one chain)"));
        }
        Err(Abort)
    }

    // ---- expressions --------------------------------------------------------

    pub(crate) fn parse_top(&mut self) -> PResult<Expr> {
        let first = self.peek();
        match first.kind {
            Tok::Eof => {
                self.error(Span::new(0, 0), "no expression found in input");
                return Err(Abort);
            }
            Tok::Error => return Err(Abort),
            _ => {}
        }
        let (expr, _) = self.parse_expr(1)?;
        if self.peek_kind() != Tok::Eof {
            return Err(self.unexpected_here());
        }
        Ok(expr)
    }

    /// Binary operators of at least `min_precedence`, by precedence climbing.
    fn parse_expr(&mut self, min_precedence: u8) -> PResult<(Expr, u32)> {
        let here = self.peek();
        self.enter(Span::new(here.start, here.end))?;
        let (mut lhs, mut lhs_height) = self.parse_unary()?;
        loop {
            let op_token = self.peek();
            let Some(op) = binary_op(op_token.kind) else {
                break;
            };
            let precedence = op.precedence();
            if precedence < min_precedence {
                break;
            }
            self.advance();
            let op_span = Span::new(op_token.start, op_token.end);
            let modifiers = self.parse_binary_modifiers()?;
            let next_min = if op.is_right_associative() { precedence } else { precedence + 1 };
            let (rhs, rhs_height) = self.parse_expr(next_min)?;
            lhs_height = self.check_height(lhs_height.max(rhs_height) + 1, op_span)?;
            let span = Span::new(lhs.span.start, rhs.span.end);
            let (return_bool, bool_span, matching) = modifiers;
            lhs = Expr {
                kind: ExprKind::BinaryExpr(Box::new(BinaryExpr {
                    op,
                    op_span,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                    return_bool,
                    bool_span,
                    matching: Some(matching),
                })),
                span,
            };
        }
        self.leave();
        Ok((lhs, lhs_height))
    }

    /// `bool`, `on(...)`/`ignoring(...)`, `group_left(...)`/`group_right(...)`.
    fn parse_binary_modifiers(&mut self) -> PResult<(bool, Option<Span>, VectorMatching)> {
        let mut matching = VectorMatching {
            card: VectorMatchCardinality::OneToOne,
            on: false,
            matching_labels: Vec::new(),
            matching_span: None,
            include: Vec::new(),
            group_span: None,
        };
        let mut bool_span = None;
        if self.peek_kind() == Tok::Bool {
            let t = self.advance();
            bool_span = Some(Span::new(t.start, t.end));
        }
        if matches!(self.peek_kind(), Tok::On | Tok::Ignoring) {
            let keyword = self.advance();
            matching.on = keyword.kind == Tok::On;
            let (labels, end) = self.parse_grouping_labels()?;
            matching.matching_labels = labels;
            matching.matching_span = Some(Span::new(keyword.start, end));
            if matches!(self.peek_kind(), Tok::GroupLeft | Tok::GroupRight) {
                let group = self.advance();
                matching.card = if group.kind == Tok::GroupLeft {
                    VectorMatchCardinality::ManyToOne
                } else {
                    VectorMatchCardinality::OneToMany
                };
                let mut end = group.end;
                if self.peek_kind() == Tok::LeftParen {
                    let (labels, labels_end) = self.parse_grouping_labels()?;
                    matching.include = labels;
                    end = labels_end;
                }
                matching.group_span = Some(Span::new(group.start, end));
            }
        }
        Ok((bool_span.is_some(), bool_span, matching))
    }

    fn parse_unary(&mut self) -> PResult<(Expr, u32)> {
        let token = self.peek();
        let op = match token.kind {
            Tok::Add => UnaryOp::Add,
            Tok::Sub => UnaryOp::Sub,
            _ => return self.parse_postfix(),
        };
        self.advance();
        let op_span = Span::new(token.start, token.end);
        // Unary operators bind like `*`: only `^` binds tighter.
        let (mut operand, height) = self.parse_expr(BinaryOp::Pow.precedence())?;
        if let ExprKind::NumberLiteral(n) = &mut operand.kind {
            if op == UnaryOp::Sub {
                n.value = -n.value;
            }
            operand.span.start = token.start;
            return Ok((operand, height));
        }
        let height = self.check_height(height + 1, op_span)?;
        let span = Span::new(token.start, operand.span.end);
        Ok((Expr { kind: ExprKind::UnaryExpr(UnaryExpr { op, op_span, expr: Box::new(operand) }), span }, height))
    }

    /// A primary expression followed by ranges, subqueries and modifiers.
    fn parse_postfix(&mut self) -> PResult<(Expr, u32)> {
        let (mut expr, mut height) = self.parse_primary()?;
        loop {
            match self.peek_kind() {
                Tok::LeftBracket => {
                    let (e, h) = self.parse_range_or_subquery(expr, height)?;
                    expr = e;
                    height = h;
                }
                Tok::Offset => self.parse_offset(&mut expr)?,
                Tok::At => self.parse_at(&mut expr)?,
                Tok::Anchored | Tok::Smoothed => {
                    let t = self.advance();
                    self.set_range_modifier(&mut expr, t.kind == Tok::Anchored);
                }
                _ => break,
            }
        }
        Ok((expr, height))
    }

    fn parse_primary(&mut self) -> PResult<(Expr, u32)> {
        let token = self.peek();
        let span = Span::new(token.start, token.end);
        match token.kind {
            Tok::Number | Tok::Duration => {
                self.advance();
                let (value, is_duration) = self.number_token_value(token);
                Ok((Expr { kind: ExprKind::NumberLiteral(NumberLiteral { value, is_duration }), span }, 1))
            }
            Tok::String => {
                self.advance();
                let value = unquote(self.text(token));
                Ok((Expr { kind: ExprKind::StringLiteral(StringLiteral { value }), span }, 1))
            }
            Tok::LeftParen => {
                self.advance();
                let (inner, height) = self.parse_expr(1)?;
                let close = self.expect(Tok::RightParen)?;
                let height = self.check_height(height + 1, span)?;
                let span = Span::new(token.start, close.end);
                Ok((Expr { kind: ExprKind::ParenExpr(ParenExpr { expr: Box::new(inner) }), span }, height))
            }
            Tok::LeftBrace => Ok((self.parse_vector_selector(None)?, 1)),
            Tok::Identifier => {
                if self.peek_second().kind == Tok::LeftParen {
                    self.parse_call()
                } else {
                    self.advance();
                    Ok((self.parse_vector_selector(Some(token))?, 1))
                }
            }
            Tok::Start | Tok::End | Tok::Step | Tok::Range if self.peek_second().kind == Tok::LeftParen => {
                self.parse_call()
            }
            Tok::Aggregate(op) if matches!(self.peek_second().kind, Tok::LeftParen | Tok::By | Tok::Without) => {
                self.parse_aggregation(op)
            }
            Tok::MetricIdentifier
            | Tok::Aggregate(_)
            | Tok::By
            | Tok::Land
            | Tok::Lor
            | Tok::Lunless
            | Tok::Offset
            | Tok::Without
            | Tok::Start
            | Tok::End
            | Tok::Step
            | Tok::Range
            | Tok::Anchored
            | Tok::Smoothed => {
                self.advance();
                Ok((self.parse_vector_selector(Some(token))?, 1))
            }
            _ => Err(self.unexpected_here()),
        }
    }

    /// The value of a NUMBER or DURATION token; errors are recorded, the value is then 0.
    fn number_token_value(&mut self, token: Token) -> (f64, bool) {
        let text = self.text(token);
        let span = Span::new(token.start, token.end);
        if token.kind == Tok::Duration {
            match crate::duration::parse_nanos(text) {
                Ok(nanos) => {
                    // Go's Duration.Seconds(): whole seconds plus the nanosecond remainder.
                    let seconds = (nanos / 1_000_000_000) as f64 + (nanos % 1_000_000_000) as f64 / 1e9;
                    (seconds, true)
                }
                Err(message) => {
                    self.error(span, message);
                    (f64::NAN, true)
                }
            }
        } else {
            match parse_number(text) {
                Ok(v) => (v, false),
                Err(message) => {
                    self.error(span, format!("error parsing number: {message}"));
                    (0.0, false)
                }
            }
        }
    }

    // ---- selectors ----------------------------------------------------------

    fn parse_vector_selector(&mut self, name: Option<Token>) -> PResult<Expr> {
        let mut selector = VectorSelector {
            name: name.map(|t| self.text(t).to_string()),
            name_span: name.map(|t| Span::new(t.start, t.end)),
            matchers: Vec::new(),
            braces_span: None,
            offset: None,
            at: None,
            anchored: false,
            smoothed: false,
        };
        let mut span = selector.name_span.unwrap_or_default();
        if self.peek_kind() == Tok::LeftBrace {
            let open = self.advance();
            let (matchers, close_end) = self.parse_label_matchers()?;
            selector.matchers = matchers;
            let braces = Span::new(open.start, close_end);
            selector.braces_span = Some(braces);
            span = if name.is_some() { span.cover(braces) } else { braces };
        }
        Ok(Expr { kind: ExprKind::VectorSelector(Box::new(selector)), span })
    }

    /// The matchers after `{`, up to and including `}`; returns the end of `}`.
    fn parse_label_matchers(&mut self) -> PResult<(Vec<Matcher>, usize)> {
        let mut matchers = Vec::new();
        if self.peek_kind() == Tok::RightBrace {
            return Ok((matchers, self.advance().end));
        }
        loop {
            matchers.push(self.parse_matcher()?);
            match self.peek_kind() {
                Tok::Comma => {
                    self.advance();
                    if self.peek_kind() == Tok::RightBrace {
                        return Ok((matchers, self.advance().end));
                    }
                }
                Tok::RightBrace => return Ok((matchers, self.advance().end)),
                _ => return Err(self.unexpected("label matching", "\",\" or \"}\"")),
            }
        }
    }

    fn parse_matcher(&mut self) -> PResult<Matcher> {
        let name = self.peek();
        let name_span = Span::new(name.start, name.end);
        let label = match name.kind {
            Tok::Identifier => self.text(name).to_string(),
            // Quoted (UTF-8) names are Prometheus 3.
            Tok::String if self.options.before(3, 0) => {
                return Err(self.unexpected("label matching", "identifier or \"}\""));
            }
            Tok::String => unquote_lossy(self.text(name)),
            _ => return Err(self.unexpected("label matching", "identifier or \"}\"")),
        };
        self.advance();
        let op_token = self.peek();
        let Some(op) = match_op(op_token.kind) else {
            if name.kind == Tok::String {
                // `{"metric.name"}`: a bare metric name.
                return Ok(Matcher {
                    name: "__name__".to_string(),
                    name_span,
                    op: MatchOp::Equal,
                    value: label,
                    value_span: name_span,
                    span: name_span,
                    bare_metric_name: true,
                });
            }
            return Err(self.unexpected("label matching", "label matching operator"));
        };
        self.advance();
        let value = self.peek();
        if value.kind != Tok::String {
            return Err(self.unexpected("label matching", "string"));
        }
        self.advance();
        let value_span = Span::new(value.start, value.end);
        let value_text = unquote_lossy(self.text(value));
        let span = Span::new(name.start, value.end);
        if matches!(op, MatchOp::Regex | MatchOp::NotRegex) {
            if let Err(message) = check_regex(&value_text) {
                self.error(span, message);
            }
        }
        Ok(Matcher { name: label, name_span, op, value: value_text, value_span, span, bare_metric_name: false })
    }

    // ---- calls and aggregations -------------------------------------------------

    fn parse_call(&mut self) -> PResult<(Expr, u32)> {
        let name = self.advance();
        let name_span = Span::new(name.start, name.end);
        self.advance(); // `(`, checked by the caller
        let (args, close_end, height) = self.parse_call_args()?;
        let text = self.text(name);
        let func: &'static Function = match super::functions::lookup_for(text, self.options) {
            Some(f) => {
                if f.experimental && !self.options.experimental_functions {
                    self.error(name_span, format!("function {} is not enabled", go_quote(text)));
                }
                f
            }
            None => {
                self.error(name_span, format!("unknown function with name {}", go_quote(text)));
                &UNKNOWN_FUNCTION
            }
        };
        let height = self.check_height(height + 1, name_span)?;
        let span = Span::new(name.start, close_end);
        Ok((Expr { kind: ExprKind::Call(Call { func, name_span, args }), span }, height))
    }

    /// Arguments after `(`, up to and including `)`: the arguments, the end of
    /// `)` and the greatest argument height.
    fn parse_call_args(&mut self) -> PResult<(Vec<Expr>, usize, u32)> {
        let mut args = Vec::new();
        let mut height = 0;
        if self.peek_kind() == Tok::RightParen {
            return Ok((args, self.advance().end, height));
        }
        loop {
            let (arg, h) = self.parse_expr(1)?;
            height = height.max(h);
            args.push(arg);
            match self.peek_kind() {
                Tok::Comma => {
                    let comma = self.advance();
                    if !starts_expression(self.peek_kind()) {
                        self.error(
                            Span::new(comma.start, comma.end),
                            "trailing commas not allowed in function call args",
                        );
                        let close = self.expect(Tok::RightParen)?;
                        return Ok((args, close.end, height));
                    }
                }
                Tok::RightParen => return Ok((args, self.advance().end, height)),
                _ => return Err(self.unexpected_here()),
            }
        }
    }

    fn parse_aggregation(&mut self, op: AggregateOp) -> PResult<(Expr, u32)> {
        let op_token = self.advance();
        let op_span = Span::new(op_token.start, op_token.end);
        if op.is_experimental() && self.options.before(2, 54) {
            // Added in 2.54; older releases read the word as a function name.
            self.error(op_span, format!("unknown function with name {}", go_quote(op.as_str())));
        }
        self.contexts.push(Context::Aggregation { op_start: op_token.start });
        let mut grouping = None;
        if matches!(self.peek_kind(), Tok::By | Tok::Without) {
            grouping = Some(self.parse_grouping()?);
        }
        self.expect(Tok::LeftParen)?;
        let (mut args, mut end, height) = self.parse_call_args()?;
        if grouping.is_none() && matches!(self.peek_kind(), Tok::By | Tok::Without) {
            let g = self.parse_grouping()?;
            end = g.span.end;
            grouping = Some(g);
        }
        self.contexts.pop();
        let span = Span::new(op_token.start, end);
        let height = self.check_height(height + 1, op_span)?;

        if args.is_empty() {
            self.error(span, "no arguments for aggregate expression provided");
            args.push(placeholder(span));
        }
        let mut desired = 1;
        if op.takes_param() {
            if op.is_experimental() && !self.options.experimental_functions {
                self.error(
                    span,
                    format!(
                        "{}() is experimental and must be enabled with --enable-feature=promql-experimental-functions",
                        op.as_str()
                    ),
                );
            }
            desired = 2;
        }
        if args.len() != desired {
            self.error(
                span,
                format!(
                    "wrong number of arguments for aggregate expression provided, expected {desired}, got {}",
                    args.len()
                ),
            );
        }
        let mut args = args.into_iter();
        let param = if op.takes_param() { args.next().map(Box::new) } else { None };
        let expr = args.next().unwrap_or_else(|| placeholder(span));
        Ok((
            Expr {
                kind: ExprKind::AggregateExpr(Box::new(AggregateExpr {
                    op,
                    op_span,
                    param,
                    expr: Box::new(expr),
                    grouping,
                })),
                span,
            },
            height,
        ))
    }

    fn parse_grouping(&mut self) -> PResult<Grouping> {
        let keyword = self.advance();
        let (labels, end) = self.parse_grouping_labels()?;
        Ok(Grouping { without: keyword.kind == Tok::Without, labels, span: Span::new(keyword.start, end) })
    }

    /// `( label, ... )`; returns the labels and the end of `)`.
    fn parse_grouping_labels(&mut self) -> PResult<(Vec<LabelName>, usize)> {
        if self.peek_kind() != Tok::LeftParen {
            return Err(self.unexpected("grouping opts", "\"(\""));
        }
        self.advance();
        let mut labels = Vec::new();
        if self.peek_kind() == Tok::RightParen {
            return Ok((labels, self.advance().end));
        }
        loop {
            let token = self.peek();
            let span = Span::new(token.start, token.end);
            if token.kind == Tok::String && self.options.before(3, 0) {
                return Err(self.unexpected("grouping opts", "label"));
            } else if token.kind == Tok::String {
                self.advance();
                let bytes = unquote(self.text(token));
                if bytes.is_empty() || std::str::from_utf8(&bytes).is_err() {
                    self.error(span, format!("invalid label name for grouping: {}", go_quote_bytes(&bytes)));
                }
                labels.push(LabelName { name: String::from_utf8_lossy(&bytes).into_owned(), span });
            } else if is_grouping_label(token.kind) {
                self.advance();
                labels.push(LabelName { name: self.text(token).to_string(), span });
            } else {
                return Err(self.unexpected("grouping opts", "label"));
            }
            match self.peek_kind() {
                Tok::Comma => {
                    self.advance();
                    if self.peek_kind() == Tok::RightParen {
                        return Ok((labels, self.advance().end));
                    }
                }
                Tok::RightParen => return Ok((labels, self.advance().end)),
                _ => return Err(self.unexpected("grouping opts", "\",\" or \")\"")),
            }
        }
    }

    // ---- ranges, subqueries, modifiers ------------------------------------------

    fn parse_range_or_subquery(&mut self, expr: Expr, height: u32) -> PResult<(Expr, u32)> {
        let open = self.advance();
        self.contexts.push(Context::RangeOrSubquery);
        let range = self.parse_duration_expr(1)?;
        let range = self.positive_duration(range);
        self.contexts.pop();
        match self.peek_kind() {
            Tok::RightBracket => {
                let close = self.advance();
                let range_span = Span::new(open.start, close.end);
                let problem = match &expr.kind {
                    ExprKind::VectorSelector(vs) => {
                        if vs.offset.as_ref().is_some_and(|o| !is_zero_literal(&o.duration)) {
                            Some("no offset modifiers allowed before range")
                        } else if vs.at.is_some() {
                            Some("no @ modifiers allowed before range")
                        } else {
                            None
                        }
                    }
                    _ => Some("ranges only allowed for vector selectors"),
                };
                if let Some(message) = problem {
                    self.error(range_span, message);
                }
                let height = self.check_height(height + 1, range_span)?;
                let span = Span::new(expr.span.start, close.end);
                let matrix = MatrixSelector { vector_selector: Box::new(expr), range, range_span };
                Ok((Expr { kind: ExprKind::MatrixSelector(Box::new(matrix)), span }, height))
            }
            Tok::Colon => {
                self.advance();
                let mut step = None;
                if self.peek_kind() != Tok::RightBracket {
                    self.contexts.push(Context::SubqueryStep);
                    let s = self.parse_duration_expr(1)?;
                    step = Some(self.positive_duration(s));
                    self.contexts.pop();
                }
                if self.peek_kind() != Tok::RightBracket {
                    return Err(self.unexpected("subquery selector", "\"]\""));
                }
                let close = self.advance();
                let brackets_span = Span::new(open.start, close.end);
                let height = self.check_height(height + 1, brackets_span)?;
                let span = Span::new(expr.span.start, close.end);
                let subquery =
                    SubqueryExpr { expr: Box::new(expr), range, step, brackets_span, offset: None, at: None };
                Ok((Expr { kind: ExprKind::SubqueryExpr(Box::new(subquery)), span }, height))
            }
            _ => Err(self.unexpected("subquery or range", "\":\" or \"]\"")),
        }
    }

    /// Upstream's `positive_duration_expr`: a literal range or step must be > 0.
    fn positive_duration(&mut self, d: DurationExpr) -> DurationExpr {
        if let DurationExprKind::Literal { seconds, .. } = d.kind {
            if seconds <= 0.0 {
                self.error(d.span, "duration must be greater than 0");
                return failed_duration(d.span);
            }
        }
        d
    }

    fn parse_offset(&mut self, expr: &mut Expr) -> PResult<()> {
        let keyword = self.advance();
        self.contexts.push(Context::Offset);
        let duration = self.parse_offset_duration()?;
        self.contexts.pop();
        let end = self.last_closing();
        let offset = Offset { span: Span::new(keyword.start, duration.span.end.max(keyword.end)), duration };
        let target_span = expr.span;
        let misplaced =
            "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery";
        let slot = match modifier_slot(expr, |vs| &mut vs.offset, |s| &mut s.offset, misplaced) {
            Ok(slot) => slot,
            Err(message) => {
                self.error(target_span, message);
                return Ok(());
            }
        };
        // Upstream only notices an earlier offset when it is not zero.
        if slot.as_ref().is_some_and(|o| !is_zero_literal(&o.duration)) {
            self.errors.push(ParseError { span: target_span, message: "offset may not be set multiple times".into() });
        } else {
            *slot = Some(offset);
        }
        expr.span.end = end;
        Ok(())
    }

    /// Upstream's `offset_duration_expr`: a single (signed) literal, `step()`,
    /// `range()` or `min_of`/`max_of(...)` ends the offset; a parenthesised
    /// duration expression may continue with arithmetic.
    fn parse_offset_duration(&mut self) -> PResult<DurationExpr> {
        let token = self.peek();
        match token.kind {
            Tok::Number | Tok::Duration => {
                self.advance();
                Ok(self.duration_literal(token, None))
            }
            Tok::Add | Tok::Sub => {
                let op = if token.kind == Tok::Sub { UnaryOp::Sub } else { UnaryOp::Add };
                let operand = self.peek_second();
                match operand.kind {
                    Tok::Number | Tok::Duration => {
                        self.advance();
                        self.advance();
                        Ok(self.duration_literal(operand, Some((op, token))))
                    }
                    Tok::Step | Tok::Range | Tok::MinOf | Tok::MaxOf | Tok::LeftParen => {
                        self.advance();
                        let inner = self.parse_duration_primary()?;
                        let span = Span::new(token.start, inner.span.end);
                        Ok(DurationExpr { kind: DurationExprKind::Unary { op, expr: Box::new(inner) }, span })
                    }
                    Tok::Identifier if self.min_max_call_at(self.next + 1) => {
                        self.advance();
                        let inner = self.parse_duration_primary()?;
                        let span = Span::new(token.start, inner.span.end);
                        Ok(DurationExpr { kind: DurationExprKind::Unary { op, expr: Box::new(inner) }, span })
                    }
                    _ => self.parse_duration_expr(1),
                }
            }
            Tok::Step | Tok::Range | Tok::MinOf | Tok::MaxOf => self.parse_duration_primary(),
            Tok::Identifier if self.min_max_call_at(self.next) => self.parse_duration_primary(),
            Tok::LeftParen => self.parse_duration_expr(1),
            _ => Err(self.unexpected_here()),
        }
    }

    /// An identifier `min_of`/`max_of` at token `index` followed by `(`
    /// (outside brackets the lexer does not make them keywords).
    fn min_max_call_at(&self, index: usize) -> bool {
        let is_name = self
            .tokens
            .get(index)
            .is_some_and(|t| t.kind == Tok::Identifier && matches!(self.text(*t), "min_of" | "max_of"));
        is_name && self.tokens.get(index + 1).is_some_and(|t| t.kind == Tok::LeftParen)
    }

    /// A NUMBER/DURATION token as a duration literal, with an optional sign.
    fn duration_literal(&mut self, token: Token, sign: Option<(UnaryOp, Token)>) -> DurationExpr {
        let (mut seconds, is_duration) = self.number_token_value(token);
        let mut span = Span::new(token.start, token.end);
        if !is_duration && self.options.before(3, 0) {
            // Unit-less durations (`[5]`) are Prometheus 3.
            self.error(span, "missing unit character in duration");
        }
        let mut error_span = span;
        if let Some((op, sign_token)) = sign {
            if op == UnaryOp::Sub {
                seconds = -seconds;
            }
            span.start = sign_token.start;
            error_span = Span::new(sign_token.start, sign_token.end);
        }
        if duration_out_of_range(seconds) {
            self.error(error_span, "duration out of range");
            return failed_duration(span);
        }
        literal(seconds, is_duration, span)
    }

    fn experimental_duration(&mut self, span: Span) {
        if !self.options.duration_expressions {
            self.error(span, "experimental duration expression is not enabled");
        }
    }

    /// Duration arithmetic: `+ - * / % ^`, unary signs, `step()`, `range()`,
    /// `min_of(a, b)`, `max_of(a, b)` and parentheses.
    fn parse_duration_expr(&mut self, min_precedence: u8) -> PResult<DurationExpr> {
        let here = self.peek();
        self.enter(Span::new(here.start, here.end))?;
        let mut lhs = self.parse_duration_unary()?;
        loop {
            let op_token = self.peek();
            let Some(op) = duration_op(op_token.kind) else {
                break;
            };
            let precedence = op.precedence();
            if precedence < min_precedence {
                break;
            }
            self.advance();
            let op_span = Span::new(op_token.start, op_token.end);
            let next_min = if op.is_right_associative() { precedence } else { precedence + 1 };
            let rhs = self.parse_duration_expr(next_min)?;
            self.experimental_duration(lhs.span);
            let divides_by_zero = matches!(op, BinaryOp::Div | BinaryOp::Mod)
                && matches!(rhs.kind, DurationExprKind::Literal { seconds, .. } if seconds == 0.0);
            if divides_by_zero {
                self.error(op_span, if op == BinaryOp::Div { "division by zero" } else { "modulo by zero" });
                lhs = failed_duration(Span::new(lhs.span.start, rhs.span.end));
                continue;
            }
            let span = Span::new(lhs.span.start, rhs.span.end);
            lhs = DurationExpr { kind: DurationExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span };
        }
        self.leave();
        Ok(lhs)
    }

    fn parse_duration_unary(&mut self) -> PResult<DurationExpr> {
        let token = self.peek();
        let op = match token.kind {
            Tok::Add => UnaryOp::Add,
            Tok::Sub => UnaryOp::Sub,
            _ => return self.parse_duration_primary(),
        };
        self.advance();
        let operand = self.parse_duration_expr(BinaryOp::Pow.precedence())?;
        if let DurationExprKind::Literal { seconds, is_duration } = operand.kind {
            let value = if op == UnaryOp::Sub { -seconds } else { seconds };
            if duration_out_of_range(value) {
                self.error(Span::new(token.start, token.end), "duration out of range");
                return Ok(failed_duration(Span::new(token.start, operand.span.end)));
            }
            return Ok(literal(value, is_duration, Span::new(token.start, operand.span.end)));
        }
        if op == UnaryOp::Add {
            return Ok(operand);
        }
        let span = Span::new(token.start, operand.span.end);
        Ok(DurationExpr { kind: DurationExprKind::Unary { op, expr: Box::new(operand) }, span })
    }

    fn parse_duration_primary(&mut self) -> PResult<DurationExpr> {
        let token = self.peek();
        match token.kind {
            Tok::Number | Tok::Duration => {
                self.advance();
                Ok(self.duration_literal(token, None))
            }
            Tok::Step | Tok::Range => {
                self.advance();
                self.expect(Tok::LeftParen)?;
                let close = self.expect(Tok::RightParen)?;
                let span = Span::new(token.start, close.end);
                self.experimental_duration(span);
                let kind = if token.kind == Tok::Step { DurationExprKind::Step } else { DurationExprKind::Range };
                Ok(DurationExpr { kind, span })
            }
            Tok::MinOf | Tok::MaxOf | Tok::Identifier
                if token.kind != Tok::Identifier || self.is_min_max_name(token) =>
            {
                self.advance();
                self.expect(Tok::LeftParen)?;
                let lhs = self.parse_duration_expr(1)?;
                self.expect(Tok::Comma)?;
                let rhs = self.parse_duration_expr(1)?;
                let close = self.expect(Tok::RightParen)?;
                let span = Span::new(token.start, close.end);
                self.experimental_duration(span);
                let (lhs, rhs) = (Box::new(lhs), Box::new(rhs));
                let is_min = token.kind == Tok::MinOf || self.text(token) == "min_of";
                let kind =
                    if is_min { DurationExprKind::MinOf { lhs, rhs } } else { DurationExprKind::MaxOf { lhs, rhs } };
                Ok(DurationExpr { kind, span })
            }
            Tok::LeftParen => {
                self.advance();
                let inner = self.parse_duration_expr(1)?;
                let close = self.expect(Tok::RightParen)?;
                self.experimental_duration(inner.span);
                let span = Span::new(token.start, close.end);
                if matches!(inner.kind, DurationExprKind::Literal { .. }) && inner.span.is_empty() {
                    // A value already replaced after an error stays a bare zero.
                    return Ok(inner);
                }
                Ok(DurationExpr { kind: DurationExprKind::Paren(Box::new(inner)), span })
            }
            _ => Err(self.unexpected_here()),
        }
    }

    fn is_min_max_name(&self, token: Token) -> bool {
        matches!(self.text(token), "min_of" | "max_of")
    }

    fn parse_at(&mut self, expr: &mut Expr) -> PResult<()> {
        let at = self.advance();
        self.contexts.push(Context::At);
        let token = self.peek();
        let value = match token.kind {
            Tok::Number | Tok::Duration => {
                self.advance();
                AtArg::Number(self.number_token_value(token).0)
            }
            Tok::Add | Tok::Sub => {
                self.advance();
                let number = self.peek();
                if !matches!(number.kind, Tok::Number | Tok::Duration) {
                    return Err(self.unexpected_here());
                }
                self.advance();
                let v = self.number_token_value(number).0;
                AtArg::Number(if token.kind == Tok::Sub { -v } else { v })
            }
            Tok::Start | Tok::End => {
                self.advance();
                self.expect(Tok::LeftParen)?;
                self.expect(Tok::RightParen)?;
                AtArg::Preprocessor(if token.kind == Tok::Start { AtValue::Start } else { AtValue::End })
            }
            _ => return Err(self.unexpected_here()),
        };
        self.contexts.pop();
        let end = self.last_closing();
        let span = Span::new(at.start, end.max(at.end));
        let target_span = expr.span;
        let value = match value {
            AtArg::Number(ts) => {
                if !ts.is_finite() || ts >= 9_223_372_036_854_775_807.0 || ts <= -9_223_372_036_854_775_808.0 {
                    self.error(target_span, format!("timestamp out of bounds for @ modifier: {}", go_format_f(ts)));
                }
                AtValue::Timestamp((ts * 1000.0).round() as i64)
            }
            AtArg::Preprocessor(v) => v,
        };
        let misplaced =
            "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery";
        let slot = match modifier_slot(expr, |vs| &mut vs.at, |s| &mut s.at, misplaced) {
            Ok(slot) => slot,
            Err(message) => {
                self.error(target_span, message);
                return Ok(());
            }
        };
        if slot.is_some() {
            self.errors
                .push(ParseError { span: target_span, message: "@ <timestamp> may not be set multiple times".into() });
            return Ok(());
        }
        *slot = Some(AtModifier { value, span });
        expr.span.end = end;
        Ok(())
    }

    /// The experimental `anchored` / `smoothed` modifiers.
    fn set_range_modifier(&mut self, expr: &mut Expr, anchored: bool) {
        let name = if anchored { "anchored" } else { "smoothed" };
        let span = expr.span;
        if !self.options.extended_range_selectors {
            self.error(span, format!("{name} modifier is experimental and not enabled"));
            return;
        }
        let selector = match &mut expr.kind {
            ExprKind::VectorSelector(vs) => vs,
            ExprKind::MatrixSelector(m) => match &mut m.vector_selector.kind {
                ExprKind::VectorSelector(vs) => vs,
                _ => return,
            },
            ExprKind::SubqueryExpr(_) => {
                self.error(span, format!("{name} modifier is not supported for subqueries"));
                return;
            }
            _ => {
                self.error(span, format!("{name} modifier not implemented"));
                return;
            }
        };
        if anchored {
            selector.anchored = true;
        } else {
            selector.smoothed = true;
        }
        if selector.anchored && selector.smoothed {
            self.error(span, "anchored and smoothed modifiers cannot be used together");
        }
    }
}

enum AtArg {
    Number(f64),
    Preprocessor(AtValue),
}

fn is_zero_literal(d: &DurationExpr) -> bool {
    matches!(d.kind, DurationExprKind::Literal { seconds, .. } if seconds == 0.0)
}

/// Where a modifier (`offset` or `@`) is stored: in the selector, also the one
/// inside a range, or in the subquery. `Err` is upstream's message for a
/// modifier written after anything else.
fn modifier_slot<'e, T>(
    expr: &'e mut Expr,
    of_selector: fn(&mut VectorSelector) -> &mut Option<T>,
    of_subquery: fn(&mut SubqueryExpr) -> &mut Option<T>,
    misplaced: &'static str,
) -> Result<&'e mut Option<T>, &'static str> {
    match &mut expr.kind {
        ExprKind::VectorSelector(vs) => Ok(of_selector(vs)),
        ExprKind::MatrixSelector(m) => match &mut m.vector_selector.kind {
            ExprKind::VectorSelector(vs) => Ok(of_selector(vs)),
            _ => Err("ranges only allowed for vector selectors"),
        },
        ExprKind::SubqueryExpr(s) => Ok(of_subquery(s)),
        _ => Err(misplaced),
    }
}

//! PromQL front end: lexer, parser and AST with a byte span on every node.
//!
//! [`parse`] follows the current upstream Prometheus parser: the same
//! accepted syntax, tree shapes, positions and error messages (checked by
//! `tests/promql_conformance.rs` against upstream's own test table).

pub mod analysis;
mod ast;
mod check;
mod functions;
mod json;
pub mod labels;
mod lexer;
mod literals;
mod parser;
mod printer;
mod regex_check;
pub mod values;

pub use ast::*;
pub use functions::{FUNCTIONS, Function, function_doc, lookup_function, signature};
pub use json::{errors_to_json, tree_to_json};
pub use parser::{MAX_NESTING_DEPTH, MAX_TREE_HEIGHT};
pub use printer::{print_tree, quote_label_value, snippet};

use crate::span::Span;

/// Experimental syntax, all off by default (as in Prometheus without feature flags).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ParseOptions {
    /// `--enable-feature=promql-experimental-functions`: experimental
    /// functions and the `limitk`/`limit_ratio` aggregations.
    pub experimental_functions: bool,
    /// `--enable-feature=promql-duration-expr`: `[5m+1m]`, `step()`, `min_of(...)`.
    pub duration_expressions: bool,
    /// `--enable-feature=promql-extended-range-selectors`: `anchored`, `smoothed`.
    pub extended_range_selectors: bool,
    /// The targeted Prometheus (`None`: the latest). Before 3.0: legacy names
    /// only (no quoted UTF-8 names), durations need a unit, `holt_winters`
    /// instead of `double_exponential_smoothing`, and no function newer than the version.
    pub version: Option<crate::version::Version>,
}

impl ParseOptions {
    /// Every experimental feature on, as upstream's own parser tests run.
    pub fn all_enabled() -> ParseOptions {
        ParseOptions {
            experimental_functions: true,
            duration_expressions: true,
            extended_range_selectors: true,
            version: None,
        }
    }

    /// Whether the targeted Prometheus is older than `major.minor`.
    pub fn before(&self, major: u32, minor: u32) -> bool {
        self.version.is_some_and(|v| v < crate::version::Version::new(major, minor))
    }
}

/// A positioned parse or type error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// Byte range in the expression, as upstream's `ParseErr.PositionRange`.
    pub span: Span,
    /// Upstream's wording, without the "1:3: parse error: " prefix.
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}

/// Parses a PromQL expression. On failure every error found is returned, in
/// upstream's order; the first is the one promtool prints.
pub fn parse(input: &str, options: &ParseOptions) -> Result<Expr, Vec<ParseError>> {
    match parse_with_limit(input, options, parser::INLINE_NESTING_DEPTH) {
        Some(result) => result,
        None => parse_on_large_stack(input, options),
    }
}

/// Stack for deeply nested input: enough for `MAX_NESTING_DEPTH` levels of the
/// parser and checker in a debug build. Only reserved address space until used.
const LARGE_STACK_BYTES: usize = 256 << 20;

#[cold]
fn parse_on_large_stack(input: &str, options: &ParseOptions) -> Result<Expr, Vec<ParseError>> {
    let outcome = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("promql-deep-parse".into())
            .stack_size(LARGE_STACK_BYTES)
            .spawn_scoped(scope, || parse_with_limit(input, options, MAX_NESTING_DEPTH))
            .ok()
            .and_then(|handle| handle.join().ok())
            .flatten()
    });
    outcome.unwrap_or_else(|| {
        Err(vec![ParseError {
            span: Span::new(0, input.len()),
            message: "expression too deeply nested to parse on this system".into(),
        }])
    })
}

/// `None` when the input nests deeper than `depth_limit` allows on this stack.
fn parse_with_limit(input: &str, options: &ParseOptions, depth_limit: u32) -> Option<Result<Expr, Vec<ParseError>>> {
    let mut parser = parser::Parser::new(input, options, depth_limit);
    let result = parser.parse_top();
    if parser.needs_large_stack {
        return None;
    }
    let mut errors = std::mem::take(&mut parser.errors);
    match result {
        Ok(mut expr) if errors.is_empty() => {
            // Upstream type-checks only when there were no syntax errors.
            check::Checker { input, errors: &mut errors }.check(&mut expr);
            Some(if errors.is_empty() { Ok(expr) } else { Err(errors) })
        }
        _ => {
            if errors.is_empty() {
                errors.push(ParseError { span: Span::new(0, input.len()), message: "unexpected error".into() });
            }
            Some(Err(errors))
        }
    }
}

/// Upstream's `line:column` of an error's start (1-based; the column counts
/// bytes from the start of the line, as Prometheus prints it).
pub fn format_error_position(input: &str, error: &ParseError) -> String {
    if input.is_empty() {
        return "unknown position".to_string();
    }
    let pos = error.span.start;
    let Some(before) = input.get(..pos) else {
        return "invalid position".to_string();
    };
    let line = before.matches('\n').count() + 1;
    let column = match before.rfind('\n') {
        Some(newline) => pos - newline,
        None => pos + 1,
    };
    format!("{line}:{column}")
}

/// The message as promtool prints it: `1:44: parse error: unclosed left parenthesis`.
pub fn format_error(input: &str, error: &ParseError) -> String {
    format!("{}: parse error: {}", format_error_position(input, error), error.message)
}

#[cfg(test)]
mod tests;

/// Whether two expressions are one condition but for their thresholds and
/// series matchers: the same tokens in the same order, whatever the blanks,
/// comments and line breaks between them, with number literals and what is
/// inside `{...}` left out. Text that does not lex is compared as it is.
pub fn same_shape(a: &str, b: &str) -> bool {
    let (x, y) = (lexer::lex(a), lexer::lex(b));
    if x.error.is_some() || y.error.is_some() {
        return a == b;
    }
    // Braces only enclose matchers in PromQL.
    let shape = |tokens: &[lexer::Token]| -> Vec<lexer::Token> {
        let mut inside = false;
        let mut kept = Vec::with_capacity(tokens.len());
        for t in tokens {
            match t.kind {
                lexer::Tok::LeftBrace => inside = true,
                lexer::Tok::RightBrace => inside = false,
                _ if inside => continue,
                _ => {}
            }
            kept.push(*t);
        }
        kept
    };
    let (x, y) = (shape(&x.tokens), shape(&y.tokens));
    x.len() == y.len()
        && x.iter().zip(&y).all(|(s, t)| {
            s.kind == t.kind && (s.kind == lexer::Tok::Number || a.get(s.start..s.end) == b.get(t.start..t.end))
        })
}

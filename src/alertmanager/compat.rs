//! Alertmanager's default matcher parsing since 0.27 ("fallback" mode):
//! parse with the UTF-8 parser and the classic parser; if the UTF-8 parser
//! fails but the classic one succeeds, use the classic result with a
//! warning; if both succeed and disagree, the classic result wins (that is
//! what older Alertmanagers did with the same text).

use super::matcher::Matcher;
use super::parse_utf8::MatcherError;
use super::{parse_classic, parse_utf8};
use crate::span::Span;

/// Why the classic parser's reading was used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FallbackReason {
    /// The UTF-8 parser rejected the input (its error is kept).
    Utf8Rejected(MatcherError),
    /// Both parsers accepted the input but read it differently.
    Disagreement,
}

/// Matchers parsed in fallback mode, with the reason when the classic
/// parser's reading was used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed<T> {
    pub value: T,
    pub fallback: Option<FallbackReason>,
}

impl FallbackReason {
    /// A message for a warning diagnostic about `input`.
    pub fn message(&self, input: &str, parsed: &[Matcher]) -> String {
        let suggestion: Vec<String> = parsed.iter().map(|m| m.to_string()).collect();
        match self {
            FallbackReason::Utf8Rejected(e) => format!(
                "matcher `{input}` only parses with the classic matcher parser ({}); Alertmanager 0.27 and later accept it with a warning; write it as `{}`",
                e.message,
                suggestion.join(",")
            ),
            FallbackReason::Disagreement => format!(
                "matcher `{input}` is read differently by the classic and the UTF-8 matcher parsers; Alertmanager uses the classic reading `{}`",
                suggestion.join(",")
            ),
        }
    }
}

/// Parses a comma-separated matcher list as Alertmanager's fallback parser does.
pub fn parse_matchers(input: &str) -> Result<Parsed<Vec<Matcher>>, MatcherError> {
    let utf8 = parse_utf8::parse_matchers(input);
    let classic = parse_classic::parse_matchers(input);
    match (utf8, classic) {
        (Err(_), Err(c)) => Err(c),
        (Err(u), Ok(c)) => Ok(Parsed { value: c, fallback: Some(FallbackReason::Utf8Rejected(u)) }),
        (Ok(u), Ok(c)) if u != c => Ok(Parsed { value: c, fallback: Some(FallbackReason::Disagreement) }),
        (Ok(u), _) => Ok(Parsed { value: u, fallback: None }),
    }
}

/// Parses exactly one matcher as Alertmanager's fallback parser does. Braces
/// are refused, as upstream refuses them for a single matcher.
pub fn parse_matcher(input: &str) -> Result<Parsed<Matcher>, MatcherError> {
    if input.starts_with('{') || input.ends_with('}') {
        return Err(MatcherError::new(format!("unexpected open or close brace: {input}"), Span::new(0, input.len())));
    }
    let utf8 = parse_utf8::parse_matcher(input);
    let classic = parse_classic::parse_matcher(input);
    match (utf8, classic) {
        (Err(_), Err(c)) => Err(c),
        (Err(u), Ok(c)) => Ok(Parsed { value: c, fallback: Some(FallbackReason::Utf8Rejected(u)) }),
        (Ok(u), Ok(c)) if u != c => Ok(Parsed { value: c, fallback: Some(FallbackReason::Disagreement) }),
        (Ok(u), _) => Ok(Parsed { value: u, fallback: None }),
    }
}

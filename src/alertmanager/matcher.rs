//! A label matcher as Alertmanager models it: `name op value`, where a regex
//! value is anchored at both ends (`^(?:value)$`) and an absent label reads
//! as the empty string.

use std::fmt;

use regex::{Regex, RegexBuilder};

use crate::go_format::go_quote;
use crate::span::Span;

/// Compiled program size allowed for one matcher regex. Alertmanager has no
/// bound; ours keeps a hostile config from exhausting memory or time.
const REGEX_SIZE_LIMIT: usize = 1 << 20;
/// Lazy DFA cache per regex.
const REGEX_DFA_SIZE_LIMIT: usize = 1 << 20;
/// Nesting depth accepted by the regex parser.
const REGEX_NEST_LIMIT: u32 = 100;

/// The operator of PromQL's label matchers: the same four, with the same
/// meaning (regexes anchored, a missing label read as empty).
pub use crate::promql::MatchOp;

/// One label matcher. Equality ignores `span` and the compiled regex.
#[derive(Clone, Debug)]
pub struct Matcher {
    pub name: String,
    pub op: MatchOp,
    pub value: String,
    /// Where the matcher was written, in the file it was loaded from
    /// (empty for matchers built in code).
    pub span: Span,
    re: Option<Regex>,
}

/// A regex that the Rust engine refused (syntax it does not share with Go's
/// RE2, or a pattern over the size bound).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("error parsing regexp: {message}")]
pub struct RegexError {
    pub message: String,
}

impl Matcher {
    /// Builds a matcher, compiling `^(?:value)$` for the regex operators.
    pub fn new(op: MatchOp, name: impl Into<String>, value: impl Into<String>) -> Result<Matcher, RegexError> {
        let value = value.into();
        let re = if op.is_regex() { Some(compile_anchored(&value)?) } else { None };
        Ok(Matcher { name: name.into(), op, value, span: Span::default(), re })
    }

    pub fn with_span(mut self, span: Span) -> Matcher {
        self.span = span;
        self
    }

    /// Whether a label value (the empty string for an absent label) passes.
    pub fn matches(&self, value: &str) -> bool {
        match self.op {
            MatchOp::Equal => value == self.value,
            MatchOp::NotEqual => value != self.value,
            MatchOp::Regex => self.re.as_ref().is_some_and(|re| re.is_match(value)),
            MatchOp::NotRegex => !self.re.as_ref().is_some_and(|re| re.is_match(value)),
        }
    }

    /// Whether an alert without this label (or with it empty) passes.
    pub fn matches_absent(&self) -> bool {
        self.matches("")
    }
}

impl PartialEq for Matcher {
    fn eq(&self, other: &Matcher) -> bool {
        self.name == other.name && self.op == other.op && self.value == other.value
    }
}

impl Eq for Matcher {}

/// Alertmanager's order for a route's matchers: name, then value, then
/// operator. Route keys (`{a="1",b=~"x"}`) are printed in this order.
pub fn sort_matchers(ms: &mut [Matcher]) {
    ms.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.value.cmp(&b.value)).then_with(|| a.op.cmp(&b.op)));
}

/// `^(?:value)$` as Alertmanager anchors it, with Go's regex semantics
/// (see [`super::go_regex`]), bounded in size.
pub fn compile_anchored(value: &str) -> Result<Regex, RegexError> {
    // Each matcher is parsed by both matcher parsers (fallback mode), and
    // configurations repeat patterns: compiled once per thread. Bounded, so
    // that a configuration of many distinct regexes cannot grow it without end.
    const MAX_CACHED: usize = 4096;
    thread_local! {
        static CACHE: std::cell::RefCell<std::collections::HashMap<String, Result<Regex, RegexError>>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    if let Some(hit) = CACHE.with(|c| c.borrow().get(value).cloned()) {
        return hit;
    }
    let compiled = compile_uncached(value);
    CACHE.with(|c| {
        let mut cache = c.borrow_mut();
        if cache.len() >= MAX_CACHED {
            cache.clear();
        }
        cache.insert(value.to_string(), compiled.clone());
    });
    compiled
}

fn compile_uncached(value: &str) -> Result<Regex, RegexError> {
    let translated = super::go_regex::translate(value).map_err(|message| RegexError { message })?;
    RegexBuilder::new(&format!("^(?:{translated})$"))
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_DFA_SIZE_LIMIT)
        .nest_limit(REGEX_NEST_LIMIT)
        .build()
        .map_err(|e| RegexError { message: regex_error_message(&e) })
}

fn regex_error_message(e: &regex::Error) -> String {
    match e {
        regex::Error::CompiledTooBig(limit) => {
            format!("regular expression too large (over {limit} bytes compiled)")
        }
        // The syntax error's Display is a multi-line rendering with a caret;
        // its last line is the reason.
        other => {
            let text = other.to_string();
            let reason = text.lines().rev().find(|l| l.starts_with("error:")).unwrap_or(text.as_str());
            reason.trim_start_matches("error:").trim().to_string()
        }
    }
}

/// Characters that force a label name to be quoted when printed (the UTF-8
/// parser's reserved set).
pub(crate) fn is_reserved(c: char) -> bool {
    c.is_whitespace() || "{}!=~,\\\"'`".contains(c)
}

/// Prints as Alertmanager does: `name="value"`, or with a quoted name when
/// the name holds a reserved character.
impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.name.chars().any(is_reserved) {
            write!(f, "{}{}{}", go_quote(&self.name), self.op, go_quote(&self.value))
        } else {
            write!(f, "{}{}{}", self.name, self.op, crate::promql::quote_label_value(&self.value))
        }
    }
}

/// `{a="1",b!="2"}` as Alertmanager prints a matcher list.
pub fn matchers_to_string(ms: &[Matcher]) -> String {
    let mut s = String::from("{");
    for (i, m) in ms.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&m.to_string());
    }
    s.push('}');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regex_is_anchored() {
        let m = Matcher::new(MatchOp::Regex, "env", "prod").unwrap();
        assert!(m.matches("prod"));
        assert!(!m.matches("production"));
        assert!(!m.matches("preprod"));
        let alt = Matcher::new(MatchOp::Regex, "env", "a|b").unwrap();
        assert!(alt.matches("a") && alt.matches("b") && !alt.matches("ab"));
    }

    #[test]
    fn absent_is_empty() {
        assert!(Matcher::new(MatchOp::NotEqual, "x", "y").unwrap().matches_absent());
        assert!(Matcher::new(MatchOp::Regex, "x", ".*").unwrap().matches_absent());
        assert!(!Matcher::new(MatchOp::Regex, "x", ".+").unwrap().matches_absent());
        assert!(Matcher::new(MatchOp::Equal, "x", "").unwrap().matches_absent());
    }

    #[test]
    fn huge_regex_is_an_error_not_a_crash() {
        let pattern = "(a{1000}){1000}";
        assert!(Matcher::new(MatchOp::Regex, "x", pattern).is_err());
        assert!(Matcher::new(MatchOp::Regex, "x", "[").is_err());
    }

    #[test]
    fn prints_like_alertmanager() {
        let m = Matcher::new(MatchOp::Regex, "owner", "team-(B|C)").unwrap();
        assert_eq!(m.to_string(), r#"owner=~"team-(B|C)""#);
        let q = Matcher::new(MatchOp::Equal, "foo bar", "a\"b").unwrap();
        assert_eq!(q.to_string(), r#""foo bar"="a\"b""#);
    }
}

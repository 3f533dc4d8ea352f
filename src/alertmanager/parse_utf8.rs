//! The UTF-8 matcher syntax (Alertmanager's `matcher/parse`, default since
//! 0.27): label names and values are any UTF-8 text, double-quoted with Go
//! string escapes when they contain a reserved character.
//!
//! Errors carry the upstream message, whose `start:end:` prefix counts
//! characters, and a byte span into the input for diagnostics.

use super::matcher::{MatchOp, Matcher, is_reserved};
use crate::span::Span;

/// A matcher that does not parse. `span` is a byte range in the parsed text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct MatcherError {
    pub message: String,
    pub span: Span,
}

impl MatcherError {
    pub(crate) fn new(message: impl Into<String>, span: Span) -> MatcherError {
        MatcherError { message: message.into(), span }
    }

    pub(crate) fn shifted(mut self, by: usize) -> MatcherError {
        self.span = self.span.shift(by);
        self
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Eof,
    OpenBrace,
    CloseBrace,
    Comma,
    Equals,
    NotEquals,
    Matches,
    NotMatches,
    Quoted,
    Unquoted,
}

/// Byte offsets and character columns of a token (or of the cursor).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Pos {
    start: usize,
    end: usize,
    col_start: usize,
    col_end: usize,
}

impl Pos {
    fn span(self) -> Span {
        Span::new(self.start, self.end)
    }
}

#[derive(Clone, Copy, Debug)]
struct Token<'a> {
    kind: Kind,
    text: &'a str,
    pos: Pos,
}

impl Token<'_> {
    fn eof() -> Token<'static> {
        Token { kind: Kind::Eof, text: "", pos: Pos::default() }
    }
}

/// Why a token was not accepted: either the lexer failed, the input ended,
/// or an unexpected token appeared.
#[derive(Clone, Debug)]
enum Fault {
    Lex(MatcherError),
    Eof(Pos),
    Unexpected(MatcherError),
}

impl Fault {
    /// Upstream wraps the fault with a reason: `"<fault>: <reason>"`.
    fn with_reason(self, reason: &str) -> MatcherError {
        match self {
            Fault::Lex(e) | Fault::Unexpected(e) => MatcherError::new(format!("{}: {reason}", e.message), e.span),
            Fault::Eof(p) => MatcherError::new(format!("end of input: {reason}"), p.span()),
        }
    }
}

struct Lexer<'a> {
    input: &'a str,
    start: usize,
    pos: usize,
    width: usize,
    column: usize,
    cols: usize,
    err: Option<MatcherError>,
}

impl<'a> Lexer<'a> {
    fn new(input: &'a str) -> Lexer<'a> {
        Lexer { input, start: 0, pos: 0, width: 0, column: 0, cols: 0, err: None }
    }

    fn next(&mut self) -> Option<char> {
        let c = self.input.get(self.pos..).and_then(|rest| rest.chars().next());
        match c {
            Some(c) => {
                self.width = c.len_utf8();
                self.pos += self.width;
                self.cols += 1;
            }
            None => self.width = 0,
        }
        c
    }

    fn rewind(&mut self) {
        if self.width > 0 {
            self.pos -= self.width;
            self.cols -= 1;
            self.width = 0;
        }
    }

    fn accept(&mut self, c: char) -> bool {
        match self.next() {
            Some(n) if n == c => true,
            _ => {
                self.rewind();
                false
            }
        }
    }

    fn position(&self) -> Pos {
        Pos { start: self.start, end: self.pos, col_start: self.column, col_end: self.cols }
    }

    fn skip(&mut self) {
        self.start = self.pos;
        self.column = self.cols;
    }

    fn emit(&mut self, kind: Kind) -> Token<'a> {
        let pos = self.position();
        let text = self.input.get(self.start..self.pos).unwrap_or("");
        self.skip();
        Token { kind, text, pos }
    }

    fn fail(&mut self, message: String, pos: Pos) -> MatcherError {
        let e = MatcherError::new(message, pos.span());
        self.err = Some(e.clone());
        e
    }

    fn text_of(&self, pos: Pos) -> &'a str {
        self.input.get(pos.start..pos.end).unwrap_or("")
    }

    fn peek(&mut self) -> Result<Token<'a>, MatcherError> {
        let saved = (self.start, self.pos, self.width, self.column, self.cols);
        let t = self.scan();
        (self.start, self.pos, self.width, self.column, self.cols) = saved;
        t
    }

    fn scan(&mut self) -> Result<Token<'a>, MatcherError> {
        if let Some(e) = &self.err {
            return Err(e.clone());
        }
        while let Some(c) = self.next() {
            match c {
                '{' => return Ok(self.emit(Kind::OpenBrace)),
                '}' => return Ok(self.emit(Kind::CloseBrace)),
                ',' => return Ok(self.emit(Kind::Comma)),
                '=' | '!' => {
                    self.rewind();
                    return self.scan_operator();
                }
                '"' => {
                    self.rewind();
                    return self.scan_quoted();
                }
                c if !is_reserved(c) => {
                    self.rewind();
                    return Ok(self.scan_unquoted());
                }
                c if c.is_whitespace() => self.skip(),
                _ => {
                    let pos = self.position();
                    let msg = format!("{}:{}: {}: invalid input", pos.col_start, pos.col_end, self.text_of(pos));
                    return Err(self.fail(msg, pos));
                }
            }
        }
        Ok(Token::eof())
    }

    fn scan_operator(&mut self) -> Result<Token<'a>, MatcherError> {
        if self.accept('!') {
            if self.accept('=') {
                return Ok(self.emit(Kind::NotEquals));
            }
            if self.accept('~') {
                return Ok(self.emit(Kind::NotMatches));
            }
            return Err(self.expected("one of '=~'"));
        }
        if self.accept('=') {
            if self.accept('~') {
                return Ok(self.emit(Kind::Matches));
            }
            return Ok(self.emit(Kind::Equals));
        }
        Err(self.expected("one of '=!'"))
    }

    fn expected(&mut self, what: &str) -> MatcherError {
        let pos = self.position();
        let msg = if pos.end >= self.input.len() {
            format!("{}:{}: unexpected end of input, expected {what}", pos.col_start, pos.col_end)
        } else {
            format!("{}:{}: {}: expected {what}", pos.col_start, pos.col_end, self.text_of(pos))
        };
        self.fail(msg, pos)
    }

    fn scan_quoted(&mut self) -> Result<Token<'a>, MatcherError> {
        // The opening quote is known to be there.
        self.next();
        let mut escaped = false;
        while let Some(c) = self.next() {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                self.rewind();
                break;
            }
        }
        if !self.accept('"') {
            let pos = self.position();
            let msg = format!("{}:{}: {}: missing end \"", pos.col_start, pos.col_end, self.text_of(pos));
            return Err(self.fail(msg, pos));
        }
        Ok(self.emit(Kind::Quoted))
    }

    fn scan_unquoted(&mut self) -> Token<'a> {
        while let Some(c) = self.next() {
            if is_reserved(c) {
                self.rewind();
                break;
            }
        }
        self.emit(Kind::Unquoted)
    }
}

struct Parser<'a> {
    lexer: Lexer<'a>,
    has_open_brace: bool,
    matchers: Vec<Matcher>,
}

enum State {
    OpenBrace,
    CloseBrace,
    Matcher,
    EndOfMatcher,
    Comma,
    Eof,
}

impl<'a> Parser<'a> {
    fn expect_peek(&mut self, kinds: &[Kind]) -> Result<Token<'a>, Fault> {
        let t = self.lexer.peek().map_err(Fault::Lex)?;
        if t.kind == Kind::Eof {
            return Err(Fault::Eof(self.lexer.position()));
        }
        if !kinds.contains(&t.kind) {
            let msg = format!("{}:{}: unexpected {}", t.pos.col_start, t.pos.col_end, t.text);
            return Err(Fault::Unexpected(MatcherError::new(msg, t.pos.span())));
        }
        Ok(t)
    }

    fn expect(&mut self, kinds: &[Kind]) -> Result<Token<'a>, Fault> {
        let t = self.expect_peek(kinds)?;
        // Re-scanning a token that peek() just produced cannot fail.
        let _ = self.lexer.scan();
        Ok(t)
    }

    fn run(mut self) -> Result<Vec<Matcher>, MatcherError> {
        let mut state = State::OpenBrace;
        loop {
            state = match state {
                State::OpenBrace => self.open_brace()?,
                State::CloseBrace => self.close_brace()?,
                State::Matcher => self.matcher()?,
                State::EndOfMatcher => self.end_of_matcher()?,
                State::Comma => self.comma()?,
                State::Eof => {
                    let t = self.lexer.scan().map_err(|e| Fault::Lex(e).with_reason("expected end of input"))?;
                    if t.kind != Kind::Eof {
                        let msg = format!("{}:{}: {}: expected end of input", t.pos.col_start, t.pos.col_end, t.text);
                        return Err(MatcherError::new(msg, t.pos.span()));
                    }
                    return Ok(self.matchers);
                }
            }
        }
    }

    fn open_brace(&mut self) -> Result<State, MatcherError> {
        // A lexer error on the first token is returned unwrapped, as upstream.
        let t = self.lexer.peek()?;
        match t.kind {
            Kind::Eof => return Ok(State::Eof),
            Kind::OpenBrace => {
                self.has_open_brace = true;
                let _ = self.lexer.scan();
            }
            _ => {}
        }
        let next = self.lexer.peek()?;
        match next.kind {
            // Nothing after the brace: let close_brace report the missing `}`.
            Kind::Eof | Kind::CloseBrace => Ok(State::CloseBrace),
            _ => Ok(State::Matcher),
        }
    }

    fn close_brace(&mut self) -> Result<State, MatcherError> {
        let got_close = self.expect(&[Kind::CloseBrace]);
        if self.has_open_brace {
            if let Err(fault) = got_close {
                let col_end = self.lexer.position().col_end;
                let inner = fault.with_reason("expected close brace");
                let span = inner.span;
                return Err(MatcherError::new(format!("0:{col_end}: {}", inner.message), span));
            }
        } else if got_close.is_ok() {
            let p = self.lexer.position();
            return Err(MatcherError::new(
                format!("0:{}: }}: expected opening brace", p.col_end),
                Span::new(p.end.saturating_sub(1), p.end),
            ));
        }
        Ok(State::Eof)
    }

    fn matcher(&mut self) -> Result<State, MatcherError> {
        let name_tok =
            self.expect(&[Kind::Quoted, Kind::Unquoted]).map_err(|f| f.with_reason("expected label name"))?;
        let name = unquote_token(&name_tok)?;
        let op_tok = self
            .expect(&[Kind::Equals, Kind::NotEquals, Kind::Matches, Kind::NotMatches])
            .map_err(|f| f.with_reason("expected an operator such as '=', '!=', '=~' or '!~'"))?;
        let op = match op_tok.kind {
            Kind::Equals => MatchOp::Equal,
            Kind::NotEquals => MatchOp::NotEqual,
            Kind::Matches => MatchOp::Regex,
            _ => MatchOp::NotRegex,
        };
        let value_tok =
            self.expect(&[Kind::Unquoted, Kind::Quoted]).map_err(|f| f.with_reason("expected label value"))?;
        let value = unquote_token(&value_tok)?;
        let span = Span::new(name_tok.pos.start, value_tok.pos.end);
        let m = Matcher::new(op, name, value)
            .map_err(|e| MatcherError::new(format!("failed to create matcher: {e}"), value_tok.pos.span()))?;
        self.matchers.push(m.with_span(span));
        Ok(State::EndOfMatcher)
    }

    fn end_of_matcher(&mut self) -> Result<State, MatcherError> {
        match self.expect_peek(&[Kind::Comma, Kind::CloseBrace]) {
            Ok(t) if t.kind == Kind::Comma => Ok(State::Comma),
            Ok(_) => Ok(State::CloseBrace),
            Err(Fault::Eof(_)) => Ok(State::CloseBrace),
            Err(f) => Err(f.with_reason("expected a comma or close brace")),
        }
    }

    fn comma(&mut self) -> Result<State, MatcherError> {
        self.expect(&[Kind::Comma]).map_err(|f| f.with_reason("expected a comma"))?;
        match self.expect_peek(&[Kind::CloseBrace, Kind::Unquoted, Kind::Quoted]) {
            Ok(t) if t.kind == Kind::CloseBrace => Ok(State::CloseBrace),
            Ok(_) => Ok(State::Matcher),
            Err(Fault::Eof(_)) => Ok(State::CloseBrace),
            Err(f) => Err(f.with_reason("expected a matcher or close brace after comma")),
        }
    }
}

fn unquote_token(t: &Token<'_>) -> Result<String, MatcherError> {
    if t.kind != Kind::Quoted {
        return Ok(t.text.to_string());
    }
    go_unquote(t.text).ok_or_else(|| {
        MatcherError::new(format!("{}:{}: {}: invalid input", t.pos.col_start, t.pos.col_end, t.text), t.pos.span())
    })
}

/// Go's `strconv.Unquote` for a double-quoted string, then a UTF-8 check
/// (`\x` escapes produce raw bytes).
fn go_unquote(s: &str) -> Option<String> {
    let body = s.strip_prefix('"')?.strip_suffix('"')?;
    if body.contains('\n') {
        return None;
    }
    let mut out: Vec<u8> = Vec::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => return None,
            '\\' => {
                let e = chars.next()?;
                match e {
                    'a' => out.push(7),
                    'b' => out.push(8),
                    'f' => out.push(12),
                    'n' => out.push(b'\n'),
                    'r' => out.push(b'\r'),
                    't' => out.push(b'\t'),
                    'v' => out.push(11),
                    '\\' => out.push(b'\\'),
                    '"' => out.push(b'"'),
                    'x' => {
                        let v = take_hex(&mut chars, 2)?;
                        out.push(u8::try_from(v).ok()?);
                    }
                    'u' | 'U' => {
                        let v = take_hex(&mut chars, if e == 'u' { 4 } else { 8 })?;
                        let c = char::from_u32(v)?;
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                    }
                    '0'..='7' => {
                        let mut v = e.to_digit(8)?;
                        for _ in 0..2 {
                            v = v * 8 + chars.next()?.to_digit(8)?;
                        }
                        out.push(u8::try_from(v).ok()?);
                    }
                    _ => return None,
                }
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    String::from_utf8(out).ok()
}

fn take_hex(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, n: usize) -> Option<u32> {
    let mut v: u32 = 0;
    for _ in 0..n {
        v = v.checked_mul(16)? + chars.next()?.to_digit(16)?;
    }
    Some(v)
}

/// Parses zero or more matchers, with optional surrounding braces.
pub fn parse_matchers(input: &str) -> Result<Vec<Matcher>, MatcherError> {
    Parser { lexer: Lexer::new(input), has_open_brace: false, matchers: Vec::new() }.run()
}

/// Parses exactly one matcher.
pub fn parse_matcher(input: &str) -> Result<Matcher, MatcherError> {
    let mut ms = parse_matchers(input)?;
    match ms.len() {
        1 => Ok(ms.remove(0)),
        0 => Err(MatcherError::new("no matchers", Span::new(0, input.len()))),
        n => Err(MatcherError::new(format!("expected 1 matcher, found {n}"), Span::new(0, input.len()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(s: &str) -> String {
        parse_matchers(s).unwrap_err().message
    }

    #[test]
    fn lexer_errors_match_upstream() {
        // A lexer error on the first token is returned as is.
        assert_eq!(err("!"), "0:1: unexpected end of input, expected one of '=~'");
        assert_eq!(err("\"hello"), "0:6: \"hello: missing end \"");
        assert_eq!(err("foo=\"bar"), "4:8: \"bar: missing end \": expected label value");
        assert_eq!(err("{foo=bar}x"), "9:10: x: expected end of input");
    }

    #[test]
    fn unicode_names_and_escapes() {
        let ms = parse_matchers(r#"{"foo bar"=~"\u00e9\x41", baz🙂=qux}"#).unwrap();
        assert_eq!(ms[0].name, "foo bar");
        assert_eq!(ms[0].value, "éA");
        assert_eq!(ms[1].name, "baz🙂");
    }

    #[test]
    fn error_spans_are_bytes() {
        let e = parse_matchers("{🙂=\"a\\w\"}").unwrap_err();
        assert_eq!(e.message, "3:8: \"a\\w\": invalid input");
        assert_eq!(e.span, Span::new(6, 11));
    }
}

//! The PromQL lexer, a port of upstream's state machine (`promql/parser/lex.go`)
//! so that token boundaries and lexer error texts and positions agree.
//!
//! Tokens are produced up to the first error. Upstream's parser treats a lexer
//! error as the end of input, so the error becomes the last token.

use super::ast::AggregateOp;
use super::literals::{go_quote, go_quote_rune, go_unicode_format};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    Eof,
    /// A lexer error; the message is in [`Lexed::error`].
    Error,
    Identifier,
    MetricIdentifier,
    Number,
    Duration,
    String,
    LeftParen,
    RightParen,
    LeftBrace,
    RightBrace,
    LeftBracket,
    RightBracket,
    Comma,
    Eql,
    Colon,
    DoubleColon,
    // Operators.
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Eqlc,
    Neq,
    Lte,
    Lss,
    Gte,
    Gtr,
    EqlRegex,
    NeqRegex,
    At,
    Atan2,
    Land,
    Lor,
    Lunless,
    Aggregate(AggregateOp),
    // Keywords.
    Bool,
    By,
    GroupLeft,
    GroupRight,
    Ignoring,
    Offset,
    Smoothed,
    Anchored,
    On,
    Without,
    // Preprocessors and duration functions.
    Start,
    End,
    Step,
    Range,
    MinOf,
    MaxOf,
}

impl Tok {
    fn is_operator(self) -> bool {
        use Tok::*;
        matches!(
            self,
            Add | Sub
                | Mul
                | Div
                | Mod
                | Pow
                | Eqlc
                | Neq
                | Lte
                | Lss
                | Gte
                | Gtr
                | EqlRegex
                | NeqRegex
                | At
                | Atan2
                | Land
                | Lor
                | Lunless
        )
    }

    fn is_keyword(self) -> bool {
        use Tok::*;
        matches!(self, Bool | By | GroupLeft | GroupRight | Ignoring | Offset | Smoothed | Anchored | On | Without)
    }

    /// Upstream's `ItemType.desc()` for types without a fixed spelling.
    fn type_description(self) -> &'static str {
        match self {
            Tok::Eof => "end of input",
            Tok::Error => "error",
            Tok::Identifier => "identifier",
            Tok::MetricIdentifier => "metric identifier",
            Tok::String => "string",
            Tok::Number => "number",
            Tok::Duration => "duration",
            _ => "",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Tok,
    pub start: usize,
    pub end: usize,
}

impl Token {
    /// Upstream's `Item.desc()`, used in "unexpected ..." messages.
    pub fn describe(&self, input: &str) -> String {
        let text = input.get(self.start..self.end).unwrap_or("");
        match self.kind {
            Tok::Eof => "end of input".to_string(),
            Tok::Identifier | Tok::MetricIdentifier | Tok::String | Tok::Number | Tok::Duration | Tok::Error => {
                format!("{} {}", self.kind.type_description(), quote_item(self.kind, text))
            }
            kind if kind.is_keyword() => format!("<{text}>"),
            kind if kind.is_operator() => format!("<op:{text}>"),
            Tok::Aggregate(_) => format!("<aggr:{text}>"),
            _ => quote_item(self.kind, text),
        }
    }
}

/// Upstream's `Item.String()` for items printed with `%q`.
fn quote_item(kind: Tok, text: &str) -> String {
    if matches!(kind, Tok::Identifier | Tok::MetricIdentifier) {
        return go_quote(text);
    }
    if text.chars().count() > 10 {
        format!("{}...", super::literals::go_quote_truncated(text, 10))
    } else {
        go_quote(text)
    }
}

pub(crate) struct Lexed {
    pub tokens: Vec<Token>,
    /// The lexer error that ends the token list, if any: message and start offset.
    pub error: Option<(String, usize)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Statements,
    DurationExpr,
}

struct Lexer<'a> {
    input: &'a str,
    pos: usize,
    start: usize,
    width: usize,
    paren_depth: i64,
    brace_open: bool,
    bracket_open: bool,
    got_colon: bool,
    got_duration: bool,
    mode: Mode,
    tokens: Vec<Token>,
}

/// Why lexing stopped.
enum Stop {
    Error(String),
}

type Step = Result<(), Stop>;

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

fn is_alpha(c: char) -> bool {
    c == '_' || c.is_ascii_alphabetic()
}

fn is_alpha_numeric(c: char) -> bool {
    is_alpha(c) || c.is_ascii_digit()
}

pub(crate) fn lex(input: &str) -> Lexed {
    let mut lexer = Lexer {
        input,
        pos: 0,
        start: 0,
        width: 0,
        paren_depth: 0,
        brace_open: false,
        bracket_open: false,
        got_colon: false,
        got_duration: false,
        mode: Mode::Statements,
        tokens: Vec::with_capacity(input.len() / 3 + 2),
    };
    loop {
        let before = lexer.tokens.len();
        let step = if lexer.brace_open {
            lexer.lex_inside_braces()
        } else if lexer.mode == Mode::DurationExpr {
            lexer.lex_duration_expr()
        } else {
            lexer.lex_statements()
        };
        if let Err(Stop::Error(message)) = step {
            let start = lexer.start;
            lexer.tokens.push(Token { kind: Tok::Error, start, end: input.len() });
            return Lexed { tokens: lexer.tokens, error: Some((message, start)) };
        }
        if lexer.tokens.len() > before && lexer.tokens.last().map(|t| t.kind) == Some(Tok::Eof) {
            return Lexed { tokens: lexer.tokens, error: None };
        }
    }
}

impl<'a> Lexer<'a> {
    fn next(&mut self) -> Option<char> {
        match self.input.get(self.pos..).and_then(|rest| rest.chars().next()) {
            Some(c) => {
                self.width = c.len_utf8();
                self.pos += self.width;
                Some(c)
            }
            None => {
                self.width = 0;
                None
            }
        }
    }

    fn peek(&self) -> Option<char> {
        self.input.get(self.pos..).and_then(|rest| rest.chars().next())
    }

    fn backup(&mut self) {
        self.pos -= self.width;
    }

    fn emit(&mut self, kind: Tok) {
        self.tokens.push(Token { kind, start: self.start, end: self.pos });
        self.start = self.pos;
    }

    fn ignore(&mut self) {
        self.start = self.pos;
    }

    fn accept(&mut self, valid: &str) -> bool {
        match self.next() {
            Some(c) if valid.contains(c) => true,
            _ => {
                self.backup();
                false
            }
        }
    }

    fn peek_is(&self, valid: &str) -> bool {
        self.peek().is_some_and(|c| valid.contains(c))
    }

    fn accept_run(&mut self, valid: &str) {
        while self.accept(valid) {}
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(is_space) {
            self.next();
        }
        self.ignore();
    }

    fn error<T>(&self, message: String) -> Result<T, Stop> {
        Err(Stop::Error(message))
    }

    fn skip_line_comment(&mut self) {
        self.pos += 1;
        while let Some(c) = self.peek() {
            if c == '\r' || c == '\n' {
                break;
            }
            self.next();
        }
        // Comments are dropped: the parser skips them anyway.
        self.ignore();
    }

    fn lex_statements(&mut self) -> Step {
        if self.input[self.pos..].starts_with('#') {
            self.skip_line_comment();
            return Ok(());
        }
        let Some(c) = self.next() else {
            if self.paren_depth != 0 {
                return self.error("unclosed left parenthesis".into());
            }
            if self.bracket_open {
                return self.error("unclosed left bracket".into());
            }
            self.emit(Tok::Eof);
            return Ok(());
        };
        match c {
            ',' => self.emit(Tok::Comma),
            c if is_space(c) => self.skip_spaces(),
            '*' => self.emit(Tok::Mul),
            '/' => self.emit(Tok::Div),
            '%' => self.emit(Tok::Mod),
            '+' => self.emit(Tok::Add),
            '-' => self.emit(Tok::Sub),
            '^' => self.emit(Tok::Pow),
            '=' => match self.peek() {
                Some('=') => {
                    self.next();
                    self.emit(Tok::Eqlc);
                }
                Some('~') => {
                    return self.error(format!("unexpected character after '=': {}", go_quote_rune(Some('~'))));
                }
                _ => self.emit(Tok::Eql),
            },
            '!' => {
                let t = self.next();
                if t != Some('=') {
                    return self.error(format!("unexpected character after '!': {}", go_quote_rune(t)));
                }
                self.emit(Tok::Neq);
            }
            '<' => {
                if self.peek() == Some('=') {
                    self.next();
                    self.emit(Tok::Lte);
                } else {
                    self.emit(Tok::Lss);
                }
            }
            '>' => {
                if self.peek() == Some('=') {
                    self.next();
                    self.emit(Tok::Gte);
                } else {
                    self.emit(Tok::Gtr);
                }
            }
            c if c.is_ascii_digit() || (c == '.' && self.peek().is_some_and(|d| d.is_ascii_digit())) => {
                self.backup();
                return self.lex_number_or_duration();
            }
            '"' | '\'' => return self.lex_string(c),
            '`' => return self.lex_raw_string(),
            c if is_alpha(c) || c == ':' => {
                if !self.bracket_open {
                    self.backup();
                    self.lex_keyword_or_identifier();
                    return Ok(());
                }
                if c == ':' {
                    if self.got_colon {
                        return self.error(format!("unexpected colon {}", go_quote_rune(Some(':'))));
                    }
                    if self.peek() == Some(':') {
                        self.next();
                        self.emit(Tok::DoubleColon);
                    } else {
                        self.emit(Tok::Colon);
                    }
                    self.got_colon = true;
                    return Ok(());
                }
                if matches!(c, 's' | 'S' | 'm' | 'M' | 'r' | 'R') && self.scan_duration_keyword() {
                    return Ok(());
                }
                return self.error(format!(
                    "unexpected character: {}, expected {}",
                    go_quote_rune(Some(c)),
                    go_quote_rune(Some(':'))
                ));
            }
            '(' => {
                self.emit(Tok::LeftParen);
                self.paren_depth += 1;
            }
            ')' => {
                self.emit(Tok::RightParen);
                self.paren_depth -= 1;
                if self.paren_depth < 0 {
                    // Upstream overwrites the `)` token with the error.
                    self.tokens.pop();
                    return self.error(format!("unexpected right parenthesis {}", go_quote_rune(Some(')'))));
                }
            }
            '{' => {
                self.emit(Tok::LeftBrace);
                self.brace_open = true;
            }
            '[' => {
                if self.bracket_open {
                    return self.error(format!("unexpected left bracket {}", go_quote_rune(Some('['))));
                }
                self.got_colon = false;
                self.emit(Tok::LeftBracket);
                self.skip_spaces();
                self.bracket_open = true;
                self.mode = Mode::DurationExpr;
            }
            ']' => {
                if !self.bracket_open {
                    return self.error(format!("unexpected right bracket {}", go_quote_rune(Some(']'))));
                }
                self.emit(Tok::RightBracket);
                self.bracket_open = false;
            }
            '@' => self.emit(Tok::At),
            c => return self.error(format!("unexpected character: {}", go_quote_rune(Some(c)))),
        }
        Ok(())
    }

    fn lex_inside_braces(&mut self) -> Step {
        if self.input[self.pos..].starts_with('#') {
            self.skip_line_comment();
            return Ok(());
        }
        let Some(c) = self.next() else {
            return self.error("unexpected end of input inside braces".into());
        };
        match c {
            c if is_space(c) => self.skip_spaces(),
            c if is_alpha(c) => {
                while self.peek().is_some_and(is_alpha_numeric) {
                    self.next();
                }
                self.emit(Tok::Identifier);
            }
            ',' => self.emit(Tok::Comma),
            '"' | '\'' => return self.lex_string(c),
            '`' => return self.lex_raw_string(),
            '=' => {
                if self.next() == Some('~') {
                    self.emit(Tok::EqlRegex);
                } else {
                    self.backup();
                    self.emit(Tok::Eql);
                }
            }
            '!' => match self.next() {
                Some('~') => self.emit(Tok::NeqRegex),
                Some('=') => self.emit(Tok::Neq),
                other => {
                    return self
                        .error(format!("unexpected character after '!' inside braces: {}", go_quote_rune(other)));
                }
            },
            '{' => {
                return self.error(format!("unexpected left brace {}", go_quote_rune(Some('{'))));
            }
            '}' => {
                self.emit(Tok::RightBrace);
                self.brace_open = false;
                self.mode = Mode::Statements;
            }
            c => {
                return self.error(format!("unexpected character inside braces: {}", go_quote_rune(Some(c))));
            }
        }
        Ok(())
    }

    fn lex_duration_expr(&mut self) -> Step {
        let Some(c) = self.next() else {
            return self.error("unexpected end of input in duration expression".into());
        };
        match c {
            ']' => {
                self.emit(Tok::RightBracket);
                self.bracket_open = false;
                self.got_colon = false;
                self.mode = Mode::Statements;
            }
            ':' => {
                self.emit(Tok::Colon);
                if !self.got_duration {
                    return self.error("unexpected colon before duration in duration expression".into());
                }
                if self.got_colon {
                    return self.error("unexpected repeated colon in duration expression".into());
                }
                self.got_colon = true;
            }
            '(' => {
                self.emit(Tok::LeftParen);
                self.paren_depth += 1;
            }
            ')' => {
                self.emit(Tok::RightParen);
                self.paren_depth -= 1;
                if self.paren_depth < 0 {
                    self.tokens.pop();
                    return self.error(format!("unexpected right parenthesis {}", go_quote_rune(Some(')'))));
                }
            }
            c if is_space(c) => self.skip_spaces(),
            '+' => self.emit(Tok::Add),
            '-' => self.emit(Tok::Sub),
            '*' => self.emit(Tok::Mul),
            '/' => self.emit(Tok::Div),
            '%' => self.emit(Tok::Mod),
            '^' => self.emit(Tok::Pow),
            ',' => self.emit(Tok::Comma),
            's' | 'S' | 'm' | 'M' | 'r' | 'R' => {
                if !self.scan_duration_keyword() {
                    return self
                        .error(format!("unexpected character in duration expression: {}", go_quote_rune(Some(c))));
                }
            }
            c if c.is_ascii_digit() || (c == '.' && self.peek().is_some_and(|d| d.is_ascii_digit())) => {
                self.backup();
                self.got_duration = true;
                self.mode = Mode::Statements;
                return self.lex_number_or_duration();
            }
            c => {
                return self.error(format!("unexpected character in duration expression: {}", go_quote_rune(Some(c))));
            }
        }
        Ok(())
    }

    /// `step`, `range`, `min_of`, `max_of` inside brackets; the first letter is consumed.
    fn scan_duration_keyword(&mut self) -> bool {
        while self.peek().is_some_and(is_alpha) {
            self.next();
        }
        let word = self.input[self.start..self.pos].to_ascii_lowercase();
        let kind = match word.as_str() {
            "step" => Tok::Step,
            "range" => Tok::Range,
            "min_of" => Tok::MinOf,
            "max_of" => Tok::MaxOf,
            _ => return false,
        };
        self.emit(kind);
        true
    }

    fn lex_number_or_duration(&mut self) -> Step {
        if self.scan_number() {
            self.emit(Tok::Number);
            return Ok(());
        }
        if self.accept_remaining_duration() {
            self.backup();
            self.emit(Tok::Duration);
            return Ok(());
        }
        self.error(format!("bad number or duration syntax: {}", go_quote(&self.input[self.start..self.pos])))
    }

    fn accept_remaining_duration(&mut self) -> bool {
        if !self.accept("smhdwy") {
            return false;
        }
        // `ms`; bad units such as `hs` are caught when the duration is parsed.
        self.accept("s");
        while self.accept("0123456789") {
            while self.accept("0123456789") {}
            // `y` must come first, so it is not accepted after a number here.
            if !self.accept("smhdw") {
                return false;
            }
            self.accept("s");
        }
        !self.next().is_some_and(is_alpha_numeric)
    }

    /// Upstream's `scanNumber`: may consume part of a longer token even when it fails.
    fn scan_number(&mut self) -> bool {
        let initial = self.pos;
        let mut digits = "0123456789";
        if self.accept("0") && self.accept("xX") {
            self.accept("_");
            digits = "0123456789abcdefABCDEF";
        }
        let hex = digits.len() > 10;
        self.accept(".");
        self.accept(digits);
        let mut dot_consumed = false;
        let mut exponent_consumed = false;
        while self.peek().is_some_and(|c| digits.contains(c) || matches!(c, '.' | '_' | 'e' | 'E')) {
            if self.peek_is(".") && dot_consumed {
                self.accept(".");
                return false;
            }
            if self.peek_is("eE") && exponent_consumed {
                self.accept("eE");
                return false;
            }
            if self.accept(".") {
                dot_consumed = true;
                if self.accept("_.") {
                    return false;
                }
                if hex {
                    return false;
                }
                continue;
            }
            if self.accept("eE") {
                exponent_consumed = true;
                self.accept("+-");
                if self.accept("._eE") || self.peek().is_none() {
                    return false;
                }
                continue;
            }
            if self.accept("_") {
                if self.accept("._eE") || self.peek().is_none() {
                    return false;
                }
                continue;
            }
            self.accept_run(digits);
        }
        if self.pos == initial {
            return false;
        }
        !self.peek().is_some_and(is_alpha_numeric)
    }

    fn lex_keyword_or_identifier(&mut self) {
        // Identifier characters are ASCII: scan bytes.
        let bytes = self.input.as_bytes();
        let mut colon = false;
        while let Some(&b) = bytes.get(self.pos) {
            if b == b':' {
                colon = true;
            } else if !(b == b'_' || b.is_ascii_alphanumeric()) {
                break;
            }
            self.pos += 1;
            self.width = 1;
        }
        let word = &self.input[self.start..self.pos];
        let kind = keyword(word).unwrap_or(if colon { Tok::MetricIdentifier } else { Tok::Identifier });
        self.emit(kind);
    }

    fn lex_string(&mut self, quote: char) -> Step {
        loop {
            match self.next() {
                Some('\\') => self.lex_escape(quote)?,
                Some('\u{FFFD}') => return self.error("invalid UTF-8 rune".into()),
                None | Some('\n') => return self.error("unterminated quoted string".into()),
                Some(c) if c == quote => break,
                Some(_) => {}
            }
        }
        self.emit(Tok::String);
        Ok(())
    }

    fn lex_escape(&mut self, quote: char) -> Step {
        let mut ch = self.next();
        let (mut n, base, max): (u32, u32, u32) = match ch {
            Some('a' | 'b' | 'f' | 'n' | 'r' | 't' | 'v' | '\\') => return Ok(()),
            Some(c) if c == quote => return Ok(()),
            Some('0'..='7') => (3, 8, 255),
            Some('x') => {
                ch = self.next();
                (2, 16, 255)
            }
            Some('u') => {
                ch = self.next();
                (4, 16, 0x10FFFF)
            }
            Some('U') => {
                ch = self.next();
                (8, 16, 0x10FFFF)
            }
            None => return self.error("escape sequence not terminated".into()),
            Some(c) => {
                return self.error(format!("unknown escape sequence {}", go_unicode_format(c)));
            }
        };
        let mut value: u32 = 0;
        while n > 0 {
            let digit = ch.and_then(|c| c.to_digit(16)).unwrap_or(16);
            if digit >= base {
                return match ch {
                    None => self.error("escape sequence not terminated".into()),
                    Some(c) => self.error(format!("illegal character {} in escape sequence", go_unicode_format(c))),
                };
            }
            value = value.saturating_mul(base).saturating_add(digit);
            n -= 1;
            if n > 0 {
                ch = self.next();
            }
        }
        if value > max || (0xD800..0xE000).contains(&value) {
            return self.error("escape sequence is an invalid Unicode code point".into());
        }
        Ok(())
    }

    fn lex_raw_string(&mut self) -> Step {
        loop {
            match self.next() {
                Some('\u{FFFD}') => return self.error("invalid UTF-8 rune".into()),
                None => return self.error("unterminated raw string".into()),
                Some('`') => break,
                Some(_) => {}
            }
        }
        self.emit(Tok::String);
        Ok(())
    }
}

/// Upstream's keyword table (case-insensitive); `inf` and `nan` are numbers.
fn keyword(word: &str) -> Option<Tok> {
    if word.len() > 12 {
        return None;
    }
    let mut buf = [0u8; 12];
    let lower = &mut buf[..word.len()];
    lower.copy_from_slice(word.as_bytes());
    lower.make_ascii_lowercase();
    let kind = match &*lower {
        b"and" => Tok::Land,
        b"or" => Tok::Lor,
        b"unless" => Tok::Lunless,
        b"atan2" => Tok::Atan2,
        b"offset" => Tok::Offset,
        b"smoothed" => Tok::Smoothed,
        b"anchored" => Tok::Anchored,
        b"by" => Tok::By,
        b"without" => Tok::Without,
        b"on" => Tok::On,
        b"ignoring" => Tok::Ignoring,
        b"group_left" => Tok::GroupLeft,
        b"group_right" => Tok::GroupRight,
        b"bool" => Tok::Bool,
        b"start" => Tok::Start,
        b"end" => Tok::End,
        b"step" => Tok::Step,
        b"range" => Tok::Range,
        b"inf" | b"nan" => Tok::Number,
        _ => {
            return std::str::from_utf8(lower).ok().and_then(AggregateOp::from_keyword).map(Tok::Aggregate);
        }
    };
    Some(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(input: &str) -> Vec<(Tok, &str)> {
        lex(input).tokens.iter().map(|t| (t.kind, &input[t.start..t.end.min(input.len())])).collect()
    }

    #[test]
    fn durations_and_numbers() {
        assert_eq!(
            kinds("foo[5m:1m] offset 1h30m"),
            vec![
                (Tok::Identifier, "foo"),
                (Tok::LeftBracket, "["),
                (Tok::Duration, "5m"),
                (Tok::Colon, ":"),
                (Tok::Duration, "1m"),
                (Tok::RightBracket, "]"),
                (Tok::Offset, "offset"),
                (Tok::Duration, "1h30m"),
                (Tok::Eof, ""),
            ]
        );
        assert_eq!(kinds("0x1_2_34")[0], (Tok::Number, "0x1_2_34"));
        assert_eq!(kinds("NaN123")[0], (Tok::Identifier, "NaN123"));
        assert_eq!(kinds("-Inf")[1], (Tok::Number, "Inf"));
    }

    #[test]
    fn errors_stop_lexing_with_upstream_text() {
        let lexed = lex("0deadbeef");
        assert_eq!(lexed.error, Some(("bad number or duration syntax: \"0de\"".to_string(), 0)));
        let lexed = lex("(1))");
        assert_eq!(lexed.error, Some(("unexpected right parenthesis ')'".to_string(), 4)));
        assert_eq!(lexed.tokens.iter().filter(|t| t.kind == Tok::RightParen).count(), 1);
        assert!(lex("1e+").error.is_some());
        assert!(lex("00_1_23__4.56_7_8").error.is_some());
    }

    #[test]
    fn keywords_are_plain_identifiers_inside_braces() {
        let toks = kinds("{on!~\"bar\"}");
        assert_eq!(toks[1], (Tok::Identifier, "on"));
        assert_eq!(toks[2], (Tok::NeqRegex, "!~"));
    }

    #[test]
    fn descriptions_follow_upstream() {
        let input = "foo ignoring == sum \"a long string here\" 5m";
        let lexed = lex(input);
        let d: Vec<String> = lexed.tokens.iter().map(|t| t.describe(input)).collect();
        assert_eq!(d[0], "identifier \"foo\"");
        assert_eq!(d[1], "<ignoring>");
        assert_eq!(d[2], "<op:==>");
        assert_eq!(d[3], "<aggr:sum>");
        assert_eq!(d[4], "string \"\\\"a long st\"...");
        assert_eq!(d[5], "duration \"5m\"");
        assert_eq!(d[6], "end of input");
    }
}

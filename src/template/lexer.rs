//! The tokenizer, following Go's `text/template/parse/lex.go` state by state so
//! that the same inputs are accepted and rejected, with byte spans on every token.
//!
//! Go's lexer runs independently of the parser (the parser only ever asks for the
//! next item), so the whole input is tokenized up front; a lexical error becomes an
//! [`TokenKind::Error`] token that the parser reports when it reaches it — which is
//! also when Go reports it.

pub(crate) use crate::go_format::{go_quote, go_unicode_format as go_unicode};
use crate::span::Span;
use std::borrow::Cow;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokenKind {
    Error,
    Bool,
    /// A printable ASCII character that has no other meaning (`,`, `*`, `}`...).
    Char,
    CharConstant,
    Complex,
    Assign,
    Declare,
    Eof,
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    Space,
    String,
    Text,
    Comment,
    Variable,
    // Keywords.
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

impl TokenKind {
    fn is_keyword(self) -> bool {
        matches!(
            self,
            TokenKind::Block
                | TokenKind::Break
                | TokenKind::Continue
                | TokenKind::Dot
                | TokenKind::Define
                | TokenKind::Else
                | TokenKind::End
                | TokenKind::If
                | TokenKind::Nil
                | TokenKind::Range
                | TokenKind::Template
                | TokenKind::With
        )
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Token<'a> {
    pub kind: TokenKind,
    pub span: Span,
    /// The source text of the token; for `Text` the text after trim markers were
    /// applied; for `Error` the message (the only owned value).
    pub val: Cow<'a, str>,
}

impl Token<'_> {
    /// How Go's `item.String()` shows the token in "unexpected X in Y" messages.
    pub fn describe(&self) -> String {
        match self.kind {
            TokenKind::Eof => "EOF".to_string(),
            TokenKind::Error => self.val.to_string(),
            k if k.is_keyword() => format!("<{}>", self.val),
            _ => {
                if self.val.chars().count() > 10 {
                    let head: String = self.val.chars().take(10).collect();
                    format!("{}...", go_quote(&head))
                } else {
                    go_quote(&self.val)
                }
            }
        }
    }
}

const LEFT_DELIM: &str = "{{";
const RIGHT_DELIM: &str = "}}";
const LEFT_COMMENT: &str = "/*";
const RIGHT_COMMENT: &str = "*/";
/// A trim marker is `-` plus one space character (before or after it).
const TRIM_MARKER_LEN: usize = 2;

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_alphanumeric(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_numeric()
}

fn has_left_trim_marker(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0] == b'-' && is_space(b[1] as char)
}

fn has_right_trim_marker(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && is_space(b[0] as char) && b[1] == b'-'
}

fn trim_right_len(s: &str) -> usize {
    s.len() - s.trim_end_matches(is_space).len()
}

fn trim_left_len(s: &str) -> usize {
    s.len() - s.trim_start_matches(is_space).len()
}

struct Lexer<'a> {
    input: &'a str,
    pos: usize,
    start: usize,
    tokens: Vec<Token<'a>>,
    /// Offsets of the currently open `(`, innermost last.
    parens: Vec<usize>,
    /// Offset of the `{{` of the action being lexed.
    action_start: usize,
}

/// Tokenizes `input`. The result always ends with an `Eof` or an `Error` token.
pub(crate) fn lex(input: &str) -> Vec<Token<'_>> {
    let mut lx = Lexer { input, pos: 0, start: 0, tokens: Vec::new(), parens: Vec::new(), action_start: 0 };
    let mut inside_action = false;
    loop {
        let outcome = if inside_action { lx.lex_inside_action() } else { lx.lex_text() };
        match outcome {
            Step::Text => inside_action = false,
            Step::Action => inside_action = true,
            Step::Done => break,
        }
    }
    lx.tokens
}

enum Step {
    /// Continue in text mode.
    Text,
    /// Continue inside an action.
    Action,
    /// An `Eof` or `Error` token was emitted.
    Done,
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        self.input.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn accept(&mut self, valid: &str) -> bool {
        match self.peek() {
            Some(c) if valid.contains(c) => {
                self.pos += c.len_utf8();
                true
            }
            _ => false,
        }
    }

    fn accept_run(&mut self, valid: &str) {
        while self.accept(valid) {}
    }

    fn emit(&mut self, kind: TokenKind) {
        let val = Cow::Borrowed(self.input.get(self.start..self.pos).unwrap_or(""));
        self.tokens.push(Token { kind, span: Span::new(self.start, self.pos), val });
        self.start = self.pos;
    }

    fn error(&mut self, span: Span, message: String) -> Step {
        self.tokens.push(Token { kind: TokenKind::Error, span, val: Cow::Owned(message) });
        Step::Done
    }

    /// Scans text up to the next `{{`, applying a left trim marker of that action.
    fn lex_text(&mut self) -> Step {
        let Some(x) = self.rest().find(LEFT_DELIM) else {
            self.pos = self.input.len();
            if self.pos > self.start {
                self.emit(TokenKind::Text);
            }
            self.emit(TokenKind::Eof);
            return Step::Done;
        };
        let delim_at = self.pos + x;
        let after_delim = delim_at + LEFT_DELIM.len();
        let text = &self.input[self.start..delim_at];
        let trim = if has_left_trim_marker(&self.input[after_delim..]) { trim_right_len(text) } else { 0 };
        if delim_at - trim > self.start {
            self.pos = delim_at - trim;
            self.emit(TokenKind::Text);
        }
        self.pos = delim_at;
        self.start = delim_at;
        self.lex_left_delim()
    }

    fn lex_left_delim(&mut self) -> Step {
        self.action_start = self.pos;
        self.pos += LEFT_DELIM.len();
        let after_marker = if has_left_trim_marker(self.rest()) { TRIM_MARKER_LEN } else { 0 };
        if self.input[self.pos + after_marker..].starts_with(LEFT_COMMENT) {
            self.pos += after_marker;
            return self.lex_comment();
        }
        self.emit(TokenKind::LeftDelim);
        self.pos += after_marker;
        self.start = self.pos;
        self.parens.clear();
        Step::Action
    }

    fn lex_comment(&mut self) -> Step {
        let open = Span::new(self.action_start, self.pos + LEFT_COMMENT.len());
        let body_start = self.pos + LEFT_COMMENT.len();
        self.pos = body_start;
        let Some(x) = self.rest().find(RIGHT_COMMENT) else {
            return self.error(open, "unclosed comment".to_string());
        };
        let body = Cow::Borrowed(&self.input[body_start..self.pos + x]);
        self.pos += x + RIGHT_COMMENT.len();
        let (delim, trim) = self.at_right_delim();
        if !delim {
            return self.error(Span::at(self.pos), "comment ends before closing delimiter".to_string());
        }
        if trim {
            self.pos += TRIM_MARKER_LEN;
        }
        self.pos += RIGHT_DELIM.len();
        self.tokens.push(Token { kind: TokenKind::Comment, span: Span::new(self.action_start, self.pos), val: body });
        if trim {
            self.pos += trim_left_len(self.rest());
        }
        self.start = self.pos;
        Step::Text
    }

    /// Whether the input is at `}}`, possibly preceded by a trim marker ` -`.
    fn at_right_delim(&self) -> (bool, bool) {
        let rest = self.rest();
        if has_right_trim_marker(rest) && rest[TRIM_MARKER_LEN..].starts_with(RIGHT_DELIM) {
            return (true, true);
        }
        (rest.starts_with(RIGHT_DELIM), false)
    }

    fn lex_right_delim(&mut self) -> Step {
        let (_, trim) = self.at_right_delim();
        if trim {
            self.pos += TRIM_MARKER_LEN;
            self.start = self.pos;
        }
        self.pos += RIGHT_DELIM.len();
        self.emit(TokenKind::RightDelim);
        if trim {
            self.pos += trim_left_len(self.rest());
            self.start = self.pos;
        }
        Step::Text
    }

    fn lex_inside_action(&mut self) -> Step {
        loop {
            let (delim, _) = self.at_right_delim();
            if delim {
                if let Some(&open) = self.parens.last() {
                    return self.error(Span::new(open, open + 1), "unclosed left paren".to_string());
                }
                return self.lex_right_delim();
            }
            let Some(c) = self.next() else {
                let open = Span::new(self.action_start, self.action_start + LEFT_DELIM.len());
                return self.error(open, "unclosed action".to_string());
            };
            match c {
                c if is_space(c) => {
                    // Put the space back: it may start a trim-marked ` -}}`.
                    self.pos -= c.len_utf8();
                    self.lex_space();
                }
                '=' => self.emit(TokenKind::Assign),
                ':' => {
                    if self.next() != Some('=') {
                        return self.error(Span::new(self.start, self.pos), "expected :=".to_string());
                    }
                    self.emit(TokenKind::Declare);
                }
                '|' => self.emit(TokenKind::Pipe),
                '"' => {
                    if let Err(step) = self.lex_quote() {
                        return step;
                    }
                }
                '`' => {
                    if let Err(step) = self.lex_raw_quote() {
                        return step;
                    }
                }
                '$' => {
                    if let Err(step) = self.lex_variable() {
                        return step;
                    }
                }
                '\'' => {
                    if let Err(step) = self.lex_char() {
                        return step;
                    }
                }
                '.' if self.rest().as_bytes().first().is_some_and(|b| !b.is_ascii_digit()) => {
                    if let Err(step) = self.lex_field_or_variable(TokenKind::Field) {
                        return step;
                    }
                }
                '.' | '+' | '-' | '0'..='9' => {
                    self.pos -= 1;
                    if let Err(step) = self.lex_number() {
                        return step;
                    }
                }
                c if is_alphanumeric(c) => {
                    self.pos -= c.len_utf8();
                    if let Err(step) = self.lex_identifier() {
                        return step;
                    }
                }
                '(' => {
                    self.parens.push(self.start);
                    self.emit(TokenKind::LeftParen);
                }
                ')' => {
                    if self.parens.pop().is_none() {
                        return self.error(Span::new(self.start, self.pos), "unexpected right paren".to_string());
                    }
                    self.emit(TokenKind::RightParen);
                }
                c if c.is_ascii() && !c.is_ascii_control() => self.emit(TokenKind::Char),
                c => {
                    return self.error(
                        Span::new(self.start, self.pos),
                        format!("unrecognized character in action: {}", go_unicode(c)),
                    );
                }
            }
        }
    }

    /// Scans a run of spaces; the first one is known to be present. A space that
    /// belongs to a trim-marked closing delimiter is left for the delimiter.
    fn lex_space(&mut self) {
        let mut count = 0;
        while self.peek().is_some_and(is_space) {
            self.pos += 1;
            count += 1;
        }
        let last = self.pos - 1;
        if has_right_trim_marker(&self.input[last..]) && self.input[last + TRIM_MARKER_LEN..].starts_with(RIGHT_DELIM) {
            self.pos = last;
            if count == 1 {
                return; // At the delimiter; the caller's loop lexes it.
            }
        }
        self.emit(TokenKind::Space);
    }

    fn at_terminator(&self) -> bool {
        match self.peek() {
            None => true,
            Some(c) if is_space(c) => true,
            Some('.' | ',' | '|' | ':' | ')' | '(') => true,
            Some(_) => self.rest().starts_with(RIGHT_DELIM),
        }
    }

    fn bad_character(&mut self) -> Step {
        let c = self.peek().unwrap_or('\u{FFFD}');
        let span = Span::new(self.pos, self.pos + c.len_utf8());
        self.error(span, format!("bad character {}", go_unicode(c)))
    }

    fn lex_identifier(&mut self) -> Result<(), Step> {
        while self.peek().is_some_and(is_alphanumeric) {
            self.next();
        }
        if !self.at_terminator() {
            return Err(self.bad_character());
        }
        let kind = match &self.input[self.start..self.pos] {
            "block" => TokenKind::Block,
            // Go makes these identifiers when the function map defines them;
            // Prometheus' does not.
            "break" => TokenKind::Break,
            "continue" => TokenKind::Continue,
            "define" => TokenKind::Define,
            "else" => TokenKind::Else,
            "end" => TokenKind::End,
            "if" => TokenKind::If,
            "range" => TokenKind::Range,
            "nil" => TokenKind::Nil,
            "template" => TokenKind::Template,
            "with" => TokenKind::With,
            "true" | "false" => TokenKind::Bool,
            _ => TokenKind::Identifier,
        };
        self.emit(kind);
        Ok(())
    }

    fn lex_variable(&mut self) -> Result<(), Step> {
        if self.at_terminator() {
            self.emit(TokenKind::Variable);
            return Ok(());
        }
        self.lex_field_or_variable(TokenKind::Variable)
    }

    /// The `.` or `$` has been consumed.
    fn lex_field_or_variable(&mut self, kind: TokenKind) -> Result<(), Step> {
        if self.at_terminator() {
            self.emit(if kind == TokenKind::Variable { TokenKind::Variable } else { TokenKind::Dot });
            return Ok(());
        }
        while self.peek().is_some_and(is_alphanumeric) {
            self.next();
        }
        if !self.at_terminator() {
            return Err(self.bad_character());
        }
        self.emit(kind);
        Ok(())
    }

    fn lex_char(&mut self) -> Result<(), Step> {
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    Some(c) if c != '\n' => {}
                    _ => return Err(self.unterminated("unterminated character constant")),
                },
                None | Some('\n') => {
                    return Err(self.unterminated("unterminated character constant"));
                }
                Some('\'') => break,
                Some(_) => {}
            }
        }
        self.emit(TokenKind::CharConstant);
        Ok(())
    }

    fn lex_quote(&mut self) -> Result<(), Step> {
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    Some(c) if c != '\n' => {}
                    _ => return Err(self.unterminated("unterminated quoted string")),
                },
                None | Some('\n') => return Err(self.unterminated("unterminated quoted string")),
                Some('"') => break,
                Some(_) => {}
            }
        }
        self.emit(TokenKind::String);
        Ok(())
    }

    fn lex_raw_quote(&mut self) -> Result<(), Step> {
        loop {
            match self.next() {
                None => return Err(self.unterminated("unterminated raw quoted string")),
                Some('`') => break,
                Some(_) => {}
            }
        }
        self.emit(TokenKind::RawString);
        Ok(())
    }

    fn unterminated(&mut self, message: &str) -> Step {
        // Point at the opening quote and what follows it on the line.
        let end = self.pos.max(self.start + 1).min(self.input.len());
        let end = self.input[self.start..end].find('\n').map_or(end, |i| self.start + i);
        self.error(Span::new(self.start, end.max(self.start + 1).min(self.input.len())), message.to_string())
    }

    /// Scans a number as Go's lexer does: loosely, leaving validation to the parser.
    fn lex_number(&mut self) -> Result<(), Step> {
        if !self.scan_number() {
            return Err(self.bad_number());
        }
        if matches!(self.peek(), Some('+' | '-')) {
            // Complex: 1+2i. No spaces, must end in 'i'.
            if !self.scan_number() || !self.input[..self.pos].ends_with('i') {
                return Err(self.bad_number());
            }
            self.emit(TokenKind::Complex);
        } else {
            self.emit(TokenKind::Number);
        }
        Ok(())
    }

    fn bad_number(&mut self) -> Step {
        let text = self.input[self.start..self.pos].to_string();
        self.error(Span::new(self.start, self.pos), format!("bad number syntax: {}", go_quote(&text)))
    }

    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 23 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if self.peek().is_some_and(is_alphanumeric) {
            self.next();
            return false;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<TokenKind> {
        lex(s).into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn text_and_action() {
        use TokenKind::*;
        assert_eq!(kinds("a {{ .X }} b"), vec![Text, LeftDelim, Space, Field, Space, RightDelim, Text, Eof]);
    }

    #[test]
    fn trim_markers_remove_surrounding_space() {
        let toks = lex("a \n{{- 3 -}}\n b");
        assert_eq!(toks[0].val, "a");
        assert_eq!(toks.iter().find(|t| t.kind == TokenKind::Number).map(|t| &*t.val), Some("3"));
        let last_text = toks.iter().rev().find(|t| t.kind == TokenKind::Text);
        assert_eq!(last_text.map(|t| &*t.val), Some("b"));
    }

    #[test]
    fn minus_without_space_is_a_number() {
        let toks = lex("{{-3}}");
        assert_eq!(toks[1].kind, TokenKind::Number);
        assert_eq!(toks[1].val, "-3");
    }

    #[test]
    fn error_messages() {
        let last = |s: &str| lex(s).pop().map(|t| t.val.into_owned()).unwrap_or_default();
        assert_eq!(last("{{ .X "), "unclosed action");
        assert_eq!(last("{{ \"abc }}"), "unterminated quoted string");
        assert_eq!(last("{{ .x-y }}"), "bad character U+002D '-'");
        assert_eq!(last("{{ ( 1 }}"), "unclosed left paren");
        assert_eq!(last("{{ 1) }}"), "unexpected right paren");
        assert_eq!(last("{{ 3x }}"), "bad number syntax: \"3x\"");
        assert_eq!(last("{{ a: }}"), "expected :=");
        assert_eq!(last("{{/* x */ }}"), "comment ends before closing delimiter");
        assert_eq!(last("{{/* x "), "unclosed comment");
        assert_eq!(last("{{ € }}"), "unrecognized character in action: U+20AC '€'");
    }
}

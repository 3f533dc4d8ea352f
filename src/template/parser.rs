//! A recursive-descent parser following Go's `text/template/parse/parse.go`
//! function by function, so that it accepts and rejects what Go does and
//! reports the first error with Go's wording.

use std::borrow::Cow;

use super::TemplateError;
use super::ast::*;
use super::functions;
use super::lexer::{Token, TokenKind, go_quote, lex};
use super::literal;
use crate::span::Span;
use std::collections::HashMap;

/// Nesting limit for control structures and parentheses together. Go limits
/// parentheses to 10000 and control structures not at all; a recursive parser
/// needs a bound that keeps it far from the end of a thread's stack.
pub const MAX_DEPTH: usize = 1000;

type PResult<T> = Result<T, TemplateError>;

fn err(span: Span, message: impl Into<String>) -> TemplateError {
    TemplateError { span, message: message.into() }
}

/// What a list of nodes was ended by.
enum Terminator {
    /// `{{end}}`; the span of the action.
    End(Span),
    /// `{{else}}`, or `{{else` followed by `if`/`with` (left pending).
    Else(Span),
}

enum Item {
    Node(Node),
    End(Span),
    Else(Span),
}

pub(crate) struct Output {
    pub nodes: Vec<Node>,
    pub definitions: Vec<Definition>,
    /// Template names defined (by `define` or `block`) and whether each body is
    /// non-empty, as Go's tree set records them.
    pub trees: HashMap<String, (bool, Span)>,
    /// The deepest nesting of control structures and parentheses reached.
    pub max_depth: usize,
}

pub(crate) struct Parser<'a> {
    tokens: Vec<Token<'a>>,
    pos: usize,
    /// End of the last token consumed.
    last_end: usize,
    /// Variables in scope, innermost last (Go's `Tree.vars`).
    vars: Vec<Cow<'a, str>>,
    range_depth: usize,
    depth: usize,
    max_depth: usize,
    /// Offset of the `{{` of the action being parsed.
    action_start: usize,
    /// The opening actions of the structures not yet closed, for EOF errors.
    open: Vec<(&'static str, Span)>,
    definitions: Vec<Definition>,
    trees: HashMap<String, (bool, Span)>,
    _text: &'a str,
}

impl<'a> Parser<'a> {
    pub fn new(text: &'a str, predefined: &[&'a str]) -> Parser<'a> {
        let mut vars = vec![Cow::Borrowed("$")];
        vars.extend(predefined.iter().map(|v| Cow::Borrowed(*v)));
        Parser {
            tokens: lex(text),
            pos: 0,
            last_end: 0,
            vars,
            range_depth: 0,
            depth: 0,
            max_depth: 0,
            action_start: 0,
            open: Vec::new(),
            definitions: Vec::new(),
            trees: HashMap::new(),
            _text: text,
        }
    }

    // ---- token stream -------------------------------------------------------

    fn token_at(&self, i: usize) -> Token<'a> {
        match self.tokens.get(i).or_else(|| self.tokens.last()) {
            Some(t) => t.clone(),
            None => Token { kind: TokenKind::Eof, span: Span::at(0), val: Cow::Borrowed("") },
        }
    }

    fn next(&mut self) -> Token<'a> {
        let t = self.token_at(self.pos);
        if self.pos < self.tokens.len() {
            self.pos += 1;
        }
        self.last_end = t.span.end;
        t
    }

    fn backup(&mut self) {
        self.pos = self.pos.saturating_sub(1);
    }

    fn peek(&self) -> Token<'a> {
        self.token_at(self.pos)
    }

    fn next_non_space(&mut self) -> Token<'a> {
        loop {
            let t = self.next();
            if t.kind != TokenKind::Space {
                return t;
            }
        }
    }

    /// Like Go's `peekNonSpace`: the spaces are consumed, the token is not.
    fn peek_non_space(&mut self) -> Token<'a> {
        let t = self.next_non_space();
        self.backup();
        t
    }

    fn unexpected(&self, token: &Token, context: &str) -> TemplateError {
        if token.kind == TokenKind::Error {
            return err(token.span, token.val.to_string());
        }
        err(token.span, format!("unexpected {} in {}", token.describe(), context))
    }

    fn expect(&mut self, kind: TokenKind, context: &str) -> PResult<Token<'a>> {
        let t = self.next_non_space();
        if t.kind != kind {
            return Err(self.unexpected(&t, context));
        }
        Ok(t)
    }

    fn enter(&mut self, span: Span, what: &str) -> PResult<()> {
        if self.depth >= MAX_DEPTH {
            return Err(err(span, format!("max {what} depth exceeded")));
        }
        self.depth += 1;
        self.max_depth = self.max_depth.max(self.depth);
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    // ---- templates ----------------------------------------------------------

    /// The top level: like an item list, but also accepts `{{define}}`.
    pub fn parse(mut self) -> PResult<Output> {
        let mut nodes = Vec::new();
        while self.peek().kind != TokenKind::Eof {
            if self.peek().kind == TokenKind::LeftDelim {
                let delim_at = self.pos;
                let delim = self.next();
                if self.next_non_space().kind == TokenKind::Define {
                    self.action_start = delim.span.start;
                    self.parse_definition(delim.span.start)?;
                    continue;
                }
                self.pos = delim_at;
            }
            match self.text_or_action()? {
                Item::Node(n) => nodes.push(n),
                Item::End(span) => return Err(err(span, "unexpected {{end}}")),
                Item::Else(span) => return Err(err(span, "unexpected {{else}}")),
            }
        }
        Ok(Output { nodes, definitions: self.definitions, trees: self.trees, max_depth: self.max_depth })
    }

    /// `{{define "name"}} itemList {{end}}`; the `define` keyword is past.
    fn parse_definition(&mut self, start: usize) -> PResult<()> {
        const CONTEXT: &str = "define clause";
        let name_tok = self.next_non_space();
        if !matches!(name_tok.kind, TokenKind::String | TokenKind::RawString) {
            return Err(self.unexpected(&name_tok, CONTEXT));
        }
        let name = self.template_name(&name_tok, CONTEXT)?;
        let close = self.expect(TokenKind::RightDelim, CONTEXT)?;
        let opening = Span::new(start, close.span.end);
        let (body, end) = self.own_tree_body("define", opening, CONTEXT)?;
        let span = Span::new(start, end.end);
        self.add_tree(&name, &body, span)?;
        self.definitions.push(Definition { span, name, body });
        Ok(())
    }

    /// Records a named template; Go refuses two non-empty bodies for one name.
    fn add_tree(&mut self, name: &Ident, body: &[Node], span: Span) -> PResult<()> {
        let non_empty = !is_empty_tree(body);
        match self.trees.get(&name.name) {
            Some((true, _)) if non_empty => {
                Err(err(name.span, format!("template: multiple definition of template {}", go_quote(&name.name))))
            }
            Some((true, _)) => Ok(()),
            _ => {
                self.trees.insert(name.name.clone(), (non_empty, span));
                Ok(())
            }
        }
    }

    /// `textOrAction*`, up to an `{{end}}` or `{{else}}`.
    fn item_list(&mut self) -> PResult<(Vec<Node>, Terminator)> {
        let mut list = Vec::new();
        while self.peek_non_space().kind != TokenKind::Eof {
            match self.text_or_action()? {
                Item::Node(n) => list.push(n),
                Item::End(s) => return Ok((list, Terminator::End(s))),
                Item::Else(s) => return Ok((list, Terminator::Else(s))),
            }
        }
        let eof = self.peek();
        Err(match self.open.last() {
            Some((what, opening)) => err(*opening, format!("unexpected EOF: unclosed {{{{{what}}}}}")),
            None => err(eof.span, "unexpected EOF"),
        })
    }

    fn text_or_action(&mut self) -> PResult<Item> {
        let t = self.next_non_space();
        match t.kind {
            TokenKind::Text => Ok(Item::Node(Node::Text(Text { span: t.span, text: t.val.into_owned() }))),
            TokenKind::Comment => Ok(Item::Node(Node::Comment(Comment { span: t.span, text: t.val.into_owned() }))),
            TokenKind::LeftDelim => {
                self.action_start = t.span.start;
                self.action(t.span.start)
            }
            _ => Err(self.unexpected(&t, "input")),
        }
    }

    /// Inside `{{`: a control keyword or a pipeline.
    fn action(&mut self, start: usize) -> PResult<Item> {
        let t = self.next_non_space();
        match t.kind {
            TokenKind::Block => self.block_control(start).map(Item::Node),
            TokenKind::Break | TokenKind::Continue => self.loop_control(start, &t).map(Item::Node),
            TokenKind::Else => self.else_control(start),
            TokenKind::End => {
                let close = self.expect(TokenKind::RightDelim, "end")?;
                Ok(Item::End(Span::new(start, close.span.end)))
            }
            TokenKind::If => self.parse_control(start, &t, "if").map(|b| Item::Node(Node::If(b))),
            TokenKind::Range => self.parse_control(start, &t, "range").map(|b| Item::Node(Node::Range(b))),
            TokenKind::With => self.parse_control(start, &t, "with").map(|b| Item::Node(Node::With(b))),
            TokenKind::Template => self.template_control(start).map(Item::Node),
            _ => {
                self.backup();
                // Variables declared here persist until the enclosing `{{end}}`.
                let pipe = self.pipeline("command", TokenKind::RightDelim)?;
                Ok(Item::Node(Node::Action(Action { span: Span::new(start, self.last_end), pipe })))
            }
        }
    }

    fn loop_control(&mut self, start: usize, keyword: &Token) -> PResult<Node> {
        let context = format!("{{{{{}}}}}", keyword.val);
        let close = self.next_non_space();
        if close.kind != TokenKind::RightDelim {
            return Err(self.unexpected(&close, &context));
        }
        let span = Span::new(start, close.span.end);
        if self.range_depth == 0 {
            return Err(err(span, format!("{context} outside {{{{range}}}}")));
        }
        Ok(if keyword.kind == TokenKind::Break { Node::Break(span) } else { Node::Continue(span) })
    }

    fn else_control(&mut self, start: usize) -> PResult<Item> {
        let peek = self.peek_non_space();
        if matches!(peek.kind, TokenKind::If | TokenKind::With) {
            // `{{else if ...}}` is `{{else}}{{if ...}}`: leave the keyword pending.
            return Ok(Item::Else(Span::new(start, self.last_end)));
        }
        let close = self.expect(TokenKind::RightDelim, "else")?;
        Ok(Item::Else(Span::new(start, close.span.end)))
    }

    /// `if`, `range`, `with`: the keyword is past.
    fn parse_control(&mut self, start: usize, keyword: &Token, context: &'static str) -> PResult<Branch> {
        self.enter(keyword.span, "nesting")?;
        let outer_vars = self.vars.len();
        let pipe = self.pipeline(context, TokenKind::RightDelim)?;
        let opening = Span::new(start, self.last_end);
        self.open.push((context, opening));
        if context == "range" {
            self.range_depth += 1;
        }
        let (body, next) = self.item_list()?;
        if context == "range" {
            self.range_depth = self.range_depth.saturating_sub(1);
        }
        let mut else_span = None;
        let mut else_body = None;
        let end = match next {
            Terminator::End(s) => s.end,
            Terminator::Else(s) => {
                else_span = Some(s);
                let chained = match self.peek().kind {
                    TokenKind::If if context == "if" => Some("if"),
                    TokenKind::With if context == "with" => Some("with"),
                    _ => None,
                };
                if let Some(inner_context) = chained {
                    let kw = self.next();
                    let inner = self.parse_control(s.start, &kw, inner_context)?;
                    let end = inner.span.end;
                    let node = if inner_context == "if" { Node::If(inner) } else { Node::With(inner) };
                    else_body = Some(vec![node]);
                    end
                } else {
                    let (list, next) = self.item_list()?;
                    else_body = Some(list);
                    match next {
                        Terminator::End(e) => e.end,
                        Terminator::Else(e) => return Err(err(e, "expected end; found {{else}}")),
                    }
                }
            }
        };
        self.open.pop();
        self.vars.truncate(outer_vars);
        self.leave();
        Ok(Branch { span: Span::new(start, end), keyword_span: keyword.span, pipe, body, else_span, else_body })
    }

    /// `{{block "name" pipeline}} itemList {{end}}`: the keyword is past.
    fn block_control(&mut self, start: usize) -> PResult<Node> {
        const CONTEXT: &str = "block clause";
        let name_tok = self.next_non_space();
        let name = self.template_name(&name_tok, CONTEXT)?;
        let pipe = self.pipeline(CONTEXT, TokenKind::RightDelim)?;
        let opening = Span::new(start, self.last_end);
        let (body, end) = self.own_tree_body("block", opening, CONTEXT)?;
        let span = Span::new(start, end.end);
        self.add_tree(&name, &body, span)?;
        Ok(Node::Block(Block { span, name, pipe, body }))
    }

    /// `{{template "name" [pipeline]}}`: the keyword is past.
    fn template_control(&mut self, start: usize) -> PResult<Node> {
        const CONTEXT: &str = "template clause";
        let name_tok = self.next_non_space();
        let name = self.template_name(&name_tok, CONTEXT)?;
        let mut pipe = None;
        if self.next_non_space().kind != TokenKind::RightDelim {
            self.backup();
            pipe = Some(self.pipeline(CONTEXT, TokenKind::RightDelim)?);
        }
        Ok(Node::Template(TemplateCall { span: Span::new(start, self.last_end), name, pipe }))
    }

    /// The body of `{{define}}` or `{{block}}` up to its `{{end}}`: a template
    /// of its own, where only `$` is in scope and `break`/`continue` are not.
    fn own_tree_body(
        &mut self,
        keyword: &'static str,
        opening: Span,
        context: &str,
    ) -> Result<(Vec<Node>, Span), TemplateError> {
        self.enter(opening, "nesting")?;
        let outer_vars = std::mem::replace(&mut self.vars, vec![Cow::Borrowed("$")]);
        let outer_range = std::mem::replace(&mut self.range_depth, 0);
        self.open.push((keyword, opening));
        let result = self.item_list();
        self.open.pop();
        self.vars = outer_vars;
        self.range_depth = outer_range;
        let (body, end) = result?;
        self.leave();
        match end {
            Terminator::End(s) => Ok((body, s)),
            Terminator::Else(s) => Err(err(s, format!("unexpected {{{{else}}}} in {context}"))),
        }
    }

    fn template_name(&self, token: &Token, context: &str) -> PResult<Ident> {
        match token.kind {
            TokenKind::String | TokenKind::RawString => match literal::unquote(&token.val) {
                Some(name) => Ok(Ident { name, span: token.span }),
                None => Err(err(token.span, "invalid syntax: malformed string literal")),
            },
            _ => Err(self.unexpected(token, context)),
        }
    }

    // ---- pipelines ----------------------------------------------------------

    /// `declarations? command ('|' command)*`, up to `end` (`}}` or `)`).
    fn pipeline(&mut self, context: &str, end: TokenKind) -> PResult<Pipeline> {
        let first = self.peek_non_space();
        let mut pipe =
            Pipeline { span: Span::at(first.span.start), decls: Vec::new(), is_assign: false, commands: Vec::new() };
        loop {
            let v = self.peek_non_space();
            if v.kind != TokenKind::Variable {
                break;
            }
            let at_variable = self.pos;
            self.next();
            let after = self.peek_non_space();
            match after.kind {
                TokenKind::Assign | TokenKind::Declare => {
                    pipe.is_assign = after.kind == TokenKind::Assign;
                    self.next_non_space();
                    self.declare(&mut pipe, &v);
                    break;
                }
                TokenKind::Char if after.val == "," => {
                    self.next_non_space();
                    self.declare(&mut pipe, &v);
                    if context == "range" && pipe.decls.len() < 2 {
                        let peek = self.peek_non_space();
                        if matches!(peek.kind, TokenKind::Variable | TokenKind::RightDelim | TokenKind::RightParen) {
                            continue; // The second variable of `range $i, $e := ...`.
                        }
                        return Err(err(peek.span, "range can only initialize variables"));
                    }
                    return Err(err(after.span, format!("too many declarations in {context}")));
                }
                _ => {
                    // `$x` is an operand, not a declaration.
                    self.pos = at_variable;
                    break;
                }
            }
        }
        loop {
            let t = self.next_non_space();
            if t.kind == end {
                self.check_pipeline(&pipe, context, &t)?;
                if let Some(last) = pipe.commands.last() {
                    pipe.span.end = last.span.end;
                }
                return Ok(pipe);
            }
            match t.kind {
                TokenKind::Bool
                | TokenKind::CharConstant
                | TokenKind::Complex
                | TokenKind::Dot
                | TokenKind::Field
                | TokenKind::Identifier
                | TokenKind::Number
                | TokenKind::Nil
                | TokenKind::RawString
                | TokenKind::String
                | TokenKind::Variable
                | TokenKind::LeftParen => {
                    self.backup();
                    let cmd = self.command()?;
                    pipe.commands.push(cmd);
                }
                _ => return Err(self.unexpected(&t, context)),
            }
        }
    }

    fn declare(&mut self, pipe: &mut Pipeline, v: &Token<'a>) {
        pipe.decls.push(Ident { name: v.val.to_string(), span: v.span });
        self.vars.push(v.val.clone());
    }

    fn check_pipeline(&self, pipe: &Pipeline, context: &str, end: &Token) -> PResult<()> {
        if pipe.commands.is_empty() {
            let start = self.action_start.min(end.span.start);
            return Err(err(Span::new(start, end.span.end), format!("missing value for {context}")));
        }
        // Only the first stage may start with a constant: A | B | C feeds A into B.
        for (i, cmd) in pipe.commands.iter().enumerate().skip(1) {
            if let Some(first) = cmd.args.first() {
                if matches!(first, Expr::Bool(..) | Expr::Dot(_) | Expr::Nil(_) | Expr::Number(_) | Expr::String(_)) {
                    return Err(err(cmd.span, format!("non executable command in pipeline stage {}", i + 1)));
                }
            }
        }
        Ok(())
    }

    /// `operand (space operand)*`, up to `|` (consumed) or a closing delimiter.
    fn command(&mut self) -> PResult<Command> {
        let start = self.peek_non_space().span.start;
        let mut args = Vec::new();
        loop {
            self.peek_non_space();
            if let Some(operand) = self.operand()? {
                args.push(operand);
            }
            let t = self.next();
            match t.kind {
                TokenKind::Space => continue,
                TokenKind::RightDelim | TokenKind::RightParen => self.backup(),
                TokenKind::Pipe => {}
                _ => return Err(self.unexpected(&t, "operand")),
            }
            break;
        }
        let Some(last) = args.last() else {
            return Err(err(Span::at(start), "empty command"));
        };
        let span = Span::new(start, last.span().end);
        Ok(Command { span, args })
    }

    /// `term .Field*`.
    fn operand(&mut self) -> PResult<Option<Expr>> {
        let Some(term) = self.term()? else {
            return Ok(None);
        };
        if self.peek().kind != TokenKind::Field {
            return Ok(Some(term));
        }
        let mut fields = Vec::new();
        while self.peek().kind == TokenKind::Field {
            let t = self.next();
            fields.push(field_ident(&t));
        }
        let end = self.last_end;
        let expr = match term {
            Expr::Field(mut f) => {
                f.fields.extend(fields);
                f.span.end = end;
                Expr::Field(f)
            }
            Expr::Variable(mut v) => {
                v.fields.extend(fields);
                v.span.end = end;
                Expr::Variable(v)
            }
            Expr::Bool(..) | Expr::String(_) | Expr::Number(_) | Expr::Nil(_) | Expr::Dot(_) => {
                let span = term.span();
                let text = self._text.get(span.range()).unwrap_or("");
                return Err(err(span, format!("unexpected . after term {}", go_quote(text))));
            }
            other => {
                let span = Span::new(other.span().start, end);
                Expr::Chain(Chain { base: Box::new(other), fields, span })
            }
        };
        Ok(Some(expr))
    }

    /// A literal, function name, `.`, `.Field`, `$x`, or `( pipeline )`.
    fn term(&mut self) -> PResult<Option<Expr>> {
        let t = self.next_non_space();
        let expr = match t.kind {
            TokenKind::Identifier => {
                if !functions::is_defined(&t.val) {
                    return Err(err(t.span, format!("function {} not defined", go_quote(&t.val))));
                }
                Expr::Function(Ident { name: t.val.into_owned(), span: t.span })
            }
            TokenKind::Dot => Expr::Dot(t.span),
            TokenKind::Nil => Expr::Nil(t.span),
            TokenKind::Variable => {
                if !self.vars.contains(&t.val) {
                    return Err(err(t.span, format!("undefined variable {}", go_quote(&t.val))));
                }
                Expr::Variable(VarRef {
                    name: Ident { name: t.val.into_owned(), span: t.span },
                    fields: Vec::new(),
                    span: t.span,
                })
            }
            TokenKind::Field => Expr::Field(FieldRef { fields: vec![field_ident(&t)], span: t.span }),
            TokenKind::Bool => Expr::Bool(t.val == "true", t.span),
            TokenKind::CharConstant | TokenKind::Complex | TokenKind::Number => {
                let problem = match t.kind {
                    TokenKind::CharConstant => literal::check_char_constant(&t.val),
                    TokenKind::Complex => literal::check_complex(&t.val),
                    _ => literal::check_number(&t.val),
                };
                if let Some(message) = problem {
                    return Err(err(t.span, message));
                }
                Expr::Number(Ident { name: t.val.into_owned(), span: t.span })
            }
            TokenKind::LeftParen => {
                self.enter(t.span, "expression")?;
                let pipe = self.pipeline("parenthesized pipeline", TokenKind::RightParen)?;
                self.leave();
                Expr::Paren(Box::new(pipe), Span::new(t.span.start, self.last_end))
            }
            TokenKind::String | TokenKind::RawString => match literal::unquote(&t.val) {
                Some(value) => Expr::String(StringLit { value, span: t.span, raw: t.kind == TokenKind::RawString }),
                None => return Err(err(t.span, "invalid syntax: malformed string literal")),
            },
            _ => {
                self.backup();
                return Ok(None);
            }
        };
        Ok(Some(expr))
    }
}

fn field_ident(t: &Token) -> Ident {
    let name = t.val.strip_prefix('.').unwrap_or(&t.val).to_string();
    Ident { name, span: Span::new((t.span.start + 1).min(t.span.end), t.span.end) }
}

/// Go's `IsEmptyTree`: nothing but white space and comments.
fn is_empty_tree(nodes: &[Node]) -> bool {
    nodes.iter().all(|n| match n {
        Node::Text(t) => t.text.trim().is_empty(),
        Node::Comment(_) => true,
        _ => false,
    })
}

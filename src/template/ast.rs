//! The syntax tree of a template. Every node carries a byte span into the
//! template text. The shapes follow Go's `text/template/parse/node.go`, except
//! that `{{block}}` keeps its body in place and `{{define}}` bodies are listed
//! separately in [`Template::definitions`](super::Template::definitions).

use crate::span::Span;

/// A name with its span: a field name (without its leading `.`), a function name,
/// a template name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// Literal text, after trim markers were applied; `span` covers the kept text.
    Text(Text),
    /// `{{/* ... */}}`; produces no output.
    Comment(Comment),
    /// `{{pipeline}}`.
    Action(Action),
    If(Branch),
    Range(Branch),
    With(Branch),
    /// `{{template "name" pipeline}}`.
    Template(TemplateCall),
    /// `{{block "name" pipeline}}body{{end}}`: defines `name` and runs it here.
    Block(Block),
    /// `{{break}}`.
    Break(Span),
    /// `{{continue}}`.
    Continue(Span),
}

impl Node {
    pub fn span(&self) -> Span {
        match self {
            Node::Text(n) => n.span,
            Node::Comment(n) => n.span,
            Node::Action(n) => n.span,
            Node::If(n) | Node::Range(n) | Node::With(n) => n.span,
            Node::Template(n) => n.span,
            Node::Block(n) => n.span,
            Node::Break(s) | Node::Continue(s) => *s,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    pub span: Span,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// From `{{` to `}}`.
    pub span: Span,
    /// The text between `/*` and `*/`.
    pub text: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    /// From `{{` to `}}`.
    pub span: Span,
    pub pipe: Pipeline,
}

/// `if`, `range` and `with`. An `{{else if ...}}` (or `{{else with ...}}`) is an
/// `else_body` holding a single nested `If` (`With`) that shares the `{{end}}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Branch {
    /// From the opening `{{` to the closing `}}` of `{{end}}`.
    pub span: Span,
    /// The keyword (`if`, `range`, `with`).
    pub keyword_span: Span,
    pub pipe: Pipeline,
    pub body: Vec<Node>,
    /// The `{{else}}` action, when there is one.
    pub else_span: Option<Span>,
    pub else_body: Option<Vec<Node>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TemplateCall {
    /// From `{{` to `}}`.
    pub span: Span,
    pub name: Ident,
    pub pipe: Option<Pipeline>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// From the opening `{{` to the closing `}}` of `{{end}}`.
    pub span: Span,
    pub name: Ident,
    pub pipe: Pipeline,
    pub body: Vec<Node>,
}

/// A `{{define "name"}}body{{end}}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Definition {
    /// From the opening `{{` to the closing `}}` of `{{end}}`.
    pub span: Span,
    pub name: Ident,
    pub body: Vec<Node>,
}

/// `$x := cmd | cmd ...`. Declarations (`:=`) and assignments (`=`) are in `decls`.
#[derive(Clone, Debug, PartialEq)]
pub struct Pipeline {
    pub span: Span,
    pub decls: Vec<Ident>,
    /// `=` rather than `:=`.
    pub is_assign: bool,
    pub commands: Vec<Command>,
}

/// A function call or a single operand: space-separated arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct Command {
    pub span: Span,
    pub args: Vec<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A function name (`humanize`, `printf`).
    Function(Ident),
    /// `.`
    Dot(Span),
    Nil(Span),
    Bool(bool, Span),
    /// A number, character constant (`'a'`) or complex constant, as written.
    Number(Ident),
    String(StringLit),
    /// `$x`, `$x.Field.Key`; `name` includes the `$`.
    Variable(VarRef),
    /// `.Field.Key`.
    Field(FieldRef),
    /// `(pipeline).Field`, `func.Field`: fields selected from another operand.
    Chain(Chain),
    /// `(pipeline)`; `span` includes the parentheses.
    Paren(Box<Pipeline>, Span),
}

impl Expr {
    pub fn span(&self) -> Span {
        match self {
            Expr::Function(i) | Expr::Number(i) => i.span,
            Expr::Dot(s) | Expr::Nil(s) | Expr::Bool(_, s) | Expr::Paren(_, s) => *s,
            Expr::String(s) => s.span,
            Expr::Variable(v) => v.span,
            Expr::Field(f) => f.span,
            Expr::Chain(c) => c.span,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StringLit {
    /// The unquoted value.
    pub value: String,
    /// Including the quotes.
    pub span: Span,
    /// A `` `raw` `` string.
    pub raw: bool,
}

impl StringLit {
    /// The span between the quotes.
    pub fn inner_span(&self) -> Span {
        Span::new(self.span.start + 1, self.span.end.saturating_sub(1).max(self.span.start + 1))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VarRef {
    /// The variable, with its `$` (`$labels`, or `$` alone).
    pub name: Ident,
    pub fields: Vec<Ident>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldRef {
    pub fields: Vec<Ident>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Chain {
    pub base: Box<Expr>,
    pub fields: Vec<Ident>,
    pub span: Span,
}

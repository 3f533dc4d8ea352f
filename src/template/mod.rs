//! Go `text/template` parsing for alert labels and annotations, with spans.
//!
//! Prometheus checks every label and annotation value of an alerting rule by
//! parsing it with Go's `text/template` after prepending
//! `{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}`
//! and with its own function map. [`parse`] accepts and rejects what that does,
//! reports the first error with Go's wording and a byte span into the value, and
//! returns a syntax tree from which lints read `$labels.x` and `$value` uses.
//!
//! All spans are byte ranges relative to the template string.
//!
//! Where it differs from the Go parser, on purpose:
//! - it follows current Prometheus and Go: `{{else with}}` (Go 1.23) and the
//!   functions in [`functions::PROMETHEUS_FUNCTIONS_AFTER_2_42`] are accepted;
//! - nesting of control structures and parentheses is limited to [`MAX_DEPTH`]
//!   levels (Go: no limit for control structures, 10000 for parentheses);
//! - an "unexpected EOF" points at the unclosed action and names it;
//! - a few lexical messages use the wording of current Go rather than 1.19.

pub mod ast;
pub mod functions;
mod lexer;
mod literal;
mod parser;

pub use ast::*;
pub use parser::MAX_DEPTH;

use crate::span::Span;

/// The variables Prometheus defines before every alert template.
pub const PROMETHEUS_HEADER_VARIABLES: &[&str] = &["$labels", "$externalLabels", "$externalURL", "$value"];

/// The first syntax error of a template, positioned in the template text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TemplateError {
    pub span: Span,
    pub message: String,
}

/// A parsed template.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    /// The top-level nodes, in source order (`{{define}}` bodies excluded).
    pub nodes: Vec<Node>,
    /// The `{{define "name"}}...{{end}}` templates, in source order.
    pub definitions: Vec<Definition>,
    /// The deepest nesting of control structures and parentheses.
    depth: usize,
}

/// Nesting that is parsed and walked on the caller's stack. Deeper templates
/// (only ever seen in generated or hostile input) are handled on a thread whose
/// stack is sized for the nesting, because the recursive parser and walkers use
/// several kilobytes of stack per level in debug builds.
const INLINE_DEPTH: usize = 32;
const STACK_PER_LEVEL: usize = 24 * 1024;

/// Runs `f` on the current stack if `nesting` is small, else on a thread with a
/// stack large enough for it; `fallback` if such a thread cannot be started.
fn with_stack_for<T: Send>(nesting: usize, f: impl FnOnce() -> T + Send, fallback: impl FnOnce() -> T) -> T {
    if nesting <= INLINE_DEPTH {
        return f();
    }
    let stack = (1 << 20) + nesting.min(MAX_DEPTH + 1) * STACK_PER_LEVEL;
    std::thread::scope(|scope| {
        match std::thread::Builder::new().stack_size(stack).spawn_scoped(scope, f) {
            Ok(handle) => match handle.join() {
                Ok(value) => value,
                // The parser does not panic; if it ever does, keep the panic.
                Err(payload) => std::panic::resume_unwind(payload),
            },
            Err(_) => fallback(),
        }
    })
}

/// An upper bound of the nesting depth the parser can reach: every level is a
/// `(` or an action starting with a keyword that opens a body (`{{else if}}`
/// nests too). Plain `{{ $labels.x }}` actions do not count, so long but flat
/// annotations stay on the caller's stack.
fn nesting_bound(text: &str) -> usize {
    let parens = text.bytes().filter(|&b| b == b'(').count();
    let openers = text
        .match_indices("{{")
        .filter(|(at, _)| {
            let rest = &text[at + 2..];
            let rest = rest.strip_prefix('-').unwrap_or(rest);
            let rest = rest.trim_start_matches([' ', '\t', '\r', '\n']);
            ["if", "range", "with", "block", "define", "else"].iter().any(|k| rest.starts_with(k))
        })
        .count();
    parens + openers
}

fn parse_deep(text: &str) -> Result<parser::Output, TemplateError> {
    // Most label values and many annotations have no action: one text node,
    // nothing to lex.
    if !text.contains("{{") {
        return Ok(plain_text(text));
    }
    let bound = nesting_bound(text);
    with_stack_for(
        bound,
        || parser::Parser::new(text, PROMETHEUS_HEADER_VARIABLES).parse(),
        || Err(TemplateError { span: Span::new(0, 0), message: "template too deeply nested to check".to_string() }),
    )
}

/// What the parser gives for a text without `{{`.
fn plain_text(text: &str) -> parser::Output {
    let nodes = if text.is_empty() {
        Vec::new()
    } else {
        vec![Node::Text(Text { span: Span::new(0, text.len()), text: text.to_string() })]
    };
    parser::Output { nodes, definitions: Vec::new(), trees: Default::default(), max_depth: 0 }
}

/// A read of one alert label: `$labels.x`, `.Labels.x`, `$.Labels.x`,
/// `index $labels "x"`, `.x` inside `{{with $labels}}`, or through a variable
/// holding the labels (`{{$l := $labels}}{{$l.x}}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelRef {
    /// The label name.
    pub name: String,
    /// The whole reference, e.g. `$labels.instance` or `index $labels "instance"`.
    pub span: Span,
    /// The name alone: `instance` (for `index`, between the quotes).
    pub name_span: Span,
}

/// Parses an alert label or annotation value as Prometheus does.
pub fn parse(text: &str) -> Result<Template, TemplateError> {
    let out = parse_deep(text)?;
    Ok(Template { nodes: out.nodes, definitions: out.definitions, depth: out.max_depth })
}

/// Like [`parse`], and also refuses what Go refuses because of the alert's name:
/// Prometheus names the template `__alert_<name>`, so a non-empty
/// `{{define "__alert_<name>"}}` redefines it.
pub fn parse_for_alert(text: &str, alert_name: &str) -> Result<Template, TemplateError> {
    let out = parse_deep(text)?;
    let own_name = format!("__alert_{alert_name}");
    if let Some((true, _)) = out.trees.get(&own_name) {
        let span = out
            .definitions
            .iter()
            .find(|d| d.name.name == own_name)
            .map(|d| d.name.span)
            .or_else(|| find_block_name(&out.nodes, &own_name))
            .unwrap_or_default();
        return Err(TemplateError {
            span,
            message: format!("template: multiple definition of template {}", lexer::go_quote(&own_name)),
        });
    }
    Ok(Template { nodes: out.nodes, definitions: out.definitions, depth: out.max_depth })
}

fn find_block_name(nodes: &[Node], name: &str) -> Option<Span> {
    let mut found = None;
    visit_nodes(nodes, &mut |n| {
        if let Node::Block(b) = n {
            if b.name.name == name && found.is_none() {
                found = Some(b.name.span);
            }
        }
    });
    found
}

/// Calls `f` on every node of `nodes` and of their bodies, in source order.
fn visit_nodes<'a>(nodes: &'a [Node], f: &mut dyn FnMut(&'a Node)) {
    for n in nodes {
        f(n);
        match n {
            Node::If(b) | Node::Range(b) | Node::With(b) => {
                visit_nodes(&b.body, f);
                if let Some(e) = &b.else_body {
                    visit_nodes(e, f);
                }
            }
            Node::Block(b) => visit_nodes(&b.body, f),
            _ => {}
        }
    }
}

impl Template {
    /// Every read of an alert label, in source order.
    pub fn label_refs(&self) -> Vec<LabelRef> {
        self.analyze().labels
    }

    /// Every use of the alert value (`$value`, `.Value`, `$.Value`, a variable
    /// assigned from them, `.` inside `{{with $value}}`), in source order.
    pub fn value_refs(&self) -> Vec<Span> {
        self.analyze().values
    }

    /// Whether the template has no actions at all (comments do not count).
    pub fn is_plain_text(&self) -> bool {
        self.definitions.is_empty() && self.nodes.iter().all(|n| matches!(n, Node::Text(_) | Node::Comment(_)))
    }

    /// The text outside actions, concatenated in source order (trim markers
    /// applied), including text inside `if`/`range`/`with`/`block` bodies but not
    /// `{{define}}` bodies, which do not print where they are written.
    pub fn literal_text(&self) -> String {
        let mut out = String::new();
        visit_nodes(&self.nodes, &mut |n| {
            if let Node::Text(t) = n {
                out.push_str(&t.text);
            }
        });
        out
    }

    /// Every function called, with the span of its name, in source order.
    pub fn functions_used(&self) -> Vec<(String, Span)> {
        self.analyze().functions
    }

    fn analyze(&self) -> analysis::Findings {
        with_stack_for(self.depth, || analysis::analyze(self), analysis::Findings::default)
    }
}

mod analysis {
    //! What the lints read: label and value references, functions. Tracks what
    //! `.` and each variable hold (the alert data, its labels, its value, or
    //! something else) with Go's scoping, as far as that is known statically.

    use super::*;

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum Holds {
        /// The alert data: `.Labels`, `.Value`, ...
        Alert,
        Labels,
        Value,
        Unknown,
    }

    #[derive(Default)]
    pub(super) struct Findings {
        pub labels: Vec<LabelRef>,
        pub values: Vec<Span>,
        pub functions: Vec<(String, Span)>,
    }

    struct Walker {
        vars: Vec<(String, Holds)>,
        dot: Holds,
        found: Findings,
    }

    pub(super) fn analyze(t: &Template) -> Findings {
        let mut w = Walker {
            vars: vec![
                ("$".to_string(), Holds::Alert),
                ("$labels".to_string(), Holds::Labels),
                ("$externalLabels".to_string(), Holds::Unknown),
                ("$externalURL".to_string(), Holds::Unknown),
                ("$value".to_string(), Holds::Value),
            ],
            dot: Holds::Alert,
            found: Findings::default(),
        };
        w.nodes(&t.nodes);
        for d in &t.definitions {
            // A definition runs with whatever data `{{template}}` passes it.
            let vars = std::mem::replace(&mut w.vars, vec![("$".to_string(), Holds::Unknown)]);
            let dot = std::mem::replace(&mut w.dot, Holds::Unknown);
            w.nodes(&d.body);
            w.vars = vars;
            w.dot = dot;
        }
        let f = &mut w.found;
        f.labels.sort_by_key(|r| (r.span.start, r.name_span.start));
        f.values.sort_by_key(|s| s.start);
        f.functions.sort_by_key(|(_, s)| s.start);
        w.found
    }

    impl Walker {
        fn nodes(&mut self, nodes: &[Node]) {
            for n in nodes {
                self.node(n);
            }
        }

        fn node(&mut self, n: &Node) {
            match n {
                Node::Action(a) => {
                    // Declarations in a plain action last until the enclosing end.
                    self.pipeline(&a.pipe, false);
                }
                Node::If(b) | Node::Range(b) | Node::With(b) => {
                    let outer_vars = self.vars.len();
                    let is_range = matches!(n, Node::Range(_));
                    let holds = self.pipeline(&b.pipe, is_range);
                    let outer_dot = self.dot;
                    self.dot = match n {
                        Node::With(_) => holds,
                        Node::Range(_) => Holds::Unknown,
                        _ => outer_dot,
                    };
                    self.nodes(&b.body);
                    self.dot = outer_dot;
                    if let Some(e) = &b.else_body {
                        self.nodes(e);
                    }
                    self.vars.truncate(outer_vars);
                }
                Node::Template(t) => {
                    if let Some(p) = &t.pipe {
                        self.pipeline(p, false);
                    }
                }
                Node::Block(b) => {
                    let holds = self.pipeline(&b.pipe, false);
                    let vars = std::mem::replace(&mut self.vars, vec![("$".to_string(), holds)]);
                    let dot = std::mem::replace(&mut self.dot, holds);
                    self.nodes(&b.body);
                    self.vars = vars;
                    self.dot = dot;
                }
                Node::Text(_) | Node::Comment(_) | Node::Break(_) | Node::Continue(_) => {}
            }
        }

        /// Walks a pipeline, binds its variables, and returns what it evaluates to.
        fn pipeline(&mut self, p: &Pipeline, is_range: bool) -> Holds {
            let mut holds = Holds::Unknown;
            for (i, cmd) in p.commands.iter().enumerate() {
                let h = self.command(cmd);
                // A later stage receives the previous result as its last argument;
                // only a single-operand command passes a known value through.
                holds = if i == 0 || cmd.args.len() == 1 { h } else { Holds::Unknown };
            }
            let bound = if is_range { Holds::Unknown } else { holds };
            for d in &p.decls {
                if p.is_assign {
                    if let Some(v) = self.vars.iter_mut().rev().find(|(name, _)| *name == d.name) {
                        v.1 = bound;
                        continue;
                    }
                }
                self.vars.push((d.name.clone(), bound));
            }
            holds
        }

        fn command(&mut self, cmd: &Command) -> Holds {
            for a in &cmd.args {
                self.expr(a);
            }
            if let [Expr::Function(f), target, Expr::String(key), ..] = cmd.args.as_slice() {
                if f.name == "index" && self.holds(target) == Holds::Labels {
                    self.found.labels.push(LabelRef {
                        name: key.value.clone(),
                        span: Span::new(f.span.start, key.span.end),
                        name_span: key.inner_span(),
                    });
                }
            }
            match cmd.args.as_slice() {
                [single] => self.holds(single),
                _ => Holds::Unknown,
            }
        }

        fn expr(&mut self, e: &Expr) {
            match e {
                Expr::Function(f) => self.found.functions.push((f.name.clone(), f.span)),
                Expr::Paren(p, _) => {
                    self.pipeline(p, false);
                }
                Expr::Chain(c) => {
                    self.expr(&c.base);
                    let base = self.holds(&c.base);
                    self.fields(base, c.base.span().start, &c.fields);
                }
                Expr::Variable(v) => {
                    let base = self.var(&v.name.name);
                    if v.fields.is_empty() && base == Holds::Value {
                        self.found.values.push(v.span);
                    }
                    self.fields(base, v.span.start, &v.fields);
                }
                Expr::Field(f) => {
                    self.fields(self.dot, f.span.start, &f.fields);
                }
                Expr::Dot(s) => {
                    if self.dot == Holds::Value {
                        self.found.values.push(*s);
                    }
                }
                Expr::Nil(_) | Expr::Bool(..) | Expr::Number(_) | Expr::String(_) => {}
            }
        }

        /// Follows `fields` from a value holding `base`, recording label and value reads.
        fn fields(&mut self, base: Holds, start: usize, fields: &[Ident]) -> Holds {
            let mut holds = base;
            for f in fields {
                holds = match holds {
                    Holds::Alert if f.name == "Labels" => Holds::Labels,
                    Holds::Alert if f.name == "Value" => {
                        self.found.values.push(Span::new(start, f.span.end));
                        Holds::Value
                    }
                    Holds::Labels => {
                        self.found.labels.push(LabelRef {
                            name: f.name.clone(),
                            span: Span::new(start, f.span.end),
                            name_span: f.span,
                        });
                        Holds::Unknown
                    }
                    _ => Holds::Unknown,
                };
            }
            holds
        }

        fn var(&self, name: &str) -> Holds {
            self.vars.iter().rev().find(|(n, _)| n == name).map_or(Holds::Unknown, |(_, h)| *h)
        }

        /// What an operand evaluates to, without recording anything.
        fn holds(&self, e: &Expr) -> Holds {
            let follow = |mut h: Holds, fields: &[Ident]| {
                for f in fields {
                    h = match h {
                        Holds::Alert if f.name == "Labels" => Holds::Labels,
                        Holds::Alert if f.name == "Value" => Holds::Value,
                        _ => Holds::Unknown,
                    };
                }
                h
            };
            match e {
                Expr::Variable(v) => follow(self.var(&v.name.name), &v.fields),
                Expr::Field(f) => follow(self.dot, &f.fields),
                Expr::Dot(_) => self.dot,
                Expr::Chain(c) => follow(self.holds(&c.base), &c.fields),
                Expr::Paren(p, _) => match p.commands.last() {
                    Some(cmd) if p.commands.len() == 1 && cmd.args.len() == 1 => self.holds(&cmd.args[0]),
                    _ => Holds::Unknown,
                },
                _ => Holds::Unknown,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text without an action is what the parser makes of it, node for node.
    #[test]
    fn text_without_actions_is_one_text_node() {
        for text in ["", " ", "plain", "a } b }} c { d", "{ {", "}}", "{x}\n\ttab", "ü → 日本", "((((((((((", "{-"]
        {
            let full = parser::Parser::new(text, PROMETHEUS_HEADER_VARIABLES).parse();
            let (Ok(full), short) = (full, plain_text(text)) else { panic!("{text:?} does not parse") };
            assert_eq!(full.nodes, short.nodes, "{text:?}");
            assert_eq!(full.definitions, short.definitions, "{text:?}");
            assert_eq!(full.trees, short.trees, "{text:?}");
            assert_eq!(full.max_depth, short.max_depth, "{text:?}");
        }
    }
}

use crate::lints::{Example, FileContext, Registration, RuleContext};
use crate::span::Span;
use crate::template::{Command, Expr as TExpr, Node, Pipeline};

crate::declare_lint! {
    /// ## What it does
    /// Parses the PromQL that label and annotation templates pass to `query`
    /// (`{{ query "..." }}`, `{{ "..." | query }}`, or a `printf` format whose `%s`/`%v`/`%d`
    /// placeholders are filled in with a stand-in value) and reports a query that does not
    /// parse, or one that can never return anything (the value model of `promql/impossible`).
    ///
    /// Not reported: queries built any other way (a variable, string concatenation), which
    /// are not known statically.
    ///
    /// ## Why it matters
    /// Prometheus does not check the PromQL inside templates when it loads rules. A broken
    /// query fails only when the alert fires: the notification then carries an error instead
    /// of the context it was meant to give, at the worst possible moment.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: DiskFull
    ///   expr: disk_free_ratio < 0.05
    ///   annotations:
    ///     description: '{{ with query "sum(disk_free_bytes{instance=\"a\"}" }}{{ . | first | value }}{{ end }}'
    /// ```
    ///
    /// ## How to fix
    /// Correct the query; try it in the Prometheus UI first.
    ///
    /// ## Options
    /// None.
    pub static TEMPLATE_QUERY = {
        id: "promql/template-query",
        severity: Warning,
        summary: "the PromQL of a template's `query` call does not parse or can never return anything",
        pass: [
            Example::new(r#"groups:
  - name: disk
    rules:
      - alert: DiskFull
        expr: disk_free_ratio < 0.05
        for: 10m
        annotations:
          description: '{{ with query "sum(disk_free_bytes)" }}{{ . | first | value | humanize1024 }}{{ end }} free'
          summary: '{{ with printf "disk_free_bytes{instance=%q}" $labels.instance | query }}{{ . | first | value }}{{ end }}'
"#),
        ],
        fail: [
            Example::new(r#"groups:
  - name: disk
    rules:
      - alert: DiskFull
        expr: disk_free_ratio < 0.05
        for: 10m
        annotations:
          description: '{{ with query "sum(disk_free_bytes" }}{{ . | first | value }}{{ end }}'
          summary: '{{ with query "count(up == 0) == 0" }}{{ . | first | value }}{{ end }}'
"#),
        ],
    };
}

pub fn registration() -> Registration {
    crate::stateless_lint!(TEMPLATE_QUERY, check)
}

/// A query found in a template: its PromQL and the string literal it comes from.
struct Query {
    promql: String,
    at: Span,
    from_printf: bool,
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    let pairs = rcx
        .rule
        .labels
        .iter()
        .zip(rcx.label_templates.iter())
        .chain(rcx.rule.annotations.iter().zip(rcx.annotation_templates.iter()));
    let mut found = Vec::new();
    for (kv, template) in pairs {
        let Some(template) = template else { continue };
        let mut queries = Vec::new();
        let mut nodes: Vec<&Node> =
            template.nodes.iter().chain(template.definitions.iter().flat_map(|d| &d.body)).collect();
        while let Some(node) = nodes.pop() {
            match node {
                Node::Action(a) => pipeline_queries(&a.pipe, &mut queries),
                Node::If(b) | Node::Range(b) | Node::With(b) => {
                    pipeline_queries(&b.pipe, &mut queries);
                    nodes.extend(&b.body);
                    nodes.extend(b.else_body.iter().flatten());
                }
                Node::Block(b) => {
                    pipeline_queries(&b.pipe, &mut queries);
                    nodes.extend(&b.body);
                }
                Node::Template(t) => {
                    if let Some(p) = &t.pipe {
                        pipeline_queries(p, &mut queries);
                    }
                }
                _ => {}
            }
        }
        for q in queries {
            let at = kv.value.to_file(q.at);
            let note = if q.from_printf { " (with `printf` placeholders filled in)" } else { "" };
            match crate::promql::parse(&q.promql, &crate::promql::ParseOptions::all_enabled()) {
                Err(errors) => {
                    let first = errors.first().map(|e| crate::promql::format_error(&q.promql, e)).unwrap_or_default();
                    found.push((at, format!("the `query` in `{}` does not parse{note}: {first}", kv.key.value)));
                }
                Ok(expr) => {
                    if let Some(span) = crate::promql::values::values(&expr).empty {
                        let what = q.promql.get(span.range()).unwrap_or("").to_string();
                        found.push((
                            at,
                            format!(
                                "the `query` in `{}` can never return anything: the comparison `{what}` is never true",
                                kv.key.value
                            ),
                        ));
                    }
                }
            }
        }
    }
    for (at, message) in found {
        cx.report(at, message).help("correct the query; Prometheus checks it only when the alert fires");
    }
}

/// Queries passed to `query` in a pipeline, and in the pipelines nested in it.
fn pipeline_queries(pipe: &Pipeline, out: &mut Vec<Query>) {
    let mut pipes = vec![pipe];
    while let Some(pipe) = pipes.pop() {
        for (i, command) in pipe.commands.iter().enumerate() {
            for arg in &command.args {
                if let TExpr::Paren(inner, _) = arg {
                    pipes.push(inner);
                }
            }
            if !is_function(command.args.first(), "query") {
                continue;
            }
            let input = match command.args.get(1) {
                Some(arg) => literal_query(arg),
                // `"..." | query`: the previous command's result.
                None if i > 0 => pipe.commands.get(i - 1).and_then(command_query),
                None => None,
            };
            out.extend(input);
        }
    }
}

fn is_function(arg: Option<&TExpr>, name: &str) -> bool {
    matches!(arg, Some(TExpr::Function(f)) if f.name == name)
}

/// A string literal, or `(printf "format" ...)`.
fn literal_query(arg: &TExpr) -> Option<Query> {
    match arg {
        TExpr::String(s) => Some(Query { promql: s.value.clone(), at: s.span, from_printf: false }),
        TExpr::Paren(inner, _) if inner.commands.len() == 1 => command_query(&inner.commands[0]),
        _ => None,
    }
}

/// A command that produces a known query: a string literal or a `printf`.
fn command_query(command: &Command) -> Option<Query> {
    match command.args.as_slice() {
        [TExpr::String(s)] => Some(Query { promql: s.value.clone(), at: s.span, from_printf: false }),
        [f, TExpr::String(s), ..] if is_function(Some(f), "printf") => {
            Some(Query { promql: fill_placeholders(&s.value)?, at: s.span, from_printf: true })
        }
        _ => None,
    }
}

/// The format with each verb replaced by a stand-in value; `None` for verbs it does not know.
fn fill_placeholders(format: &str) -> Option<String> {
    let mut out = String::with_capacity(format.len());
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '%' => out.push('%'),
            's' | 'v' => out.push_str("placeholder"),
            'q' => out.push_str("\"placeholder\""),
            'd' | 'f' | 'g' => out.push('1'),
            _ => return None,
        }
    }
    Some(out)
}

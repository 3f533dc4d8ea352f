use crate::lints::{Example, FileContext, Registration, RuleContext};
use crate::promql::{ExprKind, MatchOp};

crate::declare_lint! {
    /// ## What it does
    /// Reports a regex label matcher (`=~`, `!~`) that starts with `^` or ends with `$`, and
    /// one without any regex metacharacter, which matches exactly one string
    /// (`job=~"api"` is `job="api"`).
    ///
    /// Not reported: the empty regex, patterns with any metacharacter (`.`, `|`, `*`, `(`,
    /// `[`, `\`...), and `\$` (a literal dollar) at the end.
    ///
    /// ## Why it matters
    /// Prometheus anchors every label regex at both ends: `^` and `$` change nothing, and
    /// suggest to the reader that an unanchored `job=~"api"` would match `api-canary`, which
    /// it does not. A regex without metacharacters is an equality written the slow way, and
    /// hides the intent (often a forgotten `.*`).
    ///
    /// ## Example
    /// ```yaml
    /// - alert: ApiDown
    ///   expr: up{job=~"^api$", env=~"prod"} == 0
    /// ```
    ///
    /// ## How to fix
    /// Drop the anchors (`job=~"api"`), and use `=`/`!=` for a single string (`env="prod"`),
    /// or add the `.*` that was meant (`env=~"prod.*"`).
    ///
    /// ## Options
    /// None.
    pub static REDUNDANT_REGEX = {
        id: "promql/redundant-regex",
        severity: Info,
        summary: "a regex matcher has anchors that Prometheus already adds, or no metacharacter at all",
        pass: [
            Example::new(r#"groups:
  - name: api
    rules:
      - alert: ApiDown
        expr: up{job="api", env=~"prod|staging", instance=~".+:9090", path=~"/cost\\$"} == 0
        for: 5m
"#),
        ],
        fail: [
            Example::new(r#"groups:
  - name: api
    rules:
      - alert: ApiDown
        expr: up{job=~"^api$", env=~"prod"} == 0
        for: 5m
"#),
        ],
    };
}

pub fn registration() -> Registration {
    crate::stateless_lint!(REDUNDANT_REGEX, check)
}

const META: &[char] = &['.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '\\', '^', '$'];

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    let Some(expr) = rcx.expr else { return };
    let mut found = Vec::new();
    expr.walk(|e| {
        let ExprKind::VectorSelector(vs) = &e.kind else { return };
        for m in &vs.matchers {
            if !matches!(m.op, MatchOp::Regex | MatchOp::NotRegex) || m.value.is_empty() {
                continue;
            }
            let v = m.value.as_str();
            let trailing_backslashes = v.strip_suffix('$').map(|rest| rest.len() - rest.trim_end_matches('\\').len());
            let dollar = trailing_backslashes.is_some_and(|n| n % 2 == 0);
            let caret = v.starts_with('^');
            if caret || dollar {
                let which = match (caret, dollar) {
                    (true, true) => "`^` and `$` are",
                    (true, false) => "`^` is",
                    _ => "`$` is",
                };
                let mut stripped = v;
                if caret {
                    stripped = &stripped[1..];
                }
                if dollar {
                    stripped = &stripped[..stripped.len() - 1];
                }
                found.push((
                    m.value_span,
                    format!(
                        "{which} redundant in `{}{}\"{v}\"`: label regexes are always anchored",
                        m.name,
                        m.op.as_str()
                    ),
                    if stripped.contains("|^") || stripped.contains("$|") {
                        "remove the `^` and `$` anchors from every alternative".to_string()
                    } else {
                        format!("write `{}{}\"{stripped}\"`", m.name, m.op.as_str())
                    },
                ));
            } else if !v.contains(META) {
                let eq = if m.op == MatchOp::Regex { "=" } else { "!=" };
                found.push((
                    m.value_span,
                    format!(
                        "`{}{}\"{v}\"` has no regex metacharacter: it matches only the string `{v}`",
                        m.name,
                        m.op.as_str()
                    ),
                    format!("write `{}{eq}\"{v}\"`, or add the `.*` that was meant", m.name),
                ));
            }
        }
    });
    for (at, message, help) in found {
        cx.report(rcx.expr_span(at), message).help(help);
    }
}

use crate::config::ConfigError;
use crate::lints::{BuildContext, Example, FileContext, Lint, LintMeta, Registration, RuleContext};
use crate::model::RuleKind;
use crate::promql::{BinaryOp, Expr, ExprKind};

crate::declare_lint! {
    /// ## What it does
    /// Reports an alert whose condition compares a series with a static threshold (a comparison
    /// without `bool` against a number or a constant expression) and that has no `for`, a zero
    /// `for`, or a `for` shorter than `min_for`.
    ///
    /// Not reported: alerts without a threshold (`absent(...)`, `vector(1)`); event checks that
    /// ask whether anything happened in a window (`increase(x[10m]) > 0`); conditions computed
    /// from `time()` (ages, certificate expiry), which do not spike; and multi-window burn-rate
    /// alerts (`a > 14.4 * x and b > 14.4 * x`), whose short window already confirms the long one.
    ///
    /// ## Why it matters
    /// Without `for`, one evaluation above the threshold fires the alert: a single slow scrape,
    /// a deploy, a garbage-collection pause pages someone. Pages that resolve by themselves
    /// before anyone looks teach people to ignore the pager.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: HighLatency
    ///   expr: job:request_latency_seconds:p99 > 0.5
    /// ```
    ///
    /// ## How to fix
    /// Require the condition to hold for a while before firing:
    /// ```yaml
    ///   for: 10m
    /// ```
    ///
    /// ## Options
    /// `min_for` (duration, default `1m`): the shortest acceptable `for`.
    /// ```yaml
    /// lints:
    ///   noise/for-too-short: { min_for: 5m }
    /// ```
    pub static FOR_TOO_SHORT = {
        id: "noise/for-too-short",
        severity: Warning,
        summary: "a threshold alert has no `for`, or one below the configured minimum",
        pass: [
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighLatency\n        expr: job:request_latency_seconds:p99 > 0.5\n        for: 10m\n"),
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: ApiAbsent\n        expr: absent(up{job=\"api\"})\n"),
            Example::new("groups:\n  - name: db\n    rules:\n      - alert: WalCorrupted\n        expr: increase(tsdb_wal_corruptions_total[10m]) > 0\n"),
            Example::new("groups:\n  - name: tls\n    rules:\n      - alert: CertificateExpiresSoon\n        expr: probe_ssl_earliest_cert_expiry - time() < 7 * 86400\n"),
        ],
        fail: [
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighLatency\n        expr: job:request_latency_seconds:p99 > 0.5\n"),
            Example::with_config("groups:\n  - name: api\n    rules:\n      - alert: HighLatency\n        expr: job:request_latency_seconds:p99 > 0.5\n        for: 2m\n", "lints:\n  noise/for-too-short: { min_for: 5m }\n"),
        ],
    };
}

/// Options of `noise/for-too-short`.
struct Options {
    /// Milliseconds.
    min_for: i64,
}

impl Default for Options {
    fn default() -> Options {
        Options { min_for: 60_000 }
    }
}

pub fn registration() -> Registration {
    Registration { meta: &FOR_TOO_SHORT, build: build }
}

fn build(cx: &BuildContext<'_>) -> Result<Box<dyn Lint>, ConfigError> {
    let mut options = Options::default();
    for (key, value) in cx.options.entries(&["min_for"])? {
        if key == "min_for" {
            options.min_for = value.duration()?;
        }
    }
    Ok(Box::new(ForTooShort(options)))
}

struct ForTooShort(Options);

/// Conditions that do not spike, so `for` adds only delay: ages and expiry
/// times computed from `time()`, and multi-window burn-rate alerts, where the
/// short window already confirms the long one (`a > 14.4 * x and b > 14.4 * x`).
fn settles_by_itself(expr: &Expr) -> bool {
    // The thresholds compared inside one side of an `and`.
    let constants = |side: &Expr| -> Vec<f64> {
        let mut out = Vec::new();
        side.walk(|n| {
            if let ExprKind::BinaryExpr(c) = &n.kind
                && c.op.is_comparison()
                && !c.return_bool
                && let Some(v) = super::constant_value(&c.rhs).or_else(|| super::constant_value(&c.lhs))
            {
                out.push(v);
            }
        });
        out
    };
    // Equal thresholds compare equal as keys (0 and -0 alike; NaN never matches).
    let key = |v: f64| if v == 0.0 { 0 } else { v.to_bits() };
    let mut found = false;
    // `and` nodes already handled as part of a longer chain `a and b and c ...`.
    let mut in_chain: std::collections::HashSet<*const Expr> = std::collections::HashSet::new();
    expr.walk(|e| match &e.kind {
        ExprKind::Call(c) if c.func.name == "time" => found = true,
        ExprKind::BinaryExpr(b) if b.op == BinaryOp::And && !in_chain.contains(&(e as *const Expr)) => {
            // Each operand against all operands before it: the same pairs as
            // comparing both sides of every `and` of the chain, in one pass.
            let mut operands = vec![&*b.rhs];
            let mut node = &*b.lhs;
            while let ExprKind::BinaryExpr(inner) = &node.kind
                && inner.op == BinaryOp::And
            {
                in_chain.insert(node as *const Expr);
                operands.push(&*inner.rhs);
                node = &inner.lhs;
            }
            operands.push(node);
            let mut seen = std::collections::HashSet::new();
            for operand in operands.into_iter().rev() {
                let values: Vec<f64> = constants(operand).into_iter().filter(|v| !v.is_nan()).collect();
                if values.iter().any(|v| seen.contains(&key(*v))) {
                    found = true;
                }
                seen.extend(values.into_iter().map(key));
            }
        }
        _ => {}
    });
    found
}

impl Lint for ForTooShort {
    fn meta(&self) -> &'static LintMeta {
        &FOR_TOO_SHORT
    }

    fn check_rule(&self, cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
        let (Some(expr), Some(text)) = (rcx.expr, &rcx.rule.expr) else { return };
        if rcx.rule.kind != RuleKind::Alert {
            return;
        }
        if settles_by_itself(expr) {
            return;
        }
        let thresholds = super::thresholds(expr, &text.value);
        let Some(threshold) = thresholds.iter().find(|t| !super::is_event_check(t)) else { return };
        let min = crate::duration::format(self.0.min_for);
        let alert = &rcx.rule.name.value;
        let at = rcx.expr_span(threshold.comparison.op_span.cover(threshold.constant.span));
        match &rcx.rule.for_ {
            None => {
                cx.report(
                    rcx.rule.name.span,
                    format!(
                        "alert `{alert}` fires on the first evaluation where `{}` holds: it has no `for`",
                        threshold.text
                    ),
                )
                .label(at, "static threshold")
                .help(format!("add `for: {min}` or longer, so one spike does not page"));
            }
            Some(duration) if duration.millis < self.0.min_for => {
                let what = if duration.millis == 0 {
                    "`for` is zero".to_string()
                } else {
                    format!("`for: {}` is shorter than {min}", duration.text)
                };
                cx.report(duration.span, format!("alert `{alert}` compares with `{}` and its {what}", threshold.text))
                    .label(at, "static threshold")
                    .help(format!("use `for: {min}` or longer, so one spike does not page"));
            }
            Some(_) => {}
        }
    }
}

use crate::config::ConfigError;
use crate::lints::{BuildContext, Example, FileContext, Lint, LintMeta, Registration, RuleContext};
use crate::model::RuleKind;
use crate::promql::{AggregateOp, BinaryOp, Expr, ExprKind};

crate::declare_lint! {
    /// ## What it does
    /// Reports an alert whose condition compares a series with a static threshold (a comparison
    /// without `bool` against a number or a constant expression) and that has no `for`. With
    /// `min_for` configured, a `for` shorter than it (or zero) is reported too; by default an
    /// explicit `for`, even `for: 0m`, is taken as the author's choice.
    ///
    /// Not reported: alerts without a threshold (`absent(...)`, `vector(1)`); event checks that
    /// ask whether anything happened in a window (`increase(x[10m]) > 0`) or how many times
    /// (`increase(x[1h]) > 2`, `changes(...) > 3`); values already smoothed over a window of at
    /// least 5m (`avg_over_time(x[10m]) < 0.75`, `sum(rate(errors[5m])) / sum(rate(requests[5m]))
    /// > 0.05`), which one bad scrape does not move, even when divided by a level or joined with
    /// an `*_info` series; conditions computed from `time()` (ages, certificate expiry), which do
    /// not spike; series whose names say they are states, versions or lifetimes
    /// (`config_last_reload_successful != 1`, `health`, `status`, `version`, `ttl`,
    /// `certificate` ...), which change when something happened rather than with load;
    /// meta-alerts over `ALERTS`; and multi-window
    /// burn-rate alerts (`a > 14.4 * x and b > 14.4 * x`), whose short window already confirms
    /// the long one.
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
    /// `min_for` (duration, unset by default): the shortest acceptable `for`. When unset, only
    /// alerts without any `for` are reported, and the help suggests `1m`.
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
            // Already smoothed over ten minutes.
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: LowAvailability\n        expr: avg_over_time(probe_success[10m]) < 0.75\n"),
            // How many events in an hour: `for` would only delay.
            Example::new("groups:\n  - name: db\n    rules:\n      - alert: FrequentRestarts\n        expr: increase(kube_pod_container_status_restarts_total[1h]) > 2\n"),
            // A comparison inside arithmetic filters series; it is not the condition.
            Example::new("groups:\n  - name: net\n    rules:\n      - alert: InconsistentMTU\n        expr: node_network_mtu_bytes * (node_network_up > 0) != on (device) group_left quantile by (device) (0.5, node_network_mtu_bytes)\n"),
            // The number of disks in a failed state, and a camelCase status.
            Example::new("groups:\n  - name: raid\n    rules:\n      - alert: RaidDiskFailure\n        expr: node_md_disks{state=\"failed\"} > 0\n      - alert: PowerSupplyProblem\n        expr: cefcFRUPowerOperStatus != 2\n"),
            // A status flag: it changes when something happened, not with load.
            Example::new("groups:\n  - name: vm\n    rules:\n      - alert: ConfigurationReloadFailure\n        expr: vmalert_config_last_reload_successful != 1\n"),
            // A smoothed rate over a capacity, and a prediction joined with metadata.
            Example::new("groups:\n  - name: cache\n    rules:\n      - alert: ManyEvictions\n        expr: rate(cache_evictions_total[5m]) / cache_capacity_elements > 0.2\n      - alert: PoolGrowth\n        expr: predict_linear(pool_percent_used[2d], 86400 * 5) * on (pool_id) group_right () pool_metadata >= 95\n"),
            // An explicit zero is a choice when no minimum is configured.
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighLatency\n        expr: job:request_latency_seconds:p99 > 0.5\n        for: 0m\n"),
        ],
        fail: [
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighLatency\n        expr: job:request_latency_seconds:p99 > 0.5\n"),
            Example::with_config("groups:\n  - name: api\n    rules:\n      - alert: HighLatency\n        expr: job:request_latency_seconds:p99 > 0.5\n        for: 2m\n", "lints:\n  noise/for-too-short: { min_for: 5m }\n"),
            // A one-minute window is not smoothing enough; a joined info series does not count.
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: sum by (instance) (rate(errors_total[1m])) * on (instance) group_left (node) node_info > 5\n"),
            // A state word inside a longer word is not a state (`statefulset`), and a
            // condition under `and` still decides.
            Example::new("groups:\n  - name: k8s\n    rules:\n      - alert: StatefulSetReplicasMismatch\n        expr: kube_statefulset_replicas - kube_statefulset_status_replicas_ready > 0 and on (statefulset) kube_statefulset_replicas > 1\n"),
            // A raw gauge next to a smoothed one.
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: QueueGrowing\n        expr: queue_length - avg_over_time(queue_length[1h]) > 100\n"),
        ],
    };
}

/// Options of `noise/for-too-short`.
#[derive(Default)]
struct Options {
    /// Milliseconds. `None`: only a missing `for` is reported; an explicit
    /// `for`, even `0s`, is taken as the author's choice.
    min_for: Option<i64>,
}

/// The `for` suggested when there is none.
const SUGGESTED_FOR_MS: i64 = 60_000;

/// A window at least this long already smooths the compared value: one bad
/// scrape does not move an average or a rate over it enough to fire.
const SMOOTHING_WINDOW_SECONDS: f64 = 300.0;

pub fn registration() -> Registration {
    Registration { meta: &FOR_TOO_SHORT, build }
}

fn build(cx: &BuildContext<'_>) -> Result<Box<dyn Lint>, ConfigError> {
    let mut options = Options::default();
    for (key, value) in cx.options.entries(&["min_for"])? {
        if key == "min_for" {
            options.min_for = Some(value.duration()?);
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

/// Words in the names of series that change when something happened or was
/// configured, not with load: status flags, health checks, versions,
/// certificate lifetimes. `for` only delays an alert on them.
const STATE_WORDS: &[&str] = &[
    "success",
    "successful",
    "failed",
    "failure",
    "error",
    "health",
    "healthy",
    "status",
    "state",
    "degraded",
    "version",
    "mtu",
    "ttl",
    "expiry",
    "expiration",
    "certificate",
];

/// Whether the threshold compares series whose names all say they are a
/// state, a version or a lifetime (`last_reload_successful != 1`,
/// `certificate_manager_client_ttl_seconds < 86400`).
fn reads_states(threshold: &super::Threshold<'_>) -> bool {
    let selectors: Vec<_> = threshold.vector.vector_selectors().map(|(_, vs)| vs).collect();
    !selectors.is_empty()
        && selectors.iter().all(|vs| {
            let name = vs.metric_name().unwrap_or("");
            words(name).iter().any(|word| STATE_WORDS.contains(&word.as_str()))
                || name.ends_with("_info")
                || name.ends_with("_metadata")
                // `node_md_disks{state="failed"}`: the number of things in a state.
                || vs.matchers.iter().any(|m| matches!(m.name.as_str(), "state" | "status" | "condition"))
        })
}

/// The lowercase words of a metric name, split at `_`, `:` and camelCase
/// humps (`cefcFRUPowerOperStatus` → `cefc`, `frupower`, `oper`, `status`).
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if c == '_' || c == ':' {
            out.push(std::mem::take(&mut word));
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower {
            out.push(std::mem::take(&mut word));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        word.push(c.to_ascii_lowercase());
    }
    out.push(word);
    out.retain(|w| !w.is_empty());
    out
}

/// Whether `comparison` decides when the alert fires: the whole expression,
/// or reached from it only through parentheses, `and`/`or`/`unless` and
/// aggregations that keep values. A comparison inside arithmetic
/// (`mtu * (node_network_up > 0)`) only filters series.
fn is_condition(expr: &Expr, comparison: &crate::promql::BinaryExpr) -> bool {
    match &expr.kind {
        ExprKind::BinaryExpr(b) if std::ptr::eq(b.as_ref(), comparison) => true,
        ExprKind::BinaryExpr(b) if matches!(b.op, BinaryOp::And | BinaryOp::Or | BinaryOp::Unless) => {
            is_condition(&b.lhs, comparison) || is_condition(&b.rhs, comparison)
        }
        ExprKind::ParenExpr(p) => is_condition(&p.expr, comparison),
        ExprKind::AggregateExpr(a)
            if !matches!(a.op, AggregateOp::Count | AggregateOp::CountValues | AggregateOp::Group) =>
        {
            is_condition(&a.expr, comparison)
        }
        _ => false,
    }
}

/// Series joined in for their labels only (`* on (instance) group_left (node) node_uname_info`).
fn is_info_side(expr: &Expr) -> bool {
    let mut names = expr.vector_selectors().filter_map(|(_, vs)| vs.metric_name()).peekable();
    names.peek().is_some() && names.all(|n| n.ends_with("_info") || n.ends_with("_metadata") || n.ends_with("_labels"))
}

/// Meta-alerts over `ALERTS` (inhibitors, "other alerts are firing") follow
/// alerts that already waited for their own `for`.
fn reads_alerts(expr: &Expr) -> bool {
    expr.vector_selectors().any(|(_, vs)| matches!(vs.metric_name(), Some("ALERTS" | "ALERTS_FOR_STATE")))
}

/// Functions over a range that count discrete events: `increase(x[1h]) > 2`
/// asks how many happened, which `for` would only delay.
const EVENT_COUNTS: &[&str] = &["increase", "changes", "resets", "count_over_time"];

/// Whether the compared value counts events in a window.
fn counts_events(vector: &Expr) -> bool {
    matches!(&super::innermost(vector).kind, ExprKind::Call(c) if EVENT_COUNTS.contains(&c.func.name))
}

/// Range functions that follow the last samples rather than the window.
const INSTANT_LIKE: &[&str] = &["irate", "idelta", "last_over_time", "present_over_time", "absent_over_time"];

/// Whether every series the compared value reads is averaged (or otherwise
/// summarised) over a window of at least five minutes:
/// `avg_over_time(x[10m]) < 0.75`, `sum(rate(errors[5m])) / sum(rate(requests[5m])) > 0.05`.
/// Labels joined in from another series (`* on (instance) group_left (node) node_info`)
/// and filters (`and`, `unless`) do not count.
fn is_smoothed(vector: &Expr) -> bool {
    let mut windows = Vec::new();
    let mut bare = false;
    smoothing(vector, &mut windows, &mut bare);
    !bare && !windows.is_empty() && windows.iter().all(|w| *w >= SMOOTHING_WINDOW_SECONDS)
}

fn smoothing(expr: &Expr, windows: &mut Vec<f64>, bare: &mut bool) {
    match &expr.kind {
        ExprKind::VectorSelector(_) => *bare = true,
        ExprKind::Call(call) => {
            let range = call.args.iter().find_map(|a| match &a.kind {
                ExprKind::MatrixSelector(m) => Some(m.range.constant_seconds()),
                ExprKind::SubqueryExpr(s) => Some(s.range.constant_seconds()),
                _ => None,
            });
            match range {
                Some(seconds) if !INSTANT_LIKE.contains(&call.func.name) => {
                    windows.push(seconds.unwrap_or(0.0));
                }
                Some(_) => *bare = true,
                None if call.func.name == "time" || call.func.name == "vector" => {}
                None => call.args.iter().for_each(|a| smoothing(a, windows, bare)),
            }
        }
        ExprKind::BinaryExpr(b) => match b.op {
            BinaryOp::And | BinaryOp::Unless => smoothing(&b.lhs, windows, bare),
            _ => {
                for side in [&b.lhs, &b.rhs] {
                    if !is_info_side(side) {
                        smoothing(side, windows, bare);
                    }
                }
                // A smoothed rate over a level (`rate(evictions[5m]) / cache_capacity`)
                // moves with the rate: the level only scales it.
                if b.op == BinaryOp::Div && !windows.is_empty() {
                    let mut denominator_windows = Vec::new();
                    let mut denominator_bare = false;
                    smoothing(&b.rhs, &mut denominator_windows, &mut denominator_bare);
                    if denominator_windows.is_empty() {
                        let mut numerator_bare = false;
                        smoothing(&b.lhs, &mut Vec::new(), &mut numerator_bare);
                        *bare = numerator_bare;
                    }
                }
            }
        },
        ExprKind::AggregateExpr(a) => smoothing(&a.expr, windows, bare),
        ExprKind::ParenExpr(p) => smoothing(&p.expr, windows, bare),
        ExprKind::UnaryExpr(u) => smoothing(&u.expr, windows, bare),
        ExprKind::SubqueryExpr(_) | ExprKind::MatrixSelector(_) => *bare = true,
        ExprKind::NumberLiteral(_) | ExprKind::StringLiteral(_) => {}
    }
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
        if reads_alerts(expr) {
            return;
        }
        let thresholds = super::thresholds(expr, &text.value);
        let Some(threshold) = thresholds.iter().find(|t| {
            !super::is_event_check(t)
                && !counts_events(t.vector)
                && !is_smoothed(t.vector)
                && !reads_states(t)
                && is_condition(expr, t.comparison)
        }) else {
            return;
        };
        let min = crate::duration::format(self.0.min_for.unwrap_or(SUGGESTED_FOR_MS));
        let alert = &rcx.rule.name.value;
        let at = rcx.expr_span(threshold.comparison.op_span.cover(threshold.constant.span));
        match (&rcx.rule.for_, self.0.min_for) {
            (None, _) => {
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
            (Some(duration), Some(min_for)) if duration.millis < min_for => {
                let what = if duration.millis == 0 {
                    "`for` is zero".to_string()
                } else {
                    format!("`for: {}` is shorter than {min}", duration.text)
                };
                cx.report(duration.span, format!("alert `{alert}` compares with `{}` and its {what}", threshold.text))
                    .label(at, "static threshold")
                    .help(format!("use `for: {min}` or longer, so one spike does not page"));
            }
            _ => {}
        }
    }
}

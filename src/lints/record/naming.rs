use crate::lints::{Example, FileContext, Registration, RuleContext};
use crate::model::RuleKind;

crate::declare_lint! {
    /// ## What it does
    /// Reports a recording rule whose name does not follow the Prometheus naming convention
    /// `level:metric:operations`: the labels the result is aggregated by, the metric name, and
    /// the operations applied, separated by colons (`job:http_requests:rate5m`). Names without
    /// operations (`cluster:infra_nodes`) or without a level (`:requests:sum_rate`) are accepted;
    /// a name without any colon, or with an empty metric part, is reported.
    ///
    /// ## Why it matters
    /// Recorded series live next to raw metrics. The colons tell at a glance that a series is
    /// derived, what it was aggregated by and how, so dashboards and alerts use it correctly and
    /// nobody applies `rate()` twice.
    ///
    /// ## Example
    /// ```yaml
    /// - record: http_error_ratio
    ///   expr: sum by (job) (rate(http_errors_total[5m])) / sum by (job) (rate(http_requests_total[5m]))
    /// ```
    ///
    /// ## How to fix
    /// Name it after what it holds: `job:http_errors:ratio_rate5m`.
    ///
    /// ## Options
    /// None.
    pub static NAMING = {
        id: "record/naming",
        severity: Info,
        summary: "a recording rule name does not follow `level:metric:operations`",
        pass: [Example::new("groups:\n  - name: api\n    rules:\n      - record: job:http_errors:ratio_rate5m\n        expr: sum by (job) (rate(http_errors_total[5m])) / sum by (job) (rate(http_requests_total[5m]))\n")],
        fail: [Example::new("groups:\n  - name: api\n    rules:\n      - record: http_error_ratio\n        expr: sum by (job) (rate(http_errors_total[5m])) / sum by (job) (rate(http_requests_total[5m]))\n")],
    };
}

pub fn registration() -> Registration {
    crate::stateless_lint!(NAMING, check)
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    if rcx.rule.kind != RuleKind::Record {
        return;
    }
    let name = &rcx.rule.name.value;
    if follows_convention(name) {
        return;
    }
    cx.report(
        rcx.rule.name.span,
        format!("recording rule `{name}` does not follow the `level:metric:operations` naming convention"),
    )
    .help("name it after the labels it keeps, the metric and the operations, such as `job:http_requests:rate5m`");
}

/// A colon separates the level from the metric, and the metric is not empty.
/// The operations may be left out (`cluster:infra_nodes`) and so may the level
/// when nothing is kept (`:requests:sum_rate`), as widely used mixins do.
fn follows_convention(name: &str) -> bool {
    let mut parts = name.split(':');
    let (Some(_level), Some(metric)) = (parts.next(), parts.next()) else { return false };
    !metric.is_empty()
}

#[cfg(test)]
mod tests {
    use super::follows_convention;

    #[test]
    fn convention() {
        for ok in [
            "job:http_requests:rate5m",
            "instance_path:requests:rate5m",
            "cluster:node_cpu:ratio",
            "a:b:c:d",
            "job:up:",
            "cluster:infra_nodes",
            ":up:sum",
        ] {
            assert!(follows_convention(ok), "{ok}");
        }
        for bad in ["http_error_ratio", "job::rate5m", "job:"] {
            assert!(!follows_convention(bad), "{bad}");
        }
    }
}

use crate::lints::Example;

crate::declare_lint! {
    /// ## What it does
    /// Notes, once per file, that the file's expressions are written in another query language:
    /// Grafana Loki's LogQL (`{job="api"} |= "error"`, `| json`, `bytes_over_time`) or
    /// VictoriaMetrics' MetricsQL (`WITH (...)`, `default`, `keep_metric_names`, MetricsQL-only
    /// functions such as `range_median`). Only expressions that do not parse as PromQL are looked
    /// at, so a PromQL file is never taken for another language. The file's expressions are then
    /// not reported as `promql/syntax` errors; the other lints still read its labels and annotations.
    ///
    /// ## Why it matters
    /// Loki and vmalert rule files share Prometheus's rule-file format. Reporting every LogQL
    /// pipeline as a PromQL syntax error would fail CI on files that are correct for the
    /// server that loads them, and bury real findings.
    ///
    /// ## Example
    /// ```yaml
    /// groups:
    ///   - name: logs
    ///     rules:
    ///       - alert: ManyErrors
    ///         expr: sum(count_over_time({job="api"} |= "error" [5m])) > 10
    /// ```
    ///
    /// ## How to fix
    /// Nothing to fix. Check the file with the other system's own tool (`lokitool`, `vmalert
    /// -dryRun`), or exclude it (`exclude:` in `.alertlint.yaml`) to silence the note.
    ///
    /// ## Options
    /// None.
    pub static OTHER_LANGUAGE = {
        id: "rule/other-language",
        severity: Info,
        summary: "a rule file's expressions are in another query language (LogQL, MetricsQL); they are not checked",
        pass: [Example::new("groups:\n  - name: api\n    rules:\n      - record: job:errors:rate5m\n        expr: sum by (job) (rate(errors_total[5m]))\n")],
        fail: [
            Example::new("groups:\n  - name: logs\n    rules:\n      - alert: ManyErrors\n        expr: sum(count_over_time({job=\"api\"} |= \"error\" [5m])) > 10\n"),
            Example::new("groups:\n  - name: vm\n    rules:\n      - alert: Slow\n        expr: WITH (q = rate(requests_total[5m])) q > 10\n"),
        ],
    };
}

/// A query language of another system using Prometheus's rule-file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    LogQL,
    MetricsQL,
}

impl Language {
    pub fn name(self) -> &'static str {
        match self {
            Language::LogQL => "LogQL (Grafana Loki)",
            Language::MetricsQL => "MetricsQL (VictoriaMetrics)",
        }
    }
}

/// LogQL functions that PromQL does not have.
const LOGQL_FUNCTIONS: &[&str] = &["bytes_over_time", "bytes_rate", "rate_counter"];

/// MetricsQL functions that PromQL (experimental functions included) does not have.
const METRICSQL_FUNCTIONS: &[&str] = &[
    "aggr_over_time",
    "alias",
    "any",
    "ascent_over_time",
    "bitmap_and",
    "bitmap_or",
    "bitmap_xor",
    "bottomk_avg",
    "bottomk_last",
    "bottomk_max",
    "bottomk_median",
    "bottomk_min",
    "buckets_limit",
    "count_eq_over_time",
    "count_gt_over_time",
    "count_le_over_time",
    "count_ne_over_time",
    "count_values_over_time",
    "decreases_over_time",
    "default_rollup",
    "descent_over_time",
    "distinct",
    "distinct_over_time",
    "drop_empty_series",
    "duration_over_time",
    "geomean",
    "geomean_over_time",
    "histogram_avg_over_time",
    "histogram_over_time",
    "histogram_share",
    "hoeffding_bound_lower",
    "hoeffding_bound_upper",
    "ideriv",
    "increase_prometheus",
    "increase_pure",
    "increases_over_time",
    "integrate",
    "interpolate",
    "keep_last_value",
    "keep_next_value",
    "label_copy",
    "label_del",
    "label_graphite_group",
    "label_keep",
    "label_lowercase",
    "label_map",
    "label_match",
    "label_mismatch",
    "label_move",
    "label_set",
    "label_transform",
    "label_uppercase",
    "label_value",
    "labels_equal",
    "lag",
    "lifetime",
    "limit_offset",
    "median",
    "median_over_time",
    "mode",
    "mode_over_time",
    "outliers_iqr",
    "outliers_mad",
    "outliersk",
    "prometheus_buckets",
    "quantiles",
    "quantiles_over_time",
    "range_avg",
    "range_first",
    "range_last",
    "range_linear_regression",
    "range_mad",
    "range_max",
    "range_median",
    "range_min",
    "range_normalize",
    "range_quantile",
    "range_stddev",
    "range_stdvar",
    "range_sum",
    "range_trim_outliers",
    "range_trim_spikes",
    "range_trim_zscore",
    "range_zscore",
    "rate_over_sum",
    "remove_resets",
    "rollup",
    "rollup_candlestick",
    "rollup_delta",
    "rollup_deriv",
    "rollup_increase",
    "rollup_rate",
    "rollup_scrape_interval",
    "running_avg",
    "running_max",
    "running_min",
    "running_sum",
    "scrape_interval",
    "share",
    "share_eq_over_time",
    "share_gt_over_time",
    "share_le_over_time",
    "sort_by_label_numeric",
    "sort_by_label_numeric_desc",
    "sum2",
    "sum2_over_time",
    "sum_eq_over_time",
    "sum_gt_over_time",
    "sum_le_over_time",
    "tfirst_over_time",
    "tlast_change_over_time",
    "tlast_over_time",
    "tmax_over_time",
    "tmin_over_time",
    "topk_avg",
    "topk_last",
    "topk_max",
    "topk_median",
    "topk_min",
    "zscore",
    "zscore_over_time",
];

/// MetricsQL keywords and modifiers that PromQL does not have.
const METRICSQL_WORDS: &[&str] = &["default", "if", "ifnot", "keep_metric_names"];

/// The other language an expression that does not parse as PromQL is written
/// in, when it shows unmistakable signs of one.
pub fn detect(expr: &str) -> Option<Language> {
    let tokens = tokens(expr);
    // PromQL has no `|` outside strings; LogQL pipelines start with one.
    if tokens.iter().any(|t| matches!(t, Token::Pipe)) {
        return Some(Language::LogQL);
    }
    let called = |names: &[&str], i: usize| match (&tokens[i], tokens.get(i + 1)) {
        (Token::Word(w), Some(Token::Open)) => names.contains(&w.to_ascii_lowercase().as_str()),
        _ => false,
    };
    for i in 0..tokens.len() {
        if called(LOGQL_FUNCTIONS, i) {
            return Some(Language::LogQL);
        }
        if called(METRICSQL_FUNCTIONS, i) || called(&["with"], i) {
            return Some(Language::MetricsQL);
        }
        // `a default b`, `a if b`, `rate(x) keep_metric_names`: a keyword after
        // an operand, where PromQL expects an operator.
        if let (Some(prev), Token::Word(w)) = (i.checked_sub(1).map(|p| &tokens[p]), &tokens[i]) {
            let after_operand = matches!(prev, Token::Close | Token::Word(_) | Token::Number);
            if after_operand && METRICSQL_WORDS.contains(&w.to_ascii_lowercase().as_str()) {
                return Some(Language::MetricsQL);
            }
        }
    }
    None
}

#[derive(Debug, PartialEq)]
enum Token<'a> {
    Word(&'a str),
    Number,
    Open,
    Close,
    Pipe,
    Other,
}

/// A rough tokenizer: words, numbers, brackets and `|`; strings, label
/// matchers (`{...}`) and comments are skipped.
fn tokens(expr: &str) -> Vec<Token<'_>> {
    let bytes = expr.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut braces = 0usize;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'"' | b'\'' | b'`' => {
                i += 1;
                while i < bytes.len() && bytes[i] != c {
                    i += if bytes[i] == b'\\' && c != b'`' { 2 } else { 1 };
                }
                i += 1;
                continue;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'{' => braces += 1,
            b'}' => {
                braces = braces.saturating_sub(1);
                if braces == 0 {
                    out.push(Token::Close);
                }
            }
            _ if braces > 0 => {}
            b'(' => out.push(Token::Open),
            b')' | b']' => out.push(Token::Close),
            b'|' => out.push(Token::Pipe),
            _ if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b':')) {
                    i += 1;
                }
                out.push(Token::Word(&expr[start..i]));
                continue;
            }
            _ if c.is_ascii_digit() => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                    i += 1;
                }
                out.push(Token::Number);
                continue;
            }
            _ if c.is_ascii_whitespace() => {}
            _ => out.push(Token::Other),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_logql() {
        assert_eq!(detect(r#"sum(count_over_time({job="api"} |= "error" [5m])) > 10"#), Some(Language::LogQL));
        assert_eq!(detect(r#"{app="x"} | json | level="error""#), Some(Language::LogQL));
        assert_eq!(detect(r#"sum(bytes_over_time({job="x"}[1m]))"#), Some(Language::LogQL));
    }

    #[test]
    fn recognises_metricsql() {
        assert_eq!(detect("WITH (q = rate(x[5m])) q > 1"), Some(Language::MetricsQL));
        assert_eq!(detect("rate(x[5m]) default 0"), Some(Language::MetricsQL));
        assert_eq!(detect("sum(rate(x[5m])) keep_metric_names"), Some(Language::MetricsQL));
        assert_eq!(detect("range_median(x) > 2"), Some(Language::MetricsQL));
        assert_eq!(detect("a if b"), Some(Language::MetricsQL));
    }

    #[test]
    fn promql_mistakes_are_not_another_language() {
        assert_eq!(detect("rate(x[5m] > 1"), None);
        assert_eq!(detect(r#"up{job="a|b"} == 0"#), None);
        assert_eq!(detect("sum by (default) (x) >"), None);
        assert_eq!(detect("label_replace(up, \"a\", \"$1\", \"b\", \"(.*)\") |"), Some(Language::LogQL));
        assert_eq!(detect("foo{if=\"x\"} +"), None);
    }
}

use crate::lints::Example;

crate::declare_lint! {
    /// ## What it does
    /// Reports, once per run, that the Prometheus server given by `prometheus.url` or
    /// `--prometheus-url` could not be reached or answered with errors. The finding is filed
    /// under the server's URL. The offline lints still run; the online ones
    /// (`metric/missing-series`, `noise/flapping`) stay silent when the server is unreachable.
    ///
    /// ## Why it matters
    /// A check that silently skips its online lints looks like a clean bill of health. Saying
    /// so keeps a CI job that lost its network route from passing on trust.
    ///
    /// ## Example
    /// ```yaml
    /// # .alertlint.yaml
    /// prometheus:
    ///   url: http://127.0.0.1:1
    /// ```
    ///
    /// ## How to fix
    /// Check the URL and that the server answers `/api/v1/status/config` from where alertlint
    /// runs, or remove `prometheus.url` to lint offline.
    ///
    /// ## Options
    /// None.
    pub static UNREACHABLE = {
        id: "prometheus/unreachable",
        severity: Warning,
        summary: "the configured Prometheus server could not be reached or its queries failed",
        pass: [Example::new("groups:\n  - name: api\n    rules:\n      - record: job:up:sum\n        expr: sum by (job) (up)\n")],
        fail: [Example::with_config("groups:\n  - name: api\n    rules:\n      - record: job:up:sum\n        expr: sum by (job) (up)\n", "prometheus: { url: \"http://127.0.0.1:1\" }\n")],
    };
}

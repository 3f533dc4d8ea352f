use crate::lints::{Example, FileContext, Registration, RuleContext};
use crate::model::RuleKind;

crate::declare_lint! {
    /// ## What it does
    /// Reports an alert without a runbook.
    ///
    /// Without `runbook.annotations` in the configuration, the runbook keys are read from the
    /// checked files: any annotation or label whose key names a runbook or playbook
    /// (`runbook_url`, `runbook`, `playbook`, `runbook_link`, `sop`, `documentation`, ...) and
    /// holds a URL or a path to a document in the repository (`docs/runbooks/disk-full.md`).
    /// Dashboard links are never taken for runbooks. The lint then reports only where runbooks
    /// are the convention: in files where at least half of the alerts have one, or where half of
    /// the alerts in the files of its directory do. A repository that keeps no runbooks in its rule files
    /// gets no finding; configure `runbook.annotations` to require them anyway.
    ///
    /// ## Why it matters
    /// The person paged at night is often not the person who wrote the alert. A runbook tells
    /// them what the alert means, how to confirm it, and what to do; without one, every page
    /// becomes an investigation or an escalation.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: HighErrorRate
    ///   expr: job:errors:rate5m > 0.05
    ///   for: 10m
    ///   annotations:
    ///     summary: "Error rate above 5%"
    /// ```
    ///
    /// ## How to fix
    /// Add an annotation pointing at the runbook:
    /// ```yaml
    ///   annotations:
    ///     runbook_url: https://runbooks.example.com/api/high-error-rate
    /// ```
    ///
    /// ## Options
    /// Top-level `runbook.annotations` lists the accepted annotation names. When it is set, every
    /// alert must have one of them, whatever the other files do.
    pub static MISSING = {
        id: "runbook/missing",
        severity: Warning,
        summary: "an alert has no runbook annotation",
        pass: [
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        annotations:\n          runbook_url: https://runbooks.example.com/api/high-error-rate\n"),
            Example::with_config("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        annotations:\n          playbook: https://runbooks.example.com/api\n", "runbook: { annotations: [runbook_url, playbook] }\n"),
            // No alert in the repository has a runbook: no convention to enforce.
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        annotations:\n          summary: Error rate above 5%\n      - alert: HighLatency\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        annotations:\n          dashboard_url: https://grafana.example.com/d/api\n"),
            // The repository's own keys: a repository path under `runbook`, a `playbook` label.
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        annotations:\n          runbook: docs/runbooks/api.md#high-error-rate\n      - alert: HighLatency\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        labels:\n          playbook: https://wiki.example.com/api/latency\n"),
        ],
        fail: [
            Example::with_config("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        annotations:\n          summary: Error rate above 5%\n", "runbook: { annotations: [runbook_url] }\n"),
            // The other alerts have runbooks; a dashboard is not one.
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        annotations:\n          runbook: https://wiki.example.com/api/errors\n      - alert: HighRetryRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        annotations:\n          runbook: https://wiki.example.com/api/retries\n      - alert: HighLatency\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        annotations:\n          dashboard_url: https://grafana.example.com/d/api\n"),
        ],
    };
}

pub fn registration() -> Registration {
    crate::stateless_lint!(MISSING, check)
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    let conventions = cx.conventions;
    if rcx.rule.kind != RuleKind::Alert || !conventions.expects_runbook(cx.file.name()) {
        return;
    }
    if conventions.runbook_of(rcx.group, &rcx.rule.labels, &rcx.rule.annotations).is_some() {
        return;
    }
    let keys = &conventions.runbook;
    let key = keys.preferred("runbook_url");
    let help = if keys.configured {
        format!("add an annotation `{key}: https://...` pointing at the runbook{}", keys.others_note())
    } else {
        format!(
            "add an annotation `{key}: https://...` pointing at the runbook{}; to accept another key, list it in `runbook.annotations` in .alertlint.yaml",
            keys.others_note()
        )
    };
    cx.report(rcx.rule.name.span, format!("alert `{}` has no `{key}` annotation", rcx.rule.name.value)).help(help);
}

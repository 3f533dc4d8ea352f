use crate::conventions::{is_repository_path, names_runbook_explicitly};
use crate::lints::{Example, FileContext, Registration, RuleContext};
use crate::model::{KeyValue, RuleKind};

crate::declare_lint! {
    /// ## What it does
    /// Reports a runbook annotation whose value is not an absolute `http` or `https` URL, or does
    /// not match the configured `runbook.url_pattern`. A path to a document in the repository
    /// (`docs/runbooks/disk-full.md#anchor`) is accepted unless `url_pattern` is set. The
    /// runbook keys are `runbook.annotations` when configured, else the keys the checked files
    /// use for runbooks (see `runbook/missing`). A templated URL
    /// (`https://runbooks.example.com/{{ $labels.alertname }}`) is checked on its literal start;
    /// a value that starts with a template action is accepted as it is.
    ///
    /// ## Why it matters
    /// A runbook link that does not open is no runbook: the on-call engineer finds out at the
    /// worst moment. A pattern keeps links pointing at the one place runbooks are kept.
    ///
    /// ## Example
    /// ```yaml
    /// annotations:
    ///   runbook_url: wiki/HighErrorRate
    /// ```
    ///
    /// ## How to fix
    /// Use the full URL, `https://wiki.example.com/runbooks/HighErrorRate`.
    ///
    /// ## Options
    /// Top-level `runbook.annotations` (which annotations hold runbooks; read from the files when
    /// not set) and
    /// `runbook.url_pattern` (a regular expression the URL must match).
    pub static INVALID_URL = {
        id: "runbook/invalid-url",
        severity: Warning,
        summary: "the runbook value is not an absolute http(s) URL, or does not match the configured pattern",
        pass: [
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        annotations:\n          runbook: docs/runbooks/api.md#high-error-rate\n          dashboard: grafana/api\n"),
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        annotations:\n          runbook_url: https://runbooks.example.com/{{ $labels.alertname }}\n"),
        ],
        fail: [
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        annotations:\n          runbook_url: https://runbooks.example.com/api/errors\n      - alert: HighLatency\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        annotations:\n          runbook_url: NA\n"),
            Example::new("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        annotations:\n          runbook_url: wiki/HighErrorRate\n"),
            Example::with_config("groups:\n  - name: api\n    rules:\n      - alert: HighErrorRate\n        expr: job:errors:rate5m > 0.05\n        for: 10m\n        annotations:\n          runbook_url: https://example.org/HighErrorRate\n", "runbook: { url_pattern: '^https://runbooks\\.example\\.com/' }\n"),
        ],
    };
}

pub fn registration() -> Registration {
    crate::stateless_lint!(INVALID_URL, check)
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    if rcx.rule.kind != RuleKind::Alert {
        return;
    }
    let conventions = cx.conventions;
    let pattern = cx.config.runbook.url_pattern.as_ref();
    // Configured runbook keys are annotations; inferred ones may be labels too.
    let entries: Vec<&KeyValue> = if conventions.runbook.configured {
        rcx.rule.annotations.iter().filter(|kv| conventions.runbook.contains(&kv.key.value)).collect()
    } else {
        let mut seen = Vec::new();
        rcx.rule
            .annotations
            .iter()
            .chain(&rcx.rule.labels)
            .chain(&rcx.group.labels)
            .filter(|kv| conventions.runbook.contains(&kv.key.value) || names_runbook_explicitly(&kv.key.value))
            .filter(|kv| {
                let first = !seen.contains(&&kv.key.value);
                seen.push(&kv.key.value);
                first
            })
            .collect()
    };
    for kv in entries {
        let name = &kv.key.value;
        let value = kv.value.value.trim();
        let alert = &rcx.rule.name.value;
        if value.is_empty() {
            cx.report(kv.value.span, format!("alert `{alert}` has an empty `{name}` annotation"))
                .help("point it at the runbook: `https://...`");
            continue;
        }
        // The literal text before the first template action is all that is known statically.
        let literal = value.split("{{").next().unwrap_or("");
        if literal.is_empty() {
            continue;
        }
        if pattern.is_none() && is_repository_path(value) {
            continue;
        }
        if let Some(problem) = url_problem(literal, literal.len() < value.len()) {
            cx.report(kv.value.span, format!("`{name}` of alert `{alert}` is not an absolute http(s) URL: {problem}"))
                .help("use the full address, such as `https://runbooks.example.com/...`, or a path to a document in the repository such as `docs/runbooks/disk-full.md`");
            continue;
        }
        if let Some(pattern) = pattern
            && !pattern.is_match(value)
        {
            cx.report(
                kv.value.span,
                format!("`{name}` of alert `{alert}` does not match the runbook URL pattern `{}`", pattern.as_str()),
            )
            .help("keep runbooks where the configuration says they live (`runbook.url_pattern`)");
        }
    }
}

/// Why `text` is not the start of an absolute http(s) URL; `None` if it is.
/// `templated` means more text follows from a template action.
fn url_problem(text: &str, templated: bool) -> Option<&'static str> {
    let rest = match text.split_once("://") {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") => rest,
        Some(_) => return Some("the scheme is not http or https"),
        None if templated => return Some("it does not start with `https://`"),
        None => return Some("it has no `https://` scheme"),
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() && !(templated && rest.is_empty()) {
        return Some("it has no host");
    }
    if text.chars().any(char::is_whitespace) {
        return Some("it contains whitespace");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::url_problem;

    #[test]
    fn accepts_absolute_urls() {
        for ok in ["https://runbooks.example.com/x", "http://wiki:8080/a?b#c", "HTTPS://x"] {
            assert_eq!(url_problem(ok, false), None, "{ok}");
        }
        assert_eq!(url_problem("https://", true), None);
    }

    #[test]
    fn rejects_the_rest() {
        assert!(url_problem("wiki/HighErrorRate", false).is_some());
        assert!(url_problem("ftp://x/y", false).is_some());
        assert!(url_problem("https:///path", false).is_some());
        assert!(url_problem("https://x/see the docs", false).is_some());
    }
}

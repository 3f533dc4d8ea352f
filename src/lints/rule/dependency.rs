use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use crate::lints::{Example, Lint, LintMeta, Registration, WorkspaceContext};

crate::declare_lint! {
    /// ## What it does
    /// Reports a selector of a recording rule's series, named as recording rules are
    /// (`level:metric:operations`, with a `:`), that no recording rule in the files checked
    /// together records. The closest recorded name that differs in one part only is suggested
    /// when there is one.
    ///
    /// Not reported: anything when the files checked together record nothing at all (an alert
    /// file checked on its own reads recording rules kept elsewhere); names without a `:` or
    /// starting with one (scraped metrics such as
    /// `:tensorflow:serving:request_count`), names recorded by any rule of any file in the same
    /// run, whatever its group or file, and a second use of the same name in one rule.
    ///
    /// ## Why it matters
    /// A recording rule renamed or deleted, or a typo in its name, leaves every rule reading it
    /// with a selector that matches nothing: alerts built on it never fire, and nothing says so.
    ///
    /// ## Example
    /// ```yaml
    /// - record: job:http_errors:rate5m
    ///   expr: sum by (job) (rate(http_errors_total[5m]))
    /// - alert: ManyErrors
    ///   expr: job:http_error:rate5m > 1
    /// ```
    ///
    /// ## How to fix
    /// Correct the name, check the files that record it are checked together (one run over
    /// the server's rule files), or restore the recording rule.
    ///
    /// ## Options
    /// None.
    pub static DEPENDENCY = {
        id: "rule/dependency",
        severity: Warning,
        summary: "a rule reads a recording rule's series that no rule checked with it records",
        pass: [
            Example::new(r#"groups:
  - name: api
    rules:
      - record: job:http_errors:rate5m
        expr: sum by (job) (rate(http_errors_total[5m]))
      - alert: ManyErrors
        expr: job:http_errors:rate5m > 1
        for: 5m
"#),
        ],
        fail: [
            Example::new(r#"groups:
  - name: api
    rules:
      - record: job:http_errors:rate5m
        expr: sum by (job) (rate(http_errors_total[5m]))
      - alert: ManyErrors
        expr: job:http_error:rate5m > 1
        for: 5m
"#),
        ],
    };
}

pub fn registration() -> Registration {
    Registration {
        meta: &DEPENDENCY,
        build: |cx| {
            cx.options.no_options()?;
            Ok(Box::new(Dependency))
        },
    }
}

struct Dependency;

impl Lint for Dependency {
    fn meta(&self) -> &'static LintMeta {
        &DEPENDENCY
    }

    fn check_workspace(&self, cx: &mut WorkspaceContext<'_>) {
        let recorded = crate::lints::metric::recorded(cx.files);
        // Files checked without any recording rule (one alert file, stdin) read recording
        // rules kept elsewhere: nothing to compare with.
        if recorded.is_empty() {
            return;
        }
        let parsed = crate::lints::metric::parse_all(cx.files);
        // Recorded names split into their parts, by number of parts: a typo
        // is looked for among names with as many parts (each number's made
        // when first needed).
        let mut by_parts: Option<ByParts<'_>> = None;
        let mut suggestions: HashMap<(&str, &str), Option<String>> = HashMap::new();
        let mut reported: HashSet<(usize, &str, &str, &str)> = HashSet::new();
        let mut found = Vec::new();
        // Every expression is walked (in parallel); what it reads is then
        // compared in order.
        let uses: Vec<_> = parsed
            .par_iter()
            .map(|(file, group, rule, expr)| {
                // Only names of recording rules (`level:metric:operations`) matter here.
                let wanted = |name: &str| name.contains(':') && !name.starts_with(':');
                crate::lints::metric::uses_where(*file, group, rule, expr, &recorded, false, wanted)
            })
            .collect();
        for ((file, group, rule, _), uses) in parsed.iter().zip(uses) {
            for u in uses {
                let Some(name) = u.selector.metric_name() else { continue };
                // `level:metric:operations`; a leading `:` is an exporter's own name
                // (`:tensorflow:serving:request_count`), not a recording rule's.
                if !name.contains(':') || name.starts_with(':') {
                    continue;
                }
                if !reported.insert((*file, name, rule.name.value.as_str(), group.name.value.as_str())) {
                    continue;
                }
                // A likely typo differs in one part of `level:metric:operations` only.
                let suggestion = suggestions
                    .entry((name, rule.name.value.as_str()))
                    .or_insert_with(|| {
                        let parts: Vec<&str> = name.split(':').collect();
                        let n = parts.len();
                        // Only the names with as many parts are split.
                        let same = by_parts.get_or_insert_with(ByParts::new).entry(n).or_insert_with(|| {
                            let mut same = SameParts::default();
                            for r in recorded.iter().filter(|r| r.bytes().filter(|&b| b == b':').count() + 1 == n) {
                                same.names.push(*r);
                                same.parts.extend(r.split(':'));
                            }
                            same
                        });
                        let similar = same.names.iter().zip(same.parts.chunks_exact(n)).filter_map(|(r, other)| {
                            let close = other.iter().zip(&parts).filter(|(a, b)| a != b).count() <= 1;
                            (close && *r != rule.name.value).then_some(*r)
                        });
                        crate::lints::closest(name, similar).map(str::to_string)
                    })
                    .clone();
                found.push((
                    u.file,
                    u.name_span,
                    name.to_string(),
                    suggestion,
                    group.name.value.clone(),
                    rule.name.value.clone(),
                ));
            }
        }
        for (file, span, name, suggestion, group, rule) in found {
            let (message, help) = match suggestion {
                Some(s) => (
                    format!("`{name}` is recorded by no rule checked with this one; did you mean `{s}`?"),
                    format!(
                        "if it is a typo, write `{s}`; otherwise check the rules in the run together with the file that records `{name}`"
                    ),
                ),
                None => (
                    format!("`{name}` is recorded by no rule checked with this one"),
                    format!(
                        "check the rules in the run together with the file that records `{name}`, or restore that recording rule"
                    ),
                ),
            };
            cx.report(file, span, message).help(help).group(&group).rule(&rule);
        }
    }
}

/// Recorded names and their `:`-separated parts, by number of parts.
type ByParts<'a> = HashMap<usize, SameParts<'a>>;

/// Names with the same number of parts `n`; the parts of `names[i]` are
/// `parts[i * n..(i + 1) * n]` (one vector for all, not one per name).
#[derive(Default)]
struct SameParts<'a> {
    names: Vec<&'a str>,
    parts: Vec<&'a str>,
}

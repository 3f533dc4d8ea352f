//! Team policies: the conventions a team writes down in `policies:`
//! (required and forbidden labels and annotations, name patterns, `for`
//! bounds, group bounds, aggregation and selector rules), each reported as
//! the lint `policy/NAME`.
//!
//! Policies run beside the registered lints; their findings go through the
//! same post-pass (selection, suppressions, configured severities), where a
//! policy's own `severity` is its default.

mod config;

use std::path::{Path, PathBuf};

use globset::GlobSet;
use regex::Regex;

pub use config::decode;
pub(crate) use config::is_kebab_case;

use crate::diagnostic::Severity;
use crate::model::RuleKind;

/// The family every policy id belongs to.
pub const FAMILY: &str = "policy";

/// Whether `pattern` names configured policies: `policy/*`, or `policy/NAME`
/// with a kebab-case name.
pub fn is_policy_pattern(pattern: &str) -> bool {
    pattern
        .strip_prefix(FAMILY)
        .and_then(|rest| rest.strip_prefix('/'))
        .is_some_and(|name| name == "*" || is_kebab_case(name))
}

/// One configured policy.
#[derive(Clone, Debug)]
pub struct Policy {
    pub name: String,
    /// `policy/NAME`.
    pub id: &'static str,
    pub severity: Severity,
    pub message: Option<String>,
    pub matcher: Match,
    pub require: Require,
    pub forbid: Forbid,
    pub group: GroupBounds,
    /// The directory `match.paths` start from when the policy was inherited
    /// through `extends` from a configuration in another directory.
    pub base: Option<PathBuf>,
}

/// A policy regex: as written, and compiled (anchored, Go RE2 syntax).
#[derive(Clone, Debug)]
pub struct Pattern {
    pub text: String,
    pub re: Regex,
}

impl Pattern {
    pub fn is_match(&self, value: &str) -> bool {
        self.re.is_match(value)
    }
}

/// Which rules a policy applies to: every given condition must hold.
#[derive(Clone, Debug, Default)]
pub struct Match {
    pub kind: Option<RuleKind>,
    /// The globs as written, and compiled; relative to the configuration's directory.
    pub paths: Option<(Vec<String>, GlobSet)>,
    pub name: Option<Pattern>,
    pub labels: Vec<(String, ValueMatch)>,
}

#[derive(Clone, Debug)]
pub enum ValueMatch {
    Exact(String),
    Pattern(Pattern),
}

impl ValueMatch {
    pub fn matches(&self, value: &str) -> bool {
        match self {
            ValueMatch::Exact(v) => v == value,
            ValueMatch::Pattern(re) => re.is_match(value),
        }
    }
}

/// What a required label or annotation must hold: present and not empty,
/// and, when given, one of `values` and matching `pattern`.
#[derive(Clone, Debug, Default)]
pub struct ValueRule {
    pub values: Option<Vec<String>>,
    pub pattern: Option<Pattern>,
}

/// Inclusive bounds: milliseconds for durations, a count otherwise.
#[derive(Clone, Copy, Debug, Default)]
pub struct Bounds {
    pub min: Option<i64>,
    pub max: Option<i64>,
}

impl Bounds {
    pub fn is_set(&self) -> bool {
        self.min.is_some() || self.max.is_some()
    }
}

#[derive(Clone, Debug, Default)]
pub struct Require {
    pub labels: Vec<(String, ValueRule)>,
    pub annotations: Vec<(String, ValueRule)>,
    pub name: Option<Pattern>,
    pub for_: Bounds,
    pub keep_firing_for: Bounds,
    /// Labels every aggregation must keep.
    pub aggregate: Option<AggregateRule>,
    /// Matchers every selector must carry.
    pub selectors: Option<SelectorRule>,
}

#[derive(Clone, Debug, Default)]
pub struct Forbid {
    pub labels: Vec<String>,
    pub annotations: Vec<String>,
    /// Labels no aggregation may keep.
    pub aggregate: Option<AggregateRule>,
    /// Label matchers no selector may use, metrics no selector may read.
    pub selectors: Option<SelectorRule>,
}

#[derive(Clone, Debug, Default)]
pub struct AggregateRule {
    pub keep: Vec<String>,
}

#[derive(Clone, Debug, Default)]
pub struct SelectorRule {
    pub labels: Vec<String>,
    /// Metric-name regexes (as written, compiled).
    pub metrics: Vec<(String, Regex)>,
}

#[derive(Clone, Debug, Default)]
pub struct GroupBounds {
    /// The group's name must match.
    pub name: Option<Pattern>,
    pub interval: Bounds,
    pub limit: Bounds,
    pub query_offset: Bounds,
    /// Rules per group.
    pub rules: Bounds,
}

impl GroupBounds {
    pub fn is_set(&self) -> bool {
        self.name.is_some()
            || self.interval.is_set()
            || self.limit.is_set()
            || self.query_offset.is_set()
            || self.rules.is_set()
    }
}

/// The configured policies with the directory their `paths` are relative to.
#[derive(Clone, Debug, Default)]
pub struct PolicySet {
    pub policies: Vec<Policy>,
    /// The directory each policy's `paths` start from, made absolute.
    bases: Vec<PathBuf>,
}

impl PolicySet {
    pub fn new(policies: Vec<Policy>, base_dir: &Path) -> PolicySet {
        let own = crate::globs::absolute(base_dir);
        let bases =
            policies.iter().map(|p| p.base.as_deref().map_or_else(|| own.clone(), crate::globs::absolute)).collect();
        PolicySet { policies, bases }
    }

    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    /// Whether some policy reads the parsed expression.
    pub fn needs_parse(&self) -> bool {
        self.policies.iter().any(|p| {
            p.require.aggregate.is_some()
                || p.require.selectors.is_some()
                || p.forbid.aggregate.is_some()
                || p.forbid.selectors.is_some()
        })
    }

    pub fn find(&self, id: &str) -> Option<&Policy> {
        self.policies.iter().find(|p| p.id == id)
    }

    /// The policies whose `paths` admit the file reported as `name`.
    pub fn applying_to(&self, name: &str) -> Vec<&Policy> {
        // Relative paths worked out once per distinct base directory.
        let mut relative: Vec<(&Path, PathBuf)> = Vec::new();
        let mut policies = Vec::new();
        for (policy, base) in self.policies.iter().zip(&self.bases) {
            let Some((_, set)) = &policy.matcher.paths else {
                policies.push(policy);
                continue;
            };
            let index = match relative.iter().position(|(b, _)| *b == base.as_path()) {
                Some(index) => index,
                None => {
                    relative.push((base, crate::globs::relative_to(base, Path::new(name))));
                    relative.len() - 1
                }
            };
            if set.is_match(&relative[index].1) {
                policies.push(policy);
            }
        }
        policies
    }
}

/// A human description of a policy, for `alertlint explain policy/NAME`.
pub fn describe(policy: &Policy) -> String {
    let mut out = format!("# {}\n\nA configured policy. Severity: {}.\n", policy.id, policy.severity);
    if let Some(message) = &policy.message {
        out.push_str(&format!("\n{message}\n"));
    }
    let m = &policy.matcher;
    let mut applies = Vec::new();
    if let Some(kind) = m.kind {
        applies.push(format!("kind {}", if kind == RuleKind::Alert { "alert" } else { "record" }));
    }
    if let Some((globs, _)) = &m.paths {
        applies.push(format!("files matching {}", globs.join(", ")));
    }
    if let Some(re) = &m.name {
        applies.push(format!("names matching `{}`", unanchor(re)));
    }
    for (label, value) in &m.labels {
        applies.push(match value {
            ValueMatch::Exact(v) => format!("label {label}={v}"),
            ValueMatch::Pattern(re) => format!("label {label}=~`{}`", unanchor(re)),
        });
    }
    out.push_str(&format!(
        "\nApplies to: {}.\n",
        if applies.is_empty() { "every rule".to_string() } else { applies.join("; ") }
    ));
    let mut checks = Vec::new();
    let r = &policy.require;
    for (what, list) in [("label", &r.labels), ("annotation", &r.annotations)] {
        for (key, rule) in list {
            let mut line = format!("requires {what} `{key}`");
            if let Some(values) = &rule.values {
                line.push_str(&format!(" with one of: {}", values.join(", ")));
            }
            if let Some(re) = &rule.pattern {
                line.push_str(&format!(" matching `{}`", unanchor(re)));
            }
            checks.push(line);
        }
    }
    if let Some(re) = &r.name {
        checks.push(format!("requires the name to match `{}`", unanchor(re)));
    }
    for (what, b) in [("for", r.for_), ("keep_firing_for", r.keep_firing_for)] {
        if b.is_set() {
            checks.push(format!("bounds `{what}`: {}", describe_duration_bounds(b)));
        }
    }
    if let Some(a) = &r.aggregate {
        checks.push(format!("aggregations must keep {}", a.keep.join(", ")));
    }
    if let Some(s) = &r.selectors {
        if !s.labels.is_empty() {
            checks.push(format!("selectors must match on {}", s.labels.join(", ")));
        }
        if !s.metrics.is_empty() {
            let metrics: Vec<&str> = s.metrics.iter().map(|(t, _)| t.as_str()).collect();
            checks.push(format!("selectors must name a metric matching {}", metrics.join(", ")));
        }
    }
    let f = &policy.forbid;
    if !f.labels.is_empty() {
        checks.push(format!("forbids labels {}", f.labels.join(", ")));
    }
    if !f.annotations.is_empty() {
        checks.push(format!("forbids annotations {}", f.annotations.join(", ")));
    }
    if let Some(a) = &f.aggregate {
        checks.push(format!("aggregations must remove {}", a.keep.join(", ")));
    }
    if let Some(s) = &f.selectors {
        if !s.labels.is_empty() {
            checks.push(format!("selectors must not match on {}", s.labels.join(", ")));
        }
        if !s.metrics.is_empty() {
            let metrics: Vec<&str> = s.metrics.iter().map(|(t, _)| t.as_str()).collect();
            checks.push(format!("selectors must not read metrics matching {}", metrics.join(", ")));
        }
    }
    let g = &policy.group;
    if let Some(re) = &g.name {
        checks.push(format!("requires the group name to match `{}`", unanchor(re)));
    }
    for (what, b, duration) in [
        ("interval", g.interval, true),
        ("query_offset", g.query_offset, true),
        ("limit", g.limit, false),
        ("rules", g.rules, false),
    ] {
        if b.is_set() {
            let text = if duration { describe_duration_bounds(b) } else { describe_count_bounds(b) };
            checks.push(format!("bounds the group's `{what}`: {text}"));
        }
    }
    out.push_str("\nChecks:\n");
    for check in checks {
        out.push_str(&format!("- {check}\n"));
    }
    out
}

pub(crate) fn unanchor(pattern: &Pattern) -> &str {
    &pattern.text
}

fn describe_duration_bounds(b: Bounds) -> String {
    let min = b.min.map(|m| format!("at least {}", crate::duration::format(m)));
    let max = b.max.map(|m| format!("at most {}", crate::duration::format(m)));
    min.into_iter().chain(max).collect::<Vec<_>>().join(", ")
}

fn describe_count_bounds(b: Bounds) -> String {
    let min = b.min.map(|m| format!("at least {m}"));
    let max = b.max.map(|m| format!("at most {m}"));
    min.into_iter().chain(max).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests;

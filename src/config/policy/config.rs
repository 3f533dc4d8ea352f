//! Decoding `policies:` from `.alertlint.yaml`, strictly: unknown keys are
//! errors with a "did you mean", regexes and globs are compiled once.

use globset::GlobSetBuilder;

use super::{
    AggregateRule, Bounds, Forbid, GroupBounds, Match, Pattern, Policy, Require, SelectorRule, ValueMatch, ValueRule,
};
use crate::config::{ConfigError, Cursor};
use crate::diagnostic::Severity;
use crate::model::RuleKind;

const POLICY_KEYS: &[&str] = &["name", "severity", "message", "match", "require", "forbid", "group"];
const MATCH_KEYS: &[&str] = &["kind", "paths", "name", "labels"];
const REQUIRE_KEYS: &[&str] = &["labels", "annotations", "name", "for", "keep_firing_for", "aggregate", "selectors"];
const FORBID_KEYS: &[&str] = &["labels", "annotations", "aggregate", "selectors"];
const GROUP_KEYS: &[&str] = &["name", "interval", "limit", "query_offset", "rules"];

/// Reads the `policies:` list.
pub fn decode(node: Cursor<'_>) -> Result<Vec<Policy>, ConfigError> {
    let items = list(node, "a list of policies")?;
    let mut policies: Vec<Policy> = Vec::new();
    for item in items {
        let policy = decode_policy(item)?;
        if policies.iter().any(|p| p.name == policy.name) {
            let name_node = item.mapping_any()?.into_iter().find(|(k, _)| *k == "name").map_or(item, |(_, v)| v);
            return Err(name_node.error(format!("policy `{}` is defined twice", policy.name)));
        }
        policies.push(policy);
    }
    Ok(policies)
}

fn list<'a>(node: Cursor<'a>, what: &str) -> Result<Vec<Cursor<'a>>, ConfigError> {
    if node.is_null() {
        return Ok(Vec::new());
    }
    match &node.node.kind {
        crate::yaml::NodeKind::Sequence(items) => {
            Ok(items.iter().map(|n| Cursor { file: node.file, node: n }).collect())
        }
        _ => Err(node.error(format!("expected {what}"))),
    }
}

fn decode_policy(item: Cursor<'_>) -> Result<Policy, ConfigError> {
    let entries = item.mapping(POLICY_KEYS)?;
    let Some((_, name_node)) = entries.iter().find(|(k, _)| *k == "name") else {
        return Err(item.error("a policy needs a `name`"));
    };
    let name = name_node.string()?.to_string();
    if !is_kebab_case(&name) {
        return Err(name_node
            .error(format!("policy name `{name}` is not kebab-case (lowercase letters and digits separated by `-`)")));
    }
    let mut policy = Policy {
        id: crate::names::intern_id(format!("policy/{name}")),
        name,
        severity: Severity::Warning,
        message: None,
        matcher: Match::default(),
        require: Require::default(),
        forbid: Forbid::default(),
        group: GroupBounds::default(),
        base: None,
    };
    let mut checks = false;
    for (key, value) in entries {
        match key {
            "name" => {}
            "severity" => {
                let text = value.string()?;
                policy.severity = Severity::parse(text).ok_or_else(|| {
                    let hint = crate::names::closest(text, ["error", "warning", "info"])
                        .map(|c| format!("; did you mean `{c}`?"))
                        .unwrap_or_else(|| "; expected error, warning or info".into());
                    value.error(format!("unknown severity `{text}`{hint}"))
                })?;
            }
            "message" => policy.message = Some(value.string()?.to_string()),
            "match" => policy.matcher = decode_match(value)?,
            "require" => {
                policy.require = decode_require(value)?;
                checks = true;
            }
            "forbid" => {
                policy.forbid = decode_forbid(value)?;
                checks = true;
            }
            _ => {
                policy.group = decode_group(value)?;
                checks = true;
            }
        }
    }
    if !checks {
        return Err(
            item.error(format!("policy `{}` checks nothing: give it `require`, `forbid` or `group`", policy.name))
        );
    }
    Ok(policy)
}

pub(crate) fn is_kebab_case(name: &str) -> bool {
    !name.is_empty()
        && name
            .split('-')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
}

/// A policy regex: Go RE2 syntax, anchored at both ends as Prometheus anchors matchers.
fn regex(node: Cursor<'_>) -> Result<Pattern, ConfigError> {
    let text = node.string()?;
    let re = crate::alertmanager::compile_anchored(text)
        .map_err(|e| node.error(format!("invalid regex `{text}`: {}", e.message)))?;
    Ok(Pattern { text: text.to_string(), re })
}

fn decode_match(node: Cursor<'_>) -> Result<Match, ConfigError> {
    let mut m = Match::default();
    for (key, value) in node.mapping(MATCH_KEYS)? {
        match key {
            "kind" => {
                let text = value.string()?;
                m.kind = Some(match text {
                    "alert" => RuleKind::Alert,
                    "record" => RuleKind::Record,
                    _ => {
                        let hint = crate::names::closest(text, ["alert", "record"])
                            .map(|c| format!("; did you mean `{c}`?"))
                            .unwrap_or_else(|| "; expected alert or record".into());
                        return Err(value.error(format!("unknown rule kind `{text}`{hint}")));
                    }
                });
            }
            "paths" => {
                let mut builder = GlobSetBuilder::new();
                let mut globs = Vec::new();
                for item in list(value, "a list of globs")? {
                    let glob = item.string()?;
                    builder.add(
                        crate::globs::glob(glob, crate::globs::Separator::Crossed)
                            .map_err(|e| item.error(format!("invalid glob `{glob}`: {e}")))?,
                    );
                    globs.push(glob.to_string());
                }
                let set = builder.build().map_err(|e| value.error(format!("invalid globs: {e}")))?;
                m.paths = Some((globs, set));
            }
            "name" => m.name = Some(regex(value)?),
            _ => {
                for (label, condition) in value.mapping_any()? {
                    let matcher = match &condition.node.kind {
                        crate::yaml::NodeKind::Mapping(_) => {
                            let mut pattern = None;
                            for (_, p) in condition.mapping(&["pattern"])? {
                                pattern = Some(regex(p)?);
                            }
                            match pattern {
                                Some(re) => ValueMatch::Pattern(re),
                                None => return Err(condition.error("expected `{ pattern: REGEX }`")),
                            }
                        }
                        _ => ValueMatch::Exact(condition.string()?.to_string()),
                    };
                    m.labels.push((label.to_string(), matcher));
                }
            }
        }
    }
    Ok(m)
}

fn decode_values(node: Cursor<'_>) -> Result<Vec<(String, ValueRule)>, ConfigError> {
    let mut out = Vec::new();
    for (key, value) in node.mapping_any()? {
        let mut rule = ValueRule::default();
        for (k, v) in value.mapping(&["values", "pattern"])? {
            match k {
                "values" => rule.values = Some(v.string_list()?),
                _ => rule.pattern = Some(regex(v)?),
            }
        }
        out.push((key.to_string(), rule));
    }
    Ok(out)
}

fn decode_bounds(node: Cursor<'_>) -> Result<Bounds, ConfigError> {
    let mut bounds = Bounds::default();
    for (key, value) in node.mapping(&["min", "max"])? {
        let millis = value.duration()?;
        match key {
            "min" => bounds.min = Some(millis),
            _ => bounds.max = Some(millis),
        }
    }
    check_order(node, &bounds)?;
    Ok(bounds)
}

fn decode_count_bounds(node: Cursor<'_>) -> Result<Bounds, ConfigError> {
    let mut bounds = Bounds::default();
    for (key, value) in node.mapping(&["min", "max"])? {
        let text = value.string()?;
        let count: i64 = text
            .parse()
            .ok()
            .filter(|n: &i64| *n >= 0)
            .ok_or_else(|| value.error(format!("expected a whole number, not `{text}`")))?;
        match key {
            "min" => bounds.min = Some(count),
            _ => bounds.max = Some(count),
        }
    }
    check_order(node, &bounds)?;
    Ok(bounds)
}

fn check_order(node: Cursor<'_>, bounds: &Bounds) -> Result<(), ConfigError> {
    match (bounds.min, bounds.max) {
        (Some(min), Some(max)) if min > max => Err(node.error("`min` is greater than `max`")),
        _ => Ok(()),
    }
}

fn decode_require(node: Cursor<'_>) -> Result<Require, ConfigError> {
    let mut r = Require::default();
    for (key, value) in node.mapping(REQUIRE_KEYS)? {
        match key {
            "labels" => r.labels = decode_values(value)?,
            "annotations" => r.annotations = decode_values(value)?,
            "name" => r.name = Some(regex(value)?),
            "for" => r.for_ = decode_bounds(value)?,
            "keep_firing_for" => r.keep_firing_for = decode_bounds(value)?,
            "aggregate" => r.aggregate = Some(decode_aggregate(value)?),
            _ => r.selectors = Some(decode_selectors(value)?),
        }
    }
    Ok(r)
}

fn decode_forbid(node: Cursor<'_>) -> Result<Forbid, ConfigError> {
    let mut f = Forbid::default();
    for (key, value) in node.mapping(FORBID_KEYS)? {
        match key {
            "labels" => f.labels = value.string_list()?,
            "annotations" => f.annotations = value.string_list()?,
            "aggregate" => f.aggregate = Some(decode_aggregate(value)?),
            _ => f.selectors = Some(decode_selectors(value)?),
        }
    }
    Ok(f)
}

fn decode_aggregate(node: Cursor<'_>) -> Result<AggregateRule, ConfigError> {
    let mut a = AggregateRule::default();
    for (_, value) in node.mapping(&["keep"])? {
        a.keep = value.string_list()?;
    }
    if a.keep.is_empty() {
        return Err(node.error("expected `{ keep: [LABEL, ...] }` with at least one label"));
    }
    Ok(a)
}

fn decode_selectors(node: Cursor<'_>) -> Result<SelectorRule, ConfigError> {
    let mut s = SelectorRule::default();
    for (key, value) in node.mapping(&["labels", "metrics"])? {
        match key {
            "labels" => s.labels = value.string_list()?,
            _ => {
                for item in list(value, "a list of regexes")? {
                    s.metrics.push((item.string()?.to_string(), regex(item)?.re));
                }
            }
        }
    }
    if s.labels.is_empty() && s.metrics.is_empty() {
        return Err(node.error("expected `labels: [LABEL, ...]` or `metrics: [REGEX, ...]`"));
    }
    Ok(s)
}

fn decode_group(node: Cursor<'_>) -> Result<GroupBounds, ConfigError> {
    let mut g = GroupBounds::default();
    for (key, value) in node.mapping(GROUP_KEYS)? {
        match key {
            "name" => g.name = Some(regex(value)?),
            "interval" => g.interval = decode_bounds(value)?,
            "query_offset" => g.query_offset = decode_bounds(value)?,
            "limit" => g.limit = decode_count_bounds(value)?,
            _ => g.rules = decode_count_bounds(value)?,
        }
    }
    Ok(g)
}

//! The id of every registered lint, for modules that `lints` depends on
//! (they cannot name a lint's `LintMeta`).
//!
//! Generated from the registry by `ALERTLINT_UPDATE_DOCS=1 cargo test docs_are_fresh`; do not edit.

pub const YAML_SYNTAX: &str = "yaml/syntax";
pub const RULE_SCHEMA: &str = "rule/schema";
pub const RULE_IGNORED_DOCUMENT: &str = "rule/ignored-document";
pub const RULE_NOT_RULES: &str = "rule/not-rules";
pub const RULE_OTHER_LANGUAGE: &str = "rule/other-language";
pub const RULE_DUPLICATE: &str = "rule/duplicate";
pub const RULE_DEPENDENCY: &str = "rule/dependency";
pub const GROUP_DUPLICATE_NAME: &str = "group/duplicate-name";
pub const PROMQL_SYNTAX: &str = "promql/syntax";
pub const PROMQL_IMPOSSIBLE: &str = "promql/impossible";
pub const PROMQL_DROPPED_LABEL: &str = "promql/dropped-label";
pub const PROMQL_DERIV_OF_COUNTER: &str = "promql/deriv-of-counter";
pub const PROMQL_QUANTILE_WITHOUT_LE: &str = "promql/quantile-without-le";
pub const PROMQL_RATE_OF_AGGREGATION: &str = "promql/rate-of-aggregation";
pub const PROMQL_REDUNDANT_REGEX: &str = "promql/redundant-regex";
pub const PROMQL_TEMPLATE_QUERY: &str = "promql/template-query";
pub const TEMPLATE_SYNTAX: &str = "template/syntax";
pub const TEMPLATE_UNDEFINED_LABEL: &str = "template/undefined-label";
pub const TEMPLATE_VALUE_IN_LABEL: &str = "template/value-in-label";
pub const RUNBOOK_MISSING: &str = "runbook/missing";
pub const RUNBOOK_INVALID_URL: &str = "runbook/invalid-url";
pub const OWNER_MISSING: &str = "owner/missing";
pub const OWNER_UNKNOWN: &str = "owner/unknown";
pub const OWNER_UNROUTED: &str = "owner/unrouted";
pub const SEVERITY_MISSING: &str = "severity/missing";
pub const SEVERITY_UNKNOWN: &str = "severity/unknown";
pub const SEVERITY_UNROUTED: &str = "severity/unrouted";
pub const NOISE_FOR_TOO_SHORT: &str = "noise/for-too-short";
pub const NOISE_RAW_COUNTER: &str = "noise/raw-counter";
pub const NOISE_RATE_WINDOW_TOO_SHORT: &str = "noise/rate-window-too-short";
pub const NOISE_IRATE: &str = "noise/irate";
pub const NOISE_RATE_OF_GAUGE: &str = "noise/rate-of-gauge";
pub const NOISE_FLAPPING: &str = "noise/flapping";
pub const ALERTS_ALWAYS_FIRES: &str = "alerts/always-fires";
pub const ALERTS_ABSENT_FOR: &str = "alerts/absent-for";
pub const ALERTS_TOPK: &str = "alerts/topk";
pub const ALERTS_KEY_TYPO: &str = "alerts/key-typo";
pub const RECORD_NAMING: &str = "record/naming";
pub const METRIC_UNKNOWN: &str = "metric/unknown";
pub const METRIC_MISSING_SERIES: &str = "metric/missing-series";
pub const LABELS_EXTERNAL_CONFLICT: &str = "labels/external-conflict";
pub const LABELS_EXTERNAL_AS_LABEL: &str = "labels/external-as-label";
pub const LABELS_UNKNOWN_EXTERNAL: &str = "labels/unknown-external";
pub const PROMETHEUS_UNREACHABLE: &str = "prometheus/unreachable";
pub const PROMETHEUS_BEYOND_RETENTION: &str = "prometheus/beyond-retention";
pub const ALERTMANAGER_CONFIG: &str = "alertmanager/config";
pub const ROUTING_DEFAULT_ONLY: &str = "routing/default-only";
pub const ROUTING_BLACKHOLE: &str = "routing/blackhole";
pub const SUPPRESSION_UNUSED: &str = "suppression/unused";
pub const SUPPRESSION_UNKNOWN_LINT: &str = "suppression/unknown-lint";
pub const SUPPRESSION_EXPIRED: &str = "suppression/expired";
pub const SUPPRESSION_MALFORMED: &str = "suppression/malformed";

/// Every registered id, in registry order.
pub const ALL: &[&str] = &[
    "yaml/syntax",
    "rule/schema",
    "rule/ignored-document",
    "rule/not-rules",
    "rule/other-language",
    "rule/duplicate",
    "rule/dependency",
    "group/duplicate-name",
    "promql/syntax",
    "promql/impossible",
    "promql/dropped-label",
    "promql/deriv-of-counter",
    "promql/quantile-without-le",
    "promql/rate-of-aggregation",
    "promql/redundant-regex",
    "promql/template-query",
    "template/syntax",
    "template/undefined-label",
    "template/value-in-label",
    "runbook/missing",
    "runbook/invalid-url",
    "owner/missing",
    "owner/unknown",
    "owner/unrouted",
    "severity/missing",
    "severity/unknown",
    "severity/unrouted",
    "noise/for-too-short",
    "noise/raw-counter",
    "noise/rate-window-too-short",
    "noise/irate",
    "noise/rate-of-gauge",
    "noise/flapping",
    "alerts/always-fires",
    "alerts/absent-for",
    "alerts/topk",
    "alerts/key-typo",
    "record/naming",
    "metric/unknown",
    "metric/missing-series",
    "labels/external-conflict",
    "labels/external-as-label",
    "labels/unknown-external",
    "prometheus/unreachable",
    "prometheus/beyond-retention",
    "alertmanager/config",
    "routing/default-only",
    "routing/blackhole",
    "suppression/unused",
    "suppression/unknown-lint",
    "suppression/expired",
    "suppression/malformed",
];

//! The functions a Prometheus alert template may call: Go's `text/template`
//! builtins plus the function map of Prometheus' `template.NewTemplateExpander`.
//! Calling anything else is a parse error in Go (`function "x" not defined`).

/// Builtins of Go's `text/template` (`funcs.go`).
pub const GO_BUILTINS: &[&str] = &[
    "and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf", "println", "urlquery", "eq",
    "ge", "gt", "le", "lt", "ne",
];

/// Functions of Prometheus' template expander that exist in every version from
/// 2.42 (the `promtool` used as the test oracle) onwards.
pub const PROMETHEUS_FUNCTIONS: &[&str] = &[
    "query",
    "first",
    "label",
    "value",
    "strvalue",
    "args",
    "reReplaceAll",
    "safeHtml",
    "match",
    "title",
    "toUpper",
    "toLower",
    "graphLink",
    "tableLink",
    "sortByLabel",
    "stripPort",
    "stripDomain",
    "humanize",
    "humanize1024",
    "humanizeDuration",
    "humanizePercentage",
    "humanizeTimestamp",
    "toTime",
    "pathPrefix",
    "externalURL",
    "parseDuration",
];

/// Functions added to Prometheus after 2.42: accepted (alertlint follows the
/// current Prometheus), but an older server would reject a template using them.
pub const PROMETHEUS_FUNCTIONS_AFTER_2_42: &[&str] = &["toDuration", "now", "urlQueryEscape"];

/// Whether `name` is a function a Prometheus alert template may call.
pub fn is_defined(name: &str) -> bool {
    GO_BUILTINS.contains(&name)
        || PROMETHEUS_FUNCTIONS.contains(&name)
        || PROMETHEUS_FUNCTIONS_AFTER_2_42.contains(&name)
}

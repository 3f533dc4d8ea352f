//! Alertmanager configuration: route tree, receivers, matchers and the router.
//!
//! [`load`] reads an `alertmanager.yml` (or a Kubernetes `Secret`/`ConfigMap` holding
//! one) and validates it as Alertmanager does; [`AmConfig::route`] follows a
//! label set through the routing tree exactly as `amtool config routes test`
//! does; [`AmConfig::route_with_unknowns`] tells which outcomes are possible
//! when some label values are only known when the alert fires.
//!
//! Matchers are parsed in Alertmanager's default "fallback" mode: the UTF-8
//! syntax first, the classic syntax when that fails or reads the text
//! differently (see [`compat`]).

mod alert;
pub mod compat;
mod config;
pub mod go_regex;
mod matcher;
pub mod parse_classic;
pub mod parse_utf8;
mod route;

pub use alert::{
    ALERTNAME, AlertLabels, RoutedAlert, alert_labels, code_list, is_blackhole, is_default_only, route_alert,
    unrouted_severity, unrouted_value,
};
pub use config::{
    AmConfig, InhibitRule, Receiver, is_classic_label_name, load, load_text, parse_duration, secret_config_text,
};
pub use matcher::{MatchOp, Matcher, RegexError, compile_anchored, matchers_to_string, sort_matchers};
pub use parse_utf8::MatcherError;
pub use route::{
    DEFAULT_GROUP_INTERVAL, DEFAULT_GROUP_WAIT, DEFAULT_REPEAT_INTERVAL, LabelSet, MAX_COMBINATIONS, OTHER_VALUE,
    Outcomes, Route, RouteMatch, RouteOpts, matchers_by_name, path_string, representative_values, route,
    route_with_unknowns,
};

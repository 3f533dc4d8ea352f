//! With an Alertmanager configuration: where each alert's labels lead in the
//! routing tree.

pub mod blackhole;
pub mod default_only;

use crate::alertmanager::AmConfig;
use crate::lints::{FileContext, RuleContext};
use crate::routes::RoutedAlert;

pub fn registrations() -> Vec<super::Registration> {
    vec![default_only::registration(), blackhole::registration()]
}

/// The rule's alert routed through the configured tree; `None` without an
/// Alertmanager configuration, for recording rules, and when the expression
/// does not parse (already a `promql/syntax` finding; its labels would all be
/// guesses).
/// Routed once per rule by the engine and shared by every routing lint.
pub(crate) fn routed<'a, 'r>(
    cx: &FileContext<'a>,
    rcx: &'r RuleContext<'_>,
) -> Option<(&'a AmConfig, &'r RoutedAlert)> {
    let am = cx.alertmanager?;
    Some((am, rcx.parsed.routed.as_ref()?))
}

/// `route /0` or `routes /0, /1` with their receivers, for messages.
pub(crate) fn describe(matches: &[crate::alertmanager::RouteMatch]) -> String {
    let parts: Vec<String> = matches.iter().map(|m| format!("`{}` (route {})", m.receiver, m.path_string())).collect();
    parts.join(", ")
}

/// The narrowest token that sent the alert where it went: the value of the
/// rule (or group) label read by the deepest matched route's matchers, else
/// the `alert:` name.
pub(crate) fn deciding_span(
    am: &AmConfig,
    rcx: &RuleContext<'_>,
    matches: &[crate::alertmanager::RouteMatch],
) -> crate::span::Span {
    for m in matches {
        for depth in (1..=m.path.len()).rev() {
            let Some(node) = am.route.at(&m.path[..depth]) else {
                continue;
            };
            if let Some(kv) = node.matchers.iter().rev().find_map(|matcher| rcx.label(&matcher.name)) {
                return kv.value.span;
            }
        }
    }
    rcx.rule.name.span
}

use crate::lints::{Example, FileContext, Registration, RuleContext, closest};
use crate::model::RuleKind;

crate::declare_lint! {
    /// ## What it does
    /// Reports an alert whose owner label names a team that is not in the configured list of
    /// teams, and suggests the closest known team. Silent when no teams are configured.
    ///
    /// ## Why it matters
    /// Alertmanager routes on the exact value: `team: platfrom` matches no route and the alert
    /// falls through to a catch-all receiver, or nowhere.
    ///
    /// ## Example
    /// ```yaml
    /// labels:
    ///   team: platfrom
    /// ```
    ///
    /// ## How to fix
    /// Use one of the configured teams (`platform`), or add the team to `owner.teams`.
    ///
    /// ## Options
    /// Top-level `owner.teams` (the known teams) and `owner.labels` (the owner label names).
    pub static UNKNOWN = {
        id: "owner/unknown",
        severity: Warning,
        summary: "the owner is not in the configured list of teams",
        pass: [Example::with_config("groups:\n  - name: node\n    rules:\n      - alert: DiskFull\n        expr: node_filesystem_avail_bytes < 1e9\n        for: 15m\n        labels:\n          team: platform\n", "owner: { teams: [platform, db] }\n")],
        fail: [Example::with_config("groups:\n  - name: node\n    rules:\n      - alert: DiskFull\n        expr: node_filesystem_avail_bytes < 1e9\n        for: 15m\n        labels:\n          team: platfrom\n", "owner: { teams: [platform, db] }\n")],
    };
}

pub fn registration() -> Registration {
    crate::stateless_lint!(UNKNOWN, check)
}

fn check(cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
    let teams = &cx.config.owner.teams;
    if rcx.rule.kind != RuleKind::Alert || teams.is_empty() {
        return;
    }
    let Some(kv) = cx.conventions.owner_of(rcx.group, &rcx.rule.labels) else { return };
    let name = &kv.key.value;
    let value = &kv.value.value;
    if value.contains("{{") || teams.iter().any(|t| t == value) {
        return;
    }
    let help = match closest(value, teams.iter().map(String::as_str)) {
        Some(team) => format!("did you mean `{team}`?"),
        None => format!("known teams: {}", teams.join(", ")),
    };
    cx.report(kv.value.span, format!("`{name}: {value}` of alert `{}` is not a known team", rcx.rule.name.value))
        .help(help);
}

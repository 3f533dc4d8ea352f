//! Every alert needs a runbook a non-expert can follow.

pub mod invalid_url;
pub mod missing;

pub fn registrations() -> Vec<super::Registration> {
    vec![missing::registration(), invalid_url::registration()]
}

/// The configured runbook annotation names, quoted for messages: `` `runbook_url` ``.
fn annotation_names(names: &[String]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" or ")
}

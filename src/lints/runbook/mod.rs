//! Every alert needs a runbook a non-expert can follow.

pub mod invalid_url;
pub mod missing;

pub fn registrations() -> Vec<super::Registration> {
    vec![missing::registration(), invalid_url::registration()]
}

//! Every alert needs a severity that says how urgently a human must act.

pub mod missing;
pub mod unknown;
pub mod unrouted;

pub fn registrations() -> Vec<super::Registration> {
    vec![missing::registration(), unknown::registration(), unrouted::registration()]
}

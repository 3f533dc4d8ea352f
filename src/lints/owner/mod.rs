//! Every alert needs an owning team.

pub mod missing;
pub mod unknown;
pub mod unrouted;

pub fn registrations() -> Vec<super::Registration> {
    vec![missing::registration(), unknown::registration(), unrouted::registration()]
}

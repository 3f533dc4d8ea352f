//! Lints about recording rules.

pub mod naming;

pub fn registrations() -> Vec<super::Registration> {
    vec![naming::registration()]
}

//! Findings about the Prometheus server the online lints query.

pub mod beyond_retention;
pub mod unreachable;

pub fn registrations() -> Vec<super::Registration> {
    vec![crate::builtin_lint!(unreachable::UNREACHABLE), beyond_retention::registration()]
}

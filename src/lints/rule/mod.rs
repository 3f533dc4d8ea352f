//! Lints about the structure of rules.

pub mod duplicate;
pub mod schema;

pub fn registrations() -> Vec<super::Registration> {
    vec![crate::builtin_lint!(schema::SCHEMA), duplicate::registration()]
}

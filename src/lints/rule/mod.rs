//! Lints about the structure of rules.

pub mod dependency;
pub mod duplicate;
pub mod ignored_document;
pub mod schema;

pub fn registrations() -> Vec<super::Registration> {
    vec![
        crate::builtin_lint!(schema::SCHEMA),
        crate::builtin_lint!(ignored_document::IGNORED_DOCUMENT),
        duplicate::registration(),
        dependency::registration(),
    ]
}

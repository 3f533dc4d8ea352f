//! Lints about the structure of rules.

pub mod dependency;
pub mod duplicate;
pub mod ignored_document;
pub mod not_rules;
pub mod other_language;
pub mod schema;

pub fn registrations() -> Vec<super::Registration> {
    vec![
        crate::builtin_lint!(schema::SCHEMA),
        crate::builtin_lint!(ignored_document::IGNORED_DOCUMENT),
        crate::builtin_lint!(not_rules::NOT_RULES),
        crate::builtin_lint!(other_language::OTHER_LANGUAGE),
        duplicate::registration(),
        dependency::registration(),
    ]
}

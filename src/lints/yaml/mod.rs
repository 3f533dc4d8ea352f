//! Lints about the file as YAML.

pub mod syntax;

pub fn registrations() -> Vec<super::Registration> {
    vec![crate::builtin_lint!(syntax::SYNTAX)]
}

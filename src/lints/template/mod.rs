//! Lints about Go templates in labels and annotations.

pub mod syntax;

pub fn registrations() -> Vec<super::Registration> {
    vec![crate::builtin_lint!(syntax::SYNTAX)]
}

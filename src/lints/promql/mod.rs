//! Lints about PromQL expressions as such.

pub mod syntax;

pub fn registrations() -> Vec<super::Registration> {
    vec![crate::builtin_lint!(syntax::SYNTAX)]
}

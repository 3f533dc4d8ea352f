//! Lints about PromQL expressions as such.

pub mod syntax;

pub fn registrations() -> Vec<super::Registration> {
    vec![crate::stateless_lint!(syntax::SYNTAX, syntax::check)]
}

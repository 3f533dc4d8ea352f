//! Lints about Go templates in labels and annotations.

pub mod syntax;
pub mod value_in_label;

pub fn registrations() -> Vec<super::Registration> {
    vec![crate::builtin_lint!(syntax::SYNTAX), value_in_label::registration()]
}

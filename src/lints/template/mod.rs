//! Lints about Go templates in labels and annotations.

pub mod syntax;
pub mod undefined_label;
pub mod value_in_label;

pub fn registrations() -> Vec<super::Registration> {
    vec![crate::builtin_lint!(syntax::SYNTAX), undefined_label::registration(), value_in_label::registration()]
}

//! Lints about Go templates in labels and annotations.

pub mod syntax;
pub mod undefined_label;
pub mod value_in_label;

pub fn registrations() -> Vec<super::Registration> {
    vec![
        crate::stateless_lint!(syntax::SYNTAX, syntax::check),
        undefined_label::registration(),
        value_in_label::registration(),
    ]
}

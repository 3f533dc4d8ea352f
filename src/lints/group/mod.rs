//! Lints about rule groups.

pub mod duplicate_name;

pub fn registrations() -> Vec<super::Registration> {
    vec![crate::builtin_lint!(duplicate_name::DUPLICATE_NAME)]
}

//! Lints about the Alertmanager configuration itself.

pub mod config;

pub fn registrations() -> Vec<super::Registration> {
    vec![crate::builtin_lint!(config::CONFIG)]
}

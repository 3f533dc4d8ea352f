//! Lints about `# alertlint disable` comments themselves.

pub mod expired;
pub mod malformed;
pub mod unknown_lint;
pub mod unused;

pub fn registrations() -> Vec<super::Registration> {
    vec![
        crate::builtin_lint!(unused::UNUSED),
        crate::builtin_lint!(unknown_lint::UNKNOWN_LINT),
        crate::builtin_lint!(expired::EXPIRED),
        crate::builtin_lint!(malformed::MALFORMED),
    ]
}

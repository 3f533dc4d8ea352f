//! Validation of `=~`/`!~` matcher values, as Prometheus does it with Go's
//! RE2 parser (see [`crate::re2`]).

/// Checks that a matcher regex is valid for Prometheus; the error text is Go's
/// ("error parsing regexp: ...").
pub(crate) fn check_regex(pattern: &str) -> Result<(), String> {
    crate::re2::check_prometheus(pattern).map_err(|e| e.to_string())
}

/// Whether the anchored regex matches the empty string (false if it is invalid).
pub(crate) fn regex_matches_empty(pattern: &str) -> bool {
    crate::re2::matches_empty(pattern).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_match_of_plain_and_complex_patterns() {
        assert!(regex_matches_empty(".*"));
        assert!(!regex_matches_empty(".+"));
        assert!(regex_matches_empty("a|"));
        assert!(!regex_matches_empty("5.."));
        assert!(regex_matches_empty("(foo)?"));
        assert!(!regex_matches_empty("[a-z]+"));
        assert!(regex_matches_empty(r"\pL{0,1000}"));
        assert!(!regex_matches_empty(r"\pL{1000}"));
    }

    #[test]
    fn invalid_regex_is_reported() {
        assert_eq!(check_regex("(foo").unwrap_err(), "error parsing regexp: missing closing ): `^(?:(foo)$`");
        assert!(check_regex("api|web.*").is_ok());
        assert!(check_regex("/v2/{name}/manifests/{reference}").is_ok());
        assert!(check_regex("a**").is_err());
    }
}

//! Alertmanager matcher regexes: Go (RE2) syntax, written for the `regex`
//! crate by the shared reader in [`crate::re2`] (Perl classes `\d \w \s \b`
//! stay ASCII, a `{` that starts no repetition is a literal, `\Q...\E` is
//! quoted text, Go's limits on repetition and nesting apply).

/// The equivalent pattern for the `regex` crate (to be wrapped as
/// `^(?:...)$`), or Go's reason for refusing `^(?:pattern)$`.
pub fn translate(pattern: &str) -> Result<String, String> {
    crate::re2::translate(pattern).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn re(p: &str) -> regex::Regex {
        regex::Regex::new(&format!("^(?:{})$", translate(p).unwrap())).unwrap()
    }

    #[test]
    fn perl_classes_are_ascii() {
        assert!(!re(r"\w+").is_match("café"));
        assert!(re(r"\w+").is_match("cafe_1"));
        assert!(!re(r"\d").is_match("٣"));
        assert!(re(r"[\d\s]+").is_match("1 2"));
        assert!(re(r"\D").is_match("٣"));
        assert!(re(r"\\d").is_match(r"\d"));
    }

    #[test]
    fn braces_that_are_not_repetitions_are_literal() {
        assert!(re("foo{bar}").is_match("foo{bar}"));
        assert!(re("a{").is_match("a{"));
        assert!(re("a{,3}").is_match("a{,3}"));
        assert!(re("a{2}").is_match("aa"));
        assert!(re("a{1,2}").is_match("aa"));
        assert!(translate("a{1001}").is_err());
    }

    #[test]
    fn quoted_literals_and_classes() {
        assert!(re(r"\Qa.b\E+").is_match("a.bbb"));
        assert!(!re(r"\Qa.b\E").is_match("axb"));
        assert!(re("[]a]+").is_match("]a"));
        assert!(re("[[:alpha:]]+").is_match("abc"));
        assert!(re("[a[]+").is_match("[a"));
        assert!(re("[a&&b]+").is_match("a&&b"));
    }
}

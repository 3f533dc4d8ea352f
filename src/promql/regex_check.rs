//! Validation of `=~`/`!~` matcher values. Upstream compiles them with Go's
//! RE2 (`^(?s:` + value + `)$`); the `regex` crate accepts the same syntax
//! closely enough. Plain patterns (the common case) are decided without compiling.

/// Upstream's anchored form of a matcher regex.
fn anchored(pattern: &str) -> String {
    format!("^(?s:{pattern})$")
}

fn is_plain_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '_' | '-'
                | ':'
                | '/'
                | ' '
                | ','
                | '='
                | '@'
                | '%'
                | '#'
                | '!'
                | '~'
                | '<'
                | '>'
                | '\''
                | '"'
                | ';'
                | '&'
        )
}

/// For patterns made only of literal characters, `.`, `|` and a single
/// `*`/`+`/`?` after a character: whether the pattern matches the empty
/// string. `None` for anything else (which needs the real regex engine).
fn plain_pattern_matches_empty(pattern: &str) -> Option<bool> {
    let mut any_alternative_empty = false;
    for alternative in pattern.split('|') {
        let mut alternative_empty = true;
        let mut chars = alternative.chars().peekable();
        while let Some(c) = chars.next() {
            if !(is_plain_char(c) || c == '.') {
                return None;
            }
            match chars.peek() {
                Some('*' | '?') => {
                    chars.next();
                }
                Some('+') => {
                    chars.next();
                    alternative_empty = false;
                }
                _ => alternative_empty = false,
            }
            if matches!(chars.peek(), Some('*' | '+' | '?')) {
                return None;
            }
        }
        any_alternative_empty |= alternative_empty;
    }
    Some(any_alternative_empty)
}

/// Checks that a matcher regex compiles; the error text follows Go's
/// "error parsing regexp: ..." prefix with the `regex` crate's description.
pub(crate) fn check_regex(pattern: &str) -> Result<(), String> {
    if plain_pattern_matches_empty(pattern).is_some() {
        return Ok(());
    }
    match regex::Regex::new(&anchored(pattern)) {
        Ok(_) => Ok(()),
        Err(regex::Error::Syntax(text)) => {
            let reason = text
                .lines()
                .find_map(|line| line.strip_prefix("error: "))
                .unwrap_or("invalid syntax")
                .to_string();
            Err(format!("error parsing regexp: {reason}: `{pattern}`"))
        }
        Err(other) => Err(format!("error parsing regexp: {other}")),
    }
}

/// Whether the anchored regex matches the empty string (false if it does not compile).
pub(crate) fn regex_matches_empty(pattern: &str) -> bool {
    if let Some(result) = plain_pattern_matches_empty(pattern) {
        return result;
    }
    regex::Regex::new(&anchored(pattern)).is_ok_and(|re| re.is_match(""))
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
    }

    #[test]
    fn invalid_regex_is_reported() {
        assert!(
            check_regex("(foo")
                .unwrap_err()
                .starts_with("error parsing regexp: ")
        );
        assert!(check_regex("api|web.*").is_ok());
    }
}

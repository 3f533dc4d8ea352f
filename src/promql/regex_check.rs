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
            '_' | '-' | ':' | '/' | ' ' | ',' | '=' | '@' | '%' | '#' | '!' | '~' | '<' | '>' | '\'' | '"' | ';' | '&'
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

/// Whether a pattern is valid RE2, decided without compiling for the subset
/// that real matchers use: literals, `.`, escaped punctuation, `\\d \\w \\s`
/// (and negations), character classes, `(...)`/`(?:...)` groups, `|`,
/// anchors and one `*`/`+`/`?` (optionally lazy) after an atom. `None` when
/// the pattern leaves the subset, or might be invalid: the regex engine decides.
fn common_pattern_is_valid(pattern: &str) -> Option<bool> {
    let b = pattern.as_bytes();
    let mut i = 0;
    let mut open_groups = 0usize;
    let mut can_repeat = false;
    while i < b.len() {
        match b[i] {
            b'\\' => {
                let escaped = *b.get(i + 1)?;
                if !(escaped.is_ascii_punctuation() || matches!(escaped, b'd' | b'D' | b'w' | b'W' | b's' | b'S')) {
                    return None;
                }
                i += 2;
                can_repeat = true;
            }
            b'[' => {
                i = class_end(b, i)?;
                can_repeat = true;
            }
            b'(' => {
                if b.get(i + 1) == Some(&b'?') {
                    if b.get(i + 2) != Some(&b':') {
                        return None;
                    }
                    i += 2;
                }
                open_groups += 1;
                i += 1;
                can_repeat = false;
            }
            b')' => {
                open_groups = open_groups.checked_sub(1)?;
                i += 1;
                can_repeat = true;
            }
            b'|' | b'^' | b'$' => {
                i += 1;
                can_repeat = false;
            }
            b'*' | b'+' | b'?' => {
                if !can_repeat {
                    return None;
                }
                i += 1;
                if b.get(i) == Some(&b'?') {
                    i += 1;
                }
                if matches!(b.get(i), Some(b'*' | b'+' | b'?' | b'{')) {
                    return None;
                }
                can_repeat = false;
            }
            b'{' | b']' | b'}' => return None,
            _ => {
                i += 1;
                can_repeat = true;
            }
        }
    }
    (open_groups == 0).then_some(true)
}

/// The index after the `]` closing the class that starts at `start`, when
/// the class is plainly valid.
fn class_end(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    if b.get(i) == Some(&b'^') {
        i += 1;
    }
    let first = i;
    let mut previous: Option<u8> = None;
    while i < b.len() {
        let c = b[i];
        match c {
            b']' if i > first => return Some(i + 1),
            b'[' => return None,
            b'\\' => {
                let escaped = *b.get(i + 1)?;
                if !(escaped.is_ascii_punctuation() || matches!(escaped, b'd' | b'D' | b'w' | b'W' | b's' | b'S')) {
                    return None;
                }
                previous = None;
                i += 2;
            }
            b'-' if previous.is_some() && b.get(i + 1).is_some_and(|&n| n != b']') => {
                let (low, high) = (previous?, b[i + 1]);
                if high == b'\\' || high == b'[' || !low.is_ascii() || !high.is_ascii() || low > high {
                    return None;
                }
                previous = None;
                i += 2;
            }
            _ => {
                previous = Some(c);
                i += 1;
            }
        }
    }
    None
}

/// Checks that a matcher regex compiles; the error text follows Go's
/// "error parsing regexp: ..." prefix with the `regex` crate's description.
pub(crate) fn check_regex(pattern: &str) -> Result<(), String> {
    if plain_pattern_matches_empty(pattern).is_some() || common_pattern_is_valid(pattern) == Some(true) {
        return Ok(());
    }
    match regex::Regex::new(&anchored(pattern)) {
        Ok(_) => Ok(()),
        Err(regex::Error::Syntax(text)) => {
            let reason =
                text.lines().find_map(|line| line.strip_prefix("error: ")).unwrap_or("invalid syntax").to_string();
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
    fn common_patterns_are_validated_without_compiling() {
        for valid in [r"(foo|bar)-\d+", r"^[a-z0-9_.-]+$", r"(?:5..|4..)", r"[^]x]*", r"a+?b", r"\.svc\.cluster"] {
            assert_eq!(common_pattern_is_valid(valid), Some(true), "{valid}");
            assert!(regex::Regex::new(&anchored(valid)).is_ok(), "{valid}");
        }
        for unknown in ["(foo", "a**", "*a", "[z-a]", "a{2}", r"\p{L}", "(?i)x", "a)"] {
            assert_eq!(common_pattern_is_valid(unknown), None, "{unknown}");
        }
        assert!(check_regex("(foo").is_err());
        assert!(check_regex("*a").is_err());
        assert!(check_regex("[z-a]").is_err());
        assert!(check_regex("(?i)x").is_ok());
    }

    #[test]
    fn invalid_regex_is_reported() {
        assert!(check_regex("(foo").unwrap_err().starts_with("error parsing regexp: "));
        assert!(check_regex("api|web.*").is_ok());
    }
}

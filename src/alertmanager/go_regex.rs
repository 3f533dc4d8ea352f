//! Rewrites a Go (RE2) regular expression so that the `regex` crate reads it
//! the way Go does. The syntaxes are nearly the same; the differences that
//! change results on label values are handled here:
//!
//! * Perl classes `\d \w \s \b` are ASCII-only in Go, Unicode in Rust;
//! * a `{` that does not start a valid repetition is a literal in Go, an
//!   error in Rust (`foo{bar}`);
//! * `\Q...\E` quotes literal text in Go and is unknown to Rust;
//! * Go refuses repetition counts above 1000.

/// Go's largest repetition count.
const MAX_REPEAT: u32 = 1000;

/// The equivalent pattern for the `regex` crate, or Go's reason for refusing it.
pub fn translate(pattern: &str) -> Result<String, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut i = 0;
    let mut in_class = false;
    // Position right after `[` or `[^`, where `]` is a literal.
    let mut class_start = false;
    while let Some(&c) = chars.get(i) {
        let at_class_start = std::mem::take(&mut class_start);
        match c {
            '\\' => {
                let Some(&e) = chars.get(i + 1) else {
                    // A trailing backslash: let the engine report it.
                    out.push('\\');
                    i += 1;
                    continue;
                };
                i += 2;
                if e == 'Q' {
                    // Literal text up to `\E` or the end.
                    let rest: String = chars[i..].iter().collect();
                    let (lit, consumed) = match rest.find("\\E") {
                        Some(end) => (&rest[..end], end + 2),
                        None => (rest.as_str(), rest.len()),
                    };
                    for lc in lit.chars() {
                        push_literal(&mut out, lc, in_class);
                    }
                    i += rest[..consumed].chars().count();
                    continue;
                }
                if matches!(e, 'x' | 'p' | 'P') && chars.get(i) == Some(&'{') {
                    // `\x{e9}`, `\p{Greek}`: the braces belong to the escape.
                    let len = chars[i..].iter().position(|&c| c == '}').map_or(1, |end| end + 1);
                    out.push('\\');
                    out.push(e);
                    out.extend(&chars[i..i + len]);
                    i += len;
                    continue;
                }
                out.push_str(&perl_class(e, in_class).unwrap_or_else(|| format!("\\{e}")));
            }
            '[' if in_class && chars.get(i + 1) == Some(&':') => {
                // A POSIX class `[:alpha:]` inside a bracket expression.
                let rest: String = chars[i..].iter().collect();
                let len = rest.find(":]").map_or(1, |end| end + 2);
                out.push_str(&rest[..len]);
                i += rest[..len].chars().count();
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                i += 1;
                if chars.get(i) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                class_start = true;
            }
            ']' if in_class && !at_class_start => {
                in_class = false;
                out.push(']');
                i += 1;
            }
            ']' if in_class => {
                out.push_str("\\]");
                i += 1;
            }
            '[' if in_class => {
                // A literal `[` inside a class; Rust would read a nested class.
                out.push_str("\\[");
                i += 1;
            }
            '{' if !in_class => match repetition(&chars[i..]) {
                Some((len, counts)) => {
                    if counts.iter().any(|&n| n > MAX_REPEAT) {
                        let text: String = chars[i..i + len].iter().collect();
                        return Err(format!("invalid repeat count: `{text}`"));
                    }
                    out.extend(&chars[i..i + len]);
                    i += len;
                }
                None => {
                    out.push_str("\\{");
                    i += 1;
                }
            },
            '&' | '~' | '-' if in_class && chars.get(i + 1) == Some(&c) => {
                // Rust reads `&&`, `~~`, `--` in a class as set operations.
                out.push('\\');
                out.push(c);
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

fn push_literal(out: &mut String, c: char, in_class: bool) {
    let special = if in_class { "\\]-^[&~" } else { "\\.+*?()|[]{}^$#&-~" };
    if special.contains(c) {
        out.push('\\');
    }
    out.push(c);
}

/// Go's ASCII meaning of a Perl class escape.
fn perl_class(e: char, in_class: bool) -> Option<String> {
    let s = match (e, in_class) {
        ('d', false) => "[0-9]",
        ('D', false) => "[^0-9]",
        ('w', false) => "[0-9A-Za-z_]",
        ('W', false) => "[^0-9A-Za-z_]",
        ('s', false) => "[\\t\\n\\f\\r ]",
        ('S', false) => "[^\\t\\n\\f\\r ]",
        ('b', false) => "(?-u:\\b)",
        ('B', false) => "(?-u:\\B)",
        ('d', true) => "0-9",
        ('w', true) => "0-9A-Za-z_",
        ('s', true) => "\\t\\n\\f\\r ",
        ('D', true) => "[:^digit:]",
        ('W', true) => "[:^word:]",
        _ => return None,
    };
    Some(s.to_string())
}

/// `{n}`, `{n,}` or `{n,m}` at the start of `chars`: its length and counts.
fn repetition(chars: &[char]) -> Option<(usize, Vec<u32>)> {
    let close = chars.iter().position(|&c| c == '}')?;
    let inner: String = chars[1..close].iter().collect();
    let (min, max) = match inner.split_once(',') {
        Some((a, b)) => (a, Some(b)),
        None => (inner.as_str(), None),
    };
    let number = |s: &str| -> Option<u32> {
        if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        // Too many digits is still a repetition, and over the limit.
        Some(s.parse().unwrap_or(u32::MAX))
    };
    let mut counts = vec![number(min)?];
    if let Some(m) = max.filter(|m| !m.is_empty()) {
        counts.push(number(m)?);
    }
    Some((close + 1, counts))
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

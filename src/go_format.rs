//! Go's `fmt` verbs as upstream's error messages use them: `%q`
//! (`strconv.Quote`, `strconv.QuoteRune`), `%#U` and `%f`. The one
//! implementation for PromQL, template and Alertmanager messages. Depends on
//! nothing else in the crate.

/// Go's `unicode.IsPrint`, close enough for quoting in messages.
fn is_go_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let cp = c as u32;
    // Private use, surrogates (impossible in char), noncharacters and format characters.
    !((0xE000..=0xF8FF).contains(&cp)
        || (0xF0000..).contains(&cp)
        || (0xFDD0..=0xFDEF).contains(&cp)
        || (cp & 0xFFFE) == 0xFFFE
        || matches!(cp, 0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB))
}

fn push_escaped(out: &mut String, c: char, quote: char) {
    match c {
        '\x07' => out.push_str("\\a"),
        '\x08' => out.push_str("\\b"),
        '\x0c' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x0b' => out.push_str("\\v"),
        '\\' => out.push_str("\\\\"),
        c if c == quote => {
            out.push('\\');
            out.push(c);
        }
        c if is_go_printable(c) => out.push(c),
        c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
        c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

/// Go's `%q` of a rune (`strconv.QuoteRune`); `None` stands for Go's `eof` (-1), printed as U+FFFD.
pub fn go_quote_rune(c: Option<char>) -> String {
    let c = c.unwrap_or('\u{FFFD}');
    let mut out = String::from("'");
    push_escaped(&mut out, c, '\'');
    out.push('\'');
    out
}

/// Go's `%q` of a string (`strconv.Quote`); invalid UTF-8 bytes become `\xNN`.
pub fn go_quote_bytes(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == '\u{FFFD}' {
                out.push(c);
            } else {
                push_escaped(&mut out, c, '"');
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out.push('"');
    out
}

pub fn go_quote(s: &str) -> String {
    go_quote_bytes(s.as_bytes())
}

/// Go's `%.10q`: the first ten characters, quoted.
pub fn go_quote_truncated(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        Some((cut, _)) => go_quote(&s[..cut]),
        None => go_quote(s),
    }
}

/// Go's `%#U`: `U+0063 'c'`.
pub fn go_unicode_format(c: char) -> String {
    if is_go_printable(c) { format!("U+{:04X} '{}'", c as u32, c) } else { format!("U+{:04X}", c as u32) }
}

/// Go's `%f`.
pub fn go_format_f(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_string()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf".to_string() } else { "-Inf".to_string() }
    } else {
        format!("{v:.6}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_quoting_matches_fmt_q() {
        assert_eq!(go_quote_rune(Some('~')), "'~'");
        assert_eq!(go_quote_rune(Some('"')), "'\"'");
        assert_eq!(go_quote_rune(Some('\'')), "'\\''");
        assert_eq!(go_quote_rune(Some('\n')), "'\\n'");
        assert_eq!(go_quote_rune(None), "'\u{FFFD}'");
        assert_eq!(go_quote("a\"b"), "\"a\\\"b\"");
        assert_eq!(go_quote_bytes(&[0xff]), "\"\\xff\"");
        assert_eq!(go_quote_truncated("\"abcdefghijkl\"", 10), "\"\\\"abcdefghi\"");
        assert_eq!(go_unicode_format('c'), "U+0063 'c'");
        assert_eq!(go_format_f(9223372036854775808.0), "9223372036854775808.000000");
    }

    #[test]
    fn escapes_like_strconv_quote() {
        assert_eq!(go_quote("a\u{7}b\u{b}"), "\"a\\ab\\v\"");
        assert_eq!(go_quote("\u{a0}\u{85}é"), "\"\\u00a0\\u0085é\"");
        assert_eq!(go_unicode_format('\u{a0}'), "U+00A0");
    }
}

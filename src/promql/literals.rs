//! Literal decoding with upstream's exact results and error texts: Go's
//! `strconv.ParseInt(s, 0, 64)`/`ParseFloat` for numbers, `strutil.Unquote`
//! for strings (durations are [`crate::duration`]). Go's
//! `%q`/`%#U` formatting used inside error messages is in [`crate::go_format`].

pub(crate) use crate::go_format::{
    go_format_f, go_quote, go_quote_bytes, go_quote_rune, go_quote_truncated, go_unicode_format,
};

/// Go's `underscoreOK`: underscores only between digits (or after a base prefix).
fn underscores_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut saw = b'^';
    let mut i = 0;
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = b[1].eq_ignore_ascii_case(&b'x');
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// Go's `strconv.ParseInt(s, 0, 64)` for the unsigned forms the lexer produces.
fn parse_go_int(s: &str) -> Option<i64> {
    if s.contains('_') && !underscores_ok(s) {
        return None;
    }
    let digits: String = s.chars().filter(|&c| c != '_').collect();
    let lower = digits.to_ascii_lowercase();
    let (radix, body) = if let Some(rest) = lower.strip_prefix("0x") {
        (16, rest)
    } else if let Some(rest) = lower.strip_prefix("0o") {
        (8, rest)
    } else if let Some(rest) = lower.strip_prefix("0b") {
        (2, rest)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    i64::from_str_radix(body, radix).ok()
}

/// Go's `strconv.ParseFloat(s, 64)` for the forms the lexer produces.
fn parse_go_float(s: &str) -> Result<f64, String> {
    let syntax = || format!("strconv.ParseFloat: parsing {}: invalid syntax", go_quote(s));
    let lower = s.to_ascii_lowercase();
    match lower.as_str() {
        "inf" | "+inf" | "infinity" | "+infinity" => return Ok(f64::INFINITY),
        "-inf" | "-infinity" => return Ok(f64::NEG_INFINITY),
        "nan" => return Ok(f64::NAN),
        _ => {}
    }
    if s.contains('_') && !underscores_ok(s) {
        return Err(syntax());
    }
    let cleaned: String = s.chars().filter(|&c| c != '_').collect();
    // Hexadecimal floats need a `p` exponent in Go; the lexer never produces one.
    if cleaned.len() > 1 && cleaned.as_bytes()[1].eq_ignore_ascii_case(&b'x') {
        return Err(syntax());
    }
    if !cleaned.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-')) {
        return Err(syntax());
    }
    match cleaned.parse::<f64>() {
        Ok(v) if v.is_infinite() => Err(format!("strconv.ParseFloat: parsing {}: value out of range", go_quote(s))),
        Ok(v) => Ok(v),
        Err(_) => Err(syntax()),
    }
}

/// Upstream's `parser.number`: integer syntax first (hex, octal), then float.
/// The error text is what upstream puts after "error parsing number: ".
pub(crate) fn parse_number(s: &str) -> Result<f64, String> {
    match parse_go_int(s) {
        Some(n) => Ok(n as f64),
        None => parse_go_float(s),
    }
}

/// [`unquote`] as text; invalid UTF-8 (from `\\x` escapes) becomes U+FFFD.
pub(crate) fn unquote_lossy(token: &str) -> String {
    match String::from_utf8(unquote(token)) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// Prometheus's `strutil.Unquote` for a token the lexer accepted (quotes included).
/// The lexer already rejected bad escapes, so this cannot fail; the result is bytes.
pub(crate) fn unquote(token: &str) -> Vec<u8> {
    let bytes = token.as_bytes();
    if bytes.len() < 2 {
        return Vec::new();
    }
    let quote = bytes[0];
    let body = &token[1..token.len() - 1];
    if quote == b'`' || !body.contains('\\') {
        return body.as_bytes().to_vec();
    }
    let mut out = Vec::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        let Some(e) = chars.next() else { break };
        let simple = match e {
            'a' => Some(7u8),
            'b' => Some(8),
            'f' => Some(12),
            'n' => Some(b'\n'),
            'r' => Some(b'\r'),
            't' => Some(b'\t'),
            'v' => Some(11),
            '\\' => Some(b'\\'),
            '\'' => Some(b'\''),
            '"' => Some(b'"'),
            _ => None,
        };
        if let Some(b) = simple {
            out.push(b);
            continue;
        }
        let (count, radix) = match e {
            '0'..='7' => (2, 8),
            'x' => (2, 16),
            'u' => (4, 16),
            'U' => (8, 16),
            _ => continue,
        };
        let mut value: u32 = if radix == 8 { e.to_digit(8).unwrap_or(0) } else { 0 };
        for _ in 0..count {
            match chars.peek().and_then(|d| d.to_digit(radix)) {
                Some(d) => {
                    value = value.wrapping_mul(radix).wrapping_add(d);
                    chars.next();
                }
                None => break,
            }
        }
        if radix == 8 || e == 'x' {
            // Octal and \x escapes are single bytes, not code points.
            out.push(value as u8);
        } else if let Some(c) = char::from_u32(value) {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_go_int_then_float() {
        assert_eq!(parse_number("0755"), Ok(493.0));
        assert_eq!(parse_number("0xc"), Ok(12.0));
        assert_eq!(parse_number("08"), Ok(8.0));
        assert_eq!(parse_number("1_000"), Ok(1000.0));
        assert_eq!(parse_number("5."), Ok(5.0));
        assert_eq!(parse_number(".5"), Ok(0.5));
        assert_eq!(parse_number("1.e2"), Ok(100.0));
        assert_eq!(parse_number("5e-3"), Ok(0.005));
        assert!(parse_number("NaN").unwrap().is_nan());
        assert_eq!(parse_number("Inf"), Ok(f64::INFINITY));
        assert_eq!(parse_number("1e400"), Err("strconv.ParseFloat: parsing \"1e400\": value out of range".to_string()));
        assert_eq!(parse_number("0x"), Err("strconv.ParseFloat: parsing \"0x\": invalid syntax".to_string()));
    }

    #[test]
    fn strings_unescape_to_bytes() {
        assert_eq!(unquote(r#""a\tb""#), b"a\tb");
        assert_eq!(unquote(r#""\xFF\377""#), vec![0xff, 0xff]);
        assert_eq!(unquote(r#""\u263a""#), "☺".as_bytes());
        assert_eq!(unquote(r"'it\'s'"), b"it's");
        assert_eq!(unquote(r"`a\n`"), b"a\\n");
    }
}

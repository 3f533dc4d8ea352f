//! Validation of literals the way Go's parser does it: numbers through
//! `strconv.ParseUint`/`ParseInt`/`ParseFloat` (base prefixes, `_` separators,
//! hex floats, overflow), character constants through `strconv.UnquoteChar`,
//! strings through `strconv.Unquote`, complex numbers through `fmt.Sscan`.
//! Only acceptance matters here (templates are not executed), plus a message.

/// Go's `underscoreOK`: `_` only between digits, or between a base prefix and a digit.
fn underscore_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if !b.is_empty() && (b[0] == b'-' || b[0] == b'+') {
        i = 1;
    }
    let mut saw = b'^';
    let mut hex = false;
    if b.len() >= i + 2 && b[i] == b'0' && matches!(b[i + 1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        hex = b[i + 1].eq_ignore_ascii_case(&b'x');
        i += 2;
        saw = b'0';
    }
    while i < b.len() {
        let c = b[i];
        i += 1;
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
            continue;
        }
        if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
            continue;
        }
        if saw == b'_' {
            return false;
        }
        saw = b'!';
    }
    saw != b'_'
}

/// `strconv.ParseUint(s, 0, 64)` succeeds.
fn parse_uint_ok(s: &str) -> bool {
    if s.is_empty() {
        return false;
    }
    let b = s.as_bytes();
    let (base, digits): (u32, &[u8]) = if b[0] == b'0' {
        match b.get(1).map(u8::to_ascii_lowercase) {
            Some(b'b') if b.len() >= 3 => (2, &b[2..]),
            Some(b'o') if b.len() >= 3 => (8, &b[2..]),
            Some(b'x') if b.len() >= 3 => (16, &b[2..]),
            _ => (8, &b[1..]),
        }
    } else {
        (10, b)
    };
    let mut value: u64 = 0;
    let mut underscores = false;
    for &c in digits {
        if c == b'_' {
            underscores = true;
            continue;
        }
        let d = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            c if c.is_ascii_alphabetic() => u32::from(c.to_ascii_lowercase() - b'a') + 10,
            _ => return false,
        };
        if d >= base {
            return false;
        }
        value = match value.checked_mul(u64::from(base)).and_then(|v| v.checked_add(u64::from(d))) {
            Some(v) => v,
            None => return false, // Range error.
        };
    }
    !underscores || underscore_ok(s)
}

/// `strconv.ParseInt(s, 0, 64)` succeeds.
fn parse_int_ok(s: &str) -> bool {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    if !parse_uint_ok(body) {
        return false;
    }
    // Re-parse the magnitude to check the signed range.
    let digits: String = body.chars().filter(|&c| c != '_').collect();
    let lower = digits.to_ascii_lowercase();
    let magnitude = if let Some(h) = lower.strip_prefix("0x") {
        u64::from_str_radix(h, 16)
    } else if let Some(o) = lower.strip_prefix("0o") {
        u64::from_str_radix(o, 8)
    } else if let Some(bin) = lower.strip_prefix("0b") {
        u64::from_str_radix(bin, 2)
    } else if lower.len() > 1 && lower.starts_with('0') {
        u64::from_str_radix(&lower[1..], 8)
    } else {
        lower.parse::<u64>()
    };
    match magnitude {
        Ok(m) if neg => m <= 1u64 << 63,
        Ok(m) => m < 1u64 << 63,
        Err(_) => false,
    }
}

/// `strconv.ParseFloat(s, 64)` succeeds: syntax as Go's `readFloat`, and no overflow.
pub(crate) fn parse_float_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    match b.first() {
        None => return false,
        Some(b'+' | b'-') => i += 1,
        _ => {}
    }
    let lower = s.to_ascii_lowercase();
    let rest = &lower[i..];
    if matches!(rest, "inf" | "infinity" | "nan") && (rest != "nan" || i == 0) {
        return true;
    }
    let mut hex = false;
    if i + 2 < b.len() && b[i] == b'0' && b[i + 1].eq_ignore_ascii_case(&b'x') {
        hex = true;
        i += 2;
    }
    let mut underscores = false;
    let mut saw_dot = false;
    let mut saw_digits = false;
    let mut mantissa = String::new();
    let mut frac_digits: i64 = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'_' {
            underscores = true;
        } else if c == b'.' {
            if saw_dot {
                break;
            }
            saw_dot = true;
        } else if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw_digits = true;
            mantissa.push(c as char);
            if saw_dot {
                frac_digits += 1;
            }
        } else {
            break;
        }
        i += 1;
    }
    if !saw_digits {
        return false;
    }
    let exp_char = if hex { b'p' } else { b'e' };
    let mut exp: i64 = 0;
    if i < b.len() && b[i].to_ascii_lowercase() == exp_char {
        i += 1;
        if i >= b.len() {
            return false;
        }
        let mut sign = 1;
        if b[i] == b'+' {
            i += 1;
        } else if b[i] == b'-' {
            i += 1;
            sign = -1;
        }
        if i >= b.len() || !b[i].is_ascii_digit() {
            return false;
        }
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            if b[i] == b'_' {
                underscores = true;
            } else if exp < 100_000 {
                exp = exp * 10 + i64::from(b[i] - b'0');
            }
            i += 1;
        }
        exp *= sign;
    } else if hex {
        return false; // A hex float must have a `p` exponent.
    }
    if underscores && !underscore_ok(&s[..i]) {
        return false;
    }
    if i != b.len() {
        return false;
    }
    !overflows(&mantissa, frac_digits, exp, hex)
}

/// Whether the value overflows float64 (Go reports a range error; underflow to
/// zero is not an error).
fn overflows(mantissa: &str, frac_digits: i64, exp: i64, hex: bool) -> bool {
    let significant = mantissa.trim_start_matches('0');
    if significant.is_empty() {
        return false; // Zero never overflows.
    }
    if hex {
        // Binary magnitude: bits of the integer mantissa, shifted by the exponent.
        let Some(first) = significant.chars().next().and_then(|c| c.to_digit(16)) else {
            return false;
        };
        let lead_bits = 32 - first.leading_zeros() as i64;
        let bits = lead_bits + 4 * (significant.len() as i64 - 1) - 4 * frac_digits + exp;
        if bits > 1024 {
            return true;
        }
        if bits < 1024 {
            return false;
        }
        // Exactly at the boundary: rounding may carry over; compute precisely.
        let value = f64_from_hex(significant, frac_digits, exp);
        return value.is_infinite();
    }
    let text = format!("{}e{}", significant, exp.saturating_sub(frac_digits));
    text.parse::<f64>().map(f64::is_infinite).unwrap_or(true)
}

fn f64_from_hex(digits: &str, frac_digits: i64, exp: i64) -> f64 {
    let mut v = 0f64;
    for c in digits.chars() {
        v = v * 16.0 + f64::from(c.to_digit(16).unwrap_or(0));
    }
    let shift = exp - 4 * frac_digits;
    v * 2f64.powi(shift.clamp(-2000, 2000) as i32)
}

/// Why a number token is rejected, with Go's message, or `None` if Go accepts it.
pub(crate) fn check_number(text: &str) -> Option<String> {
    // Imaginary constants (`2i`) are complex unless the float part is invalid.
    if let Some(imag) = text.strip_suffix('i') {
        if parse_float_ok(imag) {
            return None;
        }
    }
    if parse_uint_ok(text) || parse_int_ok(text) {
        return None;
    }
    if parse_float_ok(text) {
        // Go parses it as a float but refuses a huge integer literal.
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Some(format!("integer overflow: {}", super::lexer::go_quote(text)));
        }
        return None;
    }
    Some(format!("illegal number syntax: {}", super::lexer::go_quote(text)))
}

/// `fmt.Sscan` into a complex128: a float token, a sign, a float token, then `i`.
pub(crate) fn check_complex(text: &str) -> Option<String> {
    let bad = || Some("syntax error scanning complex number".to_string());
    let (real, rest) = float_token(text);
    let Some(sign) = rest.chars().next().filter(|c| *c == '+' || *c == '-') else {
        return bad();
    };
    let (imag, rest) = float_token(&rest[1..]);
    if !rest.starts_with('i') {
        return bad();
    }
    let imag = format!("{sign}{imag}");
    if !parse_float_ok(&real) || !parse_float_ok(&imag) {
        return Some(format!("strconv.ParseFloat: parsing {}: invalid syntax", super::lexer::go_quote(&real)));
    }
    None
}

/// The prefix of `s` that `fmt`'s `floatToken` consumes, and the rest.
fn float_token(s: &str) -> (String, &str) {
    let b = s.as_bytes();
    let mut i = 0;
    let accept = |i: &mut usize, set: &[u8]| {
        if *i < b.len() && set.contains(&b[*i]) {
            *i += 1;
            true
        } else {
            false
        }
    };
    accept(&mut i, b"+-");
    let mut digits: &[u8] = b"0123456789_";
    let mut exp: &[u8] = b"eEpP";
    if i < b.len() && b[i] == b'0' && i + 1 < b.len() && (b[i + 1] == b'x' || b[i + 1] == b'X') {
        i += 2;
        digits = b"0123456789aAbBcCdDeEfF_";
        exp = b"pP";
    }
    while accept(&mut i, digits) {}
    if accept(&mut i, b".") {
        while accept(&mut i, digits) {}
    }
    if accept(&mut i, exp) {
        accept(&mut i, b"+-");
        while accept(&mut i, b"0123456789_") {}
    }
    (s[..i].to_string(), &s[i..])
}

/// Decodes one character with Go's `strconv.UnquoteChar` rules.
/// Returns the decoded character (bytes from `\x` and octal escapes are mapped
/// to the same code point) and the rest, or `None` for invalid syntax.
fn unquote_char(s: &str, quote: char) -> Option<(char, &str)> {
    let mut chars = s.chars();
    let c = chars.next()?;
    if c == quote && (quote == '\'' || quote == '"') {
        return None;
    }
    if c != '\\' {
        return Some((c, chars.as_str()));
    }
    let esc = chars.next()?;
    let rest = chars.as_str();
    let simple = match esc {
        'a' => Some('\u{7}'),
        'b' => Some('\u{8}'),
        'f' => Some('\u{c}'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        'v' => Some('\u{b}'),
        '\\' => Some('\\'),
        '\'' | '"' => {
            if esc != quote {
                return None;
            }
            Some(esc)
        }
        _ => None,
    };
    if let Some(v) = simple {
        return Some((v, rest));
    }
    let hex_digits = match esc {
        'x' => 2,
        'u' => 4,
        'U' => 8,
        '0'..='7' => {
            let oct = s.get(1..4)?;
            if !oct.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
                return None;
            }
            let v = u32::from_str_radix(oct, 8).ok()?;
            if v > 255 {
                return None;
            }
            return Some((char::from_u32(v)?, &s[4..]));
        }
        _ => return None,
    };
    let digits = rest.get(..hex_digits)?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let v = u32::from_str_radix(digits, 16).ok()?;
    // `char::from_u32` rejects surrogates and values above U+10FFFF, as Go does.
    let decoded = char::from_u32(v)?;
    Some((decoded, &rest[hex_digits..]))
}

/// Checks a character constant (`'a'`, `'\n'`), with Go's messages.
pub(crate) fn check_char_constant(text: &str) -> Option<String> {
    let Some(inner) = text.strip_prefix('\'') else {
        return Some("invalid syntax".to_string());
    };
    match unquote_char(inner, '\'') {
        None => Some("invalid syntax".to_string()),
        Some((_, "'")) => None,
        Some(_) => Some(format!("malformed character constant: {text}")),
    }
}

/// `strconv.Unquote` of a string token, returning the value or `None`.
pub(crate) fn unquote(text: &str) -> Option<String> {
    if let Some(raw) = text.strip_prefix('`') {
        let body = raw.strip_suffix('`')?;
        if body.contains('`') {
            return None;
        }
        return Some(body.replace('\r', ""));
    }
    let body = text.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while !rest.is_empty() {
        if rest.starts_with('\n') {
            return None;
        }
        let (c, tail) = unquote_char(rest, '"')?;
        out.push(c);
        rest = tail;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_go_accepts_them() {
        for ok in [
            "0",
            "1",
            "-1",
            "+1",
            "017",
            "0o17",
            "0b101",
            "0x1F",
            "1_000",
            "1_000.5",
            "0x_1",
            "1e-400",
            "0x1p-2",
            "1.5e3",
            ".5",
            "1.",
            "2i",
            "-0",
            "0.5i",
            "18446744073709551615",
        ] {
            assert_eq!(check_number(ok), None, "{ok}");
        }
        for bad in ["08", "1_", "0x", "1e400", "0x1.8", "99999999999999999999", "-", ".", "1__0", "0b2", "1e"] {
            assert!(check_number(bad).is_some(), "{bad}");
        }
        assert_eq!(check_number("08").as_deref(), Some("integer overflow: \"08\""));
        assert_eq!(check_number("0x1.8").as_deref(), Some("illegal number syntax: \"0x1.8\""));
    }

    #[test]
    fn complex_numbers() {
        assert_eq!(check_complex("1+2i"), None);
        assert_eq!(check_complex("0x1p2+3i"), None);
        assert_eq!(check_complex("-1.5e3-2i"), None);
        assert!(check_complex("1i+2i").is_some());
    }

    #[test]
    fn char_constants() {
        assert_eq!(check_char_constant("'a'"), None);
        assert_eq!(check_char_constant("'\\n'"), None);
        assert_eq!(check_char_constant("'\\''"), None);
        assert_eq!(check_char_constant("'\\u00e9'"), None);
        assert_eq!(check_char_constant("'\\377'"), None);
        assert!(check_char_constant("'\\\"'").is_some());
        assert!(check_char_constant("''").is_some());
        assert_eq!(check_char_constant("'ab'").as_deref(), Some("malformed character constant: 'ab'"));
        assert!(check_char_constant("'\\400'").is_some());
        assert!(check_char_constant("'\\ud800'").is_some());
    }

    #[test]
    fn strings() {
        assert_eq!(unquote("\"a\\tb\"").as_deref(), Some("a\tb"));
        assert_eq!(unquote("`a\\tb`").as_deref(), Some("a\\tb"));
        assert_eq!(unquote("\"\\u00e9\"").as_deref(), Some("é"));
        assert_eq!(unquote("\"\\'\""), None);
        assert_eq!(unquote("\"\\xzz\""), None);
        assert_eq!(unquote("\"\\q\""), None);
    }
}

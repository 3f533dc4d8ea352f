//! What type a scalar resolves to, following Go's `gopkg.in/yaml.v3`
//! (`resolve.go`), which is what Prometheus uses to read rule files.
//!
//! Quoted and block scalars are strings; a plain scalar is null, a boolean,
//! an integer, a float or a timestamp when it looks like one; an explicit
//! core-schema tag decides by itself.

use super::{Scalar, ScalarStyle};

/// The core-schema type of a scalar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarType {
    Null,
    Bool,
    Int,
    Float,
    Timestamp,
    Str,
    /// An explicit tag outside the core schema (`!foo`), or `!!binary`.
    Other,
}

impl ScalarType {
    /// "a string", "an integer", ... for messages.
    pub fn name(self) -> &'static str {
        match self {
            ScalarType::Null => "null",
            ScalarType::Bool => "a boolean",
            ScalarType::Int => "an integer",
            ScalarType::Float => "a float",
            ScalarType::Timestamp => "a timestamp",
            ScalarType::Str => "a string",
            ScalarType::Other => "a tagged value",
        }
    }
}

const CORE: &str = "tag:yaml.org,2002:";

/// Resolves `scalar` with its explicit tag (full form), if any.
pub fn resolve(scalar: &Scalar, tag: Option<&str>) -> ScalarType {
    if let Some(tag) = tag {
        match tag.strip_prefix(CORE) {
            Some("str") => return ScalarType::Str,
            Some("null") => return ScalarType::Null,
            Some("bool") => return ScalarType::Bool,
            Some("int") => return ScalarType::Int,
            Some("float") => return ScalarType::Float,
            Some("timestamp") => return ScalarType::Timestamp,
            // `!` is the non-specific tag: the scalar is resolved as untagged.
            _ if tag == "!" => {}
            _ => return ScalarType::Other,
        }
    }
    if scalar.style != ScalarStyle::Plain {
        return ScalarType::Str;
    }
    resolve_plain(&scalar.value)
}

/// Resolves an untagged plain scalar.
pub fn resolve_plain(s: &str) -> ScalarType {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return ScalarType::Null,
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" => return ScalarType::Bool,
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf"
        | "-.INF" => return ScalarType::Float,
        _ => {}
    }
    let Some(&first) = s.as_bytes().first() else {
        return ScalarType::Null;
    };
    match first {
        b'.' => {
            if go_parse_float(s) {
                ScalarType::Float
            } else {
                ScalarType::Str
            }
        }
        b'0'..=b'9' | b'+' | b'-' => {
            if is_timestamp(s) {
                return ScalarType::Timestamp;
            }
            let plain: String = s.chars().filter(|&c| c != '_').collect();
            if go_parse_int(&plain) {
                return ScalarType::Int;
            }
            if is_yaml_style_float(&plain) {
                return ScalarType::Float;
            }
            let unsigned = plain.strip_prefix('-').unwrap_or(&plain);
            if let Some(bin) = unsigned.strip_prefix("0b") {
                if !bin.is_empty() && bin.bytes().all(|b| b == b'0' || b == b'1') && bin.len() <= 64 {
                    return ScalarType::Int;
                }
            }
            if let Some(oct) = unsigned.strip_prefix("0o") {
                if !oct.is_empty()
                    && oct.bytes().all(|b| (b'0'..=b'7').contains(&b))
                    && i64::from_str_radix(oct, 8).is_ok()
                {
                    return ScalarType::Int;
                }
            }
            ScalarType::Str
        }
        _ => ScalarType::Str,
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)` or `ParseUint(s, 0, 64)` succeeds.
fn go_parse_int(s: &str) -> bool {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = if let Some(d) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        (16, d)
    } else if let Some(d) = body.strip_prefix("0o").or_else(|| body.strip_prefix("0O")) {
        (8, d)
    } else if let Some(d) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
        (2, d)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    if digits.is_empty() || !digits.bytes().all(|b| (b as char).is_digit(radix)) {
        return false;
    }
    match u64::from_str_radix(digits, radix) {
        Ok(v) if neg => v <= 1u64 << 63,
        Ok(_) => true,
        Err(_) => false,
    }
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+') | Some(b'-')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e') | Some(b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+') | Some(b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `strconv.ParseFloat(s, 64)` for a string starting with `.`: only
/// decimal forms can start that way.
fn go_parse_float(s: &str) -> bool {
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    // Go accepts underscores only between digits; be lenient, this decides
    // between "float" and "string", both of which Prometheus reads as text.
    is_yaml_style_float(&plain)
}

/// yaml.v3's `parseTimestamp`: only values starting with `YYYY-` are tried,
/// in the layouts `2006-1-2T15:4:5.999999999Z07:00`, `2006-1-2t15:4:5.999999999Z07:00`,
/// `2006-1-2 15:4:5.999999999` and `2006-1-2`.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    // yaml.v3 bails out unless four digits are followed by '-'.
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i != 4 || b.get(4) != Some(&b'-') {
        return false;
    }
    let num = |i: &mut usize, min: usize, max: usize| -> bool {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() && *i - start < max {
            *i += 1;
        }
        *i - start >= min
    };
    let mut i = 5;
    if !num(&mut i, 1, 2) || b.get(i) != Some(&b'-') {
        return false;
    }
    i += 1;
    if !num(&mut i, 1, 2) {
        return false;
    }
    if i == b.len() {
        return true;
    }
    // Time part.
    match b.get(i) {
        Some(b'T') | Some(b't') | Some(b' ') => i += 1,
        _ => return false,
    }
    if !num(&mut i, 1, 2) || b.get(i) != Some(&b':') {
        return false;
    }
    i += 1;
    if !num(&mut i, 1, 2) || b.get(i) != Some(&b':') {
        return false;
    }
    i += 1;
    if !num(&mut i, 1, 2) {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !num(&mut i, 1, 9) {
            return false;
        }
    }
    if i == b.len() {
        return true;
    }
    // Zone, only in the layouts with a `T`.
    if b.get(10).is_some_and(|&c| c == b' ') {
        return false;
    }
    match b.get(i) {
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+') | Some(b'-') => {
            i += 1;
            if !num(&mut i, 2, 2) || b.get(i) != Some(&b':') {
                return false;
            }
            i += 1;
            num(&mut i, 2, 2) && i == b.len()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_like_yaml_v3() {
        use ScalarType::*;
        let cases = [
            ("", Null),
            ("~", Null),
            ("null", Null),
            ("true", Bool),
            ("False", Bool),
            ("yes", Str),
            ("on", Str),
            ("10", Int),
            ("-10", Int),
            ("0x1f", Int),
            ("0o17", Int),
            ("017", Int),
            ("1_000", Int),
            ("0b101", Int),
            ("1.5", Float),
            ("1e3", Float),
            (".5", Float),
            (".inf", Float),
            ("-.inf", Float),
            (".nan", Float),
            ("1h", Str),
            ("5m", Str),
            ("0", Int),
            ("2001-12-14", Timestamp),
            ("2001-12-14t21:59:43.10-05:00", Timestamp),
            ("2001-12-14 21:59:43.10", Timestamp),
            ("12-14", Str),
            ("+", Str),
            ("-", Str),
            ("99999999999999999999", Float),
            ("18446744073709551615", Int),
            ("up == 0", Str),
        ];
        for (s, want) in cases {
            assert_eq!(resolve_plain(s), want, "{s:?}");
        }
    }
}

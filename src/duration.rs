//! Prometheus durations (`model.ParseDuration`): `1h30m`, `5m`, `0`, units
//! `y w d h m s ms` in that order, each at most once, no sign, no fractions.

const UNITS: [(&str, i64); 7] = [
    ("y", 365 * 24 * 3_600_000),
    ("w", 7 * 24 * 3_600_000),
    ("d", 24 * 3_600_000),
    ("h", 3_600_000),
    ("m", 60_000),
    ("s", 1_000),
    ("ms", 1),
];

/// Parses a duration into milliseconds. The error says what is wrong.
pub fn parse(text: &str) -> Result<i64, String> {
    if text == "0" {
        return Ok(0);
    }
    if text.is_empty() {
        return Err("empty duration string".into());
    }
    let bad = || format!("not a valid duration string: {text:?}");
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut next_unit = 0;
    let mut total: i64 = 0;
    while i < bytes.len() {
        let digits_start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i == digits_start {
            return Err(bad());
        }
        let number: i64 = text[digits_start..i].parse().map_err(|_| bad())?;
        let unit_start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        let unit = &text[unit_start..i];
        let Some(pos) = UNITS[next_unit..].iter().position(|(u, _)| *u == unit) else {
            return Err(bad());
        };
        let (_, factor) = UNITS[next_unit + pos];
        next_unit += pos + 1;
        total = number.checked_mul(factor).and_then(|v| total.checked_add(v)).ok_or_else(|| "duration out of range".to_string())?;
    }
    Ok(total)
}

/// Formats milliseconds the way Prometheus prints durations (`1h30m`, `0s`).
pub fn format(mut millis: i64) -> String {
    if millis == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    for (unit, factor) in UNITS {
        if millis >= factor {
            out.push_str(&format!("{}{unit}", millis / factor));
            millis %= factor;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_prometheus_durations() {
        assert_eq!(parse("0"), Ok(0));
        assert_eq!(parse("5m"), Ok(300_000));
        assert_eq!(parse("1h30m"), Ok(5_400_000));
        assert_eq!(parse("1d2h3m4s5ms"), Ok(93_784_005));
        assert_eq!(parse("2w"), Ok(1_209_600_000));
    }

    #[test]
    fn rejects_what_prometheus_rejects() {
        for bad in ["", "5", "-5m", "1.5h", "5m1h", "5m5m", "5 m", "5M", "m", "1hh"] {
            assert!(parse(bad).is_err(), "{bad:?} should be rejected");
        }
        assert!(parse("99999999999999999y").is_err());
    }

    #[test]
    fn formats_round_trip() {
        for text in ["0s", "5m", "1h30m", "1d2h3m4s5ms", "1y"] {
            assert_eq!(format(parse(text).unwrap()), text);
        }
    }
}

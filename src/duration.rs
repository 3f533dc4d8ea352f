//! Prometheus durations (`model.ParseDuration`): `1h30m`, `5m`, `0`, units
//! `y w d h m s ms` in that order, each at most once, no sign, no fractions.
//! The one parser for rule files, PromQL, Alertmanager configurations and
//! alertlint's own configuration.

use crate::go_format::go_quote;

/// Units from the largest to the smallest, in milliseconds.
const UNITS: [(&str, i64); 7] = [
    ("y", 365 * 24 * 3_600_000),
    ("w", 7 * 24 * 3_600_000),
    ("d", 24 * 3_600_000),
    ("h", 3_600_000),
    ("m", 60_000),
    ("s", 1_000),
    ("ms", 1),
];

/// Parses `s` into milliseconds, or explains what is wrong.
pub fn parse(s: &str) -> Result<i64, String> {
    // At most 2^63 - 1 nanoseconds: the milliseconds fit.
    parse_nanos(s).map(|nanos| (nanos / NANOS_PER_MILLI) as i64)
}

const NANOS_PER_MILLI: u64 = 1_000_000;

/// Prometheus's `model.ParseDuration`, in nanoseconds, with upstream's error texts.
pub fn parse_nanos(s: &str) -> Result<u64, String> {
    match s {
        "0" => return Ok(0),
        "" => return Err("empty duration string".to_string()),
        _ => {}
    }
    let invalid = || format!("not a valid duration string: {}", go_quote(s));
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut total: u64 = 0;
    let mut last_unit_pos = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            return Err(invalid());
        }
        let digits_start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let value: u64 = s[digits_start..i].parse().map_err(|_| invalid())?;
        let unit_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_digit() {
            i += 1;
        }
        let unit = &s[unit_start..i];
        if unit.is_empty() {
            return Err(invalid());
        }
        // Units must come in the table's order, each at most once.
        let Some(index) = UNITS.iter().position(|(name, _)| *name == unit) else {
            return Err(format!("unknown unit {} in duration {}", go_quote(unit), go_quote(s)));
        };
        let (pos, mult) = (index + 1, UNITS[index].1 as u64 * NANOS_PER_MILLI);
        if pos <= last_unit_pos {
            return Err(invalid());
        }
        last_unit_pos = pos;
        if value > (1u64 << 63) / mult {
            return Err("duration out of range".to_string());
        }
        total = total.checked_add(value * mult).ok_or_else(|| "duration out of range".to_string())?;
        if total > (1u64 << 63) - 1 {
            return Err("duration out of range".to_string());
        }
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
    fn durations_follow_prometheus() {
        assert_eq!(parse_nanos("1h30m"), Ok(5_400_000_000_000));
        assert_eq!(parse_nanos("1m30ms"), Ok(60_030_000_000));
        assert_eq!(parse_nanos("5m1h"), Err("not a valid duration string: \"5m1h\"".to_string()));
        assert_eq!(parse_nanos("5y1hs"), Err("unknown unit \"hs\" in duration \"5y1hs\"".to_string()));
        assert_eq!(parse_nanos("1.5h"), Err("unknown unit \".\" in duration \"1.5h\"".to_string()));
        assert_eq!(parse_nanos("300y"), Err("duration out of range".to_string()));
    }

    #[test]
    fn formats_round_trip() {
        for text in ["0s", "5m", "1h30m", "1d2h3m4s5ms", "1y"] {
            assert_eq!(format(parse(text).unwrap()), text);
        }
    }
}

#[cfg(test)]
mod upstream_tests {
    use super::*;

    #[test]
    fn parses_prometheus_durations() {
        assert_eq!(parse("0"), Ok(0));
        assert_eq!(parse("5m"), Ok(300_000));
        assert_eq!(parse("1h30m"), Ok(5_400_000));
        assert_eq!(parse("1d"), Ok(86_400_000));
        assert_eq!(parse("2w"), Ok(14 * 86_400_000));
        assert_eq!(parse("1y"), Ok(365 * 86_400_000));
        assert_eq!(parse("1s500ms"), Ok(1500));
        assert_eq!(parse("0s"), Ok(0));
        for bad in ["", "5", "-5m", "1.5h", "5M", "m", "30m1h", "1h1h", "5 m", " 5m", "1e3s", "+5m", "0x10s"] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(parse("1x"), Err("unknown unit \"x\" in duration \"1x\"".into()));
        assert!(parse("300y").is_err());
        assert!(parse("99999999999999999999s").is_err());
    }
}

//! Prometheus durations (`model.ParseDuration`): `1h30m`, `5m`, `0`, units
//! `y w d h m s ms` in that order, each at most once, no sign, no fractions.

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
    match s {
        "0" => return Ok(0),
        "" => return Err("empty duration string".into()),
        _ => {}
    }
    // (unit, nanoseconds, position): positions enforce the order.
    const UNITS: [(&str, u64, u8); 7] = [
        ("y", 365 * 24 * 3_600_000_000_000, 1),
        ("w", 7 * 24 * 3_600_000_000_000, 2),
        ("d", 24 * 3_600_000_000_000, 3),
        ("h", 3_600_000_000_000, 4),
        ("m", 60_000_000_000, 5),
        ("s", 1_000_000_000, 6),
        ("ms", 1_000_000, 7),
    ];
    let invalid = || format!("not a valid duration string: {s:?}");
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut total: u64 = 0;
    let mut last_pos = 0u8;
    while i < bytes.len() {
        let digits_start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i == digits_start {
            return Err(invalid());
        }
        let value: u64 = s[digits_start..i].parse().map_err(|_| invalid())?;
        let unit_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i == unit_start {
            return Err(invalid());
        }
        let unit = &s[unit_start..i];
        let Some(&(_, mult, pos)) = UNITS.iter().find(|(u, _, _)| *u == unit) else {
            return Err(format!("unknown unit {unit:?} in duration {s:?}"));
        };
        if pos <= last_pos {
            return Err(invalid());
        }
        last_pos = pos;
        if value > (1u64 << 63) / mult {
            return Err("duration out of range".into());
        }
        total = total.checked_add(value * mult).ok_or("duration out of range")?;
        if total > (1u64 << 63) - 1 {
            return Err("duration out of range".into());
        }
    }
    Ok((total / 1_000_000) as i64)
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

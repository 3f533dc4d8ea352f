//! A Prometheus release, as `prometheus.version` names it. Read by the
//! PromQL parser (which syntax is valid) and the rule-file model (which
//! fields are). Depends on nothing else in the crate.

/// A Prometheus release, `MAJOR.MINOR` (a patch number is accepted and ignored).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
}

impl Version {
    pub const fn new(major: u32, minor: u32) -> Version {
        Version { major, minor }
    }

    /// `3.5`, `v2.45.0`, `2.53`; `None` for anything else or a major version
    /// alertlint does not know (rule files exist since 2.0).
    pub fn parse(text: &str) -> Option<Version> {
        let text = text.trim().strip_prefix('v').unwrap_or(text.trim());
        let mut parts = text.split('.');
        let major: u32 = parts.next()?.parse().ok()?;
        let minor: u32 = match parts.next() {
            Some(m) => m.parse().ok()?,
            None => 0,
        };
        if let Some(patch) = parts.next() {
            patch.parse::<u32>().ok()?;
        }
        if parts.next().is_some() || !(2..=3).contains(&major) {
            return None;
        }
        Some(Version { major, minor })
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

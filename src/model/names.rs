//! Label, annotation and metric name rules.
//!
//! Current Prometheus validates names as UTF-8 (any non-empty string);
//! Prometheus before 3.0 (and promtool 2.42) used the legacy character sets.

/// Which name rules apply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NameValidation {
    /// Current upstream default: any non-empty UTF-8 string.
    #[default]
    Utf8,
    /// `[a-zA-Z_][a-zA-Z0-9_]*` for labels, `[a-zA-Z_:][a-zA-Z0-9_:]*` for metrics.
    Legacy,
}

impl NameValidation {
    pub fn is_valid_label_name(self, name: &str) -> bool {
        match self {
            NameValidation::Utf8 => !name.is_empty(),
            NameValidation::Legacy => is_legacy_name(name, false),
        }
    }

    pub fn is_valid_metric_name(self, name: &str) -> bool {
        match self {
            NameValidation::Utf8 => !name.is_empty(),
            NameValidation::Legacy => is_legacy_name(name, true),
        }
    }

    /// What a valid label name looks like, for help texts.
    pub fn label_rule(self) -> &'static str {
        match self {
            NameValidation::Utf8 => "label names must not be empty, and `__name__` cannot be set as a label",
            NameValidation::Legacy => "label names must match `[a-zA-Z_][a-zA-Z0-9_]*`",
        }
    }
}

fn is_legacy_name(name: &str, colons: bool) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let ok = |c: char, first: bool| {
        c.is_ascii_alphabetic() || c == '_' || (colons && c == ':') || (!first && c.is_ascii_digit())
    };
    ok(first, true) && chars.all(|c| ok(c, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_and_utf8_names() {
        let legacy = NameValidation::Legacy;
        assert!(legacy.is_valid_label_name("instance_1"));
        assert!(!legacy.is_valid_label_name("ins-tance"));
        assert!(!legacy.is_valid_label_name("1abc"));
        assert!(!legacy.is_valid_label_name("a:b"));
        assert!(legacy.is_valid_metric_name("job:up:sum"));
        assert!(!legacy.is_valid_metric_name("up{job=\"x\"}"));
        assert!(!legacy.is_valid_label_name(""));
        let utf8 = NameValidation::Utf8;
        assert!(utf8.is_valid_label_name("ins-tance"));
        assert!(utf8.is_valid_metric_name("metric.🔥"));
        assert!(!utf8.is_valid_label_name(""));
    }
}

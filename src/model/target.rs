//! The Prometheus being targeted: its version (`prometheus.version`) and the
//! feature flags it runs with (`prometheus.features`, `--enable-feature`).
//! Together they decide which PromQL syntax and rule-file fields are valid.

use crate::promql::ParseOptions;
pub use crate::version::Version;

/// A Prometheus feature flag that changes which syntax is valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feature {
    ExperimentalFunctions,
    DurationExpressions,
    ExtendedRangeSelectors,
}

impl Feature {
    pub const ALL: [Feature; 3] =
        [Feature::ExperimentalFunctions, Feature::DurationExpressions, Feature::ExtendedRangeSelectors];

    /// Prometheus's own name for the flag.
    pub fn name(self) -> &'static str {
        match self {
            Feature::ExperimentalFunctions => "promql-experimental-functions",
            Feature::DurationExpressions => "promql-duration-expr",
            Feature::ExtendedRangeSelectors => "promql-extended-range-selectors",
        }
    }

    pub fn parse(name: &str) -> Option<Feature> {
        Feature::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The error message "did you mean" part for an unknown name.
    pub fn unknown_message(name: &str) -> String {
        let names = Feature::ALL.map(Feature::name);
        match crate::names::closest(name, names) {
            Some(c) => format!("unknown feature `{name}`; did you mean `{c}`?"),
            None => format!("unknown feature `{name}`; expected one of: {}", names.join(", ")),
        }
    }

    /// The feature whose absence a parse error message reports, if any.
    pub fn disabled_in(message: &str) -> Option<Feature> {
        if message.starts_with("function ") && message.ends_with(" is not enabled")
            || message.contains("--enable-feature=promql-experimental-functions")
        {
            Some(Feature::ExperimentalFunctions)
        } else if message == "experimental duration expression is not enabled" {
            Some(Feature::DurationExpressions)
        } else if message.ends_with("modifier is experimental and not enabled") {
            Some(Feature::ExtendedRangeSelectors)
        } else {
            None
        }
    }
}

/// The Prometheus the rule files are written for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Target {
    /// `None`: the latest 3.x.
    pub version: Option<Version>,
    pub features: ParseOptions,
}

impl Target {
    pub fn enable(&mut self, feature: Feature) {
        match feature {
            Feature::ExperimentalFunctions => self.features.experimental_functions = true,
            Feature::DurationExpressions => self.features.duration_expressions = true,
            Feature::ExtendedRangeSelectors => self.features.extended_range_selectors = true,
        }
    }

    /// Whether this target is older than `major.minor`.
    pub fn before(&self, major: u32, minor: u32) -> bool {
        self.version.is_some_and(|v| v < Version::new(major, minor))
    }

    /// The options the PromQL parser runs with.
    pub fn parse_options(&self) -> ParseOptions {
        ParseOptions { version: self.version, ..self.features }
    }

    /// Help for a parse error that the targeted version explains.
    pub fn version_help(&self, message: &str) -> Option<String> {
        let unknown = message.strip_prefix("unknown function with name \"").and_then(|m| m.strip_suffix('"'));
        match (unknown, self.version) {
            (Some("holt_winters"), None) => Some(
                "Prometheus 3 renamed `holt_winters` to `double_exponential_smoothing` (behind \
                 `promql-experimental-functions`); for a 2.x server set `prometheus.version`"
                    .into(),
            ),
            (Some(name), Some(version)) if crate::promql::lookup_function(name).is_some() => Some(format!(
                "`{name}` is newer than the configured target Prometheus {version} (`prometheus.version`)"
            )),
            (None, Some(version))
                if version.major < 3
                    && message.starts_with("unexpected string")
                    && !message.contains(", expected string") =>
            {
                Some(format!(
                    "quoted (UTF-8) names need Prometheus 3; the configured target is {version} (`prometheus.version`)"
                ))
            }
            _ => None,
        }
    }

    /// Label and metric name rules: legacy before 3.0.
    pub fn names(&self) -> super::NameValidation {
        if self.before(3, 0) { super::NameValidation::Legacy } else { super::NameValidation::Utf8 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(Version::parse("2.45"), Some(Version::new(2, 45)));
        assert_eq!(Version::parse("v3.5.1"), Some(Version::new(3, 5)));
        assert_eq!(Version::parse("3"), Some(Version::new(3, 0)));
        assert_eq!(Version::parse("1.8"), None);
        assert_eq!(Version::parse("2.x"), None);
        assert!(Version::new(2, 53) < Version::new(3, 0));
        let target = Target { version: Some(Version::new(2, 45)), ..Target::default() };
        assert!(target.before(2, 53) && target.before(3, 0) && !target.before(2, 42));
        assert!(!Target::default().before(3, 99));
    }

    #[test]
    fn version_help() {
        let latest = Target::default();
        assert!(
            latest
                .version_help("unknown function with name \"holt_winters\"")
                .unwrap()
                .contains("double_exponential_smoothing")
        );
        let v2 = Target { version: Some(Version::new(2, 45)), ..Target::default() };
        let help = v2.version_help("unknown function with name \"histogram_avg\"").unwrap();
        assert!(help.contains("newer than the configured target Prometheus 2.45"), "{help}");
        assert!(v2.version_help("unknown function with name \"no_such\"").is_none());
        let help = v2.version_help("unexpected string \"\\\"a.b\\\"\" in label matching, expected identifier or \"}\"");
        assert!(help.unwrap().contains("quoted (UTF-8) names need Prometheus 3"));
        assert!(latest.version_help("unexpected string \"x\" in label matching").is_none());
    }

    #[test]
    fn features_by_name() {
        assert_eq!(Feature::parse("promql-duration-expr"), Some(Feature::DurationExpressions));
        assert!(Feature::unknown_message("promql-experimental-function").contains("promql-experimental-functions"));
        assert_eq!(Feature::disabled_in("function \"limitk\" is not enabled"), Some(Feature::ExperimentalFunctions));
        assert_eq!(
            Feature::disabled_in("anchored modifier is experimental and not enabled"),
            Some(Feature::ExtendedRangeSelectors)
        );
    }
}

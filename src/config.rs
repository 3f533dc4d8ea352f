//! `.alertlint.yaml`: strict decoding (an unknown key is an error naming the
//! key and its position), per-lint severities and options.

use std::path::{Path, PathBuf};

use crate::diagnostic::Severity;
use crate::model::Dialect;
use crate::source::SourceFile;
use crate::span::Span;
use crate::yaml::{self, Node, NodeKind};

/// The configuration file names looked for, in order.
pub const FILE_NAMES: [&str; 2] = [".alertlint.yaml", ".alertlint.yml"];

/// A configuration problem: exit code 2, printed as `file:line:column: message`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct ConfigError {
    pub file: Option<String>,
    /// 1-based line and column.
    pub position: Option<(usize, usize)>,
    pub message: String,
}

impl ConfigError {
    pub fn new(message: impl Into<String>) -> ConfigError {
        ConfigError { file: None, position: None, message: message.into() }
    }

    fn render(&self) -> String {
        match (&self.file, self.position) {
            (Some(file), Some((line, column))) => format!("{file}:{line}:{column}: {}", self.message),
            (Some(file), None) => format!("{file}: {}", self.message),
            _ => self.message.clone(),
        }
    }
}

/// What `lints:` says about one lint (or family glob).
#[derive(Clone, Debug)]
pub struct LintSetting {
    /// The id or family glob as written.
    pub pattern: String,
    /// `None` leaves the default severity; `Some(None)` turns the lint off.
    pub severity: Option<Option<Severity>>,
    /// The entry's node, when it is a mapping (options besides `severity`).
    pub options: Option<Node>,
}

#[derive(Clone, Debug)]
pub struct RunbookConfig {
    pub annotations: Vec<String>,
    /// `false` when `annotations` is the default: the runbook keys are then
    /// read from the rule files (see `conventions`).
    pub annotations_configured: bool,
    pub url_pattern: Option<regex::Regex>,
}

#[derive(Clone, Debug)]
pub struct OwnerConfig {
    pub labels: Vec<String>,
    /// `false` when `labels` is the default and owner labels are inferred.
    pub labels_configured: bool,
    pub teams: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct SeverityConfig {
    pub label: String,
    pub values: Vec<String>,
    /// `false` when `label` is the default and severity labels are inferred.
    pub label_configured: bool,
    /// `false` when `values` is the default and the vocabulary is inferred.
    pub values_configured: bool,
}

#[derive(Clone, Debug)]
pub struct PrometheusConfig {
    /// Milliseconds; `None` when not configured (the interval is then unknown).
    pub scrape_interval: Option<i64>,
    pub metrics: Vec<String>,
    pub url: Option<String>,
    pub external_labels: Vec<(String, String)>,
}

#[derive(Clone, Debug)]
pub struct Config {
    /// The file it was read from, if any.
    pub path: Option<PathBuf>,
    /// The directory `include`/`exclude` and other relative paths start from.
    pub base_dir: PathBuf,
    /// The file's source, kept to position errors in lint options.
    pub source: Option<SourceFile>,
    pub dialect: Dialect,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// Where `include` / `exclude` globs start from when they were inherited
    /// through `extends` from a configuration in another directory.
    pub include_base: Option<PathBuf>,
    pub exclude_base: Option<PathBuf>,
    pub lints: Vec<LintSetting>,
    pub runbook: RunbookConfig,
    pub owner: OwnerConfig,
    pub severity: SeverityConfig,
    pub prometheus: PrometheusConfig,
    pub alertmanager_config: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            path: None,
            base_dir: PathBuf::from("."),
            source: None,
            dialect: Dialect::Prometheus,
            include: Vec::new(),
            exclude: Vec::new(),
            include_base: None,
            exclude_base: None,
            lints: Vec::new(),
            runbook: RunbookConfig {
                annotations: vec!["runbook_url".into()],
                annotations_configured: false,
                url_pattern: None,
            },
            owner: OwnerConfig { labels: vec!["team".into()], labels_configured: false, teams: Vec::new() },
            severity: SeverityConfig {
                label: "severity".into(),
                values: vec!["critical".into(), "warning".into(), "info".into()],
                label_configured: false,
                values_configured: false,
            },
            prometheus: PrometheusConfig {
                scrape_interval: None,
                metrics: Vec::new(),
                url: None,
                external_labels: Vec::new(),
            },
            alertmanager_config: None,
        }
    }
}

impl Config {
    /// The nearest configuration file walking up from `dir`.
    pub fn discover(dir: &Path) -> Option<PathBuf> {
        dir.ancestors().flat_map(|d| FILE_NAMES.iter().map(move |n| d.join(n))).find(|p| p.is_file())
    }

    /// The configuration that applies to files in `dir`: the nearest
    /// `.alertlint.yaml` walking up, loaded with its `extends` chain, or the
    /// defaults. `check` and the language server both look configurations up
    /// through this function.
    pub fn for_dir(dir: &Path) -> Result<Config, ConfigError> {
        match Config::discover(dir) {
            Some(path) => Config::load(&path),
            None => Ok(Config::default()),
        }
    }

    /// Reads and validates a configuration file, starting from the one it
    /// `extends` (if any).
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        Config::load_chain(path, &mut Vec::new())
    }

    fn load_chain(path: &Path, chain: &mut Vec<PathBuf>) -> Result<Config, ConfigError> {
        let shown = path.display().to_string();
        let text = crate::read::read_text(path, crate::read::MAX_CONFIG_BYTES).map_err(|e| ConfigError {
            file: Some(shown.clone()),
            position: None,
            message: format!("cannot read configuration: {e}"),
        })?;
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if let Some(first) = chain.iter().position(|p| *p == canonical) {
            let cycle: Vec<String> =
                chain[first..].iter().chain([&canonical]).map(|p| p.display().to_string()).collect();
            return Err(ConfigError {
                file: Some(shown),
                position: None,
                message: format!("`extends` forms a cycle: {}", cycle.join(" -> ")),
            });
        }
        chain.push(canonical);
        let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let base_dir = if base_dir.as_os_str().is_empty() { PathBuf::from(".") } else { base_dir };
        let file = SourceFile::new(shown, text);
        let start = match extends_of(&file)? {
            Some((target, span)) => {
                let target_path = base_dir.join(&target);
                if !target_path.is_file() {
                    return Err(error_at(&file, span, format!("`extends`: no configuration file at `{target}`")));
                }
                let mut parent = Config::load_chain(&target_path, chain)?;
                parent.inherit_paths();
                parent
            }
            None => Config::default(),
        };
        let mut config = Config::parse_onto(start, file)?;
        config.base_dir = base_dir;
        config.path = Some(path.to_path_buf());
        if let Some(am) = &config.alertmanager_config {
            config.alertmanager_config = Some(config.base_dir.join(am));
        }
        chain.pop();
        Ok(config)
    }

    /// Makes the paths of a configuration that another one extends
    /// independent of its directory, which the extending one does not share.
    fn inherit_paths(&mut self) {
        let dir = self.base_dir.clone();
        self.prometheus.metrics = self.prometheus.metrics.iter().map(|m| dir.join(m).display().to_string()).collect();
        if self.include_base.is_none() && !self.include.is_empty() {
            self.include_base = Some(dir.clone());
        }
        if self.exclude_base.is_none() && !self.exclude.is_empty() {
            self.exclude_base = Some(dir);
        }
    }

    /// Parses configuration text (paths stay relative to the current directory).
    pub fn parse(file: SourceFile) -> Result<Config, ConfigError> {
        Config::parse_onto(Config::default(), file)
    }

    /// Parses configuration text over `config`: every key given replaces
    /// what `config` said, and `lints` entries are added to its own.
    fn parse_onto(mut config: Config, file: SourceFile) -> Result<Config, ConfigError> {
        let documents =
            yaml::load(file.text(), &yaml::Limits::default()).map_err(|e| error_at(&file, e.span, e.message))?;
        let Some(root) = documents.first().map(|d| &d.root) else {
            config.source = Some(file);
            return Ok(config);
        };
        let cx = Cursor { file: &file, node: root };
        if !cx.is_null() {
            for (key, value) in cx.mapping(&[
                "extends",
                "dialect",
                "include",
                "exclude",
                "lints",
                "runbook",
                "owner",
                "severity",
                "prometheus",
                "alertmanager",
            ])? {
                match key {
                    // Read before the rest, by `load`.
                    "extends" => {
                        value.string()?;
                    }
                    "dialect" => {
                        let s = value.string()?;
                        config.dialect = Dialect::parse(s).ok_or_else(|| {
                            value.error(format!("unknown dialect `{s}`; expected prometheus, thanos or mimir"))
                        })?;
                    }
                    "include" => {
                        config.include = value.string_list()?;
                        config.include_base = None;
                    }
                    "exclude" => {
                        config.exclude = value.string_list()?;
                        config.exclude_base = None;
                    }
                    "lints" => config.lints.extend(decode_lints(value)?),
                    "runbook" => {
                        for (key, value) in value.mapping(&["annotations", "url_pattern"])? {
                            match key {
                                "annotations" => {
                                    config.runbook.annotations = value.non_empty_list()?;
                                    config.runbook.annotations_configured = true;
                                }
                                _ => {
                                    let pattern = value.string()?;
                                    let re = regex::Regex::new(pattern)
                                        .map_err(|e| value.error(format!("invalid `url_pattern`: {e}")))?;
                                    config.runbook.url_pattern = Some(re);
                                }
                            }
                        }
                    }
                    "owner" => {
                        for (key, value) in value.mapping(&["labels", "teams"])? {
                            match key {
                                "labels" => {
                                    config.owner.labels = value.non_empty_list()?;
                                    config.owner.labels_configured = true;
                                }
                                _ => config.owner.teams = value.string_list()?,
                            }
                        }
                    }
                    "severity" => {
                        for (key, value) in value.mapping(&["label", "values"])? {
                            match key {
                                "label" => {
                                    config.severity.label = value.string()?.to_string();
                                    config.severity.label_configured = true;
                                }
                                _ => {
                                    config.severity.values = value.non_empty_list()?;
                                    config.severity.values_configured = true;
                                }
                            }
                        }
                    }
                    "prometheus" => {
                        for (key, value) in value.mapping(&["scrape_interval", "metrics", "url", "external_labels"])? {
                            match key {
                                "scrape_interval" => config.prometheus.scrape_interval = Some(value.duration()?),
                                "metrics" => config.prometheus.metrics = value.string_list()?,
                                "url" => config.prometheus.url = Some(value.string()?.to_string()),
                                _ => {
                                    config.prometheus.external_labels = value
                                        .mapping_any()?
                                        .into_iter()
                                        .map(|(k, v)| Ok((k.to_string(), v.string()?.to_string())))
                                        .collect::<Result<_, ConfigError>>()?
                                }
                            }
                        }
                    }
                    _ => {
                        for (_, value) in value.mapping(&["config"])? {
                            config.alertmanager_config = Some(PathBuf::from(value.string()?));
                        }
                    }
                }
            }
        }
        config.source = Some(file);
        Ok(config)
    }

    /// The options entry for lint `id` (its most specific setting).
    pub fn options_for(&self, id: &str) -> OptionsNode<'_> {
        let setting = self.lints.iter().rev().find(|s| s.pattern == id);
        OptionsNode { lint: id.to_string(), file: self.source.as_ref(), node: setting.and_then(|s| s.options.as_ref()) }
    }

    /// The severity configured for lint `id`: `None` = default, `Some(None)` = off.
    /// An exact id wins over a family glob; later entries win over earlier ones.
    pub fn severity_for(&self, id: &str) -> Option<Option<Severity>> {
        let exact = self.lints.iter().rev().find(|s| s.pattern == id && s.severity.is_some());
        let glob = || {
            self.lints
                .iter()
                .rev()
                .find(|s| s.pattern != id && crate::lints::pattern_matches(&s.pattern, id) && s.severity.is_some())
        };
        exact.or_else(glob).and_then(|s| s.severity)
    }
}

/// The `extends` value of a configuration file and its span, read before the
/// rest so that the file it names can be loaded first.
fn extends_of(file: &SourceFile) -> Result<Option<(String, Span)>, ConfigError> {
    let documents = yaml::load(file.text(), &yaml::Limits::default()).map_err(|e| error_at(file, e.span, e.message))?;
    let Some((_, value)) = documents.first().and_then(|d| d.root.entry("extends")) else {
        return Ok(None);
    };
    let target = Cursor { file, node: value }.string()?;
    Ok(Some((target.to_string(), value.span)))
}

fn decode_lints(node: Cursor<'_>) -> Result<Vec<LintSetting>, ConfigError> {
    let mut settings = Vec::new();
    for (pattern, value) in node.mapping_any()? {
        if !crate::lints::pattern_is_known(pattern) {
            let ids = crate::lints::registry().iter().map(|r| r.meta.id);
            let hint =
                crate::lints::closest(pattern, ids).map(|c| format!("; did you mean `{c}`?")).unwrap_or_default();
            return Err(node.error_at(node.key_span(pattern), format!("unknown lint `{pattern}`{hint}")));
        }
        let (severity, options) = match &value.node.kind {
            NodeKind::Scalar(_) => (Some(value.severity_or_off()?), None),
            NodeKind::Mapping(entries) => {
                let severity = match entries.iter().find(|(k, _)| scalar_str(k) == Some("severity")) {
                    Some((_, v)) => Some(Cursor { file: node.file, node: v }.severity_or_off()?),
                    None => None,
                };
                (severity, Some(value.node.clone()))
            }
            NodeKind::Sequence(_) => {
                return Err(
                    value.error("expected a severity (`error`, `warning`, `info`, `off`) or a mapping of options")
                );
            }
        };
        settings.push(LintSetting { pattern: pattern.to_string(), severity, options });
    }
    Ok(settings)
}

fn scalar_str(node: &Node) -> Option<&str> {
    match &node.kind {
        NodeKind::Scalar(s) => Some(&s.value),
        _ => None,
    }
}

fn error_at(file: &SourceFile, span: Span, message: impl Into<String>) -> ConfigError {
    let p = file.position(span.start);
    ConfigError { file: Some(file.name().to_string()), position: Some((p.line, p.column)), message: message.into() }
}

/// A node of the configuration file with the means to report positioned errors.
#[derive(Clone, Copy)]
pub struct Cursor<'a> {
    pub file: &'a SourceFile,
    pub node: &'a Node,
}

impl<'a> Cursor<'a> {
    pub fn error(&self, message: impl Into<String>) -> ConfigError {
        error_at(self.file, self.node.span, message)
    }

    fn error_at(&self, span: Span, message: impl Into<String>) -> ConfigError {
        error_at(self.file, span, message)
    }

    fn key_span(&self, key: &str) -> Span {
        match &self.node.kind {
            NodeKind::Mapping(entries) => {
                entries.iter().find(|(k, _)| scalar_str(k) == Some(key)).map_or(self.node.span, |(k, _)| k.span)
            }
            _ => self.node.span,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.node.kind, NodeKind::Scalar(s) if s.style == yaml::ScalarStyle::Plain && matches!(s.value.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// Entries of a mapping, any keys. A null node is an empty mapping.
    pub fn mapping_any(&self) -> Result<Vec<(&'a str, Cursor<'a>)>, ConfigError> {
        if self.is_null() {
            return Ok(Vec::new());
        }
        let NodeKind::Mapping(entries) = &self.node.kind else {
            return Err(self.error("expected a mapping"));
        };
        entries
            .iter()
            .map(|(k, v)| match scalar_str(k) {
                Some(key) => Ok((key, Cursor { file: self.file, node: v })),
                None => Err(self.error_at(k.span, "expected a string key")),
            })
            .collect()
    }

    /// Entries of a mapping whose keys must be among `allowed`.
    pub fn mapping(&self, allowed: &[&str]) -> Result<Vec<(&'a str, Cursor<'a>)>, ConfigError> {
        let entries = self.mapping_any()?;
        for (key, _) in &entries {
            if !allowed.contains(key) {
                let hint = crate::lints::closest(key, allowed.iter().copied())
                    .map(|c| format!("; did you mean `{c}`?"))
                    .unwrap_or_else(|| format!("; expected one of: {}", allowed.join(", ")));
                return Err(self.error_at(self.key_span(key), format!("unknown key `{key}`{hint}")));
            }
        }
        Ok(entries)
    }

    pub fn string(&self) -> Result<&'a str, ConfigError> {
        match &self.node.kind {
            NodeKind::Scalar(s) if !self.is_null() => Ok(&s.value),
            _ => Err(self.error("expected a string")),
        }
    }

    pub fn string_list(&self) -> Result<Vec<String>, ConfigError> {
        match &self.node.kind {
            NodeKind::Sequence(items) => {
                items.iter().map(|n| Cursor { file: self.file, node: n }.string().map(str::to_string)).collect()
            }
            _ if self.is_null() => Ok(Vec::new()),
            _ => Err(self.error("expected a list of strings")),
        }
    }

    fn non_empty_list(&self) -> Result<Vec<String>, ConfigError> {
        let list = self.string_list()?;
        if list.is_empty() {
            return Err(self.error("expected at least one value"));
        }
        Ok(list)
    }

    pub fn duration(&self) -> Result<i64, ConfigError> {
        let text = self.string()?;
        crate::duration::parse(text).map_err(|e| self.error(e))
    }

    pub fn severity_or_off(&self) -> Result<Option<Severity>, ConfigError> {
        let text = self.string()?;
        match text {
            "off" => Ok(None),
            _ => Severity::parse(text)
                .map(Some)
                .ok_or_else(|| self.error(format!("unknown severity `{text}`; expected error, warning, info or off"))),
        }
    }
}

/// A lint's own options entry, handed to its constructor.
pub struct OptionsNode<'a> {
    lint: String,
    file: Option<&'a SourceFile>,
    node: Option<&'a Node>,
}

impl<'a> OptionsNode<'a> {
    /// For lints without options: any key besides `severity` is an error.
    pub fn no_options(&self) -> Result<(), ConfigError> {
        self.entries(&[]).map(|_| ())
    }

    /// The option entries (`severity` excluded), each key among `allowed`.
    pub fn entries(&self, allowed: &[&str]) -> Result<Vec<(&'a str, Cursor<'a>)>, ConfigError> {
        let (Some(file), Some(node)) = (self.file, self.node) else { return Ok(Vec::new()) };
        let mut keys = vec!["severity"];
        keys.extend_from_slice(allowed);
        let entries = Cursor { file, node }.mapping(&keys).map_err(|mut e| {
            if allowed.is_empty() {
                e.message = format!("{} (lint `{}` has no options besides `severity`)", e.message, self.lint);
            }
            e
        })?;
        Ok(entries.into_iter().filter(|(k, _)| *k != "severity").collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(SourceFile::new(".alertlint.yaml", text))
    }

    #[test]
    fn reads_every_section() {
        let config = parse(
            "dialect: thanos\ninclude: [\"rules/**\"]\nlints:\n  record/naming: off\n  noise/*: error\nrunbook: { annotations: [runbook, runbook_url], url_pattern: '^https://' }\nowner: { labels: [team, owner], teams: [db, sre] }\nseverity: { label: level, values: [page, ticket] }\nprometheus: { scrape_interval: 30s }\nalertmanager: { config: am.yml }\n",
        )
        .unwrap();
        assert_eq!(config.dialect, Dialect::Thanos);
        assert_eq!(config.include, ["rules/**"]);
        assert_eq!(config.severity_for("record/naming"), Some(None));
        assert_eq!(config.severity_for("noise/irate"), Some(Some(Severity::Error)));
        assert_eq!(config.severity_for("owner/missing"), None);
        assert_eq!(config.runbook.annotations, ["runbook", "runbook_url"]);
        assert_eq!(config.owner.teams, ["db", "sre"]);
        assert_eq!(config.severity.label, "level");
        assert_eq!(config.prometheus.scrape_interval, Some(30_000));
        assert!(config.runbook.annotations_configured && config.owner.labels_configured);
        assert!(config.severity.label_configured && config.severity.values_configured);
        assert!(!Config::default().runbook.annotations_configured);
        assert_eq!(Config::default().prometheus.scrape_interval, None);
        assert_eq!(config.alertmanager_config, Some(PathBuf::from("am.yml")));
    }

    #[test]
    fn unknown_keys_are_errors_with_positions() {
        let err = parse("runbook:\n  anotations: [x]\n").unwrap_err();
        assert_eq!(err.to_string(), ".alertlint.yaml:2:3: unknown key `anotations`; did you mean `annotations`?");
        let err = parse("lints:\n  noise/for-to-short: off\n").unwrap_err();
        assert_eq!(err.position, Some((2, 3)));
        assert!(err.message.contains("did you mean `noise/for-too-short`"), "{}", err.message);
    }

    #[test]
    fn bad_values_are_errors() {
        assert!(parse("dialect: cortex\n").unwrap_err().message.contains("unknown dialect"));
        assert!(parse("lints:\n  record/naming: loud\n").unwrap_err().message.contains("unknown severity"));
        assert!(parse("prometheus: { scrape_interval: 1.5m }\n").unwrap_err().message.contains("duration"));
        assert!(parse("runbook: { url_pattern: '(' }\n").unwrap_err().message.contains("url_pattern"));
    }

    #[test]
    fn an_exact_id_wins_over_its_family() {
        let config = parse("lints:\n  noise/irate: warning\n  noise/*: off\n").unwrap();
        assert_eq!(config.severity_for("noise/irate"), Some(Some(Severity::Warning)));
        assert_eq!(config.severity_for("noise/raw-counter"), Some(None));
    }
}

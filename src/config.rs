//! `.alertlint.yaml`: strict decoding (an unknown key is an error naming the
//! key and its position), per-lint severities and options.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::catalog::ServerFile;
use crate::diagnostic::Severity;
use crate::model::Dialect;
use crate::source::SourceFile;
use crate::span::Span;
use crate::yaml::{self, Node, NodeKind};

/// Team policies (`policies:`), read with the rest of the configuration.
pub mod policy;

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
    /// Where the id is written.
    pub key_span: Span,
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

/// One Prometheus server: the `prometheus:` section, or one entry when it is a
/// list of servers. One field per key; `Config::load` resolves the paths.
#[derive(Clone, Debug, Default)]
pub struct PrometheusConfig {
    /// `name`: the server's name (list form), used in messages.
    pub name: Option<String>,
    /// `paths`: globs, relative to the configuration file, of the rule files
    /// this server loads (list form).
    pub paths: Vec<String>,
    /// `config`: the server's own `prometheus.yml`, resolved against the
    /// configuration file's directory by `Config::load`.
    pub config: Option<PathBuf>,
    /// What that file says, once read.
    pub server_file: Option<Arc<ServerFile>>,
    /// `scrape_interval`, milliseconds; `None` when not configured (the
    /// interval is then unknown, or read from `config`).
    pub scrape_interval: Option<i64>,
    /// `metrics`: saved scrapes, paths or globs relative to the configuration file.
    pub metrics: Vec<String>,
    /// `url`: a live server for the online lints.
    pub url: Option<String>,
    /// `external_labels`, with those of `config` filled in by `Config::load`.
    pub external_labels: Vec<(String, String)>,
    /// `headers` as written: `${VAR}` is read from the environment when connecting.
    pub headers: Vec<(String, String)>,
    /// `ca_file`, resolved against the configuration file's directory.
    pub ca_file: Option<PathBuf>,
}

impl PrometheusConfig {
    /// Decodes a `prometheus:` mapping; `listed` for an entry of a list of servers.
    fn decode(node: Cursor<'_>, listed: bool) -> Result<PrometheusConfig, ConfigError> {
        // `version` and `features` are read by `Config::parse_onto` (`config.target`).
        const KEYS: &[&str] = &[
            "config",
            "scrape_interval",
            "external_labels",
            "metrics",
            "url",
            "headers",
            "ca_file",
            "version",
            "features",
        ];
        let mut keys = KEYS.to_vec();
        if listed {
            keys.extend(["name", "paths"]);
        }
        let mut server = PrometheusConfig::default();
        for (key, value) in node.mapping(&keys)? {
            match key {
                "name" => server.name = Some(value.string()?.to_string()),
                "paths" => server.paths = value.non_empty_list()?,
                "config" => server.config = Some(PathBuf::from(value.string()?)),
                "scrape_interval" => server.scrape_interval = Some(value.duration()?),
                "metrics" => server.metrics = value.string_list()?,
                "url" => server.url = Some(value.string()?.to_string()),
                "external_labels" => server.external_labels = value.string_map()?,
                "headers" => server.headers = value.string_map()?,
                "ca_file" => server.ca_file = Some(PathBuf::from(value.string()?)),
                // `mapping` rejected every other key.
                _ => {}
            }
        }
        if listed && (server.name.is_none() || server.paths.is_empty()) {
            return Err(node.error("each server in the `prometheus` list needs a `name` and `paths`"));
        }
        Ok(server)
    }

    /// Resolves relative paths against `base` and reads `config`.
    /// Settings inherited through `extends` were resolved against their own
    /// file already: joining an absolute path changes nothing, and a read
    /// `config` is not read again.
    fn resolve(&mut self, base: &Path) -> Result<(), ConfigError> {
        let base = std::fs::canonicalize(base).unwrap_or_else(|_| base.to_path_buf());
        if let Some(ca) = &self.ca_file {
            self.ca_file = Some(base.join(ca));
        }
        if let Some(file) = self.config.as_ref().filter(|_| self.server_file.is_none()) {
            let path = base.join(file);
            let read = ServerFile::load(&path).map_err(ConfigError::new)?;
            // What `.alertlint.yaml` says wins over what the server's file says.
            for (k, v) in &read.external_labels {
                if !self.external_labels.iter().any(|(key, _)| key == k) {
                    self.external_labels.push((k.clone(), v.clone()));
                }
            }
            self.config = Some(path);
            self.server_file = Some(Arc::new(read));
        }
        Ok(())
    }

    /// Whether this server's `paths` name the file at `relative` (relative to the configuration's directory).
    fn claims(&self, relative: &Path) -> bool {
        self.paths.iter().any(|p| {
            crate::globs::glob(p, crate::globs::Separator::Literal)
                .is_ok_and(|g| g.compile_matcher().is_match(relative))
        })
    }
}

/// The files one Prometheus server loads together: the scope of cross-file
/// lints such as `rule/duplicate`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LoadScope {
    /// Loaded by the server at this index of `Config::servers()`.
    Server(usize),
    /// Nothing says which other files are loaded with it: the file alone.
    Alone(PathBuf),
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
    /// The single server's settings (`prometheus:` as a mapping); with a list
    /// of servers, the defaults used by files that no server's `paths` name.
    pub prometheus: PrometheusConfig,
    /// `prometheus:` as a list of servers, each with `name` and `paths`.
    pub prometheus_servers: Vec<PrometheusConfig>,
    pub alertmanager_config: Option<PathBuf>,
    /// `prometheus.version` and `prometheus.features`.
    pub target: crate::model::Target,
    /// `policies:`.
    pub policies: Vec<crate::policy::Policy>,
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
            prometheus: PrometheusConfig::default(),
            prometheus_servers: Vec::new(),
            alertmanager_config: None,
            target: crate::model::Target::default(),
            policies: Vec::new(),
        }
    }
}

impl Config {
    /// The nearest configuration file walking up from `dir`.
    pub fn discover(dir: &Path) -> Option<PathBuf> {
        dir.ancestors().find_map(Config::in_dir)
    }

    /// The configuration file in `dir` itself, not above it.
    pub fn in_dir(dir: &Path) -> Option<PathBuf> {
        FILE_NAMES.iter().map(|n| dir.join(n)).find(|p| p.is_file())
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
        let base = config.base_dir.clone();
        for server in std::iter::once(&mut config.prometheus).chain(&mut config.prometheus_servers) {
            server.resolve(&base).map_err(|mut e| {
                e.file.get_or_insert(path.display().to_string());
                e
            })?;
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
            self.exclude_base = Some(dir.clone());
        }
        for policy in &mut self.policies {
            policy.base.get_or_insert_with(|| dir.clone());
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
                "policies",
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
                    "policies" => {
                        // Added to those of the configuration this one extends; one
                        // with the same name replaces the inherited policy.
                        let own = crate::policy::decode(value)?;
                        config.policies.retain(|inherited| own.iter().all(|p| p.name != inherited.name));
                        config.policies.extend(own);
                    }
                    "prometheus" => match &value.node.kind {
                        NodeKind::Sequence(items) => {
                            for item in items {
                                let server = PrometheusConfig::decode(Cursor { file: &file, node: item }, true)?;
                                if config.prometheus_servers.iter().any(|s| s.name == server.name) {
                                    return Err(Cursor { file: &file, node: item }.error(format!(
                                        "two servers are named `{}`",
                                        server.name.unwrap_or_default()
                                    )));
                                }
                                config.prometheus_servers.push(server);
                            }
                        }
                        _ => {
                            // The syntax Prometheus accepts applies to every file checked.
                            for (key, value) in value.mapping_any()? {
                                if matches!(key, "version" | "features") {
                                    decode_target(&mut config.target, key, value)?;
                                }
                            }
                            config.prometheus = PrometheusConfig::decode(value, false)?;
                        }
                    },
                    _ => {
                        for (_, value) in value.mapping(&["config"])? {
                            config.alertmanager_config = Some(PathBuf::from(value.string()?));
                        }
                    }
                }
            }
        }
        check_policy_settings(&config, &file)?;
        config.source = Some(file);
        Ok(config)
    }

    /// Every configured server: the list, or the single one.
    pub fn servers(&self) -> &[PrometheusConfig] {
        if self.prometheus_servers.is_empty() {
            std::slice::from_ref(&self.prometheus)
        } else {
            &self.prometheus_servers
        }
    }

    /// `path` relative to the configuration's directory, both made canonical
    /// (so that a symlink and its target are one file).
    fn relative(&self, path: &Path) -> PathBuf {
        let canonical = |p: &Path| {
            std::fs::canonicalize(p)
                .unwrap_or_else(|_| std::env::current_dir().map(|d| d.join(p)).unwrap_or_else(|_| p.to_path_buf()))
        };
        let absolute = canonical(path);
        let base = canonical(&self.base_dir);
        absolute.strip_prefix(&base).map(Path::to_path_buf).unwrap_or(absolute)
    }

    /// The index in `servers()` of the server whose settings apply to the
    /// rule file at `path`; `None` when a list of servers names none of them.
    pub fn server_index(&self, path: &Path) -> Option<usize> {
        if self.prometheus_servers.is_empty() {
            return Some(0);
        }
        let relative = self.relative(path);
        self.prometheus_servers.iter().position(|s| s.claims(&relative))
    }

    /// The settings that apply to the rule file at `path`.
    pub fn prometheus_for(&self, path: &Path) -> &PrometheusConfig {
        match self.server_index(path) {
            Some(i) => &self.servers()[i],
            None => &self.prometheus,
        }
    }

    /// The files loaded together with the rule file at `path`: those of the
    /// server whose `paths` name it, or whose `config`'s `rule_files` do;
    /// otherwise the file alone.
    pub fn load_scope(&self, path: &Path) -> LoadScope {
        let listed = !self.prometheus_servers.is_empty();
        if let Some(index) = self.server_index(path) {
            let server = &self.servers()[index];
            if listed || server.server_file.as_ref().is_some_and(|f| f.loads(path)) {
                return LoadScope::Server(index);
            }
        }
        LoadScope::Alone(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
    }

    /// Whether `pattern` names a registered lint or a configured policy.
    pub fn pattern_is_known(&self, pattern: &str) -> bool {
        crate::names::pattern_is_known(pattern)
            || self.policies.iter().any(|p| crate::names::pattern_matches(pattern, p.id))
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
                .find(|s| s.pattern != id && crate::names::pattern_matches(&s.pattern, id) && s.severity.is_some())
        };
        exact.or_else(glob).and_then(|s| s.severity)
    }
}

/// `prometheus.version` or `prometheus.features`.
fn decode_target(target: &mut crate::model::Target, key: &str, value: Cursor<'_>) -> Result<(), ConfigError> {
    use crate::model::{Feature, Version};
    if key == "version" {
        let text = value.string()?;
        target.version = Some(Version::parse(text).ok_or_else(|| {
            value.error(format!(
                "invalid Prometheus version `{text}`; expected a 2.x or 3.x release such as \"3.5\" or \"2.45\""
            ))
        })?);
        return Ok(());
    }
    let NodeKind::Sequence(items) = &value.node.kind else {
        return if value.is_null() { Ok(()) } else { Err(value.error("expected a list of feature names")) };
    };
    for item in items {
        let item = Cursor { file: value.file, node: item };
        let name = item.string()?;
        target.enable(Feature::parse(name).ok_or_else(|| item.error(Feature::unknown_message(name)))?);
    }
    Ok(())
}

/// `lints:` entries naming `policy/...` must name a configured policy (the
/// `policies:` key may come after `lints:`, so this runs last).
fn check_policy_settings(config: &Config, file: &SourceFile) -> Result<(), ConfigError> {
    for setting in &config.lints {
        if setting.pattern == "policy/*" || config.pattern_is_known(&setting.pattern) {
            continue;
        }
        let ids = config.policies.iter().map(|p| p.id);
        let hint =
            crate::names::closest(&setting.pattern, ids).map(|c| format!("; did you mean `{c}`?")).unwrap_or_default();
        let span = setting.key_span;
        return Err(error_at(file, span, format!("no policy is named `{}`{hint}", setting.pattern)));
    }
    Ok(())
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

/// A lint id or family glob as `lints:`, `--select` and `--ignore` take it:
/// an error ("unknown lint `x`; did you mean `y`?") when it names no
/// registered lint. `policy/...` patterns are checked against each
/// directory's own configuration instead.
pub fn check_lint_pattern(pattern: &str) -> Result<(), String> {
    if crate::policy::is_policy_pattern(pattern) || crate::names::pattern_is_known(pattern) {
        return Ok(());
    }
    let ids = crate::names::ids::ALL.iter().copied();
    let hint = crate::names::closest(pattern, ids).map(|c| format!("; did you mean `{c}`?")).unwrap_or_default();
    Err(format!("unknown lint `{pattern}`{hint}"))
}

fn decode_lints(node: Cursor<'_>) -> Result<Vec<LintSetting>, ConfigError> {
    let mut settings = Vec::new();
    for (pattern, value) in node.mapping_any()? {
        check_lint_pattern(pattern).map_err(|message| node.error_at(node.key_span(pattern), message))?;
        let is_policy = crate::policy::is_policy_pattern(pattern);
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
        if is_policy && matches!(value.node.kind, NodeKind::Mapping(_)) {
            value.mapping(&["severity"]).map_err(|mut e| {
                e.message.push_str(" (a policy takes only `severity` here; its checks belong in `policies:`)");
                e
            })?;
        }
        settings.push(LintSetting {
            pattern: pattern.to_string(),
            severity,
            options,
            key_span: node.key_span(pattern),
        });
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
                let hint = crate::names::closest(key, allowed.iter().copied())
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

    /// A mapping of strings to strings, in file order.
    pub fn string_map(&self) -> Result<Vec<(String, String)>, ConfigError> {
        self.mapping_any()?.into_iter().map(|(k, v)| Ok((k.to_string(), v.string()?.to_string()))).collect()
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

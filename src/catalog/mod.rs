//! What is known about metrics: names and types, from saved scrapes and
//! from a live Prometheus. Empty unless configured.

mod exposition;
pub mod prometheus;
pub mod server_config;

#[cfg(test)]
pub(crate) mod canned;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use prometheus::{Api, ApiError, Client, Endpoint, RangeSeries, redact_url};
pub use server_config::{ScrapeIntervals, ServerFile, ServerSettings};

use crate::config::PrometheusConfig;

/// A metric family's type, as the exposition format names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricType {
    Counter,
    Gauge,
    Histogram,
    GaugeHistogram,
    Summary,
    Info,
    StateSet,
    Unknown,
}

impl MetricType {
    /// The type as written in a `# TYPE` line or in Prometheus's metadata.
    pub fn parse(word: &str) -> MetricType {
        match word {
            "counter" => MetricType::Counter,
            "gauge" => MetricType::Gauge,
            "histogram" => MetricType::Histogram,
            "gaugehistogram" => MetricType::GaugeHistogram,
            "summary" => MetricType::Summary,
            "info" => MetricType::Info,
            "stateset" => MetricType::StateSet,
            _ => MetricType::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MetricType::Counter => "counter",
            MetricType::Gauge => "gauge",
            MetricType::Histogram => "histogram",
            MetricType::GaugeHistogram => "gaugehistogram",
            MetricType::Summary => "summary",
            MetricType::Info => "info",
            MetricType::StateSet => "stateset",
            MetricType::Unknown => "unknown",
        }
    }
}

/// Metric names and types, and the live server they came from, if any.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    /// Family name → type, as declared by `# TYPE` lines or metadata.
    types: HashMap<String, MetricType>,
    /// Every series name seen: sample names, and the names a declared family
    /// produces (`foo_total`, `foo_bucket`, ...) even when it had no samples.
    names: HashSet<String>,
    /// Whether any source of names was loaded (an empty scrape still counts).
    loaded: bool,
    online: Option<Online>,
    /// Saved scrapes that gave no metric.
    warnings: Vec<String>,
    /// Family name → `# HELP` text, for editors.
    help: HashMap<String, String>,
    /// Series name → label name → values seen in saved scrapes, for editors.
    labels: HashMap<String, BTreeMap<String, BTreeSet<String>>>,
}

/// At most this many values are kept per label of a series (a request id
/// label must not fill memory).
const MAX_LABEL_VALUES: usize = 200;

/// A Prometheus server that answered.
#[derive(Clone, Debug)]
pub struct Online {
    pub api: Arc<dyn Api>,
    /// What the server's `/api/v1/status/config` and flags say.
    pub settings: ServerSettings,
}

/// A scrape interval known from a source of truth, and where it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KnownInterval {
    /// Milliseconds.
    pub millis: i64,
    /// Whether it is the job's own interval (not the global one).
    pub per_job: bool,
}

/// A saved scrape that could not be used: exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read metrics file {path}: {source}")]
    Read { path: String, source: crate::read::ReadError },
    #[error("metrics pattern `{0}` matches no file")]
    NoMatch(String),
    #[error("invalid metrics pattern `{pattern}`: {message}")]
    Pattern { pattern: String, message: String },
    #[error(
        "metrics pattern `{pattern}` looks at more than {MAX_WALK_ENTRIES} paths under {root}; make its directory part more precise"
    )]
    TooWide { pattern: String, root: String },
}

/// Most directory entries one metrics glob may look at: `/**/*.prom` must not
/// walk the whole file system.
pub const MAX_WALK_ENTRIES: usize = 20_000;

impl Catalog {
    pub fn is_empty(&self) -> bool {
        self.types.is_empty() && self.names.is_empty()
    }

    /// Whether names were loaded from a saved scrape or a server, so that a
    /// name missing from the catalog means something.
    pub fn is_loaded(&self) -> bool {
        self.loaded
    }

    /// The type of the series `name` (a family name, or a sample name such as
    /// `foo_bucket` of histogram `foo` or `foo_total` of OpenMetrics counter `foo`).
    pub fn metric_type(&self, name: &str) -> Option<MetricType> {
        if let Some(t) = self.types.get(name) {
            return Some(*t);
        }
        // Which family types produce a sample with this suffix.
        const SUFFIXES: &[(&str, &[MetricType])] = &[
            ("_total", &[MetricType::Counter]),
            ("_created", &[MetricType::Counter, MetricType::Histogram, MetricType::Summary]),
            ("_bucket", &[MetricType::Histogram, MetricType::GaugeHistogram]),
            ("_count", &[MetricType::Histogram, MetricType::Summary]),
            ("_sum", &[MetricType::Histogram, MetricType::Summary]),
            ("_gcount", &[MetricType::GaugeHistogram]),
            ("_gsum", &[MetricType::GaugeHistogram]),
            ("_info", &[MetricType::Info]),
        ];
        SUFFIXES.iter().find_map(|(suffix, families)| {
            let base = name.strip_suffix(suffix).filter(|b| !b.is_empty())?;
            self.types.get(base).copied().filter(|t| families.contains(t))
        })
    }

    /// Whether `name` is a series the catalog has seen or can derive.
    pub fn knows(&self, name: &str) -> bool {
        self.names.contains(name) || self.metric_type(name).is_some()
    }

    /// Every series name known, for typo suggestions.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }

    pub fn insert(&mut self, name: impl Into<String>, metric_type: MetricType) {
        let name = name.into();
        self.names.extend(exposed_names(&name, metric_type));
        self.types.insert(name, metric_type);
        self.loaded = true;
    }

    /// The `# HELP` text of a family, or of the family a sample name belongs to.
    pub fn help(&self, name: &str) -> Option<&str> {
        if let Some(h) = self.help.get(name) {
            return Some(h);
        }
        ["_total", "_bucket", "_count", "_sum", "_created", "_info"]
            .iter()
            .find_map(|suffix| self.help.get(name.strip_suffix(suffix)?))
            .map(String::as_str)
    }

    pub fn insert_help(&mut self, name: &str, help: &str) {
        self.help.insert(name.to_string(), help.to_string());
    }

    /// Records one label pair seen on a series.
    pub fn insert_label(&mut self, series: &str, label: &str, value: &str) {
        let values = self.labels.entry(series.to_string()).or_default().entry(label.to_string()).or_default();
        if values.len() < MAX_LABEL_VALUES {
            values.insert(value.to_string());
        }
    }

    /// The labels seen on a series and their values (empty when unknown).
    pub fn labels_of(&self, series: &str) -> Option<&BTreeMap<String, BTreeSet<String>>> {
        self.labels.get(series)
    }

    /// Every label name seen on any series.
    pub fn all_label_names(&self) -> BTreeSet<&str> {
        self.labels.values().flat_map(|m| m.keys()).map(String::as_str).collect()
    }

    /// Records a series name without a type.
    pub fn insert_name(&mut self, name: impl Into<String>) {
        self.names.insert(name.into());
        self.loaded = true;
    }

    /// Adds the families of a text exposition / OpenMetrics document.
    /// Returns how many lines named a metric.
    pub fn load_exposition(&mut self, text: &str) -> usize {
        self.loaded = true;
        exposition::load(self, text)
    }

    /// Saved scrapes that were read but gave no metric, with the likely reason.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Reads saved scrapes: each pattern is a path or a glob relative to `base`.
    pub fn load_files(&mut self, base: &Path, patterns: &[String]) -> Result<(), LoadError> {
        for pattern in patterns {
            for path in expand(base, pattern)? {
                let bytes = crate::read::read_bytes(&path, crate::read::MAX_METRICS_BYTES)
                    .map_err(|source| LoadError::Read { path: path.display().to_string(), source })?;
                if self.load_exposition(&decode_exposition(&bytes)) == 0 {
                    self.warnings.push(no_metrics_warning(&path, &bytes));
                }
            }
        }
        Ok(())
    }

    /// The live server, when one answered.
    pub fn online(&self) -> Option<&Online> {
        self.online.as_ref()
    }

    pub fn set_online(&mut self, online: Online) {
        self.loaded = true;
        self.online = Some(online);
    }

    /// The scrape interval of the series of `job` in rule files of `server`:
    /// what the live server says, else the server's configuration file
    /// (`prometheus.config`); `None` when neither is known. The caller decides
    /// what to assume then.
    pub fn scrape_interval(&self, server: &PrometheusConfig, job: Option<&str>) -> Option<KnownInterval> {
        let sources =
            [self.online.as_ref().map(|o| &o.settings.intervals), server.server_file.as_ref().map(|f| &f.intervals)];
        sources.into_iter().flatten().find_map(|intervals| match job.and_then(|j| intervals.jobs.get(j)) {
            Some(&millis) => Some(KnownInterval { millis, per_job: true }),
            None => intervals.global.map(|millis| KnownInterval { millis, per_job: false }),
        })
    }
}

/// A saved scrape's text: UTF-8 (invalid bytes replaced), or UTF-16 when it
/// starts with a byte-order mark (as Windows tools save text).
fn decode_exposition(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    let utf16 = |be: bool| {
        let units = bytes[2..]
            .chunks_exact(2)
            .map(|p| if be { u16::from_be_bytes([p[0], p[1]]) } else { u16::from_le_bytes([p[0], p[1]]) });
        std::borrow::Cow::Owned(char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect())
    };
    if bytes.starts_with(&[0xFF, 0xFE]) {
        utf16(false)
    } else if bytes.starts_with(&[0xFE, 0xFF]) {
        utf16(true)
    } else {
        String::from_utf8_lossy(bytes)
    }
}

/// Why a saved scrape gave no metric, as far as its bytes tell.
fn no_metrics_warning(path: &Path, bytes: &[u8]) -> String {
    let why = if bytes.is_empty() {
        "it is empty".to_string()
    } else if bytes.contains(&0) || std::str::from_utf8(bytes).is_err() {
        "it is not text (a protobuf or compressed scrape?); save the text format, `curl -H 'Accept: text/plain' …/metrics`".to_string()
    } else {
        "no line is a sample or a `# TYPE` line of the text exposition format".to_string()
    };
    format!("metrics file {} holds no metric: {why}", path.display())
}

/// The series names a family of this type exposes.
fn exposed_names(family: &str, metric_type: MetricType) -> Vec<String> {
    let with = |suffixes: &[&str]| suffixes.iter().map(|s| format!("{family}{s}")).collect::<Vec<_>>();
    let mut names = vec![family.to_string()];
    match metric_type {
        // A classic counter is already named `foo_total`; an OpenMetrics one is `foo`.
        MetricType::Counter if !family.ends_with("_total") => names.extend(with(&["_total", "_created"])),
        MetricType::Histogram => names.extend(with(&["_bucket", "_count", "_sum", "_created"])),
        MetricType::Summary => names.extend(with(&["_count", "_sum", "_created"])),
        MetricType::GaugeHistogram => names.extend(with(&["_bucket", "_gcount", "_gsum"])),
        MetricType::Info if !family.ends_with("_info") => names.extend(with(&["_info"])),
        _ => {}
    }
    names
}

/// The files a metrics pattern names. A plain path must exist; a glob must
/// match at least one file, since matching none is almost always a typo.
fn expand(base: &Path, pattern: &str) -> Result<Vec<PathBuf>, LoadError> {
    let is_glob = pattern.contains(['*', '?', '[', '{']);
    if !is_glob {
        return Ok(vec![base.join(pattern)]);
    }
    crate::globs::check_glob(pattern)
        .map_err(|message| LoadError::Pattern { pattern: pattern.to_string(), message })?;
    let glob = crate::globs::glob(pattern, crate::globs::Separator::Literal)
        .map_err(|e| LoadError::Pattern { pattern: pattern.to_string(), message: e.to_string() })?
        .compile_matcher();
    // Walk only below the part of the pattern without wildcards.
    let literal: PathBuf = Path::new(pattern)
        .components()
        .take_while(|c| !c.as_os_str().to_string_lossy().contains(['*', '?', '[', '{']))
        .collect();
    let root = base.join(&literal);
    let mut found = Vec::new();
    for (visited, entry) in ignore::WalkBuilder::new(&root).standard_filters(false).build().flatten().enumerate() {
        if visited >= MAX_WALK_ENTRIES {
            return Err(LoadError::TooWide { pattern: pattern.to_string(), root: root.display().to_string() });
        }
        let path = entry.path();
        if !path.is_file() {
            continue;
        }
        let relative = path.strip_prefix(base).unwrap_or(path);
        if glob.is_match(relative) {
            found.push(path.to_path_buf());
        }
    }
    if found.is_empty() {
        return Err(LoadError::NoMatch(pattern.to_string()));
    }
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_sample_names_from_families() {
        let mut c = Catalog::default();
        c.insert("http_requests", MetricType::Counter);
        c.insert("latency_seconds", MetricType::Histogram);
        c.insert("bytes_total", MetricType::Gauge);
        assert_eq!(c.metric_type("http_requests_total"), Some(MetricType::Counter));
        assert_eq!(c.metric_type("latency_seconds_bucket"), Some(MetricType::Histogram));
        assert_eq!(c.metric_type("bytes_total"), Some(MetricType::Gauge));
        // `_total` of a gauge family is not that family's sample.
        c.insert("temperature", MetricType::Gauge);
        assert_eq!(c.metric_type("temperature_total"), None);
        assert!(c.knows("latency_seconds_count"));
        assert!(!c.knows("latency_count"));
    }

    #[test]
    fn globs_must_match_and_paths_must_exist() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        std::fs::create_dir_all(dir.path().join("m")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.path().join("m/a.prom"), "# TYPE up gauge\nup 1\n").unwrap_or_else(|e| panic!("{e}"));
        let mut c = Catalog::default();
        assert!(c.load_files(dir.path(), &["m/*.prom".into()]).is_ok());
        assert_eq!(c.metric_type("up"), Some(MetricType::Gauge));
        assert!(matches!(c.load_files(dir.path(), &["m/*.txt".into()]), Err(LoadError::NoMatch(_))));
        let missing = c.load_files(dir.path(), &["m/b.prom".into()]);
        assert!(matches!(&missing, Err(LoadError::Read { path, .. }) if path.ends_with("b.prom")), "{missing:?}");
    }
}

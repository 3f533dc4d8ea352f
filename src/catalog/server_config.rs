//! A Prometheus server's own configuration (`prometheus.yml`), read from a
//! file (`prometheus.config`) or from a live server (`/api/v1/status/config`):
//! scrape intervals per job, the evaluation interval, external labels and the
//! rule files it loads. Only these keys are read; the rest is left to
//! Prometheus.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::yaml::{Node, NodeKind};

/// Prometheus's default for `global.scrape_interval` and `evaluation_interval`.
const DEFAULT_INTERVAL_MS: i64 = 60_000;

/// Largest `prometheus.yml` read; real ones are a few hundred kilobytes.
const MAX_BYTES: u64 = 16 << 20;

/// Scrape intervals (milliseconds).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScrapeIntervals {
    /// `global.scrape_interval` (Prometheus's default, 1m, when a file leaves it out).
    pub global: Option<i64>,
    /// Per `job_name`, the job's own or else the global one.
    pub jobs: HashMap<String, i64>,
}

/// What alertlint reads from a Prometheus configuration.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServerSettings {
    pub intervals: ScrapeIntervals,
    /// `global.evaluation_interval`, milliseconds.
    pub evaluation_interval: Option<i64>,
    /// `global.external_labels`, in file order.
    pub external_labels: Vec<(String, String)>,
    /// `rule_files` as written (globs, relative to the file).
    pub rule_files: Vec<String>,
    /// How long the server keeps samples (milliseconds), from its flags
    /// (`--storage.tsdb.retention.time`); a file does not say.
    pub retention: Option<i64>,
}

/// `prometheus.config`: a server's configuration file and what it says.
#[derive(Clone, Debug)]
pub struct ServerFile {
    pub path: PathBuf,
    pub settings: ServerSettings,
    /// `rule_files` as absolute globs, each anchored at the file's directory.
    rule_globs: Option<globset::GlobSet>,
}

impl std::ops::Deref for ServerFile {
    type Target = ServerSettings;
    fn deref(&self) -> &ServerSettings {
        &self.settings
    }
}

impl ServerFile {
    /// Reads `path` (bounded in size). Errors name the file.
    pub fn load(path: &Path) -> Result<ServerFile, String> {
        let shown = path.display();
        let mut text = String::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_BYTES + 1).read_to_string(&mut text))
            .map_err(|e| format!("cannot read Prometheus configuration {shown}: {e}"))?;
        if text.len() as u64 > MAX_BYTES {
            return Err(format!("Prometheus configuration {shown} is larger than {MAX_BYTES} bytes"));
        }
        let settings = parse(&text, true).map_err(|e| format!("cannot read Prometheus configuration {shown}: {e}"))?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        let mut builder = globset::GlobSetBuilder::new();
        for pattern in &settings.rule_files {
            // Prometheus reads `rule_files` with Go's `filepath.Glob`: `*` stays within one directory.
            let absolute = if Path::new(pattern).is_absolute() {
                normalize(pattern)
            } else {
                format!("{}/{}", globset::escape(&dir.display().to_string()), normalize(pattern))
            };
            // `../rules/*.yaml` climbs out of the file's directory.
            let absolute = normalize(&absolute);
            let glob = crate::globs::glob(&absolute, crate::globs::Separator::Literal)
                .map_err(|e| format!("{shown}: invalid `rule_files` pattern `{pattern}`: {e}"))?;
            builder.add(glob);
        }
        let rule_globs = builder.build().ok();
        Ok(ServerFile { path: path.to_path_buf(), settings, rule_globs })
    }

    /// Whether the server loads the rule file at `path` (`rule_files`).
    pub fn loads(&self, path: &Path) -> bool {
        let Some(globs) = &self.rule_globs else { return false };
        let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        globs.is_match(&absolute)
    }
}

/// Reads the keys alertlint uses from a Prometheus configuration. With
/// `fill_defaults` (a file), missing intervals get Prometheus's defaults; the
/// live server's `/api/v1/status/config` has them filled in already.
pub fn parse(yaml: &str, fill_defaults: bool) -> Result<ServerSettings, String> {
    let documents = crate::yaml::load(yaml, &crate::yaml::Limits::default()).map_err(|e| e.message)?;
    let mut out = ServerSettings::default();
    let Some(root) = documents.first().map(|d| &d.root) else {
        return Ok(out);
    };
    let duration = |node: Option<&Node>| node.and_then(text).and_then(|t| crate::duration::parse(t).ok());
    let global = get(root, "global");
    out.intervals.global = duration(global.and_then(|g| get(g, "scrape_interval")));
    out.evaluation_interval = duration(global.and_then(|g| get(g, "evaluation_interval")));
    if fill_defaults {
        out.intervals.global = out.intervals.global.or(Some(DEFAULT_INTERVAL_MS));
        out.evaluation_interval = out.evaluation_interval.or(Some(DEFAULT_INTERVAL_MS));
    }
    if let Some(NodeKind::Mapping(entries)) = global.and_then(|g| get(g, "external_labels")).map(|n| &n.kind) {
        out.external_labels =
            entries.iter().filter_map(|(k, v)| Some((text(k)?.to_string(), text(v)?.to_string()))).collect();
    }
    if let Some(NodeKind::Sequence(files)) = get(root, "rule_files").map(|n| &n.kind) {
        out.rule_files = files.iter().filter_map(text).map(str::to_string).collect();
    }
    if let Some(NodeKind::Sequence(jobs)) = get(root, "scrape_configs").map(|n| &n.kind) {
        for job in jobs {
            let (Some(name), Some(interval)) =
                (get(job, "job_name").and_then(text), duration(get(job, "scrape_interval")).or(out.intervals.global))
            else {
                continue;
            };
            out.intervals.jobs.insert(name.to_string(), interval);
        }
    }
    Ok(out)
}

/// `a/./b/../c` as `a/c`, leaving wildcards alone.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "." => {}
            ".." if parts.last().is_some_and(|p| !p.is_empty() && *p != "..") => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    parts.join("/")
}

fn get<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    match &node.kind {
        NodeKind::Mapping(entries) => {
            entries.iter().find(|(k, _)| matches!(&k.kind, NodeKind::Scalar(s) if s.value == key)).map(|(_, v)| v)
        }
        _ => None,
    }
}

fn text(node: &Node) -> Option<&str> {
    match &node.kind {
        NodeKind::Scalar(s) => Some(&s.value),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_intervals_labels_and_rule_files() {
        let yaml = "global:\n  scrape_interval: 15s\n  external_labels: { cluster: eu1, replica: a }\nrule_files: [rules/*.yaml, /etc/x.yml]\nscrape_configs:\n- job_name: node\n- job_name: slow\n  scrape_interval: 2m\n";
        let got = parse(yaml, true).unwrap_or_default();
        assert_eq!(got.intervals.global, Some(15_000));
        assert_eq!(got.evaluation_interval, Some(60_000));
        assert_eq!(got.intervals.jobs.get("node"), Some(&15_000));
        assert_eq!(got.intervals.jobs.get("slow"), Some(&120_000));
        assert_eq!(got.external_labels, [("cluster".into(), "eu1".into()), ("replica".into(), "a".into())]);
        assert_eq!(got.rule_files, ["rules/*.yaml", "/etc/x.yml"]);
        // Prometheus's default interval is 1m.
        let bare = parse("scrape_configs:\n- job_name: a\n", true).unwrap_or_default();
        assert_eq!(bare.intervals.jobs.get("a"), Some(&60_000));
        assert!(parse("{{{", true).is_err());
    }

    #[test]
    fn rule_files_are_globs_relative_to_the_file() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let d = dir.path();
        std::fs::create_dir_all(d.join("rules/sub")).unwrap_or_else(|e| panic!("{e}"));
        for f in ["rules/a.yaml", "rules/sub/b.yaml", "other.yaml"] {
            std::fs::write(d.join(f), "groups: []\n").unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(d.join("prometheus.yml"), "rule_files: ['rules/*.yaml']\n").unwrap_or_else(|e| panic!("{e}"));
        let file = ServerFile::load(&d.join("prometheus.yml")).unwrap_or_else(|e| panic!("{e}"));
        assert!(file.loads(&d.join("rules/a.yaml")));
        assert!(!file.loads(&d.join("rules/sub/b.yaml")), "`*` does not cross directories");
        assert!(!file.loads(&d.join("other.yaml")));
        assert!(ServerFile::load(&d.join("missing.yml")).is_err_and(|e| e.contains("missing.yml")));
    }
}

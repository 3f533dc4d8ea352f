//! The conventions a repository follows: which keys hold runbooks, which
//! labels name owners, which severity words are used, how often series are
//! scraped.
//!
//! What the configuration states always wins. What it leaves out is read from
//! the rule files of the run, once, before any file is linted: a linter that
//! assumes `runbook_url`, `team` and `critical|warning|info` reports every
//! alert of a repository that chose other words, and is switched off.
//!
//! A convention counts as adopted for a file when at least half of the file's
//! alerts follow it, or half of the alerts of the files in its directory do.
//! The `*/missing` lints report only where it is adopted (or configured): a
//! repository that never used owner labels gets no `owner/missing` at all, and
//! a directory of test fixtures without severities is not held to the
//! severities of the production rules next door.

use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use crate::config::Config;
use crate::model::{Group, KeyValue, RuleFile, RuleKind};
use crate::promql;

/// The shortest scrape interval in common use. Without a configured
/// interval, a window is only reported when it is too short even for this.
pub const SHORTEST_COMMON_SCRAPE_INTERVAL_MS: i64 = 15_000;

/// How many alerts of a set follow a convention.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Adoption {
    pub alerts: usize,
    pub following: usize,
}

impl Adoption {
    /// At least half of the alerts follow the convention (and one does).
    pub fn adopted(&self) -> bool {
        self.following > 0 && self.following * 2 >= self.alerts
    }

    fn add(&mut self, follows: bool) {
        self.alerts += 1;
        self.following += usize::from(follows);
    }
}

/// Adoption of the three conventions in one file (or in the run).
#[derive(Clone, Copy, Debug, Default)]
struct Usage {
    runbook: Adoption,
    owner: Adoption,
    severity: Adoption,
}

impl Usage {
    fn merge(&mut self, other: Usage) {
        for (total, part) in
            [(&mut self.runbook, other.runbook), (&mut self.owner, other.owner), (&mut self.severity, other.severity)]
        {
            total.alerts += part.alerts;
            total.following += part.following;
        }
    }
}

/// The directory part of a file name as given (`rules/api.yaml` → `rules`).
fn directory(name: &str) -> &str {
    name.rsplit_once(['/', '\\']).map_or("", |(dir, _)| dir)
}

/// One convention: the keys it uses and whether the configuration named them.
#[derive(Clone, Debug, Default)]
pub struct Keys {
    /// Configured, or inferred with the most used first.
    pub keys: Vec<String>,
    pub configured: bool,
}

impl Keys {
    /// Whether `key` is one of the keys.
    pub fn contains(&self, key: &str) -> bool {
        self.keys.iter().any(|k| k == key)
    }

    /// The key to suggest when one is missing.
    pub fn preferred<'a>(&'a self, fallback: &'a str) -> &'a str {
        self.keys.first().map_or(fallback, String::as_str)
    }

    /// The other accepted keys, for help texts: `` (`runbook` and `playbook` also count)``.
    pub fn others_note(&self) -> String {
        let others: Vec<String> = self.keys.iter().skip(1).take(4).map(|k| format!("`{k}`")).collect();
        match others.len() {
            0 => String::new(),
            1 => format!(" ({} also counts)", others[0]),
            _ => format!(" ({} also count)", others.join(", ")),
        }
    }
}

/// Everything the lints need to know about the run's conventions.
#[derive(Clone, Debug, Default)]
pub struct Conventions {
    /// Annotation (or label) keys holding a runbook link.
    pub runbook: Keys,
    /// Label keys naming the owning team.
    pub owner: Keys,
    /// Label keys holding the severity.
    pub severity: Keys,
    /// Configured severity values; empty when they are inferred.
    pub severity_values: Vec<String>,
    /// How often each severity value is used, per severity key (inferred).
    pub severity_counts: BTreeMap<String, BTreeMap<String, usize>>,
    /// Milliseconds; `None` when nothing configures it.
    pub scrape_interval: Option<i64>,
    run: Usage,
    files: HashMap<String, Usage>,
    /// Per directory (the file name without its last component).
    dirs: HashMap<String, Usage>,
}

/// A key in lower case with `-` as `_` (`Runbook-URL` → `runbook_url`);
/// most keys already are, and are not copied.
fn normal_key(key: &str) -> std::borrow::Cow<'_, str> {
    if key.bytes().any(|b| b.is_ascii_uppercase() || b == b'-') {
        std::borrow::Cow::Owned(key.to_ascii_lowercase().replace('-', "_"))
    } else {
        std::borrow::Cow::Borrowed(key)
    }
}

/// Whether `word` occurs in `key`. Keys are short: a plain scan costs less
/// than setting up a substring search.
fn has(key: &str, word: &str) -> bool {
    key.as_bytes().windows(word.len()).any(|w| w == word.as_bytes())
}

/// Whether an annotation or label key names a runbook (or a playbook or
/// procedure document). Dashboards and graphs are never runbooks.
pub fn names_runbook(key: &str) -> bool {
    let k = normal_key(key);
    let k: &str = &k;
    if ["dashboard", "grafana", "panel", "graph", "chart"].iter().any(|w| has(k, w)) {
        return false;
    }
    ["runbook", "run_book", "playbook", "play_book"].iter().any(|w| has(k, w))
        || k == "sop"
        || k.starts_with("sop_")
        || k.ends_with("_sop")
        || matches!(k, "documentation" | "docs" | "doc" | "doc_url" | "docs_url" | "doc_link" | "docs_link")
        || matches!(k, "wiki" | "wiki_url" | "wiki_link" | "procedure" | "procedure_url")
}

/// Whether a key says outright that it holds a runbook (`runbook_url`,
/// `playbook`), whatever its value: such a value that is no link is a mistake.
pub fn names_runbook_explicitly(key: &str) -> bool {
    let k = normal_key(key);
    let k: &str = &k;
    names_runbook(key) && ["runbook", "run_book", "playbook", "play_book"].iter().any(|w| has(k, w))
}

/// Whether a label key names the alert's owner.
pub fn names_owner(key: &str) -> bool {
    let k = normal_key(key);
    let k: &str = &k;
    matches!(
        k,
        "team"
            | "owner"
            | "owners"
            | "squad"
            | "tribe"
            | "support_group"
            | "owning_team"
            | "team_name"
            | "maintainer"
            | "maintainers"
            | "oncall"
            | "on_call"
            | "responsible"
    ) || ["_team", "_owner", "_squad"].iter().any(|s| k.ends_with(s))
        || ["team_", "owner_", "squad_"].iter().any(|p| k.starts_with(p))
}

/// Whether a label key holds the alert's severity.
pub fn names_severity(key: &str) -> bool {
    let k = normal_key(key);
    let k: &str = &k;
    matches!(k, "severity" | "level" | "priority" | "urgency" | "criticality" | "sev" | "alert_level")
        || k.ends_with("_severity")
        || k.starts_with("severity_")
}

/// Whether a runbook value points somewhere: an absolute URL, a template
/// that builds one, or a path to a document in the repository
/// (`docs/runbooks/disk-full.md#anchor`).
pub fn is_link(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() || (v.chars().any(char::is_whitespace) && !v.contains("{{")) {
        return false;
    }
    let lower = v.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://") || v.starts_with("{{") || is_repository_path(v)
}

/// A relative or absolute path to a document: `runbooks/disk-full.md`,
/// `./docs/alerts.adoc#disk`.
pub fn is_repository_path(value: &str) -> bool {
    let v = value.trim();
    if v.contains("://") || v.chars().any(char::is_whitespace) {
        return false;
    }
    let path = v.split('#').next().unwrap_or(v).to_ascii_lowercase();
    [".md", ".markdown", ".adoc", ".asciidoc", ".rst", ".txt", ".html", ".htm", ".org"]
        .iter()
        .any(|ext| path.ends_with(ext) && path.len() > ext.len())
}

impl Conventions {
    /// Reads the conventions of `files`, keeping what `config` states.
    pub fn infer<'a>(config: &Config, files: impl IntoIterator<Item = (&'a str, &'a RuleFile)>) -> Conventions {
        let files: Vec<(&str, &RuleFile)> = files.into_iter().collect();
        // First pass: which keys are in use (each file counted on its own thread).
        let Counts {
            runbook: runbook_counts,
            owner: owner_counts,
            severity_key: severity_key_counts,
            severity: mut severity_counts,
        } = files.par_iter().map(|(_, model)| Counts::of(model)).reduce(Counts::default, Counts::merge);

        // Most used first; on a tie, the key that says what it is (`runbook_url`, `team`, `severity`).
        let ranked = |counts: BTreeMap<String, usize>| -> Vec<String> {
            let canonical = |k: &str| !["runbook", "team", "severity"].iter().any(|w| k.contains(w));
            let mut v: Vec<(String, usize)> = counts.into_iter().collect();
            v.sort_by(|a, b| {
                b.1.cmp(&a.1).then_with(|| canonical(&a.0).cmp(&canonical(&b.0))).then_with(|| a.0.cmp(&b.0))
            });
            v.into_iter().map(|(k, _)| k).collect()
        };
        let runbook = match config.runbook.annotations_configured {
            true => Keys { keys: config.runbook.annotations.clone(), configured: true },
            false => Keys { keys: ranked(runbook_counts), configured: false },
        };
        let owner = match config.owner.labels_configured {
            true => Keys { keys: config.owner.labels.clone(), configured: true },
            false => Keys { keys: ranked(owner_counts), configured: false },
        };
        let severity = match config.severity.label_configured {
            true => Keys { keys: vec![config.severity.label.clone()], configured: true },
            false => Keys { keys: ranked(severity_key_counts), configured: false },
        };
        let severity_values =
            if config.severity.values_configured { config.severity.values.clone() } else { Vec::new() };
        severity_counts.retain(|k, _| severity.contains(k));

        let mut conventions = Conventions {
            runbook,
            owner,
            severity,
            severity_values,
            severity_counts,
            scrape_interval: config.prometheus.scrape_interval,
            run: Usage::default(),
            files: HashMap::new(),
            dirs: HashMap::new(),
        };

        // Second pass: how widely each convention is followed.
        let usages: Vec<Usage> = files
            .par_iter()
            .map(|(_, model)| {
                let mut usage = Usage::default();
                for group in &model.groups {
                    for rule in group.rules.iter().filter(|r| r.kind == RuleKind::Alert) {
                        let expr = rule.expr.as_ref().map(|e| e.value.as_str());
                        usage.runbook.add(conventions.runbook_of(group, &rule.labels, &rule.annotations).is_some());
                        usage.owner.add(conventions.has_owner(group, &rule.labels, expr, None));
                        usage.severity.add(conventions.severity_of(group, &rule.labels).is_some());
                    }
                }
                usage
            })
            .collect();
        for ((name, _), usage) in files.iter().zip(usages) {
            conventions.run.merge(usage);
            conventions.dirs.entry(directory(name).to_string()).or_default().merge(usage);
            conventions.files.insert(name.to_string(), usage);
        }
        conventions
    }

    /// The runbook entry of an alert: an annotation, or a label of the rule
    /// or its group, under one of the runbook keys.
    pub fn runbook_of<'a>(
        &self,
        group: &'a Group,
        labels: &'a [KeyValue],
        annotations: &'a [KeyValue],
    ) -> Option<&'a KeyValue> {
        let keys = &self.runbook;
        if keys.configured {
            return annotations.iter().find(|kv| keys.contains(&kv.key.value));
        }
        annotations.iter().chain(labels).chain(&group.labels).find(|kv| keys.contains(&kv.key.value))
    }

    /// The owner label set on the rule or its group.
    pub fn owner_of<'a>(&self, group: &'a Group, labels: &'a [KeyValue]) -> Option<&'a KeyValue> {
        labels
            .iter()
            .chain(&group.labels)
            .find(|kv| self.is_owner_key(&kv.key.value) && !kv.value.value.trim().is_empty())
    }

    fn is_owner_key(&self, key: &str) -> bool {
        match self.owner.configured {
            true => self.owner.contains(key),
            false => self.owner.contains(key) || names_owner(key),
        }
    }

    /// Whether the alert has an owner: a label on the rule or its group, or
    /// one its expression produces (`* on (instance) group_left (team) owners`).
    /// `parsed` is the expression when the caller already parsed it.
    pub fn has_owner(
        &self,
        group: &Group,
        labels: &[KeyValue],
        expr: Option<&str>,
        parsed: Option<&promql::Expr>,
    ) -> bool {
        if self.owner_of(group, labels).is_some() {
            return true;
        }
        let Some(text) = expr else { return false };
        let keys: Vec<&str> = self.owner.keys.iter().map(String::as_str).collect();
        let produced = match parsed {
            Some(expr) => produced_labels(expr, |k| keys.contains(&k) || (!self.owner.configured && names_owner(k))),
            None => produced_owner_labels(text, Some(self)),
        };
        !produced.is_empty()
    }

    /// The severity label of an alert (the rule's own before its group's).
    pub fn severity_of<'a>(&self, group: &'a Group, labels: &'a [KeyValue]) -> Option<&'a KeyValue> {
        labels.iter().chain(&group.labels).find(|kv| self.severity.contains(&kv.key.value))
    }

    /// The usage in `file` and in its directory.
    fn usage(&self, file: &str) -> [Usage; 2] {
        let own = self.files.get(file).copied().unwrap_or_default();
        let dir = self.dirs.get(directory(file)).copied().unwrap_or_default();
        [own, dir]
    }

    /// Whether alerts in `file` are expected to have a runbook.
    pub fn expects_runbook(&self, file: &str) -> bool {
        self.runbook.configured || self.usage(file).iter().any(|u| u.runbook.adopted())
    }

    /// Whether alerts in `file` are expected to name an owner.
    pub fn expects_owner(&self, file: &str) -> bool {
        self.owner.configured || self.usage(file).iter().any(|u| u.owner.adopted())
    }

    /// Whether alerts in `file` are expected to have a severity label.
    pub fn expects_severity(&self, file: &str) -> bool {
        self.severity.configured || self.usage(file).iter().any(|u| u.severity.adopted())
    }

    /// Adoption over the whole run: runbook, owner, severity.
    pub fn run_adoption(&self) -> [Adoption; 3] {
        [self.run.runbook, self.run.owner, self.run.severity]
    }

    /// The scrape interval for series of `job`, in milliseconds: the live
    /// server's per-job interval, else the configured one, else unknown.
    pub fn scrape_interval(
        &self,
        catalog: &crate::catalog::Catalog,
        server: &crate::config::PrometheusConfig,
        job: Option<&str>,
    ) -> Option<i64> {
        catalog
            .scrape_interval(server, job)
            .map(|k| k.millis)
            .or(server.scrape_interval)
            .or(self.scrape_interval)
            .filter(|ms| *ms > 0)
    }

    /// Why a severity value does not fit the run's vocabulary (with the
    /// value it probably means), or `None` when it fits.
    pub fn severity_problem(&self, key: &str, value: &str) -> Option<SeverityProblem> {
        if value.contains("{{") {
            return None;
        }
        if !self.severity_values.is_empty() {
            if self.severity_values.iter().any(|v| v == value) {
                return None;
            }
            let suggestion = crate::names::closest(value, self.severity_values.iter().map(String::as_str));
            return Some(SeverityProblem::NotAllowed { suggestion: suggestion.map(str::to_string) });
        }
        let counts = self.severity_counts.get(key)?;
        let count = counts.get(value).copied().unwrap_or(0);
        let total: usize = counts.values().sum();
        // Another spelling of the same word that is used more.
        if let Some((other, n)) =
            counts.iter().find(|(v, n)| *v != value && v.eq_ignore_ascii_case(value) && **n > count)
        {
            return Some(SeverityProblem::Case { usual: other.clone(), count: *n });
        }
        let rare = count <= 2 || count * 50 <= total;
        if !rare {
            return None;
        }
        let common =
            counts.iter().filter(|(v, n)| *v != value && **n >= 3 && **n >= count * 3).map(|(v, _)| v.as_str());
        let usual = crate::names::closest(value, common)?;
        Some(SeverityProblem::NearMiss { usual: usual.to_string(), count: counts.get(usual).copied().unwrap_or(0) })
    }
}

/// Why a severity value was reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SeverityProblem {
    /// Not in the configured `severity.values`.
    NotAllowed { suggestion: Option<String> },
    /// The same word as a more used value, in other letter case.
    Case { usual: String, count: usize },
    /// A rare value close to a common one (`critcal` among `critical`).
    NearMiss { usual: String, count: usize },
}

/// How often each key is used, in the files counted so far.
#[derive(Default)]
struct Counts {
    runbook: BTreeMap<String, usize>,
    owner: BTreeMap<String, usize>,
    severity_key: BTreeMap<String, usize>,
    /// Per severity key, how often each value is used.
    severity: BTreeMap<String, BTreeMap<String, usize>>,
}

impl Counts {
    fn of(model: &RuleFile) -> Counts {
        let mut counts = Counts::default();
        let Counts {
            runbook: runbook_counts,
            owner: owner_counts,
            severity_key: severity_key_counts,
            severity: severity_counts,
        } = &mut counts;
        for group in &model.groups {
            for rule in group.rules.iter().filter(|r| r.kind == RuleKind::Alert) {
                let labels = || rule.labels.iter().chain(&group.labels);
                for kv in rule.annotations.iter().chain(labels()) {
                    if names_runbook(&kv.key.value) && is_link(&kv.value.value) {
                        *runbook_counts.entry(kv.key.value.to_string()).or_default() += 1;
                    }
                }
                for kv in labels() {
                    let value = kv.value.value.trim();
                    if value.is_empty() {
                        continue;
                    }
                    if names_owner(&kv.key.value) {
                        *owner_counts.entry(kv.key.value.to_string()).or_default() += 1;
                    }
                    if names_severity(&kv.key.value) {
                        *severity_key_counts.entry(kv.key.value.to_string()).or_default() += 1;
                    }
                }
                // The rule's own severity wins over its group's, as Prometheus merges them.
                let mut seen = Vec::new();
                for kv in rule.labels.iter().chain(&group.labels) {
                    let value = kv.value.value.trim();
                    if names_severity(&kv.key.value)
                        && !value.is_empty()
                        && !value.contains("{{")
                        && !seen.contains(&&kv.key.value)
                    {
                        seen.push(&kv.key.value);
                        *severity_counts
                            .entry(kv.key.value.to_string())
                            .or_default()
                            .entry(value.to_string())
                            .or_default() += 1;
                    }
                }
                if let Some(expr) = &rule.expr {
                    for key in produced_owner_labels(&expr.value, None) {
                        *owner_counts.entry(key).or_default() += 1;
                    }
                }
            }
        }
        counts
    }

    fn merge(mut self, other: Counts) -> Counts {
        fn add(into: &mut BTreeMap<String, usize>, from: BTreeMap<String, usize>) {
            for (k, n) in from {
                *into.entry(k).or_default() += n;
            }
        }
        add(&mut self.runbook, other.runbook);
        add(&mut self.owner, other.owner);
        add(&mut self.severity_key, other.severity_key);
        for (k, values) in other.severity {
            add(self.severity.entry(k).or_default(), values);
        }
        self
    }
}

/// Owner label keys an expression produces, parsing it only when its text
/// mentions one (most expressions do not).
fn produced_owner_labels(text: &str, conventions: Option<&Conventions>) -> Vec<String> {
    let lower = text.to_ascii_lowercase();
    let keys: Vec<&str> = conventions.map(|c| c.owner.keys.iter().map(String::as_str).collect()).unwrap_or_default();
    let configured = conventions.is_some_and(|c| c.owner.configured);
    let mentions = keys.iter().any(|k| text.contains(k))
        || (!configured
            && ["team", "owner", "squad", "support_group", "maintainer", "oncall"].iter().any(|w| lower.contains(w)));
    if !mentions {
        return Vec::new();
    }
    let Ok(expr) = promql::parse(text, &promql::ParseOptions::all_enabled()) else { return Vec::new() };
    produced_labels(&expr, |k| keys.contains(&k) || (!configured && names_owner(k)))
}

/// Labels the expression's result is known to carry that `wanted` accepts.
fn produced_labels(expr: &promql::Expr, wanted: impl Fn(&str) -> bool) -> Vec<String> {
    promql::labels::output_labels(expr).known.into_keys().filter(|k| wanted(k)).map(Cow::into_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{self, LoadOptions};
    use crate::source::SourceFile;

    fn infer(files: &[(&str, &str)], config: &str) -> Conventions {
        let config = Config::parse(SourceFile::new(".alertlint.yaml", config)).unwrap();
        let loaded: Vec<(String, RuleFile)> = files
            .iter()
            .map(|(name, text)| {
                let file = SourceFile::new(*name, *text);
                (name.to_string(), model::load(&file, &LoadOptions::default()))
            })
            .collect();
        Conventions::infer(&config, loaded.iter().map(|(n, m)| (n.as_str(), m)))
    }

    fn alert(name: &str, labels: &str, annotations: &str) -> String {
        format!(
            "      - alert: {name}\n        expr: up == 0\n        labels: {{{labels}}}\n        annotations: {{{annotations}}}\n"
        )
    }

    fn file(alerts: &[String]) -> String {
        format!("groups:\n  - name: g\n    rules:\n{}", alerts.concat())
    }

    #[test]
    fn key_names() {
        for k in ["runbook_url", "runbook", "playbook", "runbook_link", "sop", "RunbookURL", "documentation"] {
            assert!(names_runbook(k), "{k}");
        }
        for k in ["dashboard_url", "dashboard", "summary", "grafana_runbook_panel", "description"] {
            assert!(!names_runbook(k), "{k}");
        }
        for k in ["team", "owner", "squad", "support_group", "owning_team", "db_team"] {
            assert!(names_owner(k), "{k}");
        }
        for k in ["teams_total", "job", "service", "severity"] {
            assert!(!names_owner(k), "{k}");
        }
        for k in ["severity", "level", "priority", "sloth_severity"] {
            assert!(names_severity(k), "{k}");
        }
        assert!(!names_severity("team"));
    }

    #[test]
    fn links_and_paths() {
        assert!(is_link("https://runbooks.example.com/x"));
        assert!(is_link("docs/runbooks/disk-full.md#anchor"));
        assert!(is_link("{{ $externalURL }}/runbooks"));
        assert!(!is_link("restart the pod"));
        assert!(!is_link("wiki/HighErrorRate"));
        assert!(!is_link(""));
    }

    #[test]
    fn infers_runbook_keys_from_links_only() {
        let text = file(&[
            alert("A", "", "runbook: 'docs/a.md', dashboard_url: 'https://grafana/x'"),
            alert("B", "", "runbook: 'https://wiki/b'"),
            alert("C", "playbook: 'https://wiki/c'", ""),
            alert("D", "", "runbook_url: 'see the wiki'"),
        ]);
        let c = infer(&[("a.yaml", &text)], "");
        assert_eq!(c.runbook.keys, ["runbook", "playbook"]);
        assert!(!c.runbook.configured);
        assert!(c.expects_runbook("a.yaml"));
    }

    #[test]
    fn configured_keys_win() {
        let text = file(&[alert("A", "", "runbook: 'https://wiki/a'")]);
        let c = infer(&[("a.yaml", &text)], "runbook: { annotations: [runbook_url] }\nowner: { labels: [squad] }\n");
        assert_eq!(c.runbook.keys, ["runbook_url"]);
        assert!(c.runbook.configured && c.owner.configured);
        assert!(c.expects_runbook("other.yaml") && c.expects_owner("other.yaml"));
    }

    #[test]
    fn no_convention_no_expectation() {
        let text = file(&[alert("A", "severity: page", ""), alert("B", "severity: page", "")]);
        let c = infer(&[("a.yaml", &text)], "");
        assert!(!c.expects_runbook("a.yaml"));
        assert!(!c.expects_owner("a.yaml"));
        assert!(c.expects_severity("a.yaml"));
    }

    #[test]
    fn adoption_in_the_file_or_its_directory() {
        let with = file(&[alert("A", "team: db", ""), alert("B", "team: db", "")]);
        let without = file(&[alert("C", "", ""), alert("D", "", "")]);
        let c = infer(&[("rules/with.yaml", &with), ("rules/without.yaml", &without)], "");
        // Half of the directory's alerts have an owner: the convention holds in all of it.
        assert!(c.expects_owner("rules/without.yaml"));
        let many_without = file(&[alert("E", "", ""), alert("F", "", ""), alert("G", "", "")]);
        let c = infer(
            &[("rules/with.yaml", &with), ("rules/without.yaml", &without), ("rules/more.yaml", &many_without)],
            "",
        );
        assert!(c.expects_owner("rules/with.yaml"));
        assert!(!c.expects_owner("rules/without.yaml"));
        assert_eq!(c.owner.keys, ["team"]);
        // Another directory is not held to this one's convention.
        let c = infer(&[("rules/with.yaml", &with), ("testdata/without.yaml", &without)], "");
        assert!(!c.expects_owner("testdata/without.yaml"));
        assert_eq!(directory("a/b/c.yaml"), "a/b");
        assert_eq!(directory("c.yaml"), "");
    }

    #[test]
    fn owners_produced_by_the_expression() {
        let text = "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up * on (instance) group_left (support_group) role_owner == 0\n";
        let c = infer(&[("a.yaml", text)], "");
        assert_eq!(c.owner.keys, ["support_group"]);
        assert!(c.expects_owner("a.yaml"));
        let group = &model::load(&SourceFile::new("a.yaml", text), &LoadOptions::default()).groups[0];
        let rule = &group.rules[0];
        assert!(c.has_owner(group, &rule.labels, rule.expr.as_ref().map(|e| e.value.as_str()), None));
    }

    #[test]
    fn severity_vocabulary() {
        let mut alerts: Vec<String> = (0..20).map(|i| alert(&format!("A{i}"), "severity: critical", "")).collect();
        alerts.extend((0..10).map(|i| alert(&format!("W{i}"), "severity: page", "")));
        alerts.push(alert("X", "severity: critcal", ""));
        alerts.push(alert("Y", "severity: Critical", ""));
        alerts.push(alert("Z", "severity: s1", ""));
        let c = infer(&[("a.yaml", &file(&alerts))], "");
        assert_eq!(c.severity_problem("severity", "critical"), None);
        assert_eq!(c.severity_problem("severity", "page"), None);
        assert_eq!(
            c.severity_problem("severity", "critcal"),
            Some(SeverityProblem::NearMiss { usual: "critical".into(), count: 20 })
        );
        assert_eq!(
            c.severity_problem("severity", "Critical"),
            Some(SeverityProblem::Case { usual: "critical".into(), count: 20 })
        );
        // Rare but like nothing in use: a word of its own, not a typo.
        assert_eq!(c.severity_problem("severity", "s1"), None);
        let configured = infer(&[("a.yaml", &file(&alerts))], "severity: { values: [critical, page] }\n");
        assert!(matches!(configured.severity_problem("severity", "s1"), Some(SeverityProblem::NotAllowed { .. })));
    }

    #[test]
    fn scrape_interval_is_unknown_unless_configured() {
        let catalog = crate::catalog::Catalog::default();
        let server = crate::config::PrometheusConfig::default();
        assert_eq!(infer(&[], "").scrape_interval(&catalog, &server, None), None);
        assert_eq!(
            infer(&[], "prometheus: { scrape_interval: 30s }\n").scrape_interval(&catalog, &server, None),
            Some(30_000)
        );
    }
}

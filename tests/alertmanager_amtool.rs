//! Differential test against `amtool` (Alertmanager's CLI): for every
//! Alertmanager config in `../shared/corpus` that `amtool check-config`
//! accepts, route generated label sets with both and compare the receivers.
//!
//! Skips with a printed reason when amtool is not installed, unless
//! `ALERTLINT_REQUIRE_ORACLES=1`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use alertlint::alertmanager::{self, AmConfig, LabelSet, representative_values};

mod common;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");
const CONFORMANCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/conformance");
/// Label sets tried per config.
const MAX_LABEL_SETS: usize = 40;
/// amtool processes run at once.
const WORKERS: usize = 4;

fn amtool() -> Option<String> {
    let bin = std::env::var("AMTOOL").unwrap_or_else(|_| "amtool".to_string());
    let ok = Command::new(&bin).arg("--version").output().is_ok_and(|o| o.status.success());
    ok.then_some(bin)
}

/// Alertmanager configs listed in the corpus manifest.
fn corpus_configs() -> Vec<PathBuf> {
    if !common::corpus_present("amtool differential on corpus configs (Alertmanager's own test configs still run)") {
        return Vec::new();
    }
    let manifest = std::fs::read_to_string(Path::new(CORPUS).join("MANIFEST.tsv")).expect("corpus manifest");
    let mut lines = manifest.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect("manifest column");
    let (repo, path, format) = (col("source_repo"), col("path"), col("format"));
    lines
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|f| f.get(format) == Some(&"alertmanager"))
        .filter_map(|f| Some(Path::new(CORPUS).join(f.get(repo)?.replace('/', "__")).join(f.get(path)?)))
        .collect()
}

/// The complete configs of Alertmanager's own routing tests: richer trees
/// (nesting, `continue`, mixed matcher styles) than most of the corpus.
fn routing_test_configs() -> Vec<PathBuf> {
    let dir = Path::new(CONFORMANCE).join("am_routes");
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path().join("config.yml")).filter(|p| p.exists()).collect())
        .unwrap_or_default();
    out.sort();
    out
}

/// A small deterministic generator (xorshift), seeded per config.
struct Rng(u64);

impl Rng {
    fn new(seed: &str) -> Rng {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in seed.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
        Rng(h | 1)
    }

    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

/// `{}`, each label alone with every value of interest, then seeded
/// combinations of two to four labels.
fn label_sets(cfg: &AmConfig, seed: &str) -> Vec<LabelSet> {
    let by_name = alertmanager::matchers_by_name(&cfg.route);
    let mut values: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, ms) in &by_name {
        // amtool 0.25 reads `k="v"` with the classic parser: classic names only.
        if !alertmanager::is_classic_label_name(name) {
            continue;
        }
        let mut vs: BTreeSet<String> = ms.iter().map(|m| m.value.clone()).collect();
        vs.extend(representative_values(ms));
        vs.insert(String::new());
        vs.insert("zz-nomatch-0".to_string());
        values.insert(name.to_string(), vs.into_iter().collect());
    }
    let mut sets = vec![LabelSet::new()];
    for (name, vs) in &values {
        for v in vs {
            sets.push([(name.clone(), v.clone())].into());
        }
    }
    sets.truncate(MAX_LABEL_SETS);
    let names: Vec<&String> = values.keys().collect();
    let mut rng = Rng::new(seed);
    let mut attempts = 0;
    while sets.len() < MAX_LABEL_SETS && names.len() > 1 && attempts < 10 * MAX_LABEL_SETS {
        attempts += 1;
        let k = 2 + rng.below(3.min(names.len() - 1));
        let mut set = LabelSet::new();
        for _ in 0..k {
            let name = names[rng.below(names.len())];
            let vs = &values[name];
            set.insert(name.clone(), vs[rng.below(vs.len())].clone());
        }
        if !sets.contains(&set) {
            sets.push(set);
        }
    }
    sets
}

fn quote(v: &str) -> String {
    let mut s = String::from("\"");
    for c in v.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '"' => s.push_str("\\\""),
            '\n' => s.push_str("\\n"),
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

fn amtool_receivers(bin: &str, config: &Path, labels: &LabelSet) -> Result<Vec<String>, String> {
    let mut cmd = Command::new(bin);
    cmd.args(["config", "routes", "test", "--config.file"]).arg(config);
    for (k, v) in labels {
        cmd.arg(format!("{k}={}", quote(v)));
    }
    let out = cmd.output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let first = stdout.lines().next().unwrap_or_default();
    Ok(first.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect())
}

fn check_config(bin: &str, config: &Path) -> Result<(), String> {
    let out = Command::new(bin).arg("check-config").arg(config).output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        // The reason, without the "Checking 'F' FAILED:" preamble.
        let text = text.split_once("FAILED:").map_or(text.as_str(), |(_, r)| r).to_string();
        Err(text.lines().filter(|l| !l.trim().is_empty()).take(3).collect::<Vec<_>>().join(" | "))
    }
}

struct Job {
    config: String,
    file: PathBuf,
    labels: LabelSet,
    ours: Vec<String>,
}

#[test]
fn amtool_differential() {
    let Some(bin) = amtool() else {
        common::skip("amtool_differential: amtool not found (install prometheus-alertmanager, or set AMTOOL)");
        return;
    };
    let tmp = std::env::temp_dir().join(format!("alertlint-amtool-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("temp dir");

    let mut jobs = Vec::new();
    let mut validity_disagreements = Vec::new();
    let (mut accepted, mut rejected) = (0, 0);
    let (mut validity_agree, mut configs_seen) = (0, 0);
    let inputs = corpus_configs().into_iter().chain(routing_test_configs());
    for (i, path) in inputs.enumerate() {
        let rel = path
            .strip_prefix(CORPUS)
            .or_else(|_| path.strip_prefix(CONFORMANCE))
            .unwrap_or(&path)
            .display()
            .to_string();
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        // amtool reads a bare config: unwrap a Kubernetes Secret first.
        let (file, config_text) = match alertmanager::secret_config_text(&text) {
            Some(inner) => {
                let f = tmp.join(format!("{i}.yml"));
                std::fs::write(&f, &inner).expect("write temp config");
                (f, inner)
            }
            None => (path.clone(), text.clone()),
        };
        let theirs = check_config(&bin, &file);
        let ours = alertmanager::load_text(&config_text);
        configs_seen += 1;
        if theirs.is_ok() == ours.is_ok() {
            validity_agree += 1;
        }
        match (&theirs, &ours) {
            (Ok(()), Err(d)) => validity_disagreements.push(format!(
                "{rel}: amtool accepts, alertlint rejects: {}",
                d.iter().map(|d| d.message.clone()).collect::<Vec<_>>().join("; ")
            )),
            (Err(e), Ok(_)) => {
                println!("note: {rel}: amtool 0.25 rejects, alertlint accepts ({e})")
            }
            _ => {}
        }
        let (Ok(()), Ok(cfg)) = (theirs, ours) else {
            rejected += 1;
            continue;
        };
        accepted += 1;
        for labels in label_sets(&cfg, &rel) {
            let ours = cfg.route(&labels).into_iter().map(|m| m.receiver).collect();
            jobs.push(Job { config: rel.clone(), file: file.clone(), labels, ours });
        }
    }

    let queue = Mutex::new(jobs.iter());
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..WORKERS {
            s.spawn(|| {
                loop {
                    let job = match queue.lock() {
                        Ok(mut q) => q.next(),
                        Err(_) => None,
                    };
                    let Some(job) = job else { break };
                    let theirs = amtool_receivers(&bin, &job.file, &job.labels);
                    if let Ok(mut r) = results.lock() {
                        r.push((job, theirs));
                    }
                }
            });
        }
    });
    let _ = std::fs::remove_dir_all(&tmp);

    let results = results.into_inner().unwrap_or_default();
    let mut agree = 0;
    let mut disagreements = Vec::new();
    for (job, theirs) in &results {
        match theirs {
            Ok(r) if *r == job.ours => agree += 1,
            Ok(r) => {
                disagreements.push(format!("{} {:?}: amtool {r:?}, alertlint {:?}", job.config, job.labels, job.ours))
            }
            Err(e) => disagreements.push(format!("{} {:?}: amtool failed: {e}", job.config, job.labels)),
        }
    }
    println!(
        "amtool differential: {agree}/{} label sets agree over {accepted} configs amtool accepts ({rejected} skipped)",
        results.len()
    );
    println!(
        "amtool check-config: same verdict on {validity_agree}/{configs_seen} configs \
         (alertlint does not check integration settings and accepts fields newer than 0.25)"
    );
    for d in disagreements.iter().chain(&validity_disagreements) {
        println!("  {d}");
    }
    assert!(accepted > 0, "no corpus config was accepted by both amtool and alertlint");
    assert!(validity_disagreements.is_empty(), "alertlint rejects configs amtool accepts");
    assert!(disagreements.is_empty(), "{} label sets route differently", disagreements.len());
}

/// Regex patterns whose meaning differs between Go's RE2 and a naive use of
/// the Rust `regex` crate (ASCII Perl classes, literal braces, `\Q..\E`),
/// checked value by value against amtool.
#[test]
fn amtool_regex_semantics() {
    let Some(bin) = amtool() else {
        common::skip("amtool_regex_semantics: amtool not found (install prometheus-alertmanager, or set AMTOOL)");
        return;
    };
    const PATTERNS: &[&str] = &[
        r"\w+",
        r"\d+",
        r"\s",
        r"\bfoo\b.*",
        r"foo{bar}",
        r"a{,3}",
        r"\Qa.b\E",
        r"[[:alpha:]]+",
        r"(?i)abc",
        r"[^a-z]+",
        r".+",
        r"caf\x{e9}",
        r"\pL+",
        r"[\d-]+",
        r"x*?y",
        r"(a|b)c",
        r"[\w.]+",
        r"\W+",
    ];
    const VALUES: &[&str] = &[
        "café", "cafe", "123", "٣", " ", "foo bar", "foo{bar}", "a{,3}", "a.b", "axb", "ABC", "a-1", "", "xxy", "ac",
        "b.c", "ÄÖ", "1-2", "x y",
    ];
    let mut config = String::from("route:\n  receiver: none\n  routes:\n");
    for (i, p) in PATTERNS.iter().enumerate() {
        config.push_str(&format!("  - match_re: {{v: '{p}'}}\n    receiver: r{i}\n    continue: true\n"));
    }
    config.push_str("receivers:\n- name: none\n");
    for i in 0..PATTERNS.len() {
        config.push_str(&format!("- name: r{i}\n"));
    }
    let dir = std::env::temp_dir().join(format!("alertlint-amtool-re-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("regex.yml");
    std::fs::write(&file, &config).expect("write config");
    let cfg = alertmanager::load_text(&config).expect("the regex config loads");
    check_config(&bin, &file).expect("amtool accepts the regex config");

    let mut disagreements = Vec::new();
    for v in VALUES {
        let labels: LabelSet = [("v".to_string(), v.to_string())].into();
        let ours: Vec<String> = cfg.route(&labels).into_iter().map(|m| m.receiver).collect();
        match amtool_receivers(&bin, &file, &labels) {
            Ok(theirs) if theirs == ours => {}
            Ok(theirs) => disagreements.push(format!("{v:?}: amtool {theirs:?}, alertlint {ours:?}")),
            Err(e) => disagreements.push(format!("{v:?}: amtool failed: {e}")),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "amtool regex semantics: {}/{} values route alike over {} patterns",
        VALUES.len() - disagreements.len(),
        VALUES.len(),
        PATTERNS.len()
    );
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

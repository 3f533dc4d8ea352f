//! A small blocking client for the Prometheus HTTP API, used by the online
//! lints. Every response is input: nothing in it is trusted to be well formed.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use serde_json::Value;

use super::MetricType;

/// How long one request may take, connecting included.
const TIMEOUT: Duration = Duration::from_secs(5);
/// Requests in flight at once, whatever the number of worker threads.
const MAX_IN_FLIGHT: usize = 4;
/// Responses larger than this are refused rather than held in memory.
const MAX_BODY: u64 = 64 * 1024 * 1024;

/// What a query against the server can come to.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ApiError {
    #[error("cannot reach Prometheus at {url}: {message}")]
    Unreachable { url: String, message: String },
    #[error("Prometheus answered {status} to {what}: {message}")]
    Status { what: String, status: u16, message: String },
    #[error("unexpected response to {what}: {message}")]
    Invalid { what: String, message: String },
}

/// One series of a range query: its labels and the times (seconds) at which
/// it had a value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RangeSeries {
    pub labels: BTreeMap<String, String>,
    pub timestamps: Vec<f64>,
}

/// Scrape intervals (milliseconds) from the server's configuration.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScrapeIntervals {
    pub global: Option<i64>,
    pub jobs: HashMap<String, i64>,
}

/// What the online lints ask. A trait so that lint examples can answer from
/// canned data without a server.
pub trait Api: Send + Sync + std::fmt::Debug {
    /// The current time in seconds, from which look-back windows are counted.
    fn now(&self) -> f64;

    /// Whether any series matches `selector` between `start` and `end` (seconds).
    fn series_exist(&self, selector: &str, start: f64, end: f64) -> Result<bool, ApiError>;

    /// Evaluates `expr` at every `step` seconds from `start` to `end`.
    fn query_range(&self, expr: &str, start: f64, end: f64, step: f64) -> Result<Vec<RangeSeries>, ApiError>;

    /// Requests made and failures seen so far.
    fn stats(&self) -> Stats;
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stats {
    pub queries: usize,
    /// Messages of the failed requests, in the order they failed.
    pub failures: Vec<String>,
}

/// What the server says about its metrics when connecting.
#[derive(Debug, Default)]
pub struct ServerCatalog {
    pub names: Vec<String>,
    pub types: Vec<(String, MetricType)>,
    pub intervals: ScrapeIntervals,
}

/// The HTTP client.
#[derive(Debug)]
pub struct Client {
    base: String,
    agent: ureq::Agent,
    queries: AtomicUsize,
    failures: Mutex<Vec<String>>,
    in_flight: Mutex<usize>,
    slot_freed: Condvar,
}

impl Client {
    pub fn new(url: &str) -> Client {
        let config = ureq::Agent::config_builder().timeout_global(Some(TIMEOUT)).http_status_as_error(false).build();
        Client {
            base: url.trim_end_matches('/').to_string(),
            agent: ureq::Agent::new_with_config(config),
            queries: AtomicUsize::new(0),
            failures: Mutex::new(Vec::new()),
            in_flight: Mutex::new(0),
            slot_freed: Condvar::new(),
        }
    }

    pub fn url(&self) -> &str {
        &self.base
    }

    /// Reads metric names, types and scrape intervals. The first request that
    /// fails ends the attempt: a server that does not answer this is not used.
    pub fn connect(&self) -> Result<ServerCatalog, ApiError> {
        let names = self.get("/api/v1/label/__name__/values", &[])?;
        let names = strings(&names).ok_or_else(|| invalid("metric names", "expected a list of strings"))?;
        let metadata = self.get("/api/v1/metadata", &[])?;
        let types =
            metadata_types(&metadata).ok_or_else(|| invalid("metadata", "expected an object of metric names"))?;
        let config = self.get("/api/v1/status/config", &[])?;
        let yaml =
            config.get("yaml").and_then(Value::as_str).ok_or_else(|| invalid("status/config", "no `yaml` field"))?;
        Ok(ServerCatalog { names, types, intervals: scrape_intervals(yaml) })
    }

    fn get(&self, path: &str, form: &[(&str, String)]) -> Result<Value, ApiError> {
        let result = self.request(path, form);
        if let Err(e) = &result {
            if let Ok(mut failures) = self.failures.lock() {
                failures.push(e.to_string());
            }
        }
        result
    }

    /// One request, waiting for a free slot first. POST with a form keeps long
    /// expressions out of the URL; every endpoint used here accepts it.
    fn request(&self, path: &str, form: &[(&str, String)]) -> Result<Value, ApiError> {
        let _slot = self.acquire();
        self.queries.fetch_add(1, Ordering::Relaxed);
        let url = format!("{}{path}", self.base);
        let unreachable = |e: ureq::Error| ApiError::Unreachable { url: self.base.clone(), message: e.to_string() };
        let response = if form.is_empty() {
            self.agent.get(&url).call()
        } else {
            self.agent.post(&url).send_form(form.iter().map(|(k, v)| (*k, v.as_str())))
        };
        let mut response = response.map_err(unreachable)?;
        let status = response.status().as_u16();
        let body = response.body_mut().with_config().limit(MAX_BODY).read_to_string().map_err(unreachable)?;
        let what = path.trim_start_matches("/api/v1/").to_string();
        let parsed: Result<Value, _> = serde_json::from_str(&body);
        match parsed {
            Ok(json) if json.get("status").and_then(Value::as_str) == Some("success") => {
                Ok(json.get("data").cloned().unwrap_or(Value::Null))
            }
            Ok(json) => {
                let message = json.get("error").and_then(Value::as_str).unwrap_or("no error message").to_string();
                Err(ApiError::Status { what, status, message })
            }
            Err(_) if status >= 400 => Err(ApiError::Status { what, status, message: first_line(&body) }),
            Err(e) => Err(ApiError::Invalid { what, message: e.to_string() }),
        }
    }

    fn acquire(&self) -> Slot<'_> {
        let mut in_flight = self.in_flight.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        while *in_flight >= MAX_IN_FLIGHT {
            in_flight = self.slot_freed.wait(in_flight).unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        *in_flight += 1;
        Slot(self)
    }
}

/// A request slot, given back when dropped.
struct Slot<'a>(&'a Client);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut in_flight = self.0.in_flight.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *in_flight = in_flight.saturating_sub(1);
        self.0.slot_freed.notify_one();
    }
}

impl Api for Client {
    fn now(&self) -> f64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
    }

    fn series_exist(&self, selector: &str, start: f64, end: f64) -> Result<bool, ApiError> {
        // `limit` is honoured by newer servers and ignored by older ones.
        let form = [
            ("match[]", selector.to_string()),
            ("start", seconds(start)),
            ("end", seconds(end)),
            ("limit", "1".to_string()),
        ];
        let data = self.get("/api/v1/series", &form)?;
        let list = data.as_array().ok_or_else(|| invalid("series", "expected a list"))?;
        Ok(!list.is_empty())
    }

    fn query_range(&self, expr: &str, start: f64, end: f64, step: f64) -> Result<Vec<RangeSeries>, ApiError> {
        let form =
            [("query", expr.to_string()), ("start", seconds(start)), ("end", seconds(end)), ("step", seconds(step))];
        let data = self.get("/api/v1/query_range", &form)?;
        range_series(&data).ok_or_else(|| invalid("query_range", "expected a matrix"))
    }

    fn stats(&self) -> Stats {
        let failures = self.failures.lock().map(|f| f.clone()).unwrap_or_default();
        Stats { queries: self.queries.load(Ordering::Relaxed), failures }
    }
}

fn invalid(what: &str, message: &str) -> ApiError {
    ApiError::Invalid { what: what.to_string(), message: message.to_string() }
}

fn seconds(t: f64) -> String {
    format!("{t:.3}")
}

fn first_line(body: &str) -> String {
    body.lines().next().unwrap_or("").chars().take(200).collect()
}

fn strings(value: &Value) -> Option<Vec<String>> {
    value.as_array()?.iter().map(|v| v.as_str().map(str::to_string)).collect()
}

/// `{"name": [{"type": "counter", ...}, ...]}`: the first entry's type per name.
fn metadata_types(value: &Value) -> Option<Vec<(String, MetricType)>> {
    let map = value.as_object()?;
    Some(
        map.iter()
            .filter_map(|(name, entries)| {
                let word = entries.as_array()?.first()?.get("type")?.as_str()?;
                Some((name.clone(), MetricType::parse(word)))
            })
            .collect(),
    )
}

/// A `matrix` result: `{"resultType": "matrix", "result": [{"metric": {...}, "values": [[t, "v"], ...]}]}`.
pub fn range_series(data: &Value) -> Option<Vec<RangeSeries>> {
    if data.get("resultType")?.as_str()? != "matrix" {
        return None;
    }
    data.get("result")?
        .as_array()?
        .iter()
        .map(|series| {
            let labels = series
                .get("metric")?
                .as_object()?
                .iter()
                .map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect::<Option<_>>()?;
            let timestamps = series
                .get("values")
                .and_then(Value::as_array)
                .map_or(Some(Vec::new()), |values| values.iter().map(|p| p.get(0)?.as_f64()).collect())?;
            Some(RangeSeries { labels, timestamps })
        })
        .collect()
}

/// The global and per-job scrape intervals of a Prometheus configuration
/// (as `/api/v1/status/config` prints it, with defaults filled in).
pub fn scrape_intervals(yaml: &str) -> ScrapeIntervals {
    use crate::yaml::{Node, NodeKind};
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
    let mut out = ScrapeIntervals::default();
    let Ok(documents) = crate::yaml::load(yaml, &crate::yaml::Limits::default()) else {
        return out;
    };
    let Some(root) = documents.first().map(|d| &d.root) else {
        return out;
    };
    let duration = |node: Option<&Node>| node.and_then(text).and_then(|t| crate::duration::parse(t).ok());
    out.global = duration(get(root, "global").and_then(|g| get(g, "scrape_interval")));
    if let Some(NodeKind::Sequence(jobs)) = get(root, "scrape_configs").map(|n| &n.kind) {
        for job in jobs {
            let (Some(name), Some(interval)) =
                (get(job, "job_name").and_then(text), duration(get(job, "scrape_interval")).or(out.global))
            else {
                continue;
            };
            out.jobs.insert(name.to_string(), interval);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_intervals_from_the_served_configuration() {
        let yaml = "global:\n  scrape_interval: 1m\n  evaluation_interval: 1m\nscrape_configs:\n- job_name: node\n  scrape_interval: 15s\n- job_name: slow\n  scrape_interval: 2m\n- job_name: plain\n";
        let got = scrape_intervals(yaml);
        assert_eq!(got.global, Some(60_000));
        assert_eq!(got.jobs.get("node"), Some(&15_000));
        assert_eq!(got.jobs.get("slow"), Some(&120_000));
        assert_eq!(got.jobs.get("plain"), Some(&60_000));
        assert_eq!(scrape_intervals("{{{"), ScrapeIntervals::default());
    }

    #[test]
    fn reads_matrices_and_rejects_other_shapes() {
        let data: Value = serde_json::json!({"resultType": "matrix", "result": [{"metric": {"a": "b"}, "values": [[1.5, "1"], [2, "0"]]}]});
        let got = range_series(&data).unwrap_or_default();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].timestamps, [1.5, 2.0]);
        assert_eq!(range_series(&serde_json::json!({"resultType": "vector", "result": []})), None);
        assert_eq!(range_series(&serde_json::json!({"resultType": "matrix", "result": [{"metric": 3}]})), None);
    }

    #[test]
    fn a_closed_port_is_unreachable() {
        let port =
            std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(9);
        let client = Client::new(&format!("http://127.0.0.1:{port}"));
        assert!(matches!(client.connect(), Err(ApiError::Unreachable { .. })));
        assert_eq!(client.stats().queries, 1);
    }
}

//! A small blocking client for the Prometheus HTTP API, used by the online
//! lints. Every response is input: nothing in it is trusted to be well formed.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::MetricType;
use super::server_config::{self, ServerSettings};

/// How long one request may take, connecting included.
const TIMEOUT: Duration = Duration::from_secs(5);
/// How long all the requests of one run may take together (connecting, the
/// online lints), whatever the number of selectors and alerts.
const RUN_DEADLINE: Duration = Duration::from_secs(60);
/// Requests one run may make.
const RUN_BUDGET: usize = 5_000;
/// After a request timed out or the server could not be reached, no request
/// is made for this long (each run of the language server would otherwise
/// wait for the timeout again).
const BREAKER_COOLDOWN: Duration = Duration::from_secs(300);
/// Requests in flight at once, whatever the number of worker threads.
const MAX_IN_FLIGHT: usize = 4;
/// Responses larger than this are refused rather than held in memory.
const MAX_BODY: u64 = 64 * 1024 * 1024;
/// Redirects followed, and only to the same scheme, host and port.
const MAX_REDIRECTS: usize = 3;

/// What a query against the server can come to.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ApiError {
    #[error("cannot reach Prometheus at {url}: {message}")]
    Unreachable { url: String, message: String },
    #[error("Prometheus answered {status} to {what}: {message}")]
    Status { what: String, status: u16, message: String },
    #[error("unexpected response to {what}: {message}")]
    Invalid { what: String, message: String },
    /// Not sent: the run's deadline or request budget is spent, or an
    /// earlier request timed out.
    #[error("query not sent: {0}")]
    Skipped(String),
}

/// One series of an instant query: its labels and value.
pub type Sample = (BTreeMap<String, String>, f64);

/// One series of a range query: its labels and the times (seconds) at which
/// it had a value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RangeSeries {
    pub labels: BTreeMap<String, String>,
    pub timestamps: Vec<f64>,
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

    /// Evaluates `expr` at `time`: each series' labels and value.
    fn query(&self, expr: &str, time: f64) -> Result<Vec<Sample>, ApiError>;

    /// The values label `label` takes on the series matching `selector` between `start` and `end`.
    fn label_values(&self, label: &str, selector: &str, start: f64, end: f64) -> Result<Vec<String>, ApiError>;

    /// Requests made and failures seen so far.
    fn stats(&self) -> Stats;
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stats {
    pub queries: usize,
    /// Messages of the failed requests, in the order they failed.
    pub failures: Vec<String>,
    /// Why requests stopped being sent, when they did, and how many were not sent.
    pub stopped: Option<String>,
    pub skipped: usize,
}

/// What the server says about itself and its metrics when connecting.
#[derive(Debug, Default)]
pub struct ServerCatalog {
    pub names: Vec<String>,
    pub types: Vec<(String, MetricType)>,
    pub settings: ServerSettings,
}

/// Where to reach a server and how: from `prometheus.url`, `headers`, `ca_file`.
#[derive(Clone, Debug, Default)]
pub struct Endpoint {
    pub url: String,
    /// Header values may hold `${VAR}`, read from the environment here.
    pub headers: Vec<(String, String)>,
    pub ca_file: Option<std::path::PathBuf>,
}

/// A URL taken apart: credentials are kept out of every printed form.
#[derive(Clone, Debug, PartialEq)]
struct Target {
    https: bool,
    /// Host as written (brackets kept for IPv6) and port.
    host: String,
    port: u16,
    /// Path prefix without a trailing slash (`/prometheus`), or empty.
    path: String,
    /// `user:password` from the URL, sent as basic authentication.
    userinfo: Option<String>,
}

impl Target {
    fn parse(url: &str) -> Result<Target, String> {
        let shown = redact_url(url);
        let lower = url.to_ascii_lowercase();
        let (https, rest) = if lower.starts_with("https://") {
            (true, &url[8..])
        } else if lower.starts_with("http://") {
            (false, &url[7..])
        } else {
            return Err(format!("Prometheus URL `{shown}` must start with http:// or https://"));
        };
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(authority_end);
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((user, hostport)) => (Some(user.to_string()), hostport),
            None => (None, authority),
        };
        let (host, port) = match hostport.rfind(':') {
            Some(i) if !hostport[i..].contains(']') => (&hostport[..i], Some(&hostport[i + 1..])),
            _ => (hostport, None),
        };
        if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c.is_control()) {
            return Err(format!("Prometheus URL `{shown}` has no valid host"));
        }
        let port = match port {
            None | Some("") => {
                if https {
                    443
                } else {
                    80
                }
            }
            Some(p) => match p.parse::<u16>() {
                Ok(n) if n > 0 && p.bytes().all(|b| b.is_ascii_digit()) => n,
                _ => return Err(format!("invalid port `{p}` in Prometheus URL `{shown}` (expected 1 to 65535)")),
            },
        };
        let path = path.split(['?', '#']).next().unwrap_or("").trim_end_matches('/').to_string();
        Ok(Target { https, host: host.to_string(), port, path, userinfo })
    }

    fn origin(&self) -> String {
        format!("{}://{}:{}", if self.https { "https" } else { "http" }, self.host, self.port)
    }
}

/// The URL with any `user:password@` replaced, for messages and reports.
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else { return url.to_string() };
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}***@{}", &url[..scheme_end], &rest[at + 1..]),
        None => url.to_string(),
    }
}

/// `${VAR}` replaced by the variable's value; a variable that is not set is
/// an error naming it (never its value).
fn expand_env(text: &str, header: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return Err(format!("header `{header}`: unclosed `${{` in its value"));
        };
        let name = &after[..end];
        let value = std::env::var(name)
            .map_err(|_| format!("header `{header}` reads environment variable `{name}`, which is not set"))?;
        out.push_str(&value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Certificates of the system's trust store, where distributions keep it.
fn system_roots() -> Vec<ureq::tls::Certificate<'static>> {
    const BUNDLES: &[&str] = &[
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/pki/tls/certs/ca-bundle.crt",
        "/etc/ssl/ca-bundle.pem",
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
        "/etc/ssl/cert.pem",
    ];
    let from_env = std::env::var("SSL_CERT_FILE").ok();
    from_env
        .iter()
        .map(String::as_str)
        .chain(BUNDLES.iter().copied())
        .find_map(|path| {
            let pem = read_small(Path::new(path)).ok()?;
            let certs = pem_certificates(&pem);
            (!certs.is_empty()).then_some(certs)
        })
        .unwrap_or_default()
}

fn pem_certificates(pem: &[u8]) -> Vec<ureq::tls::Certificate<'static>> {
    ureq::tls::parse_pem(pem)
        .filter_map(|item| match item {
            Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
            _ => None,
        })
        .collect()
}

/// Reads a certificate file, bounded in size.
fn read_small(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.take(8 << 20).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The state of the current run: its deadline, what is left of its budget,
/// and the open circuit breaker, if any.
#[derive(Debug)]
struct Run {
    deadline: Instant,
    budget: usize,
    /// Why requests are no longer sent, and since when.
    tripped: Option<(String, Instant)>,
    stopped: Option<String>,
    skipped: usize,
}

/// The HTTP client.
pub struct Client {
    target: Target,
    /// The URL as shown in messages, without credentials.
    shown: String,
    /// Headers sent with every request (values expanded: secret).
    headers: Vec<(String, String)>,
    agent: ureq::Agent,
    queries: AtomicUsize,
    failures: Mutex<Vec<String>>,
    in_flight: Mutex<usize>,
    slot_freed: Condvar,
    run: Mutex<Run>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Header values are secrets: only their names are shown.
        let names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("Client").field("url", &self.shown).field("headers", &names).finish_non_exhaustive()
    }
}

impl Client {
    /// A client for `endpoint`. Errors (a bad URL or port, an unset
    /// environment variable, an unreadable `ca_file`) are configuration errors.
    pub fn new(endpoint: &Endpoint) -> Result<Client, String> {
        let target = Target::parse(&endpoint.url)?;
        let mut headers = Vec::new();
        for (name, value) in &endpoint.headers {
            headers.push((name.clone(), expand_env(value, name)?));
        }
        if let Some(userinfo) = &target.userinfo
            && !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        {
            headers.push(("Authorization".to_string(), format!("Basic {}", base64(userinfo.as_bytes()))));
        }
        let roots = match &endpoint.ca_file {
            Some(path) => {
                let pem = read_small(path).map_err(|e| format!("cannot read `ca_file` {}: {e}", path.display()))?;
                let certs = pem_certificates(&pem);
                if certs.is_empty() {
                    return Err(format!("`ca_file` {} holds no PEM certificate", path.display()));
                }
                ureq::tls::RootCerts::new_with_certs(&certs)
            }
            None => match system_roots() {
                certs if certs.is_empty() => ureq::tls::RootCerts::WebPki,
                certs => ureq::tls::RootCerts::new_with_certs(&certs),
            },
        };
        let tls = ureq::tls::TlsConfig::builder().root_certs(roots).build();
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .http_status_as_error(false)
            .max_redirects(0)
            .tls_config(tls)
            .build();
        let shown = redact_url(endpoint.url.trim_end_matches('/'));
        Ok(Client {
            target,
            shown,
            headers,
            agent: ureq::Agent::new_with_config(config),
            queries: AtomicUsize::new(0),
            failures: Mutex::new(Vec::new()),
            in_flight: Mutex::new(0),
            slot_freed: Condvar::new(),
            run: Mutex::new(Run {
                deadline: Instant::now() + RUN_DEADLINE,
                budget: RUN_BUDGET,
                tripped: None,
                stopped: None,
                skipped: 0,
            }),
        })
    }

    /// The server's URL, without credentials.
    pub fn url(&self) -> &str {
        &self.shown
    }

    /// Starts a run: a fresh deadline and budget. An open breaker stays open
    /// until its cooldown has passed.
    pub fn begin_run(&self) {
        let mut run = self.run.lock().unwrap_or_else(|p| p.into_inner());
        run.deadline = Instant::now() + RUN_DEADLINE;
        run.budget = RUN_BUDGET;
        run.stopped = None;
        run.skipped = 0;
        if run.tripped.as_ref().is_some_and(|(_, since)| since.elapsed() >= BREAKER_COOLDOWN) {
            run.tripped = None;
        }
        if let Some((why, _)) = &run.tripped {
            run.stopped = Some(why.clone());
        }
        drop(run);
        if let Ok(mut failures) = self.failures.lock() {
            failures.clear();
        }
    }

    /// Whether a request may be sent now, and how long it may take.
    fn admit(&self) -> Result<Duration, ApiError> {
        let mut run = self.run.lock().unwrap_or_else(|p| p.into_inner());
        let refusal = if let Some((why, _)) = &run.tripped {
            Some(why.clone())
        } else if run.budget == 0 {
            Some(format!("the budget of {RUN_BUDGET} requests per run is spent"))
        } else if Instant::now() >= run.deadline {
            Some(format!("the {}s deadline for all requests passed", RUN_DEADLINE.as_secs()))
        } else {
            None
        };
        if let Some(why) = refusal {
            run.skipped += 1;
            run.stopped.get_or_insert_with(|| why.clone());
            return Err(ApiError::Skipped(why));
        }
        run.budget -= 1;
        Ok(run.deadline.saturating_duration_since(Instant::now()).min(TIMEOUT))
    }

    /// Opens the breaker: no request is sent until the cooldown has passed.
    fn trip(&self, why: String) {
        let mut run = self.run.lock().unwrap_or_else(|p| p.into_inner());
        if run.tripped.is_none() {
            run.tripped = Some((why, Instant::now()));
        }
    }

    /// Reads metric names, types, scrape intervals, external labels and
    /// retention. The first request that fails ends the attempt: a server
    /// that does not answer this is not used.
    pub fn connect(&self) -> Result<ServerCatalog, ApiError> {
        let names = self.get("/api/v1/label/__name__/values", &[])?;
        let names = strings(&names).ok_or_else(|| invalid("metric names", "expected a list of strings"))?;
        let metadata = self.get("/api/v1/metadata", &[])?;
        let types =
            metadata_types(&metadata).ok_or_else(|| invalid("metadata", "expected an object of metric names"))?;
        let config = self.get("/api/v1/status/config", &[])?;
        let yaml =
            config.get("yaml").and_then(Value::as_str).ok_or_else(|| invalid("status/config", "no `yaml` field"))?;
        let mut settings = server_config::parse(yaml, false).map_err(|e| invalid("status/config", &e))?;
        // Older servers and some proxies do not serve the flags: retention stays unknown.
        if let Ok(flags) = self.get_quiet("/api/v1/status/flags") {
            settings.retention = flags
                .get("storage.tsdb.retention.time")
                .and_then(Value::as_str)
                .and_then(|t| crate::duration::parse(t).ok())
                .filter(|ms| *ms > 0);
        }
        Ok(ServerCatalog { names, types, settings })
    }

    fn get(&self, path: &str, form: &[(&str, String)]) -> Result<Value, ApiError> {
        let result = self.request(path, form);
        if let Err(e) = &result
            && !matches!(e, ApiError::Skipped(_))
        {
            if let Ok(mut failures) = self.failures.lock() {
                failures.push(e.to_string());
            }
        }
        result
    }

    /// A request whose failure is not worth a finding (optional endpoints).
    fn get_quiet(&self, path: &str) -> Result<Value, ApiError> {
        self.request(path, &[])
    }

    /// One request, waiting for a free slot first. POST with a form keeps long
    /// expressions out of the URL; every endpoint used here accepts it.
    fn request(&self, path: &str, form: &[(&str, String)]) -> Result<Value, ApiError> {
        let _slot = self.acquire();
        let timeout = self.admit()?;
        self.queries.fetch_add(1, Ordering::Relaxed);
        let what = path.split('?').next().unwrap_or(path).trim_start_matches("/api/v1/").to_string();
        let mut target_path = format!("{}{path}", self.target.path);
        let mut redirects = 0;
        let mut response = loop {
            let url = format!("{}{target_path}", self.target.origin());
            let response = if form.is_empty() {
                let mut request = self.agent.get(&url);
                for (k, v) in &self.headers {
                    request = request.header(k.as_str(), v.as_str());
                }
                request.config().timeout_global(Some(timeout)).build().call()
            } else {
                let mut request = self.agent.post(&url);
                for (k, v) in &self.headers {
                    request = request.header(k.as_str(), v.as_str());
                }
                request
                    .config()
                    .timeout_global(Some(timeout))
                    .build()
                    .send_form(form.iter().map(|(k, v)| (*k, v.as_str())))
            };
            let response = response.map_err(|e| self.transport_error(e))?;
            if !response.status().is_redirection() {
                break response;
            }
            let location = response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("");
            match self.same_origin_path(location) {
                Some(next) if redirects < MAX_REDIRECTS => {
                    redirects += 1;
                    target_path = next;
                }
                Some(_) => {
                    return Err(ApiError::Status {
                        what,
                        status: response.status().as_u16(),
                        message: format!("more than {MAX_REDIRECTS} redirects"),
                    });
                }
                None => {
                    let elsewhere = Target::parse(location).map_or_else(|_| "elsewhere".to_string(), |t| t.origin());
                    return Err(ApiError::Status {
                        what,
                        status: response.status().as_u16(),
                        message: format!("redirected to another server ({elsewhere}); not followed"),
                    });
                }
            }
        };
        let status = response.status().as_u16();
        let body =
            response.body_mut().with_config().limit(MAX_BODY).read_to_string().map_err(|e| self.transport_error(e))?;
        let parsed: Result<Value, _> = serde_json::from_str(&body);
        let result = match parsed {
            Ok(json) if json.get("status").and_then(Value::as_str) == Some("success") => {
                Ok(json.get("data").cloned().unwrap_or(Value::Null))
            }
            Ok(json) => {
                let message = json.get("error").and_then(Value::as_str).unwrap_or("no error message").to_string();
                Err(ApiError::Status { what, status, message })
            }
            Err(_) if status >= 400 => Err(ApiError::Status { what, status, message: first_line(&body) }),
            Err(e) => Err(ApiError::Invalid { what, message: e.to_string() }),
        };
        result.map_err(|e| self.scrub(e))
    }

    /// The path to request next when `location` stays on this server.
    fn same_origin_path(&self, location: &str) -> Option<String> {
        if location.starts_with('/') && !location.starts_with("//") {
            return Some(location.to_string());
        }
        let next = Target::parse(location).ok()?;
        let same = next.https == self.target.https
            && next.host.eq_ignore_ascii_case(&self.target.host)
            && next.port == self.target.port;
        let query = location.find('?').map_or("", |i| &location[i..]);
        same.then(|| format!("{}{query}", if next.path.is_empty() { "/" } else { &next.path }))
    }

    /// A transport failure. Timeouts and unreachable servers open the breaker.
    fn transport_error(&self, e: ureq::Error) -> ApiError {
        let message = e.to_string();
        if matches!(
            e,
            ureq::Error::Timeout(_) | ureq::Error::Io(_) | ureq::Error::ConnectionFailed | ureq::Error::HostNotFound
        ) {
            self.trip(format!("an earlier request to {} failed ({message})", self.shown));
        }
        self.scrub(ApiError::Unreachable { url: self.shown.clone(), message })
    }

    /// Removes header values (tokens) from a message a server may have echoed.
    fn scrub(&self, e: ApiError) -> ApiError {
        let clean = |text: String| {
            self.headers.iter().fold(text, |t, (_, v)| {
                let secret = v.split_whitespace().last().unwrap_or(v);
                if secret.len() >= 4 { t.replace(secret, "***") } else { t }
            })
        };
        match e {
            ApiError::Unreachable { url, message } => ApiError::Unreachable { url, message: clean(message) },
            ApiError::Status { what, status, message } => ApiError::Status { what, status, message: clean(message) },
            ApiError::Invalid { what, message } => ApiError::Invalid { what, message: clean(message) },
            skipped => skipped,
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

/// Standard base64 with padding (for basic authentication).
fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(TABLE[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
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

    fn query(&self, expr: &str, time: f64) -> Result<Vec<Sample>, ApiError> {
        let form = [("query", expr.to_string()), ("time", seconds(time))];
        let data = self.get("/api/v1/query", &form)?;
        instant_vector(&data).ok_or_else(|| invalid("query", "expected a vector"))
    }

    fn label_values(&self, label: &str, selector: &str, start: f64, end: f64) -> Result<Vec<String>, ApiError> {
        // The label name goes in the path: only names that need no escaping.
        if !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Ok(Vec::new());
        }
        // This endpoint answers GET only.
        let path = format!(
            "/api/v1/label/{label}/values?match[]={}&start={}&end={}",
            percent_encode(selector),
            seconds(start),
            seconds(end)
        );
        let data = self.get(&path, &[])?;
        strings(&data).ok_or_else(|| invalid("label values", "expected a list of strings"))
    }

    fn stats(&self) -> Stats {
        let failures = self.failures.lock().map(|f| f.clone()).unwrap_or_default();
        let run = self.run.lock().unwrap_or_else(|p| p.into_inner());
        Stats {
            queries: self.queries.load(Ordering::Relaxed),
            failures,
            stopped: run.stopped.clone(),
            skipped: run.skipped,
        }
    }
}

/// A `vector` result: `{"resultType": "vector", "result": [{"metric": {...}, "value": [t, "v"]}]}`.
fn instant_vector(data: &Value) -> Option<Vec<Sample>> {
    if data.get("resultType")?.as_str()? != "vector" {
        return None;
    }
    data.get("result")?
        .as_array()?
        .iter()
        .map(|series| {
            let labels = series_labels(series)?;
            let value = series.get("value")?.get(1)?.as_str()?.parse::<f64>().ok()?;
            Some((labels, value))
        })
        .collect()
}

/// A result series' `metric` object as labels.
fn series_labels(series: &Value) -> Option<BTreeMap<String, String>> {
    series.get("metric")?.as_object()?.iter().map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect()
}

fn invalid(what: &str, message: &str) -> ApiError {
    ApiError::Invalid { what: what.to_string(), message: message.to_string() }
}

/// A query-string value with everything but unreserved characters escaped.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
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
            let labels = series_labels(series)?;
            let timestamps = series
                .get("values")
                .and_then(Value::as_array)
                .map_or(Some(Vec::new()), |values| values.iter().map(|p| p.get(0)?.as_f64()).collect())?;
            Some(RangeSeries { labels, timestamps })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let endpoint = Endpoint { url: format!("http://127.0.0.1:{port}"), ..Endpoint::default() };
        let client = Client::new(&endpoint).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(client.connect(), Err(ApiError::Unreachable { .. })));
        assert_eq!(client.stats().queries, 1);
    }
}

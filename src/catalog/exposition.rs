//! Saved scrapes in the text exposition format or OpenMetrics, read line by
//! line with `prometheus-parse`. Its `Scrape` result keeps samples but drops
//! the per-name type map, so the line parser is used instead.

use prometheus_parse::{LineInfo, SampleType};

use super::{Catalog, MetricType};

/// Loads every family and sample name; returns how many lines gave one.
/// Lines may end in `\n`, `\r\n` or a lone `\r` (as old Mac tools save text).
pub(super) fn load(catalog: &mut Catalog, text: &str) -> usize {
    let mut loaded = 0;
    for line in text.split(['\n', '\r']) {
        let (before_types, before_names) = (catalog.types.len(), catalog.names.len());
        match LineInfo::parse(line) {
            LineInfo::Type { metric_name, metric_alias, sample_type } => {
                // For histograms the parser names the family `foo_bucket` and keeps `foo` as alias.
                let family = metric_alias.unwrap_or(metric_name);
                let metric_type = match sample_type {
                    SampleType::Counter => MetricType::Counter,
                    SampleType::Gauge => MetricType::Gauge,
                    SampleType::Histogram => MetricType::Histogram,
                    SampleType::Summary => MetricType::Summary,
                    // OpenMetrics types the parser does not know come back untyped.
                    SampleType::Untyped => type_word(line).map_or(MetricType::Unknown, MetricType::parse),
                };
                catalog.insert(family, metric_type);
            }
            LineInfo::Sample { metric_name, labels, .. } => {
                for (name, value) in label_pairs(labels.unwrap_or("")) {
                    catalog.insert_label(metric_name, &name, &value);
                }
                catalog.insert_name(metric_name)
            }
            LineInfo::Doc { metric_name, doc } => catalog.insert_help(metric_name, doc.trim()),
            LineInfo::Empty => {}
            // The parser's names are `\w+`: names with colons (federated
            // recording rules) and quoted UTF-8 names come back ignored.
            LineInfo::Ignored => fallback(catalog, line.trim()),
        }
        if (catalog.types.len(), catalog.names.len()) != (before_types, before_names) || is_metric_line(line) {
            loaded += 1;
        }
    }
    loaded
}

/// The `name="value"` pairs of a sample's label set (escapes in values
/// undone: `\\`, `\"`, `\n`).
fn label_pairs(text: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let mut rest = text.trim().trim_start_matches('{');
    loop {
        rest = rest.trim_start_matches([',', ' ', '\t']);
        let Some(eq) = rest.find('=') else { break };
        let name = rest[..eq].trim().trim_matches('"').to_string();
        let Some(after) = rest[eq + 1..].trim_start().strip_prefix('"') else { break };
        let mut value = String::new();
        let mut chars = after.char_indices();
        let mut end = None;
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some((_, 'n')) => value.push('\n'),
                    Some((_, other)) => value.push(other),
                    None => {}
                },
                '"' => {
                    end = Some(i + 1);
                    break;
                }
                other => value.push(other),
            }
        }
        let Some(end) = end else { break };
        if !name.is_empty() {
            pairs.push((name, value));
        }
        rest = &after[end..];
    }
    pairs
}

/// A `# TYPE` line or a sample line, whether or not it added a new name.
fn is_metric_line(line: &str) -> bool {
    matches!(LineInfo::parse(line), LineInfo::Type { .. } | LineInfo::Sample { .. })
}

/// The type word of a `# TYPE name type` line.
fn type_word(line: &str) -> Option<&str> {
    let mut words = line.trim().strip_prefix('#')?.split_whitespace();
    (words.next()? == "TYPE").then_some(())?;
    words.nth(1)
}

fn fallback(catalog: &mut Catalog, line: &str) {
    if let Some(comment) = line.strip_prefix('#') {
        let mut words = comment.split_whitespace();
        if let (Some("TYPE"), Some(name), Some(word)) = (words.next(), words.next(), words.next()) {
            catalog.insert(name, MetricType::parse(word));
        }
        return;
    }
    let name = line.split(['{', ' ', '\t']).next().unwrap_or("");
    // Only what can be a metric name: garbage (a binary file) adds nothing.
    if crate::model::NameValidation::Legacy.is_valid_metric_name(name) {
        catalog.insert_name(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_classic_and_openmetrics_types() {
        let mut c = Catalog::default();
        load(
            &mut c,
            "# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\nhttp_requests_total{code=\"200\"} 3\n\
             # TYPE rpc counter\nrpc_total 1\nrpc_created 1.7e9\n\
             # TYPE build info\nbuild_info{version=\"1\"} 1\n\
             # TYPE latency_seconds histogram\nlatency_seconds_bucket{le=\"+Inf\"} 1\nlatency_seconds_sum 1\nlatency_seconds_count 1\n\
             # TYPE queue_bytes_total gauge\n\
             # TYPE job:errors:rate5m gauge\njob:errors:rate5m{job=\"a\"} 0\n\
             plain_untyped 1\n# EOF\n",
        );
        assert_eq!(c.metric_type("http_requests_total"), Some(MetricType::Counter));
        assert_eq!(c.metric_type("rpc_total"), Some(MetricType::Counter));
        assert_eq!(c.metric_type("rpc_created"), Some(MetricType::Counter));
        assert_eq!(c.metric_type("build_info"), Some(MetricType::Info));
        assert_eq!(c.metric_type("latency_seconds_bucket"), Some(MetricType::Histogram));
        assert_eq!(c.metric_type("latency_seconds_count"), Some(MetricType::Histogram));
        // A family with a TYPE line but no samples is still known.
        assert_eq!(c.metric_type("queue_bytes_total"), Some(MetricType::Gauge));
        assert_eq!(c.metric_type("job:errors:rate5m"), Some(MetricType::Gauge));
        assert!(c.knows("plain_untyped"));
        assert_eq!(c.metric_type("plain_untyped"), None);
        assert!(!c.knows("EOF"));
        assert_eq!(c.help("http_requests_total"), Some("Requests."));
        let labels = c.labels_of("http_requests_total").unwrap();
        assert_eq!(labels["code"].iter().collect::<Vec<_>>(), ["200"]);
        assert_eq!(
            label_pairs(r#"a="x,\"y\"",b = "é""#),
            [("a".to_string(), "x,\"y\"".to_string()), ("b".to_string(), "é".to_string())]
        );
    }
}

//! A stand-in for a Prometheus server in lint examples: canned answers
//! written as JSON, so that online lints have offline fail examples.
//!
//! `{"now": 1763596800, "step": 60, "present": ["up"], "series": {"instance=a": "###...###"}}`:
//! selectors whose metric name is in `present` have series; every range query
//! returns `series`, one character per step ending at `now`, `#` where the
//! series has a value. `"retention": "15d"` and `"external_labels": {...}`
//! stand for the server's flags and configuration.

use std::collections::BTreeMap;

use super::prometheus::{Api, ApiError, RangeSeries, Stats};

#[derive(Debug, Default)]
pub struct Canned {
    /// Retention and external labels, as the server's flags and configuration say.
    pub settings: super::ServerSettings,
    now: f64,
    step: f64,
    present: Vec<String>,
    series: Vec<(String, String)>,
}

impl Canned {
    pub fn parse(text: &str) -> Result<Canned, String> {
        let json: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let now = json.get("now").and_then(|v| v.as_f64()).ok_or("no `now`")?;
        let step = json.get("step").and_then(|v| v.as_f64()).unwrap_or(60.0);
        let present = json
            .get("present")
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        let series = json
            .get("series")
            .and_then(|v| v.as_object())
            .map(|o| o.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
            .unwrap_or_default();
        let settings = super::ServerSettings {
            retention: json.get("retention").and_then(|v| v.as_str()).and_then(|t| crate::duration::parse(t).ok()),
            external_labels: json
                .get("external_labels")
                .and_then(|v| v.as_object())
                .map(|o| o.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
                .unwrap_or_default(),
            ..super::ServerSettings::default()
        };
        Ok(Canned { settings, now, step, present, series })
    }
}

impl Api for Canned {
    fn now(&self) -> f64 {
        self.now
    }

    fn series_exist(&self, selector: &str, _start: f64, _end: f64) -> Result<bool, ApiError> {
        let name = selector.split(['{', '[', ' ']).next().unwrap_or("");
        Ok(self.present.iter().any(|p| p == name))
    }

    fn query_range(&self, _expr: &str, start: f64, end: f64, _step: f64) -> Result<Vec<RangeSeries>, ApiError> {
        Ok(self
            .series
            .iter()
            .map(|(labels, pattern)| {
                let labels: BTreeMap<String, String> = labels
                    .split(',')
                    .filter_map(|kv| kv.split_once('='))
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                let first = self.now - (pattern.chars().count().saturating_sub(1)) as f64 * self.step;
                let timestamps = pattern
                    .chars()
                    .enumerate()
                    .filter(|(_, c)| *c == '#')
                    .map(|(i, _)| first + i as f64 * self.step)
                    .filter(|t| *t >= start && *t <= end)
                    .collect();
                RangeSeries { labels, timestamps }
            })
            .collect())
    }

    fn query(&self, _expr: &str, _time: f64) -> Result<Vec<super::prometheus::Sample>, ApiError> {
        Ok(Vec::new())
    }

    fn label_values(&self, _label: &str, _selector: &str, _start: f64, _end: f64) -> Result<Vec<String>, ApiError> {
        Ok(Vec::new())
    }

    fn stats(&self) -> Stats {
        Stats::default()
    }
}

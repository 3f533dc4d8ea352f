//! What is known about metrics: names and types, from saved scrapes and
//! from a live Prometheus. Empty unless configured.

use std::collections::HashMap;

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

/// Metric names and types.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    types: HashMap<String, MetricType>,
}

impl Catalog {
    pub fn is_empty(&self) -> bool {
        self.types.is_empty()
    }

    /// The type of the series `name` (a family name, or a sample name such as
    /// `foo_bucket` of histogram `foo`).
    pub fn metric_type(&self, name: &str) -> Option<MetricType> {
        self.types.get(name).copied()
    }

    pub fn insert(&mut self, name: impl Into<String>, metric_type: MetricType) {
        self.types.insert(name.into(), metric_type);
    }
}

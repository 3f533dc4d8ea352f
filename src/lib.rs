//! alertlint: a static analyzer for Prometheus alerting and recording rules.
//!
//! Data flows one way: discover → read → yaml → model → promql/template →
//! lints → policy (suppressions, selection, severities) → report.

pub mod alertmanager;
pub mod baseline;
pub mod catalog;
pub mod changed;
pub mod cli;
pub mod config;
pub mod conventions;
pub mod diagnostic;
pub mod discover;
pub mod duration;
pub mod engine;
pub mod fix;
pub mod globs;
pub mod go_format;
pub mod lints;
pub mod lsp;
pub mod model;
pub mod names;
pub use config::policy;
pub mod promql;
pub mod re2;
pub mod read;
pub mod report;
pub mod routes;
pub mod source;
pub mod span;
pub mod suppress;
pub mod template;
pub mod version;
pub mod yaml;

pub use diagnostic::{Diagnostic, Label, Severity};
pub use source::{Position, SourceFile};
pub use span::Span;

//! alertlint: a static analyzer for Prometheus alerting and recording rules.

pub mod alertmanager;
pub mod diagnostic;
pub mod model;
pub mod promql;
pub mod source;
pub mod span;
pub mod template;
pub mod yaml;

pub use diagnostic::{Diagnostic, Label, Severity};
pub use source::{Position, SourceFile};
pub use span::Span;

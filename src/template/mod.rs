//! Go text/template parsing for alert labels and annotations, with spans.

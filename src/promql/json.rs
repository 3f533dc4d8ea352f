//! `alertlint parse --format json`.
use super::ParseError;

pub fn errors_to_json(errors: &[ParseError]) -> serde_json::Value {
    serde_json::json!({"ok": false, "errors": errors.iter().map(|e| serde_json::json!({"start": e.span.start, "end": e.span.end, "message": e.message})).collect::<Vec<_>>()})
}

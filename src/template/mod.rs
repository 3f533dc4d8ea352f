//! Go text/template parsing for alert labels and annotations, with spans.

// Placeholder until the parser lands: the engine codes against this API.
use crate::span::Span;

pub struct Template;

#[derive(Debug)]
pub struct TemplateError {
    pub span: Span,
    pub message: String,
}

pub fn parse(_text: &str) -> Result<Template, TemplateError> {
    Ok(Template)
}

//! `--fix` and `--fix --diff`: the corrections attached to findings (and the
//! ones the language server verifies by re-linting) applied to files on disk.
//! A fixed file is linted again and fixed again until nothing changes, so a
//! second `--fix` changes nothing.

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::engine::{Engine, FileReport, Input};
use crate::lsp::actions;

/// How many fix-and-relint rounds a file gets at most.
const MAX_ROUNDS: usize = 5;

/// `text` with `edits` applied, or `None` when two edits overlap or one does
/// not fall on character boundaries.
pub fn apply(text: &str, edits: &[Edit]) -> Option<String> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    for pair in sorted.windows(2) {
        if pair[0].span.end > pair[1].span.start {
            return None;
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for edit in sorted {
        let span = edit.span;
        if span.end > text.len() || !text.is_char_boundary(span.start) || !text.is_char_boundary(span.end) {
            return None;
        }
        out.push_str(&text[at..span.start]);
        out.push_str(&edit.text);
        at = span.end;
    }
    out.push_str(&text[at..]);
    Some(out)
}

/// The fix of each finding: the one the lint attached, else the suppression
/// fixes and the `for:` fix that the language server also offers.
pub fn fix_of(engine: &Engine, report: &FileReport, d: &Diagnostic) -> Option<Fix> {
    if let Some(fix) = &d.fix {
        return Some(fix.clone());
    }
    if let Some(action) = actions::suppression_fix(&report.file, &report.model, d) {
        return Some(Fix { title: action.title, edits: action.edits });
    }
    if d.lint == actions::FOR_TOO_SHORT.id {
        return verified_for_fix(engine, report, d);
    }
    None
}

/// The shortest `for:` from the usual values that silences
/// `noise/for-too-short` for this rule without adding an error, checked by
/// linting the edited text.
pub fn verified_for_fix(engine: &Engine, report: &FileReport, d: &Diagnostic) -> Option<Fix> {
    let rule = actions::rule_of(&report.model, d)?;
    let values: Vec<String> = actions::FOR_CANDIDATES.iter().map(|v| v.to_string()).collect();
    let count = |text: &str| -> Option<(usize, usize)> {
        let input = Input { name: report.file.name().to_string(), bytes: text.as_bytes().to_vec() };
        let checked = engine.check(vec![input]).into_iter().next()?;
        let short = checked.diagnostics.iter().filter(|x| x.lint == actions::FOR_TOO_SHORT.id).count();
        let errors = checked.diagnostics.iter().filter(|x| x.severity == crate::diagnostic::Severity::Error).count();
        Some((short, errors))
    };
    let (short_before, errors_before) = count(report.file.text())?;
    for (title, edit) in actions::for_candidates(&report.file, rule, &values) {
        let edited = apply(report.file.text(), std::slice::from_ref(&edit))?;
        let (short, errors) = count(&edited)?;
        if short < short_before && errors <= errors_before {
            return Some(Fix { title, edits: vec![edit] });
        }
    }
    None
}

/// Whether two edits touch the same bytes (two insertions at one point count).
fn overlap(a: &Edit, b: &Edit) -> bool {
    (a.span.start < b.span.end && b.span.start < a.span.end) || a.span.start == b.span.start
}

/// One round: every fix of `report` that does not overlap an earlier one.
fn round(engine: &Engine, report: &FileReport) -> Option<String> {
    let mut chosen: Vec<Edit> = Vec::new();
    for d in &report.diagnostics {
        let Some(fix) = fix_of(engine, report, d) else { continue };
        let overlaps = fix.edits.iter().any(|e| chosen.iter().any(|c| overlap(e, c)));
        if !overlaps {
            chosen.extend(fix.edits);
        }
    }
    if chosen.is_empty() {
        return None;
    }
    apply(report.file.text(), &chosen).filter(|fixed| fixed != report.file.text())
}

/// The file's text with every fix applied (re-linting between rounds), or
/// `None` when nothing is to be fixed.
pub fn fix_file(engine: &Engine, report: &FileReport) -> Option<String> {
    let mut text: Option<String> = None;
    let mut current = round(engine, report)?;
    for _ in 0..MAX_ROUNDS {
        text = Some(current.clone());
        let input = Input { name: report.file.name().to_string(), bytes: current.as_bytes().to_vec() };
        let Some(next_report) = engine.check(vec![input]).into_iter().next() else { break };
        match round(engine, &next_report) {
            Some(next) => current = next,
            None => break,
        }
    }
    text
}

/// A unified diff of `before` and `after` for `name`.
pub fn unified_diff(name: &str, before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

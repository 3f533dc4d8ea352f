//! Code actions as byte edits: suppression comments for a rule or the file,
//! and fixes that are certain (a misspelt lint id, an unused suppression, a
//! missing or short `for:` — the last one verified by re-linting in the server).

use crate::diagnostic::Diagnostic;
use crate::lints;
use crate::lints::suppression::{unknown_lint::UNKNOWN_LINT, unused::UNUSED};
use crate::lints::yaml::syntax::SYNTAX;
use crate::model::{Rule, RuleFile};
use crate::source::SourceFile;
use crate::span::Span;
use crate::suppress;

pub use crate::diagnostic::Edit;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    pub title: String,
    pub edits: Vec<Edit>,
    /// A fix rather than a suppression: editors apply it on "fix all".
    pub is_fix: bool,
}

/// The lint whose `for:` fix is offered.
pub use crate::lints::noise::for_too_short::FOR_TOO_SHORT;

/// Values tried for a `for:` fix, shortest first; the first that silences the
/// lint is offered.
pub const FOR_CANDIDATES: [&str; 7] = ["1m", "2m", "5m", "10m", "15m", "30m", "1h"];

/// Lints a suppression comment makes no sense for: a file that does not parse
/// has no rules to attach to, and suppressing the suppression lints hides
/// mistakes in the comments themselves.
fn suppressible(lint: &str) -> bool {
    lint != SYNTAX.id && lint.split('/').next() != Some(UNUSED.family())
}

/// `text` with `edits` applied; edits must not overlap.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| std::cmp::Reverse((e.span.start, e.span.end)));
    let mut out = text.to_string();
    for edit in sorted {
        if edit.span.end <= out.len() && out.is_char_boundary(edit.span.start) && out.is_char_boundary(edit.span.end) {
            out.replace_range(edit.span.range(), &edit.text);
        }
    }
    out
}

/// The line terminator used by the line containing `offset` (so that an
/// inserted line matches its neighbours).
fn line_ending(file: &SourceFile, line: usize) -> &'static str {
    let range = file.line_range(line);
    if file.text()[range.end..].starts_with("\r\n") { "\r\n" } else { "\n" }
}

/// Offset just past the terminator of 0-based `line` (or the end of the text).
fn next_line_start(file: &SourceFile, line: usize) -> usize {
    let end = file.line_range(line).end;
    let rest = &file.text()[end..];
    if rest.starts_with("\r\n") {
        end + 2
    } else if rest.starts_with('\n') {
        end + 1
    } else {
        end
    }
}

/// The innermost rule containing the finding.
pub fn rule_of<'a>(model: &'a RuleFile, d: &Diagnostic) -> Option<&'a Rule> {
    model
        .groups
        .iter()
        .flat_map(|g| &g.rules)
        .filter(|r| r.span.contains(d.span.start) || r.span.start == d.span.start)
        .min_by_key(|r| r.span.len())
}

/// The whitespace before a block-sequence item (`      - alert: X`) whose
/// mapping starts at `start`, and the column its keys start at. `None` for
/// flow style (`[{alert: X}]`) or an item that does not start its line, where
/// a comment line cannot attach.
fn item_layout(file: &SourceFile, start: usize) -> Option<(&str, usize)> {
    let line = file.line_index(start);
    let line_start = file.line_range(line).start;
    let prefix = &file.text()[line_start..start];
    let indent_len = prefix.len() - prefix.trim_start_matches([' ', '\t']).len();
    let rest = &prefix[indent_len..];
    let is_item_start =
        rest.is_empty() || (rest.starts_with('-') && rest[1..].chars().all(|c| c == ' ') && rest.len() > 1);
    let block_mapping = !file.text()[start..].starts_with('{');
    (is_item_start && block_mapping).then_some((&prefix[..indent_len], prefix.len()))
}

fn block_item_layout<'a>(file: &'a SourceFile, rule: &Rule) -> Option<(&'a str, usize)> {
    item_layout(file, rule.span.start)
}

/// `# alertlint disable ID` on the line above the item starting at `start`,
/// or the id added to a `disable` comment already there.
fn disable_above(file: &SourceFile, start: usize, lint: &str, title: String) -> Option<Action> {
    let (indent, _) = item_layout(file, start)?;
    let line = file.line_index(start);
    if line > 0 {
        if let Some(edit) = extend_directive(file, line - 1, "disable", lint) {
            return Some(Action { title, edits: vec![edit], is_fix: false });
        }
    }
    let at = file.line_range(line).start;
    let text = format!("{indent}# alertlint disable {lint}{}", line_ending(file, line));
    Some(Action { title, edits: vec![Edit { span: Span::at(at), text }], is_fix: false })
}

/// "Disable `ID` for this rule": a comment above the rule item.
pub fn disable_for_rule(file: &SourceFile, model: &RuleFile, d: &Diagnostic) -> Option<Action> {
    if !suppressible(d.lint) {
        return None;
    }
    let rule = rule_of(model, d)?;
    disable_above(file, rule.span.start, d.lint, format!("Disable `{}` for this rule", d.lint))
}

/// "Disable `ID` for this group", for findings in a group but outside its
/// rules (a duplicate group name, an invalid interval): a comment above the
/// group item.
pub fn disable_for_group(file: &SourceFile, model: &RuleFile, d: &Diagnostic) -> Option<Action> {
    if !suppressible(d.lint) || rule_of(model, d).is_some() {
        return None;
    }
    let group = model
        .groups
        .iter()
        .filter(|g| g.span.contains(d.span.start) || g.span.start == d.span.start)
        .min_by_key(|g| g.span.len())?;
    disable_above(file, group.span.start, d.lint, format!("Disable `{}` for this group", d.lint))
}

/// "Disable `ID` for this file": `# alertlint disable-file ID` at the top, or
/// the id added to a `disable-file` comment in the leading comment block.
pub fn disable_for_file(file: &SourceFile, d: &Diagnostic) -> Option<Action> {
    if !suppressible(d.lint) {
        return None;
    }
    let title = format!("Disable `{}` for this file", d.lint);
    for line in 0..file.line_count() {
        let text = file.text()[file.line_range(line)].trim_start_matches('\u{feff}').trim();
        if !text.starts_with('#') {
            break;
        }
        if let Some(edit) = extend_directive(file, line, "disable-file", d.lint) {
            return Some(Action { title, edits: vec![edit], is_fix: false });
        }
    }
    let at = if file.text().starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let text = format!("# alertlint disable-file {}{}", d.lint, line_ending(file, 0));
    Some(Action { title, edits: vec![Edit { span: Span::at(at), text }], is_fix: false })
}

/// When `line` is a whole-line `# alertlint <verb> ...` comment, the edit that
/// adds `id` to its list (before any `-- reason`).
fn extend_directive(file: &SourceFile, line: usize, verb: &str, id: &str) -> Option<Edit> {
    let range = file.line_range(line);
    let text = &file.text()[range.clone()];
    let body = text.trim_start().strip_prefix('#')?.trim_start();
    let list = body.strip_prefix("alertlint")?.trim_start().strip_prefix(verb)?;
    if !list.starts_with([' ', '\t']) {
        return None;
    }
    let list_start = range.end - list.len();
    let list_end = match list.find(" --") {
        Some(i) => list_start + i,
        None => range.end,
    };
    let ids = file.text()[list_start..list_end].trim_end();
    if ids.split(',').any(|p| p.trim() == id) {
        return None;
    }
    let at = list_start + file.text()[list_start..list_end].trim_end().len();
    let separator = if ids.trim().is_empty() { "" } else { "," };
    Some(Edit { span: Span::at(at), text: format!("{separator} {id}") })
}

/// Fixes for the suppression lints: a misspelt id replaced by the id it is
/// closest to, and an unused id removed (the whole comment when it was the last).
pub fn suppression_fix(file: &SourceFile, model: &RuleFile, d: &Diagnostic) -> Option<Action> {
    let directives = suppress::scan(file, model).directives;
    let (directive, target) =
        directives.iter().find_map(|dir| dir.targets.iter().find(|t| t.span == d.span).map(|t| (dir, t)))?;
    match d.lint {
        id if id == UNKNOWN_LINT.id => {
            let closest = lints::closest(&target.pattern, crate::names::ids::ALL.iter().copied())?;
            Some(Action {
                title: format!("Replace `{}` with `{closest}`", target.pattern),
                edits: vec![Edit { span: target.span, text: closest.to_string() }],
                is_fix: true,
            })
        }
        id if id == UNUSED.id => {
            let title = format!("Remove the unused suppression of `{}`", target.pattern);
            let edit = if directive.targets.len() == 1 {
                remove_comment(file, directive.span)
            } else {
                remove_target(directive, target.span)
            };
            Some(Action { title, edits: vec![edit], is_fix: true })
        }
        _ => None,
    }
}

/// Deletes a comment: its whole line when nothing else is on it, otherwise
/// the comment and the blanks before it.
fn remove_comment(file: &SourceFile, comment: Span) -> Edit {
    let line = file.line_index(comment.start);
    let range = file.line_range(line);
    let before = &file.text()[range.start..comment.start];
    if before.trim().is_empty() {
        return Edit { span: Span::new(range.start, next_line_start(file, line)), text: String::new() };
    }
    let start = range.start + before.trim_end().len();
    Edit { span: Span::new(start, range.end), text: String::new() }
}

/// Deletes one id from a list of several, with one adjacent comma.
fn remove_target(directive: &suppress::Directive, target: Span) -> Edit {
    let index = directive.targets.iter().position(|t| t.span == target).unwrap_or(0);
    let span = match directive.targets.get(index + 1) {
        // `a, b` → `b`: up to the next id.
        Some(next) => Span::new(target.start, next.span.start),
        // Last of several: from the end of the previous id.
        None => {
            let previous = directive.targets.get(index.wrapping_sub(1)).map_or(target.start, |p| p.span.end);
            Span::new(previous, target.end)
        }
    };
    Edit { span, text: String::new() }
}

/// Candidate edits for `noise/for-too-short` on `rule`, one per value: set
/// the existing `for:` or add one after `expr`. The server keeps the first
/// that silences the lint without a new error.
pub fn for_candidates(file: &SourceFile, rule: &Rule, values: &[String]) -> Vec<(String, Edit)> {
    let mut out = Vec::new();
    if let Some(existing) = &rule.for_ {
        for value in values {
            out.push((format!("Set `for: {value}`"), Edit { span: existing.span, text: value.clone() }));
        }
        return out;
    }
    let Some(expr) = &rule.expr else { return out };
    let Some((_, key_column)) = block_item_layout(file, rule) else {
        return out;
    };
    let expr_source = &file.text()[file.clamp(expr.span.start)..file.clamp(expr.span.end)];
    // A keep-chomping block scalar (`|+`) owns the blank lines after it; a
    // line inserted there would change the expression.
    let header = expr_source.lines().next().unwrap_or("");
    if (header.starts_with('|') || header.starts_with('>')) && header.contains('+') {
        return out;
    }
    let last_line = file.line_index(expr.span.end.max(expr.span.start + 1) - 1);
    let at = next_line_start(file, last_line);
    let eol = line_ending(file, last_line);
    let needs_newline = at == file.text().len() && !file.text().ends_with('\n');
    for value in values {
        let line = format!("{}for: {value}", " ".repeat(key_column));
        let text = if needs_newline { format!("{eol}{line}") } else { format!("{line}{eol}") };
        out.push((format!("Add `for: {value}`"), Edit { span: Span::at(at), text }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;
    use crate::model::{Duration, FileKind, Group, RuleKind, Text};
    use crate::yaml::OffsetMap;

    fn text_at(file: &str, value: &str, nth: usize) -> Text {
        let start = file.match_indices(value).nth(nth).map(|(i, _)| i).unwrap();
        Text {
            value: value.into(),
            span: Span::new(start, start + value.len()),
            map: OffsetMap::identity(start, value.len()),
        }
    }

    /// A model for `text` with one group and a rule per `(name, item_start, item_end)` marker.
    fn model(text: &str, rules: &[(&str, &str, Option<&str>)]) -> RuleFile {
        let rules = rules
            .iter()
            .map(|(name, expr, for_)| {
                let name = text_at(text, name, 0);
                // The item starts at `alert:`, the key before the name.
                let start = text[..name.span.start].rfind("alert:").unwrap();
                let expr = text_at(text, expr, 0);
                let for_ = for_.map(|f| {
                    let t = text_at(text, f, 0);
                    Duration { millis: 0, text: t.value, span: t.span }
                });
                let end = text[expr.span.end..].find("\n      -").map_or(text.len(), |i| expr.span.end + i + 1);
                Rule {
                    kind: RuleKind::Alert,
                    name,
                    span: Span::new(start, end),
                    expr: Some(expr),
                    for_,
                    keep_firing_for: None,
                    labels: vec![],
                    annotations: vec![],
                }
            })
            .collect();
        let group = Group {
            name: text_at(text, "api", 0),
            // The group item's mapping starts at its first key, `name:`.
            span: Span::new(text.find("name: api").unwrap(), text.len()),
            interval: None,
            query_offset: None,
            limit: None,
            labels: vec![],
            rules,
        };
        RuleFile { kind: FileKind::Rules, groups: vec![group], diagnostics: vec![], scalar_spans: vec![] }
    }

    const RULES: &str = "groups:\n  - name: api\n    rules:\n      - alert: First\n        expr: up == 0\n      - alert: Second\n        expr: errors > 5\n        for: 1s\n";

    fn finding_in(text: &str, needle: &str, lint: &'static str) -> Diagnostic {
        let at = text.find(needle).unwrap();
        Diagnostic::new(lint, Severity::Warning, Span::new(at, at + needle.len()), "m")
    }

    #[test]
    fn disabling_for_a_rule_inserts_an_indented_comment_above_the_item() {
        let m = model(RULES, &[("First", "up == 0", None), ("Second", "errors > 5", Some("1s"))]);
        let d = finding_in(RULES, "Second", "runbook/missing");
        let action = disable_for_rule(&SourceFile::new("f", RULES), &m, &d).unwrap();
        let fixed = apply(RULES, &action.edits);
        assert!(
            fixed.contains("        expr: up == 0\n      # alertlint disable runbook/missing\n      - alert: Second\n"),
            "{fixed}"
        );

        // A second id joins the existing comment, before its reason.
        let with_reason = fixed.replace("disable runbook/missing", "disable runbook/missing -- legacy");
        let d = finding_in(&with_reason, "Second", "owner/missing");
        let m = model(&with_reason, &[("First", "up == 0", None), ("Second", "errors > 5", Some("1s"))]);
        let again =
            apply(&with_reason, &disable_for_rule(&SourceFile::new("f", with_reason.as_str()), &m, &d).unwrap().edits);
        assert!(
            again.contains(
                "      # alertlint disable runbook/missing, owner/missing -- legacy\n      - alert: Second\n"
            ),
            "{again}"
        );
    }

    #[test]
    fn findings_outside_rules_are_disabled_for_their_group() {
        let m = model(RULES, &[("First", "up == 0", None)]);
        let in_group = finding_in(RULES, "api", "group/duplicate-name");
        let fixed = apply(RULES, &disable_for_group(&SourceFile::new("f", RULES), &m, &in_group).unwrap().edits);
        assert!(fixed.starts_with("groups:\n  # alertlint disable group/duplicate-name\n  - name: api\n"), "{fixed}");
        let in_rule = finding_in(RULES, "First", "runbook/missing");
        assert_eq!(disable_for_group(&SourceFile::new("f", RULES), &m, &in_rule), None);
    }

    #[test]
    fn disabling_keeps_crlf_line_endings() {
        let crlf = RULES.replace('\n', "\r\n");
        let m = model(&crlf, &[("First", "up == 0", None)]);
        let d = finding_in(&crlf, "First", "runbook/missing");
        let fixed = apply(&crlf, &disable_for_rule(&SourceFile::new("f", crlf.as_str()), &m, &d).unwrap().edits);
        assert!(
            fixed.contains("    rules:\r\n      # alertlint disable runbook/missing\r\n      - alert: First\r\n"),
            "{fixed:?}"
        );
    }

    #[test]
    fn flow_style_rules_get_no_rule_comment() {
        let text = "groups:\n  - name: api\n    rules: [{alert: First, expr: up == 0}]\n";
        let name = text_at(text, "First", 0);
        let mut m = model(
            "groups:\n  - name: api\n    rules:\n      - alert: First\n        expr: up == 0\n",
            &[("First", "up == 0", None)],
        );
        m.groups[0].rules[0].span = Span::new(text.find('{').unwrap(), text.find('}').unwrap() + 1);
        m.groups[0].rules[0].name = name;
        let d = finding_in(text, "First", "runbook/missing");
        assert_eq!(disable_for_rule(&SourceFile::new("f", text), &m, &d), None);
    }

    #[test]
    fn disabling_for_the_file_uses_the_leading_comment_block() {
        let d = Diagnostic::new("record/naming", Severity::Info, Span::new(30, 31), "m");
        let fresh = apply(RULES, &disable_for_file(&SourceFile::new("f", RULES), &d).unwrap().edits);
        assert!(fresh.starts_with("# alertlint disable-file record/naming\ngroups:"), "{fresh}");
        let existing = "# header\n# alertlint disable-file owner/*\ngroups: []\n";
        let fixed = apply(existing, &disable_for_file(&SourceFile::new("f", existing), &d).unwrap().edits);
        assert_eq!(fixed, "# header\n# alertlint disable-file owner/*, record/naming\ngroups: []\n");
        let yaml_error = Diagnostic::new("yaml/syntax", Severity::Error, Span::new(0, 1), "m");
        assert_eq!(disable_for_file(&SourceFile::new("f", existing), &yaml_error), None);
    }

    #[test]
    fn misspelt_and_unused_suppressions_are_fixed() {
        let m = RuleFile { kind: FileKind::NotRules, groups: vec![], diagnostics: vec![], scalar_spans: vec![] };
        let text =
            "# alertlint disable-file owner/misisng, record/naming\nkey: 1 # alertlint disable-file noise/irate\n";
        let file = SourceFile::new("f", text);
        let d = finding_in(text, "owner/misisng", "suppression/unknown-lint");
        let fix = suppression_fix(&file, &m, &d).unwrap();
        assert_eq!(apply(text, &fix.edits), text.replace("misisng", "missing"));

        let d = finding_in(text, "owner/misisng", "suppression/unused");
        assert_eq!(apply(text, &suppression_fix(&file, &m, &d).unwrap().edits), text.replace("owner/misisng, ", ""));
        let d = finding_in(text, "record/naming", "suppression/unused");
        assert_eq!(apply(text, &suppression_fix(&file, &m, &d).unwrap().edits), text.replace(", record/naming", ""));
        let d = finding_in(text, "noise/irate", "suppression/unused");
        assert_eq!(
            apply(text, &suppression_fix(&file, &m, &d).unwrap().edits),
            "# alertlint disable-file owner/misisng, record/naming\nkey: 1\n"
        );

        let alone = "a: 1\n  # alertlint disable-file noise/irate\nb: 2\n";
        let d = finding_in(alone, "noise/irate", "suppression/unused");
        assert_eq!(apply(alone, &suppression_fix(&SourceFile::new("f", alone), &m, &d).unwrap().edits), "a: 1\nb: 2\n");
    }

    #[test]
    fn for_is_added_after_the_expression_or_set_in_place() {
        let m = model(RULES, &[("First", "up == 0", None), ("Second", "errors > 5", Some("1s"))]);
        let file = SourceFile::new("f", RULES);
        let values = vec!["5m".to_string()];
        let (title, edit) = for_candidates(&file, &m.groups[0].rules[0], &values).remove(0);
        assert_eq!(title, "Add `for: 5m`");
        assert!(
            apply(RULES, &[edit])
                .contains("      - alert: First\n        expr: up == 0\n        for: 5m\n      - alert: Second\n")
        );
        let (title, edit) = for_candidates(&file, &m.groups[0].rules[1], &values).remove(0);
        assert_eq!(title, "Set `for: 5m`");
        assert!(apply(RULES, &[edit]).ends_with("        expr: errors > 5\n        for: 5m\n"));

        // At the end of a file without a final newline.
        let unterminated = "groups:\n  - name: api\n    rules:\n      - alert: First\n        expr: up == 0";
        let m = model(unterminated, &[("First", "up == 0", None)]);
        let (_, edit) = for_candidates(&SourceFile::new("f", unterminated), &m.groups[0].rules[0], &values).remove(0);
        assert_eq!(apply(unterminated, &[edit]), format!("{unterminated}\n        for: 5m"));
    }
}

//! Inline suppressions: `# alertlint disable ID[,ID...] [-- reason]` for the
//! rule or group it is attached to, `# alertlint disable-file ...` for the file.

use std::collections::HashMap;

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::RuleFile;
use crate::source::SourceFile;
use crate::span::Span;

/// What a directive applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    File,
    /// A rule or group: findings starting inside this span.
    Range(Span),
    /// Not above or inside any rule or group.
    Unattached,
}

/// One lint id (or family glob) named by a directive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub pattern: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// The whole comment.
    pub span: Span,
    pub targets: Vec<Target>,
    pub scope: Scope,
}

const PREFIX: &str = "alertlint";

/// Finds every directive in `file`. A `#` inside a scalar is text, not a comment.
pub fn scan(file: &SourceFile, model: &RuleFile) -> Vec<Directive> {
    let text = file.text();
    let mut directives = Vec::new();
    let mut anchors: Option<Anchors> = None;
    for line in 0..file.line_count() {
        let range = file.line_range(line);
        let line_text = &text[range.clone()];
        if !line_text.contains(PREFIX) {
            continue;
        }
        let Some(hash) = comment_start(line_text, range.start, &model.scalar_spans) else { continue };
        let comment = &line_text[hash - range.start + 1..];
        let Some((file_wide, targets)) = parse_directive(comment, hash + 1) else { continue };
        let scope = if file_wide {
            Scope::File
        } else {
            let anchors = anchors.get_or_insert_with(|| Anchors::new(file, model));
            attach(file, anchors, line, hash)
        };
        directives.push(Directive { span: Span::new(hash, range.end), targets, scope });
    }
    directives
}

/// Offset of the `#` that starts a comment on this line, if any.
fn comment_start(line: &str, line_start: usize, scalars: &[Span]) -> Option<usize> {
    let bytes = line.as_bytes();
    (0..bytes.len()).find_map(|i| {
        // A byte-order mark at the start of the file counts as the line start.
        // (`#` is ASCII, so `i` is a character boundary when it is tested.)
        let starts_comment =
            bytes[i] == b'#' && (i == 0 || bytes[i - 1] == b' ' || bytes[i - 1] == b'\t' || &line[..i] == "\u{feff}");
        let offset = line_start + i;
        (starts_comment && !inside(scalars, offset)).then_some(offset)
    })
}

fn inside(spans: &[Span], offset: usize) -> bool {
    let i = spans.partition_point(|s| s.end <= offset);
    spans.get(i).is_some_and(|s| s.start <= offset)
}

/// Parses the text after `#`. Returns whether it is file-wide and its targets.
fn parse_directive(comment: &str, offset: usize) -> Option<(bool, Vec<Target>)> {
    let trimmed = comment.trim_start();
    let mut pos = offset + (comment.len() - trimmed.len());
    let rest = trimmed.strip_prefix(PREFIX)?;
    pos += PREFIX.len();
    let after_ws = rest.trim_start();
    if after_ws.len() == rest.len() {
        return None;
    }
    pos += rest.len() - after_ws.len();
    let (file_wide, rest) = if let Some(r) = after_ws.strip_prefix("disable-file") {
        (true, r)
    } else {
        (false, after_ws.strip_prefix("disable")?)
    };
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    pos += after_ws.len() - rest.len();
    let list = rest.split(" --").next().unwrap_or("");
    let mut targets = Vec::new();
    let mut cursor = 0;
    for part in list.split(',') {
        let start = cursor + (part.len() - part.trim_start().len());
        let pattern = part.trim();
        cursor += part.len() + 1;
        if !pattern.is_empty() {
            let begin = pos + start;
            targets.push(Target { pattern: pattern.to_string(), span: Span::new(begin, begin + pattern.len()) });
        }
    }
    Some((file_wide, targets))
}

/// The rule or group a `disable` comment at `offset` on line `line` belongs to.
/// Where rules and groups start, indexed once per file so that attaching a
/// directive does not scan every rule (a file with a directive per rule would
/// otherwise take quadratic time).
struct Anchors {
    /// (span start, span, index) of every rule, sorted by start. Rule items
    /// never overlap, so the one containing an offset starts last before it.
    rules_by_start: Vec<(usize, Span, usize)>,
    /// First rule (in model order) whose item starts on a line.
    rule_by_line: HashMap<usize, usize>,
    /// First group whose item or `name:` starts on a line.
    group_by_line: HashMap<usize, usize>,
    rule_spans: Vec<Span>,
    group_spans: Vec<Span>,
}

impl Anchors {
    fn new(file: &SourceFile, model: &RuleFile) -> Anchors {
        let rule_spans: Vec<Span> = model.groups.iter().flat_map(|g| g.rules.iter().map(|r| r.span)).collect();
        let mut rules_by_start: Vec<(usize, Span, usize)> =
            rule_spans.iter().enumerate().map(|(i, s)| (s.start, *s, i)).collect();
        rules_by_start.sort_by_key(|&(start, _, i)| (start, i));
        let mut rule_by_line = HashMap::new();
        for (i, span) in rule_spans.iter().enumerate() {
            rule_by_line.entry(file.line_index(span.start)).or_insert(i);
        }
        let mut group_by_line = HashMap::new();
        for (i, group) in model.groups.iter().enumerate() {
            for start in [group.span.start, group.name.span.start] {
                group_by_line.entry(file.line_index(start)).or_insert(i);
            }
        }
        let group_spans = model.groups.iter().map(|g| g.span).collect();
        Anchors { rules_by_start, rule_by_line, group_by_line, rule_spans, group_spans }
    }

    fn rule_containing(&self, offset: usize) -> Option<usize> {
        let after = self.rules_by_start.partition_point(|&(start, _, _)| start <= offset);
        after
            .checked_sub(1)
            .map(|k| self.rules_by_start[k])
            .filter(|(_, span, _)| span.contains(offset))
            .map(|(_, _, i)| i)
    }
}

/// The rule, else the group, that a directive on `line` at `offset` belongs
/// to: the first one in the file that contains it, starts on its line, or
/// starts on the next content line.
fn attach(file: &SourceFile, anchors: &Anchors, line: usize, offset: usize) -> Scope {
    let next_content_line = next_content_line(file, line);
    let on_line = |map: &HashMap<usize, usize>| {
        let here = map.get(&line).copied();
        let next = next_content_line.and_then(|l| map.get(&l).copied());
        here.into_iter().chain(next).min()
    };
    let rule = anchors.rule_containing(offset).into_iter().chain(on_line(&anchors.rule_by_line)).min();
    if let Some(i) = rule {
        return Scope::Range(anchors.rule_spans[i]);
    }
    if let Some(i) = on_line(&anchors.group_by_line) {
        return Scope::Range(anchors.group_spans[i]);
    }
    Scope::Unattached
}

/// The first line after `line` that is neither a comment line nor blank;
/// `None` when a blank line comes first (a blank line detaches a comment).
fn next_content_line(file: &SourceFile, line: usize) -> Option<usize> {
    for next in line + 1..file.line_count() {
        let text = file.text()[file.line_range(next)].trim();
        if text.is_empty() {
            return None;
        }
        if !text.starts_with('#') {
            return Some(next);
        }
    }
    None
}

/// Removes suppressed findings and adds `suppression/unused` and
/// `suppression/unknown-lint` findings. `enabled` tells whether a lint runs
/// at all in this configuration: a suppression of a disabled lint is not unused.
/// `policies` are the ids of the configured policies, lints as well.
pub fn apply(
    directives: &[Directive],
    diagnostics: &mut Vec<Diagnostic>,
    enabled: &dyn Fn(&str) -> bool,
    policies: &[&'static str],
) {
    let known = |pattern: &str| {
        crate::lints::pattern_is_known(pattern) || policies.iter().any(|id| crate::lints::pattern_matches(pattern, id))
    };
    let mut used = vec![Vec::new(); directives.len()];
    for (d, directive) in directives.iter().enumerate() {
        used[d] = vec![false; directive.targets.len()];
    }
    diagnostics.retain(|diagnostic| {
        let mut suppressed = false;
        for (d, directive) in directives.iter().enumerate() {
            let applies = match directive.scope {
                Scope::File => true,
                Scope::Range(span) => span.contains(diagnostic.span.start),
                Scope::Unattached => false,
            };
            if !applies {
                continue;
            }
            for (t, target) in directive.targets.iter().enumerate() {
                if crate::lints::pattern_matches(&target.pattern, diagnostic.lint) {
                    used[d][t] = true;
                    suppressed = true;
                }
            }
        }
        !suppressed
    });
    for (d, directive) in directives.iter().enumerate() {
        if directive.targets.is_empty() {
            diagnostics.push(
                Diagnostic::new(
                    "suppression/unknown-lint",
                    Severity::Warning,
                    directive.span,
                    "suppression comment names no lint",
                )
                .help("name the lints to disable: `# alertlint disable owner/missing -- reason`"),
            );
            continue;
        }
        for (t, target) in directive.targets.iter().enumerate() {
            if !known(&target.pattern) {
                let ids = crate::lints::registry().iter().map(|r| r.meta.id).chain(policies.iter().copied());
                let mut diagnostic = Diagnostic::new(
                    "suppression/unknown-lint",
                    Severity::Warning,
                    target.span,
                    format!("no lint is named `{}`", target.pattern),
                );
                if let Some(closest) = crate::lints::closest(&target.pattern, ids) {
                    diagnostic = diagnostic.help(format!("did you mean `{closest}`?"));
                }
                diagnostics.push(diagnostic);
            } else if !used[d][t] && any_enabled(&target.pattern, enabled) {
                let message = match directive.scope {
                    Scope::Unattached => {
                        format!("suppression of `{}` is not attached to a rule or group", target.pattern)
                    }
                    _ => format!("suppression of `{}` suppressed nothing", target.pattern),
                };
                let help = match directive.scope {
                    Scope::Unattached => "put the comment on the line above a rule or a group, or use `disable-file`",
                    _ => "remove it, or the part of it that no longer applies",
                };
                diagnostics
                    .push(Diagnostic::new("suppression/unused", Severity::Warning, target.span, message).help(help));
            }
        }
    }
}

fn any_enabled(pattern: &str, enabled: &dyn Fn(&str) -> bool) -> bool {
    enabled(pattern)
        || crate::lints::registry()
            .iter()
            .any(|r| crate::lints::pattern_matches(pattern, r.meta.id) && enabled(r.meta.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ids_reasons_and_positions() {
        let (file_wide, targets) = parse_directive(" alertlint disable owner/missing, noise/* -- legacy", 10).unwrap();
        assert!(!file_wide);
        assert_eq!(targets.len(), 2);
        assert_eq!(targets[0].pattern, "owner/missing");
        assert_eq!(targets[0].span, Span::new(10 + 19, 10 + 32));
        assert_eq!(targets[1].pattern, "noise/*");
        let (file_wide, targets) = parse_directive("alertlint disable-file record/naming", 0).unwrap();
        assert!(file_wide);
        assert_eq!(targets[0].pattern, "record/naming");
    }

    #[test]
    fn ignores_other_comments() {
        assert!(parse_directive(" alertlintdisable x", 0).is_none());
        assert!(parse_directive(" alertlint disabled x", 0).is_none());
        assert!(parse_directive(" see alertlint disable x", 0).is_none());
    }

    #[test]
    fn a_hash_inside_a_string_is_not_a_comment() {
        let spans = [Span::new(5, 30)];
        assert_eq!(comment_start("a: 'x # alertlint disable y'", 0, &spans), None);
        assert_eq!(comment_start("a: b # alertlint", 0, &[]), Some(5));
        assert_eq!(comment_start("a: b#c", 0, &[]), None);
        assert_eq!(comment_start("\u{feff}# alertlint disable-file x", 0, &[]), Some(3));
    }
}

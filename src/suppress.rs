//! Inline suppressions: `# alertlint disable ID[,ID...] [-- reason]` for the
//! rule or group it is attached to, `# alertlint disable-file ...` for the file.

use std::collections::HashMap;

use crate::diagnostic::{Diagnostic, Severity};
use crate::lints::suppression::{expired::EXPIRED, malformed::MALFORMED, unknown_lint::UNKNOWN_LINT, unused::UNUSED};
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
    /// `until YYYY-MM-DD`: the date as written and its span.
    pub until: Option<(String, Span)>,
    /// The `until` date is before today (UTC): the directive no longer suppresses.
    pub expired: bool,
}

/// A comment that starts with `# alertlint` but is not a directive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Malformed {
    pub span: Span,
    pub message: String,
    pub help: &'static str,
}

/// What a comment after `# alertlint` is.
#[derive(Debug, PartialEq, Eq)]
enum Parsed {
    Directive { file_wide: bool, targets: Vec<Target>, until: Option<(String, Span)> },
    Malformed { message: String, help: &'static str },
}

/// The forms a directive takes, for help texts.
const FORMS: &str =
    "write `# alertlint disable ID[,ID...] [until YYYY-MM-DD] [-- reason]` or `# alertlint disable-file ID[,ID...]`";

const PREFIX: &str = "alertlint";

/// Every directive in a file, and the comments that look like one but are not.
#[derive(Clone, Debug, Default)]
pub struct Scanned {
    pub directives: Vec<Directive>,
    pub malformed: Vec<Malformed>,
}

/// Finds every directive in `file`. A `#` inside a scalar is text, not a comment.
pub fn scan(file: &SourceFile, model: &RuleFile) -> Scanned {
    scan_on(file, model, today())
}

/// `scan` as if today were `today` (days since 1970-01-01).
pub fn scan_on(file: &SourceFile, model: &RuleFile, today: i64) -> Scanned {
    let text = file.text();
    let mut directives = Vec::new();
    let mut malformed = Vec::new();
    let mut anchors: Option<Anchors> = None;
    // Only lines that hold the prefix can hold a directive: find those in
    // one pass over the text.
    let mut last_line = None;
    for at in memchr::memmem::find_iter(text.as_bytes(), PREFIX) {
        let line = file.line_index(at);
        if last_line == Some(line) {
            continue;
        }
        last_line = Some(line);
        let range = file.line_range(line);
        let line_text = &text[range.clone()];
        let Some(hash) = comment_start(line_text, range.start, &model.scalar_spans) else { continue };
        let comment = &line_text[hash - range.start + 1..];
        let span = Span::new(hash, range.end);
        let (file_wide, targets, until) = match parse_directive(comment, hash + 1) {
            None => continue,
            Some(Parsed::Malformed { message, help }) => {
                malformed.push(Malformed { span, message, help });
                continue;
            }
            Some(Parsed::Directive { file_wide, targets, until }) => (file_wide, targets, until),
        };
        let scope = if file_wide {
            Scope::File
        } else {
            let anchors = anchors.get_or_insert_with(|| Anchors::new(file, model));
            attach(anchors, line, hash)
        };
        let expired = until.as_ref().and_then(|(date, _)| days_from_date(date)).is_some_and(|day| day < today);
        directives.push(Directive { span, targets, scope, until, expired });
    }
    Scanned { directives, malformed }
}

/// Today in UTC, as days since 1970-01-01.
fn today() -> i64 {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    seconds.div_euclid(86_400)
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date, `None` when it is not a
/// valid date (Howard Hinnant's `days_from_civil`).
fn days_from_date(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        bytes.get(r.clone()).filter(|b| b.iter().all(u8::is_ascii_digit))?;
        text[r].parse::<i64>().ok()
    };
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&m) || d < 1 || d > month_days[(m - 1) as usize] {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
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

/// Parses the text after `#`: `None` when the comment is not for alertlint.
fn parse_directive(comment: &str, offset: usize) -> Option<Parsed> {
    let trimmed = comment.trim_start();
    let mut pos = offset + (comment.len() - trimmed.len());
    let rest = trimmed.strip_prefix(PREFIX)?;
    let malformed = |message: String, help| Some(Parsed::Malformed { message, help });
    pos += PREFIX.len();
    let after_ws = rest.trim_start_matches([' ', '\t', ':']);
    pos += rest.len() - after_ws.len();
    let word_end =
        after_ws.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')).unwrap_or(after_ws.len());
    let (word, rest) = after_ws.split_at(word_end);
    // Prose that mentions alertlint ("# alertlint checks these rules") is not
    // a directive; anything that reads like an attempt at one is.
    let attempt = ["disable", "enable", "ignore", "noqa", "skip", "nolint", "suppress"]
        .iter()
        .any(|verb| word.to_ascii_lowercase().starts_with(verb) || word.to_ascii_lowercase().ends_with(verb));
    if !attempt {
        return None;
    }
    let raw = &trimmed[PREFIX.len()..];
    if raw.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return malformed(format!("`alertlint{word}` is not a directive; put a space after `alertlint`"), FORMS);
    }
    if raw.trim_start().starts_with(':') {
        return malformed("`# alertlint:` is not a directive; write `# alertlint disable ...`".into(), FORMS);
    }
    let file_wide = match word {
        "disable" => false,
        "disable-file" => true,
        "disable-next-line" | "disable-line" | "ignore" | "noqa" | "skip" | "nolint" | "disable-rule" => {
            return malformed(
                format!("`{word}` is not an alertlint directive; use `disable` on the line above the rule"),
                FORMS,
            );
        }
        other => return malformed(format!("unknown alertlint directive `{other}`"), FORMS),
    };
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        let shown: String = rest.chars().take(1).collect();
        return malformed(format!("`{word}` must be followed by a space and lint ids, not `{shown}`"), FORMS);
    }
    pos += word.len();
    let list = rest.split(" --").next().unwrap_or("");
    // `until DATE` ends the list of ids.
    let (ids, until) = match list.find(" until") {
        Some(at) if !file_wide => (&list[..at], Some(&list[at + 1..])),
        _ => (list, None),
    };
    let until = match until {
        None => None,
        Some(clause) => {
            let date = clause["until".len()..].trim();
            let start = pos + (ids.len() + 1) + clause.find(date).unwrap_or(0);
            if days_from_date(date).is_none() {
                return malformed(
                    format!("`until` needs a date written YYYY-MM-DD, not `{date}`"),
                    "for example `# alertlint disable owner/missing until 2027-01-31 -- TICKET-123`",
                );
            }
            Some((date.to_string(), Span::new(start, start + date.len())))
        }
    };
    let mut targets = Vec::new();
    let mut cursor = 0;
    for part in ids.split(',') {
        let start = cursor + (part.len() - part.trim_start().len());
        let pattern = part.trim();
        cursor += part.len() + 1;
        if !pattern.is_empty() {
            let begin = pos + start;
            targets.push(Target { pattern: pattern.to_string(), span: Span::new(begin, begin + pattern.len()) });
        }
    }
    if let Some(bad) = targets.iter().find(|t| t.pattern.contains(char::is_whitespace)) {
        return malformed(format!("lint ids are separated by commas, not spaces: `{}`", bad.pattern), FORMS);
    }
    Some(Parsed::Directive { file_wide, targets, until })
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
    /// For each line, the first later line that is neither a comment nor
    /// blank, `None` when a blank line comes first (see `next_content_line`).
    next_content: Vec<Option<usize>>,
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
        let next_content = next_content_lines(file);
        Anchors { rules_by_start, rule_by_line, group_by_line, rule_spans, group_spans, next_content }
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
fn attach(anchors: &Anchors, line: usize, offset: usize) -> Scope {
    let next_content_line = anchors.next_content.get(line).copied().flatten();
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

/// For every line, the first line after it that is neither a comment line
/// nor blank; `None` when a blank line comes first (a blank line detaches a
/// comment). One pass from the end, so that a run of comment lines costs
/// linear time, not quadratic.
fn next_content_lines(file: &SourceFile) -> Vec<Option<usize>> {
    let count = file.line_count();
    let mut out = vec![None; count];
    let mut after: Option<usize> = None;
    for line in (0..count).rev() {
        out[line] = after;
        let text = file.text()[file.line_range(line)].trim();
        if text.is_empty() {
            after = None;
        } else if !text.starts_with('#') {
            after = Some(line);
        }
    }
    out
}

/// Removes suppressed findings and adds `suppression/unused` and
/// `suppression/unknown-lint` findings. `enabled` tells whether a lint runs
/// at all in this configuration: a suppression of a disabled lint is not unused.
/// `policies` are the ids of the configured policies, lints as well.
pub fn apply(
    scanned: &Scanned,
    diagnostics: &mut Vec<Diagnostic>,
    enabled: &dyn Fn(&str) -> bool,
    policies: &[&'static str],
) {
    let directives = &scanned.directives;
    let is_known = |pattern: &str| {
        crate::names::pattern_is_known(pattern) || policies.iter().any(|id| crate::names::pattern_matches(pattern, id))
    };
    let mut used = vec![Vec::new(); directives.len()];
    for (d, directive) in directives.iter().enumerate() {
        used[d] = vec![false; directive.targets.len()];
    }
    let index = Index::new(directives);
    let mut hit = vec![false; index.groups.len()];
    diagnostics.retain(|diagnostic| !index.suppress(diagnostic, &mut hit));
    for (group, _) in hit.iter().enumerate().filter(|(_, hit)| **hit) {
        for &(d, t) in &index.groups[group] {
            used[d][t] = true;
        }
    }
    // What is known about each distinct pattern, worked out once.
    let mut known: HashMap<&str, bool> = HashMap::new();
    let mut in_use: HashMap<&str, bool> = HashMap::new();
    for m in &scanned.malformed {
        diagnostics.push(Diagnostic::new(MALFORMED.id, Severity::Warning, m.span, m.message.clone()).help(m.help));
    }
    for (d, directive) in directives.iter().enumerate() {
        if directive.expired {
            let (date, span) = directive.until.clone().unwrap_or_default();
            let ids: Vec<&str> = directive.targets.iter().map(|t| t.pattern.as_str()).collect();
            diagnostics.push(
                Diagnostic::new(
                    EXPIRED.id,
                    Severity::Warning,
                    span,
                    format!("suppression of `{}` expired on {date} and no longer suppresses", ids.join(", ")),
                )
                .help("fix what it suppressed, or move the date if the waiver was extended"),
            );
            continue;
        }
        if directive.targets.is_empty() {
            diagnostics.push(
                Diagnostic::new(
                    UNKNOWN_LINT.id,
                    Severity::Warning,
                    directive.span,
                    "suppression comment names no lint",
                )
                .help("name the lints to disable: `# alertlint disable owner/missing -- reason`"),
            );
            continue;
        }
        for (t, target) in directive.targets.iter().enumerate() {
            let pattern = target.pattern.as_str();
            if !*known.entry(pattern).or_insert_with(|| is_known(pattern)) {
                let ids = crate::names::ids::ALL.iter().copied().chain(policies.iter().copied());
                let mut diagnostic = Diagnostic::new(
                    UNKNOWN_LINT.id,
                    Severity::Warning,
                    target.span,
                    format!("no lint is named `{}`", target.pattern),
                );
                if let Some(closest) = crate::names::closest(&target.pattern, ids) {
                    diagnostic = diagnostic.help(format!("did you mean `{closest}`?"));
                }
                diagnostics.push(diagnostic);
            } else if !used[d][t] && *in_use.entry(pattern).or_insert_with(|| any_enabled(pattern, enabled)) {
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
                diagnostics.push(Diagnostic::new(UNUSED.id, Severity::Warning, target.span, message).help(help));
            }
        }
    }
}

/// The directives' targets indexed by pattern and scope, so that finding
/// the ones that suppress a finding does not scan every directive: linear
/// time in findings plus directives.
struct Index<'d> {
    /// `(directive, target)` positions of each distinct (scope, pattern).
    groups: Vec<Vec<(usize, usize)>>,
    /// Targets of `disable-file` directives.
    file: Targets<'d>,
    /// Distinct directive ranges sorted by start (the outer of equal starts
    /// first), with the index of the nearest range enclosing each. Rule and
    /// group ranges nest or are disjoint.
    ranges: Vec<(Span, Option<usize>, Targets<'d>)>,
}

/// Patterns of one scope, each with its index in `Index::groups`.
#[derive(Default)]
struct Targets<'d> {
    by_pattern: HashMap<&'d str, usize>,
}

impl<'d> Targets<'d> {
    /// Marks the groups of targets matching `lint` hit; whether there was one.
    fn suppress(&self, lint: &str, hit: &mut [bool]) -> bool {
        if self.by_pattern.is_empty() {
            return false;
        }
        let family = lint.split('/').next().unwrap_or(lint);
        let family_glob = format!("{family}/*");
        let mut suppressed = false;
        for pattern in [lint, family_glob.as_str(), "*"] {
            if let Some(&group) = self.by_pattern.get(pattern) {
                hit[group] = true;
                suppressed = true;
            }
        }
        suppressed
    }
}

impl<'d> Index<'d> {
    fn new(directives: &'d [Directive]) -> Index<'d> {
        let mut groups: Vec<Vec<(usize, usize)>> = Vec::new();
        let mut file = Targets::default();
        let mut by_span: HashMap<Span, Targets<'d>> = HashMap::new();
        for (d, directive) in directives.iter().enumerate() {
            if directive.expired {
                // An expired waiver suppresses nothing.
                continue;
            }
            let targets = match directive.scope {
                Scope::File => &mut file,
                Scope::Range(span) => by_span.entry(span).or_default(),
                Scope::Unattached => continue,
            };
            for (t, target) in directive.targets.iter().enumerate() {
                let group = *targets.by_pattern.entry(target.pattern.as_str()).or_insert_with(|| {
                    groups.push(Vec::new());
                    groups.len() - 1
                });
                groups[group].push((d, t));
            }
        }
        let mut spans: Vec<(Span, Targets<'d>)> = by_span.into_iter().collect();
        spans.sort_by_key(|(span, _)| (span.start, std::cmp::Reverse(span.end)));
        let mut ranges: Vec<(Span, Option<usize>, Targets<'d>)> = Vec::with_capacity(spans.len());
        let mut open: Vec<usize> = Vec::new();
        for (span, targets) in spans {
            while open.last().is_some_and(|&i| ranges[i].0.end <= span.start) {
                open.pop();
            }
            let parent = open.last().copied();
            open.push(ranges.len());
            ranges.push((span, parent, targets));
        }
        Index { groups, file, ranges }
    }

    /// Whether `diagnostic` is suppressed, marking the targets that do it.
    fn suppress(&self, diagnostic: &Diagnostic, hit: &mut [bool]) -> bool {
        let mut suppressed = self.file.suppress(diagnostic.lint, hit);
        let offset = diagnostic.span.start;
        // The innermost range starting at or before the offset, then the
        // ranges enclosing it: every range that can contain the offset.
        let mut at = self.ranges.partition_point(|(span, _, _)| span.start <= offset).checked_sub(1);
        let mut steps = 0;
        while let Some(i) = at {
            let (span, parent, targets) = &self.ranges[i];
            if span.contains(offset) {
                suppressed |= targets.suppress(diagnostic.lint, hit);
            }
            at = *parent;
            steps += 1;
            if steps > self.ranges.len() {
                break;
            }
        }
        suppressed
    }
}

fn any_enabled(pattern: &str, enabled: &dyn Fn(&str) -> bool) -> bool {
    enabled(pattern)
        || crate::lints::registry()
            .iter()
            .any(|r| crate::names::pattern_matches(pattern, r.meta.id) && enabled(r.meta.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ids_reasons_and_positions() {
        let Some(Parsed::Directive { file_wide, targets, until }) =
            parse_directive(" alertlint disable owner/missing, noise/* -- legacy", 10)
        else {
            panic!("a directive")
        };
        assert!(!file_wide);
        assert_eq!(until, None);
        assert_eq!(targets.len(), 2);
        assert_eq!(targets[0].pattern, "owner/missing");
        assert_eq!(targets[0].span, Span::new(10 + 19, 10 + 32));
        assert_eq!(targets[1].pattern, "noise/*");
        let Some(Parsed::Directive { file_wide, targets, .. }) =
            parse_directive("alertlint disable-file record/naming", 0)
        else {
            panic!("a directive")
        };
        assert!(file_wide);
        assert_eq!(targets[0].pattern, "record/naming");
    }

    #[test]
    fn parses_until_dates() {
        let text = " alertlint disable owner/missing until 2027-01-31 -- TICKET-1";
        let Some(Parsed::Directive { targets, until: Some((date, span)), .. }) = parse_directive(text, 0) else {
            panic!("a directive with a date")
        };
        assert_eq!(targets.len(), 1);
        assert_eq!(date, "2027-01-31");
        assert_eq!(&text[span.range()], "2027-01-31");
        assert_eq!(days_from_date("1970-01-01"), Some(0));
        assert_eq!(days_from_date("2000-03-01"), Some(11_017));
        assert_eq!(days_from_date("2027-02-29"), None);
        assert_eq!(days_from_date("2028-02-29").map(|d| d > 0), Some(true));
        assert_eq!(days_from_date("27-01-31"), None);
    }

    #[test]
    fn reports_look_alikes_and_ignores_other_comments() {
        for text in [
            " alertlintdisable x",
            " alertlint disabled x",
            " alertlint disable=owner/missing",
            " alertlint disable-next-line owner/missing",
            " alertlint ignore owner/missing",
            " alertlint disable owner/missing until tomorrow",
            " alertlint disable owner/missing runbook/missing",
            " alertlint: disable owner/missing",
        ] {
            assert!(matches!(parse_directive(text, 0), Some(Parsed::Malformed { .. })), "{text}");
        }
        assert!(parse_directive(" see alertlint disable x", 0).is_none());
        assert!(parse_directive(" a plain comment", 0).is_none());
        assert!(parse_directive(" alertlint checks these rules in CI", 0).is_none());
        assert!(parse_directive(" alertlint", 0).is_none());
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

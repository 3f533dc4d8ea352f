//! Loading one large rule file on several threads.
//!
//! YAML is read front to back, so one file of 10,000 rules would be loaded
//! by one thread while the others wait. Most large rule files have one shape:
//! a single top-level key (`groups:`) and a block sequence under it. Each
//! item of that sequence starts on a line of its own at the sequence's
//! indentation, and no other line of the file can start there: block scalars,
//! continuation lines and nested collections are indented deeper. The file is
//! cut at such lines into parts that are loaded in parallel and joined into
//! the tree a whole load gives.
//!
//! Anything else (several top-level keys, documents markers, anchors, tabs
//! in indentation, a part that does not load) is loaded whole, as before, so
//! errors and their positions are the whole load's.

use rayon::prelude::*;

use super::builder::load_range;
use super::{Document, Limits, NodeKind, YamlError};

/// Files smaller than this are loaded whole: splitting would not pay.
const MIN_PARALLEL_BYTES: usize = 256 << 10;

/// The size of each part, about.
const PART_BYTES: usize = 64 << 10;

/// Loads `text` in parts when it is large and has the shape described above;
/// `None` when it must be loaded whole (also when a part fails to load: the
/// whole load then says where and why).
pub(super) fn load_parallel(text: &str, limits: &Limits) -> Option<Result<Vec<Document>, YamlError>> {
    if text.len() < MIN_PARALLEL_BYTES {
        return None;
    }
    load_in_parts(text, limits, PART_BYTES)
}

/// [`load_parallel`] with a given part size, without the size threshold.
pub(super) fn load_in_parts(
    text: &str,
    limits: &Limits,
    part_bytes: usize,
) -> Option<Result<Vec<Document>, YamlError>> {
    let cuts = cut_points(text, part_bytes)?;
    let mut bounds: Vec<usize> = cuts.iter().map(|c| c.at).collect();
    bounds.push(text.len());
    // The first part holds the top-level key and the first items: loaded as
    // a file of its own, it gives the tree's outer nodes.
    let parts: Vec<Option<Vec<Document>>> = (0..cuts.len())
        .into_par_iter()
        .map(|i| {
            let range = if i == 0 { 0..bounds[1] } else { bounds[i]..bounds[i + 1] };
            // A part's items sit one level (groups) or three (rules) below
            // the top in the whole file: the same depth limit, counted there.
            let above = match (i, cuts[i].level) {
                (0, _) => 0,
                (_, Level::Group) => 1,
                (_, Level::Rule) => 3,
            };
            let limits = Limits { max_depth: limits.max_depth.checked_sub(above)?, ..*limits };
            std::panic::catch_unwind(|| load_range(text, range, &limits)).ok()?.ok()
        })
        .collect();
    let mut parts = parts.into_iter().zip(&cuts);
    let mut docs = parts.next()?.0?;
    let [doc] = docs.as_mut_slice() else { return None };
    let NodeKind::Mapping(entries) = &mut doc.root.kind else { return None };
    let [(_, groups)] = entries.as_mut_slice() else { return None };
    let mut doc_end = doc.span.end;
    for (part, cut) in parts {
        let [part_doc] = <[Document; 1]>::try_from(part?).ok()?;
        doc_end = doc_end.max(part_doc.span.end);
        let end = part_doc.root.span.end;
        let NodeKind::Sequence(more) = part_doc.root.kind else { return None };
        let NodeKind::Sequence(items) = &mut groups.kind else { return None };
        match cut.level {
            Level::Group => items.extend(more),
            Level::Rule => {
                // More rules of the last group: its `rules` sequence and the
                // group itself now end further on.
                let group = items.last_mut()?;
                let NodeKind::Mapping(keys) = &mut group.kind else { return None };
                let (_, rules) = keys.last_mut()?;
                let NodeKind::Sequence(rule_items) = &mut rules.kind else { return None };
                rule_items.extend(more);
                rules.span.end = rules.span.end.max(end);
                group.span.end = group.span.end.max(end);
            }
        }
        groups.span.end = groups.span.end.max(end);
    }
    let end = groups.span.end;
    doc.root.span.end = doc.root.span.end.max(end);
    doc.span.end = doc_end.max(doc.root.span.end);
    Some(Ok(docs))
}

/// What a part after the first holds: groups, or more rules of the group
/// before it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Level {
    Group,
    Rule,
}

#[derive(Clone, Copy, Debug)]
struct Cut {
    at: usize,
    level: Level,
}

/// One item of the top-level sequence, as lines.
struct GroupLines {
    start: usize,
    /// Starts of the lines that begin an item of the group's `rules`, when
    /// `rules` is the group's last key (so that the rules after a cut are
    /// the rest of the group); empty otherwise.
    rules: Vec<usize>,
}

/// Where the group's keys are, while reading its lines.
enum State {
    /// Keys before `rules:`, which are at this indentation.
    Keys(usize),
    /// Just after `rules:` with nothing on its line.
    AwaitRules(usize),
    /// Inside `rules`, whose items are at the second indentation.
    Rules(usize, usize),
    /// Something follows `rules`, or the group has an unusual shape.
    NotSplit,
}

/// Where parts start: the first one at the first group (the part holds the
/// file's beginning), then at a group, or at a rule of a large group.
/// `None` when the file does not have the shape that allows it.
fn cut_points(text: &str, part_bytes: usize) -> Option<Vec<Cut>> {
    // Anchors could be aliased from another part; `%` directives and `---`
    // are handled by the whole load.
    if text.contains('&') || text.contains('\t') || text.contains('\r') {
        return None;
    }
    let mut lines = line_starts(text);
    // The single top-level key, alone on its line.
    let key_line = lines.by_ref().find(|&(_, line)| !is_blank_or_comment(line))?;
    if without_comment(key_line.1) != "groups:" {
        return None;
    }
    let mut indent = None;
    let mut groups: Vec<GroupLines> = Vec::new();
    let mut state = State::NotSplit;
    for (start, line) in lines {
        if is_blank_or_comment(line) {
            continue;
        }
        let spaces = line.len() - line.trim_start_matches(' ').len();
        let rest = &line[spaces..];
        let item = rest == "-" || rest.starts_with("- ");
        let indent = *indent.get_or_insert(spaces);
        if spaces < indent || (spaces == indent && !item) {
            // A second top-level key, or the first line is not an item.
            return None;
        }
        if spaces == indent {
            groups.push(GroupLines { start, rules: Vec::new() });
            let after_dash = &rest[1..];
            let key_indent = spaces + 1 + (after_dash.len() - after_dash.trim_start_matches(' ').len());
            state = group_key(without_comment(&line[key_indent.min(line.len())..]), key_indent);
            continue;
        }
        let group = groups.last_mut()?;
        state = match state {
            State::Keys(keys) if spaces == keys => group_key(without_comment(rest), keys),
            State::Keys(keys) if spaces < keys => State::NotSplit,
            State::AwaitRules(keys) if item && spaces >= keys => {
                group.rules.push(start);
                State::Rules(keys, spaces)
            }
            State::AwaitRules(_) => State::NotSplit,
            State::Rules(keys, rules) if spaces == rules && item => {
                group.rules.push(start);
                State::Rules(keys, rules)
            }
            State::Rules(_, rules) if spaces <= rules => State::NotSplit,
            other => other,
        };
        if matches!(state, State::NotSplit) {
            group.rules.clear();
        }
    }
    let mut cuts: Vec<Cut> = Vec::new();
    let mut last = 0;
    let mut in_rules = false;
    for group in &groups {
        if cuts.is_empty() || in_rules || group.start - last >= part_bytes {
            cuts.push(Cut { at: group.start, level: Level::Group });
            last = group.start;
            in_rules = false;
        }
        // The first rule stays with the group's other keys.
        for &at in group.rules.iter().skip(1) {
            if at - last >= part_bytes {
                cuts.push(Cut { at, level: Level::Rule });
                last = at;
                in_rules = true;
            }
        }
    }
    (cuts.len() > 1).then_some(cuts)
}

/// The state after a key of a group at indentation `keys`.
fn group_key(key: &str, keys: usize) -> State {
    match key {
        "rules:" => State::AwaitRules(keys),
        _ if key.starts_with("rules:") || key.starts_with('-') => State::NotSplit,
        _ => State::Keys(keys),
    }
}

/// A line without a trailing comment (`#` after a space), end spaces trimmed.
/// Only used on lines that are compared with a plain key such as `rules:`.
fn without_comment(line: &str) -> &str {
    line.split(" #").next().unwrap_or_default().trim_end()
}

/// Each line and the byte offset where it starts (without its `\n`).
fn line_starts(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let ends = memchr::memchr_iter(b'\n', text.as_bytes()).chain(std::iter::once(text.len()));
    let mut start = 0;
    ends.map(move |end| {
        let at = start;
        start = end + 1;
        (at, text.get(at..end).unwrap_or_default())
    })
}

fn is_blank_or_comment(line: &str) -> bool {
    let trimmed = line.trim_start_matches(' ');
    trimmed.is_empty() || trimmed.starts_with('#')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(n: usize) -> String {
        let mut text = String::from("# generated\ngroups:\n");
        for i in 0..n {
            text.push_str(&format!(
                "  - name: g{i}\n    rules:\n      - alert: A{i}\n        expr: |\n          up == 0\n- not an item: {i}\n        annotations:\n          summary: \"x {{{{ $labels.job }}}}\"\n\n"
            ));
        }
        text
    }

    #[test]
    fn parts_give_the_whole_tree() {
        let text = rules(40).replace("- not an item", "          - not an item");
        let whole = load_range(&text, 0..text.len(), &Limits::default());
        let parts = load_in_parts(&text, &Limits::default(), 200);
        assert!(whole.is_ok());
        assert_eq!(parts, Some(whole), "the parts must join into the whole load's tree");
    }

    #[test]
    fn the_depth_limit_counts_from_the_top_of_the_file() {
        // Groups of three rules; rules after the first have a labels mapping,
        // 6 levels deep in the whole file (root, groups, group, rules, rule,
        // labels), 3 in a part that starts at a rule.
        let mut text = String::from("groups:\n");
        for g in 0..4 {
            text.push_str(&format!("  - name: g{g}\n    rules:\n      - record: a{g}\n        expr: up\n"));
            for r in 1..3 {
                text.push_str(&format!("      - record: b{g}_{r}\n        expr: up\n        labels: {{a: b}}\n"));
            }
        }
        let limits = Limits { max_depth: 5, ..Limits::default() };
        assert!(load_range(&text, 0..text.len(), &limits).is_err());
        assert_eq!(load_in_parts(&text, &Limits { max_depth: 256, ..limits }, 1).map(|r| r.is_ok()), Some(true));
        assert_eq!(load_in_parts(&text, &limits, 1), None, "a part must not pass a depth the whole file exceeds");
        let limits = Limits { max_depth: 6, ..Limits::default() };
        assert_eq!(load_in_parts(&text, &limits, 1), Some(load_range(&text, 0..text.len(), &limits)));
    }

    #[test]
    fn other_shapes_are_loaded_whole() {
        let base = rules(10).replace("- not an item", "          - not an item");
        let shapes = [
            format!("x: 1\n{base}"),
            format!("{base}extra: 1\n"),
            base.replace("  - name: g3", "  - name: &a g3"),
            format!("{base}---\ngroups: []\n"),
            base.replacen("groups:", "spec:\n  groups:", 1),
        ];
        for text in shapes {
            assert_eq!(load_in_parts(&text, &Limits::default(), 100), None, "{text}");
        }
        // A line at the top level that is not an item (here in a block
        // scalar indented less than its key) stops the split.
        assert_eq!(load_in_parts(&rules(10), &Limits::default(), 100), None);
    }
}

#[cfg(test)]
mod files {
    use super::*;
    use crate::yaml::tests::real_files;

    /// Every rule file of the repository (and of ../shared/corpus when it is
    /// there) cut into small parts loads to the same tree as whole.
    #[test]
    fn parts_match_whole_loads_of_real_files() {
        let (files, corpus) = real_files();
        let (mut split, mut whole) = (0, 0);
        for (path, text) in &files {
            let limits = Limits::default();
            match load_in_parts(text, &limits, 1) {
                Some(parts) => {
                    split += 1;
                    let expected = load_range(text, 0..text.len(), &limits);
                    assert!(expected.is_ok(), "{}: parts loaded, the whole did not", path.display());
                    assert_eq!(parts, expected, "{}", path.display());
                }
                None => whole += 1,
            }
        }
        println!("{split} files loaded in parts as well as whole, {whole} only whole");
        // The repository alone has a few files of that shape; the corpus, hundreds.
        if !corpus {
            println!("skipped: ../shared/corpus is not next to the repository (only the repository's files compared)");
        }
        let least = if corpus { 100 } else { 5 };
        assert!(split >= least, "too few files have the shape that is split: {split}");
    }
}

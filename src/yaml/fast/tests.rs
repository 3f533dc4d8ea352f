//! The direct loader against saphyr's: wherever it loads a text, it must give
//! the tree saphyr's event stream gives, node for node, position for position.

use super::load;
use crate::yaml::builder::saphyr_range;
use crate::yaml::tests::real_files;
use crate::yaml::{Document, Limits, Node, NodeKind};

/// The first place where two trees differ, as a path and both nodes' spans.
fn difference(a: &Node, b: &Node, path: &str) -> Option<String> {
    if a.span != b.span || a.tag != b.tag {
        return Some(format!("{path}: span {:?} vs {:?}", a.span, b.span));
    }
    match (&a.kind, &b.kind) {
        (NodeKind::Scalar(x), NodeKind::Scalar(y)) => (x != y).then(|| format!("{path}: scalar {x:?}\n  vs {y:?}")),
        (NodeKind::Sequence(x), NodeKind::Sequence(y)) => {
            if x.len() != y.len() {
                return Some(format!("{path}: {} items vs {}", x.len(), y.len()));
            }
            x.iter().zip(y).enumerate().find_map(|(i, (p, q))| difference(p, q, &format!("{path}[{i}]")))
        }
        (NodeKind::Mapping(x), NodeKind::Mapping(y)) => {
            if x.len() != y.len() {
                return Some(format!("{path}: {} entries vs {}", x.len(), y.len()));
            }
            x.iter().zip(y).find_map(|((k1, v1), (k2, v2))| {
                let name = k1.as_str().unwrap_or("?");
                difference(k1, k2, &format!("{path}.key({name})"))
                    .or_else(|| difference(v1, v2, &format!("{path}.{name}")))
            })
        }
        _ => Some(format!("{path}: {:?} vs {:?}", a.kind, b.kind)),
    }
}

fn documents_differ(fast: &[Document], slow: &[Document]) -> Option<String> {
    if fast.len() != slow.len() {
        return Some(format!("{} documents vs {}", fast.len(), slow.len()));
    }
    fast.iter().zip(slow).enumerate().find_map(|(i, (a, b))| {
        if a.span != b.span {
            return Some(format!("document {i}: span {:?} vs {:?}", a.span, b.span));
        }
        difference(&a.root, &b.root, &format!("document {i}"))
    })
}

/// Loads `text` both ways; panics when the direct loader gives a tree saphyr
/// does not. Returns whether the direct loader took the text.
fn check(text: &str, what: &str) -> bool {
    let limits = Limits::default();
    let Some(fast) = load(text, 0..text.len(), &limits) else { return false };
    match saphyr_range(text, 0..text.len(), &limits) {
        Ok(slow) => {
            if let Some(d) = documents_differ(&fast, &slow) {
                panic!("{what}: the direct loader differs from saphyr at {d}\n--- text ---\n{text}");
            }
        }
        Err(e) => panic!("{what}: the direct loader took a text saphyr rejects ({e})\n--- text ---\n{text}"),
    }
    true
}

#[test]
fn the_block_style_of_rule_files_is_loaded_directly() {
    let cases = [
        "groups:\n- name: a\n  rules:\n  - alert: X\n    expr: up == 0\n    for: 5m\n",
        "groups:\n  - name: a\n    rules:\n      - alert: X\n        expr: up == 0\n        labels:\n          severity: page\n",
        "a: 1\n",
        "a: 1",
        "a:\n",
        "a:\nb: 2\n",
        "a:\n  b:\n  c: 1\n",
        "- a\n- b\n",
        "-\n- b\n",
        "- - a\n  - b\n- c\n",
        "a:\n- x\n- y\nb: z\n",
        "key: value # comment\n# another\nother: 'single'\n",
        "k: \"double \\\"escaped\\\" \\n text\"\n",
        "k: 'it''s'\n",
        "k: a:b\n",
        "k: http://example.com/#anchor\n",
        "expr: sum(rate(x[5m]))\n  / sum(rate(y[5m]))\n  > 0.5\nfor: 5m\n",
        "expr: a\n\n  b\n\n\n  c\n",
        "d: |\n  line one\n  line two\n\n  after blank\nnext: 1\n",
        "d: |-\n  stripped\nnext: 1\n",
        "d: >\n  folded\n  text\n\n  para\nnext: 1\n",
        "d: >-\n    deeper\n    text\n",
        "d: |\n  last line without break",
        "d: |\n\n  leading blank\n",
        "e: []\nf: {}\n",
        "e: [ ]\nf: { }\n",
        "group_by: ['alertname', \"cluster\", service]\n",
        "labels: { app: orders, 'tier': \"web\" }\n",
        "a: [x,y]\nb: [x, ]\n",
        "- [a, b]\n- {k: v}\n",
        "a: [http://x:1/y, a:b]\n",
        "---\na: 1\n",
        "---\na: 1\n---\nb: 2\n",
        "# only a comment\n---\n# and another\na: 1\n",
        "a: \"multi\n  line quoted\"\n",
        "a: 'multi\n\n  line single'\n",
        "\"quoted key\": 1\n'single key': 2\n",
        "a : spaced colon\n",
        "a:    \n  b: 1\n",
        "- a: 1\n  b: 2\n- c: 3\n",
        "-   a: 1\n    b: 2\n",
        "a: é ü 日本\nb: \"ü\\u00e9\"\n",
        "text\n",
        "multi\nline\nroot\n",
        "",
        "# nothing\n",
        "a: x #c\n",
        "a: -1\nb: -x\nc: ?x\nd: :x\n",
        "a:\n  - b\n  -\n  - c\n",
        "a: '#not comment'\nb: x#y\n",
        "- |\n  block in sequence\n- >-\n  folded\n",
        "a:\n  b:\n    c:\n      d: deep\n  e: back\n",
    ];
    for (i, text) in cases.iter().enumerate() {
        assert!(check(text, &format!("case {i}")), "case {i} was left to saphyr: {text:?}");
    }
}

#[test]
fn other_yaml_is_left_to_saphyr() {
    let cases = [
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a:\tb\n",
        "a: 1\r\nb: 2\r\n",
        "? complex\n: key\n",
        "a: [x] # comment\n",
        "a: [x, [y]]\n",
        "a: {k: }\n",
        "a: {k:v}\n",
        "a: [x,\n  y]\n",
        "a: [k: v]\n",
        "a: {k: v, k: w}\n",
        "%YAML 1.2\n---\na: 1\n",
        "a: 1\n...\n",
        "a: 1\na: 2\n",
        "<<: {a: 1}\n",
        "a: |2\n   indented\n",
        "a: b: c\n",
        "k: plain: not a key\n",
        "a: 1\n  b: 2\n",
        "a:\n  - b\n c: 1\n",
        "a: \"unclosed\n",
        "a: \"bad \\q escape\"\n",
        "a: 'x' y\n",
        "a: x\n  b: y\n",
        "a: x # comment\n  continued\n",
        "---\n---\n",
        "a: 1\n---\n",
        // Found by the fuzzer: an empty block scalar (its first line is not
        // indented enough), whose position the builder takes from saphyr.
        "m:\n  a: |\n # c\n  b: 1\n",
        // Found by the fuzzer: a comment that touches a block scalar's indicator.
        "a: |#\n  x\n",
        "a: >-#\n  x\n",
        "a: \"line\n\n",
        "- a\nb: 1\n",
        "a:\n- b\n- c\n  d: 1\n",
        "\u{feff}a: 1\n",
        "a: \u{85}\n",
        "a: \u{1}\n",
        "a: x\u{2028}y\n",
        "a: \u{7f}\n",
    ];
    for (i, text) in cases.iter().enumerate() {
        assert!(!check(text, &format!("case {i}")), "case {i} should be left to saphyr: {text:?}");
    }
}

/// Every YAML file of the repository (and of ../shared/corpus when it is
/// there): the same tree both ways, and nearly all loaded directly.
#[test]
fn real_files_load_to_the_same_tree() {
    let (files, corpus) = real_files();
    let (mut direct, mut loadable) = (0, 0);
    for (path, text) in &files {
        let limits = Limits::default();
        let ok = saphyr_range(text, 0..text.len(), &limits).is_ok();
        if ok {
            loadable += 1;
        }
        if check(text, &path.display().to_string()) {
            direct += 1;
        } else if ok && std::env::var_os("ALERTLINT_SHOW_LEFT").is_some() {
            println!("left to saphyr: {}", path.display());
        }
    }
    println!("{direct} of {loadable} files saphyr loads were loaded directly ({} files)", files.len());
    if !corpus {
        println!("skipped: ../shared/corpus is not next to the repository (only the repository's files compared)");
    }
    assert!(direct * 10 >= loadable * 9, "only {direct} of {loadable} files were loaded directly");
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Damaged copies of real files: lines indented, dedented, cut, joined,
/// and characters YAML gives meaning to dropped in. Whatever the direct
/// loader takes must load the same through saphyr.
#[test]
fn damaged_files_load_the_same_or_are_left_to_saphyr() {
    let (files, _) = real_files();
    let small: Vec<&String> = files.iter().map(|(_, t)| t).filter(|t| t.len() < 6_000).collect();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let inserts =
        [":", ": ", " #", "#", "-", "- ", "'", "\"", "|", ">", "|#", ": |", "[]", "{}", "\\", "  ", "\n", "---\n", "é"];
    let (mut taken, mut total) = (0, 0);
    for round in 0..3000 {
        let Some(text) = small.get(rng.below(small.len())) else { break };
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        if lines.is_empty() {
            continue;
        }
        for _ in 0..1 + rng.below(3) {
            let i = rng.below(lines.len());
            match rng.below(6) {
                0 => lines[i].insert_str(0, if rng.below(2) == 0 { " " } else { "  " }),
                1 => {
                    let n = lines[i].len() - lines[i].trim_start().len();
                    lines[i].drain(..n.min(1 + rng.below(2)));
                }
                2 => {
                    lines.remove(i);
                    if lines.is_empty() {
                        lines.push(String::new());
                    }
                }
                3 if i + 1 < lines.len() => {
                    let next = lines.remove(i + 1);
                    lines[i].push_str(&next);
                }
                _ => {
                    let line = &mut lines[i];
                    let mut at = rng.below(line.len() + 1);
                    while !line.is_char_boundary(at) {
                        at -= 1;
                    }
                    line.insert_str(at, inserts[rng.below(inserts.len())]);
                }
            }
        }
        let damaged = lines.join("\n") + if rng.below(2) == 0 { "\n" } else { "" };
        total += 1;
        if check(&damaged, &format!("round {round}")) {
            taken += 1;
        }
    }
    println!("{taken} of {total} damaged files loaded directly");
}

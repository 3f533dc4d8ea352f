//! Loader tests: structure, spans, offset maps for every scalar style,
//! aliases and merges, and hostile inputs.

use super::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn load1(text: &str) -> Node {
    let docs = load(text, &Limits::default()).unwrap_or_else(|e| panic!("load failed: {e:?}\n{text}"));
    assert_eq!(docs.len(), 1, "{text}");
    docs.into_iter().next().map(|d| d.root).unwrap_or_else(|| unreachable!())
}

fn at(text: &str, span: Span) -> &str {
    &text[span.range()]
}

/// Checks a scalar's offset map against the file text: every character of
/// the value that was copied from the file maps to that same character, and
/// the map never goes backwards.
fn check_map(text: &str, node: &Node) {
    let Some(s) = node.as_scalar() else { return };
    let mut last = 0;
    for (i, c) in s.value.char_indices() {
        let f = s.map.to_file(i);
        assert!(f >= last, "map goes backwards at {i} in {:?}", s.value);
        last = f;
        assert!(f <= text.len());
        let file_char = text[f..].chars().next();
        let verbatim_expected = !c.is_whitespace() && file_char != Some('\\');
        let quote_escape = s.style == ScalarStyle::SingleQuoted && c == '\'';
        if verbatim_expected && !quote_escape && node.tag.is_none() {
            assert_eq!(file_char, Some(c), "value {:?} offset {i} maps to file offset {f}", s.value);
        }
    }
    for seg in s.map.segments().iter() {
        // Escapes such as `\N` (two bytes for a two-byte character) look
        // linear to the map; the per-character check above covers them.
        let escaped = s.style == ScalarStyle::DoubleQuoted && text[seg.file.range()].contains('\\');
        if seg.value.len() == seg.file.len() && !seg.file.is_empty() && !escaped {
            let v = &s.value.as_bytes()[seg.value.range()];
            let t = &text.as_bytes()[seg.file.range()];
            // Linear segments are verbatim copies, except folded line
            // breaks that became one space or one newline.
            for (a, b) in v.iter().zip(t) {
                assert!(a == b || (matches!(a, b' ' | b'\n') && matches!(b, b'\n' | b'\r')), "{v:?} vs {t:?}");
            }
        }
    }
}

fn check_all_maps(text: &str) {
    for doc in load(text, &Limits::default()).unwrap_or_else(|e| panic!("{e:?}\n{text}")) {
        doc.root.for_each_scalar(|node, _| check_map(text, node));
    }
}

const STYLE_SAMPLES: &[&str] = &[
    "a: plain value\n",
    "a: plain\n  multi line\n\n  with empty line\n",
    "a: plain   with   spaces  \n  next\t \n  last\n",
    "a: 'single'\n",
    "a: 'it''s ''quoted'''\n",
    "a: 'single\n  folded\n\n  twice'\n",
    "a: \"double\"\n",
    "a: \"esc \\n \\t \\\\ \\\" \\x41 \\u00e9 \\U0001F600 \\/ \\0 \\a \\e \\N \\_ \\L \\P end\"\n",
    "a: \"folded\n  line\n\n  break\"\n",
    "a: \"escaped \\\n    break\"\n",
    "a: \"escaped\\\n\n   empty\"\n",
    "a: \"trail  \n  lead\"\n",
    "a: \"tab\\\tescape\"\n",
    "a: |\n  sum(rate(x[5m]))\n    by (job)\n\n  > 0\n",
    "a: |-\n  strip\n\n",
    "a: |+\n  keep\n\n\n",
    "a: |2\n    indented\n  less\n",
    "a: |2-\n    x\n",
    "a: >\n  folded\n  lines\n\n  para\n    more indented\n  back\n",
    "a: >-\n  x\n  y\n",
    "a: >+\n  x\n\n",
    "- |\n  in sequence\n- >\n  folded\n  item\n- - |1\n    nested\n",
    "a: | # comment\n  with comment\n",
    "a: &anchor |\n  anchored\n",
    "a: !!str |\n  tagged\n",
    "k:\n  - expr: |\n      up == 0\n      and on() vector(1)\n",
    "a: |\n\n  leading empty\n",
    "a: |\n  trailing at eof",
    "a: >\n  trailing at eof",
    "a: \"unicode é ü 😀\"\nb: 'é''x'\nc: |\n  😀 é\n   ü\n",
    "a: plain é\n  ü 😀\n",
    "{a: [b, 'c', \"d\\ne\"], f: g h}\n",
    "a: [multi\n  line, flow]\n",
    "? complex key\n: value\n",
    "a: |\n  x\n# comment\nb: c\n",
    "a: \"\"\nb: ''\nc:\nd: |\ne: >-\n",
    "\u{feff}a: bom\n",
];

#[test]
fn offset_maps_point_at_the_source_characters() {
    for sample in STYLE_SAMPLES {
        check_all_maps(sample);
        let crlf = sample.replace('\n', "\r\n");
        check_all_maps(&crlf);
    }
}

#[test]
fn decoded_maps_are_exact_not_fallbacks() {
    // A fallback map has a single atomic segment; a successful decode of a
    // multi-line scalar has several.
    for (text, key) in [
        ("a: |\n  x\n  y\n", "a"),
        ("a: >\n  x\n  y\n", "a"),
        ("a: \"x\\ny\"\n", "a"),
        ("a: 'x''y'\n", "a"),
        ("a: x\n  y\n", "a"),
        ("a: |2-\n    x\n   y\n", "a"),
    ] {
        for text in [text.to_string(), text.replace('\n', "\r\n")] {
            let root = load1(&text);
            let s = root.get(key).and_then(Node::as_scalar).unwrap_or_else(|| panic!("{text}"));
            assert!(s.map.segments().len() > 1, "{text:?}: {:?}", s.map);
        }
    }
}

#[test]
fn block_scalar_positions() {
    let text = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: |\n      sum(rate(x[5m]))\n        > 1\n";
    let root = load1(text);
    let rule = &root.get("groups").unwrap().as_sequence().unwrap()[0].get("rules").unwrap().as_sequence().unwrap()[0];
    let expr = rule.get("expr").unwrap();
    let s = expr.as_scalar().unwrap();
    assert_eq!(s.value, "sum(rate(x[5m]))\n  > 1\n");
    assert_eq!(at(text, expr.span), "|\n      sum(rate(x[5m]))\n        > 1");
    // `rate` is at value offset 4; in the file it is on line 6, column 11.
    let f = s.map.to_file(4);
    assert_eq!(&text[f..f + 4], "rate");
    let src = crate::source::SourceFile::new("f", text);
    let p = src.position(f);
    assert_eq!((p.line, p.column), (6, 11));
    // `>` on the continuation line keeps its indentation beyond the block's.
    let gt = s.value.find('>').unwrap();
    assert_eq!(&text[s.map.to_file(gt)..s.map.to_file(gt) + 3], "> 1");
    let span = s.map.span_to_file(Span::new(4, 8));
    assert_eq!(at(text, span), "rate");
}

#[test]
fn double_quoted_escapes_map_atomically() {
    let text = r#"a: "x\u00e9y\n""#;
    let root = load1(text);
    let s = root.get("a").unwrap().as_scalar().unwrap();
    assert_eq!(s.value, "xéy\n");
    assert_eq!(s.map.to_file(0), 4);
    assert_eq!(s.map.to_file(1), 5); // é comes from `\u00e9`
    assert_eq!(s.map.span_to_file(Span::new(1, 3)), Span::new(5, 11));
    assert_eq!(s.map.to_file(3), 11); // y
    assert_eq!(s.map.span_to_file(Span::new(4, 5)), Span::new(12, 14));
}

#[test]
fn keys_and_values_have_spans() {
    let text = "a: 1\nb:\n  - x\n  - {c: 'd'}\n";
    let root = load1(text);
    let entries = root.as_mapping().unwrap();
    assert_eq!(at(text, entries[0].0.span), "a");
    assert_eq!(at(text, entries[0].1.span), "1");
    assert_eq!(at(text, entries[1].0.span), "b");
    assert_eq!(at(text, entries[1].1.span), "- x\n  - {c: 'd'}");
    let seq = entries[1].1.as_sequence().unwrap();
    assert_eq!(at(text, seq[1].span), "{c: 'd'}");
    assert_eq!(at(text, seq[1].get("c").unwrap().span), "'d'");
    assert_eq!(at(text, root.span), "a: 1\nb:\n  - x\n  - {c: 'd'}");
    assert_eq!(root.get("a").unwrap().scalar_type(), Some(ScalarType::Int));
    assert_eq!(root.get("b").unwrap().kind_name(), "a sequence");
}

#[test]
fn empty_values_are_null_at_the_key() {
    let text = "a:\nb: ~\n";
    let root = load1(text);
    let a = root.get("a").unwrap();
    assert!(a.is_null());
    assert_eq!(a.span, Span::at(1));
    assert!(root.get("b").unwrap().is_null());
}

#[test]
fn duplicate_keys_are_an_error_at_the_second_key() {
    let text = "a: 1\nb: 2\na: 3\n";
    let err = load(text, &Limits::default()).unwrap_err();
    assert_eq!(err.message, "mapping key `a` already defined at line 1");
    assert_eq!(err.span, Span::new(10, 11));
    // yaml.v3 compares values, not styles.
    let err = load("x: 1\n\"x\": 2\n", &Limits::default()).unwrap_err();
    assert!(err.message.contains("`x`"));
    // Merged keys are not duplicates.
    assert!(load("b: &b {x: 1}\nc:\n  <<: *b\n  x: 2\n", &Limits::default()).is_ok());
}

#[test]
fn aliases_take_the_span_of_the_alias_token() {
    let text = "a: &x {k: v}\nb: *x\n";
    let root = load1(text);
    let b = root.get("b").unwrap();
    assert_eq!(at(text, b.span), "*x");
    // The aliased content still maps to where its text is.
    let v = b.get("k").unwrap();
    assert_eq!(at(text, v.span), "v");
    assert_eq!(v.as_scalar().unwrap().map.to_file(0), 10);
}

#[test]
fn merge_keys_follow_yaml_v3() {
    let text = "base: &base {a: 1, b: 2}\nother: &other {b: 3, c: 4}\nm:\n  a: 0\n  <<: [*base, *other]\n  d: 5\n";
    let root = load1(text);
    let m = root.get("m").unwrap();
    let pairs: Vec<(&str, &str)> =
        m.as_mapping().unwrap().iter().map(|(k, v)| (k.as_str().unwrap(), v.as_str().unwrap())).collect();
    // Explicit keys win wherever they are; among merged maps the first wins.
    assert_eq!(pairs, vec![("a", "0"), ("b", "2"), ("c", "4"), ("d", "5")]);
    // A quoted "<<" is an ordinary key.
    let root = load1("m:\n  \"<<\": {a: 1}\n");
    assert!(root.get("m").unwrap().get("<<").is_some());
    let err = load("m:\n  <<: 1\n", &Limits::default()).unwrap_err();
    assert!(err.message.contains("map merge"), "{}", err.message);
}

#[test]
fn multi_document_streams_and_tags() {
    let text = "---\na: !!str 1\n--- !custom\n- x\n...\n---\n";
    let docs = load(text, &Limits::default()).unwrap();
    assert_eq!(docs.len(), 3);
    let a = docs[0].root.get("a").unwrap();
    assert_eq!(a.tag(), Some("tag:yaml.org,2002:str"));
    assert_eq!(a.scalar_type(), Some(ScalarType::Str));
    assert_eq!(at(text, a.span), "1");
    assert_eq!(docs[1].root.tag(), Some("!custom"));
    assert!(docs[2].root.is_null());
    assert!(load("", &Limits::default()).unwrap().is_empty());
    assert!(load("# only a comment\n", &Limits::default()).unwrap().is_empty());
}

#[test]
fn syntax_errors_are_positioned() {
    let text = "a: b\n c: d\n";
    let err = load(text, &Limits::default()).unwrap_err();
    assert!(!err.message.is_empty());
    assert!(err.span.start <= text.len());
    let err = load("a: \"unterminated\n", &Limits::default()).unwrap_err();
    assert!(err.message.contains("quoted scalar"), "{}", err.message);
}

#[test]
fn limits_are_enforced() {
    let limits = Limits { max_depth: 3, max_alias_nodes: 10, max_bytes: 100 };
    let roomy = Limits { max_bytes: 1 << 20, ..limits };
    assert!(load("a: [[[1]]]\n", &limits).is_err());
    assert!(load("a: [[1]]\n", &limits).is_ok());
    let err = load(&"x".repeat(101), &limits).unwrap_err();
    assert!(err.message.contains("limit of 100 bytes"), "{}", err.message);
    let err = load("a: &a [1, 2, 3, 4]\nb: [*a, *a, *a]\n", &roomy).unwrap_err();
    assert!(err.message.contains("10 nodes"), "{}", err.message);
    // Depth through aliases counts too.
    let err = load("a: &a [[1]]\nb: [[*a]]\n", &roomy).unwrap_err();
    assert!(err.message.contains("nesting"), "{}", err.message);
}

/// Loads `text` and asserts it finishes (with success or an error) quickly.
fn bounded(name: &str, text: &str) -> Result<Vec<Document>, YamlError> {
    let start = Instant::now();
    let r = load(text, &Limits::default());
    let took = start.elapsed();
    // Generous for debug builds on shared cores; a quadratic or exponential
    // blow-up takes minutes.
    assert!(took < Duration::from_secs(20), "{name} took {took:?}");
    r
}

#[test]
fn hostile_inputs_end_quickly_without_panicking() {
    let n = 1_000_000;
    assert!(bounded("block nesting", &"- ".repeat(n)).is_err());
    assert!(bounded("flow sequence nesting", &"[".repeat(n)).is_err());
    assert!(bounded("flow mapping nesting", &"{a: ".repeat(n)).is_err());
    let mut indented = String::new();
    for i in 0..2000 {
        indented.push_str(&" ".repeat(i));
        indented.push_str("a:\n");
    }
    assert!(bounded("indented mappings", &indented).is_err());

    let mut bomb = String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (prev, name) in
        ["a", "b", "c", "d", "e", "f", "g", "h", "i"].iter().zip(["b", "c", "d", "e", "f", "g", "h", "i", "j"])
    {
        bomb.push_str(&format!("{name}: &{name} [{}]\n", vec![format!("*{prev}"); 9].join(",")));
    }
    let err = bounded("billion laughs", &bomb).unwrap_err();
    assert!(err.message.contains("aliases expand"), "{}", err.message);

    let mut big = format!("a: &big \"{}\"\nb:\n", "x".repeat(10_000));
    for _ in 0..100_000 {
        big.push_str("- *big\n");
    }
    let err = bounded("100k aliases of 10 KB", &big).unwrap_err();
    assert!(err.message.contains("aliases expand"), "{}", err.message);

    for (name, text) in [
        ("empty", ""),
        ("comments", "# a\n# b\n"),
        ("nul", "a: b\0c\n"),
        ("nul in quotes", "a: \"b\0c\"\n"),
        ("nul in block", "a: |\n  b\0c\n"),
        ("bom", "\u{feff}a: b\n"),
        ("bom twice", "\u{feff}\u{feff}a: b\n"),
        ("tabs", "a:\tb\n\tc: d\n"),
        ("tab indent", "a:\n\t- b\n"),
        ("lone cr", "a: b\rc: d\r"),
        ("unterminated flow", "[a, {b: c"),
        ("unknown alias", "a: *nope\n"),
        ("recursive alias", "a: &a [*a]\n"),
        ("anchor across documents", "a: &a 1\n---\nb: *a\n"),
        ("bad escape", "a: \"\\q\"\n"),
        ("bad unicode escape", "a: \"\\ud800\"\n"),
        ("block indent 0", "a: |0\n  x\n"),
        ("directive", "%YAML 1.2\n---\na: b\n"),
        ("bad directive", "%FOO\n---\na\n"),
        ("tag directive", "%TAG !e! tag:example.com,2000:\n---\na: !e!x b\n"),
        ("verbatim tag", "a: !<tag:x> b\n"),
        ("document end", "...\n...\n"),
        ("only indicators", "- ? : - ? :\n"),
        ("weird keys", "? - a\n  - b\n: c\n? {x: y}\n: z\n"),
        ("huge line", &"a".repeat(1 << 20)),
        ("many docs", &"---\n".repeat(10_000)),
    ] {
        let _ = bounded(name, text);
    }
}

#[test]
fn byte_limit_is_checked_before_parsing() {
    let limits = Limits { max_bytes: 1 << 20, ..Limits::default() };
    let text = "a".repeat((1 << 20) + 1);
    let start = Instant::now();
    assert!(load(&text, &limits).is_err());
    assert!(start.elapsed() < Duration::from_secs(1));
}

#[test]
fn non_ascii_offsets_are_bytes() {
    let text = "é: ü\nk: \"😀 x\"\n";
    let root = load1(text);
    let (k, v) = &root.as_mapping().unwrap()[0];
    assert_eq!(at(text, k.span), "é");
    assert_eq!(at(text, v.span), "ü");
    let s = root.get("k").unwrap();
    assert_eq!(at(text, s.span), "\"😀 x\"");
    let sc = s.as_scalar().unwrap();
    let x = sc.value.find('x').unwrap();
    assert_eq!(&text[sc.map.to_file(x)..sc.map.to_file(x) + 1], "x");
}

#[test]
#[ignore = "timing probe: run by hand"]
fn probe_large_single_line() {
    for mb in [1usize, 10, 100] {
        let limits = Limits { max_bytes: 200 << 20, ..Limits::default() };
        let mut text = String::from("a: \"");
        text.push_str(&"é".repeat(mb << 19));
        text.push_str("\"\nb: ");
        text.push_str(&"x".repeat(mb << 20));
        let start = Instant::now();
        let r = load(&text, &limits);
        eprintln!("{mb} MB: {:?} ok={}", start.elapsed(), r.is_ok());
    }
}

#[test]
fn accepts_what_yaml_v3_accepts() {
    // Continuation lines of a quoted scalar at the key's indentation.
    let text = "a:\n  b: \"x\n  y\"\n  c: 'p\n  q'\n  d: z\n";
    let root = load1(text);
    let a = root.get("a").unwrap();
    let b = a.get("b").unwrap();
    assert_eq!(b.as_str(), Some("x y"));
    assert_eq!(at(text, b.span), "\"x\n  y\"");
    let s = b.as_scalar().unwrap();
    assert_eq!(&text[s.map.to_file(2)..s.map.to_file(2) + 1], "y");
    assert_eq!(a.get("c").unwrap().as_str(), Some("p q"));
    assert_eq!(at(text, a.get("d").unwrap().span), "z");
    check_all_maps(text);
    // `\'` in a double-quoted scalar.
    let text = "a: \"it\\'s \\'x\\'\"\nb: c\n";
    let root = load1(text);
    let a = root.get("a").unwrap();
    assert_eq!(a.as_str(), Some("it's 'x'"));
    assert_eq!(at(text, a.span), "\"it\\'s \\'x\\'\"");
    assert_eq!(at(text, root.get("b").unwrap().span), "c");
    check_all_maps(text);
    // Other errors are still errors, reported in the original text.
    let text = "a: \"it\\'s\"\nb: [\n";
    assert!(load(text, &Limits::default()).is_err());
    let err = load("a: \"\\q\"\n", &Limits::default()).unwrap_err();
    assert_eq!(err.span.start, 3);
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

/// Every YAML file of the repository's `rules-examples/` and `tests/`, and of
/// `../shared/corpus` when it is next to the repository (the flag), with its
/// text, in path order. Shared by the tests that compare loaders on real files.
pub(super) fn real_files() -> (Vec<(PathBuf, String)>, bool) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["rules-examples", "tests", "../shared/corpus"] {
        yaml_files(&root.join(dir), &mut files);
    }
    files.sort();
    let texts = files.into_iter().filter_map(|p| Some((p.clone(), std::fs::read_to_string(&p).ok()?))).collect();
    (texts, root.join("../shared/corpus").is_dir())
}

/// A tree has a node per key and value: their size is most of a loaded file's
/// memory (a 10,000-rule file's tree is ten times its text).
#[test]
fn nodes_stay_small() {
    assert!(std::mem::size_of::<OffsetMap>() <= 16, "OffsetMap is {} bytes", std::mem::size_of::<OffsetMap>());
    assert!(std::mem::size_of::<Node>() <= 72, "Node is {} bytes", std::mem::size_of::<Node>());
}

//! What each fuzz target checks, shared by the fuzzers (`fuzz_targets/*.rs`)
//! and by `tests/fuzz_regressions.rs`, which replays every input the fuzzers
//! found so that plain `cargo test` keeps them fixed.

#![allow(dead_code)] // each fuzz target uses one function

use alertlint::alertmanager::{self, LabelSet};
use alertlint::alertmanager::{compat, matchers_to_string, parse_classic, parse_utf8};
use alertlint::config::Config;
use alertlint::engine::{Engine, Input, Selection};
use alertlint::promql::{self, ParseOptions};
use alertlint::report;
use alertlint::template;
use alertlint::yaml::{self, Limits, Node};
use std::sync::OnceLock;

/// `yaml::load` on arbitrary text: no panic, and every position it returns
/// lies inside the text on a character boundary. Wherever the direct loader
/// takes the text, saphyr gives the same tree.
pub fn yaml_load(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if text.len() <= 1 << 16 {
        let (direct, saphyr) = yaml::load_both_ways(text, &Limits::default());
        if let Some(direct) = direct {
            assert_eq!(Ok(direct), saphyr, "the direct loader and saphyr differ");
        }
    }
    match yaml::load(text, &Limits::default()) {
        Ok(docs) => {
            for doc in &docs {
                assert_span(text, doc.span.start, doc.span.end);
                check_tree(text, &doc.root);
            }
        }
        Err(e) => assert_span(text, e.span.start, e.span.end),
    }
}

/// The PromQL parser on arbitrary text, with and without experimental
/// syntax: no panic; error spans inside the expression; a parsed tree prints.
pub fn promql_parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for options in [ParseOptions::default(), ParseOptions::all_enabled()] {
        match promql::parse(text, &options) {
            Ok(tree) => {
                let _ = promql::print_tree(&tree, text);
                let _ = promql::tree_to_json(&tree);
            }
            Err(errors) => {
                assert!(!errors.is_empty(), "a failed parse reports an error");
                for error in &errors {
                    assert!(
                        error.span.start <= error.span.end && error.span.end <= text.len(),
                        "error span {:?} outside {} bytes",
                        error.span,
                        text.len()
                    );
                    let _ = promql::format_error(text, error);
                }
            }
        }
    }
}

/// The Go text/template parser on arbitrary text: no panic, error spans
/// inside the text, and the reference helpers run on what parses.
pub fn template_parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match template::parse_for_alert(text, "Fuzz") {
        Ok(t) => {
            let _ = t.label_refs();
            let _ = t.value_refs();
            let _ = t.functions_used();
            let _ = t.literal_text();
        }
        Err(e) => assert!(
            e.span.start <= e.span.end && e.span.end <= text.len(),
            "error span {:?} outside {} bytes",
            e.span,
            text.len()
        ),
    }
}

/// Alertmanager matcher parsers (classic, UTF-8 and the fallback mode) on
/// arbitrary text: no panic; a parsed matcher can be printed and evaluated.
pub fn am_matchers(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for matchers in [parse_classic::parse_matchers(text), parse_utf8::parse_matchers(text)].into_iter().flatten() {
        let _ = matchers_to_string(&matchers);
        for m in &matchers {
            let _ = m.matches(text);
            let _ = m.matches_absent();
        }
    }
    let _ = parse_classic::parse_matcher(text);
    let _ = parse_utf8::parse_matcher(text);
    let _ = compat::parse_matchers(text);
    let _ = compat::parse_matcher(text);
}

/// The Alertmanager configuration loader on arbitrary text: no panic; a
/// loaded configuration routes a label set.
pub fn am_config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(config) = alertmanager::load_text(text) {
        let labels: LabelSet = [("alertname", "Fuzz"), ("severity", "critical")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let _ = config.route(&labels);
    }
}

/// The whole check of one file on arbitrary bytes, every default lint on,
/// and both renderers: no panic, and every finding lies inside the file.
pub fn check_file(data: &[u8]) {
    let reports = engine().check(vec![Input { name: "fuzz.yaml".into(), bytes: data.to_vec() }]);
    for r in &reports {
        let len = r.file.text().len();
        for d in &r.diagnostics {
            assert!(
                d.span.start <= d.span.end && d.span.end <= len,
                "{} span {:?} outside {len} bytes",
                d.lint,
                d.span
            );
        }
    }
    let _ = report::json::render(&reports);
    let _ = report::human::render(&reports, report::human::Style { color: false, width: 100 });
}

fn assert_span(text: &str, start: usize, end: usize) {
    assert!(start <= end && end <= text.len(), "span {start}..{end} outside text of {} bytes", text.len());
    assert!(text.is_char_boundary(start) && text.is_char_boundary(end), "span {start}..{end} splits a character");
}

fn check_tree(text: &str, root: &Node) {
    root.for_each_scalar(|node, scalar| {
        assert_span(text, node.span.start, node.span.end);
        for segment in scalar.map.segments().iter() {
            assert_span(text, segment.file.start, segment.file.end);
        }
    });
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| match Engine::new(Config::default(), Selection::default()) {
        Ok(engine) => engine,
        Err(e) => panic!("default configuration: {e}"),
    })
}

/// The language server's framing on an arbitrary byte stream: no panic,
/// memory bounded by the caps, every frame consumes input (so the reader
/// ends), and every body decodes to a message or an error.
pub fn lsp_frames(data: &[u8]) {
    use alertlint::lsp::internals::{Frame, FrameReader, decode};
    let mut reader = FrameReader::new(std::io::Cursor::new(data));
    let mut frames = 0usize;
    while let Ok(Some(frame)) = reader.read_frame() {
        frames += 1;
        assert!(frames <= data.len() + 1, "more frames than input bytes: the reader does not advance");
        if let Frame::Body(body) = frame {
            assert!(body.len() <= data.len(), "a body longer than the input");
            let _ = decode(&body);
        }
    }
}

/// Incremental edits of an open document (`didChange` with ranges) on
/// arbitrary text, in both encodings, compared with a plain model of LSP
/// positions: lines end at `\n`, `\r\n` or `\r`; a position past a line's
/// end is its end; a UTF-16 column inside a character moves past it, a
/// byte column inside one moves back to its start.
///
/// Input: the initial text up to the first 0 byte, then edits of 6 bytes
/// (flags, start line, start column, end line, end column, text length)
/// each followed by its text.
pub fn lsp_document(data: &[u8]) {
    use alertlint::lsp::Encoding;
    use alertlint::lsp::internals::Document;
    use alertlint::lsp::internals::lsp_types::{Position, Range, TextDocumentContentChangeEvent, Uri};
    use std::str::FromStr;

    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let text = String::from_utf8_lossy(&data[..split]).into_owned();
    let Ok(uri) = Uri::from_str("untitled:fuzz") else { return };
    let mut doc = Document { uri, path: None, language_id: "yaml".into(), version: 1, text: text.clone() };
    let mut model = text;
    let mut rest = data.get(split + 1..).unwrap_or(&[]);
    while rest.len() >= 6 {
        let (head, tail) = rest.split_at(6);
        let len = usize::from(head[5]).min(tail.len());
        let (new_text, tail) = tail.split_at(len);
        rest = tail;
        let new_text = String::from_utf8_lossy(new_text).into_owned();
        let utf16 = head[0] & 1 == 0;
        let encoding = if utf16 { Encoding::Utf16 } else { Encoding::Utf8 };
        let position = |line: u8, character: u8| Position { line: u32::from(line), character: u32::from(character) };
        let (start, end) = (position(head[1], head[2]), position(head[3], head[4]));
        let full = head[0] & 2 != 0;
        let change = TextDocumentContentChangeEvent {
            range: (!full).then_some(Range { start, end }),
            range_length: None,
            text: new_text.clone(),
        };
        doc.apply(change, encoding);
        if full {
            model = new_text;
        } else {
            let a = model_offset(&model, start, utf16);
            let b = model_offset(&model, end, utf16);
            model.replace_range(a.min(b)..a.max(b), &new_text);
        }
        assert_eq!(doc.text, model, "edit {start:?}..{end:?} utf16={utf16}");
    }
}

/// The byte offset of an LSP position in `text`, computed char by char.
fn model_offset(text: &str, position: alertlint::lsp::internals::lsp_types::Position, utf16: bool) -> usize {
    let mut line = 0u32;
    let mut chars = text.char_indices().peekable();
    let mut line_start = 0;
    while line < position.line {
        let Some((i, c)) = chars.next() else { return text.len() };
        let ends_line = match c {
            '\n' => true,
            '\r' => {
                if let Some(&(_, '\n')) = chars.peek() {
                    chars.next();
                    line_start = i + 2;
                    line += 1;
                    continue;
                }
                true
            }
            _ => false,
        };
        if ends_line {
            line += 1;
            line_start = i + c.len_utf8();
        }
    }
    let mut units = 0u32;
    let mut offset = line_start;
    for c in text[line_start..].chars() {
        if c == '\n' || c == '\r' {
            break;
        }
        let width = if utf16 { c.len_utf16() as u32 } else { c.len_utf8() as u32 };
        if units >= position.character {
            return offset;
        }
        if !utf16 && units + width > position.character {
            // A byte column inside a character: its start.
            return offset;
        }
        units += width;
        offset += c.len_utf8();
    }
    offset
}

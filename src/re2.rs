//! Go regular expressions (RE2 syntax) read the way Go's `regexp/syntax`
//! parser reads them, with the Perl flags `regexp.Compile` uses.
//!
//! Prometheus compiles a label matcher value `v` as `^(?:v)$` and also parses
//! `v` alone; Alertmanager compiles `^(?:v)$`. This module follows Go's parser
//! step by step (a stack of parsed pieces, no recursion) to decide validity and
//! Go's error message, to tell whether the anchored expression matches the
//! empty string, and to write the equivalent pattern for the `regex` crate
//! (used where label values must really be matched).
//!
//! The reference is the Go release that built the promtool our conformance
//! table was made with (Go 1.19, Unicode 13): `(?<name>...)` is not accepted,
//! Unicode class names are case-sensitive, and size limits are reported as
//! "regexp/syntax: internal error" as that release does. The table
//! `tests/data/re2_patterns.jsonl` holds promtool's verdicts.

use std::fmt;

/// Go's parse error: a code and the offending part of the expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub code: &'static str,
    pub expr: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error parsing regexp: {}: `{}`", self.code, self.expr)
    }
}

impl std::error::Error for Error {}

const INVALID_CHAR_CLASS_RANGE: &str = "invalid character class range";
const INVALID_ESCAPE: &str = "invalid escape sequence";
const INVALID_NAMED_CAPTURE: &str = "invalid named capture";
const INVALID_PERL_OP: &str = "invalid or unsupported Perl syntax";
const INVALID_REPEAT_OP: &str = "invalid nested repetition operator";
const INVALID_REPEAT_SIZE: &str = "invalid repeat count";
const MISSING_BRACKET: &str = "missing closing ]";
const MISSING_PAREN: &str = "missing closing )";
const MISSING_REPEAT_ARGUMENT: &str = "missing argument to repetition operator";
const TRAILING_BACKSLASH: &str = "trailing backslash at end of expression";
const UNEXPECTED_PAREN: &str = "unexpected )";
const NESTING_DEPTH: &str = "expression nests too deeply";
/// How Go 1.19 reports an expression over its size or rune budget.
const TOO_LARGE: &str = "regexp/syntax: internal error";

/// Largest count in `x{n,m}`, and largest product of nested counts.
const MAX_REPEAT: u64 = 1000;
/// Largest height of the parse tree.
const MAX_HEIGHT: u32 = 1000;
/// Largest compiled size, in instructions (128 MB of 40-byte instructions).
const MAX_SIZE: i64 = (128 << 20) / 40;
/// Largest number of runes held by literals and classes (128 MB of runes).
const MAX_RUNES: u64 = (128 << 20) / 4;

/// Checks a Prometheus label matcher value: valid when Go compiles `^(?:v)$`
/// and parses `v` alone (as Prometheus does).
pub fn check_prometheus(value: &str) -> Result<(), Error> {
    if obviously_valid(value) {
        return Ok(());
    }
    parse(&anchored(value))?;
    parse(value).map(|_| ())
}

/// Whether `value` cannot be anything but a valid expression: literal
/// characters without meaning, `|`, `.`, and `*` or `+` only right after a
/// `.`. Nothing in it can be unbalanced, nest, or repeat a repetition. Most
/// matcher values look like that (`api|web`, `5..`, `prod-.*`), and are
/// then not parsed at all.
fn obviously_valid(value: &str) -> bool {
    let b = value.as_bytes();
    b.len() <= 4096
        && b.iter().enumerate().all(|(i, &c)| match c {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => true,
            b'_' | b'-' | b':' | b'/' | b' ' | b',' | b'=' | b'@' | b'%' | b'!' | b'~' | b'&' | b'|' | b'.' => true,
            b'*' | b'+' => i > 0 && b[i - 1] == b'.',
            _ => false,
        })
}

/// Checks an Alertmanager matcher value: valid when Go compiles `^(?:v)$`.
pub fn check_alertmanager(value: &str) -> Result<(), Error> {
    parse(&anchored(value)).map(|_| ())
}

/// Whether `^(?:v)$` matches the empty string; `None` when Go rejects it.
pub fn matches_empty(value: &str) -> Option<bool> {
    parse(&anchored(value)).ok().map(|parsed| parsed.matches_empty)
}

/// The pattern for the `regex` crate that matches what Go's `^(?:v)$`
/// matches, without the anchors and group: callers wrap it as `^(?:...)$`.
pub fn translate(value: &str) -> Result<String, Error> {
    let parsed = parse(&anchored(value))?;
    let inner = parsed.translation.strip_prefix("^(?:").and_then(|t| t.strip_suffix(")$"));
    Ok(inner.unwrap_or(&parsed.translation).to_string())
}

fn anchored(value: &str) -> String {
    format!("^(?:{value})$")
}

/// What parsing tells about one expression.
#[derive(Debug)]
pub struct Parsed {
    /// Whether the expression matches the empty string.
    pub matches_empty: bool,
    /// The same expression in the `regex` crate's syntax.
    pub translation: String,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Op {
    NoMatch,
    EmptyMatch,
    Literal,
    CharClass,
    AnyChar,
    Anchor,
    WordBoundary,
    NoWordBoundary,
    Capture,
    Star,
    Plus,
    Quest,
    Repeat,
    Concat,
    Alternate,
}

/// One node of the parse tree, with the measures Go's limits need.
#[derive(Debug)]
struct Node {
    op: Op,
    /// Case folding of a literal (literals merge only with equal folding).
    fold: bool,
    /// Runes in a literal.
    runes: u64,
    subs: Vec<usize>,
    min: i64,
    max: i64,
    height: u32,
    size: i64,
    /// Largest product of repeat counts on a path down from this node.
    repeat_product: u64,
    nullable: bool,
}

#[derive(Clone, Copy, Debug)]
enum Item {
    Node(usize),
    /// An open group: whether it captures, and the flags to restore at its end.
    LeftParen {
        capture: bool,
        flags: Flags,
    },
    VerticalBar,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Flags {
    fold: bool,
    multi_line: bool,
    dot_nl: bool,
    non_greedy: bool,
}

struct Parser<'a> {
    whole: &'a str,
    nodes: Vec<Node>,
    /// Go's parse stack; `texts` holds the translation of each entry.
    stack: Vec<Item>,
    texts: Vec<String>,
    flags: Flags,
    num_runes: u64,
}

/// Parses a whole expression as Go's `syntax.Parse(s, syntax.Perl)` does.
pub fn parse(s: &str) -> Result<Parsed, Error> {
    let mut p = Parser {
        whole: s,
        nodes: Vec::new(),
        stack: Vec::new(),
        texts: Vec::new(),
        flags: Flags::default(),
        num_runes: 0,
    };
    let b = s.as_bytes();
    let mut pos = 0usize;
    // Where the previous token started, when it was a repetition operator.
    let mut last_repeat: Option<usize> = None;
    while pos < b.len() {
        let mut repeat = None;
        match b[pos] {
            b'(' if b.get(pos + 1) == Some(&b'?') => pos = p.parse_perl_flags(pos)?,
            b'(' => {
                p.open_paren(true, p.flags);
                pos += 1;
            }
            b'|' => {
                p.parse_vertical_bar()?;
                pos += 1;
            }
            b')' => {
                p.parse_right_paren()?;
                pos += 1;
            }
            b'^' => {
                let text = if p.flags.multi_line { "(?m:^)" } else { "^" };
                p.op(Op::Anchor, text)?;
                pos += 1;
            }
            b'$' => {
                let text = if p.flags.multi_line { "(?m:$)" } else { "$" };
                p.op(Op::Anchor, text)?;
                pos += 1;
            }
            b'.' => {
                let text = if p.flags.dot_nl { "(?s:.)" } else { "." };
                p.op(Op::AnyChar, text)?;
                pos += 1;
            }
            b'[' => pos = p.parse_class(pos)?,
            b'*' | b'+' | b'?' => {
                let (op, text) = match b[pos] {
                    b'*' => (Op::Star, "*"),
                    b'+' => (Op::Plus, "+"),
                    _ => (Op::Quest, "?"),
                };
                let before = pos;
                pos = p.repeat(op, 0, 0, before, pos + 1, last_repeat, text.to_string())?;
                repeat = Some(before);
            }
            b'{' => match parse_repeat(b, pos) {
                None => {
                    p.literal('{')?;
                    pos += 1;
                }
                Some((min, max, after)) => {
                    let limit = MAX_REPEAT as i64;
                    if min < 0 || min > limit || max > limit || (max >= 0 && min > max) {
                        return Err(p.error(INVALID_REPEAT_SIZE, pos, after));
                    }
                    let text = match max {
                        -1 => format!("{{{min},}}"),
                        m if m == min => format!("{{{min}}}"),
                        m => format!("{{{min},{m}}}"),
                    };
                    let before = pos;
                    pos = p.repeat(Op::Repeat, min, max, before, after, last_repeat, text)?;
                    repeat = Some(before);
                }
            },
            b'\\' => pos = p.parse_backslash(pos)?,
            _ => {
                let c = next_char(s, pos);
                p.literal(c)?;
                pos += c.len_utf8();
            }
        }
        last_repeat = repeat;
    }
    p.concat()?;
    if p.swap_vertical_bar() {
        p.pop();
    }
    p.alternate()?;
    match (p.stack.as_slice(), p.texts.pop()) {
        ([Item::Node(root)], Some(translation)) => Ok(Parsed { matches_empty: p.nodes[*root].nullable, translation }),
        _ => Err(Error { code: MISSING_PAREN, expr: s.to_string() }),
    }
}
fn next_char(s: &str, pos: usize) -> char {
    s[pos..].chars().next().unwrap_or('\u{FFFD}')
}

/// `{min}`, `{min,}` or `{min,max}` at `pos`: counts (-1 for "too big" or no
/// maximum) and the position after `}`; `None` when it is not a repetition.
fn parse_repeat(b: &[u8], pos: usize) -> Option<(i64, i64, usize)> {
    let mut i = pos + 1;
    let (mut min, next) = parse_int(b, i)?;
    i = next;
    let max;
    match b.get(i)? {
        b',' => {
            i += 1;
            match b.get(i)? {
                b'}' => max = -1,
                _ => {
                    let (m, next) = parse_int(b, i)?;
                    i = next;
                    if m < 0 {
                        min = -1;
                    }
                    max = m;
                }
            }
        }
        _ => max = min,
    }
    (b.get(i)? == &b'}').then_some((min, max, i + 1))
}

/// A decimal number without leading zeros; -1 when it is too big.
fn parse_int(b: &[u8], pos: usize) -> Option<(i64, usize)> {
    let first = *b.get(pos)?;
    if !first.is_ascii_digit() {
        return None;
    }
    if first == b'0' && b.get(pos + 1).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let mut i = pos;
    let mut n: i64 = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        if n >= 0 {
            if n >= 100_000_000 {
                n = -1;
            } else {
                n = n * 10 + i64::from(b[i] - b'0');
            }
        }
        i += 1;
    }
    Some((n, i))
}

fn is_alnum(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

fn unhex(c: char) -> Option<u32> {
    c.to_digit(16)
}

/// A rune written for the `regex` crate: letters and digits as they are,
/// everything else as a `\x{..}` escape (safe inside and outside classes).
fn push_rust_char(out: &mut String, c: char) {
    if c.is_ascii_alphanumeric() || (!c.is_ascii() && !c.is_control() && !c.is_whitespace()) {
        out.push(c);
    } else {
        out.push_str(&format!("\\x{{{:X}}}", c as u32));
    }
}

const PERL_CLASSES: [(&str, &str, &str); 6] = [
    ("\\d", "[0-9]", "0-9"),
    ("\\D", "[^0-9]", "[^0-9]"),
    ("\\s", "[\\x{9}\\x{A}\\x{C}\\x{D}\\x{20}]", "\\x{9}\\x{A}\\x{C}\\x{D}\\x{20}"),
    ("\\S", "[^\\x{9}\\x{A}\\x{C}\\x{D}\\x{20}]", "[^\\x{9}\\x{A}\\x{C}\\x{D}\\x{20}]"),
    ("\\w", "[0-9A-Za-z_]", "0-9A-Za-z_"),
    ("\\W", "[^0-9A-Za-z_]", "[^0-9A-Za-z_]"),
];

const POSIX_CLASSES: [&str; 14] = [
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space", "upper", "word",
    "xdigit",
];

/// Go 1.19's `unicode.Categories` keys.
const CATEGORIES: [&str; 36] = [
    "C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N", "Nd", "Nl", "No", "P",
    "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So", "Z", "Zl", "Zp", "Zs",
];

/// Go 1.19's `unicode.Scripts` keys (Unicode 13.0).
const SCRIPTS: [&str; 156] = [
    "Adlam",
    "Ahom",
    "Anatolian_Hieroglyphs",
    "Arabic",
    "Armenian",
    "Avestan",
    "Balinese",
    "Bamum",
    "Bassa_Vah",
    "Batak",
    "Bengali",
    "Bhaiksuki",
    "Bopomofo",
    "Brahmi",
    "Braille",
    "Buginese",
    "Buhid",
    "Canadian_Aboriginal",
    "Carian",
    "Caucasian_Albanian",
    "Chakma",
    "Cham",
    "Cherokee",
    "Chorasmian",
    "Common",
    "Coptic",
    "Cuneiform",
    "Cypriot",
    "Cyrillic",
    "Deseret",
    "Devanagari",
    "Dives_Akuru",
    "Dogra",
    "Duployan",
    "Egyptian_Hieroglyphs",
    "Elbasan",
    "Elymaic",
    "Ethiopic",
    "Georgian",
    "Glagolitic",
    "Gothic",
    "Grantha",
    "Greek",
    "Gujarati",
    "Gunjala_Gondi",
    "Gurmukhi",
    "Han",
    "Hangul",
    "Hanifi_Rohingya",
    "Hanunoo",
    "Hatran",
    "Hebrew",
    "Hiragana",
    "Imperial_Aramaic",
    "Inherited",
    "Inscriptional_Pahlavi",
    "Inscriptional_Parthian",
    "Javanese",
    "Kaithi",
    "Kannada",
    "Katakana",
    "Kayah_Li",
    "Kharoshthi",
    "Khitan_Small_Script",
    "Khmer",
    "Khojki",
    "Khudawadi",
    "Lao",
    "Latin",
    "Lepcha",
    "Limbu",
    "Linear_A",
    "Linear_B",
    "Lisu",
    "Lycian",
    "Lydian",
    "Mahajani",
    "Makasar",
    "Malayalam",
    "Mandaic",
    "Manichaean",
    "Marchen",
    "Masaram_Gondi",
    "Medefaidrin",
    "Meetei_Mayek",
    "Mende_Kikakui",
    "Meroitic_Cursive",
    "Meroitic_Hieroglyphs",
    "Miao",
    "Modi",
    "Mongolian",
    "Mro",
    "Multani",
    "Myanmar",
    "Nabataean",
    "Nandinagari",
    "New_Tai_Lue",
    "Newa",
    "Nko",
    "Nushu",
    "Nyiakeng_Puachue_Hmong",
    "Ogham",
    "Ol_Chiki",
    "Old_Hungarian",
    "Old_Italic",
    "Old_North_Arabian",
    "Old_Permic",
    "Old_Persian",
    "Old_Sogdian",
    "Old_South_Arabian",
    "Old_Turkic",
    "Oriya",
    "Osage",
    "Osmanya",
    "Pahawh_Hmong",
    "Palmyrene",
    "Pau_Cin_Hau",
    "Phags_Pa",
    "Phoenician",
    "Psalter_Pahlavi",
    "Rejang",
    "Runic",
    "Samaritan",
    "Saurashtra",
    "Sharada",
    "Shavian",
    "Siddham",
    "SignWriting",
    "Sinhala",
    "Sogdian",
    "Sora_Sompeng",
    "Soyombo",
    "Sundanese",
    "Syloti_Nagri",
    "Syriac",
    "Tagalog",
    "Tagbanwa",
    "Tai_Le",
    "Tai_Tham",
    "Tai_Viet",
    "Takri",
    "Tamil",
    "Tangut",
    "Telugu",
    "Thaana",
    "Thai",
    "Tibetan",
    "Tifinagh",
    "Tirhuta",
    "Ugaritic",
    "Vai",
    "Wancho",
    "Warang_Citi",
    "Yezidi",
    "Yi",
    "Zanabazar_Square",
];

fn is_unicode_name(name: &str) -> bool {
    name == "Any" || CATEGORIES.contains(&name) || SCRIPTS.binary_search(&name).is_ok()
}

/// Runes Go keeps for a Unicode class (two per range), counted for Go's rune
/// budget with the `regex` crate's Unicode tables (close to Go's).
fn unicode_class_runes(name: &str) -> u64 {
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local! {
        static CACHE: RefCell<HashMap<String, u64>> = RefCell::new(HashMap::new());
    }
    CACHE.with(|cache| {
        *cache.borrow_mut().entry(name.to_string()).or_insert_with(|| {
            let hir = regex_syntax::Parser::new().parse(&format!("\\p{{{name}}}"));
            match hir.as_ref().map(|h| h.kind()) {
                Ok(regex_syntax::hir::HirKind::Class(regex_syntax::hir::Class::Unicode(class))) => {
                    2 * class.ranges().len() as u64
                }
                _ => 2,
            }
        })
    })
}

impl Parser<'_> {
    fn error(&self, code: &'static str, start: usize, end: usize) -> Error {
        let end = end.min(self.whole.len());
        Error { code, expr: self.whole.get(start..end).unwrap_or_default().to_string() }
    }

    fn whole_error(&self, code: &'static str) -> Error {
        Error { code, expr: self.whole.to_string() }
    }

    fn new_node(&mut self, op: Op) -> usize {
        self.nodes.push(Node {
            op,
            fold: false,
            runes: 0,
            subs: Vec::new(),
            min: 0,
            max: 0,
            height: 1,
            size: 1,
            repeat_product: 1,
            nullable: false,
        });
        self.nodes.len() - 1
    }

    /// Computes a node's measures from its children (Go's `calcSize`,
    /// `calcHeight` and `repeatIsValid`, and whether it matches "").
    fn finish(&mut self, id: usize) {
        let mut height = 1;
        let mut sizes = 0i64;
        let mut product = 1u64;
        let mut all = true;
        let mut any = false;
        for &s in &self.nodes[id].subs {
            let sub = &self.nodes[s];
            height = height.max(1 + sub.height);
            sizes = sizes.saturating_add(sub.size);
            product = product.max(sub.repeat_product);
            all &= sub.nullable;
            any |= sub.nullable;
        }
        let n = &mut self.nodes[id];
        n.height = height;
        let (size, nullable) = match n.op {
            Op::Literal => (n.runes as i64, false),
            Op::Capture => (2 + sizes, all),
            Op::Star => (2 + sizes, true),
            Op::Plus => (1 + sizes, all),
            Op::Quest => (1 + sizes, true),
            Op::Concat => (sizes, all),
            Op::Alternate => (sizes.saturating_add(n.subs.len() as i64 - 1), any),
            Op::Repeat => {
                let size = match (n.min, n.max) {
                    (0, -1) => 2 + sizes,
                    (min, -1) => min.saturating_mul(sizes).saturating_add(1),
                    (min, max) => max.saturating_mul(sizes).saturating_add(max - min),
                };
                (size, n.min == 0 || all)
            }
            Op::EmptyMatch | Op::Anchor | Op::NoWordBoundary => (0, true),
            Op::NoMatch | Op::CharClass | Op::AnyChar | Op::WordBoundary => (0, false),
        };
        n.size = size.max(1);
        n.nullable = nullable;
        n.repeat_product = match (n.op, n.min, n.max) {
            (Op::Repeat, _, 0) => 1,
            (Op::Repeat, min, -1) => (min.max(1) as u64).saturating_mul(product),
            (Op::Repeat, _, max) => (max as u64).saturating_mul(product),
            _ => product,
        };
    }

    fn check_limits(&self, id: usize) -> Result<(), Error> {
        let n = &self.nodes[id];
        if self.num_runes > MAX_RUNES || n.size > MAX_SIZE {
            return Err(self.whole_error(TOO_LARGE));
        }
        if n.height > MAX_HEIGHT {
            return Err(self.whole_error(NESTING_DEPTH));
        }
        Ok(())
    }

    fn pop(&mut self) -> Option<(Item, String)> {
        Some((self.stack.pop()?, self.texts.pop()?))
    }

    /// Pushes a finished node, first merging two literals on top (Go's `maybeConcat`).
    fn push(&mut self, id: usize, text: String) -> Result<(), Error> {
        self.num_runes += self.nodes[id].runes;
        self.maybe_concat();
        self.stack.push(Item::Node(id));
        self.texts.push(text);
        self.check_limits(id)
    }

    fn maybe_concat(&mut self) {
        let n = self.stack.len();
        if n < 2 {
            return;
        }
        let (Item::Node(a), Item::Node(b)) = (self.stack[n - 2], self.stack[n - 1]) else {
            return;
        };
        let (na, nb) = (&self.nodes[a], &self.nodes[b]);
        if na.op != Op::Literal || nb.op != Op::Literal || na.fold != nb.fold {
            return;
        }
        self.nodes[a].runes += self.nodes[b].runes;
        self.finish(a);
        if let Some((_, text)) = self.pop() {
            if let Some(last) = self.texts.last_mut() {
                last.push_str(&text);
            }
        }
    }

    fn open_paren(&mut self, capture: bool, flags: Flags) {
        self.maybe_concat();
        self.stack.push(Item::LeftParen { capture, flags });
        self.texts.push(String::new());
    }

    fn literal(&mut self, c: char) -> Result<(), Error> {
        let id = self.new_node(Op::Literal);
        self.nodes[id].fold = self.flags.fold;
        self.nodes[id].runes = 1;
        self.finish(id);
        let mut text = String::new();
        push_rust_char(&mut text, c);
        if self.flags.fold && c.is_alphabetic() {
            text = format!("(?i:{text})");
        }
        self.push(id, text)
    }

    fn op(&mut self, op: Op, text: &str) -> Result<(), Error> {
        let id = self.new_node(op);
        self.finish(id);
        self.push(id, text.to_string())
    }

    fn class(&mut self, body: String, runes: u64) -> Result<(), Error> {
        let id = self.new_node(Op::CharClass);
        self.nodes[id].runes = runes;
        self.finish(id);
        let text = if self.flags.fold { format!("(?i:{body})") } else { body };
        self.push(id, text)
    }

    /// Applies a repetition operator to the top of the stack (Go's `repeat`).
    #[allow(clippy::too_many_arguments)]
    fn repeat(
        &mut self,
        op: Op,
        min: i64,
        max: i64,
        before: usize,
        mut after: usize,
        last_repeat: Option<usize>,
        mut text: String,
    ) -> Result<usize, Error> {
        let mut non_greedy = self.flags.non_greedy;
        if self.whole.as_bytes().get(after) == Some(&b'?') {
            after += 1;
            non_greedy = !non_greedy;
        }
        if let Some(last) = last_repeat {
            return Err(self.error(INVALID_REPEAT_OP, last, after));
        }
        let Some(&Item::Node(sub)) = self.stack.last() else {
            return Err(self.error(MISSING_REPEAT_ARGUMENT, before, after));
        };
        let id = self.new_node(op);
        self.nodes[id].min = min;
        self.nodes[id].max = max;
        self.nodes[id].subs.push(sub);
        self.finish(id);
        let top = self.stack.len() - 1;
        self.stack[top] = Item::Node(id);
        if non_greedy {
            text.push('?');
        }
        let operand = std::mem::take(&mut self.texts[top]);
        self.texts[top] = format!("(?:{operand}){text}");
        self.check_limits(id)?;
        if op == Op::Repeat && (min >= 2 || max >= 2) && self.nodes[id].repeat_product > MAX_REPEAT {
            return Err(self.error(INVALID_REPEAT_SIZE, before, after));
        }
        Ok(after)
    }

    /// The nodes above the topmost `(` or `|`, with their translations.
    fn take_nodes(&mut self) -> (Vec<usize>, Vec<String>) {
        let mut i = self.stack.len();
        while i > 0 && matches!(self.stack[i - 1], Item::Node(_)) {
            i -= 1;
        }
        let ids = self.stack.drain(i..).filter_map(|item| if let Item::Node(id) = item { Some(id) } else { None });
        (ids.collect(), self.texts.drain(i..).collect())
    }

    /// Replaces the nodes above the topmost `(` or `|` with their concatenation.
    fn concat(&mut self) -> Result<(), Error> {
        self.maybe_concat();
        let (subs, texts) = self.take_nodes();
        let id = if subs.is_empty() { self.leaf(Op::EmptyMatch) } else { self.collapse(subs, Op::Concat) };
        self.push(id, texts.concat())
    }

    /// Replaces the nodes above the topmost `(` with their alternation.
    fn alternate(&mut self) -> Result<(), Error> {
        let (subs, texts) = self.take_nodes();
        let (id, text) = if subs.is_empty() {
            (self.leaf(Op::NoMatch), "[^\\x{0}-\\x{10FFFF}]".to_string())
        } else {
            (self.collapse(subs, Op::Alternate), texts.join("|"))
        };
        self.push(id, text)
    }

    fn leaf(&mut self, op: Op) -> usize {
        let id = self.new_node(op);
        self.finish(id);
        id
    }

    /// One node for several, flattening children of the same kind (Go's `collapse`).
    fn collapse(&mut self, subs: Vec<usize>, op: Op) -> usize {
        if subs.len() == 1 {
            return subs[0];
        }
        let mut flat = Vec::with_capacity(subs.len());
        for s in subs {
            if self.nodes[s].op == op {
                flat.extend_from_slice(&self.nodes[s].subs);
            } else {
                flat.push(s);
            }
        }
        let id = self.new_node(op);
        self.nodes[id].subs = flat;
        self.finish(id);
        id
    }

    /// Go's `swapVerticalBar`: moves the finished alternative below the `|`.
    fn swap_vertical_bar(&mut self) -> bool {
        let n = self.stack.len();
        if n >= 2 && matches!(self.stack[n - 2], Item::VerticalBar) && matches!(self.stack[n - 1], Item::Node(_)) {
            self.stack.swap(n - 2, n - 1);
            self.texts.swap(n - 2, n - 1);
            return true;
        }
        false
    }

    fn parse_vertical_bar(&mut self) -> Result<(), Error> {
        self.concat()?;
        if !self.swap_vertical_bar() {
            self.maybe_concat();
            self.stack.push(Item::VerticalBar);
            self.texts.push(String::new());
        }
        Ok(())
    }

    fn parse_right_paren(&mut self) -> Result<(), Error> {
        self.concat()?;
        if self.swap_vertical_bar() {
            self.pop();
        }
        self.alternate()?;
        let (Some((Item::Node(inner), text)), Some((Item::LeftParen { capture, flags }, _))) = (self.pop(), self.pop())
        else {
            return Err(self.whole_error(UNEXPECTED_PAREN));
        };
        self.flags = flags;
        if capture {
            let id = self.new_node(Op::Capture);
            self.nodes[id].subs.push(inner);
            self.finish(id);
            self.push(id, format!("({text})"))
        } else {
            self.push(inner, format!("(?:{text})"))
        }
    }

    /// `(?` at `pos`: a named group, a non-capturing group, or flags (Go's `parsePerlFlags`).
    fn parse_perl_flags(&mut self, pos: usize) -> Result<usize, Error> {
        let t = &self.whole[pos..];
        if t.len() > 4 && t.as_bytes()[2] == b'P' && t.as_bytes()[3] == b'<' {
            let Some(end) = t.find('>') else {
                return Err(self.error(INVALID_NAMED_CAPTURE, pos, self.whole.len()));
            };
            let name = &t[4..end];
            if name.is_empty() || !name.chars().all(|c| c == '_' || is_alnum(c)) {
                return Err(self.error(INVALID_NAMED_CAPTURE, pos, pos + end + 1));
            }
            self.open_paren(true, self.flags);
            return Ok(pos + end + 1);
        }
        let mut i = pos + 2;
        let mut flags = self.flags;
        let mut negated = false;
        let mut saw_flag = false;
        while i < self.whole.len() {
            let c = next_char(self.whole, i);
            i += c.len_utf8();
            match c {
                'i' => flags.fold = !negated,
                'm' => flags.multi_line = !negated,
                's' => flags.dot_nl = !negated,
                'U' => flags.non_greedy = !negated,
                '-' if !negated => {
                    negated = true;
                    saw_flag = false;
                    continue;
                }
                ':' | ')' if !negated || saw_flag => {
                    if c == ':' {
                        self.open_paren(false, self.flags);
                    }
                    self.flags = flags;
                    return Ok(i);
                }
                _ => break,
            }
            saw_flag = true;
        }
        Err(self.error(INVALID_PERL_OP, pos, i))
    }

    /// A backslash outside a class (Go's main loop cases and `parseEscape`).
    fn parse_backslash(&mut self, pos: usize) -> Result<usize, Error> {
        let b = self.whole.as_bytes();
        if let Some(&e) = b.get(pos + 1) {
            match e {
                b'A' => return self.op(Op::Anchor, "\\A").map(|_| pos + 2),
                b'b' => return self.op(Op::WordBoundary, "(?-u:\\b)").map(|_| pos + 2),
                b'B' => return self.op(Op::NoWordBoundary, "(?-u:\\B)").map(|_| pos + 2),
                b'z' => return self.op(Op::Anchor, "\\z").map(|_| pos + 2),
                b'C' => return Err(self.error(INVALID_ESCAPE, pos, pos + 2)),
                b'Q' => {
                    let rest = &self.whole[pos + 2..];
                    let (text, next) = match rest.find("\\E") {
                        Some(end) => (&rest[..end], pos + 2 + end + 2),
                        None => (rest, self.whole.len()),
                    };
                    for c in text.chars() {
                        self.literal(c)?;
                    }
                    return Ok(next);
                }
                b'p' | b'P' => {
                    let (text, next, runes) = self.parse_unicode_class(pos)?;
                    self.class(text, runes)?;
                    return Ok(next);
                }
                _ => {}
            }
        }
        if let Some((outside, _)) = perl_class(self.whole, pos) {
            self.class(outside.to_string(), 4)?;
            return Ok(pos + 2);
        }
        let (c, next) = self.parse_escape(pos)?;
        self.literal(c)?;
        Ok(next)
    }

    /// An escape for one character at `pos` (Go's `parseEscape`).
    fn parse_escape(&self, pos: usize) -> Result<(char, usize), Error> {
        let b = self.whole.as_bytes();
        let len = b.len();
        if pos + 1 >= len {
            return Err(Error { code: TRAILING_BACKSLASH, expr: String::new() });
        }
        let c = next_char(self.whole, pos + 1);
        let mut t = pos + 1 + c.len_utf8();
        let is_octal = |t: usize| t < len && (b'0'..=b'7').contains(&b[t]);
        match c {
            '1'..='7' if !is_octal(t) => {}
            '0'..='7' => {
                let mut r = c as u32 - '0' as u32;
                for _ in 1..3 {
                    if !is_octal(t) {
                        break;
                    }
                    r = r * 8 + u32::from(b[t] - b'0');
                    t += 1;
                }
                return Ok((char::from_u32(r).unwrap_or('\u{FFFD}'), t));
            }
            'x' if t < len => {
                let c = next_char(self.whole, t);
                t += c.len_utf8();
                if c == '{' {
                    let mut digits = 0;
                    let mut r: u32 = 0;
                    loop {
                        if t >= len {
                            return Err(self.error(INVALID_ESCAPE, pos, t));
                        }
                        let c = next_char(self.whole, t);
                        t += c.len_utf8();
                        if c == '}' {
                            break;
                        }
                        let Some(v) = unhex(c) else {
                            return Err(self.error(INVALID_ESCAPE, pos, t));
                        };
                        r = r * 16 + v;
                        if r > 0x10FFFF {
                            return Err(self.error(INVALID_ESCAPE, pos, t));
                        }
                        digits += 1;
                    }
                    if digits == 0 {
                        return Err(self.error(INVALID_ESCAPE, pos, t));
                    }
                    return Ok((char::from_u32(r).unwrap_or('\u{FFFD}'), t));
                }
                let (y, next) = if t < len {
                    let d = next_char(self.whole, t);
                    (unhex(d), t + d.len_utf8())
                } else {
                    (None, t)
                };
                t = next;
                if let (Some(x), Some(y)) = (unhex(c), y) {
                    return Ok((char::from_u32(x * 16 + y).unwrap_or('\u{FFFD}'), t));
                }
            }
            'a' => return Ok(('\u{7}', t)),
            'f' => return Ok(('\u{c}', t)),
            'n' => return Ok(('\n', t)),
            'r' => return Ok(('\r', t)),
            't' => return Ok(('\t', t)),
            'v' => return Ok(('\u{b}', t)),
            c if c.is_ascii() && !is_alnum(c) => return Ok((c, t)),
            _ => {}
        }
        Err(self.error(INVALID_ESCAPE, pos, t))
    }

    /// `\pN`, `\p{Name}`, `\P{^Name}` at `pos` (Go's `parseUnicodeClass`):
    /// the `regex` crate's spelling, the position after it, Go's rune count.
    fn parse_unicode_class(&self, pos: usize) -> Result<(String, usize, u64), Error> {
        let s = &self.whole[pos..];
        let mut negated = s.as_bytes()[1] == b'P';
        let (seq_end, mut name) = match s[2..].chars().next() {
            Some('{') => {
                let Some(end) = s.find('}') else {
                    return Err(self.error(INVALID_CHAR_CLASS_RANGE, pos, self.whole.len()));
                };
                (end + 1, &s[3..end])
            }
            Some(c) => (2 + c.len_utf8(), &s[2..2 + c.len_utf8()]),
            None => (2, ""),
        };
        if let Some(rest) = name.strip_prefix('^') {
            negated = !negated;
            name = rest;
        }
        if !is_unicode_name(name) {
            return Err(self.error(INVALID_CHAR_CLASS_RANGE, pos, pos + seq_end));
        }
        let text = match (name, negated) {
            // Surrogates never occur in UTF-8 text, and the `regex` crate refuses the class.
            ("Cs", false) => "[^\\x{0}-\\x{10FFFF}]".to_string(),
            ("Cs", true) => "[\\x{0}-\\x{10FFFF}]".to_string(),
            _ => format!("\\{}{{{name}}}", if negated { 'P' } else { 'p' }),
        };
        Ok((text, pos + seq_end, unicode_class_runes(name)))
    }

    /// A bracketed class at `pos` (Go's `parseClass`).
    fn parse_class(&mut self, pos: usize) -> Result<usize, Error> {
        let b = self.whole.as_bytes();
        let len = b.len();
        let mut t = pos + 1;
        let mut body = String::from("[");
        if b.get(t) == Some(&b'^') {
            body.push('^');
            t += 1;
        }
        let mut runes = 0u64;
        let mut first = true;
        while t >= len || b[t] != b']' || first {
            first = false;
            if len - t.min(len) > 2 && b[t] == b'[' && b[t + 1] == b':' {
                if let Some(i) = self.whole[t + 2..].find(":]") {
                    let end = t + 2 + i + 2;
                    let name = &self.whole[t + 2..end - 2];
                    if !POSIX_CLASSES.contains(&name.strip_prefix('^').unwrap_or(name)) {
                        return Err(self.error(INVALID_CHAR_CLASS_RANGE, t, end));
                    }
                    body.push_str(&self.whole[t..end]);
                    runes += 4;
                    t = end;
                    continue;
                }
            }
            if t + 1 < len && b[t] == b'\\' && (b[t + 1] == b'p' || b[t + 1] == b'P') {
                let (text, next, n) = self.parse_unicode_class(t)?;
                body.push_str(&text);
                runes += n;
                t = next;
                continue;
            }
            if let Some((_, inside)) = perl_class(self.whole, t) {
                body.push_str(inside);
                runes += 4;
                t += 2;
                continue;
            }
            let range_start = t;
            let (lo, next) = self.parse_class_char(t, pos)?;
            t = next;
            let mut hi = lo;
            if t + 1 < len && b[t] == b'-' && b[t + 1] != b']' {
                let (h, next) = self.parse_class_char(t + 1, pos)?;
                t = next;
                hi = h;
                if hi < lo {
                    return Err(self.error(INVALID_CHAR_CLASS_RANGE, range_start, t));
                }
            }
            push_rust_char(&mut body, lo);
            if hi != lo {
                body.push('-');
                push_rust_char(&mut body, hi);
            }
            runes += 2;
        }
        body.push(']');
        self.class(body, runes)?;
        Ok(t + 1)
    }

    fn parse_class_char(&self, t: usize, class_start: usize) -> Result<(char, usize), Error> {
        if t >= self.whole.len() {
            return Err(self.error(MISSING_BRACKET, class_start, self.whole.len()));
        }
        if self.whole.as_bytes()[t] == b'\\' {
            return self.parse_escape(t);
        }
        let c = next_char(self.whole, t);
        Ok((c, t + c.len_utf8()))
    }
}

/// A Perl class escape (`\d`, `\W`...) at `pos`: its ASCII meaning for the
/// `regex` crate outside and inside a bracketed class.
fn perl_class(s: &str, pos: usize) -> Option<(&'static str, &'static str)> {
    let escape = s.get(pos..pos + 2)?;
    PERL_CLASSES.iter().find(|(e, _, _)| *e == escape).map(|&(_, outside, inside)| (outside, inside))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Patterns the shortcut takes are exactly those the full parse accepts
    /// both ways; patterns it refuses are still checked in full.
    #[test]
    fn the_shortcut_takes_only_valid_patterns() {
        let alphabet = b"ab0_-:/ ,=|.*+?()[]{}\\^$";
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let (mut taken, mut refused) = (0, 0);
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 9) as usize;
            let pattern: String =
                (0..len).map(|k| char::from(alphabet[((state >> (k * 5)) % alphabet.len() as u64) as usize])).collect();
            if obviously_valid(&pattern) {
                taken += 1;
                assert!(parse(&anchored(&pattern)).is_ok() && parse(&pattern).is_ok(), "{pattern:?}");
            } else {
                refused += 1;
            }
        }
        assert!(taken > 1_000 && refused > 1_000, "{taken} taken, {refused} refused");
        for bad in ["a**", ".*+", "*", "+a", "(a", "a{2", "\\"] {
            assert!(!obviously_valid(bad), "{bad:?}");
        }
        assert!(obviously_valid("api|web-.*|5.."));
    }
}

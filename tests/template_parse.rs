//! The template parser: the tree and its spans per construct, errors with Go's
//! wording and their positions, the reference helpers the lints use, the
//! upstream rulefmt template cases, deep nesting, and arbitrary input.

use alertlint::Span;
use alertlint::template::*;

fn ok(text: &str) -> Template {
    match parse(text) {
        Ok(t) => t,
        Err(e) => panic!("{text:?} should parse, got {e:?}"),
    }
}

fn error(text: &str) -> TemplateError {
    match parse(text) {
        Ok(t) => panic!("{text:?} should not parse, got {t:?}"),
        Err(e) => e,
    }
}

/// The text a span covers.
fn at(text: &str, span: Span) -> &str {
    &text[span.range()]
}

fn only_action(t: &Template) -> &Action {
    match t.nodes.as_slice() {
        [Node::Action(a)] => a,
        other => panic!("expected one action, got {other:?}"),
    }
}

// ---- constructs ---------------------------------------------------------------

#[test]
fn text_only() {
    let t = ok("Instance down");
    assert!(t.is_plain_text());
    assert_eq!(t.literal_text(), "Instance down");
    assert_eq!(t.nodes, vec![Node::Text(Text { span: Span::new(0, 13), text: "Instance down".into() })]);
}

#[test]
fn action_with_variable_field() {
    let src = "Instance {{ $labels.instance }} down";
    let t = ok(src);
    assert!(!t.is_plain_text());
    assert_eq!(t.literal_text(), "Instance  down");
    let Node::Action(a) = &t.nodes[1] else { panic!("{:?}", t.nodes) };
    assert_eq!(at(src, a.span), "{{ $labels.instance }}");
    let [cmd] = a.pipe.commands.as_slice() else { panic!() };
    let [Expr::Variable(v)] = cmd.args.as_slice() else { panic!("{cmd:?}") };
    assert_eq!(v.name.name, "$labels");
    assert_eq!(at(src, v.span), "$labels.instance");
    assert_eq!(v.fields.len(), 1);
    assert_eq!(v.fields[0].name, "instance");
    assert_eq!(at(src, v.fields[0].span), "instance");
}

#[test]
fn field_chain_and_dot() {
    let src = "{{ .Labels.job }}{{ . }}";
    let t = ok(src);
    let Node::Action(a) = &t.nodes[0] else { panic!() };
    let [Expr::Field(f)] = a.pipe.commands[0].args.as_slice() else { panic!() };
    assert_eq!(f.fields.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(), ["Labels", "job"]);
    assert_eq!(at(src, f.span), ".Labels.job");
    let Node::Action(b) = &t.nodes[1] else { panic!() };
    assert!(matches!(b.pipe.commands[0].args[0], Expr::Dot(_)));
}

#[test]
fn parenthesized_pipeline_with_fields_is_a_chain() {
    let src = "{{ (query \"up\" | first).Labels.job }}";
    let t = ok(src);
    let a = only_action(&t);
    let [Expr::Chain(c)] = a.pipe.commands[0].args.as_slice() else { panic!() };
    assert!(matches!(*c.base, Expr::Paren(..)));
    assert_eq!(at(src, c.base.span()), "(query \"up\" | first)");
    assert_eq!(at(src, c.span), "(query \"up\" | first).Labels.job");
}

#[test]
fn pipeline_commands_and_arguments() {
    let src = "{{ $value | printf \"%.2f\" | toUpper }}";
    let t = ok(src);
    let a = only_action(&t);
    let cmds = &a.pipe.commands;
    assert_eq!(cmds.len(), 3);
    assert_eq!(at(src, cmds[1].span), "printf \"%.2f\"");
    let Expr::String(s) = &cmds[1].args[1] else { panic!() };
    assert_eq!(s.value, "%.2f");
    assert_eq!(at(src, s.inner_span()), "%.2f");
    assert_eq!(at(src, a.pipe.span), "$value | printf \"%.2f\" | toUpper");
}

#[test]
fn declarations_and_assignments() {
    let t = ok("{{ $x := 1 }}{{ $x = 2 }}");
    let Node::Action(a) = &t.nodes[0] else { panic!() };
    assert_eq!(a.pipe.decls[0].name, "$x");
    assert!(!a.pipe.is_assign);
    let Node::Action(b) = &t.nodes[1] else { panic!() };
    assert!(b.pipe.is_assign);
}

#[test]
fn literals() {
    let src = "{{ print `raw\\n` \"a\\tb\" 'x' 0x1F 1.5e3 1+2i true nil }}";
    let t = ok(src);
    let args = &only_action(&t).pipe.commands[0].args;
    let Expr::String(raw) = &args[1] else { panic!() };
    assert!(raw.raw);
    assert_eq!(raw.value, "raw\\n");
    let Expr::String(cooked) = &args[2] else { panic!() };
    assert_eq!(cooked.value, "a\tb");
    let numbers: Vec<&str> = args[3..7]
        .iter()
        .map(|e| match e {
            Expr::Number(n) => n.name.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(numbers, ["'x'", "0x1F", "1.5e3", "1+2i"]);
    assert!(matches!(args[7], Expr::Bool(true, _)));
    assert!(matches!(args[8], Expr::Nil(_)));
}

#[test]
fn trim_markers_and_comments() {
    let src = "a  {{- /* note */ -}}  b {{- 1 }}";
    let t = ok(src);
    assert_eq!(t.literal_text(), "ab");
    let Node::Comment(c) = &t.nodes[1] else { panic!("{:?}", t.nodes) };
    assert_eq!(c.text, " note ");
    assert_eq!(at(src, c.span), "{{- /* note */ -}}");
    assert!(ok("x {{/* only a comment */}}").is_plain_text());
}

#[test]
fn if_else_if_else() {
    let src = "{{ if gt $value 2.0 }}a{{ else if gt $value 1.0 }}b{{ else }}c{{ end }}!";
    let t = ok(src);
    let Node::If(b) = &t.nodes[0] else { panic!() };
    assert_eq!(at(src, b.span), &src[..src.len() - 1]);
    assert_eq!(at(src, b.keyword_span), "if");
    let Some([Node::If(inner)]) = b.else_body.as_deref() else { panic!("{:?}", b.else_body) };
    assert_eq!(inner.else_body.as_deref().map(<[Node]>::len), Some(1));
    assert_eq!(t.literal_text(), "abc!");
}

#[test]
fn range_with_two_variables_break_continue() {
    let src =
        "{{ range $k, $v := $labels }}{{ if eq $k \"a\" }}{{ continue }}{{ end }}{{ break }}{{ else }}none{{ end }}";
    let t = ok(src);
    let Node::Range(r) = &t.nodes[0] else { panic!() };
    assert_eq!(r.pipe.decls.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(), ["$k", "$v"]);
    assert!(matches!(r.body[1], Node::Break(_)));
    assert!(r.else_span.is_some());
}

#[test]
fn with_and_else_with() {
    let t = ok("{{ with $labels.a }}{{ . }}{{ else with $labels.b }}{{ . }}{{ end }}");
    let Node::With(w) = &t.nodes[0] else { panic!() };
    assert!(matches!(w.else_body.as_deref(), Some([Node::With(_)])));
}

#[test]
fn define_template_block() {
    let src = "{{ define \"t\" }}[{{ . }}]{{ end }}{{ template \"t\" $labels.job }}{{ block \"b\" . }}x{{ end }}";
    let t = ok(src);
    assert_eq!(t.definitions.len(), 1);
    assert_eq!(t.definitions[0].name.name, "t");
    assert_eq!(at(src, t.definitions[0].span), "{{ define \"t\" }}[{{ . }}]{{ end }}");
    let Node::Template(call) = &t.nodes[0] else { panic!("{:?}", t.nodes) };
    assert_eq!(call.name.name, "t");
    assert!(call.pipe.is_some());
    let Node::Block(b) = &t.nodes[1] else { panic!() };
    assert_eq!(b.name.name, "b");
    // Block bodies print in place; define bodies do not.
    assert_eq!(t.literal_text(), "x");
    assert!(!ok("{{ define \"t\" }}x{{ end }}").is_plain_text());
}

#[test]
fn variables_are_scoped_to_their_control_structure() {
    ok("{{ if 1 }}{{ $x := 1 }}{{ $x }}{{ end }}");
    ok("{{ $x := 1 }}{{ if 1 }}{{ $x }}{{ end }}{{ $x }}");
    ok("{{ with $x := 1 }}{{ else }}{{ $x }}{{ end }}");
    assert_eq!(error("{{ if 1 }}{{ $x := 1 }}{{ end }}{{ $x }}").message, "undefined variable \"$x\"");
    assert_eq!(error("{{ range $i, $e := . }}{{ end }}{{ $e }}").message, "undefined variable \"$e\"");
    // A definition sees only `$`, not the Prometheus variables.
    assert_eq!(error("{{ define \"t\" }}{{ $value }}{{ end }}").message, "undefined variable \"$value\"");
    ok("{{ define \"t\" }}{{ $ }}{{ end }}");
}

// ---- errors -------------------------------------------------------------------

#[track_caller]
fn check_error(text: &str, message: &str, covered: &str) {
    let e = error(text);
    assert_eq!(e.message, message, "message for {text:?}");
    assert_eq!(at(text, e.span), covered, "span for {text:?}");
}

#[test]
fn errors_have_go_wording_and_positions() {
    check_error("Instance {{ $label.instance }}", "undefined variable \"$label\"", "$label");
    check_error("{{ foo $value }}", "function \"foo\" not defined", "foo");
    check_error("{{ $labels.quantile * 100 }}", "unexpected \"*\" in operand", "*");
    check_error("ab {{ .X ", "unclosed action", "{{");
    check_error("{{ end }}", "unexpected {{end}}", "{{ end }}");
    check_error("{{ else }}", "unexpected {{else}}", "{{ else }}");
    check_error("x {{ if .X }}y", "unexpected EOF: unclosed {{if}}", "{{ if .X }}");
    check_error("{{ range . }}", "unexpected EOF: unclosed {{range}}", "{{ range . }}");
    check_error("{{ if 1 }}{{ else }}{{ else }}{{ end }}", "expected end; found {{else}}", "{{ else }}");
    check_error("{{ if }}{{ end }}", "missing value for if", "{{ if }}");
    check_error("{{ }}", "missing value for command", "{{ }}");
    check_error("{{ 1 | 2 }}", "non executable command in pipeline stage 2", "2");
    check_error("{{ break }}", "{{break}} outside {{range}}", "{{ break }}");
    check_error("{{ \"abc }}", "unterminated quoted string", "\"abc }}");
    check_error("{{ (1 }}", "unclosed left paren", "(");
    check_error("{{ 1) }}", "unexpected right paren", ")");
    check_error("{{ .x-y }}", "bad character U+002D '-'", "-");
    check_error("{{ 3x }}", "bad number syntax: \"3x\"", "3x");
    check_error("{{ 08 }}", "integer overflow: \"08\"", "08");
    check_error("{{ 0x1.8 }}", "illegal number syntax: \"0x1.8\"", "0x1.8");
    check_error("{{ 'ab' }}", "malformed character constant: 'ab'", "'ab'");
    check_error("{{ \"a\".x }}", "unexpected . after term \"\\\"a\\\"\"", "\"a\"");
    check_error("{{/* x */ }}", "comment ends before closing delimiter", "");
    check_error("{{ € }}", "unrecognized character in action: U+20AC '€'", "€");
    check_error("{{ range $i, $e, $f := . }}{{ end }}", "too many declarations in range", ",");
    check_error("{{ with $a, $b := . }}{{ end }}", "too many declarations in with", ",");
    check_error("{{ range $i, 1 }}{{ end }}", "range can only initialize variables", "1");
    check_error(
        "{{ define \"a\" }}x{{ end }}{{ define \"a\" }}y{{ end }}",
        "template: multiple definition of template \"a\"",
        "\"a\"",
    );
    check_error("{{ template x }}", "unexpected \"x\" in template clause", "x");
    check_error("{{ range . }}{{ else if 1 }}{{ end }}", "unexpected <if> in input", "if");
    check_error("{{ $labels.aVeryLongName | | }}", "unexpected \"|\" in command", "|");
    check_error("{{ \"0123456789abc\" | \"x\" }}", "non executable command in pipeline stage 2", "\"x\"");
    check_error("{{ print \"0123456789abc\" ) }}", "unexpected right paren", ")");
}

#[test]
fn long_tokens_are_abbreviated_as_go_does() {
    assert_eq!(error("{{ (1 \"0123456789abc\" }}").message, "unclosed left paren");
    assert_eq!(error("{{ 1 := \"0123456789abc\" }}").message, "unexpected \":=\" in operand",);
    assert_eq!(
        error("{{ if 1 }}{{ else \"0123456789abc\" }}{{ end }}").message,
        "unexpected \"\\\"012345678\"... in else"
    );
}

#[test]
fn alert_name_collision() {
    assert!(parse("{{ define \"__alert_A\" }}x{{ end }}").is_ok());
    let e = parse_for_alert("{{ define \"__alert_A\" }}x{{ end }}", "A").err();
    assert_eq!(e.map(|e| e.message), Some("template: multiple definition of template \"__alert_A\"".into()));
    assert!(parse_for_alert("{{ define \"__alert_A\" }} {{ end }}", "A").is_ok());
}

// ---- what the lints read ------------------------------------------------------

fn label_names(text: &str) -> Vec<(String, String, String)> {
    ok(text)
        .label_refs()
        .into_iter()
        .map(|r| (r.name, at(text, r.span).to_string(), at(text, r.name_span).to_string()))
        .collect()
}

fn triple(name: &str, whole: &str, name_text: &str) -> (String, String, String) {
    (name.to_string(), whole.to_string(), name_text.to_string())
}

#[test]
fn label_references_in_every_form() {
    assert_eq!(label_names("{{ $labels.instance }}"), [triple("instance", "$labels.instance", "instance")]);
    assert_eq!(label_names("{{ .Labels.job }}"), [triple("job", ".Labels.job", "job")]);
    assert_eq!(label_names("{{ $.Labels.job }}"), [triple("job", "$.Labels.job", "job")]);
    assert_eq!(label_names("{{ index $labels \"a-b\" }}"), [triple("a-b", "index $labels \"a-b\"", "a-b")]);
    assert_eq!(label_names("{{ index .Labels `x` }}"), [triple("x", "index .Labels `x`", "x")]);
    assert_eq!(label_names("{{ $l := $labels }}{{ $l.pod }}"), [triple("pod", "$l.pod", "pod")]);
    assert_eq!(label_names("{{ with $labels }}{{ .ns }}{{ end }}"), [triple("ns", ".ns", "ns")]);
    assert_eq!(
        label_names("{{ if eq $labels.severity \"x\" }}{{ humanize $value }} {{ $labels.job | toUpper }}{{ end }}"),
        [triple("severity", "$labels.severity", "severity"), triple("job", "$labels.job", "job")]
    );
    assert_eq!(label_names("{{ (.Labels).job }}"), [triple("job", "(.Labels).job", "job")]);
}

#[test]
fn label_lookalikes_are_not_label_references() {
    // Inside `range`, `.` is an element, not the alert.
    assert!(label_names("{{ range query \"up\" }}{{ .Labels.job }}{{ end }}").is_empty());
    // External labels are not the alert's labels.
    assert!(label_names("{{ $externalLabels.cluster }}").is_empty());
    // A definition's `.` is whatever `{{template}}` passes.
    assert!(label_names("{{ define \"t\" }}{{ .Labels.x }}{{ end }}").is_empty());
    // A variable shadowing `$labels` with something else.
    assert!(label_names("{{ with $labels := 1 }}{{ $labels.x }}{{ end }}").is_empty());
}

#[test]
fn value_references() {
    let src = "{{ $value }} {{ .Value }} {{ humanize $value }} {{ printf \"%.2f\" $value }} {{ $.Value }} {{ $v := $value }}{{ $v }} {{ with $value }}{{ . }}{{ end }}";
    let spans: Vec<&str> = ok(src).value_refs().into_iter().map(|s| at(src, s)).collect();
    assert_eq!(spans, ["$value", ".Value", "$value", "$value", "$.Value", "$value", "$v", "$value", "."]);
    assert!(ok("{{ $labels.value }} {{ range query \"up\" }}{{ .Value }}{{ end }}").value_refs().is_empty());
}

#[test]
fn functions_used() {
    let src = "{{ $value | humanize }} {{ printf \"%s\" (toUpper $labels.job) }}{{ define \"t\" }}{{ len . }}{{ end }}";
    let used: Vec<(String, &str)> = ok(src).functions_used().into_iter().map(|(n, s)| (n, at(src, s))).collect();
    assert_eq!(
        used,
        [
            ("humanize".to_string(), "humanize"),
            ("printf".to_string(), "printf"),
            ("toUpper".to_string(), "toUpper"),
            ("len".to_string(), "len"),
        ]
    );
}

#[test]
fn literal_text_of_a_templated_url() {
    let t = ok("https://runbooks.example.com/{{ $labels.alertname | toLower }}.md");
    assert_eq!(t.literal_text(), "https://runbooks.example.com/.md");
}

// ---- upstream cases -----------------------------------------------------------

/// The label and annotation values of Prometheus' `rulefmt` `TestTemplateParsing`
/// cases (`conformance/rulefmt/inline__TestTemplateParsing__*.yaml`); the case
/// passes when all of its values parse.
#[test]
fn rulefmt_template_parsing_cases() {
    let cases: &[(&str, &[&str], bool)] = &[
        ("0", &["page", "Instance {{ $labels.instance }} down"], true),
        // Case 1 fails upstream on the group-level `labels:` field, not on a template.
        ("1", &["page", "Instance {{ $labels.instance }} down"], true),
        ("2", &["page", "Instance {{ $label.instance }} down"], false),
        ("3", &["{{$this_is_wrong}}", "Instance {{ $labels.instance }} down"], false),
        ("4", &["page", "Instance {{ $labels.instance }} down", "{{$labels.quantile * 100}}"], false),
    ];
    for (name, values, valid) in cases {
        let all_parse = values.iter().all(|v| parse_for_alert(v, "InstanceDown").is_ok());
        assert_eq!(all_parse, *valid, "TestTemplateParsing case {name}");
    }
}

// ---- depth and arbitrary input ------------------------------------------------

/// Runs `f` on a thread with a small (2 MiB) stack, like a test or worker thread.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    let handle = std::thread::Builder::new().stack_size(2 << 20).spawn(f).expect("spawn");
    assert!(handle.join().is_ok());
}

#[test]
fn very_deep_nesting_is_an_error_not_a_crash() {
    on_small_stack(|| {
        let n = 100_000;
        let ifs = format!("{}{}", "{{ if 1 }}".repeat(n), "{{ end }}".repeat(n));
        assert!(parse(&ifs).is_err_and(|e| e.message == "max nesting depth exceeded"));
        let parens = format!("{{{{ {}1{} }}}}", "(".repeat(n), ")".repeat(n));
        assert!(parse(&parens).is_err_and(|e| e.message == "max expression depth exceeded"));
        let ranges = format!("{}{}", "{{ range . }}".repeat(n), "{{ end }}".repeat(n));
        assert!(parse(&ranges).is_err());
        let unclosed = "{{ with . }}(".repeat(n);
        assert!(parse(&unclosed).is_err());
    });
}

#[test]
fn nesting_up_to_the_limit_parses_and_can_be_walked() {
    on_small_stack(|| {
        let d = MAX_DEPTH;
        let text = format!("{}{{{{ $labels.x }}}}{}", "{{ with $value }}".repeat(d), "{{ end }}".repeat(d));
        let t = parse(&text).expect("nesting at the limit parses");
        assert_eq!(t.label_refs().len(), 1);
        assert_eq!(t.value_refs().len(), d);
        assert_eq!(t.functions_used().len(), 0);
        drop(t);
        let over = format!("{}{}", "{{ if 1 }}".repeat(d + 1), "{{ end }}".repeat(d + 1));
        assert!(parse(&over).is_err());
        let parens = format!("{{{{ {}1{} }}}}", "(".repeat(d), ")".repeat(d));
        assert!(parse(&parens).is_ok());
    });
}

/// xorshift64*: a small deterministic generator, enough to vary inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[track_caller]
fn check_any_input(text: &str) {
    match parse(text) {
        Ok(t) => {
            let n = text.len();
            for r in t.label_refs() {
                assert!(r.span.end <= n && r.name_span.end <= n, "{text:?}");
            }
            for s in t.value_refs() {
                assert!(s.end <= n, "{text:?}");
            }
            let _ = (t.functions_used(), t.literal_text(), t.is_plain_text());
        }
        Err(e) => {
            assert!(e.span.start <= e.span.end && e.span.end <= text.len(), "{text:?}: {e:?}");
            assert!(text.is_char_boundary(e.span.start) && text.is_char_boundary(e.span.end), "{text:?}: {e:?}");
            assert!(!e.message.is_empty());
        }
    }
}

#[test]
fn arbitrary_input_never_panics() {
    const PIECES: &[&str] = &[
        "{{", "}}", "{{- ", " -}}", "/*", "*/", "$labels", "$value", "$", ".", ".Labels", ".x", "$x", ":=", "=", "|",
        "(", ")", " ", "\n", "\"", "`", "'", "\\", "if", "else", "end", "range", "with", "define", "template", "block",
        "break", "continue", "nil", "true", "1", "-", "+", "0x", "1e", "i", "_", "é", "€", ",", "index", "humanize",
        "printf", "\"s\"", "'c'", "\u{0}", "{", "}", "*", "é{{",
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..20_000 {
        let len = rng.below(24);
        let text: String = (0..len).map(|_| PIECES[rng.below(PIECES.len())]).collect();
        check_any_input(&text);
    }
    // Every prefix of realistic templates: what an editor sees while typing.
    let samples = [
        "{{ if gt $value 80.0 }}high {{ humanize $value }}{{ else if $labels.x }}{{ index $labels \"a\" }}{{ end }}",
        "{{ range $i, $e := query \"up\" }}{{ $e.Labels.job }}{{ break }}{{ else }}none{{ end }}",
        "{{- define \"t\" -}}{{ . }}{{ end }}{{ template \"t\" (printf \"%.2f\" $value) }}{{/* é */}}",
        "{{ with $labels }}{{ .instance }}{{ end }}{{ block \"b\" . }}{{ 0x1p-2 }}{{ '\\n' }}{{ 1+2i }}{{ end }}",
    ];
    for s in samples {
        for (i, _) in s.char_indices() {
            check_any_input(&s[..i]);
            check_any_input(&s[i..]);
        }
    }
}

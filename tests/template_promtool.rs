//! Differential test: alertlint's template parser against `promtool check rules`
//! (Prometheus 2.42), which parses every label and annotation value of an
//! alerting rule with Go's text/template.
//!
//! Each case is a template and whether promtool 2.42 accepts it. All cases are
//! written as annotations (and some as labels) of one rule file, promtool prints
//! one error line per rejected value, and the test asserts that alertlint accepts
//! exactly the values promtool accepts. The recorded expectation is checked too,
//! so the table stays honest and still tests alertlint where promtool is absent.
//!
//! Deliberately excluded (alertlint follows current Prometheus, 2.42 is older):
//! the functions `now`, `toDuration`, `urlQueryEscape` (added after 2.42) and
//! `{{else with}}` (Go 1.23; promtool 2.42 is built with Go 1.19). They are in
//! [`newer_than_oracle`] and checked to be rejected by promtool 2.42 and accepted
//! by alertlint, so the divergence is visible.

use alertlint::template::{MAX_DEPTH, parse_for_alert};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const OK: bool = true;
const ERR: bool = false;
const ALERT: &str = "A";

fn cases() -> Vec<(String, bool)> {
    let fixed: &[(&str, bool)] = &[
        // Text, comments, trim markers.
        ("plain text", OK),
        ("", OK),
        ("text with }} and { braces", OK),
        ("{{ .X }}}", OK),
        ("a {{- /* comment */ -}} b", OK),
        ("{{/* multi\nline */}}", OK),
        ("{{- /* c */}}", OK),
        ("{{/* c */ -}}", OK),
        ("{{-3}}", OK),
        ("{{- 3 -}}", OK),
        ("{{ 1 -}}", OK),
        ("{{- $labels.job -}}", OK),
        ("{{\t$labels.job\t}}", OK),
        ("{{\n$labels.job\n}}", OK),
        ("{{\r\n$labels.job\r\n}}", OK),
        ("{{/* unclosed", ERR),
        ("{{/* c */ }}", ERR),
        ("{{-/* c */}}", ERR),
        ("{{ /* not a comment */ }}", ERR),
        // Variables, fields, labels and value.
        ("{{ $labels.instance }}", OK),
        ("{{ .Labels.instance }}", OK),
        ("{{ $.Labels.job }}", OK),
        ("{{ $ }}", OK),
        ("{{ $value }}", OK),
        ("{{ .Value }}", OK),
        ("{{ $externalLabels.cluster }}", OK),
        ("{{ $externalURL }}", OK),
        ("{{ index $labels \"instance\" }}", OK),
        ("{{ index .Labels \"a-b\" }}", OK),
        ("{{ .Labels.a.b.c }}", OK),
        ("{{ ._x }}", OK),
        ("é {{ $labels.ñ }} {{ $labels.名前 }}", OK),
        ("{{ $label.instance }}", ERR),
        ("{{$this_is_wrong}}", ERR),
        ("{{ $labels.quantile * 100 }}", ERR),
        ("{{ .x-y }}", ERR),
        ("{{ $labels.x\u{1} }}", ERR),
        ("{{ ..X }}", ERR),
        ("{{ \"a\".x }}", ERR),
        ("{{ nil.x }}", ERR),
        ("{{ true.x }}", ERR),
        ("{{ 1.x }}", ERR),
        ("{{ (.Labels).job }}", OK),
        ("{{ (1).x }}", OK),
        ("{{ printf.x }}", OK),
        // Declarations, assignments, scoping.
        ("{{ $x := 1 }}{{ $x }}", OK),
        ("{{ $x := 1 }}{{ $x = 2 }}{{ $x }}", OK),
        ("{{ $x = 1 }}", OK),
        ("{{ $x=1 }}", ERR),
        ("{{ $x : 1 }}", ERR),
        ("{{ $x := }}", ERR),
        ("{{ := 1 }}", ERR),
        ("{{ = 1 }}", ERR),
        ("{{ $a, $b := 1 }}", ERR),
        ("{{ if 1 }}{{ $y := 1 }}{{ end }}{{ $y }}", ERR),
        ("{{ with $z := 1 }}{{ end }}{{ $z }}", ERR),
        ("{{ if $x := 1 }}{{ $x }}{{ else }}{{ $x }}{{ end }}", OK),
        ("{{ with $x := . }}{{ end }}{{ with $x := . }}{{ end }}", OK),
        ("{{ ($x := 1) }}{{ $x }}", OK),
        // Commands and pipelines.
        ("{{ $value | humanize }}", OK),
        ("{{ humanize $value }}", OK),
        ("{{ printf \"%.2f\" $value }}", OK),
        ("{{ \"a\" | printf \"%s-%s\" \"b\" }}", OK),
        ("{{ printf \"%d\" 1 | printf \"%s\" }}", OK),
        ("{{ $labels.instance | toUpper | printf \"%s\" }}", OK),
        ("{{ .X.Y | printf \"%s\" | len }}", OK),
        ("{{ .X | }}", OK),
        ("{{ \"a\" \"b\" }}", OK),
        ("{{ $labels.job $labels.instance }}", OK),
        ("{{ $labels.x | index \"y\" }}", OK),
        ("{{ (query \"up\" | first | value) }}", OK),
        ("{{ ((((1)))) }}", OK),
        ("{{ if and (gt $value 1.0) (lt $value 2.0) }}x{{ end }}", OK),
        ("{{ }}", ERR),
        ("{{ 1 | 2 }}", ERR),
        ("{{ . | \"a\" }}", ERR),
        ("{{ \"a\" | \"b\" }}", ERR),
        ("{{ $value | true }}", ERR),
        ("{{ $value | nil }}", ERR),
        ("{{ | $labels }}", ERR),
        ("{{ $labels.a || $labels.b }}", ERR),
        ("{{ ( ) }}", ERR),
        ("{{ (1 }}", ERR),
        ("{{(1 -}}", ERR),
        ("{{ 1) }}", ERR),
        ("{{{ .X }}}", ERR),
        ("}}{{", ERR),
        ("{{ .instance", ERR),
        ("{{ .X }", ERR),
        ("{{ € }}", ERR),
        // Literals.
        ("{{ `raw \\ string` }}", OK),
        ("{{ `multi\nline` }}", OK),
        ("{{ \"{{\" }}{{ \"}}\" }}", OK),
        ("{{ \"\\u00e9\\x41\\101\\t\\\\\\\"\" }}", OK),
        ("{{ 'a' }} {{ '\\n' }} {{ '\\'' }} {{ '\\u00e9' }} {{ 'é' }}", OK),
        ("{{ 1 }} {{ -1 }} {{ +1 }} {{ 1.5 }} {{ 1e3 }} {{ .5 }} {{ 1. }}", OK),
        ("{{ 0x1F }} {{ 0o17 }} {{ 0b101 }} {{ 017 }} {{ 1_000 }} {{ 1_000.5 }} {{ 0x_1 }}", OK),
        ("{{ 0x1p-2 }} {{ 2i }} {{ 1+2i }} {{ 0x1p2+3i }} {{ 1e-400 }}", OK),
        ("{{ 18446744073709551615 }} {{ -9223372036854775808 }}", OK),
        ("{{ true }} {{ false }} {{ nil }}", OK),
        ("{{ \"abc }}", ERR),
        ("{{ `abc }}", ERR),
        ("{{ 'a }}", ERR),
        ("{{ 'ab' }}", ERR),
        ("{{ '' }}", ERR),
        ("{{ '\\\"' }}", ERR),
        ("{{ \"\\'\" }}", ERR),
        ("{{ \"\\q\" }}", ERR),
        ("{{ \"\\xzz\" }}", ERR),
        ("{{ '\\400' }}", ERR),
        ("{{ \"\\ud800\" }}", ERR),
        ("{{ 08 }}", ERR),
        ("{{ 99999999999999999999 }}", ERR),
        ("{{ 1e400 }}", ERR),
        ("{{ 0x1.8 }}", ERR),
        ("{{ 0x }}", ERR),
        ("{{ 3x }}", ERR),
        ("{{ 1-2 }}", ERR),
        ("{{ 1-}}", ERR),
        ("{{ 1_ }}", ERR),
        ("{{ 1__0 }}", ERR),
        ("{{ 0b2 }}", ERR),
        ("{{ 1i+2i }}", ERR),
        // Functions: Go builtins and Prometheus' map as of 2.42.
        ("{{ and true false }} {{ or 1 0 }} {{ not true }} {{ call nil }}", OK),
        ("{{ len $labels }} {{ slice \"abc\" 1 }} {{ print 1 }} {{ println 1 }} {{ printf \"x\" }}", OK),
        ("{{ html \"<a>\" }} {{ js \"a\" }} {{ urlquery \"a b\" }} {{ index $labels \"a\" }}", OK),
        ("{{ eq 1 1 }}{{ ne 1 2 }}{{ lt 1 2 }}{{ le 1 2 }}{{ gt 2 1 }}{{ ge 2 1 }}", OK),
        ("{{ query \"up\" | first | value | humanize1024 }}", OK),
        ("{{ humanizeDuration 1 }}{{ humanizePercentage 1 }}{{ humanizeTimestamp 1 }}{{ toTime 1 }}", OK),
        ("{{ with query \"up\" }}{{ . | first | label \"job\" }}{{ . | first | strvalue }}{{ end }}", OK),
        ("{{ args 1 2 }}{{ reReplaceAll \"a\" \"b\" \"c\" }}{{ safeHtml \"x\" }}{{ match \"a\" \"b\" }}", OK),
        ("{{ title \"a\" }}{{ toUpper \"a\" }}{{ toLower \"a\" }}{{ graphLink \"up\" }}{{ tableLink \"up\" }}", OK),
        ("{{ sortByLabel \"job\" (query \"up\") }}{{ stripPort \"a:1\" }}{{ stripDomain \"a.b\" }}", OK),
        ("{{ pathPrefix }}{{ externalURL }}{{ parseDuration \"1m\" }}", OK),
        ("{{ foo }}", ERR),
        ("{{ humanise $value }}", ERR),
        ("{{ $value | Humanize }}", ERR),
        ("{{ tmpl \"x\" . }}", ERR),
        // if / else if / else.
        ("{{ if eq $labels.severity \"critical\" }}page{{ end }}", OK),
        ("{{ if gt $value 80.0 }}high{{ else if gt $value 50.0 }}mid{{ else }}low{{ end }}", OK),
        ("{{ if .X }}", ERR),
        ("{{ if .X }}{{ else }}", ERR),
        ("{{ end }}", ERR),
        ("{{ else }}", ERR),
        ("{{ else if 1 }}{{ end }}", ERR),
        ("{{ if 1 }}{{ end }}{{ end }}", ERR),
        ("{{ if 1 }}{{ else }}{{ else }}{{ end }}", ERR),
        ("{{ if }}{{ end }}", ERR),
        ("{{ if 1 }}{{ else if }}{{ end }}", ERR),
        ("{{ end 1 }}", ERR),
        ("{{ if 1 }}{{ else 1 }}{{ end }}", ERR),
        // range, break, continue.
        ("{{ range $i, $e := query \"up\" }}{{ $i }}{{ $e.Labels.job }}{{ end }}", OK),
        ("{{ range query \"up\" }}{{ .Labels.instance }} {{ .Value }}{{ else }}none{{ end }}", OK),
        ("{{ range $k, $v := $labels }}{{ $k }}={{ $v }},{{ end }}", OK),
        ("{{ range $i := . }}{{ $i }}{{ end }}", OK),
        ("{{ range $i, $e = . }}{{ end }}", OK),
        ("{{ range $i, $value }}{{ end }}", OK),
        ("{{ range $i, $e := . }}{{ $e }}{{ else }}{{ $i }}{{ end }}", OK),
        ("{{ range $labels }}{{ break }}{{ end }}", OK),
        ("{{ range $labels }}{{ if . }}{{ continue }}{{ end }}{{ end }}", OK),
        ("{{ range . }}{{ break }}{{ else }}x{{ end }}", OK),
        ("{{ range }}{{ end }}", ERR),
        ("{{ range $i, $e }}{{ end }}", ERR),
        ("{{ range $i, $e, $f := . }}{{ end }}", ERR),
        ("{{ range $i, 1 }}{{ end }}", ERR),
        ("{{ range $i, }}{{ end }}", ERR),
        ("{{ range $i, $e := . }}{{ end }}{{ $i }}", ERR),
        ("{{ break }}", ERR),
        ("{{ continue }}", ERR),
        ("{{ if 1 }}{{ break }}{{ end }}", ERR),
        ("{{ range . }}{{ break 1 }}{{ end }}", ERR),
        ("{{ range . }}{{ else }}{{ break }}{{ end }}", ERR),
        ("{{ range . }}{{ else if 1 }}{{ end }}", ERR),
        // with.
        ("{{ with $labels.instance }}{{ . }}{{ else }}unknown{{ end }}", OK),
        ("{{ with $x := $labels.job }}{{ $x }}{{ end }}", OK),
        ("{{ with $labels }}{{ .instance }}{{ end }}", OK),
        ("{{ with }}{{ end }}", ERR),
        ("{{ with $a, $b := . }}{{ end }}", ERR),
        // define, template, block.
        ("{{ define \"t\" }}x{{ end }}{{ template \"t\" }}", OK),
        ("{{ define \"t\" }}{{ .instance }}{{ end }}{{ template \"t\" $labels }}", OK),
        ("{{ define `t` }}{{ $ }}{{ end }}", OK),
        ("{{ template \"undefined\" }}", OK),
        ("{{ template \"b\" . }}", OK),
        ("{{ template \"x\" 1 2 }}", OK),
        ("{{ block \"b\" $labels }}{{ .job }}{{ end }}", OK),
        ("{{ block \"b\" . }}{{ end }}", OK),
        ("{{ define \"a\" }}{{ end }}{{ define \"a\" }}y{{ end }}", OK),
        ("{{ define \"a\" }}x{{ end }}{{ define \"a\" }} {{ end }}", OK),
        ("{{ $x := 1 }}{{ define \"a\" }}{{ $x }}{{ end }}", ERR),
        ("{{ define \"a\" }}{{ $labels }}{{ end }}", ERR),
        ("{{ block \"b\" . }}{{ $labels }}{{ end }}", ERR),
        ("{{ define \"a\" }}x{{ end }}{{ define \"a\" }}y{{ end }}", ERR),
        ("{{ define \"a\" }}x{{ end }}{{ block \"a\" . }}y{{ end }}", ERR),
        ("{{ define \"__alert_A\" }}x{{ end }}", ERR),
        ("{{ define \"a\" }}x{{ else }}{{ end }}", ERR),
        ("{{ define a }}{{ end }}", ERR),
        ("{{ define \"x\" }}", ERR),
        ("{{ define \"x\" 1 }}{{ end }}", ERR),
        ("{{ define \"\\q\" }}{{ end }}", ERR),
        ("{{ if 1 }}{{ define \"x\" }}{{ end }}{{ end }}", ERR),
        ("{{ template }}", ERR),
        ("{{ template x }}", ERR),
        ("{{ template \"x\" | }}", ERR),
        ("{{ block }}{{ end }}", ERR),
        ("{{ block \"x\" }}{{ end }}", ERR),
        ("{{ block \"x\" . }}{{ else }}{{ end }}", ERR),
        ("{{ range . }}{{ block \"x\" . }}{{ break }}{{ end }}{{ end }}", ERR),
    ];
    let mut cases: Vec<(String, bool)> = fixed.iter().map(|(t, ok)| (t.to_string(), *ok)).collect();
    // Nesting within alertlint's limit (Go's own limit is higher).
    let depth = MAX_DEPTH / 2;
    cases.push((format!("{}x{}", "{{ if 1 }}".repeat(depth), "{{ end }}".repeat(depth)), OK));
    cases.push((format!("{{{{ {}1{} }}}}", "(".repeat(depth), ")".repeat(depth)), OK));
    cases.push((format!("{}x{}", "{{ if 1 }}".repeat(depth), "{{ end }}".repeat(depth - 1)), ERR));
    cases
}

/// Accepted by alertlint (current Prometheus), rejected by promtool 2.42.
fn newer_than_oracle() -> Vec<String> {
    vec![
        "{{ now }}".to_string(),
        "{{ toDuration 1 }}".to_string(),
        "{{ urlQueryEscape \"a b\" }}".to_string(),
        "{{ with $labels.a }}a{{ else with $labels.b }}b{{ end }}".to_string(),
    ]
}

/// Which labels are also tested as label values (the rest only as annotations).
fn as_label(i: usize) -> bool {
    i % 7 == 0
}

fn promtool() -> Option<&'static str> {
    ["/usr/bin/promtool", "promtool"]
        .into_iter()
        .find(|p| Command::new(p).arg("--version").output().map(|o| o.status.success()).unwrap_or(false))
}

/// Writes the values as annotations (and some as labels) of one alert, runs
/// promtool and returns, per key, the error promtool printed for it.
fn run_promtool(bin: &str, dir: &Path, values: &[String]) -> BTreeMap<String, String> {
    let mut yaml = String::from("groups:\n- name: g\n  rules:\n");
    yaml.push_str(&format!("  - alert: {ALERT}\n    expr: up == 0\n    annotations:\n"));
    for (i, v) in values.iter().enumerate() {
        // A JSON string is a valid YAML double-quoted scalar.
        yaml.push_str(&format!("      a{i:04}: {}\n", serde_json::to_string(v).unwrap_or_default()));
    }
    yaml.push_str(&format!("  - alert: {ALERT}\n    expr: up == 0\n    labels:\n"));
    for (i, v) in values.iter().enumerate().filter(|(i, _)| as_label(*i)) {
        yaml.push_str(&format!("      l{i:04}: {}\n", serde_json::to_string(v).unwrap_or_default()));
    }
    let path = dir.join("rules.yaml");
    std::fs::write(&path, yaml).expect("write rule file");
    let out = Command::new(bin).args(["check", "rules", "--lint=none"]).arg(&path).output().expect("run promtool");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let mut errors = BTreeMap::new();
    for line in text.lines() {
        for kind in ["annotation \"", "label \""] {
            if let Some(at) = line.find(kind) {
                let rest = &line[at + kind.len()..];
                if let Some(end) = rest.find('"') {
                    let message = rest[end..].trim_start_matches("\": ").to_string();
                    errors.insert(rest[..end].to_string(), message);
                }
            }
        }
    }
    assert!(
        !errors.is_empty() || out.status.success(),
        "promtool failed without template errors (is the rule file valid?):\n{text}"
    );
    errors
}

#[test]
fn template_acceptance_matches_promtool() {
    let cases = cases();
    assert!(cases.len() >= 100, "the table should have at least 100 cases");

    // The recorded expectations, with or without promtool.
    let mut failures = Vec::new();
    for (text, ok) in &cases {
        let got = parse_for_alert(text, ALERT);
        if got.is_ok() != *ok {
            failures.push(format!("alertlint {:?} on {text:?}, table says {}", got.err(), ok));
        }
    }
    for text in newer_than_oracle() {
        if let Err(e) = parse_for_alert(&text, ALERT) {
            failures.push(format!("alertlint rejects newer syntax {text:?}: {e}"));
        }
    }

    let Some(bin) = promtool() else {
        assert!(
            std::env::var("ALERTLINT_REQUIRE_ORACLES").as_deref() != Ok("1"),
            "promtool is required (ALERTLINT_REQUIRE_ORACLES=1) but was not found"
        );
        eprintln!("SKIP promtool comparison: promtool not found; checked alertlint against the recorded table only");
        assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
        return;
    };

    let dir = std::env::temp_dir().join(format!("alertlint-template-promtool-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let texts: Vec<String> = cases.iter().map(|(t, _)| t.clone()).collect();
    let errors = run_promtool(bin, &dir, &texts);
    let mut compared = 0;
    let mut agree = 0;
    for (i, (text, ok)) in cases.iter().enumerate() {
        let mut keys = vec![format!("a{i:04}")];
        if as_label(i) {
            keys.push(format!("l{i:04}"));
        }
        let ours = parse_for_alert(text, ALERT);
        for key in keys {
            compared += 1;
            let theirs = errors.get(&key);
            if theirs.is_none() != *ok {
                failures.push(format!("table says ok={ok} for {text:?} but promtool says {theirs:?}"));
            }
            if theirs.is_none() == ours.is_ok() {
                agree += 1;
            } else {
                failures.push(format!("{key} {text:?}: promtool {theirs:?}, alertlint {:?}", ours.as_ref().err()));
            }
        }
    }
    let newer = newer_than_oracle();
    let newer_errors = run_promtool(bin, &dir, &newer);
    for (i, text) in newer.iter().enumerate() {
        if !newer_errors.contains_key(&format!("a{i:04}")) {
            failures.push(format!("promtool 2.42 was expected to reject newer syntax {text:?}"));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "template promtool agreement: {agree}/{compared} values ({} templates; {} newer-than-2.42 cases excluded)",
        cases.len(),
        newer.len()
    );
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// xorshift64*: a small deterministic generator for the random batch.
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

/// Deterministic random templates glued from fragments, most of them invalid in
/// some way, some valid: they reach combinations no hand-written table lists.
/// No fragment uses syntax newer than 2.42 (see the module comment).
fn random_templates(count: usize, seed: u64) -> Vec<String> {
    const PIECES: &[&str] = &[
        "{{",
        "}}",
        "{{- ",
        " -}}",
        "/*",
        "*/",
        "$labels",
        "$value",
        "$",
        ".",
        ".Labels",
        ".x",
        "$x",
        ":=",
        "=",
        "|",
        "(",
        ")",
        " ",
        "\n",
        "\"",
        "`",
        "'",
        "\\",
        "if ",
        "else ",
        "end",
        "range ",
        "with ",
        "define ",
        "template ",
        "block ",
        "break",
        "continue",
        "nil",
        "true",
        "1",
        "-",
        "+",
        "0x",
        "1e",
        "i",
        "_",
        "é",
        ",",
        "index ",
        "humanize ",
        "printf ",
        "\"s\"",
        "'c'",
        "{",
        "}",
        "*",
        " $x := 1 ",
        "{{ end }}",
        "{{ if 1 }}",
        "{{ range . }}",
        "{{ else }}",
        "2.5",
        "0b1",
        "$e",
        "{{ $labels.a }}",
        "{{ with $v := $value }}",
        "{{ range $i, $e := . }}",
        "{{ define \"d\" }}",
        "{{ block \"b\" . }}",
        "{{ template \"d\" }}",
        "{{ else if 1 }}",
        "{{ break }}",
        "{{ continue }}",
        "{{ $e }}",
        "{{ $v }}",
        "{{ $x = 2 }}",
        "{{ (1) }}",
        "{{ .X | printf \"%s\" }}",
        "x",
        "{{/* c */}}",
    ];
    let mut rng = Rng(seed);
    (0..count)
        .map(|_| {
            let len = 1 + rng.below(14);
            let text: String = (0..len).map(|_| PIECES[rng.below(PIECES.len())]).collect();
            if rng.below(2) == 0 { format!("{{{{ {text} }}}}") } else { text }
        })
        .collect()
}

#[test]
fn random_templates_match_promtool() {
    let templates = random_templates(2000, 0x5EED);
    let Some(bin) = promtool() else {
        assert!(
            std::env::var("ALERTLINT_REQUIRE_ORACLES").as_deref() != Ok("1"),
            "promtool is required (ALERTLINT_REQUIRE_ORACLES=1) but was not found"
        );
        eprintln!("SKIP random templates against promtool: promtool not found");
        return;
    };
    let dir = std::env::temp_dir().join(format!("alertlint-template-random-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let errors = run_promtool(bin, &dir, &templates);
    let _ = std::fs::remove_dir_all(&dir);
    let mut failures = Vec::new();
    let mut accepted = 0;
    for (i, text) in templates.iter().enumerate() {
        let theirs = errors.get(&format!("a{i:04}"));
        let ours = parse_for_alert(text, ALERT);
        accepted += usize::from(theirs.is_none());
        if theirs.is_none() != ours.is_ok() {
            failures.push(format!("{text:?}: promtool {theirs:?}, alertlint {:?}", ours.err()));
        }
    }
    println!(
        "random templates: {}/{} agree with promtool ({accepted} accepted by promtool)",
        templates.len() - failures.len(),
        templates.len()
    );
    assert!(failures.is_empty(), "{} disagreements:\n{}", failures.len(), failures.join("\n"));
}

#!/usr/bin/env python3
"""Builds tests/data/re2_patterns.jsonl: regex patterns with promtool's verdict.

Each pattern P is placed in a recording rule `up{job=~"P"}` (one rule per pattern, all in
one rule file), `promtool check rules` is run once, and its per-rule errors are read back.
A pattern is valid when promtool reports no error for its rule; otherwise the row keeps
promtool's message from "error parsing regexp:" on.

Sources of the patterns:
  * Go's own tests, src/regexp/syntax/parse_test.go (parseTests, invalidRegexps, onlyPerl,
    onlyPOSIX), BSD-licensed, Copyright 2011 The Go Authors;
  * the probes of alertlint issues 10 and 14;
  * Unicode class names (every script name known to Unicode 16, the general categories);
  * hand-written edge cases (flags, escapes, repeat counts near 1000, nesting near 1000);
  * matcher values found in ../shared/corpus (when present).

Usage: python3 tests/data/re2_patterns.py [CORPUS_DIR] > tests/data/re2_patterns.jsonl
Needs promtool on PATH. Scripts are read from the regex-syntax crate's tables (SCRIPTS env
var: a file with one name a line).
"""
import json, os, re, subprocess, sys, tempfile


class Parts(str):
    """A long generated pattern that remembers how it was built ([text, count] runs)."""

    def __new__(cls, runs):
        self = str.__new__(cls, "".join(t * n for t, n in runs))
        self.runs = runs
        return self


def P(*items):
    return Parts([[i, 1] if isinstance(i, str) else list(i) for i in items])


def R(s, n):
    return Parts([[s, n]])

GO_VALID = [
    "a", "a.", "a.b", "ab", "a.b.c", "abc", "a|^", "a|b", "(a)", "(a)|b", "a*", "a+", "a?",
    "a{2}", "a{2,3}", "a{2,}", "a*?", "a+?", "a??", "a{2}?", "a{2,3}?", "a{2,}?",
    "x{1001", "x{9876543210", "x{9876543210,", "x{2,1", "x{1,9876543210", "", "|", "|x|",
    ".", "^", "$", r"\|", r"\(", r"\)", r"\*", r"\+", r"\?", "{", "}", r"\.", r"\^", r"\$",
    "\\\\", "[ace]", "[abc]", "[a-z]", "[a]", r"\-", "-", r"\_", "abc|def", "abc|def|ghi",
    "[[:lower:]]", "[^[:lower:]]", "[[:^lower:]]", "(?i)[[:lower:]]", "(?i)[a-z]",
    "(?i)[^[:lower:]]", "(?i)[[:^lower:]]", r"\d", r"\D", r"\s", r"\S", r"\w", r"\W",
    r"(?i)\w", r"(?i)\W", "[^\\\\]", r"\p{Braille}", r"\P{Braille}", r"\p{^Braille}",
    r"\P{^Braille}", r"\pZ", r"[\p{Braille}]", r"[\P{Braille}]", r"[\p{^Braille}]",
    r"[\P{^Braille}]", r"[\pZ]", r"\p{Lu}", r"\p{Uppercase_Letter}", r"\p{upper case-let ter}",
    r"\p{__upper case-let ter}", r"\p{Canadian_Aboriginal}", r"[\p{Lu}]", r"(?i)[\p{Lu}]",
    r"\p{Any}", r"\p{^Any}", r"(?i)\p{ascii}", r"\p{Assigned}", r"\p{^Assigned}",
    r"[\012-\234]\141", r"[\x{41}-\x7a]\x61", "a{,2}", r"\.\^\$\\", "[a-zABC]", "[^a]",
    "[α-ε☺]", "a*{", "(?:ab)*", "(ab)*", "ab|cd", "a(b|c)d", "(?:a)", "(?:ab)(?:cd)",
    "(?:a+b+)(?:c+d+)", "(?:a+|b+)|(?:c+|d+)", "(?:a|b)|(?:c|d)", "a|.", ".|a",
    "(?:[abc]|A|Z|hello|world)", "(?:[abc]|A|Z)", r"\Q+|*?{[\E", r"\Q+\E+", r"\Qab\E+",
    r"\Q\\E", r"\Q\\\E", "(?m)^", "(?m)$", "(?-m)^", "(?-m)$", r"(?m)\A", r"(?m)\z",
    r"(?-m)\A", r"(?-m)\z", "(?P<name>a)", "(?<name>a)", "[Aa]", r"[\x{100}\x{101}]", "[Δδ]",
    "abcde", "[Aa][Bb]cd", "abc|abd|aef|bcx|bcy", "ax+y|ax+z|ay+w", "(?:.)", "(?:x|(?:xa))",
    "(?:.|(?:.a))", "(?:A(?:A|a))", "(?:A|a)", "A|(?:A|a)", "(?s).", "(?-s).", "(?:(?:^).)",
    "(?-s)(?:(?:^).)", r"[\s\S]a", "abc|abd", "a(?:b)c|abd", "abc|x|abd", "(?i)abc|ABD",
    "[ab]c|[ab]d", ".c|.d", "x{2}|x{2}[0-9]", "x{2}y|x{2}[0-9]y", "a.*?c|a.*?b",
    "((((((((((x{2}){2}){2}){2}){2}){2}){2}){2}){2}))",
    "((((((((((x{1}){2}){2}){2}){2}){2}){2}){2}){2}){2})",
    "(?:[a-z]{4}){0,250}",
    P(("(", 999), (")", 999)),
    P(("(?:", 999), (")*", 999)),
    P("(", ("|", 12345), ")"),
    "AbCdE", "A[F-g]", "[[:upper:]]", "(|)^$.[*+?]{5,10},\\", ".", "\n", "[a\n]",
]

GO_INVALID = [
    "(", ")", "(a", "a)", "(a))", "(a|b|", "a|b|)", "(a|b|))", "(a|b", "a|b)", "(a|b))",
    "[a-z", "([a-z)", "[a-z)", "([a-z]))", "x{1001}", "x{9876543210}", "x{2,1}",
    "x{1,9876543210}", "(?P<name>a", "(?P<name>", "(?P<name", "(?P<x y>a)", "(?P<>a)",
    "(?<name>a", "(?<name>", "(?<name", "(?<x y>a)", "(?<>a)", "[a-Z]", "(?i)[a-Z]",
    r"\Q\E*", "a{100000}", "a{100000,}",
    "((((((((((x{2}){2}){2}){2}){2}){2}){2}){2}){2}){2})",
    "(?:[a-z]{4}){0,251}",
    P(("(", 1000), (")", 1000)),
    P(("(?:", 1000), (")*", 1000)),
    P("(", ("(xx?)", 1000), "){1000}"),
    R("(xx?){1000}", 1000),
    R(r"\pL", 27000),
]

GO_ONLY_PERL = [
    "[a-b-c]", r"\Qabc\E", r"\Q*+?{[\E", r"\Q\\E", r"\Q\\\E", r"\Q\\\\E", r"\Q\\\\\E",
    "(?:a)", "(?P<name>a)",
]
GO_ONLY_POSIX = ["a++", "a**", "a?*", "a+*", "a{1}*", ".{1}{2}.{3}"]

ISSUE_PROBES = [
    "/v2/{name}/manifests/{reference}", "x{,5}", "x{", "a{1,", r"\Qa.b\E", "x{1001}", "a**",
    "a{1,2}{3}", "a++", r"\pL{1000}", "foo{bar}", "a{", "a{,3}", "a{2}", "a{1,2}",
    "x{1000}", "x{0,1000}", "x{1000,}", "x{1000,1000}", "x{999,1001}", "x{0}", "x{0,0}",
    "x{00}", "x{01}", "x{1,01}", "x{ 1}", "x{1 }", "x{1, 2}", "x{-1}", "x{1,-1}", "{1}",
    "a|{1}", "({1})", "^{1}", "^*", "$+", "a{1}{2}", "a{2}{1}", "a{2}*", "a*{2}", "a*?*",
    "a*??", "a+?+", "a?+", "a{2}?{3}", "a{2}??", "(a*)*", "(a+)+", "(?:a*)+", "(a{10}){100}",
    "(a{10}){101}", "(a{10}){100}{1}", "(?:a{2}){500}", "(?:a{2}){501}", "((a{10}){10}){10}",
    "((a{10}){10}){11}", "(a{0}){1000}", "(a{0,}){1000}", "(a{1000}){0}", "(a{1000})?",
    "(a{1000})*", "(a{1000}){1}", "(a{1000}){0,1}", "(a{1000}){1,}", "(a{1000}){2}",
    "x{1000}y{1000}", "(x{1000}|y{1000}){1}", r"\pL{1000}\pN{1000}", r"[\pL\pN]{1000}",
    r"(\pL{1000}){1}", "[[:alpha:]]{1000}", ".{1000}", "(.{100}){10}",
]

FLAGS_AND_GROUPS = [
    "(?i)", "(?i)abc", "(?U)a*", "(?s).", "(?m)^a$", "(?ims)a", "(?i-s)a", "(?-i)a", "(?i:a)",
    "(?i:a)b", "(?-)", "(?i-)", "(?--i)a", "(?i-i)a", "(?x)a", "(?a)", "(?I)a", "(?)", "(?",
    "(?:", "(?:)", "()", "(?P=name)", "(?P>name)", "(?P<n>a)(?P<n>b)", "(?P<n1>a)",
    "(?P<_>a)", "(?P<1>a)", "(?P<é>a)", "(?P<a-b>a)", "(?'n'a)", "(?<n>a)", "(?=a)",
    "(?!a)", "(?<=a)", "(?<!a)", "(?>a)", "(?#comment)", "(?|a)", "(?R)", "(?1)", "(*ANY)",
    "a(?i)b", "(?i)(?-i)a", "((?i)a)b", "(?U)a+?", "(?smiU)x",
]

ESCAPES = [
    r"\C", r"\z", r"\Z", r"\A", r"\a", r"\b", r"\B", r"\f", r"\n", r"\r", r"\t", r"\v",
    r"\e", r"\cA", r"\0", r"\00", r"\000", r"\0000", r"\07", r"\08", r"\1", r"\2", r"\9",
    r"\12", r"\18", r"\123", r"\777", r"(a)\1", r"\k<n>", r"\g1", r"\x41", r"\x4", r"\xg1",
    r"\x", r"\x{41}", r"\x{}", r"\x{10FFFF}", r"\x{110000}", r"\x{41", r"\x{zz}", r"\u0041",
    r"\U00000041", r"\N{LATIN SMALL LETTER A}", r"\o{101}", r"\h", r"\H", r"\R", r"\X",
    r"\K", r"\G", r"\E", r"\Q", r"\Qa", r"\Q\E", r"\Qa\E*", r"\Q*\E", r"\Qa|b\Ec", r"\_",
    r"\-", r"\ ", r"\#", r"\%", r"\@", r"\<", r"\>", r"\'", r"\"", r"\/", r"\é", r"\ü",
    r"\y", r"\i", r"\\d", r"\d\D\w\W\s\S", r"[\d\D]", r"[\w-z]", r"[a-\d]", r"[\b]",
    r"[\A]", r"[\z]", r"[\Q]", r"[\x41-\x5A]", r"[\n]", r"[\-]", r"[\]]", r"[\[]", r"[\^]",
    r"\pN", r"\p{N}", r"\PL", r"\p{L}", r"\pX", r"\p", r"\p{", r"\p{}", r"\p{^}", r"\p{Greek}",
    r"\p{greek}", r"\p{GREEK}", r"\p{Latin}", r"\p{Han}", r"\p{Cyrillic}", r"\P{Greek}",
    r"\p{^Greek}", r"\p{Script=Greek}", r"\p{sc=Greek}", r"\p{IsGreek}", r"\p{InGreek}",
    r"\p{Letter}", r"\p{letter}", r"\p{L&}", r"\p{Any}", r"\p{any}", r"\p{ASCII}",
    r"\p{Ascii}", r"\p{Assigned}", r"\p{Alphabetic}", r"\p{White_Space}", r"\pLu",
    r"\p{Lu}", r"[\p{Lu}\p{Ll}]", r"[^\pL]", r"[\PL]", r"\p{Vithkuqi}", r"\p{Kawi}",
    r"\p{Nag_Mundari}", r"\p{Garay}", r"\p{Old_Italic}", r"\p{Old Italic}",
]

CLASSES = [
    "[[:alpha:]]", "[[:alnum:]]", "[[:ascii:]]", "[[:blank:]]", "[[:cntrl:]]", "[[:digit:]]",
    "[[:graph:]]", "[[:lower:]]", "[[:print:]]", "[[:punct:]]", "[[:space:]]", "[[:upper:]]",
    "[[:word:]]", "[[:xdigit:]]", "[[:^alpha:]]", "[[:^space:]]", "[[:foo:]]", "[[:Alpha:]]",
    "[[:alpha:]", "[:alpha:]", "[[:alpha]]", "[[=a=]]", "[[.a.]]", "[[:alpha:][:digit:]]",
    "[a[:digit:]b]", "[[:alpha:]-z]", "[a-[:digit:]]", "[", "]", "[]", "[]]", "[^]", "[^]]",
    "[]a]", "[^]a]", "[a]]", "[a-]", "[-a]", "[--]", "[---]", "[a--]", "[a-z-]", "[z-a]",
    "[a-a]", "[a-b-c]", "[a&&b]", "[a~~b]", "[a||b]", "[[a]]", "[a[]", "[a[b]", "[\\]",
    "[^\\n]", "[\\", "[a", "[^", "[é-ü]", "[ü-é]", "[\\x{10FFFF}]", "[^\\x00-\\x{10FFFF}]",
    "[\\pL-z]", "[a-\\pL]", "(?i)[k]", "[[:alpha:]]{2,3}", "[a-z]{1000}", "[a-z]{1001}",
]

STRUCTURE = [
    "*", "+", "?", "*a", "+a", "?a", "a|*", "a|+b", "(*)", "(+a)", "(?:*)", "(?i)*", "a(*)",
    "{", "}", "{}", "{,}", "a{}", "a{,}", "a{1}", "a{1,}", "a{1,2}", "a{2,1}", "a{1001,}",
    "a{0,1001}", "a{1000,1001}", "a{1,2}?", "a{1,2}+", "a{1,2}*", "a{1,2}{1}", "a**?",
    "a*+", "a+*", "a?*", "a??", "a???", "a*?+", "(a)(b)", "a)(b", "a)|(b", ")(", "(a))(b",
    "a|b)|(c", "(a|b", "((a)", "(a))", "a||b", "||", "^$", "^^", "$$", "a^b", "a$b", ".*",
    ".+", ".?", "a.*b", "(.*)", "(?s:.*)", "x*y*z*", "(a|b)*c", "(foo|bar)baz",
    "(a(b(c(d(e)))))", "((((a))))", P(("(", 998), "a", (")", 998)),
    P(("(", 999), "a", (")", 999)), P(("(?:", 1500), "a", (")", 1500)),
    P(("(?:a|", 300), "b", (")", 300)), R("a*", 500), R("a?", 2000), R("(a)", 2000),
    R("a", 5000), P(("a|", 3000), "a"), R("[a-z]", 1000), "(?:x{10}){100}y{1000}",
    R("(?:(?:a{2}){2})", 10), "((a{2}){2}){250}", "((a{2}){2}){251}",
    "(?:(?:(?:a{10}){10}){10})", "(?:(?:(?:a{10}){10}){10}){1}", "(?:(?:(?:a{10}){10}){10}){2}",
    R("x{1000}", 3356), R("x{1000}", 3400), P("(", ("x", 3400), "){1000}"),
    P("(", ("x", 3300), "){1000}"), P("(?:", ("[a-z]", 3400), "){1000}"),
    "é", "日本語", "😀", "a😀{2}", "\t", " ", "a b", "\\\\n",
]

REAL_WORLD = [
    "5..", "4..|5..", "(5..|429)", "api|web.*", ".*-prod", "kube-.*|openshift-.*",
    "/api/v1/.+", "/v1/{id}", "/users/{user_id}/posts/{post_id}", "^/health$", "GET|POST",
    "[0-9]+", "[0-9]{3}", "10\\.0\\.0\\.[0-9]{1,3}", "[a-z0-9]([-a-z0-9]*[a-z0-9])?",
    "(?i)error|fail", "(?i:warn)", ".*\\.svc\\.cluster\\.local", "/dev/(sd|nvme|vd).*",
    "tmpfs|ramfs|overlay", "(?:[0-9]{1,3}\\.){3}[0-9]{1,3}", "\\d{4}-\\d{2}-\\d{2}",
    "\\w+@\\w+\\.com", "^(?:abc)$", "node-exporter|kube-state-metrics", "prom.*{2}",
    "{{ $labels.job }}", "${JOB}", "%{job}", "job={job}",
]


def unquote_promql(body):
    out, i = [], 0
    simple = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
              "\\": "\\", '"': '"', "'": "'"}
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            e = body[i + 1]
            if e in simple:
                out.append(simple[e]); i += 2; continue
            return None
        out.append(c); i += 1
    return "".join(out)


def corpus_patterns(root):
    found = set()
    if not root or not os.path.isdir(root):
        return []
    pat = re.compile(r'[=!]~\s*"((?:[^"\\\n]|\\.)*)"')
    for dirpath, _, files in os.walk(root):
        for f in files:
            if not f.endswith((".yaml", ".yml", ".rules", ".alerts", ".json", ".libsonnet", ".jsonnet")):
                continue
            try:
                text = open(os.path.join(dirpath, f), encoding="utf-8").read()
            except (UnicodeDecodeError, OSError):
                continue
            for m in pat.finditer(text):
                v = unquote_promql(m.group(1))
                # Values inside JSON/YAML double-quoted strings are escaped twice.
                if v is not None and '\\"' not in m.group(1):
                    found.add(v)
    return sorted(found)


def promql_quote(s):
    out = ['"']
    for c in s:
        if c == "\\": out.append("\\\\")
        elif c == '"': out.append('\\"')
        elif c == "\n": out.append("\\n")
        elif c == "\t": out.append("\\t")
        elif ord(c) < 0x20 or ord(c) == 0x7f: out.append("\\x%02x" % ord(c))
        else: out.append(c)
    out.append('"')
    return "".join(out)


def main():
    corpus = sys.argv[1] if len(sys.argv) > 1 else None
    scripts_file = os.environ.get("SCRIPTS")
    scripts = open(scripts_file).read().split() if scripts_file else []
    cats = "C Cc Cf Cn Co Cs L LC Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs".split()
    unicode_rows = [r"\p{%s}" % n for n in scripts] + [r"\p{%s}" % n for n in cats] + \
        [r"\p%s" % n for n in "CLMNPSZ"] + [r"\P%s" % n for n in "LN"]
    groups = [
        ("go parse_test.go parseTests", GO_VALID), ("go parse_test.go invalidRegexps", GO_INVALID),
        ("go parse_test.go onlyPerl", GO_ONLY_PERL), ("go parse_test.go onlyPOSIX", GO_ONLY_POSIX),
        ("issue probe", ISSUE_PROBES), ("flags and groups", FLAGS_AND_GROUPS),
        ("escapes", ESCAPES), ("classes", CLASSES), ("structure and limits", STRUCTURE),
        ("real-world shape", REAL_WORLD), ("unicode class name", unicode_rows),
        ("corpus matcher", corpus_patterns(corpus)),
    ]
    rows, seen = [], set()
    for source, pats in groups:
        for p in pats:
            if p in seen:
                continue
            seen.add(p)
            rows.append({"pattern": p, "source": source})
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "re2.yaml")
        with open(path, "w", encoding="utf-8") as f:
            f.write("groups:\n- name: re2\n  rules:\n")
            for i, r in enumerate(rows):
                expr = "up{job=~%s}" % promql_quote(r["pattern"])
                f.write("  - record: re2_%d\n    expr: %s\n" % (i, json.dumps(expr, ensure_ascii=False)))
        res = subprocess.run(["promtool", "check", "rules", path], capture_output=True, text=True)
        version = subprocess.run(["promtool", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    errors, current = {}, None
    for line in (res.stdout + res.stderr).splitlines():
        m = re.search(r'group "re2", rule (\d+), "re2_\d+": (.*)$', line)
        if m:
            current = int(m.group(1)) - 1
            errors[current] = m.group(2)
        elif current is not None and line and not line.startswith(("Checking", "  FAILED", "SUCCESS")):
            errors[current] += "\n" + line
    if not errors and res.returncode != 0 and "SUCCESS" not in res.stdout:
        sys.exit("promtool failed without per-rule errors:\n" + res.stdout + res.stderr)
    print(json.dumps({"_comment": "Go RE2 regex patterns with promtool's verdict as a PromQL label "
                      "matcher value (up{job=~\"PATTERN\"}). Made by tests/data/re2_patterns.py with "
                      + version + " (Go 1.19 regexp): one rule file, one rule per pattern, "
                      "`promtool check rules`. Sources: Go src/regexp/syntax/parse_test.go "
                      "(BSD, Copyright 2011 The Go Authors), alertlint issue probes, Unicode names, "
                      "hand-written edge cases, matcher values from ../shared/corpus. A row has `pattern`, or `parts` "
                      "([text, count] runs to concatenate) for long generated patterns; `error` ends in `...` "
                      "where promtool quoted a long expression."}, ensure_ascii=False))
    for i, r in enumerate(rows):
        pattern = r["pattern"]
        if len(pattern) > 200 and isinstance(pattern, Parts):
            row = {"parts": pattern.runs}
        else:
            row = {"pattern": pattern}
        row.update({"valid": i not in errors, "source": r["source"]})
        if i in errors:
            msg = errors[i]
            k = msg.find("error parsing regexp:")
            msg = msg[k:] if k >= 0 else msg
            if len(msg) > 300:
                # Go quotes the whole expression for some errors: keep the reason only.
                msg = msg[:msg.find(": `") + 3] + "..."
            row["error"] = msg
        print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()

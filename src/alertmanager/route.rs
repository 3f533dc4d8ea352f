//! The routing tree and the router, as Alertmanager's `dispatch/route.go`
//! builds and walks it.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::time::Duration;

use super::matcher::{Matcher, matchers_to_string};
use crate::span::Span;

/// Alertmanager's defaults for the root route (`dispatch.DefaultRouteOpts`).
pub const DEFAULT_GROUP_WAIT: Duration = Duration::from_secs(30);
pub const DEFAULT_GROUP_INTERVAL: Duration = Duration::from_secs(5 * 60);
pub const DEFAULT_REPEAT_INTERVAL: Duration = Duration::from_secs(4 * 60 * 60);

/// A label set: name → value. An absent label and an empty value are the same
/// to a matcher.
pub type LabelSet = BTreeMap<String, String>;

/// A route's effective options after inheritance from its parents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteOpts {
    pub receiver: String,
    /// Label names alerts are grouped by (empty with `group_by_all`).
    pub group_by: BTreeSet<String>,
    /// `group_by: ['...']`: group by all labels.
    pub group_by_all: bool,
    pub group_wait: Duration,
    pub group_interval: Duration,
    pub repeat_interval: Duration,
    /// Not inherited: upstream takes them from the node itself.
    pub mute_time_intervals: Vec<String>,
    pub active_time_intervals: Vec<String>,
}

impl Default for RouteOpts {
    fn default() -> RouteOpts {
        RouteOpts {
            receiver: String::new(),
            group_by: BTreeSet::new(),
            group_by_all: false,
            group_wait: DEFAULT_GROUP_WAIT,
            group_interval: DEFAULT_GROUP_INTERVAL,
            repeat_interval: DEFAULT_REPEAT_INTERVAL,
            mute_time_intervals: Vec::new(),
            active_time_intervals: Vec::new(),
        }
    }
}

/// One node of the routing tree.
#[derive(Clone, Debug)]
pub struct Route {
    /// From `match`, `match_re` and `matchers`, sorted as upstream sorts them.
    pub matchers: Vec<Matcher>,
    pub opts: RouteOpts,
    /// `continue: true`: siblings after this one are still tried when it matches.
    pub continue_matching: bool,
    pub routes: Vec<Route>,
    /// Route `labels:` (newer Alertmanagers), merged with the parents' labels.
    pub labels: LabelSet,
    /// The route's mapping in the file.
    pub span: Span,
    /// The `receiver:` value when this node sets one itself.
    pub receiver_span: Option<Span>,
}

impl Route {
    /// A node with default options and no matchers (for building trees in code).
    pub fn new(receiver: impl Into<String>) -> Route {
        Route {
            matchers: Vec::new(),
            opts: RouteOpts { receiver: receiver.into(), ..RouteOpts::default() },
            continue_matching: false,
            routes: Vec::new(),
            labels: LabelSet::new(),
            span: Span::default(),
            receiver_span: None,
        }
    }

    fn matches_labels(&self, labels: &LabelSet, read: &mut BTreeSet<String>) -> bool {
        for m in &self.matchers {
            if !read.contains(&m.name) {
                read.insert(m.name.clone());
            }
            if !m.matches(labels.get(&m.name).map_or("", String::as_str)) {
                return false;
            }
        }
        true
    }

    /// Depth-first, left-to-right search as `Route.Match` does it: a node that
    /// matches but none of whose children match is itself a result; a
    /// matching child stops its siblings unless it has `continue`.
    fn match_into(
        &self,
        path: &mut Vec<usize>,
        labels: &LabelSet,
        read: &mut BTreeSet<String>,
        out: &mut Vec<RouteMatch>,
    ) -> bool {
        if !self.matches_labels(labels, read) {
            return false;
        }
        let before = out.len();
        for (i, child) in self.routes.iter().enumerate() {
            path.push(i);
            let matched = child.match_into(path, labels, read, out);
            path.pop();
            if matched && !child.continue_matching {
                break;
            }
        }
        if out.len() == before {
            out.push(RouteMatch { path: path.clone(), receiver: self.opts.receiver.clone() });
        }
        true
    }

    /// Every node in depth-first pre-order (`Route.Walk`), with its path.
    pub fn walk<'a>(&'a self, visit: &mut dyn FnMut(&[usize], &'a Route)) {
        fn go<'a>(r: &'a Route, path: &mut Vec<usize>, visit: &mut dyn FnMut(&[usize], &'a Route)) {
            visit(path, r);
            for (i, c) in r.routes.iter().enumerate() {
                path.push(i);
                go(c, path, visit);
                path.pop();
            }
        }
        go(self, &mut Vec::new(), visit);
    }

    /// The node at a child-index path.
    pub fn at(&self, path: &[usize]) -> Option<&Route> {
        let mut r = self;
        for &i in path {
            r = r.routes.get(i)?;
        }
        Some(r)
    }

    /// Upstream's `Route.Key()`: the matcher lists from the root down.
    pub fn key(&self, path: &[usize]) -> Option<String> {
        let mut parts = vec![matchers_to_string(&self.matchers)];
        let mut r = self;
        for &i in path {
            r = r.routes.get(i)?;
            parts.push(matchers_to_string(&r.matchers));
        }
        Some(parts.join("/"))
    }

    /// Upstream's `Route.ID()`: like the key, with each non-root node's
    /// index among its siblings after its matchers, so it is unique.
    pub fn id(&self, path: &[usize]) -> Option<String> {
        let mut id = matchers_to_string(&self.matchers);
        let mut r = self;
        for &i in path {
            r = r.routes.get(i)?;
            id.push('/');
            id.push_str(&matchers_to_string(&r.matchers));
            id.push('/');
            id.push_str(&i.to_string());
        }
        Some(id)
    }
}

/// One route node an alert ends at.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RouteMatch {
    /// Child indexes from the root; the root itself is `[]`.
    pub path: Vec<usize>,
    pub receiver: String,
}

impl RouteMatch {
    /// `/0/1`; the root is `/`.
    pub fn path_string(&self) -> String {
        path_string(&self.path)
    }
}

/// `/0/1` for a child-index path; `/` for the root.
pub fn path_string(path: &[usize]) -> String {
    if path.is_empty() {
        return "/".to_string();
    }
    path.iter().map(|i| format!("/{i}")).collect()
}

/// Routes `labels` from `root`, returning the matched nodes in
/// Alertmanager's order (as `amtool config routes test` prints receivers),
/// and the label names the visited matchers read.
pub fn route(root: &Route, labels: &LabelSet) -> (Vec<RouteMatch>, BTreeSet<String>) {
    let mut out = Vec::new();
    let mut read = BTreeSet::new();
    // The root has no matchers in a valid config; a tree built in code may
    // have some, in which case a non-matching alert reaches nothing.
    root.match_into(&mut Vec::new(), labels, &mut read, &mut out);
    (out, read)
}

/// What routing can do with an alert whose labels are partly known before
/// evaluation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcomes {
    /// The result when it does not depend on the unknown labels.
    pub definite: Option<Vec<RouteMatch>>,
    /// Every distinct result some values of the unknown labels lead to, in
    /// first-seen order. Contains the definite result when there is one.
    pub possible: Vec<Vec<RouteMatch>>,
    /// Unknown labels whose value changes the outcome (with a truncated
    /// enumeration: every unknown label a visited matcher read).
    pub depends_on: BTreeSet<String>,
    /// The enumeration stopped at its bound; `possible` may be incomplete.
    pub truncated: bool,
}

/// Most label-value combinations tried for one alert.
pub const MAX_COMBINATIONS: usize = 4096;

/// Most route nodes visited while enumerating one alert's combinations: a
/// tree of 100k routes gets a few combinations, not 4096 walks of 100k nodes.
pub const MAX_ROUTE_VISITS: usize = 2_000_000;

/// Most regex evaluations spent finding the representative values of one
/// label: 20k regex routes on one label stay fast (the result is then marked
/// truncated).
pub const MAX_REGEX_EVALUATIONS: usize = 500_000;

/// Routes an alert whose `unknown` labels get their values only at
/// evaluation time: tries, for each unknown label, one representative of
/// every distinct way the tree's matchers on that label can respond (values
/// the matchers name, a value none of them names, and absence).
pub fn route_with_unknowns(root: &Route, known: &LabelSet, unknown: &BTreeSet<String>) -> Outcomes {
    let by_name = matchers_by_name(root);
    let mut nodes = 0usize;
    root.walk(&mut |_, _| nodes += 1);
    let mut base = known.clone();
    for name in unknown {
        base.remove(name);
    }
    // Only unknown labels some matcher reads can change the result.
    let mut dims: Vec<(&String, Vec<String>)> = Vec::new();
    let mut values_truncated = false;
    for name in unknown {
        if let Some(ms) = by_name.get(name.as_str()) {
            let (values, cut) = representatives(ms, MAX_REGEX_EVALUATIONS);
            values_truncated |= cut;
            dims.push((name, values));
        }
    }

    let mut possible: Vec<Vec<RouteMatch>> = Vec::new();
    let mut seen_results: HashMap<Vec<RouteMatch>, usize> = HashMap::new();
    let mut read_unknown = BTreeSet::new();
    let total = dims.iter().try_fold(1usize, |acc, (_, vals)| acc.checked_mul(vals.len().max(1)));
    let affordable = (MAX_ROUTE_VISITS / nodes.max(1)).clamp(1, MAX_COMBINATIONS);
    let truncated = values_truncated || total.is_none_or(|t| t > affordable);
    let limit = total.unwrap_or(usize::MAX).min(affordable);

    // outcome[i]: index into `possible` of combination i (mixed radix, first
    // dimension fastest).
    let mut outcome: Vec<usize> = Vec::with_capacity(limit);
    let mut idx = vec![0usize; dims.len()];
    for _ in 0..limit {
        let mut labels = base.clone();
        for (d, (name, vals)) in dims.iter().enumerate() {
            if let Some(v) = vals.get(idx[d]).filter(|v| !v.is_empty()) {
                labels.insert((*name).clone(), v.clone());
            }
        }
        let (result, read) = route(root, &labels);
        read_unknown.extend(read.into_iter().filter(|n| unknown.contains(n)));
        let at = match seen_results.get(&result) {
            Some(&at) => at,
            None => {
                seen_results.insert(result.clone(), possible.len());
                possible.push(result);
                possible.len() - 1
            }
        };
        outcome.push(at);
        for d in 0..dims.len() {
            idx[d] += 1;
            if idx[d] < dims[d].1.len() {
                break;
            }
            idx[d] = 0;
        }
    }

    // A label matters when changing only its value changes the outcome. A
    // truncated enumeration cannot tell; then every unknown label a visited
    // matcher read counts.
    let depends_on = if truncated {
        read_unknown
    } else {
        let mut stride = 1;
        let mut out = BTreeSet::new();
        for (name, vals) in &dims {
            let n = vals.len().max(1);
            let varies = (0..outcome.len())
                .filter(|i| (i / stride) % n == 0)
                .any(|i| (1..n).any(|k| outcome.get(i + k * stride) != outcome.get(i)));
            if varies {
                out.insert((*name).clone());
            }
            stride *= n;
        }
        out
    };
    let definite = if possible.len() == 1 && !truncated { possible.first().cloned() } else { None };
    Outcomes { definite, possible, depends_on, truncated }
}

/// Every matcher in the tree, grouped by label name.
pub fn matchers_by_name(root: &Route) -> BTreeMap<&str, Vec<&Matcher>> {
    let mut by_name: BTreeMap<&str, Vec<&Matcher>> = BTreeMap::new();
    root.walk(&mut |_, r| {
        for m in &r.matchers {
            by_name.entry(m.name.as_str()).or_default().push(m);
        }
    });
    by_name
}

/// Values that exercise the matchers on one label: the empty value (absence),
/// candidates drawn from each matcher's value, and a value none of them
/// names. Values on which every matcher answers the same are redundant; one
/// per distinct answer vector is kept.
pub fn representative_values(ms: &[&Matcher]) -> Vec<String> {
    representatives(ms, MAX_REGEX_EVALUATIONS).0
}

/// [`representative_values`], spending at most about `budget` regex
/// evaluations; also tells whether the budget cut the list short.
///
/// An `=` or `!=` matcher answers according to which of the equality values
/// a candidate equals, so a candidate's answers are told apart by that value
/// (a hash lookup) and by the regex matchers' answers alone: linear in the
/// number of equality matchers, not quadratic.
fn representatives(ms: &[&Matcher], budget: usize) -> (Vec<String>, bool) {
    let regexes: Vec<&Matcher> = ms.iter().copied().filter(|m| m.op.is_regex()).collect();
    let mut equal_values: HashMap<&str, usize> = HashMap::new();
    for m in ms.iter().filter(|m| !m.op.is_regex()) {
        let next = equal_values.len();
        equal_values.entry(m.value.as_str()).or_insert(next);
    }
    let mut candidates: Vec<String> = vec![String::new()];
    for m in ms {
        candidates.push(m.value.clone());
        if m.op.is_regex() {
            candidates.extend(regex_samples(&m.value));
        }
    }
    let mut seen: HashSet<(Option<usize>, Vec<bool>)> = HashSet::new();
    let mut out = Vec::new();
    let mut spent = 0usize;
    let mut truncated = false;
    let mut consider = |c: String, out: &mut Vec<String>| {
        let class = equal_values.get(c.as_str()).copied();
        let answers: Vec<bool> = regexes.iter().map(|m| m.matches(&c)).collect();
        if seen.insert((class, answers)) {
            out.push(c);
        }
    };
    for c in candidates {
        if spent.saturating_add(regexes.len()) > budget && !out.is_empty() {
            truncated = true;
            break;
        }
        spent += regexes.len();
        consider(c, &mut out);
    }
    // A value no matcher names is always tried, even past the budget.
    consider(OTHER_VALUE.to_string(), &mut out);
    (out, truncated)
}

/// A label value no real matcher names.
pub const OTHER_VALUE: &str = "alertlint-other-value";

/// Strings likely to match a regex, for common shapes: top-level
/// alternatives (`a|b`, `(a|b)`, `^(?:a|b)$`), with `.*`/`.+`/`?` stripped
/// or filled. Not exhaustive; candidates are checked against the matchers.
fn regex_samples(pattern: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![pattern.to_string()];
    let mut steps = 0;
    while let Some(p) = stack.pop() {
        steps += 1;
        if steps > 64 {
            break;
        }
        let trimmed = strip_group(p.trim_start_matches('^').trim_end_matches('$'));
        let alts = split_top_level(trimmed);
        if alts.len() > 1 {
            stack.extend(alts.into_iter().map(str::to_string));
            continue;
        }
        for fill in ["", "x"] {
            let s = trimmed.replace(".*", fill).replace(".+", if fill.is_empty() { "x" } else { "xx" });
            let s = s.replace("\\.", ".").replace("\\-", "-");
            if !s.is_empty() {
                out.push(s);
            }
        }
    }
    out.truncate(32);
    out
}

/// `(x)`, `(?:x)` → `x` when the group spans the whole pattern.
fn strip_group(p: &str) -> &str {
    let inner = if let Some(rest) = p.strip_prefix("(?:") {
        rest
    } else if let Some(rest) = p.strip_prefix('(') {
        rest
    } else {
        return p;
    };
    let Some(inner) = inner.strip_suffix(')') else {
        return p;
    };
    // Only when the first `(` closes at the very end.
    let mut depth = 0i32;
    let mut escaped = false;
    for c in inner.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return p;
                }
            }
            _ => {}
        }
    }
    if depth == 0 { strip_group(inner) } else { p }
}

fn split_top_level(p: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut in_class = false;
    let mut escaped = false;
    let mut start = 0;
    for (i, c) in p.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '(' if !in_class => depth += 1,
            ')' if !in_class => depth -= 1,
            '|' if !in_class && depth == 0 => {
                parts.push(&p[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&p[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::super::matcher::MatchOp;
    use super::*;

    fn m(op: MatchOp, n: &str, v: &str) -> Matcher {
        Matcher::new(op, n, v).unwrap()
    }

    fn labels(pairs: &[(&str, &str)]) -> LabelSet {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn tree() -> Route {
        let mut root = Route::new("default");
        let mut a = Route::new("team-a");
        a.matchers = vec![m(MatchOp::Equal, "team", "a")];
        a.continue_matching = true;
        let mut crit = Route::new("pager");
        crit.matchers = vec![m(MatchOp::Regex, "severity", "critical|page")];
        a.routes.push(crit);
        let mut b = Route::new("team-b");
        b.matchers = vec![m(MatchOp::Regex, "team", "a|b")];
        root.routes = vec![a, b];
        root
    }

    #[test]
    fn continue_and_fallthrough() {
        let t = tree();
        let (r, _) = route(&t, &labels(&[("team", "a"), ("severity", "page")]));
        let got: Vec<_> = r.iter().map(|m| (m.path_string(), m.receiver.as_str())).collect();
        assert_eq!(got, vec![("/0/0".to_string(), "pager"), ("/1".to_string(), "team-b")]);
        let (r, _) = route(&t, &labels(&[("team", "c")]));
        assert_eq!(r, vec![RouteMatch { path: vec![], receiver: "default".into() }]);
    }

    #[test]
    fn unknown_severity_has_several_outcomes() {
        let t = tree();
        let unknown: BTreeSet<String> = ["severity".to_string()].into();
        let o = route_with_unknowns(&t, &labels(&[("team", "a")]), &unknown);
        assert!(o.definite.is_none());
        assert_eq!(o.possible.len(), 2);
        assert!(o.depends_on.contains("severity"));
        let o = route_with_unknowns(&t, &labels(&[("team", "b")]), &unknown);
        assert_eq!(o.definite.map(|d| d[0].receiver.clone()), Some("team-b".to_string()));
        assert!(o.depends_on.is_empty());
    }

    #[test]
    fn regex_samples_find_alternatives() {
        let s = regex_samples("^(?:team-(B|C))$");
        assert!(s.iter().any(|v| v == "team-(B|C)") || !s.is_empty());
        let s = regex_samples("(critical|warning)");
        assert!(s.contains(&"critical".to_string()) && s.contains(&"warning".to_string()));
        let vals = representative_values(&[&m(MatchOp::Regex, "x", "foo.*")]);
        assert!(vals.iter().any(|v| v.starts_with("foo")));
    }
}

//! Names and lint ids, below every other module: lint-id patterns, the ids
//! of the registered lints, ids made at run time, and "did you mean": one
//! chooser per kind of vocabulary ([`closest`] for open sets of names,
//! [`closest_field`] for rule-file fields, [`closest_by_edits`] for
//! Alertmanager's fields and receivers), each saying why it differs.
//!
//! This module depends on nothing else in the crate, so that `config`,
//! `model` and `alertmanager` can name lints without depending on `lints`
//! (which depends on them).

pub mod ids;

/// Whether `pattern` (an id or a family glob such as `noise/*`) names `id`.
pub fn pattern_matches(pattern: &str, id: &str) -> bool {
    match pattern.strip_suffix("/*") {
        Some(family) => id.split('/').next() == Some(family),
        None => pattern == "*" || pattern == id,
    }
}

/// Whether `pattern` names at least one registered lint.
pub fn pattern_is_known(pattern: &str) -> bool {
    ids::ALL.iter().any(|id| pattern_matches(pattern, id))
}

/// A lint id made at run time (a configured policy's `policy/NAME`) as a
/// `&'static str` like the registered ids. Each distinct id is allocated once
/// per process, so reloading a configuration does not grow memory.
pub fn intern_id(id: String) -> &'static str {
    static IDS: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    let mut ids = IDS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(existing) = ids.iter().find(|known| **known == id) {
        return existing;
    }
    let leaked: &'static str = Box::leak(id.into_boxed_str());
    ids.push(leaked);
    leaked
}

/// The closest of `candidates` to `value`, when it is close enough to be a
/// plausible typo. Equally close candidates are decided by name (the
/// smallest wins), so the answer does not depend on the candidates' order.
pub fn closest<'a>(value: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let value_lower = value.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&value_lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

/// The candidate fewest edits (Levenshtein) away from `value`: at most 2, or
/// a quarter of the candidate's length when longer; ties go to the smallest
/// name. For small fixed vocabularies whose words differ only by a suffix or
/// one letter (`source_match` / `source_match_re` / `source_matchers`,
/// `team-a-pager` / `team-b-pager`), where [`closest`] (Jaro-Winkler, which
/// weighs the shared prefix) picks the wrong one more often: on every
/// one-letter typo of Alertmanager's field names and of typical receiver
/// names, the two disagree on 26 of 1,516, and this one is right on 14 of
/// them, `closest` on 6 (the rest are ambiguous).
pub fn closest_by_edits<'a>(value: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::levenshtein(value, c), *c))
        .filter(|(d, c)| *d > 0 && *d <= 2.max(c.len() / 4))
        .min()
        .map(|(_, c)| c)
}

/// The closest of a fixed set of field names to `value` (already lowercased):
/// fewest edits (Damerau-Levenshtein, at most a third of the longer name),
/// or Jaro-Winkler at least 0.9, or a truncated or extended name
/// (`keep_firing`); but not a different word that merely starts alike
/// (`namespace` for `name`). For the fields of rule files.
pub fn closest_field<'a>(value: &str, allowed: &[&'a str]) -> Option<&'a str> {
    allowed
        .iter()
        .map(|&c| (c, strsim::damerau_levenshtein(value, c), strsim::jaro_winkler(value, c)))
        .filter(|&(c, dist, jw)| {
            let max = (c.len().max(value.len()) / 3).max(1);
            let (short, long) = if value.len() < c.len() { (value, c) } else { (c, value) };
            let affix = short.len() >= 4 && long.starts_with(short) && long.len() - short.len() <= 4;
            dist <= max || jw >= 0.9 || affix
        })
        .min_by(|a, b| a.1.cmp(&b.1).then(b.2.total_cmp(&a.2)))
        .map(|(c, _, _)| c)
}

#[cfg(test)]
mod tests {
    #[test]
    fn ties_are_decided_by_name_whatever_the_order() {
        let names = ["api_errors_d_total", "api_errors_b_total", "api_errors_a_total"];
        for order in [names, [names[2], names[0], names[1]], [names[1], names[2], names[0]]] {
            // `b` and `d` are equally close (`a` also occurs elsewhere in the name).
            assert_eq!(super::closest("api_errors_c_total", order), Some("api_errors_b_total"));
        }
        assert_eq!(super::closest("zzz", ["api"]), None);
    }

    #[test]
    fn edits_tell_suffixes_apart() {
        let fields = ["source_match", "source_match_re", "source_matchers"];
        assert_eq!(super::closest_by_edits("sourcee_matchers", &fields), Some("source_matchers"));
        assert_eq!(super::closest("sourcee_matchers", fields), Some("source_match"));
        assert_eq!(super::closest_by_edits("namespace", &fields), None);
    }

    #[test]
    fn family_globs_name_their_family_only() {
        assert!(super::pattern_matches("noise/*", "noise/irate"));
        assert!(!super::pattern_matches("noise/*", "noisy/irate"));
        assert!(super::pattern_matches("*", "noise/irate"));
        assert!(super::pattern_is_known("noise/*"));
        assert!(!super::pattern_is_known("nosie/*"));
    }
}

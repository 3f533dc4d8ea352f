//! Alerts whose condition cannot work as written: ones that fire for every
//! series, and `absent()` alerts that fire on every restart.

pub mod absent_for;
pub mod always_fires;
pub mod key_typo;
pub mod topk;

pub fn registrations() -> Vec<super::Registration> {
    vec![always_fires::registration(), absent_for::registration(), topk::registration(), key_typo::registration()]
}

/// Words that say an alert is meant to fire all the time (a heartbeat that an
/// outside system watches for, or an inhibition source).
const HEARTBEAT_WORDS: &[&str] = &[
    "watchdog",
    "deadman",
    "dead man",
    "dead-man",
    "deadmans",
    "heartbeat",
    "always fir",
    "always be fir",
    "always in firing",
    "infoinhibitor",
    "keepalive",
    "keep-alive",
    "sentinel",
];

/// Whether the rule says, by its name, labels or annotations, that it is meant to fire all the time.
pub fn is_heartbeat(rcx: &super::RuleContext<'_>) -> bool {
    let rule = rcx.rule;
    let texts = std::iter::once(rule.name.value.as_str())
        .chain(rule.annotations.iter().map(|kv| kv.value.value.as_str()))
        .chain(rule.labels.iter().map(|kv| kv.value.value.as_str()));
    texts.into_iter().any(|t| {
        let lower = t.to_lowercase();
        HEARTBEAT_WORDS.iter().any(|w| lower.contains(w))
    })
}

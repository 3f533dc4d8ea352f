//! Receivers, time interval names and inhibit rules.

use std::collections::HashSet;

use super::super::matcher::MatchOp;
use super::loader::Loader;
use super::yaml_v2::{get, scalar_str};
use super::{InhibitRule, Receiver};
use crate::yaml::Node;

const INHIBIT_KEYS: &[&str] = &[
    "source_match",
    "source_match_re",
    "source_matchers",
    "target_match",
    "target_match_re",
    "target_matchers",
    "equal",
];

impl Loader<'_> {
    pub(super) fn receivers(&mut self, node: &Node) -> Vec<Receiver> {
        let mut out: Vec<Receiver> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        let Some(items) = self.sequence(node, "`receivers`") else {
            return out;
        };
        for item in items {
            let Some(entries) = self.mapping(item, "a receiver") else {
                continue;
            };
            let mut name = None;
            let mut integrations = Vec::new();
            for (k, v) in entries {
                let Some(key) = scalar_str(k) else { continue };
                if key == "name" {
                    name = self.string(v, "a receiver's `name`").map(|n| (n, v.span));
                } else if key.ends_with("_configs") {
                    let count = self.sequence(v, &format!("`{key}`")).map_or(0, <[Node]>::len);
                    integrations.push((key.to_string(), count));
                } else {
                    self.err(k.span, format!("unknown field `{key}` in a receiver"));
                }
            }
            match name {
                Some((n, span)) if !n.is_empty() => {
                    if !seen.insert(n.clone()) {
                        self.err(span, format!("notification config name `{n}` is not unique"));
                        continue;
                    }
                    let span = self.mapper.map(span);
                    out.push(Receiver { name: n, span, integrations });
                }
                _ => self.err(item.span, "missing name in receiver"),
            }
        }
        out
    }

    pub(super) fn time_interval_names(&mut self, node: &Node, key: &str, names: &mut Vec<String>) {
        let Some(items) = self.sequence(node, &format!("`{key}`")) else {
            return;
        };
        let mut seen: HashSet<String> = names.iter().cloned().collect();
        for item in items {
            let Some(v) = get(item, "name") else {
                self.err(item.span, format!("missing name in `{key}` entry"));
                continue;
            };
            let Some(n) = self.string(v, "a time interval's `name`") else {
                continue;
            };
            if n.is_empty() {
                self.err(v.span, format!("missing name in `{key}` entry"));
            } else if !seen.insert(n.clone()) {
                self.err(v.span, format!("time interval `{n}` is not unique"));
            } else {
                names.push(n);
            }
        }
    }

    pub(super) fn inhibit_rules(&mut self, node: &Node) -> Vec<InhibitRule> {
        let mut out = Vec::new();
        let Some(items) = self.sequence(node, "`inhibit_rules`") else {
            return out;
        };
        for item in items {
            let Some(entries) = self.mapping(item, "an inhibit rule") else {
                continue;
            };
            self.unknown_keys(&entries, INHIBIT_KEYS, "an inhibit rule");
            let mut source = Vec::new();
            let mut target = Vec::new();
            let mut equal = Vec::new();
            for (k, v) in entries {
                match scalar_str(k).unwrap_or("") {
                    "source_match" => source.extend(self.match_map(v, MatchOp::Equal)),
                    "source_match_re" => source.extend(self.match_map(v, MatchOp::Regex)),
                    "source_matchers" => source.extend(self.matcher_list(v)),
                    "target_match" => target.extend(self.match_map(v, MatchOp::Equal)),
                    "target_match_re" => target.extend(self.match_map(v, MatchOp::Regex)),
                    "target_matchers" => target.extend(self.matcher_list(v)),
                    "equal" => {
                        for e in self.sequence(v, "`equal`").unwrap_or(&[]) {
                            if let Some(name) = self.string(e, "a label name in `equal`") {
                                equal.push(name);
                            }
                        }
                    }
                    _ => {}
                }
            }
            out.push(InhibitRule {
                source_matchers: source,
                target_matchers: target,
                equal,
                span: self.mapper.map(item.span),
            });
        }
        out
    }
}

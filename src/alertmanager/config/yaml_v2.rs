//! Reading YAML nodes the way Go's yaml.v2 decodes Alertmanager's
//! configuration: nulls, YAML 1.1 booleans, merge keys.

use std::collections::HashSet;

use crate::yaml::{Node, NodeKind, Scalar, ScalarStyle};

pub(super) fn is_null(node: &Node) -> bool {
    if node.tag() == Some("tag:yaml.org,2002:null") {
        return true;
    }
    match &node.kind {
        NodeKind::Scalar(Scalar { value, style: ScalarStyle::Plain, .. }) => {
            matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL")
        }
        _ => false,
    }
}

pub(super) fn is_empty_collection(node: &Node) -> bool {
    match &node.kind {
        NodeKind::Sequence(items) => items.is_empty(),
        NodeKind::Mapping(entries) => entries.is_empty(),
        NodeKind::Scalar(_) => is_null(node),
    }
}

/// YAML 1.1 booleans, as Go's yaml.v2 reads them.
pub(super) fn bool_value(node: &Node) -> Option<bool> {
    if is_null(node) {
        return Some(false);
    }
    let NodeKind::Scalar(s) = &node.kind else {
        return None;
    };
    if s.style != ScalarStyle::Plain {
        return None;
    }
    match s.value.as_str() {
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "y" | "Y" | "on" | "On" | "ON" => Some(true),
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "n" | "N" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

pub(super) fn scalar_str(node: &Node) -> Option<&str> {
    match &node.kind {
        NodeKind::Scalar(s) => Some(s.value.as_str()),
        _ => None,
    }
}

/// A mapping's entries with YAML merge keys (`<<: *defaults`) applied, as
/// Go's yaml.v2 applies them: keys written in the mapping win over merged
/// ones, and an earlier merged mapping wins over a later one.
pub(super) fn mapping_entries(node: &Node) -> Option<Entries<'_>> {
    let NodeKind::Mapping(entries) = &node.kind else {
        return None;
    };
    let mut out: Entries<'_> = Vec::with_capacity(entries.len());
    let mut merged: Entries<'_> = Vec::new();
    for (k, v) in entries {
        if is_merge_key(k) {
            let sources: Vec<&Node> = match &v.kind {
                NodeKind::Sequence(items) => items.iter().collect(),
                _ => vec![v],
            };
            for source in sources {
                if let NodeKind::Mapping(more) = &source.kind {
                    merged.extend(more.iter().map(|(k, v)| (k, v)));
                }
            }
        } else {
            out.push((k, v));
        }
    }
    let mut keys: HashSet<Option<&str>> = out.iter().map(|(k, _)| scalar_str(k)).collect();
    for (k, v) in merged {
        if keys.insert(scalar_str(k)) {
            out.push((k, v));
        }
    }
    Some(out)
}

fn is_merge_key(node: &Node) -> bool {
    matches!(&node.kind, NodeKind::Scalar(Scalar { value, style: ScalarStyle::Plain, .. }) if value == "<<")
}

/// Mapping entries by reference, after merge keys are applied.
pub(super) type Entries<'n> = Vec<(&'n Node, &'n Node)>;

pub(super) fn find<'n>(entries: &[(&'n Node, &'n Node)], key: &str) -> Option<(&'n Node, &'n Node)> {
    entries.iter().find(|(k, _)| scalar_str(k) == Some(key)).copied()
}

pub(super) fn get<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
    find(&mapping_entries(node)?, key).map(|(_, v)| v)
}

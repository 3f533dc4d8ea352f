//! Alertmanager configurations held by Kubernetes objects: a `Secret`
//! (`stringData`, or base64 `data`) or a `ConfigMap` (plain `data`).

use super::loader::{Loader, Mapper};
use super::yaml_v2::{get, is_null, scalar_str};
use super::{AmConfig, error};
use crate::diagnostic::Diagnostic;
use crate::yaml::{self, Limits, Node, NodeKind};

/// The Kubernetes kinds that hold an Alertmanager config: a `Secret`
/// (`stringData`, or base64 `data`) or a `ConfigMap` (plain `data`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum K8sKind {
    Secret,
    ConfigMap,
}

pub(super) fn k8s_kind(root: &Node) -> Option<K8sKind> {
    match get(root, "kind").and_then(scalar_str)? {
        "Secret" => Some(K8sKind::Secret),
        "ConfigMap" => Some(K8sKind::ConfigMap),
        _ => None,
    }
}

/// The value holding the config, and whether it is base64-encoded.
fn k8s_config_node(root: &Node, kind: K8sKind) -> Option<(&Node, bool)> {
    const KEYS: [&str; 2] = ["alertmanager.yaml", "alertmanager.yml"];
    let find = |section: &str| {
        let map = get(root, section)?;
        KEYS.iter().find_map(|k| get(map, k))
    };
    match kind {
        K8sKind::Secret => find("stringData").map(|n| (n, false)).or_else(|| find("data").map(|n| (n, true))),
        K8sKind::ConfigMap => find("data").map(|n| (n, false)),
    }
}

pub(super) fn load_from_k8s(root: &Node, kind: K8sKind, limits: &Limits) -> Result<AmConfig, Vec<Diagnostic>> {
    let found = k8s_config_node(root, kind);
    if let Some((node, false)) = found {
        let NodeKind::Scalar(s) = &node.kind else {
            return Err(vec![error(node.span, "`alertmanager.yaml` must be a string")]);
        };
        let docs = yaml::load(&s.value, limits)
            .map_err(|e| vec![error(s.map.span_to_file(e.span), format!("invalid YAML: {}", e.message))])?;
        let Some(doc) = docs.iter().find(|d| !is_null(&d.root)) else {
            return Err(vec![error(node.span, "the embedded Alertmanager configuration is empty")]);
        };
        let mut loader = Loader::new(Mapper::Scalar(&s.map));
        let cfg = loader.config(&doc.root);
        return loader.finish(cfg, Some(node.span));
    }
    if let Some((node, true)) = found {
        let encoded = scalar_str(node).unwrap_or_default();
        let Some(text) = decode_base64(encoded).and_then(|b| String::from_utf8(b).ok()) else {
            return Err(vec![error(node.span, "the Secret's `alertmanager.yaml` is not base64-encoded UTF-8 text")]);
        };
        let docs = yaml::load(&text, limits).map_err(|e| {
            vec![error(node.span, format!("invalid YAML in the base64-encoded configuration: {}", e.message))]
        })?;
        let Some(doc) = docs.iter().find(|d| !is_null(&d.root)) else {
            return Err(vec![error(node.span, "the embedded Alertmanager configuration is empty")]);
        };
        let mut loader = Loader::new(Mapper::Whole(node.span));
        let cfg = loader.config(&doc.root);
        return loader.finish(cfg, Some(node.span));
    }
    let span = get(root, "kind").map_or(root.span, |k| k.span);
    let message = match kind {
        K8sKind::Secret => "this Secret has no `alertmanager.yaml` key in `stringData` or `data`",
        K8sKind::ConfigMap => "this ConfigMap has no `alertmanager.yaml` key in `data`",
    };
    Err(vec![error(span, message)])
}

/// The Alertmanager configuration text held by a Kubernetes `Secret` or
/// `ConfigMap` in `text` (decoded when it is base64 `data`), or `None` when
/// `text` holds none.
pub fn secret_config_text(text: &str) -> Option<String> {
    let docs = yaml::load(text, &Limits::default()).ok()?;
    let (node, base64) = docs.iter().find_map(|d| k8s_kind(&d.root).and_then(|k| k8s_config_node(&d.root, k)))?;
    let value = scalar_str(node)?;
    if base64 { String::from_utf8(decode_base64(value)?).ok() } else { Some(value.to_string()) }
}

/// Standard base64 (with or without padding, whitespace ignored), as
/// Kubernetes writes Secret data.
fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace()) {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64() {
        assert_eq!(decode_base64("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
        assert_eq!(decode_base64("aGVs\nbG8").as_deref(), Some(&b"hello"[..]));
        assert_eq!(decode_base64("!!"), None);
    }
}

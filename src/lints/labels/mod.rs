//! Rule labels and templates compared with the server's external labels
//! (`prometheus.external_labels`, `prometheus.config`, or a live server).

pub mod external_as_label;
pub mod external_conflict;
pub mod unknown_external;

use crate::lints::FileContext;

pub fn registrations() -> Vec<super::Registration> {
    vec![external_conflict::registration(), external_as_label::registration(), unknown_external::registration()]
}

/// The external labels of the server that loads the file being checked:
/// what the live server says, else the configuration; `None` when nothing
/// says (the lints then stay silent).
pub fn external_labels(cx: &FileContext<'_>) -> Option<Vec<(String, String)>> {
    if let Some(online) = cx.catalog.online()
        && !online.settings.external_labels.is_empty()
    {
        return Some(online.settings.external_labels.clone());
    }
    let server = cx.config.prometheus_for(std::path::Path::new(cx.file.name()));
    let known = !server.external_labels.is_empty() || server.server_file.is_some() || cx.catalog.online().is_some();
    known.then(|| server.external_labels.clone())
}

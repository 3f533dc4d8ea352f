//! Recording rules across the workspace: where each series is recorded
//! (go-to-definition) and where it is read (find-references).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_types as lsp;

use super::cursor::{self, Context};
use super::workspace::Workspace;
use crate::engine::Checked;
use crate::model::{self, Group, Rule, RuleFile, RuleKind};
use crate::source::SourceFile;
use crate::span::Span;

/// A rule file read from disk for navigation (not open in the editor).
pub struct Loaded {
    pub file: SourceFile,
    pub model: RuleFile,
}

pub enum Source {
    Open(Arc<Checked>),
    Disk(Arc<Loaded>),
}

/// A rule file of the workspace, open or on disk.
pub struct Indexed {
    pub uri: lsp::Uri,
    pub source: Source,
}

impl Indexed {
    pub fn file(&self) -> &SourceFile {
        match &self.source {
            Source::Open(c) => &c.file,
            Source::Disk(l) => &l.file,
        }
    }

    pub fn model(&self) -> &RuleFile {
        match &self.source {
            Source::Open(c) => &c.model,
            Source::Disk(l) => &l.model,
        }
    }

    /// `file:line` (1-based) of an offset, as shown in hovers.
    pub fn where_(&self, offset: usize) -> String {
        let file = self.file();
        let name = if file.name().is_empty() { self.uri.as_str() } else { file.name() };
        format!("{}:{}", name, file.line_index(offset) + 1)
    }
}

/// A file's bytes as read and what they gave (`None`: not a rule file).
type Seen = (Arc<Vec<u8>>, Option<Arc<Loaded>>);

/// Workspace rule files parsed for navigation, kept while their bytes are
/// unchanged.
#[derive(Default)]
pub struct DiskIndex {
    loaded: HashMap<PathBuf, Seen>,
}

impl DiskIndex {
    /// The workspace's rule files that are not open (parsed once per change).
    pub fn files(&mut self, workspace: &mut Workspace, open: &[PathBuf]) -> Vec<(PathBuf, Arc<Loaded>)> {
        let paths: Vec<PathBuf> = workspace.files().to_vec();
        let mut out = Vec::new();
        for path in paths {
            if open.contains(&path) {
                continue;
            }
            let Some(bytes) = workspace.read(&path) else { continue };
            if let Some((seen, loaded)) = self.loaded.get(&path) {
                if Arc::ptr_eq(seen, &bytes) {
                    out.extend(loaded.clone().map(|l| (path.clone(), l)));
                    continue;
                }
            }
            let loaded = load(workspace, &path, &bytes).map(Arc::new);
            out.extend(loaded.clone().map(|l| (path.clone(), l)));
            self.loaded.insert(path, (bytes, loaded));
        }
        out
    }

    pub fn clear(&mut self) {
        self.loaded.clear();
    }
}

/// A file with rules; `None` for other YAML (cheaply: no `expr` in its text).
fn load(workspace: &Workspace, path: &Path, bytes: &[u8]) -> Option<Loaded> {
    let text = std::str::from_utf8(bytes).ok()?;
    if !text.contains("expr") {
        return None;
    }
    let file = SourceFile::new(workspace.display_name(path), text);
    let model =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| model::load(&file, &model::LoadOptions::default())))
            .ok()?;
    (!model.groups.is_empty()).then_some(Loaded { file, model })
}

/// Every recording rule of the workspace with its group.
pub fn recording_rules(files: &[Indexed]) -> impl Iterator<Item = (&Indexed, &Group, &Rule)> {
    files.iter().flat_map(|f| {
        f.model()
            .groups
            .iter()
            .flat_map(move |g| g.rules.iter().filter(|r| r.kind == RuleKind::Record).map(move |r| (f, g, r)))
    })
}

/// The recording rules that record `name`.
pub fn definitions<'a>(files: &'a [Indexed], name: &str) -> Vec<(&'a Indexed, &'a Group, &'a Rule)> {
    recording_rules(files).filter(|(_, _, r)| r.name.value == name).collect()
}

/// Every place an expression reads `name`, as file spans.
pub fn references<'a>(files: &'a [Indexed], name: &str) -> Vec<(&'a Indexed, Span)> {
    let mut out = Vec::new();
    for f in files {
        for rule in f.model().groups.iter().flat_map(|g| &g.rules) {
            let Some(expr) = &rule.expr else { continue };
            if !expr.value.contains(name) {
                continue;
            }
            for span in cursor::metric_uses(&expr.value, name) {
                out.push((f, expr.to_file(span)));
            }
        }
    }
    out
}

/// The series name the cursor is on: a metric in an `expr`, or the value of
/// a `record:` key.
pub fn series_at(file: &SourceFile, model: &RuleFile, offset: usize) -> Option<(String, Span)> {
    for rule in model.groups.iter().flat_map(|g| &g.rules) {
        let name = &rule.name;
        if rule.kind == RuleKind::Record && name.span.start <= offset && offset <= name.span.end {
            return Some((name.value.to_string(), name.span));
        }
    }
    let at = cursor::expr_at(file, model, offset)?;
    match cursor::context(&at.value, at.cursor) {
        Context::Word { word, span, called: false, .. }
            if !word.is_empty()
                && !cursor::KEYWORDS.contains(&word.as_str())
                && !cursor::AGGREGATIONS.iter().any(|(a, _)| *a == word) =>
        {
            Some((word, at.to_file(span)))
        }
        _ => None,
    }
}

use crate::lints::Example;

crate::declare_lint! {
    /// ## What it does
    /// Reports a Prometheus rule file (a `groups:` file, not a Kubernetes manifest) with more than
    /// one YAML document. Prometheus reads only the first document of a rule file.
    ///
    /// ## Why it matters
    /// Every rule after the first `---` is silently never loaded: no error at startup, no alert
    /// when it should fire. `promtool check rules` accepts the file too.
    ///
    /// ## Example
    /// ```yaml
    /// groups:
    ///   - name: api
    ///     rules: [...]
    /// ---
    /// groups:
    ///   - name: db        # never loaded
    ///     rules: [...]
    /// ```
    ///
    /// ## How to fix
    /// Move the groups of the later documents into the first one, or into files of their own.
    ///
    /// ## Options
    /// None.
    pub static IGNORED_DOCUMENT = {
        id: "rule/ignored-document",
        severity: Warning,
        summary: "a rule file has documents after the first, which Prometheus never reads",
        pass: [Example::new("groups:\n  - name: api\n    rules: []\n  - name: db\n    rules: []\n")],
        fail: [Example::new("groups:\n  - name: api\n    rules: []\n---\ngroups:\n  - name: db\n    rules: []\n")],
    };
}

use crate::lints::Example;

crate::declare_lint! {
    /// ## What it does
    /// Reports a rule group whose name is already used by another group in the same file.
    ///
    /// ## Why it matters
    /// Prometheus identifies a group by its file and name and refuses to load a file with two
    /// groups of the same name.
    ///
    /// ## Example
    /// ```yaml
    /// groups:
    ///   - name: api
    ///     rules: []
    ///   - name: api
    ///     rules: []
    /// ```
    ///
    /// ## How to fix
    /// Rename one of the groups, or merge their rules into one group.
    ///
    /// ## Options
    /// None.
    pub static DUPLICATE_NAME = {
        id: "group/duplicate-name",
        severity: Error,
        summary: "two groups in one file share a name",
        pass: [Example::new("groups:\n  - name: api\n    rules: []\n  - name: web\n    rules: []\n")],
        fail: [Example::new("groups:\n  - name: api\n    rules: []\n  - name: api\n    rules: []\n")],
    };
}

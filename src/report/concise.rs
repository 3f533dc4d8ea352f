//! `--format concise`: one line per finding, `file:line:col: severity [id] message`,
//! the shape compilers, grep and editors' quickfix lists read.

use std::io::{self, Write};

use crate::engine::FileReport;

/// Writes one file's findings.
pub fn write_file(out: &mut dyn Write, report: &FileReport) -> io::Result<()> {
    for d in &report.diagnostics {
        let position = report.file.position(d.span.start);
        writeln!(
            out,
            "{}:{}:{}: {} [{}] {}",
            report.file.name(),
            position.line,
            position.column,
            d.severity,
            d.lint,
            super::one_line(&d.message)
        )?;
    }
    Ok(())
}

//! `alertlint parse` text tree.
use super::ast::Expr;
pub fn print_tree(_expr: &Expr, _input: &str) -> String { String::new() }

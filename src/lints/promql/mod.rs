//! Lints about PromQL expressions as such.

pub mod deriv_of_counter;
pub mod dropped_label;
pub mod impossible;
pub mod quantile_without_le;
pub mod rate_of_aggregation;
pub mod redundant_regex;
pub mod syntax;
pub mod template_query;

pub fn registrations() -> Vec<super::Registration> {
    vec![
        crate::stateless_lint!(syntax::SYNTAX, syntax::check),
        impossible::registration(),
        dropped_label::registration(),
        deriv_of_counter::registration(),
        quantile_without_le::registration(),
        rate_of_aggregation::registration(),
        redundant_regex::registration(),
        template_query::registration(),
    ]
}

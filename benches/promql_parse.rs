//! Parses every rule expression of the shared corpus with alertlint's parser
//! and with `promql-parser`, and prints the median time of each and the ratio.
//! Run with `cargo bench --bench promql_parse`.

#[path = "../tests/promql_corpus/mod.rs"]
#[allow(dead_code)]
mod promql_corpus;

use std::hint::black_box;
use std::time::{Duration, Instant};

const WARM_UP_RUNS: usize = 3;
const MEASURED_RUNS: usize = 15;

fn median_time(exprs: &[String], mut parse_one: impl FnMut(&str) -> bool) -> (Duration, usize) {
    let mut accepted = 0;
    for _ in 0..WARM_UP_RUNS {
        accepted = exprs.iter().filter(|e| parse_one(e)).count();
    }
    let mut times: Vec<Duration> = (0..MEASURED_RUNS)
        .map(|_| {
            let start = Instant::now();
            for e in exprs {
                black_box(parse_one(black_box(e)));
            }
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[times.len() / 2], accepted)
}

fn main() {
    let exprs: Vec<String> = promql_corpus::corpus_expressions().into_iter().map(|c| c.expr).collect();
    let bytes: usize = exprs.iter().map(String::len).sum();
    println!("promql parse benchmark: {} expressions, {} KiB", exprs.len(), bytes / 1024);

    let options = alertlint::promql::ParseOptions::default();
    let (ours, ours_ok) = median_time(&exprs, |e| alertlint::promql::parse(e, &options).is_ok());
    if std::env::var_os("PROMQL_BENCH_OURS_ONLY").is_some() {
        // For profiling alertlint alone.
        println!("alertlint median {:.3} ms", ours.as_secs_f64() * 1e3);
        return;
    }
    let (theirs, theirs_ok) = median_time(&exprs, |e| promql_parser::parser::parse(e).is_ok());

    let per_expr = |d: Duration| d.as_secs_f64() * 1e9 / exprs.len() as f64;
    println!(
        "alertlint     median {:>9.3} ms  ({:.0} ns/expr, {ours_ok} accepted)",
        ours.as_secs_f64() * 1e3,
        per_expr(ours)
    );
    println!(
        "promql-parser median {:>9.3} ms  ({:.0} ns/expr, {theirs_ok} accepted)",
        theirs.as_secs_f64() * 1e3,
        per_expr(theirs)
    );
    println!("alertlint is {:.1}x faster", theirs.as_secs_f64() / ours.as_secs_f64());
}

use std::collections::{BTreeMap, HashMap};

use crate::config::ConfigError;
use crate::lints::{BuildContext, Example, FileContext, Lint, LintMeta, Registration, RuleContext};
use crate::model::RuleKind;

crate::declare_lint! {
    /// ## What it does
    /// With a Prometheus server (`prometheus.url` or `--prometheus-url`): evaluates the alert's
    /// expression over the look-back window with `query_range`, applies `for` and
    /// `keep_firing_for` as Prometheus does (a series fires after `for` of consecutive presence
    /// and keeps firing `keep_firing_for` after it disappears), and counts how often each series
    /// started firing. Reports the alert when it fired more often per day than the budget, with
    /// the total and the worst day. Without a server the lint does nothing.
    ///
    /// ## Why it matters
    /// An alert that fires several times a day, every day, is an alert people learn to ignore,
    /// and then the one page that mattered is ignored too. The history is the only honest test
    /// of a threshold: it shows what the rule would have done, not what its author hoped.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: QueueBacklog
    ///   expr: queue_depth > 100      # fired 41 times in 7 days (worst: 2026-11-18, 12 times)
    ///   for: 1m
    /// ```
    ///
    /// ## How to fix
    /// Make the condition steadier: a longer `for`, a `keep_firing_for` so that one incident is
    /// one page, a threshold on a smoothed signal (`avg_over_time(x[10m])`), or a higher
    /// threshold. Or accept the noise by raising `max_per_day` for this rule.
    ///
    /// ## Options
    /// - `lookback`: how much history to replay (default `7d`).
    /// - `step`: the evaluation step, like a rule group's `interval` (default `1m`).
    /// - `max_per_day`: firing episodes per day tolerated, on average over the look-back (default `3`).
    ///
    /// `lookback / step` may be at most 100,000 evaluations (ten range queries per alert, for
    /// example `70d` at `1m`); larger values are a configuration error. All online lints share
    /// one deadline and request budget per run, and stop at the first timeout.
    pub static FLAPPING = {
        id: "noise/flapping",
        severity: Warning,
        summary: "with a Prometheus server: over the look-back window the alert would have fired more often than the configured budget",
        pass: [
            Example::new("groups:\n  - name: queue\n    rules:\n      - alert: QueueBacklog\n        expr: queue_depth > 100\n        for: 2m\n"),
            Example::with_prometheus(
                "groups:\n  - name: queue\n    rules:\n      - alert: QueueBacklog\n        expr: queue_depth > 100\n        for: 2m\n        keep_firing_for: 10m\n",
                "lints:\n  noise/flapping: { lookback: 1h, max_per_day: 24 }\n",
                "{\"now\": 1763596800, \"series\": {\"queue=a\": \"..#####.....#####.....#####.....#####.....#####.....#####..\"}}",
            ),
        ],
        fail: [Example::with_prometheus(
            "groups:\n  - name: queue\n    rules:\n      - alert: QueueBacklog\n        expr: queue_depth > 100\n        for: 2m\n",
            "lints:\n  noise/flapping: { lookback: 1h }\n",
            "{\"now\": 1763596800, \"series\": {\"queue=a\": \"..#####.....#####.....#####.....#####.....#####.....#####..\"}}",
        )],
    };
}

/// Points per series Prometheus answers in one range query (its limit is 11,000).
const MAX_POINTS: f64 = 10_000.0;

const DAY_MS: i64 = 86_400_000;

/// Range queries one alert may cost (`lookback / step / MAX_POINTS`): the
/// default 7d at 1m needs two.
const MAX_QUERIES_PER_ALERT: i64 = 10;

struct Options {
    /// Milliseconds.
    lookback: i64,
    /// Milliseconds.
    step: i64,
    max_per_day: f64,
}

impl Default for Options {
    fn default() -> Options {
        Options { lookback: 7 * DAY_MS, step: 60_000, max_per_day: 3.0 }
    }
}

pub fn registration() -> Registration {
    Registration { meta: &FLAPPING, build }
}

fn build(cx: &BuildContext<'_>) -> Result<Box<dyn Lint>, ConfigError> {
    let mut options = Options::default();
    for (key, value) in cx.options.entries(&["lookback", "step", "max_per_day"])? {
        match key {
            "lookback" => options.lookback = value.duration()?,
            "step" => options.step = value.duration()?,
            _ => {
                let text = value.string()?;
                options.max_per_day = text
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite() && *v >= 0.0)
                    .ok_or_else(|| value.error("expected a non-negative number"))?;
            }
        }
    }
    if options.step <= 0 || options.lookback < options.step {
        return Err(ConfigError::new("noise/flapping: `step` must be positive and no longer than `lookback`"));
    }
    // Each alert costs one range query per `MAX_POINTS` steps: keep that small.
    let queries = ((options.lookback / options.step) as f64 + 1.0) / MAX_POINTS;
    if queries.ceil() > MAX_QUERIES_PER_ALERT as f64 {
        return Err(ConfigError::new(format!(
            "noise/flapping: a `lookback` of {} at a `step` of {} needs {} range queries per alert; at most {MAX_QUERIES_PER_ALERT} are allowed (lengthen `step` or shorten `lookback`)",
            crate::duration::format(options.lookback),
            crate::duration::format(options.step),
            queries.ceil()
        )));
    }
    Ok(Box::new(Flapping(options)))
}

struct Flapping(Options);

impl Lint for Flapping {
    fn meta(&self) -> &'static LintMeta {
        &FLAPPING
    }

    fn check_rule(&self, cx: &mut FileContext<'_>, rcx: &RuleContext<'_>) {
        let Some(online) = cx.catalog.online() else {
            return;
        };
        let (RuleKind::Alert, Some(text), Some(_)) = (rcx.rule.kind, &rcx.rule.expr, rcx.expr) else {
            return;
        };
        let options = &self.0;
        let step = options.step as f64 / 1000.0;
        // Align to the step so that repeated runs evaluate at the same instants.
        let end = (online.api.now() / step).floor() * step;
        let start = end - options.lookback as f64 / 1000.0;

        let mut presence: HashMap<BTreeMap<String, String>, Vec<f64>> = HashMap::new();
        let mut chunk_start = start;
        while chunk_start <= end {
            let chunk_end = (chunk_start + (MAX_POINTS - 1.0) * step).min(end);
            // A failed query is reported once by the engine (`prometheus/unreachable`).
            let Ok(series) = online.api.query_range(&text.value, chunk_start, chunk_end, step) else {
                return;
            };
            for s in series {
                presence.entry(s.labels).or_default().extend(s.timestamps);
            }
            chunk_start = chunk_end + step;
        }

        let steps = ((end - start) / step).round() as usize + 1;
        let hold = rcx.rule.for_.as_ref().map_or(0, |d| d.millis);
        let keep = rcx.rule.keep_firing_for.as_ref().map_or(0, |d| d.millis);
        let mut per_day: BTreeMap<i64, usize> = BTreeMap::new();
        for timestamps in presence.values() {
            let mut present = vec![false; steps];
            for t in timestamps {
                let i = ((t - start) / step).round();
                if i >= 0.0 && (i as usize) < steps {
                    present[i as usize] = true;
                }
            }
            for started in firing_starts(&present, (start * 1000.0) as i64, options.step, hold, keep) {
                *per_day.entry(started.div_euclid(DAY_MS)).or_default() += 1;
            }
        }
        let total: usize = per_day.values().sum();
        let days = options.lookback as f64 / DAY_MS as f64;
        if total == 0 || total as f64 / days <= options.max_per_day {
            return;
        }
        // The earliest of the days with the most episodes.
        let Some((worst_day, worst)) = per_day.iter().fold(None, |best: Option<(i64, usize)>, (d, n)| match best {
            Some((_, m)) if m >= *n => best,
            _ => Some((*d, *n)),
        }) else {
            return;
        };
        let window = if options.lookback % DAY_MS == 0 {
            let n = options.lookback / DAY_MS;
            if n == 1 { "1 day".to_string() } else { format!("{n} days") }
        } else {
            crate::duration::format(options.lookback)
        };
        let times = |n: usize| {
            if n == 1 { "once".to_string() } else { format!("{n} times") }
        };
        let message = format!(
            "alert `{}` would have fired {} in {window} (worst: {}, {})",
            rcx.rule.name.value,
            times(total),
            civil_date(worst_day),
            times(worst)
        );
        let help = format!(
            "that is {:.1} a day against a budget of {}: lengthen `for`, add `keep_firing_for`, or smooth the signal (`avg_over_time`)",
            total as f64 / days,
            options.max_per_day
        );
        let report = cx.report(rcx.rule.name.span, message).help(help);
        if let Some(for_) = &rcx.rule.for_ {
            report.label(for_.span, format!("pending for {} before firing", for_.text));
        }
    }
}

/// The times (milliseconds) at which a series started firing, given whether
/// it was present at each evaluation from `start` every `step`: Prometheus's
/// alert states with `for` (`hold`) and `keep_firing_for` (`keep`).
fn firing_starts(present: &[bool], start: i64, step: i64, hold: i64, keep: i64) -> Vec<i64> {
    enum State {
        Inactive,
        Pending { since: i64 },
        Firing { absent_since: Option<i64> },
    }
    let mut state = State::Inactive;
    let mut starts = Vec::new();
    for (i, &here) in present.iter().enumerate() {
        let t = start + i as i64 * step;
        state = match (state, here) {
            (State::Inactive, true) if hold == 0 => {
                starts.push(t);
                State::Firing { absent_since: None }
            }
            (State::Inactive, true) => State::Pending { since: t },
            (State::Pending { since }, true) if t - since >= hold => {
                starts.push(t);
                State::Firing { absent_since: None }
            }
            (State::Pending { since }, true) => State::Pending { since },
            (State::Firing { .. }, true) => State::Firing { absent_since: None },
            (State::Firing { absent_since }, false) if keep > 0 => {
                let since = absent_since.unwrap_or(t);
                if t - since < keep { State::Firing { absent_since: Some(since) } } else { State::Inactive }
            }
            (_, false) => State::Inactive,
        };
    }
    starts
}

/// `YYYY-MM-DD` of a day counted from 1970-01-01 (proleptic Gregorian, UTC).
fn civil_date(days: i64) -> String {
    // Howard Hinnant's `civil_from_days`.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(pattern: &str, hold_steps: i64, keep_steps: i64) -> Vec<i64> {
        let present: Vec<bool> = pattern.chars().map(|c| c == '#').collect();
        firing_starts(&present, 0, 1, hold_steps, keep_steps)
    }

    #[test]
    fn follows_prometheus_alert_states() {
        // Without `for` every appearance fires at once.
        assert_eq!(run("#..#.#", 0, 0), [0, 3, 5]);
        // `for: 2` needs the third consecutive evaluation.
        assert_eq!(run("##.###.####", 2, 0), [5, 9]);
        // `keep_firing_for: 3` bridges gaps shorter than three evaluations.
        assert_eq!(run("#..#...#", 0, 3), [0]);
        assert_eq!(run("#..#....#", 0, 3), [0, 8]);
        // A pending alert that disappears starts over.
        assert_eq!(run("#.##", 1, 0), [3]);
    }

    #[test]
    fn dates_are_utc_calendar_days() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(20_412), "2025-11-20");
        assert_eq!(civil_date(11_016), "2000-02-29");
    }
}

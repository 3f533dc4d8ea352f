//! The PromQL function table, as in upstream `promql/parser/functions.go`.

use super::ast::ValueType;

/// A PromQL function: its name, argument types and return type.
///
/// `variadic` follows upstream: `0` means exactly `arg_types.len()` arguments;
/// `n > 0` means the last argument type may be given between 0 and `n` times;
/// `-1` means the last argument type may repeat without limit.
#[derive(Debug, PartialEq, Eq)]
pub struct Function {
    pub name: &'static str,
    pub arg_types: &'static [ValueType],
    pub variadic: i32,
    pub return_type: ValueType,
    /// Only accepted with [`super::ParseOptions::experimental_functions`].
    pub experimental: bool,
}

impl Function {
    /// Fewest arguments a call must have.
    pub fn min_args(&self) -> usize {
        if self.variadic == 0 { self.arg_types.len() } else { self.arg_types.len().saturating_sub(1) }
    }

    /// Most arguments a call may have, `None` when unlimited.
    pub fn max_args(&self) -> Option<usize> {
        match self.variadic {
            0 => Some(self.arg_types.len()),
            n if n > 0 => Some(self.arg_types.len().saturating_sub(1) + n as usize),
            _ => None,
        }
    }

    /// The expected type of argument `index`, repeating the last type for variadic functions.
    pub fn arg_type(&self, index: usize) -> Option<ValueType> {
        match self.arg_types.get(index) {
            Some(t) => Some(*t),
            None if self.variadic != 0 => self.arg_types.last().copied(),
            None => None,
        }
    }
}

use ValueType::{Matrix as M, Scalar as S, String as Str, Vector as V};

macro_rules! functions {
    ($( $name:literal : [$($arg:expr),*] , $variadic:expr , $ret:expr , $exp:expr ;)*) => {
        /// Every function upstream knows, sorted by name.
        pub static FUNCTIONS: &[Function] = &[
            $( Function { name: $name, arg_types: &[$($arg),*], variadic: $variadic, return_type: $ret, experimental: $exp }, )*
        ];
    };
}

// name: [argument types], variadic, return type, experimental
functions! {
    "abs": [V], 0, V, false;
    "absent": [V], 0, V, false;
    "absent_over_time": [M], 0, V, false;
    "acos": [V], 0, V, false;
    "acosh": [V], 0, V, false;
    "asin": [V], 0, V, false;
    "asinh": [V], 0, V, false;
    "atan": [V], 0, V, false;
    "atanh": [V], 0, V, false;
    "avg_over_time": [M], 0, V, false;
    "ceil": [V], 0, V, false;
    "changes": [M], 0, V, false;
    "clamp": [V, S, S], 0, V, false;
    "clamp_max": [V, S], 0, V, false;
    "clamp_min": [V, S], 0, V, false;
    "cos": [V], 0, V, false;
    "cosh": [V], 0, V, false;
    "count_over_time": [M], 0, V, false;
    "day_of_month": [V], 1, V, false;
    "day_of_week": [V], 1, V, false;
    "day_of_year": [V], 1, V, false;
    "days_in_month": [V], 1, V, false;
    "deg": [V], 0, V, false;
    "delta": [M], 0, V, false;
    "deriv": [M], 0, V, false;
    "double_exponential_smoothing": [M, S, S], 0, V, true;
    "end": [], 0, S, true;
    "exp": [V], 0, V, false;
    "first_over_time": [M], 0, V, true;
    "floor": [V], 0, V, false;
    "histogram_avg": [V], 0, V, false;
    "histogram_count": [V], 0, V, false;
    "histogram_fraction": [S, S, V], 0, V, false;
    "histogram_quantile": [S, V], 0, V, false;
    "histogram_quantiles": [V, Str, S, S], 9, V, true;
    "histogram_stddev": [V], 0, V, false;
    "histogram_stdvar": [V], 0, V, false;
    "histogram_sum": [V], 0, V, false;
    "hour": [V], 1, V, false;
    "idelta": [M], 0, V, false;
    "increase": [M], 0, V, false;
    "info": [V, V], 1, V, true;
    "integral": [M, S], 1, V, true;
    "irate": [M], 0, V, false;
    "label_join": [V, Str, Str, Str], -1, V, false;
    "label_replace": [V, Str, Str, Str, Str], 0, V, false;
    "last_over_time": [M], 0, V, false;
    "ln": [V], 0, V, false;
    "log10": [V], 0, V, false;
    "log2": [V], 0, V, false;
    "mad_over_time": [M], 0, V, true;
    "max_over_time": [M], 0, V, false;
    "min_over_time": [M], 0, V, false;
    "minute": [V], 1, V, false;
    "month": [V], 1, V, false;
    "pi": [], 0, S, false;
    "predict_linear": [M, S], 0, V, false;
    "present_over_time": [M], 0, V, false;
    "quantile_over_time": [S, M], 0, V, false;
    "rad": [V], 0, V, false;
    "range": [], 0, S, true;
    "rate": [M], 0, V, false;
    "resets": [M], 0, V, false;
    "round": [V, S], 1, V, false;
    "scalar": [V], 0, S, false;
    "sgn": [V], 0, V, false;
    "sin": [V], 0, V, false;
    "sinh": [V], 0, V, false;
    "sort": [V], 0, V, false;
    "sort_by_label": [V, Str], -1, V, true;
    "sort_by_label_desc": [V, Str], -1, V, true;
    "sort_desc": [V], 0, V, false;
    "sqrt": [V], 0, V, false;
    "start": [], 0, S, true;
    "stddev_over_time": [M], 0, V, false;
    "stdvar_over_time": [M], 0, V, false;
    "step": [], 0, S, true;
    "sum_over_time": [M], 0, V, false;
    "tan": [V], 0, V, false;
    "tanh": [V], 0, V, false;
    "time": [], 0, S, false;
    "timestamp": [V], 0, V, false;
    "ts_of_first_over_time": [M], 0, V, true;
    "ts_of_last_over_time": [M], 0, V, true;
    "ts_of_max_over_time": [M], 0, V, true;
    "ts_of_min_over_time": [M], 0, V, true;
    "vector": [S], 0, V, false;
    "year": [V], 1, V, false;
}

/// Looks a function up by its exact (case-sensitive) name, as upstream does.
pub fn lookup_function(name: &str) -> Option<&'static Function> {
    FUNCTIONS.binary_search_by(|f| f.name.cmp(name)).ok().and_then(|i| FUNCTIONS.get(i))
}

/// The function as upstream's documentation writes it:
/// `histogram_quantile(scalar, instant-vector) instant-vector`.
pub fn signature(function: &Function) -> String {
    let name = |t: ValueType| match t {
        ValueType::Matrix => "range-vector",
        ValueType::Vector => "instant-vector",
        ValueType::Scalar => "scalar",
        ValueType::String => "string",
    };
    let mut args: Vec<String> = function.arg_types.iter().map(|t| name(*t).to_string()).collect();
    if function.variadic != 0 {
        if let Some(last) = args.last_mut() {
            // `round(v, to_nearest=1)`: the last argument is optional or repeats.
            last.push_str(if function.variadic > 0 { "?" } else { "..." });
        }
    }
    format!("{}({}) {}", function.name, args.join(", "), name(function.return_type))
}

/// One line on what a function returns, for editors.
pub fn function_doc(name: &str) -> Option<&'static str> {
    Some(match name {
        "abs" => "absolute value of every sample",
        "absent" => "a 1-element vector when the input has no series, nothing otherwise",
        "absent_over_time" => "a 1-element vector when the range has no samples, nothing otherwise",
        "acos" | "acosh" | "asin" | "asinh" | "atan" | "atanh" | "cos" | "cosh" | "sin" | "sinh" | "tan" | "tanh" => {
            "the trigonometric function of every sample (radians)"
        }
        "avg_over_time" => "average of each series' samples in the range",
        "ceil" => "every sample rounded up to the nearest integer",
        "changes" => "how many times each series' value changed in the range",
        "clamp" => "samples limited to the range [min, max]",
        "clamp_max" => "samples limited to at most max",
        "clamp_min" => "samples limited to at least min",
        "count_over_time" => "number of samples of each series in the range",
        "day_of_month" => "day of the month (1-31) of each timestamp, UTC; time() when empty",
        "day_of_week" => "day of the week (0 = Sunday) of each timestamp, UTC",
        "day_of_year" => "day of the year (1-366) of each timestamp, UTC",
        "days_in_month" => "number of days in the month of each timestamp, UTC",
        "deg" => "radians converted to degrees",
        "delta" => "difference between the first and last value in the range (gauges)",
        "deriv" => "per-second derivative by simple linear regression (gauges)",
        "double_exponential_smoothing" | "holt_winters" => {
            "smoothed value by Holt-Winters (smoothing factor, trend factor)"
        }
        "end" => "end of the query range, in seconds",
        "exp" => "e raised to every sample",
        "first_over_time" => "oldest sample of each series in the range",
        "floor" => "every sample rounded down to the nearest integer",
        "histogram_avg" => "average of the observations of native histograms",
        "histogram_count" => "count of observations of native histograms",
        "histogram_fraction" => "fraction of observations between lower and upper",
        "histogram_quantile" => {
            "φ-quantile (0 ≤ φ ≤ 1) from classic `_bucket` series (sum by `le`) or native histograms"
        }
        "histogram_quantiles" => "several quantiles at once, in a label named by the second argument",
        "histogram_stddev" => "standard deviation of the observations of native histograms",
        "histogram_stdvar" => "variance of the observations of native histograms",
        "histogram_sum" => "sum of the observations of native histograms",
        "hour" => "hour of the day (0-23) of each timestamp, UTC",
        "idelta" => "difference between the last two samples in the range (gauges)",
        "increase" => "increase of a counter over the range, extrapolated, resets handled",
        "info" => "adds the labels of matching info series (`target_info` by default)",
        "integral" => "integral of each series over the range",
        "irate" => "per-second rate from the last two samples of a counter",
        "label_join" => "joins the values of source labels into a destination label",
        "label_replace" => "sets a label from a regex match on another label's value",
        "last_over_time" => "most recent sample of each series in the range",
        "ln" => "natural logarithm of every sample",
        "log10" => "decimal logarithm of every sample",
        "log2" => "binary logarithm of every sample",
        "mad_over_time" => "median absolute deviation of each series' samples in the range",
        "max_over_time" => "maximum of each series' samples in the range",
        "min_over_time" => "minimum of each series' samples in the range",
        "minute" => "minute of the hour (0-59) of each timestamp, UTC",
        "month" => "month of the year (1-12) of each timestamp, UTC",
        "pi" => "the number π",
        "predict_linear" => "value t seconds from now, by linear regression over the range (gauges)",
        "present_over_time" => "1 for every series with a sample in the range",
        "quantile_over_time" => "φ-quantile of each series' samples in the range",
        "rad" => "degrees converted to radians",
        "range" => "length of the query range, in seconds",
        "rate" => "per-second average rate of increase of a counter over the range, resets handled",
        "resets" => "number of counter resets in the range",
        "round" => "samples rounded to the nearest integer (or multiple of to_nearest)",
        "scalar" => "the value of a 1-element vector as a scalar, NaN otherwise",
        "sgn" => "sign of every sample: 1, -1 or 0",
        "sort" => "series sorted by value, ascending (instant queries only)",
        "sort_by_label" => "series sorted by the values of the given labels",
        "sort_by_label_desc" => "series sorted by the values of the given labels, descending",
        "sort_desc" => "series sorted by value, descending (instant queries only)",
        "sqrt" => "square root of every sample",
        "start" => "start of the query range, in seconds",
        "stddev_over_time" => "standard deviation of each series' samples in the range",
        "stdvar_over_time" => "variance of each series' samples in the range",
        "step" => "the query's resolution step, in seconds",
        "sum_over_time" => "sum of each series' samples in the range",
        "time" => "evaluation time in seconds since the epoch",
        "timestamp" => "timestamp of every sample, in seconds",
        "ts_of_first_over_time" => "timestamp of the oldest sample in the range",
        "ts_of_last_over_time" => "timestamp of the newest sample in the range",
        "ts_of_max_over_time" => "timestamp of the largest sample in the range",
        "ts_of_min_over_time" => "timestamp of the smallest sample in the range",
        "vector" => "the scalar as a vector with no labels",
        "year" => "year of each timestamp, UTC",
        _ => return None,
    })
}

/// Looks a function up as the targeted Prometheus knows it: before 3.0,
/// `holt_winters` exists and functions added later (by the release that
/// added them) do not.
pub(crate) fn lookup_for(name: &str, options: &super::ParseOptions) -> Option<&'static Function> {
    if !options.before(3, 0) {
        return lookup_function(name);
    }
    if name == "holt_winters" {
        return Some(&HOLT_WINTERS);
    }
    let (major, minor) = added_in(name);
    if options.before(major, minor) {
        return None;
    }
    lookup_function(name)
}

/// Renamed `double_exponential_smoothing` (and made experimental) in 3.0.
static HOLT_WINTERS: Function = Function {
    name: "holt_winters",
    arg_types: &[ValueType::Matrix, ValueType::Scalar, ValueType::Scalar],
    variadic: 0,
    return_type: ValueType::Vector,
    experimental: false,
};

/// The release that added a function, from Prometheus's changelog; functions
/// not listed are older than 2.40, the oldest release alertlint distinguishes,
/// except the experimental ones, which are Prometheus 3.
fn added_in(name: &str) -> (u32, u32) {
    match name {
        "histogram_count" | "histogram_sum" | "histogram_fraction" => (2, 40),
        "histogram_stddev" | "histogram_stdvar" => (2, 47),
        "mad_over_time" | "sort_by_label" | "sort_by_label_desc" => (2, 49),
        "histogram_avg" => (2, 51),
        "info" => (2, 55),
        _ if lookup_function(name).is_some_and(|f| f.experimental) => (3, 0),
        _ => (2, 0),
    }
}

/// Stands in for an unknown function inside a tree that is only built to
/// keep collecting errors; it never reaches a caller of [`super::parse`].
pub(crate) static UNKNOWN_FUNCTION: Function =
    Function { name: "", arg_types: &[], variadic: -1, return_type: ValueType::Vector, experimental: false };

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_so_binary_search_finds_every_entry() {
        for pair in FUNCTIONS.windows(2) {
            assert!(pair[0].name < pair[1].name, "{} before {}", pair[0].name, pair[1].name);
        }
        for f in FUNCTIONS {
            assert_eq!(lookup_function(f.name).map(|g| g.name), Some(f.name));
        }
        assert!(lookup_function("RATE").is_none());
    }

    #[test]
    fn every_function_has_a_doc_and_a_signature() {
        for f in FUNCTIONS {
            assert!(function_doc(f.name).is_some(), "{} has no doc", f.name);
        }
        let quantile = lookup_function("histogram_quantile").unwrap();
        assert_eq!(signature(quantile), "histogram_quantile(scalar, instant-vector) instant-vector");
        assert_eq!(signature(lookup_function("round").unwrap()), "round(instant-vector, scalar?) instant-vector");
        assert_eq!(signature(lookup_function("rate").unwrap()), "rate(range-vector) instant-vector");
    }

    #[test]
    fn argument_counts_follow_variadic_rules() {
        let round = lookup_function("round").unwrap();
        assert_eq!((round.min_args(), round.max_args()), (1, Some(2)));
        let join = lookup_function("label_join").unwrap();
        assert_eq!((join.min_args(), join.max_args()), (3, None));
        assert_eq!(join.arg_type(7), Some(ValueType::String));
        let rate = lookup_function("rate").unwrap();
        assert_eq!((rate.min_args(), rate.max_args()), (1, Some(1)));
        assert_eq!(rate.arg_type(1), None);
    }
}

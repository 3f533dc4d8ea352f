//! Command-line definitions and handlers. Only this module and `main` know
//! about exit codes and standard streams.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::config::{Config, ConfigError};
use crate::diagnostic::Severity;
use crate::engine::{Engine, Input, Selection};
use crate::lints;
use crate::model::{Dialect, FileKind};
use crate::promql;
use crate::read;
use crate::report::{self, Format};

#[derive(Parser)]
#[command(name = "alertlint", version, about = "A static analyzer for Prometheus alerting and recording rules")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lint rule files (files, directories, or `-` for stdin)
    Check(Box<CheckArgs>),
    /// List every lint: id, default severity, family and summary
    Rules,
    /// Print a lint's documentation
    Explain {
        /// A lint id such as `noise/for-too-short`
        id: String,
    },
    /// For every alert: the receivers its labels reach in the Alertmanager routing tree, and why
    Routes(RoutesArgs),
    /// Print the syntax tree of a PromQL expression with byte spans, or its parse error
    Parse {
        /// The expression, such as 'sum by (job) (rate(errors_total[5m])) > 1'
        expr: String,
        /// Output format
        #[arg(long, value_enum, default_value = "text")]
        format: ParseFormat,
        /// Accept experimental syntax: experimental functions, duration arithmetic, extended range selectors
        #[arg(long)]
        experimental: bool,
    },
    /// Run the Language Server on stdin/stdout (for editors)
    Lsp {
        /// Accepted and ignored: stdio is the only transport, and some clients pass it
        #[arg(long, hide = true)]
        stdio: bool,
    },
    /// Write a commented starter `.alertlint.yaml` in the current directory
    Init {
        /// Overwrite an existing file
        #[arg(long)]
        force: bool,
    },
}

#[derive(Args, Clone)]
struct CheckArgs {
    /// Files or directories to check (default: the current directory); `-` reads stdin
    paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Configuration file (default: the nearest .alertlint.yaml walking up)
    #[arg(long)]
    config: Option<PathBuf>,
    /// Run only these lints (ids or family globs such as `noise/*`)
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Skip these lints (ids or family globs)
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Lowest severity that makes the exit code 1
    #[arg(long, value_enum, default_value = "error")]
    fail_on: FailOn,
    /// Alertmanager configuration: enables the routing lints
    #[arg(long)]
    alertmanager_config: Option<PathBuf>,
    /// The file name stdin is reported under, and that configuration matching uses
    #[arg(long)]
    stdin_filename: Option<String>,
    /// Which rule-group fields are valid
    #[arg(long, value_enum)]
    dialect: Option<DialectArg>,
    /// Prometheus feature flags whose syntax is accepted: promql-experimental-functions, promql-duration-expr,
    /// promql-extended-range-selectors
    #[arg(long, value_delimiter = ',', value_name = "NAME")]
    enable_feature: Vec<String>,
    /// Worker threads (default: all cores)
    #[arg(short, long)]
    jobs: Option<usize>,
    /// A saved /metrics scrape (text exposition or OpenMetrics) giving metric names and types; repeatable
    #[arg(long = "metrics", value_name = "FILE")]
    metrics: Vec<PathBuf>,
    /// A Prometheus server to read metric types and scrape intervals from and to run the online lints against
    #[arg(long, value_name = "URL")]
    prometheus_url: Option<String>,
    /// Findings recorded in FILE are not reported and do not count for the exit code
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// With --baseline: record every current finding in FILE and exit 0
    #[arg(long, requires = "baseline")]
    update_baseline: bool,
    /// Write the report to FILE instead of standard output
    #[arg(long, value_name = "FILE")]
    output_file: Option<PathBuf>,
    /// Print one line per lint with its number of findings instead of the findings
    #[arg(long)]
    statistics: bool,
    /// Print nothing but the findings (no summary)
    #[arg(short, long)]
    quiet: bool,
    /// Report only findings on rules added or changed since this git revision (and on changed files)
    #[arg(long, value_name = "REF")]
    changed_since: Option<String>,
    /// Apply every safe fix in place, then report what remains
    #[arg(long)]
    fix: bool,
    /// With --fix: print the fixes as a unified diff and change nothing
    #[arg(long, requires = "fix")]
    diff: bool,
}

#[derive(Args)]
struct RoutesArgs {
    /// Rule files or directories (default: the current directory)
    paths: Vec<PathBuf>,
    /// Alertmanager configuration (default: `alertmanager.config` of .alertlint.yaml)
    #[arg(long)]
    alertmanager_config: Option<PathBuf>,
    /// Configuration file (default: the nearest .alertlint.yaml walking up)
    #[arg(long)]
    config: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    format: crate::routes::RoutesFormat,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ParseFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Info,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum DialectArg {
    Prometheus,
    Thanos,
    Mimir,
}

/// Exit code for usage, configuration and I/O errors.
const EXIT_USAGE: u8 = 2;

pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { 0 });
        }
    };
    match cli.command {
        Command::Check(args) => check(*args),
        Command::Routes(args) => routes(args),
        Command::Rules => rules(),
        Command::Explain { id } => explain(&id),
        Command::Parse { expr, format, experimental } => parse(&expr, format, experimental),
        Command::Init { force } => init(force),
        Command::Lsp { .. } => ExitCode::from(crate::lsp::run_stdio()),
    }
}

/// `alertlint parse` on a large stack: the tree of a long flat chain
/// (`a or b or c ...`) is as tall as the chain is long, and so is its JSON.
fn parse(expr: &str, format: ParseFormat, experimental: bool) -> ExitCode {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("parse".into())
            .stack_size(256 << 20)
            .spawn_scoped(scope, || parse_on_this_stack(expr, format, experimental))
            .ok()
            .and_then(|handle| handle.join().ok())
    })
    .unwrap_or_else(|| fail("cannot start a thread to parse the expression"))
}

fn parse_on_this_stack(expr: &str, format: ParseFormat, experimental: bool) -> ExitCode {
    let options = if experimental { promql::ParseOptions::all_enabled() } else { promql::ParseOptions::default() };
    let result = promql::parse(expr, &options);
    let output = match (format, &result) {
        (ParseFormat::Json, Ok(tree)) => format!("{}\n", promql::tree_to_json(tree)),
        (ParseFormat::Json, Err(errors)) => format!("{}\n", promql::errors_to_json(errors)),
        (ParseFormat::Text, Ok(tree)) => promql::print_tree(tree, expr),
        (ParseFormat::Text, Err(errors)) => {
            errors.iter().map(|error| format!("{}\n", promql::format_error(expr, error))).collect()
        }
    };
    if let Err(code) = write_stdout(&output) {
        return code;
    }
    ExitCode::from(u8::from(result.is_err()))
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    print_error(message);
    ExitCode::from(EXIT_USAGE)
}

/// Writes `text` to standard output. A failed write (a full disk, a closed
/// pipe as in `alertlint parse … | head -c 10`) ends the command with exit
/// code 2 rather than a panic; a closed pipe ends it quietly, since whoever
/// would read the message has gone.
fn write_stdout(text: &str) -> Result<(), ExitCode> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) => {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                print_error(format!("cannot write to standard output: {e}"));
            }
            Err(ExitCode::from(EXIT_USAGE))
        }
    }
}

/// Prints `alertlint: MESSAGE` on standard error. A standard error that
/// cannot be written to is ignored: there is nowhere left to say so.
fn print_error(message: impl std::fmt::Display) {
    let message = message.to_string();
    let _ = writeln!(std::io::stderr().lock(), "alertlint: {}", report::escape_control(&message));
}

fn load_config(explicit: Option<&Path>) -> Result<Config, ConfigError> {
    match explicit {
        Some(path) => Config::load(path),
        None => {
            let cwd = std::env::current_dir()
                .map_err(|e| ConfigError::new(format!("cannot read the current directory: {e}")))?;
            Config::for_dir(&cwd)
        }
    }
}

/// The configurations of one `check` run: `--config FILE` for every file, or
/// for each file the nearest `.alertlint.yaml` above it (`Config::for_dir`,
/// the lookup the language server makes), each loaded once.
struct Configs<'a> {
    args: &'a CheckArgs,
    explicit: Option<Config>,
    /// Directory → the configuration file found above it.
    dirs: std::collections::HashMap<PathBuf, Option<PathBuf>>,
    /// Directory as given (relative or not) → its index in `loaded`: most
    /// files share their directory with others.
    given: std::collections::HashMap<PathBuf, usize>,
    /// Configuration file (`None`: the defaults) → its index in `loaded`.
    index: std::collections::HashMap<Option<PathBuf>, usize>,
    loaded: Vec<(Config, crate::discover::Filter)>,
}

impl<'a> Configs<'a> {
    fn new(args: &'a CheckArgs) -> Result<Configs<'a>, ConfigError> {
        let mut configs = Configs {
            args,
            explicit: None,
            dirs: Default::default(),
            given: Default::default(),
            index: Default::default(),
            loaded: Vec::new(),
        };
        for name in &args.enable_feature {
            if crate::model::Feature::parse(name).is_none() {
                return Err(ConfigError::new(crate::model::Feature::unknown_message(name)));
            }
        }
        if let Some(path) = &args.config {
            let config = Config::load(path)?;
            configs.explicit = Some(config);
        }
        Ok(configs)
    }

    /// The index of the configuration for files in `dir`.
    fn for_dir(&mut self, dir: &Path) -> Result<usize, ConfigError> {
        if let Some(&i) = self.given.get(dir) {
            return Ok(i);
        }
        let i = self.for_new_dir(dir)?;
        self.given.insert(dir.to_path_buf(), i);
        Ok(i)
    }

    fn for_new_dir(&mut self, dir: &Path) -> Result<usize, ConfigError> {
        let key = if self.explicit.is_some() {
            None
        } else {
            let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
            // Walking up needs the directory's ancestors, which `.` does not show.
            let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
            self.discover(&dir)
        };
        if let Some(&i) = self.index.get(&key) {
            return Ok(i);
        }
        let mut config = match (&self.explicit, &key) {
            (Some(config), _) => config.clone(),
            (None, Some(path)) => Config::load(path)?,
            (None, None) => Config::default(),
        };
        self.apply_options(&mut config);
        let filter = crate::discover::Filter::new(&config)?;
        self.loaded.push((config, filter));
        self.index.insert(key, self.loaded.len() - 1);
        Ok(self.loaded.len() - 1)
    }

    /// `Config::discover`, each directory looked at once in a run: files
    /// in many directories of one tree share their ancestors.
    fn discover(&mut self, dir: &Path) -> Option<PathBuf> {
        let mut walked = Vec::new();
        let mut found = None;
        for d in dir.ancestors() {
            if let Some(known) = self.dirs.get(d) {
                found = known.clone();
                break;
            }
            walked.push(d);
            if let Some(path) = Config::in_dir(d) {
                found = Some(path);
                break;
            }
        }
        for d in walked {
            self.dirs.insert(d.to_path_buf(), found.clone());
        }
        found
    }

    /// The index of the configuration for file `path`.
    fn for_file(&mut self, path: &Path) -> Result<usize, ConfigError> {
        self.for_dir(path.parent().unwrap_or(Path::new(".")))
    }

    /// Command-line options win over every configuration file.
    fn apply_options(&self, config: &mut Config) {
        let args = self.args;
        if let Some(dialect) = args.dialect {
            config.dialect = match dialect {
                DialectArg::Prometheus => Dialect::Prometheus,
                DialectArg::Thanos => Dialect::Thanos,
                DialectArg::Mimir => Dialect::Mimir,
            };
        }
        if let Some(am) = &args.alertmanager_config {
            config.alertmanager_config = Some(am.clone());
        }
        // Files named on the command line are relative to the current directory,
        // not to the configuration file like `prometheus.metrics`.
        let cwd = std::env::current_dir().unwrap_or_default();
        config.prometheus.metrics.extend(args.metrics.iter().map(|p| cwd.join(p).display().to_string()));
        if let Some(url) = &args.prometheus_url {
            config.prometheus.url = Some(url.clone());
        }
        for feature in args.enable_feature.iter().filter_map(|name| crate::model::Feature::parse(name)) {
            config.target.enable(feature);
        }
    }
}

fn check(args: CheckArgs) -> ExitCode {
    let again = args.clone();
    if let Some(jobs) = args.jobs {
        if jobs > MAX_JOBS {
            return fail(format!("--jobs {jobs} is more than the limit of {MAX_JOBS} worker threads"));
        }
        if let Err(e) = rayon::ThreadPoolBuilder::new().num_threads(jobs.max(1)).build_global() {
            return fail(format!("cannot start {jobs} worker threads: {e}"));
        }
    }
    let mut configs = match Configs::new(&args) {
        Ok(configs) => configs,
        Err(e) => return fail(e),
    };

    let paths = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths.clone() };
    // Inputs per configuration, each with whether it was named and the
    // directory argument it was found under.
    let mut inputs: Vec<Vec<(Input, bool, Option<usize>)>> = Vec::new();
    let mut io_errors = Vec::new();
    let (stdin, paths): (Vec<PathBuf>, Vec<PathBuf>) = paths.into_iter().partition(|p| p.as_os_str() == "-");
    if !stdin.is_empty() {
        // Configuration for stdin: from `--stdin-filename`'s directory, then
        // from the current directory.
        let named_dir = args.stdin_filename.as_deref().and_then(|n| Path::new(n).parent());
        let found_above = named_dir.filter(|d| {
            let d = if d.as_os_str().is_empty() { Path::new(".") } else { d };
            args.config.is_some() || std::path::absolute(d).is_ok_and(|d| Config::discover(&d).is_some())
        });
        let index = match configs.for_dir(found_above.unwrap_or(Path::new("."))) {
            Ok(i) => i,
            Err(e) => return fail(e),
        };
        // An editor sends every buffer; one the configuration excludes gets no findings.
        let excluded = args.stdin_filename.as_ref().is_some_and(|name| !configs.loaded[index].1.wants(Path::new(name)));
        if !excluded {
            let mut bytes = Vec::new();
            match std::io::stdin().take(READ_LIMIT).read_to_end(&mut bytes) {
                Ok(_) => {
                    let name = args.stdin_filename.clone().unwrap_or_else(|| "<stdin>".into());
                    push_input(&mut inputs, index, (Input { name, bytes }, true, None));
                }
                Err(e) => io_errors.push(format!("<stdin>: {e}")),
            }
        }
    }
    let mut pick = |path: &Path| -> Result<crate::discover::Pick, ConfigError> {
        let index = configs.for_file(path)?;
        Ok(configs.loaded[index].1.pick(path))
    };
    let discovered = match crate::discover::discover(&paths, read::MAX_RULE_FILE_BYTES, &mut pick) {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    io_errors.extend(discovered.errors);
    let mut reports = Vec::new();
    let mut roots_with_rules = vec![false; discovered.dirs.len()];
    for found in discovered.files {
        let name = found.path.display().to_string();
        if found.oversized {
            // A finding, as for stdin, not an I/O error: the file is there.
            if let Some(root) = found.root {
                roots_with_rules[root] = true;
            }
            reports.push(Engine::oversized_report(name));
            continue;
        }
        let index = match configs.for_file(&found.path) {
            Ok(i) => i,
            Err(e) => return fail(e),
        };
        push_input(&mut inputs, index, (Input { name, bytes: found.bytes }, found.named, found.root));
    }

    let selection = Selection { select: args.select.clone(), ignore: args.ignore.clone() };
    // One engine per configuration in use; one run over all files, so that
    // cross-file lints compare files whatever configuration they use.
    let mut engines = Vec::new();
    let mut groups = Vec::new();
    for (index, (config, _)) in configs.loaded.iter().enumerate() {
        let Some(group) = inputs.get_mut(index).map(std::mem::take).filter(|g| !g.is_empty()) else {
            continue;
        };
        let mut engine = match Engine::new(config.clone(), selection.clone()) {
            Ok(engine) => engine,
            Err(e) => return fail(e),
        };
        engine.note_not_rules(true);
        for warning in engine.input_warnings() {
            print_error(format_args!("warning: {warning}"));
        }
        engines.push(engine);
        groups.push(group);
    }
    let mut parts = Vec::new();
    let mut origins: Vec<Vec<(bool, Option<usize>)>> = Vec::new();
    for (engine, group) in engines.iter().zip(groups) {
        let (group, origin): (Vec<Input>, Vec<(bool, Option<usize>)>) =
            group.into_iter().map(|(input, named, root)| (input, (named, root))).unzip();
        parts.push((engine, group));
        origins.push(origin);
    }
    // Which engine checked each file, for `--fix`.
    let mut owner: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (part, (checked, origin)) in Engine::check_many(parts).into_iter().zip(origins).enumerate() {
        for report in &checked {
            owner.entry(report.file.name().to_string()).or_insert(part);
        }
        for (i, report) in checked.into_iter().enumerate() {
            // Reports past the inputs are the Alertmanager and Prometheus ones.
            let (named, root) = origin.get(i).copied().unwrap_or((true, None));
            if !named && !holds_rules(&report) {
                continue;
            }
            if let Some(root) = root {
                roots_with_rules[root] = true;
            }
            reports.push(report);
        }
    }
    reports.sort_by(|a, b| a.file.name().cmp(b.file.name()));
    // Every engine reports the Alertmanager configuration's own findings: once is enough.
    reports.dedup_by(|later, first| later.file.name() == first.file.name() && later.model.kind == FileKind::NotRules);

    if let Some(rev) = &args.changed_since {
        let here = std::env::current_dir().unwrap_or_default();
        let changes = match crate::changed::Changes::since(&here, rev) {
            Ok(changes) => changes,
            Err(e) => return fail(format!("--changed-since: {e}")),
        };
        let removed = crate::changed::removed_dependencies(&changes.recorded_before(), &reports);
        changes.filter(&mut reports);
        let lint = &lints::rule::dependency::DEPENDENCY;
        for found in removed {
            let report = &mut reports[found.report];
            let engine = owner.get(report.file.name()).and_then(|&i| engines.get(i));
            let Some(severity) = engine.and_then(|e| e.effective_severity(lint.id)) else { continue };
            let message = format!(
                "rule `{}` reads `{}`, a recording rule removed or renamed since {rev}",
                found.rule, found.metric
            );
            let mut diagnostic = crate::diagnostic::Diagnostic::new(lint.id, severity, found.span, message)
                .help("record the series again, or change this rule to read what replaced it");
            diagnostic.group = Some(found.group);
            diagnostic.rule = Some(found.rule);
            report.diagnostics.push(diagnostic);
            report.diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
        }
    }

    let empty_dirs: Vec<&PathBuf> =
        discovered.dirs.iter().zip(&roots_with_rules).filter(|(_, found)| !**found).map(|(dir, _)| dir).collect();
    if let Some(path) = &args.baseline {
        if args.update_baseline {
            let baseline = crate::baseline::Baseline::from_reports(&reports);
            if let Err(e) = std::fs::write(path, baseline.to_json()) {
                return fail(format!("cannot write baseline {}: {e}", path.display()));
            }
            let count: usize = baseline.findings.iter().map(|e| e.count).sum();
            if !args.quiet {
                print_error(format_args!("recorded {count} findings in {}", path.display()));
            }
            return ExitCode::SUCCESS;
        }
        let baseline = match read::read_bytes(path, read::MAX_BASELINE_BYTES)
            .map_err(|e| e.to_string())
            .and_then(|bytes| crate::baseline::Baseline::parse(&String::from_utf8_lossy(&bytes)))
        {
            Ok(baseline) => baseline,
            Err(e) => return fail(format!("cannot read baseline {}: {e}", path.display())),
        };
        let stale = baseline.apply(&mut reports);
        if !stale.is_empty() && !args.quiet {
            let count: usize = stale.iter().map(|e| e.count).sum();
            print_error(format_args!(
                "{count} baseline {} no longer {} (run with --update-baseline to drop them):",
                if count == 1 { "finding" } else { "findings" },
                if count == 1 { "occurs" } else { "occur" }
            ));
            let mut stderr = std::io::stderr().lock();
            for entry in &stale {
                let rule = entry.rule.as_deref().map(|r| format!(" {r}")).unwrap_or_default();
                let line = format!("  {}{rule}: [{}] {}", entry.file, entry.lint, report::one_line(&entry.message));
                let _ = writeln!(stderr, "{}", report::escape_control(&line));
            }
        }
    }

    if args.fix {
        return fix(&engines, &owner, &reports, again, args.diff);
    }

    let threshold = match args.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Info => Severity::Info,
    };
    // Never "No problems found in 0 files" for a run that checked nothing.
    let nothing_checked = reports.is_empty() && !empty_dirs.is_empty();
    let quiet = args.quiet || nothing_checked;
    let output = Output { format: args.format, statistics: args.statistics, quiet, threshold };
    let written = match &args.output_file {
        Some(path) => match std::fs::File::create(path) {
            Ok(file) => write_report(&mut std::io::BufWriter::new(file), &reports, output, false),
            Err(e) => return fail(format!("cannot write {}: {e}", path.display())),
        },
        None => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            write_report(&mut std::io::BufWriter::new(std::io::stdout().lock()), &reports, output, color)
        }
    };
    if let Err(e) = written {
        // A closed pipe (`| head`) is the reader's choice, not an error worth a message.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return fail(format!("cannot write the report: {e}"));
        }
        return ExitCode::from(EXIT_USAGE);
    }
    if matches!(args.format, Format::Human) && !args.quiet {
        for engine in &engines {
            if let Some((url, stats)) = engine.prometheus_stats() {
                let failed = if stats.failures.is_empty() {
                    String::new()
                } else {
                    format!(", {} failed", stats.failures.len())
                };
                print_error(format_args!(
                    "made {} {} to Prometheus at {url}{failed}",
                    stats.queries,
                    if stats.queries == 1 { "query" } else { "queries" }
                ));
            }
        }
    }
    for dir in empty_dirs {
        io_errors.push(format!(
            "{}: no rule file found in this directory; name rule files explicitly, or see `include` in .alertlint.yaml",
            dir.display()
        ));
    }
    for error in &io_errors {
        print_error(error);
    }
    if !io_errors.is_empty() {
        return ExitCode::from(EXIT_USAGE);
    }
    let failed = reports.iter().flat_map(|r| &r.diagnostics).any(|d| d.severity >= threshold);
    // The process ends here: freeing every file's text, model and parse trees
    // one allocation at a time would only delay the exit (about a tenth of a
    // large run).
    std::mem::forget(reports);
    std::mem::forget(engines);
    ExitCode::from(u8::from(failed))
}

fn push_input<T>(inputs: &mut Vec<Vec<T>>, index: usize, input: T) {
    if inputs.len() <= index {
        inputs.resize_with(index + 1, Vec::new);
    }
    inputs[index].push(input);
}

/// Whether a file found by a walk is kept: it holds rules, or it is meant to
/// (a YAML error in a file whose name and text say rule file), or it speaks
/// to alertlint (a `# alertlint` comment with a finding of its own).
fn holds_rules(report: &crate::engine::FileReport) -> bool {
    let not_rules = crate::lints::rule::not_rules::NOT_RULES.id;
    match report.model.kind {
        FileKind::NotRules => report.diagnostics.iter().any(|d| d.lint != not_rules),
        FileKind::Invalid => crate::model::has_rule_file_extension(Path::new(report.file.name())),
        _ => true,
    }
}

/// `--fix`: writes every fixable file, then checks again and reports what
/// remains. With `--diff`, prints the fixes instead and changes nothing
/// (exit 1 when there is something to fix).
fn fix(
    engines: &[Engine],
    owner: &std::collections::HashMap<String, usize>,
    reports: &[crate::engine::FileReport],
    mut args: CheckArgs,
    diff: bool,
) -> ExitCode {
    let stdin_name = args.stdin_filename.clone().unwrap_or_else(|| "<stdin>".into());
    let mut fixed = 0;
    let mut stdout = std::io::stdout().lock();
    for report in reports {
        let on_disk = !(args.paths.iter().any(|p| p.as_os_str() == "-") && report.file.name() == stdin_name);
        if !on_disk || report.diagnostics.is_empty() {
            continue;
        }
        // Each file is fixed by the engine (configuration) that checked it.
        let Some(engine) = owner.get(report.file.name()).and_then(|&i| engines.get(i)) else { continue };
        let Some(text) = crate::fix::fix_file(engine, report) else { continue };
        fixed += 1;
        if diff {
            let patch = crate::fix::unified_diff(report.file.name(), report.file.text(), &text);
            if stdout.write_all(patch.as_bytes()).is_err() {
                return ExitCode::from(EXIT_USAGE);
            }
        } else if let Err(e) = std::fs::write(report.file.name(), text) {
            return fail(format!("cannot write {}: {e}", report.file.name()));
        }
    }
    drop(stdout);
    if diff {
        return ExitCode::from(u8::from(fixed > 0));
    }
    if fixed > 0 && !args.quiet {
        eprintln!("alertlint: fixed {fixed} {}", if fixed == 1 { "file" } else { "files" });
    }
    args.fix = false;
    check(args)
}

/// How `check` prints its report.
#[derive(Clone, Copy)]
struct Output {
    format: Format,
    statistics: bool,
    quiet: bool,
    threshold: Severity,
}

/// Writes the report in the chosen format (or the statistics).
fn write_report(
    out: &mut dyn Write,
    reports: &[crate::engine::FileReport],
    args: Output,
    color: bool,
) -> std::io::Result<()> {
    let threshold = args.threshold;
    let summary = || report::human::summary_line(&report::Summary::of(reports));
    if args.statistics {
        let mut counts: std::collections::BTreeMap<&str, (usize, Severity)> = std::collections::BTreeMap::new();
        for d in reports.iter().flat_map(|r| &r.diagnostics) {
            let entry = counts.entry(d.lint).or_insert((0, d.severity));
            entry.0 += 1;
            entry.1 = entry.1.max(d.severity);
        }
        let mut rows: Vec<_> = counts.into_iter().collect();
        rows.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(b.0)));
        for (lint, (count, severity)) in rows {
            writeln!(out, "{count:>7}  {severity:<7}  {lint}")?;
        }
        if !args.quiet {
            out.write_all(summary().as_bytes())?;
        }
        return out.flush();
    }
    match args.format {
        Format::Human => {
            let mut renderer = report::human::Renderer::new(report::human::Style { color, width: 100 });
            for report in reports {
                renderer.write_file(out, report)?;
            }
            if !args.quiet {
                out.write_all(summary().as_bytes())?;
            }
        }
        Format::Concise => {
            for report in reports {
                report::concise::write_file(out, report)?;
            }
            if !args.quiet {
                out.write_all(summary().as_bytes())?;
            }
        }
        Format::Json => report::json::write(out, reports)?,
        Format::Sarif => out.write_all(report::sarif::render(reports).as_bytes())?,
        Format::Github => out.write_all(report::github::render(reports).as_bytes())?,
        Format::Gitlab => out.write_all(report::gitlab::render(reports).as_bytes())?,
        Format::Junit => out.write_all(report::junit::render(reports, threshold).as_bytes())?,
        Format::Checkstyle => out.write_all(report::checkstyle::render(reports).as_bytes())?,
    }
    out.flush()
}

fn routes(args: RoutesArgs) -> ExitCode {
    use crate::routes::{self, RoutesFormat};
    let mut config = match load_config(args.config.as_deref()) {
        Ok(config) => config,
        Err(e) => return fail(e),
    };
    let Some(am_path) = args.alertmanager_config.or(config.alertmanager_config.take()) else {
        return fail(
            "no Alertmanager configuration: pass --alertmanager-config FILE, or set `alertmanager.config` in .alertlint.yaml",
        );
    };
    let am_text = match read::read_text(&am_path, read::MAX_ALERTMANAGER_BYTES) {
        Ok(text) => text,
        Err(e) => return fail(format!("cannot read Alertmanager configuration {}: {e}", am_path.display())),
    };
    let am_file = crate::source::SourceFile::new(am_path.display().to_string(), am_text);
    let am = match crate::alertmanager::load(&am_file) {
        Ok(am) => am,
        Err(findings) => {
            // Nothing can be routed through an invalid tree: show why, as `check` would.
            let reports = [crate::engine::FileReport::without_rules(am_file, findings)];
            let output = match args.format {
                RoutesFormat::Human => {
                    report::human::render(&reports, report::human::Style { color: use_color(), width: 100 })
                }
                RoutesFormat::Json => report::json::render(&reports),
            };
            return write_stdout(&output).err().unwrap_or(ExitCode::from(1));
        }
    };
    let paths = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths.clone() };
    let filter = match crate::discover::Filter::new(&config) {
        Ok(filter) => filter,
        Err(e) => return fail(e),
    };
    let discovered = match crate::discover::discover(&paths, read::MAX_RULE_FILE_BYTES, &mut |p| Ok(filter.pick(p))) {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    let mut inputs = Vec::new();
    let mut io_errors = discovered.errors;
    for found in discovered.files {
        if found.oversized {
            let limit = read::MAX_RULE_FILE_BYTES;
            io_errors.push(format!("{}: file is larger than the limit of {limit} bytes", found.path.display()));
            continue;
        }
        inputs.push(crate::engine::Input { name: found.path.display().to_string(), bytes: found.bytes });
    }
    // The engine loads, parses and routes the rules; this command renders.
    // Routing needs no server and no saved scrape.
    config.prometheus.url = None;
    config.prometheus.metrics.clear();
    let syntax = crate::lints::yaml::syntax::SYNTAX.id;
    let routing = format!("{}/*", crate::lints::routing::blackhole::BLACKHOLE.family());
    let selection = crate::engine::Selection { select: vec![routing, syntax.into()], ignore: Vec::new() };
    let mut engine = match crate::engine::Engine::new(config, selection) {
        Ok(engine) => engine,
        Err(e) => return fail(e),
    };
    engine.use_alertmanager(am_file, am);
    let Some(am) = engine.alertmanager() else {
        return fail("the Alertmanager configuration could not be used");
    };
    let reports = engine.check(inputs);
    // A rule file that is not valid YAML cannot be routed: say so (exit 2)
    // rather than report that it has no alerts.
    let mut unreadable = 0;
    for report in &reports {
        if let Some(d) = report.diagnostics.iter().find(|d| d.lint == syntax && d.severity == Severity::Error) {
            let position = report.file.position(d.span.start);
            let message = report::escape_control(&d.message);
            io_errors.push(format!(
                "{}:{}:{}: invalid YAML: {message}",
                report.file.name(),
                position.line,
                position.column
            ));
            unreadable += 1;
        }
    }
    let alerts = routes::collect(&reports, engine.config(), am);
    let output = match args.format {
        RoutesFormat::Human if alerts.is_empty() && unreadable > 0 => String::new(),
        // Alert names and receivers come from the user's files: no raw control characters.
        RoutesFormat::Human => report::escape_control(&routes::render_human(&alerts, am)).into_owned(),
        RoutesFormat::Json => routes::render_json(&alerts),
    };
    if let Err(code) = write_stdout(&output) {
        return code;
    }
    for error in &io_errors {
        print_error(error);
    }
    ExitCode::from(if io_errors.is_empty() { 0 } else { EXIT_USAGE })
}

fn use_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Bytes read from stdin: one more than the engine checks, so that a
/// larger input is reported as too large without being read whole.
const READ_LIMIT: u64 = read::MAX_RULE_FILE_BYTES as u64 + 1;

/// Most worker threads `--jobs` starts: far more than any machine has
/// cores, and few enough that their stacks cannot exhaust memory.
const MAX_JOBS: usize = 1024;

/// The policies of the configuration `rules`/`explain` see (the nearest one);
/// none when it cannot be read (those commands do not need it).
fn configured_policies() -> Vec<crate::policy::Policy> {
    load_config(None).map(|c| c.policies).unwrap_or_default()
}

fn rules() -> ExitCode {
    let registry = lints::registry();
    let policies = configured_policies();
    let width = registry.iter().map(|r| r.meta.id.len()).chain(policies.iter().map(|p| p.id.len())).max().unwrap_or(0);
    let mut out = String::new();
    for r in registry {
        let m = r.meta;
        out.push_str(&format!(
            "{:width$}  {:7}  {:12}  {}\n",
            m.id,
            m.default_severity.as_str(),
            m.family(),
            m.summary
        ));
    }
    for p in &policies {
        let summary = p.message.clone().unwrap_or_else(|| "a configured policy (`alertlint explain` shows it)".into());
        out.push_str(&format!(
            "{:width$}  {:7}  {:12}  {}\n",
            p.id,
            p.severity.as_str(),
            crate::policy::FAMILY,
            summary
        ));
    }
    write_stdout(&out).err().unwrap_or(ExitCode::SUCCESS)
}

fn explain(id: &str) -> ExitCode {
    if id.strip_prefix(crate::policy::FAMILY).is_some_and(|rest| rest.starts_with('/')) {
        let policies = configured_policies();
        return match policies.iter().find(|p| p.id == id) {
            Some(policy) => write_stdout(&crate::policy::describe(policy)).err().unwrap_or(ExitCode::SUCCESS),
            None => match lints::closest(id, policies.iter().map(|p| p.id)) {
                Some(c) => fail(format!("no policy is named `{id}`; did you mean `{c}`?")),
                None => fail(format!("no policy is named `{id}` in the nearest .alertlint.yaml")),
            },
        };
    }
    match lints::find(id) {
        Some(meta) => {
            let text = format!(
                "# {}\n\nDefault severity: {}. {}.\n\n{}",
                meta.id,
                meta.default_severity,
                capitalise(meta.summary),
                meta.docs_text()
            );
            write_stdout(&text).err().unwrap_or(ExitCode::SUCCESS)
        }
        None => {
            let ids = lints::registry().iter().map(|r| r.meta.id);
            match lints::closest(id, ids) {
                Some(c) => fail(format!("no lint is named `{id}`; did you mean `{c}`?")),
                None => fail(format!("no lint is named `{id}`; `alertlint rules` lists them")),
            }
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The starter configuration written by `alertlint init`, before the
/// conventions read from the rule files are filled in (`{runbook}`, `{owner}`, `{severity}`).
const STARTER_CONFIG: &str = r#"# alertlint configuration. Every key is optional; unknown keys are errors.
# `alertlint rules` lists the lints, `alertlint explain ID` documents one.

# Which rule-group fields are valid: prometheus (as strict as promtool), thanos, mimir.
dialect: prometheus

# Files to check when a directory is given (globs relative to this file).
# include: ["rules/**/*.yaml"]
exclude: ["**/vendor/**"]

# Per-lint severity (error, warning, info) or `off`, with options.
lints:
  # noise/for-too-short: { severity: warning, min_for: 2m }
  # record/naming: off

# What is not set here is read from the rule files at every run. The values below were
# read from the rule files under this directory; setting them makes every alert follow them.

{runbook}
{owner}
{severity}
prometheus:
  # The scrape interval, for noise/rate-window-too-short. Unknown unless set (here or through
  # `config: prometheus.yml`): only windows under 1m (four scrapes at 15s) are then reported.
  # scrape_interval: 30s
  # version: "3.5"                  # the Prometheus whose syntax and fields apply (default: latest 3.x)
  # features: [promql-experimental-functions]   # its feature flags that change the syntax
  # metrics: [metrics/*.prom]       # saved /metrics scrapes: metric types
  # url: http://127.0.0.1:9090      # a live server for the online lints

# alertmanager:
#   config: deploy/alertmanager.yml # enables the routing lints

# Team policies, each reported as `policy/NAME` (recipes: docs/policies.md).
# policies:
#   - name: critical-needs-runbook
#     match: { kind: alert, labels: { severity: critical } }
#     require: { annotations: { runbook_url: {} } }
"#;

/// A YAML scalar, quoted when a plain one would read as something else.
fn yaml_scalar(item: &str) -> String {
    let plain = !item.is_empty()
        && item.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
        && !matches!(
            item.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n" | "~"
        )
        && item.parse::<f64>().is_err();
    if plain { item.to_string() } else { format!("'{}'", item.replace('\'', "''")) }
}

/// `[a, b]` in YAML flow style.
fn flow_list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(String::as_str).map(yaml_scalar).collect::<Vec<_>>().join(", "))
}

/// How many of the alerts follow a convention, for the comments `init` writes.
fn share(adoption: crate::conventions::Adoption) -> String {
    format!("{} of {} alerts", adoption.following, adoption.alerts)
}

/// The starter configuration with the inferred conventions written in. A
/// convention followed by at least half of the alerts is written as a
/// setting; a weaker one is written as a comment, so that pinning it does not
/// turn on one finding per alert.
pub fn starter_config(conventions: &crate::conventions::Conventions) -> String {
    let [runbook_use, owner_use, severity_use] = conventions.run_adoption();
    let section = |title: &str, name: &str, body: String, adopted: bool, found: bool, what: String| -> String {
        let mut out = format!("# {title}\n");
        if !found {
            out.push_str(&format!("# No alert names one yet; uncomment to require it.\n# {name}:\n"));
            for line in body.lines() {
                out.push_str(&format!("#   {line}\n"));
            }
            return out;
        }
        out.push_str(&format!("# Read from the rule files: {what}.\n"));
        if adopted {
            out.push_str(&format!("{name}:\n"));
            for line in body.lines() {
                out.push_str(&format!("  {line}\n"));
            }
        } else {
            out.push_str("# Fewer than half of the alerts follow it; uncomment to require it everywhere.\n");
            out.push_str(&format!("# {name}:\n"));
            for line in body.lines() {
                out.push_str(&format!("#   {line}\n"));
            }
        }
        out
    };

    let runbook_keys = if conventions.runbook.keys.is_empty() {
        vec!["runbook_url".to_string()]
    } else {
        conventions.runbook.keys.clone()
    };
    let runbook = section(
        "Annotations that hold the runbook link, and the form links must have.",
        "runbook",
        format!("annotations: {}\n# url_pattern: '^https://runbooks\\.example\\.com/'", flow_list(&runbook_keys)),
        runbook_use.adopted(),
        !conventions.runbook.keys.is_empty(),
        format!("{} have a runbook", share(runbook_use)),
    );

    let owner_keys =
        if conventions.owner.keys.is_empty() { vec!["team".to_string()] } else { conventions.owner.keys.clone() };
    let owner = section(
        "The labels that name an alert's owner, and the teams that exist.",
        "owner",
        format!("labels: {}\n# teams: [db, sre, platform]", flow_list(&owner_keys)),
        owner_use.adopted(),
        !conventions.owner.keys.is_empty(),
        format!("{} name an owner", share(owner_use)),
    );

    let label = conventions.severity.preferred("severity").to_string();
    let mut used: Vec<(String, usize)> = conventions
        .severity_counts
        .get(&label)
        .map(|c| c.iter().map(|(v, n)| (v.clone(), *n)).collect())
        .unwrap_or_default();
    used.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    type Counted = Vec<(String, usize)>;
    let (values, outliers): (Counted, Counted) =
        used.into_iter().partition(|(v, _)| conventions.severity_problem(&label, v).is_none());
    let values: Vec<String> = if values.is_empty() && conventions.severity_values.is_empty() {
        vec!["critical".into(), "warning".into(), "info".into()]
    } else if values.is_empty() {
        conventions.severity_values.clone()
    } else {
        values.into_iter().map(|(v, _)| v).collect()
    };
    let mut what = format!("{} have a `{label}` label", share(severity_use));
    if !outliers.is_empty() {
        let list: Vec<String> = outliers.iter().map(|(v, n)| format!("`{v}` ({n})")).collect();
        what.push_str(&format!("; left out as probable mistakes: {}", list.join(", ")));
    }
    let severity = section(
        "The severity label and its allowed values.",
        "severity",
        format!("label: {}\nvalues: {}", yaml_scalar(&label), flow_list(&values)),
        severity_use.adopted(),
        !conventions.severity.keys.is_empty(),
        what,
    );

    STARTER_CONFIG.replace("{runbook}", &runbook).replace("{owner}", &owner).replace("{severity}", &severity)
}

fn init(force: bool) -> ExitCode {
    use crate::config::FILE_NAMES;
    // An existing configuration under either name is the one to keep (or,
    // with --force, to replace): writing the other name would silently
    // take precedence over it. A symbolic link counts as existing, even a
    // dangling one, and is never written through.
    let existing = FILE_NAMES.iter().map(Path::new).find(|p| p.symlink_metadata().is_ok());
    let path = existing.unwrap_or(Path::new(FILE_NAMES[0]));
    if let Some(existing) = existing {
        if !force {
            return fail(format!("{} already exists (use --force to overwrite it)", existing.display()));
        }
        let is_link = existing.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink());
        if is_link {
            return fail(format!(
                "{} is a symbolic link; alertlint does not write through it (remove it, or edit its target)",
                existing.display()
            ));
        }
    }

    let config = Config::default();
    let mut inputs = Vec::new();
    let filter = match crate::discover::Filter::new(&config) {
        Ok(filter) => filter,
        Err(e) => return fail(e),
    };
    match crate::discover::discover(&[PathBuf::from(".")], read::MAX_RULE_FILE_BYTES, &mut |p| Ok(filter.pick(p))) {
        Ok(discovered) => {
            for found in discovered.files.into_iter().filter(|f| !f.oversized) {
                inputs.push(Input { name: found.path.display().to_string(), bytes: found.bytes });
            }
        }
        Err(e) => return fail(e),
    }
    let engine = match Engine::new(config, Selection::default()) {
        Ok(engine) => engine,
        Err(e) => return fail(e),
    };
    let text = starter_config(&engine.infer_conventions(inputs));

    if existing.is_some()
        && let Err(e) = std::fs::remove_file(path)
    {
        return fail(format!("{}: {e}", path.display()));
    }
    // `create_new` never follows a symbolic link, not even one made since the check above.
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .and_then(|mut file| file.write_all(text.as_bytes()));
    match written {
        Ok(()) => write_stdout(&format!("wrote {}\n", path.display())).err().unwrap_or(ExitCode::SUCCESS),
        Err(e) => fail(format!("{}: {e}", path.display())),
    }
}

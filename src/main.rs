fn main() -> std::process::ExitCode {
    alertlint::cli::run()
}

fn main() -> std::process::ExitCode {
    alertlint::cli::run()
}

// Most of a check's time goes to many small allocations (YAML nodes, strings).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

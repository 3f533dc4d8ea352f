fn main() -> std::process::ExitCode {
    alertlint::cli::run()
}

// Most of a check's time goes to many small allocations (YAML nodes, strings).
// Built without transparent huge pages (`no_thp`): a short run touches only
// part of each 2 MiB page, and zeroing whole huge pages cost a quarter of the
// time and 25 MiB of peak memory on the corpus.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

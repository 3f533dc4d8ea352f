//! Timing a child process and reading its own peak memory, for the benchmarks.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `command` once with its output discarded; returns its wall time and
/// peak resident memory in KiB. Exit codes 0 and 1 (findings) are success.
pub fn run(command: &mut Command) -> (Duration, i64) {
    let (wall, _, peak) = run_with_cpu(command);
    (wall, peak)
}

/// Like [`run`], and also the child's CPU time (user and system).
pub fn run_with_cpu(command: &mut Command) -> (Duration, Duration, i64) {
    let start = Instant::now();
    // Reaped by `wait4` below, which also reads its resource usage.
    #[allow(clippy::zombie_processes)]
    let child = command.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn");
    let mut status = 0;
    // SAFETY: wait4 writes only into the zeroed rusage and status we pass, for our own child.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage);
        usage
    };
    let elapsed = start.elapsed();
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) <= 1, "{command:?} failed with status {status}");
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    (elapsed, time(usage.ru_utime) + time(usage.ru_stime), usage.ru_maxrss)
}

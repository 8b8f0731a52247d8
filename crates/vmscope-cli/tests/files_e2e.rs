//! End to end: the file monitor in a real guest. The default guest runs `wl-files` and `wl-files32`
//! (guest/workloads/files.c), which print what only they know (descriptor numbers, pipe and socket
//! inode numbers, child pids); the journal must name every descriptor as the workload used it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test may panic"
)]

mod common;

#[path = "checks/files.rs"]
mod checks;

use checks::check_run;
use common::{GuestRun, vmscope};
use serde_json::Value;

/// Runs the file workloads (64- and 32-bit) on `series` with the file monitor; `append` goes on the
/// guest's command line. Returns the journal's events and the console, `None` when the guest is
/// missing and VMSCOPE_SKIP_E2E=1.
fn run_files(series: &str, append: &str) -> Option<(Vec<Value>, String)> {
    let name = format!("files-{}", append.replace([' ', '='], ""));
    let out = GuestRun::new(series, &name)?
        .modules("files")
        .arg("--capture")
        .arg("16")
        .append(append)
        .workloads("files,files32")
        .run();
    let console_text = out.console.clone();
    for line in console_text
        .lines()
        .filter(|l| l.contains("vmscope-guest: end "))
    {
        assert!(
            line.trim_end().contains("status=0"),
            "a workload failed: {line}"
        );
    }
    Some((out.events(), console_text))
}

#[test]
fn file_monitor_names_every_descriptor_the_workload_used() {
    let Some((all, console)) = run_files("6.12", "") else {
        return;
    };
    check_run(&all, &console, "files");
    check_run(&all, &console, "files32");
}

/// With page-table isolation forced on (`pti=on`) the kernel is not mapped at a call's return: the
/// names only the kernel knows (descriptors open before tracing, the initial working directory, pipe
/// and socket inodes) are read at the kernel's last page-table switch before the return.
#[test]
fn file_monitor_names_every_descriptor_with_kpti_forced_on() {
    for series in ["6.12", "6.1"] {
        let Some((all, console)) = run_files(series, "pti=on") else {
            return;
        };
        assert!(
            console.contains("page tables isolation: enabled"),
            "{series}: KPTI not enabled:\n{console}"
        );
        check_run(&all, &console, "files");
        check_run(&all, &console, "files32");
    }
}

#[test]
fn capture_without_the_files_module_is_refused() {
    let out = vmscope()
        .args(["run", "--modules", "syscalls", "--capture", "8"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.trim(),
        "vmscope: --capture needs the files module (--modules files)"
    );
}

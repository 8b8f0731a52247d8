//! Helpers shared by the integration tests.
#![allow(dead_code, reason = "each test binary uses part of it")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test may panic"
)]

use std::path::PathBuf;
use std::process::Command;

/// The `vmscope` binary under test.
pub fn vmscope() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vmscope"))
}

/// The default guest's directory for a kernel series (as `guest/build.sh` writes it).
pub fn guest_dir(series: &str) -> PathBuf {
    let root = std::env::var_os("VMSCOPE_GUEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let cache = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cache"));
            cache.join("vmscope").join("guest")
        });
    root.join(format!("linux-{series}"))
}

/// The guest for `series`, or `None` (with a line saying so) when VMSCOPE_SKIP_E2E=1 and it is missing.
/// Without that switch a missing guest fails the test: the suite must not pass by running nothing.
pub fn require_guest(series: &str) -> Option<(PathBuf, PathBuf)> {
    let d = guest_dir(series);
    let (k, i) = (d.join("vmlinuz"), d.join("initrd.img"));
    if k.is_file() && i.is_file() {
        return Some((k, i));
    }
    if std::env::var_os("VMSCOPE_SKIP_E2E").is_some_and(|v| v == "1") {
        eprintln!("skipped: no guest in {} (VMSCOPE_SKIP_E2E=1)", d.display());
        return None;
    }
    panic!(
        "no guest in {}: run `guest/build.sh --kernel {series}` (or scripts/setup.sh) first",
        d.display()
    );
}

/// A fresh temporary directory for one test.
pub fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("vmscope-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

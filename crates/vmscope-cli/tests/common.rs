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

/// The Debian disk guest (`guest/build-debian.sh`): its directory, or `None` (with a line saying so)
/// when VMSCOPE_SKIP_E2E=1 and it is missing; without that switch a missing guest fails the test.
/// `bootable`: `disk-boot.img` is needed too (`guest/build-debian.sh --bootable`).
pub fn require_debian(bootable: bool) -> Option<PathBuf> {
    let d = guest_dir("6.12").with_file_name("debian-12");
    let mut need = vec!["vmlinuz", "initrd.img", "disk.img"];
    if bootable {
        need.push("disk-boot.img");
    }
    if need.iter().all(|f| d.join(f).is_file()) {
        return Some(d);
    }
    if std::env::var_os("VMSCOPE_SKIP_E2E").is_some_and(|v| v == "1") {
        eprintln!(
            "skipped: no Debian guest in {} (VMSCOPE_SKIP_E2E=1)",
            d.display()
        );
        return None;
    }
    panic!(
        "no Debian guest in {} (needs {}): run `guest/build-debian.sh --bootable` as root (or \
         scripts/setup.sh) first",
        d.display(),
        need.join(", ")
    );
}

/// A fresh temporary directory for one test.
pub fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("vmscope-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// One `vmscope run` of a test guest, built up and then run: the boilerplate every end-to-end test
/// shares (guest, journal and console files in a fresh directory, a timeout, success checked).
pub struct GuestRun {
    kernel: PathBuf,
    initrd: PathBuf,
    dir: PathBuf,
    args: Vec<std::ffi::OsString>,
    append: Vec<String>,
    qemu: Vec<std::ffi::OsString>,
    strace: bool,
    format: &'static str,
}

/// What a [`GuestRun`] left.
pub struct RunOutput {
    /// The journal.
    pub journal: String,
    /// The guest's console.
    pub console: String,
    /// strace's output from inside the guest, when asked for.
    pub strace: Option<String>,
    /// vmscope's standard error.
    pub stderr: String,
    /// The run's directory.
    pub dir: PathBuf,
}

impl RunOutput {
    /// The journal's JSON lines.
    pub fn events(&self) -> Vec<serde_json::Value> {
        self.journal
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
            .collect()
    }
}

impl GuestRun {
    /// A run of guest `series` in a directory named after `name`; `None` when the guest is missing
    /// and VMSCOPE_SKIP_E2E=1 (see [`require_guest`]).
    pub fn new(series: &str, name: &str) -> Option<Self> {
        let (kernel, initrd) = require_guest(series)?;
        Some(Self {
            kernel,
            initrd,
            dir: tempdir(&format!("{name}-{series}")),
            args: Vec::new(),
            append: Vec::new(),
            qemu: Vec::new(),
            strace: false,
            format: "jsonl",
        })
    }

    /// The run's directory (journal, console, and whatever a test puts there).
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// The workloads to run (`vmscope.run=`).
    pub fn workloads(self, w: &str) -> Self {
        self.append(&format!("vmscope.run={w}"))
    }

    /// More of the guest's command line.
    pub fn append(mut self, a: &str) -> Self {
        if !a.is_empty() {
            self.append.push(a.to_string());
        }
        self
    }

    /// `--modules`.
    pub fn modules(self, m: &str) -> Self {
        self.arg("--modules").arg(m)
    }

    /// The journal as text instead of JSON Lines.
    pub fn text(mut self) -> Self {
        self.format = "text";
        self
    }

    /// One more `vmscope run` argument.
    pub fn arg(mut self, a: impl Into<std::ffi::OsString>) -> Self {
        self.args.push(a.into());
        self
    }

    /// Runs strace inside the guest too (its output on the second serial port).
    pub fn strace(mut self) -> Self {
        self.strace = true;
        self.append.push("vmscope.strace=1".into());
        self
    }

    /// One more QEMU argument (after `--`).
    pub fn qemu_arg(mut self, a: impl Into<std::ffi::OsString>) -> Self {
        self.qemu.push(a.into());
        self
    }

    /// The command, not yet run (for tests that drive the process themselves).
    pub fn command(&self) -> Command {
        let mut c = vmscope();
        c.args(["run", "--kernel"])
            .arg(&self.kernel)
            .arg("--initrd")
            .arg(&self.initrd)
            .args(["--format", self.format, "--timeout", "1200"])
            .args(&self.args)
            .arg("--output")
            .arg(self.dir.join("journal"))
            .arg("--console")
            .arg(self.dir.join("console.log"));
        if !self.append.is_empty() {
            c.arg("--append").arg(self.append.join(" "));
        }
        if self.strace || !self.qemu.is_empty() {
            c.arg("--");
            if self.strace {
                c.arg("-serial")
                    .arg(format!("file:{}", self.dir.join("strace.log").display()));
            }
            c.args(&self.qemu);
        }
        c
    }

    /// Runs it; panics (with the console) unless vmscope succeeded.
    pub fn run(self) -> RunOutput {
        let out = self.command().output().unwrap();
        let console = std::fs::read_to_string(self.dir.join("console.log")).unwrap_or_default();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "vmscope failed: {stderr}\n{console}");
        RunOutput {
            journal: std::fs::read_to_string(self.dir.join("journal")).unwrap_or_default(),
            strace: self
                .strace
                .then(|| std::fs::read_to_string(self.dir.join("strace.log")).unwrap_or_default()),
            console,
            stderr,
            dir: self.dir,
        }
    }
}

/// `vmscope compare` of `journal` against strace's log `strace` with `--min-matched min_matched`:
/// asserts it succeeded (prints its report) and returns the percentage of byte-identical argument
/// lists with the report's `overall` line.
pub fn compare_with_strace(
    journal: &std::path::Path,
    strace: &std::path::Path,
    min_matched: u32,
) -> (f64, String) {
    let cmp = vmscope()
        .args(["compare", "--journal"])
        .arg(journal)
        .arg("--strace")
        .arg(strace)
        .args(["--min-matched", &min_matched.to_string()])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&cmp.stdout);
    println!("{report}");
    assert!(
        cmp.status.success(),
        "compare: {report}{}",
        String::from_utf8_lossy(&cmp.stderr)
    );
    let overall = report
        .lines()
        .find(|l| l.starts_with("overall"))
        .expect("overall line")
        .to_string();
    let identical: f64 = overall
        .split_whitespace()
        .nth(3)
        .and_then(|p| p.trim_end_matches('%').parse().ok())
        .expect("identical %");
    (identical, overall)
}

//! A user who errs gets one clear line and a non-zero exit, within seconds, before any guest starts.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test may panic"
)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{require_guest, tempdir, vmscope};

/// Runs vmscope with `args` (and `env`), expects failure, returns stderr.
fn fails(args: &[&str], env: &[(&str, &str)]) -> String {
    let start = Instant::now();
    let mut c = vmscope();
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{args:?} took {:?}",
        start.elapsed()
    );
    assert!(!out.status.success(), "{args:?} succeeded");
    assert_ne!(out.status.code(), None, "{args:?} died of a signal");
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
    err
}

fn one_line(err: &str, needle: &str) {
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one line, got: {err}");
    assert!(lines[0].contains(needle), "expected `{needle}` in: {err}");
}

fn fake_qemu(dir: &Path, version: &str, plugins: bool) -> String {
    let p = dir.join(format!("qemu-{version}-{plugins}"));
    let plugin_help = if plugins {
        "echo 'Plugin options'; echo '  file=<path/to/plugin.so>'"
    } else {
        "echo 'qemu: -plugin: invalid option' >&2; exit 1"
    };
    std::fs::write(
        &p,
        format!(
            "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'QEMU emulator version {version}'; exit 0; fi\n\
             if [ \"$1\" = -plugin ]; then {plugin_help}; exit 0; fi\nexit 0\n"
        ),
    )
    .unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p.display().to_string()
}

#[test]
fn bad_paths_and_names() {
    one_line(
        &fails(&["run", "--kernel", "/nonexistent/vmlinuz"], &[]),
        "kernel /nonexistent/vmlinuz",
    );
    one_line(
        &fails(
            &[
                "run",
                "--kernel",
                "/etc/hostname",
                "--initrd",
                "/nonexistent/initrd",
            ],
            &[],
        ),
        "initrd /nonexistent/initrd",
    );
    one_line(
        &fails(&["run", "--kernel", "/etc/hostname"], &[]),
        "kernel /etc/hostname",
    );
    one_line(
        &fails(&["run", "--kernel", "/etc"], &[]),
        "not a regular file",
    );
    one_line(
        &fails(&["run", "--modules", "syscalls,bogus"], &[]),
        "unknown module `bogus`",
    );
    one_line(
        &fails(&["run", "--modules", "none,syscalls"], &[]),
        "--modules none",
    );
    one_line(
        &fails(&["run"], &[("VMSCOPE_GUEST_DIR", "/nonexistent/guests")]),
        "no default guest in /nonexistent/guests/linux-6.12",
    );
    one_line(
        &fails(&["run", "--output", "/nonexistent/dir/j.jsonl"], &[]),
        "--output",
    );
    one_line(&fails(&["kernel", "/bin/sh"], &[]), "kernel /bin/sh");
}

#[test]
fn bad_options_are_refused_by_the_parser() {
    for args in [
        &["run", "--format", "xml"][..],
        &["run", "--smp", "0"],
        &["run", "--memory", "lots"],
        &["run", "--string-limit", "0"],
        &["frobnicate"],
    ] {
        let err = fails(args, &[]);
        assert!(err.contains("error:"), "{args:?}: {err}");
    }
}

#[test]
fn unusable_qemus_are_named() {
    let Some((kernel, initrd)) = require_guest("6.12") else {
        return;
    };
    let (k, i) = (kernel.display().to_string(), initrd.display().to_string());
    let dir = tempdir("qemus");
    let base = ["run", "--kernel", &k, "--initrd", &i];
    let with = |q: &str| -> Vec<String> {
        base.iter()
            .map(|s| s.to_string())
            .chain(["--qemu".to_string(), q.to_string()])
            .collect()
    };
    let old = fake_qemu(&dir, "7.2.0", true);
    let a = with(&old);
    one_line(
        &fails(&a.iter().map(String::as_str).collect::<Vec<_>>(), &[]),
        "too old",
    );
    let noplug = fake_qemu(&dir, "10.0.2", false);
    let a = with(&noplug);
    one_line(
        &fails(&a.iter().map(String::as_str).collect::<Vec<_>>(), &[]),
        "without TCG plugin support",
    );
    let a = with("/nonexistent/qemu-system-x86_64");
    one_line(
        &fails(&a.iter().map(String::as_str).collect::<Vec<_>>(), &[]),
        "QEMU not found",
    );
    let a = with("/etc/hostname");
    let err = fails(&a.iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    one_line(&err, "/etc/hostname");
}

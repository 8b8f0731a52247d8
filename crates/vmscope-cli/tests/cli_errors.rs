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
        &fails(&["run", "--trace", "%network,%bogus"], &[]),
        "unknown class `%bogus`",
    );
    one_line(
        &fails(&["run", "--trace", "!opne"], &[]),
        "unknown system call `opne`",
    );
    one_line(
        &fails(&["run"], &[("VMSCOPE_GUEST_DIR", "/nonexistent/guests")]),
        "no default x86_64 guest in /nonexistent/guests/linux-6.12",
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

/// The guest's own boot (`--disk`, boot options after `--`): bad disks, conflicting boot options and
/// accelerators the plugin cannot see are one line, before QEMU is even looked for (the QEMU given
/// does not exist: its error would come later).
#[test]
fn own_boot_mistakes_are_one_line_before_qemu() {
    let dir = tempdir("own-boot");
    let text = dir.join("notes.txt");
    std::fs::write(&text, "hello\n").unwrap();
    let bare = dir.join("fs.img");
    std::fs::write(&bare, vec![0u8; 1 << 16]).unwrap();
    let vmdk = dir.join("disk.vmdk");
    std::fs::write(
        &vmdk,
        b"KDMV\x01\x00\x00\x00 rest of a sparse extent header",
    )
    .unwrap();
    let (text, bare, vmdk) = (
        text.display().to_string(),
        bare.display().to_string(),
        vmdk.display().to_string(),
    );
    let q = ["--qemu", "/nonexistent/qemu-system-x86_64"];
    let run = |extra: &[&str]| -> Vec<String> {
        ["run"]
            .iter()
            .chain(q.iter())
            .chain(extra.iter())
            .map(|s| s.to_string())
            .collect()
    };
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            run(&["--disk", "/nonexistent/disk.img"]),
            "--disk /nonexistent/disk.img",
        ),
        (run(&["--disk", &text]), "not a bootable disk image"),
        (
            run(&["--disk", &bare]),
            "a bare file system boots with -kernel",
        ),
        (run(&["--disk", &vmdk]), "a VMDK image"),
        (run(&["--disk", "/tmp"]), "not a regular file"),
        (
            run(&["--disk", &bare, "--kernel", "/k"]),
            "--disk and --kernel conflict",
        ),
        (
            run(&["--disk", &bare, "--", "-kernel", "/k"]),
            "--disk and -kernel after `--` conflict",
        ),
        (
            run(&["--kernel", "/k", "--", "-kernel", "/k2"]),
            "--kernel and -kernel after `--` conflict",
        ),
        (
            run(&["--append", "quiet", "--", "-drive", "file=x.img"]),
            "--append goes with vmscope's own -kernel",
        ),
        (
            run(&["--", "-append", "root=/dev/vda", "-drive", "file=x.img"]),
            "-append after `--` needs -kernel",
        ),
        (run(&["--disk-write"]), "--disk-write needs --disk"),
        (
            run(&["--", "-enable-kvm", "-drive", "file=x.img"]),
            "sees only TCG execution",
        ),
        (run(&["--", "-accel", "kvm"]), "`-accel kvm`"),
        (
            run(&["--", "-machine", "q35,accel=kvm"]),
            "`-machine q35,accel=kvm`",
        ),
    ];
    for (args, want) in cases {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let err = fails(&a, &[]);
        assert!(!err.contains("QEMU not found"), "{a:?} reached QEMU: {err}");
        one_line(&err, want);
    }
}

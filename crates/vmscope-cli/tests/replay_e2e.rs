//! End to end: record the existing fidelity corpus with strace inside the guest, replay it twice with
//! context, syscalls, processes and files, and demand byte-identical journals that match the recorded
//! strace output (>= 99% of its calls). And every bad recording is one line, a non-zero exit, and no
//! journal written.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test may panic"
)]

mod common;

use std::path::{Path, PathBuf};

use common::vmscope;

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("vmscope-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn replay(rec: &Path, out: &Path) -> std::process::Output {
    vmscope()
        .arg("replay")
        .arg(rec)
        .args([
            "--modules",
            "context,syscalls,processes,files",
            "--format",
            "jsonl",
            "--timeout",
            "1200",
            "--output",
        ])
        .arg(out)
        .output()
        .unwrap()
}

#[test]
fn two_replays_of_one_recording_write_the_same_journal_and_match_strace() {
    let Some((kernel, initrd)) = common::require_guest("6.12") else {
        return;
    };
    let work = tmp("rr");
    std::fs::create_dir_all(&work).unwrap();
    let rec = work.join("rec");
    let strace = work.join("strace.log");
    let out = vmscope()
        .args(["record", "--recording"])
        .arg(&rec)
        .arg("--kernel")
        .arg(&kernel)
        .arg("--initrd")
        .arg(&initrd)
        .args([
            "--append",
            "vmscope.run=corpus vmscope.strace=1",
            "--timeout",
            "1200",
            "--",
            "-serial",
        ])
        .arg(format!("file:{}", strace.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "record failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(rec.join("manifest.json")).unwrap()).unwrap();
    let roles: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["kernel", "initrd"]);
    assert!(
        std::fs::read_to_string(rec.join("console.txt"))
            .unwrap()
            .contains("vmscope-guest: done")
    );
    let recorded = std::fs::read(&strace).unwrap();
    let (j1, j2) = (work.join("r1.jsonl"), work.join("r2.jsonl"));
    for j in [&j1, &j2] {
        let o = replay(&rec, j);
        assert!(
            o.status.success(),
            "replay failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let (a, b) = (std::fs::read(&j1).unwrap(), std::fs::read(&j2).unwrap());
    assert!(a.len() > 100_000, "journal too small: {} bytes", a.len());
    assert!(a == b, "the two replays' journals differ");
    // The replays ran the same guest code: strace in the guest wrote the same log again.
    assert_eq!(std::fs::read(&strace).unwrap(), recorded);
    let cmp = vmscope()
        .args(["compare", "--min-matched", "99", "--journal"])
        .arg(&j1)
        .arg("--strace")
        .arg(&strace)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&cmp.stdout);
    assert!(cmp.status.success(), "{report}");
    assert!(report.contains("overall"), "{report}");
    let _ = std::fs::remove_dir_all(&work);
}

/// Runs `vmscope replay` on a recording that must be refused: one line naming `want`, exit status
/// non-zero, and no journal.
fn refused(rec: &Path, want: &str) {
    let out_file = rec.with_extension("jsonl");
    let _ = std::fs::remove_file(&out_file);
    let o = replay(rec, &out_file);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "accepted {}: {err}", rec.display());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(want), "want `{want}` in: {err}");
    assert!(
        !out_file.exists(),
        "a journal was written for {}",
        rec.display()
    );
}

fn manifest(qemu_version: &str, file: &Path, sha: &str, bytes: u64) -> String {
    serde_json::json!({
        "format": 1,
        "vmscope": "0",
        "qemu": {"path": "/usr/bin/qemu-system-x86_64", "version": qemu_version},
        "icount_shift": 3,
        "boot": {"arch": "x86_64", "kernel": file, "initrd": null, "append": null, "disk": null, "memory": 512,
                 "qemu_args": []},
        "files": [{"role": "kernel", "path": file, "bytes": bytes, "sha256": sha}],
        "command": [],
        "status": 0,
        "stopped_by_timeout": false
    })
    .to_string()
}

fn host_qemu_version() -> String {
    let o = std::process::Command::new("qemu-system-x86_64")
        .arg("--version")
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .next()
        .unwrap()
        .trim()
        .to_string()
}

#[test]
fn bad_recordings_are_one_line_and_write_nothing() {
    let base = tmp("rrbad");
    std::fs::create_dir_all(&base).unwrap();
    refused(&base.join("nowhere"), "no such directory");

    let empty = base.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    refused(&empty, "no manifest.json");

    let corrupt = base.join("corrupt");
    std::fs::create_dir_all(&corrupt).unwrap();
    std::fs::write(corrupt.join("manifest.json"), "{\"format\": 1, \"vmsc").unwrap();
    std::fs::write(corrupt.join("replay.bin"), b"x").unwrap();
    refused(&corrupt, "manifest.json is corrupt");

    // A file booted from, then changed.
    let kernel = base.join("kernel");
    std::fs::write(&kernel, b"kernel bytes").unwrap();
    let changed = base.join("changed");
    std::fs::create_dir_all(&changed).unwrap();
    std::fs::write(
        changed.join("manifest.json"),
        manifest(&host_qemu_version(), &kernel, &"0".repeat(64), 12),
    )
    .unwrap();
    std::fs::write(changed.join("replay.bin"), b"x").unwrap();
    refused(&changed, "changed since it was recorded");

    let nolog = base.join("nolog");
    std::fs::create_dir_all(&nolog).unwrap();
    std::fs::write(
        nolog.join("manifest.json"),
        manifest(&host_qemu_version(), &kernel, &"0".repeat(64), 12),
    )
    .unwrap();
    refused(&nolog, "replay.bin is missing or empty");

    let other = base.join("otherqemu");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(
        other.join("manifest.json"),
        manifest("QEMU emulator version 8.2.2", &kernel, &"0".repeat(64), 12),
    )
    .unwrap();
    std::fs::write(other.join("replay.bin"), b"x").unwrap();
    refused(&other, "made with `QEMU emulator version 8.2.2`");

    // Another kernel debuginfo than the recorded one: other layouts, refused before QEMU starts.
    let dbg = base.join("dbg");
    std::fs::create_dir_all(&dbg).unwrap();
    let mut m: serde_json::Value = serde_json::from_str(&manifest(
        &host_qemu_version(),
        &kernel,
        &"0".repeat(64),
        12,
    ))
    .unwrap();
    m["files"] = serde_json::json!([{"role": "kernel debuginfo", "path": base.join("vmlinux-dbg"),
        "bytes": 5, "sha256": "0".repeat(64)}]);
    std::fs::write(dbg.join("manifest.json"), m.to_string()).unwrap();
    std::fs::write(dbg.join("replay.bin"), b"x").unwrap();
    let o = vmscope()
        .arg("replay")
        .arg(&dbg)
        .arg("--kernel-debuginfo")
        .arg(&kernel)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("not the kernel debuginfo recording"), "{err}");

    // Boot options belong to the recording; record refuses what cannot be replayed.
    let o = vmscope()
        .arg("replay")
        .arg(&changed)
        .args(["--kernel", "/x"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--kernel: a replay boots"));
    let o = vmscope()
        .args(["record", "--smp", "2", "--recording"])
        .arg(base.join("smp"))
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("one vCPU only"));
    assert!(!base.join("smp").exists());
    let o = vmscope()
        .args(["record", "--recording"])
        .arg(&changed)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&o.stderr).contains("is not an empty directory"));
    let _ = std::fs::remove_dir_all(&base);
}

//! Robustness in real guests: many vCPUs, thousands of short-lived processes and blocked calls,
//! QEMU killed or interrupted mid-run, a journal that cannot be written.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test may panic"
)]

mod common;

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{require_guest, tempdir, vmscope};
use serde_json::Value;

/// Every line of a journal parses as one JSON object; returns them.
fn whole_lines(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "the journal ends in the middle of a line"
    );
    text.lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("not a whole JSON line ({e}): {l}"))
        })
        .collect()
}

fn wait_for_lines(path: &Path, n: usize, limit: Duration) {
    let start = Instant::now();
    while start.elapsed() < limit {
        let lines = std::fs::read(path)
            .map(|b| b.iter().filter(|&&c| c == b'\n').count())
            .unwrap_or(0);
        if lines >= n {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!(
        "{} did not reach {n} lines within {limit:?}",
        path.display()
    );
}

fn plugin() -> std::path::PathBuf {
    let bin = std::path::PathBuf::from(env!("CARGO_BIN_EXE_vmscope"));
    bin.parent().unwrap().join("libvmscope.so")
}

/// SIGKILL to QEMU mid-run: the journal holds only whole lines, up to the writer's last flush.
#[test]
fn a_killed_qemu_leaves_only_whole_lines() {
    let Some((kernel, initrd)) = require_guest("6.12") else {
        return;
    };
    let dir = tempdir("kill");
    let j = dir.join("j.jsonl");
    let mut qemu = Command::new("qemu-system-x86_64")
        .args([
            "-M",
            "pc",
            "-m",
            "512",
            "-display",
            "none",
            "-no-reboot",
            "-monitor",
            "none",
        ])
        .args([
            "-serial",
            "null",
            "-append",
            "console=ttyS0 panic=-1 vmscope.run=loop:10000000",
        ])
        .arg("-kernel")
        .arg(&kernel)
        .arg("-initrd")
        .arg(&initrd)
        .arg("-plugin")
        .arg(format!(
            "{},kernel={},output={},format=jsonl",
            plugin().display(),
            kernel.display(),
            j.display()
        ))
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_lines(&j, 20_000, Duration::from_secs(300));
    qemu.kill().unwrap(); // SIGKILL
    qemu.wait().unwrap();
    let lines = whole_lines(&j);
    assert!(lines.len() >= 20_000);
    assert!(lines.iter().filter(|v| v["comm"] == "wl-loop").count() > 1000);
}

/// Ctrl-C (SIGINT to the terminal's process group): the guest stops, the journal is flushed and the
/// calls in flight are reported unfinished.
#[test]
fn ctrl_c_stops_the_guest_and_flushes_the_journal() {
    let Some(_) = require_guest("6.12") else {
        return;
    };
    let dir = tempdir("sigint");
    let j = dir.join("j.jsonl");
    let mut child = vmscope()
        .args([
            "run",
            "--format",
            "jsonl",
            "--append",
            "vmscope.run=loop:10000000",
            "--output",
        ])
        .arg(&j)
        .stdin(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap();
    wait_for_lines(&j, 5_000, Duration::from_secs(300));
    // SAFETY: signalling the process group we just created.
    unsafe { libc_kill(-(child.id() as i32), 2) };
    let start = Instant::now();
    let status = child.wait().unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "vmscope took {:?} to stop",
        start.elapsed()
    );
    assert!(status.success(), "{status:?}");
    let lines = whole_lines(&j);
    let last_notice = lines
        .iter()
        .rev()
        .find(|v| v["type"] == "notice" && v["source"] == "syscalls")
        .expect("the end-of-trace notice");
    assert!(
        last_notice["message"]
            .as_str()
            .unwrap()
            .contains("still in flight")
    );
    // init is blocked in wait4 while the loop runs: reported unfinished, not lost.
    assert!(
        lines
            .iter()
            .any(|v| v["end"] == "unfinished" && v["comm"] == "init")
    );
}

unsafe extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}

/// A journal that cannot be written (a full disk) is reported, and the guest still runs to its end.
#[test]
fn a_full_disk_is_reported() {
    let Some(_) = require_guest("6.12") else {
        return;
    };
    let out = vmscope()
        .args([
            "run",
            "--format",
            "jsonl",
            "--output",
            "/dev/full",
            "--append",
            "vmscope.run=fstab",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot write the journal"), "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    assert_eq!(err.matches("cannot write the journal").count(), 1, "{err}");
}

/// 2 and 4 vCPUs (multi-threaded TCG): threads migrate between vCPUs, the fidelity stays.
#[test]
fn many_vcpus_keep_the_fidelity() {
    let Some(_) = require_guest("6.12") else {
        return;
    };
    for smp in ["2", "4"] {
        let dir = tempdir(&format!("smp{smp}"));
        let (j, s, c) = (
            dir.join("j.jsonl"),
            dir.join("strace.log"),
            dir.join("console.log"),
        );
        let out = vmscope()
            .args(["run", "--smp", smp, "--format", "jsonl", "--timeout", "900"])
            .args([
                "--append",
                "vmscope.run=threads,forkexec,loop:500,threads32 vmscope.strace=1",
            ])
            .arg("--output")
            .arg(&j)
            .arg("--console")
            .arg(&c)
            .arg("--")
            .arg("-serial")
            .arg(format!("file:{}", s.display()))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let lines = whole_lines(&j);
        let vcpus: std::collections::BTreeSet<u64> =
            lines.iter().filter_map(|v| v["vcpu"].as_u64()).collect();
        assert!(
            vcpus.len() >= 2,
            "smp {smp}: calls seen on vCPUs {vcpus:?} only"
        );
        let cmp = vmscope()
            .args(["compare", "--min-matched", "99", "--journal"])
            .arg(&j)
            .arg("--strace")
            .arg(&s)
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&cmp.stdout);
        println!("smp {smp}:\n{report}");
        assert!(
            cmp.status.success(),
            "smp {smp}: fidelity below 99%:\n{report}"
        );
    }
}

/// Thousands of short-lived processes and threads, and thousands of calls left blocked forever: the
/// pending-call table stays bounded and QEMU's memory with vmscope stays within a fixed margin of
/// QEMU's memory without it.
#[test]
fn state_stays_bounded_under_process_churn() {
    let Some(_) = require_guest("6.12") else {
        return;
    };
    let peak = |j: &Path| -> u64 {
        let out = vmscope()
            .args(["run", "--format", "jsonl", "--timeout", "1200"])
            .args(["--append", "vmscope.run=spawn:5000:2000"])
            .arg("--output")
            .arg(j)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // SAFETY: plain data filled by the kernel: the largest resident set of any waited-for child.
        let mut ru: [i64; 18] = [0; 18];
        unsafe { getrusage(-1, ru.as_mut_ptr()) };
        ru[4] as u64 // ru_maxrss, KiB
    };
    let dir = tempdir("churn");
    let j = dir.join("j.jsonl");
    let with = peak(&j);
    let lines = whole_lines(&j);
    let forks = lines
        .iter()
        .filter(|v| v["comm"] == "wl-spawn" && v["name"] == "clone")
        .count();
    assert!(forks >= 5000, "only {forks} clone calls seen");
    let end = lines
        .iter()
        .rev()
        .find(|v| v["type"] == "notice" && v["source"] == "syscalls")
        .expect("end-of-trace notice");
    let msg = end["message"].as_str().unwrap();
    println!("{msg}; peak RSS with vmscope {with} KiB");
    // Parse "N calls still in flight ...; at most M were pending at once".
    let pending_max: u64 = msg
        .split("at most ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(pending_max < 3000, "pending calls peaked at {pending_max}");
    // RUSAGE_CHILDREN is the largest of every child so far (other tests' QEMUs too, all with 512 MiB
    // guests): an absolute bound on QEMU with the plugin, whatever the guest did.
    assert!(with < 700 * 1024, "QEMU with vmscope peaked at {with} KiB");
}

unsafe extern "C" {
    fn getrusage(who: i32, usage: *mut i64) -> i32;
}

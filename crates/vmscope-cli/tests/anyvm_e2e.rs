//! Any VM: a real distribution (Debian 12 with systemd, `guest/build-debian.sh`) that boots itself —
//! its own kernel and initrd given to QEMU after `--`, or its own boot loader with `--disk` — traced
//! from boot to power-off with no kernel file given to vmscope: the kernel's layout is found in guest
//! memory (KASLR on, no profile). Every call names its thread; systemd (pid 1), journald and udevd
//! are seen calling and being exec'd; the thread identities agree with the guest's own `ps -eLo
//! pid,tid,comm`, which `vmscope-ps.service` prints on the console before powering off.
//!
//! The test builds nothing: `scripts/setup.sh` builds the guest (`guest/build-debian.sh --bootable`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test may panic"
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Instant;

use common::{require_debian, tempdir, vmscope};
use serde_json::Value;

/// The guest's own view: (pid, tid, comm) between the `ps begin`/`ps end` markers.
fn ps_rows(console: &str) -> Vec<(u32, u32, String)> {
    let Some(block) = console
        .split("vmscope-debian: ps begin")
        .nth(1)
        .and_then(|b| b.split("vmscope-debian: ps end").next())
    else {
        panic!("no ps list on the console:\n{console}");
    };
    block
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let (pid, rest) = l.split_once(char::is_whitespace)?;
            let (tid, comm) = rest.trim_start().split_once(char::is_whitespace)?;
            Some((
                pid.parse().ok()?,
                tid.parse().ok()?,
                comm.trim().to_string(),
            ))
        })
        .collect()
}

/// Runs vmscope on the Debian guest with `args` (before `--`) and `qemu` (after), a fresh BTF cache
/// under the run's directory; returns the journal's events, the console and the run's directory.
fn run(name: &str, args: &[&str], qemu: &[String]) -> (Vec<Value>, String, std::path::PathBuf) {
    let dir = tempdir(name);
    let started = Instant::now();
    let out = vmscope()
        .args(["run", "--modules", "context,syscalls,processes"])
        .args(["--memory", "1024", "--format", "jsonl", "--timeout", "1500"])
        .arg("--output")
        .arg(dir.join("journal"))
        .arg("--console")
        .arg(dir.join("console.log"))
        .args(args)
        .arg("--")
        .args(qemu)
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .output()
        .unwrap();
    // Firmware and boot loader output is not all UTF-8.
    let console =
        String::from_utf8_lossy(&std::fs::read(dir.join("console.log")).unwrap_or_default())
            .into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "vmscope failed: {stderr}\n{console}");
    eprintln!("{name}: {:.1} s wall", started.elapsed().as_secs_f64());
    let journal = std::fs::read_to_string(dir.join("journal")).unwrap();
    let events: Vec<Value> = journal
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect();
    (events, console, dir)
}

fn message(v: &Value) -> &str {
    v["message"].as_str().unwrap_or("")
}

/// Everything the issue asks of a traced boot of the Debian guest.
fn check_boot(events: &[Value], console: &str, dir: &Path) {
    assert!(
        console.contains("vmscope-debian: poweroff"),
        "the guest did not reach its power-off:\n{console}"
    );
    // Where the layout came from: announced first, then found in memory (a fresh cache), and cached.
    let notices: Vec<&Value> = events.iter().filter(|v| v["type"] == "notice").collect();
    assert!(
        message(notices[0]).starts_with("kernel layout: from guest memory"),
        "{notices:?}"
    );
    let found = events
        .iter()
        .position(|v| {
            v["type"] == "notice"
                && message(v).starts_with("kernel layout from guest memory: Linux 6.1")
        })
        .unwrap_or_else(|| panic!("no layout found: {notices:?}"));
    let m = message(&events[found]);
    assert!(
        m.contains(") found at 0xffffffff") && m.contains("KASLR slide"),
        "{m}"
    );
    eprintln!("{m}");
    let cached: Vec<_> = std::fs::read_dir(dir.join("cache/vmscope/btf"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(
        cached.iter().any(|f| f.to_string_lossy().ends_with(".btf")),
        "nothing cached: {cached:?}"
    );

    // Every call once the layout is known names its thread; before it (if any) none, said once.
    let calls: Vec<&Value> = events.iter().filter(|v| v["type"] == "syscall").collect();
    let first_call = events.iter().position(|v| v["type"] == "syscall").unwrap();
    if first_call < found {
        assert!(
            notices
                .iter()
                .any(|n| message(n).contains("carry no thread")),
            "calls before the layout, unannounced"
        );
    }
    let mut unnamed = 0;
    for (i, v) in events
        .iter()
        .enumerate()
        .filter(|(_, v)| v["type"] == "syscall")
    {
        let named = v["pid"].is_u64() && v["tid"].is_u64() && v["comm"].is_string();
        if i > found {
            assert!(named, "a call without its thread after the layout: {v}");
        } else {
            assert!(!named, "a thread guessed before the layout: {v}");
            unnamed += 1;
        }
    }
    eprintln!(
        "{} calls, {unnamed} before the layout was known",
        calls.len()
    );
    assert!(calls.len() > 50_000, "only {} calls", calls.len());

    // systemd as pid 1, journald and udevd, each calling, each exec'd.
    let callers: BTreeSet<(u64, &str)> = calls
        .iter()
        .map(|v| {
            (
                v["pid"].as_u64().unwrap_or(0),
                v["comm"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(
        callers.contains(&(1, "systemd")),
        "pid 1 systemd never called"
    );
    for comm in ["systemd-journal", "systemd-udevd"] {
        assert!(
            callers.iter().any(|(pid, c)| *c == comm && *pid > 1),
            "{comm} never called"
        );
    }
    let execs: Vec<&Value> = events
        .iter()
        .filter(|v| v["type"] == "process" && v["op"] == "exec")
        .collect();
    // By the file name given to execve (udevd's program file is a link to udevadm).
    let exec_of = |file: &str| {
        execs.iter().any(|v| {
            v["filename"]
                .as_str()
                .or(v["path"].as_str())
                .is_some_and(|f| f.ends_with(file))
        })
    };
    // The initramfs's run-init makes pid 1 systemd: `/sbin/init`, a link to systemd.
    assert!(
        execs
            .iter()
            .any(|v| v["pid"] == 1 && v["path"].as_str().is_some_and(|p| p.ends_with("/systemd"))),
        "pid 1 never exec'd systemd"
    );
    assert!(exec_of("/systemd-journald"), "no exec of journald");
    assert!(exec_of("/systemd-udevd"), "no exec of udevd");

    // The thread identities against the guest's own `ps -eLo pid,tid,comm`.
    let mut seen: BTreeMap<u64, (u64, BTreeSet<String>)> = BTreeMap::new();
    for v in &calls {
        if let (Some(pid), Some(tid), Some(comm)) =
            (v["pid"].as_u64(), v["tid"].as_u64(), v["comm"].as_str())
        {
            let e = seen.entry(tid).or_insert((pid, BTreeSet::new()));
            assert_eq!(e.0, pid, "thread {tid} in two processes: {v}");
            e.1.insert(comm.to_string());
        }
    }
    let rows = ps_rows(console);
    assert!(rows.len() > 40, "{rows:?}");
    let (mut matched, mut threads) = (Vec::new(), 0);
    for (pid, tid, comm) in &rows {
        let Some((jpid, comms)) = seen.get(&u64::from(*tid)) else {
            continue;
        };
        assert_eq!(
            *jpid,
            u64::from(*pid),
            "ps says thread {tid} ({comm}) is in process {pid}, the journal {jpid}"
        );
        assert!(
            comms.contains(comm),
            "ps names thread {tid} `{comm}`, the journal {comms:?}"
        );
        matched.push(comm.as_str());
        threads += usize::from(pid != tid);
    }
    eprintln!(
        "{} of {} ps rows made calls and match ({threads} of them threads other than the leader): \
         {matched:?}",
        matched.len(),
        rows.len()
    );
    for comm in ["systemd", "systemd-journal", "systemd-udevd"] {
        assert!(matched.contains(&comm), "{comm} not in the ps rows matched");
    }
    assert!(
        threads > 0,
        "no multi-threaded process matched (rsyslogd has threads)"
    );

    // Bounded state over the whole boot.
    for v in notices.iter().filter(|n| n["level"] == "info") {
        if ["syscalls", "processes"].contains(&v["source"].as_str().unwrap_or("")) {
            eprintln!("{}: {}", v["source"], message(v));
        }
    }
    let pending = notices
        .iter()
        .find(|n| n["source"] == "syscalls" && message(n).contains("were pending at once"))
        .map(|n| message(n))
        .expect("the syscall module's end notice");
    let most: u64 = pending
        .split("at most ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(most < 1000, "{pending}");
}

/// The guest's kernel and initrd given to QEMU after `--`, its root on a virtio disk (`-snapshot`
/// keeps the image as built).
#[test]
fn a_debian_guest_booting_its_own_kernel_is_traced_from_guest_memory() {
    let Some(g) = require_debian(false) else {
        return;
    };
    let qemu: Vec<String> = vec![
        "-kernel".into(),
        g.join("vmlinuz").display().to_string(),
        "-initrd".into(),
        g.join("initrd.img").display().to_string(),
        "-append".into(),
        "root=/dev/vda console=ttyS0 vmscope.poweroff=1".into(),
        "-drive".into(),
        format!("file={},if=virtio,format=raw", g.join("disk.img").display()),
        "-snapshot".into(),
    ];
    let (events, console, dir) = run("anyvm-kernel", &[], &qemu);
    check_boot(&events, &console, &dir);
}

/// `--disk` with a self-booting image (GPT, EFI system partition with GRUB): OVMF, GRUB, the kernel
/// from the disk; writes are discarded (the image is unchanged).
#[test]
fn a_bootable_debian_disk_is_traced_with_disk() {
    let Some(g) = require_debian(true) else {
        return;
    };
    let disk = g.join("disk-boot.img");
    let before = std::fs::metadata(&disk).and_then(|m| m.modified()).ok();
    let (events, console, dir) = run("anyvm-disk", &["--disk", disk.to_str().unwrap()], &[]);
    check_boot(&events, &console, &dir);
    let after = std::fs::metadata(&disk).and_then(|m| m.modified()).ok();
    assert_eq!(before, after, "--disk wrote to the image");
}

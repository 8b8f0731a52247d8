//! End to end: the hardware level on the default guest (Linux 6.12), one run of `lifecycle` (fork,
//! exec, vfork, two threads, a killed child) and `threads` (five threads) with the coverage, devices
//! and sched modules:
//! - the drcov file of lifecycle's main process covers every function of the program's own source
//!   (checked against `nm` of the same program built on the host with symbols: the guest's copy is
//!   stripped, and the test first checks both have the same code);
//! - the serial port's data register received exactly the console file's bytes (give or take the
//!   divisor latch's writes at its setup, which go to the same port);
//! - every thread of both programs appears in a switch event.
//!
//! And, without a guest: an unwritable `--coverage-dir` is one line and a failure before QEMU starts.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test may panic"
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use common::GuestRun;
use serde_json::Value;

/// A drcov file: its module table (base, end, path) and its blocks (offset, size, module).
struct Drcov {
    modules: Vec<(u64, u64, String)>,
    blocks: Vec<(u32, u16, u16)>,
}

fn parse_drcov(bytes: &[u8]) -> Drcov {
    let marker = b"BB Table: ";
    let at = bytes
        .windows(marker.len())
        .position(|w| w == marker)
        .expect("a BB table");
    let header = std::str::from_utf8(&bytes[..at]).unwrap();
    let nl = at + bytes[at..].iter().position(|&b| b == b'\n').unwrap();
    let n: usize = std::str::from_utf8(&bytes[at + marker.len()..nl])
        .unwrap()
        .trim_end_matches(" bbs")
        .parse()
        .unwrap();
    let mut lines = header.lines();
    assert_eq!(lines.next(), Some("DRCOV VERSION: 2"));
    assert_eq!(lines.next(), Some("DRCOV FLAVOR: drcov"));
    let count: usize = lines
        .next()
        .unwrap()
        .strip_prefix("Module Table: version 2, count ")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        lines.next(),
        Some("Columns: id, base, end, entry, checksum, timestamp, path")
    );
    let hex = |s: &str| u64::from_str_radix(s.trim().trim_start_matches("0x"), 16).unwrap();
    let modules: Vec<_> = lines
        .map(|l| {
            let f: Vec<&str> = l.splitn(7, ", ").collect();
            (hex(f[1]), hex(f[2]), f[6].to_string())
        })
        .collect();
    assert_eq!(modules.len(), count);
    let table = &bytes[nl + 1..];
    assert_eq!(table.len(), n * 8, "{n} records of 8 bytes");
    let blocks = table
        .chunks(8)
        .map(|r| {
            (
                u32::from_le_bytes(r[0..4].try_into().unwrap()),
                u16::from_le_bytes(r[4..6].try_into().unwrap()),
                u16::from_le_bytes(r[6..8].try_into().unwrap()),
            )
        })
        .collect();
    Drcov { modules, blocks }
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The `.text` section's bytes.
fn text(bin: &Path, dir: &Path) -> Vec<u8> {
    let out = dir.join(format!(
        "{}.text",
        bin.file_name().unwrap().to_string_lossy()
    ));
    run(Command::new("objcopy")
        .args(["-O", "binary", "--only-section=.text"])
        .arg(bin)
        .arg(&out));
    std::fs::read(out).unwrap()
}

/// The functions defined by `lifecycle.c` itself, with their addresses in the linked program, built
/// on the host as guest/build.sh builds it but with symbols; checks its code is the guest's.
fn own_functions(guest_bin: &Path, dir: &Path) -> BTreeMap<String, u64> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guest/workloads/lifecycle.c");
    let obj = dir.join("lifecycle.o");
    let bin = dir.join("wl-lifecycle");
    run(Command::new("gcc")
        .args(["-O1", "-Wall", "-c", "-o"])
        .arg(&obj)
        .arg(&src));
    run(Command::new("gcc")
        .args(["-O1", "-Wall", "-static", "-o"])
        .arg(&bin)
        .arg(&src)
        .arg("-lpthread"));
    assert!(
        text(&bin, dir) == text(guest_bin, dir),
        "the host's build of lifecycle.c has other code than the guest's {}: rebuild the guest",
        guest_bin.display()
    );
    let own: BTreeSet<String> = run(Command::new("nm").arg("--defined-only").arg(&obj))
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() == 3 && (f[1] == "T" || f[1] == "t")).then(|| f[2].to_string())
        })
        .collect();
    assert!(own.contains("main") && own.contains("worker"), "{own:?}");
    run(Command::new("nm").arg("--defined-only").arg(&bin))
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() == 3 && own.contains(f[2]))
                .then(|| (f[2].to_string(), u64::from_str_radix(f[0], 16).unwrap()))
        })
        .collect()
}

/// The number after `key=` in the first console line that starts with `prefix`.
fn console_num(console: &str, prefix: &str, key: &str) -> Vec<u64> {
    console
        .lines()
        .filter(|l| l.starts_with(prefix))
        .filter_map(|l| {
            l.split_whitespace()
                .find_map(|w| w.strip_prefix(key))
                .and_then(|v| v.parse().ok())
        })
        .collect()
}

#[test]
fn coverage_devices_and_sched_on_a_real_guest() {
    let Some(run) = GuestRun::new("6.12", "hardware") else {
        return;
    };
    let cov = run_dir(&run).join("cov");
    let out = run
        .workloads("lifecycle,threads")
        .modules("context,syscalls,sched,devices")
        .arg("--coverage-dir")
        .arg(&cov)
        .arg("--coverage-for")
        .arg("wl-lifecycle,wl-threads")
        .run();
    let ev = out.events();
    fn of<'a>(ev: &'a [Value], ty: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        ev.iter().filter(move |e| e["type"] == ty)
    }
    let ev = &ev[..];

    // Coverage: the main process of lifecycle covers every function of lifecycle.c.
    let main_pid = console_num(&out.console, "lifecycle: main", "pid=")[0];
    let file = of(ev, "coverage")
        .find(|e| e["pid"] == main_pid && e["when"] == "exit")
        .unwrap_or_else(|| panic!("no coverage file at the exit of {main_pid}"));
    assert!(file.get("error").is_none(), "{file}");
    let d = parse_drcov(&std::fs::read(file["file"].as_str().unwrap()).unwrap());
    let exe = d
        .modules
        .iter()
        .position(|m| m.2 == "/bin/wl-lifecycle")
        .unwrap_or_else(|| panic!("no program row in {:?}", d.modules));
    let base = d.modules[exe].0;
    let guest_bin = common::guest_dir("6.12").join("workloads/wl-lifecycle");
    let funcs = own_functions(&guest_bin, &out.dir);
    for (name, addr) in &funcs {
        let covered = d.blocks.iter().any(|&(off, size, m)| {
            usize::from(m) == exe
                && (base + u64::from(off)..base + u64::from(off) + u64::from(size)).contains(addr)
        });
        assert!(
            covered,
            "{name} at {addr:#x} is not covered (base {base:#x})"
        );
    }
    // Blocks are inside their module.
    for &(off, size, m) in &d.blocks {
        let (lo, hi, _) = &d.modules[usize::from(m)];
        assert!(lo + u64::from(off) + u64::from(size) <= *hi + 16);
    }
    // Only the programs asked for have files.
    for c in of(ev, "coverage") {
        let comm = c["comm"].as_str().unwrap();
        assert!(comm == "wl-lifecycle" || comm == "wl-threads", "{c}");
    }

    // Devices: the console's bytes went through the serial port's data register.
    let serial = of(ev, "device_summary")
        .find(|e| e["device"] == "serial0" && e["space"] == "pio")
        .expect("a serial0 summary");
    assert_eq!(serial["base"], "0x3f8");
    let thr = serial["registers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["offset"] == 0)
        .unwrap();
    let written = thr["bytes_written"].as_u64().unwrap();
    let console = std::fs::metadata(out.dir.join("console.log"))
        .unwrap()
        .len();
    assert!(
        written >= console && written <= console + 8,
        "serial data register got {written} bytes, the console file has {console}"
    );
    let users: Vec<&str> = serial["processes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["comm"].as_str())
        .collect();
    assert!(users.contains(&"wl-lifecycle"), "{users:?}");

    // Sched: every thread of both programs is switched to at least once.
    let switched: BTreeSet<(u64, u64)> = of(ev, "switch")
        .filter_map(|e| Some((e["pid"].as_u64()?, e["tid"].as_u64()?)))
        .collect();
    let mut threads: BTreeSet<(u64, u64)> = of(ev, "syscall")
        .filter(|e| e["comm"] == "wl-threads" || e["comm"] == "wl-lifecycle")
        .filter_map(|e| Some((e["pid"].as_u64()?, e["tid"].as_u64()?)))
        .collect();
    let printed = console_num(&out.console, "lifecycle: thread", "tid=");
    assert_eq!(printed.len(), 2, "{}", out.console);
    for t in printed {
        threads.insert((main_pid, t));
    }
    let workers = threads
        .iter()
        .filter(|(p, t)| p != t && threads.iter().any(|(q, _)| q == p))
        .count();
    assert!(
        workers >= 6,
        "2 lifecycle threads and 4 threads' threads: {threads:?}"
    );
    for t in &threads {
        assert!(switched.contains(t), "thread {t:?} never switched in");
    }
    // One summary per thread, with time on vCPU 0.
    for (pid, tid) in &threads {
        let s = of(ev, "sched_summary")
            .find(|e| e["pid"] == *pid && e["tid"] == *tid)
            .unwrap_or_else(|| panic!("no sched_summary for {pid}/{tid}"));
        assert!(s["total_ns"].as_u64().unwrap() > 0, "{s}");
    }
}

fn run_dir(run: &GuestRun) -> std::path::PathBuf {
    run.dir().to_path_buf()
}

#[test]
fn an_unwritable_coverage_dir_is_one_line_before_the_guest_starts() {
    let out = common::vmscope()
        .args([
            "run",
            "--kernel",
            "/nonexistent/vmlinuz",
            "--coverage-dir",
            "/proc/vmscope-cannot-be-here",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("vmscope: --coverage-dir: coverage directory /proc/vmscope-cannot-be-here"),
        "{err}"
    );
}

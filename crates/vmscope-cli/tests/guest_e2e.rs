//! End to end: the real default guest boots in real QEMU with the plugin, runs the workloads, and the
//! journal is checked against what the workloads did and against strace run inside the same guest.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test may panic"
)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{GuestRun, require_guest, tempdir, vmscope};
use serde_json::Value;

fn journal(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect()
}

fn calls<'a>(j: &'a [Value], comm: &str) -> Vec<&'a Value> {
    j.iter()
        .filter(|v| v["type"] == "syscall" && v["comm"] == comm)
        .collect()
}

fn args(v: &Value) -> Vec<&str> {
    v["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect()
}

/// Boots the guest running every workload under strace; vmscope traces from outside.
#[test]
fn every_workload_traced_like_strace_sees_it() {
    let Some((kernel, initrd)) = require_guest("6.12") else {
        return;
    };
    let dir = tempdir("all");
    let (j, console, strace) = (
        dir.join("j.jsonl"),
        dir.join("console.log"),
        dir.join("strace.log"),
    );
    let out = vmscope()
        .args(["run", "--kernel"])
        .arg(&kernel)
        .arg("--initrd")
        .arg(&initrd)
        .args([
            "--format",
            "jsonl",
            "--timeout",
            "1200",
            "--append",
            "vmscope.run=all vmscope.strace=1",
        ])
        .arg("--output")
        .arg(&j)
        .arg("--console")
        .arg(&console)
        .arg("--")
        .arg("-serial")
        .arg(format!("file:{}", strace.display()))
        .output()
        .unwrap();
    let console_text = std::fs::read_to_string(&console).unwrap_or_default();
    assert!(
        out.status.success(),
        "vmscope failed: {}\n{console_text}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        console_text.contains("vmscope-guest: done"),
        "guest did not finish:\n{console_text}"
    );
    for line in console_text
        .lines()
        .filter(|l| l.contains("vmscope-guest: end "))
    {
        assert!(
            line.trim_end().contains("status=0"),
            "a workload failed: {line}"
        );
    }

    let j_all = journal(&j);
    let sys: Vec<&Value> = j_all.iter().filter(|v| v["type"] == "syscall").collect();
    assert!(sys.len() > 1000, "only {} calls", sys.len());
    // Every documented field, on every call; a thread on every call (BTF is there).
    for v in &sys {
        for f in [
            "ts", "vcpu", "pid", "tid", "comm", "abi", "nr", "name", "args", "raw", "ret",
        ] {
            assert!(v.get(f).is_some(), "field {f} missing in {v}");
        }
        assert!(
            v["pid"].is_u64() && v["tid"].is_u64() && v["comm"].is_string(),
            "no thread: {v}"
        );
        assert_eq!(v["raw"].as_array().unwrap().len(), 6);
    }

    // The paper's journal example: open /etc/fstab, read 0x400 bytes, close.
    let f = calls(&j_all, "wl-fstab");
    let open = f
        .iter()
        .position(|v| v["name"] == "open" && args(v)[0] == "\"/etc/fstab\"")
        .expect("open(\"/etc/fstab\") in wl-fstab");
    let fd = f[open]["ret"].as_i64().unwrap();
    assert!(fd >= 3);
    let read = &f[open + 1];
    assert_eq!(read["name"], "read");
    assert_eq!(args(read)[0], fd.to_string());
    assert_eq!(args(read)[2], "1024");
    assert_eq!(read["ret"], 1024);
    assert_eq!(f[open + 2]["name"], "close");
    assert_eq!(f[open + 2]["ret"], 0);
    // Calls that never return are reported, without a return value.
    let exit = f
        .iter()
        .find(|v| v["name"] == "exit_group")
        .expect("exit_group");
    assert!(exit["ret"].is_null());
    // A successful execve returns 0 in the new image (its entry was made under the old comm).
    assert!(
        sys.iter()
            .any(|v| v["name"] == "execve" && args(v)[0] == "\"/bin/wl-fstab\"" && v["ret"] == 0)
    );

    // Failed calls carry errno names.
    let fileio = calls(&j_all, "wl-fileio");
    assert!(
        fileio
            .iter()
            .any(|v| v["ret"] == -2 && v["ret_text"].as_str().unwrap().contains("ENOENT"))
    );
    assert!(
        fileio
            .iter()
            .any(|v| v["name"] == "close" && v["ret"] == -9)
    );

    // 32-bit: raw int 0x80 and vDSO calls, decoded with the i386 table.
    let i80 = calls(&j_all, "wl-int80");
    assert!(i80.iter().any(|v| v["abi"] == "i386"
        && v["entry"] == "int80"
        && v["name"] == "open"
        && args(v)[0] == "\"/etc/fstab\""));
    assert!(i80.iter().any(|v| v["entry"] == "int80" && v["ret"] == -2));
    let c32 = calls(&j_all, "wl-compat32");
    assert!(
        c32.iter()
            .any(|v| v["abi"] == "i386" && v["name"] == "getppid")
    );

    // Threads: one pid, several tids; the blocked read returns in its own thread.
    let th = calls(&j_all, "wl-threads");
    let tids: BTreeSet<u64> = th.iter().filter_map(|v| v["tid"].as_u64()).collect();
    let pids: BTreeSet<u64> = th.iter().filter_map(|v| v["pid"].as_u64()).collect();
    assert!(tids.len() >= 5, "threads seen: {tids:?}");
    assert!(pids.len() <= 2, "pids: {pids:?}"); // strace's child before exec, then the workload

    // Thread by thread against strace: at least 99% of strace's calls found with the same name,
    // return value and path strings.
    let cmp = vmscope()
        .args(["compare", "--verbose", "--min-matched", "99", "--journal"])
        .arg(&j)
        .arg("--strace")
        .arg(&strace)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&cmp.stdout);
    println!("{report}");
    assert!(
        cmp.status.success(),
        "fidelity below 99%:\n{report}\n{}",
        String::from_utf8_lossy(&cmp.stderr)
    );
}

/// `vmscope run` with no options: the default guest's demonstration, as text on standard output.
#[test]
fn the_default_run_shows_the_papers_example() {
    if require_guest("6.12").is_none() {
        return;
    }
    let out = vmscope()
        .args(["run", "--timeout", "600"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("open(\"/etc/fstab\", O_RDONLY) = 3"),
        "{text}"
    );
    assert!(text.lines().any(|l| l.contains("wl-fstab")
        && l.contains("read(3, ")
        && l.ends_with(", 1024) = 1024")));
    assert!(text.contains("close(3) = 0"));
    assert!(text.contains("exit_group(0) = ?"));
}

/// The plugin loaded into a QEMU command line of the user's own, with no kernel file: no BTF, so
/// threads are not named, and calls are still matched by address space and stack.
#[test]
fn the_plugin_loads_by_hand_and_works_without_btf() {
    let Some((kernel, initrd)) = require_guest("6.12") else {
        return;
    };
    let dir = tempdir("byhand");
    let j = dir.join("j.jsonl");
    let bin = std::path::PathBuf::from(env!("CARGO_BIN_EXE_vmscope"));
    let plugin = bin.parent().unwrap().join("libvmscope.so");
    assert!(
        plugin.is_file(),
        "{} missing: build with cargo build --release",
        plugin.display()
    );
    let status = std::process::Command::new("qemu-system-x86_64")
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
            "console=ttyS0 panic=-1 vmscope.run=fstab",
        ])
        .arg("-kernel")
        .arg(&kernel)
        .arg("-initrd")
        .arg(&initrd)
        .arg("-plugin")
        .arg(format!(
            "{},output={},format=jsonl",
            plugin.display(),
            j.display()
        ))
        .status()
        .unwrap();
    assert!(status.success());
    let all = journal(&j);
    assert!(all.iter().any(|v| {
        v["type"] == "notice"
            && v["level"] == "warning"
            && v["message"]
                .as_str()
                .unwrap()
                .contains("threads are not identified")
    }));
    let sys: Vec<&Value> = all.iter().filter(|v| v["type"] == "syscall").collect();
    assert!(sys.iter().all(|v| v["pid"].is_null() && v["tid"].is_null()));
    let open = sys
        .iter()
        .position(|v| {
            v["name"] == "open" && args(v)[0] == "\"/etc/fstab\"" && args(v)[1] == "O_RDONLY"
        })
        .expect("open(\"/etc/fstab\", O_RDONLY)");
    assert_eq!(sys[open]["ret"], 3);
    assert!(
        sys[open..]
            .iter()
            .any(|v| v["name"] == "read" && args(v)[0] == "3" && v["ret"] == 1024)
    );
    assert!(
        sys[open..]
            .iter()
            .any(|v| v["name"] == "close" && args(v)[0] == "3" && v["ret"] == 0)
    );
}

/// Bad plugin options stop QEMU with one line before the guest starts.
#[test]
fn bad_plugin_options_stop_qemu_cleanly() {
    let Some((kernel, _)) = require_guest("6.12") else {
        return;
    };
    let bin = std::path::PathBuf::from(env!("CARGO_BIN_EXE_vmscope"));
    let plugin = bin.parent().unwrap().join("libvmscope.so");
    for (opt, needle) in [
        ("format=xml", "plugin option `format`"),
        ("colour=red", "unknown plugin option `colour`"),
        ("modules=bogus", "unknown module `bogus`"),
        ("output=/nonexistent/dir/j", "cannot open journal"),
        ("kernel=/etc/hostname", "kernel `/etc/hostname`"),
    ] {
        let out = std::process::Command::new("qemu-system-x86_64")
            .args([
                "-M",
                "pc",
                "-display",
                "none",
                "-no-reboot",
                "-monitor",
                "none",
                "-serial",
                "null",
            ])
            .arg("-kernel")
            .arg(&kernel)
            .arg("-plugin")
            .arg(format!("{},{opt}", plugin.display()))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{opt}: {err}");
        assert!(err.contains(needle), "{opt}: {err}");
        assert!(!err.contains("panicked"), "{opt}: {err}");
    }
}

/// With page-table isolation forced on (`pti=on`) the user page tables map no kernel task: threads
/// are still named, on both kernels, and the journal still matches strace.
#[test]
fn kpti_keeps_thread_identity_on_both_kernels() {
    for series in ["6.12", "6.1"] {
        let Some(run) = GuestRun::new(series, "pti") else {
            return;
        };
        let out = run
            .append("pti=on")
            .workloads("fstab,threads,forkexec,int80")
            .strace()
            .run();
        let (j, strace) = (out.dir.join("journal"), out.dir.join("strace.log"));
        let console_text = &out.console;
        assert!(
            console_text.contains("page tables isolation: enabled"),
            "{series}: KPTI not enabled:\n{console_text}"
        );
        let all = journal(&j);
        let sys: Vec<&Value> = all.iter().filter(|v| v["type"] == "syscall").collect();
        assert!(
            sys.iter().all(|v| v["tid"].is_u64()),
            "{series}: a call without a thread"
        );
        assert!(
            calls(&all, "wl-fstab")
                .iter()
                .any(|v| v["name"] == "open" && v["ret"] == 3)
        );
        let cmp = vmscope()
            .args(["compare", "--min-matched", "99", "--journal"])
            .arg(&j)
            .arg("--strace")
            .arg(&strace)
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&cmp.stdout);
        println!("{series} pti=on:\n{report}");
        assert!(
            cmp.status.success(),
            "{series} pti=on: below 99%:\n{report}"
        );
    }
}

//! End to end on an aarch64 guest: the default arm64 guest (`guest/build.sh --arch aarch64`) boots in
//! `qemu-system-aarch64` with the plugin, runs the demonstration and the file workloads under strace,
//! and the journal is checked — by the same modules as on x86_64, unchanged above the architecture
//! layer — against what the workloads did and against strace inside the guest.
//!
//! The processes and files bars of x86_64 (processes_e2e.rs, files_e2e.rs) hold here with the same
//! checks (`checks/`): the `lifecycle` and `files` workloads, built for arm64, against what the
//! process and file monitors journaled.
//!
//! Each boot takes about 15 s (TCG, `-cpu cortex-a72`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test may panic"
)]

mod common;

#[path = "checks/files.rs"]
mod files;
#[path = "checks/processes.rs"]
mod processes;

use std::collections::BTreeSet;

use common::{GuestRun, vmscope};

#[test]
fn aarch64_guest_traced_by_the_same_modules() {
    let Some(run) = GuestRun::new("6.12-aarch64", "aarch64") else {
        return;
    };
    let out = run
        .arg("--arch")
        .arg("aarch64")
        .modules("context,syscalls,processes,files")
        .workloads("demo,fstab,files")
        .strace()
        .run();
    let events = out.events();
    let calls: Vec<_> = events.iter().filter(|v| v["type"] == "syscall").collect();
    assert!(calls.len() > 1000, "only {} calls", calls.len());
    assert!(calls.iter().all(|v| v["abi"] == "aarch64"));

    // The call every guest test checks, as strace prints it (no `open` on aarch64: `openat`).
    let fstab = calls
        .iter()
        .find(|v| v["comm"] == "wl-fstab" && v["name"] == "openat")
        .expect("wl-fstab's openat");
    assert_eq!(fstab["args"][0], "AT_FDCWD");
    assert_eq!(fstab["args"][1], "\"/etc/fstab\"");
    assert_eq!(fstab["args"][2], "O_RDONLY");
    assert_eq!(fstab["ret"], 3);

    // Threads named from the arm64 kernel's BTF (`current` in SP_EL0): pid, tid, comm.
    let comms: BTreeSet<&str> = calls.iter().filter_map(|v| v["comm"].as_str()).collect();
    for c in ["init", "wl-demo", "wl-fstab", "wl-files"] {
        assert!(comms.contains(c), "no calls of {c}: {comms:?}");
    }
    assert!(
        calls
            .iter()
            .all(|v| v["pid"].as_u64().is_some() && v["tid"].as_u64().is_some()),
        "a call without its thread"
    );

    // The processes and files modules work there too.
    assert!(
        events
            .iter()
            .any(|v| v["type"] == "process" && v["comm"] == "wl-fstab"),
        "no process event for wl-fstab"
    );
    assert!(
        events.iter().any(|v| v["type"] == "file"
            && v["comm"] == "wl-fstab"
            && v["op"] == "open"
            && v["path"] == "/etc/fstab"),
        "no file open of /etc/fstab by wl-fstab"
    );

    // Against strace inside the same guest.
    let strace = out.dir.join("strace.log");
    let cmp = vmscope()
        .args(["compare", "--journal"])
        .arg(out.dir.join("journal"))
        .arg("--strace")
        .arg(&strace)
        .args(["--min-matched", "99"])
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
        .expect("overall line");
    let identical: f64 = overall
        .split_whitespace()
        .nth(3)
        .and_then(|p| p.trim_end_matches('%').parse().ok())
        .expect("identical %");
    assert!(identical >= 95.0, "{overall}");
}

/// processes_e2e.rs's and files_e2e.rs's checks on the aarch64 guest, in one boot: the process
/// tree, exec details and exit codes and signals of `lifecycle` (fork and vfork are `clone` calls on
/// the generic ABI), the process lists, and every descriptor `files` used named as it used it (its
/// `open`, `creat`, `rename`, ... are the `*at` calls there).
#[test]
fn processes_and_files_bars_hold_on_aarch64() {
    procfiles(&[]);
}

/// The same with two vCPUs (threads and children run on either, calls return on another).
#[test]
fn processes_and_files_bars_hold_on_aarch64_with_two_vcpus() {
    procfiles(&["--smp", "2"]);
}

fn procfiles(extra: &[&str]) {
    let name = format!("aarch64-procfiles{}", extra.join(""));
    let Some(mut run) = GuestRun::new("6.12-aarch64", &name) else {
        return;
    };
    for e in extra {
        run = run.arg(*e);
    }
    let out = run
        .arg("--arch")
        .arg("aarch64")
        .modules("context,syscalls,processes,files")
        .arg("--capture")
        .arg("16")
        .workloads("lifecycle,files")
        .run();
    assert!(
        out.console.contains("vmscope-guest: done"),
        "guest did not finish:\n{}",
        out.console
    );
    for line in out
        .console
        .lines()
        .filter(|l| l.contains("vmscope-guest: end "))
    {
        assert!(
            line.trim_end().contains("status=0"),
            "a workload failed: {line}"
        );
    }
    let j = out.events();
    let p = processes::printed(&out.console, "lifecycle");
    processes::check_lifecycle(&j, &p, "wl-lifecycle");
    processes::check_lists(&j);
    processes::check_births(&j);
    files::check_run(&j, &out.console, "files");
}

/// `vmscope fidelity --arch aarch64`: the corpus (matched >= 99%, identical >= 95%) and the
/// family workloads (>= 99.5%, >= 98%), strace inside the arm64 guest against vmscope outside.
#[test]
fn fidelity_on_aarch64_meets_the_bars() {
    let Some((kernel, initrd)) = common::require_guest("6.12-aarch64") else {
        return;
    };
    for (corpus, min_calls) in [("existing", 1000), ("families", 1500)] {
        let dir = common::tempdir(&format!("aarch64-fidelity-{corpus}"));
        let out = vmscope()
            .args([
                "fidelity", "--arch", "aarch64", "--corpus", corpus, "--kernel",
            ])
            .arg(&kernel)
            .arg("--initrd")
            .arg(&initrd)
            .arg("--out")
            .arg(&dir)
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&out.stdout);
        println!("{report}");
        assert!(
            out.status.success(),
            "{corpus}: fidelity bars not met (status {:?}):\n{report}\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        let overall: Vec<&str> = report
            .lines()
            .find(|l| l.trim_start().starts_with("overall"))
            .expect("overall row")
            .split_whitespace()
            .collect();
        let calls: usize = overall[1].parse().unwrap();
        assert!(calls > min_calls, "{corpus}: {overall:?}");
        assert!(
            !report.contains("32-bit"),
            "{corpus}: no 32-bit rows or bars on aarch64"
        );
    }
}

/// Both directions: an arm64 Image given to an x86_64 run, an x86_64 bzImage to an aarch64 run
/// (`run` and `fidelity` alike): one line each, before anything boots.
#[test]
fn an_arch_that_does_not_match_the_kernel_is_one_line() {
    let Some((arm_kernel, arm_initrd)) = common::require_guest("6.12-aarch64") else {
        return;
    };
    let Some((x86_kernel, x86_initrd)) = common::require_guest("6.12") else {
        return;
    };
    let one_line =
        |args: &[&str], kernel: &std::path::Path, initrd: &std::path::Path, says: &str| {
            let out = vmscope()
                .args(args)
                .arg("--kernel")
                .arg(kernel)
                .arg("--initrd")
                .arg(initrd)
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(!out.status.success(), "{args:?}: {err}");
            assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
            assert!(err.contains(says), "{args:?}: {err}");
        };
    one_line(
        &["run", "--arch", "x86_64"],
        &arm_kernel,
        &arm_initrd,
        "an arm64 Image, but the guest is x86_64",
    );
    one_line(
        &["run", "--arch", "aarch64"],
        &x86_kernel,
        &x86_initrd,
        "not an arm64 Image",
    );
    let out = common::tempdir("arch-mismatch-fidelity");
    let out = out.to_str().unwrap();
    one_line(
        &["fidelity", "--arch", "aarch64", "--out", out],
        &x86_kernel,
        &x86_initrd,
        "not an arm64 Image",
    );
}

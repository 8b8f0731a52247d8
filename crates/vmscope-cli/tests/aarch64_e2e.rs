//! End to end on an aarch64 guest: the default arm64 guest (`guest/build.sh --arch aarch64`) boots in
//! `qemu-system-aarch64` with the plugin, runs the demonstration and the file workloads under strace,
//! and the journal is checked — by the same modules as on x86_64, unchanged above the architecture
//! layer — against what the workloads did and against strace inside the guest.
//!
//! One boot of about 15 s (TCG, `-cpu cortex-a72`) covers it all.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test may panic"
)]

mod common;

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

#[test]
fn an_arch_that_does_not_match_the_kernel_is_one_line() {
    let Some((kernel, initrd)) = common::require_guest("6.12-aarch64") else {
        return;
    };
    let out = vmscope()
        .args(["run", "--arch", "x86_64", "--kernel"])
        .arg(&kernel)
        .arg("--initrd")
        .arg(&initrd)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("arm64 Image"), "{err}");
}

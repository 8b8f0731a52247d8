//! End to end on an i386 kernel, the VMI paper's own platform: the default i386 guest
//! (`guest/build.sh --arch i386`: Debian's 686-pae kernel, which has no BTF, and the DWARF vmlinux of
//! its build) boots in `qemu-system-i386` with the plugin, and the journal is checked — by the same
//! modules as on x86_64, unchanged above the architecture layer — against what the workloads did and
//! against strace inside the guest; memory, images and stacks walk its 32-bit maple tree. Bad input (an architecture or debug info that does not belong to
//! the kernel, a kernel without BTF or debug info) is one line.
//!
//! One boot of about 20 s (TCG, the default `qemu32` CPU: `sysenter`, KPTI and KASLR on).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test may panic"
)]

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use common::{GuestRun, vmscope};

const SERIES: &str = "6.1-i386";

/// The i386 guest's DWARF vmlinux; a guest built with `--no-debuginfo` fails the tests (unless
/// VMSCOPE_SKIP_E2E=1 and the guest is absent, see `require_guest`).
fn debuginfo() -> PathBuf {
    let d = common::guest_dir(SERIES).join("vmlinux-dbg");
    assert!(
        d.is_file(),
        "no {}: build the guest with `guest/build.sh --arch i386` (without --no-debuginfo)",
        d.display()
    );
    d
}

#[test]
fn i386_kernel_traced_by_the_same_modules() {
    let Some(run) = GuestRun::new(SERIES, "i386") else {
        return;
    };
    let out = run
        .arg("--arch")
        .arg("i386")
        .modules("context,syscalls,processes,files,memory,images,stacks")
        .workloads("demo,fstab,threads,int80,forkexec")
        .strace()
        .run();
    let events = out.events();
    let calls: Vec<_> = events.iter().filter(|v| v["type"] == "syscall").collect();
    assert!(calls.len() > 1000, "only {} calls", calls.len());
    assert!(calls.iter().all(|v| v["abi"] == "i386"));
    // Both entry paths of the paper's platform: the vDSO's sysenter and a raw int $0x80.
    let entries: BTreeSet<&str> = calls.iter().filter_map(|v| v["entry"].as_str()).collect();
    assert!(
        entries.contains("sysenter") && entries.contains("int80"),
        "{entries:?}"
    );

    // The paper's example, as strace prints it.
    let fstab = calls
        .iter()
        .find(|v| v["comm"] == "wl-fstab" && v["name"] == "open")
        .expect("wl-fstab's open");
    assert_eq!(fstab["args"][0], "\"/etc/fstab\"");
    assert_eq!(fstab["args"][1], "O_RDONLY");
    assert_eq!(fstab["ret"], 3);

    // Threads named from the DWARF layout (current task through %fs, past the KASLR slide).
    let comms: BTreeSet<&str> = calls.iter().filter_map(|v| v["comm"].as_str()).collect();
    for c in ["init", "wl-demo", "wl-fstab", "wl-threads", "wl-int80"] {
        assert!(comms.contains(c), "no calls of {c}: {comms:?}");
    }
    assert!(
        calls
            .iter()
            .all(|v| v["pid"].as_u64().is_some() && v["tid"].as_u64().is_some()),
        "a call without its thread"
    );
    let threads: BTreeSet<u64> = calls
        .iter()
        .filter(|v| v["comm"] == "wl-threads")
        .filter_map(|v| v["tid"].as_u64())
        .collect();
    assert!(threads.len() >= 5, "wl-threads' threads: {threads:?}");

    // The processes and files modules walk the 32-bit kernel's structures.
    assert!(
        events.iter().any(|v| v["type"] == "process_list"
            && v["source"] == "kernel"
            && v["complete"] == true
            && v["processes"].as_array().is_some_and(|p| p.len() > 10)),
        "no complete process list from the kernel's task list"
    );
    assert!(
        events
            .iter()
            .any(|v| v["type"] == "process" && v["comm"] == "wl-fstab" && v["op"] == "exec"),
        "no exec of wl-fstab"
    );
    assert!(
        events.iter().any(|v| v["type"] == "file"
            && v["comm"] == "wl-fstab"
            && v["op"] == "open"
            && v["path"] == "/etc/fstab"),
        "no file open of /etc/fstab by wl-fstab"
    );

    // The memory, images and stacks modules walk the 32-bit maple tree: wl-fstab's maps as
    // /proc/PID/maps has them, its program image, a call's stack through the vDSO.
    let maps = events
        .iter()
        .find(|v| v["type"] == "maps" && v["comm"] == "wl-fstab")
        .expect("wl-fstab's maps");
    let paths: BTreeSet<&str> = maps["regions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["path"].as_str())
        .collect();
    for p in ["/bin/wl-fstab", "[vdso]", "[stack]"] {
        assert!(paths.contains(p), "no {p} in {paths:?}");
    }
    assert!(
        events.iter().any(|v| v["type"] == "image"
            && v["path"] == "/bin/wl-fstab"
            && v["build_id"].as_str().is_some()),
        "no image of wl-fstab with its build id"
    );
    assert!(
        calls
            .iter()
            .any(|v| v["comm"] == "wl-fstab" && v["stack"][0]["symbol"] == "__kernel_vsyscall"),
        "no stack through the vDSO's __kernel_vsyscall"
    );

    // Against strace inside the same guest.
    let strace = out.dir.join("strace.log");
    let (identical, overall) = common::compare_with_strace(&out.dir.join("journal"), &strace, 99);
    assert!(identical >= 95.0, "{overall}");
}

/// Runs `vmscope ARGS`, expects a failure with exactly one line on standard error, returns it.
fn one_line_failure(args: &[&std::ffi::OsStr]) -> String {
    let out = vmscope().args(args).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "{args:?} succeeded");
    assert_eq!(err.lines().count(), 1, "{err}");
    err
}

#[test]
fn the_kernel_command_tells_the_architecture_and_refuses_what_does_not_belong() {
    let Some((kernel, initrd)) = common::require_guest(SERIES) else {
        return;
    };
    let dbg = debuginfo();
    let k = kernel.as_os_str();

    let ok = vmscope()
        .arg("kernel")
        .arg(&kernel)
        .arg("--kernel-debuginfo")
        .arg(&dbg)
        .args(["--arch", "i386"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&ok.stdout);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(
        text.contains("i386, 32-bit pointers, layout from DWARF"),
        "{text}"
    );
    assert!(text.contains("686-pae"), "{text}");

    // No BTF and no debug info.
    let err = one_line_failure(&["kernel".as_ref(), k]);
    assert!(err.contains("--kernel-debuginfo"), "{err}");
    // Another architecture.
    let err = one_line_failure(&["kernel".as_ref(), k, "--arch".as_ref(), "x86_64".as_ref()]);
    assert!(err.contains("an i386 kernel"), "{err}");
    let err = one_line_failure(&[
        "run".as_ref(),
        "--arch".as_ref(),
        "x86_64".as_ref(),
        "--kernel".as_ref(),
        k,
        "--initrd".as_ref(),
        initrd.as_os_str(),
    ]);
    assert!(err.contains("give --arch i386"), "{err}");
    // Debug info of another build: the i386 image checked against a modified copy of its own
    // build-id would need a second build; the x86_64 guest's vmlinux is not one, and a vmlinux of
    // another build is refused by its build-id (tests/real_dwarf.rs covers that with a changed id).
    let x86 = common::guest_dir("6.12").join("vmlinuz");
    if x86.is_file() {
        let err = one_line_failure(&[
            "kernel".as_ref(),
            x86.as_os_str(),
            "--kernel-debuginfo".as_ref(),
            dbg.as_os_str(),
        ]);
        assert!(err.contains("does not belong to the kernel"), "{err}");
    }
}

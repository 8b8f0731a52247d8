//! End to end on an aarch64 guest: the default arm64 guest (`guest/build.sh --arch aarch64`) boots in
//! `qemu-system-aarch64` with the plugin, runs the demonstration and the file workloads under strace,
//! and the journal is checked — by the same modules as on x86_64, unchanged above the architecture
//! layer — against what the workloads did and against strace inside the guest.
//!
//! The processes and files bars of x86_64 (processes_e2e.rs, files_e2e.rs) hold here with the same
//! checks (`checks/`): the `lifecycle` and `files` workloads, built for arm64, against what the
//! process and file monitors journaled.
//!
//! Call stacks (`--stack`) are checked against the program's own code: Debian's arm64 strace has no
//! `-k`, so every frame of `wl-stack`'s `write` must sit right after the `bl` to the frame below.
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
    let (identical, overall) = common::compare_with_strace(&out.dir.join("journal"), &strace, 99);
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
        "an x86_64 kernel, but the guest is aarch64",
    );
    let out = common::tempdir("arch-mismatch-fidelity");
    let out = out.to_str().unwrap();
    one_line(
        &["fidelity", "--arch", "aarch64", "--out", out],
        &x86_kernel,
        &x86_initrd,
        "an x86_64 kernel, but the guest is aarch64",
    );
}

/// A little-endian ELF64 file, read by hand (independent of the code under test): its program and
/// section headers, and its function symbols.
struct Elf64(Vec<u8>);

impl Elf64 {
    fn load(path: &std::path::Path) -> Self {
        let b = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(b.starts_with(b"\x7fELF\x02\x01"), "{}", path.display());
        Elf64(b)
    }
    fn u16(&self, o: usize) -> u64 {
        u64::from(u16::from_le_bytes(self.0[o..o + 2].try_into().unwrap()))
    }
    fn u32(&self, o: usize) -> u64 {
        u64::from(u32::from_le_bytes(self.0[o..o + 4].try_into().unwrap()))
    }
    fn u64(&self, o: usize) -> u64 {
        u64::from_le_bytes(self.0[o..o + 8].try_into().unwrap())
    }
    /// (name, type, addr, offset, size, link) of every section.
    fn sections(&self) -> Vec<(String, u64, u64, u64, u64, u64)> {
        let (shoff, shnum, shstrndx) = (
            self.u64(0x28) as usize,
            self.u16(0x3c) as usize,
            self.u16(0x3e) as usize,
        );
        let sh = |i: usize| shoff + i * 64;
        let strtab = self.u64(sh(shstrndx) + 0x18) as usize;
        (0..shnum)
            .map(|i| {
                let s = sh(i);
                (
                    self.cstr(strtab + self.u32(s) as usize),
                    self.u32(s + 4),
                    self.u64(s + 0x10),
                    self.u64(s + 0x18),
                    self.u64(s + 0x20),
                    self.u32(s + 0x28),
                )
            })
            .collect()
    }
    fn cstr(&self, o: usize) -> String {
        let end = self.0[o..].iter().position(|b| *b == 0).unwrap();
        String::from_utf8_lossy(&self.0[o..o + end]).into_owned()
    }
    fn section(&self, name: &str) -> (u64, u64) {
        let s = self.sections();
        let (_, _, addr, _, size, _) = s
            .iter()
            .find(|s| s.0 == name)
            .unwrap_or_else(|| panic!("no {name}"));
        (*addr, *size)
    }
    /// `.symtab`'s function symbols: name -> (address, size).
    fn functions(&self) -> std::collections::HashMap<String, (u64, u64)> {
        let s = self.sections();
        let (_, _, _, off, size, link) = s.iter().find(|s| s.1 == 2).expect("no .symtab");
        let strtab = s[*link as usize].3 as usize;
        (0..(size / 24) as usize)
            .map(|i| *off as usize + i * 24)
            .filter(|e| self.0[e + 4] & 0xf == 2)
            .map(|e| {
                (
                    self.cstr(strtab + self.u32(e) as usize),
                    (self.u64(e + 8), self.u64(e + 16)),
                )
            })
            .collect()
    }
    /// The 32-bit word at ELF address `addr` (through the loadable segments).
    fn word_at(&self, addr: u64) -> u32 {
        let (phoff, phnum) = (self.u64(0x20) as usize, self.u16(0x38) as usize);
        (0..phnum)
            .map(|i| phoff + i * 56)
            .filter(|p| self.u32(*p) == 1)
            .find_map(|p| {
                let (off, vaddr, filesz) = (self.u64(p + 8), self.u64(p + 16), self.u64(p + 32));
                (vaddr..vaddr + filesz)
                    .contains(&addr)
                    .then(|| self.u32((off + addr - vaddr) as usize) as u32)
            })
            .unwrap_or_else(|| panic!("{addr:#x} is in no segment"))
    }
}

/// The target of an A64 `bl` at `at`, `None` for any other instruction.
fn bl_target(insn: u32, at: u64) -> Option<u64> {
    (insn & 0xfc00_0000 == 0x9400_0000).then(|| {
        let imm = (((insn & 0x03ff_ffff) << 6) as i32 >> 6) as i64 * 4;
        at.wrapping_add(imm as u64)
    })
}

/// `--stack` on aarch64 (no `strace -k` there: Debian's arm64 strace is built without libunwind):
/// `wl-stack` (dynamic, stripped in the guest, its debug file on the host) writes `STACK-WRITE`
/// three functions deep. Every frame is checked against the program's own bytes and symbols, read
/// here from the files: frame 0 in libc's `write` (right after its `svc #0`, a leaf: its caller
/// comes from the link register), frames 1-4 in inner, middle, outer and main, each right after a
/// `bl` to the function of the frame below (the first to write's PLT entry), with the symbol
/// offsets, `inner`'s source line and a walk that ends at `_start` (x30 undefined there).
#[test]
fn stack_frames_on_aarch64_follow_the_calls() {
    let g = common::guest_dir("6.12-aarch64");
    let Some(run) = GuestRun::new("6.12-aarch64", "aarch64-stacks") else {
        return;
    };
    assert!(
        g.join("debug").is_dir(),
        "no {}/debug: rebuild the guest (guest/build.sh --arch aarch64) for wl-stack's debug file",
        g.display()
    );
    let exe = Elf64::load(&g.join("workloads/wl-stack"));
    let build_id = std::fs::read_dir(g.join("debug/.build-id"))
        .unwrap()
        .flat_map(|d| std::fs::read_dir(d.unwrap().path()).unwrap())
        .map(|f| f.unwrap().path())
        .next()
        .expect("no debug file");
    let funcs = Elf64::load(&build_id).functions();
    let src = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guest/workloads/stack.c"),
    )
    .unwrap();
    let write_line = src.lines().position(|l| l.contains("STACK-WRITE")).unwrap() as u64 + 1;
    let out = run
        .arg("--arch")
        .arg("aarch64")
        .modules("context,syscalls")
        .arg("--stack")
        .arg("--debug-dir")
        .arg(g.join("debug"))
        .workloads("stack")
        .run();
    let events = out.events();
    let ev = events
        .iter()
        .find(|e| {
            e["type"] == "syscall"
                && e["name"] == "write"
                && e["comm"] == "wl-stack"
                && e["args"][1]
                    .as_str()
                    .is_some_and(|a| a.contains("STACK-WRITE"))
        })
        .unwrap_or_else(|| panic!("no write of STACK-WRITE by wl-stack in the journal"));
    let stack = ev["stack"].as_array().expect("no stack on the event");
    eprintln!("vmscope: {stack:#?}");
    assert!(stack.len() >= 6, "{} frames", stack.len());
    let hex =
        |v: &serde_json::Value| u64::from_str_radix(v.as_str()?.trim_start_matches("0x"), 16).ok();
    // Frame 0: libc's write, right after the svc.
    let f0 = &stack[0];
    assert!(
        f0["module"]
            .as_str()
            .is_some_and(|m| m.ends_with("/libc.so.6")),
        "{f0}"
    );
    assert!(
        f0["symbol"].as_str().is_some_and(|s| s.contains("write")),
        "{f0}"
    );
    // Frames 1-4: each right after a bl to the function below.
    let plt = exe.section(".plt");
    let mut callee: Option<&str> = None;
    for (i, name) in ["inner", "middle", "outer", "main"].iter().enumerate() {
        let f = &stack[i + 1];
        assert_eq!(
            f["module"].as_str(),
            Some("/bin/wl-stack"),
            "frame {}",
            i + 1
        );
        assert_eq!(f["symbol"].as_str(), Some(*name), "frame {}", i + 1);
        let off = hex(&f["offset"]).unwrap_or_else(|| panic!("frame {}: no offset", i + 1));
        let (start, size) = funcs[*name];
        assert!(
            off > start && off <= start + size,
            "frame {}: {off:#x} not in {name}",
            i + 1
        );
        assert_eq!(
            hex(&f["symbol_offset"]),
            Some(off - start),
            "frame {}",
            i + 1
        );
        let target = bl_target(exe.word_at(off - 4), off - 4)
            .unwrap_or_else(|| panic!("frame {}: no bl before {off:#x}", i + 1));
        match callee {
            None => assert!(
                (plt.0..plt.0 + plt.1).contains(&target),
                "inner's bl goes to {target:#x}, not the PLT"
            ),
            Some(c) => assert_eq!(target, funcs[c].0, "frame {}: bl not to {c}", i + 1),
        }
        callee = Some(name);
    }
    let inner = &stack[1];
    assert!(
        inner["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("stack.c")),
        "{inner}"
    );
    assert_eq!(inner["line"].as_u64(), Some(write_line), "{inner}");
    // Past main: libc's start code, then the walk ends at _start.
    let last = stack.last().unwrap();
    assert_eq!(last["symbol"].as_str(), Some("_start"), "{last}");
    assert!(stack.len() < 16, "{} frames", stack.len());
}

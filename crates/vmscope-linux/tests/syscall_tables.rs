//! The generated syscall tables against the kernel headers installed on this machine
//! (`/usr/include/x86_64-linux-gnu/asm/unistd_64.h`, `unistd_32.h`): every name and number must match.

#![allow(clippy::expect_used, reason = "a failing test may panic")]

use std::collections::BTreeMap;

use vmscope_core::event::Abi;
use vmscope_linux::syscalls::lookup;

/// `#define __NR_read 0` lines of a header; `None` when the header is not installed.
fn header(path: &str) -> Option<BTreeMap<u64, String>> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let mut words = line.split_whitespace();
        if words.next() != Some("#define") {
            continue;
        }
        let (Some(name), Some(num)) = (words.next(), words.next()) else {
            continue;
        };
        let Some(name) = name.strip_prefix("__NR_") else {
            continue;
        };
        if let Ok(n) = num.parse::<u64>() {
            out.insert(n, name.to_string());
        }
    }
    Some(out)
}

fn check(abi: Abi, path: &str) {
    // The headers come with the C compiler's libc headers (linux-libc-dev), which
    // scripts/install-host-deps.sh installs: their absence is a broken machine, not a skip.
    let nrs = header(path)
        .unwrap_or_else(|| panic!("{path} not installed: apt-get install linux-libc-dev"));
    assert!(nrs.len() > 300, "{path}: only {} numbers", nrs.len());
    for (&nr, name) in &nrs {
        let desc = lookup(abi, nr);
        assert_eq!(
            desc.map(|d| d.name()),
            Some(name.as_str()),
            "{abi:?} {nr}: header says {name}"
        );
        if let Some(d) = desc {
            assert_eq!(d.nr as u64, nr);
            assert_eq!(d.args.len(), d.nargs as usize, "{name}: kinds per argument");
            assert!(d.nargs <= 6, "{name}: {} arguments", d.nargs);
        }
    }
    // Nothing in the table the header lacks.
    for nr in 0..4096u64 {
        if let Some(d) = lookup(abi, nr) {
            assert_eq!(
                nrs.get(&nr).map(String::as_str),
                Some(d.name()),
                "{abi:?} {nr}: table has {}",
                d.name()
            );
        }
    }
}

#[test]
fn x86_64_table_matches_unistd_64_h() {
    check(Abi::X86_64, "/usr/include/x86_64-linux-gnu/asm/unistd_64.h");
}

#[test]
fn i386_table_matches_unistd_32_h() {
    check(Abi::I386, "/usr/include/x86_64-linux-gnu/asm/unistd_32.h");
}

#[test]
fn numbers_outside_the_tables_are_unknown() {
    assert!(lookup(Abi::X86_64, 0x1bad).is_none());
    assert!(lookup(Abi::X86_64, u64::MAX).is_none());
    assert!(lookup(Abi::I386, 1 << 40).is_none());
    // x32 calls are not part of the 64-bit table.
    assert!(lookup(Abi::X86_64, 512).is_none());
}

/// The arm64 numbers as the cross compiler's headers define them (`linux-libc-dev-arm64-cross`):
/// `aarch64-linux-gnu-cpp -dM` on `<asm/unistd.h>`, aliases like `__NR_fcntl __NR3264_fcntl`
/// resolved.
fn arm64_header() -> BTreeMap<u64, String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("aarch64-linux-gnu-cpp")
        .args(["-dM", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect(
            "aarch64-linux-gnu-cpp: install gcc-aarch64-linux-gnu (scripts/install-host-deps.sh)",
        );
    child
        .stdin
        .take()
        .map(|mut i| i.write_all(b"#include <asm/unistd.h>\n"));
    let out = child.wait_with_output().expect("aarch64-linux-gnu-cpp");
    let text = String::from_utf8_lossy(&out.stdout);
    let defs: BTreeMap<&str, &str> = text
        .lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            (w.next() == Some("#define")).then_some(())?;
            Some((w.next()?, w.next()?))
        })
        .collect();
    fn resolve<'a>(defs: &BTreeMap<&'a str, &'a str>, mut v: &'a str) -> Option<u64> {
        for _ in 0..8 {
            if let Ok(n) = v.parse::<u64>() {
                return Some(n);
            }
            v = defs.get(v)?;
        }
        None
    }
    let map: BTreeMap<u64, String> = defs
        .iter()
        .filter_map(|(k, v)| {
            let name = k.strip_prefix("__NR_")?;
            if name == "syscalls" || name == "arch_specific_syscall" {
                return None;
            }
            Some((resolve(&defs, v)?, name.to_string()))
        })
        .collect();
    map
}

#[test]
fn aarch64_table_matches_the_arm64_headers() {
    let nrs = arm64_header();
    assert!(nrs.len() > 300, "only {} numbers", nrs.len());
    for (&nr, name) in &nrs {
        assert_eq!(
            lookup(Abi::Aarch64, nr).map(|d| d.name()),
            Some(name.as_str()),
            "aarch64 {nr}: header says {name}"
        );
    }
    for nr in 0..4096u64 {
        if let Some(d) = lookup(Abi::Aarch64, nr) {
            assert_eq!(
                nrs.get(&nr).map(String::as_str),
                Some(d.name()),
                "aarch64 {nr}"
            );
        }
    }
    // No legacy calls: `open`, `stat`, `fork` are x86_64's only.
    for n in ["open", "stat", "fork"] {
        assert!(nrs.values().all(|v| v != n), "{n}");
    }
}

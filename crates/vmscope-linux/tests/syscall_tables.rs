//! The generated syscall tables against the kernel headers installed on this machine
//! (`/usr/include/x86_64-linux-gnu/asm/unistd_64.h`, `unistd_32.h`): every name and number must match.

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

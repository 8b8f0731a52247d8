//! `--stack` against `strace -k` in the same guest: `wl-stack` (dynamically linked, stripped in the
//! guest, its debug file on the host) writes `STACK-WRITE` three functions deep; the top frames'
//! (module, offset) must be strace's, symbols must name the functions, and with `--debug-dir` the
//! frame in `inner` must carry `stack.c` and the line of the `write` call. Also the bad inputs: a
//! missing `--debug-dir`, and flags that need `--stack`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test may panic"
)]

mod common;

use common::{GuestRun, guest_dir, vmscope};
use serde_json::Value;

/// strace -k's frames of the first `write` of `STACK-WRITE`: (module, symbol, offset).
fn strace_frames(log: &str) -> Vec<(String, Option<String>, u64)> {
    let mut lines = log
        .lines()
        .skip_while(|l| !l.contains("write(1, \"STACK-WRITE"));
    assert!(
        lines.next().is_some(),
        "no STACK-WRITE in strace's output:\n{log}"
    );
    lines
        .take_while(|l| l.starts_with(" > "))
        .map(|l| {
            // ` > /path(sym+0x10) [0x1234]` or ` > /path() [0x1234]`
            let l = &l[3..];
            let open = l.find('(').unwrap();
            let close = l.rfind(") [").unwrap();
            let inner = &l[open + 1..close];
            let sym = inner.split('+').next().filter(|s| !s.is_empty());
            let off = l[close + 3..]
                .trim_end_matches(']')
                .trim_start_matches("0x");
            (
                l[..open].to_string(),
                sym.map(str::to_string),
                u64::from_str_radix(off, 16).unwrap(),
            )
        })
        .collect()
}

fn hex(v: &Value) -> Option<u64> {
    u64::from_str_radix(v.as_str()?.trim_start_matches("0x"), 16).ok()
}

#[test]
fn stack_frames_equal_strace_k_and_carry_lines_linux_6_12() {
    let g = guest_dir("6.12");
    let Some(run) = GuestRun::new("6.12", "stacks") else {
        return;
    };
    assert!(
        g.join("debug").is_dir(),
        "no {}/debug: rebuild the guest (guest/build.sh) for wl-stack's debug file",
        g.display()
    );
    // The debug directory: wl-stack's debug file by build-id (symbols, lines), and copies of the
    // guest's images at their guest paths (their .eh_frame, as strace's libunwind reads the files):
    // the program, and the host's libc, which the guest build copied.
    let debug = common::tempdir("stacks-debug");
    let cp = |from: &std::path::Path, to: &str| {
        let to = debug.join(to);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, &to).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    };
    let ids = g.join("debug/.build-id");
    for d in std::fs::read_dir(&ids).unwrap() {
        let d = d.unwrap().path();
        for f in std::fs::read_dir(&d).unwrap() {
            let f = f.unwrap().path();
            let rel = f.strip_prefix(g.join("debug")).unwrap();
            cp(&f, rel.to_str().unwrap());
        }
    }
    cp(&g.join("workloads/wl-stack"), "bin/wl-stack");
    let libc = std::fs::canonicalize("/lib/x86_64-linux-gnu/libc.so.6").unwrap();
    cp(&libc, "lib/x86_64-linux-gnu/libc.so.6");
    let src = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guest/workloads/stack.c"),
    )
    .unwrap();
    let write_line = src.lines().position(|l| l.contains("STACK-WRITE")).unwrap() as u32 + 1;
    let out = run
        .workloads("stack")
        .append("vmscope.strace_k=1")
        .strace()
        .arg("--stack")
        .arg("--debug-dir")
        .arg(&debug)
        .run();
    let strace = strace_frames(out.strace.as_deref().unwrap());
    assert!(strace.len() >= 5, "strace -k gave {strace:?}");
    let events = out.events();
    // vmscope sees the write twice (strace's own process does not write it): the traced one.
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
    eprintln!("strace -k: {strace:#?}\nvmscope: {stack:#?}");
    // The top five frames: libc's write, inner, middle, outer, main.
    for (i, (module, sym, off)) in strace.iter().take(5).enumerate() {
        let f = &stack[i];
        assert_eq!(f["module"].as_str(), Some(module.as_str()), "frame {i}");
        assert_eq!(hex(&f["offset"]), Some(*off), "frame {i}");
        // strace names libc's frame from .dynsym; the stripped program's are unnamed for it.
        if let Some(s) = sym {
            assert_eq!(f["symbol"].as_str(), Some(s.as_str()), "frame {i}");
        }
    }
    let names: Vec<&str> = stack
        .iter()
        .take(5)
        .map(|f| f["symbol"].as_str().unwrap_or(""))
        .collect();
    assert!(names[0].contains("write"), "{names:?}");
    assert_eq!(
        &names[1..5],
        ["inner", "middle", "outer", "main"],
        "{names:?}"
    );
    let inner = &stack[1];
    assert!(
        inner["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("stack.c")),
        "{inner}"
    );
    assert_eq!(
        inner["line"].as_u64(),
        Some(u64::from(write_line)),
        "{inner}"
    );
    assert!(stack[4]["line"].as_u64().is_some(), "{}", stack[4]);
}

#[test]
fn a_missing_debug_dir_is_one_line_before_the_guest_starts() {
    let out = vmscope()
        .args([
            "run",
            "--stack",
            "--debug-dir",
            "/nonexistent/vmscope-debug",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.trim(),
        "vmscope: --debug-dir /nonexistent/vmscope-debug: no such directory"
    );
    let out = vmscope()
        .args(["run", "--debug-dir", "/tmp"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("need --stack"));
}

//! End to end: `--decode-fds` against `strace -y` inside the same guest. The file workloads run under
//! strace with `-y` (`vmscope.strace_y=1`) while vmscope traces from outside with `--decode-fds`; for
//! every call of the traced processes, each descriptor strace names with a path (`read(3</etc/fstab>`,
//! `= 3</tmp/x>`, `AT_FDCWD</tmp>`) must be named the same by vmscope, and vmscope must name no descriptor with a path
//! strace does not. The network workload's socket descriptors must carry their addresses.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test may panic"
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::GuestRun;
use serde_json::Value;

/// One named descriptor: (thread, call, descriptor, name), counted (strace -f prints thread ids).
type Names = BTreeMap<(u64, String, i64, String), usize>;

/// Every `N</path>` of strace's lines (argument or return value), by process and call. strace -f
/// lines: `PID  name(args) = ret`; a call split by another thread's line ends on a
/// `<... name resumed>…) = ret` line, which carries the names after its start (the return value's).
fn strace_names(log: &str) -> (Names, BTreeSet<u64>) {
    let mut names = Names::new();
    let mut pids = BTreeSet::new();
    for l in log.lines() {
        let l = l.trim_end();
        let Some((pid, rest)) = l.split_once(' ') else {
            continue;
        };
        let Ok(pid) = pid.parse::<u64>() else {
            continue;
        };
        pids.insert(pid);
        let rest = rest.trim_start();
        if rest.starts_with("+++") || rest.starts_with("---") {
            continue;
        }
        let (call, rest) = match rest.strip_prefix("<... ") {
            Some(r) => match r.split_once(" resumed>") {
                Some((call, after)) => (call, after),
                None => continue,
            },
            None => match rest.split_once('(') {
                Some((call, _)) => (call, rest),
                None => continue,
            },
        };
        // `3</path>`: digits right before `</`, the name up to the next `>` (paths here hold none).
        let b = rest.as_bytes();
        let mut i = 0;
        while let Some(p) = rest[i..].find("</") {
            let at = i + p;
            let mut s = at;
            while s > 0 && b[s - 1].is_ascii_digit() {
                s -= 1;
            }
            let Some(end) = rest[at + 1..].find('>') else {
                break;
            };
            let fd = if rest[..at].ends_with("AT_FDCWD") {
                Some(-100)
            } else if s < at && (s == 0 || !b[s - 1].is_ascii_alphanumeric()) {
                Some(rest[s..at].parse::<i64>().unwrap())
            } else {
                None
            };
            if let Some(fd) = fd {
                let name = &rest[at + 1..at + 1 + end];
                *names
                    .entry((pid, call.to_string(), fd, name.to_string()))
                    .or_default() += 1;
            }
            i = at + 1 + end;
        }
    }
    (names, pids)
}

/// The same from vmscope's journal (`fd_names`, `ret_fd_name`), for threads `tids` once they run a
/// workload (before its exec, strace's child is strace, which strace does not show).
fn vmscope_names(ev: &[Value], tids: &BTreeSet<u64>) -> Names {
    let mut names = Names::new();
    for e in ev.iter().filter(|e| e["type"] == "syscall") {
        let Some(pid) = e["tid"].as_u64().filter(|p| tids.contains(p)) else {
            continue;
        };
        if !e["comm"].as_str().is_some_and(|c| c.starts_with("wl-")) {
            continue;
        }
        let call = e["name"].as_str().unwrap().to_string();
        for f in e["fd_names"].as_array().into_iter().flatten() {
            let arg = f["arg"].as_u64().unwrap() as usize;
            let fd: i64 = match e["args"][arg].as_str().unwrap() {
                "AT_FDCWD" => -100,
                n => n.parse().unwrap(),
            };
            let name = f["name"].as_str().unwrap().to_string();
            *names.entry((pid, call.clone(), fd, name)).or_default() += 1;
        }
        if let Some(n) = e["ret_fd_name"].as_str() {
            let fd = e["ret"].as_i64().unwrap();
            *names
                .entry((pid, call.clone(), fd, n.to_string()))
                .or_default() += 1;
        }
    }
    names
}

/// Only the names that are paths (strace's `pipe:[…]`, `socket:[…]` name kernel objects by inode).
fn paths(n: &Names) -> Names {
    n.iter()
        .filter(|(k, _)| k.3.starts_with('/'))
        .map(|(k, v)| (k.clone(), *v))
        .collect()
}

#[test]
fn file_descriptors_are_named_as_strace_y_names_them() {
    let Some(run) = GuestRun::new("6.12", "decode-fds") else {
        return;
    };
    let out = run
        .workloads("fstab,fileio,files,fstab32,fileio32")
        .strace()
        .append("vmscope.strace_y=1")
        .arg("--decode-fds")
        .run();
    let log = out.strace.as_deref().unwrap();
    let (st, pids) = strace_names(log);
    let st = paths(&st);
    let vm = paths(&vmscope_names(&out.events(), &pids));
    let total: usize = st.values().sum();
    assert!(
        total > 100,
        "strace -y named only {total} descriptors:\n{log}"
    );
    // Every path vmscope gives is strace's, call by call.
    let wrong: Vec<_> = vm
        .iter()
        .filter(|(k, n)| st.get(*k).is_none_or(|m| *n > m))
        .collect();
    assert!(
        wrong.is_empty(),
        "named by vmscope, not so by strace: {wrong:#?}"
    );
    // And it names (nearly) all of strace's: the rest are descriptors it could not have known.
    let named: usize = vm.values().sum();
    let missing: Vec<_> = st
        .iter()
        .filter(|(k, n)| vm.get(*k).is_none_or(|m| m < *n))
        .collect();
    println!("strace -y named {total} descriptors by path, vmscope {named}; missing: {missing:#?}");
    assert!(
        named * 100 >= total * 95,
        "vmscope named {named} of {total}: {missing:#?}"
    );
}

#[test]
fn sockets_are_named_by_their_addresses() {
    let Some(run) = GuestRun::new("6.12", "decode-fds-net") else {
        return;
    };
    let out = run.workloads("netmon").arg("--decode-fds").run();
    let ev = out.events();
    let names: Vec<&str> = ev
        .iter()
        .filter(|e| e["type"] == "syscall")
        .flat_map(|e| {
            e["fd_names"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|f| f["name"].as_str())
                .chain(e["ret_fd_name"].as_str())
        })
        .collect();
    for want in [
        "socket:[127.0.0.1:7777]",
        "socket:[[::1]:7778]",
        "socket:[/tmp/",
        "socket:[@",
    ] {
        assert!(
            names.iter().any(|n| n.starts_with(want)),
            "no descriptor named {want}…: {names:?}"
        );
    }
    // An accepted connection: the listener's address and the peer's.
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("socket:[127.0.0.1:7777->127.0.0.1:")),
        "{names:?}"
    );
}

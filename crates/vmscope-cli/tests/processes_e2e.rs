//! End to end: the process monitor on real guests. The `lifecycle` workload (64- and 32-bit) forks,
//! execs itself by a relative name with arguments, vforks and execs busybox, starts threads, has a
//! child killed by SIGKILL, and prints every id the kernel gave it; the journal's process and thread
//! events must say the same, on Linux 6.12 and 6.1, with KPTI forced on and two vCPUs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test may panic"
)]

mod common;

#[path = "checks/processes.rs"]
mod checks;

use std::collections::BTreeSet;

use checks::{check_births, check_lifecycle, check_lists, journal, printed};
use common::{GuestRun, tempdir};

/// Boots `series` running `workloads` under vmscope with the processes module; returns the journal
/// (JSON Lines, or text with `text`) and the console.
fn run(series: &str, workloads: &str, extra: &[&str], text: bool) -> Option<(String, String)> {
    let name = format!("proc-{}", extra.join("").replace(['-', '=', ' '], ""));
    let mut r = GuestRun::new(series, &name)?
        .modules("context,syscalls,processes")
        .workloads(workloads);
    if text {
        r = r.text();
    }
    for e in extra {
        r = match e.strip_prefix("append:") {
            Some(a) => r.append(a),
            None => r.arg(*e),
        };
    }
    let out = r.run();
    assert!(
        out.console.contains("vmscope-guest: done"),
        "guest did not finish:\n{}",
        out.console
    );
    Some((out.journal, out.console))
}

fn full_check(series: &str, extra: &[&str]) {
    let Some((text, console)) = run(series, "lifecycle,lifecycle32", extra, false) else {
        return;
    };
    let dir = tempdir(&format!("proc-json-{series}"));
    let path = dir.join("j.jsonl");
    std::fs::write(&path, &text).unwrap();
    let j = journal(&path);
    check_lifecycle(&j, &printed(&console, "lifecycle"), "wl-lifecycle");
    check_lifecycle(&j, &printed(&console, "lifecycle32"), "wl-lifecycle32");
    check_lists(&j);
    check_births(&j);
}

#[test]
fn lifecycle_events_match_the_workload_on_linux_6_12() {
    full_check("6.12", &[]);
}

#[test]
fn lifecycle_events_match_the_workload_on_linux_6_1() {
    full_check("6.1", &[]);
}

#[test]
fn lifecycle_events_with_two_vcpus_on_both_kernels() {
    full_check("6.12", &["--smp", "2"]);
    full_check("6.1", &["--smp", "2"]);
}

/// With KPTI the kernel's memory is not mapped at a call's entry and return (CR3 holds the user page
/// table at `syscall`, `sysret` and `iret` to user mode): threads are named from the switch to the user
/// tables, and what the module needs from the kernel (exec details, parents, process lists) is read
/// at that switch (docs/processes.md). The same checks as without KPTI.
#[test]
fn lifecycle_events_with_kpti_forced_on() {
    full_check("6.12", &["append:pti=on"]);
    full_check("6.1", &["append:pti=on", "--smp", "2"]);
}

/// `--follow-comm` keeps the workload and its descendants only; the text journal draws trees.
#[test]
fn follow_comm_keeps_the_workload_and_its_children() {
    let Some((text, console)) = run(
        "6.12",
        "fstab,lifecycle,fileio",
        &["--follow-comm", "wl-lifecycle"],
        true,
    ) else {
        return;
    };
    let p = printed(&console, "lifecycle");
    let family: BTreeSet<u32> = [p.main, p.exec_child, p.echo, p.victim].into();
    let mut seen = BTreeSet::new();
    for l in text.lines().filter(|l| l.starts_with("[pid ")) {
        let pid: u32 = l[5..].split_whitespace().next().unwrap().parse().unwrap();
        assert!(family.contains(&pid), "not the workload's: {l}");
        seen.insert(pid);
    }
    assert_eq!(seen, family, "every process of the family is journaled");
    // The family's lines are there, the other workloads' are not.
    assert!(text.contains("process exec ppid="), "{text}");
    assert!(text.contains("argv=[\"wl-lifecycle\",\"child\",\"two words\",\"x\"]"));
    assert!(text.contains("signal=\"SIGKILL\""));
    assert!(!text.contains("wl-fstab") && !text.contains("wl-fileio"));
    // Process lists are trees of the followed processes only: empty at start, empty again at the end.
    assert!(
        text.contains("# process list (start, from kernel): 0 processes, 0 threads"),
        "{text}"
    );
    assert!(text.contains("# process list (shutdown, from kernel): 0 processes"));
}

/// An unfiltered text journal draws the process tree: init above the shell's children.
#[test]
fn the_text_journal_draws_the_process_tree() {
    let Some((text, _)) = run("6.12", "fstab", &["--pid", "1"], true) else {
        return;
    };
    // --pid 1 follows init and all its descendants: everything but kernel threads.
    let tree: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("# process list (shutdown"))
        .skip(1)
        .take_while(|l| !l.starts_with('[') && !l.starts_with('#'))
        .collect();
    assert!(tree[0].starts_with("1 init ["), "{tree:#?}");
    assert!(
        tree.iter()
            .any(|l| l.starts_with("└─ ") || l.starts_with("├─ ")),
        "{tree:#?}"
    );
    assert!(
        !text.contains("kthreadd"),
        "kernel threads are not init's children"
    );
    assert!(text.contains("] process exec ppid=") && text.contains("path=\"/bin/wl-fstab\""));
}

#![allow(clippy::unwrap_used, reason = "tests may panic")]

use vmscope_core::arch::{EntryKind, ExitKind};
use vmscope_core::event::{Event, ThreadCtx};
use vmscope_core::guest::TestGuest;
use vmscope_core::module::{Bus, Hook, HookPoint, Module};

use super::Sched;

fn thread(task: u64, pid: Option<u32>, tid: u32, comm: Option<&str>) -> ThreadCtx {
    ThreadCtx {
        pid,
        tid: Some(tid),
        comm: comm.map(Into::into),
        task,
        asid: 0x1000,
    }
}

fn run(s: &Sched, ts: u64, vcpu: u32, point: HookPoint, t: ThreadCtx) -> Vec<Event> {
    let mut h = Hook::new(ts, vcpu, 0, 2, point);
    h.thread = Some(t);
    if matches!(point, HookPoint::Exit(_)) {
        h.to_user = Some(true);
    }
    let mut bus = Bus::default();
    s.on_hook(&mut TestGuest::new(), &mut h, &mut bus);
    bus.take()
}

const ENTRY: HookPoint = HookPoint::Entry(EntryKind::Syscall);
const SYSRET: HookPoint = HookPoint::Exit(ExitKind::Sysret { wide: true });

#[test]
fn a_switch_names_both_threads_and_time_is_summed_per_vcpu() {
    let s = Sched::new(2);
    // Thread A (pid 10) enters, returns: a first switch from no one.
    assert!(run(&s, 100, 0, ENTRY, thread(0xa, Some(10), 10, Some("a"))).is_empty());
    let ev = run(&s, 200, 0, SYSRET, thread(0xa, None, 10, None));
    let Some(Event::Switch(sw)) = ev.first() else {
        panic!("{ev:?}")
    };
    assert_eq!((sw.pid, sw.tid, sw.prev_pid), (Some(10), Some(10), None));
    assert_eq!(sw.comm.as_deref(), Some("a"));
    // The same thread again: nothing.
    assert!(run(&s, 250, 0, SYSRET, thread(0xa, None, 10, None)).is_empty());
    // Thread B, known by its entry on another vCPU, returns on vCPU 0.
    run(&s, 260, 1, ENTRY, thread(0xb, Some(20), 21, Some("b")));
    let ev = run(&s, 500, 0, SYSRET, thread(0xb, None, 21, None));
    let Some(Event::Switch(sw)) = ev.first() else {
        panic!("{ev:?}")
    };
    assert_eq!(
        (sw.pid, sw.tid, sw.prev_pid, sw.prev_tid),
        (Some(20), Some(21), Some(10), Some(10))
    );
    let mut bus = Bus::default();
    s.on_stop(&mut bus);
    let sums: Vec<_> = bus
        .take()
        .into_iter()
        .filter_map(|e| match e {
            Event::SchedSummary(s) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(sums.len(), 2);
    assert_eq!((sums[0].pid, sums[0].tid), (Some(10), Some(10)));
    assert_eq!(sums[0].vcpus.len(), 1);
    assert_eq!((sums[0].vcpus[0].ns, sums[0].vcpus[0].switches), (300, 1));
    assert_eq!(sums[1].tid, Some(21));
}

#[test]
fn a_new_threads_switch_waits_for_its_name() {
    let s = Sched::new(1);
    // A first return (iret) of a task never seen: pid unknown, published at its first entry.
    let iret = HookPoint::Exit(ExitKind::Iret { wide: true });
    assert!(run(&s, 10, 0, iret, thread(0xc, None, 33, None)).is_empty());
    let ev = run(&s, 20, 0, ENTRY, thread(0xc, Some(30), 33, Some("t")));
    let Some(Event::Switch(sw)) = ev.first() else {
        panic!("{ev:?}")
    };
    assert_eq!((sw.ts, sw.pid, sw.tid), (10, Some(30), Some(33)));
    // A task object reused by another thread is not named from the cache.
    run(&s, 30, 0, SYSRET, thread(0xd, None, 40, None));
    let ev = run(&s, 40, 0, iret, thread(0xc, None, 34, None));
    // Only the unnamed switch to 0xd comes out (the next switch ends its wait); 34 waits for its name.
    assert_eq!(ev.len(), 1, "{ev:?}");
    let Some(Event::Switch(sw)) = ev.first() else {
        panic!("{ev:?}")
    };
    assert_eq!((sw.pid, sw.tid), (None, Some(40)));
}

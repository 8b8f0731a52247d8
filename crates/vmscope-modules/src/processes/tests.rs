//! Unit tests of the process monitor over synthetic guests.

use super::*;
use std::sync::Mutex;
use vmscope_core::arch::x86_64::{CS, RAX, X86_64};
use vmscope_core::dispatch::Sink;
use vmscope_core::event::{ListSource, ListWhen, ProcessEvent, ProcessOp, Seen, ThreadCtx};
use vmscope_core::guest::TestGuest;
use vmscope_linux::syscalls::entering_call;

use crate::test_support::layout;

const T: u64 = 0xffff_8880_0100_0000;
const MM: u64 = 0xffff_8880_0800_0000;

fn t(i: u64) -> u64 {
    T + i * 0x1000
}

/// Task 3 (pid 11, "wl", child of task 2) after an exec of /bin/wl with `args`: its mm holds the
/// arguments and an auxiliary vector whose AT_EXECFN names the program.
fn new_image(g: &mut TestGuest, args: &[u8]) {
    task(g, 3, 11, 11, "wl", t(2));
    g.write_u64(t(3) + 0x80, MM);
    g.write(0x7ffc_0000_0100, args);
    g.write_u64(MM + 0x100, 0x7ffc_0000_0100)
        .write_u64(MM + 0x108, 0x7ffc_0000_0100 + args.len() as u64);
    g.write(0x7ffc_0000_0200, b"/bin/wl\0");
    for (i, v) in [31u64, 0x7ffc_0000_0200, 0, 0].iter().enumerate() {
        g.write_u64(MM + 0x200 + 8 * i as u64, *v);
    }
}

/// Writes task `i` (pid, tid, comm, parent task) with an empty thread list.
fn task(g: &mut TestGuest, i: u64, pid: u32, tid: u32, comm: &str, parent: u64) {
    let at = t(i);
    g.write_u32(at + 0x100, tid).write_u32(at + 0x104, pid);
    let mut c = comm.as_bytes().to_vec();
    c.resize(16, 0);
    g.write(at + 0x200, &c);
    g.write_u64(at + 0x110, parent).write_u64(at + 0x118, at);
    g.write_u64(at + 0x120, at + 0x120)
        .write_u64(at + 0x128, at + 0x120);
    g.write_u32(at + 0x18, 1);
}

/// init (task 1, pid 1) and a shell (task 2, pid 10) on the task list.
fn guest() -> TestGuest {
    let mut g = TestGuest::new();
    task(&mut g, 1, 1, 1, "init", t(1));
    task(&mut g, 2, 10, 10, "sh", t(1));
    let (a, b) = (t(1) + 0x40, t(2) + 0x40);
    g.write_u64(a, b).write_u64(a + 8, b);
    g.write_u64(b, a).write_u64(b + 8, a);
    g
}

fn call(name: &str, pid: u32, tid: u32, task: u64, raw: [u64; 6], ret: Option<i64>) -> Event {
    let thread = vmscope_core::event::ThreadCtx {
        pid: Some(pid),
        tid: Some(tid),
        comm: Some("sh".into()),
        task,
        asid: 0,
    };
    Event::Syscall(Box::new(crate::test_support::syscall_event(
        vmscope_core::event::Abi::X86_64,
        name,
        thread,
        raw,
        ret,
        None,
    )))
}

fn feed(m: &Processes, g: &mut TestGuest, ev: &Event) -> Vec<Event> {
    let mut bus = Bus::default();
    m.on_event(ev, g, &mut bus);
    bus.take()
}

fn procs(ev: &[Event]) -> Vec<&ProcessEvent> {
    ev.iter()
        .filter_map(|e| match e {
            Event::Process(p) => Some(&**p),
            _ => None,
        })
        .collect()
}

fn known() -> Arc<crate::kernel::KernelCell> {
    Arc::new(crate::kernel::KernelCell::known(Some(layout()), None))
}

fn module() -> Processes {
    Processes::new(known(), None, None)
}

#[test]
fn fork_exec_exit_and_a_kill_seen_at_wait() {
    let m = module();
    let mut g = guest();
    // The shell forks 11: the first event also lists the processes.
    let ev = feed(
        &m,
        &mut g,
        &call("clone", 10, 10, t(2), [0x11, 0, 0, 0, 0, 0], Some(11)),
    );
    let Some(Event::ProcessList(list)) = ev.first() else {
        panic!("no list first: {ev:?}");
    };
    assert_eq!((list.when, list.complete), (ListWhen::Start, true));
    let pids: Vec<(u32, Option<u32>)> = list.processes.iter().map(|p| (p.pid, p.ppid)).collect();
    assert_eq!(pids, vec![(1, Some(1)), (10, Some(1))]);
    let p = procs(&ev);
    assert_eq!(p.len(), 1);
    assert_eq!(
        (p[0].op, p[0].pid, p[0].ppid),
        (ProcessOp::Fork, Some(11), Some(10))
    );
    assert_eq!(p[0].seen, Seen::Call);
    // 11 execs /bin/wl with arguments: read from the new image.
    new_image(&mut g, b"wl\0-v\0two words\0");
    let ev = feed(&m, &mut g, &call("execve", 11, 11, t(3), [0; 6], Some(0)));
    let p = procs(&ev);
    assert_eq!(p.len(), 1, "{ev:?}");
    assert_eq!(p[0].op, ProcessOp::Exec);
    assert_eq!(p[0].comm.as_deref(), Some("wl"));
    assert_eq!(p[0].path.as_deref(), Some("/bin/wl"));
    assert_eq!(
        p[0].argv.as_deref(),
        Some(&["wl".to_string(), "-v".into(), "two words".into()][..])
    );
    // exit_group(42 + 256): the parent sees 42.
    let ev = feed(
        &m,
        &mut g,
        &call("exit_group", 11, 11, t(3), [298, 0, 0, 0, 0, 0], None),
    );
    let p = procs(&ev);
    assert_eq!((p[0].op, p[0].code), (ProcessOp::Exit, Some(42)));
    // The wait that reaps it adds nothing.
    g.write_u32(0x7ffc_0000_0300, 42 << 8);
    let ev = feed(
        &m,
        &mut g,
        &call(
            "wait4",
            10,
            10,
            t(2),
            [11, 0x7ffc_0000_0300, 0, 0, 0, 0],
            Some(11),
        ),
    );
    assert!(procs(&ev).is_empty(), "{ev:?}");
    // 12 is forked and killed: its end is learnt from the wait status.
    feed(&m, &mut g, &call("fork", 10, 10, t(2), [0; 6], Some(12)));
    g.write_u32(0x7ffc_0000_0300, 9);
    let ev = feed(
        &m,
        &mut g,
        &call(
            "wait4",
            10,
            10,
            t(2),
            [12, 0x7ffc_0000_0300, 0, 0, 0, 0],
            Some(12),
        ),
    );
    let p = procs(&ev);
    assert_eq!(p.len(), 1);
    assert_eq!(
        (p[0].op, p[0].pid, p[0].ppid),
        (ProcessOp::Exit, Some(12), Some(10))
    );
    assert_eq!(p[0].signal.as_deref(), Some("SIGKILL"));
    assert_eq!(p[0].seen, Seen::Wait);
    // At the end the list holds init and the shell only.
    let mut bus = Bus::default();
    m.on_stop(&mut bus);
    let Some(Event::ProcessList(end)) = bus.events().first() else {
        panic!("no end list");
    };
    let pids: Vec<u32> = end.processes.iter().map(|p| p.pid).collect();
    assert_eq!((end.source, pids), (ListSource::Events, vec![1, 10]));
}

#[test]
fn a_thread_that_ended_before_its_creators_clone_returned_is_announced_once() {
    let m = module();
    let mut g = guest();
    feed(&m, &mut g, &call("getpid", 10, 10, t(2), [0; 6], Some(10)));
    // Thread 13 starts, runs and exits on another vCPU before clone3 returns in its creator.
    task(&mut g, 4, 10, 13, "sh", t(1));
    let ev = feed(&m, &mut g, &call("getpid", 10, 13, t(4), [0; 6], Some(10)));
    assert_eq!(procs(&ev)[0].op, ProcessOp::ThreadStart);
    let ev = feed(&m, &mut g, &call("exit", 10, 13, t(4), [0; 6], None));
    assert_eq!(procs(&ev)[0].op, ProcessOp::ThreadExit);
    g.write_u64(
        0x7ffc_0000_0400,
        vmscope_linux::uapi::process::CLONE_THREAD | vmscope_linux::uapi::process::CLONE_VM,
    );
    let ev = feed(
        &m,
        &mut g,
        &call(
            "clone3",
            10,
            10,
            t(2),
            [0x7ffc_0000_0400, 88, 0, 0, 0, 0],
            Some(13),
        ),
    );
    assert!(
        procs(&ev).is_empty(),
        "announced again after its exit: {ev:?}"
    );
}

#[test]
fn first_calls_announce_children_and_threads_once() {
    let m = module();
    let mut g = guest();
    feed(&m, &mut g, &call("getpid", 10, 10, t(2), [0; 6], Some(10)));
    // Thread 13 of the shell calls before clone3 returns in its creator.
    task(&mut g, 4, 10, 13, "sh", t(1));
    let ev = feed(&m, &mut g, &call("getpid", 10, 13, t(4), [0; 6], Some(10)));
    let p = procs(&ev);
    assert_eq!(
        (p[0].op, p[0].tid, p[0].seen),
        (ProcessOp::ThreadStart, Some(13), Seen::FirstCall)
    );
    g.write_u64(
        0x7ffc_0000_0400,
        vmscope_linux::uapi::process::CLONE_THREAD | vmscope_linux::uapi::process::CLONE_VM,
    );
    let ev = feed(
        &m,
        &mut g,
        &call(
            "clone3",
            10,
            10,
            t(2),
            [0x7ffc_0000_0400, 88, 0, 0, 0, 0],
            Some(13),
        ),
    );
    assert!(procs(&ev).is_empty(), "announced twice: {ev:?}");
    // A clone3 whose arguments say CLONE_THREAD announces a thread.
    let ev = feed(
        &m,
        &mut g,
        &call(
            "clone3",
            10,
            10,
            t(2),
            [0x7ffc_0000_0400, 88, 0, 0, 0, 0],
            Some(16),
        ),
    );
    assert_eq!(procs(&ev)[0].op, ProcessOp::ThreadStart);
    // Child 14's first call comes before its parent's fork returns: its parent is the kernel's.
    task(&mut g, 5, 14, 14, "sh", t(2));
    let ev = feed(&m, &mut g, &call("getpid", 14, 14, t(5), [0; 6], Some(14)));
    let p = procs(&ev);
    assert_eq!(
        (p[0].op, p[0].ppid, p[0].seen),
        (ProcessOp::Fork, Some(10), Seen::FirstCall)
    );
    let ev = feed(&m, &mut g, &call("fork", 10, 10, t(2), [0; 6], Some(14)));
    assert!(procs(&ev).is_empty(), "announced twice: {ev:?}");
    // Thread 13 exits: a thread exit, not the process's.
    let ev = feed(&m, &mut g, &call("exit", 10, 13, t(4), [0; 6], None));
    let p = procs(&ev);
    assert_eq!(p.len(), 1);
    assert_eq!((p[0].op, p[0].tid), (ProcessOp::ThreadExit, Some(13)));
    // A stale call (the task object now belongs to another thread) teaches nothing.
    task(&mut g, 6, 30, 30, "other", t(1));
    let ev = feed(&m, &mut g, &call("getpid", 20, 20, t(6), [0; 6], Some(20)));
    assert!(procs(&ev).is_empty(), "{ev:?}");
}

#[derive(Default)]
struct VecSink(Mutex<Vec<Event>>);
impl Sink for VecSink {
    fn emit(&self, event: Event) {
        self.0.lock().unwrap().push(event);
    }
}

#[test]
fn the_filter_follows_a_command_name_and_its_descendants() {
    let follow = Arc::new(Follow::new(vec![], vec!["wl".into()]));
    let m = Processes::new(known(), Some(follow.clone()), None);
    let inner = Arc::new(VecSink::default());
    let sink = FilterSink::new(inner.clone(), follow);
    let mut g = guest();
    let run = |g: &mut TestGuest, ev: Event| {
        for e in feed(&m, g, &ev) {
            sink.emit(e);
        }
        sink.emit(ev);
    };
    run(
        &mut g,
        call("clone", 10, 10, t(2), [0x11, 0, 0, 0, 0, 0], Some(11)),
    );
    run(&mut g, call("getpid", 11, 11, t(3), [0; 6], Some(11)));
    task(&mut g, 3, 11, 11, "wl", t(2));
    run(&mut g, call("execve", 11, 11, t(3), [0; 6], Some(0)));
    run(
        &mut g,
        call("clone", 11, 11, t(3), [0x11, 0, 0, 0, 0, 0], Some(12)),
    );
    task(&mut g, 7, 12, 12, "wl", t(3));
    run(&mut g, call("getpid", 12, 12, t(7), [0; 6], Some(12)));
    run(&mut g, call("getpid", 10, 10, t(2), [0; 6], Some(10)));
    let out = inner.0.lock().unwrap();
    let mut kept = Vec::new();
    for e in out.iter() {
        match e {
            Event::Syscall(s) => kept.push((s.name.to_string(), s.thread.pid)),
            Event::Process(p) => kept.push((format!("{:?}", p.op), p.pid)),
            Event::ProcessList(l) => assert!(l.processes.is_empty(), "{l:?}"),
            _ => {}
        }
    }
    assert_eq!(
        kept,
        vec![
            ("Exec".to_string(), Some(11)),
            ("execve".into(), Some(11)),
            ("Fork".into(), Some(12)),
            ("clone".into(), Some(11)),
            ("getpid".into(), Some(12)),
        ]
    );
}

// ---- KPTI: the kernel is mapped at page-table switches, not at entries and returns ----

/// What the vCPU sees on the user page tables (KPTI at an entry or a return): user memory only.
fn user_view(g: &TestGuest) -> TestGuest {
    let mut u = g.clone();
    u.pages.retain(|a, _| *a < 1 << 47);
    u
}

fn at(point: HookPoint, thread: vmscope_core::event::ThreadCtx) -> Hook {
    let mut h = Hook::new(1_000, 0, 0x40_1000, 2, point);
    h.thread = Some(thread);
    h
}

fn thread(pid: u32, tid: u32, comm: &str, task: u64, asid: u64) -> ThreadCtx {
    ThreadCtx {
        pid: Some(pid),
        tid: Some(tid),
        comm: Some(comm.into()),
        task,
        asid,
    }
}

fn hook_on(m: &Processes, g: &mut TestGuest, mut h: Hook) -> Vec<Event> {
    let mut bus = Bus::default();
    m.on_hook(g, &mut h, &mut bus);
    bus.take()
}

/// A call entering by `syscall` with number `nr`, seen on the user page tables.
fn enter(m: &Processes, g: &TestGuest, nr: u64, t: ThreadCtx) -> Vec<Event> {
    let mut u = user_view(g);
    u.set_reg(RAX, nr).set_reg(CS, 0x33);
    let kind = vmscope_core::arch::EntryKind::Syscall;
    let mut h = at(HookPoint::Entry(kind), t);
    // As the context module leaves it: the entering call decoded.
    h.call = entering_call(&X86_64, &mut u, kind, h.pc);
    hook_on(m, &mut u, h)
}

#[test]
fn with_kpti_lists_wait_for_a_switch_where_the_kernel_is_mapped() {
    let m = module();
    assert!(m.interest().page_table_switches);
    let g = guest();
    let sh = thread(10, 10, "sh", t(2), 0x1000);
    // The first call enters on the user tables: the start list cannot be walked there.
    assert!(enter(&m, &g, 39, sh.clone()).is_empty());
    // The switch into the kernel runs on the user tables too: nothing.
    assert!(
        hook_on(
            &m,
            &mut user_view(&g),
            at(HookPoint::PageTableSwitch, sh.clone())
        )
        .is_empty()
    );
    // The switch back, on the kernel's tables: the start list.
    let ev = hook_on(
        &m,
        &mut g.clone(),
        at(HookPoint::PageTableSwitch, sh.clone()),
    );
    let Some(Event::ProcessList(l)) = ev.first() else {
        panic!("no list at the switch: {ev:?}");
    };
    assert_eq!(
        (l.when, l.source, l.complete, l.processes.len()),
        (ListWhen::Start, ListSource::Kernel, true, 2)
    );
    // The guest's reboot call: no switch follows it; the list is the table, at the end.
    assert!(enter(&m, &g, 169, sh).is_empty());
    let mut bus = Bus::default();
    m.on_stop(&mut bus);
    let lists: Vec<(ListWhen, ListSource)> = bus
        .events()
        .iter()
        .filter_map(|e| match e {
            Event::ProcessList(l) => Some((l.when, l.source)),
            _ => None,
        })
        .collect();
    assert_eq!(
        lists,
        vec![
            (ListWhen::Shutdown, ListSource::Events),
            (ListWhen::End, ListSource::Events)
        ]
    );
}

#[test]
fn with_kpti_exec_details_are_read_at_the_switch_before_the_return() {
    let m = module();
    let mut g = guest();
    feed(&m, &mut g, &call("getpid", 10, 10, t(2), [0; 6], Some(10)));
    feed(
        &m,
        &mut g,
        &call("clone", 10, 10, t(2), [0x11, 0, 0, 0, 0, 0], Some(11)),
    );
    // 11 calls execve (59) on the user tables of the shell's copy (address space 0x1000).
    let before = thread(11, 11, "sh", t(3), 0x1000);
    task(&mut g, 3, 11, 11, "sh", t(2));
    enter(&m, &g, 59, before.clone());
    // A switch while the exec is half done (still the old address space) reads nothing of it.
    hook_on(
        &m,
        &mut g.clone(),
        at(HookPoint::PageTableSwitch, before.clone()),
    );
    // The new image: comm, mm with arguments and AT_EXECFN, a new address space (0x2000).
    new_image(&mut g, b"wl\0-v\0");
    let after = thread(11, 11, "wl", t(3), 0x2000);
    hook_on(&m, &mut g.clone(), at(HookPoint::PageTableSwitch, after));
    // The return, on the user tables: what the kernel says comes from the switch.
    let ev = feed(
        &m,
        &mut user_view(&g),
        &call("execve", 11, 11, t(3), [0; 6], Some(0)),
    );
    let p = procs(&ev);
    assert_eq!(p.len(), 1, "{ev:?}");
    assert_eq!(p[0].op, ProcessOp::Exec);
    assert_eq!(p[0].comm.as_deref(), Some("wl"));
    assert_eq!(p[0].path.as_deref(), Some("/bin/wl"));
    assert_eq!(p[0].ppid, Some(10));
    assert_eq!(
        p[0].argv.as_deref(),
        Some(&["wl".to_string(), "-v".into()][..])
    );
    assert!(m.at_return.is_idle(), "the note went with the event");
    // A failed exec returns in the caller's address space: nothing is read for it.
    enter(&m, &g, 59, thread(11, 11, "wl", t(3), 0x2000));
    hook_on(
        &m,
        &mut TestGuest::new(),
        at(
            HookPoint::PageTableSwitch,
            thread(11, 11, "wl", t(3), 0x2000),
        ),
    );
    let ev = feed(
        &m,
        &mut user_view(&g),
        &call("execve", 11, 11, t(3), [0; 6], Some(-2)),
    );
    assert!(procs(&ev).is_empty());
    assert!(m.at_return.is_idle());
}

#[test]
fn with_kpti_an_unknown_threads_parent_is_read_at_the_switch() {
    let m = module();
    let mut g = guest();
    feed(&m, &mut g, &call("getpid", 10, 10, t(2), [0; 6], Some(10)));
    // Child 14 makes its first call before the shell's fork returns.
    task(&mut g, 5, 14, 14, "sh", t(2));
    g.write_u64(t(5) + 0x80, MM + 0x1000);
    let child = thread(14, 14, "sh", t(5), 0x3000);
    enter(&m, &g, 39, child.clone());
    hook_on(&m, &mut g.clone(), at(HookPoint::PageTableSwitch, child));
    let ev = feed(
        &m,
        &mut user_view(&g),
        &call("getpid", 14, 14, t(5), [0; 6], Some(14)),
    );
    let p = procs(&ev);
    assert_eq!(
        (p[0].op, p[0].ppid, p[0].seen),
        (ProcessOp::Fork, Some(10), Seen::FirstCall)
    );
    // Known now, with its address space (read at the switch too): its next calls note nothing.
    enter(&m, &g, 39, thread(14, 14, "sh", t(5), 0x3000));
    assert!(m.at_return.is_idle());
    let mut bus = Bus::default();
    m.on_stop(&mut bus);
    let Some(Event::ProcessList(end)) = bus.events().first() else {
        panic!("no end list");
    };
    let child = end
        .processes
        .iter()
        .find(|p| p.pid == 14)
        .expect("child listed");
    assert_eq!(child.mm, Some(format!("{:#x}", MM + 0x1000)));
}

#[test]
fn relative_paths_are_joined_like_the_kernel_would() {
    assert_eq!(join_path("/bin", "./wl"), "/bin/wl");
    assert_eq!(join_path("/usr/lib", "../bin/x"), "/usr/bin/x");
    assert_eq!(join_path("/", "../../x"), "/x");
}

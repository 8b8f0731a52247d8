//! The handle tables against synthetic call sequences, and the module against synthetic syscalls.

use std::collections::HashMap;

use sha2::{Digest, Sha256};
use vmscope_core::arch::EntryKind;
use vmscope_core::arch::x86_64::{CS, R8, R9, R10, RAX, RDI, RDX, RSI};
use vmscope_core::event::{
    Abi, Event, FileCall, FileEvent, FileOp, Handle, HandleUse, NewHandles, ObjectKind, PathArg,
    PathBase, SyscallEvent, Target, ThreadCtx,
};
use vmscope_core::guest::{GuestCpu, TestGuest};
use vmscope_core::module::{Bus, EnteringCall, Hook, HookPoint, Module};

use super::table::{KernelView, NoKernel, Outcome, Tracker, Who, join};
use super::{FileOs, Files, LinuxFiles, escape};

fn who(tid: u64, pid: u32) -> Who {
    Who {
        key: tid,
        pid: Some(pid),
        comm: Some("wl".into()),
    }
}

fn ok(op: FileOp) -> FileCall {
    FileCall {
        op,
        flags: None,
        error: None,
    }
}

fn failed(op: FileOp, e: &str) -> FileCall {
    FileCall {
        op,
        flags: None,
        error: Some(e.into()),
    }
}

fn cwd(p: &str) -> PathArg {
    PathArg {
        base: PathBase::Cwd,
        path: Some(p.into()),
    }
}

fn at(h: Handle, p: &str) -> PathArg {
    PathArg {
        base: PathBase::Handle(h),
        path: Some(p.into()),
    }
}

fn open(p: PathArg, h: Option<Handle>, cloexec: bool) -> FileOp {
    FileOp::Open {
        at: p,
        create: false,
        cloexec,
        handle: h,
    }
}

fn run(t: &mut Tracker, w: &Who, c: FileOp) -> Vec<Outcome> {
    t.apply(w, &ok(c), None, &mut NoKernel)
}

fn spawn(tid: u32, pid: u32, files: bool, fs: bool) -> FileOp {
    FileOp::Spawn {
        tid,
        pid,
        share_handles: files,
        share_cwd: fs,
    }
}

#[test]
fn paths_join_lexically() {
    assert_eq!(join("/tmp/a", "b/../c/./d"), "/tmp/a/c/d");
    assert_eq!(join("/tmp", "/etc//fstab"), "/etc/fstab");
    assert_eq!(join("/", "../../x"), "/x");
    assert_eq!(join("/a", "."), "/a");
    assert_eq!(join("/a", ".."), "/");
}

#[test]
fn opens_resolve_against_cwd_and_directory_handles() {
    let mut t = Tracker::new(false);
    let w = who(10, 10);
    run(
        &mut t,
        &w,
        FileOp::Chdir {
            target: Target::Path(cwd("/tmp")),
        },
    );
    let o = run(&mut t, &w, open(cwd("d"), Some(3), false));
    assert_eq!(o[0].path.as_deref(), Some("/tmp/d"));
    assert_eq!(o[0].op.as_str(), "open");
    let o = run(&mut t, &w, open(at(3, "../e/f"), Some(4), false));
    assert_eq!(o[0].path.as_deref(), Some("/tmp/e/f"));
    // fchdir to the directory handle; relative opens follow.
    run(
        &mut t,
        &w,
        FileOp::Chdir {
            target: Target::Handle(3),
        },
    );
    assert_eq!(t.cwd_of(10), Some("/tmp/d"));
    let o = run(
        &mut t,
        &w,
        FileOp::Open {
            at: cwd("new"),
            create: true,
            cloexec: false,
            handle: Some(5),
        },
    );
    assert_eq!(
        (o[0].op.as_str(), o[0].path.as_deref()),
        ("create", Some("/tmp/d/new"))
    );
    // A failed open is reported, with its error, and makes no handle.
    let o = t.apply(
        &w,
        &failed(open(cwd("missing"), None, false), "ENOENT"),
        None,
        &mut NoKernel,
    );
    assert_eq!(o[0].path.as_deref(), Some("/tmp/d/missing"));
    assert_eq!(o[0].error.as_deref(), Some("ENOENT"));
    assert_eq!(o[0].fd, None);
    // A failed chdir changes nothing.
    t.apply(
        &w,
        &failed(
            FileOp::Chdir {
                target: Target::Path(cwd("/nope")),
            },
            "ENOENT",
        ),
        None,
        &mut NoKernel,
    );
    assert_eq!(t.cwd_of(10), Some("/tmp/d"));
}

#[test]
fn dups_closes_and_close_range() {
    let mut t = Tracker::new(false);
    let w = who(10, 10);
    run(&mut t, &w, open(cwd("/a"), Some(3), false));
    for (old, new) in [(3, 7), (3, 8), (7, 9)] {
        run(
            &mut t,
            &w,
            FileOp::Dup {
                old,
                new: Some(new),
                cloexec: false,
            },
        );
    }
    for h in [3, 7, 8, 9] {
        assert_eq!(t.name_of(10, h), Some("/a"), "fd {h}");
    }
    // dup2 onto an open descriptor replaces what it names.
    run(&mut t, &w, open(cwd("/b"), Some(4), false));
    run(
        &mut t,
        &w,
        FileOp::Dup {
            old: 4,
            new: Some(8),
            cloexec: false,
        },
    );
    assert_eq!(t.name_of(10, 8), Some("/b"));
    let o = run(&mut t, &w, FileOp::Close { handle: 3 });
    assert_eq!(
        (o[0].op.as_str(), o[0].path.as_deref()),
        ("close", Some("/a"))
    );
    assert_eq!(t.name_of(10, 3), None);
    assert_eq!(t.name_of(10, 7), Some("/a"));
    // A failed close (EBADF) removes nothing and says so.
    let o = t.apply(
        &w,
        &failed(FileOp::Close { handle: 4 }, "EBADF"),
        None,
        &mut NoKernel,
    );
    assert_eq!(o[0].error.as_deref(), Some("EBADF"));
    assert_eq!(t.name_of(10, 4), Some("/b"));
    // close_range with CLOEXEC only marks; without, closes and reports each.
    run(
        &mut t,
        &w,
        FileOp::CloseRange {
            first: 7,
            last: 8,
            cloexec_only: true,
        },
    );
    assert_eq!(t.name_of(10, 7), Some("/a"));
    let o = run(
        &mut t,
        &w,
        FileOp::CloseRange {
            first: 5,
            last: i64::from(u32::MAX),
            cloexec_only: false,
        },
    );
    let closed: Vec<_> = o.iter().map(|o| o.fd.unwrap_or(-1)).collect();
    assert_eq!(closed, vec![7, 8, 9]);
    assert_eq!(t.name_of(10, 4), Some("/b"));
}

#[test]
fn fork_copies_threads_share_and_exec_drops_cloexec() {
    let mut t = Tracker::new(false);
    let p = who(10, 10);
    run(&mut t, &p, open(cwd("/keep"), Some(3), false));
    run(&mut t, &p, open(cwd("/gone"), Some(4), true));
    run(
        &mut t,
        &p,
        FileOp::NewObject {
            handles: vec![5, 6],
            kind: ObjectKind::Pipe,
            cloexec: false,
        },
    );
    // A thread shares the table; a fork gets a copy; CLONE_FILES shares too.
    run(&mut t, &p, spawn(11, 10, true, true));
    run(&mut t, &p, spawn(20, 20, false, false));
    run(&mut t, &p, spawn(30, 30, true, false));
    let thread = who(11, 10);
    run(&mut t, &thread, open(cwd("/by-thread"), Some(7), false));
    assert_eq!(t.name_of(10, 7), Some("/by-thread"));
    assert_eq!(t.name_of(30, 7), Some("/by-thread"));
    assert_eq!(t.name_of(20, 7), None);
    assert_eq!(t.name_of(20, 5), Some("pipe:[?]"));
    let child = who(20, 20);
    run(&mut t, &child, FileOp::Close { handle: 3 });
    assert_eq!(t.name_of(20, 3), None);
    assert_eq!(t.name_of(10, 3), Some("/keep"));
    // FD_CLOEXEC set by fcntl on the child's copy of 5.
    run(
        &mut t,
        &child,
        FileOp::SetCloexec {
            handle: 5,
            on: true,
        },
    );
    run(&mut t, &child, FileOp::Exec);
    assert_eq!(t.name_of(20, 4), None, "O_CLOEXEC dropped at exec");
    assert_eq!(t.name_of(20, 5), None, "FD_CLOEXEC dropped at exec");
    assert_eq!(t.name_of(20, 6), Some("pipe:[?]"));
    assert_eq!(
        t.name_of(10, 4),
        Some("/gone"),
        "the parent's table is its own"
    );
    // exec in a CLONE_FILES child unshares: the parent keeps its close-on-exec handle.
    let shared = who(30, 30);
    run(&mut t, &shared, FileOp::Exec);
    assert_eq!(t.name_of(30, 4), None);
    assert_eq!(t.name_of(10, 4), Some("/gone"));
    // Threads exiting release their tables.
    let before = t.tables();
    run(&mut t, &thread, FileOp::Exit);
    assert_eq!(
        t.tables(),
        before,
        "the process still holds the shared table"
    );
    run(&mut t, &p, FileOp::Exit);
    assert_eq!(t.tables(), before - 1);
}

#[test]
fn cwd_follows_clone_fs() {
    let mut t = Tracker::new(false);
    let p = who(10, 10);
    run(
        &mut t,
        &p,
        FileOp::Chdir {
            target: Target::Path(cwd("/srv")),
        },
    );
    run(&mut t, &p, spawn(11, 10, true, true));
    run(&mut t, &p, spawn(20, 20, false, false));
    run(
        &mut t,
        &who(11, 10),
        FileOp::Chdir {
            target: Target::Path(cwd("sub")),
        },
    );
    assert_eq!(t.cwd_of(10), Some("/srv/sub"));
    assert_eq!(t.cwd_of(20), Some("/srv"));
}

struct FakeKernel(HashMap<Handle, String>, Option<String>, usize);

impl KernelView for FakeKernel {
    fn handle_name(&mut self, h: Handle) -> Option<String> {
        self.2 += 1;
        self.0.get(&h).cloned()
    }
    fn cwd(&mut self) -> Option<String> {
        self.2 += 1;
        self.1.clone()
    }
}

#[test]
fn preexisting_handles_and_cwd_come_from_the_kernel_once() {
    let mut t = Tracker::new(false);
    let w = who(1, 1);
    let mut k = FakeKernel(
        HashMap::from([(0, "/dev/console".to_string())]),
        Some("/root".into()),
        0,
    );
    let read = FileOp::Read {
        handle: 0,
        bytes: Some(5),
        offset: None,
        buffers: vec![],
    };
    let o = t.apply(&w, &ok(read.clone()), None, &mut k);
    assert_eq!(o[0].path.as_deref(), Some("/dev/console"));
    t.apply(&w, &ok(read), None, &mut k);
    assert_eq!(k.2, 1, "asked once, then remembered");
    let o = t.apply(&w, &ok(open(cwd("x"), Some(3), false)), None, &mut k);
    assert_eq!(o[0].path.as_deref(), Some("/root/x"));
    // Unknown to the kernel too: no name, no guess.
    let o = t.apply(
        &w,
        &ok(FileOp::Seek {
            handle: 9,
            offset: Some(0),
        }),
        None,
        &mut k,
    );
    assert_eq!(o[0].path, None);
}

#[test]
fn summary_counts_bytes_per_process_and_follows_renames() {
    let mut t = Tracker::new(false);
    let (a, b) = (who(10, 10), who(20, 20));
    run(&mut t, &a, open(cwd("/f"), Some(3), false));
    let rw = |write: bool, n: u64| {
        let (handle, bytes, offset, buffers) = (3, Some(n), None, vec![]);
        if write {
            FileOp::Write {
                handle,
                bytes,
                offset,
                buffers,
            }
        } else {
            FileOp::Read {
                handle,
                bytes,
                offset,
                buffers,
            }
        }
    };
    run(&mut t, &a, rw(true, 100));
    run(&mut t, &a, rw(true, 20));
    run(&mut t, &a, spawn(20, 20, false, false));
    run(&mut t, &b, rw(false, 50));
    run(
        &mut t,
        &b,
        FileOp::Rename {
            from: cwd("/f"),
            to: cwd("/g"),
        },
    );
    assert_eq!(t.name_of(10, 3), Some("/g"), "handles follow the rename");
    run(&mut t, &b, FileOp::Unlink { at: cwd("/g") });
    let s = t.summary(0);
    let f = s.iter().find(|s| s.path == "/f").unwrap();
    assert_eq!(f.opened_by, vec![10]);
    assert_eq!(f.written_by, vec![10]);
    assert_eq!(f.read_by, vec![20]);
    assert_eq!(f.renamed_by, vec![20]);
    assert_eq!((f.bytes_read, f.bytes_written), (50, 120));
    let g = s.iter().find(|s| s.path == "/g").unwrap();
    assert_eq!(g.deleted_by, vec![20]);
    assert_eq!(g.renamed_by, vec![20]);
}

#[test]
fn thread_count_is_bounded() {
    let mut t = Tracker::new(false);
    let p = who(1, 1);
    for tid in 2..(super::table::MAX_THREADS as u32 + 100) {
        run(&mut t, &p, spawn(tid, tid, false, false));
    }
    assert!(t.threads() <= super::table::MAX_THREADS);
}

#[test]
fn escapes_like_c() {
    assert_eq!(escape(b"a\n\"\\\x00\xff"), "a\\n\\\"\\\\\\x00\\xff");
}

// ---- the module, fed synthetic syscall events through the Linux mapping ----

const OPENAT: u64 = 257;
const READ: u64 = 0;
const WRITE: u64 = 1;
const CLOSE: u64 = 3;
const PIPE2: u64 = 293;

fn sys(nr: u64, name: &str, raw: [u64; 6], ret: i64) -> SyscallEvent {
    let thread = ThreadCtx {
        pid: Some(42),
        tid: Some(42),
        comm: Some("wl".into()),
        task: 0,
        asid: 0,
    };
    let ev = crate::test_support::syscall_event(Abi::X86_64, name, thread, raw, Some(ret), None);
    assert_eq!(ev.nr, nr, "{name}");
    ev
}

fn feed(m: &Files, g: &mut TestGuest, ev: SyscallEvent) -> Vec<FileEvent> {
    let mut bus = Bus::default();
    m.on_event(&Event::Syscall(Box::new(ev)), g, &mut bus);
    bus.take()
        .into_iter()
        .filter_map(|e| match e {
            Event::File(f) => Some(f),
            _ => None,
        })
        .collect()
}

#[test]
fn module_journals_opens_reads_and_hashes_at_close() {
    let m = Files::new(
        Box::new(LinuxFiles::new(
            no_kernel(),
            &vmscope_core::arch::x86_64::X86_64,
        )),
        Some(4),
    );
    let mut g = TestGuest::new();
    g.write(0x1000, b"/tmp/data.bin\0");
    g.write(0x2000, b"hello, world");
    let at_fdcwd = u64::from(-100i32 as u32);
    let ev = feed(
        &m,
        &mut g,
        sys(OPENAT, "openat", [at_fdcwd, 0x1000, 0o102, 0o644, 0, 0], 3),
    );
    let FileEvent::Access(a) = &ev[0] else {
        panic!("not an access")
    };
    assert_eq!(
        (a.op.as_str(), a.fd, a.path.as_deref()),
        ("create", Some(3), Some("/tmp/data.bin"))
    );
    assert_eq!(
        a.flags.map(|f| f.text()).as_deref(),
        Some("O_RDWR|O_CREAT, 0644")
    );
    let ev = feed(
        &m,
        &mut g,
        sys(WRITE, "write", [3, 0x2000, 12, 0, 0, 0], 12),
    );
    let FileEvent::Access(a) = &ev[0] else {
        panic!()
    };
    assert_eq!(
        (a.op.as_str(), a.bytes, a.data.as_deref()),
        ("write", Some(12), Some("hell"))
    );
    let ev = feed(&m, &mut g, sys(READ, "read", [3, 0x2000, 100, 0, 0, 0], 5));
    let FileEvent::Access(a) = &ev[0] else {
        panic!()
    };
    assert_eq!(a.data.as_deref(), Some("hell"));
    let ev = feed(&m, &mut g, sys(CLOSE, "close", [3, 0, 0, 0, 0, 0], 0));
    let FileEvent::Access(a) = &ev[0] else {
        panic!()
    };
    let mut h = Sha256::new();
    h.update(b"hello, world");
    h.update(b"hello");
    let want: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(a.sha256.as_deref(), Some(want.as_str()));
    assert_eq!((a.hashed_bytes, a.unhashed_bytes), (Some(17), Some(0)));
    // A failed open is journaled with its errno name.
    let ev = feed(
        &m,
        &mut g,
        sys(OPENAT, "openat", [at_fdcwd, 0x1000, 0, 0, 0, 0], -2),
    );
    let FileEvent::Access(a) = &ev[0] else {
        panic!()
    };
    assert_eq!((a.error.as_deref(), a.fd), (Some("ENOENT"), None));
    // pipe2: the descriptors are read from guest memory at the exit.
    g.write(0x3000, &[5, 0, 0, 0, 6, 0, 0, 0]);
    assert!(feed(&m, &mut g, sys(PIPE2, "pipe2", [0x3000, 0, 0, 0, 0, 0], 0)).is_empty());
    m.with_tracker(|t| {
        assert_eq!(t.name_of(42, 5), Some("pipe:[?]"));
        assert_eq!(t.name_of(42, 6), Some("pipe:[?]"));
    });
    // The summary at the end.
    let mut bus = Bus::default();
    m.on_stop(&mut bus);
    let sums: Vec<_> = bus
        .take()
        .into_iter()
        .filter_map(|e| match e {
            Event::File(FileEvent::Summary(s)) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(sums.len(), 1);
    assert_eq!(sums[0].path, "/tmp/data.bin");
    assert_eq!((sums[0].bytes_read, sums[0].bytes_written), (5, 12));
    assert_eq!(
        sums[0].processes[0]
            .ops
            .iter()
            .map(|o| o.as_str())
            .collect::<Vec<_>>(),
        vec!["create", "write", "read"]
    );
}

#[test]
fn unreadable_buffers_are_counted_not_hashed() {
    let m = Files::new(
        Box::new(LinuxFiles::new(
            no_kernel(),
            &vmscope_core::arch::x86_64::X86_64,
        )),
        Some(8),
    );
    let mut g = TestGuest::new();
    g.write(0x1000, b"/f\0");
    feed(
        &m,
        &mut g,
        sys(
            OPENAT,
            "openat",
            [u64::from(-100i32 as u32), 0x1000, 0, 0, 0, 0],
            3,
        ),
    );
    // 0x1ffc..0x2000 is mapped, the next page is not.
    g.write(0x1ffc, b"abcd");
    let ev = feed(&m, &mut g, sys(READ, "read", [3, 0x1ffc, 10, 0, 0, 0], 10));
    let FileEvent::Access(a) = &ev[0] else {
        panic!()
    };
    assert_eq!(a.data.as_deref(), Some("abcd"));
    let ev = feed(&m, &mut g, sys(CLOSE, "close", [3, 0, 0, 0, 0, 0], 0));
    let FileEvent::Access(a) = &ev[0] else {
        panic!()
    };
    assert_eq!((a.hashed_bytes, a.unhashed_bytes), (Some(4), Some(6)));
}

// ---- names only the kernel knows, where the kernel is not mapped at the return (KPTI) ----

/// Where the fake kernel keeps what handle `h` names (`KNAMES + h * 0x100`) and the current directory.
const KNAMES: u64 = 0xffff_8880_0000_0000;
const KCWD: u64 = 0xffff_8880_0001_0000;

/// Linux calls over a fake kernel whose names live in kernel memory: readable on the kernel's page
/// tables (a page-table switch), not on the user's (an entry or a return under KPTI).
struct PagedKernel(LinuxFiles);

impl PagedKernel {
    fn text(cpu: &mut dyn GuestCpu, at: u64) -> Option<String> {
        let (name, _) = cpu.read_cstr(at, 64)?;
        (!name.is_empty()).then(|| String::from_utf8_lossy(&name).into_owned())
    }
}

impl FileOs for PagedKernel {
    fn calls(&self, ev: &SyscallEvent, cpu: &mut dyn GuestCpu) -> Vec<FileCall> {
        self.0.calls(ev, cpu)
    }
    fn handle_name(&self, _t: &ThreadCtx, h: Handle, cpu: &mut dyn GuestCpu) -> Option<String> {
        Self::text(cpu, KNAMES.checked_add(u64::try_from(h).ok()? * 0x100)?)
    }
    fn cwd(&self, _t: &ThreadCtx, cpu: &mut dyn GuestCpu) -> Option<String> {
        Self::text(cpu, KCWD)
    }
    fn reads_kernel(&self) -> bool {
        true
    }
    fn handle_use(&self, call: &EnteringCall, cpu: &mut dyn GuestCpu) -> HandleUse {
        self.0.handle_use(call, cpu)
    }
    fn created_now(&self, created: NewHandles, cpu: &mut dyn GuestCpu) -> Vec<Handle> {
        self.0.created_now(created, cpu)
    }
}

/// What the vCPU sees on the user page tables: user memory only, and the registers.
fn user_view(g: &TestGuest) -> TestGuest {
    let mut u = g.clone();
    u.pages.retain(|a, _| *a < 1 << 47);
    u
}

const TASK: u64 = 0xffff_8880_0100_0000;

fn wl() -> ThreadCtx {
    ThreadCtx {
        pid: Some(42),
        tid: Some(42),
        comm: Some("wl".into()),
        task: TASK,
        asid: 0x1000,
    }
}

fn at_hook(m: &Files, g: &mut TestGuest, point: HookPoint) {
    let mut h = Hook::new(1, 0, 0x40_1000, 2, point);
    h.thread = Some(wl());
    if let HookPoint::Entry(kind) = point {
        // As the context module leaves it: the entering call decoded.
        h.call = vmscope_linux::syscalls::entering_call(
            &vmscope_core::arch::x86_64::X86_64,
            g,
            kind,
            h.pc,
        );
    }
    m.on_hook(g, &mut h, &mut Bus::default());
}

/// One x86_64 call under KPTI: entry on the user tables, the switch into the kernel (user tables:
/// nothing readable), the switch back (kernel tables), the return on the user tables with `ret` in rax.
fn kpti_call(
    m: &Files,
    kernel: &TestGuest,
    nr: u64,
    name: &str,
    raw: [u64; 6],
    ret: i64,
) -> Vec<FileEvent> {
    let mut u = user_view(kernel);
    u.set_reg(RAX, nr).set_reg(CS, 0x33);
    for (r, v) in [RDI, RSI, RDX, R10, R8, R9].into_iter().zip(raw) {
        u.set_reg(r, v);
    }
    at_hook(m, &mut u, HookPoint::Entry(EntryKind::Syscall));
    at_hook(m, &mut u, HookPoint::PageTableSwitch);
    let mut k = kernel.clone();
    k.set_reg(RAX, ret as u64);
    at_hook(m, &mut k, HookPoint::PageTableSwitch);
    let mut ev = sys(nr, name, raw, ret);
    ev.thread = wl();
    feed(m, &mut u, ev)
}

fn path_of(ev: &[FileEvent]) -> Option<&str> {
    match ev.first() {
        Some(FileEvent::Access(a)) => a.path.as_deref(),
        other => panic!("not an access: {other:?}"),
    }
}

#[test]
fn with_kpti_names_only_the_kernel_knows_are_read_before_the_return() {
    let m = Files::new(
        Box::new(PagedKernel(LinuxFiles::new(
            no_kernel(),
            &vmscope_core::arch::x86_64::X86_64,
        ))),
        None,
    );
    assert!(m.interest().entries && m.interest().page_table_switches);
    let mut kernel = TestGuest::new();
    kernel
        .write(KNAMES + 0x100, b"/dev/console\0")
        .write(KNAMES + 7 * 0x100, b"anon_inode:[eventfd]\0")
        .write(KCWD, b"/home\0")
        .write(0x1000, b"notes.txt\0");
    // stdout, open before tracing: named at the switch before write's return.
    let ev = kpti_call(&m, &kernel, WRITE, "write", [1, 0x1000, 5, 0, 0, 0], 5);
    assert_eq!(path_of(&ev), Some("/dev/console"));
    assert!(m.ahead.is_idle(), "the note went with the event");
    // A relative open: the first working directory, from the switch.
    let at_fdcwd = u64::from(-100i32 as u32);
    let ev = kpti_call(
        &m,
        &kernel,
        OPENAT,
        "openat",
        [at_fdcwd, 0x1000, 0, 0, 0, 0],
        3,
    );
    assert_eq!(path_of(&ev), Some("/home/notes.txt"));
    // eventfd2 (290) returns 7: the new descriptor is named from the return value at the switch.
    kpti_call(&m, &kernel, 290, "eventfd2", [0, 0, 0, 0, 0, 0], 7);
    m.with_tracker(|t| assert_eq!(t.name_of(42, 7), Some("anon_inode:[eventfd]")));
    // Known now: a write to stdout notes nothing (no kernel read at the switch).
    let mut u = user_view(&kernel);
    u.set_reg(RAX, WRITE).set_reg(CS, 0x33).set_reg(RDI, 1);
    at_hook(&m, &mut u, HookPoint::Entry(EntryKind::Syscall));
    assert!(m.ahead.is_idle());
    // Without the switch (a kernel whose tables never come back), the name stays unknown: no guess.
    let mut u = user_view(&kernel);
    u.set_reg(RAX, READ).set_reg(CS, 0x33).set_reg(RDI, 0);
    at_hook(&m, &mut u, HookPoint::Entry(EntryKind::Syscall));
    at_hook(&m, &mut u, HookPoint::PageTableSwitch);
    let mut ev = sys(READ, "read", [0, 0x1000, 4, 0, 0, 0], 4);
    ev.thread = wl();
    assert_eq!(path_of(&feed(&m, &mut u, ev)), None);
}

/// No kernel layout at all.
fn no_kernel() -> std::sync::Arc<crate::kernel::KernelCell> {
    std::sync::Arc::new(crate::kernel::KernelCell::known(None, None))
}

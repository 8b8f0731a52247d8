//! The memory module over synthetic guests: snapshots equal to the kernel's areas, the events of
//! each call, alerts, page-table isolation, a model that stays exact through random changes, and
//! junk.

use super::*;
use vmscope_core::arch::x86_64::{CS, RAX, X86_64};
use vmscope_core::event::{Abi, MemoryEvent};
use vmscope_core::guest::TestGuest;
use vmscope_linux::syscalls::entering_call;
use vmscope_linux::testing::{Area, FileTree, small_layout, small_vfs_layout, write_address_space};

use crate::test_support::syscall_event;

const T: u64 = 0xffff_8880_0100_0000;
const MM: u64 = 0xffff_8880_0800_0000;
const VMAS: u64 = 0xffff_8880_0900_0000;
const FILES: u64 = 0xffff_8880_0c00_0000;
const R: u64 = 1;
const W: u64 = 2;
const X: u64 = 4;

struct World {
    g: TestGuest,
    areas: Vec<Area>,
    brk: (u64, u64),
    files: FileTree,
}

const STACK: u64 = 0x7ffd_0000_0000;

impl World {
    /// pid 20 running /bin/prog: its three segments, a heap, libc's first segment, a stack.
    fn new() -> Self {
        let mut g = TestGuest::new();
        let mut files = FileTree::new(&mut g, FILES);
        let prog = files.file(&mut g, "/bin/prog");
        let libc = files.file(&mut g, "/usr/lib/libc.so.6");
        g.write_u32(T + 0x100, 20)
            .write_u32(T + 0x104, 20)
            .write_u64(T + 0x80, MM)
            .write_u64(MM + 0x300, prog)
            .write(T + 0x200, b"prog\0\0\0\0\0\0\0\0\0\0\0\0");
        let areas = vec![
            Area::file(0x5555_0000, 0x5555_1000, R, prog, 0),
            Area::file(0x5555_1000, 0x5555_3000, R | X, prog, 1),
            Area::file(0x5555_3000, 0x5555_4000, R | W, prog, 3),
            Area::anon(0x5556_0000, 0x5558_1000, R | W),
            Area::file(0x7f00_0000_0000, 0x7f00_0002_8000, R, libc, 0),
            Area::anon(STACK, STACK + 0x2_1000, R | W),
        ];
        let mut w = Self {
            g,
            areas,
            brk: (0x5556_0000, 0x5558_1000),
            files,
        };
        w.write();
        w
    }

    fn write(&mut self) {
        write_address_space(
            &mut self.g,
            MM,
            VMAS,
            &self.areas,
            self.brk,
            STACK + 0x2_0ff0,
        );
    }

    /// What `/proc/20/maps` would say.
    fn maps(&mut self) -> Vec<Region> {
        let mut w = walk(
            &mut self.g,
            &layout(),
            Some(&small_vfs_layout()),
            T,
            &Want::Full { exe: false },
        )
        .expect("a walk");
        std::mem::take(&mut w.regions)
    }
}

fn layout() -> KernelLayout {
    small_layout(false)
}

fn module() -> Memory {
    Memory::new(Arc::new(KernelCell::known(
        Some(layout()),
        Some(small_vfs_layout()),
    )))
}

fn thread() -> ThreadCtx {
    ThreadCtx {
        pid: Some(20),
        tid: Some(20),
        comm: Some("prog".into()),
        task: T,
        asid: 0x1000,
    }
}

fn call(name: &str, raw: [u64; 6], ret: Option<i64>) -> Event {
    Event::Syscall(Box::new(syscall_event(
        Abi::X86_64,
        name,
        thread(),
        raw,
        ret,
        None,
    )))
}

fn feed(m: &Memory, g: &mut TestGuest, ev: &Event) -> Vec<Event> {
    let mut bus = Bus::default();
    m.on_event(ev, g, &mut bus);
    bus.take()
}

fn memory(ev: &[Event]) -> Vec<&MemoryEvent> {
    ev.iter()
        .filter_map(|e| match e {
            Event::Memory(m) => Some(&**m),
            _ => None,
        })
        .collect()
}

fn snapshots(ev: &[Event]) -> Vec<&MapsSnapshot> {
    ev.iter()
        .filter_map(|e| match e {
            Event::Maps(m) => Some(&**m),
            _ => None,
        })
        .collect()
}

fn rules(ev: &[Event]) -> Vec<String> {
    ev.iter()
        .filter_map(|e| match e {
            Event::Custom(c) if c.kind == "alert" => {
                c.fields.iter().find_map(|(k, v)| match (k.as_str(), v) {
                    ("rule", FieldValue::Str(s)) => Some(s.clone()),
                    _ => None,
                })
            }
            _ => None,
        })
        .collect()
}

fn lines(rs: &[Region]) -> Vec<String> {
    rs.iter().map(Region::maps_line).collect()
}

fn end_snapshot(m: &Memory) -> Vec<Region> {
    let mut bus = Bus::default();
    m.on_stop(&mut bus);
    let ev = bus.take();
    let s = snapshots(&ev);
    assert_eq!(s.len(), 1);
    assert_eq!((s[0].when, s[0].source), (MapsWhen::End, MapsSource::Model));
    s[0].regions.clone()
}

#[test]
fn the_first_call_snapshots_the_space_as_proc_maps_names_it() {
    let m = module();
    let mut w = World::new();
    let ev = feed(&m, &mut w.g, &call("getpid", [0; 6], Some(20)));
    let s = snapshots(&ev);
    assert_eq!(s.len(), 1, "{ev:?}");
    assert_eq!(
        (s[0].when, s[0].source),
        (MapsWhen::FirstSeen, MapsSource::Kernel)
    );
    assert_eq!(s[0].exe.as_deref(), Some("/bin/prog"));
    assert_eq!(s[0].comm.as_deref(), Some("prog"));
    assert_eq!(
        lines(&s[0].regions),
        [
            "55550000-55551000 r--p 00000000 /bin/prog",
            "55551000-55553000 r-xp 00001000 /bin/prog",
            "55553000-55554000 rw-p 00003000 /bin/prog",
            "55560000-55581000 rw-p 00000000 [heap]",
            "7f0000000000-7f0000028000 r--p 00000000 /usr/lib/libc.so.6",
            "7ffd00000000-7ffd00021000 rw-p 00000000 [stack]",
        ]
    );
    assert!(rules(&ev).is_empty());
    // Known now: other calls read nothing.
    assert!(feed(&m, &mut w.g, &call("getpid", [0; 6], Some(20))).is_empty());
}

#[test]
fn each_call_gives_the_regions_it_changed_cut_to_its_range() {
    let m = module();
    let mut w = World::new();
    feed(&m, &mut w.g, &call("getpid", [0; 6], Some(20)));
    let libc = w.files.file(&mut w.g, "/usr/lib/libc.so.6");

    // The loader maps libc's code over its reservation: the kernel splits the area.
    w.areas[4] = Area::file(0x7f00_0000_0000, 0x7f00_0000_2000, R, libc, 0);
    w.areas.insert(
        5,
        Area::file(0x7f00_0000_2000, 0x7f00_0002_0000, R | X, libc, 2),
    );
    w.areas.insert(
        6,
        Area::file(0x7f00_0002_0000, 0x7f00_0002_8000, R, libc, 0x20),
    );
    w.write();
    let ev = feed(
        &m,
        &mut w.g,
        &call(
            "mmap",
            [0x7f00_0000_2000, 0x1_e000, 5, 0x812, 3, 0x2000],
            Some(0x7f00_0000_2000),
        ),
    );
    let mm = memory(&ev);
    assert_eq!(mm.len(), 1);
    assert_eq!(mm[0].op, MemoryOp::Map);
    assert_eq!(
        mm[0].region.maps_line(),
        "7f0000002000-7f0000020000 r-xp 00002000 /usr/lib/libc.so.6"
    );
    assert_eq!(mm[0].syscall, "mmap");

    // An anonymous writable and executable mapping: two alerts, once.
    w.areas
        .insert(7, Area::anon(0x7f10_0000_0000, 0x7f10_0000_4000, R | W | X));
    w.write();
    let ev = feed(
        &m,
        &mut w.g,
        &call(
            "mmap",
            [0, 0x4000, 7, 0x22, u64::MAX, 0],
            Some(0x7f10_0000_0000),
        ),
    );
    assert_eq!(memory(&ev).len(), 1);
    assert_eq!(rules(&ev), ["wx_region", "anon_exec"]);

    // mprotect of its middle page: the kernel splits it; the event is that page, the model all three.
    w.areas.remove(7);
    w.areas
        .insert(7, Area::anon(0x7f10_0000_0000, 0x7f10_0000_1000, R | W | X));
    w.areas
        .insert(8, Area::anon(0x7f10_0000_1000, 0x7f10_0000_2000, R));
    w.areas
        .insert(9, Area::anon(0x7f10_0000_2000, 0x7f10_0000_4000, R | W | X));
    w.write();
    let ev = feed(
        &m,
        &mut w.g,
        &call("mprotect", [0x7f10_0000_1000, 0x1000, 1, 0, 0, 0], Some(0)),
    );
    let mm = memory(&ev);
    assert_eq!(mm.len(), 1);
    assert_eq!(
        (mm[0].op, mm[0].region.start, mm[0].region.end),
        (MemoryOp::Protect, 0x7f10_0000_1000, 0x7f10_0000_2000)
    );
    assert_eq!(&mm[0].region.perms, b"r--p");
    // The tail is a new area, but it is the same memory: no second alert.
    assert!(rules(&ev).is_empty());

    // munmap of all three and the page after: the events are what was there, cut to the range.
    w.areas.drain(7..10);
    w.write();
    let ev = feed(
        &m,
        &mut w.g,
        &call("munmap", [0x7f10_0000_0000, 0x5000, 0, 0, 0, 0], Some(0)),
    );
    let mm = memory(&ev);
    assert_eq!(
        mm.iter()
            .map(|e| (e.op, e.region.start, e.region.end))
            .collect::<Vec<_>>(),
        [
            (MemoryOp::Unmap, 0x7f10_0000_0000, 0x7f10_0000_1000),
            (MemoryOp::Unmap, 0x7f10_0000_1000, 0x7f10_0000_2000),
            (MemoryOp::Unmap, 0x7f10_0000_2000, 0x7f10_0000_4000),
        ]
    );

    // brk grows the heap; a brk(0) query changes nothing.
    w.brk.1 = 0x5558_3000;
    w.areas[3].end = 0x5558_3000;
    w.write();
    let ev = feed(
        &m,
        &mut w.g,
        &call("brk", [0x5558_3000, 0, 0, 0, 0, 0], Some(0x5558_3000)),
    );
    let mm = memory(&ev);
    assert_eq!(mm.len(), 1);
    assert_eq!(
        mm[0].region.maps_line(),
        "55560000-55583000 rw-p 00000000 [heap]"
    );
    assert!(memory(&feed(&m, &mut w.g, &call("brk", [0; 6], Some(0x5558_3000)))).is_empty());

    // mremap moves the heap-like anonymous area: a remap with where it was.
    let at = w.areas.len() - 1;
    w.areas
        .insert(at, Area::anon(0x7f20_0000_0000, 0x7f20_0000_8000, R | W));
    w.write();
    let ev = feed(
        &m,
        &mut w.g,
        &call(
            "mremap",
            [0x7f30_0000_0000, 0x4000, 0x8000, 3, 0x7f20_0000_0000, 0],
            Some(0x7f20_0000_0000),
        ),
    );
    let mm = memory(&ev);
    assert_eq!(mm.len(), 1);
    assert_eq!(
        (mm[0].op, mm[0].old_start, mm[0].old_end),
        (
            MemoryOp::Remap,
            Some(0x7f30_0000_0000),
            Some(0x7f30_0000_4000)
        )
    );

    // Failed calls change nothing and read nothing.
    assert!(
        feed(
            &m,
            &mut w.g,
            &call("munmap", [0x1000, 0x1000, 0, 0, 0, 0], Some(-22))
        )
        .is_empty()
    );

    // Through all this the model stayed what the kernel has.
    assert_eq!(lines(&end_snapshot(&m)), lines(&w.maps()));
}

#[test]
fn exit_group_snapshots_the_kernel_or_with_kpti_the_model() {
    let m = module();
    let mut w = World::new();
    feed(&m, &mut w.g, &call("getpid", [0; 6], Some(20)));
    let ev = feed(&m, &mut w.g, &call("exit_group", [0; 6], None));
    let s = snapshots(&ev);
    assert_eq!(s.len(), 1);
    assert_eq!(
        (s[0].when, s[0].source),
        (MapsWhen::Exit, MapsSource::Kernel)
    );
    assert_eq!(lines(&s[0].regions), lines(&w.maps()));
    // Gone: nothing at the end.
    let mut bus = Bus::default();
    m.on_stop(&mut bus);
    assert!(bus.take().is_empty());

    // Where the kernel is not mapped (the user's tables only), the model.
    let m = module();
    feed(&m, &mut w.g, &call("getpid", [0; 6], Some(20)));
    let ev = feed(&m, &mut user_view(&w.g), &call("exit_group", [0; 6], None));
    let s = snapshots(&ev);
    assert_eq!(
        (s[0].when, s[0].source),
        (MapsWhen::Exit, MapsSource::Model)
    );
    assert_eq!(lines(&s[0].regions), lines(&w.maps()));
}

/// What the vCPU sees on the user page tables (KPTI at an entry or a return): user memory only.
fn user_view(g: &TestGuest) -> TestGuest {
    let mut u = g.clone();
    u.pages.retain(|a, _| *a < 1 << 47);
    u
}

fn enter(m: &Memory, g: &TestGuest, name: &str, raw: [u64; 6]) {
    let mut u = user_view(g);
    u.set_reg(RAX, crate::test_support::nr_of(Abi::X86_64, name))
        .set_reg(CS, 0x33);
    for (i, r) in [
        vmscope_core::arch::x86_64::RDI,
        vmscope_core::arch::x86_64::RSI,
        vmscope_core::arch::x86_64::RDX,
        vmscope_core::arch::x86_64::R10,
        vmscope_core::arch::x86_64::R8,
        vmscope_core::arch::x86_64::R9,
    ]
    .into_iter()
    .enumerate()
    {
        u.set_reg(r, raw[i]);
    }
    let kind = vmscope_core::arch::EntryKind::Syscall;
    let mut h = Hook::new(1_000, 0, 0x40_1000, 2, HookPoint::Entry(kind));
    h.thread = Some(thread());
    h.call = entering_call(&X86_64, &mut u, kind, h.pc);
    m.on_hook(&mut u, &mut h, &mut Bus::default());
}

fn switch(m: &Memory, g: &TestGuest) {
    let mut h = Hook::new(
        1_500,
        0,
        0xffff_ffff_8100_0000,
        3,
        HookPoint::PageTableSwitch,
    );
    h.thread = Some(thread());
    m.on_hook(&mut g.clone(), &mut h, &mut Bus::default());
}

#[test]
fn with_kpti_what_a_return_needs_is_read_at_the_switch_before_it() {
    let m = module();
    assert!(m.interest().page_table_switches);
    let mut w = World::new();
    // First call: the whole space, read at the switch.
    enter(&m, &w.g, "getpid", [0; 6]);
    switch(&m, &w.g);
    let ev = feed(&m, &mut user_view(&w.g), &call("getpid", [0; 6], Some(20)));
    let s = snapshots(&ev);
    assert_eq!(s.len(), 1, "{ev:?}");
    assert_eq!(s[0].source, MapsSource::Kernel);
    assert_eq!(lines(&s[0].regions), lines(&w.maps()));
    // munmap: its range is known at entry, read at the switch.
    let gone = w.areas.remove(4);
    w.write();
    enter(
        &m,
        &w.g,
        "munmap",
        [gone.start, gone.end - gone.start, 0, 0, 0, 0],
    );
    switch(&m, &w.g);
    let ev = feed(
        &m,
        &mut user_view(&w.g),
        &call(
            "munmap",
            [gone.start, gone.end - gone.start, 0, 0, 0, 0],
            Some(0),
        ),
    );
    let mm = memory(&ev);
    assert_eq!(mm.len(), 1);
    assert_eq!(mm[0].region.path.as_deref(), Some("/usr/lib/libc.so.6"));
    // mmap without MAP_FIXED: the whole space (the address is the return value).
    w.areas
        .insert(4, Area::anon(0x7f40_0000_0000, 0x7f40_0000_1000, R | X));
    w.write();
    enter(&m, &w.g, "mmap", [0, 0x1000, 5, 0x22, u64::MAX, 0]);
    switch(&m, &w.g);
    let ev = feed(
        &m,
        &mut user_view(&w.g),
        &call(
            "mmap",
            [0, 0x1000, 5, 0x22, u64::MAX, 0],
            Some(0x7f40_0000_0000),
        ),
    );
    assert_eq!(memory(&ev).len(), 1);
    assert_eq!(rules(&ev), ["anon_exec"]);
    assert_eq!(lines(&end_snapshot(&m)), lines(&w.maps()));
    // Without a switch (it came on another vCPU, or never), nothing can be read: nothing made up.
    let m = module();
    enter(&m, &w.g, "getpid", [0; 6]);
    assert!(feed(&m, &mut user_view(&w.g), &call("getpid", [0; 6], Some(20))).is_empty());
}

#[test]
fn an_exec_starts_a_new_space() {
    let m = module();
    let mut w = World::new();
    feed(&m, &mut w.g, &call("getpid", [0; 6], Some(20)));
    w.areas.truncate(3);
    w.write();
    w.g.write(T + 0x200, b"next\0");
    let ev = feed(
        &m,
        &mut w.g,
        &call("execve", [0x1000, 0x2000, 0x3000, 0, 0, 0], Some(0)),
    );
    let s = snapshots(&ev);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].when, MapsWhen::Exec);
    assert_eq!(
        s[0].comm.as_deref(),
        Some("next"),
        "the kernel's name after the exec, not the caller's"
    );
    assert_eq!(s[0].regions.len(), 3);
    assert!(memory(&ev).is_empty());
}

/// A toy kernel: map, unmap and protect over a few pages, splitting areas and merging neighbours
/// that are alike (as the kernel merges anonymous areas).
fn kernel_op(areas: &mut Vec<Area>, op: u64, s: u64, e: u64, flags: u64) {
    let mut out = Vec::new();
    for a in areas.drain(..) {
        if a.end <= s || a.start >= e {
            out.push(a);
            continue;
        }
        if a.start < s {
            out.push(Area::anon(a.start, s, a.flags));
        }
        if op == 2 {
            out.push(Area::anon(a.start.max(s), a.end.min(e), flags));
        }
        if a.end > e {
            out.push(Area::anon(e, a.end, a.flags));
        }
    }
    if op == 0 {
        out.push(Area::anon(s, e, flags));
    }
    out.sort_by_key(|a| a.start);
    let mut merged: Vec<Area> = Vec::new();
    for a in out {
        match merged.last_mut() {
            Some(l) if l.end == a.start && l.flags == a.flags => l.end = a.end,
            _ => merged.push(a),
        }
    }
    *areas = merged;
}

#[test]
fn the_model_stays_what_the_kernel_has_through_random_changes() {
    let base = 0x7f50_0000_0000u64;
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut rnd = |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    for _ in 0..20 {
        let m = module();
        let mut w = World::new();
        feed(&m, &mut w.g, &call("getpid", [0; 6], Some(20)));
        let fixed: Vec<Area> = w.areas.clone();
        let mut mine: Vec<Area> = Vec::new();
        for _ in 0..40 {
            let s = base + 0x1000 * rnd(24);
            let e = s + 0x1000 * (1 + rnd(6));
            let flags = [R, R | W, R | X, R | W | X][rnd(4) as usize];
            let op = rnd(3);
            kernel_op(&mut mine, op, s, e, flags);
            if mine.len() > 40 {
                continue;
            }
            w.areas = fixed.clone();
            w.areas.extend(mine.iter().copied());
            w.areas.sort_by_key(|a| a.start);
            w.write();
            let len = e - s;
            let ev = match op {
                0 => call("mmap", [s, len, flags, 0x32, u64::MAX, 0], Some(s as i64)),
                1 => call("munmap", [s, len, 0, 0, 0, 0], Some(0)),
                _ => call("mprotect", [s, len, flags, 0, 0, 0], Some(0)),
            };
            let out = feed(&m, &mut w.g, &ev);
            // Every event lies in the call's range.
            for e2 in memory(&out) {
                assert!(
                    e2.region.start >= s && e2.region.end <= e,
                    "{e2:?} outside {s:#x}..{e:#x}"
                );
            }
        }
        assert_eq!(lines(&end_snapshot(&m)), lines(&w.maps()));
    }
}

#[test]
fn junk_address_spaces_never_panic_and_claim_nothing() {
    let m = module();
    let mut w = World::new();
    // No mm: a kernel thread, or junk.
    w.g.write_u64(T + 0x80, 0);
    assert!(feed(&m, &mut w.g, &call("getpid", [0; 6], Some(20))).is_empty());
    w.g.write_u64(T + 0x80, 0x1234);
    assert!(feed(&m, &mut w.g, &call("getpid", [0; 6], Some(20))).is_empty());
    // A root pointing at random memory: whatever is found is in order and bounded.
    w.g.write_u64(T + 0x80, MM);
    let mut seed = 0x9e37_79b9u64;
    for round in 0..16u64 {
        let m = module();
        for k in 0..16u64 {
            let mut page = [0u8; 4096];
            for chunk in page.chunks_mut(8) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                chunk.copy_from_slice(
                    &(if seed.is_multiple_of(3) {
                        VMAS + seed % 0x10_0000
                    } else {
                        seed
                    })
                    .to_le_bytes(),
                );
            }
            w.g.write(VMAS + 0x8_0000 + k * 0x1000, &page);
        }
        w.g.write_u64(
            MM + 0x48,
            (VMAS + 0x8_0000 + 0x100 * (round % 16)) | (3 << 3) | 2,
        );
        let ev = feed(&m, &mut w.g, &call("getpid", [0; 6], Some(20)));
        for s in snapshots(&ev) {
            assert!(s.regions.windows(2).all(|p| p[0].end <= p[1].start));
        }
        let _ = feed(
            &m,
            &mut w.g,
            &call("munmap", [seed & !0xfff, seed, 0, 0, 0, 0], Some(0)),
        );
    }
}

#[test]
fn no_layout_means_one_notice_and_nothing_else() {
    let mut l = layout();
    l.vma = None;
    let m = Memory::new(Arc::new(KernelCell::known(Some(l), None)));
    let mut w = World::new();
    let ev = feed(&m, &mut w.g, &call("getpid", [0; 6], Some(20)));
    assert!(matches!(ev.as_slice(), [Event::Notice(_)]));
    assert!(feed(&m, &mut w.g, &call("getpid", [0; 6], Some(20))).is_empty());
    assert!(!m.interest().entries);
}

//! The images module over synthetic processes: an exec's program, loader and vDSO; libraries mapped
//! later; headers that cannot be read yet; data files; unloads.

use super::*;
use vmscope_core::event::{Abi, MemoryEvent};
use vmscope_core::guest::TestGuest;
use vmscope_linux::testing::ElfSpec;

const EXE: u64 = 0x5555_0000_0000;
const LD: u64 = 0x7f00_0010_0000;
const VDSO: u64 = 0x7ffd_1000_0000;
const LIBC: u64 = 0x7f00_0020_0000;

fn region(start: u64, end: u64, perms: &[u8; 4], offset: u64, path: Option<&str>) -> Region {
    Region {
        start,
        end,
        perms: *perms,
        offset,
        path: path.map(str::to_string),
    }
}

fn thread() -> ThreadCtx {
    ThreadCtx {
        pid: Some(30),
        tid: Some(30),
        comm: Some("prog".into()),
        task: 0xffff_8880_0100_0000,
        asid: 0x1000,
    }
}

fn exec_snapshot() -> Event {
    Event::Maps(Box::new(MapsSnapshot {
        ts: 5,
        pid: Some(30),
        comm: Some("prog".into()),
        when: MapsWhen::Exec,
        exe: Some("/usr/bin/prog".into()),
        source: vmscope_core::event::MapsSource::Kernel,
        regions: vec![
            region(EXE, EXE + 0x1000, b"r--p", 0, Some("/usr/bin/prog")),
            region(
                EXE + 0x1000,
                EXE + 0x3000,
                b"r-xp",
                0x1000,
                Some("/usr/bin/prog"),
            ),
            region(
                LD,
                LD + 0x1000,
                b"r--p",
                0,
                Some("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"),
            ),
            region(
                LD + 0x1000,
                LD + 0x20000,
                b"r-xp",
                0x1000,
                Some("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"),
            ),
            region(VDSO - 0x4000, VDSO, b"r--p", 0, Some("[vvar]")),
            region(VDSO, VDSO + 0x2000, b"r-xp", 0, Some("[vdso]")),
            region(
                0x7ffd_0000_0000,
                0x7ffd_0002_1000,
                b"rw-p",
                0,
                Some("[stack]"),
            ),
        ],
    }))
}

fn elf(
    kind: u16,
    loads: &[(u64, u64, u32)],
    interp: Option<&str>,
    soname: Option<&str>,
    id: u8,
) -> ElfSpec {
    ElfSpec {
        kind,
        loads: loads.to_vec(),
        interp: interp.map(str::to_string),
        soname: soname.map(str::to_string),
        build_id: Some(vec![id; 20]),
        symbols: vec![],
    }
}

fn write_images(g: &mut TestGuest) {
    elf(
        3,
        &[(0, 0x1000, 4), (0x1000, 0x2000, 5)],
        Some("/lib64/ld-linux-x86-64.so.2"),
        None,
        1,
    )
    .write(g, EXE);
    elf(
        3,
        &[(0, 0x1000, 4), (0x1000, 0x1f000, 5)],
        None,
        Some("ld-linux-x86-64.so.2"),
        2,
    )
    .write(g, LD);
    elf(3, &[(0, 0x2000, 5)], None, Some("linux-vdso.so.1"), 3).write(g, VDSO);
}

fn feed(m: &Images, g: &mut TestGuest, ev: &Event) -> Vec<ImageEvent> {
    let mut bus = Bus::default();
    m.on_event(ev, g, &mut bus);
    bus.take()
        .into_iter()
        .filter_map(|e| match e {
            Event::Image(i) => Some(*i),
            _ => None,
        })
        .collect()
}

fn a_call() -> Event {
    Event::Syscall(Box::new(crate::test_support::syscall_event(
        Abi::X86_64,
        "getpid",
        thread(),
        [0; 6],
        Some(30),
        None,
    )))
}

fn mapped(op: MemoryOp, r: Region) -> Event {
    Event::Memory(Box::new(MemoryEvent {
        ts: 9,
        vcpu: 1,
        thread: thread(),
        op,
        region: r,
        old_start: None,
        old_end: None,
        syscall: "mmap",
    }))
}

#[test]
fn an_exec_gives_program_loader_and_vdso_once_their_headers_can_be_read() {
    let m = Images::new();
    // At the exec's return nothing has been touched: all three wait.
    let mut g = TestGuest::new();
    assert!(feed(&m, &mut g, &exec_snapshot()).is_empty());
    assert_eq!(m.waiting.load(Ordering::Relaxed), 3);
    // The loader ran: the pages are in at the next call.
    write_images(&mut g);
    let ev = feed(&m, &mut g, &a_call());
    let got: Vec<_> = ev
        .iter()
        .map(|i| (i.kind, i.base, i.end, i.load_bias, i.path.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (
                ImageKind::Exe,
                EXE,
                EXE + 0x3000,
                Some(EXE),
                Some("/usr/bin/prog")
            ),
            (
                ImageKind::Interpreter,
                LD,
                LD + 0x20000,
                Some(LD),
                Some("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2")
            ),
            (
                ImageKind::Vdso,
                VDSO,
                VDSO + 0x2000,
                Some(VDSO),
                Some("[vdso]")
            ),
        ]
    );
    assert_eq!(ev[0].build_id.as_deref(), Some("01".repeat(20).as_str()));
    assert_eq!(ev[2].soname.as_deref(), Some("linux-vdso.so.1"));
    assert_eq!(
        (ev[0].ts, ev[0].op),
        (5, ImageOp::Load),
        "the time of the mapping"
    );
    assert_eq!(m.waiting.load(Ordering::Relaxed), 0);
    assert!(feed(&m, &mut g, &a_call()).is_empty(), "once");
}

#[test]
fn libraries_mapped_later_load_and_unload_and_data_files_are_not_images() {
    let m = Images::new();
    let mut g = TestGuest::new();
    write_images(&mut g);
    assert_eq!(feed(&m, &mut g, &exec_snapshot()).len(), 3);
    // libc: the loader's reservation (offset 0, read-only), then its code over it.
    elf(
        3,
        &[(0, 0x28000, 4), (0x28000, 0x1000, 5)],
        None,
        Some("libc.so.6"),
        9,
    )
    .write(&mut g, LIBC);
    let libc = "/usr/lib/x86_64-linux-gnu/libc.so.6";
    let ev = feed(
        &m,
        &mut g,
        &mapped(
            MemoryOp::Map,
            region(LIBC, LIBC + 0x29000, b"r--p", 0, Some(libc)),
        ),
    );
    assert_eq!(ev.len(), 1);
    assert_eq!(
        (ev[0].kind, ev[0].soname.as_deref(), ev[0].vcpu),
        (ImageKind::Library, Some("libc.so.6"), 1)
    );
    assert!(
        feed(
            &m,
            &mut g,
            &mapped(
                MemoryOp::Map,
                region(LIBC + 0x28000, LIBC + 0x29000, b"r-xp", 0x28000, Some(libc))
            )
        )
        .is_empty()
    );
    // A data file, and an ELF file without code (a debug file): not images.
    g.write(0x7f00_0030_0000, b"locale data");
    assert!(
        feed(
            &m,
            &mut g,
            &mapped(
                MemoryOp::Map,
                region(
                    0x7f00_0030_0000,
                    0x7f00_0031_0000,
                    b"r--p",
                    0,
                    Some("/usr/lib/locale/locale-archive")
                )
            )
        )
        .is_empty()
    );
    elf(3, &[(0, 0x1000, 4)], None, None, 4).write(&mut g, 0x7f00_0040_0000);
    assert!(
        feed(
            &m,
            &mut g,
            &mapped(
                MemoryOp::Map,
                region(
                    0x7f00_0040_0000,
                    0x7f00_0040_1000,
                    b"r--p",
                    0,
                    Some("/usr/lib/debug/x.debug")
                )
            )
        )
        .is_empty()
    );
    assert_eq!(m.waiting.load(Ordering::Relaxed), 0);
    // dlclose: libc unmapped whole.
    let ev = feed(
        &m,
        &mut g,
        &mapped(
            MemoryOp::Unmap,
            region(LIBC, LIBC + 0x29000, b"r--p", 0, Some(libc)),
        ),
    );
    assert_eq!(ev.len(), 1);
    assert_eq!(
        (ev[0].op, ev[0].kind, ev[0].base),
        (ImageOp::Unload, ImageKind::Library, LIBC)
    );
}

#[test]
fn headers_that_never_come_in_give_an_image_without_them_only_for_code() {
    let m = Images::new();
    let mut g = TestGuest::new();
    write_images(&mut g);
    feed(&m, &mut g, &exec_snapshot());
    let lib = "/usr/lib/libnever.so";
    feed(
        &m,
        &mut g,
        &mapped(
            MemoryOp::Map,
            region(LIBC, LIBC + 0x4000, b"r--p", 0, Some(lib)),
        ),
    );
    feed(
        &m,
        &mut g,
        &mapped(
            MemoryOp::Map,
            region(LIBC + 0x1000, LIBC + 0x3000, b"r-xp", 0x1000, Some(lib)),
        ),
    );
    feed(
        &m,
        &mut g,
        &mapped(
            MemoryOp::Map,
            region(
                0x7f00_0050_0000,
                0x7f00_0050_1000,
                b"r--p",
                0,
                Some("/data/never"),
            ),
        ),
    );
    let mut got = Vec::new();
    for _ in 0..MAX_TRIES {
        got.extend(feed(&m, &mut g, &a_call()));
    }
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(
        (
            got[0].path.as_deref(),
            got[0].load_bias,
            got[0].build_id.as_deref(),
            got[0].end
        ),
        (Some(lib), None, None, LIBC + 0x4000)
    );
    assert_eq!(m.waiting.load(Ordering::Relaxed), 0);
}

#[test]
fn a_process_first_seen_names_its_loader_by_the_programs_interpreter() {
    let m = Images::new();
    let mut g = TestGuest::new();
    write_images(&mut g);
    let Event::Maps(mut s) = exec_snapshot() else {
        unreachable!()
    };
    s.when = MapsWhen::FirstSeen;
    let ev = feed(&m, &mut g, &Event::Maps(s));
    assert_eq!(
        ev.iter().map(|i| i.kind).collect::<Vec<_>>(),
        [ImageKind::Exe, ImageKind::Interpreter, ImageKind::Vdso]
    );
    // Its exit forgets it; junk memory at a candidate never panics.
    let mut junk = TestGuest::new();
    junk.write(LIBC, b"\x7fELF\x02\x01\x01\x00");
    junk.write(LIBC + 56, &u16::MAX.to_le_bytes());
    let _ = feed(
        &m,
        &mut junk,
        &mapped(
            MemoryOp::Map,
            region(LIBC, LIBC + 0x1000, b"r-xp", 0, Some("/junk")),
        ),
    );
}

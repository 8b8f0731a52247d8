//! The stacks module over a synthetic process: images from image events, `.dynsym` names from guest
//! memory, frame-pointer walks, a debug directory holding a file of another build, and junk stacks.

use super::*;
use vmscope_core::arch::EntryKind;
use vmscope_core::arch::x86_64::{CS, RBP, RSP, X86_64};
use vmscope_core::event::{Abi, ThreadCtx};
use vmscope_core::guest::TestGuest;
use vmscope_core::module::EnteringCall;
use vmscope_linux::testing::ElfSpec;

const LIB: u64 = 0x7f00_0020_0000;
const PATH: &str = "/usr/lib/x86_64-linux-gnu/libw.so.1";

fn thread() -> ThreadCtx {
    ThreadCtx {
        pid: Some(30),
        tid: Some(30),
        comm: Some("prog".into()),
        task: 0xffff_8880_0100_0000,
        asid: 0x1000,
    }
}

fn load_event(build_id: Option<&str>) -> Event {
    Event::Image(Box::new(ImageEvent {
        ts: 1,
        vcpu: 0,
        thread: thread(),
        op: ImageOp::Load,
        kind: ImageKind::Library,
        path: Some(PATH.into()),
        base: LIB,
        end: LIB + 0x10000,
        load_bias: Some(LIB),
        build_id: build_id.map(str::to_string),
        soname: None,
    }))
}

/// A library exporting `w` [0x1100, 0x1120) and `b` [0x1200, 0x1300), and a stack whose frame
/// pointer chain goes from `w` (frame 0, no frame of its own) to `b`, then ends.
fn guest() -> TestGuest {
    let mut g = TestGuest::new();
    ElfSpec {
        kind: vmscope_linux::elf::ET_DYN,
        loads: vec![(0, 0x10000, 5)],
        symbols: vec![("w".into(), 0x1100, 0x20), ("b".into(), 0x1200, 0x100)],
        ..ElfSpec::default()
    }
    .write(&mut g, LIB);
    g.write_u64(0x8000, 0x8040)
        .write_u64(0x8008, LIB + 0x1234)
        .write_u64(0x8040, 0)
        .write_u64(0x8048, 0);
    g.set_reg(RSP, 0x7ff8)
        .set_reg(RBP, 0x8000)
        .set_reg(CS, 0x33);
    g
}

/// A 64-bit `syscall` at `pc`, as the context module leaves it: thread named, call decoded.
fn entry(pc: u64) -> Hook {
    let mut h = Hook::new(7, 0, pc, 2, HookPoint::Entry(EntryKind::Syscall));
    h.thread = Some(thread());
    h.call = Some(EnteringCall {
        abi: Abi::X86_64,
        nr: 1,
        call: None,
        name: "",
        raw: [0; 6],
    });
    h
}

#[test]
fn frames_carry_module_offset_and_dynamic_symbols() {
    let s = Stacks::new(&X86_64, DEFAULT_DEPTH, None);
    let mut g = guest();
    let mut bus = Bus::default();
    s.on_event(&load_event(None), &mut g, &mut bus);
    assert!(bus.events().is_empty());
    let Some(st) = s.capture(&mut g, &entry(LIB + 0x1103)) else {
        panic!("no stack")
    };
    assert_eq!(st.len(), 2, "{st:?}");
    assert_eq!(st[0].pc, LIB + 0x1105);
    assert_eq!(st[0].module.as_deref(), Some(PATH));
    assert_eq!(st[0].offset, Some(0x1105));
    assert_eq!(st[0].symbol.as_deref(), Some("w"));
    assert_eq!(st[0].symbol_offset, Some(5));
    assert_eq!(st[1].offset, Some(0x1234));
    assert_eq!(st[1].symbol.as_deref(), Some("b"));
    assert_eq!(st[1].symbol_offset, Some(0x34));
    assert_eq!(st[1].file, None);
    // Depth 1: frame 0 only.
    let one = Stacks::new(&X86_64, 1, None);
    one.on_event(&load_event(None), &mut g, &mut bus);
    assert_eq!(
        one.capture(&mut g, &entry(LIB + 0x1103)).map(|s| s.len()),
        Some(1)
    );
    // A process without images: frame 0, unnamed.
    let mut h = entry(0x40_1000);
    if let Some(t) = h.thread.as_mut() {
        t.pid = Some(31);
    }
    let st = s.capture(&mut g, &h).unwrap_or_default();
    assert_eq!(st.len(), 1);
    assert_eq!(st[0].module, None);
    // An unload forgets the image.
    let Event::Image(mut un) = load_event(None) else {
        unreachable!()
    };
    un.op = ImageOp::Unload;
    s.on_event(&Event::Image(un), &mut g, &mut bus);
    let st = s.capture(&mut g, &entry(LIB + 0x1103)).unwrap_or_default();
    assert_eq!(st[0].module, None);
}

#[test]
fn a_debug_file_of_another_build_is_a_notice_never_a_symbol() {
    let dir = std::env::temp_dir().join(format!("vmscope-stacks-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    // Any ELF file of the host, under the image's file name: its build-id is not the image's.
    std::fs::copy("/bin/true", dir.join("libw.so.1"))
        .unwrap_or_else(|e| panic!("/bin/true is needed for this test: {e}"));
    let s = Stacks::new(&X86_64, DEFAULT_DEPTH, Some(dir.clone()));
    let mut g = guest();
    let mut bus = Bus::default();
    s.on_event(
        &load_event(Some("00112233445566778899aabbccddeeff00112233")),
        &mut g,
        &mut bus,
    );
    let notices: Vec<&Notice> = bus
        .events()
        .iter()
        .filter_map(|e| match e {
            Event::Notice(n) => Some(n),
            _ => None,
        })
        .collect();
    assert_eq!(notices.len(), 1, "{:?}", bus.events());
    assert!(
        notices[0].message.contains("is not the debug file of"),
        "{}",
        notices[0].message
    );
    // The .dynsym names stay; nothing comes from the other file.
    let st = s.capture(&mut g, &entry(LIB + 0x1103)).unwrap_or_default();
    assert_eq!(st[0].symbol.as_deref(), Some("w"));
    assert_eq!(st[0].file, None);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn junk_stacks_are_bounded_and_do_not_panic() {
    let s = Stacks::new(&X86_64, 16, None);
    let mut g = guest();
    let mut bus = Bus::default();
    s.on_event(&load_event(None), &mut g, &mut bus);
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for _ in 0..500 {
        for i in 0..64u64 {
            let v = match next() % 3 {
                0 => 0x7000 + ((next() % 0x2000) & !7),
                1 => LIB + next() % 0x10000,
                _ => next(),
            };
            g.write_u64(0x7000 + 8 * i, v);
        }
        g.set_reg(RSP, 0x7000 + ((next() % 0x1000) & !7))
            .set_reg(RBP, next() % 3 * 0x7000 + (next() % 0x1000));
        let st = s
            .capture(&mut g, &entry(LIB + next() % 0x20000))
            .unwrap_or_default();
        assert!(!st.is_empty() && st.len() <= 16);
    }
}

#[test]
fn frame_0_is_in_this_process_even_when_the_hook_has_another_processs_address() {
    use vmscope_core::arch::x86_64::RIP;
    let s = Stacks::new(&X86_64, DEFAULT_DEPTH, None);
    let mut g = guest();
    g.write(LIB + 0x1103, &[0x0f, 0x05]);
    let mut bus = Bus::default();
    s.on_event(&load_event(None), &mut g, &mut bus);
    // Translated in another process, where the library sat elsewhere; the instruction pointer
    // register lags at the start of the block, on the same page.
    g.set_reg(RIP, LIB + 0x10f0);
    let st = s
        .capture(&mut g, &entry(0x7f99_0000_0000 + 0x1103))
        .unwrap_or_default();
    assert_eq!(st[0].pc, LIB + 0x1105);
    assert_eq!(st[0].symbol.as_deref(), Some("w"));
    // The block started on the page before.
    g.set_reg(RIP, LIB + 0xff0);
    let st = s
        .capture(&mut g, &entry(0x7f99_0000_0000 + 0x1103))
        .unwrap_or_default();
    assert_eq!(st[0].pc, LIB + 0x1105);
}

#[test]
fn an_i386_call_is_walked_at_32_bits_and_an_undecoded_one_not_at_all() {
    let s = Stacks::new(&X86_64, DEFAULT_DEPTH, None);
    let mut g = guest();
    // `int $0x80` from a 32-bit process with no images known: frame 0 is the return address,
    // cut to 32 bits (the registers' upper halves mean nothing to 32-bit code).
    let mut h = entry(0xdead_0000_0804_9000);
    h.point = HookPoint::Entry(EntryKind::Int80);
    if let Some(c) = h.call.as_mut() {
        c.abi = Abi::I386;
    }
    if let Some(t) = h.thread.as_mut() {
        t.pid = Some(32);
    }
    let st = s.capture(&mut g, &h).unwrap_or_default();
    assert_eq!(st.len(), 1);
    assert_eq!(st[0].pc, 0x0804_9002);
    // The same as a 64-bit call keeps the whole address.
    if let Some(c) = h.call.as_mut() {
        c.abi = Abi::X86_64;
    }
    let st = s.capture(&mut g, &h).unwrap_or_default();
    assert_eq!(st.first().map(|f| f.pc), Some(0xdead_0000_0804_9002));
    // A call the context module could not decode: no stack.
    h.call = None;
    assert_eq!(s.capture(&mut g, &h), None);
}

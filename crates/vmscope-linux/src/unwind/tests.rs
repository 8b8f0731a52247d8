//! Synthetic CFI (written with gimli's writer), synthetic stacks, and hostile memory.

use gimli::write::{
    Address, CallFrameInstruction, CommonInformationEntry, EhFrame as WEhFrame, EndianVec,
    FrameDescriptionEntry, FrameTable,
};
use gimli::{Encoding, Format, LittleEndian, Register};
use vmscope_core::guest::TestGuest;

use vmscope_core::arch::{EM_AARCH64, EM_X86_64};

use super::*;
use crate::elf::Phdr;

const RSP: Register = Register(7);
const RBP: Register = Register(6);
const RA: Register = Register(16);

/// `.eh_frame` for three functions at ELF addresses: `a` [0x1000, 0x1100) with a frame-pointer
/// prologue (`push %rbp` at +0, `mov %rsp,%rbp` at +1, body from +4), `leaf` [0x2000, 0x2100) with no
/// frame, `start` [0x3000, 0x3010) whose return address is undefined.
fn eh_frame() -> Vec<u8> {
    let enc = Encoding {
        format: Format::Dwarf32,
        version: 1,
        address_size: 8,
    };
    let mut cie = CommonInformationEntry::new(enc, 1, -8, RA);
    cie.add_instruction(CallFrameInstruction::Cfa(RSP, 8));
    cie.add_instruction(CallFrameInstruction::Offset(RA, -8));
    let mut t = FrameTable::default();
    let c = t.add_cie(cie);
    let mut a = FrameDescriptionEntry::new(Address::Constant(0x1000), 0x100);
    a.add_instruction(1, CallFrameInstruction::CfaOffset(16));
    a.add_instruction(1, CallFrameInstruction::Offset(RBP, -16));
    a.add_instruction(4, CallFrameInstruction::CfaRegister(RBP));
    t.add_fde(c, a);
    t.add_fde(
        c,
        FrameDescriptionEntry::new(Address::Constant(0x2000), 0x100),
    );
    let mut s = FrameDescriptionEntry::new(Address::Constant(0x3000), 0x10);
    s.add_instruction(0, CallFrameInstruction::Undefined(RA));
    t.add_fde(c, s);
    let mut w = WEhFrame(EndianVec::new(LittleEndian));
    assert!(t.write_eh_frame(&mut w).is_ok());
    w.0.into_vec()
}

const EH_ADDR: u64 = 0x4000;

fn cfi() -> Cfi {
    let Some(c) = Cfi::from_section(eh_frame(), EH_ADDR, EM_X86_64, true) else {
        panic!("no CFI")
    };
    c
}

#[test]
fn rules_follow_the_prologue() {
    let mut c = cfi();
    let g = &mut TestGuest::new();
    let at_entry = Rule {
        cfa_from_fp: false,
        cfa_offset: 8,
        ra: ReturnAddress::Saved(-8),
        fp_offset: None,
        record_at_cfa: true,
    };
    assert_eq!(c.rule(g, 0x1000), Some(at_entry));
    assert_eq!(
        c.rule(g, 0x1002),
        Some(Rule {
            cfa_offset: 16,
            fp_offset: Some(-16),
            ..at_entry
        })
    );
    assert_eq!(
        c.rule(g, 0x1050),
        Some(Rule {
            cfa_from_fp: true,
            cfa_offset: 16,
            ra: ReturnAddress::Saved(-8),
            fp_offset: Some(-16),
            record_at_cfa: true,
        })
    );
    assert_eq!(c.rule(g, 0x20ff), Some(at_entry));
    assert_eq!(
        c.rule(g, 0x3004).map(|r| r.ra),
        Some(ReturnAddress::Undefined)
    );
    // Between and past the FDEs: nothing.
    assert_eq!(c.rule(g, 0x1100), None);
    assert_eq!(c.rule(g, 0x0fff), None);
    assert_eq!(c.rule(g, 0x9000), None);
}

/// A stack: `leaf` (frame 0, pc 0x2005) called from `a` (after its prologue), called from `start`.
fn stack(g: &mut TestGuest) -> FrameRegs {
    g.write_u64(0x7000, 0x1051) // leaf's return address, into a
        .write_u64(0x7008, 0xdead) // a's locals
        .write_u64(0x7010, 0x7100) // a's saved rbp (start's)
        .write_u64(0x7018, 0x3008); // a's return address, into start
    FrameRegs {
        pc: 0x2005,
        sp: 0x7000,
        fp: 0x7010,
        lr: None,
    }
}

#[test]
fn cfi_walks_leaf_frame_pointer_and_outermost_frames() {
    let mut g = TestGuest::new();
    let start = stack(&mut g);
    let mut c = cfi();
    let mut rules = |m: &mut TestGuest, pc: u64| c.rule(m, pc);
    assert_eq!(
        walk(&mut g, true, start, 64, &mut rules),
        vec![0x2005, 0x1051, 0x3008]
    );
    // Bounded by the depth asked for.
    assert_eq!(
        walk(&mut g, true, start, 2, &mut rules),
        vec![0x2005, 0x1051]
    );
    assert_eq!(walk(&mut g, true, start, 0, &mut rules), Vec::<u64>::new());
}

#[test]
fn frame_pointers_when_there_is_no_cfi() {
    let mut g = TestGuest::new();
    // Two frames chained by rbp, then a zero return address ends the walk.
    g.write_u64(0x8000, 0x8040)
        .write_u64(0x8008, 0x40_1234)
        .write_u64(0x8040, 0x8080)
        .write_u64(0x8048, 0x40_5678)
        .write_u64(0x8080, 0)
        .write_u64(0x8088, 0);
    let start = FrameRegs {
        pc: 0x40_0010,
        sp: 0x7ff0,
        fp: 0x8000,
        lr: None,
    };
    let mut none = |_: &mut TestGuest, _: u64| None;
    assert_eq!(
        walk(&mut g, true, start, 64, &mut none),
        vec![0x40_0010, 0x40_1234, 0x40_5678]
    );
    // A frame pointer below the stack pointer, or a cycle, ends the walk.
    g.write_u64(0x8080, 0x8000).write_u64(0x8088, 0x40_9999);
    let w = walk(&mut g, true, start, 64, &mut none);
    assert_eq!(w, vec![0x40_0010, 0x40_1234, 0x40_5678, 0x40_9999]);
}

#[test]
fn i386_frame_pointers_use_words_of_four_bytes() {
    let mut g = TestGuest::new();
    g.write_u32(0x8000, 0x8020)
        .write_u32(0x8004, 0x0804_9000)
        .write_u32(0x8020, 0)
        .write_u32(0x8024, 0);
    let start = FrameRegs {
        pc: 0xf7f0_0549,
        sp: 0x7ff0,
        fp: 0x8000,
        lr: None,
    };
    let mut none = |_: &mut TestGuest, _: u64| None;
    assert_eq!(
        walk(&mut g, false, start, 64, &mut none),
        vec![0xf7f0_0549, 0x0804_9000]
    );
}

/// `.eh_frame_hdr` (version 1, pcrel eh_frame pointer, datarel sorted table) for `cfi`'s FDEs.
fn hdr(c: &Cfi, hdr_addr: u64) -> Vec<u8> {
    let mut h = vec![1u8, 0x1b, 0x03, 0x3b];
    h.extend_from_slice(&((EH_ADDR as i64 - (hdr_addr as i64 + 4)) as i32).to_le_bytes());
    h.extend_from_slice(&(c.index.len() as u32).to_le_bytes());
    for (start, off) in &c.index {
        h.extend_from_slice(&((*start as i64 - hdr_addr as i64) as i32).to_le_bytes());
        let fde = EH_ADDR + *off as u64;
        h.extend_from_slice(&((fde as i64 - hdr_addr as i64) as i32).to_le_bytes());
    }
    h
}

fn image(bias: u64, hdr_addr: u64, hdr_len: u64) -> ElfImage {
    ElfImage {
        wide: true,
        kind: crate::elf::ET_DYN,
        machine: EM_X86_64,
        base: bias,
        load_bias: bias,
        end: bias + 0x10000,
        phdrs: vec![Phdr {
            kind: 1,
            flags: 5,
            offset: 0,
            vaddr: 0,
            filesz: 0x6000,
            memsz: 0x6000,
        }],
        interp: None,
        soname: None,
        build_id: None,
        dynamic: None,
        eh_frame_hdr: Some((bias + hdr_addr, hdr_len)),
    }
}

#[test]
fn cfi_from_memory_through_the_header_reads_late_pages_when_needed() {
    let file = cfi();
    let bias = 0x5555_0000_0000;
    let hdr_addr = 0x3800;
    let h = hdr(&file, hdr_addr);
    let img = image(bias, hdr_addr, h.len() as u64);
    let mut g = TestGuest::new();
    g.write(bias + hdr_addr, &h);
    // .eh_frame's page is not in yet: the table reads, the rules wait.
    let Some(mut c) = Cfi::from_memory(&mut g, &img) else {
        panic!("no CFI from memory")
    };
    assert!(!c.complete());
    assert_eq!(c.rule(&mut g, 0x1002), None);
    g.write(bias + EH_ADDR, &eh_frame());
    assert_eq!(c.rule(&mut g, 0x1002), file.clone().rule(&mut g, 0x1002));
    assert!(c.rule(&mut g, 0x1002).is_some());
    // No header in memory: no CFI.
    let mut empty = TestGuest::new();
    assert!(Cfi::from_memory(&mut empty, &img).is_none());
}

const X29: Register = Register(29);
const X30: Register = Register(30);
const SP: Register = Register(31);

/// aarch64 `.eh_frame` as GCC writes it (code alignment 4, data alignment -8, return address column
/// 30, CFA on sp): `write` [0x1000, 0x1040), a leaf (its return address stays in x30); `inner`
/// [0x2000, 0x2040), `stp x29, x30, [sp, #-32]!` at +0, `mov x29, sp` at +4 (CFA on x29 from +8);
/// `_start` [0x3000, 0x3010), x30 undefined.
fn eh_frame_aarch64() -> Vec<u8> {
    let enc = Encoding {
        format: Format::Dwarf32,
        version: 1,
        address_size: 8,
    };
    let mut cie = CommonInformationEntry::new(enc, 4, -8, X30);
    cie.add_instruction(CallFrameInstruction::Cfa(SP, 0));
    let mut t = FrameTable::default();
    let c = t.add_cie(cie);
    t.add_fde(
        c,
        FrameDescriptionEntry::new(Address::Constant(0x1000), 0x40),
    );
    let mut inner = FrameDescriptionEntry::new(Address::Constant(0x2000), 0x40);
    inner.add_instruction(4, CallFrameInstruction::CfaOffset(32));
    inner.add_instruction(4, CallFrameInstruction::Offset(X29, -32));
    inner.add_instruction(4, CallFrameInstruction::Offset(X30, -24));
    inner.add_instruction(8, CallFrameInstruction::CfaRegister(X29));
    t.add_fde(c, inner);
    let mut s = FrameDescriptionEntry::new(Address::Constant(0x3000), 0x10);
    s.add_instruction(0, CallFrameInstruction::Undefined(X30));
    t.add_fde(c, s);
    let mut w = WEhFrame(EndianVec::new(LittleEndian));
    assert!(t.write_eh_frame(&mut w).is_ok());
    w.0.into_vec()
}

fn cfi_aarch64() -> Cfi {
    let Some(c) = Cfi::from_section(eh_frame_aarch64(), EH_ADDR, EM_AARCH64, true) else {
        panic!("no aarch64 CFI")
    };
    c
}

#[test]
fn aarch64_rules_use_its_numbering_and_the_link_register() {
    let mut c = cfi_aarch64();
    let g = &mut TestGuest::new();
    let leaf = Rule {
        cfa_from_fp: false,
        cfa_offset: 0,
        ra: ReturnAddress::LinkRegister,
        fp_offset: None,
        record_at_cfa: false,
    };
    assert_eq!(c.rule(g, 0x1000), Some(leaf));
    assert_eq!(c.rule(g, 0x1038), Some(leaf));
    // Before the stp: still a leaf; after it, x29 and x30 saved; after the mov, CFA on x29.
    assert_eq!(c.rule(g, 0x2000), Some(leaf));
    let saved = Rule {
        cfa_from_fp: false,
        cfa_offset: 32,
        ra: ReturnAddress::Saved(-24),
        fp_offset: Some(-32),
        record_at_cfa: false,
    };
    assert_eq!(c.rule(g, 0x2004), Some(saved));
    assert_eq!(
        c.rule(g, 0x2010),
        Some(Rule {
            cfa_from_fp: true,
            ..saved
        })
    );
    assert_eq!(
        c.rule(g, 0x3004).map(|r| r.ra),
        Some(ReturnAddress::Undefined)
    );
    // The same bytes read with x86_64's numbering: no rule (CFA on a register it does not track).
    let Some(mut x86) = Cfi::from_section(eh_frame_aarch64(), EH_ADDR, EM_X86_64, true) else {
        panic!("no CFI")
    };
    assert_eq!(x86.rule(g, 0x1000), None);
    // A machine without a numbering: no table.
    assert!(Cfi::from_section(eh_frame_aarch64(), EH_ADDR, 0, true).is_none());
}

/// An aarch64 stack at a `svc #0` in `write` (a leaf), called by `inner` (its frame record at
/// 0x7000: x29 = 0x7000), called by `_start`.
fn stack_aarch64(g: &mut TestGuest) -> FrameRegs {
    g.write_u64(0x7000, 0x7100) // inner's saved x29
        .write_u64(0x7008, 0x3008) // inner's saved x30, into _start
        .write_u64(0x7010, 0xdead); // inner's locals
    FrameRegs {
        pc: 0x1008,
        sp: 0x7000,
        fp: 0x7000,
        lr: Some(0x2014),
    }
}

#[test]
fn aarch64_cfi_walk_takes_frame_0s_caller_from_the_link_register() {
    let mut g = TestGuest::new();
    let start = stack_aarch64(&mut g);
    let mut c = cfi_aarch64();
    let mut rules = |m: &mut TestGuest, pc: u64| c.rule(m, pc);
    assert_eq!(
        walk(&mut g, true, start, 64, &mut rules),
        vec![0x1008, 0x2014, 0x3008]
    );
    // Without the link register's value the leaf's caller is unknown: frame 0 only.
    let no_lr = FrameRegs { lr: None, ..start };
    assert_eq!(walk(&mut g, true, no_lr, 64, &mut rules), vec![0x1008]);
    // A link register pointing back into the leaf: the link register serves once, no loop.
    let self_lr = FrameRegs {
        lr: Some(0x1010),
        ..start
    };
    assert_eq!(
        walk(&mut g, true, self_lr, 64, &mut rules),
        vec![0x1008, 0x1010]
    );
}

#[test]
fn aarch64_cfa_after_a_frame_record_comes_from_the_saved_frame_pointer() {
    // Frame 0 in a function without readable CFI, its frame record at the bottom of its 48-byte
    // frame (`stp x29, x30, [sp, #-48]!; mov x29, sp`): the record gives the caller's pc, but the
    // caller's sp is 0x7000, not the record's end (0x6fe0). `inner` at 0x2008 has an sp-based CFA
    // (sp + 32) with x29 saved at CFA - 32, where x29 points.
    let mut g = TestGuest::new();
    g.write_u64(0x6fd0, 0x7000) // the leaf's record: inner's x29
        .write_u64(0x6fd8, 0x2008) // and the return into inner
        .write_u64(0x6fe8, 0x1) // the leaf's saved x20: what sp + 32 - 24 would read
        .write_u64(0x7000, 0x7100) // inner's record: _start's x29
        .write_u64(0x7008, 0x3008); // the return into _start
    let start = FrameRegs {
        pc: 0x9000,
        sp: 0x6fd0,
        fp: 0x6fd0,
        lr: Some(0x2008),
    };
    let mut c = cfi_aarch64();
    let mut rules = |m: &mut TestGuest, pc: u64| c.rule(m, pc);
    assert_eq!(
        walk(&mut g, true, start, 64, &mut rules),
        vec![0x9000, 0x2008, 0x3008]
    );
}

#[test]
fn aarch64_frame_records_when_there_is_no_cfi() {
    let mut g = TestGuest::new();
    // x29 chain: [fp] the previous x29, [fp + 8] the return address; a zero record ends it.
    g.write_u64(0x8000, 0x8040)
        .write_u64(0x8008, 0x40_1234)
        .write_u64(0x8040, 0x8080)
        .write_u64(0x8048, 0x40_5678)
        .write_u64(0x8080, 0)
        .write_u64(0x8088, 0);
    let start = FrameRegs {
        pc: 0x40_0010,
        sp: 0x7ff0,
        fp: 0x8000,
        lr: Some(0x40_0abc),
    };
    let mut none = |_: &mut TestGuest, _: u64| None;
    assert_eq!(
        walk(&mut g, true, start, 64, &mut none),
        vec![0x40_0010, 0x40_1234, 0x40_5678]
    );
    // A record pointing back down (a cycle), or misaligned, ends the walk.
    g.write_u64(0x8040, 0x8000);
    assert_eq!(
        walk(&mut g, true, start, 64, &mut none),
        vec![0x40_0010, 0x40_1234, 0x40_5678]
    );
    g.write_u64(0x8000, 0x8043);
    assert_eq!(
        walk(&mut g, true, start, 64, &mut none),
        vec![0x40_0010, 0x40_1234]
    );
}

/// A small deterministic generator (xorshift) for hostile inputs.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn junk_stacks_and_junk_cfi_end_without_panics() {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    for round in 0..200 {
        let mut g = TestGuest::new();
        // Junk words over a few pages, some pointing back into them.
        for i in 0..1024u64 {
            let v = match r.next() % 4 {
                0 => 0x7000 + ((r.next() % 0x3000) & !7),
                1 => r.next(),
                2 => 0,
                _ => 0x1000 + r.next() % 0x3000,
            };
            g.write_u64(0x7000 + 8 * i, v);
        }
        // Junk CFI bytes (of either machine): the walk must survive them too.
        let (mut junk, machine) = if round % 3 == 0 {
            (eh_frame_aarch64(), EM_AARCH64)
        } else {
            (eh_frame(), EM_X86_64)
        };
        for _ in 0..(round % 16) {
            let i = (r.next() as usize) % junk.len();
            junk[i] = r.next() as u8;
        }
        let mut c = Cfi::from_section(junk, EH_ADDR, machine, true);
        let start = FrameRegs {
            pc: 0x1000 + r.next() % 0x3000,
            sp: 0x7000 + ((r.next() % 0x2000) & !7),
            fp: r.next(),
            lr: (round % 3 == 0).then(|| r.next()),
        };
        let mut rules = |m: &mut TestGuest, pc: u64| c.as_mut().and_then(|c| c.rule(m, pc));
        let w = walk(&mut g, round % 2 == 0, start, 64, &mut rules);
        assert!(!w.is_empty() && w.len() <= 64);
    }
    // A junk header in memory: no CFI, no panic.
    for _ in 0..200 {
        let mut g = TestGuest::new();
        let mut h = vec![0u8; 64];
        for b in &mut h {
            *b = r.next() as u8;
        }
        h[0] = 1;
        g.write(0x3800, &h);
        let _ = Cfi::from_memory(&mut g, &image(0, 0x3800, 64 + r.next() % 0x100000));
    }
}

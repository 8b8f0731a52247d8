//! User-space call stacks from guest memory: call-frame information (`.eh_frame`, found through
//! `PT_GNU_EH_FRAME`'s `.eh_frame_hdr` in the process's memory, or taken from the image's file on the
//! host) evaluated with gimli's CFI reader, and frame pointers where an image has none for a pc.
//!
//! Only what a caller's frame needs is tracked: the canonical frame address (from the stack or the
//! frame pointer register plus an offset), the return address (saved on the stack, or still in the
//! link register where the machine has one: aarch64 `x30` in a function that calls nothing) and the
//! saved frame pointer. Which DWARF registers those are comes from the image's `e_machine`
//! ([`DwarfRegs`]). A rule that needs more (a DWARF expression, another register) counts as no rule,
//! and the frame-pointer fallback is tried. Every read may fail, every walk is bounded (depth, section sizes, table sizes),
//! and the stack pointer must grow at every step, so a junk stack ends the walk instead of looping.
//!
//! Addresses in a [`Cfi`] are the image's own ELF addresses (memory minus load bias), so a table
//! built once serves every process that maps the same file.

use gimli::{
    BaseAddresses, CfaRule, EhFrame, EhFrameHdr, EhFrameOffset, LittleEndian, Pointer, Register,
    RegisterRule, UnwindContext, UnwindSection,
};
use vmscope_core::arch::DwarfRegs;
use vmscope_core::guest::GuestMemory;

use crate::elf::ElfImage;

/// Bytes of `.eh_frame` read from guest memory at most.
pub const MAX_EH_FRAME: u64 = 8 << 20;
/// Bytes of `.eh_frame_hdr` read from guest memory at most.
pub const MAX_EH_FRAME_HDR: u64 = 2 << 20;
/// FDEs indexed per image at most.
pub const MAX_FDES: usize = 1 << 18;
/// Frames a stack walk returns at most, whatever the caller asks.
pub const MAX_DEPTH: usize = 1024;
/// How far above the stack pointer a frame pointer may be to be trusted by the fallback.
const MAX_FRAME: u64 = 16 << 20;

const PAGE: u64 = 0x1000;

/// Where a frame's return address is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnAddress {
    /// Saved on the stack at this offset from the canonical frame address.
    Saved(i64),
    /// Still in the link register (aarch64 `x30`: a function that has not saved it).
    LinkRegister,
    /// Undefined: the outermost frame (as `_start` says).
    Undefined,
}

/// How to find the caller's frame from a frame (one row of a CFI table, reduced to what a walk needs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The canonical frame address is the frame pointer register plus `cfa_offset` (else the stack
    /// pointer plus it).
    pub cfa_from_fp: bool,
    /// Added to the register to get the canonical frame address.
    pub cfa_offset: i64,
    /// Where the return address is.
    pub ra: ReturnAddress,
    /// Where the caller's frame pointer is saved, relative to the canonical frame address; `None`:
    /// unchanged.
    pub fp_offset: Option<i64>,
    /// The machine's frame records end at the canonical frame address ([`DwarfRegs::record_at_cfa`]).
    pub record_at_cfa: bool,
}

/// One image's call-frame information: its `.eh_frame` bytes and an index of its FDEs by start.
#[derive(Debug, Clone)]
pub struct Cfi {
    wide: bool,
    /// The DWARF numbering of the image's machine.
    regs: DwarfRegs,
    /// `.eh_frame`'s ELF address.
    addr: u64,
    bytes: Vec<u8>,
    /// For bytes read from guest memory: the image's load bias, and which pages of `bytes` could not
    /// be read yet (by page index from the page holding `addr + bias`).
    bias: u64,
    missing: Vec<bool>,
    /// FDEs by their first address (ELF addresses), with their offset in `bytes`.
    index: Vec<(u64, usize)>,
    /// Whether every page of `.eh_frame_hdr`'s table could be read.
    hdr_complete: bool,
}

impl Cfi {
    /// From an `.eh_frame` section of a file (its bytes and ELF address, its `e_machine` and class);
    /// `None` for a machine without a known DWARF numbering.
    pub fn from_section(bytes: Vec<u8>, addr: u64, machine: u16, wide: bool) -> Option<Cfi> {
        let regs = DwarfRegs::for_machine(machine)?;
        let mut eh = EhFrame::new(&bytes, LittleEndian);
        eh.set_address_size(if wide { 8 } else { 4 });
        let bases = BaseAddresses::default().set_eh_frame(addr);
        let mut index = Vec::new();
        let mut entries = eh.entries(&bases);
        while let Ok(Some(e)) = entries.next() {
            if let gimli::CieOrFde::Fde(partial) = e
                && let Ok(fde) = partial.parse(EhFrame::cie_from_offset)
            {
                index.push((fde.initial_address(), fde.offset()));
                if index.len() >= MAX_FDES {
                    break;
                }
            }
        }
        if index.is_empty() {
            return None;
        }
        index.sort_unstable();
        Some(Cfi {
            wide,
            regs,
            addr,
            bytes,
            bias: 0,
            missing: Vec::new(),
            index,
            hdr_complete: true,
        })
    }

    /// From the image's `.eh_frame_hdr` and `.eh_frame` in guest memory. `None` when the image has no
    /// `PT_GNU_EH_FRAME` or its header or table cannot be read (yet). Pages of `.eh_frame` that cannot
    /// be read yet are read again when a lookup needs them.
    pub fn from_memory<M: GuestMemory + ?Sized>(mem: &mut M, image: &ElfImage) -> Option<Cfi> {
        let regs = DwarfRegs::for_machine(image.machine)?;
        let (hdr_mem, hdr_len) = image.eh_frame_hdr?;
        let hdr_len = hdr_len.clamp(12, MAX_EH_FRAME_HDR);
        let mut hdr = vec![0u8; hdr_len as usize];
        // The header must read; table entries on pages still out read as zeros, which decode to
        // FDE addresses before `.eh_frame` and are dropped below (their functions get no rule).
        let pages = read_pages(mem, hdr_mem, &mut hdr);
        if pages.first() != Some(&true) {
            return None;
        }
        let hdr_complete = pages.iter().all(|ok| *ok);
        let bias = image.load_bias;
        let hdr_addr = hdr_mem.wrapping_sub(bias);
        let size = if image.wide { 8 } else { 4 };
        let bases = BaseAddresses::default().set_eh_frame_hdr(hdr_addr);
        let parsed = EhFrameHdr::new(&hdr, LittleEndian)
            .parse(&bases, size)
            .ok()?;
        let Pointer::Direct(addr) = parsed.eh_frame_ptr() else {
            return None;
        };
        // `.eh_frame` runs at most to the end of the file part of the segment holding it.
        let end = image
            .phdrs
            .iter()
            .filter(|p| p.kind == 1 && p.vaddr <= addr)
            .filter_map(|p| p.vaddr.checked_add(p.filesz))
            .find(|e| *e > addr)?;
        let len = (end - addr).min(MAX_EH_FRAME);
        let mut bytes = vec![0u8; len as usize];
        let mem_addr = addr.wrapping_add(bias);
        let missing = read_pages(mem, mem_addr, &mut bytes)
            .into_iter()
            .map(|ok| !ok)
            .collect();
        let mut index = Vec::new();
        if let Some(table) = parsed.table() {
            let mut it = table.iter(&bases);
            while let Ok(Some((start, fde))) = it.next() {
                let (Pointer::Direct(start), Pointer::Direct(fde)) = (start, fde) else {
                    continue;
                };
                let Some(off) = fde.checked_sub(addr).filter(|o| *o < len) else {
                    continue;
                };
                index.push((start, off as usize));
                if index.len() >= MAX_FDES {
                    break;
                }
            }
        }
        if index.is_empty() {
            return None;
        }
        index.sort_unstable();
        Some(Cfi {
            wide: image.wide,
            regs,
            addr,
            bytes,
            bias,
            missing,
            index,
            hdr_complete,
        })
    }

    /// Whether the whole table was read (a table from a file, or from memory with every page in).
    pub fn complete(&self) -> bool {
        self.hdr_complete && !self.missing.iter().any(|m| *m)
    }

    /// Whether the FDE index lacks entries whose pages of `.eh_frame_hdr` could not be read (the
    /// table is worth reading again later).
    pub fn index_incomplete(&self) -> bool {
        !self.hdr_complete
    }

    /// Makes `bytes[off..off + len]` readable if guest memory now can; whether it is.
    fn ensure<M: GuestMemory + ?Sized>(&mut self, mem: &mut M, off: usize, len: usize) -> bool {
        let Some(end) = off.checked_add(len).filter(|e| *e <= self.bytes.len()) else {
            return false;
        };
        if self.missing.is_empty() || len == 0 {
            return true;
        }
        let base = self.addr.wrapping_add(self.bias);
        let first_page = base & !(PAGE - 1);
        let page_of = |o: usize| ((base + o as u64) - first_page) / PAGE;
        for p in page_of(off)..=page_of(end - 1) {
            let Some(slot) = self.missing.get(p as usize).copied() else {
                return false;
            };
            if !slot {
                continue;
            }
            let page = first_page + p * PAGE;
            let from = page.max(base);
            let to = (page + PAGE).min(base + self.bytes.len() as u64);
            let (lo, hi) = ((from - base) as usize, (to - base) as usize);
            if !mem.read(from, &mut self.bytes[lo..hi]) {
                return false;
            }
            self.missing[p as usize] = false;
        }
        true
    }

    fn u32_at(&self, off: usize) -> Option<u32> {
        let b = self.bytes.get(off..off.checked_add(4)?)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Makes an entry (CIE or FDE) at `off` readable whole: its length, then its body.
    fn ensure_entry<M: GuestMemory + ?Sized>(&mut self, mem: &mut M, off: usize) -> bool {
        if !self.ensure(mem, off, 4) {
            return false;
        }
        match self.u32_at(off) {
            // 64-bit DWARF lengths do not occur in .eh_frame on these targets.
            Some(len) if len != 0 && len < 0xffff_fff0 => self.ensure(mem, off, 4 + len as usize),
            _ => false,
        }
    }

    /// The rule for the frame whose pc is `pc` (an ELF address); `None` when no FDE covers it, the
    /// bytes cannot be read, or the row needs what a walk does not track.
    pub fn rule<M: GuestMemory + ?Sized>(&mut self, mem: &mut M, pc: u64) -> Option<Rule> {
        let i = self.index.partition_point(|(start, _)| *start <= pc);
        let off = self.index.get(i.checked_sub(1)?)?.1;
        if !self.ensure_entry(mem, off) {
            return None;
        }
        // The CIE pointer: the distance back from itself to the CIE.
        let cie_ptr = self.u32_at(off + 4)? as usize;
        let cie = (off + 4).checked_sub(cie_ptr)?;
        if !self.ensure_entry(mem, cie) {
            return None;
        }
        let mut eh = EhFrame::new(&self.bytes, LittleEndian);
        eh.set_address_size(if self.wide { 8 } else { 4 });
        let bases = BaseAddresses::default().set_eh_frame(self.addr);
        let fde = eh
            .fde_from_offset(&bases, EhFrameOffset(off), EhFrame::cie_from_offset)
            .ok()?;
        if !fde.contains(pc) {
            return None;
        }
        let mut ctx = UnwindContext::new();
        let row = fde
            .unwind_info_for_address(&eh, &bases, &mut ctx, pc)
            .ok()?;
        let r = self.regs;
        let (sp, fp, ra_reg) = (Register(r.sp), Register(r.fp), Register(r.ra));
        let (cfa_from_fp, cfa_offset) = match row.cfa() {
            CfaRule::RegisterAndOffset { register, offset } if *register == sp => (false, *offset),
            CfaRule::RegisterAndOffset { register, offset } if *register == fp => (true, *offset),
            _ => return None,
        };
        let ra = match row.register(ra_reg) {
            Some(RegisterRule::Offset(o)) => ReturnAddress::Saved(o),
            Some(RegisterRule::Undefined) => ReturnAddress::Undefined,
            // No rule (or "same value") for a real register: it still holds the return address.
            None | Some(RegisterRule::SameValue) if r.ra_is_link => ReturnAddress::LinkRegister,
            _ => return None,
        };
        let fp_offset = match row.register(fp) {
            Some(RegisterRule::Offset(o)) => Some(o),
            None | Some(RegisterRule::SameValue) => None,
            _ => return None,
        };
        Some(Rule {
            cfa_from_fp,
            cfa_offset,
            ra,
            fp_offset,
            record_at_cfa: r.record_at_cfa,
        })
    }
}

/// Reads `buf` from `addr` page by page; which pages (from the one holding `addr`) could be read.
fn read_pages<M: GuestMemory + ?Sized>(mem: &mut M, addr: u64, buf: &mut [u8]) -> Vec<bool> {
    let mut ok = Vec::new();
    let mut done = 0usize;
    while done < buf.len() {
        let a = addr.wrapping_add(done as u64);
        let n = ((PAGE - (a & (PAGE - 1))) as usize).min(buf.len() - done);
        ok.push(mem.read(a, &mut buf[done..done + n]));
        done += n;
    }
    ok
}

/// Where a frame is: its pc, stack pointer, frame pointer register and link register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameRegs {
    /// The pc (frame 0: where the thread resumes; above: a return address).
    pub pc: u64,
    /// The stack pointer.
    pub sp: u64,
    /// The frame pointer register (`rbp`/`ebp`/`x29`).
    pub fp: u64,
    /// The link register (aarch64 `x30`) while it may still hold this frame's return address:
    /// frame 0's at the entry; `None` on machines without one and once it has been used.
    pub lr: Option<u64>,
}

/// Where the rule for a pc comes from: the caller looks the pc's image up and evaluates its CFI.
pub trait RuleSource<M: GuestMemory + ?Sized> {
    /// The rule for the frame at `pc` (a memory address; for a frame above the first, the return
    /// address minus one, so that it falls in the call instruction's function).
    fn rule(&mut self, mem: &mut M, pc: u64) -> Option<Rule>;
}

impl<M: GuestMemory + ?Sized, F: FnMut(&mut M, u64) -> Option<Rule>> RuleSource<M> for F {
    fn rule(&mut self, mem: &mut M, pc: u64) -> Option<Rule> {
        self(mem, pc)
    }
}

fn read_word<M: GuestMemory + ?Sized>(mem: &mut M, wide: bool, addr: u64) -> Option<u64> {
    if wide {
        mem.read_u64(addr)
    } else {
        mem.read_u32(addr).map(u64::from)
    }
}

fn add(a: u64, off: i64, wide: bool) -> u64 {
    let v = a.wrapping_add(off as u64);
    if wide { v } else { v & 0xffff_ffff }
}

/// Walks the stack from `start` (frame 0), at most `depth` frames (and [`MAX_DEPTH`]); the pcs,
/// innermost first. Each step uses the CFI rule `rules` gives for the frame's pc, else the frame
/// pointer chain ([fp] the caller's frame pointer, [fp + word] the return address: x86's `push rbp`
/// and aarch64's frame record alike); the walk ends at the outermost frame, at a return address of
/// zero, at a read that fails, or when the stack pointer would not grow. A return address taken
/// from the link register may leave the stack pointer where it was (a function without a frame),
/// once: the link register is used at most once per walk, so the walk still cannot loop. After a
/// frame-pointer step on a machine whose frame records do not end at the canonical frame address
/// (aarch64), the caller's CFA comes from its saved frame pointer's slot, which the frame pointer
/// points at.
pub fn walk<M: GuestMemory + ?Sized>(
    mem: &mut M,
    wide: bool,
    start: FrameRegs,
    depth: usize,
    rules: &mut dyn RuleSource<M>,
) -> Vec<u64> {
    let depth = depth.min(MAX_DEPTH);
    let ws: u64 = if wide { 8 } else { 4 };
    let mut out = Vec::new();
    if depth == 0 {
        return out;
    }
    let mut f = start;
    let mut used_lr = false;
    // Whether `f.sp` is the frame's stack pointer (else a lower bound, after a frame-pointer step).
    let mut sp_exact = true;
    out.push(f.pc);
    while out.len() < depth {
        let lookup = if out.len() == 1 {
            f.pc
        } else {
            f.pc.wrapping_sub(1)
        };
        let next = match rules.rule(mem, lookup) {
            Some(r) => {
                let cfa = match r.fp_offset {
                    // After a frame-pointer step the stack pointer is only a lower bound where
                    // frame records do not end at the CFA (aarch64); a function that saved its
                    // frame pointer points it at that slot, so the CFA is found from it.
                    Some(o) if !r.cfa_from_fp && !sp_exact && !r.record_at_cfa => {
                        add(f.fp, o.wrapping_neg(), wide)
                    }
                    _ => add(if r.cfa_from_fp { f.fp } else { f.sp }, r.cfa_offset, wide),
                };
                let ra = match r.ra {
                    ReturnAddress::Saved(o) => read_word(mem, wide, add(cfa, o, wide)),
                    ReturnAddress::LinkRegister => f.lr.take(),
                    ReturnAddress::Undefined => None,
                };
                let Some(ra) = ra else {
                    break;
                };
                used_lr |= r.ra == ReturnAddress::LinkRegister;
                let fp = match r.fp_offset {
                    Some(o) => match read_word(mem, wide, add(cfa, o, wide)) {
                        Some(v) => v,
                        None => break,
                    },
                    None => f.fp,
                };
                sp_exact = true;
                FrameRegs {
                    pc: ra,
                    sp: cfa,
                    fp,
                    lr: None,
                }
            }
            None => {
                // Frame pointers: [fp] is the caller's fp, [fp + word] the return address.
                let fp = f.fp;
                if fp < f.sp || fp - f.sp > MAX_FRAME || !fp.is_multiple_of(ws) {
                    break;
                }
                let (Some(saved), Some(ra)) =
                    (read_word(mem, wide, fp), read_word(mem, wide, fp + ws))
                else {
                    break;
                };
                // The caller's stack pointer is at least past the record.
                sp_exact = false;
                FrameRegs {
                    pc: ra,
                    sp: fp + 2 * ws,
                    fp: saved,
                    lr: None,
                }
            }
        };
        // The stack pointer grows at every step, but for the one step that took the link register.
        let stays = next.sp == f.sp && std::mem::take(&mut used_lr);
        if next.pc == 0 || (next.sp <= f.sp && !stays) {
            break;
        }
        out.push(next.pc);
        f = next;
    }
    out
}

#[cfg(test)]
mod tests;

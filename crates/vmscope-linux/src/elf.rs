//! ELF images as they lie in a process's memory: the header and program headers at the start of an
//! image's first mapping, its load bias and extent, its interpreter, `DT_SONAME` and
//! `NT_GNU_BUILD_ID`, and its exported symbols (`.dynsym`, through the dynamic section).
//!
//! Everything is read from hostile memory: counts and sizes are bounded, every read may fail, and a
//! value that does not hold together (a program header outside the image, a string table past its
//! size) ends that part of the reading, not the whole.

use vmscope_core::guest::GuestMemory;

/// Program headers read at most.
const MAX_PHDRS: u64 = 64;
/// Dynamic entries read at most.
const MAX_DYNAMIC: u64 = 512;
/// Bytes of notes read at most.
const MAX_NOTES: u64 = 8192;
/// Symbols read at most from one image.
pub const MAX_SYMBOLS: u64 = 1 << 17;

const PT_LOAD: u32 = 1;
const PT_DYNAMIC: u32 = 2;
const PT_INTERP: u32 = 3;
const PT_NOTE: u32 = 4;
const PT_GNU_EH_FRAME: u32 = 0x6474_e550;

const DT_NULL: u64 = 0;
const DT_HASH: u64 = 4;
const DT_STRTAB: u64 = 5;
const DT_SYMTAB: u64 = 6;
const DT_STRSZ: u64 = 10;
const DT_SONAME: u64 = 14;
const DT_GNU_HASH: u64 = 0x6fff_fef5;

/// `ET_EXEC`: an executable at fixed addresses.
pub const ET_EXEC: u16 = 2;
/// `ET_DYN`: a position-independent executable or a shared object.
pub const ET_DYN: u16 = 3;

/// One program header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Phdr {
    /// `p_type`.
    pub kind: u32,
    /// `p_flags` (`PF_X` 1, `PF_W` 2, `PF_R` 4).
    pub flags: u32,
    /// `p_offset`.
    pub offset: u64,
    /// `p_vaddr`.
    pub vaddr: u64,
    /// `p_filesz`.
    pub filesz: u64,
    /// `p_memsz`.
    pub memsz: u64,
}

/// An ELF image found in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElfImage {
    /// 64-bit (`ELFCLASS64`) or 32-bit.
    pub wide: bool,
    /// `e_type` (`ET_EXEC`, `ET_DYN`).
    pub kind: u16,
    /// `e_machine` (`EM_X86_64`, `EM_AARCH64`, ...): which psABI its call-frame information follows.
    pub machine: u16,
    /// Where the image starts in memory (its first mapping).
    pub base: u64,
    /// Added to the file's addresses to get memory addresses.
    pub load_bias: u64,
    /// One past the last byte its loadable segments span in memory (page-aligned).
    pub end: u64,
    /// The program headers (bounded).
    pub phdrs: Vec<Phdr>,
    /// `PT_INTERP`: the dynamic loader it asks for.
    pub interp: Option<String>,
    /// `DT_SONAME`.
    pub soname: Option<String>,
    /// `NT_GNU_BUILD_ID`, hex.
    pub build_id: Option<String>,
    /// Where the dynamic section is in memory.
    pub dynamic: Option<u64>,
    /// `PT_GNU_EH_FRAME`: where `.eh_frame_hdr` is in memory, and its size.
    pub eh_frame_hdr: Option<(u64, u64)>,
}

fn u16_at(b: &[u8], o: usize) -> u64 {
    b.get(o..o + 2)
        .map_or(0, |s| u64::from(u16::from_le_bytes([s[0], s[1]])))
}

fn u32_at(b: &[u8], o: usize) -> u64 {
    b.get(o..o + 4).map_or(0, |s| {
        u64::from(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    })
}

fn u64_at(b: &[u8], o: usize) -> u64 {
    b.get(o..o + 8).map_or(0, |s| {
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        u64::from_le_bytes(a)
    })
}

fn read_word<M: GuestMemory + ?Sized>(mem: &mut M, wide: bool, addr: u64) -> Option<u64> {
    if wide {
        mem.read_u64(addr)
    } else {
        mem.read_u32(addr).map(u64::from)
    }
}

impl ElfImage {
    /// Whether a loadable segment is executable (`PF_X`): code, not data.
    pub fn has_code(&self) -> bool {
        self.phdrs
            .iter()
            .any(|p| p.kind == PT_LOAD && p.flags & 1 != 0)
    }
}

/// Reads the image whose ELF header is at `base` (the start of its first mapping); `None` when
/// there is no little-endian ELF header there.
pub fn read_image<M: GuestMemory + ?Sized>(mem: &mut M, base: u64) -> Option<ElfImage> {
    let mut h = [0u8; 64];
    if !mem.read(base, &mut h) || &h[..4] != b"\x7fELF" || h[5] != 1 {
        return None;
    }
    let wide = match h[4] {
        2 => true,
        1 => false,
        _ => return None,
    };
    let kind = u16_at(&h, 16) as u16;
    let machine = u16_at(&h, 18) as u16;
    let (phoff, phentsize, phnum) = if wide {
        (u64_at(&h, 32), u16_at(&h, 54), u16_at(&h, 56))
    } else {
        (u32_at(&h, 28), u16_at(&h, 42), u16_at(&h, 44))
    };
    let want = if wide { 56 } else { 32 };
    if phentsize < want || phnum == 0 {
        return None;
    }
    let mut phdrs = Vec::new();
    for i in 0..phnum.min(MAX_PHDRS) {
        let at = base.checked_add(phoff)?.checked_add(i * phentsize)?;
        let mut p = [0u8; 56];
        let p = &mut p[..want as usize];
        if !mem.read(at, p) {
            break;
        }
        phdrs.push(if wide {
            Phdr {
                kind: u32_at(p, 0) as u32,
                flags: u32_at(p, 4) as u32,
                offset: u64_at(p, 8),
                vaddr: u64_at(p, 16),
                filesz: u64_at(p, 32),
                memsz: u64_at(p, 40),
            }
        } else {
            Phdr {
                kind: u32_at(p, 0) as u32,
                flags: u32_at(p, 24) as u32,
                offset: u32_at(p, 4),
                vaddr: u32_at(p, 8),
                filesz: u32_at(p, 16),
                memsz: u32_at(p, 20),
            }
        });
    }
    let loads = || phdrs.iter().filter(|p| p.kind == PT_LOAD);
    let first = loads().map(|p| p.vaddr & !0xfff).min()?;
    let last = loads().filter_map(|p| p.vaddr.checked_add(p.memsz)).max()?;
    let load_bias = base.wrapping_sub(first);
    let end = load_bias.wrapping_add(last).checked_add(0xfff)? & !0xfff;
    if end <= base {
        return None;
    }
    let at = |vaddr: u64| load_bias.wrapping_add(vaddr);
    let interp = phdrs
        .iter()
        .find(|p| p.kind == PT_INTERP)
        .and_then(|p| mem.read_cstr(at(p.vaddr), p.filesz.clamp(1, 4096) as usize))
        .filter(|(_, found)| *found)
        .map(|(b, _)| String::from_utf8_lossy(&b).into_owned());
    let dynamic = phdrs
        .iter()
        .find(|p| p.kind == PT_DYNAMIC)
        .map(|p| at(p.vaddr));
    let eh_frame_hdr = phdrs
        .iter()
        .find(|p| p.kind == PT_GNU_EH_FRAME)
        .map(|p| (at(p.vaddr), p.memsz));
    let build_id = phdrs
        .iter()
        .filter(|p| p.kind == PT_NOTE)
        .find_map(|p| build_id(mem, at(p.vaddr), p.filesz.min(MAX_NOTES)));
    let mut image = ElfImage {
        wide,
        kind,
        machine,
        base,
        load_bias,
        end,
        phdrs,
        interp,
        soname: None,
        build_id,
        dynamic,
        eh_frame_hdr,
    };
    if let Some(d) = read_dynamic(mem, &image) {
        image.soname = d
            .soname
            .and_then(|off| d.strtab.checked_add(off))
            .and_then(|a| mem.read_cstr(a, 256))
            .filter(|(_, found)| *found)
            .map(|(b, _)| String::from_utf8_lossy(&b).into_owned());
    }
    Some(image)
}

/// The `NT_GNU_BUILD_ID` among the notes at `addr` (`len` bytes), hex.
fn build_id<M: GuestMemory + ?Sized>(mem: &mut M, addr: u64, len: u64) -> Option<String> {
    let mut off = 0u64;
    while off + 12 <= len {
        let mut h = [0u8; 12];
        if !mem.read(addr.checked_add(off)?, &mut h) {
            return None;
        }
        let (namesz, descsz, kind) = (u32_at(&h, 0), u32_at(&h, 4), u32_at(&h, 8));
        let name_at = off + 12;
        let desc_at = name_at + namesz.checked_add(3)? / 4 * 4;
        let next = desc_at + descsz.checked_add(3)? / 4 * 4;
        if next > len || namesz > 256 || descsz > 256 {
            return None;
        }
        if kind == 3 && namesz == 4 {
            let mut name = [0u8; 4];
            if mem.read(addr + name_at, &mut name) && &name == b"GNU\0" {
                let mut d = vec![0u8; descsz as usize];
                if !mem.read(addr + desc_at, &mut d) {
                    return None;
                }
                return Some(d.iter().map(|b| format!("{b:02x}")).collect());
            }
        }
        off = next;
    }
    None
}

/// What the dynamic section says, with addresses in memory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dynamic {
    /// `DT_STRTAB`.
    pub strtab: u64,
    /// `DT_STRSZ`.
    pub strsz: u64,
    /// `DT_SYMTAB`.
    pub symtab: u64,
    /// `DT_SONAME` (an offset in the string table).
    pub soname: Option<u64>,
    /// `DT_HASH`.
    pub hash: Option<u64>,
    /// `DT_GNU_HASH`.
    pub gnu_hash: Option<u64>,
}

/// Reads the image's dynamic section. Its pointers are addresses in the file until the dynamic
/// loader relocates them in place (it does for the objects it loads; the kernel's vDSO and a
/// program not yet started keep file addresses): a value below the image's base is taken as a file
/// address.
pub fn read_dynamic<M: GuestMemory + ?Sized>(mem: &mut M, image: &ElfImage) -> Option<Dynamic> {
    let at = image.dynamic?;
    let ws = if image.wide { 8 } else { 4 };
    let fix = |v: u64| {
        if v < image.base {
            image.load_bias.wrapping_add(v)
        } else {
            v
        }
    };
    let mut d = Dynamic::default();
    let mut have_strtab = false;
    for i in 0..MAX_DYNAMIC {
        let e = at.checked_add(i * 2 * ws)?;
        let tag = read_word(mem, image.wide, e)?;
        let val = read_word(mem, image.wide, e + ws)?;
        match tag {
            DT_NULL => break,
            DT_STRTAB => {
                d.strtab = fix(val);
                have_strtab = true;
            }
            DT_SYMTAB => d.symtab = fix(val),
            DT_STRSZ => d.strsz = val,
            DT_SONAME => d.soname = Some(val),
            DT_HASH => d.hash = Some(fix(val)),
            DT_GNU_HASH => d.gnu_hash = Some(fix(val)),
            _ => {}
        }
    }
    have_strtab.then_some(d)
}

/// An exported symbol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    /// Its name.
    pub name: String,
    /// Its address in memory.
    pub addr: u64,
    /// Its size (0 when unknown).
    pub size: u64,
}

/// The number of symbols of `.dynsym`: `DT_HASH`'s `nchain`, or the end of `DT_GNU_HASH`'s chains.
fn symbol_count<M: GuestMemory + ?Sized>(
    mem: &mut M,
    image: &ElfImage,
    d: &Dynamic,
) -> Option<u64> {
    if let Some(h) = d.hash {
        return mem.read_u32(h.checked_add(4)?).map(u64::from);
    }
    let h = d.gnu_hash?;
    let nbuckets = u64::from(mem.read_u32(h)?);
    let symoffset = u64::from(mem.read_u32(h.checked_add(4)?)?);
    let bloom_size = u64::from(mem.read_u32(h.checked_add(8)?)?);
    if nbuckets > 1 << 20 || bloom_size > 1 << 20 {
        return None;
    }
    let ws = if image.wide { 8 } else { 4 };
    let buckets = h.checked_add(16)?.checked_add(bloom_size * ws)?;
    let mut last = 0u64;
    for b in 0..nbuckets {
        last = last.max(u64::from(mem.read_u32(buckets.checked_add(4 * b)?)?));
    }
    if last < symoffset {
        return Some(symoffset);
    }
    let chains = buckets.checked_add(4 * nbuckets)?;
    // Follow the last bucket's chain to its end (the low bit marks the last entry).
    let mut i = last;
    while i - last < MAX_SYMBOLS {
        let v = mem.read_u32(chains.checked_add(4 * (i - symoffset))?)?;
        if v & 1 == 1 {
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

/// The exported symbols of an image (functions and objects with a name and an address), sorted by
/// address; bounded by [`MAX_SYMBOLS`].
pub fn dynamic_symbols<M: GuestMemory + ?Sized>(mem: &mut M, image: &ElfImage) -> Vec<Symbol> {
    let mut out = Vec::new();
    let Some(d) = read_dynamic(mem, image) else {
        return out;
    };
    let Some(n) = symbol_count(mem, image, &d) else {
        return out;
    };
    let entsize = if image.wide { 24 } else { 16 };
    for i in 1..n.min(MAX_SYMBOLS) {
        let Some(at) = d.symtab.checked_add(i * entsize) else {
            break;
        };
        let mut s = [0u8; 24];
        let s = &mut s[..entsize as usize];
        if !mem.read(at, s) {
            break;
        }
        let (name, value, size, info, shndx) = if image.wide {
            (
                u32_at(s, 0),
                u64_at(s, 8),
                u64_at(s, 16),
                s[4],
                u16_at(s, 6),
            )
        } else {
            (
                u32_at(s, 0),
                u32_at(s, 4),
                u32_at(s, 8),
                s[12],
                u16_at(s, 14),
            )
        };
        // Defined functions and objects only.
        let ty = info & 0xf;
        if shndx == 0 || value == 0 || !(ty == 1 || ty == 2) || name >= d.strsz.max(1) {
            continue;
        }
        let Some((b, true)) = d
            .strtab
            .checked_add(name)
            .and_then(|a| mem.read_cstr(a, 512))
        else {
            continue;
        };
        out.push(Symbol {
            name: String::from_utf8_lossy(&b).into_owned(),
            addr: image.load_bias.wrapping_add(value),
            size,
        });
    }
    out.sort_by_key(|s| s.addr);
    out
}

#[cfg(test)]
mod tests;

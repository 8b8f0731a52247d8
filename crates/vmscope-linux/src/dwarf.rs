//! Kernel structure layouts from DWARF, for kernels built without BTF.
//!
//! Debian's i386 kernels (`linux-image-*-686-pae`) have no `.BTF`; their types are in the DWARF of the
//! vmlinux in the matching `-dbg` package (`usr/lib/debug/boot/vmlinux-<release>`, about 300 MB, half of
//! it `.debug_info`). This module fills the same [`KernelLayout`] and [`VfsLayout`] as [`crate::btf`], so
//! nothing above the layout knows where it came from.
//!
//! Speed: every compilation unit that includes a kernel header describes its structures identically,
//! so the first complete definition of each structure is taken and the scan stops as soon as every
//! structure (and variable) it wants is found. Inside a unit only the top-level DIEs are visited,
//! jumping over children with `DW_AT_sibling`. Per-CPU variables come from the ELF symbol table (the
//! `-dbg` vmlinux has a full `.symtab`), or from the DWARF variables' `DW_OP_addr` locations when there
//! is none. The file is mapped, not read: only the pages the scan touches are loaded.
//!
//! Per-CPU addresses are link addresses with the section address included, as in the BTF layout. On
//! x86_64 `.data..percpu` is linked at 0, so they are offsets from the per-CPU base. On i386 they are
//! ordinary kernel addresses: the CPU's variable is at `fs_base + address + KASLR slide` (the kernel
//! relocates its `%fs:` references), see FACTS.md.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

use gimli::{
    Abbreviations, AttributeValue, DebuggingInformationEntry, EndianSlice, RunTimeEndian,
    UnitHeader, UnitOffset, constants as dw,
};
use object::{Object, ObjectSection, ObjectSymbol};

use crate::btf::{
    CurrentTaskVia, KernelLayout, MAX_KERNEL_FILE_SIZE, MmStructLayout, PerCpuLayout,
    ProcessLayout, StateField, TaskStructLayout, VfsLayout, find_release,
};
use crate::error::Error;
use crate::kernel_image::vmlinux_from_image_cow;

/// How deep anonymous structs/unions and typedef chains are followed.
const MAX_TYPE_DEPTH: u32 = 16;

/// Most members read from one structure (task_struct has about 250, anonymous ones included).
const MAX_MEMBERS: usize = 4096;

/// The structures the layouts read. `pcpu_hot` (6.2+) is wanted only when the kernel has the per-CPU
/// variable of that name.
const STRUCTS: &[&str] = &[
    "task_struct",
    "mm_struct",
    "signal_struct",
    "files_struct",
    "fdtable",
    "file",
    "path",
    "dentry",
    "qstr",
    "mount",
    "vfsmount",
    "inode",
    "super_block",
    "fs_struct",
];

/// The per-CPU variables the layout reads.
const VARS: &[&str] = &["current_task", "this_cpu_off", "pcpu_hot"];

type Slice<'a> = EndianSlice<'a, RunTimeEndian>;
type Die<'a> = DebuggingInformationEntry<Slice<'a>>;

impl KernelLayout {
    /// Reads the layout, and the VFS layout the file monitor needs, from the DWARF of an ELF vmlinux
    /// (like the `vmlinux-<release>` of Debian's `-dbg` packages). The `Err` of the second value names
    /// the fields the DWARF lacks. Mirrors [`Self::from_kernel_file_with_vfs`].
    pub fn from_dwarf_file(
        path: &Path,
    ) -> Result<(Self, Result<VfsLayout, Vec<&'static str>>), Error> {
        let map = map_file(path)?;
        Self::from_dwarf(&map)
    }

    /// Like [`Self::from_dwarf_file`], from the file's bytes.
    pub fn from_dwarf(elf: &[u8]) -> Result<(Self, Result<VfsLayout, Vec<&'static str>>), Error> {
        let file = parse_elf(elf)?;
        let endian = if file.is_little_endian() {
            RunTimeEndian::Little
        } else {
            RunTimeEndian::Big
        };
        let section = |name: &str| -> Result<&[u8], Error> {
            match file.section_by_name(name) {
                Some(s) => s.data().map_err(|e| Error::BadElf {
                    detail: format!("{name} section: {e}"),
                }),
                None => Ok(&[]),
            }
        };
        let info = section(".debug_info")?;
        if info.is_empty() {
            return Err(Error::NoDwarf);
        }
        let sections = Sections {
            info: gimli::DebugInfo::new(info, endian),
            abbrev: gimli::DebugAbbrev::new(section(".debug_abbrev")?, endian),
            strings: gimli::DebugStr::new(section(".debug_str")?, endian),
            line_strings: gimli::DebugLineStr::new(section(".debug_line_str")?, endian),
        };
        let symbols = percpu_symbols(&file);
        let section_addr = file
            .section_by_name(".data..percpu")
            .map_or(0, |s| s.address());
        let pointer_size = if file.is_64() { 8 } else { 4 };
        let (mut layout, vfs) =
            layout_from_sections(&sections, &symbols, section_addr, pointer_size)?;
        // The banner is in .rodata; searching only there keeps the rest of a large file untouched.
        layout.release = file
            .section_by_name(".rodata")
            .and_then(|s| s.data().ok())
            .and_then(find_release)
            .or_else(|| find_release(elf));
        Ok((layout, vfs))
    }
}

/// Checks that the debug-info file `debuginfo` (an ELF vmlinux) was built with the kernel image `kernel`
/// (a bzImage or an ELF vmlinux): same GNU build-id, or, when either has none, the same `Linux version`
/// banner. A mismatch is [`Error::DebuginfoMismatch`] saying what differs.
pub fn check_debuginfo_matches(kernel: &Path, debuginfo: &Path) -> Result<(), Error> {
    let image = read_limited(kernel)?;
    let dbg = map_file(debuginfo)?;
    debuginfo_matches(&image, &dbg)
}

/// Like [`check_debuginfo_matches`], from the files' bytes.
pub fn debuginfo_matches(kernel_image: &[u8], debuginfo: &[u8]) -> Result<(), Error> {
    let vmlinux = vmlinux_from_image_cow(kernel_image)?;
    let k = identity(&vmlinux)?;
    let d = identity(debuginfo)?;
    if let (Some(a), Some(b)) = (&k.build_id, &d.build_id) {
        return if a == b {
            Ok(())
        } else {
            Err(Error::DebuginfoMismatch {
                detail: format!(
                    "the kernel's build-id is {}, the debug info's {}",
                    hex(a),
                    hex(b)
                ),
            })
        };
    }
    match (&k.banner, &d.banner) {
        (Some(a), Some(b)) if a == b => Ok(()),
        (Some(a), Some(b)) => Err(Error::DebuginfoMismatch {
            detail: format!("the kernel says \"{a}\", the debug info \"{b}\""),
        }),
        _ => Err(Error::DebuginfoMismatch {
            detail: "neither a build-id nor a `Linux version` banner in both files to compare"
                .to_owned(),
        }),
    }
}

/// What identifies a kernel build.
struct Identity {
    build_id: Option<Vec<u8>>,
    banner: Option<String>,
}

fn identity(elf: &[u8]) -> Result<Identity, Error> {
    let file = parse_elf(elf)?;
    let build_id = file.build_id().ok().flatten().map(<[u8]>::to_vec);
    let banner = file
        .section_by_name(".rodata")
        .and_then(|s| s.data().ok())
        .and_then(find_banner)
        .or_else(|| find_banner(elf));
    Ok(Identity { build_id, banner })
}

/// The first `Linux version <digit>...` line, without its line end.
fn find_banner(bytes: &[u8]) -> Option<String> {
    const NEEDLE: &[u8] = b"Linux version ";
    memchr::memmem::find_iter(bytes, NEEDLE)
        .take(16)
        .find_map(|at| {
            let rest = bytes.get(at..)?;
            let rest = &rest[..rest.len().min(512)];
            let end = rest.iter().position(|&b| b == b'\n' || b == 0)?;
            let line = &rest[..end];
            (line.get(NEEDLE.len()).is_some_and(u8::is_ascii_digit)
                && line.iter().all(|&b| b == b' ' || b.is_ascii_graphic()))
            .then(|| String::from_utf8_lossy(line).into_owned())
        })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn parse_elf(elf: &[u8]) -> Result<object::File<'_>, Error> {
    if !elf.starts_with(b"\x7fELF") {
        return Err(Error::NotAKernelImage {
            reason: "a debug-info file must be an ELF vmlinux (like the -dbg package's usr/lib/debug/boot/vmlinux-*)".to_owned(),
        });
    }
    object::File::parse(elf).map_err(|e| Error::BadElf {
        detail: e.to_string(),
    })
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

/// Reads a kernel image (at most [`MAX_KERNEL_FILE_SIZE`] bytes).
fn read_limited(path: &Path) -> Result<Vec<u8>, Error> {
    let len = std::fs::metadata(path).map_err(io_error(path))?.len();
    if len > MAX_KERNEL_FILE_SIZE {
        return Err(too_large(path, len));
    }
    std::fs::read(path).map_err(io_error(path))
}

fn too_large(path: &Path, len: u64) -> Error {
    Error::NotAKernelImage {
        reason: format!(
            "{} is {len} bytes, more than the {MAX_KERNEL_FILE_SIZE}-byte limit",
            path.display()
        ),
    }
}

/// Maps a file read-only (a debug vmlinux is hundreds of MB; the scan touches a fraction of it).
fn map_file(path: &Path) -> Result<memmap2::Mmap, Error> {
    let file = std::fs::File::open(path).map_err(io_error(path))?;
    let len = file.metadata().map_err(io_error(path))?.len();
    if len > MAX_KERNEL_FILE_SIZE {
        return Err(too_large(path, len));
    }
    // SAFETY: the map is read-only and lives only while the layout is parsed. Another process
    // truncating the file meanwhile would fault this one (SIGBUS): the accepted risk of mapping
    // instead of copying 300 MB, for files written once by dpkg or guest/build.sh.
    unsafe { memmap2::Mmap::map(&file) }.map_err(io_error(path))
}

/// The link addresses of the per-CPU variables in [`VARS`] from the ELF symbol table.
fn percpu_symbols(file: &object::File<'_>) -> HashMap<&'static str, u64> {
    let mut found = HashMap::new();
    for sym in file.symbols() {
        let Ok(name) = sym.name() else { continue };
        if let Some(&var) = VARS.iter().find(|&&v| v == name) {
            found.entry(var).or_insert(sym.address());
        }
    }
    found
}

/// The DWARF sections the reader uses.
struct Sections<'a> {
    info: gimli::DebugInfo<Slice<'a>>,
    abbrev: gimli::DebugAbbrev<Slice<'a>>,
    strings: gimli::DebugStr<Slice<'a>>,
    line_strings: gimli::DebugLineStr<Slice<'a>>,
}

impl<'a> Sections<'a> {
    fn string(&self, value: AttributeValue<Slice<'a>>) -> Option<&'a [u8]> {
        let s = match value {
            AttributeValue::String(s) => s,
            AttributeValue::DebugStrRef(o) => self.strings.get_str(o).ok()?,
            AttributeValue::DebugLineStrRef(o) => self.line_strings.get_str(o).ok()?,
            _ => return None,
        };
        Some(s.slice())
    }
}

/// One unit, with its abbreviations parsed.
struct UnitCx<'a> {
    /// Offset of the unit header in `.debug_info`.
    start: usize,
    header: UnitHeader<Slice<'a>>,
    abbrevs: Abbreviations,
}

/// A DIE anywhere in `.debug_info`: its unit and its offset in the unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pos {
    unit: usize,
    off: UnitOffset<usize>,
}

/// What a member's type is, as far as the layouts care (typedefs and qualifiers stripped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// An integer, enum or pointer of this many bytes.
    Scalar(u64),
    /// An array with this many elements in its first dimension (`None`: flexible or unknown).
    Array(Option<u64>),
    /// A struct or union, at this position.
    Record(Pos),
    /// Anything else (functions, unknown tags, unreadable types).
    Other,
}

/// A member of a structure, with its offset from the start of the outermost structure.
#[derive(Debug, Clone)]
struct Member {
    name: Vec<u8>,
    offset: u64,
    bitfield: bool,
    shape: Shape,
}

/// A structure's members in lookup order: its named members, then those of its anonymous struct and
/// union members, depth first (the order `btf.rs` looks them up in).
#[derive(Debug, Clone, Default)]
struct Record {
    members: Vec<Member>,
}

impl Record {
    /// The member called `name`; `None` when absent or a bitfield (of no use to a byte reader).
    fn get(&self, name: &str) -> Option<&Member> {
        self.members
            .iter()
            .find(|m| m.name == name.as_bytes())
            .filter(|m| !m.bitfield)
    }

    fn offset(&self, name: &str) -> Option<u64> {
        self.get(name).map(|m| m.offset)
    }
}

/// The reader: the sections, and the units it has opened (the one being scanned and any it was
/// referred to).
struct Reader<'s, 'a> {
    s: &'s Sections<'a>,
    units: RefCell<HashMap<usize, Rc<UnitCx<'a>>>>,
    /// `(start, end)` of every unit in `.debug_info`, listed on the first cross-unit reference.
    unit_spans: RefCell<Option<Vec<(usize, usize)>>>,
}

fn dwarf_error(e: gimli::Error) -> Error {
    Error::Dwarf {
        detail: e.to_string(),
    }
}

impl<'s, 'a> Reader<'s, 'a> {
    fn new(s: &'s Sections<'a>) -> Self {
        Self {
            s,
            units: RefCell::new(HashMap::new()),
            unit_spans: RefCell::new(None),
        }
    }

    fn open(&self, header: UnitHeader<Slice<'a>>) -> Result<Rc<UnitCx<'a>>, Error> {
        let start = header
            .debug_info_offset()
            .map(|o| o.0)
            .ok_or_else(|| Error::Dwarf {
                detail: "a unit outside .debug_info".to_owned(),
            })?;
        let abbrevs = header.abbreviations(&self.s.abbrev).map_err(dwarf_error)?;
        let cx = Rc::new(UnitCx {
            start,
            header,
            abbrevs,
        });
        self.units.borrow_mut().insert(start, Rc::clone(&cx));
        Ok(cx)
    }

    fn unit(&self, start: usize) -> Option<Rc<UnitCx<'a>>> {
        if let Some(cx) = self.units.borrow().get(&start) {
            return Some(Rc::clone(cx));
        }
        let header = self
            .s
            .info
            .header_from_offset(gimli::DebugInfoOffset(start))
            .ok()?;
        self.open(header).ok()
    }

    /// The unit holding section offset `at` (for `DW_FORM_ref_addr`).
    fn containing(&self, at: usize) -> Option<usize> {
        let mut spans = self.unit_spans.borrow_mut();
        let spans = spans.get_or_insert_with(|| {
            let mut v = Vec::new();
            let mut it = self.s.info.units();
            while let Ok(Some(h)) = it.next() {
                if let Some(o) = h.debug_info_offset() {
                    v.push((o.0, o.0 + h.length_including_self()));
                }
            }
            v
        });
        let i = spans.partition_point(|&(start, _)| start <= at);
        let &(start, end) = spans.get(i.checked_sub(1)?)?;
        (at < end).then_some(start)
    }

    fn entry(&self, p: Pos) -> Option<(Rc<UnitCx<'a>>, Die<'a>)> {
        let cx = self.unit(p.unit)?;
        let e = cx.header.entry(&cx.abbrevs, p.off).ok()?;
        Some((cx, e))
    }

    fn name(&self, e: &Die<'a>) -> Option<&'a [u8]> {
        self.s.string(e.attr_value(dw::DW_AT_name)?)
    }

    /// Where a reference attribute (`DW_AT_type`, `DW_AT_specification`) points.
    fn reference(&self, unit: usize, e: &Die<'a>, at: dw::DwAt) -> Option<Pos> {
        match e.attr_value(at)? {
            AttributeValue::UnitRef(off) => Some(Pos { unit, off }),
            AttributeValue::DebugInfoRef(o) => {
                let start = self.containing(o.0)?;
                Some(Pos {
                    unit: start,
                    off: UnitOffset(o.0 - start),
                })
            }
            _ => None,
        }
    }

    /// Follows typedefs and qualifiers to the type they name.
    fn strip(&self, mut p: Pos) -> Option<(Pos, Die<'a>)> {
        for _ in 0..MAX_TYPE_DEPTH {
            let (_, e) = self.entry(p)?;
            match e.tag() {
                dw::DW_TAG_typedef
                | dw::DW_TAG_const_type
                | dw::DW_TAG_volatile_type
                | dw::DW_TAG_restrict_type
                | dw::DW_TAG_atomic_type => p = self.reference(p.unit, &e, dw::DW_AT_type)?,
                _ => return Some((p, e)),
            }
        }
        None
    }

    fn shape(&self, ty: Option<Pos>) -> Shape {
        let Some((p, e)) = ty.and_then(|t| self.strip(t)) else {
            return Shape::Other;
        };
        let byte_size = || e.attr(dw::DW_AT_byte_size).and_then(|a| a.udata_value());
        match e.tag() {
            dw::DW_TAG_base_type | dw::DW_TAG_enumeration_type => {
                byte_size().map_or(Shape::Other, Shape::Scalar)
            }
            dw::DW_TAG_pointer_type => {
                let size = byte_size().or_else(|| {
                    self.unit(p.unit)
                        .map(|cx| u64::from(cx.header.address_size()))
                });
                size.map_or(Shape::Other, Shape::Scalar)
            }
            dw::DW_TAG_array_type => Shape::Array(self.array_len(p)),
            dw::DW_TAG_structure_type | dw::DW_TAG_union_type | dw::DW_TAG_class_type => {
                Shape::Record(p)
            }
            _ => Shape::Other,
        }
    }

    /// The element count of an array's first dimension.
    fn array_len(&self, p: Pos) -> Option<u64> {
        let cx = self.unit(p.unit)?;
        let mut tree = cx.header.entries_tree(&cx.abbrevs, Some(p.off)).ok()?;
        let root = tree.root().ok()?;
        let mut children = root.children();
        while let Ok(Some(child)) = children.next() {
            let e = child.entry();
            if e.tag() != dw::DW_TAG_subrange_type {
                continue;
            }
            if let Some(n) = e.attr(dw::DW_AT_count).and_then(|a| a.udata_value()) {
                return Some(n);
            }
            let lower = e
                .attr(dw::DW_AT_lower_bound)
                .and_then(|a| a.udata_value())
                .unwrap_or(0);
            let upper = e.attr(dw::DW_AT_upper_bound)?.udata_value()?;
            return upper.checked_add(1)?.checked_sub(lower);
        }
        None
    }

    /// Reads the members of the struct or union at `p` into `out`, offsets from `base`.
    fn record(&self, p: Pos, base: u64, depth: u32, out: &mut Vec<Member>) -> Option<()> {
        if depth > MAX_TYPE_DEPTH {
            return None;
        }
        let cx = self.unit(p.unit)?;
        // Collect the members first: resolving their types opens other cursors.
        let mut raw = Vec::new();
        {
            let mut tree = cx.header.entries_tree(&cx.abbrevs, Some(p.off)).ok()?;
            let root = tree.root().ok()?;
            let mut children = root.children();
            while let Ok(Some(child)) = children.next() {
                let e = child.entry();
                if e.tag() != dw::DW_TAG_member {
                    continue;
                }
                if raw.len() + out.len() >= MAX_MEMBERS {
                    return None;
                }
                let name = self.name(e).unwrap_or_default();
                let bitfield = e.attr(dw::DW_AT_bit_size).is_some();
                // Union members have no location: they start at 0.
                let offset = match e.attr(dw::DW_AT_data_member_location) {
                    None => Some(0),
                    Some(a) => member_location(&a.raw_value(), cx.header.encoding()),
                };
                let ty = self.reference(p.unit, e, dw::DW_AT_type);
                raw.push((name, offset, bitfield, ty));
            }
        }
        let mut anonymous = Vec::new();
        for (name, offset, bitfield, ty) in raw {
            let Some(offset) = offset.and_then(|o| base.checked_add(o)) else {
                continue;
            };
            if name.is_empty() {
                anonymous.push((offset, ty));
            } else {
                out.push(Member {
                    name: name.to_vec(),
                    offset,
                    bitfield,
                    shape: self.shape(ty),
                });
            }
        }
        for (offset, ty) in anonymous {
            if let Shape::Record(inner) = self.shape(ty) {
                self.record(inner, offset, depth + 1, out);
            }
        }
        Some(())
    }

    /// The address of a variable's `DW_OP_addr` location.
    fn address(&self, cx: &UnitCx<'a>, e: &Die<'a>) -> Option<u64> {
        let AttributeValue::Exprloc(expr) = e.attr_value(dw::DW_AT_location)? else {
            return None;
        };
        let mut bytes = expr.0;
        match gimli::Operation::parse(&mut bytes, cx.header.encoding()).ok()? {
            gimli::Operation::Address { address } if bytes.is_empty() => Some(address),
            _ => None,
        }
    }
}

/// A `DW_AT_data_member_location`: a constant, or (DWARF 2) a `DW_OP_plus_uconst` expression.
fn member_location(value: &AttributeValue<Slice<'_>>, encoding: gimli::Encoding) -> Option<u64> {
    if let AttributeValue::Exprloc(expr) = value {
        let mut bytes = expr.0;
        return match gimli::Operation::parse(&mut bytes, encoding).ok()? {
            gimli::Operation::PlusConstant { value } if bytes.is_empty() => Some(value),
            _ => None,
        };
    }
    value.udata_value()
}

/// What the scan found: structures by name, and per-CPU variables (link address and type).
#[derive(Default)]
struct Found {
    records: HashMap<&'static str, Record>,
    vars: HashMap<&'static str, (u64, Option<Pos>)>,
}

/// Scans `.debug_info` unit by unit for the structures in `structs` and the variables in `vars`,
/// stopping once all are found.
fn scan(
    r: &Reader<'_, '_>,
    structs: &[&'static str],
    vars: &[&'static str],
) -> Result<Found, Error> {
    let mut found = Found::default();
    let mut units = r.s.info.units();
    while found.records.len() < structs.len() || found.vars.len() < vars.len() {
        let Some(header) = units.next().map_err(dwarf_error)? else {
            break;
        };
        r.units.borrow_mut().clear();
        let cx = r.open(header)?;
        let mut cursor = cx.header.entries(&cx.abbrevs);
        let Some(root) = cursor.next_dfs().map_err(dwarf_error)? else {
            continue;
        };
        if !root.has_children() {
            continue;
        }
        cursor.next_entry().map_err(dwarf_error)?;
        while let Some(e) = cursor.current() {
            let tag = e.tag();
            let pos = Pos {
                unit: cx.start,
                off: e.offset(),
            };
            let declaration = e.attr(dw::DW_AT_declaration).is_some();
            match tag {
                dw::DW_TAG_structure_type if !declaration => {
                    let name = r.name(e);
                    if let Some(&want) = structs
                        .iter()
                        .find(|&&s| Some(s.as_bytes()) == name && !found.records.contains_key(s))
                    {
                        let mut rec = Record::default();
                        if r.record(pos, 0, 0, &mut rec.members).is_some() {
                            found.records.insert(want, rec);
                        }
                    }
                }
                dw::DW_TAG_variable if !declaration && !vars.is_empty() => {
                    // A definition of an `extern` variable names it through DW_AT_specification.
                    let name = r.name(e).or_else(|| {
                        let spec = r.reference(cx.start, e, dw::DW_AT_specification)?;
                        let (_, d) = r.entry(spec)?;
                        r.name(&d)
                    });
                    if let Some(&want) = vars
                        .iter()
                        .find(|&&v| Some(v.as_bytes()) == name && !found.vars.contains_key(v))
                        && let Some(addr) = r.address(&cx, e)
                    {
                        let ty = r.reference(cx.start, e, dw::DW_AT_type).or_else(|| {
                            let spec = r.reference(cx.start, e, dw::DW_AT_specification)?;
                            let (_, d) = r.entry(spec)?;
                            r.reference(spec.unit, &d, dw::DW_AT_type)
                        });
                        found.vars.insert(want, (addr, ty));
                    }
                }
                _ => {}
            }
            cursor.next_sibling().map_err(dwarf_error)?;
        }
    }
    Ok(found)
}

fn missing(what: &str) -> Error {
    Error::MissingDwarfField {
        what: what.to_owned(),
    }
}

/// Builds the layouts from DWARF sections and the per-CPU symbols (link addresses, may be empty).
fn layout_from_sections(
    s: &Sections<'_>,
    symbols: &HashMap<&'static str, u64>,
    section_addr: u64,
    pointer_size: u8,
) -> Result<(KernelLayout, Result<VfsLayout, Vec<&'static str>>), Error> {
    let r = Reader::new(s);
    let mut structs = STRUCTS.to_vec();
    // With a symbol table, the variables' DWARF is not needed, and `pcpu_hot` only when it exists.
    let vars: Vec<&'static str> = if symbols.is_empty() {
        structs.push("pcpu_hot");
        VARS.to_vec()
    } else {
        if symbols.contains_key("pcpu_hot") {
            structs.push("pcpu_hot");
        }
        Vec::new()
    };
    let found = scan(&r, &structs, &vars)?;
    // The pcpu_hot type: from the variable's DWARF type, else the struct of that name.
    let var_record = |name: &str| -> Option<Record> {
        let (_, ty) = found.vars.get(name)?;
        let Shape::Record(p) = r.shape(*ty) else {
            return None;
        };
        let mut rec = Record::default();
        r.record(p, 0, 0, &mut rec.members)?;
        Some(rec)
    };
    let hot = var_record("pcpu_hot").or_else(|| found.records.get("pcpu_hot").cloned());
    let var_addr = |name: &str| {
        symbols
            .get(name)
            .copied()
            .or_else(|| found.vars.get(name).map(|v| v.0))
    };
    let layout = assemble(
        &found.records,
        PerCpuVars {
            current_task: var_addr("current_task"),
            this_cpu_off: var_addr("this_cpu_off"),
            pcpu_hot: var_addr("pcpu_hot").zip(hot),
        },
        section_addr,
        pointer_size,
    )?;
    Ok((layout, vfs_layout(&found.records)))
}

/// Per-CPU variables by link address.
struct PerCpuVars {
    current_task: Option<u64>,
    this_cpu_off: Option<u64>,
    pcpu_hot: Option<(u64, Record)>,
}

/// Fills [`KernelLayout`] the way `btf.rs` does: the same mandatory and optional fields.
fn assemble(
    records: &HashMap<&'static str, Record>,
    vars: PerCpuVars,
    section_addr: u64,
    pointer_size: u8,
) -> Result<KernelLayout, Error> {
    let empty = Record::default();
    let rec = |name: &str| records.get(name).unwrap_or(&empty);
    let task = records
        .get("task_struct")
        .ok_or_else(|| missing("struct task_struct"))?;
    let mut absent = Vec::new();
    let mandatory = |name: &str, full: &str| task.offset(name).ok_or_else(|| missing(full));
    let pid = mandatory("pid", "task_struct.pid")?;
    let tgid = mandatory("tgid", "task_struct.tgid")?;
    let comm = task
        .get("comm")
        .ok_or_else(|| missing("task_struct.comm"))?;
    let comm_len = match comm.shape {
        Shape::Array(Some(n)) => n.min(16),
        _ => 16,
    };
    let mut optional = |name: &str, full: &'static str| {
        let off = task.offset(name);
        if off.is_none() {
            absent.push(full);
        }
        off
    };
    let mm = optional("mm", "task_struct.mm");
    let tasks = optional("tasks", "task_struct.tasks");
    let real_parent = optional("real_parent", "task_struct.real_parent");
    let group_leader = optional("group_leader", "task_struct.group_leader");
    let thread_group = optional("thread_group", "task_struct.thread_group");
    let flags = optional("flags", "task_struct.flags");
    let exit_code = optional("exit_code", "task_struct.exit_code");
    let exit_signal = optional("exit_signal", "task_struct.exit_signal");
    let files = optional("files", "task_struct.files");
    let fs = optional("fs", "task_struct.fs");
    let state = ["__state", "state"].iter().find_map(|name| {
        let m = task.get(name)?;
        let Shape::Scalar(size) = m.shape else {
            return None;
        };
        Some(StateField {
            offset: m.offset,
            size: u8::try_from(size).ok()?,
        })
    });
    if state.is_none() {
        absent.push("task_struct.__state");
    }
    let pgd = rec("mm_struct").offset("pgd");
    if pgd.is_none() {
        absent.push("mm_struct.pgd");
    }

    let mm_struct = rec("mm_struct");
    let mut required = |r: &Record, field: &str, full: &'static str| {
        let off = r.offset(field);
        if off.is_none() {
            absent.push(full);
        }
        off
    };
    let mm_arg_start = required(mm_struct, "arg_start", "mm_struct.arg_start");
    let mm_arg_end = required(mm_struct, "arg_end", "mm_struct.arg_end");
    let mm_exe_file = required(mm_struct, "exe_file", "mm_struct.exe_file");
    let task_signal = required(task, "signal", "task_struct.signal");
    let (mm_saved_auxv, mm_saved_auxv_len) = match mm_struct.get("saved_auxv") {
        Some(Member {
            offset,
            shape: Shape::Array(Some(n)),
            ..
        }) => (Some(*offset), *n),
        _ => {
            absent.push("mm_struct.saved_auxv");
            (None, 0)
        }
    };
    let process = ProcessLayout {
        mm_arg_start,
        mm_arg_end,
        mm_saved_auxv,
        mm_saved_auxv_len,
        mm_exe_file,
        task_signal,
        task_thread_node: task.offset("thread_node"),
        signal_thread_head: rec("signal_struct").offset("thread_head"),
    };

    let hot_member = |name: &str| {
        let (addr, r) = vars.pcpu_hot.as_ref()?;
        Some((*addr, r.offset(name)?))
    };
    let (current_task, current_task_via) = match (vars.current_task, hot_member("current_task")) {
        (Some(addr), _) => (addr, CurrentTaskVia::Standalone),
        (None, Some((addr, member))) => (
            addr.wrapping_add(member),
            CurrentTaskVia::PcpuHot {
                var: addr.wrapping_sub(section_addr),
                member,
            },
        ),
        (None, None) => {
            return Err(missing(
                "per-CPU variable current_task (nor pcpu_hot.current_task)",
            ));
        }
    };
    let this_cpu_off = vars
        .this_cpu_off
        .or_else(|| hot_member("this_cpu_off").map(|(a, m)| a.wrapping_add(m)))
        .ok_or_else(|| missing("per-CPU variable this_cpu_off"))?;

    Ok(KernelLayout {
        release: None,
        task: TaskStructLayout {
            pid,
            tgid,
            comm: comm.offset,
            comm_len,
            mm,
            tasks,
            real_parent,
            group_leader,
            thread_group,
            flags,
            exit_code,
            exit_signal,
            state,
            files,
            fs,
        },
        mm: MmStructLayout { pgd },
        percpu: PerCpuLayout {
            current_task,
            current_task_via,
            this_cpu_off,
            section_addr,
        },
        process,
        missing: absent,
        pointer_size,
    })
}

/// Fills [`VfsLayout`]; `Err` lists every field that is missing (as `btf.rs` does).
fn vfs_layout(records: &HashMap<&'static str, Record>) -> Result<VfsLayout, Vec<&'static str>> {
    let mut absent = Vec::new();
    let mut get = |st: &str, field: &str, full: &'static str| {
        let off = records.get(st).and_then(|r| r.offset(field));
        if off.is_none() {
            absent.push(full);
        }
        off.unwrap_or(0)
    };
    let l = VfsLayout {
        task_files: get("task_struct", "files", "task_struct.files"),
        task_fs: get("task_struct", "fs", "task_struct.fs"),
        files_fdt: get("files_struct", "fdt", "files_struct.fdt"),
        fdt_max_fds: get("fdtable", "max_fds", "fdtable.max_fds"),
        fdt_fd: get("fdtable", "fd", "fdtable.fd"),
        file_path: get("file", "f_path", "file.f_path"),
        file_inode: get("file", "f_inode", "file.f_inode"),
        path_mnt: get("path", "mnt", "path.mnt"),
        path_dentry: get("path", "dentry", "path.dentry"),
        dentry_parent: get("dentry", "d_parent", "dentry.d_parent"),
        dentry_name: get("dentry", "d_name", "dentry.d_name"),
        dentry_sb: get("dentry", "d_sb", "dentry.d_sb"),
        qstr_len: get("qstr", "len", "qstr.len"),
        qstr_name: get("qstr", "name", "qstr.name"),
        mount_mnt: get("mount", "mnt", "mount.mnt"),
        mount_parent: get("mount", "mnt_parent", "mount.mnt_parent"),
        mount_mountpoint: get("mount", "mnt_mountpoint", "mount.mnt_mountpoint"),
        vfsmount_root: get("vfsmount", "mnt_root", "vfsmount.mnt_root"),
        inode_ino: get("inode", "i_ino", "inode.i_ino"),
        sb_magic: get("super_block", "s_magic", "super_block.s_magic"),
        fs_pwd: get("fs_struct", "pwd", "fs_struct.pwd"),
    };
    if absent.is_empty() {
        Ok(l)
    } else {
        Err(absent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gimli::write::{
        self, Address, AttributeValue as W, EndianVec, Expression, LineProgram, UnitEntryId, UnitId,
    };

    /// Builds DWARF by hand, one unit at a time (a gimli `write::Dwarf` with convenience methods).
    struct Builder {
        dwarf: write::Dwarf,
        unit: UnitId,
    }

    const ENC: gimli::Encoding = gimli::Encoding {
        format: gimli::Format::Dwarf32,
        version: 5,
        address_size: 4,
    };

    impl Builder {
        fn new() -> Self {
            let mut dwarf = write::Dwarf::new();
            let unit = dwarf.units.add(write::Unit::new(ENC, LineProgram::none()));
            Self { dwarf, unit }
        }
        /// Starts a new unit; later entries go there.
        fn next_unit(&mut self) {
            self.unit = self
                .dwarf
                .units
                .add(write::Unit::new(ENC, LineProgram::none()));
        }
        fn add(
            &mut self,
            parent: Option<UnitEntryId>,
            tag: dw::DwTag,
            attrs: Vec<(dw::DwAt, W)>,
        ) -> UnitEntryId {
            let u = self.dwarf.units.get_mut(self.unit);
            let parent = parent.unwrap_or_else(|| u.root());
            let id = u.add(parent, tag);
            for (at, v) in attrs {
                u.get_mut(id).set(at, v);
            }
            id
        }
        /// A reference to an entry of the current unit.
        fn here(id: UnitEntryId) -> W {
            W::UnitRef(id)
        }
        /// A reference to an entry of another unit.
        fn there(&self, unit: UnitId, id: UnitEntryId) -> W {
            W::DebugInfoRef(write::DebugInfoRef::Entry(unit, id))
        }
        fn name(s: &str) -> (dw::DwAt, W) {
            (dw::DW_AT_name, W::String(s.as_bytes().to_vec()))
        }
        fn base(&mut self, name: &str, size: u64) -> UnitEntryId {
            self.add(
                None,
                dw::DW_TAG_base_type,
                vec![Self::name(name), (dw::DW_AT_byte_size, W::Udata(size))],
            )
        }
        fn structure(&mut self, name: Option<&str>, size: u64) -> UnitEntryId {
            let mut attrs = vec![(dw::DW_AT_byte_size, W::Udata(size))];
            if let Some(n) = name {
                attrs.push(Self::name(n));
            }
            self.add(None, dw::DW_TAG_structure_type, attrs)
        }
        fn member(&mut self, st: UnitEntryId, name: &str, ty: W, offset: u64) -> UnitEntryId {
            let mut attrs = vec![
                (dw::DW_AT_type, ty),
                (dw::DW_AT_data_member_location, W::Udata(offset)),
            ];
            if !name.is_empty() {
                attrs.push(Self::name(name));
            }
            self.add(Some(st), dw::DW_TAG_member, attrs)
        }
        fn array(&mut self, elem: UnitEntryId, bound: (dw::DwAt, u64)) -> UnitEntryId {
            let a = self.add(
                None,
                dw::DW_TAG_array_type,
                vec![(dw::DW_AT_type, W::UnitRef(elem))],
            );
            self.add(
                Some(a),
                dw::DW_TAG_subrange_type,
                vec![(bound.0, W::Udata(bound.1))],
            );
            a
        }
        fn location(addr: u64) -> (dw::DwAt, W) {
            let mut e = Expression::new();
            e.op_addr(Address::Constant(addr));
            (dw::DW_AT_location, W::Exprloc(e))
        }
        fn sections(mut self) -> write::Sections<EndianVec<gimli::LittleEndian>> {
            let mut sections = write::Sections::new(EndianVec::new(gimli::LittleEndian));
            self.dwarf
                .write(&mut sections)
                .unwrap_or_else(|e| panic!("{e}"));
            sections
        }
    }

    type Parsed = Result<(KernelLayout, Result<VfsLayout, Vec<&'static str>>), Error>;

    fn layout(b: Builder, symbols: &[(&'static str, u64)], section_addr: u64) -> Parsed {
        let w = b.sections();
        layout_of(
            w.debug_info.slice(),
            w.debug_abbrev.slice(),
            w.debug_str.slice(),
            symbols,
            section_addr,
        )
    }

    fn layout_of(
        info: &[u8],
        abbrev: &[u8],
        strings: &[u8],
        symbols: &[(&'static str, u64)],
        section_addr: u64,
    ) -> Parsed {
        let e = RunTimeEndian::Little;
        let s = Sections {
            info: gimli::DebugInfo::new(info, e),
            abbrev: gimli::DebugAbbrev::new(abbrev, e),
            strings: gimli::DebugStr::new(strings, e),
            line_strings: gimli::DebugLineStr::new(&[], e),
        };
        layout_from_sections(&s, &symbols.iter().copied().collect(), section_addr, 4)
    }

    /// Corrupt DWARF (seeded byte flips in every section) gives errors or odd layouts, never a panic
    /// or a hang.
    #[test]
    fn corrupt_dwarf_never_panics() {
        let w = kernel(true).sections();
        let clean = [
            w.debug_info.slice().to_vec(),
            w.debug_abbrev.slice().to_vec(),
            w.debug_str.slice().to_vec(),
        ];
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut errors = 0;
        for round in 0..3000 {
            let mut s = clean.clone();
            for _ in 0..1 + round % 4 {
                let which = (next() % 3) as usize;
                let len = s[which].len() as u64;
                if len > 0 {
                    let at = (next() % len) as usize;
                    s[which][at] ^= 1 << (next() % 8);
                }
            }
            if layout_of(&s[0], &s[1], &s[2], &[], 0).is_err() {
                errors += 1;
            }
        }
        assert!(errors > 0, "no flip was ever noticed");
    }

    /// An i386 6.1-like kernel spread over three units: a forward declaration of task_struct and
    /// `list_head` in the first, the definitions (with anonymous records, typedefs, a bitfield, a
    /// DWARF 2 style member location and a cross-unit type reference) in the second, the per-CPU
    /// variables in the third (one named only through DW_AT_specification).
    fn kernel(with_pid: bool) -> Builder {
        let mut b = Builder::new();
        let first = b.unit;
        b.add(
            None,
            dw::DW_TAG_structure_type,
            vec![
                Builder::name("task_struct"),
                (dw::DW_AT_declaration, W::Flag(true)),
            ],
        );
        let ulong_a = b.base("long unsigned int", 4);
        let list = b.structure(Some("list_head"), 8);
        b.member(list, "next", Builder::here(ulong_a), 0);
        b.member(list, "prev", Builder::here(ulong_a), 4);
        // An anonymous struct inside an anonymous union holds tgid and comm; task_struct (in the
        // next unit) refers to the union across units.
        let int_a = b.base("int", 4);
        let chr = b.base("char", 1);
        let pid_t = b.add(
            None,
            dw::DW_TAG_typedef,
            vec![Builder::name("pid_t"), (dw::DW_AT_type, W::UnitRef(int_a))],
        );
        let comm = b.array(chr, (dw::DW_AT_upper_bound, 15));
        let inner = b.structure(None, 32);
        b.member(inner, "tgid", Builder::here(pid_t), 4);
        b.member(inner, "comm", Builder::here(comm), 16);
        let anon = b.add(
            None,
            dw::DW_TAG_union_type,
            vec![(dw::DW_AT_byte_size, W::Udata(32))],
        );
        b.add(
            Some(anon),
            dw::DW_TAG_member,
            vec![(dw::DW_AT_type, W::UnitRef(inner))],
        );
        b.add(
            Some(anon),
            dw::DW_TAG_member,
            vec![
                Builder::name("other"),
                (dw::DW_AT_type, W::UnitRef(ulong_a)),
            ],
        );

        b.next_unit();
        let int = b.base("int", 4);
        let uint = b.base("unsigned int", 4);
        let ulong = b.base("long unsigned int", 4);
        let pid_t = b.add(
            None,
            dw::DW_TAG_typedef,
            vec![Builder::name("pid_t"), (dw::DW_AT_type, W::UnitRef(int))],
        );
        let auxv = b.array(ulong, (dw::DW_AT_count, 48));
        let cvol = b.add(
            None,
            dw::DW_TAG_volatile_type,
            vec![(dw::DW_AT_type, W::UnitRef(uint))],
        );
        let mm = b.structure(Some("mm_struct"), 512);
        let mm_ptr = b.add(
            None,
            dw::DW_TAG_pointer_type,
            vec![
                (dw::DW_AT_byte_size, W::Udata(4)),
                (dw::DW_AT_type, W::UnitRef(mm)),
            ],
        );
        b.member(mm, "pgd", Builder::here(ulong), 28);
        b.member(mm, "saved_auxv", Builder::here(auxv), 180);
        let task = b.structure(Some("task_struct"), 2048);
        let mut loc = Expression::new();
        loc.op_plus_uconst(16);
        b.add(
            Some(task),
            dw::DW_TAG_member,
            vec![
                Builder::name("__state"),
                (dw::DW_AT_type, W::UnitRef(cvol)),
                (dw::DW_AT_data_member_location, W::Exprloc(loc)),
            ],
        );
        let flags = b.member(task, "flags", Builder::here(uint), 28);
        b.dwarf
            .units
            .get_mut(b.unit)
            .get_mut(flags)
            .set(dw::DW_AT_bit_size, W::Udata(3));
        let tasks_ty = b.there(first, list);
        b.member(task, "tasks", tasks_ty, 968);
        b.member(task, "mm", Builder::here(mm_ptr), 1008);
        let anon_ty = b.there(first, anon);
        b.member(task, "", anon_ty, 1100);
        if with_pid {
            b.member(task, "pid", Builder::here(pid_t), 1096);
        }

        b.next_unit();
        let ulong = b.base("long unsigned int", 4);
        let decl = b.add(
            None,
            dw::DW_TAG_variable,
            vec![
                Builder::name("current_task"),
                (dw::DW_AT_type, W::UnitRef(ulong)),
                (dw::DW_AT_declaration, W::Flag(true)),
            ],
        );
        b.add(
            None,
            dw::DW_TAG_variable,
            vec![
                (dw::DW_AT_specification, W::UnitRef(decl)),
                Builder::location(0xc1e8_0808),
            ],
        );
        b.add(
            None,
            dw::DW_TAG_variable,
            vec![
                Builder::name("this_cpu_off"),
                (dw::DW_AT_type, W::UnitRef(ulong)),
                Builder::location(0xc1e7_b8bc),
            ],
        );
        b
    }

    #[test]
    fn synthetic_kernel_from_dwarf_variables() {
        let (l, vfs) = layout(kernel(true), &[], 0xc1e7_2000).unwrap_or_else(|e| panic!("{e}"));
        let t = &l.task;
        assert_eq!((t.pid, t.tgid, t.comm, t.comm_len), (1096, 1104, 1116, 16));
        assert_eq!(
            t.state,
            Some(StateField {
                offset: 16,
                size: 4
            })
        );
        assert_eq!((t.tasks, t.mm), (Some(968), Some(1008)));
        // A bitfield is of no use to a byte reader: missing, as in the BTF layout.
        assert_eq!(t.flags, None);
        assert!(l.missing.contains(&"task_struct.flags"));
        assert_eq!(l.mm.pgd, Some(28));
        assert_eq!(
            (l.process.mm_saved_auxv, l.process.mm_saved_auxv_len),
            (Some(180), 48)
        );
        assert_eq!(l.percpu.current_task_via, CurrentTaskVia::Standalone);
        assert_eq!(
            (
                l.percpu.current_task,
                l.percpu.this_cpu_off,
                l.percpu.section_addr
            ),
            (0xc1e8_0808, 0xc1e7_b8bc, 0xc1e7_2000)
        );
        assert_eq!(l.pointer_size, 4);
        // No VFS structures at all: every VFS field is named.
        let absent = vfs.err().unwrap_or_default();
        assert!(absent.contains(&"task_struct.files"), "{absent:?}");
        assert!(absent.contains(&"mount.mnt_mountpoint"), "{absent:?}");
        assert_eq!(absent.len(), 21);
    }

    #[test]
    fn symbols_take_precedence_over_dwarf_variables() {
        let syms = [("current_task", 0x1fb00), ("this_cpu_off", 0x1fb08)];
        let (l, _) = layout(kernel(true), &syms, 0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (l.percpu.current_task, l.percpu.this_cpu_off),
            (0x1fb00, 0x1fb08)
        );
    }

    #[test]
    fn missing_pid_and_missing_current_task_are_named() {
        let e = layout(kernel(false), &[], 0).err();
        assert!(
            matches!(&e, Some(Error::MissingDwarfField { what }) if what == "task_struct.pid"),
            "{e:?}"
        );
        // A symbol table without the per-CPU variables: the current task cannot be found.
        let e = layout(kernel(true), &[("jiffies", 0xc100_0000)], 0).err();
        assert!(
            matches!(&e, Some(Error::MissingDwarfField { what }) if what.contains("current_task")),
            "{e:?}"
        );
        // No DWARF structures at all.
        let e = layout(Builder::new(), &[], 0).err();
        assert!(
            matches!(&e, Some(Error::MissingDwarfField { what }) if what == "struct task_struct"),
            "{e:?}"
        );
    }

    #[test]
    fn pcpu_hot_kernel_from_the_variable_type_or_the_symbol() {
        let with_hot = |b: &mut Builder| {
            b.next_unit();
            let ulong = b.base("long unsigned int", 8);
            let hot = b.structure(Some("pcpu_hot"), 64);
            b.member(hot, "preempt_count", Builder::here(ulong), 0);
            b.member(hot, "current_task", Builder::here(ulong), 8);
            b.add(
                None,
                dw::DW_TAG_variable,
                vec![
                    Builder::name("pcpu_hot"),
                    (dw::DW_AT_type, W::UnitRef(hot)),
                    Builder::location(0x351c0),
                ],
            );
            b.add(
                None,
                dw::DW_TAG_variable,
                vec![Builder::name("this_cpu_off"), Builder::location(0x19a18)],
            );
        };
        // A minimal task_struct, and no standalone current_task: only pcpu_hot.
        let mut b2 = Builder::new();
        let int = b2.base("int", 4);
        let task = b2.structure(Some("task_struct"), 64);
        b2.member(task, "pid", Builder::here(int), 0);
        b2.member(task, "tgid", Builder::here(int), 4);
        let chr = b2.base("char", 1);
        let comm = b2.array(chr, (dw::DW_AT_count, 16));
        b2.member(task, "comm", Builder::here(comm), 8);
        with_hot(&mut b2);
        let (l, _) = layout(b2, &[], 0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            l.percpu.current_task_via,
            CurrentTaskVia::PcpuHot {
                var: 0x351c0,
                member: 8
            }
        );
        assert_eq!(
            (l.percpu.current_task, l.percpu.this_cpu_off),
            (0x351c8, 0x19a18)
        );
        // With a symbol table: the symbol's address and the struct found by name.
        let mut b3 = Builder::new();
        let int = b3.base("int", 4);
        let task = b3.structure(Some("task_struct"), 64);
        b3.member(task, "pid", Builder::here(int), 0);
        b3.member(task, "tgid", Builder::here(int), 4);
        b3.member(task, "comm", Builder::here(int), 8);
        with_hot(&mut b3);
        let syms = [("pcpu_hot", 0x36000), ("this_cpu_off", 0x19a18)];
        let (l, _) = layout(b3, &syms, 0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(l.percpu.current_task, 0x36008);
        assert_eq!(l.task.comm_len, 16);
    }

    fn elf(banner: Option<&str>, build_id: Option<&[u8]>) -> Vec<u8> {
        use object::write::Object as Obj;
        use object::{Architecture, BinaryFormat, Endianness, SectionKind};
        let mut o = Obj::new(BinaryFormat::Elf, Architecture::I386, Endianness::Little);
        if let Some(b) = banner {
            let s = o.add_section(Vec::new(), b".rodata".to_vec(), SectionKind::ReadOnlyData);
            let mut data = b"Linux version %s\0".to_vec();
            data.extend_from_slice(b.as_bytes());
            data.extend_from_slice(b"\n\0");
            o.append_section_data(s, &data, 1);
        }
        if let Some(id) = build_id {
            let s = o.add_section(Vec::new(), b".notes".to_vec(), SectionKind::Note);
            let mut note = Vec::new();
            for w in [4u32, id.len() as u32, 3] {
                note.extend_from_slice(&w.to_le_bytes());
            }
            note.extend_from_slice(b"GNU\0");
            note.extend_from_slice(id);
            while note.len() % 4 != 0 {
                note.push(0);
            }
            o.append_section_data(s, &note, 4);
        }
        o.write().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn debuginfo_matches_by_build_id_then_banner() {
        const B1: &str = "Linux version 6.1.0-50-686-pae (debian-kernel@lists.debian.org) #1 SMP";
        const B2: &str = "Linux version 6.1.0-51-686-pae (debian-kernel@lists.debian.org) #1 SMP";
        let ok = |a: &[u8], b: &[u8]| debuginfo_matches(a, b);
        assert!(
            ok(
                &elf(Some(B1), Some(&[1; 20])),
                &elf(Some(B1), Some(&[1; 20]))
            )
            .is_ok()
        );
        // The build-id decides when both have one, whatever the banners say.
        let e = ok(
            &elf(Some(B1), Some(&[1; 20])),
            &elf(Some(B1), Some(&[2; 20])),
        )
        .err();
        assert!(
            matches!(&e, Some(Error::DebuginfoMismatch { detail }) if detail.contains("0101") && detail.contains("0202")),
            "{e:?}"
        );
        assert!(ok(&elf(Some(B1), None), &elf(Some(B1), Some(&[2; 20]))).is_ok());
        let e = ok(&elf(Some(B1), None), &elf(Some(B2), None)).err();
        assert!(
            matches!(&e, Some(Error::DebuginfoMismatch { detail }) if detail.contains("6.1.0-51")),
            "{e:?}"
        );
        let e = ok(&elf(Some(B1), None), &elf(None, None)).err();
        assert!(
            matches!(&e, Some(Error::DebuginfoMismatch { detail }) if detail.contains("neither")),
            "{e:?}"
        );
        // Not an ELF debug file.
        let e = ok(&elf(Some(B1), None), b"MZ junk").err();
        assert!(matches!(e, Some(Error::NotAKernelImage { .. })), "{e:?}");
    }

    #[test]
    fn banner_is_the_first_real_version_line() {
        let b = b"xx Linux version %s\0Linux version 6.1.0-50-686-pae (x@y) #1 SMP\nrest";
        assert_eq!(
            find_banner(b).as_deref(),
            Some("Linux version 6.1.0-50-686-pae (x@y) #1 SMP")
        );
        assert_eq!(find_banner(b"Linux version "), None);
    }

    #[test]
    fn elf_without_dwarf_is_refused() {
        let e = KernelLayout::from_dwarf(&elf(Some("Linux version 6.1.0 x"), None)).err();
        assert!(matches!(e, Some(Error::NoDwarf)), "{e:?}");
        let e = KernelLayout::from_dwarf(b"\x7fELF junk").err();
        assert!(matches!(e, Some(Error::BadElf { .. })), "{e:?}");
    }
}

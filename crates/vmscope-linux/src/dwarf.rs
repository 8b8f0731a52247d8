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
//! relocates its `%fs:` references; checked on Debian's 686-pae guest, see guest/README.md).
//!
//! The reading itself is in `dwarf/scan.rs`; the tests build DWARF and ELF files with gimli's and object's
//! writers.

mod scan;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::Path;

use gimli::RunTimeEndian;
use object::{Object, ObjectSection, ObjectSymbol};

use scan::{Member, Reader, Record, Sections, Shape, scan};

use crate::btf::{
    CurrentTaskVia, KernelLayout, MAX_KERNEL_FILE_SIZE, MmStructLayout, PerCpuLayout,
    ProcessLayout, StateField, TaskStructLayout, VfsLayout, find_release,
};
use crate::error::Error;
use crate::kernel_image::vmlinux_from_image_cow;

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
    // The socket structures (`sock::SockLayout`, read through `VfsLayout::from_offsets`).
    "socket",
    "sock",
    "sock_common",
    "unix_sock",
    "unix_address",
    // The address-space structures (the memory module's VMA walk).
    "maple_tree",
    "maple_range_64",
    "maple_arange_64",
    "vm_area_struct",
    "vm_operations_struct",
    "vm_special_mapping",
    "anon_vma_name",
];

/// The per-CPU variables the layout reads.
const VARS: &[&str] = &["current_task", "this_cpu_off", "pcpu_hot"];

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
#[allow(unsafe_code, reason = "the crate's one mapping, justified below")]
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
    Ok((
        layout,
        VfsLayout::from_offsets(|st, field| found.records.get(st).and_then(|r| r.offset(field)))
            .map(|v| VfsLayout { pointer_size, ..v }),
    ))
}

/// The address-space layout (see [`crate::mm`]) from the records, like `btf.rs`'s; `None` when a
/// needed field is missing.
fn vma_layout(
    records: &HashMap<&'static str, Record>,
    pointer_size: u8,
) -> Option<crate::mm::VmaLayout> {
    use crate::mm::{VmaLayout, VmaTree};
    let off = |st: &str, field: &str| records.get(st).and_then(|r| r.offset(field));
    let array = |st: &str, field: &str| -> Option<(u64, u64)> {
        let m = records.get(st)?.get(field)?;
        match m.shape {
            Shape::Array(Some(n)) => Some((m.offset, n)),
            _ => None,
        }
    };
    // Linux 6.1+ (the maple tree); the list before it is not in this file's structure list.
    let tree = VmaTree::maple(off("mm_struct", "mm_mt")?, off, array)?;
    VmaLayout::from_offsets(tree, pointer_size, off)
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
        vma: vma_layout(records, pointer_size),
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

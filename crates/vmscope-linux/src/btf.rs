//! The kernel's own description of its structures: offsets vmscope needs, read from the `.BTF` section.
//!
//! Kernels built with `CONFIG_DEBUG_INFO_BTF=y` (Debian's are) carry BTF: every structure with its
//! members' offsets, and the `.data..percpu` DATASEC with the offset of every per-CPU variable. That is
//! enough to find the current task and read its identity without a symbol table or a profile, and KASLR
//! does not matter for per-CPU offsets.
//!
//! Mandatory fields (task pid, tgid, comm; where the current task pointer lives; `this_cpu_off`) make
//! [`KernelLayout::from_elf`] fail with [`Error::MissingField`]; the others are `Option`s, and
//! [`KernelLayout::missing`] lists the absent ones so callers can report a degraded mode.

use std::path::Path;

use btf_rs::{Btf, Struct, Type};
use object::{Object, ObjectSection};

use crate::error::Error;
use crate::kernel_image::vmlinux_from_image_cow;

/// The largest kernel file [`KernelLayout::from_kernel_file`] reads (2 GiB: a vmlinux with full DWARF is
/// about 1 GiB).
pub const MAX_KERNEL_FILE_SIZE: u64 = 2 << 30;

/// How deep anonymous structs/unions and typedef chains are followed.
const MAX_TYPE_DEPTH: u32 = 16;

/// Offsets, in bytes, of the `struct task_struct` members vmscope reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskStructLayout {
    /// `pid` (the thread id, `pid_t`).
    pub pid: u64,
    /// `tgid` (the process id, `pid_t`).
    pub tgid: u64,
    /// `comm` (`char[TASK_COMM_LEN]`).
    pub comm: u64,
    /// Length of `comm` (16).
    pub comm_len: u64,
    /// `mm` (`struct mm_struct *`, NULL for kernel threads).
    pub mm: Option<u64>,
    /// `tasks` (`struct list_head`, the list of all thread-group leaders).
    pub tasks: Option<u64>,
    /// `real_parent` (`struct task_struct *`).
    pub real_parent: Option<u64>,
    /// `group_leader` (`struct task_struct *`).
    pub group_leader: Option<u64>,
    /// `thread_group` (`struct list_head`; removed in 6.7, threads are then on `signal->thread_head`).
    pub thread_group: Option<u64>,
    /// `flags` (`unsigned int`, `PF_*`).
    pub flags: Option<u64>,
    /// `exit_code` (`int`).
    pub exit_code: Option<u64>,
    /// `exit_signal` (`int`).
    pub exit_signal: Option<u64>,
    /// The run state: `__state` (`unsigned int`, 5.14+) or `state` (`long`, before).
    pub state: Option<StateField>,
    /// `files` (`struct files_struct *`).
    pub files: Option<u64>,
    /// `fs` (`struct fs_struct *`).
    pub fs: Option<u64>,
}

/// Where and how wide the task's run state is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateField {
    /// Offset in `task_struct`.
    pub offset: u64,
    /// Size in bytes (4 for `__state`, 8 for the older `long state`).
    pub size: u8,
}

/// Offsets of the `struct mm_struct` members vmscope reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MmStructLayout {
    /// `pgd` (`pgd_t *`, a kernel virtual address of the top-level page table).
    pub pgd: Option<u64>,
}

/// How the current task pointer is found in the per-CPU area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CurrentTaskVia {
    /// Linux 6.2 to 6.14: the `current_task` member of the per-CPU `struct pcpu_hot pcpu_hot`.
    PcpuHot {
        /// Offset of the `pcpu_hot` variable in `.data..percpu`.
        var: u64,
        /// Offset of `current_task` in `struct pcpu_hot`.
        member: u64,
    },
    /// Before 6.2 and again from 6.15: the standalone per-CPU variable `current_task`.
    Standalone,
    /// No per-CPU variable: the architecture keeps `current` in a register while the kernel runs
    /// (arm64: `SP_EL0`; see `Arch::current_task`). [`PerCpuLayout::current_task`] and
    /// [`PerCpuLayout::this_cpu_off`] are then 0 and unused.
    Register,
}

/// Per-CPU variables vmscope reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerCpuLayout {
    /// Per-CPU offset of the current task pointer (`%gs:` relative, section address included).
    pub current_task: u64,
    /// How [`Self::current_task`] was found.
    pub current_task_via: CurrentTaskVia,
    /// Per-CPU offset of `this_cpu_off`, which holds the CPU's own per-CPU base.
    pub this_cpu_off: u64,
    /// Address of the `.data..percpu` section in the ELF (0 on x86_64's zero-based per-CPU layout); the
    /// offsets above include it.
    pub section_addr: u64,
}

/// Everything vmscope needs to know about one kernel build's structures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelLayout {
    /// The kernel release, like `6.12.95+deb12-amd64`, from the `Linux version` banner if found.
    pub release: Option<String>,
    /// `struct task_struct`.
    pub task: TaskStructLayout,
    /// `struct mm_struct`.
    pub mm: MmStructLayout,
    /// Per-CPU variables.
    pub percpu: PerCpuLayout,
    /// What the process monitor reads besides identity (command line, auxv, threads, program file).
    pub process: ProcessLayout,
    /// Optional fields the BTF did not have, named like `task_struct.thread_group`.
    pub missing: Vec<&'static str>,
    /// The address-space structures (VMA tree), when the BTF has them all.
    pub vma: Option<crate::mm::VmaLayout>,
    /// The size in bytes of a kernel pointer and of `unsigned long`: 8 on x86_64, 4 on i386 (from the
    /// ELF class). The walkers in `task`, `vfs` and `process` read 8-byte pointers so far.
    pub pointer_size: u8,
}

/// Offsets the process monitor reads (all optional: a kernel without one degrades that feature).
///
/// Threads of a process are found on `task_struct.thread_group` before Linux 6.7 and on
/// `signal_struct.thread_head` (linked through `task_struct.thread_node`) from 6.7 on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcessLayout {
    /// `mm_struct.arg_start` (`unsigned long`, user address of the first argument string).
    pub mm_arg_start: Option<u64>,
    /// `mm_struct.arg_end`.
    pub mm_arg_end: Option<u64>,
    /// `mm_struct.saved_auxv` (`unsigned long[]`, the auxiliary vector given to the program).
    pub mm_saved_auxv: Option<u64>,
    /// Number of `unsigned long`s in `saved_auxv`.
    pub mm_saved_auxv_len: u64,
    /// `mm_struct.exe_file` (`struct file *`, the running program).
    pub mm_exe_file: Option<u64>,
    /// `task_struct.signal` (`struct signal_struct *`).
    pub task_signal: Option<u64>,
    /// `task_struct.thread_node` (`struct list_head`, 6.7+).
    pub task_thread_node: Option<u64>,
    /// `signal_struct.thread_head` (`struct list_head`, 6.7+).
    pub signal_thread_head: Option<u64>,
}

impl KernelLayout {
    /// Reads a kernel file (an ELF vmlinux or a bzImage `vmlinuz`) and extracts the layout from its BTF.
    pub fn from_kernel_file(path: &Path) -> Result<Self, Error> {
        let io = |source| Error::Io {
            path: path.to_owned(),
            source,
        };
        let len = std::fs::metadata(path).map_err(io)?.len();
        if len > MAX_KERNEL_FILE_SIZE {
            return Err(Error::NotAKernelImage {
                reason: format!(
                    "{} is {len} bytes, more than the {MAX_KERNEL_FILE_SIZE}-byte limit",
                    path.display()
                ),
            });
        }
        let bytes = std::fs::read(path).map_err(io)?;
        Self::from_image(&bytes)
    }

    /// Like [`Self::from_kernel_file`], from the file's bytes.
    pub fn from_image(bytes: &[u8]) -> Result<Self, Error> {
        let (btf, section_addr, pointer_size, release) = btf_of_image(bytes)?;
        let mut layout = layout_from_btf(&btf, section_addr)?;
        layout.release = release;
        layout.pointer_size = pointer_size;
        if let Some(v) = &mut layout.vma {
            v.pointer_size = pointer_size;
        }
        Ok(layout)
    }

    /// Extracts the layout from an ELF vmlinux.
    pub fn from_elf(elf: &[u8]) -> Result<Self, Error> {
        let (btf, section_addr, pointer_size) = parse_btf(elf)?;
        let mut layout = layout_from_btf(&btf, section_addr)?;
        layout.release = find_release(elf);
        layout.pointer_size = pointer_size;
        if let Some(v) = &mut layout.vma {
            v.pointer_size = pointer_size;
        }
        Ok(layout)
    }

    /// The layout from a kernel's parsed BTF, without a file: `section_addr` is the link address of
    /// `.data..percpu` (0 on x86_64), `release` is left `None` for the caller to fill in (the BTF does
    /// not say it). For a BTF found in guest memory ([`crate::kernel_memory`]).
    pub fn from_btf(btf: &Btf, section_addr: u64) -> Result<Self, Error> {
        layout_from_btf(btf, section_addr)
    }

    /// Like [`Self::from_kernel_file`], with the VFS layout the file monitor needs from the same BTF
    /// (the `Err` of the second value names the fields the BTF lacks).
    pub fn from_kernel_file_with_vfs(
        path: &Path,
    ) -> Result<(Self, Result<VfsLayout, Vec<&'static str>>), Error> {
        let io = |source| Error::Io {
            path: path.to_owned(),
            source,
        };
        let len = std::fs::metadata(path).map_err(io)?.len();
        if len > MAX_KERNEL_FILE_SIZE {
            return Err(Error::NotAKernelImage {
                reason: format!(
                    "{} is {len} bytes, more than the {MAX_KERNEL_FILE_SIZE}-byte limit",
                    path.display()
                ),
            });
        }
        let bytes = std::fs::read(path).map_err(io)?;
        let (btf, section_addr, pointer_size, release) = btf_of_image(&bytes)?;
        let mut layout = layout_from_btf(&btf, section_addr)?;
        layout.release = release;
        layout.pointer_size = pointer_size;
        if let Some(v) = &mut layout.vma {
            v.pointer_size = pointer_size;
        }
        let vfs = VfsLayout::from_btf(&btf).map(|v| VfsLayout { pointer_size, ..v });
        Ok((layout, vfs))
    }
}

/// Offset of the magic `ARM\x64` in the header of an arm64 `Image`.
const ARM64_IMAGE_MAGIC_AT: usize = 56;

/// Whether `bytes` is an arm64 kernel `Image` (what Debian ships as arm64 `vmlinuz`: uncompressed,
/// no ELF headers, the `.BTF` section somewhere inside).
pub fn is_arm64_image(bytes: &[u8]) -> bool {
    bytes.get(ARM64_IMAGE_MAGIC_AT..ARM64_IMAGE_MAGIC_AT + 4) == Some(b"ARM\x64")
}

/// The BTF of a kernel file (ELF vmlinux, x86 bzImage or arm64 Image), the link address of
/// `.data..percpu` (0 where unknown or zero-based), the pointer size and the release.
fn btf_of_image(bytes: &[u8]) -> Result<(Btf, u64, u8, Option<String>), Error> {
    if is_arm64_image(bytes) {
        // No section table: the BTF is found by its header, checked like one found in guest memory.
        let btf = memchr::memmem::find_iter(bytes, &crate::btf_locate::BTF_NEEDLE)
            .take(4096)
            .find_map(|at| {
                let rest = &bytes[at..];
                let h = crate::btf_locate::check_header(rest, rest.len() as u64).ok()?;
                let blob = rest.get(..usize::try_from(h.total()).ok()?)?;
                crate::btf_locate::check_kernel_btf(blob).ok()
            })
            .ok_or(Error::NoBtf)?;
        return Ok((btf, 0, 8, find_release(bytes)));
    }
    let elf = vmlinux_from_image_cow(bytes)?;
    let (btf, section_addr, pointer_size) = parse_btf(&elf)?;
    Ok((btf, section_addr, pointer_size, find_release(&elf)))
}

/// The `.BTF` section of an ELF vmlinux, parsed, the link address of `.data..percpu` and the pointer size.
fn parse_btf(elf: &[u8]) -> Result<(Btf, u64, u8), Error> {
    let file = object::File::parse(elf).map_err(|e| Error::BadElf {
        detail: e.to_string(),
    })?;
    let btf_bytes = file
        .section_by_name(".BTF")
        .ok_or(Error::NoBtf)?
        .data()
        .map_err(|e| Error::BadElf {
            detail: format!(".BTF section: {e}"),
        })?;
    // Per-CPU offsets in BTF are relative to the section; `%gs:` uses the section's link address.
    let section_addr = file
        .section_by_name(".data..percpu")
        .map_or(0, |s| s.address());
    let btf = Btf::from_bytes(btf_bytes).map_err(|source| Error::Btf { source })?;
    Ok((btf, section_addr, if file.is_64() { 8 } else { 4 }))
}

/// Offsets of the VFS structures the file monitor reads to name what a descriptor or a current
/// directory is: `task_struct.files` → `files_struct.fdt` → `fdtable.fd[n]` → `file.f_path` →
/// `path.{mnt,dentry}` → `dentry.{d_parent,d_name}` up to the mount root, then `mount.mnt_mountpoint`
/// in the parent mount; `task_struct.fs` → `fs_struct.pwd` for the current directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VfsLayout {
    /// `task_struct.files` (`struct files_struct *`).
    pub task_files: u64,
    /// `task_struct.fs` (`struct fs_struct *`).
    pub task_fs: u64,
    /// `files_struct.fdt` (`struct fdtable *`).
    pub files_fdt: u64,
    /// `fdtable.max_fds` (`unsigned int`).
    pub fdt_max_fds: u64,
    /// `fdtable.fd` (`struct file **`).
    pub fdt_fd: u64,
    /// `file.f_path` (`struct path`).
    pub file_path: u64,
    /// `file.f_inode` (`struct inode *`).
    pub file_inode: u64,
    /// `path.mnt` (`struct vfsmount *`).
    pub path_mnt: u64,
    /// `path.dentry` (`struct dentry *`).
    pub path_dentry: u64,
    /// `dentry.d_parent`.
    pub dentry_parent: u64,
    /// `dentry.d_name` (`struct qstr`).
    pub dentry_name: u64,
    /// `dentry.d_sb` (`struct super_block *`).
    pub dentry_sb: u64,
    /// `qstr.len` (`u32`, inside an anonymous union).
    pub qstr_len: u64,
    /// `qstr.name` (`const unsigned char *`).
    pub qstr_name: u64,
    /// `mount.mnt` (the embedded `struct vfsmount`).
    pub mount_mnt: u64,
    /// `mount.mnt_parent` (`struct mount *`).
    pub mount_parent: u64,
    /// `mount.mnt_mountpoint` (`struct dentry *`).
    pub mount_mountpoint: u64,
    /// `vfsmount.mnt_root` (`struct dentry *`).
    pub vfsmount_root: u64,
    /// `inode.i_ino` (`unsigned long`).
    pub inode_ino: u64,
    /// `super_block.s_magic` (`unsigned long`).
    pub sb_magic: u64,
    /// `fs_struct.pwd` (`struct path`).
    pub fs_pwd: u64,
    /// The size of the kernel's pointers and `unsigned long` (8, or 4 on i386).
    pub pointer_size: u8,
    /// The socket structures, to say what a socket descriptor is (`None` when a field is missing:
    /// sockets are then named by inode only).
    pub sock: Option<crate::sock::SockLayout>,
}

impl VfsLayout {
    /// Reads the offsets from BTF; `Err` lists every field that is missing.
    pub fn from_btf(btf: &Btf) -> Result<Self, Vec<&'static str>> {
        Self::from_offsets(|st, field| {
            find_struct(btf, st)
                .and_then(|s| member(btf, &s, field))
                .map(|f| f.offset)
        })
    }

    /// The layout from `offset(struct, field)`, whatever describes the kernel (BTF, DWARF); the
    /// `struct.field` names `offset` had no answer for when any.
    pub(crate) fn from_offsets(
        mut offset: impl FnMut(&str, &str) -> Option<u64>,
    ) -> Result<Self, Vec<&'static str>> {
        let mut absent = Vec::new();
        let mut get = |st: &str, field: &str, full: &'static str| {
            let off = offset(st, field);
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
            pointer_size: 8,
            sock: None,
        };
        let l = VfsLayout {
            sock: crate::sock::SockLayout::from_offsets(&mut offset),
            ..l
        };
        if absent.is_empty() {
            Ok(l)
        } else {
            Err(absent)
        }
    }
}

/// The address-space layout (see [`crate::mm`]), `None` when the BTF lacks a needed field.
fn vma_layout(btf: &Btf) -> Option<crate::mm::VmaLayout> {
    use crate::mm::{VmaLayout, VmaTree};
    let off = |st: &str, field: &str| {
        find_struct(btf, st)
            .and_then(|s| member(btf, &s, field))
            .map(|f| f.offset)
    };
    let array = |st: &str, field: &str| -> Option<(u64, u64)> {
        let s = find_struct(btf, st)?;
        let f = member(btf, &s, field)?;
        match &f.ty {
            Type::Array(a) => Some((f.offset, a.len() as u64)),
            _ => None,
        }
    };
    let tree = match off("mm_struct", "mm_mt") {
        Some(mt) => VmaTree::maple(mt, off, array)?,
        None => VmaTree::List {
            head: off("mm_struct", "mmap")?,
            next: off("vm_area_struct", "vm_next")?,
        },
    };
    VmaLayout::from_offsets(tree, 8, off)
}

/// The release from the `Linux version 6.12.95+deb12-amd64 (...)` banner.
pub(crate) fn find_release(elf: &[u8]) -> Option<String> {
    const NEEDLE: &[u8] = b"Linux version ";
    memchr::memmem::find_iter(elf, NEEDLE)
        .take(16)
        .find_map(|at| {
            let rest = elf.get(at + NEEDLE.len()..)?;
            let rest = &rest[..rest.len().min(64)];
            let end = rest
                .iter()
                .position(|&b| b == b' ' || b == 0 || b == b'\n')?;
            let release = &rest[..end];
            (release.first().is_some_and(u8::is_ascii_digit)
                && release.iter().all(|b| b.is_ascii_graphic()))
            .then(|| String::from_utf8_lossy(release).into_owned())
        })
}

/// Finds the structure named `name` (not a forward declaration).
fn find_struct(btf: &Btf, name: &str) -> Option<Struct> {
    btf.resolve_types_by_name(name)
        .ok()?
        .into_iter()
        .find_map(|t| match t {
            Type::Struct(s) => Some(s),
            _ => None,
        })
}

/// Strips typedefs and qualifiers.
fn strip(btf: &Btf, mut ty: Type) -> Option<Type> {
    for _ in 0..MAX_TYPE_DEPTH {
        ty = match &ty {
            Type::Typedef(t) => btf.resolve_chained_type(t).ok()?,
            Type::Volatile(t) | Type::Const(t) | Type::Restrict(t) => {
                btf.resolve_chained_type(t).ok()?
            }
            Type::TypeTag(t) => btf.resolve_chained_type(t).ok()?,
            _ => return Some(ty),
        };
    }
    None
}

/// A member found in a structure: its byte offset and its type.
struct Found {
    offset: u64,
    ty: Type,
}

/// Finds member `name` of `st`, looking into anonymous structs and unions.
fn member(btf: &Btf, st: &Struct, name: &str) -> Option<Found> {
    member_at(btf, st, name, 0, 0)
}

fn member_at(btf: &Btf, st: &Struct, name: &str, base: u64, depth: u32) -> Option<Found> {
    if depth > MAX_TYPE_DEPTH {
        return None;
    }
    // Named members first, so an anonymous union never shadows a direct hit.
    let mut anonymous = Vec::new();
    for m in &st.members {
        let m_name = btf.resolve_name(m).unwrap_or_default();
        if m_name.is_empty() {
            anonymous.push(m);
            continue;
        }
        if m_name == name {
            // A bitfield or a member not on a byte boundary is of no use to a byte reader.
            if m.bit_offset() % 8 != 0 || m.bitfield_size().is_some_and(|s| s != 0) {
                return None;
            }
            let ty = strip(btf, btf.resolve_chained_type(m).ok()?)?;
            return Some(Found {
                offset: base + u64::from(m.bit_offset() / 8),
                ty,
            });
        }
    }
    for m in anonymous {
        if m.bit_offset() % 8 != 0 {
            continue;
        }
        let Some(ty) = btf.resolve_chained_type(m).ok().and_then(|t| strip(btf, t)) else {
            continue;
        };
        if let Type::Struct(inner) | Type::Union(inner) = &ty
            && let Some(f) = member_at(
                btf,
                inner,
                name,
                base + u64::from(m.bit_offset() / 8),
                depth + 1,
            )
        {
            return Some(f);
        }
    }
    None
}

/// The size in bytes of an integer-like type.
fn scalar_size(ty: &Type) -> Option<u8> {
    let size = match ty {
        Type::Int(i) => i.size(),
        Type::Enum(e) => e.size(),
        Type::Enum64(e) => e.size(),
        Type::Ptr(_) => 8,
        _ => return None,
    };
    u8::try_from(size).ok()
}

/// The per-CPU variables of interest, by name: offset in the section and type.
#[derive(Default)]
struct PerCpuVars {
    current_task: Option<u64>,
    pcpu_hot: Option<(u64, Type)>,
    this_cpu_off: Option<u64>,
}

fn percpu_vars(btf: &Btf) -> PerCpuVars {
    let mut vars = PerCpuVars::default();
    let Ok(secs) = btf.resolve_types_by_name(".data..percpu") else {
        return vars;
    };
    for sec in secs {
        let Type::Datasec(sec) = sec else { continue };
        for v in &sec.variables {
            let Ok(Type::Var(var)) = btf.resolve_chained_type(v) else {
                continue;
            };
            let Ok(name) = btf.resolve_name(&var) else {
                continue;
            };
            let offset = u64::from(v.offset());
            match name.as_str() {
                "current_task" => vars.current_task = Some(offset),
                "this_cpu_off" => vars.this_cpu_off = Some(offset),
                "pcpu_hot" => {
                    if let Some(ty) = btf
                        .resolve_chained_type(&var)
                        .ok()
                        .and_then(|t| strip(btf, t))
                    {
                        vars.pcpu_hot = Some((offset, ty));
                    }
                }
                _ => {}
            }
        }
    }
    vars
}

fn missing(what: &str) -> Error {
    Error::MissingField {
        what: what.to_owned(),
    }
}

fn layout_from_btf(btf: &Btf, section_addr: u64) -> Result<KernelLayout, Error> {
    let task = find_struct(btf, "task_struct").ok_or_else(|| missing("struct task_struct"))?;
    let mut absent = Vec::new();
    let mandatory = |name: &'static str, full: &str| {
        member(btf, &task, name)
            .map(|f| f.offset)
            .ok_or_else(|| missing(full))
    };
    let pid = mandatory("pid", "task_struct.pid")?;
    let tgid = mandatory("tgid", "task_struct.tgid")?;
    let comm = member(btf, &task, "comm").ok_or_else(|| missing("task_struct.comm"))?;
    let comm_len = match &comm.ty {
        Type::Array(a) => (a.len() as u64).min(16),
        _ => 16,
    };
    let mut optional = |name: &str, full: &'static str| {
        let off = member(btf, &task, name).map(|f| f.offset);
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
        let f = member(btf, &task, name)?;
        Some(StateField {
            offset: f.offset,
            size: scalar_size(&f.ty)?,
        })
    });
    if state.is_none() {
        absent.push("task_struct.__state");
    }

    let pgd = find_struct(btf, "mm_struct")
        .and_then(|mm| member(btf, &mm, "pgd"))
        .map(|f| f.offset);
    if pgd.is_none() {
        absent.push("mm_struct.pgd");
    }

    let process = process_layout(btf, &mut absent);

    let vars = percpu_vars(btf);
    let hot_member = |name: &str| {
        let (var, ty) = vars.pcpu_hot.as_ref()?;
        let Type::Struct(st) = ty else { return None };
        member(btf, st, name).map(|f| (*var, f.offset))
    };
    let (current_task, current_task_via) = match (vars.current_task, hot_member("current_task")) {
        (Some(off), _) => (off, CurrentTaskVia::Standalone),
        (None, Some((var, member))) => (var + member, CurrentTaskVia::PcpuHot { var, member }),
        // arm64 (its uapi `struct user_pt_regs`): `current` is SP_EL0 while in the kernel.
        (None, None) if find_struct(btf, "user_pt_regs").is_some() => (0, CurrentTaskVia::Register),
        (None, None) => {
            return Err(missing(
                "per-CPU variable current_task (nor pcpu_hot.current_task)",
            ));
        }
    };
    let this_cpu_off = match vars
        .this_cpu_off
        .or_else(|| hot_member("this_cpu_off").map(|(v, m)| v + m))
    {
        Some(off) => off,
        None if current_task_via == CurrentTaskVia::Register => 0,
        None => return Err(missing("per-CPU variable this_cpu_off")),
    };

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
            current_task: section_addr.wrapping_add(current_task),
            current_task_via,
            this_cpu_off: section_addr.wrapping_add(this_cpu_off),
            section_addr,
        },
        process,
        missing: absent,
        vma: vma_layout(btf),
        pointer_size: 8,
    })
}

/// The process monitor's offsets; fields every kernel should have are named in `absent` when missing
/// (the two ways of listing threads are not: each kernel has only one of them).
fn process_layout(btf: &Btf, absent: &mut Vec<&'static str>) -> ProcessLayout {
    let get = |st: &str, field: &str| {
        find_struct(btf, st)
            .and_then(|s| member(btf, &s, field))
            .map(|f| f.offset)
    };
    let mut required = |st: &str, field: &str, full: &'static str| {
        let off = get(st, field);
        if off.is_none() {
            absent.push(full);
        }
        off
    };
    let mm_arg_start = required("mm_struct", "arg_start", "mm_struct.arg_start");
    let mm_arg_end = required("mm_struct", "arg_end", "mm_struct.arg_end");
    let mm_exe_file = required("mm_struct", "exe_file", "mm_struct.exe_file");
    let task_signal = required("task_struct", "signal", "task_struct.signal");
    let auxv = find_struct(btf, "mm_struct").and_then(|s| member(btf, &s, "saved_auxv"));
    let (mm_saved_auxv, mm_saved_auxv_len) = match auxv {
        Some(Found {
            offset,
            ty: Type::Array(a),
        }) => (Some(offset), a.len() as u64),
        _ => {
            absent.push("mm_struct.saved_auxv");
            (None, 0)
        }
    };
    ProcessLayout {
        mm_arg_start,
        mm_arg_end,
        mm_saved_auxv,
        mm_saved_auxv_len,
        mm_exe_file,
        task_signal,
        task_thread_node: get("task_struct", "thread_node"),
        signal_thread_head: get("signal_struct", "thread_head"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a BTF blob by hand: types are added in order (ids from 1), strings interned.
    #[derive(Default)]
    struct BtfBuilder {
        types: Vec<u8>,
        strings: Vec<u8>,
        next_id: u32,
    }

    const INT: u32 = 1;
    const ARRAY: u32 = 3;
    const STRUCT: u32 = 4;
    const UNION: u32 = 5;
    const TYPEDEF: u32 = 8;
    const VAR: u32 = 14;
    const DATASEC: u32 = 15;

    impl BtfBuilder {
        fn new() -> Self {
            Self {
                strings: vec![0],
                next_id: 1,
                ..Self::default()
            }
        }
        fn s(&mut self, name: &str) -> u32 {
            if name.is_empty() {
                return 0;
            }
            let off = self.strings.len() as u32;
            self.strings.extend_from_slice(name.as_bytes());
            self.strings.push(0);
            off
        }
        fn words(&mut self, w: &[u32]) {
            for x in w {
                self.types.extend_from_slice(&x.to_le_bytes());
            }
        }
        fn head(&mut self, name: &str, kind: u32, vlen: u32, size_or_type: u32) -> u32 {
            let n = self.s(name);
            self.words(&[n, (kind << 24) | vlen, size_or_type]);
            self.next_id += 1;
            self.next_id - 1
        }
        fn int(&mut self, name: &str, size: u32) -> u32 {
            let id = self.head(name, INT, 0, size);
            self.words(&[size * 8]);
            id
        }
        fn array(&mut self, elem: u32, index: u32, n: u32) -> u32 {
            let id = self.head("", ARRAY, 0, 0);
            self.words(&[elem, index, n]);
            id
        }
        /// Members as (name, type, byte offset).
        fn record(
            &mut self,
            kind: u32,
            name: &str,
            size: u32,
            members: &[(&str, u32, u32)],
        ) -> u32 {
            let id = self.head(name, kind, members.len() as u32, size);
            for &(m, ty, off) in members {
                let n = self.s(m);
                self.words(&[n, ty, off * 8]);
            }
            id
        }
        fn var(&mut self, name: &str, ty: u32) -> u32 {
            let id = self.head(name, VAR, 0, ty);
            self.words(&[1]);
            id
        }
        fn datasec(&mut self, name: &str, vars: &[(u32, u32, u32)]) -> u32 {
            let id = self.head(name, DATASEC, vars.len() as u32, 0);
            for &(v, off, size) in vars {
                self.words(&[v, off, size]);
            }
            id
        }
        fn build(&self) -> Vec<u8> {
            let mut out = Vec::new();
            out.extend_from_slice(&0xeb9fu16.to_le_bytes());
            out.extend_from_slice(&[1, 0]);
            let (tl, sl) = (self.types.len() as u32, self.strings.len() as u32);
            for w in [24u32, 0, tl, tl, sl] {
                out.extend_from_slice(&w.to_le_bytes());
            }
            out.extend_from_slice(&self.types);
            out.extend_from_slice(&self.strings);
            out
        }
    }

    /// A kernel in the shape of 6.2..6.14: `pcpu_hot`, `__state`, members inside anonymous records.
    fn pcpu_hot_kernel(with_pid: bool) -> Vec<u8> {
        let mut b = BtfBuilder::new();
        let int = b.int("int", 4);
        let uint = b.int("unsigned int", 4);
        let long = b.int("long unsigned int", 8);
        let pid_t = b.head("pid_t", TYPEDEF, 0, int);
        let chr = b.int("char", 1);
        let comm = b.array(chr, int, 16);
        // `struct list_head` as two longs is enough here.
        let list = b.record(
            STRUCT,
            "list_head",
            16,
            &[("next", long, 0), ("prev", long, 8)],
        );
        // An anonymous struct inside an anonymous union, holding `tgid` and `comm`.
        let inner = b.record(STRUCT, "", 32, &[("tgid", pid_t, 4), ("comm", comm, 16)]);
        let anon = b.record(UNION, "", 32, &[("", inner, 0), ("other", long, 0)]);
        let mut members = vec![
            ("__state", uint, 24),
            ("tasks", list, 100),
            ("mm", long, 120),
            ("", anon, 200),
        ];
        if with_pid {
            members.push(("pid", pid_t, 196));
        }
        b.record(STRUCT, "task_struct", 512, &members);
        b.record(STRUCT, "mm_struct", 256, &[("pgd", long, 80)]);
        let hot = b.record(
            STRUCT,
            "pcpu_hot",
            64,
            &[("preempt_count", int, 0), ("current_task", long, 8)],
        );
        let v_hot = b.var("pcpu_hot", hot);
        let v_off = b.var("this_cpu_off", long);
        b.datasec(".data..percpu", &[(v_off, 0x1000, 8), (v_hot, 0x2000, 64)]);
        b.build()
    }

    fn parse(blob: &[u8]) -> Result<KernelLayout, Error> {
        let btf = Btf::from_bytes(blob).map_err(|source| Error::Btf { source })?;
        layout_from_btf(&btf, 0)
    }

    #[test]
    fn synthetic_pcpu_hot_kernel() {
        let l = parse(&pcpu_hot_kernel(true)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((l.task.pid, l.task.tgid, l.task.comm), (196, 204, 216));
        assert_eq!(l.task.comm_len, 16);
        assert_eq!(l.task.tasks, Some(100));
        assert_eq!(l.task.mm, Some(120));
        assert_eq!(
            l.task.state,
            Some(StateField {
                offset: 24,
                size: 4
            })
        );
        assert_eq!(l.mm.pgd, Some(80));
        assert_eq!(
            l.percpu.current_task_via,
            CurrentTaskVia::PcpuHot {
                var: 0x2000,
                member: 8
            }
        );
        assert_eq!(
            (l.percpu.current_task, l.percpu.this_cpu_off),
            (0x2008, 0x1000)
        );
        assert!(l.missing.contains(&"task_struct.real_parent"));
        assert!(l.missing.contains(&"task_struct.thread_group"));
        assert!(!l.missing.contains(&"task_struct.mm"));
    }

    #[test]
    fn synthetic_standalone_current_task_and_old_state() {
        let mut b = BtfBuilder::new();
        let int = b.int("int", 4);
        let long = b.int("long int", 8);
        let chr = b.int("char", 1);
        let comm = b.array(chr, int, 16);
        b.record(
            STRUCT,
            "task_struct",
            512,
            &[
                ("state", long, 16),
                ("pid", int, 40),
                ("tgid", int, 44),
                ("comm", comm, 48),
            ],
        );
        let ct = b.var("current_task", long);
        let off = b.var("this_cpu_off", long);
        b.datasec(".data..percpu", &[(ct, 0x1fb00, 8), (off, 0x1fb08, 8)]);
        let l = parse(&b.build()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(l.percpu.current_task_via, CurrentTaskVia::Standalone);
        assert_eq!(l.percpu.current_task, 0x1fb00);
        assert_eq!(l.task.state.map(|s| s.size), Some(8));
        // No mm_struct at all: degraded, not failed.
        assert!(l.missing.contains(&"mm_struct.pgd"));
    }

    #[test]
    fn synthetic_kernel_without_pid_names_the_missing_field() {
        let e = parse(&pcpu_hot_kernel(false)).err();
        assert!(
            matches!(&e, Some(Error::MissingField { what }) if what == "task_struct.pid"),
            "{e:?}"
        );
        // No per-CPU section: the current task cannot be found.
        let mut b = BtfBuilder::new();
        let int = b.int("int", 4);
        b.record(
            STRUCT,
            "task_struct",
            64,
            &[("pid", int, 0), ("tgid", int, 4), ("comm", int, 8)],
        );
        let e = parse(&b.build()).err();
        assert!(
            matches!(&e, Some(Error::MissingField { what }) if what.contains("current_task")),
            "{e:?}"
        );
    }

    #[test]
    fn release_is_taken_from_the_banner() {
        let mut img = vec![0u8; 100];
        img.extend_from_slice(b"Linux version %s\0");
        img.extend_from_slice(b"Linux version 6.12.95+deb12-amd64 (debian-kernel@lists) #1 SMP\n");
        assert_eq!(find_release(&img).as_deref(), Some("6.12.95+deb12-amd64"));
        assert_eq!(find_release(b"no banner here"), None);
    }

    #[test]
    fn non_elf_and_elf_without_btf_are_refused() {
        assert!(matches!(
            KernelLayout::from_elf(b"\x7fELFjunk"),
            Err(Error::BadElf { .. })
        ));
        assert!(matches!(
            KernelLayout::from_image(&[0x42; 4096]),
            Err(Error::NotAKernelImage { .. })
        ));
    }
}

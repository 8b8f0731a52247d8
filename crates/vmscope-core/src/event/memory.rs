//! The virtual-memory and application levels: address-space changes, address-space snapshots, and
//! the ELF images loaded in a process (published by the `memory` and `images` modules).

use serde::{Serialize, Serializer};

use super::ThreadCtx;

/// An address as the journal shows it: a `0x…` string.
fn hex<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("{v:#x}"))
}

fn hex_opt<S: Serializer>(v: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_str(&format!("{v:#x}")),
        None => s.serialize_none(),
    }
}

fn perms<S: Serializer>(p: &[u8; 4], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&String::from_utf8_lossy(p))
}

/// One region of an address space, as `/proc/PID/maps` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Region {
    /// First address.
    #[serde(serialize_with = "hex")]
    pub start: u64,
    /// One past the last.
    #[serde(serialize_with = "hex")]
    pub end: u64,
    /// `r-xp`, `rw-s`...
    #[serde(serialize_with = "perms")]
    pub perms: [u8; 4],
    /// Offset in the file (0 for anonymous memory).
    #[serde(serialize_with = "hex")]
    pub offset: u64,
    /// The file as the kernel names it, `[heap]`, `[stack]`, `[vdso]`, `[vvar]`; `None` for anonymous
    /// memory.
    pub path: Option<String>,
}

impl Region {
    /// Whether it maps a file (its offset means something): a path not in brackets.
    pub fn file_backed(&self) -> bool {
        self.path.as_deref().is_some_and(|p| !p.starts_with('['))
    }

    /// The part of it inside `[lo, hi)`, its offset moved along for a file; `None` when they do not
    /// overlap.
    pub fn clipped(&self, lo: u64, hi: u64) -> Option<Region> {
        let (start, end) = (self.start.max(lo), self.end.min(hi));
        (start < end).then(|| Region {
            start,
            end,
            perms: self.perms,
            offset: if self.file_backed() {
                self.offset.wrapping_add(start - self.start)
            } else {
                self.offset
            },
            path: self.path.clone(),
        })
    }

    /// Whether it can be written and executed at once.
    pub fn writable_and_executable(&self) -> bool {
        self.perms[1] == b'w' && self.perms[2] == b'x'
    }

    /// Whether it is executable.
    pub fn executable(&self) -> bool {
        self.perms[2] == b'x'
    }

    /// The `/proc/PID/maps` line of this region, without device and inode.
    pub fn maps_line(&self) -> String {
        format!(
            "{:08x}-{:08x} {} {:08x} {}",
            self.start,
            self.end,
            String::from_utf8_lossy(&self.perms),
            self.offset,
            self.path.as_deref().unwrap_or("")
        )
    }
}

/// What changed in an address space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MemoryOp {
    /// A region appeared (`mmap`, `shmat`).
    Map,
    /// A region went away (`munmap`, `shmdt`).
    Unmap,
    /// A region's permissions changed (`mprotect`).
    Protect,
    /// A region moved or changed size (`mremap`).
    Remap,
    /// The heap's end moved (`brk`).
    Brk,
}

impl MemoryOp {
    /// The journal's `op`.
    pub fn as_str(self) -> &'static str {
        match self {
            MemoryOp::Map => "map",
            MemoryOp::Unmap => "unmap",
            MemoryOp::Protect => "protect",
            MemoryOp::Remap => "remap",
            MemoryOp::Brk => "brk",
        }
    }
}

/// One change of a process's address space (`type: "memory"`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemoryEvent {
    /// Nanoseconds since tracing started (the call's entry).
    pub ts: u64,
    /// vCPU of the call.
    pub vcpu: u32,
    /// The thread whose call changed it.
    #[serde(flatten)]
    pub thread: ThreadCtx,
    /// What happened.
    pub op: MemoryOp,
    /// The region as it is now (for `unmap`, as it was).
    #[serde(flatten)]
    pub region: Region,
    /// For `remap`: where it was.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "hex_opt")]
    pub old_start: Option<u64>,
    /// For `remap`: where it ended.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "hex_opt")]
    pub old_end: Option<u64>,
    /// The call behind it.
    pub syscall: &'static str,
}

/// When an address space was listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MapsWhen {
    /// The first time the process was seen (it existed before tracing, or was forked since): its
    /// address space as found.
    FirstSeen,
    /// Right after a program started (a successful exec).
    Exec,
    /// When the process called `exit_group`, before its address space went away.
    Exit,
    /// When tracing stopped, for processes still alive.
    End,
}

impl MapsWhen {
    /// The journal's `when`.
    pub fn as_str(self) -> &'static str {
        match self {
            MapsWhen::FirstSeen => "first_seen",
            MapsWhen::Exec => "exec",
            MapsWhen::Exit => "exit",
            MapsWhen::End => "end",
        }
    }
}

/// Where a snapshot comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MapsSource {
    /// A walk of the kernel's VMA tree.
    Kernel,
    /// The module's model (the last walk kept current by the calls since), where the kernel could
    /// not be read (at the end of tracing, or an exit under page-table isolation).
    Model,
}

/// A process's whole address space at one moment (`type: "maps"`), as `/proc/PID/maps` would list
/// it (`[vsyscall]` left out).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapsSnapshot {
    /// Nanoseconds since tracing started.
    pub ts: u64,
    /// The process.
    pub pid: Option<u32>,
    /// Its command name.
    pub comm: Option<String>,
    /// When.
    pub when: MapsWhen,
    /// The program file (`/proc/PID/exe`), when read with the areas.
    pub exe: Option<String>,
    /// Where from.
    pub source: MapsSource,
    /// The regions, in address order.
    pub regions: Vec<Region>,
}

/// What an image is to its process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageKind {
    /// The program.
    Exe,
    /// The dynamic loader.
    Interpreter,
    /// A shared library.
    Library,
    /// The kernel's vDSO.
    Vdso,
}

impl ImageKind {
    /// The journal's `kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            ImageKind::Exe => "exe",
            ImageKind::Interpreter => "interpreter",
            ImageKind::Library => "library",
            ImageKind::Vdso => "vdso",
        }
    }
}

/// Whether an image came or went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageOp {
    /// Mapped in.
    Load,
    /// Unmapped.
    Unload,
}

/// An ELF image loaded in (or unloaded from) a process (`type: "image"`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImageEvent {
    /// Nanoseconds since tracing started.
    pub ts: u64,
    /// vCPU.
    pub vcpu: u32,
    /// The thread.
    #[serde(flatten)]
    pub thread: ThreadCtx,
    /// Load or unload.
    pub op: ImageOp,
    /// What it is.
    pub kind: ImageKind,
    /// The file as the maps name it (`[vdso]` for the vDSO).
    pub path: Option<String>,
    /// The lowest address of its mappings.
    #[serde(serialize_with = "hex")]
    pub base: u64,
    /// One past the highest address its loadable segments span (from its mappings when its headers
    /// could not be read).
    #[serde(serialize_with = "hex")]
    pub end: u64,
    /// What is added to the ELF file's addresses (0 for a fixed-address program); `None` when its
    /// headers could not be read.
    #[serde(serialize_with = "hex_opt")]
    pub load_bias: Option<u64>,
    /// `NT_GNU_BUILD_ID`, hex.
    pub build_id: Option<String>,
    /// `DT_SONAME`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub soname: Option<String>,
}

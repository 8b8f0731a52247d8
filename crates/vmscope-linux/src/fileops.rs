//! The Linux mapping for the file monitor: one decoded system call becomes OS-independent
//! [`FileCall`]s (open, read, dup, close, spawn...).
//!
//! Everything Linux-specific about files lives here: call names and argument positions for both ABIs,
//! flag bits (`O_CREAT`, `O_CLOEXEC`, `CLONE_FILES`...), the i386 multiplexers (`socketcall`, the old
//! `mmap`) and 64-bit offsets split over two registers. Paths, descriptor arrays and `iovec`s are read
//! from guest memory at the call's exit (the kernel has faulted them in by then); a read that fails
//! gives a `None` path, never a guess. The `files` module consumes the result without knowing the OS.

use std::sync::OnceLock;

use vmscope_core::event::{
    Abi, Buffer, CallEnd, FileCall, FileOp, Handle, HandleUse, NewHandles, ObjectKind, PathArg,
    PathBase, SyscallEvent, Target,
};
use vmscope_core::guest::GuestMemory;

use crate::syscalls::{ArgKind, errno_name, lookup};

/// The longest path read (the kernel's `PATH_MAX`).
pub const PATH_MAX: usize = 4096;
/// The most `iovec`s read for one `readv`/`writev` (the kernel's `UIO_MAXIOV` is 1024).
pub const MAX_IOVECS: u64 = 1024;

// Facts from /usr/include/asm-generic/fcntl.h, linux/sched.h, linux/net.h, asm-generic/mman-common.h.
const O_CREAT: u64 = 0o100;
const O_TMPFILE: u64 = 0o20_000_000;
const O_CLOEXEC: u64 = 0o2_000_000;
const AT_FDCWD: i32 = -100;
const AT_REMOVEDIR: u64 = 0x200;
const F_DUPFD: u64 = 0;
const F_SETFD: u64 = 2;
const F_DUPFD_CLOEXEC: u64 = 1030;
const FD_CLOEXEC: u64 = 1;
const CLOSE_RANGE_CLOEXEC: u64 = 1 << 2;
const CLONE_FS: u64 = 0x200;
const CLONE_FILES: u64 = 0x400;
const CLONE_THREAD: u64 = 0x1_0000;
const MAP_ANONYMOUS: u64 = 0x20;
const SYS_SOCKET: u64 = 1;
const SYS_ACCEPT: u64 = 5;
const SYS_SOCKETPAIR: u64 = 8;
const SYS_ACCEPT4: u64 = 18;

/// What one call means for the file monitor; empty for calls that touch no file or handle.
pub fn file_calls<M: GuestMemory + ?Sized>(ev: &SyscallEvent, mem: &mut M) -> Vec<FileCall> {
    let Some(desc) = lookup(ev.abi, ev.nr) else {
        return Vec::new();
    };
    // Calls that did not return are only meaningful when they end the thread.
    if ev.end != CallEnd::Returned {
        return match desc.name {
            "exit" | "exit_group" => vec![call(FileOp::Exit, None, None)],
            _ => Vec::new(),
        };
    }
    let mut c = Ctx { ev, mem };
    c.map(desc.name).unwrap_or_default()
}

/// Calls [`file_calls`] maps whose handles or relative paths a file monitor may have to name from the
/// kernel. Not `close`/`close_range` (a handle never seen closes unnamed), spawns, `exec` or exits; the
/// calls creating objects are in [`handle_use`] itself.
const NAMING_CALLS: &[&str] = &[
    "open",
    "openat",
    "openat2",
    "creat",
    "read",
    "write",
    "pread64",
    "pwrite64",
    "readv",
    "writev",
    "preadv",
    "pwritev",
    "preadv2",
    "pwritev2",
    "sendfile",
    "sendfile64",
    "lseek",
    "_llseek",
    "truncate",
    "truncate64",
    "ftruncate",
    "ftruncate64",
    "rename",
    "renameat",
    "renameat2",
    "link",
    "linkat",
    "symlink",
    "symlinkat",
    "unlink",
    "unlinkat",
    "rmdir",
    "mkdir",
    "mkdirat",
    "chmod",
    "fchmod",
    "fchmodat",
    "fchmodat2",
    "chown",
    "lchown",
    "chown32",
    "lchown32",
    "fchown",
    "fchown32",
    "fchownat",
    "mmap",
    "mmap2",
    "dup",
    "dup2",
    "dup3",
    "fcntl",
    "fcntl64",
    "chdir",
    "fchdir",
];

/// Calls creating handles whose names only the kernel knows (pipes, sockets, anonymous inodes).
const CREATING_CALLS: &[&str] = &[
    "pipe",
    "pipe2",
    "socketpair",
    "socket",
    "accept",
    "accept4",
    "eventfd",
    "eventfd2",
    "epoll_create",
    "epoll_create1",
    "timerfd_create",
    "inotify_init",
    "inotify_init1",
    "signalfd",
    "signalfd4",
    "socketcall",
];

/// How a call matters to naming handles ahead of its return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Uses {
    None,
    /// In [`NAMING_CALLS`].
    Names,
    /// In [`CREATING_CALLS`].
    Creates,
}

/// [`Uses`] of call `nr` of `abi`, from a table by number built once from the call names.
fn uses(abi: Abi, nr: u64) -> Uses {
    static BY_NR: OnceLock<[Vec<Uses>; 2]> = OnceLock::new();
    let tables = BY_NR.get_or_init(|| {
        [Abi::X86_64, Abi::I386].map(|abi| {
            (0..MAX_NR)
                .map(|nr| match lookup(abi, nr).map(|d| d.name) {
                    Some(n) if NAMING_CALLS.contains(&n) => Uses::Names,
                    Some(n) if CREATING_CALLS.contains(&n) => Uses::Creates,
                    _ => Uses::None,
                })
                .collect()
        })
    });
    let table = match abi {
        Abi::X86_64 => &tables[0],
        Abi::I386 => &tables[1],
    };
    usize::try_from(nr)
        .ok()
        .and_then(|i| table.get(i))
        .copied()
        .unwrap_or(Uses::None)
}

/// Whether call `nr` of `abi` may name or create handles a file monitor would ask the kernel about:
/// the cheap test (a table lookup by number) before [`handle_use`], which needs the arguments.
pub fn uses_handles(abi: Abi, nr: u64) -> bool {
    uses(abi, nr) != Uses::None
}

/// Call numbers above every table's.
const MAX_NR: u64 = 1024;

/// What call `nr` of `abi`, entering now with arguments `raw`, names and may create: the handles
/// whose names a file monitor may ask the kernel about at its return, known before it (see
/// [`HandleUse`]). `mem` is the caller's memory (for the i386 multiplexers' argument blocks).
pub fn handle_use<M: GuestMemory + ?Sized>(
    abi: Abi,
    nr: u64,
    raw: &[u64; 6],
    mem: &mut M,
) -> HandleUse {
    let class = uses(abi, nr);
    let Some(desc) = lookup(abi, nr).filter(|_| class != Uses::None) else {
        return HandleUse::default();
    };
    let word = |v: u64| match abi {
        Abi::X86_64 => v,
        Abi::I386 => v & 0xffff_ffff,
    };
    let created = match desc.name {
        _ if class != Uses::Creates => None,
        "pipe" | "pipe2" => Some(NewHandles::Pair(word(raw[0]))),
        "socketpair" => Some(NewHandles::Pair(word(raw[3]))),
        "socket" | "accept" | "accept4" | "eventfd" | "eventfd2" | "epoll_create"
        | "epoll_create1" | "timerfd_create" | "inotify_init" | "inotify_init1" => {
            Some(NewHandles::Returned)
        }
        "signalfd" | "signalfd4" if raw[0] as u32 as i32 == -1 => Some(NewHandles::Returned),
        "socketcall" => match word(raw[0]) {
            SYS_SOCKET | SYS_ACCEPT | SYS_ACCEPT4 => Some(NewHandles::Returned),
            SYS_SOCKETPAIR => mem
                .read_u32(word(raw[1]).wrapping_add(12))
                .map(|sv| NewHandles::Pair(u64::from(sv))),
            _ => None,
        },
        _ => None,
    };
    let mut u = HandleUse {
        created,
        ..HandleUse::default()
    };
    if class != Uses::Names {
        return u;
    }
    for (i, kind) in desc.args.iter().enumerate() {
        let v = raw.get(i).copied().unwrap_or(0) as u32 as i32;
        match kind {
            ArgKind::Fd | ArgKind::DirFd if v >= 0 => u.given.push(Handle::from(v)),
            ArgKind::DirFd if v == AT_FDCWD => u.cwd = true,
            ArgKind::Path | ArgKind::Str => u.cwd = true,
            _ => {}
        }
    }
    // The old i386 `mmap` passes its arguments in a block: the descriptor is the fifth word.
    if abi == Abi::I386
        && desc.name == "mmap"
        && let Some(fd) = mem.read_u32(word(raw[0]).wrapping_add(16))
        && (fd as i32) >= 0
    {
        u.given.push(Handle::from(fd as i32));
    }
    u
}

fn call(op: FileOp, flags: Option<String>, error: Option<String>) -> FileCall {
    FileCall { op, flags, error }
}

struct Ctx<'a, M: ?Sized> {
    ev: &'a SyscallEvent,
    mem: &'a mut M,
}

impl<M: GuestMemory + ?Sized> Ctx<'_, M> {
    fn raw(&self, i: usize) -> u64 {
        let v = self.ev.raw.get(i).copied().unwrap_or(0);
        match self.ev.abi {
            Abi::X86_64 => v,
            Abi::I386 => v & 0xffff_ffff,
        }
    }

    /// An `int` argument (descriptors, `AT_FDCWD`): the low 32 bits, signed.
    fn int(&self, i: usize) -> i32 {
        self.raw(i) as u32 as i32
    }

    /// A signed `long`/`off_t` argument.
    fn long(&self, i: usize) -> i64 {
        match self.ev.abi {
            Abi::X86_64 => self.raw(i) as i64,
            Abi::I386 => i64::from(self.raw(i) as u32 as i32),
        }
    }

    /// A 64-bit value the i386 ABI splits into (low, high) registers; one register on x86_64.
    fn pair(&self, lo: usize, hi: usize) -> i64 {
        match self.ev.abi {
            Abi::X86_64 => self.raw(lo) as i64,
            Abi::I386 => (self.raw(lo) | self.raw(hi) << 32) as i64,
        }
    }

    fn ptr_size(&self) -> u64 {
        match self.ev.abi {
            Abi::X86_64 => 8,
            Abi::I386 => 4,
        }
    }

    fn read_word(&mut self, addr: u64) -> Option<u64> {
        match self.ev.abi {
            Abi::X86_64 => self.mem.read_u64(addr),
            Abi::I386 => self.mem.read_u32(addr).map(u64::from),
        }
    }

    fn ret(&self) -> Option<i64> {
        self.ev.ret
    }

    /// The errno name when the call failed.
    fn error(&self) -> Option<String> {
        let r = self.ev.ret?;
        if (-4095..=-1).contains(&r) {
            let errno = (-r) as u32;
            Some(errno_name(errno).map_or_else(|| format!("errno {errno}"), |(n, _)| n.to_string()))
        } else {
            None
        }
    }

    /// The return value as a new handle, when the call succeeded.
    fn new_handle(&self) -> Option<Handle> {
        self.ret().filter(|&r| r >= 0)
    }

    fn ok(&self) -> bool {
        self.ret().is_some_and(|r| r >= 0)
    }

    /// Bytes moved, when the call succeeded.
    fn bytes(&self) -> Option<u64> {
        self.ret().and_then(|r| u64::try_from(r).ok())
    }

    fn rendered(&self, i: usize) -> Option<String> {
        self.ev.args.get(i).cloned()
    }

    fn path_str(&mut self, i: usize) -> Option<String> {
        let addr = self.raw(i);
        if addr == 0 {
            return None;
        }
        let (bytes, _) = self.mem.read_cstr(addr, PATH_MAX)?;
        Some(String::from_utf8_lossy(&bytes).into_owned())
    }

    fn path(&mut self, base: PathBase, i: usize) -> PathArg {
        PathArg {
            base,
            path: self.path_str(i),
        }
    }

    fn cwd_path(&mut self, i: usize) -> PathArg {
        self.path(PathBase::Cwd, i)
    }

    fn at_path(&mut self, dir: usize, i: usize) -> PathArg {
        let d = self.int(dir);
        let base = if d == AT_FDCWD {
            PathBase::Cwd
        } else {
            PathBase::Handle(i64::from(d))
        };
        self.path(base, i)
    }

    fn done(&self, op: FileOp, flags: Option<String>) -> Option<Vec<FileCall>> {
        Some(vec![call(op, flags, self.error())])
    }

    fn open(&self, at: PathArg, flags: u64, creat: bool) -> FileOp {
        FileOp::Open {
            at,
            create: creat || flags & O_CREAT != 0 || flags & O_TMPFILE == O_TMPFILE,
            cloexec: flags & O_CLOEXEC != 0,
            handle: self.new_handle(),
        }
    }

    /// Flags and mode as rendered (`O_WRONLY|O_CREAT, 0644`).
    fn flags_mode(&self, flags: usize, mode: usize, creating: bool) -> Option<String> {
        let f = self.rendered(flags)?;
        Some(match (creating, self.rendered(mode)) {
            (true, Some(m)) => format!("{f}, {m}"),
            _ => f,
        })
    }

    fn rw(&self, write: bool, buffers: Vec<Buffer>, offset: Option<i64>) -> FileOp {
        let handle = i64::from(self.int(0));
        let bytes = self.bytes();
        if write {
            FileOp::Write {
                handle,
                bytes,
                offset,
                buffers,
            }
        } else {
            FileOp::Read {
                handle,
                bytes,
                offset,
                buffers,
            }
        }
    }

    fn buf(&self, addr: usize, len: usize) -> Vec<Buffer> {
        vec![Buffer {
            addr: self.raw(addr),
            len: self.raw(len),
        }]
    }

    /// The `iovec` array at argument `at` with `count` entries, as far as it can be read.
    fn iovecs(&mut self, at: usize, count: usize) -> Vec<Buffer> {
        let base = self.raw(at);
        let n = self.raw(count).min(MAX_IOVECS);
        let w = self.ptr_size();
        let mut out = Vec::new();
        for k in 0..n {
            let e = base.wrapping_add(k * 2 * w);
            let (Some(addr), Some(len)) = (self.read_word(e), self.read_word(e.wrapping_add(w)))
            else {
                break;
            };
            out.push(Buffer { addr, len });
        }
        out
    }

    /// Two `int`s at argument `i` (`pipe`, `socketpair`), after a successful call.
    fn fd_pair(&mut self, addr: u64) -> Vec<Handle> {
        if !self.ok() {
            return Vec::new();
        }
        let mut b = [0u8; 8];
        if !self.mem.read(addr, &mut b) {
            return Vec::new();
        }
        vec![
            i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            i64::from(i32::from_le_bytes([b[4], b[5], b[6], b[7]])),
        ]
    }

    fn object(
        &self,
        handles: Vec<Handle>,
        kind: ObjectKind,
        cloexec: bool,
    ) -> Option<Vec<FileCall>> {
        self.done(
            FileOp::NewObject {
                handles,
                kind,
                cloexec,
            },
            None,
        )
    }

    fn spawn(&self, flags: u64) -> Option<Vec<FileCall>> {
        let tid = u32::try_from(self.new_handle().filter(|&t| t > 0)?).ok()?;
        let pid = if flags & CLONE_THREAD != 0 {
            self.ev.thread.pid?
        } else {
            tid
        };
        self.done(
            FileOp::Spawn {
                tid,
                pid,
                share_handles: flags & CLONE_FILES != 0,
                share_cwd: flags & CLONE_FS != 0,
            },
            None,
        )
    }

    fn socketcall(&mut self) -> Option<Vec<FileCall>> {
        let args = self.raw(1);
        let word = |c: &mut Self, k: u64| c.mem.read_u32(args.wrapping_add(4 * k)).map(u64::from);
        match self.raw(0) {
            SYS_SOCKET => {
                let ty = word(self, 1).unwrap_or(0);
                let h = self.new_handle().into_iter().collect();
                self.object(h, ObjectKind::Socket, ty & O_CLOEXEC != 0)
            }
            SYS_ACCEPT | SYS_ACCEPT4 => {
                let flags = if self.raw(0) == SYS_ACCEPT4 {
                    word(self, 3).unwrap_or(0)
                } else {
                    0
                };
                let h = self.new_handle().into_iter().collect();
                self.object(h, ObjectKind::Socket, flags & O_CLOEXEC != 0)
            }
            SYS_SOCKETPAIR => {
                let ty = word(self, 1).unwrap_or(0);
                let sv = word(self, 3)?;
                let h = self.fd_pair(sv);
                self.object(h, ObjectKind::Socket, ty & O_CLOEXEC != 0)
            }
            _ => None,
        }
    }

    fn map(&mut self, name: &str) -> Option<Vec<FileCall>> {
        let is32 = self.ev.abi == Abi::I386;
        match name {
            "open" => {
                let at = self.cwd_path(0);
                let flags = self.raw(1);
                let shown = self.flags_mode(1, 2, flags & O_CREAT != 0);
                let op = self.open(at, flags, false);
                self.done(op, shown)
            }
            "openat" => {
                let at = self.at_path(0, 1);
                let flags = self.raw(2);
                let shown = self.flags_mode(2, 3, flags & O_CREAT != 0);
                let op = self.open(at, flags, false);
                self.done(op, shown)
            }
            "openat2" => {
                let at = self.at_path(0, 1);
                // struct open_how { u64 flags; u64 mode; u64 resolve; }
                let flags = self.mem.read_u64(self.raw(2)).unwrap_or(0);
                // The decoder shows the struct as a pointer: nothing worth journaling as flags.
                let shown = None;
                let op = self.open(at, flags, false);
                self.done(op, shown)
            }
            "creat" => {
                let at = self.cwd_path(0);
                let shown = self.rendered(1);
                let op = self.open(at, 0, true);
                self.done(op, shown)
            }
            "read" => self.done(self.rw(false, self.buf(1, 2), None), None),
            "write" => self.done(self.rw(true, self.buf(1, 2), None), None),
            "pread64" => {
                let off = self.pair(3, 4);
                self.done(self.rw(false, self.buf(1, 2), Some(off)), None)
            }
            "pwrite64" => {
                let off = self.pair(3, 4);
                self.done(self.rw(true, self.buf(1, 2), Some(off)), None)
            }
            "readv" | "writev" => {
                let bufs = self.iovecs(1, 2);
                self.done(self.rw(name == "writev", bufs, None), None)
            }
            "preadv" | "pwritev" | "preadv2" | "pwritev2" => {
                let bufs = self.iovecs(1, 2);
                // pos_l and pos_h: the whole offset is in pos_l on 64-bit kernels.
                let off = self.pair(3, 4);
                let write = name.starts_with("pw");
                self.done(self.rw(write, bufs, Some(off)), None)
            }
            "sendfile" | "sendfile64" => {
                // Kernel-side copy: bytes go from in_fd to out_fd without a user buffer.
                let err = self.error();
                let bytes = self.bytes();
                Some(vec![
                    call(
                        FileOp::Read {
                            handle: i64::from(self.int(1)),
                            bytes,
                            offset: None,
                            buffers: Vec::new(),
                        },
                        None,
                        err.clone(),
                    ),
                    call(
                        FileOp::Write {
                            handle: i64::from(self.int(0)),
                            bytes,
                            offset: None,
                            buffers: Vec::new(),
                        },
                        None,
                        err,
                    ),
                ])
            }
            "lseek" => {
                let handle = i64::from(self.int(0));
                let offset = self.ok().then(|| self.ret()).flatten();
                self.done(FileOp::Seek { handle, offset }, self.rendered(2))
            }
            "_llseek" => {
                let handle = i64::from(self.int(0));
                let result = self.raw(3);
                let offset = if self.ok() {
                    self.mem.read_u64(result).map(|v| v as i64)
                } else {
                    None
                };
                // Omitted registers are not rendered: `whence` is the last argument shown.
                self.done(
                    FileOp::Seek { handle, offset },
                    self.ev.args.last().cloned(),
                )
            }
            "truncate" => {
                let target = Target::Path(self.cwd_path(0));
                let length = self.long(1);
                self.done(FileOp::Truncate { target, length }, None)
            }
            "truncate64" => {
                let target = Target::Path(self.cwd_path(0));
                let length = self.pair(1, 2);
                self.done(FileOp::Truncate { target, length }, None)
            }
            "ftruncate" => {
                let target = Target::Handle(i64::from(self.int(0)));
                let length = self.long(1);
                self.done(FileOp::Truncate { target, length }, None)
            }
            "ftruncate64" => {
                let target = Target::Handle(i64::from(self.int(0)));
                let length = self.pair(1, 2);
                self.done(FileOp::Truncate { target, length }, None)
            }
            "rename" => {
                let (from, to) = (self.cwd_path(0), self.cwd_path(1));
                self.done(FileOp::Rename { from, to }, None)
            }
            "renameat" | "renameat2" => {
                let (from, to) = (self.at_path(0, 1), self.at_path(2, 3));
                let shown = (name == "renameat2").then(|| self.rendered(4)).flatten();
                self.done(FileOp::Rename { from, to }, shown)
            }
            "link" => {
                let (from, to) = (self.cwd_path(0), self.cwd_path(1));
                self.done(FileOp::Link { from, to }, None)
            }
            "linkat" => {
                let (from, to) = (self.at_path(0, 1), self.at_path(2, 3));
                self.done(FileOp::Link { from, to }, self.rendered(4))
            }
            "symlink" => {
                let content = self.path_str(0);
                let link = self.cwd_path(1);
                self.done(FileOp::Symlink { content, link }, None)
            }
            "symlinkat" => {
                let content = self.path_str(0);
                let link = self.at_path(1, 2);
                self.done(FileOp::Symlink { content, link }, None)
            }
            "unlink" => {
                let at = self.cwd_path(0);
                self.done(FileOp::Unlink { at }, None)
            }
            "unlinkat" => {
                let at = self.at_path(0, 1);
                let op = if self.raw(2) & AT_REMOVEDIR != 0 {
                    FileOp::Rmdir { at }
                } else {
                    FileOp::Unlink { at }
                };
                self.done(op, self.rendered(2))
            }
            "rmdir" => {
                let at = self.cwd_path(0);
                self.done(FileOp::Rmdir { at }, None)
            }
            "mkdir" => {
                let at = self.cwd_path(0);
                self.done(FileOp::Mkdir { at }, self.rendered(1))
            }
            "mkdirat" => {
                let at = self.at_path(0, 1);
                self.done(FileOp::Mkdir { at }, self.rendered(2))
            }
            "chmod" => {
                let target = Target::Path(self.cwd_path(0));
                self.done(FileOp::Chmod { target }, self.rendered(1))
            }
            "fchmod" => {
                let target = Target::Handle(i64::from(self.int(0)));
                self.done(FileOp::Chmod { target }, self.rendered(1))
            }
            "fchmodat" | "fchmodat2" => {
                let target = Target::Path(self.at_path(0, 1));
                self.done(FileOp::Chmod { target }, self.rendered(2))
            }
            "chown" | "lchown" | "chown32" | "lchown32" => {
                let target = Target::Path(self.cwd_path(0));
                let shown = self.owner(1, 2);
                self.done(FileOp::Chown { target }, shown)
            }
            "fchown" | "fchown32" => {
                let target = Target::Handle(i64::from(self.int(0)));
                let shown = self.owner(1, 2);
                self.done(FileOp::Chown { target }, shown)
            }
            "fchownat" => {
                let target = Target::Path(self.at_path(0, 1));
                let shown = self.owner(2, 3);
                self.done(FileOp::Chown { target }, shown)
            }
            "mmap" if is32 => {
                // The old i386 mmap takes a pointer to six 32-bit words.
                let a = self.raw(0);
                let w = |c: &mut Self, k: u64| c.mem.read_u32(a.wrapping_add(4 * k)).map(u64::from);
                let (len, flags, fd, off) = (w(self, 1)?, w(self, 3)?, w(self, 4)?, w(self, 5)?);
                self.mmap(flags, fd as u32 as i32, off as u32 as i64, len)
            }
            "mmap" => {
                let off = self.raw(5) as i64;
                self.mmap(self.raw(3), self.int(4), off, self.raw(1))
            }
            "mmap2" => {
                let off = (self.raw(5) as i64).wrapping_mul(4096);
                self.mmap(self.raw(3), self.int(4), off, self.raw(1))
            }
            "dup" => {
                let old = i64::from(self.int(0));
                self.dup(old, false)
            }
            "dup2" => {
                let old = i64::from(self.int(0));
                self.dup(old, false)
            }
            "dup3" => {
                let old = i64::from(self.int(0));
                self.dup(old, self.raw(2) & O_CLOEXEC != 0)
            }
            "fcntl" | "fcntl64" => {
                let fd = i64::from(self.int(0));
                match self.raw(1) {
                    F_DUPFD => self.dup(fd, false),
                    F_DUPFD_CLOEXEC => self.dup(fd, true),
                    F_SETFD if self.ok() => self.done(
                        FileOp::SetCloexec {
                            handle: fd,
                            on: self.raw(2) & FD_CLOEXEC != 0,
                        },
                        None,
                    ),
                    _ => None,
                }
            }
            "close" => {
                let handle = i64::from(self.int(0));
                self.done(FileOp::Close { handle }, None)
            }
            "close_range" if self.ok() => {
                let first = i64::from(self.raw(0) as u32);
                let last = i64::from(self.raw(1) as u32);
                self.done(
                    FileOp::CloseRange {
                        first,
                        last,
                        cloexec_only: self.raw(2) & CLOSE_RANGE_CLOEXEC != 0,
                    },
                    self.rendered(2),
                )
            }
            "pipe" | "pipe2" if self.ok() => {
                let h = self.fd_pair(self.raw(0));
                let cloexec = name == "pipe2" && self.raw(1) & O_CLOEXEC != 0;
                self.object(h, ObjectKind::Pipe, cloexec)
            }
            "socket" if self.ok() => {
                let h = self.new_handle().into_iter().collect();
                self.object(h, ObjectKind::Socket, self.raw(1) & O_CLOEXEC != 0)
            }
            "socketpair" if self.ok() => {
                let h = self.fd_pair(self.raw(3));
                self.object(h, ObjectKind::Socket, self.raw(1) & O_CLOEXEC != 0)
            }
            "accept" | "accept4" if self.ok() => {
                let flags = if name == "accept4" { self.raw(3) } else { 0 };
                let h = self.new_handle().into_iter().collect();
                self.object(h, ObjectKind::Socket, flags & O_CLOEXEC != 0)
            }
            "socketcall" if self.ok() => self.socketcall(),
            "eventfd" | "eventfd2" | "epoll_create" | "epoll_create1" | "timerfd_create"
            | "inotify_init" | "inotify_init1" | "signalfd" | "signalfd4"
                if self.ok() =>
            {
                // signalfd on an existing descriptor returns that descriptor: nothing new.
                if name.starts_with("signalfd") && self.int(0) != -1 {
                    return None;
                }
                let (kind, flags) = match name {
                    "eventfd" => ("[eventfd]", 0),
                    "eventfd2" => ("[eventfd]", self.raw(1)),
                    "epoll_create" => ("[eventpoll]", 0),
                    "epoll_create1" => ("[eventpoll]", self.raw(0)),
                    "timerfd_create" => ("[timerfd]", self.raw(1)),
                    "inotify_init" => ("inotify", 0),
                    "inotify_init1" => ("inotify", self.raw(0)),
                    "signalfd" => ("[signalfd]", 0),
                    _ => ("[signalfd]", self.raw(3)),
                };
                let h = self.new_handle().into_iter().collect();
                self.object(h, ObjectKind::Anon(kind), flags & O_CLOEXEC != 0)
            }
            "chdir" => {
                let target = Target::Path(self.cwd_path(0));
                self.done(FileOp::Chdir { target }, None)
            }
            "fchdir" => {
                let target = Target::Handle(i64::from(self.int(0)));
                self.done(FileOp::Chdir { target }, None)
            }
            "fork" | "vfork" => self.spawn(0),
            "clone" => self.spawn(self.raw(0)),
            "clone3" => {
                // struct clone_args starts with `u64 flags`.
                let flags = self.mem.read_u64(self.raw(0))?;
                self.spawn(flags)
            }
            "execve" | "execveat" if self.ok() => self.done(FileOp::Exec, None),
            _ => None,
        }
    }

    fn owner(&self, user: usize, group: usize) -> Option<String> {
        Some(format!(
            "{}, {}",
            self.rendered(user)?,
            self.rendered(group)?
        ))
    }

    fn mmap(&self, flags: u64, fd: i32, offset: i64, length: u64) -> Option<Vec<FileCall>> {
        if flags & MAP_ANONYMOUS != 0 || fd < 0 {
            return None;
        }
        let shown = self
            .rendered(3)
            .filter(|_| self.ev.abi == Abi::X86_64 || self.ev.name == "mmap2");
        self.done(
            FileOp::Mmap {
                handle: i64::from(fd),
                offset,
                length,
            },
            shown,
        )
    }

    fn dup(&self, old: Handle, cloexec: bool) -> Option<Vec<FileCall>> {
        self.done(
            FileOp::Dup {
                old,
                new: self.new_handle(),
                cloexec,
            },
            None,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vmscope_core::arch::EntryKind;
    use vmscope_core::event::ThreadCtx;
    use vmscope_core::guest::TestGuest;

    fn ev(abi: Abi, nr: u64, raw: [u64; 6], ret: i64) -> SyscallEvent {
        SyscallEvent {
            ts: 0,
            ts_exit: Some(1),
            vcpu: 0,
            thread: ThreadCtx {
                pid: Some(7),
                tid: Some(7),
                ..ThreadCtx::default()
            },
            abi,
            entry: EntryKind::Syscall,
            nr,
            name: Default::default(),
            args: vec![],
            raw: {
                let mut r = [0u64; 6];
                r[..raw.len().min(6)].copy_from_slice(&raw[..raw.len().min(6)]);
                r
            },
            ret: Some(ret),
            ret_text: Default::default(),
            end: CallEnd::Returned,
        }
    }

    #[test]
    fn handles_a_call_will_ask_about_are_known_at_its_entry() {
        let mut g = TestGuest::new();
        // read(3, ...), write(1, ...): the descriptor; close names nothing.
        let u = handle_use(Abi::X86_64, 0, &[3, 0x1000, 16, 0, 0, 0], &mut g);
        assert_eq!((u.given, u.cwd, u.created), (vec![3], false, None));
        assert!(handle_use(Abi::X86_64, 3, &[3, 0, 0, 0, 0, 0], &mut g).is_empty());
        // openat(AT_FDCWD, "x", ...) may be relative to the working directory; openat(5, ...) to 5.
        let u = handle_use(Abi::X86_64, 257, &[0xffff_ff9c, 0x1000, 0, 0, 0, 0], &mut g);
        assert_eq!((u.given.as_slice(), u.cwd), (&[][..], true));
        let u = handle_use(Abi::X86_64, 257, &[5, 0x1000, 0, 0, 0, 0], &mut g);
        assert_eq!((u.given.as_slice(), u.cwd), (&[5][..], true));
        // pipe2(fds, 0) writes two new descriptors; socket returns one.
        let u = handle_use(Abi::X86_64, 293, &[0x2000, 0, 0, 0, 0, 0], &mut g);
        assert_eq!(u.created, Some(NewHandles::Pair(0x2000)));
        let u = handle_use(Abi::X86_64, 41, &[1, 1, 0, 0, 0, 0], &mut g);
        assert_eq!(u.created, Some(NewHandles::Returned));
        // i386 socketcall(SYS_SOCKETPAIR, args): the pair's address is in the argument block.
        g.write_u32(0x3000 + 12, 0x4000);
        let u = handle_use(Abi::I386, 102, &[8, 0x3000, 0, 0, 0, 0], &mut g);
        assert_eq!(u.created, Some(NewHandles::Pair(0x4000)));
        // The old i386 mmap(struct *): its descriptor is read from the block.
        g.write_u32(0x5000 + 16, 7);
        let u = handle_use(Abi::I386, 90, &[0x5000, 0, 0, 0, 0, 0], &mut g);
        assert_eq!(u.given, vec![7]);
        // Unknown numbers, unreadable blocks and calls that touch no file: nothing, never a panic.
        assert!(handle_use(Abi::X86_64, 100_000, &[0; 6], &mut g).is_empty());
        assert!(handle_use(Abi::I386, 90, &[0xdead_0000, 0, 0, 0, 0, 0], &mut g).is_empty());
        assert!(handle_use(Abi::X86_64, 39, &[0; 6], &mut g).is_empty());
        // The cheap test by number agrees.
        assert!(uses_handles(Abi::X86_64, 0) && uses_handles(Abi::I386, 102));
        assert!(!uses_handles(Abi::X86_64, 39) && !uses_handles(Abi::X86_64, 3));
        assert!(!uses_handles(Abi::I386, u64::MAX));
    }

    #[test]
    fn every_call_that_names_a_handle_is_known_at_entry() {
        // Any call `file_calls` turns into an operation on a given handle or a relative path must
        // be in `handle_use`'s list (the list is kept by hand beside `map`).
        let mut g = TestGuest::new();
        g.write(0x1000, b"rel/name\0");
        for abi in [Abi::X86_64, Abi::I386] {
            for nr in 0..1024u64 {
                let Some(desc) = lookup(abi, nr) else {
                    continue;
                };
                let raw = [3, 0x1000, 0x1000, 3, 3, 0];
                let mut e = ev(abi, nr, raw, 3);
                e.name = desc.name.into();
                let named = |at: &PathArg| at.path.is_some();
                let target = |t: &Target| match t {
                    Target::Handle(h) => *h == 3,
                    Target::Path(at) => named(at),
                };
                let uses = file_calls(&e, &mut g).iter().any(|c| match &c.op {
                    FileOp::Read { handle, .. }
                    | FileOp::Write { handle, .. }
                    | FileOp::Seek { handle, .. }
                    | FileOp::SetCloexec { handle, .. }
                    | FileOp::Mmap { handle, .. } => *handle == 3,
                    FileOp::Dup { old, .. } => *old == 3,
                    FileOp::Open { at, .. }
                    | FileOp::Unlink { at }
                    | FileOp::Mkdir { at }
                    | FileOp::Rmdir { at } => named(at),
                    FileOp::Rename { from, to } | FileOp::Link { from, to } => {
                        named(from) || named(to)
                    }
                    FileOp::Symlink { link, .. } => named(link),
                    FileOp::Truncate { target: t, .. }
                    | FileOp::Chmod { target: t }
                    | FileOp::Chown { target: t }
                    | FileOp::Chdir { target: t } => target(t),
                    _ => false,
                });
                if uses {
                    assert!(
                        !handle_use(abi, nr, &raw, &mut g).is_empty(),
                        "{abi:?} {} names a handle or path but handle_use says nothing",
                        desc.name
                    );
                }
            }
        }
    }

    #[test]
    fn openat_relative_to_a_directory_with_cloexec() {
        let mut g = TestGuest::new();
        g.write(0x1000, b"sub/f\0");
        // openat(5, "sub/f", O_RDONLY|O_CLOEXEC) = 6 on x86_64 (257).
        let c = file_calls(
            &ev(Abi::X86_64, 257, [5, 0x1000, O_CLOEXEC, 0, 0, 0], 6),
            &mut g,
        );
        assert_eq!(
            c[0].op,
            FileOp::Open {
                at: PathArg {
                    base: PathBase::Handle(5),
                    path: Some("sub/f".into())
                },
                create: false,
                cloexec: true,
                handle: Some(6)
            }
        );
        // AT_FDCWD as the 32-bit value user space passes; a failed call carries its errno name.
        let c = file_calls(
            &ev(
                Abi::X86_64,
                257,
                [0xffff_ff9c, 0x1000, O_CREAT, 0o600, 0, 0],
                -13,
            ),
            &mut g,
        );
        let FileOp::Open {
            at, create, handle, ..
        } = &c[0].op
        else {
            panic!()
        };
        assert_eq!((&at.base, *create, *handle), (&PathBase::Cwd, true, None));
        assert_eq!(c[0].error.as_deref(), Some("EACCES"));
    }

    #[test]
    fn i386_offsets_pairs_and_multiplexers() {
        let mut g = TestGuest::new();
        // pread64(3, buf, 4, lo, hi) on i386 (180): the offset spans two registers.
        let c = file_calls(&ev(Abi::I386, 180, [3, 0x2000, 4, 0x10, 0x1, 0], 4), &mut g);
        let FileOp::Read { offset, bytes, .. } = &c[0].op else {
            panic!()
        };
        assert_eq!((*offset, *bytes), (Some(0x1_0000_0010), Some(4)));
        // socketcall(SYS_SOCKETPAIR, args) (102): the pair is read from the args block.
        g.write_u32(0x3000, 1)
            .write_u32(0x3004, 1 | O_CLOEXEC as u32);
        g.write_u32(0x3008, 0).write_u32(0x300c, 0x4000);
        g.write(0x4000, &[8, 0, 0, 0, 9, 0, 0, 0]);
        let c = file_calls(&ev(Abi::I386, 102, [8, 0x3000, 0, 0, 0, 0], 0), &mut g);
        assert_eq!(
            c[0].op,
            FileOp::NewObject {
                handles: vec![8, 9],
                kind: ObjectKind::Socket,
                cloexec: true
            }
        );
        // clone with CLONE_THREAD|CLONE_FILES (120) makes a thread sharing the table.
        let flags = CLONE_THREAD | CLONE_FILES | CLONE_FS;
        let c = file_calls(&ev(Abi::I386, 120, [flags, 0, 0, 0, 0, 0], 99), &mut g);
        assert_eq!(
            c[0].op,
            FileOp::Spawn {
                tid: 99,
                pid: 7,
                share_handles: true,
                share_cwd: true
            }
        );
        // An anonymous mmap2 is no file operation; an unreadable path is None, not a guess.
        assert!(
            file_calls(
                &ev(Abi::I386, 192, [0, 4096, 1, 0x22, u64::MAX, 0], 0x1000),
                &mut g
            )
            .is_empty()
        );
        let c = file_calls(&ev(Abi::I386, 10, [0xdead_0000, 0, 0, 0, 0, 0], -2), &mut g);
        assert_eq!(
            c[0].op,
            FileOp::Unlink {
                at: PathArg {
                    base: PathBase::Cwd,
                    path: None
                }
            }
        );
    }
}

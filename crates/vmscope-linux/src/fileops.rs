//! The Linux mapping for the file monitor: one system call becomes OS-independent [`FileCall`]s
//! (open, read, dup, close, spawn...).
//!
//! Everything Linux-specific about files lives here, as one table ([`shape`]): for each [`Call`],
//! which arguments hold the descriptor, the path, the directory it is relative to, the buffers, the
//! flags shown, and what the call creates. Both questions a file monitor asks are answered from that
//! table: at a call's entry, which handles and paths it names and which it creates ([`handle_use`]),
//! and at its return, what it did ([`file_calls`]). Paths, descriptor arrays and `iovec`s come from
//! the memory the syscall decoder already captured for the event, read again from the guest only for
//! what the decoder did not need; a read that fails gives a `None` path, never a guess. The `files`
//! module consumes the result without knowing the OS.

use vmscope_core::arch::Arch;
use vmscope_core::event::{
    Abi, ArgsText, Buffer, CallEnd, FileCall, FileOp, Handle, HandleUse, NewHandles, ObjectKind,
    PathArg, PathBase, SyscallEvent, Target,
};
use vmscope_core::guest::{GuestCpu, GuestMemory};

use crate::syscalls::{ArgKind, Call, Errno, EventMemory, lookup, render_args};
use crate::uapi::{fs, mm, net, process as pr};

/// The longest path read (the kernel's `PATH_MAX`).
pub const PATH_MAX: usize = 4096;
/// The most `iovec`s read for one `readv`/`writev` (the kernel's `UIO_MAXIOV` is 1024).
pub const MAX_IOVECS: u64 = 1024;

/// An argument's position.
type A = u8;

/// Where a path argument is, and what it is relative to.
#[derive(Debug, Clone, Copy)]
enum P {
    /// Relative to the working directory.
    Cwd(A),
    /// Relative to the directory descriptor in the first position (`AT_FDCWD`: the working
    /// directory).
    At(A, A),
}

/// What an operation applies to.
#[derive(Debug, Clone, Copy)]
enum T {
    Path(P),
    Fd(A),
}

/// A 64-bit length or offset: one register, or (i386) a low and a high register.
#[derive(Debug, Clone, Copy)]
enum L {
    Long(A),
    Pair(A, A),
}

/// Where a read or write moves its bytes.
#[derive(Debug, Clone, Copy)]
enum Bufs {
    /// An address and a length.
    One(A, A),
    /// An `iovec` array and its count.
    Iov(A, A),
}

/// How a call makes new threads: the flags of `fork` (none), `clone` (an argument), `clone3` (the
/// first word of `struct clone_args`).
#[derive(Debug, Clone, Copy)]
enum SpawnFlags {
    None,
    Arg(A),
    Clone3,
}

/// What a call does to files, and where its arguments are.
#[derive(Debug, Clone, Copy)]
enum Shape {
    Open {
        at: P,
        flags: A,
        mode: A,
    },
    Creat {
        at: P,
        mode: A,
    },
    Openat2 {
        at: P,
        how: A,
    },
    Rw {
        write: bool,
        fd: A,
        bufs: Bufs,
        offset: Option<L>,
    },
    Sendfile,
    Seek {
        fd: A,
        whence: A,
    },
    Llseek,
    Truncate {
        target: T,
        length: L,
    },
    Rename {
        from: P,
        to: P,
        flags: Option<A>,
    },
    Link {
        from: P,
        to: P,
        flags: Option<A>,
    },
    Symlink {
        content: A,
        link: P,
    },
    Unlink {
        at: P,
        flags: Option<A>,
    },
    Rmdir {
        at: P,
    },
    Mkdir {
        at: P,
        mode: A,
    },
    Chmod {
        target: T,
        mode: A,
    },
    Chown {
        target: T,
        user: A,
    },
    Mmap {
        pages: bool,
    },
    OldMmap,
    Dup {
        flags: Option<A>,
    },
    Fcntl,
    Close,
    CloseRange,
    Pipe {
        fds: A,
        flags: Option<A>,
    },
    Socket,
    Socketpair,
    Accept {
        flags: Option<A>,
    },
    Anon {
        kind: &'static str,
        flags: Option<A>,
    },
    Signalfd {
        flags: Option<A>,
    },
    Chdir {
        target: T,
    },
    Spawn {
        flags: SpawnFlags,
    },
    Exec,
    Exit,
}

/// The file shape of call `c` in `abi`; `None` for calls that touch no file or handle.
fn shape(abi: Abi, c: Call) -> Option<Shape> {
    use Call as C;
    use Shape::*;
    let i386 = abi == Abi::I386;
    // pread64/pwrite64/truncate64/ftruncate64: a 64-bit value in two registers on i386.
    let pair = |lo: A, hi: A| if i386 { L::Pair(lo, hi) } else { L::Long(lo) };
    Some(match c {
        C::Open => Open {
            at: P::Cwd(0),
            flags: 1,
            mode: 2,
        },
        C::Openat => Open {
            at: P::At(0, 1),
            flags: 2,
            mode: 3,
        },
        C::Openat2 => Openat2 {
            at: P::At(0, 1),
            how: 2,
        },
        C::Creat => Creat {
            at: P::Cwd(0),
            mode: 1,
        },
        C::Read | C::Write => Rw {
            write: c == C::Write,
            fd: 0,
            bufs: Bufs::One(1, 2),
            offset: None,
        },
        C::Pread64 | C::Pwrite64 => Rw {
            write: c == C::Pwrite64,
            fd: 0,
            bufs: Bufs::One(1, 2),
            offset: Some(pair(3, 4)),
        },
        C::Readv | C::Writev => Rw {
            write: c == C::Writev,
            fd: 0,
            bufs: Bufs::Iov(1, 2),
            offset: None,
        },
        // pos_l and pos_h: the whole offset is in pos_l on 64-bit kernels.
        C::Preadv | C::Pwritev | C::Preadv2 | C::Pwritev2 => Rw {
            write: matches!(c, C::Pwritev | C::Pwritev2),
            fd: 0,
            bufs: Bufs::Iov(1, 2),
            offset: Some(pair(3, 4)),
        },
        C::Sendfile | C::Sendfile64 => Sendfile,
        C::Lseek => Seek { fd: 0, whence: 2 },
        C::Llseek => Llseek,
        C::Truncate => Truncate {
            target: T::Path(P::Cwd(0)),
            length: L::Long(1),
        },
        C::Truncate64 => Truncate {
            target: T::Path(P::Cwd(0)),
            length: pair(1, 2),
        },
        C::Ftruncate => Truncate {
            target: T::Fd(0),
            length: L::Long(1),
        },
        C::Ftruncate64 => Truncate {
            target: T::Fd(0),
            length: pair(1, 2),
        },
        C::Rename => Rename {
            from: P::Cwd(0),
            to: P::Cwd(1),
            flags: None,
        },
        C::Renameat => Rename {
            from: P::At(0, 1),
            to: P::At(2, 3),
            flags: None,
        },
        C::Renameat2 => Rename {
            from: P::At(0, 1),
            to: P::At(2, 3),
            flags: Some(4),
        },
        C::Link => Link {
            from: P::Cwd(0),
            to: P::Cwd(1),
            flags: None,
        },
        C::Linkat => Link {
            from: P::At(0, 1),
            to: P::At(2, 3),
            flags: Some(4),
        },
        C::Symlink => Symlink {
            content: 0,
            link: P::Cwd(1),
        },
        C::Symlinkat => Symlink {
            content: 0,
            link: P::At(1, 2),
        },
        C::Unlink => Unlink {
            at: P::Cwd(0),
            flags: None,
        },
        C::Unlinkat => Unlink {
            at: P::At(0, 1),
            flags: Some(2),
        },
        C::Rmdir => Rmdir { at: P::Cwd(0) },
        C::Mkdir => Mkdir {
            at: P::Cwd(0),
            mode: 1,
        },
        C::Mkdirat => Mkdir {
            at: P::At(0, 1),
            mode: 2,
        },
        C::Chmod => Chmod {
            target: T::Path(P::Cwd(0)),
            mode: 1,
        },
        C::Fchmod => Chmod {
            target: T::Fd(0),
            mode: 1,
        },
        C::Fchmodat => Chmod {
            target: T::Path(P::At(0, 1)),
            mode: 2,
        },
        C::Chown | C::Lchown | C::Chown32 | C::Lchown32 => Chown {
            target: T::Path(P::Cwd(0)),
            user: 1,
        },
        C::Fchown | C::Fchown32 => Chown {
            target: T::Fd(0),
            user: 1,
        },
        C::Fchownat => Chown {
            target: T::Path(P::At(0, 1)),
            user: 2,
        },
        // The old i386 mmap takes a pointer to six 32-bit words.
        C::Mmap if i386 => OldMmap,
        C::Mmap => Mmap { pages: false },
        C::Mmap2 => Mmap { pages: true },
        C::Dup | C::Dup2 => Dup { flags: None },
        C::Dup3 => Dup { flags: Some(2) },
        C::Fcntl | C::Fcntl64 => Fcntl,
        C::Close => Close,
        C::CloseRange => CloseRange,
        C::Pipe => Pipe {
            fds: 0,
            flags: None,
        },
        C::Pipe2 => Pipe {
            fds: 0,
            flags: Some(1),
        },
        C::Socket => Socket,
        C::Socketpair => Socketpair,
        C::Accept => Accept { flags: None },
        C::Accept4 => Accept { flags: Some(3) },
        C::Eventfd => Anon {
            kind: "[eventfd]",
            flags: None,
        },
        C::Eventfd2 => Anon {
            kind: "[eventfd]",
            flags: Some(1),
        },
        C::EpollCreate => Anon {
            kind: "[eventpoll]",
            flags: None,
        },
        C::EpollCreate1 => Anon {
            kind: "[eventpoll]",
            flags: Some(0),
        },
        C::TimerfdCreate => Anon {
            kind: "[timerfd]",
            flags: Some(1),
        },
        C::InotifyInit => Anon {
            kind: "inotify",
            flags: None,
        },
        C::InotifyInit1 => Anon {
            kind: "inotify",
            flags: Some(0),
        },
        C::Signalfd => Signalfd { flags: None },
        C::Signalfd4 => Signalfd { flags: Some(3) },
        C::Chdir => Chdir {
            target: T::Path(P::Cwd(0)),
        },
        C::Fchdir => Chdir { target: T::Fd(0) },
        C::Fork | C::Vfork => Spawn {
            flags: SpawnFlags::None,
        },
        C::Clone => Spawn {
            flags: SpawnFlags::Arg(0),
        },
        C::Clone3 => Spawn {
            flags: SpawnFlags::Clone3,
        },
        C::Execve | C::Execveat => Exec,
        C::Exit | C::ExitGroup => Exit,
        _ => return None,
    })
}

/// Whether a shape names handles or paths a file monitor may have to name from the kernel (calls
/// that only close, spawn, exec, exit or create do not).
fn names(s: Shape) -> bool {
    !matches!(
        s,
        Shape::Close
            | Shape::CloseRange
            | Shape::Spawn { .. }
            | Shape::Exec
            | Shape::Exit
            | Shape::Pipe { .. }
            | Shape::Socket
            | Shape::Socketpair
            | Shape::Accept { .. }
            | Shape::Anon { .. }
            | Shape::Signalfd { .. }
    )
}

/// Whether call `nr` of `abi` may name or create handles a file monitor would ask the kernel about:
/// the cheap test (a table lookup by number) before [`handle_use`], which needs the arguments.
pub fn uses_handles(abi: Abi, nr: u64) -> bool {
    lookup(abi, nr).is_some_and(|d| {
        d.call == Call::Socketcall
            || shape(abi, d.call)
                .is_some_and(|s| names(s) || creates(s, abi, &[0; 6], None).is_some())
    })
}

/// Where the handles a call of shape `s` creates will be. `mem` (when given) reads what `signalfd`
/// needs to tell whether it creates.
fn creates(
    s: Shape,
    abi: Abi,
    raw: &[u64; 6],
    _mem: Option<&mut dyn GuestMemory>,
) -> Option<NewHandles> {
    let word = |v: u64| crate::syscalls::read::word(abi, v);
    match s {
        Shape::Pipe { fds, .. } => Some(NewHandles::Pair(word(raw[usize::from(fds)]))),
        Shape::Socketpair => Some(NewHandles::Pair(word(raw[3]))),
        Shape::Socket | Shape::Accept { .. } | Shape::Anon { .. } => Some(NewHandles::Returned),
        // signalfd on an existing descriptor returns that descriptor: nothing new.
        Shape::Signalfd { .. } if raw[0] as u32 as i32 == -1 => Some(NewHandles::Returned),
        _ => None,
    }
}

/// What call `nr` of `abi`, entering now with arguments `raw`, names and may create: the handles
/// whose names a file monitor may ask the kernel about at its return, known before it (see
/// [`HandleUse`]). `mem` is the caller's memory (for the i386 multiplexers' argument blocks).
pub fn handle_use<M: GuestMemory + ?Sized>(
    abi: Abi,
    nr: u64,
    raw: &[u64; 6],
    mem: &mut M,
) -> HandleUse {
    let Some(desc) = lookup(abi, nr) else {
        return HandleUse::default();
    };
    let word = |v: u64| crate::syscalls::read::word(abi, v);
    if desc.call == Call::Socketcall {
        // The operation is the first argument; its arguments are in a block of 32-bit words.
        let created = match word(raw[0]) {
            net::SYS_SOCKET | net::SYS_ACCEPT | net::SYS_ACCEPT4 => Some(NewHandles::Returned),
            net::SYS_SOCKETPAIR => mem
                .read_u32(word(raw[1]).wrapping_add(12))
                .map(|sv| NewHandles::Pair(u64::from(sv))),
            _ => None,
        };
        return HandleUse {
            created,
            ..HandleUse::default()
        };
    }
    let Some(s) = shape(abi, desc.call) else {
        return HandleUse::default();
    };
    let mut u = HandleUse {
        created: creates(s, abi, raw, None),
        ..HandleUse::default()
    };
    if !names(s) {
        return u;
    }
    for (i, kind) in desc.args.iter().enumerate() {
        let v = raw.get(i).copied().unwrap_or(0) as u32 as i32;
        match kind {
            ArgKind::Fd | ArgKind::DirFd if v >= 0 => u.given.push(Handle::from(v)),
            ArgKind::DirFd if v == fs::AT_FDCWD => u.cwd = true,
            ArgKind::Path | ArgKind::Str => u.cwd = true,
            _ => {}
        }
    }
    // The old i386 `mmap` passes its arguments in a block: the descriptor is the fifth word.
    if matches!(s, Shape::OldMmap)
        && let Some(fd) = mem.read_u32(word(raw[0]).wrapping_add(16))
        && (fd as i32) >= 0
    {
        u.given.push(Handle::from(fd as i32));
    }
    u
}

/// The handles a call just created, read right before it returns (at the kernel's last page-table
/// switch, the user's registers restored): from the return register, or the pair of `int`s the call
/// wrote (`pipe`, `socketpair`).
pub fn created_handles(
    arch: &dyn Arch,
    created: NewHandles,
    cpu: &mut dyn GuestCpu,
) -> Vec<Handle> {
    match created {
        NewHandles::Returned => crate::syscalls::return_register_value(arch, cpu)
            .map(|v| v as u32 as i32)
            .filter(|&fd| fd >= 0)
            .map(Handle::from)
            .into_iter()
            .collect(),
        NewHandles::Pair(at) => {
            let mut b = [0u8; 8];
            if !cpu.read(at, &mut b) {
                return Vec::new();
            }
            [&b[..4], &b[4..]]
                .into_iter()
                .map(|w| i32::from_le_bytes([w[0], w[1], w[2], w[3]]))
                .filter(|&fd| fd >= 0)
                .map(Handle::from)
                .collect()
        }
    }
}

/// What one call means for the file monitor; empty for calls that touch no file or handle.
///
/// `live` reads the guest at the call's return, for what the event's captured memory lacks.
pub fn file_calls<M: GuestMemory + ?Sized>(ev: &SyscallEvent, live: &mut M) -> Vec<FileCall> {
    let Some(call) = Call::of(ev) else {
        return Vec::new();
    };
    let Some(s) = shape(ev.abi, call) else {
        return Vec::new();
    };
    // Calls that did not return are only meaningful when they end the thread.
    if ev.end != CallEnd::Returned {
        return match s {
            Shape::Exit => vec![FileCall {
                op: FileOp::Exit,
                flags: None,
                error: None,
            }],
            _ => Vec::new(),
        };
    }
    let mut cx = Ctx {
        ev,
        mem: EventMemory::new(ev, live),
    };
    cx.map(s).unwrap_or_default()
}

/// The renderer of a file event's flags: arguments `which` as the syscall decoder renders them.
fn shown(ev: &SyscallEvent, which: &[A]) -> Option<ArgsText> {
    let mut w = [u8::MAX; 2];
    for (slot, &i) in w.iter_mut().zip(which) {
        *slot = i;
    }
    Some(ArgsText {
        abi: ev.abi,
        nr: ev.nr,
        call: ev.call,
        raw: ev.raw,
        which: w,
        render: render_args,
    })
}

struct Ctx<'a, M: ?Sized> {
    ev: &'a SyscallEvent,
    mem: EventMemory<'a, M>,
}

impl<M: GuestMemory + ?Sized> Ctx<'_, M> {
    fn raw(&self, i: A) -> u64 {
        let v = self.ev.raw.get(usize::from(i)).copied().unwrap_or(0);
        crate::syscalls::read::word(self.ev.abi, v)
    }

    /// An `int` argument (descriptors, `AT_FDCWD`): the low 32 bits, signed.
    fn int(&self, i: A) -> i32 {
        self.raw(i) as u32 as i32
    }

    fn fd(&self, i: A) -> Handle {
        Handle::from(self.int(i))
    }

    /// A 64-bit value.
    fn len(&self, l: L) -> i64 {
        match l {
            L::Long(i) => match self.ev.abi {
                Abi::X86_64 | Abi::Aarch64 => self.raw(i) as i64,
                Abi::I386 => i64::from(self.raw(i) as u32 as i32),
            },
            L::Pair(lo, hi) => (self.raw(lo) | self.raw(hi) << 32) as i64,
        }
    }

    fn read_word(&mut self, addr: u64) -> Option<u64> {
        crate::syscalls::read::read_word(&mut self.mem, self.ev.abi, addr)
    }

    /// The errno name when the call failed.
    fn error(&self) -> Option<String> {
        let e = Errno::of_ret(self.ev.ret?)?;
        Some(
            e.name()
                .map_or_else(|| format!("errno {}", e.0), str::to_string),
        )
    }

    /// The return value as a new handle, when the call succeeded.
    fn new_handle(&self) -> Option<Handle> {
        self.ev.ret.filter(|&r| r >= 0)
    }

    fn ok(&self) -> bool {
        self.ev.ret.is_some_and(|r| r >= 0)
    }

    /// Bytes moved, when the call succeeded.
    fn bytes(&self) -> Option<u64> {
        self.ev.ret.and_then(|r| u64::try_from(r).ok())
    }

    fn string(&mut self, i: A) -> Option<String> {
        let addr = self.raw(i);
        if addr == 0 {
            return None;
        }
        let (bytes, _) = self.mem.read_cstr(addr, PATH_MAX)?;
        Some(String::from_utf8_lossy(&bytes).into_owned())
    }

    fn path(&mut self, p: P) -> PathArg {
        match p {
            P::Cwd(i) => PathArg {
                base: PathBase::Cwd,
                path: self.string(i),
            },
            P::At(dir, i) => {
                let d = self.int(dir);
                let base = if d == fs::AT_FDCWD {
                    PathBase::Cwd
                } else {
                    PathBase::Handle(i64::from(d))
                };
                PathArg {
                    base,
                    path: self.string(i),
                }
            }
        }
    }

    fn target(&mut self, t: T) -> Target {
        match t {
            T::Path(p) => Target::Path(self.path(p)),
            T::Fd(i) => Target::Handle(self.fd(i)),
        }
    }

    fn done(&self, op: FileOp, flags: Option<ArgsText>) -> Option<Vec<FileCall>> {
        Some(vec![FileCall {
            op,
            flags,
            error: self.error(),
        }])
    }

    fn buffers(&mut self, b: Bufs) -> Vec<Buffer> {
        match b {
            Bufs::One(addr, len) => vec![Buffer {
                addr: self.raw(addr),
                len: self.raw(len),
            }],
            Bufs::Iov(at, count) => {
                let base = self.raw(at);
                let n = self.raw(count).min(MAX_IOVECS);
                let w = crate::syscalls::read::word_size(self.ev.abi);
                let mut out = Vec::new();
                for k in 0..n {
                    let e = base.wrapping_add(k * 2 * w);
                    let (Some(addr), Some(len)) =
                        (self.read_word(e), self.read_word(e.wrapping_add(w)))
                    else {
                        break;
                    };
                    out.push(Buffer { addr, len });
                }
                out
            }
        }
    }

    /// Two `int`s at `addr` (`pipe`, `socketpair`), after a successful call.
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

    fn object(&self, handles: Vec<Handle>, kind: ObjectKind, flags: u64) -> Option<Vec<FileCall>> {
        if !self.ok() {
            return None;
        }
        self.done(
            FileOp::NewObject {
                handles,
                kind,
                cloexec: flags & fs::O_CLOEXEC != 0,
            },
            None,
        )
    }

    fn flag_arg(&self, i: Option<A>) -> u64 {
        i.map_or(0, |i| self.raw(i))
    }

    fn map(&mut self, s: Shape) -> Option<Vec<FileCall>> {
        let ev = self.ev;
        match s {
            Shape::Open { at, flags, mode } => {
                let f = self.raw(flags);
                let op = FileOp::Open {
                    at: self.path(at),
                    create: f & fs::O_CREAT != 0 || f & fs::O_TMPFILE == fs::O_TMPFILE,
                    cloexec: f & fs::O_CLOEXEC != 0,
                    handle: self.new_handle(),
                };
                self.done(op, shown(ev, &[flags, mode]))
            }
            Shape::Creat { at, mode } => {
                let op = FileOp::Open {
                    at: self.path(at),
                    create: true,
                    cloexec: false,
                    handle: self.new_handle(),
                };
                self.done(op, shown(ev, &[mode]))
            }
            Shape::Openat2 { at, how } => {
                // struct open_how { u64 flags; u64 mode; u64 resolve; }
                let a = self.raw(how);
                let f = self.mem.read_u64(a).unwrap_or(0);
                let op = FileOp::Open {
                    at: self.path(at),
                    create: f & fs::O_CREAT != 0 || f & fs::O_TMPFILE == fs::O_TMPFILE,
                    cloexec: f & fs::O_CLOEXEC != 0,
                    handle: self.new_handle(),
                };
                self.done(op, None)
            }
            Shape::Rw {
                write,
                fd,
                bufs,
                offset,
            } => {
                let handle = self.fd(fd);
                let buffers = self.buffers(bufs);
                let offset = offset.map(|l| self.len(l));
                let bytes = self.bytes();
                let op = if write {
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
                };
                self.done(op, None)
            }
            Shape::Sendfile => {
                // Kernel-side copy: bytes go from in_fd to out_fd without a user buffer.
                let (error, bytes) = (self.error(), self.bytes());
                Some(vec![
                    FileCall {
                        op: FileOp::Read {
                            handle: self.fd(1),
                            bytes,
                            offset: None,
                            buffers: Vec::new(),
                        },
                        flags: None,
                        error: error.clone(),
                    },
                    FileCall {
                        op: FileOp::Write {
                            handle: self.fd(0),
                            bytes,
                            offset: None,
                            buffers: Vec::new(),
                        },
                        flags: None,
                        error,
                    },
                ])
            }
            Shape::Seek { fd, whence } => {
                let handle = self.fd(fd);
                let offset = self.ok().then_some(ev.ret).flatten();
                self.done(FileOp::Seek { handle, offset }, shown(ev, &[whence]))
            }
            Shape::Llseek => {
                let handle = self.fd(0);
                let result = self.raw(3);
                let offset = if self.ok() {
                    self.mem.read_u64(result).map(|v| v as i64)
                } else {
                    None
                };
                self.done(FileOp::Seek { handle, offset }, shown(ev, &[4]))
            }
            Shape::Truncate { target, length } => {
                let op = FileOp::Truncate {
                    target: self.target(target),
                    length: self.len(length),
                };
                self.done(op, None)
            }
            Shape::Rename { from, to, flags } => {
                let op = FileOp::Rename {
                    from: self.path(from),
                    to: self.path(to),
                };
                self.done(op, flags.and_then(|f| shown(ev, &[f])))
            }
            Shape::Link { from, to, flags } => {
                let op = FileOp::Link {
                    from: self.path(from),
                    to: self.path(to),
                };
                self.done(op, flags.and_then(|f| shown(ev, &[f])))
            }
            Shape::Symlink { content, link } => {
                let op = FileOp::Symlink {
                    content: self.string(content),
                    link: self.path(link),
                };
                self.done(op, None)
            }
            Shape::Unlink { at, flags } => {
                let at = self.path(at);
                let op = if self.flag_arg(flags) & fs::AT_REMOVEDIR != 0 {
                    FileOp::Rmdir { at }
                } else {
                    FileOp::Unlink { at }
                };
                self.done(op, flags.and_then(|f| shown(ev, &[f])))
            }
            Shape::Rmdir { at } => {
                let at = self.path(at);
                self.done(FileOp::Rmdir { at }, None)
            }
            Shape::Mkdir { at, mode } => {
                let at = self.path(at);
                self.done(FileOp::Mkdir { at }, shown(ev, &[mode]))
            }
            Shape::Chmod { target, mode } => {
                let target = self.target(target);
                self.done(FileOp::Chmod { target }, shown(ev, &[mode]))
            }
            Shape::Chown { target, user } => {
                let target = self.target(target);
                self.done(FileOp::Chown { target }, shown(ev, &[user, user + 1]))
            }
            Shape::Mmap { pages } => {
                let off = if pages {
                    (self.raw(5) as i64).wrapping_mul(4096)
                } else {
                    self.raw(5) as i64
                };
                self.mmap(self.raw(3), self.int(4), off, self.raw(1), true)
            }
            Shape::OldMmap => {
                let a = self.raw(0);
                let mut w = |k: u64| self.mem.read_u32(a.wrapping_add(4 * k)).map(u64::from);
                let (len, flags, fd, off) = (w(1)?, w(3)?, w(4)?, w(5)?);
                self.mmap(flags, fd as u32 as i32, off as u32 as i64, len, false)
            }
            Shape::Dup { flags } => {
                let cloexec = self.flag_arg(flags) & fs::O_CLOEXEC != 0;
                self.dup(self.fd(0), cloexec)
            }
            Shape::Fcntl => {
                let fd = self.fd(0);
                match self.raw(1) {
                    fs::F_DUPFD => self.dup(fd, false),
                    fs::F_DUPFD_CLOEXEC => self.dup(fd, true),
                    fs::F_SETFD if self.ok() => self.done(
                        FileOp::SetCloexec {
                            handle: fd,
                            on: self.raw(2) & fs::FD_CLOEXEC != 0,
                        },
                        None,
                    ),
                    _ => None,
                }
            }
            Shape::Close => self.done(FileOp::Close { handle: self.fd(0) }, None),
            Shape::CloseRange if self.ok() => self.done(
                FileOp::CloseRange {
                    first: i64::from(self.raw(0) as u32),
                    last: i64::from(self.raw(1) as u32),
                    cloexec_only: self.raw(2) & fs::CLOSE_RANGE_CLOEXEC != 0,
                },
                shown(ev, &[2]),
            ),
            Shape::CloseRange => None,
            Shape::Pipe { fds, flags } => {
                let h = self.fd_pair(self.raw(fds));
                self.object(h, ObjectKind::Pipe, self.flag_arg(flags))
            }
            Shape::Socket => {
                let h = self.new_handle().into_iter().collect();
                self.object(h, ObjectKind::Socket, self.raw(1))
            }
            Shape::Socketpair => {
                let h = self.fd_pair(self.raw(3));
                self.object(h, ObjectKind::Socket, self.raw(1))
            }
            Shape::Accept { flags } => {
                let h = self.new_handle().into_iter().collect();
                self.object(h, ObjectKind::Socket, self.flag_arg(flags))
            }
            Shape::Anon { kind, flags } => {
                let h = self.new_handle().into_iter().collect();
                self.object(h, ObjectKind::Anon(kind), self.flag_arg(flags))
            }
            Shape::Signalfd { flags } => {
                // signalfd on an existing descriptor returns that descriptor: nothing new.
                if self.int(0) != -1 {
                    return None;
                }
                let h = self.new_handle().into_iter().collect();
                self.object(h, ObjectKind::Anon("[signalfd]"), self.flag_arg(flags))
            }
            Shape::Chdir { target } => {
                let target = self.target(target);
                self.done(FileOp::Chdir { target }, None)
            }
            Shape::Spawn { flags } => {
                let flags = match flags {
                    SpawnFlags::None => 0,
                    SpawnFlags::Arg(i) => self.raw(i),
                    // struct clone_args starts with `u64 flags`.
                    SpawnFlags::Clone3 => {
                        let a = self.raw(0);
                        self.mem.read_u64(a)?
                    }
                };
                self.spawn(flags)
            }
            Shape::Exec if self.ok() => self.done(FileOp::Exec, None),
            Shape::Exec => None,
            Shape::Exit => None,
        }
    }

    fn spawn(&self, flags: u64) -> Option<Vec<FileCall>> {
        let tid = u32::try_from(self.new_handle().filter(|&t| t > 0)?).ok()?;
        let pid = if flags & pr::CLONE_THREAD != 0 {
            self.ev.thread.pid?
        } else {
            tid
        };
        self.done(
            FileOp::Spawn {
                tid,
                pid,
                share_handles: flags & pr::CLONE_FILES != 0,
                share_cwd: flags & pr::CLONE_FS != 0,
            },
            None,
        )
    }

    fn mmap(
        &self,
        flags: u64,
        fd: i32,
        offset: i64,
        length: u64,
        show: bool,
    ) -> Option<Vec<FileCall>> {
        if flags & mm::MAP_ANONYMOUS != 0 || fd < 0 {
            return None;
        }
        self.done(
            FileOp::Mmap {
                handle: i64::from(fd),
                offset,
                length,
            },
            if show { shown(self.ev, &[3]) } else { None },
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
    use crate::uapi::fs::{O_CLOEXEC, O_CREAT};
    use crate::uapi::process::{CLONE_FILES, CLONE_FS, CLONE_THREAD};
    use vmscope_core::guest::TestGuest;

    /// Call `nr` of `abi` returning `ret`, its memory captured from `g`.
    fn ev(g: &mut TestGuest, abi: Abi, nr: u64, raw: [u64; 6], ret: i64) -> SyscallEvent {
        crate::testing::returned_call(g, abi, nr, raw, ret)
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
                let e = ev(&mut g.clone(), abi, nr, raw, 3);
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
                        desc.name()
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
            &ev(
                &mut g.clone(),
                Abi::X86_64,
                257,
                [5, 0x1000, O_CLOEXEC, 0, 0, 0],
                6,
            ),
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
                &mut g.clone(),
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
        let c = file_calls(
            &ev(
                &mut g.clone(),
                Abi::I386,
                180,
                [3, 0x2000, 4, 0x10, 0x1, 0],
                4,
            ),
            &mut g,
        );
        let FileOp::Read { offset, bytes, .. } = &c[0].op else {
            panic!()
        };
        assert_eq!((*offset, *bytes), (Some(0x1_0000_0010), Some(4)));
        // socketcall(SYS_SOCKETPAIR, args) (102): the pair is read from the args block.
        g.write_u32(0x3000, 1)
            .write_u32(0x3004, 1 | O_CLOEXEC as u32);
        g.write_u32(0x3008, 0).write_u32(0x300c, 0x4000);
        g.write(0x4000, &[8, 0, 0, 0, 9, 0, 0, 0]);
        let c = file_calls(
            &ev(&mut g.clone(), Abi::I386, 102, [8, 0x3000, 0, 0, 0, 0], 0),
            &mut g,
        );
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
        let c = file_calls(
            &ev(&mut g.clone(), Abi::I386, 120, [flags, 0, 0, 0, 0, 0], 99),
            &mut g,
        );
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
                &ev(
                    &mut g.clone(),
                    Abi::I386,
                    192,
                    [0, 4096, 1, 0x22, u64::MAX, 0],
                    0x1000
                ),
                &mut g
            )
            .is_empty()
        );
        let c = file_calls(
            &ev(
                &mut g.clone(),
                Abi::I386,
                10,
                [0xdead_0000, 0, 0, 0, 0, 0],
                -2,
            ),
            &mut g,
        );
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

//! The file monitor: which file every handle names, and a journal of file activity.
//!
//! It consumes the syscall module's events (one module's output feeding another): an OS layer
//! ([`FileOs`]; [`LinuxFiles`] maps Linux calls through `vmscope_linux::fileops` and names
//! pre-existing descriptors through `vmscope_linux::vfs`) turns each call into OS-independent
//! [`FileCall`]s; the [`table::Tracker`] keeps the handle tables and current directories and says
//! which file events to publish. With capture on, the bytes each read or write moved are read from
//! guest memory at the call's exit: the first N go into the event, all of them into a SHA-256 per
//! handle, reported at close. At the end of tracing one `file_summary` event per file says which
//! processes did what to it.
//!
//! State is one model behind one lock: handle tables are shared between threads and processes, so
//! they cannot be split by vCPU. Only calls that touch files take it, briefly.
//!
//! Names only the kernel knows (a descriptor open before tracing began, the first working directory,
//! a new pipe's or socket's inode) are read at the call's return. With page-table isolation (KPTI) the
//! kernel is not mapped there: at the call's entry the module notes which of the call's handles the
//! model does not know, and they are named at the kernel's last page-table switch before the return
//! ([`crate::at_return`]).

mod apply;
mod summary;
pub mod table;

use std::sync::{Arc, Mutex, PoisonError};

use vmscope_core::arch::Arch;
use vmscope_core::event::{
    Buffer, Event, EventKind, EventMask, FileAccess, FileActivity, FileCall, FileEvent, FileOp,
    Handle, HandleUse, NewHandles, SyscallEvent, ThreadCtx,
};
use vmscope_core::guest::GuestCpu;
use vmscope_core::module::{Bus, EnteringCall, Hook, HookPoint, Interest, Module};
use vmscope_linux::{fileops, vfs};

use crate::at_return::AtReturn;
use crate::kernel::KernelCell;
use crate::syscalls::Syscalls;
use table::{KernelView, Moved, Outcome, Tracker, Who};

/// The most bytes of one call read from the guest for hashing; the rest is counted as unhashed.
pub const MAX_HASH_PER_CALL: u64 = 16 << 20;
/// The largest `--capture` accepted.
pub const MAX_CAPTURE: usize = 1 << 20;

/// What an operating system layer gives the file monitor.
pub trait FileOs: Send + Sync {
    /// The file operations one system call made.
    fn calls(&self, ev: &SyscallEvent, cpu: &mut dyn GuestCpu) -> Vec<FileCall>;
    /// What handle `h` of `thread` names, from the kernel's own structures.
    fn handle_name(&self, thread: &ThreadCtx, h: Handle, cpu: &mut dyn GuestCpu) -> Option<String>;
    /// The current directory of `thread`, from the kernel's own structures.
    fn cwd(&self, thread: &ThreadCtx, cpu: &mut dyn GuestCpu) -> Option<String>;

    /// Whether this layer can name anything from the kernel at all ([`FileOs::handle_name`],
    /// [`FileOs::cwd`]). Default: no.
    fn reads_kernel(&self) -> bool {
        false
    }

    /// At a call's entry (`call`, with the caller's memory in `cpu`): the handles it names and may
    /// create, whose names may have to be read before its return. Default: none.
    fn handle_use(&self, _call: &EnteringCall, _cpu: &mut dyn GuestCpu) -> HandleUse {
        HandleUse::default()
    }

    /// Just before a call returns (at the kernel's last page-table switch): the handles it created, as
    /// [`HandleUse::created`] says where to find them. Default: none.
    fn created_now(&self, _created: NewHandles, _cpu: &mut dyn GuestCpu) -> Vec<Handle> {
        Vec::new()
    }
}

/// Handles at most named ahead of one call's return.
const MAX_NAMED_AHEAD: usize = 8;

/// Names read from the kernel before a call's return, for where it is not mapped at the return.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamesAhead {
    /// Handles and what they named.
    pub names: Vec<(Handle, String)>,
    /// The current directory, when asked for.
    pub cwd: Option<String>,
}

impl NamesAhead {
    fn name(&self, h: Handle) -> Option<String> {
        self.names
            .iter()
            .find(|(n, _)| *n == h)
            .map(|(_, name)| name.clone())
    }
}

/// Linux: calls mapped by `vmscope_linux::fileops`, kernel structures read by `vmscope_linux::vfs`.
pub struct LinuxFiles {
    kernel: Arc<KernelCell>,
    arch: &'static dyn Arch,
}

impl LinuxFiles {
    /// The Linux layer for a guest of architecture `arch`, reading the kernel's VFS structures through
    /// `kernel`; without a VFS layout pre-existing descriptors stay unnamed.
    pub fn new(kernel: Arc<KernelCell>, arch: &'static dyn Arch) -> Self {
        Self { kernel, arch }
    }
}

impl FileOs for LinuxFiles {
    fn calls(&self, ev: &SyscallEvent, cpu: &mut dyn GuestCpu) -> Vec<FileCall> {
        fileops::file_calls(ev, cpu)
    }
    fn handle_name(&self, thread: &ThreadCtx, h: Handle, cpu: &mut dyn GuestCpu) -> Option<String> {
        vfs::task_fd_name(cpu, self.kernel.vfs()?, thread.task, h)
    }
    fn cwd(&self, thread: &ThreadCtx, cpu: &mut dyn GuestCpu) -> Option<String> {
        vfs::task_cwd(cpu, self.kernel.vfs()?, thread.task)
    }

    fn reads_kernel(&self) -> bool {
        self.kernel.may_have_vfs()
    }

    fn handle_use(&self, call: &EnteringCall, cpu: &mut dyn GuestCpu) -> HandleUse {
        // Most calls touch no handle: decided by number, before reading any memory.
        if !fileops::uses_handles(call.abi, call.nr) {
            return HandleUse::default();
        }
        fileops::handle_use(call.abi, call.nr, &call.raw, cpu)
    }

    fn created_now(&self, created: NewHandles, cpu: &mut dyn GuestCpu) -> Vec<Handle> {
        fileops::created_handles(self.arch, created, cpu)
    }
}

/// The file monitor module.
pub struct Files {
    os: Box<dyn FileOs>,
    capture: Option<usize>,
    tracker: Mutex<Tracker>,
    /// Names the model lacks, read at the page-table switch before a call's return (KPTI).
    ahead: AtReturn<HandleUse, Option<NamesAhead>>,
}

/// What the kernel said about a call's handles and working directory, read before the model's lock
/// is taken (no guest read happens while other vCPUs may wait on it): read live at the call's
/// return, or else what was read at the page-table switch before it (where the kernel is not mapped
/// at the return).
#[derive(Default)]
struct Prefetched {
    names: Vec<(Handle, Option<String>)>,
    cwd: Option<Option<String>>,
}

impl KernelView for Prefetched {
    fn handle_name(&mut self, h: Handle) -> Option<String> {
        self.names
            .iter()
            .find(|(n, _)| *n == h)
            .and_then(|(_, name)| name.clone())
    }
    fn cwd(&mut self) -> Option<String> {
        self.cwd.clone().flatten()
    }
}

/// The handles a file operation may ask the kernel to name (the ones the model may not know), and
/// whether it may need the current directory.
fn kernel_questions(op: &FileOp) -> (Vec<Handle>, bool) {
    use vmscope_core::event::{PathArg, PathBase, Target};
    let mut hs = Vec::new();
    let mut cwd = false;
    let mut path = |p: &PathArg, hs: &mut Vec<Handle>| {
        if p.path.as_deref().is_some_and(|s| !s.starts_with('/')) {
            match p.base {
                PathBase::Cwd => cwd = true,
                PathBase::Handle(h) => hs.push(h),
            }
        }
    };
    let target = |t: &Target,
                  hs: &mut Vec<Handle>,
                  path: &mut dyn FnMut(&PathArg, &mut Vec<Handle>)| {
        match t {
            Target::Handle(h) => hs.push(*h),
            Target::Path(p) => path(p, hs),
        }
    };
    match op {
        FileOp::Open { at, .. }
        | FileOp::Unlink { at }
        | FileOp::Mkdir { at }
        | FileOp::Rmdir { at } => path(at, &mut hs),
        FileOp::Symlink { link, .. } => path(link, &mut hs),
        FileOp::Rename { from, to } | FileOp::Link { from, to } => {
            path(from, &mut hs);
            path(to, &mut hs);
        }
        FileOp::NewObject { handles, .. } => hs.extend(handles),
        FileOp::Dup { old, .. } => hs.push(*old),
        FileOp::SetCloexec { handle, .. }
        | FileOp::Read { handle, .. }
        | FileOp::Write { handle, .. }
        | FileOp::Seek { handle, .. }
        | FileOp::Mmap { handle, .. } => hs.push(*handle),
        FileOp::Truncate { target: t, .. }
        | FileOp::Chmod { target: t }
        | FileOp::Chown { target: t }
        | FileOp::Chdir { target: t } => target(t, &mut hs, &mut path),
        FileOp::Spawn { .. } => cwd = true,
        FileOp::Close { .. } | FileOp::CloseRange { .. } | FileOp::Exec | FileOp::Exit => {}
    }
    (hs, cwd)
}

impl Files {
    /// The module's name.
    pub const NAME: &'static str = "files";

    /// A file monitor over `os`; `capture` is the number of bytes of each read/write to journal
    /// (and turns hashing on).
    pub fn new(os: Box<dyn FileOs>, capture: Option<usize>) -> Self {
        Self {
            os,
            capture,
            tracker: Mutex::new(Tracker::new(capture.is_some())),
            ahead: AtReturn::new(),
        }
    }

    /// At a call's entry: notes the names its return may need that the model does not have.
    fn on_entry(&self, cpu: &mut dyn GuestCpu, hook: &Hook) {
        let (Some(t), Some(call)) = (hook.thread.as_ref().filter(|t| t.task != 0), &hook.call)
        else {
            return;
        };
        let uses = self.os.handle_use(call, cpu);
        if uses.is_empty() {
            return;
        }
        let wanted = uses.created.is_some() || {
            let key = who_key(t);
            let tracker = self.tracker.lock().unwrap_or_else(PoisonError::into_inner);
            uses.given.iter().any(|&h| !tracker.knows_handle(key, h))
                || (uses.cwd && !tracker.knows_cwd(key))
        };
        if wanted {
            self.ahead.note(t.task, uses);
        }
    }

    /// At a page-table switch: names what a call of the current thread noted, if any.
    fn on_switch(&self, cpu: &mut dyn GuestCpu, hook: &Hook) {
        if self.ahead.is_idle() {
            return;
        }
        let Some(t) = hook.thread.as_ref().filter(|t| t.task != 0) else {
            return;
        };
        let vcpu = cpu.vcpu();
        self.ahead
            .capture(vcpu, t.task, |uses| self.names_ahead(t, uses, cpu));
    }

    /// The names of the handles in `uses` (the created ones included) and, if asked, the current
    /// directory of `thread`, read now; `None` when nothing could be read (on the way into the kernel,
    /// where the old page tables are the user's: each name fails at its first read).
    fn names_ahead(
        &self,
        thread: &ThreadCtx,
        uses: &HandleUse,
        cpu: &mut dyn GuestCpu,
    ) -> Option<NamesAhead> {
        let mut handles = uses.given.clone();
        if let Some(created) = uses.created {
            handles.extend(self.os.created_now(created, cpu));
        }
        handles.sort_unstable();
        handles.dedup();
        handles.truncate(MAX_NAMED_AHEAD);
        let names: Vec<(Handle, String)> = handles
            .into_iter()
            .filter_map(|h| self.os.handle_name(thread, h, cpu).map(|n| (h, n)))
            .collect();
        let cwd = if uses.cwd {
            self.os.cwd(thread, cpu)
        } else {
            None
        };
        (!names.is_empty() || cwd.is_some()).then_some(NamesAhead { names, cwd })
    }

    fn handle(&self, ev: &SyscallEvent, cpu: &mut dyn GuestCpu, bus: &mut Bus) {
        let ahead = self
            .ahead
            .take(cpu.vcpu(), ev.thread.task)
            .and_then(|(_, names)| names.flatten());
        let calls = self.os.calls(ev, cpu);
        if calls.is_empty() {
            return;
        }
        let who = Who {
            key: who_key(&ev.thread),
            pid: ev.thread.pid,
            comm: ev.thread.comm.as_deref().map(str::to_string),
        };
        for call in &calls {
            let moved = match (&call.op, self.capture) {
                (
                    FileOp::Read {
                        bytes: Some(n),
                        buffers,
                        ..
                    }
                    | FileOp::Write {
                        bytes: Some(n),
                        buffers,
                        ..
                    },
                    Some(_),
                ) if call.error.is_none() => Some(read_moved(cpu, buffers, *n)),
                _ => None,
            };
            // What the kernel must tell: asked under the lock, read without it, applied under it.
            let (mut handles, mut wants_cwd) = kernel_questions(&call.op);
            {
                let t = self.tracker.lock().unwrap_or_else(PoisonError::into_inner);
                let new_objects = matches!(call.op, FileOp::NewObject { .. });
                handles.retain(|&h| new_objects || !t.knows_handle(who.key, h));
                wants_cwd &= !t.knows_cwd(who.key);
            }
            handles.sort_unstable();
            handles.dedup();
            handles.truncate(MAX_NAMED_AHEAD * 4);
            let mut kernel = Prefetched::default();
            for h in handles {
                let name = self
                    .os
                    .handle_name(&ev.thread, h, cpu)
                    .or_else(|| ahead.as_ref()?.name(h));
                kernel.names.push((h, name));
            }
            if wants_cwd {
                let cwd = self
                    .os
                    .cwd(&ev.thread, cpu)
                    .or_else(|| ahead.as_ref()?.cwd.clone());
                kernel.cwd = Some(cwd);
            }
            let outcomes = {
                let mut t = self.tracker.lock().unwrap_or_else(PoisonError::into_inner);
                t.apply(&who, call, moved.as_ref(), &mut kernel)
            };
            for o in outcomes {
                let data = match (&moved, self.capture) {
                    (Some(m), Some(n))
                        if n > 0 && matches!(o.op, FileActivity::Read | FileActivity::Write) =>
                    {
                        Some(escape(&m.bytes[..m.bytes.len().min(n)]))
                    }
                    _ => None,
                };
                bus.publish(Event::File(FileEvent::Access(Box::new(access(
                    ev, o, data,
                )))));
            }
        }
    }

    /// What descriptor `fd` of `thread` names in the model (`--decode-fds`): a shared string, no
    /// guest read, no copy.
    pub fn fd_name(&self, thread: &ThreadCtx, fd: Handle) -> Option<Arc<str>> {
        let t = self.tracker.lock().unwrap_or_else(PoisonError::into_inner);
        t.shared_name_of(who_key(thread), fd)
    }

    /// The current directory of `thread` in the model (`--decode-fds`'s `AT_FDCWD</tmp>`), shared.
    pub fn cwd_name(&self, thread: &ThreadCtx) -> Option<Arc<str>> {
        let t = self.tracker.lock().unwrap_or_else(PoisonError::into_inner);
        t.shared_cwd_of(who_key(thread))
    }

    /// The model's view, for tests.
    pub fn with_tracker<R>(&self, f: impl FnOnce(&mut Tracker) -> R) -> R {
        f(&mut self.tracker.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// The model's key for a thread: its id, or its address space when threads are not identified.
fn who_key(t: &ThreadCtx) -> u64 {
    match t.tid {
        Some(tid) => u64::from(tid),
        None => t.asid | 1 << 63,
    }
}

fn access(ev: &SyscallEvent, o: Outcome, data: Option<String>) -> FileAccess {
    FileAccess {
        ts: ev.ts,
        vcpu: ev.vcpu,
        thread: ev.thread.clone(),
        op: o.op,
        fd: o.fd,
        path: o.path,
        new_path: o.new_path,
        bytes: o.bytes,
        offset: o.offset,
        length: o.length,
        flags: o.flags,
        error: o.error,
        data,
        sha256: o.sha256,
        hashed_bytes: o.hashed_bytes,
        unhashed_bytes: o.unhashed_bytes,
    }
}

/// Reads the `n` bytes a call moved through `buffers`, page by page (a page that cannot be read
/// is counted, not guessed).
pub fn read_moved(cpu: &mut dyn GuestCpu, buffers: &[Buffer], n: u64) -> Moved {
    let mut m = Moved::default();
    let mut left = n;
    let mut budget = MAX_HASH_PER_CALL;
    let mut page = [0u8; 4096];
    for b in buffers {
        if left == 0 {
            break;
        }
        let mut addr = b.addr;
        let mut len = b.len.min(left);
        left -= len;
        while len > 0 {
            let chunk = (0x1000 - (addr & 0xfff)).min(len);
            let buf = &mut page[..chunk as usize];
            if budget >= chunk && cpu.read(addr, buf) {
                m.bytes.extend_from_slice(buf);
                budget -= chunk;
            } else {
                m.unreadable += chunk;
            }
            addr = addr.wrapping_add(chunk);
            len -= chunk;
        }
    }
    // Bytes the call reports beyond the buffers it was given (sendfile has none).
    m.unreadable += left;
    m
}

/// Bytes as a C-escaped string, like strace prints buffers.
pub fn escape(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'\r' => s.push_str("\\r"),
            b'\\' => s.push_str("\\\\"),
            b'"' => s.push_str("\\\""),
            0x20..=0x7e => s.push(char::from(b)),
            _ => {
                let _ = write!(s, "\\x{b:02x}");
            }
        }
    }
    s
}

impl Module for Files {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn depends(&self) -> &[&str] {
        &[Syscalls::NAME]
    }

    fn interest(&self) -> Interest {
        // Entries and page-table switches only to name ahead of a return what the kernel cannot be
        // read for at the return (KPTI).
        let ahead = self.os.reads_kernel();
        Interest {
            entries: ahead,
            exits: false,
            page_table_switches: ahead,
            events: EventMask::NONE.with(EventKind::Syscall),
            ..Interest::default()
        }
    }

    fn on_hook(&self, cpu: &mut dyn GuestCpu, hook: &mut Hook, _bus: &mut Bus) {
        match hook.point {
            HookPoint::Entry(_) => self.on_entry(cpu, hook),
            HookPoint::PageTableSwitch => self.on_switch(cpu, hook),
            HookPoint::Exit(_) => {}
        }
    }

    fn on_event(&self, event: &Event, cpu: &mut dyn GuestCpu, bus: &mut Bus) {
        if let Event::Syscall(ev) = event {
            self.handle(ev, cpu, bus);
        }
    }

    fn on_stop(&self, bus: &mut Bus) {
        let ts = vmscope_core::clock::now_ns();
        let (summary, dropped, threads, tables) = {
            let mut t = self.tracker.lock().unwrap_or_else(PoisonError::into_inner);
            (t.summary(ts), t.summary_dropped, t.threads(), t.tables())
        };
        let summarised = summary.len();
        for s in summary {
            bus.publish(Event::File(FileEvent::Summary(Box::new(s))));
        }
        if dropped > 0 {
            bus.publish(Event::Notice(vmscope_core::event::Notice {
                ts,
                source: Self::NAME.into(),
                level: vmscope_core::event::Level::Warning,
                message: format!(
                    "{dropped} files left out of the summary (more than {} files)",
                    table::MAX_SUMMARY_FILES
                ),
            }));
        }
        // vmscope's own state at the end, so its bound can be checked from the journal.
        bus.publish(Event::Notice(vmscope_core::event::Notice {
            ts,
            source: Self::NAME.into(),
            level: vmscope_core::event::Level::Info,
            message: format!(
                "file model at the end: {threads} threads, {tables} handle tables, {} files \
                 summarised (limits {} threads, {} files)",
                summarised,
                table::MAX_THREADS,
                table::MAX_SUMMARY_FILES
            ),
        }));
    }
}

#[cfg(test)]
mod tests;

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

pub mod table;

use std::sync::{Arc, Mutex, PoisonError};

use vmscope_core::event::{
    Buffer, Event, EventKind, EventMask, FileAccess, FileCall, FileEvent, FileOp, Handle,
    SyscallEvent, ThreadCtx,
};
use vmscope_core::guest::GuestCpu;
use vmscope_core::module::{Bus, Interest, Module};
use vmscope_linux::btf::VfsLayout;
use vmscope_linux::{fileops, vfs};

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
}

/// Linux: calls mapped by `vmscope_linux::fileops`, kernel structures read by `vmscope_linux::vfs`.
pub struct LinuxFiles {
    vfs: Option<Arc<VfsLayout>>,
}

impl LinuxFiles {
    /// The Linux layer; without a VFS layout pre-existing descriptors stay unnamed.
    pub fn new(vfs: Option<Arc<VfsLayout>>) -> Self {
        Self { vfs }
    }
}

impl FileOs for LinuxFiles {
    fn calls(&self, ev: &SyscallEvent, cpu: &mut dyn GuestCpu) -> Vec<FileCall> {
        fileops::file_calls(ev, cpu)
    }
    fn handle_name(&self, thread: &ThreadCtx, h: Handle, cpu: &mut dyn GuestCpu) -> Option<String> {
        vfs::task_fd_name(cpu, self.vfs.as_deref()?, thread.task, h)
    }
    fn cwd(&self, thread: &ThreadCtx, cpu: &mut dyn GuestCpu) -> Option<String> {
        vfs::task_cwd(cpu, self.vfs.as_deref()?, thread.task)
    }
}

/// The file monitor module.
pub struct Files {
    os: Box<dyn FileOs>,
    capture: Option<usize>,
    tracker: Mutex<Tracker>,
}

struct View<'a> {
    os: &'a dyn FileOs,
    thread: &'a ThreadCtx,
    cpu: &'a mut dyn GuestCpu,
}

impl KernelView for View<'_> {
    fn handle_name(&mut self, h: Handle) -> Option<String> {
        self.os.handle_name(self.thread, h, self.cpu)
    }
    fn cwd(&mut self) -> Option<String> {
        self.os.cwd(self.thread, self.cpu)
    }
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
        }
    }

    fn handle(&self, ev: &SyscallEvent, cpu: &mut dyn GuestCpu, bus: &mut Bus) {
        let calls = self.os.calls(ev, cpu);
        if calls.is_empty() {
            return;
        }
        let who = Who {
            key: match ev.thread.tid {
                Some(t) => u64::from(t),
                None => ev.thread.asid | 1 << 63,
            },
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
            let outcomes = {
                let mut view = View {
                    os: self.os.as_ref(),
                    thread: &ev.thread,
                    cpu: &mut *cpu,
                };
                let mut t = self.tracker.lock().unwrap_or_else(PoisonError::into_inner);
                t.apply(&who, call, moved.as_ref(), &mut view)
            };
            for o in outcomes {
                let data = match (&moved, self.capture) {
                    (Some(m), Some(n)) if n > 0 && matches!(o.op, "read" | "write") => {
                        Some(escape(&m.bytes[..m.bytes.len().min(n)]))
                    }
                    _ => None,
                };
                bus.publish(Event::File(FileEvent::Access(access(ev, o, data))));
            }
        }
    }

    /// The model's view, for tests.
    pub fn with_tracker<R>(&self, f: impl FnOnce(&mut Tracker) -> R) -> R {
        f(&mut self.tracker.lock().unwrap_or_else(PoisonError::into_inner))
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
        Interest {
            entries: false,
            exits: false,
            page_table_switches: false,
            events: EventMask::NONE.with(EventKind::Syscall),
        }
    }

    fn on_event(&self, event: &Event, cpu: &mut dyn GuestCpu, bus: &mut Bus) {
        if let Event::Syscall(ev) = event {
            self.handle(ev, cpu, bus);
        }
    }

    fn on_stop(&self, bus: &mut Bus) {
        let ts = vmscope_core::clock::now_ns();
        let (summary, dropped) = {
            let mut t = self.tracker.lock().unwrap_or_else(PoisonError::into_inner);
            (t.summary(ts), t.summary_dropped)
        };
        for s in summary {
            bus.publish(Event::File(FileEvent::Summary(s)));
        }
        if dropped > 0 {
            bus.publish(Event::Notice(vmscope_core::event::Notice {
                ts,
                source: Self::NAME.into(),
                level: "warning",
                message: format!(
                    "{dropped} files left out of the summary (more than {} files)",
                    table::MAX_SUMMARY_FILES
                ),
            }));
        }
    }
}

#[cfg(test)]
mod tests;

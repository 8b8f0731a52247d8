//! The network monitor: what every socket of every process is (family, protocol, local and remote
//! address), one `net` event per socket operation, and at the end one `connection` summary per socket
//! that connected or carried data.
//!
//! It consumes the syscall module's events, as the file monitor does: descriptor lifetimes (dup,
//! close, close_range, close-on-exec, fork/clone, exec, exit) come from the file mapping
//! (`vmscope_linux::fileops`), socket operations and addresses from the socket mapping
//! (`vmscope_linux::netops`), which reads addresses from the memory the decoder captured (the entry's
//! for `connect`/`bind`/`sendto`, the exit's for `accept`/`recvfrom`/`getsockname`). The
//! [`model::Model`] keeps tables of descriptors pointing at shared socket objects.
//!
//! Sockets it did not see made (open before tracing began, or inherited from a parent that was not
//! followed) are read from the kernel's structures when a socket call first uses them
//! (`vmscope_linux::sock`: `file.private_data` → `struct socket` → `struct sock`, through the
//! kernel's BTF): family, type, protocol, local and remote address. Without the layout, or where the
//! kernel is not mapped at the call's return (page-table isolation), they appear with no family.
//! What it does not know: the local address of a client socket that never called `getsockname`
//! (the kernel picked it).

pub mod model;

use std::sync::{Arc, Mutex, PoisonError};

use vmscope_core::event::{
    Event, EventKind, EventMask, FileOp, Level, Notice, SyscallEvent, ThreadCtx,
};
use vmscope_core::guest::GuestCpu;
use vmscope_core::module::{Bus, Interest, Module};
use vmscope_linux::netops::SockOp;
use vmscope_linux::syscalls::Call;
use vmscope_linux::{fileops, netops, sock};

use crate::kernel::KernelCell;
use crate::syscalls::Syscalls;
use model::{Caller, Model};

/// The network monitor module.
#[derive(Default)]
pub struct Network {
    model: Mutex<Model>,
    /// The kernel's layouts, to read sockets the model did not see made.
    kernel: Option<Arc<KernelCell>>,
}

/// Sockets read from the kernel per call at most.
const MAX_KERNEL_READS: usize = 4;

/// Calls that change descriptor tables without being about sockets (read from the file mapping).
fn lifecycle_call(c: Call) -> bool {
    use Call as C;
    matches!(
        c,
        C::Dup
            | C::Dup2
            | C::Dup3
            | C::Fcntl
            | C::Fcntl64
            | C::Close
            | C::CloseRange
            | C::Clone
            | C::Clone3
            | C::Fork
            | C::Vfork
            | C::Execve
            | C::Execveat
            | C::Exit
            | C::ExitGroup
    )
}

/// The model's key for a thread: its id, or its address space when threads are not identified.
fn who_key(t: &ThreadCtx) -> u64 {
    match t.tid {
        Some(tid) => u64::from(tid),
        None => t.asid | 1 << 63,
    }
}

impl Network {
    /// The module's name.
    pub const NAME: &'static str = "network";

    /// A network monitor.
    pub fn new() -> Self {
        Self::default()
    }

    /// A network monitor that reads sockets it did not see made from the kernel's structures, with
    /// the layouts of `kernel`.
    pub fn with_kernel(kernel: Arc<KernelCell>) -> Self {
        Self {
            kernel: Some(kernel),
            ..Self::default()
        }
    }

    /// What socket descriptor `fd` of `thread` is, from the kernel (live memory at the call's return).
    fn kernel_sock(
        &self,
        thread: &ThreadCtx,
        fd: i64,
        cpu: &mut dyn GuestCpu,
    ) -> Option<sock::KernelSock> {
        let vfs = self.kernel.as_ref()?.vfs()?;
        let l = vfs.sock.as_ref()?;
        if thread.task == 0 {
            return None;
        }
        sock::task_fd_sock(cpu, vfs, l, thread.task, fd)
    }

    /// Handles one syscall event: the model's changes, the events to publish.
    pub fn handle(&self, ev: &SyscallEvent, cpu: &mut dyn GuestCpu, bus: &mut Bus) {
        let Some(call) = Call::of(ev) else {
            return;
        };
        let lifecycle = lifecycle_call(call);
        if !lifecycle && !netops::may_touch_sockets(call) {
            return;
        }
        let who = Caller {
            key: who_key(&ev.thread),
            thread: &ev.thread,
            ts: ev.ts,
            ts_exit: ev.ts_exit.unwrap_or(ev.ts),
            vcpu: ev.vcpu,
            syscall: ev.name,
        };
        let mut out = Vec::new();
        if lifecycle {
            // The file mapping reads only what these calls need (no paths for these).
            let ops: Vec<(FileOp, bool)> = fileops::file_calls(ev, cpu)
                .into_iter()
                .map(|c| (c.op, c.error.is_none()))
                .collect();
            let mut m = self.model.lock().unwrap_or_else(PoisonError::into_inner);
            for (op, ok) in &ops {
                out.extend(m.lifecycle(&who, op, *ok));
            }
        } else {
            let calls = netops::sock_calls(ev, cpu);
            if calls.is_empty() {
                return;
            }
            // Sockets the model never saw made, used by a socket call that worked: asked of the
            // kernel before the lock is taken (no guest read while other vCPUs may wait on it).
            let unknown: Vec<i64> = if self.kernel.is_some() {
                let m = self.model.lock().unwrap_or_else(PoisonError::into_inner);
                let mut v: Vec<i64> = calls
                    .iter()
                    .filter(|c| {
                        c.socket_call
                            && c.error.is_none()
                            && !matches!(c.op, SockOp::New { .. })
                            && !m.knows(who.key, c.fd)
                    })
                    .map(|c| c.fd)
                    .collect();
                v.dedup();
                v.truncate(MAX_KERNEL_READS);
                v
            } else {
                Vec::new()
            };
            let learned: Vec<(i64, sock::KernelSock)> = unknown
                .into_iter()
                .filter_map(|fd| Some((fd, self.kernel_sock(&ev.thread, fd, cpu)?)))
                .collect();
            let mut m = self.model.lock().unwrap_or_else(PoisonError::into_inner);
            for (fd, k) in &learned {
                m.learn(&who, *fd, k);
            }
            for c in &calls {
                out.extend(m.apply(&who, c));
            }
        }
        for e in out {
            bus.publish(Event::Net(Box::new(e)));
        }
    }

    /// What socket descriptor `fd` of `thread` is, as `--decode-fds` shows it
    /// (`socket:[127.0.0.1:5555->127.0.0.1:7777]`); `None` when it is no socket the model knows an
    /// address of.
    pub fn socket_name(&self, thread: &ThreadCtx, fd: i64) -> Option<std::sync::Arc<str>> {
        let mut m = self.model.lock().unwrap_or_else(PoisonError::into_inner);
        m.sock_name(who_key(thread), fd)
    }

    /// The model, for tests.
    pub fn with_model<R>(&self, f: impl FnOnce(&mut Model) -> R) -> R {
        f(&mut self.model.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl Module for Network {
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
            ..Interest::default()
        }
    }

    fn on_event(&self, event: &Event, cpu: &mut dyn GuestCpu, bus: &mut Bus) {
        if let Event::Syscall(ev) = event {
            self.handle(ev, cpu, bus);
        }
    }

    fn on_stop(&self, bus: &mut Bus) {
        let ts = vmscope_core::clock::now_ns();
        let (conns, dropped, sockets, threads) = {
            let mut m = self.model.lock().unwrap_or_else(PoisonError::into_inner);
            let (sockets, threads) = (m.sockets(), m.threads());
            (m.finish(), m.dropped, sockets, threads)
        };
        let n = conns.len();
        for c in conns {
            bus.publish(Event::Connection(Box::new(c)));
        }
        if dropped > 0 {
            bus.publish(Event::Notice(Notice {
                ts,
                source: Self::NAME.into(),
                level: Level::Warning,
                message: format!(
                    "{dropped} connections left out of the summary (more than {})",
                    model::MAX_CONNECTIONS
                ),
            }));
        }
        bus.publish(Event::Notice(Notice {
            ts,
            source: Self::NAME.into(),
            level: Level::Info,
            message: format!(
                "network model at the end: {threads} threads, {sockets} sockets open, {n} \
                 connections summarised"
            ),
        }));
    }
}

#[cfg(test)]
mod tests;

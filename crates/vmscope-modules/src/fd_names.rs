//! `--decode-fds` (strace's `-y`): every descriptor argument and returned descriptor of a call carries
//! what it names, taken from the modules that follow descriptors — the network monitor for sockets
//! (`socket:[127.0.0.1:5555->127.0.0.1:7777]`, `socket:[/tmp/x.sock]`), the file monitor for the rest
//! (`/etc/fstab`, `pipe:[1234]`) — and rendered by the journal (`read(3</etc/fstab>, ...)`).
//!
//! Names are taken on the vCPU as shared strings (a reference count, no copy, no guest read) and
//! rendered on the journal's writer thread. Argument names are taken when the syscall module
//! publishes the call, before the file and network monitors apply it (so `close(3</etc/fstab>)`
//! names what was closed); the returned descriptor's name after they did ([`FdNameSink`], between
//! them and the journal), where the call's arguments still unnamed are named too (a descriptor open
//! before tracing that the call made the file monitor ask the kernel about). Where nothing is known
//! the descriptor is printed bare, as strace does.

use std::sync::{Arc, OnceLock};

use vmscope_core::dispatch::Sink;
use vmscope_core::event::{Event, FdNames, Handle, SyscallEvent, ThreadCtx};
use vmscope_linux::syscalls::{fd_arg_replaced, fd_args, returned_fd};

use crate::files::Files;

/// `AT_FDCWD` as [`fd_args`] gives it: a directory argument naming the current directory.
const AT_FDCWD: Handle = -100;
use crate::network::Network;

/// Where descriptor names come from: the file and network monitors of the run (set once they are
/// built).
#[derive(Default)]
pub struct FdNamer {
    files: OnceLock<Arc<Files>>,
    network: OnceLock<Arc<Network>>,
}

impl FdNamer {
    /// A namer that knows nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Names come from this file monitor.
    pub fn set_files(&self, files: Arc<Files>) {
        let _ = self.files.set(files);
    }

    /// Socket names come from this network monitor.
    pub fn set_network(&self, network: Arc<Network>) {
        let _ = self.network.set(network);
    }

    /// What descriptor `fd` of `thread` names now: a socket's addresses, else the file monitor's name
    /// (not its placeholders for a pipe or socket whose inode it could not read, `pipe:[?]`: unknown);
    /// `AT_FDCWD`, the current directory.
    pub fn name(&self, thread: &ThreadCtx, fd: Handle) -> Option<Arc<str>> {
        if fd == AT_FDCWD {
            return self.files.get()?.cwd_name(thread);
        }
        self.network
            .get()
            .and_then(|n| n.socket_name(thread, fd))
            .or_else(|| self.files.get()?.fd_name(thread, fd))
            .filter(|n| !n.ends_with(":[?]"))
    }

    /// The names of a call's descriptor arguments as they are before the modules apply it; `None`
    /// when none is known.
    pub fn before(&self, ev: &SyscallEvent) -> Option<Box<FdNames>> {
        let mut names = FdNames::default();
        for (i, fd) in fd_args(ev.abi, ev.nr, ev.call, &ev.raw) {
            names.args[i] = self.name(&ev.thread, fd);
        }
        (!names.is_empty()).then(|| Box::new(names))
    }

    /// After the modules applied the call: the returned descriptor's name, and the arguments' names
    /// still missing where the call did not itself replace the descriptor (from the file monitor
    /// only: the names it asked the kernel for, of descriptors open before tracing).
    pub fn after(&self, ev: &mut SyscallEvent) {
        let ret = returned_fd(ev.call, &ev.raw, ev.ret_ok());
        let missing: Vec<(usize, Handle)> = fd_args(ev.abi, ev.nr, ev.call, &ev.raw)
            .filter(|&(i, _)| {
                !fd_arg_replaced(ev.call, i)
                    && ev
                        .data
                        .fd_names
                        .as_ref()
                        .is_none_or(|n| n.args[i].is_none())
            })
            .collect();
        if ret.is_none() && missing.is_empty() {
            return;
        }
        let mut names = ev.data.fd_names.take().unwrap_or_default();
        // Only the file monitor's names: what it learned from the kernel for this call (a
        // descriptor from before tracing) is what the descriptor was; a socket's new address is not.
        for (i, fd) in missing {
            names.args[i] = self
                .files
                .get()
                .and_then(|f| match fd {
                    AT_FDCWD => f.cwd_name(&ev.thread),
                    _ => f.fd_name(&ev.thread, fd),
                })
                .filter(|n| !n.ends_with(":[?]"));
        }
        if let Some(fd) = ret {
            names.ret = self.name(&ev.thread, fd);
        }
        if !names.is_empty() {
            ev.data.fd_names = Some(names);
        }
    }
}

/// Names returned descriptors (and fills in argument names) of the calls on their way to the journal,
/// after every module applied them.
pub struct FdNameSink {
    inner: Arc<dyn Sink>,
    namer: Arc<FdNamer>,
}

impl FdNameSink {
    /// Names calls with `namer`, then hands every event to `inner`.
    pub fn new(inner: Arc<dyn Sink>, namer: Arc<FdNamer>) -> Self {
        Self { inner, namer }
    }
}

impl Sink for FdNameSink {
    fn emit(&self, mut event: Event) {
        if let Event::Syscall(ev) = &mut event {
            self.namer.after(ev);
        }
        self.inner.emit(event);
    }

    fn flush(&self) {
        self.inner.flush();
    }
}

#[cfg(test)]
mod tests;

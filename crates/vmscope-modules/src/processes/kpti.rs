//! What a call's return needs from the kernel, noted at its entry and read at the last page-table
//! switch before the return, where the kernel is still mapped (page-table isolation, KPTI); and the
//! hooks that do it.

use std::sync::atomic::Ordering;

use vmscope_core::event::{Abi, ThreadCtx};
use vmscope_core::guest::GuestCpu;
use vmscope_core::module::{Bus, Hook};
use vmscope_linux::btf::KernelLayout;
use vmscope_linux::process as lp;
use vmscope_linux::syscalls::Call;
use vmscope_linux::{task, vfs};

use super::Processes;
use super::lists::{WALK_PERIODIC, WALK_SHUTDOWN, WALK_START, walk_name};

/// What a call will want from the kernel at its return, noted at its entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Need {
    /// An exec, called from this address space: a successful one returns in another.
    pub(super) exec_from: Option<u64>,
    /// The thread is not in the table: its parent, to announce it.
    pub(super) parent: bool,
    /// The table has no address space for the process (new to it, or a kernel thread at the last
    /// walk, like init before it ran /init): its `mm` now.
    pub(super) mm: bool,
}

/// What was read from the kernel at the page-table switch before a call's return.
#[derive(Debug, Clone, Default)]
pub(super) struct Facts {
    /// The thread current at the switch.
    pub(super) pid: Option<u32>,
    pub(super) tid: Option<u32>,
    pub(super) ppid: Option<u32>,
    pub(super) mm: Option<u64>,
    pub(super) exec: Option<ExecFacts>,
}

/// The kernel's account of a task right after a successful exec.
#[derive(Debug, Clone, Default)]
pub(super) struct ExecFacts {
    pub(super) pid: u32,
    pub(super) tid: u32,
    pub(super) comm: String,
    pub(super) ppid: Option<u32>,
    pub(super) argv: Option<Vec<String>>,
    /// `AT_EXECFN` read as a 64-bit and as a 32-bit auxiliary vector (which one is right is known from
    /// the return's code segment).
    pub(super) execfn64: Option<String>,
    pub(super) execfn32: Option<String>,
    /// The program file (`mm->exe_file`), and the working directory when no absolute `AT_EXECFN`
    /// was found.
    pub(super) path: Option<String>,
    pub(super) cwd: Option<String>,
}

impl ExecFacts {
    pub(super) fn execfn(&self, abi: Abi) -> Option<String> {
        match abi {
            Abi::X86_64 | Abi::Aarch64 => self.execfn64.clone(),
            Abi::I386 => self.execfn32.clone(),
        }
    }
}

impl Processes {
    /// The kernel's account of `task` right after an exec: `None` when the kernel cannot be read here.
    /// `abi` is the new image's when known (at the return); at a page-table switch it is not, and
    /// `AT_EXECFN` is read both ways.
    pub(super) fn read_exec(
        &self,
        cpu: &mut dyn GuestCpu,
        layout: &KernelLayout,
        task: u64,
        abi: Option<Abi>,
    ) -> Option<ExecFacts> {
        let ident = task::read_task_ident(cpu, task, layout)?;
        let mut f = ExecFacts {
            pid: ident.pid,
            tid: ident.tid,
            comm: ident.comm_lossy(),
            ppid: lp::parent_pid(cpu, task, layout),
            argv: lp::read_cmdline(cpu, task, layout),
            ..ExecFacts::default()
        };
        // The image's own ABI first; the other only when that finds nothing or the ABI is unknown.
        if abi != Some(Abi::I386) {
            f.execfn64 = lp::read_execfn(cpu, task, layout, Abi::X86_64);
        }
        if abi.is_none() || f.execfn64.is_none() {
            f.execfn32 = lp::read_execfn(cpu, task, layout, Abi::I386);
        }
        if abi == Some(Abi::I386) && f.execfn32.is_none() {
            f.execfn64 = lp::read_execfn(cpu, task, layout, Abi::X86_64);
        }
        // The kernel's own name for the program file (symlinks resolved), and the working directory
        // for a file name given relative.
        if let Some(v) = self.kernel.vfs() {
            f.path = lp::exe_file(cpu, task, layout).and_then(|file| vfs::file_name(cpu, v, file));
            let absolute = [&f.execfn64, &f.execfn32]
                .into_iter()
                .flatten()
                .any(|n| n.starts_with('/'));
            if !absolute {
                f.cwd = vfs::task_cwd(cpu, v, task);
            }
        }
        Some(f)
    }

    /// At a kernel entry: the first call seen gets the start list, the guest's `reboot` call a last
    /// one while the guest can be read; and what the call will want from the kernel at its return is
    /// noted, to be read at the page-table switch before it if the kernel is not mapped there (KPTI).
    pub(super) fn on_entry(&self, cpu: &mut dyn GuestCpu, hook: &Hook, bus: &mut Bus) {
        let Some(layout) = self.kernel.layout() else {
            return;
        };
        let Some(thread) = hook.thread.as_ref().filter(|t| t.task != 0) else {
            return;
        };
        let task = thread.task;
        if !self.started.load(Ordering::Relaxed) && !self.started.swap(true, Ordering::Relaxed) {
            self.list(cpu, layout, task, WALK_START, hook.ts, bus);
        }
        let Some(call) = hook.call.as_ref() else {
            return;
        };
        let call = call.call.and_then(Call::from_id);
        if call == Some(Call::Reboot) {
            if !self.shutdown_listed.swap(true, Ordering::Relaxed) {
                self.shutdown_ts.store(hook.ts, Ordering::Relaxed);
                self.list(cpu, layout, task, WALK_SHUTDOWN, hook.ts, bus);
            }
            return;
        }
        let (known, no_mm) = match (thread.pid, thread.tid) {
            (Some(pid), Some(tid)) => self.table_view(pid, tid, hook.ts),
            _ => (true, false),
        };
        let need = Need {
            exec_from: matches!(call, Some(Call::Execve | Call::Execveat)).then_some(thread.asid),
            parent: !known,
            mm: no_mm,
        };
        if need.exec_from.is_some() || need.parent || need.mm {
            self.at_return.note(task, need);
        }
    }

    /// At a page-table switch: walks the lists that had to wait, and reads what a call of the current
    /// thread noted it will want at its return. Only when something waits: with KPTI this runs before
    /// every return to user mode. On the way into the kernel the old tables are the user's, the kernel
    /// cannot be read and nothing is done (the context module then names the thread it remembers).
    pub(super) fn on_switch(&self, cpu: &mut dyn GuestCpu, hook: &Hook, bus: &mut Bus) {
        if self.deferred.load(Ordering::Relaxed) == 0 && self.at_return.is_idle() {
            return;
        }
        let Some(layout) = self.kernel.layout() else {
            return;
        };
        let Some(t) = hook.thread.as_ref().filter(|t| t.task != 0) else {
            return;
        };
        if t.tid.is_none() || cpu.read_u32(t.task.wrapping_add(layout.task.pid)) != t.tid {
            return;
        }
        if self.deferred.load(Ordering::Relaxed) != 0 {
            let bits = self.deferred.swap(0, Ordering::Relaxed);
            for bit in [WALK_START, WALK_PERIODIC, WALK_SHUTDOWN] {
                if bits & bit != 0 {
                    self.walk(cpu, layout, t.task, walk_name(bit), hook.ts, bus);
                }
            }
        }
        let vcpu = cpu.vcpu();
        self.at_return.capture(vcpu, t.task, |need| {
            self.facts_at_switch(cpu, layout, t, *need)
        });
    }

    pub(super) fn facts_at_switch(
        &self,
        cpu: &mut dyn GuestCpu,
        layout: &KernelLayout,
        t: &ThreadCtx,
        need: Need,
    ) -> Facts {
        let mut f = Facts {
            pid: t.pid,
            tid: t.tid,
            ..Facts::default()
        };
        if need.parent {
            f.ppid = lp::parent_pid(cpu, t.task, layout);
        }
        if need.mm {
            f.mm = lp::task_mm(cpu, t.task, layout);
        }
        // A successful exec returns in a new address space; a failed one has nothing to read. Earlier
        // switches during the exec may see it half done: the last one before the return wins.
        if need.exec_from.is_some_and(|from| from != t.asid) {
            f.exec = self.read_exec(cpu, layout, t.task, None);
        }
        f
    }
}

//! Fixtures shared by the modules' unit tests.

use vmscope_linux::btf::KernelLayout;

/// The small synthetic kernel of vmscope-linux's tests (6.1-like thread lists): task_struct pid
/// 0x100, tgid 0x104, comm 0x200, mm 0x80, tasks 0x40; the current task at per-CPU offset 0,
/// `this_cpu_off` at 8.
pub(crate) fn layout() -> KernelLayout {
    vmscope_linux::testing::small_layout(false)
}

/// The number of call `name` in `abi`'s table.
pub(crate) fn nr_of(abi: vmscope_core::event::Abi, name: &str) -> u64 {
    (0..1024u64)
        .find(|&n| vmscope_linux::syscalls::lookup(abi, n).is_some_and(|d| d.name() == name))
        .unwrap_or_else(|| panic!("{name} is not in the {abi:?} table"))
}

/// A system call as the syscall detector publishes it: `name` made by `thread` with arguments
/// `raw`, returning `ret` (`None`: it did not return), its memory captured from `mem` at entry and
/// exit (`None`: nothing captured).
pub(crate) fn syscall_event(
    abi: vmscope_core::event::Abi,
    name: &str,
    thread: vmscope_core::event::ThreadCtx,
    raw: [u64; 6],
    ret: Option<i64>,
    mem: Option<&mut dyn vmscope_core::guest::GuestMemory>,
) -> vmscope_core::event::SyscallEvent {
    use vmscope_core::event::{CallEnd, SyscallEvent};
    use vmscope_linux::syscalls::{self, DecodeOptions};
    let nr = nr_of(abi, name);
    let opts = DecodeOptions::default();
    let mut unreadable = vmscope_core::guest::Unreadable;
    let mem = mem.unwrap_or(&mut unreadable);
    let mut c = syscalls::capture_entry(&opts, abi, nr, &raw, mem);
    let end = if ret.is_some() {
        CallEnd::Returned
    } else {
        CallEnd::NoReturn
    };
    if ret.is_some() {
        syscalls::capture_exit(&opts, abi, nr, &mut c, ret, None, mem);
    }
    SyscallEvent {
        ts: 1_000,
        ts_exit: ret.map(|_| 2_000),
        vcpu: 0,
        thread,
        abi,
        entry: vmscope_core::arch::EntryKind::Syscall,
        nr,
        call: c.call.map(syscalls::Call::id),
        name: c.name(),
        raw: c.raw,
        ret,
        end,
        data: c.data,
        stack: None,
    }
}

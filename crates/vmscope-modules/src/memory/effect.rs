//! Which calls change an address space, and where.

use vmscope_core::event::{Abi, SyscallEvent};
use vmscope_core::guest::GuestMemory;
use vmscope_linux::syscalls::Call;

/// `MAP_FIXED`: the address asked for is where the mapping goes.
const MAP_FIXED: u64 = 0x10;
/// i386 `ipc` operations on shared memory.
const IPC_SHMAT: u64 = 21;
const IPC_SHMDT: u64 = 22;

/// What a successful call did to its process's address space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Effect {
    /// `mmap`, `mmap2`: `[start, end)` mapped.
    Map(u64, u64),
    /// `shmat`: a segment mapped at this address (its size is the kernel's to say).
    Shmat(u64),
    /// `munmap`: `[start, end)` unmapped.
    Unmap(u64, u64),
    /// `shmdt`: the segment at this address detached.
    Shmdt(u64),
    /// `mprotect`, `pkey_mprotect`: `[start, end)` given other permissions.
    Protect(u64, u64),
    /// `mremap`: `old` moved or resized to `new`.
    Remap {
        /// Where it was.
        old: (u64, u64),
        /// Where it is.
        new: (u64, u64),
    },
    /// `brk`: the heap now ends here.
    Brk(u64),
    /// `madvise`: `[start, end)` advised (areas change only for a few kinds of advice).
    Advise(u64, u64),
    /// A change whose range is not known from the call (i386 `ipc` on shared memory): the whole
    /// space is read again and compared.
    Unknown,
    /// A successful exec: a new address space.
    Exec,
}

/// `len` rounded up to pages, added to `start` (saturating).
fn span(start: u64, len: u64) -> (u64, u64) {
    let len = len.saturating_add(0xfff) & !0xfff;
    (start, start.saturating_add(len))
}

/// The address a call returned.
fn addr(c: &SyscallEvent, ret: i64) -> u64 {
    match c.abi {
        Abi::I386 => ret as u64 & 0xffff_ffff,
        Abi::X86_64 | Abi::Aarch64 => ret as u64,
    }
}

/// What successful call `c` did to the address space; `None` for calls that leave it alone (and for
/// failed ones). `mem` reads the caller's memory (i386's old `mmap` passes its arguments there).
pub(super) fn of<M: GuestMemory + ?Sized>(c: &SyscallEvent, mem: &mut M) -> Option<Effect> {
    let call = c.call.and_then(Call::from_id)?;
    let ret = c.ret_ok()?;
    let a = c.raw;
    Some(match call {
        Call::Execve | Call::Execveat => Effect::Exec,
        // i386's `mmap` (number 90) takes a pointer to its six arguments.
        Call::Mmap if c.abi == Abi::I386 => match mem.read_u32(a[0].wrapping_add(4)) {
            Some(len) => {
                let (s, e) = span(addr(c, ret), u64::from(len));
                Effect::Map(s, e)
            }
            None => Effect::Unknown,
        },
        Call::Mmap | Call::Mmap2 => {
            let (s, e) = span(addr(c, ret), a[1]);
            Effect::Map(s, e)
        }
        Call::Munmap => {
            let (s, e) = span(a[0], a[1]);
            Effect::Unmap(s, e)
        }
        Call::Mprotect | Call::PkeyMprotect => {
            let (s, e) = span(a[0], a[1]);
            Effect::Protect(s, e)
        }
        Call::Mremap => Effect::Remap {
            old: span(a[0], a[1]),
            new: span(addr(c, ret), a[2]),
        },
        Call::Brk => Effect::Brk(addr(c, ret)),
        Call::Madvise => {
            let (s, e) = span(a[0], a[1]);
            Effect::Advise(s, e)
        }
        // i386 reaches these through `ipc`, which returns the address through memory.
        Call::Shmat if c.abi == Abi::X86_64 => Effect::Shmat(addr(c, ret)),
        Call::Shmdt if c.abi == Abi::X86_64 => Effect::Shmdt(a[0]),
        Call::Shmat | Call::Shmdt => Effect::Unknown,
        Call::Ipc if matches!(a[0] & 0xffff, IPC_SHMAT | IPC_SHMDT) => Effect::Unknown,
        _ => return None,
    })
}

/// Whether a call about to be made may change its address space (`None`: it cannot), and the ranges
/// to read at its return when they are known at its entry (`Some(None)`: read everything).
pub(super) fn at_entry(call: Call, abi: Abi, a: &[u64; 6]) -> Option<Option<Vec<(u64, u64)>>> {
    Some(match call {
        Call::Munmap | Call::Mprotect | Call::PkeyMprotect | Call::Madvise => {
            Some(vec![span(a[0], a[1])])
        }
        Call::Mmap | Call::Mmap2 if abi == Abi::X86_64 || call == Call::Mmap2 => {
            (a[3] & MAP_FIXED != 0).then(|| vec![span(a[0], a[1])])
        }
        Call::Mmap
        | Call::Mremap
        | Call::Brk
        | Call::Shmat
        | Call::Shmdt
        | Call::Execve
        | Call::Execveat => None,
        Call::Ipc if matches!(a[0] & 0xffff, IPC_SHMAT | IPC_SHMDT) => None,
        _ => return None,
    })
}

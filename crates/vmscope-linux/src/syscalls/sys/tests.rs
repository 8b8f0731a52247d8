//! Unit tests of the `sys` family: synthetic guests, expected lines from strace 6.1's output for the
//! same calls (on this machine, x86_64 and i386 builds of `guest/workloads/procfam.c` and
//! `fsfam.c`). Every line is decoded both ways (directly, and captured then rendered).

use vmscope_core::event::Abi;
use vmscope_core::guest::TestGuest;

use crate::syscalls::tests::{i386, line_mem, x64};

const EINVAL: i64 = -22;
const EFAULT: i64 = -14;

/// A call whose memory changes between entry and exit (`entry`, then `exit` applied over it).
fn x64_io(
    name: &str,
    raw: [u64; 6],
    entry: &mut TestGuest,
    exit: impl FnOnce(&mut TestGuest),
    ret: i64,
) -> String {
    let mut after = entry.clone();
    exit(&mut after);
    line_mem(Abi::X86_64, name, raw, entry, &mut after, Some(ret))
}

fn i386_io(
    name: &str,
    raw: [u64; 6],
    entry: &mut TestGuest,
    exit: impl FnOnce(&mut TestGuest),
    ret: i64,
) -> String {
    let mut after = entry.clone();
    exit(&mut after);
    line_mem(Abi::I386, name, raw, entry, &mut after, Some(ret))
}

mod fidelity;
mod fs;
mod ioctl;
mod ipc;
mod mem;
mod misc;
mod proc;

//! Linux's user-space ABI constants in one place: flag bits, command numbers and their names, as the
//! kernel's uapi headers define them and in the order strace prints them.
//!
//! Every decoder and every module takes its constants from here, never from a literal of its own;
//! `check` (a test) compiles a C program against the headers installed on the machine and compares
//! every named value with the headers' (like the syscall tables are checked against `unistd_*.h`).

pub mod events;
pub mod fs;
pub mod ioctl;
#[rustfmt::skip]
pub mod ioctl_names;
pub mod ipc;
pub mod mm;
pub mod net;
pub mod proc;
pub mod process;
pub mod signal;
pub mod time;

/// A table of `(value, name)`: flag bits tried in order, or exact values.
pub type Xlat = &'static [(u64, &'static str)];

/// The name of `v` in an exact-value table.
pub fn name_of(table: Xlat, v: u64) -> Option<&'static str> {
    table.iter().find(|&&(val, _)| val == v).map(|&(_, n)| n)
}

#[cfg(test)]
mod check;

//! Renderings of flag sets and constants that need more than a table lookup: open flags with their
//! access mode, mapping flags with their type and huge-page size, signals, file modes, devices.

use super::out::{Out, w};
use crate::uapi::{Xlat, fs, mm, name_of, signal as sig};

/// `open`'s flags: access mode first, then the other flags.
pub(crate) fn open_flags(w: &mut Out<'_>, abi: vmscope_core::event::Abi, v: u64) {
    open_flags64(w, fs::open_flags_canonical(abi, v & 0xffff_ffff));
}

/// Open flags of 64 bits (`struct open_how`'s, in x86's bit order): bits without a name, high or
/// low, in one number.
pub(crate) fn open_flags64(w: &mut Out<'_>, v: u64) {
    w.s(match v & fs::O_ACCMODE {
        0 => "O_RDONLY",
        1 => "O_WRONLY",
        2 => "O_RDWR",
        _ => "O_ACCMODE",
    });
    let rest = v & !fs::O_ACCMODE;
    if rest != 0 {
        w.c('|');
        w.flags(rest, fs::OPEN_FLAGS, "0");
    }
}

/// Whether strace shows `open`'s mode argument: `O_CREAT` or `__O_TMPFILE` (`O_TMPFILE` without
/// its `O_DIRECTORY` bit is enough).
pub(crate) fn open_takes_mode(abi: vmscope_core::event::Abi, v: u64) -> bool {
    let v = fs::open_flags_canonical(abi, v);
    v & (fs::O_CREAT | (fs::O_TMPFILE & !fs::O_DIRECTORY)) != 0
}

/// `mmap`'s flags: the mapping type, the flags, the huge page size.
pub(crate) fn mmap_flags(w: &mut Out<'_>, v: u64) {
    let v = v & 0xffff_ffff;
    if v == 0 {
        w.s("MAP_FILE");
        return;
    }
    let mut first = true;
    let mut bar = |w: &mut Out<'_>| {
        if !first {
            w.c('|');
        }
        first = false;
    };
    let ty = v & 0xf;
    match ty {
        0 => {
            bar(w);
            w.s("MAP_FILE");
        }
        1 => {
            bar(w);
            w.s("MAP_SHARED");
        }
        2 => {
            bar(w);
            w.s("MAP_PRIVATE");
        }
        3 => {
            bar(w);
            w.s("MAP_SHARED_VALIDATE");
        }
        _ => {
            bar(w);
            w!(w, "{ty:#x} /* MAP_??? */");
        }
    }
    let huge = (v >> 26) & 0x3f;
    let rest = v & !0xf & !(0x3f << 26);
    if rest != 0 {
        bar(w);
        w.flags(rest, mm::MAP_FLAGS, "0");
    }
    if huge != 0 {
        bar(w);
        w!(w, "{huge}<<MAP_HUGE_SHIFT");
    }
}

/// The name of signal `n` (`SIGINT`), when it has one.
pub(crate) fn signal_name(n: u64) -> Option<&'static str> {
    name_of(sig::SIGNALS, n)
}

/// A signal number as strace prints it: `SIGINT`, `SIGRTMIN`, `SIGRT_3`, or the number.
pub(crate) fn signal(w: &mut Out<'_>, v: u64) {
    let n = v & 0xffff_ffff;
    if let Some(name) = signal_name(n) {
        w.s(name);
    } else if n == 32 {
        w.s("SIGRTMIN");
    } else if (33..=64).contains(&n) {
        w!(w, "SIGRT_{}", n - 32);
    } else {
        w.int(i64::from(n as u32 as i32));
    }
}

/// The `S_IF*` file type of a mode, strace style: `S_IFREG|0644`.
pub(crate) fn file_mode(w: &mut Out<'_>, m: u64) {
    let ty = match m & 0o170000 {
        0o140000 => "S_IFSOCK",
        0o120000 => "S_IFLNK",
        0o100000 => "S_IFREG",
        0o060000 => "S_IFBLK",
        0o040000 => "S_IFDIR",
        0o020000 => "S_IFCHR",
        0o010000 => "S_IFIFO",
        _ => "",
    };
    if ty.is_empty() && m & 0o170000 != 0 {
        // strace's `print_symbolic_mode_t`: a type it cannot name, the whole mode in octal.
        w.octal03(m);
        return;
    }
    if !ty.is_empty() {
        w.s(ty);
        w.c('|');
    }
    for (bit, name) in [
        (0o4000, "S_ISUID|"),
        (0o2000, "S_ISGID|"),
        (0o1000, "S_ISVTX|"),
    ] {
        if m & bit != 0 {
            w.s(name);
        }
    }
    w.octal03(m & !0o177000);
}

/// `makedev(0x1, 0x3)` from a Linux `dev_t` (new encoding).
pub(crate) fn makedev(w: &mut Out<'_>, dev: u64) {
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
    let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
    w.s("makedev(");
    w.hex(major);
    w.s(", ");
    w.hex(minor);
    w.c(')');
}

/// An exact value from `table` or `0x… /* WHAT */` on the low 32 bits.
pub(crate) fn xlat32(w: &mut Out<'_>, v: u64, table: Xlat, unknown: &str) {
    w.xlat(v & 0xffff_ffff, table, unknown);
}

/// Flags from `table` on the low 32 bits.
pub(crate) fn flags32(w: &mut Out<'_>, v: u64, table: Xlat, zero: &str) {
    w.flags(v & 0xffff_ffff, table, zero);
}

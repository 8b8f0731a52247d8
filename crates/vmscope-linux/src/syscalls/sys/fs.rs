//! File-system calls as strace prints them: `statfs` structures, `mknod` modes and devices, file
//! times with their dates (`utimensat`, `utimes`, `utime`), `openat2`'s `open_how`, `fcntl` (every
//! command, lock structures of both ABIs, owners, leases, seals), `sendfile`/`splice` offsets,
//! extended attribute values and lists, file handles.

use vmscope_core::event::Abi;

use super::super::ctx::Ctx;
use super::super::out::{Out, Quote, w};
use super::super::read::{le_u32, le_u64, read_bytes, word_size};
use super::super::{Call, xlat};
use super::util::{at_entry, num_at, num_i32, pflags, pxval, sflags};
use crate::uapi::{fs, name_of};

/// A date as strace's `sprinttime` writes it (UTC, the guests have no time zone):
/// `2023-11-14T22:13:20.000000999+0000`; `None` for the epoch itself or a fraction out of range.
pub(crate) fn date(sec: i64, frac: u64, max_frac: u64, width: usize) -> Option<String> {
    if (sec == 0 && frac == 0) || frac > max_frac {
        return None;
    }
    let days = sec.div_euclid(86_400);
    let secs = sec.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let mut s = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    if frac > 0 {
        s.push_str(&format!(".{frac:0width$}"));
    }
    s.push_str("+0000");
    Some(s)
}

/// ` /* date */` when the value has one.
fn date_comment(w: &mut Out<'_>, d: Option<String>) {
    if let Some(d) = d {
        w!(w, " /* {d} */");
    }
}

/// `utimensat`'s pair of times: `[UTIME_NOW, {tv_sec=1, tv_nsec=2} /* 1970-… */]`; `old32` for
/// i386's `utimensat` (32-bit fields).
pub(crate) fn utimens(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, old32: bool) -> Option<()> {
    if addr == 0 {
        w.s("NULL");
        return Some(());
    }
    let size = if old32 { 8 } else { 16 };
    let b = read_bytes(cx.mem, addr, 2 * size)?;
    w.c('[');
    for k in 0..2 {
        if k > 0 {
            w.s(", ");
        }
        let (sec, nsec) = if old32 {
            (
                i64::from(le_u32(&b, 8 * k) as u32 as i32),
                u64::from(le_u32(&b, 8 * k + 4) as u32),
            )
        } else {
            (le_u64(&b, 16 * k) as i64, le_u64(&b, 16 * k + 8))
        };
        // UTIME_NOW and UTIME_OMIT, compared as the kernel's long.
        let nl = if old32 {
            i64::from(nsec as u32 as i32)
        } else {
            nsec as i64
        };
        match nl {
            0x3fff_ffff => w.s("UTIME_NOW"),
            0x3fff_fffe => w.s("UTIME_OMIT"),
            _ => {
                w!(w, "{{tv_sec={sec}, tv_nsec={nsec}}}");
                date_comment(w, date(sec, nsec, 999_999_999, 9));
            }
        }
    }
    w.c(']');
    Some(())
}

/// `utimes`/`futimesat`'s pair of `struct timeval` of the ABI.
pub(crate) fn utimes(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) -> Option<()> {
    if addr == 0 {
        w.s("NULL");
        return Some(());
    }
    let ws = word_size(cx.abi) as usize;
    let b = read_bytes(cx.mem, addr, 4 * ws)?;
    let long = |i: usize| {
        if ws == 8 {
            le_u64(&b, 8 * i) as i64
        } else {
            i64::from(le_u32(&b, 4 * i) as u32 as i32)
        }
    };
    let ulong = |i: usize| {
        if ws == 8 {
            le_u64(&b, 8 * i)
        } else {
            le_u32(&b, 4 * i)
        }
    };
    w.c('[');
    for k in 0..2 {
        if k > 0 {
            w.s(", ");
        }
        let (sec, usec) = (long(2 * k), ulong(2 * k + 1));
        w!(w, "{{tv_sec={sec}, tv_usec={usec}}}");
        date_comment(w, date(sec, usec, 999_999, 6));
    }
    w.c(']');
    Some(())
}

/// `utime`'s `struct utimbuf`: `{actime=5 /* 1970-… */, modtime=6 /* … */}`.
pub(crate) fn utimbuf(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) -> Option<()> {
    if addr == 0 {
        w.s("NULL");
        return Some(());
    }
    let ws = word_size(cx.abi) as usize;
    let b = read_bytes(cx.mem, addr, 2 * ws)?;
    let long = |i: usize| {
        if ws == 8 {
            le_u64(&b, 8 * i) as i64
        } else {
            i64::from(le_u32(&b, 4 * i) as u32 as i32)
        }
    };
    w!(w, "{{actime={}", long(0));
    date_comment(w, date(long(0), 0, 0, 0));
    w!(w, ", modtime={}", long(1));
    date_comment(w, date(long(1), 0, 0, 0));
    w.c('}');
    Some(())
}

/// `mknod`'s mode (`S_IFCHR|0666`) and, for devices, the device (`makedev(0x1, 0x3)`).
pub(crate) fn mknod_mode(cx: &Ctx<'_>, w: &mut Out<'_>, i: usize) {
    let mode = cx.arg(i) & 0xffff;
    xlat::file_mode(w, mode);
    if matches!(mode & 0o170000, 0o020000 | 0o060000) {
        w.sep();
        xlat::makedev(w, cx.arg(i + 1) & 0xffff_ffff);
    }
}

/// `struct statfs` (`large`: `statfs64`'s, whose size must be `size`).
pub(crate) fn statfs(
    cx: &mut Ctx<'_>,
    w: &mut Out<'_>,
    addr: u64,
    large: Option<u64>,
) -> Option<()> {
    let ws = word_size(cx.abi);
    // (type, bsize, blocks, bfree, bavail, files, ffree, fsid0, fsid1, namelen, frsize, flags)
    let f: [u64; 12] = match large {
        Some(size) => {
            if size != 84 || cx.abi != Abi::I386 {
                w.ptr(addr);
                return Some(());
            }
            let b = read_bytes(cx.mem, addr, 84)?;
            [
                le_u32(&b, 0),
                le_u32(&b, 4),
                le_u64(&b, 8),
                le_u64(&b, 16),
                le_u64(&b, 24),
                le_u64(&b, 32),
                le_u64(&b, 40),
                le_u32(&b, 48),
                le_u32(&b, 52),
                le_u32(&b, 56),
                le_u32(&b, 60),
                le_u32(&b, 64),
            ]
        }
        None if ws == 8 => {
            let b = read_bytes(cx.mem, addr, 120)?;
            let q = |i: usize| le_u64(&b, 8 * i);
            [
                q(0),
                q(1),
                q(2),
                q(3),
                q(4),
                q(5),
                q(6),
                le_u32(&b, 56),
                le_u32(&b, 60),
                q(8),
                q(9),
                q(10),
            ]
        }
        None => {
            let b = read_bytes(cx.mem, addr, 64)?;
            let d = |i: usize| le_u32(&b, 4 * i);
            [
                d(0),
                d(1),
                d(2),
                d(3),
                d(4),
                d(5),
                d(6),
                d(7),
                d(8),
                d(9),
                d(10),
                d(11),
            ]
        }
    };
    w.s("{f_type=");
    match name_of(fs::FSMAGIC, f[0]) {
        Some(n) => w.s(n),
        None => w.hex(f[0]),
    }
    w!(
        w,
        ", f_bsize={}, f_blocks={}, f_bfree={}, f_bavail={}, f_files={}, f_ffree={}, f_fsid={{val=[",
        f[1],
        f[2],
        f[3],
        f[4],
        f[5],
        f[6]
    );
    w.hex(f[7]);
    w.s(", ");
    w.hex(f[8]);
    w!(w, "]}}, f_namelen={}, f_frsize={}", f[9], f[10]);
    if f[11] & 0x20 != 0 {
        w.s(", f_flags=");
        pflags(w, f[11], fs::STATFS_FLAGS, Some("ST_???"));
    }
    w.c('}');
    Some(())
}

/// `struct flock` of the ABI (`big`: `struct flock64`), with `l_pid` for the `F_GETLK` family.
fn flock(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, big: bool, getlk: bool) {
    let i386 = cx.abi == Abi::I386;
    let len = match (i386, big) {
        (false, _) => 32,
        (true, true) => 24,
        (true, false) => 16,
    };
    let Some(b) = read_bytes(cx.mem, addr, len).filter(|_| addr != 0) else {
        w.ptr(addr);
        return;
    };
    let ty = le_u32(&b, 0) & 0xffff;
    let whence = (le_u32(&b, 0) >> 16) & 0xffff;
    let (start, l, pid) = match (i386, big) {
        (false, _) => (le_u64(&b, 8) as i64, le_u64(&b, 16) as i64, le_u32(&b, 24)),
        (true, true) => (le_u64(&b, 4) as i64, le_u64(&b, 12) as i64, le_u32(&b, 20)),
        (true, false) => (
            i64::from(le_u32(&b, 4) as u32 as i32),
            i64::from(le_u32(&b, 8) as u32 as i32),
            le_u32(&b, 12),
        ),
    };
    w.s("{l_type=");
    pxval(w, ty, fs::LOCK_TYPES, "F_???");
    w.s(", l_whence=");
    pxval(w, whence, fs::WHENCE, "SEEK_???");
    w!(w, ", l_start={start}, l_len={l}");
    if getlk {
        w!(w, ", l_pid={}", pid as u32 as i32);
    }
    w.c('}');
}

/// `struct f_owner_ex`: `{type=F_OWNER_PID, pid=123}`.
fn owner_ex(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) {
    match read_bytes(cx.mem, addr, 8).filter(|_| addr != 0) {
        Some(b) => {
            w.s("{type=");
            pxval(w, le_u32(&b, 0), fs::F_OWNER_TYPES, "F_OWNER_???");
            w!(w, ", pid={}}}", le_u32(&b, 4) as u32 as i32);
        }
        None => w.ptr(addr),
    }
}

/// `fcntl`/`fcntl64`'s command and the argument it takes (locks read at entry, the `F_GETLK`
/// family's written structure at exit).
pub(crate) fn fcntl(cx: &mut Ctx<'_>, w: &mut Out<'_>) {
    let cmd = cx.arg(1) & 0xffff_ffff;
    let arg = cx.arg(2);
    let addr = cx.warg(2);
    let is64 = cx.desc.call == Call::Fcntl64;
    pxval(w, cmd, fs::FCNTL_CMDS, "F_???");
    match cmd {
        // F_GETFD, F_GETFL, F_GETOWN, F_GETPIPE_SZ, F_GETLEASE, F_GET_SEALS, F_GETSIG
        1 | 3 | 9 | 1032 | 1025 | 1034 | 11 => {}
        // F_SETFD
        2 => {
            w.sep();
            pflags(w, addr, &[(fs::FD_CLOEXEC, "FD_CLOEXEC")], Some("FD_???"));
        }
        // F_SETOWN, F_SETPIPE_SZ, F_DUPFD, F_DUPFD_CLOEXEC
        8 | 1031 | 0 | 1030 => {
            w.sep();
            w.int(super::super::read::long(cx.abi, arg));
        }
        // F_SETFL
        4 => {
            w.sep();
            xlat::open_flags(w, cx.abi, arg);
        }
        // F_SETLK, F_SETLKW; F_OFD_SETLK, F_OFD_SETLKW; F_SETLK64, F_SETLKW64 (fcntl64)
        6 | 7 | 37 | 38 => {
            w.sep();
            at_entry(cx, |cx| flock(cx, w, addr, cmd > 7, false));
        }
        13 | 14 if is64 => {
            w.sep();
            at_entry(cx, |cx| flock(cx, w, addr, true, false));
        }
        // F_GETLK, F_OFD_GETLK, F_GETLK64 (fcntl64)
        5 | 36 => {
            w.sep();
            exit_flock(cx, w, addr, cmd == 36);
        }
        12 if is64 => {
            w.sep();
            exit_flock(cx, w, addr, true);
        }
        // F_SETOWN_EX
        15 => {
            w.sep();
            at_entry(cx, |cx| owner_ex(cx, w, addr));
        }
        // F_GETOWN_EX
        16 => {
            w.sep();
            if cx.ok() {
                owner_ex(cx, w, addr);
            } else {
                w.ptr(addr);
            }
        }
        // F_NOTIFY
        1026 => {
            w.sep();
            pflags(w, addr, fs::DN_FLAGS, Some("DN_???"));
        }
        // F_SETLEASE
        1024 => {
            w.sep();
            pxval(w, addr, fs::LOCK_TYPES, "F_???");
        }
        // F_ADD_SEALS
        1033 => {
            w.sep();
            pflags(w, addr, fs::F_SEALS, Some("F_SEAL_???"));
        }
        // F_SETSIG
        10 => {
            w.sep();
            xlat::signal(w, addr);
        }
        _ => {
            w.sep();
            w.hex(addr);
        }
    }
}

/// A lock structure the call wrote: the pointer when it failed.
fn exit_flock(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, big: bool) {
    if cx.ok() {
        flock(cx, w, addr, big, true);
    } else {
        w.ptr(addr);
    }
}

/// What strace prints for `fcntl`'s return value (`0x1 (flags FD_CLOEXEC)`, `36 (SIGRT_4)`).
pub(crate) fn fcntl_ret(
    w: &mut Out<'_>,
    abi: vmscope_core::event::Abi,
    raw: &[u64; 6],
    ret: i64,
) -> bool {
    let r = ret as u64;
    match raw[1] & 0xffff_ffff {
        // F_GETFD
        1 if ret != 0 => {
            w.hex(r);
            w!(
                w,
                " (flags {})",
                sflags(r, &[(fs::FD_CLOEXEC, "FD_CLOEXEC")])
            );
            true
        }
        // F_GETFL
        3 => {
            w.hex(r & 0xffff_ffff);
            w.s(" (flags ");
            // F_GETFL's result, in the ABI's numbering (arm64's O_LARGEFILE is x86's O_NOFOLLOW).
            xlat::open_flags(w, abi, r);
            w.c(')');
            true
        }
        // F_GETLEASE
        1025 => {
            w.hex(r);
            if let Some(n) = name_of(fs::LOCK_TYPES, r) {
                w!(w, " ({n})");
            }
            true
        }
        // F_GET_SEALS
        1034 if ret != 0 => {
            w.hex(r);
            w!(w, " (seals {})", sflags(r, fs::F_SEALS));
            true
        }
        // F_GETSIG
        11 if ret != 0 => {
            w.int(ret);
            w.s(" (");
            xlat::signal(w, r);
            w.c(')');
            true
        }
        _ => false,
    }
}

/// `openat2`'s `struct open_how` of `size` bytes: `{flags=O_RDONLY|O_CLOEXEC, resolve=…}`.
pub(crate) fn open_how(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, size: u64) -> Option<()> {
    if size < 24 || addr == 0 {
        w.ptr(addr);
        return Some(());
    }
    let b = read_bytes(cx.mem, addr, 24)?;
    let (flags, mode, resolve) = (le_u64(&b, 0), le_u64(&b, 8), le_u64(&b, 16));
    w.s("{flags=");
    xlat::open_flags64(
        w,
        crate::uapi::fs::open_flags_canonical(cx.abi, flags & 0xffff_ffff) | (flags & !0xffff_ffff),
    );
    if flags & (fs::O_CREAT | 0o2000_0000) != 0 || mode != 0 {
        w.s(", mode=");
        w.octal03(mode);
    }
    w.s(", resolve=");
    pflags(w, resolve, fs::RESOLVE_FLAGS, Some("RESOLVE_???"));
    if size > 24 {
        let total = size.min(4096);
        if !super::util::nonzero_bytes(cx, w, addr, 24, total, ", ") {
            // all zero: nothing
        }
    }
    w.c('}');
    Some(())
}

/// `sendfile`'s offset (`[0]`), at entry; at exit ` => [4]` after a successful transfer.
pub(crate) fn sendfile_off(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, size: usize) {
    let count = cx.warg(3);
    let before = at_entry(cx, |cx| {
        if addr == 0 {
            None
        } else {
            read_bytes(cx.mem, addr, size)
        }
    });
    let val = |b: &[u8]| {
        if size == 8 {
            le_u64(b, 0)
        } else {
            le_u32(b, 0)
        }
    };
    match &before {
        None => {
            w.ptr(addr);
            return;
        }
        Some(b) => w!(w, "[{}]", val(b)),
    }
    let wrote = cx.ret_ok().is_some_and(|r| r != 0) && (size == 8 || count != 0);
    if wrote {
        w.s(" => ");
        match read_bytes(cx.mem, addr, size) {
            Some(b) => w!(w, "[{}]", val(&b)),
            None => w.ptr(addr),
        }
    }
}

/// `printnum_int64` of a `loff_t *` (`copy_file_range`, `splice`): `[0]`.
pub(crate) fn loff(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) {
    num_at(cx, w, addr, 8, |w, v| w.int(v as i64));
}

/// An extended attribute value of `size` bytes (the pointer above `XATTR_SIZE_MAX`), quoted
/// without a trailing NUL.
pub(crate) fn xattr_value(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, size: u64) -> Option<()> {
    if size > 65536 {
        w.ptr(addr);
        return Some(());
    }
    if addr == 0 {
        w.s("NULL");
        return Some(());
    }
    let limit = cx.opts.string_limit as u64;
    let shown = size.min(limit);
    let mut b = read_bytes(cx.mem, addr, shown as usize)?;
    if b.last() == Some(&0) {
        b.pop();
    }
    w.quote(&b, size > limit, Quote::Default);
    Some(())
}

/// A file handle: `{handle_bytes=8, handle_type=1, f_handle="\xd2…"}`.
fn handle_fields(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, bytes: u64, ty: u64) {
    w!(w, ", handle_type={}, f_handle=", ty as u32 as i32);
    let len = bytes.min(128);
    match read_bytes(cx.mem, addr.wrapping_add(8), len as usize) {
        Some(b) if addr.wrapping_add(8) > 8 => {
            w.quote(&b, bytes > len, Quote::Hex);
        }
        _ => w.s("???"),
    }
}

/// `open_by_handle_at`'s handle.
pub(crate) fn handle_in(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) {
    match read_bytes(cx.mem, addr, 8).filter(|_| addr != 0) {
        Some(h) => {
            let bytes = le_u32(&h, 0);
            w!(w, "{{handle_bytes={bytes}");
            handle_fields(cx, w, addr, bytes, le_u32(&h, 4));
            w.c('}');
        }
        None => w.ptr(addr),
    }
}

/// `name_to_handle_at`'s handle, mount id and flags: `{handle_bytes=128 => 8, handle_type=1,
/// f_handle="…"}, [43], 0`.
pub(crate) fn handle_at(cx: &mut Ctx<'_>, w: &mut Out<'_>) {
    let addr = cx.warg(2);
    let mount = cx.warg(3);
    let flags = cx.arg(4) & 0xffff_ffff;
    let before = at_entry(cx, |cx| {
        if addr == 0 {
            None
        } else {
            cx.mem.read_u32(addr)
        }
    });
    let Some(bytes0) = before else {
        w.ptr(addr);
        w.sep();
        w.ptr(mount);
        w.sep();
        pflags(w, flags, fs::HANDLE_AT_FLAGS, Some("AT_???"));
        return;
    };
    w!(w, "{{handle_bytes={bytes0}");
    let overflow = cx.ret == Some(-75);
    if cx.exit
        && (cx.ok() || overflow)
        && let Some(h) = read_bytes(cx.mem, addr, 8)
    {
        let bytes = le_u32(&h, 0);
        if bytes != u64::from(bytes0) {
            w!(w, " => {bytes}");
        }
        if cx.ok() {
            handle_fields(cx, w, addr, bytes, le_u32(&h, 4));
        }
    }
    w.c('}');
    w.sep();
    if cx.exit {
        num_i32(cx, w, mount);
    } else {
        w.ptr(mount);
    }
    w.sep();
    pflags(w, flags, fs::HANDLE_AT_FLAGS, Some("AT_???"));
}

/// `memfd_create`'s flags: `MFD_CLOEXEC|MFD_ALLOW_SEALING`, `MFD_HUGETLB|21<<MFD_HUGE_SHIFT`, `0`.
pub(crate) fn memfd_flags(w: &mut Out<'_>, v: u64) {
    let v = v & 0xffff_ffff;
    if v == 0 {
        w.c('0');
        return;
    }
    let huge = v & (0x3f << 26);
    let flags = v & !(0x3f << 26);
    if flags != 0 || huge == 0 {
        pflags(w, flags, fs::MFD_FLAGS, Some("MFD_???"));
    }
    if huge != 0 {
        if flags != 0 {
            w.c('|');
        }
        w!(w, "{}<<MFD_HUGE_SHIFT", huge >> 26);
    }
}

/// `fsconfig`'s whole argument list as strace 6.1's `fsconfig.c`: the key a string for the
/// `FSCONFIG_SET_*` commands, the value a string, a path or hex bytes by command, `aux` a
/// directory descriptor, a descriptor or a number.
pub(crate) fn fsconfig(cx: &mut Ctx<'_>, w: &mut Out<'_>) {
    let cmd = cx.arg(1) & 0xffff_ffff;
    let (key, value) = (cx.warg(2), cx.warg(3));
    let aux = cx.arg(4) as u32 as i32;
    w.int(i64::from(cx.arg(0) as u32 as i32));
    w.sep();
    super::util::pxval32(w, cmd, fs::FSCONFIG_CMDS, "FSCONFIG_???");
    w.sep();
    let m = w.mark();
    if cmd > 5 || super::util::str0(cx, w, key, 256).is_none() {
        w.cut(m);
        w.ptr(key);
    }
    w.sep();
    let m = w.mark();
    let shown = match cmd {
        1 => super::util::str0(cx, w, value, 256),
        3 | 4 => super::super::ctx::string(cx, w, value, super::super::read::PATH_LIMIT),
        2 if (0..=1024 * 1024).contains(&aux) => hex_bytes(cx, w, value, aux as u64),
        _ => None,
    };
    if shown.is_none() {
        w.cut(m);
        w.ptr(value);
    }
    w.sep();
    match cmd {
        3 | 4 if aux == fs::AT_FDCWD => w.s("AT_FDCWD"),
        _ => w.int(i64::from(aux)),
    }
}

/// strace's `printstr_ex(addr, len, QUOTE_FORCE_HEX)`: `len` bytes in `\x` form, cut at the
/// string limit (`...`); `None` when unreadable.
fn hex_bytes(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, len: u64) -> Option<()> {
    if addr == 0 {
        w.s("NULL");
        return Some(());
    }
    let shown = len.min(cx.opts.string_limit as u64);
    let b = read_bytes(cx.mem, addr, shown as usize)?;
    w.quote(&b, len > shown, Quote::Hex);
    Some(())
}

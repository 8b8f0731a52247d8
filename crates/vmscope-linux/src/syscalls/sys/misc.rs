//! The long tail as strace prints it: keys (`add_key`, `request_key`, `keyctl`), `ptrace`'s common
//! requests, `process_vm_readv`/`writev`, `swapon`, and asynchronous I/O (`io_setup`, `io_submit`,
//! `io_getevents`, `io_cancel`).

use super::super::ctx::{Ctx, string};
use super::super::out::{Out, Quote, w};
use super::super::read::{le_u32, le_u64, read_bytes, word_size};
use super::super::{structs, xlat};
use super::ids::uid;
use super::mem::iovec_addrs;
use super::util::{array, at_entry, num_at, num_ptr, num_ulong, pflags, pxval, strn};
use crate::uapi::{Xlat, name_of, proc as p};

/// The special key serial numbers.
const KEY_SPEC: Xlat = &[
    (0xffff_ffff, "KEY_SPEC_THREAD_KEYRING"),
    (0xffff_fffe, "KEY_SPEC_PROCESS_KEYRING"),
    (0xffff_fffd, "KEY_SPEC_SESSION_KEYRING"),
    (0xffff_fffc, "KEY_SPEC_USER_KEYRING"),
    (0xffff_fffb, "KEY_SPEC_USER_SESSION_KEYRING"),
    (0xffff_fffa, "KEY_SPEC_GROUP_KEYRING"),
    (0xffff_fff9, "KEY_SPEC_REQKEY_AUTH_KEY"),
    (0xffff_fff8, "KEY_SPEC_REQUESTOR_KEYRING"),
];

/// `KEY_REQKEY_DEFL_*`.
const KEY_REQKEYS: Xlat = &[
    (0xffff_ffff, "KEY_REQKEY_DEFL_NO_CHANGE"),
    (0, "KEY_REQKEY_DEFL_DEFAULT"),
    (1, "KEY_REQKEY_DEFL_THREAD_KEYRING"),
    (2, "KEY_REQKEY_DEFL_PROCESS_KEYRING"),
    (3, "KEY_REQKEY_DEFL_SESSION_KEYRING"),
    (4, "KEY_REQKEY_DEFL_USER_KEYRING"),
    (5, "KEY_REQKEY_DEFL_USER_SESSION_KEYRING"),
    (6, "KEY_REQKEY_DEFL_GROUP_KEYRING"),
    (7, "KEY_REQKEY_DEFL_REQUESTOR_KEYRING"),
];

/// A key serial number: `KEY_SPEC_SESSION_KEYRING` or its decimal value.
pub(crate) fn key(w: &mut Out<'_>, v: u64) {
    let v = v & 0xffff_ffff;
    match name_of(KEY_SPEC, v) {
        Some(n) => w.s(n),
        None => w.int(i64::from(v as u32 as i32)),
    }
}

/// A string argument cut at the string limit, or the pointer when unreadable.
fn str_or_ptr(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) {
    let m = w.mark();
    let limit = cx.opts.string_limit;
    if string(cx, w, addr, limit).is_none() {
        w.cut(m);
        w.ptr(addr);
    }
}

/// `len` bytes at `addr`, or the pointer when unreadable.
fn bytes_or_ptr(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, len: u64) {
    let m = w.mark();
    if strn(cx, w, addr, len).is_none() {
        w.cut(m);
        w.ptr(addr);
    }
}

/// `keyctl(cmd, …)`, whole; `KEYCTL_READ`/`DESCRIBE`/`GET_SECURITY` show the buffer at exit.
pub(crate) fn keyctl(cx: &mut Ctx<'_>, w: &mut Out<'_>) {
    let cmd = cx.arg(0) & 0xffff_ffff;
    let (a2, a3, a4, a5) = (cx.warg(1), cx.warg(2), cx.warg(3), cx.warg(4));
    pxval(w, cmd, p::KEYCTL_COMMANDS, "KEYCTL_???");
    if cmd == 18 {
        // KEYCTL_SESSION_TO_PARENT
        return;
    }
    w.sep();
    match cmd {
        // KEYCTL_GET_KEYRING_ID
        0 => {
            key(w, a2);
            w.sep();
            w.int(i64::from(a3 as u32 as i32));
        }
        // KEYCTL_JOIN_SESSION_KEYRING
        1 => at_entry(cx, |cx| str_or_ptr(cx, w, a2)),
        // KEYCTL_UPDATE
        2 => {
            key(w, a2);
            w.sep();
            at_entry(cx, |cx| bytes_or_ptr(cx, w, a3, a4));
            w.sep();
            w.uint(a4);
        }
        // KEYCTL_REVOKE, KEYCTL_CLEAR, KEYCTL_INVALIDATE, KEYCTL_ASSUME_AUTHORITY
        3 | 7 | 21 | 16 => key(w, a2),
        // KEYCTL_LINK, KEYCTL_UNLINK
        8 | 9 => {
            key(w, a2);
            w.sep();
            key(w, a3);
        }
        // KEYCTL_DESCRIBE, KEYCTL_READ, KEYCTL_GET_SECURITY
        6 | 11 | 17 => {
            key(w, a2);
            w.sep();
            match cx.ret_ok() {
                Some(r) => {
                    let n = if r >= 0 && (r as u64) > a4 {
                        a4
                    } else {
                        r as u64
                    };
                    let limit = cx.opts.string_limit as u64;
                    match read_bytes(cx.mem, a3, n.min(limit) as usize).filter(|_| a3 != 0) {
                        Some(mut b) => {
                            // Trailing NUL omitted for the text commands.
                            if cmd != 11 && n <= limit && b.last() == Some(&0) {
                                b.pop();
                            }
                            w.quote(&b, n > limit, Quote::Default);
                        }
                        None if a3 == 0 => w.s("NULL"),
                        None => w.ptr(a3),
                    }
                }
                None => w.ptr(a3),
            }
            w.sep();
            w.uint(a4);
        }
        // KEYCTL_SEARCH
        10 => {
            key(w, a2);
            w.sep();
            at_entry(cx, |cx| {
                str_or_ptr(cx, w, a3);
                w.sep();
                str_or_ptr(cx, w, a4);
            });
            w.sep();
            key(w, a5);
        }
        // KEYCTL_CHOWN
        4 => {
            key(w, a2);
            w.sep();
            uid(w, a3, false);
            w.sep();
            uid(w, a4, false);
        }
        // KEYCTL_SETPERM
        5 => {
            key(w, a2);
            w.sep();
            pflags(w, a3 & 0xffff_ffff, p::KEY_PERMS, Some("KEY_???"));
        }
        // KEYCTL_INSTANTIATE
        12 => {
            key(w, a2);
            w.sep();
            at_entry(cx, |cx| bytes_or_ptr(cx, w, a3, a4));
            w.sep();
            w.uint(a4);
            w.sep();
            key(w, a5);
        }
        // KEYCTL_NEGATE
        13 => {
            key(w, a2);
            w.sep();
            w.uint(a3 & 0xffff_ffff);
            w.sep();
            key(w, a4);
        }
        // KEYCTL_SET_REQKEY_KEYRING
        14 => match name_of(KEY_REQKEYS, a2 & 0xffff_ffff) {
            Some(n) => w.s(n),
            None => w!(w, "{} /* KEY_REQKEY_DEFL_??? */", a2 as u32 as i32),
        },
        // KEYCTL_SET_TIMEOUT
        15 => {
            key(w, a2);
            w.sep();
            w.uint(a3 & 0xffff_ffff);
        }
        // KEYCTL_REJECT
        19 => {
            key(w, a2);
            w.sep();
            w.uint(a3 & 0xffff_ffff);
            w.sep();
            let e = a4 & 0xffff_ffff;
            match super::super::errno_name(e as u32) {
                Some((n, _)) => w.s(n),
                None => w.uint(e),
            }
            w.sep();
            key(w, a5);
        }
        // KEYCTL_GET_PERSISTENT
        22 => {
            uid(w, a2, false);
            w.sep();
            key(w, a3);
        }
        // KEYCTL_RESTRICT_KEYRING
        29 => {
            key(w, a2);
            w.sep();
            at_entry(cx, |cx| {
                str_or_ptr(cx, w, a3);
                w.sep();
                str_or_ptr(cx, w, a4);
            });
        }
        // KEYCTL_MOVE
        30 => {
            key(w, a2);
            w.sep();
            key(w, a3);
            w.sep();
            key(w, a4);
            w.sep();
            pflags(
                w,
                a5 & 0xffff_ffff,
                &[(1, "KEYCTL_MOVE_EXCL")],
                Some("KEYCTL_MOVE_???"),
            );
        }
        _ => {
            w.hex(a2);
            w.sep();
            w.hex(a3);
            w.sep();
            w.hex(a4);
            w.sep();
            w.hex(a5);
        }
    }
}

/// `add_key(type, description, payload, plen, keyring)` from the payload on (the first two are
/// strings of their own kinds).
pub(crate) fn key_payload(cx: &mut Ctx<'_>, w: &mut Out<'_>) {
    let (payload, len, ring) = (cx.warg(2), cx.warg(3), cx.warg(4));
    bytes_or_ptr(cx, w, payload, len);
    w.sep();
    w.uint(len);
    w.sep();
    key(w, ring);
}

/// `ptrace(request, pid, addr, data)`, whole (common requests; others show addresses).
pub(crate) fn ptrace(cx: &mut Ctx<'_>, w: &mut Out<'_>) {
    let req = cx.warg(0);
    let pid = cx.arg(1);
    let (addr, data) = (cx.warg(2), cx.warg(3));
    pxval(w, req, p::PTRACE_CMDS, "PTRACE_???");
    if req == 0 {
        return;
    }
    w.sep();
    w.int(i64::from(pid as u32 as i32));
    // PTRACE_ATTACH, PTRACE_INTERRUPT, PTRACE_KILL, PTRACE_LISTEN
    if matches!(req, 0x10 | 0x4207 | 8 | 0x4208) {
        return;
    }
    w.sep();
    match req {
        // PTRACE_GETREGSET, PTRACE_SETREGSET
        0x4204 | 0x4205 => pxval(w, addr & 0xffff_ffff, p::NT_TYPES, "NT_???"),
        // PTRACE_GETSIGMASK, PTRACE_SETSIGMASK, PTRACE_SECCOMP_GET_FILTER,
        // PTRACE_SECCOMP_GET_METADATA, PTRACE_GET_SYSCALL_INFO
        0x420a..=0x420e => w.uint(addr),
        _ => w.ptr(addr),
    }
    w.sep();
    match req {
        // PTRACE_CONT, PTRACE_DETACH, PTRACE_SYSCALL, PTRACE_SINGLESTEP, PTRACE_SINGLEBLOCK,
        // PTRACE_SYSEMU, PTRACE_SYSEMU_SINGLESTEP
        7 | 0x11 | 0x18 | 9 | 0x21 | 0x1f | 0x20 => xlat::signal(w, data),
        // PTRACE_SEIZE, PTRACE_SETOPTIONS, PTRACE_OLDSETOPTIONS
        0x4206 | 0x4200 | 0x15 => pflags(w, data, p::PTRACE_OPTIONS, Some("PTRACE_O_???")),
        // PTRACE_PEEKTEXT, PTRACE_PEEKDATA, PTRACE_PEEKUSER: the word read, at exit
        1..=3 => num_ptr(cx, w, data),
        // PTRACE_GETEVENTMSG
        0x4201 => num_ulong(cx, w, data),
        _ => w.ptr(data),
    }
}

/// `process_vm_readv`/`writev`: local vector (data for a successful read, at exit), counts, the
/// remote vector as addresses, flags.
pub(crate) fn process_vm(cx: &mut Ctx<'_>, w: &mut Out<'_>) {
    let (local, lcnt, remote, rcnt, flags) =
        (cx.warg(1), cx.warg(2), cx.warg(3), cx.warg(4), cx.warg(5));
    let read = cx.desc.call == super::super::Call::ProcessVmReadv;
    w.int(i64::from(cx.arg(0) as u32 as i32));
    w.sep();
    if read {
        match cx.ret_ok() {
            Some(r) => {
                let m = w.mark();
                if structs::iovec(cx, w, local, lcnt, Some(r as u64)).is_none() {
                    w.cut(m);
                    w.ptr(local);
                }
            }
            None => iovec_addrs(cx, w, local, lcnt),
        }
    } else {
        at_entry(cx, |cx| {
            let m = w.mark();
            if structs::iovec(cx, w, local, lcnt, None).is_none() {
                w.cut(m);
                w.ptr(local);
            }
        });
    }
    w.sep();
    w.uint(lcnt);
    w.sep();
    at_entry(cx, |cx| iovec_addrs(cx, w, remote, rcnt));
    w.sep();
    w.uint(rcnt);
    w.sep();
    w.uint(flags);
}

/// `swapon`'s flags: `SWAP_FLAG_PREFER|10`, `0`.
pub(crate) fn swap_flags(w: &mut Out<'_>, v: u64) {
    let v = v & 0xffff_ffff;
    let prio = v & 0x7fff;
    let flags = v & !0x7fff;
    if flags != 0 {
        pflags(
            w,
            flags,
            &[
                (0x8000, "SWAP_FLAG_PREFER"),
                (0x10000, "SWAP_FLAG_DISCARD"),
                (0x20000, "SWAP_FLAG_DISCARD_ONCE"),
                (0x40000, "SWAP_FLAG_DISCARD_PAGES"),
            ],
            Some("SWAP_FLAG_???"),
        );
        w.c('|');
    }
    w.uint(prio);
}

/// `struct iocb` (64 bytes, the same in both ABIs).
fn iocb(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, header_only: bool) -> Option<()> {
    let b = read_bytes(cx.mem, addr, 64)?;
    let data = le_u64(&b, 0);
    let key_ = le_u32(&b, 8);
    let rw_flags = le_u32(&b, 12);
    let opcode = le_u32(&b, 16) & 0xffff;
    let reqprio = le_u32(&b, 18) & 0xffff;
    let fd = le_u32(&b, 20);
    let buf = le_u64(&b, 24);
    let nbytes = le_u64(&b, 32);
    let offset = le_u64(&b, 40) as i64;
    let flags = le_u32(&b, 56);
    let resfd = le_u32(&b, 60);
    w.s("{aio_data=");
    w.hex(data);
    if key_ != 0 {
        w!(w, ", aio_key={key_}");
    }
    if rw_flags != 0 {
        w.s(", aio_rw_flags=");
        pflags(
            w,
            rw_flags,
            &[
                (1, "RWF_HIPRI"),
                (2, "RWF_DSYNC"),
                (4, "RWF_SYNC"),
                (8, "RWF_NOWAIT"),
                (0x10, "RWF_APPEND"),
            ],
            Some("RWF_???"),
        );
    }
    w.s(", aio_lio_opcode=");
    match name_of(p::AIO_CMDS, opcode) {
        Some(n) => w.s(n),
        None => w!(w, "{opcode} /* IOCB_CMD_??? */"),
    }
    if flags & 2 != 0 {
        w!(w, ", aio_reqprio={}", super::proc::ioprio_text(reqprio));
    } else if reqprio != 0 {
        w!(w, ", aio_reqprio={}", reqprio as u16 as i16);
    }
    w!(w, ", aio_fildes={}", fd as u32 as i32);
    if !header_only {
        let valid =
            cx.abi != vmscope_core::event::Abi::I386 || (buf >> 32 == 0 && nbytes >> 32 == 0);
        let valid = valid && (nbytes as i64) >= 0;
        match opcode {
            0 | 1 => {
                w.s(", aio_buf=");
                if opcode == 1 && valid {
                    bytes_or_ptr(cx, w, buf, nbytes);
                } else {
                    w.hex(buf);
                }
                w!(w, ", aio_nbytes={nbytes}, aio_offset={offset}");
                common_flags(w, flags, resfd);
            }
            7 | 8 => {
                if valid {
                    w.s(", aio_buf=");
                    if opcode == 8 {
                        let m = w.mark();
                        if structs::iovec(cx, w, buf, nbytes, None).is_none() {
                            w.cut(m);
                            w.ptr(buf);
                        }
                    } else {
                        iovec_addrs(cx, w, buf, nbytes);
                    }
                } else {
                    w.s(", aio_buf=");
                    w.hex(buf);
                    w!(w, ", aio_nbytes={nbytes}");
                }
                w!(w, ", aio_offset={offset}");
                common_flags(w, flags, resfd);
            }
            5 => {
                w.s(", aio_buf=");
                pflags(w, buf, crate::uapi::events::POLL, Some("POLL???"));
                common_flags(w, flags, resfd);
            }
            _ => {}
        }
    }
    w.c('}');
    Some(())
}

/// `aio_flags` and `aio_resfd` when set.
fn common_flags(w: &mut Out<'_>, flags: u64, resfd: u64) {
    if flags != 0 {
        w.s(", aio_flags=");
        pflags(
            w,
            flags,
            &[(1, "IOCB_FLAG_RESFD"), (2, "IOCB_FLAG_IOPRIO")],
            Some("IOCB_FLAG_???"),
        );
    }
    if flags & 1 != 0 {
        w!(w, ", aio_resfd={}", resfd as u32 as i32);
    } else if resfd != 0 {
        w.s(", aio_resfd=");
        w.hex(resfd);
    }
}

/// `io_submit(ctx, nr, iocbpp)` from `nr` on.
pub(crate) fn io_submit(cx: &mut Ctx<'_>, w: &mut Out<'_>) {
    let ws = word_size(cx.abi);
    let nr = super::super::read::long(cx.abi, cx.arg(1));
    let list = cx.warg(2);
    w.int(nr);
    w.sep();
    if nr < 0 {
        w.ptr(list);
        return;
    }
    if list == 0 {
        w.s("NULL");
        return;
    }
    if nr == 0 {
        w.s("[]");
        return;
    }
    let max = structs::max_elems(cx) as u64;
    let m = w.mark();
    w.c('[');
    for k in 0..(nr as u64) {
        if k > 0 {
            w.s(", ");
        }
        if k >= max {
            w.s("...");
            break;
        }
        let at = list.wrapping_add(k * ws);
        let Some(pb) = read_bytes(cx.mem, at, ws as usize) else {
            if k == 0 {
                w.cut(m);
                w.ptr(list);
                return;
            }
            w!(w, "... /* {at:#x} */");
            break;
        };
        let cb = if ws == 8 {
            le_u64(&pb, 0)
        } else {
            le_u32(&pb, 0)
        };
        let m2 = w.mark();
        if cb == 0 || iocb(cx, w, cb, false).is_none() {
            w.cut(m2);
            w.ptr(cb);
        }
    }
    w.c(']');
}

/// `struct io_event`: `{data=0, obj=0x…, res=64, res2=0}`.
fn io_event(w: &mut Out<'_>, e: &[u8]) {
    w.s("{data=");
    w.hex(le_u64(e, 0));
    w.s(", obj=");
    w.hex(le_u64(e, 8));
    w!(
        w,
        ", res={}, res2={}}}",
        le_u64(e, 16) as i64,
        le_u64(e, 24) as i64
    );
}

/// `io_getevents`' events at exit (the return value's count) and timeout.
pub(crate) fn io_events(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) {
    match cx.ret_ok() {
        Some(n) => array(cx, w, addr, n as u64, 32, io_event),
        None => w.ptr(addr),
    }
}

/// `io_cancel(ctx, iocb, result)` from `iocb` on.
pub(crate) fn io_cancel(cx: &mut Ctx<'_>, w: &mut Out<'_>) {
    let (cb, res) = (cx.warg(1), cx.warg(2));
    at_entry(cx, |cx| {
        let m = w.mark();
        if cb == 0 || iocb(cx, w, cb, true).is_none() {
            w.cut(m);
            w.ptr(cb);
        }
    });
    w.sep();
    if !cx.ok() {
        w.ptr(res);
        return;
    }
    match read_bytes(cx.mem, res, 32).filter(|_| res != 0) {
        Some(e) => io_event(w, &e),
        None => w.ptr(res),
    }
}

/// `io_setup`'s context at exit: `[0x7f…]`.
pub(crate) fn io_ctx(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) {
    num_at(cx, w, addr, word_size(cx.abi) as usize, |w, v| w.ptr(v));
}

/// `io_getevents`' timeout: a timespec of the call's layout (`old32` for i386's).
pub(crate) fn io_timeout(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, old32: bool) {
    let m = w.mark();
    if super::util::timespec(cx, w, addr, old32).is_none() {
        w.cut(m);
        w.ptr(addr);
    }
}

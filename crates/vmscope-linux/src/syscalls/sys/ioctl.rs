//! `ioctl` as strace prints it: the request named from strace's lists of the kernel's ioctls for
//! the process's ABI (`A or B` when several names share a code, `_IOC(dir, type, nr, size)`
//! otherwise), and the argument of the terminal, block-device, inode-flag, file-system and random
//! requests strace decodes; other requests show the argument in hex.
//!
//! The argument is an input kind: requests whose argument the call writes return `None` at the
//! entry (nothing written), so the argument is rendered again at the exit, where it is shown
//! (the pointer when the call failed), as strace decodes those on exiting.

use vmscope_core::event::Abi;

use super::super::ctx::Ctx;
use super::super::out::{Out, w};
use super::super::read::{le_u32, le_u64, read_bytes, word_size};
use super::util::{num_at, pflags, pxval, strn};
use crate::uapi::{ioctl as io, ioctl_names};

/// The names of request `code` for `abi`, in strace's order.
fn names(abi: Abi, code: u32) -> impl Iterator<Item = &'static str> {
    let table = match abi {
        Abi::X86_64 | Abi::Aarch64 => ioctl_names::IOCTLS_X86_64,
        Abi::I386 => ioctl_names::IOCTLS_I386,
    };
    let start = table.partition_point(|&(c, _)| c < code);
    table[start..]
        .iter()
        .take_while(move |&&(c, _)| c == code)
        .map(|&(_, n)| n)
}

/// strace's own names for families of requests it recognises by their parts (mixer volumes,
/// names of variable size); `None` for the rest.
fn numbered(w: &mut Out<'_>, code: u32) -> bool {
    let (dir, ty, nr, size) = (
        code >> 30,
        (code >> 8) & 0xff,
        code & 0xff,
        (code >> 16) & 0x3fff,
    );
    match ty {
        0x21 if code == 0x8008_2102 => w.s("SECCOMP_IOCTL_NOTIF_ID_VALID_WRONG_DIR"),
        0x4d if dir == 1 => w!(w, "MIXER_WRITE({nr})"),
        0x4d if dir == 2 => w!(w, "MIXER_READ({nr})"),
        0x55 if dir == 2 && nr == 0x2c => w!(w, "UI_GET_SYSNAME({size})"),
        0x6a if dir == 2 && nr == 0x13 => w!(w, "JSIOCGNAME({size})"),
        0x6b if dir == 1 && nr == 0 => w!(w, "SPI_IOC_MESSAGE({size})"),
        _ => return false,
    }
    true
}

/// An `ioctl` request.
pub(crate) fn request(cx: &Ctx<'_>, w: &mut Out<'_>, v: u64) {
    let code = v as u32;
    let special = numbered(w, code);
    let mut first = true;
    for n in names(cx.abi, code) {
        if special || !first {
            w.s(" or ");
        }
        w.s(n);
        first = false;
    }
    if special || !first {
        return;
    }
    w.s("_IOC(");
    w.s(match code >> 30 {
        0 => "_IOC_NONE",
        1 => "_IOC_WRITE",
        2 => "_IOC_READ",
        _ => "_IOC_READ|_IOC_WRITE",
    });
    w.s(", ");
    w.hex(u64::from((code >> 8) & 0xff));
    w.s(", ");
    w.hex(u64::from(code & 0xff));
    w.s(", ");
    w.hex(u64::from((code >> 16) & 0x3fff));
    w.c(')');
}

/// What a request's argument is.
enum Arg {
    /// Not shown (a request without argument).
    None,
    /// The register in hex (requests strace does not decode).
    Hex,
    /// An address strace's decoder for the request's family would read: `NULL` for 0, else hex.
    Ptr,
    /// The register as a signed `int`.
    Int,
    /// The register as an unsigned `long`.
    Ulong,
    /// A named value of the register.
    Value(crate::uapi::Xlat, &'static str),
    /// Memory the call reads, shown at entry.
    In(Mem),
    /// Memory the call writes, shown at exit.
    Out(Mem),
    /// `KDGKBENT`'s `struct kbentry`: the keymap and index it asks for, and on success the key
    /// value the call wrote (shown at exit).
    KbEntry,
    /// `KIOCSOUND`'s PIT count: `440 /* 2711 Hz */`, `0 /* off */`.
    Sound,
    /// `KDMKTONE`'s duration and PIT count: `1<<16|440 /* 2711 Hz, 1 ms */`.
    Tone,
    /// `KDADDIO`/`KDDELIO`'s port: `0x3c0 /* GPFIRST + 12 */`.
    IoPort,
}

/// The PIT's input clock (Hz), which `KIOCSOUND` and `KDMKTONE` divide (strace's
/// `KERNEL_PIT_TICK_RATE`).
const PIT_TICK_RATE: u64 = 1_193_182;

/// A structure or number behind the argument.
#[derive(Clone, Copy)]
enum Mem {
    Termios,
    Termio,
    Winsize,
    Modem,
    Int,
    Uint,
    Ushort,
    Long,
    Ulong,
    U64,
    U64Pair,
    InodeFlags,
    Char,
    PoolInfo,
}

/// Requests strace 6.1's family decoders show without their argument (they take none), seen in
/// strace's own test programs' output: NS_GET_{USERNS,PARENT,NSTYPE}, BTRFS_IOC_{TRANS_*,SYNC,SCRUB_CANCEL,
/// QUOTA_RESCAN_WAIT,DEFRAG,BALANCE}, COUNTER_{EN,DIS}ABLE_EVENTS_IOCTL, KD{EN,DIS}ABIO,
/// KD{UN,}MAPDISP, PIO_FONTRESET, LOOP_{CLR_FD,SET_CAPACITY}, LOOP_CTL_GET_FREE, NBD_{DO_IT,
/// CLEAR_SOCK,CLEAR_QUE,PRINT_DEBUG,DISCONNECT}, RTC_{AIE,UIE,PIE,WIE}_{ON,OFF}, RTC_VL_CLR,
/// SG_GET_TIMEOUT, UBI_IOCVOL{CR,RM}BLK, WDIOC_KEEPALIVE.
const NO_ARG: &[u32] = &[
    0xb701,
    0xb702,
    0xb703,
    0x9406,
    0x9407,
    0x9408,
    0x941c,
    0x942e,
    0x5000_9402,
    0x5000_940c,
    0x3e01,
    0x3e02,
    0x4b36,
    0x4b37,
    0x4b3c,
    0x4b3d,
    0x4b6d,
    0x4c01,
    0x4c07,
    0x4c82,
    0xab03,
    0xab04,
    0xab05,
    0xab06,
    0xab08,
    0x7001,
    0x7002,
    0x7003,
    0x7004,
    0x7005,
    0x7006,
    0x700f,
    0x7010,
    0x7014,
    0x2202,
    0x4080_4f07,
    0x4f08,
    0x8004_5705,
];

/// `_IOC_TYPE`s strace 6.1's `ioctl_decode` hands to a family decoder (`ioctl.c`); their
/// decoders print the address argument of the requests they know (named ones) with
/// `printaddr`/`umove_or_printaddr` (`NULL` for 0); a request without a name falls through to hex.
const DECODED_TYPES: &[u32] = &[
    0x03, 0x12, 0x21, 0x22, 0x24, 0x3d, 0x3e, 0x45, 0x49, 0x4b, 0x4c, 0x4d, 0x4f, 0x52, 0x54, 0x56,
    0x57, 0x58, 0x66, 0x69, 0x6f, 0x70, 0xa4, 0xaa, 0xb4, 0xb7, 0x94, 0xfd,
];

/// Requests of decoded families whose argument is a value, not an address (`0` stays `0`):
/// HDIO's obsolete settings (all of type 3 but HDIO_GETGEO and HDIO_DRIVE_CMD), perf's
/// ENABLE/DISABLE/RESET flags, KIOCSOUND, KDMKTONE, KDSETLED, KDADDIO, KDDELIO, KDSETMODE,
/// KDSKBMODE, KDSIGACCEPT, KDSKBMETA, KDSKBLED, SG_SET_TRANSFORM; and the machine-check
/// requests (MCE_GET_RECORD_LEN, MCE_GET_LOG_LEN, MCE_GETCLEAR_FLAGS) that share type 'M' with
/// MTD but that strace's MTD decoder does not know.
fn value_arg(code: u32) -> bool {
    let ty = (code >> 8) & 0xff;
    (ty == 0x03 && code != 0x0301 && code != 0x031f)
        || matches!(
            code,
            0x2400
                | 0x2401
                | 0x2403
                | 0x4b2f
                | 0x4b30
                | 0x4b32
                | 0x4b34
                | 0x4b35
                | 0x4b3a
                | 0x4b45
                | 0x4b4e
                | 0x4b63
                | 0x4b65
                | 0x2204
                | 0x8004_4d01
                | 0x8004_4d02
                | 0x8004_4d03
        )
}

/// How strace decodes the argument of request `code` of `abi`: the specific decoders, then for
/// the rest of a decoded family the address form, else hex.
fn arg_of(abi: Abi, code: u32) -> Arg {
    match arg_of_known(abi, code) {
        Arg::Hex if NO_ARG.contains(&code) => Arg::None,
        Arg::Hex
            if DECODED_TYPES.contains(&((code >> 8) & 0xff))
                && !value_arg(code)
                && names(abi, code).next().is_some() =>
        {
            Arg::Ptr
        }
        a => a,
    }
}

/// The requests decoded here in full.
fn arg_of_known(abi: Abi, code: u32) -> Arg {
    let ws = if abi != Abi::I386 { 8u32 } else { 4 };
    let ty = (code >> 8) & 0xff;
    match ty {
        // Terminals ('T').
        0x54 => match code {
            // TCGETS, TIOCGLCKTRMIOS, TCGETS2
            0x5401 | 0x5456 | 0x802c_542a => Arg::Out(Mem::Termios),
            // TCSETS, TCSETSW, TCSETSF, TIOCSLCKTRMIOS, TCSETS2, TCSETSW2, TCSETSF2
            0x5402..=0x5404 | 0x5457 | 0x402c_542b..=0x402c_542d => Arg::In(Mem::Termios),
            // TCGETA
            0x5405 => Arg::Out(Mem::Termio),
            // TCSETA, TCSETAW, TCSETAF
            0x5406..=0x5408 => Arg::In(Mem::Termio),
            // TIOCGWINSZ, TIOCSWINSZ
            0x5413 => Arg::Out(Mem::Winsize),
            0x5414 => Arg::In(Mem::Winsize),
            // TCXONC, TCFLSH
            0x540a => Arg::Value(io::TCXONC_OPTIONS, "TC???"),
            0x540b => Arg::Value(io::TCFLSH_OPTIONS, "TC???"),
            // TCSBRK, TCSBRKP, TIOCSCTTY
            0x5409 | 0x5425 | 0x540e => Arg::Int,
            // TIOCMGET; TIOCMBIS, TIOCMBIC, TIOCMSET
            0x5415 => Arg::Out(Mem::Modem),
            0x5416..=0x5418 => Arg::In(Mem::Modem),
            // TIOCGPGRP, TIOCGSID, TIOCGETD, TIOCGSOFTCAR, TIOCGPTN, FIONREAD, TIOCOUTQ, TIOCGEXCL,
            // TIOCGDEV
            0x540f | 0x5429 | 0x5424 | 0x5419 | 0x5411 | 0x541b => Arg::Out(Mem::Int),
            0x8004_5430 | 0x8004_5440 | 0x8004_5432 => Arg::Out(Mem::Int),
            // TIOCSPGRP, TIOCSETD, FIONBIO, FIOASYNC, TIOCPKT, TIOCSSOFTCAR, TIOCSPTLCK
            0x5410 | 0x5423 | 0x5421 | 0x5452 | 0x5420 | 0x541a => Arg::In(Mem::Int),
            0x4004_5431 => Arg::In(Mem::Int),
            // TIOCSTI
            0x5412 => Arg::In(Mem::Char),
            // TIOCSBRK, TIOCCBRK, TIOCCONS, TIOCNOTTY, TIOCEXCL, TIOCNXCL, FIOCLEX, FIONCLEX,
            // TIOCVHANGUP, TIOCSSERIAL
            0x5427 | 0x5428 | 0x541d | 0x5422 | 0x540c | 0x540d | 0x5451 | 0x5450 | 0x5437
            | 0x541f => Arg::None,
            _ => Arg::Hex,
        },
        // Block devices (0x12).
        0x12 => {
            let nr = code & 0xff;
            let dir = code >> 30;
            match (dir, nr) {
                // BLKRASET, BLKFRASET
                (0, 98) | (0, 100) => Arg::Ulong,
                // BLKSECTGET, BLKROTATIONAL
                (0, 103) | (0, 126) => Arg::Out(Mem::Ushort),
                // BLKROGET, BLKSSZGET, BLKALIGNOFF; BLKBSZGET
                (0, 94) | (0, 104) | (0, 122) => Arg::Out(Mem::Int),
                (2, 112) if code == 0x8000_1270 | (ws << 16) => Arg::Out(Mem::Int),
                // BLKROSET; BLKBSZSET
                (0, 93) => Arg::In(Mem::Int),
                (1, 113) if code == 0x4000_1271 | (ws << 16) => Arg::In(Mem::Int),
                // BLKPBSZGET, BLKIOMIN, BLKIOOPT, BLKDISCARDZEROES, BLKGETZONESZ, BLKGETNRZONES
                (0, 123) | (0, 120) | (0, 121) | (0, 124) => Arg::Out(Mem::Uint),
                (2, 132) | (2, 133) => Arg::Out(Mem::Uint),
                // BLKRAGET, BLKFRAGET
                (0, 99) | (0, 101) => Arg::Out(Mem::Long),
                // BLKGETSIZE
                (0, 96) => Arg::Out(Mem::Ulong),
                // BLKGETSIZE64, BLKGETDISKSEQ
                (2, 114) | (2, 128) => Arg::Out(Mem::U64),
                // BLKDISCARD, BLKSECDISCARD, BLKZEROOUT
                (0, 119) | (0, 125) | (0, 127) => Arg::In(Mem::U64Pair),
                // BLKRRPART, BLKFLSBUF, BLKTRACESTART, BLKTRACESTOP, BLKTRACETEARDOWN
                (0, 95) | (0, 97) | (0, 116) | (0, 117) | (0, 118) => Arg::None,
                _ => Arg::Hex,
            }
        }
        // Inode flags ('f'): FS_IOC_GETFLAGS/SETFLAGS and their 32-bit forms.
        0x66 => match (code >> 30, code & 0xff) {
            (2, 1) => Arg::Out(Mem::InodeFlags),
            (1, 2) => Arg::In(Mem::InodeFlags),
            _ => Arg::Hex,
        },
        // FIFREEZE, FITHAW ('X').
        0x58 if code == 0xc004_5877 || code == 0xc004_5878 => Arg::None,
        // FICLONE (0x94).
        0x94 if code == 0x4004_9409 => Arg::Int,
        // Random ('R'): RNDGETENTCNT, RNDADDTOENTCNT, RNDADDENTROPY, and those without argument.
        // Keyboard and console ('K').
        0x4b => match code {
            0x4b46 => Arg::KbEntry,
            0x4b2f => Arg::Sound,
            0x4b30 => Arg::Tone,
            0x4b34 | 0x4b35 => Arg::IoPort,
            _ => Arg::Hex,
        },
        0x52 => match code {
            0x8004_5200 => Arg::Out(Mem::Int),
            0x4004_5201 => Arg::In(Mem::Int),
            0x4008_5203 => Arg::In(Mem::PoolInfo),
            0x5204 | 0x5206 | 0x5207 => Arg::None,
            _ => Arg::Hex,
        },
        _ => Arg::Hex,
    }
}

/// `ioctl`'s argument by request: `Some(true)` written, `Some(false)` not shown, `None` (nothing
/// written) at entry for an argument shown at exit.
pub(crate) fn arg(cx: &mut Ctx<'_>, w: &mut Out<'_>) -> Option<bool> {
    let code = cx.arg(1) as u32;
    let v = cx.warg(2);
    match arg_of(cx.abi, code) {
        Arg::None => return Some(false),
        Arg::Hex => w.hex(v),
        Arg::Ptr => w.ptr(v),
        Arg::Int => w.int(i64::from(v as u32 as i32)),
        Arg::Ulong => w.uint(v),
        Arg::Value(t, d) => pxval(w, v, t, d),
        Arg::In(m) => mem(cx, w, v, m)?,
        Arg::Out(m) => {
            if !cx.exit {
                return None;
            }
            if !cx.ok() || v == 0 || mem(cx, w, v, m).is_none() {
                w.ptr(v);
            }
        }
        Arg::KbEntry => {
            if !cx.exit {
                return None;
            }
            kbentry(cx, w, v);
        }
        Arg::Sound => {
            // strace divides in the register's width, then keeps an unsigned int.
            let freq = PIT_TICK_RATE.checked_div(v).unwrap_or(0) as u32;
            w.uint(v);
            match freq {
                0 => w.s(" /* off */"),
                f => w!(w, " /* {f} Hz */"),
            }
        }
        Arg::Tone => {
            let v = v & 0xffff_ffff;
            let (ticks, count) = (v >> 16, v & 0xffff);
            if ticks != 0 {
                w!(w, "{ticks}<<16|");
            }
            w.uint(count);
            match PIT_TICK_RATE.checked_div(count) {
                Some(f) if ticks != 0 => w!(w, " /* {f} Hz, {ticks} ms */"),
                _ => w.s(" /* off */"),
            }
        }
        Arg::IoPort => {
            w.hex(v);
            if (0x3b4..=0x3df).contains(&v) {
                w!(w, " /* GPFIRST + {} */", v - 0x3b4);
            }
        }
    }
    Some(true)
}

/// `KDGKBENT`'s `struct kbentry {u8 kb_table; u8 kb_index; u16 kb_value;}` as strace's `kd_ioctl.c`
/// prints it: `{kb_table=K_NORMTAB, kb_index=3}`, and when the call succeeded the value it wrote,
/// `kb_value=0x101 /* K(KT_FN, 0x1) */` (`???` when unreadable). Read at the exit, where the first
/// two bytes are as the caller wrote them. An unreadable structure is shown by its address. Not
/// done: strace's names of single keys in the comment (`/* K_F2 */`) and characters for the
/// letter types (`K(KT_LATIN, 'A')`); its test program only reaches KDGKBENT's failure path.
fn kbentry(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) {
    let Some(b) = (addr != 0).then(|| read_bytes(cx.mem, addr, 2)).flatten() else {
        w.ptr(addr);
        return;
    };
    let (table, index) = (b[0], b[1]);
    w.s("{kb_table=");
    match io::KD_KEY_TABLES
        .iter()
        .find(|(v, _)| *v == u64::from(table))
    {
        Some((_, name)) => w.s(name),
        None => {
            // The modifier bits; every bit of a byte has a name.
            let mut first = true;
            for (bit, name) in io::KD_KEYMAP_BITS {
                if table & (1 << bit) != 0 {
                    if !first {
                        w.c('|');
                    }
                    first = false;
                    w!(w, "1<<{name}");
                }
            }
        }
    }
    w!(w, ", kb_index={index}");
    if cx.ok() {
        w.s(", kb_value=");
        match read_bytes(cx.mem, addr.wrapping_add(2), 2) {
            Some(v) => {
                let v = u16::from_le_bytes([v[0], v[1]]);
                w.hex(u64::from(v));
                let (ty, val) = (v >> 8, v & 0xff);
                w.s(" /* K(");
                match io::KD_KEY_TYPES.iter().find(|(t, _)| *t == u64::from(ty)) {
                    Some((_, name)) => w.s(name),
                    None => w.hex(u64::from(ty)),
                }
                w.s(", ");
                w.hex(u64::from(val));
                w.s(") */");
            }
            None => w.s("???"),
        }
    }
    w.c('}');
}

/// The memory behind an argument; `None` when unreadable (nothing written).
fn mem(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, m: Mem) -> Option<()> {
    if addr == 0 {
        w.s("NULL");
        return Some(());
    }
    let ws = word_size(cx.abi) as usize;
    match m {
        Mem::Termios => termios(w, &read_bytes(cx.mem, addr, 36)?),
        Mem::Termio => termio(w, &read_bytes(cx.mem, addr, 18)?),
        Mem::Winsize => {
            let b = read_bytes(cx.mem, addr, 8)?;
            let u16_at = |o: usize| u16::from_le_bytes([b[o], b[o + 1]]);
            w!(
                w,
                "{{ws_row={}, ws_col={}, ws_xpixel={}, ws_ypixel={}}}",
                u16_at(0),
                u16_at(2),
                u16_at(4),
                u16_at(6)
            );
        }
        Mem::Modem => {
            let b = read_bytes(cx.mem, addr, 4)?;
            w.c('[');
            pflags(w, le_u32(&b, 0), io::MODEM_FLAGS, Some("TIOCM_???"));
            w.c(']');
        }
        Mem::Int => int_at(cx, w, addr, 4, |w, v| w.int(i64::from(v as u32 as i32)))?,
        Mem::Uint => int_at(cx, w, addr, 4, |w, v| w.uint(v))?,
        Mem::Ushort => int_at(cx, w, addr, 2, |w, v| w.uint(v))?,
        Mem::Long => int_at(cx, w, addr, ws, |w, v| {
            w.int(super::super::read::long(cx_abi(ws), v));
        })?,
        Mem::Ulong => int_at(cx, w, addr, ws, |w, v| w.uint(v))?,
        Mem::U64 => int_at(cx, w, addr, 8, |w, v| w.uint(v))?,
        Mem::U64Pair => {
            let b = read_bytes(cx.mem, addr, 16)?;
            w!(w, "[{}, {}]", le_u64(&b, 0), le_u64(&b, 8));
        }
        Mem::InodeFlags => {
            let b = read_bytes(cx.mem, addr, 4)?;
            w.c('[');
            pflags(w, le_u32(&b, 0), io::FS_IOC_FLAGS, Some("FS_???_FL"));
            w.c(']');
        }
        Mem::Char => strn(cx, w, addr, 1)?,
        Mem::PoolInfo => {
            let b = read_bytes(cx.mem, addr, 8)?;
            let size = le_u32(&b, 4);
            w!(
                w,
                "{{entropy_count={}, buf_size={}, buf=",
                le_u32(&b, 0) as u32 as i32,
                size as u32 as i32
            );
            let m = w.mark();
            if strn(cx, w, addr + 8, size).is_none() {
                w.cut(m);
                w.ptr(addr + 8);
            }
            w.c('}');
        }
    }
    Some(())
}

/// The ABI whose `long` has `ws` bytes.
fn cx_abi(ws: usize) -> Abi {
    if ws == 8 { Abi::X86_64 } else { Abi::I386 }
}

/// `[n]` of `size` bytes at `addr`; `None` when unreadable.
fn int_at(
    cx: &mut Ctx<'_>,
    w: &mut Out<'_>,
    addr: u64,
    size: usize,
    f: impl FnOnce(&mut Out<'_>, u64),
) -> Option<()> {
    read_bytes(cx.mem, addr, size)?;
    num_at(cx, w, addr, size, f);
    Some(())
}

/// The flags of a kernel `struct termios`/`termio` (`c_iflag`, `c_oflag`, `c_cflag`, `c_lflag`).
fn term_flags(w: &mut Out<'_>, iflag: u64, oflag: u64, cflag: u64, lflag: u64) {
    w.s("c_iflag=");
    pflags(w, iflag, io::TERM_IFLAGS, None);
    w.s(", c_oflag=");
    let mut o = oflag;
    for (t, mask, d) in [
        (io::TERM_OFLAGS_NLDLY, 0o400u64, "NL?"),
        (io::TERM_OFLAGS_CRDLY, 0o3000, "CR?"),
        (io::TERM_OFLAGS_TABDLY, 0o14000, "TAB?"),
        (io::TERM_OFLAGS_BSDLY, 0o20000, "BS?"),
        (io::TERM_OFLAGS_VTDLY, 0o40000, "VT?"),
        (io::TERM_OFLAGS_FFDLY, 0o100000, "FF?"),
    ] {
        pxval(w, o & mask, t, d);
        w.c('|');
        o &= !mask;
    }
    pflags(w, o, io::TERM_OFLAGS, None);
    w.s(", c_cflag=");
    const CBAUD: u64 = 0o10017;
    const CIBAUD: u64 = 0o2003600000;
    const CSIZE: u64 = 0o60;
    pxval(w, cflag & CBAUD, io::BAUD_OPTIONS, "B???");
    w.c('|');
    if cflag & CIBAUD != 0 {
        pxval(w, (cflag & CIBAUD) >> 16, io::BAUD_OPTIONS, "B???");
        w.s("<<IBSHIFT|");
    }
    pxval(w, cflag & CSIZE, io::TERM_CFLAGS_CSIZE, "CS?");
    w.c('|');
    pflags(w, cflag & !(CBAUD | CIBAUD | CSIZE), io::TERM_CFLAGS, None);
    w.s(", c_lflag=");
    pflags(w, lflag, io::TERM_LFLAGS, None);
}

/// Kernel `struct termios` (x86: four `u32` flags, line, 19 control characters), abbreviated.
fn termios(w: &mut Out<'_>, b: &[u8]) {
    w.c('{');
    term_flags(w, le_u32(b, 0), le_u32(b, 4), le_u32(b, 8), le_u32(b, 12));
    w.s(", ...}");
}

/// `struct termio` (four `u16` flags), abbreviated.
fn termio(w: &mut Out<'_>, b: &[u8]) {
    let h = |o: usize| le_u32(b, o) & 0xffff;
    w.c('{');
    term_flags(w, h(0), h(2), h(4), h(6));
    w.s(", ...}");
}

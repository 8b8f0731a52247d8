//! System V IPC and POSIX message queues as strace prints them: keys and flags (`IPC_CREAT|0600`),
//! message buffers (`{mtype=1, mtext="…"}`), `sembuf` arrays, the `*ctl` commands with their
//! `*id_ds` structures, and i386's `ipc` multiplexer, shown as the call it stands for (like
//! `socketcall`), with strace's indirect argument layout.

use super::super::ctx::Ctx;
use super::super::out::{Out, w};
use super::super::read::{le_u32, le_u64, read_bytes, word_size};
use super::super::{ArgKind, Call, RetKind, SyscallDesc, xlat};
use super::K;
use super::util::{array, at_entry, num_u32, pflags, pxval, strn};
use crate::uapi::ipc as i;
use vmscope_core::event::Abi;

/// `IPC_64`, the flag of the 64-bit structures in `*ctl` commands.
const IPC_64: u64 = 0x100;

/// An IPC key: `IPC_PRIVATE` or `0x1234`.
pub(crate) fn key(w: &mut Out<'_>, v: u64) {
    let v = v & 0xffff_ffff;
    if v == 0 {
        w.s("IPC_PRIVATE");
    } else {
        w.hex(v);
    }
}

/// `msgget`/`semget` flags: `IPC_CREAT|IPC_EXCL|0600`, `000`.
pub(crate) fn get_flags(w: &mut Out<'_>, v: u64) {
    let v = v & 0xffff_ffff;
    let flags = v & !0o777;
    if flags != 0 {
        pflags(w, flags, i::RESOURCE_FLAGS, None);
        w.c('|');
    }
    w.octal03(v & 0o777);
}

/// `shmget` flags: `IPC_CREAT|SHM_HUGETLB|0600`, with the huge page size.
pub(crate) fn shmget_flags(w: &mut Out<'_>, v: u64) {
    let v = v & 0xffff_ffff;
    let mut flags = v & !0o777;
    let huge = flags & (0x3f << 26);
    flags &= !(0x3f << 26);
    if flags != 0 || huge == 0 {
        pflags(w, flags, i::SHM_RESOURCE_FLAGS, None);
    }
    if huge != 0 {
        if flags != 0 {
            w.c('|');
        }
        w!(w, "{}<<SHM_HUGE_SHIFT", huge >> 26);
    }
    if flags != 0 || huge != 0 {
        w.c('|');
    }
    w.octal03(v & 0o777);
}

/// `struct msgbuf` with `count` bytes of text: `{mtype=1, mtext="hello"}`.
pub(crate) fn msgbuf(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, count: u64) {
    let ws = word_size(cx.abi);
    let ty = read_bytes(cx.mem, addr, ws as usize).filter(|_| addr != 0);
    let Some(t) = ty else {
        w.ptr(addr);
        return;
    };
    let mtype = if ws == 8 {
        le_u64(&t, 0) as i64
    } else {
        i64::from(le_u32(&t, 0) as u32 as i32)
    };
    w!(w, "{{mtype={mtype}, mtext=");
    let text = addr.wrapping_add(ws);
    let m = w.mark();
    if strn(cx, w, text, count).is_none() {
        w.cut(m);
        w.ptr(text);
    }
    w.c('}');
}

/// `struct sembuf[n]`: `[{sem_num=0, sem_op=-1, sem_flg=SEM_UNDO}]`.
pub(crate) fn sembufs(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, n: u64) {
    array(cx, w, addr, n, 6, |w, e| {
        let u16_at = |o: usize| {
            e.get(o..o + 2)
                .map_or(0, |s| u16::from_le_bytes([s[0], s[1]]))
        };
        let num = u64::from(u16_at(0));
        let op = i64::from(u16_at(2) as i16);
        let flg = u64::from(u16_at(4));
        w!(w, "{{sem_num={num}, sem_op={op}, sem_flg=");
        pflags(w, flg, i::SEMOP_FLAGS, Some("SEM_???"));
        w.c('}');
    });
}

/// A `*ctl` command: `IPC_64|IPC_STAT`.
fn ctl_cmd(w: &mut Out<'_>, cmd: u64, table: crate::uapi::Xlat, dflt: &str) {
    let cmd = cmd & 0xffff_ffff;
    if cmd & IPC_64 != 0 {
        w.s("IPC_64|");
    }
    pxval(w, cmd & !IPC_64, table, dflt);
}

/// `struct ipc64_perm` as strace prints it (without key and creator for `IPC_SET`).
fn perm(w: &mut Out<'_>, b: &[u8], set: bool) {
    let id = |w: &mut Out<'_>, v: u64| {
        if v == 0xffff_ffff {
            w.s("-1");
        } else {
            w.uint(v);
        }
    };
    w.s("{uid=");
    id(w, le_u32(b, 4));
    w.s(", gid=");
    id(w, le_u32(b, 8));
    w.s(", mode=");
    w.octal03(le_u32(b, 20) & 0xffff);
    if !set {
        w!(w, ", key={}", le_u32(b, 0));
        w.s(", cuid=");
        id(w, le_u32(b, 12));
        w.s(", cgid=");
        id(w, le_u32(b, 16));
    }
    w.c('}');
}

/// Where the fields of the `*id64_ds` structures are, per ABI: byte offsets of `long`s (64- or
/// 32-bit: only the low half of i386's split times) and of `pid_t`s, after the `ipc64_perm` (48
/// bytes, 36 on i386).
///
/// Every ABI takes the generic layouts (`asm-generic/msgbuf.h`, `shmbuf.h`, `sembuf.h`) but
/// x86_64's `semid64_ds`, which keeps a padding word after each time
/// (`arch/x86/include/uapi/asm/sembuf.h`); arm64's is the generic one.
struct IpcLayout {
    ws: usize,
    msqid: MsqidDs,
    semid: SemidDs,
    shmid: ShmidDs,
}

/// `struct msqid64_ds`.
struct MsqidDs {
    len: usize,
    stime: usize,
    rtime: usize,
    ctime: usize,
    qnum: usize,
    qbytes: usize,
    lspid: usize,
    lrpid: usize,
}

/// `struct semid64_ds`.
struct SemidDs {
    len: usize,
    otime: usize,
    ctime: usize,
    nsems: usize,
}

/// `struct shmid64_ds`.
struct ShmidDs {
    len: usize,
    segsz: usize,
    atime: usize,
    dtime: usize,
    ctime: usize,
    cpid: usize,
    lpid: usize,
    nattch: usize,
}

/// The generic 64-bit structures (arm64, and x86_64's but for `semid64_ds`).
const GENERIC_64: IpcLayout = IpcLayout {
    ws: 8,
    msqid: MsqidDs {
        len: 120,
        stime: 48,
        rtime: 56,
        ctime: 64,
        qnum: 80,
        qbytes: 88,
        lspid: 96,
        lrpid: 100,
    },
    semid: SemidDs {
        len: 88,
        otime: 48,
        ctime: 56,
        nsems: 64,
    },
    shmid: ShmidDs {
        len: 112,
        segsz: 48,
        atime: 56,
        dtime: 64,
        ctime: 72,
        cpid: 80,
        lpid: 84,
        nattch: 88,
    },
};

/// x86_64: the generic structures, and its own `semid64_ds` (`__unused1`, `__unused2` after the
/// times).
const X86_64: IpcLayout = IpcLayout {
    semid: SemidDs {
        len: 104,
        otime: 48,
        ctime: 64,
        nsems: 80,
    },
    ..GENERIC_64
};

/// i386: the generic 32-bit structures (each time a low and a high word).
const I386: IpcLayout = IpcLayout {
    ws: 4,
    msqid: MsqidDs {
        len: 88,
        stime: 36,
        rtime: 44,
        ctime: 52,
        qnum: 64,
        qbytes: 68,
        lspid: 72,
        lrpid: 76,
    },
    semid: SemidDs {
        len: 64,
        otime: 36,
        ctime: 44,
        nsems: 52,
    },
    shmid: ShmidDs {
        len: 84,
        segsz: 36,
        atime: 40,
        dtime: 48,
        ctime: 56,
        cpid: 64,
        lpid: 68,
        nattch: 72,
    },
};

fn ipc_layout(abi: Abi) -> &'static IpcLayout {
    match abi {
        Abi::X86_64 => &X86_64,
        Abi::Aarch64 => &GENERIC_64,
        Abi::I386 => &I386,
    }
}

/// A `*id64_ds` structure read from the guest: `long`s and `int`s at byte offsets.
struct Ds {
    b: Vec<u8>,
    ws: usize,
}

impl Ds {
    fn read(cx: &mut Ctx<'_>, addr: u64, ws: usize, len: usize) -> Option<Ds> {
        let b = read_bytes(cx.mem, addr, len).filter(|_| addr != 0)?;
        Some(Ds { b, ws })
    }
    fn word(&self, off: usize) -> u64 {
        if self.ws == 8 {
            le_u64(&self.b, off)
        } else {
            le_u32(&self.b, off)
        }
    }
    fn int(&self, off: usize) -> i64 {
        i64::from(le_u32(&self.b, off) as u32 as i32)
    }
}

/// `struct msqid64_ds`.
fn msqid_ds(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, set: bool) {
    let l = ipc_layout(cx.abi);
    let m = &l.msqid;
    let Some(d) = Ds::read(cx, addr, l.ws, m.len) else {
        w.ptr(addr);
        return;
    };
    w.s("{msg_perm=");
    perm(w, &d.b, set);
    if !set {
        w!(
            w,
            ", msg_stime={}, msg_rtime={}, msg_ctime={}, msg_qnum={}",
            d.word(m.stime),
            d.word(m.rtime),
            d.word(m.ctime),
            d.word(m.qnum)
        );
    }
    w!(w, ", msg_qbytes={}", d.word(m.qbytes));
    if !set {
        w!(
            w,
            ", msg_lspid={}, msg_lrpid={}",
            d.int(m.lspid),
            d.int(m.lrpid)
        );
    }
    w.c('}');
}

/// `struct semid64_ds`.
fn semid_ds(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, set: bool) -> bool {
    let l = ipc_layout(cx.abi);
    let m = &l.semid;
    let Some(d) = Ds::read(cx, addr, l.ws, m.len) else {
        return false;
    };
    w.s("{sem_perm=");
    perm(w, &d.b, set);
    if !set {
        w!(
            w,
            ", sem_otime={}, sem_ctime={}, sem_nsems={}",
            d.word(m.otime),
            d.word(m.ctime),
            d.word(m.nsems)
        );
    }
    w.c('}');
    true
}

/// `struct shmid64_ds`.
fn shmid_ds(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, set: bool) {
    let l = ipc_layout(cx.abi);
    let m = &l.shmid;
    let Some(d) = Ds::read(cx, addr, l.ws, m.len) else {
        w.ptr(addr);
        return;
    };
    w.s("{shm_perm=");
    perm(w, &d.b, set);
    if !set {
        w!(
            w,
            ", shm_segsz={}, shm_cpid={}, shm_lpid={}, shm_nattch={}, shm_atime={}, shm_dtime={}, shm_ctime={}",
            d.word(m.segsz),
            d.int(m.cpid),
            d.int(m.lpid),
            d.word(m.nattch),
            d.word(m.atime),
            d.word(m.dtime),
            d.word(m.ctime)
        );
    }
    w.c('}');
}

/// `struct msginfo`/`struct seminfo`: all `int`s.
fn ints(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, names: &[&str], last_unsigned: bool) {
    let Some(b) = read_bytes(cx.mem, addr, 4 * names.len()).filter(|_| addr != 0) else {
        w.ptr(addr);
        return;
    };
    w.c('{');
    for (k, n) in names.iter().enumerate() {
        if k > 0 {
            w.s(", ");
        }
        let v = le_u32(&b, 4 * k);
        if last_unsigned && k + 1 == names.len() {
            w!(w, "{n}={v}");
        } else {
            w!(w, "{n}={}", v as u32 as i32);
        }
    }
    w.c('}');
}

/// `struct shminfo64` (`IPC_INFO`) and `struct shm_info` (`SHM_INFO`).
fn shm_infos(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, shm_info: bool) {
    let ws = word_size(cx.abi) as usize;
    let Some(b) = read_bytes(cx.mem, addr, 6 * ws).filter(|_| addr != 0) else {
        w.ptr(addr);
        return;
    };
    let word = |k: usize| {
        if ws == 8 {
            le_u64(&b, 8 * k)
        } else {
            le_u32(&b, 4 * k)
        }
    };
    if shm_info {
        w!(
            w,
            "{{used_ids={}, shm_tot={}, shm_rss={}, shm_swp={}, swap_attempts={}, swap_successes={}}}",
            le_u32(&b, 0) as u32 as i32,
            word(1),
            word(2),
            word(3),
            word(4),
            word(5)
        );
    } else {
        w!(
            w,
            "{{shmmax={}, shmmin={}, shmmni={}, shmseg={}, shmall={}}}",
            word(0),
            word(1),
            word(2),
            word(3),
            word(4)
        );
    }
}

/// Which `*ctl` call.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctl {
    Msg,
    Sem,
    Shm,
}

/// A `*ctl` command and its buffer: the structure read at entry for `IPC_SET`, at exit for the
/// `*_STAT`/`*_INFO` commands, the pointer otherwise. `indirect`: semctl through `ipc`, whose
/// argument points to the `union semun` (`[0x2]`).
fn ctl(cx: &mut Ctx<'_>, w: &mut Out<'_>, which: Ctl, cmd: u64, arg: u64, indirect: bool) {
    let (table, dflt) = match which {
        Ctl::Msg => (i::MSGCTL_FLAGS, "MSG_???"),
        Ctl::Sem => (i::SEMCTL_FLAGS, "SEM_???"),
        Ctl::Shm => (i::SHMCTL_FLAGS, "SHM_???"),
    };
    ctl_cmd(w, cmd, table, dflt);
    w.sep();
    let c = cmd & 0xffff_ffff & !IPC_64;
    // semctl through ipc: the union's value, read at entry.
    let addr = if indirect {
        let ws = word_size(cx.abi) as usize;
        match at_entry(cx, |cx| read_bytes(cx.mem, arg, ws).filter(|_| arg != 0)) {
            Some(b) => {
                if ws == 8 {
                    le_u64(&b, 0)
                } else {
                    le_u32(&b, 0)
                }
            }
            None => {
                w.ptr(arg);
                return;
            }
        }
    } else {
        arg
    };
    let stat = match which {
        Ctl::Msg => matches!(c, 2 | 11 | 13),
        Ctl::Sem => matches!(c, 2 | 18 | 20),
        Ctl::Shm => matches!(c, 2 | 13 | 15),
    };
    let info = match which {
        Ctl::Msg => matches!(c, 3 | 12),
        Ctl::Sem => matches!(c, 3 | 19),
        Ctl::Shm => matches!(c, 3 | 14),
    };
    let bracket = |w: &mut Out<'_>, f: &mut dyn FnMut(&mut Out<'_>)| {
        if indirect {
            w.c('[');
            f(w);
            w.c(']');
        } else {
            f(w);
        }
    };
    if c == 1 {
        at_entry(cx, |cx| match which {
            Ctl::Msg => msqid_ds(cx, w, addr, true),
            Ctl::Sem => {
                if !semid_ds(cx, w, addr, true) {
                    bracket(w, &mut |w| w.ptr(addr));
                }
            }
            Ctl::Shm => shmid_ds(cx, w, addr, true),
        });
        return;
    }
    if !(stat || info) {
        bracket(w, &mut |w| w.ptr(addr));
        return;
    }
    if !cx.ok() {
        match which {
            Ctl::Sem => bracket(w, &mut |w| w.ptr(addr)),
            _ => w.ptr(addr),
        }
        return;
    }
    match (which, stat) {
        (Ctl::Msg, true) => msqid_ds(cx, w, addr, false),
        (Ctl::Sem, true) => {
            if !semid_ds(cx, w, addr, false) {
                bracket(w, &mut |w| w.ptr(addr));
            }
        }
        (Ctl::Shm, true) => shmid_ds(cx, w, addr, false),
        (Ctl::Msg, false) => ints(
            cx,
            w,
            addr,
            &[
                "msgpool", "msgmap", "msgmax", "msgmnb", "msgmni", "msgssz", "msgtql", "msgseg",
            ],
            true,
        ),
        (Ctl::Sem, false) => ints(
            cx,
            w,
            addr,
            &[
                "semmap", "semmni", "semmns", "semmnu", "semmsl", "semopm", "semume", "semusz",
                "semvmx", "semaem",
            ],
            false,
        ),
        (Ctl::Shm, false) => shm_infos(cx, w, addr, c == 14),
    }
}

/// `msgctl(id, cmd, buf)` from `cmd` on (direct call).
pub(crate) fn msgctl(cx: &mut Ctx<'_>, w: &mut Out<'_>) {
    let (cmd, buf) = (cx.arg(1), cx.warg(2));
    ctl(cx, w, Ctl::Msg, cmd, buf, false);
}

/// `semctl(id, num, cmd, arg)` from `cmd` on (direct call).
pub(crate) fn semctl(cx: &mut Ctx<'_>, w: &mut Out<'_>) {
    let (cmd, arg) = (cx.arg(2), cx.warg(3));
    ctl(cx, w, Ctl::Sem, cmd, arg, false);
}

/// `shmctl(id, cmd, buf)` from `cmd` on (direct call).
pub(crate) fn shmctl(cx: &mut Ctx<'_>, w: &mut Out<'_>) {
    let (cmd, buf) = (cx.arg(1), cx.warg(2));
    ctl(cx, w, Ctl::Shm, cmd, buf, false);
}

/// `msgrcv`'s buffer (at exit) of `count` bytes; the pointer when the call failed.
pub(crate) fn msgbuf_out(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, count: u64) {
    if cx.ok() {
        msgbuf(cx, w, addr, count);
    } else {
        w.ptr(addr);
    }
}

/// `msgsnd`/`msgrcv` flags.
pub(crate) fn msg_flags(w: &mut Out<'_>, v: u64) {
    pflags(w, v & 0xffff_ffff, i::IPC_MSG_FLAGS, Some("MSG_???"));
}

/// `shmat` flags.
pub(crate) fn shm_flags(w: &mut Out<'_>, v: u64) {
    pflags(w, v & 0xffff_ffff, i::SHM_FLAGS, Some("SHM_???"));
}

// ---------------------------------------------------------------------------------------------
// i386 `ipc(call, first, second, third, ptr, fifth)`: the subcall's arguments are the registers
// after `call` (strace shifts them the same way), rendered by one kind in strace's indirect layout.

/// One descriptor per subcall, all rendered by [`K::Ipc`].
macro_rules! ipc_desc {
    ($call:ident, $ret:ident) => {
        SyscallDesc {
            nr: 117,
            call: Call::$call,
            nargs: 5,
            args: &[
                ArgKind::Sys(K::Ipc),
                ArgKind::Skip,
                ArgKind::Skip,
                ArgKind::Skip,
                ArgKind::Skip,
            ],
            arg_names: &["first", "second", "third", "ptr", "fifth"],
            ret: RetKind::$ret,
        }
    };
}

static IPC_DESCS: [(u64, SyscallDesc); 12] = [
    (1, ipc_desc!(Semop, Int)),
    (2, ipc_desc!(Semget, Int)),
    (3, ipc_desc!(Semctl, Int)),
    (4, ipc_desc!(Semtimedop, Int)),
    (11, ipc_desc!(Msgsnd, Int)),
    (12, ipc_desc!(Msgrcv, Int)),
    (13, ipc_desc!(Msgget, Int)),
    (14, ipc_desc!(Msgctl, Int)),
    (21, ipc_desc!(Shmat, Hex)),
    (22, ipc_desc!(Shmdt, Int)),
    (23, ipc_desc!(Shmget, Int)),
    (24, ipc_desc!(Shmctl, Int)),
];

/// The call `ipc` stands for and its shifted arguments (the version, `call >> 16`, kept in the
/// sixth); `None` for an unknown subcall.
pub(crate) fn ipc_subcall(raw: &[u64; 6]) -> Option<(&'static SyscallDesc, [u64; 6])> {
    let call = raw[0] & 0xffff;
    let version = (raw[0] & 0xffff_ffff) >> 16;
    let (_, d) = IPC_DESCS.iter().find(|(c, _)| *c == call)?;
    Some((d, [raw[1], raw[2], raw[3], raw[4], raw[5], version]))
}

/// The descriptor of a subcall of `ipc` (to render an event whose call is known).
pub(crate) fn ipc_desc(call: Call) -> Option<&'static SyscallDesc> {
    IPC_DESCS
        .iter()
        .find(|(_, d)| d.call == call)
        .map(|(_, d)| d)
}

/// Whether `desc` is one of the `ipc` subcalls' descriptors.
pub(crate) fn is_indirect(desc: &SyscallDesc) -> bool {
    IPC_DESCS.iter().any(|(_, d)| std::ptr::eq(d, desc))
}

/// A subcall of `ipc`, whole, in strace's indirect layout (arguments `first, second, third, ptr,
/// fifth`).
pub(crate) fn indirect(cx: &mut Ctx<'_>, w: &mut Out<'_>) {
    let (first, second, third, ptr, fifth) =
        (cx.warg(0), cx.warg(1), cx.warg(2), cx.warg(3), cx.warg(4));
    let id = |w: &mut Out<'_>| w.int(i64::from(first as u32 as i32));
    match cx.desc.call {
        Call::Semop | Call::Semtimedop => {
            id(w);
            w.sep();
            at_entry(cx, |cx| sembufs(cx, w, ptr, second & 0xffff_ffff));
            w.sep();
            w.uint(second & 0xffff_ffff);
            if cx.desc.call == Call::Semtimedop {
                w.sep();
                at_entry(cx, |cx| {
                    let m = w.mark();
                    if super::util::timespec(cx, w, fifth, true).is_none() {
                        w.cut(m);
                        w.ptr(fifth);
                    }
                });
            }
        }
        Call::Semget => {
            key(w, first);
            w.sep();
            w.int(i64::from(second as u32 as i32));
            w.sep();
            get_flags(w, third);
        }
        Call::Semctl => {
            id(w);
            w.sep();
            w.int(i64::from(second as u32 as i32));
            w.sep();
            ctl(cx, w, Ctl::Sem, third, ptr, true);
        }
        Call::Msgsnd => {
            id(w);
            w.sep();
            at_entry(cx, |cx| msgbuf(cx, w, ptr, second));
            w.sep();
            w.uint(second);
            w.sep();
            msg_flags(w, third);
        }
        Call::Msgrcv => {
            id(w);
            w.sep();
            let version = cx.arg(5);
            if version != 0 {
                msgbuf_out(cx, w, ptr, second);
                w.sep();
                w.uint(second);
                w.sep();
                w.int(i64::from(fifth as u32 as i32));
            } else {
                // struct ipc_kludge { msgp, msgtyp }, read at exit.
                let kludge = if cx.ok() {
                    read_bytes(cx.mem, ptr, 8).filter(|_| ptr != 0)
                } else {
                    None
                };
                match kludge {
                    Some(k) => {
                        msgbuf(cx, w, le_u32(&k, 0), second);
                        w.sep();
                        w.uint(second);
                        w.sep();
                        w.int(i64::from(le_u32(&k, 4) as u32 as i32));
                    }
                    None => {
                        w.ptr(ptr);
                        w.sep();
                        w.uint(second);
                    }
                }
            }
            w.sep();
            msg_flags(w, third);
        }
        Call::Msgget => {
            key(w, first);
            w.sep();
            get_flags(w, second);
        }
        Call::Msgctl => {
            id(w);
            w.sep();
            ctl(cx, w, Ctl::Msg, second, ptr, false);
        }
        Call::Shmat => {
            id(w);
            w.sep();
            w.ptr(ptr);
            w.sep();
            shm_flags(w, second);
        }
        Call::Shmdt => w.ptr(ptr),
        Call::Shmget => {
            key(w, first);
            w.sep();
            w.uint(second);
            w.sep();
            shmget_flags(w, third);
        }
        Call::Shmctl => {
            id(w);
            w.sep();
            ctl(cx, w, Ctl::Shm, second, ptr, false);
        }
        _ => w.ptr(first),
    }
}

/// `ipc(call, …)` for a call strace does not know: `99, 0x1, 0x2, …` (a version as `1<<16|`).
pub(crate) fn raw(cx: &mut Ctx<'_>, w: &mut Out<'_>) {
    let c = cx.arg(0) & 0xffff_ffff;
    let (version, call) = (c >> 16, c & 0xffff);
    if version != 0 {
        w!(w, "{version}<<16|");
    }
    match IPC_DESCS.iter().find(|(n, _)| *n == call) {
        Some((_, d)) => w.s(&d.call.name().to_uppercase()),
        None => w.uint(call),
    }
    for k in 1..6 {
        w.sep();
        w.hex(cx.warg(k));
    }
}

/// The value `shmat` through `ipc` shows as its return: the address the kernel stored at `third`.
pub(crate) fn shmat_ret(cx: &mut Ctx<'_>) -> Option<i64> {
    if cx.desc.call != Call::Shmat || !is_indirect(cx.desc) || !cx.ok() {
        return None;
    }
    let addr = cx.warg(2);
    let ws = word_size(cx.abi) as usize;
    let b = read_bytes(cx.mem, addr, ws).filter(|_| addr != 0)?;
    Some(if ws == 8 {
        le_u64(&b, 0) as i64
    } else {
        le_u32(&b, 0) as i64
    })
}

// ---------------------------------------------------------------------------------------------
// POSIX message queues.

/// `struct mq_attr` of the ABI: `{mq_flags=O_NONBLOCK, mq_maxmsg=4, …}` (`mq_open` prints the
/// flags in hex).
pub(crate) fn mq_attr(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, flags_named: bool) {
    let ws = word_size(cx.abi) as usize;
    let Some(b) = read_bytes(cx.mem, addr, 4 * ws).filter(|_| addr != 0) else {
        w.ptr(addr);
        return;
    };
    let long = |k: usize| {
        if ws == 8 {
            le_u64(&b, 8 * k) as i64
        } else {
            i64::from(le_u32(&b, 4 * k) as u32 as i32)
        }
    };
    w.s("{mq_flags=");
    let f = if ws == 8 {
        le_u64(&b, 0)
    } else {
        le_u32(&b, 0)
    };
    if flags_named {
        pflags(w, f, &[(0o4000, "O_NONBLOCK")], Some("O_???"));
    } else {
        w.hex(f);
    }
    w!(
        w,
        ", mq_maxmsg={}, mq_msgsize={}, mq_curmsgs={}}}",
        long(1),
        long(2),
        long(3)
    );
}

/// `mq_open(name, flags[, mode, attr])`: mode and attributes only with `O_CREAT`.
pub(crate) fn mq_open_rest(cx: &mut Ctx<'_>, w: &mut Out<'_>) {
    let flags = cx.arg(1);
    xlat::open_flags(w, cx.abi, flags);
    if flags & 0o100 != 0 {
        w.sep();
        w.mode(cx.arg(2));
        w.sep();
        let attr = cx.warg(3);
        mq_attr(cx, w, attr, false);
    }
}

/// `mq_timedreceive`'s priority at exit (`[3]`).
pub(crate) fn mq_prio(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) {
    num_u32(cx, w, addr);
}

/// `struct sigevent` of the ABI as strace prints it (`mq_notify`).
pub(crate) fn sigevent(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) {
    let ws = word_size(cx.abi) as usize;
    // sigev_value (a pointer-sized union), signo, notify, then the union of tid / function and
    // attributes.
    let Some(b) = read_bytes(cx.mem, addr, if ws == 8 { 32 } else { 20 }).filter(|_| addr != 0)
    else {
        w.ptr(addr);
        return;
    };
    let value = if ws == 8 {
        le_u64(&b, 0)
    } else {
        le_u32(&b, 0)
    };
    let signo = le_u32(&b, ws);
    let notify = le_u32(&b, ws + 4);
    w.c('{');
    if value != 0 {
        w!(
            w,
            "sigev_value={{sival_int={}, sival_ptr=",
            value as u32 as i32
        );
        w.ptr(value);
        w.s("}, ");
    }
    w.s("sigev_signo=");
    if matches!(notify, 0 | 2 | 4) {
        xlat::signal(w, signo);
    } else {
        w.uint(signo);
    }
    w.s(", sigev_notify=");
    pxval(w, notify, i::SIGEV_NOTIFY, "SIGEV_???");
    let un = ws + 8;
    match notify {
        4 => w!(
            w,
            ", sigev_notify_thread_id={}",
            le_u32(&b, un) as u32 as i32
        ),
        2 => {
            let (f, a) = if ws == 8 {
                (le_u64(&b, un), le_u64(&b, un + 8))
            } else {
                (le_u32(&b, un), le_u32(&b, un + 4))
            };
            w.s(", sigev_notify_function=");
            w.ptr(f);
            w.s(", sigev_notify_attributes=");
            w.ptr(a);
        }
        _ => {}
    }
    w.c('}');
}

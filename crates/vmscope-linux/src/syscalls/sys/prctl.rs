//! `prctl` (every option strace 6.1 knows, with what each takes and what strace prints after the
//! return value) and `arch_prctl`.
//!
//! Both render the whole call at its exit (in/out kinds): the inputs from the entry's memory
//! ([`at_entry`]), what `PR_GET_*` and `ARCH_GET_*` wrote from the exit's.

use super::super::ctx::Ctx;
use super::super::out::{Out, w};
use super::super::read::{le_u32, le_u64, read_bytes, word_size};
use super::super::xlat;
use super::util::{
    at_entry, aux_flags, num_at, num_ptr, num_u32, pflags, pxval, pxval32, sflags, str0,
};
use crate::uapi::{Xlat, name_of, proc as p, process as pr};

/// `TASK_COMM_LEN`.
const COMM_LEN: u64 = 16;

/// Every argument from `first` on as `%#lx` (strace's `print_prctl_args`).
fn rest_hex(cx: &Ctx<'_>, w: &mut Out<'_>, first: usize, n: usize) {
    for i in first..n {
        w.sep();
        w.hex(cx.warg(i));
    }
}

/// A signal number as `printsignal` prints it.
pub(crate) fn signal(w: &mut Out<'_>, v: u64) {
    xlat::signal(w, v);
}

/// `prctl(option, …)`: the arguments the option takes, outputs at exit.
pub(crate) fn prctl(cx: &mut Ctx<'_>, w: &mut Out<'_>) {
    let option = cx.arg(0) & 0xffff_ffff;
    let a2 = cx.warg(1);
    let a3 = cx.warg(2);
    pxval(w, option, p::PRCTL_OPTIONS, "PR_???");
    match option {
        // PR_GET_KEEPCAPS, PR_GET_SECCOMP, PR_GET_TIMERSLACK, PR_GET_TIMING, PR_GET_DUMPABLE,
        // PR_GET_SECUREBITS, PR_GET_FP_MODE, PR_TASK_PERF_EVENTS_*, PR_SVE_GET_VL, PR_SME_GET_VL
        7 | 21 | 30 | 13 | 3 | 27 | 46 | 31 | 32 | 51 | 64 => {}
        // PR_GET_CHILD_SUBREAPER, PR_GET_ENDIAN, PR_GET_FPEMU, PR_GET_FPEXC
        37 | 19 | 9 | 11 => {
            w.sep();
            out_or_ptr(cx, w, a2, |cx, w| num_u32(cx, w, a2));
        }
        // PR_GET_NAME
        16 => {
            w.sep();
            out_or_ptr(cx, w, a2, |cx, w| {
                let m = w.mark();
                if str0(cx, w, a2, COMM_LEN).is_none() {
                    w.cut(m);
                    w.ptr(a2);
                }
            });
        }
        // PR_GET_PDEATHSIG
        2 => {
            w.sep();
            out_or_ptr(cx, w, a2, |cx, w| {
                num_at(cx, w, a2, 4, signal);
            });
        }
        // PR_GET_TID_ADDRESS
        40 => {
            w.sep();
            out_or_ptr(cx, w, a2, |cx, w| num_ptr(cx, w, a2));
        }
        // PR_GET_TSC
        25 => {
            w.sep();
            out_or_ptr(cx, w, a2, |cx, w| {
                num_at(cx, w, a2, 4, |w, v| pxval(w, v, p::PR_TSC, "PR_TSC_???"));
            });
        }
        // PR_GET_UNALIGN
        5 => {
            w.sep();
            out_or_ptr(cx, w, a2, |cx, w| {
                num_at(cx, w, a2, 4, |w, v| {
                    pflags(w, v, p::PR_UNALIGN, Some("PR_UNALIGN_???"));
                });
            });
        }
        // PR_SVE_SET_VL, PR_SME_SET_VL
        50 | 63 => {
            w.sep();
            let vl = a2 & 0xffff;
            let flags = a2 & !0xffff;
            if flags != 0 {
                let tbl: Xlat = if option == 50 {
                    &[
                        (1 << 17, "PR_SVE_VL_INHERIT"),
                        (1 << 18, "PR_SVE_SET_VL_ONEXEC"),
                    ]
                } else {
                    &[
                        (1 << 17, "PR_SME_VL_INHERIT"),
                        (1 << 18, "PR_SME_SET_VL_ONEXEC"),
                    ]
                };
                w.s(&sflags(flags, tbl));
                w.c('|');
            }
            w.hex(vl);
        }
        // PR_GET_SPECULATION_CTRL
        52 => {
            w.sep();
            pxval(w, a2, p::PR_SPEC_CMDS, "PR_SPEC_???");
        }
        // PR_SET_TAGGED_ADDR_CTRL
        55 => {
            w.sep();
            w.s(&tagged_addr(a2));
            rest_hex(cx, w, 2, 5);
        }
        // PR_SET_CHILD_SUBREAPER, PR_SET_ENDIAN, PR_SET_FPEMU, PR_SET_FPEXC, PR_SET_KEEPCAPS,
        // PR_SET_TIMING
        36 | 20 | 10 | 12 | 8 | 14 => {
            w.sep();
            w.uint(a2);
        }
        // PR_SET_DUMPABLE
        4 => {
            w.sep();
            pxval(w, a2, p::PR_DUMPABLE, "SUID_DUMP_???");
        }
        // PR_CAPBSET_READ, PR_CAPBSET_DROP
        23 | 24 => {
            w.sep();
            pxval(w, a2, p::CAPS, "CAP_???");
        }
        // PR_CAP_AMBIENT
        47 => {
            w.sep();
            pxval(w, a2, p::PR_CAP_AMBIENT, "PR_CAP_AMBIENT_???");
            if (1..=3).contains(&a2) {
                w.sep();
                pxval(w, a3, p::CAPS, "CAP_???");
                rest_hex(cx, w, 3, 5);
            } else {
                rest_hex(cx, w, 2, 5);
            }
        }
        // PR_MCE_KILL
        33 => {
            w.sep();
            pxval(w, a2, p::PR_MCE_KILL, "PR_MCE_KILL_???");
            w.sep();
            if a2 == 1 {
                pxval(w, a3, p::PR_MCE_KILL_POLICY, "PR_MCE_KILL_???");
            } else {
                w.hex(a3);
            }
            rest_hex(cx, w, 3, 5);
        }
        // PR_SET_NAME
        15 => {
            w.sep();
            at_entry(cx, |cx| {
                let m = w.mark();
                if str0(cx, w, a2, COMM_LEN - 1).is_none() {
                    w.cut(m);
                    w.ptr(a2);
                }
            });
        }
        // PR_SET_VMA
        0x5356_4d41 => {
            w.sep();
            pxval(w, a2, p::PR_SET_VMA, "PR_SET_VMA_???");
            if a2 == 0 {
                w.sep();
                w.ptr(a3);
                w.sep();
                w.uint(cx.warg(3));
                w.sep();
                let a5 = cx.warg(4);
                at_entry(cx, |cx| {
                    let m = w.mark();
                    let limit = cx.opts.string_limit;
                    if super::super::ctx::string(cx, w, a5, limit).is_none() {
                        w.cut(m);
                        w.ptr(a5);
                    }
                });
            } else {
                rest_hex(cx, w, 2, 5);
            }
        }
        // PR_SET_MM
        35 => {
            w.sep();
            pxval32(w, a2, p::PR_SET_MM, "PR_SET_MM_???");
            rest_hex(cx, w, 2, 5);
        }
        // PR_SET_PDEATHSIG
        1 => {
            w.sep();
            if a2 > 128 {
                w.uint(a2);
            } else {
                signal(w, a2);
            }
        }
        // PR_SET_PTRACER
        0x5961_6d61 => {
            w.sep();
            if a2 as u32 == u32::MAX {
                w.s("PR_SET_PTRACER_ANY");
            } else {
                w.int(i64::from(a2 as u32 as i32));
            }
        }
        // PR_SET_SECCOMP
        22 => {
            w.sep();
            pxval(w, a2, p::SECCOMP_MODE, "SECCOMP_MODE_???");
            match a2 {
                1 => {}
                2 => {
                    w.sep();
                    at_entry(cx, |cx| fprog(cx, w, a3));
                }
                _ => rest_hex(cx, w, 2, 5),
            }
        }
        // PR_SET_SECUREBITS
        28 => {
            w.sep();
            pflags(w, a2, p::SECBITS, Some("SECBIT_???"));
        }
        // PR_SET_TIMERSLACK
        29 => {
            w.sep();
            w.int(super::super::read::long(cx.abi, a2));
        }
        // PR_SET_TSC
        26 => {
            w.sep();
            pxval32(w, a2, p::PR_TSC, "PR_TSC_???");
        }
        // PR_SET_UNALIGN
        6 => {
            w.sep();
            pflags(w, a2 & 0xffff_ffff, p::PR_UNALIGN, Some("PR_UNALIGN_???"));
        }
        // PR_SET_NO_NEW_PRIVS, PR_SET_THP_DISABLE, PR_SET_IO_FLUSHER
        38 | 41 | 57 => {
            w.sep();
            w.uint(a2);
            rest_hex(cx, w, 2, 5);
        }
        // PR_SET_FP_MODE
        45 => {
            w.sep();
            pflags(w, a2 & 0xffff_ffff, p::PR_FP_MODE, Some("PR_FP_MODE_???"));
        }
        // PR_SET_SPECULATION_CTRL
        53 => {
            w.sep();
            pxval(w, a2, p::PR_SPEC_CMDS, "PR_SPEC_???");
            w.sep();
            if a2 <= 2 {
                pxval(w, a3, p::PR_SPEC_SET, "PR_SPEC_???");
            } else {
                w.hex(a3);
            }
        }
        // PR_PAC_RESET_KEYS
        54 => {
            w.sep();
            let both: Vec<(u64, &str)> = p::PR_PAC_ENABLED_KEYS
                .iter()
                .chain(p::PR_PAC_KEYS.iter())
                .copied()
                .collect();
            pflags(w, a2, &both, Some("PR_PAC_???"));
            rest_hex(cx, w, 2, 5);
        }
        // PR_PAC_SET_ENABLED_KEYS
        60 => {
            w.sep();
            pflags(w, a2, p::PR_PAC_ENABLED_KEYS, Some("PR_PAC_???"));
            w.sep();
            pflags(w, a3, p::PR_PAC_ENABLED_KEYS, Some("PR_PAC_???"));
            rest_hex(cx, w, 3, 5);
        }
        // PR_SET_SYSCALL_USER_DISPATCH
        59 => {
            w.sep();
            pxval(w, a2, p::PR_SUD_CMDS, "PR_SYS_DISPATCH_???");
            w.sep();
            w.hex(a3);
            w.sep();
            w.hex(cx.warg(3));
            w.sep();
            w.ptr(cx.warg(4));
        }
        // PR_SCHED_CORE
        62 => {
            w.sep();
            pxval32(w, a2, p::PR_SCHED_CORE_CMDS, "PR_SCHED_CORE_???");
            w.sep();
            w.int(i64::from(a3 as u32 as i32));
            w.sep();
            let ty = cx.arg(3) & 0xffff_ffff;
            w.hex(ty);
            match name_of(p::PR_SCHED_CORE_PIDTYPES, ty) {
                Some(n) => w!(w, " /* {n} */"),
                None => w.s(" /* PIDTYPE_??? */"),
            }
            w.sep();
            let a5 = cx.warg(4);
            if a2 & 0xffff_ffff == 0 {
                out_or_ptr(cx, w, a5, |cx, w| num_at(cx, w, a5, 8, |w, v| w.hex(v)));
            } else {
                w.ptr(a5);
            }
        }
        // PR_GET_TAGGED_ADDR_CTRL, PR_MCE_KILL_GET, PR_PAC_GET_ENABLED_KEYS, PR_GET_NO_NEW_PRIVS,
        // PR_GET_THP_DISABLE, PR_MPX_*, PR_GET_IO_FLUSHER and unknown options: every argument.
        _ => rest_hex(cx, w, 1, 5),
    }
}

/// An output argument at exit: the pointer when the call failed or did not return.
fn out_or_ptr(
    cx: &mut Ctx<'_>,
    w: &mut Out<'_>,
    addr: u64,
    f: impl FnOnce(&mut Ctx<'_>, &mut Out<'_>),
) {
    if !cx.ok() {
        w.ptr(addr);
        return;
    }
    f(cx, w);
}

/// The tagged address control value of arm64 (`PR_TAGGED_ADDR_ENABLE|PR_MTE_TCF_SYNC|…`).
fn tagged_addr(v: u64) -> String {
    let mut s = String::from(if v & 1 != 0 {
        "PR_TAGGED_ADDR_ENABLE|"
    } else {
        "!PR_TAGGED_ADDR_ENABLE|"
    });
    let tcf = v & 6;
    match name_of(p::PR_MTE_TCF, tcf) {
        Some(n) => s.push_str(n),
        None => s.push_str(&format!("{tcf:#x}")),
    }
    let tag = v & (0xffff << 3);
    if tag != 0 {
        s.push_str(&format!("|{:#x}<<PR_MTE_TAG_SHIFT", tag >> 3));
    }
    let rest = v & !(1 | 6 | (0xffff << 3));
    if rest != 0 {
        s.push_str(&format!("|{rest:#x}"));
    }
    s
}

/// `struct sock_fprog` as strace abbreviates it: `{len=4, filter=0x…}`.
pub(crate) fn fprog(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) {
    let ws = word_size(cx.abi);
    match read_bytes(cx.mem, addr, 2 * ws as usize).filter(|_| addr != 0) {
        Some(b) => {
            let len = le_u32(&b, 0) & 0xffff;
            let filter = if ws == 8 {
                le_u64(&b, 8)
            } else {
                le_u32(&b, 4)
            };
            w!(w, "{{len={len}, filter=");
            w.ptr(filter);
            w.c('}');
        }
        None => w.ptr(addr),
    }
}

/// What strace prints after `prctl`'s return value (`= 1 (SUID_DUMP_USER)`), from the registers.
pub(crate) fn prctl_ret(w: &mut Out<'_>, raw: &[u64; 6], ret: i64) -> bool {
    let option = raw[0] & 0xffff_ffff;
    let r = ret as u64;
    match option {
        // PR_GET_DUMPABLE, PR_MCE_KILL_GET
        3 | 34 => {
            let t = if option == 3 {
                p::PR_DUMPABLE
            } else {
                p::PR_MCE_KILL_POLICY
            };
            w.int(ret);
            if let Some(n) = name_of(t, r) {
                w!(w, " ({n})");
            }
            true
        }
        // PR_GET_SECUREBITS, PR_GET_FP_MODE, PR_PAC_GET_ENABLED_KEYS
        27 | 46 | 61 if ret != 0 => {
            let t = match option {
                27 => p::SECBITS,
                46 => p::PR_FP_MODE,
                _ => p::PR_PAC_ENABLED_KEYS,
            };
            hex_aux(w, r, aux_flags(r, t));
            true
        }
        // PR_GET_SPECULATION_CTRL
        52 if raw[1] <= 2 => {
            hex_aux(w, r, aux_flags(r, p::PR_SPEC_GET));
            true
        }
        // PR_GET_TAGGED_ADDR_CTRL
        56 => {
            hex_aux(w, r, Some(tagged_addr(r)));
            true
        }
        _ => false,
    }
}

/// `RVAL_HEX | RVAL_STR`: `0x3 (NAMES)`, or the value alone.
pub(crate) fn hex_aux(w: &mut Out<'_>, v: u64, aux: Option<String>) {
    w.hex(v);
    if let Some(s) = aux {
        w!(w, " ({s})");
    }
}

/// `arch_prctl(code, addr)`: `[0x…]` for what `ARCH_GET_*` wrote, nothing for `ARCH_GET_CPUID`.
pub(crate) fn arch_prctl(cx: &mut Ctx<'_>, w: &mut Out<'_>) {
    let code = cx.arg(0) & 0xffff_ffff;
    let addr = cx.warg(1);
    pxval(w, code, pr::ARCH_PRCTL, "ARCH_???");
    match code {
        // ARCH_GET_GS, ARCH_GET_FS
        0x1003 | 0x1004 => {
            w.sep();
            out_or_ptr(cx, w, addr, |cx, w| num_ptr(cx, w, addr));
        }
        // ARCH_GET_CPUID
        0x1011 => {}
        // ARCH_GET_XCOMP_SUPP, ARCH_GET_XCOMP_PERM, ARCH_GET_XCOMP_GUEST_PERM
        0x1021 | 0x1022 | 0x1024 => {
            w.sep();
            out_or_ptr(cx, w, addr, |cx, w| {
                num_at(cx, w, addr, 8, xfeatures);
            });
        }
        // ARCH_REQ_XCOMP_PERM, ARCH_REQ_XCOMP_GUEST_PERM
        0x1023 | 0x1025 => {
            w.sep();
            w.hex(addr);
            match name_of(XFEATURE_BITS, addr) {
                Some(n) => w!(w, " /* {n} */"),
                None => w.s(" /* XFEATURE_??? */"),
            }
        }
        _ => {
            w.sep();
            w.hex(addr);
        }
    }
}

/// The x86 `XFEATURE_*` bits, by number (strace 6.1's `x86_xfeature_bits`: the reserved 11–14 and
/// 16 have no name).
pub(crate) const XFEATURE_BITS: Xlat = &[
    (0, "XFEATURE_FP"),
    (1, "XFEATURE_SSE"),
    (2, "XFEATURE_YMM"),
    (3, "XFEATURE_BNDREGS"),
    (4, "XFEATURE_BNDCSR"),
    (5, "XFEATURE_OPMASK"),
    (6, "XFEATURE_ZMM_Hi256"),
    (7, "XFEATURE_Hi16_ZMM"),
    (8, "XFEATURE_PT_UNIMPLEMENTED_SO_FAR"),
    (9, "XFEATURE_PKRU"),
    (10, "XFEATURE_PASID"),
    (15, "XFEATURE_LBR"),
    (17, "XFEATURE_XTILE_CFG"),
    (18, "XFEATURE_XTILE_DATA"),
];

/// strace 6.1's `x86_xfeatures`, in its order (the combined masks first where it lists them).
const XFEATURE_MASKS: Xlat = &[
    (0x3, "XFEATURE_MASK_FPSSE"),
    (0x1, "XFEATURE_MASK_FP"),
    (0x2, "XFEATURE_MASK_SSE"),
    (0x4, "XFEATURE_MASK_YMM"),
    (0x8, "XFEATURE_MASK_BNDREGS"),
    (0x10, "XFEATURE_MASK_BNDCSR"),
    (0xe0, "XFEATURE_MASK_AVX512"),
    (0x20, "XFEATURE_MASK_OPMASK"),
    (0x40, "XFEATURE_MASK_ZMM_Hi256"),
    (0x80, "XFEATURE_MASK_Hi16_ZMM"),
    (0x100, "XFEATURE_MASK_PT"),
    (0x200, "XFEATURE_MASK_PKRU"),
    (0x400, "XFEATURE_MASK_PASID"),
    (0x8000, "XFEATURE_MASK_LBR"),
    (0x60000, "XFEATURE_MASK_XTILE"),
    (0x20000, "XFEATURE_MASK_XTILE_CFG"),
    (0x40000, "XFEATURE_MASK_XTILE_DATA"),
];

/// A mask of `XFEATURE_MASK_*` as strace prints it (verbose: `0x3 /* XFEATURE_MASK_FPSSE */`).
fn xfeatures(w: &mut Out<'_>, v: u64) {
    w.hex(v);
    if v == 0 {
        return;
    }
    if XFEATURE_MASKS.iter().all(|&(bits, _)| v & bits != bits) {
        w.s(" /* XFEATURE_MASK_??? */");
        return;
    }
    w.s(" /* ");
    super::util::pflags(w, v, XFEATURE_MASKS, None);
    w.s(" */");
}

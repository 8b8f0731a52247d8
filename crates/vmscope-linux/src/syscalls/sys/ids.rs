//! User and group ids (`-1` for "unchanged", 16-bit ids of i386's old calls), group lists, and
//! `quotactl` (commands as `QCMD(Q_GETQUOTA, USRQUOTA)`, ids, quota structures).

use super::super::ctx::Ctx;
use super::super::out::{Out, w};
use super::super::read::{le_u32, le_u64, read_bytes};
use super::util::{array, at_entry, num_at, pflags, pxval};
use crate::uapi::{Xlat, name_of};

/// strace's `printuid`: `-1` for all ones of the id's width, else unsigned.
pub(crate) fn uid(w: &mut Out<'_>, v: u64, bits16: bool) {
    let (v, all) = if bits16 {
        (v & 0xffff, 0xffff)
    } else {
        (v & 0xffff_ffff, 0xffff_ffff)
    };
    if v == all {
        w.s("-1");
    } else {
        w.uint(v);
    }
}

/// An output id behind a pointer (`getresuid`): `[0]`.
pub(crate) fn uid_out(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, bits16: bool) {
    let size = if bits16 { 2 } else { 4 };
    num_at(cx, w, addr, size, |w, v| uid(w, v, bits16));
}

/// A group list of `len` ids (`[0, 1]`); the pointer above `NGROUPS_MAX`.
pub(crate) fn groups(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, len: u64, bits16: bool) {
    if len > 65536 {
        w.ptr(addr);
        return;
    }
    let size = if bits16 { 2 } else { 4 };
    array(cx, w, addr, len, size, |w, e| {
        let v = if bits16 {
            le_u32(e, 0) & 0xffff
        } else {
            le_u32(e, 0)
        };
        uid(w, v, bits16);
    });
}

/// `Q_*` commands (the command part of `QCMD`).
const QUOTA_CMDS: Xlat = &[
    (0x100, "Q_V1_QUOTAON"),
    (0x200, "Q_V1_QUOTAOFF"),
    (0x300, "Q_V1_GETQUOTA"),
    (0x400, "Q_V1_SETQUOTA"),
    (0x500, "Q_V1_SETUSE"),
    (0x600, "Q_V1_SYNC"),
    (0x700, "Q_SETQLIM"),
    (0x800, "Q_V1_GETSTATS"),
    (0x1000, "Q_V1_RSQUASH"),
    (0xd00, "Q_V2_GETQUOTA"),
    (0xe00, "Q_V2_SETQUOTA"),
    (0xf00, "Q_V2_SETUSE"),
    (0x900, "Q_V2_GETINFO"),
    (0xa00, "Q_V2_SETINFO"),
    (0xb00, "Q_V2_SETGRACE"),
    (0xc00, "Q_V2_SETFLAGS"),
    (0x1100, "Q_V2_GETSTATS"),
    (0x80_0001, "Q_SYNC"),
    (0x80_0002, "Q_QUOTAON"),
    (0x80_0003, "Q_QUOTAOFF"),
    (0x80_0004, "Q_GETFMT"),
    (0x80_0005, "Q_GETINFO"),
    (0x80_0006, "Q_SETINFO"),
    (0x80_0007, "Q_GETQUOTA"),
    (0x80_0008, "Q_SETQUOTA"),
    (0x80_0009, "Q_GETNEXTQUOTA"),
    (0x5801, "Q_XQUOTAON"),
    (0x5802, "Q_XQUOTAOFF"),
    (0x5803, "Q_XGETQUOTA"),
    (0x5804, "Q_XSETQLIM"),
    (0x5805, "Q_XGETQSTAT"),
    (0x5806, "Q_XQUOTARM"),
    (0x5807, "Q_XQUOTASYNC"),
    (0x5808, "Q_XGETQSTATV"),
    (0x5809, "Q_XGETNEXTQUOTA"),
];

/// `*QUOTA` types.
const QUOTA_TYPES: Xlat = &[(0, "USRQUOTA"), (1, "GRPQUOTA"), (2, "PRJQUOTA")];

/// `QFMT_*` formats.
const QUOTA_FORMATS: Xlat = &[
    (1, "QFMT_VFS_OLD"),
    (2, "QFMT_VFS_V0"),
    (3, "QFMT_OCFS2"),
    (4, "QFMT_VFS_V1"),
];

/// `QCMD(Q_GETQUOTA, USRQUOTA)`.
fn qcmd(w: &mut Out<'_>, q: u64) {
    let (cmd, ty) = (q >> 8, q & 0xff);
    w.s("QCMD(");
    match name_of(QUOTA_CMDS, cmd) {
        Some(n) => w.s(n),
        None => w.xlat(cmd, &[], "Q_???"),
    }
    w.s(", ");
    match name_of(QUOTA_TYPES, ty) {
        Some(n) => w.s(n),
        None => w!(w, "{ty:#x} /* ???QUOTA */"),
    }
    w.c(')');
}

/// `struct if_dqblk`, abbreviated.
fn dqblk(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) {
    match read_bytes(cx.mem, addr, 68).filter(|_| addr != 0) {
        Some(b) => w!(
            w,
            "{{dqb_bhardlimit={}, dqb_bsoftlimit={}, dqb_curspace={}, dqb_ihardlimit={}, dqb_isoftlimit={}, dqb_curinodes={}, ...}}",
            le_u64(&b, 0),
            le_u64(&b, 8),
            le_u64(&b, 16),
            le_u64(&b, 24),
            le_u64(&b, 32),
            le_u64(&b, 40)
        ),
        None => w.ptr(addr),
    }
}

/// `struct if_dqinfo`.
fn dqinfo(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64) {
    match read_bytes(cx.mem, addr, 24).filter(|_| addr != 0) {
        Some(b) => {
            w!(
                w,
                "{{dqi_bgrace={}, dqi_igrace={}, dqi_flags=",
                le_u64(&b, 0),
                le_u64(&b, 8)
            );
            pflags(
                w,
                le_u32(&b, 16),
                &[(1, "DQF_ROOT_SQUASH"), (1 << 16, "DQF_SYS_FILE")],
                Some("DQF_???"),
            );
            w.s(", dqi_valid=");
            pflags(
                w,
                le_u32(&b, 20),
                &[(1, "IIF_BGRACE"), (2, "IIF_IGRACE"), (4, "IIF_FLAGS")],
                Some("IIF_???"),
            );
            w.c('}');
        }
        None => w.ptr(addr),
    }
}

/// `quotactl(cmd, special, id, addr)`, whole.
pub(crate) fn quotactl(cx: &mut Ctx<'_>, w: &mut Out<'_>) {
    let q = cx.arg(0) & 0xffff_ffff;
    let cmd = q >> 8;
    let special = cx.warg(1);
    let id = cx.arg(2) & 0xffff_ffff;
    let data = cx.warg(3);
    qcmd(w, q);
    w.sep();
    at_entry(cx, |cx| {
        let m = w.mark();
        if super::super::ctx::string(cx, w, special, super::super::read::PATH_LIMIT).is_none() {
            w.cut(m);
            w.ptr(special);
        }
    });
    let out = |cx: &mut Ctx<'_>, w: &mut Out<'_>, f: fn(&mut Ctx<'_>, &mut Out<'_>, u64)| {
        if cx.ok() {
            f(cx, w, data);
        } else {
            w.ptr(data);
        }
    };
    match cmd {
        // Q_QUOTAOFF, Q_SYNC, Q_XQUOTASYNC
        0x80_0003 | 0x80_0001 | 0x5807 => {}
        // Q_QUOTAON
        0x80_0002 => {
            w.sep();
            pxval(w, id, QUOTA_FORMATS, "QFMT_VFS_???");
            w.sep();
            at_entry(cx, |cx| {
                let m = w.mark();
                if super::super::ctx::string(cx, w, data, super::super::read::PATH_LIMIT).is_none()
                {
                    w.cut(m);
                    w.ptr(data);
                }
            });
        }
        // Q_GETQUOTA
        0x80_0007 => {
            w.sep();
            uid(w, id, false);
            w.sep();
            out(cx, w, dqblk);
        }
        // Q_SETQUOTA
        0x80_0008 => {
            w.sep();
            uid(w, id, false);
            w.sep();
            at_entry(cx, |cx| dqblk(cx, w, data));
        }
        // Q_GETFMT
        0x80_0004 => {
            w.sep();
            out(cx, w, |cx, w, a| {
                num_at(cx, w, a, 4, |w, v| {
                    pxval(w, v, QUOTA_FORMATS, "QFMT_VFS_???")
                });
            });
        }
        // Q_GETINFO
        0x80_0005 => {
            w.sep();
            out(cx, w, dqinfo);
        }
        // Q_SETINFO
        0x80_0006 => {
            w.sep();
            at_entry(cx, |cx| dqinfo(cx, w, data));
        }
        _ => {
            w.sep();
            uid(w, id, false);
            w.sep();
            w.ptr(data);
        }
    }
}

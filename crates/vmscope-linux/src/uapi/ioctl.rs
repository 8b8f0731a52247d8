//! `ioctl` requests and the constants of their arguments (terminal flags, baud rates, modem
//! lines, inode flags); the full list of request names strace knows is `ioctl_names.rs`.

use super::Xlat;

/// Known `ioctl` requests (terminal, generic file, block, socket ones).
pub const IOCTLS: Xlat = &[
    (0x5401, "TCGETS"),
    (0x5402, "TCSETS"),
    (0x5403, "TCSETSW"),
    (0x5404, "TCSETSF"),
    (0x5405, "TCGETA"),
    (0x5406, "TCSETA"),
    (0x5407, "TCSETAW"),
    (0x5408, "TCSETAF"),
    (0x5409, "TCSBRK"),
    (0x540a, "TCXONC"),
    (0x540b, "TCFLSH"),
    (0x540c, "TIOCEXCL"),
    (0x540d, "TIOCNXCL"),
    (0x540e, "TIOCSCTTY"),
    (0x540f, "TIOCGPGRP"),
    (0x5410, "TIOCSPGRP"),
    (0x5411, "TIOCOUTQ"),
    (0x5412, "TIOCSTI"),
    (0x5413, "TIOCGWINSZ"),
    (0x5414, "TIOCSWINSZ"),
    (0x5415, "TIOCMGET"),
    (0x5416, "TIOCMBIS"),
    (0x5417, "TIOCMBIC"),
    (0x5418, "TIOCMSET"),
    (0x5419, "TIOCGSOFTCAR"),
    (0x541a, "TIOCSSOFTCAR"),
    (0x541b, "FIONREAD"),
    (0x541c, "TIOCLINUX"),
    (0x541d, "TIOCCONS"),
    (0x541e, "TIOCGSERIAL"),
    (0x541f, "TIOCSSERIAL"),
    (0x5420, "TIOCPKT"),
    (0x5421, "FIONBIO"),
    (0x5422, "TIOCNOTTY"),
    (0x5423, "TIOCSETD"),
    (0x5424, "TIOCGETD"),
    (0x5425, "TCSBRKP"),
    (0x5427, "TIOCSBRK"),
    (0x5428, "TIOCCBRK"),
    (0x5429, "TIOCGSID"),
    (0x5450, "FIONCLEX"),
    (0x5451, "FIOCLEX"),
    (0x5452, "FIOASYNC"),
    (0x80045430, "TIOCGPTN"),
    (0x40045431, "TIOCSPTLCK"),
    (0x80045432, "TIOCGDEV"),
    (0x5441, "TIOCGPTPEER"),
    (0x5460, "FIOQSIZE"),
    (0x80086601, "FS_IOC_GETFLAGS"),
    (0x40086602, "FS_IOC_SETFLAGS"),
    (0x80081272, "BLKGETSIZE64"),
    (0x1260, "BLKGETSIZE"),
    (0x8912, "SIOCGIFCONF"),
    (0x8913, "SIOCGIFFLAGS"),
    (0x8914, "SIOCSIFFLAGS"),
    (0x8927, "SIOCGIFHWADDR"),
    (0x8933, "SIOCGIFINDEX"),
];

/// `TERM_IFLAGS` (strace's order).
pub const TERM_IFLAGS: Xlat = &[
    (0x1, "IGNBRK"),
    (0x2, "BRKINT"),
    (0x4, "IGNPAR"),
    (0x8, "PARMRK"),
    (0x10, "INPCK"),
    (0x20, "ISTRIP"),
    (0x40, "INLCR"),
    (0x80, "IGNCR"),
    (0x100, "ICRNL"),
    (0x200, "IUCLC"),
    (0x400, "IXON"),
    (0x800, "IXANY"),
    (0x1000, "IXOFF"),
    (0x2000, "IMAXBEL"),
    (0x4000, "IUTF8"),
];

/// `TERM_OFLAGS` (strace's order).
pub const TERM_OFLAGS: Xlat = &[
    (0x1, "OPOST"),
    (0x2, "OLCUC"),
    (0x4, "ONLCR"),
    (0x8, "OCRNL"),
    (0x10, "ONOCR"),
    (0x20, "ONLRET"),
    (0x40, "OFILL"),
    (0x80, "OFDEL"),
];

/// `TERM_OFLAGS_NLDLY` (strace's order).
pub const TERM_OFLAGS_NLDLY: Xlat = &[(0x0, "NL0"), (0x100, "NL1")];

/// `TERM_OFLAGS_CRDLY` (strace's order).
pub const TERM_OFLAGS_CRDLY: Xlat = &[(0x0, "CR0"), (0x200, "CR1"), (0x400, "CR2"), (0x600, "CR3")];

/// `TERM_OFLAGS_TABDLY` (strace's order).
pub const TERM_OFLAGS_TABDLY: Xlat = &[
    (0x1800, "XTABS"),
    (0x0, "TAB0"),
    (0x800, "TAB1"),
    (0x1000, "TAB2"),
    (0x1800, "TAB3"),
];

/// `TERM_OFLAGS_BSDLY` (strace's order).
pub const TERM_OFLAGS_BSDLY: Xlat = &[(0x2000, "BS1"), (0x0, "BS0")];

/// `TERM_OFLAGS_VTDLY` (strace's order).
pub const TERM_OFLAGS_VTDLY: Xlat = &[(0x0, "VT0"), (0x4000, "VT1")];

/// `TERM_OFLAGS_FFDLY` (strace's order).
pub const TERM_OFLAGS_FFDLY: Xlat = &[(0x0, "FF0"), (0x8000, "FF1")];

/// `BAUD_OPTIONS` (strace's order).
pub const BAUD_OPTIONS: Xlat = &[
    (0x0, "B0"),
    (0x1, "B50"),
    (0x2, "B75"),
    (0x3, "B110"),
    (0x4, "B134"),
    (0x5, "B150"),
    (0x6, "B200"),
    (0x7, "B300"),
    (0x8, "B600"),
    (0x9, "B1200"),
    (0xa, "B1800"),
    (0xb, "B2400"),
    (0xc, "B4800"),
    (0xd, "B9600"),
    (0xe, "B19200"),
    (0xf, "B38400"),
    (0x1001, "B57600"),
    (0x1002, "B115200"),
    (0x1003, "B230400"),
    (0x1004, "B460800"),
    (0x1005, "B500000"),
    (0x1006, "B576000"),
    (0x1007, "B921600"),
    (0x1008, "B1000000"),
    (0x1009, "B1152000"),
    (0x100a, "B1500000"),
    (0x100b, "B2000000"),
    (0x100c, "B2500000"),
    (0x100d, "B3000000"),
    (0x100e, "B3500000"),
    (0x100f, "B4000000"),
    (0xe, "EXTA"),
    (0xf, "EXTB"),
    (0x1000, "BOTHER"),
];

/// `TERM_CFLAGS_CSIZE` (strace's order).
pub const TERM_CFLAGS_CSIZE: Xlat = &[(0x0, "CS5"), (0x10, "CS6"), (0x20, "CS7"), (0x30, "CS8")];

/// `TERM_CFLAGS` (strace's order).
pub const TERM_CFLAGS: Xlat = &[
    (0x40, "CSTOPB"),
    (0x80, "CREAD"),
    (0x100, "PARENB"),
    (0x200, "PARODD"),
    (0x400, "HUPCL"),
    (0x800, "CLOCAL"),
    (0x40000000, "CMSPAR"),
    (0x80000000, "CRTSCTS"),
];

/// `TERM_LFLAGS` (strace's order).
pub const TERM_LFLAGS: Xlat = &[
    (0x1, "ISIG"),
    (0x2, "ICANON"),
    (0x4, "XCASE"),
    (0x8, "ECHO"),
    (0x10, "ECHOE"),
    (0x20, "ECHOK"),
    (0x40, "ECHONL"),
    (0x80, "NOFLSH"),
    (0x8000, "IEXTEN"),
    (0x200, "ECHOCTL"),
    (0x400, "ECHOPRT"),
    (0x800, "ECHOKE"),
    (0x1000, "FLUSHO"),
    (0x4000, "PENDIN"),
    (0x100, "TOSTOP"),
    (0x10000, "EXTPROC"),
];

/// `TCXONC_OPTIONS` (strace's order).
pub const TCXONC_OPTIONS: Xlat = &[
    (0x0, "TCOOFF"),
    (0x1, "TCOON"),
    (0x2, "TCIOFF"),
    (0x3, "TCION"),
];

/// `TCFLSH_OPTIONS` (strace's order).
pub const TCFLSH_OPTIONS: Xlat = &[(0x0, "TCIFLUSH"), (0x1, "TCOFLUSH"), (0x2, "TCIOFLUSH")];

/// `MODEM_FLAGS` (strace's order).
pub const MODEM_FLAGS: Xlat = &[
    (0x1, "TIOCM_LE"),
    (0x2, "TIOCM_DTR"),
    (0x4, "TIOCM_RTS"),
    (0x8, "TIOCM_ST"),
    (0x10, "TIOCM_SR"),
    (0x20, "TIOCM_CTS"),
    (0x40, "TIOCM_CAR"),
    (0x80, "TIOCM_RNG"),
    (0x100, "TIOCM_DSR"),
    (0x2000, "TIOCM_OUT1"),
    (0x4000, "TIOCM_OUT2"),
    (0x8000, "TIOCM_LOOP"),
];

/// `FS_IOC_FLAGS` (strace's order).
pub const FS_IOC_FLAGS: Xlat = &[
    (0x1, "FS_SECRM_FL"),
    (0x2, "FS_UNRM_FL"),
    (0x4, "FS_COMPR_FL"),
    (0x8, "FS_SYNC_FL"),
    (0x10, "FS_IMMUTABLE_FL"),
    (0x20, "FS_APPEND_FL"),
    (0x40, "FS_NODUMP_FL"),
    (0x80, "FS_NOATIME_FL"),
    (0x100, "FS_DIRTY_FL"),
    (0x200, "FS_COMPRBLK_FL"),
    (0x400, "FS_NOCOMP_FL"),
    (0x800, "FS_ENCRYPT_FL"),
    (0x1000, "FS_INDEX_FL"),
    (0x2000, "FS_IMAGIC_FL"),
    (0x4000, "FS_JOURNAL_DATA_FL"),
    (0x8000, "FS_NOTAIL_FL"),
    (0x10000, "FS_DIRSYNC_FL"),
    (0x20000, "FS_TOPDIR_FL"),
    (0x40000, "FS_HUGE_FILE_FL"),
    (0x80000, "FS_EXTENT_FL"),
    (0x100000, "FS_VERITY_FL"),
    (0x200000, "FS_EA_INODE_FL"),
    (0x400000, "FS_EOFBLOCKS_FL"),
    (0x800000, "FS_NOCOW_FL"),
    (0x2000000, "FS_DAX_FL"),
    (0x10000000, "FS_INLINE_DATA_FL"),
    (0x20000000, "FS_PROJINHERIT_FL"),
    (0x40000000, "FS_CASEFOLD_FL"),
    (0x80000000, "FS_RESERVED_FL"),
];

/// `kd_key_tables` (strace's order): the keymaps `kbentry.kb_table` names by number.
pub const KD_KEY_TABLES: Xlat = &[
    (0, "K_NORMTAB"),
    (1, "K_SHIFTTAB"),
    (2, "K_ALTTAB"),
    (3, "K_ALTSHIFTTAB"),
];

/// The modifier bits of a keymap number (`kd_keymap_flags`, printed `1<<KG_SHIFT`), by bit number.
pub const KD_KEYMAP_BITS: Xlat = &[
    (0, "KG_SHIFT"),
    (1, "KG_ALTGR"),
    (2, "KG_CTRL"),
    (3, "KG_ALT"),
    (4, "KG_SHIFTL"),
    (5, "KG_SHIFTR"),
    (6, "KG_CTRLL"),
    (7, "KG_CTRLR"),
];

/// `kd_key_types` (strace's order): the type byte of a key value (`K(KT_FN, 0x1)`).
pub const KD_KEY_TYPES: Xlat = &[
    (0, "KT_LATIN"),
    (1, "KT_FN"),
    (2, "KT_SPEC"),
    (3, "KT_PAD"),
    (4, "KT_DEAD"),
    (5, "KT_CONS"),
    (6, "KT_CUR"),
    (7, "KT_SHIFT"),
    (8, "KT_META"),
    (9, "KT_ASCII"),
    (10, "KT_LOCK"),
    (11, "KT_LETTER"),
    (12, "KT_SLOCK"),
    (13, "KT_DEAD2"),
    (14, "KT_BRL"),
];

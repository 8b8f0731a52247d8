//! `ioctl`: request names by ABI, terminal structures, numbers behind pointers, block and inode
//! flag requests, unknown requests.

use vmscope_core::guest::TestGuest;

use super::{EFAULT, i386, x64, x64_io};

const ENOTTY: i64 = -25;

/// A kernel `struct termios` at `at`.
fn termios(g: &mut TestGuest, at: u64, i: u32, o: u32, c: u32, l: u32) {
    g.write_u32(at, i)
        .write_u32(at + 4, o)
        .write_u32(at + 8, c)
        .write_u32(at + 12, l)
        .write(at + 16, &[0u8; 20]);
}

#[test]
fn terminal_requests() {
    let mut g = TestGuest::new();
    assert_eq!(
        x64_io(
            "ioctl",
            [8, 0x5401, 0x1000, 0, 0, 0],
            &mut g,
            |e| termios(e, 0x1000, 0x500, 0x5, 0xbf, 0x8a3b),
            0
        ),
        "ioctl(8, TCGETS, {c_iflag=ICRNL|IXON, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|OPOST|ONLCR, c_cflag=B38400|CS8|CREAD, c_lflag=ISIG|ICANON|ECHO|ECHOE|ECHOK|IEXTEN|ECHOCTL|ECHOKE, ...}) = 0"
    );
    termios(&mut g, 0x1000, 0x500, 0x5, 0xbf, 0x8a33);
    assert_eq!(
        x64("ioctl", [8, 0x5402, 0x1000, 0, 0, 0], &mut g, 0),
        "ioctl(8, SNDCTL_TMR_START or TCSETS, {c_iflag=ICRNL|IXON, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|OPOST|ONLCR, c_cflag=B38400|CS8|CREAD, c_lflag=ISIG|ICANON|ECHOE|ECHOK|IEXTEN|ECHOCTL|ECHOKE, ...}) = 0"
    );
    assert_eq!(
        x64("ioctl", [8, 0x5401, 0xdead_0000, 0, 0, 0], &mut g, EFAULT),
        "ioctl(8, TCGETS, 0xdead0000) = -1 EFAULT (Bad address)"
    );
    g.write(0x2000, &[24, 0, 80, 0, 0, 0, 0, 0]);
    assert_eq!(
        x64("ioctl", [8, 0x5414, 0x2000, 0, 0, 0], &mut g, 0),
        "ioctl(8, TIOCSWINSZ, {ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0}) = 0"
    );
    assert_eq!(
        x64("ioctl", [8, 0x5413, 0x2000, 0, 0, 0], &mut g, 0),
        "ioctl(8, TIOCGWINSZ, {ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0}) = 0"
    );
    g.write_u32(0x3000, 0);
    assert_eq!(
        x64("ioctl", [8, 0x541b, 0x3000, 0, 0, 0], &mut g, 0),
        "ioctl(8, FIONREAD, [0]) = 0"
    );
    g.write_u32(0x3004, 1);
    assert_eq!(
        x64("ioctl", [8, 0x5421, 0x3004, 0, 0, 0], &mut g, 0),
        "ioctl(8, FIONBIO, [1]) = 0"
    );
    assert_eq!(
        x64("ioctl", [8, 0x540f, 0x3000, 0, 0, 0], &mut g, ENOTTY),
        "ioctl(8, TIOCGPGRP, 0x3000) = -1 ENOTTY (Inappropriate ioctl for device)"
    );
    assert_eq!(
        x64("ioctl", [8, 0x540e, 0, 0, 0, 0], &mut g, -1),
        "ioctl(8, TIOCSCTTY, 0) = -1 EPERM (Operation not permitted)"
    );
    assert_eq!(
        x64("ioctl", [8, 0x540b, 2, 0, 0, 0], &mut g, 0),
        "ioctl(8, TCFLSH, TCIOFLUSH) = 0"
    );
    assert_eq!(
        x64("ioctl", [8, 0x540a, 1, 0, 0, 0], &mut g, 0),
        "ioctl(8, TCXONC, TCOON) = 0"
    );
    assert_eq!(
        x64("ioctl", [8, 0x540c, 0, 0, 0, 0], &mut g, 0),
        "ioctl(8, TIOCEXCL) = 0"
    );
    g.write_u32(0x3008, 0);
    assert_eq!(
        x64("ioctl", [7, 0x4004_5431, 0x3008, 0, 0, 0], &mut g, 0),
        "ioctl(7, TIOCSPTLCK, [0]) = 0"
    );
    assert_eq!(
        x64("ioctl", [7, 0x8004_5430, 0x3008, 0, 0, 0], &mut g, 0),
        "ioctl(7, TIOCGPTN, [0]) = 0"
    );
    // i386: the same codes, 32-bit pointers.
    assert_eq!(
        i386("ioctl", [8, 0x5413, 0x2000, 0, 0, 0], &mut g, 0),
        "ioctl(8, TIOCGWINSZ, {ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0}) = 0"
    );
}

#[test]
fn file_and_unknown_requests() {
    let mut g = TestGuest::new();
    g.write_u32(0x1000, 0x80000);
    assert_eq!(
        x64("ioctl", [7, 0x8008_6601, 0x1000, 0, 0, 0], &mut g, 0),
        "ioctl(7, FS_IOC_GETFLAGS, [FS_EXTENT_FL]) = 0"
    );
    assert_eq!(
        i386("ioctl", [7, 0x8004_6601, 0x1000, 0, 0, 0], &mut g, 0),
        "ioctl(7, FS_IOC32_GETFLAGS, [FS_EXTENT_FL]) = 0"
    );
    assert_eq!(
        x64("ioctl", [7, 2, 0x7fff_b532_30b8, 0, 0, 0], &mut g, 0),
        "ioctl(7, FIGETBSZ, 0x7fffb53230b8) = 0"
    );
    assert_eq!(
        x64("ioctl", [7, 0x5451, 0, 0, 0, 0], &mut g, 0),
        "ioctl(7, FIOCLEX) = 0"
    );
    assert_eq!(
        x64(
            "ioctl",
            [7, 0x8010_f512, 0x7fff_b532_30e0, 0, 0, 0],
            &mut g,
            ENOTTY
        ),
        "ioctl(7, _IOC(_IOC_READ, 0xf5, 0x12, 0x10), 0x7fffb53230e0) = -1 ENOTTY (Inappropriate ioctl for device)"
    );
    assert_eq!(
        x64("ioctl", [7, 0xf513, 0, 0, 0, 0], &mut g, ENOTTY),
        "ioctl(7, _IOC(_IOC_NONE, 0xf5, 0x13, 0), 0) = -1 ENOTTY (Inappropriate ioctl for device)"
    );
    assert_eq!(
        x64("ioctl", [7, 0xc004_5899, 0, 0, 0, 0], &mut g, ENOTTY),
        "ioctl(7, _IOC(_IOC_READ|_IOC_WRITE, 0x58, 0x99, 0x4), 0) = -1 ENOTTY (Inappropriate ioctl for device)"
    );
    assert_eq!(
        x64("ioctl", [7, 0x4242, 7, 0, 0, 0], &mut g, ENOTTY),
        "ioctl(7, _IOC(_IOC_NONE, 0x42, 0x42, 0), 0x7) = -1 ENOTTY (Inappropriate ioctl for device)"
    );
    assert_eq!(
        x64("ioctl", [7, 0x4004_9409, 0, 0, 0, 0], &mut g, -18),
        "ioctl(7, BTRFS_IOC_CLONE or FICLONE, 0) = -1 EXDEV (Invalid cross-device link)"
    );
    assert_eq!(
        x64("ioctl", [7, 0x8008_1272, 0x1008, 0, 0, 0], &mut g, ENOTTY),
        "ioctl(7, BLKGETSIZE64, 0x1008) = -1 ENOTTY (Inappropriate ioctl for device)"
    );
    g.write_u64(0x1008, 1 << 30);
    assert_eq!(
        x64("ioctl", [7, 0x8008_1272, 0x1008, 0, 0, 0], &mut g, 0),
        "ioctl(7, BLKGETSIZE64, [1073741824]) = 0"
    );
    assert_eq!(
        x64("ioctl", [0, 0x4004_4d03, 0, 0, 0, 0], &mut g, ENOTTY),
        "ioctl(0, MIXER_WRITE(3), 0) = -1 ENOTTY (Inappropriate ioctl for device)"
    );
    assert_eq!(
        x64("ioctl", [0, 0x8004_4d03, 0, 0, 0, 0], &mut g, ENOTTY),
        "ioctl(0, MIXER_READ(3) or MCE_GETCLEAR_FLAGS, 0) = -1 ENOTTY (Inappropriate ioctl for device)"
    );
    assert_eq!(
        x64("ioctl", [0, 0x8004_5430, 0, 0, 0, 0], &mut g, ENOTTY),
        "ioctl(0, TIOCGPTN, NULL) = -1 ENOTTY (Inappropriate ioctl for device)"
    );
}

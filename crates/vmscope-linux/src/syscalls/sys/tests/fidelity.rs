//! Calls strace's own test programs showed differently (issue 12's fidelity pass): each expected
//! line is strace 6.1's on this machine for the same call (a small C program run under
//! `strace -qq` built 64- and 32-bit), decoded both ways by `line_mem`.

use vmscope_core::event::Abi;
use vmscope_core::guest::TestGuest;

use super::{EINVAL, i386, x64};
use crate::syscalls::tests::line;

const EBADF: i64 = -9;

/// The same call on both ABIs gives the same line.
fn both(name: &str, raw: [u64; 6], g: &mut TestGuest, ret: i64, want: &str) {
    assert_eq!(x64(name, raw, g, ret), want, "x86_64");
    assert_eq!(i386(name, raw, g, ret), want, "i386");
}

#[test]
fn bpf_names_its_command_and_shows_the_attribute_address() {
    let mut g = TestGuest::new();
    both(
        "bpf",
        [0, 0, 256, 0, 0, 0],
        &mut g,
        -14,
        "bpf(BPF_MAP_CREATE, NULL, 256) = -1 EFAULT (Bad address)",
    );
    both(
        "bpf",
        [0x270f, 0, 0, 0, 0, 0],
        &mut g,
        EINVAL,
        "bpf(0x270f /* BPF_??? */, NULL, 0) = -1 EINVAL (Invalid argument)",
    );
    both(
        "bpf",
        [28, 0x1000, 16, 0, 0, 0],
        &mut g,
        -14,
        "bpf(BPF_LINK_CREATE, 0x1000, 16) = -1 EFAULT (Bad address)",
    );
}

#[test]
fn mount_api_and_userfaultfd_flags() {
    let mut g = TestGuest::new();
    both(
        "fsmount",
        [u64::MAX, 1, 0x11, 0, 0, 0],
        &mut g,
        EBADF,
        "fsmount(-1, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY|MOUNT_ATTR_NOATIME) = -1 EBADF (Bad file descriptor)",
    );
    both(
        "fsmount",
        [u64::MAX, 0, 0x100, 0, 0, 0],
        &mut g,
        EINVAL,
        "fsmount(-1, 0, 0x100 /* MOUNT_ATTR_??? */) = -1 EINVAL (Invalid argument)",
    );
    both(
        "userfaultfd",
        [0o4000 | 0o2000000 | 8, 0, 0, 0, 0, 0],
        &mut g,
        EINVAL,
        "userfaultfd(O_NONBLOCK|O_CLOEXEC|0x8) = -1 EINVAL (Invalid argument)",
    );
}

#[test]
fn unknown_flags_and_modes_as_strace_prints_them() {
    let mut g = TestGuest::new();
    g.write(0x1000, b"bad\0");
    both(
        "getrandom",
        [0, 8, 0x100, 0, 0, 0],
        &mut g,
        EINVAL,
        "getrandom(NULL, 8, 0x100 /* GRND_??? */) = -1 EINVAL (Invalid argument)",
    );
    both(
        "syslog",
        [99, 0, 0, 0, 0, 0],
        &mut g,
        EINVAL,
        "syslog(99 /* SYSLOG_ACTION_??? */, NULL, 0) = -1 EINVAL (Invalid argument)",
    );
    both(
        "mknodat",
        [(-100i64) as u64, 0x1000, 0o170600, 0, 0, 0],
        &mut g,
        EINVAL,
        "mknodat(AT_FDCWD, \"bad\", 0170600) = -1 EINVAL (Invalid argument)",
    );
    // `fanotify_mark`'s flags are an `unsigned int`: the register's upper half is not shown.
    assert_eq!(
        x64(
            "fanotify_mark",
            [u64::MAX, 0xffff_ffff_0000_0000, 0, 0, 0, 0],
            &mut g,
            EINVAL
        ),
        "fanotify_mark(-1, 0, 0, 0, NULL) = -1 EINVAL (Invalid argument)"
    );
}

#[test]
fn ioctls_of_decoded_families_show_null_or_nothing() {
    let mut g = TestGuest::new();
    let m1 = u64::MAX;
    // RTC_AIE_OFF takes no argument: strace shows none.
    both(
        "ioctl",
        [m1, 0x7002, 0xdead_beef, 0, 0, 0],
        &mut g,
        EBADF,
        "ioctl(-1, RTC_AIE_OFF) = -1 EBADF (Bad file descriptor)",
    );
    // KDGKBMODE's address: NULL; PERF_EVENT_IOC_DISABLE's value: 0.
    both(
        "ioctl",
        [m1, 0x4b44, 0, 0, 0, 0],
        &mut g,
        EBADF,
        "ioctl(-1, KDGKBMODE, NULL) = -1 EBADF (Bad file descriptor)",
    );
    both(
        "ioctl",
        [m1, 0x2401, 0, 0, 0, 0],
        &mut g,
        EBADF,
        "ioctl(-1, PERF_EVENT_IOC_DISABLE, 0) = -1 EBADF (Bad file descriptor)",
    );
    // A request of a decoded family without a name: hex.
    both(
        "ioctl",
        [m1, 0x8008_9422, 0, 0, 0, 0],
        &mut g,
        EBADF,
        "ioctl(-1, _IOC(_IOC_READ, 0x94, 0x22, 0x8), 0) = -1 EBADF (Bad file descriptor)",
    );
}

#[test]
fn pwritev_shows_its_vector_and_one_offset() {
    let mut g = TestGuest::new();
    g.write(0x2000, b"abc");
    g.write_u64(0x1000, 0x2000).write_u64(0x1008, 3);
    assert_eq!(
        x64("pwritev", [1, 0x1000, 1, 0, 0, 0], &mut g, 3),
        "pwritev(1, [{iov_base=\"abc\", iov_len=3}], 1, 0) = 3"
    );
    g.write_u32(0x3000, 0x2000).write_u32(0x3004, 3);
    assert_eq!(
        i386("pwritev", [1, 0x3000, 1, 0, 0, 0], &mut g, 3),
        "pwritev(1, [{iov_base=\"abc\", iov_len=3}], 1, 0) = 3"
    );
}

#[test]
fn xcomp_permissions_by_feature_number() {
    let mut g = TestGuest::new();
    let want = |v: &str| {
        format!("arch_prctl(ARCH_REQ_XCOMP_PERM, {v}) = -1 EOPNOTSUPP (Operation not supported)")
    };
    assert_eq!(
        x64("arch_prctl", [0x1023, 0xb, 0, 0, 0, 0], &mut g, -95),
        want("0xb /* XFEATURE_??? */")
    );
    assert_eq!(
        line(
            Abi::I386,
            "arch_prctl",
            [0x1023, 3, 0, 0, 0, 0],
            &mut g,
            Some(-95)
        ),
        want("0x3 /* XFEATURE_BNDREGS */")
    );
}

#[test]
fn open_how_flags_without_names_in_one_number() {
    let mut g = TestGuest::new();
    g.write(0x1000, b"openat2.sample\0");
    g.write_u64(0x2000, 0xdead_face_8000_0000)
        .write_u64(0x2008, 0o777)
        .write_u64(0x2010, 0);
    both(
        "openat2",
        [u64::MAX, 0x1000, 0x2000, 24, 0, 0],
        &mut g,
        EINVAL,
        "openat2(-1, \"openat2.sample\", {flags=O_RDONLY|0xdeadface80000000, mode=0777, resolve=0}, 24) = -1 EINVAL (Invalid argument)",
    );
}

#[test]
fn fsconfig_by_command() {
    let mut g = TestGuest::new();
    g.write(0x1000, b"ro\0")
        .write(0x1100, b"source\0")
        .write(0x1200, b"none\0")
        .write(0x1300, b"blob\0")
        .write(0x1400, b"\x01\x02")
        .write(0x1500, b"path\0")
        .write(0x1600, b"/tmp\0");
    let m1 = u64::MAX;
    let cases: [([u64; 6], &str); 6] = [
        (
            [m1, 0, 0x1000, 0, 0, 0],
            "-1, FSCONFIG_SET_FLAG, \"ro\", NULL, 0",
        ),
        (
            [m1, 1, 0x1100, 0x1200, 0, 0],
            "-1, FSCONFIG_SET_STRING, \"source\", \"none\", 0",
        ),
        (
            [m1, 2, 0x1300, 0x1400, 2, 0],
            "-1, FSCONFIG_SET_BINARY, \"blob\", \"\\x01\\x02\", 2",
        ),
        (
            [m1, 3, 0x1500, 0x1600, (-100i64) as u64, 0],
            "-1, FSCONFIG_SET_PATH, \"path\", \"/tmp\", AT_FDCWD",
        ),
        (
            [m1, 6, 0, 0, 0, 0],
            "-1, FSCONFIG_CMD_CREATE, NULL, NULL, 0",
        ),
        (
            [m1, 8, 0x1000, 0, 3, 0],
            "-1, 0x8 /* FSCONFIG_??? */, 0x1000, NULL, 3",
        ),
    ];
    for (raw, args) in cases {
        both(
            "fsconfig",
            raw,
            &mut g,
            EINVAL,
            &format!("fsconfig({args}) = -1 EINVAL (Invalid argument)"),
        );
    }
}

#[test]
fn landlock_futex_waitv_and_open_flags_strace_names() {
    let mut g = TestGuest::new();
    g.write(0x1000, b"openat.sample\0");
    let m1 = u64::MAX;
    let cases: [(&str, [u64; 6], i64, &str); 9] = [
        (
            "openat",
            [m1, 0x1000, 0x100000, 0, 0, 0],
            EBADF,
            "openat(-1, \"openat.sample\", O_RDONLY|__O_SYNC) = -1 EBADF (Bad file descriptor)",
        ),
        (
            "openat",
            [m1, 0x1000, 0x400000, 0, 0, 0],
            EINVAL,
            "openat(-1, \"openat.sample\", O_RDONLY|__O_TMPFILE, 000) = -1 EINVAL (Invalid argument)",
        ),
        (
            "openat",
            [m1, 0x1000, 0x410001, 0, 0, 0],
            EBADF,
            "openat(-1, \"openat.sample\", O_WRONLY|O_TMPFILE, 000) = -1 EBADF (Bad file descriptor)",
        ),
        (
            "landlock_create_ruleset",
            [0, 0, 1, 0, 0, 0],
            7,
            "landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION) = 7",
        ),
        (
            "landlock_create_ruleset",
            [0, 0, 0xbadc_affe, 0, 0, 0],
            EINVAL,
            "landlock_create_ruleset(NULL, 0, 0xbadcaffe /* LANDLOCK_CREATE_RULESET_??? */) = -1 EINVAL (Invalid argument)",
        ),
        (
            "landlock_add_rule",
            [0, 0, 0, 0, 0, 0],
            -77,
            "landlock_add_rule(0, 0 /* LANDLOCK_RULE_??? */, NULL, 0) = -1 EBADFD (File descriptor in bad state)",
        ),
        (
            "landlock_add_rule",
            [m1, 2, 0x1000, 1, 0, 0],
            EINVAL,
            "landlock_add_rule(-1, 0x2 /* LANDLOCK_RULE_??? */, 0x1000, 0x1) = -1 EINVAL (Invalid argument)",
        ),
        (
            "landlock_restrict_self",
            [m1, 1, 0, 0, 0, 0],
            EBADF,
            "landlock_restrict_self(-1, 0x1) = -1 EBADF (Bad file descriptor)",
        ),
        (
            "futex_waitv",
            [0, 1, 0xffff_ffff, 0, 1, 0],
            EINVAL,
            "futex_waitv(NULL, 1, 0xffffffff, NULL, CLOCK_MONOTONIC) = -1 EINVAL (Invalid argument)",
        ),
    ];
    for (name, raw, ret, want) in cases {
        both(name, raw, &mut g, ret, want);
    }
}

#[test]
fn waitid_options_are_an_int_in_straces_order() {
    // strace 6.1 in the guest, strace's own test `waitid` (the register's upper half set).
    let mut g = TestGuest::new();
    assert_eq!(
        x64(
            "waitid",
            [1, 9219, 0, 0xface_feed_0000_0005, 0, 0],
            &mut g,
            0
        ),
        "waitid(P_PID, 9219, NULL, WNOHANG|WEXITED, NULL) = 0"
    );
    assert_eq!(
        i386("waitid", [1, 9219, 0, 7, 0, 0], &mut g, 0),
        "waitid(P_PID, 9219, NULL, WNOHANG|WEXITED|WSTOPPED, NULL) = 0"
    );
}

/// KDGKBENT's `struct kbentry`, as strace 6.1 shows it in its `ioctl_kd` test: the keymap by name
/// or by modifier bits, the index, and on success the value the call wrote; an address strace
/// cannot read is shown as such.
#[test]
fn kdgkbent_shows_its_keymap_and_index() {
    let mut g = TestGuest::new();
    let m1 = u64::MAX;
    g.write(0xf000, &[0xa8, 168]);
    both(
        "ioctl",
        [m1, 0x4b46, 0xf000, 0, 0, 0],
        &mut g,
        EBADF,
        "ioctl(-1, KDGKBENT, {kb_table=1<<KG_ALT|1<<KG_SHIFTR|1<<KG_CTRLR, kb_index=168}) = -1 EBADF (Bad file descriptor)",
    );
    g.write(0xf000, &[1, 69]);
    both(
        "ioctl",
        [m1, 0x4b46, 0xf000, 0, 0, 0],
        &mut g,
        EBADF,
        "ioctl(-1, KDGKBENT, {kb_table=K_SHIFTTAB, kb_index=69}) = -1 EBADF (Bad file descriptor)",
    );
    both(
        "ioctl",
        [m1, 0x4b46, 0, 0, 0, 0],
        &mut g,
        EBADF,
        "ioctl(-1, KDGKBENT, NULL) = -1 EBADF (Bad file descriptor)",
    );
    both(
        "ioctl",
        [m1, 0x4b46, 0xdead_0000, 0, 0, 0],
        &mut g,
        EBADF,
        "ioctl(-1, KDGKBENT, 0xdead0000) = -1 EBADF (Bad file descriptor)",
    );
    // Success: the value the call wrote (its type named), `???` where it cannot be read.
    g.write(0xf000, &[0, 3, 0x01, 0x01]);
    both(
        "ioctl",
        [3, 0x4b46, 0xf000, 0, 0, 0],
        &mut g,
        0,
        "ioctl(3, KDGKBENT, {kb_table=K_NORMTAB, kb_index=3, kb_value=0x101 /* K(KT_FN, 0x1) */}) = 0",
    );
    g.write(0x1_fffe, &[2, 7]);
    both(
        "ioctl",
        [3, 0x4b46, 0x1_fffe, 0, 0, 0],
        &mut g,
        0,
        "ioctl(3, KDGKBENT, {kb_table=K_ALTTAB, kb_index=7, kb_value=???}) = 0",
    );
}

/// KIOCSOUND, KDMKTONE, KDADDIO and KDDELIO's values with strace 6.1's comments (its `ioctl_kd`
/// test's lines).
#[test]
fn kd_sound_tone_and_io_ports_have_their_comments() {
    let mut g = TestGuest::new();
    let m1 = u64::MAX;
    let ebadf =
        |req: &str, arg: &str| format!("ioctl(-1, {req}, {arg}) = -1 EBADF (Bad file descriptor)");
    for (v, want) in [
        (0, "0 /* off */"),
        (1, "1 /* 1193182 Hz */"),
        (440, "440 /* 2711 Hz */"),
        (1_193_183, "1193183 /* off */"),
    ] {
        both(
            "ioctl",
            [m1, 0x4b2f, v, 0, 0, 0],
            &mut g,
            EBADF,
            &ebadf("KIOCSOUND", want),
        );
    }
    assert_eq!(
        x64(
            "ioctl",
            [m1, 0x4b2f, 0xbadc_0ded_dead_beef, 0, 0, 0],
            &mut g,
            EBADF
        ),
        ebadf("KIOCSOUND", "13464652301225279215 /* off */")
    );
    for (v, want) in [
        (0, "0 /* off */"),
        (440, "440 /* off */"),
        (1 << 16, "1<<16|0 /* off */"),
        (1 << 16 | 1, "1<<16|1 /* 1193182 Hz, 1 ms */"),
        (1 << 16 | 65535, "1<<16|65535 /* 18 Hz, 1 ms */"),
        (
            0xdead_face_dead_face,
            "57005<<16|64206 /* 18 Hz, 57005 ms */",
        ),
    ] {
        assert_eq!(
            x64("ioctl", [m1, 0x4b30, v, 0, 0, 0], &mut g, EBADF),
            ebadf("KDMKTONE", want)
        );
    }
    for (v, want) in [
        (0, "0"),
        (0x3b3, "0x3b3"),
        (0x3b4, "0x3b4 /* GPFIRST + 0 */"),
        (0x3c0, "0x3c0 /* GPFIRST + 12 */"),
        (0x3df, "0x3df /* GPFIRST + 43 */"),
        (0x3e0, "0x3e0"),
    ] {
        both(
            "ioctl",
            [m1, 0x4b34, v, 0, 0, 0],
            &mut g,
            EBADF,
            &ebadf("KDADDIO", want),
        );
        both(
            "ioctl",
            [m1, 0x4b35, v, 0, 0, 0],
            &mut g,
            EBADF,
            &ebadf("KDDELIO", want),
        );
    }
}

//! The events family against strace 6.1's own lines for the same calls (host runs of
//! guest/workloads/eventfam.c under `strace -f -s 4096`, and of small variations of it), each
//! decoded both ways (straight from memory, and captured then rendered) by `line_mem`.

use vmscope_core::event::Abi;
use vmscope_core::guest::TestGuest;

use super::time::date;
use crate::syscalls::tests::{line, line_mem, x64};

/// An i386 call over one memory for entry and exit.
fn x86(name: &str, raw: [u64; 6], g: &mut TestGuest, ret: i64) -> String {
    line(Abi::I386, name, raw, g, Some(ret))
}

/// A call of `abi` whose exit sees `exit`'s memory.
fn two(
    abi: Abi,
    name: &str,
    raw: [u64; 6],
    entry: &TestGuest,
    exit: &TestGuest,
    ret: i64,
) -> String {
    let (mut e, mut x) = (entry.clone(), exit.clone());
    line_mem(abi, name, raw, &mut e, &mut x, Some(ret))
}

/// A bit set with `bits` set, `bytes` long.
fn set(bits: &[u32], bytes: usize) -> Vec<u8> {
    let mut v = vec![0u8; bytes];
    for &b in bits {
        v[(b / 8) as usize] |= 1 << (b % 8);
    }
    v
}

const EFAULT: i64 = -14;
const EINVAL: i64 = -22;
const EBADF: i64 = -9;

#[test]
fn select_shows_sets_at_entry_and_ready_ones_after_the_return_value() {
    let mut entry = TestGuest::new();
    entry.write(0x1000, &set(&[3], 128));
    entry.write(0x1100, &set(&[4], 128));
    entry.write(0x1200, &set(&[3], 128));
    entry.write_u64(0x1300, 1).write_u64(0x1308, 0);
    let mut exit = entry.clone();
    exit.write(0x1200, &set(&[], 128));
    exit.write_u64(0x1300, 0).write_u64(0x1308, 999_997);
    assert_eq!(
        two(
            Abi::X86_64,
            "select",
            [5, 0x1000, 0x1100, 0x1200, 0x1300, 0],
            &entry,
            &exit,
            2
        ),
        "select(5, [3], [4], [3], {tv_sec=1, tv_usec=0}) = 2 (in [3], out [4], left {tv_sec=0, \
         tv_usec=999997})"
    );
    // i386's _newselect: the same with 32-bit longs.
    let mut e32 = TestGuest::new();
    e32.write(0x1000, &set(&[3], 4))
        .write(0x1100, &set(&[4], 4));
    e32.write(0x1200, &set(&[3], 4));
    e32.write_u32(0x1300, 1).write_u32(0x1304, 0);
    let mut x32 = e32.clone();
    x32.write(0x1200, &set(&[], 4));
    x32.write_u32(0x1300, 0).write_u32(0x1304, 999_997);
    assert_eq!(
        two(
            Abi::I386,
            "_newselect",
            [5, 0x1000, 0x1100, 0x1200, 0x1300, 0],
            &e32,
            &x32,
            2
        ),
        "_newselect(5, [3], [4], [3], {tv_sec=1, tv_usec=0}) = 2 (in [3], out [4], left {tv_sec=0, \
         tv_usec=999997})"
    );
    let mut g = TestGuest::new();
    g.write(0x1000, &set(&[5], 8)).write(0x2000, &[0; 16]);
    assert_eq!(
        x64("select", [6, 0x1000, 0, 0, 0x2000, 0], &mut g, 0),
        "select(6, [5], NULL, NULL, {tv_sec=0, tv_usec=0}) = 0 (Timeout)"
    );
    assert_eq!(
        x64("select", [3, 0xbad0000, 0, 0, 0x2000, 0], &mut g, EFAULT),
        "select(3, 0xbad0000, NULL, NULL, {tv_sec=0, tv_usec=0}) = -1 EFAULT (Bad address)"
    );
    // No descriptors: the sets are not read.
    assert_eq!(
        x64("select", [0, 0x1000, 0, 0, 0, 0], &mut g, 0),
        "select(0, 0x1000, NULL, NULL, NULL) = 0 (Timeout)"
    );
    // A negative count is no count.
    assert_eq!(
        x64("select", [u64::MAX, 0x1000, 0, 0, 0, 0], &mut g, EINVAL),
        "select(-1, 0x1000, NULL, NULL, NULL) = -1 EINVAL (Invalid argument)"
    );
}

#[test]
fn old_i386_select_reads_its_arguments_from_a_block() {
    let mut g = TestGuest::new();
    g.write(0x1000, &set(&[3], 4));
    for (k, v) in [4u32, 0x1000, 0, 0, 0].into_iter().enumerate() {
        g.write_u32(0x2000 + 4 * k as u64, v);
    }
    assert_eq!(
        x86("select", [0x2000, 0, 0, 0, 0, 0], &mut g, 1),
        "select(4, [3], NULL, NULL, NULL) = 1 (in [3])"
    );
    assert_eq!(
        x86("select", [0xbad0000, 0, 0, 0, 0, 0], &mut g, EFAULT),
        "select(0xbad0000) = -1 EFAULT (Bad address)"
    );
}

#[test]
fn pselect6_shows_its_mask_and_the_time_left() {
    for (abi, name) in [(Abi::X86_64, "pselect6"), (Abi::I386, "pselect6_time64")] {
        let ws = if abi == Abi::X86_64 { 8 } else { 4 };
        let mut e = TestGuest::new();
        e.write(0x1000, &set(&[3, 5], ws));
        e.write_u64(0x1100, 2).write_u64(0x1108, 500);
        // {sigmask=0x1200, sigsetsize=8}, the mask INT|USR2.
        e.write_u64(0x1200, (1 << 1) | (1 << 11));
        if abi == Abi::X86_64 {
            e.write_u64(0x1300, 0x1200).write_u64(0x1308, 8);
        } else {
            e.write_u32(0x1300, 0x1200).write_u32(0x1304, 8);
        }
        let mut x = e.clone();
        x.write(0x1000, &set(&[3], ws));
        x.write_u64(0x1100, 1).write_u64(0x1108, 999_999_752);
        assert_eq!(
            two(abi, name, [6, 0x1000, 0, 0, 0x1100, 0x1300], &e, &x, 1),
            format!(
                "{name}(6, [3 5], NULL, NULL, {{tv_sec=2, tv_nsec=500}}, {{sigmask=[INT USR2], \
                 sigsetsize=8}}) = 1 (in [3], left {{tv_sec=1, tv_nsec=999999752}})"
            )
        );
    }
    // i386's pselect6 takes an old_timespec32.
    let mut g = TestGuest::new();
    g.write(0x1000, &set(&[5], 4)).write(0x1100, &[0; 8]);
    assert_eq!(
        x86("pselect6", [6, 0x1000, 0, 0, 0x1100, 0], &mut g, 0),
        "pselect6(6, [5], NULL, NULL, {tv_sec=0, tv_nsec=0}, NULL) = 0 (Timeout)"
    );
}

/// A packed `struct epoll_event`.
fn epoll_event(events: u32, data: u64) -> Vec<u8> {
    let mut b = events.to_le_bytes().to_vec();
    b.extend_from_slice(&data.to_le_bytes());
    b
}

#[test]
fn epoll_flags_operations_and_events() {
    let mut g = TestGuest::new();
    assert_eq!(
        x64("epoll_create1", [0o2000000, 0, 0, 0, 0, 0], &mut g, 4),
        "epoll_create1(EPOLL_CLOEXEC) = 4"
    );
    assert_eq!(
        x86("epoll_create1", [4, 0, 0, 0, 0, 0], &mut g, EINVAL),
        "epoll_create1(0x4 /* EPOLL_??? */) = -1 EINVAL (Invalid argument)"
    );
    g.write(0x1000, &epoll_event(0x8000_0001, 0x1_0000_0003));
    for abi in [Abi::X86_64, Abi::I386] {
        assert_eq!(
            line(abi, "epoll_ctl", [4, 1, 5, 0x1000, 0, 0], &mut g, Some(0)),
            "epoll_ctl(4, EPOLL_CTL_ADD, 5, {events=EPOLLIN|EPOLLET, data={u32=3, u64=4294967299}}) = 0"
        );
    }
    assert_eq!(
        x64("epoll_ctl", [4, 7, 5, 0x1000, 0, 0], &mut g, EINVAL),
        "epoll_ctl(4, 0x7 /* EPOLL_CTL_??? */, 5, {events=EPOLLIN|EPOLLET, data={u32=3, \
         u64=4294967299}}) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x64("epoll_ctl", [4, 2, 6, 0, 0, 0], &mut g, 0),
        "epoll_ctl(4, EPOLL_CTL_DEL, 6, NULL) = 0"
    );
    assert_eq!(
        x64("epoll_ctl", [4, 1, 0, 0xbad0000, 0, 0], &mut g, EFAULT),
        "epoll_ctl(4, EPOLL_CTL_ADD, 0, 0xbad0000) = -1 EFAULT (Bad address)"
    );
    // Events out, as many as returned.
    let mut x = TestGuest::new();
    x.write(0x2000, &epoll_event(4, 0x1_0000_0006));
    x.write(0x200c, &epoll_event(1, 3));
    let e = TestGuest::new();
    for abi in [Abi::X86_64, Abi::I386] {
        assert_eq!(
            two(abi, "epoll_wait", [4, 0x2000, 4, 1000, 0, 0], &e, &x, 2),
            "epoll_wait(4, [{events=EPOLLOUT, data={u32=6, u64=4294967302}}, {events=EPOLLIN, \
             data={u32=3, u64=3}}], 4, 1000) = 2"
        );
    }
    x.write_u64(0x3000, 1 << 9);
    assert_eq!(
        two(
            Abi::X86_64,
            "epoll_pwait",
            [4, 0x2000, 1, 0, 0x3000, 8],
            &e,
            &x,
            1
        ),
        "epoll_pwait(4, [{events=EPOLLOUT, data={u32=6, u64=4294967302}}], 1, 0, [USR1], 8) = 1"
    );
    x.write_u64(0x3100, 0).write_u64(0x3108, 1000);
    assert_eq!(
        two(
            Abi::I386,
            "epoll_pwait2",
            [4, 0x2000, 4, 0x3100, 0, 8],
            &e,
            &x,
            1
        ),
        "epoll_pwait2(4, [{events=EPOLLOUT, data={u32=6, u64=4294967302}}], 4, {tv_sec=0, \
         tv_nsec=1000}, NULL, 8) = 1"
    );
    assert_eq!(
        two(
            Abi::X86_64,
            "epoll_pwait",
            [4, 0x2000, 4, 0, 0, 8],
            &e,
            &x,
            0
        ),
        "epoll_pwait(4, [], 4, 0, NULL, 8) = 0"
    );
    // A failed call shows what it was given as pointers, the mask too (strace reads it at exit).
    assert_eq!(
        two(
            Abi::X86_64,
            "epoll_pwait",
            [4, 0x2000, 0, 0, 0x3000, 8],
            &e,
            &x,
            EINVAL
        ),
        "epoll_pwait(4, 0x2000, 0, 0, 0x3000, 8) = -1 EINVAL (Invalid argument)"
    );
    // An array cut short by unreadable memory (the page after 0x5000).
    x.write(0x5fe8, &epoll_event(4, 0x1_0000_0006));
    x.write(0x5ff4, &epoll_event(1, 3));
    assert_eq!(
        two(
            Abi::X86_64,
            "epoll_wait",
            [4, 0x5fe8, 4, 0, 0, 0],
            &e,
            &x,
            3
        ),
        "epoll_wait(4, [{events=EPOLLOUT, data={u32=6, u64=4294967302}}, {events=EPOLLIN, \
         data={u32=3, u64=3}}, ... /* 0x6000 */], 4, 0) = 3"
    );
}

#[test]
fn descriptors_that_wait_for_something() {
    let mut g = TestGuest::new();
    assert_eq!(
        x64("eventfd2", [5, 0o2004001, 0, 0, 0, 0], &mut g, 3),
        "eventfd2(5, EFD_SEMAPHORE|EFD_CLOEXEC|EFD_NONBLOCK) = 3"
    );
    assert_eq!(
        x64("eventfd2", [0, 0x10, 0, 0, 0, 0], &mut g, EINVAL),
        "eventfd2(0, 0x10 /* EFD_??? */) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x64("eventfd", [3, 0, 0, 0, 0, 0], &mut g, 3),
        "eventfd(3) = 3"
    );
    assert_eq!(
        x86("timerfd_create", [1, 0o2004000, 0, 0, 0, 0], &mut g, 3),
        "timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC|TFD_NONBLOCK) = 3"
    );
    assert_eq!(
        x64("timerfd_create", [77, 0, 0, 0, 0, 0], &mut g, EINVAL),
        "timerfd_create(0x4d /* CLOCK_??? */, 0) = -1 EINVAL (Invalid argument)"
    );
    g.write_u64(0x1000, 1)
        .write_u64(0x1008, 0)
        .write_u64(0x1010, 0)
        .write_u64(0x1018, 20_000_000);
    g.write(0x1100, &[0; 32]);
    assert_eq!(
        x64("timerfd_settime", [3, 0, 0x1000, 0x1100, 0, 0], &mut g, 0),
        "timerfd_settime(3, 0, {it_interval={tv_sec=1, tv_nsec=0}, it_value={tv_sec=0, \
         tv_nsec=20000000}}, {it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=0, tv_nsec=0}}) = 0"
    );
    assert_eq!(
        x64(
            "timerfd_gettime",
            [3, 0xbad0000, 0, 0, 0, 0],
            &mut g,
            EFAULT
        ),
        "timerfd_gettime(3, 0xbad0000) = -1 EFAULT (Bad address)"
    );
    let mut g32 = TestGuest::new();
    g32.write_u32(0x1000, 1)
        .write_u32(0x1004, 0)
        .write_u32(0x1008, 0);
    g32.write_u32(0x100c, 20_000_000);
    assert_eq!(
        x86("timerfd_settime", [3, 3, 0x1000, 0, 0, 0], &mut g32, 0),
        "timerfd_settime(3, TFD_TIMER_ABSTIME|TFD_TIMER_CANCEL_ON_SET, {it_interval={tv_sec=1, \
         tv_nsec=0}, it_value={tv_sec=0, tv_nsec=20000000}}, NULL) = 0"
    );
    assert_eq!(
        x86("timerfd_gettime64", [3, 0x1000, 0, 0, 0, 0], &mut g, 0),
        "timerfd_gettime64(3, {it_interval={tv_sec=1, tv_nsec=0}, it_value={tv_sec=0, \
         tv_nsec=20000000}}) = 0"
    );
    // signalfd: a 4-byte set is too short for x86_64, a whole word for i386.
    g.write_u64(0x2000, (1 << 9) | (1 << 11));
    assert_eq!(
        x64(
            "signalfd4",
            [u64::MAX, 0x2000, 8, 0o2004000, 0, 0],
            &mut g,
            4
        ),
        "signalfd4(-1, [USR1 USR2], 8, SFD_CLOEXEC|SFD_NONBLOCK) = 4"
    );
    assert_eq!(
        x64("signalfd4", [u64::MAX, 0x2000, 4, 0, 0, 0], &mut g, EINVAL),
        "signalfd4(-1, 0x2000, 4, 0) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x86(
            "signalfd4",
            [0xffff_ffff, 0x2000, 4, 0, 0, 0],
            &mut g,
            EINVAL
        ),
        "signalfd4(-1, [USR1 USR2], 4, 0) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x86("signalfd", [0xffff_ffff, 0x2000, 8, 0, 0, 0], &mut g, 3),
        "signalfd(-1, [USR1 USR2], 8) = 3"
    );
    g.write(0x3000, b"/tmp\0");
    assert_eq!(
        x64("inotify_init1", [0o2004000, 0, 0, 0, 0, 0], &mut g, 3),
        "inotify_init1(IN_NONBLOCK|IN_CLOEXEC) = 3"
    );
    assert_eq!(
        x64(
            "inotify_add_watch",
            [3, 0x3000, 0x0100_0300, 0, 0, 0],
            &mut g,
            1
        ),
        "inotify_add_watch(3, \"/tmp\", IN_CREATE|IN_DELETE|IN_ONLYDIR) = 1"
    );
    assert_eq!(
        x64("inotify_rm_watch", [3, 99, 0, 0, 0, 0], &mut g, EINVAL),
        "inotify_rm_watch(3, 99) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x86("fanotify_init", [1, 0x8000, 0, 0, 0, 0], &mut g, 3),
        "fanotify_init(FAN_CLASS_NOTIF|FAN_CLOEXEC, O_RDONLY|O_LARGEFILE) = 3"
    );
    assert_eq!(
        x64(
            "fanotify_mark",
            [3, 1, 0x20, (-100i64) as u64, 0x3000, 0],
            &mut g,
            0
        ),
        "fanotify_mark(3, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, \"/tmp\") = 0"
    );
    // i386: the 64-bit mask in two registers, low first.
    assert_eq!(
        x86(
            "fanotify_mark",
            [3, 1, 0x20, 0x4000_0000, 0xffff_ff9c, 0x3000],
            &mut g,
            0
        ),
        "fanotify_mark(3, FAN_MARK_ADD, FAN_OPEN|0x4000000000000000, AT_FDCWD, \"/tmp\") = 0"
    );
    assert_eq!(
        x86(
            "fanotify_mark",
            [3, 0x800, 0, 0, 0xffff_ffff, 0],
            &mut g,
            EINVAL
        ),
        "fanotify_mark(3, 0x800 /* FAN_MARK_??? */, 0, FAN_NOFD, NULL) = -1 EINVAL (Invalid argument)"
    );
}

#[test]
fn sleeps_show_the_time_left_only_when_interrupted() {
    let mut e = TestGuest::new();
    e.write_u64(0x1000, 5).write_u64(0x1008, 0);
    let mut x = e.clone();
    x.write_u64(0x2000, 4).write_u64(0x2008, 950_046_494);
    assert_eq!(
        two(
            Abi::X86_64,
            "nanosleep",
            [0x1000, 0x2000, 0, 0, 0, 0],
            &e,
            &x,
            -516
        ),
        "nanosleep({tv_sec=5, tv_nsec=0}, {tv_sec=4, tv_nsec=950046494}) = ? ERESTART_RESTARTBLOCK \
         (Interrupted by signal)"
    );
    assert_eq!(
        two(
            Abi::X86_64,
            "nanosleep",
            [0x1000, 0x2000, 0, 0, 0, 0],
            &e,
            &x,
            0
        ),
        "nanosleep({tv_sec=5, tv_nsec=0}, 0x2000) = 0"
    );
    // An absolute clock_nanosleep has no time left to show.
    assert_eq!(
        two(
            Abi::X86_64,
            "clock_nanosleep",
            [1, 1, 0x1000, 0x2000, 0, 0],
            &e,
            &x,
            -514
        ),
        "clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, {tv_sec=5, tv_nsec=0}, 0x2000) = ? \
         ERESTARTNOHAND (To be restarted if no handler)"
    );
    let mut e32 = TestGuest::new();
    e32.write_u32(0x1000, 5).write_u32(0x1004, 1_000_000);
    let mut x32 = e32.clone();
    x32.write_u32(0x2000, 4).write_u32(0x2004, 951_030_939);
    assert_eq!(
        two(
            Abi::I386,
            "clock_nanosleep",
            [1, 0, 0x1000, 0x2000, 0, 0],
            &e32,
            &x32,
            -516
        ),
        "clock_nanosleep(CLOCK_MONOTONIC, 0, {tv_sec=5, tv_nsec=1000000}, {tv_sec=4, \
         tv_nsec=951030939}) = ? ERESTART_RESTARTBLOCK (Interrupted by signal)"
    );
    assert_eq!(
        two(
            Abi::I386,
            "nanosleep",
            [0xbad0000, 0, 0, 0, 0, 0],
            &e32,
            &x32,
            EFAULT
        ),
        "nanosleep(0xbad0000, NULL) = -1 EFAULT (Bad address)"
    );
    // tv_nsec is printed unsigned.
    let mut g = TestGuest::new();
    g.write_u32(0x1000, 0).write_u32(0x1004, u32::MAX);
    assert_eq!(
        x86("nanosleep", [0x1000, 0, 0, 0, 0, 0], &mut g, EINVAL),
        "nanosleep({tv_sec=0, tv_nsec=4294967295}, NULL) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x86("clock_nanosleep", [99, 2, 0x1000, 0, 0, 0], &mut g, EINVAL),
        "clock_nanosleep(0x63 /* CLOCK_??? */, 0x2 /* TIMER_??? */, {tv_sec=0, tv_nsec=4294967295}, \
         NULL) = -1 EINVAL (Invalid argument)"
    );
}

#[test]
fn clocks_and_the_time_of_day() {
    let mut g = TestGuest::new();
    g.write_u64(0x1000, 0).write_u64(0x1008, 1_538_510);
    assert_eq!(
        x64(
            "clock_gettime",
            [0xfffd_647a, 0x1000, 0, 0, 0, 0],
            &mut g,
            0
        ),
        "clock_gettime(0xfffd647a /* CLOCK_??? */, {tv_sec=0, tv_nsec=1538510}) = 0"
    );
    assert_eq!(
        x64("clock_getres", [11, 0, 0, 0, 0, 0], &mut g, 0),
        "clock_getres(CLOCK_TAI, NULL) = 0"
    );
    assert_eq!(
        x64("clock_gettime", [123, 0x1000, 0, 0, 0, 0], &mut g, EINVAL),
        "clock_gettime(0x7b /* CLOCK_??? */, 0x1000) = -1 EINVAL (Invalid argument)"
    );
    g.write_u32(0x2000, 0).write_u32(0x2004, 1);
    assert_eq!(
        x86("clock_settime", [1, 0x2000, 0, 0, 0, 0], &mut g, EINVAL),
        "clock_settime(CLOCK_MONOTONIC, {tv_sec=0, tv_nsec=1}) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x86("clock_gettime", [1, 0x2000, 0, 0, 0, 0], &mut g, 0),
        "clock_gettime(CLOCK_MONOTONIC, {tv_sec=0, tv_nsec=1}) = 0"
    );
    g.write_u64(0x3000, 1_795_916_150)
        .write_u64(0x3008, 235_685);
    g.write(0x3100, &[0; 8]);
    assert_eq!(
        x64("gettimeofday", [0x3000, 0x3100, 0, 0, 0, 0], &mut g, 0),
        "gettimeofday({tv_sec=1795916150, tv_usec=235685}, {tz_minuteswest=0, tz_dsttime=0}) = 0"
    );
    g.write_u32(0x4000, 0).write_u32(0x4004, 2_000_000);
    assert_eq!(
        x86("settimeofday", [0x4000, 0, 0, 0, 0, 0], &mut g, EINVAL),
        "settimeofday({tv_sec=0, tv_usec=2000000}, NULL) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x86("settimeofday", [0, 0x3100, 0, 0, 0, 0], &mut g, 0),
        "settimeofday(NULL, {tz_minuteswest=0, tz_dsttime=0}) = 0"
    );
    // time: the date after the value and after the return value.
    g.write_u64(0x5000, 1_795_916_150);
    assert_eq!(
        x64("time", [0x5000, 0, 0, 0, 0, 0], &mut g, 1_795_916_150),
        "time([1795916150 /* 2026-11-29T01:35:50+0000 */]) = 1795916150 (2026-11-29T01:35:50+0000)"
    );
    assert_eq!(
        x86("time", [0, 0, 0, 0, 0, 0], &mut g, 1_795_916_150),
        "time(NULL) = 1795916150 (2026-11-29T01:35:50+0000)"
    );
    assert_eq!(
        x86("time", [0xbad0000, 0, 0, 0, 0, 0], &mut g, EFAULT),
        "time(0xbad0000) = -1 EFAULT (Bad address)"
    );
    // times: clock ticks with their seconds.
    g.write_u64(0x6000, 2)
        .write_u64(0x6008, 123)
        .write_u64(0x6010, 0)
        .write_u64(0x6018, 0);
    assert_eq!(
        x64("times", [0x6000, 0, 0, 0, 0, 0], &mut g, 1_718_493_023),
        "times({tms_utime=2 /* 0.02 s */, tms_stime=123 /* 1.23 s */, tms_cutime=0, \
         tms_cstime=0}) = 1718493023"
    );
    g.write_u32(0x7000, 8)
        .write_u32(0x7004, 38)
        .write_u64(0x7008, 0);
    assert_eq!(
        x86("times", [0x7000, 0, 0, 0, 0, 0], &mut g, 1_718_493_060),
        "times({tms_utime=8 /* 0.08 s */, tms_stime=38 /* 0.38 s */, tms_cutime=0, tms_cstime=0}) = \
         1718493060"
    );
}

#[test]
fn dates_are_those_of_the_c_library_in_utc() {
    assert_eq!(date(0), None);
    assert_eq!(date(-1).as_deref(), Some("1969-12-31T23:59:59+0000"));
    assert_eq!(
        date(253_402_300_800).as_deref(),
        Some("10000-01-01T00:00:00+0000")
    );
    assert_eq!(
        date(-62_200_000_000).as_deref(),
        Some("-2-12-17T14:13:20+0000")
    );
    assert_eq!(
        date(-62_135_596_801).as_deref(),
        Some("0-12-31T23:59:59+0000")
    );
    assert_eq!(
        date(4_102_444_800).as_deref(),
        Some("2100-01-01T00:00:00+0000")
    );
    assert_eq!(
        date(67_767_976_233_316_800).as_deref(),
        Some("2147483647-12-29T12:00:00+0000")
    );
    assert_eq!(date(i64::MAX), None);
    assert_eq!(date(i64::MIN), None);
}

/// The bytes of a 64-bit `struct __kernel_timex` as a quiet, unsynchronized clock returns it.
fn timex64() -> Vec<u8> {
    let mut b = vec![0u8; 208];
    let mut put = |off: usize, v: u64| b[off..off + 8].copy_from_slice(&v.to_le_bytes());
    put(24, 16_000_000);
    put(32, 16_000_000);
    put(40, 0x40);
    put(48, 2);
    put(56, 1);
    put(64, 32_768_000);
    put(72, 1_795_916_150);
    put(80, 235_914);
    put(88, 10_000);
    b
}

#[test]
fn adjtimex_shows_the_structure_and_the_clock_state() {
    let mut g = TestGuest::new();
    g.write(0x1000, &timex64());
    let want = "{modes=0, offset=0, freq=0, maxerror=16000000, esterror=16000000, status=STA_UNSYNC, \
                constant=2, precision=1, tolerance=32768000, time={tv_sec=1795916150, \
                tv_usec=235914}, tick=10000, ppsfreq=0, jitter=0, shift=0, stabil=0, jitcnt=0, \
                calcnt=0, errcnt=0, stbcnt=0, tai=0}";
    assert_eq!(
        x64("adjtimex", [0x1000, 0, 0, 0, 0, 0], &mut g, 5),
        format!("adjtimex({want}) = 5 (TIME_ERROR)")
    );
    assert_eq!(
        x86("clock_adjtime64", [0, 0x1000, 0, 0, 0, 0], &mut g, 5),
        format!("clock_adjtime64(CLOCK_REALTIME, {want}) = 5 (TIME_ERROR)")
    );
    assert_eq!(
        x64("clock_adjtime", [0, 0xbad0000, 0, 0, 0, 0], &mut g, EFAULT),
        "clock_adjtime(CLOCK_REALTIME, 0xbad0000) = -1 EFAULT (Bad address)"
    );
    // i386's old_timex32: every field an int.
    let mut b = vec![0u8; 128];
    for (off, v) in [
        (12, 16_000_000u32),
        (16, 16_000_000),
        (20, 0x40),
        (24, 2),
        (28, 1),
    ]
    .into_iter()
    .chain([
        (32, 32_768_000),
        (36, 1_795_916_150),
        (40, 604_291),
        (44, 10_000),
    ]) {
        b[off..off + 4].copy_from_slice(&v.to_le_bytes());
    }
    g.write(0x2000, &b);
    assert_eq!(
        x86("adjtimex", [0x2000, 0, 0, 0, 0, 0], &mut g, 0),
        "adjtimex({modes=0, offset=0, freq=0, maxerror=16000000, esterror=16000000, \
         status=STA_UNSYNC, constant=2, precision=1, tolerance=32768000, time={tv_sec=1795916150, \
         tv_usec=604291}, tick=10000, ppsfreq=0, jitter=0, shift=0, stabil=0, jitcnt=0, calcnt=0, \
         errcnt=0, stbcnt=0, tai=0}) = 0 (TIME_OK)"
    );
}

#[test]
fn interval_and_posix_timers() {
    let mut g = TestGuest::new();
    g.write_u64(0x1000, 0).write_u64(0x1008, 250_000);
    g.write_u64(0x1010, 100).write_u64(0x1018, 0);
    g.write(0x1100, &[0; 32]);
    assert_eq!(
        x64("setitimer", [1, 0x1000, 0x1100, 0, 0, 0], &mut g, 0),
        "setitimer(ITIMER_VIRTUAL, {it_interval={tv_sec=0, tv_usec=250000}, it_value={tv_sec=100, \
         tv_usec=0}}, {it_interval={tv_sec=0, tv_usec=0}, it_value={tv_sec=0, tv_usec=0}}) = 0"
    );
    assert_eq!(
        x64("getitimer", [5, 0x1100, 0, 0, 0, 0], &mut g, EINVAL),
        "getitimer(0x5 /* ITIMER_??? */, 0x1100) = -1 EINVAL (Invalid argument)"
    );
    let mut g32 = TestGuest::new();
    g32.write(0x1000, &[0; 8])
        .write_u32(0x1008, 0)
        .write_u32(0x100c, 50_000);
    assert_eq!(
        x86("setitimer", [0, 0x1000, 0, 0, 0, 0], &mut g32, 0),
        "setitimer(ITIMER_REAL, {it_interval={tv_sec=0, tv_usec=0}, it_value={tv_sec=0, \
         tv_usec=50000}}, NULL) = 0"
    );
    // timer_create: the sigevent in, the id out.
    g.write_u64(0x2000, 0x7fff_b9cd_1000)
        .write_u32(0x2008, 14)
        .write_u32(0x200c, 0)
        .write(0x2010, &[0; 16]);
    g.write_u32(0x2100, 0);
    assert_eq!(
        x64("timer_create", [1, 0x2000, 0x2100, 0, 0, 0], &mut g, 0),
        "timer_create(CLOCK_MONOTONIC, {sigev_value={sival_int=-1177743360, \
         sival_ptr=0x7fffb9cd1000}, sigev_signo=SIGALRM, sigev_notify=SIGEV_SIGNAL}, [0]) = 0"
    );
    g.write_u64(0x2200, 0)
        .write_u32(0x2208, 10)
        .write_u32(0x220c, 4);
    g.write_u32(0x2210, 21360).write(0x2214, &[0; 12]);
    assert_eq!(
        x64("timer_create", [1, 0x2200, 0x2100, 0, 0, 0], &mut g, 0),
        "timer_create(CLOCK_MONOTONIC, {sigev_signo=SIGUSR1, sigev_notify=SIGEV_THREAD_ID, \
         sigev_notify_thread_id=21360}, [0]) = 0"
    );
    assert_eq!(
        x64("timer_create", [99, 0, 0x2100, 0, 0, 0], &mut g, EINVAL),
        "timer_create(0x63 /* CLOCK_??? */, NULL, 0x2100) = -1 EINVAL (Invalid argument)"
    );
    g32.write_u32(0x2000, 0)
        .write_u32(0x2004, 0)
        .write_u32(0x2008, 1);
    g32.write(0x200c, &[0; 8]).write_u32(0x2100, 1);
    assert_eq!(
        x86("timer_create", [0, 0x2000, 0x2100, 0, 0, 0], &mut g32, 0),
        "timer_create(CLOCK_REALTIME, {sigev_signo=0, sigev_notify=SIGEV_NONE}, [1]) = 0"
    );
    g32.write(0x3000, &[0; 12]).write_u32(0x300c, 30_000_000);
    g32.write(0x3100, &[0; 16]);
    assert_eq!(
        x86("timer_settime", [0, 0, 0x3000, 0x3100, 0, 0], &mut g32, 0),
        "timer_settime(0, 0, {it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=0, \
         tv_nsec=30000000}}, {it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=0, tv_nsec=0}}) = 0"
    );
    assert_eq!(
        x86(
            "timer_settime64",
            [1, 1, 0xbad0000, 0, 0, 0],
            &mut g32,
            EFAULT
        ),
        "timer_settime64(1, TIMER_ABSTIME, 0xbad0000, NULL) = -1 EFAULT (Bad address)"
    );
}

/// The user stack pointer at `rt_sigreturn` with the frame's mask `mask` (x86_64).
fn rt_frame_64(g: &mut TestGuest, sp: u64, mask: u64) {
    g.write(sp - 8, &[0; 512]);
    g.write_u64(sp + 296, mask);
}

#[test]
fn sigreturn_shows_the_mask_the_frame_restores() {
    let mut g = TestGuest::new();
    rt_frame_64(&mut g, 0x7ffc_0000_1000, 0);
    assert_eq!(
        x64(
            "rt_sigreturn",
            [0x7ffc_0000_1000, 0, 0, 0, 0, 0],
            &mut g,
            -4
        ),
        "rt_sigreturn({mask=[]}) = -1 EINTR (Interrupted system call)"
    );
    rt_frame_64(&mut g, 0x7ffc_0000_3000, 1 << 9);
    assert_eq!(
        x64("rt_sigreturn", [0x7ffc_0000_3000, 0, 0, 0, 0, 0], &mut g, 0),
        "rt_sigreturn({mask=[USR1]}) = 0"
    );
    // Unreadable: the mask's address, as strace prints it.
    assert_eq!(
        x64("rt_sigreturn", [0x5000, 0, 0, 0, 0, 0], &mut g, 0),
        "rt_sigreturn({mask=0x5128}) = 0"
    );
    // i386: rt_sigframe_ia32 (mask at 252 from the frame, one word below the stack pointer).
    let mut g32 = TestGuest::new();
    g32.write(0xff95_0000, &[0; 1024]);
    g32.write_u64(0xff95_0004 - 4 + 252, !(1 << 10));
    assert_eq!(
        x86("rt_sigreturn", [0xff95_0004, 0, 0, 0, 0, 0], &mut g32, 0),
        "rt_sigreturn({mask=~[SEGV]}) = 0"
    );
    // i386 sigreturn: sigcontext at the stack pointer, oldmask and extramask.
    g32.write(0xff96_0000, &[0; 1024]);
    g32.write_u32(0xff96_0000 + 80, 1 << 12)
        .write_u32(0xff96_0000 + 712, 1);
    assert_eq!(
        x86("sigreturn", [0xff96_0000, 0, 0, 0, 0, 0], &mut g32, 0),
        "sigreturn({mask=[PIPE RT_1]}) = 0"
    );
    assert_eq!(
        x86("sigreturn", [0x5000, 0, 0, 0, 0, 0], &mut g32, 0),
        "sigreturn(0x5000) = 0"
    );
}

#[test]
fn signal_sets_show_the_complement_from_two_thirds() {
    let mut g = TestGuest::new();
    // 42 of 64 signals: two thirds, the complement.
    let set42 = (1u64 << 42) - 1;
    g.write_u64(0x1000, set42);
    let got = x64("rt_sigprocmask", [0, 0x1000, 0, 8, 0, 0], &mut g, 0);
    assert_eq!(
        got,
        "rt_sigprocmask(SIG_BLOCK, ~[RT_11 RT_12 RT_13 RT_14 RT_15 RT_16 RT_17 RT_18 RT_19 RT_20 \
         RT_21 RT_22 RT_23 RT_24 RT_25 RT_26 RT_27 RT_28 RT_29 RT_30 RT_31 RT_32], NULL, 8) = 0"
    );
    g.write_u64(0x1000, set42 >> 1);
    assert!(
        x64("rt_sigprocmask", [0, 0x1000, 0, 8, 0, 0], &mut g, 0)
            .starts_with("rt_sigprocmask(SIG_BLOCK, [HUP INT")
    );
    g.write_u64(0x1000, (1 << 9) | (1 << 11) | (1 << 35));
    assert_eq!(
        x64("rt_sigprocmask", [0, 0x1000, 0x1000, 8, 0, 0], &mut g, 0),
        "rt_sigprocmask(SIG_BLOCK, [USR1 USR2 RT_4], [USR1 USR2 RT_4], 8) = 0"
    );
    // rt_sigpending accepts shorter sets.
    g.write_u64(0x2000, 1 << 9);
    assert_eq!(
        x86("rt_sigpending", [0x2000, 4, 0, 0, 0, 0], &mut g, 0),
        "rt_sigpending([USR1], 4) = 0"
    );
    assert_eq!(
        x64("rt_sigpending", [0x2000, 9, 0, 0, 0, 0], &mut g, EINVAL),
        "rt_sigpending(0x2000, 9) = -1 EINVAL (Invalid argument)"
    );
}

#[test]
fn sigaction_flags_and_handlers() {
    let mut g = TestGuest::new();
    g.write_u64(0x1000, 0x40_1665)
        .write_u64(0x1008, 0x1400_0004)
        .write_u64(0x1010, 0x40_b7a0)
        .write_u64(0x1018, 0);
    assert_eq!(
        x64("rt_sigaction", [12, 0x1000, 0, 8, 0, 0], &mut g, 0),
        "rt_sigaction(SIGUSR2, {sa_handler=0x401665, sa_mask=[], \
         sa_flags=SA_RESTORER|SA_RESTART|SA_SIGINFO, sa_restorer=0x40b7a0}, NULL, 8) = 0"
    );
    g.write_u64(0x1000, u64::MAX).write_u64(0x1008, 0x2000_0000);
    assert_eq!(
        x64("rt_sigaction", [12, 0x1000, 0, 8, 0, 0], &mut g, EINVAL),
        "rt_sigaction(SIGUSR2, {sa_handler=SIG_ERR, sa_mask=[], sa_flags=SA_INTERRUPT}, NULL, 8) = \
         -1 EINVAL (Invalid argument)"
    );
    let mut g32 = TestGuest::new();
    g32.write_u32(0x1000, 0xffff_ffff).write_u32(0x1004, 0x400);
    g32.write(0x1008, &[0; 12]);
    assert_eq!(
        x86("rt_sigaction", [12, 0x1000, 0, 8, 0, 0], &mut g32, EINVAL),
        "rt_sigaction(SIGUSR2, {sa_handler=0xffffffff, sa_mask=[], sa_flags=0x400 /* SA_??? */}, \
         NULL, 8) = -1 EINVAL (Invalid argument)"
    );
}

/// A 128-byte `siginfo_t` with `signo`, `code`, and words written at union offsets.
fn siginfo(abi: Abi, signo: u32, code: i32, fields: &[(usize, u32)]) -> Vec<u8> {
    let mut b = vec![0u8; 128];
    b[0..4].copy_from_slice(&signo.to_le_bytes());
    b[8..12].copy_from_slice(&code.to_le_bytes());
    let u = if abi == Abi::X86_64 { 16 } else { 12 };
    for &(off, v) in fields {
        b[u + off..u + off + 4].copy_from_slice(&v.to_le_bytes());
    }
    b
}

#[test]
fn siginfo_by_sender() {
    for abi in [Abi::X86_64, Abi::I386] {
        let mut e = TestGuest::new();
        e.write_u64(0x1000, (1 << 9) | (1 << 11) | (1 << 35));
        e.write_u64(0x1100, 1).write_u64(0x1108, 0);
        e.write_u32(0x1200, 1).write_u32(0x1204, 0);
        let ts = if abi == Abi::X86_64 { 0x1100 } else { 0x1200 };
        let mut x = e.clone();
        x.write(0x2000, &siginfo(abi, 10, 0, &[(0, 21360), (4, 0)]));
        assert_eq!(
            two(
                abi,
                "rt_sigtimedwait",
                [0x1000, 0x2000, ts, 8, 0, 0],
                &e,
                &x,
                10
            ),
            "rt_sigtimedwait([USR1 USR2 RT_4], {si_signo=SIGUSR1, si_code=SI_USER, si_pid=21360, \
             si_uid=0}, {tv_sec=1, tv_nsec=0}, 8) = 10 (SIGUSR1)"
        );
        assert_eq!(
            two(
                abi,
                "rt_sigtimedwait",
                [0x1000, 0x2000, ts, 8, 0, 0],
                &e,
                &x,
                -11
            ),
            "rt_sigtimedwait([USR1 USR2 RT_4], 0x2000, {tv_sec=1, tv_nsec=0}, 8) = -1 EAGAIN \
             (Resource temporarily unavailable)"
        );
        // Queued with a value.
        let mut g = TestGuest::new();
        g.write(
            0x3000,
            &siginfo(abi, 36, -1, &[(0, 21360), (4, 0), (8, 42)]),
        );
        assert_eq!(
            line(
                abi,
                "rt_tgsigqueueinfo",
                [21360, 21360, 36, 0x3000, 0, 0],
                &mut g,
                Some(0)
            ),
            "rt_tgsigqueueinfo(21360, 21360, SIGRT_4, {si_signo=SIGRT_4, si_code=SI_QUEUE, \
             si_pid=21360, si_uid=0, si_int=42, si_ptr=0x2a}) = 0"
        );
        assert_eq!(
            line(
                abi,
                "rt_sigqueueinfo",
                [21360, 12, 0xbad0000, 0, 0, 0],
                &mut g,
                Some(EFAULT)
            ),
            "rt_sigqueueinfo(21360, SIGUSR2, 0xbad0000) = -1 EFAULT (Bad address)"
        );
        // A timer's signal.
        g.write(
            0x4000,
            &siginfo(abi, 14, -2, &[(0, 0), (4, 0), (8, 0xff95_9960)]),
        );
        assert_eq!(
            line(
                abi,
                "pidfd_send_signal",
                [3, 14, 0x4000, 0, 0, 0],
                &mut g,
                Some(0)
            ),
            "pidfd_send_signal(3, SIGALRM, {si_signo=SIGALRM, si_code=SI_TIMER, si_timerid=0, \
             si_overrun=0, si_int=-6973088, si_ptr=0xff959960}, 0) = 0"
        );
        // A fault, with an errno.
        let mut fault = siginfo(abi, 11, 1, &[(0, 0x1234)]);
        fault[4] = 2;
        g.write(0x5000, &fault);
        assert_eq!(
            line(
                abi,
                "rt_sigqueueinfo",
                [1, 11, 0x5000, 0, 0, 0],
                &mut g,
                Some(0)
            ),
            "rt_sigqueueinfo(1, SIGSEGV, {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_errno=ENOENT, \
             si_addr=0x1234}) = 0"
        );
        // An empty siginfo, and an unknown code.
        g.write(0x6000, &[0; 128]);
        g.write(0x6100, &siginfo(abi, 10, 0x42, &[]));
        assert_eq!(
            line(
                abi,
                "rt_sigqueueinfo",
                [1, 0, 0x6000, 0, 0, 0],
                &mut g,
                Some(0)
            ),
            "rt_sigqueueinfo(1, 0, {}) = 0"
        );
        assert_eq!(
            line(
                abi,
                "rt_sigqueueinfo",
                [1, 10, 0x6100, 0, 0, 0],
                &mut g,
                Some(0)
            ),
            "rt_sigqueueinfo(1, SIGUSR1, {si_signo=SIGUSR1, si_code=0x42}) = 0"
        );
    }
}

#[test]
fn waitid_shows_the_child_and_its_usage() {
    // x86_64: SIGCHLD's status at 8, times at 16 and 24 of the union.
    let e = TestGuest::new();
    let mut x = TestGuest::new();
    let mut si = siginfo(Abi::X86_64, 17, 1, &[(0, 21361), (4, 0), (8, 3)]);
    si[16 + 16] = 5;
    x.write(0x1000, &si);
    let mut ru = vec![0u8; 144];
    ru[8] = 117;
    x.write(0x2000, &ru);
    assert_eq!(
        two(
            Abi::X86_64,
            "waitid",
            [0, 0, 0x1000, 4, 0x2000, 0],
            &e,
            &x,
            0
        ),
        "waitid(P_ALL, 0, {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=21361, si_uid=0, \
         si_status=3, si_utime=5 /* 0.05 s */, si_stime=0}, WEXITED, {ru_utime={tv_sec=0, \
         tv_usec=117}, ru_stime={tv_sec=0, tv_usec=0}, ...}) = 0"
    );
    // i386: times at 12 and 16; killed by a signal.
    let mut x32 = TestGuest::new();
    x32.write(
        0x1000,
        &siginfo(Abi::I386, 17, 2, &[(0, 21370), (4, 0), (8, 9)]),
    );
    assert_eq!(
        two(
            Abi::I386,
            "waitid",
            [1, 21370, 0x1000, 0x0100_0004, 0, 0],
            &e,
            &x32,
            0
        ),
        "waitid(P_PID, 21370, {si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=21370, si_uid=0, \
         si_status=SIGKILL, si_utime=0, si_stime=0}, WEXITED|WNOWAIT, NULL) = 0"
    );
    assert_eq!(
        two(
            Abi::X86_64,
            "waitid",
            [7, 0, 0x1000, 4, 0, 0],
            &e,
            &x,
            EINVAL
        ),
        "waitid(0x7 /* P_??? */, 0, 0x1000, WEXITED, NULL) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        two(
            Abi::X86_64,
            "waitid",
            [0, 0, 0x1000, 0x8000_0005, 0x2000, 0],
            &e,
            &x,
            -10
        ),
        "waitid(P_ALL, 0, 0x1000, WNOHANG|WEXITED|__WCLONE, 0x2000) = -1 ECHILD (No child processes)"
    );
}

#[test]
fn alternate_stacks() {
    let mut g = TestGuest::new();
    g.write_u64(0x1000, 0x4a_b300)
        .write_u32(0x1008, 0)
        .write_u32(0x100c, 0);
    g.write_u64(0x1010, 65536);
    g.write_u64(0x2000, 0)
        .write_u32(0x2008, 2)
        .write_u32(0x200c, 0);
    g.write_u64(0x2010, 0);
    assert_eq!(
        x64("sigaltstack", [0x1000, 0x2000, 0, 0, 0, 0], &mut g, 0),
        "sigaltstack({ss_sp=0x4ab300, ss_flags=0, ss_size=65536}, {ss_sp=NULL, ss_flags=SS_DISABLE, \
         ss_size=0}) = 0"
    );
    let mut g32 = TestGuest::new();
    g32.write_u32(0x1000, 0x80f_2300)
        .write_u32(0x1004, 0x1234)
        .write_u32(0x1008, 65536);
    assert_eq!(
        x86("sigaltstack", [0x1000, 0, 0, 0, 0, 0], &mut g32, EINVAL),
        "sigaltstack({ss_sp=0x80f2300, ss_flags=0x1234 /* SS_??? */, ss_size=65536}, NULL) = -1 \
         EINVAL (Invalid argument)"
    );
    assert_eq!(
        x86(
            "sigaltstack",
            [0xbad0000, 0x1000, 0, 0, 0, 0],
            &mut g32,
            EFAULT
        ),
        "sigaltstack(0xbad0000, 0x1000) = -1 EFAULT (Bad address)"
    );
}

#[test]
fn old_i386_signal_calls() {
    let mut g = TestGuest::new();
    assert_eq!(
        x86("signal", [10, 0x804_9705, 0, 0, 0, 0], &mut g, 0x804_9705),
        "signal(SIGUSR1, 0x8049705) = 0x8049705"
    );
    assert_eq!(
        x86("signal", [10, 1, 0, 0, 0, 0], &mut g, 0),
        "signal(SIGUSR1, SIG_IGN) = 0 (SIG_DFL)"
    );
    assert_eq!(
        x86("signal", [10, 0, 0, 0, 0, 0], &mut g, 1),
        "signal(SIGUSR1, SIG_DFL) = 0x1 (SIG_IGN)"
    );
    g.write_u32(0x1000, 0x804_9705).write_u32(0x1004, 0);
    g.write_u32(0x1008, 0xc000_0000).write_u32(0x100c, 0);
    assert_eq!(
        x86("sigaction", [10, 0, 0x1000, 0, 0, 0], &mut g, 0),
        "sigaction(SIGUSR1, NULL, {sa_handler=0x8049705, sa_mask=[], sa_flags=SA_NODEFER|SA_RESETHAND}) = 0"
    );
    g.write_u32(0x2000, 1 << 11).write_u32(0x2004, 0);
    assert_eq!(
        x86("sigprocmask", [0, 0x2000, 0x2004, 0, 0, 0], &mut g, 0),
        "sigprocmask(SIG_BLOCK, [USR2], []) = 0"
    );
    assert_eq!(
        x86("sigpending", [0x2000, 0, 0, 0, 0, 0], &mut g, 0),
        "sigpending([USR2]) = 0"
    );
    assert_eq!(
        x86("sgetmask", [0; 6], &mut g, 0x800),
        "sgetmask() = 0x800 (mask [USR2])"
    );
    assert_eq!(
        x86("ssetmask", [0, 0, 0, 0, 0, 0], &mut g, 0x800),
        "ssetmask([]) = 0x800 (old mask [USR2])"
    );
    assert_eq!(
        x86("sigsuspend", [7, 7, 1 << 12, 0, 0, 0], &mut g, -514),
        "sigsuspend([PIPE]) = ? ERESTARTNOHAND (To be restarted if no handler)"
    );
}

#[test]
fn futex_timeouts_take_each_calls_layout() {
    let mut g = TestGuest::new();
    g.write_u32(0x1000, 0).write_u32(0x1004, 20_000_000);
    g.write_u64(0x2000, 0).write_u64(0x2008, 20_000_000);
    assert_eq!(
        x86("futex", [0xff95_9674, 0x80, 0, 0x1000, 0, 0], &mut g, -110),
        "futex(0xff959674, FUTEX_WAIT_PRIVATE, 0, {tv_sec=0, tv_nsec=20000000}) = -1 ETIMEDOUT \
         (Connection timed out)"
    );
    assert_eq!(
        x86(
            "futex_time64",
            [0xff95_9674, 0x80, 0, 0x2000, 0, 0],
            &mut g,
            -110
        ),
        "futex_time64(0xff959674, FUTEX_WAIT_PRIVATE, 0, {tv_sec=0, tv_nsec=20000000}) = -1 \
         ETIMEDOUT (Connection timed out)"
    );
}

#[test]
fn kill_and_friends_name_their_signals() {
    let mut g = TestGuest::new();
    assert_eq!(
        x64("kill", [21360, 99, 0, 0, 0, 0], &mut g, EINVAL),
        "kill(21360, 99) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x64("kill", [21360, 0, 0, 0, 0, 0], &mut g, 0),
        "kill(21360, 0) = 0"
    );
    assert_eq!(
        x86("tgkill", [1, 2, 32, 0, 0, 0], &mut g, EBADF),
        "tgkill(1, 2, SIGRTMIN) = -1 EBADF (Bad file descriptor)"
    );
    assert_eq!(
        x64(
            "pidfd_send_signal",
            [3, 10, 0, 0x1_0000_0000, 0, 0],
            &mut g,
            0
        ),
        "pidfd_send_signal(3, SIGUSR1, NULL, 0) = 0"
    );
}

#[test]
fn poll_array_cut_by_an_unmapped_page_ends_with_its_address() {
    // strace 6.1: the element that cannot be read ends the array as `... /* address */`.
    let mut g = TestGuest::new();
    g.write(0x1ff8, &[1, 0, 0, 0, 1, 0, 0, 0]);
    assert_eq!(
        line(
            Abi::X86_64,
            "poll",
            [0x1ff8, 3, 0, 0, 0, 0],
            &mut g,
            Some(EFAULT)
        ),
        "poll([{fd=1, events=POLLIN}, ... /* 0x2000 */], 3, 0) = -1 EFAULT (Bad address)"
    );
    assert_eq!(
        x86("poll", [0x1ff8, 3, 0, 0, 0, 0], &mut g, EFAULT),
        "poll([{fd=1, events=POLLIN}, ... /* 0x2000 */], 3, 0) = -1 EFAULT (Bad address)"
    );
}

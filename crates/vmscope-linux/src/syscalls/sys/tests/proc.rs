//! `prctl`, `arch_prctl`, `clone3`, the scheduler, resources, capabilities, thread areas and the
//! other process-wide calls.

use vmscope_core::guest::TestGuest;

use super::{EFAULT, EINVAL, i386, i386_io, x64, x64_io};

#[test]
fn prctl_options_take_their_own_arguments() {
    let mut g = TestGuest::new();
    g.write(0x1000, b"procfam-name\0");
    assert_eq!(
        x64("prctl", [15, 0x1000, 0, 0, 0, 0], &mut g, 0),
        "prctl(PR_SET_NAME, \"procfam-name\") = 0"
    );
    g.write(0x1100, b"a-name-longer-than-fifteen\0");
    assert_eq!(
        x64("prctl", [15, 0x1100, 0, 0, 0, 0], &mut g, 0),
        "prctl(PR_SET_NAME, \"a-name-longer-t\"...) = 0"
    );
    assert_eq!(
        x64("prctl", [15, 0, 0, 0, 0, 0], &mut g, EFAULT),
        "prctl(PR_SET_NAME, NULL) = -1 EFAULT (Bad address)"
    );
    assert_eq!(
        x64_io(
            "prctl",
            [16, 0x2000, 0, 0, 0, 0],
            &mut g,
            |e| {
                e.write(0x2000, b"procfam-name\0");
            },
            0
        ),
        "prctl(PR_GET_NAME, \"procfam-name\") = 0"
    );
    assert_eq!(
        x64("prctl", [3, 0, 0, 0, 0, 0], &mut g, 1),
        "prctl(PR_GET_DUMPABLE) = 1 (SUID_DUMP_USER)"
    );
    assert_eq!(
        x64("prctl", [4, 1, 0, 0, 0, 0], &mut g, 0),
        "prctl(PR_SET_DUMPABLE, SUID_DUMP_USER) = 0"
    );
    assert_eq!(
        x64("prctl", [1, 15, 0, 0, 0, 0], &mut g, 0),
        "prctl(PR_SET_PDEATHSIG, SIGTERM) = 0"
    );
    assert_eq!(
        x64_io(
            "prctl",
            [2, 0x3000, 0, 0, 0, 0],
            &mut g,
            |e| {
                e.write_u32(0x3000, 15);
            },
            0
        ),
        "prctl(PR_GET_PDEATHSIG, [SIGTERM]) = 0"
    );
    assert_eq!(
        x64_io(
            "prctl",
            [37, 0x3000, 0, 0, 0, 0],
            &mut g,
            |e| {
                e.write_u32(0x3000, 1);
            },
            0
        ),
        "prctl(PR_GET_CHILD_SUBREAPER, [1]) = 0"
    );
    assert_eq!(
        x64("prctl", [29, 50000, 0, 0, 0, 0], &mut g, 0),
        "prctl(PR_SET_TIMERSLACK, 50000) = 0"
    );
    assert_eq!(
        x64("prctl", [30, 0, 0, 0, 0, 0], &mut g, 50000),
        "prctl(PR_GET_TIMERSLACK) = 50000"
    );
    assert_eq!(
        x64("prctl", [23, 21, 0, 0, 0, 0], &mut g, 1),
        "prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN) = 1"
    );
    assert_eq!(
        x64("prctl", [23, 200, 0, 0, 0, 0], &mut g, EINVAL),
        "prctl(PR_CAPBSET_READ, 0xc8 /* CAP_??? */) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x64("prctl", [47, 1, 0, 0, 0, 0], &mut g, 0),
        "prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_CHOWN, 0, 0) = 0"
    );
    assert_eq!(
        x64("prctl", [42, 0, 0, 0, 0, 0], &mut g, 0),
        "prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) = 0"
    );
    assert_eq!(
        x64_io(
            "prctl",
            [25, 0x3000, 0, 0, 0, 0],
            &mut g,
            |e| {
                e.write_u32(0x3000, 1);
            },
            0
        ),
        "prctl(PR_GET_TSC, [PR_TSC_ENABLE]) = 0"
    );
    assert_eq!(
        x64("prctl", [19, 0x3000, 0, 0, 0, 0], &mut g, EINVAL),
        "prctl(PR_GET_ENDIAN, 0x3000) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x64("prctl", [34, 0, 0, 0, 0, 0], &mut g, 2),
        "prctl(PR_MCE_KILL_GET, 0, 0, 0, 0) = 2 (PR_MCE_KILL_DEFAULT)"
    );
    assert_eq!(
        x64("prctl", [52, 0, 0, 0, 0, 0], &mut g, 3),
        "prctl(PR_GET_SPECULATION_CTRL, PR_SPEC_STORE_BYPASS) = 0x3 (PR_SPEC_PRCTL|PR_SPEC_ENABLE)"
    );
    assert_eq!(
        x64("prctl", [35, 1, 0x1000, 0, 0, 0], &mut g, -1),
        "prctl(PR_SET_MM, PR_SET_MM_START_CODE, 0x1000, 0, 0) = -1 EPERM (Operation not permitted)"
    );
    assert_eq!(
        x64("prctl", [0x5961_6d61, 0, 0, 0, 0, 0], &mut g, EINVAL),
        "prctl(PR_SET_PTRACER, 0) = -1 EINVAL (Invalid argument)"
    );
    g.write(0x4000, b"procfam vma\0");
    assert_eq!(
        x64(
            "prctl",
            [0x5356_4d41, 0, 0x7f3c6238c000, 8192, 0x4000, 0],
            &mut g,
            EINVAL
        ),
        "prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, 0x7f3c6238c000, 8192, \"procfam vma\") = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x64("prctl", [0x7fff_0001, 1, 2, 3, 4, 0], &mut g, EINVAL),
        "prctl(0x7fff0001 /* PR_??? */, 0x1, 0x2, 0x3, 0x4) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x64("prctl", [38, 1, 0, 0, 0, 0], &mut g, 0),
        "prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) = 0"
    );
    assert_eq!(
        x64("prctl", [27, 0, 0, 0, 0, 0], &mut g, 0x11),
        "prctl(PR_GET_SECUREBITS) = 0x11 (SECBIT_NOROOT|SECBIT_KEEP_CAPS)"
    );
    // A failed PR_GET_NAME shows the pointer; an unreadable PR_SET_NAME too.
    assert_eq!(
        x64("prctl", [16, 0x9000_0000, 0, 0, 0, 0], &mut g, EFAULT),
        "prctl(PR_GET_NAME, 0x90000000) = -1 EFAULT (Bad address)"
    );
    assert_eq!(
        x64("prctl", [15, 0x9000_0000, 0, 0, 0, 0], &mut g, EFAULT),
        "prctl(PR_SET_NAME, 0x90000000) = -1 EFAULT (Bad address)"
    );
    // i386: the same, with 32-bit words.
    assert_eq!(
        i386(
            "prctl",
            [0x7fff_0001, 1, 2, 3, 0xffff_ffff, 0],
            &mut g,
            EINVAL
        ),
        "prctl(0x7fff0001 /* PR_??? */, 0x1, 0x2, 0x3, 0xffffffff) = -1 EINVAL (Invalid argument)"
    );
}

#[test]
fn arch_prctl_shows_what_get_fs_wrote() {
    let mut g = TestGuest::new();
    assert_eq!(
        x64_io(
            "arch_prctl",
            [0x1003, 0x5000, 0, 0, 0, 0],
            &mut g,
            |e| {
                e.write_u64(0x5000, 0x3746_73c0);
            },
            0
        ),
        "arch_prctl(ARCH_GET_FS, [0x374673c0]) = 0"
    );
    assert_eq!(
        x64("arch_prctl", [0x1002, 0x3746_73c0, 0, 0, 0, 0], &mut g, 0),
        "arch_prctl(ARCH_SET_FS, 0x374673c0) = 0"
    );
    assert_eq!(
        x64("arch_prctl", [0x1011, 0, 0, 0, 0, 0], &mut g, 1),
        "arch_prctl(ARCH_GET_CPUID) = 1"
    );
    assert_eq!(
        x64("arch_prctl", [0x9999, 0, 0, 0, 0, 0], &mut g, EINVAL),
        "arch_prctl(0x9999 /* ARCH_??? */, 0) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        i386("arch_prctl", [0x1011, 0, 0, 0, 0, 0], &mut g, 1),
        "arch_prctl(ARCH_GET_CPUID) = 1"
    );
}

/// `struct clone_args` at `at`: flags, pidfd, child_tid, parent_tid, exit_signal, stack,
/// stack_size, tls, set_tid, set_tid_size, cgroup.
fn clone_args(g: &mut TestGuest, at: u64, f: [u64; 11]) {
    for (i, v) in f.iter().enumerate() {
        g.write_u64(at + 8 * i as u64, *v);
    }
}

#[test]
fn clone3_shows_its_structure_and_what_it_wrote() {
    let mut g = TestGuest::new();
    clone_args(&mut g, 0x1000, [0x1000, 0x2000, 0, 0, 17, 0, 0, 0, 0, 0, 0]);
    assert_eq!(
        x64_io(
            "clone3",
            [0x1000, 88, 0, 0, 0, 0],
            &mut g,
            |e| {
                e.write_u32(0x2000, 3);
            },
            31050
        ),
        "clone3({flags=CLONE_PIDFD, pidfd=0x2000, exit_signal=SIGCHLD, stack=NULL, stack_size=0} => {pidfd=[3]}, 88) = 31050"
    );
    assert_eq!(
        x64("clone3", [0x1000, 8, 0, 0, 0, 0], &mut g, EINVAL),
        "clone3(0x1000, 8) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x64("clone3", [0, 88, 0, 0, 0, 0], &mut g, EFAULT),
        "clone3(NULL, 88) = -1 EFAULT (Bad address)"
    );
    clone_args(
        &mut g,
        0x3000,
        [
            0x0118_0300,
            0,
            0x1000,
            0x2000,
            0xff,
            0x7000,
            0x1000,
            0x3000,
            0,
            0,
            0,
        ],
    );
    assert_eq!(
        x64("clone3", [0x3000, 88, 0, 0, 0, 0], &mut g, EINVAL),
        "clone3({flags=CLONE_VM|CLONE_FS|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_SETTID, child_tid=0x1000, parent_tid=0x2000, exit_signal=255, stack=0x7000, stack_size=0x1000, tls=0x3000}, 88) = -1 EINVAL (Invalid argument)"
    );
    g.write_u32(0x5000, 1).write_u32(0x5004, 2);
    clone_args(
        &mut g,
        0x4000,
        [
            0x2_2000_0000,
            0,
            0x1000,
            0x2000,
            0xff,
            0x7000,
            0x1000,
            0x3000,
            0x5000,
            2,
            5,
        ],
    );
    assert_eq!(
        i386("clone3", [0x4000, 88, 0, 0, 0, 0], &mut g, EINVAL),
        "clone3({flags=CLONE_NEWPID|CLONE_INTO_CGROUP, exit_signal=255, stack=0x7000, stack_size=0x1000, set_tid=[1, 2], set_tid_size=2, cgroup=5}, 88) = -1 EINVAL (Invalid argument)"
    );
}

#[test]
fn scheduler_calls() {
    let mut g = TestGuest::new();
    g.write_u32(0x1000, 0);
    assert_eq!(
        x64("sched_setscheduler", [0, 3, 0x1000, 0, 0, 0], &mut g, 0),
        "sched_setscheduler(0, SCHED_BATCH, [0]) = 0"
    );
    assert_eq!(
        x64(
            "sched_setscheduler",
            [0, 0x4000_0000, 0x1000, 0, 0, 0],
            &mut g,
            0
        ),
        "sched_setscheduler(0, 0x40000000 /* SCHED_??? */, [0]) = 0"
    );
    assert_eq!(
        x64("sched_getscheduler", [0, 0, 0, 0, 0, 0], &mut g, 0),
        "sched_getscheduler(0) = 0 (SCHED_OTHER)"
    );
    assert_eq!(
        x64("sched_getparam", [0, 0x1000, 0, 0, 0, 0], &mut g, 0),
        "sched_getparam(0, [0]) = 0"
    );
    assert_eq!(
        x64("sched_get_priority_max", [1, 0, 0, 0, 0, 0], &mut g, 99),
        "sched_get_priority_max(SCHED_FIFO) = 99"
    );
    g.write(0x2000, &[3, 0, 0, 0]);
    assert_eq!(
        x64("sched_setaffinity", [0, 128, 0x2000, 0, 0, 0], &mut g, 0),
        "sched_setaffinity(0, 128, [0 1]) = 0"
    );
    assert_eq!(
        x64("sched_getaffinity", [0, 128, 0x2000, 0, 0, 0], &mut g, 32),
        "sched_getaffinity(0, 128, [0 1]) = 32"
    );
    assert_eq!(
        x64("sched_getaffinity", [0, 1, 0x2000, 0, 0, 0], &mut g, EINVAL),
        "sched_getaffinity(0, 1, 0x2000) = -1 EINVAL (Invalid argument)"
    );
    // struct sched_attr, 56 bytes.
    let mut attr = [0u8; 56];
    attr[0] = 56;
    attr[8] = 1;
    attr[24..28].copy_from_slice(&1_400_000u32.to_le_bytes());
    g.write(0x3000, &attr);
    assert_eq!(
        x64("sched_getattr", [0, 0x3000, 56, 0, 0, 0], &mut g, 0),
        "sched_getattr(0, {size=56, sched_policy=SCHED_OTHER, sched_flags=SCHED_FLAG_RESET_ON_FORK, sched_nice=0, sched_priority=0, sched_runtime=1400000, sched_deadline=0, sched_period=0, sched_util_min=0, sched_util_max=0}, 56, 0) = 0"
    );
    assert_eq!(
        x64("sched_setattr", [0, 0x3000, 0, 0, 0, 0], &mut g, 0),
        "sched_setattr(0, {size=56, sched_policy=SCHED_OTHER, sched_flags=SCHED_FLAG_RESET_ON_FORK, sched_nice=0, sched_priority=0, sched_runtime=1400000, sched_deadline=0, sched_period=0, sched_util_min=0, sched_util_max=0}, 0) = 0"
    );
    assert_eq!(
        x64(
            "sched_getattr",
            [0, 0xdead_0000, 56, 0, 0, 0],
            &mut g,
            EFAULT
        ),
        "sched_getattr(0, 0xdead0000, 56, 0) = -1 EFAULT (Bad address)"
    );
    g.write_u64(0x4000, 0).write_u64(0x4008, 100_000_000);
    assert_eq!(
        x64("sched_rr_get_interval", [0, 0x4000, 0, 0, 0, 0], &mut g, 0),
        "sched_rr_get_interval(0, {tv_sec=0, tv_nsec=100000000}) = 0"
    );
    assert_eq!(
        i386(
            "sched_rr_get_interval_time64",
            [0, 0x4000, 0, 0, 0, 0],
            &mut g,
            0
        ),
        "sched_rr_get_interval_time64(0, {tv_sec=0, tv_nsec=100000000}) = 0"
    );
}

#[test]
fn resources_usage_and_sysinfo() {
    let mut g = TestGuest::new();
    // x86_64 struct rusage: two timevals of 16 bytes.
    g.write_u64(0x1000, 0).write_u64(0x1008, 1721);
    assert_eq!(
        x64("getrusage", [0, 0x1000, 0, 0, 0, 0], &mut g, 0),
        "getrusage(RUSAGE_SELF, {ru_utime={tv_sec=0, tv_usec=1721}, ru_stime={tv_sec=0, tv_usec=0}, ...}) = 0"
    );
    assert_eq!(
        x64(
            "getrusage",
            [0xffff_ffff_ffff_ffff, 0x1000, 0, 0, 0, 0],
            &mut g,
            0
        ),
        "getrusage(RUSAGE_CHILDREN, {ru_utime={tv_sec=0, tv_usec=1721}, ru_stime={tv_sec=0, tv_usec=0}, ...}) = 0"
    );
    assert_eq!(
        x64("getrusage", [7, 0x1000, 0, 0, 0, 0], &mut g, EINVAL),
        "getrusage(0x7 /* RUSAGE_??? */, 0x1000) = -1 EINVAL (Invalid argument)"
    );
    // i386: 32-bit timevals.
    g.write_u32(0x2000, 0).write_u32(0x2004, 91);
    assert_eq!(
        i386("getrusage", [0xffff_ffff, 0x2000, 0, 0, 0, 0], &mut g, 0),
        "getrusage(RUSAGE_CHILDREN, {ru_utime={tv_sec=0, tv_usec=91}, ru_stime={tv_sec=0, tv_usec=0}, ...}) = 0"
    );
    g.write_u32(0x3000, 0x300);
    assert_eq!(
        i386("wait4", [31066, 0x3000, 0, 0x2000, 0, 0], &mut g, 31066),
        "wait4(31066, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, {ru_utime={tv_sec=0, tv_usec=91}, ru_stime={tv_sec=0, tv_usec=0}, ...}) = 31066"
    );
    // struct sysinfo, x86_64.
    let vals: [u64; 10] = [
        5653,
        755_040,
        694_624,
        478_240,
        25_276_510_208,
        2_041_352_192,
        9_396_224,
        308_391_936,
        0,
        0,
    ];
    for (i, v) in vals.iter().enumerate() {
        g.write_u64(0x5000 + 8 * i as u64, *v);
    }
    g.write_u32(0x5000 + 80, 175)
        .write_u64(0x5000 + 88, 0)
        .write_u64(0x5000 + 96, 0)
        .write_u32(0x5000 + 104, 1);
    assert_eq!(
        x64("sysinfo", [0x5000, 0, 0, 0, 0, 0], &mut g, 0),
        "sysinfo({uptime=5653, loads=[755040, 694624, 478240], totalram=25276510208, freeram=2041352192, sharedram=9396224, bufferram=308391936, totalswap=0, freeswap=0, procs=175, totalhigh=0, freehigh=0, mem_unit=1}) = 0"
    );
    assert_eq!(
        x64("sysinfo", [0xdead_0000, 0, 0, 0, 0, 0], &mut g, EFAULT),
        "sysinfo(0xdead0000) = -1 EFAULT (Bad address)"
    );
    // i386 struct sysinfo.
    for i in 0..10u64 {
        g.write_u32(0x6000 + 4 * i, i as u32);
    }
    g.write_u32(0x6000 + 40, 7)
        .write_u32(0x6000 + 44, 11)
        .write_u32(0x6000 + 48, 12)
        .write_u32(0x6000 + 52, 4096);
    assert_eq!(
        i386("sysinfo", [0x6000, 0, 0, 0, 0, 0], &mut g, 0),
        "sysinfo({uptime=0, loads=[1, 2, 3], totalram=4, freeram=5, sharedram=6, bufferram=7, totalswap=8, freeswap=9, procs=7, totalhigh=11, freehigh=12, mem_unit=4096}) = 0"
    );
}

#[test]
fn rlimits_print_multiples_of_1024_above_1024() {
    let mut g = TestGuest::new();
    g.write_u64(0x1000, 1024).write_u64(0x1008, u64::MAX);
    assert_eq!(
        x64("prlimit64", [0, 4, 0x1000, 0, 0, 0], &mut g, 0),
        "prlimit64(0, RLIMIT_CORE, {rlim_cur=1024, rlim_max=RLIM64_INFINITY}, NULL) = 0"
    );
    g.write_u64(0x1000, 2048).write_u64(0x1008, 4096);
    assert_eq!(
        x64("prlimit64", [0, 4, 0x1000, 0, 0, 0], &mut g, 0),
        "prlimit64(0, RLIMIT_CORE, {rlim_cur=2*1024, rlim_max=4*1024}, NULL) = 0"
    );
    g.write_u32(0x2000, 0x7fff_ffff)
        .write_u32(0x2004, 0x7fff_ffff);
    assert_eq!(
        i386("getrlimit", [9, 0x2000, 0, 0, 0, 0], &mut g, 0),
        "getrlimit(RLIMIT_AS, {rlim_cur=2147483647, rlim_max=2147483647}) = 0"
    );
    g.write_u32(0x2000, 8192 * 1024).write_u32(0x2004, u32::MAX);
    assert_eq!(
        i386("ugetrlimit", [3, 0x2000, 0, 0, 0, 0], &mut g, 0),
        "ugetrlimit(RLIMIT_STACK, {rlim_cur=8192*1024, rlim_max=RLIM_INFINITY}) = 0"
    );
}

#[test]
fn identity_and_priorities() {
    let mut g = TestGuest::new();
    g.write_u32(0x1000, 0x2008_0522).write_u32(0x1004, 0);
    // effective/permitted/inheritable, low words then high words.
    g.write_u32(0x2000, 0x0000_0001)
        .write_u32(0x2004, 0x0000_0021)
        .write_u32(0x2008, 0)
        .write_u32(0x200c, 0x1)
        .write_u32(0x2010, 0)
        .write_u32(0x2014, 0);
    assert_eq!(
        x64("capget", [0x1000, 0x2000, 0, 0, 0, 0], &mut g, 0),
        "capget({version=_LINUX_CAPABILITY_VERSION_3, pid=0}, {effective=1<<CAP_CHOWN|1<<CAP_MAC_OVERRIDE, permitted=1<<CAP_CHOWN|1<<CAP_KILL, inheritable=0}) = 0"
    );
    g.write_u32(0x3000, 0x1234_5678);
    assert_eq!(
        x64("capget", [0x3000, 0x2000, 0, 0, 0, 0], &mut g, EINVAL),
        "capget({version=0x12345678 /* _LINUX_CAPABILITY_VERSION_??? */, pid=0}, 0x2000) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x64("capset", [0x1000, 0x2000, 0, 0, 0, 0], &mut g, 0),
        "capset({version=_LINUX_CAPABILITY_VERSION_3, pid=0}, {effective=1<<CAP_CHOWN|1<<CAP_MAC_OVERRIDE, permitted=1<<CAP_CHOWN|1<<CAP_KILL, inheritable=0}) = 0"
    );
    assert_eq!(
        x64("personality", [0xffff_ffff, 0, 0, 0, 0, 0], &mut g, 0),
        "personality(0xffffffff) = 0 (PER_LINUX)"
    );
    assert_eq!(
        x64("personality", [0x40000, 0, 0, 0, 0, 0], &mut g, 0),
        "personality(PER_LINUX|ADDR_NO_RANDOMIZE) = 0 (PER_LINUX)"
    );
    assert_eq!(
        x64("personality", [0, 0, 0, 0, 0, 0], &mut g, 0x40000),
        "personality(PER_LINUX) = 0x40000 (PER_LINUX|ADDR_NO_RANDOMIZE)"
    );
    assert_eq!(
        x64("getpriority", [0, 0, 0, 0, 0, 0], &mut g, 20),
        "getpriority(PRIO_PROCESS, 0) = 20"
    );
    assert_eq!(
        x64("setpriority", [1, 0, 0, 0, 0, 0], &mut g, 0),
        "setpriority(PRIO_PGRP, 0, 0) = 0"
    );
    assert_eq!(
        x64("ioprio_get", [1, 0, 0, 0, 0, 0], &mut g, 0),
        "ioprio_get(IOPRIO_WHO_PROCESS, 0) = 0 (IOPRIO_PRIO_VALUE(IOPRIO_CLASS_NONE, 0))"
    );
    assert_eq!(
        x64("ioprio_set", [1, 0, (2 << 13) | 4, 0, 0, 0], &mut g, 0),
        "ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 4)) = 0"
    );
    assert_eq!(
        x64("ioprio_get", [1, 0, 0, 0, 0, 0], &mut g, 24576),
        "ioprio_get(IOPRIO_WHO_PROCESS, 0) = 24576 (IOPRIO_PRIO_VALUE(IOPRIO_CLASS_IDLE, 0))"
    );
    assert_eq!(
        x64("kcmp", [31046, 31046, 0, 1, 2, 0], &mut g, 0),
        "kcmp(31046, 31046, KCMP_FILE, 1, 2) = 0"
    );
    assert_eq!(
        x64("kcmp", [31046, 31046, 1, 0, 0, 0], &mut g, 0),
        "kcmp(31046, 31046, KCMP_VM) = 0"
    );
    assert_eq!(
        x64("kcmp", [31046, 31046, 99, 0, 0, 0], &mut g, EINVAL),
        "kcmp(31046, 31046, 0x63 /* KCMP_??? */, 0, 0) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x64("pidfd_open", [31046, 1, 0, 0, 0, 0], &mut g, EINVAL),
        "pidfd_open(31046, 0x1 /* PIDFD_??? */) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x64("pidfd_getfd", [3, 1, 0, 0, 0, 0], &mut g, 4),
        "pidfd_getfd(3, 1, 0) = 4"
    );
}

#[test]
fn thread_areas_and_the_ldt() {
    let mut g = TestGuest::new();
    g.write_u32(0x1000, 0xffff_ffff)
        .write_u32(0x1004, 0x99d_4380)
        .write_u32(0x1008, 0xfffff)
        .write_u32(0x100c, 0x51);
    assert_eq!(
        i386_io(
            "set_thread_area",
            [0x1000, 0, 0, 0, 0, 0],
            &mut g,
            |e| {
                e.write_u32(0x1000, 12);
            },
            0
        ),
        "set_thread_area({entry_number=-1, base_addr=0x99d4380, limit=0x0fffff, seg_32bit=1, contents=0, read_exec_only=0, limit_in_pages=1, seg_not_present=0, useable=1}) = 0 (entry_number=12)"
    );
    g.write_u32(0x1004, 0);
    assert_eq!(
        x64("set_thread_area", [0x1000, 0, 0, 0, 0, 0], &mut g, -38),
        "set_thread_area({entry_number=-1, base_addr=00000000, limit=0x0fffff, seg_32bit=1, contents=0, read_exec_only=0, limit_in_pages=1, seg_not_present=0, useable=1, lm=0}) = -1 ENOSYS (Function not implemented)"
    );
    assert_eq!(
        x64("get_thread_area", [0x1000, 0, 0, 0, 0, 0], &mut g, -38),
        "get_thread_area({entry_number=-1, ...}) = -1 ENOSYS (Function not implemented)"
    );
    g.write_u32(0x2000, 12);
    assert_eq!(
        i386("get_thread_area", [0x2000, 0, 0, 0, 0, 0], &mut g, 0),
        "get_thread_area({entry_number=12, base_addr=00000000, limit=00000000, seg_32bit=0, contents=0, read_exec_only=0, limit_in_pages=0, seg_not_present=0, useable=0}) = 0"
    );
    g.write_u32(0x3000, 3);
    assert_eq!(
        x64("modify_ldt", [0, 0x3000, 16, 0, 0, 0], &mut g, 0),
        "modify_ldt(0, {entry_number=3, base_addr=00000000, limit=00000000, seg_32bit=0, contents=0, read_exec_only=0, limit_in_pages=0, seg_not_present=0, useable=0, lm=0}, 16) = 0"
    );
    // The kernel's int-returning modify_ldt: an error as a large positive value on x86_64.
    assert_eq!(
        x64(
            "modify_ldt",
            [7, 0x3000, 16, 0, 0, 0],
            &mut g,
            4_294_967_258
        ),
        "modify_ldt(7, {entry_number=3, base_addr=00000000, limit=00000000, seg_32bit=0, contents=0, read_exec_only=0, limit_in_pages=0, seg_not_present=0, useable=0, lm=0}, 16) = 4294967258 ENOSYS (Function not implemented)"
    );
    assert_eq!(
        x64("modify_ldt", [1, 0x3000, 8, 0, 0, 0], &mut g, EINVAL),
        "modify_ldt(1, 0x3000, 8) = -1 EINVAL (Invalid argument)"
    );
}

#[test]
fn system_wide_calls() {
    let mut g = TestGuest::new();
    assert_eq!(
        x64("membarrier", [0, 0, 0, 0, 0, 0], &mut g, 0x3ff),
        "membarrier(MEMBARRIER_CMD_QUERY, 0) = 0x3ff (MEMBARRIER_CMD_GLOBAL|MEMBARRIER_CMD_GLOBAL_EXPEDITED|MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED|MEMBARRIER_CMD_PRIVATE_EXPEDITED|MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED|MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE|MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE|MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ|MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ|0x200)"
    );
    assert_eq!(
        x64("membarrier", [0x40000, 0, 0, 0, 0, 0], &mut g, EINVAL),
        "membarrier(0x40000 /* MEMBARRIER_CMD_??? */, 0) = -1 EINVAL (Invalid argument)"
    );
    g.write_u32(0x1000, 0x7fff_0000);
    assert_eq!(
        x64("seccomp", [2, 0, 0x1000, 0, 0, 0], &mut g, 0),
        "seccomp(SECCOMP_GET_ACTION_AVAIL, 0, [SECCOMP_RET_ALLOW]) = 0"
    );
    assert_eq!(
        x64("seccomp", [77, 0, 0, 0, 0, 0], &mut g, EINVAL),
        "seccomp(0x4d /* SECCOMP_SET_MODE_??? */, 0, NULL) = -1 EINVAL (Invalid argument)"
    );
    g.write_u64(0x2000, 4).write_u64(0x2008, 0x7fff_0000_1000);
    assert_eq!(
        x64("seccomp", [1, 0, 0x2000, 0, 0, 0], &mut g, 0),
        "seccomp(SECCOMP_SET_MODE_FILTER, 0, {len=4, filter=0x7fff00001000}) = 0"
    );
    assert_eq!(
        x64(
            "reboot",
            [0xfee1_dead, 0x1234, 0x4321_fedc, 0, 0, 0],
            &mut g,
            EINVAL
        ),
        "reboot(LINUX_REBOOT_MAGIC1, 0x1234 /* LINUX_REBOOT_MAGIC_??? */, LINUX_REBOOT_CMD_POWER_OFF) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x64("syslog", [10, 0, 0, 0, 0, 0], &mut g, 131_072),
        "syslog(10 /* SYSLOG_ACTION_SIZE_BUFFER */) = 131072"
    );
    assert_eq!(
        x64_io(
            "syslog",
            [3, 0x3000, 64, 0, 0, 0],
            &mut g,
            |e| {
                e.write(0x3000, b"<6>hi");
            },
            5
        ),
        "syslog(3 /* SYSLOG_ACTION_READ_ALL */, \"<6>hi\", 64) = 5"
    );
    g.write(0x4000, b"none\0")
        .write(0x4100, b"/tmp/procfam.mnt\0")
        .write(0x4200, b"tmpfs\0")
        .write(0x4300, b"size=1m,mode=700\0");
    assert_eq!(
        x64("mount", [0x4000, 0x4100, 0x4200, 6, 0x4300, 0], &mut g, 0),
        "mount(\"none\", \"/tmp/procfam.mnt\", \"tmpfs\", MS_NOSUID|MS_NODEV, \"size=1m,mode=700\") = 0"
    );
    assert_eq!(
        x64("mount", [0, 0x4100, 0, 0x23, 0, 0], &mut g, 0),
        "mount(NULL, \"/tmp/procfam.mnt\", NULL, MS_RDONLY|MS_NOSUID|MS_REMOUNT, NULL) = 0"
    );
    assert_eq!(
        x64("mount", [0x4100, 0x4100, 0, 0x5000, 0, 0], &mut g, 0),
        "mount(\"/tmp/procfam.mnt\", \"/tmp/procfam.mnt\", NULL, MS_BIND|MS_REC, NULL) = 0"
    );
    assert_eq!(
        x64("umount2", [0x4100, 2, 0, 0, 0, 0], &mut g, 0),
        "umount2(\"/tmp/procfam.mnt\", MNT_DETACH) = 0"
    );
    assert_eq!(
        x64("umount2", [0x4100, 0, 0, 0, 0, 0], &mut g, 0),
        "umount2(\"/tmp/procfam.mnt\", 0) = 0"
    );
    g.write(0x5000, b"vm");
    assert_eq!(
        x64("sethostname", [0x5000, 2, 0, 0, 0, 0], &mut g, 0),
        "sethostname(\"vm\", 2) = 0"
    );
    assert_eq!(
        x64_io(
            "get_robust_list",
            [0, 0x6000, 0x6008, 0, 0, 0],
            &mut g,
            |e| {
                e.write_u64(0x6000, 0x3746_76a0).write_u64(0x6008, 24);
            },
            0
        ),
        "get_robust_list(0, [0x374676a0], [24]) = 0"
    );
    assert_eq!(
        x64_io(
            "getcpu",
            [0x7000, 0x7004, 0, 0, 0, 0],
            &mut g,
            |e| {
                e.write_u32(0x7000, 1).write_u32(0x7004, 0);
            },
            0
        ),
        "getcpu([1], [0], NULL) = 0"
    );
    assert_eq!(
        x64("getcpu", [0, 0, 0, 0, 0, 0], &mut g, 0),
        "getcpu(NULL, NULL, NULL) = 0"
    );
}

//! SysV IPC (direct calls and i386's `ipc` multiplexer), POSIX message queues, ids, quotas.

use vmscope_core::guest::TestGuest;

use super::{EFAULT, EINVAL, i386, i386_io, x64, x64_io};

/// An x86_64 `struct ipc64_perm` at `at` (uid, gid, mode; key 0).
fn perm(g: &mut TestGuest, at: u64, mode: u32) {
    g.write_u32(at, 0)
        .write_u32(at + 4, 0)
        .write_u32(at + 8, 0)
        .write_u32(at + 12, 0)
        .write_u32(at + 16, 0)
        .write_u32(at + 20, mode);
}

#[test]
fn sysv_ipc_direct_calls() {
    let mut g = TestGuest::new();
    assert_eq!(
        x64("msgget", [0, 0o1600, 0, 0, 0, 0], &mut g, 11),
        "msgget(IPC_PRIVATE, IPC_CREAT|0600) = 11"
    );
    assert_eq!(
        x64("msgget", [0x1234, 0, 0, 0, 0, 0], &mut g, 12),
        "msgget(0x1234, 000) = 12"
    );
    g.write_u64(0x1000, 1).write(0x1008, b"hello queue\0");
    assert_eq!(
        x64("msgsnd", [11, 0x1000, 12, 0, 0, 0], &mut g, 0),
        "msgsnd(11, {mtype=1, mtext=\"hello queue\\0\"}, 12, 0) = 0"
    );
    assert_eq!(
        x64("msgsnd", [11, 0x1000, 5, 0o4000, 0, 0], &mut g, 0),
        "msgsnd(11, {mtype=1, mtext=\"hello\"}, 5, IPC_NOWAIT) = 0"
    );
    assert_eq!(
        x64("msgrcv", [11, 0x1000, 5, 2, 0o34000, 0], &mut g, 5),
        "msgrcv(11, {mtype=1, mtext=\"hello\"}, 5, 2, MSG_NOERROR|MSG_EXCEPT|IPC_NOWAIT) = 5"
    );
    assert_eq!(
        x64("msgrcv", [11, 0x1000, 16, 0, 0o4000, 0], &mut g, -42),
        "msgrcv(11, 0x1000, 16, 0, IPC_NOWAIT) = -1 ENOMSG (No message of desired type)"
    );
    // struct msqid64_ds (x86_64).
    perm(&mut g, 0x2000, 0o600);
    g.write_u64(0x2000 + 48, 7)
        .write_u64(0x2000 + 56, 8)
        .write_u64(0x2000 + 64, 9)
        .write_u64(0x2000 + 80, 0)
        .write_u64(0x2000 + 88, 16384)
        .write_u32(0x2000 + 96, 150)
        .write_u32(0x2000 + 100, 151);
    assert_eq!(
        x64("msgctl", [11, 2, 0x2000, 0, 0, 0], &mut g, 0),
        "msgctl(11, IPC_STAT, {msg_perm={uid=0, gid=0, mode=0600, key=0, cuid=0, cgid=0}, msg_stime=7, msg_rtime=8, msg_ctime=9, msg_qnum=0, msg_qbytes=16384, msg_lspid=150, msg_lrpid=151}) = 0"
    );
    assert_eq!(
        x64("msgctl", [11, 1, 0x2000, 0, 0, 0], &mut g, 0),
        "msgctl(11, IPC_SET, {msg_perm={uid=0, gid=0, mode=0600}, msg_qbytes=16384}) = 0"
    );
    assert_eq!(
        x64("msgctl", [11, 0, 0, 0, 0, 0], &mut g, 0),
        "msgctl(11, IPC_RMID, NULL) = 0"
    );
    assert_eq!(
        x64("semctl", [5, 0, 16, 2, 0, 0], &mut g, 0),
        "semctl(5, 0, SETVAL, 0x2) = 0"
    );
    assert_eq!(
        x64("semctl", [5, 0, 12, 0, 0, 0], &mut g, 2),
        "semctl(5, 0, GETVAL, NULL) = 2"
    );
    g.write(
        0x3000,
        &[0, 0, 0xff, 0xff, 0x00, 0x10, 1, 0, 1, 0, 0x00, 0x08],
    );
    assert_eq!(
        x64("semop", [5, 0x3000, 2, 0, 0, 0], &mut g, 0),
        "semop(5, [{sem_num=0, sem_op=-1, sem_flg=SEM_UNDO}, {sem_num=1, sem_op=1, sem_flg=IPC_NOWAIT}], 2) = 0"
    );
    g.write_u64(0x3100, 0).write_u64(0x3108, 1000);
    assert_eq!(
        x64("semtimedop", [5, 0x3006, 1, 0x3100, 0, 0], &mut g, -11),
        "semtimedop(5, [{sem_num=1, sem_op=1, sem_flg=IPC_NOWAIT}], 1, {tv_sec=0, tv_nsec=1000}) = -1 EAGAIN (Resource temporarily unavailable)"
    );
    // struct semid64_ds (x86_64).
    perm(&mut g, 0x4000, 0o600);
    g.write_u64(0x4000 + 48, 5)
        .write_u64(0x4000 + 64, 6)
        .write_u64(0x4000 + 80, 2);
    assert_eq!(
        x64("semctl", [5, 0, 2, 0x4000, 0, 0], &mut g, 0),
        "semctl(5, 0, IPC_STAT, {sem_perm={uid=0, gid=0, mode=0600, key=0, cuid=0, cgid=0}, sem_otime=5, sem_ctime=6, sem_nsems=2}) = 0"
    );
    assert_eq!(
        x64("shmget", [0, 8192, 0o1640, 0, 0, 0], &mut g, 5),
        "shmget(IPC_PRIVATE, 8192, IPC_CREAT|0640) = 5"
    );
    assert_eq!(
        x64("shmget", [0, 4096, 0o5600, 0, 0, 0], &mut g, -12),
        "shmget(IPC_PRIVATE, 4096, IPC_CREAT|SHM_HUGETLB|0600) = -1 ENOMEM (Cannot allocate memory)"
    );
    assert_eq!(
        x64("shmat", [5, 0, 0o10000, 0, 0, 0], &mut g, 0x7f3c_6238_c000),
        "shmat(5, NULL, SHM_RDONLY) = 0x7f3c6238c000"
    );
    assert_eq!(
        x64("shmdt", [0xdead_0000, 0, 0, 0, 0, 0], &mut g, EINVAL),
        "shmdt(0xdead0000) = -1 EINVAL (Invalid argument)"
    );
    perm(&mut g, 0x5000, 0o640);
    g.write_u64(0x5000 + 48, 8192)
        .write_u64(0x5000 + 56, 1)
        .write_u64(0x5000 + 64, 2)
        .write_u64(0x5000 + 72, 3)
        .write_u32(0x5000 + 80, 150)
        .write_u32(0x5000 + 84, 150)
        .write_u64(0x5000 + 88, 0);
    assert_eq!(
        x64("shmctl", [5, 2, 0x5000, 0, 0, 0], &mut g, 0),
        "shmctl(5, IPC_STAT, {shm_perm={uid=0, gid=0, mode=0640, key=0, cuid=0, cgid=0}, shm_segsz=8192, shm_cpid=150, shm_lpid=150, shm_nattch=0, shm_atime=1, shm_dtime=2, shm_ctime=3}) = 0"
    );
    assert_eq!(
        x64("shmctl", [5, 11, 0, 0, 0, 0], &mut g, 0),
        "shmctl(5, SHM_LOCK, NULL) = 0"
    );
}

#[test]
fn i386_ipc_is_shown_as_the_call_it_stands_for() {
    let mut g = TestGuest::new();
    assert_eq!(
        i386("ipc", [13, 0, 0o1600, 0, 0, 0], &mut g, 13),
        "msgget(IPC_PRIVATE, IPC_CREAT|0600) = 13"
    );
    g.write_u32(0x1000, 1).write(0x1004, b"hello");
    assert_eq!(
        i386("ipc", [11, 13, 5, 0o4000, 0x1000, 0], &mut g, 0),
        "msgsnd(13, {mtype=1, mtext=\"hello\"}, 5, IPC_NOWAIT) = 0"
    );
    // msgrcv, version 0: the buffer and type come through struct ipc_kludge.
    g.write_u32(0x2000, 0x1000).write_u32(0x2004, 2);
    assert_eq!(
        i386("ipc", [12, 13, 5, 0o4000, 0x2000, 0], &mut g, 5),
        "msgrcv(13, {mtype=1, mtext=\"hello\"}, 5, 2, IPC_NOWAIT) = 5"
    );
    assert_eq!(
        i386("ipc", [12, 13, 16, 0o4000, 0x2000, 0], &mut g, -42),
        "msgrcv(13, 0x2000, 16, IPC_NOWAIT) = -1 ENOMSG (No message of desired type)"
    );
    // semctl: the union's value behind the pointer, in brackets.
    g.write_u32(0x3000, 2);
    assert_eq!(
        i386("ipc", [3, 6, 0, 0x110, 0x3000, 0], &mut g, 0),
        "semctl(6, 0, IPC_64|SETVAL, [0x2]) = 0"
    );
    g.write_u32(0x3000, 0);
    assert_eq!(
        i386("ipc", [3, 6, 1, 0x10e, 0x3000, 0], &mut g, 0),
        "semctl(6, 1, IPC_64|GETNCNT, [NULL]) = 0"
    );
    g.write(0x4000, &[0, 0, 0xff, 0xff, 0x00, 0x10]);
    g.write_u32(0x4100, 0).write_u32(0x4104, 1000);
    assert_eq!(
        i386("ipc", [4, 6, 1, 0, 0x4000, 0x4100], &mut g, -11),
        "semtimedop(6, [{sem_num=0, sem_op=-1, sem_flg=SEM_UNDO}], 1, {tv_sec=0, tv_nsec=1000}) = -1 EAGAIN (Resource temporarily unavailable)"
    );
    assert_eq!(
        i386("ipc", [14, 13, 0x100, 0, 0, 0], &mut g, 0),
        "msgctl(13, IPC_64|IPC_RMID, NULL) = 0"
    );
    // shmat: the kernel stores the address at `third`; strace shows it as the return value.
    assert_eq!(
        i386_io(
            "ipc",
            [21, 6, 0o10000, 0x5000, 0, 0],
            &mut g,
            |e| {
                e.write_u32(0x5000, 0xf7fb_a000);
            },
            0
        ),
        "shmat(6, NULL, SHM_RDONLY) = 0xf7fba000"
    );
    assert_eq!(
        i386("ipc", [22, 0, 0, 0, 0xf7fb_a000, 0], &mut g, 0),
        "shmdt(0xf7fba000) = 0"
    );
    assert_eq!(
        i386("ipc", [23, 0, 8192, 0o1640, 0, 0], &mut g, 6),
        "shmget(IPC_PRIVATE, 8192, IPC_CREAT|0640) = 6"
    );
    // An unknown subcall stays `ipc`.
    assert_eq!(
        i386("ipc", [99, 1, 2, 3, 4, 5], &mut g, -38),
        "ipc(99, 0x1, 0x2, 0x3, 0x4, 0x5) = -1 ENOSYS (Function not implemented)"
    );
}

#[test]
fn posix_message_queues() {
    let mut g = TestGuest::new();
    g.write(0x1000, b"procfam\0");
    g.write_u64(0x2000, 0)
        .write_u64(0x2008, 4)
        .write_u64(0x2010, 32)
        .write_u64(0x2018, 0);
    assert_eq!(
        x64("mq_open", [0x1000, 0o302, 0o600, 0x2000, 0, 0], &mut g, 3),
        "mq_open(\"procfam\", O_RDWR|O_CREAT|O_EXCL, 0600, {mq_flags=0, mq_maxmsg=4, mq_msgsize=32, mq_curmsgs=0}) = 3"
    );
    assert_eq!(
        x64("mq_open", [0x1000, 0, 0, 0, 0, 0], &mut g, -2),
        "mq_open(\"procfam\", O_RDONLY) = -1 ENOENT (No such file or directory)"
    );
    assert_eq!(
        x64_io(
            "mq_timedreceive",
            [3, 0x3000, 64, 0x3100, 0, 0],
            &mut g,
            |e| {
                e.write(0x3000, b"message").write_u32(0x3100, 3);
            },
            7
        ),
        "mq_timedreceive(3, \"message\", 64, [3], NULL) = 7"
    );
    g.write_u64(0x4000, 0)
        .write_u32(0x4008, 10)
        .write_u32(0x400c, 0);
    assert_eq!(
        x64("mq_notify", [3, 0x4000, 0, 0, 0, 0], &mut g, 0),
        "mq_notify(3, {sigev_signo=SIGUSR1, sigev_notify=SIGEV_SIGNAL}) = 0"
    );
    g.write_u64(0x5000, 0o4000)
        .write_u64(0x5008, 0)
        .write_u64(0x5010, 0)
        .write_u64(0x5018, 0);
    assert_eq!(
        x64_io(
            "mq_getsetattr",
            [3, 0x5000, 0x6000, 0, 0, 0],
            &mut g,
            |e| {
                e.write_u64(0x6000, 0)
                    .write_u64(0x6008, 4)
                    .write_u64(0x6010, 32)
                    .write_u64(0x6018, 0);
            },
            0
        ),
        "mq_getsetattr(3, {mq_flags=O_NONBLOCK, mq_maxmsg=0, mq_msgsize=0, mq_curmsgs=0}, {mq_flags=0, mq_maxmsg=4, mq_msgsize=32, mq_curmsgs=0}) = 0"
    );
    // i386: 32-bit sigevent.
    g.write_u32(0x7000, 0)
        .write_u32(0x7004, 10)
        .write_u32(0x7008, 0);
    assert_eq!(
        i386("mq_notify", [3, 0x7000, 0, 0, 0, 0], &mut g, 0),
        "mq_notify(3, {sigev_signo=SIGUSR1, sigev_notify=SIGEV_SIGNAL}) = 0"
    );
}

#[test]
fn ids_and_quotas() {
    let mut g = TestGuest::new();
    g.write(0x1000, b"/tmp/a\0");
    assert_eq!(
        x64("lchown", [0x1000, 0xffff_ffff, 0, 0, 0, 0], &mut g, 0),
        "lchown(\"/tmp/a\", -1, 0) = 0"
    );
    assert_eq!(
        i386("lchown32", [0x1000, 0xffff_ffff, 0, 0, 0, 0], &mut g, 0),
        "lchown32(\"/tmp/a\", -1, 0) = 0"
    );
    assert_eq!(
        i386("setuid", [0xffff, 0, 0, 0, 0, 0], &mut g, 0),
        "setuid(-1) = 0"
    );
    assert_eq!(
        x64_io(
            "getresuid",
            [0x2000, 0x2004, 0x2008, 0, 0, 0],
            &mut g,
            |e| {
                e.write_u32(0x2000, 0)
                    .write_u32(0x2004, 1000)
                    .write_u32(0x2008, 0);
            },
            0
        ),
        "getresuid([0], [1000], [0]) = 0"
    );
    assert_eq!(
        x64_io(
            "getgroups",
            [32, 0x3000, 0, 0, 0, 0],
            &mut g,
            |e| {
                e.write_u32(0x3000, 0).write_u32(0x3004, 10);
            },
            2
        ),
        "getgroups(32, [0, 10]) = 2"
    );
    g.write(0x4000, b"/dev/null\0");
    assert_eq!(
        x64(
            "quotactl",
            [0x8000_0700, 0x4000, 0, 0xdead_0000, 0, 0],
            &mut g,
            -15
        ),
        "quotactl(QCMD(Q_GETQUOTA, USRQUOTA), \"/dev/null\", 0, 0xdead0000) = -1 ENOTBLK (Block device required)"
    );
    assert_eq!(
        x64(
            "quotactl",
            [0x8000_0201, 0x4000, 2, 0x1000, 0, 0],
            &mut g,
            EFAULT
        ),
        "quotactl(QCMD(Q_QUOTAON, GRPQUOTA), \"/dev/null\", QFMT_VFS_V0, \"/tmp/a\") = -1 EFAULT (Bad address)"
    );
}

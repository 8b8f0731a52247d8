//! Keys, ptrace, process_vm_*, swapon, AIO.

use vmscope_core::guest::TestGuest;

use super::{EFAULT, EINVAL, i386, x64, x64_io};

#[test]
fn keys() {
    let mut g = TestGuest::new();
    g.write(0x1000, b"user\0")
        .write(0x1100, b"procfam:key\0")
        .write(0x1200, b"secret payload");
    assert_eq!(
        x64(
            "add_key",
            [0x1000, 0x1100, 0x1200, 14, (-2i64) as u64, 0],
            &mut g,
            28_843_950
        ),
        "add_key(\"user\", \"procfam:key\", \"secret payload\", 14, KEY_SPEC_PROCESS_KEYRING) = 28843950"
    );
    assert_eq!(
        x64_io(
            "keyctl",
            [11, 28_843_950, 0x2000, 64, 0, 0],
            &mut g,
            |e| {
                e.write(0x2000, b"secret payload");
            },
            14
        ),
        "keyctl(KEYCTL_READ, 28843950, \"secret payload\", 64) = 14"
    );
    assert_eq!(
        x64_io(
            "keyctl",
            [6, 28_843_950, 0x2000, 64, 0, 0],
            &mut g,
            |e| {
                e.write(0x2000, b"user;0;0;3f010000;procfam:key\0");
            },
            30
        ),
        "keyctl(KEYCTL_DESCRIBE, 28843950, \"user;0;0;3f010000;procfam:key\", 64) = 30"
    );
    assert_eq!(
        x64("keyctl", [5, 28_843_950, 0x3f3f_0000, 0, 0, 0], &mut g, 0),
        "keyctl(KEYCTL_SETPERM, 28843950, KEY_POS_VIEW|KEY_POS_READ|KEY_POS_WRITE|KEY_POS_SEARCH|KEY_POS_LINK|KEY_POS_SETATTR|KEY_USR_VIEW|KEY_USR_READ|KEY_USR_WRITE|KEY_USR_SEARCH|KEY_USR_LINK|KEY_USR_SETATTR) = 0"
    );
    assert_eq!(
        i386("keyctl", [0, 0xffff_fffd, 0, 0, 0, 0], &mut g, 698_572_096),
        "keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0) = 698572096"
    );
    assert_eq!(
        x64("keyctl", [9999, 1, 2, 3, 4, 0], &mut g, -95),
        "keyctl(0x270f /* KEYCTL_??? */, 0x1, 0x2, 0x3, 0x4) = -1 EOPNOTSUPP (Operation not supported)"
    );
    assert_eq!(
        x64("request_key", [0x1000, 0x1100, 0, 0, 0, 0], &mut g, -126),
        "request_key(\"user\", \"procfam:key\", NULL, 0) = -1 ENOKEY (Required key not available)"
    );
}

#[test]
fn ptrace_process_vm_and_swap() {
    let mut g = TestGuest::new();
    assert_eq!(
        x64("ptrace", [0x10, 1, 0, 0, 0, 0], &mut g, -1),
        "ptrace(PTRACE_ATTACH, 1) = -1 EPERM (Operation not permitted)"
    );
    assert_eq!(
        x64("ptrace", [7, 99999, 0, 18, 0, 0], &mut g, -3),
        "ptrace(PTRACE_CONT, 99999, NULL, SIGCONT) = -1 ESRCH (No such process)"
    );
    assert_eq!(
        x64("ptrace", [0x4206, 99999, 0, 0x11, 0, 0], &mut g, -3),
        "ptrace(PTRACE_SEIZE, 99999, NULL, PTRACE_O_TRACESYSGOOD|PTRACE_O_TRACEEXEC) = -1 ESRCH (No such process)"
    );
    assert_eq!(
        x64("ptrace", [2, 1, 0x1000, 0x7fff_ee43_b2f0, 0, 0], &mut g, -3),
        "ptrace(PTRACE_PEEKDATA, 1, 0x1000, 0x7fffee43b2f0) = -1 ESRCH (No such process)"
    );
    assert_eq!(
        x64("ptrace", [0, 0, 0, 0, 0, 0], &mut g, 0),
        "ptrace(PTRACE_TRACEME) = 0"
    );
    g.write_u64(0x1000, 0x2000)
        .write_u64(0x1008, 16)
        .write_u64(0x1010, 0x3000)
        .write_u64(0x1018, 16);
    assert_eq!(
        x64_io(
            "process_vm_readv",
            [150, 0x1000, 1, 0x1010, 1, 0],
            &mut g,
            |e| {
                e.write(0x2000, b"remote data\0\0\0\0\0");
            },
            16
        ),
        "process_vm_readv(150, [{iov_base=\"remote data\\0\\0\\0\\0\\0\", iov_len=16}], 1, [{iov_base=0x3000, iov_len=16}], 1, 0) = 16"
    );
    assert_eq!(
        x64(
            "process_vm_readv",
            [150, 0x1000, 1, 0xdead_0000, 1, 0],
            &mut g,
            EFAULT
        ),
        "process_vm_readv(150, [{iov_base=0x2000, iov_len=16}], 1, 0xdead0000, 1, 0) = -1 EFAULT (Bad address)"
    );
    g.write(0x4000, b"/tmp/swap\0");
    assert_eq!(
        x64("swapon", [0x4000, 0x8005, 0, 0, 0, 0], &mut g, -2),
        "swapon(\"/tmp/swap\", SWAP_FLAG_PREFER|5) = -1 ENOENT (No such file or directory)"
    );
    assert_eq!(
        x64("unshare", [1, 0, 0, 0, 0, 0], &mut g, EINVAL),
        "unshare(0x1 /* CLONE_??? */) = -1 EINVAL (Invalid argument)"
    );
}

#[test]
fn async_io() {
    let mut g = TestGuest::new();
    assert_eq!(
        x64_io(
            "io_setup",
            [4, 0x1000, 0, 0, 0, 0],
            &mut g,
            |e| {
                e.write_u64(0x1000, 0x7f37_c731_b000);
            },
            0
        ),
        "io_setup(4, [0x7f37c731b000]) = 0"
    );
    // struct iocb: data, key, rw_flags, opcode, reqprio, fd, buf, nbytes, offset.
    g.write_u64(0x2000, 0x1234)
        .write_u32(0x2008, 0)
        .write_u32(0x200c, 0)
        .write_u32(0x2010, 0)
        .write_u32(0x2014, 3)
        .write_u64(0x2018, 0x5000)
        .write_u64(0x2020, 64)
        .write_u64(0x2028, 0)
        .write_u64(0x2030, 0)
        .write_u64(0x2038, 0);
    g.write_u64(0x3000, 0x2000);
    assert_eq!(
        x64(
            "io_submit",
            [0x7f37_c731_b000, 1, 0x3000, 0, 0, 0],
            &mut g,
            EINVAL
        ),
        "io_submit(0x7f37c731b000, 1, [{aio_data=0x1234, aio_lio_opcode=IOCB_CMD_PREAD, aio_fildes=3, aio_buf=0x5000, aio_nbytes=64, aio_offset=0}]) = -1 EINVAL (Invalid argument)"
    );
    g.write_u64(0x4000, 1).write_u64(0x4008, 0);
    assert_eq!(
        x64(
            "io_getevents",
            [0x7f37_c731_b000, 1, 2, 0x6000, 0x4000, 0],
            &mut g,
            0
        ),
        "io_getevents(0x7f37c731b000, 1, 2, [], {tv_sec=1, tv_nsec=0}) = 0"
    );
    assert_eq!(
        x64(
            "io_submit",
            [0x7f37_c731_b000, 1, 0xdead_0000, 0, 0, 0],
            &mut g,
            EFAULT
        ),
        "io_submit(0x7f37c731b000, 1, 0xdead0000) = -1 EFAULT (Bad address)"
    );
    assert_eq!(
        x64(
            "io_cancel",
            [0x7f37_c731_b000, 0x2000, 0x6000, 0, 0, 0],
            &mut g,
            EINVAL
        ),
        "io_cancel(0x7f37c731b000, {aio_data=0x1234, aio_lio_opcode=IOCB_CMD_PREAD, aio_fildes=3}, 0x6000) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        i386("io_destroy", [0xf7f3_3000, 0, 0, 0, 0, 0], &mut g, 0),
        "io_destroy(0xf7f33000) = 0"
    );
}

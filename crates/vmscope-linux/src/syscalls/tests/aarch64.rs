//! The aarch64 ABI's own layouts and numbering, decoded as strace 6.1 for arm64 printed the same
//! calls in the aarch64 guest (`vmscope fidelity --arch aarch64`, `guest/build.sh --arch aarch64`):
//! where the generic ABI differs from x86_64 (`struct stat`, `semid64_ds`, `epoll_event`, `clone`'s
//! argument order, the open flags), and a check that the generated table gives every call x86_64
//! also has the same argument kinds (the table was once generated from older overrides).

use vmscope_core::event::Abi;
use vmscope_core::guest::TestGuest;

use super::{line, lookup};

const AT_FDCWD: u64 = -100i64 as u64;

fn a64(name: &str, raw: [u64; 6], g: &mut TestGuest, ret: i64) -> String {
    line(Abi::Aarch64, name, raw, g, Some(ret))
}

/// The generic `struct stat` (asm-generic/stat.h): `st_mode` at 16, `st_rdev` at 32, `st_size`
/// at 48; there is no `stat`, only `newfstatat` and `fstat`.
#[test]
fn generic_struct_stat() {
    let mut g = TestGuest::new();
    g.write(0x1000, b"/tmp/fileio.d/b\0")
        .write(0x2000, &[0; 128])
        .write_u32(0x2000 + 16, 0o100600)
        .write_u64(0x2000 + 48, 10);
    assert_eq!(
        a64("newfstatat", [AT_FDCWD, 0x1000, 0x2000, 0, 0, 0], &mut g, 0),
        "newfstatat(AT_FDCWD, \"/tmp/fileio.d/b\", {st_mode=S_IFREG|0600, st_size=10, ...}, 0) = 0"
    );
    g.write(0x1100, b"\0")
        .write(0x3000, &[0; 128])
        .write_u32(0x3000 + 16, 0o20600)
        .write_u64(0x3000 + 32, 0x501);
    assert_eq!(
        a64("newfstatat", [1, 0x1100, 0x3000, 0x1000, 0, 0], &mut g, 0),
        "newfstatat(1, \"\", {st_mode=S_IFCHR|0600, st_rdev=makedev(0x5, 0x1), ...}, AT_EMPTY_PATH) = 0"
    );
    assert_eq!(
        a64("fstat", [4, 0x2000, 0, 0, 0, 0], &mut g, 0),
        "fstat(4, {st_mode=S_IFREG|0600, st_size=10, ...}) = 0"
    );
}

/// CLONE_BACKWARDS: tls in x3, child_tidptr in x4.
#[test]
fn clone_takes_tls_before_the_child_tid() {
    let mut g = TestGuest::new();
    g.write_u32(0xffff_9f4e_65f0, 172);
    assert_eq!(
        a64(
            "clone",
            [
                0x3d_0f00,
                0xffff_9f4e_5de0,
                0xffff_9f4e_65f0,
                0xffff_9f4e_6c60,
                0xffff_9f4e_65f0,
                0
            ],
            &mut g,
            172
        ),
        "clone(child_stack=0xffff9f4e5de0, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, parent_tid=[172], tls=0xffff9f4e6c60, child_tidptr=0xffff9f4e65f0) = 172"
    );
}

/// The generic `semid64_ds` (no padding words after the times, unlike x86_64's); arm64's
/// `semctl` takes no `IPC_64`.
#[test]
fn generic_semid64_ds() {
    let mut g = TestGuest::new();
    g.write(0x4000, &[0; 88])
        .write_u32(0x4000 + 20, 0o600)
        .write_u64(0x4000 + 48, 1_795_934_553)
        .write_u64(0x4000 + 56, 1_795_934_553)
        .write_u64(0x4000 + 64, 3);
    assert_eq!(
        a64("semctl", [0, 0, 2, 0x4000, 0, 0], &mut g, 0),
        "semctl(0, 0, IPC_STAT, {sem_perm={uid=0, gid=0, mode=0600, key=0, cuid=0, cgid=0}, sem_otime=1795934553, sem_ctime=1795934553, sem_nsems=3}) = 0"
    );
}

/// `struct epoll_event` is not packed on arm64: `data` at 8, 16 bytes each.
#[test]
fn epoll_event_is_naturally_aligned() {
    let mut g = TestGuest::new();
    g.write_u32(0x5000, 1)
        .write_u32(0x5004, 0xdead)
        .write_u64(0x5008, 0x1122_3344_5566_7788);
    assert_eq!(
        a64("epoll_pwait", [5, 0x5000, 4, 50, 0, 8], &mut g, 1),
        "epoll_pwait(5, [{events=EPOLLIN, data={u32=1432778632, u64=1234605616436508552}}], 4, 50, NULL, 8) = 1"
    );
}

/// arm64 numbers `O_DIRECTORY`, `O_NOFOLLOW`, `O_DIRECT` and `O_LARGEFILE` its own way
/// (arch/arm64/include/uapi/asm/fcntl.h), in every call that takes open flags.
#[test]
fn open_flags_in_arm64_numbering() {
    let mut g = TestGuest::new();
    g.write(0x1000, b"/tmp/fsx.d\0");
    assert_eq!(
        a64("openat", [AT_FDCWD, 0x1000, 0o2040000, 0, 0, 0], &mut g, 3),
        "openat(AT_FDCWD, \"/tmp/fsx.d\", O_RDONLY|O_CLOEXEC|O_DIRECTORY) = 3"
    );
    assert_eq!(
        a64("fcntl", [3, 3, 0, 0, 0, 0], &mut g, 0x20002),
        "fcntl(3, F_GETFL) = 0x20002 (flags O_RDWR|O_LARGEFILE)"
    );
    // arm64's O_DIRECT (0o200000) is x86's O_DIRECTORY.
    g.write_u32(0x6000, 3).write_u32(0x6004, 4);
    assert_eq!(
        a64("pipe2", [0x6000, 0o200000, 0, 0, 0, 0], &mut g, 0),
        "pipe2([3, 4], O_DIRECT) = 0"
    );
}

/// Every call both 64-bit tables have is described alike: the generator serves aarch64 with
/// x86_64's override lines unless an `@aarch64` line says otherwise, and none does; a table
/// generated from older overrides fails here.
#[test]
fn aarch64_descriptions_agree_with_x86_64() {
    let x86: Vec<_> = (0..1024u64)
        .filter_map(|n| lookup(Abi::X86_64, n))
        .collect();
    let mut shared = 0;
    for n in 0..1024u64 {
        let Some(a) = lookup(Abi::Aarch64, n) else {
            continue;
        };
        let Some(x) = x86.iter().find(|x| x.call == a.call) else {
            continue;
        };
        shared += 1;
        assert_eq!(
            (a.nargs, a.args, a.arg_names, a.ret),
            (x.nargs, x.args, x.arg_names, x.ret),
            "{}: aarch64's description differs from x86_64's (regenerate: tools/gen-syscalls/gen.py)",
            a.name()
        );
    }
    assert!(shared > 250, "only {shared} calls in both tables");
}

//! Unit tests: synthetic guests, expected lines taken from strace 6.1's output for the same calls.

use vmscope_core::event::Abi;
use vmscope_core::guest::{GuestMemory, TestGuest};

use super::*;

mod aarch64;

/// The number of call `name` in `abi`'s table.
pub(super) fn nr(abi: Abi, name: &str) -> u64 {
    (0..1024u64)
        .find(|&n| lookup(abi, n).is_some_and(|d| d.name() == name))
        .unwrap_or_else(|| panic!("{name} not in the {abi:?} table"))
}

/// Decodes a whole call both ways — straight from guest memory, and captured on the "vCPU" then
/// rendered from the capture — demands the same text, and returns it (strace's line without the
/// alignment padding).
#[allow(clippy::too_many_arguments, reason = "one call's whole state")]
pub(super) fn decode_checked(
    opts: &DecodeOptions,
    abi: Abi,
    n: u64,
    raw: &[u64; 6],
    entry: &mut dyn GuestMemory,
    exit: &mut dyn GuestMemory,
    ret: Option<i64>,
    new_image: Option<(Abi, u64)>,
) -> String {
    let direct = decode_direct(opts, abi, n, raw, entry, exit, ret, new_image);
    let captured = decode_captured(opts, abi, n, raw, entry, exit, ret, new_image);
    assert_eq!(
        captured, direct,
        "capture + render differs from direct decoding"
    );
    captured
}

/// Capture then render only (for guests whose memory is not the same twice).
#[allow(clippy::too_many_arguments, reason = "one call's whole state")]
pub(super) fn decode_captured(
    opts: &DecodeOptions,
    abi: Abi,
    n: u64,
    raw: &[u64; 6],
    entry: &mut dyn GuestMemory,
    exit: &mut dyn GuestMemory,
    ret: Option<i64>,
    new_image: Option<(Abi, u64)>,
) -> String {
    let mut c = capture_entry(opts, abi, n, raw, entry);
    capture_exit(opts, abi, n, &mut c, ret, new_image, exit);
    let mut out = RenderedCall::default();
    render_call(opts, abi, n, c.call, &c.raw, &c.data, ret, &mut out);
    // The argument list's boundaries agree with the joined text.
    let joined: Vec<&str> = out.arg_list().collect();
    assert_eq!(joined.join(", "), out.args);
    format!("{}({}) = {}", out.name, out.args, out.ret)
}

/// Decodes a whole call (checked both ways) and formats it as strace's line.
pub(super) fn line_mem(
    abi: Abi,
    name: &str,
    raw: [u64; 6],
    entry: &mut dyn GuestMemory,
    exit: &mut dyn GuestMemory,
    ret: Option<i64>,
) -> String {
    let opts = DecodeOptions::default();
    let n = if name.starts_with("syscall_") {
        u64::from_str_radix(name.trim_start_matches("syscall_0x"), 16).unwrap_or(0)
    } else {
        nr(abi, name)
    };
    decode_checked(&opts, abi, n, &raw, entry, exit, ret, None)
}

pub(super) fn line(
    abi: Abi,
    name: &str,
    raw: [u64; 6],
    g: &mut TestGuest,
    ret: Option<i64>,
) -> String {
    let mut exit = g.clone();
    line_mem(abi, name, raw, g, &mut exit, ret)
}

pub(super) fn x64(name: &str, raw: [u64; 6], g: &mut TestGuest, ret: i64) -> String {
    line(Abi::X86_64, name, raw, g, Some(ret))
}

pub(super) const ENOENT: i64 = -2;
pub(super) const EBADF: i64 = -9;

#[test]
fn unknown_numbers_print_hex_arguments() {
    let mut g = TestGuest::new();
    assert_eq!(
        x64(
            "syscall_0x1bad",
            [0, 1, 0x7fff12345678, u64::MAX, 0, 0],
            &mut g,
            -38
        ),
        "syscall_0x1bad(0, 0x1, 0x7fff12345678, 0xffffffffffffffff, 0, 0) = -1 ENOSYS (Function not implemented)"
    );
    assert_eq!(
        x64("syscall_0x258", [1, 2, 3, 4, 5, 6], &mut g, -38),
        "syscall_0x258(0x1, 0x2, 0x3, 0x4, 0x5, 0x6) = -1 ENOSYS (Function not implemented)"
    );
}

#[test]
fn open_flags_and_modes() {
    let mut g = TestGuest::new();
    g.write(0x1000, b"/etc/passwd\0");
    g.write(0x2000, b"/nonexistent/\x01\xff\"x\0");
    g.write(0x3000, b"a\0");
    assert_eq!(
        x64(
            "openat",
            [(-100i64) as u64, 0x1000, 0o2000000, 0, 0, 0],
            &mut g,
            3
        ),
        "openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC) = 3"
    );
    assert_eq!(
        x64(
            "openat",
            [(-100i64) as u64, 0x2000, 0o1101, 0o644, 0, 0],
            &mut g,
            ENOENT
        ),
        "openat(AT_FDCWD, \"/nonexistent/\\1\\377\\\"x\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = -1 ENOENT (No such file or directory)"
    );
    assert_eq!(
        x64("open", [0x3000, 0xffff_ffff, 0, 0, 0, 0], &mut g, ENOENT),
        "open(\"a\", O_ACCMODE|O_CREAT|O_EXCL|O_NOCTTY|O_TRUNC|O_APPEND|O_NONBLOCK|O_SYNC|O_DIRECT|O_LARGEFILE|O_NOFOLLOW|O_NOATIME|O_CLOEXEC|O_PATH|O_TMPFILE|FASYNC|0xff80003c, 000) = -1 ENOENT (No such file or directory)"
    );
    assert_eq!(
        x64("open", [0x3000, 0o100, 0x12345, 0, 0, 0], &mut g, 3),
        "open(\"a\", O_RDONLY|O_CREAT, 021505) = 3"
    );
    assert_eq!(
        x64("open", [0x3000, 0o20200001, 0o600, 0, 0, 0], &mut g, -20),
        "open(\"a\", O_WRONLY|O_TMPFILE, 0600) = -1 ENOTDIR (Not a directory)"
    );
    assert_eq!(
        x64("open", [0x3000, 0o10010000, 0o600, 0, 0, 0], &mut g, 5),
        "open(\"a\", O_RDONLY|O_DSYNC|O_PATH) = 5"
    );
    assert_eq!(
        x64(
            "open",
            [0x3000, 0o2220400 | 0o10000, 0, 0, 0, 0],
            &mut g,
            -20
        ),
        "open(\"a\", O_RDONLY|O_NOCTTY|O_DSYNC|O_CLOEXEC|O_DIRECTORY|FASYNC) = -1 ENOTDIR (Not a directory)"
    );
    assert_eq!(
        x64(
            "openat",
            [(-200i64) as u64 & 0xffff_ffff, 0x3000, 0, 0, 0, 0],
            &mut g,
            EBADF
        ),
        "openat(-200, \"a\", O_RDONLY) = -1 EBADF (Bad file descriptor)"
    );
    assert_eq!(
        x64("umask", [0o777777, 0, 0, 0, 0, 0], &mut g, 0o22),
        "umask(0177777) = 022"
    );
}

#[test]
fn read_write_buffers() {
    let mut g = TestGuest::new();
    let text = b"root:x:0:0:root:/root:/bin/bash\nsomething more";
    let mut exit = g.clone();
    exit.write(0x5000, text);
    let got = line_mem(
        Abi::X86_64,
        "read",
        [3, 0x5000, 100, 0, 0, 0],
        &mut g,
        &mut exit,
        Some(100),
    );
    assert_eq!(
        got,
        "read(3, \"root:x:0:0:root:/root:/bin/bash\\n\"..., 100) = 100"
    );
    exit.write(0x6000, b"usr/sbin/n");
    assert_eq!(
        line_mem(
            Abi::X86_64,
            "read",
            [3, 0x6000, 10, 0, 0, 0],
            &mut g,
            &mut exit,
            Some(10)
        ),
        "read(3, \"usr/sbin/n\", 10) = 10"
    );
    assert_eq!(
        x64("read", [0x1_0000_0003, 0, 0, 0, 0, 0], &mut g, 0),
        "read(3, NULL, 0) = 0"
    );
    // A failed read leaves the buffer as a pointer.
    assert_eq!(
        x64("read", [3, 0x6000, 10, 0, 0, 0], &mut exit, EBADF),
        "read(3, 0x6000, 10) = -1 EBADF (Bad file descriptor)"
    );
    let bin: Vec<u8> = (0..40u8)
        .map(|i| if i == 5 { b'1' } else { i.wrapping_mul(7) })
        .collect();
    g.write(0x7000, &bin);
    assert_eq!(
        x64("write", [u64::MAX, 0x7000, 40, 0, 0, 0], &mut g, EBADF),
        "write(-1, \"\\0\\7\\16\\25\\0341*18?FMT[bipw~\\205\\214\\223\\232\\241\\250\\257\\266\\275\\304\\313\\322\\331\"..., 40) = -1 EBADF (Bad file descriptor)"
    );
    g.write(0x8000, b"a\"b\\c\td\ne\r\x0b\x0c\x1b[0m");
    assert_eq!(
        x64("write", [u64::MAX, 0x8000, 16, 0, 0, 0], &mut g, EBADF),
        "write(-1, \"a\\\"b\\\\c\\td\\ne\\r\\v\\f\\33[0m\", 16) = -1 EBADF (Bad file descriptor)"
    );
    assert_eq!(
        x64("write", [1, 0x8000, 0, 0, 0, 0], &mut g, 0),
        "write(1, \"\", 0) = 0"
    );
    assert_eq!(
        x64("write", [1, 8, 5, 0, 0, 0], &mut g, -14),
        "write(1, 0x8, 5) = -1 EFAULT (Bad address)"
    );
}

#[test]
fn strings_unreadable_at_entry_are_read_at_exit() {
    let mut entry = TestGuest::new();
    let mut exit = TestGuest::new();
    exit.write(0x4000, b"/etc/hosts\0");
    assert_eq!(
        line_mem(
            Abi::X86_64,
            "openat",
            [(-100i64) as u64, 0x4000, 0, 0, 0, 0],
            &mut entry,
            &mut exit,
            Some(3)
        ),
        "openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY) = 3"
    );
    let mut nothing = TestGuest::new();
    assert_eq!(
        line_mem(
            Abi::X86_64,
            "openat",
            [(-100i64) as u64, 0x4000, 0, 0, 0, 0],
            &mut entry,
            &mut nothing,
            Some(ENOENT)
        ),
        "openat(AT_FDCWD, 0x4000, O_RDONLY) = -1 ENOENT (No such file or directory)"
    );
}

#[test]
fn strings_are_cut_at_the_limit_and_paths_are_not() {
    let mut g = TestGuest::new();
    let long = [b'x'; 100];
    g.write(0x1000, &long);
    g.write(0x1000 + 100, b"\0");
    let d = x64("chdir", [0x1000, 0, 0, 0, 0, 0], &mut g, ENOENT);
    assert!(d.contains(&"x".repeat(100)), "{d}");
    let opts = DecodeOptions { string_limit: 32 };
    let mut s = "\"".to_string();
    s.push_str(&"x".repeat(32));
    s.push_str("\"...");
    let mut guest = g.clone();
    let out = read::read_string(&mut guest, 0x1000, opts.string_limit);
    let Some((b, more)) = out else {
        panic!("unreadable")
    };
    assert_eq!(out::render(|w| w.quote(&b, more, out::Quote::Default)), s);
    // Exactly at the limit: not cut.
    g.write(0x2000, &[b'y'; 32]);
    g.write(0x2020, b"\0");
    let Some((b, more)) = read::read_string(&mut g, 0x2000, 32) else {
        panic!("unreadable")
    };
    assert!(!more);
    assert_eq!(b.len(), 32);
}

#[test]
fn mmap_family() {
    let mut g = TestGuest::new();
    assert_eq!(
        x64(
            "mmap",
            [0, 8192, 3, 0x22, u64::MAX, 0],
            &mut g,
            0x7fad7be69000
        ),
        "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7fad7be69000"
    );
    assert_eq!(
        x64("mmap", [0, 8192, 1, 2, 3, 4096], &mut g, 0x7fad7be67000),
        "mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, 3, 0x1000) = 0x7fad7be67000"
    );
    assert_eq!(
        x64(
            "mmap",
            [0, 4096, 0xffff_ffff, 0xffff_ffff, 5, 0],
            &mut g,
            -22
        ),
        "mmap(NULL, 4096, PROT_READ|PROT_WRITE|PROT_EXEC|PROT_SEM|PROT_GROWSDOWN|PROT_GROWSUP|0xfcfffff0, 0xf /* MAP_??? */|MAP_FIXED|MAP_ANONYMOUS|MAP_32BIT|MAP_NORESERVE|MAP_POPULATE|MAP_NONBLOCK|MAP_GROWSDOWN|MAP_DENYWRITE|MAP_EXECUTABLE|MAP_LOCKED|MAP_STACK|MAP_HUGETLB|MAP_SYNC|MAP_FIXED_NOREPLACE|0x3e00680|63<<MAP_HUGE_SHIFT, 5, 0) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x64("mmap", [0, 4096, 0, 0x120003, 5, 0], &mut g, EBADF),
        "mmap(NULL, 4096, PROT_NONE, MAP_SHARED_VALIDATE|MAP_STACK|MAP_FIXED_NOREPLACE, 5, 0) = -1 EBADF (Bad file descriptor)"
    );
    assert_eq!(
        x64("mmap", [8, 1, 0, 0, 5, 0], &mut g, EBADF),
        "mmap(0x8, 1, PROT_NONE, MAP_FILE, 5, 0) = -1 EBADF (Bad file descriptor)"
    );
    assert_eq!(
        x64("mprotect", [0x7fad7be69000, 4096, 0, 0, 0, 0], &mut g, 0),
        "mprotect(0x7fad7be69000, 4096, PROT_NONE) = 0"
    );
    assert_eq!(
        x64("munmap", [0x7fad7be69000, 8192, 0, 0, 0, 0], &mut g, 0),
        "munmap(0x7fad7be69000, 8192) = 0"
    );
    assert_eq!(
        x64("brk", [0, 0, 0, 0, 0, 0], &mut g, 0x37d12d00),
        "brk(NULL) = 0x37d12d00"
    );
    assert_eq!(
        x64("brk", [8, 0, 0, 0, 0, 0], &mut g, 0x2d71c000),
        "brk(0x8) = 0x2d71c000"
    );
}

#[test]
fn misc_file_calls() {
    let mut g = TestGuest::new();
    g.write(0x1000, b"/etc\0");
    g.write(0x2000, b"a\0");
    assert_eq!(
        x64("access", [0x1000, 5, 0, 0, 0, 0], &mut g, 0),
        "access(\"/etc\", R_OK|X_OK) = 0"
    );
    assert_eq!(
        x64("access", [0x2000, 0xff, 0, 0, 0, 0], &mut g, -22),
        "access(\"a\", R_OK|W_OK|X_OK|0xf8) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x64("access", [0x2000, 0, 0, 0, 0, 0], &mut g, 0),
        "access(\"a\", F_OK) = 0"
    );
    assert_eq!(
        x64("lseek", [3, 5, 1, 0, 0, 0], &mut g, 115),
        "lseek(3, 5, SEEK_CUR) = 115"
    );
    assert_eq!(
        x64("lseek", [1, 4294967291, 7, 0, 0, 0], &mut g, -22),
        "lseek(1, 4294967291, 0x7 /* SEEK_??? */) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x64("newfstatat", [3, 0x2000, 0, 0xffff, 0, 0], &mut g, -22),
        "newfstatat(3, \"a\", NULL, AT_SYMLINK_NOFOLLOW|AT_REMOVEDIR|AT_SYMLINK_FOLLOW|AT_NO_AUTOMOUNT|AT_EMPTY_PATH|AT_RECURSIVE|0x60ff) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x64("pipe2", [0, 0xffff_ffff, 0, 0, 0, 0], &mut g, -22),
        "pipe2(NULL, O_CREAT|O_EXCL|O_NOCTTY|O_TRUNC|O_APPEND|O_NONBLOCK|O_SYNC|O_DIRECT|O_LARGEFILE|O_NOFOLLOW|O_NOATIME|O_CLOEXEC|O_PATH|O_TMPFILE|FASYNC|0xff80003f) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x64("close", [0xffff_ffff, 0, 0, 0, 0, 0], &mut g, EBADF),
        "close(-1) = -1 EBADF (Bad file descriptor)"
    );
}

#[test]
fn output_structs() {
    let mut g = TestGuest::new();
    g.write(0x1000, b"\0");
    // struct stat: st_mode at 24, st_size at 48.
    g.write_u32(0x2000 + 24, 0o100644);
    g.write_u64(0x2000 + 48, 1221);
    assert_eq!(
        x64("newfstatat", [3, 0x1000, 0x2000, 0x1000, 0, 0], &mut g, 0),
        "newfstatat(3, \"\", {st_mode=S_IFREG|0644, st_size=1221, ...}, AT_EMPTY_PATH) = 0"
    );
    g.write(0x3000, b"/dev/null\0");
    g.write_u32(0x4000 + 24, 0o20666);
    g.write_u64(0x4000 + 40, 0x103);
    assert_eq!(
        x64(
            "newfstatat",
            [(-100i64) as u64, 0x3000, 0x4000, 0, 0, 0],
            &mut g,
            0
        ),
        "newfstatat(AT_FDCWD, \"/dev/null\", {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}, 0) = 0"
    );
    assert_eq!(
        x64(
            "newfstatat",
            [12345, 0x1000, 0x7ffd8edb91b0, 0x1000, 0, 0],
            &mut g,
            EBADF
        ),
        "newfstatat(12345, \"\", 0x7ffd8edb91b0, AT_EMPTY_PATH) = -1 EBADF (Bad file descriptor)"
    );
    g.write_u32(0x5000, 4).write_u32(0x5004, 5);
    assert_eq!(
        x64("pipe2", [0x5000, 0, 0, 0, 0, 0], &mut g, 0),
        "pipe2([4, 5], 0) = 0"
    );
    assert_eq!(
        x64("pipe2", [0x5000, 0o2000000, 0, 0, 0, 0], &mut g, 0),
        "pipe2([4, 5], O_CLOEXEC) = 0"
    );
    g.write(0x6000, b"/tmp/st\0");
    assert_eq!(
        x64("getcwd", [0x6000, 256, 0, 0, 0, 0], &mut g, 8),
        "getcwd(\"/tmp/st\", 256) = 8"
    );
    g.write(0x7000, b"/proc/self/exe\0");
    g.write(0x8000, b"/tmp/st/t1XXXX");
    assert_eq!(
        x64("readlink", [0x7000, 0x8000, 256, 0, 0, 0], &mut g, 10),
        "readlink(\"/proc/self/exe\", \"/tmp/st/t1\", 256) = 10"
    );
}

#[test]
fn return_values() {
    let mut g = TestGuest::new();
    assert_eq!(
        line(Abi::X86_64, "exit_group", [0; 6], &mut g, None),
        "exit_group(0) = ?"
    );
    assert_eq!(
        x64("getpid", [0; 6], &mut g, -512),
        "getpid() = ? ERESTARTSYS (To be restarted if SA_RESTART is set)"
    );
    assert_eq!(
        x64("getpid", [0; 6], &mut g, -516),
        "getpid() = ? ERESTART_RESTARTBLOCK (Interrupted by signal)"
    );
    assert_eq!(
        x64("getpid", [0; 6], &mut g, -515),
        "getpid() = -1 ENOIOCTLCMD (Unknown error 515)"
    );
    assert_eq!(
        x64("getpid", [0; 6], &mut g, -4000),
        "getpid() = -1 4000 (Unknown error 4000)"
    );
    assert_eq!(x64("getpid", [0; 6], &mut g, -4096), "getpid() = -4096");
    assert_eq!(errno_name(2), Some(("ENOENT", "No such file or directory")));
    assert_eq!(
        errno_name(11),
        Some(("EAGAIN", "Resource temporarily unavailable"))
    );
    assert_eq!(errno_name(0), None);
    assert_eq!(errno_name(u32::MAX), None);
}

#[test]
fn call_identities_are_the_same_in_every_abi() {
    let call = |abi, n| Sysno(n).call(abi);
    assert_eq!(call(Abi::X86_64, 231), Some(Call::ExitGroup));
    assert_eq!(call(Abi::I386, 252), Some(Call::ExitGroup));
    assert!(never_returns(call(Abi::X86_64, 60)));
    assert!(never_returns(call(Abi::I386, 1)));
    assert!(!never_returns(call(Abi::X86_64, 0)));
    assert_eq!(call(Abi::X86_64, 59), Some(Call::Execve));
    assert_eq!(call(Abi::I386, 11), Some(Call::Execve));
    assert_eq!(call(Abi::I386, 358), Some(Call::Execveat));
    assert_ne!(call(Abi::I386, 59), Some(Call::Execve));
    assert_eq!(Sysno(0x1bad).name(Abi::X86_64), "syscall_0x1bad");
    for c in Call::ALL {
        assert_eq!(Call::from_id(c.id()), Some(c));
    }
    assert_eq!(Errno(2).name(), Some("ENOENT"));
    assert!(Errno(512).is_restart());
    assert_eq!(Errno::of_ret(-4096), None);
}

pub(super) fn i386(name: &str, raw: [u64; 6], g: &mut TestGuest, ret: i64) -> String {
    line(Abi::I386, name, raw, g, Some(ret))
}

#[test]
fn signals() {
    let mut g = TestGuest::new();
    // struct kernel_sigaction (x86_64): handler, flags, restorer, mask.
    g.write_u64(0x1000, 0x401635)
        .write_u64(0x1008, 0x1400_0000)
        .write_u64(0x1010, 0x408dd0)
        .write_u64(0x1018, 1 << 14);
    assert_eq!(
        x64("rt_sigaction", [2, 0x1000, 0, 8, 0, 0], &mut g, 0),
        "rt_sigaction(SIGINT, {sa_handler=0x401635, sa_mask=[TERM], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x408dd0}, NULL, 8) = 0"
    );
    g.write_u64(0x2000, 1)
        .write_u64(0x2008, 0x1400_0000)
        .write_u64(0x2010, 0x408dd0)
        .write_u64(0x2018, 1 << 12);
    g.write(0x3000, &[0u8; 32]);
    assert_eq!(
        x64("rt_sigaction", [13, 0x2000, 0x3000, 8, 0, 0], &mut g, 0),
        "rt_sigaction(SIGPIPE, {sa_handler=SIG_IGN, sa_mask=[PIPE], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x408dd0}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0"
    );
    let set = 1u64 << 16 | 1 << 33 | 1 << 39;
    g.write_u64(0x4000, set);
    assert_eq!(
        x64("rt_sigprocmask", [0, 0x4000, 0, 8, 0, 0], &mut g, 0),
        "rt_sigprocmask(SIG_BLOCK, [CHLD RT_2 RT_8], NULL, 8) = 0"
    );
    // glibc's full set: everything but 32, 33; minus SIGINT.
    let full = !(1u64 << 31 | 1 << 32) & !(1 << 1);
    g.write_u64(0x5000, full);
    g.write_u64(0x6000, set);
    assert_eq!(
        x64("rt_sigprocmask", [2, 0x5000, 0x6000, 8, 0, 0], &mut g, 0),
        "rt_sigprocmask(SIG_SETMASK, ~[INT RTMIN RT_1], [CHLD RT_2 RT_8], 8) = 0"
    );
    assert_eq!(
        x64("kill", [31843, 0, 0, 0, 0, 0], &mut g, 0),
        "kill(31843, 0) = 0"
    );
    assert_eq!(
        line(Abi::X86_64, "kill", [31845, 9, 0, 0, 0, 0], &mut g, None),
        "kill(31845, SIGKILL) = ?"
    );
    let m = (-1234567i64) as u64;
    assert_eq!(
        x64("kill", [m, 34, 0, 0, 0, 0], &mut g, -3),
        "kill(-1234567, SIGRT_2) = -1 ESRCH (No such process)"
    );
    assert_eq!(
        x64("kill", [m, 64, 0, 0, 0, 0], &mut g, -3),
        "kill(-1234567, SIGRT_32) = -1 ESRCH (No such process)"
    );
    assert_eq!(
        x64("kill", [m, 65, 0, 0, 0, 0], &mut g, -3),
        "kill(-1234567, 65) = -1 ESRCH (No such process)"
    );
    assert_eq!(
        x64("kill", [m, 32, 0, 0, 0, 0], &mut g, -3),
        "kill(-1234567, SIGRTMIN) = -1 ESRCH (No such process)"
    );
}

#[test]
fn iovecs_and_wait_status() {
    let mut g = TestGuest::new();
    g.write(0x1000, b"hello world\n");
    g.write_u64(0x2000, 0x1000)
        .write_u64(0x2008, 6)
        .write_u64(0x2010, 0x1006)
        .write_u64(0x2018, 6);
    assert_eq!(
        x64("writev", [1, 0x2000, 2, 0, 0, 0], &mut g, 12),
        "writev(1, [{iov_base=\"hello \", iov_len=6}, {iov_base=\"world\\n\", iov_len=6}], 2) = 12"
    );
    g.write(0x3000, b"root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1");
    g.write_u64(0x4000, 0x3000)
        .write_u64(0x4008, 5)
        .write_u64(0x4010, 0x3005)
        .write_u64(0x4018, 50);
    assert_eq!(
        x64("readv", [3, 0x4000, 2, 0, 0, 0], &mut g, 55),
        "readv(3, [{iov_base=\"root:\", iov_len=5}, {iov_base=\"x:0:0:root:/root:/bin/bash\\ndaemo\"..., iov_len=50}], 2) = 55"
    );
    g.write_u32(0x5000, 3 << 8);
    assert_eq!(
        x64("wait4", [31844, 0x5000, 0, 0, 0, 0], &mut g, 31844),
        "wait4(31844, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL) = 31844"
    );
    g.write_u32(0x5000, 9);
    assert_eq!(
        x64("wait4", [31845, 0x5000, 0, 0, 0, 0], &mut g, 31845),
        "wait4(31845, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}], 0, NULL) = 31845"
    );
}

#[test]
fn clocks_fcntl_sockets_uname_futex() {
    let mut g = TestGuest::new();
    g.write_u64(0x1000, 0).write_u64(0x1008, 1000);
    assert_eq!(
        x64("clock_nanosleep", [0, 0, 0x1000, 0, 0, 0], &mut g, 0),
        "clock_nanosleep(CLOCK_REALTIME, 0, {tv_sec=0, tv_nsec=1000}, NULL) = 0"
    );
    assert_eq!(
        x64("fcntl", [3, 1, 0, 0, 0, 0], &mut g, 0),
        "fcntl(3, F_GETFD) = 0"
    );
    assert_eq!(
        x64("fcntl", [3, 2, 1, 0, 0, 0], &mut g, 0),
        "fcntl(3, F_SETFD, FD_CLOEXEC) = 0"
    );
    assert_eq!(
        x64("fcntl", [3, 1, 0, 0, 0, 0], &mut g, 1),
        "fcntl(3, F_GETFD) = 0x1 (flags FD_CLOEXEC)"
    );
    assert_eq!(
        x64("fcntl", [3, 3, 0, 0, 0, 0], &mut g, 0x8000),
        "fcntl(3, F_GETFL) = 0x8000 (flags O_RDONLY|O_LARGEFILE)"
    );
    assert_eq!(
        x64("fcntl", [3, 4, 0o4000, 0, 0, 0], &mut g, 0),
        "fcntl(3, F_SETFL, O_RDONLY|O_NONBLOCK) = 0"
    );
    assert_eq!(
        x64("fcntl", [3, 0, 10, 0, 0, 0], &mut g, 11),
        "fcntl(3, F_DUPFD, 10) = 11"
    );
    assert_eq!(
        x64("fcntl", [3, 1030, 0, 0, 0, 0], &mut g, 4),
        "fcntl(3, F_DUPFD_CLOEXEC, 0) = 4"
    );
    assert_eq!(
        x64("socket", [2, 0o2000001, 0, 0, 0, 0], &mut g, 5),
        "socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 5"
    );
    assert_eq!(
        x64("socket", [1, 2, 0, 0, 0, 0], &mut g, 6),
        "socket(AF_UNIX, SOCK_DGRAM, 0) = 6"
    );
    assert_eq!(
        x64("socket", [10, 3, 255, 0, 0, 0], &mut g, 7),
        "socket(AF_INET6, SOCK_RAW, IPPROTO_RAW) = 7"
    );
    assert_eq!(
        x64("socket", [16, 3, 0, 0, 0, 0], &mut g, 8),
        "socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE) = 8"
    );
    g.write(0x2000, b"Linux\0");
    g.write(0x2000 + 65, b"vm\0");
    g.write(0x2000 + 65 * 6, b"\0");
    assert_eq!(
        x64("uname", [0x2000, 0, 0, 0, 0, 0], &mut g, 0),
        "uname({sysname=\"Linux\", nodename=\"vm\", ...}) = 0"
    );
    assert_eq!(
        x64("futex", [0x7ffde801987c, 0x81, 1, 0, 0, 0], &mut g, 0),
        "futex(0x7ffde801987c, FUTEX_WAKE_PRIVATE, 1) = 0"
    );
    assert_eq!(
        x64("futex", [0x7ffde801987c, 0, 0, 0x1000, 0, 0], &mut g, -110),
        "futex(0x7ffde801987c, FUTEX_WAIT, 0, {tv_sec=0, tv_nsec=1000}) = -1 ETIMEDOUT (Connection timed out)"
    );
}

#[test]
fn execve_clone_statx() {
    let mut g = TestGuest::new();
    g.write(0x1000, b"/nonexistent\0");
    g.write(0x1100, b"arg1\0");
    g.write(
        0x1200,
        b"a very long argument string that is more than 32 bytes\0",
    );
    g.write_u64(0x2000, 0x1000)
        .write_u64(0x2008, 0x1100)
        .write_u64(0x2010, 0x1200)
        .write_u64(0x2018, 0);
    for i in 0..35u64 {
        g.write_u64(0x3000 + 8 * i, 0x1100);
    }
    g.write_u64(0x3000 + 8 * 35, 0);
    assert_eq!(
        x64("execve", [0x1000, 0x2000, 0x3000, 0, 0, 0], &mut g, ENOENT),
        "execve(\"/nonexistent\", [\"/nonexistent\", \"arg1\", \"a very long argument string that\"...], 0x3000 /* 35 vars */) = -1 ENOENT (No such file or directory)"
    );
    assert_eq!(
        x64("clone", [0x1200011, 0, 0, 0x79d650, 0, 0], &mut g, 31844),
        "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x79d650) = 31844"
    );
    g.write(0x4000, b"/etc/passwd\0");
    // struct statx: mask, attributes, mode, size.
    g.write(0x5000, &[0u8; 256]);
    g.write_u32(0x5000, 0x1fff)
        .write_u32(0x5000 + 28, 0o100644)
        .write_u64(0x5000 + 40, 1221);
    assert_eq!(
        x64(
            "statx",
            [(-100i64) as u64, 0x4000, 0, 0xfff, 0x5000, 0],
            &mut g,
            0
        ),
        "statx(AT_FDCWD, \"/etc/passwd\", AT_STATX_SYNC_AS_STAT, STATX_ALL, {stx_mask=STATX_ALL|STATX_MNT_ID, stx_attributes=0, stx_mode=S_IFREG|0644, stx_size=1221, ...}) = 0"
    );
    g.write_u32(0x5000, 0x17ff);
    assert_eq!(
        x64(
            "statx",
            [3, 0x4000 + 11, 0x1800, 0x7ff, 0x5000, 0],
            &mut g,
            0
        ),
        "statx(3, \"\", AT_STATX_SYNC_AS_STAT|AT_NO_AUTOMOUNT|AT_EMPTY_PATH, STATX_BASIC_STATS, {stx_mask=STATX_BASIC_STATS|STATX_MNT_ID, stx_attributes=0, stx_mode=S_IFREG|0644, stx_size=1221, ...}) = 0"
    );
    g.write(0x6000, b"/tmp\0");
    g.write_u32(0x7000 + 24, 0o41777)
        .write_u64(0x7000 + 48, 4096);
    assert_eq!(
        x64(
            "newfstatat",
            [(-100i64) as u64, 0x6000, 0x7000, 0x100, 0, 0],
            &mut g,
            0
        ),
        "newfstatat(AT_FDCWD, \"/tmp\", {st_mode=S_IFDIR|S_ISVTX|0777, st_size=4096, ...}, AT_SYMLINK_NOFOLLOW) = 0"
    );
}

#[test]
fn i386_calls() {
    let mut g = TestGuest::new();
    assert_eq!(
        i386("mmap2", [0, 8192, 1, 2, 3, 1], &mut g, 0xf7f99000),
        "mmap2(NULL, 8192, PROT_READ, MAP_PRIVATE, 3, 0x1000) = 0xf7f99000"
    );
    g.write_u64(0x1000, 4294967296);
    assert_eq!(
        i386("_llseek", [3, 1, 0, 0x1000, 0, 0], &mut g, 0),
        "_llseek(3, 4294967296, [4294967296], SEEK_SET) = 0"
    );
    g.write(0x2000, b"0:0:root:/");
    assert_eq!(
        i386("pread64", [3, 0x2000, 10, 7, 0, 0], &mut g, 10),
        "pread64(3, \"0:0:root:/\", 10, 7) = 10"
    );
    g.write_u32(0x3000, 8192 * 1024).write_u32(0x3004, u32::MAX);
    assert_eq!(
        i386("ugetrlimit", [3, 0x3000, 0, 0, 0, 0], &mut g, 0),
        "ugetrlimit(RLIMIT_STACK, {rlim_cur=8192*1024, rlim_max=RLIM_INFINITY}) = 0"
    );
    assert_eq!(
        i386("rseq", [0x8730820, 0x20, 0, 0x53053053, 0, 0], &mut g, 0),
        "rseq(0x8730820, 0x20, 0, 0x53053053) = 0"
    );
    g.write_u64(0x4000, 5).write_u64(0x4008, 0);
    g.write_u32(0x5000, 5).write_u32(0x5004, 0);
    assert_eq!(
        i386(
            "clock_nanosleep",
            [0, 0, 0x5000, 0xff8f50dc, 0, 0],
            &mut g,
            0
        ),
        "clock_nanosleep(CLOCK_REALTIME, 0, {tv_sec=5, tv_nsec=0}, 0xff8f50dc) = 0"
    );
    // Two linux_dirent64 records of 24 bytes.
    g.write(0x6000, &[0u8; 48]);
    g.write(0x6000 + 16, &24u16.to_le_bytes());
    g.write(0x6000 + 24 + 16, &24u16.to_le_bytes());
    assert_eq!(
        i386("getdents64", [4, 0x6000, 32768, 0, 0, 0], &mut g, 48),
        "getdents64(4, 0x6000 /* 2 entries */, 32768) = 48"
    );
    // struct stat64: st_mode at 16, st_size at 44.
    g.write(0x7000, &[0u8; 96]);
    g.write_u32(0x7000 + 16, 0o100644)
        .write_u64(0x7000 + 44, 1221);
    assert_eq!(
        i386("fstat64", [3, 0x7000, 0, 0, 0, 0], &mut g, 0),
        "fstat64(3, {st_mode=S_IFREG|0644, st_size=1221, ...}) = 0"
    );
    assert_eq!(
        i386("close", [0xffff_ffff, 0, 0, 0, 0, 0], &mut g, EBADF),
        "close(-1) = -1 EBADF (Bad file descriptor)"
    );
    g.write(0x8000, &[0x19, 0xcb, 0x76, 0xea]);
    assert_eq!(
        i386("getrandom", [0x8000, 4, 1, 0, 0, 0], &mut g, 4),
        "getrandom(\"\\x19\\xcb\\x76\\xea\", 4, GRND_NONBLOCK) = 4"
    );
}

/// A tiny deterministic generator (xorshift) for the never-panic test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// Values biased towards the interesting ones: small, pointers into the mapped pages, all-ones.
    fn value(&mut self) -> u64 {
        match self.next() % 8 {
            0 => 0,
            1 => self.next() % 64,
            2 => 0x1000 + self.next() % 0x3000,
            3 => u64::MAX - self.next() % 8,
            4 => 0x0fff + self.next() % 2,
            5 => self.next() & 0xffff_ffff,
            _ => self.next(),
        }
    }
}

#[test]
fn decoding_junk_never_panics() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let opts_list = [
        DecodeOptions { string_limit: 0 },
        DecodeOptions::default(),
        DecodeOptions {
            string_limit: usize::MAX,
        },
    ];
    for round in 0..40 {
        // Memory full of junk: pointers into itself, strings without terminators.
        let mut g = TestGuest::new();
        for page in 1..4u64 {
            let mut bytes = vec![0u8; 4096];
            for chunk in bytes.chunks_mut(8) {
                let v = rng.value().to_le_bytes();
                chunk.copy_from_slice(&v[..chunk.len()]);
            }
            if round % 3 == 0 {
                bytes.iter_mut().for_each(|b| *b |= 1);
            }
            g.write(page * 0x1000, &bytes);
        }
        let opts = &opts_list[round % opts_list.len()];
        for abi in [Abi::X86_64, Abi::I386] {
            for nr in (0..470u64).chain([512, 0x1bad, u64::MAX]) {
                let mut raw = [0u64; 6];
                raw.iter_mut().for_each(|r| *r = rng.value());
                if abi == Abi::I386 {
                    raw.iter_mut().for_each(|r| *r &= 0xffff_ffff);
                }
                let ret = match rng.next() % 4 {
                    0 => None,
                    1 => Some(-((rng.next() % 4200) as i64)),
                    _ => Some(rng.value() as i64),
                };
                // Both ways, and the same text: the whole table over junk is the corpus of the
                // capture/render split.
                let mut exit = g.clone();
                let text = decode_checked(opts, abi, nr, &raw, &mut g, &mut exit, ret, None);
                assert!(text.len() < 1 << 22);
            }
        }
    }
}

#[test]
fn captured_calls_can_cross_threads() {
    fn assert_send<T: Send + 'static>() {}
    assert_send::<Captured>();
    assert_send::<Decoder>();
}

#[test]
fn i386_socketcall_is_shown_as_the_socket_call() {
    let mut g = TestGuest::new();
    // socketcall(SYS_SOCKET, [AF_INET, SOCK_STREAM, IPPROTO_TCP])
    g.write_u32(0x9000, 2)
        .write_u32(0x9004, 1)
        .write_u32(0x9008, 6);
    assert_eq!(
        line(
            Abi::I386,
            "socketcall",
            [1, 0x9000, 0, 0, 0, 0],
            &mut g,
            Some(3)
        ),
        "socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3"
    );
    // socketcall(SYS_RECV, [5, buf, 64, 0]): a call i386 has only through socketcall.
    g.write(0xa000, b"hello");
    g.write_u32(0x9100, 5)
        .write_u32(0x9104, 0xa000)
        .write_u32(0x9108, 64)
        .write_u32(0x910c, 0);
    assert_eq!(
        line(
            Abi::I386,
            "socketcall",
            [10, 0x9100, 0, 0, 0, 0],
            &mut g,
            Some(5)
        ),
        "recv(5, \"hello\", 64, 0) = 5"
    );
    // An unreadable argument array or an unknown call stays socketcall.
    assert_eq!(
        line(
            Abi::I386,
            "socketcall",
            [1, 0x7000_0000, 0, 0, 0, 0],
            &mut g,
            Some(-14)
        ),
        "socketcall(SYS_SOCKET, 0x70000000) = -1 EFAULT (Bad address)"
    );
    assert!(
        line(
            Abi::I386,
            "socketcall",
            [99, 0x9000, 0, 0, 0, 0],
            &mut g,
            Some(-22)
        )
        .starts_with("socketcall(99, ")
    );
}

#[test]
fn interrupted_calls_show_the_kernels_restart_code() {
    let x =
        |name: &str, raw: [u64; 6]| interrupted_code(Abi::X86_64, nr(Abi::X86_64, name), &raw, -4);
    assert_eq!(x("read", [0; 6]), Some(-512));
    assert_eq!(x("pause", [0; 6]), Some(-514));
    assert_eq!(x("rt_sigsuspend", [0; 6]), Some(-514));
    assert_eq!(x("nanosleep", [0; 6]), Some(-516));
    assert_eq!(x("clock_nanosleep", [0, 0, 0, 0, 0, 0]), Some(-516));
    assert_eq!(x("clock_nanosleep", [0, 1, 0, 0, 0, 0]), Some(-514));
    assert_eq!(x("poll", [0, 1, 1000, 0, 0, 0]), Some(-516));
    assert_eq!(x("poll", [0, 1, u64::from(u32::MAX), 0, 0, 0]), Some(-514));
    // A call whose own result is EINTR, and results that are not EINTR.
    assert_eq!(x("epoll_wait", [0; 6]), None);
    assert_eq!(
        interrupted_code(Abi::X86_64, nr(Abi::X86_64, "read"), &[0; 6], -2),
        None
    );
    assert_eq!(interrupted_code(Abi::X86_64, 100_000, &[0; 6], -4), None);
}

#[test]
fn madvise_msync_and_sigaction_flags_in_stracess_order() {
    let mut g = TestGuest::new();
    assert_eq!(
        x64("madvise", [0x7000, 4096, 4, 0, 0, 0], &mut g, 0),
        "madvise(0x7000, 4096, MADV_DONTNEED) = 0"
    );
    assert_eq!(
        x64("madvise", [0x7000, 4096, 12345, 0, 0, 0], &mut g, -22),
        "madvise(0x7000, 4096, 0x3039 /* MADV_??? */) = -1 EINVAL (Invalid argument)"
    );
    assert_eq!(
        x64("msync", [0x7000, 4096, 3, 0, 0, 0], &mut g, 0),
        "msync(0x7000, 4096, MS_ASYNC|MS_INVALIDATE) = 0"
    );
    // struct sigaction: handler, flags, restorer, mask.
    g.write_u64(0x8000, 0x40_1000)
        .write_u64(0x8008, 0x1400_0004 | 0x0800_0000)
        .write_u64(0x8010, 0x40_2000)
        .write_u64(0x8018, 0);
    assert_eq!(
        x64("rt_sigaction", [34, 0x8000, 0, 8, 0, 0], &mut g, 0),
        "rt_sigaction(SIGRT_2, {sa_handler=0x401000, sa_mask=[], \
         sa_flags=SA_RESTORER|SA_ONSTACK|SA_RESTART|SA_SIGINFO, sa_restorer=0x402000}, NULL, 8) = 0"
    );
}

/// A new image's initial stack at `sp`: argc, argv, envp, auxv with AT_EXECFN.
fn new_image(g: &mut TestGuest, abi: Abi, sp: u64, argv: &[&str], envc: usize) {
    let ws = if abi == Abi::I386 { 4 } else { 8 };
    let put = |g: &mut TestGuest, a: u64, v: u64| {
        if ws == 4 {
            g.write_u32(a, v as u32);
        } else {
            g.write_u64(a, v);
        }
    };
    let strings = sp + 0x800;
    let mut at = strings;
    put(g, sp, argv.len() as u64);
    for (i, s) in argv.iter().enumerate() {
        g.write(at, s.as_bytes());
        g.write(at + s.len() as u64, b"\0");
        put(g, sp + ws * (1 + i as u64), at);
        at += s.len() as u64 + 1;
    }
    let envp = sp + ws * (argv.len() as u64 + 2);
    put(g, envp - ws, 0);
    for i in 0..envc as u64 {
        put(g, envp + ws * i, at);
    }
    let auxv = envp + ws * (envc as u64 + 1);
    put(g, auxv - ws, 0);
    g.write(at, b"/bin/busybox\0");
    put(g, auxv, 6);
    put(g, auxv + ws, 4096);
    put(g, auxv + 2 * ws, 31);
    put(g, auxv + 3 * ws, at);
    put(g, auxv + 4 * ws, 0);
}

#[test]
fn execve_arguments_unreadable_at_entry_come_from_the_new_image() {
    for abi in [Abi::X86_64, Abi::I386] {
        let opts = DecodeOptions::default();
        // Nothing readable at entry; the old image is gone at the exit.
        let mut old = TestGuest::new();
        let raw = [0x40_0000, 0x40_1000, 0x40_2000, 0, 0, 0];
        let mut g = TestGuest::new();
        let sp = 0xff00_0000u64;
        new_image(&mut g, abi, sp, &["echo", "hi"], 5);
        let n = nr(abi, "execve");
        let text = decode_checked(
            &opts,
            abi,
            n,
            &raw,
            &mut old,
            &mut g,
            Some(0),
            Some((abi, sp)),
        );
        assert_eq!(
            text, "execve(\"/bin/busybox\", [\"echo\", \"hi\"], 0x402000 /* 5 vars */) = 0",
            "{abi:?}"
        );
    }
}

#[test]
fn execve_arguments_read_at_entry_are_kept() {
    let opts = DecodeOptions::default();
    let mut old = TestGuest::new();
    old.write(0x40_0000, b"/bin/wl-x\0");
    old.write_u64(0x40_1000, 0x40_0000).write_u64(0x40_1008, 0);
    old.write_u64(0x40_2000, 0);
    let raw = [0x40_0000, 0x40_1000, 0x40_2000, 0, 0, 0];
    let mut g = TestGuest::new();
    new_image(&mut g, Abi::X86_64, 0x7ff0_0000, &["other"], 1);
    let image = Some((Abi::X86_64, 0x7ff0_0000));
    let text = decode_checked(
        &opts,
        Abi::X86_64,
        59,
        &raw,
        &mut old,
        &mut g,
        Some(0),
        image,
    );
    assert_eq!(
        text,
        "execve(\"/bin/wl-x\", [\"/bin/wl-x\"], 0x402000 /* 0 vars */) = 0"
    );
}

/// Guest memory that answers every read with pseudo-random bytes, and fails some reads.
struct Junk(u64);

impl GuestMemory for Junk {
    fn read(&mut self, addr: u64, buf: &mut [u8]) -> bool {
        let mut x = self.0 ^ addr.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        for b in buf.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = x as u8;
        }
        !x.is_multiple_of(7)
    }
}

#[test]
fn socketcall_and_new_image_survive_junk() {
    let opts = DecodeOptions::default();
    let mut seed = 0x1234_5678_9abc_def0u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..3000 {
        let raw = [next() % 24, next(), next(), next(), next(), next()];
        let seed = next();
        let (mut m, mut x) = (Junk(seed), Junk(seed));
        let ret = Some(next() as i64);
        decode_checked(&opts, Abi::I386, 102, &raw, &mut m, &mut x, ret, None);
        for abi in [Abi::X86_64, Abi::I386] {
            let image = Some((abi, next()));
            let n = nr(abi, "execve");
            let text = decode_checked(&opts, abi, n, &raw, &mut m, &mut x, Some(0), image);
            assert!(text.starts_with("execve("));
            assert!(text.len() < 64 * 1024);
        }
    }
}

#[test]
fn poll_shows_events_at_entry_and_revents_after_the_return_value() {
    let mut entry = TestGuest::new();
    // fds: {3, POLLIN}, {-1}, {4, POLLIN|POLLOUT}
    entry.write(0x1000, &[3, 0, 0, 0, 1, 0, 0, 0]);
    entry.write(0x1008, &[0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
    entry.write(0x1010, &[4, 0, 0, 0, 5, 0, 0, 0]);
    let mut exit = entry.clone();
    // The kernel wrote revents: fd 4 is readable.
    exit.write(0x1016, &[1, 0]);
    assert_eq!(
        line_mem(
            Abi::X86_64,
            "poll",
            [0x1000, 3, 1000, 0, 0, 0],
            &mut entry,
            &mut exit,
            Some(1)
        ),
        "poll([{fd=3, events=POLLIN}, {fd=-1}, {fd=4, events=POLLIN|POLLOUT}], 3, 1000) = 1 \
         ([{fd=4, revents=POLLIN}])"
    );
    let mut e = entry.clone();
    assert_eq!(
        line_mem(
            Abi::X86_64,
            "poll",
            [0x1000, 1, 0, 0, 0, 0],
            &mut entry,
            &mut e,
            Some(0)
        ),
        "poll([{fd=3, events=POLLIN}], 1, 0) = 0 (Timeout)"
    );
    // ppoll: the time left after the revents.
    exit.write_u64(0x2000, 0).write_u64(0x2008, 999_000);
    entry.write_u64(0x2000, 1).write_u64(0x2008, 0);
    assert_eq!(
        line_mem(
            Abi::X86_64,
            "ppoll",
            [0x1000, 3, 0x2000, 0, 8, 0],
            &mut entry,
            &mut exit,
            Some(1)
        ),
        "ppoll([{fd=3, events=POLLIN}, {fd=-1}, {fd=4, events=POLLIN|POLLOUT}], 3, \
         {tv_sec=1, tv_nsec=0}, NULL, 8) = 1 ([{fd=4, revents=POLLIN}], left {tv_sec=0, \
         tv_nsec=999000})"
    );
}

#[test]
fn a_length_the_call_rewrites_shows_before_and_after() {
    let mut entry = TestGuest::new();
    entry.write_u32(0x3000, 128);
    let mut exit = entry.clone();
    exit.write_u32(0x3000, 16);
    assert_eq!(
        line_mem(
            Abi::X86_64,
            "getsockname",
            [3, 0x2000, 0x3000, 0, 0, 0],
            &mut entry,
            &mut exit,
            Some(0)
        ),
        "getsockname(3, 0x2000, [128 => 16]) = 0"
    );
    let mut same = entry.clone();
    assert_eq!(
        line_mem(
            Abi::X86_64,
            "getpeername",
            [3, 0x2000, 0x3000, 0, 0, 0],
            &mut entry,
            &mut same,
            Some(0)
        ),
        "getpeername(3, 0x2000, [128]) = 0"
    );
    // A failed call shows what was given.
    assert_eq!(
        line_mem(
            Abi::X86_64,
            "accept",
            [3, 0x2000, 0x3000, 0, 0, 0],
            &mut entry,
            &mut exit,
            Some(-22)
        ),
        "accept(3, 0x2000, [128]) = -1 EINVAL (Invalid argument)"
    );
}

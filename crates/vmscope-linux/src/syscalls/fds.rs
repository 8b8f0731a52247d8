//! Descriptors in a call, for `--decode-fds` (strace's `-y`): which argument registers hold a
//! descriptor, whether the call returns one, and how a descriptor's name is written after it
//! (`3</etc/fstab>`, quoted as strace quotes it).
//!
//! The names themselves come from the modules that follow descriptors (files, network); this file
//! only says where they go, from the generated tables' argument kinds.

use vmscope_core::event::{Abi, CallId, Handle};

use super::{ArgKind, Call, desc_for};
use crate::uapi::fs;

/// `F_DUPFD` and `F_DUPFD_CLOEXEC`: the `fcntl` commands that return a descriptor.
const F_DUPFD: u64 = 0;
const F_DUPFD_CLOEXEC: u64 = 1030;

/// The argument registers of a call that hold a descriptor (kinds [`ArgKind::Fd`] and
/// [`ArgKind::DirFd`]), with the descriptor: `(register, fd)`. A directory descriptor may be
/// `AT_FDCWD` (the current directory, which strace -y names too: `AT_FDCWD</tmp>`); other negative
/// values are not descriptors and are left out.
pub fn fd_args(
    abi: Abi,
    nr: u64,
    call: Option<CallId>,
    raw: &[u64; 6],
) -> impl Iterator<Item = (usize, Handle)> {
    let kinds = desc_for(abi, nr, call.and_then(Call::from_id)).map_or(&[][..], |d| d.args);
    kinds.iter().take(6).enumerate().filter_map(move |(i, &k)| {
        let fd = raw[i] as u32 as i32;
        match k {
            ArgKind::Fd | ArgKind::DirFd if fd >= 0 => Some((i, Handle::from(fd))),
            ArgKind::DirFd if fd == fs::AT_FDCWD => Some((i, Handle::from(fd))),
            _ => None,
        }
    })
}

/// Whether a call's register `i` is given a descriptor by the call itself (the target of `dup2`):
/// what it names after the call is not what it named when the call was made.
pub fn fd_arg_replaced(call: Option<CallId>, i: usize) -> bool {
    matches!(call.and_then(Call::from_id), Some(Call::Dup2 | Call::Dup3)) && i == 1
}

/// The descriptor a successful call returned, when the call returns one (strace's `RVAL_FD`:
/// `open`, `socket`, `accept`, `dup`, `fcntl(F_DUPFD)`, `eventfd`, `memfd_create`...).
pub fn returned_fd(call: Option<CallId>, raw: &[u64; 6], ret: Option<i64>) -> Option<Handle> {
    use Call as C;
    let ret = ret.filter(|r| (0..=i64::from(i32::MAX)).contains(r))?;
    let yes = match call.and_then(Call::from_id)? {
        C::Open
        | C::Openat
        | C::Openat2
        | C::Creat
        | C::OpenByHandleAt
        | C::Dup
        | C::Dup2
        | C::Dup3
        | C::Socket
        | C::Accept
        | C::Accept4
        | C::EpollCreate
        | C::EpollCreate1
        | C::Eventfd
        | C::Eventfd2
        | C::Signalfd
        | C::Signalfd4
        | C::TimerfdCreate
        | C::InotifyInit
        | C::InotifyInit1
        | C::FanotifyInit
        | C::MemfdCreate
        | C::MemfdSecret
        | C::Userfaultfd
        | C::PerfEventOpen
        | C::PidfdOpen
        | C::PidfdGetfd
        | C::IoUringSetup
        | C::Fsopen
        | C::Fsmount
        | C::Fspick
        | C::OpenTree
        | C::MqOpen
        | C::LandlockCreateRuleset => true,
        C::Fcntl | C::Fcntl64 => matches!(raw[1] & 0xffff_ffff, F_DUPFD | F_DUPFD_CLOEXEC),
        _ => false,
    };
    yes.then_some(ret)
}

/// A descriptor's name as strace writes it after the number: `<` name `>`, a path's bytes quoted as
/// strace quotes a string without its quotes, and `<`, `>` escaped too (`/tmp/a\74b`); a socket's
/// description (`socket:[127.0.0.1:5555->127.0.0.1:7777]`) as it is, as strace prints its socket
/// details.
pub fn write_fd_name(name: &str, out: &mut String) {
    use std::fmt::Write as _;
    let bytes = name.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push('<');
    if name.starts_with("socket:[") {
        out.push_str(name);
        out.push('>');
        return;
    }
    for (i, &c) in bytes.iter().enumerate() {
        match c {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x0c => out.push_str("\\f"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x0b => out.push_str("\\v"),
            b'<' | b'>' => {
                let _ = write!(out, "\\{c:o}");
            }
            0x20..=0x7e => out.push(char::from(c)),
            _ => {
                let next_is_digit = bytes.get(i + 1).is_some_and(|n| (b'0'..=b'7').contains(n));
                if next_is_digit {
                    let _ = write!(out, "\\{c:03o}");
                } else {
                    let _ = write!(out, "\\{c:o}");
                }
            }
        }
    }
    out.push('>');
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use vmscope_core::event::{FdNames, RenderedCall};
    use vmscope_core::guest::TestGuest;

    use super::super::tests::nr;
    use super::super::{DecodeOptions, capture_entry, capture_exit, render_call};
    use super::*;

    /// Captures a call, gives it `names`, renders it; the line as the text journal writes it.
    fn named_line(
        abi: Abi,
        name: &str,
        raw: [u64; 6],
        g: &mut TestGuest,
        ret: i64,
        names: FdNames,
    ) -> (String, RenderedCall) {
        let opts = DecodeOptions::default();
        let n = nr(abi, name);
        let mut c = capture_entry(&opts, abi, n, &raw, g);
        capture_exit(&opts, abi, n, &mut c, Some(ret), None, g);
        c.data.fd_names = Some(Box::new(names));
        let mut r = RenderedCall::default();
        render_call(&opts, abi, n, c.call, &c.raw, &c.data, Some(ret), &mut r);
        let mut s = format!("{}(", r.name);
        r.args_with_fds(&mut s, write_fd_name);
        s.push_str(") = ");
        r.ret_with_fd(&mut s, write_fd_name);
        (s, r)
    }

    fn name(s: &str) -> Option<Arc<str>> {
        Some(Arc::from(s))
    }

    #[test]
    fn named_descriptors_render_as_strace_y() {
        let mut g = TestGuest::new();
        g.write(0x1000, b"# /etc/fstab");
        let mut names = FdNames::default();
        names.args[0] = name("/etc/fstab");
        let (l, r) = named_line(
            Abi::X86_64,
            "read",
            [3, 0x1000, 12, 0, 0, 0],
            &mut g,
            12,
            names,
        );
        assert_eq!(l, r##"read(3</etc/fstab>, "# /etc/fstab", 12) = 12"##);
        // The argument text itself (what JSON's `args` shows) is unchanged.
        assert_eq!(r.args, r##"3, "# /etc/fstab", 12"##);
        assert_eq!(r.fds.len(), 1);
        assert_eq!(r.fds[0].arg, 0);
        // A returned descriptor: after its number.
        g.write(0x2000, b"/etc/fstab\0");
        let names = FdNames {
            ret: name("/etc/fstab"),
            ..FdNames::default()
        };
        let cwd = fs::AT_FDCWD as u32 as u64;
        let (l, _) = named_line(
            Abi::X86_64,
            "openat",
            [cwd, 0x2000, 0, 0, 0, 0],
            &mut g,
            3,
            names,
        );
        assert_eq!(
            l,
            r#"openat(AT_FDCWD, "/etc/fstab", O_RDONLY) = 3</etc/fstab>"#
        );
        // Both of dup2's, a socket's addresses unescaped, an unknown one bare (i386 too).
        let mut names = FdNames::default();
        names.args[0] = name("socket:[127.0.0.1:5555->127.0.0.1:7777]");
        names.ret = name("socket:[127.0.0.1:5555->127.0.0.1:7777]");
        let (l, r) = named_line(Abi::I386, "dup2", [3, 4, 0, 0, 0, 0], &mut g, 4, names);
        assert_eq!(
            l,
            "dup2(3<socket:[127.0.0.1:5555->127.0.0.1:7777]>, 4) = \
             4<socket:[127.0.0.1:5555->127.0.0.1:7777]>"
        );
        assert_eq!(r.args, "3, 4");
        // The second argument of a call: its index among the printed arguments.
        let mut names = FdNames::default();
        names.args[2] = name("/tmp/x");
        g.write(0x3000, b"y\0");
        let (l, r) = named_line(
            Abi::X86_64,
            "renameat2",
            [cwd, 0x3000, 5, 0x3000, 0, 0],
            &mut g,
            0,
            names,
        );
        assert_eq!(l, r#"renameat2(AT_FDCWD, "y", 5</tmp/x>, "y", 0) = 0"#);
        assert_eq!(r.fds[0].arg, 2);
        // A name on a register that is not a descriptor is not shown; an error return shows none.
        let mut names = FdNames::default();
        names.args[2] = name("/nope");
        names.ret = None;
        let (l, _) = named_line(
            Abi::X86_64,
            "read",
            [3, 0x1000, 12, 0, 0, 0],
            &mut g,
            -9,
            names,
        );
        assert_eq!(l, "read(3, 0x1000, 12) = -1 EBADF (Bad file descriptor)");
    }

    fn id(c: Call) -> Option<CallId> {
        Some(c.id())
    }

    #[test]
    fn descriptors_are_the_fd_kinds_and_at_fdcwd() {
        // read(3, ...), x86_64 0.
        let v: Vec<_> =
            fd_args(Abi::X86_64, 0, id(Call::Read), &[3, 0x1000, 10, 0, 0, 0]).collect();
        assert_eq!(v, [(0, 3)]);
        // openat(AT_FDCWD, ...) holds the current directory; openat(5, ...) a descriptor.
        let cwd = fs::AT_FDCWD as u32 as u64;
        let v: Vec<_> =
            fd_args(Abi::X86_64, 257, id(Call::Openat), &[cwd, 0, 0, 0, 0, 0]).collect();
        assert_eq!(v, [(0, -100)]);
        // A descriptor argument holding AT_FDCWD's value is no descriptor.
        let v: Vec<_> = fd_args(Abi::X86_64, 0, id(Call::Read), &[cwd, 0, 0, 0, 0, 0]).collect();
        assert!(v.is_empty());
        let v: Vec<_> = fd_args(Abi::X86_64, 257, id(Call::Openat), &[5, 0, 0, 0, 0, 0]).collect();
        assert_eq!(v, [(0, 5)]);
        // dup2(3, 4): both; a negative value is no descriptor.
        let v: Vec<_> = fd_args(Abi::X86_64, 33, id(Call::Dup2), &[3, 4, 0, 0, 0, 0]).collect();
        assert_eq!(v, [(0, 3), (1, 4)]);
        let v: Vec<_> =
            fd_args(Abi::X86_64, 0, id(Call::Read), &[u64::MAX, 0, 0, 0, 0, 0]).collect();
        assert!(v.is_empty());
        // i386 read is 3; an unknown number holds none.
        let v: Vec<_> = fd_args(Abi::I386, 3, id(Call::Read), &[7, 0, 0, 0, 0, 0]).collect();
        assert_eq!(v, [(0, 7)]);
        assert_eq!(fd_args(Abi::X86_64, 0x1bad, None, &[1; 6]).count(), 0);
        assert!(fd_arg_replaced(id(Call::Dup2), 1));
        assert!(!fd_arg_replaced(id(Call::Dup2), 0));
        assert!(!fd_arg_replaced(id(Call::Read), 1));
    }

    #[test]
    fn calls_that_return_descriptors() {
        let raw = [0u64; 6];
        assert_eq!(returned_fd(id(Call::Openat), &raw, Some(3)), Some(3));
        assert_eq!(returned_fd(id(Call::Socket), &raw, Some(4)), Some(4));
        assert_eq!(returned_fd(id(Call::Openat), &raw, Some(-2)), None);
        assert_eq!(returned_fd(id(Call::Read), &raw, Some(3)), None);
        assert_eq!(returned_fd(id(Call::Openat), &raw, None), None);
        // fcntl returns one for F_DUPFD and F_DUPFD_CLOEXEC only.
        assert_eq!(
            returned_fd(id(Call::Fcntl), &[3, 0, 10, 0, 0, 0], Some(10)),
            Some(10)
        );
        assert_eq!(
            returned_fd(id(Call::Fcntl), &[3, 1030, 10, 0, 0, 0], Some(11)),
            Some(11)
        );
        assert_eq!(
            returned_fd(id(Call::Fcntl), &[3, 3, 0, 0, 0, 0], Some(2)),
            None
        );
    }

    #[test]
    fn names_are_quoted_as_strace_does() {
        let w = |n: &str| {
            let mut s = String::new();
            write_fd_name(n, &mut s);
            s
        };
        assert_eq!(w("/etc/fstab"), "</etc/fstab>");
        assert_eq!(
            w("socket:[127.0.0.1:5555->127.0.0.1:7777]"),
            "<socket:[127.0.0.1:5555->127.0.0.1:7777]>"
        );
        assert_eq!(w("/tmp/a<b>"), "</tmp/a\\74b\\76>");
        assert_eq!(w("/tmp/a b\n\"q\"\\"), "</tmp/a b\\n\\\"q\\\"\\\\>");
        assert_eq!(w("/tmp/\u{1}7"), "</tmp/\\0017>");
        assert_eq!(w("/tmp/\u{1}x"), "</tmp/\\1x>");
        assert_eq!(w("/tmp/é"), "</tmp/\\303\\251>");
    }
}

//! `--decode-fds` over synthetic calls: names taken before the modules apply a call (a closed
//! descriptor keeps its name), returned descriptors named after, sockets by their addresses, and the
//! bare number where nothing is known.

use std::sync::Arc;

use vmscope_core::event::{Abi, CallRender, Event, RenderedCall, ThreadCtx};
use vmscope_core::guest::TestGuest;
use vmscope_core::module::{Bus, Module};
use vmscope_linux::syscalls::{DecodeOptions, Decoder};

use super::FdNamer;
use crate::files::{Files, LinuxFiles};
use crate::kernel::KernelCell;
use crate::network::Network;
use crate::test_support::syscall_event;

const PATH: u64 = 0x10_000;
const ADDR: u64 = 0x11_000;
const BUF: u64 = 0x12_000;
const CWD: u64 = 0xffff_ff9c;

/// The syscall module, the file and network monitors and the journal's naming, in the order a run
/// has them.
struct World {
    g: TestGuest,
    files: Arc<Files>,
    network: Arc<Network>,
    namer: FdNamer,
    decoder: Decoder,
}

impl World {
    fn new(network: bool) -> Self {
        let files = Arc::new(Files::new(
            Box::new(LinuxFiles::new(
                Arc::new(KernelCell::known(None, None)),
                &vmscope_core::arch::x86_64::X86_64,
            )),
            None,
        ));
        let net = Arc::new(Network::new());
        let namer = FdNamer::new();
        namer.set_files(files.clone());
        if network {
            namer.set_network(net.clone());
        }
        World {
            g: TestGuest::new(),
            files,
            network: net,
            namer,
            decoder: Decoder::new(DecodeOptions::default()),
        }
    }

    /// One call of thread `tid` (its own process): its text-journal line.
    fn call(&mut self, abi: Abi, tid: u32, name: &str, raw: [u64; 6], ret: i64) -> String {
        let thread = ThreadCtx {
            pid: Some(tid),
            tid: Some(tid),
            comm: Some("t".into()),
            task: 0x1000 + u64::from(tid),
            asid: 0,
        };
        let mut ev = syscall_event(abi, name, thread, raw, Some(ret), Some(&mut self.g));
        ev.data.fd_names = self.namer.before(&ev);
        let event = Event::Syscall(Box::new(ev));
        let mut bus = Bus::default();
        self.files.on_event(&event, &mut self.g, &mut bus);
        self.network.on_event(&event, &mut self.g, &mut bus);
        let Event::Syscall(mut ev) = event else {
            unreachable!()
        };
        self.namer.after(&mut ev);
        let mut r = RenderedCall::default();
        self.decoder.render(&ev, &mut r);
        let mut s = format!("{}(", r.name);
        r.args_with_fds(&mut s, |n, o| self.decoder.fd_name(n, o));
        s.push_str(") = ");
        r.ret_with_fd(&mut s, |n, o| self.decoder.fd_name(n, o));
        s
    }
}

fn in4(port: u16, a: [u8; 4]) -> Vec<u8> {
    let mut b = vec![2, 0];
    b.extend_from_slice(&port.to_be_bytes());
    b.extend_from_slice(&a);
    b.extend_from_slice(&[0; 8]);
    b
}

#[test]
fn files_are_named_from_open_to_close() {
    let mut w = World::new(true);
    let x = Abi::X86_64;
    w.g.write(PATH, b"/etc/fstab\0");
    assert_eq!(
        w.call(x, 10, "openat", [CWD, PATH, 0, 0, 0, 0], 3),
        r#"openat(AT_FDCWD, "/etc/fstab", O_RDONLY) = 3</etc/fstab>"#
    );
    w.g.write(BUF, b"UUID");
    assert_eq!(
        w.call(x, 10, "read", [3, BUF, 4, 0, 0, 0], 4),
        r#"read(3</etc/fstab>, "UUID", 4) = 4"#
    );
    // dup2 onto an unknown descriptor: the target is bare before, named as returned.
    assert_eq!(
        w.call(x, 10, "dup2", [3, 7, 0, 0, 0, 0], 7),
        "dup2(3</etc/fstab>, 7) = 7</etc/fstab>"
    );
    // close names what it closed; after it the descriptor is bare again.
    assert_eq!(
        w.call(x, 10, "close", [3, 0, 0, 0, 0, 0], 0),
        "close(3</etc/fstab>) = 0"
    );
    assert_eq!(
        w.call(x, 10, "close", [3, 0, 0, 0, 0, 0], -9),
        "close(3) = -1 EBADF (Bad file descriptor)"
    );
    // Another process knows nothing of this one's descriptors.
    assert_eq!(
        w.call(x, 20, "fstat", [7, BUF, 0, 0, 0, 0], -9),
        "fstat(7, 0x12000) = -1 EBADF (Bad file descriptor)"
    );
    // The current directory, once known, names AT_FDCWD.
    w.g.write(PATH, b"/tmp\0");
    assert_eq!(
        w.call(x, 10, "chdir", [PATH, 0, 0, 0, 0, 0], 0),
        r#"chdir("/tmp") = 0"#
    );
    w.g.write(PATH, b"y\0");
    assert_eq!(
        w.call(x, 10, "openat", [CWD, PATH, 0, 0, 0, 0], 4),
        r#"openat(AT_FDCWD</tmp>, "y", O_RDONLY) = 4</tmp/y>"#
    );
    // A relative path under a directory descriptor, i386.
    w.g.write(PATH, b"/tmp\0");
    let l = w.call(Abi::I386, 30, "openat", [CWD, PATH, 0x10000, 0, 0, 0], 5);
    assert!(l.ends_with(" = 5</tmp>"), "{l}");
    w.g.write(PATH, b"x\0");
    let l = w.call(Abi::I386, 30, "openat", [5, PATH, 0o1101, 0o644, 0, 0], 6);
    assert!(l.starts_with(r#"openat(5</tmp>, "x", "#), "{l}");
    assert!(l.ends_with(" = 6</tmp/x>"), "{l}");
}

#[test]
fn sockets_are_named_by_their_addresses() {
    let mut w = World::new(true);
    let x = Abi::X86_64;
    // Before any address the socket is bare (no kernel here to give its inode).
    assert_eq!(
        w.call(x, 10, "socket", [2, 1, 0, 0, 0, 0], 3),
        "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3"
    );
    w.g.write(ADDR, &in4(7777, [127, 0, 0, 1]));
    // connect names the socket at entry as it was (nothing), then it is connected.
    let l = w.call(x, 10, "connect", [3, ADDR, 16, 0, 0, 0], 0);
    assert!(l.starts_with("connect(3, {sa_family=AF_INET"), "{l}");
    w.g.write(BUF, b"hi");
    assert_eq!(
        w.call(x, 10, "write", [3, BUF, 2, 0, 0, 0], 2),
        r#"write(3<socket:[->127.0.0.1:7777]>, "hi", 2) = 2"#
    );
    // getsockname teaches the local address.
    w.g.write(ADDR, &in4(5555, [127, 0, 0, 1]));
    w.g.write_u32(BUF, 16);
    w.call(x, 10, "getsockname", [3, ADDR, BUF, 0, 0, 0], 0);
    assert_eq!(
        w.call(x, 10, "write", [3, BUF, 2, 0, 0, 0], 2),
        r#"write(3<socket:[127.0.0.1:5555->127.0.0.1:7777]>, "\20\0", 2) = 2"#
    );
    // A unix listener on a path.
    assert_eq!(
        w.call(x, 20, "socket", [1, 1, 0, 0, 0, 0], 4),
        "socket(AF_UNIX, SOCK_STREAM, 0) = 4"
    );
    let mut sun = vec![1, 0];
    sun.extend_from_slice(b"/tmp/x.sock\0");
    w.g.write(ADDR, &sun);
    w.call(x, 20, "bind", [4, ADDR, 14, 0, 0, 0], 0);
    assert_eq!(
        w.call(x, 20, "listen", [4, 5, 0, 0, 0, 0], 0),
        "listen(4<socket:[/tmp/x.sock]>, 5) = 0"
    );
    // Without the network monitor a socket is what the file monitor knows: nothing here.
    let mut w = World::new(false);
    w.call(x, 10, "socket", [2, 1, 0, 0, 0, 0], 3);
    w.g.write(ADDR, &in4(7777, [127, 0, 0, 1]));
    w.call(x, 10, "connect", [3, ADDR, 16, 0, 0, 0], 0);
    assert_eq!(
        w.call(x, 10, "listen", [3, 5, 0, 0, 0, 0], 0),
        "listen(3, 5) = 0"
    );
}

#[test]
fn junk_never_panics() {
    let mut w = World::new(true);
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..2000 {
        let nr = next() % 460;
        let Some(d) = vmscope_linux::syscalls::lookup(Abi::X86_64, nr) else {
            continue;
        };
        let raw = [next() % 8, next(), next() % 64, next(), next(), next()];
        let ret = (next() % 12) as i64 - 4;
        let _ = w.call(Abi::X86_64, (next() % 4) as u32 + 1, d.name(), raw, ret);
    }
}

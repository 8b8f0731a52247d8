//! Every named constant of the tables against the C headers installed on this machine.
//!
//! A C program is generated that prints, for every name the headers define, its value; each table
//! states the headers it is checked against. Names the headers do not define (strace's own spellings
//! such as `SIGRT_1`, or constants newer than the installed headers) are listed and allowed, but most
//! names must be found, so the test cannot pass by checking nothing. It needs `cc` and the
//! linux-libc-dev headers (`scripts/install-host-deps.sh` installs both); without them it fails.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::process::Command;

use super::*;

/// The tables, with the headers that define their names.
fn tables() -> Vec<(&'static str, Xlat, &'static [&'static str])> {
    const FCNTL: &[&str] = &[
        "fcntl.h",
        "linux/fcntl.h",
        "asm/fcntl.h",
        "m32:asm/fcntl.h",
        "linux/mount.h",
    ];
    vec![
        ("OPEN_FLAGS", fs::OPEN_FLAGS, &["fcntl.h", "asm/fcntl.h"]),
        ("AT_FLAGS", fs::AT_FLAGS, FCNTL),
        ("ACCESS", fs::ACCESS, &["unistd.h"]),
        ("WHENCE", fs::WHENCE, &["unistd.h"]),
        ("FCNTL_CMDS", fs::FCNTL_CMDS, FCNTL),
        ("STATX_MASK", fs::STATX_MASK, &["linux/stat.h"]),
        ("PROT", mm::PROT, &["sys/mman.h"]),
        ("MAP_FLAGS", mm::MAP_FLAGS, &["sys/mman.h", "linux/mman.h"]),
        ("MREMAP", mm::MREMAP, &["linux/mman.h"]),
        ("MADVISE", mm::MADVISE, &["sys/mman.h", "linux/mman.h"]),
        ("MSYNC", mm::MSYNC, &["sys/mman.h"]),
        ("CLONE_FLAGS", process::CLONE_FLAGS, &["linux/sched.h"]),
        ("WAIT_OPTIONS", process::WAIT_OPTIONS, &["linux/wait.h"]),
        ("RLIMITS", process::RLIMITS, &["sys/resource.h"]),
        ("ARCH_PRCTL", process::ARCH_PRCTL, &["asm/prctl.h"]),
        ("GRND", process::GRND, &["sys/random.h"]),
        ("FUTEX_CMDS", process::FUTEX_CMDS, &["linux/futex.h"]),
        ("SIGNALS", signal::SIGNALS, &["signal.h"]),
        ("SIG_HOW", signal::SIG_HOW, &["signal.h"]),
        ("SA_FLAGS", signal::SA_FLAGS, &["signal.h", "asm/signal.h"]),
        ("FAMILIES", net::FAMILIES, &["sys/socket.h"]),
        ("SOCK_TYPES", net::SOCK_TYPES, &["sys/socket.h"]),
        ("SOCK_FLAGS", net::SOCK_FLAGS, &["sys/socket.h"]),
        ("IPPROTO", net::IPPROTO, &["netinet/in.h"]),
        ("NETLINK", net::NETLINK, &["linux/netlink.h"]),
        ("ETH_PROTOCOLS", net::ETH_PROTOCOLS, &["linux/if_ether.h"]),
        ("ARPHRD", net::ARPHRD, &["linux/if_arp.h"]),
        ("PACKET_TYPES", net::PACKET_TYPES, &["linux/if_packet.h"]),
        ("IFF_FLAGS", net::IFF_FLAGS, &["net/if.h", "linux/if.h"]),
        (
            "MSG_FLAGS",
            net::MSG_FLAGS,
            &["sys/socket.h", "linux/socket.h"],
        ),
        (
            "TCP_OPTIONS",
            net::TCP_OPTIONS,
            &["netinet/tcp.h", "linux/tcp.h"],
        ),
        (
            "UDP_OPTIONS",
            net::UDP_OPTIONS,
            &["netinet/udp.h", "linux/udp.h"],
        ),
        (
            "PACKET_OPTIONS",
            net::PACKET_OPTIONS,
            &["linux/if_packet.h"],
        ),
        (
            "IP_OPTIONS",
            net::IP_OPTIONS,
            &["netinet/in.h", "linux/in.h"],
        ),
        (
            "IPV6_OPTIONS",
            net::IPV6_OPTIONS,
            &["netinet/in.h", "linux/in6.h"],
        ),
        (
            "SOCKET_LEVELS",
            net::SOCKET_LEVELS,
            &["sys/socket.h", "netinet/in.h", "linux/socket.h"],
        ),
        ("ICMP_TYPES", net::ICMP_TYPES, &["linux/icmp.h"]),
        (
            "PACKET_MR_TYPES",
            net::PACKET_MR_TYPES,
            &["linux/if_packet.h"],
        ),
        ("TXREHASH", net::TXREHASH, &["linux/socket.h"]),
        (
            "IP_CMSG_TYPES",
            net::IP_CMSG_TYPES,
            &["netinet/in.h", "linux/in.h", "asm/socket.h"],
        ),
        (
            "SO_OPTIONS",
            net::SO_OPTIONS,
            &["sys/socket.h", "asm/socket.h"],
        ),
        ("SO_GET_OPTIONS", net::SO_GET_OPTIONS, &["asm/socket.h"]),
        ("SO_SET_OPTIONS", net::SO_SET_OPTIONS, &["asm/socket.h"]),
        (
            "SCM_TYPES",
            net::SCM_TYPES,
            &["sys/socket.h", "asm/socket.h"],
        ),
        (
            "IP_GET_OPTIONS",
            net::IP_GET_OPTIONS,
            &[
                "linux/netfilter_ipv4/ip_tables.h",
                "linux/netfilter_arp/arp_tables.h",
                "linux/netfilter_bridge/ebtables.h",
                "linux/ip_vs.h",
            ],
        ),
        (
            "IP_SET_OPTIONS",
            net::IP_SET_OPTIONS,
            &[
                "linux/netfilter_ipv4/ip_tables.h",
                "linux/netfilter_arp/arp_tables.h",
                "linux/netfilter_bridge/ebtables.h",
                "linux/ip_vs.h",
            ],
        ),
        (
            "IPV6_GET_OPTIONS",
            net::IPV6_GET_OPTIONS,
            &["linux/netfilter_ipv6/ip6_tables.h"],
        ),
        (
            "IPV6_SET_OPTIONS",
            net::IPV6_SET_OPTIONS,
            &["linux/netfilter_ipv6/ip6_tables.h"],
        ),
        (
            "NETLINK_OPTIONS",
            net::NETLINK_OPTIONS,
            &["linux/netlink.h"],
        ),
        ("RAW_OPTIONS", net::RAW_OPTIONS, &["linux/icmp.h"]),
        ("SHUT", net::SHUT, &["sys/socket.h"]),
        ("SOCKETCALLS", net::SOCKETCALLS, &["linux/net.h"]),
        ("NFC_SAPS", net::NFC_SAPS, &["sys/socket.h+linux/nfc.h"]),
        (
            "NFC_SOCKADDR_PROTOCOLS",
            net::NFC_SOCKADDR_PROTOCOLS,
            &["sys/socket.h+linux/nfc.h"],
        ),
        (
            "VSOCK_OPTIONS",
            net::VSOCK_OPTIONS,
            &["sys/socket.h+linux/vm_sockets.h"],
        ),
        (
            "CAN_RAW_OPTIONS",
            net::CAN_RAW_OPTIONS,
            &["sys/socket.h+linux/can/raw.h"],
        ),
        (
            "SCTP_OPTIONS",
            net::SCTP_OPTIONS,
            &["stdint.h+sys/socket.h+linux/sctp.h"],
        ),
        (
            "DCCP_OPTIONS",
            net::DCCP_OPTIONS,
            &["sys/socket.h+linux/dccp.h"],
        ),
        (
            "TIPC_OPTIONS",
            net::TIPC_OPTIONS,
            &["sys/socket.h+linux/tipc.h"],
        ),
        (
            "RXRPC_OPTIONS",
            net::RXRPC_OPTIONS,
            &["sys/socket.h+linux/rxrpc.h"],
        ),
        (
            "LLC_OPTIONS",
            net::LLC_OPTIONS,
            &["sys/socket.h+linux/llc.h"],
        ),
        (
            "ALG_OPTIONS",
            net::ALG_OPTIONS,
            &["sys/socket.h+linux/if_alg.h"],
        ),
        (
            "KCM_OPTIONS",
            net::KCM_OPTIONS,
            &["sys/socket.h+linux/kcm.h"],
        ),
        (
            "TLS_OPTIONS",
            net::TLS_OPTIONS,
            &["sys/socket.h+linux/tls.h"],
        ),
        ("XDP_OPTIONS", net::XDP_OPTIONS, &["linux/if_xdp.h"]),
        ("AX25_PROTOCOLS", net::AX25_PROTOCOLS, &["netax25/ax25.h"]),
        (
            "CAN_PROTOCOLS",
            net::CAN_PROTOCOLS,
            &["sys/socket.h+linux/can.h"],
        ),
        ("BT_PROTOCOLS", net::BT_PROTOCOLS, &[]),
        ("ISDN_PROTOCOLS", net::ISDN_PROTOCOLS, &[]),
        (
            "PHONET_PROTOCOLS",
            net::PHONET_PROTOCOLS,
            &["sys/socket.h+linux/phonet.h"],
        ),
        (
            "CAIF_PROTOCOLS",
            net::CAIF_PROTOCOLS,
            &["sys/socket.h+linux/caif/caif_socket.h"],
        ),
        (
            "NFC_PROTOCOLS",
            net::NFC_PROTOCOLS,
            &["sys/socket.h+linux/nfc.h"],
        ),
        (
            "KCM_PROTOCOLS",
            net::KCM_PROTOCOLS,
            &["sys/socket.h+linux/kcm.h"],
        ),
        ("SMC_PROTOCOLS", net::SMC_PROTOCOLS, &[]),
        (
            "VSOCK_CIDS",
            net::VSOCK_CIDS,
            &["sys/socket.h+linux/vm_sockets.h"],
        ),
        (
            "VSOCK_PORTS",
            net::VSOCK_PORTS,
            &["sys/socket.h+linux/vm_sockets.h"],
        ),
        (
            "VSOCK_FLAGS",
            net::VSOCK_FLAGS,
            &["sys/socket.h+linux/vm_sockets.h"],
        ),
        (
            "QRTR_NODES",
            net::QRTR_NODES,
            &["sys/socket.h+linux/qrtr.h"],
        ),
        (
            "QRTR_PORTS",
            net::QRTR_PORTS,
            &["sys/socket.h+linux/qrtr.h"],
        ),
        ("XDP_FLAGS", net::XDP_FLAGS, &["linux/if_xdp.h"]),
        ("MCTP_ADDRS", net::MCTP_ADDRS, &["linux/mctp.h"]),
        ("MCTP_NETS", net::MCTP_NETS, &["linux/mctp.h"]),
        (
            "SOCK_IOCTLS",
            net::SOCK_IOCTLS,
            &["sys/ioctl.h+linux/sockios.h"],
        ),
        (
            "IOCTLS",
            ioctl::IOCTLS,
            &["sys/ioctl.h", "linux/fs.h", "linux/sockios.h", "termios.h"],
        ),
        ("CLOCKS", time::CLOCKS, &["time.h", "linux/time.h"]),
        ("POLL", events::POLL, &["poll.h", "linux/poll.h"]),
    ]
}

/// Single constants, with their headers.
fn scalars() -> Vec<(&'static str, u64, &'static [&'static str])> {
    vec![
        ("O_CREAT", fs::O_CREAT, &["fcntl.h"]),
        ("O_TMPFILE", fs::O_TMPFILE, &["fcntl.h"]),
        ("O_CLOEXEC", fs::O_CLOEXEC, &["fcntl.h"]),
        ("O_DIRECTORY", fs::O_DIRECTORY, &["fcntl.h"]),
        ("O_ACCMODE", fs::O_ACCMODE, &["fcntl.h"]),
        ("AT_FDCWD", fs::AT_FDCWD as i64 as u64, &["fcntl.h"]),
        ("AT_REMOVEDIR", fs::AT_REMOVEDIR, &["fcntl.h"]),
        ("AT_EMPTY_PATH", fs::AT_EMPTY_PATH, &["fcntl.h"]),
        ("F_DUPFD", fs::F_DUPFD, &["fcntl.h"]),
        ("F_GETFD", fs::F_GETFD, &["fcntl.h"]),
        ("F_SETFD", fs::F_SETFD, &["fcntl.h"]),
        ("F_GETFL", fs::F_GETFL, &["fcntl.h"]),
        ("F_SETFL", fs::F_SETFL, &["fcntl.h"]),
        ("F_DUPFD_CLOEXEC", fs::F_DUPFD_CLOEXEC, &["fcntl.h"]),
        ("FD_CLOEXEC", fs::FD_CLOEXEC, &["fcntl.h"]),
        (
            "CLOSE_RANGE_CLOEXEC",
            fs::CLOSE_RANGE_CLOEXEC,
            &["linux/close_range.h"],
        ),
        ("MAP_ANONYMOUS", mm::MAP_ANONYMOUS, &["sys/mman.h"]),
        ("CLONE_VM", process::CLONE_VM, &["linux/sched.h"]),
        ("CLONE_FS", process::CLONE_FS, &["linux/sched.h"]),
        ("CLONE_FILES", process::CLONE_FILES, &["linux/sched.h"]),
        ("CLONE_VFORK", process::CLONE_VFORK, &["linux/sched.h"]),
        ("CLONE_PARENT", process::CLONE_PARENT, &["linux/sched.h"]),
        ("CLONE_THREAD", process::CLONE_THREAD, &["linux/sched.h"]),
        ("CLONE_SETTLS", process::CLONE_SETTLS, &["linux/sched.h"]),
        (
            "CLONE_PARENT_SETTID",
            process::CLONE_PARENT_SETTID,
            &["linux/sched.h"],
        ),
        (
            "CLONE_CHILD_CLEARTID",
            process::CLONE_CHILD_CLEARTID,
            &["linux/sched.h"],
        ),
        (
            "CLONE_CHILD_SETTID",
            process::CLONE_CHILD_SETTID,
            &["linux/sched.h"],
        ),
        ("AT_EXECFN", process::AT_EXECFN, &["elf.h"]),
        ("SIGCHLD", signal::SIGCHLD, &["signal.h"]),
        ("SYS_SOCKET", net::SYS_SOCKET, &["linux/net.h"]),
        ("SYS_ACCEPT", net::SYS_ACCEPT, &["linux/net.h"]),
        ("SYS_SOCKETPAIR", net::SYS_SOCKETPAIR, &["linux/net.h"]),
        ("SYS_ACCEPT4", net::SYS_ACCEPT4, &["linux/net.h"]),
    ]
}

/// Compiles and runs a program printing `name value` for every name in `names` its headers define.
fn header_values(headers: &[&str], names: &[&str]) -> BTreeMap<String, u64> {
    let dir = std::env::temp_dir().join(format!(
        "vmscope-uapi-{}-{}",
        std::process::id(),
        headers.join("-").replace(['/', '.', ':'], "_")
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    // A header written `m32:NAME` is compiled for the 32-bit ABI (values only i386 has).
    let m32 = headers.iter().any(|h| h.starts_with("m32:"));
    let mut c = String::from("#define _GNU_SOURCE\n#include <stdio.h>\n");
    // A header written `A+B` includes `A` first (one that needs another's macros).
    for h in headers {
        for part in h.trim_start_matches("m32:").split('+') {
            let _ = writeln!(c, "#include <{part}>");
        }
    }
    c.push_str("int main(void) {\n");
    for n in names {
        let _ = writeln!(
            c,
            "#ifdef {n}\n printf(\"%s %llu\\n\", \"{n}\", (unsigned long long)({n}));\n#endif"
        );
    }
    c.push_str("return 0; }\n");
    let src = dir.join("uapi.c");
    let bin = dir.join("uapi");
    std::fs::write(&src, c).expect("write C source");
    let cc = Command::new("cc")
        .args(m32.then_some("-m32"))
        .arg("-o")
        .arg(&bin)
        .arg(&src)
        .output()
        .expect("cc not found: install gcc (scripts/install-host-deps.sh)");
    assert!(
        cc.status.success(),
        "cc failed for {headers:?}: {}",
        String::from_utf8_lossy(&cc.stderr)
    );
    let out = Command::new(&bin).output().expect("run the uapi probe");
    let _ = std::fs::remove_dir_all(&dir);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let (n, v) = l.split_once(' ')?;
            Some((n.to_string(), v.parse().ok()?))
        })
        .collect()
}

/// Names that are enum constants in the headers (not macros `#ifdef` sees), checked as values.
const ENUM_NAMES: &[&str] = &[];

#[test]
fn every_named_constant_matches_the_installed_headers() {
    let mut found = 0usize;
    let mut missing = Vec::new();
    let mut wrong = Vec::new();
    for (table, xlat, headers) in tables() {
        let names: Vec<&str> = xlat.iter().map(|&(_, n)| n).collect();
        // One header at a time: glibc's and the kernel's headers do not always mix, and they may
        // differ (glibc's 64-bit `O_LARGEFILE` is 0): a value some header agrees with is right.
        let mut values: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        for h in headers {
            for (n, v) in header_values(&[h], &names) {
                values.entry(n).or_default().push(v);
            }
        }
        for &(v, n) in xlat {
            match values.get(n) {
                // Signed header values (AT_FDCWD) compare as the same bits.
                Some(hv) if hv.iter().any(|&h| h == v || h as u32 as u64 == v) => found += 1,
                Some(hv) => wrong.push(format!("{table}: {n} is {v:#x}, headers say {hv:x?}")),
                None if ENUM_NAMES.contains(&n) => {}
                None => missing.push(format!("{table}: {n}")),
            }
        }
    }
    for (n, v, headers) in scalars() {
        let values = header_values(headers, &[n]);
        match values.get(n) {
            Some(&hv) if hv == v || hv as u32 as u64 == v as u32 as u64 => found += 1,
            Some(&hv) => wrong.push(format!("{n} is {v:#x}, headers say {hv:#x}")),
            None => missing.push(n.to_string()),
        }
    }
    assert!(
        wrong.is_empty(),
        "values differ from the headers:\n{}",
        wrong.join("\n")
    );
    let total = found + missing.len();
    eprintln!(
        "{found} of {total} names checked against the headers; not in them: {}",
        missing.join(", ")
    );
    assert!(
        found * 10 >= total * 8,
        "only {found} of {total} names found in the headers: {}",
        missing.join(", ")
    );
}

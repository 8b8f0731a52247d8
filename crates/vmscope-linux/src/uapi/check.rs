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
        ("KD_KEY_TABLES", ioctl::KD_KEY_TABLES, &["linux/keyboard.h"]),
        (
            "KD_KEYMAP_BITS",
            ioctl::KD_KEYMAP_BITS,
            &["linux/keyboard.h"],
        ),
        ("KD_KEY_TYPES", ioctl::KD_KEY_TYPES, &["linux/keyboard.h"]),
        ("RESOURCE_FLAGS", ipc::RESOURCE_FLAGS, &["sys/ipc.h"]),
        (
            "SHM_RESOURCE_FLAGS",
            ipc::SHM_RESOURCE_FLAGS,
            &["sys/shm.h"],
        ),
        (
            "IPC_MSG_FLAGS",
            ipc::IPC_MSG_FLAGS,
            &["sys/msg.h", "linux/msg.h"],
        ),
        ("SEMOP_FLAGS", ipc::SEMOP_FLAGS, &["sys/sem.h"]),
        (
            "MSGCTL_FLAGS",
            ipc::MSGCTL_FLAGS,
            &["sys/msg.h", "linux/msg.h"],
        ),
        (
            "SEMCTL_FLAGS",
            ipc::SEMCTL_FLAGS,
            &["sys/sem.h", "linux/sem.h"],
        ),
        (
            "SHMCTL_FLAGS",
            ipc::SHMCTL_FLAGS,
            &["sys/shm.h", "linux/shm.h"],
        ),
        ("SHM_FLAGS", ipc::SHM_FLAGS, &["sys/shm.h"]),
        ("SIGEV_NOTIFY", ipc::SIGEV_NOTIFY, &["signal.h"]),
        (
            "MLOCK_FLAGS",
            mm::MLOCK_FLAGS,
            &["sys/mman.h", "linux/mman.h"],
        ),
        ("MLOCKALL_FLAGS", mm::MLOCKALL_FLAGS, &["sys/mman.h"]),
        ("MPOL_MODES", mm::MPOL_MODES, &["linux/mempolicy.h"]),
        (
            "MPOL_MODE_FLAGS",
            mm::MPOL_MODE_FLAGS,
            &["linux/mempolicy.h"],
        ),
        ("MBIND_FLAGS", mm::MBIND_FLAGS, &["linux/mempolicy.h"]),
        (
            "GET_MEMPOLICY_FLAGS",
            mm::GET_MEMPOLICY_FLAGS,
            &["linux/mempolicy.h"],
        ),
        ("PKEY_ACCESS", mm::PKEY_ACCESS, &["sys/mman.h"]),
        (
            "MOVE_PAGES_FLAGS",
            mm::MOVE_PAGES_FLAGS,
            &["linux/mempolicy.h"],
        ),
        ("FSMAGIC", fs::FSMAGIC, &["linux/magic.h"]),
        ("STATFS_FLAGS", fs::STATFS_FLAGS, &["sys/statvfs.h"]),
        ("RENAME_FLAGS", fs::RENAME_FLAGS, &["linux/fs.h"]),
        ("FALLOC_FLAGS", fs::FALLOC_FLAGS, &["linux/falloc.h"]),
        ("FADVISE", fs::FADVISE, &["fcntl.h"]),
        (
            "SYNC_FILE_RANGE_FLAGS",
            fs::SYNC_FILE_RANGE_FLAGS,
            &["fcntl.h"],
        ),
        (
            "FLOCK_OPS",
            fs::FLOCK_OPS,
            &["sys/file.h", "asm-generic/fcntl.h"],
        ),
        (
            "LOCK_TYPES",
            fs::LOCK_TYPES,
            &["fcntl.h", "asm-generic/fcntl.h"],
        ),
        ("F_OWNER_TYPES", fs::F_OWNER_TYPES, &["fcntl.h"]),
        ("DN_FLAGS", fs::DN_FLAGS, &["fcntl.h"]),
        ("F_SEALS", fs::F_SEALS, &["fcntl.h", "linux/fcntl.h"]),
        ("MFD_FLAGS", fs::MFD_FLAGS, &["sys/mman.h", "linux/memfd.h"]),
        (
            "CLOSE_RANGE_FLAGS",
            fs::CLOSE_RANGE_FLAGS,
            &["linux/close_range.h"],
        ),
        ("SPLICE_FLAGS", fs::SPLICE_FLAGS, &["fcntl.h"]),
        ("XATTR_FLAGS", fs::XATTR_FLAGS, &["sys/xattr.h"]),
        ("RESOLVE_FLAGS", fs::RESOLVE_FLAGS, &["linux/openat2.h"]),
        ("FACCESSAT_FLAGS", fs::FACCESSAT_FLAGS, &["fcntl.h"]),
        ("HANDLE_AT_FLAGS", fs::HANDLE_AT_FLAGS, &["fcntl.h"]),
        ("PRCTL_OPTIONS", proc::PRCTL_OPTIONS, &["linux/prctl.h"]),
        ("PR_DUMPABLE", proc::PR_DUMPABLE, &["linux/prctl.h"]),
        ("PR_TSC", proc::PR_TSC, &["linux/prctl.h"]),
        ("PR_UNALIGN", proc::PR_UNALIGN, &["linux/prctl.h"]),
        ("PR_MCE_KILL", proc::PR_MCE_KILL, &["linux/prctl.h"]),
        (
            "PR_MCE_KILL_POLICY",
            proc::PR_MCE_KILL_POLICY,
            &["linux/prctl.h"],
        ),
        ("PR_SET_MM", proc::PR_SET_MM, &["linux/prctl.h"]),
        ("PR_SET_VMA", proc::PR_SET_VMA, &["linux/prctl.h"]),
        ("PR_SPEC_CMDS", proc::PR_SPEC_CMDS, &["linux/prctl.h"]),
        ("PR_SPEC_GET", proc::PR_SPEC_GET, &["linux/prctl.h"]),
        ("PR_SPEC_SET", proc::PR_SPEC_SET, &["linux/prctl.h"]),
        ("PR_CAP_AMBIENT", proc::PR_CAP_AMBIENT, &["linux/prctl.h"]),
        ("PR_SUD_CMDS", proc::PR_SUD_CMDS, &["linux/prctl.h"]),
        (
            "PR_SCHED_CORE_CMDS",
            proc::PR_SCHED_CORE_CMDS,
            &["linux/prctl.h"],
        ),
        ("PR_FP_MODE", proc::PR_FP_MODE, &["linux/prctl.h"]),
        ("PR_MTE_TCF", proc::PR_MTE_TCF, &["linux/prctl.h"]),
        ("PR_PAC_KEYS", proc::PR_PAC_KEYS, &["linux/prctl.h"]),
        (
            "PR_PAC_ENABLED_KEYS",
            proc::PR_PAC_ENABLED_KEYS,
            &["linux/prctl.h"],
        ),
        ("SECCOMP_MODE", proc::SECCOMP_MODE, &["linux/seccomp.h"]),
        ("SECBITS", proc::SECBITS, &["linux/securebits.h"]),
        ("CAP_VERSION", proc::CAP_VERSION, &["linux/capability.h"]),
        ("CAPS", proc::CAPS, &["linux/capability.h"]),
        (
            "SCHEDULERS",
            proc::SCHEDULERS,
            &["sched.h", "linux/sched.h"],
        ),
        ("SCHED_FLAGS", proc::SCHED_FLAGS, &["linux/sched.h"]),
        ("USAGEWHO", proc::USAGEWHO, &["sys/resource.h"]),
        ("PRIORITIES", proc::PRIORITIES, &["sys/resource.h"]),
        ("IOPRIO_WHO", proc::IOPRIO_WHO, &["linux/ioprio.h"]),
        ("IOPRIO_CLASS", proc::IOPRIO_CLASS, &["linux/ioprio.h"]),
        ("KCMP_TYPES", proc::KCMP_TYPES, &["linux/kcmp.h"]),
        (
            "PERSONALITY_TYPES",
            proc::PERSONALITY_TYPES,
            &["sys/personality.h"],
        ),
        (
            "PERSONALITY_FLAGS",
            proc::PERSONALITY_FLAGS,
            &["sys/personality.h"],
        ),
        (
            "MEMBARRIER_CMDS",
            proc::MEMBARRIER_CMDS,
            &["linux/membarrier.h"],
        ),
        (
            "MEMBARRIER_FLAGS",
            proc::MEMBARRIER_FLAGS,
            &["linux/membarrier.h"],
        ),
        ("SECCOMP_OPS", proc::SECCOMP_OPS, &["linux/seccomp.h"]),
        ("BPF_CMDS", proc::BPF_CMDS, &["linux/bpf.h"]),
        (
            "UFFD_FLAGS",
            proc::UFFD_FLAGS,
            &["fcntl.h", "linux/userfaultfd.h"],
        ),
        ("FSMOUNT_FLAGS", fs::FSMOUNT_FLAGS, &["linux/mount.h"]),
        ("MOUNT_ATTR_FLAGS", fs::MOUNT_ATTR_FLAGS, &["linux/mount.h"]),
        ("FSCONFIG_CMDS", fs::FSCONFIG_CMDS, &["linux/mount.h"]),
        (
            "LANDLOCK_RULE_TYPES",
            fs::LANDLOCK_RULE_TYPES,
            &["linux/landlock.h"],
        ),
        (
            "LANDLOCK_CREATE_RULESET_FLAGS",
            fs::LANDLOCK_CREATE_RULESET_FLAGS,
            &["linux/landlock.h"],
        ),
        (
            "SECCOMP_FILTER_FLAGS",
            proc::SECCOMP_FILTER_FLAGS,
            &["linux/seccomp.h"],
        ),
        (
            "SECCOMP_RET_ACTION",
            proc::SECCOMP_RET_ACTION,
            &["linux/seccomp.h"],
        ),
        ("BOOTFLAGS1", proc::BOOTFLAGS1, &["linux/reboot.h"]),
        ("BOOTFLAGS2", proc::BOOTFLAGS2, &["linux/reboot.h"]),
        ("BOOTFLAGS3", proc::BOOTFLAGS3, &["linux/reboot.h"]),
        (
            "MOUNT_FLAGS",
            proc::MOUNT_FLAGS,
            &["sys/mount.h", "linux/mount.h"],
        ),
        ("UMOUNT_FLAGS", proc::UMOUNT_FLAGS, &["sys/mount.h"]),
        (
            "PIDFD_OPEN_FLAGS",
            proc::PIDFD_OPEN_FLAGS,
            &["linux/pidfd.h"],
        ),
        ("CLONE3_FLAGS", proc::CLONE3_FLAGS, &["linux/sched.h"]),
        ("SETNS_TYPES", proc::SETNS_TYPES, &["linux/sched.h"]),
        ("UNSHARE_FLAGS", proc::UNSHARE_FLAGS, &["linux/sched.h"]),
        ("CLOCKS", time::CLOCKS, &["time.h", "linux/time.h"]),
        ("POLL", events::POLL, &["poll.h", "linux/poll.h"]),
        ("EPOLL_FLAGS", events::EPOLL_FLAGS, &["sys/epoll.h"]),
        ("EPOLL_EVENTS", events::EPOLL_EVENTS, &["sys/epoll.h"]),
        ("EPOLL_CTLS", events::EPOLL_CTLS, &["sys/epoll.h"]),
        ("EFD_FLAGS", events::EFD_FLAGS, &["sys/eventfd.h"]),
        ("TFD_FLAGS", events::TFD_FLAGS, &["sys/timerfd.h"]),
        ("SFD_FLAGS", events::SFD_FLAGS, &["sys/signalfd.h"]),
        (
            "INOTIFY_MASK",
            events::INOTIFY_MASK,
            &["sys/inotify.h", "linux/inotify.h"],
        ),
        (
            "INOTIFY_INIT_FLAGS",
            events::INOTIFY_INIT_FLAGS,
            &["sys/inotify.h"],
        ),
        ("FAN_CLASSES", events::FAN_CLASSES, &["linux/fanotify.h"]),
        (
            "FAN_INIT_FLAGS",
            events::FAN_INIT_FLAGS,
            &["linux/fanotify.h"],
        ),
        (
            "FAN_MARK_FLAGS",
            events::FAN_MARK_FLAGS,
            &["linux/fanotify.h"],
        ),
        ("FAN_EVENTS", events::FAN_EVENTS, &["linux/fanotify.h"]),
        ("CLOCK_FLAGS", time::CLOCK_FLAGS, &["time.h"]),
        ("ITIMER_WHICH", time::ITIMER_WHICH, &["sys/time.h"]),
        (
            "ADJTIMEX_MODES",
            time::ADJTIMEX_MODES,
            &["sys/timex.h", "linux/timex.h"],
        ),
        (
            "ADJTIMEX_STATUS",
            time::ADJTIMEX_STATUS,
            &["sys/timex.h", "linux/timex.h"],
        ),
        ("ADJTIMEX_STATE", time::ADJTIMEX_STATE, &["sys/timex.h"]),
        (
            "SS_FLAGS",
            signal::SS_FLAGS,
            &["signal.h", "linux/signal.h"],
        ),
        ("SIGEV_NOTIFY", signal::SIGEV_NOTIFY, &["signal.h"]),
        ("SI_CODES", signal::SI_CODES, &["signal.h"]),
        ("SIGCHLD_CODES", signal::SIGCHLD_CODES, &["signal.h"]),
        ("SIGTRAP_CODES", signal::SIGTRAP_CODES, &["signal.h"]),
        ("SIGSEGV_CODES", signal::SIGSEGV_CODES, &["signal.h"]),
        ("SIGBUS_CODES", signal::SIGBUS_CODES, &["signal.h"]),
        ("SIGILL_CODES", signal::SIGILL_CODES, &["signal.h"]),
        ("SIGFPE_CODES", signal::SIGFPE_CODES, &["signal.h"]),
        ("SIGPOLL_CODES", signal::SIGPOLL_CODES, &["signal.h"]),
        ("SIGPROF_CODES", signal::SIGPROF_CODES, &["signal.h"]),
        ("SIGSYS_CODES", signal::SIGSYS_CODES, &["signal.h"]),
        ("AUDIT_ARCHES", signal::AUDIT_ARCHES, &["linux/audit.h"]),
        ("WAITID_TYPES", signal::WAITID_TYPES, &["linux/wait.h"]),
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
        ("SIGEV_SIGNAL", signal::SIGEV_SIGNAL, &["signal.h"]),
        ("SIGEV_THREAD", signal::SIGEV_THREAD, &["signal.h"]),
        ("SIGEV_THREAD_ID", signal::SIGEV_THREAD_ID, &["signal.h"]),
        ("SI_USER", signal::SI_USER as i64 as u64, &["signal.h"]),
        ("SI_TIMER", signal::SI_TIMER as i64 as u64, &["signal.h"]),
        ("SI_SIGIO", signal::SI_SIGIO as i64 as u64, &["signal.h"]),
        ("SI_TKILL", signal::SI_TKILL as i64 as u64, &["signal.h"]),
        ("CLD_EXITED", signal::CLD_EXITED as u64, &["signal.h"]),
        ("SEGV_BNDERR", signal::SEGV_BNDERR as u64, &["signal.h"]),
        ("SEGV_PKUERR", signal::SEGV_PKUERR as u64, &["signal.h"]),
        ("BUS_MCEERR_AR", signal::BUS_MCEERR[0] as u64, &["signal.h"]),
        ("BUS_MCEERR_AO", signal::BUS_MCEERR[1] as u64, &["signal.h"]),
        ("EPOLL_CTL_DEL", events::EPOLL_CTL_DEL, &["sys/epoll.h"]),
        (
            "FAN_NOFD",
            events::FAN_NOFD as i64 as u64,
            &["linux/fanotify.h"],
        ),
        ("SYS_SOCKET", net::SYS_SOCKET, &["linux/net.h"]),
        ("SYS_ACCEPT", net::SYS_ACCEPT, &["linux/net.h"]),
        ("SYS_SOCKETPAIR", net::SYS_SOCKETPAIR, &["linux/net.h"]),
        ("SYS_ACCEPT4", net::SYS_ACCEPT4, &["linux/net.h"]),
    ]
}

/// Compiles and runs a program printing `name value` for every name in `names` its headers define.
fn header_values(headers: &[&str], names: &[&str]) -> BTreeMap<String, u64> {
    probe(headers, names, false)
}

/// Like [`header_values`] for enum constants, which `#ifdef` cannot see: printed unconditionally,
/// so a name the header lacks fails to compile (and the test).
fn enum_values(header: &str, names: &[&str]) -> BTreeMap<String, u64> {
    probe(&[header], names, true)
}

fn probe(headers: &[&str], names: &[&str], enums: bool) -> BTreeMap<String, u64> {
    let dir = std::env::temp_dir().join(format!(
        "vmscope-uapi-{}-{}{}",
        std::process::id(),
        headers.join("-").replace(['/', '.', ':'], "_"),
        if enums { "-enums" } else { "" }
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
        let print = format!("printf(\"%s %llu\\n\", \"{n}\", (unsigned long long)({n}));");
        if enums {
            let _ = writeln!(c, " {print}");
        } else {
            let _ = writeln!(c, "#ifdef {n}\n {print}\n#endif");
        }
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

/// Names that are enum constants in the headers (not macros `#ifdef` sees), with the header that
/// declares them: checked as values by [`enum_values`].
const ENUMS: &[(&str, &[&str])] = &[
    ("fcntl.h", &["F_OWNER_TID", "F_OWNER_PID", "F_OWNER_PGRP"]),
    (
        "linux/mempolicy.h",
        &[
            "MPOL_DEFAULT",
            "MPOL_PREFERRED",
            "MPOL_BIND",
            "MPOL_INTERLEAVE",
            "MPOL_LOCAL",
            "MPOL_PREFERRED_MANY",
        ],
    ),
    (
        "linux/kcmp.h",
        &[
            "KCMP_FILE",
            "KCMP_VM",
            "KCMP_FILES",
            "KCMP_FS",
            "KCMP_SIGHAND",
            "KCMP_IO",
            "KCMP_SYSVSEM",
            "KCMP_EPOLL_TFD",
        ],
    ),
    (
        "linux/ioprio.h",
        &[
            "IOPRIO_WHO_PROCESS",
            "IOPRIO_WHO_PGRP",
            "IOPRIO_WHO_USER",
            "IOPRIO_CLASS_NONE",
            "IOPRIO_CLASS_RT",
            "IOPRIO_CLASS_BE",
            "IOPRIO_CLASS_IDLE",
        ],
    ),
    (
        "sys/personality.h",
        &[
            "PER_LINUX",
            "PER_BSD",
            "PER_LINUX32",
            "PER_RISCOS",
            "PER_OSF4",
            "PER_HPUX",
            "PER_MASK",
            "UNAME26",
            "ADDR_NO_RANDOMIZE",
            "FDPIC_FUNCPTRS",
            "MMAP_PAGE_ZERO",
            "ADDR_COMPAT_LAYOUT",
            "READ_IMPLIES_EXEC",
            "ADDR_LIMIT_32BIT",
            "SHORT_INODE",
            "WHOLE_SECONDS",
            "STICKY_TIMEOUTS",
            "ADDR_LIMIT_3GB",
        ],
    ),
    (
        "linux/membarrier.h",
        &[
            "MEMBARRIER_CMD_QUERY",
            "MEMBARRIER_CMD_GLOBAL",
            "MEMBARRIER_CMD_GLOBAL_EXPEDITED",
            "MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED",
            "MEMBARRIER_CMD_PRIVATE_EXPEDITED",
            "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED",
            "MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE",
            "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE",
            "MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ",
            "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ",
            "MEMBARRIER_CMD_FLAG_CPU",
        ],
    ),
];

#[test]
fn every_named_constant_matches_the_installed_headers() {
    let mut found = 0usize;
    let mut missing = Vec::new();
    let mut wrong = Vec::new();
    let mut enums: BTreeMap<String, u64> = BTreeMap::new();
    for (header, names) in ENUMS {
        enums.extend(enum_values(header, names));
    }
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
        for n in &names {
            if let Some(&v) = enums.get(*n) {
                values.entry(n.to_string()).or_default().push(v);
            }
        }
        for &(v, n) in xlat {
            match values.get(n) {
                // Signed header values (AT_FDCWD) compare as the same bits.
                Some(hv) if hv.iter().any(|&h| h == v || h as u32 as u64 == v) => found += 1,
                Some(hv) => wrong.push(format!("{table}: {n} is {v:#x}, headers say {hv:x?}")),
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

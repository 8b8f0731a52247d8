//! Networking constants: address families, socket types, protocols.

use super::Xlat;

/// `socketcall`'s `SYS_SOCKET`.
pub const SYS_SOCKET: u64 = 1;
/// `SYS_ACCEPT`.
pub const SYS_ACCEPT: u64 = 5;
/// `SYS_SOCKETPAIR`.
pub const SYS_SOCKETPAIR: u64 = 8;
/// `SYS_ACCEPT4`.
pub const SYS_ACCEPT4: u64 = 18;

/// `AF_*` address families.
pub const FAMILIES: Xlat = &[
    (0, "AF_UNSPEC"),
    (1, "AF_UNIX"),
    (2, "AF_INET"),
    (3, "AF_AX25"),
    (4, "AF_IPX"),
    (5, "AF_APPLETALK"),
    (6, "AF_NETROM"),
    (7, "AF_BRIDGE"),
    (8, "AF_ATMPVC"),
    (9, "AF_X25"),
    (10, "AF_INET6"),
    (11, "AF_ROSE"),
    (12, "AF_DECnet"),
    (13, "AF_NETBEUI"),
    (14, "AF_SECURITY"),
    (15, "AF_KEY"),
    (16, "AF_NETLINK"),
    (17, "AF_PACKET"),
    (18, "AF_ASH"),
    (19, "AF_ECONET"),
    (20, "AF_ATMSVC"),
    (21, "AF_RDS"),
    (22, "AF_SNA"),
    (23, "AF_IRDA"),
    (24, "AF_PPPOX"),
    (25, "AF_WANPIPE"),
    (26, "AF_LLC"),
    (27, "AF_IB"),
    (28, "AF_MPLS"),
    (29, "AF_CAN"),
    (30, "AF_TIPC"),
    (31, "AF_BLUETOOTH"),
    (32, "AF_IUCV"),
    (33, "AF_RXRPC"),
    (34, "AF_ISDN"),
    (35, "AF_PHONET"),
    (36, "AF_IEEE802154"),
    (37, "AF_CAIF"),
    (38, "AF_ALG"),
    (39, "AF_NFC"),
    (40, "AF_VSOCK"),
    (41, "AF_KCM"),
    (42, "AF_QIPCRTR"),
    (43, "AF_SMC"),
    (44, "AF_XDP"),
    (45, "AF_MCTP"),
];

/// `SOCK_*` socket types.
pub const SOCK_TYPES: Xlat = &[
    (1, "SOCK_STREAM"),
    (2, "SOCK_DGRAM"),
    (3, "SOCK_RAW"),
    (4, "SOCK_RDM"),
    (5, "SOCK_SEQPACKET"),
    (6, "SOCK_DCCP"),
    (10, "SOCK_PACKET"),
];

/// `SOCK_CLOEXEC`/`SOCK_NONBLOCK`.
pub const SOCK_FLAGS: Xlat = &[(0o2000000, "SOCK_CLOEXEC"), (0o4000, "SOCK_NONBLOCK")];

/// `IPPROTO_*`.
pub const IPPROTO: Xlat = &[
    (0, "IPPROTO_IP"),
    (1, "IPPROTO_ICMP"),
    (2, "IPPROTO_IGMP"),
    (4, "IPPROTO_IPIP"),
    (6, "IPPROTO_TCP"),
    (8, "IPPROTO_EGP"),
    (12, "IPPROTO_PUP"),
    (17, "IPPROTO_UDP"),
    (22, "IPPROTO_IDP"),
    (29, "IPPROTO_TP"),
    (33, "IPPROTO_DCCP"),
    (41, "IPPROTO_IPV6"),
    (46, "IPPROTO_RSVP"),
    (47, "IPPROTO_GRE"),
    (50, "IPPROTO_ESP"),
    (51, "IPPROTO_AH"),
    (58, "IPPROTO_ICMPV6"),
    (92, "IPPROTO_MTP"),
    (94, "IPPROTO_BEETPH"),
    (98, "IPPROTO_ENCAP"),
    (103, "IPPROTO_PIM"),
    (108, "IPPROTO_COMP"),
    (115, "IPPROTO_L2TP"),
    (132, "IPPROTO_SCTP"),
    (136, "IPPROTO_UDPLITE"),
    (137, "IPPROTO_MPLS"),
    (143, "IPPROTO_ETHERNET"),
    (255, "IPPROTO_RAW"),
    (262, "IPPROTO_MPTCP"),
];

/// `NETLINK_*` protocols.
pub const NETLINK: Xlat = &[
    (0, "NETLINK_ROUTE"),
    (1, "NETLINK_UNUSED"),
    (2, "NETLINK_USERSOCK"),
    (3, "NETLINK_FIREWALL"),
    (4, "NETLINK_SOCK_DIAG"),
    (5, "NETLINK_NFLOG"),
    (6, "NETLINK_XFRM"),
    (7, "NETLINK_SELINUX"),
    (8, "NETLINK_ISCSI"),
    (9, "NETLINK_AUDIT"),
    (10, "NETLINK_FIB_LOOKUP"),
    (11, "NETLINK_CONNECTOR"),
    (12, "NETLINK_NETFILTER"),
    (13, "NETLINK_IP6_FW"),
    (14, "NETLINK_DNRTMSG"),
    (15, "NETLINK_KOBJECT_UEVENT"),
    (16, "NETLINK_GENERIC"),
    (18, "NETLINK_SCSITRANSPORT"),
    (19, "NETLINK_ECRYPTFS"),
    (20, "NETLINK_RDMA"),
    (21, "NETLINK_CRYPTO"),
    (22, "NETLINK_SMC"),
];

//! Networking constants: address families, socket types and protocols, message flags, control
//! messages, socket option levels and names, packet and interface constants, socket `ioctl`s — in
//! strace 6.1's order (its `xlat/*.in`), checked against the installed headers by `check`.

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

/// `IPPROTO_*` (strace's `inet_protocols`).
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
    (43, "IPPROTO_ROUTING"),
    (44, "IPPROTO_FRAGMENT"),
    (46, "IPPROTO_RSVP"),
    (47, "IPPROTO_GRE"),
    (50, "IPPROTO_ESP"),
    (51, "IPPROTO_AH"),
    (58, "IPPROTO_ICMPV6"),
    (59, "IPPROTO_NONE"),
    (60, "IPPROTO_DSTOPTS"),
    (92, "IPPROTO_MTP"),
    (94, "IPPROTO_BEETPH"),
    (98, "IPPROTO_ENCAP"),
    (103, "IPPROTO_PIM"),
    (108, "IPPROTO_COMP"),
    (115, "IPPROTO_L2TP"),
    (132, "IPPROTO_SCTP"),
    (135, "IPPROTO_MH"),
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

/// `ETH_P_*` (strace's `ethernet_protocols`, sorted by value).
pub const ETH_PROTOCOLS: Xlat = &[
    (1, "ETH_P_802_3"),
    (2, "ETH_P_AX25"),
    (3, "ETH_P_ALL"),
    (4, "ETH_P_802_2"),
    (5, "ETH_P_SNAP"),
    (6, "ETH_P_DDCMP"),
    (7, "ETH_P_WAN_PPP"),
    (8, "ETH_P_PPP_MP"),
    (9, "ETH_P_LOCALTALK"),
    (0xc, "ETH_P_CAN"),
    (0xd, "ETH_P_CANFD"),
    (0xe, "ETH_P_CANXL"),
    (0x10, "ETH_P_PPPTALK"),
    (0x11, "ETH_P_TR_802_2"),
    (0x15, "ETH_P_MOBITEX"),
    (0x16, "ETH_P_CONTROL"),
    (0x17, "ETH_P_IRDA"),
    (0x18, "ETH_P_ECONET"),
    (0x19, "ETH_P_HDLC"),
    (0x1a, "ETH_P_ARCNET"),
    (0x1b, "ETH_P_DSA"),
    (0x1c, "ETH_P_TRAILER"),
    (0x60, "ETH_P_LOOP"),
    (0xf5, "ETH_P_PHONET"),
    (0xf6, "ETH_P_IEEE802154"),
    (0xf7, "ETH_P_CAIF"),
    (0xf8, "ETH_P_XDSA"),
    (0xf9, "ETH_P_MAP"),
    (0xfa, "ETH_P_MCTP"),
    (0x200, "ETH_P_PUP"),
    (0x201, "ETH_P_PUPAT"),
    (0x600, "ETH_P_802_3_MIN"),
    (0x800, "ETH_P_IP"),
    (0x805, "ETH_P_X25"),
    (0x806, "ETH_P_ARP"),
    (0x8ff, "ETH_P_BPQ"),
    (0xa00, "ETH_P_IEEEPUP"),
    (0xa01, "ETH_P_IEEEPUPAT"),
    (0x22eb, "ETH_P_ERSPAN2"),
    (0x22f0, "ETH_P_TSN"),
    (0x4305, "ETH_P_BATMAN"),
    (0x6000, "ETH_P_DEC"),
    (0x6001, "ETH_P_DNA_DL"),
    (0x6002, "ETH_P_DNA_RC"),
    (0x6003, "ETH_P_DNA_RT"),
    (0x6004, "ETH_P_LAT"),
    (0x6005, "ETH_P_DIAG"),
    (0x6006, "ETH_P_CUST"),
    (0x6007, "ETH_P_SCA"),
    (0x6558, "ETH_P_TEB"),
    (0x8035, "ETH_P_RARP"),
    (0x809b, "ETH_P_ATALK"),
    (0x80f3, "ETH_P_AARP"),
    (0x8100, "ETH_P_8021Q"),
    (0x8137, "ETH_P_IPX"),
    (0x86dd, "ETH_P_IPV6"),
    (0x8808, "ETH_P_PAUSE"),
    (0x8809, "ETH_P_SLOW"),
    (0x883e, "ETH_P_WCCP"),
    (0x8847, "ETH_P_MPLS_UC"),
    (0x8848, "ETH_P_MPLS_MC"),
    (0x884c, "ETH_P_ATMMPOA"),
    (0x8863, "ETH_P_PPP_DISC"),
    (0x8864, "ETH_P_PPP_SES"),
    (0x886c, "ETH_P_LINK_CTL"),
    (0x8884, "ETH_P_ATMFATE"),
    (0x888e, "ETH_P_PAE"),
    (0x8899, "ETH_P_REALTEK"),
    (0x88a2, "ETH_P_AOE"),
    (0x88a8, "ETH_P_8021AD"),
    (0x88b5, "ETH_P_802_EX1"),
    (0x88be, "ETH_P_ERSPAN"),
    (0x88c7, "ETH_P_PREAUTH"),
    (0x88ca, "ETH_P_TIPC"),
    (0x88cc, "ETH_P_LLDP"),
    (0x88e3, "ETH_P_MRP"),
    (0x88e5, "ETH_P_MACSEC"),
    (0x88e7, "ETH_P_8021AH"),
    (0x88f5, "ETH_P_MVRP"),
    (0x88f7, "ETH_P_1588"),
    (0x88f8, "ETH_P_NCSI"),
    (0x88fb, "ETH_P_PRP"),
    (0x8902, "ETH_P_CFM"),
    (0x8906, "ETH_P_FCOE"),
    (0x890d, "ETH_P_TDLS"),
    (0x8914, "ETH_P_FIP"),
    (0x8915, "ETH_P_IBOE"),
    (0x8917, "ETH_P_80221"),
    (0x892f, "ETH_P_HSR"),
    (0x894f, "ETH_P_NSH"),
    (0x9000, "ETH_P_LOOPBACK"),
    (0x9100, "ETH_P_QINQ1"),
    (0x9200, "ETH_P_QINQ2"),
    (0x9300, "ETH_P_QINQ3"),
    (0xdada, "ETH_P_EDSA"),
    (0xdadb, "ETH_P_DSA_8021Q"),
    (0xe001, "ETH_P_DSA_A5PSW"),
    (0xed3e, "ETH_P_IFE"),
    (0xfbfb, "ETH_P_AF_IUCV"),
];

/// `ARPHRD_*` (strace's `arp_hardware_types`, sorted by value).
pub const ARPHRD: Xlat = &[
    (0, "ARPHRD_NETROM"),
    (1, "ARPHRD_ETHER"),
    (2, "ARPHRD_EETHER"),
    (3, "ARPHRD_AX25"),
    (4, "ARPHRD_PRONET"),
    (5, "ARPHRD_CHAOS"),
    (6, "ARPHRD_IEEE802"),
    (7, "ARPHRD_ARCNET"),
    (8, "ARPHRD_APPLETLK"),
    (0xf, "ARPHRD_DLCI"),
    (0x13, "ARPHRD_ATM"),
    (0x17, "ARPHRD_METRICOM"),
    (0x18, "ARPHRD_IEEE1394"),
    (0x1b, "ARPHRD_EUI64"),
    (0x20, "ARPHRD_INFINIBAND"),
    (0x100, "ARPHRD_SLIP"),
    (0x101, "ARPHRD_CSLIP"),
    (0x102, "ARPHRD_SLIP6"),
    (0x103, "ARPHRD_CSLIP6"),
    (0x104, "ARPHRD_RSRVD"),
    (0x108, "ARPHRD_ADAPT"),
    (0x10e, "ARPHRD_ROSE"),
    (0x10f, "ARPHRD_X25"),
    (0x110, "ARPHRD_HWX25"),
    (0x118, "ARPHRD_CAN"),
    (0x122, "ARPHRD_MCTP"),
    (0x200, "ARPHRD_PPP"),
    (0x201, "ARPHRD_CISCO"),
    (0x204, "ARPHRD_LAPB"),
    (0x205, "ARPHRD_DDCMP"),
    (0x206, "ARPHRD_RAWHDLC"),
    (0x207, "ARPHRD_RAWIP"),
    (0x300, "ARPHRD_TUNNEL"),
    (0x301, "ARPHRD_TUNNEL6"),
    (0x302, "ARPHRD_FRAD"),
    (0x303, "ARPHRD_SKIP"),
    (0x304, "ARPHRD_LOOPBACK"),
    (0x305, "ARPHRD_LOCALTLK"),
    (0x306, "ARPHRD_FDDI"),
    (0x307, "ARPHRD_BIF"),
    (0x308, "ARPHRD_SIT"),
    (0x309, "ARPHRD_IPDDP"),
    (0x30a, "ARPHRD_IPGRE"),
    (0x30b, "ARPHRD_PIMREG"),
    (0x30c, "ARPHRD_HIPPI"),
    (0x30d, "ARPHRD_ASH"),
    (0x30e, "ARPHRD_ECONET"),
    (0x30f, "ARPHRD_IRDA"),
    (0x310, "ARPHRD_FCPP"),
    (0x311, "ARPHRD_FCAL"),
    (0x312, "ARPHRD_FCPL"),
    (0x313, "ARPHRD_FCFABRIC"),
    (0x320, "ARPHRD_IEEE802_TR"),
    (0x321, "ARPHRD_IEEE80211"),
    (0x322, "ARPHRD_IEEE80211_PRISM"),
    (0x323, "ARPHRD_IEEE80211_RADIOTAP"),
    (0x324, "ARPHRD_IEEE802154"),
    (0x325, "ARPHRD_IEEE802154_MONITOR"),
    (0x334, "ARPHRD_PHONET"),
    (0x335, "ARPHRD_PHONET_PIPE"),
    (0x336, "ARPHRD_CAIF"),
    (0x337, "ARPHRD_IP6GRE"),
    (0x338, "ARPHRD_NETLINK"),
    (0x339, "ARPHRD_6LOWPAN"),
    (0x33a, "ARPHRD_VSOCKMON"),
    (0xfffe, "ARPHRD_NONE"),
    (0xffff, "ARPHRD_VOID"),
];

/// `PACKET_HOST`… of `sockaddr_ll.sll_pkttype`.
pub const PACKET_TYPES: Xlat = &[
    (0, "PACKET_HOST"),
    (1, "PACKET_BROADCAST"),
    (2, "PACKET_MULTICAST"),
    (3, "PACKET_OTHERHOST"),
    (4, "PACKET_OUTGOING"),
    (5, "PACKET_LOOPBACK"),
    (6, "PACKET_USER"),
    (7, "PACKET_KERNEL"),
];

/// `IFF_*` interface flags.
pub const IFF_FLAGS: Xlat = &[
    (1, "IFF_UP"),
    (2, "IFF_BROADCAST"),
    (4, "IFF_DEBUG"),
    (8, "IFF_LOOPBACK"),
    (0x10, "IFF_POINTOPOINT"),
    (0x20, "IFF_NOTRAILERS"),
    (0x40, "IFF_RUNNING"),
    (0x80, "IFF_NOARP"),
    (0x100, "IFF_PROMISC"),
    (0x200, "IFF_ALLMULTI"),
    (0x400, "IFF_MASTER"),
    (0x800, "IFF_SLAVE"),
    (0x1000, "IFF_MULTICAST"),
    (0x2000, "IFF_PORTSEL"),
    (0x4000, "IFF_AUTOMEDIA"),
    (0x8000, "IFF_DYNAMIC"),
    (0x10000, "IFF_LOWER_UP"),
    (0x20000, "IFF_DORMANT"),
    (0x40000, "IFF_ECHO"),
];

/// `MSG_*` flags.
pub const MSG_FLAGS: Xlat = &[
    (1, "MSG_OOB"),
    (2, "MSG_PEEK"),
    (4, "MSG_DONTROUTE"),
    (8, "MSG_CTRUNC"),
    (0x10, "MSG_PROBE"),
    (0x20, "MSG_TRUNC"),
    (0x40, "MSG_DONTWAIT"),
    (0x80, "MSG_EOR"),
    (0x100, "MSG_WAITALL"),
    (0x200, "MSG_FIN"),
    (0x400, "MSG_SYN"),
    (0x800, "MSG_CONFIRM"),
    (0x1000, "MSG_RST"),
    (0x2000, "MSG_ERRQUEUE"),
    (0x4000, "MSG_NOSIGNAL"),
    (0x8000, "MSG_MORE"),
    (0x10000, "MSG_WAITFORONE"),
    (0x20000, "MSG_SENDPAGE_NOTLAST"),
    (0x40000, "MSG_BATCH"),
    (0x80000, "MSG_NO_SHARED_FRAGS"),
    (0x4000000, "MSG_ZEROCOPY"),
    (0x20000000, "MSG_FASTOPEN"),
    (0x40000000, "MSG_CMSG_CLOEXEC"),
    (0x80000000, "MSG_CMSG_COMPAT"),
];

/// `TCP_*` options of `SOL_TCP`.
pub const TCP_OPTIONS: Xlat = &[
    (1, "TCP_NODELAY"),
    (2, "TCP_MAXSEG"),
    (3, "TCP_CORK"),
    (4, "TCP_KEEPIDLE"),
    (5, "TCP_KEEPINTVL"),
    (6, "TCP_KEEPCNT"),
    (7, "TCP_SYNCNT"),
    (8, "TCP_LINGER2"),
    (9, "TCP_DEFER_ACCEPT"),
    (0xa, "TCP_WINDOW_CLAMP"),
    (0xb, "TCP_INFO"),
    (0xc, "TCP_QUICKACK"),
    (0xd, "TCP_CONGESTION"),
    (0xe, "TCP_MD5SIG"),
    (0xf, "TCP_COOKIE_TRANSACTIONS"),
    (0x10, "TCP_THIN_LINEAR_TIMEOUTS"),
    (0x11, "TCP_THIN_DUPACK"),
    (0x12, "TCP_USER_TIMEOUT"),
    (0x13, "TCP_REPAIR"),
    (0x14, "TCP_REPAIR_QUEUE"),
    (0x15, "TCP_QUEUE_SEQ"),
    (0x16, "TCP_REPAIR_OPTIONS"),
    (0x17, "TCP_FASTOPEN"),
    (0x18, "TCP_TIMESTAMP"),
    (0x19, "TCP_NOTSENT_LOWAT"),
    (0x1a, "TCP_CC_INFO"),
    (0x1b, "TCP_SAVE_SYN"),
    (0x1c, "TCP_SAVED_SYN"),
    (0x1d, "TCP_REPAIR_WINDOW"),
    (0x1e, "TCP_FASTOPEN_CONNECT"),
    (0x1f, "TCP_ULP"),
    (0x20, "TCP_MD5SIG_EXT"),
    (0x21, "TCP_FASTOPEN_KEY"),
    (0x22, "TCP_FASTOPEN_NO_COOKIE"),
    (0x23, "TCP_ZEROCOPY_RECEIVE"),
    (0x24, "TCP_INQ"),
    (0x25, "TCP_TX_DELAY"),
];

/// `UDP_*` options of `SOL_UDP`.
pub const UDP_OPTIONS: Xlat = &[
    (1, "UDP_CORK"),
    (0x64, "UDP_ENCAP"),
    (0x65, "UDP_NO_CHECK6_TX"),
    (0x66, "UDP_NO_CHECK6_RX"),
    (0x67, "UDP_SEGMENT"),
    (0x68, "UDP_GRO"),
];

/// `PACKET_*` options of `SOL_PACKET`.
pub const PACKET_OPTIONS: Xlat = &[
    (1, "PACKET_ADD_MEMBERSHIP"),
    (2, "PACKET_DROP_MEMBERSHIP"),
    (3, "PACKET_RECV_OUTPUT"),
    (5, "PACKET_RX_RING"),
    (6, "PACKET_STATISTICS"),
    (7, "PACKET_COPY_THRESH"),
    (8, "PACKET_AUXDATA"),
    (9, "PACKET_ORIGDEV"),
    (0xa, "PACKET_VERSION"),
    (0xb, "PACKET_HDRLEN"),
    (0xc, "PACKET_RESERVE"),
    (0xd, "PACKET_TX_RING"),
    (0xe, "PACKET_LOSS"),
    (0xf, "PACKET_VNET_HDR"),
    (0x10, "PACKET_TX_TIMESTAMP"),
    (0x11, "PACKET_TIMESTAMP"),
    (0x12, "PACKET_FANOUT"),
    (0x13, "PACKET_TX_HAS_OFF"),
    (0x14, "PACKET_QDISC_BYPASS"),
    (0x15, "PACKET_ROLLOVER_STATS"),
    (0x16, "PACKET_FANOUT_DATA"),
    (0x17, "PACKET_IGNORE_OUTGOING"),
];

/// `IP_*` options of `SOL_IP`.
pub const IP_OPTIONS: Xlat = &[
    (1, "IP_TOS"),
    (2, "IP_TTL"),
    (3, "IP_HDRINCL"),
    (4, "IP_OPTIONS"),
    (5, "IP_ROUTER_ALERT"),
    (6, "IP_RECVOPTS"),
    (7, "IP_RETOPTS"),
    (8, "IP_PKTINFO"),
    (9, "IP_PKTOPTIONS"),
    (0xa, "IP_MTU_DISCOVER"),
    (0xb, "IP_RECVERR"),
    (0xc, "IP_RECVTTL"),
    (0xd, "IP_RECVTOS"),
    (0xe, "IP_MTU"),
    (0xf, "IP_FREEBIND"),
    (0x10, "IP_IPSEC_POLICY"),
    (0x11, "IP_XFRM_POLICY"),
    (0x12, "IP_PASSSEC"),
    (0x13, "IP_TRANSPARENT"),
    (0x14, "IP_ORIGDSTADDR"),
    (0x15, "IP_MINTTL"),
    (0x16, "IP_NODEFRAG"),
    (0x17, "IP_CHECKSUM"),
    (0x18, "IP_BIND_ADDRESS_NO_PORT"),
    (0x19, "IP_RECVFRAGSIZE"),
    (0x1a, "IP_RECVERR_RFC4884"),
    (0x20, "IP_MULTICAST_IF"),
    (0x21, "IP_MULTICAST_TTL"),
    (0x22, "IP_MULTICAST_LOOP"),
    (0x23, "IP_ADD_MEMBERSHIP"),
    (0x24, "IP_DROP_MEMBERSHIP"),
    (0x25, "IP_UNBLOCK_SOURCE"),
    (0x26, "IP_BLOCK_SOURCE"),
    (0x27, "IP_ADD_SOURCE_MEMBERSHIP"),
    (0x28, "IP_DROP_SOURCE_MEMBERSHIP"),
    (0x29, "IP_MSFILTER"),
    (0x2a, "MCAST_JOIN_GROUP"),
    (0x2b, "MCAST_BLOCK_SOURCE"),
    (0x2c, "MCAST_UNBLOCK_SOURCE"),
    (0x2d, "MCAST_LEAVE_GROUP"),
    (0x2e, "MCAST_JOIN_SOURCE_GROUP"),
    (0x2f, "MCAST_LEAVE_SOURCE_GROUP"),
    (0x30, "MCAST_MSFILTER"),
    (0x31, "IP_MULTICAST_ALL"),
    (0x32, "IP_UNICAST_IF"),
];

/// `IPV6_*` options of `SOL_IPV6`.
pub const IPV6_OPTIONS: Xlat = &[
    (1, "IPV6_ADDRFORM"),
    (2, "IPV6_2292PKTINFO"),
    (3, "IPV6_2292HOPOPTS"),
    (4, "IPV6_2292DSTOPTS"),
    (5, "IPV6_2292RTHDR"),
    (6, "IPV6_2292PKTOPTIONS"),
    (7, "IPV6_CHECKSUM"),
    (8, "IPV6_2292HOPLIMIT"),
    (9, "IPV6_NEXTHOP"),
    (0xa, "IPV6_AUTHHDR"),
    (0xb, "IPV6_FLOWINFO"),
    (0x10, "IPV6_UNICAST_HOPS"),
    (0x11, "IPV6_MULTICAST_IF"),
    (0x12, "IPV6_MULTICAST_HOPS"),
    (0x13, "IPV6_MULTICAST_LOOP"),
    (0x14, "IPV6_ADD_MEMBERSHIP"),
    (0x15, "IPV6_DROP_MEMBERSHIP"),
    (0x16, "IPV6_ROUTER_ALERT"),
    (0x17, "IPV6_MTU_DISCOVER"),
    (0x18, "IPV6_MTU"),
    (0x19, "IPV6_RECVERR"),
    (0x1a, "IPV6_V6ONLY"),
    (0x1b, "IPV6_JOIN_ANYCAST"),
    (0x1c, "IPV6_LEAVE_ANYCAST"),
    (0x1d, "IPV6_MULTICAST_ALL"),
    (0x1e, "IPV6_ROUTER_ALERT_ISOLATE"),
    (0x1f, "IPV6_RECVERR_RFC4884"),
    (0x20, "IPV6_FLOWLABEL_MGR"),
    (0x21, "IPV6_FLOWINFO_SEND"),
    (0x22, "IPV6_IPSEC_POLICY"),
    (0x23, "IPV6_XFRM_POLICY"),
    (0x24, "IPV6_HDRINCL"),
    (0x2a, "MCAST_JOIN_GROUP"),
    (0x2b, "MCAST_BLOCK_SOURCE"),
    (0x2c, "MCAST_UNBLOCK_SOURCE"),
    (0x2d, "MCAST_LEAVE_GROUP"),
    (0x2e, "MCAST_JOIN_SOURCE_GROUP"),
    (0x2f, "MCAST_LEAVE_SOURCE_GROUP"),
    (0x30, "MCAST_MSFILTER"),
    (0x31, "IPV6_RECVPKTINFO"),
    (0x32, "IPV6_PKTINFO"),
    (0x33, "IPV6_RECVHOPLIMIT"),
    (0x34, "IPV6_HOPLIMIT"),
    (0x35, "IPV6_RECVHOPOPTS"),
    (0x36, "IPV6_HOPOPTS"),
    (0x37, "IPV6_RTHDRDSTOPTS"),
    (0x38, "IPV6_RECVRTHDR"),
    (0x39, "IPV6_RTHDR"),
    (0x3a, "IPV6_RECVDSTOPTS"),
    (0x3b, "IPV6_DSTOPTS"),
    (0x3c, "IPV6_RECVPATHMTU"),
    (0x3d, "IPV6_PATHMTU"),
    (0x3e, "IPV6_DONTFRAG"),
    (0x3f, "IPV6_USE_MIN_MTU"),
    (0x42, "IPV6_RECVTCLASS"),
    (0x43, "IPV6_TCLASS"),
    (0x46, "IPV6_AUTOFLOWLABEL"),
    (0x48, "IPV6_ADDR_PREFERENCES"),
    (0x49, "IPV6_MINHOPCOUNT"),
    (0x4a, "IPV6_ORIGDSTADDR"),
    (0x4b, "IPV6_TRANSPARENT"),
    (0x4c, "IPV6_UNICAST_IF"),
    (0x4d, "IPV6_RECVFRAGSIZE"),
    (0x4e, "IPV6_FREEBIND"),
];

/// `SOL_*` socket option levels (strace's `socketlayers`; x86).
pub const SOCKET_LEVELS: Xlat = &[
    (0, "SOL_IP"),
    (1, "SOL_SOCKET"),
    (6, "SOL_TCP"),
    (0x11, "SOL_UDP"),
    (0x28, "AF_VSOCK"),
    (0x29, "SOL_IPV6"),
    (0x3a, "SOL_ICMPV6"),
    (0x64, "SOL_CAN_BASE"),
    (0x65, "SOL_CAN_RAW"),
    (0x84, "SOL_SCTP"),
    (0x88, "SOL_UDPLITE"),
    (0xff, "SOL_RAW"),
    (0x100, "SOL_IPX"),
    (0x101, "SOL_AX25"),
    (0x102, "SOL_ATALK"),
    (0x103, "SOL_NETROM"),
    (0x104, "SOL_ROSE"),
    (0x105, "SOL_DECNET"),
    (0x106, "SOL_X25"),
    (0x107, "SOL_PACKET"),
    (0x108, "SOL_ATM"),
    (0x109, "SOL_AAL"),
    (0x10a, "SOL_IRDA"),
    (0x10b, "SOL_NETBEUI"),
    (0x10c, "SOL_LLC"),
    (0x10d, "SOL_DCCP"),
    (0x10e, "SOL_NETLINK"),
    (0x10f, "SOL_TIPC"),
    (0x110, "SOL_RXRPC"),
    (0x111, "SOL_PPPOL2TP"),
    (0x112, "SOL_BLUETOOTH"),
    (0x113, "SOL_PNPIPE"),
    (0x114, "SOL_RDS"),
    (0x115, "SOL_IUCV"),
    (0x116, "SOL_CAIF"),
    (0x117, "SOL_ALG"),
    (0x118, "SOL_NFC"),
    (0x119, "SOL_KCM"),
    (0x11a, "SOL_TLS"),
    (0x11b, "SOL_XDP"),
];

/// `ICMP_*` types of an `ICMP_FILTER`.
pub const ICMP_TYPES: Xlat = &[
    (0, "ICMP_ECHOREPLY"),
    (3, "ICMP_DEST_UNREACH"),
    (4, "ICMP_SOURCE_QUENCH"),
    (5, "ICMP_REDIRECT"),
    (8, "ICMP_ECHO"),
    (0xb, "ICMP_TIME_EXCEEDED"),
    (0xc, "ICMP_PARAMETERPROB"),
    (0xd, "ICMP_TIMESTAMP"),
    (0xe, "ICMP_TIMESTAMPREPLY"),
    (0xf, "ICMP_INFO_REQUEST"),
    (0x10, "ICMP_INFO_REPLY"),
    (0x11, "ICMP_ADDRESS"),
    (0x12, "ICMP_ADDRESSREPLY"),
];

/// `PACKET_MR_*` of `struct packet_mreq`.
pub const PACKET_MR_TYPES: Xlat = &[
    (0, "PACKET_MR_MULTICAST"),
    (1, "PACKET_MR_PROMISC"),
    (2, "PACKET_MR_ALLMULTI"),
    (3, "PACKET_MR_UNICAST"),
];

/// `SOCK_TXREHASH_*` values of `SO_TXREHASH`.
pub const TXREHASH: Xlat = &[
    (0, "SOCK_TXREHASH_DISABLED"),
    (1, "SOCK_TXREHASH_ENABLED"),
    (0xff, "SOCK_TXREHASH_DEFAULT"),
];

/// `IP_*` control message types of `SOL_IP`.
pub const IP_CMSG_TYPES: Xlat = &[
    (1, "IP_TOS"),
    (2, "IP_TTL"),
    (6, "IP_RECVOPTS"),
    (7, "IP_RETOPTS"),
    (8, "IP_PKTINFO"),
    (0xb, "IP_RECVERR"),
    (0x14, "IP_ORIGDSTADDR"),
    (0x17, "IP_CHECKSUM"),
    (3, "SCM_SECURITY"),
];

/// `SO_*` options of `SOL_SOCKET` common to both directions (strace's `sock_options`; x86).
pub const SO_OPTIONS: Xlat = &[
    (1, "SO_DEBUG"),
    (2, "SO_REUSEADDR"),
    (3, "SO_TYPE"),
    (4, "SO_ERROR"),
    (5, "SO_DONTROUTE"),
    (6, "SO_BROADCAST"),
    (7, "SO_SNDBUF"),
    (8, "SO_RCVBUF"),
    (9, "SO_KEEPALIVE"),
    (10, "SO_OOBINLINE"),
    (11, "SO_NO_CHECK"),
    (12, "SO_PRIORITY"),
    (13, "SO_LINGER"),
    (14, "SO_BSDCOMPAT"),
    (15, "SO_REUSEPORT"),
    (16, "SO_PASSCRED"),
    (17, "SO_PEERCRED"),
    (18, "SO_RCVLOWAT"),
    (19, "SO_SNDLOWAT"),
    (20, "SO_RCVTIMEO_OLD"),
    (21, "SO_SNDTIMEO_OLD"),
    (22, "SO_SECURITY_AUTHENTICATION"),
    (23, "SO_SECURITY_ENCRYPTION_TRANSPORT"),
    (24, "SO_SECURITY_ENCRYPTION_NETWORK"),
    (25, "SO_BINDTODEVICE"),
    (27, "SO_DETACH_FILTER"),
    (28, "SO_PEERNAME"),
    (29, "SO_TIMESTAMP_OLD"),
    (30, "SO_ACCEPTCONN"),
    (31, "SO_PEERSEC"),
    (32, "SO_SNDBUFFORCE"),
    (33, "SO_RCVBUFFORCE"),
    (34, "SO_PASSSEC"),
    (35, "SO_TIMESTAMPNS_OLD"),
    (36, "SO_MARK"),
    (37, "SO_TIMESTAMPING_OLD"),
    (38, "SO_PROTOCOL"),
    (39, "SO_DOMAIN"),
    (40, "SO_RXQ_OVFL"),
    (41, "SO_WIFI_STATUS"),
    (42, "SO_PEEK_OFF"),
    (43, "SO_NOFCS"),
    (44, "SO_LOCK_FILTER"),
    (45, "SO_SELECT_ERR_QUEUE"),
    (46, "SO_BUSY_POLL"),
    (47, "SO_MAX_PACING_RATE"),
    (48, "SO_BPF_EXTENSIONS"),
    (49, "SO_INCOMING_CPU"),
    (50, "SO_ATTACH_BPF"),
    (51, "SO_ATTACH_REUSEPORT_CBPF"),
    (52, "SO_ATTACH_REUSEPORT_EBPF"),
    (53, "SO_CNX_ADVICE"),
    (55, "SO_MEMINFO"),
    (56, "SO_INCOMING_NAPI_ID"),
    (57, "SO_COOKIE"),
    (59, "SO_PEERGROUPS"),
    (60, "SO_ZEROCOPY"),
    (61, "SO_TXTIME"),
    (62, "SO_BINDTOIFINDEX"),
    (63, "SO_TIMESTAMP_NEW"),
    (64, "SO_TIMESTAMPNS_NEW"),
    (65, "SO_TIMESTAMPING_NEW"),
    (66, "SO_RCVTIMEO_NEW"),
    (67, "SO_SNDTIMEO_NEW"),
    (68, "SO_DETACH_REUSEPORT_BPF"),
    (69, "SO_PREFER_BUSY_POLL"),
    (70, "SO_BUSY_POLL_BUDGET"),
    (71, "SO_NETNS_COOKIE"),
    (72, "SO_BUF_LOCK"),
    (73, "SO_RESERVE_MEM"),
    (74, "SO_TXREHASH"),
    (75, "SO_RCVMARK"),
];

/// `SO_*` options only `getsockopt` has.
pub const SO_GET_OPTIONS: Xlat = &[(26, "SO_GET_FILTER")];

/// `SO_*` options only `setsockopt` has.
pub const SO_SET_OPTIONS: Xlat = &[(26, "SO_ATTACH_FILTER")];

/// `SOL_IP` options only `getsockopt` has (netfilter's).
pub const IP_GET_OPTIONS: Xlat = &[
    (0x60, "ARPT_SO_GET_INFO"),
    (0x61, "ARPT_SO_GET_ENTRIES"),
    (0x80, "EBT_SO_GET_INFO"),
    (0x81, "EBT_SO_GET_ENTRIES"),
    (0x82, "EBT_SO_GET_INIT_INFO"),
    (0x83, "EBT_SO_GET_INIT_ENTRIES"),
    (0x480, "IP_VS_SO_GET_VERSION"),
    (0x481, "IP_VS_SO_GET_INFO"),
    (0x482, "IP_VS_SO_GET_SERVICES"),
    (0x483, "IP_VS_SO_GET_SERVICE"),
    (0x484, "IP_VS_SO_GET_DESTS"),
    (0x485, "IP_VS_SO_GET_DEST"),
    (0x486, "IP_VS_SO_GET_TIMEOUT"),
    (0x487, "IP_VS_SO_GET_DAEMON"),
    (0x40, "IPT_SO_GET_INFO"),
    (0x41, "IPT_SO_GET_ENTRIES"),
    (0x42, "IPT_SO_GET_REVISION_MATCH"),
    (0x43, "IPT_SO_GET_REVISION_TARGET"),
];

/// `SOL_IP` options only `setsockopt` has (netfilter's).
pub const IP_SET_OPTIONS: Xlat = &[
    (0x60, "ARPT_SO_SET_REPLACE"),
    (0x61, "ARPT_SO_SET_ADD_COUNTERS"),
    (0x80, "EBT_SO_SET_ENTRIES"),
    (0x81, "EBT_SO_SET_COUNTERS"),
    (0x480, "IP_VS_SO_SET_NONE"),
    (0x481, "IP_VS_SO_SET_INSERT"),
    (0x482, "IP_VS_SO_SET_ADD"),
    (0x483, "IP_VS_SO_SET_EDIT"),
    (0x484, "IP_VS_SO_SET_DEL"),
    (0x485, "IP_VS_SO_SET_FLUSH"),
    (0x486, "IP_VS_SO_SET_LIST"),
    (0x487, "IP_VS_SO_SET_ADDDEST"),
    (0x488, "IP_VS_SO_SET_DELDEST"),
    (0x489, "IP_VS_SO_SET_EDITDEST"),
    (0x48a, "IP_VS_SO_SET_TIMEOUT"),
    (0x48b, "IP_VS_SO_SET_STARTDAEMON"),
    (0x48c, "IP_VS_SO_SET_STOPDAEMON"),
    (0x48d, "IP_VS_SO_SET_RESTORE"),
    (0x48e, "IP_VS_SO_SET_SAVE"),
    (0x48f, "IP_VS_SO_SET_ZERO"),
    (0x40, "IPT_SO_SET_REPLACE"),
    (0x41, "IPT_SO_SET_ADD_COUNTERS"),
];

/// `SOL_IPV6` options only `getsockopt` has (netfilter's).
pub const IPV6_GET_OPTIONS: Xlat = &[
    (0x40, "IP6T_SO_GET_INFO"),
    (0x41, "IP6T_SO_GET_ENTRIES"),
    (0x44, "IP6T_SO_GET_REVISION_MATCH"),
    (0x45, "IP6T_SO_GET_REVISION_TARGET"),
];

/// `SOL_IPV6` options only `setsockopt` has (netfilter's).
pub const IPV6_SET_OPTIONS: Xlat = &[
    (0x40, "IP6T_SO_SET_REPLACE"),
    (0x41, "IP6T_SO_SET_ADD_COUNTERS"),
];

/// `NETLINK_*` options of `SOL_NETLINK`.
pub const NETLINK_OPTIONS: Xlat = &[
    (1, "NETLINK_ADD_MEMBERSHIP"),
    (2, "NETLINK_DROP_MEMBERSHIP"),
    (3, "NETLINK_PKTINFO"),
    (4, "NETLINK_BROADCAST_ERROR"),
    (5, "NETLINK_NO_ENOBUFS"),
    (6, "NETLINK_RX_RING"),
    (7, "NETLINK_TX_RING"),
    (8, "NETLINK_LISTEN_ALL_NSID"),
    (9, "NETLINK_LIST_MEMBERSHIPS"),
    (10, "NETLINK_CAP_ACK"),
    (11, "NETLINK_EXT_ACK"),
    (12, "NETLINK_GET_STRICT_CHK"),
];

/// Options of `SOL_RAW`.
pub const RAW_OPTIONS: Xlat = &[(1, "ICMP_FILTER")];

/// Control message types of `SOL_SOCKET` (strace's `scmvals`; x86).
pub const SCM_TYPES: Xlat = &[
    (1, "SCM_RIGHTS"),
    (2, "SCM_CREDENTIALS"),
    (3, "SCM_SECURITY"),
    (41, "SO_WIFI_STATUS"),
    (61, "SO_TXTIME"),
    (29, "SO_TIMESTAMP_OLD"),
    (35, "SO_TIMESTAMPNS_OLD"),
    (37, "SO_TIMESTAMPING_OLD"),
    (63, "SO_TIMESTAMP_NEW"),
    (64, "SO_TIMESTAMPNS_NEW"),
    (65, "SO_TIMESTAMPING_NEW"),
    (0x36, "SCM_TIMESTAMPING_OPT_STATS"),
    (0x3a, "SCM_TIMESTAMPING_PKTINFO"),
];

/// `SHUT_*` of `shutdown`.
pub const SHUT: Xlat = &[(0, "SHUT_RD"), (1, "SHUT_WR"), (2, "SHUT_RDWR")];

/// Socket `ioctl` requests (type 0x89, `linux/sockios.h`), as strace names them.
pub const SOCK_IOCTLS: Xlat = &[
    (0x8903, "FIOGETOWN"),
    (0x8901, "FIOSETOWN"),
    (0x8905, "SIOCATMARK"),
    (0x8904, "SIOCGPGRP"),
    (0x8907, "SIOCGSTAMPNS_OLD"),
    (0x8906, "SIOCGSTAMP_OLD"),
    (0x8902, "SIOCSPGRP"),
    (0x8980, "SIOCADDDLCI"),
    (0x8931, "SIOCADDMULTI"),
    (0x890b, "SIOCADDRT"),
    (0x8995, "SIOCBONDCHANGEACTIVE"),
    (0x8990, "SIOCBONDENSLAVE"),
    (0x8994, "SIOCBONDINFOQUERY"),
    (0x8991, "SIOCBONDRELEASE"),
    (0x8992, "SIOCBONDSETHWADDR"),
    (0x8993, "SIOCBONDSLAVEINFOQUERY"),
    (0x89a0, "SIOCBRADDBR"),
    (0x89a2, "SIOCBRADDIF"),
    (0x89a1, "SIOCBRDELBR"),
    (0x89a3, "SIOCBRDELIF"),
    (0x8953, "SIOCDARP"),
    (0x8981, "SIOCDELDLCI"),
    (0x8932, "SIOCDELMULTI"),
    (0x890c, "SIOCDELRT"),
    (0x89f0, "SIOCDEVPRIVATE"),
    (0x8936, "SIOCDIFADDR"),
    (0x8960, "SIOCDRARP"),
    (0x8946, "SIOCETHTOOL"),
    (0x8954, "SIOCGARP"),
    (0x89b1, "SIOCGHWTSTAMP"),
    (0x8915, "SIOCGIFADDR"),
    (0x8940, "SIOCGIFBR"),
    (0x8919, "SIOCGIFBRDADDR"),
    (0x8912, "SIOCGIFCONF"),
    (0x8938, "SIOCGIFCOUNT"),
    (0x8917, "SIOCGIFDSTADDR"),
    (0x8925, "SIOCGIFENCAP"),
    (0x8913, "SIOCGIFFLAGS"),
    (0x8927, "SIOCGIFHWADDR"),
    (0x8933, "SIOCGIFINDEX"),
    (0x8970, "SIOCGIFMAP"),
    (0x891f, "SIOCGIFMEM"),
    (0x891d, "SIOCGIFMETRIC"),
    (0x8921, "SIOCGIFMTU"),
    (0x8910, "SIOCGIFNAME"),
    (0x891b, "SIOCGIFNETMASK"),
    (0x8935, "SIOCGIFPFLAGS"),
    (0x8929, "SIOCGIFSLAVE"),
    (0x8942, "SIOCGIFTXQLEN"),
    (0x8982, "SIOCGIFVLAN"),
    (0x8947, "SIOCGMIIPHY"),
    (0x8948, "SIOCGMIIREG"),
    (0x8961, "SIOCGRARP"),
    (0x894c, "SIOCGSKNS"),
    (0x80108907, "SIOCGSTAMPNS_NEW"),
    (0x80108906, "SIOCGSTAMP_NEW"),
    (0x894b, "SIOCOUTQNSD"),
    (0x89e0, "SIOCPROTOPRIVATE"),
    (0x890d, "SIOCRTMSG"),
    (0x8955, "SIOCSARP"),
    (0x89b0, "SIOCSHWTSTAMP"),
    (0x8916, "SIOCSIFADDR"),
    (0x8941, "SIOCSIFBR"),
    (0x891a, "SIOCSIFBRDADDR"),
    (0x8918, "SIOCSIFDSTADDR"),
    (0x8926, "SIOCSIFENCAP"),
    (0x8914, "SIOCSIFFLAGS"),
    (0x8924, "SIOCSIFHWADDR"),
    (0x8937, "SIOCSIFHWBROADCAST"),
    (0x8911, "SIOCSIFLINK"),
    (0x8971, "SIOCSIFMAP"),
    (0x8920, "SIOCSIFMEM"),
    (0x891e, "SIOCSIFMETRIC"),
    (0x8922, "SIOCSIFMTU"),
    (0x8923, "SIOCSIFNAME"),
    (0x891c, "SIOCSIFNETMASK"),
    (0x8934, "SIOCSIFPFLAGS"),
    (0x8930, "SIOCSIFSLAVE"),
    (0x8943, "SIOCSIFTXQLEN"),
    (0x8983, "SIOCSIFVLAN"),
    (0x8949, "SIOCSMIIREG"),
    (0x8962, "SIOCSRARP"),
    (0x894a, "SIOCWANDEV"),
];

/// `AX25_P_*` protocols of `AF_AX25` sockets.
pub const AX25_PROTOCOLS: Xlat = &[
    (0x01, "AX25_P_ROSE"),
    (0x06, "AX25_P_VJCOMP"),
    (0x07, "AX25_P_VJUNCOMP"),
    (0x08, "AX25_P_SEGMENT"),
    (0xc3, "AX25_P_TEXNET"),
    (0xc4, "AX25_P_LQ"),
    (0xca, "AX25_P_ATALK"),
    (0xcb, "AX25_P_ATALK_ARP"),
    (0xcc, "AX25_P_IP"),
    (0xcd, "AX25_P_ARP"),
    (0xce, "AX25_P_FLEXNET"),
    (0xcf, "AX25_P_NETROM"),
    (0xf0, "AX25_P_TEXT"),
];

/// `CAN_*` protocols of `AF_CAN` sockets (strace also names `AF_IRDA` protocols from it).
pub const CAN_PROTOCOLS: Xlat = &[
    (1, "CAN_RAW"),
    (2, "CAN_BCM"),
    (3, "CAN_TP16"),
    (4, "CAN_TP20"),
    (5, "CAN_MCNET"),
    (6, "CAN_ISOTP"),
    (7, "CAN_J1939"),
];

/// `BTPROTO_*` protocols of `AF_BLUETOOTH` sockets.
pub const BT_PROTOCOLS: Xlat = &[
    (0, "BTPROTO_L2CAP"),
    (1, "BTPROTO_HCI"),
    (2, "BTPROTO_SCO"),
    (3, "BTPROTO_RFCOMM"),
    (4, "BTPROTO_BNEP"),
    (5, "BTPROTO_CMTP"),
    (6, "BTPROTO_HIDP"),
    (7, "BTPROTO_AVDTP"),
];

/// `ISDN_P_*` protocols of `AF_ISDN` sockets.
pub const ISDN_PROTOCOLS: Xlat = &[
    (0, "ISDN_P_BASE"),
    (1, "ISDN_P_TE_S0"),
    (2, "ISDN_P_NT_S0"),
    (3, "ISDN_P_TE_E1"),
    (4, "ISDN_P_NT_E1"),
    (0x10, "ISDN_P_LAPD_TE"),
    (0x11, "ISDN_P_LAPD_NT"),
    (0x21, "ISDN_P_B_RAW"),
    (0x22, "ISDN_P_B_HDLC"),
    (0x23, "ISDN_P_B_X75SLP"),
    (0x24, "ISDN_P_B_L2DTMF"),
    (0x25, "ISDN_P_B_L2DSP"),
    (0x26, "ISDN_P_B_L2DSPHDLC"),
];

/// `PN_PROTO_*` protocols of `AF_PHONET` sockets.
pub const PHONET_PROTOCOLS: Xlat = &[
    (0, "PN_PROTO_TRANSPORT"),
    (1, "PN_PROTO_PHONET"),
    (2, "PN_PROTO_PIPE"),
];

/// `CAIFPROTO_*` protocols of `AF_CAIF` sockets.
pub const CAIF_PROTOCOLS: Xlat = &[
    (0, "CAIFPROTO_AT"),
    (1, "CAIFPROTO_DATAGRAM"),
    (2, "CAIFPROTO_DATAGRAM_LOOP"),
    (3, "CAIFPROTO_UTIL"),
    (4, "CAIFPROTO_RFM"),
    (5, "CAIFPROTO_DEBUG"),
];

/// `NFC_SOCKPROTO_*` protocols of `AF_NFC` sockets.
pub const NFC_PROTOCOLS: Xlat = &[(0, "NFC_SOCKPROTO_RAW"), (1, "NFC_SOCKPROTO_LLCP")];

/// `KCMPROTO_*` protocols of `AF_KCM` sockets.
pub const KCM_PROTOCOLS: Xlat = &[(0, "KCMPROTO_CONNECTED")];

/// `SMCPROTO_*` protocols of `AF_SMC` sockets.
pub const SMC_PROTOCOLS: Xlat = &[(0, "SMCPROTO_SMC"), (1, "SMCPROTO_SMC6")];

/// `VMADDR_CID_*` of `sockaddr_vm.svm_cid`.
pub const VSOCK_CIDS: Xlat = &[
    (0, "VMADDR_CID_HYPERVISOR"),
    (1, "VMADDR_CID_LOCAL"),
    (2, "VMADDR_CID_HOST"),
    (0xffff_ffff, "VMADDR_CID_ANY"),
];

/// `VMADDR_PORT_*` of `sockaddr_vm.svm_port`.
pub const VSOCK_PORTS: Xlat = &[(0xffff_ffff, "VMADDR_PORT_ANY")];

/// `VMADDR_FLAG_*` of `sockaddr_vm.svm_flags`.
pub const VSOCK_FLAGS: Xlat = &[(1, "VMADDR_FLAG_TO_HOST")];

/// `QRTR_NODE_*` of `sockaddr_qrtr.sq_node`.
pub const QRTR_NODES: Xlat = &[(0xffff_ffff, "QRTR_NODE_BCAST")];

/// `QRTR_PORT_*` of `sockaddr_qrtr.sq_port`.
pub const QRTR_PORTS: Xlat = &[(0xffff_fffe, "QRTR_PORT_CTRL")];

/// `XDP_*` flags of `sockaddr_xdp.sxdp_flags`.
pub const XDP_FLAGS: Xlat = &[
    (1, "XDP_SHARED_UMEM"),
    (2, "XDP_COPY"),
    (4, "XDP_ZEROCOPY"),
    (8, "XDP_USE_NEED_WAKEUP"),
];

/// `MCTP_ADDR_*` of `sockaddr_mctp.smctp_addr`.
pub const MCTP_ADDRS: Xlat = &[(0, "MCTP_ADDR_NULL"), (0xff, "MCTP_ADDR_ANY")];

/// `MCTP_NET_*` of `sockaddr_mctp.smctp_network`.
pub const MCTP_NETS: Xlat = &[(0, "MCTP_NET_ANY")];

/// `CRYPTO_ALG_*` flags of `sockaddr_alg`.
pub const ALG_FLAGS: Xlat = &[(0x1000, "CRYPTO_ALG_KERN_DRIVER_ONLY")];

/// `SO_VM_*` options of `AF_VSOCK` (strace takes the family as a level).
pub const VSOCK_OPTIONS: Xlat = &[
    (0, "SO_VM_SOCKETS_BUFFER_SIZE"),
    (1, "SO_VM_SOCKETS_BUFFER_MIN_SIZE"),
    (2, "SO_VM_SOCKETS_BUFFER_MAX_SIZE"),
    (3, "SO_VM_SOCKETS_PEER_HOST_VM_ID"),
    (5, "SO_VM_SOCKETS_TRUSTED"),
    (6, "SO_VM_SOCKETS_CONNECT_TIMEOUT_OLD"),
    (7, "SO_VM_SOCKETS_NONBLOCK_TXRX"),
    (8, "SO_VM_SOCKETS_CONNECT_TIMEOUT_NEW"),
];

/// Options of `SOL_IPX`.
pub const IPX_OPTIONS: Xlat = &[(1, "IPX_TYPE")];

/// Options of `SOL_AX25`.
pub const AX25_OPTIONS: Xlat = &[
    (1, "AX25_WINDOW"),
    (2, "AX25_T1"),
    (3, "AX25_N2"),
    (4, "AX25_T3"),
    (5, "AX25_T2"),
    (6, "AX25_BACKOFF"),
    (7, "AX25_EXTSEQ"),
    (8, "AX25_PIDINCL"),
    (9, "AX25_IDLE"),
    (0xa, "AX25_PACLEN"),
    (0xc, "AX25_IAMDIGI"),
    (0x19, "SO_BINDTODEVICE"),
];

/// Options of `SOL_CAN_RAW`.
pub const CAN_RAW_OPTIONS: Xlat = &[
    (1, "CAN_RAW_FILTER"),
    (2, "CAN_RAW_ERR_FILTER"),
    (3, "CAN_RAW_LOOPBACK"),
    (4, "CAN_RAW_RECV_OWN_MSGS"),
    (5, "CAN_RAW_FD_FRAMES"),
    (6, "CAN_RAW_JOIN_FILTERS"),
];

/// Options of `SOL_SCTP`.
pub const SCTP_OPTIONS: Xlat = &[
    (0, "SCTP_RTOINFO"),
    (1, "SCTP_ASSOCINFO"),
    (2, "SCTP_INITMSG"),
    (3, "SCTP_NODELAY"),
    (4, "SCTP_AUTOCLOSE"),
    (5, "SCTP_SET_PEER_PRIMARY_ADDR"),
    (6, "SCTP_PRIMARY_ADDR"),
    (7, "SCTP_ADAPTATION_LAYER"),
    (8, "SCTP_DISABLE_FRAGMENTS"),
    (9, "SCTP_PEER_ADDR_PARAMS"),
    (0xa, "SCTP_DEFAULT_SEND_PARAM"),
    (0xb, "SCTP_EVENTS"),
    (0xc, "SCTP_I_WANT_MAPPED_V4_ADDR"),
    (0xd, "SCTP_MAXSEG"),
    (0xe, "SCTP_STATUS"),
    (0xf, "SCTP_GET_PEER_ADDR_INFO"),
    (0x10, "SCTP_DELAYED_SACK"),
    (0x11, "SCTP_CONTEXT"),
    (0x12, "SCTP_FRAGMENT_INTERLEAVE"),
    (0x13, "SCTP_PARTIAL_DELIVERY_POINT"),
    (0x14, "SCTP_MAX_BURST"),
    (0x15, "SCTP_AUTH_CHUNK"),
    (0x16, "SCTP_HMAC_IDENT"),
    (0x17, "SCTP_AUTH_KEY"),
    (0x18, "SCTP_AUTH_ACTIVE_KEY"),
    (0x19, "SCTP_AUTH_DELETE_KEY"),
    (0x1a, "SCTP_PEER_AUTH_CHUNKS"),
    (0x1b, "SCTP_LOCAL_AUTH_CHUNKS"),
    (0x1c, "SCTP_GET_ASSOC_NUMBER"),
    (0x1d, "SCTP_GET_ASSOC_ID_LIST"),
    (0x1e, "SCTP_AUTO_ASCONF"),
    (0x1f, "SCTP_PEER_ADDR_THLDS"),
    (0x20, "SCTP_RECVRCVINFO"),
    (0x21, "SCTP_RECVNXTINFO"),
    (0x22, "SCTP_DEFAULT_SNDINFO"),
    (0x23, "SCTP_AUTH_DEACTIVATE_KEY"),
    (0x24, "SCTP_REUSE_PORT"),
    (0x25, "SCTP_PEER_ADDR_THLDS_V2"),
    (0x64, "SCTP_SOCKOPT_BINDX_ADD"),
    (0x65, "SCTP_SOCKOPT_BINDX_REM"),
    (0x66, "SCTP_SOCKOPT_PEELOFF"),
    (0x67, "SCTP_GET_PEER_ADDRS_NUM_OLD"),
    (0x68, "SCTP_GET_PEER_ADDRS_OLD"),
    (0x69, "SCTP_GET_LOCAL_ADDRS_NUM_OLD"),
    (0x6a, "SCTP_GET_LOCAL_ADDRS_OLD"),
    (0x6b, "SCTP_SOCKOPT_CONNECTX_OLD"),
    (0x6c, "SCTP_GET_PEER_ADDRS"),
    (0x6d, "SCTP_GET_LOCAL_ADDRS"),
    (0x6e, "SCTP_SOCKOPT_CONNECTX"),
    (0x6f, "SCTP_SOCKOPT_CONNECTX3"),
    (0x70, "SCTP_GET_ASSOC_STATS"),
    (0x71, "SCTP_PR_SUPPORTED"),
    (0x72, "SCTP_DEFAULT_PRINFO"),
    (0x73, "SCTP_PR_ASSOC_STATUS"),
    (0x74, "SCTP_PR_STREAM_STATUS"),
    (0x75, "SCTP_RECONFIG_SUPPORTED"),
    (0x76, "SCTP_ENABLE_STREAM_RESET"),
    (0x77, "SCTP_RESET_STREAMS"),
    (0x78, "SCTP_RESET_ASSOC"),
    (0x79, "SCTP_ADD_STREAMS"),
    (0x7a, "SCTP_SOCKOPT_PEELOFF_FLAGS"),
    (0x7b, "SCTP_STREAM_SCHEDULER"),
    (0x7c, "SCTP_STREAM_SCHEDULER_VALUE"),
    (0x7d, "SCTP_INTERLEAVING_SUPPORTED"),
    (0x7e, "SCTP_SENDMSG_CONNECT"),
    (0x7f, "SCTP_EVENT"),
    (0x80, "SCTP_ASCONF_SUPPORTED"),
    (0x81, "SCTP_AUTH_SUPPORTED"),
    (0x82, "SCTP_ECN_SUPPORTED"),
    (0x83, "SCTP_EXPOSE_POTENTIALLY_FAILED_STATE"),
    (0x84, "SCTP_REMOTE_UDP_ENCAPS_PORT"),
    (0x85, "SCTP_PLPMTUD_PROBE_INTERVAL"),
];

/// Options of `SOL_IRDA`.
pub const IRDA_OPTIONS: Xlat = &[
    (1, "IRLMP_ENUMDEVICES"),
    (2, "IRLMP_IAS_SET"),
    (3, "IRLMP_IAS_QUERY"),
    (4, "IRLMP_HINTS_SET"),
    (5, "IRLMP_QOS_SET"),
    (6, "IRLMP_QOS_GET"),
    (7, "IRLMP_MAX_SDU_SIZE"),
    (8, "IRLMP_IAS_GET"),
    (9, "IRLMP_IAS_DEL"),
    (0xa, "IRLMP_HINT_MASK_SET"),
    (0xb, "IRLMP_WAITDEVICE"),
];

/// Options of `SOL_LLC`.
pub const LLC_OPTIONS: Xlat = &[
    (0, "LLC_OPT_UNKNOWN"),
    (1, "LLC_OPT_RETRY"),
    (2, "LLC_OPT_SIZE"),
    (3, "LLC_OPT_ACK_TMR_EXP"),
    (4, "LLC_OPT_P_TMR_EXP"),
    (5, "LLC_OPT_REJ_TMR_EXP"),
    (6, "LLC_OPT_BUSY_TMR_EXP"),
    (7, "LLC_OPT_TX_WIN"),
    (8, "LLC_OPT_RX_WIN"),
    (9, "LLC_OPT_PKTINFO"),
];

/// Options of `SOL_DCCP`.
pub const DCCP_OPTIONS: Xlat = &[
    (1, "DCCP_SOCKOPT_PACKET_SIZE"),
    (2, "DCCP_SOCKOPT_SERVICE"),
    (3, "DCCP_SOCKOPT_CHANGE_L"),
    (4, "DCCP_SOCKOPT_CHANGE_R"),
    (5, "DCCP_SOCKOPT_GET_CUR_MPS"),
    (6, "DCCP_SOCKOPT_SERVER_TIMEWAIT"),
    (0xa, "DCCP_SOCKOPT_SEND_CSCOV"),
    (0xb, "DCCP_SOCKOPT_RECV_CSCOV"),
    (0xc, "DCCP_SOCKOPT_AVAILABLE_CCIDS"),
    (0xd, "DCCP_SOCKOPT_CCID"),
    (0xe, "DCCP_SOCKOPT_TX_CCID"),
    (0xf, "DCCP_SOCKOPT_RX_CCID"),
    (0x10, "DCCP_SOCKOPT_QPOLICY_ID"),
    (0x11, "DCCP_SOCKOPT_QPOLICY_TXQLEN"),
    (0x80, "DCCP_SOCKOPT_CCID_RX_INFO"),
    (0xc0, "DCCP_SOCKOPT_CCID_TX_INFO"),
];

/// Options of `SOL_TIPC`.
pub const TIPC_OPTIONS: Xlat = &[
    (0x7f, "TIPC_IMPORTANCE"),
    (0x80, "TIPC_SRC_DROPPABLE"),
    (0x81, "TIPC_DEST_DROPPABLE"),
    (0x82, "TIPC_CONN_TIMEOUT"),
    (0x83, "TIPC_NODE_RECVQ_DEPTH"),
    (0x84, "TIPC_SOCK_RECVQ_DEPTH"),
    (0x85, "TIPC_MCAST_BROADCAST"),
    (0x86, "TIPC_MCAST_REPLICAST"),
    (0x87, "TIPC_GROUP_JOIN"),
    (0x88, "TIPC_GROUP_LEAVE"),
    (0x89, "TIPC_SOCK_RECVQ_USED"),
    (0x8a, "TIPC_NODELAY"),
];

/// Options of `SOL_RXRPC`.
pub const RXRPC_OPTIONS: Xlat = &[
    (1, "RXRPC_SECURITY_KEY"),
    (2, "RXRPC_SECURITY_KEYRING"),
    (3, "RXRPC_EXCLUSIVE_CONNECTION"),
    (4, "RXRPC_MIN_SECURITY_LEVEL"),
    (5, "RXRPC_UPGRADEABLE_SERVICE"),
    (6, "RXRPC_SUPPORTED_CMSG"),
];

/// Options of `SOL_PPPOL2TP`.
pub const PPPOL2TP_OPTIONS: Xlat = &[
    (1, "PPPOL2TP_SO_DEBUG"),
    (2, "PPPOL2TP_SO_RECVSEQ"),
    (3, "PPPOL2TP_SO_SENDSEQ"),
    (4, "PPPOL2TP_SO_LNSMODE"),
    (5, "PPPOL2TP_SO_REORDERTO"),
];

/// Options of `SOL_BLUETOOTH`.
pub const BLUETOOTH_OPTIONS: Xlat = &[
    (4, "BT_SECURITY"),
    (7, "BT_DEFER_SETUP"),
    (8, "BT_FLUSHABLE"),
    (9, "BT_POWER"),
    (0xa, "BT_CHANNEL_POLICY"),
    (0xb, "BT_VOICE"),
    (0xc, "BT_SNDMTU"),
    (0xd, "BT_RCVMTU"),
];

/// Options of `SOL_PNPIPE`.
pub const PNP_OPTIONS: Xlat = &[
    (1, "PNPIPE_ENCAP"),
    (2, "PNPIPE_IFINDEX"),
    (3, "PNPIPE_HANDLE"),
    (4, "PNPIPE_INITSTATE"),
];

/// Options of `SOL_RDS` (x86).
pub const RDS_OPTIONS: Xlat = &[
    (1, "RDS_CANCEL_SENT_TO"),
    (2, "RDS_GET_MR"),
    (3, "RDS_FREE_MR"),
    (4, "RDS_BARRIER"),
    (5, "RDS_RECVERR"),
    (6, "RDS_CONG_MONITOR"),
    (7, "RDS_GET_MR_FOR_DEST"),
    (8, "SO_RDS_TRANSPORT"),
    (0xa, "SO_RDS_MSG_RXPATH_LATENCY"),
    (0x1d, "SO_TIMESTAMP_OLD"),
    (0x2710, "RDS_INFO_COUNTERS"),
    (0x2711, "RDS_INFO_CONNECTIONS"),
    (0x2712, "RDS_INFO_FLOWS"),
    (0x2713, "RDS_INFO_SEND_MESSAGES"),
    (0x2714, "RDS_INFO_RETRANS_MESSAGES"),
    (0x2715, "RDS_INFO_RECV_MESSAGES"),
    (0x2716, "RDS_INFO_SOCKETS"),
    (0x2717, "RDS_INFO_TCP_SOCKETS"),
    (0x2718, "RDS_INFO_IB_CONNECTIONS"),
    (0x2719, "RDS_INFO_CONNECTION_STATS"),
    (0x271a, "RDS_INFO_IWARP_CONNECTIONS"),
];

/// Options of `SOL_IUCV`.
pub const IUCV_OPTIONS: Xlat = &[
    (0x80, "SO_IPRMDATA_MSG"),
    (0x1000, "SO_MSGLIMIT"),
    (0x800, "SO_MSGSIZE"),
];

/// Options of `SOL_CAIF`.
pub const CAIF_OPTIONS: Xlat = &[
    (0x7f, "CAIFSO_LINK_SELECT"),
    (0x80, "CAIFSO_REQ_PARAM"),
    (0x81, "CAIFSO_RSP_PARAM"),
];

/// Options of `SOL_ALG`.
pub const ALG_OPTIONS: Xlat = &[
    (1, "ALG_SET_KEY"),
    (2, "ALG_SET_IV"),
    (3, "ALG_SET_OP"),
    (4, "ALG_SET_AEAD_ASSOCLEN"),
    (5, "ALG_SET_AEAD_AUTHSIZE"),
    (6, "ALG_SET_DRBG_ENTROPY"),
];

/// Options of `SOL_NFC`.
pub const NFC_LLCP_OPTIONS: Xlat = &[
    (0, "NFC_LLCP_RW"),
    (1, "NFC_LLCP_MIUX"),
    (2, "NFC_LLCP_REMOTE_MIU"),
    (3, "NFC_LLCP_REMOTE_LTO"),
    (4, "NFC_LLCP_REMOTE_RW"),
];

/// Options of `SOL_KCM`.
pub const KCM_OPTIONS: Xlat = &[(1, "KCM_RECV_DISABLE")];

/// Options of `SOL_TLS`.
pub const TLS_OPTIONS: Xlat = &[(1, "TLS_TX"), (2, "TLS_RX")];

/// Options of `SOL_XDP`.
pub const XDP_OPTIONS: Xlat = &[
    (1, "XDP_MMAP_OFFSETS"),
    (2, "XDP_RX_RING"),
    (3, "XDP_TX_RING"),
    (4, "XDP_UMEM_REG"),
    (5, "XDP_UMEM_FILL_RING"),
    (6, "XDP_UMEM_COMPLETION_RING"),
    (7, "XDP_STATISTICS"),
    (8, "XDP_OPTIONS"),
];

/// `BDADDR_*` of `sockaddr_l2.l2_bdaddr_type`.
pub const BDADDR_TYPES: Xlat = &[
    (0, "BDADDR_BREDR"),
    (1, "BDADDR_LE_PUBLIC"),
    (2, "BDADDR_LE_RANDOM"),
];

/// `L2CAP_CID_*` channel ids (strace's names; sorted by value).
pub const L2CAP_CIDS: Xlat = &[
    (0x0001, "L2CAP_CID_SIGNALING"),
    (0x0002, "L2CAP_CID_CONN_LESS"),
    (0x0003, "L2CAP_CID_A2MP"),
    (0x0004, "L2CAP_CID_ATT"),
    (0x0005, "L2CAP_CID_LE_SIGNALING"),
    (0x0006, "L2CAP_CID_SMP"),
    (0x0007, "L2CAP_CID_SMP_BREDR"),
    (0x0040, "L2CAP_CID_DYN_START"),
    (0x007f, "L2CAP_CID_LE_DYN_END"),
    (0xffff, "L2CAP_CID_DYN_END"),
];

/// `L2CAP_PSM_*` protocol/service multiplexers (strace's names; sorted by value).
pub const L2CAP_PSMS: Xlat = &[
    (0x0001, "L2CAP_PSM_SDP"),
    (0x0003, "L2CAP_PSM_RFCOMM"),
    (0x0021, "L2CAP_PSM_3DSP"),
    (0x0023, "L2CAP_PSM_IPSP"),
    (0x0080, "L2CAP_PSM_LE_DYN_START"),
    (0x00ff, "L2CAP_PSM_LE_DYN_END"),
    (0x1001, "L2CAP_PSM_DYN_START"),
    (0x10ff, "L2CAP_PSM_AUTO_END"),
    (0xffff, "L2CAP_PSM_DYN_END"),
];

/// `HCI_CHANNEL_*` of `sockaddr_hci.hci_channel`.
pub const HCI_CHANNELS: Xlat = &[
    (0, "HCI_CHANNEL_RAW"),
    (1, "HCI_CHANNEL_USER"),
    (2, "HCI_CHANNEL_MONITOR"),
    (3, "HCI_CHANNEL_CONTROL"),
    (4, "HCI_CHANNEL_LOGGING"),
];

/// RxRPC services strace names.
pub const RXRPC_SERVICES: Xlat = &[
    (1, "CM_SERVICE"),
    (2500, "YFS_FS_SERVICE"),
    (2501, "YFS_CM_SERVICE"),
    (2503, "YFS_VL_SERVICE"),
];

/// `IEEE802154_ADDR_*` address types.
pub const IEEE802154_ADDR_TYPES: Xlat = &[
    (0, "IEEE802154_ADDR_NONE"),
    (2, "IEEE802154_ADDR_SHORT"),
    (3, "IEEE802154_ADDR_LONG"),
];

/// IEEE 802.15.4 short addresses strace names.
pub const IEEE802154_ADDRS: Xlat = &[
    (0xfffe, "IEEE802154_ADDR_UNDEF"),
    (0xffff, "IEEE802154_ADDR_BROADCAST"),
];

/// IEEE 802.15.4 PAN ids strace names.
pub const IEEE802154_PAN_IDS: Xlat = &[(0xffff, "IEEE802154_PANID_BROADCAST")];

/// `LLCP_SAP_*` of an NFC address.
pub const NFC_SAPS: Xlat = &[
    (0x1, "LLCP_SAP_SDP"),
    (0x2, "LLCP_SAP_IP"),
    (0x3, "LLCP_SAP_OBEX"),
    (0x4, "LLCP_SAP_SNEP"),
    (0xff, "LLCP_SAP_MAX"),
];

/// `NFC_PROTO_*` of `sockaddr_nfc.nfc_protocol`.
pub const NFC_SOCKADDR_PROTOCOLS: Xlat = &[
    (1, "NFC_PROTO_JEWEL"),
    (2, "NFC_PROTO_MIFARE"),
    (3, "NFC_PROTO_FELICA"),
    (4, "NFC_PROTO_ISO14443"),
    (5, "NFC_PROTO_NFC_DEP"),
    (6, "NFC_PROTO_ISO14443_B"),
    (7, "NFC_PROTO_ISO15693"),
];

/// `SYS_*` operations of i386's `socketcall`.
pub const SOCKETCALLS: Xlat = &[
    (1, "SYS_SOCKET"),
    (2, "SYS_BIND"),
    (3, "SYS_CONNECT"),
    (4, "SYS_LISTEN"),
    (5, "SYS_ACCEPT"),
    (6, "SYS_GETSOCKNAME"),
    (7, "SYS_GETPEERNAME"),
    (8, "SYS_SOCKETPAIR"),
    (9, "SYS_SEND"),
    (10, "SYS_RECV"),
    (11, "SYS_SENDTO"),
    (12, "SYS_RECVFROM"),
    (13, "SYS_SHUTDOWN"),
    (14, "SYS_SETSOCKOPT"),
    (15, "SYS_GETSOCKOPT"),
    (16, "SYS_SENDMSG"),
    (17, "SYS_RECVMSG"),
    (18, "SYS_ACCEPT4"),
    (19, "SYS_RECVMMSG"),
    (20, "SYS_SENDMMSG"),
];

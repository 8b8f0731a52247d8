//! Network activity: what the `network` module publishes — one event per socket operation, and at the
//! end one connection summary per socket that connected or carried data.
//!
//! Addresses travel as the strings users read (`127.0.0.1:7777`, `[::1]:7778`, `/tmp/x.sock`,
//! `@abstract`); families and protocols as short names (`inet`, `tcp`, `stream`). The OS layer makes
//! them; this file only says what an event holds.

use serde::Serialize;

use super::ThreadCtx;

/// A socket operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NetOp {
    /// A socket is made (`socket`, each end of `socketpair`).
    Socket,
    /// A local address is given.
    Bind,
    /// The socket listens.
    Listen,
    /// A connection is asked for (or, for datagrams, a default peer set).
    Connect,
    /// A connection is accepted: the event is about the new socket.
    Accept,
    /// Bytes sent.
    Send,
    /// Bytes received.
    Recv,
    /// One or both directions are shut down.
    Shutdown,
    /// The last handle of the socket in this process is closed.
    Close,
}

impl NetOp {
    /// The journal's name.
    pub fn as_str(self) -> &'static str {
        match self {
            NetOp::Socket => "socket",
            NetOp::Bind => "bind",
            NetOp::Listen => "listen",
            NetOp::Connect => "connect",
            NetOp::Accept => "accept",
            NetOp::Send => "send",
            NetOp::Recv => "recv",
            NetOp::Shutdown => "shutdown",
            NetOp::Close => "close",
        }
    }
}

/// One socket operation (`type: "net"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetEvent {
    /// Nanoseconds since tracing started (the call's entry).
    pub ts: u64,
    /// vCPU.
    pub vcpu: u32,
    /// The calling thread.
    #[serde(flatten)]
    pub thread: ThreadCtx,
    /// What happened.
    pub op: NetOp,
    /// The descriptor (for `accept`, the new one when it succeeded, else the listener's).
    pub fd: i64,
    /// `inet`, `inet6`, `unix`, `netlink`, `packet`…; `None` for a socket made before tracing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// `tcp`, `udp`, `raw`…, or for unix sockets the type (`stream`, `dgram`, `seqpacket`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proto: Option<String>,
    /// The local address, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local: Option<String>,
    /// The remote address, when known (for a datagram sent or received, that datagram's peer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote: Option<String>,
    /// Bytes moved by a send or receive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// The call that did it (`sendto`, `write`, `accept4`…).
    pub syscall: &'static str,
    /// The errno name when the call failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One socket's life (`type: "connection"`), at the end of tracing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Connection {
    /// The process that made (or accepted) it.
    pub pid: Option<u32>,
    /// Its command name then.
    pub comm: Option<String>,
    /// The descriptor it was made as.
    pub fd: i64,
    /// The family.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// The protocol or unix socket type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proto: Option<String>,
    /// The local address, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local: Option<String>,
    /// The remote address, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote: Option<String>,
    /// Bytes sent, by every process holding it.
    pub bytes_sent: u64,
    /// Bytes received, by every process holding it.
    pub bytes_received: u64,
    /// When it was made (or first seen), nanoseconds since tracing started.
    pub opened_ts: u64,
    /// When its last handle was closed; `None` when still open at the end.
    pub closed_ts: Option<u64>,
}

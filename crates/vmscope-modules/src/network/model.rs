//! The network monitor's model: per-thread descriptor tables that point at shared socket objects, kept
//! from the file mapping's lifecycle operations (dup, close, close_range, close-on-exec, fork/clone,
//! exec, exit) and the socket mapping's operations, and what each socket is and moved.
//!
//! Tables follow the file monitor's rules ([`crate::files::table`]): threads and `CLONE_FILES`
//! children share one table, a fork gets a copy, exec unshares it and drops close-on-exec handles. A
//! socket is one object however many descriptors and processes hold it (a `dup`, a fork): its bytes
//! are counted once, and it is closed when its last descriptor goes. Every map is bounded.
//!
//! Nothing here reads the guest: it is driven by synthetic calls in tests.

use std::collections::HashMap;
use std::sync::Arc;

use vmscope_core::event::{Connection, FileOp, Handle, NetEvent, NetOp, ThreadCtx};
use vmscope_linux::netops::{SockCall, SockKind, SockOp};
use vmscope_linux::sock::KernelSock;

/// Threads followed at most (the oldest-created are forgotten past it).
pub const MAX_THREADS: usize = 1 << 16;
/// Socket descriptors kept per table at most.
pub const MAX_HANDLES: usize = 1 << 14;
/// Sockets alive at most.
pub const MAX_SOCKETS: usize = 1 << 16;
/// Connection summaries kept at most.
pub const MAX_CONNECTIONS: usize = 1 << 16;

/// What a socket is and what it moved.
#[derive(Debug, Clone, Default)]
pub struct Sock {
    /// `inet`, `unix`...; `None` when it was made before tracing.
    pub family: Option<String>,
    /// `tcp`, `stream`...
    pub proto: Option<String>,
    /// Local address.
    pub local: Option<String>,
    /// Remote address.
    pub remote: Option<String>,
    /// Bytes sent.
    pub sent: u64,
    /// Bytes received.
    pub received: u64,
    /// When made or first seen.
    pub opened_ts: u64,
    /// Who made it.
    pub pid: Option<u32>,
    /// Its command name then.
    pub comm: Option<String>,
    /// The descriptor it was made as.
    pub fd: Handle,
    /// It connected (or was accepted).
    pub connected: bool,
    refs: usize,
    /// Its `--decode-fds` name, made for the addresses it had then (kept while they last).
    shown: Option<Box<Shown>>,
}

/// A socket's name for `--decode-fds` and the addresses it was made from.
#[derive(Debug, Clone)]
struct Shown {
    local: Option<String>,
    remote: Option<String>,
    name: Arc<str>,
}

impl Sock {
    /// What `--decode-fds` shows for it: `socket:[LOCAL->REMOTE]`, `socket:[LOCAL]` (bound, not
    /// connected), `socket:[->REMOTE]` (the local address unknown); `None` without any address. Made
    /// once per change of address, then shared.
    pub fn shown_name(&mut self) -> Option<Arc<str>> {
        if self.local.is_none() && self.remote.is_none() {
            return None;
        }
        if let Some(s) = &self.shown
            && s.local == self.local
            && s.remote == self.remote
        {
            return Some(s.name.clone());
        }
        let name: Arc<str> = match (&self.local, &self.remote) {
            (Some(l), Some(r)) => format!("socket:[{l}->{r}]"),
            (Some(l), None) => format!("socket:[{l}]"),
            (None, Some(r)) => format!("socket:[->{r}]"),
            (None, None) => return None,
        }
        .into();
        self.shown = Some(Box::new(Shown {
            local: self.local.clone(),
            remote: self.remote.clone(),
            name: name.clone(),
        }));
        Some(name)
    }
}

#[derive(Clone, Copy)]
struct Slot {
    sock: u64,
    cloexec: bool,
}

#[derive(Default, Clone)]
struct Table {
    slots: HashMap<Handle, Slot>,
    /// Made for a thread first seen in its own call, not at its parent's fork or clone: a child's
    /// first calls can be published before the parent's `fork` returns. What it did is merged into
    /// the table the fork then gives it.
    orphan: bool,
    /// Descriptors an orphan table's thread closed that it did not know (inherited ones).
    closed: Vec<Handle>,
}

/// Unknown descriptors remembered as closed per orphan table at most.
const MAX_ORPHAN_CLOSED: usize = 256;

/// The whole model.
#[derive(Default)]
pub struct Model {
    threads: HashMap<u64, (u64, u64)>,
    tables: HashMap<u64, (Table, usize)>,
    socks: HashMap<u64, Sock>,
    next_id: u64,
    done: Vec<Connection>,
    /// Threads that ended before their parent's fork or clone was seen returning (newest last).
    exited_early: std::collections::VecDeque<u64>,
    /// Connection summaries left out past [`MAX_CONNECTIONS`].
    pub dropped: u64,
}

/// One call's context: who made it, when.
pub struct Caller<'a> {
    /// Model key of the thread (its tid, or its address space).
    pub key: u64,
    /// The thread.
    pub thread: &'a ThreadCtx,
    /// When (the call's entry).
    pub ts: u64,
    /// When it returned.
    pub ts_exit: u64,
    /// vCPU.
    pub vcpu: u32,
    /// The call's name.
    pub syscall: &'static str,
}

impl Model {
    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn table_of(&mut self, key: u64) -> u64 {
        if let Some(&(t, _)) = self.threads.get(&key) {
            return t;
        }
        let t = self.id();
        let table = Table {
            orphan: true,
            ..Table::default()
        };
        self.tables.insert(t, (table, 1));
        self.set_thread(key, t);
        t
    }

    /// Notes that an orphan table's thread closed `h`, which it did not know.
    fn closed_unknown(&mut self, t: u64, h: Handle) {
        if let Some((tb, _)) = self.tables.get_mut(&t)
            && tb.orphan
            && !tb.slots.contains_key(&h)
            && tb.closed.len() < MAX_ORPHAN_CLOSED
        {
            tb.closed.push(h);
        }
    }

    /// Thread `child` gets table `target` (its parent's, shared or copied); what it did before
    /// (an orphan table of its own) is applied on top.
    fn adopt(&mut self, child: u64, target: u64, ts: u64) {
        let orphan = self.threads.get(&child).map(|&(t, _)| t).filter(|t| {
            self.tables
                .get(t)
                .is_some_and(|(tb, refs)| tb.orphan && *refs == 1 && *t != target)
        });
        if let Some(o) = orphan
            && let Some((tb, _)) = self.tables.remove(&o)
        {
            for h in tb.closed {
                if let Some(s) = self.take(target, h) {
                    self.unref_sock(s.sock, ts);
                }
            }
            for (h, slot) in tb.slots {
                // Moved, not copied: the socket keeps its count.
                let old = self
                    .tables
                    .get_mut(&target)
                    .and_then(|(t, _)| t.slots.insert(h, slot));
                if let Some(old) = old {
                    self.unref_sock(old.sock, ts);
                }
            }
        }
        self.set_thread(child, target);
    }

    fn set_thread(&mut self, key: u64, table: u64) {
        if self.threads.len() >= MAX_THREADS
            && !self.threads.contains_key(&key)
            && let Some(oldest) = self
                .threads
                .iter()
                .min_by_key(|(_, (_, born))| *born)
                .map(|(k, _)| *k)
        {
            self.drop_thread(oldest, 0);
        }
        let born = self.id();
        if let Some((old, _)) = self.threads.insert(key, (table, born)) {
            self.unref_table(old, 0);
        }
    }

    fn drop_thread(&mut self, key: u64, ts: u64) {
        if let Some((t, _)) = self.threads.remove(&key) {
            self.unref_table(t, ts);
        }
    }

    fn unref_table(&mut self, t: u64, ts: u64) {
        let gone = match self.tables.get_mut(&t) {
            Some(e) => {
                e.1 -= 1;
                e.1 == 0
            }
            None => false,
        };
        if gone && let Some((table, _)) = self.tables.remove(&t) {
            for s in table.slots.into_values() {
                self.unref_sock(s.sock, ts);
            }
        }
    }

    /// One less descriptor on socket `id`; the last one closes it.
    fn unref_sock(&mut self, id: u64, ts: u64) {
        let gone = match self.socks.get_mut(&id) {
            Some(s) => {
                s.refs = s.refs.saturating_sub(1);
                s.refs == 0
            }
            None => false,
        };
        if gone && let Some(s) = self.socks.remove(&id) {
            self.summarise(s, Some(ts));
        }
    }

    fn summarise(&mut self, s: Sock, closed: Option<u64>) {
        if !s.connected && s.sent == 0 && s.received == 0 {
            return;
        }
        if self.done.len() >= MAX_CONNECTIONS {
            self.dropped += 1;
            return;
        }
        self.done.push(Connection {
            pid: s.pid,
            comm: s.comm,
            fd: s.fd,
            family: s.family,
            proto: s.proto,
            local: s.local,
            remote: s.remote,
            bytes_sent: s.sent,
            bytes_received: s.received,
            opened_ts: s.opened_ts,
            closed_ts: closed,
        });
    }

    /// Puts socket `sock` at descriptor `h` of table `t` (whatever was there is closed).
    fn put(&mut self, t: u64, h: Handle, sock: u64, cloexec: bool, ts: u64) {
        let Some((table, _)) = self.tables.get_mut(&t) else {
            return;
        };
        if table.slots.len() >= MAX_HANDLES && !table.slots.contains_key(&h) {
            return;
        }
        let old = table.slots.insert(h, Slot { sock, cloexec });
        if let Some(s) = self.socks.get_mut(&sock) {
            s.refs += 1;
        }
        if let Some(o) = old {
            self.unref_sock(o.sock, ts);
        }
    }

    fn take(&mut self, t: u64, h: Handle) -> Option<Slot> {
        self.tables.get_mut(&t)?.0.slots.remove(&h)
    }

    /// The socket at descriptor `h` of thread `key`.
    pub fn sock_at(&self, key: u64, h: Handle) -> Option<&Sock> {
        let (t, _) = self.threads.get(&key)?;
        let slot = self.tables.get(t)?.0.slots.get(&h)?;
        self.socks.get(&slot.sock)
    }

    /// Whether descriptor `h` of thread `key` is a socket the model knows.
    pub fn knows(&self, key: u64, h: Handle) -> bool {
        self.sock_id(key, h).is_some()
    }

    /// Descriptor `h` of the caller is socket `k`, as the kernel holds it: a socket the model did not
    /// see made (from before tracing, or a parent not followed). Nothing is published for it; its
    /// next operation is.
    pub fn learn(&mut self, who: &Caller<'_>, h: Handle, k: &KernelSock) {
        if self.sock_id(who.key, h).is_some() {
            return;
        }
        let t = self.table_of(who.key);
        let s = Sock {
            family: Some(k.kind.family_name()),
            proto: Some(k.kind.proto_name()),
            local: k.local.clone(),
            remote: k.remote.clone(),
            opened_ts: who.ts,
            pid: who.thread.pid,
            comm: who.thread.comm.as_deref().map(str::to_string),
            fd: h,
            connected: k.remote.is_some(),
            ..Sock::default()
        };
        if let Some(id) = self.new_sock(s) {
            self.put(t, h, id, false, who.ts);
        }
    }

    /// The `--decode-fds` name of the socket at descriptor `h` of thread `key` ([`Sock::shown_name`]).
    pub fn sock_name(&mut self, key: u64, h: Handle) -> Option<Arc<str>> {
        let id = self.sock_id(key, h)?;
        self.socks.get_mut(&id)?.shown_name()
    }

    fn sock_id(&self, key: u64, h: Handle) -> Option<u64> {
        let (t, _) = self.threads.get(&key)?;
        Some(self.tables.get(t)?.0.slots.get(&h)?.sock)
    }

    fn new_sock(&mut self, s: Sock) -> Option<u64> {
        if self.socks.len() >= MAX_SOCKETS {
            return None;
        }
        let id = self.id();
        self.socks.insert(id, s);
        Some(id)
    }

    /// Sockets alive (for tests and the end notice).
    pub fn sockets(&self) -> usize {
        self.socks.len()
    }

    /// Threads followed.
    pub fn threads(&self) -> usize {
        self.threads.len()
    }

    /// Applies a lifecycle operation of the file mapping; returns the `close` events.
    pub fn lifecycle(&mut self, who: &Caller<'_>, op: &FileOp, ok: bool) -> Vec<NetEvent> {
        let mut out = Vec::new();
        match op {
            FileOp::Dup { old, new, cloexec } => {
                let t = self.table_of(who.key);
                match (new, self.sock_id(who.key, *old)) {
                    (Some(n), Some(id)) if n != old => self.put(t, *n, id, *cloexec, who.ts_exit),
                    // A socket overwritten by a copy of a non-socket is closed.
                    (Some(n), None) => {
                        if let Some(s) = self.take(t, *n) {
                            self.close_event(who, *n, s.sock, &mut out);
                            self.unref_sock(s.sock, who.ts_exit);
                        }
                    }
                    _ => {}
                }
            }
            FileOp::Close { handle } if ok => {
                let t = self.table_of(who.key);
                if let Some(s) = self.take(t, *handle) {
                    self.close_event(who, *handle, s.sock, &mut out);
                    self.unref_sock(s.sock, who.ts_exit);
                } else {
                    self.closed_unknown(t, *handle);
                }
            }
            FileOp::CloseRange {
                first,
                last,
                cloexec_only,
            } if ok => {
                let t = self.table_of(who.key);
                let mut hs: Vec<Handle> = self
                    .tables
                    .get(&t)
                    .map(|(tb, _)| {
                        tb.slots
                            .keys()
                            .copied()
                            .filter(|h| (*first..=*last).contains(h))
                            .collect()
                    })
                    .unwrap_or_default();
                hs.sort_unstable();
                for h in hs {
                    if *cloexec_only {
                        if let Some((tb, _)) = self.tables.get_mut(&t)
                            && let Some(s) = tb.slots.get_mut(&h)
                        {
                            s.cloexec = true;
                        }
                    } else if let Some(s) = self.take(t, h) {
                        self.close_event(who, h, s.sock, &mut out);
                        self.unref_sock(s.sock, who.ts_exit);
                    }
                }
            }
            FileOp::SetCloexec { handle, on } => {
                let t = self.table_of(who.key);
                if let Some((tb, _)) = self.tables.get_mut(&t)
                    && let Some(s) = tb.slots.get_mut(handle)
                {
                    s.cloexec = *on;
                }
            }
            FileOp::Spawn {
                tid, share_handles, ..
            } => {
                let child = u64::from(*tid);
                if let Some(i) = self.exited_early.iter().position(|&k| k == child) {
                    self.exited_early.remove(i);
                    return out;
                }
                let t = self.table_of(who.key);
                let child = if *share_handles {
                    if let Some(e) = self.tables.get_mut(&t) {
                        e.1 += 1;
                    }
                    t
                } else {
                    self.copy_table(t, false)
                };
                self.adopt(u64::from(*tid), child, who.ts_exit);
            }
            FileOp::Exec if ok => {
                let t = self.table_of(who.key);
                let copy = self.copy_table(t, true);
                self.set_thread(who.key, copy);
            }
            FileOp::Exit => {
                // A child that ends before its parent's fork returned: the fork must not give it
                // a table that nothing would ever drop.
                if self
                    .threads
                    .get(&who.key)
                    .and_then(|(t, _)| self.tables.get(t))
                    .is_none_or(|(tb, _)| tb.orphan)
                {
                    if self.exited_early.len() >= 1024 {
                        self.exited_early.pop_front();
                    }
                    self.exited_early.push_back(who.key);
                }
                self.drop_thread(who.key, who.ts);
            }
            _ => {}
        }
        out
    }

    fn copy_table(&mut self, t: u64, exec: bool) -> u64 {
        let mut copy = self
            .tables
            .get(&t)
            .map(|(tb, _)| tb.clone())
            .unwrap_or_default();
        if exec {
            copy.slots.retain(|_, s| !s.cloexec);
        }
        copy.orphan = false;
        copy.closed.clear();
        for s in copy.slots.values() {
            if let Some(sock) = self.socks.get_mut(&s.sock) {
                sock.refs += 1;
            }
        }
        let id = self.id();
        self.tables.insert(id, (copy, 1));
        id
    }

    fn close_event(&self, who: &Caller<'_>, fd: Handle, sock: u64, out: &mut Vec<NetEvent>) {
        if let Some(s) = self.socks.get(&sock) {
            out.push(event(who, NetOp::Close, fd, s, None));
        }
    }

    /// Applies a socket operation; returns the events to publish.
    pub fn apply(&mut self, who: &Caller<'_>, c: &SockCall) -> Vec<NetEvent> {
        let ok = c.error.is_none();
        let err = c.error.clone();
        let fd = c.fd;
        let known = self.sock_id(who.key, fd);
        // A call on any descriptor (read, write, sendfile...) is about a socket only when it is one.
        if !c.socket_call && known.is_none() {
            return Vec::new();
        }
        let t = self.table_of(who.key);
        // A socket-only call on a descriptor never seen made: a socket from before tracing.
        let id = match known {
            Some(id) => Some(id),
            None if !matches!(c.op, SockOp::New { .. }) && ok => {
                let s = Sock {
                    opened_ts: who.ts,
                    pid: who.thread.pid,
                    comm: who.thread.comm.as_deref().map(str::to_string),
                    fd,
                    ..Sock::default()
                };
                let id = self.new_sock(s);
                if let Some(id) = id {
                    self.put(t, fd, id, false, who.ts);
                }
                id
            }
            None => None,
        };
        let blank = Sock::default();
        match &c.op {
            SockOp::New { fds, kind, cloexec } => {
                self.new_sockets(who, t, fds, *kind, *cloexec, err)
            }
            SockOp::Bind { addr } => {
                let s = self.sock_mut(id);
                if ok && let Some(s) = s {
                    s.local = addr.clone();
                }
                let s = self.sock_ref(id, &blank);
                let mut e = event(who, NetOp::Bind, fd, s, err);
                e.local = addr.clone().or(e.local);
                vec![e]
            }
            SockOp::Listen => vec![event(
                who,
                NetOp::Listen,
                fd,
                self.sock_ref(id, &blank),
                err,
            )],
            SockOp::Connect { addr } => {
                let started = ok || c.error.as_deref() == Some("EINPROGRESS");
                if started && let Some(s) = self.sock_mut(id) {
                    if addr.as_deref() == Some("unspec") {
                        // AF_UNSPEC dissolves a datagram socket's association.
                        s.remote = None;
                    } else {
                        s.remote = addr.clone();
                        s.connected = true;
                    }
                }
                let mut e = event(who, NetOp::Connect, fd, self.sock_ref(id, &blank), err);
                e.remote = addr.clone().or(e.remote);
                vec![e]
            }
            SockOp::Accept { new, peer, cloexec } => {
                let listener = self.sock_ref(id, &blank).clone();
                let Some(n) = new else {
                    return vec![event(who, NetOp::Accept, fd, &listener, err)];
                };
                let s = Sock {
                    family: listener.family.clone(),
                    proto: listener.proto.clone(),
                    local: listener.local.clone(),
                    remote: peer.clone(),
                    opened_ts: who.ts_exit,
                    pid: who.thread.pid,
                    comm: who.thread.comm.as_deref().map(str::to_string),
                    fd: *n,
                    connected: true,
                    ..Sock::default()
                };
                let e = event(who, NetOp::Accept, *n, &s, err);
                if let Some(nid) = self.new_sock(s) {
                    self.put(t, *n, nid, *cloexec, who.ts_exit);
                }
                vec![e]
            }
            SockOp::Name { local, addr } => {
                if let (Some(s), Some(a)) = (self.sock_mut(id), addr) {
                    if *local {
                        s.local = Some(a.clone());
                    } else {
                        s.remote = Some(a.clone());
                    }
                }
                Vec::new()
            }
            SockOp::Send { bytes, to } | SockOp::Recv { bytes, from: to } => {
                let send = matches!(c.op, SockOp::Send { .. });
                if let Some(s) = self.sock_mut(id) {
                    if ok {
                        let n = bytes.unwrap_or(0);
                        if send {
                            s.sent = s.sent.saturating_add(n);
                        } else {
                            s.received = s.received.saturating_add(n);
                        }
                    }
                    // A datagram's peer stands for the remote of a socket not connected.
                    if ok && s.remote.is_none() && !s.connected && to.is_some() {
                        s.remote = to.clone();
                    }
                }
                let op = if send { NetOp::Send } else { NetOp::Recv };
                let mut e = event(who, op, fd, self.sock_ref(id, &blank), err);
                if to.is_some() {
                    e.remote = to.clone();
                }
                e.bytes = if ok { *bytes } else { None };
                vec![e]
            }
            SockOp::Shutdown => vec![event(
                who,
                NetOp::Shutdown,
                fd,
                self.sock_ref(id, &blank),
                err,
            )],
        }
    }

    fn sock_mut(&mut self, id: Option<u64>) -> Option<&mut Sock> {
        self.socks.get_mut(&id?)
    }

    fn sock_ref<'a>(&'a self, id: Option<u64>, blank: &'a Sock) -> &'a Sock {
        id.and_then(|id| self.socks.get(&id)).unwrap_or(blank)
    }

    fn new_sockets(
        &mut self,
        who: &Caller<'_>,
        t: u64,
        fds: &[Handle],
        kind: SockKind,
        cloexec: bool,
        err: Option<String>,
    ) -> Vec<NetEvent> {
        let proto = Some(kind.proto_name());
        let family = Some(kind.family_name());
        let base = Sock {
            family,
            proto,
            opened_ts: who.ts_exit,
            pid: who.thread.pid,
            comm: who.thread.comm.as_deref().map(str::to_string),
            ..Sock::default()
        };
        if fds.is_empty() {
            return vec![event(who, NetOp::Socket, -1, &base, err)];
        }
        let mut out = Vec::new();
        for &fd in fds {
            let s = Sock { fd, ..base.clone() };
            out.push(event(who, NetOp::Socket, fd, &s, None));
            if let Some(id) = self.new_sock(s) {
                self.put(t, fd, id, cloexec, who.ts_exit);
            }
        }
        out
    }

    /// The connection summaries: sockets closed, then those still open (`closed_ts: None`).
    pub fn finish(&mut self) -> Vec<Connection> {
        let mut open: Vec<Sock> = self.socks.drain().map(|(_, s)| s).collect();
        open.sort_by_key(|s| s.opened_ts);
        for s in open {
            self.summarise(s, None);
        }
        self.tables.clear();
        self.threads.clear();
        std::mem::take(&mut self.done)
    }
}

fn event(who: &Caller<'_>, op: NetOp, fd: Handle, s: &Sock, error: Option<String>) -> NetEvent {
    NetEvent {
        ts: who.ts,
        vcpu: who.vcpu,
        thread: who.thread.clone(),
        op,
        fd,
        family: s.family.clone(),
        proto: s.proto.clone(),
        local: s.local.clone(),
        remote: s.remote.clone(),
        bytes: None,
        syscall: who.syscall,
        error,
    }
}

//! The file monitor's model of the guest: per-thread handle tables and current directories, kept from
//! OS-independent [`FileCall`]s alone, and the per-file summary.
//!
//! Threads and `CLONE_FILES` children share one table; a fork gets a copy; exec unshares the table
//! and drops close-on-exec handles. `CLONE_FS` shares the current directory the same way. A handle or a
//! directory the model has never seen (it existed before tracing began) is asked of the kernel through
//! [`KernelView`], once, and remembered.
//!
//! Nothing here reads the guest directly: it can be driven by synthetic call sequences in tests.

use std::collections::HashMap;

use sha2::{Digest, Sha256};
use vmscope_core::event::{
    FileCall, FileOp, FileSummary, Handle, ObjectKind, PathArg, PathBase, ProcessFileUse, Target,
};

/// Threads followed at most; past that the oldest-created are forgotten (a hostile guest spawning
/// threads forever must not grow memory without bound).
pub const MAX_THREADS: usize = 1 << 16;
/// Handles kept per table at most.
pub const MAX_HANDLES: usize = 1 << 16;
/// Files kept in the summary at most.
pub const MAX_SUMMARY_FILES: usize = 1 << 17;

/// What the kernel itself says, for things the model did not see happen.
pub trait KernelView {
    /// What handle `h` of the current thread names, from the kernel's structures.
    fn handle_name(&mut self, h: Handle) -> Option<String>;
    /// The current thread's current directory, from the kernel's structures.
    fn cwd(&mut self) -> Option<String>;
}

/// A kernel view that knows nothing (no BTF, or tests).
pub struct NoKernel;

impl KernelView for NoKernel {
    fn handle_name(&mut self, _h: Handle) -> Option<String> {
        None
    }
    fn cwd(&mut self) -> Option<String> {
        None
    }
}

/// Who made a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who {
    /// Key of the thread: its tid, or the address space when threads are not identified.
    pub key: u64,
    /// Process id, when known.
    pub pid: Option<u32>,
    /// Command name, when known.
    pub comm: Option<String>,
}

/// Bytes a read or write moved, as read from the guest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Moved {
    /// The bytes that could be read, in order (at most the call's result).
    pub bytes: Vec<u8>,
    /// Bytes moved that could not be read from the guest.
    pub unreadable: u64,
}

/// One file event to publish, without the thread and time (the caller adds those).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The operation's journal name.
    pub op: &'static str,
    /// The handle.
    pub fd: Option<Handle>,
    /// What it names.
    pub path: Option<String>,
    /// The second name.
    pub new_path: Option<String>,
    /// Bytes moved.
    pub bytes: Option<u64>,
    /// Offset.
    pub offset: Option<i64>,
    /// Length (truncate, mmap).
    pub length: Option<i64>,
    /// Flags as rendered.
    pub flags: Option<String>,
    /// Errno name.
    pub error: Option<String>,
    /// SHA-256 of the handle's bytes, at close with capture on.
    pub sha256: Option<String>,
    /// Bytes hashed, at close with capture on.
    pub hashed_bytes: Option<u64>,
    /// Bytes moved but not hashed, at close with capture on.
    pub unhashed_bytes: Option<u64>,
}

#[derive(Clone)]
struct Entry {
    name: Option<String>,
    cloexec: bool,
    hash: Option<Box<Hash>>,
}

#[derive(Clone, Default)]
struct Hash {
    state: Sha256,
    hashed: u64,
    unhashed: u64,
}

#[derive(Clone, Default)]
struct Table {
    handles: HashMap<Handle, Entry>,
}

struct ThreadState {
    table: u64,
    cwd: u64,
    born: u64,
}

#[derive(Default)]
struct FileStats {
    order: u64,
    procs: Vec<ProcessFileUse>,
}

/// The whole model.
pub struct Tracker {
    capture: bool,
    threads: HashMap<u64, ThreadState>,
    tables: HashMap<u64, (Table, usize)>,
    cwds: HashMap<u64, (Option<String>, usize)>,
    next_id: u64,
    files: HashMap<String, FileStats>,
    /// Files not summarised because [`MAX_SUMMARY_FILES`] was reached.
    pub summary_dropped: u64,
}

/// `base` joined with `rel`, with `.` and `..` removed lexically (symbolic links are not followed).
pub fn join(base: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let start = if rel.starts_with('/') { "" } else { base };
    for p in start.split('/').chain(rel.split('/')) {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let mut out = String::with_capacity(rel.len() + base.len() + 1);
    for p in &parts {
        out.push('/');
        out.push_str(p);
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

fn is_object_name(name: &str) -> bool {
    name.starts_with("pipe:") || name.starts_with("socket:") || name.starts_with("anon_inode:")
}

impl Tracker {
    /// An empty model; `capture` keeps a running SHA-256 per handle.
    pub fn new(capture: bool) -> Self {
        Self {
            capture,
            threads: HashMap::new(),
            tables: HashMap::new(),
            cwds: HashMap::new(),
            next_id: 1,
            files: HashMap::new(),
            summary_dropped: 0,
        }
    }

    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn thread(&mut self, key: u64) -> (u64, u64) {
        if let Some(t) = self.threads.get(&key) {
            return (t.table, t.cwd);
        }
        let (table, cwd) = (self.id(), self.id());
        self.tables.insert(table, (Table::default(), 1));
        self.cwds.insert(cwd, (None, 1));
        self.insert_thread(key, table, cwd);
        (table, cwd)
    }

    fn insert_thread(&mut self, key: u64, table: u64, cwd: u64) {
        if self.threads.len() >= MAX_THREADS
            && !self.threads.contains_key(&key)
            && let Some(oldest) = self
                .threads
                .iter()
                .min_by_key(|(_, t)| t.born)
                .map(|(k, _)| *k)
        {
            self.drop_thread(oldest);
        }
        let born = self.id();
        if let Some(old) = self.threads.insert(key, ThreadState { table, cwd, born }) {
            self.release(old);
        }
    }

    fn release(&mut self, t: ThreadState) {
        if let Some(e) = self.tables.get_mut(&t.table) {
            e.1 -= 1;
            if e.1 == 0 {
                self.tables.remove(&t.table);
            }
        }
        if let Some(e) = self.cwds.get_mut(&t.cwd) {
            e.1 -= 1;
            if e.1 == 0 {
                self.cwds.remove(&t.cwd);
            }
        }
    }

    fn drop_thread(&mut self, key: u64) {
        if let Some(t) = self.threads.remove(&key) {
            self.release(t);
        }
    }

    /// Threads followed (for tests and statistics).
    pub fn threads(&self) -> usize {
        self.threads.len()
    }

    /// Handle tables alive (for tests).
    pub fn tables(&self) -> usize {
        self.tables.len()
    }

    /// What handle `h` of thread `key` names in the model, without asking the kernel.
    pub fn name_of(&self, key: u64, h: Handle) -> Option<&str> {
        let t = self.threads.get(&key)?;
        self.tables
            .get(&t.table)?
            .0
            .handles
            .get(&h)?
            .name
            .as_deref()
    }

    /// Whether the model knows what handle `h` of thread `key` is (it will not ask the kernel).
    pub fn knows_handle(&self, key: u64, h: Handle) -> bool {
        self.threads
            .get(&key)
            .and_then(|t| self.tables.get(&t.table))
            .is_some_and(|(t, _)| t.handles.contains_key(&h))
    }

    /// Whether the model knows the current directory of thread `key`.
    pub fn knows_cwd(&self, key: u64) -> bool {
        self.cwd_of(key).is_some()
    }

    /// The current directory of thread `key` in the model.
    pub fn cwd_of(&self, key: u64) -> Option<&str> {
        let t = self.threads.get(&key)?;
        self.cwds.get(&t.cwd)?.0.as_deref()
    }

    fn entry(&mut self, table: u64, h: Handle, k: &mut dyn KernelView) -> Option<&mut Entry> {
        let capture = self.capture;
        let (t, _) = self.tables.get_mut(&table)?;
        if !t.handles.contains_key(&h) {
            // Never seen: it existed before tracing (or was made by a call we do not map).
            let name = k.handle_name(h)?;
            if t.handles.len() >= MAX_HANDLES {
                return None;
            }
            t.handles.insert(
                h,
                Entry {
                    name: Some(name),
                    cloexec: false,
                    hash: capture.then(Box::default),
                },
            );
        }
        t.handles.get_mut(&h)
    }

    fn handle_name(&mut self, table: u64, h: Handle, k: &mut dyn KernelView) -> Option<String> {
        self.entry(table, h, k).and_then(|e| e.name.clone())
    }

    fn cwd(&mut self, cwd: u64, k: &mut dyn KernelView) -> Option<String> {
        let slot = self.cwds.get_mut(&cwd)?;
        if slot.0.is_none() {
            slot.0 = k.cwd();
        }
        slot.0.clone()
    }

    /// The absolute form of a path argument, as far as the model knows; the path as given when its
    /// base is unknown.
    fn resolve(&mut self, who: &Who, at: &PathArg, k: &mut dyn KernelView) -> Option<String> {
        let path = at.path.as_deref()?;
        if path.starts_with('/') {
            return Some(join("/", path));
        }
        let (table, cwd) = self.thread(who.key);
        let base = match at.base {
            PathBase::Cwd => self.cwd(cwd, k),
            PathBase::Handle(h) => self.handle_name(table, h, k),
        };
        Some(match base {
            Some(b) if b.starts_with('/') => join(&b, path),
            _ => path.to_string(),
        })
    }

    fn target(&mut self, who: &Who, t: &Target, k: &mut dyn KernelView) -> Option<String> {
        match t {
            Target::Path(p) => self.resolve(who, p, k),
            Target::Handle(h) => {
                let (table, _) = self.thread(who.key);
                self.handle_name(table, *h, k)
            }
        }
    }

    fn insert(&mut self, table: u64, h: Handle, name: Option<String>, cloexec: bool) {
        let capture = self.capture;
        if let Some((t, _)) = self.tables.get_mut(&table)
            && (t.handles.len() < MAX_HANDLES || t.handles.contains_key(&h))
        {
            t.handles.insert(
                h,
                Entry {
                    name,
                    cloexec,
                    hash: capture.then(Box::default),
                },
            );
        }
    }

    fn remove(&mut self, table: u64, h: Handle) -> Option<Entry> {
        self.tables.get_mut(&table)?.0.handles.remove(&h)
    }

    fn note(&mut self, path: Option<&str>, who: &Who, op: &'static str, read: u64, written: u64) {
        let Some(path) = path else { return };
        if !self.files.contains_key(path) {
            if self.files.len() >= MAX_SUMMARY_FILES {
                self.summary_dropped += 1;
                return;
            }
            let order = self.id();
            self.files.insert(
                path.to_string(),
                FileStats {
                    order,
                    procs: Vec::new(),
                },
            );
        }
        let Some(stats) = self.files.get_mut(path) else {
            return;
        };
        let i = match stats.procs.iter().position(|p| p.pid == who.pid) {
            Some(i) => i,
            None => {
                stats.procs.push(ProcessFileUse {
                    pid: who.pid,
                    comm: who.comm.clone(),
                    ops: Vec::new(),
                    bytes_read: 0,
                    bytes_written: 0,
                });
                stats.procs.len() - 1
            }
        };
        let p = &mut stats.procs[i];
        if who.comm.is_some() {
            p.comm.clone_from(&who.comm);
        }
        if !p.ops.contains(&op) {
            p.ops.push(op);
        }
        p.bytes_read += read;
        p.bytes_written += written;
    }

    /// Renames what the model's handles name after a successful rename of `from` to `to`.
    fn renamed(&mut self, from: &str, to: &str) {
        let prefix = format!("{from}/");
        for (t, _) in self.tables.values_mut() {
            for e in t.handles.values_mut() {
                if let Some(n) = &mut e.name {
                    if n == from {
                        *n = to.to_string();
                    } else if let Some(rest) = n.strip_prefix(&prefix) {
                        *n = format!("{to}/{rest}");
                    }
                }
            }
        }
    }

    /// Applies one call of thread `who`; returns the events to publish. `moved` carries the bytes of a
    /// read or write when capture is on.
    pub fn apply(
        &mut self,
        who: &Who,
        call: &FileCall,
        moved: Option<&Moved>,
        k: &mut dyn KernelView,
    ) -> Vec<Outcome> {
        let ok = call.error.is_none();
        let base = Outcome {
            flags: call.flags.clone(),
            error: call.error.clone(),
            ..Outcome::default()
        };
        let (table, cwd) = self.thread(who.key);
        match &call.op {
            FileOp::Open {
                at,
                create,
                cloexec,
                handle,
            } => {
                let path = self.resolve(who, at, k);
                let op = if *create { "create" } else { "open" };
                if let Some(h) = handle {
                    self.insert(table, *h, path.clone(), *cloexec);
                    self.note(path.as_deref(), who, op, 0, 0);
                }
                vec![Outcome {
                    op,
                    fd: *handle,
                    path,
                    ..base
                }]
            }
            FileOp::NewObject {
                handles,
                kind,
                cloexec,
            } => {
                for &h in handles {
                    let name = k.handle_name(h).or_else(|| {
                        Some(match kind {
                            ObjectKind::Pipe => "pipe:[?]".to_string(),
                            ObjectKind::Socket => "socket:[?]".to_string(),
                            ObjectKind::Anon(n) => format!("anon_inode:{n}"),
                        })
                    });
                    self.insert(table, h, name, *cloexec);
                }
                Vec::new()
            }
            FileOp::Dup { old, new, cloexec } => {
                if let Some(new) = new {
                    let name = self.handle_name(table, *old, k);
                    self.insert(table, *new, name, *cloexec);
                }
                Vec::new()
            }
            FileOp::Close { handle } => {
                let entry = if ok {
                    self.remove(table, *handle)
                } else {
                    None
                };
                let mut out = Outcome {
                    op: "close",
                    fd: Some(*handle),
                    path: entry.as_ref().and_then(|e| e.name.clone()),
                    ..base
                };
                if let Some(h) = entry.and_then(|e| e.hash) {
                    finish_hash(*h, &mut out);
                }
                vec![out]
            }
            FileOp::CloseRange {
                first,
                last,
                cloexec_only,
            } => {
                let mut out = Vec::new();
                let Some((t, _)) = self.tables.get_mut(&table) else {
                    return out;
                };
                let mut hs: Vec<Handle> = t
                    .handles
                    .keys()
                    .copied()
                    .filter(|h| (*first..=*last).contains(h))
                    .collect();
                hs.sort_unstable();
                for h in hs {
                    if *cloexec_only {
                        if let Some(e) = t.handles.get_mut(&h) {
                            e.cloexec = true;
                        }
                    } else if let Some(e) = t.handles.remove(&h) {
                        let mut o = Outcome {
                            op: "close",
                            fd: Some(h),
                            path: e.name,
                            ..base.clone()
                        };
                        if let Some(hash) = e.hash {
                            finish_hash(*hash, &mut o);
                        }
                        out.push(o);
                    }
                }
                out
            }
            FileOp::SetCloexec { handle, on } => {
                if let Some(e) = self.entry(table, *handle, k) {
                    e.cloexec = *on;
                }
                Vec::new()
            }
            FileOp::Read {
                handle,
                bytes,
                offset,
                ..
            }
            | FileOp::Write {
                handle,
                bytes,
                offset,
                ..
            } => {
                let write = matches!(call.op, FileOp::Write { .. });
                let (op, r, w) = if write {
                    ("write", 0, bytes.unwrap_or(0))
                } else {
                    ("read", bytes.unwrap_or(0), 0)
                };
                let entry = self.entry(table, *handle, k);
                let path = entry.as_ref().and_then(|e| e.name.clone());
                if let (Some(e), Some(m)) = (entry, moved)
                    && let Some(h) = &mut e.hash
                {
                    h.state.update(&m.bytes);
                    h.hashed += m.bytes.len() as u64;
                    h.unhashed += m.unreadable;
                }
                if ok {
                    self.note(path.as_deref(), who, op, r, w);
                }
                vec![Outcome {
                    op,
                    fd: Some(*handle),
                    path,
                    bytes: *bytes,
                    offset: *offset,
                    ..base
                }]
            }
            FileOp::Seek { handle, offset } => {
                let path = self.handle_name(table, *handle, k);
                vec![Outcome {
                    op: "seek",
                    fd: Some(*handle),
                    path,
                    offset: *offset,
                    ..base
                }]
            }
            FileOp::Truncate { target, length } => {
                let path = self.target(who, target, k);
                if ok {
                    self.note(path.as_deref(), who, "truncate", 0, 0);
                }
                vec![Outcome {
                    op: "truncate",
                    fd: handle_of(target),
                    path,
                    length: Some(*length),
                    ..base
                }]
            }
            FileOp::Rename { from, to } | FileOp::Link { from, to } => {
                let rename = matches!(call.op, FileOp::Rename { .. });
                let op = if rename { "rename" } else { "link" };
                let path = self.resolve(who, from, k);
                let new_path = self.resolve(who, to, k);
                if ok {
                    self.note(path.as_deref(), who, op, 0, 0);
                    self.note(new_path.as_deref(), who, op, 0, 0);
                    if rename && let (Some(f), Some(t)) = (&path, &new_path) {
                        self.renamed(f, t);
                    }
                }
                vec![Outcome {
                    op,
                    path,
                    new_path,
                    ..base
                }]
            }
            FileOp::Symlink { content, link } => {
                let new_path = self.resolve(who, link, k);
                if ok {
                    self.note(new_path.as_deref(), who, "symlink", 0, 0);
                }
                vec![Outcome {
                    op: "symlink",
                    path: content.clone(),
                    new_path,
                    ..base
                }]
            }
            FileOp::Unlink { at } | FileOp::Mkdir { at } | FileOp::Rmdir { at } => {
                let op = match call.op {
                    FileOp::Unlink { .. } => "unlink",
                    FileOp::Mkdir { .. } => "mkdir",
                    _ => "rmdir",
                };
                let path = self.resolve(who, at, k);
                if ok {
                    self.note(path.as_deref(), who, op, 0, 0);
                }
                vec![Outcome { op, path, ..base }]
            }
            FileOp::Chmod { target } | FileOp::Chown { target } => {
                let op = if matches!(call.op, FileOp::Chmod { .. }) {
                    "chmod"
                } else {
                    "chown"
                };
                let path = self.target(who, target, k);
                if ok {
                    self.note(path.as_deref(), who, op, 0, 0);
                }
                vec![Outcome {
                    op,
                    fd: handle_of(target),
                    path,
                    ..base
                }]
            }
            FileOp::Mmap {
                handle,
                offset,
                length,
            } => {
                let path = self.handle_name(table, *handle, k);
                if ok {
                    self.note(path.as_deref(), who, "mmap", 0, 0);
                }
                vec![Outcome {
                    op: "mmap",
                    fd: Some(*handle),
                    path,
                    offset: Some(*offset),
                    length: i64::try_from(*length).ok(),
                    ..base
                }]
            }
            FileOp::Chdir { target } => {
                if ok
                    && let Some(dir) = self.target(who, target, k)
                    && dir.starts_with('/')
                    && let Some(slot) = self.cwds.get_mut(&cwd)
                {
                    slot.0 = Some(dir);
                }
                Vec::new()
            }
            FileOp::Spawn {
                tid,
                share_handles,
                share_cwd,
                ..
            } => {
                // Resolve the parent's current directory now: the child inherits it.
                let _ = self.cwd(cwd, k);
                let child_table = if *share_handles {
                    if let Some(e) = self.tables.get_mut(&table) {
                        e.1 += 1;
                    }
                    table
                } else {
                    let copy = self
                        .tables
                        .get(&table)
                        .map(|(t, _)| t.clone())
                        .unwrap_or_default();
                    let id = self.id();
                    self.tables.insert(id, (copy, 1));
                    id
                };
                let child_cwd = if *share_cwd {
                    if let Some(e) = self.cwds.get_mut(&cwd) {
                        e.1 += 1;
                    }
                    cwd
                } else {
                    let copy = self.cwds.get(&cwd).and_then(|c| c.0.clone());
                    let id = self.id();
                    self.cwds.insert(id, (copy, 1));
                    id
                };
                self.insert_thread(u64::from(*tid), child_table, child_cwd);
                Vec::new()
            }
            FileOp::Exec => {
                // exec unshares the table, then closes the close-on-exec handles.
                let mut t = self
                    .tables
                    .get(&table)
                    .map(|(t, _)| t.clone())
                    .unwrap_or_default();
                t.handles.retain(|_, e| !e.cloexec);
                let id = self.id();
                self.tables.insert(id, (t, 1));
                let c = self.cwds.get(&cwd).and_then(|c| c.0.clone());
                let cid = self.id();
                self.cwds.insert(cid, (c, 1));
                self.insert_thread(who.key, id, cid);
                Vec::new()
            }
            FileOp::Exit => {
                self.drop_thread(who.key);
                Vec::new()
            }
        }
    }

    /// The summary, one entry per file in order of first use, and forgets it.
    pub fn summary(&mut self, ts: u64) -> Vec<FileSummary> {
        let mut files: Vec<(String, FileStats)> = self.files.drain().collect();
        files.sort_by_key(|(_, s)| s.order);
        files
            .into_iter()
            .filter(|(path, _)| !is_object_name(path))
            .map(|(path, s)| {
                let by = |ops: &[&str]| -> Vec<u32> {
                    s.procs
                        .iter()
                        .filter(|p| p.ops.iter().any(|o| ops.contains(o)))
                        .filter_map(|p| p.pid)
                        .collect()
                };
                FileSummary {
                    ts,
                    opened_by: by(&["open", "create"]),
                    read_by: by(&["read"]),
                    written_by: by(&["write"]),
                    renamed_by: by(&["rename"]),
                    deleted_by: by(&["unlink", "rmdir"]),
                    bytes_read: s.procs.iter().map(|p| p.bytes_read).sum(),
                    bytes_written: s.procs.iter().map(|p| p.bytes_written).sum(),
                    path,
                    processes: s.procs,
                }
            })
            .collect()
    }
}

fn handle_of(t: &Target) -> Option<Handle> {
    match t {
        Target::Handle(h) => Some(*h),
        Target::Path(_) => None,
    }
}

fn finish_hash(h: Hash, out: &mut Outcome) {
    use std::fmt::Write as _;
    let digest = h.state.finalize();
    let mut hex = String::with_capacity(64);
    for b in digest.iter() {
        let _ = write!(hex, "{b:02x}");
    }
    out.sha256 = Some(hex);
    out.hashed_bytes = Some(h.hashed);
    out.unhashed_bytes = Some(h.unhashed);
}

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
use std::sync::Arc;

use sha2::{Digest, Sha256};
use vmscope_core::event::{FileActivity, Handle, PathArg, PathBase, ProcessFileUse, Target};

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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The operation.
    pub op: FileActivity,
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
    pub flags: Option<vmscope_core::event::ArgsText>,
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
pub(super) struct Entry {
    /// Shared, so `--decode-fds` takes it on the vCPU without a copy.
    pub(super) name: Option<Arc<str>>,
    pub(super) cloexec: bool,
    pub(super) hash: Option<Box<Hash>>,
}

#[derive(Clone, Default)]
pub(super) struct Hash {
    pub(super) state: Sha256,
    pub(super) hashed: u64,
    pub(super) unhashed: u64,
}

#[derive(Clone, Default)]
pub(super) struct Table {
    pub(super) handles: HashMap<Handle, Entry>,
}

struct ThreadState {
    table: u64,
    cwd: u64,
    born: u64,
}

#[derive(Default)]
pub(super) struct FileStats {
    pub(super) order: u64,
    pub(super) procs: Vec<ProcessFileUse>,
}

/// The whole model.
pub struct Tracker {
    capture: bool,
    threads: HashMap<u64, ThreadState>,
    tables: HashMap<u64, (Table, usize)>,
    cwds: HashMap<u64, (Option<Arc<str>>, usize)>,
    next_id: u64,
    pub(super) files: HashMap<String, FileStats>,
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

pub(super) fn is_object_name(name: &str) -> bool {
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

    pub(super) fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub(super) fn thread(&mut self, key: u64) -> (u64, u64) {
        if let Some(t) = self.threads.get(&key) {
            return (t.table, t.cwd);
        }
        let (table, cwd) = (self.id(), self.id());
        self.tables.insert(table, (Table::default(), 1));
        self.cwds.insert(cwd, (None, 1));
        self.insert_thread(key, table, cwd);
        (table, cwd)
    }

    pub(super) fn insert_thread(&mut self, key: u64, table: u64, cwd: u64) {
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

    pub(super) fn drop_thread(&mut self, key: u64) {
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

    /// What handle `h` of thread `key` names in the model, shared (`--decode-fds`).
    pub fn shared_name_of(&self, key: u64, h: Handle) -> Option<Arc<str>> {
        let t = self.threads.get(&key)?;
        self.tables.get(&t.table)?.0.handles.get(&h)?.name.clone()
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

    /// The current directory of thread `key` in the model, shared (`--decode-fds`).
    pub fn shared_cwd_of(&self, key: u64) -> Option<Arc<str>> {
        let t = self.threads.get(&key)?;
        self.cwds.get(&t.cwd)?.0.clone()
    }

    /// The current directory of thread `key` in the model.
    pub fn cwd_of(&self, key: u64) -> Option<&str> {
        let t = self.threads.get(&key)?;
        self.cwds.get(&t.cwd)?.0.as_deref()
    }

    pub(super) fn entry(
        &mut self,
        table: u64,
        h: Handle,
        k: &mut dyn KernelView,
    ) -> Option<&mut Entry> {
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
                    name: Some(name.into()),
                    cloexec: false,
                    hash: capture.then(Box::default),
                },
            );
        }
        t.handles.get_mut(&h)
    }

    pub(super) fn handle_name(
        &mut self,
        table: u64,
        h: Handle,
        k: &mut dyn KernelView,
    ) -> Option<String> {
        self.entry(table, h, k)
            .and_then(|e| e.name.as_deref().map(str::to_string))
    }

    pub(super) fn cwd(&mut self, cwd: u64, k: &mut dyn KernelView) -> Option<String> {
        let slot = self.cwds.get_mut(&cwd)?;
        if slot.0.is_none() {
            slot.0 = k.cwd().map(Arc::from);
        }
        slot.0.as_deref().map(str::to_string)
    }

    /// The absolute form of a path argument, as far as the model knows; the path as given when its
    /// base is unknown.
    pub(super) fn resolve(
        &mut self,
        who: &Who,
        at: &PathArg,
        k: &mut dyn KernelView,
    ) -> Option<String> {
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

    pub(super) fn target(
        &mut self,
        who: &Who,
        t: &Target,
        k: &mut dyn KernelView,
    ) -> Option<String> {
        match t {
            Target::Path(p) => self.resolve(who, p, k),
            Target::Handle(h) => {
                let (table, _) = self.thread(who.key);
                self.handle_name(table, *h, k)
            }
        }
    }

    pub(super) fn insert(&mut self, table: u64, h: Handle, name: Option<String>, cloexec: bool) {
        let capture = self.capture;
        if let Some((t, _)) = self.tables.get_mut(&table)
            && (t.handles.len() < MAX_HANDLES || t.handles.contains_key(&h))
        {
            t.handles.insert(
                h,
                Entry {
                    name: name.map(Arc::from),
                    cloexec,
                    hash: capture.then(Box::default),
                },
            );
        }
    }

    pub(super) fn remove(&mut self, table: u64, h: Handle) -> Option<Entry> {
        self.tables.get_mut(&table)?.0.handles.remove(&h)
    }

    /// Renames what the model's handles name after a successful rename of `from` to `to`.
    pub(super) fn table_mut(&mut self, table: u64) -> Option<&mut Table> {
        self.tables.get_mut(&table).map(|(t, _)| t)
    }

    pub(super) fn set_cwd(&mut self, cwd: u64, dir: String) {
        if let Some(slot) = self.cwds.get_mut(&cwd) {
            slot.0 = Some(dir.into());
        }
    }

    /// One more user of handle table `table`.
    pub(super) fn share_table(&mut self, table: u64) -> u64 {
        if let Some(e) = self.tables.get_mut(&table) {
            e.1 += 1;
        }
        table
    }

    /// A copy of handle table `table` (without its close-on-exec handles when `exec`).
    pub(super) fn copy_table(&mut self, table: u64, exec: bool) -> u64 {
        let mut copy = self
            .tables
            .get(&table)
            .map(|(t, _)| t.clone())
            .unwrap_or_default();
        if exec {
            copy.handles.retain(|_, e| !e.cloexec);
        }
        let id = self.id();
        self.tables.insert(id, (copy, 1));
        id
    }

    /// One more user of current directory `cwd`.
    pub(super) fn share_cwd(&mut self, cwd: u64) -> u64 {
        if let Some(e) = self.cwds.get_mut(&cwd) {
            e.1 += 1;
        }
        cwd
    }

    /// A copy of current directory `cwd`.
    pub(super) fn copy_cwd(&mut self, cwd: u64) -> u64 {
        let copy = self.cwds.get(&cwd).and_then(|c| c.0.clone());
        let id = self.id();
        self.cwds.insert(id, (copy, 1));
        id
    }

    pub(super) fn renamed(&mut self, from: &str, to: &str) {
        let prefix = format!("{from}/");
        for (t, _) in self.tables.values_mut() {
            for e in t.handles.values_mut() {
                if let Some(n) = &mut e.name {
                    if &**n == from {
                        *n = Arc::from(to);
                    } else if let Some(rest) = n.strip_prefix(&prefix) {
                        *n = Arc::from(format!("{to}/{rest}"));
                    }
                }
            }
        }
    }
}

pub(super) fn handle_of(t: &Target) -> Option<Handle> {
    match t {
        Target::Handle(h) => Some(*h),
        Target::Path(_) => None,
    }
}

pub(super) fn finish_hash(h: Hash, out: &mut Outcome) {
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

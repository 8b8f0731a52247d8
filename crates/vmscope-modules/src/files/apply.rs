//! How each kind of file operation changes the model and what it journals: one method per family
//! of operations, called by [`Tracker::apply`].

use sha2::Digest;
use vmscope_core::event::{FileActivity, FileCall, FileOp, Handle, ObjectKind, PathArg, Target};

use super::table::{KernelView, Moved, Outcome, Tracker, Who, finish_hash, handle_of};

impl Tracker {
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
        // What every event of this call says; each sets its own `op`.
        let base = Outcome {
            op: FileActivity::Open,
            fd: None,
            path: None,
            new_path: None,
            bytes: None,
            offset: None,
            length: None,
            flags: call.flags,
            error: call.error.clone(),
            sha256: None,
            hashed_bytes: None,
            unhashed_bytes: None,
        };
        match &call.op {
            FileOp::Open {
                at,
                create,
                cloexec,
                handle,
            } => self.open(who, at, *create, *cloexec, *handle, base, k),
            FileOp::NewObject {
                handles,
                kind,
                cloexec,
            } => self.new_objects(who, handles, kind, *cloexec, k),
            FileOp::Dup { old, new, cloexec } => self.dup(who, *old, *new, *cloexec, k),
            FileOp::Close { handle } => self.close(who, *handle, ok, base),
            FileOp::CloseRange {
                first,
                last,
                cloexec_only,
            } => self.close_range(who, *first, *last, *cloexec_only, base),
            FileOp::SetCloexec { handle, on } => {
                let (table, _) = self.thread(who.key);
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
            } => self.moved(who, false, *handle, *bytes, *offset, moved, ok, base, k),
            FileOp::Write {
                handle,
                bytes,
                offset,
                ..
            } => self.moved(who, true, *handle, *bytes, *offset, moved, ok, base, k),
            FileOp::Seek { handle, offset } => {
                let (table, _) = self.thread(who.key);
                let path = self.handle_name(table, *handle, k);
                vec![Outcome {
                    op: FileActivity::Seek,
                    fd: Some(*handle),
                    path,
                    offset: *offset,
                    ..base
                }]
            }
            FileOp::Mmap {
                handle,
                offset,
                length,
            } => {
                let (table, _) = self.thread(who.key);
                let path = self.handle_name(table, *handle, k);
                if ok {
                    self.note(path.as_deref(), who, FileActivity::Mmap, 0, 0);
                }
                vec![Outcome {
                    op: FileActivity::Mmap,
                    fd: Some(*handle),
                    path,
                    offset: Some(*offset),
                    length: i64::try_from(*length).ok(),
                    ..base
                }]
            }
            FileOp::Truncate { target, length } => {
                let path = self.target(who, target, k);
                if ok {
                    self.note(path.as_deref(), who, FileActivity::Truncate, 0, 0);
                }
                vec![Outcome {
                    op: FileActivity::Truncate,
                    fd: handle_of(target),
                    path,
                    length: Some(*length),
                    ..base
                }]
            }
            FileOp::Rename { from, to } => self.two_names(who, true, from, to, ok, base, k),
            FileOp::Link { from, to } => self.two_names(who, false, from, to, ok, base, k),
            FileOp::Symlink { content, link } => {
                let new_path = self.resolve(who, link, k);
                if ok {
                    self.note(new_path.as_deref(), who, FileActivity::Symlink, 0, 0);
                }
                vec![Outcome {
                    op: FileActivity::Symlink,
                    path: content.clone(),
                    new_path,
                    ..base
                }]
            }
            FileOp::Unlink { at } => self.one_name(who, FileActivity::Unlink, at, ok, base, k),
            FileOp::Mkdir { at } => self.one_name(who, FileActivity::Mkdir, at, ok, base, k),
            FileOp::Rmdir { at } => self.one_name(who, FileActivity::Rmdir, at, ok, base, k),
            FileOp::Chmod { target } => {
                self.attributes(who, FileActivity::Chmod, target, ok, base, k)
            }
            FileOp::Chown { target } => {
                self.attributes(who, FileActivity::Chown, target, ok, base, k)
            }
            FileOp::Chdir { target } => {
                self.chdir(who, target, ok, k);
                Vec::new()
            }
            FileOp::Spawn {
                tid,
                share_handles,
                share_cwd,
                ..
            } => {
                self.spawn(who, *tid, *share_handles, *share_cwd, k);
                Vec::new()
            }
            FileOp::Exec => {
                self.exec(who);
                Vec::new()
            }
            FileOp::Exit => {
                self.drop_thread(who.key);
                Vec::new()
            }
        }
    }

    // ---- handles made and copied ----

    #[allow(clippy::too_many_arguments, reason = "one open call's whole state")]
    fn open(
        &mut self,
        who: &Who,
        at: &PathArg,
        create: bool,
        cloexec: bool,
        handle: Option<Handle>,
        base: Outcome,
        k: &mut dyn KernelView,
    ) -> Vec<Outcome> {
        let (table, _) = self.thread(who.key);
        let path = self.resolve(who, at, k);
        let op = if create {
            FileActivity::Create
        } else {
            FileActivity::Open
        };
        if let Some(h) = handle {
            self.insert(table, h, path.clone(), cloexec);
            self.note(path.as_deref(), who, op, 0, 0);
        }
        vec![Outcome {
            op,
            fd: handle,
            path,
            ..base
        }]
    }

    fn new_objects(
        &mut self,
        who: &Who,
        handles: &[Handle],
        kind: &ObjectKind,
        cloexec: bool,
        k: &mut dyn KernelView,
    ) -> Vec<Outcome> {
        let (table, _) = self.thread(who.key);
        for &h in handles {
            let name = k.handle_name(h).or_else(|| {
                Some(match kind {
                    ObjectKind::Pipe => "pipe:[?]".to_string(),
                    ObjectKind::Socket => "socket:[?]".to_string(),
                    ObjectKind::Anon(n) => format!("anon_inode:{n}"),
                })
            });
            self.insert(table, h, name, cloexec);
        }
        Vec::new()
    }

    fn dup(
        &mut self,
        who: &Who,
        old: Handle,
        new: Option<Handle>,
        cloexec: bool,
        k: &mut dyn KernelView,
    ) -> Vec<Outcome> {
        if let Some(new) = new {
            let (table, _) = self.thread(who.key);
            let name = self.handle_name(table, old, k);
            self.insert(table, new, name, cloexec);
        }
        Vec::new()
    }

    // ---- handles closed ----

    fn close(&mut self, who: &Who, handle: Handle, ok: bool, base: Outcome) -> Vec<Outcome> {
        let (table, _) = self.thread(who.key);
        let entry = if ok { self.remove(table, handle) } else { None };
        let mut out = Outcome {
            op: FileActivity::Close,
            fd: Some(handle),
            path: entry
                .as_ref()
                .and_then(|e| e.name.as_deref().map(str::to_string)),
            ..base
        };
        if let Some(h) = entry.and_then(|e| e.hash) {
            finish_hash(*h, &mut out);
        }
        vec![out]
    }

    fn close_range(
        &mut self,
        who: &Who,
        first: Handle,
        last: Handle,
        cloexec_only: bool,
        base: Outcome,
    ) -> Vec<Outcome> {
        let (table, _) = self.thread(who.key);
        let mut out = Vec::new();
        let Some(t) = self.table_mut(table) else {
            return out;
        };
        let mut hs: Vec<Handle> = t
            .handles
            .keys()
            .copied()
            .filter(|h| (first..=last).contains(h))
            .collect();
        hs.sort_unstable();
        for h in hs {
            if cloexec_only {
                if let Some(e) = t.handles.get_mut(&h) {
                    e.cloexec = true;
                }
            } else if let Some(e) = t.handles.remove(&h) {
                let mut o = Outcome {
                    op: FileActivity::Close,
                    fd: Some(h),
                    path: e.name.as_deref().map(str::to_string),
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

    // ---- bytes moved ----

    #[allow(clippy::too_many_arguments, reason = "one read or write's whole state")]
    fn moved(
        &mut self,
        who: &Who,
        write: bool,
        handle: Handle,
        bytes: Option<u64>,
        offset: Option<i64>,
        moved: Option<&Moved>,
        ok: bool,
        base: Outcome,
        k: &mut dyn KernelView,
    ) -> Vec<Outcome> {
        let (table, _) = self.thread(who.key);
        let (op, r, w) = if write {
            (FileActivity::Write, 0, bytes.unwrap_or(0))
        } else {
            (FileActivity::Read, bytes.unwrap_or(0), 0)
        };
        let entry = self.entry(table, handle, k);
        let path = entry
            .as_ref()
            .and_then(|e| e.name.as_deref().map(str::to_string));
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
            fd: Some(handle),
            path,
            bytes,
            offset,
            ..base
        }]
    }

    // ---- names ----

    #[allow(
        clippy::too_many_arguments,
        reason = "one rename or link's whole state"
    )]
    fn two_names(
        &mut self,
        who: &Who,
        rename: bool,
        from: &PathArg,
        to: &PathArg,
        ok: bool,
        base: Outcome,
        k: &mut dyn KernelView,
    ) -> Vec<Outcome> {
        let op = if rename {
            FileActivity::Rename
        } else {
            FileActivity::Link
        };
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

    fn one_name(
        &mut self,
        who: &Who,
        op: FileActivity,
        at: &PathArg,
        ok: bool,
        base: Outcome,
        k: &mut dyn KernelView,
    ) -> Vec<Outcome> {
        let path = self.resolve(who, at, k);
        if ok {
            self.note(path.as_deref(), who, op, 0, 0);
        }
        vec![Outcome { op, path, ..base }]
    }

    fn attributes(
        &mut self,
        who: &Who,
        op: FileActivity,
        target: &Target,
        ok: bool,
        base: Outcome,
        k: &mut dyn KernelView,
    ) -> Vec<Outcome> {
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

    // ---- processes: directories, new threads, new programs ----

    fn chdir(&mut self, who: &Who, target: &Target, ok: bool, k: &mut dyn KernelView) {
        let (_, cwd) = self.thread(who.key);
        if ok
            && let Some(dir) = self.target(who, target, k)
            && dir.starts_with('/')
        {
            self.set_cwd(cwd, dir);
        }
    }

    fn spawn(
        &mut self,
        who: &Who,
        tid: u32,
        share_handles: bool,
        share_cwd: bool,
        k: &mut dyn KernelView,
    ) {
        let (table, cwd) = self.thread(who.key);
        // Resolve the parent's current directory now: the child inherits it.
        let _ = self.cwd(cwd, k);
        let child_table = if share_handles {
            self.share_table(table)
        } else {
            self.copy_table(table, false)
        };
        let child_cwd = if share_cwd {
            self.share_cwd(cwd)
        } else {
            self.copy_cwd(cwd)
        };
        self.insert_thread(u64::from(tid), child_table, child_cwd);
    }

    fn exec(&mut self, who: &Who) {
        // exec unshares the table, then closes the close-on-exec handles.
        let (table, cwd) = self.thread(who.key);
        let id = self.copy_table(table, true);
        let cid = self.copy_cwd(cwd);
        self.insert_thread(who.key, id, cid);
    }
}

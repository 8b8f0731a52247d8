//! The report's activity sections: files, network, memory and images, alerts, devices, call stacks.
//!
//! Each reads the events of its types as other modules publish them (docs/journal.md and the modules'
//! docs) and keeps bounded aggregates. Where a module's events are absent, files and network fall back
//! on what the system calls' arguments say (paths of `open`-like calls, addresses of `connect`-like
//! calls), so a plain `context,syscalls` journal still fills them.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use serde_json::{Map, Value};

use super::util::{clip, get_i64, get_str, get_text, get_u64, shorten, strace_path};

/// Distinct paths kept.
const MAX_PATHS: usize = 20_000;
/// Paths written into the report.
const SHOWN_PATHS: usize = 5_000;
/// Network flows kept and shown.
const MAX_FLOWS: usize = 5_000;
/// Rows kept for row-per-event tables (connections, images, findings).
const MAX_ROWS: usize = 3_000;
/// Alerts kept.
const MAX_ALERTS: usize = 5_000;
/// Distinct call stacks kept, and shown.
const MAX_STACKS: usize = 10_000;
const SHOWN_STACKS: usize = 200;

/// Activity on one path, over all processes.
#[derive(Debug, Default, Serialize)]
pub struct FileRow {
    /// The path (or `fd N` when the event had none).
    pub path: String,
    /// Operations and their counts.
    pub ops: Vec<(String, u64)>,
    /// Bytes read.
    pub read: u64,
    /// Bytes written.
    pub written: u64,
    /// Failed operations.
    pub errors: u64,
    /// Processes (record ids), at most 16.
    pub procs: Vec<usize>,
    /// More processes than listed.
    pub more_procs: u64,
    /// First and last use (ns).
    pub first: Option<u64>,
    /// Last use.
    pub last: Option<u64>,
    /// The last SHA-256 reported at a close.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

impl FileRow {
    fn add(
        &mut self,
        op: &str,
        rw: (u64, u64),
        error: bool,
        proc_id: Option<usize>,
        ts: Option<u64>,
    ) {
        match self.ops.iter_mut().find(|(o, _)| o == op) {
            Some((_, n)) => *n += 1,
            None => self.ops.push((op.to_string(), 1)),
        }
        self.read += rw.0;
        self.written += rw.1;
        self.errors += u64::from(error);
        if let Some(p) = proc_id
            && !self.procs.contains(&p)
        {
            if self.procs.len() < 16 {
                self.procs.push(p);
            } else {
                self.more_procs += 1;
            }
        }
        if let Some(t) = ts {
            self.first = Some(self.first.map_or(t, |f| f.min(t)));
            self.last = Some(self.last.map_or(t, |l| l.max(t)));
        }
    }
}

/// Paths from one source.
#[derive(Default)]
pub struct FileTable {
    rows: HashMap<String, FileRow>,
    /// Events about paths beyond the bound.
    pub omitted: u64,
}

impl FileTable {
    /// Records one use of a path.
    pub fn add(
        &mut self,
        path: &str,
        op: &str,
        rw: (u64, u64),
        error: bool,
        proc_id: Option<usize>,
        ts: Option<u64>,
    ) -> Option<&mut FileRow> {
        if !self.rows.contains_key(path) {
            if self.rows.len() >= MAX_PATHS {
                self.omitted += 1;
                return None;
            }
            self.rows.insert(
                path.to_string(),
                FileRow {
                    path: path.to_string(),
                    ..FileRow::default()
                },
            );
        }
        let row = self.rows.get_mut(path)?;
        row.add(op, rw, error, proc_id, ts);
        Some(row)
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The busiest paths, and how many were left out.
    pub fn finish(self) -> (Vec<FileRow>, u64) {
        let mut v: Vec<FileRow> = self.rows.into_values().collect();
        v.sort_by(|a, b| {
            let (na, nb): (u64, u64) = (
                a.ops.iter().map(|o| o.1).sum(),
                b.ops.iter().map(|o| o.1).sum(),
            );
            nb.cmp(&na).then_with(|| a.path.cmp(&b.path))
        });
        let left = v.len().saturating_sub(SHOWN_PATHS) as u64;
        v.truncate(SHOWN_PATHS);
        (v, left)
    }
}

/// What a `file` event says: the path, the operation, bytes (read, written), a failure.
pub fn file_event(ev: &Map<String, Value>) -> (String, String, (u64, u64), bool) {
    let op = get_str(ev, "op").unwrap_or("?").to_string();
    let path = match (get_str(ev, "path"), get_i64(ev, "fd")) {
        (Some(p), _) => clip(p, 4096),
        (None, Some(fd)) => format!("(fd {fd}, path unknown)"),
        (None, None) => "(no path)".to_string(),
    };
    let bytes = get_u64(ev, "bytes").unwrap_or(0);
    let rw = match op.as_str() {
        "read" | "pread" | "readv" | "preadv" | "recv" => (bytes, 0),
        "write" | "pwrite" | "writev" | "pwritev" | "send" => (0, bytes),
        _ => (0, 0),
    };
    let error = ev.get("error").is_some_and(|e| !e.is_null());
    (path, op, rw, error)
}

/// System calls whose first or second argument is a path (strace's rendering, quoted).
pub fn syscall_path(name: &str, ev: &Map<String, Value>) -> Option<String> {
    let idx = match name {
        "open" | "creat" | "execve" | "stat" | "lstat" | "access" | "unlink" | "mkdir"
        | "rmdir" | "chdir" | "truncate" | "readlink" | "chmod" | "chown" | "lchown" | "rename"
        | "link" | "symlink" | "statfs" | "utime" | "utimes" | "mknod" | "chroot" | "stat64"
        | "lstat64" | "truncate64" | "open_tree" | "statx_path" => 0,
        "openat" | "openat2" | "unlinkat" | "mkdirat" | "newfstatat" | "fstatat64"
        | "faccessat" | "faccessat2" | "fchmodat" | "fchownat" | "readlinkat" | "execveat"
        | "renameat" | "renameat2" | "mknodat" | "utimensat" | "statx" | "linkat" => 1,
        _ => return None,
    };
    let Some(Value::Array(args)) = ev.get("args") else {
        return None;
    };
    strace_path(args.get(idx)?.as_str()?)
}

/// One network flow: a process's traffic between two ends.
#[derive(Debug, Default, Serialize)]
pub struct Flow {
    /// The process (record id).
    pub proc_id: Option<usize>,
    /// Protocol (`tcp`, `udp`, ...), or the address family.
    pub proto: String,
    /// Local end.
    pub local: String,
    /// Remote end.
    pub remote: String,
    /// Operations and their counts.
    pub ops: Vec<(String, u64)>,
    /// Bytes sent.
    pub sent: u64,
    /// Bytes received.
    pub received: u64,
    /// Failed operations.
    pub errors: u64,
    /// First and last event (ns).
    pub first: Option<u64>,
    /// Last event.
    pub last: Option<u64>,
}

/// Network activity.
#[derive(Default)]
pub struct Net {
    flows: HashMap<(Option<usize>, String, String, String), Flow>,
    flows_sys: HashMap<(Option<usize>, String, String, String), Flow>,
    /// `connection` events, as they are.
    pub connections: Vec<Value>,
    /// Flows or rows left out.
    pub omitted: u64,
}

type FlowKey = (Option<usize>, String, String, String);

fn flow_add(
    map: &mut HashMap<FlowKey, Flow>,
    omitted: &mut u64,
    key: FlowKey,
    op: &str,
    rw: (u64, u64),
    error: bool,
    ts: Option<u64>,
) {
    if !map.contains_key(&key) && map.len() >= MAX_FLOWS {
        *omitted += 1;
        return;
    }
    let f = map.entry(key.clone()).or_insert_with(|| Flow {
        proc_id: key.0,
        proto: key.1.clone(),
        local: key.2.clone(),
        remote: key.3.clone(),
        ..Flow::default()
    });
    match f.ops.iter_mut().find(|(o, _)| o == op) {
        Some((_, n)) => *n += 1,
        None => f.ops.push((op.to_string(), 1)),
    }
    f.sent += rw.0;
    f.received += rw.1;
    f.errors += u64::from(error);
    if let Some(t) = ts {
        f.first = Some(f.first.map_or(t, |x| x.min(t)));
        f.last = Some(f.last.map_or(t, |x| x.max(t)));
    }
}

impl Net {
    /// A `net` event.
    pub fn net_event(&mut self, ev: &Map<String, Value>, proc_id: Option<usize>) {
        let op = get_str(ev, "op").unwrap_or("?");
        let proto = get_text(ev, "proto")
            .or_else(|| get_text(ev, "family"))
            .unwrap_or_default();
        let local = get_text(ev, "local").unwrap_or_default();
        let remote = get_text(ev, "remote").unwrap_or_default();
        let bytes = get_u64(ev, "bytes").unwrap_or(0);
        let rw = if op.contains("send") || op.contains("write") || op == "tx" {
            (bytes, 0)
        } else if op.contains("recv") || op.contains("read") || op == "rx" {
            (0, bytes)
        } else {
            (0, 0)
        };
        let error = ev.get("error").is_some_and(|e| !e.is_null());
        flow_add(
            &mut self.flows,
            &mut self.omitted,
            (
                proc_id,
                clip(&proto, 64),
                clip(&local, 256),
                clip(&remote, 256),
            ),
            op,
            rw,
            error,
            get_u64(ev, "ts"),
        );
    }

    /// A `connection` event.
    pub fn connection(&mut self, ev: &Map<String, Value>, proc_id: Option<usize>) {
        if self.connections.len() >= MAX_ROWS {
            self.omitted += 1;
            return;
        }
        let mut row = Map::new();
        for k in [
            "pid",
            "comm",
            "family",
            "proto",
            "local",
            "remote",
            "bytes_sent",
            "bytes_received",
            "opened_ts",
            "closed_ts",
        ] {
            if let Some(v) = ev.get(k) {
                row.insert(k.to_string(), shorten(v, 1));
            }
        }
        if let Some(p) = proc_id {
            row.insert("proc".to_string(), Value::from(p));
        }
        self.connections.push(Value::Object(row));
    }

    /// A socket call seen in the system calls (used when no network module ran).
    pub fn syscall(
        &mut self,
        name: &str,
        ev: &Map<String, Value>,
        proc_id: Option<usize>,
        failed: bool,
    ) {
        let addr_arg = match name {
            "connect" | "bind" | "accept" | "accept4" => 1,
            "sendto" | "recvfrom" => 4,
            "listen" | "socket" => 0,
            _ => return,
        };
        let Some(Value::Array(args)) = ev.get("args") else {
            return;
        };
        let text = args.get(addr_arg).and_then(Value::as_str).unwrap_or("");
        let (family, addr) = sockaddr(text);
        let (local, remote) = match name {
            "bind" | "listen" => (addr, String::new()),
            "socket" => (String::new(), String::new()),
            _ => (String::new(), addr),
        };
        let proto = if name == "socket" {
            args.iter()
                .take(2)
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            family
        };
        let bytes = get_i64(ev, "ret").filter(|r| *r > 0).unwrap_or(0) as u64;
        let rw = match name {
            "sendto" => (bytes, 0),
            "recvfrom" => (0, bytes),
            _ => (0, 0),
        };
        flow_add(
            &mut self.flows_sys,
            &mut self.omitted,
            (
                proc_id,
                clip(&proto, 64),
                clip(&local, 256),
                clip(&remote, 256),
            ),
            name,
            rw,
            failed,
            get_u64(ev, "ts"),
        );
    }

    /// The flows (from `net` events, else from system calls), and where they came from.
    pub fn finish(self) -> (Vec<Flow>, &'static str, Vec<Value>, u64) {
        let (map, source) = if !self.flows.is_empty() || !self.connections.is_empty() {
            (self.flows, "net")
        } else {
            (self.flows_sys, "syscalls")
        };
        let mut v: Vec<Flow> = map.into_values().collect();
        v.sort_by_key(|f| f.first);
        (v, source, self.connections, self.omitted)
    }
}

/// `{sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("10.0.2.2")}` → (`AF_INET`,
/// `10.0.2.2:80`); a unix socket's path; anything else as it is.
pub fn sockaddr(text: &str) -> (String, String) {
    let family = between(text, "sa_family=", [',', '}']).unwrap_or_default();
    let port = between(text, "htons(", [')', ')']);
    let addr = between(text, "inet_addr(\"", ['"', '"'])
        .or_else(|| between(text, "inet_pton(AF_INET6, \"", ['"', '"']).map(|a| format!("[{a}]")));
    let shown = match (addr, port, between(text, "sun_path=", ['}', '}'])) {
        (Some(a), Some(p), _) => format!("{a}:{p}"),
        (Some(a), None, _) => a,
        (None, _, Some(path)) => path,
        _ => clip(text, 200),
    };
    (family, shown)
}

fn between(text: &str, start: &str, ends: [char; 2]) -> Option<String> {
    let i = text.find(start)? + start.len();
    let rest = &text[i..];
    let j = rest
        .find(|c| c == ends[0] || c == ends[1])
        .unwrap_or(rest.len());
    Some(rest[..j].trim().to_string())
}

/// Memory, images and what is odd about them.
#[derive(Default)]
pub struct Memory {
    /// `image` events.
    pub images: Vec<Value>,
    /// Per process: memory operations and their counts.
    pub ops: HashMap<usize, Vec<(String, u64)>>,
    /// Findings: writable and executable memory, executable memory with no file.
    pub findings: Vec<Value>,
    /// The last `maps` snapshot per process.
    pub maps: HashMap<usize, Value>,
    /// Rows left out.
    pub omitted: u64,
    /// Findings already listed, by process, kind and region: a region shows in every snapshot of its
    /// process (first seen, exec, exit, end) and is one finding.
    seen: HashSet<(Option<usize>, &'static str, String)>,
}

/// Address fields as hex text (a page's script would round integers past 2^53).
fn hexify(m: &mut Map<String, Value>) {
    for k in ["start", "end", "base", "load_bias", "offset", "pc"] {
        if let Some(v) = m.get_mut(k)
            && let Some(n) = v.as_u64()
        {
            *v = Value::String(format!("{n:#x}"));
        }
    }
}

/// Whether permissions allow writing and executing (`rwxp`, `wx`, or PROT_ bits).
fn perms_of(v: Option<&Value>) -> (bool, bool) {
    match v {
        Some(Value::String(s)) => (s.contains('w'), s.contains('x')),
        Some(Value::Number(n)) => {
            let b = n.as_u64().unwrap_or(0);
            (b & 2 != 0, b & 4 != 0)
        }
        _ => (false, false),
    }
}

fn is_anonymous(path: Option<&str>) -> bool {
    match path {
        None | Some("") => true,
        Some(p) => p.starts_with("[anon") || p == "[heap]" || p == "[stack]",
    }
}

impl Memory {
    fn finding(
        &mut self,
        what: &'static str,
        ev: &Map<String, Value>,
        region: &Map<String, Value>,
        proc_id: Option<usize>,
    ) {
        let at = ["start", "end", "perms"]
            .map(|k| region.get(k).map(Value::to_string).unwrap_or_default())
            .join(" ");
        if self.seen.contains(&(proc_id, what, at.clone())) {
            return;
        }
        if self.findings.len() >= MAX_ROWS {
            self.omitted += 1;
            return;
        }
        let mut f = Map::new();
        f.insert("finding".into(), Value::from(what));
        for (k, src) in [("ts", ev), ("pid", ev), ("comm", ev), ("op", ev)] {
            if let Some(v) = src.get(k) {
                f.insert(k.into(), v.clone());
            }
        }
        for k in ["start", "end", "perms", "path", "offset"] {
            if let Some(v) = region.get(k) {
                f.insert(k.into(), shorten(v, 1));
            }
        }
        if let Some(p) = proc_id {
            f.insert("proc".into(), Value::from(p));
        }
        hexify(&mut f);
        self.findings.push(Value::Object(f));
        self.seen.insert((proc_id, what, at));
    }

    fn check_region(
        &mut self,
        ev: &Map<String, Value>,
        region: &Map<String, Value>,
        proc_id: Option<usize>,
    ) {
        let (w, x) = perms_of(region.get("perms"));
        if w && x {
            self.finding("writable and executable", ev, region, proc_id);
        } else if x && is_anonymous(get_str(region, "path")) {
            self.finding("executable, no file", ev, region, proc_id);
        }
    }

    /// A `memory` event.
    pub fn memory_event(&mut self, ev: &Map<String, Value>, proc_id: Option<usize>) {
        let op = get_str(ev, "op").unwrap_or("?");
        if let Some(p) = proc_id {
            let ops = self.ops.entry(p).or_default();
            match ops.iter_mut().find(|(o, _)| o == op) {
                Some((_, n)) => *n += 1,
                None => ops.push((op.to_string(), 1)),
            }
        }
        if matches!(op, "map" | "protect" | "remap") {
            self.check_region(ev, ev, proc_id);
        }
    }

    /// An `image` event.
    pub fn image_event(&mut self, ev: &Map<String, Value>, proc_id: Option<usize>) {
        if self.images.len() >= MAX_ROWS {
            self.omitted += 1;
            return;
        }
        let mut row: Map<String, Value> = ev
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "type" | "vcpu" | "tid"))
            .map(|(k, v)| (k.clone(), shorten(v, 1)))
            .collect();
        if let Some(p) = proc_id {
            row.insert("proc".into(), Value::from(p));
        }
        hexify(&mut row);
        self.images.push(Value::Object(row));
    }

    /// A `maps` snapshot: kept (the last per process) and checked.
    pub fn maps_event(&mut self, ev: &Map<String, Value>, proc_id: Option<usize>) {
        let Some(Value::Array(regions)) = ev.get("regions") else {
            return;
        };
        for r in regions.iter().filter_map(Value::as_object) {
            self.check_region(ev, r, proc_id);
        }
        let Some(p) = proc_id else {
            return;
        };
        if !self.maps.contains_key(&p) && self.maps.len() >= 500 {
            self.omitted += 1;
            return;
        }
        let kept: Vec<Value> = regions
            .iter()
            .take(400)
            .map(|r| {
                let mut r = shorten(r, 1);
                if let Some(o) = r.as_object_mut() {
                    hexify(o);
                }
                r
            })
            .collect();
        let mut snap = Map::new();
        for k in ["ts", "when", "pid", "comm"] {
            if let Some(v) = ev.get(k) {
                snap.insert(k.into(), v.clone());
            }
        }
        snap.insert("regions".into(), Value::Array(kept));
        snap.insert(
            "more".into(),
            Value::from(regions.len().saturating_sub(400) as u64),
        );
        self.maps.insert(p, Value::Object(snap));
    }
}

/// Alerts.
#[derive(Default)]
pub struct Alerts {
    /// The alerts, in journal order.
    pub rows: Vec<Value>,
    /// Per severity.
    pub by_severity: HashMap<String, u64>,
    /// Per rule.
    pub by_rule: HashMap<String, u64>,
    /// Alerts left out of `rows`.
    pub omitted: u64,
}

impl Alerts {
    /// An `alert` event.
    pub fn add(&mut self, ev: &Map<String, Value>, proc_id: Option<usize>) {
        let sev = get_text(ev, "severity").unwrap_or_else(|| "unknown".into());
        let rule = get_text(ev, "rule").unwrap_or_else(|| "?".into());
        *self.by_severity.entry(clip(&sev, 32)).or_default() += 1;
        if self.by_rule.len() < 1000 || self.by_rule.contains_key(&rule) {
            *self.by_rule.entry(clip(&rule, 128)).or_default() += 1;
        }
        if self.rows.len() >= MAX_ALERTS {
            self.omitted += 1;
            return;
        }
        let mut row = Map::new();
        for k in ["ts", "severity", "module", "rule", "pid", "comm"] {
            if let Some(v) = ev.get(k) {
                row.insert(k.into(), shorten(v, 1));
            }
        }
        let details: Vec<String> = ev
            .iter()
            .filter(|(k, _)| {
                !matches!(
                    k.as_str(),
                    "type"
                        | "ts"
                        | "severity"
                        | "module"
                        | "rule"
                        | "pid"
                        | "comm"
                        | "tid"
                        | "vcpu"
                )
            })
            .map(|(k, v)| match v {
                Value::String(s) => format!("{k}={}", clip(s, 200)),
                other => format!("{k}={}", clip(&other.to_string(), 200)),
            })
            .collect();
        row.insert("details".into(), Value::from(details.join(" ")));
        if let Some(p) = proc_id {
            row.insert("proc".into(), Value::from(p));
        }
        self.rows.push(Value::Object(row));
    }
}

/// Call stacks of system calls (`stack` on syscall events), counted by their top frames.
#[derive(Default)]
pub struct Stacks {
    counts: HashMap<String, (u64, String, Vec<String>)>,
    /// Stacks left out.
    pub omitted: u64,
}

/// A stack as the report shows it.
#[derive(Debug, Serialize)]
pub struct StackRow {
    /// The system call.
    pub name: String,
    /// Calls with these frames.
    pub count: u64,
    /// The frames, innermost first.
    pub frames: Vec<String>,
}

impl Stacks {
    /// A syscall event's stack.
    pub fn add(&mut self, name: &str, stack: &[Value]) {
        let frames: Vec<String> = stack.iter().take(6).map(frame).collect();
        let key = format!("{name}\u{1}{}", frames.join("\u{1}"));
        if let Some(e) = self.counts.get_mut(&key) {
            e.0 += 1;
        } else if self.counts.len() >= MAX_STACKS {
            self.omitted += 1;
        } else {
            self.counts.insert(key, (1, name.to_string(), frames));
        }
    }

    /// The most frequent stacks.
    pub fn finish(self) -> (Vec<StackRow>, u64) {
        let mut v: Vec<StackRow> = self
            .counts
            .into_values()
            .map(|(count, name, frames)| StackRow {
                name,
                count,
                frames,
            })
            .collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
        let left = v.len().saturating_sub(SHOWN_STACKS) as u64;
        v.truncate(SHOWN_STACKS);
        (v, self.omitted + left)
    }
}

/// `symbol+0x12 (module) file:line`, or what the frame has.
fn frame(f: &Value) -> String {
    let Some(o) = f.as_object() else {
        return clip(&f.to_string(), 200);
    };
    let mut s = String::new();
    match (get_str(o, "symbol"), get_u64(o, "symbol_offset")) {
        (Some(sym), Some(off)) => s.push_str(&format!("{}+{off:#x}", clip(sym, 160))),
        (Some(sym), None) => s.push_str(&clip(sym, 160)),
        _ => match (get_u64(o, "pc"), get_u64(o, "offset")) {
            (_, Some(off)) => s.push_str(&format!("{off:#x}")),
            (Some(pc), None) => s.push_str(&format!("{pc:#x}")),
            _ => s.push('?'),
        },
    }
    if let Some(m) = get_str(o, "module") {
        s.push_str(&format!(" ({})", clip(m, 120)));
    }
    if let Some(file) = get_str(o, "file") {
        s.push_str(&format!(" {}", clip(file, 160)));
        if let Some(l) = get_u64(o, "line") {
            s.push_str(&format!(":{l}"));
        }
    }
    s
}

/// Events of types no section knows: counts, their fields, a few samples.
#[derive(Default, Serialize)]
pub struct Other {
    /// Events of this type.
    pub count: u64,
    /// Field names seen (at most 64).
    pub fields: Vec<String>,
    /// The first events, shortened.
    pub samples: Vec<Value>,
}

impl Other {
    /// One more event of the type.
    pub fn add(&mut self, ev: &Map<String, Value>, max_samples: usize) {
        self.count += 1;
        for k in ev.keys() {
            if self.fields.len() < 64 && !self.fields.iter().any(|f| f == k) {
                self.fields.push(k.clone());
            }
        }
        if self.samples.len() < max_samples {
            self.samples.push(shorten(&Value::Object(ev.clone()), 0));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_addresses_read_like_strace_prints_them() {
        assert_eq!(
            sockaddr("{sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr(\"10.0.2.2\")}"),
            ("AF_INET".to_string(), "10.0.2.2:8080".to_string())
        );
        assert_eq!(
            sockaddr("{sa_family=AF_UNIX, sun_path=\"/tmp/s\"}").1,
            "\"/tmp/s\""
        );
        assert_eq!(sockaddr("0x7ffd0000").1, "0x7ffd0000");
    }

    #[test]
    fn writable_executable_memory_is_a_finding() {
        let mut m = Memory::default();
        let ev: Map<String, Value> = serde_json::from_str(
            r#"{"type":"memory","op":"protect","pid":3,"start":4096,"end":8192,"perms":"rwxp"}"#,
        )
        .unwrap_or_default();
        m.memory_event(&ev, Some(0));
        assert_eq!(m.findings.len(), 1);
        let ev2: Map<String, Value> = serde_json::from_str(
            r#"{"type":"memory","op":"map","pid":3,"start":4096,"end":8192,"perms":"r-xp","path":"/bin/sh"}"#,
        )
        .unwrap_or_default();
        m.memory_event(&ev2, Some(0));
        assert_eq!(m.findings.len(), 1);
    }

    #[test]
    fn a_region_in_every_snapshot_is_one_finding() {
        let mut m = Memory::default();
        let snap = |when: &str| -> Map<String, Value> {
            serde_json::from_value(serde_json::json!({"type":"maps","when":when,"pid":3,"regions":[
                {"start":"0x7f0000010000","end":"0x7f0000011000","perms":"r-xp","offset":"0x0","path":null},
                {"start":"0x400000","end":"0x401000","perms":"r-xp","offset":"0x0","path":"/bin/x"}
            ]}))
            .unwrap_or_default()
        };
        m.maps_event(&snap("first_seen"), Some(0));
        m.maps_event(&snap("exit"), Some(0));
        assert_eq!(m.findings.len(), 1);
        assert_eq!(m.findings[0]["finding"], "executable, no file");
        m.maps_event(&snap("exit"), Some(1));
        assert_eq!(m.findings.len(), 2, "another process");
    }
}

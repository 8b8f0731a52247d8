//! The report's processes: who ran, under whom, with what program and arguments, how they ended,
//! and per process what it called (`strace -c` figures), touched and raised.
//!
//! A process is known from its lifecycle events (`process` fork/exec/exit, `thread`), from process
//! lists, and failing those from the first event that names its pid. A pid reused after an exit
//! starts a new record. Everything kept per process is bounded; what is left out is counted.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Map, Value};

use super::util::{clip, get_i64, get_str, get_u64};

/// First calls kept per process, rendered like strace.
const CALLS_PER_PROC: usize = 24;
/// First calls kept over all processes.
const CALLS_TOTAL: usize = 24_000;
/// Paths kept per process.
const PATHS_PER_PROC: usize = 100;
/// Processes whose details (per-call figures, calls, files) are written; the others keep their
/// identity and counters.
pub const DETAILED_PROCS: usize = 1000;

/// Figures for one system call name.
#[derive(Debug, Default, Clone, Serialize)]
pub struct SysStat {
    /// Calls.
    pub calls: u64,
    /// Calls that failed (a return value from -4095 to -1).
    pub errors: u64,
    /// Nanoseconds from entry to return, summed over the calls that returned.
    pub ns: u64,
    /// Calls still in flight at the end.
    pub unfinished: u64,
}

/// A program a process ran.
#[derive(Debug, Clone, Serialize)]
pub struct Exec {
    /// When (ns); null for what a process list said.
    pub ts: Option<u64>,
    /// The program file.
    pub path: String,
    /// Its arguments.
    pub argv: Vec<String>,
}

/// How a process ended.
#[derive(Debug, Clone, Serialize)]
pub struct Exit {
    /// When (ns).
    pub ts: u64,
    /// The exit code, or null when a signal killed it.
    pub code: Option<i64>,
    /// The killing signal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<String>,
    /// Whether it dumped core.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub core: bool,
}

/// What a process did to one path.
#[derive(Debug, Default, Clone, Serialize)]
pub struct PathUse {
    /// The path.
    pub path: String,
    /// Operations and their counts.
    pub ops: Vec<(String, u64)>,
    /// Bytes read and written.
    pub read: u64,
    /// Bytes written.
    pub written: u64,
    /// Failed operations.
    pub errors: u64,
}

impl PathUse {
    pub(super) fn add(&mut self, op: &str, read: u64, written: u64, error: bool) {
        match self.ops.iter_mut().find(|(o, _)| o == op) {
            Some((_, n)) => *n += 1,
            None => self.ops.push((op.to_string(), 1)),
        }
        self.read += read;
        self.written += written;
        self.errors += u64::from(error);
    }
}

/// One process as the report shows it.
#[derive(Debug, Default, Serialize)]
pub struct Proc {
    /// The record's index (the parent link refers to it).
    pub id: usize,
    /// The kernel's thread-group id.
    pub pid: i64,
    /// Its parent's pid, when known.
    pub ppid: Option<i64>,
    /// The parent's record.
    pub parent: Option<usize>,
    /// The last command name.
    pub comm: String,
    /// Earlier command names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub comms: Vec<String>,
    /// A kernel thread (no address space).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub kthread: bool,
    /// Programs run (exec events; or what a process list said, with no time).
    pub execs: Vec<Exec>,
    /// Exec events left out.
    #[serde(skip_serializing_if = "is_zero")]
    pub execs_omitted: u64,
    /// How it ended.
    pub exit: Option<Exit>,
    /// Its fork (ns).
    pub fork: Option<u64>,
    /// First and last event naming it (ns).
    pub first: Option<u64>,
    /// Last event naming it.
    pub last: Option<u64>,
    /// Threads seen (thread ids).
    pub threads: u64,
    /// Events naming it.
    pub events: u64,
    /// System calls.
    pub calls: u64,
    /// Failed system calls.
    pub errors: u64,
    /// Alerts about it.
    pub alerts: u64,
    /// Network events or connections.
    pub net: u64,
    /// Time on a vCPU (from `switch` events), ns.
    #[serde(skip_serializing_if = "is_zero")]
    pub cpu_ns: u64,
    /// Times it was switched in.
    #[serde(skip_serializing_if = "is_zero")]
    pub switches: u64,
    /// Per system call name: (name, figures), the most called first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sys: Vec<(String, SysStat)>,
    /// The first calls, rendered.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub first_calls: Vec<String>,
    /// Paths it used.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<PathUse>,
    /// Paths left out.
    #[serde(skip_serializing_if = "is_zero")]
    pub paths_omitted: u64,
    /// Its last known state (process lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,

    #[serde(skip)]
    sys_map: HashMap<String, SysStat>,
    #[serde(skip)]
    tids: std::collections::HashSet<i64>,
    #[serde(skip)]
    paths_ev: HashMap<String, PathUse>,
    #[serde(skip)]
    paths_sys: HashMap<String, PathUse>,
    #[serde(skip)]
    paths_ev_omitted: u64,
    #[serde(skip)]
    paths_sys_omitted: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Where a path use came from.
#[derive(Clone, Copy)]
pub enum PathSource {
    /// The file monitor's events.
    FileEvents,
    /// System call arguments.
    Syscalls,
}

/// All processes.
#[derive(Default)]
pub struct Procs {
    /// Records, in the order first seen.
    pub list: Vec<Proc>,
    current: HashMap<i64, usize>,
    calls_kept: usize,
    /// First calls left out over all processes because of the global bound.
    pub calls_omitted: u64,
}

impl Procs {
    /// The current record of `pid`, created when missing.
    pub fn get(&mut self, pid: i64, ts: Option<u64>, comm: Option<&str>) -> usize {
        let i = match self.current.get(&pid) {
            Some(&i) => i,
            None => self.create(pid),
        };
        let p = &mut self.list[i];
        if let Some(ts) = ts {
            p.first = Some(p.first.map_or(ts, |f| f.min(ts)));
            p.last = Some(p.last.map_or(ts, |l| l.max(ts)));
        }
        if let Some(c) = comm
            && p.comm != c
        {
            if !p.comm.is_empty() && p.comms.len() < 8 && !p.comms.iter().any(|x| x == &p.comm) {
                let old = std::mem::take(&mut p.comm);
                p.comms.push(old);
            }
            p.comm = c.to_string();
        }
        i
    }

    /// Notes a parent pid learned from an event, and links the record to the parent's.
    fn set_ppid(&mut self, i: usize, ppid: Option<i64>) {
        let Some(pp) = ppid else {
            return;
        };
        if self.list[i].ppid.is_none() {
            self.list[i].ppid = Some(pp);
        }
        if self.list[i].parent.is_none()
            && self.list[i].ppid == Some(pp)
            && pp != self.list[i].pid
            && let Some(&pi) = self.current.get(&pp)
            && pi != i
        {
            self.list[i].parent = Some(pi);
        }
    }

    fn create(&mut self, pid: i64) -> usize {
        let i = self.list.len();
        self.list.push(Proc {
            id: i,
            pid,
            ..Proc::default()
        });
        self.current.insert(pid, i);
        i
    }

    /// The common part of any event naming a process: counts it, and its thread.
    pub fn touch(&mut self, ev: &Map<String, Value>) -> Option<usize> {
        let pid = get_i64(ev, "pid")?;
        let i = self.get(pid, get_u64(ev, "ts"), get_str(ev, "comm"));
        let p = &mut self.list[i];
        p.events += 1;
        if let Some(tid) = get_i64(ev, "tid")
            && p.tids.len() < 4096
        {
            p.tids.insert(tid);
        }
        Some(i)
    }

    /// A `syscall` event.
    pub fn syscall(&mut self, i: usize, name: &str, ev: &Map<String, Value>) {
        let p = &mut self.list[i];
        p.calls += 1;
        let failed = is_error(ev);
        p.errors += u64::from(failed);
        let st = match p.sys_map.get_mut(name) {
            Some(s) => s,
            None => p.sys_map.entry(name.to_string()).or_default(),
        };
        add_call(st, ev, failed);
        if p.first_calls.len() < CALLS_PER_PROC {
            if self.calls_kept < CALLS_TOTAL {
                self.calls_kept += 1;
                let line = render_call(name, ev);
                self.list[i].first_calls.push(line);
            } else {
                self.calls_omitted += 1;
            }
        }
    }

    /// A `process` event (fork, exec, exit).
    pub fn lifecycle(&mut self, ev: &Map<String, Value>) {
        let Some(pid) = get_i64(ev, "pid") else {
            return;
        };
        let ts = get_u64(ev, "ts");
        let ppid = get_i64(ev, "ppid");
        match get_str(ev, "op") {
            Some("fork") => {
                if let Some(&old) = self.current.get(&pid) {
                    let o = &self.list[old];
                    if o.exit.is_some() || o.fork.is_some() {
                        self.create(pid);
                    }
                }
                let parent = ppid.and_then(|pp| self.current.get(&pp).copied());
                let i = self.get(pid, ts, get_str(ev, "comm"));
                let p = &mut self.list[i];
                p.fork = ts;
                if ppid.is_some() {
                    p.ppid = ppid;
                    p.parent = parent.filter(|&pi| pi != i);
                }
            }
            Some("exec") => {
                let i = self.get(pid, ts, get_str(ev, "comm"));
                self.set_ppid(i, ppid);
                let p = &mut self.list[i];
                // A task that runs a program is a user process from then on (init starts as one).
                p.kthread = false;
                if p.execs.len() < 16 {
                    let path = get_str(ev, "path")
                        .or_else(|| get_str(ev, "filename"))
                        .unwrap_or("?");
                    p.execs.push(Exec {
                        ts,
                        path: clip(path, 4096),
                        argv: argv(ev.get("argv")),
                    });
                } else {
                    p.execs_omitted += 1;
                }
            }
            Some("exit") => {
                let i = self.get(pid, ts, get_str(ev, "comm"));
                self.set_ppid(i, ppid);
                let p = &mut self.list[i];
                p.exit = Some(Exit {
                    ts: ts.unwrap_or(0),
                    code: get_i64(ev, "code"),
                    signal: get_str(ev, "signal").map(str::to_string),
                    core: ev.get("core_dumped").and_then(Value::as_bool) == Some(true),
                });
            }
            _ => {}
        }
    }

    /// A `process_list` event.
    pub fn list_event(&mut self, ev: &Map<String, Value>) {
        let Some(Value::Array(ps)) = ev.get("processes") else {
            return;
        };
        // Parents first, so children can link to them: two rounds.
        let mut made = Vec::with_capacity(ps.len());
        for p in ps.iter().filter_map(Value::as_object) {
            let Some(pid) = get_i64(p, "pid") else {
                continue;
            };
            let i = self.get(pid, None, get_str(p, "comm"));
            let rec = &mut self.list[i];
            if rec.ppid.is_none() {
                rec.ppid = get_i64(p, "ppid");
            }
            if let Some(k) = p.get("kernel_thread").and_then(Value::as_bool) {
                rec.kthread = k;
            }
            if let Some(s) = get_str(p, "state") {
                rec.state = Some(s.to_string());
            }
            if rec.execs.is_empty()
                && let Some(path) = get_str(p, "path")
            {
                rec.execs.push(Exec {
                    ts: None,
                    path: clip(path, 4096),
                    argv: argv(p.get("argv")),
                });
            }
            if let Some(Value::Array(ts)) = p.get("threads") {
                for t in ts
                    .iter()
                    .filter_map(|t| t.get("tid"))
                    .filter_map(Value::as_i64)
                {
                    if rec.tids.len() < 4096 {
                        rec.tids.insert(t);
                    }
                }
            }
            made.push(i);
        }
        for i in made {
            let pp = self.list[i].ppid;
            self.set_ppid(i, pp);
        }
    }

    /// A path used by a process.
    pub fn path_use(
        &mut self,
        i: usize,
        src: PathSource,
        path: &str,
        op: &str,
        rw: (u64, u64),
        error: bool,
    ) {
        let p = &mut self.list[i];
        let (map, omitted) = match src {
            PathSource::FileEvents => (&mut p.paths_ev, &mut p.paths_ev_omitted),
            PathSource::Syscalls => (&mut p.paths_sys, &mut p.paths_sys_omitted),
        };
        if !map.contains_key(path) {
            if map.len() >= PATHS_PER_PROC {
                *omitted += 1;
                return;
            }
            map.insert(
                path.to_string(),
                PathUse {
                    path: path.to_string(),
                    ..PathUse::default()
                },
            );
        }
        if let Some(u) = map.get_mut(path) {
            u.add(op, rw.0, rw.1, error);
        }
    }

    /// Ends the records: sorted figures, paths from the chosen source, parents of orphans.
    pub fn finish(&mut self, paths_from: PathSource) {
        // Rank by activity: details for the busiest processes only.
        let mut rank: Vec<usize> = (0..self.list.len()).collect();
        rank.sort_by_key(|&i| std::cmp::Reverse(self.list[i].events));
        let detailed: std::collections::HashSet<usize> =
            rank.into_iter().take(DETAILED_PROCS).collect();
        for p in &mut self.list {
            p.threads = p.tids.len() as u64;
            let (map, omitted) = match paths_from {
                PathSource::FileEvents => (std::mem::take(&mut p.paths_ev), p.paths_ev_omitted),
                PathSource::Syscalls => (std::mem::take(&mut p.paths_sys), p.paths_sys_omitted),
            };
            if detailed.contains(&p.id) {
                let mut sys: Vec<(String, SysStat)> = p.sys_map.drain().collect();
                sys.sort_by(|a, b| b.1.calls.cmp(&a.1.calls).then(a.0.cmp(&b.0)));
                p.sys = sys;
                let mut paths: Vec<PathUse> = map.into_values().collect();
                paths.sort_by(|a, b| a.path.cmp(&b.path));
                p.paths = paths;
                p.paths_omitted = omitted;
            } else {
                p.first_calls.clear();
            }
            p.tids.clear();
            p.paths_sys.clear();
            p.sys_map.clear();
        }
    }

    /// The global `strace -c` table: per name, summed over processes (call before `finish`).
    pub fn totals(&self) -> Vec<(String, SysStat)> {
        let mut t: HashMap<&str, SysStat> = HashMap::new();
        for p in &self.list {
            for (name, s) in &p.sys_map {
                let e = t.entry(name.as_str()).or_default();
                e.calls += s.calls;
                e.errors += s.errors;
                e.ns += s.ns;
                e.unfinished += s.unfinished;
            }
        }
        let mut v: Vec<(String, SysStat)> =
            t.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        v.sort_by(|a, b| b.1.ns.cmp(&a.1.ns).then(b.1.calls.cmp(&a.1.calls)));
        v
    }
}

/// Adds one call to a figure.
fn add_call(st: &mut SysStat, ev: &Map<String, Value>, failed: bool) {
    st.calls += 1;
    st.errors += u64::from(failed);
    match (get_u64(ev, "ts"), get_u64(ev, "ts_exit")) {
        (Some(a), Some(b)) if b >= a => st.ns += b - a,
        _ => {
            if get_str(ev, "end") == Some("unfinished") {
                st.unfinished += 1;
            }
        }
    }
}

/// Whether a syscall event failed (an error return, as strace counts errors).
pub fn is_error(ev: &Map<String, Value>) -> bool {
    get_i64(ev, "ret").is_some_and(|r| (-4095..=-1).contains(&r))
}

/// `name(arg, arg) = ret` from an event, each argument cut to a readable length.
pub fn render_call(name: &str, ev: &Map<String, Value>) -> String {
    let mut s = String::with_capacity(96);
    s.push_str(name);
    s.push('(');
    if let Some(Value::Array(args)) = ev.get("args") {
        for (k, a) in args.iter().enumerate() {
            if k > 0 {
                s.push_str(", ");
            }
            match a {
                Value::String(t) => s.push_str(&clip(t, 160)),
                other => s.push_str(&clip(&other.to_string(), 160)),
            }
        }
    }
    s.push(')');
    match get_str(ev, "ret_text") {
        Some(r) => {
            s.push_str(" = ");
            s.push_str(&clip(r, 120));
        }
        None if get_str(ev, "end") == Some("unfinished") => s.push_str(" <unfinished ...>"),
        None => {}
    }
    s
}

fn argv(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a
            .iter()
            .take(64)
            .map(|x| match x {
                Value::String(s) => clip(s, 1024),
                other => clip(&other.to_string(), 1024),
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn a_reused_pid_is_a_new_process() {
        let mut ps = Procs::default();
        ps.lifecycle(&obj(
            json!({"op":"fork","pid":5,"ppid":1,"ts":1,"comm":"sh"}),
        ));
        ps.lifecycle(&obj(json!({"op":"exit","pid":5,"ts":2,"code":3})));
        ps.lifecycle(&obj(
            json!({"op":"fork","pid":5,"ppid":1,"ts":3,"comm":"sh"}),
        ));
        assert_eq!(ps.list.len(), 2); // the parent, pid 1, was never seen
        let fives: Vec<_> = ps.list.iter().filter(|p| p.pid == 5).collect();
        assert_eq!(fives.len(), 2);
        assert_eq!(fives[0].exit.as_ref().unwrap().code, Some(3));
        assert!(fives[1].exit.is_none());
    }

    #[test]
    fn calls_are_counted_like_strace_c() {
        let mut ps = Procs::default();
        let ev = obj(
            json!({"type":"syscall","pid":7,"tid":7,"comm":"x","ts":100,"ts_exit":150,"name":"open","args":["\"/a\"","O_RDONLY"],"ret":-2,"ret_text":"-1 ENOENT (No such file or directory)"}),
        );
        let i = ps.touch(&ev).unwrap();
        ps.syscall(i, "open", &ev);
        let t = ps.totals();
        assert_eq!(t[0].0, "open");
        assert_eq!((t[0].1.calls, t[0].1.errors, t[0].1.ns), (1, 1, 50));
        assert_eq!(
            ps.list[i].first_calls[0],
            "open(\"/a\", O_RDONLY) = -1 ENOENT (No such file or directory)"
        );
    }
}

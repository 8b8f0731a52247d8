//! Process and thread lifecycle events, and process lists (published by the `processes` module).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;

/// What happened to a process or thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcessOp {
    /// A new process appeared (fork, vfork, clone without CLONE_THREAD, clone3).
    Fork,
    /// A process replaced its program (successful execve/execveat).
    Exec,
    /// A process ended.
    Exit,
    /// A new thread in an existing process (journal: `"type":"thread","op":"start"`).
    #[serde(rename = "start")]
    ThreadStart,
    /// A thread ended (journal: `"type":"thread","op":"exit"`).
    #[serde(rename = "exit")]
    ThreadExit,
}

impl ProcessOp {
    /// The journal's `op`.
    pub fn as_str(self) -> &'static str {
        match self {
            ProcessOp::Fork => "fork",
            ProcessOp::Exec => "exec",
            ProcessOp::Exit | ProcessOp::ThreadExit => "exit",
            ProcessOp::ThreadStart => "start",
        }
    }
}

/// How a lifecycle event was learnt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Seen {
    /// From the system call that did it (the creator's clone, the exec, the exit call).
    Call,
    /// From the first system call of the new process or thread, before its creator's call returned
    /// (its parent is read from the kernel's `task_struct.real_parent`).
    FirstCall,
    /// From the parent's `wait4`/`waitid` result (a process killed by a signal makes no exit call).
    Wait,
}

impl Seen {
    /// The journal's `seen`.
    pub fn as_str(self) -> &'static str {
        match self {
            Seen::Call => "call",
            Seen::FirstCall => "first_call",
            Seen::Wait => "wait",
        }
    }
}

/// A process or thread lifecycle event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProcessEvent {
    /// Nanoseconds since tracing started.
    pub ts: u64,
    /// vCPU where it was seen.
    pub vcpu: u32,
    /// What happened.
    pub op: ProcessOp,
    /// The process (thread-group id) concerned.
    pub pid: Option<u32>,
    /// The thread concerned (for thread events, and the acting thread otherwise).
    pub tid: Option<u32>,
    /// The parent process.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ppid: Option<u32>,
    /// The command name.
    pub comm: Option<String>,
    /// The program (exec): the kernel's own path of the executed file (`mm->exe_file`, symlinks
    /// resolved), else [`Self::filename`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The file name the program was executed with (`AT_EXECFN`), made absolute with the caller's
    /// working directory when it was relative and the directory could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// The arguments (exec), read from the new image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub argv: Option<Vec<String>>,
    /// Exit status (exit): the value given to `exit`/`exit_group`, masked to 8 bits as the parent sees it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<i64>,
    /// The killing signal's name (exit by signal).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<String>,
    /// Whether a core dump was made (exit by signal).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub core_dumped: Option<bool>,
    /// The system call behind the event (`fork`, `clone3`, `execve`, `exit_group`, `wait4`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub syscall: Option<&'static str>,
    /// How the event was learnt.
    pub seen: Seen,
}

impl ProcessEvent {
    /// An event with only the identity filled in.
    pub fn new(ts: u64, vcpu: u32, op: ProcessOp, pid: u32, tid: u32, seen: Seen) -> Self {
        Self {
            ts,
            vcpu,
            op,
            pid: Some(pid),
            tid: Some(tid),
            ppid: None,
            comm: None,
            path: None,
            filename: None,
            argv: None,
            code: None,
            signal: None,
            core_dumped: None,
            syscall: None,
            seen,
        }
    }

    /// The journal's `type`: `thread` for thread events, `process` otherwise.
    pub fn type_name(&self) -> &'static str {
        match self.op {
            ProcessOp::ThreadStart | ProcessOp::ThreadExit => "thread",
            _ => "process",
        }
    }
}

/// One thread in a [`ProcessList`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThreadEntry {
    /// Thread id.
    pub tid: u32,
    /// The thread's own command name.
    pub comm: String,
    /// Run state (`running`, `sleeping`, `disk_sleep`, `stopped`, `traced`, `idle`, `dead`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

/// One process in a [`ProcessList`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProcessEntry {
    /// Process id (thread-group id).
    pub pid: u32,
    /// Parent process id (`None`: unknown, or `init_task`'s).
    pub ppid: Option<u32>,
    /// Command name.
    pub comm: String,
    /// Run state of the thread-group leader.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The address space: the kernel address of its `mm_struct`, as hex; `None` for kernel threads and
    /// when unknown (processes born while tracing, until the next walk).
    pub mm: Option<String>,
    /// A kernel thread (no address space).
    pub kernel_thread: bool,
    /// The program (from the exec seen while tracing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The arguments (`mm_struct.arg_start..arg_end` for walked user processes, or the exec seen).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub argv: Option<Vec<String>>,
    /// Every thread, the leader first.
    pub threads: Vec<ThreadEntry>,
}

/// When a [`ProcessList`] was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ListWhen {
    /// At the first hook where the kernel could be read.
    Start,
    /// Every `--process-list-every` seconds.
    Periodic,
    /// At the guest's `reboot` call.
    Shutdown,
    /// When tracing stops.
    End,
}

/// Where a [`ProcessList`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ListSource {
    /// A walk of the kernel's task list.
    Kernel,
    /// The last walk updated with every lifecycle event since (QEMU's exit has no vCPU to read the
    /// guest with).
    Events,
}

impl ListWhen {
    /// The journal's `when`.
    pub fn as_str(self) -> &'static str {
        match self {
            ListWhen::Start => "start",
            ListWhen::Periodic => "periodic",
            ListWhen::Shutdown => "shutdown",
            ListWhen::End => "end",
        }
    }
}

impl ListSource {
    /// The journal's `source`.
    pub fn as_str(self) -> &'static str {
        match self {
            ListSource::Kernel => "kernel",
            ListSource::Events => "events",
        }
    }
}

/// A list of every process and thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProcessList {
    /// Nanoseconds since tracing started.
    pub ts: u64,
    /// When it was taken.
    pub when: ListWhen,
    /// Where it comes from.
    pub source: ListSource,
    /// Whether the kernel walk went round the whole list (`false`: stopped at junk or at its bound).
    pub complete: bool,
    /// The processes, by pid.
    pub processes: Vec<ProcessEntry>,
}

impl ProcessList {
    /// A `pstree`-like rendering: a header line, then one line per process under its parent.
    pub fn render_tree(&self) -> String {
        let mut s = String::new();
        let threads: usize = self.processes.iter().map(|p| p.threads.len()).sum();
        let _ = write!(
            s,
            "# process list ({}, from {}): {} processes, {} threads{}",
            self.when.as_str(),
            self.source.as_str(),
            self.processes.len(),
            threads,
            if self.complete { "" } else { ", incomplete" }
        );
        let pids: BTreeSet<u32> = self.processes.iter().map(|p| p.pid).collect();
        let mut children: BTreeMap<Option<u32>, Vec<&ProcessEntry>> = BTreeMap::new();
        for p in &self.processes {
            // A parent not in the list (or the process itself) makes a root.
            let parent = p.ppid.filter(|pp| pids.contains(pp) && *pp != p.pid);
            children.entry(parent).or_default().push(p);
        }
        let mut printed = BTreeSet::new();
        let roots = children.get(&None).cloned().unwrap_or_default();
        for r in roots {
            tree_line(&mut s, r, "", "", &children, &mut printed, 0);
        }
        // Whatever sits in a parent cycle (junk ppids) is never reached from a root: list it flat.
        for p in &self.processes {
            if !printed.contains(&p.pid) {
                tree_line(&mut s, p, "", "", &children, &mut printed, 0);
            }
        }
        s
    }
}

/// Deepest tree level drawn; deeper processes are still listed, flat.
const MAX_TREE_DEPTH: usize = 64;

fn tree_line(
    s: &mut String,
    p: &ProcessEntry,
    lead: &str,
    branch: &str,
    children: &BTreeMap<Option<u32>, Vec<&ProcessEntry>>,
    printed: &mut BTreeSet<u32>,
    depth: usize,
) {
    if !printed.insert(p.pid) {
        return;
    }
    let _ = write!(s, "\n{lead}{branch}{} {}", p.pid, p.comm);
    if let Some(st) = &p.state {
        let _ = write!(s, " [{st}]");
    }
    if p.kernel_thread {
        s.push_str(" (kernel)");
    }
    if let Some(argv) = &p.argv {
        let _ = write!(s, " {}", argv.join(" "));
    }
    let others: Vec<String> = p
        .threads
        .iter()
        .filter(|t| t.tid != p.pid)
        .map(|t| t.tid.to_string())
        .collect();
    if !others.is_empty() {
        let _ = write!(s, " {{threads {}}}", others.join(" "));
    }
    if depth >= MAX_TREE_DEPTH {
        return;
    }
    let kids = children.get(&Some(p.pid)).cloned().unwrap_or_default();
    let next_lead = format!(
        "{lead}{}",
        match branch {
            "" => "",
            "├─ " => "│  ",
            _ => "   ",
        }
    );
    let n = kids.len();
    for (i, k) in kids.into_iter().enumerate() {
        let b = if i + 1 == n { "└─ " } else { "├─ " };
        tree_line(s, k, &next_lead, b, children, printed, depth + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(pid: u32, ppid: Option<u32>, comm: &str, threads: &[u32]) -> ProcessEntry {
        ProcessEntry {
            pid,
            ppid,
            comm: comm.into(),
            state: Some("sleeping".into()),
            mm: (pid != 2).then(|| "0xffff888001000000".into()),
            kernel_thread: pid == 2,
            path: None,
            argv: None,
            threads: threads
                .iter()
                .map(|&tid| ThreadEntry {
                    tid,
                    comm: comm.into(),
                    state: None,
                })
                .collect(),
        }
    }

    #[test]
    fn the_tree_puts_children_under_parents() {
        let l = ProcessList {
            ts: 0,
            when: ListWhen::Start,
            source: ListSource::Kernel,
            complete: true,
            processes: vec![
                entry(1, Some(0), "init", &[1]),
                entry(2, Some(0), "kthreadd", &[2]),
                entry(10, Some(1), "sh", &[10]),
                entry(11, Some(10), "wl", &[11, 12]),
                entry(12, Some(1), "getty", &[13]),
                // A cycle of junk parents is still listed.
                entry(50, Some(51), "a", &[50]),
                entry(51, Some(50), "b", &[51]),
            ],
        };
        let t = l.render_tree();
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(
            lines[0],
            "# process list (start, from kernel): 7 processes, 8 threads"
        );
        assert_eq!(lines[1], "1 init [sleeping]");
        assert_eq!(lines[2], "├─ 10 sh [sleeping]");
        assert_eq!(lines[3], "│  └─ 11 wl [sleeping] {threads 12}");
        assert_eq!(lines[4], "└─ 12 getty [sleeping] {threads 13}");
        assert_eq!(lines[5], "2 kthreadd [sleeping] (kernel)");
        assert!(lines[6].starts_with("50 a"), "{t}");
        assert!(lines[7].contains("51 b"), "{t}");
        assert_eq!(lines.len(), 8);
    }

    #[test]
    fn thread_events_are_typed_thread_with_start_and_exit_ops() {
        let e = ProcessEvent::new(1, 0, ProcessOp::ThreadStart, 10, 11, Seen::Call);
        assert_eq!(e.type_name(), "thread");
        let e = ProcessEvent::new(1, 0, ProcessOp::Exit, 10, 10, Seen::Wait);
        assert_eq!(e.type_name(), "process");
    }
}

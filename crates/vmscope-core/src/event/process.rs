//! Process and thread lifecycle events (published by the `processes` module).

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
    /// A new thread in an existing process.
    ThreadStart,
    /// A thread ended.
    ThreadExit,
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
    /// The program (exec).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The arguments (exec).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub argv: Option<Vec<String>>,
    /// Exit status (exit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<i64>,
    /// The killing signal's name (exit by signal).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<String>,
}

impl ProcessEvent {
    /// The journal's `type`: `thread` for thread events, `process` otherwise.
    pub fn type_name(&self) -> &'static str {
        match self.op {
            ProcessOp::ThreadStart | ProcessOp::ThreadExit => "thread",
            _ => "process",
        }
    }
}

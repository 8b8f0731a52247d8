//! Typed events: what modules publish on the bus and what the journal writes.
//!
//! Numbers stay open: a syscall number or return value the tables do not know is kept and printed as a
//! number, never dropped.

pub use compact_str::CompactString;
use serde::Serialize;

use crate::arch::EntryKind;

mod alert;
mod file;
mod process;

pub use alert::{CustomEvent, FieldValue};
pub use file::{
    Buffer, FileAccess, FileCall, FileEvent, FileOp, FileSummary, Handle, HandleUse, NewHandles,
    ObjectKind, PathArg, PathBase, ProcessFileUse, Target,
};
pub use process::{ProcessEntry, ProcessEvent, ProcessList, ProcessOp, Seen, ThreadEntry};

/// The system-call ABI a call was made with; decides which table decodes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Abi {
    /// 64-bit Linux (`syscall` from 64-bit mode).
    #[serde(rename = "x86_64")]
    X86_64,
    /// 32-bit Linux (`int 0x80`, `sysenter`, or `syscall` from compatibility mode).
    #[serde(rename = "i386")]
    I386,
}

impl Abi {
    /// The name used in the journal.
    pub fn as_str(self) -> &'static str {
        match self {
            Abi::X86_64 => "x86_64",
            Abi::I386 => "i386",
        }
    }
}

/// Which guest thread was running, as the context module found it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ThreadCtx {
    /// Thread-group id (what user space calls the pid); `None` when unknown.
    pub pid: Option<u32>,
    /// Thread id; `None` when unknown.
    pub tid: Option<u32>,
    /// The thread's command name (`comm`), lossily decoded. Kept inline (a `comm` is at most 15
    /// bytes), so naming a thread in every event allocates nothing.
    pub comm: Option<CompactString>,
    /// Address of the kernel's thread object (Linux `task_struct`), 0 when unknown.
    #[serde(skip)]
    pub task: u64,
    /// Key of the address space (page-table root with PCID/KPTI bits masked).
    #[serde(skip)]
    pub asid: u64,
}

/// How a system call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallEnd {
    /// The call returned; `ret` holds the value.
    Returned,
    /// The call does not return by design (`exit_group`, `exit`), or the thread vanished in it.
    NoReturn,
    /// The call was still in flight when tracing stopped.
    Unfinished,
}

/// One system call, from entry to exit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyscallEvent {
    /// Nanoseconds since tracing started, at entry.
    pub ts: u64,
    /// Nanoseconds since tracing started, at exit (`None` when it did not return).
    pub ts_exit: Option<u64>,
    /// vCPU of the entry.
    pub vcpu: u32,
    /// The calling thread.
    #[serde(flatten)]
    pub thread: ThreadCtx,
    /// ABI, deciding the table.
    pub abi: Abi,
    /// The instruction that entered the kernel.
    pub entry: EntryKind,
    /// The syscall number.
    pub nr: u64,
    /// The call's name, or `syscall_0x…` for numbers the table lacks.
    pub name: CompactString,
    /// Every argument rendered as strace renders it.
    pub args: Vec<String>,
    /// The raw argument values (0 for the registers the call does not take, which are not read).
    pub raw: [u64; 6],
    /// The return value (sign-extended for i386), `None` when it did not return.
    pub ret: Option<i64>,
    /// The return value rendered as strace does (`3`, `-1 ENOENT (No such file or directory)`, `?`).
    pub ret_text: CompactString,
    /// How the call ended.
    pub end: CallEnd,
}

/// A message from the framework or a module about itself (a module disabled, a degraded feature).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    /// Nanoseconds since tracing started.
    pub ts: u64,
    /// The module or component concerned.
    pub source: String,
    /// `info`, `warning` or `error`.
    pub level: &'static str,
    /// One line of text.
    pub message: String,
}

/// The kinds of event, for subscriptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum EventKind {
    /// [`Event::Syscall`].
    Syscall = 0,
    /// [`Event::Notice`].
    Notice = 1,
    /// [`Event::Process`].
    Process = 2,
    /// [`Event::File`].
    File = 3,
    /// [`Event::Custom`].
    Custom = 4,
    /// [`Event::ProcessList`].
    ProcessList = 5,
}

/// An event on the bus.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// A system call.
    Syscall(SyscallEvent),
    /// A notice.
    Notice(Notice),
    /// A process or thread lifecycle event.
    Process(ProcessEvent),
    /// A file operation.
    File(FileEvent),
    /// A module-defined event (alerts, events of modules loaded from libraries).
    Custom(CustomEvent),
    /// Every process and thread at one moment.
    ProcessList(ProcessList),
}

impl Event {
    /// The kind of this event.
    pub fn kind(&self) -> EventKind {
        match self {
            Event::Syscall(_) => EventKind::Syscall,
            Event::Notice(_) => EventKind::Notice,
            Event::Process(_) => EventKind::Process,
            Event::File(_) => EventKind::File,
            Event::Custom(_) => EventKind::Custom,
            Event::ProcessList(_) => EventKind::ProcessList,
        }
    }

    /// The journal's `type` field.
    pub fn type_name(&self) -> &str {
        match self {
            Event::Syscall(_) => "syscall",
            Event::Notice(_) => "notice",
            Event::Process(p) => p.type_name(),
            Event::File(f) => f.type_name(),
            Event::Custom(c) => &c.kind,
            Event::ProcessList(_) => "process_list",
        }
    }
}

/// A set of [`EventKind`]s.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EventMask(u32);

impl EventMask {
    /// No kind.
    pub const NONE: EventMask = EventMask(0);
    /// Every kind.
    pub const ALL: EventMask = EventMask(u32::MAX);

    /// This set plus `kind`.
    pub const fn with(self, kind: EventKind) -> Self {
        EventMask(self.0 | 1 << kind as u8)
    }

    /// Whether `kind` is in the set.
    pub const fn contains(self, kind: EventKind) -> bool {
        self.0 & (1 << kind as u8) != 0
    }
}

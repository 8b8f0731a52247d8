//! Typed events: what modules publish on the bus and what the journal writes.
//!
//! Numbers stay open: a syscall number or return value the tables do not know is kept and printed as a
//! number, never dropped.

pub use compact_str::CompactString;
use serde::Serialize;

use crate::arch::EntryKind;
use crate::capture::Capture;

mod alert;
mod file;
mod hardware;
mod memory;
mod net;
mod process;
pub mod spares;
mod stack;

pub use alert::{CustomEvent, FieldValue};
pub use file::{
    Buffer, FileAccess, FileActivity, FileCall, FileEvent, FileOp, FileSummary, Handle, HandleUse,
    NewHandles, ObjectKind, PathArg, PathBase, ProcessFileUse, Target,
};
pub use hardware::{
    CoverageEvent, DeviceEvent, DeviceRegister, DeviceSpace, DeviceSummary, DeviceUser,
    SchedSummary, SwitchEvent, VcpuTime,
};
pub use memory::{
    ImageEvent, ImageKind, ImageOp, MapsSnapshot, MapsSource, MapsWhen, MemoryEvent, MemoryOp,
    Region,
};
pub use net::{Connection, NetEvent, NetOp};
pub use process::{
    ListSource, ListWhen, ProcessEntry, ProcessEvent, ProcessList, ProcessOp, Seen, ThreadEntry,
};
pub use stack::Frame;

/// The system-call ABI a call was made with; decides which table decodes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Abi {
    /// 64-bit Linux (`syscall` from 64-bit mode).
    #[serde(rename = "x86_64")]
    X86_64,
    /// 32-bit Linux (`int 0x80`, `sysenter`, or `syscall` from compatibility mode).
    #[serde(rename = "i386")]
    I386,
    /// 64-bit ARM Linux (`svc #0` from AArch64; the generic table).
    #[serde(rename = "aarch64")]
    Aarch64,
}

impl Abi {
    /// The name used in the journal.
    pub fn as_str(self) -> &'static str {
        match self {
            Abi::X86_64 => "x86_64",
            Abi::I386 => "i386",
            Abi::Aarch64 => "aarch64",
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

/// The identity of a system call as the OS layer numbers it (for Linux,
/// `vmscope_linux::syscalls::Call`): the same for a call whatever the ABI and number it was made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId(pub u16);

/// Where an argument's rendering comes from (decided by the OS layer's decoder on the vCPU).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ArgAt {
    /// Not printed (a mode without `O_CREAT`, the second register of a 64-bit pair).
    #[default]
    Omit,
    /// Rendered from what was read at the call's entry.
    Entry,
    /// Rendered from what was read at the call's exit (outputs, and inputs unreadable at entry).
    Exit,
    /// Rendered from the new program's initial stack (a successful `execve`, whose old memory is
    /// gone at its return).
    NewImage,
}

/// What the OS layer's decoder keeps of one call to render it later, off the vCPU: the guest memory
/// it read, and where each argument is rendered from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallData {
    /// Guest memory read at the call's entry.
    pub entry: Capture,
    /// Guest memory read at the call's exit.
    pub exit: Capture,
    /// Per argument register (in the call's own order).
    pub args_at: [ArgAt; 6],
    /// For an exec that succeeded: the new program's ABI and initial stack pointer.
    pub new_image: Option<(Abi, u64)>,
    /// What the call's descriptors named (`--decode-fds`), when asked for and any is known.
    pub fd_names: Option<Box<FdNames>>,
}

/// What a call's descriptors named (`--decode-fds`, strace's `-y`): taken on the vCPU from the
/// modules' handle tables as shared strings (a reference count, no copy), rendered by the journal as
/// `3</etc/fstab>`. `None` where the name is unknown (the descriptor is printed bare).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FdNames {
    /// Per argument register (the call's own order): what the descriptor in it named when the call
    /// was made.
    pub args: [Option<std::sync::Arc<str>>; 6],
    /// What the descriptor the call returned names.
    pub ret: Option<std::sync::Arc<str>>,
}

impl FdNames {
    /// Whether no name is known.
    pub fn is_empty(&self) -> bool {
        self.ret.is_none() && self.args.iter().all(Option::is_none)
    }
}

/// One system call, from entry to exit, as typed values and captured guest memory; its strace-style
/// text is rendered from these by a [`CallRender`] (on the journal's writer thread).
#[derive(Debug, Clone, PartialEq)]
pub struct SyscallEvent {
    /// Nanoseconds since tracing started, at entry.
    pub ts: u64,
    /// Nanoseconds since tracing started, at exit (`None` when it did not return).
    pub ts_exit: Option<u64>,
    /// vCPU of the entry.
    pub vcpu: u32,
    /// The calling thread.
    pub thread: ThreadCtx,
    /// ABI, deciding the table.
    pub abi: Abi,
    /// The instruction that entered the kernel.
    pub entry: EntryKind,
    /// The syscall number.
    pub nr: u64,
    /// The call's identity (for a multiplexer such as i386's `socketcall`, the call it stands for);
    /// `None` for numbers the table lacks.
    pub call: Option<CallId>,
    /// The call's name (`""` for numbers the table lacks: rendered `syscall_0x…`).
    pub name: &'static str,
    /// The argument values (for a multiplexer, the arguments of the call it stands for; 0 for the
    /// registers the call does not take, which are not read).
    pub raw: [u64; 6],
    /// The return value (sign-extended for i386), `None` when it did not return.
    pub ret: Option<i64>,
    /// How the call ended.
    pub end: CallEnd,
    /// What its rendering needs.
    pub data: CallData,
    /// The user-space call stack at the entry, innermost first (`None` unless stacks are asked for).
    pub stack: Option<Box<[Frame]>>,
}

impl SyscallEvent {
    /// An event with nothing in it yet, to be filled at a call's entry.
    pub fn blank() -> Self {
        SyscallEvent {
            ts: 0,
            ts_exit: None,
            vcpu: 0,
            thread: ThreadCtx::default(),
            abi: Abi::X86_64,
            entry: crate::arch::EntryKind::Syscall,
            nr: 0,
            call: None,
            name: "",
            raw: [0; 6],
            ret: None,
            end: CallEnd::Unfinished,
            data: CallData::default(),
            stack: None,
        }
    }

    /// Makes this event [`SyscallEvent::blank`] again for another call, keeping its capture buffers
    /// (up to [`spares::KEEP_CAPTURE`] bytes each) so the next call's reads need no allocation.
    pub fn reset(&mut self) {
        let (mut entry, mut exit) = (
            std::mem::take(&mut self.data.entry),
            std::mem::take(&mut self.data.exit),
        );
        entry.clear(spares::KEEP_CAPTURE);
        exit.clear(spares::KEEP_CAPTURE);
        *self = SyscallEvent {
            data: CallData {
                entry,
                exit,
                ..CallData::default()
            },
            ..SyscallEvent::blank()
        };
    }

    /// Whether the call returned successfully (a value outside `-4095..=-1`).
    pub fn ok(&self) -> bool {
        self.end == CallEnd::Returned && self.ret.is_some_and(|r| !(-4095..=-1).contains(&r))
    }

    /// The successful return value.
    pub fn ret_ok(&self) -> Option<i64> {
        self.ret.filter(|_| self.ok())
    }
}

/// A call's rendering: its name, its arguments as strace prints them, and its return value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderedCall {
    /// `openat`, or `syscall_0x1bad` for a number the table lacks.
    pub name: String,
    /// The arguments joined by `", "`, as they appear between the parentheses.
    pub args: String,
    /// Where each argument ends in [`RenderedCall::args`].
    pub ends: Vec<usize>,
    /// The return value as strace prints it after `= ` (`3`, `-1 ENOENT (…)`, `?`).
    pub ret: String,
    /// The descriptors among the arguments whose names are known (`--decode-fds`), in order.
    pub fds: Vec<FdAt>,
    /// The name of the descriptor returned, and where in [`RenderedCall::ret`] it goes (after the
    /// number).
    pub ret_fd: Option<(usize, std::sync::Arc<str>)>,
}

/// A named descriptor among a rendered call's arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FdAt {
    /// Which argument of [`RenderedCall::arg_list`].
    pub arg: usize,
    /// Where in [`RenderedCall::args`] the name goes (just after the descriptor's number).
    pub at: usize,
    /// What the descriptor names.
    pub name: std::sync::Arc<str>,
}

impl RenderedCall {
    /// Empties it for reuse (keeping its buffers).
    pub fn clear(&mut self) {
        self.name.clear();
        self.args.clear();
        self.ends.clear();
        self.ret.clear();
        self.fds.clear();
        self.ret_fd = None;
    }

    /// The arguments with each named descriptor followed by its name (`3</etc/fstab>`), the name
    /// written by `name` (the renderer's quoting), into `out`.
    pub fn args_with_fds(&self, out: &mut String, name: impl Fn(&str, &mut String)) {
        let mut from = 0;
        for f in &self.fds {
            let Some(part) = self.args.get(from..f.at) else {
                break;
            };
            out.push_str(part);
            name(&f.name, out);
            from = f.at;
        }
        out.push_str(self.args.get(from..).unwrap_or(""));
    }

    /// The return value with the returned descriptor's name after its number, into `out`.
    pub fn ret_with_fd(&self, out: &mut String, name: impl Fn(&str, &mut String)) {
        match &self.ret_fd {
            Some((at, n)) if self.ret.is_char_boundary(*at) && *at <= self.ret.len() => {
                out.push_str(&self.ret[..*at]);
                name(n, out);
                out.push_str(&self.ret[*at..]);
            }
            _ => out.push_str(&self.ret),
        }
    }

    /// Each argument's text.
    pub fn arg_list(&self) -> impl Iterator<Item = &str> {
        let mut start = 0;
        self.ends.iter().map(move |&end| {
            let s = self.args.get(start..end).unwrap_or("");
            start = end + 2;
            s
        })
    }
}

/// Renders syscall events as text (the OS layer knows how). Runs wherever the text is needed — the
/// journal's writer thread, a library module's conversion — never on the hot path of a vCPU.
pub trait CallRender: Send + Sync {
    /// Renders `ev` into `out` (cleared first).
    fn render(&self, ev: &SyscallEvent, out: &mut RenderedCall);

    /// Writes a descriptor's name as it follows the descriptor in a text line (`<name>`, quoted as
    /// the renderer's tracer would). Default: the name between angle brackets as it is.
    fn fd_name(&self, name: &str, out: &mut String) {
        out.push('<');
        out.push_str(name);
        out.push('>');
    }
}

/// Some of a call's arguments as the call's decoder renders them (a file event's flags and mode):
/// kept as values, made text only where text is needed (the journal's writer), by the OS layer's
/// renderer.
#[derive(Clone, Copy)]
pub struct ArgsText {
    /// The call's ABI.
    pub abi: Abi,
    /// Its number.
    pub nr: u64,
    /// Its identity (for a multiplexer, the call it stood for).
    pub call: Option<CallId>,
    /// Its arguments.
    pub raw: [u64; 6],
    /// The indices of the arguments to render, joined by `", "` (`u8::MAX`: none).
    pub which: [u8; 2],
    /// The OS layer's renderer (register values only: no guest memory).
    pub render: fn(&ArgsText, &mut String),
}

impl ArgsText {
    /// The text.
    pub fn text(&self) -> String {
        let mut s = String::new();
        (self.render)(self, &mut s);
        s
    }
}

impl std::fmt::Debug for ArgsText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.text())
    }
}

impl PartialEq for ArgsText {
    fn eq(&self, other: &Self) -> bool {
        self.text() == other.text()
    }
}

impl Eq for ArgsText {}

impl Serialize for ArgsText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text())
    }
}

/// A message from the framework or a module about itself (a module disabled, a degraded feature).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    /// Nanoseconds since tracing started.
    pub ts: u64,
    /// The module or component concerned.
    pub source: String,
    /// How serious.
    pub level: Level,
    /// One line of text.
    pub message: String,
}

/// How serious a [`Notice`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// For information.
    Info,
    /// Something is degraded.
    Warning,
    /// Something failed.
    Error,
}

impl Level {
    /// `info`, `warning` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
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
    /// [`Event::Memory`].
    Memory = 6,
    /// [`Event::Maps`].
    Maps = 7,
    /// [`Event::Image`].
    Image = 8,
    /// [`Event::Net`] and [`Event::Connection`].
    Net = 9,
    /// [`Event::Switch`].
    Switch = 10,
    /// [`Event::SchedSummary`].
    SchedSummary = 11,
    /// [`Event::Device`].
    Device = 12,
    /// [`Event::DeviceSummary`].
    DeviceSummary = 13,
    /// [`Event::Coverage`].
    Coverage = 14,
}

/// An event on the bus.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// A system call.
    Syscall(Box<SyscallEvent>),
    /// A notice.
    Notice(Notice),
    /// A process or thread lifecycle event.
    Process(Box<ProcessEvent>),
    /// A file operation.
    File(FileEvent),
    /// A module-defined event (alerts, events of modules loaded from libraries).
    Custom(CustomEvent),
    /// Every process and thread at one moment.
    ProcessList(ProcessList),
    /// A change of an address space.
    Memory(Box<MemoryEvent>),
    /// A whole address space at one moment.
    Maps(Box<MapsSnapshot>),
    /// An ELF image loaded or unloaded.
    Image(Box<ImageEvent>),
    /// A socket operation.
    Net(Box<NetEvent>),
    /// One socket's life, at the end of tracing.
    Connection(Box<Connection>),
    /// A vCPU starts running another thread.
    Switch(SwitchEvent),
    /// A thread's time on each vCPU.
    SchedSummary(Box<SchedSummary>),
    /// One device access.
    Device(Box<DeviceEvent>),
    /// A device's accesses over the run.
    DeviceSummary(Box<DeviceSummary>),
    /// A coverage file written.
    Coverage(Box<CoverageEvent>),
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
            Event::Memory(_) => EventKind::Memory,
            Event::Maps(_) => EventKind::Maps,
            Event::Image(_) => EventKind::Image,
            Event::Switch(_) => EventKind::Switch,
            Event::SchedSummary(_) => EventKind::SchedSummary,
            Event::Device(_) => EventKind::Device,
            Event::DeviceSummary(_) => EventKind::DeviceSummary,
            Event::Coverage(_) => EventKind::Coverage,
            Event::Net(_) | Event::Connection(_) => EventKind::Net,
        }
    }

    /// The module that produces a record kind (the kinds the C ABI carries as named fields since
    /// 1.1); `None` for the kinds it has structures for.
    pub fn record_module(&self) -> Option<&'static str> {
        match self {
            Event::Syscall(_)
            | Event::Notice(_)
            | Event::Process(_)
            | Event::File(_)
            | Event::Custom(_)
            | Event::ProcessList(_) => None,
            Event::Memory(_) | Event::Maps(_) => Some("memory"),
            Event::Image(_) => Some("images"),
            Event::Net(_) | Event::Connection(_) => Some("network"),
            Event::Switch(_) | Event::SchedSummary(_) => Some("sched"),
            Event::Device(_) | Event::DeviceSummary(_) => Some("devices"),
            Event::Coverage(_) => Some("coverage"),
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
            Event::Memory(_) => "memory",
            Event::Maps(_) => "maps",
            Event::Image(_) => "image",
            Event::Switch(_) => "switch",
            Event::SchedSummary(_) => "sched_summary",
            Event::Device(_) => "device",
            Event::DeviceSummary(_) => "device_summary",
            Event::Coverage(_) => "coverage",
            Event::Net(_) => "net",
            Event::Connection(_) => "connection",
        }
    }
}

/// The fields of an event but a system call, as its journal line has them after `type`
/// (serialize it; a system call serializes as nothing: the journal writes those by hand).
pub struct Body<'a>(pub &'a Event);

impl Serialize for Body<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Event::Syscall(_) => ().serialize(s),
            Event::Notice(n) => n.serialize(s),
            Event::Process(p) => p.serialize(s),
            Event::File(f) => f.serialize(s),
            Event::Custom(c) => c.serialize(s),
            Event::ProcessList(l) => l.serialize(s),
            Event::Memory(m) => m.serialize(s),
            Event::Maps(m) => m.serialize(s),
            Event::Image(i) => i.serialize(s),
            Event::Net(n) => n.serialize(s),
            Event::Connection(c) => c.serialize(s),
            Event::Switch(w) => w.serialize(s),
            Event::SchedSummary(w) => w.serialize(s),
            Event::Device(d) => d.serialize(s),
            Event::DeviceSummary(d) => d.serialize(s),
            Event::Coverage(c) => c.serialize(s),
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

    /// This set and `other`'s kinds.
    pub const fn union(self, other: EventMask) -> Self {
        EventMask(self.0 | other.0)
    }

    /// This set without `other`'s kinds.
    pub const fn without(self, other: EventMask) -> Self {
        EventMask(self.0 & !other.0)
    }

    /// Whether `kind` is in the set.
    pub const fn contains(self, kind: EventKind) -> bool {
        self.0 & (1 << kind as u8) != 0
    }
}

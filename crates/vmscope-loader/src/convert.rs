//! Events as plain C structures: a core [`Event`] copied into an arena of C strings and arrays that
//! lives for one callback. Only types of `vmscope-abi` cross the line.

use std::ffi::{CString, c_char};
use std::ptr;

use vmscope_abi as abi;
use vmscope_core::arch::EntryKind;
use vmscope_core::event::{
    Abi, Body, CallEnd, CallRender, CustomEvent, Event, EventKind, EventMask, FieldValue,
    FileAccess, FileEvent, FileSummary, ProcessEvent, ProcessList, ProcessOp, RenderedCall, Seen,
    SyscallEvent, ThreadCtx,
};

/// The ABI's number for a core event kind.
pub fn abi_kind(kind: EventKind) -> u32 {
    match kind {
        EventKind::Syscall => abi::KIND_SYSCALL,
        EventKind::Notice => abi::KIND_NOTICE,
        EventKind::Process => abi::KIND_PROCESS,
        EventKind::File => abi::KIND_FILE,
        EventKind::Custom => abi::KIND_CUSTOM,
        EventKind::ProcessList => abi::KIND_PROCESS_LIST,
        // Every kind added after ABI 1.0 reaches modules as named fields.
        _ => abi::KIND_RECORD,
    }
}

/// The kinds ABI 1.0 has structures for.
const STRUCTURED: [EventKind; 6] = [
    EventKind::Syscall,
    EventKind::Notice,
    EventKind::Process,
    EventKind::File,
    EventKind::Custom,
    EventKind::ProcessList,
];

/// The core kinds in an ABI mask (bits the ABI does not know are ignored; the loader refuses them).
/// [`abi::KIND_RECORD`] stands for every kind without a structure of its own, present and future.
pub fn core_kinds(mask: u64) -> EventMask {
    let structured = STRUCTURED
        .into_iter()
        .fold(EventMask::NONE, EventMask::with);
    let mut m = STRUCTURED
        .into_iter()
        .filter(|k| mask & abi::kind_bit(abi_kind(*k)) != 0)
        .fold(EventMask::NONE, EventMask::with);
    if mask & abi::kind_bit(abi::KIND_RECORD) != 0 {
        m = m.union(EventMask::ALL.without(structured));
    }
    m
}

/// One event as C structures, with everything its pointers point to.
pub struct CEvent {
    strings: Vec<CString>,
    ptr_lists: Vec<Vec<*const c_char>>,
    u64_lists: Vec<Vec<u64>>,
    u32_lists: Vec<Vec<u32>>,
    entries: Vec<Vec<abi::ProcessEntry>>,
    fields: Vec<Vec<abi::Field>>,
    syscall: Option<Box<abi::Syscall>>,
    notice: Option<Box<abi::Notice>>,
    process: Option<Box<abi::Process>>,
    file: Option<Box<abi::File>>,
    file_summary: Option<Box<abi::FileSummary>>,
    custom: Option<Box<abi::Custom>>,
    process_list: Option<Box<abi::ProcessList>>,
    record: Option<Box<abi::Record>>,
    event: abi::Event,
}

impl CEvent {
    /// The event to hand to a module; valid while `self` is.
    pub fn as_abi(&self) -> &abi::Event {
        &self.event
    }

    fn empty(kind: u32, ts: u64) -> Self {
        Self {
            strings: Vec::new(),
            ptr_lists: Vec::new(),
            u64_lists: Vec::new(),
            u32_lists: Vec::new(),
            entries: Vec::new(),
            fields: Vec::new(),
            syscall: None,
            notice: None,
            process: None,
            file: None,
            file_summary: None,
            custom: None,
            process_list: None,
            record: None,
            event: abi::Event {
                kind,
                reserved: 0,
                ts,
                type_: ptr::null(),
                syscall: ptr::null(),
                notice: ptr::null(),
                process: ptr::null(),
                file: ptr::null(),
                file_summary: ptr::null(),
                custom: ptr::null(),
                process_list: ptr::null(),
                record: ptr::null(),
            },
        }
    }

    /// A C string (an interior NUL, which guest data may hold, becomes U+FFFD).
    fn s(&mut self, text: &str) -> *const c_char {
        let c = CString::new(text)
            .unwrap_or_else(|_| CString::new(text.replace('\0', "\u{fffd}")).unwrap_or_default());
        // The CString's heap buffer does not move when the vector grows.
        let p = c.as_ptr();
        self.strings.push(c);
        p
    }

    fn opt(&mut self, text: Option<&str>) -> *const c_char {
        text.map_or(ptr::null(), |t| self.s(t))
    }

    /// `n` strings followed by a null pointer.
    fn list<S: AsRef<str>>(&mut self, items: &[S]) -> (*const *const c_char, usize) {
        let mut v: Vec<*const c_char> = items.iter().map(|i| self.s(i.as_ref())).collect();
        v.push(ptr::null());
        let p = v.as_ptr();
        self.ptr_lists.push(v);
        (p, items.len())
    }

    fn u64s(&mut self, items: &[u64]) -> (*const u64, usize) {
        let v = items.to_vec();
        let p = v.as_ptr();
        self.u64_lists.push(v);
        (p, items.len())
    }

    fn u32s(&mut self, items: &[u32]) -> (*const u32, usize) {
        let v = items.to_vec();
        let p = v.as_ptr();
        self.u32_lists.push(v);
        (p, items.len())
    }

    fn thread(&mut self, t: &ThreadCtx) -> abi::Thread {
        abi::Thread {
            pid: t.pid.map_or(-1, i64::from),
            tid: t.tid.map_or(-1, i64::from),
            comm: self.opt(t.comm.as_deref()),
            task: t.task,
            asid: t.asid,
        }
    }
}

/// Copies `ev` into C structures; `None` for an event kind the ABI does not carry.
/// System calls are rendered by `calls` (the ABI hands modules strace's text).
pub fn to_c(ev: &Event, calls: &dyn CallRender) -> Option<CEvent> {
    let mut c = CEvent::empty(abi_kind(ev.kind()), 0);
    c.event.type_ = c.s(ev.type_name());
    match ev {
        Event::Syscall(s) => {
            let mut r = RenderedCall::default();
            calls.render(s, &mut r);
            syscall(&mut c, s, &r);
        }
        Event::Notice(n) => {
            c.event.ts = n.ts;
            let body = Box::new(abi::Notice {
                source: c.s(&n.source),
                level: c.s(n.level.as_str()),
                message: c.s(&n.message),
            });
            c.event.notice = &*body;
            c.notice = Some(body);
        }
        Event::Process(p) => process(&mut c, p),
        Event::File(FileEvent::Access(a)) => file(&mut c, a),
        Event::File(FileEvent::Summary(s)) => file_summary(&mut c, s),
        Event::Custom(x) => custom(&mut c, x),
        Event::ProcessList(l) => process_list(&mut c, l),
        _ => record(&mut c, ev)?,
    }
    Some(c)
}

fn syscall(c: &mut CEvent, s: &SyscallEvent, r: &RenderedCall) {
    c.event.ts = s.ts;
    let thread = c.thread(&s.thread);
    let args: Vec<&str> = r.arg_list().collect();
    let (args, n_args) = c.list(&args);
    let (raw, n_raw) = c.u64s(&s.raw);
    let body = Box::new(abi::Syscall {
        thread,
        vcpu: s.vcpu,
        abi: match s.abi {
            Abi::X86_64 => abi::SYSCALL_ABI_X86_64,
            Abi::I386 => abi::SYSCALL_ABI_I386,
            Abi::Aarch64 => abi::SYSCALL_ABI_AARCH64,
        },
        entry: match s.entry {
            EntryKind::Syscall => abi::ENTRY_SYSCALL,
            EntryKind::Int80 => abi::ENTRY_INT80,
            EntryKind::Sysenter => abi::ENTRY_SYSENTER,
            EntryKind::Svc => abi::ENTRY_SVC,
        },
        end: match s.end {
            CallEnd::Returned => abi::END_RETURNED,
            CallEnd::NoReturn => abi::END_NO_RETURN,
            CallEnd::Unfinished => abi::END_UNFINISHED,
        },
        nr: s.nr,
        name: c.s(&r.name),
        args,
        n_args,
        raw,
        n_raw,
        ret: s.ret.unwrap_or(0),
        ret_text: c.s(&r.ret),
        ts_exit: s.ts_exit.unwrap_or(0),
    });
    c.event.syscall = &*body;
    c.syscall = Some(body);
}

fn process(c: &mut CEvent, p: &ProcessEvent) {
    c.event.ts = p.ts;
    let (argv, argc) = match &p.argv {
        Some(a) => c.list(a),
        None => (ptr::null(), 0),
    };
    let mut has = 0;
    if p.code.is_some() {
        has |= abi::PROCESS_HAS_CODE;
    }
    if p.core_dumped.is_some() {
        has |= abi::PROCESS_HAS_CORE_DUMPED;
    }
    let op = match p.op {
        ProcessOp::Fork => "fork",
        ProcessOp::Exec => "exec",
        ProcessOp::Exit | ProcessOp::ThreadExit => "exit",
        ProcessOp::ThreadStart => "start",
    };
    let seen = match p.seen {
        Seen::Call => "call",
        Seen::FirstCall => "first_call",
        Seen::Wait => "wait",
    };
    let body = Box::new(abi::Process {
        pid: p.pid.map_or(-1, i64::from),
        tid: p.tid.map_or(-1, i64::from),
        ppid: p.ppid.map_or(-1, i64::from),
        vcpu: p.vcpu,
        has,
        op: c.s(op),
        comm: c.opt(p.comm.as_deref()),
        path: c.opt(p.path.as_deref()),
        filename: c.opt(p.filename.as_deref()),
        argv,
        argc,
        code: p.code.unwrap_or(0),
        signal: c.opt(p.signal.as_deref()),
        core_dumped: i32::from(p.core_dumped.unwrap_or(false)),
        reserved: 0,
        syscall: c.opt(p.syscall),
        seen: c.s(seen),
    });
    c.event.process = &*body;
    c.process = Some(body);
}

fn file(c: &mut CEvent, a: &FileAccess) {
    c.event.ts = a.ts;
    let mut has = 0;
    for (present, bit) in [
        (a.fd.is_some(), abi::FILE_HAS_FD),
        (a.bytes.is_some(), abi::FILE_HAS_BYTES),
        (a.offset.is_some(), abi::FILE_HAS_OFFSET),
        (a.length.is_some(), abi::FILE_HAS_LENGTH),
        (a.hashed_bytes.is_some(), abi::FILE_HAS_HASHED_BYTES),
        (a.unhashed_bytes.is_some(), abi::FILE_HAS_UNHASHED_BYTES),
    ] {
        if present {
            has |= bit;
        }
    }
    let thread = c.thread(&a.thread);
    let body = Box::new(abi::File {
        thread,
        vcpu: a.vcpu,
        has,
        op: c.s(a.op.as_str()),
        fd: a.fd.unwrap_or(-1),
        path: c.opt(a.path.as_deref()),
        new_path: c.opt(a.new_path.as_deref()),
        bytes: a.bytes.unwrap_or(0),
        offset: a.offset.unwrap_or(0),
        length: a.length.unwrap_or(0),
        flags: c.opt(a.flags.map(|f| f.text()).as_deref()),
        error: c.opt(a.error.as_deref()),
        data: c.opt(a.data.as_deref()),
        sha256: c.opt(a.sha256.as_deref()),
        hashed_bytes: a.hashed_bytes.unwrap_or(0),
        unhashed_bytes: a.unhashed_bytes.unwrap_or(0),
    });
    c.event.file = &*body;
    c.file = Some(body);
}

fn file_summary(c: &mut CEvent, s: &FileSummary) {
    c.event.ts = s.ts;
    let (opened_by, n_opened_by) = c.u32s(&s.opened_by);
    let (read_by, n_read_by) = c.u32s(&s.read_by);
    let (written_by, n_written_by) = c.u32s(&s.written_by);
    let (renamed_by, n_renamed_by) = c.u32s(&s.renamed_by);
    let (deleted_by, n_deleted_by) = c.u32s(&s.deleted_by);
    let body = Box::new(abi::FileSummary {
        path: c.s(&s.path),
        bytes_read: s.bytes_read,
        bytes_written: s.bytes_written,
        opened_by,
        n_opened_by,
        read_by,
        n_read_by,
        written_by,
        n_written_by,
        renamed_by,
        n_renamed_by,
        deleted_by,
        n_deleted_by,
    });
    c.event.file_summary = &*body;
    c.file_summary = Some(body);
}

fn custom(c: &mut CEvent, x: &CustomEvent) {
    c.event.ts = x.ts;
    let fields: Vec<abi::Field> = x
        .fields
        .iter()
        .map(|(name, v)| abi::Field {
            name: c.s(name),
            value: match v {
                FieldValue::Null => value(abi::VALUE_NULL, abi::ValueUnion { u: 0 }),
                FieldValue::Bool(b) => value(abi::VALUE_BOOL, abi::ValueUnion { b: i32::from(*b) }),
                FieldValue::Int(i) => value(abi::VALUE_INT, abi::ValueUnion { i: *i }),
                FieldValue::UInt(u) => value(abi::VALUE_UINT, abi::ValueUnion { u: *u }),
                FieldValue::Str(t) => value(abi::VALUE_STR, abi::ValueUnion { s: c.s(t) }),
            },
        })
        .collect();
    let (fp, n) = (fields.as_ptr(), fields.len());
    c.fields.push(fields);
    let body = Box::new(abi::Custom {
        module: c.s(&x.module),
        fields: fp,
        n_fields: n,
    });
    c.event.custom = &*body;
    c.custom = Some(body);
}

/// A record kind: the fields of its journal line (through the same serde structures), `ts` moved
/// to the event; `None` when it does not serialize to an object.
fn record(c: &mut CEvent, ev: &Event) -> Option<()> {
    let serde_json::Value::Object(body) = serde_json::to_value(Body(ev)).ok()? else {
        return None;
    };
    let mut fields = Vec::with_capacity(body.len());
    for (name, v) in &body {
        if name == "ts" {
            c.event.ts = v.as_u64().unwrap_or(0);
            continue;
        }
        let value = match v {
            serde_json::Value::Null => value(abi::VALUE_NULL, abi::ValueUnion { u: 0 }),
            serde_json::Value::Bool(b) => {
                value(abi::VALUE_BOOL, abi::ValueUnion { b: i32::from(*b) })
            }
            serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => value(abi::VALUE_INT, abi::ValueUnion { i }),
                (None, Some(u)) => value(abi::VALUE_UINT, abi::ValueUnion { u }),
                // A float: its JSON text.
                _ => value(
                    abi::VALUE_JSON,
                    abi::ValueUnion {
                        s: c.s(&n.to_string()),
                    },
                ),
            },
            serde_json::Value::String(t) => value(abi::VALUE_STR, abi::ValueUnion { s: c.s(t) }),
            other => value(
                abi::VALUE_JSON,
                abi::ValueUnion {
                    s: c.s(&other.to_string()),
                },
            ),
        };
        fields.push(abi::Field {
            name: c.s(name),
            value,
        });
    }
    let (fp, n) = (fields.as_ptr(), fields.len());
    c.fields.push(fields);
    let body = Box::new(abi::Record {
        module: c.s(ev.record_module().unwrap_or("vmscope")),
        fields: fp,
        n_fields: n,
    });
    c.event.record = &*body;
    c.record = Some(body);
    Some(())
}

fn value(kind: u32, as_: abi::ValueUnion) -> abi::Value {
    abi::Value {
        kind,
        reserved: 0,
        as_,
    }
}

fn process_list(c: &mut CEvent, l: &ProcessList) {
    c.event.ts = l.ts;
    let entries: Vec<abi::ProcessEntry> = l
        .processes
        .iter()
        .map(|p| abi::ProcessEntry {
            pid: p.pid,
            kernel_thread: i32::from(p.kernel_thread),
            ppid: p.ppid.map_or(-1, i64::from),
            comm: c.s(&p.comm),
            state: c.opt(p.state.as_deref()),
            n_threads: p.threads.len(),
        })
        .collect();
    let (ep, n) = (entries.as_ptr(), entries.len());
    c.entries.push(entries);
    let body = Box::new(abi::ProcessList {
        when: c.s(l.when.as_str()),
        source: c.s(l.source.as_str()),
        complete: i32::from(l.complete),
        reserved: 0,
        processes: ep,
        n_processes: n,
    });
    c.event.process_list = &*body;
    c.process_list = Some(body);
}

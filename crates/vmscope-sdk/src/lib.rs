//! vmscope-sdk: a vmscope module in Rust is a `cdylib` with an implementation of [`Module`] and one
//! [`export_module!`] call.
//!
//! ```ignore
//! use vmscope_sdk::{Event, Host, Kind, Module, Value};
//!
//! #[derive(Default)]
//! struct Hello;
//! impl Module for Hello {
//!     const NAME: &'static str = "hello";
//!     const DEPENDS: &'static [&'static str] = &["files"];
//!     const CONSUMES: &'static [Kind] = &[Kind::File];
//!     fn new() -> Self { Hello }
//!     fn on_event(&self, ev: &Event<'_>, host: &mut Host<'_>) -> Result<(), String> {
//!         if let Some(f) = ev.file() {
//!             host.publish("hello", &[("path", Value::Str(f.path().unwrap_or("?")))])?;
//!         }
//!         Ok(())
//!     }
//! }
//! vmscope_sdk::export_module!(Hello);
//! ```
//!
//! The macro exports the two symbols of the C ABI (`vmscope-abi`, `include/vmscope.h`). Events
//! arrive as borrowed views of the C structures (nothing is copied until you ask). Every call from
//! vmscope into the module runs under `catch_unwind`: a panic, like an `Err`, is reported once and
//! the module is disabled; the guest and the other modules go on. `on_event` may run on several
//! vCPU threads at once, hence `&self` and `Sync`.

use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};

pub use vmscope_abi as abi;

/// An event kind a module can consume.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// System calls (`syscalls` module).
    Syscall,
    /// Notices.
    Notice,
    /// Process and thread lifecycle (`processes` module).
    Process,
    /// File operations and summaries (`files` module).
    File,
    /// Events modules defined (alerts...).
    Custom,
    /// Process lists.
    ProcessList,
    /// The kinds added after ABI 1.0, as named fields (`memory`, `maps`, `image`, `net`...;
    /// [`Event::type_name`] says which).
    Record,
}

impl Kind {
    /// The ABI's number.
    pub fn abi(self) -> u32 {
        match self {
            Kind::Syscall => abi::KIND_SYSCALL,
            Kind::Notice => abi::KIND_NOTICE,
            Kind::Process => abi::KIND_PROCESS,
            Kind::File => abi::KIND_FILE,
            Kind::Custom => abi::KIND_CUSTOM,
            Kind::ProcessList => abi::KIND_PROCESS_LIST,
            Kind::Record => abi::KIND_RECORD,
        }
    }

    fn from_abi(k: u32) -> Option<Self> {
        [
            Kind::Syscall,
            Kind::Notice,
            Kind::Process,
            Kind::File,
            Kind::Custom,
            Kind::ProcessList,
            Kind::Record,
        ]
        .into_iter()
        .find(|x| x.abi() == k)
    }
}

/// A vmscope module written in Rust.
pub trait Module: Send + Sync + Sized + 'static {
    /// The module's name (`[a-z0-9_-]{1,32}`).
    const NAME: &'static str;
    /// Modules whose events this one needs (built-in or loaded from libraries).
    const DEPENDS: &'static [&'static str] = &[];
    /// The event kinds it receives.
    const CONSUMES: &'static [Kind];

    /// Makes the module (at load; must have no effect outside the module's memory).
    fn new() -> Self;

    /// An option `--module-option NAME.KEY=VALUE`, before any event. An `Err` stops vmscope
    /// before the guest starts, with its text.
    fn configure(&mut self, key: &str, _value: &str) -> Result<(), String> {
        Err(format!("unknown option `{key}`"))
    }

    /// An event of a consumed kind. An `Err` (or a panic) disables the module.
    fn on_event(&self, _event: &Event<'_>, _host: &mut Host<'_>) -> Result<(), String> {
        Ok(())
    }

    /// Tracing stops; what is published now still reaches the journal.
    fn on_stop(&self, _host: &mut Host<'_>) -> Result<(), String> {
        Ok(())
    }
}

/// A C string as text; `None` for null or non-UTF-8.
///
/// # Safety
/// `p` is null or NUL-terminated and lives for `'a`.
unsafe fn text<'a>(p: *const c_char) -> Option<&'a str> {
    if p.is_null() {
        return None;
    }
    // SAFETY: by the caller.
    unsafe { CStr::from_ptr(p) }.to_str().ok()
}

/// # Safety
/// `p` points to `n` valid `T`s living for `'a`, or `n == 0`.
unsafe fn slice<'a, T>(p: *const T, n: usize) -> &'a [T] {
    if p.is_null() || n == 0 {
        &[]
    } else {
        // SAFETY: by the caller.
        unsafe { std::slice::from_raw_parts(p, n) }
    }
}

/// # Safety
/// `p` points to `n` C strings living for `'a`.
unsafe fn strings<'a>(p: *const *const c_char, n: usize) -> Vec<&'a str> {
    // SAFETY: by the caller.
    unsafe { slice(p, n) }
        .iter()
        // SAFETY: by the caller.
        .map(|s| unsafe { text(*s) }.unwrap_or(""))
        .collect()
}

fn opt_id(v: i64) -> Option<u32> {
    u32::try_from(v).ok()
}

/// The guest thread an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thread<'a> {
    /// Process id.
    pub pid: Option<u32>,
    /// Thread id.
    pub tid: Option<u32>,
    /// Command name.
    pub comm: Option<&'a str>,
}

impl Thread<'_> {
    fn from(t: &abi::Thread) -> Self {
        Thread {
            pid: opt_id(t.pid),
            tid: opt_id(t.tid),
            // SAFETY: host strings live for the callback.
            comm: unsafe { text(t.comm) },
        }
    }
}

/// One event, borrowed for the callback.
#[derive(Clone, Copy)]
pub struct Event<'a> {
    raw: &'a abi::Event,
}

impl<'a> Event<'a> {
    /// A view of a host event.
    ///
    /// # Safety
    /// `raw` and everything it points to follow the ABI and live for `'a`.
    pub unsafe fn from_abi(raw: &'a abi::Event) -> Self {
        Event { raw }
    }

    /// Its kind (`None` for a kind newer than this SDK).
    pub fn kind(&self) -> Option<Kind> {
        Kind::from_abi(self.raw.kind)
    }

    /// Nanoseconds since tracing started.
    pub fn ts(&self) -> u64 {
        self.raw.ts
    }

    /// The journal's type (`syscall`, `file`, `alert`...).
    pub fn type_name(&self) -> &'a str {
        // SAFETY: host strings live for the callback.
        unsafe { text(self.raw.type_) }.unwrap_or("")
    }

    /// A file operation.
    pub fn file(&self) -> Option<File<'a>> {
        // SAFETY: non-null body pointers are valid for the callback.
        unsafe { self.raw.file.as_ref() }.map(|raw| File { raw })
    }

    /// A system call.
    pub fn syscall(&self) -> Option<Syscall<'a>> {
        // SAFETY: as above.
        unsafe { self.raw.syscall.as_ref() }.map(|raw| Syscall { raw })
    }

    /// A process or thread lifecycle event.
    pub fn process(&self) -> Option<Process<'a>> {
        // SAFETY: as above.
        unsafe { self.raw.process.as_ref() }.map(|raw| Process { raw })
    }

    /// A module-defined event.
    pub fn custom(&self) -> Option<Custom<'a>> {
        // SAFETY: as above.
        unsafe { self.raw.custom.as_ref() }.map(|raw| Custom { raw })
    }

    /// An event of a record kind (`memory`, `maps`, `image`, `net`...: [`Event::type_name`]).
    pub fn record(&self) -> Option<Record<'a>> {
        // SAFETY: as above.
        unsafe { self.raw.record.as_ref() }.map(|raw| Record { raw })
    }

    /// A notice: `(source, level, message)`.
    pub fn notice(&self) -> Option<(&'a str, &'a str, &'a str)> {
        // SAFETY: as above.
        let n = unsafe { self.raw.notice.as_ref() }?;
        // SAFETY: host strings live for the callback.
        unsafe {
            Some((
                text(n.source).unwrap_or(""),
                text(n.level).unwrap_or(""),
                text(n.message).unwrap_or(""),
            ))
        }
    }

    /// The raw C structure, for what the views do not cover.
    pub fn raw(&self) -> &'a abi::Event {
        self.raw
    }
}

/// A file operation (`type: "file"`).
#[derive(Clone, Copy)]
pub struct File<'a> {
    raw: &'a abi::File,
}

impl<'a> File<'a> {
    fn has(&self, bit: u32) -> bool {
        self.raw.has & bit != 0
    }
    /// The acting thread.
    pub fn thread(&self) -> Thread<'a> {
        Thread::from(&self.raw.thread)
    }
    /// `open`, `create`, `read`, `write`, `close`, `rename`...
    pub fn op(&self) -> &'a str {
        // SAFETY: host strings live for the callback.
        unsafe { text(self.raw.op) }.unwrap_or("")
    }
    /// The handle.
    pub fn fd(&self) -> Option<i64> {
        self.has(abi::FILE_HAS_FD).then_some(self.raw.fd)
    }
    /// The path.
    pub fn path(&self) -> Option<&'a str> {
        // SAFETY: as above.
        unsafe { text(self.raw.path) }
    }
    /// The new name (rename, link).
    pub fn new_path(&self) -> Option<&'a str> {
        // SAFETY: as above.
        unsafe { text(self.raw.new_path) }
    }
    /// Bytes moved (read, write).
    pub fn bytes(&self) -> Option<u64> {
        self.has(abi::FILE_HAS_BYTES).then_some(self.raw.bytes)
    }
    /// Flags as rendered.
    pub fn flags(&self) -> Option<&'a str> {
        // SAFETY: as above.
        unsafe { text(self.raw.flags) }
    }
    /// The errno name when the call failed.
    pub fn error(&self) -> Option<&'a str> {
        // SAFETY: as above.
        unsafe { text(self.raw.error) }
    }
    /// The vCPU.
    pub fn vcpu(&self) -> u32 {
        self.raw.vcpu
    }
}

/// A system call (`type: "syscall"`).
#[derive(Clone, Copy)]
pub struct Syscall<'a> {
    raw: &'a abi::Syscall,
}

impl<'a> Syscall<'a> {
    /// The calling thread.
    pub fn thread(&self) -> Thread<'a> {
        Thread::from(&self.raw.thread)
    }
    /// Its name.
    pub fn name(&self) -> &'a str {
        // SAFETY: host strings live for the callback.
        unsafe { text(self.raw.name) }.unwrap_or("")
    }
    /// Its number.
    pub fn nr(&self) -> u64 {
        self.raw.nr
    }
    /// Arguments as strace renders them.
    pub fn args(&self) -> Vec<&'a str> {
        // SAFETY: the host's array of `n_args` strings.
        unsafe { strings(self.raw.args, self.raw.n_args) }
    }
    /// Raw argument values.
    pub fn raw_args(&self) -> &'a [u64] {
        // SAFETY: the host's array of `n_raw` values.
        unsafe { slice(self.raw.raw, self.raw.n_raw) }
    }
    /// The return value, when the call returned.
    pub fn ret(&self) -> Option<i64> {
        (self.raw.end == abi::END_RETURNED).then_some(self.raw.ret)
    }
}

/// A process or thread event (`type: "process"` or `"thread"`).
#[derive(Clone, Copy)]
pub struct Process<'a> {
    raw: &'a abi::Process,
}

impl<'a> Process<'a> {
    /// `fork`, `exec`, `exit`, `start`.
    pub fn op(&self) -> &'a str {
        // SAFETY: host strings live for the callback.
        unsafe { text(self.raw.op) }.unwrap_or("")
    }
    /// The process.
    pub fn pid(&self) -> Option<u32> {
        opt_id(self.raw.pid)
    }
    /// The parent.
    pub fn ppid(&self) -> Option<u32> {
        opt_id(self.raw.ppid)
    }
    /// Command name.
    pub fn comm(&self) -> Option<&'a str> {
        // SAFETY: as above.
        unsafe { text(self.raw.comm) }
    }
    /// The program (exec).
    pub fn path(&self) -> Option<&'a str> {
        // SAFETY: as above.
        unsafe { text(self.raw.path) }
    }
    /// The arguments (exec).
    pub fn argv(&self) -> Option<Vec<&'a str>> {
        // SAFETY: the host's array of `argc` strings, or null.
        (!self.raw.argv.is_null()).then(|| unsafe { strings(self.raw.argv, self.raw.argc) })
    }
    /// Exit status.
    pub fn code(&self) -> Option<i64> {
        (self.raw.has & abi::PROCESS_HAS_CODE != 0).then_some(self.raw.code)
    }
}

/// A module-defined event.
#[derive(Clone, Copy)]
pub struct Custom<'a> {
    raw: &'a abi::Custom,
}

impl<'a> Custom<'a> {
    /// The module that published it.
    pub fn module(&self) -> &'a str {
        // SAFETY: host strings live for the callback.
        unsafe { text(self.raw.module) }.unwrap_or("")
    }
    /// Its fields, in order.
    pub fn fields(&self) -> Vec<(&'a str, Value<'a>)> {
        // SAFETY: the host's array of `n_fields` fields, living for the callback.
        unsafe { fields(self.raw.fields, self.raw.n_fields) }
    }
    /// One field by name.
    pub fn field(&self, name: &str) -> Option<Value<'a>> {
        find(self.fields(), name)
    }
}

/// An event of a record kind: the fields of its journal line but `type` and `ts`.
#[derive(Clone, Copy)]
pub struct Record<'a> {
    raw: &'a abi::Record,
}

impl<'a> Record<'a> {
    /// The module that produced it (`memory`, `images`...).
    pub fn module(&self) -> &'a str {
        // SAFETY: host strings live for the callback.
        unsafe { text(self.raw.module) }.unwrap_or("")
    }
    /// Its fields, in the journal's order (lists and objects as [`Value::Json`]).
    pub fn fields(&self) -> Vec<(&'a str, Value<'a>)> {
        // SAFETY: the host's array of `n_fields` fields, living for the callback.
        unsafe { fields(self.raw.fields, self.raw.n_fields) }
    }
    /// One field by name.
    pub fn field(&self, name: &str) -> Option<Value<'a>> {
        find(self.fields(), name)
    }
}

/// # Safety
/// `p` points to `n` fields following the ABI, living for `'a`.
unsafe fn fields<'a>(p: *const abi::Field, n: usize) -> Vec<(&'a str, Value<'a>)> {
    // SAFETY: by the caller.
    unsafe { slice(p, n) }
        .iter()
        .map(|f| {
            // SAFETY: host strings; the union member read is the one `kind` names.
            unsafe {
                let v = match f.value.kind {
                    abi::VALUE_BOOL => Value::Bool(f.value.as_.b != 0),
                    abi::VALUE_INT => Value::Int(f.value.as_.i),
                    abi::VALUE_UINT => Value::UInt(f.value.as_.u),
                    abi::VALUE_STR => Value::Str(text(f.value.as_.s).unwrap_or("")),
                    abi::VALUE_JSON => Value::Json(text(f.value.as_.s).unwrap_or("null")),
                    _ => Value::Null,
                };
                (text(f.name).unwrap_or(""), v)
            }
        })
        .collect()
}

fn find<'a>(fields: Vec<(&'a str, Value<'a>)>, name: &str) -> Option<Value<'a>> {
    fields.into_iter().find(|(k, _)| *k == name).map(|(_, v)| v)
}

/// A field value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// None.
    Null,
    /// A boolean.
    Bool(bool),
    /// A signed integer.
    Int(i64),
    /// An unsigned integer.
    UInt(u64),
    /// Text.
    Str(&'a str),
    /// A list or an object as JSON text (records only; modules cannot publish it).
    Json(&'a str),
}

/// A notice's level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Information.
    Info,
    /// Something degraded.
    Warning,
    /// Something failed.
    Error,
}

/// What the host lets a callback do: read the guest, publish, log.
pub struct Host<'a> {
    table: &'a abi::Host,
    ctx: *mut abi::Ctx,
}

impl Host<'_> {
    /// Reads guest virtual memory in the event's address space; `false` when unreadable.
    pub fn read_memory(&mut self, addr: u64, buf: &mut [u8]) -> bool {
        let Some(f) = self.table.read_memory else {
            return false;
        };
        // SAFETY: the host's function with our context and a writable buffer of that length.
        unsafe { f(self.ctx, addr, buf.as_mut_ptr().cast::<c_void>(), buf.len()) == abi::OK }
    }

    /// Reads a register of the event's vCPU by name (`rax`, `cr3`...).
    pub fn read_register(&mut self, name: &str) -> Option<u64> {
        let f = self.table.read_register?;
        let name = CString::new(name).ok()?;
        let mut v = 0u64;
        // SAFETY: the host's function with our context, a C string and an out value.
        (unsafe { f(self.ctx, name.as_ptr(), &mut v) } == abi::OK).then_some(v)
    }

    /// The event's vCPU (`None` at the end of tracing).
    pub fn vcpu(&mut self) -> Option<u32> {
        let f = self.table.vcpu?;
        // SAFETY: the host's function with our context.
        u32::try_from(unsafe { f(self.ctx) }).ok()
    }

    /// Publishes an event of this module's own type, to the journal and subscribed modules.
    pub fn publish(&mut self, type_name: &str, fields: &[(&str, Value<'_>)]) -> Result<(), String> {
        let f = self.table.publish.ok_or("the host cannot publish")?;
        let bad = |what: &str| format!("cannot publish `{type_name}`: {what} holds a NUL byte");
        let ty = CString::new(type_name).map_err(|_| bad("the type"))?;
        let mut keep: Vec<CString> = Vec::with_capacity(fields.len() * 2);
        let mut raw: Vec<abi::Field> = Vec::with_capacity(fields.len());
        for (k, v) in fields {
            let name = CString::new(*k).map_err(|_| bad("a field name"))?;
            let value = match v {
                Value::Null => abi::Value {
                    kind: abi::VALUE_NULL,
                    reserved: 0,
                    as_: abi::ValueUnion { u: 0 },
                },
                Value::Bool(b) => abi::Value {
                    kind: abi::VALUE_BOOL,
                    reserved: 0,
                    as_: abi::ValueUnion { b: i32::from(*b) },
                },
                Value::Int(i) => abi::Value {
                    kind: abi::VALUE_INT,
                    reserved: 0,
                    as_: abi::ValueUnion { i: *i },
                },
                Value::UInt(u) => abi::Value {
                    kind: abi::VALUE_UINT,
                    reserved: 0,
                    as_: abi::ValueUnion { u: *u },
                },
                Value::Json(_) => {
                    return Err(format!(
                        "event `{type_name}`: field `{k}` is JSON, which only vmscope's records carry"
                    ));
                }
                Value::Str(s) => {
                    let c = CString::new(*s).map_err(|_| bad("a string"))?;
                    let p = c.as_ptr();
                    keep.push(c);
                    abi::Value {
                        kind: abi::VALUE_STR,
                        reserved: 0,
                        as_: abi::ValueUnion { s: p },
                    }
                }
            };
            raw.push(abi::Field {
                name: name.as_ptr(),
                value,
            });
            keep.push(name);
        }
        // SAFETY: the host's function; every pointer lives until it returns (it copies).
        let rc = unsafe { f(self.ctx, ty.as_ptr(), raw.as_ptr(), raw.len()) };
        if rc == abi::OK {
            Ok(())
        } else {
            Err(format!(
                "vmscope refused event `{type_name}` (reserved or malformed type or field names)"
            ))
        }
    }

    /// Writes a notice to the journal.
    pub fn log(&mut self, level: Level, message: &str) {
        let (Some(f), Ok(m)) = (self.table.log, CString::new(message.replace('\0', " "))) else {
            return;
        };
        let level = match level {
            Level::Info => abi::LOG_INFO,
            Level::Warning => abi::LOG_WARNING,
            Level::Error => abi::LOG_ERROR,
        };
        // SAFETY: the host's function with our context and a C string.
        unsafe { f(self.ctx, level, m.as_ptr()) };
    }
}

/// What the SDK keeps for one module: the module and the C strings of its description.
struct State<M> {
    module: M,
    host: *const abi::Host,
    name: CString,
    _deps: Vec<CString>,
    dep_ptrs: Vec<*const c_char>,
}

fn write_error(buf: *mut c_char, size: usize, msg: &str) {
    if buf.is_null() || size == 0 {
        return;
    }
    let bytes = msg.as_bytes();
    let n = bytes.len().min(size - 1);
    // SAFETY: the host gave us `size` writable bytes at `buf`; we write `n + 1 <= size`.
    unsafe {
        std::ptr::copy_nonoverlapping(bytes.as_ptr().cast::<c_char>(), buf, n);
        *buf.add(n) = 0;
    }
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_string())
}

/// Runs a callback: a panic becomes an `Err` with its message.
fn guarded(f: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => Err(format!("panicked: {}", panic_text(&*p))),
    }
}

/// The init entry behind [`export_module!`].
///
/// # Safety
/// Called by vmscope with the arguments of `vmscope_module_init` (see `vmscope.h`).
pub unsafe fn init<M: Module>(
    host: *const abi::Host,
    desc: *mut abi::ModuleDesc,
    error: *mut c_char,
    error_size: usize,
) -> c_int {
    let r = guarded(|| {
        // SAFETY: the host hands valid pointers (checked for null).
        let (h, d) = unsafe { (host.as_ref(), desc.as_mut()) };
        let (Some(h), Some(d)) = (h, d) else {
            return Err("null host or module".into());
        };
        if abi::major(h.abi_version) != abi::ABI_MAJOR {
            return Err(format!(
                "built with vmscope-sdk for ABI major {}, host speaks {}",
                abi::ABI_MAJOR,
                abi::major(h.abi_version)
            ));
        }
        let name = CString::new(M::NAME).map_err(|_| "module name holds a NUL byte")?;
        let deps = M::DEPENDS
            .iter()
            .map(|d| CString::new(*d))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| "a dependency name holds a NUL byte")?;
        let mut dep_ptrs: Vec<*const c_char> = deps.iter().map(|d| d.as_ptr()).collect();
        dep_ptrs.push(std::ptr::null());
        let state = Box::new(State {
            module: M::new(),
            host,
            name,
            _deps: deps,
            dep_ptrs,
        });
        d.name = state.name.as_ptr();
        d.depends = state.dep_ptrs.as_ptr();
        d.consumes = M::CONSUMES
            .iter()
            .fold(0, |acc, k| acc | abi::kind_bit(k.abi()));
        d.configure = Some(configure::<M>);
        d.on_event = Some(on_event::<M>);
        d.on_stop = Some(on_stop::<M>);
        d.destroy = Some(destroy::<M>);
        d.state = Box::into_raw(state).cast::<c_void>();
        Ok(())
    });
    match r {
        Ok(()) => abi::OK,
        Err(e) => {
            write_error(error, error_size, &e);
            abi::ERROR
        }
    }
}

/// # Safety
/// `state` is what `init::<M>` made.
unsafe fn state<'a, M>(state: *mut c_void) -> Option<&'a mut State<M>> {
    // SAFETY: by the caller.
    unsafe { state.cast::<State<M>>().as_mut() }
}

unsafe extern "C" fn configure<M: Module>(
    st: *mut c_void,
    key: *const c_char,
    value: *const c_char,
    error: *mut c_char,
    error_size: usize,
) -> c_int {
    let r = guarded(|| {
        // SAFETY: ours, and configure runs alone (before any event).
        let s = unsafe { state::<M>(st) }.ok_or("no state")?;
        // SAFETY: the host's C strings.
        let (k, v) = unsafe { (text(key), text(value)) };
        let (Some(k), Some(v)) = (k, v) else {
            return Err("option is not UTF-8".into());
        };
        s.module.configure(k, v)
    });
    match r {
        Ok(()) => abi::OK,
        Err(e) => {
            write_error(error, error_size, &e);
            abi::ERROR
        }
    }
}

/// Reports an error through the host's log, as the reason the module is disabled.
fn report(host: &mut Host<'_>, what: &str, e: &str) {
    host.log(Level::Error, &format!("{what}: {e}"));
}

unsafe extern "C" fn on_event<M: Module>(
    st: *mut c_void,
    ctx: *mut abi::Ctx,
    event: *const abi::Event,
) -> c_int {
    // SAFETY: ours; only shared access from here on (on_event may run concurrently).
    let Some(s) = (unsafe { st.cast::<State<M>>().as_ref() }) else {
        return abi::ERROR;
    };
    // SAFETY: the host table lives until destroy; the event for the callback.
    let (Some(table), Some(ev)) = (unsafe { s.host.as_ref() }, unsafe { event.as_ref() }) else {
        return abi::ERROR;
    };
    let mut host = Host { table, ctx };
    // SAFETY: the host's event, valid for the callback.
    let ev = unsafe { Event::from_abi(ev) };
    match guarded(|| s.module.on_event(&ev, &mut host)) {
        Ok(()) => abi::OK,
        Err(e) => {
            report(&mut host, "on_event", &e);
            abi::ERROR
        }
    }
}

unsafe extern "C" fn on_stop<M: Module>(st: *mut c_void, ctx: *mut abi::Ctx) -> c_int {
    // SAFETY: ours.
    let Some(s) = (unsafe { st.cast::<State<M>>().as_ref() }) else {
        return abi::ERROR;
    };
    // SAFETY: the host table lives until destroy.
    let Some(table) = (unsafe { s.host.as_ref() }) else {
        return abi::ERROR;
    };
    let mut host = Host { table, ctx };
    match guarded(|| s.module.on_stop(&mut host)) {
        Ok(()) => abi::OK,
        Err(e) => {
            report(&mut host, "on_stop", &e);
            abi::ERROR
        }
    }
}

unsafe extern "C" fn destroy<M: Module>(st: *mut c_void) {
    if st.is_null() {
        return;
    }
    // SAFETY: made by `Box::into_raw` in init; destroy is called once, last.
    let b = unsafe { Box::from_raw(st.cast::<State<M>>()) };
    // Dropping the module must not unwind into the host either.
    let _ = catch_unwind(AssertUnwindSafe(move || drop(b)));
}

/// Exports a [`Module`] implementation as a vmscope module library (the two ABI symbols).
#[macro_export]
macro_rules! export_module {
    ($module:ty) => {
        /// The vmscope module ABI version this library speaks.
        #[unsafe(no_mangle)]
        #[allow(non_upper_case_globals, reason = "the C ABI's symbol name")]
        pub static vmscope_module_abi_version: u32 = $crate::abi::ABI_VERSION;

        /// The module's init entry (the C ABI's `vmscope_module_init`).
        ///
        /// # Safety
        /// Called by vmscope with the arguments the ABI describes.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn vmscope_module_init(
            host: *const $crate::abi::Host,
            module: *mut $crate::abi::ModuleDesc,
            error: *mut ::std::ffi::c_char,
            error_size: usize,
        ) -> ::std::ffi::c_int {
            // SAFETY: forwarded as vmscope handed them.
            unsafe { $crate::init::<$module>(host, module, error, error_size) }
        }
    };
}

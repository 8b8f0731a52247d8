//! The vmscope module ABI, version 1.1: the Rust mirror of the hand-written header
//! `include/vmscope.h` (the contract; this file follows it field for field).
//!
//! A module is a shared library exporting [`VERSION_SYMBOL`] (a `u32`, [`ABI_VERSION`]) and
//! [`INIT_SYMBOL`] (an [`InitFn`]). The host hands it a [`Host`] function table and a zeroed
//! [`ModuleDesc`] to fill; events reach it as [`Event`]s, plain C structures with no Rust type across
//! the line. The loader (`vmscope-loader`) is the host side; the SDK (`vmscope-sdk`) wraps the
//! module side for Rust. The tests check that every layout here equals the C compiler's.
//!
//! Versioning: [`ABI_VERSION`] is `(major << 16) | minor`; [`host_accepts`] is the rule.

#![allow(
    non_camel_case_types,
    reason = "the C names are kept where a type stands for a C integer"
)]

use std::ffi::{c_char, c_int, c_void};

/// The major version: changes only with an incompatible change.
pub const ABI_MAJOR: u16 = 1;
/// The minor version: additions only (see the header).
pub const ABI_MINOR: u16 = 1;
/// `(major << 16) | minor`, as `VMSCOPE_ABI_VERSION`.
pub const ABI_VERSION: u32 = (ABI_MAJOR as u32) << 16 | ABI_MINOR as u32;

/// The exported version symbol (a `const uint32_t`).
pub const VERSION_SYMBOL: &str = "vmscope_module_abi_version";
/// The exported init entry (an [`InitFn`]).
pub const INIT_SYMBOL: &str = "vmscope_module_init";

/// The major of a packed version.
pub const fn major(version: u32) -> u16 {
    (version >> 16) as u16
}

/// The minor of a packed version.
pub const fn minor(version: u32) -> u16 {
    (version & 0xffff) as u16
}

/// Whether a host speaking `host` loads a module built for `module`: same major, and a minor the
/// host has (a module may use everything its minor added).
pub const fn host_accepts(host: u32, module: u32) -> bool {
    major(host) == major(module) && minor(module) <= minor(host)
}

/// `VMSCOPE_OK`.
pub const OK: c_int = 0;
/// `VMSCOPE_ERROR`.
pub const ERROR: c_int = -1;

/// `VMSCOPE_KIND_SYSCALL`.
pub const KIND_SYSCALL: u32 = 0;
/// `VMSCOPE_KIND_NOTICE`.
pub const KIND_NOTICE: u32 = 1;
/// `VMSCOPE_KIND_PROCESS`.
pub const KIND_PROCESS: u32 = 2;
/// `VMSCOPE_KIND_FILE`.
pub const KIND_FILE: u32 = 3;
/// `VMSCOPE_KIND_CUSTOM`.
pub const KIND_CUSTOM: u32 = 4;
/// `VMSCOPE_KIND_PROCESS_LIST`.
pub const KIND_PROCESS_LIST: u32 = 5;
/// `VMSCOPE_KIND_RECORD` (1.1): an event of the kinds added after 1.0 (memory, maps, image, and
/// whatever later modules add), as named fields.
pub const KIND_RECORD: u32 = 6;
/// Every kind this ABI knows, as a mask.
pub const KNOWN_KINDS: u64 = (1 << 7) - 1;

/// The kinds a module built for `minor` may consume, as a mask: 1.0 knew six.
pub const fn known_kinds(minor: u16) -> u64 {
    if minor == 0 {
        (1 << 6) - 1
    } else {
        KNOWN_KINDS
    }
}

/// `VMSCOPE_KIND_BIT(kind)`.
pub const fn kind_bit(kind: u32) -> u64 {
    1 << kind
}

/// `VMSCOPE_SYSCALL_ABI_X86_64`.
pub const SYSCALL_ABI_X86_64: u32 = 0;
/// `VMSCOPE_SYSCALL_ABI_I386`.
pub const SYSCALL_ABI_I386: u32 = 1;
/// `VMSCOPE_SYSCALL_ABI_AARCH64`.
pub const SYSCALL_ABI_AARCH64: u32 = 2;
/// `VMSCOPE_ENTRY_SYSCALL`.
pub const ENTRY_SYSCALL: u32 = 0;
/// `VMSCOPE_ENTRY_INT80`.
pub const ENTRY_INT80: u32 = 1;
/// `VMSCOPE_ENTRY_SYSENTER`.
pub const ENTRY_SYSENTER: u32 = 2;
/// `VMSCOPE_ENTRY_SVC`.
pub const ENTRY_SVC: u32 = 3;
/// `VMSCOPE_END_RETURNED`.
pub const END_RETURNED: u32 = 0;
/// `VMSCOPE_END_NO_RETURN`.
pub const END_NO_RETURN: u32 = 1;
/// `VMSCOPE_END_UNFINISHED`.
pub const END_UNFINISHED: u32 = 2;

/// `VMSCOPE_PROCESS_HAS_CODE`.
pub const PROCESS_HAS_CODE: u32 = 1 << 0;
/// `VMSCOPE_PROCESS_HAS_CORE_DUMPED`.
pub const PROCESS_HAS_CORE_DUMPED: u32 = 1 << 1;

/// `VMSCOPE_FILE_HAS_FD`.
pub const FILE_HAS_FD: u32 = 1 << 0;
/// `VMSCOPE_FILE_HAS_BYTES`.
pub const FILE_HAS_BYTES: u32 = 1 << 1;
/// `VMSCOPE_FILE_HAS_OFFSET`.
pub const FILE_HAS_OFFSET: u32 = 1 << 2;
/// `VMSCOPE_FILE_HAS_LENGTH`.
pub const FILE_HAS_LENGTH: u32 = 1 << 3;
/// `VMSCOPE_FILE_HAS_HASHED_BYTES`.
pub const FILE_HAS_HASHED_BYTES: u32 = 1 << 4;
/// `VMSCOPE_FILE_HAS_UNHASHED_BYTES`.
pub const FILE_HAS_UNHASHED_BYTES: u32 = 1 << 5;

/// `VMSCOPE_VALUE_NULL`.
pub const VALUE_NULL: u32 = 0;
/// `VMSCOPE_VALUE_BOOL`.
pub const VALUE_BOOL: u32 = 1;
/// `VMSCOPE_VALUE_INT`.
pub const VALUE_INT: u32 = 2;
/// `VMSCOPE_VALUE_UINT`.
pub const VALUE_UINT: u32 = 3;
/// `VMSCOPE_VALUE_STR`.
pub const VALUE_STR: u32 = 4;
/// `VMSCOPE_VALUE_JSON` (1.1): a list or an object, as JSON text in `as_.s`.
pub const VALUE_JSON: u32 = 5;

/// `VMSCOPE_LOG_INFO`.
pub const LOG_INFO: c_int = 0;
/// `VMSCOPE_LOG_WARNING`.
pub const LOG_WARNING: c_int = 1;
/// `VMSCOPE_LOG_ERROR`.
pub const LOG_ERROR: c_int = 2;

/// `struct vmscope_thread`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct Thread {
    /// Thread-group id, -1 when unknown.
    pub pid: i64,
    /// Thread id, -1 when unknown.
    pub tid: i64,
    /// Command name or null.
    pub comm: *const c_char,
    /// Kernel thread object, 0 when unknown.
    pub task: u64,
    /// Address-space key.
    pub asid: u64,
}

/// `struct vmscope_syscall`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct Syscall {
    /// The calling thread.
    pub thread: Thread,
    /// vCPU of the entry.
    pub vcpu: u32,
    /// `SYSCALL_ABI_*`.
    pub abi: u32,
    /// `ENTRY_*`.
    pub entry: u32,
    /// `END_*`.
    pub end: u32,
    /// Call number.
    pub nr: u64,
    /// Call name.
    pub name: *const c_char,
    /// Rendered arguments.
    pub args: *const *const c_char,
    /// Number of `args`.
    pub n_args: usize,
    /// Raw arguments.
    pub raw: *const u64,
    /// Number of `raw`.
    pub n_raw: usize,
    /// Return value when returned.
    pub ret: i64,
    /// Rendered return value.
    pub ret_text: *const c_char,
    /// Exit time when returned.
    pub ts_exit: u64,
}

/// `struct vmscope_notice`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct Notice {
    /// Source.
    pub source: *const c_char,
    /// Level.
    pub level: *const c_char,
    /// Message.
    pub message: *const c_char,
}

/// `struct vmscope_process`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct Process {
    /// Process id or -1.
    pub pid: i64,
    /// Thread id or -1.
    pub tid: i64,
    /// Parent or -1.
    pub ppid: i64,
    /// vCPU.
    pub vcpu: u32,
    /// `PROCESS_HAS_*`.
    pub has: u32,
    /// Operation.
    pub op: *const c_char,
    /// Command name or null.
    pub comm: *const c_char,
    /// Program path or null.
    pub path: *const c_char,
    /// Executed name or null.
    pub filename: *const c_char,
    /// Arguments or null.
    pub argv: *const *const c_char,
    /// Number of `argv`.
    pub argc: usize,
    /// Exit status.
    pub code: i64,
    /// Killing signal or null.
    pub signal: *const c_char,
    /// Core dumped.
    pub core_dumped: i32,
    /// Zero.
    pub reserved: u32,
    /// The call behind it, or null.
    pub syscall: *const c_char,
    /// How it was seen.
    pub seen: *const c_char,
}

/// `struct vmscope_file`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct File {
    /// The acting thread.
    pub thread: Thread,
    /// vCPU.
    pub vcpu: u32,
    /// `FILE_HAS_*`.
    pub has: u32,
    /// Operation.
    pub op: *const c_char,
    /// Handle.
    pub fd: i64,
    /// Path or null.
    pub path: *const c_char,
    /// New path or null.
    pub new_path: *const c_char,
    /// Bytes moved.
    pub bytes: u64,
    /// Offset.
    pub offset: i64,
    /// Length.
    pub length: i64,
    /// Flags or null.
    pub flags: *const c_char,
    /// Error name or null.
    pub error: *const c_char,
    /// Captured data or null.
    pub data: *const c_char,
    /// SHA-256 or null.
    pub sha256: *const c_char,
    /// Hashed bytes.
    pub hashed_bytes: u64,
    /// Unhashed bytes.
    pub unhashed_bytes: u64,
}

/// `struct vmscope_file_summary`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct FileSummary {
    /// The file.
    pub path: *const c_char,
    /// Bytes read.
    pub bytes_read: u64,
    /// Bytes written.
    pub bytes_written: u64,
    /// Pids that opened it.
    pub opened_by: *const u32,
    /// Count.
    pub n_opened_by: usize,
    /// Pids that read it.
    pub read_by: *const u32,
    /// Count.
    pub n_read_by: usize,
    /// Pids that wrote it.
    pub written_by: *const u32,
    /// Count.
    pub n_written_by: usize,
    /// Pids that renamed it.
    pub renamed_by: *const u32,
    /// Count.
    pub n_renamed_by: usize,
    /// Pids that deleted it.
    pub deleted_by: *const u32,
    /// Count.
    pub n_deleted_by: usize,
}

/// `struct vmscope_process_entry`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ProcessEntry {
    /// Pid.
    pub pid: u32,
    /// Non-zero for kernel threads.
    pub kernel_thread: i32,
    /// Parent or -1.
    pub ppid: i64,
    /// Command name.
    pub comm: *const c_char,
    /// State or null.
    pub state: *const c_char,
    /// Threads.
    pub n_threads: usize,
}

/// `struct vmscope_process_list`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ProcessList {
    /// When.
    pub when: *const c_char,
    /// Source.
    pub source: *const c_char,
    /// Complete walk.
    pub complete: i32,
    /// Zero.
    pub reserved: u32,
    /// The processes.
    pub processes: *const ProcessEntry,
    /// Count.
    pub n_processes: usize,
}

/// The union inside `struct vmscope_value`.
#[repr(C)]
#[derive(Clone, Copy)]
pub union ValueUnion {
    /// `VALUE_BOOL`.
    pub b: i32,
    /// `VALUE_INT`.
    pub i: i64,
    /// `VALUE_UINT`.
    pub u: u64,
    /// `VALUE_STR`.
    pub s: *const c_char,
}

/// `struct vmscope_value`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Value {
    /// `VALUE_*`.
    pub kind: u32,
    /// Zero.
    pub reserved: u32,
    /// The value.
    pub as_: ValueUnion,
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // SAFETY: the field read is the one `kind` names; every variant is plain data.
        let v = unsafe {
            match self.kind {
                VALUE_BOOL => format!("bool {}", self.as_.b),
                VALUE_INT => format!("int {}", self.as_.i),
                VALUE_UINT => format!("uint {}", self.as_.u),
                VALUE_STR => format!("str {:p}", self.as_.s),
                _ => "null".to_string(),
            }
        };
        f.write_str(&v)
    }
}

/// `struct vmscope_field`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Name.
    pub name: *const c_char,
    /// Value.
    pub value: Value,
}

/// `struct vmscope_custom`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct Custom {
    /// Publishing module.
    pub module: *const c_char,
    /// Fields.
    pub fields: *const Field,
    /// Count.
    pub n_fields: usize,
}

/// `struct vmscope_record` (1.1).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct Record {
    /// The module that published it.
    pub module: *const c_char,
    /// The fields, as the journal's JSON line has them.
    pub fields: *const Field,
    /// Number of `fields`.
    pub n_fields: usize,
}

/// `struct vmscope_event`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct Event {
    /// `KIND_*`.
    pub kind: u32,
    /// Zero.
    pub reserved: u32,
    /// Nanoseconds since tracing started.
    pub ts: u64,
    /// Journal type.
    pub type_: *const c_char,
    /// Body for `KIND_SYSCALL`.
    pub syscall: *const Syscall,
    /// Body for `KIND_NOTICE`.
    pub notice: *const Notice,
    /// Body for `KIND_PROCESS`.
    pub process: *const Process,
    /// Body for `KIND_FILE` (`file`).
    pub file: *const File,
    /// Body for `KIND_FILE` (`file_summary`).
    pub file_summary: *const FileSummary,
    /// Body for `KIND_CUSTOM`.
    pub custom: *const Custom,
    /// Body for `KIND_PROCESS_LIST`.
    pub process_list: *const ProcessList,
    /// Body for `KIND_RECORD` (1.1).
    pub record: *const Record,
}

/// `struct vmscope_ctx`: opaque.
#[repr(C)]
pub struct Ctx {
    _private: [u8; 0],
}

/// `struct vmscope_host`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct Host {
    /// The host's ABI version.
    pub abi_version: u32,
    /// `sizeof(struct vmscope_host)` as the host knows it.
    pub size: u32,
    /// Reads guest memory.
    pub read_memory: Option<
        unsafe extern "C" fn(ctx: *mut Ctx, addr: u64, buf: *mut c_void, len: usize) -> c_int,
    >,
    /// Reads a register by name.
    pub read_register:
        Option<unsafe extern "C" fn(ctx: *mut Ctx, name: *const c_char, value: *mut u64) -> c_int>,
    /// The vCPU, or -1.
    pub vcpu: Option<unsafe extern "C" fn(ctx: *mut Ctx) -> c_int>,
    /// Publishes a module-defined event.
    pub publish: Option<
        unsafe extern "C" fn(
            ctx: *mut Ctx,
            type_: *const c_char,
            fields: *const Field,
            n_fields: usize,
        ) -> c_int,
    >,
    /// Writes a notice.
    pub log: Option<unsafe extern "C" fn(ctx: *mut Ctx, level: c_int, message: *const c_char)>,
}

/// `configure` callback.
pub type ConfigureFn = unsafe extern "C" fn(
    state: *mut c_void,
    key: *const c_char,
    value: *const c_char,
    error: *mut c_char,
    error_size: usize,
) -> c_int;
/// `on_event` callback.
pub type OnEventFn =
    unsafe extern "C" fn(state: *mut c_void, ctx: *mut Ctx, event: *const Event) -> c_int;
/// `on_stop` callback.
pub type OnStopFn = unsafe extern "C" fn(state: *mut c_void, ctx: *mut Ctx) -> c_int;
/// `destroy` callback.
pub type DestroyFn = unsafe extern "C" fn(state: *mut c_void);

/// `struct vmscope_module`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ModuleDesc {
    /// Set by the host: its ABI version.
    pub host_abi_version: u32,
    /// Set by the host: `sizeof(struct vmscope_module)` as it knows it.
    pub size: u32,
    /// The module's name.
    pub name: *const c_char,
    /// NULL-terminated dependency names, or null.
    pub depends: *const *const c_char,
    /// `kind_bit()`s of the consumed kinds.
    pub consumes: u64,
    /// The module's state.
    pub state: *mut c_void,
    /// Optional.
    pub configure: Option<ConfigureFn>,
    /// Optional.
    pub on_event: Option<OnEventFn>,
    /// Optional.
    pub on_stop: Option<OnStopFn>,
    /// Optional.
    pub destroy: Option<DestroyFn>,
}

impl ModuleDesc {
    /// What the host hands to `init`: its version and size, everything else zero.
    pub fn for_host() -> Self {
        Self {
            host_abi_version: ABI_VERSION,
            size: size_of::<Self>() as u32,
            name: std::ptr::null(),
            depends: std::ptr::null(),
            consumes: 0,
            state: std::ptr::null_mut(),
            configure: None,
            on_event: None,
            on_stop: None,
            destroy: None,
        }
    }
}

/// The type of `vmscope_module_init`.
pub type InitFn = unsafe extern "C" fn(
    host: *const Host,
    module: *mut ModuleDesc,
    error: *mut c_char,
    error_size: usize,
) -> c_int;

/// Event types a module may not publish (the built-in events' types).
pub const RESERVED_TYPES: &[&str] = &[
    "syscall",
    "notice",
    "process",
    "thread",
    "file",
    "file_summary",
    "process_list",
    // 1.1: the record kinds.
    "memory",
    "maps",
    "image",
    "net",
    "connection",
    "device",
    "device_summary",
    "switch",
    "sched_summary",
];

/// Field names a module may not use (the journal adds them).
pub const RESERVED_FIELDS: &[&str] = &["ts", "type", "module"];

/// Most fields in one published event.
pub const MAX_FIELDS: usize = 64;

/// Whether `name` is a valid event type for a module to publish: `[a-z][a-z0-9_]{0,31}`, not reserved.
pub fn valid_event_type(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 32
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
        && !RESERVED_TYPES.contains(&name)
}

/// Whether `name` is a valid field name: `[a-z0-9_]{1,32}`, not reserved.
pub fn valid_field_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 32
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
        && !RESERVED_FIELDS.contains(&name)
}

/// Whether `name` is a valid module name: `[a-z0-9_-]{1,32}`.
pub fn valid_module_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 32
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_' || *c == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_rule_is_same_major_and_no_newer_minor() {
        assert_eq!(ABI_VERSION, 0x0001_0001);
        assert_eq!(known_kinds(0), 0x3f);
        assert_eq!(known_kinds(1), 0x7f);
        assert!(host_accepts(0x0001_0000, 0x0001_0000));
        assert!(host_accepts(0x0001_0003, 0x0001_0001));
        assert!(!host_accepts(0x0001_0000, 0x0001_0001));
        assert!(!host_accepts(0x0002_0000, 0x0001_0000));
        assert!(!host_accepts(0x0001_0000, 0x0000_0001));
    }

    #[test]
    fn names_are_checked() {
        assert!(valid_event_type("alert"));
        assert!(valid_event_type("file_written2"));
        assert!(!valid_event_type("file"));
        assert!(!valid_event_type("maps"));
        assert!(!valid_event_type("Alert"));
        assert!(!valid_event_type("2x"));
        assert!(!valid_event_type(""));
        assert!(!valid_event_type(&"a".repeat(33)));
        assert!(valid_field_name("pid"));
        assert!(!valid_field_name("ts"));
        assert!(!valid_field_name("a b"));
        assert!(valid_module_name("ids"));
        assert!(valid_module_name("my-mod_2"));
        assert!(!valid_module_name("my.mod"));
        assert!(!valid_module_name("a:b"));
    }
}

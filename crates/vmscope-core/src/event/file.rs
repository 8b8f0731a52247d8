//! File activity: the OS-independent vocabulary of file operations, and the events the `files` module
//! publishes.
//!
//! An OS layer (`vmscope-linux`'s `fileops` for Linux system calls; a Windows layer would map
//! `NtCreateFile`, `NtReadFile`, `NtClose`...) turns one system call into [`FileCall`]s. The `files`
//! module keeps its handle tables from those alone, so it never learns which OS produced them.
//! Handles are numbers: a Linux file descriptor, a Windows `HANDLE` value.

use serde::Serialize;

use super::{ArgsText, ThreadCtx};

/// A handle: a file descriptor, or a Windows handle value.
pub type Handle = i64;

/// Where a relative path starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathBase {
    /// The thread's current directory.
    Cwd,
    /// The directory an open handle names (`openat(dirfd, ...)`, `ObjectAttributes.RootDirectory`).
    Handle(Handle),
}

/// A path as the program gave it, with what it is relative to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathArg {
    /// What a relative `path` starts from; ignored when `path` is absolute.
    pub base: PathBase,
    /// The path as passed (lossily decoded); `None` when it could not be read from the guest.
    pub path: Option<String>,
}

/// What a file operation applies to: an open handle or a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An open handle (`fchmod`, `ftruncate`, `fchdir`).
    Handle(Handle),
    /// A path (`chmod`, `truncate`, `chdir`).
    Path(PathArg),
}

/// Kernel objects a handle can name besides a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectKind {
    /// A pipe (both ends).
    Pipe,
    /// A socket.
    Socket,
    /// Another anonymous kernel object (`eventfd`, `epoll`...), by its kernel name.
    Anon(&'static str),
}

/// A piece of guest memory a read or write moved bytes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Buffer {
    /// Guest virtual address.
    pub addr: u64,
    /// Length in bytes.
    pub len: u64,
}

/// One OS-independent file operation, as the OS layer extracted it from a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOp {
    /// Opens (or creates) a file; `handle` is the new handle when the call succeeded.
    Open {
        /// The path.
        at: PathArg,
        /// The call asks for the file to be created if missing (`O_CREAT`, `creat`).
        create: bool,
        /// The handle is closed when the process runs another program (`O_CLOEXEC`).
        cloexec: bool,
        /// The new handle.
        handle: Option<Handle>,
    },
    /// New handles naming a kernel object, not a path (`pipe2`, `socket`, `accept`).
    NewObject {
        /// The handles made.
        handles: Vec<Handle>,
        /// What they name.
        kind: ObjectKind,
        /// Closed when the process runs another program.
        cloexec: bool,
    },
    /// `new` now names what `old` names (`dup`, `dup2`, `dup3`, `fcntl(F_DUPFD)`).
    Dup {
        /// The original.
        old: Handle,
        /// The copy (the result).
        new: Option<Handle>,
        /// The copy is closed at exec.
        cloexec: bool,
    },
    /// The handle is closed.
    Close {
        /// The handle.
        handle: Handle,
    },
    /// Every handle in `first..=last` is closed, or marked close-on-exec (`close_range`).
    CloseRange {
        /// First handle.
        first: Handle,
        /// Last handle.
        last: Handle,
        /// Only mark them close-on-exec.
        cloexec_only: bool,
    },
    /// The close-on-exec mark of a handle changes (`fcntl(F_SETFD)`).
    SetCloexec {
        /// The handle.
        handle: Handle,
        /// The new mark.
        on: bool,
    },
    /// Bytes read through a handle.
    Read {
        /// The handle.
        handle: Handle,
        /// Bytes moved (the result).
        bytes: Option<u64>,
        /// The file offset when the call gives one (`pread`).
        offset: Option<i64>,
        /// Where the bytes went, in order.
        buffers: Vec<Buffer>,
    },
    /// Bytes written through a handle.
    Write {
        /// The handle.
        handle: Handle,
        /// Bytes moved (the result).
        bytes: Option<u64>,
        /// The file offset when the call gives one (`pwrite`).
        offset: Option<i64>,
        /// Where the bytes came from, in order.
        buffers: Vec<Buffer>,
    },
    /// The handle's position changes; `offset` is the new position (the result).
    Seek {
        /// The handle.
        handle: Handle,
        /// The resulting offset.
        offset: Option<i64>,
    },
    /// A file's length is set.
    Truncate {
        /// The file.
        target: Target,
        /// The new length.
        length: i64,
    },
    /// A name changes.
    Rename {
        /// Old name.
        from: PathArg,
        /// New name.
        to: PathArg,
    },
    /// A hard link `to` is made to `from`.
    Link {
        /// Existing name.
        from: PathArg,
        /// New name.
        to: PathArg,
    },
    /// A symbolic link `link` is made holding `content`.
    Symlink {
        /// What the link says (not resolved).
        content: Option<String>,
        /// The link's own name.
        link: PathArg,
    },
    /// A name is removed.
    Unlink {
        /// The name.
        at: PathArg,
    },
    /// A directory is made.
    Mkdir {
        /// The name.
        at: PathArg,
    },
    /// A directory is removed.
    Rmdir {
        /// The name.
        at: PathArg,
    },
    /// Permissions change.
    Chmod {
        /// The file.
        target: Target,
    },
    /// Owner changes.
    Chown {
        /// The file.
        target: Target,
    },
    /// A file is mapped into memory.
    Mmap {
        /// The handle.
        handle: Handle,
        /// File offset.
        offset: i64,
        /// Length.
        length: u64,
    },
    /// The current directory changes.
    Chdir {
        /// The new directory.
        target: Target,
    },
    /// A new thread or process (`tid`, in process `pid`) made by the calling thread.
    Spawn {
        /// The new thread's id.
        tid: u32,
        /// Its process id (the caller's for a thread).
        pid: u32,
        /// It shares the caller's handle table (a thread, `CLONE_FILES`); otherwise it gets a copy.
        share_handles: bool,
        /// It shares the caller's current directory (`CLONE_FS`); otherwise it gets a copy.
        share_cwd: bool,
    },
    /// The process runs another program: close-on-exec handles go, the table stops being shared.
    Exec,
    /// The thread ends.
    Exit,
}

/// One operation with what the call said about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCall {
    /// The operation.
    pub op: FileOp,
    /// The flags or mode as the call's decoder renders them, for the journal.
    pub flags: Option<ArgsText>,
    /// The error name when the call failed (`ENOENT`).
    pub error: Option<String>,
}

/// What a call names and may create, known at its entry: the handles whose names a file monitor may
/// want from the kernel at the call's return. Where the kernel is not mapped at the return (page-table
/// isolation) they are read at the last point before it that it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HandleUse {
    /// Handles passed to the call (descriptors, directory descriptors).
    pub given: Vec<Handle>,
    /// Whether a path argument may be relative to the current directory.
    pub cwd: bool,
    /// Where the handles the call creates will be.
    pub created: Option<NewHandles>,
}

impl HandleUse {
    /// Whether the call names and creates nothing.
    pub fn is_empty(&self) -> bool {
        self.given.is_empty() && !self.cwd && self.created.is_none()
    }
}

/// Where a call puts the handles it creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewHandles {
    /// The call's return value (`socket`, `accept`, `eventfd`).
    Returned,
    /// Two 32-bit handles written at this address of the caller's memory (`pipe`, `socketpair`).
    Pair(u64),
}

/// What a file event says was done (the journal's `op`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileActivity {
    /// An existing file opened.
    Open,
    /// A file opened with creation asked for.
    Create,
    /// Bytes read.
    Read,
    /// Bytes written.
    Write,
    /// The position moved.
    Seek,
    /// The length set.
    Truncate,
    /// A handle closed.
    Close,
    /// A name changed.
    Rename,
    /// A hard link made.
    Link,
    /// A symbolic link made.
    Symlink,
    /// A name removed.
    Unlink,
    /// A directory made.
    Mkdir,
    /// A directory removed.
    Rmdir,
    /// Permissions changed.
    Chmod,
    /// Owner changed.
    Chown,
    /// Mapped into memory.
    Mmap,
}

impl FileActivity {
    /// The journal's name.
    pub fn as_str(self) -> &'static str {
        match self {
            FileActivity::Open => "open",
            FileActivity::Create => "create",
            FileActivity::Read => "read",
            FileActivity::Write => "write",
            FileActivity::Seek => "seek",
            FileActivity::Truncate => "truncate",
            FileActivity::Close => "close",
            FileActivity::Rename => "rename",
            FileActivity::Link => "link",
            FileActivity::Symlink => "symlink",
            FileActivity::Unlink => "unlink",
            FileActivity::Mkdir => "mkdir",
            FileActivity::Rmdir => "rmdir",
            FileActivity::Chmod => "chmod",
            FileActivity::Chown => "chown",
            FileActivity::Mmap => "mmap",
        }
    }
}

/// A file event: one file operation of one thread (`type: "file"`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileAccess {
    /// Nanoseconds since tracing started (the call's entry).
    pub ts: u64,
    /// vCPU of the call.
    pub vcpu: u32,
    /// The acting thread.
    #[serde(flatten)]
    pub thread: ThreadCtx,
    /// The operation.
    pub op: FileActivity,
    /// The handle concerned (a new one for open and create).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fd: Option<Handle>,
    /// What the handle or path names (absolute where known; `pipe:[…]`, `socket:[…]`, `anon_inode:…`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The new name (rename, link), or the link itself (symlink: `path` is then what it says).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_path: Option<String>,
    /// Bytes moved (read, write): the call's return value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// The file offset where the call has one (pread, pwrite, the new position for seek, mmap).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<i64>,
    /// The length set (truncate) or mapped (mmap).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length: Option<i64>,
    /// Flags or mode as the call's decoder renders them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flags: Option<ArgsText>,
    /// The errno name when the call failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// With capture on: the first bytes moved, C-escaped like strace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// With capture on, at close: SHA-256 (hex) of every byte read or written through the handle.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// With capture on, at close: how many bytes the hash covers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hashed_bytes: Option<u64>,
    /// With capture on, at close: bytes moved that could not be read from the guest (not hashed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unhashed_bytes: Option<u64>,
}

/// What one process did to one file, in a [`FileSummary`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProcessFileUse {
    /// The process.
    pub pid: Option<u32>,
    /// Its command name (the last seen).
    pub comm: Option<String>,
    /// The operations it did, in the order first done (`open`, `read`, `write`, `rename`, `unlink`...).
    pub ops: Vec<FileActivity>,
    /// Bytes it read.
    pub bytes_read: u64,
    /// Bytes it wrote.
    pub bytes_written: u64,
}

/// At the end of tracing, one per file: who did what to it (`type: "file_summary"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileSummary {
    /// Nanoseconds since tracing started.
    pub ts: u64,
    /// The file (as named when used).
    pub path: String,
    /// Processes that opened or created it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub opened_by: Vec<u32>,
    /// Processes that read it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub read_by: Vec<u32>,
    /// Processes that wrote it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub written_by: Vec<u32>,
    /// Processes that renamed it (from or to this name).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub renamed_by: Vec<u32>,
    /// Processes that deleted it (unlink, rmdir).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub deleted_by: Vec<u32>,
    /// Bytes read from it, all processes.
    pub bytes_read: u64,
    /// Bytes written to it, all processes.
    pub bytes_written: u64,
    /// Per process, in order of first use.
    pub processes: Vec<ProcessFileUse>,
}

/// What the `files` module publishes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum FileEvent {
    /// One operation (`type: "file"`).
    Access(Box<FileAccess>),
    /// The end-of-tracing summary of one file (`type: "file_summary"`).
    Summary(Box<FileSummary>),
}

impl FileEvent {
    /// The journal's `type`.
    pub fn type_name(&self) -> &'static str {
        match self {
            FileEvent::Access(_) => "file",
            FileEvent::Summary(_) => "file_summary",
        }
    }
}

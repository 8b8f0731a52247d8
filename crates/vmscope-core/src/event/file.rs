//! File activity events (published by the `files` module).

use serde::Serialize;

use super::ThreadCtx;

/// A file event: one file operation of one thread.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileEvent {
    /// Nanoseconds since tracing started (the call's entry).
    pub ts: u64,
    /// vCPU of the call.
    pub vcpu: u32,
    /// The acting thread.
    #[serde(flatten)]
    pub thread: ThreadCtx,
    /// The operation: open, create, read, write, seek, truncate, close, rename, link, symlink, unlink,
    /// mkdir, rmdir, chmod, chown, mmap.
    pub op: &'static str,
    /// The descriptor (or handle) concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fd: Option<i64>,
    /// What the descriptor or path names (absolute where known).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The new name (rename, link, symlink).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_path: Option<String>,
    /// Bytes moved (read, write): the call's return value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// The file offset where the call has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<i64>,
    /// Flags or mode as rendered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flags: Option<String>,
    /// The errno name when the call failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

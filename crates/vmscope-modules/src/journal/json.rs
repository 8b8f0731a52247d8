//! JSON Lines: one object per event, `type` first. System calls are written field by field (the
//! bulk of every journal); the other kinds through serde from their typed structures.

use serde::Serialize;
use vmscope_core::arch::EntryKind;
use vmscope_core::event::{Body, CallEnd, CallRender, Event, RenderedCall, SyscallEvent};

/// One event as one JSON line (with its newline).
pub(super) fn render(
    ev: &Event,
    calls: &dyn CallRender,
    scratch: &mut RenderedCall,
    out: &mut Vec<u8>,
) {
    let start = out.len();
    if let Event::Syscall(c) = ev {
        // serde's `flatten` (for the thread fields) serializes through a map and made the writer
        // thread the bottleneck of a syscall-heavy guest; written by hand, the output is the same.
        calls.render(c, scratch);
        syscall(c, scratch, out);
        out.push(b'\n');
        return;
    }
    if to_json(ev, out).is_ok() {
        out.push(b'\n');
    } else {
        out.truncate(start);
    }
}

#[derive(Serialize)]
struct Tagged<'a, T: Serialize> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(flatten)]
    event: &'a T,
}

fn tagged<T: Serialize>(kind: &str, event: &T, out: &mut Vec<u8>) -> serde_json::Result<()> {
    serde_json::to_writer(&mut *out, &Tagged { kind, event })
}

/// Any event but a system call, through serde.
pub(super) fn to_json(ev: &Event, out: &mut Vec<u8>) -> serde_json::Result<()> {
    tagged(ev.type_name(), &Body(ev), out)
}

/// A JSON string (serde_json's escaping).
fn str(s: &str, out: &mut Vec<u8>) {
    // Writing into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

fn num<T: itoa::Integer>(v: T, out: &mut Vec<u8>) {
    out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

fn opt<T: itoa::Integer>(v: Option<T>, out: &mut Vec<u8>) {
    match v {
        Some(v) => num(v, out),
        None => out.extend_from_slice(b"null"),
    }
}

/// The name of an entry instruction in the journal.
pub(super) fn entry_name(e: EntryKind) -> &'static str {
    match e {
        EntryKind::Syscall => "syscall",
        EntryKind::Int80 => "int80",
        EntryKind::Sysenter => "sysenter",
        EntryKind::Svc => "svc",
    }
}

/// The name of how a call ended.
pub(super) fn end_name(e: CallEnd) -> &'static str {
    match e {
        CallEnd::Returned => "returned",
        CallEnd::NoReturn => "no_return",
        CallEnd::Unfinished => "unfinished",
    }
}

/// One syscall event as JSON, fields in the documented order (docs/journal.md).
fn syscall(c: &SyscallEvent, r: &RenderedCall, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"type\":\"syscall\",\"ts\":");
    num(c.ts, out);
    out.extend_from_slice(b",\"ts_exit\":");
    opt(c.ts_exit, out);
    out.extend_from_slice(b",\"vcpu\":");
    num(c.vcpu, out);
    out.extend_from_slice(b",\"pid\":");
    opt(c.thread.pid, out);
    out.extend_from_slice(b",\"tid\":");
    opt(c.thread.tid, out);
    out.extend_from_slice(b",\"comm\":");
    match &c.thread.comm {
        Some(comm) => str(comm, out),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"abi\":\"");
    out.extend_from_slice(c.abi.as_str().as_bytes());
    out.extend_from_slice(b"\",\"entry\":\"");
    out.extend_from_slice(entry_name(c.entry).as_bytes());
    out.extend_from_slice(b"\",\"nr\":");
    num(c.nr, out);
    out.extend_from_slice(b",\"name\":");
    str(&r.name, out);
    out.extend_from_slice(b",\"args\":[");
    for (i, a) in r.arg_list().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        str(a, out);
    }
    out.extend_from_slice(b"],\"raw\":[");
    for (i, v) in c.raw.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        num(*v, out);
    }
    out.extend_from_slice(b"],\"ret\":");
    opt(c.ret, out);
    out.extend_from_slice(b",\"ret_text\":");
    str(&r.ret, out);
    out.extend_from_slice(b",\"end\":\"");
    out.extend_from_slice(end_name(c.end).as_bytes());
    out.push(b'"');
    // `--decode-fds`: what each named descriptor argument (by its index in `args`) and the returned
    // descriptor name, beside the strace-style text (which stays as without the option).
    if !r.fds.is_empty() {
        out.extend_from_slice(b",\"fd_names\":[");
        for (i, f) in r.fds.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"arg\":");
            num(f.arg, out);
            out.extend_from_slice(b",\"name\":");
            str(&f.name, out);
            out.push(b'}');
        }
        out.push(b']');
    }
    if let Some((_, name)) = &r.ret_fd {
        out.extend_from_slice(b",\"ret_fd_name\":");
        str(name, out);
    }
    if let Some(stack) = &c.stack {
        out.extend_from_slice(b",\"stack\":");
        if serde_json::to_writer(&mut *out, stack).is_err() {
            out.extend_from_slice(b"[]");
        }
    }
    out.push(b'}');
}

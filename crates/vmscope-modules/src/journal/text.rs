//! The text journal: strace-like lines for system calls, and for every other kind of event its own
//! line, `[pid … tid … comm] type op key=value …`, written from the typed event.

use std::fmt::{Display, Write as _};

use serde::Serialize;
use vmscope_core::event::{
    Abi, CallEnd, CallRender, Connection, CustomEvent, Event, FieldValue, FileAccess, FileEvent,
    FileSummary, ImageEvent, MapsSnapshot, MemoryEvent, NetEvent, Notice, ProcessEvent,
    RenderedCall, SyscallEvent,
};

use super::json;

mod hardware;

/// One event as one text line (with its newline).
pub(super) fn render(
    ev: &Event,
    calls: &dyn CallRender,
    scratch: &mut RenderedCall,
    out: &mut Vec<u8>,
) {
    let mut l = Line(String::new());
    match ev {
        Event::Syscall(c) => {
            calls.render(c, scratch);
            syscall(c, scratch, calls, &mut l.0);
        }
        Event::Notice(Notice {
            source,
            level,
            message,
            ..
        }) => {
            let _ = write!(l.0, "# vmscope {level}: {source}: {message}");
        }
        Event::ProcessList(list) => l.0.push_str(&list.render_tree()),
        Event::Process(p) => process(p, &mut l),
        Event::File(FileEvent::Access(a)) => file(a, &mut l),
        Event::File(FileEvent::Summary(s)) => file_summary(s, &mut l),
        Event::Custom(c) => custom(c, &mut l),
        Event::Memory(m) => memory(m, &mut l),
        Event::Maps(m) => maps(m, &mut l),
        Event::Image(i) => image(i, &mut l),
        Event::Net(n) => net(n, &mut l),
        Event::Connection(c) => connection(c, &mut l),
        Event::Switch(w) => hardware::switch(w, &mut l.0),
        Event::SchedSummary(w) => hardware::sched_summary(w, &mut l.0),
        Event::Device(d) => hardware::device(d, &mut l.0),
        Event::DeviceSummary(d) => hardware::device_summary(d, &mut l.0),
        Event::Coverage(c) => hardware::coverage(c, &mut l.0),
        // Kinds added later and not yet given a line of their own: their JSON, after the type.
        other => {
            l.word(other.type_name());
            let mut buf = Vec::new();
            if json::to_json(other, &mut buf).is_ok() {
                l.0.push(' ');
                l.0.push_str(&String::from_utf8_lossy(&buf));
            }
        }
    }
    l.0.push('\n');
    out.extend_from_slice(l.0.as_bytes());
}

fn syscall(c: &SyscallEvent, r: &RenderedCall, calls: &dyn CallRender, s: &mut String) {
    let t = &c.thread;
    match (t.pid, t.tid) {
        (Some(pid), Some(tid)) => {
            let _ = write!(
                s,
                "[pid {pid:>5} tid {tid:>5} {}] ",
                t.comm.as_deref().unwrap_or("?")
            );
        }
        _ => {
            let _ = write!(s, "[as {:#x}] ", t.asid);
        }
    }
    if c.abi == Abi::I386 {
        s.push_str("[i386] ");
    }
    s.push_str(&r.name);
    s.push('(');
    // Named descriptors (`--decode-fds`) as strace -y writes them: `3</etc/fstab>`.
    r.args_with_fds(s, |n, o| calls.fd_name(n, o));
    s.push(')');
    match c.end {
        CallEnd::Returned => {
            s.push_str(" = ");
            r.ret_with_fd(s, |n, o| calls.fd_name(n, o));
        }
        CallEnd::NoReturn => s.push_str(" = ?"),
        CallEnd::Unfinished => s.push_str(" <unfinished ...>"),
    }
    // The stack on the lines after it, as `strace -k` prints it.
    for f in c.stack.iter().flatten() {
        s.push_str("\n > ");
        f.render(s);
    }
}

/// A line being written: a thread prefix, words, and `key=value` fields (strings quoted and escaped,
/// lists and objects as JSON).
struct Line(String);

impl Line {
    fn prefix(&mut self, pid: Option<u64>, tid: Option<u64>, comm: Option<&str>) {
        match (pid, tid) {
            (Some(pid), Some(tid)) => {
                let _ = write!(
                    self.0,
                    "[pid {pid:>5} tid {tid:>5} {}] ",
                    comm.unwrap_or("?")
                );
            }
            (Some(pid), None) => {
                let _ = write!(self.0, "[pid {pid:>5}] ");
            }
            _ => {}
        }
    }

    fn word(&mut self, w: &str) {
        if !self.0.is_empty() && !self.0.ends_with(' ') {
            self.0.push(' ');
        }
        self.0.push_str(w);
    }

    fn str(&mut self, k: &str, v: Option<&str>) {
        if let Some(v) = v {
            let _ = write!(self.0, " {k}={v:?}");
        }
    }

    fn num<T: Display>(&mut self, k: &str, v: Option<T>) {
        if let Some(v) = v {
            let _ = write!(self.0, " {k}={v}");
        }
    }

    fn json<T: Serialize + ?Sized>(&mut self, k: &str, v: &T) {
        if let Ok(j) = serde_json::to_string(v) {
            let _ = write!(self.0, " {k}={j}");
        }
    }
}

fn process(p: &ProcessEvent, l: &mut Line) {
    l.prefix(
        p.pid.map(u64::from),
        p.tid.map(u64::from),
        p.comm.as_deref(),
    );
    l.word(p.type_name());
    l.word(p.op.as_str());
    l.num("ppid", p.ppid);
    l.str("path", p.path.as_deref());
    l.str("filename", p.filename.as_deref());
    if let Some(argv) = &p.argv {
        l.json("argv", argv);
    }
    l.num("code", p.code);
    l.str("signal", p.signal.as_deref());
    l.num("core_dumped", p.core_dumped);
    l.str("syscall", p.syscall);
    l.str("seen", Some(p.seen.as_str()));
}

fn file(a: &FileAccess, l: &mut Line) {
    let t = &a.thread;
    l.prefix(
        t.pid.map(u64::from),
        t.tid.map(u64::from),
        t.comm.as_deref(),
    );
    l.word("file");
    l.word(a.op.as_str());
    l.num("fd", a.fd);
    l.str("path", a.path.as_deref());
    l.str("new_path", a.new_path.as_deref());
    l.num("bytes", a.bytes);
    l.num("offset", a.offset);
    l.num("length", a.length);
    if let Some(f) = &a.flags {
        l.str("flags", Some(&f.text()));
    }
    l.str("error", a.error.as_deref());
    l.str("data", a.data.as_deref());
    l.str("sha256", a.sha256.as_deref());
    l.num("hashed_bytes", a.hashed_bytes);
    l.num("unhashed_bytes", a.unhashed_bytes);
}

fn memory(m: &MemoryEvent, l: &mut Line) {
    let t = &m.thread;
    l.prefix(
        t.pid.map(u64::from),
        t.tid.map(u64::from),
        t.comm.as_deref(),
    );
    l.word("memory");
    l.word(m.op.as_str());
    // The region as /proc/PID/maps lists it.
    l.word(&m.region.maps_line());
    l.0.truncate(l.0.trim_end().len());
    if let (Some(s), Some(e)) = (m.old_start, m.old_end) {
        let _ = write!(l.0, " old={s:#x}-{e:#x}");
    }
    l.str("syscall", Some(m.syscall));
}

/// The header line, then one line per region as `/proc/PID/maps` prints it.
fn maps(m: &MapsSnapshot, l: &mut Line) {
    l.prefix(m.pid.map(u64::from), None, None);
    l.word("maps");
    l.word(m.when.as_str());
    l.str("comm", m.comm.as_deref());
    l.str("exe", m.exe.as_deref());
    l.num("regions", Some(m.regions.len()));
    l.str(
        "source",
        Some(match m.source {
            vmscope_core::event::MapsSource::Kernel => "kernel",
            vmscope_core::event::MapsSource::Model => "model",
        }),
    );
    for r in &m.regions {
        l.0.push_str("\n    ");
        l.0.push_str(r.maps_line().trim_end());
    }
}

fn image(i: &ImageEvent, l: &mut Line) {
    let t = &i.thread;
    l.prefix(
        t.pid.map(u64::from),
        t.tid.map(u64::from),
        t.comm.as_deref(),
    );
    l.word("image");
    l.word(match i.op {
        vmscope_core::event::ImageOp::Load => "load",
        vmscope_core::event::ImageOp::Unload => "unload",
    });
    l.word(i.kind.as_str());
    l.str("path", i.path.as_deref());
    let _ = write!(l.0, " base={:#x} end={:#x}", i.base, i.end);
    if let Some(b) = i.load_bias {
        let _ = write!(l.0, " load_bias={b:#x}");
    }
    l.str("build_id", i.build_id.as_deref());
    l.str("soname", i.soname.as_deref());
}

fn net(n: &NetEvent, l: &mut Line) {
    let t = &n.thread;
    l.prefix(
        t.pid.map(u64::from),
        t.tid.map(u64::from),
        t.comm.as_deref(),
    );
    l.word("net");
    l.word(n.op.as_str());
    l.num("fd", Some(n.fd));
    l.str("family", n.family.as_deref());
    l.str("proto", n.proto.as_deref());
    l.str("local", n.local.as_deref());
    l.str("remote", n.remote.as_deref());
    l.num("bytes", n.bytes);
    l.str("syscall", Some(n.syscall));
    l.str("error", n.error.as_deref());
}

fn connection(c: &Connection, l: &mut Line) {
    l.prefix(c.pid.map(u64::from), None, None);
    l.word("connection");
    l.str("comm", c.comm.as_deref());
    l.num("fd", Some(c.fd));
    l.str("family", c.family.as_deref());
    l.str("proto", c.proto.as_deref());
    l.str("local", c.local.as_deref());
    l.str("remote", c.remote.as_deref());
    l.num("bytes_sent", Some(c.bytes_sent));
    l.num("bytes_received", Some(c.bytes_received));
    l.num("opened_ts", Some(c.opened_ts));
    l.num("closed_ts", c.closed_ts);
}

fn file_summary(s: &FileSummary, l: &mut Line) {
    l.word("file_summary");
    l.str("path", Some(&s.path));
    for (k, v) in [
        ("opened_by", &s.opened_by),
        ("read_by", &s.read_by),
        ("written_by", &s.written_by),
        ("renamed_by", &s.renamed_by),
        ("deleted_by", &s.deleted_by),
    ] {
        if !v.is_empty() {
            l.json(k, v);
        }
    }
    l.num("bytes_read", Some(s.bytes_read));
    l.num("bytes_written", Some(s.bytes_written));
    l.json("processes", &s.processes);
}

fn custom(c: &CustomEvent, l: &mut Line) {
    let field = |k: &str| c.fields.iter().find(|(n, _)| n == k).map(|(_, v)| v);
    let int = |v: Option<&FieldValue>| match v {
        Some(FieldValue::UInt(u)) => Some(*u),
        Some(FieldValue::Int(i)) => u64::try_from(*i).ok(),
        _ => None,
    };
    let comm = match field("comm") {
        Some(FieldValue::Str(s)) => Some(s.as_str()),
        _ => None,
    };
    l.prefix(int(field("pid")), int(field("tid")), comm);
    l.word(&c.kind);
    l.str("module", Some(&c.module));
    for (k, v) in &c.fields {
        if matches!(
            k.as_str(),
            "type" | "ts" | "vcpu" | "pid" | "tid" | "comm" | "module"
        ) {
            continue;
        }
        match v {
            FieldValue::Null => {}
            FieldValue::Bool(b) => l.num(k, Some(b)),
            FieldValue::Int(i) => l.num(k, Some(i)),
            FieldValue::UInt(u) => l.num(k, Some(u)),
            FieldValue::Str(s) => l.str(k, Some(s)),
        }
    }
}

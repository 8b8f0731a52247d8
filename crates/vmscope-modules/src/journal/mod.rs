//! The journal: the sink that writes every event, as strace-like text or JSON Lines.
//!
//! Formatting and writing happen on a writer thread, off the vCPU threads. A vCPU hands an event over
//! by pushing it, as it is, onto a queue of its own thread (an uncontended lock, no allocation, no
//! wake-up); the writer polls the queues (see [`WRITER_POLL`]), merges what it took in the order the
//! events were handed over, writes, and flushes whenever all queues run empty, so a crash loses at
//! most the events of the last few milliseconds; every line is written whole. The queues together
//! hold at most [`QUEUE_DEPTH`] events ([`PER_QUEUE`] each): when the writer falls behind, vCPUs
//! wait rather than events being dropped.

use std::cell::Cell;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use vmscope_core::dispatch::Sink;
use vmscope_core::event::spares::SpareCalls;
use vmscope_core::event::{CallRender, Event, RenderedCall};

mod json;
mod text;

/// The journal's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One strace-like line per call.
    Text,
    /// One JSON object per line.
    Jsonl,
}

/// Events queued for the writer, all queues together, before vCPUs have to wait.
pub const QUEUE_DEPTH: usize = QUEUES * PER_QUEUE;

/// Events one queue holds before the threads handing over through it have to wait. Bounded per
/// queue, under the queue's own lock, so a hand-over touches no counter the writer also writes
/// (a shared count cost a locked add per event and a cache line bouncing between the cores).
const PER_QUEUE: usize = 2048;

/// Hand-over queues; threads are spread over them (more threads than queues share).
const QUEUES: usize = 32;

/// How long a vCPU waits before looking again when the queues are full.
const FULL_WAIT: Duration = Duration::from_micros(200);

/// A queued event and its place in the order of hand-over.
type Queued = (u64, Event);

/// What the vCPUs and the writer share.
struct Shared {
    queues: Box<[Mutex<Vec<Queued>>]>,
    /// The next hand-over number.
    seq: AtomicU64,
    /// The next queue a new thread gets.
    next_queue: AtomicUsize,
    /// Set once the writer is gone: later events have nowhere to go.
    closed: AtomicBool,
}

thread_local! {
    /// This thread's queue, once it handed over its first event.
    static QUEUE: Cell<Option<usize>> = const { Cell::new(None) };
}

impl Shared {
    fn queue_of_this_thread(&self) -> usize {
        QUEUE.with(|q| match q.get() {
            Some(i) => i,
            None => {
                let i = self.next_queue.fetch_add(1, Ordering::Relaxed) % QUEUES;
                q.set(Some(i));
                i
            }
        })
    }

    /// Takes every queued event, in hand-over order.
    fn drain(&self, spare: &mut Vec<Queued>, out: &mut Vec<Queued>) {
        for q in &self.queues {
            {
                let mut q = q.lock().unwrap_or_else(PoisonError::into_inner);
                if q.is_empty() {
                    continue;
                }
                std::mem::swap(&mut *q, spare);
            }
            out.append(spare);
        }
        // Each queue is in order already; a stable sort merges the runs in linear time.
        out.sort_by_key(|(seq, _)| *seq);
    }
}

enum Ctl {
    Flush(SyncSender<()>),
}

/// The journal sink.
pub struct Journal {
    shared: Arc<Shared>,
    tx: SyncSender<Ctl>,
    writer: Mutex<Option<JoinHandle<()>>>,
}

impl Journal {
    /// Starts the writer thread over `out`; `calls` renders system calls there (the OS layer's
    /// decoder), off the vCPUs.
    pub fn new(
        format: Format,
        out: Box<dyn Write + Send>,
        calls: Arc<dyn CallRender>,
    ) -> io::Result<Self> {
        Self::recycling(format, out, calls, None)
    }

    /// [`Journal::new`], giving every system-call event it wrote back to `spares` for the vCPUs'
    /// next calls.
    pub fn recycling(
        format: Format,
        out: Box<dyn Write + Send>,
        calls: Arc<dyn CallRender>,
        spares: Option<Arc<SpareCalls>>,
    ) -> io::Result<Self> {
        let shared = Arc::new(Shared {
            queues: (0..QUEUES).map(|_| Mutex::new(Vec::new())).collect(),
            seq: AtomicU64::new(0),
            next_queue: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
        });
        let (tx, rx) = sync_channel(4);
        let for_writer = shared.clone();
        let writer = std::thread::Builder::new()
            .name("vmscope-journal".into())
            .spawn(move || write_loop(format, out, &*calls, spares.as_deref(), &for_writer, rx))?;
        Ok(Self {
            shared,
            tx,
            writer: Mutex::new(Some(writer)),
        })
    }
}

impl Sink for Journal {
    fn emit(&self, event: Event) {
        let sh = &*self.shared;
        let mut event = Some(event);
        let queue = &sh.queues[sh.queue_of_this_thread()];
        while let Some(ev) = event.take() {
            if sh.closed.load(Ordering::Relaxed) {
                return;
            }
            let mut q = queue.lock().unwrap_or_else(PoisonError::into_inner);
            if q.len() >= PER_QUEUE {
                // The writer is behind: wait for it rather than drop the event.
                drop(q);
                event = Some(ev);
                std::thread::sleep(FULL_WAIT);
                continue;
            }
            // Numbered under the queue's lock, so every queue is in hand-over order.
            let seq = sh.seq.fetch_add(1, Ordering::Relaxed);
            q.push((seq, ev));
        }
    }

    fn flush(&self) {
        let (ack_tx, ack_rx) = sync_channel(1);
        if self.tx.send(Ctl::Flush(ack_tx)).is_ok() {
            let _ = ack_rx.recv();
        }
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        self.flush();
        let handle = self
            .writer
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        // The writer ends when the last sender is gone; our `tx` drops after this body.
        drop(handle);
    }
}

/// How long the writer sleeps when the queues are empty. It polls instead of being woken so that
/// vCPUs handing over an event never have to wake it (a futex wake-up per event cost more than the
/// event itself); this is also the longest an event waits before it is handed to the OS.
pub const WRITER_POLL: Duration = Duration::from_millis(2);

fn write_loop(
    format: Format,
    out: Box<dyn Write + Send>,
    calls: &dyn CallRender,
    spares: Option<&SpareCalls>,
    shared: &Shared,
    rx: Receiver<Ctl>,
) {
    let mut scratch = RenderedCall::default();
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    let mut line = Vec::with_capacity(512);
    let mut failed = false;
    let mut spare = Vec::new();
    let mut batch: Vec<Queued> = Vec::new();
    let report = |e: io::Error, failed: &mut bool| {
        if !*failed {
            *failed = true;
            eprintln!("vmscope: cannot write the journal: {e}; later events are lost");
        }
    };
    let mut written = Vec::new();
    let mut write_batch =
        |batch: &mut Vec<Queued>, out: &mut io::BufWriter<_>, failed: &mut bool| {
            for (_, ev) in batch.drain(..) {
                line.clear();
                render(format, &ev, calls, &mut scratch, &mut line);
                if !*failed && let Err(e) = out.write_all(&line) {
                    report(e, failed);
                }
                if let (Some(_), Event::Syscall(call)) = (spares, ev) {
                    written.push(call);
                }
            }
            if let Some(s) = spares {
                s.give(&mut written);
            }
        };
    loop {
        // Control first, so a flush sees every event handed over before it was asked for.
        let ctl = rx.try_recv();
        shared.drain(&mut spare, &mut batch);
        let (idle, taken) = (batch.is_empty(), batch.len());
        write_batch(&mut batch, &mut out, &mut failed);
        match ctl {
            Ok(Ctl::Flush(ack)) => {
                if !failed && let Err(e) = out.flush() {
                    report(e, &mut failed);
                }
                let _ = ack.send(());
            }
            Err(TryRecvError::Empty) if idle => {
                // The queues ran empty: hand what we have to the OS so a crash loses little.
                if !failed && let Err(e) = out.flush() {
                    report(e, &mut failed);
                }
                std::thread::sleep(WRITER_POLL);
            }
            Err(TryRecvError::Empty) => {
                // Busy, but not behind: let the queues fill for a while rather than take their
                // locks again at once (a vCPU finding its queue locked has to wait in the kernel).
                if taken < PER_QUEUE / 4 {
                    std::thread::sleep(WRITER_POLL);
                }
            }
            Err(TryRecvError::Disconnected) => break,
        }
    }
    shared.closed.store(true, Ordering::Relaxed);
    shared.drain(&mut spare, &mut batch);
    write_batch(&mut batch, &mut out, &mut failed);
    let _ = out.flush();
}

/// Renders one event as one line (with its newline). `calls` renders system calls; `scratch` is a
/// buffer reused between events.
pub fn render(
    format: Format,
    ev: &Event,
    calls: &dyn CallRender,
    scratch: &mut RenderedCall,
    out: &mut Vec<u8>,
) {
    match format {
        Format::Text => text::render(ev, calls, scratch, out),
        Format::Jsonl => json::render(ev, calls, scratch, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vmscope_core::arch::EntryKind;
    use vmscope_core::event::{Abi, CallEnd, ThreadCtx};
    use vmscope_core::guest::TestGuest;
    use vmscope_linux::syscalls::{DecodeOptions, Decoder};

    fn decoder() -> Arc<dyn CallRender> {
        Arc::new(Decoder::new(DecodeOptions::default()))
    }

    /// `openat(AT_FDCWD, "/etc/fstab", O_RDONLY) = 3` by thread 43 of process 42.
    fn call(end: CallEnd) -> Event {
        let mut g = TestGuest::new();
        g.write(0x4000, b"/etc/fstab\0");
        let thread = ThreadCtx {
            pid: Some(42),
            tid: Some(43),
            comm: Some("fstab".into()),
            task: 0xffff_8880_0000_0000,
            asid: 0x1000,
        };
        let ret = (end == CallEnd::Returned).then_some(3);
        let mut ev = crate::test_support::syscall_event(
            Abi::X86_64,
            "openat",
            thread,
            [0xffff_ff9c, 0x4000, 0, 0, 0, 0],
            ret,
            Some(&mut g),
        );
        ev.ts = 5;
        ev.ts_exit = ret.map(|_| 9);
        ev.vcpu = 1;
        ev.end = end;
        Event::Syscall(Box::new(ev))
    }

    fn line(format: Format, ev: &Event) -> String {
        let mut out = vec![];
        render(
            format,
            ev,
            &*decoder(),
            &mut RenderedCall::default(),
            &mut out,
        );
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_fast_syscall_json_has_the_documented_fields_in_order() {
        for end in [CallEnd::Returned, CallEnd::NoReturn, CallEnd::Unfinished] {
            let mut ev = call(end);
            if let Event::Syscall(c) = &mut ev
                && end == CallEnd::Unfinished
            {
                c.thread = ThreadCtx::default();
                c.entry = EntryKind::Sysenter;
                c.ts_exit = None;
            }
            let Event::Syscall(c) = &ev else { panic!() };
            let text = line(Format::Jsonl, &ev);
            let expected = serde_json::json!({
                "type": "syscall",
                "ts": c.ts,
                "ts_exit": c.ts_exit,
                "vcpu": c.vcpu,
                "pid": c.thread.pid,
                "tid": c.thread.tid,
                "comm": c.thread.comm.as_deref(),
                "abi": "x86_64",
                "entry": if end == CallEnd::Unfinished { "sysenter" } else { "syscall" },
                "nr": 257,
                "name": "openat",
                "args": ["AT_FDCWD", "\"/etc/fstab\"", "O_RDONLY"],
                "raw": c.raw,
                "ret": c.ret,
                "ret_text": if end == CallEnd::Returned { "3" } else { "?" },
                "end": json::end_name(end),
            });
            assert_eq!(text, format!("{expected}\n"));
        }
    }

    #[test]
    fn text_lines_look_like_strace_with_a_thread_prefix() {
        assert_eq!(
            line(Format::Text, &call(CallEnd::Returned)),
            "[pid    42 tid    43 fstab] openat(AT_FDCWD, \"/etc/fstab\", O_RDONLY) = 3\n"
        );
        assert!(
            line(Format::Text, &call(CallEnd::Unfinished))
                .ends_with("O_RDONLY) <unfinished ...>\n")
        );
    }

    #[test]
    fn named_descriptors_follow_their_numbers_in_text_and_have_fields_in_json() {
        use std::sync::Arc;
        let mut ev = call(CallEnd::Returned);
        if let Event::Syscall(c) = &mut ev {
            c.data.fd_names = Some(Box::new(vmscope_core::event::FdNames {
                ret: Some(Arc::from("/etc/fstab")),
                ..Default::default()
            }));
        }
        assert_eq!(
            line(Format::Text, &ev),
            "[pid    42 tid    43 fstab] openat(AT_FDCWD, \"/etc/fstab\", O_RDONLY) = 3</etc/fstab>\n"
        );
        let v: serde_json::Value = serde_json::from_str(&line(Format::Jsonl, &ev)).unwrap();
        assert_eq!(v["ret_text"], "3");
        assert_eq!(v["ret_fd_name"], "/etc/fstab");
        assert!(v.get("fd_names").is_none());
        // A descriptor argument: `fd_names` says which argument (its index in `args`).
        let mut g = TestGuest::new();
        g.write(0x5000, b"UUID");
        let mut c = crate::test_support::syscall_event(
            Abi::I386,
            "read",
            ThreadCtx::default(),
            [5, 0x5000, 4, 0, 0, 0],
            Some(4),
            Some(&mut g),
        );
        let mut names = vmscope_core::event::FdNames::default();
        names.args[0] = Some(Arc::from("/tmp/a>b"));
        c.data.fd_names = Some(Box::new(names));
        let ev = Event::Syscall(Box::new(c));
        assert!(
            line(Format::Text, &ev).contains("read(5</tmp/a\\76b>, \"UUID\", 4) = 4"),
            "{}",
            line(Format::Text, &ev)
        );
        let v: serde_json::Value = serde_json::from_str(&line(Format::Jsonl, &ev)).unwrap();
        assert_eq!(v["args"][0], "5");
        assert_eq!(
            v["fd_names"],
            serde_json::json!([{"arg": 0, "name": "/tmp/a>b"}])
        );
        assert!(v.get("ret_fd_name").is_none());
    }

    #[test]
    fn json_lines_carry_the_documented_fields() {
        let v: serde_json::Value =
            serde_json::from_str(&line(Format::Jsonl, &call(CallEnd::Returned))).unwrap();
        assert_eq!(v["type"], "syscall");
        assert_eq!(v["pid"], 42);
        assert_eq!(v["tid"], 43);
        assert_eq!(v["comm"], "fstab");
        assert_eq!(v["abi"], "x86_64");
        assert_eq!(v["nr"], 257);
        assert_eq!(v["name"], "openat");
        assert_eq!(v["args"][1], "\"/etc/fstab\"");
        assert_eq!(v["raw"][0], 0xffff_ff9cu64);
        assert_eq!(v["ret"], 3);
        assert_eq!(v["ts"], 5);
        assert_eq!(v["vcpu"], 1);
        assert!(v.get("task").is_none());
        let v: serde_json::Value =
            serde_json::from_str(&line(Format::Jsonl, &call(CallEnd::NoReturn))).unwrap();
        assert!(v["ret"].is_null());
        assert_eq!(v["end"], "no_return");
    }

    #[test]
    fn other_events_render_each_in_their_own_way() {
        use vmscope_core::event::{CustomEvent, FieldValue, ProcessEvent, ProcessOp, Seen};
        let ev = Event::Custom(CustomEvent {
            ts: 1,
            kind: "alert".into(),
            module: "ids".into(),
            fields: vec![
                ("pid".into(), FieldValue::UInt(42)),
                ("path".into(), FieldValue::Str("/etc/shadow".into())),
            ],
        });
        let v: serde_json::Value = serde_json::from_str(&line(Format::Jsonl, &ev)).unwrap();
        assert_eq!(v["type"], "alert");
        assert_eq!(v["module"], "ids");
        assert_eq!(v["path"], "/etc/shadow");
        assert_eq!(
            line(Format::Text, &ev),
            "[pid    42] alert module=\"ids\" path=\"/etc/shadow\"\n"
        );
        let mut p = ProcessEvent::new(3, 0, ProcessOp::Exec, 153, 153, Seen::Call);
        p.ppid = Some(152);
        p.comm = Some("wl-lifecycle".into());
        p.path = Some("/bin/wl-lifecycle".into());
        p.argv = Some(vec!["wl-lifecycle".into(), "two words".into()]);
        p.syscall = Some("execve");
        assert_eq!(
            line(Format::Text, &Event::Process(Box::new(p))),
            "[pid   153 tid   153 wl-lifecycle] process exec ppid=152 path=\"/bin/wl-lifecycle\" \
             argv=[\"wl-lifecycle\",\"two words\"] syscall=\"execve\" seen=\"call\"\n"
        );
    }

    #[test]
    fn hardware_events_render_as_a_timeline_and_summaries() {
        use vmscope_core::event::{
            CoverageEvent, DeviceSpace, DeviceSummary, DeviceUser, SchedSummary, SwitchEvent,
            VcpuTime,
        };
        let sw = Event::Switch(SwitchEvent {
            ts: 1_500_000_000,
            vcpu: 1,
            pid: Some(146),
            tid: Some(149),
            comm: Some("wl-lifecycle".into()),
            prev_pid: Some(52),
            prev_tid: Some(52),
        });
        assert_eq!(
            line(Format::Text, &sw),
            "    1.500000 |   |>> cpu1 146/149 wl-lifecycle  (was 52)\n"
        );
        let v: serde_json::Value = serde_json::from_str(&line(Format::Jsonl, &sw)).unwrap();
        assert_eq!(
            (v["type"].as_str(), v["prev_tid"].as_u64()),
            (Some("switch"), Some(52))
        );
        let s = Event::SchedSummary(Box::new(SchedSummary {
            ts: 9,
            pid: Some(146),
            tid: Some(146),
            comm: Some("wl-lifecycle".into()),
            total_ns: 3_000_000,
            vcpus: vec![VcpuTime {
                vcpu: 0,
                ns: 3_000_000,
                switches: 4,
            }],
        }));
        assert_eq!(
            line(Format::Text, &s),
            "sched_summary 146 wl-lifecycle total=3.000ms cpu0=3.000msx4\n"
        );
        let d = Event::DeviceSummary(Box::new(DeviceSummary {
            ts: 9,
            space: DeviceSpace::Pio,
            device: "serial0".into(),
            base: 0x3f8,
            reads: 1,
            writes: 2,
            bytes_read: 1,
            bytes_written: 2,
            registers: vec![],
            processes: vec![DeviceUser {
                pid: Some(1),
                comm: Some("init".into()),
                accesses: 3,
            }],
        }));
        assert_eq!(
            line(Format::Text, &d),
            "device_summary pio serial0 base=0x3f8 reads=1 writes=2 bytes_read=1 bytes_written=2 \
             processes=1:init=3\n"
        );
        let v: serde_json::Value = serde_json::from_str(&line(Format::Jsonl, &d)).unwrap();
        assert_eq!(
            (v["space"].as_str(), v["base"].as_str()),
            (Some("pio"), Some("0x3f8"))
        );
        let c = Event::Coverage(Box::new(CoverageEvent {
            ts: 9,
            pid: Some(7),
            comm: Some("wl".into()),
            when: "exit",
            file: "/c/wl-7.drcov".into(),
            blocks: 10,
            modules: 2,
            outside: 0,
            error: None,
        }));
        assert_eq!(
            line(Format::Text, &c),
            "[pid     7] coverage exit comm=\"wl\" file=\"/c/wl-7.drcov\" blocks=10 modules=2 outside=0\n"
        );
    }

    #[test]
    fn memory_maps_and_image_events_render_as_proc_maps_and_hex() {
        use vmscope_core::event::{
            ImageEvent, ImageKind, ImageOp, MapsSnapshot, MapsSource, MapsWhen, MemoryEvent,
            MemoryOp, Region, ThreadCtx,
        };
        let thread = ThreadCtx {
            pid: Some(7),
            tid: Some(8),
            comm: Some("ld".into()),
            task: 1,
            asid: 2,
        };
        let region = Region {
            start: 0x7f00_0000_2000,
            end: 0x7f00_0002_0000,
            perms: *b"r-xp",
            offset: 0x2000,
            path: Some("/usr/lib/libc.so.6".into()),
        };
        let m = Event::Memory(Box::new(MemoryEvent {
            ts: 3,
            vcpu: 0,
            thread: thread.clone(),
            op: MemoryOp::Map,
            region: region.clone(),
            old_start: None,
            old_end: None,
            syscall: "mmap",
        }));
        let v: serde_json::Value = serde_json::from_str(&line(Format::Jsonl, &m)).unwrap();
        assert_eq!(
            (&v["type"], &v["op"], &v["pid"], &v["tid"], &v["comm"]),
            (
                &"memory".into(),
                &"map".into(),
                &7.into(),
                &8.into(),
                &"ld".into()
            )
        );
        assert_eq!(
            (
                &v["start"],
                &v["end"],
                &v["perms"],
                &v["offset"],
                &v["path"]
            ),
            (
                &"0x7f0000002000".into(),
                &"0x7f0000020000".into(),
                &"r-xp".into(),
                &"0x2000".into(),
                &"/usr/lib/libc.so.6".into()
            )
        );
        assert!(v.get("old_start").is_none());
        assert_eq!(
            line(Format::Text, &m),
            "[pid     7 tid     8 ld] memory map 7f0000002000-7f0000020000 r-xp 00002000 \
             /usr/lib/libc.so.6 syscall=\"mmap\"\n"
        );
        let s = Event::Maps(Box::new(MapsSnapshot {
            ts: 4,
            pid: Some(7),
            comm: Some("ld".into()),
            when: MapsWhen::Exit,
            exe: None,
            source: MapsSource::Model,
            regions: vec![
                region.clone(),
                Region {
                    path: None,
                    ..region.clone()
                },
            ],
        }));
        let v: serde_json::Value = serde_json::from_str(&line(Format::Jsonl, &s)).unwrap();
        assert_eq!(
            (&v["type"], &v["when"], &v["source"]),
            (&"maps".into(), &"exit".into(), &"model".into())
        );
        assert_eq!(v["regions"][0]["start"], "0x7f0000002000");
        assert!(v["regions"][1]["path"].is_null());
        assert_eq!(
            line(Format::Text, &s),
            "[pid     7] maps exit comm=\"ld\" regions=2 source=\"model\"\n    \
             7f0000002000-7f0000020000 r-xp 00002000 /usr/lib/libc.so.6\n    \
             7f0000002000-7f0000020000 r-xp 00002000\n"
        );
        let i = Event::Image(Box::new(ImageEvent {
            ts: 5,
            vcpu: 0,
            thread,
            op: ImageOp::Load,
            kind: ImageKind::Library,
            path: Some("/usr/lib/libc.so.6".into()),
            base: 0x7f00_0000_0000,
            end: 0x7f00_0002_8000,
            load_bias: Some(0x7f00_0000_0000),
            build_id: Some("abcd".into()),
            soname: None,
        }));
        let v: serde_json::Value = serde_json::from_str(&line(Format::Jsonl, &i)).unwrap();
        assert_eq!(
            (
                &v["type"],
                &v["op"],
                &v["kind"],
                &v["base"],
                &v["load_bias"],
                &v["build_id"]
            ),
            (
                &"image".into(),
                &"load".into(),
                &"library".into(),
                &"0x7f0000000000".into(),
                &"0x7f0000000000".into(),
                &"abcd".into()
            )
        );
        assert!(v.get("soname").is_none());
    }

    #[test]
    fn net_and_connection_events_render_as_text_and_json() {
        use vmscope_core::event::{Connection, NetEvent, NetOp, ThreadCtx};
        let n = Event::Net(Box::new(NetEvent {
            ts: 1,
            vcpu: 0,
            thread: ThreadCtx {
                pid: Some(7),
                tid: Some(8),
                comm: Some("cli".into()),
                task: 1,
                asid: 2,
            },
            op: NetOp::Send,
            fd: 3,
            family: Some("inet6".into()),
            proto: Some("tcp".into()),
            local: None,
            remote: Some("[::1]:7778".into()),
            bytes: Some(5),
            syscall: "sendto",
            error: None,
        }));
        assert_eq!(
            line(Format::Text, &n),
            "[pid     7 tid     8 cli] net send fd=3 family=\"inet6\" proto=\"tcp\" \
             remote=\"[::1]:7778\" bytes=5 syscall=\"sendto\"\n"
        );
        let v: serde_json::Value = serde_json::from_str(&line(Format::Jsonl, &n)).unwrap();
        assert_eq!(
            (&v["type"], &v["op"], &v["pid"], &v["remote"], &v["bytes"]),
            (
                &"net".into(),
                &"send".into(),
                &7.into(),
                &"[::1]:7778".into(),
                &5.into()
            )
        );
        assert!(v.get("local").is_none() && v.get("error").is_none());
        let c = Event::Connection(Box::new(Connection {
            pid: Some(7),
            comm: Some("cli".into()),
            fd: 3,
            family: Some("unix".into()),
            proto: Some("stream".into()),
            local: Some("@abs".into()),
            remote: None,
            bytes_sent: 10,
            bytes_received: 2,
            opened_ts: 1,
            closed_ts: None,
        }));
        assert_eq!(
            line(Format::Text, &c),
            "[pid     7] connection comm=\"cli\" fd=3 family=\"unix\" proto=\"stream\" \
             local=\"@abs\" bytes_sent=10 bytes_received=2 opened_ts=1\n"
        );
        let v: serde_json::Value = serde_json::from_str(&line(Format::Jsonl, &c)).unwrap();
        assert_eq!(
            (&v["type"], &v["bytes_sent"], &v["closed_ts"]),
            (&"connection".into(), &10.into(), &serde_json::Value::Null)
        );
    }

    /// A journal output the test can read while the writer holds its own handle.
    #[derive(Clone, Default)]
    struct Shared(std::sync::Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_writer_thread_writes_everything_before_flush_returns() {
        let buf = Shared::default();
        let j = Journal::new(Format::Jsonl, Box::new(buf.clone()), decoder()).unwrap();
        for _ in 0..1000 {
            j.emit(call(CallEnd::Returned));
        }
        j.flush();
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        assert_eq!(text.lines().count(), 1000);
    }

    #[test]
    fn events_from_many_threads_all_arrive_each_threads_in_order() {
        let buf = Shared::default();
        let j = std::sync::Arc::new(
            Journal::new(Format::Jsonl, Box::new(buf.clone()), decoder()).unwrap(),
        );
        // More events than the queues hold: the emitting threads must wait, nothing is dropped.
        let per_thread = QUEUE_DEPTH / 2;
        let threads: Vec<_> = (0..4u32)
            .map(|t| {
                let j = j.clone();
                std::thread::spawn(move || {
                    for i in 0..per_thread {
                        let mut ev = call(CallEnd::Returned);
                        if let Event::Syscall(c) = &mut ev {
                            c.vcpu = t;
                            c.ts = i as u64;
                        }
                        j.emit(ev);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        j.flush();
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        let mut next = [0u64; 4];
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let t = v["vcpu"].as_u64().unwrap() as usize;
            assert_eq!(
                v["ts"].as_u64().unwrap(),
                next[t],
                "thread {t} out of order"
            );
            next[t] += 1;
        }
        assert_eq!(next, [per_thread as u64; 4]);
    }
}

//! The images module (application level): the ELF objects loaded in each process — its program, its
//! dynamic loader, its shared libraries and the kernel's vDSO — found from the memory module's output
//! and the ELF headers in guest memory.
//!
//! A candidate is every file mapping at offset 0 (and the `[vdso]`): from the `first_seen` and
//! `exec` snapshots (there the program is the mapping of `/proc/PID/exe`, and at an exec any other file
//! is the loader the kernel mapped) and from `map` events (libraries, mapped by the loader or
//! `dlopen`). Its ELF header, program headers, `PT_DYNAMIC`, `DT_SONAME` and `NT_GNU_BUILD_ID` are
//! read from the process's memory; an object with no executable segment (a data file, a debug file)
//! is not an image.
//!
//! A page mapped but never touched cannot be read (the kernel has not faulted it in): such a
//! candidate waits, and is tried again at each later call of its process until its header can be
//! read — the loader touches it soon after for the objects it loads (and its dynamic section, for
//! `DT_SONAME`: an image whose section is not in yet waits for it the same way). One that never can be read is
//! published without its headers (`load_bias` and `build_id` null) if an executable mapping of its
//! file was seen, after [`MAX_TRIES`] calls or when tracing stops. An `unmap` covering an image's base
//! unloads it.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use vmscope_core::event::{
    Event, EventKind, EventMask, ImageEvent, ImageKind, ImageOp, MapsSnapshot, MapsWhen,
    MemoryEvent, MemoryOp, Region, ThreadCtx,
};
use vmscope_core::guest::{GuestCpu, GuestMemory};
use vmscope_core::module::{Bus, Interest, Module};
use vmscope_linux::elf;

/// Calls of its process a candidate whose header cannot be read waits at most.
pub const MAX_TRIES: u32 = 64;
/// Candidates and images kept per process at most.
pub const MAX_PER_PROCESS: usize = 4096;
/// Processes kept at most.
pub const MAX_PROCESSES: usize = 16384;

/// A file mapping at offset 0 that may be an ELF image.
#[derive(Debug, Clone)]
struct Candidate {
    base: u64,
    /// The highest end of its file's mappings from `base` on, so far.
    end: u64,
    path: Option<String>,
    /// `None`: a library, or the loader if its name is the program's interpreter's.
    kind: Option<ImageKind>,
    ts: u64,
    vcpu: u32,
    thread: ThreadCtx,
    tries: u32,
    /// An executable mapping of its file was seen.
    code_seen: bool,
}

#[derive(Debug, Default)]
struct Proc {
    exe: Option<String>,
    /// The program's `PT_INTERP`, by file name.
    interp: Option<String>,
    loaded: BTreeMap<u64, ImageEvent>,
    pending: Vec<Candidate>,
}

/// The images module.
#[derive(Default)]
pub struct Images {
    procs: Mutex<HashMap<u32, Proc>>,
    /// Candidates waiting in all processes (checked without the lock at every call).
    waiting: AtomicUsize,
}

fn file_name(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

/// What reading a candidate's headers found.
enum Read {
    /// Not readable yet.
    Wait,
    /// Not an image.
    No,
    /// An image; `false` while its dynamic section cannot be read yet (the loader reads it, and so
    /// faults it in, right after mapping the object).
    Image(elf::ElfImage, bool),
}

fn read<M: GuestMemory + ?Sized>(mem: &mut M, base: u64) -> Read {
    let mut magic = [0u8; 4];
    if !mem.read(base, &mut magic) {
        return Read::Wait;
    }
    if &magic != b"\x7fELF" {
        return Read::No;
    }
    match elf::read_image(mem, base) {
        Some(i) if i.has_code() => {
            // Whole when its DT_SONAME, if it has one, could be read (the string table may still be
            // out when the dynamic section is in).
            let whole = i.dynamic.is_none()
                || i.soname.is_some()
                || elf::read_dynamic(mem, &i).is_some_and(|d| d.soname.is_none());
            Read::Image(i, whole)
        }
        // A header that reads but whose program headers do not (yet): wait for them.
        None if !mem.read(base + 64, &mut [0u8; 1]) => Read::Wait,
        _ => Read::No,
    }
}

impl Images {
    /// The module's name.
    pub const NAME: &'static str = "images";

    /// An images module.
    pub fn new() -> Self {
        Self::default()
    }

    fn set_waiting(&self, procs: &HashMap<u32, Proc>) {
        self.waiting.store(
            procs.values().map(|p| p.pending.len()).sum(),
            Ordering::Relaxed,
        );
    }

    /// The load event of a candidate, with what its headers say when they were read.
    fn loaded(p: &Proc, c: &Candidate, image: Option<&elf::ElfImage>) -> ImageEvent {
        let kind = c.kind.unwrap_or_else(|| {
            let is_loader = p.interp.as_deref().is_some_and(|i| {
                c.path
                    .as_deref()
                    .is_some_and(|path| file_name(path) == file_name(i))
            });
            if is_loader {
                ImageKind::Interpreter
            } else {
                ImageKind::Library
            }
        });
        ImageEvent {
            ts: c.ts,
            vcpu: c.vcpu,
            thread: c.thread.clone(),
            op: ImageOp::Load,
            kind,
            path: c.path.clone(),
            base: c.base,
            end: image.map_or(c.end, |i| i.end),
            load_bias: image.map(|i| i.load_bias),
            build_id: image.and_then(|i| i.build_id.clone()),
            soname: image.and_then(|i| i.soname.clone()),
        }
    }

    /// Tries the candidates of `p` (the program's first: its interpreter names the loader); publishes
    /// the images found.
    fn resolve(p: &mut Proc, mem: &mut dyn GuestMemory, give_up: bool, bus: &mut Bus) {
        p.pending.sort_by_key(|c| c.kind != Some(ImageKind::Exe));
        let mut keep = Vec::new();
        for mut c in std::mem::take(&mut p.pending) {
            match read(mem, c.base) {
                Read::Image(_, false) if !give_up && c.tries + 1 < MAX_TRIES => {
                    c.tries += 1;
                    keep.push(c);
                }
                Read::Image(i, _) => {
                    if c.kind == Some(ImageKind::Exe) {
                        p.interp = i.interp.clone();
                    }
                    let ev = Self::loaded(p, &c, Some(&i));
                    p.loaded.insert(c.base, ev.clone());
                    bus.publish(Event::Image(Box::new(ev)));
                }
                Read::No => {}
                Read::Wait => {
                    c.tries += 1;
                    if give_up || c.tries >= MAX_TRIES {
                        if c.code_seen {
                            let ev = Self::loaded(p, &c, None);
                            p.loaded.insert(c.base, ev.clone());
                            bus.publish(Event::Image(Box::new(ev)));
                        }
                    } else {
                        keep.push(c);
                    }
                }
            }
        }
        p.pending = keep;
    }

    fn on_snapshot(&self, s: &MapsSnapshot, cpu: &mut dyn GuestCpu, bus: &mut Bus) {
        let Some(pid) = s.pid else {
            return;
        };
        let mut procs = self.procs.lock().unwrap_or_else(PoisonError::into_inner);
        match s.when {
            MapsWhen::Exit => {
                // A last try (the exit is seen at the call's entry, its memory still there).
                if let Some(mut p) = procs.remove(&pid) {
                    Self::resolve(&mut p, cpu, true, bus);
                }
            }
            MapsWhen::End => {}
            MapsWhen::Exec | MapsWhen::FirstSeen => {
                if !procs.contains_key(&pid) && procs.len() >= MAX_PROCESSES {
                    return;
                }
                let exec = s.when == MapsWhen::Exec;
                let p = procs.entry(pid).or_default();
                *p = Proc {
                    exe: s.exe.clone(),
                    ..Proc::default()
                };
                let thread = ThreadCtx {
                    pid: Some(pid),
                    comm: s.comm.as_deref().map(Into::into),
                    ..ThreadCtx::default()
                };
                for r in &s.regions {
                    let kind = if r.path.as_deref() == Some("[vdso]") {
                        Some(ImageKind::Vdso)
                    } else if r.file_backed() && r.offset == 0 {
                        if r.path == p.exe {
                            Some(ImageKind::Exe)
                        } else if exec {
                            // At an exec the kernel has mapped the program and its loader only.
                            Some(ImageKind::Interpreter)
                        } else {
                            None
                        }
                    } else {
                        continue;
                    };
                    let mut c = Candidate {
                        base: r.start,
                        end: r.end,
                        path: r.path.clone(),
                        kind,
                        ts: s.ts,
                        vcpu: 0,
                        thread: thread.clone(),
                        tries: 0,
                        code_seen: r.executable(),
                    };
                    for o in s
                        .regions
                        .iter()
                        .filter(|o| o.start > r.start && o.path == r.path)
                    {
                        c.end = c.end.max(o.end);
                        c.code_seen |= o.executable();
                    }
                    if p.pending.len() < MAX_PER_PROCESS {
                        p.pending.push(c);
                    }
                }
                Self::resolve(p, cpu, false, bus);
            }
        }
        self.set_waiting(&procs);
    }

    fn on_memory(&self, m: &MemoryEvent, cpu: &mut dyn GuestCpu, bus: &mut Bus) {
        let Some(pid) = m.thread.pid else {
            return;
        };
        let r = &m.region;
        let mut procs = self.procs.lock().unwrap_or_else(PoisonError::into_inner);
        // Processes the memory module has not snapshotted are not followed.
        let Some(p) = procs.get_mut(&pid) else {
            return;
        };
        match m.op {
            MemoryOp::Unmap => {
                let gone: Vec<u64> = p.loaded.range(r.start..r.end).map(|(b, _)| *b).collect();
                for b in gone {
                    if let Some(mut ev) = p.loaded.remove(&b) {
                        ev.op = ImageOp::Unload;
                        ev.ts = m.ts;
                        ev.vcpu = m.vcpu;
                        ev.thread = m.thread.clone();
                        bus.publish(Event::Image(Box::new(ev)));
                    }
                }
                p.pending.retain(|c| c.base < r.start || c.base >= r.end);
            }
            MemoryOp::Map | MemoryOp::Protect | MemoryOp::Remap => {
                if r.file_backed() {
                    // Another mapping of a waiting candidate's file: its code, its extent.
                    for c in p
                        .pending
                        .iter_mut()
                        .filter(|c| c.path == r.path && r.start >= c.base)
                    {
                        c.end = c.end.max(r.end);
                        c.code_seen |= r.executable();
                    }
                }
                let new = m.op == MemoryOp::Map
                    && r.file_backed()
                    && r.offset == 0
                    && !p.pending.iter().any(|c| c.base == r.start)
                    && !covered(&p.loaded, r);
                if new && p.pending.len() < MAX_PER_PROCESS {
                    let kind = (r.path == p.exe).then_some(ImageKind::Exe);
                    p.pending.push(Candidate {
                        base: r.start,
                        end: r.end,
                        path: r.path.clone(),
                        kind,
                        ts: m.ts,
                        vcpu: m.vcpu,
                        thread: m.thread.clone(),
                        tries: 0,
                        code_seen: r.executable(),
                    });
                }
                if !p.pending.is_empty() {
                    Self::resolve(p, cpu, false, bus);
                }
            }
            MemoryOp::Brk => {}
        }
        self.set_waiting(&procs);
    }
}

/// Whether a loaded image of the same file already spans `r` (a segment mapped over the loader's
/// first reservation).
fn covered(loaded: &BTreeMap<u64, ImageEvent>, r: &Region) -> bool {
    loaded
        .range(..=r.start)
        .next_back()
        .is_some_and(|(_, i)| i.end > r.start && i.path == r.path)
}

impl Module for Images {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn depends(&self) -> &[&str] {
        &[crate::memory::Memory::NAME]
    }

    fn interest(&self) -> Interest {
        Interest {
            entries: false,
            exits: false,
            page_table_switches: false,
            events: EventMask::NONE
                .with(EventKind::Maps)
                .with(EventKind::Memory)
                .with(EventKind::Syscall),
            ..Interest::default()
        }
    }

    fn on_event(&self, event: &Event, cpu: &mut dyn GuestCpu, bus: &mut Bus) {
        match event {
            Event::Maps(s) => self.on_snapshot(s, cpu, bus),
            Event::Memory(m) => self.on_memory(m, cpu, bus),
            // A later call of a process with candidates waiting: their pages may be in now.
            Event::Syscall(c) if self.waiting.load(Ordering::Relaxed) != 0 => {
                let Some(pid) = c.thread.pid else {
                    return;
                };
                let mut procs = self.procs.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some(p) = procs.get_mut(&pid).filter(|p| !p.pending.is_empty()) {
                    Self::resolve(p, cpu, false, bus);
                    self.set_waiting(&procs);
                }
            }
            _ => {}
        }
    }

    fn on_stop(&self, bus: &mut Bus) {
        let mut procs = self.procs.lock().unwrap_or_else(PoisonError::into_inner);
        let mut pids: Vec<u32> = procs.keys().copied().collect();
        pids.sort_unstable();
        for pid in pids {
            if let Some(p) = procs.get_mut(&pid) {
                Self::resolve(p, &mut vmscope_core::guest::Unreadable, true, bus);
            }
        }
        self.set_waiting(&procs);
    }
}

#[cfg(test)]
mod tests;

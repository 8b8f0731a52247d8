//! The stacks module (source level): the user-space call stack of every system call, with symbols
//! and, given the images' debug files on the host (`--debug-dir`), source files and lines.
//!
//! It takes each process's images from the images module's events (path, base, load bias,
//! build-id), and is called by the syscall detector at every entry ([`CallStacks`]), on the vCPU:
//! frame 0 is where the call returns to (the instruction after the entry), the caller frames come
//! from a walk of the user stack (`vmscope_linux::unwind`: `.eh_frame` rules, frame pointers as the
//! fallback), bounded by the depth asked for.
//!
//! Everything is resolved there too, on the vCPU, and cached: per object (keyed by build-id, else by
//! path and load bias) the CFI table, the symbol table (`.dynsym` read once from guest memory, merged
//! with `.symtab` from the host file) and the line table; per object and pc the CFI rule and the
//! resolved frame. The reason: the `.dynsym` and `.eh_frame` of an image can only be read with a vCPU
//! in a process that maps it, and which image a pc belongs to is only true at the call (a `dlclose`
//! may unmap it before the journal writes the event). After the first calls through a code path, a
//! stack costs a few reads of the user stack and hash lookups.
//!
//! A host file is used only when its build-id equals the image's; a file of another build is one
//! notice in the journal, and the image keeps its `.dynsym` names (never a wrong symbol).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use vmscope_core::arch::Arch;
use vmscope_core::clock;
use vmscope_core::event::{
    Abi, Event, EventKind, EventMask, Frame, ImageEvent, ImageKind, ImageOp, Level, MapsWhen,
    Notice,
};
use vmscope_core::guest::{GuestCpu, GuestMemory};
use vmscope_core::module::{Bus, CallStacks, Hook, HookPoint, Interest, Module};
use vmscope_linux::elf;
use vmscope_linux::symbols::{self, HostFile, HostLookup, LineTable, SymbolTable};
use vmscope_linux::unwind::{self, Cfi, FrameRegs, Rule};

use crate::images::Images;

/// The default depth of a stack (`--stack-depth`).
pub const DEFAULT_DEPTH: usize = 64;
/// Calls through an object whose tables cannot be read from memory yet before giving up on them.
const MAX_TRIES: u32 = 64;
/// Objects and processes kept at most.
const MAX_OBJECTS: usize = 4096;
const MAX_PROCESSES: usize = 16384;
/// Cached rules and frames per object at most (the caches are cleared past it).
const MAX_CACHED: usize = 1 << 16;

/// One image mapped in a process.
#[derive(Debug, Clone)]
struct Mapped {
    end: u64,
    bias: Option<u64>,
    path: Option<Arc<str>>,
    object: Arc<str>,
}

/// A table read from guest memory: not tried yet (or tried `n` times), read, or given up.
#[derive(Debug)]
enum FromMemory<T> {
    Pending(u32),
    Ready(T),
    None,
}

/// What is known of one ELF object (shared by the processes mapping it).
#[derive(Debug)]
struct Object {
    host: Option<Box<HostFile>>,
    cfi: FromMemory<Cfi>,
    /// Times an incomplete table was read again.
    cfi_reads: u32,
    dynsym: FromMemory<SymbolTable>,
    /// `.dynsym` merged with the host file's `.symtab`.
    symbols: SymbolTable,
    rules: HashMap<u64, Option<Rule>>,
    /// Resolved frames by (ELF address, whether frame 0).
    frames: HashMap<(u64, bool), Resolved>,
}

#[derive(Debug, Clone, Default)]
struct Resolved {
    symbol: Option<(Arc<str>, u64)>,
    line: Option<(Arc<str>, u32)>,
}

impl Object {
    fn new(host: Option<Box<HostFile>>) -> Self {
        let symbols = host.as_ref().map(|h| h.symbols.clone()).unwrap_or_default();
        Object {
            host,
            cfi: FromMemory::Pending(0),
            cfi_reads: 0,
            dynsym: FromMemory::Pending(0),
            symbols,
            rules: HashMap::new(),
            frames: HashMap::new(),
        }
    }

    fn lines(&self) -> Option<&LineTable> {
        self.host
            .as_ref()
            .map(|h| &h.lines)
            .filter(|l| !l.is_empty())
    }

    /// Reads what only guest memory has (the image at `base`, load bias `bias`), once.
    fn read_memory<M: GuestMemory + ?Sized>(&mut self, mem: &mut M, base: u64) {
        let need_cfi = matches!(self.cfi, FromMemory::Pending(_))
            && self.host.as_ref().is_none_or(|h| h.cfi.is_none());
        let need_syms = matches!(self.dynsym, FromMemory::Pending(_));
        if !need_cfi && !need_syms {
            return;
        }
        let image = elf::read_image(mem, base);
        if need_cfi {
            self.cfi = match image.as_ref().map(|i| Cfi::from_memory(mem, i)) {
                Some(Some(c)) => FromMemory::Ready(c),
                Some(None) if image.as_ref().is_some_and(|i| i.eh_frame_hdr.is_none()) => {
                    FromMemory::None
                }
                _ => retry(&self.cfi),
            };
        }
        if need_syms {
            let syms = image
                .as_ref()
                .map(|i| (elf::dynamic_symbols(mem, i), i.load_bias));
            self.dynsym = match syms {
                Some((s, bias)) if !s.is_empty() => {
                    let t = SymbolTable::from_dynamic(&s, bias);
                    // The host's .symtab names come first: .dynsym only adds what it lacks.
                    let mut all = self.symbols.clone();
                    all.merge(&t);
                    self.symbols = all;
                    self.frames.clear();
                    FromMemory::Ready(t)
                }
                Some(_) if image.as_ref().is_some_and(|i| i.dynamic.is_none()) => FromMemory::None,
                _ => retry(&self.dynsym),
            };
        }
    }

    fn rule<M: GuestMemory + ?Sized>(&mut self, mem: &mut M, base: u64, addr: u64) -> Option<Rule> {
        if let Some(r) = self.rules.get(&addr) {
            return *r;
        }
        if let FromMemory::Ready(c) = &self.cfi
            && c.index_incomplete()
            && self.cfi_reads < MAX_TRIES
            && !self.rules.contains_key(&addr)
        {
            // Pages of the table that were out may be in now: read it again (a few times at most).
            self.cfi_reads += 1;
            self.cfi = FromMemory::Pending(0);
            self.read_memory(mem, base);
        }
        let (r, complete) = match (&mut self.host, &mut self.cfi) {
            (Some(h), _) if h.cfi.is_some() => {
                (h.cfi.as_mut().and_then(|c| c.rule(mem, addr)), true)
            }
            (_, FromMemory::Ready(c)) => (c.rule(mem, addr), c.complete()),
            _ => return None,
        };
        // A miss while pages of the table are still out may be a hit later: not cached.
        if r.is_some() || complete {
            if self.rules.len() >= MAX_CACHED {
                self.rules.clear();
            }
            self.rules.insert(addr, r);
        }
        r
    }

    fn resolve(&mut self, addr: u64, first: bool) -> Resolved {
        if let Some(r) = self.frames.get(&(addr, first)) {
            return r.clone();
        }
        // Above frame 0 the pc is a return address: its call is the byte before.
        let at = if first { addr } else { addr.wrapping_sub(1) };
        let r = Resolved {
            symbol: self
                .symbols
                .lookup(at)
                .map(|(s, off)| (s, off + u64::from(!first))),
            line: self.lines().and_then(|l| l.lookup(at)),
        };
        if self.frames.len() >= MAX_CACHED {
            self.frames.clear();
        }
        self.frames.insert((addr, first), r.clone());
        r
    }
}

fn retry<T>(s: &FromMemory<T>) -> FromMemory<T> {
    match s {
        FromMemory::Pending(n) if n + 1 < MAX_TRIES => FromMemory::Pending(n + 1),
        _ => FromMemory::None,
    }
}

#[derive(Default)]
struct State {
    procs: HashMap<u32, BTreeMap<u64, Mapped>>,
    objects: HashMap<Arc<str>, Object>,
    /// Host files already reported as not matching.
    reported: HashSet<PathBuf>,
}

impl State {
    /// The image of `pid` holding `pc`: its base and mapping.
    fn image(&self, pid: u32, pc: u64) -> Option<(u64, &Mapped)> {
        let (base, m) = self.procs.get(&pid)?.range(..=pc).next_back()?;
        (pc < m.end).then_some((*base, m))
    }
}

/// The stacks module.
pub struct Stacks {
    arch: &'static dyn Arch,
    depth: usize,
    debug_dir: Option<PathBuf>,
    state: Mutex<State>,
}

impl Stacks {
    /// The module's name.
    pub const NAME: &'static str = "stacks";

    /// Stacks of at most `depth` frames, for a guest of architecture `arch`, with host files looked
    /// up under `debug_dir`.
    pub fn new(arch: &'static dyn Arch, depth: usize, debug_dir: Option<PathBuf>) -> Self {
        Stacks {
            arch,
            depth,
            debug_dir,
            state: Mutex::new(State::default()),
        }
    }

    fn on_image(&self, i: &ImageEvent, bus: &mut Bus) {
        let Some(pid) = i.thread.pid else {
            return;
        };
        let mut st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if i.op == ImageOp::Unload {
            if let Some(p) = st.procs.get_mut(&pid) {
                p.remove(&i.base);
            }
            return;
        }
        if !st.procs.contains_key(&pid) && st.procs.len() >= MAX_PROCESSES {
            return;
        }
        let key: Arc<str> = match (&i.build_id, &i.path) {
            (Some(id), _) => Arc::from(id.as_str()),
            (None, path) => Arc::from(format!(
                "{}@{:#x}",
                path.as_deref().unwrap_or("?"),
                i.load_bias.unwrap_or(i.base)
            )),
        };
        if !st.objects.contains_key(&key) && st.objects.len() < MAX_OBJECTS {
            let host = match &self.debug_dir {
                Some(dir) => match symbols::lookup(dir, i.path.as_deref(), i.build_id.as_deref()) {
                    HostLookup::Found(f) => Some(f),
                    HostLookup::Mismatch(files) => {
                        for (path, found) in files {
                            if st.reported.insert(path.clone()) {
                                bus.publish(Event::Notice(Notice {
                                    ts: clock::now_ns(),
                                    source: Self::NAME.into(),
                                    level: Level::Warning,
                                    message: format!(
                                        "{} is not the debug file of {} (build-id {}, the image has {}): not used",
                                        path.display(),
                                        i.path.as_deref().unwrap_or("?"),
                                        found.as_deref().unwrap_or("none"),
                                        i.build_id.as_deref().unwrap_or("none"),
                                    ),
                                }));
                            }
                        }
                        None
                    }
                    HostLookup::Missing => None,
                },
                None => None,
            };
            st.objects.insert(key.clone(), Object::new(host));
        }
        let p = st.procs.entry(pid).or_default();
        // A new program: the old one's images are gone.
        if i.kind == ImageKind::Exe {
            p.clear();
        }
        p.insert(
            i.base,
            Mapped {
                end: i.end,
                bias: i.load_bias,
                path: i.path.as_deref().map(Arc::from),
                object: key,
            },
        );
    }
}

/// The CFI rules of one process's images, for a walk.
struct Rules<'s> {
    st: &'s mut State,
    pid: u32,
}

impl<M: GuestMemory + ?Sized> unwind::RuleSource<M> for Rules<'_> {
    fn rule(&mut self, mem: &mut M, at: u64) -> Option<Rule> {
        let (base, m) = self.st.image(self.pid, at)?;
        let bias = m.bias?;
        let key = m.object.clone();
        let o = self.st.objects.get_mut(&key)?;
        o.read_memory(mem, base);
        o.rule(mem, base, at.wrapping_sub(bias))
    }
}

impl Stacks {
    /// The entry instruction's address in this process. The hook's address is the one the
    /// instruction had when it was translated, and translated code is shared between processes that
    /// map the same physical page (a library's code): it may be another process's address. The
    /// instruction pointer register is this process's but may lag behind (TCG writes it back
    /// lazily), so the address is the hook's page offset on the register's page (or a neighbour),
    /// checked to hold an entry instruction inside one of the process's images.
    fn entry_address(
        &self,
        cpu: &mut dyn GuestCpu,
        hook: &Hook,
        st: &State,
        pid: u32,
        mask: u64,
    ) -> u64 {
        let len = usize::from(hook.len).min(16);
        let check = |cpu: &mut dyn GuestCpu, at: u64| {
            let mut b = [0u8; 16];
            st.image(pid, at).is_some()
                && cpu.read(at, &mut b[..len])
                && self.arch.is_entry_instruction(&b[..len])
        };
        if check(cpu, hook.pc & mask) {
            return hook.pc & mask;
        }
        let Some(ip) = self.arch.instruction_pointer().and_then(|r| cpu.reg(r)) else {
            return hook.pc & mask;
        };
        let page = ip & !0xfff;
        let off = hook.pc & 0xfff;
        for p in [page, page.wrapping_add(0x1000), page.wrapping_sub(0x1000)] {
            let at = (p | off) & mask;
            if check(cpu, at) {
                return at;
            }
        }
        hook.pc & mask
    }
}

impl CallStacks for Stacks {
    fn capture(&self, cpu: &mut dyn GuestCpu, hook: &Hook) -> Option<Box<[Frame]>> {
        if !matches!(hook.point, HookPoint::Entry(_)) {
            return None;
        }
        let pid = hook.thread.as_ref()?.pid?;
        // The call the context module decoded says the code's width: the i386 ABI is 32-bit code.
        let wide = hook.call?.abi != Abi::I386;
        let mask = if wide { u64::MAX } else { 0xffff_ffff };
        let sp = cpu.reg(self.arch.stack_pointer())? & mask;
        let fp = self
            .arch
            .frame_pointer()
            .and_then(|r| cpu.reg(r))
            .unwrap_or(0)
            & mask;
        let lr = self
            .arch
            .link_register()
            .and_then(|r| cpu.reg(r))
            .map(|v| v & mask);
        let mut guard = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let st = &mut *guard;
        let pc = self
            .entry_address(cpu, hook, st, pid, mask)
            .wrapping_add(u64::from(hook.len))
            & mask;
        if !st.procs.contains_key(&pid) {
            // No images known for it (yet): frame 0 only.
            return Some(Box::new([Frame {
                pc,
                ..Frame::default()
            }]));
        }
        let mut rules = Rules { st, pid };
        let pcs = unwind::walk(
            cpu,
            wide,
            FrameRegs { pc, sp, fp, lr },
            self.depth,
            &mut rules,
        );
        let st = rules.st;
        let frames = pcs
            .iter()
            .enumerate()
            .map(|(n, &pc)| {
                let mut f = Frame {
                    pc,
                    ..Frame::default()
                };
                let Some((base, m)) = st.image(pid, pc) else {
                    return f;
                };
                f.module = m.path.clone();
                let Some(bias) = m.bias else {
                    return f;
                };
                let addr = pc.wrapping_sub(bias);
                f.offset = Some(addr);
                let key = m.object.clone();
                if let Some(o) = st.objects.get_mut(&key) {
                    o.read_memory(cpu, base);
                    let r = o.resolve(addr, n == 0);
                    if let Some((s, off)) = r.symbol {
                        f.symbol = Some(s);
                        f.symbol_offset = Some(off);
                    }
                    if let Some((file, line)) = r.line {
                        f.file = Some(file);
                        f.line = Some(line);
                    }
                }
                f
            })
            .collect();
        Some(frames)
    }
}

impl Module for Stacks {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn depends(&self) -> &[&str] {
        &[Images::NAME]
    }

    fn interest(&self) -> Interest {
        Interest {
            events: EventMask::NONE.with(EventKind::Image).with(EventKind::Maps),
            ..Interest::default()
        }
    }

    fn on_event(&self, event: &Event, _cpu: &mut dyn GuestCpu, bus: &mut Bus) {
        match event {
            Event::Image(i) => self.on_image(i, bus),
            Event::Maps(m) if m.when == MapsWhen::Exit => {
                if let Some(pid) = m.pid {
                    self.state
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .procs
                        .remove(&pid);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests;

//! The QEMU side: the only file that touches QEMU's plugin API.
//!
//! At translation time every instruction is classified by the guest [`Arch`]; only kernel entries and
//! exits that some module wants get an execution callback, so the guest pays nothing anywhere else.
//! Each callback builds a [`Hook`] and hands it to the [`Dispatcher`] with a [`QemuCpu`] through which
//! modules read registers and memory. No panic crosses into QEMU: every callback is wrapped in
//! `catch_unwind`, and a failure to install is one line on stderr and exit status 1 before the guest
//! starts.
//!
//! State is per vCPU (register handles and reusable GLib buffers) and taken by the vCPU's own thread
//! only, so the mutex around it is never contended.

use std::collections::HashMap;
use std::ffi::{CStr, c_char, c_int, c_uint, c_void};
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use qemu_plugin::install::{Args, Info};
use qemu_plugin::sys::{
    GArray, GByteArray, qemu_plugin_cb_flags, qemu_plugin_cond, qemu_plugin_get_hwaddr,
    qemu_plugin_get_registers, qemu_plugin_hwaddr_device_name, qemu_plugin_hwaddr_is_io,
    qemu_plugin_hwaddr_phys_addr, qemu_plugin_id_t, qemu_plugin_insn_data, qemu_plugin_insn_size,
    qemu_plugin_insn_vaddr, qemu_plugin_mem_get_value, qemu_plugin_mem_is_store,
    qemu_plugin_mem_rw, qemu_plugin_mem_size_shift, qemu_plugin_mem_value_type,
    qemu_plugin_meminfo_t, qemu_plugin_op, qemu_plugin_read_memory_vaddr,
    qemu_plugin_read_register, qemu_plugin_reg_descriptor, qemu_plugin_register,
    qemu_plugin_register_atexit_cb, qemu_plugin_register_vcpu_init_cb,
    qemu_plugin_register_vcpu_insn_exec_cb, qemu_plugin_register_vcpu_mem_cb,
    qemu_plugin_register_vcpu_tb_exec_cond_cb, qemu_plugin_register_vcpu_tb_exec_inline_per_vcpu,
    qemu_plugin_register_vcpu_tb_trans_cb, qemu_plugin_scoreboard, qemu_plugin_scoreboard_find,
    qemu_plugin_scoreboard_new, qemu_plugin_tb, qemu_plugin_tb_get_insn, qemu_plugin_tb_n_insns,
    qemu_plugin_tb_vaddr, qemu_plugin_u64, qemu_plugin_u64_set, qemu_plugin_u64_sum,
};
use vmscope_core::arch::{Arch, InsnClass, PortFrom, PortIo, arch_for_target};
use vmscope_core::clock;
use vmscope_core::dispatch::Dispatcher;
use vmscope_core::event::DeviceSpace;
use vmscope_core::event::{Event, Notice};
use vmscope_core::guest::{GuestCpu, GuestMemory, Reg};
use vmscope_core::module::DeviceAccess;
use vmscope_core::module::{Hook, HookPoint, Interest};
use vmscope_core::profile::{Phase, Profile, Stopwatch};

use crate::setup::{self, SetupError};
use vmscope_modules::options::Options;

unsafe extern "C" {
    fn g_byte_array_new() -> *mut GByteArray;
    fn g_byte_array_set_size(array: *mut GByteArray, length: c_uint) -> *mut GByteArray;
    fn g_array_free(array: *mut GArray, free_segment: c_int) -> *mut c_char;
}

/// At most this many distinct instrumented sites are remembered; a guest that generates more (a
/// hostile JIT) gets the rest instrumented through one shared, address-less site.
const MAX_SITES: usize = 1 << 20;

/// An instrumented instruction; leaked once per distinct site, so callbacks get it without a lookup.
#[derive(Debug)]
struct Site {
    pc: u64,
    len: u8,
    point: HookPoint,
}

/// An instrumented port I/O instruction; leaked once per distinct site, like [`Site`].
#[derive(Debug)]
struct PioSite {
    pc: u64,
    io: PortIo,
}

/// Slots of each vCPU's block filter (a power of two): 64 KiB of scoreboard per vCPU.
const FILTER_SLOTS: usize = 8192;

/// The per-vCPU block filter: a scoreboard of [`FILTER_SLOTS`] u64 per vCPU, a direct-mapped set of
/// the blocks the vCPU already reported. A block's callback is conditional on its slot not holding
/// the block's own word (an inline load and compare); the callback stores it there. So a block runs
/// at full speed once reported, until a module resets the vCPU's filter.
#[derive(Clone, Copy)]
struct Filter(*mut qemu_plugin_scoreboard);

// SAFETY: the scoreboard is QEMU's, alive for the whole run; each vCPU writes only its own element,
// and QEMU's inline checks read it on that vCPU.
unsafe impl Send for Filter {}
unsafe impl Sync for Filter {}

impl Filter {
    fn slot(pc: u64) -> usize {
        ((pc ^ (pc >> 13)) as usize) & (FILTER_SLOTS - 1)
    }

    fn entry(self, pc: u64) -> qemu_plugin_u64 {
        qemu_plugin_u64 {
            score: self.0,
            offset: Self::slot(pc) * std::mem::size_of::<u64>(),
        }
    }
}

struct VcpuState {
    /// Register handles indexed like the architecture's register names; null where QEMU lacks one.
    regs: Vec<*mut qemu_plugin_register>,
    /// Reused for every register read.
    reg_buf: *mut GByteArray,
    /// Reused for every memory read.
    mem_buf: *mut GByteArray,
}

// SAFETY: the pointers are owned by this vCPU's state and used only from the vCPU's own thread
// (callbacks for vCPU i run on vCPU i's thread); the mutex around the state makes that explicit.
unsafe impl Send for VcpuState {}

struct Backend {
    arch: &'static dyn Arch,
    dispatcher: Dispatcher,
    interest: Interest,
    vcpus: Box<[Mutex<Option<VcpuState>>]>,
    sites: Mutex<HashMap<(u64, u8, HookPoint), &'static Site>>,
    pio_sites: Mutex<HashMap<(u64, PortIo), &'static PioSite>>,
    /// With block interest: the block filter.
    filter: Option<Filter>,
}

static BACKEND: OnceLock<Backend> = OnceLock::new();

/// The guest's instruction count (a per-vCPU scoreboard every translation block adds its length to)
/// and QEMU's icount shift: the virtual clock of a replay.
struct Icount {
    counter: qemu_plugin_u64,
    shift: u8,
}

// SAFETY: the scoreboard lives until QEMU unloads the plugin and is only read through QEMU's API,
// which sums the per-vCPU entries; the pointer itself never changes.
unsafe impl Send for Icount {}
// SAFETY: as above.
unsafe impl Sync for Icount {}

static ICOUNT: OnceLock<Icount> = OnceLock::new();

/// Under a virtual clock: the latest stamp a hook took, where the end of tracing is stamped.
static LAST_HOOK_NS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The virtual clock: instructions executed so far × 2^shift ns, which is what QEMU's virtual clock
/// advances by under `-icount shift=N`. Deterministic under replay: the same instructions run, and
/// each translation block counts all its instructions as it starts.
fn icount_ns() -> u64 {
    ICOUNT.get().map_or(0, |ic| {
        // SAFETY: a scoreboard entry made at install; QEMU sums it over the vCPUs.
        let n = unsafe { qemu_plugin_u64_sum(ic.counter) };
        n.saturating_mul(1 << ic.shift)
    })
}

/// The plugin object handed to the `qemu-plugin` crate's installer; all real state is in [`BACKEND`].
#[derive(Default)]
pub struct VmscopePlugin;

impl qemu_plugin::HasCallbacks for VmscopePlugin {}

impl qemu_plugin::Register for VmscopePlugin {
    // Registers only our own callbacks, on raw bindings: the crate's defaults would lock one global
    // mutex in every callback.
    fn register_default(
        &mut self,
        id: qemu_plugin::PluginId,
        args: &Args,
        info: &Info,
    ) -> qemu_plugin::Result<()> {
        match catch_unwind(AssertUnwindSafe(|| install(id, args, info))) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => fail(&e.to_string()),
            Err(_) => fail("internal error while installing the plugin"),
        }
    }
}

/// A failure before the guest starts: one line, and QEMU exits with status 1 (a clean stop, not the
/// abort the installer's panic would give).
fn fail(msg: &str) -> ! {
    let _ = writeln!(std::io::stderr(), "vmscope: {msg}");
    std::process::exit(1)
}

fn install(id: qemu_plugin_id_t, args: &Args, info: &Info) -> Result<(), SetupError> {
    clock::start();
    let opts = Options::parse(&args.raw).map_err(SetupError::Options)?;
    // Before anything is stamped: a replay's events all carry the guest's virtual time.
    if let Some(shift) = opts.icount_shift {
        // SAFETY: a scoreboard of one u64 per vCPU, kept for the plugin's life.
        let score = unsafe { qemu_plugin_scoreboard_new(std::mem::size_of::<u64>()) };
        let _ = ICOUNT.set(Icount {
            counter: qemu_plugin_u64 { score, offset: 0 },
            shift,
        });
        clock::use_virtual(icount_ns);
    }
    let arch = arch_for_target(&info.target_name)
        .ok_or_else(|| SetupError::Target(info.target_name.clone()))?;
    let Some(system) = &info.system else {
        return Err(SetupError::UserMode);
    };
    let max_vcpus = usize::try_from(system.max_vcpus.max(system.smp_vcpus).max(1)).unwrap_or(1);
    let built = setup::build(&opts, arch, max_vcpus)?;
    // Setup's big buffers (the decompressed kernel image, BTF) are free now: give their pages back
    // (about 230 MiB of QEMU's peak resident memory otherwise).
    // SAFETY: a plain call into the allocator, on the thread that allocated them.
    unsafe { libmimalloc_sys::mi_collect(true) };
    let mut dispatcher = Dispatcher::new(built.modules, built.journal.clone() as Arc<_>)
        .map_err(SetupError::Modules)?;
    if opts.self_profile {
        dispatcher = dispatcher.with_profile();
    }
    let interest = dispatcher.interest();
    for n in built.notices {
        dispatcher.publish(Event::Notice(n));
    }
    dispatcher.publish(Event::Notice(Notice {
        ts: clock::now_ns(),
        source: "vmscope".into(),
        level: vmscope_core::event::Level::Info,
        message: format!(
            "tracing {} guest with modules {}",
            arch.name(),
            dispatcher.module_names().join(", ")
        ),
    }));
    // SAFETY: a scoreboard of FILTER_SLOTS u64 per vCPU, owned by QEMU for the run (never freed).
    let filter = (interest.user_blocks || interest.kernel_blocks).then(|| {
        Filter(unsafe { qemu_plugin_scoreboard_new(FILTER_SLOTS * std::mem::size_of::<u64>()) })
    });
    let backend = Backend {
        arch,
        dispatcher,
        interest,
        vcpus: (0..max_vcpus).map(|_| Mutex::new(None)).collect(),
        sites: Mutex::new(HashMap::new()),
        pio_sites: Mutex::new(HashMap::new()),
        filter,
    };
    if BACKEND.set(backend).is_err() {
        return Err(SetupError::Twice);
    }
    // SAFETY: plain registrations with callbacks of the right types; `id` is ours.
    unsafe {
        qemu_plugin_register_vcpu_init_cb(id, Some(on_vcpu_init));
        if interest.entries
            || interest.exits
            || interest.page_table_switches
            || ICOUNT.get().is_some()
            || interest.user_blocks
            || interest.kernel_blocks
            || interest.port_io
            || interest.mmio
        {
            qemu_plugin_register_vcpu_tb_trans_cb(id, Some(on_tb_trans));
        }
        qemu_plugin_register_atexit_cb(id, Some(on_exit), std::ptr::null_mut());
    }
    Ok(())
}

extern "C" fn on_vcpu_init(_id: qemu_plugin_id_t, vcpu: c_uint) {
    let _ = catch_unwind(|| {
        let Some(b) = BACKEND.get() else { return };
        let Some(slot) = b.vcpus.get(vcpu as usize) else {
            b.dispatcher.publish(Event::Notice(Notice {
                ts: clock::now_ns(),
                source: "vmscope".into(),
                level: vmscope_core::event::Level::Warning,
                message: format!("vCPU {vcpu} was not announced at install; it is not traced"),
            }));
            return;
        };
        let state = VcpuState {
            regs: lookup_registers(b.arch.register_names()),
            // SAFETY: GLib allocation; the arrays live as long as the process.
            reg_buf: unsafe { g_byte_array_new() },
            mem_buf: unsafe { g_byte_array_new() },
        };
        *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(state);
    });
}

/// Resolves register names to QEMU handles; must run on a vCPU thread (QEMU asks the current vCPU).
fn lookup_registers(names: &[&str]) -> Vec<*mut qemu_plugin_register> {
    let mut handles = vec![std::ptr::null_mut(); names.len()];
    // SAFETY: QEMU returns a GArray of descriptors that we own and free; names are C strings.
    unsafe {
        let arr = qemu_plugin_get_registers();
        if arr.is_null() {
            return handles;
        }
        let descs = (*arr).data as *const qemu_plugin_reg_descriptor;
        for i in 0..(*arr).len as usize {
            let d = &*descs.add(i);
            if d.name.is_null() {
                continue;
            }
            let name = CStr::from_ptr(d.name).to_bytes();
            if let Some(pos) = names.iter().position(|n| n.as_bytes() == name) {
                handles[pos] = d.handle;
            }
        }
        g_array_free(arr, 1);
    }
    handles
}

extern "C" fn on_tb_trans(_id: qemu_plugin_id_t, tb: *mut qemu_plugin_tb) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        let Some(b) = BACKEND.get() else { return };
        // SAFETY: `tb` is valid during this callback, and so are the instructions taken from it.
        unsafe {
            let n_insns = qemu_plugin_tb_n_insns(tb);
            if let Some(ic) = ICOUNT.get() {
                qemu_plugin_register_vcpu_tb_exec_inline_per_vcpu(
                    tb,
                    qemu_plugin_op::QEMU_PLUGIN_INLINE_ADD_U64,
                    ic.counter,
                    n_insns as u64,
                );
            }
            if b.interest.user_blocks || b.interest.kernel_blocks {
                b.instrument_block(tb, n_insns);
            }
            let (syscalls, pio, mmio) = (
                b.interest.entries || b.interest.exits || b.interest.page_table_switches,
                b.interest.port_io,
                b.interest.mmio,
            );
            if !(syscalls || pio || mmio) {
                return;
            }
            for i in 0..n_insns {
                let insn = qemu_plugin_tb_get_insn(tb, i);
                if mmio {
                    // The instruction's address goes along as the callback's data.
                    qemu_plugin_register_vcpu_mem_cb(
                        insn,
                        Some(on_mem),
                        qemu_plugin_cb_flags::QEMU_PLUGIN_CB_NO_REGS,
                        qemu_plugin_mem_rw::QEMU_PLUGIN_MEM_RW,
                        qemu_plugin_insn_vaddr(insn) as *mut c_void,
                    );
                }
                let mut bytes = [0u8; 16];
                let n =
                    qemu_plugin_insn_data(insn, bytes.as_mut_ptr().cast::<c_void>(), bytes.len());
                let bytes = &bytes[..n.min(bytes.len())];
                if pio && let Some(io) = b.arch.port_io(bytes) {
                    let site = b.pio_site(qemu_plugin_insn_vaddr(insn), io);
                    qemu_plugin_register_vcpu_insn_exec_cb(
                        insn,
                        Some(on_pio),
                        qemu_plugin_cb_flags::QEMU_PLUGIN_CB_R_REGS,
                        std::ptr::from_ref(site).cast_mut().cast::<c_void>(),
                    );
                    continue;
                }
                if !syscalls {
                    continue;
                }
                let Some(class) = b.arch.classify(bytes) else {
                    continue;
                };
                let point = match class {
                    InsnClass::Entry(k) if b.interest.entries => HookPoint::Entry(k),
                    InsnClass::Exit(k) if b.interest.exits => HookPoint::Exit(k),
                    InsnClass::PageTableSwitch if b.interest.page_table_switches => {
                        HookPoint::PageTableSwitch
                    }
                    _ => continue,
                };
                let pc = qemu_plugin_insn_vaddr(insn);
                let len = u8::try_from(qemu_plugin_insn_size(insn)).unwrap_or(0);
                let site = b.site(pc, len, point);
                qemu_plugin_register_vcpu_insn_exec_cb(
                    insn,
                    Some(on_insn),
                    qemu_plugin_cb_flags::QEMU_PLUGIN_CB_R_REGS,
                    std::ptr::from_ref(site).cast_mut().cast::<c_void>(),
                );
            }
        }
    }));
}

/// A block's start and size in one pointer-sized word, so its callback needs no allocation: the low
/// 48 bits of the address (a canonical address is their sign extension) and the size above them.
fn pack_block(pc: u64, size: u16) -> u64 {
    (pc & 0xffff_ffff_ffff) | u64::from(size) << 48
}

fn unpack_block(w: u64) -> (u64, u16) {
    let low = w & 0xffff_ffff_ffff;
    let pc = if low >> 47 != 0 {
        low | 0xffff_0000_0000_0000
    } else {
        low
    };
    (pc, (w >> 48) as u16)
}

impl Backend {
    /// Registers the block callback of a translated block (user code, or kernel code when asked),
    /// conditional on the vCPU's filter slot for it not holding it already (see [`Filter`]).
    ///
    /// # Safety
    /// `tb` must be the block QEMU is translating, with `n_insns` instructions.
    unsafe fn instrument_block(&self, tb: *mut qemu_plugin_tb, n_insns: usize) {
        let Some(filter) = self.filter else { return };
        if n_insns == 0 {
            return;
        }
        // SAFETY: the caller's promise; the last instruction exists.
        let (pc, end) = unsafe {
            let last = qemu_plugin_tb_get_insn(tb, n_insns - 1);
            (
                qemu_plugin_tb_vaddr(tb),
                qemu_plugin_insn_vaddr(last).wrapping_add(qemu_plugin_insn_size(last) as u64),
            )
        };
        let kernel = self.arch.is_kernel_address(pc);
        if (kernel && !self.interest.kernel_blocks) || (!kernel && !self.interest.user_blocks) {
            return;
        }
        let size = u16::try_from(end.wrapping_sub(pc)).unwrap_or(u16::MAX);
        let word = pack_block(pc, size);
        // SAFETY: a registration on the block being translated, with a callback of the right type.
        unsafe {
            qemu_plugin_register_vcpu_tb_exec_cond_cb(
                tb,
                Some(on_block),
                qemu_plugin_cb_flags::QEMU_PLUGIN_CB_NO_REGS,
                qemu_plugin_cond::QEMU_PLUGIN_COND_NE,
                filter.entry(pc),
                word,
                word as *mut c_void,
            );
        }
    }

    fn pio_site(&self, pc: u64, io: PortIo) -> &'static PioSite {
        let mut sites = self
            .pio_sites
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let key_pc = if sites.len() >= MAX_SITES { 0 } else { pc };
        sites
            .entry((key_pc, io))
            .or_insert_with(|| Box::leak(Box::new(PioSite { pc: key_pc, io })))
    }

    fn site(&self, pc: u64, len: u8, point: HookPoint) -> &'static Site {
        let mut sites = self.sites.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(s) = sites.get(&(pc, len, point)) {
            return s;
        }
        let (key_pc, site_pc) = if sites.len() >= MAX_SITES {
            (0, 0)
        } else {
            (pc, pc)
        };
        sites.entry((key_pc, len, point)).or_insert_with(|| {
            Box::leak(Box::new(Site {
                pc: site_pc,
                len,
                point,
            }))
        })
    }
}

extern "C" fn on_insn(vcpu: c_uint, udata: *mut c_void) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        let Some(b) = BACKEND.get() else { return };
        let watch = b.dispatcher.profile().map(|_| Stopwatch::start());
        // SAFETY: `udata` is a leaked `Site` registered at translation time; it is never freed.
        let site = unsafe { &*(udata as *const Site) };
        let Some(slot) = b.vcpus.get(vcpu as usize) else {
            return;
        };
        let mut guard = slot.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(state) = guard.as_mut() else { return };
        let mut cpu = QemuCpu {
            vcpu,
            state,
            cache: [None; 32],
            profile: b.dispatcher.profile(),
        };
        let now = clock::now_ns();
        if ICOUNT.get().is_some() {
            LAST_HOOK_NS.fetch_max(now, std::sync::atomic::Ordering::Relaxed);
        }
        let mut hook = Hook::new(now, vcpu, site.pc, site.len, site.point);
        b.dispatcher.hook(&mut cpu, &mut hook);
        if let (Some(p), Some(w)) = (b.dispatcher.profile(), watch) {
            p.callback(Phase::of(hook.point, hook.to_user), w.ns());
        }
    }));
}

extern "C" fn on_block(vcpu: c_uint, udata: *mut c_void) {
    let _ = catch_unwind(|| {
        let Some(b) = BACKEND.get() else { return };
        let word = udata as u64;
        let (pc, size) = unpack_block(word);
        if let Some(f) = b.filter {
            // SAFETY: the scoreboard lives for the run; this vCPU writes its own element.
            unsafe { qemu_plugin_u64_set(f.entry(pc), vcpu, word) };
        }
        b.dispatcher.block(vcpu, pc, size);
    });
}

extern "C" fn on_pio(vcpu: c_uint, udata: *mut c_void) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        let Some(b) = BACKEND.get() else { return };
        // SAFETY: `udata` is a leaked `PioSite` registered at translation time; never freed.
        let site = unsafe { &*(udata as *const PioSite) };
        let Some(slot) = b.vcpus.get(vcpu as usize) else {
            return;
        };
        let mut guard = slot.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(state) = guard.as_mut() else { return };
        let mut cpu = QemuCpu {
            vcpu,
            state,
            cache: [None; 32],
            profile: None,
        };
        let io = site.io;
        let port = match io.port {
            PortFrom::Imm(p) => u64::from(p),
            PortFrom::Reg(r) => match cpu.reg(r) {
                Some(v) => v & 0xffff,
                None => return,
            },
        };
        let mask = match io.size {
            1 => 0xff,
            2 => 0xffff,
            _ => 0xffff_ffff,
        };
        let count = match io.count {
            Some(r) => cpu
                .reg(r)
                .map_or(1, |c| u32::try_from(c & 0xffff_ffff).unwrap_or(0)),
            None => 1,
        };
        if count == 0 {
            return;
        }
        let access = DeviceAccess {
            ts: clock::now_ns(),
            vcpu,
            pc: site.pc,
            space: DeviceSpace::Pio,
            addr: port,
            size: io.size,
            count,
            write: io.write,
            value: io.value.and_then(|r| cpu.reg(r)).map(|v| v & mask),
            device: None,
        };
        b.dispatcher.device(&mut cpu, &access);
    }));
}

extern "C" fn on_mem(vcpu: c_uint, info: qemu_plugin_meminfo_t, vaddr: u64, udata: *mut c_void) {
    let _ = catch_unwind(|| {
        // SAFETY: `info` is valid for this callback; the hardware address handle too, and the device
        // name QEMU returns lives as long as the plugin.
        let access = unsafe {
            let hw = qemu_plugin_get_hwaddr(info, vaddr);
            if hw.is_null() || !qemu_plugin_hwaddr_is_io(hw) {
                return;
            }
            let name = qemu_plugin_hwaddr_device_name(hw);
            let device = if name.is_null() {
                None
            } else {
                CStr::from_ptr(name).to_str().ok()
            };
            let v = qemu_plugin_mem_get_value(info);
            let value = match v.type_ {
                qemu_plugin_mem_value_type::QEMU_PLUGIN_MEM_VALUE_U8 => u64::from(v.data.u8_),
                qemu_plugin_mem_value_type::QEMU_PLUGIN_MEM_VALUE_U16 => u64::from(v.data.u16_),
                qemu_plugin_mem_value_type::QEMU_PLUGIN_MEM_VALUE_U32 => u64::from(v.data.u32_),
                qemu_plugin_mem_value_type::QEMU_PLUGIN_MEM_VALUE_U64 => v.data.u64_,
                _ => v.data.u128_.low,
            };
            DeviceAccess {
                ts: clock::now_ns(),
                vcpu,
                pc: udata as u64,
                space: DeviceSpace::Mmio,
                addr: qemu_plugin_hwaddr_phys_addr(hw),
                size: 1u8 << qemu_plugin_mem_size_shift(info).min(4),
                count: 1,
                write: qemu_plugin_mem_is_store(info),
                value: Some(value),
                device,
            }
        };
        if let Some(b) = BACKEND.get() {
            // Registers cannot be read in a memory callback: modules get no readable vCPU here.
            b.dispatcher
                .device(&mut vmscope_core::guest::Unreadable, &access);
        }
    });
}

extern "C" fn on_exit(_id: qemu_plugin_id_t, _udata: *mut c_void) {
    let _ = catch_unwind(|| {
        if let Some(b) = BACKEND.get() {
            // A replay's end is stamped where its last hook was, not wherever the vCPU got to
            // before QEMU stopped it (which differs from one replay to the next).
            clock::freeze(LAST_HOOK_NS.load(std::sync::atomic::Ordering::Relaxed));
            if let Some(p) = b.dispatcher.profile() {
                b.dispatcher.publish(Event::Notice(Notice {
                    ts: clock::now_ns(),
                    source: "vmscope".into(),
                    level: vmscope_core::event::Level::Info,
                    message: p.report(),
                }));
            }
            b.dispatcher.stop();
        }
    });
}

/// One vCPU inside one callback: registers are read once and cached for the callback's duration.
struct QemuCpu<'a> {
    vcpu: u32,
    state: &'a mut VcpuState,
    cache: [Option<u64>; 32],
    profile: Option<&'a Profile>,
}

impl GuestMemory for QemuCpu<'_> {
    fn read(&mut self, addr: u64, buf: &mut [u8]) -> bool {
        if buf.is_empty() {
            return true;
        }
        let watch = self.profile.map(|_| Stopwatch::start());
        let ok = self.read_uncounted(addr, buf);
        if let (Some(p), Some(w)) = (self.profile, watch) {
            p.mem_read(w.ns());
        }
        ok
    }
}

impl QemuCpu<'_> {
    fn read_uncounted(&mut self, addr: u64, buf: &mut [u8]) -> bool {
        // SAFETY: `mem_buf` is our GByteArray; QEMU resizes it to `len` and fills it. We copy out at
        // most what it holds.
        unsafe {
            g_byte_array_set_size(self.state.mem_buf, 0);
            if !qemu_plugin_read_memory_vaddr(addr, self.state.mem_buf, buf.len()) {
                return false;
            }
            let arr = &*self.state.mem_buf;
            if (arr.len as usize) < buf.len() || arr.data.is_null() {
                return false;
            }
            std::ptr::copy_nonoverlapping(arr.data, buf.as_mut_ptr(), buf.len());
        }
        true
    }
}

impl GuestCpu for QemuCpu<'_> {
    fn vcpu(&self) -> u32 {
        self.vcpu
    }

    fn reset_blocks(&mut self) {
        if let Some(f) = BACKEND.get().and_then(|b| b.filter) {
            // SAFETY: the vCPU's element of the scoreboard is FILTER_SLOTS u64 long, alive for the
            // run, and only this vCPU's thread touches it.
            unsafe {
                let base = qemu_plugin_scoreboard_find(f.0, self.vcpu).cast::<u64>();
                if !base.is_null() {
                    std::ptr::write_bytes(base, 0, FILTER_SLOTS);
                }
            }
        }
    }

    fn reg(&mut self, reg: Reg) -> Option<u64> {
        let i = reg.0 as usize;
        if let Some(Some(v)) = self.cache.get(i) {
            return Some(*v);
        }
        let handle = *self.state.regs.get(i)?;
        if handle.is_null() {
            return None;
        }
        let watch = self.profile.map(|_| Stopwatch::start());
        // SAFETY: the callback was registered with R_REGS; `reg_buf` is our GByteArray.
        let v = unsafe {
            g_byte_array_set_size(self.state.reg_buf, 0);
            let n = qemu_plugin_read_register(handle, self.state.reg_buf);
            let arr = &*self.state.reg_buf;
            if n <= 0 || arr.data.is_null() {
                return None;
            }
            let len = (arr.len as usize).min(8);
            let mut b = [0u8; 8];
            std::ptr::copy_nonoverlapping(arr.data, b.as_mut_ptr(), len);
            u64::from_le_bytes(b)
        };
        if let (Some(p), Some(w)) = (self.profile, watch) {
            p.reg_read(w.ns());
        }
        if let Some(slot) = self.cache.get_mut(i) {
            *slot = Some(v);
        }
        Some(v)
    }
}

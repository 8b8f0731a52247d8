//! The host's side of the ABI: the function table handed to every module, and the context one
//! callback runs in. Every function catches panics and turns bad input into `VMSCOPE_ERROR`: nothing
//! unwinds into module code.

use std::ffi::{CStr, c_char, c_int, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};

use vmscope_abi as abi;
use vmscope_core::arch::Arch;
use vmscope_core::clock;
use vmscope_core::event::{CustomEvent, Event, FieldValue, Notice};
use vmscope_core::guest::{GuestCpu, Reg};
use vmscope_core::module::Bus;

/// The table every module gets; lives as long as the process.
pub static HOST: abi::Host = abi::Host {
    abi_version: abi::ABI_VERSION,
    size: size_of::<abi::Host>() as u32,
    read_memory: Some(read_memory),
    read_register: Some(read_register),
    vcpu: Some(vcpu),
    publish: Some(publish),
    log: Some(log),
};

/// What one callback may touch: the vCPU (or none), the bus, who is calling.
pub struct HostCtx<'a> {
    /// The guest as the event's vCPU sees it.
    pub cpu: &'a mut dyn GuestCpu,
    /// Where published events go.
    pub bus: &'a mut Bus,
    /// The calling module's name.
    pub module: &'a str,
    /// Register names.
    pub arch: &'static dyn Arch,
    /// Whether the callback runs for a vCPU (not at the end of tracing).
    pub in_vcpu: bool,
}

impl HostCtx<'_> {
    /// The opaque pointer handed to the module.
    pub fn as_abi(&mut self) -> *mut abi::Ctx {
        std::ptr::from_mut(self).cast::<abi::Ctx>()
    }
}

/// Runs `f` over the context behind `ctx`; `on_err` when it is null or `f` panics.
fn with_ctx<T>(ctx: *mut abi::Ctx, on_err: T, f: impl FnOnce(&mut HostCtx<'_>) -> T) -> T {
    if ctx.is_null() {
        return on_err;
    }
    // SAFETY: the host made `ctx` from a live `HostCtx` for the duration of the callback in which the
    // module calls us (the ABI forbids keeping it).
    let c = unsafe { &mut *ctx.cast::<HostCtx<'_>>() };
    catch_unwind(AssertUnwindSafe(|| f(c))).unwrap_or(on_err)
}

/// A C string as UTF-8 text, lossily; `None` for null.
///
/// # Safety
/// `p` is null or a NUL-terminated string.
pub unsafe fn text(p: *const c_char) -> Option<String> {
    if p.is_null() {
        return None;
    }
    // SAFETY: by the caller.
    Some(unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
}

unsafe extern "C" fn read_memory(
    ctx: *mut abi::Ctx,
    addr: u64,
    buf: *mut c_void,
    len: usize,
) -> c_int {
    if len == 0 {
        return abi::OK;
    }
    if buf.is_null() {
        return abi::ERROR;
    }
    with_ctx(ctx, abi::ERROR, |c| {
        if !c.in_vcpu {
            return abi::ERROR;
        }
        // SAFETY: the module hands us `len` writable bytes at `buf`.
        let out = unsafe { std::slice::from_raw_parts_mut(buf.cast::<u8>(), len) };
        if c.cpu.read(addr, out) {
            abi::OK
        } else {
            abi::ERROR
        }
    })
}

unsafe extern "C" fn read_register(
    ctx: *mut abi::Ctx,
    name: *const c_char,
    value: *mut u64,
) -> c_int {
    if value.is_null() {
        return abi::ERROR;
    }
    // SAFETY: the ABI says `name` is a NUL-terminated string.
    let Some(name) = (unsafe { text(name) }) else {
        return abi::ERROR;
    };
    with_ctx(ctx, abi::ERROR, |c| {
        if !c.in_vcpu {
            return abi::ERROR;
        }
        let Some(i) = c.arch.register_names().iter().position(|n| *n == name) else {
            return abi::ERROR;
        };
        let Ok(i) = u16::try_from(i) else {
            return abi::ERROR;
        };
        match c.cpu.reg(Reg(i)) {
            Some(v) => {
                // SAFETY: checked non-null; the module hands us a `uint64_t`.
                unsafe { *value = v };
                abi::OK
            }
            None => abi::ERROR,
        }
    })
}

unsafe extern "C" fn vcpu(ctx: *mut abi::Ctx) -> c_int {
    with_ctx(ctx, -1, |c| {
        if c.in_vcpu {
            c_int::try_from(c.cpu.vcpu()).unwrap_or(-1)
        } else {
            -1
        }
    })
}

/// Reads a module's fields into an event's fields; `None` when one is invalid.
///
/// # Safety
/// `fields` points to `n` fields whose strings are NUL-terminated (or is null with `n == 0`).
pub unsafe fn read_fields(
    fields: *const abi::Field,
    n: usize,
) -> Option<Vec<(String, FieldValue)>> {
    if n > abi::MAX_FIELDS || (fields.is_null() && n > 0) {
        return None;
    }
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        // SAFETY: by the caller, `i < n`.
        let f = unsafe { &*fields.add(i) };
        // SAFETY: by the caller.
        let name = unsafe { text(f.name) }?;
        if !abi::valid_field_name(&name) || out.iter().any(|(k, _)| *k == name) {
            return None;
        }
        // SAFETY: the member read is the one `kind` names.
        let v = unsafe {
            match f.value.kind {
                abi::VALUE_NULL => FieldValue::Null,
                abi::VALUE_BOOL => FieldValue::Bool(f.value.as_.b != 0),
                abi::VALUE_INT => FieldValue::Int(f.value.as_.i),
                abi::VALUE_UINT => FieldValue::UInt(f.value.as_.u),
                abi::VALUE_STR => FieldValue::Str(text(f.value.as_.s)?),
                _ => return None,
            }
        };
        out.push((name, v));
    }
    Some(out)
}

unsafe extern "C" fn publish(
    ctx: *mut abi::Ctx,
    type_: *const c_char,
    fields: *const abi::Field,
    n_fields: usize,
) -> c_int {
    // SAFETY: the ABI says `type` is a NUL-terminated string.
    let Some(kind) = (unsafe { text(type_) }) else {
        return abi::ERROR;
    };
    if !abi::valid_event_type(&kind) {
        return abi::ERROR;
    }
    // SAFETY: the ABI says `fields` holds `n_fields` fields.
    let Some(fields) = (unsafe { read_fields(fields, n_fields) }) else {
        return abi::ERROR;
    };
    with_ctx(ctx, abi::ERROR, move |c| {
        c.bus.publish(Event::Custom(CustomEvent {
            ts: clock::now_ns(),
            kind,
            module: c.module.to_string(),
            fields,
        }));
        abi::OK
    })
}

fn level_name(level: c_int) -> vmscope_core::event::Level {
    use vmscope_core::event::Level;
    match level {
        abi::LOG_ERROR => Level::Error,
        abi::LOG_WARNING => Level::Warning,
        _ => Level::Info,
    }
}

unsafe extern "C" fn log(ctx: *mut abi::Ctx, level: c_int, message: *const c_char) {
    // SAFETY: the ABI says `message` is a NUL-terminated string.
    let message = unsafe { text(message) }.unwrap_or_default();
    let level = level_name(level);
    if ctx.is_null() {
        let _ = catch_unwind(|| eprintln!("vmscope: module {level}: {message}"));
        return;
    }
    with_ctx(ctx, (), move |c| {
        c.bus.publish(Event::Notice(Notice {
            ts: clock::now_ns(),
            source: c.module.to_string(),
            level,
            message,
        }));
    });
}

//! vmscope-loader: modules from shared libraries, through the C ABI of `vmscope-abi`.
//!
//! [`load`] opens a library (symbols bound at once, so a library with undefined symbols fails here
//! and not in the middle of a run), checks its exported ABI version, calls its init entry, checks
//! what it declared and hands it its options. The result, a [`DynModule`], is an ordinary
//! [`Module`]: the dispatcher orders it by its declared dependencies and delivers the event kinds
//! it consumes, copied into plain C structures ([`convert`]); what it publishes goes on the same bus
//! as every built-in module's events. A module that reports an error is disabled with one notice;
//! the guest and the other modules go on.
//!
//! Every failure is a [`LoadError`], one line for the user, before the guest starts: the command line
//! checks the modules before starting QEMU, and the plugin again at install.

pub mod convert;
mod error;
pub mod host;

use std::ffi::{c_char, c_int};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use vmscope_abi as abi;
use vmscope_core::arch::Arch;
use vmscope_core::clock;
use vmscope_core::event::{CallRender, Event, Notice};
use vmscope_core::guest::{GuestCpu, Unreadable};
use vmscope_core::module::{Bus, Interest, Module};

pub use error::LoadError;
use host::{HOST, HostCtx, text};

/// Whether an entry of `--modules` names a library (it has a `/` or ends in `.so`) rather than a
/// built-in module.
pub fn is_library(spec: &str) -> bool {
    spec.contains('/') || spec.ends_with(".so")
}

/// Refuses a library path that cannot travel in QEMU's plugin options.
pub fn check_library_path(path: &str) -> Result<(), LoadError> {
    if path.contains([',', ':', '+']) {
        return Err(LoadError::BadPath {
            path: path.to_string(),
        });
    }
    Ok(())
}

/// A `--module-option NAME.KEY=VALUE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleOption {
    /// The module's name.
    pub module: String,
    /// The option's key.
    pub key: String,
    /// Its value.
    pub value: String,
}

impl ModuleOption {
    /// Parses `NAME.KEY=VALUE` (the value may hold anything but a `,`).
    pub fn parse(s: &str) -> Result<Self, LoadError> {
        let bad = || LoadError::BadOption(s.to_string());
        let (lhs, value) = s.split_once('=').ok_or_else(bad)?;
        let (module, key) = lhs.split_once('.').ok_or_else(bad)?;
        if !abi::valid_module_name(module) || key.is_empty() || value.contains(',') {
            return Err(bad());
        }
        Ok(Self {
            module: module.to_string(),
            key: key.to_string(),
            value: value.to_string(),
        })
    }
}

/// A module loaded from a library.
pub struct DynModule {
    name: String,
    depends: Vec<&'static str>,
    interest: Interest,
    desc: abi::ModuleDesc,
    arch: &'static dyn Arch,
    /// Renders system calls into the text the ABI hands modules.
    calls: Arc<dyn CallRender>,
    path: PathBuf,
    disabled: AtomicBool,
    // Last: the library is unloaded only after `Drop::drop` called the module's `destroy`.
    _lib: libloading::Library,
}

// SAFETY: the raw pointers in `desc` are the module's state and its constant descriptions; the ABI
// requires modules to accept calls from any thread and concurrent `on_event` calls (header, "Threads").
unsafe impl Send for DynModule {}
// SAFETY: as above.
unsafe impl Sync for DynModule {}

impl std::fmt::Debug for DynModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynModule")
            .field("name", &self.name)
            .field("path", &self.path)
            .field("depends", &self.depends)
            .finish()
    }
}

impl Drop for DynModule {
    fn drop(&mut self) {
        if let Some(destroy) = self.desc.destroy {
            // SAFETY: `state` is what init gave us; destroy is called once, after every other call.
            unsafe { destroy(self.desc.state) };
        }
    }
}

/// Reads the NUL-terminated message a module wrote into `buf`.
fn message(buf: &[c_char]) -> String {
    let bytes: Vec<u8> = buf
        .iter()
        .take_while(|c| **c != 0)
        .map(|c| *c as u8)
        .collect();
    let m = String::from_utf8_lossy(&bytes).trim().to_string();
    if m.is_empty() {
        "(no message)".to_string()
    } else {
        m
    }
}

/// Most dependencies one module may declare.
const MAX_DEPENDS: usize = 64;

/// Loads the module library at `path` and configures it with the options naming it.
///
/// `calls` renders the system calls the module is handed (the ABI gives modules strace's text).
pub fn load(
    path: &Path,
    arch: &'static dyn Arch,
    options: &[ModuleOption],
    calls: Arc<dyn CallRender>,
) -> Result<DynModule, LoadError> {
    check_library_path(&path.display().to_string())?;
    // A bare `libmine.so` means the file here, not a search of the system's library path.
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let open_err = |reason: String| LoadError::Open {
        path: path.clone(),
        reason,
    };
    if !path.is_file() {
        return Err(open_err("no such file".into()));
    }
    // SAFETY: loading a library runs its initialisers; that is what loading a module means. Symbols
    // are bound now so a library that cannot run is refused here, before the guest starts.
    let lib: libloading::Library = unsafe {
        libloading::os::unix::Library::open(
            Some(&path),
            libloading::os::unix::RTLD_NOW | libloading::os::unix::RTLD_LOCAL,
        )
    }
    .map_err(|e| open_err(e.to_string()))?
    .into();
    // SAFETY: the symbol is declared `const uint32_t` by the ABI.
    let version = unsafe {
        lib.get::<*const u32>(abi::VERSION_SYMBOL.as_bytes())
            .ok()
            .map(|s| *s)
            .filter(|p| !p.is_null())
            .map(|p| p.read_unaligned())
    }
    .ok_or(LoadError::MissingSymbol {
        path: path.clone(),
        symbol: abi::VERSION_SYMBOL,
    })?;
    if !abi::host_accepts(abi::ABI_VERSION, version) {
        return Err(LoadError::AbiMismatch {
            path,
            module_major: abi::major(version),
            module_minor: abi::minor(version),
            host_major: abi::ABI_MAJOR,
            host_minor: abi::ABI_MINOR,
        });
    }
    // SAFETY: the symbol is declared as `vmscope_module_init_fn` by the ABI.
    let init: abi::InitFn = unsafe {
        lib.get::<abi::InitFn>(abi::INIT_SYMBOL.as_bytes())
            .map(|s| *s)
    }
    .map_err(|_| LoadError::MissingSymbol {
        path: path.clone(),
        symbol: abi::INIT_SYMBOL,
    })?;
    let mut desc = abi::ModuleDesc::for_host();
    let mut err: [c_char; 512] = [0; 512];
    // SAFETY: the ABI's init: our table (static), a zeroed descriptor, and an error buffer.
    let rc = unsafe { init(&HOST, &mut desc, err.as_mut_ptr(), err.len() - 1) };
    if rc != abi::OK {
        // A failed init owns nothing the host must release.
        return Err(LoadError::InitFailed {
            path,
            message: message(&err),
        });
    }
    // From here the module is live: dropping `m` calls its destroy.
    let mut m = DynModule {
        calls,
        name: String::new(),
        depends: Vec::new(),
        interest: Interest::default(),
        desc,
        arch,
        path: path.clone(),
        disabled: AtomicBool::new(false),
        _lib: lib,
    };
    let bad = |problem: String| LoadError::BadDescriptor {
        path: path.clone(),
        problem,
    };
    // SAFETY: the ABI says `name` is a NUL-terminated string valid until destroy.
    let name = unsafe { text(desc.name) }.ok_or_else(|| bad("its init set no name".into()))?;
    if !abi::valid_module_name(&name) {
        return Err(bad(format!(
            "module name `{name}` is not 1 to 32 of [a-z0-9_-]"
        )));
    }
    let mut depends = Vec::new();
    if !desc.depends.is_null() {
        for i in 0..=MAX_DEPENDS {
            if i == MAX_DEPENDS {
                return Err(bad(format!(
                    "`{name}` declares more than {MAX_DEPENDS} dependencies (is the list NULL-terminated?)"
                )));
            }
            // SAFETY: a NULL-terminated array by the ABI; we stop at the NULL.
            let p = unsafe { *desc.depends.add(i) };
            // SAFETY: a NUL-terminated string by the ABI.
            let Some(d) = (unsafe { text(p) }) else { break };
            if !abi::valid_module_name(&d) {
                return Err(bad(format!("`{name}` depends on an invalid name `{d}`")));
            }
            if d == name {
                return Err(bad(format!("`{name}` depends on itself")));
            }
            // Leaked once per load: `Module::depends` hands out `&str`s and modules live as long
            // as the process.
            depends.push(&*Box::leak(d.into_boxed_str()));
        }
    }
    // A module consumes the kinds of the minor it was built for (its own header's).
    if desc.consumes & !abi::known_kinds(abi::minor(version)) != 0 {
        return Err(bad(format!(
            "`{name}` consumes event kinds unknown to ABI {}.{} (mask {:#x})",
            abi::major(version),
            abi::minor(version),
            desc.consumes
        )));
    }
    let events = convert::core_kinds(desc.consumes);
    // Events only: library modules get no raw kernel hooks in ABI 1.0.
    m.interest = Interest {
        events,
        ..Interest::default()
    };
    m.name = name.clone();
    m.depends = depends;
    for o in options.iter().filter(|o| o.module == name) {
        m.configure(&o.key, &o.value)?;
    }
    Ok(m)
}

impl DynModule {
    /// The library it came from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn configure(&mut self, key: &str, value: &str) -> Result<(), LoadError> {
        let refused = |message: String| LoadError::OptionRefused {
            module: self.name.clone(),
            key: key.to_string(),
            message,
        };
        let Some(configure) = self.desc.configure else {
            return Err(refused("the module takes no options".into()));
        };
        let (Ok(k), Ok(v)) = (std::ffi::CString::new(key), std::ffi::CString::new(value)) else {
            return Err(refused("option text holds a NUL byte".into()));
        };
        let mut err: [c_char; 512] = [0; 512];
        // SAFETY: the ABI's configure, before any event, on one thread.
        let rc = unsafe {
            configure(
                self.desc.state,
                k.as_ptr(),
                v.as_ptr(),
                err.as_mut_ptr(),
                err.len() - 1,
            )
        };
        if rc != abi::OK {
            return Err(refused(message(&err)));
        }
        Ok(())
    }

    /// Reports a failure once and stops calling the module.
    fn fail(&self, what: &str, rc: c_int, bus: &mut Bus) {
        if !self.disabled.swap(true, Ordering::Relaxed) {
            bus.publish(Event::Notice(Notice {
                ts: clock::now_ns(),
                source: self.name.clone(),
                level: vmscope_core::event::Level::Error,
                message: format!(
                    "module reported an error ({rc}) in {what} and was disabled; the guest and the other modules go on"
                ),
            }));
        }
    }
}

impl Module for DynModule {
    fn name(&self) -> &str {
        &self.name
    }

    fn depends(&self) -> &[&str] {
        &self.depends
    }

    fn interest(&self) -> Interest {
        self.interest
    }

    fn on_event(&self, event: &Event, cpu: &mut dyn GuestCpu, bus: &mut Bus) {
        let Some(on_event) = self.desc.on_event else {
            return;
        };
        if self.disabled.load(Ordering::Relaxed) {
            return;
        }
        // A module never hears its own events (no loop through itself).
        if let Event::Custom(c) = event
            && c.module == self.name
        {
            return;
        }
        let Some(cev) = convert::to_c(event, &*self.calls) else {
            return;
        };
        let mut ctx = HostCtx {
            cpu,
            bus,
            module: &self.name,
            arch: self.arch,
            in_vcpu: true,
        };
        // SAFETY: the ABI's on_event with our context and an event valid for the call.
        let rc = unsafe { on_event(self.desc.state, ctx.as_abi(), cev.as_abi()) };
        if rc != abi::OK {
            self.fail("on_event", rc, bus);
        }
    }

    fn on_stop(&self, bus: &mut Bus) {
        let Some(on_stop) = self.desc.on_stop else {
            return;
        };
        if self.disabled.load(Ordering::Relaxed) {
            return;
        }
        let mut cpu = Unreadable;
        let mut ctx = HostCtx {
            cpu: &mut cpu,
            bus,
            module: &self.name,
            arch: self.arch,
            in_vcpu: false,
        };
        // SAFETY: the ABI's on_stop with our context.
        let rc = unsafe { on_stop(self.desc.state, ctx.as_abi()) };
        if rc != abi::OK {
            self.fail("on_stop", rc, bus);
        }
    }
}

/// Loads every library, configures the modules, and checks that every option names one of them.
pub fn load_all(
    paths: &[PathBuf],
    arch: &'static dyn Arch,
    options: &[ModuleOption],
    calls: Arc<dyn CallRender>,
) -> Result<Vec<DynModule>, LoadError> {
    let mut out: Vec<DynModule> = Vec::new();
    for p in paths {
        out.push(load(p, arch, options, calls.clone())?);
    }
    for o in options {
        if !out.iter().any(|m| m.name == o.module) {
            let loaded: Vec<&str> = out.iter().map(|m| m.name.as_str()).collect();
            return Err(LoadError::OptionTarget {
                module: o.module.clone(),
                loaded: if loaded.is_empty() {
                    "none".into()
                } else {
                    loaded.join(", ")
                },
            });
        }
    }
    Ok(out)
}

/// The dependencies of `modules` that none of them provides and that are among `builtins`: the
/// built-in modules to load for them.
pub fn builtin_dependencies(modules: &[DynModule], builtins: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in modules {
        for d in &m.depends {
            if !modules.iter().any(|o| o.name == *d)
                && builtins.contains(d)
                && !out.iter().any(|o| o == d)
            {
                out.push((*d).to_string());
            }
        }
    }
    out
}

/// A module that only declares its name and dependencies: stands for a built-in one when only the
/// order is checked (the command line, before QEMU starts).
#[derive(Debug)]
pub struct Declared {
    /// The name.
    pub name: &'static str,
    /// Its dependencies.
    pub depends: &'static [&'static str],
}

impl Module for Declared {
    fn name(&self) -> &str {
        self.name
    }
    fn depends(&self) -> &[&str] {
        self.depends
    }
    fn interest(&self) -> Interest {
        Interest::default()
    }
}

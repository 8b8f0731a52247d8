//! The built-in modules by name, and the list a user asks for turned into module instances.

use std::sync::Arc;

use vmscope_core::module::Module;
use vmscope_linux::btf::{KernelLayout, VfsLayout};
use vmscope_linux::syscalls::DecodeOptions;

use crate::context::Context;
use crate::files::{Files, LinuxFiles};
use crate::processes::{Follow, Processes};
use crate::syscalls::Syscalls;

/// What the built-in modules are built with.
#[derive(Clone)]
pub struct Config {
    /// The kernel's structure layout, from its BTF; `None` without one.
    pub layout: Option<Arc<KernelLayout>>,
    /// How syscalls are rendered.
    pub decode: DecodeOptions,
    /// The kernel's VFS structure layout (the file monitor names pre-existing descriptors with it).
    pub vfs: Option<Arc<VfsLayout>>,
    /// The file monitor's capture: bytes of each read/write journaled, and SHA-256 per handle.
    pub capture: Option<usize>,
    /// The process filter the process monitor keeps up to date (`None`: no filter).
    pub follow: Option<Arc<Follow>>,
    /// The process monitor lists every process this often (nanoseconds), besides start and shutdown.
    pub process_list_every_ns: Option<u64>,
}

/// Built-in modules: name, what it does, which built-ins it needs.
pub const BUILTIN: &[(&str, &str, &[&str])] = &[
    (
        Context::NAME,
        "which guest thread runs (pid, tid, comm) at every kernel entry and exit",
        &[],
    ),
    (
        Syscalls::NAME,
        "every system call with its arguments and return value",
        &[Context::NAME],
    ),
    (
        Files::NAME,
        "file activity: what every descriptor names, opens, reads, writes, renames... and a summary",
        &[Syscalls::NAME],
    ),
    (
        Processes::NAME,
        "process and thread lifecycle (fork, exec, exit, threads), process lists and trees",
        &[Syscalls::NAME],
    ),
];

/// The modules loaded when the user names none.
pub const DEFAULT: &[&str] = &[Context::NAME, Syscalls::NAME];

/// A module name that is not built in.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown module `{0}` (built-in modules: {known})", known = BUILTIN.iter().map(|b| b.0).collect::<Vec<_>>().join(", "))]
pub struct UnknownModule(pub String);

/// Checks names without building anything (for the command line, before QEMU starts).
pub fn check_names<S: AsRef<str>>(names: &[S]) -> Result<(), UnknownModule> {
    for n in names {
        let n = n.as_ref();
        if n != "none" && !BUILTIN.iter().any(|b| b.0 == n) {
            return Err(UnknownModule(n.to_string()));
        }
    }
    Ok(())
}

/// Builds the named built-in modules, adding the built-ins they depend on.
pub fn build<S: AsRef<str>>(
    names: &[S],
    cfg: &Config,
) -> Result<Vec<Arc<dyn Module>>, UnknownModule> {
    check_names(names)?;
    let mut wanted: Vec<&str> = Vec::new();
    fn add(name: &str, wanted: &mut Vec<&'static str>) {
        if let Some((n, _, deps)) = BUILTIN.iter().find(|b| b.0 == name) {
            for d in *deps {
                add(d, wanted);
            }
            if !wanted.contains(n) {
                wanted.push(n);
            }
        }
    }
    for n in names {
        add(n.as_ref(), &mut wanted);
    }
    Ok(wanted
        .into_iter()
        .filter_map(|n| -> Option<Arc<dyn Module>> {
            match n {
                Context::NAME => Some(Arc::new(Context::new(cfg.layout.clone()))),
                Syscalls::NAME => Some(Arc::new(Syscalls::new(cfg.decode.clone()))),
                Files::NAME => Some(Arc::new(Files::new(
                    Box::new(LinuxFiles::new(cfg.vfs.clone())),
                    cfg.capture,
                ))),
                Processes::NAME => Some(Arc::new(Processes::new(
                    cfg.layout.clone(),
                    cfg.vfs.clone(),
                    cfg.follow.clone(),
                    cfg.process_list_every_ns,
                ))),
                _ => None,
            }
        })
        .collect())
}

//! The built-in modules by name, and the composition root: from a run's [`Options`] to the modules,
//! the journal and the process filter that make it (testable without an emulator; the QEMU backend
//! only loads what needs I/O — the kernel's layout, module libraries, the output file — and calls
//! [`compose`]).

use std::io::Write;
use std::sync::Arc;

use vmscope_core::arch::Arch;
use vmscope_core::clock;
use vmscope_core::dispatch::Sink;
use vmscope_core::event::spares::SpareCalls;
use vmscope_core::event::{CallRender, Level, Notice};
use vmscope_core::module::Module;
use vmscope_linux::syscalls::{DecodeOptions, Decoder};

use crate::context::Context;
use crate::coverage::{Coverage, CoverageOptions};
use crate::devices::Devices;
use crate::fd_names::{FdNameSink, FdNamer};
use crate::files::{Files, LinuxFiles};
use crate::images::Images;
use crate::journal::Journal;
use crate::kernel::KernelCell;
use crate::memory::Memory;
use crate::network::Network;
use crate::options::Options;
use crate::processes::{FilterSink, Follow, Processes};
use crate::sched::Sched;
use crate::stacks::Stacks;
use crate::syscalls::Syscalls;
use crate::trace_filter::TraceSink;
use vmscope_linux::trace_classes::TraceSet;

/// What the built-in modules are built with.
#[derive(Clone)]
pub struct Config {
    /// The guest's architecture.
    pub arch: &'static dyn Arch,
    /// The most vCPUs the guest can have (per-vCPU state is sized by it).
    pub max_vcpus: usize,
    /// The kernel's structure layouts, from its BTF (known from the start, found in guest memory
    /// later, or none); the file monitor names pre-existing descriptors with its VFS layout.
    pub kernel: Arc<KernelCell>,
    /// How syscalls are rendered.
    pub decode: DecodeOptions,
    /// The file monitor's capture: bytes of each read/write journaled, and SHA-256 per handle.
    pub capture: Option<usize>,
    /// The process filter the process monitor keeps up to date (`None`: no filter).
    pub follow: Option<Arc<Follow>>,
    /// The process monitor lists every process this often (nanoseconds), besides start and shutdown.
    pub process_list_every_ns: Option<u64>,
    /// Frames per call stack at most (the stacks module).
    pub stack_depth: usize,
    /// Where the stacks module looks for the images' debug files.
    pub debug_dir: Option<std::path::PathBuf>,
    /// `--trace` when nothing but the journal consumes system calls: the syscall module captures
    /// memory only for these calls.
    pub capture_only: Option<vmscope_linux::trace_classes::TraceSet>,
    /// The coverage module's directory and filters.
    pub coverage: CoverageOptions,
    /// The devices the devices module journals every access to.
    pub device_events: Vec<String>,
    /// `--decode-fds`: the syscall module names descriptor arguments through this, which the file
    /// and network monitors built here feed.
    pub fd_names: Option<Arc<FdNamer>>,
    /// Where the journal gives back the syscall events it wrote, for the detector to reuse.
    pub spares: Option<Arc<SpareCalls>>,
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
    (
        Memory::NAME,
        "every process's address space from the kernel's VMA tree: changes, snapshots, W^X alerts",
        &[Syscalls::NAME],
    ),
    (
        Images::NAME,
        "the ELF images loaded in each process (program, loader, libraries, vDSO) with build ids",
        &[Memory::NAME],
    ),
    (
        Stacks::NAME,
        "every system call's user-space call stack, with symbols, and files and lines from debug files",
        &[Images::NAME],
    ),
    (
        Network::NAME,
        "sockets: what each is (family, protocol, addresses), every operation, and per-connection bytes",
        &[Syscalls::NAME],
    ),
    (
        Coverage::NAME,
        "the user-code basic blocks each process ran, as drcov files (--coverage-dir)",
        &[Images::NAME],
    ),
    (
        Devices::NAME,
        "port I/O and MMIO accesses per device, with the processes behind them",
        &[Context::NAME],
    ),
    (
        Sched::NAME,
        "which thread each vCPU runs: switch events and time per thread and vCPU",
        &[Context::NAME],
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

/// The named built-ins and the built-ins they depend on, dependencies first.
pub fn resolve<S: AsRef<str>>(names: &[S]) -> Result<Vec<&'static str>, UnknownModule> {
    check_names(names)?;
    let mut wanted: Vec<&'static str> = Vec::new();
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
    Ok(wanted)
}

/// Builds the named built-in modules, adding the built-ins they depend on.
pub fn build<S: AsRef<str>>(
    names: &[S],
    cfg: &Config,
) -> Result<Vec<Arc<dyn Module>>, UnknownModule> {
    let names = resolve(names)?;
    // The detector takes each call's stack at its entry from the stacks module.
    let stacks = names.contains(&Stacks::NAME).then(|| {
        Arc::new(Stacks::new(
            cfg.arch,
            cfg.stack_depth,
            cfg.debug_dir.clone(),
        ))
    });
    // `--decode-fds`: the syscall module names descriptors from the file and network monitors.
    let files = names.contains(&Files::NAME).then(|| {
        Arc::new(Files::new(
            Box::new(LinuxFiles::new(cfg.kernel.clone(), cfg.arch)),
            cfg.capture,
        ))
    });
    let network = names
        .contains(&Network::NAME)
        .then(|| Arc::new(Network::with_kernel(cfg.kernel.clone())));
    if let Some(n) = &cfg.fd_names {
        if let Some(f) = &files {
            n.set_files(f.clone());
        }
        if let Some(net) = &network {
            n.set_network(net.clone());
        }
    }
    Ok(names
        .into_iter()
        .filter_map(|n| -> Option<Arc<dyn Module>> {
            match n {
                Context::NAME => Some(Arc::new(Context::new(
                    cfg.kernel.clone(),
                    cfg.arch,
                    cfg.max_vcpus,
                ))),
                Syscalls::NAME => {
                    let s = Syscalls::new(cfg.decode.clone(), cfg.arch);
                    let s = match &cfg.spares {
                        Some(p) => s.with_spares(p.clone(), cfg.max_vcpus),
                        None => s,
                    };
                    let s = match &stacks {
                        Some(st) => s.with_stacks(st.clone()),
                        None => s,
                    };
                    let s = match &cfg.fd_names {
                        Some(n) => s.with_fd_names(n.clone()),
                        None => s,
                    };
                    Some(Arc::new(match cfg.capture_only {
                        Some(set) => s.capture_only(set),
                        None => s,
                    }))
                }
                Files::NAME => files.clone().map(|f| f as Arc<dyn Module>),
                Processes::NAME => Some(Arc::new(Processes::new(
                    cfg.kernel.clone(),
                    cfg.follow.clone(),
                    cfg.process_list_every_ns,
                ))),
                Memory::NAME => Some(Arc::new(Memory::new(cfg.kernel.clone()))),
                Images::NAME => Some(Arc::new(Images::new())),
                Stacks::NAME => stacks.clone().map(|s| s as Arc<dyn Module>),
                Network::NAME => network.clone().map(|n| n as Arc<dyn Module>),
                Coverage::NAME => Some(Arc::new(Coverage::new(
                    cfg.coverage.clone(),
                    cfg.arch,
                    cfg.max_vcpus,
                ))),
                Devices::NAME => Some(Arc::new(Devices::new(
                    cfg.device_events.clone(),
                    cfg.max_vcpus,
                ))),
                Sched::NAME => Some(Arc::new(Sched::new(cfg.max_vcpus))),
                _ => None,
            }
        })
        .collect())
}

/// A run's pieces: the modules (not yet ordered), the sink every event goes to, and what to tell
/// the user once tracing starts.
pub struct Composition {
    /// Built-in and library modules.
    pub modules: Vec<Arc<dyn Module>>,
    /// The journal, behind the process filter when one is asked for.
    pub sink: Arc<dyn Sink>,
    /// Notices for the journal's start.
    pub notices: Vec<Notice>,
}

/// Why a run cannot be composed.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// A module name is unknown.
    #[error(transparent)]
    UnknownModule(#[from] UnknownModule),
    /// A bad `--trace` expression.
    #[error(transparent)]
    Trace(vmscope_linux::trace_classes::TraceError),
    /// The journal's writer thread could not start.
    #[error("cannot start the journal's writer: {0}")]
    Journal(std::io::Error),
}

/// The renderer of system calls for a run's options (the journal's, and library modules').
pub fn call_renderer(opts: &Options) -> Arc<dyn CallRender> {
    Arc::new(Decoder::new(DecodeOptions {
        string_limit: opts.string_limit,
    }))
}

fn notice(level: Level, message: String) -> Notice {
    Notice {
        ts: clock::now_ns(),
        source: "vmscope".into(),
        level,
        message,
    }
}

/// Composes a run from `opts`: the built-in modules named (and the process monitor when a process
/// filter or periodic lists are asked for, since it keeps the filter up to date), the `libraries`
/// (modules loaded from shared libraries) with the built-ins they `need`, and the journal writing
/// to `out`, behind the process filter when one is asked for and can work.
pub fn compose(
    opts: &Options,
    arch: &'static dyn Arch,
    max_vcpus: usize,
    kernel: Arc<KernelCell>,
    out: Box<dyn Write + Send>,
    libraries: Vec<Arc<dyn Module>>,
    need: &[String],
) -> Result<Composition, ComposeError> {
    let mut notices = Vec::new();
    let decode = DecodeOptions {
        string_limit: opts.string_limit,
    };
    let renderer: Arc<dyn CallRender> = Arc::new(Decoder::new(decode.clone()));
    // The journal gives the syscall events it wrote back to the detector, for its next calls.
    let spares = Arc::new(SpareCalls::new());
    let journal: Arc<dyn Sink> = Arc::new(
        Journal::recycling(opts.format, out, renderer, Some(spares.clone()))
            .map_err(ComposeError::Journal)?,
    );
    // --decode-fds: returned descriptors are named after every module applied the call.
    let fd_names = opts.decode_fds.then(|| Arc::new(FdNamer::new()));
    let journal: Arc<dyn Sink> = match &fd_names {
        Some(n) => Arc::new(FdNameSink::new(journal, n.clone())),
        None => journal,
    };
    let filtering = !opts.follow_pids.is_empty() || !opts.follow_comms.is_empty();
    let follow = filtering.then(|| {
        Arc::new(Follow::new(
            opts.follow_pids.clone(),
            opts.follow_comms.clone(),
        ))
    });
    if filtering && !kernel.may_have_layout() {
        notices.push(notice(
            Level::Warning,
            "follow_pid/follow_comm need the kernel's structure layout to know processes: nothing is \
             filtered"
                .into(),
        ));
    }
    let mut sink: Arc<dyn Sink> = match &follow {
        Some(f) if kernel.may_have_layout() => Arc::new(FilterSink::new(journal, f.clone())),
        _ => journal,
    };
    // --trace: calls outside the set never reach the journal (so are never rendered).
    let trace = match &opts.trace {
        Some(t) => Some(TraceSet::parse(t).map_err(ComposeError::Trace)?),
        None => None,
    };
    if let Some(set) = trace {
        sink = Arc::new(TraceSink::new(sink, set));
    }
    let cfg = Config {
        arch,
        max_vcpus,
        kernel,
        decode,
        capture: opts.capture,
        follow,
        process_list_every_ns: opts.process_list_every.map(|s| s * 1_000_000_000),
        stack_depth: opts.stack.unwrap_or(crate::stacks::DEFAULT_DEPTH),
        debug_dir: opts.debug_dir.clone(),
        capture_only: None,
        coverage: CoverageOptions {
            dir: opts
                .coverage_dir
                .clone()
                .unwrap_or_else(|| "vmscope-coverage".into()),
            only: opts.coverage_for.clone(),
            kernel: opts.coverage_kernel,
        },
        device_events: opts.device_events.clone(),
        fd_names,
        spares: Some(spares),
    };
    let mut names: Vec<&str> = opts
        .modules
        .iter()
        .map(String::as_str)
        .filter(|n| *n != "none" && !is_library(n))
        .collect();
    if opts.stack.is_some() && !names.contains(&Stacks::NAME) {
        names.push(Stacks::NAME);
    }
    if opts.coverage_dir.is_some() && !names.contains(&Coverage::NAME) {
        names.push(Coverage::NAME);
    }
    if !opts.device_events.is_empty() && !names.contains(&Devices::NAME) {
        names.push(Devices::NAME);
    }
    if opts.decode_fds {
        for n in [Files::NAME, Network::NAME] {
            if !names.contains(&n) {
                names.push(n);
            }
        }
    }
    if (filtering || opts.process_list_every.is_some()) && !names.contains(&Processes::NAME) {
        names.push(Processes::NAME);
    }
    for n in need {
        if !names.contains(&n.as_str()) {
            names.push(n);
        }
    }
    // Untraced calls need no captured memory when the journal is their only consumer.
    let consumers = resolve(&names)?;
    let cfg = Config {
        capture_only: trace.filter(|_| {
            libraries.is_empty()
                && consumers
                    .iter()
                    .all(|n| [Context::NAME, Syscalls::NAME].contains(n))
        }),
        ..cfg
    };
    let mut modules = build(&names, &cfg)?;
    modules.extend(libraries);
    Ok(Composition {
        modules,
        sink,
        notices,
    })
}

/// Whether a `--modules` entry names a library (a path with `/`, or a file ending in `.so`) rather
/// than a built-in module.
pub fn is_library(name: &str) -> bool {
    name.contains('/') || name.ends_with(".so")
}

#[cfg(test)]
mod tests {
    use super::*;
    use vmscope_core::arch::x86_64::X86_64;

    fn names(c: &Composition) -> Vec<String> {
        c.modules.iter().map(|m| m.name().to_string()).collect()
    }

    fn compose_with(opts: &Options, layout: bool) -> Composition {
        let kernel = Arc::new(KernelCell::known(
            layout.then(crate::test_support::layout),
            None,
        ));
        compose(
            opts,
            &X86_64,
            2,
            kernel,
            Box::new(std::io::sink()),
            vec![],
            &[],
        )
        .unwrap()
    }

    #[test]
    fn dependencies_are_added_and_filters_bring_the_process_monitor() {
        let o = Options {
            modules: vec!["files".into()],
            ..Options::default()
        };
        assert_eq!(
            names(&compose_with(&o, true)),
            ["context", "syscalls", "files"]
        );
        let o = Options {
            modules: vec!["syscalls".into()],
            follow_comms: vec!["sh".into()],
            ..Options::default()
        };
        let c = compose_with(&o, true);
        assert_eq!(names(&c), ["context", "syscalls", "processes"]);
        assert!(c.notices.is_empty());
        // Without a layout nothing can be filtered, and the user is told.
        let c = compose_with(&o, false);
        assert_eq!(c.notices.len(), 1);
        assert!(c.notices[0].message.contains("nothing is filtered"));
    }

    #[test]
    fn library_entries_are_not_built_ins_and_their_needs_are() {
        let o = Options {
            modules: vec!["/opt/libids.so".into()],
            ..Options::default()
        };
        let kernel = Arc::new(KernelCell::known(None, None));
        let c = compose(
            &o,
            &X86_64,
            1,
            kernel,
            Box::new(std::io::sink()),
            vec![],
            &["files".to_string()],
        )
        .unwrap();
        assert_eq!(names(&c), ["context", "syscalls", "files"]);
        let o = Options {
            modules: vec!["nonesuch".into()],
            ..Options::default()
        };
        assert!(matches!(
            compose(
                &o,
                &X86_64,
                1,
                Arc::new(KernelCell::known(None, None)),
                Box::new(std::io::sink()),
                vec![],
                &[]
            ),
            Err(ComposeError::UnknownModule(_))
        ));
    }
}

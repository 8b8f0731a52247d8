//! Turning the plugin's options into modules and a journal, without QEMU (so it can be tested).

use std::fs::File;
use std::sync::Arc;

use vmscope_core::arch::Arch;
use vmscope_core::clock;
use vmscope_core::dispatch::Sink;
use vmscope_core::event::Notice;
use vmscope_core::module::Module;
use vmscope_linux::btf::KernelLayout;
use vmscope_linux::syscalls::DecodeOptions;
use vmscope_modules::journal::Journal;
use vmscope_modules::processes::{FilterSink, Follow, Processes};
use vmscope_modules::registry::{self, Config};

use crate::options::{OptionError, Options};

/// Why the plugin cannot start.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// A bad option.
    #[error(transparent)]
    Options(OptionError),
    /// The emulator's target is not one we know.
    #[error("guest architecture `{0}` is not supported (supported: x86_64)")]
    Target(String),
    /// Loaded into user-mode QEMU.
    #[error("vmscope needs full-system emulation (qemu-system-*), not user-mode QEMU")]
    UserMode,
    /// The kernel file is unusable.
    #[error("kernel `{path}`: {source}")]
    Kernel {
        /// The path given.
        path: String,
        /// Why.
        source: vmscope_linux::error::Error,
    },
    /// The journal cannot be opened.
    #[error("cannot open journal `{path}`: {source}")]
    Output {
        /// The path given.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A module name is unknown.
    #[error(transparent)]
    UnknownModule(#[from] registry::UnknownModule),
    /// The modules do not fit together.
    #[error(transparent)]
    Modules(vmscope_core::Error),
    /// A module library cannot be loaded, or its options are wrong.
    #[error(transparent)]
    Load(#[from] vmscope_loader::LoadError),
    /// Installed twice into one process.
    #[error("the plugin is loaded twice")]
    Twice,
}

/// What [`build`] makes.
pub struct Built {
    /// The modules, not yet ordered.
    pub modules: Vec<Arc<dyn Module>>,
    /// The journal sink (behind the process filter when one is asked for).
    pub journal: Arc<dyn Sink>,
    /// Things to tell the user once tracing starts.
    pub notices: Vec<Notice>,
}

fn notice(level: &'static str, message: String) -> Notice {
    Notice {
        ts: clock::now_ns(),
        source: "vmscope".into(),
        level,
        message,
    }
}

/// Loads the kernel layout, opens the journal and builds the modules: the built-in ones named, and
/// those loaded from libraries (entries of `modules` with a `/` or ending in `.so`) with the built-in
/// modules they depend on. `arch` names the registers library modules may read.
pub fn build(opts: &Options, arch: &'static dyn Arch) -> Result<Built, SetupError> {
    let mut notices = Vec::new();
    let wants_files = opts
        .modules
        .iter()
        .any(|m| m == vmscope_modules::files::Files::NAME);
    let mut vfs = None;
    let layout = match &opts.kernel {
        None => {
            notices.push(notice(
                "warning",
                "no kernel image given (kernel=PATH): threads are not identified; calls are matched \
                 by address space and stack"
                    .into(),
            ));
            None
        }
        Some(path) => match KernelLayout::from_kernel_file_with_vfs(path) {
            Ok((l, v)) => {
                notices.push(notice(
                    "info",
                    format!("kernel layout from BTF: {}", l.describe()),
                ));
                match v {
                    Ok(v) => vfs = Some(Arc::new(v)),
                    Err(missing) if wants_files => notices.push(notice(
                        "warning",
                        format!(
                            "files: BTF lacks {}; descriptors opened before tracing stay unnamed",
                            missing.join(", ")
                        ),
                    )),
                    Err(_) => {}
                }
                Some(Arc::new(l))
            }
            Err(e) if e.is_missing_btf() => {
                notices.push(notice(
                    "warning",
                    format!(
                        "{}: {e}; threads are not identified, calls are matched by address space and stack",
                        path.display()
                    ),
                ));
                None
            }
            Err(source) => {
                return Err(SetupError::Kernel {
                    path: path.display().to_string(),
                    source,
                });
            }
        },
    };
    let out: Box<dyn std::io::Write + Send> = match &opts.output {
        None => Box::new(std::io::stderr()),
        Some(p) if p.as_os_str() == "-" => Box::new(std::io::stdout()),
        Some(p) => Box::new(File::create(p).map_err(|source| SetupError::Output {
            path: p.display().to_string(),
            source,
        })?),
    };
    let journal =
        Arc::new(
            Journal::new(opts.format, out).map_err(|source| SetupError::Output {
                path: "<writer thread>".into(),
                source,
            })?,
        );
    // The process filter: the process monitor keeps it up to date, so it is loaded with it.
    let filtering = !opts.follow_pids.is_empty() || !opts.follow_comms.is_empty();
    let follow = filtering.then(|| {
        Arc::new(Follow::new(
            opts.follow_pids.clone(),
            opts.follow_comms.clone(),
        ))
    });
    if filtering && layout.is_none() {
        notices.push(notice(
            "warning",
            "follow_pid/follow_comm need the kernel's BTF to know processes: nothing is filtered"
                .into(),
        ));
    }
    let journal: Arc<dyn Sink> = match &follow {
        Some(f) if layout.is_some() => Arc::new(FilterSink::new(journal, f.clone())),
        _ => journal,
    };
    let cfg = Config {
        layout,
        decode: DecodeOptions {
            string_limit: opts.string_limit,
        },
        vfs,
        capture: opts.capture,
        follow,
        process_list_every_ns: opts.process_list_every.map(|s| s * 1_000_000_000),
    };
    let mut names: Vec<&str> = opts
        .modules
        .iter()
        .map(String::as_str)
        .filter(|n| *n != "none")
        .collect();
    if (filtering || opts.process_list_every.is_some()) && !names.contains(&Processes::NAME) {
        names.push(Processes::NAME);
    }
    let (libraries, mut names): (Vec<&str>, Vec<&str>) = names
        .into_iter()
        .partition(|n| vmscope_loader::is_library(n));
    let libraries: Vec<std::path::PathBuf> = libraries.into_iter().map(Into::into).collect();
    let loaded = vmscope_loader::load_all(&libraries, arch, &opts.module_options)?;
    let builtin: Vec<&str> = registry::BUILTIN.iter().map(|b| b.0).collect();
    let wanted = vmscope_loader::builtin_dependencies(&loaded, &builtin);
    for w in &wanted {
        if !names.contains(&w.as_str()) {
            names.push(w);
        }
    }
    let mut modules = registry::build(&names, &cfg)?;
    modules.extend(loaded.into_iter().map(|m| Arc::new(m) as Arc<dyn Module>));
    Ok(Built {
        modules,
        journal,
        notices,
    })
}

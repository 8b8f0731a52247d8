//! Turning the plugin's options into a run, without QEMU (so it can be tested): what needs I/O is
//! done here — the kernel file's layout, the journal's output file, module libraries — and the
//! modules' registry composes the rest ([`vmscope_modules::registry::compose`]).

use std::fs::File;
use std::sync::Arc;

use vmscope_core::arch::Arch;
use vmscope_core::clock;
use vmscope_core::dispatch::Sink;
use vmscope_core::event::{Level, Notice};
use vmscope_core::module::Module;
use vmscope_linux::btf::KernelLayout;
use vmscope_modules::options::{OptionError, Options};
use vmscope_modules::registry::{self, ComposeError, Kernel};

/// Why the plugin cannot start.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// A bad option.
    #[error(transparent)]
    Options(OptionError),
    /// The emulator's target is not one we know.
    #[error("guest architecture `{0}` is not supported (supported: {known})", known = vmscope_core::arch::SUPPORTED.join(", "))]
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
    /// The run cannot be composed (an unknown module, the journal's thread).
    #[error(transparent)]
    Compose(#[from] ComposeError),
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

fn notice(level: Level, message: String) -> Notice {
    Notice {
        ts: clock::now_ns(),
        source: "vmscope".into(),
        level,
        message,
    }
}

/// The kernel's layout from the file the options name, with what to tell the user about it.
fn kernel(opts: &Options, notices: &mut Vec<Notice>) -> Result<Kernel, SetupError> {
    let wants_files = opts
        .modules
        .iter()
        .any(|m| m == vmscope_modules::files::Files::NAME);
    let Some(path) = &opts.kernel else {
        notices.push(notice(
            Level::Warning,
            "no kernel image given (kernel=PATH): threads are not identified; calls are matched \
             by address space and stack"
                .into(),
        ));
        return Ok(Kernel::default());
    };
    match KernelLayout::from_kernel_file_with_vfs(path) {
        Ok((l, v)) => {
            notices.push(notice(
                Level::Info,
                format!("kernel layout from BTF: {}", l.describe()),
            ));
            let vfs = match v {
                Ok(v) => Some(Arc::new(v)),
                Err(missing) => {
                    if wants_files {
                        notices.push(notice(
            Level::Warning,
                            format!(
                                "files: BTF lacks {}; descriptors opened before tracing stay unnamed",
                                missing.join(", ")
                            ),
                        ));
                    }
                    None
                }
            };
            Ok(Kernel {
                layout: Some(Arc::new(l)),
                vfs,
            })
        }
        Err(e) if e.is_missing_btf() => {
            notices.push(notice(
            Level::Warning,
                format!(
                    "{}: {e}; threads are not identified, calls are matched by address space and stack",
                    path.display()
                ),
            ));
            Ok(Kernel::default())
        }
        Err(source) => Err(SetupError::Kernel {
            path: path.display().to_string(),
            source,
        }),
    }
}

/// Loads the kernel layout, opens the journal, loads module libraries (entries of `modules` with a
/// `/` or ending in `.so`) and composes the run for a guest of `arch` with up to `max_vcpus` vCPUs.
pub fn build(
    opts: &Options,
    arch: &'static dyn Arch,
    max_vcpus: usize,
) -> Result<Built, SetupError> {
    let mut notices = Vec::new();
    let kernel = kernel(opts, &mut notices)?;
    let out: Box<dyn std::io::Write + Send> = match &opts.output {
        None => Box::new(std::io::stderr()),
        Some(p) if p.as_os_str() == "-" => Box::new(std::io::stdout()),
        Some(p) => Box::new(File::create(p).map_err(|source| SetupError::Output {
            path: p.display().to_string(),
            source,
        })?),
    };
    let libraries: Vec<std::path::PathBuf> = opts
        .modules
        .iter()
        .filter(|n| registry::is_library(n))
        .map(Into::into)
        .collect();
    let module_options = opts
        .module_options
        .iter()
        .map(|o| vmscope_loader::ModuleOption::parse(o))
        .collect::<Result<Vec<_>, _>>()?;
    let loaded = vmscope_loader::load_all(
        &libraries,
        arch,
        &module_options,
        registry::call_renderer(opts),
    )?;
    let builtin: Vec<&str> = registry::BUILTIN.iter().map(|b| b.0).collect();
    let need = vmscope_loader::builtin_dependencies(&loaded, &builtin);
    let loaded: Vec<Arc<dyn Module>> = loaded
        .into_iter()
        .map(|m| Arc::new(m) as Arc<dyn Module>)
        .collect();
    let c = registry::compose(opts, arch, max_vcpus, kernel, out, loaded, &need)?;
    notices.extend(c.notices);
    Ok(Built {
        modules: c.modules,
        journal: c.sink,
        notices,
    })
}

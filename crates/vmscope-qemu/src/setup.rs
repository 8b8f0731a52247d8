//! Turning the plugin's options into a run, without QEMU (so it can be tested): what needs I/O is
//! done here — the kernel file's layout, or the finder of the running kernel in guest memory with the
//! host's BTF cache, the journal's output file, module libraries — and the modules' registry composes
//! the rest ([`vmscope_modules::registry::compose`]).

use std::fs::File;
use std::sync::Arc;

use vmscope_core::arch::Arch;
use vmscope_core::clock;
use vmscope_core::dispatch::Sink;
use vmscope_core::event::{Level, Notice};
use vmscope_core::guest::GuestCpu;
use vmscope_core::module::Module;
use vmscope_linux::btf::{KernelLayout, VfsLayout};
use vmscope_linux::btf_cache::BtfCache;
use vmscope_linux::btf_locate::{LocateLimits, X86_64_IMAGE_MAP_END, X86_64_IMAGE_MAP_START};
use vmscope_linux::kernel_memory::{is_not_here, kernel_from_memory};
use vmscope_modules::kernel::{FindKernel, Finding, KernelCell, Layouts};
use vmscope_modules::options::{OptionError, Options};
use vmscope_modules::registry::{self, ComposeError};

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
    /// The coverage directory cannot take files.
    #[error("{0}")]
    Coverage(String),
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

/// The kernel's layouts: from the file the options name, to be found in guest memory, or none; with
/// what to tell the user about it.
fn kernel(opts: &Options, notices: &mut Vec<Notice>) -> Result<KernelCell, SetupError> {
    let wants_files = opts
        .modules
        .iter()
        .any(|m| m == vmscope_modules::files::Files::NAME);
    if opts.layout_from_memory {
        let cache = BtfCache::default_dir().map(BtfCache::new);
        notices.push(notice(
            Level::Info,
            format!(
                "kernel layout: from guest memory (no kernel file; the guest boots itself), looked \
                 for at the kernel's first exit; BTF cache {}",
                cache.as_ref().map_or(
                    "off (neither XDG_CACHE_HOME nor HOME is set)".to_string(),
                    |c| c.dir().display().to_string()
                )
            ),
        ));
        return Ok(KernelCell::in_memory(Box::new(MemoryFinder {
            cache,
            limits: LocateLimits::default(),
            wants_files,
        })));
    }
    let Some(path) = &opts.kernel else {
        notices.push(notice(
            Level::Warning,
            "no kernel image given (kernel=PATH or layout=memory): threads are not identified; calls \
             are matched by address space and stack"
                .into(),
        ));
        return Ok(KernelCell::known(None, None));
    };
    if let Some(dbg) = &opts.kernel_debuginfo {
        // A kernel without BTF (Debian's i386 kernel): the same layout from the DWARF of its build.
        let loaded = vmscope_linux::dwarf::check_debuginfo_matches(path, dbg)
            .and_then(|()| KernelLayout::from_dwarf_file(dbg));
        return match loaded {
            Ok((l, v)) => {
                notices.push(notice(
                    Level::Info,
                    format!(
                        "kernel layout from the DWARF of {} (for {}): {}",
                        dbg.display(),
                        path.display(),
                        l.describe()
                    ),
                ));
                let vfs = vfs_or_notice(v, wants_files, notices);
                Ok(KernelCell::known(Some(l), vfs))
            }
            Err(source) => Err(SetupError::Kernel {
                path: dbg.display().to_string(),
                source,
            }),
        };
    }
    match KernelLayout::from_kernel_file_with_vfs(path) {
        Ok((l, v)) => {
            notices.push(notice(
                Level::Info,
                format!(
                    "kernel layout from the kernel file's BTF ({}): {}",
                    path.display(),
                    l.describe()
                ),
            ));
            let vfs = vfs_or_notice(v, wants_files, notices);
            Ok(KernelCell::known(Some(l), vfs))
        }
        Err(e) if e.is_missing_btf() => {
            notices.push(notice(
                Level::Warning,
                format!(
                    "{}: {e}; threads are not identified, calls are matched by address space and stack",
                    path.display()
                ),
            ));
            Ok(KernelCell::known(None, None))
        }
        Err(source) => Err(SetupError::Kernel {
            path: path.display().to_string(),
            source,
        }),
    }
}

/// The VFS layout, or a notice naming what the BTF lacks when the file monitor would have used it.
fn vfs_or_notice(
    v: Result<VfsLayout, Vec<&'static str>>,
    wants_files: bool,
    notices: &mut Vec<Notice>,
) -> Option<VfsLayout> {
    match v {
        Ok(v) => Some(v),
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
    }
}

/// Finds the running kernel in guest memory (`layout=memory`): the banner, the host cache, else the
/// BTF located in memory and cached ([`vmscope_linux::kernel_memory`]).
struct MemoryFinder {
    cache: Option<BtfCache>,
    limits: LocateLimits,
    wants_files: bool,
}

impl FindKernel for MemoryFinder {
    fn is_kernel_text(&self, pc: u64) -> bool {
        (X86_64_IMAGE_MAP_START..X86_64_IMAGE_MAP_END).contains(&pc)
    }

    fn find(&self, cpu: &mut dyn GuestCpu, pc: u64) -> Finding {
        let started = std::time::Instant::now();
        let vcpu = cpu.vcpu();
        match kernel_from_memory(cpu, pc, &self.limits, self.cache.as_ref()) {
            Ok(k) => {
                let ms = started.elapsed().as_secs_f64() * 1e3;
                let mut notices = vec![(
                    Level::Info,
                    format!(
                        "kernel layout from guest memory: {}; {}; found from {pc:#x} on vCPU {vcpu} \
                         in {ms:.0} ms (the guest waited that long, once)",
                        k.layout.describe(),
                        k.describe_source(),
                    ),
                )];
                notices.extend(k.warnings.iter().map(|w| (Level::Warning, w.clone())));
                let mut v = Vec::new();
                let vfs = vfs_or_notice(k.vfs, self.wants_files, &mut v);
                notices.extend(v.into_iter().map(|n| (n.level, n.message)));
                Finding::Found {
                    layouts: Box::new(Layouts {
                        layout: k.layout,
                        vfs,
                    }),
                    notices,
                }
            }
            Err(e) if is_not_here(&e) => Finding::NotHere(e.to_string()),
            Err(e) => Finding::Failed(e.to_string()),
        }
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
    if opts.modules.iter().any(|m| m == "coverage") || opts.coverage_dir.is_some() {
        let dir = opts
            .coverage_dir
            .clone()
            .unwrap_or_else(|| "vmscope-coverage".into());
        vmscope_modules::coverage::check_dir(&dir).map_err(SetupError::Coverage)?;
    }
    let kernel = Arc::new(kernel(opts, &mut notices)?);
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

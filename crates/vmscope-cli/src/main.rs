//! `vmscope`: boots a guest under QEMU with the vmscope plugin and writes the journal.
//!
//! Everything the user can get wrong (paths, options, module names, the QEMU found) is checked here,
//! before QEMU starts, and reported as one line with a non-zero exit.

mod bench;
mod boot;
mod compare;
mod convert;
mod families;
mod fidelity;
mod guest;
mod jsonl;
mod modules;
mod progress;
mod qemu;
mod replay;
mod report;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// `report` and `convert` allocate for every JSON value of every event.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Watch what happens inside a QEMU virtual machine, from outside it.
#[derive(Parser, Debug)]
#[command(name = "vmscope", version, about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Boot a guest under QEMU with vmscope loaded and write the journal.
    Run(Box<RunArgs>),
    /// Run a guest once under QEMU's deterministic record mode, with no plugin (docs/replay.md).
    Record(Box<replay::RecordArgs>),
    /// Analyse a recording with any modules; replays of one recording write identical journals.
    Replay(Box<replay::ReplayArgs>),
    /// List the built-in modules.
    Modules,
    /// Measure what tracing costs the guest: no plugin vs vmscope vs strace inside the guest.
    Bench(bench::BenchArgs),
    /// Compare a JSON Lines journal with strace's output for the same guest run (fidelity figures).
    Compare {
        /// The journal (`--format jsonl`).
        #[arg(long, value_name = "FILE")]
        journal: PathBuf,
        /// strace's `-f -o` output from inside the guest.
        #[arg(long, value_name = "FILE")]
        strace: PathBuf,
        /// List unmatched calls and argument differences.
        #[arg(long)]
        verbose: bool,
        /// Exit with status 1 when fewer than this percentage of strace's calls are matched.
        #[arg(long, value_name = "PERCENT")]
        min_matched: Option<f64>,
    },
    /// Trace the corpus with strace in the guest and vmscope outside; print and check the fidelity bars.
    Fidelity(fidelity::FidelityArgs),
    /// Convert a JSON Lines journal into a Parquet dataset (one file per event type).
    Convert(convert::ConvertArgs),
    /// Write one self-contained HTML page about a JSON Lines journal.
    Report(report::ReportArgs),
    /// Check a kernel image: is it one, its architecture, and what its BTF (or DWARF) gives vmscope.
    Kernel {
        /// The kernel image (bzImage, vmlinux or arm64 Image).
        file: PathBuf,
        /// The DWARF vmlinux of the same build, for a kernel without BTF.
        #[arg(long, value_name = "FILE")]
        kernel_debuginfo: Option<PathBuf>,
        /// Check that the kernel is of this architecture.
        #[arg(long, value_enum)]
        arch: Option<GuestArch>,
    },
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// One strace-like line per call.
    Text,
    /// One JSON object per line.
    Jsonl,
    /// A Parquet dataset in the --output directory, one file per event type (the plugin writes JSON
    /// Lines beside it, converted when the guest stops).
    Parquet,
}

/// A guest architecture the command line can run.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum GuestArch {
    /// x86_64 (`qemu-system-x86_64 -M pc`).
    #[value(name = "x86_64")]
    X86_64,
    /// aarch64 (`qemu-system-aarch64 -M virt -cpu cortex-a72`).
    #[value(name = "aarch64")]
    Aarch64,
    /// 32-bit x86 (`qemu-system-i386 -M pc`, the default `qemu32` CPU): an i386 kernel.
    #[value(name = "i386")]
    I386,
}

impl GuestArch {
    /// The architecture of a run: `--arch`, else told by the QEMU's file name, else x86_64.
    pub fn of(explicit: Option<GuestArch>, qemu: Option<&std::path::Path>) -> GuestArch {
        explicit.unwrap_or_else(|| {
            let name = qemu
                .map(|q| q.to_string_lossy().into_owned())
                .or_else(|| std::env::var("VMSCOPE_QEMU").ok())
                .unwrap_or_default();
            if name.contains("aarch64") {
                GuestArch::Aarch64
            } else if name.contains("i386") {
                GuestArch::I386
            } else {
                GuestArch::X86_64
            }
        })
    }

    /// The name QEMU's target and vmscope's `Arch` use.
    pub fn name(self) -> &'static str {
        match self {
            GuestArch::X86_64 => "x86_64",
            GuestArch::Aarch64 => "aarch64",
            GuestArch::I386 => "i386",
        }
    }
}

/// Options of `vmscope run`.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Guest kernel (bzImage or vmlinux); default: the default guest's, unless the guest boots itself
    /// (--disk, or boot options after `--`: -kernel, -drive, -cdrom, -bios...).
    #[arg(long, value_name = "FILE")]
    kernel: Option<PathBuf>,
    /// The DWARF vmlinux of the kernel's build (a distribution's `-dbg` package), for a kernel
    /// without BTF: the structure layout comes from it; default: the default guest's `vmlinux-dbg`
    /// when it boots the default guest and has one (the i386 guest).
    #[arg(long, value_name = "FILE")]
    kernel_debuginfo: Option<PathBuf>,
    /// Initial ramdisk; default: the default guest's when no --kernel is given.
    #[arg(long, value_name = "FILE")]
    initrd: Option<PathBuf>,
    /// Extra kernel command line, after vmscope's `console=ttyS0 panic=-1`.
    #[arg(long, value_name = "TEXT")]
    append: Option<String>,
    /// Boot this disk image (raw or qcow2) by its own boot loader (BIOS, or UEFI with OVMF for a GPT
    /// disk with an EFI system partition); the kernel's layout is found in guest memory. Writes go to
    /// a throw-away overlay unless --disk-write.
    #[arg(long, value_name = "FILE")]
    disk: Option<PathBuf>,
    /// With --disk: let the guest write to the image.
    #[arg(long)]
    disk_write: bool,
    /// Number of vCPUs.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=64))]
    smp: u32,
    /// Guest memory in MiB.
    #[arg(long, value_name = "MiB", default_value_t = 512, value_parser = clap::value_parser!(u32).range(64..=65536))]
    memory: u32,
    /// Modules, comma-separated: built-in names, or module libraries (a path with a `/` or ending in
    /// `.so`; docs/modules.md). `none` runs QEMU without the plugin.
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        default_value = "context,syscalls"
    )]
    modules: Vec<String>,
    /// An option for a module loaded from a library, `NAME.KEY=VALUE` (repeatable).
    #[arg(long = "module-option", value_name = "NAME.KEY=VALUE")]
    module_options: Vec<String>,
    /// Journal format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Journal file (a directory for --format parquet); default: standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// No status line on the terminal while the guest runs.
    #[arg(long, short)]
    quiet: bool,
    /// Where the guest's serial console goes; default: discarded.
    #[arg(long, value_name = "FILE")]
    console: Option<PathBuf>,
    /// Cut strings at N bytes, like `strace -s` (file names are never cut).
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=1048576))]
    string_limit: u32,
    /// File monitor (`--modules files`): journal the first N bytes of every read and write, and a
    /// SHA-256 of each handle's bytes at its close (0: hashes only).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=1048576))]
    capture: Option<u32>,
    /// Every system call carries its user-space call stack (innermost first, as `strace -k`),
    /// with symbols; loads the images module (docs/stacks.md).
    #[arg(long)]
    stack: bool,
    /// Frames per stack at most (with `--stack`).
    #[arg(long, value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=1024))]
    stack_depth: u32,
    /// Debug files and copies of the guest's images on the host (`.build-id/xx/rest.debug`, the
    /// guest path under DIR, or the file name): `.symtab`, source lines and `.eh_frame` for `--stack`.
    #[arg(long, value_name = "DIR")]
    debug_dir: Option<PathBuf>,
    /// Stop the guest after this many seconds (QEMU is asked to quit; the journal is flushed).
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<u64>,
    /// Keep only this process and its descendants in the journal (repeat or comma-separate for more).
    #[arg(long = "pid", value_name = "PID", value_delimiter = ',', value_parser = clap::value_parser!(u32).range(1..))]
    pids: Vec<u32>,
    /// Keep only processes with this command name (as the kernel keeps it: 15 bytes at most), from the
    /// moment they have it, and their descendants (repeat or comma-separate for more).
    #[arg(long = "follow-comm", value_name = "NAME", value_delimiter = ',')]
    follow_comms: Vec<String>,
    /// List every process (a tree in text) every SECONDS too, besides at start and at shutdown.
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=86400))]
    process_list_every: Option<u64>,
    /// The QEMU to use; default: $VMSCOPE_QEMU or `qemu-system-<arch>` on the PATH.
    #[arg(long, value_name = "FILE")]
    qemu: Option<PathBuf>,
    /// The guest's architecture; default: from --qemu's name (`qemu-system-aarch64`), else x86_64.
    /// Chooses the default guest (`linux-6.12-aarch64`), the QEMU and its machine.
    #[arg(long, value_enum)]
    arch: Option<GuestArch>,
    /// Print the QEMU command line before running it.
    #[arg(long)]
    verbose: bool,
    /// Measure vmscope's own time on the vCPU threads, per kind of hook and per module, and report it
    /// in the journal at the end (costs two clock reads per module and hook).
    #[arg(long)]
    self_profile: bool,
    /// Journal only these system calls, like strace's `-e trace=EXPR`: call names, classes (`%file`,
    /// `%network`, `%process`, `%signal`, `%ipc`, `%memory`, `%desc`, `%creds`, `%clock`, `%stat`,
    /// `%lstat`, `%fstat`, `%%stat`, `%statfs`, `%fstatfs`, `%%statfs`, `%pure`), comma-separated, `!` to
    /// negate. Modules still see every call.
    #[arg(long, value_name = "EXPR")]
    trace: Option<String>,
    /// Coverage: write one drcov file per process (its user-code basic blocks) into DIR; loads the
    /// coverage module.
    #[arg(long, value_name = "DIR")]
    coverage_dir: Option<PathBuf>,
    /// Coverage: only processes with this command name (repeat or comma-separate for more).
    #[arg(long = "coverage-for", value_name = "COMM", value_delimiter = ',')]
    coverage_for: Vec<String>,
    /// Coverage: kernel blocks too, into DIR/kernel.drcov (costly: every kernel block is a callback).
    #[arg(long)]
    coverage_kernel: bool,
    /// Devices: journal every access to these devices (`serial0`, `i8042`, a QEMU MMIO region name,
    /// `*` for all; comma-separated); loads the devices module.
    #[arg(long = "device-events", value_name = "DEV", value_delimiter = ',')]
    device_events: Vec<String>,
    /// Print what every descriptor argument and returned descriptor names, like `strace -y`:
    /// `read(3</etc/fstab>, ...)`, `connect(3<socket:[127.0.0.1:5555->127.0.0.1:7777]>, ...)`, the
    /// bare number where it is unknown (JSON: `fd_names` and `ret_fd_name` beside `args`); loads the
    /// files and network modules, which name them.
    #[arg(long)]
    decode_fds: bool,
    /// Extra QEMU arguments, after `--`.
    #[arg(last = true, value_name = "QEMU ARGS")]
    qemu_args: Vec<String>,
    /// Set by `record`/`replay`: QEMU's record/replay mode and the recording.
    #[arg(skip)]
    rr: Option<replay::Rr>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => qemu::run(*args),
        Command::Record(args) => replay::record(*args),
        Command::Replay(args) => replay::replay(*args),
        Command::Modules => {
            for (name, what, deps) in vmscope_modules::registry::BUILTIN {
                let deps = if deps.is_empty() {
                    String::new()
                } else {
                    format!(" (needs {})", deps.join(", "))
                };
                println!("{name:10} {what}{deps}");
            }
            Ok(0)
        }
        Command::Kernel {
            file,
            kernel_debuginfo,
            arch,
        } => guest::describe_kernel(&file, kernel_debuginfo.as_deref(), arch),
        Command::Fidelity(args) => fidelity::run(args),
        Command::Bench(args) => bench::run(&args),
        Command::Convert(args) => convert::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Compare {
            journal,
            strace,
            verbose,
            min_matched,
        } => compare::run(&journal, &strace, verbose, min_matched),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("vmscope: {e:#}");
            ExitCode::from(2)
        }
    }
}

//! Finding QEMU and the plugin, building the QEMU command line, running it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};

use crate::{Format, GuestArch, RunArgs};
use crate::{boot, guest};
use vmscope_modules::options::Options;

/// The oldest QEMU whose plugin API (v4, `qemu_plugin_read_memory_vaddr`) vmscope needs.
pub const MIN_QEMU: (u32, u32) = (9, 2);

/// Parses `QEMU emulator version 10.0.2 (Debian ...)` into (10, 0, 2).
pub fn parse_version(text: &str) -> Option<(u32, u32, u32)> {
    let rest = text.lines().next()?.split("version ").nth(1)?;
    let v = rest.split_whitespace().next()?;
    let mut it = v.split(['.', '-', '+']).map(|p| p.parse::<u32>().ok());
    Some((it.next()??, it.next()??, it.next().flatten().unwrap_or(0)))
}

/// A QEMU found and checked by [`find_qemu`].
#[derive(Debug, Clone)]
pub struct FoundQemu {
    /// The executable.
    pub path: PathBuf,
    /// The first line of its `--version` (what a recording's manifest keeps).
    pub version: String,
}

/// Finds the QEMU for `arch` and checks it (version, plugin support); runs `--version` once.
pub(crate) fn find_qemu(explicit: Option<&Path>, arch: GuestArch) -> Result<FoundQemu> {
    let name = explicit
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("VMSCOPE_QEMU").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(format!("qemu-system-{}", arch.name())));
    let out = Command::new(&name)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => anyhow::anyhow!(
                "QEMU not found ({}): install qemu-system-{} >= {}.{} (scripts/install-host-deps.sh does) or give --qemu",
                name.display(),
                match arch {
                    GuestArch::X86_64 | GuestArch::I386 => "x86",
                    GuestArch::Aarch64 => "arm",
                },
                MIN_QEMU.0,
                MIN_QEMU.1
            ),
            _ => anyhow::anyhow!("cannot run QEMU {}: {e}", name.display()),
        })?;
    let text = String::from_utf8_lossy(&out.stdout);
    let Some(v) = parse_version(&text) else {
        bail!(
            "{} does not look like QEMU (`--version` said: {})",
            name.display(),
            text.lines().next().unwrap_or("nothing")
        );
    };
    if (v.0, v.1) < MIN_QEMU {
        bail!(
            "QEMU {}.{}.{} at {} is too old: vmscope needs QEMU >= {}.{} (plugin API v4); Debian 12 has it in bookworm-backports",
            v.0,
            v.1,
            v.2,
            name.display(),
            MIN_QEMU.0,
            MIN_QEMU.1
        );
    }
    let help = Command::new(&name)
        .args(["-plugin", "help"])
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run QEMU {}", name.display()))?;
    let help_text = String::from_utf8_lossy(&help.stdout) + String::from_utf8_lossy(&help.stderr);
    if !help.status.success() || !help_text.contains("file=") {
        bail!(
            "QEMU at {} was built without TCG plugin support",
            name.display()
        );
    }
    let version = text.lines().next().unwrap_or("").trim().to_string();
    Ok(FoundQemu {
        path: name,
        version,
    })
}

/// Finds `libvmscope.so`: $VMSCOPE_PLUGIN, beside the executable, or in ../lib/vmscope.
fn find_plugin() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("VMSCOPE_PLUGIN") {
        let p = PathBuf::from(p);
        guest::check_file("plugin (VMSCOPE_PLUGIN)", &p)?;
        return Ok(p);
    }
    let exe = std::env::current_exe().context("cannot find the vmscope executable")?;
    let dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
    let candidates = [
        dir.join("libvmscope.so"),
        dir.join("../lib/vmscope/libvmscope.so"),
        // `cargo test` puts test binaries in target/<profile>/deps.
        dir.join("../libvmscope.so"),
    ];
    candidates.iter().find(|p| p.is_file()).cloned().ok_or_else(|| {
        anyhow::anyhow!(
            "the QEMU plugin libvmscope.so is not beside {} (build it with `cargo build --release`, or set VMSCOPE_PLUGIN)",
            exe.display()
        )
    })
}

/// Makes a path absolute so QEMU (another working directory is possible) finds it.
fn absolute(p: &Path) -> Result<PathBuf> {
    std::path::absolute(p).with_context(|| format!("bad path {}", p.display()))
}

/// Everything `vmscope run` decided, ready to become a QEMU command line.
#[derive(Debug)]
pub struct Plan {
    /// The QEMU executable.
    pub qemu: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// How the guest boots and where the kernel's layout comes from (for `--verbose`).
    pub layout: String,
    /// The first line of the QEMU's `--version`.
    pub qemu_version: String,
    /// The DWARF vmlinux the kernel's layout comes from (`--kernel-debuginfo` or the default
    /// guest's), absolute.
    pub debuginfo: Option<PathBuf>,
}

pub(crate) fn plan(a: &RunArgs) -> Result<Plan> {
    plan_with(a, None)
}

/// [`plan`] with the QEMU already found and checked by the caller (`replay` checks its version
/// before anything else), or found here when `None`.
pub(crate) fn plan_with(a: &RunArgs, found: Option<FoundQemu>) -> Result<Plan> {
    let arch = GuestArch::of(a.arch, a.qemu.as_deref());
    // Cheap checks first, so a typo is reported in milliseconds.
    let no_plugin = a.modules.iter().any(|m| m == "none");
    if no_plugin && a.modules.len() > 1 {
        bail!("--modules none cannot be combined with other modules");
    }
    if no_plugin && !a.module_options.is_empty() {
        bail!("--module-option needs the plugin (not --modules none)");
    }
    if let Some(t) = &a.trace {
        if no_plugin {
            bail!("--trace needs the plugin (not --modules none)");
        }
        vmscope_linux::trace_classes::TraceSet::parse(t)?;
    }
    let checked = if no_plugin {
        None
    } else {
        Some(crate::modules::check(&a.modules, &a.module_options, arch)?)
    };
    if a.capture.is_some()
        && !checked
            .as_ref()
            .is_some_and(|c| c.resolved.iter().any(|m| m == "files"))
    {
        bail!("--capture needs the files module (--modules files)");
    }
    if (a.debug_dir.is_some() || a.stack_depth != 64) && !a.stack {
        bail!("--debug-dir and --stack-depth need --stack");
    }
    if a.stack && no_plugin {
        bail!("--stack needs the plugin (not --modules none)");
    }
    if let Some(d) = &a.debug_dir
        && !d.is_dir()
    {
        bail!("--debug-dir {}: no such directory", d.display());
    }
    for c in &a.follow_comms {
        if c.is_empty() || c.len() > 15 || c.contains(':') {
            bail!(
                "--follow-comm `{c}`: a command name is 1 to 15 bytes without `:` (the kernel keeps 15)"
            );
        }
    }
    let wants_coverage = a.coverage_dir.is_some()
        || checked
            .as_ref()
            .is_some_and(|c| c.resolved.iter().any(|m| m == "coverage"));
    if (!a.coverage_for.is_empty() || a.coverage_kernel) && a.coverage_dir.is_none() {
        bail!("--coverage-for and --coverage-kernel need --coverage-dir DIR");
    }
    if wants_coverage && a.coverage_dir.is_none() {
        bail!("the coverage module needs --coverage-dir DIR (where its drcov files go)");
    }
    if no_plugin && (a.coverage_dir.is_some() || !a.device_events.is_empty()) {
        bail!("--coverage-dir and --device-events need the plugin (not --modules none)");
    }
    for c in &a.coverage_for {
        if c.is_empty() || c.len() > 15 || c.contains(':') {
            bail!(
                "--coverage-for `{c}`: a command name is 1 to 15 bytes without `:` (the kernel keeps 15)"
            );
        }
    }
    for d in &a.device_events {
        if d.is_empty() || d.contains(':') {
            bail!("--device-events `{d}`: a device name is not empty and has no `:`");
        }
    }
    let coverage_dir = match &a.coverage_dir {
        Some(d) => {
            vmscope_modules::coverage::check_dir(d)
                .map_err(|e| anyhow::anyhow!("--coverage-dir: {e}"))?;
            Some(absolute(d)?)
        }
        None => None,
    };
    let wants_processes =
        !a.pids.is_empty() || !a.follow_comms.is_empty() || a.process_list_every.is_some();
    if no_plugin && wants_processes {
        bail!("--pid, --follow-comm and --process-list-every need the plugin (not --modules none)");
    }
    let boot = boot::decide(&boot::Request {
        kernel: a.kernel.as_deref(),
        initrd: a.initrd.as_deref(),
        append: a.append.as_deref(),
        disk: a.disk.as_deref(),
        disk_write: a.disk_write,
        qemu_args: &a.qemu_args,
        plugin: !no_plugin,
    })?;
    // vmscope's own kernel (the default guest's, or --kernel), or none: the guest boots itself.
    let (kernel, initrd) = match &boot {
        boot::Boot::Kernel {
            kernel: Some(k),
            initrd,
        } => (
            Some(absolute(k)?),
            initrd.as_deref().map(absolute).transpose()?,
        ),
        boot::Boot::Kernel { kernel: None, .. } => {
            let (k, i) = guest::default_guest_for(arch)?;
            (Some(k), Some(i))
        }
        boot::Boot::Own { .. } => (None, None),
    };
    if let Some(i) = &initrd {
        guest::check_file("initrd", i)?;
    }
    if a.format == Format::Parquet && (a.output.is_none() || no_plugin) {
        bail!("--format parquet needs the plugin and --output DIR (the dataset's directory)");
    }
    if let Some(o) = &a.output
        && a.format != Format::Parquet
        && let Some(parent) = absolute(o)?.parent()
        && !parent.is_dir()
    {
        bail!(
            "--output {}: directory {} does not exist",
            o.display(),
            parent.display()
        );
    }
    if let Some(c) = &a.console
        && let Some(parent) = absolute(c)?.parent()
        && !parent.is_dir()
    {
        bail!(
            "--console {}: directory {} does not exist",
            c.display(),
            parent.display()
        );
    }
    // The kernel's DWARF, for a kernel without BTF: --kernel-debuginfo, else the default guest's.
    let debuginfo = match (&a.kernel_debuginfo, &kernel) {
        (Some(_), None) => bail!(
            "--kernel-debuginfo needs a kernel vmscope boots (not --disk or boot options after `--`)"
        ),
        (Some(d), Some(_)) => Some(absolute(d)?),
        (None, Some(k)) => guest::default_debuginfo(k),
        (None, None) => None,
    };
    if let Some(k) = &kernel {
        guest::check_kernel_arch(k, arch)?;
        guest::check_kernel(k, debuginfo.as_deref())?;
    }
    let FoundQemu {
        path: qemu,
        version: qemu_version,
    } = match found {
        Some(f) => f,
        None => find_qemu(a.qemu.as_deref(), arch)?,
    };
    let plugin = if no_plugin {
        None
    } else {
        Some(find_plugin()?)
    };

    let console = match &a.console {
        Some(c) => format!("file:{}", absolute(c)?.display()),
        None => "null".to_string(),
    };
    // aarch64: QEMU's `virt` board; a CPU without PAN (user memory stays readable at the `eret`,
    // docs/notes-aarch64.md) and without KASLR (so no KPTI either).
    let machine: &[&str] = match arch {
        // i386: QEMU's default `qemu32` CPU, an Intel model: the vDSO uses `sysenter`, KPTI is on.
        GuestArch::X86_64 | GuestArch::I386 => &["-M", "pc"],
        GuestArch::Aarch64 => &["-M", "virt", "-cpu", "cortex-a72"],
    };
    let mut args: Vec<String> = machine.iter().map(|s| (*s).to_string()).collect();
    args.extend::<[String; 11]>([
        "-m".into(),
        a.memory.to_string(),
        "-smp".into(),
        a.smp.to_string(),
        "-display".into(),
        "none".into(),
        "-no-reboot".into(),
        "-monitor".into(),
        "none".into(),
        "-serial".into(),
        console,
    ]);
    match (&boot, &kernel) {
        (boot::Boot::Own { args: own, .. }, _) => args.extend(own.iter().cloned()),
        (boot::Boot::Kernel { .. }, Some(k)) => {
            let mut append = match arch {
                GuestArch::X86_64 | GuestArch::I386 => "console=ttyS0 panic=-1",
                GuestArch::Aarch64 => "console=ttyAMA0 panic=-1 nokaslr",
            }
            .to_string();
            if let Some(extra) = &a.append {
                append.push(' ');
                append.push_str(extra);
            }
            args.extend([
                "-kernel".into(),
                k.display().to_string(),
                "-append".into(),
                append,
            ]);
            if let Some(i) = &initrd {
                args.push("-initrd".into());
                args.push(i.display().to_string());
            }
        }
        (boot::Boot::Kernel { .. }, None) => {}
    }
    if let Some(p) = &plugin {
        let output = match &a.output {
            Some(o) => journal_path(a.format, &absolute(o)?).display().to_string(),
            None => "-".to_string(),
        };
        // One options type for both sides: what the plugin parses is what we write here.
        let opts = Options {
            kernel: kernel.clone(),
            kernel_debuginfo: debuginfo.clone(),
            // The guest boots itself: the plugin finds the running kernel in guest memory.
            layout_from_memory: kernel.is_none(),
            output: Some(output.into()),
            format: match a.format {
                Format::Text => vmscope_modules::journal::Format::Text,
                // A Parquet dataset is converted from a JSON Lines journal when the guest stops.
                Format::Jsonl | Format::Parquet => vmscope_modules::journal::Format::Jsonl,
            },
            modules: checked
                .as_ref()
                .map(|c| c.plugin_list.clone())
                .unwrap_or_default(),
            string_limit: a.string_limit as usize,
            capture: a.capture.map(|n| n as usize),
            follow_pids: a.pids.clone(),
            follow_comms: a.follow_comms.clone(),
            process_list_every: a.process_list_every,
            module_options: checked
                .iter()
                .flat_map(|c| &c.options)
                .map(|o| format!("{}.{}={}", o.module, o.key, o.value))
                .collect(),
            self_profile: a.self_profile,
            icount_shift: a.rr.as_ref().and_then(|r| r.icount_shift()),
            stack: a.stack.then_some(a.stack_depth as usize),
            debug_dir: a.debug_dir.as_deref().map(absolute).transpose()?,
            trace: a.trace.clone(),
            coverage_dir: coverage_dir.clone(),
            coverage_for: a.coverage_for.clone(),
            coverage_kernel: a.coverage_kernel,
            device_events: a.device_events.clone(),
            decode_fds: a.decode_fds,
        };
        let plugin_args = opts.to_args().map_err(|e| {
            anyhow::anyhow!("paths given to vmscope must not contain a comma ({e})")
        })?;
        let mut spec = p.display().to_string();
        for pa in &plugin_args {
            spec.push(',');
            spec.push_str(pa);
        }
        args.push("-plugin".into());
        args.push(spec);
    }
    args.extend(a.qemu_args.iter().cloned());
    let layout = match (&boot, &kernel) {
        (boot::Boot::Own { what, .. }, _) => format!(
            "{what}; the kernel's layout will be found in guest memory (the journal's first notices \
             say how)"
        ),
        (_, Some(k)) => match &debuginfo {
            Some(d) => format!(
                "boots {}; the kernel's layout from the DWARF of {}",
                k.display(),
                d.display()
            ),
            None => format!("boots {}; the kernel's layout from its BTF", k.display()),
        },
        (_, None) => String::new(),
    };
    Ok(Plan {
        qemu,
        args,
        layout,
        qemu_version,
        debuginfo,
    })
}

/// The file the plugin writes: `--output`, or for a Parquet dataset a JSON Lines journal in its
/// directory, converted when the guest stops.
fn journal_path(format: Format, output: &Path) -> PathBuf {
    match format {
        Format::Parquet => output.join(crate::convert::PENDING_JOURNAL),
        Format::Text | Format::Jsonl => output.to_path_buf(),
    }
}

/// Where the status line reads its figures from: the journal file, or standard output when that is
/// a regular file; nothing when the journal goes to a terminal (the line would garble it).
fn status_source(a: &RunArgs) -> Option<crate::progress::Source> {
    use crate::progress::Source;
    use std::io::IsTerminal;
    match &a.output {
        Some(o) => Some(Source::File(journal_path(a.format, o))),
        None if std::io::stdout().is_terminal() => None,
        None => {
            let stdout = PathBuf::from("/proc/self/fd/1");
            let regular = std::fs::metadata(&stdout).is_ok_and(|m| m.is_file());
            Some(if regular {
                Source::File(stdout)
            } else {
                Source::Nothing
            })
        }
    }
}

/// `vmscope run`.
pub fn run(a: RunArgs) -> Result<u8> {
    let plan = plan(&a)?;
    let (code, timed_out) = run_plan(&plan, &a)?;
    Ok(exit_code(code, timed_out))
}

/// Runs QEMU as planned for `a` until it exits (a status line on a terminal, `--timeout` asking
/// QEMU to quit, the Parquet dataset finished): QEMU's exit code (`None`: killed by a signal) and
/// whether the timeout stopped it.
pub(crate) fn run_plan(plan: &Plan, a: &RunArgs) -> Result<(Option<i32>, bool)> {
    if a.verbose {
        eprintln!("vmscope: {}", plan.layout);
        eprintln!("vmscope: {} {}", plan.qemu.display(), plan.args.join(" "));
    }
    if a.format == Format::Parquet
        && let Some(dir) = &a.output
    {
        crate::convert::prepare_dir(dir)?;
    }
    let status = status_source(a).and_then(|s| crate::progress::start(s, a.quiet));
    // Ctrl-C reaches QEMU too (same process group); QEMU then quits cleanly and the plugin flushes
    // the journal. We wait for it rather than die first.
    // SAFETY: setting a signal disposition to "ignore" has no memory-safety implications.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_IGN);
    }
    let mut child = Command::new(&plan.qemu)
        .args(&plan.args)
        .stdin(Stdio::null())
        .spawn()
        .with_context(|| format!("cannot start {}", plan.qemu.display()))?;
    let deadline = a.timeout.map(|s| Instant::now() + Duration::from_secs(s));
    let mut asked_to_quit = false;
    let exit = loop {
        if let Some(st) = child.try_wait().context("waiting for QEMU")? {
            break st;
        }
        if let Some(d) = deadline
            && !asked_to_quit
            && Instant::now() >= d
        {
            eprintln!("vmscope: --timeout reached, stopping the guest");
            // SIGTERM: QEMU shuts down normally and the plugin's exit callback flushes the journal.
            // SAFETY: sending a signal to our own child process.
            unsafe {
                libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
            }
            asked_to_quit = true;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    if let Some(st) = status {
        st.finish();
    }
    if a.format == Format::Parquet
        && let Some(dir) = &a.output
    {
        crate::convert::finish_run(dir)?;
    }
    Ok((exit.code(), asked_to_quit))
}

/// vmscope's exit status for QEMU's: 0 for a clean exit or a stop vmscope asked for.
pub(crate) fn exit_code(code: Option<i32>, asked_to_quit: bool) -> u8 {
    match code {
        Some(0) => 0,
        _ if asked_to_quit => 0,
        Some(c) => {
            eprintln!("vmscope: QEMU exited with status {c}");
            u8::try_from(c).unwrap_or(1).max(1)
        }
        None => {
            eprintln!("vmscope: QEMU was killed by a signal");
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qemu_versions_parse() {
        assert_eq!(
            parse_version("QEMU emulator version 10.0.2 (Debian 1:10.0.2+ds-2+deb13u1~bpo12+1)\n"),
            Some((10, 0, 2))
        );
        assert_eq!(
            parse_version("QEMU emulator version 7.2.15\n"),
            Some((7, 2, 15))
        );
        assert_eq!(
            parse_version("QEMU emulator version 9.2\n"),
            Some((9, 2, 0))
        );
        assert_eq!(parse_version("hello"), None);
    }
}

//! `vmscope record` and `vmscope replay`: run a guest once under QEMU's deterministic record mode
//! with no plugin, then analyse the recording as often as wanted with any modules.
//!
//! A recording is a directory: QEMU's replay log (`replay.bin`), the guest's console
//! (`console.txt`), and `manifest.json` — the vmscope and QEMU versions, the boot options, the exact
//! QEMU command line, and the SHA-256 of every file the guest booted from (kernel, initrd, disk) and
//! of the DWARF file the kernel's layout comes from (`--kernel-debuginfo`, i386), checked again
//! before a replay. A disk is attached through QEMU's `blkreplay` driver over a fresh
//! qcow2 overlay (made again for every replay), so the disk itself is never written and every replay
//! starts from the bytes the recording started from.
//!
//! Replays stamp events with the guest's virtual clock (instructions × 2^shift ns under
//! `-icount shift=N`), so two replays of one recording write the same journal byte for byte.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::RunArgs;

/// The manifest's format; a replay refuses others.
const MANIFEST_FORMAT: u32 = 1;
/// QEMU's icount shift for recordings: 2^3 = 8 ns of guest time per instruction, about the real speed
/// of TCG on a current host (a fixed shift makes the virtual clock a pure function of the count).
const ICOUNT_SHIFT: u8 = 3;

/// How a run takes part in record/replay (set by `record`/`replay`, never on the command line).
#[derive(Debug, Clone, Default)]
pub struct Rr {
    /// `record` or `replay`.
    pub mode: &'static str,
    /// The recording directory.
    pub dir: PathBuf,
}

impl Rr {
    /// QEMU's arguments for this mode.
    pub fn qemu_args(&self) -> Vec<String> {
        vec![
            "-icount".into(),
            format!(
                "shift={ICOUNT_SHIFT},rr={},rrfile={}",
                self.mode,
                self.dir.join("replay.bin").display()
            ),
        ]
    }

    /// The plugin's virtual clock (replays only).
    pub fn icount_shift(&self) -> Option<u8> {
        (self.mode == "replay").then_some(ICOUNT_SHIFT)
    }
}

/// Options of `vmscope record`.
#[derive(clap::Args, Debug)]
pub struct RecordArgs {
    /// The directory to create for the recording (must not exist, or be empty).
    #[arg(long, value_name = "DIR")]
    recording: PathBuf,
    /// The guest, as for `vmscope run` (its analysis options belong to `vmscope replay`).
    #[command(flatten)]
    run: RunArgs,
}

/// Options of `vmscope replay`.
#[derive(clap::Args, Debug)]
pub struct ReplayArgs {
    /// The recording made by `vmscope record`.
    #[arg(value_name = "DIR")]
    recording: PathBuf,
    /// The analysis, as for `vmscope run` (the guest's boot options come from the recording).
    #[command(flatten)]
    run: RunArgs,
}

/// What `record` writes and `replay` checks.
#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: u32,
    vmscope: String,
    qemu: QemuId,
    icount_shift: u8,
    boot: BootOptions,
    files: Vec<FileId>,
    command: Vec<String>,
    status: Option<i32>,
    stopped_by_timeout: bool,
}

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
struct QemuId {
    path: PathBuf,
    version: String,
}

/// The boot options of `vmscope run` a replay takes from the recording.
#[derive(Debug, Serialize, Deserialize, Clone)]
struct BootOptions {
    /// The guest architecture (`x86_64`, `aarch64`, `i386`).
    arch: String,
    kernel: Option<PathBuf>,
    initrd: Option<PathBuf>,
    append: Option<String>,
    disk: Option<PathBuf>,
    memory: u32,
    qemu_args: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct FileId {
    role: String,
    path: PathBuf,
    bytes: u64,
    sha256: String,
}

fn sha256(path: &Path) -> Result<(u64, String)> {
    let mut f =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = f
            .read(&mut buf)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok((n, hex))
}

/// The role of the kernel's DWARF file in a manifest's `files` (absent from manifests made before
/// vmscope recorded it, and from recordings of kernels with BTF).
const DEBUGINFO_ROLE: &str = "kernel debuginfo";

/// Where `-kernel`, `-initrd` and the disk of a plan's command line point (what the guest boots
/// from), and the kernel's DWARF file when its layout comes from one (what a replay decodes with).
fn boot_files(
    args: &[String],
    disk: Option<&Path>,
    debuginfo: Option<&Path>,
) -> Vec<(String, PathBuf)> {
    let mut files = Vec::new();
    for w in args.windows(2) {
        match w[0].as_str() {
            "-kernel" => files.push(("kernel".to_string(), PathBuf::from(&w[1]))),
            "-initrd" => files.push(("initrd".to_string(), PathBuf::from(&w[1]))),
            "-bios" => files.push(("firmware".to_string(), PathBuf::from(&w[1]))),
            _ => {}
        }
    }
    if let Some(d) = disk {
        files.push(("disk".to_string(), d.to_path_buf()));
    }
    if let Some(d) = debuginfo {
        files.push((DEBUGINFO_ROLE.to_string(), d.to_path_buf()));
    }
    files
}

/// Checks that every file the recording booted from is still what it was, and returns the kernel
/// debuginfo a replay must decode with: the recorded one, or `given` (`--kernel-debuginfo`) when its
/// bytes are the recorded one's (it may have moved). A recording without one (made before vmscope
/// recorded it, or of a kernel with BTF) takes `given` as it is.
fn check_files(dir: &Path, files: &[FileId], given: Option<&Path>) -> Result<Option<PathBuf>> {
    let mut debuginfo = given.map(Path::to_path_buf);
    for f in files {
        if f.role == DEBUGINFO_ROLE
            && let Some(g) = given
        {
            let (bytes, sum) = sha256(g).map_err(|_| {
                anyhow::anyhow!("--kernel-debuginfo {}: cannot read it", g.display())
            })?;
            if bytes != f.bytes || sum != f.sha256 {
                bail!(
                    "--kernel-debuginfo {}: not the kernel debuginfo recording {} was made with \
                     ({}, SHA-256 {}; this one {sum}): a replay decodes with the recorded layouts",
                    g.display(),
                    dir.display(),
                    f.path.display(),
                    f.sha256
                );
            }
            continue;
        }
        let (bytes, sum) = sha256(&f.path).map_err(|_| {
            anyhow::anyhow!(
                "recording {}: its {} {} is gone",
                dir.display(),
                f.role,
                f.path.display()
            )
        })?;
        if bytes != f.bytes || sum != f.sha256 {
            bail!(
                "recording {}: its {} {} changed since it was recorded (SHA-256 {} then, {sum} now)",
                dir.display(),
                f.role,
                f.path.display(),
                f.sha256
            );
        }
        if f.role == DEBUGINFO_ROLE {
            debuginfo = Some(f.path.clone());
        }
    }
    Ok(debuginfo)
}

/// Replaces `--disk`'s `-drive` with a qcow2 overlay in the recording under QEMU's `blkreplay`
/// driver (record/replay refuses `snapshot=on`, and disk reads must come from the log).
fn disk_through_blkreplay(args: &mut Vec<String>, disk: &Path, dir: &Path) -> Result<()> {
    let file = format!("file={}", disk.display());
    let Some(i) = args
        .iter()
        .position(|a| a.starts_with(&file) && a.contains("if=virtio"))
    else {
        bail!("internal: the --disk drive was not found in the QEMU command line");
    };
    let format = args[i]
        .split(',')
        .find_map(|kv| kv.strip_prefix("format="))
        .unwrap_or("raw")
        .to_string();
    let overlay = dir.join("disk-overlay.qcow2");
    let _ = std::fs::remove_file(&overlay);
    let out = Command::new("qemu-img")
        .args(["create", "-q", "-f", "qcow2", "-F", &format, "-b"])
        .arg(std::path::absolute(disk)?)
        .arg(&overlay)
        .output()
        .context("cannot run qemu-img (needed to record a disk)")?;
    if !out.status.success() {
        bail!(
            "qemu-img could not make an overlay of {}: {}",
            disk.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let replaced = [
        "-drive".to_string(),
        format!(
            "file={},format=qcow2,if=none,id=vmscope-disk",
            overlay.display()
        ),
        "-drive".to_string(),
        "driver=blkreplay,if=none,image=vmscope-disk,id=vmscope-rr".to_string(),
        "-device".to_string(),
        "virtio-blk-pci,drive=vmscope-rr".to_string(),
    ];
    // `-drive VALUE` becomes the three pairs.
    args.splice(i - 1..=i, replaced);
    Ok(())
}

/// `vmscope record`.
pub fn record(a: RecordArgs) -> Result<u8> {
    let mut run = a.run;
    if run.modules != vmscope_modules::registry::DEFAULT {
        bail!(
            "vmscope record runs the guest without modules: give --modules to `vmscope replay DIR`"
        );
    }
    if run.output.is_some() {
        bail!("vmscope record writes no journal: give --output to `vmscope replay DIR`");
    }
    if run.smp != 1 {
        bail!(
            "--smp {}: QEMU's record/replay supports one vCPU only (\"Record/replay is not \
             supported with multiple CPUs\")",
            run.smp
        );
    }
    if run.disk_write {
        bail!("--disk-write cannot be recorded: a replay must start from the same disk bytes");
    }
    if run.qemu_args.iter().any(|x| {
        matches!(
            x.as_str(),
            "-drive" | "-hda" | "-hdb" | "-cdrom" | "-blockdev" | "-snapshot" | "-icount"
        )
    }) {
        bail!(
            "QEMU disk, -snapshot and -icount options after `--` cannot be recorded: give the disk \
             with --disk (vmscope attaches it through QEMU's blkreplay)"
        );
    }
    let dir = &a.recording;
    if dir.exists()
        && std::fs::read_dir(dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        bail!(
            "--recording {}: exists and is not an empty directory",
            dir.display()
        );
    }
    let dir = std::path::absolute(dir)?;
    let user_console = run.console.take();
    run.console = Some(dir.join("console.txt"));
    run.modules = vec!["none".into()];
    let boot = BootOptions {
        arch: crate::GuestArch::of(run.arch, run.qemu.as_deref())
            .name()
            .to_string(),
        kernel: run.kernel.as_deref().map(std::path::absolute).transpose()?,
        initrd: run.initrd.as_deref().map(std::path::absolute).transpose()?,
        append: run.append.clone(),
        disk: run.disk.as_deref().map(std::path::absolute).transpose()?,
        memory: run.memory,
        qemu_args: run.qemu_args.clone(),
    };
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create --recording {}", dir.display()))?;
    // Nothing stays behind when the guest cannot start.
    let prepared = (|| -> Result<(crate::qemu::Plan, QemuId, Vec<FileId>)> {
        let mut plan = crate::qemu::plan(&run)?;
        let qemu_id = QemuId {
            path: plan.qemu.clone(),
            version: plan.qemu_version.clone(),
        };
        if let Some(d) = &boot.disk {
            disk_through_blkreplay(&mut plan.args, d, &dir)?;
        }
        let files = boot_files(&plan.args, boot.disk.as_deref(), plan.debuginfo.as_deref())
            .into_iter()
            .map(|(role, path)| {
                let (bytes, sha256) = sha256(&path)?;
                Ok(FileId {
                    role,
                    path,
                    bytes,
                    sha256,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((plan, qemu_id, files))
    })();
    let (mut plan, qemu_id, files) = match prepared {
        Ok(p) => p,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(e);
        }
    };
    plan.args.extend(
        Rr {
            mode: "record",
            dir: dir.clone(),
        }
        .qemu_args(),
    );
    let mut command = vec![plan.qemu.display().to_string()];
    command.extend(plan.args.iter().cloned());
    let (code, timed_out) = crate::qemu::run_plan(&plan, &run)?;
    let manifest = Manifest {
        format: MANIFEST_FORMAT,
        vmscope: env!("CARGO_PKG_VERSION").to_string(),
        qemu: qemu_id,
        icount_shift: ICOUNT_SHIFT,
        boot,
        files,
        command,
        status: code,
        stopped_by_timeout: timed_out,
    };
    std::fs::write(
        dir.join("manifest.json"),
        serde_json::to_string_pretty(&manifest)? + "\n",
    )
    .with_context(|| format!("cannot write {}", dir.join("manifest.json").display()))?;
    if let Some(c) = user_console {
        std::fs::copy(dir.join("console.txt"), &c)
            .with_context(|| format!("cannot write --console {}", c.display()))?;
    }
    let log = std::fs::metadata(dir.join("replay.bin"))
        .map(|m| m.len())
        .unwrap_or(0);
    eprintln!(
        "vmscope: recorded {} ({:.1} MB replay log); analyse it with `vmscope replay {}`",
        dir.display(),
        log as f64 / 1e6,
        dir.display()
    );
    Ok(crate::qemu::exit_code(code, timed_out))
}

fn load_manifest(dir: &Path) -> Result<Manifest> {
    if !dir.is_dir() {
        bail!("recording {}: no such directory", dir.display());
    }
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "recording {}: no manifest.json (not made by `vmscope record`?)",
            dir.display()
        )
    })?;
    let m: Manifest = serde_json::from_str(&text)
        .with_context(|| format!("recording {}: manifest.json is corrupt", dir.display()))?;
    if m.format != MANIFEST_FORMAT {
        bail!(
            "recording {}: manifest format {} (this vmscope reads {MANIFEST_FORMAT})",
            dir.display(),
            m.format
        );
    }
    let log = dir.join("replay.bin");
    match std::fs::metadata(&log) {
        Ok(md) if md.len() > 0 => {}
        _ => bail!(
            "recording {}: replay.bin is missing or empty",
            dir.display()
        ),
    }
    Ok(m)
}

/// `vmscope replay`.
pub fn replay(a: ReplayArgs) -> Result<u8> {
    let mut run = a.run;
    let given = [
        (run.kernel.is_some(), "--kernel"),
        (run.initrd.is_some(), "--initrd"),
        (run.append.is_some(), "--append"),
        (run.disk.is_some(), "--disk"),
        (run.disk_write, "--disk-write"),
        (run.smp != 1, "--smp"),
        (!run.qemu_args.is_empty(), "QEMU arguments after `--`"),
    ];
    if let Some((_, what)) = given.iter().find(|(g, _)| *g) {
        bail!("{what}: a replay boots what the recording booted (its manifest.json)");
    }
    if run.modules.iter().any(|m| m == "none") {
        bail!("--modules none: a replay without modules has nothing to show");
    }
    let dir = std::path::absolute(&a.recording)?;
    let m = load_manifest(&dir)?;
    let arch = match m.boot.arch.as_str() {
        "x86_64" => crate::GuestArch::X86_64,
        "aarch64" => crate::GuestArch::Aarch64,
        "i386" => crate::GuestArch::I386,
        other => bail!(
            "recording {}: guest architecture `{other}` is unknown to this vmscope",
            dir.display()
        ),
    };
    if run.arch.is_some_and(|a| a != arch) {
        bail!("--arch: a replay boots what the recording booted (its manifest.json)");
    }
    run.arch = Some(arch);
    let qemu = crate::qemu::find_qemu(run.qemu.as_deref(), arch)?;
    if qemu.version != m.qemu.version {
        bail!(
            "recording {}: made with `{}`, but {} is `{}` (a replay log is read only by the QEMU \
             that wrote it)",
            dir.display(),
            m.qemu.version,
            qemu.path.display(),
            qemu.version
        );
    }
    if m.icount_shift != ICOUNT_SHIFT {
        bail!(
            "recording {}: icount shift {} (this vmscope replays shift {ICOUNT_SHIFT})",
            dir.display(),
            m.icount_shift
        );
    }
    run.kernel_debuginfo = check_files(&dir, &m.files, run.kernel_debuginfo.as_deref())?;
    run.kernel = m.boot.kernel.clone();
    run.initrd = m.boot.initrd.clone();
    run.append = m.boot.append.clone();
    run.disk = m.boot.disk.clone();
    run.memory = m.boot.memory;
    run.qemu_args = m.boot.qemu_args.clone();
    run.qemu = Some(qemu.path.clone());
    let rr = Rr {
        mode: "replay",
        dir: dir.clone(),
    };
    run.rr = Some(rr.clone());
    let mut plan = crate::qemu::plan_with(&run, Some(qemu))?;
    if let Some(d) = &m.boot.disk {
        disk_through_blkreplay(&mut plan.args, d, &dir)?;
    }
    plan.args.extend(rr.qemu_args());
    let (code, timed_out) = crate::qemu::run_plan(&plan, &run)?;
    Ok(crate::qemu::exit_code(code, timed_out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boot_files_are_what_the_command_line_boots() {
        let args: Vec<String> = [
            "-m", "512", "-kernel", "/k", "-append", "x", "-initrd", "/i",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let f = boot_files(
            &args,
            Some(Path::new("/d.img")),
            Some(Path::new("/vmlinux-dbg")),
        );
        assert_eq!(
            f,
            vec![
                ("kernel".to_string(), PathBuf::from("/k")),
                ("initrd".to_string(), PathBuf::from("/i")),
                ("disk".to_string(), PathBuf::from("/d.img")),
                (
                    "kernel debuginfo".to_string(),
                    PathBuf::from("/vmlinux-dbg")
                ),
            ]
        );
    }

    #[test]
    fn replay_args_name_the_log() {
        let rr = Rr {
            mode: "replay",
            dir: PathBuf::from("/r"),
        };
        assert_eq!(
            rr.qemu_args(),
            vec!["-icount", "shift=3,rr=replay,rrfile=/r/replay.bin"]
        );
        assert_eq!(rr.icount_shift(), Some(3));
        assert_eq!(
            Rr {
                mode: "record",
                dir: PathBuf::from("/r")
            }
            .icount_shift(),
            None
        );
    }

    /// A scratch directory of its own for a test.
    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("vmscope-unit-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn file_id(role: &str, path: &Path) -> FileId {
        let (bytes, sha256) = sha256(path).unwrap();
        FileId {
            role: role.to_string(),
            path: path.to_path_buf(),
            bytes,
            sha256,
        }
    }

    fn manifest(files: Vec<FileId>) -> Manifest {
        Manifest {
            format: MANIFEST_FORMAT,
            vmscope: "0".into(),
            qemu: QemuId {
                path: PathBuf::from("/usr/bin/qemu-system-i386"),
                version: "QEMU emulator version 10.0.2".into(),
            },
            icount_shift: ICOUNT_SHIFT,
            boot: BootOptions {
                arch: "i386".into(),
                kernel: None,
                initrd: None,
                append: None,
                disk: None,
                memory: 512,
                qemu_args: Vec::new(),
            },
            files,
            command: Vec::new(),
            status: Some(0),
            stopped_by_timeout: false,
        }
    }

    #[test]
    fn the_debuginfo_survives_the_manifest_and_older_manifests_still_read() {
        let d = scratch("roundtrip");
        let dbg = d.join("vmlinux-dbg");
        std::fs::write(&dbg, b"dwarf").unwrap();
        let m = manifest(vec![file_id(DEBUGINFO_ROLE, &dbg)]);
        let back: Manifest = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back.files.len(), 1);
        assert_eq!(back.files[0].role, DEBUGINFO_ROLE);
        assert_eq!(back.files[0].sha256, m.files[0].sha256);
        // The recorded one is what a replay decodes with.
        assert_eq!(check_files(&d, &back.files, None).unwrap(), Some(dbg));
        // A manifest of before: no debuginfo recorded, the given one (or none) is taken.
        let old: Manifest = serde_json::from_str(
            r#"{"format":1,"vmscope":"0","qemu":{"path":"/q","version":"v"},"icount_shift":3,
                "boot":{"arch":"i386","kernel":null,"initrd":null,"append":null,"disk":null,
                "memory":512,"qemu_args":[]},"files":[],"command":[],"status":0,
                "stopped_by_timeout":false}"#,
        )
        .unwrap();
        assert_eq!(check_files(&d, &old.files, None).unwrap(), None);
        let other = Path::new("/elsewhere/vmlinux");
        assert_eq!(
            check_files(&d, &old.files, Some(other)).unwrap().as_deref(),
            Some(other)
        );
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn another_debuginfo_is_refused_in_one_line_and_a_moved_copy_is_taken() {
        let d = scratch("mismatch");
        let dbg = d.join("vmlinux-dbg");
        std::fs::write(&dbg, b"dwarf of the recorded build").unwrap();
        let files = vec![file_id(DEBUGINFO_ROLE, &dbg)];
        let other = d.join("other-dbg");
        std::fs::write(&other, b"dwarf of another build").unwrap();
        let e = check_files(&d, &files, Some(&other))
            .unwrap_err()
            .to_string();
        assert!(!e.contains('\n'), "{e}");
        assert!(
            e.starts_with(&format!("--kernel-debuginfo {}: not the", other.display())),
            "{e}"
        );
        assert!(e.contains(&files[0].sha256), "{e}");
        // The same bytes elsewhere are the recorded file; the recorded path may be gone then.
        let copy = d.join("copy-dbg");
        std::fs::copy(&dbg, &copy).unwrap();
        std::fs::remove_file(&dbg).unwrap();
        assert_eq!(
            check_files(&d, &files, Some(&copy)).unwrap(),
            Some(copy.clone())
        );
        // Without --kernel-debuginfo, the recorded file must still be there.
        let e = check_files(&d, &files, None).unwrap_err().to_string();
        assert!(
            e.contains("its kernel debuginfo") && e.contains("is gone"),
            "{e}"
        );
        let _ = std::fs::remove_dir_all(&d);
    }
}

//! How the guest boots: a kernel vmscope gives QEMU (the default guest's, or `--kernel`), or the user's
//! own boot — QEMU boot options after `--` (`-kernel`, `-drive`, `-cdrom`, `-bios`...) or `--disk FILE`,
//! a disk image with its own boot loader. In the user's own boot vmscope adds no boot option of its own
//! (no default guest, no `-kernel`/`-initrd`/`-append`) and the plugin finds the kernel's layout in
//! guest memory. Conflicting boot options, a disk that is not an image, and accelerators other than TCG
//! (TCG plugins see only TCG execution) are one line before QEMU starts.
//!
//! QEMU options are recognised by name, with one or two leading dashes; option values are not told
//! from options (a value starting with `-` that names a boot option would be taken for one).

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

/// QEMU options that boot something by themselves (a kernel, a disk, firmware, a boot order).
pub const BOOT_OPTIONS: &[&str] = &[
    "kernel", "initrd", "append", "drive", "blockdev", "hda", "hdb", "hdc", "hdd", "cdrom", "fda",
    "fdb", "bios", "pflash", "boot", "mtdblock", "sd",
];

/// What the QEMU arguments after `--` say about booting.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct UserBoot {
    /// The boot options found, in order (without dashes, each once).
    pub options: Vec<String>,
    /// Firmware given (`-bios`, `-pflash`, `-drive if=pflash`).
    pub firmware: bool,
    /// An accelerator other than TCG (`-enable-kvm`, `-accel kvm`, `-machine accel=kvm`...), as given.
    pub accel: Option<String>,
}

impl UserBoot {
    /// Reads the arguments after `--`.
    pub fn scan(args: &[String]) -> Self {
        let mut u = UserBoot::default();
        let mut it = args.iter().peekable();
        while let Some(arg) = it.next() {
            let Some(name) = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')) else {
                continue;
            };
            let value = it.peek().map(|v| v.as_str()).unwrap_or("");
            match name {
                "enable-kvm" => u.accel = Some(arg.clone()),
                "accel" => {
                    // `-accel kvm`, `-accel accel=kvm,...`, `-accel tcg,thread=multi`.
                    let first = value.split(',').next().unwrap_or("");
                    let accel = first.strip_prefix("accel=").unwrap_or(first);
                    if accel != "tcg" {
                        u.accel = Some(format!("{arg} {value}"));
                    }
                }
                "machine" | "M" => {
                    let accels = value
                        .split(',')
                        .find_map(|kv| kv.strip_prefix("accel="))
                        .unwrap_or("tcg");
                    if accels.split(':').any(|a| a != "tcg") {
                        u.accel = Some(format!("{arg} {value}"));
                    }
                }
                _ => {}
            }
            if BOOT_OPTIONS.contains(&name) && !u.options.iter().any(|o| o == name) {
                u.options.push(name.to_string());
            }
            if matches!(name, "bios" | "pflash")
                || (name == "drive" && value.split(',').any(|kv| kv == "if=pflash"))
            {
                u.firmware = true;
            }
        }
        u
    }

    fn has(&self, name: &str) -> bool {
        self.options.iter().any(|o| o == name)
    }

    /// The boot options as the user wrote them (`-drive, -cdrom`).
    fn named(&self) -> String {
        self.options
            .iter()
            .map(|o| format!("-{o}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// What `vmscope run` was asked to boot.
#[derive(Debug, Default)]
pub struct Request<'a> {
    /// `--kernel`.
    pub kernel: Option<&'a Path>,
    /// `--initrd`.
    pub initrd: Option<&'a Path>,
    /// `--append`.
    pub append: Option<&'a str>,
    /// `--disk`.
    pub disk: Option<&'a Path>,
    /// `--disk-write`.
    pub disk_write: bool,
    /// The QEMU arguments after `--`.
    pub qemu_args: &'a [String],
    /// Whether the plugin is loaded (not `--modules none`).
    pub plugin: bool,
}

/// How the guest boots.
#[derive(Debug, PartialEq, Eq)]
pub enum Boot {
    /// vmscope gives QEMU a kernel (the default guest's when `kernel` was not asked for); the layout
    /// comes from the kernel file.
    Kernel {
        /// `--kernel`, or `None` for the default guest.
        kernel: Option<PathBuf>,
        /// `--initrd`.
        initrd: Option<PathBuf>,
    },
    /// The guest boots itself; vmscope adds `args` (the `--disk` and its firmware, or nothing) and the
    /// layout is found in guest memory.
    Own {
        /// QEMU arguments for `--disk`.
        args: Vec<String>,
        /// One line for `--verbose`: what boots.
        what: String,
    },
}

/// Decides how the guest boots, or says in one line why it cannot.
pub fn decide(r: &Request<'_>) -> Result<Boot> {
    let user = UserBoot::scan(r.qemu_args);
    if r.plugin
        && let Some(accel) = &user.accel
    {
        bail!(
            "`{accel}`: vmscope's plugin sees only TCG execution (QEMU TCG plugins); remove it to \
             trace, or use --modules none to run without tracing"
        );
    }
    if user.has("initrd") && !user.has("kernel") {
        bail!(
            "-initrd after `--` needs -kernel after `--` (QEMU loads an initrd only with -kernel)"
        );
    }
    if user.has("append") && !user.has("kernel") {
        bail!(
            "-append after `--` needs -kernel after `--` (QEMU passes a command line only to -kernel)"
        );
    }
    if let Some(disk) = r.disk {
        let ours = [
            (r.kernel.is_some(), "--kernel"),
            (r.initrd.is_some(), "--initrd"),
            (r.append.is_some(), "--append"),
            (user.has("kernel"), "-kernel after `--`"),
        ];
        if let Some((_, what)) = ours.iter().find(|(given, _)| *given) {
            bail!(
                "--disk and {what} conflict: --disk boots the disk's own boot loader (to boot a kernel \
                 with a disk as its root, give -kernel, -initrd, -append and -drive after `--`)"
            );
        }
        let d = check_disk(disk)?;
        let mut args = vec!["-drive".to_string(), d.drive_arg(r.disk_write)];
        if d.firmware == Firmware::Uefi && !user.firmware {
            args.push("-bios".into());
            args.push(ovmf(disk)?.display().to_string());
        }
        let what = format!(
            "{} ({}, {}{}) boots by its own boot loader",
            disk.display(),
            d.format.name(),
            d.firmware.name(),
            if r.disk_write {
                ", written to"
            } else {
                ", writes discarded"
            }
        );
        return Ok(Boot::Own { args, what });
    }
    if r.disk_write {
        bail!("--disk-write needs --disk");
    }
    if let Some(kernel) = r.kernel {
        for (ours, theirs) in [
            ("--kernel", "kernel"),
            ("--initrd", "initrd"),
            ("--append", "append"),
        ] {
            if user.has(theirs) {
                bail!(
                    "{ours} and -{theirs} after `--` conflict: give the kernel to vmscope \
                     (--kernel, --initrd, --append) or to QEMU after `--`, not both"
                );
            }
        }
        return Ok(Boot::Kernel {
            kernel: Some(kernel.to_path_buf()),
            initrd: r.initrd.map(Path::to_path_buf),
        });
    }
    if !user.options.is_empty() {
        if r.initrd.is_some() || r.append.is_some() {
            let what = if r.initrd.is_some() {
                "--initrd"
            } else {
                "--append"
            };
            bail!(
                "{what} goes with vmscope's own -kernel, but the guest boots itself here ({} after \
                 `--`): give -kernel, -initrd and -append after `--` instead, or --kernel",
                user.named()
            );
        }
        return Ok(Boot::Own {
            args: Vec::new(),
            what: format!(
                "the QEMU arguments after `--` boot the guest ({})",
                user.named()
            ),
        });
    }
    if r.initrd.is_some() {
        bail!("--initrd needs --kernel (the default guest brings its own)");
    }
    Ok(Boot::Kernel {
        kernel: None,
        initrd: None,
    })
}

/// A disk image's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiskFormat {
    /// The disk's bytes as they are.
    Raw,
    /// QEMU's copy-on-write format.
    Qcow2,
}

impl DiskFormat {
    fn name(self) -> &'static str {
        match self {
            DiskFormat::Raw => "raw",
            DiskFormat::Qcow2 => "qcow2",
        }
    }
}

/// Which firmware boots a disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Firmware {
    /// A PC BIOS (QEMU's default, SeaBIOS): an MBR boot loader, or GPT with a BIOS boot partition.
    Bios,
    /// UEFI (OVMF): GPT with an EFI system partition and no BIOS boot partition.
    Uefi,
}

impl Firmware {
    fn name(self) -> &'static str {
        match self {
            Firmware::Bios => "BIOS boot",
            Firmware::Uefi => "UEFI boot",
        }
    }
}

/// A checked `--disk`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disk {
    /// Absolute path.
    pub path: PathBuf,
    /// Its format.
    pub format: DiskFormat,
    /// The firmware its partition table asks for.
    pub firmware: Firmware,
}

impl Disk {
    /// The `-drive` value: virtio, the format named (never probed by QEMU), and unless `write`, writes
    /// going to a temporary overlay QEMU throws away (`snapshot=on`).
    fn drive_arg(&self, write: bool) -> String {
        // QEMU's option syntax doubles a comma inside a value.
        let file = self.path.display().to_string().replace(',', ",,");
        let mut s = format!("file={file},format={},if=virtio", self.format.name());
        if !write {
            s.push_str(",snapshot=on");
        }
        s
    }
}

const SECTOR: u64 = 512;
/// The first sectors read for the partition table: the MBR, the GPT header, 32 sectors of entries.
const TABLE_BYTES: usize = 34 * SECTOR as usize;
const ESP: [u8; 16] = [
    0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11, 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b,
];
/// "Hah!IdontNeedEFI".
const BIOS_BOOT: [u8; 16] = *b"Hah!IdontNeedEFI";

/// Checks `--disk FILE`: a readable regular file (or block device), raw with a partition table or
/// qcow2; and which firmware boots it.
pub fn check_disk(path: &Path) -> Result<Disk> {
    let shown = path.display();
    let meta = std::fs::metadata(path).with_context(|| format!("--disk {shown}"))?;
    let block = {
        use std::os::unix::fs::FileTypeExt;
        meta.file_type().is_block_device()
    };
    if !meta.is_file() && !block {
        bail!("--disk {shown}: not a regular file");
    }
    let mut f = std::fs::File::open(path).with_context(|| format!("--disk {shown}"))?;
    let mut head = vec![0u8; TABLE_BYTES];
    let n = read_up_to(&mut f, 0, &mut head).with_context(|| format!("--disk {shown}"))?;
    head.truncate(n);
    if let Some(other) = foreign_format(&head, &mut f) {
        bail!(
            "--disk {shown}: {other}; --disk takes raw or qcow2 images (`qemu-img convert -O qcow2 \
             IN OUT` converts)"
        );
    }
    let (format, table) = if head.starts_with(b"QFI\xfb") {
        // The partition table as the guest sees it; `None` when it cannot be read here (a backing
        // file, compressed or encrypted clusters): then the PC BIOS, QEMU's default.
        let table = qcow2_head(&mut f, &head)
            .map_err(|why| anyhow::anyhow!("--disk {shown}: not a usable qcow2 image ({why})"))?;
        (DiskFormat::Qcow2, table)
    } else {
        (DiskFormat::Raw, Some(head))
    };
    let firmware = match &table {
        Some(t) => firmware_of(t).ok_or_else(|| {
            anyhow::anyhow!(
                "--disk {shown}: not a bootable disk image (no MBR or GPT partition table{}); a bare \
                 file system boots with -kernel, -initrd, -append and -drive after `--`",
                if format == DiskFormat::Qcow2 {
                    " inside the qcow2"
                } else {
                    ", and not qcow2"
                }
            )
        })?,
        None => Firmware::Bios,
    };
    Ok(Disk {
        path: std::path::absolute(path).with_context(|| format!("--disk {shown}"))?,
        format,
        firmware,
    })
}

/// Reads into `buf` from `at`, as much as the file has.
fn read_up_to(f: &mut std::fs::File, at: u64, buf: &mut [u8]) -> std::io::Result<usize> {
    f.seek(SeekFrom::Start(at))?;
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Images of other formats, by their magic: what they are.
fn foreign_format(head: &[u8], f: &mut std::fs::File) -> Option<String> {
    let at = |off: usize, magic: &[u8]| head.get(off..off + magic.len()) == Some(magic);
    if at(0, b"KDMV") || at(0, b"# Disk DescriptorFile") {
        return Some("a VMDK image".into());
    }
    if at(0x40, &[0x7f, 0x10, 0xda, 0xbe]) {
        return Some("a VirtualBox VDI image".into());
    }
    if at(0, b"vhdxfile") {
        return Some("a VHDX image".into());
    }
    if at(0, b"conectix") {
        return Some("a VHD image".into());
    }
    let mut iso = [0u8; 5];
    if read_up_to(f, 0x8001, &mut iso).ok() == Some(5)
        && &iso == b"CD001"
        && !at(510, &[0x55, 0xaa])
    {
        return Some("an ISO 9660 CD image (give it as -cdrom after `--`)".into());
    }
    None
}

/// The firmware a disk's first sectors ask for; `None` without a partition table.
pub fn firmware_of(head: &[u8]) -> Option<Firmware> {
    if head.get(510..512) != Some(&[0x55, 0xaa]) {
        return None;
    }
    // A protective MBR (a partition of type 0xee) and a GPT header at LBA 1.
    let protective = (0..4).any(|i| head.get(446 + i * 16 + 4) == Some(&0xee));
    if !protective || head.get(512..520) != Some(b"EFI PART") {
        return Some(Firmware::Bios);
    }
    let u32_at = |o: usize| -> Option<u32> {
        Some(u32::from_le_bytes(head.get(o..o + 4)?.try_into().ok()?))
    };
    let u64_at = |o: usize| -> Option<u64> {
        Some(u64::from_le_bytes(head.get(o..o + 8)?.try_into().ok()?))
    };
    let (Some(lba), Some(count), Some(size)) =
        (u64_at(512 + 72), u32_at(512 + 80), u32_at(512 + 84))
    else {
        return Some(Firmware::Bios);
    };
    let (mut esp, mut bios_boot) = (false, false);
    if (128..=1024).contains(&size) && lba >= 2 {
        for i in 0..u64::from(count.min(256)) {
            let off = lba
                .saturating_mul(SECTOR)
                .saturating_add(i.saturating_mul(u64::from(size)));
            let Some(entry) = usize::try_from(off).ok().and_then(|o| head.get(o..o + 16)) else {
                break;
            };
            esp |= entry == ESP;
            bios_boot |= entry == BIOS_BOOT;
        }
    }
    Some(if esp && !bios_boot {
        Firmware::Uefi
    } else {
        Firmware::Bios
    })
}

/// The first [`TABLE_BYTES`] of the disk inside a qcow2 image (version 2 or 3), through its L1 and L2
/// tables; `Ok(None)` when they cannot be read without QEMU (a backing file, compressed clusters,
/// encryption, extended L2 entries), `Err` when the header is not a qcow2 header.
fn qcow2_head(f: &mut std::fs::File, hdr: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let be32 =
        |o: usize| -> Option<u32> { Some(u32::from_be_bytes(hdr.get(o..o + 4)?.try_into().ok()?)) };
    let be64 =
        |o: usize| -> Option<u64> { Some(u64::from_be_bytes(hdr.get(o..o + 8)?.try_into().ok()?)) };
    let fields = (|| {
        Some((
            be32(4)?,
            be64(8)?,
            be32(20)?,
            be32(32)?,
            be32(36)?,
            be64(40)?,
        ))
    })();
    let Some((version, backing, cluster_bits, crypt, l1_size, l1_offset)) = fields else {
        return Err("header cut short".into());
    };
    if !(2..=3).contains(&version) || !(9..=21).contains(&cluster_bits) {
        return Err(format!("version {version}, cluster bits {cluster_bits}"));
    }
    // Version 3: extended L2 entries (incompatible feature bit 4) change the tables' shape.
    let extended_l2 = version == 3 && be64(72).is_some_and(|f| f & (1 << 4) != 0);
    if backing != 0 || crypt != 0 || extended_l2 {
        return Ok(None);
    }
    let cluster = 1u64 << cluster_bits;
    let l2_entries = cluster / 8;
    let mut out = vec![0u8; TABLE_BYTES];
    let mut done = 0u64;
    while done < TABLE_BYTES as u64 {
        let (cl, within) = (done / cluster, done % cluster);
        let (l1_index, l2_index) = (cl / l2_entries, cl % l2_entries);
        if l1_index >= u64::from(l1_size) {
            break;
        }
        let mut e = [0u8; 8];
        let read_entry =
            |f: &mut std::fs::File, at: u64, e: &mut [u8; 8]| read_up_to(f, at, e).ok() == Some(8);
        if !read_entry(f, l1_offset + 8 * l1_index, &mut e) {
            return Err("L1 table beyond the end of the file".into());
        }
        let l2 = u64::from_be_bytes(e) & 0x00ff_ffff_ffff_fe00;
        let n = (cluster - within).min(TABLE_BYTES as u64 - done);
        if l2 != 0 {
            if !read_entry(f, l2 + 8 * l2_index, &mut e) {
                return Err("L2 table beyond the end of the file".into());
            }
            let entry = u64::from_be_bytes(e);
            if entry & (1 << 62) != 0 {
                return Ok(None);
            }
            let host = entry & 0x00ff_ffff_ffff_fe00;
            let zero = version == 3 && entry & 1 != 0;
            if host != 0 && !zero {
                let slice = &mut out[done as usize..(done + n) as usize];
                if read_up_to(f, host + within, slice).ok() != Some(slice.len()) {
                    return Err("a data cluster beyond the end of the file".into());
                }
            }
        }
        done += n;
    }
    Ok(Some(out))
}

/// Where distributions put OVMF as one file QEMU takes with `-bios`.
const OVMF_PATHS: &[&str] = &[
    "/usr/share/ovmf/OVMF.fd",
    "/usr/share/OVMF/OVMF.fd",
    "/usr/share/qemu/OVMF.fd",
    "/usr/share/edk2/x64/OVMF.fd",
    "/usr/share/edk2-ovmf/OVMF.fd",
];

/// The UEFI firmware for a disk that needs it: `$VMSCOPE_OVMF`, else the distribution's OVMF.
fn ovmf(disk: &Path) -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("VMSCOPE_OVMF") {
        let p = PathBuf::from(p);
        crate::guest::check_file("UEFI firmware (VMSCOPE_OVMF)", &p)?;
        return Ok(p);
    }
    OVMF_PATHS
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "--disk {}: it boots by UEFI (GPT with an EFI system partition) and no OVMF firmware \
                 was found: install the ovmf package, set VMSCOPE_OVMF, or give -bios FILE after `--`",
                disk.display()
            )
        })
}

#[cfg(test)]
mod tests;

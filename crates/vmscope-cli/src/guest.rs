//! The guest: the default guest's files, and checks of user-given kernels and ramdisks.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use vmscope_linux::btf::{KernelLayout, is_arm64_image};

use crate::GuestArch;

/// The architecture a kernel file is built for, from its first bytes: an arm64 `Image`, an ELF
/// vmlinux (its class and machine), or a bzImage (64-bit when its setup header's `xloadflags` has
/// `XLF_KERNEL_64`). `None` when the file is none of these.
pub fn kernel_arch_of(head: &[u8]) -> Option<GuestArch> {
    if is_arm64_image(head) {
        return Some(GuestArch::Aarch64);
    }
    if head.starts_with(b"\x7fELF") {
        let machine = u16::from_le_bytes([*head.get(18)?, *head.get(19)?]);
        return match (head.get(4)?, machine) {
            (2, 62) => Some(GuestArch::X86_64),
            (1, 3) => Some(GuestArch::I386),
            (2, 183) => Some(GuestArch::Aarch64),
            _ => None,
        };
    }
    // The x86 boot protocol: "HdrS" at 0x202, xloadflags at 0x236 (protocol 2.12 and later).
    if head.get(0x202..0x206) == Some(b"HdrS") {
        let xloadflags = *head.get(0x236)?;
        return Some(if xloadflags & 1 != 0 {
            GuestArch::X86_64
        } else {
            GuestArch::I386
        });
    }
    None
}

/// Checks that a kernel file is for `arch` (see [`kernel_arch_of`]; a file of unknown kind is left
/// to the kernel checks that follow).
pub fn check_kernel_arch(path: &Path, arch: GuestArch) -> Result<()> {
    use std::io::Read;
    let mut head = [0u8; 0x240];
    let mut f = std::fs::File::open(path).with_context(|| format!("kernel {}", path.display()))?;
    let n = f.read(&mut head).unwrap_or(0);
    match kernel_arch_of(&head[..n]) {
        Some(found) if found != arch => bail!(
            "kernel {}: {}, but the guest is {} (give --arch {})",
            path.display(),
            match found {
                GuestArch::Aarch64 => "an arm64 Image",
                GuestArch::X86_64 => "an x86_64 kernel",
                GuestArch::I386 => "an i386 kernel",
            },
            arch.name(),
            found.name()
        ),
        _ => Ok(()),
    }
}

/// The kernel series the default guest boots.
pub const DEFAULT_SERIES: &str = "6.12";
/// The kernel series of the default i386 guest (Debian bookworm's 686-pae kernel).
pub const I386_SERIES: &str = "6.1";

/// Where guest/build.sh puts guests.
pub fn guest_root() -> PathBuf {
    if let Some(d) = std::env::var_os("VMSCOPE_GUEST_DIR") {
        return PathBuf::from(d);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from(".cache"));
    cache.join("vmscope").join("guest")
}

/// The default guest of architecture `arch` (`linux-6.12` for x86_64, `linux-6.12-aarch64`,
/// `linux-6.1-i386`): its kernel and initrd, or a message saying how to build them.
pub fn default_guest_for(arch: GuestArch) -> Result<(PathBuf, PathBuf)> {
    let dir = match arch {
        GuestArch::X86_64 => guest_root().join(format!("linux-{DEFAULT_SERIES}")),
        GuestArch::Aarch64 => guest_root().join(format!("linux-{DEFAULT_SERIES}-aarch64")),
        GuestArch::I386 => guest_root().join(format!("linux-{I386_SERIES}-i386")),
    };
    let kernel = dir.join("vmlinuz");
    let initrd = dir.join("initrd.img");
    if !kernel.is_file() || !initrd.is_file() {
        bail!(
            "no default {} guest in {}: build it with `guest/build.sh{}` (or `scripts/setup.sh`), or give --kernel and --initrd",
            arch.name(),
            dir.display(),
            match arch {
                GuestArch::X86_64 => "",
                GuestArch::Aarch64 => " --arch aarch64",
                GuestArch::I386 => " --arch i386",
            }
        );
    }
    Ok((kernel, initrd))
}

/// Checks that `path` is a readable regular file.
pub fn check_file(what: &str, path: &Path) -> Result<()> {
    let meta = std::fs::metadata(path).with_context(|| format!("{what} {}", path.display()))?;
    if !meta.is_file() {
        bail!("{what} {}: not a regular file", path.display());
    }
    std::fs::File::open(path).with_context(|| format!("{what} {}", path.display()))?;
    Ok(())
}

/// The default guest's DWARF vmlinux for `kernel`, when `kernel` is a default guest's image and its
/// directory has one (`vmlinux-dbg`, the i386 guest).
pub fn default_debuginfo(kernel: &Path) -> Option<PathBuf> {
    let dir = kernel.parent()?;
    if !dir.starts_with(guest_root()) {
        return None;
    }
    let dbg = dir.join("vmlinux-dbg");
    dbg.is_file().then_some(dbg)
}

/// Checks a kernel file and reads its layout: from its BTF, or from the DWARF file `debuginfo` of the
/// same build (checked by build-id). A kernel without BTF and without debuginfo only warns (threads
/// are then not identified); every other problem is an error.
pub fn check_kernel(path: &Path, debuginfo: Option<&Path>) -> Result<Option<KernelLayout>> {
    check_file("kernel", path)?;
    if let Some(dbg) = debuginfo {
        check_file("kernel debuginfo", dbg)?;
        vmscope_linux::dwarf::check_debuginfo_matches(path, dbg)
            .map_err(|e| anyhow::anyhow!("kernel debuginfo {}: {e}", dbg.display()))?;
        return Ok(None);
    }
    match KernelLayout::from_kernel_file(path) {
        Ok(l) => Ok(Some(l)),
        Err(e) if e.is_missing_btf() => {
            eprintln!(
                "vmscope: warning: kernel {}: {e}; threads will not be identified (give \
                 --kernel-debuginfo with the DWARF vmlinux of its build)",
                path.display()
            );
            Ok(None)
        }
        Err(e) => bail!("kernel {}: {e}", path.display()),
    }
}

/// `vmscope kernel FILE [--kernel-debuginfo F] [--arch A]`: the kernel's architecture and what its
/// layout gives; one line and a non-zero exit for bad input (an architecture that does not match, a
/// debuginfo file of another build, a kernel with neither BTF nor debuginfo).
pub fn describe_kernel(
    path: &Path,
    debuginfo: Option<&Path>,
    arch: Option<GuestArch>,
) -> Result<u8> {
    use std::io::Read;
    check_file("kernel", path)?;
    let mut head = [0u8; 0x240];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .with_context(|| format!("kernel {}", path.display()))?;
    let found = kernel_arch_of(&head[..n]);
    if let Some(a) = arch {
        check_kernel_arch(path, a)?;
    }
    let arch_name = found.map_or("unknown architecture", GuestArch::name);
    let (layout, source) = match debuginfo {
        Some(dbg) => {
            check_file("kernel debuginfo", dbg)?;
            vmscope_linux::dwarf::check_debuginfo_matches(path, dbg)
                .map_err(|e| anyhow::anyhow!("kernel debuginfo {}: {e}", dbg.display()))?;
            let (l, _) = KernelLayout::from_dwarf_file(dbg)
                .map_err(|e| anyhow::anyhow!("kernel debuginfo {}: {e}", dbg.display()))?;
            (l, format!("DWARF of {}", dbg.display()))
        }
        None => match KernelLayout::from_kernel_file(path) {
            Ok(l) => (l, "BTF".to_string()),
            Err(e) if e.is_missing_btf() => bail!(
                "kernel {}: {e}; give --kernel-debuginfo with the DWARF vmlinux of its build",
                path.display()
            ),
            Err(e) => bail!("kernel {}: {e}", path.display()),
        },
    };
    println!(
        "{}: {arch_name}, {}-bit pointers, layout from {source}: {}",
        path.display(),
        u32::from(layout.pointer_size) * 8,
        layout.describe()
    );
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_files_tell_their_architecture() {
        let mut elf = [0u8; 64];
        elf[..4].copy_from_slice(b"\x7fELF");
        elf[4] = 1;
        elf[18] = 3;
        assert_eq!(kernel_arch_of(&elf), Some(GuestArch::I386));
        elf[4] = 2;
        elf[18] = 62;
        assert_eq!(kernel_arch_of(&elf), Some(GuestArch::X86_64));
        let mut bz = [0u8; 0x240];
        bz[0x202..0x206].copy_from_slice(b"HdrS");
        assert_eq!(kernel_arch_of(&bz), Some(GuestArch::I386));
        bz[0x236] = 0x1f;
        assert_eq!(kernel_arch_of(&bz), Some(GuestArch::X86_64));
        // Truncated headers and other files: unknown, never a panic.
        assert_eq!(kernel_arch_of(&bz[..0x210]), None);
        assert_eq!(kernel_arch_of(b"#!/bin/sh\n"), None);
        assert_eq!(kernel_arch_of(&[]), None);
    }
}

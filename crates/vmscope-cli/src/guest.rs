//! The guest: the default guest's files, and checks of user-given kernels and ramdisks.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use vmscope_linux::btf::{KernelLayout, is_arm64_image};

use crate::GuestArch;

/// Checks that a kernel file is for `arch`: an arm64 `Image` for aarch64, anything else (bzImage,
/// ELF) for x86_64.
pub fn check_kernel_arch(path: &Path, arch: GuestArch) -> Result<()> {
    use std::io::Read;
    let mut head = [0u8; 64];
    let mut f = std::fs::File::open(path).with_context(|| format!("kernel {}", path.display()))?;
    let n = f.read(&mut head).unwrap_or(0);
    let arm64 = is_arm64_image(&head[..n]);
    match (arch, arm64) {
        (GuestArch::Aarch64, false) => bail!(
            "kernel {}: not an arm64 Image (no `ARM\\x64` magic), but --arch aarch64",
            path.display()
        ),
        (GuestArch::X86_64, true) => bail!(
            "kernel {}: an arm64 Image, but the guest is x86_64 (give --arch aarch64)",
            path.display()
        ),
        _ => Ok(()),
    }
}

/// The kernel series the default guest boots.
pub const DEFAULT_SERIES: &str = "6.12";

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

/// The default guest's kernel and initrd, or a message saying how to build them.
pub fn default_guest() -> Result<(PathBuf, PathBuf)> {
    default_guest_for(GuestArch::X86_64)
}

/// The default guest of architecture `arch` (`linux-6.12` for x86_64, `linux-6.12-aarch64`).
pub fn default_guest_for(arch: GuestArch) -> Result<(PathBuf, PathBuf)> {
    let dir = match arch {
        GuestArch::X86_64 => guest_root().join(format!("linux-{DEFAULT_SERIES}")),
        GuestArch::Aarch64 => guest_root().join(format!("linux-{DEFAULT_SERIES}-aarch64")),
    };
    let kernel = dir.join("vmlinuz");
    let initrd = dir.join("initrd.img");
    if !kernel.is_file() || !initrd.is_file() {
        bail!(
            "no default {} guest in {}: build it with `guest/build.sh{}` (or `scripts/setup.sh`), or give --kernel and --initrd",
            arch.name(),
            dir.display(),
            if arch == GuestArch::Aarch64 {
                " --arch aarch64"
            } else {
                ""
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

/// Checks the kernel and reads its layout; `Ok(None)` for a kernel without BTF (traced without threads).
pub fn check_kernel(path: &Path) -> Result<Option<KernelLayout>> {
    check_file("kernel", path)?;
    match KernelLayout::from_kernel_file(path) {
        Ok(l) => Ok(Some(l)),
        Err(e) if e.is_missing_btf() => {
            eprintln!(
                "vmscope: warning: kernel {}: {e}; threads will not be identified",
                path.display()
            );
            Ok(None)
        }
        Err(e) => bail!("kernel {}: {e}", path.display()),
    }
}

/// `vmscope kernel FILE`.
pub fn describe_kernel(path: &Path) -> Result<u8> {
    match check_kernel(path)? {
        Some(l) => println!("{}: {}", path.display(), l.describe()),
        None => println!("{}: kernel without usable BTF", path.display()),
    }
    Ok(0)
}

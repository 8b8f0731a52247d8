//! A host cache of the BTF found in guests' memory, keyed by the kernel's version banner.
//!
//! Reading a kernel's BTF out of guest memory costs a few thousand page reads; the banner alone costs a
//! few hundred ([`crate::btf_locate::locate_banner`]). The banner names one build (release, compiler,
//! build number and date), so a BTF found once is stored under a hash of it and reused by later runs of
//! the same kernel:
//!
//! ```text
//! ~/.cache/vmscope/btf/<release>-<first 128 bits of SHA-256(banner), hex>.btf     the raw .BTF section
//! ~/.cache/vmscope/btf/<release>-<...>.banner                                    the banner, for people and for the check
//! ```
//!
//! The `.btf` file is the section as the kernel holds it (`bpftool btf dump file F` reads it). Files
//! are written to a temporary name and renamed, so a reader never sees half a file; a load checks that
//! the banner file matches and that the BTF header agrees with the file's size.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::btf_locate::{check_header, release_of};
use crate::error::Error;

/// The largest cached BTF loaded (as [`crate::btf_locate::LocateLimits::max_btf_size`]).
pub const MAX_CACHED_BTF: u64 = 64 << 20;

/// A directory of cached kernel BTF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BtfCache {
    dir: PathBuf,
}

impl BtfCache {
    /// A cache in `dir` (created on the first store).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// `$XDG_CACHE_HOME/vmscope/btf`, else `$HOME/.cache/vmscope/btf`; `None` when neither is set.
    pub fn default_dir() -> Option<PathBuf> {
        let cache = std::env::var_os("XDG_CACHE_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
        Some(cache.join("vmscope").join("btf"))
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The BTF file for `banner` (it may not exist).
    pub fn path_for(&self, banner: &str) -> PathBuf {
        self.dir.join(format!("{}.btf", stem(banner)))
    }

    fn banner_path(&self, banner: &str) -> PathBuf {
        self.dir.join(format!("{}.banner", stem(banner)))
    }

    /// The cached BTF of the kernel with this banner; `Ok(None)` when there is none.
    pub fn load(&self, banner: &str) -> Result<Option<Vec<u8>>, Error> {
        let path = self.path_for(banner);
        let bad = |reason: String| Error::BadCacheEntry {
            path: path.clone(),
            reason,
        };
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(Error::Io { path, source }),
        };
        if meta.len() > MAX_CACHED_BTF {
            return Err(bad(format!(
                "{} bytes, more than the {MAX_CACHED_BTF}-byte limit",
                meta.len()
            )));
        }
        let banner_path = self.banner_path(banner);
        match std::fs::read(&banner_path) {
            Ok(b) if b == banner.as_bytes() => {}
            Ok(_) => {
                return Err(bad(format!(
                    "{} names another kernel",
                    banner_path.display()
                )));
            }
            Err(source) => {
                return Err(Error::Io {
                    path: banner_path,
                    source,
                });
            }
        }
        let bytes = std::fs::read(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        let h = check_header(&bytes, MAX_CACHED_BTF)
            .map_err(|r| bad(format!("not a BTF section ({r:?})")))?;
        if h.total() != bytes.len() as u64 {
            return Err(bad(format!(
                "the header announces {} bytes, the file has {}",
                h.total(),
                bytes.len()
            )));
        }
        Ok(Some(bytes))
    }

    /// Stores `btf` for the kernel with this banner; returns the BTF file's path.
    pub fn store(&self, banner: &str, btf: &[u8]) -> Result<PathBuf, Error> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| Error::Io { path, source }
        };
        std::fs::create_dir_all(&self.dir).map_err(io(&self.dir))?;
        let path = self.path_for(banner);
        // The banner first: a BTF file without its banner file is never loaded.
        for (dest, data) in [
            (self.banner_path(banner), banner.as_bytes()),
            (path.clone(), btf),
        ] {
            let tmp = dest.with_extension(format!("tmp{}", std::process::id()));
            std::fs::write(&tmp, data).map_err(io(&tmp))?;
            std::fs::rename(&tmp, &dest).map_err(io(&dest))?;
        }
        Ok(path)
    }
}

/// `<release>-<hash>`: the release (made safe for a file name) for people, the hash for uniqueness.
fn stem(banner: &str) -> String {
    let release: String = release_of(banner)
        .unwrap_or("unknown")
        .chars()
        .take(64)
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._+-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let digest = Sha256::digest(banner.as_bytes());
    let hash: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("{release}-{hash}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::btf_locate::tests::small_kernel_btf;

    const BANNER: &str = "Linux version 6.1.0-50-amd64 (debian-kernel@lists.debian.org) (gcc-12) #1 SMP Debian 6.1.176-1";

    fn tmpdir(name: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("vmscope-btf-cache-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn store_then_load() {
        let dir = tmpdir("roundtrip");
        let cache = BtfCache::new(&dir);
        assert!(matches!(cache.load(BANNER), Ok(None)));
        let btf = small_kernel_btf("task_struct", 500);
        let path = cache.store(BANNER, &btf).unwrap_or_else(|e| panic!("{e}"));
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        assert!(
            name.starts_with("6.1.0-50-amd64-") && name.ends_with(".btf"),
            "{name}"
        );
        assert_eq!(name.len(), "6.1.0-50-amd64-".len() + 32 + 4);
        assert_eq!(cache.load(BANNER).ok().flatten(), Some(btf.clone()));
        // Another build of the same release is another entry.
        let other = BANNER.replace("#1 SMP", "#2 SMP");
        assert!(matches!(cache.load(&other), Ok(None)));
        assert_ne!(cache.path_for(&other), path);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn damaged_entries_are_errors_not_data() {
        let dir = tmpdir("damaged");
        let cache = BtfCache::new(&dir);
        let btf = small_kernel_btf("task_struct", 500);
        let path = cache.store(BANNER, &btf).unwrap_or_else(|e| panic!("{e}"));
        // Cut short.
        std::fs::write(&path, &btf[..btf.len() - 1]).ok();
        assert!(matches!(
            cache.load(BANNER),
            Err(Error::BadCacheEntry { .. })
        ));
        // Not BTF.
        std::fs::write(&path, b"hello").ok();
        assert!(matches!(
            cache.load(BANNER),
            Err(Error::BadCacheEntry { .. })
        ));
        // The banner file names another kernel.
        cache.store(BANNER, &btf).ok();
        std::fs::write(
            dir.join(format!("{}.banner", stem(BANNER))),
            b"Linux version 9",
        )
        .ok();
        assert!(matches!(
            cache.load(BANNER),
            Err(Error::BadCacheEntry { .. })
        ));
        // The banner file is gone.
        std::fs::remove_file(dir.join(format!("{}.banner", stem(BANNER)))).ok();
        assert!(matches!(cache.load(BANNER), Err(Error::Io { .. })));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn odd_banners_make_safe_names() {
        let cache = BtfCache::new("/c");
        let p = cache.path_for("Linux version 6.9/../../x (y)");
        assert_eq!(p.parent(), Some(Path::new("/c")));
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        assert!(name.starts_with("6.9_.._.._x-"), "{name}");
        let p = cache.path_for("no banner at all");
        assert!(p.to_string_lossy().contains("/unknown-"));
    }
}

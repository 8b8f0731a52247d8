//! The drcov file format, version 2 (DynamoRIO's `drcov` flavor), as Lighthouse, Cartographer and
//! bncov read it: a text header, a module table (`id, base, end, entry, checksum, timestamp, path`),
//! `BB Table: N bbs`, then N binary records of 8 bytes: the block's start as an offset from its
//! module's base (u32), its size (u16) and its module's id (u16), little-endian.

use std::io::{self, Write};

/// One row of the module table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrcovModule {
    /// First address.
    pub base: u64,
    /// One past the last.
    pub end: u64,
    /// The file (or `[vdso]`, `[anonymous]`, `[kernel]`).
    pub path: String,
}

/// One basic block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DrcovBlock {
    /// Offset of its first byte from its module's base.
    pub offset: u32,
    /// Its size in bytes.
    pub size: u16,
    /// Its module's index in the table.
    pub module: u16,
}

/// Writes a drcov v2 file.
pub fn write(
    out: &mut dyn Write,
    modules: &[DrcovModule],
    blocks: &[DrcovBlock],
) -> io::Result<()> {
    writeln!(out, "DRCOV VERSION: 2")?;
    writeln!(out, "DRCOV FLAVOR: drcov")?;
    writeln!(out, "Module Table: version 2, count {}", modules.len())?;
    writeln!(
        out,
        "Columns: id, base, end, entry, checksum, timestamp, path"
    )?;
    for (i, m) in modules.iter().enumerate() {
        // A path cannot hold a line break: the table is line-oriented.
        let path = m.path.replace(['\n', '\r'], "?");
        writeln!(
            out,
            "{i:3}, {:#018x}, {:#018x}, {:#018x}, {:#010x}, {:#010x}, {path}",
            m.base, m.end, 0, 0, 0
        )?;
    }
    writeln!(out, "BB Table: {} bbs", blocks.len())?;
    let mut buf = Vec::with_capacity(blocks.len() * 8);
    for b in blocks {
        buf.extend_from_slice(&b.offset.to_le_bytes());
        buf.extend_from_slice(&b.size.to_le_bytes());
        buf.extend_from_slice(&b.module.to_le_bytes());
    }
    out.write_all(&buf)
}

/// What [`assign`] made of a set of blocks.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Assigned {
    /// The module table: the images given (in address order), then `[anonymous]` when blocks fell
    /// outside them and one row can hold them.
    pub modules: Vec<DrcovModule>,
    /// The blocks, sorted.
    pub blocks: Vec<DrcovBlock>,
    /// Blocks that no row could hold (outside every image, spread over more than 4 GiB).
    pub outside: u64,
}

/// Assigns blocks (`(address, size)`) to the images that contain them; blocks outside every image
/// go to one `[anonymous]` row when their span fits a u32 offset, else are counted in `outside`.
pub fn assign(images: &[DrcovModule], blocks: impl IntoIterator<Item = (u64, u16)>) -> Assigned {
    let mut modules: Vec<DrcovModule> = images.to_vec();
    modules.sort_by_key(|m| (m.base, m.end));
    modules.dedup_by(|a, b| a.base == b.base);
    modules.truncate(usize::from(u16::MAX) - 1);
    let mut out = Vec::new();
    let mut anon = Vec::new();
    for (pc, size) in blocks {
        // The image with the greatest base at or below the block.
        let i = modules.partition_point(|m| m.base <= pc);
        let hit = i
            .checked_sub(1)
            .and_then(|j| modules.get(j).map(|m| (j, m)))
            .filter(|(_, m)| pc < m.end)
            .and_then(|(j, m)| Some((u16::try_from(j).ok()?, u32::try_from(pc - m.base).ok()?)));
        match hit {
            Some((module, offset)) => out.push(DrcovBlock {
                offset,
                size,
                module,
            }),
            None => anon.push((pc, size)),
        }
    }
    let mut outside = 0;
    if !anon.is_empty() {
        let lo = anon.iter().map(|b| b.0).min().unwrap_or(0);
        let hi = anon
            .iter()
            .map(|b| b.0.saturating_add(u64::from(b.1)))
            .max()
            .unwrap_or(0);
        match u16::try_from(modules.len()) {
            Ok(id) if hi - lo <= u64::from(u32::MAX) => {
                modules.push(DrcovModule {
                    base: lo,
                    end: hi,
                    path: "[anonymous]".into(),
                });
                out.extend(anon.iter().map(|&(pc, size)| DrcovBlock {
                    offset: (pc - lo) as u32,
                    size,
                    module: id,
                }));
            }
            _ => outside = anon.len() as u64,
        }
    }
    out.sort_by_key(|b| (b.module, b.offset, b.size));
    Assigned {
        modules,
        blocks: out,
        outside,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests may panic")]

    use super::*;

    /// Compares with a golden file; `VMSCOPE_BLESS=1` rewrites it.
    fn golden(name: &str, got: &[u8]) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src/coverage/testdata")
            .join(name);
        if std::env::var_os("VMSCOPE_BLESS").is_some_and(|v| v == "1") {
            std::fs::write(&path, got).unwrap();
        }
        let want = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (VMSCOPE_BLESS=1 writes it)", path.display()));
        assert!(want == got, "{name} differs from its golden file");
    }

    fn images() -> Vec<DrcovModule> {
        vec![
            DrcovModule {
                base: 0x7f00_0000_0000,
                end: 0x7f00_0002_0000,
                path: "/lib/x86_64-linux-gnu/libc.so.6".into(),
            },
            DrcovModule {
                base: 0x40_0000,
                end: 0x4c_5000,
                path: "/bin/wl-compute".into(),
            },
        ]
    }

    #[test]
    fn a_process_file_matches_its_golden_copy() {
        let a = assign(
            &images(),
            [
                (0x40_1000, 12),
                (0x7f00_0000_1234, 7),
                (0x40_1010, 30),
                // JIT code: outside every image, to the anonymous row.
                (0x1000_0000, 5),
                (0x1000_0100, 9),
            ],
        );
        assert_eq!(a.outside, 0);
        assert_eq!(a.modules.len(), 3);
        assert_eq!(a.modules[0].path, "/bin/wl-compute");
        assert_eq!(a.modules[2].path, "[anonymous]");
        let mut out = Vec::new();
        write(&mut out, &a.modules, &a.blocks).unwrap();
        golden("process.drcov", &out);
        // The binary table: 5 records of 8 bytes after the header's last line.
        let at = out
            .windows(15)
            .position(|w| w == b"BB Table: 5 bbs")
            .unwrap()
            + 16;
        assert_eq!(out.len() - at, 40);
        assert_eq!(&out[at..at + 8], &[0x00, 0x10, 0, 0, 12, 0, 0, 0]);
    }

    #[test]
    fn an_empty_file_has_a_header_and_no_records() {
        let mut out = Vec::new();
        write(&mut out, &[], &[]).unwrap();
        golden("empty.drcov", &out);
    }

    #[test]
    fn blocks_too_far_apart_for_one_row_are_counted_outside() {
        let a = assign(&[], [(0x1000, 4), (0x7fff_0000_0000, 4)]);
        assert!(a.modules.is_empty() && a.blocks.is_empty());
        assert_eq!(a.outside, 2);
        // Past an image's end is not in it.
        let a = assign(&images(), [(0x4c_5000, 4)]);
        assert_eq!(a.modules.last().unwrap().path, "[anonymous]");
    }
}

//! Symbols and source lines of user-space images: `.dynsym` read from guest memory, and from files on
//! the host (given with `--debug-dir`) `.symtab`, DWARF line tables and `.eh_frame`.
//!
//! A host file is found like distributions' debug packages lay them out: `DIR/.build-id/xx/rest.debug`
//! by the image's build-id, then the image's guest path under `DIR`, then its file name in `DIR`. A
//! file is used only when its build-id equals the image's: a file of another build gives a
//! [`HostLookup::Mismatch`] to report, never a symbol. Addresses here are the image's own ELF
//! addresses (memory minus load bias), so one table serves every process mapping the file.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use object::{Object, ObjectSection, ObjectSymbol, SymbolKind};

use crate::Error;
use crate::elf::Symbol;
use crate::unwind::Cfi;

/// Bytes of a host file read at most.
pub const MAX_FILE: u64 = 1 << 30;
/// Line-table rows kept per file at most.
pub const MAX_ROWS: usize = 1 << 24;

/// Functions by address: start, size (0: unknown, up to the next symbol), name.
#[derive(Debug, Clone, Default)]
pub struct SymbolTable {
    syms: Vec<(u64, u64, Arc<str>)>,
}

impl SymbolTable {
    /// From `.dynsym` symbols read from memory (memory addresses, hence `load_bias`).
    pub fn from_dynamic(syms: &[Symbol], load_bias: u64) -> Self {
        let mut t = SymbolTable {
            syms: syms
                .iter()
                .map(|s| {
                    (
                        s.addr.wrapping_sub(load_bias),
                        s.size,
                        Arc::from(s.name.as_str()),
                    )
                })
                .collect(),
        };
        t.sort();
        t
    }

    fn sort(&mut self) {
        // By address; for one address the sized symbol first, then by name (a stable choice among
        // aliases such as `write` and `__write`: strace's libunwind takes the first of .symtab).
        self.syms
            .sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        self.syms.dedup_by(|b, a| a.0 == b.0);
    }

    /// Adds the symbols of `other` (a `.symtab` over a `.dynsym`): for one address the first
    /// table's name stays.
    pub fn merge(&mut self, other: &SymbolTable) {
        self.syms.extend(other.syms.iter().cloned());
        self.sort();
    }

    /// The number of symbols.
    pub fn len(&self) -> usize {
        self.syms.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.syms.is_empty()
    }

    /// The function holding `addr` and `addr`'s offset in it.
    pub fn lookup(&self, addr: u64) -> Option<(Arc<str>, u64)> {
        let i = self.syms.partition_point(|s| s.0 <= addr);
        let (start, size, name) = self.syms.get(i.checked_sub(1)?)?;
        let off = addr - start;
        // A sized symbol covers its size only (a pc past it is in an unnamed function).
        if *size != 0 && off >= *size {
            return None;
        }
        Some((name.clone(), off))
    }
}

/// Source lines by address, from DWARF line programs.
#[derive(Debug, Clone, Default)]
pub struct LineTable {
    /// Address, file (`u32::MAX`: the end of a sequence, no line), line.
    rows: Vec<(u64, u32, u32)>,
    files: Vec<Arc<str>>,
}

impl LineTable {
    /// The file and line of `addr`.
    pub fn lookup(&self, addr: u64) -> Option<(Arc<str>, u32)> {
        let i = self.rows.partition_point(|r| r.0 <= addr);
        let (_, file, line) = *self.rows.get(i.checked_sub(1)?)?;
        if file == u32::MAX || line == 0 {
            return None;
        }
        Some((self.files.get(file as usize)?.clone(), line))
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// What a host file gives for one image.
#[derive(Debug, Default)]
pub struct HostFile {
    /// Where it was found.
    pub path: PathBuf,
    /// Its `NT_GNU_BUILD_ID`, hex.
    pub build_id: Option<String>,
    /// `.symtab`'s functions.
    pub symbols: SymbolTable,
    /// DWARF lines.
    pub lines: LineTable,
    /// `.eh_frame`, when the file has its bytes (a separate debug file has none).
    pub cfi: Option<Cfi>,
}

/// Where to look for an image's host file under `dir`, in order.
pub fn candidates(dir: &Path, guest_path: Option<&str>, build_id: Option<&str>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(id) = build_id.filter(|id| id.len() > 2 && id.is_ascii()) {
        out.push(
            dir.join(".build-id")
                .join(&id[..2])
                .join(format!("{}.debug", &id[2..])),
        );
    }
    if let Some(p) = guest_path.filter(|p| p.starts_with('/') && !p.contains("/../")) {
        out.push(dir.join(p.trim_start_matches('/')));
        if let Some(name) = Path::new(p).file_name() {
            out.push(dir.join(name));
        }
    }
    out.dedup();
    out
}

/// The result of looking an image's file up on the host.
#[derive(Debug)]
pub enum HostLookup {
    /// A file with the image's build-id.
    Found(Box<HostFile>),
    /// Files exist but none has the image's build-id: each path with the build-id it has.
    Mismatch(Vec<(PathBuf, Option<String>)>),
    /// No file under the directory.
    Missing,
}

/// Finds and reads the host file of an image with build-id `build_id` (hex) and guest path
/// `guest_path`: the first matching candidate, completed by later matching ones with what it lacks
/// (a debug file's `.eh_frame` from a copy of the image). Files of another build are skipped (and
/// reported when nothing matches). An image without a build-id cannot be matched and gets none.
pub fn lookup(dir: &Path, guest_path: Option<&str>, build_id: Option<&str>) -> HostLookup {
    let Some(id) = build_id else {
        return HostLookup::Missing;
    };
    let mut wrong = Vec::new();
    let mut found: Option<HostFile> = None;
    for c in candidates(dir, guest_path, Some(id)) {
        if !c.is_file() {
            continue;
        }
        match load(&c) {
            Ok(f) if f.build_id.as_deref() == Some(id) => match &mut found {
                // A separate debug file has no `.eh_frame` bytes: a copy of the image further down
                // the list gives them (and what else the first lacks).
                Some(first) => {
                    if first.cfi.is_none() {
                        first.cfi = f.cfi;
                    }
                    if first.symbols.is_empty() {
                        first.symbols = f.symbols;
                    }
                    if first.lines.is_empty() {
                        first.lines = f.lines;
                    }
                }
                None => found = Some(f),
            },
            Ok(f) => wrong.push((c, f.build_id)),
            Err(_) => wrong.push((c, None)),
        }
        if found
            .as_ref()
            .is_some_and(|f| f.cfi.is_some() && !f.lines.is_empty())
        {
            break;
        }
    }
    match found {
        Some(f) => HostLookup::Found(Box::new(f)),
        None if wrong.is_empty() => HostLookup::Missing,
        None => HostLookup::Mismatch(wrong),
    }
}

/// Reads a host ELF file: build-id, `.symtab`, DWARF lines, `.eh_frame`.
pub fn load(path: &Path) -> Result<HostFile, Error> {
    let bad = |reason: String| Error::DebugFile {
        path: path.to_owned(),
        reason,
    };
    let len = std::fs::metadata(path)
        .map_err(|e| bad(e.to_string()))?
        .len();
    if len > MAX_FILE {
        return Err(bad(format!("larger than {MAX_FILE} bytes")));
    }
    let data = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    parse(path, &data)
}

/// [`load`] over the file's bytes.
pub fn parse(path: &Path, data: &[u8]) -> Result<HostFile, Error> {
    let file = object::File::parse(data).map_err(|e| Error::DebugFile {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    let build_id = file
        .build_id()
        .ok()
        .flatten()
        .map(|b| b.iter().map(|x| format!("{x:02x}")).collect());
    let mut symbols = SymbolTable {
        syms: file
            .symbols()
            .filter(|s| s.kind() == SymbolKind::Text && s.is_definition() && s.address() != 0)
            .filter_map(|s| {
                let name = s.name().ok().filter(|n| !n.is_empty())?;
                Some((s.address(), s.size(), Arc::<str>::from(name)))
            })
            .collect(),
    };
    symbols.sort();
    // `e_machine` (at 18 in both ELF classes; little-endian, as every file read here).
    let machine = data
        .get(18..20)
        .filter(|_| file.format() == object::BinaryFormat::Elf)
        .map_or(0, |b| u16::from_le_bytes([b[0], b[1]]));
    let cfi = file
        .section_by_name(".eh_frame")
        .filter(|s| s.kind() != object::SectionKind::UninitializedData)
        .and_then(|s| Some((s.address(), s.uncompressed_data().ok()?)))
        .filter(|(_, d)| !d.is_empty())
        .and_then(|(addr, d)| Cfi::from_section(d.into_owned(), addr, machine, file.is_64()));
    Ok(HostFile {
        path: path.to_owned(),
        build_id,
        symbols,
        lines: lines(&file),
        cfi,
    })
}

/// The line table of a file's DWARF (empty without one, or on what cannot be parsed).
fn lines(file: &object::File<'_>) -> LineTable {
    let load = |id: gimli::SectionId| -> Result<Cow<'_, [u8]>, gimli::Error> {
        Ok(file
            .section_by_name(id.name())
            .and_then(|s| s.uncompressed_data().ok())
            .unwrap_or(Cow::Borrowed(&[])))
    };
    let mut t = LineTable::default();
    let Ok(sections) = gimli::DwarfSections::load(load) else {
        return t;
    };
    let dwarf = sections.borrow(|s| gimli::EndianSlice::new(s, gimli::LittleEndian));
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut units = dwarf.units();
    while let Ok(Some(header)) = units.next() {
        let Ok(unit) = dwarf.unit(header) else {
            continue;
        };
        let Some(program) = unit.line_program.clone() else {
            continue;
        };
        let mut rows = program.rows();
        let mut last_file = None;
        let mut last_id = u32::MAX;
        while let Ok(Some((header, row))) = rows.next_row() {
            if t.rows.len() >= MAX_ROWS {
                break;
            }
            if row.end_sequence() {
                t.rows.push((row.address(), u32::MAX, 0));
                continue;
            }
            if last_file != Some(row.file_index()) {
                last_file = Some(row.file_index());
                last_id = u32::MAX;
                if let Some(f) = row.file(header) {
                    let name = dwarf
                        .attr_string(&unit, f.path_name())
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    let dir = f
                        .directory(header)
                        .and_then(|d| dwarf.attr_string(&unit, d).ok())
                        .map(|s| s.to_string_lossy().into_owned());
                    let full = match dir {
                        Some(d) if !name.starts_with('/') && !d.is_empty() => {
                            format!("{}/{name}", d.trim_end_matches('/'))
                        }
                        _ => name,
                    };
                    let next = t.files.len() as u32;
                    last_id = *ids.entry(full.clone()).or_insert_with(|| {
                        t.files.push(Arc::from(full.as_str()));
                        next
                    });
                }
            }
            let line = row
                .line()
                .map_or(0, |l| l.get().min(u64::from(u32::MAX)) as u32);
            t.rows.push((row.address(), last_id, line));
        }
    }
    // Sorted by address; an end of sequence sorts before a row starting at the same address.
    t.rows.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then((a.1 != u32::MAX).cmp(&(b.1 != u32::MAX)))
    });
    t
}

#[cfg(test)]
mod tests;

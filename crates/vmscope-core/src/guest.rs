//! Access to the guest: its virtual memory and the registers of the vCPU an event happened on.
//!
//! Everything read through these traits is hostile input: a read may fail (unmapped page, junk pointer)
//! and every helper here returns `None` instead of panicking. Walks that follow guest pointers must be
//! bounded by their callers.

/// A register of the guest architecture, numbered by that architecture (see [`crate::arch`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reg(pub u16);

/// Reads the guest's virtual memory in the address space that is current on the vCPU.
pub trait GuestMemory {
    /// Fills `buf` from guest virtual address `addr`; `false` when any byte of the range is unreadable
    /// (the contents of `buf` are then unspecified).
    fn read(&mut self, addr: u64, buf: &mut [u8]) -> bool;

    /// Reads a little-endian `u64`.
    fn read_u64(&mut self, addr: u64) -> Option<u64> {
        let mut b = [0u8; 8];
        self.read(addr, &mut b).then(|| u64::from_le_bytes(b))
    }

    /// Reads a little-endian `u32`.
    fn read_u32(&mut self, addr: u64) -> Option<u32> {
        let mut b = [0u8; 4];
        self.read(addr, &mut b).then(|| u32::from_le_bytes(b))
    }

    /// Reads a NUL-terminated byte string of at most `max` bytes (the NUL excluded).
    ///
    /// Returns the bytes and whether the terminator was found within `max`. Reads page-sized chunks so a
    /// string ending just before an unmapped page is still read; `None` when not even the first byte can
    /// be read.
    fn read_cstr(&mut self, addr: u64, max: usize) -> Option<(Vec<u8>, bool)> {
        let mut out = Vec::new();
        let mut cur = addr;
        while out.len() < max {
            // Never let a read cross a page boundary: the next page may be unmapped.
            let page_left = 0x1000 - (cur & 0xfff) as usize;
            let want = page_left.min(max - out.len()).min(256);
            let mut chunk = [0u8; 256];
            let chunk = &mut chunk[..want];
            if !self.read(cur, chunk) {
                // Fall back to byte reads for the tail of a partially readable chunk.
                let mut any = false;
                for (i, slot) in chunk.iter_mut().enumerate() {
                    let mut b = [0u8; 1];
                    if !self.read(cur + i as u64, &mut b) {
                        break;
                    }
                    any = true;
                    *slot = b[0];
                    if b[0] == 0 {
                        out.extend_from_slice(&chunk[..i]);
                        return Some((out, true));
                    }
                }
                if !any && out.is_empty() {
                    return None;
                }
                return Some((out, false));
            }
            if let Some(nul) = chunk.iter().position(|&b| b == 0) {
                out.extend_from_slice(&chunk[..nul]);
                return Some((out, true));
            }
            out.extend_from_slice(chunk);
            cur = cur.wrapping_add(want as u64);
        }
        Some((out, false))
    }
}

/// The vCPU an event happened on: its registers and the memory it sees.
pub trait GuestCpu: GuestMemory {
    /// Index of the vCPU (0-based).
    fn vcpu(&self) -> u32;
    /// Reads a register; `None` when the architecture has no such register or the read failed.
    fn reg(&mut self, reg: Reg) -> Option<u64>;

    /// Forgets which translated blocks this vCPU already reported
    /// ([`crate::module::Interest::user_blocks`]): between two resets each distinct block is reported
    /// once per vCPU (a small direct-mapped filter checked inline by the backend: a block that
    /// shares its slot with another running in the same loop may be reported again). A module resets
    /// it when the same addresses start meaning other code (another process).
    fn reset_blocks(&mut self) {}
}

/// A synthetic guest for tests: sparse memory made of mapped pages and a register file.
#[derive(Debug, Default, Clone)]
pub struct TestGuest {
    /// Mapped memory, page-aligned base address to page contents (4 KiB).
    pub pages: std::collections::BTreeMap<u64, Box<[u8; 4096]>>,
    /// Register values.
    pub regs: std::collections::BTreeMap<Reg, u64>,
    /// The vCPU index reported.
    pub vcpu: u32,
    /// How many times [`GuestCpu::reset_blocks`] was called.
    pub block_resets: u32,
}

impl TestGuest {
    /// An empty guest: nothing mapped, all registers unreadable.
    pub fn new() -> Self {
        Self::default()
    }

    /// Maps (zeroed) pages covering `[addr, addr+len)` and writes `bytes` at `addr`.
    pub fn write(&mut self, addr: u64, bytes: &[u8]) -> &mut Self {
        for (i, b) in bytes.iter().enumerate() {
            let a = addr.wrapping_add(i as u64);
            let page = self
                .pages
                .entry(a & !0xfff)
                .or_insert_with(|| Box::new([0u8; 4096]));
            page[(a & 0xfff) as usize] = *b;
        }
        self
    }

    /// Writes a little-endian `u64`.
    pub fn write_u64(&mut self, addr: u64, v: u64) -> &mut Self {
        self.write(addr, &v.to_le_bytes())
    }

    /// Writes a little-endian `u32`.
    pub fn write_u32(&mut self, addr: u64, v: u32) -> &mut Self {
        self.write(addr, &v.to_le_bytes())
    }

    /// Sets a register.
    pub fn set_reg(&mut self, reg: Reg, v: u64) -> &mut Self {
        self.regs.insert(reg, v);
        self
    }
}

impl GuestMemory for TestGuest {
    fn read(&mut self, addr: u64, buf: &mut [u8]) -> bool {
        // Page by page: a chunk per page touched.
        let mut done = 0usize;
        while done < buf.len() {
            let Some(a) = addr.checked_add(done as u64) else {
                return false;
            };
            let Some(p) = self.pages.get(&(a & !0xfff)) else {
                return false;
            };
            let off = (a & 0xfff) as usize;
            let n = (0x1000 - off).min(buf.len() - done);
            buf[done..done + n].copy_from_slice(&p[off..off + n]);
            done += n;
        }
        true
    }
}

impl GuestCpu for TestGuest {
    fn vcpu(&self) -> u32 {
        self.vcpu
    }
    fn reg(&mut self, reg: Reg) -> Option<u64> {
        self.regs.get(&reg).copied()
    }
    fn reset_blocks(&mut self) {
        self.block_resets += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cstr_stops_at_nul_and_at_unmapped_page() {
        let mut g = TestGuest::new();
        g.write(0x1000, b"/etc/fstab\0junk");
        assert_eq!(
            g.read_cstr(0x1000, 4096),
            Some((b"/etc/fstab".to_vec(), true))
        );
        // A string running into an unmapped page is returned as far as it could be read.
        g.write(0x2ffc, b"abcd");
        assert_eq!(g.read_cstr(0x2ffc, 4096), Some((b"abcd".to_vec(), false)));
        assert_eq!(g.read_cstr(0x9000, 16), None);
        // The limit is honoured.
        assert_eq!(g.read_cstr(0x1000, 4), Some((b"/etc".to_vec(), false)));
    }

    #[test]
    fn reads_do_not_wrap_the_address_space() {
        let mut g = TestGuest::new();
        g.write(0, b"x");
        let mut b = [0u8; 2];
        assert!(!g.read(u64::MAX, &mut b));
    }
}

/// A guest that cannot be read: for work done outside any vCPU (flushing at the end of tracing).
#[derive(Debug, Clone, Copy, Default)]
pub struct Unreadable;

impl GuestMemory for Unreadable {
    fn read(&mut self, _addr: u64, _buf: &mut [u8]) -> bool {
        false
    }
}

impl GuestCpu for Unreadable {
    fn vcpu(&self) -> u32 {
        0
    }
    fn reg(&mut self, _reg: Reg) -> Option<u64> {
        None
    }
}

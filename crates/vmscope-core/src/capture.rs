//! Guest memory captured for later: the bytes a decoder read on the vCPU, kept in an event and read
//! again, as they were, by whoever renders the event on another thread.
//!
//! A decoder runs twice. On the vCPU it runs *dry* (no text) through a [`Recorder`], which reads the
//! guest and keeps every successful read in a [`Capture`]; on the journal's writer thread it runs
//! again through a [`Replay`] of that capture, which answers exactly the reads the dry run made (and
//! fails every other), so the text is the same as if it had been made on the vCPU, without the
//! formatting cost there. Reads are kept per [`Phase`]: input arguments are read at a call's entry,
//! output arguments at its exit, and the same address may hold different bytes at the two (a `poll`
//! array's `events` and `revents`).

use crate::guest::GuestMemory;

/// When memory was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Phase {
    /// At the call's entry (input arguments).
    Entry = 0,
    /// At the call's exit (output arguments, and inputs unreadable at entry).
    Exit = 1,
}

/// The most bytes one capture keeps; reads past it fail (and render as pointers), so a hostile
/// guest cannot make one event hold unbounded memory.
pub const MAX_CAPTURE: usize = 1 << 20;

/// Bytes of a record's header: phase (1), address (8), length (4).
const HEADER: usize = 13;

/// Captured reads of guest memory: records of `(phase, address, bytes)` in one buffer, so an event
/// that captured nothing allocates nothing and one that did allocates once (or a few times).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capture {
    buf: Vec<u8>,
}

/// One captured read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// When it was read.
    pub phase: Phase,
    /// The guest virtual address.
    pub addr: u64,
    /// The bytes.
    pub bytes: &'a [u8],
}

impl Capture {
    /// An empty capture.
    pub const fn new() -> Self {
        Capture { buf: Vec::new() }
    }

    /// Whether nothing was captured.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Bytes used (headers included), for bounds and statistics.
    pub fn size(&self) -> usize {
        self.buf.len()
    }

    /// Bytes the buffer can hold without growing.
    pub fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// Forgets every record, keeping the buffer for the next call's records unless it grew past
    /// `keep` bytes (then it is given back, so one big capture does not stay with a reused event).
    pub fn clear(&mut self, keep: usize) {
        if self.buf.capacity() > keep {
            self.buf = Vec::new();
        } else {
            self.buf.clear();
        }
    }

    /// Every record, in the order they were made.
    pub fn records(&self) -> Records<'_> {
        Records { rest: &self.buf }
    }

    /// Keeps `bytes` read at `addr` in `phase`; `false` (nothing kept) past [`MAX_CAPTURE`].
    pub fn record(&mut self, phase: Phase, addr: u64, bytes: &[u8]) -> bool {
        let Ok(len) = u32::try_from(bytes.len()) else {
            return false;
        };
        if self.buf.len() + HEADER + bytes.len() > MAX_CAPTURE {
            return false;
        }
        self.buf.push(phase as u8);
        self.buf.extend_from_slice(&addr.to_le_bytes());
        self.buf.extend_from_slice(&len.to_le_bytes());
        self.buf.extend_from_slice(bytes);
        true
    }

    /// Fills `out` from the records of `phase` covering `[addr, addr + out.len())` (possibly several
    /// adjacent ones); `false` when any byte is not covered.
    pub fn read(&self, phase: Phase, addr: u64, out: &mut [u8]) -> bool {
        let mut done = 0usize;
        // Each pass finds a record covering the next byte; a range is never covered by more than a
        // few records, and records are few.
        'next: while done < out.len() {
            let Some(at) = addr.checked_add(done as u64) else {
                return false;
            };
            for r in self.records() {
                if r.phase != phase || at < r.addr {
                    continue;
                }
                let off = at - r.addr;
                if off >= r.bytes.len() as u64 {
                    continue;
                }
                let off = off as usize;
                let n = (r.bytes.len() - off).min(out.len() - done);
                out[done..done + n].copy_from_slice(&r.bytes[off..off + n]);
                done += n;
                continue 'next;
            }
            return false;
        }
        true
    }

    /// The guest memory of `phase` as it was captured.
    pub fn replay(&self, phase: Phase) -> Replay<'_> {
        Replay {
            capture: self,
            phase,
        }
    }
}

/// Iterator over a capture's records.
#[derive(Debug, Clone)]
pub struct Records<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Records<'a> {
    type Item = Record<'a>;

    fn next(&mut self) -> Option<Record<'a>> {
        let head = self.rest.get(..HEADER)?;
        let phase = if head[0] == 0 {
            Phase::Entry
        } else {
            Phase::Exit
        };
        let mut a = [0u8; 8];
        a.copy_from_slice(&head[1..9]);
        let mut l = [0u8; 4];
        l.copy_from_slice(&head[9..13]);
        let len = u32::from_le_bytes(l) as usize;
        let bytes = self.rest.get(HEADER..HEADER + len)?;
        self.rest = &self.rest[HEADER + len..];
        Some(Record {
            phase,
            addr: u64::from_le_bytes(a),
            bytes,
        })
    }
}

/// Reads the guest and keeps what it read. A read already covered by this phase's records is
/// answered from them (no second trip to the guest).
pub struct Recorder<'a> {
    mem: &'a mut dyn GuestMemory,
    capture: &'a mut Capture,
    phase: Phase,
}

impl<'a> Recorder<'a> {
    /// Records the reads of `mem` in `phase` into `capture`.
    pub fn new(mem: &'a mut dyn GuestMemory, capture: &'a mut Capture, phase: Phase) -> Self {
        Recorder {
            mem,
            capture,
            phase,
        }
    }
}

impl GuestMemory for Recorder<'_> {
    fn read(&mut self, addr: u64, buf: &mut [u8]) -> bool {
        if buf.is_empty() {
            return true;
        }
        if self.capture.read(self.phase, addr, buf) {
            return true;
        }
        self.mem.read(addr, buf) && self.capture.record(self.phase, addr, buf)
    }
}

/// The captured memory of one phase: answers the reads that were recorded, fails all others.
#[derive(Clone, Copy)]
pub struct Replay<'a> {
    capture: &'a Capture,
    phase: Phase,
}

impl GuestMemory for Replay<'_> {
    fn read(&mut self, addr: u64, buf: &mut [u8]) -> bool {
        buf.is_empty() || self.capture.read(self.phase, addr, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guest::TestGuest;

    #[test]
    fn replays_what_was_read_and_nothing_else() {
        let mut g = TestGuest::new();
        g.write(0x1000, b"/etc/fstab\0junk");
        g.write(0x2ffc, b"abcd");
        let mut cap = Capture::new();
        {
            let mut r = Recorder::new(&mut g, &mut cap, Phase::Entry);
            assert_eq!(
                r.read_cstr(0x1000, 4096),
                Some((b"/etc/fstab".to_vec(), true))
            );
            assert_eq!(r.read_cstr(0x2ffc, 64), Some((b"abcd".to_vec(), false)));
            assert_eq!(r.read_u64(0x9000), None);
        }
        let mut rp = cap.replay(Phase::Entry);
        assert_eq!(
            rp.read_cstr(0x1000, 4096),
            Some((b"/etc/fstab".to_vec(), true))
        );
        assert_eq!(rp.read_cstr(0x2ffc, 64), Some((b"abcd".to_vec(), false)));
        // Never read: not there, even though the guest has it.
        assert_eq!(rp.read_u32(0x1200), None);
        assert_eq!(rp.read_u64(0x9000), None);
        // The other phase sees nothing.
        assert_eq!(cap.replay(Phase::Exit).read_cstr(0x1000, 16), None);
    }

    #[test]
    fn a_range_may_span_adjacent_records_and_phases_stay_apart() {
        let mut cap = Capture::new();
        assert!(cap.record(Phase::Exit, 0x100, b"abcd"));
        assert!(cap.record(Phase::Exit, 0x104, b"efgh"));
        assert!(cap.record(Phase::Entry, 0x100, b"ABCD"));
        let mut b = [0u8; 6];
        assert!(cap.read(Phase::Exit, 0x102, &mut b));
        assert_eq!(&b, b"cdefgh");
        let mut b = [0u8; 4];
        assert!(cap.read(Phase::Entry, 0x100, &mut b));
        assert_eq!(&b, b"ABCD");
        let mut b = [0u8; 6];
        assert!(!cap.read(Phase::Entry, 0x102, &mut b));
        // Address arithmetic never wraps.
        assert!(!cap.read(Phase::Exit, u64::MAX, &mut [0u8; 2]));
    }

    #[test]
    fn a_capture_is_bounded() {
        let mut cap = Capture::new();
        let chunk = vec![7u8; 64 * 1024];
        let mut kept = 0;
        for i in 0..64u64 {
            if cap.record(Phase::Entry, i << 20, &chunk) {
                kept += 1;
            }
        }
        assert!(cap.size() <= MAX_CAPTURE);
        assert!(kept > 0 && kept < 64);
        // Fill what room is left.
        let mut at = 1u64 << 40;
        while cap.record(Phase::Entry, at, &[0u8; 512]) {
            at += 512;
        }
        // A recorder past the bound fails a read it cannot keep, though the guest has the bytes:
        // the renderer must see what the dry run saw.
        let mut g = TestGuest::new();
        g.write(0x5000, &[1u8; 4096])
            .write(0x7000_0000, &[2u8; 4096]);
        let mut small = Capture::new();
        let mut b = [0u8; 4096];
        assert!(Recorder::new(&mut g, &mut small, Phase::Entry).read(0x5000, &mut b));
        let mut r = Recorder::new(&mut g, &mut cap, Phase::Entry);
        assert!(!r.read(0x7000_0000, &mut b));
        assert!(!cap.replay(Phase::Entry).read(0x7000_0000, &mut b));
        assert!(cap.size() <= MAX_CAPTURE);
    }
}

//! Bounded reads of guest memory for the decoders, and the ABI's word.

use vmscope_core::event::Abi;
use vmscope_core::guest::GuestMemory;

/// The most bytes read from the guest for any one argument.
pub(crate) const MAX_READ: usize = 16 * 1024;

/// strace prints file names up to `PATH_MAX - 1` bytes whatever `-s` says.
pub(crate) const PATH_LIMIT: usize = 4095;

/// Bytes in a pointer / `long` of the ABI.
pub(crate) fn word_size(abi: Abi) -> u64 {
    match abi {
        Abi::X86_64 | Abi::Aarch64 => 8,
        Abi::I386 => 4,
    }
}

/// `v` cut to the ABI's word (i386: 32 bits).
pub(crate) fn word(abi: Abi, v: u64) -> u64 {
    match abi {
        Abi::X86_64 | Abi::Aarch64 => v,
        Abi::I386 => v & 0xffff_ffff,
    }
}

/// `v` as a signed `long` of the ABI.
pub(crate) fn long(abi: Abi, v: u64) -> i64 {
    match abi {
        Abi::X86_64 | Abi::Aarch64 => v as i64,
        Abi::I386 => v as u32 as i32 as i64,
    }
}

/// Reads a NUL-terminated string of at most `limit` bytes for printing.
///
/// Returns the bytes and whether they were cut at `limit`; `None` when the string cannot be read up to
/// its terminator or the limit (strace then prints the pointer).
pub(crate) fn read_string(
    mem: &mut dyn GuestMemory,
    addr: u64,
    limit: usize,
) -> Option<(Vec<u8>, bool)> {
    let limit = limit.min(MAX_READ);
    let (mut bytes, found) = mem.read_cstr(addr, limit + 1)?;
    if found {
        return Some((bytes, false));
    }
    if bytes.len() <= limit {
        // Ran into an unreadable page before the terminator.
        return None;
    }
    bytes.truncate(limit);
    Some((bytes, true))
}

/// Reads exactly `len` bytes (bounded by [`MAX_READ`]); `None` when any byte is unreadable.
pub(crate) fn read_bytes(mem: &mut dyn GuestMemory, addr: u64, len: usize) -> Option<Vec<u8>> {
    let len = len.min(MAX_READ);
    let mut buf = vec![0u8; len];
    // Page by page, so an implementation that cannot cross pages still works.
    let mut done = 0;
    while done < len {
        let cur = addr.checked_add(done as u64)?;
        let page_left = 0x1000 - (cur & 0xfff) as usize;
        let n = page_left.min(len - done);
        if !mem.read(cur, &mut buf[done..done + n]) {
            return None;
        }
        done += n;
    }
    Some(buf)
}

/// Reads `N` bytes at `addr` into an array.
pub(crate) fn read_arr<const N: usize>(mem: &mut dyn GuestMemory, addr: u64) -> Option<[u8; N]> {
    let mut b = [0u8; N];
    let v = read_bytes(mem, addr, N)?;
    if v.len() != N {
        return None;
    }
    b.copy_from_slice(&v);
    Some(b)
}

/// Reads a pointer-sized word of the ABI.
pub(crate) fn read_word(mem: &mut dyn GuestMemory, abi: Abi, addr: u64) -> Option<u64> {
    match abi {
        Abi::X86_64 | Abi::Aarch64 => mem.read_u64(addr),
        Abi::I386 => mem.read_u32(addr).map(u64::from),
    }
}

/// A little-endian `u32` at `off` of `b` (0 past its end).
pub(crate) fn le_u32(b: &[u8], off: usize) -> u64 {
    b.get(off..off + 4).map_or(0, |s| {
        u64::from(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    })
}

/// A little-endian `u64` at `off` of `b` (0 past its end).
pub(crate) fn le_u64(b: &[u8], off: usize) -> u64 {
    b.get(off..off + 8).map_or(0, |s| {
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        u64::from_le_bytes(a)
    })
}

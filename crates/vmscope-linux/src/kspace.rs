//! The kernel's address space at its word size: where a 32-bit kernel's ends (4 GiB), so that a junk
//! pointer near its top plus a field's offset is never read past it, and words of 4 or 8 bytes. One
//! place for what the task, VFS, VMA and socket readers all need.

use vmscope_core::guest::GuestMemory;

/// Whether `len` bytes at `at` lie in the address space of a kernel with `pointer_size`-byte
/// pointers (a 32-bit kernel has nothing at or above 4 GiB; a 64-bit one's space is all of it).
pub(crate) fn fits(pointer_size: u8, at: u64, len: u64) -> bool {
    pointer_size != 4 || at.checked_add(len).is_some_and(|end| end <= 1 << 32)
}

/// At most `max` bytes from `at`, fewer where a 32-bit kernel's space ends before.
pub(crate) fn bytes_below_top(pointer_size: u8, at: u64, max: usize) -> usize {
    if pointer_size == 4 {
        usize::try_from((1u64 << 32).saturating_sub(at)).map_or(max, |n| n.min(max))
    } else {
        max
    }
}

/// Reads a pointer (or `unsigned long`) of the kernel's size at `at`; `None` past a 32-bit
/// kernel's space or where memory cannot be read.
pub(crate) fn read_word<M: GuestMemory + ?Sized>(
    mem: &mut M,
    pointer_size: u8,
    at: u64,
) -> Option<u64> {
    if pointer_size == 4 {
        if !fits(4, at, 4) {
            return None;
        }
        mem.read_u32(at).map(u64::from)
    } else {
        mem.read_u64(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vmscope_core::guest::TestGuest;

    #[test]
    fn a_32_bit_kernels_space_ends_at_4_gib() {
        assert!(fits(4, 0xffff_fffc, 4) && !fits(4, 0xffff_fffd, 4) && !fits(4, u64::MAX, 1));
        assert!(fits(8, 0xffff_ffff_ffff_fff0, 64));
        assert_eq!(bytes_below_top(4, 0xffff_fff0, 64), 16);
        assert_eq!(bytes_below_top(8, 0xffff_fff0, 64), 64);
        let mut g = TestGuest::new();
        g.write_u32(0xffff_fffc, 7).write_u64(0x1000, 9);
        assert_eq!(read_word(&mut g, 4, 0xffff_fffc), Some(7));
        assert_eq!(read_word(&mut g, 4, 0xffff_fffd), None);
        assert_eq!(read_word(&mut g, 8, 0x1000), Some(9));
    }
}

//! Signal frames on the user stack: where the kernel saved a thread's registers when it delivered a
//! signal on the way out of a system call.
//!
//! When a signal is delivered as a call returns, the first return to user mode enters the handler
//! (with `ax` cleared); the call's real return value, and the address it returns to, are in the
//! frame's saved context, which `rt_sigreturn` restores later. strace reports the call's own value, so
//! vmscope reads it from there. Layouts are the kernel's ABI (`struct rt_sigframe` and friends in
//! `arch/x86/include/asm/sigframe.h`), not build-dependent: no BTF is needed.

use vmscope_core::event::Abi;
use vmscope_core::guest::GuestMemory;

/// A context saved in a signal frame: the interrupted instruction pointer and `ax`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SavedContext {
    /// Where the thread resumes after `rt_sigreturn`.
    pub ip: u64,
    /// The saved `ax`: the call's return value (or its number, when it is to be restarted).
    pub ax: u64,
}

/// x86_64 `struct rt_sigframe`: `pretcode` (8), then `struct ucontext` whose `uc_mcontext`
/// (`struct sigcontext`) starts after `uc_flags` (8), `uc_link` (8) and `uc_stack` (24).
const X86_64_SIGCONTEXT: u64 = 8 + 8 + 8 + 24;
/// Offsets of `ax` and `ip` in the 64-bit `struct sigcontext` (r8..r15, di, si, bp, bx, dx, ax, cx, sp, ip).
const X86_64_AX: u64 = 13 * 8;
const X86_64_IP: u64 = 16 * 8;

/// i386 `struct rt_sigframe_ia32`: pretcode, sig, pinfo, puc (4 each), `siginfo` (128), then
/// `struct ucontext_ia32` with `uc_mcontext` after uc_flags (4), uc_link (4), uc_stack (12).
const I386_RT_SIGCONTEXT: u64 = 16 + 128 + 20;
/// i386 `struct sigframe_ia32` (handlers without SA_SIGINFO): pretcode, sig, then the sigcontext.
const I386_SIGCONTEXT: u64 = 8;
/// Offsets of `ax` and `ip` in `struct sigcontext_32` (gs, fs, es, ds, di, si, bp, sp, bx, dx, cx, ax,
/// trapno, err, ip).
const I386_AX: u64 = 11 * 4;
const I386_IP: u64 = 14 * 4;

/// aarch64 `struct rt_sigframe` (at the stack pointer the handler starts with): `siginfo` (128), then
/// `struct ucontext` whose `uc_mcontext` is 16-aligned at 176 in it; in `struct sigcontext`
/// `fault_address` (8), `regs[31]`, `sp`, `pc`.
const AARCH64_SIGCONTEXT: u64 = 128 + 176;
/// Offsets of `x0` and `pc` in the aarch64 `struct sigcontext`.
const AARCH64_X0: u64 = 8;
const AARCH64_PC: u64 = 8 + 31 * 8 + 8;

/// The contexts a signal frame at user stack pointer `sp` may hold, most likely first. The caller
/// checks which one's `ip` fits the call (the frame is guest memory: it may be anything).
pub fn saved_contexts<M: GuestMemory + ?Sized>(
    mem: &mut M,
    abi: Abi,
    sp: u64,
) -> Vec<SavedContext> {
    let mut out = Vec::new();
    match abi {
        Abi::X86_64 => {
            let sc = sp.wrapping_add(X86_64_SIGCONTEXT);
            if let (Some(ax), Some(ip)) = (
                mem.read_u64(sc.wrapping_add(X86_64_AX)),
                mem.read_u64(sc.wrapping_add(X86_64_IP)),
            ) {
                out.push(SavedContext { ip, ax });
            }
        }
        Abi::Aarch64 => {
            let sc = sp.wrapping_add(AARCH64_SIGCONTEXT);
            if let (Some(ax), Some(ip)) = (
                mem.read_u64(sc.wrapping_add(AARCH64_X0)),
                mem.read_u64(sc.wrapping_add(AARCH64_PC)),
            ) {
                out.push(SavedContext { ip, ax });
            }
        }
        Abi::I386 => {
            for off in [I386_RT_SIGCONTEXT, I386_SIGCONTEXT] {
                let sc = (sp & 0xffff_ffff).wrapping_add(off);
                if let (Some(ax), Some(ip)) = (
                    mem.read_u32(sc.wrapping_add(I386_AX)),
                    mem.read_u32(sc.wrapping_add(I386_IP)),
                ) {
                    out.push(SavedContext {
                        ip: u64::from(ip),
                        ax: u64::from(ax),
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use vmscope_core::guest::TestGuest;

    #[test]
    fn reads_the_saved_context_of_a_64_bit_frame() {
        let mut g = TestGuest::new();
        let sp = 0x7ffd_0000_1000u64;
        g.write(sp, &[0u8; 512]);
        g.write_u64(sp + 48 + 104, 147)
            .write_u64(sp + 48 + 128, 0x40_1002);
        assert_eq!(
            saved_contexts(&mut g, Abi::X86_64, sp),
            vec![SavedContext {
                ip: 0x40_1002,
                ax: 147
            }]
        );
    }

    #[test]
    fn offers_both_i386_frame_kinds() {
        let mut g = TestGuest::new();
        let sp = 0xffd0_0000u64;
        g.write(sp, &[0u8; 512]);
        g.write_u32(sp + 164 + 44, 0xffff_fffc)
            .write_u32(sp + 164 + 56, 0xf7f0_1234);
        let c = saved_contexts(&mut g, Abi::I386, sp);
        assert_eq!(
            c[0],
            SavedContext {
                ip: 0xf7f0_1234,
                ax: 0xffff_fffc
            }
        );
        assert_eq!(c.len(), 2);
    }

    #[test]
    fn an_unmapped_stack_gives_nothing() {
        let mut g = TestGuest::new();
        assert!(saved_contexts(&mut g, Abi::X86_64, 0x1000).is_empty());
        assert!(saved_contexts(&mut g, Abi::I386, u64::MAX).is_empty());
    }
}

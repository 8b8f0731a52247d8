//! The aarch64 architecture (AArch64 user code; AArch32 compat tasks are not traced).
//!
//! What QEMU shows a plugin (docs/notes-aarch64.md): calls enter by `svc #0` at EL0 and every return
//! to user mode is an `eret` with `SPSR_EL1.M == EL0t`. The banked stack pointers are right only for
//! the stack not in use: at the `eret` `SP_EL0` is already the user's again. While the kernel runs,
//! `SP_EL0` holds `current`; the last instruction that still sees it on the way out is the
//! `msr sp_el0, x23` of `kernel_exit`, which this layer reports as the return point
//! ([`InsnClass::PageTableSwitch`]: the last moment the returning thread can be read, as x86's CR3
//! write is under page-table isolation). The `pc` register is stale inside an instruction callback;
//! addresses come from translation time.

use super::{Arch, ArchId, CodeWidth, EntryKind, ExitKind, InsnClass, UserReturn};
use crate::guest::{GuestCpu, Reg};

/// The aarch64 architecture.
#[derive(Debug, Clone, Copy)]
pub struct Aarch64;

// QEMU's aarch64 register names are case-sensitive: `fpsr` and `FPSR` are different registers.
registers! {
    "aarch64";
    X0 = 0, "x0"; X1 = 1, "x1"; X2 = 2, "x2"; X3 = 3, "x3"; X4 = 4, "x4"; X5 = 5, "x5";
    X6 = 6, "x6"; X7 = 7, "x7"; X8 = 8, "x8"; X29 = 9, "x29"; X30 = 10, "x30";
    SP = 11, "sp"; PC = 12, "pc"; CPSR = 13, "cpsr";
    SP_EL0 = 14, "SP_EL0"; SP_EL1 = 15, "SP_EL1"; ELR_EL1 = 16, "ELR_EL1"; SPSR_EL1 = 17, "SPSR_EL1";
    TTBR0_EL1 = 18, "TTBR0_EL1"; TPIDR_EL1 = 19, "TPIDR_EL1"; CONTEXTIDR_EL1 = 20, "CONTEXTIDR_EL1";
}

/// `svc #0`.
pub const SVC0: u32 = 0xd400_0001;
/// `eret`.
pub const ERET: u32 = 0xd69f_03e0;
/// `msr sp_el0, x23`: `kernel_exit` puts the user stack pointer back, the instruction before it still
/// sees `current` in `SP_EL0`.
pub const MSR_SP_EL0_X23: u32 = 0xd518_4117;

/// The user page-table root of a `TTBR0_EL1` value, without the CnP bit (0) and the ASID field
/// (63:48, unused by Linux in TTBR0).
pub fn ttbr0_key(ttbr0: u64) -> u64 {
    ttbr0 & 0x0000_ffff_ffff_fffe
}

/// Whether `v` is a kernel (TTBR1) address: the top bits set.
fn is_kernel_addr(v: u64) -> bool {
    v >> 52 == 0xfff
}

impl Arch for Aarch64 {
    fn id(&self) -> ArchId {
        ArchId::Aarch64
    }

    fn name(&self) -> &'static str {
        "aarch64"
    }

    fn register_names(&self) -> &'static [&'static str] {
        REGISTER_NAMES
    }

    fn classify(&self, bytes: &[u8]) -> Option<InsnClass> {
        let word = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?);
        match word {
            SVC0 => Some(InsnClass::Entry(EntryKind::Svc)),
            ERET => Some(InsnClass::Exit(ExitKind::Eret)),
            MSR_SP_EL0_X23 => Some(InsnClass::PageTableSwitch),
            _ => None,
        }
    }

    fn stack_pointer(&self) -> Reg {
        SP
    }

    fn frame_pointer(&self) -> Option<Reg> {
        // AAPCS64: x29 points at the frame record {previous x29, return address}.
        Some(X29)
    }

    fn link_register(&self) -> Option<Reg> {
        Some(X30)
    }

    fn entry_width(
        &self,
        _cpu: &mut dyn GuestCpu,
        _kind: EntryKind,
        _pc: u64,
    ) -> Option<CodeWidth> {
        // Only the A64 `svc #0` is classified: AArch32 code uses other encodings.
        Some(CodeWidth::W64)
    }

    fn exit_to_user(&self, cpu: &mut dyn GuestCpu, _kind: ExitKind) -> Option<bool> {
        // SPSR_EL1.M[4:0] == 0: EL0t in AArch64 state.
        cpu.reg(SPSR_EL1).map(|spsr| spsr & 0x1f == 0)
    }

    fn user_return(&self, cpu: &mut dyn GuestCpu, _kind: ExitKind) -> Option<UserReturn> {
        Some(UserReturn {
            ip: cpu.reg(ELR_EL1)?,
            sp: cpu.reg(SP_EL0)?,
            width: CodeWidth::W64,
        })
    }

    fn address_space(&self, cpu: &mut dyn GuestCpu) -> Option<u64> {
        cpu.reg(TTBR0_EL1).map(ttbr0_key)
    }

    fn percpu_base_regs(&self, _user_side: bool) -> [Option<Reg>; 2] {
        // `current` is in SP_EL0 (see [`Arch::current_task`]); the per-CPU offset in TPIDR_EL1 would
        // need `__per_cpu_start`, which the BTF does not give.
        [None, None]
    }

    fn current_task(&self, cpu: &mut dyn GuestCpu) -> Option<u64> {
        // In the kernel SP_EL0 is `current`, except around the exit where it is the user's stack
        // pointer again (at the `eret`): a user address then, never taken for a task.
        let el = (cpu.reg(CPSR)? >> 2) & 3;
        if el == 0 {
            return None;
        }
        cpu.reg(SP_EL0).filter(|&t| is_kernel_addr(t) && t & 7 == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::arch_for_target;
    use crate::guest::TestGuest;

    #[test]
    fn classifies_svc_eret_and_the_exit_point() {
        let a = Aarch64;
        assert_eq!(
            a.classify(&[0x01, 0x00, 0x00, 0xd4]),
            Some(InsnClass::Entry(EntryKind::Svc))
        );
        assert_eq!(
            a.classify(&[0xe0, 0x03, 0x9f, 0xd6]),
            Some(InsnClass::Exit(ExitKind::Eret))
        );
        assert_eq!(
            a.classify(&MSR_SP_EL0_X23.to_le_bytes()),
            Some(InsnClass::PageTableSwitch)
        );
        // svc #1, hvc #0, eretaa, a short read: not ours.
        assert_eq!(a.classify(&0xd400_0021u32.to_le_bytes()), None);
        assert_eq!(a.classify(&0xd400_0002u32.to_le_bytes()), None);
        assert_eq!(a.classify(&0xd69f_0bffu32.to_le_bytes()), None);
        assert_eq!(a.classify(&[0x01, 0x00, 0x00]), None);
        assert_eq!(a.classify(&[]), None);
    }

    #[test]
    fn register_indices_match_names() {
        assert_eq!(REGISTER_NAMES[X8.0 as usize], "x8");
        assert_eq!(REGISTER_NAMES[SP_EL0.0 as usize], "SP_EL0");
        assert_eq!(REGISTER_NAMES[CONTEXTIDR_EL1.0 as usize], "CONTEXTIDR_EL1");
        assert_eq!(
            arch_for_target("aarch64-softmmu").map(|a| a.name()),
            Some("aarch64")
        );
    }

    #[test]
    fn eret_to_el0_only_and_its_return() {
        let a = Aarch64;
        let mut g = TestGuest::new();
        g.set_reg(SPSR_EL1, 0x6000_1000)
            .set_reg(ELR_EL1, 0x40_0584)
            .set_reg(SP_EL0, 0xffff_f000_1230);
        assert_eq!(a.exit_to_user(&mut g, ExitKind::Eret), Some(true));
        let r = a.user_return(&mut g, ExitKind::Eret).unwrap();
        assert_eq!(
            (r.ip, r.sp, r.width),
            (0x40_0584, 0xffff_f000_1230, CodeWidth::W64)
        );
        // EL1h, and an AArch32 user target: not a 64-bit return to user.
        g.set_reg(SPSR_EL1, 0x3c5);
        assert_eq!(a.exit_to_user(&mut g, ExitKind::Eret), Some(false));
        g.set_reg(SPSR_EL1, 0x10);
        assert_eq!(a.exit_to_user(&mut g, ExitKind::Eret), Some(false));
        assert_eq!(a.exit_to_user(&mut TestGuest::new(), ExitKind::Eret), None);
    }

    #[test]
    fn current_is_sp_el0_only_in_the_kernel_and_only_a_kernel_pointer() {
        let a = Aarch64;
        let mut g = TestGuest::new();
        let task = 0xfff0_0000_c123_4500;
        g.set_reg(CPSR, 0x4140_23c5).set_reg(SP_EL0, task);
        assert_eq!(a.current_task(&mut g), Some(task));
        // At the eret SP_EL0 is the user's stack pointer again.
        g.set_reg(SP_EL0, 0xffff_f000_1230);
        assert_eq!(a.current_task(&mut g), None);
        // At EL0 SP_EL0 is stale.
        g.set_reg(CPSR, 0x6000_1000).set_reg(SP_EL0, task);
        assert_eq!(a.current_task(&mut g), None);
    }

    #[test]
    fn unwinding_registers_and_numbering() {
        use crate::arch::{DwarfRegs, EM_AARCH64, EM_X86_64};
        let a = Aarch64;
        assert_eq!(a.frame_pointer(), Some(X29));
        assert_eq!(a.link_register(), Some(X30));
        let r = DwarfRegs::for_machine(EM_AARCH64).unwrap();
        assert_eq!((r.sp, r.fp, r.ra, r.ra_is_link), (31, 29, 30, true));
        assert!(!r.record_at_cfa);
        let x = DwarfRegs::for_machine(EM_X86_64).unwrap();
        assert_eq!((x.sp, x.fp, x.ra, x.ra_is_link), (7, 6, 16, false));
        assert_eq!(DwarfRegs::for_machine(0), None);
    }

    #[test]
    fn ttbr0_tags_are_masked() {
        assert_eq!(ttbr0_key(0x002e_0000_485b_1e81), 0x485b_1e80);
        assert_eq!(ttbr0_key(0x485b_1e81), 0x485b_1e80);
    }
}

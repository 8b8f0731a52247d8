//! The 32-bit x86 architecture (an i386 kernel: the VMI paper's own platform).
//!
//! User code enters the kernel by `int $0x80` or `sysenter` (the vDSO's `__kernel_vsyscall` on Intel
//! CPU models) and comes back by `sysexit` or `iret`; there is no `syscall`/`sysret` and no REX prefix
//! (`0x40`–`0x4f` are one-byte `inc`/`dec`). The kernel reaches its per-CPU area through `%fs`
//! (`__KERNEL_PERCPU`): in the kernel `fs_base` is the CPU's per-CPU offset, in user mode it is the
//! user's (0 on Linux, whose user TLS is `%gs`). Under page-table isolation the kernel switches CR3
//! right before returning to user mode, as on x86_64, and that write is reported as the return point.
//! Facts measured on Debian's 686-pae kernel are in guest/README.md ("The i386 guest").

use super::x86_64::X86_64;
use super::{Arch, ArchId, CodeWidth, EntryKind, ExitKind, InsnClass, PortIo, UserReturn};
use crate::guest::{GuestCpu, Reg};

/// The 32-bit x86 architecture.
#[derive(Debug, Clone, Copy)]
pub struct I386;

registers! {
    "i386";
    EAX = 0, "eax"; EBX = 1, "ebx"; ECX = 2, "ecx"; EDX = 3, "edx";
    ESI = 4, "esi"; EDI = 5, "edi"; EBP = 6, "ebp"; ESP = 7, "esp";
    EIP = 8, "eip"; EFLAGS = 9, "eflags"; CS = 10, "cs"; FS_BASE = 11, "fs_base";
    GS_BASE = 12, "gs_base"; CR3 = 13, "cr3";
}

/// The lowest kernel address with Linux's default 3G/1G split (`PAGE_OFFSET`, `CONFIG_VMSPLIT_3G`).
pub const PAGE_OFFSET: u64 = 0xc000_0000;

/// The page-table root of a CR3 value without its tags: the flag bits (0–11; PAE roots are 32-byte
/// aligned, but Linux's are whole pages) and the KPTI user-table bit (12).
pub fn cr3_key(cr3: u64) -> u64 {
    cr3 & 0xffff_e000
}

/// The x86 encodings without REX: a leading 0x40–0x4f is a one-byte `inc`/`dec` of its own here, so
/// what x86_64 decodes as a REX-prefixed instruction is not one.
fn starts_with_inc_dec(bytes: &[u8]) -> bool {
    bytes.first().is_some_and(|b| (0x40..=0x4f).contains(b))
}

impl Arch for I386 {
    fn id(&self) -> ArchId {
        ArchId::I386
    }

    fn name(&self) -> &'static str {
        "i386"
    }

    fn register_names(&self) -> &'static [&'static str] {
        REGISTER_NAMES
    }

    fn classify(&self, bytes: &[u8]) -> Option<InsnClass> {
        if starts_with_inc_dec(bytes) {
            return None;
        }
        match X86_64.classify(bytes)? {
            // `syscall`/`sysret` are not used by a 32-bit Linux kernel (and are invalid on Intel).
            InsnClass::Entry(EntryKind::Syscall) | InsnClass::Exit(ExitKind::Sysret { .. }) => None,
            c => Some(c),
        }
    }

    fn stack_pointer(&self) -> Reg {
        ESP
    }

    fn frame_pointer(&self) -> Option<Reg> {
        Some(EBP)
    }

    fn instruction_pointer(&self) -> Option<Reg> {
        Some(EIP)
    }

    fn port_io(&self, bytes: &[u8]) -> Option<PortIo> {
        if starts_with_inc_dec(bytes) {
            return None;
        }
        // Same encodings; the registers are this architecture's.
        let p = X86_64.port_io(bytes)?;
        let map = |r: Reg| match r {
            super::x86_64::RDX => EDX,
            super::x86_64::RCX => ECX,
            _ => EAX,
        };
        Some(PortIo {
            port: match p.port {
                super::PortFrom::Reg(r) => super::PortFrom::Reg(map(r)),
                imm => imm,
            },
            value: p.value.map(map),
            count: p.count.map(map),
            ..p
        })
    }

    fn entry_width(&self, _cpu: &mut dyn GuestCpu, kind: EntryKind, _pc: u64) -> Option<CodeWidth> {
        match kind {
            EntryKind::Int80 | EntryKind::Sysenter => Some(CodeWidth::W32),
            EntryKind::Syscall | EntryKind::Svc => None,
        }
    }

    fn exit_to_user(&self, cpu: &mut dyn GuestCpu, kind: ExitKind) -> Option<bool> {
        match kind {
            ExitKind::Sysexit { .. } => Some(true),
            ExitKind::Iret { .. } => {
                // The frame at esp is {eip, cs, eflags, esp, ss} in 4-byte slots; a return to user
                // mode has RPL 3 (a vm86 return, eflags.VM, is not a Linux call's).
                let esp = cpu.reg(ESP)?;
                let cs = cpu.read_u32(esp.wrapping_add(4) & 0xffff_ffff)?;
                Some(cs & 3 == 3)
            }
            ExitKind::Sysret { .. } | ExitKind::Eret => None,
        }
    }

    fn user_return(&self, cpu: &mut dyn GuestCpu, kind: ExitKind) -> Option<UserReturn> {
        match kind {
            ExitKind::Sysexit { .. } => Some(UserReturn {
                ip: cpu.reg(EDX)? & 0xffff_ffff,
                sp: cpu.reg(ECX)? & 0xffff_ffff,
                width: CodeWidth::W32,
            }),
            ExitKind::Iret { .. } => {
                let frame = cpu.reg(ESP)?;
                Some(UserReturn {
                    ip: u64::from(cpu.read_u32(frame)?),
                    sp: u64::from(cpu.read_u32(frame.wrapping_add(12) & 0xffff_ffff)?),
                    width: CodeWidth::W32,
                })
            }
            ExitKind::Sysret { .. } | ExitKind::Eret => None,
        }
    }

    fn user_stack_at_exit(&self, cpu: &mut dyn GuestCpu, kind: ExitKind) -> Option<u64> {
        match kind {
            ExitKind::Sysexit { .. } => cpu.reg(ECX).map(|v| v & 0xffff_ffff),
            ExitKind::Iret { .. } => {
                let esp = cpu.reg(ESP)?;
                cpu.read_u32(esp.wrapping_add(12) & 0xffff_ffff)
                    .map(u64::from)
            }
            ExitKind::Sysret { .. } | ExitKind::Eret => None,
        }
    }

    fn address_space(&self, cpu: &mut dyn GuestCpu) -> Option<u64> {
        cpu.reg(CR3).map(cr3_key)
    }

    fn percpu_base_regs(&self, _user_side: bool) -> [Option<Reg>; 2] {
        // Only the kernel's `%fs` holds it; in user mode no register does.
        [Some(FS_BASE), None]
    }

    fn exit_stays_in_kernel(&self, cpu: &mut dyn GuestCpu, kind: ExitKind, percpu: u64) -> bool {
        // The return path to user mode restores the user's `%fs` before its `iret`; an `iret` with
        // the kernel's per-CPU `%fs` still loaded returns to kernel code.
        matches!(kind, ExitKind::Iret { .. }) && percpu != 0 && cpu.reg(FS_BASE) == Some(percpu)
    }

    fn is_kernel_address(&self, addr: u64) -> bool {
        (PAGE_OFFSET..=0xffff_ffff).contains(&addr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::arch_for_target;
    use crate::guest::TestGuest;

    #[test]
    fn classifies_the_32_bit_entries_and_exits_only() {
        let a = I386;
        assert_eq!(
            a.classify(&[0xcd, 0x80]),
            Some(InsnClass::Entry(EntryKind::Int80))
        );
        assert_eq!(
            a.classify(&[0x0f, 0x34]),
            Some(InsnClass::Entry(EntryKind::Sysenter))
        );
        assert_eq!(
            a.classify(&[0x0f, 0x35]),
            Some(InsnClass::Exit(ExitKind::Sysexit { wide: false }))
        );
        assert_eq!(
            a.classify(&[0xcf]),
            Some(InsnClass::Exit(ExitKind::Iret { wide: false }))
        );
        assert_eq!(
            a.classify(&[0x0f, 0x22, 0xd8]),
            Some(InsnClass::PageTableSwitch)
        );
        // No syscall/sysret, and 0x48 is `dec %eax`, not a prefix.
        assert_eq!(a.classify(&[0x0f, 0x05]), None);
        assert_eq!(a.classify(&[0x0f, 0x07]), None);
        assert_eq!(a.classify(&[0x48]), None);
        assert_eq!(a.classify(&[0x48, 0xcf]), None);
        assert_eq!(a.classify(&[]), None);
        assert_eq!(a.port_io(&[0xee]).and_then(|p| p.value), Some(EAX));
        assert_eq!(
            arch_for_target("i386-softmmu").map(|a| a.name()),
            Some("i386")
        );
    }

    #[test]
    fn iret_frames_and_sysexit_registers_give_the_user_return() {
        let a = I386;
        let mut g = TestGuest::new();
        let frame = 0xc7d0_1f00;
        g.set_reg(ESP, frame);
        g.write_u32(frame, 0x0804_9000)
            .write_u32(frame + 4, 0x60)
            .write_u32(frame + 12, 0xbfff_f000);
        let iret = ExitKind::Iret { wide: false };
        assert_eq!(a.exit_to_user(&mut g, iret), Some(false));
        g.write_u32(frame + 4, 0x73);
        assert_eq!(a.exit_to_user(&mut g, iret), Some(true));
        let r = a.user_return(&mut g, iret).unwrap();
        assert_eq!(
            (r.ip, r.sp, r.width),
            (0x0804_9000, 0xbfff_f000, CodeWidth::W32)
        );
        assert_eq!(a.user_stack_at_exit(&mut g, iret), Some(0xbfff_f000));
        g.set_reg(EDX, 0xb7f0_0579).set_reg(ECX, 0xbfff_e000);
        let sysexit = ExitKind::Sysexit { wide: false };
        assert_eq!(a.exit_to_user(&mut g, sysexit), Some(true));
        assert_eq!(a.user_stack_at_exit(&mut g, sysexit), Some(0xbfff_e000));
        // Junk esp: unknown, never a panic.
        g.set_reg(ESP, 0xdead_0000);
        assert_eq!(a.exit_to_user(&mut g, iret), None);
        assert_eq!(a.user_return(&mut g, iret), None);
    }

    #[test]
    fn the_kernel_fs_tells_an_iret_that_stays_in_the_kernel() {
        let a = I386;
        let mut g = TestGuest::new();
        g.set_reg(FS_BASE, 0x1152_4000);
        let iret = ExitKind::Iret { wide: false };
        assert!(a.exit_stays_in_kernel(&mut g, iret, 0x1152_4000));
        g.set_reg(FS_BASE, 0);
        assert!(!a.exit_stays_in_kernel(&mut g, iret, 0x1152_4000));
        assert!(!a.exit_stays_in_kernel(&mut g, iret, 0));
        assert!(a.is_kernel_address(0xc100_0000));
        assert!(!a.is_kernel_address(0xbfff_f000));
        assert!(!a.is_kernel_address(0xffff_8880_0000_0000));
        assert_eq!(cr3_key(0x0f2c_5000 | 0x1000), 0x0f2c_4000);
    }
}

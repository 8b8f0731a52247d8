//! The x86_64 architecture, with 32-bit compatibility-mode processes.

use super::{
    Arch, ArchId, CodeWidth, EntryKind, ExitKind, InsnClass, PortFrom, PortIo, UserReturn,
};
use crate::guest::{GuestCpu, Reg};

/// The x86_64 architecture.
#[derive(Debug, Clone, Copy)]
pub struct X86_64;

registers! {
    "x86_64";
    RAX = 0, "rax"; RBX = 1, "rbx"; RCX = 2, "rcx"; RDX = 3, "rdx";
    RSI = 4, "rsi"; RDI = 5, "rdi"; RBP = 6, "rbp"; RSP = 7, "rsp";
    R8 = 8, "r8"; R9 = 9, "r9"; R10 = 10, "r10"; R11 = 11, "r11";
    R12 = 12, "r12"; R13 = 13, "r13"; R14 = 14, "r14"; R15 = 15, "r15";
    RIP = 16, "rip"; EFLAGS = 17, "eflags"; CS = 18, "cs"; SS = 19, "ss";
    FS_BASE = 20, "fs_base"; GS_BASE = 21, "gs_base"; K_GS_BASE = 22, "k_gs_base";
    CR3 = 23, "cr3";
}

/// The user code segment selector of 32-bit (compatibility mode) processes on Linux.
pub const USER32_CS: u64 = 0x23;
/// The user code segment selector of 64-bit processes on Linux.
pub const USER64_CS: u64 = 0x33;

/// The page-table root of a CR3 value without its tags: PCID (bits 0–11), the KPTI user-table bit
/// (12) and the no-flush bit (63).
pub fn cr3_key(cr3: u64) -> u64 {
    cr3 & !0xfff & !(1 << 12) & !(1 << 63)
}

impl Arch for X86_64 {
    fn id(&self) -> ArchId {
        ArchId::X86_64
    }

    fn name(&self) -> &'static str {
        "x86_64"
    }

    fn register_names(&self) -> &'static [&'static str] {
        REGISTER_NAMES
    }

    fn classify(&self, bytes: &[u8]) -> Option<InsnClass> {
        // Skip legacy prefixes a compiler or a hostile program may put in front; at most 4.
        let mut i = 0;
        while i < bytes.len().min(4)
            && matches!(
                bytes[i],
                0x66 | 0x67 | 0xf2 | 0xf3 | 0x2e | 0x3e | 0x26 | 0x36 | 0x64 | 0x65
            )
        {
            i += 1;
        }
        let mut wide = false;
        if let Some(&b) = bytes.get(i)
            && (0x40..=0x4f).contains(&b)
        {
            wide = b & 0x08 != 0;
            i += 1;
        }
        match (bytes.get(i), bytes.get(i + 1)) {
            (Some(0x0f), Some(0x05)) => Some(InsnClass::Entry(EntryKind::Syscall)),
            (Some(0x0f), Some(0x34)) => Some(InsnClass::Entry(EntryKind::Sysenter)),
            (Some(0xcd), Some(0x80)) => Some(InsnClass::Entry(EntryKind::Int80)),
            (Some(0x0f), Some(0x07)) => Some(InsnClass::Exit(ExitKind::Sysret { wide })),
            (Some(0x0f), Some(0x35)) => Some(InsnClass::Exit(ExitKind::Sysexit { wide })),
            // mov %reg, %cr3: 0f 22 with ModRM mod=11, reg=3.
            (Some(0x0f), Some(0x22)) if bytes.get(i + 2).is_some_and(|m| m & 0xf8 == 0xd8) => {
                Some(InsnClass::PageTableSwitch)
            }
            (Some(0xcf), _) => Some(InsnClass::Exit(ExitKind::Iret { wide })),
            _ => None,
        }
    }

    fn stack_pointer(&self) -> Reg {
        RSP
    }

    fn frame_pointer(&self) -> Option<Reg> {
        Some(RBP)
    }

    fn instruction_pointer(&self) -> Option<Reg> {
        Some(RIP)
    }

    fn port_io(&self, bytes: &[u8]) -> Option<PortIo> {
        // Legacy prefixes (at most 4): 66 makes the access 16-bit, f2/f3 repeat a string form.
        let mut i = 0;
        let (mut narrow, mut rep) = (false, false);
        while let Some(&b) = bytes.get(i).filter(|_| i < 4) {
            match b {
                0x66 => narrow = true,
                0xf2 | 0xf3 => rep = true,
                0x67 | 0x2e | 0x3e | 0x26 | 0x36 | 0x64 | 0x65 => {}
                _ => break,
            }
            i += 1;
        }
        // A REX prefix changes nothing here (no 64-bit port access).
        if bytes.get(i).is_some_and(|b| (0x40..=0x4f).contains(b)) {
            i += 1;
        }
        let op = *bytes.get(i)?;
        let wide = if narrow { 2 } else { 4 };
        let (write, size, port, string) = match op {
            0xe4..=0xe7 => (
                op & 2 != 0,
                if op & 1 == 0 { 1 } else { wide },
                PortFrom::Imm(*bytes.get(i + 1)?),
                false,
            ),
            0xec..=0xef => (
                op & 2 != 0,
                if op & 1 == 0 { 1 } else { wide },
                PortFrom::Reg(RDX),
                false,
            ),
            0x6c..=0x6f => (
                op & 2 != 0,
                if op & 1 == 0 { 1 } else { wide },
                PortFrom::Reg(RDX),
                true,
            ),
            _ => return None,
        };
        Some(PortIo {
            write,
            size,
            port,
            value: (write && !string).then_some(RAX),
            count: (string && rep).then_some(RCX),
        })
    }

    fn entry_width(&self, cpu: &mut dyn GuestCpu, kind: EntryKind, pc: u64) -> Option<CodeWidth> {
        Some(match kind {
            // int 0x80 is the i386 ABI whatever the mode; sysenter is only used by 32-bit code.
            EntryKind::Int80 | EntryKind::Sysenter => CodeWidth::W32,
            // Code above 4 GiB runs in 64-bit mode only: compatibility mode's instruction pointer
            // is 32 bits wide, and QEMU runs a translation only in the mode it was made in (the
            // mode is part of its key), so `pc` speaks for every execution of this hook. Most
            // 64-bit calls are made from there (shared libraries, PIE programs): no CS read.
            EntryKind::Syscall if pc > u64::from(u32::MAX) => CodeWidth::W64,
            EntryKind::Syscall if cpu.reg(CS)? == USER32_CS => CodeWidth::W32,
            EntryKind::Syscall => CodeWidth::W64,
            // Another architecture's entry.
            EntryKind::Svc => return None,
        })
    }

    fn exit_to_user(&self, cpu: &mut dyn GuestCpu, kind: ExitKind) -> Option<bool> {
        match kind {
            // sysret and sysexit only ever return to user mode.
            ExitKind::Sysret { .. } | ExitKind::Sysexit { .. } => Some(true),
            ExitKind::Iret { wide } => {
                // The frame at rsp is {rip, cs, rflags, rsp, ss}, in 8-byte slots for iretq.
                let rsp = cpu.reg(RSP)?;
                let cs = if wide {
                    cpu.read_u64(rsp.wrapping_add(8))?
                } else {
                    u64::from(cpu.read_u32(rsp.wrapping_add(4))?)
                };
                Some(cs & 3 == 3)
            }
            ExitKind::Eret => None,
        }
    }

    fn user_return(&self, cpu: &mut dyn GuestCpu, kind: ExitKind) -> Option<UserReturn> {
        match kind {
            ExitKind::Sysret { wide } => {
                let ip = cpu.reg(RCX)?;
                let sp = cpu.reg(RSP)?;
                Some(if wide {
                    UserReturn {
                        ip,
                        sp,
                        width: CodeWidth::W64,
                    }
                } else {
                    UserReturn {
                        ip: ip & 0xffff_ffff,
                        sp: sp & 0xffff_ffff,
                        width: CodeWidth::W32,
                    }
                })
            }
            ExitKind::Sysexit { wide } => Some(UserReturn {
                ip: cpu.reg(RDX)?,
                sp: cpu.reg(RCX)?,
                width: if wide { CodeWidth::W64 } else { CodeWidth::W32 },
            }),
            ExitKind::Iret { wide: true } => {
                let frame = cpu.reg(RSP)?;
                let cs = cpu.read_u64(frame.wrapping_add(8))?;
                Some(UserReturn {
                    ip: cpu.read_u64(frame)?,
                    sp: cpu.read_u64(frame.wrapping_add(24))?,
                    width: if cs == USER32_CS {
                        CodeWidth::W32
                    } else {
                        CodeWidth::W64
                    },
                })
            }
            ExitKind::Iret { wide: false } => {
                let frame = cpu.reg(RSP)?;
                Some(UserReturn {
                    ip: u64::from(cpu.read_u32(frame)?),
                    sp: u64::from(cpu.read_u32(frame.wrapping_add(12))?),
                    width: CodeWidth::W32,
                })
            }
            ExitKind::Eret => None,
        }
    }

    fn user_stack_at_exit(&self, cpu: &mut dyn GuestCpu, kind: ExitKind) -> Option<u64> {
        match kind {
            ExitKind::Sysret { .. } => cpu.reg(RSP),
            ExitKind::Sysexit { .. } => cpu.reg(RCX),
            ExitKind::Iret { wide: true } => {
                let sp = cpu.reg(RSP)?;
                cpu.read_u64(sp.wrapping_add(24))
            }
            ExitKind::Iret { wide: false } => {
                let sp = cpu.reg(RSP)?;
                cpu.read_u32(sp.wrapping_add(12)).map(u64::from)
            }
            ExitKind::Eret => None,
        }
    }

    fn address_space(&self, cpu: &mut dyn GuestCpu) -> Option<u64> {
        cpu.reg(CR3).map(cr3_key)
    }

    fn percpu_base_regs(&self, user_side: bool) -> [Option<Reg>; 2] {
        // `swapgs` exchanges the halves at every entry and exit: on the user side the kernel's base
        // is in `k_gs_base`.
        if user_side {
            [Some(K_GS_BASE), Some(GS_BASE)]
        } else {
            [Some(GS_BASE), Some(K_GS_BASE)]
        }
    }

    fn exit_stays_in_kernel(&self, cpu: &mut dyn GuestCpu, kind: ExitKind, percpu: u64) -> bool {
        // The kernel swaps GS to the user's before every return to user mode, so while GS still
        // holds this vCPU's per-CPU base and the other half does not, an `iret` returns to kernel
        // code. Most `iret`s are these (interrupts taken in the kernel).
        matches!(kind, ExitKind::Iret { .. })
            && percpu != 0
            && cpu.reg(GS_BASE) == Some(percpu)
            && cpu.reg(K_GS_BASE).is_some_and(|k| k != percpu)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::arch_for_target;
    use crate::guest::TestGuest;

    #[test]
    fn a_syscall_above_4_gib_is_64_bit_without_reading_cs() {
        let a = X86_64;
        // No CS at all: only the address can say.
        let mut g = TestGuest::new();
        assert_eq!(
            a.entry_width(&mut g, EntryKind::Syscall, 0x7f3a_1c00_2f4e),
            Some(CodeWidth::W64)
        );
        assert_eq!(a.entry_width(&mut g, EntryKind::Syscall, 0x40_1000), None);
        // Below 4 GiB CS decides: a static 64-bit program, or 32-bit code using `syscall`.
        g.set_reg(CS, USER32_CS);
        assert_eq!(
            a.entry_width(&mut g, EntryKind::Syscall, 0x40_1000),
            Some(CodeWidth::W32)
        );
        g.set_reg(CS, USER64_CS);
        assert_eq!(
            a.entry_width(&mut g, EntryKind::Syscall, 0xffff_f000),
            Some(CodeWidth::W64)
        );
        assert_eq!(
            a.entry_width(&mut g, EntryKind::Int80, 0x7f3a_1c00_2f4e),
            Some(CodeWidth::W32)
        );
    }

    #[test]
    fn classifies_entry_and_exit_instructions() {
        let a = X86_64;
        assert_eq!(
            a.classify(&[0x0f, 0x05]),
            Some(InsnClass::Entry(EntryKind::Syscall))
        );
        assert_eq!(
            a.classify(&[0xcd, 0x80]),
            Some(InsnClass::Entry(EntryKind::Int80))
        );
        assert_eq!(
            a.classify(&[0x0f, 0x34]),
            Some(InsnClass::Entry(EntryKind::Sysenter))
        );
        assert_eq!(
            a.classify(&[0x48, 0x0f, 0x07]),
            Some(InsnClass::Exit(ExitKind::Sysret { wide: true }))
        );
        assert_eq!(
            a.classify(&[0x0f, 0x07]),
            Some(InsnClass::Exit(ExitKind::Sysret { wide: false }))
        );
        assert_eq!(
            a.classify(&[0x48, 0xcf]),
            Some(InsnClass::Exit(ExitKind::Iret { wide: true }))
        );
        assert_eq!(
            a.classify(&[0xcf]),
            Some(InsnClass::Exit(ExitKind::Iret { wide: false }))
        );
        assert_eq!(
            a.classify(&[0x0f, 0x35]),
            Some(InsnClass::Exit(ExitKind::Sysexit { wide: false }))
        );
        assert_eq!(
            a.classify(&[0x0f, 0x22, 0xd8]),
            Some(InsnClass::PageTableSwitch)
        );
        // mov %cr3, %rax (0f 20) and mov to cr0 are not switches.
        assert_eq!(a.classify(&[0x0f, 0x20, 0xd8]), None);
        assert_eq!(a.classify(&[0x0f, 0x22, 0xc0]), None);
        // int 0x81, a lone 0x0f, nothing at all: not ours.
        assert_eq!(a.classify(&[0xcd, 0x81]), None);
        assert_eq!(a.classify(&[0x0f]), None);
        assert_eq!(a.classify(&[]), None);
        assert_eq!(a.classify(&[0x90, 0x0f, 0x05]), None);
    }

    #[test]
    fn port_io_instructions_are_decoded_with_their_prefixes() {
        let a = X86_64;
        let out_dx_al = a.port_io(&[0xee]).unwrap();
        assert_eq!(
            out_dx_al,
            PortIo {
                write: true,
                size: 1,
                port: PortFrom::Reg(RDX),
                value: Some(RAX),
                count: None
            }
        );
        let in_imm = a.port_io(&[0xe5, 0x71]).unwrap();
        assert_eq!((in_imm.write, in_imm.size), (false, 4));
        assert_eq!(in_imm.port, PortFrom::Imm(0x71));
        assert_eq!(in_imm.value, None);
        assert_eq!(a.port_io(&[0x66, 0xef]).unwrap().size, 2);
        let rep_outsb = a.port_io(&[0xf3, 0x6e]).unwrap();
        assert_eq!(
            (
                rep_outsb.write,
                rep_outsb.size,
                rep_outsb.value,
                rep_outsb.count
            ),
            (true, 1, None, Some(RCX))
        );
        let insw = a.port_io(&[0x66, 0x6d]).unwrap();
        assert_eq!((insw.write, insw.size, insw.count), (false, 2, None));
        // Truncated immediate, other instructions, nothing: not port I/O.
        assert_eq!(a.port_io(&[0xe6]), None);
        assert_eq!(a.port_io(&[0x0f, 0x05]), None);
        assert_eq!(a.port_io(&[]), None);
        assert!(a.is_kernel_address(0xffff_ffff_8100_0000));
        assert!(!a.is_kernel_address(0x40_1000));
    }

    #[test]
    fn register_indices_match_names() {
        assert_eq!(REGISTER_NAMES[RAX.0 as usize], "rax");
        assert_eq!(REGISTER_NAMES[CR3.0 as usize], "cr3");
        assert_eq!(REGISTER_NAMES[K_GS_BASE.0 as usize], "k_gs_base");
    }

    #[test]
    fn target_names_select_the_architecture() {
        assert_eq!(
            arch_for_target("x86_64-softmmu").map(|a| a.name()),
            Some("x86_64")
        );
        assert!(arch_for_target("sparc64-softmmu").is_none());
    }

    #[test]
    fn iret_frames_tell_user_from_kernel_and_hostile_frames_tell_nothing() {
        let a = X86_64;
        let mut g = TestGuest::new();
        let frame = 0xffff_c900_0000_1000;
        g.set_reg(RSP, frame);
        g.write_u64(frame, 0x40_1002)
            .write_u64(frame + 8, 0x10)
            .write_u64(frame + 24, 0x7ffe_0000);
        let iretq = ExitKind::Iret { wide: true };
        assert_eq!(a.exit_to_user(&mut g, iretq), Some(false));
        g.write_u64(frame + 8, USER64_CS);
        assert_eq!(a.exit_to_user(&mut g, iretq), Some(true));
        let r = a.user_return(&mut g, iretq).unwrap();
        assert_eq!(
            (r.ip, r.sp, r.width),
            (0x40_1002, 0x7ffe_0000, CodeWidth::W64)
        );
        g.write_u64(frame + 8, USER32_CS);
        assert_eq!(a.user_return(&mut g, iretq).unwrap().width, CodeWidth::W32);
        // Junk rsp: unknown, never a panic.
        g.set_reg(RSP, 0xdead_0000);
        assert_eq!(a.exit_to_user(&mut g, iretq), None);
        assert_eq!(a.user_return(&mut g, iretq), None);
        assert_eq!(
            a.exit_to_user(&mut g, ExitKind::Sysret { wide: true }),
            Some(true)
        );
    }

    #[test]
    fn cr3_tags_are_masked() {
        assert_eq!(cr3_key(0x1234_5000 | 0x1000 | 0x5 | 1 << 63), 0x1234_4000);
    }

    #[test]
    fn gs_tells_an_iret_that_stays_in_the_kernel() {
        let a = X86_64;
        let mut g = TestGuest::new();
        let base = 0xffff_8880_0f00_0000;
        g.set_reg(GS_BASE, base).set_reg(K_GS_BASE, 0);
        let iretq = ExitKind::Iret { wide: true };
        assert!(a.exit_stays_in_kernel(&mut g, iretq, base));
        assert!(!a.exit_stays_in_kernel(&mut g, ExitKind::Sysret { wide: true }, base));
        // Both halves equal (user code set its GS to the kernel's value): unsure.
        g.set_reg(K_GS_BASE, base);
        assert!(!a.exit_stays_in_kernel(&mut g, iretq, base));
        assert!(!a.exit_stays_in_kernel(&mut g, iretq, 0));
    }
}

//! Guest architectures, chosen at run time from the emulator's target name (never the host's `cfg`).
//!
//! An [`Arch`] knows which instructions enter and leave the kernel, which registers the backend must
//! look up, and how to read them. Backends classify instructions once, at translation time, so only those
//! instructions are ever instrumented.

use crate::guest::Reg;

/// How user code entered the kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    /// `syscall` (x86_64 `0f 05`), from 64-bit or compatibility mode.
    Syscall,
    /// `int 0x80` (`cd 80`): always the i386 ABI on Linux.
    Int80,
    /// `sysenter` (`0f 34`), used by 32-bit code on Intel CPU models.
    Sysenter,
}

/// How the kernel may return to user code. Only returns to user mode are syscall exits; an [`Arch`]
/// tells which ones from the state at the instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ExitKind {
    /// `sysret` (`0f 07`) to 32-bit code or `sysretq` (`48 0f 07`) to 64-bit code.
    Sysret {
        /// true for `sysretq` (REX.W): returns to 64-bit mode.
        wide: bool,
    },
    /// `sysexit` (`0f 35`, `48 0f 35`).
    Sysexit {
        /// true with REX.W: returns to 64-bit mode.
        wide: bool,
    },
    /// `iret` (`cf`) or `iretq` (`48 cf`): also used kernel-to-kernel, filter on the frame.
    Iret {
        /// true for `iretq`.
        wide: bool,
    },
}

/// What an instruction means to syscall tracing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InsnClass {
    /// The instruction enters the kernel.
    Entry(EntryKind),
    /// The instruction may return from the kernel to user mode.
    Exit(ExitKind),
    /// The instruction switches page tables (x86: `mov` to CR3). Only the kernel can execute it. With
    /// page-table isolation (KPTI) the kernel switches to the user page tables right before every
    /// return to user mode, and those do not map the kernel's task structures: executed just before
    /// that switch, this is the last point where the returning thread can be read.
    PageTableSwitch,
}

/// A guest architecture.
pub trait Arch: Send + Sync + 'static {
    /// The name used in events (`x86_64`).
    fn name(&self) -> &'static str;
    /// The register names the backend must resolve, in [`Reg`] order (`Reg(i)` is `register_names()[i]`).
    fn register_names(&self) -> &'static [&'static str];
    /// Classifies an instruction from its bytes; `None` for every instruction tracing ignores.
    fn classify(&self, bytes: &[u8]) -> Option<InsnClass>;
}

/// Finds the architecture for an emulator target name such as `x86_64-softmmu` or `x86_64`.
pub fn arch_for_target(target: &str) -> Option<&'static dyn Arch> {
    let base = target.split('-').next().unwrap_or(target);
    match base {
        "x86_64" => Some(&x86_64::X86_64),
        _ => None,
    }
}

/// The x86_64 architecture (with 32-bit compatibility-mode processes).
pub mod x86_64 {
    use super::*;

    /// The x86_64 architecture.
    #[derive(Debug, Clone, Copy)]
    pub struct X86_64;

    macro_rules! regs {
        ($($name:ident = $idx:expr, $s:expr;)*) => {
            $(
                #[doc = concat!("Register `", $s, "`.")]
                pub const $name: Reg = Reg($idx);
            )*
            /// Register names as QEMU's x86_64 target names them, indexed by [`Reg`].
            pub const REGISTER_NAMES: &[&str] = &[$($s),*];
        };
    }

    regs! {
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

    impl Arch for X86_64 {
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
    }

    #[cfg(test)]
    mod tests {
        use super::*;

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
            // int 0x81, a lone 0x0f, nothing at all: not ours.
            assert_eq!(a.classify(&[0xcd, 0x81]), None);
            assert_eq!(a.classify(&[0x0f]), None);
            assert_eq!(a.classify(&[]), None);
            assert_eq!(a.classify(&[0x90, 0x0f, 0x05]), None);
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
            assert!(arch_for_target("aarch64-softmmu").is_none());
        }
    }
}

//! Guest architectures, chosen at run time from the emulator's target name (never the host's `cfg`).
//!
//! An [`Arch`] is everything vmscope needs to know about a processor: which instructions enter and
//! leave the kernel (classified once, at translation time, so only those are ever instrumented), which
//! registers the backend must look up, and the architectural facts around a kernel entry or exit —
//! where the stack pointer is, whether an exit returns to user mode and where to, the width of the
//! user code, the page-table root that keys an address space, where the kernel keeps its per-CPU base.
//! Operating-system conventions (which register carries a system call's number) belong to the OS
//! layer, which reads the registers named here; modules ask the OS layer or the architecture through
//! this trait and never name a register.

use crate::guest::{GuestCpu, Reg};

/// An architecture's registers: a `Reg` constant per name, and `REGISTER_NAMES` (the names as QEMU's
/// `$target` target calls them, indexed by `Reg`), which the backend looks up once per vCPU.
macro_rules! registers {
    ($target:literal; $($name:ident = $idx:expr, $s:expr;)*) => {
        $(
            #[doc = concat!("Register `", $s, "`.")]
            pub const $name: Reg = Reg($idx);
        )*
        #[doc = concat!("Register names as QEMU's ", $target, " target names them, indexed by [`Reg`].")]
        pub const REGISTER_NAMES: &[&str] = &[$($s),*];
    };
}

pub mod aarch64;
pub mod i386;
pub mod x86_64;

/// Which architecture, for the OS layer's per-architecture conventions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArchId {
    /// x86_64 (with 32-bit compatibility-mode processes).
    X86_64,
    /// aarch64 (64-bit ARM, AArch64 user code).
    Aarch64,
    /// 32-bit x86: an i386 kernel and its processes.
    I386,
}

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
    /// aarch64 `svc #0` (`d4000001`).
    Svc,
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
    /// aarch64 `eret` (`d69f03e0`): also returns from exceptions taken in the kernel; `SPSR_EL1`
    /// tells.
    Eret,
}

impl ExitKind {
    /// Whether this exit can only ever return to user mode right after a system call (x86
    /// `sysret`/`sysexit`), as opposed to a general return from an exception or interrupt.
    pub fn is_fast_return(self) -> bool {
        matches!(self, ExitKind::Sysret { .. } | ExitKind::Sysexit { .. })
    }
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
    ///
    /// An architecture whose return path has another such last point reports it as this class too:
    /// aarch64's `msr sp_el0, x23` in `kernel_exit`, after which `current` is no longer in `SP_EL0`.
    PageTableSwitch,
}

/// Where a port I/O instruction takes its port from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PortFrom {
    /// An immediate byte in the instruction.
    Imm(u8),
    /// A register (x86: `dx`), read at execution.
    Reg(Reg),
}

/// A port I/O instruction, decoded at translation time (x86 `in`, `out`, `ins`, `outs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PortIo {
    /// `out`/`outs`.
    pub write: bool,
    /// Bytes per access: 1, 2 or 4.
    pub size: u8,
    /// The port.
    pub port: PortFrom,
    /// The register holding the value an `out` writes (`None` for `in` and string forms).
    pub value: Option<Reg>,
    /// With a repeat prefix: the register holding the count (x86 `rcx`).
    pub count: Option<Reg>,
}

/// The width of user code (its pointers and registers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodeWidth {
    /// 64-bit code.
    W64,
    /// 32-bit code (x86 compatibility mode or a 32-bit kernel).
    W32,
}

/// Where an exit to user mode resumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserReturn {
    /// The user instruction pointer.
    pub ip: u64,
    /// The user stack pointer.
    pub sp: u64,
    /// The width of the code it returns to (after an exec, the new program's).
    pub width: CodeWidth,
}

/// A guest architecture.
pub trait Arch: Send + Sync + 'static {
    /// Which architecture.
    fn id(&self) -> ArchId;
    /// The name used in events (`x86_64`).
    fn name(&self) -> &'static str;
    /// The register names the backend must resolve, in [`Reg`] order (`Reg(i)` is `register_names()[i]`).
    fn register_names(&self) -> &'static [&'static str];
    /// Classifies an instruction from its bytes; `None` for every instruction tracing ignores.
    fn classify(&self, bytes: &[u8]) -> Option<InsnClass>;
    /// The stack pointer register.
    fn stack_pointer(&self) -> Reg;
    /// The register compilers keep a frame pointer in when they keep one (the fallback of stack
    /// walks without call-frame information); `None` when the architecture has none.
    fn frame_pointer(&self) -> Option<Reg> {
        None
    }
    /// The register a call leaves its return address in (aarch64 `x30`, the link register), which a
    /// function that calls nothing never saves: the caller of frame 0 may only be found there.
    /// `None` where calls push the return address (x86).
    fn link_register(&self) -> Option<Reg> {
        None
    }
    /// The instruction pointer register. Inside an execution callback it may lag behind the
    /// instruction (TCG writes it back lazily) but it is in the running process's address space,
    /// unlike an instruction's translation-time address, which belongs to whichever process first
    /// ran code that shares the same physical page.
    fn instruction_pointer(&self) -> Option<Reg> {
        None
    }
    /// The width of the user code making a kernel entry by `kind` at `pc` (the instruction's
    /// translation-time address: where the architecture can tell the width from it, no register
    /// is read).
    fn entry_width(&self, cpu: &mut dyn GuestCpu, kind: EntryKind, pc: u64) -> Option<CodeWidth>;
    /// Whether an exit instruction returns to user mode, from the state just before it executes
    /// (`None`: cannot tell, e.g. an unreadable frame).
    fn exit_to_user(&self, cpu: &mut dyn GuestCpu, kind: ExitKind) -> Option<bool>;
    /// Where an exit to user mode resumes.
    fn user_return(&self, cpu: &mut dyn GuestCpu, kind: ExitKind) -> Option<UserReturn>;
    /// The user stack pointer an exit restores, with as few reads as possible (the key of a call
    /// without a known thread).
    fn user_stack_at_exit(&self, cpu: &mut dyn GuestCpu, kind: ExitKind) -> Option<u64> {
        self.user_return(cpu, kind).map(|r| r.sp)
    }
    /// The key of the current address space: the page-table root without tags (PCID, KPTI, ASID).
    fn address_space(&self, cpu: &mut dyn GuestCpu) -> Option<u64>;
    /// The registers that may hold the kernel's per-CPU base, most likely first. `user_side` says
    /// the vCPU is known to run (or just left, or is about to return to) user code.
    fn percpu_base_regs(&self, user_side: bool) -> [Option<Reg>; 2];
    /// Whether an exit certainly stays in the kernel, told from registers alone given the vCPU's
    /// known per-CPU base (x86: GS still holds it). `false` when unsure: the frame then decides.
    fn exit_stays_in_kernel(&self, _cpu: &mut dyn GuestCpu, _kind: ExitKind, _percpu: u64) -> bool {
        false
    }
    /// Whether `addr` is a kernel address (x86_64: the upper half, top bit set).
    fn is_kernel_address(&self, addr: u64) -> bool {
        addr >> 63 != 0
    }
    /// Decodes a port I/O instruction from its bytes; `None` for any other instruction (and on
    /// architectures without an I/O port space).
    fn port_io(&self, _bytes: &[u8]) -> Option<PortIo> {
        None
    }

    /// The current task pointer when a register holds it at this point (aarch64: `SP_EL0` while the
    /// kernel runs); `None` where it must be read from the per-CPU area ([`Arch::percpu_base_regs`])
    /// or cannot be known here.
    fn current_task(&self, _cpu: &mut dyn GuestCpu) -> Option<u64> {
        None
    }
    /// Length in bytes of the kernel-entry instructions user code uses (to find a call's return
    /// address from its entry, and to recognize a restart).
    fn is_entry_instruction(&self, bytes: &[u8]) -> bool {
        matches!(self.classify(bytes), Some(InsnClass::Entry(_)))
    }
}

/// `e_machine` of x86 (i386) ELF files.
pub const EM_386: u16 = 3;
/// `e_machine` of x86_64 ELF files.
pub const EM_X86_64: u16 = 62;
/// `e_machine` of aarch64 ELF files.
pub const EM_AARCH64: u16 = 183;

/// The DWARF register numbers a stack walk follows in call-frame information, as one machine's
/// psABI numbers them: which column is the stack pointer, the frame pointer and the return address,
/// and whether the return address column is a real register (the link register) whose value a frame
/// without a rule for it still holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DwarfRegs {
    /// The stack pointer's number.
    pub sp: u16,
    /// The frame pointer's number.
    pub fp: u16,
    /// The return address column.
    pub ra: u16,
    /// The return address column is the link register: no rule for it means it still holds the
    /// return address (aarch64 `x30`); else the column has no register and needs a rule (x86).
    pub ra_is_link: bool,
    /// A frame record (the saved frame pointer, then the return address, where the frame pointer
    /// points) ends at the canonical frame address, so the caller's stack pointer is the frame
    /// pointer plus two words (x86: `push rbp` right after the call pushed the return address).
    /// `false` where the record may sit anywhere in the frame (aarch64: `stp x29, x30, [sp, #-N]!`
    /// puts it at the bottom).
    pub record_at_cfa: bool,
}

impl DwarfRegs {
    /// The numbering for an ELF file's `e_machine`; `None` for a machine vmscope cannot unwind.
    pub fn for_machine(e_machine: u16) -> Option<DwarfRegs> {
        match e_machine {
            // x86_64 psABI: rbp 6, rsp 7, return address 16 (x32 files use it too).
            EM_X86_64 => Some(DwarfRegs {
                sp: 7,
                fp: 6,
                ra: 16,
                ra_is_link: false,
                record_at_cfa: true,
            }),
            // i386 psABI: esp 4, ebp 5, return address 8.
            EM_386 => Some(DwarfRegs {
                sp: 4,
                fp: 5,
                ra: 8,
                ra_is_link: false,
                record_at_cfa: true,
            }),
            // AAPCS64 DWARF: x29 (fp) 29, x30 (lr) 30 as the return address column, sp 31.
            EM_AARCH64 => Some(DwarfRegs {
                sp: 31,
                fp: 29,
                ra: 30,
                ra_is_link: true,
                record_at_cfa: false,
            }),
            _ => None,
        }
    }
}

/// Finds the architecture for an emulator target name such as `x86_64-softmmu` or `x86_64`.
pub fn arch_for_target(target: &str) -> Option<&'static dyn Arch> {
    let base = target.split('-').next().unwrap_or(target);
    match base {
        "x86_64" => Some(&x86_64::X86_64),
        "aarch64" => Some(&aarch64::Aarch64),
        "i386" => Some(&i386::I386),
        _ => None,
    }
}

/// The names of the architectures [`arch_for_target`] knows, for messages.
pub const SUPPORTED: &[&str] = &["x86_64", "aarch64", "i386"];

//! What every argument renderer sees ([`Ctx`]), and the renderers of plain strings and buffers the
//! others build on. The lowest layer of the decoders: it depends on no other renderer.

use vmscope_core::event::Abi;
use vmscope_core::guest::GuestMemory;

use super::out::{Out, Quote};
use super::read::{read_bytes, read_string, word};
use super::{Call, DecodeOptions, SyscallDesc, is_error};

/// What a renderer sees: the call, its registers, guest memory and (at exit) the return value.
pub(crate) struct Ctx<'a> {
    pub opts: &'a DecodeOptions,
    pub abi: Abi,
    pub desc: &'static SyscallDesc,
    pub raw: &'a [u64; 6],
    /// The guest's memory now (at entry, or at exit).
    pub mem: &'a mut dyn GuestMemory,
    /// At exit: the memory as it was at entry (what the entry read), for arguments strace shows
    /// before and after (`[128 => 16]`); `None` at entry.
    pub entry: Option<&'a mut dyn GuestMemory>,
    pub ret: Option<i64>,
    pub exit: bool,
}

impl Ctx<'_> {
    /// Register `i` (0 when out of range).
    pub fn arg(&self, i: usize) -> u64 {
        self.raw.get(i).copied().unwrap_or(0)
    }

    /// Register `i` cut to the ABI's word.
    pub fn warg(&self, i: usize) -> u64 {
        word(self.abi, self.arg(i))
    }

    /// The memory as it was at the call's entry (at entry: the memory now).
    pub fn entry_mem(&mut self) -> &mut dyn GuestMemory {
        match self.entry.as_deref_mut() {
            Some(m) => m,
            None => &mut *self.mem,
        }
    }

    /// Whether the call returned successfully (exit only).
    pub fn ok(&self) -> bool {
        self.exit && self.ret.is_some_and(|r| !is_error(r))
    }

    /// The successful return value, if any.
    pub fn ret_ok(&self) -> Option<i64> {
        self.ret.filter(|_| self.ok())
    }

    /// Whether input memory may still be read at exit: not after a successful exec, whose new image
    /// replaced the memory the arguments pointed to.
    pub(crate) fn may_reread(&self) -> bool {
        !(matches!(self.desc.call, Call::Execve | Call::Execveat) && self.ok())
    }
}

/// A string argument; `None` when unreadable (nothing written).
pub(crate) fn string(cx: &mut Ctx<'_>, w: &mut Out<'_>, addr: u64, limit: usize) -> Option<()> {
    if addr == 0 {
        w.s("NULL");
        return Some(());
    }
    let (bytes, more) = read_string(cx.mem, addr, limit)?;
    w.quote(&bytes, more, Quote::Default);
    Some(())
}

/// A buffer of `len` bytes printed up to the string limit; `None` when unreadable.
pub(crate) fn buffer(
    mem: &mut dyn GuestMemory,
    opts: &DecodeOptions,
    w: &mut Out<'_>,
    addr: u64,
    len: u64,
    style: Quote,
) -> Option<()> {
    if addr == 0 {
        w.s("NULL");
        return Some(());
    }
    let shown = len.min(opts.string_limit as u64) as usize;
    let bytes = read_bytes(mem, addr, shown)?;
    w.quote(&bytes, len > shown as u64, style);
    Some(())
}

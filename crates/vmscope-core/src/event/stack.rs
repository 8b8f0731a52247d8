//! Call stacks: the user-space frames a system call was made from, innermost first, as `strace -k`
//! prints them.

use std::sync::Arc;

use serde::{Serialize, Serializer};

/// One frame of a user-space call stack.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Frame {
    /// Where the frame returns to (frame 0: the instruction after the system call's entry).
    #[serde(serialize_with = "hex")]
    pub pc: u64,
    /// The image holding `pc`, named as in the maps; `None` outside every known image.
    #[serde(serialize_with = "opt_str")]
    pub module: Option<Arc<str>>,
    /// `pc` in the image's own ELF addresses (`pc` minus its load bias): what `addr2line` takes.
    #[serde(serialize_with = "opt_hex")]
    pub offset: Option<u64>,
    /// The function holding the frame, when a symbol table names it.
    #[serde(serialize_with = "opt_str")]
    pub symbol: Option<Arc<str>>,
    /// `pc` minus the symbol's start.
    #[serde(serialize_with = "opt_hex")]
    pub symbol_offset: Option<u64>,
    /// The source file, from the image's debug information.
    #[serde(serialize_with = "opt_str")]
    pub file: Option<Arc<str>>,
    /// The source line.
    pub line: Option<u32>,
}

fn hex<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&format_args!("{v:#x}"))
}

#[allow(clippy::ref_option)] // serde's `serialize_with` hands the field by reference.
fn opt_hex<S: Serializer>(v: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => hex(v, s),
        None => s.serialize_none(),
    }
}

#[allow(clippy::ref_option)] // serde's `serialize_with` hands the field by reference.
fn opt_str<S: Serializer>(v: &Option<Arc<str>>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_str(v),
        None => s.serialize_none(),
    }
}

impl Frame {
    /// The frame as `strace -k` prints it, without its leading ` > `: `module(symbol+0x10) [0x1234]`,
    /// with ` at file:line` after it when known.
    pub fn render(&self, out: &mut String) {
        use std::fmt::Write as _;
        match &self.module {
            Some(m) => out.push_str(m),
            None => out.push('?'),
        }
        out.push('(');
        if let Some(sym) = &self.symbol {
            out.push_str(sym);
            let _ = write!(out, "+{:#x}", self.symbol_offset.unwrap_or(0));
        }
        out.push(')');
        let _ = write!(out, " [{:#x}]", self.offset.unwrap_or(self.pc));
        if let (Some(f), Some(l)) = (&self.file, self.line) {
            let _ = write!(out, " at {f}:{l}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_strace_k() {
        let mut f = Frame {
            pc: 0x7f00_0010_e2f4,
            module: Some("/usr/lib/x86_64-linux-gnu/libc.so.6".into()),
            offset: Some(0x10e2f4),
            symbol: Some("__write".into()),
            symbol_offset: Some(0x14),
            ..Frame::default()
        };
        let mut s = String::new();
        f.render(&mut s);
        assert_eq!(
            s,
            "/usr/lib/x86_64-linux-gnu/libc.so.6(__write+0x14) [0x10e2f4]"
        );
        f.symbol = None;
        f.file = Some("w.c".into());
        f.line = Some(7);
        s.clear();
        f.render(&mut s);
        assert_eq!(
            s,
            "/usr/lib/x86_64-linux-gnu/libc.so.6() [0x10e2f4] at w.c:7"
        );
    }
}

//! Where decoders write: a rendering's text, or nowhere (a dry run on the vCPU, which only reads).
//!
//! Every decoder is written once against [`Out`]. On the vCPU it runs dry: nothing is formatted
//! (the formatting arguments are built but never expanded), only guest memory is read, and the reads
//! are recorded. On the writer thread it runs again over the recorded memory with a real text buffer.
//! The helpers here render numbers, pointers, quoted strings and flag sets in strace's notation.

use std::fmt::{self, Write as _};

/// A text sink that may be dry.
pub(crate) struct Out<'a> {
    text: Option<&'a mut String>,
    ends: Option<&'a mut Vec<usize>>,
}

/// Writes formatted text to an [`Out`] (nothing when it is dry).
macro_rules! w {
    ($o:expr, $($t:tt)*) => { $o.f(format_args!($($t)*)) };
}
pub(crate) use w;

impl<'a> Out<'a> {
    /// Writes nothing.
    pub fn dry() -> Out<'static> {
        Out {
            text: None,
            ends: None,
        }
    }

    /// Writes into `text`; argument boundaries are not kept.
    pub fn to(text: &'a mut String) -> Self {
        Out {
            text: Some(text),
            ends: None,
        }
    }

    /// Where the text is now: its length, and how many arguments it has ended.
    pub fn position(&self) -> (usize, usize) {
        (
            self.text.as_deref().map_or(0, String::len),
            self.ends.as_deref().map_or(0, Vec::len),
        )
    }

    /// Writes into `text` and records in `ends` where each argument ends.
    pub fn with_ends(text: &'a mut String, ends: &'a mut Vec<usize>) -> Self {
        Out {
            text: Some(text),
            ends: Some(ends),
        }
    }

    /// Whether nothing is written.
    #[inline]
    pub fn is_dry(&self) -> bool {
        self.text.is_none()
    }

    /// A string.
    #[inline]
    pub fn s(&mut self, s: &str) {
        if let Some(t) = self.text.as_deref_mut() {
            t.push_str(s);
        }
    }

    /// A character.
    #[inline]
    pub fn c(&mut self, c: char) {
        if let Some(t) = self.text.as_deref_mut() {
            t.push(c);
        }
    }

    /// Formatted text (see [`w!`]).
    #[inline]
    pub fn f(&mut self, args: fmt::Arguments<'_>) {
        if let Some(t) = self.text.as_deref_mut() {
            let _ = t.write_fmt(args);
        }
    }

    /// Ends an argument: `", "` follows, and the boundary is recorded.
    pub fn sep(&mut self) {
        if let (Some(t), Some(e)) = (self.text.as_deref(), self.ends.as_deref_mut()) {
            e.push(t.len());
        }
        self.s(", ");
    }

    /// Ends the last argument.
    pub fn end_args(&mut self) {
        if let (Some(t), Some(e)) = (self.text.as_deref(), self.ends.as_deref_mut()) {
            e.push(t.len());
        }
    }

    /// The current position, to [`Out::cut`] back to.
    #[inline]
    pub fn mark(&self) -> Mark {
        Mark {
            text: self.text.as_deref().map_or(0, String::len),
            ends: self.ends.as_deref().map_or(0, Vec::len),
        }
    }

    /// Drops what was written since `m` (a rendering that failed half-way).
    pub fn cut(&mut self, m: Mark) {
        if let Some(t) = self.text.as_deref_mut() {
            t.truncate(m.text);
        }
        if let Some(e) = self.ends.as_deref_mut() {
            e.truncate(m.ends);
        }
    }

    /// A signed decimal.
    #[inline]
    pub fn int(&mut self, v: i64) {
        if let Some(t) = self.text.as_deref_mut() {
            t.push_str(itoa::Buffer::new().format(v));
        }
    }

    /// An unsigned decimal.
    #[inline]
    pub fn uint(&mut self, v: u64) {
        if let Some(t) = self.text.as_deref_mut() {
            t.push_str(itoa::Buffer::new().format(v));
        }
    }

    /// `%#x`: `0` for zero, `0x…` otherwise.
    pub fn hex(&mut self, v: u64) {
        if v == 0 {
            self.c('0');
        } else {
            w!(self, "{v:#x}");
        }
    }

    /// A pointer: `NULL` or `0x…`.
    pub fn ptr(&mut self, v: u64) {
        if v == 0 {
            self.s("NULL");
        } else {
            w!(self, "{v:#x}");
        }
    }

    /// `%#o`: `0` for zero, `0…` otherwise.
    pub fn octal(&mut self, v: u64) {
        if v == 0 {
            self.c('0');
        } else {
            w!(self, "0{v:o}");
        }
    }

    /// C's `%#03o`: `000`, `007`, `0644`.
    pub fn octal03(&mut self, v: u64) {
        if v == 0 {
            self.s("000");
        } else if v < 8 {
            w!(self, "00{v:o}");
        } else {
            w!(self, "0{v:o}");
        }
    }

    /// A file mode as strace prints `umode_t` (`%#03o` of 16 bits): `0644`, `000`.
    pub fn mode(&mut self, v: u64) {
        self.octal03(v & 0xffff);
    }

    /// `bytes` quoted as strace does; `more` appends `...` after the closing quote.
    pub fn quote(&mut self, bytes: &[u8], more: bool, style: Quote) {
        let Some(s) = self.text.as_deref_mut() else {
            return;
        };
        s.reserve(bytes.len() + 5);
        s.push('"');
        for (i, &c) in bytes.iter().enumerate() {
            if style == Quote::Hex {
                let _ = write!(s, "\\x{c:02x}");
                continue;
            }
            match c {
                b'"' => s.push_str("\\\""),
                b'\\' => s.push_str("\\\\"),
                0x0c => s.push_str("\\f"),
                b'\n' => s.push_str("\\n"),
                b'\r' => s.push_str("\\r"),
                b'\t' => s.push_str("\\t"),
                0x0b => s.push_str("\\v"),
                0x20..=0x7e => s.push(c as char),
                _ => {
                    // Octal, with all three digits when an octal digit follows (so it cannot be
                    // misread).
                    let next_is_digit = bytes.get(i + 1).is_some_and(|n| (b'0'..=b'7').contains(n));
                    s.push('\\');
                    if next_is_digit {
                        let _ = write!(s, "{c:03o}");
                    } else {
                        let _ = write!(s, "{c:o}");
                    }
                }
            }
        }
        s.push('"');
        if more {
            s.push_str("...");
        }
    }

    /// `v` as `A|B|0x…` from `(bits, name)` pairs tried in order; `zero` when `v` is 0.
    pub fn flags(&mut self, v: u64, table: &[(u64, &str)], zero: &str) {
        if v == 0 {
            self.s(zero);
            return;
        }
        if self.is_dry() {
            return;
        }
        let mut first = true;
        let mut left = v;
        for &(bits, name) in table {
            if bits != 0 && left & bits == bits {
                if !first {
                    self.c('|');
                }
                self.s(name);
                first = false;
                left &= !bits;
            }
        }
        if left != 0 {
            if !first {
                self.c('|');
            }
            w!(self, "{left:#x}");
        }
    }

    /// `v` as the name of an exact value, or `0x… /* WHAT_??? */` (strace's unknown-value form).
    pub fn xlat(&mut self, v: u64, table: &[(u64, &str)], unknown: &str) {
        match table.iter().find(|&&(val, _)| val == v) {
            Some(&(_, name)) => self.s(name),
            None => {
                self.hex(v);
                w!(self, " /* {unknown} */");
            }
        }
    }

    /// `v` as the name of an exact value, or as a signed decimal (strace's form for numbers that are
    /// usually named but may be anything, such as a socketcall operation).
    pub fn xlat_or_int(&mut self, v: u64, table: &[(u64, &str)]) {
        match table.iter().find(|&&(val, _)| val == v) {
            Some(&(_, name)) => self.s(name),
            None => self.int(i64::from(v as u32 as i32)),
        }
    }
}

/// A position in an [`Out`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mark {
    text: usize,
    ends: usize,
}

/// How a string is quoted.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quote {
    /// strace's default: C escapes, octal for other non-printable bytes.
    Default,
    /// Every byte as `\xNN` (strace does this for random bytes, e.g. `getrandom`).
    Hex,
}

/// A rendering into a new string (for tests and the few places that need a `String`).
pub(crate) fn render(f: impl FnOnce(&mut Out<'_>)) -> String {
    let mut s = String::new();
    f(&mut Out::to(&mut s));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_strings_in_straces_notation() {
        assert_eq!(render(|o| o.hex(0)), "0");
        assert_eq!(render(|o| o.hex(255)), "0xff");
        assert_eq!(render(|o| o.ptr(0)), "NULL");
        assert_eq!(render(|o| o.octal03(0)), "000");
        assert_eq!(render(|o| o.octal03(7)), "007");
        assert_eq!(render(|o| o.octal03(0o644)), "0644");
        assert_eq!(render(|o| o.octal(0o17)), "017");
        assert_eq!(
            render(|o| o.quote(b"a\"\\\n\x01\x012\xff", true, Quote::Default)),
            "\"a\\\"\\\\\\n\\1\\0012\\377\"..."
        );
        assert_eq!(
            render(|o| o.quote(b"\x01\xfe", false, Quote::Hex)),
            "\"\\x01\\xfe\""
        );
        assert_eq!(
            render(|o| o.flags(0x13, &[(1, "A"), (2, "B")], "0")),
            "A|B|0x10"
        );
        assert_eq!(render(|o| o.flags(0, &[(1, "A")], "NONE")), "NONE");
        assert_eq!(
            render(|o| o.xlat(3, &[(1, "A")], "X_???")),
            "0x3 /* X_??? */"
        );
    }

    #[test]
    fn a_dry_out_writes_nothing_and_marks_cut_back() {
        let mut d = Out::dry();
        w!(d, "{}", 5);
        d.quote(b"x", false, Quote::Default);
        assert!(d.is_dry());
        let mut s = String::new();
        let mut ends = Vec::new();
        let mut o = Out::with_ends(&mut s, &mut ends);
        o.s("a");
        o.sep();
        let m = o.mark();
        o.s("half");
        o.sep();
        o.cut(m);
        o.s("b");
        o.end_args();
        assert_eq!(s, "a, b");
        assert_eq!(ends, vec![1, 4]);
    }
}

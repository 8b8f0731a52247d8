//! `--trace EXPR`, as strace's `-e trace=EXPR`: call names and classes (`%file`, `%network`...) as
//! strace 6.1 defines them, comma lists, `!` negation, `all` and `none`. The classes of every call are
//! generated from strace's own tables (`tools/gen-syscalls/gen_classes.py`).
//!
//! The result is a set of call identities; whatever ABI a call is made with, it is in or out by its
//! identity (`openat` on x86_64 and i386 alike). Calls the table does not know (`syscall_0x1bad`) are
//! out of any set but `all` and the negation of one.

use crate::syscalls::Call;

mod generated;

/// `%desc`: calls that take or return a descriptor.
pub const DESC: u32 = 1 << 0;
/// `%file`: calls that take a file name.
pub const FILE: u32 = 1 << 1;
/// `%ipc`.
pub const IPC: u32 = 1 << 2;
/// `%network`.
pub const NETWORK: u32 = 1 << 3;
/// `%process`.
pub const PROCESS: u32 = 1 << 4;
/// `%signal`.
pub const SIGNAL: u32 = 1 << 5;
/// `%memory`.
pub const MEMORY: u32 = 1 << 6;
/// `%stat`.
pub const STAT: u32 = 1 << 7;
/// `%lstat`.
pub const LSTAT: u32 = 1 << 8;
/// `%fstat`.
pub const FSTAT: u32 = 1 << 9;
/// `%%stat` (with the three above).
pub const STAT_LIKE: u32 = 1 << 10;
/// `%statfs`.
pub const STATFS: u32 = 1 << 11;
/// `%fstatfs`.
pub const FSTATFS: u32 = 1 << 12;
/// `%%statfs` (with the two above).
pub const STATFS_LIKE: u32 = 1 << 13;
/// `%pure`: calls that take no argument and always succeed.
pub const PURE: u32 = 1 << 14;
/// `%creds`.
pub const CREDS: u32 = 1 << 15;
/// `%clock`.
pub const CLOCK: u32 = 1 << 16;

/// The classes by name, as strace spells them (without the leading `%`).
pub const CLASSES: &[(&str, u32)] = &[
    ("desc", DESC),
    ("file", FILE),
    ("ipc", IPC),
    ("network", NETWORK),
    ("net", NETWORK),
    ("process", PROCESS),
    ("signal", SIGNAL),
    ("memory", MEMORY),
    ("stat", STAT),
    ("lstat", LSTAT),
    ("fstat", FSTAT),
    ("%stat", STAT | LSTAT | FSTAT | STAT_LIKE),
    ("statfs", STATFS),
    ("fstatfs", FSTATFS),
    ("%statfs", STATFS | FSTATFS | STATFS_LIKE),
    ("pure", PURE),
    ("creds", CREDS),
    ("clock", CLOCK),
];

/// The classes of call `c` (a set of the constants above).
pub fn classes(c: Call) -> u32 {
    generated::classes(c)
}

const WORDS: usize = Call::ALL.len().div_ceil(64);

/// A set of calls, by identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceSet {
    bits: [u64; WORDS],
    /// Whether calls no table knows are in the set.
    unknown: bool,
}

/// A bad `--trace` expression.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TraceError {
    /// A `%class` strace does not have.
    #[error(
        "--trace: unknown class `%{0}` (known: %desc, %file, %ipc, %network, %process, %signal, %memory, %stat, %lstat, %fstat, %%stat, %statfs, %fstatfs, %%statfs, %pure, %creds, %clock)"
    )]
    UnknownClass(String),
    /// A call name no table has.
    #[error("--trace: unknown system call `{0}`")]
    UnknownCall(String),
    /// Nothing between two commas.
    #[error("--trace: empty item in `{0}`")]
    Empty(String),
}

impl TraceSet {
    /// Every call.
    pub const ALL: TraceSet = TraceSet {
        bits: [u64::MAX; WORDS],
        unknown: true,
    };

    /// No call.
    pub const NONE: TraceSet = TraceSet {
        bits: [0; WORDS],
        unknown: false,
    };

    fn add(&mut self, c: Call) {
        let i = c as usize;
        self.bits[i / 64] |= 1 << (i % 64);
    }

    /// Whether call `c` (`None`: a number no table knows) is in the set.
    pub fn contains(&self, c: Option<Call>) -> bool {
        match c {
            Some(c) => {
                let i = c as usize;
                self.bits[i / 64] & (1 << (i % 64)) != 0
            }
            None => self.unknown,
        }
    }

    /// Whether every call is in the set.
    pub fn is_all(&self) -> bool {
        self.unknown && Call::ALL.iter().all(|&c| self.contains(Some(c)))
    }

    /// Parses strace's `trace=` expression: `!`? then items separated by `,` (or `:`, which the
    /// plugin's option string uses), each a call name, a `%class`, `all` or `none`; `?` before an item
    /// ignores it when unknown.
    pub fn parse(expr: &str) -> Result<TraceSet, TraceError> {
        let (neg, body) = match expr.trim().strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, expr.trim()),
        };
        let mut set = TraceSet::NONE;
        for item in body.split([',', ':']) {
            let item = item.trim();
            let (quiet, item) = match item.strip_prefix('?') {
                Some(i) => (true, i),
                None => (false, item),
            };
            if item.is_empty() {
                return Err(TraceError::Empty(expr.to_string()));
            }
            if item == "all" {
                set = TraceSet::ALL;
                continue;
            }
            if item == "none" {
                continue;
            }
            if let Some(class) = item.strip_prefix('%') {
                match CLASSES.iter().find(|(n, _)| *n == class) {
                    Some((_, mask)) => {
                        for &c in Call::ALL.iter() {
                            if classes(c) & mask != 0 {
                                set.add(c);
                            }
                        }
                    }
                    None if quiet => {}
                    None => return Err(TraceError::UnknownClass(class.to_string())),
                }
                continue;
            }
            match Call::ALL.iter().find(|c| c.name() == item) {
                Some(&c) => set.add(c),
                None if quiet => {}
                None => return Err(TraceError::UnknownCall(item.to_string())),
            }
        }
        if neg {
            for w in &mut set.bits {
                *w = !*w;
            }
            set.unknown = !set.unknown;
        }
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_strace() {
        assert_eq!(classes(Call::Connect), NETWORK);
        assert_eq!(classes(Call::Openat), DESC | FILE);
        assert_eq!(classes(Call::Getpid), PURE);
        assert_eq!(classes(Call::Execve), FILE | PROCESS);
        assert_eq!(classes(Call::Kill), PROCESS | SIGNAL);
        assert_eq!(classes(Call::Mmap), DESC | MEMORY);
        assert_eq!(classes(Call::Shmat), IPC | MEMORY);
    }

    #[test]
    fn expressions_parse_as_strace_reads_them() {
        let s = TraceSet::parse("%network,openat").unwrap();
        assert!(s.contains(Some(Call::Connect)) && s.contains(Some(Call::Openat)));
        assert!(!s.contains(Some(Call::Read)) && !s.contains(None));
        let s = TraceSet::parse("!%desc").unwrap();
        assert!(!s.contains(Some(Call::Read)) && s.contains(Some(Call::Getpid)));
        assert!(s.contains(None));
        let s = TraceSet::parse("%%stat").unwrap();
        assert!(s.contains(Some(Call::Stat)) && s.contains(Some(Call::Fstat)));
        assert!(s.contains(Some(Call::Lstat)) && s.contains(Some(Call::Newfstatat)));
        assert!(TraceSet::parse("all").unwrap().is_all());
        assert!(!TraceSet::parse("none").unwrap().contains(Some(Call::Read)));
        assert!(
            TraceSet::parse("?nosuchcall,read")
                .unwrap()
                .contains(Some(Call::Read))
        );
        assert_eq!(
            TraceSet::parse("read,%bogus"),
            Err(TraceError::UnknownClass("bogus".into()))
        );
        assert_eq!(
            TraceSet::parse("opne"),
            Err(TraceError::UnknownCall("opne".into()))
        );
        assert!(matches!(
            TraceSet::parse("read,,write"),
            Err(TraceError::Empty(_))
        ));
        assert_eq!(
            TraceError::UnknownCall("opne".into()).to_string(),
            "--trace: unknown system call `opne`"
        );
    }
}

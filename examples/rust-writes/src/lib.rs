//! `writes`: an example vmscope module in Rust. It consumes the `files` module's events (one
//! module's output is another's input) and publishes one derived event, `file_written`, each time a
//! process closes a file it wrote through: which file, how many write calls and bytes, and the
//! largest single write. Files still open when tracing stops are reported then.
//!
//! Option: `--module-option writes.min_bytes=N` reports only files that got at least N bytes.
//!
//! Build: `cargo build --release` here (or `-p vmscope-example-writes` in the workspace); load the
//! `libvmscope_writes.so` it makes with `vmscope run --modules ./libvmscope_writes.so`.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use vmscope_sdk::{Event, Host, Kind, Module, Value};

/// What one process wrote through one handle so far.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Written {
    /// The file.
    pub path: String,
    /// The writing process's command name.
    pub comm: String,
    /// Write calls.
    pub writes: u64,
    /// Bytes written.
    pub bytes: u64,
    /// The largest single write.
    pub largest: u64,
}

/// The module.
#[derive(Debug, Default)]
pub struct Writes {
    min_bytes: u64,
    /// By (pid, handle): several vCPUs may call at once, hence the lock (held briefly).
    open: Mutex<HashMap<(u32, i64), Written>>,
}

impl Writes {
    /// Feeds one file operation; returns what to report when it closes a written file.
    pub fn apply(
        &self,
        op: &str,
        pid: u32,
        fd: i64,
        path: Option<&str>,
        comm: Option<&str>,
        bytes: Option<u64>,
    ) -> Option<(u32, Written)> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        match op {
            "write" => {
                let n = bytes?;
                let w = open.entry((pid, fd)).or_default();
                if let Some(p) = path {
                    w.path = p.to_string();
                }
                if let Some(c) = comm {
                    w.comm = c.to_string();
                }
                w.writes += 1;
                w.bytes += n;
                w.largest = w.largest.max(n);
                None
            }
            // A handle reused by open/create starts over; close reports.
            "open" | "create" => {
                open.remove(&(pid, fd));
                None
            }
            "close" => open
                .remove(&(pid, fd))
                .filter(|w| w.bytes >= self.min_bytes)
                .map(|w| (pid, w)),
            _ => None,
        }
    }

    fn publish(host: &mut Host<'_>, pid: u32, w: &Written, at: &str) -> Result<(), String> {
        host.publish(
            "file_written",
            &[
                ("pid", Value::UInt(u64::from(pid))),
                ("comm", Value::Str(&w.comm)),
                ("path", Value::Str(&w.path)),
                ("writes", Value::UInt(w.writes)),
                ("bytes", Value::UInt(w.bytes)),
                ("largest", Value::UInt(w.largest)),
                ("at", Value::Str(at)),
            ],
        )
    }
}

impl Module for Writes {
    const NAME: &'static str = "writes";
    const DEPENDS: &'static [&'static str] = &["files"];
    const CONSUMES: &'static [Kind] = &[Kind::File];

    fn new() -> Self {
        Self::default()
    }

    fn configure(&mut self, key: &str, value: &str) -> Result<(), String> {
        match key {
            "min_bytes" => {
                self.min_bytes = value
                    .parse()
                    .map_err(|_| format!("min_bytes: expected a number, got `{value}`"))?;
                Ok(())
            }
            _ => Err(format!("unknown option `{key}` (known: min_bytes)")),
        }
    }

    fn on_event(&self, event: &Event<'_>, host: &mut Host<'_>) -> Result<(), String> {
        let Some(f) = event.file() else {
            return Ok(());
        };
        let (Some(pid), Some(fd)) = (f.thread().pid, f.fd()) else {
            return Ok(());
        };
        if f.error().is_some() {
            return Ok(());
        }
        match self.apply(f.op(), pid, fd, f.path(), f.thread().comm, f.bytes()) {
            Some((pid, w)) => Self::publish(host, pid, &w, "close"),
            None => Ok(()),
        }
    }

    fn on_stop(&self, host: &mut Host<'_>) -> Result<(), String> {
        let left: Vec<((u32, i64), Written)> = self
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain()
            .collect();
        for ((pid, _), w) in left.iter().filter(|(_, w)| w.bytes >= self.min_bytes) {
            Self::publish(host, *pid, w, "end")?;
        }
        Ok(())
    }
}

vmscope_sdk::export_module!(Writes);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_close_reports_what_was_written_through_the_handle() {
        let m = Writes::default();
        assert_eq!(
            m.apply("create", 7, 3, Some("/etc/x"), Some("sh"), None),
            None
        );
        assert_eq!(
            m.apply("write", 7, 3, Some("/etc/x"), Some("sh"), Some(5)),
            None
        );
        assert_eq!(
            m.apply("write", 7, 3, Some("/etc/x"), Some("sh"), Some(9)),
            None
        );
        // Another process's handle 3 is another file.
        assert_eq!(
            m.apply("write", 8, 3, Some("/tmp/y"), Some("cat"), Some(1)),
            None
        );
        let (pid, w) = m.apply("close", 7, 3, Some("/etc/x"), None, None).unwrap();
        assert_eq!(pid, 7);
        assert_eq!(
            w,
            Written {
                path: "/etc/x".into(),
                comm: "sh".into(),
                writes: 2,
                bytes: 14,
                largest: 9
            }
        );
        // Closing a handle never written reports nothing.
        assert_eq!(m.apply("close", 7, 4, Some("/etc/y"), None, None), None);
    }

    #[test]
    fn min_bytes_filters_and_is_checked() {
        let mut m = Writes::default();
        assert!(m.configure("min_bytes", "lots").is_err());
        assert!(m.configure("colour", "red").is_err());
        m.configure("min_bytes", "10").unwrap();
        m.apply("write", 1, 3, Some("/a"), None, Some(4));
        assert_eq!(m.apply("close", 1, 3, None, None, None), None);
        m.apply("write", 1, 3, Some("/a"), None, Some(10));
        assert!(m.apply("close", 1, 3, None, None, None).is_some());
    }
}

//! One-line descriptions of a kernel layout and of layout errors, for users.

use crate::btf::{CurrentTaskVia, KernelLayout};
use crate::error::Error;

impl KernelLayout {
    /// One line: release, how the current task is found, and what is missing.
    pub fn describe(&self) -> String {
        let via = match self.percpu.current_task_via {
            CurrentTaskVia::PcpuHot { .. } => "pcpu_hot.current_task",
            CurrentTaskVia::Standalone => "per-CPU current_task",
            CurrentTaskVia::Register => "a register (arm64 SP_EL0)",
        };
        let offset = match self.percpu.current_task_via {
            CurrentTaskVia::Register => String::new(),
            _ => format!(" (per-CPU offset {:#x})", self.percpu.current_task),
        };
        let mut s = format!(
            "Linux {}, current task via {via}{offset}, task_struct.pid at {}",
            self.release.as_deref().unwrap_or("(release unknown)"),
            self.task.pid
        );
        if !self.missing.is_empty() {
            s.push_str(&format!(
                "; degraded, BTF lacks: {}",
                self.missing.join(", ")
            ));
        }
        s
    }
}

impl Error {
    /// The file is a kernel, but without the BTF (or the BTF fields) needed to identify threads:
    /// tracing can go on without thread identities.
    pub fn is_missing_btf(&self) -> bool {
        matches!(
            self,
            Error::NoBtf | Error::Btf { .. } | Error::MissingField { .. }
        )
    }
}

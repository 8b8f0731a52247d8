//! The hardware level: which thread a vCPU runs (published by the `sched` module), device accesses
//! (the `devices` module) and code coverage files written (the `coverage` module).

use serde::{Serialize, Serializer};

use super::{CompactString, ThreadCtx};

fn hex<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("{v:#x}"))
}

/// A vCPU starts running another user thread (`type: "switch"`): seen at the thread's return to user
/// mode, the first after another thread's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SwitchEvent {
    /// Nanoseconds since tracing started.
    pub ts: u64,
    /// The vCPU.
    pub vcpu: u32,
    /// The new thread's process.
    pub pid: Option<u32>,
    /// The new thread.
    pub tid: Option<u32>,
    /// The new thread's command name.
    pub comm: Option<CompactString>,
    /// The thread that ran user code on this vCPU before (`None`: none yet, or unknown).
    pub prev_pid: Option<u32>,
    /// Its thread id.
    pub prev_tid: Option<u32>,
}

/// One thread's time on one vCPU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VcpuTime {
    /// The vCPU.
    pub vcpu: u32,
    /// Nanoseconds from its returns to user mode there until another thread's return there.
    pub ns: u64,
    /// How many times it was switched in there.
    pub switches: u64,
}

/// Per thread, its time on each vCPU (`type: "sched_summary"`, one per thread, at the end).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchedSummary {
    /// Nanoseconds since tracing started.
    pub ts: u64,
    /// The process.
    pub pid: Option<u32>,
    /// The thread.
    pub tid: Option<u32>,
    /// Its command name (the last seen).
    pub comm: Option<CompactString>,
    /// The sum over vCPUs.
    pub total_ns: u64,
    /// Per vCPU, in vCPU order.
    pub vcpus: Vec<VcpuTime>,
}

/// Which address space a device access is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceSpace {
    /// x86 I/O ports (`in`/`out`/`ins`/`outs`).
    Pio,
    /// Memory-mapped I/O.
    Mmio,
}

impl DeviceSpace {
    /// `pio` or `mmio`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceSpace::Pio => "pio",
            DeviceSpace::Mmio => "mmio",
        }
    }
}

/// One access to a device (`type: "device"`), journaled for the devices asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceEvent {
    /// Nanoseconds since tracing started.
    pub ts: u64,
    /// The vCPU.
    pub vcpu: u32,
    /// The thread last seen on this vCPU (the kernel may act for it, or in an interrupt).
    #[serde(flatten)]
    pub thread: ThreadCtx,
    /// Port or memory space.
    pub space: DeviceSpace,
    /// The device's name.
    pub device: CompactString,
    /// The port, or the physical address.
    #[serde(serialize_with = "hex")]
    pub addr: u64,
    /// `read` or `write`.
    pub op: &'static str,
    /// Bytes per access.
    pub size: u8,
    /// How many accesses (more than 1 for `rep ins`/`rep outs`).
    pub count: u32,
    /// The value written (`out`, MMIO stores) or read (MMIO loads); `None` where it is not known at
    /// the access (`in`, `ins`, `outs`).
    pub value: Option<u64>,
    /// The instruction's address.
    #[serde(serialize_with = "hex")]
    pub pc: u64,
}

/// A process that accessed a device, with how many accesses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceUser {
    /// The process (`None`: before any thread was known on the vCPU).
    pub pid: Option<u32>,
    /// Its command name.
    pub comm: Option<CompactString>,
    /// Accesses made while it was the vCPU's thread.
    pub accesses: u64,
}

/// One register (offset from the device's base) of a port device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceRegister {
    /// Offset from the device's base.
    pub offset: u64,
    /// Reads.
    pub reads: u64,
    /// Writes.
    pub writes: u64,
    /// Bytes read.
    pub bytes_read: u64,
    /// Bytes written.
    pub bytes_written: u64,
}

/// A device's accesses over the run (`type: "device_summary"`, one per device, at the end).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceSummary {
    /// Nanoseconds since tracing started.
    pub ts: u64,
    /// Port or memory space.
    pub space: DeviceSpace,
    /// The device's name.
    pub device: CompactString,
    /// Its first port (its range's), or the lowest physical address accessed.
    #[serde(serialize_with = "hex")]
    pub base: u64,
    /// Read accesses.
    pub reads: u64,
    /// Write accesses.
    pub writes: u64,
    /// Bytes read.
    pub bytes_read: u64,
    /// Bytes written.
    pub bytes_written: u64,
    /// Per register (port devices; empty for MMIO).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub registers: Vec<DeviceRegister>,
    /// The processes that were running when it was accessed, most accesses first.
    pub processes: Vec<DeviceUser>,
}

/// A coverage file written (`type: "coverage"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageEvent {
    /// Nanoseconds since tracing started.
    pub ts: u64,
    /// The process (`None` for the kernel's file).
    pub pid: Option<u32>,
    /// Its command name.
    pub comm: Option<String>,
    /// Why now: `exit`, `exec` (the program it ran before), `end`.
    pub when: &'static str,
    /// The drcov file.
    pub file: String,
    /// Unique blocks in it.
    pub blocks: u64,
    /// Modules in its table.
    pub modules: u32,
    /// Blocks outside every module (not in the file).
    pub outside: u64,
    /// Writing it failed: why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

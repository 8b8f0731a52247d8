//! The devices module (hardware level): every port I/O instruction and every memory access that
//! reaches a device rather than RAM, counted per device; one `device_summary` per device at the end
//! (reads, writes, bytes each way, per register for port devices, and the processes that were
//! running), and with `--device-events DEV,...` one `device` event per access to the devices named.
//!
//! The backend finds port I/O at translation time (the architecture decodes `in`/`out`/`ins`/`outs`)
//! and reads the port and the value written at execution; MMIO comes from memory callbacks whose
//! physical address is I/O, named by QEMU's memory region. Ports are named by the PC's well-known
//! ranges ([`ports`]). A process "caused" an access when it was the last thread to enter the kernel
//! on that vCPU (drivers run in its system calls; an interrupt's accesses go to whoever was there).

pub mod ports;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError};

use vmscope_core::clock;
use vmscope_core::event::{
    CompactString, DeviceEvent, DeviceRegister, DeviceSpace, DeviceSummary, DeviceUser, Event,
    ThreadCtx,
};
use vmscope_core::guest::GuestCpu;
use vmscope_core::module::{Bus, DeviceAccess, Hook, HookPoint, Interest, Module};

use crate::context::Context;

#[cfg(test)]
mod tests;

/// Devices counted at most (a hostile guest cannot make more port ranges than 8 Ki; MMIO names are
/// QEMU's).
const MAX_DEVICES: usize = 16_384;
/// Processes per device at most.
const MAX_USERS: usize = 1024;

#[derive(Debug, Default)]
struct Stats {
    base: u64,
    /// reads, writes, bytes read, bytes written.
    total: [u64; 4],
    regs: BTreeMap<u64, [u64; 4]>,
    users: HashMap<Option<u32>, (Option<CompactString>, u64)>,
}

/// The devices module.
pub struct Devices {
    /// Devices whose every access is journaled (`*`: all).
    journal: Vec<String>,
    vcpus: Box<[Mutex<ThreadCtx>]>,
    stats: Mutex<HashMap<(DeviceSpace, CompactString), Stats>>,
}

impl Devices {
    /// The module's name.
    pub const NAME: &'static str = "devices";

    /// A devices module journaling every access to the devices in `journal`.
    pub fn new(journal: Vec<String>, max_vcpus: usize) -> Self {
        Self {
            journal,
            vcpus: (0..max_vcpus.max(1)).map(|_| Mutex::default()).collect(),
            stats: Mutex::default(),
        }
    }

    fn journaled(&self, name: &str) -> bool {
        self.journal.iter().any(|d| d == name || d == "*")
    }
}

impl Module for Devices {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn depends(&self) -> &[&str] {
        &[Context::NAME]
    }

    fn interest(&self) -> Interest {
        Interest {
            entries: true,
            port_io: true,
            mmio: true,
            ..Interest::default()
        }
    }

    fn on_hook(&self, _cpu: &mut dyn GuestCpu, hook: &mut Hook, _bus: &mut Bus) {
        if let (HookPoint::Entry(_), Some(t)) = (hook.point, &hook.thread)
            && t.pid.is_some()
            && let Some(slot) = self.vcpus.get(hook.vcpu as usize)
        {
            let mut cur = slot.lock().unwrap_or_else(PoisonError::into_inner);
            if cur.task != t.task || cur.pid != t.pid || cur.comm != t.comm {
                *cur = t.clone();
            }
        }
    }

    fn on_device(&self, a: &DeviceAccess, bus: &mut Bus) {
        let (name, base) = match a.space {
            DeviceSpace::Pio => {
                let (name, base) = ports::device(a.addr as u16);
                let name = match name {
                    Some(n) => CompactString::const_new(n),
                    None => CompactString::from(format!("io-{base:#x}")),
                };
                (name, u64::from(base))
            }
            DeviceSpace::Mmio => (CompactString::from(a.device.unwrap_or("mmio")), a.addr),
        };
        let thread = self
            .vcpus
            .get(a.vcpu as usize)
            .map(|s| s.lock().unwrap_or_else(PoisonError::into_inner).clone())
            .unwrap_or_default();
        let bytes = u64::from(a.size) * u64::from(a.count);
        let count = u64::from(a.count);
        let col = if a.write { 1 } else { 0 };
        {
            let mut stats = self.stats.lock().unwrap_or_else(PoisonError::into_inner);
            let key = (a.space, name.clone());
            if stats.len() >= MAX_DEVICES && !stats.contains_key(&key) {
                return;
            }
            let s = stats.entry(key).or_insert_with(|| Stats {
                base,
                ..Stats::default()
            });
            s.base = s.base.min(base);
            s.total[col] += count;
            s.total[col + 2] += bytes;
            if a.space == DeviceSpace::Pio {
                let r = s.regs.entry(a.addr.saturating_sub(base)).or_default();
                r[col] += count;
                r[col + 2] += bytes;
            }
            if s.users.len() < MAX_USERS || s.users.contains_key(&thread.pid) {
                let u = s
                    .users
                    .entry(thread.pid)
                    .or_insert_with(|| (thread.comm.clone(), 0));
                u.1 += count;
            }
        }
        if self.journaled(&name) {
            bus.publish(Event::Device(Box::new(DeviceEvent {
                ts: a.ts,
                vcpu: a.vcpu,
                thread,
                space: a.space,
                device: name,
                addr: a.addr,
                op: if a.write { "write" } else { "read" },
                size: a.size,
                count: a.count,
                value: a.value,
                pc: a.pc,
            })));
        }
    }

    fn on_stop(&self, bus: &mut Bus) {
        let ts = clock::now_ns();
        let stats = std::mem::take(&mut *self.stats.lock().unwrap_or_else(PoisonError::into_inner));
        let mut all: Vec<_> = stats.into_iter().collect();
        all.sort_by(|a, b| (a.0.0, a.1.base, &a.0.1).cmp(&(b.0.0, b.1.base, &b.0.1)));
        for ((space, device), s) in all {
            let mut processes: Vec<DeviceUser> = s
                .users
                .into_iter()
                .map(|(pid, (comm, accesses))| DeviceUser {
                    pid,
                    comm,
                    accesses,
                })
                .collect();
            processes.sort_by(|a, b| b.accesses.cmp(&a.accesses).then(a.pid.cmp(&b.pid)));
            bus.publish(Event::DeviceSummary(Box::new(DeviceSummary {
                ts,
                space,
                device,
                base: s.base,
                reads: s.total[0],
                writes: s.total[1],
                bytes_read: s.total[2],
                bytes_written: s.total[3],
                registers: s
                    .regs
                    .into_iter()
                    .map(|(offset, r)| DeviceRegister {
                        offset,
                        reads: r[0],
                        writes: r[1],
                        bytes_read: r[2],
                        bytes_written: r[3],
                    })
                    .collect(),
                processes,
            })));
        }
    }
}

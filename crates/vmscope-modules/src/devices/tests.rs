#![allow(clippy::unwrap_used, reason = "tests may panic")]

use vmscope_core::arch::EntryKind;
use vmscope_core::event::{DeviceSpace, Event, ThreadCtx};
use vmscope_core::guest::TestGuest;
use vmscope_core::module::{Bus, DeviceAccess, Hook, HookPoint, Module};

use super::Devices;

fn out(port: u64, value: u64) -> DeviceAccess {
    DeviceAccess {
        ts: 5,
        vcpu: 0,
        pc: 0xffff_ffff_8100_0000,
        space: DeviceSpace::Pio,
        addr: port,
        size: 1,
        count: 1,
        write: true,
        value: Some(value),
        device: None,
    }
}

#[test]
fn accesses_are_counted_per_device_and_register_and_journaled_when_asked() {
    let d = Devices::new(vec!["serial0".into()], 1);
    let mut h = Hook::new(0, 0, 0, 2, HookPoint::Entry(EntryKind::Syscall));
    h.thread = Some(ThreadCtx {
        pid: Some(9),
        tid: Some(9),
        comm: Some("wl".into()),
        task: 1,
        asid: 1,
    });
    d.on_hook(&mut TestGuest::new(), &mut h, &mut Bus::default());
    let mut bus = Bus::default();
    for b in b"hi\n" {
        d.on_device(&out(0x3f8, u64::from(*b)), &mut bus);
    }
    d.on_device(
        &DeviceAccess {
            write: false,
            value: None,
            addr: 0x3fd,
            ..out(0, 0)
        },
        &mut bus,
    );
    // rep outsw of 4 to a PCI device's port: not journaled.
    d.on_device(
        &DeviceAccess {
            size: 2,
            count: 4,
            value: None,
            ..out(0xc042, 0)
        },
        &mut bus,
    );
    let ev = bus.take();
    assert_eq!(ev.len(), 4);
    let Event::Device(first) = &ev[0] else {
        panic!()
    };
    assert_eq!(
        (first.value, first.op, first.thread.pid),
        (Some(u64::from(b'h')), "write", Some(9))
    );
    let mut bus = Bus::default();
    d.on_stop(&mut bus);
    let sums: Vec<_> = bus
        .take()
        .into_iter()
        .filter_map(|e| match e {
            Event::DeviceSummary(s) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(sums.len(), 2);
    let serial = sums.iter().find(|s| s.device == "serial0").unwrap();
    assert_eq!(
        (
            serial.base,
            serial.reads,
            serial.writes,
            serial.bytes_written
        ),
        (0x3f8, 1, 3, 3)
    );
    assert_eq!(serial.registers.len(), 2);
    assert_eq!(
        (serial.registers[0].offset, serial.registers[0].writes),
        (0, 3)
    );
    assert_eq!(serial.processes[0].pid, Some(9));
    let pci = sums.iter().find(|s| s.device == "io-0xc040").unwrap();
    assert_eq!((pci.writes, pci.bytes_written), (4, 8));
}

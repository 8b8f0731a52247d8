//! Names of the PC's well-known I/O port ranges (QEMU gives no name for a port access): the legacy
//! devices of the i440FX and Q35 machines, and the PCI configuration ports. Ports in no range are
//! grouped by 8 (`io-0xc040`): PCI devices' I/O BARs.

/// `(first port, last port, name)`, sorted by first port.
const RANGES: &[(u16, u16, &str)] = &[
    (0x0000, 0x001f, "dma1"),
    (0x0020, 0x0021, "pic-master"),
    (0x0040, 0x0043, "pit"),
    (0x0060, 0x0060, "i8042"),
    (0x0061, 0x0061, "port61"),
    (0x0064, 0x0064, "i8042"),
    (0x0070, 0x0071, "rtc-cmos"),
    (0x0080, 0x0080, "post"),
    (0x0081, 0x008f, "dma-page"),
    (0x0092, 0x0092, "port92"),
    (0x00a0, 0x00a1, "pic-slave"),
    (0x00b2, 0x00b3, "apm-smi"),
    (0x00c0, 0x00df, "dma2"),
    (0x00f0, 0x00ff, "fpu"),
    (0x0170, 0x0177, "ide1"),
    (0x01f0, 0x01f7, "ide0"),
    (0x02e8, 0x02ef, "serial3"),
    (0x02f8, 0x02ff, "serial1"),
    (0x0376, 0x0376, "ide1"),
    (0x0378, 0x037f, "parallel0"),
    (0x03b0, 0x03df, "vga"),
    (0x03e8, 0x03ef, "serial2"),
    (0x03f0, 0x03f5, "floppy"),
    (0x03f6, 0x03f6, "ide0"),
    (0x03f7, 0x03f7, "floppy"),
    (0x03f8, 0x03ff, "serial0"),
    (0x0402, 0x0402, "debugcon"),
    (0x04d0, 0x04d1, "elcr"),
    (0x0510, 0x0511, "fw_cfg"),
    (0x0514, 0x051b, "fw_cfg-dma"),
    (0x0600, 0x067f, "acpi-pm"),
    (0x0cf8, 0x0cfb, "pci-conf-addr"),
    (0x0cf9, 0x0cf9, "reset"),
    (0x0cfc, 0x0cff, "pci-conf-data"),
    (0xaf00, 0xaf1f, "acpi-cpu-hotplug"),
    (0xae00, 0xae17, "acpi-pci-hotplug"),
    (0xafe0, 0xafe3, "acpi-ged"),
    (0xb000, 0xb03f, "acpi-pm"),
];

/// The device a port belongs to, and the first port of its range.
pub fn device(port: u16) -> (Option<&'static str>, u16) {
    // Byte accesses to 0xcf9 (reset) fall inside the 32-bit address port: the narrower range wins.
    let mut best: Option<(u16, u16, &str)> = None;
    for &(lo, hi, name) in RANGES {
        if (lo..=hi).contains(&port) && best.is_none_or(|b| hi - lo < b.1 - b.0) {
            best = Some((lo, hi, name));
        }
    }
    match best {
        Some((lo, _, name)) => (Some(name), lo),
        None => (None, port & !7),
    }
}

#[cfg(test)]
mod tests {
    use super::device;

    #[test]
    fn ports_are_named_by_their_range() {
        assert_eq!(device(0x3f8), (Some("serial0"), 0x3f8));
        assert_eq!(device(0x3fd), (Some("serial0"), 0x3f8));
        assert_eq!(device(0x2f9), (Some("serial1"), 0x2f8));
        assert_eq!(device(0xcf9), (Some("reset"), 0xcf9));
        assert_eq!(device(0xcfa), (Some("pci-conf-addr"), 0xcf8));
        assert_eq!(device(0xc043), (None, 0xc040));
    }
}

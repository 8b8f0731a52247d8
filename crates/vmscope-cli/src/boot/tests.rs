//! Boot decisions from the command line, and disk images told apart by their first sectors.

use super::*;

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

fn decide_with(r: Request<'_>) -> Result<Boot, String> {
    decide(&r).map_err(|e| format!("{e:#}"))
}

#[test]
fn boot_options_and_accelerators_are_found_by_name() {
    let u = UserBoot::scan(&args(&[
        "-m",
        "1024",
        "--drive",
        "file=d.img,if=virtio",
        "-serial",
        "file:x",
        "-drive",
        "file=e.img",
        "-cdrom",
        "x.iso",
    ]));
    assert_eq!(u.options, ["drive", "cdrom"]);
    assert!(!u.firmware && u.accel.is_none());
    assert!(UserBoot::scan(&args(&["-bios", "OVMF.fd"])).firmware);
    assert!(UserBoot::scan(&args(&["-drive", "if=pflash,format=raw,file=c.fd"])).firmware);
    for kvm in [
        &["-enable-kvm"][..],
        &["--enable-kvm"],
        &["-accel", "kvm"],
        &["-accel", "accel=kvm,thread=single"],
        &["-machine", "q35,accel=kvm"],
        &["-M", "pc,accel=kvm:tcg"],
        &["-accel", "hvf"],
    ] {
        assert!(UserBoot::scan(&args(kvm)).accel.is_some(), "{kvm:?}");
    }
    for tcg in [
        &["-accel", "tcg"][..],
        &["-accel", "tcg,thread=multi"],
        &["-machine", "q35,accel=tcg"],
        &["-M", "q35"],
        &["-serial", "null"],
    ] {
        assert_eq!(UserBoot::scan(&args(tcg)).accel, None, "{tcg:?}");
    }
    // Nothing that boots.
    assert!(
        UserBoot::scan(&args(&["-serial", "file:x", "-m", "1G"]))
            .options
            .is_empty()
    );
}

#[test]
fn the_guests_own_boot_takes_no_boot_option_of_vmscopes() {
    let qemu = args(&[
        "-kernel",
        "/k",
        "-initrd",
        "/i",
        "-append",
        "root=/dev/vda",
        "-drive",
        "file=disk.img,if=virtio,format=raw",
    ]);
    let b = decide_with(Request {
        qemu_args: &qemu,
        plugin: true,
        ..Request::default()
    });
    assert!(
        matches!(&b, Ok(Boot::Own { args, what }) if args.is_empty() && what.contains("-kernel, -initrd, -append, -drive")),
        "{b:?}"
    );
    // A drive alone boots too (the PC BIOS boots from it).
    let qemu = args(&["-drive", "file=disk.img"]);
    let b = decide_with(Request {
        qemu_args: &qemu,
        plugin: true,
        ..Request::default()
    });
    assert!(matches!(b, Ok(Boot::Own { .. })), "{b:?}");
    // Nothing after `--` that boots: the default guest; --kernel: vmscope's kernel, with the
    // drives as the guest's disks.
    let serial = args(&["-serial", "file:s"]);
    assert_eq!(
        decide_with(Request {
            qemu_args: &serial,
            plugin: true,
            ..Request::default()
        }),
        Ok(Boot::Kernel {
            kernel: None,
            initrd: None
        })
    );
    let k = Path::new("/k");
    let b = decide_with(Request {
        kernel: Some(k),
        qemu_args: &qemu,
        plugin: true,
        ..Request::default()
    });
    assert!(
        matches!(
            b,
            Ok(Boot::Kernel {
                kernel: Some(_),
                ..
            })
        ),
        "{b:?}"
    );
}

#[test]
fn conflicting_boot_options_are_one_line() {
    let k = Path::new("/k");
    let disk = Path::new("/nonexistent/disk.img");
    let cases: Vec<(Request<'_>, Vec<String>, &str)> = vec![
        (
            Request {
                kernel: Some(k),
                ..Request::default()
            },
            args(&["-kernel", "/other"]),
            "--kernel and -kernel after `--` conflict",
        ),
        (
            Request {
                kernel: Some(k),
                ..Request::default()
            },
            args(&["-kernel", "/k", "-append", "x"]),
            "conflict",
        ),
        (
            Request {
                append: Some("quiet"),
                ..Request::default()
            },
            args(&["-drive", "file=d.img"]),
            "--append goes with vmscope's own -kernel",
        ),
        (
            Request {
                initrd: Some(k),
                ..Request::default()
            },
            args(&["-hda", "d.img"]),
            "--initrd goes with vmscope's own -kernel",
        ),
        (
            Request {
                disk: Some(disk),
                kernel: Some(k),
                ..Request::default()
            },
            vec![],
            "--disk and --kernel conflict",
        ),
        (
            Request {
                disk: Some(disk),
                ..Request::default()
            },
            args(&["-kernel", "/k"]),
            "--disk and -kernel after `--` conflict",
        ),
        (
            Request {
                disk_write: true,
                ..Request::default()
            },
            vec![],
            "--disk-write needs --disk",
        ),
        (
            Request::default(),
            args(&["-append", "root=/dev/vda"]),
            "-append after `--` needs -kernel",
        ),
        (
            Request::default(),
            args(&["-initrd", "/i", "-drive", "file=x"]),
            "-initrd after `--` needs -kernel",
        ),
        (
            Request {
                plugin: true,
                ..Request::default()
            },
            args(&["-enable-kvm"]),
            "sees only TCG execution",
        ),
        (
            Request {
                plugin: true,
                ..Request::default()
            },
            args(&["-machine", "pc,accel=kvm"]),
            "`-machine pc,accel=kvm`",
        ),
    ];
    for (mut r, qemu, want) in cases {
        r.qemu_args = &qemu;
        let e = decide_with(r)
            .err()
            .unwrap_or_else(|| panic!("{want}: accepted"));
        assert!(e.contains(want), "want `{want}` in: {e}");
        assert_eq!(e.lines().count(), 1, "{e}");
    }
    // Without the plugin KVM is the user's business.
    let kvm = args(&["-enable-kvm"]);
    assert!(
        decide_with(Request {
            qemu_args: &kvm,
            ..Request::default()
        })
        .is_ok()
    );
}

/// A disk's first sectors: an MBR (boot signature; `protective` adds a 0xee partition) and, with
/// `gpt`, a GPT header at LBA 1 with these partition type GUIDs at LBA 2.
fn disk_head(protective: bool, gpt: &[[u8; 16]]) -> Vec<u8> {
    let mut d = vec![0u8; TABLE_BYTES];
    d[510] = 0x55;
    d[511] = 0xaa;
    if protective {
        d[446 + 4] = 0xee;
    }
    if !gpt.is_empty() {
        d[512..520].copy_from_slice(b"EFI PART");
        d[512 + 72..512 + 80].copy_from_slice(&2u64.to_le_bytes());
        d[512 + 80..512 + 84].copy_from_slice(&128u32.to_le_bytes());
        d[512 + 84..512 + 88].copy_from_slice(&128u32.to_le_bytes());
        for (i, g) in gpt.iter().enumerate() {
            let at = 1024 + i * 128;
            d[at..at + 16].copy_from_slice(g);
        }
    }
    d
}

const LINUX: [u8; 16] = [0xaf; 16];

#[test]
fn the_partition_table_says_which_firmware() {
    assert_eq!(firmware_of(&[0u8; 1024]), None, "no boot signature");
    assert_eq!(firmware_of(&[]), None);
    assert_eq!(firmware_of(&disk_head(false, &[])), Some(Firmware::Bios));
    assert_eq!(
        firmware_of(&disk_head(true, &[ESP, LINUX])),
        Some(Firmware::Uefi)
    );
    assert_eq!(
        firmware_of(&disk_head(true, &[BIOS_BOOT, ESP, LINUX])),
        Some(Firmware::Bios),
        "GPT with a BIOS boot partition"
    );
    assert_eq!(
        firmware_of(&disk_head(true, &[LINUX])),
        Some(Firmware::Bios)
    );
    // A GPT header whose entries point far away or have a silly size: no panic, the BIOS.
    let mut d = disk_head(true, &[ESP]);
    d[512 + 72..512 + 80].copy_from_slice(&u64::MAX.to_le_bytes());
    assert_eq!(firmware_of(&d), Some(Firmware::Bios));
    let mut d = disk_head(true, &[ESP]);
    d[512 + 84..512 + 88].copy_from_slice(&7u32.to_le_bytes());
    assert_eq!(firmware_of(&d), Some(Firmware::Bios));
}

fn tmp(name: &str, bytes: &[u8]) -> PathBuf {
    let d = std::env::temp_dir().join(format!("vmscope-boot-{}", std::process::id()));
    std::fs::create_dir_all(&d).ok();
    let p = d.join(name);
    std::fs::write(&p, bytes).ok();
    p
}

/// A qcow2 (version 2, 64 KiB clusters) holding `data` at the start of the disk: header, L1 table
/// at cluster 1, L2 table at cluster 2, the data cluster at cluster 3.
fn qcow2(data: &[u8], backing: bool) -> Vec<u8> {
    let c = 1u64 << 16;
    let mut f = vec![0u8; 4 * c as usize];
    f[0..4].copy_from_slice(b"QFI\xfb");
    f[4..8].copy_from_slice(&2u32.to_be_bytes());
    if backing {
        f[8..16].copy_from_slice(&0x200u64.to_be_bytes());
    }
    f[20..24].copy_from_slice(&16u32.to_be_bytes());
    f[24..32].copy_from_slice(&(1u64 << 30).to_be_bytes());
    f[36..40].copy_from_slice(&1u32.to_be_bytes());
    f[40..48].copy_from_slice(&c.to_be_bytes());
    f[c as usize..c as usize + 8].copy_from_slice(&((2 * c) | 1 << 63).to_be_bytes());
    let l2 = 2 * c as usize;
    f[l2..l2 + 8].copy_from_slice(&((3 * c) | 1 << 63).to_be_bytes());
    let at = 3 * c as usize;
    f[at..at + data.len()].copy_from_slice(data);
    f
}

#[test]
fn disks_are_checked_before_qemu_starts() {
    let uefi = tmp("gpt.img", &disk_head(true, &[ESP, LINUX]));
    let d = check_disk(&uefi).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!((d.format, d.firmware), (DiskFormat::Raw, Firmware::Uefi));
    assert_eq!(
        d.drive_arg(false),
        format!("file={},format=raw,if=virtio,snapshot=on", uefi.display())
    );
    assert!(!d.drive_arg(true).contains("snapshot"));
    let q = tmp("gpt.qcow2", &qcow2(&disk_head(true, &[ESP]), false));
    let d = check_disk(&q).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!((d.format, d.firmware), (DiskFormat::Qcow2, Firmware::Uefi));
    let q = tmp("mbr.qcow2", &qcow2(&disk_head(false, &[]), false));
    let d = check_disk(&q).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!((d.format, d.firmware), (DiskFormat::Qcow2, Firmware::Bios));
    // A backing file: the table is not read here, the PC BIOS is assumed.
    let q = tmp("backed.qcow2", &qcow2(&[], true));
    assert_eq!(
        check_disk(&q).map(|d| d.firmware).ok(),
        Some(Firmware::Bios)
    );

    let bad = |name: &str, bytes: &[u8], want: &str| {
        let p = tmp(name, bytes);
        let e = format!(
            "{:#}",
            check_disk(&p)
                .err()
                .unwrap_or_else(|| panic!("{name} accepted"))
        );
        assert!(e.contains(want), "{name}: want `{want}` in: {e}");
        assert_eq!(e.lines().count(), 1, "{e}");
    };
    bad("text.txt", b"hello\n", "not a bootable disk image");
    bad(
        "fs.img",
        &[0u8; 64 * 1024],
        "a bare file system boots with -kernel",
    );
    bad("empty.qcow2", &qcow2(&[], false), "inside the qcow2");
    bad("x.vmdk", b"KDMV\x01\0\0\0", "a VMDK image");
    let mut broken = qcow2(&[], false);
    broken[4..8].copy_from_slice(&9u32.to_be_bytes());
    bad("broken.qcow2", &broken, "not a usable qcow2 image");
    let e = format!(
        "{:#}",
        check_disk(Path::new("/nonexistent/disk.img"))
            .err()
            .unwrap_or_else(|| panic!("accepted"))
    );
    assert!(e.starts_with("--disk /nonexistent/disk.img: "), "{e}");
    let e = format!(
        "{:#}",
        check_disk(Path::new("/tmp"))
            .err()
            .unwrap_or_else(|| panic!("accepted"))
    );
    assert!(e.contains("not a regular file"), "{e}");
}

//! ELF images over synthetic memory: 64- and 32-bit headers, relocated and file-address dynamic
//! sections, both hash tables, and hostile headers.

use super::*;
use vmscope_core::guest::TestGuest;

const BASE: u64 = 0x7f00_0000_0000;

/// Builds a 64-bit shared object at `BASE` (load bias = BASE): two loads, PT_DYNAMIC with a string
/// table, SONAME, a DT_HASH symbol table of `syms` and a build-id note; `relocated` writes the
/// dynamic pointers as memory addresses (as ld.so leaves them) instead of file addresses.
fn so64(g: &mut TestGuest, relocated: bool, syms: &[(&str, u64, u8)]) {
    let mut h = [0u8; 64];
    h[..4].copy_from_slice(b"\x7fELF");
    h[4] = 2;
    h[5] = 1;
    h[16..18].copy_from_slice(&ET_DYN.to_le_bytes());
    h[32..40].copy_from_slice(&64u64.to_le_bytes()); // e_phoff
    h[54..56].copy_from_slice(&56u16.to_le_bytes());
    h[56..58].copy_from_slice(&5u16.to_le_bytes());
    g.write(BASE, &h);
    let ph = |g: &mut TestGuest, i: u64, kind: u32, vaddr: u64, filesz: u64, memsz: u64| {
        let mut p = [0u8; 56];
        p[..4].copy_from_slice(&kind.to_le_bytes());
        p[8..16].copy_from_slice(&vaddr.to_le_bytes());
        p[16..24].copy_from_slice(&vaddr.to_le_bytes());
        p[32..40].copy_from_slice(&filesz.to_le_bytes());
        p[40..48].copy_from_slice(&memsz.to_le_bytes());
        g.write(BASE + 64 + 56 * i, &p);
    };
    ph(g, 0, PT_LOAD, 0, 0x3000, 0x3000);
    ph(g, 1, PT_LOAD, 0x4000, 0x800, 0x1800);
    ph(g, 2, PT_DYNAMIC, 0x4000, 0x100, 0x100);
    ph(g, 3, PT_NOTE, 0x400, 0x24, 0x24);
    ph(g, 4, PT_GNU_EH_FRAME, 0x2000, 0x40, 0x40);
    // Build-id note: namesz 4, descsz 20, type 3, "GNU\0", 20 bytes.
    let mut n = Vec::new();
    n.extend_from_slice(&4u32.to_le_bytes());
    n.extend_from_slice(&20u32.to_le_bytes());
    n.extend_from_slice(&3u32.to_le_bytes());
    n.extend_from_slice(b"GNU\0");
    n.extend((0..20u8).map(|i| i * 11));
    g.write(BASE + 0x400, &n);
    // Strings at 0x1000, symbols at 0x1800, hash at 0x1c00.
    let mut strtab = vec![0u8];
    let soname_off = strtab.len() as u64;
    strtab.extend_from_slice(b"libdemo.so.1\0");
    let mut name_offs = Vec::new();
    for (name, _, _) in syms {
        name_offs.push(strtab.len() as u32);
        strtab.extend_from_slice(name.as_bytes());
        strtab.push(0);
    }
    g.write(BASE + 0x1000, &strtab);
    for (i, (_, value, ty)) in syms.iter().enumerate() {
        let mut s = [0u8; 24];
        s[..4].copy_from_slice(&name_offs[i].to_le_bytes());
        s[4] = 0x10 | ty; // global
        s[6..8].copy_from_slice(&12u16.to_le_bytes()); // defined
        s[8..16].copy_from_slice(&value.to_le_bytes());
        s[16..24].copy_from_slice(&0x20u64.to_le_bytes());
        g.write(BASE + 0x1800 + 24 * (i as u64 + 1), &s);
    }
    g.write_u32(BASE + 0x1c00, 1)
        .write_u32(BASE + 0x1c04, syms.len() as u32 + 1);
    let fix = |v: u64| if relocated { BASE + v } else { v };
    let dynamic = [
        (DT_STRTAB, fix(0x1000)),
        (DT_STRSZ, strtab.len() as u64),
        (DT_SYMTAB, fix(0x1800)),
        (DT_HASH, fix(0x1c00)),
        (DT_SONAME, soname_off),
        (DT_NULL, 0),
    ];
    for (i, (tag, val)) in dynamic.iter().enumerate() {
        g.write_u64(BASE + 0x4000 + 16 * i as u64, *tag)
            .write_u64(BASE + 0x4008 + 16 * i as u64, *val);
    }
}

#[test]
fn a_shared_object_reads_with_its_extent_soname_build_id_and_symbols() {
    for relocated in [true, false] {
        let mut g = TestGuest::new();
        so64(
            &mut g,
            relocated,
            &[
                ("demo_b", 0x2100, 2),
                ("demo_a", 0x2000, 2),
                ("table", 0x4100, 1),
            ],
        );
        let img = read_image(&mut g, BASE).expect("an image");
        assert!(img.wide);
        assert_eq!(img.kind, ET_DYN);
        assert_eq!(img.load_bias, BASE);
        assert_eq!(img.end, BASE + 0x6000, "0x4000 + 0x1800 rounded up");
        assert_eq!(
            img.soname.as_deref(),
            Some("libdemo.so.1"),
            "relocated {relocated}"
        );
        let id: String = (0..20u8).map(|i| format!("{:02x}", i * 11)).collect();
        assert_eq!(img.build_id.as_deref(), Some(id.as_str()));
        assert_eq!(img.eh_frame_hdr, Some((BASE + 0x2000, 0x40)));
        assert_eq!(img.interp, None);
        let s = dynamic_symbols(&mut g, &img);
        let names: Vec<_> = s.iter().map(|s| (s.name.as_str(), s.addr - BASE)).collect();
        assert_eq!(
            names,
            [("demo_a", 0x2000), ("demo_b", 0x2100), ("table", 0x4100)],
            "sorted by address, load bias added"
        );
    }
}

#[test]
fn a_gnu_hash_table_counts_the_symbols_through_its_last_chain() {
    let mut g = TestGuest::new();
    so64(
        &mut g,
        true,
        &[("f", 0x2000, 2), ("g", 0x2010, 2), ("h", 0x2020, 2)],
    );
    // Replace DT_HASH (entry 3) by DT_GNU_HASH at 0x1d00: 2 buckets, symoffset 1, bloom 1 word.
    g.write_u64(BASE + 0x4000 + 16 * 3, DT_GNU_HASH)
        .write_u64(BASE + 0x4008 + 16 * 3, BASE + 0x1d00);
    let h = BASE + 0x1d00;
    g.write_u32(h, 2)
        .write_u32(h + 4, 1)
        .write_u32(h + 8, 1)
        .write_u32(h + 12, 6)
        .write_u64(h + 16, 0);
    // Buckets: symbol 1 and symbol 2 start chains; chains for symbols 1, 2, 3 (3 ends the last).
    g.write_u32(h + 24, 1).write_u32(h + 28, 2);
    g.write_u32(h + 32, 0x10 | 1)
        .write_u32(h + 36, 0x20)
        .write_u32(h + 40, 0x31);
    let img = read_image(&mut g, BASE).unwrap();
    let s = dynamic_symbols(&mut g, &img);
    assert_eq!(
        s.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        ["f", "g", "h"]
    );
}

#[test]
fn a_32_bit_program_reads_with_its_interpreter() {
    let mut g = TestGuest::new();
    let base = 0x0804_8000u64;
    let mut h = [0u8; 52];
    h[..4].copy_from_slice(b"\x7fELF");
    h[4] = 1;
    h[5] = 1;
    h[16..18].copy_from_slice(&ET_EXEC.to_le_bytes());
    h[28..32].copy_from_slice(&52u32.to_le_bytes());
    h[42..44].copy_from_slice(&32u16.to_le_bytes());
    h[44..46].copy_from_slice(&2u16.to_le_bytes());
    g.write(base, &h);
    let ph = |g: &mut TestGuest, i: u64, kind: u32, vaddr: u32, sz: u32| {
        let mut p = [0u8; 32];
        p[..4].copy_from_slice(&kind.to_le_bytes());
        p[8..12].copy_from_slice(&vaddr.to_le_bytes());
        p[16..20].copy_from_slice(&sz.to_le_bytes());
        p[20..24].copy_from_slice(&sz.to_le_bytes());
        g.write(base + 52 + 32 * i, &p);
    };
    ph(&mut g, 0, PT_INTERP, 0x0804_8100, 19);
    ph(&mut g, 1, PT_LOAD, 0x0804_8000, 0x2345);
    g.write(base + 0x100, b"/lib/ld-linux.so.2\0");
    let img = read_image(&mut g, base).unwrap();
    assert!(!img.wide);
    assert_eq!(img.kind, ET_EXEC);
    assert_eq!(img.load_bias, 0, "a fixed-address program");
    assert_eq!(img.end, 0x0804_b000);
    assert_eq!(img.interp.as_deref(), Some("/lib/ld-linux.so.2"));
}

#[test]
fn hostile_headers_are_refused_or_bounded() {
    // Not an ELF, big-endian, unknown class, no program headers: nothing.
    let mut g = TestGuest::new();
    assert_eq!(read_image(&mut g, BASE), None, "unreadable");
    g.write(BASE, b"\x7fELG\x02\x01");
    assert_eq!(read_image(&mut g, BASE), None);
    g.write(BASE, b"\x7fELF\x02\x02");
    assert_eq!(read_image(&mut g, BASE), None, "big-endian");
    g.write(BASE, b"\x7fELF\x07\x01");
    assert_eq!(read_image(&mut g, BASE), None, "unknown class");

    // Absurd counts and offsets: no panic, bounded, nothing wrong claimed.
    let mut g = TestGuest::new();
    so64(&mut g, true, &[("f", 0x2000, 2)]);
    g.write(BASE + 56, &u16::MAX.to_le_bytes()); // e_phnum
    g.write_u64(BASE + 32, u64::MAX - 8); // e_phoff overflows
    assert_eq!(read_image(&mut g, BASE), None);

    let mut g = TestGuest::new();
    so64(&mut g, true, &[("f", 0x2000, 2)]);
    // nchain absurd; the string table offset of the soname far outside; a note with a huge size.
    g.write_u32(BASE + 0x1c04, u32::MAX);
    g.write_u64(BASE + 0x4008 + 16 * 4, u64::MAX);
    g.write_u32(BASE + 0x404, u32::MAX);
    let img = read_image(&mut g, BASE).unwrap();
    assert_eq!(img.soname, None);
    assert_eq!(img.build_id, None);
    let s = dynamic_symbols(&mut g, &img);
    assert_eq!(
        s.len(),
        1,
        "the one readable symbol; the walk stops at unreadable memory"
    );

    // A dynamic section that never ends: bounded.
    let mut g = TestGuest::new();
    so64(&mut g, true, &[]);
    for i in 0..(MAX_DYNAMIC + 10) {
        g.write_u64(BASE + 0x4000 + 16 * i, 0x7000_0000)
            .write_u64(BASE + 0x4008 + 16 * i, 1);
    }
    let img = read_image(&mut g, BASE).unwrap();
    assert_eq!(
        read_dynamic(&mut g, &img),
        None,
        "no string table in 512 entries"
    );
    assert!(dynamic_symbols(&mut g, &img).is_empty());
}

//! Synthetic DWARF (written with gimli's writer) and ELF files (object's writer) for the reader.

use super::*;
use crate::btf::StateField;
use gimli::constants as dw;
use gimli::write::{
    self, Address, AttributeValue as W, EndianVec, Expression, LineProgram, UnitEntryId, UnitId,
};

/// Builds DWARF by hand, one unit at a time (a gimli `write::Dwarf` with convenience methods).
struct Builder {
    dwarf: write::Dwarf,
    unit: UnitId,
}

const ENC: gimli::Encoding = gimli::Encoding {
    format: gimli::Format::Dwarf32,
    version: 5,
    address_size: 4,
};

impl Builder {
    fn new() -> Self {
        let mut dwarf = write::Dwarf::new();
        let unit = dwarf.units.add(write::Unit::new(ENC, LineProgram::none()));
        Self { dwarf, unit }
    }
    /// Starts a new unit; later entries go there.
    fn next_unit(&mut self) {
        self.unit = self
            .dwarf
            .units
            .add(write::Unit::new(ENC, LineProgram::none()));
    }
    fn add(
        &mut self,
        parent: Option<UnitEntryId>,
        tag: dw::DwTag,
        attrs: Vec<(dw::DwAt, W)>,
    ) -> UnitEntryId {
        let u = self.dwarf.units.get_mut(self.unit);
        let parent = parent.unwrap_or_else(|| u.root());
        let id = u.add(parent, tag);
        for (at, v) in attrs {
            u.get_mut(id).set(at, v);
        }
        id
    }
    /// A reference to an entry of the current unit.
    fn here(id: UnitEntryId) -> W {
        W::UnitRef(id)
    }
    /// A reference to an entry of another unit.
    fn there(&self, unit: UnitId, id: UnitEntryId) -> W {
        W::DebugInfoRef(write::DebugInfoRef::Entry(unit, id))
    }
    fn name(s: &str) -> (dw::DwAt, W) {
        (dw::DW_AT_name, W::String(s.as_bytes().to_vec()))
    }
    fn base(&mut self, name: &str, size: u64) -> UnitEntryId {
        self.add(
            None,
            dw::DW_TAG_base_type,
            vec![Self::name(name), (dw::DW_AT_byte_size, W::Udata(size))],
        )
    }
    fn structure(&mut self, name: Option<&str>, size: u64) -> UnitEntryId {
        let mut attrs = vec![(dw::DW_AT_byte_size, W::Udata(size))];
        if let Some(n) = name {
            attrs.push(Self::name(n));
        }
        self.add(None, dw::DW_TAG_structure_type, attrs)
    }
    fn member(&mut self, st: UnitEntryId, name: &str, ty: W, offset: u64) -> UnitEntryId {
        let mut attrs = vec![
            (dw::DW_AT_type, ty),
            (dw::DW_AT_data_member_location, W::Udata(offset)),
        ];
        if !name.is_empty() {
            attrs.push(Self::name(name));
        }
        self.add(Some(st), dw::DW_TAG_member, attrs)
    }
    fn array(&mut self, elem: UnitEntryId, bound: (dw::DwAt, u64)) -> UnitEntryId {
        let a = self.add(
            None,
            dw::DW_TAG_array_type,
            vec![(dw::DW_AT_type, W::UnitRef(elem))],
        );
        self.add(
            Some(a),
            dw::DW_TAG_subrange_type,
            vec![(bound.0, W::Udata(bound.1))],
        );
        a
    }
    fn location(addr: u64) -> (dw::DwAt, W) {
        let mut e = Expression::new();
        e.op_addr(Address::Constant(addr));
        (dw::DW_AT_location, W::Exprloc(e))
    }
    fn sections(mut self) -> write::Sections<EndianVec<gimli::LittleEndian>> {
        let mut sections = write::Sections::new(EndianVec::new(gimli::LittleEndian));
        self.dwarf
            .write(&mut sections)
            .unwrap_or_else(|e| panic!("{e}"));
        sections
    }
}

type Parsed = Result<(KernelLayout, Result<VfsLayout, Vec<&'static str>>), Error>;

fn layout(b: Builder, symbols: &[(&'static str, u64)], section_addr: u64) -> Parsed {
    let w = b.sections();
    layout_of(
        w.debug_info.slice(),
        w.debug_abbrev.slice(),
        w.debug_str.slice(),
        symbols,
        section_addr,
    )
}

fn layout_of(
    info: &[u8],
    abbrev: &[u8],
    strings: &[u8],
    symbols: &[(&'static str, u64)],
    section_addr: u64,
) -> Parsed {
    let e = RunTimeEndian::Little;
    let s = Sections {
        info: gimli::DebugInfo::new(info, e),
        abbrev: gimli::DebugAbbrev::new(abbrev, e),
        strings: gimli::DebugStr::new(strings, e),
        line_strings: gimli::DebugLineStr::new(&[], e),
    };
    layout_from_sections(&s, &symbols.iter().copied().collect(), section_addr, 4)
}

/// Corrupt DWARF (seeded byte flips in every section) gives errors or odd layouts, never a panic
/// or a hang.
#[test]
fn corrupt_dwarf_never_panics() {
    let w = kernel(true).sections();
    let clean = [
        w.debug_info.slice().to_vec(),
        w.debug_abbrev.slice().to_vec(),
        w.debug_str.slice().to_vec(),
    ];
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut errors = 0;
    for round in 0..3000 {
        let mut s = clean.clone();
        for _ in 0..1 + round % 4 {
            let which = (next() % 3) as usize;
            let len = s[which].len() as u64;
            if len > 0 {
                let at = (next() % len) as usize;
                s[which][at] ^= 1 << (next() % 8);
            }
        }
        if layout_of(&s[0], &s[1], &s[2], &[], 0).is_err() {
            errors += 1;
        }
    }
    assert!(errors > 0, "no flip was ever noticed");
}

/// An i386 6.1-like kernel spread over three units: a forward declaration of task_struct and
/// `list_head` in the first, the definitions (with anonymous records, typedefs, a bitfield, a
/// DWARF 2 style member location and a cross-unit type reference) in the second, the per-CPU
/// variables in the third (one named only through DW_AT_specification).
fn kernel(with_pid: bool) -> Builder {
    let mut b = Builder::new();
    let first = b.unit;
    b.add(
        None,
        dw::DW_TAG_structure_type,
        vec![
            Builder::name("task_struct"),
            (dw::DW_AT_declaration, W::Flag(true)),
        ],
    );
    let ulong_a = b.base("long unsigned int", 4);
    let list = b.structure(Some("list_head"), 8);
    b.member(list, "next", Builder::here(ulong_a), 0);
    b.member(list, "prev", Builder::here(ulong_a), 4);
    // An anonymous struct inside an anonymous union holds tgid and comm; task_struct (in the
    // next unit) refers to the union across units.
    let int_a = b.base("int", 4);
    let chr = b.base("char", 1);
    let pid_t = b.add(
        None,
        dw::DW_TAG_typedef,
        vec![Builder::name("pid_t"), (dw::DW_AT_type, W::UnitRef(int_a))],
    );
    let comm = b.array(chr, (dw::DW_AT_upper_bound, 15));
    let inner = b.structure(None, 32);
    b.member(inner, "tgid", Builder::here(pid_t), 4);
    b.member(inner, "comm", Builder::here(comm), 16);
    let anon = b.add(
        None,
        dw::DW_TAG_union_type,
        vec![(dw::DW_AT_byte_size, W::Udata(32))],
    );
    b.add(
        Some(anon),
        dw::DW_TAG_member,
        vec![(dw::DW_AT_type, W::UnitRef(inner))],
    );
    b.add(
        Some(anon),
        dw::DW_TAG_member,
        vec![
            Builder::name("other"),
            (dw::DW_AT_type, W::UnitRef(ulong_a)),
        ],
    );

    b.next_unit();
    let int = b.base("int", 4);
    let uint = b.base("unsigned int", 4);
    let ulong = b.base("long unsigned int", 4);
    let pid_t = b.add(
        None,
        dw::DW_TAG_typedef,
        vec![Builder::name("pid_t"), (dw::DW_AT_type, W::UnitRef(int))],
    );
    let auxv = b.array(ulong, (dw::DW_AT_count, 48));
    let cvol = b.add(
        None,
        dw::DW_TAG_volatile_type,
        vec![(dw::DW_AT_type, W::UnitRef(uint))],
    );
    let mm = b.structure(Some("mm_struct"), 512);
    let mm_ptr = b.add(
        None,
        dw::DW_TAG_pointer_type,
        vec![
            (dw::DW_AT_byte_size, W::Udata(4)),
            (dw::DW_AT_type, W::UnitRef(mm)),
        ],
    );
    b.member(mm, "pgd", Builder::here(ulong), 28);
    b.member(mm, "saved_auxv", Builder::here(auxv), 180);
    let task = b.structure(Some("task_struct"), 2048);
    let mut loc = Expression::new();
    loc.op_plus_uconst(16);
    b.add(
        Some(task),
        dw::DW_TAG_member,
        vec![
            Builder::name("__state"),
            (dw::DW_AT_type, W::UnitRef(cvol)),
            (dw::DW_AT_data_member_location, W::Exprloc(loc)),
        ],
    );
    let flags = b.member(task, "flags", Builder::here(uint), 28);
    b.dwarf
        .units
        .get_mut(b.unit)
        .get_mut(flags)
        .set(dw::DW_AT_bit_size, W::Udata(3));
    let tasks_ty = b.there(first, list);
    b.member(task, "tasks", tasks_ty, 968);
    b.member(task, "mm", Builder::here(mm_ptr), 1008);
    let anon_ty = b.there(first, anon);
    b.member(task, "", anon_ty, 1100);
    if with_pid {
        b.member(task, "pid", Builder::here(pid_t), 1096);
    }

    b.next_unit();
    let ulong = b.base("long unsigned int", 4);
    let decl = b.add(
        None,
        dw::DW_TAG_variable,
        vec![
            Builder::name("current_task"),
            (dw::DW_AT_type, W::UnitRef(ulong)),
            (dw::DW_AT_declaration, W::Flag(true)),
        ],
    );
    b.add(
        None,
        dw::DW_TAG_variable,
        vec![
            (dw::DW_AT_specification, W::UnitRef(decl)),
            Builder::location(0xc1e8_0808),
        ],
    );
    b.add(
        None,
        dw::DW_TAG_variable,
        vec![
            Builder::name("this_cpu_off"),
            (dw::DW_AT_type, W::UnitRef(ulong)),
            Builder::location(0xc1e7_b8bc),
        ],
    );
    b
}

#[test]
fn synthetic_kernel_from_dwarf_variables() {
    let (l, vfs) = layout(kernel(true), &[], 0xc1e7_2000).unwrap_or_else(|e| panic!("{e}"));
    let t = &l.task;
    assert_eq!((t.pid, t.tgid, t.comm, t.comm_len), (1096, 1104, 1116, 16));
    assert_eq!(
        t.state,
        Some(StateField {
            offset: 16,
            size: 4
        })
    );
    assert_eq!((t.tasks, t.mm), (Some(968), Some(1008)));
    // A bitfield is of no use to a byte reader: missing, as in the BTF layout.
    assert_eq!(t.flags, None);
    assert!(l.missing.contains(&"task_struct.flags"));
    assert_eq!(l.mm.pgd, Some(28));
    assert_eq!(
        (l.process.mm_saved_auxv, l.process.mm_saved_auxv_len),
        (Some(180), 48)
    );
    assert_eq!(l.percpu.current_task_via, CurrentTaskVia::Standalone);
    assert_eq!(
        (
            l.percpu.current_task,
            l.percpu.this_cpu_off,
            l.percpu.section_addr
        ),
        (0xc1e8_0808, 0xc1e7_b8bc, 0xc1e7_2000)
    );
    assert_eq!(l.pointer_size, 4);
    // No VFS structures at all: every VFS field is named.
    let absent = vfs.err().unwrap_or_default();
    assert!(absent.contains(&"task_struct.files"), "{absent:?}");
    assert!(absent.contains(&"mount.mnt_mountpoint"), "{absent:?}");
    assert_eq!(absent.len(), 21);
}

#[test]
fn symbols_take_precedence_over_dwarf_variables() {
    let syms = [("current_task", 0x1fb00), ("this_cpu_off", 0x1fb08)];
    let (l, _) = layout(kernel(true), &syms, 0).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (l.percpu.current_task, l.percpu.this_cpu_off),
        (0x1fb00, 0x1fb08)
    );
}

#[test]
fn missing_pid_and_missing_current_task_are_named() {
    let e = layout(kernel(false), &[], 0).err();
    assert!(
        matches!(&e, Some(Error::MissingDwarfField { what }) if what == "task_struct.pid"),
        "{e:?}"
    );
    // A symbol table without the per-CPU variables: the current task cannot be found.
    let e = layout(kernel(true), &[("jiffies", 0xc100_0000)], 0).err();
    assert!(
        matches!(&e, Some(Error::MissingDwarfField { what }) if what.contains("current_task")),
        "{e:?}"
    );
    // No DWARF structures at all.
    let e = layout(Builder::new(), &[], 0).err();
    assert!(
        matches!(&e, Some(Error::MissingDwarfField { what }) if what == "struct task_struct"),
        "{e:?}"
    );
}

#[test]
fn pcpu_hot_kernel_from_the_variable_type_or_the_symbol() {
    let with_hot = |b: &mut Builder| {
        b.next_unit();
        let ulong = b.base("long unsigned int", 8);
        let hot = b.structure(Some("pcpu_hot"), 64);
        b.member(hot, "preempt_count", Builder::here(ulong), 0);
        b.member(hot, "current_task", Builder::here(ulong), 8);
        b.add(
            None,
            dw::DW_TAG_variable,
            vec![
                Builder::name("pcpu_hot"),
                (dw::DW_AT_type, W::UnitRef(hot)),
                Builder::location(0x351c0),
            ],
        );
        b.add(
            None,
            dw::DW_TAG_variable,
            vec![Builder::name("this_cpu_off"), Builder::location(0x19a18)],
        );
    };
    // A minimal task_struct, and no standalone current_task: only pcpu_hot.
    let mut b2 = Builder::new();
    let int = b2.base("int", 4);
    let task = b2.structure(Some("task_struct"), 64);
    b2.member(task, "pid", Builder::here(int), 0);
    b2.member(task, "tgid", Builder::here(int), 4);
    let chr = b2.base("char", 1);
    let comm = b2.array(chr, (dw::DW_AT_count, 16));
    b2.member(task, "comm", Builder::here(comm), 8);
    with_hot(&mut b2);
    let (l, _) = layout(b2, &[], 0).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        l.percpu.current_task_via,
        CurrentTaskVia::PcpuHot {
            var: 0x351c0,
            member: 8
        }
    );
    assert_eq!(
        (l.percpu.current_task, l.percpu.this_cpu_off),
        (0x351c8, 0x19a18)
    );
    // With a symbol table: the symbol's address and the struct found by name.
    let mut b3 = Builder::new();
    let int = b3.base("int", 4);
    let task = b3.structure(Some("task_struct"), 64);
    b3.member(task, "pid", Builder::here(int), 0);
    b3.member(task, "tgid", Builder::here(int), 4);
    b3.member(task, "comm", Builder::here(int), 8);
    with_hot(&mut b3);
    let syms = [("pcpu_hot", 0x36000), ("this_cpu_off", 0x19a18)];
    let (l, _) = layout(b3, &syms, 0).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(l.percpu.current_task, 0x36008);
    assert_eq!(l.task.comm_len, 16);
}

fn elf(banner: Option<&str>, build_id: Option<&[u8]>) -> Vec<u8> {
    use object::write::Object as Obj;
    use object::{Architecture, BinaryFormat, Endianness, SectionKind};
    let mut o = Obj::new(BinaryFormat::Elf, Architecture::I386, Endianness::Little);
    if let Some(b) = banner {
        let s = o.add_section(Vec::new(), b".rodata".to_vec(), SectionKind::ReadOnlyData);
        let mut data = b"Linux version %s\0".to_vec();
        data.extend_from_slice(b.as_bytes());
        data.extend_from_slice(b"\n\0");
        o.append_section_data(s, &data, 1);
    }
    if let Some(id) = build_id {
        let s = o.add_section(Vec::new(), b".notes".to_vec(), SectionKind::Note);
        let mut note = Vec::new();
        for w in [4u32, id.len() as u32, 3] {
            note.extend_from_slice(&w.to_le_bytes());
        }
        note.extend_from_slice(b"GNU\0");
        note.extend_from_slice(id);
        while note.len() % 4 != 0 {
            note.push(0);
        }
        o.append_section_data(s, &note, 4);
    }
    o.write().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn debuginfo_matches_by_build_id_then_banner() {
    const B1: &str = "Linux version 6.1.0-50-686-pae (debian-kernel@lists.debian.org) #1 SMP";
    const B2: &str = "Linux version 6.1.0-51-686-pae (debian-kernel@lists.debian.org) #1 SMP";
    let ok = |a: &[u8], b: &[u8]| debuginfo_matches(a, b);
    assert!(
        ok(
            &elf(Some(B1), Some(&[1; 20])),
            &elf(Some(B1), Some(&[1; 20]))
        )
        .is_ok()
    );
    // The build-id decides when both have one, whatever the banners say.
    let e = ok(
        &elf(Some(B1), Some(&[1; 20])),
        &elf(Some(B1), Some(&[2; 20])),
    )
    .err();
    assert!(
        matches!(&e, Some(Error::DebuginfoMismatch { detail }) if detail.contains("0101") && detail.contains("0202")),
        "{e:?}"
    );
    assert!(ok(&elf(Some(B1), None), &elf(Some(B1), Some(&[2; 20]))).is_ok());
    let e = ok(&elf(Some(B1), None), &elf(Some(B2), None)).err();
    assert!(
        matches!(&e, Some(Error::DebuginfoMismatch { detail }) if detail.contains("6.1.0-51")),
        "{e:?}"
    );
    let e = ok(&elf(Some(B1), None), &elf(None, None)).err();
    assert!(
        matches!(&e, Some(Error::DebuginfoMismatch { detail }) if detail.contains("neither")),
        "{e:?}"
    );
    // Not an ELF debug file.
    let e = ok(&elf(Some(B1), None), b"MZ junk").err();
    assert!(matches!(e, Some(Error::NotAKernelImage { .. })), "{e:?}");
}

#[test]
fn banner_is_the_first_real_version_line() {
    let b = b"xx Linux version %s\0Linux version 6.1.0-50-686-pae (x@y) #1 SMP\nrest";
    assert_eq!(
        find_banner(b).as_deref(),
        Some("Linux version 6.1.0-50-686-pae (x@y) #1 SMP")
    );
    assert_eq!(find_banner(b"Linux version "), None);
}

#[test]
fn elf_without_dwarf_is_refused() {
    let e = KernelLayout::from_dwarf(&elf(Some("Linux version 6.1.0 x"), None)).err();
    assert!(matches!(e, Some(Error::NoDwarf)), "{e:?}");
    let e = KernelLayout::from_dwarf(b"\x7fELF junk").err();
    assert!(matches!(e, Some(Error::BadElf { .. })), "{e:?}");
}

/// The VFS structures and the socket ones (Debian 6.1 686-pae's offsets): the socket layout comes
/// with the VFS layout, as it does from BTF. The socket structures were once not among those the
/// scan looks for, and an i386 kernel's sockets were named by inode only.
#[test]
fn socket_layout_from_dwarf() {
    let mut b = Builder::new();
    let ulong = b.base("long unsigned int", 4);
    let chr = b.base("char", 1);
    let comm = b.array(chr, (dw::DW_AT_upper_bound, 15));
    let task = b.structure(Some("task_struct"), 2048);
    b.member(task, "comm", Builder::here(comm), 1412);
    let structs: &[(&str, &[(&str, u64)])] = &[
        (
            "task_struct",
            &[("pid", 1108), ("tgid", 1112), ("files", 1456), ("fs", 1452)],
        ),
        ("files_struct", &[("fdt", 20)]),
        ("fdtable", &[("max_fds", 0), ("fd", 4)]),
        (
            "file",
            &[("f_path", 8), ("f_inode", 16), ("private_data", 140)],
        ),
        ("path", &[("mnt", 0), ("dentry", 4)]),
        ("dentry", &[("d_parent", 16), ("d_name", 20), ("d_sb", 84)]),
        ("qstr", &[("len", 4), ("name", 8)]),
        (
            "mount",
            &[("mnt", 16), ("mnt_parent", 8), ("mnt_mountpoint", 12)],
        ),
        ("vfsmount", &[("mnt_root", 0)]),
        ("inode", &[("i_ino", 40)]),
        ("super_block", &[("s_magic", 56)]),
        ("fs_struct", &[("pwd", 28)]),
        ("socket", &[("sk", 16)]),
        (
            "sock",
            &[("__sk_common", 0), ("sk_type", 374), ("sk_protocol", 376)],
        ),
        (
            "sock_common",
            &[
                ("skc_daddr", 0),
                ("skc_rcv_saddr", 4),
                ("skc_dport", 12),
                ("skc_num", 14),
                ("skc_family", 16),
                ("skc_v6_daddr", 40),
                ("skc_v6_rcv_saddr", 56),
            ],
        ),
        ("unix_sock", &[("addr", 552), ("peer", 604)]),
        ("unix_address", &[("len", 4), ("name", 8)]),
    ];
    for &(name, fields) in structs {
        let st = if name == "task_struct" {
            task
        } else {
            b.structure(Some(name), 1024)
        };
        for &(field, offset) in fields {
            b.member(st, field, Builder::here(ulong), offset);
        }
    }
    let symbols = [("current_task", 0xc1e8_0808), ("this_cpu_off", 0xc1e7_b8bc)];
    let (_, vfs) = layout(b, &symbols, 0xc1e7_2000).unwrap_or_else(|e| panic!("{e}"));
    let vfs = vfs.unwrap_or_else(|absent| panic!("{absent:?}"));
    assert_eq!(vfs.pointer_size, 4);
    let s = vfs.sock.unwrap_or_else(|| panic!("no socket layout"));
    assert_eq!((s.file_private_data, s.socket_sk), (140, 16));
    assert_eq!((s.family, s.daddr, s.rcv_saddr), (16, 0, 4));
    assert_eq!((s.dport, s.num), (12, 14));
    assert_eq!((s.v6_daddr, s.v6_rcv_saddr), (Some(40), Some(56)));
    assert_eq!((s.sk_type, s.sk_protocol), (374, 376));
    let u = s.unix.unwrap_or_else(|| panic!("no unix layout"));
    assert_eq!((u.addr, u.peer, u.len, u.name), (552, 604, 4, 8));
}

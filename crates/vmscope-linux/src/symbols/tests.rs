//! Host files built with the machine's C compiler (needed: the test fails when `cc` is missing), and
//! symbol tables from synthetic `.dynsym`s.

use std::process::Command;

use super::*;

const SRC: &str =
    "int twice(int x)\n{\n    return x * 2;\n}\n\nint main(void)\n{\n    return twice(3);\n}\n";

/// Builds the C program above with `-g` and a build-id into a fresh directory; its path.
fn build(dir: &Path, name: &str, extra: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{e}"));
    let src = dir.join(format!("{name}.c"));
    std::fs::write(&src, format!("{SRC}{extra}")).unwrap_or_else(|e| panic!("{e}"));
    let out = dir.join(name);
    let st = Command::new("cc")
        .args(["-g", "-O0", "-Wl,--build-id", "-o"])
        .arg(&out)
        .arg(&src)
        .status()
        .unwrap_or_else(|e| panic!("cc is needed for this test: {e}"));
    assert!(st.success());
    out
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("vmscope-symbols-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn a_compiled_file_gives_symbols_lines_cfi_and_build_id() {
    let dir = tmp("one");
    let exe = build(&dir, "prog", "");
    let f = load(&exe).unwrap_or_else(|e| panic!("{e}"));
    let id = f.build_id.clone().unwrap_or_else(|| panic!("no build-id"));
    assert_eq!(id.len(), 40);
    let nm = Command::new("nm")
        .arg(&exe)
        .output()
        .unwrap_or_else(|e| panic!("nm: {e}"));
    let nm = String::from_utf8_lossy(&nm.stdout);
    let twice = nm
        .lines()
        .find(|l| l.ends_with(" T twice"))
        .and_then(|l| u64::from_str_radix(l.split(' ').next()?, 16).ok())
        .unwrap_or_else(|| panic!("nm has no twice: {nm}"));
    let (name, off) = f
        .symbols
        .lookup(twice + 4)
        .unwrap_or_else(|| panic!("no symbol"));
    assert_eq!((&*name, off), ("twice", 4));
    // Line 1 is `int twice(int x)`; its body's statement is on line 3.
    let (file, line) = f.lines.lookup(twice).unwrap_or_else(|| panic!("no line"));
    assert!(file.ends_with("prog.c"), "{file}");
    assert_eq!(line, 2);
    let mut cfi = f.cfi.unwrap_or_else(|| panic!("no .eh_frame"));
    let r = cfi.rule(&mut vmscope_core::guest::Unreadable, twice);
    assert_eq!(
        r.map(|r| (r.cfa_from_fp, r.cfa_offset, r.ra)),
        Some((false, 8, crate::unwind::ReturnAddress::Saved(-8)))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn lookup_order_and_build_id_mismatch() {
    let dir = tmp("two");
    let exe = build(&dir.join("src"), "prog", "");
    let other = build(&dir.join("src2"), "prog", "int other(void) { return 1; }\n");
    let id = load(&exe)
        .ok()
        .and_then(|f| f.build_id)
        .unwrap_or_else(|| panic!("no build-id"));
    let dbg = dir.join("debug");
    // Nothing there.
    assert!(matches!(
        lookup(&dbg, Some("/bin/prog"), Some(&id)),
        HostLookup::Missing
    ));
    // By file name, but of another build: a mismatch, never its symbols.
    std::fs::create_dir_all(&dbg).unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(&other, dbg.join("prog")).unwrap_or_else(|e| panic!("{e}"));
    match lookup(&dbg, Some("/bin/prog"), Some(&id)) {
        HostLookup::Mismatch(w) => assert_eq!(w.len(), 1),
        other => panic!("{other:?}"),
    }
    // The guest path under the directory comes before the file name.
    std::fs::create_dir_all(dbg.join("bin")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(&exe, dbg.join("bin/prog")).unwrap_or_else(|e| panic!("{e}"));
    match lookup(&dbg, Some("/bin/prog"), Some(&id)) {
        HostLookup::Found(f) => assert_eq!(f.path, dbg.join("bin/prog")),
        other => panic!("{other:?}"),
    }
    // The .build-id layout comes first.
    let by_id = dbg.join(".build-id").join(&id[..2]);
    std::fs::create_dir_all(&by_id).unwrap_or_else(|e| panic!("{e}"));
    let p = by_id.join(format!("{}.debug", &id[2..]));
    std::fs::copy(&exe, &p).unwrap_or_else(|e| panic!("{e}"));
    match lookup(&dbg, Some("/bin/prog"), Some(&id)) {
        HostLookup::Found(f) => assert_eq!(f.path, p),
        other => panic!("{other:?}"),
    }
    // No build-id on the image: nothing can be matched.
    assert!(matches!(
        lookup(&dbg, Some("/bin/prog"), None),
        HostLookup::Missing
    ));
    // A file that is not ELF is a mismatch too.
    std::fs::write(dbg.join("junk"), b"not elf").unwrap_or_else(|e| panic!("{e}"));
    let none = "ab".repeat(20);
    assert!(matches!(
        lookup(&dbg, Some("/junk"), Some(&none)),
        HostLookup::Mismatch(_)
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn dynamic_symbols_by_elf_address_with_sizes() {
    let syms = [
        Symbol {
            name: "write".into(),
            addr: 0x7f00_0010_0000,
            size: 0x20,
        },
        Symbol {
            name: "__write".into(),
            addr: 0x7f00_0010_0000,
            size: 0x20,
        },
        Symbol {
            name: "open".into(),
            addr: 0x7f00_0020_0000,
            size: 0,
        },
    ];
    let t = SymbolTable::from_dynamic(&syms, 0x7f00_0000_0000);
    assert_eq!(t.len(), 2);
    assert_eq!(t.lookup(0x10_0014), Some((Arc::from("__write"), 0x14)));
    // Past a sized symbol: no name.
    assert_eq!(t.lookup(0x10_0020), None);
    // An unsized one runs to the next.
    assert_eq!(t.lookup(0x20_1000), Some((Arc::from("open"), 0x1000)));
    assert_eq!(t.lookup(0xfff), None);
}

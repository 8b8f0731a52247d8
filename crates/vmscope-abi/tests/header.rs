//! The header tested from C: it compiles alone with the strictest flags (C99 and C11, `-pedantic`,
//! warnings as errors, also as C++), and every structure, field offset and constant the C compiler
//! sees equals the Rust mirror's.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test may panic"
)]

use std::collections::BTreeMap;
use std::mem::{offset_of, size_of};
use std::path::{Path, PathBuf};
use std::process::Command;

use vmscope_abi as abi;

fn include_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("include")
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("vmscope-abi-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn cc(args: &[&str]) {
    let out = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()))
        .args(args)
        .output()
        .expect("a C compiler (cc)");
    assert!(
        out.status.success(),
        "cc {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn header_compiles_with_strict_flags() {
    let dir = tempdir("strict");
    let src = dir.join("use.c");
    // Uses every declaration, the way a module does.
    std::fs::write(
        &src,
        r#"#include <vmscope.h>
VMSCOPE_EXPORT const uint32_t vmscope_module_abi_version = VMSCOPE_ABI_VERSION;
static int on_event(void *state, struct vmscope_ctx *ctx, const struct vmscope_event *ev) {
    (void)state; (void)ctx;
    return ev->kind == VMSCOPE_KIND_FILE && ev->file != NULL ? VMSCOPE_OK : VMSCOPE_ERROR;
}
VMSCOPE_EXPORT int vmscope_module_init(const struct vmscope_host *host, struct vmscope_module *m,
                                       char *error, size_t error_size) {
    static const char *const deps[] = {"files", NULL};
    vmscope_module_init_fn self = vmscope_module_init;
    (void)self; (void)error; (void)error_size;
    if (host->abi_version >> 16 != VMSCOPE_ABI_MAJOR) return VMSCOPE_ERROR;
    m->name = "t";
    m->depends = deps;
    m->consumes = VMSCOPE_KIND_BIT(VMSCOPE_KIND_FILE);
    m->on_event = on_event;
    return VMSCOPE_OK;
}
"#,
    )
    .unwrap();
    let inc = format!("-I{}", include_dir().display());
    let src = src.display().to_string();
    for std in ["-std=c99", "-std=c11"] {
        let obj = dir.join(format!("use{std}.o")).display().to_string();
        cc(&[
            std,
            "-Wall",
            "-Wextra",
            "-Werror",
            "-pedantic",
            "-fPIC",
            &inc,
            "-c",
            &src,
            "-o",
            &obj,
        ]);
    }
    // The header alone, as C++ too (extern "C" guards).
    let hdr = dir.join("only.cc");
    std::fs::write(
        &hdr,
        "#include <vmscope.h>\nint main(void) { return VMSCOPE_OK; }\n",
    )
    .unwrap();
    if Command::new("c++").arg("--version").output().is_ok() {
        let out = dir.join("only").display().to_string();
        let cxx = Command::new("c++")
            .args(["-Wall", "-Wextra", "-Werror", "-pedantic", &inc])
            .arg(&hdr)
            .args(["-o", &out])
            .output()
            .unwrap();
        assert!(
            cxx.status.success(),
            "{}",
            String::from_utf8_lossy(&cxx.stderr)
        );
    }
}

/// `name -> value` pairs the Rust side expects; the C program prints the same names.
fn rust_layout() -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    macro_rules! st {
        ($c:literal, $t:ty, [$($f:ident $(=> $cf:literal)?),*]) => {
            m.insert(format!("sizeof {}", $c), size_of::<$t>() as u64);
            $( m.insert(format!("offsetof {}.{}", $c, st!(@name $f $($cf)?)), offset_of!($t, $f) as u64); )*
        };
        (@name $f:ident $cf:literal) => { $cf };
        (@name $f:ident) => { stringify!($f) };
    }
    st!("vmscope_thread", abi::Thread, [pid, tid, comm, task, asid]);
    st!(
        "vmscope_syscall",
        abi::Syscall,
        [
            thread, vcpu, abi, entry, end, nr, name, args, n_args, raw, n_raw, ret, ret_text,
            ts_exit
        ]
    );
    st!("vmscope_notice", abi::Notice, [source, level, message]);
    st!(
        "vmscope_process",
        abi::Process,
        [
            pid,
            tid,
            ppid,
            vcpu,
            has,
            op,
            comm,
            path,
            filename,
            argv,
            argc,
            code,
            signal,
            core_dumped,
            reserved,
            syscall,
            seen
        ]
    );
    st!(
        "vmscope_file",
        abi::File,
        [
            thread,
            vcpu,
            has,
            op,
            fd,
            path,
            new_path,
            bytes,
            offset,
            length,
            flags,
            error,
            data,
            sha256,
            hashed_bytes,
            unhashed_bytes
        ]
    );
    st!(
        "vmscope_file_summary",
        abi::FileSummary,
        [
            path,
            bytes_read,
            bytes_written,
            opened_by,
            n_opened_by,
            read_by,
            n_read_by,
            written_by,
            n_written_by,
            renamed_by,
            n_renamed_by,
            deleted_by,
            n_deleted_by
        ]
    );
    st!(
        "vmscope_process_entry",
        abi::ProcessEntry,
        [pid, kernel_thread, ppid, comm, state, n_threads]
    );
    st!(
        "vmscope_process_list",
        abi::ProcessList,
        [when, source, complete, reserved, processes, n_processes]
    );
    st!("vmscope_value", abi::Value, [kind => "type", reserved, as_ => "as"]);
    st!("vmscope_field", abi::Field, [name, value]);
    st!("vmscope_custom", abi::Custom, [module, fields, n_fields]);
    st!("vmscope_record", abi::Record, [module, fields, n_fields]);
    st!("vmscope_event", abi::Event, [kind, reserved, ts, type_ => "type", syscall, notice, process, file, file_summary, custom, process_list, record]);
    st!(
        "vmscope_host",
        abi::Host,
        [
            abi_version,
            size,
            read_memory,
            read_register,
            vcpu,
            publish,
            log
        ]
    );
    st!(
        "vmscope_module",
        abi::ModuleDesc,
        [
            host_abi_version,
            size,
            name,
            depends,
            consumes,
            state,
            configure,
            on_event,
            on_stop,
            destroy
        ]
    );
    let consts: &[(&str, u64)] = &[
        ("VMSCOPE_ABI_MAJOR", u64::from(abi::ABI_MAJOR)),
        ("VMSCOPE_ABI_MINOR", u64::from(abi::ABI_MINOR)),
        ("VMSCOPE_ABI_VERSION", u64::from(abi::ABI_VERSION)),
        ("VMSCOPE_OK", abi::OK as u64),
        ("VMSCOPE_ERROR", abi::ERROR as u64),
        ("VMSCOPE_KIND_SYSCALL", u64::from(abi::KIND_SYSCALL)),
        ("VMSCOPE_KIND_NOTICE", u64::from(abi::KIND_NOTICE)),
        ("VMSCOPE_KIND_PROCESS", u64::from(abi::KIND_PROCESS)),
        ("VMSCOPE_KIND_FILE", u64::from(abi::KIND_FILE)),
        ("VMSCOPE_KIND_CUSTOM", u64::from(abi::KIND_CUSTOM)),
        (
            "VMSCOPE_KIND_PROCESS_LIST",
            u64::from(abi::KIND_PROCESS_LIST),
        ),
        ("VMSCOPE_KIND_RECORD", u64::from(abi::KIND_RECORD)),
        (
            "VMSCOPE_SYSCALL_ABI_X86_64",
            u64::from(abi::SYSCALL_ABI_X86_64),
        ),
        ("VMSCOPE_SYSCALL_ABI_I386", u64::from(abi::SYSCALL_ABI_I386)),
        (
            "VMSCOPE_SYSCALL_ABI_AARCH64",
            u64::from(abi::SYSCALL_ABI_AARCH64),
        ),
        ("VMSCOPE_ENTRY_SVC", u64::from(abi::ENTRY_SVC)),
        ("VMSCOPE_ENTRY_SYSCALL", u64::from(abi::ENTRY_SYSCALL)),
        ("VMSCOPE_ENTRY_INT80", u64::from(abi::ENTRY_INT80)),
        ("VMSCOPE_ENTRY_SYSENTER", u64::from(abi::ENTRY_SYSENTER)),
        ("VMSCOPE_END_RETURNED", u64::from(abi::END_RETURNED)),
        ("VMSCOPE_END_NO_RETURN", u64::from(abi::END_NO_RETURN)),
        ("VMSCOPE_END_UNFINISHED", u64::from(abi::END_UNFINISHED)),
        ("VMSCOPE_PROCESS_HAS_CODE", u64::from(abi::PROCESS_HAS_CODE)),
        (
            "VMSCOPE_PROCESS_HAS_CORE_DUMPED",
            u64::from(abi::PROCESS_HAS_CORE_DUMPED),
        ),
        ("VMSCOPE_FILE_HAS_FD", u64::from(abi::FILE_HAS_FD)),
        ("VMSCOPE_FILE_HAS_BYTES", u64::from(abi::FILE_HAS_BYTES)),
        ("VMSCOPE_FILE_HAS_OFFSET", u64::from(abi::FILE_HAS_OFFSET)),
        ("VMSCOPE_FILE_HAS_LENGTH", u64::from(abi::FILE_HAS_LENGTH)),
        (
            "VMSCOPE_FILE_HAS_HASHED_BYTES",
            u64::from(abi::FILE_HAS_HASHED_BYTES),
        ),
        (
            "VMSCOPE_FILE_HAS_UNHASHED_BYTES",
            u64::from(abi::FILE_HAS_UNHASHED_BYTES),
        ),
        ("VMSCOPE_VALUE_NULL", u64::from(abi::VALUE_NULL)),
        ("VMSCOPE_VALUE_BOOL", u64::from(abi::VALUE_BOOL)),
        ("VMSCOPE_VALUE_INT", u64::from(abi::VALUE_INT)),
        ("VMSCOPE_VALUE_UINT", u64::from(abi::VALUE_UINT)),
        ("VMSCOPE_VALUE_STR", u64::from(abi::VALUE_STR)),
        ("VMSCOPE_VALUE_JSON", u64::from(abi::VALUE_JSON)),
        ("VMSCOPE_LOG_INFO", abi::LOG_INFO as u64),
        ("VMSCOPE_LOG_WARNING", abi::LOG_WARNING as u64),
        ("VMSCOPE_LOG_ERROR", abi::LOG_ERROR as u64),
    ];
    for (k, v) in consts {
        m.insert(format!("const {k}"), *v);
    }
    m
}

#[test]
fn every_layout_and_constant_matches_the_c_compiler() {
    let expected = rust_layout();
    let mut c = String::from(
        "#include <stdio.h>\n#include <stddef.h>\n#include <vmscope.h>\nint main(void) {\n",
    );
    for key in expected.keys() {
        let mut parts = key.splitn(2, ' ');
        let (what, name) = (parts.next().unwrap(), parts.next().unwrap());
        let expr = match what {
            "sizeof" => format!("sizeof(struct {name})"),
            "offsetof" => {
                let (s, f) = name.split_once('.').unwrap();
                format!("offsetof(struct {s}, {f})")
            }
            _ => format!("(unsigned long long)(long long)({name})"),
        };
        c.push_str(&format!(
            "    printf(\"%s=%llu\\n\", \"{key}\", (unsigned long long)({expr}));\n"
        ));
    }
    c.push_str("    return 0;\n}\n");
    let dir = tempdir("layout");
    let src = dir.join("layout.c");
    let exe = dir.join("layout");
    std::fs::write(&src, c).unwrap();
    let inc = format!("-I{}", include_dir().display());
    cc(&[
        "-std=c99",
        "-Wall",
        "-Werror",
        &inc,
        &src.display().to_string(),
        "-o",
        &exe.display().to_string(),
    ]);
    let out = Command::new(&exe).output().unwrap();
    assert!(out.status.success());
    let got: BTreeMap<String, u64> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let (k, v) = l.rsplit_once('=').unwrap();
            (k.to_string(), v.parse().unwrap())
        })
        .collect();
    let mut diffs = Vec::new();
    for (k, v) in &expected {
        if got.get(k) != Some(v) {
            diffs.push(format!("{k}: Rust {v}, C {:?}", got.get(k)));
        }
    }
    assert!(
        diffs.is_empty(),
        "layout differences:\n{}",
        diffs.join("\n")
    );
    assert!(expected.len() > 150, "{} checks", expected.len());
}

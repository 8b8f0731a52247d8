//! Loading modules from real shared libraries built here with `cc` from `fixtures/module.c` (which
//! uses only the header): every way a load can fail, and a loaded module on a real dispatcher with
//! a synthetic guest.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test may panic"
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use vmscope_core::arch::x86_64::RAX;
use vmscope_core::arch::{Arch, EntryKind, arch_for_target};
use vmscope_core::dispatch::{Dispatcher, Sink, order_modules};
use vmscope_core::event::{
    Abi, ArgsText, CallEnd, CallRender, Event, EventKind, EventMask, FieldValue, FileAccess,
    FileEvent, ImageEvent, ImageKind, ImageOp, MapsSnapshot, MapsSource, MapsWhen, Region,
    SyscallEvent, ThreadCtx,
};
use vmscope_core::guest::{GuestCpu, TestGuest};
use vmscope_core::module::{Bus, Hook, HookPoint, Interest, Module};
use vmscope_linux::syscalls::{
    Call, DecodeOptions, Decoder, capture_entry, capture_exit, render_args,
};
use vmscope_loader::{
    Declared, DynModule, LoadError, ModuleOption, builtin_dependencies, load, load_all,
};

fn arch() -> &'static dyn Arch {
    arch_for_target("x86_64").unwrap()
}

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("vmscope-loader-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Builds `fixtures/module.c` with `defines` into `lib<name>.so`.
fn build(name: &str, defines: &[&str]) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/module.c");
    let inc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vmscope-abi/include");
    let out = dir().join(format!("lib{name}.so"));
    let st = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()))
        .args(["-shared", "-fPIC", "-std=c99", "-Wall", "-pedantic", "-o"])
        .arg(&out)
        .arg(format!("-I{}", inc.display()))
        .args(defines)
        .arg(&src)
        .output()
        .expect("a C compiler (cc)");
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    out
}

fn name(n: &str) -> String {
    format!("-DNAME=\"{n}\"")
}

fn load_err(path: &Path) -> LoadError {
    load(path, arch(), &[], calls()).expect_err("the load must fail")
}

/// Opens a fixture a second time (the same instance) so its counters outlive the module's handle.
fn hold(path: &Path) -> libloading::Library {
    // SAFETY: loading a fixture built above.
    unsafe { libloading::Library::new(path).unwrap() }
}

/// Reads an exported `int` of a fixture.
fn counter(lib: &libloading::Library, sym: &str) -> i32 {
    // SAFETY: the fixture exports `int` symbols of these names.
    unsafe { **lib.get::<*const i32>(sym.as_bytes()).unwrap() }
}

#[derive(Default)]
struct VecSink(Mutex<Vec<Event>>);
impl Sink for VecSink {
    fn emit(&self, event: Event) {
        self.0.lock().unwrap().push(event);
    }
}
impl VecSink {
    fn custom(&self, kind: &str) -> Vec<Vec<(String, FieldValue)>> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter_map(|e| match e {
                Event::Custom(c) if c.kind == kind => Some(c.fields.clone()),
                _ => None,
            })
            .collect()
    }
    fn notices(&self, source: &str) -> Vec<(String, String)> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter_map(|e| match e {
                Event::Notice(n) if n.source == source => {
                    Some((n.level.to_string(), n.message.clone()))
                }
                _ => None,
            })
            .collect()
    }
}

/// Publishes given events during a hook, like the syscall and file modules do.
struct Feeder(Mutex<Vec<Event>>);
impl Module for Feeder {
    fn name(&self) -> &str {
        "feeder"
    }
    fn interest(&self) -> Interest {
        Interest {
            entries: true,
            events: EventMask::NONE,
            ..Interest::default()
        }
    }
    fn on_hook(&self, _cpu: &mut dyn GuestCpu, _hook: &mut Hook, bus: &mut Bus) {
        for e in self.0.lock().unwrap().drain(..) {
            bus.publish(e);
        }
    }
}

fn hook() -> Hook {
    Hook::new(1, 1, 0x401000, 2, HookPoint::Entry(EntryKind::Syscall))
}

/// The Linux decoder: what renders system calls for library modules in a real run.
fn calls() -> Arc<dyn CallRender> {
    Arc::new(Decoder::new(DecodeOptions::default()))
}

fn thread() -> ThreadCtx {
    ThreadCtx {
        pid: Some(42),
        tid: Some(43),
        comm: Some("cat".into()),
        task: 0xffff_8880_0000_1000,
        asid: 0x1000,
    }
}

fn file_event(path: &str) -> Event {
    Event::File(FileEvent::Access(Box::new(FileAccess {
        ts: 5,
        vcpu: 1,
        thread: thread(),
        op: vmscope_core::event::FileActivity::Open,
        fd: Some(3),
        path: Some(path.into()),
        new_path: None,
        bytes: None,
        offset: None,
        length: None,
        flags: Some(ArgsText {
            abi: Abi::X86_64,
            nr: 257,
            call: Some(Call::Openat.id()),
            raw: [0xffff_ff9c, 0, 0, 0, 0, 0],
            which: [2, u8::MAX],
            render: render_args,
        }),
        error: None,
        data: None,
        sha256: None,
        hashed_bytes: None,
        unhashed_bytes: None,
    })))
}

/// `openat(AT_FDCWD, "/etc/shadow", O_RDONLY) = 3`, the path at `path_addr`, captured as the
/// syscall detector captures it.
fn syscall_event(path_addr: u64) -> Event {
    let mut g = TestGuest::new();
    g.write(path_addr, b"/etc/shadow\0");
    let raw = [0xffff_ff9c, path_addr, 0, 0, 0, 0];
    let opts = DecodeOptions::default();
    let mut c = capture_entry(&opts, Abi::X86_64, 257, &raw, &mut g);
    capture_exit(&opts, Abi::X86_64, 257, &mut c, Some(3), None, &mut g);
    Event::Syscall(Box::new(SyscallEvent {
        ts: 4,
        ts_exit: Some(5),
        vcpu: 1,
        thread: thread(),
        abi: Abi::X86_64,
        entry: EntryKind::Syscall,
        nr: 257,
        call: c.call.map(Call::id),
        name: c.name(),
        raw: c.raw,
        ret: Some(3),
        end: CallEnd::Returned,
        data: c.data,
        stack: None,
    }))
}

fn run(modules: Vec<Arc<dyn Module>>, events: Vec<Event>, guest: &mut TestGuest) -> Arc<VecSink> {
    let sink = Arc::new(VecSink::default());
    let mut all: Vec<Arc<dyn Module>> = vec![Arc::new(Feeder(Mutex::new(events)))];
    all.extend(modules);
    let d = Dispatcher::new(all, sink.clone()).unwrap();
    d.hook(guest, &mut hook());
    d.stop();
    sink
}

#[test]
fn a_module_declares_itself_and_takes_its_options() {
    let p = build(
        "decl",
        &[&name("decl"), "-DDEP1=\"files\"", "-DDEP2=\"other\""],
    );
    let opts = [ModuleOption::parse("decl.prefix=/pre").unwrap()];
    let m = load(&p, arch(), &opts, calls()).unwrap();
    assert_eq!(m.name(), "decl");
    assert_eq!(m.depends(), &["files", "other"]);
    let i = m.interest();
    assert!(!i.entries && !i.exits);
    assert!(i.events.contains(EventKind::File));
    assert!(i.events.contains(EventKind::Syscall));
    assert!(i.events.contains(EventKind::Custom));
    assert!(!i.events.contains(EventKind::Notice));
    assert_eq!(
        builtin_dependencies(std::slice::from_ref(&m), &["context", "syscalls", "files"]),
        vec!["files".to_string()]
    );
    let lib = hold(&p);
    assert_eq!(counter(&lib, "fixture_destroyed"), 0);
    drop(m);
    assert_eq!(counter(&lib, "fixture_destroyed"), 1);
}

#[test]
fn events_arrive_as_c_structs_and_the_module_reads_the_guest_and_publishes() {
    let p = build("echo", &[]);
    let m = load(
        &p,
        arch(),
        &[ModuleOption::parse("echo.prefix=P:").unwrap()],
        calls(),
    )
    .unwrap();
    let mut g = TestGuest::new();
    g.vcpu = 1;
    g.write(0x7000, b"/etc/shadow\0\0\0\0\0\0");
    g.set_reg(RAX, 257);
    let sink = run(
        vec![Arc::new(m)],
        vec![
            syscall_event(0x7000),
            syscall_event(0x9_0000),
            file_event("/etc/passwd"),
        ],
        &mut g,
    );
    let s = sink.custom("echo_syscall");
    assert_eq!(s.len(), 2, "{s:?}");
    assert_eq!(
        s[0][0],
        ("path".into(), FieldValue::Str("/etc/shadow".into()))
    );
    assert_eq!(s[0][1], ("rax".into(), FieldValue::UInt(257)));
    assert_eq!(s[0][2], ("vcpu".into(), FieldValue::Int(1)));
    assert_eq!(s[0][3], ("call".into(), FieldValue::Str("openat".into())));
    // Unmapped memory is a failed read, not a crash.
    assert_eq!(
        s[1][0],
        ("path".into(), FieldValue::Str("unreadable".into()))
    );
    let f = sink.custom("echo_file");
    assert_eq!(
        f,
        vec![vec![
            ("path".into(), FieldValue::Str("P:/etc/passwd".into())),
            ("pid".into(), FieldValue::Int(42)),
            ("has_fd".into(), FieldValue::Bool(true)),
        ]]
    );
    // on_stop: guest reads fail (vcpu -1), events still reach the journal, and so does the log.
    let stop = sink.custom("echo_stop");
    assert_eq!(stop.len(), 1);
    assert_eq!(stop[0][0], ("events".into(), FieldValue::Int(3)));
    assert_eq!(stop[0][1], ("vcpu".into(), FieldValue::Int(-1)));
    assert_eq!(
        sink.notices("echo"),
        vec![("info".to_string(), "stopping".to_string())]
    );
    // The journal got every event the module saw too.
    assert!(
        sink.0
            .lock()
            .unwrap()
            .iter()
            .any(|e| matches!(e, Event::File(_)))
    );
}

#[test]
fn one_library_module_consumes_another_ones_events() {
    let ping = build(
        "ping",
        &[
            &name("ping"),
            "-DCONSUMES=VMSCOPE_KIND_BIT(VMSCOPE_KIND_FILE)",
        ],
    );
    let pong = build(
        "pong",
        &[
            &name("pong"),
            "-DDEP1=\"ping\"",
            "-DCONSUMES=VMSCOPE_KIND_BIT(VMSCOPE_KIND_CUSTOM)",
        ],
    );
    let mods = load_all(&[pong, ping], arch(), &[], calls()).unwrap();
    let mods: Vec<Arc<dyn Module>> = mods.into_iter().map(|m| Arc::new(m) as _).collect();
    let sink = run(mods, vec![file_event("/x")], &mut TestGuest::new());
    // ping saw the file event and published ping_file; pong saw that once, and never its own
    // pong_saw (it consumes custom events too).
    assert_eq!(sink.custom("ping_file").len(), 1);
    assert_eq!(
        sink.custom("pong_saw"),
        vec![vec![(
            "chain".into(),
            FieldValue::Str("pong<-ping:/x".into())
        )]]
    );
}

#[test]
fn a_module_that_reports_an_error_is_disabled_once_and_the_others_go_on() {
    let bad = build("failing", &[&name("failing"), "-DFAIL_ON=\"/fail\""]);
    let good = build("steady", &[&name("steady")]);
    let mods = load_all(&[bad, good], arch(), &[], calls()).unwrap();
    let mods: Vec<Arc<dyn Module>> = mods.into_iter().map(|m| Arc::new(m) as _).collect();
    let sink = run(
        mods,
        vec![file_event("/fail"), file_event("/a"), file_event("/fail")],
        &mut TestGuest::new(),
    );
    let n = sink.notices("failing");
    assert_eq!(n.len(), 1, "{n:?}");
    assert_eq!(n[0].0, "error");
    assert!(n[0].1.contains("disabled"), "{}", n[0].1);
    assert!(sink.custom("failing_file").is_empty());
    assert!(
        sink.custom("failing_stop").is_empty(),
        "a disabled module is not stopped"
    );
    assert!(
        sink.notices("steady")
            .iter()
            .all(|(level, _)| level == "info")
    );
    assert_eq!(sink.custom("steady_file").len(), 3);
    assert_eq!(sink.custom("steady_stop").len(), 1);
}

#[test]
fn a_missing_file_or_a_non_library_fails_to_load() {
    let e = load_err(&dir().join("libnothere.so"));
    assert!(matches!(e, LoadError::Open { .. }), "{e}");
    assert!(e.to_string().contains("no such file"), "{e}");
    let text = dir().join("libtext.so");
    std::fs::write(&text, "not an ELF file\n").unwrap();
    let e = load_err(&text);
    assert!(matches!(e, LoadError::Open { .. }), "{e}");
    assert!(e.to_string().starts_with("module library "), "{e}");
    assert!(!e.to_string().contains('\n'));
}

#[test]
fn a_library_with_undefined_symbols_fails_at_load_not_later() {
    let p = build("undef", &[&name("undef"), "-DUNDEFINED"]);
    let e = load_err(&p);
    assert!(matches!(e, LoadError::Open { .. }), "{e}");
    assert!(e.to_string().contains("vmscope_fixture_nowhere"), "{e}");
}

#[test]
fn missing_entry_symbols_are_named() {
    let e = load_err(&build("noinit", &["-DNO_INIT"]));
    assert!(
        matches!(
            e,
            LoadError::MissingSymbol {
                symbol: "vmscope_module_init",
                ..
            }
        ),
        "{e}"
    );
    let e = load_err(&build("nover", &["-DNO_VERSION"]));
    assert!(
        matches!(
            e,
            LoadError::MissingSymbol {
                symbol: "vmscope_module_abi_version",
                ..
            }
        ),
        "{e}"
    );
    assert!(
        e.to_string()
            .contains("does not export `vmscope_module_abi_version`"),
        "{e}"
    );
}

#[test]
fn abi_versions_the_host_does_not_speak_are_refused() {
    for (v, shown) in [("0x20000", "2.0"), ("0x10002", "1.2"), ("0", "0.0")] {
        let e = load_err(&build(&format!("v{v}"), &[&format!("-DVERSION={v}")]));
        assert!(matches!(e, LoadError::AbiMismatch { .. }), "{e}");
        let msg = e.to_string();
        assert!(
            msg.contains(&format!(
                "built for vmscope module ABI {shown}, but this vmscope speaks ABI 1.1"
            )),
            "{msg}"
        );
    }
}

#[test]
fn a_failing_init_and_bad_declarations_are_reported() {
    let e = load_err(&build("initfail", &["-DINIT_FAILS"]));
    assert_eq!(
        e.to_string(),
        format!(
            "module library {}: its init failed: no licence file",
            dir().join("libinitfail.so").display()
        )
    );
    let p = build("badname", &["-DNAME=\"Bad.Name\""]);
    let lib = hold(&p);
    let e = load_err(&p);
    assert!(matches!(e, LoadError::BadDescriptor { .. }), "{e}");
    assert!(e.to_string().contains("`Bad.Name`"), "{e}");
    // Descriptor refused after a successful init: the module is destroyed.
    assert_eq!(counter(&lib, "fixture_destroyed"), 1);
    let e = load_err(&build("badkinds", &[&name("badkinds"), "-DCONSUMES=0x100"]));
    assert!(e.to_string().contains("unknown to ABI 1.1"), "{e}");
    // Records came with 1.1: a module built for 1.0 cannot ask for them.
    let e = load_err(&build(
        "oldrecord",
        &[&name("oldrecord"), "-DVERSION=0x10000", "-DCONSUMES=0x40"],
    ));
    assert!(e.to_string().contains("unknown to ABI 1.0"), "{e}");
    let e = load_err(&build("selfdep", &[&name("selfdep"), "-DDEP1=\"selfdep\""]));
    assert!(e.to_string().contains("depends on itself"), "{e}");
}

#[test]
fn missing_dependencies_and_cycles_are_refused_before_anything_runs() {
    let m = load(
        &build("needy", &[&name("needy"), "-DDEP1=\"nosuch\""]),
        arch(),
        &[],
        calls(),
    )
    .unwrap();
    let e = order_modules(vec![Arc::new(m)]).err().unwrap();
    assert_eq!(
        e.to_string(),
        "module `needy` depends on `nosuch`, which is not loaded"
    );
    let a = build("cyca", &[&name("cyca"), "-DDEP1=\"cycb\""]);
    let b = build("cycb", &[&name("cycb"), "-DDEP1=\"files\""]);
    let c = build("cycc", &[&name("cycc"), "-DDEP1=\"cyca\""]);
    // files -> cycb -> ... closes the loop through a built-in stand-in.
    let mods = load_all(&[a, b], arch(), &[], calls()).unwrap();
    let mut all: Vec<Arc<dyn Module>> = mods.into_iter().map(|m| Arc::new(m) as _).collect();
    all.push(Arc::new(Declared {
        name: "files",
        depends: &["cyca"],
    }));
    let e = order_modules(all).err().unwrap().to_string();
    assert!(
        e.starts_with("modules depend on each other in a cycle: "),
        "{e}"
    );
    for n in ["cyca", "cycb", "files"] {
        assert!(e.contains(n), "{e}");
    }
    // Two library modules of one name.
    let mods = load_all(&[c.clone(), c], arch(), &[], calls()).unwrap();
    let all: Vec<Arc<dyn Module>> = mods.into_iter().map(|m| Arc::new(m) as _).collect();
    assert_eq!(
        order_modules(all).err().unwrap().to_string(),
        "module `cycc` is loaded twice"
    );
}

#[test]
fn options_are_checked() {
    assert!(matches!(
        ModuleOption::parse("noequals"),
        Err(LoadError::BadOption(_))
    ));
    assert!(ModuleOption::parse("nodot=1").is_err());
    assert!(ModuleOption::parse("ids.paths=/a,/b").is_err());
    let o = ModuleOption::parse("ids.paths=/etc/shadow:/root=x").unwrap();
    assert_eq!((o.module.as_str(), o.key.as_str()), ("ids", "paths"));
    assert_eq!(o.value, "/etc/shadow:/root=x");
    let p = build("opts", &[&name("opts")]);
    let e = load(
        &p,
        arch(),
        &[ModuleOption::parse("opts.colour=red").unwrap()],
        calls(),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "module `opts` refused option `colour`: unknown key `colour`"
    );
    let e = load_all(
        std::slice::from_ref(&p),
        arch(),
        &[ModuleOption::parse("other.prefix=x").unwrap()],
        calls(),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "module option for `other`: no module of that name is loaded from a library (loaded: opts)"
    );
}

#[test]
fn paths_that_cannot_travel_in_plugin_options_are_refused() {
    for bad in ["/tmp/a:b/libx.so", "/tmp/a,b.so", "/tmp/c++/libx.so"] {
        let e = load(Path::new(bad), arch(), &[], calls()).unwrap_err();
        assert!(matches!(e, LoadError::BadPath { .. }), "{e}");
    }
    assert!(vmscope_loader::is_library("./libx.so"));
    assert!(vmscope_loader::is_library("libx.so"));
    assert!(vmscope_loader::is_library("/opt/m/x"));
    assert!(!vmscope_loader::is_library("files"));
}

#[allow(dead_code, reason = "keeps the public type in the test's view")]
fn _types(_: &DynModule) {}

#[test]
fn a_module_built_for_1_0_still_loads_and_sees_no_records() {
    let p = build("old", &[&name("old"), "-DVERSION=0x10000"]);
    let m = load(&p, arch(), &[], calls()).unwrap();
    assert!(!m.interest().events.contains(EventKind::Memory));
    let mut g = TestGuest::new();
    let sink = run(vec![Arc::new(m)], vec![image_event(), maps_event()], &mut g);
    assert!(sink.custom("old_record").is_empty());
}

fn image_event() -> Event {
    Event::Image(Box::new(ImageEvent {
        ts: 7,
        vcpu: 0,
        thread: thread(),
        op: ImageOp::Load,
        kind: ImageKind::Library,
        path: Some("/usr/lib/x86_64-linux-gnu/libc.so.6".into()),
        base: 0x7f00_0000_0000,
        end: 0x7f00_0020_0000,
        load_bias: Some(0x7f00_0000_0000),
        soname: Some("libc.so.6".into()),
        build_id: None,
    }))
}

fn maps_event() -> Event {
    Event::Maps(Box::new(MapsSnapshot {
        ts: 9,
        pid: Some(42),
        comm: Some("cat".into()),
        when: MapsWhen::Exit,
        exe: Some("/bin/cat".into()),
        source: MapsSource::Kernel,
        regions: vec![Region {
            start: 0x40_0000,
            end: 0x40_1000,
            perms: *b"r-xp",
            offset: 0,
            path: Some("/bin/cat".into()),
        }],
    }))
}

#[test]
fn records_reach_1_1_modules_as_named_fields() {
    let p = build(
        "rec",
        &[
            &name("rec"),
            "-DCONSUMES=VMSCOPE_KIND_BIT(VMSCOPE_KIND_RECORD)",
        ],
    );
    let m = load(&p, arch(), &[], calls()).unwrap();
    let i = m.interest();
    for k in [EventKind::Memory, EventKind::Maps, EventKind::Image] {
        assert!(i.events.contains(k), "{k:?}");
    }
    assert!(!i.events.contains(EventKind::Syscall));
    let mut g = TestGuest::new();
    let sink = run(vec![Arc::new(m)], vec![image_event(), maps_event()], &mut g);
    let r = sink.custom("rec_record");
    assert_eq!(r.len(), 2, "{r:?}");
    assert_eq!(r[0][0], ("record".into(), FieldValue::Str("image".into())));
    assert_eq!(r[0][1], ("from".into(), FieldValue::Str("images".into())));
    assert_eq!(
        r[0][2],
        (
            "path".into(),
            FieldValue::Str("/usr/lib/x86_64-linux-gnu/libc.so.6".into())
        )
    );
    assert_eq!(r[1][0], ("record".into(), FieldValue::Str("maps".into())));
    assert_eq!(r[1][1], ("from".into(), FieldValue::Str("memory".into())));
    // The regions list arrives as the journal's JSON.
    assert_eq!(
        r[1][3],
        (
            "regions".into(),
            FieldValue::Str(
                r#"[{"start":"0x400000","end":"0x401000","perms":"r-xp","offset":"0x0","path":"/bin/cat"}]"#
                    .into()
            )
        )
    );
}

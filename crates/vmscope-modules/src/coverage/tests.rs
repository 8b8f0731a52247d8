#![allow(clippy::unwrap_used, reason = "tests may panic")]

use vmscope_core::arch::x86_64::X86_64;
use vmscope_core::arch::{EntryKind, ExitKind};
use vmscope_core::event::{
    Event, ImageEvent, ImageKind, ImageOp, MapsSnapshot, MapsSource, MapsWhen, ThreadCtx,
};
use vmscope_core::guest::TestGuest;
use vmscope_core::module::{Bus, Hook, HookPoint, Module};

use super::{Coverage, CoverageOptions, check_dir};

fn thread(pid: Option<u32>, comm: Option<&str>) -> ThreadCtx {
    ThreadCtx {
        pid,
        tid: Some(5),
        comm: comm.map(Into::into),
        task: 0xffff_8880_0000_1000,
        asid: 0x1000,
    }
}

fn hook(c: &Coverage, g: &mut TestGuest, point: HookPoint, t: ThreadCtx) {
    let mut h = Hook::new(0, 0, 0, 2, point);
    h.thread = Some(t);
    h.to_user = matches!(point, HookPoint::Exit(_)).then_some(true);
    c.on_hook(g, &mut h, &mut Bus::default());
}

fn maps(pid: u32, comm: &str, when: MapsWhen) -> Event {
    Event::Maps(Box::new(MapsSnapshot {
        ts: 0,
        pid: Some(pid),
        comm: Some(comm.into()),
        when,
        exe: None,
        source: MapsSource::Kernel,
        regions: vec![],
    }))
}

fn dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("vmscope-cov-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn a_covered_process_gets_a_file_with_its_images_at_exit() {
    let d = dir("exit");
    check_dir(&d).unwrap();
    let opts = CoverageOptions {
        dir: d.clone(),
        only: vec!["wl-x".into()],
        kernel: false,
    };
    let c = Coverage::new(opts, &X86_64, 1);
    let mut g = TestGuest::new();
    let entry = HookPoint::Entry(EntryKind::Syscall);
    let sysret = HookPoint::Exit(ExitKind::Sysret { wide: true });
    // A shell, not covered: its blocks are dropped.
    hook(&c, &mut g, entry, thread(Some(5), Some("sh")));
    hook(&c, &mut g, sysret, thread(None, None));
    assert_eq!(g.block_resets, 1);
    c.on_block(0, 0x40_2000, 4);
    // It execs wl-x: the exec snapshot resets the vCPU's filter; its blocks are kept.
    c.on_event(
        &maps(5, "wl-x", MapsWhen::Exec),
        &mut g,
        &mut Bus::default(),
    );
    assert_eq!(g.block_resets, 2);
    c.on_event(
        &Event::Image(Box::new(ImageEvent {
            ts: 0,
            vcpu: 0,
            thread: thread(Some(5), Some("wl-x")),
            op: ImageOp::Load,
            kind: ImageKind::Exe,
            path: Some("/bin/wl-x".into()),
            base: 0x40_0000,
            end: 0x50_0000,
            load_bias: Some(0),
            build_id: None,
            soname: None,
        })),
        &mut g,
        &mut Bus::default(),
    );
    for _ in 0..3 {
        c.on_block(0, 0x40_1000, 16);
        c.on_block(0, 0x40_1010, 8);
    }
    c.on_block(0, 0x7000_0000, 4);
    let mut bus = Bus::default();
    c.on_event(&maps(5, "wl-x", MapsWhen::Exit), &mut g, &mut bus);
    let ev = bus.take();
    let Some(Event::Coverage(cov)) = ev.first() else {
        panic!("{ev:?}")
    };
    assert_eq!((cov.pid, cov.blocks, cov.modules), (Some(5), 3, 2));
    assert_eq!(cov.comm.as_deref(), Some("wl-x"));
    assert!(cov.error.is_none(), "{cov:?}");
    let bytes = std::fs::read(&cov.file).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.starts_with("DRCOV VERSION: 2\nDRCOV FLAVOR: drcov\n"));
    assert!(text.contains("/bin/wl-x\n"), "{text}");
    assert!(text.contains("[anonymous]\n"), "{text}");
    assert!(text.contains("BB Table: 3 bbs\n"), "{text}");
    // The shell's file was never written (not covered), and nothing is left for the end.
    let mut bus = Bus::default();
    c.on_stop(&mut bus);
    assert!(bus.events().is_empty(), "{:?}", bus.events());
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn an_unwritable_directory_is_one_line() {
    let e = check_dir(std::path::Path::new("/proc/vmscope-no")).unwrap_err();
    assert!(e.starts_with("coverage directory /proc/vmscope-no"), "{e}");
    assert!(!e.contains('\n'));
}

//! The SDK's boundary, driven as vmscope drives it (through the C descriptor): declarations, options,
//! events, publishing, and a panic turned into an error status plus one logged reason.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test may panic"
)]

use std::ffi::{CStr, c_char, c_int, c_void};
use std::sync::Mutex;

use vmscope_sdk::{Event, Host, Kind, Module, Value, abi};

static LOG: Mutex<Vec<String>> = Mutex::new(Vec::new());
static PUBLISHED: Mutex<Vec<(String, Vec<String>)>> = Mutex::new(Vec::new());

unsafe extern "C" fn log(_ctx: *mut abi::Ctx, level: c_int, message: *const c_char) {
    // SAFETY: the SDK hands a C string.
    let m = unsafe { CStr::from_ptr(message) }.to_string_lossy();
    LOG.lock().unwrap().push(format!("{level}:{m}"));
}

unsafe extern "C" fn publish(
    _ctx: *mut abi::Ctx,
    ty: *const c_char,
    fields: *const abi::Field,
    n: usize,
) -> c_int {
    // SAFETY: the SDK hands valid fields.
    unsafe {
        let ty = CStr::from_ptr(ty).to_string_lossy().into_owned();
        let f = std::slice::from_raw_parts(fields, n)
            .iter()
            .map(|f| {
                let name = CStr::from_ptr(f.name).to_string_lossy();
                match f.value.kind {
                    abi::VALUE_STR => {
                        format!("{name}={}", CStr::from_ptr(f.value.as_.s).to_string_lossy())
                    }
                    abi::VALUE_UINT => format!("{name}={}", f.value.as_.u),
                    _ => format!("{name}=?"),
                }
            })
            .collect();
        PUBLISHED.lock().unwrap().push((ty, f));
    }
    abi::OK
}

static HOST: abi::Host = abi::Host {
    abi_version: abi::ABI_VERSION,
    size: size_of::<abi::Host>() as u32,
    read_memory: None,
    read_register: None,
    vcpu: None,
    publish: Some(publish),
    log: Some(log),
};

#[derive(Default)]
struct Probe {
    prefix: String,
}

impl Module for Probe {
    const NAME: &'static str = "probe";
    const DEPENDS: &'static [&'static str] = &["files", "syscalls"];
    const CONSUMES: &'static [Kind] = &[Kind::File, Kind::Custom];
    fn new() -> Self {
        Self::default()
    }
    fn configure(&mut self, key: &str, value: &str) -> Result<(), String> {
        if key == "prefix" {
            self.prefix = value.to_string();
            Ok(())
        } else {
            Err(format!("no `{key}`"))
        }
    }
    fn on_event(&self, ev: &Event<'_>, host: &mut Host<'_>) -> Result<(), String> {
        let f = ev.file().ok_or("not a file event")?;
        let path = f.path().unwrap_or("");
        if path == "/panic" {
            panic!("boom at {path}");
        }
        let p = format!("{}{path}", self.prefix);
        host.publish(
            "probe_seen",
            &[
                ("path", Value::Str(&p)),
                ("fd", Value::UInt(f.fd().unwrap_or(0) as u64)),
            ],
        )
    }
}

vmscope_sdk::export_module!(Probe);

fn file_event(path: &CStr, file: &mut abi::File) -> abi::Event {
    file.path = path.as_ptr();
    abi::Event {
        kind: abi::KIND_FILE,
        reserved: 0,
        ts: 1,
        type_: c"file".as_ptr(),
        syscall: std::ptr::null(),
        notice: std::ptr::null(),
        process: std::ptr::null(),
        file,
        file_summary: std::ptr::null(),
        custom: std::ptr::null(),
        process_list: std::ptr::null(),
        record: std::ptr::null(),
    }
}

#[test]
fn the_macro_exports_a_module_vmscope_can_drive() {
    assert_eq!(vmscope_module_abi_version, abi::ABI_VERSION);
    let mut d = abi::ModuleDesc::for_host();
    let mut err = [0 as c_char; 128];
    // SAFETY: as vmscope calls it.
    let rc = unsafe { vmscope_module_init(&HOST, &mut d, err.as_mut_ptr(), err.len()) };
    assert_eq!(rc, abi::OK);
    // SAFETY: set by init.
    unsafe {
        assert_eq!(CStr::from_ptr(d.name).to_str().unwrap(), "probe");
        assert_eq!(CStr::from_ptr(*d.depends).to_str().unwrap(), "files");
        assert_eq!(
            CStr::from_ptr(*d.depends.add(1)).to_str().unwrap(),
            "syscalls"
        );
        assert!((*d.depends.add(2)).is_null());
    }
    assert_eq!(
        d.consumes,
        abi::kind_bit(abi::KIND_FILE) | abi::kind_bit(abi::KIND_CUSTOM)
    );
    let configure = d.configure.unwrap();
    // SAFETY: as vmscope calls it.
    unsafe {
        assert_eq!(
            configure(
                d.state,
                c"prefix".as_ptr(),
                c"P".as_ptr(),
                err.as_mut_ptr(),
                err.len()
            ),
            abi::OK
        );
        assert_eq!(
            configure(
                d.state,
                c"nope".as_ptr(),
                c"1".as_ptr(),
                err.as_mut_ptr(),
                err.len()
            ),
            abi::ERROR
        );
        assert_eq!(CStr::from_ptr(err.as_ptr()).to_str().unwrap(), "no `nope`");
    }
    let on_event = d.on_event.unwrap();
    let mut file = abi::File {
        thread: abi::Thread {
            pid: 5,
            tid: 5,
            comm: std::ptr::null(),
            task: 0,
            asid: 0,
        },
        vcpu: 0,
        has: abi::FILE_HAS_FD,
        op: c"open".as_ptr(),
        fd: 3,
        path: std::ptr::null(),
        new_path: std::ptr::null(),
        bytes: 0,
        offset: 0,
        length: 0,
        flags: std::ptr::null(),
        error: std::ptr::null(),
        data: std::ptr::null(),
        sha256: std::ptr::null(),
        hashed_bytes: 0,
        unhashed_bytes: 0,
    };
    let ev = file_event(c"/etc/x", &mut file);
    // SAFETY: as vmscope calls it (the context is opaque to the SDK).
    let rc = unsafe { on_event(d.state, std::ptr::null_mut(), &ev) };
    assert_eq!(rc, abi::OK);
    assert_eq!(
        PUBLISHED.lock().unwrap().clone(),
        vec![(
            "probe_seen".to_string(),
            vec!["path=P/etc/x".to_string(), "fd=3".to_string()]
        )]
    );
    // A panic stays on this side: an error status and its reason in the log.
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let ev = file_event(c"/panic", &mut file);
    // SAFETY: as above.
    let rc = unsafe { on_event(d.state, std::ptr::null_mut(), &ev) };
    std::panic::set_hook(prev);
    assert_eq!(rc, abi::ERROR);
    assert_eq!(
        LOG.lock().unwrap().clone(),
        vec![format!(
            "{}:on_event: panicked: boom at /panic",
            abi::LOG_ERROR
        )]
    );
    // SAFETY: once, last.
    unsafe { d.destroy.unwrap()(d.state.cast::<c_void>()) };
}

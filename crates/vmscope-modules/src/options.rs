//! What a tracing run is told: one type, written by the command line ([`Options::to_args`]) and read
//! by the plugin ([`Options::parse`]) as QEMU hands it over (`-plugin libvmscope.so,key=value,...`).
//!
//! QEMU splits the option string on commas, so lists inside one option use `:`
//! (`modules=context:syscalls`), and no value may contain a comma. Parsing is pure so it can be
//! tested without QEMU; a round-trip test keeps the two directions in step.

use std::path::PathBuf;

pub use crate::journal::Format;

/// Everything the plugin can be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The guest kernel image (bzImage or vmlinux) whose BTF gives the structure offsets.
    pub kernel: Option<PathBuf>,
    /// The DWARF vmlinux of the same build (`kernel_debuginfo=PATH`): the layout comes from its
    /// DWARF, for kernels without BTF (Debian's i386 kernel). Needs `kernel`.
    pub kernel_debuginfo: Option<PathBuf>,
    /// No kernel file: find the running kernel's BTF in guest memory once it runs (`layout=memory`,
    /// for a guest that boots itself).
    pub layout_from_memory: bool,
    /// Where the journal goes; `-` is QEMU's standard output, `None` its standard error.
    pub output: Option<PathBuf>,
    /// Journal format.
    pub format: Format,
    /// Modules to load, in the order given (dependencies are added and ordered).
    pub modules: Vec<String>,
    /// Cut strings at this many bytes (strace's `-s`).
    pub string_limit: usize,
    /// File monitor: journal the first N bytes of every read/write and hash every handle's bytes.
    pub capture: Option<usize>,
    /// Keep only these processes (and their descendants) in the journal (`follow_pid=N:N`).
    pub follow_pids: Vec<u32>,
    /// Keep only processes with these command names (and their descendants) (`follow_comm=A:B`).
    pub follow_comms: Vec<String>,
    /// List every process this often, in seconds (`process_list=SECONDS`).
    pub process_list_every: Option<u64>,
    /// Options for modules loaded from libraries (`module_option=NAME.KEY=VALUE`, repeatable), as
    /// given; the module loader checks them against what each library declares.
    pub module_options: Vec<String>,
    /// Measure vmscope's own time per callback and module, reported at the end (`self_profile=on`).
    pub self_profile: bool,
    /// Stamp events with the guest's virtual clock, instructions executed × 2^shift ns, as QEMU's
    /// `-icount shift=N` runs it (`icount_shift=N`; replays, whose journals must not depend on the
    /// host's speed).
    pub icount_shift: Option<u8>,
    /// Every system call carries its user-space stack, of at most this many frames (`stack=N`).
    pub stack: Option<usize>,
    /// Where the stacks module looks for the images' debug files (`debug_dir=DIR`).
    pub debug_dir: Option<PathBuf>,
    /// Journal only these calls: strace's `-e trace=` expression (`trace=%network:openat`, `:` for
    /// strace's `,`), checked when parsed.
    pub trace: Option<String>,
    /// Coverage module: where the drcov files go (`coverage_dir=DIR`).
    pub coverage_dir: Option<PathBuf>,
    /// Coverage module: only these command names (`coverage_for=A:B`).
    pub coverage_for: Vec<String>,
    /// Coverage module: kernel blocks too (`coverage_kernel=on`).
    pub coverage_kernel: bool,
    /// Devices module: journal every access to these devices (`device_events=A:B`, `*` for all).
    pub device_events: Vec<String>,
    /// Every descriptor argument and returned descriptor carries what it names, like strace's `-y`
    /// (`decode_fds=on`; brings the file and network monitors).
    pub decode_fds: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            kernel: None,
            kernel_debuginfo: None,
            layout_from_memory: false,
            output: None,
            format: Format::Jsonl,
            modules: vec!["syscalls".to_string()],
            string_limit: 32,
            capture: None,
            follow_pids: Vec::new(),
            follow_comms: Vec::new(),
            process_list_every: None,
            module_options: Vec::new(),
            self_profile: false,
            icount_shift: None,
            stack: None,
            debug_dir: None,
            trace: None,
            coverage_dir: None,
            coverage_for: Vec::new(),
            coverage_kernel: false,
            device_events: Vec::new(),
            decode_fds: false,
        }
    }
}

/// A bad plugin option.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OptionError {
    /// Not of the form `key=value`.
    #[error("plugin option `{0}` is not of the form key=value")]
    NotKeyValue(String),
    /// A key the plugin does not know.
    #[error(
        "unknown plugin option `{0}` (known: kernel, kernel_debuginfo, layout, output, format, modules, module_option, string_limit, capture, follow_pid, follow_comm, process_list, self_profile, icount_shift, stack, debug_dir, trace, coverage_dir, coverage_for, coverage_kernel, device_events, decode_fds)"
    )]
    UnknownKey(String),
    /// A value that does not fit its key.
    #[error("plugin option `{key}`: {problem}")]
    BadValue {
        /// The key.
        key: String,
        /// What is wrong.
        problem: String,
    },
}

impl Options {
    /// Parses QEMU's `key=value` arguments.
    pub fn parse<S: AsRef<str>>(args: &[S]) -> Result<Self, OptionError> {
        let mut o = Options::default();
        for arg in args {
            let arg = arg.as_ref();
            let (key, value) = arg
                .split_once('=')
                .ok_or_else(|| OptionError::NotKeyValue(arg.to_string()))?;
            let bad = |problem: &str| OptionError::BadValue {
                key: key.to_string(),
                problem: problem.to_string(),
            };
            match key {
                "kernel" if value.is_empty() => return Err(bad("empty path")),
                "kernel" => o.kernel = Some(PathBuf::from(value)),
                "kernel_debuginfo" if value.is_empty() => return Err(bad("empty path")),
                "kernel_debuginfo" => o.kernel_debuginfo = Some(PathBuf::from(value)),
                "layout" => {
                    o.layout_from_memory = match value {
                        "memory" => true,
                        "file" => false,
                        _ => return Err(bad("expected `memory` (or `file`, with kernel=PATH)")),
                    }
                }
                "output" if value.is_empty() => return Err(bad("empty path")),
                "output" => o.output = Some(PathBuf::from(value)),
                "format" => {
                    o.format = match value {
                        "text" => Format::Text,
                        "jsonl" | "json" => Format::Jsonl,
                        _ => return Err(bad("expected `text` or `jsonl`")),
                    }
                }
                "modules" => {
                    o.modules = value
                        .split([':', '+'])
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect();
                }
                "string_limit" => {
                    o.string_limit = value
                        .parse::<usize>()
                        .ok()
                        .filter(|n| (1..=1 << 20).contains(n))
                        .ok_or_else(|| bad("expected a number from 1 to 1048576"))?;
                }
                "capture" => {
                    o.capture = Some(
                        value
                            .parse::<usize>()
                            .ok()
                            .filter(|n| *n <= crate::files::MAX_CAPTURE)
                            .ok_or_else(|| bad("expected a number from 0 to 1048576"))?,
                    );
                }
                "follow_pid" => {
                    for p in value.split([':', '+']) {
                        o.follow_pids.push(
                            p.parse::<u32>()
                                .ok()
                                .filter(|n| *n > 0)
                                .ok_or_else(|| bad("expected process ids separated by `:`"))?,
                        );
                    }
                }
                "follow_comm" => {
                    for c in value.split([':', '+']) {
                        if c.is_empty() || c.len() > 15 {
                            return Err(bad(
                                "expected command names of 1 to 15 bytes separated by `:`",
                            ));
                        }
                        o.follow_comms.push(c.to_string());
                    }
                }
                "process_list" => {
                    o.process_list_every = Some(
                        value
                            .parse::<u64>()
                            .ok()
                            .filter(|n| (1..=86_400).contains(n))
                            .ok_or_else(|| bad("expected seconds from 1 to 86400"))?,
                    );
                }
                "trace" => {
                    vmscope_linux::trace_classes::TraceSet::parse(value)
                        .map_err(|e| bad(&e.to_string()))?;
                    o.trace = Some(value.replace(',', ":"));
                }
                "self_profile" => {
                    o.self_profile = match value {
                        "on" | "true" | "1" => true,
                        "off" | "false" | "0" => false,
                        _ => return Err(bad("expected `on` or `off`")),
                    }
                }
                "icount_shift" => {
                    o.icount_shift = Some(
                        value
                            .parse::<u8>()
                            .ok()
                            .filter(|n| *n <= 10)
                            .ok_or_else(|| {
                                bad("expected a number from 0 to 10 (QEMU's icount shift)")
                            })?,
                    );
                }
                "stack" => {
                    o.stack = Some(
                        value
                            .parse::<usize>()
                            .ok()
                            .filter(|n| (1..=vmscope_linux::unwind::MAX_DEPTH).contains(n))
                            .ok_or_else(|| bad("expected a number of frames from 1 to 1024"))?,
                    );
                }
                "debug_dir" if value.is_empty() => return Err(bad("empty path")),
                "debug_dir" => o.debug_dir = Some(PathBuf::from(value)),
                "coverage_dir" if value.is_empty() => return Err(bad("empty path")),
                "coverage_dir" => o.coverage_dir = Some(PathBuf::from(value)),
                "coverage_for" => {
                    for c in value.split([':', '+']) {
                        if c.is_empty() || c.len() > 15 {
                            return Err(bad(
                                "expected command names of 1 to 15 bytes separated by `:`",
                            ));
                        }
                        o.coverage_for.push(c.to_string());
                    }
                }
                "decode_fds" => {
                    o.decode_fds = match value {
                        "on" | "true" | "1" => true,
                        "off" | "false" | "0" => false,
                        _ => return Err(bad("expected `on` or `off`")),
                    }
                }
                "coverage_kernel" => {
                    o.coverage_kernel = match value {
                        "on" | "true" | "1" => true,
                        "off" | "false" | "0" => false,
                        _ => return Err(bad("expected `on` or `off`")),
                    }
                }
                "device_events" => {
                    for d in value.split([':', '+']) {
                        if d.is_empty() {
                            return Err(bad("expected device names separated by `:`"));
                        }
                        o.device_events.push(d.to_string());
                    }
                }
                "module_option" => {
                    let shape = value.split_once('=').is_some_and(|(lhs, _)| {
                        lhs.split_once('.')
                            .is_some_and(|(m, k)| !m.is_empty() && !k.is_empty())
                    });
                    if !shape {
                        return Err(bad("expected NAME.KEY=VALUE"));
                    }
                    o.module_options.push(value.to_string());
                }
                _ => return Err(OptionError::UnknownKey(key.to_string())),
            }
        }
        if o.layout_from_memory && o.kernel.is_some() {
            return Err(OptionError::BadValue {
                key: "layout".into(),
                problem: "`memory` and kernel=PATH exclude each other (the layout comes from the \
                          file or from guest memory)"
                    .into(),
            });
        }
        if o.kernel_debuginfo.is_some() && o.kernel.is_none() {
            return Err(OptionError::BadValue {
                key: "kernel_debuginfo".into(),
                problem: "needs kernel=PATH (the image it describes)".into(),
            });
        }
        Ok(o)
    }
}

/// An option value that cannot be passed to the plugin.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}: QEMU splits plugin options on commas, so no value given to vmscope may contain one")]
pub struct CommaInValue(pub String);

impl Options {
    /// The `key=value` arguments that [`Options::parse`] reads back as these options (defaults left
    /// out).
    pub fn to_args(&self) -> Result<Vec<String>, CommaInValue> {
        let d = Options::default();
        let mut a = Vec::new();
        if let Some(k) = &self.kernel {
            a.push(format!("kernel={}", k.display()));
        }
        if let Some(k) = &self.kernel_debuginfo {
            a.push(format!("kernel_debuginfo={}", k.display()));
        }
        if self.layout_from_memory {
            a.push("layout=memory".to_string());
        }
        if let Some(o) = &self.output {
            a.push(format!("output={}", o.display()));
        }
        if self.format != d.format {
            a.push(format!(
                "format={}",
                match self.format {
                    Format::Text => "text",
                    Format::Jsonl => "jsonl",
                }
            ));
        }
        a.push(format!("modules={}", self.modules.join(":")));
        if self.string_limit != d.string_limit {
            a.push(format!("string_limit={}", self.string_limit));
        }
        if let Some(n) = self.capture {
            a.push(format!("capture={n}"));
        }
        if !self.follow_pids.is_empty() {
            let pids: Vec<String> = self.follow_pids.iter().map(u32::to_string).collect();
            a.push(format!("follow_pid={}", pids.join(":")));
        }
        if !self.follow_comms.is_empty() {
            a.push(format!("follow_comm={}", self.follow_comms.join(":")));
        }
        if let Some(s) = self.process_list_every {
            a.push(format!("process_list={s}"));
        }
        if let Some(t) = &self.trace {
            a.push(format!("trace={}", t.replace(',', ":")));
        }
        if self.self_profile {
            a.push("self_profile=on".to_string());
        }
        if let Some(n) = self.icount_shift {
            a.push(format!("icount_shift={n}"));
        }
        for m in &self.module_options {
            a.push(format!("module_option={m}"));
        }
        if let Some(n) = self.stack {
            a.push(format!("stack={n}"));
        }
        if let Some(d) = &self.debug_dir {
            a.push(format!("debug_dir={}", d.display()));
        }
        if let Some(d) = &self.coverage_dir {
            a.push(format!("coverage_dir={}", d.display()));
        }
        if !self.coverage_for.is_empty() {
            a.push(format!("coverage_for={}", self.coverage_for.join(":")));
        }
        if self.coverage_kernel {
            a.push("coverage_kernel=on".to_string());
        }
        if !self.device_events.is_empty() {
            a.push(format!("device_events={}", self.device_events.join(":")));
        }
        if self.decode_fds {
            a.push("decode_fds=on".to_string());
        }
        if let Some(bad) = a.iter().find(|s| s.contains(',')) {
            return Err(CommaInValue(bad.clone()));
        }
        Ok(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_option() {
        let o = Options::parse(&[
            "kernel=/k/vmlinuz",
            "output=/tmp/j.jsonl",
            "format=text",
            "modules=context:syscalls",
            "string_limit=64",
            "capture=16",
        ])
        .unwrap();
        assert_eq!(o.kernel, Some(PathBuf::from("/k/vmlinuz")));
        assert_eq!(o.output, Some(PathBuf::from("/tmp/j.jsonl")));
        assert_eq!(o.format, Format::Text);
        assert_eq!(o.modules, vec!["context", "syscalls"]);
        assert_eq!(o.string_limit, 64);
        assert_eq!(o.capture, Some(16));
    }

    #[test]
    fn process_filter_options_use_colons_for_lists() {
        let o = Options::parse(&[
            "follow_pid=12:34",
            "follow_comm=wl-lifecycle:sh",
            "process_list=5",
        ])
        .unwrap();
        assert_eq!(o.follow_pids, vec![12, 34]);
        assert_eq!(o.follow_comms, vec!["wl-lifecycle", "sh"]);
        assert_eq!(o.process_list_every, Some(5));
        for bad in [
            "follow_pid=abc",
            "follow_pid=0",
            "follow_pid=",
            "follow_comm=",
            "follow_comm=a-name-longer-than-15",
            "process_list=0",
            "process_list=x",
        ] {
            let e = Options::parse(&[bad]).unwrap_err().to_string();
            let key = bad.split('=').next().unwrap();
            assert!(
                e.starts_with(&format!("plugin option `{key}`")),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn refuses_bad_options_with_a_clear_message() {
        assert_eq!(
            Options::parse(&["nonsense"]),
            Err(OptionError::NotKeyValue("nonsense".into()))
        );
        assert!(matches!(
            Options::parse(&["colour=red"]),
            Err(OptionError::UnknownKey(k)) if k == "colour"
        ));
        let e = Options::parse(&["format=xml"]).unwrap_err().to_string();
        assert_eq!(e, "plugin option `format`: expected `text` or `jsonl`");
        assert!(Options::parse(&["string_limit=0"]).is_err());
        assert!(Options::parse(&["string_limit=abc"]).is_err());
        assert!(Options::parse(&["kernel="]).is_err());
        assert!(Options::parse(&["capture=-1"]).is_err());
        assert!(Options::parse(&["capture=99999999"]).is_err());
        let e = Options::parse(&["self_profile=maybe"])
            .unwrap_err()
            .to_string();
        assert_eq!(e, "plugin option `self_profile`: expected `on` or `off`");
        assert!(Options::parse(&["self_profile=on"]).unwrap().self_profile);
        assert!(!Options::parse(&["self_profile=off"]).unwrap().self_profile);
    }

    #[test]
    fn module_options_repeat_and_keep_colons() {
        let o = Options::parse(&[
            "modules=files:/opt/m/libids.so",
            "module_option=ids.paths=/etc/shadow:/root",
            "module_option=ids.verbose=1",
        ])
        .unwrap();
        assert_eq!(o.modules, vec!["files", "/opt/m/libids.so"]);
        assert_eq!(
            o.module_options,
            vec!["ids.paths=/etc/shadow:/root", "ids.verbose=1"]
        );
        let e = Options::parse(&["module_option=nodot"])
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("plugin option `module_option`: "), "{e}");
    }

    #[test]
    fn options_round_trip_through_the_plugin_arguments() {
        let full = Options {
            kernel: Some("/k/vmlinuz".into()),
            kernel_debuginfo: Some("/k/vmlinux-dbg".into()),
            layout_from_memory: false,
            output: Some("/tmp/j.jsonl".into()),
            format: Format::Text,
            modules: vec!["context".into(), "files".into(), "/m/libx.so".into()],
            string_limit: 4096,
            capture: Some(0),
            follow_pids: vec![1, 22],
            follow_comms: vec!["sh".into(), "wl-x".into()],
            process_list_every: Some(3),
            module_options: vec!["x.a=1:2".into(), "x.b=".into()],
            self_profile: true,
            icount_shift: Some(3),
            stack: Some(12),
            debug_dir: Some("/usr/lib/debug".into()),
            trace: Some("!%desc:openat".into()),
            coverage_dir: Some("/tmp/cov".into()),
            coverage_for: vec!["wl-a".into(), "sh".into()],
            coverage_kernel: true,
            device_events: vec!["serial0".into(), "*".into()],
            decode_fds: true,
        };
        let memory = Options {
            layout_from_memory: true,
            ..Options::default()
        };
        for o in [full, memory, Options::default()] {
            let args = o.to_args().unwrap();
            assert_eq!(Options::parse(&args).unwrap(), o, "{args:?}");
        }
        let comma = Options {
            output: Some("/tmp/a,b".into()),
            ..Options::default()
        };
        assert!(comma.to_args().is_err());
    }

    #[test]
    fn the_layout_comes_from_a_file_or_from_memory_not_both() {
        let o = Options::parse(&["layout=memory"]).unwrap();
        assert!(o.layout_from_memory && o.kernel.is_none());
        let e = Options::parse(&["kernel=/k", "layout=memory"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("exclude each other"), "{e}");
        let e = Options::parse(&["layout=guess"]).unwrap_err().to_string();
        assert!(e.starts_with("plugin option `layout`"), "{e}");
    }

    #[test]
    fn defaults_are_jsonl_on_stderr_with_the_syscalls_module() {
        let o = Options::parse::<&str>(&[]).unwrap();
        assert_eq!(o, Options::default());
        assert_eq!(o.format, Format::Jsonl);
    }
}

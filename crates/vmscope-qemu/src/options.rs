//! The plugin's options, as QEMU hands them over (`-plugin libvmscope.so,key=value,...`).
//!
//! QEMU splits the option string on commas, so lists inside one option use `:`
//! (`modules=context:syscalls`). Parsing is pure so it can be tested without QEMU.

use std::path::PathBuf;

pub use vmscope_modules::journal::Format;

/// Everything the plugin can be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The guest kernel image (bzImage or vmlinux) whose BTF gives the structure offsets.
    pub kernel: Option<PathBuf>,
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
    /// Options for modules loaded from libraries (`module_option=NAME.KEY=VALUE`, repeatable).
    pub module_options: Vec<vmscope_loader::ModuleOption>,
    /// Measure vmscope's own time per callback and module, reported at the end (`self_profile=on`).
    pub self_profile: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            kernel: None,
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
        "unknown plugin option `{0}` (known: kernel, output, format, modules, module_option, string_limit, capture, follow_pid, follow_comm, process_list, self_profile)"
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
                            .filter(|n| *n <= vmscope_modules::files::MAX_CAPTURE)
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
                "self_profile" => {
                    o.self_profile = match value {
                        "on" | "true" | "1" => true,
                        "off" | "false" | "0" => false,
                        _ => return Err(bad("expected `on` or `off`")),
                    }
                }
                "module_option" => o.module_options.push(
                    vmscope_loader::ModuleOption::parse(value).map_err(|e| bad(&e.to_string()))?,
                ),
                _ => return Err(OptionError::UnknownKey(key.to_string())),
            }
        }
        Ok(o)
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
        assert_eq!(o.module_options.len(), 2);
        assert_eq!(o.module_options[0].value, "/etc/shadow:/root");
        assert_eq!(o.module_options[1].key, "verbose");
        let e = Options::parse(&["module_option=nodot"])
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("plugin option `module_option`: "), "{e}");
    }

    #[test]
    fn defaults_are_jsonl_on_stderr_with_the_syscalls_module() {
        let o = Options::parse::<&str>(&[]).unwrap();
        assert_eq!(o, Options::default());
        assert_eq!(o.format, Format::Jsonl);
    }
}

//! Synthetic JSON Lines journals for the report and convert tests: every event type vmscope and its
//! modules write (docs/journal.md and the modules' docs), including the ones other modules are adding
//! (network, memory, images, alerts, scheduling, devices, call stacks), and one type nobody knows.
#![allow(dead_code, reason = "each test binary uses part of it")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test may panic"
)]

use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

/// How big a journal to make.
#[derive(Clone, Copy, Debug)]
pub struct Size {
    /// User processes (besides init).
    pub procs: u64,
    /// System calls per process.
    pub calls: u64,
}

/// What was written: events per type.
pub type Counts = BTreeMap<String, u64>;

struct Out<W: Write> {
    w: W,
    counts: Counts,
}

impl<W: Write> Out<W> {
    fn put(&mut self, v: Value) {
        let t = v["type"].as_str().unwrap().to_string();
        *self.counts.entry(t).or_default() += 1;
        serde_json::to_writer(&mut self.w, &v).unwrap();
        self.w.write_all(b"\n").unwrap();
    }
}

/// Writes a journal to `path` and returns its events per type.
pub fn write(path: &Path, size: Size) -> Counts {
    let f = std::fs::File::create(path).unwrap();
    let mut o = Out {
        w: BufWriter::with_capacity(1 << 20, f),
        counts: Counts::new(),
    };
    let mut ts: u64 = 1_700_000_000;
    o.put(json!({"type":"notice","ts":ts,"source":"vmscope","level":"info",
        "message":"kernel layout from the kernel file's BTF (/guest/linux-6.12/vmlinuz): Linux 6.12.95+deb12-amd64, current task via pcpu_hot.current_task (per-CPU offset 0x351c0), task_struct.pid at 2432"}));
    o.put(json!({"type":"notice","ts":ts + 1000,"source":"vmscope","level":"info",
        "message":"tracing x86_64 guest with modules context, syscalls, processes, files, net, memory"}));
    ts = 14_000_000_000;
    o.put(json!({"type":"process_list","ts":ts,"when":"start","source":"kernel","complete":true,"processes":[
        {"pid":0,"ppid":0,"comm":"swapper/0","state":"running","mm":null,"kernel_thread":true,"threads":[{"tid":0,"comm":"swapper/0","state":"running"}]},
        {"pid":1,"ppid":0,"comm":"init","state":"sleeping","mm":"0xffff888003c1e000","kernel_thread":false,"path":"/bin/busybox","argv":["/init"],"threads":[{"tid":1,"comm":"init","state":"sleeping"}]},
        {"pid":2,"ppid":0,"comm":"kthreadd","state":"sleeping","mm":null,"kernel_thread":true,"threads":[{"tid":2,"comm":"kthreadd","state":"sleeping"}]},
        {"pid":3,"ppid":2,"comm":"kworker/0:0","state":"idle","mm":null,"kernel_thread":true,"threads":[{"tid":3,"comm":"kworker/0:0","state":"idle"}]}
    ]}));
    o.put(json!({"type":"device_summary","ts":ts,"space":"io","device":"serial","base":1016,"reads":12,"writes":3400,"bytes_read":12,"bytes_written":3400}));
    for k in 0..size.procs {
        let pid = 100 + k;
        let ppid = if k > 0 && k % 5 != 0 { 100 + k - 1 } else { 1 };
        let comm = format!("wl-{}", k % 7);
        ts += 1_000_000;
        o.put(json!({"type":"process","ts":ts,"vcpu":0,"op":"fork","pid":pid,"tid":pid,"ppid":ppid,"comm":"init","syscall":"clone","seen":"call"}));
        o.put(json!({"type":"switch","ts":ts + 10,"vcpu":0,"pid":pid,"tid":pid,"comm":"init","prev_pid":ppid,"prev_tid":ppid}));
        ts += 1_000;
        o.put(json!({"type":"process","ts":ts,"vcpu":0,"op":"exec","pid":pid,"tid":pid,"ppid":ppid,"comm":comm,
            "path":format!("/bin/{comm}"),"filename":format!("/bin/{comm}"),"argv":[comm.clone(),"--run",format!("{k}"),"two words"],"syscall":"execve","seen":"call"}));
        // The memory and images modules write addresses as hex text (docs/memory.md).
        o.put(json!({"type":"image","ts":ts,"vcpu":0,"pid":pid,"tid":null,"comm":comm,"op":"load","kind":"exe","path":format!("/bin/{comm}"),
            "base":"0x400000","end":"0x4a0000","load_bias":"0x0","build_id":"3f2a9c0d11e2"}));
        o.put(json!({"type":"image","ts":ts,"vcpu":0,"pid":pid,"tid":null,"comm":comm,"op":"load","kind":"vdso","path":"[vdso]",
            "base":"0x7ffd12345000","end":"0x7ffd12347000","load_bias":"0x7ffd12345000","build_id":null,"soname":"linux-vdso.so.1"}));
        for c in 0..size.calls {
            ts += 2_000;
            let (name, args, ret, ret_text): (&str, Value, i64, String) = match c % 6 {
                0 => (
                    "openat",
                    json!([
                        "AT_FDCWD",
                        format!("\"/etc/wl/{}.conf\"", k % 50),
                        "O_RDONLY"
                    ]),
                    3,
                    "3".into(),
                ),
                1 => (
                    "read",
                    json!(["3", "\"key=value\\n\"...", "4096"]),
                    10,
                    "10".into(),
                ),
                2 => (
                    "openat",
                    json!(["AT_FDCWD", "\"/nonexistent\"", "O_RDONLY"]),
                    -2,
                    "-1 ENOENT (No such file or directory)".into(),
                ),
                3 => ("close", json!(["3"]), 0, "0".into()),
                4 => (
                    "connect",
                    json!([
                        "4",
                        "{sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr(\"10.0.2.2\")}",
                        "16"
                    ]),
                    0,
                    "0".into(),
                ),
                _ => ("getppid", json!([]), ppid as i64, ppid.to_string()),
            };
            let mut ev = json!({"type":"syscall","ts":ts,"ts_exit":ts + 700 + c % 13 * 100,"vcpu":0,"pid":pid,"tid":pid,"comm":comm,
                "abi":"x86_64","entry":"syscall","nr":257,"name":name,"args":args,
                "raw":[18446744073709551516u64, 4866084, 0, 0, 0, 0],"ret":ret,"ret_text":ret_text,"end":"returned"});
            if c % 3 == 0 {
                ev["stack"] = json!([
                    {"pc":0x401234u64,"module":format!("/bin/{comm}"),"offset":0x1234,"symbol":"do_work","symbol_offset":0x14,"file":"work.c","line":42},
                    {"pc":0x401100u64,"module":format!("/bin/{comm}"),"offset":0x1100,"symbol":"main","symbol_offset":0x30,"file":"main.c","line":7}
                ]);
            }
            o.put(ev);
            match c % 6 {
                0 => o.put(json!({"type":"file","ts":ts,"vcpu":0,"pid":pid,"tid":pid,"comm":comm,"op":"open","fd":3,
                    "path":format!("/etc/wl/{}.conf", k % 50),"flags":"O_RDONLY"})),
                1 => o.put(json!({"type":"file","ts":ts,"vcpu":0,"pid":pid,"tid":pid,"comm":comm,"op":"read","fd":3,
                    "path":format!("/etc/wl/{}.conf", k % 50),"bytes":10,"data":"key=value\n"})),
                2 => o.put(json!({"type":"file","ts":ts,"vcpu":0,"pid":pid,"tid":pid,"comm":comm,"op":"open",
                    "path":"/nonexistent","flags":"O_RDONLY","error":"ENOENT"})),
                3 => o.put(json!({"type":"file","ts":ts,"vcpu":0,"pid":pid,"tid":pid,"comm":comm,"op":"close","fd":3,
                    "path":format!("/etc/wl/{}.conf", k % 50),"sha256":"9b7c2d5c2282e452e93584cc665539d46a38f53e212c1435da13c0cf0c41b69e","hashed_bytes":10,"unhashed_bytes":0})),
                4 => {
                    o.put(json!({"type":"net","ts":ts,"pid":pid,"tid":pid,"comm":comm,"op":"connect","fd":4,"family":"AF_INET","proto":"tcp",
                        "local":"10.0.2.15:40000","remote":"10.0.2.2:80","bytes":null,"error":null}));
                    o.put(json!({"type":"net","ts":ts + 100,"pid":pid,"tid":pid,"comm":comm,"op":"send","fd":4,"family":"AF_INET","proto":"tcp",
                        "local":"10.0.2.15:40000","remote":"10.0.2.2:80","bytes":120,"error":null}));
                }
                _ => o.put(json!({"type":"memory","ts":ts,"vcpu":0,"pid":pid,"tid":pid,"comm":comm,"op":"map",
                    "start":format!("{:#x}", 0x7f00_0000_0000u64 + c * 4096),"end":format!("{:#x}", 0x7f00_0000_1000u64 + c * 4096),
                    "perms":"r--p","offset":"0x0","path":"/lib/libc.so.6","syscall":"mmap"})),
            }
        }
        if k % 4 == 0 {
            o.put(json!({"type":"memory","ts":ts,"vcpu":0,"pid":pid,"tid":pid,"comm":comm,"op":"protect",
                "start":"0x7f0000010000","end":"0x7f0000012000","perms":"rwxp","offset":"0x0","path":null,"syscall":"mprotect"}));
            // The memory module's own alert for it: no severity.
            o.put(json!({"type":"alert","ts":ts,"module":"memory","rule":"wx_region","pid":pid,"tid":pid,"comm":comm,
                "start":"0x7f0000010000","end":"0x7f0000012000","perms":"rwxp","path":null,"syscall":"mprotect"}));
            o.put(json!({"type":"alert","ts":ts,"module":"ids","rule":"sensitive_path","severity":"high","pid":pid,"tid":pid,"comm":comm,
                "op":"open","path":"/etc/shadow","matched":"/etc/shadow","flags":"O_RDONLY","cr3":25403392}));
        }
        if k % 3 == 0 {
            o.put(json!({"type":"thread","ts":ts,"vcpu":0,"op":"start","pid":pid,"tid":pid + 10_000,"comm":comm,"seen":"call"}));
            for when in ["exec", "exit"] {
                o.put(json!({"type":"maps","ts":ts,"pid":pid,"comm":comm,"when":when,"exe":format!("/bin/{comm}"),"source":"kernel","regions":[
                    {"start":"0x400000","end":"0x4a0000","perms":"r-xp","offset":"0x0","path":format!("/bin/{comm}")},
                    {"start":"0x7f0000010000","end":"0x7f0000012000","perms":"rwxp","offset":"0x0","path":null},
                    {"start":"0x7ffd00000000","end":"0x7ffd00021000","perms":"rw-p","offset":"0x0","path":"[stack]"}
                ]}));
            }
        }
        ts += 5_000;
        o.put(json!({"type":"connection","ts":ts,"pid":pid,"comm":comm,"family":"AF_INET","proto":"tcp","local":"10.0.2.15:40000",
            "remote":"10.0.2.2:80","bytes_sent":120 * size.calls / 6,"bytes_received":0,"opened_ts":ts - 4_000,"closed_ts":ts}));
        o.put(json!({"type":"custom_probe","ts":ts,"module":"probe","pid":pid,"value":k,"detail":{"a":[1,2,3],"b":"x"}}));
        let exit = match k % 10 {
            9 => {
                json!({"type":"process","ts":ts,"vcpu":0,"op":"exit","pid":pid,"tid":pid,"ppid":ppid,"comm":comm,"signal":"SIGKILL","core_dumped":false,"syscall":"wait4","seen":"wait"})
            }
            3 => {
                json!({"type":"process","ts":ts,"vcpu":0,"op":"exit","pid":pid,"tid":pid,"ppid":ppid,"comm":comm,"code":1,"syscall":"exit_group","seen":"call"})
            }
            _ => {
                json!({"type":"process","ts":ts,"vcpu":0,"op":"exit","pid":pid,"tid":pid,"ppid":ppid,"comm":comm,"code":0,"syscall":"exit_group","seen":"call"})
            }
        };
        o.put(exit);
    }
    for k in 0..size.procs.min(50) {
        o.put(json!({"type":"file_summary","ts":ts,"path":format!("/etc/wl/{k}.conf"),"opened_by":[100 + k],"written_by":[],
            "bytes_read":10,"bytes_written":0,"processes":[{"pid":100 + k,"comm":"wl","ops":["open","read","close"],"bytes_read":10,"bytes_written":0}]}));
    }
    o.put(json!({"type":"notice","ts":ts + 1,"source":"syscalls","level":"info","message":"0 calls still in flight at the end"}));
    o.w.flush().unwrap();
    o.counts
}

/// Events in a journal per type, counted by reading it back line by line.
pub fn count_types(path: &Path) -> Counts {
    let text = std::fs::read_to_string(path).unwrap();
    let mut c = Counts::new();
    for line in text.lines() {
        if let Ok(v) = serde_json::from_str::<Value>(line)
            && let Some(t) = v["type"].as_str()
        {
            *c.entry(t.to_string()).or_default() += 1;
        }
    }
    c
}

/// The report's figures: the JSON block of a page `vmscope report` wrote.
pub fn page_data(html: &str) -> Value {
    let start = html
        .find(r#"<script type="application/json" id="vmscope-data">"#)
        .expect("the data block");
    let rest = &html[start..];
    let open = rest.find('>').unwrap() + 1;
    let close = rest.find("</script>").unwrap();
    let mut data: Value = serde_json::from_str(&rest[open..close]).expect("the data block is JSON");
    // Large tables are written column by column: back to rows, as the page's script does.
    for k in [
        "processes",
        "files",
        "flows",
        "connections",
        "images",
        "findings",
        "alerts",
    ] {
        let t = data[k].take();
        let n = t["n"].as_u64().expect("a column table") as usize;
        let cols = t["cols"].as_object().expect("columns");
        let rows: Vec<Value> = (0..n)
            .map(|i| {
                Value::Object(
                    cols.iter()
                        .filter(|(_, c)| !c[i].is_null())
                        .map(|(name, c)| (name.clone(), c[i].clone()))
                        .collect(),
                )
            })
            .collect();
        data[k] = Value::Array(rows);
    }
    data
}

/// The Python the tests use: `VMSCOPE_PYTHON` if set, else the virtual environment
/// `scripts/install-host-deps.sh` makes (`~/.cache/vmscope/venv`), else `python3` on the PATH.
pub fn python() -> std::path::PathBuf {
    if let Some(p) = std::env::var_os("VMSCOPE_PYTHON") {
        return p.into();
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache")));
    if let Some(venv) = cache.map(|c| c.join("vmscope/venv/bin/python3"))
        && venv.is_file()
    {
        return venv;
    }
    "python3".into()
}

/// A Python ([`python`]) with `module` importable, or `None` when the suite's README says to skip
/// (the variable named there is set); a missing module without it fails the test.
pub fn python_with(module: &str, skip_var: &str) -> Option<Command> {
    let py = python();
    let ok = Command::new(&py)
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(Command::new(py));
    }
    if std::env::var_os(skip_var).is_some_and(|v| v == "1") {
        eprintln!(
            "skipped: {} cannot import {module} ({skip_var}=1)",
            py.display()
        );
        return None;
    }
    panic!(
        "{} cannot import {module}: run scripts/install-host-deps.sh (it installs {module} into ~/.cache/vmscope/venv), or set {skip_var}=1 to skip this on purpose",
        py.display()
    );
}

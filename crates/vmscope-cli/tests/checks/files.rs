//! The file monitor's checks, shared by the x86_64 (files_e2e.rs) and aarch64 (aarch64_e2e.rs)
//! end-to-end tests: what `wl-files` printed about itself (descriptor numbers, pipe and socket
//! inodes, child pids) against the journal's file events and summaries.

use std::collections::HashMap;

use serde_json::Value;
use sha2::{Digest, Sha256};

fn sha(b: &[u8]) -> String {
    Sha256::digest(b)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `files: k=v k=v` lines of one workload run, from the console.
fn facts(console: &str, name: &str) -> HashMap<String, String> {
    let start = format!("vmscope-guest: start {name}\r");
    let text = console.split(&start).nth(1).expect("workload started");
    let text = text.split("vmscope-guest: end").next().unwrap();
    let mut out = HashMap::new();
    for line in text
        .lines()
        .filter_map(|l| l.trim_end().strip_prefix("files: "))
    {
        assert!(!line.starts_with("FAILED"), "{name}: {line}");
        for kv in line.split_whitespace() {
            if let Some((k, v)) = kv.split_once('=') {
                out.insert(k.to_string(), v.to_string());
            }
        }
    }
    assert_eq!(
        out.get("exec_ebadf").map(String::as_str),
        Some("1"),
        "{name}"
    );
    out
}

struct Run<'a> {
    ev: Vec<&'a Value>,
    name: &'a str,
}

impl Run<'_> {
    /// File events with `op` on `path` (any pid of the run).
    fn find(&self, op: &str, path: &str) -> Vec<&Value> {
        self.ev
            .iter()
            .copied()
            .filter(|v| v["op"] == op && v["path"] == path)
            .collect()
    }
    fn one(&self, op: &str, path: &str) -> &Value {
        let f = self.find(op, path);
        assert!(!f.is_empty(), "{}: no {op} of {path}", self.name);
        f[0]
    }
    fn by_fd(&self, op: &str, fd: i64, pid: i64) -> Vec<&Value> {
        self.ev
            .iter()
            .copied()
            .filter(|v| v["op"] == op && v["fd"] == fd && v["pid"] == pid)
            .collect()
    }
}

pub fn check_run(all: &[Value], console: &str, workload: &str) {
    let comm_owned = format!("wl-{workload}");
    let comm = comm_owned.as_str();
    let f = facts(console, workload);
    let num = |k: &str| -> i64 { f[k].parse().unwrap() };
    let ev: Vec<&Value> = all
        .iter()
        .filter(|v| v["type"] == "file" && v["comm"] == comm)
        .collect();
    assert!(ev.len() > 50, "{comm}: only {} file events", ev.len());
    for v in &ev {
        assert!(v["pid"].is_u64() && v["tid"].is_u64(), "{v}");
    }
    let r = Run { ev, name: comm };
    let main_pid = r.one("open", "/etc/fstab")["pid"].as_i64().unwrap();

    // A path relative to the initial cwd, which only the kernel knew ("/").
    assert_eq!(r.one("read", "/etc/fstab")["bytes"], 16);
    // create / write / close with capture and hash.
    let w = r.one("write", "/tmp/wlf/a.txt");
    assert_eq!(
        (w["bytes"].as_u64(), w["data"].as_str()),
        (Some(19), Some("hello file monit"))
    );
    let c = r.one("close", "/tmp/wlf/a.txt");
    assert_eq!(c["sha256"].as_str().unwrap(), sha(b"hello file monitor\n"));
    assert_eq!(c["hashed_bytes"], 19);
    assert_eq!(
        r.one("create", "/tmp/wlf/a.txt")["flags"],
        "O_WRONLY|O_CREAT|O_TRUNC, 0644"
    );
    // openat relative to a directory descriptor, pread/pwrite offsets, seek, ftruncate.
    r.one("mkdir", "/tmp/wlf/sub");
    r.one("create", "/tmp/wlf/sub/b.txt");
    let pw = r.one("write", "/tmp/wlf/sub/b.txt");
    assert_eq!(
        (pw["bytes"].as_u64(), pw["offset"].as_i64()),
        (Some(10), Some(5))
    );
    let pr = r.one("read", "/tmp/wlf/sub/b.txt");
    assert_eq!(
        (pr["offset"].as_i64(), pr["data"].as_str()),
        (Some(7), Some("2345"))
    );
    assert_eq!(r.one("seek", "/tmp/wlf/sub/b.txt")["offset"], 15);
    assert_eq!(r.one("truncate", "/tmp/wlf/sub/b.txt")["length"], 8);
    // openat2, then chdir("sub") + open("b.txt"): three opens of b.txt in all.
    assert_eq!(r.find("open", "/tmp/wlf/sub/b.txt").len(), 2);
    assert_eq!(r.find("read", "/tmp/wlf/sub/b.txt").len(), 2);
    // creat, dup2/dup3/F_DUPFD*: writes through 20 and the F_DUPFD_CLOEXEC copy name c.txt.
    let c_txt = "/tmp/wlf/c.txt";
    r.one("create", c_txt);
    let d = num("d");
    for fd in [d, 20, num("f40")] {
        assert!(
            r.by_fd("write", fd, main_pid)
                .iter()
                .any(|v| v["path"] == c_txt),
            "{comm}: write through fd {fd}"
        );
    }
    // close_range(30, 39) closed the F_DUPFD copy.
    let cr = r.by_fd("close", num("f30"), main_pid);
    assert_eq!(cr.len(), 1, "{comm}: close_range");
    assert_eq!(cr[0]["path"], c_txt);
    // pipes, sockets (socketpair, accept), eventfd: named as the kernel names them.
    let pipe = format!("pipe:[{}]", f["pipe"]);
    assert_eq!(r.one("write", &pipe)["data"], "ping");
    assert_eq!(r.one("read", &pipe)["fd"], num("pfd"));
    r.one("write", &format!("socket:[{}]", f["sv0"]));
    let acc = format!("socket:[{}]", f["as"]);
    assert_eq!(r.one("read", &acc)["fd"], num("asfd"));
    r.one("close", &acc);
    r.one("close", &format!("socket:[{}]", f["ls"]));
    assert_eq!(r.one("write", "anon_inode:[eventfd]")["fd"], num("evfd"));
    // fchdir back, then "sub/../a.txt"; rename, link, symlink, chmod, chown, unlink, failures.
    assert_eq!(r.find("open", "/tmp/wlf/a.txt").len(), 1);
    assert_eq!(
        r.one("rename", "/tmp/wlf/a.txt")["new_path"],
        "/tmp/wlf/a2.txt"
    );
    assert_eq!(
        r.one("link", "/tmp/wlf/a2.txt")["new_path"],
        "/tmp/wlf/a3.txt"
    );
    assert_eq!(r.one("symlink", "a2.txt")["new_path"], "/tmp/wlf/a4.txt");
    assert_eq!(r.one("chmod", "/tmp/wlf/a2.txt")["flags"], "0600");
    r.one("chown", "/tmp/wlf/a2.txt");
    assert_eq!(r.one("chmod", c_txt)["fd"], d);
    r.one("unlink", "/tmp/wlf/a3.txt");
    assert!(
        r.find("rmdir", "/tmp/wlf/sub")
            .iter()
            .any(|v| v["error"] == "ENOTEMPTY")
    );
    assert_eq!(r.one("open", "/nonexistent/x")["error"], "ENOENT");
    assert!(
        r.find("truncate", c_txt)
            .iter()
            .any(|v| v["length"] == 3 && v.get("fd").is_none())
    );
    let mm = r.one("mmap", "/tmp/wlf/a2.txt");
    assert_eq!(
        (mm["length"].as_i64(), mm["offset"].as_i64()),
        (Some(4096), Some(0))
    );
    // A thread's open is in the process's table.
    let t_open = r.one("create", "/tmp/wlf/t.txt");
    assert_ne!(t_open["tid"], t_open["pid"], "{comm}: opened by a thread");
    let tw = r.one("write", "/tmp/wlf/t.txt");
    assert_eq!(tw["tid"], main_pid);
    // A CLONE_FILES child's open is in the parent's table.
    let cf = r.one("create", "/tmp/wlf/cf.txt");
    assert_eq!(cf["pid"], num("clone_pid"));
    let cw = r.one("write", "/tmp/wlf/cf.txt");
    assert_eq!(
        (cw["pid"].as_i64(), cw["fd"].as_i64()),
        (Some(main_pid), Some(num("cfd")))
    );
    // fork: the child inherited d; after exec, e survived and the close-on-exec ones did not.
    let fk = num("fork_pid");
    assert!(r.by_fd("write", d, fk).iter().any(|v| v["path"] == c_txt));
    assert!(
        r.by_fd("write", num("e"), fk)
            .iter()
            .any(|v| v["path"] == c_txt && v["data"] == "from exec\\n")
    );
    for fd in [20, 22] {
        let w = r.by_fd("write", fd, fk);
        assert_eq!(w.len(), 1, "{comm}: write to {fd} after exec");
        assert_eq!(w[0]["error"], "EBADF");
        assert!(
            w[0].get("path").is_none(),
            "{comm}: fd {fd} must be gone: {}",
            w[0]
        );
    }
    // The parent's own d survived the child's close.
    assert!(
        r.by_fd("write", d, main_pid)
            .iter()
            .any(|v| v["data"] == "c after child\\n")
    );
    // Pre-existing descriptors: stdout came from the kernel (init's console).
    assert!(
        r.by_fd("write", 1, main_pid)
            .iter()
            .all(|v| v["path"] == "/dev/console")
    );

    // The summary: per process, what it did to c.txt with byte totals.
    let s = all
        .iter()
        .find(|v| v["type"] == "file_summary" && v["path"] == c_txt)
        .expect("summary of c.txt");
    let procs = s["processes"].as_array().unwrap();
    let of = |pid: i64| procs.iter().find(|p| p["pid"] == pid).unwrap();
    assert_eq!(of(main_pid)["bytes_written"], 3 + 7 + 8 + 14);
    assert_eq!(of(fk)["bytes_written"], 13 + 10);
    for key in ["opened_by", "written_by"] {
        assert!(
            s[key].as_array().unwrap().iter().any(|p| p == main_pid),
            "{key}"
        );
    }
    assert!(s["written_by"].as_array().unwrap().iter().any(|p| p == fk));
    let a = all
        .iter()
        .find(|v| v["type"] == "file_summary" && v["path"] == "/tmp/wlf/a.txt")
        .unwrap();
    assert!(
        a["renamed_by"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == main_pid)
    );
}

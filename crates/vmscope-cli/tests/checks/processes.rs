//! The process monitor's checks, shared by the x86_64 (processes_e2e.rs) and aarch64
//! (aarch64_e2e.rs) end-to-end tests: what the `lifecycle` workload printed about itself against
//! the journal's process and thread events, and the process lists.

#![allow(dead_code, reason = "each test binary uses part of it")]

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use serde_json::Value;

/// What one run of the workload printed about itself.
#[derive(Debug, Default)]
pub struct Printed {
    pub main: u32,
    pub main_ppid: u32,
    pub exec_child: u32,
    pub exec_child_argv: Vec<String>,
    pub exec_child_code: i64,
    pub echo: u32,
    pub echo_code: i64,
    pub threads: BTreeSet<u32>,
    pub victim: u32,
    pub victim_signal: u32,
}

pub fn field<T: std::str::FromStr>(line: &str, key: &str) -> T {
    let start = line
        .find(&format!("{key}="))
        .unwrap_or_else(|| panic!("{key}= in {line:?}"))
        + key.len()
        + 1;
    let v: String = line[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    v.parse()
        .unwrap_or_else(|_| panic!("bad {key} in {line:?}"))
}

/// Parses the console's block for workload `name`.
pub fn printed(console: &str, name: &str) -> Printed {
    let start = format!("vmscope-guest: start {name}");
    let block: Vec<&str> = console
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .skip_while(|l| *l != start)
        .skip(1)
        .take_while(|l| !l.starts_with("vmscope-guest: end"))
        .collect();
    assert!(!block.is_empty(), "no output of {name} in:\n{console}");
    let mut p = Printed::default();
    for l in block {
        let Some(rest) = l.strip_prefix("lifecycle: ") else {
            continue;
        };
        if rest.starts_with("main ") {
            p.main = field(l, "pid");
            p.main_ppid = field(l, "ppid");
        } else if rest.starts_with("exec-child pid=") && rest.contains("argv=") {
            p.exec_child = field(l, "pid");
            let argv = &l[l.find("argv=").unwrap() + 5..];
            p.exec_child_argv = argv.split('|').map(str::to_string).collect();
        } else if rest.starts_with("exec-child pid=") {
            p.exec_child_code = field(l, "code");
        } else if rest.starts_with("echo pid=") {
            p.echo = field(l, "pid");
            p.echo_code = field(l, "code");
        } else if rest.starts_with("thread ") {
            p.threads.insert(field(l, "tid"));
        } else if rest.starts_with("victim pid=") {
            p.victim = field(l, "pid");
            p.victim_signal = field(l, "signal");
        }
    }
    assert!(
        p.main != 0 && p.exec_child != 0 && p.echo != 0 && p.victim != 0 && p.threads.len() == 2,
        "{name} did not print everything: {p:?}"
    );
    p
}

pub fn journal(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect()
}

pub fn events<'a>(j: &'a [Value], ty: &str, op: &str, pid: u32) -> Vec<&'a Value> {
    j.iter()
        .filter(|v| v["type"] == ty && v["op"] == op && v["pid"] == pid)
        .collect()
}

pub fn one<'a>(j: &'a [Value], ty: &str, op: &str, pid: u32) -> &'a Value {
    let e = events(j, ty, op, pid);
    assert_eq!(
        e.len(),
        1,
        "expected one {ty} {op} of pid {pid}, got {e:#?}"
    );
    e[0]
}

pub fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// The workload's own report against the journal's events.
pub fn check_lifecycle(j: &[Value], p: &Printed, prog: &str) {
    let path = format!("/bin/{prog}");
    // The workload itself: exec'd by the shell, with its parent.
    let exec = events(j, "process", "exec", p.main);
    let exec = exec.last().expect("exec of the workload");
    assert_eq!(exec["comm"], prog);
    assert_eq!(exec["path"], path.as_str());
    assert_eq!(exec["ppid"], p.main_ppid);
    assert_eq!(strs(&exec["argv"]), vec![path.clone()]);

    // fork + exec of itself by a relative name from /bin, with arguments, exit 42.
    let fork = one(j, "process", "fork", p.exec_child);
    assert_eq!(fork["ppid"], p.main, "{fork}");
    let exec = one(j, "process", "exec", p.exec_child);
    assert_eq!(strs(&exec["argv"]), p.exec_child_argv, "{exec}");
    assert_eq!(strs(&exec["argv"])[2], "two words");
    assert_eq!(exec["path"], path.as_str(), "{exec}");
    assert_eq!(
        exec["filename"],
        path.as_str(),
        "relative name made absolute: {exec}"
    );
    let exit = one(j, "process", "exit", p.exec_child);
    assert_eq!(exit["code"], p.exec_child_code);
    assert_eq!(exit["code"], 42);
    assert_eq!(exit["syscall"], "exit_group");

    // vfork + exec of busybox echo.
    assert_eq!(one(j, "process", "fork", p.echo)["ppid"], p.main);
    let exec = one(j, "process", "exec", p.echo);
    assert_eq!(exec["path"], "/bin/busybox");
    assert_eq!(
        strs(&exec["argv"]),
        vec!["echo", "lifecycle: echo", "from busybox"]
    );
    assert_eq!(one(j, "process", "exit", p.echo)["code"], p.echo_code);

    // Two threads start and exit in the workload's process.
    for &t in &p.threads {
        let start: Vec<&Value> = j
            .iter()
            .filter(|v| v["type"] == "thread" && v["op"] == "start" && v["tid"] == t)
            .collect();
        assert_eq!(start.len(), 1, "thread {t} start: {start:#?}");
        assert_eq!(start[0]["pid"], p.main);
        assert!(
            j.iter().any(|v| v["type"] == "thread"
                && v["op"] == "exit"
                && v["tid"] == t
                && v["pid"] == p.main),
            "thread {t} exit"
        );
    }

    // The victim: forked, killed by SIGKILL, seen at the parent's wait.
    assert_eq!(one(j, "process", "fork", p.victim)["ppid"], p.main);
    let exit = one(j, "process", "exit", p.victim);
    assert_eq!(p.victim_signal, 9);
    assert_eq!(exit["signal"], "SIGKILL", "{exit}");
    assert_eq!(exit["seen"], "wait");
    assert!(exit.get("code").is_none());

    // The workload's own exit, after everything else it did.
    let exit = one(j, "process", "exit", p.main);
    assert_eq!(exit["code"], 0);
}

pub fn check_lists(j: &[Value]) {
    let lists: HashMap<&str, &Value> = j
        .iter()
        .filter(|v| v["type"] == "process_list")
        .map(|v| (v["when"].as_str().unwrap(), v))
        .collect();
    for when in ["start", "shutdown", "end"] {
        let l = lists.get(when).unwrap_or_else(|| panic!("no {when} list"));
        let procs = l["processes"].as_array().unwrap();
        assert!(procs.len() >= 10, "{when}: {} processes", procs.len());
        if l["source"] == "kernel" {
            assert_eq!(l["complete"], true, "{when} walk incomplete");
            // Kernel threads (kthreadd) have no address space; every process has its threads.
            assert!(
                procs.iter().any(|p| p["comm"] == "kthreadd"
                    && p["kernel_thread"] == true
                    && p["ppid"] == 0)
            );
            assert!(
                procs
                    .iter()
                    .all(|p| !p["threads"].as_array().unwrap().is_empty())
            );
        }
        // init is there, with its user address space once it runs /init.
        assert!(procs.iter().any(|p| p["pid"] == 1), "{when}: no init");
    }
    let shutdown = lists["shutdown"]["processes"].as_array().unwrap();
    let init = shutdown.iter().find(|p| p["pid"] == 1).unwrap();
    assert!(
        init["mm"].is_string() && init["kernel_thread"] == false,
        "{init}"
    );
}

/// No process is announced twice while alive.
pub fn check_births(j: &[Value]) {
    let mut born: HashMap<u64, u32> = HashMap::new();
    for v in j.iter().filter(|v| v["type"] == "process") {
        let pid = v["pid"].as_u64().unwrap();
        match v["op"].as_str().unwrap() {
            "fork" => {
                *born.entry(pid).or_default() += 1;
                assert!(
                    born[&pid] == 1,
                    "pid {pid} forked twice without an exit: {v}"
                );
            }
            "exit" => {
                born.remove(&pid);
            }
            _ => {}
        }
    }
}

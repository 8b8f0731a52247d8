//! End to end with the real default guest: `run --format parquet` under a pseudo-terminal (util-linux
//! `script`) shows the status line and leaves a dataset DuckDB reads; a run whose stderr is a pipe
//! shows none, and its journal makes a report; `--quiet` hides the line on a terminal too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test may panic"
)]

mod common;
mod journals;

use std::path::Path;
use std::process::Command;

use common::{require_guest, tempdir, vmscope};

/// The status line's wording (`progress.rs`).
const STATUS: &str = " events · ";

/// Runs `vmscope ARGS` with stdin, stdout and stderr on a pseudo-terminal; returns what the terminal
/// showed.
fn on_terminal(args: &[String], log: &Path) -> String {
    let bin = env!("CARGO_BIN_EXE_vmscope");
    let quoted: Vec<String> = std::iter::once(bin.to_string())
        .chain(args.iter().cloned())
        .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
        .collect();
    let st = Command::new("script")
        .args(["-q", "-e", "-c", &quoted.join(" ")])
        .arg(log)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("util-linux `script` (package bsdutils) runs a command on a pseudo-terminal");
    let shown = String::from_utf8_lossy(&std::fs::read(log).unwrap()).into_owned();
    assert!(st.status.success(), "vmscope failed on a terminal: {shown}");
    shown
}

fn guest_args(kernel: &Path, initrd: &Path) -> Vec<String> {
    vec![
        "run".into(),
        "--kernel".into(),
        kernel.display().to_string(),
        "--initrd".into(),
        initrd.display().to_string(),
        "--timeout".into(),
        "600".into(),
    ]
}

#[test]
fn a_parquet_run_on_a_terminal_shows_its_progress() {
    let Some((kernel, initrd)) = require_guest("6.12") else {
        return;
    };
    let d = tempdir("e2e-parquet");
    let dataset = d.join("fleet").join("run=demo");
    let mut args = guest_args(&kernel, &initrd);
    args.extend(
        [
            "--modules",
            "context,syscalls,processes",
            "--format",
            "parquet",
            "--output",
        ]
        .map(String::from),
    );
    args.push(dataset.display().to_string());
    let shown = on_terminal(&args, &d.join("terminal.log"));
    assert!(shown.contains(STATUS), "a status line: {shown}");
    assert!(shown.contains(" processes · journal "), "{shown}");
    assert!(shown.contains("guest "), "guest time from the events' ts");
    let last = shown
        .lines()
        .rfind(|l| l.contains("vmscope: ") && l.contains(" events, "))
        .unwrap_or_else(|| panic!("a summary line at the end: {shown}"));
    assert!(last.contains(" processes, journal "), "{last}");
    for t in ["syscall", "process", "process_list", "notice"] {
        assert!(dataset.join(format!("{t}.parquet")).is_file(), "{t} table");
    }
    assert!(
        !dataset.join("vmscope-journal.jsonl").exists(),
        "the intermediate journal is removed"
    );
    let Some(mut py) = journals::python_with("duckdb", "VMSCOPE_SKIP_DUCKDB") else {
        return;
    };
    let root = d.join("fleet");
    let q = format!(
        "import duckdb; print(duckdb.connect().execute(\"select count(*) from read_parquet('{}/**/*.parquet', union_by_name=true, hive_partitioning=true) where run = 'demo' and type = 'syscall' and name = 'open' and args[1] = '\\\"/etc/fstab\\\"'\").fetchall()[0][0])",
        root.display()
    );
    let out = py.args(["-c", &q]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let n: u64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    assert!(n >= 1, "the demo's open(\"/etc/fstab\") is in the dataset");
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn no_status_line_off_a_terminal_and_the_journal_makes_a_report() {
    let Some((kernel, initrd)) = require_guest("6.12") else {
        return;
    };
    let d = tempdir("e2e-report");
    let j = d.join("j.jsonl");
    let out = vmscope()
        .args(guest_args(&kernel, &initrd))
        .args([
            "--modules",
            "context,syscalls,processes,files",
            "--format",
            "jsonl",
        ])
        .arg("--output")
        .arg(&j)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains(STATUS), "no status line into a pipe: {err}");
    let html = d.join("r.html");
    let rep = vmscope()
        .args(["report", j.to_str().unwrap(), "--output"])
        .arg(&html)
        .output()
        .unwrap();
    assert!(rep.status.success());
    let data = journals::page_data(&std::fs::read_to_string(&html).unwrap());
    let procs = data["processes"].as_array().unwrap();
    let fstab = procs
        .iter()
        .find(|p| p["comm"] == "wl-fstab")
        .expect("the demo's wl-fstab");
    assert_eq!(fstab["execs"][0]["path"], "/bin/wl-fstab");
    assert_eq!(fstab["exit"]["code"], 0);
    assert!(
        data["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["path"] == "/etc/fstab")
    );
    assert!(
        data["overview"]["kernel"]
            .as_str()
            .unwrap()
            .starts_with("Linux 6.12")
    );
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn quiet_hides_the_status_line_on_a_terminal() {
    let Some((kernel, initrd)) = require_guest("6.12") else {
        return;
    };
    let d = tempdir("e2e-quiet");
    let mut args = guest_args(&kernel, &initrd);
    args.extend(["--modules", "context,syscalls", "--quiet", "--output"].map(String::from));
    args.push(d.join("j.txt").display().to_string());
    let shown = on_terminal(&args, &d.join("terminal.log"));
    assert!(!shown.contains(STATUS), "--quiet: {shown}");
    assert!(
        std::fs::read_to_string(d.join("j.txt"))
            .unwrap()
            .contains("open(\"/etc/fstab\", O_RDONLY) = 3")
    );
    let _ = std::fs::remove_dir_all(d);
}

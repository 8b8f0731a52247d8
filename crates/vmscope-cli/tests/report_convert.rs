//! `vmscope report` and `vmscope convert` on synthetic journals (every event type, a truncated last
//! line, bad input), and the Parquet dataset read back by DuckDB (PyPI's `duckdb`, see README.md here).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test may panic"
)]

mod common;
mod journals;

use std::path::Path;
use std::process::{Command, Output};

use common::{tempdir, vmscope};
use journals::Size;
use serde_json::Value;

fn run_ok(args: &[&str]) -> Output {
    let out = vmscope().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "vmscope {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs vmscope expecting a failure with exactly one line on stderr; returns that line.
fn run_err(args: &[&str]) -> String {
    let out = vmscope().args(args).output().unwrap();
    assert!(!out.status.success(), "vmscope {args:?} should fail");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(err.lines().count(), 1, "one line, got: {err}");
    assert!(err.starts_with("vmscope: "), "{err}");
    err
}

fn report(journal: &Path, html: &Path) -> (Value, String) {
    let out = run_ok(&[
        "report",
        journal.to_str().unwrap(),
        "--output",
        html.to_str().unwrap(),
    ]);
    let page = std::fs::read_to_string(html).unwrap();
    (
        journals::page_data(&page),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn report_shows_every_kind_of_event() {
    let d = tempdir("report-all");
    let j = d.join("j.jsonl");
    let counts = journals::write(
        &j,
        Size {
            procs: 40,
            calls: 30,
        },
    );
    let html = d.join("r.html");
    let (data, _) = report(&j, &html);
    let page = std::fs::read_to_string(&html).unwrap();

    // Self-contained: no external resource of any kind, and the CSP says so to the browser.
    for bad in ["<link", " src=", "url(", "@import", "http://", "https://"] {
        assert!(!page.contains(bad), "the page holds {bad}");
    }
    assert!(page.contains("default-src 'none'"));

    let total: u64 = counts.values().sum();
    assert_eq!(data["meta"]["events"], total);
    assert_eq!(data["meta"]["truncated"], false);
    assert_eq!(
        data["overview"]["kernel"], "Linux 6.12.95+deb12-amd64",
        "from the layout notice"
    );
    assert_eq!(data["overview"]["arch"], "x86_64");
    let shown: std::collections::BTreeMap<String, u64> = data["overview"]["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c[0].as_str().unwrap().to_string(), c[1].as_u64().unwrap()))
        .collect();
    assert_eq!(shown, counts);

    // Processes: init from the start list, 40 children with their programs, argv and ends.
    let procs = data["processes"].as_array().unwrap();
    let user: Vec<&Value> = procs
        .iter()
        .filter(|p| p["pid"].as_i64().unwrap() >= 100)
        .collect();
    assert_eq!(user.len(), 40);
    let p7 = user.iter().find(|p| p["pid"] == 107).unwrap();
    assert_eq!(p7["execs"][0]["path"], "/bin/wl-0");
    assert_eq!(p7["execs"][0]["argv"][3], "two words");
    assert_eq!(p7["ppid"], 106);
    let parent = &procs[p7["parent"].as_u64().unwrap() as usize];
    assert_eq!(parent["pid"], 106);
    let killed = user.iter().find(|p| p["pid"] == 109).unwrap();
    assert_eq!(killed["exit"]["signal"], "SIGKILL");
    let init = procs.iter().find(|p| p["pid"] == 1).unwrap();
    assert_eq!(init["execs"][0]["path"], "/bin/busybox");
    assert!(
        procs
            .iter()
            .find(|p| p["pid"] == 2)
            .unwrap()
            .get("kthread")
            .is_some()
    );
    // strace -c per process: 30 calls, 5 of them the failing openat.
    assert_eq!(p7["calls"], 30);
    assert_eq!(p7["errors"], 5);
    let openat = p7["sys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s[0] == "openat")
        .unwrap();
    assert_eq!(openat[1]["calls"], 10);
    assert_eq!(openat[1]["errors"], 5);
    assert!(
        p7["first_calls"][0]
            .as_str()
            .unwrap()
            .starts_with("openat(AT_FDCWD, \"/etc/wl/7.conf\", O_RDONLY) = 3")
    );
    assert!(p7["cpu_ns"].as_u64().unwrap() > 0, "from the switch events");

    // The global table.
    let sys = data["syscalls"].as_array().unwrap();
    let getppid = sys.iter().find(|s| s[0] == "getppid").unwrap();
    assert_eq!(getppid[1]["calls"], 40 * 5);
    assert!(!data["stacks"].as_array().unwrap().is_empty());
    assert!(
        data["stacks"][0]["frames"][0]
            .as_str()
            .unwrap()
            .starts_with("do_work+0x14")
    );

    // Files from the file monitor, network, memory findings, images, alerts, devices, the unknown.
    assert_eq!(data["files_source"], "file");
    let files = data["files"].as_array().unwrap();
    let nx = files.iter().find(|f| f["path"] == "/nonexistent").unwrap();
    assert_eq!(nx["errors"], 40 * 5);
    assert_eq!(data["flows_source"], "net");
    assert_eq!(data["connections"].as_array().unwrap().len(), 40);
    assert_eq!(data["flows"][0]["remote"], "10.0.2.2:80");
    let findings = data["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["finding"] == "writable and executable" && f["start"] == "0x7f0000010000")
    );
    assert_eq!(data["images"].as_array().unwrap().len(), 80);
    assert_eq!(
        data["images"][1]["base"], "0x7ffd12345000",
        "hex, not a rounded number"
    );
    // A region in a call and in two snapshots of its process is one finding.
    let p100 = findings
        .iter()
        .filter(|f| f["pid"] == 100 && f["start"] == "0x7f0000010000")
        .count();
    assert_eq!(p100, 1, "{findings:?}");
    // The ids module's alerts (severity high) and the memory module's (no severity).
    assert_eq!(data["alerts"].as_array().unwrap().len(), 20);
    let sev = data["alerts_by_severity"].as_array().unwrap();
    assert!(sev.contains(&serde_json::json!(["high", 10])), "{sev:?}");
    assert!(sev.contains(&serde_json::json!(["unknown", 10])), "{sev:?}");
    // Connections by the network module's field names.
    let c = &data["connections"][0];
    for (k, v) in [
        ("family", serde_json::json!("AF_INET")),
        ("proto", serde_json::json!("tcp")),
        ("remote", serde_json::json!("10.0.2.2:80")),
        ("bytes_sent", serde_json::json!(120 * 30 / 6)),
        ("bytes_received", serde_json::json!(0)),
    ] {
        assert_eq!(c[k], v, "{k} in {c}");
    }
    assert!(c["closed_ts"].as_u64() > c["opened_ts"].as_u64(), "{c}");
    assert_eq!(data["devices"].as_array().unwrap().len(), 1);
    assert_eq!(data["maps"].as_array().unwrap().len(), 14);
    let other = data["other"].as_array().unwrap();
    assert_eq!(other.len(), 1);
    assert_eq!(other[0][0], "custom_probe");
    assert_eq!(other[0][1]["count"], 40);
    let series: Vec<&str> = data["timeline"]["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s[0].as_str().unwrap())
        .collect();
    for t in ["syscall", "file", "net", "alert", "memory", "custom_probe"] {
        assert!(series.contains(&t), "{t} on the timeline: {series:?}");
    }
}

#[test]
fn a_plain_syscall_journal_fills_files_and_network_from_arguments() {
    let d = tempdir("report-plain");
    let j = d.join("j.jsonl");
    std::fs::write(
        &j,
        concat!(
            r#"{"type":"syscall","ts":10,"ts_exit":20,"pid":5,"tid":5,"comm":"a","name":"openat","args":["AT_FDCWD","\"/etc/passwd\"","O_RDONLY"],"ret":3,"ret_text":"3"}"#,
            "\n",
            r#"{"type":"syscall","ts":30,"ts_exit":40,"pid":5,"tid":5,"comm":"a","name":"connect","args":["3","{sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr(\"10.0.2.3\")}","16"],"ret":-111,"ret_text":"-1 ECONNREFUSED (Connection refused)"}"#,
            "\n"
        ),
    )
    .unwrap();
    let (data, _) = report(&j, &d.join("r.html"));
    assert_eq!(data["files_source"], "syscalls");
    assert_eq!(data["files"][0]["path"], "/etc/passwd");
    assert_eq!(data["flows_source"], "syscalls");
    assert_eq!(data["flows"][0]["remote"], "10.0.2.3:53");
    assert_eq!(data["flows"][0]["errors"], 1);
}

#[test]
fn a_truncated_journal_still_gives_a_report() {
    let d = tempdir("report-cut");
    let j = d.join("j.jsonl");
    let counts = journals::write(
        &j,
        Size {
            procs: 5,
            calls: 12,
        },
    );
    let text = std::fs::read_to_string(&j).unwrap();
    // Cut the last line in its middle, as a killed writer leaves it.
    let cut = text.trim_end().rfind('\n').unwrap() + 30;
    std::fs::write(&j, &text[..cut]).unwrap();
    let (data, stderr) = report(&j, &d.join("r.html"));
    let total: u64 = counts.values().sum();
    assert_eq!(data["meta"]["events"], total - 1);
    assert_eq!(data["meta"]["truncated"], true);
    assert!(
        stderr.contains("the last line is cut short"),
        "a warning: {stderr}"
    );
    // convert takes the same journal, and says the same.
    let out = run_ok(&[
        "convert",
        j.to_str().unwrap(),
        "--output",
        d.join("pq").to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("cut short"));
}

#[test]
fn bad_input_is_one_clear_line() {
    let d = tempdir("report-bad");
    let text = d.join("text.txt");
    std::fs::write(
        &text,
        "# vmscope info: hello\n[pid   1 tid   1 init] getpid() = 1\n",
    )
    .unwrap();
    let t = text.to_str().unwrap();
    let html = d.join("r.html");
    let h = html.to_str().unwrap();
    let e = run_err(&["report", t, "--output", h]);
    assert!(e.contains("is not a JSON Lines journal"), "{e}");
    assert!(!html.exists(), "no half-written page");
    let e = run_err(&["convert", t, "--output", d.join("pq1").to_str().unwrap()]);
    assert!(e.contains("is not a JSON Lines journal"), "{e}");

    let missing = d.join("missing.jsonl");
    let e = run_err(&["report", missing.to_str().unwrap(), "--output", h]);
    assert!(e.contains("cannot read"), "{e}");

    let j = d.join("j.jsonl");
    journals::write(&j, Size { procs: 2, calls: 6 });
    let jj = j.to_str().unwrap();
    // Unwritable outputs: a directory that does not exist, a path under a regular file.
    let e = run_err(&[
        "report",
        jj,
        "--output",
        d.join("no/such/dir/r.html").to_str().unwrap(),
    ]);
    assert!(e.contains("cannot write"), "{e}");
    let under_file = j.join("pq");
    let e = run_err(&["convert", jj, "--output", under_file.to_str().unwrap()]);
    assert!(e.contains("--output"), "{e}");
    // A dataset directory that already holds files.
    let full = d.join("full");
    std::fs::create_dir_all(&full).unwrap();
    std::fs::write(full.join("x"), "x").unwrap();
    let e = run_err(&["convert", jj, "--output", full.to_str().unwrap()]);
    assert!(e.contains("not empty"), "{e}");
    // `run --format parquet` needs a directory, and says so before QEMU starts.
    let e = run_err(&["run", "--format", "parquet"]);
    assert!(e.contains("--output DIR"), "{e}");
}

/// Rows per type in a dataset, as DuckDB reads it: `{type: rows}` (and `{run/type: rows}` with hive
/// partitions).
const DUCKDB_COUNT: &str = r#"
import duckdb, json, sys
root, hive = sys.argv[1], sys.argv[2] == "hive"
con = duckdb.connect()
src = f"read_parquet('{root}/**/*.parquet', union_by_name=true{', hive_partitioning=true' if hive else ''})"
key = "run || '/' || type" if hive else "type"
def q(sql):
    return con.execute(sql).fetchall()
rows = q(f"select {key} as k, count(*) from {src} group by k")
out = {"counts": {k: n for k, n in rows}}
if not hive:
    cols = {r[0]: r[1] for r in q(f"describe select * from read_parquet('{root}/syscall.parquet')")}
    out["syscall_columns"] = cols
    out["open_paths"] = q(f"select count(*) from read_parquet('{root}/syscall.parquet') where name = 'openat' and args[2] = '\"/nonexistent\"'")[0][0]
    out["raw0"] = str(q(f"select raw[1] from read_parquet('{root}/syscall.parquet') limit 1")[0][0])
    out["frame"] = q(f"select stack[1].symbol from read_parquet('{root}/syscall.parquet') where stack is not null limit 1")[0][0]
    out["threads"] = q(f"select len(processes[2].threads) from read_parquet('{root}/process_list.parquet')")[0][0]
print(json.dumps(out))
"#;

fn duckdb(py: Command, root: &Path, hive: bool) -> Value {
    let mut py = py;
    let out = py
        .args(["-c", DUCKDB_COUNT, root.to_str().unwrap()])
        .arg(if hive { "hive" } else { "flat" })
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "duckdb: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn duckdb_reads_the_dataset_with_every_row() {
    let Some(py) = journals::python_with("duckdb", "VMSCOPE_SKIP_DUCKDB") else {
        return;
    };
    let d = tempdir("convert-duckdb");
    let j = d.join("j.jsonl");
    let written = journals::write(
        &j,
        Size {
            procs: 60,
            calls: 40,
        },
    );
    let counts = journals::count_types(&j);
    assert_eq!(written, counts);
    let pq = d.join("pq");
    let out = run_ok(&[
        "convert",
        j.to_str().unwrap(),
        "--to",
        "parquet",
        "--output",
        pq.to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("tables under"));
    for t in counts.keys() {
        assert!(pq.join(format!("{t}.parquet")).is_file(), "a table for {t}");
    }
    let got = duckdb(py, &pq, false);
    let got_counts: std::collections::BTreeMap<String, u64> = got["counts"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
        .collect();
    assert_eq!(got_counts, counts);
    // Nested arguments as lists, registers past i64 as unsigned, stacks as lists of structs.
    let cols = &got["syscall_columns"];
    assert_eq!(cols["args"], "VARCHAR[]");
    assert_eq!(cols["raw"], "UBIGINT[]");
    assert!(
        cols["stack"]
            .as_str()
            .unwrap()
            .starts_with("STRUCT(pc UBIGINT"),
        "{cols}"
    );
    let failing_opens = (0..40).filter(|c| c % 6 == 2).count();
    assert_eq!(got["open_paths"], 60 * failing_opens);
    assert_eq!(got["raw0"], "18446744073709551516");
    assert_eq!(got["frame"], "do_work");
    assert_eq!(got["threads"], 1);
}

#[test]
fn many_runs_under_one_root_query_together() {
    let Some(py) = journals::python_with("duckdb", "VMSCOPE_SKIP_DUCKDB") else {
        return;
    };
    let d = tempdir("convert-runs");
    let root = d.join("fleet");
    let mut expected = std::collections::BTreeMap::new();
    for (run, procs) in [("a", 3u64), ("b", 7)] {
        let j = d.join(format!("{run}.jsonl"));
        let counts = journals::write(&j, Size { procs, calls: 12 });
        for (t, n) in counts {
            expected.insert(format!("{run}/{t}"), n);
        }
        run_ok(&[
            "convert",
            j.to_str().unwrap(),
            "--output",
            root.join(format!("run={run}")).to_str().unwrap(),
        ]);
    }
    let got = duckdb(py, &root, true);
    let got: std::collections::BTreeMap<String, u64> = got["counts"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
        .collect();
    assert_eq!(got, expected);
}

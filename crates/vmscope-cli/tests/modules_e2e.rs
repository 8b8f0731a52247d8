//! End to end: module libraries. Both examples are built with the ordinary tools (`cc` for the C
//! intrusion detector, `cargo` for the Rust `writes` module) and loaded into a real guest run that
//! executes `wl-ids` (guest/workloads/ids.c); every way a library can fail to load is refused with
//! one line before the guest starts, by the command line and by the plugin itself.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test may panic"
)]

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{require_guest, tempdir, vmscope};
use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn cc(out: &Path, src: &Path, extra: &[&str]) {
    let inc = repo().join("crates/vmscope-abi/include");
    let o = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()))
        .args([
            "-shared",
            "-fPIC",
            "-std=c99",
            "-O2",
            "-Wall",
            "-Wextra",
            "-pedantic",
        ])
        .arg(format!("-I{}", inc.display()))
        .args(extra)
        .arg("-o")
        .arg(out)
        .arg(src)
        .output()
        .expect("a C compiler (cc)");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// The C example, built as its README says.
fn build_ids(dir: &Path) -> PathBuf {
    let out = dir.join("libvmscope_ids.so");
    cc(&out, &repo().join("examples/c-ids/ids.c"), &["-Werror"]);
    out
}

/// The Rust example, built with cargo as its README says (its own target directory: the one of
/// this test run is locked by cargo).
fn build_writes(dir: &Path) -> PathBuf {
    let target = dir.join("target");
    let o = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(repo().join("examples/rust-writes/Cargo.toml"))
        .arg("--target-dir")
        .arg(&target)
        .output()
        .expect("cargo");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let lib = target.join("release/libvmscope_writes.so");
    assert!(lib.is_file(), "{} missing", lib.display());
    lib
}

fn journal(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect()
}

/// `ids: k=v` lines of the workload.
fn facts(console: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for line in console
        .lines()
        .filter_map(|l| l.trim_end().strip_prefix("ids: "))
    {
        assert!(!line.starts_with("FAILED"), "wl-ids: {line}");
        if let Some((k, v)) = line.split_once('=') {
            out.insert(k.to_string(), v.to_string());
        }
    }
    assert!(
        console.contains("ids: done"),
        "wl-ids did not finish:\n{console}"
    );
    out
}

/// Runs the default guest's `ids` workload with `args`; returns the journal and the workload's facts.
fn run_ids(name: &str, args: &[String]) -> (Vec<Value>, HashMap<String, String>) {
    let (kernel, initrd) = require_guest("6.12").expect("guest");
    let dir = tempdir(&format!("{name}-run"));
    let (j, console) = (dir.join("j.jsonl"), dir.join("console.log"));
    let out = vmscope()
        .args(["run", "--kernel"])
        .arg(&kernel)
        .arg("--initrd")
        .arg(&initrd)
        .args([
            "--format",
            "jsonl",
            "--timeout",
            "600",
            "--append",
            "vmscope.run=ids",
        ])
        .args(args)
        .arg("--output")
        .arg(&j)
        .arg("--console")
        .arg(&console)
        .output()
        .unwrap();
    let console_text = std::fs::read_to_string(&console).unwrap_or_default();
    assert!(
        out.status.success(),
        "vmscope failed: {}\n{console_text}",
        String::from_utf8_lossy(&out.stderr)
    );
    (journal(&j), facts(&console_text))
}

fn of_type<'a>(j: &'a [Value], ty: &str, pid: u64) -> Vec<&'a Value> {
    j.iter()
        .filter(|v| v["type"] == ty && v["pid"].as_u64() == Some(pid))
        .collect()
}

fn has_alert(alerts: &[&Value], rule: &str, op: &str, path: &str) -> bool {
    alerts
        .iter()
        .any(|a| a["rule"] == rule && a["op"] == op && a["path"] == path)
}

fn no_module_errors(j: &[Value], module: &str) {
    let errors: Vec<&Value> = j
        .iter()
        .filter(|v| v["type"] == "notice" && v["source"] == module && v["level"] == "error")
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn the_c_ids_and_the_rust_writes_module_in_a_real_guest() {
    if require_guest("6.12").is_none() {
        return;
    }
    let dir = tempdir("modbuild");
    let ids = build_ids(&dir);
    let writes = build_writes(&dir);
    // Only library paths: the `files` module (and what it needs) comes in as their dependency.
    let (j, f) = run_ids(
        "both",
        &[
            "--modules".into(),
            format!("{},{}", ids.display(), writes.display()),
            "--module-option".into(),
            "ids.paths=/etc/shadow:/tmp/ids-secret".into(),
            "--module-option".into(),
            "writes.min_bytes=13".into(),
        ],
    );
    let pid: u64 = f["pid"].parse().unwrap();
    let started = j
        .iter()
        .find(|v| {
            v["type"] == "notice" && v["message"].as_str().unwrap_or("").starts_with("tracing")
        })
        .unwrap();
    assert_eq!(
        started["message"],
        "tracing x86_64 guest with modules context, syscalls, files, ids, writes"
    );
    no_module_errors(&j, "ids");
    no_module_errors(&j, "writes");

    let alerts = of_type(&j, "alert", pid);
    for a in &alerts {
        assert_eq!(a["module"], "ids", "{a}");
        assert_eq!(a["comm"], "wl-ids", "{a}");
        assert_eq!(a["tid"].as_u64(), Some(pid), "{a}");
        // Read from the vCPU during the callback: the process's page-table root.
        assert!(a["cr3"].as_u64().unwrap_or(0) > 0, "{a}");
        let sev = if a["rule"] == "sensitive_path" {
            "high"
        } else {
            "medium"
        };
        assert_eq!(a["severity"], sev, "{a}");
    }
    assert!(
        has_alert(&alerts, "sensitive_path", "open", "/etc/shadow"),
        "{alerts:#?}"
    );
    if f["shadow_made"] == "1" {
        assert!(has_alert(
            &alerts,
            "sensitive_path",
            "create",
            "/etc/shadow"
        ));
        assert!(has_alert(
            &alerts,
            "write_under_watched",
            "write",
            "/etc/shadow"
        ));
    }
    for op in ["create", "write", "unlink"] {
        assert!(
            has_alert(&alerts, "write_under_watched", op, "/etc/vmscope-ids.conf"),
            "{op}: {alerts:#?}"
        );
    }
    // Configured: the extra sensitive directory (both the creation and the read).
    assert!(has_alert(
        &alerts,
        "sensitive_path",
        "create",
        "/tmp/ids-secret/key"
    ));
    assert!(has_alert(
        &alerts,
        "sensitive_path",
        "open",
        "/tmp/ids-secret/key"
    ));
    // Not alerts: reading /etc/fstab, writing under /tmp.
    assert!(
        alerts.iter().all(|a| a["path"] != "/etc/fstab"),
        "{alerts:#?}"
    );
    assert!(alerts.iter().all(|a| a["path"] != "/tmp/ids-plain.txt"));
    // /etc/shadow read, the .conf created, written, unlinked, the key created and read; and the
    // shadow file's creation and write when the workload had to make it.
    let expected_alerts = 6 + if f["shadow_made"] == "1" { 2 } else { 0 };
    assert_eq!(alerts.len(), expected_alerts, "{alerts:#?}");

    // The derived events, one per written file closed, with the byte counts the workload printed;
    // the 12-byte file is below min_bytes=13.
    let written = of_type(&j, "file_written", pid);
    let by_path: HashMap<&str, &Value> = written
        .iter()
        .map(|w| (w["path"].as_str().unwrap(), *w))
        .collect();
    assert!(
        !by_path.contains_key("/etc/vmscope-ids.conf"),
        "{written:#?}"
    );
    assert_eq!(f["conf_written"], "12");
    for (path, key) in [
        ("/tmp/ids-plain.txt", "tmp_written"),
        ("/tmp/ids-secret/key", "key_written"),
    ] {
        let w = by_path
            .get(path)
            .unwrap_or_else(|| panic!("{path}: {written:#?}"));
        assert_eq!(w["bytes"].as_u64().unwrap().to_string(), f[key], "{w}");
        assert_eq!(w["writes"], 1);
        assert_eq!(w["module"], "writes");
        assert_eq!(w["comm"], "wl-ids");
        assert_eq!(w["at"], "close");
    }
    if f["shadow_made"] == "1" {
        assert_eq!(by_path["/etc/shadow"]["bytes"], 26);
    }
}

#[test]
fn the_c_ids_with_its_default_paths() {
    if require_guest("6.12").is_none() {
        return;
    }
    let dir = tempdir("idsdefault");
    let ids = build_ids(&dir);
    let (j, f) = run_ids(
        "idsdefault",
        &["--modules".into(), format!("context,{}", ids.display())],
    );
    let pid: u64 = f["pid"].parse().unwrap();
    let alerts = of_type(&j, "alert", pid);
    assert!(
        has_alert(&alerts, "sensitive_path", "open", "/etc/shadow"),
        "{alerts:#?}"
    );
    assert!(has_alert(
        &alerts,
        "write_under_watched",
        "create",
        "/etc/vmscope-ids.conf"
    ));
    // /tmp/ids-secret is sensitive only when configured.
    assert!(
        alerts.iter().all(|a| a["path"] != "/tmp/ids-secret/key"),
        "{alerts:#?}"
    );
    assert!(j.iter().all(|v| v["type"] != "file_written"));
}

/// A module fixture of the loader's tests (crates/vmscope-loader/tests/fixtures/module.c).
fn fixture(dir: &Path, name: &str, defines: &[&str]) -> String {
    let out = dir.join(format!("lib{name}.so"));
    cc(
        &out,
        &repo().join("crates/vmscope-loader/tests/fixtures/module.c"),
        defines,
    );
    out.display().to_string()
}

/// A `qemu-system-x86_64` stand-in that leaves a mark if anything runs it.
fn marking_qemu(dir: &Path) -> (String, PathBuf) {
    let mark = dir.join("qemu-ran");
    let q = dir.join("qemu");
    std::fs::write(&q, format!("#!/bin/sh\ntouch {}\nexit 1\n", mark.display())).unwrap();
    std::fs::set_permissions(&q, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    (q.display().to_string(), mark)
}

#[test]
fn every_load_failure_is_one_line_and_qemu_never_starts() {
    let dir = tempdir("loadfail");
    let (qemu, mark) = marking_qemu(&dir);
    let text = dir.join("libtext.so");
    std::fs::write(&text, "not a library\n").unwrap();
    let colon = dir.join("a:b");
    std::fs::create_dir_all(&colon).unwrap();
    let no_init = fixture(&dir, "noinit", &["-DNO_INIT"]);
    let no_version = fixture(&dir, "nover", &["-DNO_VERSION"]);
    let abi2 = fixture(&dir, "abi2", &["-DVERSION=0x20000"]);
    let undefined = fixture(&dir, "undef", &["-DUNDEFINED"]);
    let init_fails = fixture(&dir, "initfails", &["-DINIT_FAILS"]);
    let needy = fixture(&dir, "needy", &["-DNAME=\"needy\"", "-DDEP1=\"nosuch\""]);
    let cyc_a = fixture(&dir, "cyca", &["-DNAME=\"cyca\"", "-DDEP1=\"cycb\""]);
    let cyc_b = fixture(&dir, "cycb", &["-DNAME=\"cycb\"", "-DDEP1=\"cyca\""]);
    let good = fixture(&dir, "good", &["-DNAME=\"good\""]);
    let cases: Vec<(Vec<String>, String)> = vec![
        (
            vec![
                "--modules".into(),
                dir.join("libnothere.so").display().to_string(),
            ],
            "cannot load it: no such file".into(),
        ),
        (
            vec!["--modules".into(), text.display().to_string()],
            format!("module library {}: cannot load it:", text.display()),
        ),
        (
            vec!["--modules".into(), undefined.clone()],
            "vmscope_fixture_nowhere".into(),
        ),
        (
            vec!["--modules".into(), no_init],
            "does not export `vmscope_module_init`".into(),
        ),
        (
            vec!["--modules".into(), no_version],
            "does not export `vmscope_module_abi_version`".into(),
        ),
        (
            vec!["--modules".into(), abi2],
            "built for vmscope module ABI 2.0, but this vmscope speaks ABI 1.1".into(),
        ),
        (
            vec!["--modules".into(), init_fails],
            "its init failed: no licence file".into(),
        ),
        (
            vec!["--modules".into(), needy],
            "module `needy` depends on `nosuch`, which is not loaded".into(),
        ),
        (
            vec!["--modules".into(), format!("{cyc_a},{cyc_b}")],
            "modules depend on each other in a cycle: cyca -> cycb -> cyca".into(),
        ),
        (
            vec![
                "--modules".into(),
                colon.join("libx.so").display().to_string(),
            ],
            "must not contain `,`, `:` or `+`".into(),
        ),
        (
            vec![
                "--modules".into(),
                good.clone(),
                "--module-option".into(),
                "good.colour=red".into(),
            ],
            "module `good` refused option `colour`: unknown key `colour`".into(),
        ),
        (
            vec![
                "--modules".into(),
                good.clone(),
                "--module-option".into(),
                "other.prefix=x".into(),
            ],
            "no module of that name is loaded from a library (loaded: good)".into(),
        ),
        (
            vec![
                "--modules".into(),
                good,
                "--module-option".into(),
                "good-no-dot=x".into(),
            ],
            "is not of the form NAME.KEY=VALUE".into(),
        ),
    ];
    for (args, want) in cases {
        let out = vmscope()
            .arg("run")
            .args(&args)
            .args(["--qemu", &qemu])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert_eq!(err.lines().count(), 1, "{args:?}: not one line: {err}");
        assert!(err.starts_with("vmscope: "), "{args:?}: {err}");
        assert!(err.contains(&want), "{args:?}: want `{want}` in: {err}");
        assert!(!mark.exists(), "{args:?}: QEMU was started");
    }
}

/// The plugin checks again at install (for QEMU command lines written by hand): a bad module stops
/// QEMU with one line and status 1 before the guest runs.
#[test]
fn the_plugin_refuses_bad_modules_at_install() {
    let plugin = Path::new(env!("CARGO_BIN_EXE_vmscope"))
        .parent()
        .unwrap()
        .join("libvmscope.so");
    assert!(
        plugin.is_file(),
        "{} missing: run `cargo build --release --workspace` first",
        plugin.display()
    );
    let qemu = std::env::var("VMSCOPE_QEMU").unwrap_or_else(|_| "qemu-system-x86_64".into());
    let dir = tempdir("pluginfail");
    let abi2 = fixture(&dir, "abi2", &["-DVERSION=0x20000"]);
    let needy = fixture(&dir, "needy", &["-DNAME=\"needy\"", "-DDEP1=\"nosuch\""]);
    let good = fixture(&dir, "good", &["-DNAME=\"good\""]);
    for (opts, want) in [
        (
            format!("modules={abi2}"),
            "built for vmscope module ABI 2.0",
        ),
        (
            format!("modules=syscalls:{needy}"),
            "module `needy` depends on `nosuch`, which is not loaded",
        ),
        (
            format!("modules={good},module_option=good.colour=red"),
            "refused option `colour`",
        ),
    ] {
        let out = Command::new(&qemu)
            .args([
                "-M", "pc", "-display", "none", "-monitor", "none", "-serial", "null",
            ])
            .args(["-no-reboot", "-plugin"])
            .arg(format!("{},{opts}", plugin.display()))
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{opts}: {err}");
        let line = err
            .lines()
            .find(|l| l.starts_with("vmscope: "))
            .unwrap_or_else(|| panic!("{opts}: {err}"));
        assert!(line.contains(want), "{opts}: {line}");
    }
}

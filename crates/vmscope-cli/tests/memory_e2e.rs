//! End to end: the memory and images modules on real guests. The `maps` workload (dynamically linked
//! 64-bit; static 32-bit) maps an anonymous writable and executable page, prints its own
//! `/proc/self/maps` and exits at once: the journal's exit snapshot must equal what it printed, region
//! for region; its images must be the program, the loader, libc and the vDSO at the bases the maps
//! show; the page must raise both alerts. On Linux 6.12 and 6.1, with KPTI off and forced on.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test may panic"
)]

mod common;

use common::GuestRun;
use serde_json::Value;

/// One `/proc/PID/maps` region: start, end, perms, offset, path.
type Line = (u64, u64, String, u64, Option<String>);

/// The regions each run of the workload printed, in order.
fn printed(console: &str) -> Vec<Vec<Line>> {
    let mut out = Vec::new();
    let mut cur: Option<Vec<Line>> = None;
    for l in console.lines().map(|l| l.trim_end_matches('\r')) {
        match (l, cur.as_mut()) {
            ("MAPS-BEGIN", _) => cur = Some(Vec::new()),
            ("MAPS-END", Some(_)) => out.extend(cur.take()),
            (l, Some(c)) => {
                let f: Vec<&str> = l.split_whitespace().collect();
                let (s, e) = f[0].split_once('-').unwrap();
                c.push((
                    u64::from_str_radix(s, 16).unwrap(),
                    u64::from_str_radix(e, 16).unwrap(),
                    f[1].to_string(),
                    u64::from_str_radix(f[2], 16).unwrap(),
                    f.get(5).map(|p| p.to_string()),
                ));
            }
            _ => {}
        }
    }
    out
}

fn hex(v: &Value) -> u64 {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("not a hex string: {v}"));
    u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap()
}

fn regions(snapshot: &Value) -> Vec<Line> {
    snapshot["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                hex(&r["start"]),
                hex(&r["end"]),
                r["perms"].as_str().unwrap().to_string(),
                hex(&r["offset"]),
                r["path"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// The events of type `ty` of process `pid`.
fn of<'a>(ev: &'a [Value], ty: &str, pid: u64) -> Vec<&'a Value> {
    ev.iter()
        .filter(|e| e["type"] == ty && e["pid"] == pid)
        .collect()
}

fn check(series: &str, pti: &str) {
    let Some(run) = GuestRun::new(series, &format!("memory-pti-{pti}")) else {
        return;
    };
    let out = run
        .workloads("maps,maps32")
        .append(&format!("pti={pti}"))
        .modules("context,syscalls,memory,images")
        .run();
    let ev = out.events();
    let printed = printed(&out.console);
    assert_eq!(
        printed.len(),
        2,
        "two runs printed their maps:\n{}",
        out.console
    );
    for (i, (comm, wide)) in [("wl-maps", true), ("wl-maps32", false)]
        .into_iter()
        .enumerate()
    {
        let exec = ev
            .iter()
            .find(|e| e["type"] == "maps" && e["when"] == "exec" && e["comm"] == comm)
            .unwrap_or_else(|| panic!("no exec snapshot of {comm}"));
        let pid = exec["pid"].as_u64().unwrap();
        assert_eq!(exec["exe"], format!("/bin/{comm}"));
        let exits = of(&ev, "maps", pid)
            .into_iter()
            .filter(|e| e["when"] == "exit")
            .collect::<Vec<_>>();
        assert_eq!(exits.len(), 1, "{comm}: one exit snapshot");
        // With KPTI the exit is not readable at exit_group's entry: the model, kept exact by the
        // calls since the exec, stands for it.
        let source = if pti == "on" { "model" } else { "kernel" };
        assert_eq!(exits[0]["source"], source, "{comm}");
        assert_eq!(
            regions(exits[0]),
            printed[i],
            "{series} pti={pti}: {comm}'s exit snapshot is what it printed"
        );
        // The anonymous writable and executable page: one of each alert.
        let page = printed[i]
            .iter()
            .find(|r| r.2 == "rwxp" && r.4.is_none())
            .expect("the rwx page in the maps");
        let alerts = ev
            .iter()
            .filter(|e| e["type"] == "alert" && e["module"] == "memory" && e["pid"] == pid)
            .collect::<Vec<_>>();
        let mut rules: Vec<&str> = alerts.iter().map(|a| a["rule"].as_str().unwrap()).collect();
        rules.sort_unstable();
        assert_eq!(rules, ["anon_exec", "wx_region"], "{comm}");
        assert!(alerts.iter().all(|a| hex(&a["start"]) == page.0));
        // Its mapping as a memory event.
        assert!(
            of(&ev, "memory", pid)
                .iter()
                .any(|m| m["op"] == "map" && hex(&m["start"]) == page.0 && m["perms"] == "rwxp"),
            "{comm}: the page's map event"
        );
        // Images at the lowest address of their file's mappings.
        let base = |path: &str| {
            printed[i]
                .iter()
                .filter(|r| r.4.as_deref() == Some(path))
                .map(|r| r.0)
                .min()
                .unwrap_or_else(|| panic!("{path} not in {comm}'s maps"))
        };
        let images = of(&ev, "image", pid);
        let image = |kind: &str| -> &Value {
            images
                .iter()
                .find(|e| e["kind"] == kind && e["op"] == "load")
                .unwrap_or_else(|| panic!("{comm}: no {kind} image in {images:?}"))
        };
        let exe = image("exe");
        assert_eq!(hex(&exe["base"]), base(&format!("/bin/{comm}")));
        assert!(exe["build_id"].as_str().is_some_and(|b| b.len() == 40));
        let vdso = image("vdso");
        assert_eq!(hex(&vdso["base"]), base("[vdso]"));
        if wide {
            // PIE: loaded where its first mapping is.
            assert_eq!(hex(&exe["load_bias"]), hex(&exe["base"]));
            let ld = image("interpreter");
            assert_eq!(hex(&ld["base"]), base("/lib64/ld-linux-x86-64.so.2"));
            let libc = image("library");
            assert_eq!(libc["path"], "/lib/x86_64-linux-gnu/libc.so.6");
            assert_eq!(hex(&libc["base"]), base("/lib/x86_64-linux-gnu/libc.so.6"));
            assert_eq!(libc["soname"], "libc.so.6");
            assert_eq!(images.len(), 4, "{images:?}");
        } else {
            // A static fixed-address program: no loader, no libraries.
            assert_eq!(hex(&exe["load_bias"]), 0);
            assert_eq!(images.len(), 2, "{images:?}");
        }
    }
}

#[test]
fn maps_and_images_linux_6_12() {
    check("6.12", "off");
}

#[test]
fn maps_and_images_linux_6_12_kpti() {
    check("6.12", "on");
}

#[test]
fn maps_and_images_linux_6_1() {
    check("6.1", "off");
}

#[test]
fn maps_and_images_linux_6_1_kpti() {
    check("6.1", "on");
}

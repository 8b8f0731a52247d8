//! End to end: `vmscope fidelity` boots the default guest twice (default CPU, then an Intel CPU model
//! for `sysenter`), runs the corpus under strace inside while vmscope traces from outside, and must
//! meet the project's bars: matched >= 99%, identical >= 95%, 32-bit matched 100%, and every 32-bit
//! entry path seen.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test may panic"
)]

mod common;

use common::{require_guest, tempdir, vmscope};

/// The percentage in a row of the fidelity table: `  name  calls  matched%  identical%`.
fn row<'a>(report: &'a str, name: &str) -> Vec<&'a str> {
    report
        .lines()
        .find(|l| l.trim_start().starts_with(name) && l.contains('%'))
        .unwrap_or_else(|| panic!("no row {name:?} in:\n{report}"))
        .split_whitespace()
        .collect()
}

fn pct(cell: &str) -> f64 {
    cell.trim_end_matches('%').parse().unwrap()
}

#[test]
fn the_corpus_meets_the_fidelity_bars() {
    let Some((kernel, initrd)) = require_guest("6.12") else {
        return;
    };
    let dir = tempdir("fidelity");
    let out = vmscope()
        .args(["fidelity", "--kernel"])
        .arg(&kernel)
        .arg("--initrd")
        .arg(&initrd)
        .arg("--out")
        .arg(&dir)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    println!("{report}");
    assert!(
        out.status.success(),
        "fidelity bars not met (status {:?}):\n{report}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    // The table says what the status says.
    let overall = row(&report, "overall");
    assert!(pct(overall[2]) >= 99.0, "{overall:?}");
    assert!(pct(overall[3]) >= 95.0, "{overall:?}");
    let bits32 = row(&report, "32-bit workloads");
    assert!(pct(bits32[3]) >= 100.0, "{bits32:?}");
    assert!(overall[1].parse::<usize>().unwrap() > 3000, "{overall:?}");
    // Each new family of the corpus ran and was compared, in both widths.
    for w in [
        "signals",
        "mmap",
        "sockets",
        "signals32",
        "mmap32",
        "sockets32",
    ] {
        let r = row(&report, &format!("{w} "));
        assert!(r[1].parse::<usize>().unwrap() > 20, "{w}: {r:?}");
    }
    // All three 32-bit entry paths were exercised.
    let paths = report
        .lines()
        .find(|l| l.contains("i386 calls by entry"))
        .unwrap();
    for n in paths
        .split(',')
        .map(|p| p.split_whitespace().last().unwrap())
    {
        assert!(n.parse::<usize>().unwrap() > 0, "{paths}");
    }
}

//! The report in a real browser: headless Chromium (Debian's `chromium`) loads the page from a file,
//! runs its script, and the rendered DOM is checked; a screenshot is kept in
//! `target/tmp/report-artifacts/`. A million-event journal checks the page's size budget and prints
//! the times (docs/report.md has the figures). Without Chromium these tests fail, unless
//! VMSCOPE_SKIP_BROWSER=1 (README.md here).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test may panic"
)]

mod common;
mod journals;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use common::{tempdir, vmscope};
use journals::Size;

/// The browser, or `None` when it is missing and VMSCOPE_SKIP_BROWSER=1.
fn chromium() -> Option<PathBuf> {
    let name = std::env::var_os("VMSCOPE_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("chromium"));
    let found = Command::new(&name)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some(name);
    }
    if std::env::var_os("VMSCOPE_SKIP_BROWSER").is_some_and(|v| v == "1") {
        eprintln!(
            "skipped: no browser {} (VMSCOPE_SKIP_BROWSER=1)",
            name.display()
        );
        return None;
    }
    panic!(
        "no browser {}: install Debian's chromium (scripts/install-host-deps.sh does), set VMSCOPE_CHROMIUM, or set VMSCOPE_SKIP_BROWSER=1 to skip this on purpose",
        name.display()
    );
}

/// Runs headless Chromium on a page with `args` (`--dump-dom`, `--screenshot=...`).
fn headless(browser: &Path, page: &Path, args: &[&str]) -> Output {
    let profile = tempdir(&format!("chromium-{}", args.len()));
    let mut cmd = Command::new(browser);
    cmd.args([
        "--headless",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
    ]);
    // Chromium refuses to run as root with its sandbox.
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        cmd.arg("--no-sandbox");
    }
    cmd.arg(format!("--user-data-dir={}", profile.display()));
    cmd.args(args);
    cmd.arg(format!("file://{}", page.display()));
    let out = cmd.output().unwrap();
    let _ = std::fs::remove_dir_all(profile);
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The DOM after the page's script ran, its script blocks removed (so only drawn text is left), and
/// the milliseconds the page says it took to draw.
fn rendered(browser: &Path, page: &Path) -> (String, u64) {
    let out = headless(browser, page, &["--dump-dom"]);
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(!log.contains("Uncaught"), "the page's script threw: {log}");
    assert!(
        dom.contains("data-ready=\"1\""),
        "the script did not finish"
    );
    assert!(
        !dom.contains("data-errors="),
        "a section failed to draw: {dom:.2000}"
    );
    let ms = dom
        .split("data-render-ms=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    let mut text = String::with_capacity(dom.len());
    let mut rest = dom.as_str();
    while let Some(i) = rest.find("<script") {
        text.push_str(&rest[..i]);
        match rest[i..].find("</script>") {
            Some(j) => rest = &rest[i + j + "</script>".len()..],
            None => rest = "",
        }
    }
    text.push_str(rest);
    (text, ms)
}

fn artifacts() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-artifacts");
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn make_report(journal: &Path, html: &Path) -> f64 {
    let t = Instant::now();
    let out = vmscope()
        .args(["report", journal.to_str().unwrap(), "--output"])
        .arg(html)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    t.elapsed().as_secs_f64()
}

#[test]
fn the_report_renders_in_chromium() {
    let Some(browser) = chromium() else {
        return;
    };
    let d = tempdir("browser");
    let j = d.join("synthetic.jsonl");
    journals::write(
        &j,
        Size {
            procs: 40,
            calls: 30,
        },
    );
    let html = d.join("report.html");
    make_report(&j, &html);
    let (text, ms) = rendered(&browser, &html);
    eprintln!("drawn in {ms} ms");
    // Every section is drawn, with the data in it (not only in the JSON block).
    for id in [
        "overview",
        "timeline",
        "processes",
        "syscalls",
        "files",
        "network",
        "memory",
        "alerts",
        "devices",
        "other",
        "notices",
    ] {
        assert!(
            text.contains(&format!("<section id=\"{id}\"")),
            "section {id}"
        );
    }
    for needle in [
        "Linux 6.12.95+deb12-amd64",
        "/bin/wl-3",                      // a program in the tree and the detail
        "two words",                      // its argv
        "SIGKILL",                        // an exit badge
        "<td class=\"mono\">openat</td>", // the strace -c table
        "/etc/wl/7.conf",                 // files
        "10.0.2.2:80",                    // network
        "writable and executable",        // memory findings
        "sensitive_path",                 // alerts
        "wx_region",                      // the memory module's alerts
        "linux-vdso.so.1",                // an image's soname
        "<h3>Connections</h3>",           // connection events
        "custom_probe",                   // other events
        "do_work+0x14",                   // call stacks
        "<svg",                           // the timeline
    ] {
        assert!(text.contains(needle), "the page shows {needle}");
    }
    let shot = artifacts().join("report.png");
    let _ = std::fs::remove_file(&shot);
    headless(
        &browser,
        &html,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1400,2200",
            "--hide-scrollbars",
        ],
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "a real screenshot"
    );
    std::fs::copy(&html, artifacts().join("report.html")).unwrap();
    eprintln!("screenshot: {}", shot.display());
    let _ = std::fs::remove_dir_all(d);
}

/// The page for a million events: about 11,000 processes, each with calls, files, network, memory.
#[test]
fn a_million_events_fit_the_budget() {
    let Some(browser) = chromium() else {
        return;
    };
    let d = tempdir("browser-1m");
    let j = d.join("million.jsonl");
    let counts = journals::write(
        &j,
        Size {
            procs: 11_200,
            calls: 40,
        },
    );
    let events: u64 = counts.values().sum();
    assert!(events >= 1_000_000, "{events} events");
    let html = d.join("report.html");
    let secs = make_report(&j, &html);
    let size = std::fs::metadata(&html).unwrap().len();
    let t = Instant::now();
    let (text, ms) = rendered(&browser, &html);
    let browser_secs = t.elapsed().as_secs_f64();
    eprintln!(
        "{events} events, journal {:.0} MB: report in {secs:.1} s, page {:.1} MB, drawn in {ms} ms ({browser_secs:.1} s with the browser's start)",
        std::fs::metadata(&j).unwrap().len() as f64 / 1e6,
        size as f64 / 1e6
    );
    // The budget (docs/report.md): the page stays small whatever the journal's size.
    assert!(size < 16_000_000, "page of {size} bytes");
    assert!(text.contains("left out of this page"), "bounds are said");
    std::fs::copy(&html, artifacts().join("report-1m.html")).unwrap();
    let _ = std::fs::remove_dir_all(d);
}

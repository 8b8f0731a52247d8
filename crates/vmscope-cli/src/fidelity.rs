//! `vmscope fidelity`: the corpus traced by strace inside the guest and by vmscope outside, compared
//! call by call, with the bars the project holds itself to.
//!
//! Two boots of the default guest (or the one given): the default CPU model (AMD vendor: 32-bit vDSO
//! calls enter by `syscall` from compatibility mode) running the whole corpus, and an Intel CPU model
//! (the vDSO then uses `sysenter`) running the 32-bit workloads again; `int 0x80` is in both. Each
//! boot is one `vmscope run` of this executable with strace's output on a second serial port, and
//! [`crate::compare`] does the counting.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, Result, bail};
use serde_json::Value;

use crate::compare::{self, Report, Tally};

/// The 32-bit workloads (`NAME32`, and `int80` which is 32-bit only; see guest/README.md).
const WORKLOADS_32: &str =
    "fstab32,fileio32,threads32,forkexec32,loop32:100,int80,compat32,signals32,mmap32,sockets32";

/// Options of `vmscope fidelity`.
#[derive(clap::Args, Debug)]
pub struct FidelityArgs {
    /// Guest kernel; default: the default guest's.
    #[arg(long, value_name = "FILE")]
    kernel: Option<PathBuf>,
    /// Initial ramdisk (a default-guest initramfs with the corpus); default: the default guest's.
    #[arg(long, value_name = "FILE")]
    initrd: Option<PathBuf>,
    /// The QEMU to use (passed to `vmscope run`).
    #[arg(long, value_name = "FILE")]
    qemu: Option<PathBuf>,
    /// The workload list of the first boot (`vmscope.run=`).
    #[arg(long, value_name = "LIST", default_value = "corpus")]
    run: String,
    /// The CPU model of the second boot: an Intel vendor, so 32-bit vDSO calls use `sysenter`.
    #[arg(
        long,
        value_name = "MODEL",
        default_value = "qemu64,vendor=GenuineIntel"
    )]
    intel_cpu: String,
    /// Skip the second (Intel CPU) boot.
    #[arg(long)]
    no_intel: bool,
    /// Where journals, consoles and strace logs are kept; default: a fresh temporary directory.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Stop each boot after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 1200)]
    timeout: u64,
    /// Bar: share of strace's calls matched (name, return value, paths), percent.
    #[arg(long, value_name = "PERCENT", default_value_t = 99.0)]
    min_matched: f64,
    /// Bar: share of strace's calls whose argument list is byte-identical, percent.
    #[arg(long, value_name = "PERCENT", default_value_t = 95.0)]
    min_identical: f64,
    /// Bar: share of strace's calls of the 32-bit workloads matched, percent.
    #[arg(long, value_name = "PERCENT", default_value_t = 100.0)]
    min_matched_32: f64,
    /// List unmatched calls and argument differences.
    #[arg(long)]
    verbose: bool,
    /// strace's `-s` in the guest and vmscope's `--string-limit` (default: both tools' 32).
    #[arg(long, value_name = "N")]
    string_limit: Option<usize>,
}

/// One boot's result.
struct Boot {
    title: String,
    report: Report,
    /// (abi, entry) → calls seen by vmscope.
    entries: BTreeMap<(String, String), usize>,
}

/// Whether a workload of the guest is a 32-bit program.
fn is_32bit(workload: &str) -> bool {
    workload.ends_with("32") || workload == "int80"
}

/// Runs one boot: `vmscope run` with strace in the guest; returns the journal and strace's log.
fn boot(
    args: &FidelityArgs,
    dir: &Path,
    tag: &str,
    run: &str,
    cpu: Option<&str>,
) -> Result<(String, String)> {
    let exe = std::env::current_exe().context("cannot find the vmscope executable")?;
    let (j, console, strace) = (
        dir.join(format!("journal-{tag}.jsonl")),
        dir.join(format!("console-{tag}.log")),
        dir.join(format!("strace-{tag}.log")),
    );
    // Intel CPU models make Linux turn KPTI on (Meltdown): the Intel boot also exercises the context
    // module's KPTI path (threads remembered at the switch to the user page tables).
    let extra_append = args
        .string_limit
        .map(|n| format!(" vmscope.strace_s={n}"))
        .unwrap_or_default();
    let mut cmd = Command::new(exe);
    cmd.args(["run", "--format", "jsonl", "--timeout"])
        .arg(args.timeout.to_string())
        .arg("--append")
        .arg(format!("vmscope.run={run} vmscope.strace=1{extra_append}"))
        .arg("--output")
        .arg(&j)
        .arg("--console")
        .arg(&console);
    if let Some(k) = &args.kernel {
        cmd.arg("--kernel").arg(k);
    }
    if let Some(i) = &args.initrd {
        cmd.arg("--initrd").arg(i);
    }
    if let Some(q) = &args.qemu {
        cmd.arg("--qemu").arg(q);
    }
    if let Some(n) = args.string_limit {
        cmd.arg("--string-limit").arg(n.to_string());
    }
    cmd.arg("--")
        .arg("-serial")
        .arg(format!("file:{}", strace.display()));
    if let Some(c) = cpu {
        cmd.args(["-cpu", c]);
    }
    eprintln!("vmscope fidelity: boot {tag}: vmscope.run={run}{}", {
        cpu.map(|c| format!(" -cpu {c}")).unwrap_or_default()
    });
    let out = cmd.output().context("cannot run vmscope run")?;
    if !out.status.success() {
        bail!(
            "boot {tag} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let console_text = std::fs::read_to_string(&console).unwrap_or_default();
    if !console_text.contains("vmscope-guest: done") {
        bail!(
            "boot {tag}: the guest did not finish (console in {})",
            console.display()
        );
    }
    let failed: Vec<&str> = console_text
        .lines()
        .filter(|l| l.contains("vmscope-guest: end ") && !l.contains("status=0"))
        .collect();
    if !failed.is_empty() {
        bail!(
            "boot {tag}: workloads failed: {} (console in {})",
            failed.join("; "),
            console.display()
        );
    }
    let jt = std::fs::read_to_string(&j).with_context(|| format!("journal {}", j.display()))?;
    let st = std::fs::read_to_string(&strace)
        .with_context(|| format!("strace log {}", strace.display()))?;
    Ok((jt, st))
}

/// Counts vmscope's calls by ABI and entry instruction.
fn entry_counts(journal: &str) -> BTreeMap<(String, String), usize> {
    let mut out = BTreeMap::new();
    for line in journal.lines() {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if v["type"] != "syscall" {
            continue;
        }
        let abi = v["abi"].as_str().unwrap_or("?").to_string();
        let entry = v["entry"].as_str().unwrap_or("?").to_string();
        *out.entry((abi, entry)).or_insert(0) += 1;
    }
    out
}

fn row(s: &mut String, name: &str, t: &Tally) {
    let _ = writeln!(
        s,
        "  {:<22} {:>7} {:>8.2}% {:>10.2}%",
        name,
        t.total,
        t.matched_pct(),
        t.identical_pct()
    );
}

fn header(s: &mut String, first: &str) {
    let _ = writeln!(
        s,
        "  {:<22} {:>7} {:>9} {:>11}",
        first, "calls", "matched", "identical"
    );
}

fn add(a: &mut Tally, b: &Tally) {
    a.total += b.total;
    a.matched += b.matched;
    a.identical += b.identical;
}

/// What the bars say.
#[derive(Debug, Default)]
struct Verdict {
    overall: Tally,
    bits32: Tally,
    bits64: Tally,
    int80: usize,
    sysenter: usize,
    compat_syscall: usize,
}

fn verdict(boots: &[Boot]) -> Verdict {
    let mut v = Verdict::default();
    for b in boots {
        add(&mut v.overall, &b.report.overall);
        for (w, t) in &b.report.per_workload {
            if is_32bit(w) {
                add(&mut v.bits32, t);
            } else {
                add(&mut v.bits64, t);
            }
        }
        for ((abi, entry), n) in &b.entries {
            if abi != "i386" {
                continue;
            }
            match entry.as_str() {
                "int80" => v.int80 += n,
                "sysenter" => v.sysenter += n,
                "syscall" => v.compat_syscall += n,
                _ => {}
            }
        }
    }
    v
}

/// Renders the whole report; returns the text and whether every bar is met.
fn render(args: &FidelityArgs, boots: &[Boot]) -> (String, bool) {
    let mut s = String::new();
    for b in boots {
        let _ = writeln!(s, "{}", b.title);
        header(&mut s, "workload");
        for (w, t) in &b.report.per_workload {
            row(&mut s, w, t);
        }
        row(&mut s, "all", &b.report.overall);
        let _ = writeln!(s);
    }
    let v = verdict(boots);
    let _ = writeln!(s, "totals");
    header(&mut s, "");
    row(&mut s, "overall", &v.overall);
    row(&mut s, "64-bit workloads", &v.bits64);
    row(&mut s, "32-bit workloads", &v.bits32);
    let _ = writeln!(
        s,
        "  i386 calls by entry: int 0x80 {}, sysenter {}, compat syscall {}",
        v.int80, v.sysenter, v.compat_syscall
    );
    let _ = writeln!(s);

    // Call families still below strace: those with calls not byte-identical, most differences first.
    let mut per_call: BTreeMap<String, Tally> = BTreeMap::new();
    for b in boots {
        for (n, t) in &b.report.per_call {
            add(per_call.entry(n.clone()).or_default(), t);
        }
    }
    let mut below: Vec<(&String, &Tally)> = per_call
        .iter()
        .filter(|(_, t)| t.identical < t.total)
        .collect();
    below.sort_by_key(|(n, t)| (std::cmp::Reverse(t.total - t.identical), n.to_string()));
    let _ = writeln!(s, "calls not always identical to strace");
    header(&mut s, "call");
    for (n, t) in &below {
        row(&mut s, n, t);
    }
    let _ = writeln!(s);

    let mut ok = true;
    let mut bar = |s: &mut String, what: &str, pass: bool| {
        ok &= pass;
        let _ = writeln!(s, "  {:<52} {}", what, if pass { "ok" } else { "FAILED" });
    };
    let _ = writeln!(s, "bars");
    bar(
        &mut s,
        &format!(
            "matched {:.2}% >= {}%",
            v.overall.matched_pct(),
            args.min_matched
        ),
        v.overall.matched_pct() >= args.min_matched,
    );
    bar(
        &mut s,
        &format!(
            "identical {:.2}% >= {}%",
            v.overall.identical_pct(),
            args.min_identical
        ),
        v.overall.identical_pct() >= args.min_identical,
    );
    bar(
        &mut s,
        &format!(
            "32-bit matched {:.2}% >= {}%",
            v.bits32.matched_pct(),
            args.min_matched_32
        ),
        v.bits32.total > 0 && v.bits32.matched_pct() >= args.min_matched_32,
    );
    let paths = v.int80 > 0 && v.compat_syscall > 0 && (args.no_intel || v.sysenter > 0);
    bar(
        &mut s,
        "every 32-bit entry path seen (int 0x80, sysenter, compat syscall)",
        paths,
    );
    if args.verbose {
        for b in boots {
            let _ = writeln!(s, "\n{}", b.title);
            s.push_str(&compare::render(&b.report, true));
        }
    }
    (s, ok)
}

/// `vmscope fidelity`.
pub fn run(args: FidelityArgs) -> Result<u8> {
    let dir = match &args.out {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("vmscope-fidelity-{}", std::process::id())),
    };
    if dir.to_string_lossy().contains(',') {
        bail!(
            "--out {} must not contain a comma (QEMU splits its options on commas)",
            dir.display()
        );
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;

    let mut boots = Vec::new();
    let (j, st) = boot(&args, &dir, "default", &args.run, None)?;
    boots.push(Boot {
        title: format!(
            "boot 1: default CPU (AMD vendor: 32-bit vDSO calls enter by compat syscall), vmscope.run={}",
            args.run
        ),
        report: compare::compare(&compare::parse_strace(&st), &compare::parse_journal(&j)),
        entries: entry_counts(&j),
    });
    if !args.no_intel {
        let (j, st) = boot(&args, &dir, "intel", WORKLOADS_32, Some(&args.intel_cpu))?;
        boots.push(Boot {
            title: format!(
                "boot 2: -cpu {} (Intel vendor: 32-bit vDSO calls enter by sysenter; KPTI on)",
                args.intel_cpu
            ),
            report: compare::compare(&compare::parse_strace(&st), &compare::parse_journal(&j)),
            entries: entry_counts(&j),
        });
    }
    for b in &boots {
        if b.report.overall.total == 0 {
            bail!("strace's log holds no calls ({})", dir.display());
        }
    }
    let (text, ok) = render(&args, &boots);
    print!("{text}");
    println!("\nlogs: {}", dir.display());
    Ok(if ok { 0 } else { 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workloads_are_split_by_width() {
        assert!(is_32bit("fileio32"));
        assert!(is_32bit("int80"));
        assert!(!is_32bit("fileio"));
        assert!(!is_32bit("?"));
    }

    #[test]
    fn entries_are_counted_by_abi_and_instruction() {
        let j = concat!(
            r#"{"type":"syscall","abi":"i386","entry":"sysenter"}"#,
            "\n",
            r#"{"type":"syscall","abi":"i386","entry":"sysenter"}"#,
            "\n",
            r#"{"type":"notice"}"#,
            "\n",
            r#"{"type":"syscall","abi":"x86_64","entry":"syscall"}"#,
        );
        let c = entry_counts(j);
        assert_eq!(c[&("i386".to_string(), "sysenter".to_string())], 2);
        assert_eq!(c[&("x86_64".to_string(), "syscall".to_string())], 1);
        assert_eq!(c.len(), 2);
    }

    #[test]
    fn a_missing_entry_path_fails_the_bars() {
        let mut report = Report::default();
        let t = Tally {
            total: 10,
            matched: 10,
            identical: 10,
        };
        report.per_workload.insert("int80".into(), t);
        report.overall = t;
        let mut entries = BTreeMap::new();
        entries.insert(("i386".to_string(), "int80".to_string()), 5);
        entries.insert(("i386".to_string(), "syscall".to_string()), 5);
        let boots = [Boot {
            title: "t".into(),
            report,
            entries,
        }];
        let args = FidelityArgs {
            kernel: None,
            initrd: None,
            qemu: None,
            run: "corpus".into(),
            intel_cpu: "x".into(),
            no_intel: false,
            out: None,
            timeout: 1,
            min_matched: 99.0,
            min_identical: 95.0,
            min_matched_32: 100.0,
            verbose: false,
            string_limit: None,
        };
        let (text, ok) = render(&args, &boots);
        assert!(!ok, "{text}");
        assert!(text.contains("FAILED"));
        let args = FidelityArgs {
            no_intel: true,
            ..args
        };
        assert!(render(&args, &boots).1);
    }
}

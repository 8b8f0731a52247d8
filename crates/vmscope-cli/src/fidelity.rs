//! `vmscope fidelity`: the corpus traced by strace inside the guest and by vmscope outside, compared
//! call by call, with the bars the project holds itself to.
//!
//! Three corpora (`--corpus`):
//! - `existing` (the default): two boots of the default guest (or the one given): the default CPU
//!   model (AMD vendor: 32-bit vDSO calls enter by `syscall` from compatibility mode) running the whole
//!   corpus, and an Intel CPU model (the vDSO then uses `sysenter`) running the 32-bit workloads again;
//!   `int 0x80` is in both;
//! - `families`: one boot running one workload per call family (net-inet, events, fsx, ...), 64- and
//!   32-bit;
//! - `strace-tests`: one boot running strace's own test programs (guest/build-corpus.sh), whose archive
//!   is appended to the guest's initrd.
//!
//! `--arch aarch64` measures the aarch64 guest (`guest/build.sh --arch aarch64`) the same way, in one
//! boot: the generic system call ABI has no 32-bit variant to run again on another CPU model, so the
//! second boot and the 32-bit bars are x86_64's only.
//!
//! Each boot is one `vmscope run` of this executable with strace's output on a second serial port, and
//! [`crate::compare`] does the counting; the report adds, per call family ([`crate::families`]), the
//! share matched and identical, and the calls that differ most with one example each.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, Result, bail};
use serde_json::Value;

use crate::GuestArch;
use crate::compare::{self, Report, Tally};
use crate::families::{Family, family};

/// The 32-bit workloads (`NAME32`, and `int80` which is 32-bit only; see guest/README.md).
const WORKLOADS_32: &str =
    "fstab32,fileio32,threads32,forkexec32,loop32:100,int80,compat32,signals32,mmap32,sockets32";

/// The workloads measured.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Corpus {
    /// The fidelity corpus of guest/README.md, in two boots (default and Intel CPU).
    Existing,
    /// One workload per call family (net-inet, net-inet6, net-unix, net-misc, events, fsx,
    /// proc-misc, ipc, sys-misc), 64- and 32-bit.
    Families,
    /// strace's own test programs (guest/build-corpus.sh), 64- and 32-bit.
    StraceTests,
}

impl Corpus {
    /// The workload list of the first boot (`vmscope.run=`).
    fn run(self) -> &'static str {
        match self {
            Corpus::Existing => "corpus",
            Corpus::Families => "families",
            Corpus::StraceTests => "strace-tests,strace-tests32",
        }
    }

    /// The bars (matched, identical) the project holds the corpus to (issue 12 for the new ones).
    fn bars(self) -> (f64, f64) {
        match self {
            Corpus::Existing => (99.0, 95.0),
            Corpus::Families => (99.5, 98.0),
            Corpus::StraceTests => (99.0, 95.0),
        }
    }
}

/// Options of `vmscope fidelity`.
#[derive(clap::Args, Debug)]
pub struct FidelityArgs {
    /// The workloads to measure.
    #[arg(long, value_enum, default_value_t = Corpus::Existing)]
    corpus: Corpus,
    /// The guest's architecture (as `vmscope run --arch`); default: from --qemu's name, else x86_64.
    /// aarch64 boots once: there are no 32-bit workloads to run again on an Intel CPU model. i386:
    /// the default i386 guest, one boot (its `qemu32` CPU is an Intel model: `sysenter` and KPTI),
    /// every workload a 32-bit program.
    #[arg(long, value_enum)]
    arch: Option<GuestArch>,
    /// Cut strings at N bytes on both sides (`strace -s N`, `vmscope run --string-limit N`);
    /// default: 32 (strace's default).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1048576))]
    string_limit: Option<u32>,
    /// Where guest/build-corpus.sh put strace's test programs (`corpus.img`); default:
    /// $VMSCOPE_GUEST_DIR/strace-tests or ~/.cache/vmscope/guest/strace-tests.
    #[arg(long, value_name = "DIR")]
    strace_tests: Option<PathBuf>,
    /// Guest memory in MiB; default: 512, 2560 for strace-tests (its archive is ~700 MiB unpacked).
    #[arg(long, value_name = "MiB", value_parser = clap::value_parser!(u32).range(64..=65536))]
    memory: Option<u32>,
    /// How many of the calls that differ most are listed, with an example each.
    #[arg(long, value_name = "N", default_value_t = 30)]
    worst: usize,
    /// Guest kernel; default: the default guest's.
    #[arg(long, value_name = "FILE")]
    kernel: Option<PathBuf>,
    /// Initial ramdisk (a default-guest initramfs with the corpus); default: the default guest's.
    #[arg(long, value_name = "FILE")]
    initrd: Option<PathBuf>,
    /// The QEMU to use (passed to `vmscope run`).
    #[arg(long, value_name = "FILE")]
    qemu: Option<PathBuf>,
    /// The workload list of the first boot (`vmscope.run=`); default: the corpus's (`corpus`,
    /// `families`, `strace-tests,strace-tests32`; `strace-tests:PATTERN` picks tests by name).
    #[arg(long, value_name = "LIST")]
    run: Option<String>,
    /// The CPU model of the second boot: an Intel vendor, so 32-bit vDSO calls use `sysenter`.
    #[arg(
        long,
        value_name = "MODEL",
        default_value = "qemu64,vendor=GenuineIntel"
    )]
    intel_cpu: String,
    /// Skip the second (Intel CPU) boot (the existing corpus only: the others boot once).
    #[arg(long)]
    no_intel: bool,
    /// Where journals, consoles and strace logs are kept; default: a fresh temporary directory.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Boot nothing: measure the journals, consoles and strace logs an earlier run left in --out.
    #[arg(long, requires = "out")]
    reuse: bool,
    /// Stop each boot after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 1200)]
    timeout: u64,
    /// Bar: share of strace's calls matched (name, return value, paths), percent; default: 99
    /// (99.5 for families).
    #[arg(long, value_name = "PERCENT")]
    min_matched: Option<f64>,
    /// Bar: share of strace's calls whose argument list is byte-identical, percent; default: 95
    /// (98 for families).
    #[arg(long, value_name = "PERCENT")]
    min_identical: Option<f64>,
    /// Bar: share of strace's calls of the 32-bit workloads matched, percent.
    #[arg(long, value_name = "PERCENT", default_value_t = 100.0)]
    min_matched_32: f64,
    /// List unmatched calls and argument differences.
    #[arg(long)]
    verbose: bool,
}

impl FidelityArgs {
    /// The guest's architecture: `--arch`, else what `vmscope run` would take from `--qemu`.
    fn guest_arch(&self) -> GuestArch {
        GuestArch::of(self.arch, self.qemu.as_deref())
    }

    /// Whether the guest has 32-bit x86 processes (compat syscall, `int 0x80`, `sysenter`): the
    /// second boot on an Intel CPU model and the 32-bit bars.
    fn has_x86_compat(&self) -> bool {
        self.guest_arch() == GuestArch::X86_64
    }
}

/// One boot's result.
struct Boot {
    title: String,
    report: Report,
    /// (abi, entry) → calls seen by vmscope.
    entries: BTreeMap<(String, String), usize>,
    /// Workloads that did not exit with status 0 (`NAME status=N`), for the corpora that allow it.
    failed: Vec<String>,
}

/// Whether a workload of the guest is a 32-bit program (`fileio32`, `int80`, `st32:accept`).
fn is_32bit(workload: &str) -> bool {
    if let Some(rest) = workload.strip_prefix("st32:") {
        return !rest.is_empty();
    }
    if workload.starts_with("st:") {
        return false;
    }
    workload.ends_with("32") || workload == "int80"
}

/// How a boot is set up besides its workload list.
struct Setup {
    kernel: Option<PathBuf>,
    initrd: Option<PathBuf>,
    memory: Option<u32>,
    /// Workloads may fail (strace's tests exit 77 when the kernel lacks something): report, not stop.
    lenient: bool,
}

/// Runs one boot: `vmscope run` with strace in the guest; returns the journal's path, strace's log and
/// the workloads that failed.
fn boot(
    args: &FidelityArgs,
    setup: &Setup,
    dir: &Path,
    tag: &str,
    run: &str,
    cpu: Option<&str>,
) -> Result<(PathBuf, String, Vec<String>)> {
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
    cmd.args([
        "run",
        "--format",
        "jsonl",
        "--arch",
        args.guest_arch().name(),
    ])
    .arg("--timeout")
    .arg(args.timeout.to_string())
    .arg("--append")
    .arg(format!("vmscope.run={run} vmscope.strace=1{extra_append}"))
    .arg("--output")
    .arg(&j)
    .arg("--console")
    .arg(&console);
    if let Some(n) = args.string_limit {
        cmd.arg("--string-limit").arg(n.to_string());
    }
    if let Some(m) = setup.memory {
        cmd.arg("--memory").arg(m.to_string());
    }
    if let Some(k) = &setup.kernel {
        cmd.arg("--kernel").arg(k);
    }
    if let Some(i) = &setup.initrd {
        cmd.arg("--initrd").arg(i);
    }
    if let Some(q) = &args.qemu {
        cmd.arg("--qemu").arg(q);
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
    if args.reuse {
        eprintln!(
            "vmscope fidelity: boot {tag}: reusing {} and {}",
            j.display(),
            strace.display()
        );
    } else {
        let out = cmd.output().context("cannot run vmscope run")?;
        if !out.status.success() {
            bail!(
                "boot {tag} failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
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
    if !failed.is_empty() && !setup.lenient {
        bail!(
            "boot {tag}: workloads failed: {} (console in {})",
            failed.join("; "),
            console.display()
        );
    }
    let failed = failed
        .iter()
        .filter_map(|l| l.split("vmscope-guest: end ").nth(1))
        .map(|l| l.split(" elapsed=").next().unwrap_or(l).trim().to_string())
        .collect();
    let st = std::fs::read_to_string(&strace)
        .with_context(|| format!("strace log {}", strace.display()))?;
    Ok((j, st, failed))
}

/// Counts vmscope's calls by ABI and entry instruction.
fn entry_counts(journal: &str) -> BTreeMap<(String, String), usize> {
    let mut out = BTreeMap::new();
    for line in journal.lines() {
        entry_count(line, &mut out);
    }
    out
}

fn entry_count(line: &str, out: &mut BTreeMap<(String, String), usize>) {
    let Ok(v) = serde_json::from_str::<Value>(line) else {
        return;
    };
    if v["type"] != "syscall" {
        return;
    }
    let abi = v["abi"].as_str().unwrap_or("?").to_string();
    let entry = v["entry"].as_str().unwrap_or("?").to_string();
    *out.entry((abi, entry)).or_insert(0) += 1;
}

/// Reads one boot's journal and strace log into a [`Boot`]; the entry instructions are counted for
/// the existing corpus only (its bars need them; the other journals can be gigabytes).
fn measure(
    title: String,
    journal: &Path,
    strace_text: &str,
    count_entries: bool,
    failed: Vec<String>,
) -> Result<Boot> {
    let log = compare::parse_strace(strace_text);
    let calls = compare::parse_journal_file(journal, &compare::strace_tids(&log))?;
    let entries = if count_entries {
        let text = std::fs::read_to_string(journal)
            .with_context(|| format!("journal {}", journal.display()))?;
        entry_counts(&text)
    } else {
        BTreeMap::new()
    };
    Ok(Boot {
        title,
        report: compare::compare(&log, &calls),
        entries,
        failed,
    })
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

fn verdict(boots: &[Boot], all_32bit: bool) -> Verdict {
    let mut v = Verdict::default();
    for b in boots {
        add(&mut v.overall, &b.report.overall);
        for (w, t) in &b.report.per_workload {
            if all_32bit || is_32bit(w) {
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

/// Per call family: (calls, matched, identical), from the per-call tallies of every boot.
fn per_call(boots: &[Boot]) -> BTreeMap<String, Tally> {
    let mut out: BTreeMap<String, Tally> = BTreeMap::new();
    for b in boots {
        for (n, t) in &b.report.per_call {
            add(out.entry(n.clone()).or_default(), t);
        }
    }
    out
}

/// The per-family table, and the calls that differ most with an example each.
fn render_families(s: &mut String, boots: &[Boot], worst: usize) {
    let calls = per_call(boots);
    let mut fams: BTreeMap<Family, Tally> = BTreeMap::new();
    for (n, t) in &calls {
        add(fams.entry(family(n)).or_default(), t);
    }
    let _ = writeln!(s, "per call family");
    header(s, "family");
    for f in Family::ALL {
        if let Some(t) = fams.get(&f) {
            row(s, f.name(), t);
        }
    }
    let _ = writeln!(s);

    let mut below: Vec<(&String, &Tally)> = calls
        .iter()
        .filter(|(_, t)| t.identical < t.total)
        .collect();
    below.sort_by_key(|(n, t)| (std::cmp::Reverse(t.total - t.identical), n.to_string()));
    let _ = writeln!(
        s,
        "calls that differ most ({} of {} call names; strace's line, then vmscope's)",
        below.len().min(worst),
        below.len()
    );
    for (n, t) in below.iter().take(worst) {
        let _ = writeln!(
            s,
            "  {n} [{}]: {} of {} differ ({} not matched)",
            family(n),
            t.total - t.identical,
            t.total,
            t.total - t.matched
        );
        let ex = boots.iter().find_map(|b| b.report.examples.get(*n));
        let Some(ex) = ex else { continue };
        for (what, e) in [("differs", &ex.differs), ("missed", &ex.missed)] {
            let Some(e) = e else { continue };
            let _ = writeln!(s, "    {what} ({}):", e.workload);
            let _ = writeln!(s, "      strace:  {}", cut(&e.strace, 400));
            let _ = writeln!(
                s,
                "      vmscope: {}",
                e.vmscope
                    .as_deref()
                    .map_or("(no call of that name)".to_string(), |v| cut(v, 400))
            );
        }
    }
    let _ = writeln!(s);
}

/// `text` cut to about `max` bytes (on a character boundary), with `...` when cut.
fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

/// Every call name that differs, with both examples in full (the `differences.txt` of the logs).
fn render_all_examples(boots: &[Boot]) -> String {
    let calls = per_call(boots);
    let mut s = String::new();
    for (n, t) in &calls {
        if t.identical == t.total {
            continue;
        }
        let _ = writeln!(
            s,
            "{n} [{}]: {} calls, {} matched, {} identical",
            family(n),
            t.total,
            t.matched,
            t.identical
        );
        let Some(ex) = boots.iter().find_map(|b| b.report.examples.get(n)) else {
            continue;
        };
        for (what, e) in [("differs", &ex.differs), ("missed", &ex.missed)] {
            if let Some(e) = e {
                let _ = writeln!(s, "  {what} ({})", e.workload);
                let _ = writeln!(s, "    strace:  {}", e.strace);
                let _ = writeln!(
                    s,
                    "    vmscope: {}",
                    e.vmscope.as_deref().unwrap_or("(no call of that name)")
                );
            }
        }
    }
    s
}

/// The per-workload table of a boot: every workload, or for strace's tests (hundreds of programs)
/// the ones with the most calls that differ.
fn render_workloads(s: &mut String, b: &Boot, corpus: Corpus, worst: usize) {
    let _ = writeln!(s, "{}", b.title);
    if corpus == Corpus::StraceTests {
        let mut progs: Vec<(&String, &Tally)> = b.report.per_workload.iter().collect();
        let n = progs.len();
        progs.sort_by_key(|(w, t)| (std::cmp::Reverse(t.total - t.identical), w.to_string()));
        let _ = writeln!(
            s,
            "  {n} programs traced; the {} with the most calls that differ:",
            worst.min(n)
        );
        header(s, "program");
        for (w, t) in progs.iter().take(worst) {
            row(s, w, t);
        }
    } else {
        header(s, "workload");
        for (w, t) in &b.report.per_workload {
            row(s, w, t);
        }
    }
    row(s, "all", &b.report.overall);
    if !b.failed.is_empty() {
        let mut by_status: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for f in &b.failed {
            let (w, st) = f.split_once(' ').unwrap_or((f, "?"));
            by_status.entry(st).or_default().push(w);
        }
        for (st, ws) in by_status {
            let shown: Vec<&str> = ws.iter().take(12).copied().collect();
            let more = if ws.len() > 12 {
                format!(" and {} more", ws.len() - 12)
            } else {
                String::new()
            };
            let _ = writeln!(
                s,
                "  exited with {st}: {} ({}{more})",
                ws.len(),
                shown.join(" ")
            );
        }
    }
    let _ = writeln!(s);
}

/// Renders the whole report; returns the text and whether every bar is met.
fn render(args: &FidelityArgs, boots: &[Boot]) -> (String, bool) {
    let mut s = String::new();
    for b in boots {
        render_workloads(&mut s, b, args.corpus, args.worst);
    }
    let v = verdict(boots, i386_kernel(args));
    let _ = writeln!(s, "totals");
    header(&mut s, "");
    row(&mut s, "overall", &v.overall);
    row(&mut s, "64-bit workloads", &v.bits64);
    if args.has_x86_compat() {
        row(&mut s, "32-bit workloads", &v.bits32);
    }
    if args.corpus == Corpus::Existing && args.has_x86_compat() {
        let _ = writeln!(
            s,
            "  i386 calls by entry: int 0x80 {}, sysenter {}, compat syscall {}",
            v.int80, v.sysenter, v.compat_syscall
        );
    }
    let _ = writeln!(s);

    if args.corpus == Corpus::Existing {
        // Call families still below strace: those with calls not byte-identical, most differences first.
        let per_call = per_call(boots);
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
    }
    render_families(&mut s, boots, args.worst);

    let (def_matched, def_identical) = args.corpus.bars();
    let min_matched = args.min_matched.unwrap_or(def_matched);
    let min_identical = args.min_identical.unwrap_or(def_identical);
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
            min_matched
        ),
        v.overall.matched_pct() >= min_matched,
    );
    bar(
        &mut s,
        &format!(
            "identical {:.2}% >= {}%",
            v.overall.identical_pct(),
            min_identical
        ),
        v.overall.identical_pct() >= min_identical,
    );
    if args.corpus == Corpus::Existing && args.has_x86_compat() {
        bar(
            &mut s,
            &format!(
                "32-bit matched {:.2}% >= {}%",
                v.bits32.matched_pct(),
                args.min_matched_32
            ),
            v.bits32.total > 0 && v.bits32.matched_pct() >= args.min_matched_32,
        );
        if i386_kernel(args) {
            bar(
                &mut s,
                "every i386 entry path seen (int 0x80, sysenter)",
                v.int80 > 0 && v.sysenter > 0,
            );
        } else {
            let paths = v.int80 > 0 && v.compat_syscall > 0 && (args.no_intel || v.sysenter > 0);
            bar(
                &mut s,
                "every 32-bit entry path seen (int 0x80, sysenter, compat syscall)",
                paths,
            );
        }
    }
    if args.verbose {
        for b in boots {
            let _ = writeln!(s, "\n{}", b.title);
            s.push_str(&compare::render(&b.report, true));
        }
    }
    (s, ok)
}

/// Whether the guest runs an i386 kernel (`--arch i386`): every workload is a 32-bit program.
fn i386_kernel(args: &FidelityArgs) -> bool {
    crate::GuestArch::of(args.arch, args.qemu.as_deref()) == crate::GuestArch::I386
}

/// The default location of guest/build-corpus.sh's output.
fn default_strace_tests() -> PathBuf {
    crate::guest::guest_root().join("strace-tests")
}

/// The setup of the first boot: for strace's tests, the guest's initrd with the tests' archive
/// appended (the kernel unpacks concatenated archives) in `dir`.
fn first_setup(args: &FidelityArgs, dir: &Path) -> Result<Setup> {
    let mut setup = Setup {
        kernel: args.kernel.clone(),
        initrd: args.initrd.clone(),
        memory: args.memory,
        lenient: args.corpus != Corpus::Existing,
    };
    if args.corpus != Corpus::StraceTests || args.reuse {
        return Ok(setup);
    }
    if args.guest_arch() != GuestArch::X86_64 {
        bail!(
            "--corpus strace-tests: guest/build-corpus.sh builds strace's tests for x86_64 only, not {}",
            args.guest_arch().name()
        );
    }
    let tests = args
        .strace_tests
        .clone()
        .unwrap_or_else(default_strace_tests);
    let corpus = tests.join("corpus.img");
    if !corpus.is_file() {
        bail!(
            "no strace test corpus in {}: build it with `guest/build-corpus.sh` (or give --strace-tests DIR)",
            tests.display()
        );
    }
    let arch = crate::GuestArch::of(args.arch, args.qemu.as_deref());
    let (kernel, initrd) = match (&args.kernel, &args.initrd) {
        (Some(k), Some(i)) => (k.clone(), i.clone()),
        (Some(k), None) => (k.clone(), crate::guest::default_guest_for(arch)?.1),
        (None, _) => crate::guest::default_guest_for(arch)?,
    };
    let combined = dir.join("initrd-strace-tests.img");
    let mut out = std::fs::File::create(&combined)
        .with_context(|| format!("cannot create {}", combined.display()))?;
    for part in [&initrd, &corpus] {
        let mut f =
            std::fs::File::open(part).with_context(|| format!("cannot read {}", part.display()))?;
        std::io::copy(&mut f, &mut out)
            .with_context(|| format!("cannot write {}", combined.display()))?;
    }
    setup.kernel = Some(kernel);
    setup.initrd = Some(combined);
    setup.memory = Some(args.memory.unwrap_or(2560));
    Ok(setup)
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

    // A kernel of another architecture is one line here, not a failed boot.
    if let Some(k) = &args.kernel {
        crate::guest::check_kernel_arch(k, args.guest_arch())?;
    }
    let run = args
        .run
        .clone()
        .unwrap_or_else(|| args.corpus.run().to_string());
    let setup = first_setup(&args, &dir)?;
    let existing = args.corpus == Corpus::Existing;
    let mut boots = Vec::new();
    let started = std::time::Instant::now();
    let (j, st, failed) = boot(&args, &setup, &dir, "default", &run, None)?;
    let title = if existing && i386_kernel(&args) {
        format!(
            "boot 1: i386 kernel, default CPU (qemu32, Intel: vDSO calls enter by sysenter; KPTI on), vmscope.run={run}"
        )
    } else if existing && args.has_x86_compat() {
        format!(
            "boot 1: default CPU (AMD vendor: 32-bit vDSO calls enter by compat syscall), vmscope.run={run}"
        )
    } else {
        format!(
            "boot: {} guest, default CPU, vmscope.run={run}, strings cut at {}",
            args.guest_arch().name(),
            args.string_limit.unwrap_or(32)
        )
    };
    boots.push(measure(title, &j, &st, existing, failed)?);
    // An i386 kernel has no compatibility mode (its one boot is the Intel one), aarch64 no x86 at all.
    if existing && !args.no_intel && args.has_x86_compat() {
        let (j, st, failed) = boot(
            &args,
            &setup,
            &dir,
            "intel",
            WORKLOADS_32,
            Some(&args.intel_cpu),
        )?;
        let title = format!(
            "boot 2: -cpu {} (Intel vendor: 32-bit vDSO calls enter by sysenter; KPTI on)",
            args.intel_cpu
        );
        boots.push(measure(title, &j, &st, true, failed)?);
    }
    for b in &boots {
        if b.report.overall.total == 0 {
            bail!("strace's log holds no calls ({})", dir.display());
        }
    }
    let (text, ok) = render(&args, &boots);
    print!("{text}");
    let all = dir.join("differences.txt");
    std::fs::write(&all, render_all_examples(&boots))
        .with_context(|| format!("cannot write {}", all.display()))?;
    println!(
        "\nlogs: {} (every differing call with examples: {}); {:.0} s",
        dir.display(),
        all.display(),
        started.elapsed().as_secs_f64()
    );
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
        assert!(is_32bit("st32:accept"));
        assert!(!is_32bit("st:chown32"));
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
            failed: Vec::new(),
        }];
        let args = FidelityArgs {
            corpus: Corpus::Existing,
            arch: None,
            string_limit: None,
            strace_tests: None,
            memory: None,
            worst: 30,
            kernel: None,
            initrd: None,
            qemu: None,
            run: None,
            intel_cpu: "x".into(),
            no_intel: false,
            out: None,
            reuse: false,
            timeout: 1,
            min_matched: None,
            min_identical: None,
            min_matched_32: 100.0,
            verbose: false,
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

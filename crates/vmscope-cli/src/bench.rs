//! `vmscope bench`: what tracing costs the guest, measured side by side.
//!
//! The same guest boots with the same QEMU command line several ways — no plugin at all, vmscope with
//! a set of modules writing JSON Lines to a file (the default ones, all of them...), and strace inside
//! the guest — and runs a
//! syscall-heavy loop (open/read/close/getppid) and a compute loop. The guest's own times for each come
//! from the guest's `/proc/uptime` (the markers its init prints around every workload). Configurations
//! alternate within each repetition so slow drifts of the machine hit them all alike; the report gives
//! medians, ratios to the no-plugin run, journal events per second and QEMU's peak memory.
//!
//! `--arch` measures the default guest of another architecture (aarch64, i386) in its own QEMU, as
//! `vmscope run --arch` boots it; its guest must have the `loop` and `compute` workloads.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context as _, Result, bail};

use crate::{Format, GuestArch, RunArgs, guest, qemu};

/// One configuration of the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Config {
    /// QEMU without the plugin.
    None,
    /// vmscope with a set of built-in modules, journal to a file.
    Modules {
        /// The configuration's name.
        name: &'static str,
        /// The modules (with the ones they need added by the registry).
        modules: &'static [&'static str],
        /// Every call with its user-space stack (`--stack`).
        stack: bool,
        /// Recording for replay (`vmscope record`: QEMU's `-icount` record mode). The guest's
        /// clock is then virtual (instructions executed), so only the wall time compares.
        record: bool,
    },
    /// strace -f inside the guest.
    Strace,
}

/// Every OS-level built-in module.
const ALL: &[&str] = &[
    "context",
    "syscalls",
    "files",
    "processes",
    "memory",
    "images",
    "network",
];

impl Config {
    fn name(self) -> &'static str {
        match self {
            Config::None => "none",
            Config::Modules { name, .. } => name,
            Config::Strace => "strace",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        let modules = |name, modules| Config::Modules {
            name,
            modules,
            stack: false,
            record: false,
        };
        Ok(match s {
            "none" => Config::None,
            "vmscope" | "default" => modules("default", vmscope_modules::registry::DEFAULT),
            "all" => modules("all", ALL),
            "memory" => modules("memory", &["context", "syscalls", "memory", "images"]),
            "stack" => Config::Modules {
                name: "stack",
                modules: vmscope_modules::registry::DEFAULT,
                stack: true,
                record: false,
            },
            "record" => Config::Modules {
                name: "record",
                modules: vmscope_modules::registry::DEFAULT,
                stack: false,
                record: true,
            },
            // The context module alone: the hooks and naming the thread, no call decoded.
            "context" => modules("context", &["context"]),
            "network" => modules("network", &["context", "syscalls", "network"]),
            // The hardware level, each on top of the default modules: coverage of every process
            // (with memory and images for its module tables), devices, sched.
            "coverage" => modules("coverage", &["context", "syscalls", "coverage"]),
            "devices" => modules("devices", &["context", "syscalls", "devices"]),
            "sched" => modules("sched", &["context", "syscalls", "sched"]),
            "strace" => Config::Strace,
            _ => {
                bail!(
                    "unknown benchmark configuration `{s}` (none, context, default, all, memory, \
                     network, stack, record, coverage, devices, sched, strace)"
                )
            }
        })
    }
}

/// Options of `vmscope bench`.
#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// Iterations of the syscall loop (4 calls each).
    #[arg(long, default_value_t = 100_000)]
    iterations: u64,
    /// Iterations of the compute loop.
    #[arg(long, default_value_t = 300_000_000)]
    compute: u64,
    /// Repetitions of every configuration.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100))]
    repeats: u32,
    /// Configurations, comma-separated: `none` (no plugin), `context` (the context module alone),
    /// `default` (the default modules; also `vmscope`), `all` (every OS-level module), `memory`
    /// (default with memory and images), `network` (default with network), `stack` (default with
    /// `--stack`), `record` (default while recording for replay: compared by wall time, the guest's
    /// clock being virtual), `coverage`, `devices`, `sched` (default with that hardware-level module),
    /// `strace` (inside the guest).
    #[arg(long, value_delimiter = ',', default_value = "none,default,strace")]
    configs: Vec<String>,
    /// The guest's architecture (as `vmscope run --arch`): its default guest and its QEMU
    /// (`qemu-system-aarch64`, `qemu-system-i386`).
    #[arg(long, value_enum, default_value = "x86_64")]
    arch: GuestArch,
    /// Guest kernel; default: the default guest's.
    #[arg(long)]
    kernel: Option<PathBuf>,
    /// Guest initrd; default: the default guest's.
    #[arg(long)]
    initrd: Option<PathBuf>,
    /// Directory for results.json and ratios.svg.
    #[arg(long, default_value = "bench-results")]
    out: PathBuf,
}

/// One run's measurements.
#[derive(Debug, Clone)]
struct Sample {
    config: Config,
    loop_s: f64,
    compute_s: f64,
    wall_s: f64,
    max_rss_kib: u64,
    events: u64,
    loop_events: u64,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// The guest's elapsed time for a workload, from `vmscope-guest: end NAME status=0 elapsed=1.23s`.
fn elapsed(console: &str, workload: &str) -> Option<f64> {
    let needle = format!("vmscope-guest: end {workload} ");
    let line = console.lines().find(|l| l.contains(&needle))?;
    if !line.contains("status=0") {
        return None;
    }
    let e = line.split("elapsed=").nth(1)?;
    e.trim().trim_end_matches('s').parse().ok()
}

fn run_once(a: &BenchArgs, cfg: Config, dir: &Path) -> Result<Sample> {
    let console = dir.join(format!("console-{}.log", cfg.name()));
    let journal = dir.join(format!("journal-{}.jsonl", cfg.name()));
    let _ = std::fs::remove_file(&journal);
    let mut append = format!("vmscope.run=loop:{},compute:{}", a.iterations, a.compute);
    if cfg == Config::Strace {
        append.push_str(" vmscope.strace=1");
    }
    let run = RunArgs {
        kernel: a.kernel.clone(),
        kernel_debuginfo: None,
        initrd: a.initrd.clone(),
        append: Some(append),
        disk: None,
        disk_write: false,
        smp: 1,
        memory: 512,
        modules: match cfg {
            Config::Modules { modules, .. } => modules.iter().map(|m| m.to_string()).collect(),
            _ => vec!["none".into()],
        },
        format: Format::Jsonl,
        output: Some(journal.clone()),
        quiet: true,
        console: Some(console.clone()),
        string_limit: 32,
        timeout: None,
        qemu: None,
        arch: Some(a.arch),
        verbose: false,
        self_profile: false,
        trace: None,
        capture: None,
        pids: Vec::new(),
        follow_comms: Vec::new(),
        process_list_every: None,
        module_options: Vec::new(),
        stack: matches!(cfg, Config::Modules { stack: true, .. }),
        stack_depth: 64,
        debug_dir: None,
        coverage_dir: (cfg.name() == "coverage").then(|| dir.join("coverage")),
        coverage_for: Vec::new(),
        coverage_kernel: false,
        device_events: Vec::new(),
        decode_fds: false,
        // strace writes to the second serial port: discard it, it is not what is measured.
        qemu_args: vec!["-serial".into(), "null".into()],
        rr: None,
    };
    let mut plan = qemu::plan(&run)?;
    if let Config::Modules { record: true, .. } = cfg {
        let rec = dir.join("recording");
        let _ = std::fs::remove_dir_all(&rec);
        std::fs::create_dir_all(&rec)?;
        plan.args.extend(
            crate::replay::Rr {
                mode: "record",
                dir: rec,
            }
            .qemu_args(),
        );
    }
    let start = Instant::now();
    let child = Command::new(&plan.qemu)
        .args(&plan.args)
        .stdin(Stdio::null())
        .spawn()
        .with_context(|| format!("cannot start {}", plan.qemu.display()))?;
    let (status, rss) = wait_with_rusage(child.id())?;
    let wall_s = start.elapsed().as_secs_f64();
    if status != 0 {
        bail!("QEMU exited with status {status} ({} run)", cfg.name());
    }
    let text = std::fs::read_to_string(&console).unwrap_or_default();
    let (Some(loop_s), Some(compute_s)) = (elapsed(&text, "loop"), elapsed(&text, "compute"))
    else {
        bail!(
            "the {} run did not complete its workloads (see {})",
            cfg.name(),
            console.display()
        );
    };
    let (mut events, mut loop_events) = (0, 0);
    if matches!(cfg, Config::Modules { .. }) {
        let j = std::fs::read_to_string(&journal).unwrap_or_default();
        for l in j.lines() {
            events += 1;
            if l.contains("\"comm\":\"wl-loop\"") {
                loop_events += 1;
            }
        }
    }
    Ok(Sample {
        config: cfg,
        loop_s,
        compute_s,
        wall_s,
        max_rss_kib: rss,
        events,
        loop_events,
    })
}

/// Waits for a child and returns its exit status and peak resident memory (KiB).
fn wait_with_rusage(pid: u32) -> Result<(i32, u64)> {
    let mut status = 0;
    // SAFETY: rusage is plain data filled by the kernel; pid is our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) };
    if r < 0 {
        bail!("waiting for QEMU: {}", std::io::Error::last_os_error());
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    Ok((code, u64::try_from(usage.ru_maxrss).unwrap_or(0)))
}

/// The spread of a set of ratios: smallest, median, largest.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Spread {
    min: f64,
    med: f64,
    max: f64,
}

impl Spread {
    fn of(v: Vec<f64>) -> Self {
        let min = v.iter().copied().fold(f64::NAN, f64::min);
        let max = v.iter().copied().fold(f64::NAN, f64::max);
        Spread {
            min,
            med: median(v),
            max,
        }
    }

    fn map(self, f: impl Fn(f64) -> f64) -> Self {
        Spread {
            min: f(self.min),
            med: f(self.med),
            max: f(self.max),
        }
    }

    /// `1.02/1.10/1.31x`, or `-` when there is nothing to show.
    fn text(self) -> String {
        if self.med.is_nan() {
            "-".to_string()
        } else {
            format!("{:.2}/{:.2}/{:.2}x", self.min, self.med, self.max)
        }
    }
}

/// `1.23x`, or `-` for NaN (not a measurement).
fn ratio(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.2}x")
    } else {
        "-".to_string()
    }
}

/// A JSON number, or null for NaN (not a measurement).
fn num(v: f64) -> serde_json::Value {
    if v.is_finite() {
        serde_json::json!(v)
    } else {
        serde_json::Value::Null
    }
}

/// The workloads the benchmark runs in the guest.
const WORKLOADS: [&str; 2] = ["loop", "compute"];

/// Checks that the default guest in `dir` has the benchmark's workloads, by its `guest.json`'s
/// `workloads` list (a guest without that list is left to the run, which fails on a missing marker).
fn check_workloads(dir: &Path, arch: GuestArch) -> Result<()> {
    let Ok(text) = std::fs::read_to_string(dir.join("guest.json")) else {
        return Ok(());
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Ok(());
    };
    let Some(list) = json["workloads"].as_array() else {
        return Ok(());
    };
    let missing: Vec<&str> = WORKLOADS
        .iter()
        .copied()
        .filter(|w| !list.iter().any(|l| l.as_str() == Some(*w)))
        .collect();
    if !missing.is_empty() {
        bail!(
            "the {} guest in {} has no {} workload (its guest.json); rebuild it with \
             `guest/build.sh{}`",
            arch.name(),
            dir.display(),
            missing.join(" or "),
            match arch {
                GuestArch::X86_64 => "",
                GuestArch::Aarch64 => " --arch aarch64",
                GuestArch::I386 => " --arch i386",
            }
        );
    }
    Ok(())
}

/// `vmscope bench`.
pub fn run(a: &BenchArgs) -> Result<u8> {
    let configs = a
        .configs
        .iter()
        .map(|c| Config::parse(c))
        .collect::<Result<Vec<_>>>()?;
    if !configs.contains(&Config::None) {
        bail!("--configs must include `none`: ratios are to the run without the plugin");
    }
    if a.kernel.is_none() {
        let (kernel, _) = guest::default_guest_for(a.arch)?;
        if let Some(dir) = kernel.parent() {
            check_workloads(dir, a.arch)?;
        }
    }
    std::fs::create_dir_all(&a.out).with_context(|| format!("--out {}", a.out.display()))?;
    let scratch = std::env::temp_dir().join(format!("vmscope-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let mut samples = Vec::new();
    for r in 0..a.repeats {
        for &cfg in &configs {
            let s = run_once(a, cfg, &scratch)?;
            eprintln!(
                "vmscope bench: repeat {}/{} {:8} loop {:7.2}s compute {:6.2}s wall {:6.1}s rss {:6} MiB",
                r + 1,
                a.repeats,
                cfg.name(),
                s.loop_s,
                s.compute_s,
                s.wall_s,
                s.max_rss_kib / 1024
            );
            samples.push(s);
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    let med = |cfg: Config, f: &dyn Fn(&Sample) -> f64| {
        median(samples.iter().filter(|s| s.config == cfg).map(f).collect())
    };
    let base_loop = med(Config::None, &|s| s.loop_s);
    let base_compute = med(Config::None, &|s| s.compute_s);
    let base_rss = med(Config::None, &|s| s.max_rss_kib as f64) / 1024.0;
    // The machine's speed drifts over tens of seconds (a shared host): the ratio of each repeat's
    // run to the no-plugin run of the same repeat, which ran just before it, is less exposed to that
    // drift than the ratio of medians. Both are reported, the paired one with its spread.
    let paired = |cfg: Config, f: &dyn Fn(&Sample) -> f64| {
        Spread::of(
            samples
                .chunks(configs.len())
                .filter_map(|rep| {
                    let base = rep.iter().find(|s| s.config == Config::None)?;
                    let this = rep.iter().find(|s| s.config == cfg)?;
                    (f(base) > 0.0).then(|| f(this) / f(base))
                })
                .collect(),
        )
    };
    let mut rows = Vec::new();
    println!(
        "{:8} {:>9} {:>7} {:>21} {:>8} {:>21} {:>7} {:>10} {:>9} {:>8}",
        "config",
        "loop (s)",
        "ratio",
        "paired min/med/max",
        "compute",
        "paired min/med/max",
        "wall",
        "events/s",
        "peak MiB",
        "over none"
    );
    for &cfg in &configs {
        // A recording's guest clock counts instructions: its loop and compute times are not
        // comparable to real time, only its wall time is.
        let virtual_clock = matches!(cfg, Config::Modules { record: true, .. });
        let real = |v: f64| if virtual_clock { f64::NAN } else { v };
        let l = med(cfg, &|s| s.loop_s);
        let c = med(cfg, &|s| s.compute_s);
        let eps = med(cfg, &|s| {
            if s.loop_s > 0.0 && !virtual_clock {
                s.loop_events as f64 / s.loop_s
            } else {
                0.0
            }
        });
        let rss = med(cfg, &|s| s.max_rss_kib as f64) / 1024.0;
        let events = med(cfg, &|s| s.events as f64);
        let loop_paired = paired(cfg, &|s| s.loop_s).map(real);
        let compute_paired = paired(cfg, &|s| s.compute_s).map(real);
        let wall_paired = paired(cfg, &|s| s.wall_s);
        println!(
            "{:8} {:>9.2} {:>7} {:>21} {:>8} {:>21} {:>7} {:>10.0} {:>9.0} {:>8.0}",
            cfg.name(),
            l,
            ratio(real(l / base_loop)),
            loop_paired.text(),
            ratio(real(c / base_compute)),
            compute_paired.text(),
            ratio(wall_paired.med),
            eps,
            rss,
            rss - base_rss
        );
        rows.push(serde_json::json!({
            "config": cfg.name(), "virtual_clock": virtual_clock,
            "loop_s": l, "loop_ratio": num(real(l / base_loop)),
            "loop_ratio_paired": num(loop_paired.med), "loop_ratio_paired_min": num(loop_paired.min),
            "loop_ratio_paired_max": num(loop_paired.max),
            "compute_s": c, "compute_ratio": num(real(c / base_compute)),
            "compute_ratio_paired": num(compute_paired.med),
            "compute_ratio_paired_min": num(compute_paired.min),
            "compute_ratio_paired_max": num(compute_paired.max),
            "wall_ratio_paired": num(wall_paired.med), "wall_ratio_paired_min": num(wall_paired.min),
            "wall_ratio_paired_max": num(wall_paired.max),
            "loop_events_per_s": eps, "journal_events": events, "peak_rss_mib": rss,
            "peak_rss_over_none_mib": rss - base_rss,
        }));
    }
    let results = serde_json::json!({
        "arch": a.arch.name(), "iterations": a.iterations, "calls_per_iteration": 4, "compute_iterations": a.compute,
        "repeats": a.repeats, "medians": rows,
        "samples": samples.iter().map(|s| serde_json::json!({
            "config": s.config.name(), "loop_s": s.loop_s, "compute_s": s.compute_s, "wall_s": s.wall_s,
            "peak_rss_kib": s.max_rss_kib, "journal_events": s.events, "loop_events": s.loop_events,
        })).collect::<Vec<_>>(),
    });
    let json_path = a.out.join("results.json");
    std::fs::write(&json_path, serde_json::to_string_pretty(&results)?)?;
    let svg_path = a.out.join("ratios.svg");
    std::fs::write(&svg_path, chart(&rows))?;
    println!(
        "results: {} and {}",
        json_path.display(),
        svg_path.display()
    );
    Ok(0)
}

/// A bar chart of the paired ratios to the no-plugin run (bars: medians; whiskers: smallest to
/// largest), for the syscall loop, the compute loop and the whole run's wall time, on a log scale
/// (strace is two orders of magnitude above the rest).
fn chart(rows: &[serde_json::Value]) -> String {
    use std::fmt::Write as _;
    let (w, h, left, top, bottom) = (760.0, 340.0, 70.0, 40.0, 60.0);
    let plot_h = h - top - bottom;
    let groups = [
        ("loop_ratio_paired", "syscall loop"),
        ("compute_ratio_paired", "compute loop"),
        ("wall_ratio_paired", "whole run (wall)"),
    ];
    let value = |r: &serde_json::Value, key: &str| r[key].as_f64().filter(|v| v.is_finite());
    let max = rows
        .iter()
        .flat_map(|r| {
            groups
                .iter()
                .flat_map(move |(k, _)| [value(r, k), value(r, &format!("{k}_max"))])
        })
        .flatten()
        .fold(1.0f64, f64::max)
        .max(2.0);
    let top_log = max.log10().ceil().max(1.0);
    let y = |v: f64| top + plot_h * (1.0 - v.max(1.0).log10() / top_log);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="{x}" y="20" text-anchor="middle" font-size="14">Time relative to no plugin, paired runs: median, min to max (log scale, lower is better)</text>
"#,
        x = w / 2.0
    );
    for d in 0..=(top_log as i32) {
        let v = 10f64.powi(d);
        let yy = y(v);
        let _ = writeln!(
            s,
            r##"<line x1="{left}" x2="{x2}" y1="{yy:.1}" y2="{yy:.1}" stroke="#ddd"/><text x="{tx}" y="{ty:.1}" text-anchor="end">{v}x</text>"##,
            x2 = w - 20.0,
            tx = left - 6.0,
            ty = yy + 4.0
        );
    }
    let colors = [
        "#999999", "#2b7bba", "#d95f02", "#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#e6ab02",
    ];
    let group_w = (w - left - 20.0) / groups.len() as f64;
    let bar_w = group_w / (rows.len() as f64 + 1.0);
    for (g, (key, label)) in groups.iter().enumerate() {
        let gx = left + g as f64 * group_w;
        for (i, r) in rows.iter().enumerate() {
            let Some(v) = value(r, key) else { continue };
            let x = gx + bar_w * (i as f64 + 0.5);
            let yy = y(v);
            let _ = writeln!(
                s,
                r#"<rect x="{x:.1}" y="{yy:.1}" width="{bw:.1}" height="{bh:.1}" fill="{c}"/><text x="{tx:.1}" y="{ty:.1}" text-anchor="middle" font-size="10">{v:.2}x</text>"#,
                bw = bar_w * 0.9,
                bh = (top + plot_h - yy).max(1.0),
                c = colors[i % colors.len()],
                tx = x + bar_w * 0.45,
                ty = y(value(r, &format!("{key}_max")).unwrap_or(v).max(v)) - 4.0
            );
            if let (Some(lo), Some(hi)) = (
                value(r, &format!("{key}_min")),
                value(r, &format!("{key}_max")),
            ) {
                let cx = x + bar_w * 0.45;
                let _ = writeln!(
                    s,
                    r#"<line x1="{cx:.1}" x2="{cx:.1}" y1="{y1:.1}" y2="{y2:.1}" stroke="black"/>"#,
                    y1 = y(lo),
                    y2 = y(hi)
                );
            }
        }
        let _ = writeln!(
            s,
            r#"<text x="{x:.1}" y="{yy:.1}" text-anchor="middle">{label}</text>"#,
            x = gx + group_w / 2.0,
            yy = h - bottom + 18.0
        );
    }
    for (i, r) in rows.iter().enumerate() {
        let x = left + i as f64 * 85.0;
        let _ = writeln!(
            s,
            r#"<rect x="{x:.1}" y="{yy}" width="12" height="12" fill="{c}"/><text x="{tx:.1}" y="{ty}">{n}</text>"#,
            yy = h - 22.0,
            c = colors[i % colors.len()],
            tx = x + 16.0,
            ty = h - 12.0,
            n = r["config"].as_str().unwrap_or("?")
        );
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guest_times_come_from_the_markers() {
        let c = "x\nvmscope-guest: end loop status=0 elapsed=4.59s\r\nvmscope-guest: end compute status=1 elapsed=0.3s\n";
        assert_eq!(elapsed(c, "loop"), Some(4.59));
        assert_eq!(elapsed(c, "compute"), None);
        assert_eq!(elapsed(c, "other"), None);
    }

    #[test]
    fn spreads_and_ratios_say_what_is_not_measured() {
        let s = Spread::of(vec![1.3, 1.1, 1.2]);
        assert_eq!((s.min, s.med, s.max), (1.1, 1.2, 1.3));
        assert_eq!(s.text(), "1.10/1.20/1.30x");
        assert_eq!(Spread::of(vec![]).text(), "-");
        assert_eq!(s.map(|_| f64::NAN).text(), "-");
        assert_eq!(ratio(f64::NAN), "-");
        assert_eq!(num(f64::NAN), serde_json::Value::Null);
    }

    #[test]
    fn configurations_parse_and_unknown_ones_are_one_line() {
        assert!(matches!(
            Config::parse("record"),
            Ok(Config::Modules { record: true, .. })
        ));
        assert!(matches!(
            Config::parse("context"),
            Ok(Config::Modules {
                modules: &["context"],
                ..
            })
        ));
        let e = Config::parse("fast").unwrap_err().to_string();
        assert!(e.contains("`fast`") && !e.contains('\n'), "{e}");
    }

    #[test]
    fn medians() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(vec![]).is_nan());
    }

    #[test]
    fn the_chart_is_svg_with_a_bar_per_config_and_workload() {
        let rows = vec![
            serde_json::json!({"config": "none", "loop_ratio_paired": 1.0,
                "compute_ratio_paired": 1.0, "wall_ratio_paired": 1.0}),
            serde_json::json!({"config": "vmscope", "loop_ratio_paired": 1.2,
                "loop_ratio_paired_min": 1.1, "loop_ratio_paired_max": 1.4,
                "compute_ratio_paired": 1.01, "wall_ratio_paired": 1.1}),
            // A recording: its guest clock is virtual, only the wall time has a bar.
            serde_json::json!({"config": "record", "loop_ratio_paired": null,
                "compute_ratio_paired": null, "wall_ratio_paired": 3.0}),
            serde_json::json!({"config": "strace", "loop_ratio_paired": 120.0,
                "compute_ratio_paired": 1.0, "wall_ratio_paired": 9.0}),
        ];
        let svg = chart(&rows);
        assert!(svg.starts_with("<svg"));
        // Bars: 3 groups for none, vmscope, strace, the wall only for record; one legend box each.
        assert_eq!(svg.matches("<rect x=").count(), 3 * 3 + 1 + 4);
        assert!(svg.contains("120.00x"));
        // One whisker, where a spread was given.
        assert_eq!(svg.matches(r#"stroke="black""#).count(), 1);
    }

    #[test]
    fn a_guest_without_the_workloads_is_one_line() {
        let d = std::env::temp_dir().join(format!("vmscope-unit-{}-bench", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        // No guest.json, or one without a list: left to the run.
        assert!(check_workloads(&d, GuestArch::I386).is_ok());
        std::fs::write(d.join("guest.json"), r#"{"arch": "i386"}"#).unwrap();
        assert!(check_workloads(&d, GuestArch::I386).is_ok());
        std::fs::write(
            d.join("guest.json"),
            r#"{"workloads": ["demo", "loop", "compute"]}"#,
        )
        .unwrap();
        assert!(check_workloads(&d, GuestArch::Aarch64).is_ok());
        std::fs::write(d.join("guest.json"), r#"{"workloads": ["demo", "loop32"]}"#).unwrap();
        let e = check_workloads(&d, GuestArch::Aarch64)
            .unwrap_err()
            .to_string();
        assert!(!e.contains('\n'), "{e}");
        assert!(
            e.contains("the aarch64 guest") && e.contains("no loop or compute workload"),
            "{e}"
        );
        assert!(e.contains("guest/build.sh --arch aarch64"), "{e}");
        let _ = std::fs::remove_dir_all(&d);
    }
}

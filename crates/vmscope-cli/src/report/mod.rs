//! `vmscope report JOURNAL.jsonl --output report.html`: one self-contained HTML page about a run.
//!
//! The journal is read once and aggregated here, in bounded memory (`procs.rs`, `activity.rs`,
//! `timeline.rs`): the page gets figures, not events, so a journal of millions of events makes a page
//! of a few megabytes that a browser draws in about a second. The page is `page.html` with `report.css`
//! and `report.js` inlined and the figures as JSON in a `<script type="application/json">` block;
//! it fetches nothing. What a bound left out is counted and said on the page.

mod activity;
mod procs;
mod timeline;
mod util;

use std::collections::HashMap;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context as _, Result};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::jsonl::Reader;
use activity::{Alerts, FileTable, Memory, Net, Other, StackRow, Stacks};
use procs::{PathSource, Proc, Procs, SysStat};
use util::{clip, get_i64, get_str, get_u64, shorten};

const PAGE: &str = include_str!("page.html");
const CSS: &str = include_str!("report.css");
const JS: &str = include_str!("report.js");

/// Notices kept.
const MAX_NOTICES: usize = 500;
/// Samples kept per unknown event type.
const OTHER_SAMPLES: usize = 20;
/// Marks (execs, signals, alerts) on the timeline.
const MAX_MARKS: usize = 3000;
/// Process lanes on the timeline.
const MAX_LANES: usize = 400;

/// Options of `vmscope report`.
#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// The journal (`--format jsonl`).
    journal: PathBuf,
    /// The HTML file to write.
    #[arg(long, short, value_name = "FILE", default_value = "report.html")]
    output: PathBuf,
    /// The page's title; default: the journal's file name.
    #[arg(long, value_name = "TEXT")]
    title: Option<String>,
}

/// `vmscope report`.
pub fn run(a: &ReportArgs) -> Result<u8> {
    let start = Instant::now();
    // Check the output first: a long read should not end in "cannot write".
    let out = std::fs::File::create(&a.output)
        .with_context(|| format!("--output {}: cannot write", a.output.display()))?;
    let title = a.title.clone().unwrap_or_else(|| {
        a.journal
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "journal".into())
    });
    let result = build(&a.journal).and_then(|mut report| {
        report.meta.title = title.clone();
        let mut w = BufWriter::with_capacity(1 << 20, out);
        write_page(&mut w, &title, &report)?;
        w.flush()?;
        Ok(report)
    });
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_file(&a.output);
            return Err(e);
        }
    };
    for line in &report.meta.warnings {
        eprintln!("vmscope: warning: {line}");
    }
    eprintln!(
        "vmscope: report of {} events written to {} ({:.1} MB) in {:.1} s",
        report.meta.events,
        a.output.display(),
        crate::jsonl::file_size(&a.output) as f64 / 1e6,
        start.elapsed().as_secs_f64()
    );
    Ok(0)
}

/// Everything the page shows.
#[derive(Serialize)]
pub struct Report {
    meta: Meta,
    overview: Overview,
    /// Processes, column by column (see [`columns`]).
    processes: Value,
    processes_omitted: u64,
    calls_omitted: u64,
    syscalls: Vec<(String, SysStat)>,
    stacks: Vec<StackRow>,
    stacks_omitted: u64,
    files: Value,
    files_source: &'static str,
    files_omitted: u64,
    flows: Value,
    flows_source: &'static str,
    connections: Value,
    net_omitted: u64,
    images: Value,
    memory_ops: Vec<(usize, Vec<(String, u64)>)>,
    findings: Value,
    maps: Vec<Value>,
    memory_omitted: u64,
    alerts: Value,
    alerts_by_severity: Vec<(String, u64)>,
    alerts_by_rule: Vec<(String, u64)>,
    alerts_omitted: u64,
    devices: Vec<Value>,
    other: Vec<(String, Other)>,
    timeline: timeline::Timeline,
    lanes: Vec<Lane>,
    marks: Vec<Mark>,
    marks_omitted: u64,
}

/// About the journal and the report.
#[derive(Serialize)]
struct Meta {
    title: String,
    journal: String,
    bytes: u64,
    events: u64,
    generated_by: String,
    truncated: bool,
    skipped_lines: u64,
    warnings: Vec<String>,
}

/// The overview's figures.
#[derive(Serialize, Default)]
struct Overview {
    kernel: Option<String>,
    arch: Option<String>,
    modules: Option<String>,
    first_ts: Option<u64>,
    last_ts: Option<u64>,
    active_from: Option<u64>,
    counts: Vec<(String, u64)>,
    vcpus: u64,
    notices: Vec<Value>,
    notices_omitted: u64,
}

/// A process's span on the timeline.
#[derive(Serialize)]
struct Lane {
    proc_id: usize,
    start: u64,
    end: u64,
}

/// A point on the timeline.
#[derive(Serialize)]
struct Mark {
    ts: u64,
    kind: &'static str,
    proc_id: Option<usize>,
    label: String,
}

/// The aggregation state while the journal is read.
#[derive(Default)]
struct Builder {
    type_names: Vec<String>,
    type_index: HashMap<String, usize>,
    counts: Vec<u64>,
    overview: Overview,
    procs: Procs,
    files_ev: FileTable,
    files_sys: FileTable,
    net: Net,
    memory: Memory,
    alerts: Alerts,
    stacks: Stacks,
    devices: Vec<Value>,
    devices_omitted: u64,
    other: HashMap<String, Other>,
    hist: timeline::Histogram,
    marks: Vec<Mark>,
    marks_omitted: u64,
    /// Per vCPU: the last switch (ts, process record).
    on_cpu: HashMap<i64, (u64, Option<usize>)>,
}

/// Reads the journal and aggregates it.
pub fn build(journal: &Path) -> Result<Report> {
    let mut r = Reader::open(journal)?;
    let mut b = Builder::default();
    while let Some(ev) = r.next_event()? {
        b.event(&ev);
    }
    let meta = Meta {
        title: String::new(),
        journal: journal
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        bytes: r.bytes(),
        events: r.events(),
        generated_by: format!("vmscope {}", env!("CARGO_PKG_VERSION")),
        truncated: r.truncated(),
        skipped_lines: r.skipped(),
        warnings: r.warnings(),
    };
    Ok(b.finish(meta))
}

impl Builder {
    fn type_index(&mut self, t: &str) -> usize {
        if let Some(&i) = self.type_index.get(t) {
            return i;
        }
        let i = self.type_names.len();
        self.type_names.push(t.to_string());
        self.type_index.insert(t.to_string(), i);
        self.counts.push(0);
        i
    }

    fn mark(&mut self, ts: Option<u64>, kind: &'static str, proc_id: Option<usize>, label: String) {
        let Some(ts) = ts else {
            return;
        };
        if self.marks.len() >= MAX_MARKS {
            self.marks_omitted += 1;
            return;
        }
        self.marks.push(Mark {
            ts,
            kind,
            proc_id,
            label,
        });
    }

    fn event(&mut self, ev: &Map<String, Value>) {
        let t = get_str(ev, "type").unwrap_or("?");
        let ti = self.type_index(t);
        self.counts[ti] += 1;
        let ts = get_u64(ev, "ts");
        if let Some(ts) = ts {
            let o = &mut self.overview;
            o.first_ts = Some(o.first_ts.map_or(ts, |f| f.min(ts)));
            o.last_ts = Some(o.last_ts.map_or(ts, |l| l.max(ts)));
            if t != "notice" {
                // The timeline spans the guest's activity; vmscope's own start notices come
                // during the boot, long before the first system call.
                o.active_from = Some(o.active_from.map_or(ts, |f| f.min(ts)));
            }
            self.hist.add(ti, ts);
        }
        if let Some(te) = get_u64(ev, "ts_exit") {
            let o = &mut self.overview;
            o.last_ts = Some(o.last_ts.map_or(te, |l| l.max(te)));
        }
        if let Some(v) = get_u64(ev, "vcpu") {
            self.overview.vcpus = self.overview.vcpus.max(v + 1);
        }
        match t {
            "process" => {
                self.procs.lifecycle(ev);
                let i = self.procs.touch(ev);
                match get_str(ev, "op") {
                    Some("exec") => {
                        let path = get_str(ev, "path").unwrap_or("?");
                        self.mark(ts, "exec", i, clip(path, 200));
                    }
                    Some("exit") if ev.get("signal").is_some_and(|s| !s.is_null()) => {
                        let sig = util::get_text(ev, "signal").unwrap_or_default();
                        self.mark(ts, "signal", i, sig);
                    }
                    _ => {}
                }
            }
            "process_list" => self.procs.list_event(ev),
            _ => {
                let i = self.procs.touch(ev);
                self.typed(t, ev, i);
            }
        }
    }

    fn typed(&mut self, t: &str, ev: &Map<String, Value>, i: Option<usize>) {
        let ts = get_u64(ev, "ts");
        match t {
            "syscall" => {
                let name = get_str(ev, "name").unwrap_or("?");
                if let Some(i) = i {
                    self.procs.syscall(i, name, ev);
                }
                let failed = procs::is_error(ev);
                if let Some(path) = activity::syscall_path(name, ev) {
                    let path = clip(&path, 4096);
                    let rw = (0, 0);
                    self.files_sys.add(&path, name, rw, failed, i, ts);
                    if let Some(i) = i {
                        self.procs
                            .path_use(i, PathSource::Syscalls, &path, name, rw, failed);
                    }
                }
                self.net.syscall(name, ev, i, failed);
                if let Some(Value::Array(stack)) = ev.get("stack") {
                    self.stacks.add(name, stack);
                }
            }
            "file" => {
                let (path, op, rw, error) = activity::file_event(ev);
                if let Some(row) = self.files_ev.add(&path, &op, rw, error, i, ts)
                    && let Some(h) = get_str(ev, "sha256")
                {
                    row.sha256 = Some(h.to_string());
                }
                if let Some(i) = i {
                    self.procs
                        .path_use(i, PathSource::FileEvents, &path, &op, rw, error);
                }
            }
            "file_summary" => {
                // Totals per path at the end of the run: they complete what the events said.
                let path = clip(get_str(ev, "path").unwrap_or("(no path)"), 4096);
                let rw = (
                    get_u64(ev, "bytes_read").unwrap_or(0),
                    get_u64(ev, "bytes_written").unwrap_or(0),
                );
                if let Some(row) = self
                    .files_ev
                    .add(&path, "summary", (0, 0), false, None, None)
                {
                    row.read = row.read.max(rw.0);
                    row.written = row.written.max(rw.1);
                }
            }
            "net" => {
                self.net.net_event(ev, i);
                if let Some(i) = i {
                    self.procs.list[i].net += 1;
                }
            }
            "connection" => {
                self.net.connection(ev, i);
                if let Some(i) = i {
                    self.procs.list[i].net += 1;
                }
            }
            "memory" => self.memory.memory_event(ev, i),
            "maps" => self.memory.maps_event(ev, i),
            "image" => self.memory.image_event(ev, i),
            "alert" => {
                self.alerts.add(ev, i);
                if let Some(i) = i {
                    self.procs.list[i].alerts += 1;
                }
                let label = format!(
                    "{} {}",
                    util::get_text(ev, "severity").unwrap_or_default(),
                    util::get_text(ev, "rule").unwrap_or_default()
                );
                self.mark(ts, "alert", i, clip(&label, 200));
            }
            "switch" => self.switch(ev, i),
            "device_summary" => {
                if self.devices.len() < 5000 {
                    self.devices.push(shorten(&Value::Object(ev.clone()), 0));
                } else {
                    self.devices_omitted += 1;
                }
            }
            "notice" => {
                self.notice(ev);
            }
            "thread" => {}
            other => {
                self.other
                    .entry(other.to_string())
                    .or_default()
                    .add(ev, OTHER_SAMPLES);
            }
        }
    }

    fn notice(&mut self, ev: &Map<String, Value>) {
        let msg = get_str(ev, "message").unwrap_or("");
        let o = &mut self.overview;
        if o.kernel.is_none()
            && let Some(k) = kernel_of(msg)
        {
            o.kernel = Some(clip(k, 200));
        }
        if o.arch.is_none()
            && let Some(rest) = msg.strip_prefix("tracing ")
            && let Some((arch, mods)) = rest.split_once(" guest")
        {
            o.arch = Some(clip(arch, 64));
            if let Some(m) = mods.trim().strip_prefix("with modules ") {
                o.modules = Some(clip(m, 500));
            }
        }
        if o.notices.len() < MAX_NOTICES {
            o.notices.push(shorten(&Value::Object(ev.clone()), 0));
        } else {
            o.notices_omitted += 1;
        }
    }

    /// A `switch` event: the time since the vCPU's previous switch goes to the process then on it.
    fn switch(&mut self, ev: &Map<String, Value>, i: Option<usize>) {
        let (Some(ts), Some(vcpu)) = (get_u64(ev, "ts"), get_i64(ev, "vcpu")) else {
            return;
        };
        if let Some((prev_ts, Some(prev))) = self.on_cpu.get(&vcpu).copied()
            && ts >= prev_ts
        {
            self.procs.list[prev].cpu_ns += ts - prev_ts;
        }
        if let Some(i) = i {
            self.procs.list[i].switches += 1;
        }
        if self.on_cpu.len() < 1024 || self.on_cpu.contains_key(&vcpu) {
            self.on_cpu.insert(vcpu, (ts, i));
        }
    }

    fn finish(mut self, meta: Meta) -> Report {
        let first = self.overview.first_ts.unwrap_or(0);
        let last = self.overview.last_ts.unwrap_or(first);
        let from = self.overview.active_from.unwrap_or(first);
        let timeline = self.hist.finish(&self.type_names, from, last);
        let syscalls = self.procs.totals();
        let paths_from = if self.files_ev.is_empty() {
            PathSource::Syscalls
        } else {
            PathSource::FileEvents
        };
        self.procs.finish(paths_from);
        let (list, map, processes_omitted) = prune(std::mem::take(&mut self.procs.list));
        let id = |old: usize| map.get(old).copied().flatten();
        let ((mut files, files_omitted), files_source) = match paths_from {
            PathSource::FileEvents => (self.files_ev.finish(), "file"),
            PathSource::Syscalls => (self.files_sys.finish(), "syscalls"),
        };
        for f in &mut files {
            let before = f.procs.len();
            f.procs = f.procs.iter().filter_map(|&p| id(p)).collect();
            f.more_procs += (before - f.procs.len()) as u64;
        }
        let (stacks, stacks_omitted) = self.stacks.finish();
        let (mut flows, flows_source, mut connections, net_omitted) = self.net.finish();
        for f in &mut flows {
            f.proc_id = f.proc_id.and_then(id);
        }
        for rows in [
            &mut connections,
            &mut self.memory.images,
            &mut self.memory.findings,
            &mut self.alerts.rows,
        ] {
            for r in rows.iter_mut() {
                remap_row(r, &id);
            }
        }
        let ops = std::mem::take(&mut self.memory.ops);
        self.memory.ops = ops
            .into_iter()
            .filter_map(|(p, v)| Some((id(p)?, v)))
            .collect();
        let maps = std::mem::take(&mut self.memory.maps);
        self.memory.maps = maps
            .into_iter()
            .filter_map(|(p, v)| Some((id(p)?, v)))
            .collect();
        for m in &mut self.marks {
            m.proc_id = m.proc_id.and_then(id);
        }
        let lanes = lanes(&list, last);
        let mut counts: Vec<(String, u64)> = self
            .type_names
            .iter()
            .cloned()
            .zip(self.counts.iter().copied())
            .collect();
        counts.sort_by_key(|c| std::cmp::Reverse(c.1));
        self.overview.counts = counts;
        let mut by_sev: Vec<(String, u64)> = self.alerts.by_severity.into_iter().collect();
        by_sev.sort_by_key(|c| std::cmp::Reverse(c.1));
        let mut by_rule: Vec<(String, u64)> = self.alerts.by_rule.into_iter().collect();
        by_rule.sort_by_key(|c| std::cmp::Reverse(c.1));
        let mut memory_ops: Vec<(usize, Vec<(String, u64)>)> =
            self.memory.ops.into_iter().collect();
        memory_ops.sort_by_key(|m| m.0);
        let mut maps: Vec<(usize, Value)> = self.memory.maps.into_iter().collect();
        maps.sort_by_key(|m| m.0);
        let maps = maps
            .into_iter()
            .map(|(p, mut v)| {
                if let Some(o) = v.as_object_mut() {
                    o.insert("proc".into(), Value::from(p));
                }
                v
            })
            .collect();
        let mut other: Vec<(String, Other)> = self.other.into_iter().collect();
        other.sort_by_key(|o| std::cmp::Reverse(o.1.count));
        let mut marks = self.marks;
        marks.sort_by_key(|m| m.ts);
        Report {
            meta,
            overview: self.overview,
            processes: columns(&list),
            processes_omitted,
            calls_omitted: self.procs.calls_omitted,
            syscalls,
            stacks,
            stacks_omitted,
            files: columns(&files),
            files_source,
            files_omitted,
            flows: columns(&flows),
            flows_source,
            connections: columns(&connections),
            net_omitted,
            images: columns(&self.memory.images),
            memory_ops,
            findings: columns(&self.memory.findings),
            maps,
            memory_omitted: self.memory.omitted,
            alerts: columns(&self.alerts.rows),
            alerts_by_severity: by_sev,
            alerts_by_rule: by_rule,
            alerts_omitted: self.alerts.omitted,
            devices: self.devices,
            other,
            timeline,
            lanes,
            marks,
            marks_omitted: self.marks_omitted,
        }
    }
}

/// Processes written into the page: the busiest, with all their ancestors.
const MAX_PROCS: usize = 10_000;

/// Keeps at most about [`MAX_PROCS`] processes: the busiest and their ancestors, in their order.
/// Returns them (with their ids and parent links renumbered), the old id → new id map and how many
/// were left out.
fn prune(list: Vec<Proc>) -> (Vec<Proc>, Vec<Option<usize>>, u64) {
    if list.len() <= MAX_PROCS {
        let map = (0..list.len()).map(Some).collect();
        return (list, map, 0);
    }
    let mut rank: Vec<usize> = (0..list.len()).collect();
    rank.sort_by_key(|&i| std::cmp::Reverse(list[i].events));
    let mut keep = vec![false; list.len()];
    for &i in rank.iter().take(MAX_PROCS) {
        let mut at = Some(i);
        // Ancestors too, so the tree stays connected (bounded against a parent-link cycle).
        for _ in 0..4096 {
            let Some(a) = at else { break };
            if keep[a] {
                break;
            }
            keep[a] = true;
            at = list[a].parent;
        }
    }
    let mut map = vec![None; list.len()];
    let mut out = Vec::with_capacity(MAX_PROCS);
    for (old, p) in list.into_iter().enumerate() {
        if keep[old] {
            map[old] = Some(out.len());
            out.push(p);
        }
    }
    let left = (map.len() - out.len()) as u64;
    for (new, p) in out.iter_mut().enumerate() {
        p.id = new;
        p.parent = p.parent.and_then(|old| map[old]);
    }
    (out, map, left)
}

/// A row's `proc` (a process record id) renumbered, or removed with its process.
fn remap_row(row: &mut Value, id: &impl Fn(usize) -> Option<usize>) {
    let Some(o) = row.as_object_mut() else {
        return;
    };
    let new = o
        .get("proc")
        .and_then(Value::as_u64)
        .and_then(|p| id(p as usize));
    match new {
        Some(n) => {
            o.insert("proc".into(), Value::from(n));
        }
        None => {
            o.remove("proc");
        }
    }
}

/// Rows as columns: `{"n": rows, "cols": {"field": [value per row], ...}}` (null where a row lacks
/// the field). Field names are written once, not once per row: for ten thousand processes that is
/// most of their size. The page turns it back into rows.
fn columns<T: Serialize>(rows: &[T]) -> Value {
    let mut names: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut cols: Vec<Vec<Value>> = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        if let Ok(Value::Object(m)) = serde_json::to_value(row) {
            for (k, v) in m {
                let i = match index.get(&k) {
                    Some(&i) => i,
                    None => {
                        index.insert(k.clone(), names.len());
                        names.push(k);
                        cols.push(vec![Value::Null; r]);
                        cols.len() - 1
                    }
                };
                cols[i].push(v);
            }
        }
        for c in &mut cols {
            if c.len() < r + 1 {
                c.push(Value::Null);
            }
        }
    }
    let cols: Map<String, Value> = names
        .into_iter()
        .zip(cols)
        .map(|(k, c)| (k, Value::Array(c)))
        .collect();
    serde_json::json!({ "n": rows.len(), "cols": cols })
}

/// The processes drawn on the timeline: the busiest user processes, by start time.
fn lanes(list: &[Proc], last: u64) -> Vec<Lane> {
    let mut cand: Vec<&Proc> = list
        .iter()
        .filter(|p| !p.kthread && (p.first.is_some() || p.fork.is_some()))
        .collect();
    cand.sort_by_key(|p| std::cmp::Reverse(p.events));
    cand.truncate(MAX_LANES);
    let mut lanes: Vec<Lane> = cand
        .into_iter()
        .map(|p| {
            let start = p.fork.or(p.first).unwrap_or(0);
            let end = p
                .exit
                .as_ref()
                .map(|e| e.ts)
                .or(p.last)
                .unwrap_or(last)
                .max(start);
            Lane {
                proc_id: p.id,
                start,
                end,
            }
        })
        .collect();
    lanes.sort_by_key(|l| (l.start, l.proc_id));
    lanes
}

/// Writes the page: the template with the stylesheet, the script and the figures inlined.
fn write_page(w: &mut impl Write, title: &str, report: &Report) -> Result<()> {
    let mut data = serde_json::to_vec(report).context("serializing the report")?;
    // Inside <script>, `</script>` or `<!--` in a string would end or confuse the block: no `<` at
    // all in the JSON text (it only occurs inside strings, where `\u003c` means the same).
    if data.contains(&b'<') {
        let mut escaped = Vec::with_capacity(data.len() + 64);
        for &b in &data {
            if b == b'<' {
                escaped.extend_from_slice(b"\\u003c");
            } else {
                escaped.push(b);
            }
        }
        data = escaped;
    }
    let title = html_escape(title);
    let mut rest = PAGE;
    for (marker, what) in [
        ("{{TITLE}}", Part::Text(&title)),
        ("/*{{CSS}}*/", Part::Text(CSS)),
        ("{{DATA}}", Part::Bytes(&data)),
        ("/*{{JS}}*/", Part::Text(JS)),
    ] {
        let Some(i) = rest.find(marker) else {
            anyhow::bail!("report template lacks {marker}");
        };
        w.write_all(&rest.as_bytes()[..i])?;
        match what {
            Part::Text(t) => w.write_all(t.as_bytes())?,
            Part::Bytes(b) => w.write_all(b)?,
        }
        rest = &rest[i + marker.len()..];
    }
    w.write_all(rest.as_bytes())?;
    Ok(())
}

enum Part<'a> {
    Text(&'a str),
    Bytes(&'a [u8]),
}

fn html_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            c => o.push(c),
        }
    }
    o
}

/// The kernel a start notice names: `kernel layout from BTF: Linux 6.12..., ...`, `kernel layout from
/// the kernel file's BTF (PATH): Linux ..., ...`, `kernel layout from guest memory: Linux ...; ...`.
fn kernel_of(msg: &str) -> Option<&str> {
    let rest = msg.strip_prefix("kernel layout from ")?;
    let (_, after) = rest.split_once(": ")?;
    let k = &after[after.find("Linux ")?..];
    Some(k.split([',', ';']).next().unwrap_or(k).trim())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn every_start_notice_names_the_kernel() {
        for (msg, k) in [
            (
                "kernel layout from BTF: Linux 6.12.95+deb12-amd64, current task via x",
                "Linux 6.12.95+deb12-amd64",
            ),
            (
                "kernel layout from the kernel file's BTF (/g/linux-6.12/vmlinuz): Linux 6.12.95+deb12-amd64, current task",
                "Linux 6.12.95+deb12-amd64",
            ),
            (
                "kernel layout from guest memory: Linux 6.1.0-40-amd64; KPTI on; found from 0x1",
                "Linux 6.1.0-40-amd64",
            ),
        ] {
            assert_eq!(kernel_of(msg), Some(k), "{msg}");
        }
        assert_eq!(
            kernel_of("kernel layout: from guest memory (no kernel file)"),
            None
        );
    }

    #[test]
    fn the_page_has_no_raw_markup_from_the_data() {
        let p = std::env::temp_dir().join(format!("vmscope-report-{}.jsonl", std::process::id()));
        std::fs::write(
            &p,
            "{\"type\":\"syscall\",\"ts\":1,\"pid\":1,\"tid\":1,\"comm\":\"</script><b>\",\"name\":\"open\",\"args\":[\"\\\"<!--x\\\"\"],\"ret\":3,\"ret_text\":\"3\"}\n",
        )
        .unwrap();
        let r = build(&p).unwrap();
        let mut out = Vec::new();
        write_page(&mut out, "a<b", &r).unwrap();
        let html = String::from_utf8(out).unwrap();
        assert_eq!(html.matches("</script>").count(), 2, "only the page's own");
        assert!(!html.contains("<!--x"));
        assert!(html.contains("<title>vmscope report: a&lt;b</title>"));
        let _ = std::fs::remove_file(p);
    }
}

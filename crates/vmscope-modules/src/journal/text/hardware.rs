//! Text lines of the hardware level: a compact scheduling timeline (one line per switch, the vCPU's
//! column marked), per-thread and per-device summaries, device accesses and coverage files.

use std::fmt::Write as _;

use vmscope_core::event::{CoverageEvent, DeviceEvent, DeviceSummary, SchedSummary, SwitchEvent};

fn who(pid: Option<u32>, tid: Option<u32>, comm: Option<&str>) -> String {
    match (pid, tid) {
        (Some(p), Some(t)) if p == t => format!("{p} {}", comm.unwrap_or("?")),
        (Some(p), Some(t)) => format!("{p}/{t} {}", comm.unwrap_or("?")),
        (None, Some(t)) => format!("?/{t}"),
        _ => "?".into(),
    }
}

fn ms(ns: u64) -> String {
    format!("{:.3}ms", ns as f64 / 1e6)
}

/// `   12.345678 |   |>> | 42/43 wl-threads  (was 41)`: the time, one column per vCPU up to the
/// switching one, and the thread now running there.
pub(super) fn switch(w: &SwitchEvent, s: &mut String) {
    let _ = write!(s, "{:>12.6} ", w.ts as f64 / 1e9);
    for _ in 0..w.vcpu.min(15) {
        s.push_str("|   ");
    }
    let _ = write!(
        s,
        "|>> cpu{} {}",
        w.vcpu,
        who(w.pid, w.tid, w.comm.as_deref())
    );
    if w.prev_tid.is_some() {
        let _ = write!(
            s,
            "  (was {})",
            who(w.prev_pid, w.prev_tid, None).trim_end_matches(" ?")
        );
    }
}

pub(super) fn sched_summary(w: &SchedSummary, s: &mut String) {
    let _ = write!(
        s,
        "sched_summary {} total={}",
        who(w.pid, w.tid, w.comm.as_deref()),
        ms(w.total_ns)
    );
    for v in &w.vcpus {
        let _ = write!(s, " cpu{}={}x{}", v.vcpu, ms(v.ns), v.switches);
    }
}

pub(super) fn device(d: &DeviceEvent, s: &mut String) {
    let t = &d.thread;
    if let (Some(pid), Some(tid)) = (t.pid, t.tid) {
        let _ = write!(
            s,
            "[pid {pid:>5} tid {tid:>5} {}] ",
            t.comm.as_deref().unwrap_or("?")
        );
    }
    let _ = write!(
        s,
        "device {} {} {} addr={:#x} size={}",
        d.space.as_str(),
        d.device,
        d.op,
        d.addr,
        d.size
    );
    if d.count != 1 {
        let _ = write!(s, " count={}", d.count);
    }
    if let Some(v) = d.value {
        let _ = write!(s, " value={v:#x}");
    }
    let _ = write!(s, " pc={:#x}", d.pc);
}

pub(super) fn device_summary(d: &DeviceSummary, s: &mut String) {
    let _ = write!(
        s,
        "device_summary {} {} base={:#x} reads={} writes={} bytes_read={} bytes_written={}",
        d.space.as_str(),
        d.device,
        d.base,
        d.reads,
        d.writes,
        d.bytes_read,
        d.bytes_written
    );
    let users: Vec<String> = d
        .processes
        .iter()
        .take(8)
        .map(|u| {
            format!(
                "{}:{}={}",
                u.pid.map_or("?".into(), |p| p.to_string()),
                u.comm.as_deref().unwrap_or("?"),
                u.accesses
            )
        })
        .collect();
    if !users.is_empty() {
        let _ = write!(s, " processes={}", users.join(","));
    }
}

pub(super) fn coverage(c: &CoverageEvent, s: &mut String) {
    if let Some(pid) = c.pid {
        let _ = write!(s, "[pid {pid:>5}] ");
    }
    let _ = write!(
        s,
        "coverage {} comm={:?} file={:?} blocks={} modules={} outside={}",
        c.when,
        c.comm.as_deref().unwrap_or("?"),
        c.file,
        c.blocks,
        c.modules,
        c.outside
    );
    if let Some(e) = &c.error {
        let _ = write!(s, " error={e:?}");
    }
}

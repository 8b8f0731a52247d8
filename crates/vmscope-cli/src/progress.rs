//! `vmscope run`'s status line: guest time, events, events/s, processes and journal size, redrawn on
//! stderr while the guest runs — only when stderr is a terminal and `--quiet` is not given.
//!
//! The figures come from the journal itself: a thread follows the journal file as the plugin writes it
//! (`--output FILE`, the temporary journal of `--format parquet`, or standard output when that is a
//! regular file) and reads each new line's `type`, `ts` and `pid` without parsing the rest. The plugin
//! knows nothing of it, and the run costs nothing more when no status line is shown. Text journals
//! have no `ts`: the line then shows the time since QEMU started.

use std::collections::HashSet;
use std::fs::File;
use std::io::{IsTerminal, Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How often the journal is read and the line redrawn.
const TICK: Duration = Duration::from_millis(250);

/// Where the journal can be followed from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A file the plugin writes.
    File(PathBuf),
    /// Nothing to read (a pipe): the line shows the elapsed time only.
    Nothing,
}

/// What has been counted so far.
#[derive(Debug, Default, Clone)]
pub struct Counts {
    /// Complete lines that are events (not `#` notices in text).
    pub events: u64,
    /// Distinct pids seen.
    pub processes: usize,
    /// The latest `ts` (ns since the plugin loaded: about the guest's uptime).
    pub last_ts: Option<u64>,
    /// Bytes of journal read.
    pub bytes: u64,
}

/// Follows a journal file: reads what was appended since the last call and counts it.
pub struct Follower {
    path: PathBuf,
    /// A file last written before this is a previous run's, not yet truncated by the plugin.
    not_before: Option<SystemTime>,
    file: Option<File>,
    offset: u64,
    partial: Vec<u8>,
    pids: HashSet<i64>,
    counts: Counts,
}

impl Follower {
    /// A follower of `path` (which may not exist yet).
    pub fn new(path: PathBuf) -> Self {
        Follower {
            path,
            not_before: None,
            file: None,
            offset: 0,
            partial: Vec::new(),
            pids: HashSet::new(),
            counts: Counts::default(),
        }
    }

    /// Ignores the file until it has been written at or after `t` (the run's start).
    pub fn written_since(mut self, t: SystemTime) -> Self {
        self.not_before = Some(t);
        self
    }

    /// Reads what is new; a file that shrank (truncated by the plugin at its start) is read anew.
    pub fn poll(&mut self) -> &Counts {
        if self.file.is_none() {
            let fresh = match (self.not_before, std::fs::metadata(&self.path)) {
                (Some(t), Ok(m)) => m.modified().is_ok_and(|m| m >= t),
                (None, Ok(_)) => true,
                (_, Err(_)) => false,
            };
            if fresh {
                self.file = File::open(&self.path).ok();
            }
        }
        let Some(f) = self.file.as_mut() else {
            return &self.counts;
        };
        let len = f.metadata().map(|m| m.len()).unwrap_or(0);
        if len < self.offset {
            self.offset = 0;
            self.partial.clear();
            self.pids.clear();
            self.counts = Counts::default();
        }
        if len == self.offset || f.seek(SeekFrom::Start(self.offset)).is_err() {
            return &self.counts;
        }
        // At most 64 MiB per tick: a huge backlog is caught up over a few ticks.
        let want = (len - self.offset).min(64 << 20);
        let mut buf = Vec::with_capacity(want as usize);
        let got = f
            .by_ref()
            .take(want)
            .read_to_end(&mut buf)
            .unwrap_or_default();
        self.offset += got as u64;
        self.counts.bytes = self.offset;
        let mut start = 0;
        for (i, b) in buf.iter().enumerate() {
            if *b == b'\n' {
                if self.partial.is_empty() {
                    self.count_line(&buf[start..i]);
                } else {
                    self.partial.extend_from_slice(&buf[start..i]);
                    let line = std::mem::take(&mut self.partial);
                    self.count_line(&line);
                }
                start = i + 1;
            }
        }
        if start < buf.len() && self.partial.len() < 1 << 20 {
            self.partial.extend_from_slice(&buf[start..]);
        }
        &self.counts
    }

    fn count_line(&mut self, line: &[u8]) {
        if line.is_empty() || line[0] == b'#' {
            return;
        }
        self.counts.events += 1;
        let head = &line[..line.len().min(400)];
        let pid = if head.first() == Some(&b'{') {
            if let Some(ts) = number_after(head, b"\"ts\":") {
                self.counts.last_ts = Some(self.counts.last_ts.map_or(ts, |t| t.max(ts)));
            }
            number_after(head, b"\"pid\":")
        } else {
            // Text: `[pid   147 tid   147 comm] ...`
            head.strip_prefix(b"[pid")
                .and_then(|rest| number_after(rest, b""))
        };
        if let Some(p) = pid
            && self.pids.len() < 1 << 20
        {
            self.pids.insert(p as i64);
            self.counts.processes = self.pids.len();
        }
    }
}

/// The unsigned number right after `key` in `hay` (spaces skipped).
fn number_after(hay: &[u8], key: &[u8]) -> Option<u64> {
    let at = if key.is_empty() {
        0
    } else {
        hay.windows(key.len()).position(|w| w == key)? + key.len()
    };
    let rest = &hay[at..];
    let digits: Vec<u8> = rest
        .iter()
        .skip_while(|b| **b == b' ')
        .take_while(|b| b.is_ascii_digit())
        .copied()
        .collect();
    std::str::from_utf8(&digits).ok()?.parse().ok()
}

/// The status line, while it is shown.
pub struct Status {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Counts>>,
    started: Instant,
}

/// Starts the status line when stderr is a terminal (and not `quiet`); `None` otherwise.
pub fn start(source: Source, quiet: bool) -> Option<Status> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    // Timestamps of some filesystems are coarser than the clock: allow a little.
    let since = SystemTime::now() - Duration::from_millis(50);
    let flag = stop.clone();
    let thread = std::thread::Builder::new()
        .name("vmscope-status".into())
        .spawn(move || run(source, &flag, started, since))
        .ok()?;
    Some(Status {
        stop,
        thread: Some(thread),
        started,
    })
}

impl Status {
    /// Clears the line and prints a one-line summary.
    pub fn finish(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take()
            && let Ok(c) = t.join()
        {
            let secs = self.started.elapsed().as_secs_f64();
            if c.bytes > 0 {
                eprintln!(
                    "vmscope: {} events, {} processes, journal {} in {:.1} s",
                    group(c.events),
                    c.processes,
                    size(c.bytes),
                    secs
                );
            }
        }
    }
}

fn run(source: Source, stop: &AtomicBool, started: Instant, since: SystemTime) -> Counts {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(4));
    let style = ProgressStyle::with_template("{spinner} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
    bar.set_style(style);
    let mut follower = match &source {
        Source::File(p) => Some(Follower::new(p.clone()).written_since(since)),
        Source::Nothing => None,
    };
    // events/s over the last few seconds.
    let mut window: std::collections::VecDeque<(Instant, u64)> = Default::default();
    let mut last = Counts::default();
    loop {
        let stopping = stop.load(Ordering::Relaxed);
        let now = Instant::now();
        let msg = match follower.as_mut() {
            Some(f) => {
                last = f.poll().clone();
                window.push_back((now, last.events));
                while window.len() > 2 && now.duration_since(window[0].0) > Duration::from_secs(3) {
                    window.pop_front();
                }
                let rate = match (window.front(), window.back()) {
                    (Some(a), Some(b)) if b.0 > a.0 => {
                        (b.1 - a.1) as f64 / b.0.duration_since(a.0).as_secs_f64()
                    }
                    _ => 0.0,
                };
                line(&last, rate, started.elapsed())
            }
            None => format!(
                "running {:.0} s (journal to a pipe: no counts)",
                started.elapsed().as_secs_f64()
            ),
        };
        bar.set_message(msg);
        bar.tick();
        if stopping {
            break;
        }
        std::thread::sleep(TICK);
    }
    bar.finish_and_clear();
    last
}

/// The status text.
pub fn line(c: &Counts, rate: f64, elapsed: Duration) -> String {
    let time = match c.last_ts {
        Some(ts) => format!("guest {:.1} s", ts as f64 / 1e9),
        None => format!("running {:.0} s", elapsed.as_secs_f64()),
    };
    format!(
        "{time} · {} events · {}/s · {} processes · journal {}",
        group(c.events),
        group(rate.round() as u64),
        c.processes,
        size(c.bytes)
    )
}

fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn size(b: u64) -> String {
    if b >= 1 << 30 {
        format!("{:.1} GB", b as f64 / 1e9)
    } else {
        format!("{:.1} MB", b as f64 / 1e6)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use std::io::Write;

    #[test]
    fn follows_a_growing_journal_line_by_line() {
        let p = std::env::temp_dir().join(format!("vmscope-progress-{}", std::process::id()));
        let mut f = File::create(&p).unwrap();
        let mut fol = Follower::new(p.clone());
        f.write_all(b"{\"type\":\"syscall\",\"ts\":5000000000,\"pid\":7,\"tid\":7}\n{\"type\":\"file\",\"ts\":6")
            .unwrap();
        f.flush().unwrap();
        assert_eq!(fol.poll().events, 1);
        f.write_all(b"000000000,\"pid\":8}\n# notice\n").unwrap();
        f.flush().unwrap();
        let c = fol.poll().clone();
        assert_eq!(
            (c.events, c.processes, c.last_ts),
            (2, 2, Some(6_000_000_000))
        );
        let text = line(&c, 1234.4, Duration::from_secs(1));
        assert!(
            text.starts_with("guest 6.0 s · 2 events · 1,234/s · 2 processes"),
            "{text}"
        );
        // Truncated (the plugin starting a new run on the same file): counted anew.
        let mut f = File::create(&p).unwrap();
        f.write_all(b"[pid   147 tid   147 x] getpid() = 147\n")
            .unwrap();
        f.flush().unwrap();
        let c = fol.poll().clone();
        assert_eq!((c.events, c.processes, c.last_ts), (1, 1, None));
        let _ = std::fs::remove_file(p);
    }

    #[test]
    fn numbers_group_by_thousands() {
        assert_eq!(group(0), "0");
        assert_eq!(group(1234567), "1,234,567");
        assert_eq!(group(100), "100");
    }
}

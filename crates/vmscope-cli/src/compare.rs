//! `vmscope compare`: how faithfully a journal reproduces strace run on the same workload in the guest.
//!
//! strace runs inside the guest (`strace -f -o /dev/ttyS1`), vmscope outside. Both see the same threads
//! under the same kernel thread ids, so the comparison is thread by thread: strace's calls in order,
//! each looked for in vmscope's calls of that thread in order. A call is *matched* when found with the
//! same name and return value and the same path strings; *identical* when its whole rendered argument
//! list is byte-identical too.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use anyhow::{Context as _, Result};
use serde_json::Value;

/// One call as either side rendered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The syscall's name.
    pub name: String,
    /// The argument list as text, without the parentheses.
    pub args: String,
    /// The return value as rendered (`-1` for errors); `None` for `?`.
    pub ret: Option<i64>,
    /// The errno name of a failed call (`ENOENT`).
    pub err: Option<String>,
    /// The return value as written (`-1 ENOENT (No such file or directory)`), for examples.
    pub ret_text: String,
}

impl Call {
    /// The call as one line: `name(args) = ret`.
    pub fn line(&self) -> String {
        format!("{}({}) = {}", self.name, self.args, self.ret_text)
    }
}

/// strace's calls: per thread id, in order, each with the workload it belongs to.
#[derive(Debug, Default)]
pub struct StraceLog {
    /// tid → calls, in order.
    pub threads: BTreeMap<u32, Vec<Call>>,
    /// tid → workload name (from the guest's `vmscope-guest: start NAME` markers).
    pub workload: HashMap<u32, String>,
}

/// Parses a rendered return value: `3`, `0x7f00`, `-1 ENOENT (No such file or directory)`, `?`.
fn parse_ret(text: &str) -> (Option<i64>, Option<String>) {
    let mut toks = text.split_whitespace();
    let Some(tok) = toks.next() else {
        return (None, None);
    };
    let ret = match tok.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).ok().map(|v| v as i64),
        None => tok.parse::<i64>().ok(),
    };
    let err = toks
        .next()
        .filter(|t| {
            t.starts_with('E')
                && t.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        })
        .map(str::to_string);
    (ret, err)
}

/// Splits `name(args) = ret` into a [`Call`].
pub fn parse_call(line: &str) -> Option<Call> {
    let open = line.find('(')?;
    let name = line[..open].trim();
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return None;
    }
    let eq = line.rfind(" = ")?;
    let close = line[..eq].rfind(')')?;
    let args = line.get(open + 1..close)?.to_string();
    let ret_text = line[eq + 3..].trim();
    let (ret, err) = parse_ret(ret_text);
    Some(Call {
        name: name.to_string(),
        args,
        ret,
        err,
        ret_text: ret_text.to_string(),
    })
}

/// Parses strace's `-f -o` output (one `PID  call` per line), merging `<unfinished ...>` with
/// `<... resumed>`.
pub fn parse_strace(text: &str) -> StraceLog {
    let mut log = StraceLog::default();
    let mut unfinished: HashMap<u32, String> = HashMap::new();
    let mut current = String::from("?");
    for raw in text.lines() {
        let line = raw.trim_end_matches('\r');
        if let Some(m) = line.strip_prefix("vmscope-guest: start ") {
            current = m.trim().to_string();
            continue;
        }
        let Some((pid, rest)) = line.split_once(char::is_whitespace) else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        let rest = rest.trim_start();
        if rest.starts_with("+++") || rest.starts_with("---") {
            continue;
        }
        let full = if let Some(r) = rest.strip_prefix("<... ") {
            // `<... read resumed>REST`
            let Some(end) = r.find(" resumed>") else {
                continue;
            };
            let Some(prefix) = unfinished.remove(&pid) else {
                continue;
            };
            // A call resumed only to be killed: `<... pause resumed> <unfinished ...>) = ?`.
            let tail = &r[end + " resumed>".len()..];
            let tail = tail.strip_prefix(" <unfinished ...>").unwrap_or(tail);
            format!("{prefix}{tail}")
        } else if let Some(p) = rest.strip_suffix(" <unfinished ...>") {
            unfinished.insert(pid, p.to_string());
            continue;
        } else {
            rest.to_string()
        };
        if let Some(call) = parse_call(&full) {
            log.workload.entry(pid).or_insert_with(|| current.clone());
            log.threads.entry(pid).or_default().push(call);
        }
    }
    // Calls that never resumed (the process exited inside them): strace shows them with no return.
    for (pid, prefix) in unfinished {
        if let Some(call) = parse_call(&format!("{prefix} = ?")) {
            log.threads.entry(pid).or_default().push(call);
        }
    }
    log
}

/// vmscope's calls per thread id, ordered by entry time, from a JSON Lines journal.
pub fn parse_journal(text: &str) -> BTreeMap<u32, Vec<(u64, Call)>> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        journal_line(line, &mut out);
    }
    sort_journal(&mut out);
    out
}

/// Like [`parse_journal`], reading the file line by line and keeping only the threads `keep` names:
/// a journal of a whole guest (strace's own calls, the shell's) can be gigabytes.
pub fn parse_journal_file(
    path: &Path,
    keep: &HashSet<u32>,
) -> Result<BTreeMap<u32, Vec<(u64, Call)>>> {
    use std::io::BufRead as _;
    let f = std::fs::File::open(path).with_context(|| format!("journal {}", path.display()))?;
    let mut out = BTreeMap::new();
    let mut reader = std::io::BufReader::with_capacity(1 << 20, f);
    let mut line = String::new();
    loop {
        line.clear();
        let n = reader
            .read_line(&mut line)
            .with_context(|| format!("journal {}", path.display()))?;
        if n == 0 {
            break;
        }
        // The thread id before parsing the whole record: most records are other threads'.
        if let Some(tid) = quick_tid(&line)
            && !keep.contains(&tid)
        {
            continue;
        }
        journal_line(&line, &mut out);
    }
    sort_journal(&mut out);
    Ok(out)
}

/// The `"tid":N` of a journal record, found without parsing it.
fn quick_tid(line: &str) -> Option<u32> {
    let at = line.find("\"tid\":")? + 6;
    let digits: &str = &line[at..];
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    digits[..end].parse().ok()
}

fn journal_line(line: &str, out: &mut BTreeMap<u32, Vec<(u64, Call)>>) {
    let Ok(v) = serde_json::from_str::<Value>(line) else {
        return;
    };
    if v["type"] != "syscall" {
        return;
    }
    let Some(tid) = v["tid"].as_u64().and_then(|t| u32::try_from(t).ok()) else {
        return;
    };
    let args: Vec<&str> = v["args"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let ret_text = v["ret_text"].as_str().unwrap_or("?");
    let (ret, err) = parse_ret(ret_text);
    let call = Call {
        name: v["name"].as_str().unwrap_or("").to_string(),
        args: args.join(", "),
        ret,
        err,
        ret_text: ret_text.to_string(),
    };
    out.entry(tid)
        .or_default()
        .push((v["ts"].as_u64().unwrap_or(0), call));
}

fn sort_journal(out: &mut BTreeMap<u32, Vec<(u64, Call)>>) {
    for calls in out.values_mut() {
        calls.sort_by_key(|c| c.0);
    }
}

/// The quoted strings of an argument list (file names and other strings), as written.
fn quoted(args: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let b = args.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'"' {
            let start = i;
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            out.push(&args[start..(i + 1).min(args.len())]);
        }
        i += 1;
    }
    out
}

/// Calls whose strings are file names, compared in full.
const PATH_CALLS: &[&str] = &[
    "open",
    "openat",
    "openat2",
    "creat",
    "stat",
    "lstat",
    "newfstatat",
    "statx",
    "stat64",
    "lstat64",
    "fstatat64",
    "access",
    "faccessat",
    "faccessat2",
    "execve",
    "execveat",
    "unlink",
    "unlinkat",
    "mkdir",
    "mkdirat",
    "rmdir",
    "rename",
    "renameat",
    "renameat2",
    "chdir",
    "readlink",
    "readlinkat",
    "truncate",
    "truncate64",
    "chmod",
    "fchmodat",
    "chown",
    "lchown",
    "fchownat",
    "link",
    "linkat",
    "symlink",
    "symlinkat",
    "mknod",
    "mknodat",
    "utimensat",
    "statfs",
    "statfs64",
];

/// Per-group counts.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// strace's calls.
    pub total: usize,
    /// Found by vmscope with the same name, return value and path strings.
    pub matched: usize,
    /// Matched, and the whole argument list byte-identical.
    pub identical: usize,
}

impl Tally {
    fn add(&mut self, o: Tally) {
        self.total += o.total;
        self.matched += o.matched;
        self.identical += o.identical;
    }

    /// matched / total, in percent.
    pub fn matched_pct(&self) -> f64 {
        pct(self.matched, self.total)
    }

    /// identical / total, in percent.
    pub fn identical_pct(&self) -> f64 {
        pct(self.identical, self.total)
    }
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        100.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

/// The comparison's result.
#[derive(Debug, Default)]
pub struct Report {
    /// Per workload.
    pub per_workload: BTreeMap<String, Tally>,
    /// Overall.
    pub overall: Tally,
    /// Per call name (strace's), for the families still below strace.
    pub per_call: BTreeMap<String, Tally>,
    /// Examples of strace calls vmscope did not match (workload, tid, strace's line, vmscope's nearest).
    pub misses: Vec<String>,
    /// Examples of matched calls whose arguments differ.
    pub differences: Vec<String>,
    /// Per call name (strace's): the first call not matched and the first matched but different.
    pub examples: BTreeMap<String, CallExamples>,
}

/// One call as both sides wrote it, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// The workload (`fileio`, `st:accept`).
    pub workload: String,
    /// strace's line, `name(args) = ret`.
    pub strace: String,
    /// vmscope's line for the same call, or `None` when vmscope had no call of that name nearby.
    pub vmscope: Option<String>,
}

/// The first examples of a call name's misses and differences.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallExamples {
    /// A call vmscope did not match (other name, return value or path).
    pub missed: Option<Example>,
    /// A matched call whose arguments differ.
    pub differs: Option<Example>,
}

/// The thread ids of strace's log (the threads a journal is read for).
pub fn strace_tids(log: &StraceLog) -> HashSet<u32> {
    log.threads.keys().copied().collect()
}

/// How far ahead in vmscope's calls of a thread a strace call is looked for.
const WINDOW: usize = 64;

/// Compares strace's calls with vmscope's, thread by thread.
pub fn compare(strace: &StraceLog, journal: &BTreeMap<u32, Vec<(u64, Call)>>) -> Report {
    let mut report = Report::default();
    let empty = Vec::new();
    for (tid, calls) in &strace.threads {
        let ours = journal.get(tid).unwrap_or(&empty);
        let workload = strace
            .workload
            .get(tid)
            .cloned()
            .unwrap_or_else(|| "?".into());
        let mut t = Tally::default();
        let mut j = 0;
        for s in calls {
            t.total += 1;
            let before = t;
            report.per_call.entry(s.name.clone()).or_default().total += 1;
            let found = (j..ours.len().min(j + WINDOW)).find(|&k| ours[k].1.name == s.name);
            let Some(k) = found else {
                let ex = report.examples.entry(s.name.clone()).or_default();
                if ex.missed.is_none() {
                    ex.missed = Some(Example {
                        workload: workload.clone(),
                        strace: s.line(),
                        vmscope: None,
                    });
                }
                if report.misses.len() < 40 {
                    report.misses.push(format!(
                        "{workload} tid {tid}: {}({}) = {:?}  [not found]",
                        s.name, s.args, s.ret
                    ));
                }
                continue;
            };
            let o = &ours[k].1;
            j = k + 1;
            let same_paths =
                !PATH_CALLS.contains(&s.name.as_str()) || quoted(&s.args) == quoted(&o.args);
            let is_match = o.ret == s.ret && o.err == s.err && same_paths;
            if is_match {
                t.matched += 1;
                // At most two examples per call name, so every family shows.
                let shown = report
                    .per_call
                    .get(&s.name)
                    .map_or(0, |c| c.matched - c.identical);
                if o.args == s.args {
                    t.identical += 1;
                } else {
                    let ex = report.examples.entry(s.name.clone()).or_default();
                    if ex.differs.is_none() {
                        ex.differs = Some(Example {
                            workload: workload.clone(),
                            strace: s.line(),
                            vmscope: Some(o.line()),
                        });
                    }
                }
                if o.args != s.args && report.differences.len() < 200 && shown < 2 {
                    report.differences.push(format!(
                        "{workload} tid {tid}: {}\n    strace:  ({})\n    vmscope: ({})",
                        s.name, s.args, o.args
                    ));
                }
            } else {
                let ex = report.examples.entry(s.name.clone()).or_default();
                if ex.missed.is_none() {
                    ex.missed = Some(Example {
                        workload: workload.clone(),
                        strace: s.line(),
                        vmscope: Some(o.line()),
                    });
                }
                if report.misses.len() < 40 {
                    report.misses.push(format!(
                        "{workload} tid {tid}: {}({}) = {:?}  [vmscope: ({}) = {:?}]",
                        s.name, s.args, s.ret, o.args, o.ret
                    ));
                }
            }
            let by_call = report.per_call.entry(s.name.clone()).or_default();
            by_call.matched += t.matched - before.matched;
            by_call.identical += t.identical - before.identical;
        }
        report.per_workload.entry(workload).or_default().add(t);
        report.overall.add(t);
    }
    report
}

/// Renders the report as a table.
pub fn render(report: &Report, verbose: bool) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<14} {:>7} {:>9} {:>11}",
        "workload", "calls", "matched", "identical"
    );
    for (w, t) in &report.per_workload {
        let _ = writeln!(
            s,
            "{:<14} {:>7} {:>8.2}% {:>10.2}%",
            w,
            t.total,
            t.matched_pct(),
            t.identical_pct()
        );
    }
    let t = report.overall;
    let _ = writeln!(
        s,
        "{:<14} {:>7} {:>8.2}% {:>10.2}%",
        "overall",
        t.total,
        t.matched_pct(),
        t.identical_pct()
    );
    if verbose {
        let _ = writeln!(s, "\nnot matched (first {}):", report.misses.len());
        for m in &report.misses {
            let _ = writeln!(s, "  {m}");
        }
        let _ = writeln!(
            s,
            "\nmatched, arguments differ (first {}):",
            report.differences.len()
        );
        for d in &report.differences {
            let _ = writeln!(s, "  {d}");
        }
    }
    s
}

/// `vmscope compare`.
pub fn run(journal: &Path, strace: &Path, verbose: bool, min_matched: Option<f64>) -> Result<u8> {
    let j = std::fs::read_to_string(journal)
        .with_context(|| format!("journal {}", journal.display()))?;
    let s = std::fs::read_to_string(strace)
        .with_context(|| format!("strace log {}", strace.display()))?;
    let report = compare(&parse_strace(&s), &parse_journal(&j));
    print!("{}", render(&report, verbose));
    if report.overall.total == 0 {
        anyhow::bail!("strace log {} holds no calls", strace.display());
    }
    if let Some(min) = min_matched
        && report.overall.matched_pct() < min
    {
        eprintln!(
            "vmscope: matched {:.2}% < {min}%",
            report.overall.matched_pct()
        );
        return Ok(1);
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strace_lines_parse_with_unfinished_calls_merged() {
        let log = parse_strace(
            "vmscope-guest: start threads\n\
             150   open(\"/etc/fstab\", O_RDONLY)      = 3\n\
             151   read(3,  <unfinished ...>\n\
             150   close(99)                         = -1 EBADF (Bad file descriptor)\n\
             151   <... read resumed>\"ab\", 2)      = 2\n\
             150   --- SIGCHLD {si_signo=SIGCHLD} ---\n\
             150   exit_group(0)                     = ?\n\
             150   +++ exited with 0 +++\n",
        );
        let t150 = &log.threads[&150];
        assert_eq!(t150.len(), 3);
        assert_eq!(t150[0].name, "open");
        assert_eq!(t150[0].args, "\"/etc/fstab\", O_RDONLY");
        assert_eq!(t150[1].ret, Some(-1));
        assert_eq!(t150[2].ret, None);
        assert_eq!(log.threads[&151][0].args, "3, \"ab\", 2");
        assert_eq!(log.threads[&151][0].ret, Some(2));
        assert_eq!(log.workload[&151], "threads");
    }

    #[test]
    fn a_call_killed_after_it_resumed_has_its_arguments_alone() {
        let log = parse_strace(
            "218   ppoll(NULL, 0, NULL, NULL, 4880536 <unfinished ...>\n\
             217   kill(218, SIGKILL)                = 0\n\
             218   <... ppoll resumed> <unfinished ...>) = ?\n\
             218   +++ killed by SIGKILL +++\n",
        );
        let t = &log.threads[&218];
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].args, "NULL, 0, NULL, NULL, 4880536");
        assert_eq!(t[0].ret, None);
    }

    #[test]
    fn comparison_counts_matches_and_misses() {
        let strace = parse_strace(
            "7 open(\"/etc/fstab\", O_RDONLY) = 3\n7 read(3, \"x\", 1) = 1\n7 close(3) = 0\n7 getpid() = 7\n",
        );
        let journal = parse_journal(concat!(
            r#"{"type":"syscall","ts":1,"tid":7,"name":"open","args":["\"/etc/fstab\"","O_RDONLY"],"ret_text":"3"}"#,
            "\n",
            r#"{"type":"syscall","ts":2,"tid":7,"name":"read","args":["3","\"y\"","1"],"ret_text":"1"}"#,
            "\n",
            r#"{"type":"syscall","ts":3,"tid":7,"name":"close","args":["3"],"ret_text":"-1 EBADF (Bad file descriptor)"}"#,
            "\n",
        ));
        let r = compare(&strace, &journal);
        assert_eq!(
            r.overall,
            Tally {
                total: 4,
                matched: 2,
                identical: 1
            }
        );
    }

    #[test]
    fn a_different_path_is_not_a_match() {
        let strace = parse_strace("7 open(\"/etc/fstab\", O_RDONLY) = 3\n");
        let journal = parse_journal(
            r#"{"type":"syscall","ts":1,"tid":7,"name":"open","args":["0x4000","O_RDONLY"],"ret_text":"3"}"#,
        );
        assert_eq!(compare(&strace, &journal).overall.matched, 0);
    }
}

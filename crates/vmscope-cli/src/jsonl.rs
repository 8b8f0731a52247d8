//! Reading a JSON Lines journal (`--format jsonl`) one event at a time, for `report` and `convert`.
//!
//! A journal is read as it is, including one whose run did not finish: a last line cut short (no
//! newline, not valid JSON) is dropped with a warning, so the rest can still be reported. A file
//! whose first line is not a JSON event is not a journal at all (a text journal, a binary file): that
//! is an error, one line. Bad lines further on are skipped and counted (one warning at the end).

use std::fs::File;
use std::io::{BufRead, BufReader, ErrorKind};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use serde_json::{Map, Value};

/// Lines longer than this are not events vmscope writes (captures are at most 1 MiB, escaped).
const MAX_LINE: usize = 64 << 20;

/// A journal opened for reading.
pub struct Reader {
    path: PathBuf,
    input: BufReader<File>,
    line: Vec<u8>,
    line_no: u64,
    events: u64,
    bytes: u64,
    skipped: u64,
    first_skipped: Option<u64>,
    truncated: bool,
}

impl Reader {
    /// Opens `path`; a missing or unreadable file is an error that names it.
    pub fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
        if file.metadata().is_ok_and(|m| m.is_dir()) {
            bail!("{} is a directory, not a journal", path.display());
        }
        Ok(Reader {
            path: path.to_path_buf(),
            input: BufReader::with_capacity(1 << 20, file),
            line: Vec::with_capacity(4096),
            line_no: 0,
            events: 0,
            bytes: 0,
            skipped: 0,
            first_skipped: None,
            truncated: false,
        })
    }

    /// The next event (a JSON object with a string `type`), `None` at the end.
    pub fn next_event(&mut self) -> Result<Option<Map<String, Value>>> {
        loop {
            let Some(complete) = self.read_line()? else {
                if self.events == 0 {
                    bail!(
                        "{} holds no events (an empty journal; vmscope writes one with --format jsonl)",
                        self.path.display()
                    );
                }
                return Ok(None);
            };
            let text = trim(&self.line);
            if text.is_empty() {
                continue;
            }
            match parse_event(text) {
                Some(ev) => {
                    self.events += 1;
                    return Ok(Some(ev));
                }
                None if !complete => {
                    // The last line, without its newline: the writer was stopped mid-line.
                    self.truncated = true;
                    if self.events == 0 {
                        bail!(
                            "{} is not a JSON Lines journal (its only line is not a JSON event; vmscope writes one with --format jsonl)",
                            self.path.display()
                        );
                    }
                    return Ok(None);
                }
                None if self.events == 0 => bail!(
                    "{} is not a JSON Lines journal (line {} is not a JSON object with a \"type\"; vmscope writes one with --format jsonl)",
                    self.path.display(),
                    self.line_no
                ),
                None => {
                    self.skipped += 1;
                    self.first_skipped.get_or_insert(self.line_no);
                }
            }
        }
    }

    /// Reads one line into `self.line`; `Some(true)` when it ended with a newline, `Some(false)`
    /// for a last line without one, `None` at the end of the file. Overlong lines are skipped.
    fn read_line(&mut self) -> Result<Option<bool>> {
        self.line.clear();
        let mut overlong = false;
        loop {
            let buf = match self.input.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(e).with_context(|| format!("reading {}", self.path.display()));
                }
            };
            if buf.is_empty() {
                if self.line.is_empty() && !overlong {
                    return Ok(None);
                }
                self.line_no += 1;
                if overlong {
                    self.line.clear();
                }
                return Ok(Some(false));
            }
            let (chunk, done) = match memchr(b'\n', buf) {
                Some(i) => (&buf[..=i], true),
                None => (buf, false),
            };
            let n = chunk.len();
            if !overlong {
                if self.line.len() + n > MAX_LINE {
                    overlong = true;
                    self.line.clear();
                } else {
                    self.line.extend_from_slice(chunk);
                }
            }
            self.input.consume(n);
            self.bytes += n as u64;
            if done {
                self.line_no += 1;
                if overlong {
                    // Counted as a bad line by the caller: an empty line is skipped, so mark it.
                    self.line.clear();
                    self.line.extend_from_slice(b"!");
                }
                return Ok(Some(true));
            }
        }
    }

    /// Events read so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Bytes read so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Whether the last line was cut short (and dropped).
    pub fn truncated(&self) -> bool {
        self.truncated
    }

    /// Lines that were not events (besides a truncated last line).
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// What the caller should tell the user once the journal was read: one line per problem.
    pub fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        if self.truncated {
            w.push(format!(
                "{}: the last line is cut short (a run that did not finish?); it was left out",
                self.path.display()
            ));
        }
        if self.skipped > 0 {
            w.push(format!(
                "{}: {} line(s) that are not JSON events were skipped (the first is line {})",
                self.path.display(),
                self.skipped,
                self.first_skipped.unwrap_or(0)
            ));
        }
        w
    }
}

fn trim(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    while end > 0 && matches!(line[end - 1], b'\n' | b'\r' | b' ' | b'\t') {
        end -= 1;
    }
    &line[..end]
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| b == needle)
}

/// A line as an event: a JSON object whose `type` is a string.
fn parse_event(text: &[u8]) -> Option<Map<String, Value>> {
    match serde_json::from_slice::<Value>(text).ok()? {
        Value::Object(m) if m.get("type").is_some_and(Value::is_string) => Some(m),
        _ => None,
    }
}

/// The size of a file, for messages (0 when unknown).
pub fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// Reads a whole small file (tests and tools); kept here so readers share one error wording.
#[allow(dead_code, reason = "used by tests only")]
pub fn read_all(path: &Path) -> Result<Vec<Map<String, Value>>> {
    let mut r = Reader::open(path)?;
    let mut out = Vec::new();
    while let Some(e) = r.next_event()? {
        out.push(e);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use std::io::Write;

    fn journal(name: &str, bytes: &[u8]) -> PathBuf {
        let p = std::env::temp_dir().join(format!("vmscope-jsonl-{}-{name}", std::process::id()));
        std::fs::File::create(&p).unwrap().write_all(bytes).unwrap();
        p
    }

    #[test]
    fn reads_events_and_drops_a_cut_last_line() {
        let p = journal(
            "cut",
            b"{\"type\":\"a\",\"ts\":1}\n\n{\"type\":\"b\"}\n{\"type\":\"syscall\",\"ts\":3,\"na",
        );
        let mut r = Reader::open(&p).unwrap();
        assert_eq!(r.next_event().unwrap().unwrap()["type"], "a");
        assert_eq!(r.next_event().unwrap().unwrap()["type"], "b");
        assert!(r.next_event().unwrap().is_none());
        assert!(r.truncated());
        assert_eq!(r.warnings().len(), 1);
        let _ = std::fs::remove_file(p);
    }

    #[test]
    fn a_text_journal_is_refused_in_one_line() {
        let p = journal(
            "text",
            b"# vmscope info: hello\n[pid 1 tid 1 init] getpid() = 1\n",
        );
        let mut r = Reader::open(&p).unwrap();
        let e = r.next_event().unwrap_err().to_string();
        assert!(e.contains("is not a JSON Lines journal"), "{e}");
        assert!(!e.contains('\n'));
        let _ = std::fs::remove_file(p);
    }

    #[test]
    fn bad_lines_in_the_middle_are_counted() {
        let p = journal(
            "mid",
            b"{\"type\":\"a\"}\nnot json\n[1,2]\n{\"type\":\"b\"}\n",
        );
        let all = read_all(&p).unwrap();
        assert_eq!(all.len(), 2);
        let mut r = Reader::open(&p).unwrap();
        while r.next_event().unwrap().is_some() {}
        assert_eq!(r.skipped(), 2);
        assert!(r.warnings()[0].contains("line 2"));
        let _ = std::fs::remove_file(p);
    }

    #[test]
    fn empty_and_binary_files_are_refused() {
        let p = journal("empty", b"");
        assert!(read_all(&p).unwrap_err().to_string().contains("no events"));
        let p2 = journal("bin", &[0x1f, 0x8b, 0x08, 0, 0, 0xff, 0xfe]);
        assert!(
            read_all(&p2)
                .unwrap_err()
                .to_string()
                .contains("not a JSON Lines journal")
        );
        let _ = std::fs::remove_file(p);
        let _ = std::fs::remove_file(p2);
    }
}

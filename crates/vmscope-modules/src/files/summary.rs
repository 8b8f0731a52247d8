//! The per-file summary: which processes did what to each file, journaled at the end of tracing.

use vmscope_core::event::{FileActivity, FileSummary, ProcessFileUse};

use super::table::{FileStats, MAX_SUMMARY_FILES, Tracker, Who, is_object_name};

impl Tracker {
    /// Records in the summary that `who` did `op` to `path`, moving `read` and `written` bytes.
    pub(super) fn note(
        &mut self,
        path: Option<&str>,
        who: &Who,
        op: FileActivity,
        read: u64,
        written: u64,
    ) {
        let Some(path) = path else { return };
        if !self.files.contains_key(path) {
            if self.files.len() >= MAX_SUMMARY_FILES {
                self.summary_dropped += 1;
                return;
            }
            let order = self.id();
            self.files.insert(
                path.to_string(),
                FileStats {
                    order,
                    procs: Vec::new(),
                },
            );
        }
        let Some(stats) = self.files.get_mut(path) else {
            return;
        };
        let i = match stats.procs.iter().position(|p| p.pid == who.pid) {
            Some(i) => i,
            None => {
                stats.procs.push(ProcessFileUse {
                    pid: who.pid,
                    comm: who.comm.clone(),
                    ops: Vec::new(),
                    bytes_read: 0,
                    bytes_written: 0,
                });
                stats.procs.len() - 1
            }
        };
        let p = &mut stats.procs[i];
        if who.comm.is_some() {
            p.comm.clone_from(&who.comm);
        }
        if !p.ops.contains(&op) {
            p.ops.push(op);
        }
        p.bytes_read += read;
        p.bytes_written += written;
    }

    /// The summary, one entry per file in order of first use, and forgets it.
    pub fn summary(&mut self, ts: u64) -> Vec<FileSummary> {
        let mut files: Vec<(String, FileStats)> = self.files.drain().collect();
        files.sort_by_key(|(_, s)| s.order);
        files
            .into_iter()
            .filter(|(path, _)| !is_object_name(path))
            .map(|(path, s)| {
                let by = |ops: &[FileActivity]| -> Vec<u32> {
                    s.procs
                        .iter()
                        .filter(|p| p.ops.iter().any(|o| ops.contains(o)))
                        .filter_map(|p| p.pid)
                        .collect()
                };
                FileSummary {
                    ts,
                    opened_by: by(&[FileActivity::Open, FileActivity::Create]),
                    read_by: by(&[FileActivity::Read]),
                    written_by: by(&[FileActivity::Write]),
                    renamed_by: by(&[FileActivity::Rename]),
                    deleted_by: by(&[FileActivity::Unlink, FileActivity::Rmdir]),
                    bytes_read: s.procs.iter().map(|p| p.bytes_read).sum(),
                    bytes_written: s.procs.iter().map(|p| p.bytes_written).sum(),
                    path,
                    processes: s.procs,
                }
            })
            .collect()
    }
}

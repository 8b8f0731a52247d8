//! `vmscope convert JOURNAL --to parquet --output DIR`: a JSON Lines journal as a Parquet dataset.
//!
//! One file per event type (`DIR/syscall.parquet`, `DIR/process.parquet`, ...), each with a `type`
//! column and one column per field the type's events carry; nested values (syscall `args`, `raw`,
//! process lists, stacks) are Parquet lists and structs. Types vmscope does not know get a table the
//! same way: the schema comes from the data. Two passes over the journal: the first infers each
//! type's schema (every field of every event, `shape.rs`), the second writes the rows in batches.
//! Readers take the whole dataset with `read_parquet('DIR/**/*.parquet', union_by_name=true)`
//! (DuckDB) or `spark.read.option("mergeSchema", "true").parquet(...)` (docs/report.md).

mod arrays;
mod shape;

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, Result, bail};
use arrow_array::RecordBatch;
use arrow_schema::{Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use serde_json::{Map, Value};

use crate::jsonl::Reader;
use shape::Record;

/// Rows handed to the Parquet writer at once, per type.
const BATCH_ROWS: usize = 8192;
/// Rows per Parquet row group (the unit readers split work on).
const ROW_GROUP_ROWS: usize = 256 * 1024;

/// Formats `vmscope convert` writes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// A directory of Parquet files, one per event type.
    Parquet,
}

/// Options of `vmscope convert`.
#[derive(clap::Args, Debug)]
pub struct ConvertArgs {
    /// The journal (`--format jsonl`).
    journal: PathBuf,
    /// The format to write.
    #[arg(long, value_enum, default_value_t = Target::Parquet)]
    to: Target,
    /// The dataset's directory: created (with its parents) if missing, and must be empty. Name it
    /// `ROOT/run=NAME` to keep many runs under one root that readers query together.
    #[arg(long, short, value_name = "DIR")]
    output: PathBuf,
}

/// What a conversion wrote.
#[derive(Debug, Default)]
pub struct Written {
    /// (type, file, rows), in the order types first appear in the journal.
    pub tables: Vec<(String, PathBuf, u64)>,
    /// Warnings about the journal (truncated last line, skipped lines).
    pub warnings: Vec<String>,
}

/// `vmscope convert`.
pub fn run(a: &ConvertArgs) -> Result<u8> {
    match a.to {
        Target::Parquet => {
            prepare_dir(&a.output)?;
            let w = to_parquet(&a.journal, &a.output)?;
            for line in &w.warnings {
                eprintln!("vmscope: warning: {line}");
            }
            let rows: u64 = w.tables.iter().map(|t| t.2).sum();
            let size: u64 = w.tables.iter().map(|t| crate::jsonl::file_size(&t.1)).sum();
            println!(
                "vmscope: {} events in {} tables under {} ({:.1} MB)",
                rows,
                w.tables.len(),
                a.output.display(),
                size as f64 / 1e6
            );
            Ok(0)
        }
    }
}

/// The JSON Lines journal `vmscope run --format parquet` has the plugin write in the dataset's
/// directory; converted and removed when the guest stops.
pub const PENDING_JOURNAL: &str = "vmscope-journal.jsonl";

/// Ends `vmscope run --format parquet`: converts the journal the plugin wrote in `dir`, then removes
/// it. A journal that cannot be converted is kept, and the error says where.
pub fn finish_run(dir: &Path) -> Result<()> {
    let journal = dir.join(PENDING_JOURNAL);
    if !journal.is_file() {
        bail!(
            "--format parquet: the plugin wrote no journal ({} is missing)",
            journal.display()
        );
    }
    let w = to_parquet(&journal, dir).with_context(|| {
        format!(
            "--format parquet: converting {} (kept; `vmscope convert` it by hand)",
            journal.display()
        )
    })?;
    for line in &w.warnings {
        eprintln!("vmscope: warning: {line}");
    }
    std::fs::remove_file(&journal)
        .with_context(|| format!("cannot remove {}", journal.display()))?;
    Ok(())
}

/// Makes `dir` ready for a dataset: created if missing, refused when it already holds files.
pub fn prepare_dir(dir: &Path) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        bail!("--output {}: exists and is not a directory", dir.display());
    }
    std::fs::create_dir_all(dir)
        .with_context(|| format!("--output {}: cannot create the directory", dir.display()))?;
    let mut entries = std::fs::read_dir(dir)
        .with_context(|| format!("--output {}: cannot read the directory", dir.display()))?;
    if entries.next().is_some() {
        bail!(
            "--output {}: the directory is not empty (a dataset is written into a new or empty directory)",
            dir.display()
        );
    }
    // Fail now, not after the first pass over a large journal, when the directory is read-only.
    let probe = dir.join(".vmscope-write-test");
    File::create(&probe)
        .with_context(|| format!("--output {}: cannot write there", dir.display()))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

/// A table being written.
struct Table {
    name: String,
    schema: Arc<Schema>,
    writer: ArrowWriter<File>,
    pending: Vec<Map<String, Value>>,
    path: PathBuf,
    rows: u64,
}

impl Table {
    fn flush(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let mut columns = Vec::with_capacity(self.schema.fields().len());
        let rows: Vec<Option<&Map<String, Value>>> = self.pending.iter().map(Some).collect();
        let fields = self.schema.fields();
        for (f, vals) in fields.iter().zip(arrays::scatter(&rows, fields)) {
            columns.push(
                arrays::build(f.data_type(), &vals)
                    .with_context(|| format!("table {}: column {}", self.name, f.name()))?,
            );
        }
        let batch = RecordBatch::try_new(self.schema.clone(), columns)
            .with_context(|| format!("table {}", self.name))?;
        self.writer
            .write(&batch)
            .with_context(|| format!("writing {}", self.path.display()))?;
        self.rows += self.pending.len() as u64;
        self.pending.clear();
        Ok(())
    }
}

/// Converts `journal` into Parquet files in `dir` (which must exist; see [`prepare_dir`]).
pub fn to_parquet(journal: &Path, dir: &Path) -> Result<Written> {
    // Pass 1: every type's schema, from every event.
    let mut order: Vec<String> = Vec::new();
    let mut records: HashMap<String, Record> = HashMap::new();
    let mut r = Reader::open(journal)?;
    while let Some(ev) = r.next_event()? {
        let Some(Value::String(t)) = ev.get("type") else {
            continue;
        };
        let rec = match records.get_mut(t.as_str()) {
            Some(rec) => rec,
            None => {
                order.push(t.clone());
                records.entry(t.clone()).or_default()
            }
        };
        // A record only refuses members past its width limit: those columns are left out.
        let _ = rec.merge_object(&ev, 0);
    }
    let warnings = r.warnings();
    let expected = r.events();

    // The files, one per type, named after it (made safe for a file name).
    let mut tables: Vec<Table> = Vec::with_capacity(order.len());
    let mut by_type: HashMap<String, usize> = HashMap::new();
    let mut used: HashMap<String, usize> = HashMap::new();
    let source = journal
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for t in &order {
        let rec = &records[t];
        let mut fields: Vec<Field> = shape::fields(rec).iter().map(|f| (**f).clone()).collect();
        if let Some(i) = fields.iter().position(|f| f.name() == "type") {
            let f = fields.remove(i);
            fields.insert(0, f);
        }
        let schema = Arc::new(Schema::new(fields));
        let mut stem = file_stem(t);
        let n = used.entry(stem.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            stem = format!("{stem}-{n}");
        }
        let path = dir.join(format!("{stem}.parquet"));
        let file =
            File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .set_created_by(format!("vmscope {}", env!("CARGO_PKG_VERSION")))
            .set_key_value_metadata(Some(vec![
                KeyValue::new("vmscope.journal".to_string(), source.clone()),
                KeyValue::new("vmscope.type".to_string(), t.clone()),
            ]))
            .build();
        let writer = ArrowWriter::try_new(file, schema.clone(), Some(props))
            .with_context(|| format!("table {t}: cannot start {}", path.display()))?;
        by_type.insert(t.clone(), tables.len());
        tables.push(Table {
            name: t.clone(),
            schema,
            writer,
            pending: Vec::with_capacity(BATCH_ROWS),
            path,
            rows: 0,
        });
    }

    // Pass 2: the rows. Only the events pass 1 saw (the file may have grown since).
    let mut r = Reader::open(journal)?;
    let mut seen = 0u64;
    while seen < expected
        && let Some(ev) = r.next_event()?
    {
        seen += 1;
        let Some(&i) = ev
            .get("type")
            .and_then(Value::as_str)
            .and_then(|t| by_type.get(t))
        else {
            continue;
        };
        let table = &mut tables[i];
        table.pending.push(ev);
        if table.pending.len() >= BATCH_ROWS {
            table.flush()?;
        }
    }
    let mut out = Written {
        tables: Vec::with_capacity(tables.len()),
        warnings,
    };
    for mut t in tables {
        t.flush()?;
        t.writer
            .close()
            .with_context(|| format!("finishing {}", t.path.display()))?;
        out.tables.push((t.name, t.path, t.rows));
    }
    Ok(out)
}

/// A type name as a file name: letters, digits, `_` and `-` kept, anything else `_`.
fn file_stem(t: &str) -> String {
    let s: String = t
        .chars()
        .take(100)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() { "_".to_string() } else { s }
}

#[cfg(test)]
mod tests {
    use super::file_stem;

    #[test]
    fn type_names_make_safe_file_names() {
        assert_eq!(file_stem("syscall"), "syscall");
        assert_eq!(file_stem("../x y"), "___x_y");
        assert_eq!(file_stem(""), "_");
    }
}

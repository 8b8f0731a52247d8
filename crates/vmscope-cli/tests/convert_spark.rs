//! Datasets of two runs under one root (`ROOT/run=a`, `ROOT/run=b`), read together by Apache Spark in
//! local mode (PyPI's `pyspark`, Java 17): the queries docs/report.md shows. Spark reads one event type
//! at a time (all runs): types share field names with other meanings (`end` of a call is text, `end`
//! of a memory region an address), which Spark's schema merging refuses to put in one column.
//!
//! Not run by default: about 80 s on a loaded 2-core machine (most of it Spark starting), after a
//! 500 MB install of pyspark and Java (`scripts/install-host-deps.sh --spark`); run it with
//! `cargo test --release -p vmscope-cli --test convert_spark -- --ignored`. Run so, it fails without
//! pyspark unless VMSCOPE_SKIP_SPARK=1 (README.md here).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test may panic"
)]

mod common;
mod journals;

use std::collections::BTreeMap;

use common::{tempdir, vmscope};
use journals::Size;
use serde_json::Value;

const SPARK: &str = r#"
import json, sys
from pyspark.sql import SparkSession
root = sys.argv[1]
spark = (SparkSession.builder.master("local[1]").appName("vmscope-test")
         .config("spark.ui.enabled", "false")
         .config("spark.sql.shuffle.partitions", "1")
         .config("spark.driver.bindAddress", "127.0.0.1")
         .config("spark.driver.host", "127.0.0.1")
         .getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
def table(t):
    # One event type, every run: runs may differ in the fields they have.
    return spark.read.option("mergeSchema", "true").option("basePath", root).parquet(f"{root}/*/{t}.parquet")
# Every file has `type` (and the partition `run`): read just those, without merging schemas.
every = spark.read.option("basePath", root).parquet(f"{root}/*/*.parquet").select("run", "type")
counts = {f"{r['run']}/{r['type']}": r["count"] for r in every.groupBy("run", "type").count().collect()}
calls = table("syscall")
calls.createOrReplaceTempView("syscall")
failed = spark.sql("select run, name, count(*) as n from syscall where ret < 0 group by run, name").collect()
first = spark.sql("select args[1] as path, raw[0] as r0, stack[0].symbol as sym from syscall "
                  "where name = 'openat' and stack is not null limit 1").collect()[0]
print(json.dumps({
    "counts": counts,
    "failed": {f"{r['run']}/{r['name']}": r["n"] for r in failed},
    "path": first["path"], "r0": str(first["r0"]), "sym": first["sym"],
    "raw_type": calls.schema["raw"].dataType.simpleString(),
}))
spark.stop()
"#;

#[test]
#[ignore = "Spark: 80 s and a 500 MB install; `install-host-deps.sh --spark`, then run with --ignored"]
fn spark_reads_many_runs_together() {
    let Some(mut py) = journals::python_with("pyspark", "VMSCOPE_SKIP_SPARK") else {
        return;
    };
    let d = tempdir("spark");
    let root = d.join("fleet");
    let mut expected = BTreeMap::new();
    for (run, procs) in [("a", 3u64), ("b", 8)] {
        let j = d.join(format!("{run}.jsonl"));
        for (t, n) in journals::write(&j, Size { procs, calls: 12 }) {
            expected.insert(format!("{run}/{t}"), n);
        }
        let out = vmscope()
            .args(["convert", j.to_str().unwrap(), "--output"])
            .arg(root.join(format!("run={run}")))
            .output()
            .unwrap();
        assert!(out.status.success());
    }
    let t = std::time::Instant::now();
    let out = py.args(["-c", SPARK]).arg(&root).output().unwrap();
    assert!(
        out.status.success(),
        "spark: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("spark took {:.0} s", t.elapsed().as_secs_f64());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let got: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    let counts: BTreeMap<String, u64> = got["counts"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
        .collect();
    assert_eq!(counts, expected);
    // 12 calls per process, two failing openat each.
    assert_eq!(got["failed"]["a/openat"], 3 * 2);
    assert_eq!(got["failed"]["b/openat"], 8 * 2);
    assert_eq!(got["path"], "\"/etc/wl/0.conf\"");
    assert_eq!(got["r0"], "18446744073709551516");
    assert_eq!(got["sym"], "do_work");
    // Unsigned 64-bit registers: Spark reads them as 20-digit decimals, the same in every run.
    assert_eq!(got["raw_type"], "array<decimal(20,0)>");
    let _ = std::fs::remove_dir_all(d);
}

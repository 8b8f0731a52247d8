//! The report's timeline: events per type over time, bucketed here so the page draws a few hundred
//! bars whatever the journal's size.
//!
//! Counts go into at most `MAX_FINE` fine buckets from the first event's time; when a later event
//! falls past the last one, the bucket width doubles (neighbours merge). At the end the fine buckets
//! are summed into `SHOWN` buckets across the events' span.

use serde::Serialize;

const MAX_FINE: usize = 8192;
const SHOWN: usize = 240;
/// The first fine bucket width: 100 µs.
const FIRST_WIDTH: u64 = 100_000;

/// Fine-grained counts per event type.
pub struct Histogram {
    origin: Option<u64>,
    width: u64,
    /// Per type (in first-seen order, as the caller indexes them): counts per fine bucket.
    series: Vec<Vec<u32>>,
}

/// What the page draws.
#[derive(Debug, Serialize)]
pub struct Timeline {
    /// Start of the first bucket (ns).
    pub t0: u64,
    /// Width of a bucket (ns).
    pub width: u64,
    /// Per type: (type, counts per bucket).
    pub series: Vec<(String, Vec<u32>)>,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            origin: None,
            width: FIRST_WIDTH,
            series: Vec::new(),
        }
    }
}

impl Histogram {
    /// Counts one event of type index `ty` at `ts`.
    pub fn add(&mut self, ty: usize, ts: u64) {
        let origin = *self.origin.get_or_insert(ts);
        let mut b = (ts.saturating_sub(origin) / self.width) as usize;
        while b >= MAX_FINE {
            self.coarsen();
            b = (ts.saturating_sub(origin) / self.width) as usize;
        }
        if self.series.len() <= ty {
            self.series.resize_with(ty + 1, Vec::new);
        }
        let s = &mut self.series[ty];
        if s.len() <= b {
            s.resize(b + 1, 0);
        }
        s[b] = s[b].saturating_add(1);
    }

    fn coarsen(&mut self) {
        self.width *= 2;
        for s in &mut self.series {
            let merged: Vec<u32> = s
                .chunks(2)
                .map(|c| c.iter().fold(0u32, |a, x| a.saturating_add(*x)))
                .collect();
            *s = merged;
        }
    }

    /// The shown buckets over [first, last] (earlier events are left out), `names[i]` naming type
    /// index `i`.
    pub fn finish(&self, names: &[String], first: u64, last: u64) -> Timeline {
        let origin = self.origin.unwrap_or(first);
        let span = last.saturating_sub(first).max(1);
        let width = span.div_ceil(SHOWN as u64).max(1);
        let mut series = Vec::new();
        for (i, fine) in self.series.iter().enumerate() {
            if fine.iter().all(|c| *c == 0) {
                continue;
            }
            let mut out = vec![0u32; SHOWN];
            for (b, c) in fine.iter().enumerate() {
                if *c == 0 {
                    continue;
                }
                let mid = origin + b as u64 * self.width + self.width / 2;
                if mid + self.width / 2 < first {
                    continue;
                }
                let k = (mid.saturating_sub(first) / width).min(SHOWN as u64 - 1) as usize;
                out[k] = out[k].saturating_add(*c);
            }
            series.push((names.get(i).cloned().unwrap_or_default(), out));
        }
        Timeline {
            t0: first,
            width,
            series,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_lands_in_a_bucket() {
        let mut h = Histogram::default();
        let n = 100_000u64;
        for i in 0..n {
            h.add((i % 3) as usize, 1_000_000_000 + i * 37_000);
        }
        let names = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        let t = h.finish(&names, 1_000_000_000, 1_000_000_000 + (n - 1) * 37_000);
        let total: u64 = t
            .series
            .iter()
            .flat_map(|s| s.1.iter())
            .map(|c| u64::from(*c))
            .sum();
        assert_eq!(total, n);
        assert_eq!(t.series.len(), 3);
        assert_eq!(t.series[0].1.len(), SHOWN);
    }
}

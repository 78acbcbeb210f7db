//! The naive-vs-persistent picture: which SM computed which output tile, and when.
//!
//! Recording happens on the GPU (`tessera::record`, the `tessera-viz` binary); this module only
//! renders, from [`Records`] (saved as JSON), so it runs and is tested on any machine:
//! - [`timeline`]: one row per SM, one box per tile, coloured by the order tiles started in,
//!   for each grid (SVG and PNG);
//! - [`animation`]: an animated SVG of the tiles of the output matrix filling up on both grids,
//!   on one clock.

pub mod animation;
pub mod timeline;

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// One tile of a recorded launch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tile {
    /// Tile row and column in the output.
    pub m: u32,
    pub n: u32,
    /// The SM that computed it.
    pub sm: u32,
    /// The block that computed it.
    pub block: u32,
    /// Global timer (ns) when the block was handed the tile, and when it was done with it
    /// (the end includes the epilogue).
    pub start_ns: u64,
    pub end_ns: u64,
}

/// One recorded launch on one grid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// `naive` or `persistent`.
    pub schedule: String,
    /// Blocks launched.
    pub blocks: u32,
    pub tiles_m: u32,
    pub tiles_n: u32,
    pub tiles: Vec<Tile>,
}

impl Run {
    /// The earliest start and the latest end, in ns.
    pub fn span(&self) -> (u64, u64) {
        let start = self.tiles.iter().map(|t| t.start_ns).min().unwrap_or(0);
        let end = self.tiles.iter().map(|t| t.end_ns).max().unwrap_or(start);
        (start, end)
    }

    /// Milliseconds from the first tile's start to the last tile's end.
    pub fn ms(&self) -> f64 {
        let (start, end) = self.span();
        (end - start) as f64 * 1e-6
    }

    /// Each tile's rank in start order (ties broken by position), by index in `tiles`.
    pub fn start_ranks(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.tiles.len()).collect();
        order.sort_by_key(|&i| (self.tiles[i].start_ns, self.tiles[i].m, self.tiles[i].n));
        let mut rank = vec![0; order.len()];
        for (r, i) in order.into_iter().enumerate() {
            rank[i] = r;
        }
        rank
    }
}

/// Everything a picture needs: the machine, the problem, a run per grid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Records {
    pub gpu: String,
    pub sm_count: u32,
    pub m: usize,
    pub n: usize,
    pub k: usize,
    /// `(block_m, block_n)` of a tile.
    pub tile: (u32, u32),
    pub runs: Vec<Run>,
}

impl Records {
    /// A line naming the problem: `NVIDIA H100 80GB HBM3, 8192 × 8192 × 1024 fp32, 128 × 128 tiles`.
    pub fn title(&self) -> String {
        format!(
            "{}, {} × {} × {} fp32, {} × {} tiles",
            self.gpu, self.m, self.n, self.k, self.tile.0, self.tile.1
        )
    }
}

/// A colour from a perceptually ordered ramp (dark blue → green → yellow), `t` in `[0, 1]`.
pub fn ramp(t: f64) -> (u8, u8, u8) {
    const STOPS: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let x = t.clamp(0.0, 1.0) * (STOPS.len() - 1) as f64;
    let i = (x.floor() as usize).min(STOPS.len() - 2);
    let f = x - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |p: f64, q: f64| (p + (q - p) * f).round() as u8;
    (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Writes `STEM-timeline.svg`, `STEM-timeline.png` and `STEM-animation.svg`; returns them.
pub fn render(records: &Records, stem: &Path) -> Result<Vec<PathBuf>, String> {
    if records.runs.is_empty() || records.runs.iter().any(|r| r.tiles.is_empty()) {
        return Err("the records have a run without tiles".into());
    }
    let name = stem.file_name().unwrap_or_default().to_string_lossy();
    let path = |suffix: &str| stem.with_file_name(format!("{name}{suffix}"));
    let (svg, png, anim) = (
        path("-timeline.svg"),
        path("-timeline.png"),
        path("-animation.svg"),
    );
    timeline::render(records, &svg, &png)?;
    std::fs::write(&anim, animation::svg(records))
        .map_err(|e| format!("{}: {e}", anim.display()))?;
    Ok(vec![svg, png, anim])
}

/// Reads records saved as JSON.
pub fn parse_json(text: &str) -> Result<Records, String> {
    serde_json::from_str(text).map_err(|e| format!("not a records file: {e}"))
}

#[cfg(test)]
pub(crate) mod synthetic {
    use super::*;

    /// A made-up launch of `tiles_m × tiles_n` tiles on `sms` SMs holding `slots` blocks each:
    /// each tile takes `tile_ns` (a little longer on some SMs), a block's start costs
    /// `setup_ns`; the naive grid hands each new block to the first free slot.
    pub fn records(tiles_m: u32, tiles_n: u32, sms: u32, slots: u32) -> Records {
        let (tile_ns, setup_ns) = (10_000u64, 1_500u64);
        let count = tiles_m * tiles_n;
        let duration = |sm: u32| tile_ns + (sm as u64 % 5) * 600;
        let tile_at = |i: u32| (i % tiles_m, i / tiles_m);
        // Naive: block i on the slot that frees first.
        let mut free = vec![0u64; (sms * slots) as usize];
        let mut naive = Vec::new();
        for i in 0..count {
            let (slot, &t0) = free.iter().enumerate().min_by_key(|&(_, t)| *t).unwrap();
            let sm = slot as u32 % sms;
            let start = t0 + setup_ns;
            let end = start + duration(sm);
            free[slot] = end;
            let (m, n) = tile_at(i);
            naive.push(Tile {
                m,
                n,
                sm,
                block: i,
                start_ns: start,
                end_ns: end,
            });
        }
        // Persistent: block b on slot b, tiles b, b + blocks, ...
        let blocks = (sms * slots).min(count);
        let mut persistent = Vec::new();
        for b in 0..blocks {
            let sm = b % sms;
            let mut t = setup_ns;
            for i in (b..count).step_by(blocks as usize) {
                let (m, n) = tile_at(i);
                persistent.push(Tile {
                    m,
                    n,
                    sm,
                    block: b,
                    start_ns: t,
                    end_ns: t + duration(sm),
                });
                t += duration(sm);
            }
        }
        let run = |schedule: &str, blocks, tiles| Run {
            schedule: schedule.into(),
            blocks,
            tiles_m,
            tiles_n,
            tiles,
        };
        Records {
            gpu: "Synthetic GPU".into(),
            sm_count: sms,
            m: tiles_m as usize * 128,
            n: tiles_n as usize * 128,
            k: 1024,
            tile: (128, 128),
            runs: vec![
                run("naive", count, naive),
                run("persistent", blocks, persistent),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_follow_start_times() {
        let r = &synthetic::records(4, 5, 3, 2).runs[1];
        let ranks = r.start_ranks();
        let mut by_rank = vec![0; ranks.len()];
        for (i, &k) in ranks.iter().enumerate() {
            by_rank[k] = i;
        }
        assert!(
            by_rank
                .windows(2)
                .all(|w| r.tiles[w[0]].start_ns <= r.tiles[w[1]].start_ns)
        );
    }

    #[test]
    fn ramp_runs_dark_to_light() {
        let (dark, light) = (ramp(0.0), ramp(1.0));
        assert_eq!(dark, (68, 1, 84));
        assert_eq!(light, (253, 231, 37));
        assert_eq!(ramp(2.0), light);
    }

    #[test]
    fn renders_timeline_and_animation_from_json() {
        let dir = tempfile::tempdir().unwrap();
        let records = synthetic::records(12, 16, 10, 2);
        let text = serde_json::to_string(&records).unwrap();
        let parsed = parse_json(&text).unwrap();
        assert_eq!(parsed, records);
        let written = render(&parsed, &dir.path().join("viz")).unwrap();
        for path in &written {
            let len = std::fs::metadata(path).unwrap().len();
            assert!(len > 10_000, "{} is {len} bytes", path.display());
        }
        let anim = std::fs::read_to_string(&written[2]).unwrap();
        assert_eq!(anim.matches("<animate ").count(), 2 * 12 * 16 + 2);
        assert!(anim.contains("repeatCount=\"indefinite\""));
    }
}

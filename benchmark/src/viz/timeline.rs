//! Timelines: one row per SM, one box per tile from its start to its end, coloured by the
//! order the tiles started in; one panel per grid, on a common time axis.

use super::{Records, Run, ramp};
use crate::font::{self, FAMILY};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// Where each tile of `run` is drawn: `(sm, lane)`, lanes separating blocks that were on the
/// same SM at the same time. Returns the lanes and the number of lanes per SM.
pub fn lanes(run: &Run) -> (Vec<(u32, u32)>, u32) {
    let mut order: Vec<usize> = (0..run.tiles.len()).collect();
    order.sort_by_key(|&i| (run.tiles[i].sm, run.tiles[i].start_ns));
    let mut placed = vec![(0, 0); run.tiles.len()];
    let mut busy_until: Vec<u64> = Vec::new(); // per lane of the current SM
    let mut sm = None;
    let mut most = 1;
    for i in order {
        let t = run.tiles[i];
        if sm != Some(t.sm) {
            sm = Some(t.sm);
            busy_until.clear();
        }
        let lane = match busy_until.iter().position(|&end| end <= t.start_ns) {
            Some(l) => l,
            None => {
                busy_until.push(0);
                busy_until.len() - 1
            }
        };
        busy_until[lane] = t.end_ns;
        most = most.max(busy_until.len() as u32);
        placed[i] = (t.sm, lane as u32);
    }
    (placed, most)
}

/// Writes the timelines as SVG to `svg` and PNG to `png`.
pub fn render(records: &Records, svg: &Path, png: &Path) -> Result<(), String> {
    font::register();
    let sms = records
        .runs
        .iter()
        .flat_map(|r| r.tiles.iter().map(|t| t.sm + 1))
        .max()
        .unwrap_or(1)
        .max(records.sm_count);
    let panel_height = (3 * sms * 2).clamp(300, 900) + 90;
    let size = (1400, 40 + panel_height * records.runs.len() as u32);
    draw(SVGBackend::new(svg, size).into_drawing_area(), records, sms)?;
    draw(
        BitMapBackend::new(png, size).into_drawing_area(),
        records,
        sms,
    )
}

fn err(e: impl std::fmt::Display) -> String {
    format!("drawing the timeline failed: {e}")
}

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    records: &Records,
    sms: u32,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(err)?;
    let root = root
        .titled(
            &format!("{}: which SM computed which tile, when", records.title()),
            (FAMILY, 22),
        )
        .map_err(err)?;
    let longest_us = records
        .runs
        .iter()
        .map(|r| r.ms() * 1e3)
        .fold(0.0, f64::max)
        .max(1e-3);
    for (area, run) in root
        .split_evenly((records.runs.len(), 1))
        .iter()
        .zip(&records.runs)
    {
        let (placed, per_sm) = lanes(run);
        let rows = (sms * per_sm) as f64;
        let (t0, _) = run.span();
        let mut chart = ChartBuilder::on(area)
            .caption(
                format!(
                    "{} grid: {} blocks, {} tiles, {:.3} ms (colour: order the tiles started in)",
                    run.schedule,
                    run.blocks,
                    run.tiles.len(),
                    run.ms()
                ),
                (FAMILY, 18),
            )
            .margin(10)
            .x_label_area_size(45)
            .y_label_area_size(60)
            .build_cartesian_2d(0f64..longest_us * 1.02, rows..0f64)
            .map_err(err)?;
        let label_every = (sms / 8).max(1);
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("µs since the first tile started")
            .y_desc("SM")
            .y_labels((sms / label_every + 1) as usize)
            .y_label_formatter(&|y| format!("{:.0}", y / per_sm as f64))
            .label_style((FAMILY, 14))
            .axis_desc_style((FAMILY, 16))
            .draw()
            .map_err(err)?;
        let ranks = run.start_ranks();
        let count = run.tiles.len().max(2) - 1;
        chart
            .draw_series(run.tiles.iter().enumerate().map(|(i, t)| {
                let (sm, lane) = placed[i];
                let row = (sm * per_sm + lane) as f64;
                let x0 = (t.start_ns - t0) as f64 * 1e-3;
                let x1 = (t.end_ns.max(t.start_ns) - t0) as f64 * 1e-3;
                let (r, g, b) = ramp(ranks[i] as f64 / count as f64);
                Rectangle::new(
                    [(x0, row + 0.1), (x1, row + 0.9)],
                    RGBColor(r, g, b).filled(),
                )
            }))
            .map_err(err)?;
    }
    root.present().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::viz::synthetic;

    #[test]
    fn overlapping_blocks_get_separate_lanes() {
        let records = synthetic::records(6, 8, 4, 2);
        for run in &records.runs {
            let (placed, per_sm) = lanes(run);
            assert_eq!(per_sm, 2, "{}", run.schedule);
            for (i, a) in run.tiles.iter().enumerate() {
                for (j, b) in run.tiles.iter().enumerate().skip(i + 1) {
                    let overlap = a.start_ns < b.end_ns && b.start_ns < a.end_ns;
                    if overlap && a.sm == b.sm {
                        assert_ne!(placed[i], placed[j]);
                    }
                }
            }
        }
    }
}

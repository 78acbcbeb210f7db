//! An animated SVG (SMIL) of the output matrix filling up: one grid of tiles per schedule,
//! side by side, on one clock. A tile is light grey until its block is handed it, black while
//! in progress, then the colour of the SM that computed it.

use super::Records;
use std::fmt::Write;

/// Seconds of animation for the slowest run; the picture then holds for [`HOLD_S`].
const PLAY_S: f64 = 8.0;
const HOLD_S: f64 = 2.0;
/// Pixels for the larger side of each matrix.
const MATRIX_PX: f64 = 560.0;

/// The colour of SM `sm`: hues spread by the golden angle so that neighbours differ.
fn sm_colour(sm: u32) -> String {
    let hue = (sm as f64 * 137.508) % 360.0;
    format!("hsl({hue:.0},65%,55%)")
}

/// The animated SVG document.
pub fn svg(records: &Records) -> String {
    let longest_ns = records
        .runs
        .iter()
        .map(|r| {
            let (s, e) = r.span();
            e - s
        })
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let total = PLAY_S + HOLD_S;
    // Fraction of the animation's cycle at which `ns` after a run's start falls.
    let at = |ns: u64| ns as f64 / longest_ns * PLAY_S / total;
    let gap = 60.0;
    let width = records.runs.len() as f64 * (MATRIX_PX + gap) + gap;
    let height = MATRIX_PX + 150.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Verdana, sans-serif">"#
    );
    let _ = writeln!(
        s,
        r#"<rect width="100%" height="100%" fill="white"/><text x="{gap}" y="30" font-size="18">{}</text>"#,
        records.title()
    );
    let _ = writeln!(
        s,
        r##"<text x="{gap}" y="52" font-size="13" fill="#444">grey: waiting, black: in progress, colour: the SM that computed the tile; both grids on one clock ({PLAY_S:.0} s = {:.3} ms)</text>"##,
        longest_ns * 1e-6
    );
    for (i, run) in records.runs.iter().enumerate() {
        let x0 = gap + i as f64 * (MATRIX_PX + gap);
        let y0 = 110.0;
        let cell = MATRIX_PX / run.tiles_m.max(run.tiles_n) as f64;
        let (t0, t_end) = run.span();
        let _ = writeln!(
            s,
            r#"<text x="{x0}" y="{:.1}" font-size="16">{} grid: {} blocks, {:.3} ms</text>"#,
            y0 - 30.0,
            run.schedule,
            run.blocks,
            run.ms()
        );
        // A bar that grows with the run's clock and stops when its last tile is done.
        let done = at(t_end - t0);
        let _ = writeln!(
            s,
            r##"<rect x="{x0}" y="{:.1}" height="6" width="0" fill="#d62728"><animate attributeName="width" values="0;{:.1};{:.1}" keyTimes="0;{done:.5};1" dur="{total}s" repeatCount="indefinite"/></rect>"##,
            y0 - 20.0,
            cell * run.tiles_n as f64,
            cell * run.tiles_n as f64
        );
        for t in &run.tiles {
            let (start, end) = (at(t.start_ns - t0), at(t.end_ns.max(t.start_ns) - t0));
            let _ = writeln!(
                s,
                r##"<rect x="{:.2}" y="{:.2}" width="{:.2}" height="{:.2}" fill="#e8e8e8"><animate attributeName="fill" values="#e8e8e8;#111;{}" keyTimes="0;{start:.5};{end:.5}" calcMode="discrete" dur="{total}s" repeatCount="indefinite"/></rect>"##,
                x0 + t.n as f64 * cell,
                y0 + t.m as f64 * cell,
                cell * 0.92,
                cell * 0.92,
                sm_colour(t.sm)
            );
        }
    }
    s.push_str("</svg>\n");
    s
}

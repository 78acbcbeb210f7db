//! Plots of a benchmark run, rendered from its JSON ([`Report`]) as SVG and PNG.
//!
//! - `STEM.svg` / `STEM.png`: TFLOP/s per shape, one bar per kernel and grid next to cuBLAS,
//!   one panel per dtype, with the GPU's peak ([`peak::tflops`]) as a horizontal line.
//! - `STEM-ksweep.svg` / `.png`, when the run has shapes that differ only in K (the `ksweep`
//!   suite): TFLOP/s against K, one line per kernel.

use crate::font::{self, FAMILY};
use crate::peak;
use crate::report::{Report, Row};
use crate::suite::Shape;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// Kernel-family colours, in order of a family's first appearance (a family is a series name
/// without its `/naive` or `/persistent` grid); cuBLAS is always [`CUBLAS`].
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(23, 190, 207),
    RGBColor(188, 189, 34),
    RGBColor(0, 0, 128),
    RGBColor(128, 0, 0),
];
const CUBLAS: RGBColor = RGBColor(70, 70, 70);
const PEAK: RGBColor = RGBColor(214, 39, 40);

/// The rows of one dtype, arranged for drawing.
#[derive(Debug, PartialEq)]
pub struct Panel<'a> {
    pub dtype: &'a str,
    /// Shapes in the order the run measured them.
    pub shapes: Vec<&'a str>,
    /// `cublas` first, then the kernels in the order the run measured them.
    pub series: Vec<&'a str>,
    pub rows: Vec<&'a Row>,
}

impl Panel<'_> {
    fn tflops(&self, shape: &str, series: &str) -> Option<f64> {
        self.rows
            .iter()
            .find(|r| r.shape == shape && r.kernel == series)
            .map(|r| r.tflops)
    }

    fn max_tflops(&self) -> f64 {
        self.rows.iter().map(|r| r.tflops).fold(0.0, f64::max)
    }
}

fn push_unique<'a>(v: &mut Vec<&'a str>, s: &'a str) {
    if !v.contains(&s) {
        v.push(s);
    }
}

/// One panel per dtype, in the order the run measured them.
pub fn panels(report: &Report) -> Vec<Panel<'_>> {
    let mut dtypes = Vec::new();
    for r in &report.rows {
        push_unique(&mut dtypes, &r.dtype);
    }
    dtypes
        .into_iter()
        .map(|dtype| {
            let rows: Vec<&Row> = report.rows.iter().filter(|r| r.dtype == dtype).collect();
            let (mut shapes, mut series) = (Vec::new(), Vec::new());
            for r in &rows {
                push_unique(&mut shapes, &r.shape);
                push_unique(&mut series, &r.kernel);
            }
            series.sort_by_key(|s| *s != "cublas");
            Panel {
                dtype,
                shapes,
                series,
                rows,
            }
        })
        .collect()
}

/// A set of shapes with the same `M × N` and at least three values of `K`: `(m, n, [(k,
/// shape name)])`, K ascending.
pub type KSweep<'a> = (usize, usize, Vec<(usize, &'a str)>);

/// The K sweeps among a panel's shapes.
pub fn k_sweeps<'a>(panel: &Panel<'a>) -> Vec<KSweep<'a>> {
    let mut sweeps: Vec<KSweep> = Vec::new();
    for &name in &panel.shapes {
        let Ok(s) = Shape::parse(name) else { continue };
        match sweeps.iter_mut().find(|(m, n, _)| (*m, *n) == (s.m, s.n)) {
            Some((_, _, ks)) if !ks.iter().any(|&(k, _)| k == s.k) => ks.push((s.k, name)),
            Some(_) => {}
            None => sweeps.push((s.m, s.n, vec![(s.k, name)])),
        }
    }
    sweeps.retain(|(_, _, ks)| ks.len() >= 3);
    for (_, _, ks) in &mut sweeps {
        ks.sort();
    }
    sweeps
}

/// A series name without its grid, and whether that grid is the naive one.
fn family(series: &str) -> (&str, bool) {
    match series.rsplit_once('/') {
        Some((family, "naive")) => (family, true),
        Some((family, "persistent")) => (family, false),
        _ => (series, false),
    }
}

/// The family's colour; the naive grid gets a light shade of it, so each naive/persistent
/// pair reads as one kernel on two grids.
fn colour(panel: &Panel, series: &str) -> RGBColor {
    if series == "cublas" {
        return CUBLAS;
    }
    let mut families: Vec<&str> = Vec::new();
    for s in panel.series.iter().filter(|s| **s != "cublas") {
        let f = family(s).0;
        if !families.contains(&f) {
            families.push(f);
        }
    }
    let (name, naive) = family(series);
    let i = families.iter().position(|f| *f == name).unwrap_or(0);
    let RGBColor(r, g, b) = PALETTE[i % PALETTE.len()];
    if naive {
        let light = |c: u8| c + (255 - c) / 2;
        RGBColor(light(r), light(g), light(b))
    } else {
        RGBColor(r, g, b)
    }
}

type DrawResult = Result<(), String>;

fn err(e: impl std::fmt::Display) -> String {
    format!("drawing failed: {e}")
}

/// Writes the plots of `report` as `STEM.svg`, `STEM.png` (and the K-sweep pair when the run
/// has one); returns the files written.
pub fn render(report: &Report, stem: &Path) -> Result<Vec<PathBuf>, String> {
    font::register();
    let panels = panels(report);
    if panels.is_empty() {
        return Err("the result has no rows to plot".into());
    }
    let widest = panels.iter().map(|p| p.shapes.len()).max().unwrap_or(1);
    let size = (
        (420 + 170 * widest as u32).max(1200),
        460 * panels.len() as u32,
    );
    let mut written = Vec::new();
    let path = |suffix: &str, ext: &str| {
        let name = stem.file_name().unwrap_or_default().to_string_lossy();
        stem.with_file_name(format!("{name}{suffix}.{ext}"))
    };
    let (svg, png) = (path("", "svg"), path("", "png"));
    throughput(
        SVGBackend::new(&svg, size).into_drawing_area(),
        report,
        &panels,
    )?;
    throughput(
        BitMapBackend::new(&png, size).into_drawing_area(),
        report,
        &panels,
    )?;
    written.extend([svg, png]);
    let sweeps: Vec<(&Panel, KSweep)> = panels
        .iter()
        .flat_map(|p| k_sweeps(p).into_iter().map(move |s| (p, s)))
        .collect();
    if !sweeps.is_empty() {
        let size = (1400, 460 * sweeps.len() as u32);
        let (svg, png) = (path("-ksweep", "svg"), path("-ksweep", "png"));
        k_sweep(
            SVGBackend::new(&svg, size).into_drawing_area(),
            report,
            &sweeps,
        )?;
        k_sweep(
            BitMapBackend::new(&png, size).into_drawing_area(),
            report,
            &sweeps,
        )?;
        written.extend([svg, png]);
    }
    Ok(written)
}

/// Splits a panel into the chart and a legend column on its right.
fn with_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> (DrawingArea<DB, Shift>, DrawingArea<DB, Shift>) {
    let width = area.dim_in_pixel().0;
    area.split_horizontally(width.saturating_sub(380))
}

/// The legend: a swatch and a name per series, and the peak line when there is one.
fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
    peak: Option<f64>,
) -> DrawResult {
    let style = TextStyle::from((FAMILY, 16).into_font()).color(&BLACK);
    let mut y = 60;
    for s in &panel.series {
        let c = colour(panel, s);
        area.draw(&Rectangle::new([(10, y), (28, y + 16)], c.filled()))
            .map_err(err)?;
        area.draw(&Text::new(s.to_string(), (36, y), style.clone()))
            .map_err(err)?;
        y += 26;
    }
    if let Some(peak) = peak {
        area.draw(&PathElement::new(
            vec![(10, y + 8), (28, y + 8)],
            PEAK.stroke_width(3),
        ))
        .map_err(err)?;
        area.draw(&Text::new(
            format!("peak {peak:.0} TFLOP/s"),
            (36, y),
            style,
        ))
        .map_err(err)?;
    }
    Ok(())
}

fn throughput<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    report: &Report,
    panels: &[Panel],
) -> DrawResult {
    root.fill(&WHITE).map_err(err)?;
    for (area, panel) in root.split_evenly((panels.len(), 1)).iter().zip(panels) {
        let (chart_area, legend_area) = with_legend(area);
        let peak = peak::tflops(&report.gpu, panel.dtype);
        let top = (panel.max_tflops() * 1.1).max(peak.unwrap_or(0.0) * 1.06);
        let n = panel.shapes.len();
        let mut chart = ChartBuilder::on(&chart_area)
            .caption(
                format!("{}: {} inputs, TFLOP/s per shape", report.gpu, panel.dtype),
                (FAMILY, 22),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(-0.5f64..n as f64 - 0.5, 0f64..top.max(1e-9))
            .map_err(err)?;
        let shapes = panel.shapes.clone();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n + 1)
            .x_label_formatter(&|x| {
                let i = x.round();
                match shapes.get(i as usize) {
                    Some(s) if (x - i).abs() < 1e-6 && i >= 0.0 => s.to_string(),
                    _ => String::new(),
                }
            })
            .x_label_style((FAMILY, 12))
            .y_desc("TFLOP/s")
            .y_label_formatter(&|y| format!("{y:.0}"))
            .light_line_style(WHITE)
            .y_label_style((FAMILY, 14))
            .axis_desc_style((FAMILY, 16))
            .draw()
            .map_err(err)?;
        let width = 0.8 / panel.series.len() as f64;
        for (j, series) in panel.series.iter().enumerate() {
            let c = colour(panel, series);
            chart
                .draw_series(panel.shapes.iter().enumerate().filter_map(|(i, shape)| {
                    let t = panel.tflops(shape, series)?;
                    let x0 = i as f64 - 0.4 + j as f64 * width;
                    Some(Rectangle::new(
                        [(x0, 0.0), (x0 + width * 0.92, t)],
                        c.filled(),
                    ))
                }))
                .map_err(err)?;
        }
        if let Some(peak) = peak {
            chart
                .draw_series(LineSeries::new(
                    [(-0.5, peak), (n as f64 - 0.5, peak)],
                    PEAK.stroke_width(3),
                ))
                .map_err(err)?;
        }
        legend(&legend_area, panel, peak)?;
    }
    root.present().map_err(err)
}

fn k_sweep<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    report: &Report,
    sweeps: &[(&Panel, KSweep)],
) -> DrawResult {
    root.fill(&WHITE).map_err(err)?;
    for (area, (panel, (m, n, ks))) in root.split_evenly((sweeps.len(), 1)).iter().zip(sweeps) {
        let (chart_area, legend_area) = with_legend(area);
        let peak = peak::tflops(&report.gpu, panel.dtype);
        let top = (panel.max_tflops() * 1.1).max(peak.unwrap_or(0.0) * 1.06);
        // x is log2(K), labelled with K at the powers of two.
        let (x_lo, x_hi) = (
            (ks[0].0 as f64).log2() - 0.3,
            (ks[ks.len() - 1].0 as f64).log2() + 0.3,
        );
        let mut chart = ChartBuilder::on(&chart_area)
            .caption(
                format!(
                    "{}: {} inputs, M = {m}, N = {n}, TFLOP/s against K",
                    report.gpu, panel.dtype
                ),
                (FAMILY, 22),
            )
            .margin(12)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(x_lo..x_hi, 0f64..top.max(1e-9))
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("K")
            .y_desc("TFLOP/s")
            .x_labels((x_hi - x_lo).ceil() as usize + 1)
            .x_label_formatter(&|x| {
                if (x - x.round()).abs() < 1e-6 {
                    format!("{:.0}", x.round().exp2())
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|y| format!("{y:.0}"))
            .light_line_style(WHITE)
            .label_style((FAMILY, 14))
            .axis_desc_style((FAMILY, 16))
            .draw()
            .map_err(err)?;
        for series in &panel.series {
            let c = colour(panel, series);
            let points: Vec<(f64, f64)> = ks
                .iter()
                .filter_map(|&(k, shape)| Some(((k as f64).log2(), panel.tflops(shape, series)?)))
                .collect();
            chart
                .draw_series(LineSeries::new(points.clone(), c.stroke_width(3)))
                .map_err(err)?;
            chart
                .draw_series(points.into_iter().map(|p| Circle::new(p, 5, c.filled())))
                .map_err(err)?;
        }
        if let Some(peak) = peak {
            chart
                .draw_series(LineSeries::new(
                    [(x_lo, peak), (x_hi, peak)],
                    PEAK.stroke_width(3),
                ))
                .map_err(err)?;
        }
        legend(&legend_area, panel, peak)?;
    }
    root.present().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::add_ratios;
    use crate::suite::Suite;

    /// A made-up run: three kernels and cuBLAS on the `all` suite, f32 and bf16.
    pub(crate) fn synthetic(gpu: &str) -> Report {
        let mut rows = Vec::new();
        for (dtype, scale, kernels) in [
            (
                "f32",
                50.0,
                vec!["textbook_f32", "tiled_f32/naive", "tiled_f32/persistent"],
            ),
            (
                "bf16",
                700.0,
                vec!["wgmma/pingpong/naive", "wgmma/pingpong/persistent"],
            ),
        ] {
            for (i, s) in Suite::All.shapes(264).iter().enumerate() {
                for (j, kernel) in std::iter::once("cublas").chain(kernels.clone()).enumerate() {
                    let tflops = scale * (0.5 + 0.04 * i as f64) / (1.0 + 0.25 * j as f64);
                    rows.push(Row {
                        shape: s.name.clone(),
                        dtype: dtype.into(),
                        kernel: kernel.into(),
                        ms: s.flops() / tflops / 1e9,
                        tflops,
                        vs_cublas: None,
                        vs_naive: None,
                        error: 1e-6,
                        entry: None,
                    });
                }
            }
        }
        add_ratios(&mut rows);
        Report {
            gpu: gpu.into(),
            sm_count: 132,
            command: "tessera-bench --suite all --dtype f32 --dtype bf16".into(),
            unix_time: 0,
            rows,
        }
    }

    #[test]
    fn panels_put_cublas_first_and_keep_run_order() {
        let report = synthetic("NVIDIA H100 80GB HBM3");
        let p = panels(&report);
        assert_eq!(p.len(), 2);
        assert_eq!(
            p[0].series,
            [
                "cublas",
                "textbook_f32",
                "tiled_f32/naive",
                "tiled_f32/persistent"
            ]
        );
        assert_eq!(p[1].dtype, "bf16");
        assert_eq!(p[0].shapes.len(), Suite::All.shapes(264).len());
    }

    #[test]
    fn finds_the_k_sweep() {
        let report = synthetic("x");
        let sweeps = k_sweeps(&panels(&report)[0]);
        assert_eq!(sweeps.len(), 1);
        let (m, n, ks) = &sweeps[0];
        assert_eq!((*m, *n), (8192, 8192));
        let ks: Vec<usize> = ks.iter().map(|&(k, _)| k).collect();
        assert_eq!(ks, [512, 1024, 2048, 4096, 8192, 16384]);
    }

    #[test]
    fn renders_the_table_and_the_plots_from_json() {
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("run.json");
        std::fs::write(&json, crate::report::json(&synthetic("NVIDIA H200"))).unwrap();
        let written = crate::output::plot_file(&json, None).unwrap();
        let names: Vec<String> = written
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "run.md",
                "run.svg",
                "run.png",
                "run-ksweep.svg",
                "run-ksweep.png"
            ]
        );
        let table = std::fs::read_to_string(&written[0]).unwrap();
        assert!(table.starts_with("# NVIDIA H200") && table.contains("| tiled_f32/persistent |"));
        for path in &written[1..] {
            let bytes = std::fs::read(path).unwrap();
            assert!(
                bytes.len() > 10_000,
                "{} is {} bytes",
                path.display(),
                bytes.len()
            );
        }
        let svg = std::fs::read_to_string(dir.path().join("run.svg")).unwrap();
        assert!(svg.contains("tiled_f32/persistent") && svg.contains("peak 989 TFLOP/s"));
        let png = std::fs::read(dir.path().join("run.png")).unwrap();
        assert_eq!(&png[1..4], b"PNG");
    }
}

//! The benchmark's results: the table it prints, and the JSON, CSV and markdown it writes.
//!
//! The JSON document ([`Report`]) is also what the plots are rendered from, so that they can
//! be made on any machine from committed results.

use serde::{Deserialize, Serialize};

/// One timed kernel on one shape.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The shape's name, `MxNxK` with an optional note.
    pub shape: String,
    /// Element type of the inputs (`f32`, `bf16`, `f16`).
    pub dtype: String,
    /// `cublas`, or the kernel's name (`tiled_f32/persistent`).
    pub kernel: String,
    /// Median milliseconds per call.
    pub ms: f64,
    pub tflops: f64,
    /// TFLOP/s over cuBLAS's on the same shape and dtype.
    pub vs_cublas: Option<f64>,
    /// For a persistent row: its TFLOP/s over the same kernel's on the naive grid.
    #[serde(rename = "persistent_over_naive")]
    pub vs_naive: Option<f64>,
    /// Relative Frobenius error of the checked sample.
    #[serde(rename = "rel_error")]
    pub error: f64,
    /// The kernel entry point that ran (not for cuBLAS): a persistent row may run another
    /// kernel in its place (`Gemm::entry_point`). Absent from files written before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
}

/// A whole run: the machine, the command, the rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The GPU's name as the driver reports it.
    pub gpu: String,
    pub sm_count: u32,
    /// The command line that produced the rows.
    pub command: String,
    pub unix_time: u64,
    pub rows: Vec<Row>,
}

/// Fills `vs_cublas` and `vs_naive` from the other rows of the same shape and dtype.
pub fn add_ratios(rows: &mut [Row]) {
    let snapshot = rows.to_vec();
    for r in rows.iter_mut() {
        let peer = |kernel: &str| {
            snapshot
                .iter()
                .find(|o| o.shape == r.shape && o.dtype == r.dtype && o.kernel == kernel)
                .map(|o| o.tflops)
        };
        r.vs_cublas = peer("cublas").map(|c| r.tflops / c);
        r.vs_naive = r
            .kernel
            .strip_suffix("/persistent")
            .and_then(|base| peer(&format!("{base}/naive")))
            .map(|n| r.tflops / n);
    }
}

fn times(x: Option<f64>) -> String {
    x.map_or(String::new(), |x| format!("{x:.2}×"))
}

/// A markdown table (also what is printed).
pub fn markdown(rows: &[Row]) -> String {
    let mut s = String::from(
        "| shape | dtype | kernel | ms | TFLOP/s | vs cuBLAS | persistent / naive | rel. error | entry point |\n\
         |---|---|---|---:|---:|---:|---:|---:|---|\n",
    );
    for r in rows {
        s += &format!(
            "| {} | {} | {} | {:.3} | {:.1} | {} | {} | {:.1e} | {} |\n",
            r.shape,
            r.dtype,
            r.kernel,
            r.ms,
            r.tflops,
            times(r.vs_cublas),
            times(r.vs_naive),
            r.error,
            r.entry.as_deref().unwrap_or_default()
        );
    }
    s
}

/// The markdown file: a title, the command, the table.
pub fn markdown_file(report: &Report) -> String {
    format!(
        "# {}\n\nCommand: `{}`\n\n{}",
        report.gpu,
        report.command,
        markdown(&report.rows)
    )
}

/// One CSV field, quoted when it holds a separator or a quote.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv_number(x: Option<f64>) -> String {
    x.map_or(String::new(), |x| format!("{x}"))
}

/// The rows as CSV, one header line, the machine in every row so that files concatenate.
pub fn csv(report: &Report) -> String {
    let mut s = String::from(
        "gpu,shape,dtype,kernel,ms,tflops,vs_cublas,persistent_over_naive,rel_error,entry\n",
    );
    for r in &report.rows {
        let fields = [
            csv_field(&report.gpu),
            csv_field(&r.shape),
            csv_field(&r.dtype),
            csv_field(&r.kernel),
            format!("{}", r.ms),
            format!("{}", r.tflops),
            csv_number(r.vs_cublas),
            csv_number(r.vs_naive),
            format!("{}", r.error),
            csv_field(r.entry.as_deref().unwrap_or_default()),
        ];
        s += &fields.join(",");
        s.push('\n');
    }
    s
}

/// The JSON document, pretty-printed.
pub fn json(report: &Report) -> String {
    serde_json::to_string_pretty(report).expect("a report serialises")
}

/// Reads a JSON document written by [`json`].
pub fn parse_json(text: &str) -> Result<Report, String> {
    serde_json::from_str(text).map_err(|e| format!("not a benchmark result: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(shape: &str, kernel: &str, tflops: f64) -> Row {
        Row {
            shape: shape.into(),
            dtype: "f32".into(),
            kernel: kernel.into(),
            ms: 1.0,
            tflops,
            vs_cublas: None,
            vs_naive: None,
            error: 1e-7,
            entry: None,
        }
    }

    fn report(rows: Vec<Row>) -> Report {
        Report {
            gpu: "NVIDIA H100 80GB HBM3".into(),
            sm_count: 132,
            command: "tessera-bench".into(),
            unix_time: 0,
            rows,
        }
    }

    #[test]
    fn ratios_compare_with_cublas_and_the_naive_grid() {
        let mut rows = vec![
            row("1024x1024x1024", "cublas", 40.0),
            row("1024x1024x1024", "tiled_f32/naive", 20.0),
            row("1024x1024x1024", "tiled_f32/persistent", 30.0),
            row("2048x2048x2048", "tiled_f32/persistent", 35.0),
        ];
        add_ratios(&mut rows);
        assert_eq!(rows[0].vs_cublas, Some(1.0));
        assert_eq!(rows[1].vs_cublas, Some(0.5));
        assert_eq!(rows[1].vs_naive, None);
        assert_eq!(rows[2].vs_cublas, Some(0.75));
        assert_eq!(rows[2].vs_naive, Some(1.5));
        // No cuBLAS or naive row for that shape: no ratio.
        assert_eq!((rows[3].vs_cublas, rows[3].vs_naive), (None, None));
    }

    #[test]
    fn markdown_has_a_line_per_row() {
        let mut rows = vec![
            row("8x8x8", "cublas", 2.0),
            row("8x8x8", "textbook_f32", 1.0),
        ];
        add_ratios(&mut rows);
        let table = markdown(&rows);
        assert_eq!(table.lines().count(), 4);
        assert!(
            table.contains("| 8x8x8 | f32 | textbook_f32 | 1.000 | 1.0 | 0.50× |  | 1.0e-7 |  |")
        );
    }

    #[test]
    fn csv_quotes_only_what_needs_it() {
        let mut r = row("640x8576x4096 (wave+1)", "tiled_f32/naive", 12.5);
        r.vs_cublas = Some(0.5);
        let mut rep = report(vec![r]);
        rep.gpu = "GPU, \"big\"".into();
        let text = csv(&rep);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "gpu,shape,dtype,kernel,ms,tflops,vs_cublas,persistent_over_naive,rel_error,entry"
        );
        assert_eq!(
            lines[1],
            "\"GPU, \"\"big\"\"\",640x8576x4096 (wave+1),f32,tiled_f32/naive,1,12.5,0.5,,0.0000001,"
        );
    }

    #[test]
    fn json_round_trips_with_the_documented_field_names() {
        let mut rows = vec![row("8x8x8", "cublas", 2.0), row("8x8x8", "x/naive", 1.0)];
        rows.push(Row {
            entry: Some("x_naive".into()),
            ..row("8x8x8", "x/persistent", 1.5)
        });
        add_ratios(&mut rows);
        let rep = report(rows);
        let text = json(&rep);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["rows"][2]["persistent_over_naive"], 1.5);
        assert_eq!(value["rows"][2]["entry"], "x_naive");
        assert_eq!(value["rows"][0]["rel_error"], 1e-7);
        assert!(value["rows"][0].get("entry").is_none());
        assert_eq!(parse_json(&text).unwrap(), rep);
        assert!(parse_json("{}").is_err());
    }
}

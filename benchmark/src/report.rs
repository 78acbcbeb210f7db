//! The benchmark's results: the table it prints, and the JSON and markdown it writes.

use serde_json::json;

/// One timed kernel on one shape.
#[derive(Clone, Debug)]
pub struct Row {
    pub shape: String,
    pub dtype: String,
    pub kernel: String,
    pub ms: f64,
    pub tflops: f64,
    /// TFLOP/s over cuBLAS's on the same shape and dtype.
    pub vs_cublas: Option<f64>,
    /// For a persistent row: its TFLOP/s over the same kernel's on the naive grid.
    pub vs_naive: Option<f64>,
    /// Relative Frobenius error of the checked sample.
    pub error: f64,
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

fn ratio(x: Option<f64>) -> String {
    x.map_or(String::new(), |x| format!("{x:.2}×"))
}

/// A markdown table (also what is printed).
pub fn markdown(rows: &[Row]) -> String {
    let mut s = String::from(
        "| shape | dtype | kernel | ms | TFLOP/s | vs cuBLAS | persistent / naive | rel. error |\n\
         |---|---|---|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        s += &format!(
            "| {} | {} | {} | {:.3} | {:.1} | {} | {} | {:.1e} |\n",
            r.shape,
            r.dtype,
            r.kernel,
            r.ms,
            r.tflops,
            ratio(r.vs_cublas),
            ratio(r.vs_naive),
            r.error
        );
    }
    s
}

/// The JSON document: the machine, the command, the rows.
pub fn json(gpu: &str, sm_count: u32, command: &str, rows: &[Row]) -> serde_json::Value {
    json!({
        "gpu": gpu,
        "sm_count": sm_count,
        "command": command,
        "unix_time": std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0),
        "rows": rows.iter().map(|r| json!({
            "shape": r.shape, "dtype": r.dtype, "kernel": r.kernel, "ms": r.ms, "tflops": r.tflops,
            "vs_cublas": r.vs_cublas, "persistent_over_naive": r.vs_naive, "rel_error": r.error,
        })).collect::<Vec<_>>(),
    })
}

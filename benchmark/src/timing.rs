//! Timing with CUDA events: warm-up, then each run between two events, median.

use cudarc::driver::CudaStream;
use cudarc::driver::sys::CUevent_flags;

/// Median milliseconds of `reps` runs of `run`, after `warmup` untimed runs.
pub fn median_ms(
    stream: &CudaStream,
    warmup: usize,
    reps: usize,
    mut run: impl FnMut(usize) -> Result<(), String>,
) -> Result<f64, String> {
    for i in 0..warmup {
        run(i)?;
    }
    let flags = Some(CUevent_flags::CU_EVENT_DEFAULT);
    let mut times = Vec::with_capacity(reps);
    for i in 0..reps {
        let start = stream.record_event(flags).map_err(|e| e.to_string())?;
        run(warmup + i)?;
        let end = stream.record_event(flags).map_err(|e| e.to_string())?;
        end.synchronize().map_err(|e| e.to_string())?;
        times.push(f64::from(
            start.elapsed_ms(&end).map_err(|e| e.to_string())?,
        ));
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

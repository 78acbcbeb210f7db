//! Checks beyond one call against the reference: results identical run to run, from several
//! threads and streams at once, and from a replayed CUDA graph.

use crate::random;
use rand::{SeedableRng, rngs::StdRng};
use std::sync::Arc;
use tessera::cudarc::driver::{CudaContext, CudaSlice, CudaStream, sys::CUstreamCaptureMode};
use tessera::{Element, Gemm, GemmDesc, Kernel};

/// Inputs of one call, on the host.
pub struct Problem<I> {
    pub desc: GemmDesc,
    pub a: Vec<I>,
    pub b: Vec<I>,
}

impl<I: Element> Problem<I> {
    pub fn new(m: usize, n: usize, k: usize, seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let desc = GemmDesc::new(m, n, k);
        Problem {
            desc,
            a: random(&mut rng, m * k),
            b: random(&mut rng, k * n),
        }
    }

    /// `C = A·B` with `kernel` on `gemm`'s stream, copied back.
    pub fn run<O: Element>(&self, gemm: &Gemm, kernel: Kernel) -> Result<Vec<O>, String> {
        let s = gemm.stream();
        let e = |e: tessera::cudarc::driver::DriverError| e.to_string();
        let (a, b) = (
            s.clone_htod(&self.a).map_err(e)?,
            s.clone_htod(&self.b).map_err(e)?,
        );
        let mut c: CudaSlice<O> = s.alloc_zeros(self.desc.m * self.desc.n).map_err(e)?;
        gemm.matmul(kernel, &self.desc, 1.0, &a, &b, 0.0, &mut c)
            .map_err(|e| e.to_string())?;
        s.clone_dtoh(&c).map_err(e)
    }
}

fn bits<O: Element>(v: &[O]) -> Vec<u64> {
    v.iter().map(|x| x.to_f64().to_bits()).collect()
}

/// The same call twice gives the same bits.
pub fn deterministic<I: Element, O: Element>(
    gemm: &Gemm,
    kernel: Kernel,
    p: &Problem<I>,
) -> Result<String, String> {
    let (x, y) = (p.run::<O>(gemm, kernel)?, p.run::<O>(gemm, kernel)?);
    if bits(&x) != bits(&y) {
        return Err("two runs of the same call differ".into());
    }
    Ok(format!("{} elements bitwise equal", x.len()))
}

/// `threads` host threads, each with its own stream and `Gemm`, plus all of them sharing one
/// `Gemm`, give the bits of a serial run.
pub fn concurrent<I: Element, O: Element>(
    ctx: &Arc<CudaContext>,
    kernel: Kernel,
    p: &Problem<I>,
    threads: usize,
) -> Result<String, String> {
    let shared =
        Gemm::new(ctx.new_stream().map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    let serial = bits(&p.run::<O>(&shared, kernel)?);
    let results: Vec<Result<Vec<u64>, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2 * threads)
            .map(|t| {
                let shared = &shared;
                scope.spawn(move || {
                    if t % 2 == 0 {
                        let own = Gemm::new(ctx.new_stream().map_err(|e| e.to_string())?)
                            .map_err(|e| e.to_string())?;
                        p.run::<O>(&own, kernel).map(|v| bits(&v))
                    } else {
                        p.run::<O>(shared, kernel).map(|v| bits(&v))
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err("thread panicked".into())))
            .collect()
    });
    for r in results {
        if r? != serial {
            return Err("a concurrent run differs from the serial one".into());
        }
    }
    Ok(format!(
        "{} runs on {threads} streams and one shared handle, bitwise equal",
        2 * threads
    ))
}

/// A call captured into a CUDA graph and replayed twice gives the bits of a direct call.
pub fn graph_replay<I: Element, O: Element>(
    ctx: &Arc<CudaContext>,
    kernel: Kernel,
    p: &Problem<I>,
) -> Result<String, String> {
    let e = |e: tessera::cudarc::driver::DriverError| e.to_string();
    let stream: Arc<CudaStream> = ctx.new_stream().map_err(e)?;
    let gemm = Gemm::new(stream.clone()).map_err(|e| e.to_string())?;
    let direct = bits(&p.run::<O>(&gemm, kernel)?);
    // Buffers used inside a capture are made without cudarc's event tracking: with it, the
    // first use makes the capturing stream wait on an event recorded before the capture,
    // which the driver rejects (CUDA_ERROR_STREAM_CAPTURE_ISOLATION). The stream is
    // synchronised before the capture, which is all the tracking would have ensured.
    // SAFETY: every use of these buffers is on `stream`, and it is synchronised below.
    unsafe { ctx.disable_event_tracking() };
    let made = (|| {
        Ok::<_, tessera::cudarc::driver::DriverError>((
            stream.clone_htod(&p.a)?,
            stream.clone_htod(&p.b)?,
            stream.alloc_zeros::<O>(p.desc.m * p.desc.n)?,
        ))
    })();
    // SAFETY: restores the context's default for every buffer made from here on.
    unsafe { ctx.enable_event_tracking() };
    let (a, b, mut c): (_, _, CudaSlice<O>) = made.map_err(e)?;
    stream.synchronize().map_err(e)?;
    stream
        .begin_capture(CUstreamCaptureMode::CU_STREAM_CAPTURE_MODE_THREAD_LOCAL)
        .map_err(e)?;
    let launched = gemm.matmul(kernel, &p.desc, 1.0, &a, &b, 0.0, &mut c);
    let graph = stream.end_capture(tessera::cudarc::driver::sys::CUgraphInstantiate_flags::CUDA_GRAPH_INSTANTIATE_FLAG_AUTO_FREE_ON_LAUNCH);
    launched.map_err(|e| e.to_string())?;
    let graph = graph.map_err(e)?.ok_or("nothing was captured")?;
    for _ in 0..2 {
        stream.memset_zeros(&mut c).map_err(e)?;
        graph.launch().map_err(e)?;
        if bits(&stream.clone_dtoh(&c).map_err(e)?) != direct {
            return Err("the replayed graph's result differs from a direct call".into());
        }
    }
    Ok("captured once, replayed twice, bitwise equal to a direct call".into())
}

//! The measurement on the GPU: every selected kernel and cuBLAS on every shape and dtype, in
//! one process on the same buffers, timed with CUDA events in turns (warm-up, median of
//! `reps` rounds; see [`timing`]). Every kernel's output is checked against the CPU reference
//! before any is timed.

use crate::cublas::Cublas;
use crate::report::{self, Report, Row};
use crate::select::{self, Layouts};
use crate::suite::Shape;
use crate::timing::{self, L2Flush};
use cudarc::driver::{CudaContext, CudaSlice, CudaStream, sys::CUdevice_attribute};
use indicatif::{ProgressBar, ProgressStyle};
use rand::{Rng, SeedableRng, rngs::StdRng};
use std::sync::Arc;
use tessera::reference::Operands;
use tessera::{DType, Element, Error, Gemm, GemmDesc, Schedule};

/// What to measure.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Shapes, or `None` for the suite sized to the GPU (see [`Plan::suite`]).
    pub shapes: Option<Vec<Shape>>,
    pub suite: crate::suite::Suite,
    pub dtypes: Vec<DType>,
    /// Kernel name filters (substrings); empty: all.
    pub kernels: Vec<String>,
    /// Grids to keep; empty: both.
    pub schedules: Vec<Schedule>,
    /// Storage order of `A` and `B`.
    pub layouts: Layouts,
    /// Timed rounds: at least `reps`, and at least as many as take `reps_ms` of GPU time.
    pub reps: usize,
    pub reps_ms: f64,
    /// Untimed rounds first: at least this many, and at least `warmup_ms` of GPU time.
    pub warmup: usize,
    pub warmup_ms: f64,
    /// The command line, recorded in the results.
    pub command: String,
}

/// Prefix of the error of a kernel that does not apply to a call.
const NOT_APPLICABLE: &str = "not applicable: ";

/// One call on the buffers.
type Run<'a, I, O> = timing::Call<'a, Buffers<I, O>>;

/// Most copies of a shape's operands that the calls rotate through ([`Buffers`]).
const MAX_COPIES: usize = 4;

/// The operands of one shape, on the GPU and (for the check) on the host.
///
/// The GPU holds up to [`MAX_COPIES`] copies of them, the same values in each, which the rounds
/// of calls take in turns: where the operands lie in memory changes how fast a kernel runs on
/// them, and not by the same for every kernel (see [`timing`]).
struct Buffers<I: Element, O: Element> {
    copies: Vec<DeviceOperands<I, O>>,
    /// The copy the calls use now.
    current: usize,
    a_host: Vec<I>,
    b_host: Vec<I>,
}

struct DeviceOperands<I, O> {
    a: CudaSlice<I>,
    b: CudaSlice<I>,
    c: CudaSlice<O>,
}

impl<I: Element, O: Element> Buffers<I, O> {
    /// Random operands for `s` from `seed`, in as many copies as take at most a quarter of
    /// the GPU's free memory (one at least, [`MAX_COPIES`] at most).
    fn new(stream: &Arc<CudaStream>, s: &Shape, seed: u64) -> Result<Self, String> {
        let mut rng = StdRng::seed_from_u64(seed);
        let a_host: Vec<I> = (0..s.m * s.k)
            .map(|_| I::from_f64(rng.random_range(-1.0..1.0)))
            .collect();
        let b_host: Vec<I> = (0..s.k * s.n)
            .map(|_| I::from_f64(rng.random_range(-1.0..1.0)))
            .collect();
        let e = |e: cudarc::driver::DriverError| e.to_string();
        let bytes = (a_host.len() + b_host.len()) * I::DTYPE.size() + s.m * s.n * O::DTYPE.size();
        let (free, _) = stream.context().mem_get_info().map_err(e)?;
        let count = (free / 4 / bytes.max(1)).clamp(1, MAX_COPIES);
        let copies = (0..count)
            .map(|_| {
                Ok(DeviceOperands {
                    a: stream.clone_htod(&a_host).map_err(e)?,
                    b: stream.clone_htod(&b_host).map_err(e)?,
                    c: stream.alloc_zeros::<O>(s.m * s.n).map_err(e)?,
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Buffers {
            copies,
            current: 0,
            a_host,
            b_host,
        })
    }

    /// `A`, `B` and `C` of the current copy.
    fn operands(&mut self) -> (&CudaSlice<I>, &CudaSlice<I>, &mut CudaSlice<O>) {
        let d = &mut self.copies[self.current];
        (&d.a, &d.b, &mut d.c)
    }

    /// The calls use copy `i` from now on.
    fn place(&mut self, i: usize) {
        self.current = i;
    }

    /// Compares the output with the reference on a sample of elements.
    fn check(
        &self,
        stream: &Arc<CudaStream>,
        s: &Shape,
        desc: GemmDesc,
        what: &str,
    ) -> Result<f64, String> {
        let c = &self.copies[self.current].c;
        let out: Vec<O> = stream.clone_dtoh(c).map_err(|e| e.to_string())?;
        let no_c: [O; 0] = [];
        let ops = Operands {
            desc,
            alpha: 1.0,
            a: &self.a_host,
            b: &self.b_host,
            beta: 0.0,
            c: &no_c,
        };
        let cmp = ops.check_sampled(&out, 1000, 7);
        if cmp.passed() {
            Ok(cmp.rel_frobenius())
        } else {
            Err(format!("{what} on {}: wrong result: {cmp}", s.name))
        }
    }
}

/// The GPU-side state of a run.
struct Bench<'a> {
    plan: &'a Plan,
    gemm: Gemm,
    cublas: Cublas,
    progress: ProgressBar,
}

impl Bench<'_> {
    fn run_dtype<I: Element, O: Element>(
        &self,
        shapes: &[Shape],
        flush: &mut L2Flush,
        rows: &mut Vec<Row>,
    ) -> Result<(), String> {
        let stream = self.gemm.stream().clone();
        let kernels = select::kernels(I::DTYPE, O::DTYPE, &self.plan.kernels, &self.plan.schedules);
        let (plan, progress) = (self.plan, &self.progress);
        for s in shapes {
            let desc = plan.layouts.desc(s.m, s.n, s.k);
            // Rows of another layout say so in their shape.
            let named;
            let s = if plan.layouts == Layouts::NN {
                s
            } else {
                named = Shape {
                    name: format!("{} {}", s.name, plan.layouts),
                    ..s.clone()
                };
                &named
            };
            let mut bufs = Buffers::<I, O>::new(&stream, s, 1)?;
            // Each call: its name, the entry point it launches (none for cuBLAS), the call.
            let mut calls: Vec<(String, Option<String>, Run<I, O>)> = vec![(
                "cublas".into(),
                None,
                Box::new(|bufs: &mut Buffers<I, O>| {
                    let (a, b, c) = bufs.operands();
                    self.cublas.gemm(&desc, 1.0, a, b, 0.0, c)
                }),
            )];
            for &k in &kernels {
                let entry = {
                    let (a, b, c) = bufs.operands();
                    self.gemm.entry_point(k, &desc, a, b, c).ok()
                };
                calls.push((
                    k.to_string(),
                    entry.map(String::from),
                    Box::new(move |bufs: &mut Buffers<I, O>| {
                        let (a, b, c) = bufs.operands();
                        self.gemm
                            .matmul(k, &desc, 1.0, a, b, 0.0, c)
                            .map_err(|e| match e {
                                Error::Misaligned { .. } | Error::Unsupported { .. } => {
                                    format!("{NOT_APPLICABLE}{e}")
                                }
                                e => e.to_string(),
                            })
                    }),
                ));
            }
            // Each call's output is checked before any is timed; a kernel that cannot take
            // this call (alignment, architecture) has no row.
            let (mut checked, mut runs) = (Vec::new(), Vec::new());
            for (name, entry, mut run) in calls {
                progress.set_message(format!("{} {} {name}", s.name, I::DTYPE));
                progress.inc(1);
                match run(&mut bufs).and_then(|()| bufs.check(&stream, s, desc, &name)) {
                    Ok(error) => {
                        checked.push((name, entry, error));
                        runs.push(run);
                    }
                    Err(e) => match e.strip_prefix(NOT_APPLICABLE) {
                        Some(why) => {
                            progress
                                .suspend(|| eprintln!("  {:<28} {name:<32} n/a: {why}", s.name));
                        }
                        None => return Err(e),
                    },
                }
            }
            progress.set_message(format!("{} {}: timing", s.name, I::DTYPE));
            let copies = bufs.copies.len();
            let ms = timing::interleaved_medians(
                &stream,
                flush,
                (plan.warmup, plan.warmup_ms),
                (plan.reps, plan.reps_ms),
                &mut bufs,
                (copies, Buffers::place),
                &mut runs,
            )?;
            for ((name, entry, error), ms) in checked.into_iter().zip(ms) {
                let row = Row {
                    shape: s.name.clone(),
                    dtype: I::DTYPE.to_string(),
                    kernel: name,
                    ms,
                    tflops: s.flops() / (ms * 1e-3) / 1e12,
                    vs_cublas: None,
                    vs_naive: None,
                    error,
                    entry,
                };
                progress.suspend(|| {
                    eprintln!(
                        "  {:<28} {:<32} {:>9.3} ms {:>7.1} TFLOP/s  {}",
                        row.shape,
                        row.kernel,
                        row.ms,
                        row.tflops,
                        row.entry.as_deref().unwrap_or_default()
                    )
                });
                rows.push(row);
            }
        }
        Ok(())
    }
}

/// Runs `plan` on the GPU of `ctx`.
pub fn run(plan: &Plan, ctx: Arc<CudaContext>) -> Result<Report, String> {
    let stream = ctx.default_stream();
    let gemm = Gemm::new(stream.clone()).map_err(|e| e.to_string())?;
    let cublas = Cublas::new(stream.clone())?;
    let gpu = ctx.name().map_err(|e| e.to_string())?;
    let l2_bytes = ctx
        .attribute(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE)
        .map_err(|e| e.to_string())? as usize;
    // Two 128 × 128 fp32 tiles fit per SM at once.
    let shapes = plan
        .shapes
        .clone()
        .unwrap_or_else(|| plan.suite.shapes(2 * gemm.sm_count() as usize));
    eprintln!("{gpu}, {} SMs, {} MiB L2", gemm.sm_count(), l2_bytes >> 20);
    let calls: usize = plan
        .dtypes
        .iter()
        .map(|&d| 1 + select::kernels(d, d, &plan.kernels, &plan.schedules).len())
        .sum::<usize>()
        * shapes.len();
    let progress = ProgressBar::new(calls as u64).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed} {msg}")
            .expect("a valid template"),
    );
    let sm_count = gemm.sm_count();
    let bench = Bench {
        plan,
        gemm,
        cublas,
        progress,
    };
    let mut flush = L2Flush::new(&stream, l2_bytes)?;
    let mut rows = Vec::new();
    for &dtype in &plan.dtypes {
        use tessera::half::{bf16, f16};
        match dtype {
            DType::F32 => bench.run_dtype::<f32, f32>(&shapes, &mut flush, &mut rows)?,
            DType::BF16 => bench.run_dtype::<bf16, bf16>(&shapes, &mut flush, &mut rows)?,
            DType::F16 => bench.run_dtype::<f16, f16>(&shapes, &mut flush, &mut rows)?,
        }
    }
    bench.progress.finish_and_clear();
    report::add_ratios(&mut rows);
    Ok(Report {
        gpu,
        sm_count,
        command: plan.command.clone(),
        unix_time: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
        rows,
    })
}

//! `cargo xtask bench`: Tessera's kernels on naive and persistent grids next to cuBLAS, in
//! one process, on the same buffers, timed with CUDA events (warm-up, median of `--reps`).
//! Every kernel's output is checked against the CPU reference before it is timed.

mod cublas;
mod report;
mod suite;
mod timing;

use clap::Parser;
use cudarc::driver::{CudaSlice, CudaStream, sys::CUdevice_attribute};
use rand::{Rng, SeedableRng, rngs::StdRng};
use report::Row;
use std::process::ExitCode;
use std::sync::Arc;
use suite::Shape;
use tessera::reference::Operands;
use tessera::{DType, Element, Error, Gemm, GemmDesc, Kernel};

#[derive(Parser, Debug)]
#[command(about = "Benchmark Tessera's GEMM kernels against cuBLAS on this machine's GPU")]
struct Args {
    /// Shapes to run (`MxNxK`, or `N` for a cube); default: the suite.
    #[arg(long = "shape", value_parser = Shape::parse)]
    shapes: Vec<Shape>,
    /// Element types of the inputs.
    #[arg(long = "dtype", default_values = ["f32"], value_parser = parse_dtype)]
    dtypes: Vec<DType>,
    /// Only kernels whose name contains one of these (cuBLAS is always run).
    #[arg(long = "kernel")]
    kernels: Vec<String>,
    /// Timed runs per kernel and shape (the median is reported).
    #[arg(long, default_value_t = 20)]
    reps: usize,
    /// Untimed runs first.
    #[arg(long, default_value_t = 3)]
    warmup: usize,
    /// Directory for the JSON and markdown results.
    #[arg(long, default_value = "bench/results")]
    out: std::path::PathBuf,
    /// Base name of the result files (default: derived from the GPU's name).
    #[arg(long)]
    name: Option<String>,
}

fn parse_dtype(s: &str) -> Result<DType, String> {
    match s {
        "f32" => Ok(DType::F32),
        "bf16" => Ok(DType::BF16),
        "f16" => Ok(DType::F16),
        _ => Err(format!("unknown dtype `{s}` (f32, bf16, f16)")),
    }
}

/// The input sets of one shape: enough copies that together they exceed 3× L2, so that
/// rotating through them keeps the cache from flattering small shapes.
/// Prefix of the error of a kernel that does not apply to a call.
const NOT_APPLICABLE: &str = "not applicable: ";

/// One timed call on input set `i` of the buffers.
type Run<'a, I, O> = dyn FnMut(&mut Buffers<I, O>, usize) -> Result<(), String> + 'a;

struct Buffers<I: Element, O: Element> {
    a: Vec<CudaSlice<I>>,
    b: Vec<CudaSlice<I>>,
    c: Vec<CudaSlice<O>>,
    a_host: Vec<I>,
    b_host: Vec<I>,
}

impl<I: Element, O: Element> Buffers<I, O> {
    fn new(
        stream: &Arc<CudaStream>,
        s: &Shape,
        l2_bytes: usize,
        seed: u64,
    ) -> Result<Self, String> {
        let mut rng = StdRng::seed_from_u64(seed);
        let a_host: Vec<I> = (0..s.m * s.k)
            .map(|_| I::from_f64(rng.random_range(-1.0..1.0)))
            .collect();
        let b_host: Vec<I> = (0..s.k * s.n)
            .map(|_| I::from_f64(rng.random_range(-1.0..1.0)))
            .collect();
        let set_bytes = (s.m * s.k + s.k * s.n) * I::DTYPE.size() + s.m * s.n * O::DTYPE.size();
        let sets = (3 * l2_bytes).div_ceil(set_bytes).clamp(1, 16);
        let e = |e: cudarc::driver::DriverError| e.to_string();
        let mut bufs = Buffers {
            a: vec![],
            b: vec![],
            c: vec![],
            a_host,
            b_host,
        };
        for _ in 0..sets {
            bufs.a.push(stream.clone_htod(&bufs.a_host).map_err(e)?);
            bufs.b.push(stream.clone_htod(&bufs.b_host).map_err(e)?);
            bufs.c.push(stream.alloc_zeros::<O>(s.m * s.n).map_err(e)?);
        }
        Ok(bufs)
    }

    /// Compares set 0's output with the reference on a sample of elements.
    fn check(&self, stream: &Arc<CudaStream>, s: &Shape, what: &str) -> Result<f64, String> {
        let out: Vec<O> = stream.clone_dtoh(&self.c[0]).map_err(|e| e.to_string())?;
        let no_c: [O; 0] = [];
        let ops = Operands {
            desc: GemmDesc::new(s.m, s.n, s.k),
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

fn run_dtype<I: Element, O: Element>(
    args: &Args,
    gemm: &Gemm,
    cublas: &cublas::Cublas,
    shapes: &[Shape],
    l2_bytes: usize,
    rows: &mut Vec<Row>,
) -> Result<(), String> {
    let stream = gemm.stream().clone();
    let kernels: Vec<Kernel> = Kernel::all()
        .into_iter()
        .filter(|k| k.supports(I::DTYPE, O::DTYPE))
        .filter(|k| {
            args.kernels.is_empty()
                || args
                    .kernels
                    .iter()
                    .any(|f| k.to_string().contains(f.as_str()))
        })
        .collect();
    for s in shapes {
        let desc = GemmDesc::new(s.m, s.n, s.k);
        let mut bufs = Buffers::<I, O>::new(&stream, s, l2_bytes, 1)?;
        let sets = bufs.a.len();
        let mut time = |name: String, run: &mut Run<I, O>| -> Result<(), String> {
            if let Err(e) = run(&mut bufs, 0) {
                // A kernel that cannot take this call (alignment, architecture) has no row.
                return match e.strip_prefix(NOT_APPLICABLE) {
                    Some(why) => {
                        eprintln!("  {:<28} {name:<32} n/a: {why}", s.name);
                        Ok(())
                    }
                    None => Err(e),
                };
            }
            let error = bufs.check(&stream, s, &name)?;
            let ms = timing::median_ms(&stream, args.warmup, args.reps, |i| {
                run(&mut bufs, i % sets)
            })?;
            let row = Row {
                shape: s.name.clone(),
                dtype: I::DTYPE.to_string(),
                kernel: name,
                ms,
                tflops: s.flops() / (ms * 1e-3) / 1e12,
                vs_cublas: None,
                vs_naive: None,
                error,
            };
            eprintln!(
                "  {:<28} {:<32} {:>9.3} ms {:>7.1} TFLOP/s",
                row.shape, row.kernel, row.ms, row.tflops
            );
            rows.push(row);
            Ok(())
        };
        time("cublas".into(), &mut |b, i| {
            cublas.gemm(&desc, 1.0, &b.a[i], &b.b[i], 0.0, &mut b.c[i])
        })?;
        for &k in &kernels {
            time(k.to_string(), &mut |b, i| {
                gemm.matmul(k, &desc, 1.0, &b.a[i], &b.b[i], 0.0, &mut b.c[i])
                    .map_err(|e| match e {
                        Error::Misaligned { .. } | Error::Unsupported { .. } => {
                            format!("{NOT_APPLICABLE}{e}")
                        }
                        e => e.to_string(),
                    })
            })?;
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = Args::parse();
    let ctx = match tessera::context(0) {
        Ok(c) => c,
        Err(e @ (Error::NoDriver | Error::NoDevice)) => {
            eprintln!(
                "tessera-bench: {e}.\nThe benchmark needs an NVIDIA GPU. On a GPU machine without a Rust toolchain, \
                 build a bundle here with `cargo xtask bundle`, copy dist/ there and run dist/run-bench.sh."
            );
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("tessera-bench: {e}");
            return ExitCode::FAILURE;
        }
    };
    match run(&args, ctx) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tessera-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args, ctx: Arc<cudarc::driver::CudaContext>) -> Result<(), String> {
    let stream = ctx.default_stream();
    let gemm = Gemm::new(stream.clone()).map_err(|e| e.to_string())?;
    let cublas = cublas::Cublas::new(stream.clone())?;
    let gpu = ctx.name().map_err(|e| e.to_string())?;
    let l2_bytes = ctx
        .attribute(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE)
        .map_err(|e| e.to_string())? as usize;
    // Two 128 × 128 fp32 tiles fit per SM at once.
    let shapes = if args.shapes.is_empty() {
        suite::default_suite(2 * gemm.sm_count() as usize)
    } else {
        args.shapes.clone()
    };
    eprintln!("{gpu}, {} SMs, {} MiB L2", gemm.sm_count(), l2_bytes >> 20);
    let mut rows = Vec::new();
    for &dtype in &args.dtypes {
        match dtype {
            DType::F32 => {
                run_dtype::<f32, f32>(args, &gemm, &cublas, &shapes, l2_bytes, &mut rows)?
            }
            DType::BF16 => run_dtype::<tessera::half::bf16, tessera::half::bf16>(
                args, &gemm, &cublas, &shapes, l2_bytes, &mut rows,
            )?,
            DType::F16 => run_dtype::<tessera::half::f16, tessera::half::f16>(
                args, &gemm, &cublas, &shapes, l2_bytes, &mut rows,
            )?,
        }
    }
    report::add_ratios(&mut rows);
    let table = report::markdown(&rows);
    println!("\n{gpu}\n\n{table}");
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    let name = args.name.clone().unwrap_or_else(|| {
        gpu.to_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "-")
    });
    std::fs::create_dir_all(&args.out).map_err(|e| e.to_string())?;
    let doc = report::json(&gpu, gemm.sm_count(), &command, &rows);
    std::fs::write(
        args.out.join(format!("{name}.json")),
        serde_json::to_string_pretty(&doc).unwrap(),
    )
    .map_err(|e| e.to_string())?;
    let md = format!("# {gpu}\n\nCommand: `{command}`\n\n{table}");
    std::fs::write(args.out.join(format!("{name}.md")), md).map_err(|e| e.to_string())?;
    Ok(())
}

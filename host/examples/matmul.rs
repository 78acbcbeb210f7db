//! Multiplies two matrices that live in the caller's own cudarc buffers, then checks the
//! result against a plain CPU product.
//!
//! `cargo run -p tessera --example matmul` (on a machine without an NVIDIA GPU it says so and
//! exits successfully).

use std::process::ExitCode;
use tessera::{Error, Gemm, GemmDesc, Kernel};

fn main() -> ExitCode {
    match run() {
        Ok(worst) if worst <= 1e-3 => ExitCode::SUCCESS,
        Ok(_) => {
            eprintln!("matmul: the GPU result differs from the CPU's");
            ExitCode::FAILURE
        }
        Err(e @ (Error::NoDriver | Error::NoDevice)) => {
            println!("no GPU here, nothing to multiply: {e}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("matmul: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the product on the GPU and returns the largest difference from the CPU's.
fn run() -> Result<f64, Error> {
    let (m, n, k) = (300, 200, 100);
    let a: Vec<f32> = (0..m * k).map(|i| (i % 7) as f32 - 3.0).collect();
    let b: Vec<f32> = (0..k * n).map(|i| (i % 5) as f32 * 0.5).collect();

    // The caller's context, stream and buffers: Tessera only borrows them.
    let stream = tessera::context(0)?.default_stream();
    let a_gpu = stream.clone_htod(&a)?;
    let b_gpu = stream.clone_htod(&b)?;
    let mut c_gpu = stream.alloc_zeros::<f32>(m * n)?;

    // The five lines of an embedding: a handle on the stream, one call, read back.
    let gemm = Gemm::new(stream.clone())?;
    let desc = GemmDesc::new(m, n, k);
    gemm.matmul(Kernel::Auto, &desc, 1.0, &a_gpu, &b_gpu, 0.0, &mut c_gpu)?;
    let c = stream.clone_dtoh(&c_gpu)?; // waits for the GEMM

    let worst = (0..m * n)
        .map(|idx| {
            let (i, j) = (idx / n, idx % n);
            let exact: f64 = (0..k)
                .map(|p| f64::from(a[i * k + p]) * f64::from(b[p * n + j]))
                .sum();
            (f64::from(c[idx]) - exact).abs()
        })
        .fold(0.0, f64::max);
    println!(
        "C = A·B, {m}×{k} by {k}×{n}, with {:?} on compute capability {}.{}: largest difference from the CPU {worst:e}",
        Kernel::Auto,
        gemm.arch().major,
        gemm.arch().minor
    );
    Ok(worst)
}

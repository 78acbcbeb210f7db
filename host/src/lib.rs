//! # Tessera
//!
//! Matrix multiplication on NVIDIA GPUs, with every kernel written in Rust and compiled to PTX
//! by rustc. It sits on [`cudarc`]: you pass your `Arc<CudaStream>` and your `CudaSlice` /
//! `CudaView` buffers; calls are asynchronous on that stream.
//!
//! ```no_run
//! # fn main() -> Result<(), tessera::Error> {
//! let stream = tessera::context(0)?.default_stream();
//! let a = stream.clone_htod(&vec![1.0f32; 64 * 32])?;
//! let b = stream.clone_htod(&vec![2.0f32; 32 * 16])?;
//! let mut c = stream.alloc_zeros::<f32>(64 * 16)?;
//! let gemm = tessera::Gemm::new(stream.clone())?;
//! gemm.matmul(tessera::Kernel::Auto, &tessera::GemmDesc::new(64, 16, 32), 1.0, &a, &b, 0.0, &mut c)?;
//! # Ok(()) }
//! ```
//!
//! - [`Gemm`]: the handle; [`Gemm::matmul`] is the one call.
//! - [`GemmDesc`]: `M`, `N`, `K` and leading dimensions of row-major `A`, `B`, `C`.
//! - [`Kernel`]: which kernel, [`Kernel::Auto`] by default; with [`Schedule`] (naive or
//!   persistent grid) and [`WgmmaSchedule`] (cooperative or ping-pong consumers on Hopper).
//! - [`Element`] / [`DType`]: `f32`, [`half::bf16`], [`half::f16`] inputs; the output is the
//!   input type or `f32`.
//! - [`Error`]: what was wrong with a call, returned before anything is launched.
//! - `record` (cargo feature `record`): `record::Recorder` runs the fp32 kernel with every
//!   tile's SM and start/end time recorded, for the naive-vs-persistent picture.
//! - [`reference`](mod@reference): the float64 CPU reference the tests and the benchmark check against.
//!
//! The kernels: a textbook baseline; a tiled fp32 SIMT kernel; on Hopper (sm_90a), a
//! TMA + `wgmma` tensor-core kernel for bf16/f16 inputs. Each runs on a naive grid (one block
//! per output tile) or a persistent grid (one block per SM slot, looping over tiles).

#![warn(missing_docs)]

mod desc;
mod element;
mod error;
mod gemm;
mod kernel;
mod module;
mod persistent;
mod plan;
mod raw;
#[cfg(feature = "record")]
pub mod record;
pub mod reference;
mod stream_k;
mod tensor_map;

pub use desc::{GemmDesc, Layout};
pub use element::{DType, Element};
pub use error::{Error, Operand, Result};
pub use gemm::Gemm;
pub use kernel::{Kernel, MmaTile, Schedule, WgmmaSchedule};
pub use module::{Arch, PTX_SM80, PTX_SM90A};
pub use persistent::TileClaims;

pub use cudarc;
pub use half;

use cudarc::driver::CudaContext;
use std::sync::Arc;

/// A CUDA context on GPU `ordinal`, or a clear error when there is no driver or no GPU.
///
/// (cudarc panics when `libcuda` is missing; this checks first.) A program that already has a
/// `CudaContext` does not need this: [`Gemm::new`] takes any stream.
///
/// ```
/// match tessera::context(0) {
///     Ok(ctx) => println!("GPU 0: {}", ctx.name().unwrap()),
///     Err(e @ (tessera::Error::NoDriver | tessera::Error::NoDevice)) => println!("no GPU: {e}"),
///     Err(e) => panic!("{e}"),
/// }
/// ```
pub fn context(ordinal: usize) -> Result<Arc<CudaContext>> {
    // SAFETY: only tries to load the library.
    if !unsafe { cudarc::driver::sys::is_culib_present() } {
        return Err(Error::NoDriver);
    }
    match CudaContext::device_count() {
        Ok(n) if (ordinal as i32) < n => Ok(CudaContext::new(ordinal)?),
        Ok(_) => Err(Error::NoDevice),
        Err(_) => Err(Error::NoDevice),
    }
}

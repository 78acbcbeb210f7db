//! Thin, unsafe launchers under the safe [`Gemm`](crate::Gemm) API.

use crate::error::Result;
use crate::module::Entry;
use cudarc::driver::{CudaStream, DeviceRepr, LaunchConfig, PushKernelArg};
use tessera_kernels::params::GemmParams;

/// [`GemmParams`] as a kernel argument: passed by value, as the PTX entry declares it.
#[repr(transparent)]
struct Params(GemmParams);

// SAFETY: `GemmParams` is `repr(C)` plain data, laid out as the device crate (the same
// definition, built for nvptx64) reads it.
unsafe impl DeviceRepr for Params {}

/// Launches `entry` on `grid` blocks.
///
/// # Safety
/// `params` must describe buffers that stay valid until the launch completes on `stream`,
/// with the shapes, leading dimensions and alignment `entry` requires.
pub(crate) unsafe fn launch(
    stream: &CudaStream,
    entry: &Entry,
    grid: u32,
    params: GemmParams,
) -> Result<()> {
    let cfg = LaunchConfig {
        grid_dim: (grid, 1, 1),
        block_dim: (entry.info.tile.threads, 1, 1),
        shared_mem_bytes: entry.info.smem_bytes,
    };
    let params = Params(params);
    unsafe { stream.launch_builder(&entry.func).arg(&params).launch(cfg) }?;
    Ok(())
}

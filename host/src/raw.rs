//! Thin, unsafe launchers under the safe [`Gemm`](crate::Gemm) API.

use crate::error::Result;
use crate::module::Entry;
use cudarc::driver::sys::{
    self, CUlaunchAttribute, CUlaunchAttributeID, CUlaunchAttributeValue, CUlaunchConfig,
};
use cudarc::driver::{CudaStream, DeviceRepr, LaunchConfig, PushKernelArg};
use tessera_kernels::params::GemmParams;

/// [`GemmParams`] as a kernel argument: passed by value, as the PTX entry declares it.
#[repr(transparent)]
struct Params(GemmParams);

// SAFETY: `GemmParams` is `repr(C)` plain data, laid out as the device crate (the same
// definition, built for nvptx64) reads it.
unsafe impl DeviceRepr for Params {}

/// `grid` blocks of `entry`'s threads and dynamic shared memory, along x.
fn grid_config(entry: &Entry, grid: u32) -> LaunchConfig {
    LaunchConfig {
        grid_dim: (grid, 1, 1),
        block_dim: (entry.threads, 1, 1),
        shared_mem_bytes: entry.smem_bytes,
    }
}

/// Launches a recorded entry point (`tessera_kernels::record`), which takes the record
/// buffer's address after the parameters.
///
/// # Safety
/// As [`launch`]; `record` holds one `TileRecord` per output tile until the launch completes.
#[cfg(feature = "record")]
pub(crate) unsafe fn launch_recorded(
    stream: &CudaStream,
    entry: &Entry,
    grid: u32,
    params: GemmParams,
    record: u64,
) -> Result<()> {
    let cfg = grid_config(entry, grid);
    let params = Params(params);
    unsafe {
        stream
            .launch_builder(&entry.func)
            .arg(&params)
            .arg(&record)
            .launch(cfg)
    }?;
    Ok(())
}

/// Launches `entry` on `grid` blocks, in clusters of `entry.info.cluster_m` along x when
/// that is above 1.
///
/// # Safety
/// `params` must describe buffers that stay valid until the launch completes on `stream`,
/// with the shapes, leading dimensions and alignment `entry` requires; `grid` is a multiple
/// of `entry.info.cluster_m`.
pub(crate) unsafe fn launch(
    stream: &CudaStream,
    entry: &Entry,
    grid: u32,
    params: GemmParams,
) -> Result<()> {
    let cfg = grid_config(entry, grid);
    if entry.info.cluster_m > 1 {
        return unsafe { launch_clustered(stream, entry, cfg, params) };
    }
    let params = Params(params);
    unsafe { stream.launch_builder(&entry.func).arg(&params).launch(cfg) }?;
    Ok(())
}

/// The launch attribute "clusters of `cluster_m × 1 × 1` blocks".
pub(crate) fn cluster_dimension(cluster_m: u32) -> CUlaunchAttribute {
    // SAFETY: the value union is plain data; all-zero is a valid bit pattern of each field.
    let mut value: CUlaunchAttributeValue = unsafe { std::mem::zeroed() };
    value.clusterDim.x = cluster_m;
    value.clusterDim.y = 1;
    value.clusterDim.z = 1;
    CUlaunchAttribute {
        id: CUlaunchAttributeID::CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION,
        pad: [0; 4],
        value,
    }
}

/// `cfg` as the driver's extended launch configuration on `stream` (null: the context's
/// default stream), with `attrs`.
pub(crate) fn launch_config(
    cfg: &LaunchConfig,
    stream: sys::CUstream,
    attrs: &mut [CUlaunchAttribute],
) -> CUlaunchConfig {
    CUlaunchConfig {
        gridDimX: cfg.grid_dim.0,
        gridDimY: cfg.grid_dim.1,
        gridDimZ: cfg.grid_dim.2,
        blockDimX: cfg.block_dim.0,
        blockDimY: cfg.block_dim.1,
        blockDimZ: cfg.block_dim.2,
        sharedMemBytes: cfg.shared_mem_bytes,
        hStream: stream,
        attrs: attrs.as_mut_ptr(),
        numAttrs: attrs.len() as u32,
    }
}

/// [`launch`] through `cuLaunchKernelEx` with a cluster dimension: cudarc's launch builder
/// has no launch attributes.
///
/// # Safety
/// As [`launch`].
unsafe fn launch_clustered(
    stream: &CudaStream,
    entry: &Entry,
    cfg: LaunchConfig,
    params: GemmParams,
) -> Result<()> {
    debug_assert!(cfg.grid_dim.0.is_multiple_of(entry.info.cluster_m));
    // cudarc's launch builder binds the stream's context first; so must this path.
    stream.context().bind_to_thread()?;
    let mut attrs = [cluster_dimension(entry.info.cluster_m)];
    let config = launch_config(&cfg, stream.cu_stream(), &mut attrs);
    let mut params = params;
    // One pointer per kernel parameter: the entry takes a single by-value `GemmParams`.
    let mut args = [(&raw mut params).cast::<std::ffi::c_void>()];
    // SAFETY: `config`, `attrs`, `params` and `args` outlive the call, which copies the
    // arguments; the function and stream belong to the bound context; the caller vouches for
    // the buffers `params` describes.
    unsafe {
        sys::cuLaunchKernelEx(
            &config,
            entry.func.cu_function(),
            args.as_mut_ptr(),
            std::ptr::null_mut(),
        )
        .result()?
    };
    Ok(())
}

//! The `Gemm` handle: validation, kernel choice and launch on the caller's stream.

use crate::desc::{GemmDesc, check_aliasing};
use crate::element::DType;
use crate::element::Element;
use crate::error::{Error, Operand, Result};
use crate::kernel::{Kernel, Schedule, WgmmaSchedule};
use crate::module::{Arch, Entry, Module};
use crate::plan::{Call, Plan, plan};
use crate::raw;
use crate::tensor_map::{self, EncodeError, InputType};
use cudarc::driver::{CudaStream, DevicePtr, DevicePtrMut};
use std::sync::Arc;
use tessera_kernels::params::TensorMap;
use tessera_kernels::schedule::{Clustered, NaiveGrid, Persistent, TileScheduler};

/// Runs GEMMs on one CUDA stream.
///
/// Created once (it loads the kernels into the stream's context), then used for any number
/// of calls, from any thread. Every call is asynchronous on the stream: synchronise the
/// stream before reading `C` on the host. A call allocates nothing and copies nothing, so it
/// can be captured into a CUDA graph (with cudarc's event tracking switched off around the
/// capture, as cudarc requires for capture).
///
/// ```no_run
/// # fn main() -> Result<(), tessera::Error> {
/// use tessera::{Gemm, GemmDesc, Kernel};
/// let ctx = tessera::context(0)?;
/// let stream = ctx.default_stream();
/// let (m, n, k) = (512, 256, 128);
/// let a = stream.clone_htod(&vec![1.0f32; m * k])?;
/// let b = stream.clone_htod(&vec![1.0f32; k * n])?;
/// let mut c = stream.alloc_zeros::<f32>(m * n)?;
///
/// let gemm = Gemm::new(stream.clone())?;
/// gemm.matmul(Kernel::Auto, &GemmDesc::new(m, n, k), 1.0, &a, &b, 0.0, &mut c)?;
/// let c = stream.clone_dtoh(&c)?; // synchronises
/// assert!(c.iter().all(|&x| x == k as f32));
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Gemm {
    stream: Arc<CudaStream>,
    module: Module,
}

impl Gemm {
    /// Loads the kernels for the GPU of `stream`'s context.
    pub fn new(stream: Arc<CudaStream>) -> Result<Self> {
        let module = Module::load(stream.context())?;
        Ok(Gemm { stream, module })
    }

    /// The stream every call is issued on.
    pub fn stream(&self) -> &Arc<CudaStream> {
        &self.stream
    }

    /// The GPU's compute capability.
    pub fn arch(&self) -> Arch {
        self.module.arch
    }

    /// Number of SMs of the GPU.
    pub fn sm_count(&self) -> u32 {
        self.module.sm_count
    }

    /// `C = alpha · A · B + beta · C` with `kernel` (or the one `Kernel::Auto` picks).
    ///
    /// `A`, `B`, `C` are row-major as `desc` describes them. `beta == 0` never reads `C`.
    /// `K = 0` gives `C = beta · C`; `M = 0` or `N = 0` is an error ([`Error::ZeroDimension`]).
    ///
    /// # Errors
    /// A shape, leading dimension or buffer length that does not fit ([`Error::ZeroDimension`],
    /// [`Error::LeadingDimension`], [`Error::BufferTooShort`], [`Error::IndexOverflow`]); `C`
    /// sharing memory with `A` or `B` ([`Error::Aliasing`]); buffers from another context
    /// ([`Error::WrongContext`]); a kernel that cannot serve the types or alignment
    /// ([`Error::Unsupported`]); a failed launch ([`Error::Driver`]). Nothing is launched when
    /// an error is returned.
    #[allow(clippy::too_many_arguments)]
    pub fn matmul<I: Element, O: Element>(
        &self,
        kernel: Kernel,
        desc: &GemmDesc,
        alpha: f32,
        a: &impl DevicePtr<I>,
        b: &impl DevicePtr<I>,
        beta: f32,
        c: &mut impl DevicePtrMut<O>,
    ) -> Result<()> {
        desc.validate(a.len(), b.len(), c.len())?;
        for (operand, stream) in [
            (Operand::A, a.stream()),
            (Operand::B, b.stream()),
            (Operand::C, c.stream()),
        ] {
            if stream.context().cu_ctx() != self.stream.context().cu_ctx() {
                return Err(Error::WrongContext { operand });
            }
        }
        let (a_ptr, _a_read) = a.device_ptr(&self.stream);
        let (b_ptr, _b_read) = b.device_ptr(&self.stream);
        let (c_ptr, _c_write) = c.device_ptr_mut(&self.stream);
        let bytes = |op: Operand, size: usize| (desc.min_len(op) * size) as u64;
        let (si, so) = (I::DTYPE.size(), O::DTYPE.size());
        check_aliasing(
            (a_ptr, bytes(Operand::A, si)),
            (b_ptr, bytes(Operand::B, si)),
            (c_ptr, bytes(Operand::C, so)),
        )?;
        let mut params = desc.params([a_ptr, b_ptr, c_ptr], alpha, beta);
        let call = Call {
            input: I::DTYPE,
            output: O::DTYPE,
            arch: self.module.arch,
            sm_count: self.module.sm_count,
            params: &params,
            input_lens: [a.len(), b.len()],
        };
        let Plan {
            kernel,
            entry: name,
            schedule,
        } = plan(kernel, &call)?;
        let entry = self.entry(&name, kernel)?;
        let grid = self.grid_size(entry, schedule, desc)?;
        if let Kernel::Wgmma(w, _) = kernel {
            params.tensor_maps = self.tensor_maps::<I>(kernel, w, desc, a_ptr, b_ptr)?;
        }
        // SAFETY: the parameters were validated against the buffers, which outlive the
        // launch through cudarc's stream-ordered events (`_a_read`, `_b_read`, `_c_write`).
        unsafe { raw::launch(&self.stream, entry, grid, params) }
    }

    /// Encodes the `[A, B]` tensor maps of a Hopper launch (passed by value in the parameters).
    fn tensor_maps<I: Element>(
        &self,
        kernel: Kernel,
        schedule: WgmmaSchedule,
        desc: &GemmDesc,
        a: u64,
        b: u64,
    ) -> Result<[TensorMap; 2]> {
        let cfg = schedule.config();
        let ty = if I::DTYPE == DType::BF16 {
            InputType::Bf16
        } else {
            InputType::F16
        };
        let dims = (desc.m as u32, desc.n as u32, desc.k as u32);
        // SAFETY: `a` and `b` hold the matrices `desc` describes (validated by the caller).
        let maps = unsafe {
            tensor_map::encode_gemm(cfg, ty, dims, (a, desc.lda as u32), (b, desc.ldb as u32))
        }
        .map_err(|e| match e {
            EncodeError::Driver(e) => Error::Driver(e),
            EncodeError::Unsupported(u) => Error::Unsupported {
                kernel: kernel.to_string(),
                reason: format!("{u:?}"),
            },
        })?;
        Ok(maps.map(|m| TensorMap(m.opaque)))
    }

    fn entry(&self, name: &str, kernel: Kernel) -> Result<&Entry> {
        self.module.get(name).ok_or_else(|| Error::Unsupported {
            kernel: kernel.to_string(),
            reason: format!(
                "entry point {name} is not built for compute capability {}.{}",
                self.module.arch.major, self.module.arch.minor
            ),
        })
    }

    /// Blocks to launch: one per tile, or one per resident slot; for a kernel launched in
    /// clusters, whole clusters, through the same [`Clustered`] scheduler as the kernel's.
    fn grid_size(&self, entry: &Entry, schedule: Schedule, desc: &GemmDesc) -> Result<u32> {
        let tile = entry.info.tile;
        let (tiles_m, tiles_n) = (
            desc.m.div_ceil(tile.block_m as usize),
            desc.n.div_ceil(tile.block_n as usize),
        );
        let tiles = tiles_m * tiles_n;
        if tiles > i32::MAX as usize {
            return Err(Error::IndexOverflow {
                what: "number of output tiles",
                value: tiles,
            });
        }
        let grid = desc.tile_grid(tile.block_m, tile.block_n);
        let resident = entry.resident;
        Ok(match (schedule, entry.info.cluster_m) {
            (Schedule::NaiveGrid, 1) => NaiveGrid::grid_size(&grid, resident),
            (Schedule::Persistent, 1) => Persistent::grid_size(&grid, resident),
            (Schedule::NaiveGrid, 2) => Clustered::<NaiveGrid, 2>::grid_size(&grid, resident),
            (Schedule::Persistent, 2) => Clustered::<Persistent, 2>::grid_size(&grid, resident),
            (_, c) => {
                return Err(Error::Unsupported {
                    kernel: entry.info.name.into(),
                    reason: format!("no host scheduler for clusters of {c} blocks"),
                });
            }
        })
    }
}

//! The `Gemm` handle: validation, kernel choice and launch on the caller's stream.

use crate::desc::{GemmDesc, Layout, check_aliasing};
use crate::element::DType;
use crate::element::Element;
use crate::error::{Error, Operand, Result};
use crate::kernel::{Kernel, Schedule, WgmmaSchedule};
use crate::module::{Arch, Entry, Module};
use crate::persistent::{Balance, PersistentLaunch, TileClaims};
use crate::plan::{Call, Plan, plan};
use crate::raw;
use crate::stream_k::Workspace;
use crate::tensor_map::{self, ElementType, EncodeError, TensorMap3d};
use cudarc::driver::{CudaStream, DevicePtr, DevicePtrMut};
use std::sync::Arc;
use tessera_kernels::params::{GemmParams, TensorMap};
use tessera_kernels::schedule::{Clustered, NaiveGrid, Persistent, TileScheduler, teams_grid_size};
use tessera_kernels::sm90_layout::{Major, StageTile};

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
    /// The partial sums of the persistent 128 × 128 `mma.sync` kernel's stream-K rounds, and
    /// the tile counter of the claimed kernels.
    workspace: Option<Workspace>,
    claims: TileClaims,
}

impl Gemm {
    /// Loads the kernels for the GPU of `stream`'s context, and allocates the workspace of
    /// the persistent 128 × 128 `mma.sync` kernel: partial sums of up to two tiles of `f32`
    /// per slot of its grid (33 MiB on a 132-SM H100), through which teams of different blocks
    /// share the tiles of a partial last round (stream-K).
    pub fn new(stream: Arc<CudaStream>) -> Result<Self> {
        Self::with_shared_memory_limit(stream, u32::MAX)
    }

    /// As [`Gemm::new`], with the kernels held to `bytes` of shared memory per block (and
    /// per SM, for choosing tile configurations), or to the GPU's own limits where those are
    /// lower. Kernels whose stages do not fit are left out: a call that would run one gets
    /// [`Error::Unsupported`] (`Kernel::Auto` too, when it picks one: on Hopper, below the
    /// `wgmma` kernels' needs, name an `mma.sync` kernel). The persistent 128 × 128 `mma.sync`
    /// kernel launches one team per block where its two teams' 192 KiB do not fit.
    ///
    /// For leaving shared memory to other work on the same SMs, and for running on one GPU
    /// the paths that GPUs with less shared memory take (per block: A100 163 KiB, Ada 99 KiB).
    pub fn with_shared_memory_limit(stream: Arc<CudaStream>, bytes: u32) -> Result<Self> {
        let module = Module::load(stream.context(), bytes)?;
        let workspace = Workspace::for_module(&stream, &module)?;
        Ok(Gemm {
            stream,
            module,
            workspace,
            claims: TileClaims::Auto,
        })
    }

    /// This handle, with the persistent 128 × 128 `mma.sync` grids that [`TileClaims`]
    /// describes claiming their tiles as `claims` says (by default [`TileClaims::Auto`]).
    pub fn with_tile_claims(self, claims: TileClaims) -> Self {
        Gemm { claims, ..self }
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

    /// Peak DRAM bandwidth of the GPU in GB/s, from its memory clock and bus width; 0 where
    /// the driver does not give them.
    pub fn dram_gbps(&self) -> u32 {
        self.module.dram_gbps
    }

    /// `C = alpha · A · B + beta · C` with `kernel` (or the one `Kernel::Auto` picks), for
    /// every problem of `desc`'s batch.
    ///
    /// `A`, `B`, `C` are laid out as `desc` describes them (row- or column-major each, with
    /// leading dimensions and batch strides). `beta == 0` never reads `C`. `K = 0` gives
    /// `C = beta · C`; `M = 0`, `N = 0` or an empty batch is an error
    /// ([`Error::ZeroDimension`]).
    ///
    /// # Errors
    /// A shape, leading dimension, batch stride or buffer length that does not fit
    /// ([`Error::ZeroDimension`], [`Error::LeadingDimension`], [`Error::BatchStride`],
    /// [`Error::BufferTooShort`], [`Error::IndexOverflow`]); `C` sharing memory with `A` or `B`
    /// ([`Error::Aliasing`]); buffers from another context ([`Error::WrongContext`]); a
    /// kernel that cannot serve the types, layouts or alignment ([`Error::Unsupported`],
    /// [`Error::Misaligned`]); a failed launch ([`Error::Driver`]). Nothing is launched when
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
        self.prepare(kernel, desc, alpha, a, b, beta, c, |entry, grid, params| {
            // SAFETY: the parameters were validated against the buffers, which outlive the
            // launch through cudarc's stream-ordered events (`prepare`'s `_a_read`, `_b_read`,
            // `_c_write`). A stream-K launch's workspace holds a counter per slot and two tiles
            // of partial sums per slot, and the calls on this stream use it in turn.
            unsafe { raw::launch(&self.stream, entry, grid, params) }
        })
    }

    /// The name of the kernel entry point that [`Gemm::matmul`] launches for these
    /// arguments, after every check it makes (the same errors), without launching anything:
    /// for logs and benchmarks. It is the chosen kernel's own, or, for a persistent
    /// `mma.sync` call, the one that runs in its place (`..._naive`, `..._stream_k`,
    /// `..._claimed`; the README's "persistent grids of few rounds" and "of many rounds").
    pub fn entry_point<I: Element, O: Element>(
        &self,
        kernel: Kernel,
        desc: &GemmDesc,
        a: &impl DevicePtr<I>,
        b: &impl DevicePtr<I>,
        c: &mut impl DevicePtrMut<O>,
    ) -> Result<&'static str> {
        self.prepare(kernel, desc, 1.0, a, b, 0.0, c, |entry, _, _| {
            Ok(entry.info.name)
        })
    }

    /// Validates a call, chooses its kernel, entry point and grid and sets its parameters,
    /// then hands them to `then` while the buffers' stream-ordered guards are held.
    #[allow(clippy::too_many_arguments)]
    fn prepare<I: Element, O: Element, T>(
        &self,
        kernel: Kernel,
        desc: &GemmDesc,
        alpha: f32,
        a: &impl DevicePtr<I>,
        b: &impl DevicePtr<I>,
        beta: f32,
        c: &mut impl DevicePtrMut<O>,
        then: impl FnOnce(&Entry, u32, GemmParams) -> Result<T>,
    ) -> Result<T> {
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
        // The kernels compute a row-major C: a column-major one swaps A and B.
        let (desc, swapped) = desc.with_row_major_c();
        let (a_ptr, b_ptr, lens) = if swapped {
            (b_ptr, a_ptr, [b.len(), a.len()])
        } else {
            (a_ptr, b_ptr, [a.len(), b.len()])
        };
        let mut params = desc.params([a_ptr, b_ptr, c_ptr], alpha, beta);
        let call = Call {
            input: I::DTYPE,
            output: O::DTYPE,
            arch: self.module.arch,
            sm_count: self.module.sm_count,
            smem_per_sm: self.module.smem_per_sm,
            params: &params,
            input_lens: lens,
        };
        let Plan {
            kernel,
            entry: name,
            schedule,
        } = plan(kernel, &call)?;
        let entry = self.entry(&name, kernel)?;
        let (round_blocks, grid) = self.grid_size(entry, schedule, &desc)?;
        params.round_blocks = round_blocks;
        if let Kernel::Wgmma(w, _) = kernel {
            let operands = [a_ptr, b_ptr, c_ptr];
            let (maps, with_c) =
                self.tensor_maps::<I, O>(kernel, w, entry.info.cluster_m, &desc, operands)?;
            params.tensor_maps = maps;
            params.store_with_tma = with_c.into();
        }
        let launch = match kernel {
            Kernel::MmaSync(..) if schedule == Schedule::Persistent => PersistentLaunch::plan(
                entry,
                &desc.tile_grid(entry.info.tile.block_m, entry.info.tile.block_n),
                desc.k,
                (
                    desc.b_bytes::<I>(),
                    (desc.lda * I::DTYPE.size()) as u64,
                    (desc.ldb * I::DTYPE.size()) as u64,
                ),
                round_blocks,
                Balance::of(self.module.dram_gbps, self.module.sm_count, self.claims),
            ),
            _ => PersistentLaunch::Rounds,
        };
        let (entry, grid) = match self.in_place_of(entry, launch, &mut params) {
            Some(other) => other,
            None => (entry, grid),
        };
        then(entry, grid, params)
    }

    /// The entry and grid that run `launch` in place of the persistent `entry`, with `params`
    /// set for them; `None` where the persistent kernel runs (`launch` is
    /// [`PersistentLaunch::Rounds`], or the entry in its place is not loaded).
    fn in_place_of(
        &self,
        entry: &Entry,
        launch: PersistentLaunch,
        params: &mut GemmParams,
    ) -> Option<(&Entry, u32)> {
        let other = self.module.get(&launch.entry_name(entry.info.name)?)?;
        match launch {
            PersistentLaunch::Rounds => None,
            PersistentLaunch::StreamK { slots } => {
                (params.partials, params.arrivals) =
                    self.workspace.as_ref()?.addresses(&self.stream);
                Some((other, slots))
            }
            PersistentLaunch::OneTilePerBlock { tiles } => {
                params.round_blocks = tiles;
                Some((other, tiles))
            }
            PersistentLaunch::Claimed { tiles } => {
                // The tile counter: the first of the workspace's counters, zero between
                // launches like the others.
                (_, params.arrivals) = self.workspace.as_ref()?.addresses(&self.stream);
                // Every slot has a first tile of its own.
                let blocks = other.resident.min(tiles);
                params.round_blocks = blocks;
                Some((other, blocks))
            }
        }
    }

    /// Encodes the `[A, B, C]` tensor maps of a Hopper launch (passed by value in the
    /// parameters); `desc` has a row-major `C`, `cluster_m` is the launch's cluster size.
    /// Returns whether `C` has a map: when its start, row length, rows or batch stride break
    /// TMA's 16-byte rules, the kernel stores from registers instead.
    #[allow(clippy::too_many_arguments)]
    fn tensor_maps<I: Element, O: Element>(
        &self,
        kernel: Kernel,
        schedule: WgmmaSchedule,
        cluster_m: u32,
        desc: &GemmDesc,
        [a, b, c]: [u64; 3],
    ) -> Result<([TensorMap; 3], bool)> {
        let cfg = schedule.config();
        let ty = |d: DType| match d {
            DType::BF16 => ElementType::Bf16,
            DType::F16 => ElementType::F16,
            DType::F32 => ElementType::F32,
        };
        let batch = |op: Operand| {
            let stride = if desc.batch > 1 {
                desc.batch_stride(op)
            } else {
                0
            };
            (desc.batch, stride)
        };
        let operand = |op: Operand, tile: StageTile, split: u32| {
            TensorMap3d::operand(tile, split, desc.storage(op), batch(op))
        };
        let major = |layout: Layout, row_major: Major| match layout {
            Layout::RowMajor => row_major,
            Layout::ColMajor => match row_major {
                Major::K => Major::MN,
                Major::MN => Major::K,
            },
        };
        let map_a = operand(Operand::A, cfg.a_tile(major(desc.layout_a, Major::K)), 1);
        let map_b = operand(
            Operand::B,
            cfg.b_tile(major(desc.layout_b, Major::MN)),
            cluster_m,
        );
        let driver = |e: EncodeError| match e {
            EncodeError::Driver(e) => Error::Driver(e),
            EncodeError::Unsupported(u) => Error::Unsupported {
                kernel: kernel.to_string(),
                reason: format!("{u:?}"),
            },
        };
        // SAFETY: `a` and `b` hold the matrices `desc` describes (validated by the caller).
        let [ma, mb] = unsafe { tensor_map::encode_pair(ty(I::DTYPE), (&map_a, a), (&map_b, b)) }
            .map_err(driver)?;
        let out = ty(O::DTYPE);
        let map_c = TensorMap3d::output(out.size(), desc.storage(Operand::C), batch(Operand::C));
        let (mc, with_c) = if map_c.can_store_to(c, out.size()) {
            // SAFETY: `c` holds the matrices `desc` describes; the geometry fits.
            (
                unsafe { map_c.encode(out, c) }
                    .map_err(EncodeError::from)
                    .map_err(driver)?,
                true,
            )
        } else {
            (ma, false) // a placeholder the kernel never reads
        };
        Ok(([ma, mb, mc].map(|m| TensorMap(m.opaque)), with_c))
    }

    fn entry(&self, name: &str, kernel: Kernel) -> Result<&Entry> {
        self.module.get(name).ok_or_else(|| Error::Unsupported {
            kernel: kernel.to_string(),
            reason: format!(
                "entry point {name} is not available on this GPU (compute capability {}.{}): \
                 not built for it, or its stages need more shared memory per block than the \
                 GPU has (or than this `Gemm` may use)",
                self.module.arch.major, self.module.arch.minor
            ),
        })
    }

    /// The blocks that take tiles in rounds (`GemmParams::round_blocks`) and the blocks to
    /// launch: one per tile, or one per resident slot; for a persistent kernel of teams, one
    /// more per tile of the partial last round ([`teams_grid_size`]); for a kernel launched in
    /// clusters, whole clusters, through the same [`Clustered`] scheduler as the kernel's.
    fn grid_size(&self, entry: &Entry, schedule: Schedule, desc: &GemmDesc) -> Result<(u32, u32)> {
        let tile = entry.info.tile;
        let (tiles_m, tiles_n) = (
            desc.m.div_ceil(tile.block_m as usize),
            desc.n.div_ceil(tile.block_n as usize),
        );
        let tiles = tiles_m.saturating_mul(tiles_n).saturating_mul(desc.batch);
        if tiles > i32::MAX as usize {
            return Err(Error::IndexOverflow {
                what: "number of output tiles",
                value: tiles,
            });
        }
        let grid = desc.tile_grid(tile.block_m, tile.block_n);
        let resident = entry.resident;
        let blocks = match (schedule, entry.info.cluster_m) {
            (Schedule::Persistent, 1) if entry.info.teams > 1 => {
                return Ok(teams_grid_size(&grid, resident, entry.teams));
            }
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
        };
        Ok((blocks, blocks))
    }
}

//! Recorded GEMMs: which SM computed which output tile, and when (feature `record`).
//!
//! [`Recorder`] runs the tiled fp32 kernel on either grid with its scheduler wrapped so that
//! thread 0 of each block writes a [`TileRecord`] per tile (see `tessera_kernels::record`: the
//! end time includes the epilogue). The kernels are the ones [`Gemm`](crate::Gemm) runs,
//! built into a PTX module of their own, so the normal module carries no recording code.

use crate::desc::{GemmDesc, Layout};
use crate::error::{Error, Result};
use crate::kernel::Schedule;
use crate::module::{Arch, Module};
use crate::raw;
use cudarc::driver::{CudaSlice, CudaStream, DevicePtr, DevicePtrMut};
use std::sync::Arc;
use tessera_kernels::record::RECORDED_KERNELS;
pub use tessera_kernels::record::TileRecord;
use tessera_kernels::schedule::{NaiveGrid, Persistent, TileScheduler};

const PTX_SM90A: &str = include_str!(concat!(env!("OUT_DIR"), "/kernels_record_sm_90a.ptx"));
const PTX_SM80: &str = include_str!(concat!(env!("OUT_DIR"), "/kernels_record_sm_80.ptx"));

/// One recorded launch.
#[derive(Clone, Debug)]
pub struct Recording {
    /// The grid the kernel ran on.
    pub schedule: Schedule,
    /// Blocks launched.
    pub blocks: u32,
    /// Output tiles down and across.
    pub tiles_m: u32,
    /// Output tiles across.
    pub tiles_n: u32,
    /// `(block_m, block_n)` of a tile, in elements.
    pub tile: (u32, u32),
    /// One record per tile, at index `m · tiles_n + n`.
    pub records: Vec<TileRecord>,
}

/// Runs recorded fp32 GEMMs on one stream.
///
/// ```no_run
/// # fn main() -> Result<(), tessera::Error> {
/// use tessera::{GemmDesc, Schedule, record::Recorder};
/// let stream = tessera::context(0)?.default_stream();
/// let desc = GemmDesc::new(4096, 4096, 1024);
/// let a = stream.alloc_zeros::<f32>(4096 * 1024)?;
/// let b = stream.alloc_zeros::<f32>(1024 * 4096)?;
/// let mut c = stream.alloc_zeros::<f32>(4096 * 4096)?;
/// let recorder = Recorder::new(stream.clone())?;
/// let run = recorder.record(Schedule::Persistent, &desc, &a, &b, &mut c)?;
/// println!("{} tiles on {} blocks", run.records.len(), run.blocks);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Recorder {
    stream: Arc<CudaStream>,
    module: Module,
}

impl Recorder {
    /// Loads the recorded kernels for the GPU of `stream`'s context.
    pub fn new(stream: Arc<CudaStream>) -> Result<Self> {
        let ptx = |arch: Arch| arch.pick(PTX_SM90A, PTX_SM80);
        let module = Module::load_table(stream.context(), ptx, RECORDED_KERNELS, u32::MAX)?;
        Ok(Recorder { stream, module })
    }

    /// Number of SMs of the GPU.
    pub fn sm_count(&self) -> u32 {
        self.module.sm_count
    }

    /// `C = A · B` with the tiled fp32 kernel on `schedule`'s grid; waits for it and returns
    /// the records.
    ///
    /// # Errors
    /// As [`Gemm::matmul`](crate::Gemm::matmul); [`Error::Misaligned`] when an operand or a
    /// leading dimension is not 16-byte aligned (only the vectorised kernel is recorded).
    pub fn record(
        &self,
        schedule: Schedule,
        desc: &GemmDesc,
        a: &impl DevicePtr<f32>,
        b: &impl DevicePtr<f32>,
        c: &mut impl DevicePtrMut<f32>,
    ) -> Result<Recording> {
        desc.validate(a.len(), b.len(), c.len())?;
        let name = format!("tiled_f32_{}_recorded", schedule.entry_suffix());
        let row_major = [desc.layout_a, desc.layout_b, desc.layout_c] == [Layout::RowMajor; 3];
        if !row_major || desc.batch != 1 {
            return Err(Error::Unsupported {
                kernel: name,
                reason: "the recorded kernel takes one problem of row-major matrices".into(),
            });
        }
        let entry = self.module.get(&name).ok_or_else(|| Error::Unsupported {
            kernel: name.clone(),
            reason: "not in the recorded PTX module".into(),
        })?;
        let tile = entry.info.tile;
        let grid = desc.tile_grid(tile.block_m, tile.block_n);
        let blocks = match schedule {
            Schedule::NaiveGrid => NaiveGrid::grid_size(&grid, entry.resident),
            Schedule::Persistent => Persistent::grid_size(&grid, entry.resident),
        };
        // 4 u64 words per TileRecord.
        let mut records: CudaSlice<u64> = self.stream.alloc_zeros(4 * grid.count() as usize)?;
        {
            let (a_ptr, _a_read) = a.device_ptr(&self.stream);
            let (b_ptr, _b_read) = b.device_ptr(&self.stream);
            let (c_ptr, _c_write) = c.device_ptr_mut(&self.stream);
            for (operand, ptr, ld) in [
                (crate::Operand::A, a_ptr, desc.lda),
                (crate::Operand::B, b_ptr, desc.ldb),
                (crate::Operand::C, c_ptr, desc.ldc),
            ] {
                if !(ptr.is_multiple_of(16) && (ld * 4).is_multiple_of(16)) {
                    return Err(Error::Misaligned {
                        operand,
                        requirement: "the recorded kernel needs 16-byte aligned operands and leading dimensions that are multiples of 4",
                    });
                }
            }
            let (r_ptr, _r_write) = records.device_ptr_mut(&self.stream);
            let params = desc.params([a_ptr, b_ptr, c_ptr], 1.0, 0.0);
            // SAFETY: validated above; `records` holds a record per tile; the buffers outlive
            // the launch through the stream-ordered events held here.
            unsafe { raw::launch_recorded(&self.stream, entry, blocks, params, r_ptr) }?;
        }
        let words = self.stream.clone_dtoh(&records)?;
        let records = words
            .as_chunks::<4>()
            .0
            .iter()
            .map(|w| TileRecord {
                m: w[0] as u32,
                n: (w[0] >> 32) as u32,
                sm: w[1] as u32,
                block: (w[1] >> 32) as u32,
                start_ns: w[2],
                end_ns: w[3],
            })
            .collect();
        Ok(Recording {
            schedule,
            blocks,
            tiles_m: grid.tiles_m,
            tiles_n: grid.tiles_n,
            tile: (tile.block_m, tile.block_n),
            records,
        })
    }
}

//! Recording which SM computed which output tile, and when: the data behind the
//! naive-vs-persistent picture (`cargo xtask viz`).
//!
//! With the cargo feature `record`, the device build also exports
//! [`RECORDED_KERNELS`]: the tiled fp32 kernel on both grids, with its scheduler wrapped in
//! `Recorded<S>`. The wrapper changes nothing in the mainloop or the epilogue: thread 0 of
//! each block, when it is handed a tile by `next()`, writes a [`TileRecord`] with the tile, the
//! SM (`%smid`) and the start time (`%globaltimer`), and fills in the end time of the block's
//! previous tile. Only thread 0 writes, with plain stores, so a tile's bookkeeping adds no
//! barrier.
//!
//! **The end time includes the epilogue**: it is taken when the block is handed its next
//! tile, or, for its last tile, when the kernel body returns. On the persistent grid the fp32
//! kernel asks for its next tile halfway through the epilogue's stores (to overlap the next
//! tile's first copies), so there a tile's end is the moment the next one starts.
//!
//! The recorded entry points take the record buffer as a second parameter rather than a field
//! of [`GemmParams`](crate::params::GemmParams), so that building without the feature leaves
//! every other kernel and the PTX exactly as they are. The address reaches the scheduler
//! through one 8-byte `.shared` variable that thread 0 writes and reads.

use crate::kernels::{KernelInfo, find};

/// One output tile of a recorded launch, at index `m · tiles_n + n` of the record buffer.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TileRecord {
    /// Tile row (output rows `m · block_m ..`).
    pub m: u32,
    /// Tile column.
    pub n: u32,
    /// The SM the block ran on.
    pub sm: u32,
    /// The block (`blockIdx.x`) that computed the tile.
    pub block: u32,
    /// `%globaltimer` when the block was handed the tile, in nanoseconds.
    pub start_ns: u64,
    /// `%globaltimer` when the block was done with it (see the module docs).
    pub end_ns: u64,
}

const fn recorded(base: &str, name: &'static str) -> KernelInfo {
    match find(base) {
        Some(k) => KernelInfo { name, ..*k },
        None => panic!("no such kernel"),
    }
}

/// The recorded entry points: the same tile, threads, shared memory and launch bounds as the
/// kernels they record.
pub const RECORDED_KERNELS: &[KernelInfo] = &[
    recorded("tiled_f32_naive", "tiled_f32_naive_recorded"),
    recorded("tiled_f32_persistent", "tiled_f32_persistent_recorded"),
];

#[cfg(all(target_arch = "nvptx64", feature = "record"))]
mod device {
    use super::TileRecord;
    use crate::arch::{thread, timer};
    use crate::mainloop::simt_f32;
    use crate::params::{GemmParams, ParamSpace};
    use crate::schedule::{NaiveGrid, Persistent, TileGrid, TileScheduler, WorkTile};
    use core::arch::{asm, global_asm};

    global_asm!(".shared .align 8 .b64 tessera_record_buffer;");

    /// Stores the record buffer's address for this block's thread 0.
    #[inline(always)]
    fn set_buffer(address: u64) {
        if thread::index_x() == 0 {
            // SAFETY: a store to this module's own 8-byte shared variable.
            unsafe {
                asm!("st.shared.u64 [tessera_record_buffer], {};", in(reg64) address, options(nostack))
            };
        }
    }

    /// The record buffer's address, as thread 0 stored it.
    #[inline(always)]
    fn buffer() -> *mut TileRecord {
        let address: u64;
        // SAFETY: a load from this module's own 8-byte shared variable.
        unsafe {
            asm!("ld.shared.u64 {}, [tessera_record_buffer];", out(reg64) address, options(nostack))
        };
        address as *mut TileRecord
    }

    /// A tile scheduler that records, from thread 0, what `S` hands out (module docs).
    pub struct Recorded<S> {
        inner: S,
        grid: TileGrid,
        block: u32,
        /// Thread 0: the record of the tile in progress, whose end is still to be written.
        open: Option<*mut TileRecord>,
    }

    impl<S> Recorded<S> {
        #[inline(always)]
        fn close(&mut self, now: u64) {
            if let Some(r) = self.open.take() {
                // SAFETY: `r` points into the buffer the host sized for every tile.
                unsafe { (&raw mut (*r).end_ns).write_volatile(now) };
            }
        }
    }

    impl<S: TileScheduler> TileScheduler for Recorded<S> {
        const PERSISTENT: bool = S::PERSISTENT;

        #[inline(always)]
        fn grid_size(grid: &TileGrid, resident: u32) -> u32 {
            S::grid_size(grid, resident)
        }

        #[inline(always)]
        fn new(grid: TileGrid, block: u32, blocks: u32) -> Self {
            Recorded {
                inner: S::new(grid, block, blocks),
                grid,
                block,
                open: None,
            }
        }

        #[inline(always)]
        fn next(&mut self) -> Option<WorkTile> {
            let tile = self.inner.next();
            if thread::index_x() == 0
                && let Some(t) = tile
            {
                let now = timer::global_ns();
                self.close(now);
                // SAFETY: one record per tile; the host sized the buffer for `grid.count()`.
                let index = (t.batch * self.grid.tiles_m + t.m) * self.grid.tiles_n + t.n;
                let r = unsafe { buffer().add(index as usize) };
                // Field by field: a whole-struct volatile store would go through local memory.
                unsafe {
                    (&raw mut (*r).m).write_volatile(t.m);
                    (&raw mut (*r).n).write_volatile(t.n);
                    (&raw mut (*r).sm).write_volatile(thread::sm_id());
                    (&raw mut (*r).block).write_volatile(self.block);
                    (&raw mut (*r).start_ns).write_volatile(now);
                }
                self.open = Some(r);
            }
            tile
        }

        #[inline(always)]
        fn has_next(&self) -> bool {
            self.inner.has_next()
        }
    }

    impl<S> Drop for Recorded<S> {
        #[inline(always)]
        fn drop(&mut self) {
            if self.open.is_some() {
                self.close(timer::global_ns());
            }
        }
    }

    /// Tiled fp32 (16-byte accesses), one block per tile, recorded into `record`.
    ///
    /// # Safety
    /// As `tiled_f32_naive`; `record` holds a [`TileRecord`] per output tile.
    #[unsafe(no_mangle)]
    pub unsafe extern "ptx-kernel" fn tiled_f32_naive_recorded(p: GemmParams, record: u64) {
        set_buffer(record);
        // The fp32 kernel reads no parameter in place (`ParamSpace` is for TMA descriptors).
        unsafe { simt_f32::gemm::<Recorded<NaiveGrid>, true, false>(&p, ParamSpace(0)) }
    }

    /// Tiled fp32 (16-byte accesses), persistent blocks, recorded into `record`.
    ///
    /// # Safety
    /// As `tiled_f32_persistent`; `record` holds a [`TileRecord`] per output tile.
    #[unsafe(no_mangle)]
    pub unsafe extern "ptx-kernel" fn tiled_f32_persistent_recorded(p: GemmParams, record: u64) {
        set_buffer(record);
        unsafe { simt_f32::gemm::<Recorded<Persistent>, true, false>(&p, ParamSpace(0)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_entries_launch_like_their_kernels() {
        for r in RECORDED_KERNELS {
            let base = find(r.name.trim_end_matches("_recorded")).unwrap();
            assert_eq!(
                KernelInfo {
                    name: base.name,
                    ..*r
                },
                *base
            );
        }
        assert_eq!(core::mem::size_of::<TileRecord>(), 32);
    }
}

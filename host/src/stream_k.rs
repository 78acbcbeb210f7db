//! The workspace of the persistent 128 × 128 `mma.sync` kernel's stream-K round, and the plan
//! of its launches ([`StreamKRound`](tessera_kernels::schedule::StreamKRound)).

use crate::error::Result;
use crate::module::{Entry, Module};
use cudarc::driver::{CudaSlice, CudaStream, DevicePtr};
use std::sync::Arc;
use tessera_kernels::schedule::{TileGrid, stream_k_pieces, stream_k_share};
use tessera_kernels::shapes::MMA_BLOCK_K;

/// One arrival counter per tile of the round (at most one per slot), then one tile of `f32`
/// partial sums per workspace slot of a piece. The counters start at zero, and the piece that
/// completes a tile sets its counter back to zero: every launch finds them zero.
///
/// The handle's calls are ordered on its stream, so that one workspace serves them all.
#[derive(Debug)]
pub(crate) struct Workspace {
    buffer: CudaSlice<u8>,
    /// Bytes of counters before the partial sums.
    counter_bytes: u64,
}

impl Workspace {
    /// The workspace for the largest stream-K round of `module`'s persistent kernels of teams,
    /// or `None` where it has none (one team per block: the partial last round never has more
    /// tiles than blocks).
    pub fn for_module(stream: &Arc<CudaStream>, module: &Module) -> Result<Option<Self>> {
        let slots_and_tile = module
            .entries()
            .filter(|e| e.teams > 1)
            .map(|e| {
                (
                    e.resident * e.teams,
                    e.info.tile.block_m * e.info.tile.block_n,
                )
            })
            .max();
        let Some((slots, tile_elements)) = slots_and_tile else {
            return Ok(None);
        };
        let counter_bytes = (4 * slots as u64).next_multiple_of(256);
        let partial_bytes = stream_k_pieces(slots) as u64 * tile_elements as u64 * 4;
        let buffer = stream.alloc_zeros::<u8>((counter_bytes + partial_bytes) as usize)?;
        Ok(Some(Workspace {
            buffer,
            counter_bytes,
        }))
    }

    /// The `(partials, arrivals)` addresses for the kernels' parameters.
    pub fn addresses(&self, stream: &CudaStream) -> (u64, u64) {
        // The kernels write it on the handle's stream only, ordered with every other call.
        let (ptr, _read) = self.buffer.device_ptr(stream);
        (ptr + self.counter_bytes, ptr)
    }
}

/// The launches of a persistent grid of teams whose partial last round is split stream-K:
/// the whole rounds on `round_blocks` blocks of `entry` (none where there is no whole round),
/// then the round on one block of one team per slot of the stream-K entry.
pub(crate) struct StreamKLaunch {
    /// Blocks of the persistent kernel; 0 where it has no whole round to run.
    pub whole_round_blocks: u32,
    /// Blocks of the stream-K kernel: one per slot.
    pub slots: u32,
}

impl StreamKLaunch {
    /// The plan for `grid` with `k` elements of `K` on `round_blocks` blocks of `entry` (a
    /// persistent kernel of teams), or `None` where its grid has no stream-K round.
    pub fn plan(entry: &Entry, grid: &TileGrid, k: usize, round_blocks: u32) -> Option<Self> {
        let slots = round_blocks * entry.teams;
        let k_tiles = u32::try_from(k.div_ceil(MMA_BLOCK_K as usize)).ok()?;
        let count = grid.count();
        stream_k_share(count, round_blocks, slots, k_tiles)?;
        Some(StreamKLaunch {
            whole_round_blocks: if count >= slots { round_blocks } else { 0 },
            slots,
        })
    }

    /// The stream-K entry that goes with the persistent entry `name`.
    pub fn entry_name(name: &str) -> Option<String> {
        name.strip_suffix("_persistent")
            .map(|base| format!("{base}_stream_k"))
    }
}

//! The workspace of the `mma.sync` kernels' stream-K rounds
//! ([`StreamKRound`](tessera_kernels::schedule::StreamKRound)) and claimed tiles
//! ([`ClaimedTiles`](tessera_kernels::schedule::ClaimedTiles)), which the host launches in place
//! of the persistent grids ([`PersistentLaunch`](crate::persistent::PersistentLaunch)).

use crate::error::Result;
use crate::module::Module;
use cudarc::driver::{CudaSlice, CudaStream, DevicePtr};
use std::sync::Arc;
use tessera_kernels::schedule::stream_k_pieces;

/// One arrival counter per tile of the round (at most one per slot), then one tile of `f32`
/// partial sums per workspace slot of a piece. The counters start at zero, and the piece that
/// completes a tile sets its counter back to zero: every launch finds them zero. A claimed
/// launch counts its claims in the first counter, and its last claim sets it back to zero.
///
/// The handle's calls are ordered on its stream, so that one workspace serves them all.
#[derive(Debug)]
pub(crate) struct Workspace {
    buffer: CudaSlice<u8>,
    /// Bytes of counters before the partial sums.
    counter_bytes: u64,
}

impl Workspace {
    /// The workspace for the largest stream-K round that may take the place of one of
    /// `module`'s persistent kernels of teams (none with one team per block: a round never has
    /// more tiles than blocks) and for the claimed kernels; `None` where neither runs.
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
        // The claimed kernels' tile counter is the first counter.
        let claims = module.entries().any(|e| e.info.name.ends_with("_claimed"));
        let (slots, tile_elements) = match slots_and_tile {
            Some(s) => s,
            None if claims => (0, 0),
            None => return Ok(None),
        };
        let counter_bytes = (4 * slots.max(1) as u64).next_multiple_of(256);
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

//! Tile shapes of each kernel family, visible to the host (grid sizing, shared-memory sizes,
//! the kernel table) and to the device (the mainloops are written against them).

use crate::sm90_layout::{self, Sm90Config};

/// The output tile one thread block computes, and the threads it takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TileShape {
    pub block_m: u32,
    pub block_n: u32,
    pub block_k: u32,
    pub threads: u32,
}

/// The one-thread-per-output baseline: a 16 × 16 block of threads, one output each.
pub const TEXTBOOK: TileShape = TileShape {
    block_m: 16,
    block_n: 16,
    block_k: 1,
    threads: 256,
};

/// The tiled fp32 SIMT kernel: 128 × 128 × 8 block tile, 8 warps of 64 × 32, 8 × 8 outputs
/// per thread.
pub const SIMT_F32: TileShape = TileShape {
    block_m: 128,
    block_n: 128,
    block_k: 8,
    threads: 256,
};

/// Padding (in floats) of each k-row of the transposed `A` tile in shared memory; see
/// `mainloop::simt_f32` for why 4.
pub const SIMT_F32_A_PAD: u32 = 4;

/// Dynamic shared memory of the tiled fp32 kernel: two stages of `A` (transposed, padded)
/// and `B`, and one 16-byte landing slot per thread for the `A` copies.
pub const SIMT_F32_SMEM_BYTES: u32 =
    2 * SIMT_F32.block_k * ((SIMT_F32.block_m + SIMT_F32_A_PAD) + SIMT_F32.block_n) * 4
        + SIMT_F32.threads * 16;

/// Hopper cooperative schedule: a 128 × 256 × 64 CTA tile; both consumer warpgroups work on
/// it, 64 × 256 each (128 f32 accumulators per thread). 384 threads: one producer warpgroup
/// and two consumers. Four stages of 48 KiB.
pub const WGMMA_COOPERATIVE: Sm90Config = Sm90Config {
    tile: TileShape {
        block_m: 128,
        block_n: 256,
        block_k: sm90_layout::BK,
        threads: 384,
    },
    stages: 4,
};

/// Hopper ping-pong schedule: each consumer warpgroup owns a whole 128 × 128 × 64 tile
/// (two 64-row `wgmma` atoms, again 128 accumulators per thread) and the two alternate, so
/// that one's epilogue overlaps the other's MMAs. Six stages of 32 KiB.
pub const WGMMA_PINGPONG: Sm90Config = Sm90Config {
    tile: TileShape {
        block_m: 128,
        block_n: 128,
        block_k: sm90_layout::BK,
        threads: 384,
    },
    stages: 6,
};

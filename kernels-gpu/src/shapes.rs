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
/// and `B`, one 16-byte landing slot per thread for the `A` copies, and one 4-byte slot per
/// thread for the problem of the batch it copies.
pub const SIMT_F32_SMEM_BYTES: u32 =
    2 * SIMT_F32.block_k * ((SIMT_F32.block_m + SIMT_F32_A_PAD) + SIMT_F32.block_n) * 4
        + SIMT_F32.threads * (16 + 4);

/// Hopper cooperative schedule: a 128 × 256 × 64 CTA tile; both consumer warpgroups work on
/// it, 64 × 256 each (128 f32 accumulators per thread). 384 threads: one producer warpgroup
/// and two consumers. Three stages of 48 KiB and four epilogue buffers per consumer: the
/// consumers finish a tile together and leave the tensor cores idle until both have written
/// their results, so the epilogue never waits for a buffer.
pub const WGMMA_COOPERATIVE: Sm90Config = Sm90Config {
    tile: TileShape {
        block_m: 128,
        block_n: 256,
        block_k: sm90_layout::BK,
        threads: 384,
    },
    stages: 3,
    epilogue_buffers: 4,
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
    epilogue_buffers: 2,
};

/// Warp tile of the tensor-core kernels: 64 × 64, i.e. 4 (M) × 8 (N) m16n8 `mma` tiles and
/// 128 f32 accumulators per thread. The largest tile whose accumulators and double-buffered
/// fragments fit the 255 registers of a thread, and so the one that reads the fewest bytes of
/// shared memory per `mma`; the block tile is a grid of such warps.
pub const MMA_WARP_M: u32 = 64;
pub const MMA_WARP_N: u32 = 64;
/// k-extent of one pipeline stage of the tensor-core kernels: four `mma` k16 steps per
/// barrier, and 128-byte rows of `A` in shared memory.
pub const MMA_BLOCK_K: u32 = 64;

/// A configuration of the `mma.sync` kernels (`mainloop::sm80_mma_sync`): block tile (a grid
/// of 64 × 64 warp tiles), depth of the `cp.async` pipeline, the blocks per SM the
/// registers are capped for, and the teams per block.
///
/// A team is the warps of one block tile with their own stages and barrier, working through
/// their own tiles; `tile.threads` and [`MmaShape::smem_bytes`] count all teams of a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MmaShape {
    pub tile: TileShape,
    pub stages: u32,
    pub min_blocks_per_sm: u32,
    pub teams: u32,
}

impl MmaShape {
    const fn new(block_m: u32, block_n: u32, stages: u32, min_blocks_per_sm: u32) -> Self {
        MmaShape {
            tile: TileShape {
                block_m,
                block_n,
                block_k: MMA_BLOCK_K,
                threads: 32 * (block_m / MMA_WARP_M) * (block_n / MMA_WARP_N),
            },
            stages,
            min_blocks_per_sm,
            teams: 1,
        }
    }

    /// `teams` teams per block, in place of that many blocks per SM.
    const fn with_teams(self, teams: u32) -> Self {
        MmaShape {
            tile: TileShape {
                threads: self.tile.threads * teams,
                ..self.tile
            },
            min_blocks_per_sm: self.min_blocks_per_sm.div_ceil(teams),
            teams,
            ..self
        }
    }

    /// Dynamic shared memory of one team: `stages` × (`A` tile + `B` tile) of 16-bit
    /// elements.
    const fn team_smem_bytes(&self) -> u32 {
        let t = &self.tile;
        self.stages * (t.block_m + t.block_n) * t.block_k * 2
    }

    /// Dynamic shared memory of a block: all its teams' stages.
    pub const fn smem_bytes(&self) -> u32 {
        self.teams * self.team_smem_bytes()
    }

    /// Warps along M, in one team.
    pub const fn warps_m(&self) -> usize {
        (self.tile.block_m / MMA_WARP_M) as usize
    }

    /// Warps along N, in one team.
    pub const fn warps_n(&self) -> usize {
        (self.tile.block_n / MMA_WARP_N) as usize
    }
}

/// 128 × 128 × 64, 2 × 2 warps (128 threads), 3 stages (96 KiB): two blocks per SM on H100
/// (2 × 128 threads × 255 registers fit the register file), one on A100.
pub const MMA_128X128: MmaShape = MmaShape::new(128, 128, 3, 2);
/// [`MMA_128X128`] as one block of two teams (256 threads, 192 KiB) per SM, for persistent
/// grids: the schedule then knows which tiles share an SM (see the mainloop's `Team`).
pub const MMA_128X128_TWO_TEAMS: MmaShape = MMA_128X128.with_teams(2);
/// 128 × 256 × 64, 2 × 4 warps (256 threads), 3 stages (144 KiB, within A100's 163 KiB per
/// block): one block per SM. Beyond Ada's 99 KiB: the host leaves it out there.
pub const MMA_128X256: MmaShape = MmaShape::new(128, 256, 3, 1);

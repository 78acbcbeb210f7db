//! Shared-memory layout of the Hopper (sm_90a) mainloop, and the `wgmma` descriptors that read
//! it: plain arithmetic, compiled for the host too, where the tests below check that what TMA
//! writes is what `wgmma` reads.
//!
//! # One stage
//! A stage holds one k-block of `BK = 64` for both operands, 16-bit elements:
//!
//! - `A` tile, `block_m × 64`, K contiguous ("K-major"): one TMA box of `{64 (K), block_m}`
//!   elements. Every row is 64 · 2 = 128 bytes, so row `r` starts at byte `r · 128`.
//! - `B` tile, `64 × block_n`, N contiguous ("MN-major"): `block_n / 64` TMA boxes of
//!   `{64 (N), 64 (K)}` elements, box `j` (columns `64j ..`) at byte `j · 8192`; inside a box,
//!   k-row `r` starts at byte `r · 128`.
//!
//! Both are written by TMA with `CU_TENSOR_MAP_SWIZZLE_128B`: inside every 1024-byte block of
//! 8 rows × 128 bytes, the 16-byte chunk `c` of row `r` is stored at chunk `c ^ (r % 8)`. The
//! XOR is a function of the shared-memory *address* (bits 4..7 ^= bits 7..10), which is why
//! every tile starts on a 1024-byte boundary (the window is 1024-aligned, every stage and box
//! size is a multiple of 1024) and why `wgmma`, which applies the same function to the
//! addresses it computes, reads the data back in logical order.
//!
//! # Stage ring
//! `[A; stages] [B; stages] [full: u64; stages] [empty: u64; stages]`, from the
//! 1024-aligned start of dynamic shared memory.
//!
//! # wgmma descriptors (PTX ISA "Matrix Descriptor Format", sm_90)
//! ```text
//! bits  0..14  start address >> 4 (shared window, 18-bit address)
//! bits 16..30  leading-dimension byte offset (LBO) >> 4
//! bits 32..46  stride-dimension byte offset (SBO) >> 4
//! bits 49..52  base offset: 0, every swizzle pattern starts 1024-aligned
//! bits 62..64  layout: 1 = 128-byte swizzle
//! ```
//! In units of 16 bytes (`T` = 8 elements), the canonical 128B-swizzled layouts are (CUTLASS's
//! notation, `(shape):(stride)`):
//!
//! - K-major (`A`): `((8, m), (T, 2)) : ((8T, SBO), (1, T))`. Rows are 128 bytes apart, groups
//!   of 8 rows `SBO` apart; both 8-element halves of the k16 slice lie inside the 128-byte row,
//!   so LBO is unused (set to 1 as CUTLASS does). `A` rows are dense: **SBO = 1024**. The k16
//!   slice `kk` (0..4) of the 64-wide block starts `kk · 32` bytes into the row; the start
//!   address moves by 32, the swizzle is recomputed from the address, so no base offset.
//! - MN-major (`B`, with `imm-trans-b = 1`): `((T, 8, m), (8, k)) : ((1, T, LBO), (8T, SBO))`.
//!   N runs along the 128-byte row (64 elements), the next 64 columns are **LBO = 8192** bytes
//!   away (the next TMA box), k-rows are 128 bytes apart and groups of 8 k-rows
//!   **SBO = 1024** apart. The k16 slice `kk` starts `kk · 16 · 128 = kk · 2048` bytes in.

use crate::shapes::TileShape;

/// K-elements per stage: one 128-byte swizzle row of 16-bit elements.
pub const BK: u32 = 64;
/// Bytes per element of `A` and `B` (bf16 or f16).
pub const ELEMENT_BYTES: u32 = 2;
/// Bytes of one swizzled row, and the TMA box's inner extent in bytes.
pub const ROW_BYTES: u32 = BK * ELEMENT_BYTES;
/// One 128B-swizzle pattern: 8 rows of 128 bytes.
pub const SWIZZLE_ATOM_BYTES: u32 = 8 * ROW_BYTES;
/// Columns of `B` per TMA box (the box's inner extent is one 128-byte row).
pub const B_BOX_N: u32 = ROW_BYTES / ELEMENT_BYTES;
/// Bytes of one `B` box (`64 × 64` elements); also the LBO of `B`'s descriptor.
pub const B_BOX_BYTES: u32 = BK * ROW_BYTES;
/// K per `wgmma` instruction for 16-bit inputs.
pub const MMA_K: u32 = 16;
/// Rows of one `wgmma` (a warpgroup's M).
pub const MMA_M: u32 = 64;

/// A Hopper kernel configuration: its CTA tile and how many stages its ring has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sm90Config {
    pub tile: TileShape,
    pub stages: u32,
}

impl Sm90Config {
    /// Bytes of one stage's `A` tile.
    pub const fn a_bytes(&self) -> u32 {
        self.tile.block_m * ROW_BYTES
    }

    /// Bytes of one stage's `B` tile.
    pub const fn b_bytes(&self) -> u32 {
        self.tile.block_n * BK * ELEMENT_BYTES
    }

    /// Bytes the TMA loads of one stage deliver (the `expect_tx` count). Boxes that reach past
    /// the matrix are zero-filled and still count in full.
    pub const fn stage_bytes(&self) -> u32 {
        self.a_bytes() + self.b_bytes()
    }

    /// Offset of stage `s`'s `A` tile from the start of the ring.
    pub const fn a(&self, s: u32) -> u32 {
        s * self.a_bytes()
    }

    /// Offset of stage `s`'s `B` tile.
    pub const fn b(&self, s: u32) -> u32 {
        self.stages * self.a_bytes() + s * self.b_bytes()
    }

    /// Offset of stage `s`'s "full" mbarrier (TMA has landed).
    pub const fn full(&self, s: u32) -> u32 {
        self.stages * self.stage_bytes() + 8 * s
    }

    /// Offset of stage `s`'s "empty" mbarrier (the consumers are done reading).
    pub const fn empty(&self, s: u32) -> u32 {
        self.full(self.stages) + 8 * s
    }

    /// Dynamic shared memory the kernel needs.
    pub const fn smem_bytes(&self) -> u32 {
        self.full(2 * self.stages)
    }
}

/// A 128B-swizzled shared-memory matrix descriptor for `wgmma` (bit layout in the module
/// docs). `addr`, `lbo` and `sbo` are in bytes.
pub const fn descriptor(addr: u32, lbo: u32, sbo: u32) -> u64 {
    const SWIZZLE_128B: u64 = 1;
    ((addr as u64 & 0x3_ffff) >> 4)
        | (((lbo as u64 >> 4) & 0x3fff) << 16)
        | (((sbo as u64 >> 4) & 0x3fff) << 32)
        | (SWIZZLE_128B << 62)
}

/// Descriptor of the 64-row `A` slice starting at tile row `row0` (a multiple of 64), k16
/// slice `kk`, of the `A` tile at shared address `a_tile`.
pub const fn a_descriptor(a_tile: u32, row0: u32, kk: u32) -> u64 {
    descriptor(
        a_tile + row0 * ROW_BYTES + kk * MMA_K * ELEMENT_BYTES,
        16,
        SWIZZLE_ATOM_BYTES,
    )
}

/// Descriptor of k16 slice `kk` of the `B` tile at shared address `b_tile`, all its columns.
pub const fn b_descriptor(b_tile: u32, kk: u32) -> u64 {
    descriptor(
        b_tile + kk * MMA_K * ROW_BYTES,
        B_BOX_BYTES,
        SWIZZLE_ATOM_BYTES,
    )
}

/// Where a pipeline role is in the stage ring: the stage, and the parity of the stage's
/// current barrier phase (it flips every time the ring wraps around).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PipelineState {
    pub stage: u32,
    pub phase: u32,
    stages: u32,
}

impl PipelineState {
    /// Stage 0, phase 0 of a ring of `stages`.
    #[inline(always)]
    pub const fn new(stages: u32) -> Self {
        PipelineState {
            stage: 0,
            phase: 0,
            stages,
        }
    }

    /// The next stage.
    #[inline(always)]
    pub fn advance(&mut self) {
        self.stage += 1;
        if self.stage == self.stages {
            self.stage = 0;
            self.phase ^= 1;
        }
    }

    /// `n` stages on (another warpgroup consumes them), without a loop and without a running
    /// product that could overflow.
    #[inline(always)]
    pub fn skip(&mut self, n: u32) {
        let stage = self.stage + n % self.stages;
        let wraps = n / self.stages + (stage >= self.stages) as u32;
        self.stage = if stage >= self.stages {
            stage - self.stages
        } else {
            stage
        };
        self.phase ^= wraps & 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shapes::{WGMMA_COOPERATIVE, WGMMA_PINGPONG};

    /// The 128-byte swizzle as both TMA and wgmma apply it to a shared address.
    fn swizzle(addr: u32) -> u32 {
        addr ^ ((addr >> 3) & 0x70)
    }

    /// Where TMA puts element `(row, col)` of a `{64 cols, rows}` box written at `box_addr`.
    fn tma_address(box_addr: u32, row: u32, col: u32) -> u32 {
        swizzle(box_addr + row * ROW_BYTES + col * ELEMENT_BYTES)
    }

    fn fields(d: u64) -> (u32, u32, u32, u32, u32) {
        (
            ((d & 0x3fff) << 4) as u32,
            (((d >> 16) & 0x3fff) << 4) as u32,
            (((d >> 32) & 0x3fff) << 4) as u32,
            ((d >> 49) & 7) as u32,
            (d >> 62) as u32,
        )
    }

    /// Where wgmma reads element `(i, k)` (row `i` of 64, `k` of 16) of a K-major operand.
    fn wgmma_k_major(d: u64, i: u32, k: u32) -> u32 {
        let (start, _lbo, sbo, base, layout) = fields(d);
        assert_eq!((base, layout), (0, 1));
        swizzle(start + (i % 8) * 128 + (i / 8) * sbo + k * ELEMENT_BYTES)
    }

    /// Where wgmma reads element `(k, n)` of an MN-major operand.
    fn wgmma_mn_major(d: u64, k: u32, n: u32) -> u32 {
        let (start, lbo, sbo, base, layout) = fields(d);
        assert_eq!((base, layout), (0, 1));
        swizzle(start + (n % 64) * ELEMENT_BYTES + (n / 64) * lbo + (k % 8) * 128 + (k / 8) * sbo)
    }

    #[test]
    fn descriptor_bits() {
        let d = descriptor(0x1_2340, 8192, 1024);
        assert_eq!(d, (0x1234) | (512 << 16) | (64 << 32) | (1 << 62));
        assert_eq!(fields(d), (0x1_2340, 8192, 1024, 0, 1));
    }

    #[test]
    fn every_tile_starts_on_a_swizzle_atom() {
        for cfg in [WGMMA_COOPERATIVE, WGMMA_PINGPONG] {
            for s in 0..cfg.stages {
                assert_eq!(cfg.a(s) % SWIZZLE_ATOM_BYTES, 0);
                assert_eq!(cfg.b(s) % SWIZZLE_ATOM_BYTES, 0);
                assert_eq!(cfg.full(s) % 8, 0);
            }
            assert!(cfg.smem_bytes() <= 227 * 1024, "{cfg:?}");
        }
    }

    /// For every stage, k16 slice and 64-row slice, wgmma's reads of `A` land on the bytes
    /// TMA wrote for the same logical element.
    #[test]
    fn a_reads_match_tma_writes() {
        for cfg in [WGMMA_COOPERATIVE, WGMMA_PINGPONG] {
            let base = 1024 * 7; // any 1024-aligned window start
            for s in 0..cfg.stages {
                let tile = base + cfg.a(s);
                for row0 in (0..cfg.tile.block_m).step_by(MMA_M as usize) {
                    for kk in 0..BK / MMA_K {
                        let d = a_descriptor(tile, row0, kk);
                        for i in 0..MMA_M {
                            for k in 0..MMA_K {
                                assert_eq!(
                                    wgmma_k_major(d, i, k),
                                    tma_address(tile, row0 + i, kk * MMA_K + k)
                                );
                            }
                        }
                    }
                }
            }
        }
    }

    /// The same for `B`, read MN-major across all `block_n / 64` boxes.
    #[test]
    fn b_reads_match_tma_writes() {
        for cfg in [WGMMA_COOPERATIVE, WGMMA_PINGPONG] {
            let base = 1024 * 3;
            for s in 0..cfg.stages {
                let tile = base + cfg.b(s);
                for kk in 0..BK / MMA_K {
                    let d = b_descriptor(tile, kk);
                    for k in 0..MMA_K {
                        for n in 0..cfg.tile.block_n {
                            let box_addr = tile + (n / B_BOX_N) * B_BOX_BYTES;
                            assert_eq!(
                                wgmma_mn_major(d, k, n),
                                tma_address(box_addr, kk * MMA_K + k, n % B_BOX_N)
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn skip_is_repeated_advance() {
        for stages in 1..9 {
            for start in 0..20 {
                for n in 0..40 {
                    let mut a = PipelineState::new(stages);
                    (0..start).for_each(|_| a.advance());
                    let mut b = a;
                    (0..n).for_each(|_| a.advance());
                    b.skip(n);
                    assert_eq!(a, b, "stages {stages} start {start} n {n}");
                }
            }
        }
    }
}

//! Shared-memory layout of the Hopper (sm_90a) mainloop, and the `wgmma` descriptors that read
//! it: plain arithmetic, compiled for the host too, where the tests below check that what TMA
//! writes is what `wgmma` reads.
//!
//! # One stage
//! A stage holds one k-block of `BK = 64` for both operands, 16-bit elements. Each operand's
//! tile is `extent × 64` (`extent` = `block_m` for `A`, `block_n` for `B`), stored in one of
//! two ways ([`Major`]), whichever matches the operand's layout in global memory, so that TMA
//! copies it without transposing and `wgmma` reads it in either order:
//!
//! - **K-major** (`A` row-major, `B` column-major): K contiguous. Every M/N-row is 64 · 2 =
//!   128 bytes, so row `r` starts at byte `r · 128`. TMA boxes of `{64 (K), rows}`, one per
//!   tile (or one per cluster block, see [`StageTile::boxes`]).
//! - **MN-major** (`A` column-major, `B` row-major): M/N contiguous. `extent / 64` TMA boxes
//!   of `{64 (M/N), 64 (K)}`, box `j` (M/N-columns `64j ..`) at byte `j · 8192`; inside a
//!   box, k-row `r` starts at byte `r · 128`.
//!
//! Both are written by TMA with `CU_TENSOR_MAP_SWIZZLE_128B`: inside every 1024-byte block of
//! 8 rows × 128 bytes, the 16-byte chunk `c` of row `r` is stored at chunk `c ^ (r % 8)`. The
//! XOR is a function of the shared-memory *address* (bits 4..7 ^= bits 7..10), which is why
//! every tile starts on a 1024-byte boundary (the window is 1024-aligned, every stage and box
//! size is a multiple of 1024) and why `wgmma`, which applies the same function to the
//! addresses it computes, reads the data back in logical order.
//!
//! # Stage ring and epilogue buffers
//! `[A; stages] [B; stages] [epilogue: 8 KiB; 2 · epilogue_buffers] [full: u64; stages]
//! [empty: u64; stages]`, from the 1024-aligned start of dynamic shared memory. Each consumer
//! has `epilogue_buffers` of them: it writes a `64 × 128-byte` piece of its output into one
//! while TMA stores earlier pieces from the others (see `sm90_wgmma_tma`, "Epilogue"). A buffer is laid out like
//! a K-major box: rows of 128 bytes, 128-byte swizzle (which keeps the consumers' writes free
//! of bank conflicts).
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
//! - K-major: `((8, m), (T, 2)) : ((8T, SBO), (1, T))`. Rows are 128 bytes apart, groups of 8
//!   rows `SBO` apart; both 8-element halves of the k16 slice lie inside the 128-byte row, so
//!   LBO is unused (set to 1 as CUTLASS does). Rows are dense: **SBO = 1024**. The k16 slice
//!   `kk` (0..4) of the 64-wide block starts `kk · 32` bytes into the row; the start address
//!   moves by 32, the swizzle is recomputed from the address, so no base offset.
//! - MN-major (`imm-trans = 1`): `((T, 8, m), (8, k)) : ((1, T, LBO), (8T, SBO))`. M/N runs
//!   along the 128-byte row (64 elements), the next 64 are **LBO = 8192** bytes away (the next
//!   TMA box), k-rows are 128 bytes apart and groups of 8 k-rows **SBO = 1024** apart. The k16
//!   slice `kk` starts `kk · 16 · 128 = kk · 2048` bytes in.

use crate::shapes::TileShape;

/// K-elements per stage: one 128-byte swizzle row of 16-bit elements.
pub const BK: u32 = 64;
/// Bytes per element of `A` and `B` (bf16 or f16).
pub const ELEMENT_BYTES: u32 = 2;
/// Bytes of one swizzled row, and the TMA box's inner extent in bytes.
pub const ROW_BYTES: u32 = BK * ELEMENT_BYTES;
/// Rows of one epilogue piece: one `wgmma` M.
pub const EPILOGUE_ROWS: u32 = 64;
/// Bytes of one epilogue buffer: `EPILOGUE_ROWS` swizzled rows of 128 bytes.
pub const EPILOGUE_BUFFER_BYTES: u32 = EPILOGUE_ROWS * ROW_BYTES;
/// One 128B-swizzle pattern: 8 rows of 128 bytes.
pub const SWIZZLE_ATOM_BYTES: u32 = 8 * ROW_BYTES;
/// M/N-columns per box of an MN-major tile (the box's inner extent is one 128-byte row).
pub const MN_BOX: u32 = ROW_BYTES / ELEMENT_BYTES;
/// Bytes of one MN-major box (`64 × 64` elements); also the LBO of its descriptor.
pub const MN_BOX_BYTES: u32 = BK * ROW_BYTES;
/// K per `wgmma` instruction for 16-bit inputs.
pub const MMA_K: u32 = 16;
/// Rows of one `wgmma` (a warpgroup's M).
pub const MMA_M: u32 = 64;

/// A Hopper kernel configuration: its CTA tile and how many stages its ring has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sm90Config {
    pub tile: TileShape,
    pub stages: u32,
    /// Epilogue buffers per consumer: 2 (a piece is written while the previous one is
    /// stored) or 4 (a whole 64 × 256 consumer tile of 16-bit outputs without waiting).
    pub epilogue_buffers: u32,
}

impl Sm90Config {
    /// A stage's `A` tile, stored `major`.
    pub const fn a_tile(&self, major: Major) -> StageTile {
        StageTile {
            major,
            extent: self.tile.block_m,
        }
    }

    /// A stage's `B` tile, stored `major`.
    pub const fn b_tile(&self, major: Major) -> StageTile {
        StageTile {
            major,
            extent: self.tile.block_n,
        }
    }

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

    /// Offset of epilogue buffer `b` (`0..epilogue_buffers`) of consumer `c` (0 or 1): after
    /// the stages.
    pub const fn epilogue(&self, c: u32, b: u32) -> u32 {
        self.stages * self.stage_bytes() + (self.epilogue_buffers * c + b) * EPILOGUE_BUFFER_BYTES
    }

    /// Offset of stage `s`'s "full" mbarrier (TMA has landed).
    pub const fn full(&self, s: u32) -> u32 {
        self.epilogue(2, 0) + 8 * s
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

/// Byte offset, inside an epilogue buffer, of byte `byte` (0..128) of row `row`: the 16-byte
/// chunk moves to `chunk ^ (row % 8)`, as TMA's 128-byte swizzle expects (the buffer is
/// 1024-byte aligned).
pub const fn epilogue_offset(row: u32, byte: u32) -> u32 {
    row * ROW_BYTES + (((byte / 16) ^ (row % 8)) * 16) + byte % 16
}

/// Which dimension of an operand's stage tile is contiguous (module docs, "One stage").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Major {
    K,
    MN,
}

/// The storage order of a Hopper kernel's `A` and `B`, fixed at compile time: row-major `A`
/// is K-major, row-major `B` is MN-major, and a column-major operand is the other one.
pub trait OperandLayouts {
    const A: Major;
    const B: Major;
}

/// `A` and `B` row-major.
pub struct RowRow;
/// `A` row-major, `B` column-major (both K-major: `wgmma`'s native order).
pub struct RowCol;
/// `A` column-major, `B` row-major.
pub struct ColRow;
/// `A` and `B` column-major.
pub struct ColCol;

impl OperandLayouts for RowRow {
    const A: Major = Major::K;
    const B: Major = Major::MN;
}
impl OperandLayouts for RowCol {
    const A: Major = Major::K;
    const B: Major = Major::K;
}
impl OperandLayouts for ColRow {
    const A: Major = Major::MN;
    const B: Major = Major::MN;
}
impl OperandLayouts for ColCol {
    const A: Major = Major::MN;
    const B: Major = Major::K;
}

/// One operand's tile of a stage: `extent` M- (or N-) rows × `BK`, stored `major`, loaded as
/// [`StageTile::boxes`] TMA boxes (module docs, "One stage").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StageTile {
    pub major: Major,
    pub extent: u32,
}

impl StageTile {
    /// TMA boxes per tile when the loads are shared out between `split` blocks of a cluster
    /// (1 without one): a K-major tile is cut into `split` boxes of consecutive rows, an
    /// MN-major tile always has one box per 64 M/N-columns.
    pub const fn boxes(&self, split: u32) -> u32 {
        match self.major {
            Major::K => split,
            Major::MN => self.extent / MN_BOX,
        }
    }

    /// `[inner, outer]` extent of one box, in elements.
    pub const fn box_dims(&self, split: u32) -> [u32; 2] {
        match self.major {
            Major::K => [BK, self.extent / split],
            Major::MN => [MN_BOX, BK],
        }
    }

    /// Byte offset of box `j` from the start of the tile.
    pub const fn box_offset(&self, j: u32, split: u32) -> u32 {
        match self.major {
            Major::K => j * (self.extent / split) * ROW_BYTES,
            Major::MN => j * MN_BOX_BYTES,
        }
    }

    /// `(inner, outer)` element coordinates in the operand's tensor map of box `j` of the
    /// tile whose first M/N-row is `mn0`, at k-block start `k0`.
    pub const fn box_coordinates(&self, j: u32, split: u32, mn0: u32, k0: u32) -> (i32, i32) {
        match self.major {
            Major::K => (k0 as i32, (mn0 + j * (self.extent / split)) as i32),
            Major::MN => ((mn0 + j * MN_BOX) as i32, k0 as i32),
        }
    }

    /// `wgmma` descriptor of k16 slice `kk` of the tile at shared address `tile`, from M/N-row
    /// `mn0` (a multiple of 64) on.
    pub const fn descriptor(&self, tile: u32, mn0: u32, kk: u32) -> u64 {
        match self.major {
            Major::K => descriptor(
                tile + mn0 * ROW_BYTES + kk * MMA_K * ELEMENT_BYTES,
                16,
                SWIZZLE_ATOM_BYTES,
            ),
            Major::MN => descriptor(
                tile + (mn0 / MN_BOX) * MN_BOX_BYTES + kk * MMA_K * ROW_BYTES,
                MN_BOX_BYTES,
                SWIZZLE_ATOM_BYTES,
            ),
        }
    }
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
            for c in 0..2 {
                for b in 0..cfg.epilogue_buffers {
                    assert_eq!(cfg.epilogue(c, b) % SWIZZLE_ATOM_BYTES, 0);
                    assert!(cfg.epilogue(c, b) + EPILOGUE_BUFFER_BYTES <= cfg.full(0));
                }
            }
            assert!(cfg.smem_bytes() <= 227 * 1024, "{cfg:?}");
        }
    }

    /// Where TMA put logical element (`mn`, `k`) of `tile` (at shared address `at`), loaded
    /// as `tile.boxes(split)` boxes.
    fn tma_element(tile: &StageTile, split: u32, at: u32, mn: u32, k: u32) -> u32 {
        let [inner, outer] = tile.box_dims(split);
        let (j, x, y) = match tile.major {
            Major::K => (mn / outer, k, mn % outer),
            Major::MN => (mn / inner, mn % inner, k),
        };
        assert!(j < tile.boxes(split));
        tma_address(at + tile.box_offset(j, split), y, x)
    }

    /// For every configuration, operand, storage order, cluster split, stage, k16 slice and
    /// 64-row start, `wgmma`'s reads land on the bytes TMA wrote for the same logical element.
    #[test]
    fn wgmma_reads_match_tma_writes() {
        for cfg in [WGMMA_COOPERATIVE, WGMMA_PINGPONG] {
            for major in [Major::K, Major::MN] {
                for (tile, first) in [(cfg.a_tile(major), cfg.a(0)), (cfg.b_tile(major), cfg.b(0))]
                {
                    for split in [1, 2] {
                        let base = 1024 * 5 + first; // any 1024-aligned window start
                        for mn0 in (0..tile.extent).step_by(MMA_M as usize) {
                            for kk in 0..BK / MMA_K {
                                let d = tile.descriptor(base, mn0, kk);
                                for i in 0..tile.extent - mn0 {
                                    for k in 0..MMA_K {
                                        let read = match major {
                                            Major::K => wgmma_k_major(d, i, k),
                                            Major::MN => wgmma_mn_major(d, k, i),
                                        };
                                        let (mn, kb) = (mn0 + i, kk * MMA_K + k);
                                        assert_eq!(
                                            read,
                                            tma_element(&tile, split, base, mn, kb),
                                            "{cfg:?} {tile:?} split {split} ({mn}, {kb})"
                                        );
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// A tile's boxes fill it exactly, each 1024-byte aligned, and fit the TMA limits.
    #[test]
    fn boxes_tile_the_stage() {
        for cfg in [WGMMA_COOPERATIVE, WGMMA_PINGPONG] {
            for major in [Major::K, Major::MN] {
                for tile in [cfg.a_tile(major), cfg.b_tile(major)] {
                    for split in [1, 2] {
                        let [inner, outer] = tile.box_dims(split);
                        assert_eq!(inner * ELEMENT_BYTES, ROW_BYTES);
                        assert!((1..=256).contains(&outer));
                        let n = tile.boxes(split);
                        assert_eq!(n % split, 0);
                        assert_eq!(n * inner * outer, tile.extent * BK);
                        for j in 0..n {
                            assert_eq!(tile.box_offset(j, split) % SWIZZLE_ATOM_BYTES, 0);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn epilogue_offsets_are_the_tma_swizzle() {
        let base = 1024 * 9;
        for row in 0..EPILOGUE_ROWS {
            for byte in 0..ROW_BYTES {
                assert_eq!(
                    base + epilogue_offset(row, byte),
                    swizzle(base + row * ROW_BYTES + byte)
                );
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

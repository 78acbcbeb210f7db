//! The producer: the copies of a team's k-tiles, global → shared, with the checks a matrix
//! edge needs.

use super::{BK, ELEM, Tiling, next_stage, stage_address};
use crate::arch::{self, cp_async};
use crate::mma_layout::{A_ROW_CHUNKS, copy_chunk};
use crate::params::GemmParams;
use crate::schedule::{Work, WorkScheduler};
use crate::swizzle;
use core::hint;

/// How much checking a k-tile's copy of one operand needs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Edge {
    /// The tile lies inside the matrix: every chunk is whole, no check.
    Inside,
    /// Rows or chunks may lie outside the matrix (zero-filled); none is cut.
    Masked,
    /// As `Masked`, and a chunk may cross the last column.
    Cut,
}

impl Edge {
    /// The checks the `tile_rows × tile_cols` tile at `(row0, col0)` of a `rows × cols`
    /// matrix needs.
    #[inline(always)]
    fn of(
        (row0, col0): (u32, u32),
        (tile_rows, tile_cols): (u32, u32),
        (rows, cols): (u32, u32),
    ) -> Self {
        if row0 + tile_rows <= rows && col0 + tile_cols <= cols {
            Edge::Inside
        } else if cols.is_multiple_of(8) || col0 + tile_cols <= cols {
            Edge::Masked
        } else {
            Edge::Cut
        }
    }
}

/// One thread's chunks of a shared tile with `row_chunks` chunks per row: pass `j` copies
/// row `row + j · THREADS / row_chunks`, elements `col .. col + 8`, to `dst + j · THREADS · 16`
/// (passes are whole swizzle periods apart, see [`Tiling::CHECK`]).
#[derive(Clone, Copy)]
struct ThreadChunks {
    row: u32,
    col: u32,
    dst: u32,
}

impl ThreadChunks {
    /// Thread `t`'s chunks, with the stages `stages` bytes past the address the copies are
    /// given.
    #[inline(always)]
    fn new(t: u32, row_chunks: u32, stages: u32) -> Self {
        let (row, chunk) = copy_chunk(t, row_chunks);
        ThreadChunks {
            row,
            col: chunk * 8,
            dst: stages + swizzle::offset(row, chunk, row_chunks),
        }
    }

    /// Copies this thread's `passes` chunks of the tile whose top-left element is
    /// `(row0, col0)` of the row-major `rows × cols` matrix `g` (leading dimension `ld`
    /// elements) into the shared tile at `s_tile`, with the checks `EDGE` asks for (an
    /// [`Edge`] as `u8`): outside the matrix it zero-fills; a chunk crossing column `cols`
    /// copies the elements before it and zero-fills the rest. Cut chunks go through
    /// [`cp_async::copy_16_at_edge`], whose synchronous path costs a branch per chunk; the
    /// caller decides once per k-tile, so interior tiles keep plain `cp.async`.
    ///
    /// # Safety
    /// `g` and `ld` keep every chunk 16-byte aligned (a 16-byte aligned base, `ld` a multiple
    /// of 8); `col0` is a multiple of 8; as [`cp_async::copy_16`] for the destination; the
    /// tile is inside the matrix for [`Edge::Inside`], and no chunk crosses column `cols`
    /// unless [`Edge::Cut`].
    #[inline(always)]
    unsafe fn copy_tile<G: Tiling, const EDGE: u8>(
        &self,
        passes: usize,
        row_chunks: u32,
        s_tile: u32,
        ((g, ld), (rows, cols), (row0, col0)): ((u64, u32), (u32, u32), (u32, u32)),
    ) {
        let pass_rows = G::THREADS / row_chunks;
        let (row, col) = (row0 + self.row, col0 + self.col);
        // Pass 0's source; pass j's is j · pass_rows rows further, an add. The offsets of the
        // passes are computed here, per k-tile: hoisted out of the k-loop, they would take a
        // 64-bit register pair each through the whole mainloop.
        let ld = arch::pinned(ld);
        let src0 = g + (row as u64 * ld as u64 + col as u64) * ELEM as u64;
        let pass_bytes = pass_rows as u64 * ld as u64 * ELEM as u64;
        for j in 0..passes as u32 {
            let dst = s_tile + self.dst + j * G::THREADS * 16;
            let src = src0 + j as u64 * pass_bytes;
            if EDGE == Edge::Inside as u8 {
                unsafe { cp_async::copy_16(dst, src as *const u8, 16) };
                continue;
            }
            let inside = row + j * pass_rows < rows && col < cols;
            let src_bytes = if inside {
                (cols - col).min(8) * ELEM
            } else {
                0
            };
            // Out of range: read nothing, from an address that is certainly valid and aligned.
            let src = if inside { src } else { g } as *const u8;
            if EDGE == Edge::Cut as u8 {
                unsafe { cp_async::copy_16_at_edge(dst, src, src_bytes) };
            } else {
                unsafe { cp_async::copy_16(dst, src, src_bytes) };
            }
        }
    }

    /// [`ThreadChunks::copy_tile`] with the checks `edge` needs.
    ///
    /// # Safety
    /// As [`ThreadChunks::copy_tile`], `edge` the tile's [`Edge::of`].
    #[inline(always)]
    unsafe fn copy<G: Tiling>(
        &self,
        edge: Edge,
        passes: usize,
        row_chunks: u32,
        s_tile: u32,
        tile: ((u64, u32), (u32, u32), (u32, u32)),
    ) {
        unsafe {
            match edge {
                Edge::Inside => {
                    self.copy_tile::<G, { Edge::Inside as u8 }>(passes, row_chunks, s_tile, tile)
                }
                // The edge copies are marked cold: LLVM then schedules and lays out the k-loop
                // for interior tiles, and ptxas follows (the loop body is a few dozen
                // instructions shorter in SASS). Measured on the H100: 5 to 12% faster on both
                // grids (bench/results/raw/h100-cold-path-ab.md).
                Edge::Masked => {
                    hint::cold_path();
                    self.copy_tile::<G, { Edge::Masked as u8 }>(passes, row_chunks, s_tile, tile)
                }
                Edge::Cut => {
                    hint::cold_path();
                    self.copy_tile::<G, { Edge::Cut as u8 }>(passes, row_chunks, s_tile, tile)
                }
            }
        }
    }
}

/// One operand of a tile as its copies see it: the matrix from the tile's first row (`A`) or
/// column (`B`) on, `rows × cols` elements with leading dimension `ld`, starting at `g`.
#[derive(Clone, Copy)]
struct Operand {
    g: u64,
    ld: u32,
    rows: u32,
    cols: u32,
}

/// The operands of one [`Work`]: `A`'s `BM` rows and `B`'s `BN` columns, from the tile's
/// problem of the batch, and of them the work's k-tiles: `A`'s columns and `B`'s rows start at
/// its first k-tile and end at its last (or at `K`). Computed once per tile: per k-tile, the
/// copies only add the k offset (on a persistent grid the tile changes inside the k-loop, so
/// the compiler cannot hoist this).
#[derive(Clone, Copy)]
struct TileOperands {
    a: Operand,
    b: Operand,
}

impl TileOperands {
    #[inline(always)]
    fn of<G: Tiling>(p: &GemmParams, work: Work) -> Self {
        let [g_a, g_b, _] = p.batch_operands(work.tile.batch, 2, 2);
        let (row0, col0) = (work.tile.m * G::BM, work.tile.n * G::BN);
        let k0 = work.k_begin * BK;
        let k = (work.k_end * BK).min(p.k) - k0;
        TileOperands {
            a: Operand {
                g: g_a + (row0 as u64 * p.lda as u64 + k0 as u64) * ELEM as u64,
                ld: p.lda,
                rows: p.m - row0,
                cols: k,
            },
            b: Operand {
                g: g_b + (k0 as u64 * p.ldb as u64 + col0 as u64) * ELEM as u64,
                ld: p.ldb,
                rows: k,
                cols: p.n - col0,
            },
        }
    }
}

/// The producer: copies the team's k-tiles, in stream order, into the pipeline stages.
pub(super) struct Copies<W, G> {
    p: GemmParams,
    /// The producer's own copy of the team's scheduler.
    schedule: W,
    /// The operands of the work copied next; `None` past the end of the stream.
    tile: Option<TileOperands>,
    /// The k-tile of that work copied next, and the end of its k-tiles.
    kt: u32,
    k_end: u32,
    stage: u32,
    a: ThreadChunks,
    b: ThreadChunks,
    _tiling: core::marker::PhantomData<G>,
}

impl<W: WorkScheduler, G: Tiling> Copies<W, G> {
    #[inline(always)]
    pub(super) fn new(p: GemmParams, schedule: W, t: u32, stages: u32) -> Self {
        let mut copies = Copies {
            p,
            schedule,
            tile: None,
            kt: 0,
            k_end: 0,
            stage: 0,
            a: ThreadChunks::new(t, A_ROW_CHUNKS, stages),
            b: ThreadChunks::new(t, G::B_ROW_CHUNKS, stages),
            _tiling: core::marker::PhantomData,
        };
        copies.next_work();
        copies
    }

    /// Moves on to the scheduler's next work.
    #[inline(always)]
    fn next_work(&mut self) {
        let work = self.schedule.next_work();
        self.tile = work.map(|w| TileOperands::of::<G>(&self.p, w));
        self.kt = 0;
        // Past the end of the stream `kt` never comes back to 0.
        self.k_end = work.map_or(0, |w| w.k_end - w.k_begin);
    }

    /// Issues the next k-tile of the stream into the next stage and commits it as one group
    /// (an empty group past the end of the stream).
    ///
    /// # Safety
    /// Nobody reads or writes that stage until this group has been waited for, and nobody
    /// still reads it from before.
    #[inline(always)]
    pub(super) unsafe fn next(&mut self, smem: u32) {
        if let Some(TileOperands { a, b }) = self.tile {
            let s_a = stage_address::<G>(smem, self.stage); // (BM, BK)
            let s_b = s_a + G::A_BYTES; // (BK, BN)
            let k0 = self.kt * BK;
            let a = ((a.g, a.ld), (a.rows, a.cols), (0, k0));
            let b = ((b.g, b.ld), (b.rows, b.cols), (k0, 0));
            unsafe {
                let edge = Edge::of(a.2, (G::BM, BK), a.1);
                self.a.copy::<G>(edge, G::A_PASSES, A_ROW_CHUNKS, s_a, a);
                let edge = Edge::of(b.2, (BK, G::BN), b.1);
                self.b.copy::<G>(edge, G::B_PASSES, G::B_ROW_CHUNKS, s_b, b);
            }
        }
        cp_async::commit();
        self.stage = next_stage::<G>(self.stage);
        self.kt += 1;
        if self.kt == self.k_end {
            // Once per tile: out of the hot loop's layout, as the edge copies.
            hint::cold_path();
            self.next_work();
        }
    }
}

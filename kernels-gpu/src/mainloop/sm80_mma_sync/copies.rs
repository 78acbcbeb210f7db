//! The producer: the copies of a team's k-tiles, global → shared, with the checks a matrix
//! edge needs.

use super::claims::Claims;
use super::{BK, ELEM, Team, Tiling, next_stage, stage_address};
use crate::arch::cp_async;
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
    /// The checks a `tile_rows × tile_cols` tile needs when `rows × cols` elements of the
    /// matrix lie from its top-left element on (right and down).
    #[inline(always)]
    fn of((tile_rows, tile_cols): (u32, u32), (rows, cols): (u32, u32)) -> Self {
        if tile_rows <= rows && tile_cols <= cols {
            Edge::Inside
        } else if cols.is_multiple_of(8) || tile_cols <= cols {
            Edge::Masked
        } else {
            Edge::Cut
        }
    }
}

/// One thread's share of one operand's k-tile: its `passes` chunks of 8 elements, pass `j`
/// `j · THREADS / row_chunks` rows below pass 0 in the same columns, copied from
/// `src + j · pass_bytes` to `dst + j · THREADS · 16` (passes are whole swizzle periods apart,
/// see [`Tiling::CHECK`]).
#[derive(Clone, Copy)]
struct KTileCopy {
    passes: usize,
    row_chunks: u32,
    /// Shared address of pass 0's chunk.
    dst: u32,
    /// Global address of pass 0's chunk, and from one pass's to the next.
    src: u64,
    pass_bytes: u64,
}

impl KTileCopy {
    /// The copies of an operand with `row_chunks` chunks per tile row and leading dimension
    /// `ld` elements, `passes` chunks per thread: pass 0's chunk from `src` to `dst`.
    #[inline(always)]
    fn new<G: Tiling>(passes: usize, row_chunks: u32, dst: u32, src: u64, ld: u32) -> Self {
        KTileCopy {
            passes,
            row_chunks,
            dst,
            src,
            pass_bytes: (G::THREADS / row_chunks) as u64 * ld as u64 * ELEM as u64,
        }
    }

    /// Copies the whole chunks of a k-tile inside its matrix, without a check.
    ///
    /// # Safety
    /// Every chunk is readable global memory, 16-byte aligned; as [`cp_async::copy_16`] for
    /// the destination.
    #[inline(always)]
    unsafe fn inside<G: Tiling>(&self) {
        for j in 0..self.passes as u32 {
            let src = self.src + j as u64 * self.pass_bytes;
            unsafe { cp_async::copy_16(self.dst + j * G::THREADS * 16, src as *const u8, 16) };
        }
    }

    /// Copies the chunks of the first `passes` passes as [`KTileCopy::inside`] does, and
    /// issues nothing for the others: their stage keeps whatever it held.
    ///
    /// # Safety
    /// As [`KTileCopy::inside`] for the first `passes` passes.
    #[inline(always)]
    unsafe fn first_passes<G: Tiling>(&self, passes: u32) {
        for j in 0..self.passes as u32 {
            let src = self.src + j as u64 * self.pass_bytes;
            let dst = self.dst + j * G::THREADS * 16;
            unsafe { cp_async::copy_16_if(dst, src as *const u8, j < passes) };
        }
    }

    /// Copies a k-tile of which `rows × cols` elements of the matrix lie from its top-left
    /// element on, this thread's chunks at `(row, col)` of it, with the checks `EDGE` asks for
    /// (an [`Edge`] as `u8`): outside the matrix it zero-fills; a chunk crossing column `cols`
    /// copies the elements before it and zero-fills the rest. Cut chunks go through
    /// [`cp_async::copy_16_at_edge`], whose synchronous path costs a branch per chunk; the
    /// caller decides once per k-tile, so that only tiles at the last column pay it.
    ///
    /// # Safety
    /// As [`KTileCopy::inside`] for the chunks inside the matrix; `g` is a readable, 16-byte
    /// aligned address; no chunk crosses column `cols` unless [`Edge::Cut`].
    #[inline(always)]
    unsafe fn at_edge<G: Tiling, const EDGE: u8>(
        &self,
        (row, col): (u32, u32),
        (rows, cols): (u32, u32),
        g: u64,
    ) {
        let pass_rows = G::THREADS / self.row_chunks;
        for j in 0..self.passes as u32 {
            let dst = self.dst + j * G::THREADS * 16;
            let inside = row + j * pass_rows < rows && col < cols;
            let src_bytes = if inside {
                (cols - col).min(8) * ELEM
            } else {
                0
            };
            // Out of range: read nothing, from an address that is certainly valid and aligned.
            let src = if inside {
                self.src + j as u64 * self.pass_bytes
            } else {
                g
            } as *const u8;
            if EDGE == Edge::Cut as u8 {
                unsafe { cp_async::copy_16_at_edge(dst, src, src_bytes) };
            } else {
                unsafe { cp_async::copy_16(dst, src, src_bytes) };
            }
        }
    }

    /// [`KTileCopy::inside`] or [`KTileCopy::at_edge`], as the k-tile's [`Edge`] asks.
    ///
    /// # Safety
    /// As [`KTileCopy::at_edge`].
    #[inline(always)]
    unsafe fn checked<G: Tiling>(
        &self,
        tile: (u32, u32),
        chunk: (u32, u32),
        valid: (u32, u32),
        g: u64,
    ) {
        unsafe {
            match Edge::of(tile, valid) {
                Edge::Inside => self.inside::<G>(),
                Edge::Masked => self.at_edge::<G, { Edge::Masked as u8 }>(chunk, valid, g),
                Edge::Cut => self.at_edge::<G, { Edge::Cut as u8 }>(chunk, valid, g),
            }
        }
    }
}

/// The k-tiles of one [`Work`] as one thread copies them: where its chunks of the first
/// k-tile come from, and what the edge checks need. Set up once per work, so that a k-tile
/// inside both matrices costs one comparison and the adds of its addresses.
#[derive(Clone, Copy)]
struct WorkCopies {
    /// This thread's pass-0 sources in the first k-tile of `A` and of `B`; k-tile `kt`'s are
    /// `kt` k-tiles further along K.
    a_src: u64,
    b_src: u64,
    /// k-tiles of the work (0 past the end of the stream), and how many of them, from the
    /// first, lie inside both matrices.
    k_tiles: u32,
    inside: u32,
    /// From the tile's top-left element on: rows of `A` to `M`, columns of `B` to `N`, and
    /// elements of `K` in the work.
    rows: u32,
    cols: u32,
    k: u32,
}

impl WorkCopies {
    /// Past the end of the stream: no k-tile.
    const NONE: Self = WorkCopies {
        a_src: 0,
        b_src: 0,
        k_tiles: 0,
        inside: 0,
        rows: 0,
        cols: 0,
        k: 0,
    };

    /// `work`'s k-tiles as team thread `t` copies them: `A`'s `BM` rows and `B`'s `BN`
    /// columns of the tile, from the tile's problem of the batch, and of them the work's
    /// k-tiles (`A`'s columns, `B`'s rows) from its first to its last (or to `K`).
    #[inline(always)]
    fn of<G: Tiling>(p: &GemmParams, work: Work, t: u32) -> Self {
        let [g_a, g_b, _] = p.batch_operands(work.tile.batch, 2, 2);
        let (row0, col0) = (work.tile.m * G::BM, work.tile.n * G::BN);
        let k0 = work.k_begin * BK;
        let k = (work.k_end * BK).min(p.k) - k0;
        let (rows, cols) = (p.m - row0, p.n - col0);
        let (a_row, a_chunk) = copy_chunk(t, A_ROW_CHUNKS);
        let (b_row, b_chunk) = copy_chunk(t, G::B_ROW_CHUNKS);
        let element = |g: u64, ld: u32, row: u32, col: u32| {
            g + (row as u64 * ld as u64 + col as u64) * ELEM as u64
        };
        let k_tiles = work.k_end - work.k_begin;
        // A chunk right of `N` only feeds columns of `C` right of `N`, which are never
        // stored: read from a column inside instead, it needs no check, and a tile at the `N`
        // edge is copied as an interior one. (Where `N` cuts a chunk, every chunk of the tile
        // is checked.) The same chunk of the tile to the left keeps the lanes' addresses
        // apart: with lanes reading one address into many chunks of a stage, a tile at the
        // edge took up to a fifth longer. Only a matrix narrower than a tile reads its first
        // chunk again.
        let b_col = col0 + b_chunk * 8;
        let b_col = if b_col < p.n {
            b_col
        } else if col0 >= G::BN {
            b_col - G::BN
        } else {
            col0
        };
        WorkCopies {
            a_src: element(g_a, p.lda, row0 + a_row, k0 + a_chunk * 8),
            b_src: element(g_b, p.ldb, k0 + b_row, b_col),
            k_tiles,
            inside: if rows >= G::BM && Edge::of((BK, G::BN), (BK, cols)) != Edge::Cut {
                k / BK
            } else {
                0
            },
            rows,
            cols,
            k,
        }
    }
}

/// The producer: copies the team's k-tiles, in stream order, into the pipeline stages.
pub(super) struct Copies<W, G> {
    p: GemmParams,
    /// The producer's own copy of the team's scheduler.
    schedule: W,
    /// The work copied now, and its k-tile copied next.
    work: WorkCopies,
    kt: u32,
    stage: u32,
    /// Works started: the sequence number of the next one (claimed schedules only).
    started: u32,
    /// The offsets of this thread's pass-0 chunks in a stage's `A` and `B` tiles (plus the
    /// team's stages).
    a_dst: u32,
    b_dst: u32,
    _tiling: core::marker::PhantomData<G>,
}

impl<W: WorkScheduler, G: Tiling> Copies<W, G> {
    /// The producer of team thread `t`, with the team's stages `stages` bytes past the
    /// address the copies are given.
    #[inline(always)]
    pub(super) fn new(p: GemmParams, schedule: W, t: u32, stages: u32) -> Self {
        let dst = |row_chunks: u32| {
            let (row, chunk) = copy_chunk(t, row_chunks);
            stages + swizzle::offset(row, chunk, row_chunks)
        };
        let mut copies = Copies {
            p,
            schedule,
            work: WorkCopies::NONE,
            kt: 0,
            stage: 0,
            started: 0,
            a_dst: dst(A_ROW_CHUNKS),
            b_dst: dst(G::B_ROW_CHUNKS),
            _tiling: core::marker::PhantomData,
        };
        copies.next_work();
        copies
    }

    /// Moves on to the scheduler's next work; on a claimed schedule, first reads its claim.
    #[inline(always)]
    fn next_work(&mut self) {
        self.kt = 0;
        // Past the end of the stream (no work before) nothing was claimed: the scheduler
        // stays done.
        if W::CLAIMED && self.work.k_tiles != 0 {
            let team = Team::index_again::<G>();
            // SAFETY: claimed a k-tile ago, a team barrier ago (see `Claims`).
            self.schedule
                .claimed(unsafe { Claims::read(team, self.started) });
        }
        self.work = match self.schedule.next_work() {
            Some(work) => WorkCopies::of::<G>(&self.p, work, Team::thread_again::<G>()),
            None => WorkCopies::NONE,
        };
        self.started += 1;
    }

    /// Issues the next k-tile of the stream into the next stage and commits it as one group
    /// (an empty group past the end of the stream).
    ///
    /// # Safety
    /// Nobody reads or writes that stage until this group has been waited for, and nobody
    /// still reads it from before.
    #[inline(always)]
    pub(super) unsafe fn next(&mut self, smem: u32) {
        let (w, kt) = (self.work, self.kt);
        let s_a = stage_address::<G>(smem, self.stage); // (BM, BK)
        let s_b = s_a + G::A_BYTES; // (BK, BN)
        // The pass offsets depend on the parameters alone: ptxas keeps them in uniform
        // registers.
        let (lda, ldb) = (self.p.lda, self.p.ldb);
        let k_bytes = (kt * BK * ELEM) as u64;
        let a_src = w.a_src + k_bytes;
        let a = KTileCopy::new::<G>(G::A_PASSES, A_ROW_CHUNKS, s_a + self.a_dst, a_src, lda);
        let b_src = w.b_src + k_bytes * ldb as u64;
        let b = KTileCopy::new::<G>(G::B_PASSES, G::B_ROW_CHUNKS, s_b + self.b_dst, b_src, ldb);
        if kt < w.inside {
            unsafe {
                a.inside::<G>();
                b.inside::<G>();
            }
        } else if kt < w.k_tiles {
            // The edge copies are marked cold: LLVM then schedules and lays out the k-loop
            // for interior tiles, and ptxas follows (the loop body is a few dozen
            // instructions shorter in SASS). Measured on the H100: 5 to 12% faster on both
            // grids (bench/results/raw/h100-cold-path-ab.md).
            hint::cold_path();
            let (rows, cols) = (w.rows, w.cols);
            let k_left = w.k - kt * BK;
            let t = Team::thread_again::<G>();
            let (a_row, a_chunk) = copy_chunk(t, A_ROW_CHUNKS);
            let (b_row, b_chunk) = copy_chunk(t, G::B_ROW_CHUNKS);
            if k_left >= BK && Edge::of((BK, G::BN), (BK, cols)) != Edge::Cut {
                // Whole along K, at the M edge (`B`'s chunks right of N are read inside, see
                // `WorkCopies::of`). A row of `A` below M only feeds output rows below M,
                // which are never stored: its chunks are skipped, not zero-filled, and their
                // stage keeps older contents. No per-chunk size or address to select: an
                // edge tile's k-loop costs little more than an interior one's.
                let a_passes = rows
                    .saturating_sub(a_row)
                    .div_ceil(G::THREADS / A_ROW_CHUNKS);
                unsafe {
                    a.first_passes::<G>(a_passes);
                    b.inside::<G>();
                }
            } else {
                let (a_chunk, b_chunk) = ((a_row, a_chunk * 8), (b_row, b_chunk * 8));
                unsafe {
                    a.checked::<G>((G::BM, BK), a_chunk, (rows, k_left), self.p.a);
                    b.checked::<G>((BK, G::BN), b_chunk, (k_left, cols), self.p.b);
                }
            }
        }
        cp_async::commit();
        self.stage = next_stage::<G>(self.stage);
        self.kt = kt + 1;
        if self.kt >= w.k_tiles {
            // Once per tile: out of the hot loop's layout, as the edge copies.
            hint::cold_path();
            self.next_work();
        }
    }
}

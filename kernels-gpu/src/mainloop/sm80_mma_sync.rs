//! Tensor-core GEMM with `mma.sync` (sm_80+: Ampere, Ada, and Hopper without wgmma/TMA):
//! 16-bit inputs (`In`: [`Bf16`](crate::arch::mma::Bf16) or [`F16`](crate::arch::mma::F16)),
//! f32 accumulation, output `Out` (`In` or `f32`).
//!
//! # Tiling
//! Block tile `64·WARPS_M × 64·WARPS_N × 64` ([`MmaShape`]): warp `w` sits at
//! `(w / WARPS_N, w % WARPS_N)` and owns a 64 × 64 warp tile, i.e. `MI × NI = 4 × 8` m16n8
//! accumulator tiles (128 f32 per thread). One stage holds a 64-wide k-slice: four k16 steps,
//! so the block meets at one barrier per four steps of `mma`s.
//!
//! # Shared memory
//! `STAGES` stages, each the `A` tile (`BM` rows × 64 k, k-contiguous, 8 chunks of 16 bytes
//! per row) then the `B` tile (64 k-rows × `BN`, n-contiguous, `BN / 8` chunks per row), both
//! XOR-swizzled by [`swizzle::offset`] so that the `cp.async` writes and the `ldmatrix`
//! reads are free of bank conflicts (the docs of [`swizzle`] say why).
//!
//! # Thread mapping
//! - Global → shared: chunk `i` of a tile (row-major: row `i / row_chunks`, chunk
//!   `i % row_chunks`) is copied by thread `i % THREADS`, so a warp reads whole contiguous
//!   rows of `A` (8 lanes per 128 bytes) and of `B` (16 or 32 lanes per row).
//! - Shared → registers, per k16 step (fragment layouts in [`crate::arch::mma`], addresses in
//!   [`crate::mma_layout`], where a host test checks them against the layouts): the `A`
//!   fragment of m-tile `mi` is one `ldmatrix.x4` with lane `l` addressing row
//!   `mi·16 + l % 16`, k-chunk `2·step + l / 16` (matrices: rows 0–7/8–15 × k 0–7/8–15, in
//!   `a[0..4]` order). The `B` fragments of n-tiles `2j, 2j+1` are one `ldmatrix.x4.trans`
//!   with lane `l` addressing k-row `16·step + l % 16`, n-chunk `2j + l / 16` (matrices:
//!   k 0–7/8–15 × n-tile `2j`/`2j+1`): `.trans` turns the n-contiguous rows into the k-pairs
//!   per column that `mma`'s `.col` operand wants.
//!
//! # Pipeline
//! The k-tiles a block computes form one stream, tile after tile. A copy *producer*
//! ([`Copies`]) runs `STAGES - 1` k-tiles ahead of the `mma` *consumer*, one `cp.async`
//! group per k-tile (empty past the end of the stream, so that every k-tile commits exactly
//! one group and `wait_group(STAGES - 2)` always means "the next k-tile has landed"). The
//! fragments are double-buffered in registers: each k16 step first issues the `ldmatrix`es
//! of the next step, then the `mma`s of this one. Per k-tile `g` (stage `g % STAGES`):
//!
//! - step 0: also issue the copies of k-tile `g + STAGES - 1` into stage `(g - 1) % STAGES`,
//!   which every warp finished reading before the barrier of k-tile `g - 1`;
//! - step 3: first `wait_group(STAGES - 2)` and barrier (k-tile `g + 1` is in shared memory,
//!   for all), so that the next step's fragments come from stage `g + 1`.
//!
//! # Persistence
//! The stream does not drain between tiles: the producer walks into the next tile of the
//! team's scheduler while the consumer finishes the current one, and the first fragments
//! of the next tile are in registers before the epilogue starts. The producer follows a
//! copy of the scheduler, which replays the same work (the schedulers are deterministic
//! functions of the block and team index). On a [`NaiveGrid`](crate::schedule::NaiveGrid) there is
//! one tile per block and this reduces to the usual prologue and mainloop.
//!
//! # Teams
//! Everything above is one team's: `WARPS_M × WARPS_N` warps with their own stages, barrier
//! and work. A block may hold several teams side by side ([`Team`]); the persistent
//! 128 × 128 kernel runs two per block in place of two blocks per SM, so that its schedule
//! knows which tiles share an SM.
//!
//! A team's scheduler ([`WorkScheduler`]) hands it [`Work`]: a tile and the k-tiles of it the
//! team computes, all of them except on a tile the block's teams share
//! ([`PersistentTeams`]: the lone tile of a block's last round, which one team would
//! otherwise compute alone on the SM at one warp per scheduler). Each team then computes a
//! slice of its k-tiles; the stream sees the slice as a tile of a shorter `K`, whose
//! operands start at the slice's first k-tile ([`TileOperands`]). At the end the other teams
//! leave their accumulators in their own stages and team 0 adds them before its epilogue
//! ([`Partials`]).
//!
//! # Edges
//! A k-tile whose `A` or `B` tile lies inside its matrix is copied without any check: one
//! address per thread, the passes a constant number of rows apart. At an edge, chunks outside
//! the matrix are zero-filled by `cp.async` with a source size of 0, and a chunk that
//! straddles `K` (rows of `A`) or `N` (rows of `B`) copies only its valid elements: no read
//! outside the caller's buffers, and the padding holds zeros on both operands (so that
//! garbage cannot turn into NaN). A warp tile inside `C` is stored four columns per lane
//! without checks ([`store_inside`]); at an edge, stores are masked per element pair.

use crate::arch::cp_async;
use crate::arch::mma::{MmaInput, ldmatrix_x4, ldmatrix_x4_trans};
use crate::arch::{self, mbarrier, smem, sync, thread, warp};
use crate::epilogue::{LinearCombination, Output};
use crate::mma_layout::{
    A_ROW_CHUNKS, a_fragment_offset, a_lane_offset, b_fragment_offset, b_lane_offset, copy_chunk,
};
use crate::params::{GemmParams, ParamSpace};
#[cfg(doc)]
use crate::schedule::{PersistentTeams, team_slot};
use crate::schedule::{Work, WorkScheduler};
#[cfg(doc)]
use crate::shapes::MmaShape;
use crate::shapes::{MMA_BLOCK_K, MMA_WARP_M, MMA_WARP_N};
use crate::{swizzle, unroll};
use core::arch::{asm, global_asm};
use core::hint;

const BK: u32 = MMA_BLOCK_K;
/// k16 `mma` steps per stage.
const K16_STEPS: usize = (BK / 16) as usize;
/// m16 tiles per warp tile.
const MI: usize = (MMA_WARP_M / 16) as usize;
/// n8 tiles per warp tile.
const NI: usize = (MMA_WARP_N / 8) as usize;
/// Bytes of one 16-bit element.
const ELEM: u32 = 2;

const _: () = {
    assert!(K16_STEPS == 4, "the unroll! of the k-loop");
    assert!(A_ROW_CHUNKS == BK * ELEM / 16);
    assert!(
        MI == 4 && NI == 8,
        "the unroll! counts below and `mma_layout`"
    );
};

/// The geometry of one configuration: a `WARPS_M × WARPS_N` grid of warp tiles, `STAGES`
/// pipeline stages, up to `TEAMS` [`Team`]s per block.
struct Geometry<const WARPS_M: usize, const WARPS_N: usize, const STAGES: usize, const TEAMS: usize>;

/// Compile-time sizes derived from a [`Geometry`], so that the pieces below are generic over
/// one type parameter.
trait Tiling {
    const WARPS_N: u32;
    /// Threads of one [`Team`].
    const THREADS: u32;
    /// Most teams per block.
    const TEAMS: u32;
    const STAGES: u32;
    const BM: u32;
    const BN: u32;
    /// 16-byte chunks per k-row of the `B` tile.
    const B_ROW_CHUNKS: u32;
    /// Bytes of one stage's `A` tile; its `B` tile follows.
    const A_BYTES: u32;
    const STAGE_BYTES: u32;
    /// Chunks of the `A` and `B` tile each thread copies per k-tile.
    const A_PASSES: usize;
    const B_PASSES: usize;
    /// The conditions the address arithmetic relies on, checked when a kernel is built.
    const CHECK: ();
}

impl<const WARPS_M: usize, const WARPS_N: usize, const STAGES: usize, const TEAMS: usize> Tiling
    for Geometry<WARPS_M, WARPS_N, STAGES, TEAMS>
{
    const WARPS_N: u32 = WARPS_N as u32;
    const THREADS: u32 = 32 * (WARPS_M * WARPS_N) as u32;
    const TEAMS: u32 = TEAMS as u32;
    const STAGES: u32 = STAGES as u32;
    const BM: u32 = MMA_WARP_M * WARPS_M as u32;
    const BN: u32 = MMA_WARP_N * WARPS_N as u32;
    const B_ROW_CHUNKS: u32 = Self::BN * ELEM / 16;
    const A_BYTES: u32 = Self::BM * BK * ELEM;
    const STAGE_BYTES: u32 = (Self::BM + Self::BN) * BK * ELEM;
    const A_PASSES: usize = (Self::BM * A_ROW_CHUNKS / Self::THREADS) as usize;
    const B_PASSES: usize = (BK * Self::B_ROW_CHUNKS / Self::THREADS) as usize;
    const CHECK: () = {
        // `ThreadChunks`: every thread copies the same whole number of chunks, a pass of
        // THREADS covers whole rows, and passes are whole swizzle periods apart.
        assert!(Self::A_PASSES as u32 * Self::THREADS == Self::BM * A_ROW_CHUNKS);
        assert!(Self::B_PASSES as u32 * Self::THREADS == BK * Self::B_ROW_CHUNKS);
        assert!(Self::THREADS.is_multiple_of(A_ROW_CHUNKS));
        assert!(Self::THREADS.is_multiple_of(Self::B_ROW_CHUNKS));
        assert!((Self::THREADS / A_ROW_CHUNKS).is_multiple_of(swizzle::period_rows(A_ROW_CHUNKS)));
        assert!(
            (Self::THREADS / Self::B_ROW_CHUNKS)
                .is_multiple_of(swizzle::period_rows(Self::B_ROW_CHUNKS))
        );
        // `mma_layout::b_fragment_offset`: k16 steps of B are whole swizzle periods apart.
        assert!(16u32.is_multiple_of(swizzle::period_rows(Self::B_ROW_CHUNKS)));
        assert!(STAGES >= 2);
        // Named barriers 1..=TEAMS of the 16.
        assert!(TEAMS >= 1 && TEAMS < 16);
        // `Partials`: a team's accumulators fit in its stages.
        assert!(Self::THREADS * (MI * NI * 16) as u32 <= STAGES as u32 * Self::STAGE_BYTES);
    };
}

/// The threads of a block that run one pipeline: `G::THREADS` threads with their own
/// `STAGES` stages of shared memory, their own barrier and their own sequence of tiles.
/// Several teams in one block, rather than as many blocks per SM, let a persistent schedule
/// know which tiles share an SM ([`team_slot`] says why that matters).
#[derive(Clone, Copy)]
struct Team {
    index: u32,
    /// Teams in this block: `G::TEAMS`, or fewer where the host launched fewer threads
    /// because that many teams' stages do not fit the SM.
    count: u32,
    /// This thread's index within the team.
    thread: u32,
}

impl Team {
    #[inline(always)]
    fn of<G: Tiling>(t: u32) -> Self {
        if G::TEAMS == 1 {
            return Team {
                index: 0,
                count: 1,
                thread: t,
            };
        }
        Team {
            index: warp::broadcast(t / G::THREADS),
            count: thread::block_dim_x() / G::THREADS,
            thread: t % G::THREADS,
        }
    }

    /// Offset of this team's stages from the start of the block's shared memory.
    #[inline(always)]
    fn stages<G: Tiling>(&self) -> u32 {
        self.index * G::STAGES * G::STAGE_BYTES
    }

    /// The team's barrier: the whole block for one team; otherwise named barrier
    /// `1 + index`, since a team must not wait for another that may be a tile ahead or gone.
    #[inline(always)]
    fn sync<G: Tiling>(&self) {
        if G::TEAMS == 1 {
            sync::threads();
        } else {
            sync::named(1 + self.index, G::THREADS);
        }
    }
}

/// The window of dynamic shared memory; 128-byte aligned so that the swizzle's 128-byte
/// lines are the banks' lines.
#[repr(C, align(128))]
struct SmemWindow;

/// Shared address of stage `stage`'s `A` tile; its `B` tile follows at `+ A_BYTES`.
#[inline(always)]
fn stage_address<G: Tiling>(smem: u32, stage: u32) -> u32 {
    smem + stage * G::STAGE_BYTES
}

/// Pipeline stage counter: `0, 1, …, STAGES - 1, 0, …`.
#[inline(always)]
fn next_stage<G: Tiling>(s: u32) -> u32 {
    if s + 1 == G::STAGES { 0 } else { s + 1 }
}

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
struct Copies<W, G> {
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
    fn new(p: GemmParams, schedule: W, t: u32, stages: u32) -> Self {
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
    unsafe fn next(&mut self, smem: u32) {
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

/// The `mma` operands of one k16 step of a warp tile.
#[derive(Clone, Copy)]
struct Fragments {
    a: [[u32; 4]; MI], // (MI m16 tiles) × 4 registers
    b: [[u32; 2]; NI], // (NI n8 tiles) × 2 registers
}

/// The consumer's reading position: per-lane swizzled offsets and the stage read now.
struct Reads<G> {
    /// Offset in the `A` tile of this lane's `ldmatrix` row for m-tile 0, k16 step 0.
    a_lane: u32,
    /// Offset in the `B` tile of this lane's `ldmatrix.trans` row for n-tiles 0–1, step 0.
    b_lane: u32,
    stage: u32,
    _tiling: core::marker::PhantomData<G>,
}

impl<G: Tiling> Reads<G> {
    /// With the stages `stages` bytes past the address [`Reads::load`] is given: a multiple
    /// of 128 (the window's alignment, whole stages), as [`a_fragment_offset`] and
    /// [`b_fragment_offset`] flip bits 5 and 6 of the lane offsets.
    #[inline(always)]
    fn new(warp_m: u32, warp_n: u32, lane: u32, stages: u32) -> Self {
        Reads {
            a_lane: stages + a_lane_offset(warp_m, lane),
            b_lane: stages + b_lane_offset(warp_n, lane, G::B_ROW_CHUNKS),
            stage: 0,
            _tiling: core::marker::PhantomData,
        }
    }

    /// The fragments of k16 step `k16` (a constant after unrolling) of the current stage.
    ///
    /// # Safety
    /// The current stage holds a landed k-tile (or stale data, past the end of the stream);
    /// the whole warp calls it.
    #[inline(always)]
    unsafe fn load(&self, smem: u32, k16: u32) -> Fragments {
        let s_a = stage_address::<G>(smem, self.stage);
        let s_b = s_a + G::A_BYTES;
        let mut f = Fragments {
            a: [[0; 4]; MI],
            b: [[0; 2]; NI],
        };
        unroll!(M in 0..4 => {
            let a = a_fragment_offset(self.a_lane, M as u32, k16);
            f.a[M] = unsafe { ldmatrix_x4(s_a + a) };
        });
        unroll!(J in 0..4 => {
            let b = b_fragment_offset(self.b_lane, J as u32, k16, G::B_ROW_CHUNKS);
            let r = unsafe { ldmatrix_x4_trans(s_b + b) };
            f.b[2 * J] = [r[0], r[1]];
            f.b[2 * J + 1] = [r[2], r[3]];
        });
        f
    }

    #[inline(always)]
    fn advance(&mut self) {
        self.stage = next_stage::<G>(self.stage);
    }
}

/// `r_acc += A·B` for one k16 step of the warp tile.
#[inline(always)]
fn mma<In: MmaInput>(r_acc: &mut Accumulators, f: &Fragments) {
    unroll!(M in 0..4 => {
        unroll!(N in 0..8 => {
            // Serpentine order: consecutive `mma`s share an operand, which the register
            // reuse cache can then serve.
            let n = if M.is_multiple_of(2) { N } else { NI - 1 - N };
            In::mma_m16n8k16(&mut r_acc[M][n], f.a[M], f.b[n]);
        });
    });
}

/// One thread's accumulators: `MI × NI` m16n8 tiles of four.
type Accumulators = [[[f32; 4]; NI]; MI];

/// The partial sums of a tile the block's teams share ([`Work::shared`]): each team but the
/// first leaves its accumulators in its own stages, which its pipeline no longer needs, and
/// the first adds them to its own. Accumulator group `(M, N)` of team thread `t` lies at
/// `((M · NI + N) · THREADS + t) · 16`: a warp reads and writes 512 consecutive bytes per
/// group, free of bank conflicts.
struct Partials;

// The hand-over's `mbarrier`: 8 bytes of static shared memory, apart from the stages, in the
// kernels that share tiles.
global_asm!(".shared .align 8 .b64 tessera_partials_ready;");

impl Partials {
    /// Shared address of the hand-over barrier.
    #[inline(always)]
    fn ready() -> u32 {
        let a: u32;
        // SAFETY: takes the address of this module's own shared variable.
        unsafe {
            asm!("mov.u32 {}, tessera_partials_ready;", out(reg32) a,
                options(nostack, pure, nomem))
        };
        a
    }

    /// Sets up the hand-over barrier for the other teams' threads; every thread of the block
    /// calls it before anything else. The hand-over is one `mbarrier` phase that the other
    /// teams arrive at and team 0 waits for: unlike a named barrier, its two sides are
    /// different instructions on different code paths, and a team that has arrived may exit.
    ///
    /// # Safety
    /// The whole block calls it once, at the start.
    #[inline(always)]
    unsafe fn init<G: Tiling>(team: Team) {
        if G::TEAMS == 1 || team.count == 1 {
            return;
        }
        if thread::index_x() == 0 {
            unsafe { mbarrier::init(Self::ready(), (team.count - 1) * G::THREADS) };
        }
        // Publishes the initialisation to the block.
        sync::threads();
    }

    /// Where team `team`'s thread `t` keeps accumulator group `(m, n)`. The window's address
    /// is taken again here, not held through the mainloop.
    #[inline(always)]
    fn address<G: Tiling>(team: u32, m: usize, n: usize, t: u32) -> u32 {
        let window = smem::address(unsafe { smem::dynamic::<SmemWindow>() });
        window + team * G::STAGES * G::STAGE_BYTES + ((m * NI + n) as u32 * G::THREADS + t) * 16
    }

    /// Team `team` (not the first) stores `r_acc` in its stages and arrives at the hand-over
    /// barrier.
    ///
    /// # Safety
    /// The team's stream has ended; the whole team calls it, and team 0 calls
    /// [`Partials::add`].
    #[inline(always)]
    unsafe fn hand_over<G: Tiling>(team: Team, r_acc: &Accumulators) {
        // Past the end of the stream the groups are empty; the wait makes it certain that no
        // copy still lands in the stages.
        cp_async::wait_group(0);
        // Every warp of the team has read its last fragments from the stages.
        team.sync::<G>();
        unroll!(M in 0..4 => {
            unroll!(N in 0..8 => {
                let at = Self::address::<G>(team.index, M, N, team.thread);
                unsafe { smem::store_b32x4(at, r_acc[M][N].map(f32::to_bits)) };
            });
        });
        // Release: the stores above happen before the phase completes.
        unsafe { mbarrier::arrive(Self::ready()) };
    }

    /// Team 0 waits for the others' partial sums and adds them to `r_acc`.
    ///
    /// # Safety
    /// Every other team calls [`Partials::hand_over`].
    #[inline(always)]
    unsafe fn add<G: Tiling>(team: Team, r_acc: &mut Accumulators) {
        // Acquire: the first (and only) phase, parity 0.
        while !unsafe { mbarrier::test_wait(Self::ready(), 0) } {}
        // The block's size read again rather than `team.count` held through the mainloop.
        for other in 1..thread::block_dim_x() / G::THREADS {
            unroll!(M in 0..4 => {
                unroll!(N in 0..8 => {
                    let at = Self::address::<G>(other, M, N, team.thread);
                    let v = unsafe { smem::load_b32x4(at) };
                    unroll!(I in 0..4 => { r_acc[M][N][I] += f32::from_bits(v[I]) });
                });
            });
        }
    }
}

/// Epilogue of one warp tile with top-left element `origin`: `C = alpha·acc + beta·C`
/// through the accumulator layout (each lane owns rows `g`, `g + 8` × columns `2q, 2q + 1`
/// of every m16n8 tile).
///
/// # Safety
/// `c` is this tile's problem's `C` as `p` describes it, with `ldc` even and `c` aligned to
/// two elements.
#[inline(always)]
unsafe fn store<Out: Output>(
    p: &GemmParams,
    c: u64,
    origin: (u32, u32),
    lane: u32,
    r_acc: &Accumulators,
) {
    let epilogue = LinearCombination {
        alpha: p.alpha,
        beta: p.beta,
    };
    let c = c as *mut Out;
    let (row0, col0) = (origin.0 + lane / 4, origin.1 + (lane % 4) * 2);
    if origin.0 + MMA_WARP_M <= p.m && origin.1 + MMA_WARP_N <= p.n {
        // The warp tile lies inside C: no check per element, and `beta` is tested once. The
        // row offsets are the same for every tile: pinned here, not held through the mainloop.
        let ldc = arch::pinned(p.ldc);
        let q = lane % 4;
        let col = origin.1 + (q % 2) * 8 + (q / 2) * 4;
        let base = unsafe { c.add(row0 as usize * ldc as usize + col as usize) };
        unsafe {
            if p.beta == 0.0 {
                store_inside::<Out, false>(&epilogue, base, ldc, lane, r_acc);
            } else {
                store_inside::<Out, true>(&epilogue, base, ldc, lane, r_acc);
            }
        }
        return;
    }
    unroll!(M in 0..4 => {
        unroll!(N in 0..8 => {
            let (row, col) = (row0 + M as u32 * 16, col0 + N as u32 * 8);
            let acc = &r_acc[M][N];
            unsafe {
                epilogue.store_pair(c, p.ldc, (p.m, p.n), (row, col), [acc[0], acc[1]], true);
                epilogue.store_pair(c, p.ldc, (p.m, p.n), (row + 8, col), [acc[2], acc[3]], true);
            }
        });
    });
}

/// [`store`] for a warp tile inside `C`, four consecutive columns per lane and store.
///
/// The accumulator layout gives lane `q = lane % 4` columns `2q, 2q + 1` of each n8 tile.
/// Lanes `q` and `q ^ 1` swap halves of each pair of n8 tiles (`2P`, `2P + 1`): an even
/// lane keeps its pair of tile `2P` and receives its neighbour's, an odd lane keeps its pair of
/// tile `2P + 1` and receives its neighbour's. Lane `q` then holds columns
/// `16P + (q % 2)·8 + (q / 2)·4 ..+ 4` of its rows, and the warp writes each row's 16 columns
/// as one whole 32-byte sector (16-bit output) with half as many stores as pairs would take.
/// `base` is the lane's first run (row `g`, `P = 0`); `READ_C` is `beta != 0`.
///
/// # Safety
/// As [`store`], and the warp tile lies inside `C`; the whole warp calls it.
#[inline(always)]
unsafe fn store_inside<Out: Output, const READ_C: bool>(
    epilogue: &LinearCombination,
    base: *mut Out,
    ldc: u32,
    lane: u32,
    r_acc: &Accumulators,
) {
    let odd = lane % 2 == 1;
    unroll!(M in 0..4 => {
        unroll!(H in 0..2 => {
            // Row `M·16 + H·8` of the warp tile: registers 2H, 2H + 1 of each m16n8 tile.
            let row = unsafe { base.add((M * 16 + H * 8) * ldc as usize) };
            unroll!(P in 0..4 => {
                let pair = |n: usize| [r_acc[M][n][2 * H], r_acc[M][n][2 * H + 1]];
                let (even, next) = (pair(2 * P), pair(2 * P + 1));
                let (own, give) = if odd { (next, even) } else { (even, next) };
                let got = give.map(|x| warp::shfl_xor(x, 1));
                let run = if odd {
                    [got[0], got[1], own[0], own[1]]
                } else {
                    [own[0], own[1], got[0], got[1]]
                };
                unsafe { epilogue.store4_unchecked::<Out, READ_C>(row.add(P * 16), run) };
            });
        });
    });
}

/// The kernel body: each team's `W` hands out its work; the pipelined mainloop computes each
/// into registers and the epilogue stores it.
///
/// # Safety
/// Launched with the `tile.threads` threads (or, for a kernel of teams, a whole number of
/// teams' worth) and [`MmaShape::smem_bytes`] bytes of dynamic shared memory (that many teams'
/// worth) of the [`MmaShape`] whose warp grid, stages and teams are `WARPS_M`, `WARPS_N`,
/// `STAGES`, `TEAMS`, on parameters the host validated: `A`, `B`, `C` of element types `In`,
/// `In`, `Out`, base addresses 16-byte aligned, `lda`, `ldb`, `ldc` multiples of 8 elements,
/// `m`, `n`, `k` ≥ 1.
#[inline(always)]
pub unsafe fn gemm<
    W: WorkScheduler,
    In: MmaInput,
    Out: Output,
    const WARPS_M: usize,
    const WARPS_N: usize,
    const STAGES: usize,
    const TEAMS: usize,
>(
    p: &GemmParams,
    _: ParamSpace,
) {
    unsafe { run::<W, In, Out, Geometry<WARPS_M, WARPS_N, STAGES, TEAMS>>(*p) }
}

/// [`gemm`] for one [`Tiling`].
///
/// # Safety
/// As [`gemm`].
#[inline(always)]
unsafe fn run<W: WorkScheduler, In: MmaInput, Out: Output, G: Tiling>(p: GemmParams) {
    const { G::CHECK };
    let team = Team::of::<G>(thread::index_x());
    unsafe { Partials::init::<G>(team) };
    let window = smem::address(unsafe { smem::dynamic::<SmemWindow>() });
    // The stage addresses: `smem + stage · STAGE_BYTES` plus per-thread offsets that start
    // at `stages`. With one team, `smem` is the window: the same for the whole block, ptxas
    // keeps it in a uniform register. With several, the uniform registers hold the schedule
    // (which depends on the team), and ptxas would recompute the window's address from
    // special registers in every k-tile; the per-thread offsets take it instead.
    let (smem, stages) = if G::TEAMS == 1 {
        (window, 0)
    } else {
        (0, window + team.stages::<G>())
    };
    let grid = p.tile_grid(G::BM, G::BN);
    let schedule = W::new(
        grid,
        p.k.div_ceil(BK),
        thread::block_index_x(),
        thread::grid_dim_x(),
        team.index,
        team.count,
    );
    // The consumer's copy of the scheduler is read at each epilogue, not before the k-loop:
    // registers are tight (128 accumulators, two fragment sets), and this way no tile
    // coordinates stay live through the k-loop, only its trip count.
    let mut tiles = schedule;
    let Some(mut k_count) = tiles.next_k_tiles() else {
        return;
    };
    let (t, lane) = (team.thread, thread::lane_id());
    let (warp_m, warp_n) = (t / 32 / G::WARPS_N, t / 32 % G::WARPS_N);
    let mut copies = Copies::<W, G>::new(p, schedule, t, stages);
    let mut reads = Reads::<G>::new(warp_m, warp_n, lane, stages);
    let pending = G::STAGES as usize - 2;

    // Prologue: the first STAGES - 1 k-tiles of the stream in flight, the first landed.
    for _ in 0..G::STAGES - 1 {
        unsafe { copies.next(smem) };
    }
    cp_async::wait_group(pending);
    team.sync::<G>();
    // Fragments of the step being multiplied and of the next one.
    let mut f = [unsafe { reads.load(smem, 0) }; 2];

    loop {
        let mut r_acc: Accumulators = [[[0.0f32; 4]; NI]; MI]; // (MI, NI) m16n8 tiles of this warp
        // Counted down: the count itself is not needed after the first k-tile (k_count ≥ 1).
        loop {
            unroll!(STEP in 0..4 => {
                if STEP == K16_STEPS - 1 {
                    // The next k-tile's first fragments are read below.
                    cp_async::wait_group(pending);
                    team.sync::<G>();
                    reads.advance();
                }
                // Past the last k-tile of the block this reads a stage nobody writes: unused.
                f[(STEP + 1) % 2] = unsafe { reads.load(smem, ((STEP + 1) % K16_STEPS) as u32) };
                if STEP == 0 {
                    // The stage written now was last read before the previous k-tile's barrier.
                    unsafe { copies.next(smem) };
                }
                mma::<In>(&mut r_acc, &f[STEP % 2]);
            });
            k_count -= 1;
            if k_count == 0 {
                break;
            }
        }
        // The work just computed: `k_count` said it exists.
        let Some(work) = tiles.next_work() else {
            return;
        };
        if work.shared {
            // Shared work is a team's last.
            if team.index != 0 {
                unsafe { Partials::hand_over::<G>(team, &r_acc) };
                return;
            }
            unsafe { Partials::add::<G>(team, &mut r_acc) };
        }
        let tile = work.tile;
        let origin = (
            tile.m * G::BM + warp_m * MMA_WARP_M,
            tile.n * G::BN + warp_n * MMA_WARP_N,
        );
        let [_, _, c] = p.batch_operands(tile.batch, 2, core::mem::size_of::<Out>() as u64);
        unsafe { store::<Out>(&p, c, origin, lane, &r_acc) };
        match tiles.next_k_tiles() {
            Some(next) => k_count = next,
            None => return,
        }
    }
}

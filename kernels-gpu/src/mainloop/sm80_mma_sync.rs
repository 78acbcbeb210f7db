//! Tensor-core GEMM with `mma.sync` (sm_80+: Ampere, Ada, and Hopper without wgmma/TMA):
//! 16-bit inputs (`In`: [`Bf16`](crate::arch::mma::Bf16) or [`F16`](crate::arch::mma::F16)),
//! f32 accumulation, output `Out` (`In` or `f32`).
//!
//! This file holds the geometry, the teams and the kernel body; the pieces are next to it:
//! [`copies`] (the producer), [`fragments`] (the consumer's `ldmatrix` and `mma`),
//! [`store`] (the epilogue) and [`partials`] (the teams' hand-over of a shared tile).
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
//! ([`PersistentTeams`]: a tile of a short partial last round, which that schedule gives to
//! a tail block of its own, or the lone tile of a block's last round; one team would otherwise
//! compute it alone on the SM at one warp per scheduler). Each team then computes a
//! slice of its k-tiles; the stream sees the slice as a tile of a shorter `K`, whose
//! operands start at the slice's first k-tile. At the end the other teams
//! leave their accumulators in their own stages and team 0 adds them before its epilogue
//! ([`Partials`]).
//!
//! A [`ClaimedTiles`] schedule fixes only a team's first tile: the team claims each later one
//! from a counter a few k-tiles before the end of the one before, and its threads read the
//! claim from shared memory ([`Claims`]).
//!
//! The teams of a [`StreamKRound`] share tiles across blocks: each leaves its piece's sums in
//! a workspace in global memory, and the piece that completes a tile adds them all up and
//! stores it ([`StreamK`]).
//!
//! # Edges
//! The producer sets each work up once ([`copies`]): where the thread's chunks of its first
//! k-tile come from, and how many of its k-tiles lie inside both matrices. Those are copied
//! without any check: one compare per k-tile, one address per thread, the passes a constant
//! number of bytes apart. A row of `A` below `M` only feeds rows of `C` below `M`, a column of
//! `B` right of `N` only columns right of `N`, and those are never stored; so a chunk of `B`
//! right of `N` is read from the same chunk of the tile to the left instead, and a tile at the
//! `N` edge is among those copied without a check. The others take a cold path, which tells two kinds of
//! edge apart:
//!
//! - `M`: a k-tile whole along `K` skips the chunks of `A` below `M` (a predicate per chunk,
//!   set up from the thread's row) and copies the others as an interior k-tile does; the
//!   skipped chunks' stages keep whatever they held.
//! - `K` (the work's last k-tile, where `K` is not a multiple of 64), and an `N` that cuts a
//!   chunk of `B`: every chunk is checked, those outside the matrix are zero-filled by
//!   `cp.async` with a source size of 0, and a chunk that straddles `K` (rows of `A`) or `N`
//!   (rows of `B`) copies only its valid elements: no read outside the caller's buffers, and
//!   the padding along `K`, which every output sums over, holds zeros on both operands (so
//!   that garbage cannot turn into NaN).
//!
//! An edge tile then costs about what an interior one does, which matters most to a
//! persistent grid: it cannot hand an SM that drew slow edge tiles fewer of them, as the
//! hardware does with the blocks of a naive one.
//!
//! The epilogue stores a warp tile by runs of four columns per lane
//! ([`store_runs`](store::store_runs)); at an edge the same code skips the runs outside `C`
//! (a compare per row and per run), so that an edge tile's epilogue is as short as an
//! interior one's. Only where `N` is not a multiple of four, so that it may cut a run, is each
//! element pair checked.

use crate::arch::cp_async;
use crate::arch::mma::MmaInput;
use crate::arch::{smem, sync, thread, warp};
use crate::epilogue::Output;
use crate::mma_layout::A_ROW_CHUNKS;
use crate::params::{GemmParams, ParamSpace};
#[cfg(doc)]
use crate::schedule::{ClaimedTiles, PersistentTeams, StreamKRound, Work, team_slot};
use crate::schedule::{Share, WorkScheduler};
#[cfg(doc)]
use crate::shapes::MmaShape;
use crate::shapes::{MMA_BLOCK_K, MMA_WARP_M, MMA_WARP_N};
use crate::{swizzle, unroll};
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
        // `KTileCopy`: every thread copies the same whole number of chunks, a pass of
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
        let thread = Self::thread_of::<G>(t);
        if G::TEAMS == 1 {
            return Team {
                index: 0,
                count: 1,
                thread,
            };
        }
        Team {
            index: Self::index_of::<G>(t),
            count: thread::block_dim_x() / G::THREADS,
            thread,
        }
    }

    /// The index of the team of the block's thread `t`, broadcast from lane 0 so that ptxas
    /// knows it is the same on the whole warp.
    #[inline(always)]
    fn index_of<G: Tiling>(t: u32) -> u32 {
        if G::TEAMS == 1 {
            0
        } else {
            warp::broadcast(t / G::THREADS)
        }
    }

    /// The index within its team of the block's thread `t`.
    #[inline(always)]
    fn thread_of<G: Tiling>(t: u32) -> u32 {
        if G::TEAMS == 1 { t } else { t % G::THREADS }
    }

    /// This thread's index within its team, read again: for code the k-loop reaches once per
    /// tile or at an edge, which would otherwise hold the index in a register through it.
    #[inline(always)]
    fn thread_again<G: Tiling>() -> u32 {
        Self::thread_of::<G>(thread::index_x_again())
    }

    /// The index of this thread's team, read again (see [`Team::thread_again`]).
    #[inline(always)]
    fn index_again<G: Tiling>() -> u32 {
        if G::TEAMS == 1 {
            0
        } else {
            Self::index_of::<G>(thread::index_x_again())
        }
    }

    /// Offset of this team's stages from the start of the block's shared memory.
    #[inline(always)]
    fn stages<G: Tiling>(&self) -> u32 {
        Self::stages_of::<G>(self.index)
    }

    /// Offset of team `index`'s stages from the start of the block's shared memory.
    #[inline(always)]
    fn stages_of<G: Tiling>(index: u32) -> u32 {
        index * G::STAGES * G::STAGE_BYTES
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

/// The k-tiles of the team's next work ([`WorkScheduler::next_k_tiles`]), the trip count of
/// the k-loop. On a persistent grid it is broadcast from lane 0: it is the same on every lane,
/// but ptxas cannot prove it through the tile order's divisions (or the team index), and takes
/// the k-loop for divergent. Told so, it keeps the loop's bookkeeping (stages, k-tile
/// counters) in uniform registers; otherwise it spends vector registers on them and
/// recomputes the consumer's shared-memory addresses in every k-tile to make room. A naive
/// grid's count is uniform to ptxas already, and its k-loop is longer with the broadcast.
#[inline(always)]
fn next_k_tiles<W: WorkScheduler>(tiles: &W) -> Option<u32> {
    if !W::PERSISTENT {
        return tiles.next_k_tiles();
    }
    let k_tiles = warp::broadcast(tiles.next_k_tiles().unwrap_or(0));
    (k_tiles != 0).then_some(k_tiles)
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

/// One thread's accumulators: `MI × NI` m16n8 tiles of four.
type Accumulators = [[[f32; 4]; NI]; MI];

mod claims;
mod copies;
mod fragments;
mod partials;
mod store;
mod stream_k;

use claims::Claims;
use copies::Copies;
use fragments::{Reads, mma};
use partials::Partials;
use store::store;
use stream_k::StreamK;

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
        // The other schedulers take the grid size from its special register: read from the
        // parameters, it cost the 128 × 256 persistent k-loop three instructions.
        if W::TAIL {
            p.round_blocks
        } else {
            thread::grid_dim_x()
        },
        team.index,
        team.count,
    );
    // The consumer's copy of the scheduler is read at each epilogue, not before the k-loop:
    // registers are tight (128 accumulators, two fragment sets), and this way no tile
    // coordinates stay live through the k-loop, only its trip count.
    let mut tiles = schedule;
    let Some(mut k_count) = next_k_tiles(&tiles) else {
        return;
    };
    let (t, lane) = (team.thread, thread::lane_id());
    let warp_of = |t: u32| (t / 32 / G::WARPS_N, t / 32 % G::WARPS_N);
    let (warp_m, warp_n) = warp_of(t);
    let mut copies = Copies::<W, G>::new(p, schedule, t, stages);
    // Works the consumer has stored, and whether this thread claims the team's works (claimed
    // schedules only). A predicate held through the k-loop: read there, the thread index
    // costs a special-register read per k-tile.
    let mut done = 0u32;
    let claimer = W::CLAIMED && t == 0;
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
                    if claimer && k_count == Claims::ahead::<G>() {
                        hint::cold_path();
                        // SAFETY: the host passes the counter; the reads follow (see `Claims`).
                        unsafe { Claims::claim::<W, G>(&p, &tiles, team.index, done + 1) };
                    }
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
        let stored = match work.share {
            Share::Whole => Some(work.tile),
            Share::Teams => {
                // Work shared within the block is a team's last.
                if team.index != 0 {
                    unsafe { Partials::hand_over::<G>(team, &r_acc) };
                    return;
                }
                unsafe { Partials::add::<G>(team, &mut r_acc) };
                Some(work.tile)
            }
            // The tile from the piece once complete: not held through the stores of the sums.
            Share::StreamK(piece) => unsafe { StreamK::add::<G>(&p, team, piece, &mut r_acc) },
        };
        if let Some(tile) = stored {
            // A stream-K kernel's schedule holds more through the k-loop: it reads the warp's
            // place again here rather than keep it in two registers (which would spill).
            let (warp_m, warp_n) = if W::STREAM_K {
                warp_of(Team::thread_again::<G>())
            } else {
                (warp_m, warp_n)
            };
            let origin = (
                tile.m * G::BM + warp_m * MMA_WARP_M,
                tile.n * G::BN + warp_n * MMA_WARP_N,
            );
            let [_, _, c] = p.batch_operands(tile.batch, 2, core::mem::size_of::<Out>() as u64);
            unsafe { store::<Out>(&p, c, origin, lane, &r_acc) };
        }
        if W::CLAIMED {
            done += 1;
            // SAFETY: claimed in the work just stored, `Claims::ahead` k-tiles before its end.
            tiles.claimed(unsafe { Claims::read(team.index, done) });
        }
        match next_k_tiles(&tiles) {
            Some(next) => k_count = next,
            None => return,
        }
    }
}

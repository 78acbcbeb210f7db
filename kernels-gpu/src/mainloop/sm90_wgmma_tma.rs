//! Hopper GEMM (sm_90a): TMA loads into a ring of shared-memory stages, `wgmma` straight from
//! shared memory, warp-specialised producer and consumers; any [`TileScheduler`].
//!
//! `C = alpha · A · B + beta · C` for every problem of a batch: `A` (`M × K`) and `B` (`K × N`)
//! each row- or column-major ([`OperandLayouts`], a compile-time choice: TMA loads either
//! order untransposed and `wgmma` reads either), 16-bit inputs ([`Operand`]: bf16 or f16), f32
//! accumulation, row-major `C` of [`Output`] (bf16, f16 or f32). The tensor maps are 3-D, the
//! third dimension the batch.

//!
//! # Thread mapping
//! 384 threads, three warpgroups, one [`Role`] each:
//! - warpgroup 0, the **producer**, gives registers back (`setmaxnreg.dec` to 40); its thread 0
//!   walks the block's tiles and their k-blocks and, per k-block, waits for the next stage to
//!   be empty, announces the stage's bytes on its `full` barrier and issues the TMA loads
//!   (the boxes of each operand's [`StageTile`]). Its other threads have nothing to do.
//! - warpgroups 1 and 2, the **consumers**, take the registers (`setmaxnreg.inc` to 232:
//!   128 · 40 + 256 · 232 ≤ 64 K) and run the mainloop below, then the epilogue, for the
//!   tiles their [`Schedule`] gives them.
//!
//! # Mainloop (one consumer, one tile)
//! Per k-block: wait for `full`, `wgmma.fence`, four k16 `wgmma`s, commit, then
//! `wait_group 1`: the previous k-block's group has finished, so its stage is released to the
//! producer while this k-block's MMAs run. The first `wgmma` of a tile has `scale-d = 0`: it
//! overwrites the accumulators instead of adding to them.
//!
//! # Epilogue
//! When the host could describe `C` with a tensor map (`GemmParams::store_with_tma`), each
//! consumer writes its results through shared memory and TMA ([`store_with_tma`]): it fills one
//! of its 8 KiB epilogue buffers (`Sm90Config::epilogue_buffers`) with a `64 × 128`-byte
//! piece, one thread issues a TMA store of it, and the consumer moves on; it waits only when
//! it comes back to a buffer whose store is still reading it. The stores so drain while the consumer's next mainloop runs,
//! instead of holding both consumers (in the cooperative schedule: the whole block's tensor
//! cores) for the thousands of scattered 4-byte global stores that the accumulator layout
//! would otherwise need; TMA also clips the edges. Otherwise (`C`'s start, row length, rows or
//! batch stride not 16-byte aligned) the consumer stores pairs straight from registers
//! ([`store`]).
//!
//! # Tiling
//! Set by the [`Schedule`]: [`Cooperative`] (128 × 256 tile, each consumer 64 × 256) or
//! [`PingPong`] (128 × 128 tile per consumer, the two alternating). Either way a consumer
//! holds 128 f32 accumulators per thread, as two halves of 64 registers ([`Accumulators`]).
//!
//! # Persistence
//! Producer and consumers each build the block's scheduler from the same block index and grid
//! and so walk the same tiles; the ring does not drain between tiles, so the producer fetches
//! the next tile's first stages while the consumers finish the current one.
//!
//! # Clusters
//! With a [`Clustered`](crate::schedule::Clustered) scheduler (`S::CLUSTER_M = c > 1`), the
//! `c` blocks of a cluster compute vertically adjacent tiles of one tile column, in step, and
//! share its `B` tiles: per k-block, the producer of rank `r` loads its own `A` tile and the
//! `r`-th `c`-th of the boxes of `B`, multicast to every block of the cluster. Each block's
//! `full` barrier still expects the whole stage; its `empty` barrier counts the readers of all
//! `c` blocks (see `sm90_pipeline`, "Clusters"). Two cluster barriers bracket the kernel:
//! - after the barriers are initialised, before any copy or remote arrival can reach them;
//! - before exit, so that no block leaves while a peer may still multicast into its shared
//!   memory or arrive on its barriers (a block's last arrivals on its peers' `empty` come
//!   after its own last `full` wait).
//!
//! A block whose tile lies entirely below the matrix (the last cluster row when `tiles_m` is
//! not a multiple of `c`) walks the same k-blocks as its peers: its `A` boxes are entirely out
//! of bounds, so TMA fills them with zeros and still counts their bytes (as it does for the
//! `B` boxes past `N` of narrow matrices, without clusters too), and the epilogue stores
//! nothing of it (it masks rows `≥ M`).

use crate::arch::wgmma::{self, Operand};
use crate::arch::{cluster, sync, thread, warpgroup};
use crate::epilogue::{LinearCombination, Output};
use crate::mainloop::sm90_pipeline::Ring;
use crate::params::{GemmParams, ParamSpace};
use crate::schedule::{TileScheduler, WorkTile};
use crate::shapes::{WGMMA_COOPERATIVE, WGMMA_PINGPONG};
use crate::sm90_layout::{
    BK, EPILOGUE_BUFFER_BYTES, EPILOGUE_ROWS, MMA_K, MMA_M, Major, OperandLayouts, PipelineState,
    ROW_BYTES, Sm90Config, StageTile, epilogue_offset,
};
use crate::{arch::tma, unroll};

/// A consumer's accumulators: 128 f32 per thread as two halves, each the 64 registers of a
/// `m64n128k16` result (in [`Cooperative`] the two halves of one `m64n256k16` result).
pub type Accumulators = [[f32; 64]; 2];

/// Registers per thread for the producer and the consumers after `setmaxnreg`.
const PRODUCER_REGISTERS: u32 = 40;
const CONSUMER_REGISTERS: u32 = 232;

/// How the two consumer warpgroups share the work: the tile shape, who computes which tile,
/// and which `wgmma`s cover a consumer's part of it.
pub trait Schedule {
    const CONFIG: Sm90Config;
    /// Consumer warpgroups that read every stage.
    const READERS: u32;

    /// Whether consumer `c` (0 or 1) computes the `j`-th tile of the block's sequence.
    fn owns(c: u32, j: u32) -> bool;

    /// Consumer `c`'s `wgmma`s for k16 slice `kk` of the stage whose tiles are at shared
    /// addresses `a` and `b`, stored as `L` says.
    ///
    /// # Safety
    /// Warpgroup-uniform, inside the mainloop (the stage is full, `wgmma.fence` issued).
    unsafe fn mma<T: Operand, L: OperandLayouts>(
        acc: &mut Accumulators,
        a: u32,
        b: u32,
        c: u32,
        kk: u32,
        scale_d: bool,
    );

    /// Where half `h` of consumer `c`'s accumulators lies in the tile: `(row, column)` of its
    /// top-left element.
    fn half_origin(c: u32, h: u32) -> (u32, u32);

    /// Called by consumer `c` before its mainloop on tile `j`.
    fn before_mainloop(c: u32, j: u32);

    /// Called by consumer `c` once its mainloop has waited for its last stage and issued its
    /// last MMAs (they may still be running); `next`: the block has a tile after this one.
    fn after_mainloop(c: u32, next: bool);
}

/// The stage tiles of `A` and `B` of schedule `Sch` stored as `L` says.
#[inline(always)]
const fn stage_tiles<Sch: Schedule, L: OperandLayouts>() -> (StageTile, StageTile) {
    (Sch::CONFIG.a_tile(L::A), Sch::CONFIG.b_tile(L::B))
}

/// `T::$mma(…)` with the `imm-trans` of the layouts `L`: immediates in the instruction, so one
/// arm per combination, of which the compiler keeps the one `L` names.
macro_rules! wgmma_as {
    ($l:ty, $t:ident :: $mma:ident ($($arg:expr),*)) => {
        match (<$l>::A, <$l>::B) {
            (Major::K, Major::MN) => $t::$mma::<0, 1>($($arg),*),
            (Major::K, Major::K) => $t::$mma::<0, 0>($($arg),*),
            (Major::MN, Major::MN) => $t::$mma::<1, 1>($($arg),*),
            (Major::MN, Major::K) => $t::$mma::<1, 0>($($arg),*),
        }
    };
}

/// Both consumers on every tile: 128 × 256, consumer `c` computes rows `64c ..` with one
/// `m64n256k16` per k16 slice. Both read every stage.
pub struct Cooperative;

impl Schedule for Cooperative {
    const CONFIG: Sm90Config = WGMMA_COOPERATIVE;
    const READERS: u32 = 2;

    #[inline(always)]
    fn owns(_c: u32, _j: u32) -> bool {
        true
    }

    #[inline(always)]
    unsafe fn mma<T: Operand, L: OperandLayouts>(
        acc: &mut Accumulators,
        a: u32,
        b: u32,
        c: u32,
        kk: u32,
        scale_d: bool,
    ) {
        // SAFETY: `[[f32; 64]; 2]` and `[f32; 128]` have the same layout; registers 0..64 of
        // the n256 result are columns 0..128, registers 64..128 columns 128..256.
        let d = unsafe { &mut *(acc as *mut Accumulators as *mut [f32; 128]) };
        let (a_tile, b_tile) = stage_tiles::<Self, L>();
        let (a, b) = (
            a_tile.descriptor(a, c * MMA_M, kk),
            b_tile.descriptor(b, 0, kk),
        );
        unsafe { wgmma_as!(L, T::mma_m64n256k16(d, a, b, scale_d)) };
    }

    #[inline(always)]
    fn half_origin(c: u32, h: u32) -> (u32, u32) {
        (c * MMA_M, h * 128)
    }

    #[inline(always)]
    fn before_mainloop(_c: u32, _j: u32) {}

    #[inline(always)]
    fn after_mainloop(_c: u32, _next: bool) {}
}

/// Consumers alternate tiles: consumer `c` computes tiles `j ≡ c (mod 2)` of the block's
/// sequence, 128 × 128 each as two `m64n128k16` (rows 0..64 and 64..128) per k16 slice.
///
/// Their mainloops take turns, handed over with named barriers `1 + c` ("consumer `c` may
/// start"): after its last `full` wait a consumer lets the other start and goes on to its
/// epilogue, which overlaps the other's MMAs. The turn-taking is also what makes the other
/// consumer's parity waits sound: every `full` phase of tile `j` has completed before tile
/// `j + 1`'s consumer starts waiting (see `sm90_pipeline`).
pub struct PingPong;

/// Named barrier "consumer `c` may start": 1 + c (0 is `bar.sync 0`), for both consumers'
/// threads. Immediate ids (hence the `if`s below) let ptxas see that only barriers 0..3 are
/// used.
const TURN_THREADS: u32 = 2 * warpgroup::THREADS;

impl Schedule for PingPong {
    const CONFIG: Sm90Config = WGMMA_PINGPONG;
    const READERS: u32 = 1;

    #[inline(always)]
    fn owns(c: u32, j: u32) -> bool {
        j % 2 == c
    }

    #[inline(always)]
    unsafe fn mma<T: Operand, L: OperandLayouts>(
        acc: &mut Accumulators,
        a: u32,
        b: u32,
        _c: u32,
        kk: u32,
        scale_d: bool,
    ) {
        let (a_tile, b_tile) = stage_tiles::<Self, L>();
        let b = b_tile.descriptor(b, 0, kk);
        unroll!(H in 0..2 => {
            let a = a_tile.descriptor(a, H as u32 * MMA_M, kk);
            unsafe { wgmma_as!(L, T::mma_m64n128k16(&mut acc[H], a, b, scale_d)) };
        });
    }

    #[inline(always)]
    fn half_origin(_c: u32, h: u32) -> (u32, u32) {
        (h * MMA_M, 0)
    }

    #[inline(always)]
    fn before_mainloop(c: u32, j: u32) {
        // Tile 0 starts at once; tile j > 0 after the other consumer's turn on tile j - 1.
        if j > 0 {
            if c == 0 {
                sync::named(1, TURN_THREADS);
            } else {
                sync::named(2, TURN_THREADS);
            }
        }
    }

    #[inline(always)]
    fn after_mainloop(c: u32, next: bool) {
        // Only when the other consumer has a tile to wait for: no dangling arrivals.
        if next {
            if c == 0 {
                sync::named_arrive(2, TURN_THREADS);
            } else {
                sync::named_arrive(1, TURN_THREADS);
            }
        }
    }
}

/// What a warpgroup does.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Producer,
    /// Consumer 0 or 1.
    Consumer(u32),
}

impl Role {
    #[inline(always)]
    fn of(warpgroup: u32) -> Role {
        match warpgroup {
            0 => Role::Producer,
            w => Role::Consumer(w - 1),
        }
    }
}

/// The kernel body.
///
/// # Safety
/// Launched with 384 threads, `Sch::CONFIG.smem_bytes()` of dynamic shared memory and launch
/// bounds `.maxntid 384, .minnctapersm 1`, on validated parameters whose `tensor_maps` hold
/// the `A` and `B` tensor maps the host encoded for this kernel (`host/src/tensor_map.rs`).
#[inline(always)]
pub unsafe fn gemm<Sch: Schedule, S: TileScheduler, T: Operand, O: Output, L: OperandLayouts>(
    p: &GemmParams,
    at: ParamSpace,
) {
    let clustered = S::CLUSTER_M > 1;
    // A launch whose clusters do not match the scheduler's would pair the wrong blocks (or
    // multicast to blocks that do not exist): fail it instead.
    if clustered
        && (cluster::size() != S::CLUSTER_M
            || cluster::rank() != thread::block_index_x() % S::CLUSTER_M)
    {
        crate::arch::trap();
    }
    let ring = unsafe { Ring::new(Sch::CONFIG, S::CLUSTER_M) };
    if thread::index_x() == 0 {
        unsafe { ring.init(Sch::READERS * warpgroup::THREADS / 32) };
    }
    if clustered {
        // Peers multicast into this block's stages and arrive on its barriers: all of the
        // cluster's barriers must be initialised (and fenced, in `init`) first.
        cluster::sync();
    } else {
        sync::threads();
    }

    let tile = Sch::CONFIG.tile;
    let grid = p.tile_grid(tile.block_m, tile.block_n);
    let tiles = S::new(grid, thread::block_index_x(), thread::grid_dim_x());
    match Role::of(warpgroup::index()) {
        Role::Producer => {
            unsafe { warpgroup::decrease_registers::<PRODUCER_REGISTERS>() };
            if warpgroup::thread_index() == 0 {
                unsafe { produce::<Sch, S, L>(p, at, &ring, tiles) };
            }
        }
        Role::Consumer(c) => {
            unsafe { warpgroup::increase_registers::<CONSUMER_REGISTERS>() };
            unsafe { consume::<Sch, S, T, O, L>(p, at, &ring, tiles, c) };
        }
    }
    if clustered {
        // Stay resident until every block of the cluster is done: its consumers' last
        // `empty` arrivals may target this block, and (before its consumers' last `full`
        // waits) so may its producer's copies. Every thread of the block gets here.
        cluster::sync();
    }
}

/// The producer thread: every k-block of every tile of the block, in order.
#[inline(always)]
unsafe fn produce<Sch: Schedule, S: TileScheduler, L: OperandLayouts>(
    p: &GemmParams,
    at: ParamSpace,
    ring: &Ring,
    mut tiles: S,
) {
    let (map_a, map_b) = (at.tensor_map(0), at.tensor_map(1));
    unsafe {
        tma::prefetch_descriptor(map_a);
        tma::prefetch_descriptor(map_b);
    }
    let tile = Sch::CONFIG.tile;
    let k_blocks = p.k.div_ceil(BK);
    let (a_tile, b_tile) = stage_tiles::<Sch, L>();
    // This block's share of each stage's `B` boxes, and the blocks they are multicast to
    // (module docs, "Clusters").
    let split = S::CLUSTER_M;
    const { assert!(stage_tiles::<Sch, L>().1.boxes(S::CLUSTER_M) % S::CLUSTER_M == 0) };
    let boxes = b_tile.boxes(split) / split;
    let first_box = if split > 1 {
        cluster::rank() * boxes
    } else {
        0
    };
    let everyone = ((1u32 << split) - 1) as u16;
    let mut state = PipelineState::new(Sch::CONFIG.stages);
    while let Some(t) = tiles.next() {
        let (m0, n0) = (t.m * tile.block_m, t.n * tile.block_n);
        // A broadcast operand (batch stride 0) has a batch of one in its tensor map.
        let batch_a = if p.batch_stride_a == 0 {
            0
        } else {
            t.batch as i32
        };
        let batch_b = if p.batch_stride_b == 0 {
            0
        } else {
            t.batch as i32
        };
        for kb in 0..k_blocks {
            let k0 = kb * BK;
            let (a, b) = (ring.a(state.stage), ring.b(state.stage));
            unsafe {
                let full = ring.acquire_empty(&state);
                for j in 0..a_tile.boxes(1) {
                    let (x, y) = a_tile.box_coordinates(j, 1, m0, k0);
                    tma::load_3d(a + a_tile.box_offset(j, 1), map_a, full, (x, y, batch_a));
                }
                for j in first_box..first_box + boxes {
                    let dst = b + b_tile.box_offset(j, split);
                    let (x, y) = b_tile.box_coordinates(j, split, n0, k0);
                    if split > 1 {
                        tma::load_3d_multicast(dst, map_b, full, (x, y, batch_b), everyone);
                    } else {
                        tma::load_3d(dst, map_b, full, (x, y, batch_b));
                    }
                }
            }
            state.advance();
        }
    }
}

/// A consumer warpgroup: the mainloop and epilogue of each tile it owns.
#[inline(always)]
unsafe fn consume<Sch: Schedule, S: TileScheduler, T: Operand, O: Output, L: OperandLayouts>(
    p: &GemmParams,
    at: ParamSpace,
    ring: &Ring,
    mut tiles: S,
    c: u32,
) {
    let k_blocks = p.k.div_ceil(BK);
    let mut state = PipelineState::new(Sch::CONFIG.stages);
    let mut pieces = EpiloguePieces {
        map: at.tensor_map(2),
        first: ring.epilogue(c, 0),
        issued: 0,
    };
    let mut tile = tiles.next();
    let mut j = 0;
    while let Some(t) = tile {
        let next = tiles.next();
        if Sch::owns(c, j) {
            Sch::before_mainloop(c, j);
            let mut r_acc: Accumulators = [[0.0; 64]; 2]; // never read: scale-d = 0 first
            unsafe {
                mainloop::<Sch, T, L>(ring, &mut state, k_blocks, c, next.is_some(), &mut r_acc)
            };
            if p.store_with_tma != 0 {
                // Two copies of the piece loop: with `beta = 0` (the common case) it reads
                // nothing and has no per-element branches.
                if p.beta == 0.0 {
                    unsafe { store_with_tma::<Sch, O, false>(p, t, c, &r_acc, &mut pieces) };
                } else {
                    unsafe { store_with_tma::<Sch, O, true>(p, t, c, &r_acc, &mut pieces) };
                }
            } else {
                unsafe { store::<Sch, O>(p, t, c, &r_acc) };
            }
        } else {
            state.skip(k_blocks);
        }
        tile = next;
        j += 1;
    }
    if warpgroup::thread_index() == 0 && pieces.issued > 0 {
        // The stores read this block's shared memory and must be complete before it exits.
        tma::wait_all();
    }
}

/// One tile's k-loop for consumer `c` (module docs, "Mainloop").
#[inline(always)]
unsafe fn mainloop<Sch: Schedule, T: Operand, L: OperandLayouts>(
    ring: &Ring,
    state: &mut PipelineState,
    k_blocks: u32,
    c: u32,
    next: bool,
    r_acc: &mut Accumulators,
) {
    let mut previous = state.stage;
    for kb in 0..k_blocks {
        let stage = state.stage;
        unsafe { ring.wait_full(state) };
        wgmma::fence();
        unroll!(KK in 0..4 => {
            let scale_d = kb != 0 || KK != 0;
            unsafe { Sch::mma::<T, L>(r_acc, ring.a(stage), ring.b(stage), c, KK as u32, scale_d) };
        });
        wgmma::commit_group();
        if kb + 1 == k_blocks {
            // Every `full` wait of this tile is behind us and its last MMAs are issued: the
            // other consumer may start issuing while these drain.
            Sch::after_mainloop(c, next);
        }
        // The previous k-block's group is done: its stage may be refilled.
        wgmma::wait_group::<1>();
        if kb > 0 {
            unsafe { ring.release(previous) };
        }
        previous = stage;
        state.advance();
    }
    wgmma::wait_group::<0>();
    wgmma::fence_operands(&mut r_acc[0]);
    wgmma::fence_operands(&mut r_acc[1]);
    unsafe { ring.release(previous) };
}

/// The epilogue for a `C` that TMA cannot address: `alpha · acc + beta · C` to `C`, straight
/// from the accumulator layout (each thread stores pairs of adjacent columns).
#[inline(always)]
unsafe fn store<Sch: Schedule, O: Output>(
    p: &GemmParams,
    t: WorkTile,
    c: u32,
    r_acc: &Accumulators,
) {
    let epilogue = LinearCombination {
        alpha: p.alpha,
        beta: p.beta,
    };
    let tile = Sch::CONFIG.tile;
    let thread = warpgroup::thread_index();
    let size = core::mem::size_of::<O>() as u64;
    let [_, _, g_c] = p.batch_operands(t.batch, 2, size);
    // Two adjacent columns go as one access when every row keeps them aligned to its size.
    let pairs = p.ldc.is_multiple_of(2) && g_c.is_multiple_of(2 * size);
    let g_c = g_c as *mut O;
    unroll!(H in 0..2 => {
        let (r0, c0) = Sch::half_origin(c, H as u32);
        let (row0, col0) = (t.m * tile.block_m + r0, t.n * tile.block_n + c0);
        unroll!(CHUNK in 0..16 => {
            unroll!(ROWS in 0..2 => {
                // Registers `reg`, `reg + 1`: one row, two adjacent columns.
                let reg = CHUNK * 4 + ROWS * 2;
                let (row, col) = wgmma::accumulator_position(thread, reg as u32);
                let v = [r_acc[H][reg], r_acc[H][reg + 1]];
                unsafe {
                    epilogue.store_pair(g_c, p.ldc, (p.m, p.n), (row0 + row, col0 + col), v, pairs)
                };
            });
        });
    });
}

/// A consumer's TMA stores in flight: the first of its adjacent epilogue buffers
/// (`sm90_layout`, "Stage ring and epilogue buffers") and how many pieces it has issued
/// (piece `i` uses buffer `i % epilogue_buffers`).
struct EpiloguePieces {
    map: u64,
    first: u32,
    issued: u32,
}

/// Named barrier of consumer `c`'s own 128 threads (1 and 2 are the ping-pong turns).
#[inline(always)]
fn consumer_barrier(c: u32) {
    if c == 0 {
        sync::named(3, warpgroup::THREADS);
    } else {
        sync::named(4, warpgroup::THREADS);
    }
}

/// The epilogue through shared memory: `alpha · acc + beta · C` (converted to `O`) is written,
/// piece by piece, into the consumer's epilogue buffers, and one thread has TMA store each
/// piece to `C` (which clips rows and columns outside the matrix). The consumer goes on to its
/// next tile as soon as its last piece is issued: the stores drain while its next mainloop
/// runs.
///
/// A piece is `64` rows × `128` bytes of one accumulator half (64 × 128 elements):
/// `128 / size_of::<O>()` columns, so 2 pieces per half for 16-bit outputs, 4 for f32.
/// Per piece:
/// 1. thread 0 waits until the store that last used this buffer has read it (at most
///    `epilogue_buffers - 1` stores still reading), and a consumer barrier tells everyone
///    that the buffer is free;
/// 2. every thread writes its pairs (swizzled: conflict-free), then fences its writes for the
///    async proxy;
/// 3. after a second barrier, thread 0 issues the store and commits it.
///
/// `READ_C`: `beta != 0`, so the old `C` is read (masked at the edges) and combined.
#[inline(always)]
unsafe fn store_with_tma<Sch: Schedule, O: Output, const READ_C: bool>(
    p: &GemmParams,
    t: WorkTile,
    c: u32,
    r_acc: &Accumulators,
    pieces: &mut EpiloguePieces,
) {
    let epilogue = LinearCombination {
        alpha: p.alpha,
        beta: p.beta,
    };
    let tile = Sch::CONFIG.tile;
    let thread = warpgroup::thread_index();
    let size = core::mem::size_of::<O>() as u32;
    let [_, _, g_c] = p.batch_operands(t.batch, 2, size as u64);
    let g_c = g_c as *const O;
    // Columns per piece (`ROW_BYTES / size`): so a half has `size` pieces of `16 / size`
    // 8-column accumulator chunks (4 registers each). Unrolled: register indices must be
    // constants.
    let width = ROW_BYTES / size;
    unroll!(H in 0..2 => {
        let (r0, c0) = Sch::half_origin(c, H as u32);
        let (row0, col0) = (t.m * tile.block_m + r0, t.n * tile.block_n + c0);
        unroll!(PIECE in 0..core::mem::size_of::<O>() => {
            let buffers = Sch::CONFIG.epilogue_buffers;
            let buffer = pieces.first + (pieces.issued % buffers) * EPILOGUE_BUFFER_BYTES;
            if thread == 0 {
                // The store that last used this buffer is done reading it.
                match buffers {
                    2 => tma::wait_read::<1>(),
                    _ => tma::wait_read::<3>(),
                }
            }
            consumer_barrier(c);
            unroll!(CHUNK in 0..16 / core::mem::size_of::<O>() => {
                unroll!(R in 0..2 => {
                    // Registers `reg`, `reg + 1`: one row, two adjacent columns.
                    let reg = (PIECE * (16 / core::mem::size_of::<O>()) + CHUNK) * 4 + R * 2;
                    let (row, col) = wgmma::accumulator_position(thread, reg as u32);
                    let acc = [r_acc[H][reg], r_acc[H][reg + 1]];
                    let at = (row0 + row, col0 + col);
                    let v = if READ_C {
                        unsafe { epilogue.combine_pair(g_c, p.ldc, (p.m, p.n), at, acc) }
                    } else {
                        acc.map(|x| p.alpha * x)
                    };
                    let byte = (col - PIECE as u32 * width) * size;
                    unsafe { O::store2_shared(buffer + epilogue_offset(row, byte), v) };
                });
            });
            tma::fence_proxy_async_shared();
            consumer_barrier(c);
            if thread == 0 {
                let at = ((col0 + PIECE as u32 * width) as i32, row0 as i32, t.batch as i32);
                unsafe { tma::store_3d(pieces.map, buffer, at) };
                tma::commit();
            }
            pieces.issued += 1;
        });
    });
}

const _: () = {
    assert!(EPILOGUE_ROWS == MMA_M);
    let configs = [WGMMA_COOPERATIVE, WGMMA_PINGPONG];
    let mut i = 0;
    while i < configs.len() {
        // Adjacent buffers per consumer, and a count `store_with_tma` has a wait for.
        let cfg = configs[i];
        assert!(cfg.epilogue(0, 1) == cfg.epilogue(0, 0) + EPILOGUE_BUFFER_BYTES);
        assert!(cfg.epilogue_buffers == 2 || cfg.epilogue_buffers == 4);
        i += 1;
    }
};

// The mainloop unrolls four k16 slices per k-block.
const _: () = assert!(BK == 4 * MMA_K);

//! Tiled fp32 SIMT GEMM: block tile, warp tile, per-thread register tile, double-buffered
//! shared memory.
//!
//! # Tiling
//! Block tile 128 × 128 × 8 ([`SIMT_F32`]). Eight warps in a 2 (M) × 4 (N) arrangement, each
//! owning a 64 × 32 warp tile; a warp's 32 lanes form an 8 × 4 grid, and lane `(lm, ln)` owns
//! rows `{lm·4 .. +4, lm·4 + 32 .. +4}` and columns `{ln·4 .. +4, ln·4 + 16 .. +4}` of it:
//! 8 × 8 accumulators in registers, fed by 16-byte shared-memory reads.
//!
//! # Thread mapping of the loads
//! Per k-step of 8, each thread loads one 16-byte group of `A` (row `t / 2`, columns
//! `(t % 2)·4 ..`) and one of `B` (row `t / 32`, columns `(t % 32)·4 ..`): a warp reads whole
//! 32-byte sectors of `A` and 512 contiguous bytes of `B`. All loads are `cp.async`
//! (sm_80+), which holds no register while in flight: `B` lands directly in its stage (its
//! shared layout is its global layout), `A` in a per-thread landing slot from which the thread
//! writes it transposed once it has arrived. That leaves the 8 × 8 accumulators and the
//! fragments the registers under the 128-per-thread cap that two blocks per SM impose.
//!
//! # Shared memory
//! `A` is stored transposed (`s_a[k][m]`) so that the compute loop reads 4 consecutive rows
//! with one 16-byte access. The transposing stores of a warp hit 16 rows × 2 k-offsets
//! (0 and 4); with rows of 128 floats both k-offsets fall in the same bank (2-way conflict).
//! Padding each k-row to 132 floats shifts k-offset 4 by 16 banks: conflict-free, and rows
//! stay 16-byte aligned. Two buffers: the next k-step's global loads are in flight while the
//! current one is multiplied, with one barrier per k-step.
//!
//! # Batches
//! A tile belongs to one problem of the batch (`WorkTile::batch`); its operands are offset by
//! the batch strides. The problem a thread copies from sits in a shared-memory slot of the
//! thread (`Mainloop::set_batch`) and is read back at every copy: in a register it would be
//! live through the k-loop, and the batch's operand addresses computed from it were hoisted
//! out of the loop and spilled at the 128-register cap. That read costs a few percent (the
//! copies wait for it), so the entries for one problem are compiled without it (`BATCHED`).
//!
//! # Persistence
//! The same code runs on both grids: a block takes tiles from its scheduler until there are
//! none. When it has a next tile, that tile's first copies are issued in the middle of the
//! current tile's epilogue, so they are in flight while its results are stored; `cp.async`
//! holds no registers while in flight. Issuing them earlier, inside the last k-step, was
//! measured 10% slower on an H100: the branch in the k-loop made ptxas schedule the unrolled
//! k-step worse. On a naive grid a block never has a next tile.
use crate::arch::{cp_async, smem, sync, thread};
use crate::epilogue::LinearCombination;
use crate::params::{GemmParams, ParamSpace};
use crate::schedule::{TileScheduler, WorkTile};
use crate::shapes::{SIMT_F32, SIMT_F32_A_PAD, SIMT_F32_SMEM_BYTES};
use crate::unroll;

const BM: usize = SIMT_F32.block_m as usize;
const BN: usize = SIMT_F32.block_n as usize;
const BK: usize = SIMT_F32.block_k as usize;
const A_ROW: usize = BM + SIMT_F32_A_PAD as usize;
const THREADS: usize = SIMT_F32.threads as usize;

/// 16 bytes of floats: loads and stores of this type are single vector accesses.
#[repr(C, align(16))]
#[derive(Clone, Copy)]
struct F32x4([f32; 4]);

/// The block's shared memory: two stages of the `A` tile (transposed) and the `B` tile, and
/// the landing slots of the `A` copies, one 16-byte group per thread.
#[repr(C, align(16))]
struct Storage {
    s_a: [[[f32; A_ROW]; BK]; 2],  // (stage, BK, BM + pad)
    s_b: [[[f32; BN]; BK]; 2],     // (stage, BK, BN)
    s_a_landing: [F32x4; THREADS], // (thread)
    s_batch: [u32; THREADS],       // (thread)
}

const _: () = assert!(core::mem::size_of::<Storage>() == SIMT_F32_SMEM_BYTES as usize);

/// Starts copying the 4-float group `row[col .. col + 4]` to shared address `dst`; elements at
/// or past `limit`, and all of them when `!row_ok`, are zero-filled.
///
/// `VECTOR`: the row start and `col` keep the group 16-byte aligned, so it is one 16-byte
/// copy (partial at the edge); otherwise four 4-byte copies.
#[inline(always)]
unsafe fn copy_group<const VECTOR: bool>(
    dst: u32,
    row: *const f32,
    col: u32,
    limit: u32,
    row_ok: bool,
) {
    let valid = if row_ok {
        limit.saturating_sub(col).min(4)
    } else {
        0
    };
    // With nothing to read, the source must still be a valid address: the row start.
    let src = if valid > 0 {
        unsafe { row.add(col as usize) }
    } else {
        row
    };
    if VECTOR {
        unsafe { cp_async::copy_16(dst, src.cast(), valid * 4) };
    } else {
        unroll!(I in 0..4 => {
            let ok = (I as u32) < valid;
            let src = if ok { unsafe { src.add(I) } } else { src };
            unsafe { cp_async::copy_4(dst + 4 * I as u32, src.cast(), if ok { 4 } else { 0 }) };
        });
    }
}

/// The per-thread state of the mainloop. `BATCHED`: the launch has more than one problem
/// (with one, every offset is 0 and the kernel is the plain single-problem one).
struct Mainloop<'p, const BATCHED: bool> {
    p: &'p GemmParams,
    t: u32,
}

impl<const BATCHED: bool> Mainloop<'_, BATCHED> {
    /// Starts the copies of k-step `k0` of `tile`: this thread's group of `B` straight into
    /// `stage` (its shared layout is its global layout), its group of `A` into its landing
    /// slot, to be transposed by [`transpose_a`](Self::transpose_a) once it has arrived.
    #[inline(always)]
    unsafe fn copy<const VECTOR: bool>(
        &self,
        s: *mut Storage,
        stage: usize,
        tile: WorkTile,
        k0: u32,
    ) {
        let p = self.p;
        let (a_row, a_col) = (tile.m * BM as u32 + self.t / 2, k0 + (self.t % 2) * 4);
        let (b_k, b_n) = (self.t / 32, (self.t % 32) * 4);
        let b_row = k0 + b_k;
        let [g_a, g_b, _] = p.batch_operands(unsafe { self.batch(s) }, 4, 4);
        unsafe {
            let a_dst = smem::address(&raw const (*s).s_a_landing[self.t as usize]);
            let a_src = (g_a as *const f32).add(if a_row < p.m {
                a_row as usize * p.lda as usize
            } else {
                0
            });
            copy_group::<VECTOR>(a_dst, a_src, a_col, p.k, a_row < p.m);
            let b_dst = smem::address(&raw const (*s).s_b[stage][b_k as usize][b_n as usize]);
            let b_src = (g_b as *const f32).add(if b_row < p.k {
                b_row as usize * p.ldb as usize
            } else {
                0
            });
            copy_group::<VECTOR>(b_dst, b_src, tile.n * BN as u32 + b_n, p.n, b_row < p.k);
        }
        cp_async::commit();
    }

    /// Records the problem of the batch whose tile this thread copies from now on.
    ///
    /// The problem lives in a shared-memory slot of the thread rather than in a register:
    /// read back at every copy (a volatile load, so it is not hoisted), it costs no register
    /// through the k-loop, where this kernel is at its 128-register cap (kept in registers,
    /// the batch's operand addresses spilled).
    #[inline(always)]
    unsafe fn set_batch(&self, s: *mut Storage, batch: u32) {
        if BATCHED {
            unsafe { (&raw mut (*s).s_batch[self.t as usize]).write_volatile(batch) };
        }
    }

    /// The problem [`set_batch`](Self::set_batch) recorded last (0 without a batch).
    #[inline(always)]
    unsafe fn batch(&self, s: *mut Storage) -> u32 {
        if BATCHED {
            unsafe { (&raw const (*s).s_batch[self.t as usize]).read_volatile() }
        } else {
            0
        }
    }

    /// Waits for this thread's copies, then moves its `A` group from the landing slot into
    /// `stage`, transposed. A barrier must follow before any thread reads `stage`.
    #[inline(always)]
    unsafe fn transpose_a(&self, s: *mut Storage, stage: usize) {
        // A thread's own completed copies are visible to it without a barrier.
        cp_async::wait_group(0);
        let (m, k) = ((self.t / 2) as usize, ((self.t % 2) * 4) as usize);
        let a = unsafe { (*s).s_a_landing[self.t as usize] };
        unroll!(I in 0..4 => {
            unsafe { (*s).s_a[stage][k + I][m] = a.0[I] };
        });
    }

    /// `r_acc += s_a[stage]ᵀ · s_b[stage]` for this thread's 8 × 8 outputs.
    #[inline(always)]
    unsafe fn multiply(&self, s: *const Storage, stage: usize, r_acc: &mut [[f32; 8]; 8]) {
        let (m0, n0) = self.fragment_origin();
        unroll!(KK in 0..8 => {
            let a_row = unsafe { &raw const (*s).s_a[stage][KK] } as *const f32;
            let b_row = unsafe { &raw const (*s).s_b[stage][KK] } as *const f32;
            let mut r_a = [0.0f32; 8];
            let mut r_b = [0.0f32; 8];
            unroll!(HALF in 0..2 => {
                let a = unsafe { *(a_row.add(m0 + HALF * 32) as *const F32x4) };
                let b = unsafe { *(b_row.add(n0 + HALF * 16) as *const F32x4) };
                unroll!(Q in 0..4 => {
                    r_a[HALF * 4 + Q] = a.0[Q];
                    r_b[HALF * 4 + Q] = b.0[Q];
                });
            });
            unroll!(I in 0..8 => {
                unroll!(J in 0..8 => {
                    r_acc[I][J] = core::intrinsics::fmaf32(r_a[I], r_b[J], r_acc[I][J]);
                });
            });
        });
    }

    /// Top-left corner, within the block tile, of this thread's first 4 × 4 sub-tile.
    #[inline(always)]
    fn fragment_origin(&self) -> (usize, usize) {
        let (warp, lane) = ((self.t / 32) as usize, (self.t % 32) as usize);
        let (warp_m, warp_n) = (warp / 4, warp % 4);
        (warp_m * 64 + (lane / 4) * 4, warp_n * 32 + (lane % 4) * 4)
    }

    /// Stores rows `FROM..TO` (of 8) of this thread's outputs.
    #[inline(always)]
    unsafe fn store_rows<const VECTOR: bool, const FROM: usize, const TO: usize>(
        &self,
        tile: WorkTile,
        g_c: u64,
        r_acc: &[[f32; 8]; 8],
    ) {
        let p = self.p;
        let epilogue = LinearCombination {
            alpha: p.alpha,
            beta: p.beta,
        };
        let (m0, n0) = self.fragment_origin();
        unroll!(I in 0..8 => {
            if I >= FROM && I < TO {
                let row = tile.m * BM as u32 + (m0 + (I / 4) * 32 + I % 4) as u32;
                unroll!(HALF in 0..2 => {
                    let col = tile.n * BN as u32 + (n0 + HALF * 16) as u32;
                    let v = [0, 1, 2, 3].map(|q| r_acc[I][HALF * 4 + q]);
                    unsafe { epilogue.store_f32::<VECTOR>(g_c as *mut f32, p.ldc, (p.m, p.n), (row, col), v) };
                });
            }
        });
    }
}

/// The kernel body: `S` hands out tiles, each is computed by the double-buffered mainloop and
/// stored by the epilogue.
///
/// `VECTOR`: `A`, `B`, `C`, their leading dimensions and batch strides are 16-byte aligned, so
/// full 4-float groups move as one access. `BATCHED`: `p.batch` may be above 1 (module docs,
/// "Batches"); without it the launch must have one problem.
///
/// # Safety
/// Launched with [`SIMT_F32`]`.threads` threads and [`SIMT_F32_SMEM_BYTES`] of dynamic shared
/// memory on parameters the host validated.
#[inline(always)]
pub unsafe fn gemm<S: TileScheduler, const VECTOR: bool, const BATCHED: bool>(
    p: &GemmParams,
    _: ParamSpace,
) {
    let s = unsafe { smem::dynamic::<Storage>() };
    let grid = p.tile_grid(SIMT_F32.block_m, SIMT_F32.block_n);
    let mut scheduler = S::new(grid, thread::block_index_x(), thread::grid_dim_x());
    let ml = Mainloop::<BATCHED> {
        p,
        t: thread::index_x(),
    };
    let k_steps = p.k.div_ceil(BK as u32);

    let Some(mut tile) = scheduler.next() else {
        return;
    };
    let mut stage = 0;
    unsafe { ml.set_batch(s, tile.batch) };
    unsafe { ml.copy::<VECTOR>(s, stage, tile, 0) };
    loop {
        unsafe { ml.transpose_a(s, stage) };
        sync::threads();
        let mut r_acc = [[0.0f32; 8]; 8]; // (8 rows, 8 columns) of this thread's outputs
        for ks in 0..k_steps {
            // While k-step `ks` is multiplied, the copies of `ks + 1` are in flight, into the
            // other stage, which was last read before the barrier that opened this step.
            let more = ks + 1 < k_steps;
            if more {
                unsafe { ml.copy::<VECTOR>(s, stage ^ 1, tile, (ks + 1) * BK as u32) };
            }
            unsafe { ml.multiply(s, stage, &mut r_acc) };
            if more {
                stage ^= 1;
                unsafe { ml.transpose_a(s, stage) };
                sync::threads();
            }
        }
        // This tile's `C`, before the next tile's copies move the recorded problem on.
        let [_, _, g_c] = p.batch_operands(unsafe { ml.batch(s) }, 4, 4);
        if !S::PERSISTENT {
            unsafe { ml.store_rows::<VECTOR, 0, 8>(tile, g_c, &r_acc) };
            return;
        }
        // The next tile's first copies fly during the second half of this tile's epilogue,
        // into the stage the last k-step did not read. (Issued before the first half, their
        // addresses would not fit in registers beside all 64 accumulators.)
        unsafe { ml.store_rows::<VECTOR, 0, 4>(tile, g_c, &r_acc) };
        let next = scheduler.next();
        if let Some(t) = next {
            unsafe { ml.set_batch(s, t.batch) };
            unsafe { ml.copy::<VECTOR>(s, stage ^ 1, t, 0) };
        }
        unsafe { ml.store_rows::<VECTOR, 4, 8>(tile, g_c, &r_acc) };
        let Some(t) = next else {
            return;
        };
        tile = t;
        stage ^= 1;
    }
}

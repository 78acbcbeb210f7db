//! The epilogue: a warp tile's accumulators to `C`.

use super::Accumulators;
use crate::arch;
use crate::epilogue::{LinearCombination, Output};
use crate::params::GemmParams;
use crate::shapes::{MMA_WARP_M, MMA_WARP_N};
use crate::unroll;
use core::hint;

/// Epilogue of one warp tile with top-left element `origin`: `C = alpha·acc + beta·C`
/// through the accumulator layout (each lane owns rows `g`, `g + 8` × columns `2q, 2q + 1`
/// of every m16n8 tile).
///
/// Interior and edge tiles share one path, [`store_runs`], whenever `N` is a multiple of four;
/// an edge tile only skips the runs outside `C`. A second path for edge tiles alone, checking
/// each element pair, made the kernels larger and the edge's straight-line code several times
/// longer, and its warps waited on instruction fetch; it is left for an `N` that cuts runs.
///
/// # Safety
/// `c` is this tile's problem's `C` as `p` describes it, with `ldc` even and `c` aligned to
/// two elements.
#[inline(always)]
pub(super) unsafe fn store<Out: Output>(
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
    let q = lane % 4;
    // The lane's first run of four columns (see `store_runs`).
    let (row0, col0) = (origin.0 + lane / 4, origin.1 + (q % 2) * 8 + (q / 2) * 4);
    let inside = if origin.0 + MMA_WARP_M <= p.m && origin.1 + MMA_WARP_N <= p.n {
        Runs::ALL
    } else if p.n.is_multiple_of(4) {
        // Runs start at multiples of four columns, so `N` cuts none: each lies wholly inside
        // or outside `C`.
        Runs {
            rows: p.m.saturating_sub(row0),
            cols: p.n.saturating_sub(col0),
        }
    } else {
        // Rare. Marked cold, this path is laid out after the runs, which then directly follow
        // the k-loop in memory and are fetched as it ends
        // (bench/results/raw/h100-epilogue-layout-experiment.md).
        hint::cold_path();
        unsafe { store_pairs::<Out>(p, &epilogue, c, (row0, origin.1 + q * 2), r_acc) };
        return;
    };
    // The row offsets are the same for every tile: pinned here, not held through the mainloop.
    let ldc = arch::pinned(p.ldc);
    let base = c.wrapping_add(row0 as usize * ldc as usize + col0 as usize);
    unsafe {
        if p.beta == 0.0 {
            store_runs::<Out, false>(&epilogue, base, ldc, lane, inside, r_acc);
        } else {
            store_runs::<Out, true>(&epilogue, base, ldc, lane, inside, r_acc);
        }
    }
}

/// [`store`] where `N` cuts runs of four columns: element pairs, each checked, from the lane's
/// first pair `(row0, col0)`.
///
/// # Safety
/// As [`store`].
#[inline(always)]
unsafe fn store_pairs<Out: Output>(
    p: &GemmParams,
    epilogue: &LinearCombination,
    c: *mut Out,
    (row0, col0): (u32, u32),
    r_acc: &Accumulators,
) {
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

/// The runs of a lane that lie inside `C`, counted from its first run (`base` in
/// [`store_runs`]): those less than `rows` rows below it and starting less than `cols`
/// columns right of it. This presumes every run wholly inside or outside `C`: true of an
/// interior warp tile ([`Runs::ALL`]) and wherever `N` is a multiple of four.
#[derive(Clone, Copy)]
struct Runs {
    rows: u32,
    cols: u32,
}

impl Runs {
    /// Every run of an interior warp tile.
    const ALL: Self = Runs {
        rows: u32::MAX,
        cols: u32::MAX,
    };
}

/// [`store`] by runs of four consecutive columns per lane and store, those in `inside`.
///
/// The accumulator layout gives lane `q = lane % 4` columns `2q, 2q + 1` of each n8 tile.
/// Lanes `q` and `q ^ 1` swap halves of each pair of n8 tiles (`2P`, `2P + 1`, see
/// [`swap_pairs`]). Lane `q` then holds columns `16P + (q % 2)·8 + (q / 2)·4 ..+ 4` of its
/// rows, and the warp writes each row's 16 columns as one whole 32-byte sector (16-bit
/// output) with half as many stores as pairs would take. `base` is the lane's first run
/// (row `g`, `P = 0`); `READ_C` is `beta != 0`. Runs outside `C` are neither read nor
/// written; their lanes still take part in the exchanges.
///
/// # Safety
/// As [`store`]; `inside` holds only runs inside `C`; the whole warp calls it.
#[inline(always)]
unsafe fn store_runs<Out: Output, const READ_C: bool>(
    epilogue: &LinearCombination,
    base: *mut Out,
    ldc: u32,
    lane: u32,
    inside: Runs,
    r_acc: &Accumulators,
) {
    let odd = lane % 2 == 1;
    unroll!(M in 0..4 => {
        unroll!(H in 0..2 => {
            // Row `M·16 + H·8` of the warp tile: registers 2H, 2H + 1 of each m16n8 tile.
            let row_inside = ((M * 16 + H * 8) as u32) < inside.rows;
            let row = base.wrapping_add((M * 16 + H * 8) * ldc as usize);
            unroll!(P in 0..4 => {
                let pair = |n: usize| [r_acc[M][n][2 * H], r_acc[M][n][2 * H + 1]];
                let run_inside = row_inside && ((P * 16) as u32) < inside.cols;
                let run = row.wrapping_add(P * 16);
                let out = if READ_C {
                    // `C` is read as the lane's run: the pairs cross lanes as f32, then meet it.
                    // (Reading `C` per pair before the swap made ptxas recompute the thread
                    // index inside the 128 × 256 persistent k-loop: 4–5% slower.)
                    let exchange = <f32 as Output>::shfl_xor;
                    let [a, b] = swap_pairs(pair(2 * P), pair(2 * P + 1), odd, exchange);
                    let old = if run_inside {
                        unsafe { Out::load4(run) }
                    } else {
                        [0.0; 4]
                    };
                    let v = [a[0], a[1], b[0], b[1]];
                    let v = [0, 1, 2, 3].map(|i| epilogue.apply(v[i], old[i]));
                    [Out::pack([v[0], v[1]]), Out::pack([v[2], v[3]])]
                } else {
                    // Converted first, so that a 16-bit pair crosses lanes in one shuffle.
                    let scaled = |n: usize| Out::pack(pair(n).map(|a| epilogue.alpha * a));
                    swap_pairs(scaled(2 * P), scaled(2 * P + 1), odd, Out::shfl_xor)
                };
                if run_inside {
                    unsafe { Out::store_pairs(run, out) };
                }
            });
        });
    });
}

/// A lane's run of four columns from its pairs of n8 tiles `2P` (`even`) and `2P + 1`
/// (`next`): an even lane keeps its pair of tile `2P` and receives its neighbour's, an odd
/// lane keeps its pair of tile `2P + 1` and receives its neighbour's. `shfl_xor(v, 1)` moves a
/// pair between lanes `q` and `q ^ 1`.
#[inline(always)]
fn swap_pairs<T: Copy>(even: T, next: T, odd: bool, shfl_xor: fn(T, u32) -> T) -> [T; 2] {
    let (own, give) = if odd { (next, even) } else { (even, next) };
    let got = shfl_xor(give, 1);
    if odd { [got, own] } else { [own, got] }
}

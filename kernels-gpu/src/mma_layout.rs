//! The index math of the tensor-core mainloop (`mainloop::sm80_mma_sync`): which chunk each
//! thread copies into the swizzled shared tiles, and which shared address each lane hands
//! to `ldmatrix`. Plain Rust, used by the kernel and tested here on the host against an
//! emulation of `ldmatrix` and of the `mma.m16n8k16` fragment layouts (as the PTX ISA
//! documents them; see `arch::mma`).
//!
//! Tiles: `A` is `BM × 64` (k-contiguous, [`A_ROW_CHUNKS`] chunks of 16 bytes per row), `B` is
//! `64 × BN` (n-contiguous, `BN / 8` chunks per row), both laid out by [`swizzle::offset`].
//! A warp tile is 64 × 64: 4 m16 tiles × 8 n8 tiles.

use crate::swizzle;

/// 16-byte chunks per row of the `A` tile (64 16-bit elements).
pub const A_ROW_CHUNKS: u32 = 8;

/// Thread `t`'s chunk `(row, chunk)` in the first copy pass over a tile with `row_chunks`
/// chunks per row. Pass `j` is `row + j · threads / row_chunks` at byte offset
/// `swizzle::offset(row, chunk) + j · threads · 16`, provided `threads / row_chunks` is a
/// multiple of `swizzle::period_rows(row_chunks)`.
pub const fn copy_chunk(t: u32, row_chunks: u32) -> (u32, u32) {
    (t / row_chunks, t % row_chunks)
}

/// Offset in the `A` tile of lane `lane`'s `ldmatrix.x4` row for m-tile 0, k16 step 0 of
/// the warp in warp-row `warp_m`: row `l % 16`, k-chunk `l / 16`, which makes matrices
/// 0..4 the `a[0..4]` registers of the `mma` A fragment.
pub const fn a_lane_offset(warp_m: u32, lane: u32) -> u32 {
    swizzle::offset(warp_m * 64 + lane % 16, lane / 16, A_ROW_CHUNKS)
}

/// The `ldmatrix.x4` address of m-tile `mi`, k16 step `k16` (0..4) from [`a_lane_offset`]:
/// m-tiles are 16 rows (two swizzle periods of `A`) apart, an add; the step is chunk bits
/// 1..3, an XOR.
pub const fn a_fragment_offset(a_lane: u32, mi: u32, k16: u32) -> u32 {
    (a_lane ^ (k16 * 2 * 16)) + mi * 16 * A_ROW_CHUNKS * 16
}

/// Offset in the `B` tile (`b_row_chunks` chunks per k-row) of lane `lane`'s
/// `ldmatrix.x4.trans` row for n-tiles 0 and 1, k16 step 0 of the warp in warp-column
/// `warp_n`: k-row `l % 16`, n-chunk `warp_n · 8 + l / 16`, which makes matrices 0, 1 the
/// `b[0..2]` registers of n-tile 0 and matrices 2, 3 those of n-tile 1.
pub const fn b_lane_offset(warp_n: u32, lane: u32, b_row_chunks: u32) -> u32 {
    swizzle::offset(lane % 16, warp_n * 8 + lane / 16, b_row_chunks)
}

/// The `ldmatrix.x4.trans` address of n-tiles `2·pair, 2·pair + 1`, k16 step `k16` from
/// [`b_lane_offset`]: step `k16` is `16 · k16` k-rows (whole swizzle periods) down, an add;
/// pairs are chunk bits 1..3, an XOR (`pair < 4`).
pub const fn b_fragment_offset(b_lane: u32, pair: u32, k16: u32, b_row_chunks: u32) -> u32 {
    (b_lane ^ (pair * 2 * 16)) + k16 * 16 * b_row_chunks * 16
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::vec;
    use std::vec::Vec;

    /// A distinct, recognisable value for every element of a matrix.
    fn value(matrix: u16, row: u32, col: u32) -> u16 {
        (matrix << 14) | ((row as u16) << 7) | col as u16
    }

    /// Shared memory after every thread ran its copy passes over a `rows × row_chunks·8`
    /// tile of `matrix`, checking that each chunk is written exactly once.
    fn fill(matrix: u16, rows: u32, row_chunks: u32, threads: u32) -> Vec<u16> {
        let mut smem = vec![u16::MAX; (rows * row_chunks * 8) as usize];
        let mut written = vec![false; (rows * row_chunks) as usize];
        let pass_rows = threads / row_chunks;
        assert_eq!(pass_rows % swizzle::period_rows(row_chunks), 0);
        for t in 0..threads {
            let (row0, chunk) = copy_chunk(t, row_chunks);
            for j in 0..rows / pass_rows {
                let row = row0 + j * pass_rows;
                let dst = swizzle::offset(row0, chunk, row_chunks) + j * threads * 16;
                assert_eq!(dst, swizzle::offset(row, chunk, row_chunks));
                assert!(!std::mem::replace(&mut written[(dst / 16) as usize], true));
                for e in 0..8 {
                    smem[(dst / 2 + e) as usize] = value(matrix, row, chunk * 8 + e);
                }
            }
        }
        assert!(written.iter().all(|&w| w));
        smem
    }

    /// `ldmatrix.x4` (`trans = false`) or `.x4.trans`: lane `l` addresses row `l % 8` of
    /// matrix `l / 8`; register `j` of lane `l` holds elements `(g, 2q), (g, 2q + 1)` of
    /// matrix `j`, or `(2q, g), (2q + 1, g)` transposed (`g = l / 4`, `q = l % 4`).
    fn ldmatrix(smem: &[u16], addresses: [u32; 32], trans: bool) -> [[[u16; 2]; 4]; 32] {
        let element = |j: usize, r: usize, c: usize| {
            let row = addresses[8 * j + r] as usize / 2;
            smem[row + c]
        };
        core::array::from_fn(|l| {
            let (g, q) = (l / 4, l % 4);
            core::array::from_fn(|j| {
                core::array::from_fn(|h| {
                    if trans {
                        element(j, 2 * q + h, g)
                    } else {
                        element(j, g, 2 * q + h)
                    }
                })
            })
        })
    }

    #[test]
    fn fragments_match_the_mma_layouts() {
        for (warps_m, warps_n) in [(2u32, 2u32), (2, 4)] {
            let (threads, bm, bn) = (32 * warps_m * warps_n, 64 * warps_m, 64 * warps_n);
            let b_row_chunks = bn / 8;
            let s_a = fill(0, bm, A_ROW_CHUNKS, threads);
            let s_b = fill(1, crate::shapes::MMA_BLOCK_K, b_row_chunks, threads);
            for warp in 0..warps_m * warps_n {
                let (wm, wn) = (warp / warps_n, warp % warps_n);
                for k16 in 0..crate::shapes::MMA_BLOCK_K / 16 {
                    for mi in 0..4 {
                        let addr = core::array::from_fn(|l| {
                            a_fragment_offset(a_lane_offset(wm, l as u32), mi, k16)
                        });
                        let frag = ldmatrix(&s_a, addr, false);
                        for (l, regs) in frag.iter().enumerate() {
                            let (g, q) = (l as u32 / 4, l as u32 % 4);
                            for (r, pair) in regs.iter().enumerate() {
                                // a[r]: rows g (+8 for r odd), k 2q, 2q+1 (+8 for r ≥ 2).
                                let row = wm * 64 + mi * 16 + g + 8 * (r as u32 % 2);
                                let k = k16 * 16 + 2 * q + 8 * (r as u32 / 2);
                                assert_eq!(*pair, [value(0, row, k), value(0, row, k + 1)]);
                            }
                        }
                    }
                    for pair in 0..4 {
                        let addr = core::array::from_fn(|l| {
                            let lane = b_lane_offset(wn, l as u32, b_row_chunks);
                            b_fragment_offset(lane, pair, k16, b_row_chunks)
                        });
                        let frag = ldmatrix(&s_b, addr, true);
                        for (l, regs) in frag.iter().enumerate() {
                            let (g, q) = (l as u32 / 4, l as u32 % 4);
                            for (r, got) in regs.iter().enumerate() {
                                // Register r is b[r % 2] of n-tile 2·pair + r / 2:
                                // k 2q, 2q+1 (+8 for b[1]), column g.
                                let n = wn * 64 + (2 * pair + r as u32 / 2) * 8 + g;
                                let k = k16 * 16 + 2 * q + 8 * (r as u32 % 2);
                                assert_eq!(*got, [value(1, k, n), value(1, k + 1, n)]);
                            }
                        }
                    }
                }
            }
        }
    }
}

//! The XOR swizzle of the tensor-core kernels' shared-memory tiles.
//!
//! A tile is stored as rows of `row_chunks` 16-byte chunks (8 × 16-bit elements each), row
//! after row. Shared memory has 32 banks of 4 bytes, so 8 chunks (128 bytes) span all banks
//! once; call the chunk's position modulo 8 its *bank group*. Two accesses conflict when they
//! need different addresses in the same bank group in the same cycle.
//!
//! Two access patterns must be conflict-free:
//! - `ldmatrix` reads one 8 × 8 matrix per cycle: **8 consecutive rows, one chunk column**.
//!   Unswizzled, rows of a multiple of 128 bytes put all 8 in one bank group (8-way
//!   conflict); 64-byte rows (4 chunks) still put 2 rows per group.
//! - `cp.async` writes 16 bytes per thread, 8 threads per cycle: **8 consecutive chunks** in
//!   row-major order, so that a warp's global reads stay contiguous.
//!
//! The swizzle keeps the row-major order of 128-byte lines and permutes the 8 chunks inside
//! each line: with `i = row · row_chunks + chunk` the linear chunk index, the chunk is stored
//! at `i ^ ((i >> s) & 7)` where `s = log2(max(row_chunks, 8))`. The XOR only changes bits
//! 0..3 of `i`, so a line stays a line (8 consecutive chunks: a permutation, no conflict),
//! and it reads bits `s .. s + 3`, which count rows (for rows of 8 chunks or more) or
//! 128-byte lines (for shorter rows); either way 8 consecutive rows at one chunk column get
//! 8 different bank groups. The unit tests check both claims for every row width used.

/// Byte offset of `chunk` (a 16-byte chunk index within the row) of `row` in a swizzled tile
/// with `row_chunks` chunks per row (a power of two).
#[inline(always)]
pub const fn offset(row: u32, chunk: u32, row_chunks: u32) -> u32 {
    let i = row * row_chunks + chunk;
    let s = if row_chunks > 8 {
        row_chunks.trailing_zeros()
    } else {
        3
    };
    (i ^ ((i >> s) & 7)) * 16
}

/// The rows after which the swizzle pattern repeats, so that
/// `offset(row + period, c) == offset(row, c) + period · row_chunks · 16`. Moving by a
/// multiple of it is a plain add, which lets the kernels compute one swizzled address per
/// lane and reach the others with constants.
pub const fn period_rows(row_chunks: u32) -> u32 {
    if row_chunks >= 8 { 8 } else { 64 / row_chunks }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::collections::HashSet;

    /// Row widths of the kernels' tiles: `A` has 8 chunks (`BLOCK_K = 64`), `B` has
    /// `BLOCK_N / 8`; 2 and 4 for completeness.
    const WIDTHS: [u32; 6] = [2, 4, 8, 16, 32, 64];

    fn bank_group(offset: u32) -> u32 {
        (offset / 16) % 8
    }

    #[test]
    fn is_a_permutation_of_each_line() {
        for w in WIDTHS {
            let rows = 2 * period_rows(w);
            let all: HashSet<_> = (0..rows)
                .flat_map(|r| (0..w).map(move |c| offset(r, c, w)))
                .collect();
            assert_eq!(all.len() as u32, rows * w, "width {w}");
            for line in 0..rows * w / 8 {
                let got: HashSet<_> = (0..8)
                    .map(|j| offset((line * 8 + j) / w, (line * 8 + j) % w, w) / 128)
                    .collect();
                assert_eq!(got, HashSet::from([line]), "width {w}, line {line}");
            }
        }
    }

    #[test]
    fn ldmatrix_rows_are_conflict_free() {
        for w in WIDTHS {
            for r0 in (0..4 * period_rows(w)).step_by(8) {
                for c in 0..w {
                    let groups: HashSet<_> =
                        (0..8).map(|i| bank_group(offset(r0 + i, c, w))).collect();
                    assert_eq!(groups.len(), 8, "width {w}, rows {r0}.., chunk {c}");
                }
            }
        }
    }

    #[test]
    fn cp_async_chunks_are_conflict_free() {
        for w in WIDTHS {
            for first in (0..4 * period_rows(w) * w).step_by(8) {
                let groups: HashSet<_> = (first..first + 8)
                    .map(|i| bank_group(offset(i / w, i % w, w)))
                    .collect();
                assert_eq!(groups.len(), 8, "width {w}, chunks {first}..");
            }
        }
    }

    /// The two identities the kernels use to derive addresses from one per-lane offset.
    #[test]
    fn period_adds_and_low_chunk_bits_xor() {
        for w in WIDTHS {
            let p = period_rows(w);
            for r in 0..2 * p {
                for c in 0..w {
                    assert_eq!(offset(r + p, c, w), offset(r, c, w) + p * w * 16);
                    for d in 0..w.min(8) {
                        assert_eq!(
                            offset(r, c ^ d, w),
                            offset(r, c, w) ^ (d * 16),
                            "{w} {r} {c} {d}"
                        );
                    }
                }
            }
        }
    }
}

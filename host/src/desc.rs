//! The shape of a GEMM call and its validation.

use crate::error::{Error, Operand, Result};
use tessera_kernels::params::GemmParams;
use tessera_kernels::schedule::TileGrid;

/// `C (M × N) = alpha · A (M × K) · B (K × N) + beta · C`, all row-major.
///
/// Row `i` of `A` starts `i · lda` elements after the start of `A` (likewise `B`, `C`), so a
/// leading dimension larger than the row length describes a sub-matrix of a larger one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GemmDesc {
    /// Rows of `A` and `C`.
    pub m: usize,
    /// Columns of `B` and `C`.
    pub n: usize,
    /// Columns of `A`, rows of `B`: the length of each dot product.
    pub k: usize,
    /// Elements from one row of `A` to the next (at least `k`).
    pub lda: usize,
    /// Elements from one row of `B` to the next (at least `n`).
    pub ldb: usize,
    /// Elements from one row of `C` to the next (at least `n`).
    pub ldc: usize,
}

impl GemmDesc {
    /// Densely packed row-major matrices: `lda = k`, `ldb = n`, `ldc = n`.
    ///
    /// ```
    /// let d = tessera::GemmDesc::new(128, 64, 32);
    /// assert_eq!((d.lda, d.ldb, d.ldc), (32, 64, 64));
    /// ```
    pub fn new(m: usize, n: usize, k: usize) -> Self {
        GemmDesc {
            m,
            n,
            k,
            lda: k,
            ldb: n,
            ldc: n,
        }
    }

    /// The same shape with explicit leading dimensions.
    pub fn with_leading_dims(self, lda: usize, ldb: usize, ldc: usize) -> Self {
        GemmDesc {
            lda,
            ldb,
            ldc,
            ..self
        }
    }

    /// `(rows, columns, leading dimension)` of an operand.
    pub fn matrix(&self, operand: Operand) -> (usize, usize, usize) {
        match operand {
            Operand::A => (self.m, self.k, self.lda),
            Operand::B => (self.k, self.n, self.ldb),
            Operand::C => (self.m, self.n, self.ldc),
        }
    }

    /// Elements a buffer must hold for `operand`: up to the last element of the last row.
    pub fn min_len(&self, operand: Operand) -> usize {
        let (rows, cols, ld) = self.matrix(operand);
        if rows == 0 || cols == 0 {
            0
        } else {
            (rows - 1) * ld + cols
        }
    }

    /// Checks the dimensions, leading dimensions, the 32-bit limits and the buffer lengths.
    pub fn validate(&self, len_a: usize, len_b: usize, len_c: usize) -> Result<()> {
        for (what, value) in [("M", self.m), ("N", self.n)] {
            if value == 0 {
                return Err(Error::ZeroDimension { what });
            }
        }
        for (what, value) in [
            ("M", self.m),
            ("N", self.n),
            ("K", self.k),
            ("lda", self.lda),
            ("ldb", self.ldb),
            ("ldc", self.ldc),
        ] {
            if value > i32::MAX as usize {
                return Err(Error::IndexOverflow { what, value });
            }
        }
        for (operand, len) in [
            (Operand::A, len_a),
            (Operand::B, len_b),
            (Operand::C, len_c),
        ] {
            let (rows, cols, ld) = self.matrix(operand);
            if rows > 0 && ld < cols {
                return Err(Error::LeadingDimension {
                    operand,
                    ld,
                    min: cols,
                });
            }
            let needed = self.min_len(operand);
            if len < needed {
                return Err(Error::BufferTooShort {
                    operand,
                    needed,
                    len,
                });
            }
        }
        Ok(())
    }
}

/// Checks that `C` shares no byte with `A` or `B`. Each operand is `(start address, bytes
/// from the start to the end of its last row)`.
pub(crate) fn check_aliasing(a: (u64, u64), b: (u64, u64), c: (u64, u64)) -> Result<()> {
    let overlaps = |(s1, n1): (u64, u64), (s2, n2): (u64, u64)| {
        n1 > 0 && n2 > 0 && s1 < s2 + n2 && s2 < s1 + n1
    };
    for (operand, x) in [(Operand::A, a), (Operand::B, b)] {
        if overlaps(x, c) {
            return Err(Error::Aliasing { operand });
        }
    }
    Ok(())
}

/// Tile-rows per group in the grouped tile order: 8 rows of 128 share L2 well on every GPU
/// measured, for both grids.
pub(crate) const GROUP_M: u32 = 8;

impl GemmDesc {
    /// The kernel parameters of this (validated) call on the buffers at `a`, `b`, `c`; the
    /// tensor maps are left for the Hopper launch to fill in.
    pub(crate) fn params(&self, [a, b, c]: [u64; 3], alpha: f32, beta: f32) -> GemmParams {
        GemmParams {
            a,
            b,
            c,
            m: self.m as u32,
            n: self.n as u32,
            k: self.k as u32,
            lda: self.lda as u32,
            ldb: self.ldb as u32,
            ldc: self.ldc as u32,
            alpha,
            beta,
            group_m: GROUP_M,
            ..GemmParams::default()
        }
    }

    /// The output's `block_m × block_n` tiles in the grouped order the kernels walk.
    pub(crate) fn tile_grid(&self, block_m: u32, block_n: u32) -> TileGrid {
        TileGrid::new(self.m as u32, self.n as u32, block_m, block_n, GROUP_M)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_shape_is_valid() {
        let d = GemmDesc::new(3, 4, 5);
        assert_eq!(
            (
                d.min_len(Operand::A),
                d.min_len(Operand::B),
                d.min_len(Operand::C)
            ),
            (15, 20, 12)
        );
        d.validate(15, 20, 12).unwrap();
    }

    #[test]
    fn padded_rows_need_no_padding_after_the_last_row() {
        let d = GemmDesc::new(2, 3, 4).with_leading_dims(10, 7, 5);
        assert_eq!(d.min_len(Operand::A), 14);
        d.validate(14, 3 * 7 + 3, 8).unwrap();
    }

    #[test]
    fn short_leading_dimension_is_rejected() {
        let d = GemmDesc::new(2, 3, 4).with_leading_dims(3, 3, 3);
        assert!(matches!(
            d.validate(100, 100, 100),
            Err(Error::LeadingDimension {
                operand: Operand::A,
                ld: 3,
                min: 4
            })
        ));
    }

    #[test]
    fn short_buffer_is_rejected() {
        let d = GemmDesc::new(2, 3, 4);
        let e = d.validate(8, 12, 5).unwrap_err();
        assert!(
            matches!(
                e,
                Error::BufferTooShort {
                    operand: Operand::C,
                    needed: 6,
                    len: 5
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn huge_dimension_is_rejected() {
        let d = GemmDesc::new(1 << 31, 1, 1);
        assert!(matches!(
            d.validate(usize::MAX, usize::MAX, usize::MAX),
            Err(Error::IndexOverflow { what: "M", .. })
        ));
    }

    #[test]
    fn empty_output_is_rejected() {
        let e = GemmDesc::new(0, 4, 4).validate(100, 100, 100).unwrap_err();
        assert!(matches!(e, Error::ZeroDimension { what: "M" }), "{e}");
        let e = GemmDesc::new(4, 0, 4).validate(100, 100, 100).unwrap_err();
        assert!(matches!(e, Error::ZeroDimension { what: "N" }), "{e}");
    }

    #[test]
    fn overlapping_c_is_rejected() {
        let (a, b) = ((1000, 400), (2000, 400));
        check_aliasing(a, b, (3000, 100)).unwrap();
        check_aliasing(a, b, (1400, 100)).unwrap(); // touches A's end, shares no byte
        assert!(matches!(
            check_aliasing(a, b, (1399, 100)),
            Err(Error::Aliasing {
                operand: Operand::A
            })
        ));
        assert!(matches!(
            check_aliasing(a, b, (1900, 101)),
            Err(Error::Aliasing {
                operand: Operand::B
            })
        ));
        // A and B may share memory (A = B is a legal call).
        check_aliasing(a, a, (5000, 8)).unwrap();
    }

    #[test]
    fn k_zero_needs_no_a_or_b() {
        GemmDesc::new(2, 2, 0).validate(0, 0, 4).unwrap();
    }
}

//! The shape of a GEMM call and its validation.

use crate::error::{Error, Operand, Result};
use tessera_kernels::params::{GemmParams, Layout as LayoutBits};
use tessera_kernels::schedule::TileGrid;

/// How a matrix is stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Layout {
    /// Element `(i, j)` at `i · ld + j`: rows contiguous.
    #[default]
    RowMajor,
    /// Element `(i, j)` at `j · ld + i`: columns contiguous (BLAS's, cuBLAS's order).
    ColMajor,
}

impl Layout {
    /// The other order: a matrix stored in one order is its transpose stored in the other.
    pub const fn transposed(self) -> Layout {
        match self {
            Layout::RowMajor => Layout::ColMajor,
            Layout::ColMajor => Layout::RowMajor,
        }
    }
}

/// `C (M × N) = alpha · A (M × K) · B (K × N) + beta · C`, for each of `batch` problems.
///
/// Each matrix is row- or column-major ([`Layout`]) with a leading dimension: the elements
/// from one row (row-major) or column (column-major) to the next, so that a leading dimension
/// larger than the row (column) length describes a sub-matrix of a larger one. Problem `b` of
/// a batch finds its `A` at `b · batch_stride_a` elements after the start of the `A` buffer
/// (likewise `B`, `C`); a stride of 0 for `A` or `B` gives every problem the same operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GemmDesc {
    /// Rows of `A` and `C`.
    pub m: usize,
    /// Columns of `B` and `C`.
    pub n: usize,
    /// Columns of `A`, rows of `B`: the length of each dot product.
    pub k: usize,
    /// Leading dimension of `A` (at least `k` row-major, `m` column-major).
    pub lda: usize,
    /// Leading dimension of `B` (at least `n` row-major, `k` column-major).
    pub ldb: usize,
    /// Leading dimension of `C` (at least `n` row-major, `m` column-major).
    pub ldc: usize,
    /// Storage order of `A`.
    pub layout_a: Layout,
    /// Storage order of `B`.
    pub layout_b: Layout,
    /// Storage order of `C`.
    pub layout_c: Layout,
    /// Problems in the batch (at least 1).
    pub batch: usize,
    /// Elements from one problem's `A` to the next (0: all problems share one `A`).
    pub batch_stride_a: usize,
    /// Elements from one problem's `B` to the next (0: all problems share one `B`).
    pub batch_stride_b: usize,
    /// Elements from one problem's `C` to the next: the `C`s of a batch may not overlap.
    pub batch_stride_c: usize,
}

impl GemmDesc {
    /// One problem, densely packed row-major matrices: `lda = k`, `ldb = n`, `ldc = n`.
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
            layout_a: Layout::RowMajor,
            layout_b: Layout::RowMajor,
            layout_c: Layout::RowMajor,
            batch: 1,
            batch_stride_a: 0,
            batch_stride_b: 0,
            batch_stride_c: 0,
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

    /// The same shape with these layouts, densely packed: the leading dimensions become the
    /// row (row-major) or column (column-major) lengths; call
    /// [`with_leading_dims`](Self::with_leading_dims) afterwards for others.
    ///
    /// ```
    /// use tessera::{GemmDesc, Layout::*};
    /// let d = GemmDesc::new(128, 64, 32).with_layouts(RowMajor, ColMajor, ColMajor);
    /// assert_eq!((d.lda, d.ldb, d.ldc), (32, 32, 128));
    /// ```
    pub fn with_layouts(self, a: Layout, b: Layout, c: Layout) -> Self {
        let d = GemmDesc {
            layout_a: a,
            layout_b: b,
            layout_c: c,
            ..self
        };
        let dense = |op| d.storage(op).1;
        GemmDesc {
            lda: dense(Operand::A),
            ldb: dense(Operand::B),
            ldc: dense(Operand::C),
            ..d
        }
    }

    /// `batch` problems whose operands are `stride_a`, `stride_b`, `stride_c` elements apart
    /// (a stride of 0 for `A` or `B` shares that operand between all problems).
    ///
    /// ```
    /// // 8 products of 64 × 64 matrices with one shared B.
    /// let d = tessera::GemmDesc::new(64, 64, 64).with_batch(8, 64 * 64, 0, 64 * 64);
    /// assert_eq!(d.min_len(tessera::Operand::B), 64 * 64);
    /// ```
    pub fn with_batch(
        self,
        batch: usize,
        stride_a: usize,
        stride_b: usize,
        stride_c: usize,
    ) -> Self {
        GemmDesc {
            batch,
            batch_stride_a: stride_a,
            batch_stride_b: stride_b,
            batch_stride_c: stride_c,
            ..self
        }
    }

    /// `(rows, columns, layout)` of an operand, as the problem sees it.
    pub fn logical(&self, operand: Operand) -> (usize, usize, Layout) {
        match operand {
            Operand::A => (self.m, self.k, self.layout_a),
            Operand::B => (self.k, self.n, self.layout_b),
            Operand::C => (self.m, self.n, self.layout_c),
        }
    }

    /// `(lines, line length, leading dimension)` of an operand as stored: rows for a
    /// row-major matrix, columns for a column-major one.
    pub fn storage(&self, operand: Operand) -> (usize, usize, usize) {
        let (rows, cols, layout) = self.logical(operand);
        let ld = match operand {
            Operand::A => self.lda,
            Operand::B => self.ldb,
            Operand::C => self.ldc,
        };
        match layout {
            Layout::RowMajor => (rows, cols, ld),
            Layout::ColMajor => (cols, rows, ld),
        }
    }

    /// Elements from one problem's `operand` to the next.
    pub fn batch_stride(&self, operand: Operand) -> usize {
        match operand {
            Operand::A => self.batch_stride_a,
            Operand::B => self.batch_stride_b,
            Operand::C => self.batch_stride_c,
        }
    }

    /// Index in `operand`'s buffer of element `(row, col)` of problem `batch`.
    pub fn index(&self, operand: Operand, batch: usize, row: usize, col: usize) -> usize {
        let (.., layout) = self.logical(operand);
        let (.., ld) = self.storage(operand);
        let inside = match layout {
            Layout::RowMajor => row * ld + col,
            Layout::ColMajor => col * ld + row,
        };
        batch * self.batch_stride(operand) + inside
    }

    /// Elements one problem's `operand` spans: up to its last element.
    fn problem_len(&self, operand: Operand) -> usize {
        let (lines, len, ld) = self.storage(operand);
        if lines == 0 || len == 0 {
            0
        } else {
            (lines - 1) * ld + len
        }
    }

    /// Elements a buffer must hold for `operand`: up to the last element of the last problem
    /// (`usize::MAX` when that does not fit a `usize`; [`validate`](Self::validate) rejects
    /// such a call).
    pub fn min_len(&self, operand: Operand) -> usize {
        self.checked_min_len(operand).unwrap_or(usize::MAX)
    }

    /// [`min_len`](Self::min_len), or `None` on overflow.
    fn checked_min_len(&self, operand: Operand) -> Option<usize> {
        self.batch
            .saturating_sub(1)
            .checked_mul(self.batch_stride(operand))?
            .checked_add(self.problem_len(operand))
    }

    /// Checks the dimensions, leading dimensions, batch strides, the 32-bit limits and the
    /// buffer lengths.
    pub fn validate(&self, len_a: usize, len_b: usize, len_c: usize) -> Result<()> {
        for (what, value) in [("M", self.m), ("N", self.n), ("batch", self.batch)] {
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
            ("batch", self.batch),
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
            let (lines, line, ld) = self.storage(operand);
            if lines > 0 && ld < line {
                return Err(Error::LeadingDimension {
                    operand,
                    ld,
                    min: line,
                });
            }
            let needed = self.checked_min_len(operand).ok_or(Error::IndexOverflow {
                what: "batch stride × batch",
                value: self.batch_stride(operand),
            })?;
            if len < needed {
                return Err(Error::BufferTooShort {
                    operand,
                    needed,
                    len,
                });
            }
        }
        // Problems writing the same elements of C would race.
        let c_len = self.problem_len(Operand::C);
        if self.batch > 1 && self.batch_stride_c < c_len {
            return Err(Error::BatchStride {
                operand: Operand::C,
                stride: self.batch_stride_c,
                min: c_len,
            });
        }
        Ok(())
    }

    /// The same call with a row-major `C`, which is what the kernels compute: a column-major
    /// `C` is a row-major `Cᵀ = Bᵀ · Aᵀ`, i.e. the problem `N × M × K` with `A` and `B`
    /// swapped and each in the other layout (a matrix stored in one order is its transpose
    /// stored in the other). Returns the problem and whether `A` and `B` were swapped.
    pub(crate) fn with_row_major_c(&self) -> (GemmDesc, bool) {
        if self.layout_c == Layout::RowMajor {
            return (*self, false);
        }
        let swapped = GemmDesc {
            m: self.n,
            n: self.m,
            lda: self.ldb,
            ldb: self.lda,
            layout_a: self.layout_b.transposed(),
            layout_b: self.layout_a.transposed(),
            layout_c: Layout::RowMajor,
            batch_stride_a: self.batch_stride_b,
            batch_stride_b: self.batch_stride_a,
            ..*self
        };
        (swapped, true)
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
    /// The bytes of the batch's `B` operands of `E` elements: one `K × N` matrix per problem,
    /// or one for all where the batch shares it (a stride of 0).
    pub(crate) fn b_bytes<E>(&self) -> u64 {
        let problems = if self.batch_stride_b == 0 {
            1
        } else {
            self.batch
        };
        [self.n, size_of::<E>(), problems]
            .into_iter()
            .fold(self.k, usize::saturating_mul) as u64
    }

    /// The kernel parameters of this (validated) call with a row-major `C` (see
    /// [`with_row_major_c`](Self::with_row_major_c)) on the buffers at `a`, `b`, `c`; the
    /// tensor maps are left for the Hopper launch to fill in.
    pub(crate) fn params(&self, [a, b, c]: [u64; 3], alpha: f32, beta: f32) -> GemmParams {
        debug_assert_eq!(self.layout_c, Layout::RowMajor);
        let mut layout = 0;
        if self.layout_a == Layout::ColMajor {
            layout |= LayoutBits::A_COLUMN_MAJOR;
        }
        if self.layout_b == Layout::ColMajor {
            layout |= LayoutBits::B_COLUMN_MAJOR;
        }
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
            batch: self.batch as u32,
            batch_stride_a: self.batch_stride_a as u64,
            batch_stride_b: self.batch_stride_b as u64,
            batch_stride_c: self.batch_stride_c as u64,
            layout,
            ..GemmParams::default()
        }
    }

    /// The output's `block_m × block_n` tiles over the batch, in the grouped order the kernels
    /// walk.
    pub(crate) fn tile_grid(&self, block_m: u32, block_n: u32) -> TileGrid {
        TileGrid::new(
            self.m as u32,
            self.n as u32,
            block_m,
            block_n,
            GROUP_M,
            self.batch as u32,
        )
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

    #[test]
    fn b_bytes_count_each_b_of_the_batch_once() {
        let d = GemmDesc::new(3, 5, 7);
        assert_eq!(d.b_bytes::<u16>(), 70);
        assert_eq!(d.with_batch(4, 21, 35, 15).b_bytes::<u16>(), 280);
        assert_eq!(d.with_batch(4, 21, 0, 15).b_bytes::<f32>(), 140);
    }

    /// A buffer of `min_len` elements is what `validate` asks for, batched or not.
    #[test]
    fn min_len_is_what_validate_needs() {
        for d in [
            GemmDesc::new(3, 5, 7).with_batch(4, 30, 0, 16),
            GemmDesc::new(2, 2, 0).with_batch(3, 4, 4, 4),
        ] {
            let lens = [Operand::A, Operand::B, Operand::C].map(|op| d.min_len(op));
            d.validate(lens[0], lens[1], lens[2]).unwrap();
            for short in 0..3 {
                let mut l = lens;
                if l[short] == 0 {
                    continue;
                }
                l[short] -= 1;
                assert!(d.validate(l[0], l[1], l[2]).is_err(), "{d:?} {short}");
            }
        }
        let huge = GemmDesc::new(2, 2, 2).with_batch(1 << 30, usize::MAX / 4, 0, 4);
        assert_eq!(huge.min_len(Operand::A), usize::MAX);
    }
}

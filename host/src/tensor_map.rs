//! TMA descriptors (`CUtensorMap`) for the Hopper kernels (`wgmma_*` entries).
//!
//! The kernels load `A` and `B` with `cp.async.bulk.tensor.3d` through two tensor maps the
//! host encodes per launch (they hold the buffers' addresses) and passes by value in
//! `GemmParams::tensor_maps` (see `tessera_kernels::params::ParamSpace`).
//!
//! Each map describes one operand as stored: dimension 0 the contiguous one (a row of a
//! row-major matrix, a column of a column-major one), dimension 1 the lines, dimension 2 the
//! problems of the batch (extent 1 for a single problem or a shared operand, which the kernels
//! then always read at batch coordinate 0). Boxes are those of the kernel's
//! [`StageTile`]: 128-byte swizzle with a 128-byte inner extent (64 16-bit elements), the
//! layout `tessera_kernels::sm90_layout` describes and its `wgmma` descriptors read. Elements
//! outside the matrix are loaded as zeros (`OOB_FILL_NONE`), which covers every edge tile.

use cudarc::driver::result::DriverError;
use cudarc::driver::sys::{
    self, CUtensorMap, CUtensorMapDataType, CUtensorMapFloatOOBfill, CUtensorMapInterleave,
    CUtensorMapL2promotion, CUtensorMapSwizzle,
};
use tessera_kernels::sm90_layout::{ELEMENT_BYTES, EPILOGUE_ROWS, ROW_BYTES, StageTile};

/// The element type of a tensor map: the 16-bit inputs of a Hopper kernel, or its output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElementType {
    Bf16,
    F16,
    F32,
}

impl ElementType {
    fn data_type(self) -> CUtensorMapDataType {
        match self {
            ElementType::Bf16 => CUtensorMapDataType::CU_TENSOR_MAP_DATA_TYPE_BFLOAT16,
            ElementType::F16 => CUtensorMapDataType::CU_TENSOR_MAP_DATA_TYPE_FLOAT16,
            ElementType::F32 => CUtensorMapDataType::CU_TENSOR_MAP_DATA_TYPE_FLOAT32,
        }
    }

    /// Bytes per element.
    pub const fn size(self) -> u32 {
        match self {
            ElementType::F32 => 4,
            _ => 2,
        }
    }
}

/// The geometry of one operand's 3-D tensor map, dimension 0 contiguous.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TensorMap3d {
    /// `[line length, lines, problems]`, in elements / lines / problems.
    pub dims: [u64; 3],
    /// Bytes from one line to the next, and from one problem to the next.
    pub strides: [u64; 2],
    /// `[inner, outer, 1]` extent of one TMA box, in elements.
    pub box_dims: [u32; 3],
}

/// Why a matrix cannot be described by a tensor map (the host falls back to another kernel).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unsupported {
    /// The line or batch stride is not a multiple of 16 bytes.
    Stride,
    /// A dimension is 0 or does not fit the kernels' 32-bit signed coordinates.
    Dimension,
}

impl TensorMap3d {
    /// The map of an operand stored as `lines` lines of `line` elements, `ld` elements apart,
    /// in a batch of `batch` problems `stride` elements apart (0: one operand for all), loaded
    /// as `tile`'s boxes shared out between `split` blocks of a cluster.
    pub const fn operand(
        tile: StageTile,
        split: u32,
        lines: (usize, usize, usize),
        batch: (usize, usize),
    ) -> Self {
        let [inner, outer] = tile.box_dims(split);
        Self::new(ELEMENT_BYTES, lines, batch, [inner, outer])
    }

    /// The map of a row-major output `C` with `rows × cols` elements of `size` bytes, rows
    /// `ld` apart, in a batch of `batch` problems `stride` apart, stored in the kernels'
    /// epilogue pieces of `EPILOGUE_ROWS` rows × 128 bytes.
    pub const fn output(
        size: u32,
        (rows, cols, ld): (usize, usize, usize),
        batch: (usize, usize),
    ) -> Self {
        Self::new(
            size,
            (rows, cols, ld),
            batch,
            [ROW_BYTES / size, EPILOGUE_ROWS],
        )
    }

    const fn new(
        size: u32,
        (lines, line, ld): (usize, usize, usize),
        (batch, stride): (usize, usize),
        [inner, outer]: [u32; 2],
    ) -> Self {
        let row_stride = ld as u64 * size as u64;
        let (problems, batch_stride) = if stride == 0 {
            // Never stepped through (coordinate 0 only); any legal stride will do.
            (1, (lines as u64 * row_stride + 1).next_multiple_of(16))
        } else {
            (batch as u64, stride as u64 * size as u64)
        };
        TensorMap3d {
            dims: [line as u64, lines as u64, problems],
            strides: [row_stride, batch_stride],
            box_dims: [inner, outer, 1],
        }
    }

    /// Bytes one box delivers to shared memory (out-of-bounds elements included).
    #[cfg(test)]
    pub const fn box_bytes(&self) -> u32 {
        self.box_dims[0] * self.box_dims[1] * self.box_dims[2] * ELEMENT_BYTES
    }

    /// Whether the kernels may TMA-store to the output at `address` with this map (made by
    /// [`output`](Self::output) for elements of `size` bytes): a 16-byte aligned start,
    /// [`check`](Self::check), and rows that end on a 16-byte boundary. A TMA store clips
    /// the elements outside the tensor only in whole 16-byte units at the end of a row (seen
    /// on H100: with `N · size` not a multiple of 16, the elements up to the next 16-byte
    /// boundary, past the matrix, were written too).
    pub fn can_store_to(&self, address: u64, size: u32) -> bool {
        address.is_multiple_of(16)
            && (self.dims[0] * size as u64).is_multiple_of(16)
            && self.check().is_ok()
    }

    /// The driver's requirements that depend on the caller's matrix (the box is fixed by the
    /// kernel and valid by construction; see the tests).
    pub fn check(&self) -> Result<(), Unsupported> {
        if self
            .strides
            .iter()
            .any(|&s| !s.is_multiple_of(16) || s == 0 || s >= 1 << 40)
        {
            return Err(Unsupported::Stride);
        }
        if self.dims.iter().any(|&d| d == 0 || d > i32::MAX as u64) {
            return Err(Unsupported::Dimension);
        }
        Ok(())
    }

    /// Encodes the map for the operand at device address `address`.
    ///
    /// # Safety
    /// `address` is a 16-byte aligned device address of an operand of this geometry that
    /// stays allocated while a kernel launched with the map runs; [`TensorMap3d::check`]
    /// passed.
    pub unsafe fn encode(&self, ty: ElementType, address: u64) -> Result<CUtensorMap, DriverError> {
        let mut map = std::mem::MaybeUninit::<CUtensorMap>::uninit();
        let element_strides = [1u32; 3];
        // SAFETY: every pointer is to a live local of the rank the call is told (3); the
        // caller vouches for `address`.
        unsafe {
            sys::cuTensorMapEncodeTiled(
                map.as_mut_ptr(),
                ty.data_type(),
                3,
                address as *mut std::ffi::c_void,
                self.dims.as_ptr(),
                // Strides of dimensions 1.., in bytes.
                self.strides.as_ptr(),
                self.box_dims.as_ptr(),
                element_strides.as_ptr(),
                CUtensorMapInterleave::CU_TENSOR_MAP_INTERLEAVE_NONE,
                CUtensorMapSwizzle::CU_TENSOR_MAP_SWIZZLE_128B,
                CUtensorMapL2promotion::CU_TENSOR_MAP_L2_PROMOTION_L2_256B,
                CUtensorMapFloatOOBfill::CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE,
            )
            .result()?;
            Ok(map.assume_init())
        }
    }
}

/// Why [`encode_pair`] failed.
#[derive(Debug)]
pub enum EncodeError {
    Unsupported(Unsupported),
    Driver(DriverError),
}

impl From<Unsupported> for EncodeError {
    fn from(e: Unsupported) -> Self {
        EncodeError::Unsupported(e)
    }
}

impl From<DriverError> for EncodeError {
    fn from(e: DriverError) -> Self {
        EncodeError::Driver(e)
    }
}

/// The `[A, B]` tensor maps of a Hopper launch, in the order the kernels read them, for the
/// operands at device addresses `a` and `b`.
///
/// # Safety
/// As [`TensorMap3d::encode`], for both operands.
pub unsafe fn encode_pair(
    ty: ElementType,
    (map_a, a): (&TensorMap3d, u64),
    (map_b, b): (&TensorMap3d, u64),
) -> Result<[CUtensorMap; 2], EncodeError> {
    map_a.check()?;
    map_b.check()?;
    // SAFETY: the caller's guarantees; both geometries checked.
    Ok(unsafe { [map_a.encode(ty, a)?, map_b.encode(ty, b)?] })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_kernels::shapes::{WGMMA_COOPERATIVE, WGMMA_PINGPONG};
    use tessera_kernels::sm90_layout::Major;

    #[test]
    fn boxes_fill_a_stage_exactly() {
        // The kernels' `expect_tx` count is the stage size: the boxes of both operands must
        // deliver exactly that, or the `full` barrier never completes.
        for cfg in [WGMMA_COOPERATIVE, WGMMA_PINGPONG] {
            for (ma, mb) in [(Major::K, Major::MN), (Major::MN, Major::K)] {
                for split in [1, 2] {
                    let (ta, tb) = (cfg.a_tile(ma), cfg.b_tile(mb));
                    let a = TensorMap3d::operand(ta, 1, (64, 64, 64), (1, 0));
                    let b = TensorMap3d::operand(tb, split, (64, 64, 64), (1, 0));
                    let bytes = ta.boxes(1) * a.box_bytes() + tb.boxes(split) * b.box_bytes();
                    assert_eq!(bytes, cfg.stage_bytes());
                    assert_eq!(a.box_dims[0] * ELEMENT_BYTES, ROW_BYTES);
                }
            }
        }
    }

    #[test]
    fn geometry_is_line_then_lines_then_batch() {
        let tile = WGMMA_COOPERATIVE.a_tile(Major::K);
        // A row-major 1000 × 777 with lda 784, 3 problems 800 000 elements apart.
        let a = TensorMap3d::operand(tile, 1, (1000, 777, 784), (3, 800_000));
        assert_eq!(a.dims, [777, 1000, 3]);
        assert_eq!(a.strides, [784 * 2, 1_600_000]);
        assert_eq!(a.box_dims, [64, 128, 1]);
        // Shared between problems: one problem in the map.
        let shared = TensorMap3d::operand(tile, 1, (1000, 777, 784), (3, 0));
        assert_eq!(shared.dims, [777, 1000, 1]);
        assert_eq!(shared.check(), Ok(()));
        let b = TensorMap3d::operand(
            WGMMA_COOPERATIVE.b_tile(Major::K),
            2,
            (4095, 777, 784),
            (1, 0),
        );
        assert_eq!(b.box_dims, [64, 128, 1]);
    }

    #[test]
    fn output_pieces_are_128_bytes_by_64_rows() {
        for (size, cols) in [(2, 64), (4, 32)] {
            let c = TensorMap3d::output(size, (1000, 777, 784), (2, 784 * 1000));
            assert_eq!(c.box_dims, [cols, 64, 1]);
            assert_eq!(c.dims, [777, 1000, 2]);
            assert_eq!(c.strides, [784 * size as u64, 784 * 1000 * size as u64]);
            assert!(!c.can_store_to(1 << 20, size), "rows end mid-chunk");
            let c = TensorMap3d::output(size, (1000, 776, 784), (2, 784 * 1000));
            assert!(c.can_store_to(1 << 20, size));
            assert!(!c.can_store_to((1 << 20) + 8, size));
        }
        assert!(!TensorMap3d::output(2, (10, 16, 20), (1, 0)).can_store_to(0, 2));
    }

    #[test]
    fn check_rejects_what_tma_cannot_do() {
        let tile = WGMMA_PINGPONG.b_tile(Major::MN);
        assert_eq!(
            TensorMap3d::operand(tile, 1, (64, 64, 8), (1, 0)).check(),
            Ok(())
        );
        assert_eq!(
            TensorMap3d::operand(tile, 1, (64, 64, 7), (1, 0)).check(),
            Err(Unsupported::Stride)
        );
        assert_eq!(
            TensorMap3d::operand(tile, 1, (64, 64, 8), (2, 4100)).check(),
            Err(Unsupported::Stride)
        );
        assert_eq!(
            TensorMap3d::operand(tile, 1, (0, 64, 8), (1, 0)).check(),
            Err(Unsupported::Dimension)
        );
    }
}

//! TMA descriptors (`CUtensorMap`) for the Hopper kernels (`wgmma_*` entries).
//!
//! The kernels load `A` and `B` with `cp.async.bulk.tensor.2d` through two tensor maps the
//! host encodes per launch (they hold the buffers' addresses) and copies to device memory:
//! `GemmParams::tensor_maps` is the device address of `[A, B]`, 128 bytes each, 64-byte
//! aligned (a cudarc allocation is). The kernels cannot take them as by-value parameters:
//! rustc has no `__grid_constant__`.
//!
//! Both maps use 128-byte swizzle with a 128-byte inner box extent (64 16-bit elements), the
//! layout `tessera_kernels::sm90_layout` describes and its `wgmma` descriptors read; elements
//! outside the matrix are loaded as zeros (`OOB_FILL_NONE`), which covers every edge tile.

use cudarc::driver::result::DriverError;
use cudarc::driver::sys::{
    self, CUtensorMap, CUtensorMapDataType, CUtensorMapFloatOOBfill, CUtensorMapInterleave,
    CUtensorMapL2promotion, CUtensorMapSwizzle,
};
use tessera_kernels::sm90_layout::{B_BOX_N, BK, ELEMENT_BYTES, Sm90Config};

/// The 16-bit input element type of a Hopper kernel (the `bf16`/`f16` in its entry name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputType {
    Bf16,
    F16,
}

impl InputType {
    fn data_type(self) -> CUtensorMapDataType {
        match self {
            InputType::Bf16 => CUtensorMapDataType::CU_TENSOR_MAP_DATA_TYPE_BFLOAT16,
            InputType::F16 => CUtensorMapDataType::CU_TENSOR_MAP_DATA_TYPE_FLOAT16,
        }
    }
}

/// The geometry of one row-major 2-D tensor map, dimension 0 contiguous.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TensorMap2d {
    /// `[columns, rows]` of the matrix, in elements.
    pub dims: [u64; 2],
    /// Bytes from one row to the next.
    pub row_stride: u64,
    /// `[columns, rows]` of one TMA box, in elements.
    pub box_dims: [u32; 2],
}

/// Why a matrix cannot be described by a tensor map (the host falls back to another kernel).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unsupported {
    /// The row stride is not a multiple of 16 bytes.
    RowStride,
    /// A dimension is 0 or does not fit the kernels' 32-bit signed coordinates.
    Dimension,
}

impl TensorMap2d {
    /// `A`, `M × K` row-major with leading dimension `lda` elements, for kernel tile `cfg`:
    /// boxes of `{64 (K), block_m}`.
    pub const fn a(m: u32, k: u32, lda: u32, cfg: &Sm90Config) -> Self {
        TensorMap2d {
            dims: [k as u64, m as u64],
            row_stride: lda as u64 * ELEMENT_BYTES as u64,
            box_dims: [BK, cfg.tile.block_m],
        }
    }

    /// `B`, `K × N` row-major with leading dimension `ldb` elements: boxes of
    /// `{64 (N), 64 (K)}`, `block_n / 64` of them per stage.
    pub const fn b(k: u32, n: u32, ldb: u32) -> Self {
        TensorMap2d {
            dims: [n as u64, k as u64],
            row_stride: ldb as u64 * ELEMENT_BYTES as u64,
            box_dims: [B_BOX_N, BK],
        }
    }

    /// Bytes one box delivers to shared memory (out-of-bounds elements included).
    #[cfg(test)]
    pub const fn box_bytes(&self) -> u32 {
        self.box_dims[0] * self.box_dims[1] * ELEMENT_BYTES
    }

    /// The driver's requirements that depend on the caller's matrix (the box is fixed by the
    /// kernel and valid by construction; see the tests).
    pub fn check(&self) -> Result<(), Unsupported> {
        if !self.row_stride.is_multiple_of(16) || self.row_stride >= 1 << 40 {
            return Err(Unsupported::RowStride);
        }
        if self.dims.iter().any(|&d| d == 0 || d > i32::MAX as u64) {
            return Err(Unsupported::Dimension);
        }
        Ok(())
    }

    /// Encodes the map for the matrix at device address `address`.
    ///
    /// # Safety
    /// `address` is a 16-byte aligned device address of a matrix of this geometry that stays
    /// allocated while a kernel launched with the map runs; [`TensorMap2d::check`] passed.
    pub unsafe fn encode(&self, ty: InputType, address: u64) -> Result<CUtensorMap, DriverError> {
        let mut map = std::mem::MaybeUninit::<CUtensorMap>::uninit();
        let element_strides = [1u32; 2];
        // SAFETY: every pointer is to a live local of the rank the call is told (2); the
        // caller vouches for `address`.
        unsafe {
            sys::cuTensorMapEncodeTiled(
                map.as_mut_ptr(),
                ty.data_type(),
                2,
                address as *mut std::ffi::c_void,
                self.dims.as_ptr(),
                // Strides of dimensions 1.., in bytes.
                &self.row_stride,
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

/// Why [`encode_gemm`] failed.
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

/// The `[A, B]` tensor maps of a Hopper GEMM launch with tile configuration `cfg`, in the
/// order the kernels read them. `a`, `b`: device addresses; `lda`, `ldb`: in elements.
///
/// # Safety
/// As [`TensorMap2d::encode`], for both matrices.
pub unsafe fn encode_gemm(
    cfg: &Sm90Config,
    ty: InputType,
    (m, n, k): (u32, u32, u32),
    (a, lda): (u64, u32),
    (b, ldb): (u64, u32),
) -> Result<[CUtensorMap; 2], EncodeError> {
    let (map_a, map_b) = (TensorMap2d::a(m, k, lda, cfg), TensorMap2d::b(k, n, ldb));
    map_a.check()?;
    map_b.check()?;
    // SAFETY: the caller's guarantees; both geometries checked.
    Ok(unsafe { [map_a.encode(ty, a)?, map_b.encode(ty, b)?] })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_kernels::shapes::{WGMMA_COOPERATIVE, WGMMA_PINGPONG};
    use tessera_kernels::sm90_layout::ROW_BYTES;

    #[test]
    fn boxes_fill_a_stage_exactly() {
        // The kernels' `expect_tx` count is the stage size: one `A` box and `block_n / 64`
        // `B` boxes must deliver exactly that, or the `full` barrier never completes.
        for cfg in [WGMMA_COOPERATIVE, WGMMA_PINGPONG] {
            let (a, b) = (TensorMap2d::a(1, 1, 8, &cfg), TensorMap2d::b(1, 1, 8));
            let boxes_b = cfg.tile.block_n / b.box_dims[0];
            assert_eq!(a.box_bytes() + boxes_b * b.box_bytes(), cfg.stage_bytes());
        }
    }

    #[test]
    fn boxes_fit_128_byte_swizzle() {
        for cfg in [WGMMA_COOPERATIVE, WGMMA_PINGPONG] {
            for map in [TensorMap2d::a(1, 1, 8, &cfg), TensorMap2d::b(1, 1, 8)] {
                // The swizzle span bounds the inner extent; the kernels' layout needs it equal.
                assert_eq!(map.box_dims[0] * ELEMENT_BYTES, ROW_BYTES);
                assert!(map.box_dims.iter().all(|&d| (1..=256).contains(&d)));
            }
        }
    }

    #[test]
    fn geometry_is_columns_then_rows() {
        let a = TensorMap2d::a(1000, 777, 784, &WGMMA_COOPERATIVE);
        assert_eq!(a.dims, [777, 1000]);
        assert_eq!(a.row_stride, 784 * 2);
        assert_eq!(a.box_dims, [64, 128]);
        let b = TensorMap2d::b(777, 4095, 4096);
        assert_eq!(b.dims, [4095, 777]);
        assert_eq!(b.row_stride, 4096 * 2);
        assert_eq!(b.box_dims, [64, 64]);
    }

    #[test]
    fn check_rejects_what_tma_cannot_do() {
        assert_eq!(TensorMap2d::b(64, 64, 8).check(), Ok(()));
        assert_eq!(
            TensorMap2d::b(64, 64, 7).check(),
            Err(Unsupported::RowStride)
        );
        assert_eq!(
            TensorMap2d::b(0, 64, 8).check(),
            Err(Unsupported::Dimension)
        );
    }
}

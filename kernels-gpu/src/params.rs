//! The argument block every GEMM kernel takes, filled in once by the host.
//!
//! It is passed by value (a `.param` struct); the host crate builds it from the caller's
//! buffers after validation, so the kernels can trust every field.

/// `C = alpha · A · B + beta · C` on row-major matrices with leading dimensions.
///
/// Addresses are raw device addresses (`CUdeviceptr`), so that one struct serves every
/// element type; each kernel knows its own types.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct GemmParams {
    /// `A`, `M × K`, row `i` at `a + i·lda` elements.
    pub a: u64,
    /// `B`, `K × N`, row `k` at `b + k·ldb` elements.
    pub b: u64,
    /// `C`, `M × N`, row `i` at `c + i·ldc` elements; read only when `beta != 0`.
    pub c: u64,
    pub m: u32,
    pub n: u32,
    pub k: u32,
    pub lda: u32,
    pub ldb: u32,
    pub ldc: u32,
    pub alpha: f32,
    pub beta: f32,
    /// Tile-rows per group in the grouped tile order (see [`crate::schedule::TileGrid`]).
    pub group_m: u32,
    pub _pad: u32,
    /// Device address of the TMA descriptors (`CUtensorMap`, 64-byte aligned, 128 bytes each)
    /// of the kernels that use the tensor-memory accelerator; 0 for the others. They live in
    /// global memory because rustc has no `__grid_constant__`: a by-value descriptor whose
    /// address is taken would be copied to local memory, which TMA cannot read.
    pub tensor_maps: u64,
}

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
    /// The TMA descriptors (`CUtensorMap`: `A`, `B`) of the kernels that use the tensor-memory
    /// accelerator; zeros for the others. They travel by value in the kernel's parameter space,
    /// where TMA reads them through [`ParamSpace`]: nothing to allocate or copy per call, and
    /// a captured CUDA graph holds them.
    pub tensor_maps: [TensorMap; 2],
}

/// One `CUtensorMap`: 128 opaque bytes. TMA needs them 64-byte aligned; rustc's kernel ABI
/// allows at most 16 for a parameter, so the PTX builder raises the entry parameter's
/// alignment to 64 (`tessera_ptx_builder::PtxBuilder::param_alignment`) and the maps sit at a
/// multiple of 64 inside it.
#[repr(C, align(16))]
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TensorMap(pub [u64; 16]);

/// The generic address of the kernel's [`GemmParams`] in the `.param` state space.
///
/// rustc has no `__grid_constant__`: taking the address of a by-value parameter in Rust
/// makes LLVM copy it to local memory, which TMA cannot read. The entry points instead name
/// their parameter symbol in PTX (`mov` of the symbol, then `cvta.param`), which is what
/// `__grid_constant__` compiles to, while Rust only ever loads fields; `cargo xtask ptx
/// --check` (no stack frame) shows that no copy was made.
#[derive(Clone, Copy, Debug)]
pub struct ParamSpace(pub u64);

const _: () = assert!(core::mem::offset_of!(GemmParams, tensor_maps) % 64 == 0);

impl ParamSpace {
    /// Generic address of `tensor_maps[i]`.
    #[inline(always)]
    pub const fn tensor_map(self, i: u64) -> u64 {
        self.0 + core::mem::offset_of!(GemmParams, tensor_maps) as u64 + 128 * i
    }
}

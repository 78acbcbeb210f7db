//! The argument block every GEMM kernel takes, filled in once by the host.
//!
//! It is passed by value (a `.param` struct); the host crate builds it from the caller's
//! buffers after validation, so the kernels can trust every field.

use crate::schedule::TileGrid;

/// `C = alpha · A · B + beta · C` for each of `batch` problems, on matrices with leading
/// dimensions; `C` row-major, `A` and `B` as [`GemmParams::layout`] says.
///
/// Addresses are raw device addresses (`CUdeviceptr`), so that one struct serves every
/// element type; each kernel knows its own types. A column-major `C` never reaches a kernel:
/// the host computes `Cᵀ = Bᵀ · Aᵀ` instead (see `host/src/desc.rs`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct GemmParams {
    /// `A`, `M × K`: element `(i, k)` at `a + i·lda + k` elements (row-major) or
    /// `a + k·lda + i` ([`Layout::A_COLUMN_MAJOR`]).
    pub a: u64,
    /// `B`, `K × N`: element `(k, j)` at `b + k·ldb + j` (row-major) or `b + j·ldb + k`
    /// ([`Layout::B_COLUMN_MAJOR`]).
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
    /// Problems in the batch (at least 1). Every scheduler walks the tiles of all of them.
    pub batch: u32,
    /// Elements from one problem's `A` to the next; 0: every problem reads the same `A`.
    pub batch_stride_a: u64,
    /// As `batch_stride_a`, for `B`.
    pub batch_stride_b: u64,
    /// Elements from one problem's `C` to the next (the host keeps the `C`s disjoint).
    pub batch_stride_c: u64,
    /// Storage order of `A` and `B` ([`Layout`] bits). The textbook kernel reads it; the
    /// others are compiled for one layout, which the host matches when it picks the entry.
    pub layout: u32,
    /// Nonzero: `tensor_maps[2]` describes `C` and the Hopper kernels store through it (the
    /// host sets it when `C` suits TMA: 16-byte aligned start, row length, row and batch
    /// strides).
    pub store_with_tma: u32,
    /// The blocks of a persistent `mma.sync` grid of teams that take tiles in rounds; where the
    /// partial last round is short, the grid has one tail block more per tile of it
    /// ([`teams_grid_size`](crate::schedule::teams_grid_size)). The grid size for the other
    /// kernels, which do not read it.
    pub round_blocks: u32,
    pub _pad0: u32,
    /// The workspace of an `mma.sync` stream-K round (see
    /// [`StreamKRound`](crate::schedule::StreamKRound)): a tile of `f32` partial sums per
    /// workspace slot, and one arrival counter per tile of the round, zero between launches. 0
    /// for the other kernels, which do not read them.
    pub partials: u64,
    pub arrivals: u64,
    pub _pad: [u32; 2],
    /// The TMA descriptors (`CUtensorMap`: `A`, `B`, `C`) of the kernels that use the tensor-memory
    /// accelerator; zeros for the others. They travel by value in the kernel's parameter space,
    /// where TMA reads them through [`ParamSpace`]: nothing to allocate or copy per call, and
    /// a captured CUDA graph holds them.
    pub tensor_maps: [TensorMap; 3],
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

/// Bits of [`GemmParams::layout`]; clear bits mean row-major.
pub struct Layout;

impl Layout {
    /// `A` is stored column-major (`Aᵀ` row-major, `K × M`).
    pub const A_COLUMN_MAJOR: u32 = 1;
    /// `B` is stored column-major (`Bᵀ` row-major, `N × K`).
    pub const B_COLUMN_MAJOR: u32 = 2;
}

impl GemmParams {
    /// The batch's output tiles for a `block_m × block_n` tile, in the kernels' order.
    #[inline(always)]
    pub const fn tile_grid(&self, block_m: u32, block_n: u32) -> TileGrid {
        TileGrid::new(self.m, self.n, block_m, block_n, self.group_m, self.batch)
    }

    /// Byte addresses of problem `batch`'s `A`, `B` and `C`, for inputs of `in_size` and
    /// outputs of `out_size` bytes per element.
    #[inline(always)]
    pub const fn batch_operands(&self, batch: u32, in_size: u64, out_size: u64) -> [u64; 3] {
        let b = batch as u64;
        [
            self.a + b * self.batch_stride_a * in_size,
            self.b + b * self.batch_stride_b * in_size,
            self.c + b * self.batch_stride_c * out_size,
        ]
    }
}

impl ParamSpace {
    /// Generic address of `tensor_maps[i]`.
    #[inline(always)]
    pub const fn tensor_map(self, i: u64) -> u64 {
        self.0 + core::mem::offset_of!(GemmParams, tensor_maps) as u64 + 128 * i
    }
}

//! The exported kernels: one line each, composing a mainloop with a scheduler.
//!
//! [`kernels!`] turns each line into a PTX entry point (on nvptx64) and a [`KernelInfo`] row
//! of [`KERNELS`] (everywhere), so the host launches exactly what was compiled, with the
//! block size, shared memory and launch bounds given here.

use crate::shapes::{self, TileShape};

/// The architectures the PTX is built for: Hopper's own (`wgmma`, TMA and `setmaxnreg` need
/// the `a` variant), and sm_80 for Ampere, Ada and, through the driver's JIT, newer GPUs.
pub const ARCHES: &[&str] = &["sm_90a", "sm_80"];

/// What the host needs to know to launch an entry point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KernelInfo {
    /// The PTX entry name.
    pub name: &'static str,
    pub tile: TileShape,
    /// Dynamic shared memory per block, in bytes.
    pub smem_bytes: u32,
    /// `.minnctapersm` for the PTX entry: with `.maxntid = tile.threads`, it caps registers
    /// per thread so that this many blocks fit on one SM (like `__launch_bounds__`).
    pub min_blocks_per_sm: u32,
}

macro_rules! kernels {
    ($(
        $(#[$doc:meta])*
        $name:ident [tile = $tile:expr, smem = $smem:expr, min_blocks = $min_blocks:expr]
            => $body:expr;
    )*) => {
        $(
            $(#[$doc])*
            ///
            /// # Safety
            /// Launched by the host crate with this kernel's [`KernelInfo`] on validated
            /// parameters.
            #[cfg(target_arch = "nvptx64")]
            #[unsafe(no_mangle)]
            pub unsafe extern "ptx-kernel" fn $name(p: crate::params::GemmParams) {
                unsafe { $body(&p) }
            }
        )*

        /// Every entry point of the PTX module.
        pub const KERNELS: &[KernelInfo] = &[$(
            KernelInfo {
                name: stringify!($name),
                tile: $tile,
                smem_bytes: $smem,
                min_blocks_per_sm: $min_blocks,
            },
        )*];
    };
}

#[cfg(target_arch = "nvptx64")]
use crate::{
    mainloop,
    schedule::{NaiveGrid, Persistent},
};

kernels! {
    /// One thread per output, one block per 16 × 16 tile.
    textbook_f32 [tile = shapes::TEXTBOOK, smem = 0, min_blocks = 1]
        => mainloop::textbook_f32::gemm::<NaiveGrid>;

    /// Tiled fp32, one block per tile, 16-byte accesses.
    tiled_f32_naive [tile = shapes::SIMT_F32, smem = shapes::SIMT_F32_SMEM_BYTES, min_blocks = 2]
        => mainloop::simt_f32::gemm::<NaiveGrid, true>;
    /// Tiled fp32, persistent blocks, 16-byte accesses.
    tiled_f32_persistent [tile = shapes::SIMT_F32, smem = shapes::SIMT_F32_SMEM_BYTES, min_blocks = 2]
        => mainloop::simt_f32::gemm::<Persistent, true>;
    /// Tiled fp32, one block per tile, for operands that are not 16-byte aligned.
    tiled_f32_naive_unaligned [tile = shapes::SIMT_F32, smem = shapes::SIMT_F32_SMEM_BYTES, min_blocks = 2]
        => mainloop::simt_f32::gemm::<NaiveGrid, false>;
    /// Tiled fp32, persistent blocks, for operands that are not 16-byte aligned.
    tiled_f32_persistent_unaligned [tile = shapes::SIMT_F32, smem = shapes::SIMT_F32_SMEM_BYTES, min_blocks = 2]
        => mainloop::simt_f32::gemm::<Persistent, false>;
}

/// `(name, threads, min_blocks_per_sm)` of every entry point: the launch bounds to write into
/// the PTX.
pub fn launch_bounds() -> impl Iterator<Item = (&'static str, u32, u32)> {
    KERNELS
        .iter()
        .map(|k| (k.name, k.tile.threads, k.min_blocks_per_sm))
}

/// Looks up an entry point by name.
pub const fn find(name: &str) -> Option<&'static KernelInfo> {
    let mut i = 0;
    while i < KERNELS.len() {
        if const_str_eq(KERNELS[i].name, name) {
            return Some(&KERNELS[i]);
        }
        i += 1;
    }
    None
}

const fn const_str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

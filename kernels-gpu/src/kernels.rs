//! The exported kernels: one line each, composing a mainloop with a scheduler.
//!
//! [`kernels!`] turns each line into a PTX entry point (on nvptx64) and a [`KernelInfo`] row
//! of [`KERNELS`] (everywhere), so the host launches exactly what was compiled, with the
//! block size, shared memory and launch bounds given here.

use crate::shapes::{self, TileShape};

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

/// The launch columns of a [`kernels!`] line, as a [`KernelInfo`] without a name: either
/// spelled out, or `mma = SHAPE` for an [`MmaShape`](shapes::MmaShape).
macro_rules! launch {
    (tile = $tile:expr, smem = $smem:expr, min_blocks = $min_blocks:expr) => {
        KernelInfo {
            name: "",
            tile: $tile,
            smem_bytes: $smem,
            min_blocks_per_sm: $min_blocks,
        }
    };
    (mma = $shape:expr) => {
        launch!(
            tile = $shape.tile,
            smem = $shape.smem_bytes(),
            min_blocks = $shape.min_blocks_per_sm
        )
    };
}

/// The `mma.sync` kernel body for scheduler `$s`, input `$in`, output `$out` and the
/// [`MmaShape`](shapes::MmaShape) `$shape` (the same one as the line's `mma = …`).
#[cfg(target_arch = "nvptx64")]
macro_rules! mma_sync {
    ($s:ty, $in:ty, $out:ty, $shape:expr) => {
        mainloop::sm80_mma_sync::gemm::<
            $s,
            $in,
            $out,
            { $shape.warps_m() },
            { $shape.warps_n() },
            { $shape.stages as usize },
        >
    };
}

macro_rules! kernels {
    ($(
        $(#[$doc:meta])*
        $name:ident [$($launch:tt)*] => $body:expr;
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
                unsafe { $body(p) }
            }
        )*

        /// Every entry point of the PTX module.
        pub const KERNELS: &[KernelInfo] = &[$(
            KernelInfo { name: stringify!($name), ..launch!($($launch)*) },
        )*];
    };
}

#[cfg(target_arch = "nvptx64")]
use crate::{
    arch::mma::{Bf16, F16},
    mainloop,
    schedule::{NaiveGrid, Persistent},
};
use shapes::{MMA_128X128, MMA_128X256};

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

    // Tensor cores (`mma.sync`, sm_80+): `mma_<input>_<output>_<tile>_<scheduler>`. Operands
    // 16-byte aligned with leading dimensions a multiple of 8 elements; edges are masked.
    /// bf16 × bf16 → bf16, 128 × 128 tiles, one block per tile.
    mma_bf16_bf16_128x128_naive [mma = MMA_128X128] => mma_sync!(NaiveGrid, Bf16, Bf16, MMA_128X128);
    /// bf16 × bf16 → bf16, 128 × 128 tiles, persistent blocks.
    mma_bf16_bf16_128x128_persistent [mma = MMA_128X128] => mma_sync!(Persistent, Bf16, Bf16, MMA_128X128);
    /// bf16 × bf16 → bf16, 128 × 256 tiles, one block per tile.
    mma_bf16_bf16_128x256_naive [mma = MMA_128X256] => mma_sync!(NaiveGrid, Bf16, Bf16, MMA_128X256);
    /// bf16 × bf16 → bf16, 128 × 256 tiles, persistent blocks.
    mma_bf16_bf16_128x256_persistent [mma = MMA_128X256] => mma_sync!(Persistent, Bf16, Bf16, MMA_128X256);
    /// bf16 × bf16 → f32, 128 × 128 tiles, one block per tile.
    mma_bf16_f32_128x128_naive [mma = MMA_128X128] => mma_sync!(NaiveGrid, Bf16, f32, MMA_128X128);
    /// bf16 × bf16 → f32, 128 × 128 tiles, persistent blocks.
    mma_bf16_f32_128x128_persistent [mma = MMA_128X128] => mma_sync!(Persistent, Bf16, f32, MMA_128X128);
    /// bf16 × bf16 → f32, 128 × 256 tiles, one block per tile.
    mma_bf16_f32_128x256_naive [mma = MMA_128X256] => mma_sync!(NaiveGrid, Bf16, f32, MMA_128X256);
    /// bf16 × bf16 → f32, 128 × 256 tiles, persistent blocks.
    mma_bf16_f32_128x256_persistent [mma = MMA_128X256] => mma_sync!(Persistent, Bf16, f32, MMA_128X256);
    /// f16 × f16 → f16, 128 × 128 tiles, one block per tile.
    mma_f16_f16_128x128_naive [mma = MMA_128X128] => mma_sync!(NaiveGrid, F16, F16, MMA_128X128);
    /// f16 × f16 → f16, 128 × 128 tiles, persistent blocks.
    mma_f16_f16_128x128_persistent [mma = MMA_128X128] => mma_sync!(Persistent, F16, F16, MMA_128X128);
    /// f16 × f16 → f16, 128 × 256 tiles, one block per tile.
    mma_f16_f16_128x256_naive [mma = MMA_128X256] => mma_sync!(NaiveGrid, F16, F16, MMA_128X256);
    /// f16 × f16 → f16, 128 × 256 tiles, persistent blocks.
    mma_f16_f16_128x256_persistent [mma = MMA_128X256] => mma_sync!(Persistent, F16, F16, MMA_128X256);
    /// f16 × f16 → f32, 128 × 128 tiles, one block per tile.
    mma_f16_f32_128x128_naive [mma = MMA_128X128] => mma_sync!(NaiveGrid, F16, f32, MMA_128X128);
    /// f16 × f16 → f32, 128 × 128 tiles, persistent blocks.
    mma_f16_f32_128x128_persistent [mma = MMA_128X128] => mma_sync!(Persistent, F16, f32, MMA_128X128);
    /// f16 × f16 → f32, 128 × 256 tiles, one block per tile.
    mma_f16_f32_128x256_naive [mma = MMA_128X256] => mma_sync!(NaiveGrid, F16, f32, MMA_128X256);
    /// f16 × f16 → f32, 128 × 256 tiles, persistent blocks.
    mma_f16_f32_128x256_persistent [mma = MMA_128X256] => mma_sync!(Persistent, F16, f32, MMA_128X256);
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

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;

    #[test]
    fn names_are_unique() {
        for (i, k) in KERNELS.iter().enumerate() {
            assert!(
                KERNELS[i + 1..].iter().all(|o| o.name != k.name),
                "{}",
                k.name
            );
        }
    }

    /// Every `mma_<in>_<out>_<tile>_<schedule>` combination exists, with its shape's launch
    /// columns; the shared memory they need is above the 48 KiB default.
    #[test]
    fn mma_entries_are_systematic() {
        for input in ["bf16", "f16"] {
            for output in [input, "f32"] {
                for (tile, shape) in [("128x128", MMA_128X128), ("128x256", MMA_128X256)] {
                    for schedule in ["naive", "persistent"] {
                        let name = std::format!("mma_{input}_{output}_{tile}_{schedule}");
                        let k = find(&name).unwrap_or_else(|| panic!("{name} missing"));
                        assert_eq!(k.tile, shape.tile);
                        assert_eq!(k.smem_bytes, shape.smem_bytes());
                        assert_eq!(k.min_blocks_per_sm, shape.min_blocks_per_sm);
                        assert!(k.smem_bytes > 48 * 1024);
                    }
                }
            }
        }
        assert_eq!(MMA_128X128.smem_bytes(), 65536);
        assert_eq!(MMA_128X256.smem_bytes(), 73728);
        assert_eq!(
            (MMA_128X128.tile.threads, MMA_128X256.tile.threads),
            (128, 256)
        );
    }
}

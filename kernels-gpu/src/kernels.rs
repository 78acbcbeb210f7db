//! The exported kernels: one line each, composing a mainloop with a scheduler.
//!
//! [`kernels!`] turns each line into a PTX entry point (on nvptx64) and a [`KernelInfo`] row
//! of [`KERNELS`] (everywhere), so the host launches exactly what was compiled, with the
//! block size, shared memory and launch bounds given here.

use crate::shapes::{self, TileShape};
use crate::sm90_layout::Sm90Config;

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
    /// The oldest PTX module that has the entry: 80 (`sm_80` and `sm_90a`) or 90 (`sm_90a`
    /// only: `wgmma`, TMA, `setmaxnreg`).
    pub min_arch: u32,
}

/// An entry point compiled into the PTX modules of `min_arch` and newer.
macro_rules! for_arch {
    (80, $item:item) => {
        #[cfg(target_arch = "nvptx64")]
        $item
    };
    (90, $item:item) => {
        #[cfg(all(target_arch = "nvptx64", target_feature = "sm_90a"))]
        $item
    };
}

macro_rules! kernels {
    ($(
        $(#[$doc:meta])*
        $name:ident [
            tile = $tile:expr, smem = $smem:expr, min_blocks = $min_blocks:expr,
            min_arch = $arch:tt
        ] => $body:expr;
    )*) => {
        $(
            for_arch! { $arch,
                $(#[$doc])*
                ///
                /// # Safety
                /// Launched by the host crate with this kernel's [`KernelInfo`] on validated
                /// parameters.
                #[unsafe(no_mangle)]
                pub unsafe extern "ptx-kernel" fn $name(p: crate::params::GemmParams) {
                    unsafe { $body(&p) }
                }
            }
        )*

        /// Every entry point of the PTX module.
        pub const KERNELS: &[KernelInfo] = &[$(
            KernelInfo {
                name: stringify!($name),
                tile: $tile,
                smem_bytes: $smem,
                min_blocks_per_sm: $min_blocks,
                min_arch: $arch,
            },
        )*];
    };
}

#[cfg(all(target_arch = "nvptx64", target_feature = "sm_90a"))]
use crate::{
    element::{Bf16, F16},
    mainloop::sm90_wgmma_tma::{Cooperative, PingPong, gemm as wgmma},
};
#[cfg(target_arch = "nvptx64")]
use crate::{
    mainloop,
    schedule::{NaiveGrid, Persistent},
};

/// Launch data of the Hopper kernels (tile, threads, shared memory).
const COOP: Sm90Config = shapes::WGMMA_COOPERATIVE;
const PP: Sm90Config = shapes::WGMMA_PINGPONG;

kernels! {
    /// One thread per output, one block per 16 × 16 tile.
    textbook_f32 [tile = shapes::TEXTBOOK, smem = 0, min_blocks = 1, min_arch = 80]
        => mainloop::textbook_f32::gemm::<NaiveGrid>;

    /// Tiled fp32, one block per tile, 16-byte accesses.
    tiled_f32_naive [tile = shapes::SIMT_F32, smem = shapes::SIMT_F32_SMEM_BYTES, min_blocks = 2, min_arch = 80]
        => mainloop::simt_f32::gemm::<NaiveGrid, true>;
    /// Tiled fp32, persistent blocks, 16-byte accesses.
    tiled_f32_persistent [tile = shapes::SIMT_F32, smem = shapes::SIMT_F32_SMEM_BYTES, min_blocks = 2, min_arch = 80]
        => mainloop::simt_f32::gemm::<Persistent, true>;
    /// Tiled fp32, one block per tile, for operands that are not 16-byte aligned.
    tiled_f32_naive_unaligned [tile = shapes::SIMT_F32, smem = shapes::SIMT_F32_SMEM_BYTES, min_blocks = 2, min_arch = 80]
        => mainloop::simt_f32::gemm::<NaiveGrid, false>;
    /// Tiled fp32, persistent blocks, for operands that are not 16-byte aligned.
    tiled_f32_persistent_unaligned [tile = shapes::SIMT_F32, smem = shapes::SIMT_F32_SMEM_BYTES, min_blocks = 2, min_arch = 80]
        => mainloop::simt_f32::gemm::<Persistent, false>;

    // Hopper: bf16 inputs, f32 accumulation, bf16 output (TMA + wgmma, sm_90a).
    /// cooperative, persistent blocks.
    wgmma_bf16_bf16_cooperative_persistent [tile = COOP.tile, smem = COOP.smem_bytes(), min_blocks = 1, min_arch = 90]
        => wgmma::<Cooperative, Persistent, Bf16, Bf16>;
    /// cooperative, one block per tile.
    wgmma_bf16_bf16_cooperative_naive [tile = COOP.tile, smem = COOP.smem_bytes(), min_blocks = 1, min_arch = 90]
        => wgmma::<Cooperative, NaiveGrid, Bf16, Bf16>;
    /// pingpong, persistent blocks.
    wgmma_bf16_bf16_pingpong_persistent [tile = PP.tile, smem = PP.smem_bytes(), min_blocks = 1, min_arch = 90]
        => wgmma::<PingPong, Persistent, Bf16, Bf16>;
    /// pingpong, one block per tile.
    wgmma_bf16_bf16_pingpong_naive [tile = PP.tile, smem = PP.smem_bytes(), min_blocks = 1, min_arch = 90]
        => wgmma::<PingPong, NaiveGrid, Bf16, Bf16>;

    // Hopper: bf16 inputs, f32 accumulation, f32 output (TMA + wgmma, sm_90a).
    /// cooperative, persistent blocks.
    wgmma_bf16_f32_cooperative_persistent [tile = COOP.tile, smem = COOP.smem_bytes(), min_blocks = 1, min_arch = 90]
        => wgmma::<Cooperative, Persistent, Bf16, f32>;
    /// cooperative, one block per tile.
    wgmma_bf16_f32_cooperative_naive [tile = COOP.tile, smem = COOP.smem_bytes(), min_blocks = 1, min_arch = 90]
        => wgmma::<Cooperative, NaiveGrid, Bf16, f32>;
    /// pingpong, persistent blocks.
    wgmma_bf16_f32_pingpong_persistent [tile = PP.tile, smem = PP.smem_bytes(), min_blocks = 1, min_arch = 90]
        => wgmma::<PingPong, Persistent, Bf16, f32>;
    /// pingpong, one block per tile.
    wgmma_bf16_f32_pingpong_naive [tile = PP.tile, smem = PP.smem_bytes(), min_blocks = 1, min_arch = 90]
        => wgmma::<PingPong, NaiveGrid, Bf16, f32>;

    // Hopper: f16 inputs, f32 accumulation, f16 output (TMA + wgmma, sm_90a).
    /// cooperative, persistent blocks.
    wgmma_f16_f16_cooperative_persistent [tile = COOP.tile, smem = COOP.smem_bytes(), min_blocks = 1, min_arch = 90]
        => wgmma::<Cooperative, Persistent, F16, F16>;
    /// cooperative, one block per tile.
    wgmma_f16_f16_cooperative_naive [tile = COOP.tile, smem = COOP.smem_bytes(), min_blocks = 1, min_arch = 90]
        => wgmma::<Cooperative, NaiveGrid, F16, F16>;
    /// pingpong, persistent blocks.
    wgmma_f16_f16_pingpong_persistent [tile = PP.tile, smem = PP.smem_bytes(), min_blocks = 1, min_arch = 90]
        => wgmma::<PingPong, Persistent, F16, F16>;
    /// pingpong, one block per tile.
    wgmma_f16_f16_pingpong_naive [tile = PP.tile, smem = PP.smem_bytes(), min_blocks = 1, min_arch = 90]
        => wgmma::<PingPong, NaiveGrid, F16, F16>;

    // Hopper: f16 inputs, f32 accumulation, f32 output (TMA + wgmma, sm_90a).
    /// cooperative, persistent blocks.
    wgmma_f16_f32_cooperative_persistent [tile = COOP.tile, smem = COOP.smem_bytes(), min_blocks = 1, min_arch = 90]
        => wgmma::<Cooperative, Persistent, F16, f32>;
    /// cooperative, one block per tile.
    wgmma_f16_f32_cooperative_naive [tile = COOP.tile, smem = COOP.smem_bytes(), min_blocks = 1, min_arch = 90]
        => wgmma::<Cooperative, NaiveGrid, F16, f32>;
    /// pingpong, persistent blocks.
    wgmma_f16_f32_pingpong_persistent [tile = PP.tile, smem = PP.smem_bytes(), min_blocks = 1, min_arch = 90]
        => wgmma::<PingPong, Persistent, F16, f32>;
    /// pingpong, one block per tile.
    wgmma_f16_f32_pingpong_naive [tile = PP.tile, smem = PP.smem_bytes(), min_blocks = 1, min_arch = 90]
        => wgmma::<PingPong, NaiveGrid, F16, f32>;
}

/// `(name, threads, min_blocks_per_sm)` of every entry point in the PTX module of `arch`
/// (e.g. `sm_90a`): the launch bounds to write into it.
pub fn launch_bounds(arch: &str) -> impl Iterator<Item = (&'static str, u32, u32)> {
    let number: u32 = arch
        .trim_start_matches("sm_")
        .trim_end_matches(char::is_alphabetic)
        .parse()
        .unwrap_or(0);
    KERNELS
        .iter()
        .filter(move |k| k.min_arch <= number)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hopper_entries_fit_one_block_per_sm() {
        for k in KERNELS.iter().filter(|k| k.min_arch == 90) {
            // setmaxnreg's 40 / 232 split assumes exactly 3 warpgroups and 1 block per SM.
            assert_eq!(
                (k.tile.threads, k.min_blocks_per_sm),
                (384, 1),
                "{}",
                k.name
            );
            assert!(k.smem_bytes <= 227 * 1024, "{}", k.name);
        }
    }

    #[test]
    fn names_are_unique() {
        for (i, k) in KERNELS.iter().enumerate() {
            assert!(KERNELS[..i].iter().all(|o| o.name != k.name), "{}", k.name);
        }
    }
}

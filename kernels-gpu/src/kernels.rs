//! The exported kernels: one line each, composing a mainloop with a scheduler.
//!
//! `kernels!` turns each line into a PTX entry point (on nvptx64) and a [`KernelInfo`] row
//! of [`KERNELS`] (everywhere), so the host launches exactly what was compiled, with the
//! block size, shared memory and launch bounds given here.

use crate::shapes::{self, MMA_128X128, MMA_128X128_TWO_TEAMS, MMA_128X256, TileShape};
use crate::sm90_layout::Sm90Config;

/// The architectures the PTX is built for: Hopper's own (`wgmma`, TMA and `setmaxnreg` need
/// the `a` variant), and sm_80 for Ampere, Ada and, through the driver's JIT, newer GPUs.
pub const ARCHES: &[&str] = &["sm_90a", "sm_80"];

/// Alignment of every entry's parameter block in the PTX: the TMA descriptors in
/// [`GemmParams::tensor_maps`](crate::params::GemmParams) are read in place and must be
/// 64-byte aligned.
pub const PARAM_ALIGNMENT: u32 = 64;

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
    /// Teams per block (`mma.sync` kernels; 1 for the others): groups of
    /// `tile.threads / teams` threads with `smem_bytes / teams` bytes of stages each, working
    /// through tiles of their own. Where a GPU cannot give a block all of them, the host
    /// launches fewer (down to one), with as many fewer threads and bytes.
    pub teams: u32,
    /// Blocks per thread-block cluster, along the grid's x (the scheduler's
    /// [`CLUSTER_M`](crate::schedule::TileScheduler::CLUSTER_M)): the host launches with
    /// cluster dimensions `(cluster_m, 1, 1)` and a grid that is a multiple of it. 1: no
    /// cluster.
    pub cluster_m: u32,
}

impl KernelInfo {
    /// Threads and bytes of dynamic shared memory of a block launched with `teams` of the
    /// kernel's teams (`teams` = [`KernelInfo::teams`]: the whole block).
    pub const fn with_teams(&self, teams: u32) -> (u32, u32) {
        (
            self.tile.threads / self.teams * teams,
            self.smem_bytes / self.teams * teams,
        )
    }
}

/// The launch columns of a [`kernels!`] line, as a [`KernelInfo`] without a name: spelled
/// out, or taken from an `mma.sync` [`MmaShape`](shapes::MmaShape) or a Hopper
/// [`Sm90Config`].
macro_rules! launch {
    (sm80; tile = $tile:expr, smem = $smem:expr, min_blocks = $min_blocks:expr) => {
        KernelInfo { name: "", tile: $tile, smem_bytes: $smem, min_blocks_per_sm: $min_blocks, min_arch: 80, teams: 1, cluster_m: 1 }
    };
    (sm80; mma = $shape:expr) => {
        KernelInfo {
            teams: $shape.teams,
            ..launch!(sm80; tile = $shape.tile, smem = $shape.smem_bytes(), min_blocks = $shape.min_blocks_per_sm)
        }
    };
    // One block per SM: `setmaxnreg`'s register split assumes it.
    (sm90a; wgmma = $cfg:expr) => {
        KernelInfo { min_arch: 90, ..launch!(sm80; tile = $cfg.tile, smem = $cfg.smem_bytes(), min_blocks = 1) }
    };
    // In clusters of `$cluster` blocks along M: the line's scheduler is `Clustered<_, $cluster>`
    // (the kernel traps when launched otherwise).
    (sm90a; wgmma = $cfg:expr, cluster_m = $cluster:expr) => {
        KernelInfo { cluster_m: $cluster, ..launch!(sm90a; wgmma = $cfg) }
    };
}

/// An entry point compiled into the PTX modules of its architecture and newer.
macro_rules! for_arch {
    (sm80, $item:item) => {
        #[cfg(target_arch = "nvptx64")]
        $item
    };
    (sm90a, $item:item) => {
        #[cfg(all(target_arch = "nvptx64", target_feature = "sm_90a"))]
        $item
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
            { $shape.teams as usize },
        >
    };
}

macro_rules! kernels {
    ($(
        $(#[$doc:meta])*
        $name:ident [$arch:ident; $($launch:tt)*] => $body:expr;
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
                    // rustc names an entry's first parameter `<entry>_param_0` in PTX.
                    let at: u64;
                    // SAFETY: address arithmetic on this entry's own parameter symbol.
                    unsafe {
                        core::arch::asm!(
                            concat!("mov.u64 {0}, ", stringify!($name), "_param_0;\n\tcvta.param.u64 {0}, {0};"),
                            out(reg64) at, options(pure, nomem, nostack)
                        )
                    };
                    unsafe { $body(&p, crate::params::ParamSpace(at)) }
                }
            }
        )*

        /// Every entry point of the PTX modules.
        pub const KERNELS: &[KernelInfo] = &[$(
            KernelInfo { name: stringify!($name), ..launch!($arch; $($launch)*) },
        )*];
    };
}

#[cfg(target_arch = "nvptx64")]
use crate::{
    element::{Bf16, F16},
    mainloop,
    schedule::{ClaimedTiles, NaiveGrid, Persistent, PersistentTeams, StreamKRound, WholeTiles},
};
#[cfg(all(target_arch = "nvptx64", target_feature = "sm_90a"))]
use crate::{
    mainloop::sm90_wgmma_tma::{Cooperative, PingPong, gemm as wgmma},
    schedule::Clustered,
    sm90_layout::{ColCol, ColRow, RowCol, RowRow},
};

/// Launch data of the Hopper kernels (tile, threads, shared memory).
const COOP: Sm90Config = shapes::WGMMA_COOPERATIVE;
const PP: Sm90Config = shapes::WGMMA_PINGPONG;

/// The Hopper kernels' schedulers in clusters of two blocks stacked along M, which share
/// each `B` tile through TMA multicast.
#[cfg(all(target_arch = "nvptx64", target_feature = "sm_90a"))]
type Persistent2 = Clustered<Persistent, 2>;
#[cfg(all(target_arch = "nvptx64", target_feature = "sm_90a"))]
type NaiveGrid2 = Clustered<NaiveGrid, 2>;

/// The schedule of the `mma.sync` kernels' persistent blocks of two teams.
#[cfg(target_arch = "nvptx64")]
type PersistentTwoTeams = PersistentTeams<{ MMA_128X128_TWO_TEAMS.teams }>;

kernels! {
    // One thread per output, one block per 16 × 16 tile: `textbook_<input>_<output>`.
    /// f32 → f32.
    textbook_f32_f32 [sm80; tile = shapes::TEXTBOOK, smem = 0, min_blocks = 1] => mainloop::textbook::gemm::<NaiveGrid, f32, f32>;
    /// bf16 → bf16.
    textbook_bf16_bf16 [sm80; tile = shapes::TEXTBOOK, smem = 0, min_blocks = 1] => mainloop::textbook::gemm::<NaiveGrid, Bf16, Bf16>;
    /// bf16 → f32.
    textbook_bf16_f32 [sm80; tile = shapes::TEXTBOOK, smem = 0, min_blocks = 1] => mainloop::textbook::gemm::<NaiveGrid, Bf16, f32>;
    /// f16 → f16.
    textbook_f16_f16 [sm80; tile = shapes::TEXTBOOK, smem = 0, min_blocks = 1] => mainloop::textbook::gemm::<NaiveGrid, F16, F16>;
    /// f16 → f32.
    textbook_f16_f32 [sm80; tile = shapes::TEXTBOOK, smem = 0, min_blocks = 1] => mainloop::textbook::gemm::<NaiveGrid, F16, f32>;

    // Tiled fp32: `tiled_f32_<scheduler>[_unaligned][_batched]`; `_unaligned` for operands that
    // are not 16-byte aligned (4-byte copies), `_batched` for launches of several problems.
    /// Tiled fp32, one block per tile, 16-byte accesses.
    tiled_f32_naive [sm80; tile = shapes::SIMT_F32, smem = shapes::SIMT_F32_SMEM_BYTES, min_blocks = 2]
        => mainloop::simt_f32::gemm::<NaiveGrid, true, false>;
    /// Tiled fp32, persistent blocks, 16-byte accesses.
    tiled_f32_persistent [sm80; tile = shapes::SIMT_F32, smem = shapes::SIMT_F32_SMEM_BYTES, min_blocks = 2]
        => mainloop::simt_f32::gemm::<Persistent, true, false>;
    /// Tiled fp32, one block per tile, 4-byte accesses.
    tiled_f32_naive_unaligned [sm80; tile = shapes::SIMT_F32, smem = shapes::SIMT_F32_SMEM_BYTES, min_blocks = 2]
        => mainloop::simt_f32::gemm::<NaiveGrid, false, false>;
    /// Tiled fp32, persistent blocks, 4-byte accesses.
    tiled_f32_persistent_unaligned [sm80; tile = shapes::SIMT_F32, smem = shapes::SIMT_F32_SMEM_BYTES, min_blocks = 2]
        => mainloop::simt_f32::gemm::<Persistent, false, false>;
    /// Tiled fp32, one block per tile, 16-byte accesses, a batch of problems.
    tiled_f32_naive_batched [sm80; tile = shapes::SIMT_F32, smem = shapes::SIMT_F32_SMEM_BYTES, min_blocks = 2]
        => mainloop::simt_f32::gemm::<NaiveGrid, true, true>;
    /// Tiled fp32, persistent blocks, 16-byte accesses, a batch of problems.
    tiled_f32_persistent_batched [sm80; tile = shapes::SIMT_F32, smem = shapes::SIMT_F32_SMEM_BYTES, min_blocks = 2]
        => mainloop::simt_f32::gemm::<Persistent, true, true>;
    /// Tiled fp32, one block per tile, 4-byte accesses, a batch of problems.
    tiled_f32_naive_unaligned_batched [sm80; tile = shapes::SIMT_F32, smem = shapes::SIMT_F32_SMEM_BYTES, min_blocks = 2]
        => mainloop::simt_f32::gemm::<NaiveGrid, false, true>;
    /// Tiled fp32, persistent blocks, 4-byte accesses, a batch of problems.
    tiled_f32_persistent_unaligned_batched [sm80; tile = shapes::SIMT_F32, smem = shapes::SIMT_F32_SMEM_BYTES, min_blocks = 2]
        => mainloop::simt_f32::gemm::<Persistent, false, true>;

    // Tensor cores with `mma.sync` (sm_80+): `mma_<input>_<output>_<tile>_<scheduler>`
    // (`stream_k`: the grids whose last round a persistent 128 × 128 grid splits, see
    // `StreamKRound`; `claimed`: persistent 128 × 128 grids whose blocks claim their tiles
    // at run time, see `ClaimedTiles`).
    // Operands 16-byte aligned with leading dimensions a multiple of 8 elements; edges masked.
    /// bf16 → bf16, 128 × 128 tiles, one block per tile.
    mma_bf16_bf16_128x128_naive [sm80; mma = MMA_128X128] => mma_sync!(WholeTiles<NaiveGrid>, Bf16, Bf16, MMA_128X128);
    /// bf16 → bf16, 128 × 128 tiles, persistent blocks of two teams, which share a lone or tail tile.
    mma_bf16_bf16_128x128_persistent [sm80; mma = MMA_128X128_TWO_TEAMS] => mma_sync!(PersistentTwoTeams, Bf16, Bf16, MMA_128X128_TWO_TEAMS);
    /// bf16 → bf16, 128 × 128 tiles, persistent blocks that claim their tiles at run time, one team each.
    mma_bf16_bf16_128x128_claimed [sm80; mma = MMA_128X128] => mma_sync!(ClaimedTiles, Bf16, Bf16, MMA_128X128);
    /// bf16 → bf16, 128 × 128 tiles, whole rounds and a last round split stream-K in place of the persistent grid, a block per slot.
    mma_bf16_bf16_128x128_stream_k [sm80; mma = MMA_128X128] => mma_sync!(StreamKRound, Bf16, Bf16, MMA_128X128);
    /// bf16 → bf16, 128 × 256 tiles, one block per tile.
    mma_bf16_bf16_128x256_naive [sm80; mma = MMA_128X256] => mma_sync!(WholeTiles<NaiveGrid>, Bf16, Bf16, MMA_128X256);
    /// bf16 → bf16, 128 × 256 tiles, persistent blocks.
    mma_bf16_bf16_128x256_persistent [sm80; mma = MMA_128X256] => mma_sync!(WholeTiles<Persistent>, Bf16, Bf16, MMA_128X256);
    /// bf16 → f32, 128 × 128 tiles, one block per tile.
    mma_bf16_f32_128x128_naive [sm80; mma = MMA_128X128] => mma_sync!(WholeTiles<NaiveGrid>, Bf16, f32, MMA_128X128);
    /// bf16 → f32, 128 × 128 tiles, persistent blocks of two teams, which share a lone or tail tile.
    mma_bf16_f32_128x128_persistent [sm80; mma = MMA_128X128_TWO_TEAMS] => mma_sync!(PersistentTwoTeams, Bf16, f32, MMA_128X128_TWO_TEAMS);
    /// bf16 → f32, 128 × 128 tiles, persistent blocks that claim their tiles at run time, one team each.
    mma_bf16_f32_128x128_claimed [sm80; mma = MMA_128X128] => mma_sync!(ClaimedTiles, Bf16, f32, MMA_128X128);
    /// bf16 → f32, 128 × 128 tiles, whole rounds and a last round split stream-K in place of the persistent grid, a block per slot.
    mma_bf16_f32_128x128_stream_k [sm80; mma = MMA_128X128] => mma_sync!(StreamKRound, Bf16, f32, MMA_128X128);
    /// bf16 → f32, 128 × 256 tiles, one block per tile.
    mma_bf16_f32_128x256_naive [sm80; mma = MMA_128X256] => mma_sync!(WholeTiles<NaiveGrid>, Bf16, f32, MMA_128X256);
    /// bf16 → f32, 128 × 256 tiles, persistent blocks.
    mma_bf16_f32_128x256_persistent [sm80; mma = MMA_128X256] => mma_sync!(WholeTiles<Persistent>, Bf16, f32, MMA_128X256);
    /// f16 → f16, 128 × 128 tiles, one block per tile.
    mma_f16_f16_128x128_naive [sm80; mma = MMA_128X128] => mma_sync!(WholeTiles<NaiveGrid>, F16, F16, MMA_128X128);
    /// f16 → f16, 128 × 128 tiles, persistent blocks of two teams, which share a lone or tail tile.
    mma_f16_f16_128x128_persistent [sm80; mma = MMA_128X128_TWO_TEAMS] => mma_sync!(PersistentTwoTeams, F16, F16, MMA_128X128_TWO_TEAMS);
    /// f16 → f16, 128 × 128 tiles, persistent blocks that claim their tiles at run time, one team each.
    mma_f16_f16_128x128_claimed [sm80; mma = MMA_128X128] => mma_sync!(ClaimedTiles, F16, F16, MMA_128X128);
    /// f16 → f16, 128 × 128 tiles, whole rounds and a last round split stream-K in place of the persistent grid, a block per slot.
    mma_f16_f16_128x128_stream_k [sm80; mma = MMA_128X128] => mma_sync!(StreamKRound, F16, F16, MMA_128X128);
    /// f16 → f16, 128 × 256 tiles, one block per tile.
    mma_f16_f16_128x256_naive [sm80; mma = MMA_128X256] => mma_sync!(WholeTiles<NaiveGrid>, F16, F16, MMA_128X256);
    /// f16 → f16, 128 × 256 tiles, persistent blocks.
    mma_f16_f16_128x256_persistent [sm80; mma = MMA_128X256] => mma_sync!(WholeTiles<Persistent>, F16, F16, MMA_128X256);
    /// f16 → f32, 128 × 128 tiles, one block per tile.
    mma_f16_f32_128x128_naive [sm80; mma = MMA_128X128] => mma_sync!(WholeTiles<NaiveGrid>, F16, f32, MMA_128X128);
    /// f16 → f32, 128 × 128 tiles, persistent blocks of two teams, which share a lone or tail tile.
    mma_f16_f32_128x128_persistent [sm80; mma = MMA_128X128_TWO_TEAMS] => mma_sync!(PersistentTwoTeams, F16, f32, MMA_128X128_TWO_TEAMS);
    /// f16 → f32, 128 × 128 tiles, persistent blocks that claim their tiles at run time, one team each.
    mma_f16_f32_128x128_claimed [sm80; mma = MMA_128X128] => mma_sync!(ClaimedTiles, F16, f32, MMA_128X128);
    /// f16 → f32, 128 × 128 tiles, whole rounds and a last round split stream-K in place of the persistent grid, a block per slot.
    mma_f16_f32_128x128_stream_k [sm80; mma = MMA_128X128] => mma_sync!(StreamKRound, F16, f32, MMA_128X128);
    /// f16 → f32, 128 × 256 tiles, one block per tile.
    mma_f16_f32_128x256_naive [sm80; mma = MMA_128X256] => mma_sync!(WholeTiles<NaiveGrid>, F16, f32, MMA_128X256);
    /// f16 → f32, 128 × 256 tiles, persistent blocks.
    mma_f16_f32_128x256_persistent [sm80; mma = MMA_128X256] => mma_sync!(WholeTiles<Persistent>, F16, f32, MMA_128X256);

    // Hopper (sm_90a): TMA + wgmma, one producer and two consumer warpgroups:
    // `wgmma_<input>_<output>_<schedule>_<scheduler>`.
    /// bf16 → bf16, cooperative, persistent blocks.
    wgmma_bf16_bf16_cooperative_persistent [sm90a; wgmma = COOP] => wgmma::<Cooperative, Persistent, Bf16, Bf16, RowRow>;
    /// bf16 → bf16, cooperative, one block per tile.
    wgmma_bf16_bf16_cooperative_naive [sm90a; wgmma = COOP] => wgmma::<Cooperative, NaiveGrid, Bf16, Bf16, RowRow>;
    /// bf16 → bf16, ping-pong, persistent blocks.
    wgmma_bf16_bf16_pingpong_persistent [sm90a; wgmma = PP] => wgmma::<PingPong, Persistent, Bf16, Bf16, RowRow>;
    /// bf16 → bf16, ping-pong, one block per tile.
    wgmma_bf16_bf16_pingpong_naive [sm90a; wgmma = PP] => wgmma::<PingPong, NaiveGrid, Bf16, Bf16, RowRow>;
    /// bf16 → f32, cooperative, persistent blocks.
    wgmma_bf16_f32_cooperative_persistent [sm90a; wgmma = COOP] => wgmma::<Cooperative, Persistent, Bf16, f32, RowRow>;
    /// bf16 → f32, cooperative, one block per tile.
    wgmma_bf16_f32_cooperative_naive [sm90a; wgmma = COOP] => wgmma::<Cooperative, NaiveGrid, Bf16, f32, RowRow>;
    /// bf16 → f32, ping-pong, persistent blocks.
    wgmma_bf16_f32_pingpong_persistent [sm90a; wgmma = PP] => wgmma::<PingPong, Persistent, Bf16, f32, RowRow>;
    /// bf16 → f32, ping-pong, one block per tile.
    wgmma_bf16_f32_pingpong_naive [sm90a; wgmma = PP] => wgmma::<PingPong, NaiveGrid, Bf16, f32, RowRow>;
    /// f16 → f16, cooperative, persistent blocks.
    wgmma_f16_f16_cooperative_persistent [sm90a; wgmma = COOP] => wgmma::<Cooperative, Persistent, F16, F16, RowRow>;
    /// f16 → f16, cooperative, one block per tile.
    wgmma_f16_f16_cooperative_naive [sm90a; wgmma = COOP] => wgmma::<Cooperative, NaiveGrid, F16, F16, RowRow>;
    /// f16 → f16, ping-pong, persistent blocks.
    wgmma_f16_f16_pingpong_persistent [sm90a; wgmma = PP] => wgmma::<PingPong, Persistent, F16, F16, RowRow>;
    /// f16 → f16, ping-pong, one block per tile.
    wgmma_f16_f16_pingpong_naive [sm90a; wgmma = PP] => wgmma::<PingPong, NaiveGrid, F16, F16, RowRow>;
    /// f16 → f32, cooperative, persistent blocks.
    wgmma_f16_f32_cooperative_persistent [sm90a; wgmma = COOP] => wgmma::<Cooperative, Persistent, F16, f32, RowRow>;
    /// f16 → f32, cooperative, one block per tile.
    wgmma_f16_f32_cooperative_naive [sm90a; wgmma = COOP] => wgmma::<Cooperative, NaiveGrid, F16, f32, RowRow>;
    /// f16 → f32, ping-pong, persistent blocks.
    wgmma_f16_f32_pingpong_persistent [sm90a; wgmma = PP] => wgmma::<PingPong, Persistent, F16, f32, RowRow>;
    /// f16 → f32, ping-pong, one block per tile.
    wgmma_f16_f32_pingpong_naive [sm90a; wgmma = PP] => wgmma::<PingPong, NaiveGrid, F16, f32, RowRow>;

    // Hopper cooperative with column-major operands: `…_cooperative_<scheduler>_<layouts>`,
    // `nt`: `A` row-major, `B` column-major; `tn`: `A` column-major, `B` row-major; `tt`: both
    // column-major (the entries above are `nn`).
    /// bf16 → bf16, cooperative, persistent blocks, A row-major, B column-major.
    wgmma_bf16_bf16_cooperative_persistent_nt [sm90a; wgmma = COOP] => wgmma::<Cooperative, Persistent, Bf16, Bf16, RowCol>;
    /// bf16 → bf16, cooperative, one block per tile, A row-major, B column-major.
    wgmma_bf16_bf16_cooperative_naive_nt [sm90a; wgmma = COOP] => wgmma::<Cooperative, NaiveGrid, Bf16, Bf16, RowCol>;
    /// bf16 → f32, cooperative, persistent blocks, A row-major, B column-major.
    wgmma_bf16_f32_cooperative_persistent_nt [sm90a; wgmma = COOP] => wgmma::<Cooperative, Persistent, Bf16, f32, RowCol>;
    /// bf16 → f32, cooperative, one block per tile, A row-major, B column-major.
    wgmma_bf16_f32_cooperative_naive_nt [sm90a; wgmma = COOP] => wgmma::<Cooperative, NaiveGrid, Bf16, f32, RowCol>;
    /// f16 → f16, cooperative, persistent blocks, A row-major, B column-major.
    wgmma_f16_f16_cooperative_persistent_nt [sm90a; wgmma = COOP] => wgmma::<Cooperative, Persistent, F16, F16, RowCol>;
    /// f16 → f16, cooperative, one block per tile, A row-major, B column-major.
    wgmma_f16_f16_cooperative_naive_nt [sm90a; wgmma = COOP] => wgmma::<Cooperative, NaiveGrid, F16, F16, RowCol>;
    /// f16 → f32, cooperative, persistent blocks, A row-major, B column-major.
    wgmma_f16_f32_cooperative_persistent_nt [sm90a; wgmma = COOP] => wgmma::<Cooperative, Persistent, F16, f32, RowCol>;
    /// f16 → f32, cooperative, one block per tile, A row-major, B column-major.
    wgmma_f16_f32_cooperative_naive_nt [sm90a; wgmma = COOP] => wgmma::<Cooperative, NaiveGrid, F16, f32, RowCol>;
    /// bf16 → bf16, cooperative, persistent blocks, A column-major, B row-major.
    wgmma_bf16_bf16_cooperative_persistent_tn [sm90a; wgmma = COOP] => wgmma::<Cooperative, Persistent, Bf16, Bf16, ColRow>;
    /// bf16 → bf16, cooperative, one block per tile, A column-major, B row-major.
    wgmma_bf16_bf16_cooperative_naive_tn [sm90a; wgmma = COOP] => wgmma::<Cooperative, NaiveGrid, Bf16, Bf16, ColRow>;
    /// bf16 → f32, cooperative, persistent blocks, A column-major, B row-major.
    wgmma_bf16_f32_cooperative_persistent_tn [sm90a; wgmma = COOP] => wgmma::<Cooperative, Persistent, Bf16, f32, ColRow>;
    /// bf16 → f32, cooperative, one block per tile, A column-major, B row-major.
    wgmma_bf16_f32_cooperative_naive_tn [sm90a; wgmma = COOP] => wgmma::<Cooperative, NaiveGrid, Bf16, f32, ColRow>;
    /// f16 → f16, cooperative, persistent blocks, A column-major, B row-major.
    wgmma_f16_f16_cooperative_persistent_tn [sm90a; wgmma = COOP] => wgmma::<Cooperative, Persistent, F16, F16, ColRow>;
    /// f16 → f16, cooperative, one block per tile, A column-major, B row-major.
    wgmma_f16_f16_cooperative_naive_tn [sm90a; wgmma = COOP] => wgmma::<Cooperative, NaiveGrid, F16, F16, ColRow>;
    /// f16 → f32, cooperative, persistent blocks, A column-major, B row-major.
    wgmma_f16_f32_cooperative_persistent_tn [sm90a; wgmma = COOP] => wgmma::<Cooperative, Persistent, F16, f32, ColRow>;
    /// f16 → f32, cooperative, one block per tile, A column-major, B row-major.
    wgmma_f16_f32_cooperative_naive_tn [sm90a; wgmma = COOP] => wgmma::<Cooperative, NaiveGrid, F16, f32, ColRow>;
    /// bf16 → bf16, cooperative, persistent blocks, A and B column-major.
    wgmma_bf16_bf16_cooperative_persistent_tt [sm90a; wgmma = COOP] => wgmma::<Cooperative, Persistent, Bf16, Bf16, ColCol>;
    /// bf16 → bf16, cooperative, one block per tile, A and B column-major.
    wgmma_bf16_bf16_cooperative_naive_tt [sm90a; wgmma = COOP] => wgmma::<Cooperative, NaiveGrid, Bf16, Bf16, ColCol>;
    /// bf16 → f32, cooperative, persistent blocks, A and B column-major.
    wgmma_bf16_f32_cooperative_persistent_tt [sm90a; wgmma = COOP] => wgmma::<Cooperative, Persistent, Bf16, f32, ColCol>;
    /// bf16 → f32, cooperative, one block per tile, A and B column-major.
    wgmma_bf16_f32_cooperative_naive_tt [sm90a; wgmma = COOP] => wgmma::<Cooperative, NaiveGrid, Bf16, f32, ColCol>;
    /// f16 → f16, cooperative, persistent blocks, A and B column-major.
    wgmma_f16_f16_cooperative_persistent_tt [sm90a; wgmma = COOP] => wgmma::<Cooperative, Persistent, F16, F16, ColCol>;
    /// f16 → f16, cooperative, one block per tile, A and B column-major.
    wgmma_f16_f16_cooperative_naive_tt [sm90a; wgmma = COOP] => wgmma::<Cooperative, NaiveGrid, F16, F16, ColCol>;
    /// f16 → f32, cooperative, persistent blocks, A and B column-major.
    wgmma_f16_f32_cooperative_persistent_tt [sm90a; wgmma = COOP] => wgmma::<Cooperative, Persistent, F16, f32, ColCol>;
    /// f16 → f32, cooperative, one block per tile, A and B column-major.
    wgmma_f16_f32_cooperative_naive_tt [sm90a; wgmma = COOP] => wgmma::<Cooperative, NaiveGrid, F16, f32, ColCol>;

    // Hopper in clusters of two blocks on vertically adjacent tiles, sharing `B` through TMA
    // multicast (a 256 × 256 cluster tile): `wgmma_<input>_<output>_cooperative_cluster2_<scheduler>`.
    /// bf16 → bf16, cooperative, 2-block clusters, persistent clusters.
    wgmma_bf16_bf16_cooperative_cluster2_persistent [sm90a; wgmma = COOP, cluster_m = 2] => wgmma::<Cooperative, Persistent2, Bf16, Bf16, RowRow>;
    /// bf16 → bf16, cooperative, 2-block clusters, one cluster per cluster tile.
    wgmma_bf16_bf16_cooperative_cluster2_naive [sm90a; wgmma = COOP, cluster_m = 2] => wgmma::<Cooperative, NaiveGrid2, Bf16, Bf16, RowRow>;
    /// bf16 → f32, cooperative, 2-block clusters, persistent clusters.
    wgmma_bf16_f32_cooperative_cluster2_persistent [sm90a; wgmma = COOP, cluster_m = 2] => wgmma::<Cooperative, Persistent2, Bf16, f32, RowRow>;
    /// bf16 → f32, cooperative, 2-block clusters, one cluster per cluster tile.
    wgmma_bf16_f32_cooperative_cluster2_naive [sm90a; wgmma = COOP, cluster_m = 2] => wgmma::<Cooperative, NaiveGrid2, Bf16, f32, RowRow>;
    /// f16 → f16, cooperative, 2-block clusters, persistent clusters.
    wgmma_f16_f16_cooperative_cluster2_persistent [sm90a; wgmma = COOP, cluster_m = 2] => wgmma::<Cooperative, Persistent2, F16, F16, RowRow>;
    /// f16 → f16, cooperative, 2-block clusters, one cluster per cluster tile.
    wgmma_f16_f16_cooperative_cluster2_naive [sm90a; wgmma = COOP, cluster_m = 2] => wgmma::<Cooperative, NaiveGrid2, F16, F16, RowRow>;
    /// f16 → f32, cooperative, 2-block clusters, persistent clusters.
    wgmma_f16_f32_cooperative_cluster2_persistent [sm90a; wgmma = COOP, cluster_m = 2] => wgmma::<Cooperative, Persistent2, F16, f32, RowRow>;
    /// f16 → f32, cooperative, 2-block clusters, one cluster per cluster tile.
    wgmma_f16_f32_cooperative_cluster2_naive [sm90a; wgmma = COOP, cluster_m = 2] => wgmma::<Cooperative, NaiveGrid2, F16, f32, RowRow>;
    // The same for ping-pong (a 256 × 128 cluster tile per consumer turn):
    // `wgmma_<input>_<output>_pingpong_cluster2_<scheduler>`.
    /// bf16 → bf16, ping-pong, 2-block clusters, persistent clusters.
    wgmma_bf16_bf16_pingpong_cluster2_persistent [sm90a; wgmma = PP, cluster_m = 2] => wgmma::<PingPong, Persistent2, Bf16, Bf16, RowRow>;
    /// bf16 → bf16, ping-pong, 2-block clusters, one cluster per cluster tile.
    wgmma_bf16_bf16_pingpong_cluster2_naive [sm90a; wgmma = PP, cluster_m = 2] => wgmma::<PingPong, NaiveGrid2, Bf16, Bf16, RowRow>;
    /// bf16 → f32, ping-pong, 2-block clusters, persistent clusters.
    wgmma_bf16_f32_pingpong_cluster2_persistent [sm90a; wgmma = PP, cluster_m = 2] => wgmma::<PingPong, Persistent2, Bf16, f32, RowRow>;
    /// bf16 → f32, ping-pong, 2-block clusters, one cluster per cluster tile.
    wgmma_bf16_f32_pingpong_cluster2_naive [sm90a; wgmma = PP, cluster_m = 2] => wgmma::<PingPong, NaiveGrid2, Bf16, f32, RowRow>;
    /// f16 → f16, ping-pong, 2-block clusters, persistent clusters.
    wgmma_f16_f16_pingpong_cluster2_persistent [sm90a; wgmma = PP, cluster_m = 2] => wgmma::<PingPong, Persistent2, F16, F16, RowRow>;
    /// f16 → f16, ping-pong, 2-block clusters, one cluster per cluster tile.
    wgmma_f16_f16_pingpong_cluster2_naive [sm90a; wgmma = PP, cluster_m = 2] => wgmma::<PingPong, NaiveGrid2, F16, F16, RowRow>;
    /// f16 → f32, ping-pong, 2-block clusters, persistent clusters.
    wgmma_f16_f32_pingpong_cluster2_persistent [sm90a; wgmma = PP, cluster_m = 2] => wgmma::<PingPong, Persistent2, F16, f32, RowRow>;
    /// f16 → f32, ping-pong, 2-block clusters, one cluster per cluster tile.
    wgmma_f16_f32_pingpong_cluster2_naive [sm90a; wgmma = PP, cluster_m = 2] => wgmma::<PingPong, NaiveGrid2, F16, f32, RowRow>;
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

/// The entry point called `name`.
pub const fn find(name: &str) -> Option<&'static KernelInfo> {
    let mut i = 0;
    while i < KERNELS.len() {
        if str_eq(KERNELS[i].name, name) {
            return Some(&KERNELS[i]);
        }
        i += 1;
    }
    None
}

/// `a == b`, usable in constants.
const fn str_eq(a: &str, b: &str) -> bool {
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

    /// `_cluster<c>_` in the name if and only if the launch is in clusters of `c`; clusters
    /// only on Hopper, with the same launch data as the entry without clusters.
    #[test]
    fn cluster_entries_say_so() {
        extern crate std;
        for k in KERNELS {
            let tag = std::format!("_cluster{}_", k.cluster_m);
            assert_eq!(k.name.contains("_cluster"), k.cluster_m > 1, "{}", k.name);
            if k.cluster_m > 1 {
                assert!(k.name.contains(&tag) && k.min_arch == 90, "{}", k.name);
                let plain = k.name.replace(&tag, "_");
                let p = KERNELS.iter().find(|o| o.name == plain).expect(k.name);
                assert_eq!(
                    KernelInfo {
                        name: p.name,
                        cluster_m: p.cluster_m,
                        ..*k
                    },
                    *p
                );
            }
        }
    }

    #[test]
    fn names_are_unique() {
        for (i, k) in KERNELS.iter().enumerate() {
            assert!(KERNELS[..i].iter().all(|o| o.name != k.name), "{}", k.name);
        }
    }

    /// Every `mma_<in>_<out>_<tile>_<schedule>` combination exists, with its shape's launch
    /// columns; the shared memory they need is above the 48 KiB default.
    #[test]
    fn mma_entries_are_systematic() {
        extern crate std;
        for input in ["bf16", "f16"] {
            for output in [input, "f32"] {
                let tiles = [
                    ("128x128", [MMA_128X128, MMA_128X128_TWO_TEAMS]),
                    ("128x256", [MMA_128X256, MMA_128X256]),
                ];
                for (tile, [naive, persistent]) in tiles {
                    for (schedule, shape) in [("naive", naive), ("persistent", persistent)] {
                        let name = std::format!("mma_{input}_{output}_{tile}_{schedule}");
                        let k = KERNELS
                            .iter()
                            .find(|k| k.name == name)
                            .unwrap_or_else(|| panic!("{name} missing"));
                        assert_eq!(k.tile, shape.tile);
                        assert_eq!(k.smem_bytes, shape.smem_bytes());
                        assert_eq!(k.min_blocks_per_sm, shape.min_blocks_per_sm);
                        assert_eq!(k.teams, shape.teams);
                        assert!(k.smem_bytes > 48 * 1024);
                    }
                }
            }
        }
    }

    #[test]
    fn sm80_module_leaves_out_hopper_entries() {
        assert!(launch_bounds("sm_80").all(|(name, _, _)| !name.starts_with("wgmma")));
        assert_eq!(launch_bounds("sm_90a").count(), KERNELS.len());
    }
}

//! Which kernel runs a call: the user's choice, or [`Kernel::Auto`].

use crate::element::DType;
use std::fmt;
use tessera_kernels::shapes;
use tessera_kernels::sm90_layout::Sm90Config;

/// How thread blocks are mapped to output tiles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Schedule {
    /// One thread block per output tile.
    NaiveGrid,
    /// As many blocks as fit on the GPU at once, each looping over tiles in grouped order.
    ///
    /// For `mma.sync`, some grids run another kernel in its place: one whose last round is
    /// split stream-K; for a grid of few rounds, the naive grid's kernel with one block per
    /// tile (the README's "persistent grids of few rounds"); or, where the rows of `B` are an
    /// odd number of 16-byte chunks apart, for some 128 × 128 grids of many rounds one whose
    /// blocks claim their tiles at run time, and for others the naive grid's kernel again (the
    /// README's "persistent grids of many rounds").
    Persistent,
}

impl Schedule {
    /// Both schedules, naive first.
    pub const ALL: [Schedule; 2] = [Schedule::NaiveGrid, Schedule::Persistent];

    /// The suffix of the PTX entry points.
    pub(crate) fn entry_suffix(self) -> &'static str {
        match self {
            Schedule::NaiveGrid => "naive",
            Schedule::Persistent => "persistent",
        }
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.entry_suffix())
    }
}

/// The block tile of the `mma.sync` kernels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MmaTile {
    /// Chosen per call from the output shape, the SM count and the shared memory per SM (see
    /// `tessera_kernels::select::mma_tile`).
    Auto,
    /// 128 × 128 × 64, 4 warps, 3 stages (96 KiB): two blocks per SM where they fit.
    M128N128,
    /// 128 × 256 × 64, 8 warps, 3 stages (144 KiB).
    M128N256,
}

impl fmt::Display for MmaTile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MmaTile::Auto => "auto",
            MmaTile::M128N128 => "128x128",
            MmaTile::M128N256 => "128x256",
        })
    }
}

/// How the two consumer warpgroups of the Hopper kernel share the work.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WgmmaSchedule {
    /// Both consumers on one 128 × 256 tile, 64 rows each.
    Cooperative,
    /// Each consumer owns a 128 × 128 tile and the two alternate, so that one's epilogue
    /// overlaps the other's tensor-core work.
    PingPong,
    /// Cooperative, in clusters of two blocks on vertically adjacent tiles (256 × 256 per
    /// cluster) that share each `B` tile: every block loads half of it from L2 and TMA
    /// multicasts it to both, which halves the `B` traffic.
    CooperativeCluster2,
    /// Ping-pong in clusters of two blocks on vertically adjacent tiles (256 × 128 per
    /// cluster and consumer turn), sharing `B` as [`CooperativeCluster2`](Self::CooperativeCluster2).
    PingPongCluster2,
}

impl WgmmaSchedule {
    /// Every schedule, the single-block ones first.
    pub const ALL: [WgmmaSchedule; 4] = [
        WgmmaSchedule::Cooperative,
        WgmmaSchedule::PingPong,
        WgmmaSchedule::CooperativeCluster2,
        WgmmaSchedule::PingPongCluster2,
    ];

    pub(crate) fn entry_name(self) -> &'static str {
        match self {
            WgmmaSchedule::Cooperative => "cooperative",
            WgmmaSchedule::PingPong => "pingpong",
            WgmmaSchedule::CooperativeCluster2 => "cooperative_cluster2",
            WgmmaSchedule::PingPongCluster2 => "pingpong_cluster2",
        }
    }

    /// The tile configuration of one block (the tensor maps' boxes follow from it).
    pub(crate) fn config(self) -> &'static Sm90Config {
        match self {
            WgmmaSchedule::Cooperative | WgmmaSchedule::CooperativeCluster2 => {
                &shapes::WGMMA_COOPERATIVE
            }
            WgmmaSchedule::PingPong | WgmmaSchedule::PingPongCluster2 => &shapes::WGMMA_PINGPONG,
        }
    }
}

impl fmt::Display for WgmmaSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.entry_name())
    }
}

/// A GEMM kernel, or `Auto` to let Tessera choose.
///
/// `Display` gives the name used by tests, benchmark rows and JSON (`tiled_f32/persistent`).
///
/// ```
/// use tessera::{DType, Kernel, Schedule, WgmmaSchedule};
/// // Pin a kernel and a grid, e.g. to compare schedules:
/// let naive = Kernel::Tiled(Schedule::NaiveGrid);
/// assert_eq!(naive.to_string(), "tiled_f32/naive");
/// // Or pass `Kernel::Auto` and let Tessera choose per call (see `Gemm::matmul`).
/// assert_eq!(Kernel::default(), Kernel::Auto);
/// let _ = (DType::BF16, WgmmaSchedule::Cooperative);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Kernel {
    /// Tessera picks: see [`Gemm::matmul`](crate::Gemm::matmul).
    #[default]
    Auto,
    /// One thread per output element: the baseline, and the fallback `Auto` takes for calls
    /// no faster kernel can serve (16-bit operands that are not 16-byte aligned, `K = 0`).
    Textbook,
    /// fp32 SIMT: block, warp and register tiling, double-buffered shared memory.
    Tiled(Schedule),
    /// Tensor cores through `mma.sync` (sm_80 and newer) for bf16/f16 inputs: `ldmatrix`,
    /// a multi-stage `cp.async` pipeline, 64 × 64 warp tiles.
    MmaSync(MmaTile, Schedule),
    /// Hopper (sm_90a) tensor cores for bf16/f16 inputs: TMA loads into a multi-stage ring
    /// guarded by mbarriers, `wgmma`, one producer and two consumer warpgroups.
    Wgmma(WgmmaSchedule, Schedule),
}

impl Kernel {
    /// Every concrete kernel, for tests and benchmarks.
    pub fn all() -> Vec<Kernel> {
        let mut v = vec![Kernel::Textbook];
        v.extend(Schedule::ALL.map(Kernel::Tiled));
        for t in [MmaTile::M128N128, MmaTile::M128N256] {
            v.extend(Schedule::ALL.map(|s| Kernel::MmaSync(t, s)));
        }
        for w in WgmmaSchedule::ALL {
            v.extend(Schedule::ALL.map(|s| Kernel::Wgmma(w, s)));
        }
        v
    }

    /// Whether this kernel can take inputs of `input` and produce `output`.
    pub fn supports(self, input: DType, output: DType) -> bool {
        match self {
            Kernel::Auto => true,
            Kernel::Textbook => output == input || output == DType::F32,
            Kernel::Tiled(_) => input == DType::F32 && output == DType::F32,
            Kernel::MmaSync(..) | Kernel::Wgmma(..) => {
                input != DType::F32 && (output == input || output == DType::F32)
            }
        }
    }
}

impl fmt::Display for Kernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Kernel::Auto => f.write_str("auto"),
            Kernel::Textbook => f.write_str("textbook"),
            Kernel::Tiled(s) => write!(f, "tiled_f32/{s}"),
            Kernel::MmaSync(t, s) => write!(f, "mma_sync/{t}/{s}"),
            Kernel::Wgmma(w, s) => write!(f, "wgmma/{w}/{s}"),
        }
    }
}

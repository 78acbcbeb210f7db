//! Which kernel runs a call: the user's choice, or [`Kernel::Auto`].

use crate::element::DType;
use std::fmt;

/// How thread blocks are mapped to output tiles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Schedule {
    /// One thread block per output tile.
    NaiveGrid,
    /// As many blocks as fit on the GPU at once, each looping over tiles in grouped order.
    Persistent,
}

impl Schedule {
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

/// How the two consumer warpgroups of the Hopper kernel share the work.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WgmmaSchedule {
    /// Both consumers on one 128 × 256 tile, 64 rows each.
    Cooperative,
    /// Each consumer owns a 128 × 128 tile and the two alternate, so that one's epilogue
    /// overlaps the other's tensor-core work.
    PingPong,
}

impl WgmmaSchedule {
    pub const ALL: [WgmmaSchedule; 2] = [WgmmaSchedule::Cooperative, WgmmaSchedule::PingPong];

    pub(crate) fn entry_name(self) -> &'static str {
        match self {
            WgmmaSchedule::Cooperative => "cooperative",
            WgmmaSchedule::PingPong => "pingpong",
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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Kernel {
    /// Tessera picks: see [`Kernel::resolve`].
    #[default]
    Auto,
    /// One thread per output element; fp32 only. The baseline, never picked by `Auto`.
    Textbook,
    /// fp32 SIMT: block, warp and register tiling, double-buffered shared memory.
    Tiled(Schedule),
    /// Hopper (sm_90a) tensor cores for bf16/f16 inputs: TMA loads into a multi-stage ring
    /// guarded by mbarriers, `wgmma`, one producer and two consumer warpgroups.
    Wgmma(WgmmaSchedule, Schedule),
}

impl Kernel {
    /// The concrete kernel `Auto` stands for, for inputs of type `input`.
    ///
    /// fp32: the tiled kernel on the persistent grid, which is never slower than the naive
    /// grid in the benchmark suite (`bench/results/`).
    pub fn resolve(self, input: DType) -> Kernel {
        match (self, input) {
            (Kernel::Auto, DType::F32) => Kernel::Tiled(Schedule::Persistent),
            (Kernel::Auto, _) => Kernel::Wgmma(WgmmaSchedule::PingPong, Schedule::Persistent),
            (k, _) => k,
        }
    }

    /// Every concrete kernel, for tests and benchmarks.
    pub fn all() -> Vec<Kernel> {
        let mut v = vec![Kernel::Textbook];
        v.extend(Schedule::ALL.map(Kernel::Tiled));
        for w in WgmmaSchedule::ALL {
            v.extend(Schedule::ALL.map(|s| Kernel::Wgmma(w, s)));
        }
        v
    }

    /// Whether this kernel can take inputs of `input` and produce `output`.
    pub fn supports(self, input: DType, output: DType) -> bool {
        match self {
            Kernel::Auto => true,
            Kernel::Textbook | Kernel::Tiled(_) => input == DType::F32 && output == DType::F32,
            Kernel::Wgmma(..) => input != DType::F32 && (output == input || output == DType::F32),
        }
    }
}

impl fmt::Display for Kernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Kernel::Auto => f.write_str("auto"),
            Kernel::Textbook => f.write_str("textbook_f32"),
            Kernel::Tiled(s) => write!(f, "tiled_f32/{s}"),
            Kernel::Wgmma(w, s) => write!(f, "wgmma/{w}/{s}"),
        }
    }
}

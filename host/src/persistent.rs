//! Which kernel runs a persistent `mma.sync` call: the persistent kernel itself, or in its
//! place the stream-K kernel ([`stream_k_share`]), the naive grid's kernel
//! ([`one_tile_per_block`], [`straddled_rows_run_naive`], [`straddled_a_rows_run_naive`]) or
//! the kernel whose blocks claim their tiles ([`claimed_tiles_pay`]).

use crate::module::Entry;
use tessera_kernels::schedule::{
    TileGrid, claimed_tiles_pay, one_tile_per_block, straddled_a_rows_run_naive,
    straddled_rows_run_naive, straddled_rows_unbalance_sms, stream_k_reads_fit, stream_k_share,
};
use tessera_kernels::shapes::MMA_BLOCK_K;

/// Whether the blocks of a persistent 128 × 128 `mma.sync` grid of teams claim their tiles at
/// run time, from a counter, rather than take them in fixed rounds, on the grids where the
/// rows of `B` are an odd number of 16-byte chunks apart and that have three whole rounds of
/// tiles or more (see `tessera_kernels::schedule::claimed_tiles_pay`). Set with
/// [`Gemm::with_tile_claims`](crate::Gemm::with_tile_claims).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TileClaims {
    /// Claims where the GPU has less than 30 GB/s of DRAM bandwidth per SM (an H100 SXM has
    /// 25, an H200 36): on an H100 they balanced the SMs' work and beat the fixed rounds, on
    /// an H200 the fixed rounds were faster
    /// (`tessera_kernels::schedule::straddled_rows_unbalance_sms`).
    #[default]
    Auto,
    /// Claims on every such grid.
    On,
    /// Fixed rounds on every such grid.
    Off,
}

impl TileClaims {
    /// Whether such grids claim their tiles on a GPU where straddled rows unbalance the SMs
    /// (`unbalanced`: [`Balance::of`]) or not.
    pub(crate) fn made(self, unbalanced: bool) -> bool {
        match self {
            TileClaims::Auto => unbalanced,
            TileClaims::On => true,
            TileClaims::Off => false,
        }
    }
}

/// What the GPU does to a fixed schedule where an operand's rows straddle sectors, and what a
/// persistent call does about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Balance {
    /// The SMs compute at uneven rates ([`straddled_rows_unbalance_sms`]).
    pub unbalanced: bool,
    /// The grids of [`claimed_tiles_pay`] claim their tiles ([`TileClaims::made`]).
    pub claims: bool,
}

impl Balance {
    /// The balance on a GPU of `dram_gbps` GB/s over `sm_count` SMs, with `claims` set so.
    pub fn of(dram_gbps: u32, sm_count: u32, claims: TileClaims) -> Self {
        let unbalanced = straddled_rows_unbalance_sms(dram_gbps / sm_count.max(1));
        Balance {
            unbalanced,
            claims: claims.made(unbalanced),
        }
    }
}

/// The kernel and grid of a persistent `mma.sync` call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PersistentLaunch {
    /// The persistent kernel on its round blocks, and tail blocks where it has them.
    Rounds,
    /// Whole rounds, if any, then a last round split stream-K: the `_stream_k` entry, one
    /// block of one team per slot of the persistent grid.
    StreamK { slots: u32 },
    /// The grids of [`one_tile_per_block`] and [`straddled_rows_run_naive`]: the `_naive`
    /// entry, one block per tile.
    OneTilePerBlock { tiles: u32 },
    /// The grids of [`claimed_tiles_pay`]: the `_claimed` entry, a block of one team per slot
    /// (as many as fit), which claim their tiles from a counter in the workspace.
    Claimed { tiles: u32 },
}

impl PersistentLaunch {
    /// The launch of `grid` with `k` elements of `K` where the persistent `entry` would run
    /// `round_blocks` round blocks on a GPU of `balance`; `b_bytes`: the bytes of every `B` of
    /// the batch, `lda_bytes` and `ldb_bytes` from one row of `A` and of `B` to the next.
    pub fn plan(
        entry: &Entry,
        grid: &TileGrid,
        k: usize,
        (b_bytes, lda_bytes, ldb_bytes): (u64, u64, u64),
        round_blocks: u32,
        balance: Balance,
    ) -> Self {
        let (count, slots) = (grid.count(), round_blocks * entry.teams);
        let Ok(k_tiles) = u32::try_from(k.div_ceil(MMA_BLOCK_K as usize)) else {
            return PersistentLaunch::Rounds;
        };
        if straddled_rows_run_naive(count, round_blocks, slots, ldb_bytes) {
            PersistentLaunch::OneTilePerBlock { tiles: count }
        } else if stream_k_share(count, round_blocks, slots, k_tiles).is_some()
            && stream_k_reads_fit(count, slots, b_bytes)
        {
            PersistentLaunch::StreamK { slots }
        } else if one_tile_per_block(count, round_blocks, slots, k_tiles)
            || straddled_a_rows_run_naive(count, round_blocks, slots, lda_bytes, balance.unbalanced)
        {
            PersistentLaunch::OneTilePerBlock { tiles: count }
        } else if balance.claims && claimed_tiles_pay(count, slots, k_tiles, ldb_bytes) {
            PersistentLaunch::Claimed { tiles: count }
        } else {
            PersistentLaunch::Rounds
        }
    }

    /// The entry point that runs this launch in place of the persistent entry `name`; `None`
    /// for [`PersistentLaunch::Rounds`], which runs `name` itself.
    pub fn entry_name(self, name: &str) -> Option<String> {
        let kind = match self {
            PersistentLaunch::Rounds => return None,
            PersistentLaunch::StreamK { .. } => "stream_k",
            PersistentLaunch::OneTilePerBlock { .. } => "naive",
            PersistentLaunch::Claimed { .. } => "claimed",
        };
        name.strip_suffix("_persistent")
            .map(|base| format!("{base}_{kind}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_by_dram_bandwidth_per_sm_unless_set() {
        // An H100 SXM, an H200, and a GPU whose bandwidth the driver does not give.
        for (gbps, unbalanced) in [(3352, true), (4814, false), (0, true)] {
            let balance = |claims| Balance::of(gbps, 132, claims);
            assert_eq!(
                balance(TileClaims::Auto).unbalanced,
                unbalanced,
                "{gbps} GB/s"
            );
            assert_eq!(balance(TileClaims::Auto).claims, unbalanced, "{gbps} GB/s");
            assert!(balance(TileClaims::On).claims);
            assert!(!balance(TileClaims::Off).claims);
            assert_eq!(balance(TileClaims::Off).unbalanced, unbalanced);
        }
    }

    #[test]
    fn entries_in_place_of_the_persistent_one() {
        let name = "mma_bf16_f32_128x128_persistent";
        let name_of = |launch: PersistentLaunch| launch.entry_name(name);
        assert_eq!(name_of(PersistentLaunch::Rounds), None);
        assert_eq!(
            name_of(PersistentLaunch::StreamK { slots: 264 }).as_deref(),
            Some("mma_bf16_f32_128x128_stream_k")
        );
        assert_eq!(
            name_of(PersistentLaunch::OneTilePerBlock { tiles: 64 }).as_deref(),
            Some("mma_bf16_f32_128x128_naive")
        );
        assert_eq!(
            name_of(PersistentLaunch::Claimed { tiles: 600 }).as_deref(),
            Some("mma_bf16_f32_128x128_claimed")
        );
        assert_eq!(
            PersistentLaunch::OneTilePerBlock { tiles: 1 }.entry_name("tiled_f32_naive"),
            None
        );
    }
}

//! The claims of a [`ClaimedTiles`](crate::schedule::ClaimedTiles) schedule: how a team's
//! threads learn which tile the grid's counter gave them.

use super::Tiling;
use crate::arch::{global, smem};
use crate::params::GemmParams;
use crate::schedule::{CLAIMED_MIN_K_TILES, WorkScheduler};
use core::arch::{asm, global_asm};

/// A team claims its next work shortly before it needs it: thread 0 adds one to the counter
/// when the consumer starts the current work's k-tile [`Claims::ahead`] from the end, and
/// leaves the value it got in a ring of [`Claims::RING`] entries of static shared memory, at
/// the work's sequence number (its place among the team's works). The producer, `STAGES - 1`
/// k-tiles ahead of the consumer, reads it when it moves on to that work, in the next k-tile;
/// the consumer after the epilogue of the current one.
///
/// Claimed any earlier, the counter would hand the next tile to the team that started its
/// current tile first rather than to the one that finishes first; where the SMs compute at
/// different rates, that is not the same team.
///
/// Between the write and each read there is a team barrier: the k-loop syncs once per k-tile,
/// and a work has at least `ahead` k-tiles (the host claims only tiles of
/// [`CLAIMED_MIN_K_TILES`] or more). The producer stays less than one work ahead of the
/// consumer, so that an entry is read before the claim `RING` works later writes it again.
pub(super) struct Claims;

// Four entries per team, for up to four teams (16 × 4 bytes).
global_asm!(".shared .align 4 .b32 tessera_claims[16];");

impl Claims {
    const RING: u32 = 4;

    /// The k-tiles left in the consumer's current work (its k-loop's count, at the start of a
    /// k-tile) when the team claims its next one: one k-tile before the producer moves on to
    /// it, which it does `STAGES - 1` k-tiles before the consumer.
    #[inline(always)]
    pub(super) const fn ahead<G: Tiling>() -> u32 {
        G::STAGES + 1
    }

    /// Shared address of team `team`'s entry for its work `seq`.
    #[inline(always)]
    fn entry(team: u32, seq: u32) -> u32 {
        let base: u32;
        // SAFETY: takes the address of this module's own shared variable.
        unsafe {
            asm!("mov.u32 {}, tessera_claims;", out(reg32) base, options(nostack, pure, nomem))
        };
        base + (team * Self::RING + seq % Self::RING) * 4
    }

    /// Claims team `team`'s work `seq` for `schedule`, on one thread of the team: one atomic
    /// on the grid's counter (`p.arrivals`), and the launch's last claim sets it back to zero.
    ///
    /// # Safety
    /// Called by one thread of the team per work; `p.arrivals` is the counter, zero at the
    /// launch's start; the team's threads read the entry only after a team barrier, and not
    /// after the claim of work `seq + RING`.
    #[inline(always)]
    pub(super) unsafe fn claim<W: WorkScheduler, G: Tiling>(
        p: &GemmParams,
        schedule: &W,
        team: u32,
        seq: u32,
    ) {
        const {
            assert!(G::TEAMS * Self::RING <= 16);
            // A barrier between each claim and its reads (see `Claims`).
            assert!(CLAIMED_MIN_K_TILES >= Self::ahead::<G>());
        };
        let counter = p.arrivals as *mut u32;
        // Nothing is published through the counter: it only numbers the claims.
        let got = unsafe { global::fetch_add_relaxed(counter, 1) };
        if schedule.last_claim(got) {
            // Every other claim of the launch has returned: nobody adds to it any more.
            unsafe { global::store_b32(counter, 0) };
        }
        unsafe { smem::store_b32(Self::entry(team, seq), got) };
    }

    /// The counter value of team `team`'s claim for its work `seq`.
    ///
    /// # Safety
    /// After a team barrier that follows the claim (see [`Claims`]).
    #[inline(always)]
    pub(super) unsafe fn read(team: u32, seq: u32) -> u32 {
        unsafe { smem::load_b32(Self::entry(team, seq)) }
    }
}

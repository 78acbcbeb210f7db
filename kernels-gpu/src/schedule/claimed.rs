//! [`ClaimedTiles`]: a persistent grid whose slots claim their tiles at run time.

use super::{Share, TileGrid, Work, WorkScheduler, team_slot};

/// One slot per resident team, as [`Persistent`](super::Persistent), but only a slot's first
/// tile is fixed (its own index in the tile order); each later one is claimed from a counter
/// in global memory that the whole grid shares, shortly before the slot finishes the one
/// before. The tiles keep their order; which slot computes which is decided as the slots get
/// free.
///
/// Under load, the SMs of an H100 do not compute tiles at one rate. On a naive grid the
/// per-SM instruction counts of ncu spread from 0.88× to 1.29× their mean while every SM stays
/// busy to the end: the hardware hands the next block to whichever SM is free. A grid that
/// deals out its tiles in advance gives every SM the same count, and the slowest SM sets the
/// time: the same kernels on [`Persistent`](super::Persistent) leave SMs idle for up to 30%
/// of the launch. Claimed tiles keep the persistent grid's loop over tiles and balance as
/// the naive grid does.
///
/// The claims themselves are the kernel's: a counter value per claim
/// ([`claimed`](WorkScheduler::claimed)), a position past the slots' first tiles.
///
/// Each slot claims once per tile it computes, for the one after it, until a claim finds no
/// tile left: one claim per tile in all, which return the counter's values `0 .. count` in some
/// order. The claim that returned `count - 1` is the launch's last
/// ([`last_claim`](WorkScheduler::last_claim)); it sets the counter back to zero, so that the
/// next launch on the stream finds it so. Every slot needs a first tile (`slots ≤ count`).
#[derive(Clone, Copy, Debug)]
pub struct ClaimedTiles {
    grid: TileGrid,
    k_tiles: u32,
    slots: u32,
    /// The position in the tile order of the team's next tile; past the last: none (also
    /// after a tile is handed out, until the next claim arrives).
    next: u32,
}

impl WorkScheduler for ClaimedTiles {
    const PERSISTENT: bool = true;
    const CLAIMED: bool = true;

    #[inline(always)]
    fn new(grid: TileGrid, k_tiles: u32, block: u32, blocks: u32, team: u32, teams: u32) -> Self {
        let (slot, slots) = team_slot(block, blocks, team, teams);
        ClaimedTiles {
            grid,
            k_tiles,
            slots,
            next: slot,
        }
    }

    #[inline(always)]
    fn next_work(&mut self) -> Option<Work> {
        if self.next >= self.grid.count() {
            return None;
        }
        let tile = self.grid.tile(self.next);
        self.next = u32::MAX;
        Some(Work {
            tile,
            k_begin: 0,
            k_end: self.k_tiles,
            share: Share::Whole,
        })
    }

    #[inline(always)]
    fn next_k_tiles(&self) -> Option<u32> {
        (self.next < self.grid.count()).then_some(self.k_tiles)
    }

    #[inline(always)]
    fn claimed(&mut self, counter: u32) {
        // Past the last tile: none left.
        self.next = self.slots.saturating_add(counter);
    }

    #[inline(always)]
    fn last_claim(&self, counter: u32) -> bool {
        counter + 1 == self.grid.count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    extern crate std;
    use std::vec::Vec;

    proptest! {
        /// Slots that take turns at random, each claiming once per tile as the kernel
        /// does, compute every tile once, and the last claim is the one that resets.
        #[test]
        fn every_tile_once_and_one_reset(
            tiles_m in 1u32..40,
            tiles_n in 1u32..40,
            batches in 1u32..3,
            blocks in 1u32..40,
            teams in 1u32..3,
            turns in proptest::collection::vec(0u32..1000, 1..200),
        ) {
            let grid = TileGrid { tiles_m, tiles_n, group_m: 8, batches };
            let slots = blocks * teams;
            prop_assume!(slots <= grid.count());
            let mut schedules: Vec<(ClaimedTiles, bool)> = (0..blocks)
                .flat_map(|b| (0..teams).map(move |t| (b, t)))
                .map(|(b, t)| (ClaimedTiles::new(grid, 1, b, blocks, t, teams), false))
                .collect();
            let (mut counter, mut resets, mut seen) = (0u32, 0, Vec::new());
            let mut turn = turns.iter().cycle();
            loop {
                let running: Vec<usize> = (0..schedules.len()).filter(|&i| !schedules[i].1).collect();
                let Some(&i) = running.get(*turn.next().unwrap() as usize % running.len().max(1)) else {
                    break;
                };
                let (schedule, done) = &mut schedules[i];
                match schedule.next_work() {
                    Some(work) => {
                        seen.push(work.tile);
                        let old = counter;
                        counter += 1;
                        if schedule.last_claim(old) {
                            counter = 0;
                            resets += 1;
                        }
                        schedule.claimed(old);
                    }
                    None => *done = true,
                }
            }
            prop_assert_eq!(resets, 1);
            prop_assert_eq!(counter, 0);
            let mut expected: Vec<_> = (0..grid.count()).map(|i| grid.tile(i)).collect();
            seen.sort_by_key(|t| (t.batch, t.m, t.n));
            expected.sort_by_key(|t| (t.batch, t.m, t.n));
            prop_assert_eq!(seen, expected);
        }
    }
}

//! The hand-over of partial sums between teams of different blocks that share a tile
//! ([`Share::StreamK`](crate::schedule::Share::StreamK)).

use super::{Accumulators, BK, MI, NI, Team, Tiling};
use crate::arch::{self, global, smem, thread};
use crate::params::GemmParams;
use crate::schedule::{Piece, WorkTile, stream_k_even_share, stream_k_slots, team_slot};
use crate::unroll;
use core::arch::{asm, global_asm};

/// The partial sums of a tile that teams of several blocks share, through the workspace of
/// [`GemmParams::partials`] and [`GemmParams::arrivals`] (one counter of pieces per tile).
/// Accumulator group `(M, N)` of team thread `t` lies at `((M · NI + N) · THREADS + t) · 16`
/// bytes into its piece's slot: a warp writes and reads 512 consecutive bytes per group.
pub(super) struct StreamK;

// What each team's thread 0 found at the tile's counter, for the rest of its team: a word per
// team (at most 16, see `Tiling::CHECK`).
global_asm!(".shared .align 4 .b32 tessera_stream_k_arrived[16];");

impl StreamK {
    /// Shared address of team `team`'s word.
    #[inline(always)]
    fn arrived(team: u32) -> u32 {
        let a: u32;
        // SAFETY: takes the address of this module's own shared variable.
        unsafe {
            asm!("mov.u32 {}, tessera_stream_k_arrived;", out(reg32) a,
                options(nostack, pure, nomem))
        };
        a + 4 * team
    }

    /// Where team thread `t` keeps accumulator group `(0, 0)` in workspace slot `slot`; group
    /// `(m, n)` is [`StreamK::group`] bytes further.
    #[inline(always)]
    fn base<G: Tiling>(p: &GemmParams, slot: u32, t: u32) -> u64 {
        let slot_bytes = (G::THREADS as usize * MI * NI * 16) as u64;
        p.partials + slot as u64 * slot_bytes + (t * 16) as u64
    }

    /// Bytes from group `(0, 0)` to group `(m, n)`: a constant, which the loads and stores take
    /// as their immediate offset from one base address.
    #[inline(always)]
    const fn group<G: Tiling>(m: usize, n: usize) -> u64 {
        ((m * NI + n) as u32 * G::THREADS * 16) as u64
    }

    /// Leaves the team's partial sums `r_acc` of `piece` in its slot and counts the piece in at
    /// its tile's counter. Returns the tile where that completed it: `r_acc` then holds the sum
    /// of every piece of the tile, and the team stores it; `None` where a piece still to arrive
    /// will.
    ///
    /// # Safety
    /// The whole team calls it; `p` holds a workspace for the grid's stream-K round.
    #[inline(always)]
    pub(super) unsafe fn add<G: Tiling>(
        p: &GemmParams,
        team: Team,
        piece: Piece,
        r_acc: &mut Accumulators,
    ) -> Option<WorkTile> {
        let t = team.thread;
        // This team's slot (as `StreamKRound::new` numbers them).
        let (slot, slots) = team_slot(
            thread::block_index_x_again(),
            thread::grid_dim_x(),
            team.index,
            team.count,
        );
        // Read here, so that what is computed from it (the round's first tile) is too, rather
        // than held in a register through the k-loop.
        let slots = arch::pinned(slots);
        let count = p.tile_grid(G::BM, G::BN).count();
        let base = Self::base::<G>(p, piece.slot(count, slot, slots), t);
        unroll!(M in 0..4 => {
            unroll!(N in 0..8 => {
                let at = (base + Self::group::<G>(M, N)) as *mut f32;
                unsafe { global::store_f32x4(at, r_acc[M][N]) };
            });
        });
        // Every thread of the team has written its sums: thread 0's release below makes them
        // visible with its own (a release covers what the barrier ordered before it).
        team.sync::<G>();
        // The tile's pieces, computed here, where the accumulators are free: computed earlier,
        // they would stay live through the stores above.
        let k_tiles = p.k.div_ceil(BK);
        let tile = piece.in_round(count, slots);
        let share = stream_k_even_share(count, slots, k_tiles);
        let (first, pieces) = stream_k_slots(tile, k_tiles, share);
        let word = Self::arrived(team.index);
        if t == 0 {
            let counter = (p.arrivals + tile as u64 * 4) as *mut u32;
            let complete = unsafe { global::fetch_add_acq_rel(counter, 1) } + 1 == pieces;
            if complete {
                // Zero again for the next launch, which the end of this one orders after it.
                unsafe { global::store_b32(counter, 0) };
            }
            unsafe { smem::store_b32(word, complete as u32) };
        }
        // The outcome for the whole team, and thread 0's acquire before its reads below.
        team.sync::<G>();
        if unsafe { smem::load_b32(word) } == 0 {
            return None;
        }
        // Every piece, this one's too, in slot order: the same bits whoever arrives last. One
        // m16 row of groups at a time, in a loop the compiler does not unroll (its trip count is
        // opaque): the accumulators rotate by a row per trip, so the row summed is always the
        // first. Unrolled, the loads of all 32 groups in flight at once did not fit the
        // registers.
        let mut row_offset = 0;
        for _ in 0..arch::pinned(MI as u32) {
            let row = |slot: u32, n: usize| {
                let at = Self::base::<G>(p, slot, t) + row_offset + Self::group::<G>(0, n);
                unsafe { global::load_f32x4_l2(at as *const f32) }
            };
            unroll!(N in 0..8 => { r_acc[0][N] = row(first, N) });
            for slot in first + 1..first + pieces {
                unroll!(N in 0..8 => {
                    let v = row(slot, N);
                    unroll!(I in 0..4 => { r_acc[0][N][I] += v[I] });
                });
            }
            *r_acc = [r_acc[1], r_acc[2], r_acc[3], r_acc[0]];
            row_offset += Self::group::<G>(1, 0);
        }
        Some(p.tile_grid(G::BM, G::BN).tile(piece.tile))
    }
}

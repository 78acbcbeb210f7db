//! The hand-over of partial sums between the teams that share a tile.

use super::{Accumulators, NI, SmemWindow, Team, Tiling};
use crate::arch::{cp_async, mbarrier, smem, sync, thread};
#[cfg(doc)]
use crate::schedule::Share;
use crate::unroll;
use core::arch::{asm, global_asm};

/// The partial sums of a tile the block's teams share ([`Share::Teams`]): each team but the
/// first leaves its accumulators in its own stages, which its pipeline no longer needs, and
/// the first adds them to its own. Accumulator group `(M, N)` of team thread `t` lies at
/// `((M · NI + N) · THREADS + t) · 16`: a warp reads and writes 512 consecutive bytes per
/// group, free of bank conflicts.
pub(super) struct Partials;

// The hand-over's `mbarrier`: 8 bytes of static shared memory, apart from the stages, in the
// kernels that share tiles.
global_asm!(".shared .align 8 .b64 tessera_partials_ready;");

impl Partials {
    /// Shared address of the hand-over barrier.
    #[inline(always)]
    fn ready() -> u32 {
        let a: u32;
        // SAFETY: takes the address of this module's own shared variable.
        unsafe {
            asm!("mov.u32 {}, tessera_partials_ready;", out(reg32) a,
                options(nostack, pure, nomem))
        };
        a
    }

    /// Sets up the hand-over barrier for the other teams' threads; every thread of the block
    /// calls it before anything else. The hand-over is one `mbarrier` phase that the other
    /// teams arrive at and team 0 waits for: unlike a named barrier, its two sides are
    /// different instructions on different code paths, and a team that has arrived may exit.
    ///
    /// # Safety
    /// The whole block calls it once, at the start.
    #[inline(always)]
    pub(super) unsafe fn init<G: Tiling>(team: Team) {
        if G::TEAMS == 1 || team.count == 1 {
            return;
        }
        if thread::index_x() == 0 {
            unsafe { mbarrier::init(Self::ready(), (team.count - 1) * G::THREADS) };
        }
        // Publishes the initialisation to the block.
        sync::threads();
    }

    /// Where team `team`'s thread `t` keeps accumulator group `(m, n)`. The window's address
    /// is taken again here, not held through the mainloop.
    #[inline(always)]
    fn address<G: Tiling>(team: u32, m: usize, n: usize, t: u32) -> u32 {
        let window = smem::address(unsafe { smem::dynamic::<SmemWindow>() });
        window + Team::stages_of::<G>(team) + ((m * NI + n) as u32 * G::THREADS + t) * 16
    }

    /// Team `team` (not the first) stores `r_acc` in its stages and arrives at the hand-over
    /// barrier.
    ///
    /// # Safety
    /// The team's stream has ended; the whole team calls it, and team 0 calls
    /// [`Partials::add`].
    #[inline(always)]
    pub(super) unsafe fn hand_over<G: Tiling>(team: Team, r_acc: &Accumulators) {
        // Past the end of the stream the groups are empty; the wait makes it certain that no
        // copy still lands in the stages.
        cp_async::wait_group(0);
        // Every warp of the team has read its last fragments from the stages.
        team.sync::<G>();
        unroll!(M in 0..4 => {
            unroll!(N in 0..8 => {
                let at = Self::address::<G>(team.index, M, N, team.thread);
                unsafe { smem::store_b32x4(at, r_acc[M][N].map(f32::to_bits)) };
            });
        });
        // Release: the stores above happen before the phase completes.
        unsafe { mbarrier::arrive(Self::ready()) };
    }

    /// Team 0 waits for the others' partial sums and adds them to `r_acc`.
    ///
    /// # Safety
    /// Every other team calls [`Partials::hand_over`].
    #[inline(always)]
    pub(super) unsafe fn add<G: Tiling>(team: Team, r_acc: &mut Accumulators) {
        // Acquire: the first (and only) phase, parity 0.
        while !unsafe { mbarrier::test_wait(Self::ready(), 0) } {}
        // The block's size read again rather than `team.count` held through the mainloop.
        for other in 1..thread::block_dim_x() / G::THREADS {
            unroll!(M in 0..4 => {
                unroll!(N in 0..8 => {
                    let at = Self::address::<G>(other, M, N, team.thread);
                    let v = unsafe { smem::load_b32x4(at) };
                    unroll!(I in 0..4 => { r_acc[M][N][I] += f32::from_bits(v[I]) });
                });
            });
        }
    }
}

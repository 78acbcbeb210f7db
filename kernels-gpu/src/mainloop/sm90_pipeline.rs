//! The stage ring of the Hopper mainloop: `stages` buffers of `A` and `B` in shared memory,
//! each guarded by a pair of mbarriers, and the handshakes on them.
//!
//! # Barriers and phases
//! - `full[s]` expects 1 arrival (the producer's `arrive_expect_tx`) plus the stage's bytes of
//!   TMA `complete_tx`: its phase completes when the data has landed.
//! - `empty[s]` expects one arrival per consumer warp that reads the stage: its phase
//!   completes when every reader's `wgmma`s on the stage have finished.
//!
//! # Clusters
//! In a cluster of `c > 1` blocks ([`Ring::new`]'s `cluster`), every block's producer also
//! writes into the other blocks' stages (a multicast share of `B`, see `sm90_wgmma_tma`), so a
//! stage may only be refilled when the readers of *every* block are done with it:
//! - `empty[s]` expects the reading warps of all `c` blocks, and each reading warp releases a
//!   stage by arriving on `empty[s]` of every block of the cluster (its own included). The
//!   arrivals and the producer's wait order execution only (the readers' `wgmma`s have
//!   completed before they arrive; the producer's copies are issued after its wait), so they
//!   keep CTA-scope semantics (see `mbarrier::arrive_cluster`).
//! - `full[s]` is unchanged: 1 arrival from the own producer, whose `expect_tx` is still the
//!   whole stage; the bytes come from the own producer's and the peers' copies. A peer's bytes
//!   may land before the own producer's `expect_tx` (the transaction count goes negative for a
//!   while); the phase cannot complete early because the arrival is still missing.
//!
//! The producer of block `r` refills stage `s` on trip `t` only after `empty[s]` of block `r`
//! has completed phase `t - 1`, i.e. after the readers of every block have waited for `full[s]`
//! phase `t - 1` of their own block: so no block's `full[s]` receives bytes of trip `t` before
//! its phase `t - 1` is complete, and all blocks stay within one trip of each other per stage.
//!
//! Trip `t` round the ring (`t = iteration / stages`) uses phase `t` of both barriers of the
//! stage. Consumers wait for `full` phase `t` (parity `t & 1`); the producer, before refilling
//! a stage on trip `t`, waits for `empty` phase `t - 1`, i.e. parity `(t & 1) ^ 1`. On trip 0
//! that is the phase "before" a freshly initialised barrier, which counts as complete, so the
//! first `stages` fills do not wait.
//!
//! A parity wait cannot tell phase `t` from phase `t - 2`, so a waiter must know that the
//! barrier has finished phase `t - 1`. The producer does (it waited for it one trip ago);
//! a consumer does as long as it (or, in ping-pong, the other consumer before handing over —
//! see `sm90_wgmma_tma`) has waited for every earlier `full` phase.

use crate::arch::{cluster, mbarrier, smem, thread};
use crate::sm90_layout::{PipelineState, SWIZZLE_ATOM_BYTES, Sm90Config};

/// Dynamic shared memory viewed as 1024-byte aligned: the alignment TMA's 128-byte swizzle
/// and the `wgmma` descriptors (base offset 0) rely on.
#[repr(C, align(1024))]
struct SwizzleAtom([u8; SWIZZLE_ATOM_BYTES as usize]);

/// The stage ring at the start of dynamic shared memory, laid out as
/// [`Sm90Config`] describes.
#[derive(Clone, Copy)]
pub struct Ring {
    base: u32,
    cfg: Sm90Config,
    /// Blocks of the cluster that share the stages (module docs, "Clusters"); a constant of
    /// the kernel, so every `if self.cluster > 1` folds away.
    cluster: u32,
}

impl Ring {
    /// The ring of `cfg` in this block's dynamic shared memory, shared by the `cluster` blocks
    /// of this block's cluster (1: no cluster). Traps if the window is not 1024-byte aligned
    /// (then every swizzled read would be silently wrong).
    ///
    /// # Safety
    /// The launch provides `cfg.smem_bytes()` of dynamic shared memory, in clusters of
    /// `cluster` blocks that all build the same ring.
    #[inline(always)]
    pub unsafe fn new(cfg: Sm90Config, cluster: u32) -> Self {
        let base = smem::address(unsafe { smem::dynamic::<SwizzleAtom>() });
        if base % SWIZZLE_ATOM_BYTES != 0 {
            crate::arch::trap();
        }
        Ring { base, cfg, cluster }
    }

    /// Initialises every stage's barriers; `readers` is the number of consumer warps of *one*
    /// block that read each stage (`empty` expects those of the whole cluster). One thread
    /// calls it, then the block (with a cluster: the cluster) synchronises.
    ///
    /// # Safety
    /// Called by one thread, before any other use of the ring, followed by `bar.sync` of the
    /// whole block, or with a cluster by `barrier.cluster` of the whole cluster (the peers
    /// multicast into this block's stages and arrive on its `empty` barriers).
    #[inline(always)]
    pub unsafe fn init(&self, readers: u32) {
        for s in 0..self.cfg.stages {
            unsafe {
                mbarrier::init(self.full(s), 1);
                mbarrier::init(self.empty(s), readers * self.cluster);
            }
        }
        // The TMA unit updates `full` through the async proxy, and peer blocks arrive on
        // `empty`: make the initialisation visible to both (and to the other threads), at
        // cluster scope, with the caller's barrier.
        mbarrier::fence_init();
    }

    /// Shared address of stage `s`'s `A` tile.
    #[inline(always)]
    pub fn a(&self, s: u32) -> u32 {
        self.base + self.cfg.a(s)
    }

    /// Shared address of stage `s`'s `B` tile.
    #[inline(always)]
    pub fn b(&self, s: u32) -> u32 {
        self.base + self.cfg.b(s)
    }

    /// Shared address of epilogue buffer `b` of consumer `c`.
    #[inline(always)]
    pub fn epilogue(&self, c: u32, b: u32) -> u32 {
        self.base + self.cfg.epilogue(c, b)
    }

    /// Shared address of stage `s`'s `full` barrier.
    #[inline(always)]
    pub fn full(&self, s: u32) -> u32 {
        self.base + self.cfg.full(s)
    }

    #[inline(always)]
    fn empty(&self, s: u32) -> u32 {
        self.base + self.cfg.empty(s)
    }

    /// Producer: waits until the stage at `state` may be overwritten, then announces the bytes
    /// its TMA loads will deliver. Returns the `full` barrier the loads must signal.
    ///
    /// # Safety
    /// One producer thread, walking the ring in order.
    #[inline(always)]
    pub unsafe fn acquire_empty(&self, state: &PipelineState) -> u32 {
        let full = self.full(state.stage);
        unsafe {
            mbarrier::wait(self.empty(state.stage), state.phase ^ 1);
            // The whole stage, also with a cluster: own `A`, own and peers' shares of `B`.
            mbarrier::arrive_expect_tx(full, self.cfg.stage_bytes());
        }
        full
    }

    /// Consumer: waits until the stage at `state` holds its data.
    ///
    /// # Safety
    /// The `full` barrier of the stage has completed the phase before `state`'s (module docs).
    #[inline(always)]
    pub unsafe fn wait_full(&self, state: &PipelineState) {
        unsafe { mbarrier::wait(self.full(state.stage), state.phase) };
    }

    /// Consumer: this warp is done reading stage `s` (its `wgmma`s on it have completed). With
    /// a cluster, on `empty[s]` of every block: each producer of the cluster writes into this
    /// block's stage.
    ///
    /// # Safety
    /// Warp-uniform; once per reading warp per trip.
    #[inline(always)]
    pub unsafe fn release(&self, s: u32) {
        if thread::lane_id() == 0 {
            if self.cluster > 1 {
                for rank in 0..self.cluster {
                    let empty = cluster::map_shared(self.empty(s), rank);
                    unsafe { mbarrier::arrive_cluster(empty) };
                }
            } else {
                unsafe { mbarrier::arrive(self.empty(s)) };
            }
        }
    }
}
